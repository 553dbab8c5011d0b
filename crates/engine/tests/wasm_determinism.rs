//! The wasm half of the determinism check: in headless Chromium, the engine must reproduce the fingerprints
//! recorded natively — every listed preset (`tests/fixtures/determinism.json`, checked natively by
//! `it/determinism.rs`) and 40 generated scenarios of every feature (`tests/fixtures/generated.json`, checked natively
//! by `it/generated.rs`): a differential test of native against wasm beyond the presets.
#![cfg(target_arch = "wasm32")]

use fleetplan_engine::output::digest;
use fleetplan_engine::{presets, Scenario, Simulation};
use serde_json::Value;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &str = include_str!("../../../tests/fixtures/determinism.json");
const GENERATED: &str = include_str!("../../../tests/fixtures/generated.json");

#[path = "generator/mod.rs"]
mod generator;

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

#[wasm_bindgen_test]
fn wasm_matches_native_on_generated_scenarios() {
    let recorded: Value = serde_json::from_str(GENERATED).unwrap();
    let cases = recorded["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let seed = case["seed"].as_u64().unwrap();
        let scenario = Scenario::from_json(&generator::generate(seed).to_string()).unwrap();
        let mut sim = Simulation::new(scenario, seed);
        sim.run_to_end();
        let summary = format!("{:016x}", digest(std::iter::once(serde_json::to_string(&sim.metrics()).unwrap())));
        let trace = format!("{:016x}", digest(sim.trace().iter().map(|e| e.to_string())));
        assert_eq!(case["summary_digest"].as_str(), Some(summary.as_str()), "generated {seed}: summary differs");
        assert_eq!(case["trace_digest"].as_str(), Some(trace.as_str()), "generated {seed}: trace differs");
    }
}

/// `float::sqrt` is wasm's `f64.sqrt` instruction; here `libm::sqrt` is libm's portable code. Both must give the same
/// bits (IEEE 754 rounds the square root correctly): special values, then a million bit patterns of every exponent.
#[wasm_bindgen_test]
fn wasm_sqrt_is_libms_bit_for_bit() {
    let same = |v: f64| {
        let (ours, libms) = (fleetplan_engine::float::sqrt(v), libm::sqrt(v));
        assert!(ours.to_bits() == libms.to_bits() || (ours.is_nan() && libms.is_nan()), "sqrt({v:e})");
    };
    for v in [0.0, -0.0, 1.0, 2.0, 4.0, 0.5, f64::MIN_POSITIVE, 5e-324, f64::MAX, f64::INFINITY, -1.0, f64::NAN] {
        same(v);
    }
    // xorshift64: any positive finite double, subnormals included.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for _ in 0..1_000_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let v = f64::from_bits(state >> 1);
        if v.is_finite() {
            same(v);
        }
    }
}
