//! Same scenario and seed, same run: twice in a row here, and against a recorded fingerprint that the wasm build
//! must also match (`wasm_determinism.rs` reads the same file in headless Chromium).
//!
//! After an intended model change, re-record with `FLEETPLAN_BLESS=1 cargo test -p fleetplan-engine --test it determinism`.

use crate::common;

use fleetplan_engine::{presets, SimTime, Simulation};
use serde_json::Value;

const FIXTURE: &str = include_str!("../../../../tests/fixtures/determinism.json");

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

/// The page moves the simulation in bounded slices (`step_until_limited`) and seeks by re-running: stopping and
/// resuming anywhere must not change the run. The clock may only move to a slice's target when no event before it
/// is left, so a run stepped in slices of a few events ends in the same state as one run straight through.
#[test]
fn stepping_in_bounded_slices_is_the_same_run() {
    for id in ["fargate-5050-1000", "ec2-spot-draining", "ec2-cold-1000"] {
        let scenario = presets::get(id).unwrap().scenario().unwrap();
        let mut straight = Simulation::new(scenario.clone(), 3);
        straight.run_to_end();

        let mut sliced = Simulation::new(scenario, 3);
        let mut target = SimTime::ZERO;
        let mut slices = 0;
        while !sliced.is_finished() {
            target = target.plus_ms(7_000);
            while !sliced.step_until_limited(target, 5) {
                slices += 1;
            }
            let next = sliced.next_event_time();
            assert!(next.is_none_or(|t| t > target), "{id}: an event before {target} was left");
        }
        assert!(slices > 100, "{id}: the limit never cut a slice short");
        // The sliced run moved its clock to its last target; the summaries agree on everything that happened.
        let (a, b) = (straight.metrics(), sliced.metrics());
        assert_eq!(a.services, b.services, "{id}");
        assert_eq!((a.tasks_started, a.interruptions, a.events), (b.tasks_started, b.interruptions, b.events), "{id}");
    }
}
