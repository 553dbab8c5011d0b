//! The service scheduler (domain.md section 3): workflow cycles toward the desired count, rolling deployments
//! bounded by `minimumHealthyPercent` / `maximumPercent`, the deployment circuit breaker, exponential backoff of
//! services whose tasks fail to start, and replacement of tasks that stop.
//!
//! Each service keeps the list of its *active* tasks (desired status RUNNING) and counters of those in the current
//! (primary) deployment, updated on every task event, so "is the service steady?" is O(1). A workflow cycle runs
//! every `scheduler_cycle_s` while the service is not steady and scans only that service's active tasks.

use super::{Event, Simulation};
use crate::bucket::TokenBucket;
use crate::output::{DeploymentStatus, Limiter, Rollout, TraceWhat};
use crate::scenario::{circuit_breaker_threshold, deployment_bounds, Provider, TimedAction};
use crate::strategy::{item_of, next_item};
use crate::task::{Health, Owner, StopReason};
use crate::time::SimTime;

impl Limiter {
    fn launch_bucket(provider: Provider) -> Limiter {
        match provider {
            Provider::FargateSpot => Limiter::FargateSpotBucket,
            _ => Limiter::FargateOnDemandBucket,
        }
    }
}

pub(super) struct Deployment {
    pub(super) task_def: usize,
    pub(super) rollout: Rollout,
    pub(super) failures: u32,
}

/// A service's runtime state.
pub(super) struct ServiceRt {
    pub(super) desired: u32,
    /// Every deployment so far; `primary` indexes the current one.
    pub(super) deployments: Vec<Deployment>,
    pub(super) primary: u32,
    /// The last deployment that completed, for circuit breaker rollbacks.
    last_good: Option<u32>,
    rolled_back: bool,
    launch_bucket: TokenBucket,
    cycle_pending: bool,
    last_cycle: Option<SimTime>,
    /// Tasks whose desired status is RUNNING, in any deployment.
    pub(super) active: Vec<u32>,
    primary_active: u32,
    pub(super) healthy_primary: u32,
    backoff_level: u32,
    backoff_until: SimTime,
    /// Active tasks on draining instances (to be replaced).
    pub(super) on_draining: u32,
    /// Tasks of this service waiting for Fargate Spot capacity.
    pub(super) spot_waiting: u32,
    pub(super) steady_at: Option<SimTime>,
    /// Waiting task-milliseconds per [`Limiter`].
    pub(super) waiting_ms: [u64; Limiter::COUNT],
    pub(super) failures: u64,
    pub(super) replacements: u64,
    pub(super) interruptions: u64,
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

/// Why the scheduler stops a task it replaces: its instance is being reclaimed, or it is an older revision.
fn replaced_reason(on_draining: bool) -> StopReason {
    if on_draining {
        StopReason::SpotInterrupted
    } else {
        StopReason::Replaced
    }
}

impl Simulation {
    pub(super) fn start_services(&mut self) {
        let cycle_ms = self.scenario.latencies.cycle_ms;
        for service in &self.scenario.services {
            // 500 tasks/min on Fargate; 250 or 500 on EC2 depending on the limits profile.
            let per_minute = if service.strategy.items.iter().any(|i| i.provider.is_fargate()) {
                self.scenario.limits.service_per_minute_fargate
            } else {
                self.scenario.limits.service_per_minute_ec2
            };
            // The launch-rate bucket holds one workflow cycle's worth of launches (see defaults::SCHEDULER_CYCLE_S).
            let burst = (u64::from(per_minute) * cycle_ms).div_ceil(60_000).max(1) as u32;
            self.services.push(ServiceRt {
                desired: service.desired,
                deployments: vec![Deployment { task_def: service.task_def, rollout: Rollout::InProgress, failures: 0 }],
                primary: 0,
                last_good: None,
                rolled_back: false,
                launch_bucket: TokenBucket::new(burst, per_minute),
                cycle_pending: false,
                last_cycle: None,
                active: Vec::new(),
                primary_active: 0,
                healthy_primary: 0,
                backoff_level: 0,
                backoff_until: SimTime::ZERO,
                on_draining: 0,
                spot_waiting: 0,
                steady_at: None,
                waiting_ms: [0; 10],
                failures: 0,
                replacements: 0,
                interruptions: 0,
            });
        }
        for index in 0..self.services.len() {
            // Services are not in lockstep: each one's first cycle comes at a random point of the first cycle.
            let offset = self.rng.below(cycle_ms);
            self.services[index].cycle_pending = true;
            self.schedule(SimTime(offset), Event::ServiceCycle { service: index as u32 });
        }
    }

    /// Makes sure a workflow cycle is coming, no sooner than one cycle after the last.
    fn poke_service(&mut self, s: usize) {
        let rt = &mut self.services[s];
        if rt.cycle_pending {
            return;
        }
        rt.cycle_pending = true;
        let at = match rt.last_cycle {
            Some(last) => last.plus_ms(self.scenario.latencies.cycle_ms).max(self.now),
            None => self.now,
        };
        self.schedule(at, Event::ServiceCycle { service: s as u32 });
    }

    pub(super) fn service_cycle(&mut self, s: usize) {
        let cycle_ms = self.scenario.latencies.cycle_ms;
        let now = self.now;
        let rt = &mut self.services[s];
        rt.cycle_pending = false;
        rt.last_cycle = Some(now);
        if rt.steady_at.is_some() {
            return;
        }
        if rt.breaker_stopped() {
            // The circuit breaker failed the deployment without rollback: nothing launches until a new deployment.
            let missing = u64::from(rt.desired.saturating_sub(rt.primary_active));
            rt.tally(Limiter::CircuitBreaker, missing, cycle_ms);
            return;
        }
        if now < rt.backoff_until {
            let missing = u64::from(rt.desired.saturating_sub(rt.primary_active));
            rt.tally(Limiter::Backoff, missing, rt.backoff_until.since(now));
            rt.cycle_pending = true;
            let at = rt.backoff_until;
            self.schedule(at, Event::ServiceCycle { service: s as u32 });
            return;
        }

        let stops = self.plan_stops(s);
        for (task, reason) in stops {
            self.begin_stop(task, reason);
        }
        let ec2_waiting = self.launch_for_service(s);

        let rt = &mut self.services[s];
        let spot_waiting = u64::from(rt.spot_waiting);
        rt.tally(Limiter::FargateSpotCapacity, spot_waiting, cycle_ms);
        rt.tally(Limiter::ClusterAutoScaling, ec2_waiting, cycle_ms);
        if rt.steady_at.is_none() && !rt.cycle_pending {
            rt.cycle_pending = true;
            self.schedule_in(cycle_ms, Event::ServiceCycle { service: s as u32 });
        }
    }

    /// Which tasks this cycle stops: tasks of older deployments (unhealthy ones freely, healthy ones down to the
    /// minimum healthy count), then tasks beyond the desired count (scale-in).
    fn plan_stops(&self, s: usize) -> Vec<(u32, StopReason)> {
        let rt = &self.services[s];
        let service = &self.scenario.services[s];
        let (min_healthy, _) = deployment_bounds(rt.desired, service.minimum_healthy_percent, service.maximum_percent);
        let mut old_healthy = Vec::new();
        let mut primary_starting = Vec::new();
        let mut primary_healthy = Vec::new();
        let mut stops = Vec::new();
        let mut healthy_total = 0u32;
        for &id in &rt.active {
            let task = &self.tasks[id as usize];
            let healthy = task.health == Health::Healthy;
            healthy_total += u32::from(healthy);
            let Owner::Service { deployment, .. } = task.owner else { continue };
            // A task on a draining instance is replaced like a task of an older deployment.
            match (deployment == rt.primary && !task.on_draining, healthy) {
                (false, false) => stops.push((id, replaced_reason(task.on_draining))),
                (false, true) => old_healthy.push(id),
                (true, false) => primary_starting.push(id),
                (true, true) => primary_healthy.push(id),
            }
        }
        let can_stop_healthy = healthy_total.saturating_sub(min_healthy) as usize;
        stops.extend(
            old_healthy
                .into_iter()
                .take(can_stop_healthy)
                .map(|id| (id, replaced_reason(self.tasks[id as usize].on_draining))),
        );
        let excess = (primary_starting.len() + primary_healthy.len()).saturating_sub(rt.desired as usize);
        // Scale in the newest tasks that are not serving yet first, then healthy ones.
        let scale_in = primary_starting.into_iter().rev().chain(primary_healthy.into_iter().rev()).take(excess);
        stops.extend(scale_in.map(|id| (id, StopReason::ScaledIn)));
        stops
    }

    /// Starts as many tasks of the primary deployment as the deployment bounds, the service's launch rate and the
    /// account's launch buckets allow, each on the provider its strategy picks.
    /// Returns how many of the service's tasks wait in PROVISIONING for EC2 capacity after the launches.
    fn launch_for_service(&mut self, s: usize) -> u64 {
        let cycle_ms = self.scenario.latencies.cycle_ms;
        let now = self.now;
        let service = &self.scenario.services[s];
        let rt = &self.services[s];
        let (_, max_running) = deployment_bounds(rt.desired, service.minimum_healthy_percent, service.maximum_percent);
        let strategy = service.strategy.clone();
        // One pass over the active tasks: primary tasks per strategy item (those on draining instances are being
        // replaced and do not count), and tasks waiting for cluster auto scaling.
        let mut counts = vec![0u32; strategy.items.len()];
        let mut primary_draining = 0;
        let mut ec2_waiting = 0u64;
        for &id in &rt.active {
            let task = &self.tasks[id as usize];
            ec2_waiting += u64::from(task.awaiting_capacity && !task.provider.is_fargate());
            if !matches!(task.owner, Owner::Service { deployment, .. } if deployment == rt.primary) {
                continue;
            }
            if task.on_draining {
                primary_draining += 1;
            } else if let Some(item) = item_of(&strategy, task.provider) {
                counts[item] += 1;
            }
        }
        let missing = rt.desired.saturating_sub(rt.primary_active - primary_draining);
        let room = max_running.saturating_sub(rt.active.len() as u32);
        let want = missing.min(room);
        let task_def = rt.deployments[rt.primary as usize].task_def;
        let deployment = rt.primary;
        let public_ip = service.assign_public_ip;
        let placement = service.placement.clone();
        let owner = Owner::Service { service: s as u32, deployment };

        let mut launched = 0;
        let mut blocked = None;
        while launched < want {
            let item = next_item(&strategy, &counts);
            let provider = strategy.items[item].provider;
            if self.services[s].launch_bucket.available(now) == 0 {
                blocked = Some(Limiter::ServiceLaunchRate);
                break;
            }
            let instance = match provider {
                Provider::Asg(p) => match self.place_new(p as usize, task_def, &placement, owner) {
                    Ok(instance) => instance,
                    Err(limiter) => {
                        blocked = Some(limiter);
                        break;
                    }
                },
                _ => {
                    let bucket = self.buckets.launch(provider).expect("Fargate providers have a launch bucket");
                    if !bucket.try_take(now, 1) {
                        blocked = Some(Limiter::launch_bucket(provider));
                        break;
                    }
                    None
                }
            };
            self.services[s].launch_bucket.try_take(now, 1);
            ec2_waiting += u64::from(!provider.is_fargate() && instance.is_none());
            let task = self.launch_task(owner, task_def, provider, public_ip && provider.is_fargate(), instance);
            self.add_active(s, task);
            counts[item] += 1;
            launched += 1;
        }
        let rt = &mut self.services[s];
        if let Some(limiter) = blocked {
            rt.tally(limiter, u64::from(want - launched), cycle_ms);
        }
        if missing > room {
            rt.tally(Limiter::DeploymentSettings, u64::from(missing - room), cycle_ms);
        }
        ec2_waiting
    }

    fn add_active(&mut self, s: usize, task: u32) {
        let rt = &mut self.services[s];
        self.tasks[task as usize].slot = rt.active.len() as u32;
        rt.active.push(task);
        rt.primary_active += 1;
    }

    /// One of the service's tasks is on an instance that started draining.
    pub(super) fn service_drained(&mut self, s: usize) {
        self.update_steady(s);
    }

    pub(super) fn service_task_running(&mut self, s: usize) {
        // A task that reaches RUNNING ends the exponential backoff (tasks that crash later do not trigger it).
        self.services[s].backoff_level = 0;
    }

    pub(super) fn service_task_healthy(&mut self, s: usize, deployment: u32) {
        if deployment == self.services[s].primary {
            self.services[s].healthy_primary += 1;
        }
        self.update_steady(s);
    }

    pub(super) fn service_task_stopping(
        &mut self,
        s: usize,
        task: u32,
        deployment: u32,
        was_healthy: bool,
        reason: StopReason,
    ) {
        let rt = &mut self.services[s];
        let slot = self.tasks[task as usize].slot as usize;
        rt.active.swap_remove(slot);
        if let Some(&moved) = rt.active.get(slot) {
            self.tasks[moved as usize].slot = slot as u32;
        }
        if deployment == rt.primary {
            rt.primary_active -= 1;
            if was_healthy {
                rt.healthy_primary -= 1;
            }
        }
        if self.tasks[task as usize].on_draining {
            rt.on_draining -= 1;
        }
        if matches!(reason, StopReason::SpotInterrupted) || reason.is_failure() {
            rt.replacements += 1;
        }
        if reason.is_failure() {
            rt.failures += 1;
            self.count_deployment_failure(s, deployment);
        }
        if reason == StopReason::StartFailed {
            self.back_off(s);
        }
        self.update_steady(s);
    }

    /// Exponential backoff after a task failed to start: 10 s, 20 s, 40 s, ... up to 15 minutes (defaults).
    fn back_off(&mut self, s: usize) {
        let latencies = &self.scenario.latencies;
        let rt = &mut self.services[s];
        if self.now < rt.backoff_until {
            return;
        }
        let delay =
            latencies.backoff_initial_ms as f64 * libm::pow(latencies.backoff_factor, f64::from(rt.backoff_level));
        let delay = (delay.min(latencies.backoff_max_ms as f64)) as u64;
        rt.backoff_level += 1;
        rt.backoff_until = self.now.plus_ms(delay);
        let until = rt.backoff_until;
        let service = self.scenario.services[s].name.clone();
        self.record(TraceWhat::Backoff { service, until });
    }

    fn count_deployment_failure(&mut self, s: usize, deployment: u32) {
        let Some(rollback) = self.scenario.services[s].circuit_breaker else { return };
        let min = self.scenario.limits.circuit_breaker_min;
        let rt = &mut self.services[s];
        if deployment != rt.primary || rt.deployments[deployment as usize].rollout != Rollout::InProgress {
            return;
        }
        let entry = &mut rt.deployments[deployment as usize];
        entry.failures += 1;
        if entry.failures < circuit_breaker_threshold(rt.desired, min) {
            return;
        }
        entry.rollout = Rollout::Failed;
        let name = self.scenario.services[s].name.clone();
        self.record(TraceWhat::Deployment { service: name.clone(), status: "FAILED (circuit breaker)".into() });
        let rt = &mut self.services[s];
        if let (true, Some(good)) = (rollback, rt.last_good) {
            rt.deployments[good as usize].rollout = Rollout::InProgress;
            rt.rolled_back = true;
            self.set_primary(s, good);
            self.record(TraceWhat::Deployment { service: name, status: "rolling back".into() });
        }
    }

    /// Makes `deployment` the primary one and recounts the primary counters from the active tasks.
    fn set_primary(&mut self, s: usize, deployment: u32) {
        let rt = &mut self.services[s];
        rt.primary = deployment;
        rt.backoff_level = 0;
        rt.backoff_until = self.now;
        let (mut active, mut healthy) = (0, 0);
        for &id in &rt.active {
            let task = &self.tasks[id as usize];
            if matches!(task.owner, Owner::Service { deployment: d, .. } if d == deployment) {
                active += 1;
                healthy += u32::from(task.health == Health::Healthy);
            }
        }
        rt.primary_active = active;
        rt.healthy_primary = healthy;
        self.update_steady(s);
    }

    /// Steady: exactly the desired number of active tasks, all of the primary deployment and healthy.
    fn update_steady(&mut self, s: usize) {
        let rt = &mut self.services[s];
        let steady = rt.healthy_primary == rt.desired
            && rt.on_draining == 0
            && rt.primary_active == rt.desired
            && rt.active.len() as u32 == rt.desired
            && !rt.breaker_stopped();
        match (steady, rt.steady_at.is_some()) {
            (true, false) => {
                rt.steady_at = Some(self.now);
                let primary = &mut rt.deployments[rt.primary as usize];
                let completed = primary.rollout == Rollout::InProgress;
                if completed {
                    primary.rollout = Rollout::Completed;
                    rt.last_good = Some(rt.primary);
                }
                let service = self.scenario.services[s].name.clone();
                self.record(TraceWhat::ServiceSteady { service: service.clone() });
                if completed {
                    self.record(TraceWhat::Deployment { service, status: "COMPLETED".into() });
                }
            }
            (false, true) => {
                rt.steady_at = None;
                self.poke_service(s);
            }
            (false, false) => self.poke_service(s),
            (true, true) => {}
        }
    }

    pub(super) fn timed_event(&mut self, index: usize) {
        match self.scenario.events[index].action.clone() {
            TimedAction::Scale { service, desired } => {
                self.services[service].desired = desired;
                let name = self.scenario.services[service].name.clone();
                self.record(TraceWhat::DesiredCount { service: name, desired });
                self.services[service].steady_at = None;
                self.update_steady(service);
            }
            TimedAction::Deploy { service, task_def } => {
                let rt = &mut self.services[service];
                rt.deployments.push(Deployment { task_def, rollout: Rollout::InProgress, failures: 0 });
                rt.rolled_back = false;
                let deployment = (rt.deployments.len() - 1) as u32;
                let name = self.scenario.services[service].name.clone();
                let revision = self.scenario.task_defs[task_def].name.clone();
                self.record(TraceWhat::Deployment { service: name, status: format!("started ({revision})") });
                self.services[service].steady_at = None;
                self.set_primary(service, deployment);
            }
            TimedAction::SpotInterruption { fraction, count } => self.spot_interruption_wave(fraction, count),
            TimedAction::SpotAvailability { capacity_per_minute } => self.set_spot_capacity(capacity_per_minute),
            TimedAction::Ec2SpotWave { provider, instance_type, zone, fraction } => {
                self.ec2_spot_wave(provider, instance_type, zone, fraction)
            }
        }
    }

    pub(super) fn check_service_invariants(&self) -> Result<(), String> {
        let mut expected_active = vec![0usize; self.services.len()];
        for task in &self.tasks {
            if let (false, Owner::Service { service, .. }) = (task.stopping, task.owner) {
                expected_active[service as usize] += 1;
            }
        }
        for (s, rt) in self.services.iter().enumerate() {
            let mut primary_active = 0;
            let mut healthy_primary = 0;
            for (slot, &id) in rt.active.iter().enumerate() {
                let task = &self.tasks[id as usize];
                if task.stopping || task.slot as usize != slot {
                    return Err(format!("service {s}: task {id} listed as active but stopping or misplaced"));
                }
                let Owner::Service { service, deployment } = task.owner else {
                    return Err(format!("service {s}: standalone task {id} in its active list"));
                };
                if service as usize != s {
                    return Err(format!("service {s}: task {id} belongs to service {service}"));
                }
                if deployment == rt.primary {
                    primary_active += 1;
                    healthy_primary += u32::from(task.health == Health::Healthy);
                }
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
        }
        Ok(())
    }
}
