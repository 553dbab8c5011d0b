//! Deployments (`docs/model.md` §3): a new deployment becomes primary and the scheduler rolls tasks over within
//! the deployment bounds (`minimumHealthyPercent` / `maximumPercent`); the circuit breaker fails a deployment
//! whose tasks keep failing and, with rollback, makes the last completed deployment primary again.

use super::Simulation;
use crate::defaults as d;
use crate::ids::ServiceId;
use crate::narrow;
pub(in crate::sim) use crate::output::Rollout;
use crate::output::TraceWhat;
use crate::task::{Health, Owner, StopReason};

pub(in crate::sim) struct Deployment {
    pub(in crate::sim) task_def: usize,
    pub(in crate::sim) rollout: Rollout,
    pub(in crate::sim) failures: u32,
    /// Whether one of its tasks has reached RUNNING: the circuit breaker's stage 2 (see
    /// [`Simulation::count_deployment_failure`]).
    pub(in crate::sim) reached_running: bool,
}

impl Deployment {
    pub(in crate::sim) fn new(task_def: usize) -> Deployment {
        Deployment { task_def, rollout: Rollout::InProgress, failures: 0, reached_running: false }
    }
}

/// Whether the circuit breaker counts a task of the deployment that stopped for `reason`, given the deployment's
/// stage. ECS Developer Guide, "How the Amazon ECS deployment circuit breaker detects failures": "Stage 1 - The
/// scheduler monitors the tasks to see if they transition into the RUNNING state. [...] Failure - There are
/// consecutive tasks that did not transition to the RUNNING state and the deployment might transition to the FAILED
/// state." "Stage 2 - The deployment enters this stage when there is at least one task in the RUNNING state. [...]
/// Failure - The tasks that are replaced because of health check failures have reached the failure threshold."
/// So stage 1 counts tasks stopped before RUNNING (failed to start, or never placed), stage 2 health-check failures
/// only; a task that crashes after RUNNING counts in neither. (Before a task of the deployment is RUNNING every
/// failure is consecutive, so "consecutive" needs no counter of its own.)
pub(super) fn breaker_counts(reached_running: bool, reason: StopReason) -> bool {
    if reached_running {
        reason == StopReason::HealthCheckFailed
    } else {
        matches!(reason, StopReason::StartFailed | StopReason::NoCapacity)
    }
}

/// The deployment rounding rules of `docs/model.md` §3: (minimum healthy tasks, maximum running tasks).
pub(super) fn deployment_bounds(desired: u32, minimum_healthy_percent: u32, maximum_percent: u32) -> (u32, u32) {
    let desired = u64::from(desired);
    let min_healthy = (desired * u64::from(minimum_healthy_percent)).div_ceil(100);
    let max_running = desired * u64::from(maximum_percent) / 100;
    (narrow::u32_of_u64(min_healthy), narrow::u32_of_u64(max_running))
}

/// The circuit breaker's failure threshold: clamp(ceil(0.5 x desired), min, 200).
pub(super) fn circuit_breaker_threshold(desired: u32, min: u32) -> u32 {
    desired.div_ceil(2).clamp(min, d::CIRCUIT_BREAKER_MAX.max(min))
}

impl Simulation {
    /// A timed deployment of a new task definition revision: it becomes primary at once.
    pub(in crate::sim) fn deploy(&mut self, service: ServiceId, task_def: usize) {
        let rt = &mut self.services.list[service.index()];
        rt.deployments.push(Deployment::new(task_def));
        rt.rolled_back = false;
        let deployment = narrow::u32_of(rt.deployments.len() - 1);
        let name = self.scenario.services[service.index()].name.clone();
        let revision = self.scenario.task_defs[task_def].name.clone();
        self.record(TraceWhat::Deployment { service: name, status: format!("started ({revision})") });
        self.services.list[service.index()].steady_at = None;
        self.set_primary(service, deployment);
    }

    /// A task of the service's `deployment` stopped for `reason` (a failure): the circuit breaker counts it if its
    /// stage does (see [`breaker_counts`]) and fails the deployment at the threshold.
    pub(super) fn count_deployment_failure(&mut self, s: ServiceId, deployment: u32, reason: StopReason) {
        let Some(rollback) = self.scenario.services[s.index()].circuit_breaker else { return };
        let min = self.scenario.limits.circuit_breaker_min;
        let rt = &mut self.services.list[s.index()];
        if deployment != rt.primary || rt.deployments[deployment as usize].rollout != Rollout::InProgress {
            return;
        }
        let entry = &mut rt.deployments[deployment as usize];
        if !breaker_counts(entry.reached_running, reason) {
            return;
        }
        entry.failures += 1;
        if entry.failures < circuit_breaker_threshold(rt.desired, min) {
            return;
        }
        entry.rollout = Rollout::Failed;
        let name = self.scenario.services[s.index()].name.clone();
        self.record(TraceWhat::Deployment { service: name.clone(), status: "FAILED (circuit breaker)".into() });
        let rt = &mut self.services.list[s.index()];
        if let (true, Some(good)) = (rollback, rt.last_good) {
            rt.deployments[good as usize].rollout = Rollout::InProgress;
            rt.rolled_back = true;
            self.set_primary(s, good);
            self.record(TraceWhat::Deployment { service: name, status: "rolling back".into() });
        }
    }

    /// Makes `deployment` the primary one and recounts the primary counters from the active tasks.
    fn set_primary(&mut self, s: ServiceId, deployment: u32) {
        let rt = &mut self.services.list[s.index()];
        rt.primary = deployment;
        rt.backoff_level = 0;
        rt.backoff_until = self.now;
        let (mut active, mut healthy) = (0, 0);
        for &id in &rt.active {
            let task = &self.tasks[id];
            if matches!(task.owner, Owner::Service { deployment: d, .. } if d == deployment) {
                active += 1;
                healthy += u32::from(task.health == Health::Healthy);
            }
        }
        rt.primary_active = active;
        rt.healthy_primary = healthy;
        self.update_steady(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_rounding_examples_of_the_domain() {
        // desired 4 at 50% min healthy: 2 old tasks may stop first.
        assert_eq!(deployment_bounds(4, 50, 200).0, 2);
        // desired 2 at 75%: ceil(1.5) = 2, so none can stop first.
        assert_eq!(deployment_bounds(2, 75, 200).0, 2);
        // desired 4 at 200% max: 8 may run, so 4 new tasks start first.
        assert_eq!(deployment_bounds(4, 100, 200).1, 8);
        // both at 100%: minimum = maximum = desired, no room to start or stop.
        assert_eq!(deployment_bounds(4, 100, 100), (4, 4));
        // floor for the maximum: desired 3 at 150% = 4.5 -> 4.
        assert_eq!(deployment_bounds(3, 100, 150).1, 4);
    }

    #[test]
    fn circuit_breaker_thresholds() {
        assert_eq!(circuit_breaker_threshold(1000, 10), 200);
        assert_eq!(circuit_breaker_threshold(100, 10), 50);
        assert_eq!(circuit_breaker_threshold(4, 10), 10);
        assert_eq!(circuit_breaker_threshold(4, 3), 3);
        assert_eq!(circuit_breaker_threshold(7, 3), 4);
    }
}

#[cfg(test)]
mod step_tests {
    use crate::sim::{testing, Event};
    use crate::task::Owner;

    #[test]
    fn a_deployment_becomes_primary_and_the_next_cycle_starts_its_tasks() {
        let events = r#""events": [{ "type": "deploy", "at_s": 300, "service": "web" }]"#;
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 2"#, events));
        sim.step_through(|e| matches!(e, Event::Timed { .. }));
        let rt = sim.services.iter().next().expect("service");
        assert_eq!((rt.deployments.len(), rt.primary, rt.primary_active), (2, 1, 0));
        assert_eq!(rt.steady_at, None);
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        // maximumPercent 200: room for 2 new tasks beside the 2 old ones.
        let new = sim
            .tasks
            .all()
            .iter()
            .filter(|t| t.owner == Owner::Service { service: crate::ids::ServiceId::new(0), deployment: 1 })
            .count();
        assert_eq!(new, 2);
    }

    /// Start failures count toward the threshold (at least 10 in the 2022 profile); at the threshold the
    /// deployment fails and, without rollback, nothing launches any more.
    #[test]
    fn the_circuit_breaker_fails_a_deployment_at_its_threshold() {
        let mut sim = testing::checked(testing::breaker_without_rollback(testing::START_FAILS));
        for failures in 0..10u32 {
            let rt = sim.services.iter().next().expect("service");
            assert_eq!(rt.deployments[0].failures, failures);
            assert_eq!(rt.deployments[0].rollout, super::Rollout::InProgress);
            // One event at a time until the next failure is counted.
            while sim.services.iter().next().expect("service").deployments[0].failures == failures {
                sim.step_through(|_| true);
            }
        }
        let rt = sim.services.iter().next().expect("service");
        assert_eq!(rt.deployments[0].rollout, super::Rollout::Failed);
        assert_eq!(rt.deployment_status().to_string(), "FAILED");
        let launched = sim.tasks.len();
        sim.step_until(sim.now.plus_ms(600_000));
        assert_eq!(sim.tasks.len(), launched, "no launches after the breaker tripped");
    }

    /// Stage 2 counts health-check failures only: a revision whose tasks all reach RUNNING and then crash keeps
    /// being replaced, and the breaker (threshold 10) never fails it.
    #[test]
    fn crashes_after_running_do_not_trip_the_circuit_breaker() {
        let task_def = r#", "failure": { "crash_after_s": 5, "crash_probability": 1.0 }"#;
        let mut sim = testing::checked(testing::breaker_without_rollback(task_def));
        sim.step_until(sim.now.plus_ms(1_800_000));
        let rt = sim.services.iter().next().expect("service");
        assert!(rt.failures >= 20, "the tasks keep crashing ({} failures)", rt.failures);
        assert!(rt.deployments[0].reached_running);
        assert_eq!((rt.deployments[0].failures, rt.deployments[0].rollout), (0, super::Rollout::InProgress));
    }

    /// Once a task of the deployment is RUNNING, the tasks replaced for failing their health checks count.
    #[test]
    fn health_check_failures_count_in_stage_two() {
        let task_def = r#", "health_check": { "interval_s": 5, "retries": 2 },
                          "failure": { "health_check_failure_probability": 1.0 }"#;
        let mut sim = testing::checked(testing::breaker_without_rollback(task_def));
        sim.step_until(sim.now.plus_ms(1_800_000));
        let rt = sim.services.iter().next().expect("service");
        assert_eq!((rt.deployments[0].failures, rt.deployments[0].rollout), (10, super::Rollout::Failed));
    }

    #[test]
    fn each_stage_counts_its_own_failures() {
        use super::breaker_counts;
        use crate::task::StopReason::*;
        assert!(breaker_counts(false, StartFailed) && breaker_counts(false, NoCapacity));
        assert!(!breaker_counts(false, Crashed));
        assert!(breaker_counts(true, HealthCheckFailed));
        assert!(
            !breaker_counts(true, StartFailed) && !breaker_counts(true, NoCapacity) && !breaker_counts(true, Crashed)
        );
    }
}
