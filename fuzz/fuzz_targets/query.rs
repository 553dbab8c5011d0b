//! Fuzz target: the cluster query language parser (`memberOf` placement constraints), then the parsed expression
//! evaluated against an instance whose every attribute has the value given after the first newline.
#![no_main]

use fleetplan_engine::query;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (expression, value) = text.split_once('\n').unwrap_or((text, "us-east-1a"));
    let Ok(parsed) = query::parse(expression) else { return };
    let _ = parsed.matches(|_| Some(value));
    let _ = parsed.matches(|_| None);
});
