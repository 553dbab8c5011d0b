//! Helpers shared by the engine's integration tests.
#![allow(dead_code)]

use fleetplan_engine::output::digest;
use fleetplan_engine::{presets, RunOptions, Scenario, Simulation, Summary};

pub fn preset(id: &str) -> Scenario {
    presets::get(id).unwrap_or_else(|| panic!("preset {id}")).scenario().expect("preset is valid")
}

/// Runs with invariant checks after every event and fails the test on the first violation.
pub fn run_checked(scenario: Scenario, seed: u64) -> Simulation {
    let mut sim = Simulation::with_options(
        scenario,
        seed,
        RunOptions { trace: true, check_invariants: true, keep_finished_tasks: true },
    );
    sim.run_to_end();
    if let Some(problem) = sim.invariant_error() {
        panic!("invariant broken: {problem}");
    }
    sim
}

/// Presets above this many tasks run scaled down in the tests that run every preset (an O(tasks) check after
/// every event, sums that do not depend on the size).
pub const FULL_SIZE_LIMIT: u64 = 10_000;

/// A preset's scenario, with its services' desired counts and its groups' starting sizes divided alike when its
/// services add up to more than [`FULL_SIZE_LIMIT`] tasks.
pub fn scaled_down(preset: &presets::Preset) -> Scenario {
    let mut spec = preset.scenario().unwrap().spec;
    let total: u64 = spec.services.iter().map(|s| u64::from(s.desired_count)).sum();
    if total > FULL_SIZE_LIMIT {
        let scale = total.div_ceil(FULL_SIZE_LIMIT / 2) as u32;
        for service in &mut spec.services {
            service.desired_count = service.desired_count.div_ceil(scale);
        }
        for provider in &mut spec.capacity_providers {
            provider.desired_capacity = provider.desired_capacity.div_ceil(scale);
        }
    }
    // AWS Batch: the check recounts every job after every event, and a job is a few events, so large arrays run
    // with 1,000 children (dependencies between arrays keep equal sizes equal).
    if let Some(batch) = &mut spec.batch {
        for submission in &mut batch.submissions {
            if let Some(size) = &mut submission.array_size {
                *size = (*size).min(1_000);
            }
        }
    }
    Scenario::from_spec(spec).unwrap()
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
