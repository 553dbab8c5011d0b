//! The wasm half of the determinism check: in headless Chromium, the engine must reproduce the fingerprints
//! recorded natively (`tests/fixtures/determinism.json`, checked natively by `determinism.rs`).
#![cfg(target_arch = "wasm32")]

use fleetplan_engine::output::digest;
use fleetplan_engine::{presets, Simulation};
use serde_json::Value;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &str = include_str!("../../../tests/fixtures/determinism.json");

#[wasm_bindgen_test]
fn wasm_matches_native_fingerprints() {
    let recorded: Value = serde_json::from_str(FIXTURE).unwrap();
    let cases = recorded["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let id = case["preset"].as_str().unwrap();
        let seed = case["seed"].as_u64().unwrap();
        let scenario = presets::get(id).unwrap().scenario().unwrap();
        let mut sim = Simulation::new(scenario, seed);
        sim.run_to_end();
        let summary: Value = serde_json::to_value(sim.metrics()).unwrap();
        let trace = format!("{:016x}", digest(sim.trace().iter().map(|e| e.to_string())));
        assert_eq!(summary, case["summary"], "{id}: summary differs from native");
        assert_eq!(case["trace_digest"].as_str(), Some(trace.as_str()), "{id}: trace differs from native");
    }
}
