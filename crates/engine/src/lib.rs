//! Fleetplan's simulation engine: a deterministic discrete-event model of how ECS services and RunTask calls
//! launch, run, lose and replace tasks on Fargate, Fargate Spot, EC2 Auto Scaling groups (On-Demand and Spot) and
//! ECS Anywhere hosts, under AWS's token-bucket rate limits.
//!
//! A pure library: values in (a validated [`Scenario`] and a seed), values out ([`Summary`], [`View`],
//! [`TimeSeries`], a trace). No IO, no clock, no printing; the web app and the CLI are thin shells over
//! [`Simulation`]'s stepping API:
//!
//! ```
//! use fleetplan_engine::{presets, Simulation};
//! let scenario = presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap();
//! let mut sim = Simulation::new(scenario, 7);
//! sim.run_to_end();
//! let summary = sim.metrics();
//! assert!(summary.completion_s.is_some());
//! ```
//!
//! The model is described in `docs/model.md`; every default number and its source is in [`defaults`].

// Integer narrowing goes through `narrow` (saturating), never a wrapping `as`.
#![deny(clippy::cast_possible_truncation)]

pub mod aws_import;
pub mod benchmarks;
pub mod bucket;
pub mod calibration;
pub mod compare;
pub mod defaults;
pub mod demand;
pub mod explain;
pub mod fargate;
pub mod fit;
pub mod float;
pub mod ids;
pub mod instance;
pub mod instance_types;
pub mod latency;
pub mod limited_by;
mod listed;
pub mod narrow;
pub mod output;
pub mod presets;
pub mod query;
pub mod queue;
pub mod rng;
pub mod scenario;
pub mod schedule;
pub mod share;
mod sim;
pub mod sort;
pub mod spec;
pub mod split;
pub mod strategy;
pub mod sweep;
pub mod task;
pub mod text;
pub mod time;
pub mod zone;

pub use instance::InstanceState;
pub use output::{Column, Limiter, Place, Summary, TaskView, TimeSeries, TraceEntry, View};
pub use scenario::{FieldError, Scenario, ScenarioError};
pub use sim::{CaptionKind, Instance, RunBudget, RunOptions, Simulation, StepCaption};
pub use time::SimTime;

/// Runs a scenario to the end and returns its summary: the one-call form of the stepping API.
pub fn run(scenario: Scenario, seed: u64) -> Summary {
    let mut sim = Simulation::with_options(
        scenario,
        seed,
        RunOptions { trace: false, check_invariants: false, keep_finished_tasks: false },
    );
    sim.run_to_end();
    sim.metrics()
}
