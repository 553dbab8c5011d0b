//! Fuzz target: scenario JSON through the one reader and the validator, then a run under a small budget, the model's
//! invariants checked at its end, and every output the CLI and the page build from it. (Checking them after every
//! event makes an input 10 times slower; the generated-scenario campaign, `tests/it/generated.rs`, does that.)
//!
//! Any panic, overflow (built with overflow checks), invariant violation, timeout or memory blow-up is a finding.
#![no_main]

use fleetplan_engine::{RunBudget, RunOptions, Scenario, Simulation};
use libfuzzer_sys::fuzz_target;

/// Far below the product's budget so that one input takes milliseconds; what a run does per event is the same.
const BUDGET: RunBudget = RunBudget { max_events: 5_000, max_tasks: 2_000 };

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(scenario) = Scenario::from_json(text) else { return };
    let mut sim = Simulation::with_options(
        scenario,
        7,
        RunOptions { trace: true, check_invariants: false, keep_finished_tasks: false },
    );
    sim.set_budget(BUDGET);
    sim.run_to_end();
    if let Err(problem) = sim.check_invariants() {
        panic!("invariant violated at the end of the run: {problem}");
    }
    let summary = sim.metrics();
    let _ = serde_json::to_string(&summary).expect("a summary serialises");
    let _ = sim.view();
    let _ = sim.series();
    let _ = sim.trace().len();
});
