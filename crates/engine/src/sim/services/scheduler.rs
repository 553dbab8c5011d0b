//! The service scheduler's workflow cycle (`docs/model.md` §3): every `scheduler_cycle_s` while a service is not
//! steady, it stops what the deployment and desired count say must go (older deployments' tasks within the
//! minimum healthy count, tasks beyond the desired count, tasks on draining instances), then launches the primary
//! deployment's missing tasks within the maximum percent, the service's launch rate, the account's launch
//! buckets and the capacity providers' room, each on the provider its strategy picks. It scans only that
//! service's active tasks.

use super::deployment::{deployment_bounds, Deployment};
use super::{Limiter, ServiceRt};
use crate::bucket::TokenBucket;
use crate::ids::{ProviderId, ServiceId, TaskId};
use crate::narrow;
use crate::scenario::Provider;
use crate::sim::{Event, Simulation};
use crate::strategy::{item_of, next_open_item};
use crate::task::{Health, Owner, StopReason};
use crate::time::SimTime;

impl Simulation {
    pub(in crate::sim) fn start_services(&mut self) {
        let cycle_ms = self.scenario.latencies.cycle_ms;
        let band_cap = crate::limited_by::cap_per_service(self.scenario.services.len());
        for service in &self.scenario.services {
            // 500 tasks/min on Fargate; 250 or 500 on EC2 depending on the limits profile.
            let per_minute = if service.strategy.items.iter().any(|i| i.provider.is_fargate()) {
                self.scenario.limits.service_per_minute_fargate
            } else {
                self.scenario.limits.service_per_minute_ec2
            };
            // The launch-rate bucket holds one workflow cycle's worth of launches (see defaults::SCHEDULER_CYCLE_S).
            let burst = narrow::u32_of_u64((u64::from(per_minute) * cycle_ms).div_ceil(60_000).max(1));
            self.services.push(ServiceRt {
                desired: service.desired,
                deployments: vec![Deployment::new(service.task_def)],
                primary: 0,
                last_good: None,
                rolled_back: false,
                launch_bucket: TokenBucket::new(burst, per_minute),
                cycle_pending: false,
                last_cycle: None,
                last_blocked: None,
                last_launched: 0,
                active: Vec::new(),
                primary_active: 0,
                healthy_primary: 0,
                backoff_level: 0,
                backoff_until: SimTime::ZERO,
                on_draining: 0,
                spot_waiting: 0,
                ec2_waiting: 0,
                steady_at: None,
                first_steady: None,
                lowest_running: None,
                later_rollouts: 0,
                waiting_ms: [0; Limiter::COUNT],
                band: crate::limited_by::Band::new(band_cap),
                failures: 0,
                replacements: 0,
                interruptions: 0,
                serving: 0,
                running: 0,
            });
        }
        for index in 0..self.services.list.len() {
            // Services are not in lockstep: each one's first cycle comes at a random point of the first cycle.
            let offset = self.rng.below(cycle_ms);
            self.services.list[index].cycle_pending = true;
            self.schedule(SimTime(offset), Event::ServiceCycle { service: ServiceId::from_index(index) });
        }
    }

    #[inline(never)]
    pub(in crate::sim) fn service_cycle(&mut self, s: ServiceId) {
        let cycle_ms = self.scenario.latencies.cycle_ms;
        let now = self.now;
        let rt = &mut self.services.list[s.index()];
        rt.cycle_pending = false;
        rt.last_cycle = Some(now);
        if rt.steady_at.is_some() {
            return;
        }
        if rt.breaker_stopped() {
            // The circuit breaker failed the deployment without rollback: nothing launches until a new deployment.
            let missing = u64::from(rt.desired.saturating_sub(rt.primary_active));
            rt.tally(Limiter::CircuitBreaker, missing, cycle_ms);
            rt.band.set(now, crate::limited_by::Held::Limit(Limiter::CircuitBreaker));
            return;
        }
        if now < rt.backoff_until {
            let missing = u64::from(rt.desired.saturating_sub(rt.primary_active));
            rt.tally(Limiter::Backoff, missing, rt.backoff_until.since(now));
            rt.band.set(now, crate::limited_by::Held::Limit(Limiter::Backoff));
            rt.cycle_pending = true;
            let at = rt.backoff_until;
            self.schedule(at, Event::ServiceCycle { service: s });
            return;
        }

        let stops = self.plan_stops(s);
        for (task, reason) in stops {
            self.begin_stop(task, reason);
        }
        let (ec2_waiting, primary_draining) = self.launch_for_service(s);
        self.note_cycle_hold(s, primary_draining);

        let rt = &mut self.services.list[s.index()];
        let spot_waiting = u64::from(rt.spot_waiting);
        rt.tally(Limiter::FargateSpotCapacity, spot_waiting, cycle_ms);
        rt.tally(Limiter::ClusterAutoScaling, ec2_waiting, cycle_ms);
        if rt.steady_at.is_none() && !rt.cycle_pending {
            rt.cycle_pending = true;
            self.schedule_in(cycle_ms, Event::ServiceCycle { service: s });
        }
    }

    /// Which tasks this cycle stops: tasks of older deployments (unhealthy ones freely, healthy ones down to the
    /// minimum healthy count), then tasks beyond the desired count (scale-in).
    fn plan_stops(&self, s: ServiceId) -> Vec<(TaskId, StopReason)> {
        let rt = &self.services.list[s.index()];
        let service = &self.scenario.services[s.index()];
        let (min_healthy, _) = deployment_bounds(rt.desired, service.minimum_healthy_percent, service.maximum_percent);
        if rt.primary_active as usize == rt.active.len()
            && rt.on_draining == 0
            && rt.active.len() <= rt.desired as usize
        {
            // Every active task is of the primary deployment, none is on a draining instance and there are no more
            // than desired: the scan below would stop nothing (the counters are kept as tasks change).
            return Vec::new();
        }
        let mut old_healthy = Vec::new();
        let mut primary_starting = Vec::new();
        let mut primary_healthy = Vec::new();
        let mut stops = Vec::new();
        let mut healthy_total = 0u32;
        for &id in &rt.active {
            let task = &self.tasks[id];
            let healthy = task.health == Health::Healthy;
            healthy_total += u32::from(healthy);
            let Owner::Service { deployment, .. } = task.owner else { continue };
            // A task on a draining instance is replaced like a task of an older deployment.
            match (deployment == rt.primary && !task.on_draining, healthy) {
                (false, false) => stops.push((id, self.replaced_reason(id))),
                (false, true) => old_healthy.push(id),
                (true, false) => primary_starting.push(id),
                (true, true) => primary_healthy.push(id),
            }
        }
        let can_stop_healthy = healthy_total.saturating_sub(min_healthy) as usize;
        stops.extend(old_healthy.into_iter().take(can_stop_healthy).map(|id| (id, self.replaced_reason(id))));
        let excess = (primary_starting.len() + primary_healthy.len()).saturating_sub(rt.desired as usize);
        // Scale in the newest tasks that are not serving yet first, then healthy ones.
        let scale_in = primary_starting.into_iter().rev().chain(primary_healthy.into_iter().rev()).take(excess);
        stops.extend(scale_in.map(|id| (id, StopReason::ScaledIn)));
        stops
    }

    /// Starts as many tasks of the primary deployment as the deployment bounds, the service's launch rate and the
    /// account's launch buckets allow, each on the provider its strategy picks.
    /// Returns how many of the service's tasks wait in PROVISIONING for EC2 capacity after the launches, and how
    /// many of its primary tasks are on draining instances.
    fn launch_for_service(&mut self, s: ServiceId) -> (u64, u32) {
        let cycle_ms = self.scenario.latencies.cycle_ms;
        let now = self.now;
        let service = &self.scenario.services[s.index()];
        let rt = &self.services.list[s.index()];
        let (_, max_running) = deployment_bounds(rt.desired, service.minimum_healthy_percent, service.maximum_percent);
        let strategy = service.strategy.clone();
        // Tasks waiting for cluster auto scaling are counted as they start and stop waiting.
        let mut ec2_waiting = u64::from(rt.ec2_waiting);
        let is_primary = |task: &crate::task::Task| matches!(task.owner, Owner::Service { deployment, .. } if deployment == rt.primary);
        // Primary tasks on draining instances are being replaced and do not count (none when no active task is on
        // a draining instance).
        let primary_draining = if rt.on_draining == 0 {
            0
        } else {
            narrow::u32_of(
                rt.active.iter().filter(|&&id| is_primary(&self.tasks[id]) && self.tasks[id].on_draining).count(),
            )
        };
        let missing = rt.desired.saturating_sub(rt.primary_active - primary_draining);
        let room = max_running.saturating_sub(narrow::u32_of(rt.active.len()));
        let want = missing.min(room);
        // Primary tasks per strategy item, to split the launches: only needed when something launches.
        let mut counts = vec![0u32; strategy.items.len()];
        // One item with a weight takes every task whatever the counts (`next_open_item`): no need to count.
        let counts_matter = !matches!(strategy.items.as_slice(), [item] if item.weight > 0);
        if want > 0 && counts_matter {
            // Each provider's strategy item, found once per cycle rather than searched per task.
            let (mut fargate, mut asg): ([Option<usize>; 2], Vec<Option<usize>>) = ([None; 2], Vec::new());
            for provider in strategy.items.iter().map(|item| item.provider) {
                let slot = match provider {
                    Provider::Fargate => &mut fargate[0],
                    Provider::FargateSpot => &mut fargate[1],
                    Provider::Asg(g) => {
                        if asg.len() <= usize::from(g) {
                            asg.resize(usize::from(g) + 1, None);
                        }
                        &mut asg[usize::from(g)]
                    }
                };
                *slot = item_of(&strategy, provider);
            }
            for &id in &rt.active {
                let task = &self.tasks[id];
                if !is_primary(task) || task.on_draining {
                    continue;
                }
                let item = match task.provider {
                    Provider::Fargate => fargate[0],
                    Provider::FargateSpot => fargate[1],
                    Provider::Asg(g) => asg.get(usize::from(g)).copied().flatten(),
                };
                if let Some(item) = item {
                    counts[item] += 1;
                }
            }
        }
        let task_def = rt.deployments[rt.primary as usize].task_def;
        let deployment = rt.primary;
        let public_ip = service.assign_public_ip;
        let placement = service.placement.clone();
        let owner = Owner::Service { service: s, deployment };

        let mut launched = 0;
        let mut blocked = None;
        // Providers that cannot take a task this cycle: each is closed on its own, so an empty Fargate On-Demand
        // bucket does not hold back the Fargate Spot or EC2 part of the strategy (`docs/model.md` §2).
        let mut open = vec![true; strategy.items.len()];
        let mut lacked_resources = false;
        while launched < want {
            let Some(item) = next_open_item(&strategy, &counts, &open) else { break };
            let provider = strategy.items[item].provider;
            if self.services.list[s.index()].launch_bucket.available(now) == 0 {
                blocked = Some(Limiter::ServiceLaunchRate);
                break;
            }
            let instance = match provider {
                Provider::Asg(p) => match self.place_new(ProviderId::of_asg(p), task_def, &placement, owner) {
                    Ok(instance) => instance,
                    Err(limiter) => {
                        lacked_resources |= limiter == Limiter::Capacity;
                        blocked = blocked.or(Some(limiter));
                        open[item] = false;
                        continue;
                    }
                },
                _ => {
                    if let Some(quota) = self.fargate_quota_refuses(provider, task_def) {
                        // "service ... was unable to place a task. Reason: You've reached the limit on the number
                        // of vCPUs you can run concurrently" (the service event ECS writes): the task is not
                        // launched, and the scheduler tries again next cycle.
                        let (name, usage) =
                            (self.scenario.services[s.index()].name.clone(), self.fargate_usage(provider));
                        self.quota_refused(quota, format!("service {name}"), 1, usage);
                        blocked = blocked.or(Some(quota));
                        open[item] = false;
                        continue;
                    }
                    let bucket = self.buckets.launch(provider).expect("Fargate providers have a launch bucket");
                    if !bucket.try_take(now, 1) {
                        blocked = blocked.or(Some(Limiter::launch_bucket(provider)));
                        open[item] = false;
                        continue;
                    }
                    None
                }
            };
            self.services.list[s.index()].launch_bucket.try_take(now, 1);
            ec2_waiting += u64::from(!provider.is_fargate() && instance.is_none());
            let task = self.launch_task(owner, task_def, provider, public_ip && provider.is_fargate(), instance);
            self.add_active(s, task);
            counts[item] += 1;
            launched += 1;
        }
        let rt = &mut self.services.list[s.index()];
        rt.last_blocked = blocked;
        rt.last_launched = launched;
        if let Some(limiter) = blocked {
            rt.tally(limiter, u64::from(want - launched), cycle_ms);
        }
        if missing > room {
            rt.tally(Limiter::DeploymentSettings, u64::from(missing - room), cycle_ms);
        }
        if lacked_resources {
            // ECS Developer Guide, "Amazon ECS service throttle logic": "If tasks for a service repeatedly fail to
            // enter the RUNNING state [...], then the time between subsequent restart attempts is incrementally
            // increased up to a maximum of 15 minutes." Among "some common causes that initiate this logic": "A lack
            // of resources to host your task with, such as ports, memory, or CPU units in your cluster." So a cycle
            // that finds no instance with room (and no managed scaling to wait for) backs the service off like a
            // task that failed to start, instead of trying again every cycle.
            self.back_off(s);
        }
        (ec2_waiting, primary_draining)
    }

    fn add_active(&mut self, s: ServiceId, task: TaskId) {
        let rt = &mut self.services.list[s.index()];
        self.tasks.set_slot(task, narrow::u32_of(rt.active.len()));
        rt.active.push(task);
        rt.primary_active += 1;
    }
}

#[cfg(test)]
mod tests {
    use crate::output::Limiter;
    use crate::scenario::Provider;
    use crate::sim::{testing, Event};
    use crate::task::{StopReason, TaskState};

    fn cycles(events: &[(crate::time::SimTime, Event)]) -> Vec<crate::time::SimTime> {
        events.iter().filter(|(_, e)| matches!(e, Event::ServiceCycle { .. })).map(|&(at, _)| at).collect()
    }

    /// The service's launch rate (500 tasks/min on Fargate) holds one 5-second cycle's worth: 42 tasks. The first
    /// cycle of a 1,000-task service launches exactly that many and tallies the rest as waiting on the rate.
    #[test]
    fn a_cycle_launches_what_the_service_launch_rate_allows() {
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 1000"#, ""));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let burst = (500u64 * sim.scenario.latencies.cycle_ms).div_ceil(60_000);
        assert_eq!(burst, 42);
        assert_eq!(sim.tasks.len() as u64, burst);
        assert!(sim.tasks.all().iter().all(|t| t.state == TaskState::Provisioning));
        let rt = sim.services.iter().next().expect("service");
        assert_eq!(rt.active.len() as u64, burst);
        let cycle_ms = sim.scenario.latencies.cycle_ms;
        assert_eq!(rt.waiting_ms[Limiter::ServiceLaunchRate as usize], (1000 - burst) * cycle_ms);
        // The next cycle comes one cycle later.
        assert_eq!(cycles(&sim.queued()), vec![sim.now.plus_ms(cycle_ms)]);
    }

    /// With an account bucket smaller than the service's rate, the account bucket is the limit.
    #[test]
    fn a_cycle_stops_at_an_empty_account_launch_bucket() {
        let limits = r#""limits": { "fargate_on_demand_launch": { "burst": 10, "refill_per_s": 1 } }"#;
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 100"#, limits));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        assert_eq!(sim.tasks.len(), 10);
        let rt = sim.services.iter().next().expect("service");
        let cycle_ms = sim.scenario.latencies.cycle_ms;
        assert_eq!(rt.waiting_ms[Limiter::FargateOnDemandBucket as usize], 90 * cycle_ms);
        assert_eq!(rt.waiting_ms[Limiter::ServiceLaunchRate as usize], 0);
    }

    /// No head-of-line blocking across buckets: an On-Demand bucket of 10 launches does not hold back the Spot part
    /// of a 50/50 strategy; the first cycle launches all 40 tasks, 10 On-Demand and 30 on Spot.
    #[test]
    fn an_empty_on_demand_bucket_does_not_hold_back_spot() {
        let limits = r#""limits": { "fargate_on_demand_launch": { "burst": 10, "refill_per_s": 0.1 } }"#;
        let service = r#""desired_count": 40, "capacity_provider_strategy": [
            { "capacity_provider": "FARGATE", "weight": 1 }, { "capacity_provider": "FARGATE_SPOT", "weight": 1 }]"#;
        let mut sim = testing::checked(testing::fargate("", service, limits));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let on = |p: Provider| sim.tasks.all().iter().filter(|t| t.provider == p).count();
        assert_eq!((on(Provider::Fargate), on(Provider::FargateSpot)), (10, 30));
        let rt = sim.services.iter().next().expect("service");
        assert_eq!(rt.waiting_ms[Limiter::FargateOnDemandBucket as usize], 0, "nothing was left waiting");
    }

    /// An EC2 service whose tasks find no instance with room (one m5.large, no managed scaling) backs off like a
    /// service whose tasks fail to start, instead of trying again every cycle.
    #[test]
    fn a_lack_of_resources_backs_the_service_off() {
        let provider = r#""desired_capacity": 1"#;
        let task_def = r#", "cpu": 1024, "memory": 6144"#;
        let mut sim = testing::checked(testing::ec2(provider, task_def, r#", "desired_count": 3"#, ""));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        assert_eq!(sim.tasks.len(), 1, "one task fits the instance");
        let rt = sim.services.iter().next().expect("service");
        let initial = sim.scenario.latencies.backoff_initial_ms;
        assert_eq!((rt.backoff_level, rt.backoff_until), (1, sim.now.plus_ms(initial)));
        assert!(rt.waiting_ms[Limiter::Capacity as usize] > 0);
        // The next cycle finds the service backing off and moves itself to the end of the backoff; the one after
        // finds no room again and doubles the wait.
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let until = sim.services.iter().next().expect("service").backoff_until;
        assert_eq!(cycles(&sim.queued()), vec![until]);
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        assert_eq!(sim.now, until);
        let rt = sim.services.iter().next().expect("service");
        assert_eq!(rt.backoff_until, sim.now.plus_ms(2 * initial));
        assert_eq!(sim.tasks.len(), 1);
    }

    /// Scaling in: the cycle after a lower desired count stops the excess tasks (the newest not serving yet
    /// first), and only that cycle.
    #[test]
    fn a_cycle_after_a_scale_in_stops_the_excess() {
        let events = r#""events": [{ "type": "scale", "at_s": 30, "service": "web", "desired_count": 2 }]"#;
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 5"#, events));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        assert_eq!(sim.tasks.len(), 5);
        sim.step_through(|e| matches!(e, Event::Timed { .. }));
        assert!(sim.tasks.all().iter().all(|t| !t.stopping), "nothing stops before the cycle");
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let stopping: Vec<_> = sim.tasks.all().iter().filter(|t| t.stopping).map(|t| t.stop_reason).collect();
        assert_eq!(stopping, vec![Some(StopReason::ScaledIn); 3]);
        assert_eq!(sim.services.iter().next().expect("service").active.len(), 2);
    }

    /// A task that fails to start puts the service in exponential backoff: the next cycle waits for it, and the
    /// waiting is tallied against the backoff.
    #[test]
    fn a_start_failure_backs_the_service_off() {
        let mut sim = testing::checked(testing::fargate(testing::START_FAILS, "", ""));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        while !sim.tasks[testing::t(0)].stopping {
            sim.step_through(|_| true);
        }
        let rt = sim.services.iter().next().expect("service");
        let initial = sim.scenario.latencies.backoff_initial_ms;
        assert_eq!((rt.backoff_level, rt.backoff_until), (1, sim.now.plus_ms(initial)));
        // The cycle already queued finds the service backing off and moves itself to the end of the backoff.
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let rt = sim.services.iter().next().expect("service");
        assert!(rt.waiting_ms[Limiter::Backoff as usize] > 0);
        assert_eq!(cycles(&sim.queued()), vec![rt.backoff_until]);
    }
}
