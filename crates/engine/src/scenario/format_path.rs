//! The field a format error is about (`services[0].desired_count`), found from where serde_json stopped in the text.
//!
//! Why not `serde_path_to_error`, which tracks the path while deserializing: it wraps every deserializer, visitor,
//! map and sequence access of the scenario format's ~100 types, a second copy of the format's reading code (285 KB
//! raw, 17.4 KiB of the page's gzipped wasm; README, "The page's wasm size"). A refused file is rare and small, so
//! instead the one fast reader runs, and only when it fails is the text walked again up to the error's line and
//! column, keeping the path of keys and indices there. The paths read exactly as `serde_path_to_error`'s did
//! (`a.b[2].c`, the root `.`): `tests/it/format_paths.rs` compares the two on thousands of broken files.
//!
//! Where serde_json stops depends on the kind of error, and [`path_at`] reads it so:
//! - a wrong value (`invalid type: string "x", expected u32`): right after the value, or at a `{` / `[` it would
//!   not enter; the value's path;
//! - `unknown field`: right after the key; the key's path. `duplicate field`, and an unknown variant of an
//!   externally tagged enum (`{"servce": "web"}`): also after the key, but the object's path;
//! - a struct's own error (`missing field`): right after its `}`; the struct's path;
//! - an internally tagged enum (`{"type": "scale", ...}` in `events`): serde reads the whole object first and the
//!   variant's fields from that copy, so serde_json only places the error once its list takes it back: after the
//!   `,` and the next element's start, or after the list's `]`. The path is the element's (`events[3]`), as
//!   `serde_path_to_error` said too, since it cannot follow into the copy either.

/// One step of a path: an object's key or a list's index.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// What a value is, as far as the path rules care.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Object,
    Array,
    Scalar,
}

/// An open object or list while walking: where its current child is and what its last finished child was.
struct Open {
    kind: Kind,
    /// The current key (objects) or index (lists) of the child being read or last read.
    step: Option<Step>,
    /// Whether the current key's `:` was passed (objects).
    colon: bool,
    /// Finished children so far, and the kind of the last one.
    children: usize,
    last: Option<Kind>,
}

/// The last thing the walk passed before the error's place.
enum Last {
    Nothing,
    /// An object's key (its `:` not yet passed).
    Key,
    /// A key's `:` (the value not yet started).
    Colon,
    /// Just inside a `{` or `[`.
    Opened,
    /// A finished value: a scalar, or a container just closed (its kind, and its last child's index and kind).
    Value {
        kind: Kind,
        last_child: Option<(usize, Kind)>,
    },
    /// A list's `,` after element `index` (of `kind`).
    Comma {
        index: usize,
        kind: Kind,
    },
}

/// The byte offset of serde_json's `line` (from 1) and `column` (bytes from the line's start to the byte it stopped
/// before: `serde_json::de::read::SliceRead::position_of_index`).
fn offset(text: &str, line: usize, column: usize) -> usize {
    let start = match line {
        0 | 1 => 0,
        n => text.match_indices('\n').nth(n - 2).map_or(text.len(), |(i, _)| i + 1),
    };
    start.saturating_add(column).min(text.len())
}

/// The path, as `serde_path_to_error` writes it, of the field a data error (`message`, serde's words) at `line` and
/// `column` of `text` is about; "" for the whole file. Never panics: text it cannot follow ends the walk there.
pub(super) fn path_at(text: &str, line: usize, column: usize, message: &str) -> String {
    let end = offset(text, line, column);
    let bytes = text.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut last = Last::Nothing;
    let mut i = 0;
    // The path of the innermost open container's current child; `upto` containers deep.
    let path =
        |stack: &[Open], upto: usize| -> Vec<Step> { stack[..upto].iter().filter_map(|o| o.step.clone()).collect() };
    // A value finished at the top of the stack (or at the root): count it in its container.
    fn finished(stack: &mut [Open], kind: Kind) {
        if let Some(top) = stack.last_mut() {
            top.children += 1;
            top.last = Some(kind);
            top.colon = false;
        }
    }
    // A value starts at the top of the stack: a list's element gets its index.
    fn starting(stack: &mut [Open]) {
        if let Some(top) = stack.last_mut() {
            if top.kind == Kind::Array {
                top.step = Some(Step::Index(top.children));
            }
        }
    }
    while i < end {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'{' | b'[' => {
                starting(&mut stack);
                let kind = if bytes[i] == b'{' { Kind::Object } else { Kind::Array };
                stack.push(Open { kind, step: None, colon: false, children: 0, last: None });
                last = Last::Opened;
                i += 1;
            }
            b'}' | b']' => {
                let Some(closed) = stack.pop() else { break };
                let last_child = closed.last.map(|kind| (closed.children - 1, kind));
                finished(&mut stack, closed.kind);
                last = Last::Value { kind: closed.kind, last_child };
                i += 1;
            }
            b':' => {
                if let Some(top) = stack.last_mut() {
                    top.colon = true;
                }
                last = Last::Colon;
                i += 1;
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    if top.kind == Kind::Array {
                        last = Last::Comma {
                            index: top.children.saturating_sub(1),
                            kind: top.last.unwrap_or(Kind::Scalar),
                        };
                    }
                }
                i += 1;
            }
            b'"' => {
                let Some((string, next)) = string_at(text, i) else { break };
                if next > end {
                    break;
                }
                match stack.last_mut() {
                    Some(top) if top.kind == Kind::Object && !top.colon => {
                        top.step = Some(Step::Key(string));
                        last = Last::Key;
                    }
                    _ => {
                        starting(&mut stack);
                        finished(&mut stack, Kind::Scalar);
                        last = Last::Value { kind: Kind::Scalar, last_child: None };
                    }
                }
                i = next;
            }
            _ => {
                // A number, `true`, `false` or `null`: up to the next delimiter.
                let next = bytes[i..]
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b']' | b':' | b' ' | b'\t' | b'\n' | b'\r' | b'"'))
                    .map_or(bytes.len(), |n| i + n.max(1));
                if next > end {
                    break;
                }
                starting(&mut stack);
                finished(&mut stack, Kind::Scalar);
                last = Last::Value { kind: Kind::Scalar, last_child: None };
                i = next;
            }
        }
    }
    let depth = stack.len();
    let steps = match last {
        Last::Nothing => Vec::new(),
        Last::Key if message.starts_with("duplicate field") || message.starts_with("unknown variant") => {
            path(&stack, depth.saturating_sub(1))
        }
        Last::Key | Last::Colon => path(&stack, depth),
        // Just inside a `{`: that object; just inside a `[`: its first element, refused at its `{` / `[`.
        Last::Opened => {
            let mut steps = path(&stack, depth);
            if stack.last().is_some_and(|top| top.kind == Kind::Array) {
                steps.push(Step::Index(0));
            }
            steps
        }
        // A scalar just read, or a container just closed: the value's own path (the container's current child).
        Last::Value { kind: Kind::Scalar, .. } | Last::Value { kind: Kind::Object, .. } => path(&stack, depth),
        // A list closed: an internally tagged element's error surfaces only here (its last element); a list of
        // values or lists has no error of its own that serde_json places after `]` but a struct read from a
        // list's `invalid length`.
        Last::Value { kind: Kind::Array, last_child } => {
            let mut steps = path(&stack, depth);
            if let Some((index, Kind::Object)) = last_child {
                steps.push(Step::Index(index));
            }
            steps
        }
        // After a list's `,`: an internally tagged element's error (the element before, an object), or the next
        // element refused at its `{` / `[` (when the one before was no object, or it would have been refused too).
        Last::Comma { index, kind } => {
            let mut steps = path(&stack, depth.saturating_sub(1));
            steps.push(Step::Index(if kind == Kind::Object { index } else { index + 1 }));
            steps
        }
    };
    write(&steps)
}

/// The JSON string starting at `at` (a `"`), unescaped, and the offset after its closing quote; `None` if the
/// text ends first or an escape is not JSON.
fn string_at(text: &str, at: usize) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = text[at + 1..].char_indices();
    while let Some((n, c)) = chars.next() {
        match c {
            '"' => return Some((out, at + 1 + n + 1)),
            '\\' => match chars.next()?.1 {
                'u' => {
                    let unit = |chars: &mut std::str::CharIndices| -> Option<u32> {
                        (0..4).try_fold(0, |acc, _| Some(acc * 16 + chars.next()?.1.to_digit(16)?))
                    };
                    let first = unit(&mut chars)?;
                    let code = if (0xD800..0xDC00).contains(&first) {
                        // A surrogate pair: `\uD83D\uDE00`.
                        if chars.next()?.1 != '\\' || chars.next()?.1 != 'u' {
                            return None;
                        }
                        let second = unit(&mut chars)?;
                        0x10000 + ((first - 0xD800) << 10) + (second.checked_sub(0xDC00)? & 0x3FF)
                    } else {
                        first
                    };
                    out.push(char::from_u32(code)?);
                }
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// `serde_path_to_error`'s form: keys joined by `.`, indices as `[n]` with no dot before them, `.` for the root.
fn write(steps: &[Step]) -> String {
    if steps.is_empty() {
        return ".".to_string();
    }
    let mut out = String::new();
    for (n, step) in steps.iter().enumerate() {
        match step {
            Step::Index(i) => out.push_str(&format!("[{i}]")),
            Step::Key(k) => {
                if n > 0 {
                    out.push('.');
                }
                out.push_str(k);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path of an error right before `mark` (removed from the text) on its line.
    fn at(marked: &str, message: &str) -> String {
        let i = marked.find('|').expect("a mark");
        let text = marked.replacen('|', "", 1);
        let line = 1 + marked[..i].matches('\n').count();
        let column = i - marked[..i].rfind('\n').map_or(0, |n| n + 1);
        path_at(&text, line, column, message)
    }

    #[test]
    fn a_wrong_value_is_named_by_its_keys_and_indices() {
        assert_eq!(
            at(r#"{"services": [{"name": "a"}, {"desired_count": "x"|}]}"#, "invalid type"),
            "services[1].desired_count"
        );
        assert_eq!(at("{\"a\": {\n  \"b\": [1, 2, 3|]}}", "invalid value"), "a.b[2]");
        // Refused at its `{`: the path of the value about to be read.
        assert_eq!(at(r#"{"a": |{"x": 1}}"#, "invalid type: map"), "a");
        assert_eq!(at(r#"{"a": [1, |[2]]}"#, "invalid type: sequence"), "a[1]");
        assert_eq!(at(r#"|5"#, "invalid type"), ".");
    }

    #[test]
    fn keys_and_structs() {
        assert_eq!(at(r#"{"a": {"bogus"|: 1}}"#, "unknown field `bogus`"), "a.bogus");
        assert_eq!(at(r#"{"a": {"b": 1, "b"|: 2}}"#, "duplicate field `b`"), "a");
        assert_eq!(at(r#"{"a": {"servce"|: "web"}}"#, "unknown variant `servce`"), "a");
        assert_eq!(at(r#"{"a": [{"b": 1}, {"c": 2}|]}"#, "missing field `b`"), "a[1]");
        // Escapes in keys are read: the path names the key as the file means it.
        assert_eq!(at(r#"{"n\u0061me\n\"": |{}}"#, "invalid type: map"), "name\n\"");
        assert_eq!(at(r#"{"\ud83d\ude00": [|{}]}"#, "invalid type: map"), "😀[0]");
    }

    #[test]
    fn an_internally_tagged_elements_error_names_the_element() {
        // serde_json places it once the list takes the error back: at the next element, or after the `]`.
        assert_eq!(
            at(r#"{"events": [{"type": "scale", "at_s": {}}, |{"type": "scale"}]}"#, "invalid type: map"),
            "events[0]"
        );
        assert_eq!(
            at(r#"{"events": [{"type": "scale"}, {"type": "scale", "x": 1}]|}"#, "unknown field `x`"),
            "events[1]"
        );
        // A list of numbers closed: the list itself (a struct read from a list, too short).
        assert_eq!(at(r#"{"deployment": [100]|}"#, "invalid length 1"), "deployment");
    }

    #[test]
    fn any_text_and_place_gives_a_path_without_panicking() {
        for text in ["", "\"", "\"\\u12", "{\"a\": \"\\ud800\"}", "}}]]", "[[[", "{\"é\": ñ, ", "nul"] {
            for (line, column) in [(0, 0), (1, 0), (1, 3), (1, 100), (9, 9), (usize::MAX, usize::MAX)] {
                let _ = path_at(text, line, column, "invalid type");
            }
        }
        assert_eq!(offset("ab\ncd\n", 2, 1), 4);
        assert_eq!(offset("ab\ncd\n", 7, 1), 6);
    }
}
