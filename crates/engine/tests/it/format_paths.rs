//! Format errors name the same field as before `serde_path_to_error` left the engine (stop 22, for the page's wasm
//! size): `parse_spec` reads the path back from serde_json's line and column (`scenario/format_path.rs`); here the
//! old reader, kept as a test dependency, refuses thousands of broken copies of every preset and of generated
//! scenarios, compact and pretty-printed, and both must give the same field and message.

use fleetplan_engine::scenario::parse_spec;
use fleetplan_engine::spec::ScenarioSpec;
use fleetplan_engine::{presets, FieldError, ScenarioError};
use serde_json::{json, Value};

use super::generated::generator::generate;

/// The reader as it was: serde_path_to_error around serde_json (`scenario::parse_spec` until stop 22).
fn old_parse(text: &str) -> Result<ScenarioSpec, FieldError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let spec: ScenarioSpec = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let syntax =
            matches!(err.inner().classify(), serde_json::error::Category::Syntax | serde_json::error::Category::Eof);
        let field = if syntax || path == "." || path.is_empty() { "scenario".to_string() } else { path };
        FieldError { field, message: err.into_inner().to_string() }
    })?;
    de.end().map_err(|err| FieldError { field: "scenario".into(), message: err.to_string() })?;
    Ok(spec)
}

/// What replaces a value: each wrong for most fields in its own way.
fn replacements() -> Vec<Value> {
    vec![
        json!("x"),
        json!(1.5),
        json!(-1),
        json!(4_294_967_296u64),
        json!({}),
        json!([]),
        json!(null),
        json!(true),
        json!([1]),
        json!({ "type": "bogus" }),
        json!({ "bogus_key": 1 }),
        json!(["x", { "a": 1 }]),
    ]
}

/// Every value's JSON pointer in `v`.
fn pointers(v: &Value, here: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                pointers(child, format!("{here}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(here);
}

/// Broken copies of `base`: each value replaced (a few replacements per value, in rotation), each object given an
/// unknown key, each key removed, renamed and given twice (text: a JSON object cannot hold a key twice).
fn broken(base: &Value) -> Vec<String> {
    let mut all = Vec::new();
    pointers(base, String::new(), &mut all);
    let replacements = replacements();
    let mut out = Vec::new();
    // Compact or pretty-printed, alternately.
    let text = |v: &Value, n: usize| if n % 2 == 0 { v.to_string() } else { serde_json::to_string_pretty(v).unwrap() };
    for (n, pointer) in all.iter().enumerate() {
        for k in 0..3 {
            let mut v = base.clone();
            *v.pointer_mut(pointer).unwrap() = replacements[(n * 3 + k) % replacements.len()].clone();
            out.push(text(&v, n + k));
        }
        let target = base.pointer(pointer).unwrap();
        if let Value::Object(map) = target {
            let mut v = base.clone();
            v.pointer_mut(pointer).unwrap().as_object_mut().unwrap().insert("bogus_key".into(), json!(1));
            out.push(text(&v, n));
            for (m, key) in map.keys().enumerate() {
                let mut v = base.clone();
                let object = v.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
                let value = object.remove(key).unwrap();
                out.push(text(&v, n + m));
                object_insert(&mut v, pointer, &format!("{key}_x"), value.clone());
                out.push(text(&v, n + m + 1));
                // Twice: a marker key written as the key again.
                let mut v = base.clone();
                object_insert(&mut v, pointer, "__twice__", json!(0));
                let compact = v.to_string().replacen("\"__twice__\":0", &format!("{}:{}", json!(key), value), 1);
                out.push(compact);
            }
        }
    }
    out
}

fn object_insert(v: &mut Value, pointer: &str, key: &str, value: Value) {
    v.pointer_mut(pointer).unwrap().as_object_mut().unwrap().insert(key.into(), value);
}

/// Both readers on `text`: the same outcome, or the difference.
fn compare(text: &str) -> Result<(), String> {
    let old = old_parse(text);
    let new = parse_spec(text);
    match (old, new) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        (Err(a), Err(ScenarioError::Format(b))) if a == b => Ok(()),
        (a, b) => Err(format!("{text}\n  old: {:?}\n  new: {:?}", a.err(), b.err())),
    }
}

#[test]
fn format_errors_name_the_same_field_as_serde_path_to_error() {
    let mut bases: Vec<Value> = presets::all().iter().map(|p| serde_json::from_str(p.json).unwrap()).collect();
    bases.extend((0..6).map(generate));
    let (mut checked, mut refused, mut differ) = (0, 0, Vec::new());
    for base in &bases {
        for text in broken(base) {
            checked += 1;
            refused += usize::from(parse_spec(&text).is_err());
            if let Err(problem) = compare(&text) {
                differ.push(problem);
            }
        }
    }
    assert!(refused > checked / 2, "most copies are broken: {refused} of {checked}");
    let shown: Vec<&String> = differ.iter().take(5).collect();
    assert!(differ.is_empty(), "{} of {checked} differ, e.g.:\n{shown:#?}", differ.len());
}

#[test]
fn hand_written_errors_name_their_field() {
    let base = presets::all()[0].json;
    for text in [
        "{ not json",
        "",
        "5",
        "[]",
        "{}",
        "{\"version\": 1}  x",
        "\u{feff}{\"version\": \"1\"}",
        "{\"version\": 1, \"na\\u006de\": 5}",
        "{\"version\": 1, \"name\": \"\\ud83d\\ude00\", \"bogus\\n\": 1}",
        base,
    ] {
        compare(text).unwrap();
    }
    let text = base.replacen("{", "{\"events\": [{\"type\": \"scale\", \"at_s\": {}}, {\"type\": \"scale\"}],", 1);
    compare(&text).unwrap();
    let text = base.replacen("{", "{\"events\": [{\"type\": \"scale\", \"at_s\": 1, \"bogus\": 2}],", 1);
    compare(&text).unwrap();
}
