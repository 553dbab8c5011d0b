//! Reading AWS documents field by field: every key an importer reads is marked used, every key it knows but does not
//! model is listed with why, and whatever is left at the end is listed as unknown. Nothing is dropped silently.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{ImportError, Note, NoteKind};

/// What one document's importers say: notes and errors, each naming the document.
pub(super) struct Ctx {
    pub source: String,
    pub notes: Vec<Note>,
    pub errors: Vec<ImportError>,
}

impl Ctx {
    pub fn new(source: &str) -> Ctx {
        Ctx { source: source.to_string(), notes: Vec::new(), errors: Vec::new() }
    }

    pub fn note(&mut self, path: &str, kind: NoteKind, message: impl Into<String>) {
        self.notes.push(Note { source: self.source.clone(), path: path.to_string(), kind, message: message.into() });
    }

    pub fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(ImportError { source: self.source.clone(), path: path.to_string(), message: message.into() });
    }
}

/// Joins a path and a key: `taskDefinition` + `cpu` = `taskDefinition.cpu`.
pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Whether a document key names a field: equal, or equal but for the case of the first letter (the ECS API writes
/// `containerDefinitions`, CloudFormation `ContainerDefinitions`).
fn same_key(doc_key: &str, key: &str) -> bool {
    if doc_key == key {
        return true;
    }
    let mut a = doc_key.chars();
    let mut b = key.chars();
    match (a.next(), b.next()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(&y) && a.as_str() == b.as_str(),
        _ => false,
    }
}

/// A JSON object being read.
pub(super) struct Obj<'a> {
    map: &'a Map<String, Value>,
    pub path: String,
    used: BTreeSet<&'a str>,
}

impl<'a> Obj<'a> {
    pub fn new(map: &'a Map<String, Value>, path: String) -> Obj<'a> {
        Obj { map, path, used: BTreeSet::new() }
    }

    /// The object at `value`, or an error naming the path.
    pub fn of(value: &'a Value, path: String, ctx: &mut Ctx) -> Option<Obj<'a>> {
        match value {
            Value::Object(map) => Some(Obj::new(map, path)),
            _ => {
                ctx.error(&path, format!("expected an object, got {}", kind_of(value)));
                None
            }
        }
    }

    /// The field `key` (or one of its spellings), marked used. `null` counts as absent (CloudFormation values this
    /// importer could not resolve become `null`, and are reported where they were found).
    pub fn get(&mut self, key: &str) -> Option<(&'a Value, String)> {
        let (k, v) = self.map.iter().find(|(k, _)| same_key(k, key))?;
        self.used.insert(k.as_str());
        if v.is_null() {
            None
        } else {
            Some((v, join(&self.path, k)))
        }
    }

    /// The first of several names the same field has in different APIs (`placementStrategy`, `PlacementStrategies`).
    pub fn get_any(&mut self, keys: &[&str]) -> Option<(&'a Value, String)> {
        let mut found = None;
        for key in keys {
            let got = self.get(key);
            if found.is_none() {
                found = got;
            }
        }
        found
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.keys().any(|k| same_key(k, key))
    }

    /// Lists the keys present among `keys` as `kind` with `why`.
    pub fn known(&mut self, keys: &[&str], kind: NoteKind, why: &str, ctx: &mut Ctx) {
        for key in keys {
            if let Some((k, _)) = self.map.iter().find(|(k, _)| same_key(k, key)) {
                if self.used.insert(k.as_str()) {
                    ctx.note(&join(&self.path, k), kind, why);
                }
            }
        }
    }

    /// Lists every key not read or listed yet as `kind` with `why` (the rest of something not imported).
    pub fn rest(self, kind: NoteKind, why: &str, ctx: &mut Ctx) {
        for k in self.map.keys() {
            if !self.used.contains(k.as_str()) {
                ctx.note(&join(&self.path, k), kind, why);
            }
        }
    }

    /// Lists every key not read or listed yet as unknown.
    pub fn finish(self, ctx: &mut Ctx) {
        for k in self.map.keys() {
            if !self.used.contains(k.as_str()) {
                ctx.note(&join(&self.path, k), NoteKind::Unknown, "not a field this importer knows; ignored");
            }
        }
    }

    // ---- typed fields: absent is `None`; a value of the wrong type or out of range is an error naming the path ----

    pub fn str(&mut self, key: &str, ctx: &mut Ctx) -> Option<(&'a str, String)> {
        let (v, path) = self.get(key)?;
        match v {
            Value::String(s) => Some((s.as_str(), path)),
            _ => {
                ctx.error(&path, format!("expected a string, got {}", kind_of(v)));
                None
            }
        }
    }

    pub fn u32(&mut self, key: &str, ctx: &mut Ctx) -> Option<(u32, String)> {
        let (v, path) = self.get(key)?;
        u32_of(v, &path, ctx).map(|n| (n, path))
    }

    pub fn bool(&mut self, key: &str, ctx: &mut Ctx) -> Option<(bool, String)> {
        let (v, path) = self.get(key)?;
        bool_of(v, &path, ctx).map(|b| (b, path))
    }

    pub fn array(&mut self, key: &str, ctx: &mut Ctx) -> Option<(&'a Vec<Value>, String)> {
        let (v, path) = self.get(key)?;
        array_of(v, &path, ctx).map(|a| (a, path))
    }

    pub fn obj(&mut self, key: &str, ctx: &mut Ctx) -> Option<Obj<'a>> {
        let (v, path) = self.get(key)?;
        Obj::of(v, path, ctx)
    }

    /// `ENABLED` / `DISABLED` (the ECS API's switches); CloudFormation sometimes writes booleans instead.
    pub fn enabled(&mut self, key: &str, ctx: &mut Ctx) -> Option<(bool, String)> {
        let (v, path) = self.get(key)?;
        match v {
            Value::String(s) if s == "ENABLED" => Some((true, path)),
            Value::String(s) if s == "DISABLED" => Some((false, path)),
            Value::Bool(b) => Some((*b, path)),
            _ => {
                ctx.error(&path, format!("expected ENABLED or DISABLED, got {}", short(v)));
                None
            }
        }
    }
}

pub(super) fn array_of<'a>(v: &'a Value, path: &str, ctx: &mut Ctx) -> Option<&'a Vec<Value>> {
    match v {
        Value::Array(a) => Some(a),
        _ => {
            ctx.error(path, format!("expected a list, got {}", kind_of(v)));
            None
        }
    }
}

/// A whole number 0..=u32::MAX, as a JSON number or a string of digits (CloudFormation and the task definition's
/// `cpu` / `memory` are strings).
pub(super) fn u32_of(v: &Value, path: &str, ctx: &mut Ctx) -> Option<u32> {
    let parsed = match v {
        Value::Number(n) => {
            n.as_u64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0).map(|_| u64::MAX))
        }
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    match parsed.and_then(|n| u32::try_from(n).ok()) {
        Some(n) => Some(n),
        None => {
            ctx.error(path, format!("expected a whole number from 0 to {}, got {}", u32::MAX, short(v)));
            None
        }
    }
}

pub(super) fn bool_of(v: &Value, path: &str, ctx: &mut Ctx) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => {
            ctx.error(path, format!("expected true or false, got {}", short(v)));
            None
        }
    }
}

pub(super) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A value for a message, cut to 60 characters.
pub(super) fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}
