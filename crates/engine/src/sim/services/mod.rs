//! The services part (`docs/model.md` §3): each service's runtime state — desired count, deployments, the list
//! of its active tasks with counters of those in the primary deployment, backoff, launch-rate bucket, and what
//! kept it waiting — and the notifications its tasks send it.
//!
//! [`Services`] owns the state: outside this folder it is read through `&ServiceRt` and changed only through the
//! methods here. Each service's counters are updated on every task event, so "is the service steady?" is O(1).
//! The mechanisms beside it: `scheduler` (workflow cycles: stops, launches) and `deployment` (deployments, the
//! circuit breaker, the deployment bounds).

mod band;
mod deployment;
mod scheduler;

use super::{Event, Simulation};
use crate::bucket::TokenBucket;
use crate::ids::{ServiceId, TaskId};
use crate::output::{DeploymentStatus, Limiter, TraceWhat};
use crate::scenario::Provider;
use crate::task::{Health, Owner, StopReason};
use crate::time::SimTime;

use deployment::{Deployment, Rollout};

impl Limiter {
    fn launch_bucket(provider: Provider) -> Limiter {
        match provider {
            Provider::FargateSpot => Limiter::FargateSpotBucket,
            _ => Limiter::FargateOnDemandBucket,
        }
    }
}
/// A service's runtime state.
pub(super) struct ServiceRt {
    pub(super) desired: u32,
    /// Every deployment so far; `primary` indexes the current one.
    deployments: Vec<Deployment>,
    primary: u32,
    /// The last deployment that completed, for circuit breaker rollbacks.
    last_good: Option<u32>,
    rolled_back: bool,
    launch_bucket: TokenBucket,
    cycle_pending: bool,
    last_cycle: Option<SimTime>,
    /// Tasks whose desired status is RUNNING, in any deployment.
    pub(super) active: Vec<TaskId>,
    primary_active: u32,
    pub(super) healthy_primary: u32,
    backoff_level: u32,
    backoff_until: SimTime,
    /// Active tasks on draining instances (to be replaced).
    on_draining: u32,
    /// Tasks of this service waiting for Fargate Spot capacity.
    spot_waiting: u32,
    /// Active tasks of this service waiting in PROVISIONING for EC2 capacity (what the workflow cycle tallies
    /// against cluster auto scaling), so the cycle need not scan its tasks for them.
    ec2_waiting: u32,
    pub(super) steady_at: Option<SimTime>,
    /// When the service was first steady: the end of its first rollout (`docs/model.md` §6.2); with its desired
    /// count then.
    pub(super) first_steady: Option<(SimTime, u32)>,
    /// How many times the service became steady again after its first rollout (after a deployment, a scaling, or
    /// replacing interrupted or failed tasks).
    pub(super) later_rollouts: u32,
    /// After the first rollout: the lowest count of its tasks in RUNNING while below the desired count, and when
    /// it was first that low (`docs/model.md` §6.2, "dip").
    pub(super) lowest_running: Option<(u32, SimTime, u32)>,
    /// What stopped the last workflow cycle's launches (`None`: it launched all it wanted).
    last_blocked: Option<Limiter>,
    /// How many tasks the last workflow cycle launched.
    last_launched: u32,
    /// Waiting task-milliseconds per [`Limiter`].
    pub(super) waiting_ms: [u64; Limiter::COUNT],
    /// What held it back over time (`band.rs`, `docs/model.md` §15.2).
    pub(super) band: crate::limited_by::Band,
    pub(super) failures: u64,
    pub(super) replacements: u64,
    pub(super) interruptions: u64,
    /// Healthy tasks not stopping, of any deployment: those the load balancer sends traffic to (`sim/demand.rs`).
    serving: u32,
    /// Tasks that reached RUNNING and are not stopping, of any deployment: those ECS's utilisation metrics average.
    running: u32,
}

impl ServiceRt {
    fn tally(&mut self, limiter: Limiter, tasks: u64, ms: u64) {
        let slot = &mut self.waiting_ms[limiter as usize];
        *slot = slot.saturating_add(tasks.saturating_mul(ms));
    }

    fn breaker_stopped(&self) -> bool {
        self.deployments[self.primary as usize].rollout == Rollout::Failed
    }

    pub(super) fn deployment_status(&self) -> DeploymentStatus {
        DeploymentStatus { rollout: self.deployments[self.primary as usize].rollout, rolled_back: self.rolled_back }
    }
}

/// Every service's runtime state, indexed like the scenario's services.
#[derive(Default)]
pub(super) struct Services {
    list: Vec<ServiceRt>,
    /// Whether someone reads the serving and running counts after each event (`sim/demand.rs`): then the services
    /// whose counts moved are listed in `counts_moved`, so the reader visits those instead of every service.
    track_counts: bool,
    counts_moved: Vec<ServiceId>,
    /// Services whose first rollout is steady.
    first_steady: usize,
    /// The sum of every service's desired count, kept as it changes ([`set_desired`](Self::set_desired)): the
    /// series samples it every interval, and summing 100 services each time cost more than the rest of a sample.
    desired_total: u64,
}

/// What `explain` reads of a service (`sim/explain.rs`): the numbers the workflow cycle decides with.
pub(in crate::sim) struct ServiceFacts {
    pub(in crate::sim) desired: u32,
    pub(in crate::sim) active: u32,
    pub(in crate::sim) healthy_primary: u32,
    pub(in crate::sim) running: u32,
    /// Primary tasks not yet launched (the desired count less the primary tasks not being replaced).
    pub(in crate::sim) missing: u32,
    /// How many more tasks maximumPercent lets be active.
    pub(in crate::sim) room: u32,
    pub(in crate::sim) max_running: u32,
    pub(in crate::sim) breaker: Option<(u32, u32)>,
    pub(in crate::sim) backoff: Option<(SimTime, u32)>,
    pub(in crate::sim) launch_bucket: TokenBucket,
    pub(in crate::sim) last_blocked: Option<Limiter>,
    pub(in crate::sim) last_launched: u32,
    pub(in crate::sim) spot_waiting: u32,
    pub(in crate::sim) steady: bool,
    pub(in crate::sim) task_def: usize,
}

impl Services {
    /// The service's numbers for `explain` at `now`; `tasks` to count primary tasks on draining instances,
    /// `breaker_min` the circuit breaker's minimum threshold.
    pub(in crate::sim) fn facts(
        &self,
        s: ServiceId,
        service: &crate::scenario::Service,
        tasks: &super::tasks::Tasks,
        breaker_min: u32,
        now: SimTime,
    ) -> ServiceFacts {
        let rt = &self.list[s.index()];
        let (_, max_running) =
            deployment::deployment_bounds(rt.desired, service.minimum_healthy_percent, service.maximum_percent);
        // As `launch_for_service` counts them: primary tasks on draining instances are being replaced (none to
        // look for when no active task is on a draining instance).
        let primary_draining = if rt.on_draining == 0 {
            0
        } else {
            rt.active
                .iter()
                .filter(|&&id| {
                    let t = &tasks[id];
                    t.on_draining && matches!(t.owner, Owner::Service { deployment, .. } if deployment == rt.primary)
                })
                .count()
        };
        let primary = &rt.deployments[rt.primary as usize];
        ServiceFacts {
            desired: rt.desired,
            active: crate::narrow::u32_of(rt.active.len()),
            healthy_primary: rt.healthy_primary,
            running: rt.running,
            missing: rt.desired.saturating_sub(rt.primary_active - crate::narrow::u32_of(primary_draining)),
            room: max_running.saturating_sub(crate::narrow::u32_of(rt.active.len())),
            max_running,
            breaker: rt
                .breaker_stopped()
                .then(|| (primary.failures, deployment::circuit_breaker_threshold(rt.desired, breaker_min))),
            backoff: (now < rt.backoff_until).then_some((rt.backoff_until, rt.backoff_level)),
            launch_bucket: rt.launch_bucket.clone(),
            last_blocked: rt.last_blocked,
            last_launched: rt.last_launched,
            spot_waiting: rt.spot_waiting,
            steady: rt.steady_at.is_some(),
            task_def: primary.task_def,
        }
    }

    /// The service's active tasks.
    pub(in crate::sim) fn active(&self, s: ServiceId) -> &[TaskId] {
        &self.list[s.index()].active
    }

    /// From now on, list the services whose serving or running count moves (see [`Services::take_counts_moved`]).
    pub(super) fn track_counts(&mut self) {
        self.track_counts = true;
    }

    /// The services whose serving or running count moved since the last call, in service order, each once.
    pub(super) fn take_counts_moved(&mut self) -> Vec<ServiceId> {
        let mut moved = std::mem::take(&mut self.counts_moved);
        moved.sort_unstable();
        moved.dedup();
        moved
    }

    fn counts_moved(&mut self, s: ServiceId) {
        if self.track_counts {
            self.counts_moved.push(s);
        }
    }

    /// The service's serving tasks: healthy and not stopping, of any deployment.
    pub(super) fn serving(&self, s: ServiceId) -> u32 {
        self.list[s.index()].serving
    }

    /// The service's tasks that reached RUNNING and are not stopping.
    pub(super) fn running(&self, s: ServiceId) -> u32 {
        self.list[s.index()].running
    }

    /// The service's desired count.
    pub(super) fn desired(&self, s: usize) -> u32 {
        self.list[s].desired
    }

    /// The service's dip so far: its lowest running count after its first rollout while below the desired count,
    /// and when.
    pub(super) fn lowest_running(&self, s: usize) -> Option<(u32, SimTime)> {
        self.list[s].lowest_running.map(|(running, at, _)| (running, at))
    }

    /// The level of the service's deployment launch-rate bucket at `now` (tokens), for the charts.
    pub(super) fn launch_bucket_level(&self, s: usize, now: SimTime) -> f64 {
        self.list[s].launch_bucket.level_at(now)
    }

    pub(super) fn iter(&self) -> std::slice::Iter<'_, ServiceRt> {
        self.list.iter()
    }

    /// Adds a service's runtime state (in service order, at the start of a run), counting its desired count.
    fn push(&mut self, rt: ServiceRt) {
        self.desired_total += u64::from(rt.desired);
        self.list.push(rt);
    }

    /// Sets a service's desired count, keeping the total.
    fn set_desired(&mut self, s: ServiceId, desired: u32) {
        let rt = &mut self.list[s.index()];
        self.desired_total = self.desired_total - u64::from(rt.desired) + u64::from(desired);
        rt.desired = desired;
    }

    /// Every service's desired count, summed.
    pub(super) fn desired_total(&self) -> u64 {
        self.desired_total
    }

    /// One of the service's tasks started (+1) or stopped (-1) waiting for Fargate Spot capacity.
    pub(super) fn spot_waiting_changed(&mut self, s: ServiceId, delta: i32) {
        let rt = &mut self.list[s.index()];
        rt.spot_waiting = rt.spot_waiting.saturating_add_signed(delta);
    }

    /// One of the service's tasks started (+1) or stopped (-1) waiting in PROVISIONING for EC2 capacity.
    pub(super) fn ec2_waiting_changed(&mut self, s: ServiceId, delta: i32) {
        let rt = &mut self.list[s.index()];
        rt.ec2_waiting = rt.ec2_waiting.saturating_add_signed(delta);
    }

    /// The service's count of tasks in RUNNING went down to `running` at `now`: kept when its first rollout is
    /// over, the count is below the desired count and lower than any such count before.
    pub(super) fn note_running_down(&mut self, s: ServiceId, running: u32, now: SimTime) {
        let rt = &mut self.list[s.index()];
        if rt.first_steady.is_some()
            && running < rt.desired
            && rt.lowest_running.is_none_or(|(low, _, _)| running < low)
        {
            rt.lowest_running = Some((running, now, rt.desired));
        }
    }

    /// One of the service's tasks got a Spot interruption warning.
    pub(super) fn count_interruption(&mut self, s: ServiceId) {
        self.list[s.index()].interruptions += 1;
    }

    /// Recounts each service's active list and its counters (primary, healthy, draining, Spot-waiting) from the
    /// tasks.
    pub(super) fn check(&self, tasks: &super::tasks::Tasks) -> Result<(), String> {
        let mut expected_active = vec![0usize; self.list.len()];
        for task in tasks.all() {
            if let (false, Owner::Service { service, .. }) = (task.stopping, task.owner) {
                expected_active[service.index()] += 1;
            }
        }
        let desired: u64 = self.list.iter().map(|rt| u64::from(rt.desired)).sum();
        if desired != self.desired_total {
            return Err(format!("desired counts sum to {desired}, kept total {}", self.desired_total));
        }
        for (s, rt) in self.list.iter().enumerate() {
            let (mut primary_active, mut healthy_primary, mut on_draining, mut spot_waiting) = (0, 0, 0, 0);
            let mut ec2_waiting = 0;
            let serving = rt.active.iter().filter(|&&id| tasks[id].health == Health::Healthy).count();
            let running = rt.active.iter().filter(|&&id| tasks[id].running_at.is_some()).count();
            if running != rt.running as usize {
                return Err(format!("service {s}: {} running counted, {running} running active", rt.running));
            }
            if serving != rt.serving as usize {
                return Err(format!("service {s}: {} serving counted, {serving} healthy active", rt.serving));
            }
            for (slot, &id) in rt.active.iter().enumerate() {
                let task = &tasks[id];
                if task.stopping || task.slot as usize != slot {
                    return Err(format!("service {s}: task {id} listed as active but stopping or misplaced"));
                }
                let Owner::Service { service, deployment } = task.owner else {
                    return Err(format!("service {s}: standalone task {id} in its active list"));
                };
                if service.index() != s {
                    return Err(format!("service {s}: task {id} belongs to service {service}"));
                }
                if deployment == rt.primary {
                    primary_active += 1;
                    healthy_primary += u32::from(task.health == Health::Healthy);
                }
                on_draining += u32::from(task.on_draining);
                spot_waiting += u32::from(task.provider == Provider::FargateSpot && task.awaiting_capacity);
                ec2_waiting += u32::from(!task.provider.is_fargate() && task.awaiting_capacity);
            }
            if expected_active[s] != rt.active.len() {
                return Err(format!(
                    "service {s}: {} active listed, {} actually active",
                    rt.active.len(),
                    expected_active[s]
                ));
            }
            if primary_active != rt.primary_active || healthy_primary != rt.healthy_primary {
                return Err(format!("service {s}: primary counters drifted"));
            }
            if on_draining != rt.on_draining || spot_waiting != rt.spot_waiting || ec2_waiting != rt.ec2_waiting {
                return Err(format!("service {s}: draining or Spot-waiting counters drifted"));
            }
        }
        Ok(())
    }
}

impl Simulation {
    /// Why the scheduler stops a task it replaces: its instance is being reclaimed (a Spot interruption notice) or
    /// terminated by its group (managed instance draining), its Fargate platform revision was retired, or it is of
    /// an older revision.
    pub(super) fn replaced_reason(&self, task: TaskId) -> StopReason {
        let t = &self.tasks[task];
        match t.instance {
            Some(i) if t.on_draining && self.fleet.instance(i).notice_at.is_some() => StopReason::SpotInterrupted,
            Some(_) if t.on_draining => StopReason::InstanceTerminated,
            _ if t.retiring => StopReason::TaskRetirement,
            _ => StopReason::Replaced,
        }
    }

    /// Makes sure a workflow cycle is coming, no sooner than one cycle after the last.
    fn poke_service(&mut self, s: ServiceId) {
        let rt = &mut self.services.list[s.index()];
        if rt.cycle_pending {
            return;
        }
        rt.cycle_pending = true;
        let at = match rt.last_cycle {
            Some(last) => last.plus_ms(self.scenario.latencies.cycle_ms).max(self.now),
            None => self.now,
        };
        self.schedule(at, Event::ServiceCycle { service: s });
    }

    /// One of the service's tasks is on an instance that started draining, or on a retired Fargate platform
    /// revision: it is to be replaced.
    pub(super) fn service_task_on_draining(&mut self, s: ServiceId) {
        self.services.list[s.index()].on_draining += 1;
        self.update_steady(s);
    }

    pub(super) fn service_task_running(&mut self, s: ServiceId, deployment: u32) {
        self.services.counts_moved(s);
        let rt = &mut self.services.list[s.index()];
        rt.running += 1;
        // A task that reaches RUNNING ends the exponential backoff (tasks that crash later do not trigger it).
        rt.backoff_level = 0;
        // ... and moves its deployment's circuit breaker to stage 2.
        rt.deployments[deployment as usize].reached_running = true;
    }

    pub(super) fn service_task_healthy(&mut self, s: ServiceId, deployment: u32) {
        self.services.list[s.index()].serving += 1;
        self.services.counts_moved(s);
        if deployment == self.services.list[s.index()].primary {
            self.services.list[s.index()].healthy_primary += 1;
        }
        self.update_steady(s);
    }

    pub(super) fn service_task_stopping(
        &mut self,
        s: ServiceId,
        task: TaskId,
        deployment: u32,
        was_healthy: bool,
        reason: StopReason,
    ) {
        let rt = &mut self.services.list[s.index()];
        let slot = self.tasks[task].slot as usize;
        rt.active.swap_remove(slot);
        if let Some(&moved) = rt.active.get(slot) {
            self.tasks.set_slot(moved, crate::narrow::u32_of(slot));
        }
        let moved = was_healthy || self.tasks[task].running_at.is_some();
        if was_healthy {
            rt.serving -= 1;
        }
        if self.tasks[task].running_at.is_some() {
            rt.running -= 1;
        }
        if deployment == rt.primary {
            rt.primary_active -= 1;
            if was_healthy {
                rt.healthy_primary -= 1;
            }
        }
        if self.tasks[task].on_draining {
            rt.on_draining -= 1;
        }
        if matches!(reason, StopReason::SpotInterrupted) || reason.is_failure() {
            rt.replacements += 1;
        }
        if reason.is_failure() {
            rt.failures += 1;
            self.count_deployment_failure(s, deployment, reason);
        }
        if reason == StopReason::StartFailed {
            self.back_off(s);
        }
        if moved {
            self.services.counts_moved(s);
        }
        self.update_steady(s);
    }

    /// Exponential backoff after a task failed to start or could not be placed for lack of resources: 10 s, 20 s,
    /// 40 s, ... up to 15 minutes (defaults).
    fn back_off(&mut self, s: ServiceId) {
        let latencies = &self.scenario.latencies;
        let rt = &mut self.services.list[s.index()];
        if self.now < rt.backoff_until {
            return;
        }
        let delay =
            latencies.backoff_initial_ms as f64 * libm::pow(latencies.backoff_factor, f64::from(rt.backoff_level));
        let delay = crate::narrow::trunc_u64(delay.min(latencies.backoff_max_ms as f64));
        rt.backoff_level += 1;
        rt.backoff_until = self.now.plus_ms(delay);
        let until = rt.backoff_until;
        let service = self.scenario.services[s.index()].name.clone();
        self.record(TraceWhat::Backoff { service, until });
    }

    /// Steady: exactly the desired number of active tasks, all of the primary deployment and healthy.
    fn update_steady(&mut self, s: ServiceId) {
        let rt = &mut self.services.list[s.index()];
        let steady = rt.healthy_primary == rt.desired
            && rt.on_draining == 0
            && rt.primary_active == rt.desired
            && crate::narrow::u32_of(rt.active.len()) == rt.desired
            && !rt.breaker_stopped();
        match (steady, rt.steady_at.is_some()) {
            (true, false) => {
                rt.steady_at = Some(self.now);
                rt.band.set(self.now, crate::limited_by::Held::Nothing);
                if rt.first_steady.is_none() {
                    rt.first_steady = Some((self.now, rt.desired));
                    self.services.first_steady += 1;
                    if self.services.first_steady == self.services.list.len() {
                        self.accounting.mark_rollout(self.now);
                    }
                } else {
                    rt.later_rollouts = rt.later_rollouts.saturating_add(1);
                }
                let rt = &mut self.services.list[s.index()];
                let primary = &mut rt.deployments[rt.primary as usize];
                let completed = primary.rollout == Rollout::InProgress;
                if completed {
                    primary.rollout = Rollout::Completed;
                    rt.last_good = Some(rt.primary);
                }
                let service = self.scenario.services[s.index()].name.clone();
                self.record(TraceWhat::ServiceSteady { service: service.clone() });
                if completed {
                    self.record(TraceWhat::Deployment { service, status: "COMPLETED".into() });
                }
            }
            (false, true) => {
                rt.steady_at = None;
                // Until the next workflow cycle decides: its tasks to launch at that cycle.
                rt.band.set(self.now, crate::limited_by::Held::Startup);
                self.poke_service(s);
            }
            (false, false) => {
                if rt.band.current() == crate::limited_by::Held::Nothing {
                    rt.band.set(self.now, crate::limited_by::Held::Startup);
                }
                self.poke_service(s);
            }
            (true, true) => {}
        }
    }

    /// A timed scaling of the service's desired count.
    pub(super) fn scale_service(&mut self, service: ServiceId, desired: u32) {
        self.services.set_desired(service, desired);
        let name = self.scenario.services[service.index()].name.clone();
        self.record(TraceWhat::DesiredCount { service: name, desired });
        self.services.list[service.index()].steady_at = None;
        self.update_steady(service);
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::testing;
    use crate::time::SimTime;

    /// The desired total the series samples follows a timed scaling (and `check`, run after every event here,
    /// compares it with the sum).
    #[test]
    fn the_desired_total_follows_scaling() {
        let mut sim = testing::checked(testing::fargate(
            "",
            r#""desired_count": 3"#,
            r#""events": [{ "type": "scale", "at_s": 300, "service": "web", "desired_count": 7 }]"#,
        ));
        assert_eq!(sim.services.desired_total(), 3);
        sim.step_until(SimTime(600_000));
        assert_eq!(sim.services.desired_total(), 7);
        assert_eq!(sim.check_invariants(), Ok(()));
    }
}
