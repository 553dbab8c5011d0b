//! Every preset and the benchmark scenario keep the model's invariants after every single event: no bucket
//! above its burst or below zero, task counts conserved, every task in exactly one state, service bookkeeping exact.

use crate::common;

use fleetplan_engine::{benchmarks, presets};

/// The O(tasks) check after every event is affordable up to a few thousand tasks; bigger presets run scaled down.
const FULL_SIZE_LIMIT: u64 = 10_000;

#[test]
fn every_preset_keeps_the_invariants() {
    for preset in presets::all() {
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
        let scenario = fleetplan_engine::Scenario::from_spec(spec).unwrap();
        let sim = common::run_checked(scenario, 3);
        assert!(sim.events_processed() > 0, "{} processed no events", preset.id);
    }
}

#[test]
fn the_benchmark_scenario_keeps_the_invariants() {
    let mut scenario = benchmarks::scenario("bench-large").unwrap();
    // A quarter of the size keeps the O(tasks) check after every event affordable.
    for service in &mut scenario.services {
        service.desired = 250;
    }
    common::run_checked(scenario, 11);
}
