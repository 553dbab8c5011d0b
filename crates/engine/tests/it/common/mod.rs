//! Helpers shared by the engine's integration tests.
#![allow(dead_code)]

use fleetplan_engine::output::digest;
use fleetplan_engine::{presets, RunOptions, Scenario, Simulation, Summary};

pub fn preset(id: &str) -> Scenario {
    presets::get(id).unwrap_or_else(|| panic!("preset {id}")).scenario().expect("preset is valid")
}

/// Runs with invariant checks after every event and fails the test on the first violation.
pub fn run_checked(scenario: Scenario, seed: u64) -> Simulation {
    let mut sim = Simulation::with_options(scenario, seed, RunOptions { trace: true, check_invariants: true });
    sim.run_to_end();
    if let Some(problem) = sim.invariant_error() {
        panic!("invariant broken: {problem}");
    }
    sim
}

pub fn scenario(json: &str) -> Scenario {
    Scenario::from_json(json).unwrap_or_else(|e| panic!("{e}"))
}

/// The summary as JSON and the trace digest: what must match across runs and platforms.
pub fn fingerprint(scenario: Scenario, seed: u64) -> (String, u64, Summary) {
    let mut sim = Simulation::new(scenario, seed);
    sim.run_to_end();
    let summary = sim.metrics();
    let json = serde_json::to_string(&summary).unwrap();
    let trace = digest(sim.trace().iter().map(|e| e.to_string()));
    (json, trace, summary)
}
