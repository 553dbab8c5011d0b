//! Format errors in plain words. The engine reads scenario JSON with serde, whose messages are written for
//! programmers (`invalid type: string "abc", expected u32 at line 1 column 552`); the engine already names the
//! field (`services[0].desired_count`), so the page only has to say what the field takes, in words:
//! "must be a whole number from 0 to 4294967295; got "abc"". Validation errors are the engine's own sentences and
//! pass through unchanged.

use fleetplan_engine::scenario::{FieldError, ScenarioError};

use crate::i18n::{mark, tr, tr_dyn, trf};

/// Every problem of a refused scenario, format errors put in plain words.
pub fn problems(error: &ScenarioError) -> Vec<FieldError> {
    match error {
        ScenarioError::Format(e) => vec![FieldError { field: e.field.clone(), message: message(&e.message) }],
        ScenarioError::Invalid(list) => {
            list.iter().map(|e| FieldError { field: e.field.clone(), message: validation_words(&e.message) }).collect()
        }
    }
}

/// The validation sentences the engine writes most, as templates (first match wins: the longer shapes first).
/// A message of another shape stays in English; the field path always does.
const VALIDATION: &[&str] = &[
    mark("must not be empty"),
    mark("must be between {min} and {max} seconds, got {value}"),
    mark("must be between {min} and {max} USD per hour, got {value}"),
    mark("must be between {min} and {max} percent, got {value}"),
    mark("must be between {min} and {max} minutes, got {value}"),
    mark("must be between {min} and {max}, got {value}"),
    mark("must be between {min} and {max}"),
    mark("must be above {min} and at most {max}, got {value}"),
    mark("must be at most {max}, got {value}"),
    mark("at most {max} characters (ECS's limit for names), got {value}"),
    mark("at most {max} characters"),
    mark("at most {max}, got {value}"),
    mark("no capacity provider named `{name}`"),
    mark("no service named `{name}`"),
    mark("no task definition named `{name}`; defined: {list}"),
    mark("must be plain text without control characters (line breaks are fine)"),
];

/// An engine validation message in the page's language: the first template of [`VALIDATION`] it has the shape
/// of, translated and filled with the values it had; any other message as it is.
pub fn validation_words(message: &str) -> String {
    VALIDATION
        .iter()
        .find_map(|template| {
            let values = match_template(template, message)?;
            let args: Vec<(&str, &dyn std::fmt::Display)> =
                values.iter().map(|(name, value)| (*name, value as &dyn std::fmt::Display)).collect();
            Some(crate::i18n::fill(&tr_dyn(template), &args))
        })
        .unwrap_or_else(|| message.to_string())
}

/// The `{name}` values that make `template` read `text`, if it does (each value non-empty, up to the next literal
/// part's first occurrence).
fn match_template<'a>(template: &'a str, text: &'a str) -> Option<Vec<(&'a str, &'a str)>> {
    let mut values = Vec::new();
    let (mut template, mut text) = (template, text);
    loop {
        let Some(open) = template.find('{') else { return (template == text).then_some(values) };
        text = text.strip_prefix(&template[..open])?;
        let close = open + template[open..].find('}')?;
        let name = &template[open + 1..close];
        template = &template[close + 1..];
        let end = match template.find('{') {
            _ if template.is_empty() => text.len(),
            Some(next) => text.find(&template[..next])?,
            None => text.rfind(template)?,
        };
        if end == 0 {
            return None;
        }
        values.push((name, &text[..end]));
        text = &text[end..];
    }
}

/// One serde message in plain words; a message it does not recognise is returned as it is (without the
/// position, which means nothing to someone editing a form).
pub fn message(serde: &str) -> String {
    let (text, position) = split_position(serde);
    if let Some(rest) = text.strip_prefix("invalid type: ").or_else(|| text.strip_prefix("invalid value: ")) {
        if let Some((got, expected)) = rest.split_once(", expected ") {
            return trf("{takes}; got {got}", &[("takes", &takes(expected)), ("got", &got_words(got))]);
        }
    }
    if let Some(rest) = text.strip_prefix("unknown field ") {
        let (field, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let field = field.trim_matches('`');
        return match expected.strip_prefix("one of ") {
            Some(list) => trf(
                "`{field}` is not a setting here; the settings here are: {list}",
                &[("field", &field), ("list", &unquote_list(list))],
            ),
            None if !expected.is_empty() => trf(
                "`{field}` is not a setting here; the setting here is {list}",
                &[("field", &field), ("list", &unquote_list(expected))],
            ),
            None => trf("`{field}` is not a setting here", &[("field", &field)]),
        };
    }
    if let Some(rest) = text.strip_prefix("missing field ") {
        return trf("{field} is required here and missing", &[("field", &rest.trim())]);
    }
    if let Some(rest) = text.strip_prefix("duplicate field ") {
        return trf("{field} is given twice; keep one", &[("field", &rest.trim())]);
    }
    if let Some(rest) = text.strip_prefix("unknown variant ") {
        let (value, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let allowed = expected.strip_prefix("one of ").unwrap_or(expected);
        return trf(
            "must be one of {list}; got {value}",
            &[("list", &unquote_list(allowed)), ("value", &value.trim_matches('`'))],
        );
    }
    match position {
        // A JSON syntax error (`expected value`, `trailing comma`, `EOF while parsing a string`): where it is.
        Some((line, column)) if is_syntax(text) => trf(
            "the JSON text is broken at line {line}, column {column}: {what}",
            &[("line", &line), ("column", &column), ("what", &syntax_words(text))],
        ),
        _ => text.to_string(),
    }
}

/// "... at line 1 column 552" split off the message.
fn split_position(message: &str) -> (&str, Option<(u64, u64)>) {
    if let Some((text, at)) = message.rsplit_once(" at line ") {
        if let Some((line, column)) = at.split_once(" column ") {
            if let (Ok(line), Ok(column)) = (line.parse(), column.parse()) {
                return (text, Some((line, column)));
            }
        }
    }
    (message, None)
}

/// What a field of the type serde expected takes, in words (the ranges written out: formatting 128-bit numbers
/// would add kilobytes to the page's wasm).
fn takes(expected: &str) -> String {
    let words = match expected {
        "u8" => tr("must be a whole number from 0 to 255"),
        "u16" => tr("must be a whole number from 0 to 65535"),
        "u32" => tr("must be a whole number from 0 to 4294967295"),
        "u64" | "usize" => tr("must be a whole number from 0 to 18446744073709551615"),
        "i32" => tr("must be a whole number from -2147483648 to 2147483647"),
        "i64" | "isize" => tr("must be a whole number from -9223372036854775808 to 9223372036854775807"),
        "f32" | "f64" => tr("must be a number (such as 12 or 0.5)"),
        "a string" | "a borrowed string" | "string" => tr("must be text (in quotes in JSON)"),
        "a boolean" | "bool" => tr("must be true or false"),
        "a sequence" => tr("must be a list ([ … ] in JSON)"),
        e if e == "a map" || e == "map" || e.starts_with("struct ") || e.starts_with("internally tagged enum") => {
            tr("must be a group of settings ({ … } in JSON)")
        }
        e => return trf("must be {what}", &[("what", &e.trim_matches('`'))]),
    };
    words
}

/// serde's description of what it found: `string "abc"` → `"abc"`, `integer \`-1\`` → `-1`, `map` → `a group of
/// settings`.
fn got_words(got: &str) -> String {
    let value = |prefix: &str| got.strip_prefix(prefix).map(|v| v.trim_matches('`').to_string());
    if let Some(text) = value("string ") {
        return text;
    }
    for prefix in ["integer ", "floating point ", "boolean ", "character "] {
        if let Some(v) = value(prefix) {
            return v;
        }
    }
    match got {
        "map" => tr("a group of settings"),
        "sequence" => tr("a list"),
        "null" => tr("null (nothing)"),
        other => other.to_string(),
    }
}

/// "`a`, `b`" → "a, b".
fn unquote_list(list: &str) -> String {
    list.replace('`', "")
}

fn is_syntax(text: &str) -> bool {
    [
        "expected",
        "EOF while parsing",
        "trailing",
        "key must be a string",
        "control character",
        "invalid escape",
        "invalid number",
        "number out of range",
        "lone leading surrogate",
        "invalid unicode",
    ]
    .iter()
    .any(|p| text.starts_with(p))
}

fn syntax_words(text: &str) -> String {
    match text {
        "EOF while parsing a value"
        | "EOF while parsing an object"
        | "EOF while parsing a list"
        | "EOF while parsing a string" => tr("it ends before a value, bracket or quote is closed"),
        "trailing comma" => tr("a comma before a closing bracket has nothing after it"),
        "expected value" => tr("a value (number, text in quotes, true/false, [ ] or { }) was expected here"),
        "key must be a string" => tr("setting names must be in double quotes"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_messages_are_matched_by_shape() {
        assert_eq!(
            match_template("must be between {min} and {max}, got {value}", "must be between 1 and 10000, got 0"),
            Some(vec![("min", "1"), ("max", "10000"), ("value", "0")])
        );
        assert_eq!(
            match_template(
                "must be between {min} and {max}, got {value}",
                "must be between 1 and 600 seconds, got 601"
            ),
            Some(vec![("min", "1"), ("max", "600 seconds"), ("value", "601")])
        );
        assert_eq!(
            match_template("must be between {min} and {max}", "must be between 1 and 10, got 0").map(|v| v.len()),
            Some(2)
        );
        assert_eq!(match_template("must not be empty", "must not be empty"), Some(vec![]));
        assert_eq!(match_template("no service named `{name}`", "no service named ``"), None);
        assert_eq!(match_template("at most {max} characters", "at most 255 characters, got 300"), None);
        // In English the message reads as the engine wrote it, the seconds shape before the plain one.
        assert_eq!(
            validation_words("must be between 1 and 600 seconds, got 601"),
            "must be between 1 and 600 seconds, got 601"
        );
        assert_eq!(validation_words("an odd message"), "an odd message");
    }
    use fleetplan_engine::{presets, Scenario};
    use serde_json::Value;

    fn base() -> Value {
        serde_json::to_value(presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap().spec).unwrap()
    }

    /// The engine's error for an edited scenario, as the page shows it.
    fn shown(edit: impl FnOnce(&mut Value)) -> FieldError {
        let mut v = base();
        edit(&mut v);
        let error = Scenario::from_json(&v.to_string()).unwrap_err();
        problems(&error).remove(0)
    }

    #[test]
    fn a_word_in_a_count_names_the_field_and_the_range() {
        let e = shown(|v| v["services"][0]["desired_count"] = "abc".into());
        assert_eq!(e.field, "services[0].desired_count");
        assert_eq!(e.message, "must be a whole number from 0 to 4294967295; got \"abc\"");
        let e = shown(|v| v["services"][0]["desired_count"] = (-1).into());
        assert_eq!(e.message, "must be a whole number from 0 to 4294967295; got -1");
        let e = shown(|v| v["services"][0]["desired_count"] = serde_json::json!(1.5));
        assert_eq!(e.message, "must be a whole number from 0 to 4294967295; got 1.5");
    }

    #[test]
    fn types_other_than_counts() {
        assert_eq!(
            message("invalid type: string \"x\", expected f64 at line 3 column 9"),
            "must be a number (such as 12 or 0.5); got \"x\""
        );
        assert_eq!(message("invalid type: integer `5`, expected a string"), "must be text (in quotes in JSON); got 5");
        assert_eq!(message("invalid type: string \"yes\", expected a boolean"), "must be true or false; got \"yes\"");
        assert_eq!(
            message("invalid type: map, expected a sequence"),
            "must be a list ([ … ] in JSON); got a group of settings"
        );
        assert_eq!(
            message("invalid type: null, expected u16"),
            "must be a whole number from 0 to 65535; got null (nothing)"
        );
    }

    #[test]
    fn names_and_choices() {
        let e = shown(|v| v["services"][0]["desierd_count"] = 3.into());
        assert!(
            e.message.starts_with("`desierd_count` is not a setting here; the settings here are: "),
            "{}",
            e.message
        );
        assert!(e.message.contains("desired_count"), "{}", e.message);
        assert!(!e.message.contains('`') || e.message.matches('`').count() == 2, "{}", e.message);
        let e = shown(|v| {
            v["services"][0].as_object_mut().unwrap().remove("name");
        });
        assert_eq!(e.field, "services[0]");
        assert_eq!(e.message, "`name` is required here and missing");
        let e = shown(|v| v["task_definitions"][0]["network_mode"] = "nat".into());
        assert_eq!(e.field, "task_definitions[0].network_mode");
        assert_eq!(e.message, "must be one of awsvpc, bridge, host; got nat");
    }

    #[test]
    fn broken_json_says_where() {
        let e = Scenario::from_json("{ \"version\": 1, }").unwrap_err();
        let shown = problems(&e).remove(0);
        assert_eq!(shown.field, "scenario");
        assert!(shown.message.starts_with("the JSON text is broken at line 1, column "), "{}", shown.message);
        assert_eq!(
            message("EOF while parsing an object at line 4 column 0"),
            "the JSON text is broken at line 4, column 0: it ends before a value, bracket or quote is closed"
        );
    }

    #[test]
    fn validation_errors_and_unknown_messages_pass_through() {
        let e = shown(|v| v["task_definitions"][0]["cpu"] = 300.into());
        assert_eq!(e.field, "task_definitions[0].cpu");
        assert!(e.message.contains("Fargate does not support cpu 300"), "{}", e.message);
        assert_eq!(message("must be between 0 and 10 seconds"), "must be between 0 and 10 seconds");
    }
}
