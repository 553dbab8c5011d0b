//! Helpers for the simulation's unit tests: small scenarios built from JSON fragments, a simulation that checks
//! its invariants after every event, stepping to a chosen event, and a look at the event queue.

use crate::ids::{InstanceId, TaskId};
use std::cmp::Reverse;

use super::{Event, RunOptions, Simulation};
use crate::scenario::Scenario;
use crate::time::SimTime;

/// `{defaults}` with the fields of `fragment` (a list of JSON fields, `"a": 1, "b": 2`, may start with a comma)
/// set over them.
pub(super) fn object(defaults: &str, fragment: &str) -> serde_json::Value {
    let mut base: serde_json::Value = serde_json::from_str(&format!("{{{defaults}}}")).expect("defaults");
    let fragment = fragment.trim().trim_start_matches(',');
    let over: serde_json::Value = serde_json::from_str(&format!("{{{fragment}}}")).expect("fragment");
    for (k, v) in over.as_object().expect("object") {
        base[k] = v.clone();
    }
    base
}

/// A scenario with one task definition (`web`, 256 CPU / 512 MiB) and one service (`web`, desired 1, on
/// Fargate), each fragment merged over its object's defaults; `top` over the scenario's top-level fields.
pub(super) fn fargate(task_def: &str, service: &str, top: &str) -> Scenario {
    fargate_scenario(task_def, Some(service), top)
}

/// Like [`fargate`] without the service (`top` brings the RunTask workloads).
pub(super) fn without_service(task_def: &str, top: &str) -> Scenario {
    fargate_scenario(task_def, None, top)
}

fn fargate_scenario(task_def: &str, service: Option<&str>, top: &str) -> Scenario {
    let mut json = object(r#""version": 1, "name": "unit", "horizon_s": 3600"#, top);
    json["task_definitions"] =
        serde_json::json!([object(r#""name": "web", "cpu": 256, "memory": 512, "image_mb": 50"#, task_def)]);
    if let Some(service) = service {
        json["services"] =
            serde_json::json!([object(r#""name": "web", "task_definition": "web", "desired_count": 1"#, service)]);
    }
    Scenario::from_json(&json.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// Like [`fargate`], with one Auto Scaling group provider (`asg`, m5.large, max 1) the service uses.
pub(super) fn ec2(provider: &str, task_def: &str, service: &str, top: &str) -> Scenario {
    let mut json = object(r#""version": 1, "name": "unit", "horizon_s": 3600"#, top);
    json["capacity_providers"] =
        serde_json::json!([object(r#""name": "asg", "instance_types": ["m5.large"], "max_size": 1"#, provider)]);
    json["task_definitions"] =
        serde_json::json!([object(r#""name": "web", "cpu": 256, "memory": 512, "image_mb": 50"#, task_def)]);
    json["services"] = serde_json::json!([object(
        r#""name": "web", "task_definition": "web", "desired_count": 1,
           "capacity_provider_strategy": [{ "capacity_provider": "asg", "weight": 1 }]"#,
        service
    )]);
    Scenario::from_json(&json.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// A task definition fragment for [`fargate`]: every task fails to start.
pub(super) const START_FAILS: &str = r#", "failure": { "start_failure_probability": 1.0 }"#;

/// Like [`fargate`], the service at 4 tasks with the deployment circuit breaker on and no rollback.
pub(super) fn breaker_without_rollback(task_def: &str) -> Scenario {
    let service = r#", "desired_count": 4, "deployment": { "circuit_breaker": { "enable": true, "rollback": false } }"#;
    fargate(task_def, service, "")
}

/// A simulation (seed 1) that checks its invariants after every event.
pub(super) fn checked(scenario: Scenario) -> Simulation {
    Simulation::with_options(scenario, 1, RunOptions { trace: true, check_invariants: true, keep_finished_tasks: true })
}

impl Simulation {
    /// The events waiting, in the order they will run.
    pub(super) fn queued(&self) -> Vec<(SimTime, Event)> {
        let mut queued: Vec<_> = self.queue.iter().map(|Reverse(q)| (q.time, q.sequence, q.event)).collect();
        queued.sort_by_key(|&(time, sequence, _)| (time, sequence));
        queued.into_iter().map(|(time, _, event)| (time, event)).collect()
    }

    /// Runs events up to and including the first one `wanted` picks; panics if none comes before the horizon.
    pub(super) fn step_through(&mut self, wanted: impl Fn(&Event) -> bool) -> Event {
        loop {
            let Reverse(next) = self.queue.peek().expect("an event is queued");
            let event = next.event;
            assert!(self.step(), "the run ended before the event came");
            self.assert_invariants();
            if wanted(&event) {
                return event;
            }
        }
    }

    /// Fails the test on an invariant broken so far.
    pub(super) fn assert_invariants(&self) {
        if let Some(problem) = self.invariant_error() {
            panic!("invariant broken: {problem}");
        }
        self.check_invariants().unwrap_or_else(|problem| panic!("invariant broken: {problem}"));
    }
}

/// Task `n`, for tests that name tasks by number.
pub(super) const fn t(n: u32) -> TaskId {
    TaskId::new(n)
}

/// Instance `n`.
pub(super) const fn i(n: u32) -> InstanceId {
    InstanceId::new(n)
}
