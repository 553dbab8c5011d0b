//! Same scenario and seed, same run: twice in a row here, and against a recorded fingerprint that the wasm build
//! must also match (`wasm_determinism.rs` reads the same file in headless Chromium).
//!
//! After an intended model change, re-record with `FLEETPLAN_BLESS=1 cargo test -p fleetplan-engine --test determinism`.

mod common;

use serde_json::Value;

const FIXTURE: &str = include_str!("../../../tests/fixtures/determinism.json");

#[test]
fn same_seed_same_run_twice() {
    for id in ["fargate-spot-interruption", "fargate-5050-1000", "fargate-failing-deployment"] {
        let a = common::fingerprint(common::preset(id), 42);
        let b = common::fingerprint(common::preset(id), 42);
        assert_eq!(a.0, b.0, "{id}: summaries differ");
        assert_eq!(a.1, b.1, "{id}: traces differ");
    }
}

#[test]
fn different_seeds_differ() {
    let a = common::fingerprint(common::preset("fargate-ondemand-1000"), 1);
    let b = common::fingerprint(common::preset("fargate-ondemand-1000"), 2);
    assert_ne!(a.1, b.1);
}

#[test]
fn matches_the_recorded_fingerprints() {
    let mut recorded: Value = serde_json::from_str(FIXTURE).expect("fixture is JSON");
    let bless = std::env::var_os("FLEETPLAN_BLESS").is_some();
    for case in recorded["cases"].as_array_mut().expect("cases") {
        let id = case["preset"].as_str().unwrap().to_string();
        let seed = case["seed"].as_u64().unwrap();
        let (summary, trace, _) = common::fingerprint(common::preset(&id), seed);
        let trace = format!("{trace:016x}");
        if bless {
            case["summary"] = serde_json::from_str(&summary).unwrap();
            case["trace_digest"] = Value::String(trace);
        } else {
            assert_eq!(serde_json::from_str::<Value>(&summary).unwrap(), case["summary"], "{id}: summary changed");
            assert_eq!(case["trace_digest"].as_str(), Some(trace.as_str()), "{id}: trace changed");
        }
    }
    if bless {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/determinism.json");
        std::fs::write(path, serde_json::to_string_pretty(&recorded).unwrap() + "\n").unwrap();
    }
}
