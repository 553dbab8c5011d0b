//! YAML CloudFormation templates into the same JSON values a JSON template gives: the short-form tags (`!Ref x`,
//! `!GetAtt a.b`, `!Sub`, `!If`, ...) become their long forms (`{"Ref": "x"}`, `{"Fn::GetAtt": ["a", "b"]}`, ...).
//!
//! The events come from `saphyr-parser` (pure Rust, YAML 1.2); this module builds the value with an explicit stack
//! (no recursion), at most [`MAX_DEPTH`] levels deep. Aliases are refused rather than expanded, so a document's
//! value is never larger than its text; a stream of several documents is refused too.

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted (serde_json's own limit for JSON text).
pub const MAX_DEPTH: usize = 128;

/// The intrinsic functions with a short form ("Intrinsic function reference", CloudFormation User Guide), besides
/// `!Ref` and `!Condition`, which have no `Fn::` prefix.
const FUNCTIONS: &[&str] = &[
    "Base64",
    "Cidr",
    "FindInMap",
    "ForEach",
    "GetAZs",
    "ImportValue",
    "Join",
    "Length",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
];

enum Frame {
    Seq(Vec<Value>, Option<Tag>),
    Map(Map<String, Value>, Option<String>, Option<Tag>),
}

/// A plain scalar's value under the YAML 1.2 core schema (JSON's types; other text stays text).
fn plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let numeric = text.bytes().any(|b| b.is_ascii_digit())
        && text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if numeric {
        if let Ok(n) = text.parse::<i64>() {
            return Value::Number(n.into());
        }
        if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

fn describe(tag: &Tag) -> String {
    format!("{}{}", tag.handle, tag.suffix)
}

/// Applies a tag to a value: a CloudFormation short form, or a core-schema type.
fn tagged(value: Value, tag: Option<Tag>, raw: Option<&str>) -> Result<Value, String> {
    let Some(tag) = tag else { return Ok(value) };
    if tag.is_yaml_core_schema() {
        return match (tag.suffix.as_str(), raw) {
            ("str", Some(text)) => Ok(Value::String(text.to_string())),
            ("int" | "float" | "bool" | "null", Some(text)) => Ok(plain(text)),
            ("map" | "seq", None) => Ok(value),
            _ => Err(format!("the tag `{}` is not read", describe(&tag))),
        };
    }
    if tag.handle != "!" {
        return Err(format!("the tag `{}` is not a CloudFormation function", describe(&tag)));
    }
    let name = tag.suffix.as_str();
    let key = match name {
        "Ref" | "Condition" => name.to_string(),
        "GetAtt" => {
            // `!GetAtt Resource.Attribute` is `Fn::GetAtt: [Resource, Attribute]`.
            let value = match value {
                Value::String(s) => match s.split_once('.') {
                    Some((resource, attribute)) => Value::Array(vec![resource.into(), attribute.into()]),
                    None => Value::String(s),
                },
                other => other,
            };
            return Ok(Value::Object(Map::from_iter([("Fn::GetAtt".to_string(), value)])));
        }
        _ if FUNCTIONS.contains(&name) => format!("Fn::{name}"),
        _ => return Err(format!("`!{name}` is not a CloudFormation function")),
    };
    Ok(Value::Object(Map::from_iter([(key, value)])))
}

/// Parses one YAML document into a JSON value; the error says where.
pub fn to_json(text: &str) -> Result<Value, String> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| format!("not valid YAML: {e}"))?;
        let at = || format!("line {} column {}", span.start.line(), span.start.col() + 1);
        let value = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(format!("a second YAML document at {}: give one template per file", at()));
                }
                continue;
            }
            Event::Alias(_) => return Err(format!("a YAML alias at {}: aliases are not read", at())),
            Event::Scalar(text, style, _, tag) => {
                let value = if style == ScalarStyle::Plain && tag.is_none() {
                    plain(&text)
                } else {
                    Value::String(text.to_string())
                };
                tagged(value, tag.map(|t| t.into_owned()), Some(&text)).map_err(|e| format!("{e} (at {})", at()))?
            }
            Event::SequenceStart(_, tag) | Event::MappingStart(_, tag) if stack.len() >= MAX_DEPTH => {
                let _ = tag;
                return Err(format!("nested deeper than {MAX_DEPTH} levels at {}", at()));
            }
            Event::SequenceStart(_, tag) => {
                stack.push(Frame::Seq(Vec::new(), tag.map(|t| t.into_owned())));
                continue;
            }
            Event::MappingStart(_, tag) => {
                stack.push(Frame::Map(Map::new(), None, tag.map(|t| t.into_owned())));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(items, tag)) => {
                    tagged(Value::Array(items), tag, None).map_err(|e| format!("{e} (at {})", at()))?
                }
                Some(Frame::Map(map, _, tag)) => {
                    tagged(Value::Object(map), tag, None).map_err(|e| format!("{e} (at {})", at()))?
                }
                None => return Err(format!("unbalanced YAML at {}", at())),
            },
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => continue,
        };
        match stack.last_mut() {
            None => root = Some(value),
            Some(Frame::Seq(items, _)) => items.push(value),
            Some(Frame::Map(map, key, _)) => match key.take() {
                Some(k) => {
                    map.insert(k, value);
                }
                None => match value {
                    Value::String(s) => *key = Some(s),
                    Value::Number(n) => *key = Some(n.to_string()),
                    Value::Bool(b) => *key = Some(b.to_string()),
                    _ => return Err(format!("a mapping key at {} is not text", at())),
                },
            },
        }
    }
    Ok(root.unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_forms_become_long_forms() {
        let text = "A: !Ref Env\nB: !GetAtt Group.Arn\nC: !Sub '${Env}-web'\nD: !If [IsProd, 10, 2]\nE: !Join\n  - '-'\n  - [a, !Ref Env]\nF: !Select [0, !GetAZs '']\nG: !Equals [!Ref Env, prod]\n";
        assert_eq!(
            to_json(text).unwrap(),
            json!({
                "A": {"Ref": "Env"},
                "B": {"Fn::GetAtt": ["Group", "Arn"]},
                "C": {"Fn::Sub": "${Env}-web"},
                "D": {"Fn::If": ["IsProd", 10, 2]},
                "E": {"Fn::Join": ["-", ["a", {"Ref": "Env"}]]},
                "F": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
                "G": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            })
        );
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let text = "a: 12\nb: '12'\nc: 1.5\nd: true\ne: ~\nf: 2010-09-09\ng: $Latest\nh: !!str 7\ni: |\n  line\n";
        assert_eq!(
            to_json(text).unwrap(),
            json!({"a": 12, "b": "12", "c": 1.5, "d": true, "e": null, "f": "2010-09-09", "g": "$Latest", "h": "7", "i": "line\n"})
        );
    }

    #[test]
    fn what_is_not_read_is_an_error_with_its_place() {
        assert!(to_json("a: &x 1\nb: *x\n").unwrap_err().contains("alias"));
        assert!(to_json("a: !Bogus 1\n").unwrap_err().contains("`!Bogus` is not a CloudFormation function"));
        assert!(to_json("a: 1\n---\nb: 2\n").unwrap_err().contains("second YAML document"));
        assert!(to_json("a: [1, 2\n").unwrap_err().starts_with("not valid YAML"));
        assert!(to_json("? [1]\n: 2\n").unwrap_err().contains("not text"));
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(to_json(&deep).unwrap_err().contains("deeper"));
    }
}
