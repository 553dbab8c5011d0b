//! Every preset and the benchmark scenario keep the model's invariants after every single event: no bucket
//! above its burst or below zero, task counts conserved, every task in exactly one state, service bookkeeping exact.

use crate::common;

use fleetplan_engine::{benchmarks, presets};

#[test]
fn every_preset_keeps_the_invariants() {
    for preset in presets::all() {
        let scenario = common::scaled_down(preset);
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
