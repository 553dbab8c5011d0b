//! EC2 capacity's mechanism (`docs/model.md` §4.3–4.4): instances launched by the groups boot and register; tasks are placed
//! on them (or wait in PROVISIONING for managed scaling, up to the cluster's provisioning limit, or are refused
//! without it); images are pulled once per instance; terminated instances take their tasks with them.
//!
//! Instances go launching → registering → ACTIVE → (DRAINING) → terminated. A task placed on an instance holds its
//! cpu, memory, an ENI (awsvpc) and host ports (bridge / host) until it is STOPPED.

use super::{owner_key, placement, Fleet, Needs};
use crate::defaults;
use crate::ids::{InstanceId, ProviderId, TaskId};
use crate::instance::InstanceState;
use crate::output::Limiter;
use crate::output::TraceWhat;
use crate::rng::SimRng;
use crate::scenario::{AsgProvider, Placement, Provider};
use crate::sim::accounting::{Charge, Payer};
use crate::sim::{Event, Simulation};
use crate::spec::{NetworkMode, Purchase};
use crate::task::{Owner, StopReason};
use crate::time::SimTime;

impl Fleet {
    /// Chooses an instance of group `p` for a task (see [`placement::choose`]), moving the group's cursor on.
    pub(in crate::sim) fn choose(
        &mut self,
        p: ProviderId,
        provider: &AsgProvider,
        needs: &Needs,
        placement: &Placement,
        owner: Owner,
        rng: &mut SimRng,
    ) -> Option<InstanceId> {
        let rt = &self.providers[p.index()];
        let group = placement::Group {
            index: p,
            provider,
            instances: &self.instances,
            members: &rt.instances,
            by_zone: &rt.by_zone,
            owner_counts: &self.owner_counts,
        };
        let mut cursor = rt.cursor;
        let choice = placement::choose(&group, needs, placement, owner_key(owner), &mut cursor, rng);
        self.providers[p.index()].cursor = cursor;
        choice
    }
}

impl Simulation {
    pub(in crate::sim) fn start_ec2(&mut self) {
        for index in 0..self.scenario.providers.len() {
            let p = ProviderId::from_index(index);
            // Instances already running when the run starts are registered and ACTIVE at once.
            for _ in 0..self.scenario.providers[index].initial {
                // No pool is dry yet: instances already running were launched before any pool ran out.
                let id = self.add_instance(p).expect("every pool has capacity before the run starts");
                self.fleet.transition(id, InstanceState::Launching, InstanceState::Active);
            }
            for &(instance_type, zone) in &self.scenario.providers[index].insufficient_capacity {
                self.fleet.set_pool(p, instance_type, zone, false);
            }
            if self.scenario.providers[index].managed_scaling.is_some() {
                let period = SimTime::from_secs_f64(defaults::MANAGED_SCALING_PERIOD_S).as_millis();
                let offset = self.rng.below(period);
                self.schedule(SimTime(offset), Event::ScalingEvaluation { provider: p });
            }
        }
    }

    fn add_instance(&mut self, p: ProviderId) -> Option<InstanceId> {
        let id = self.fleet.add(p, &self.scenario.providers[p.index()], self.now)?;
        self.instance_added(id);
        Some(id)
    }

    /// An instance was added to its group: billing starts, and its random Spot interruption and (Managed
    /// Instances) its patching drain are scheduled.
    pub(super) fn instance_added(&mut self, id: InstanceId) {
        let (rate, charge) = self.instance_rate(id);
        self.accounting.start_billing(self.now, rate, &charge);
        self.credits_instance_added(id);
        self.schedule_random_interruption(id);
        self.schedule_patching_drain(id);
    }

    /// USD per millisecond for an instance: On-Demand price, less the Spot discount for Spot groups; the ECS Anywhere
    /// fee for external hosts; billed to the instance's provider (shared capacity) in the cost breakdown.
    fn instance_rate(&self, id: InstanceId) -> (f64, Charge) {
        let instance = self.fleet.instance(id);
        let provider = &self.scenario.providers[instance.provider.index()];
        let per_hour = if provider.external {
            // ECS Anywhere: the hosts are yours; AWS charges per registered instance-hour.
            self.scenario.prices.ecs_anywhere_instance_hour
        } else if provider.purchase == Purchase::Spot {
            instance.instance_type.on_demand_hour_usd * (1.0 - self.scenario.prices.ec2_spot_discount_percent / 100.0)
        } else {
            instance.instance_type.on_demand_hour_usd
        };
        let fee = self.management_fee_hour(id);
        let rate = (per_hour + fee) / 3_600_000.0;
        // The all-On-Demand baseline: the same instance at its On-Demand price (the Spot discount removed); an ECS
        // Anywhere host's fee and a Managed Instances fee have no Spot variant and stay as they are.
        let on_demand_hour = if provider.external { per_hour } else { instance.instance_type.on_demand_hour_usd };
        let charge = Charge {
            capacity: provider.capacity_type(),
            payer: Payer::Provider(instance.provider),
            compute_per_ms: rate,
            ipv4_per_ms: 0.0,
            instance_type: Some(instance.instance_type.name),
            // Managed Instances are EC2 instances of the account, billed at EC2 rates that commitments cover; the
            // management fee on top is an ECS charge that they do not.
            committable_per_ms: per_hour / 3_600_000.0,
            on_demand_per_ms: (on_demand_hour + fee) / 3_600_000.0,
        };
        (rate, charge)
    }

    /// The group launches an instance: it boots, then the ECS agent registers it. `None` when every pool of the
    /// group refuses with InsufficientInstanceCapacity: the launch is counted, and nothing is drawn or scheduled
    /// (the group tries again when it next launches, e.g. at managed scaling's next evaluation). The caller traces
    /// the failures ([`Simulation::trace_failed_launches`]), once per batch.
    pub(in crate::sim) fn launch_instance(&mut self, p: ProviderId) -> Option<InstanceId> {
        let Some(id) = self.add_instance(p) else {
            self.fleet.launch_failed(p);
            return None;
        };
        self.boot(id);
        Some(id)
    }

    /// A launched instance boots (then the ECS agent registers it).
    pub(super) fn boot(&mut self, id: InstanceId) {
        let boot = self
            .rng
            .lognormal_ms(self.scenario.latencies.instance_boot.mean_ms, self.scenario.latencies.instance_boot.spread);
        self.schedule_in(boot, Event::InstanceBooted { instance: id });
    }

    /// One trace line for the launches of a batch that no pool could take (none when `failed` is 0).
    pub(in crate::sim) fn trace_failed_launches(&mut self, p: ProviderId, failed: u32) {
        if failed > 0 {
            let provider = self.scenario.providers[p.index()].name.clone();
            self.record(TraceWhat::LaunchFailed { provider, instances: failed });
        }
    }

    /// A timed `pool_capacity` event: the pool runs dry or has capacity again.
    pub(in crate::sim) fn pool_capacity(&mut self, p: ProviderId, instance_type: u16, zone: u16, available: bool) {
        self.fleet.set_pool(p, instance_type, zone, available);
        let provider = &self.scenario.providers[p.index()];
        let (provider_name, type_name) = (provider.name.clone(), provider.instance_types[instance_type as usize].name);
        let zone = provider.zones[zone as usize].clone();
        self.record(TraceWhat::PoolCapacity { provider: provider_name, instance_type: type_name, zone, available });
    }

    /// Booted: the group counts the instance InService (the ECS agent registers it next).
    #[inline(never)]
    pub(in crate::sim) fn instance_booted(&mut self, id: InstanceId) {
        if !self.fleet.transition(id, InstanceState::Launching, InstanceState::Registering) {
            return;
        }
        if let Some(old) = self.fleet.instance(id).replaces {
            self.group_terminates(old);
        }
        let step = self.scenario.latencies.agent_registration;
        let delay = self.rng.lognormal_ms(step.mean_ms, step.spread);
        self.schedule_in(delay, Event::InstanceRegistered { instance: id });
    }

    #[inline(never)]
    pub(in crate::sim) fn instance_registered(&mut self, id: InstanceId) {
        let registered = self.fleet.registered_instances();
        let quota = self.scenario.limits.instances_per_cluster;
        if registered >= quota && self.fleet.instance(id).state == InstanceState::Registering {
            // "Handle Amazon ECS service quotas and API throttling limits": "the maximum number of Amazon EC2
            // instances that you can register for each cluster is 5,000. If you use Amazon ECS cluster auto scaling
            // with an Auto Scaling group capacity provider, or if you manage Amazon EC2 instances for your cluster
            // yourself, this quota might become a deployment bottleneck." The group launched the instance (EC2 does
            // not know the ECS quota), but its agent cannot register it: it stays REGISTERING, billed, and takes no
            // task. The engine does not retry the registration (AWS does not document the agent's retries).
            let name = self.scenario.providers[self.fleet.instance(id).provider.index()].name.clone();
            let usage = format!("{registered} of {quota} instances");
            self.quota_refused(Limiter::InstancesPerCluster, format!("instance {} of {name}", id.raw()), 1, usage);
            return;
        }
        if !self.fleet.transition(id, InstanceState::Registering, InstanceState::Active) {
            return;
        }
        let provider = self.fleet.instance(id).provider;
        self.record(TraceWhat::Instance { instance: id.raw(), state: InstanceState::Active });
        self.place_waiting(provider);
        self.maybe_idle(id);
    }

    pub(in crate::sim) fn needs(&self, task_def: usize) -> Needs {
        Needs::of(&self.scenario.task_defs[task_def])
    }

    fn choose_instance(
        &mut self,
        p: ProviderId,
        needs: &Needs,
        placement: &Placement,
        owner: Owner,
    ) -> Option<InstanceId> {
        self.fleet.choose(p, &self.scenario.providers[p.index()], needs, placement, owner, &mut self.rng)
    }

    /// Reserves an instance's resources for a task.
    fn hold(&mut self, instance: InstanceId, task: TaskId) {
        let needs = self.needs(self.tasks[task].task_def as usize);
        let owner = owner_key(self.tasks[task].owner);
        self.fleet.hold(instance, task, &needs, owner);
        self.tasks.set_instance(task, instance);
        // Here, where every placement goes through, so tasks placed after waiting in PROVISIONING are traced too.
        self.record(TraceWhat::Placed { task: task.raw(), instance: instance.raw() });
    }

    /// Gives a stopped task's resources back, and lets waiting tasks of the group try again.
    pub(in crate::sim) fn release(&mut self, task: TaskId) {
        let Some(instance) = self.tasks[task].instance else { return };
        let needs = self.needs(self.tasks[task].task_def as usize);
        let owner = owner_key(self.tasks[task].owner);
        let provider = self.fleet.release(instance, task, &needs, owner);
        if self.fleet.providers[provider.index()].waiting_count > 0 {
            self.place_waiting(provider);
        }
        self.terminate_if_drained(instance);
        self.maybe_idle(instance);
    }

    /// Tries to place a new task of `task_def` on provider `p`: `Ok(Some(instance))` placed, `Ok(None)` it may wait
    /// in PROVISIONING (managed scaling, below the cluster's limit), `Err(limiter)` it cannot be launched now.
    pub(in crate::sim) fn place_new(
        &mut self,
        p: ProviderId,
        task_def: usize,
        placement: &Placement,
        owner: Owner,
    ) -> Result<Option<InstanceId>, Limiter> {
        let needs = self.needs(task_def);
        if let Some(instance) = self.choose_instance(p, &needs, placement, owner) {
            return Ok(Some(instance));
        }
        let provider = &self.scenario.providers[p.index()];
        // Managed Instances launch instances for tasks that wait, as managed scaling does.
        if provider.managed_scaling.is_none() && provider.managed_instances.is_none() {
            return Err(Limiter::Capacity);
        }
        if self.fleet.provisioning_total() >= self.scenario.limits.provisioning_limit {
            return Err(Limiter::ProvisioningLimit);
        }
        Ok(None)
    }

    /// Starts a launched EC2 task: on its instance, or waiting in PROVISIONING for one.
    pub(in crate::sim) fn start_on_ec2(&mut self, task: TaskId, instance: Option<InstanceId>) {
        match instance {
            Some(instance) => {
                self.hold(instance, task);
                self.handed_to_agent(task);
            }
            None => {
                let Provider::Asg(p) = self.tasks[task].provider else { return };
                self.tasks.set_awaiting_capacity(task, true);
                if let Owner::Service { service, .. } = self.tasks[task].owner {
                    self.services.ec2_waiting_changed(service, 1);
                }
                let generation = self.tasks[task].generation;
                self.fleet.enqueue_waiting(ProviderId::of_asg(p), task, generation);
                self.request_managed_launch(ProviderId::of_asg(p));
                let timeout = SimTime::from_secs_f64(defaults::PROVISIONING_TIMEOUT_S).as_millis();
                self.schedule_in(timeout, Event::ProvisioningTimeout { task, generation });
            }
        }
    }

    /// The agent has the task: ENI attachment for awsvpc, then PENDING.
    fn handed_to_agent(&mut self, task: TaskId) {
        let latencies = &self.scenario.latencies;
        let (handoff, eni) = (latencies.agent_handoff, latencies.eni_attach);
        let awsvpc = self.scenario.task_defs[self.tasks[task].task_def as usize].network_mode == NetworkMode::Awsvpc;
        let mut delay = self.rng.lognormal_ms(handoff.mean_ms, handoff.spread);
        if awsvpc {
            delay += self.rng.lognormal_ms(eni.mean_ms, eni.spread);
        }
        let generation = self.tasks[task].generation;
        self.schedule_in(delay, Event::Advance { task, generation });
    }

    /// A waiting task left PROVISIONING without an instance (stopped or timed out).
    pub(in crate::sim) fn ec2_waiting_cancelled(&mut self, task: TaskId) {
        self.tasks.set_awaiting_capacity(task, false);
        if let Provider::Asg(p) = self.tasks[task].provider {
            self.fleet.waiting_left(ProviderId::of_asg(p));
            if let Owner::Service { service, .. } = self.tasks[task].owner {
                self.services.ec2_waiting_changed(service, -1);
            }
        }
    }

    /// Places waiting tasks, oldest first, until one does not fit.
    fn place_waiting(&mut self, p: ProviderId) {
        while let Some((task, generation)) = self.fleet.waiting_front(p) {
            if !self.is_current(task, generation) || !self.tasks[task].awaiting_capacity {
                self.fleet.pop_waiting(p);
                continue;
            }
            let t = &self.tasks[task];
            let (task_def, owner) = (t.task_def as usize, t.owner);
            let placement = self.placement_of(owner);
            let needs = self.needs(task_def);
            let Some(instance) = self.choose_instance(p, &needs, &placement, owner) else { break };
            self.fleet.pop_waiting(p);
            self.ec2_waiting_cancelled(task);
            self.hold(instance, task);
            self.handed_to_agent(task);
        }
    }

    pub(in crate::sim) fn placement_of(&self, owner: Owner) -> std::sync::Arc<Placement> {
        match owner {
            Owner::Service { service, .. } => self.scenario.services[service.index()].placement.clone(),
            Owner::Standalone { workload } => self.scenario.run_tasks[workload.index()].placement.clone(),
        }
    }

    /// Image pull on an instance: the first task of an image pulls it; tasks arriving while it downloads wait for
    /// the same pull; later tasks only check the registry (the fixed part of a pull).
    pub(in crate::sim) fn ec2_image_pull_ms(&mut self, task: TaskId) -> u64 {
        let t = &self.tasks[task];
        let (task_def, instance) = (t.task_def, t.instance.expect("EC2 task has an instance"));
        let base = self.scenario.latencies.image_pull_base;
        let check = self.rng.lognormal_ms(base.mean_ms, base.spread);
        let provider = &self.scenario.providers[(self.fleet.instance(instance).provider).index()];
        if provider.images_cached {
            return check;
        }
        let now = self.now;
        if let Some(ready) = self.fleet.pulled(instance, task_def) {
            return ready.since(now).max(check);
        }
        let td = &self.scenario.task_defs[task_def as usize];
        let latencies = &self.scenario.latencies;
        let factor = if td.lazy_loading { latencies.lazy_loading_pull_factor } else { 1.0 };
        let transfer_ms = td.image_mb / latencies.ec2_image_pull_mb_per_s * 1000.0 * factor;
        let transfer = self.rng.lognormal_ms(transfer_ms, base.spread);
        let total = check + transfer;
        self.fleet.remember_pull(instance, task_def, now.plus_ms(total));
        total
    }

    /// The instance is gone: its tasks die with it (no stop sequence beyond detaching).
    pub(in crate::sim) fn terminate_instance(&mut self, id: InstanceId, reason: StopReason) {
        let tasks = self.fleet.instance(id).tasks.clone();
        for task in tasks {
            self.tasks.set_kill_at(task, self.now);
            self.begin_stop(task, reason);
        }
        self.credits_instance_gone(id);
        let launched_at = self.fleet.terminate(id, self.now);
        let (rate, charge) = self.instance_rate(id);
        let minimum = SimTime::from_secs_f64(defaults::EC2_MIN_BILLED_S).as_millis();
        self.accounting.stop_billing(self.now, rate, &charge, minimum.saturating_sub(self.now.since(launched_at)));
        self.record(TraceWhat::Instance { instance: id.raw(), state: InstanceState::Terminated });
    }
}

#[cfg(test)]
mod tests {
    use crate::ids::ProviderId;
    use crate::instance::InstanceState;
    use crate::output::FailedLaunches;
    use crate::sim::testing::{self, i, t};
    use crate::sim::{Event, Simulation};
    use crate::task::TaskState;

    /// A group with managed scaling and no instances; one service task of 1 vCPU, launched and waiting.
    fn waiting_for_an_instance() -> Simulation {
        let scenario = testing::ec2(r#""max_size": 2, "managed_scaling": {}"#, r#", "cpu": 1024"#, "", "");
        let mut sim = testing::checked(scenario);
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        sim
    }

    #[test]
    fn a_task_without_room_waits_in_provisioning_until_its_timeout() {
        let sim = waiting_for_an_instance();
        let task = &sim.tasks[t(0)];
        assert_eq!((task.state, task.awaiting_capacity, task.instance), (TaskState::Provisioning, true, None));
        assert_eq!(sim.fleet.providers()[0].waiting_count(), 1);
        let timeout = sim
            .queued()
            .into_iter()
            .find(|(_, e)| matches!(e, Event::ProvisioningTimeout { task, .. } if *task == t(0)));
        assert_eq!(timeout.map(|(at, _)| at.since(sim.now)), Some(30 * 60_000));
    }

    #[test]
    fn a_registered_instance_takes_the_waiting_task() {
        let mut sim = waiting_for_an_instance();
        sim.step_through(|e| matches!(e, Event::InstanceRegistered { .. }));
        let instance = sim.fleet.instance(i(0));
        assert_eq!(instance.state, InstanceState::Active);
        assert_eq!(instance.tasks, vec![t(0)]);
        assert_eq!(instance.cpu_free, instance.cpu_total() - 1024);
        let task = &sim.tasks[t(0)];
        assert_eq!((task.instance, task.awaiting_capacity), (Some(i(0)), false));
        assert_eq!(sim.fleet.providers()[0].waiting_count(), 0);
        // Handed to the agent: its next step is queued.
        assert!(sim.queued().iter().any(|(_, e)| matches!(e, Event::Advance { task, generation: 0 } if *task == t(0))));
    }

    /// A group of c5.large then m5.large (prioritized) in two zones; `dry` lists its pools out of capacity.
    fn two_types_two_zones(dry: &str, top: &str) -> Simulation {
        let provider = format!(
            r#""instance_types": ["c5.large", "m5.large"], "max_size": 4,
               "availability_zones": ["us-east-1a", "us-east-1b"], "insufficient_capacity": [{dry}]"#
        );
        testing::checked(testing::ec2(&provider, "", r#""desired_count": 0"#, top))
    }

    fn pool(sim: &Simulation, id: crate::ids::InstanceId) -> (&'static str, u16) {
        let instance = sim.fleet.instance(id);
        (instance.instance_type.name, instance.zone)
    }

    #[test]
    fn a_launch_passes_over_a_dry_pool_to_the_next_type_in_the_zone() {
        let mut sim = two_types_two_zones(r#"{ "instance_type": "c5.large", "zone": "us-east-1a" }"#, "");
        let p = ProviderId::from_index(0);
        // Zone a (both empty, first) has no c5.large: the next type in the prioritized order, in the same zone.
        let first = sim.launch_instance(p).expect("m5.large in us-east-1a has room");
        assert_eq!(pool(&sim, first), ("m5.large", 0));
        // Zone b is now the less populated one, and its c5.large pool has room.
        let second = sim.launch_instance(p).expect("c5.large in us-east-1b has room");
        assert_eq!(pool(&sim, second), ("c5.large", 1));
        assert_eq!(sim.fleet.providers()[0].failed_launches(), 0);
    }

    #[test]
    fn a_single_type_group_launches_in_another_zone_when_its_zone_is_dry() {
        let provider = r#""max_size": 4, "availability_zones": ["us-east-1a", "us-east-1b"],
            "insufficient_capacity": [{ "instance_type": "m5.large", "zone": "us-east-1a" }]"#;
        let mut sim = testing::checked(testing::ec2(provider, "", r#""desired_count": 0"#, ""));
        let p = ProviderId::from_index(0);
        let zones: Vec<u16> =
            (0..3).filter_map(|_| sim.launch_instance(p).map(|i| sim.fleet.instance(i).zone)).collect();
        // Balanced best effort: every launch goes to the zone that still has capacity.
        assert_eq!(zones, [1, 1, 1]);
    }

    #[test]
    fn when_every_pool_refuses_the_launch_fails_visibly() {
        let dry = r#"{ "instance_type": "c5.large", "zone": "us-east-1a" }, { "instance_type": "m5.large", "zone": "us-east-1a" },
                     { "instance_type": "c5.large", "zone": "us-east-1b" }, { "instance_type": "m5.large", "zone": "us-east-1b" }"#;
        let mut sim = two_types_two_zones(dry, "");
        let p = ProviderId::from_index(0);
        let queued = sim.queued().len();
        assert_eq!(sim.launch_instance(p), None);
        assert_eq!(sim.fleet.live_instances(), 0);
        // Nothing booting, and the failure counted and traced.
        assert_eq!(sim.queued().len(), queued);
        assert_eq!(sim.fleet.providers()[0].failed_launches(), 1);
        assert_eq!(sim.metrics().failed_launches, [FailedLaunches { provider: "asg".into(), launches: 1 }]);
        sim.trace_failed_launches(p, 1);
        let last = sim.trace().last().expect("a trace line").to_string();
        assert!(
            last.ends_with("asg failed to launch 1 instance: InsufficientInstanceCapacity in every pool"),
            "{last}"
        );
    }

    #[test]
    fn a_pool_capacity_event_dries_a_pool_up_and_brings_it_back() {
        let events = r#""events": [
            { "type": "pool_capacity", "at_s": 10, "provider": "asg", "instance_type": "c5.large", "zone": "us-east-1a", "available": false },
            { "type": "pool_capacity", "at_s": 20, "provider": "asg", "instance_type": "c5.large", "zone": "us-east-1a", "available": true }]"#;
        let mut sim = two_types_two_zones("", events);
        let p = ProviderId::from_index(0);
        sim.step_through(|e| matches!(e, Event::Timed { .. }));
        assert_eq!(sim.fleet.providers()[0].dry_pools(), [(0, 0)]);
        assert_eq!(sim.view().providers[0].pools_out_of_capacity, ["c5.large in us-east-1a"]);
        let id = sim.launch_instance(p).expect("m5.large has room");
        assert_eq!(pool(&sim, id), ("m5.large", 0));
        sim.step_through(|e| matches!(e, Event::Timed { .. }));
        assert!(sim.fleet.providers()[0].dry_pools().is_empty());
        let trace: Vec<String> = sim.trace().iter().map(ToString::to_string).collect();
        assert!(trace.iter().any(|l| l.ends_with("asg pool c5.large in us-east-1a out of capacity")), "{trace:?}");
        assert!(trace.iter().any(|l| l.ends_with("asg pool c5.large in us-east-1a has capacity again")), "{trace:?}");
    }

    #[test]
    fn a_terminated_instance_stops_its_tasks_and_leaves_the_group() {
        let scenario = testing::ec2(r#""max_size": 2, "desired_capacity": 1"#, "", r#", "desired_count": 2"#, "");
        let mut sim = testing::checked(scenario);
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        assert_eq!(sim.fleet.instance(i(0)).tasks.len(), 2);
        sim.terminate_instance(i(0), crate::task::StopReason::InstanceTerminated);
        assert_eq!(sim.fleet.instance(i(0)).state, InstanceState::Terminated);
        assert_eq!(sim.fleet.live_instances(), 0);
        assert!(sim.tasks.all().iter().all(|t| t.stopping && t.kill_at == Some(sim.now)));
        sim.assert_invariants();
    }
}
