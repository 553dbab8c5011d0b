//! EC2 Spot (`docs/model.md` §4.5): interruption notices two minutes before termination, as timed waves that hit one
//! Spot pool (an instance type in an Availability Zone) and as a random rate per instance; instance draining at
//! the notice when `ECS_ENABLE_SPOT_INSTANCE_DRAINING` is on; ASG Capacity Rebalancing (the old instance goes once its
//! replacement is in service); ECS managed instance draining of instances the group terminates; replacements.
//!
//! Diversification matters because a wave hits one pool: the more types and zones a group spreads over, the
//! fewer of its instances (and tasks) share the pool that is reclaimed.

use crate::defaults;
use crate::ids::{InstanceId, ProviderId};
use crate::instance::InstanceState;
use crate::output::TraceWhat;
use crate::scenario::TimedAction;
use crate::sim::{Event, Simulation};
use crate::task::{Owner, StopReason, TaskState};
use crate::time::SimTime;

impl Simulation {
    /// Draws when a new Spot instance will be interrupted, from its type's Spot Instance Advisor frequency.
    pub(in crate::sim) fn schedule_random_interruption(&mut self, id: InstanceId) {
        let instance = self.fleet.instance(id);
        let provider_id = instance.provider;
        let provider = &self.scenario.providers[provider_id.index()];
        let type_index = provider.instance_types.iter().position(|t| t.name == instance.instance_type.name);
        let rate = type_index.and_then(|i| provider.interruptions_per_instance_hour.get(i)).copied().unwrap_or(0.0);
        if rate <= 0.0 {
            return;
        }
        let after = self.rng.exponential_ms(3_600_000.0 / rate);
        if self.now.plus_ms(after) < self.scenario.horizon {
            self.schedule_in(after, Event::SpotNotice { instance: id });
            if let Some(lead) = self.recommendation_lead(provider_id) {
                self.schedule_in(after.saturating_sub(lead), Event::RebalanceRecommendation { instance: id });
            }
        }
    }

    /// The two-minute interruption notice for an instance.
    #[inline(never)]
    pub(in crate::sim) fn spot_notice(&mut self, id: InstanceId) {
        let Some((p, state)) = self.fleet.notice(id, self.now) else { return };
        self.accounting.count_interruption();
        self.record(TraceWhat::SpotNotice { instance: id.raw() });
        let provider = &self.scenario.providers[p.index()];
        let (draining, rebalance) = (provider.spot_draining, provider.capacity_rebalance);
        if rebalance && self.fleet.instance(id).rebalance_at.is_none() {
            // Capacity Rebalancing launches the replacement first, then lets the old instance go.
            self.replace_instance(p, Some(id));
        }
        let warning = SimTime::from_secs_f64(defaults::SPOT_WARNING_S).as_millis();
        let kill_at = self.now.plus_ms(warning);
        for &task in &self.fleet.instance(id).tasks {
            self.tasks.set_kill_at(task, kill_at);
        }
        if draining && state == InstanceState::Active {
            self.drain_instance(id);
        }
        self.schedule_in(warning, Event::SpotTermination { instance: id });
    }

    /// DRAINING: service tasks not yet RUNNING stop at once; running service tasks are replaced by their schedulers
    /// within the deployment bounds; standalone tasks are left alone, PENDING or RUNNING. *Draining Amazon ECS
    /// container instances*: "Any tasks that are part of a service that are in a `PENDING` state are stopped
    /// immediately"; *UpdateContainerInstancesState* (ECS API Reference): "Any PENDING or RUNNING tasks that do not
    /// belong to a service aren't affected. You must wait for them to finish or stop them manually."
    pub(in crate::sim) fn drain_instance(&mut self, id: InstanceId) {
        self.fleet.transition(id, InstanceState::Active, InstanceState::Draining);
        // Drained for a Spot interruption notice, or because the group terminates the instance.
        let reason = if self.fleet.instance(id).notice_at.is_some() {
            StopReason::SpotInterrupted
        } else {
            StopReason::InstanceTerminated
        };
        self.record(TraceWhat::Instance { instance: id.raw(), state: InstanceState::Draining });
        for task in self.fleet.instance(id).tasks.clone() {
            let t = &self.tasks[task];
            if t.stopping {
                continue;
            }
            match (t.state, t.owner) {
                (_, Owner::Standalone { .. }) => {}
                (TaskState::Provisioning | TaskState::Pending | TaskState::Activating, Owner::Service { .. }) => {
                    self.begin_stop(task, reason)
                }
                (_, Owner::Service { service, .. }) => {
                    self.tasks.set_on_draining(task);
                    self.service_task_on_draining(service);
                }
            }
        }
    }

    #[inline(never)]
    pub(in crate::sim) fn spot_termination(&mut self, id: InstanceId) {
        let instance = self.fleet.instance(id);
        if instance.state == InstanceState::Terminated {
            return;
        }
        let p = instance.provider;
        self.terminate_instance(id, StopReason::SpotInterrupted);
        if !self.scenario.providers[p.index()].capacity_rebalance {
            // The Auto Scaling group keeps its desired capacity: it replaces the reclaimed instance.
            self.replace_instance(p, None);
        }
    }

    /// The group launches a replacement, if its maximum size allows; for Capacity Rebalancing it remembers the
    /// instance replaced, which the group terminates once the replacement is in service. *Use Capacity Rebalancing
    /// to handle Amazon EC2 Spot Interruptions* (EC2 Auto Scaling User Guide): "When launching a new instance,
    /// Amazon EC2 Auto Scaling waits until the new instance passes its health check before it proceeds with
    /// terminating the previous instance", and "being at or near the specified maximum capacity could impede or
    /// completely halt rebalancing activities. To avoid this problem, Amazon EC2 Auto Scaling can temporarily exceed
    /// the specified maximum capacity of a group during a rebalancing activity." That page gives no margin; the
    /// engine uses the one the same guide documents for Availability Zone rebalancing: "a 10 percent margin (or by
    /// a margin of one instance, whichever is greater)".
    fn replace_instance(&mut self, p: ProviderId, replaced: Option<InstanceId>) {
        let max_size = self.scenario.providers[p.index()].max_size;
        let margin = if replaced.is_some() { (max_size / 10).max(1) } else { 0 };
        if self.fleet.group_size(p) < max_size + margin {
            // A replacement no pool can take is not launched (traced and counted as a failed launch).
            match (self.launch_instance(p), replaced) {
                (None, _) => self.trace_failed_launches(p, 1),
                (Some(new), Some(old)) => self.fleet.set_replaces(new, old),
                (Some(_), None) => {}
            }
        }
    }

    /// The group terminates an instance (Capacity Rebalancing, scale-in). With
    /// ECS managed instance draining, the instance goes DRAINING and is terminated once its service tasks are
    /// replaced (the Auto Scaling lifecycle hook holds the termination meanwhile); without, it goes at once.
    /// *AutoScalingGroupProvider* (ECS API Reference), `managedDraining`: "When you enable this, Amazon ECS manages
    /// and gracefully drains the EC2 container instances that are in the Auto Scaling group capacity provider."
    /// A Spot interruption still ends the instance at notice + 2 minutes, drained or not.
    pub(in crate::sim) fn group_terminates(&mut self, id: InstanceId) {
        let instance = self.fleet.instance(id);
        if instance.state == InstanceState::Terminated || instance.terminating {
            return;
        }
        let (p, state, empty) = (instance.provider, instance.state, instance.tasks.is_empty());
        // An empty instance has nothing to drain: it goes at once either way.
        if !self.scenario.providers[p.index()].managed_draining || empty {
            self.terminate_instance(id, StopReason::InstanceTerminated);
            return;
        }
        self.fleet.set_terminating(id, true);
        if state == InstanceState::Active {
            self.drain_instance(id);
        }
        self.terminate_if_drained(id);
    }

    /// Terminates an instance the group is terminating once no service task is left on it. Standalone tasks do
    /// not hold it: draining leaves them alone, and they end with the instance.
    pub(in crate::sim) fn terminate_if_drained(&mut self, id: InstanceId) {
        let instance = self.fleet.instance(id);
        if !instance.terminating || instance.state == InstanceState::Terminated {
            return;
        }
        if instance.tasks.iter().any(|&t| matches!(self.tasks[t].owner, Owner::Service { .. })) {
            return;
        }
        // Unmarked first: the stops below release resources and come back here.
        self.fleet.set_terminating(id, false);
        self.terminate_instance(id, StopReason::InstanceTerminated);
    }

    /// The lead of a group's rebalance recommendations, when they come ahead of the notice and Capacity
    /// Rebalancing acts on them.
    fn recommendation_lead(&self, p: ProviderId) -> Option<u64> {
        let provider = &self.scenario.providers[p.index()];
        (provider.capacity_rebalance && provider.rebalance_lead_ms > 0).then_some(provider.rebalance_lead_ms)
    }

    /// For a timed EC2 Spot wave on a group whose recommendations come early: the lead.
    pub(in crate::sim) fn wave_recommendation_lead(&self, index: usize) -> Option<u64> {
        match self.scenario.events[index].action {
            TimedAction::Ec2SpotWave { provider, .. } => self.recommendation_lead(ProviderId::from_index(provider)),
            _ => None,
        }
    }

    /// A rebalance recommendation: with Capacity Rebalancing the group launches the replacement now, and terminates
    /// the old instance once the replacement is in service (draining it first with managed instance draining).
    #[inline(never)]
    pub(in crate::sim) fn rebalance_recommendation(&mut self, id: InstanceId) {
        let Some(p) = self.fleet.recommend_rebalance(id, self.now) else { return };
        self.record(TraceWhat::RebalanceRecommendation { instance: id.raw() });
        self.replace_instance(p, Some(id));
    }

    /// Recommendations ahead of a wave: the wave's instances are chosen now; their notices come at the wave's time.
    #[inline(never)]
    pub(in crate::sim) fn wave_recommendation(&mut self, index: usize) {
        let event = &self.scenario.events[index];
        let TimedAction::Ec2SpotWave { provider, instance_type, zone, fraction } = event.action else { return };
        let at = event.at;
        for id in self.wave_instances(ProviderId::from_index(provider), instance_type, zone, fraction) {
            self.rebalance_recommendation(id);
            self.schedule(at, Event::SpotNotice { instance: id });
        }
    }

    /// A timed interruption of one instance: its two-minute notice, if it is a live Spot instance not yet noticed.
    /// EC2 interrupts only Spot Instances (*Spot Instance interruptions*, EC2 User Guide: "You can launch Spot
    /// Instances on spare EC2 capacity for steep discounts in exchange for returning them when Amazon EC2 needs the
    /// capacity back"; *Spot Instance interruption notices*: "a warning that is issued two minutes before Amazon EC2
    /// stops or terminates your Spot Instance"); an instance that is not one (On-Demand, ECS Anywhere, not launched
    /// yet, terminated) is left alone.
    pub(in crate::sim) fn interrupt_instance(&mut self, id: InstanceId) {
        let Some(instance) = self.fleet.instances().get(id.index()) else { return };
        let provider = &self.scenario.providers[instance.provider.index()];
        if provider.purchase == crate::spec::Purchase::Spot && !provider.external {
            self.spot_notice(id);
        }
    }

    /// A wave: `fraction` of the instances in one pool (the named type and zone, or the largest pool).
    pub(in crate::sim) fn ec2_spot_wave(
        &mut self,
        p: ProviderId,
        instance_type: Option<&'static str>,
        zone: Option<u16>,
        fraction: f64,
    ) {
        for id in self.wave_instances(p, instance_type, zone, fraction) {
            self.spot_notice(id);
        }
    }

    /// The instances a wave takes: `fraction` of one pool's, chosen at random.
    fn wave_instances(
        &mut self,
        p: ProviderId,
        instance_type: Option<&'static str>,
        zone: Option<u16>,
        fraction: f64,
    ) -> Vec<InstanceId> {
        let instances = &self.fleet.instances;
        let live: Vec<InstanceId> = self.fleet.providers[p.index()]
            .instances
            .ids()
            .iter()
            .copied()
            .filter(|&i| instances[i.index()].notice_at.is_none())
            .collect();
        let pool_of = |i: InstanceId| {
            let instance = &instances[i.index()];
            (instance.instance_type.name, instance.zone)
        };
        let mut pools: Vec<((&'static str, u16), u32)> = Vec::new();
        for &i in &live {
            let key = pool_of(i);
            match pools.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => *n += 1,
                None => pools.push((key, 1)),
            }
        }
        crate::sort::sort(&mut pools);
        let chosen = pools
            .iter()
            .filter(|((t, z), _)| instance_type.is_none_or(|it| it == *t) && zone.is_none_or(|zz| zz == *z))
            .max_by_key(|(_, n)| *n)
            .map(|(key, _)| *key);
        let Some(pool) = chosen else { return Vec::new() };
        let mut members: Vec<InstanceId> = live.into_iter().filter(|&i| pool_of(i) == pool).collect();
        let n = members.len() as u64;
        let take = crate::narrow::round_u64(fraction * n as f64).min(n);
        for i in 0..take {
            let j = i + self.rng.below(n - i);
            members.swap(crate::narrow::usize_of(i), crate::narrow::usize_of(j));
        }
        members.truncate(crate::narrow::usize_of(take));
        members
    }
}

#[cfg(test)]
mod tests {
    use crate::instance::InstanceState;
    use crate::sim::testing::{self, i};
    use crate::sim::{Event, Simulation};
    use crate::task::{Owner, StopReason, TaskState};
    use crate::time::SimTime;

    /// Two Spot instances with draining on, two running service tasks on each.
    fn running_on_spot(draining: bool) -> Simulation {
        let provider = format!(
            r#""instance_types": ["m5.large"], "purchase": "spot", "allocation_strategy": "capacity-optimized", "availability_zones": ["us-east-1a"],
               "max_size": 3, "desired_capacity": 2, "spot_draining": {draining}"#
        );
        let mut sim = testing::checked(testing::ec2(&provider, "", r#", "desired_count": 4"#, ""));
        sim.step_until(SimTime::from_secs_f64(600.0));
        sim.assert_invariants();
        assert!(sim.tasks.all().iter().all(|t| t.state == TaskState::Running));
        sim
    }

    /// A timed interruption of one instance by its id: the notice at the event's time for a live Spot instance;
    /// On-Demand instances and ids no instance has are left alone.
    #[test]
    fn a_timed_instance_interruption_notices_that_spot_instance_only() {
        let events = r#""events": [{ "type": "ec2_instance_interruption", "at_s": 600, "instance": "i-00000001" },
                                   { "type": "ec2_instance_interruption", "at_s": 600, "instance": "i-000000ff" }]"#;
        let provider = r#""instance_types": ["m5.large"], "purchase": "spot", "allocation_strategy": "capacity-optimized",
               "availability_zones": ["us-east-1a"], "max_size": 3, "desired_capacity": 2, "spot_draining": true"#;
        let mut sim = testing::checked(testing::ec2(provider, "", r#", "desired_count": 4"#, events));
        sim.step_until(SimTime::from_secs_f64(600.0));
        sim.assert_invariants();
        assert_eq!(sim.fleet.instance(i(1)).notice_at, Some(SimTime::from_secs_f64(600.0)));
        assert_eq!(sim.fleet.instance(i(0)).notice_at, None);
        assert_eq!(sim.accounting.interruptions(), 1);
        // The same event on an On-Demand group does nothing.
        let on_demand = r#""instance_types": ["m5.large"], "availability_zones": ["us-east-1a"],
               "max_size": 3, "desired_capacity": 2"#;
        let mut sim = testing::checked(testing::ec2(on_demand, "", r#", "desired_count": 4"#, events));
        sim.step_until(SimTime::from_secs_f64(700.0));
        assert_eq!(sim.accounting.interruptions(), 0);
        assert!(sim.fleet.instances().iter().all(|instance| instance.notice_at.is_none()));
    }

    #[test]
    fn a_notice_drains_the_instance_and_sets_its_tasks_deadline() {
        let mut sim = running_on_spot(true);
        let on_it = sim.fleet.instance(i(0)).tasks.clone();
        assert!(!on_it.is_empty());
        sim.spot_notice(i(0));
        let kill = sim.now.plus_ms(120_000);
        let instance = sim.fleet.instance(i(0));
        assert_eq!((instance.state, instance.notice_at), (InstanceState::Draining, Some(sim.now)));
        for &task in &on_it {
            // Running service tasks are left to their scheduler to replace, with the warning's deadline.
            let t = &sim.tasks[task];
            assert!(t.on_draining && !t.stopping && t.kill_at == Some(kill));
        }
        assert_eq!(sim.accounting.interruptions(), 1);
        let terminations: Vec<_> = sim
            .queued()
            .into_iter()
            .filter(|(_, e)| matches!(e, Event::SpotTermination { instance } if *instance == i(0)))
            .collect();
        assert_eq!(terminations.len(), 1);
        assert_eq!(terminations[0].0, kill);
        sim.assert_invariants();
        // A second notice for the same instance changes nothing.
        sim.spot_notice(i(0));
        assert_eq!(sim.accounting.interruptions(), 1);
    }

    /// Draining leaves standalone tasks alone even before they run, and stops only the service's PENDING tasks.
    #[test]
    fn draining_stops_pending_service_tasks_and_leaves_pending_standalone_tasks_alone() {
        let provider = r#""instance_types": ["m5.large"], "purchase": "spot", "allocation_strategy": "capacity-optimized", "availability_zones": ["us-east-1a"],
               "max_size": 2, "desired_capacity": 1, "spot_draining": true"#;
        let top = r#""run_tasks": [{ "name": "job", "task_definition": "web", "count": 2, "at_s": 1,
               "capacity_provider_strategy": [{ "capacity_provider": "asg", "weight": 1 }] }]"#;
        let mut sim = testing::checked(testing::ec2(
            provider,
            r#""image_mb": 2000, "network_mode": "bridge""#,
            r#", "desired_count": 2"#,
            top,
        ));
        // Step until every task is on the instance and none has started: all PENDING (pulling the big image).
        while !(sim.tasks.all().len() == 4 && sim.tasks.all().iter().all(|t| t.state == TaskState::Pending)) {
            assert!(sim.step(), "the tasks never were all PENDING together");
        }
        sim.spot_notice(i(0));
        sim.assert_invariants();
        for t in sim.tasks.all() {
            match t.owner {
                Owner::Standalone { .. } => assert!(!t.stopping && t.state == TaskState::Pending),
                Owner::Service { .. } => assert!(t.stopping),
            }
        }
    }

    /// Capacity Rebalancing at the notice: a Spot group of two, Spot draining off, managed draining as given.
    fn rebalancing(managed_draining: bool) -> Simulation {
        let provider = format!(
            r#""instance_types": ["m5.large"], "purchase": "spot", "allocation_strategy": "capacity-optimized", "availability_zones": ["us-east-1a"],
               "max_size": 3, "desired_capacity": 2, "capacity_rebalance": true, "managed_draining": {managed_draining}"#
        );
        let mut sim = testing::checked(testing::ec2(&provider, "", r#", "desired_count": 4"#, ""));
        sim.step_until(SimTime::from_secs_f64(600.0));
        sim.spot_notice(i(0));
        assert_eq!(sim.fleet.instance(i(2)).replaces, Some(i(0)));
        sim.step_through(|e| matches!(e, Event::InstanceBooted { instance } if *instance == i(2)));
        sim
    }

    /// The old instance goes when its replacement is in service, not at the interruption two minutes after the
    /// notice; with managed draining its service tasks are replaced first.
    #[test]
    fn a_replacement_no_pool_can_take_is_a_failed_launch() {
        let provider = r#""instance_types": ["m5.large"], "purchase": "spot", "allocation_strategy": "capacity-optimized",
            "availability_zones": ["us-east-1a"], "max_size": 3, "desired_capacity": 1,
            "insufficient_capacity": [{ "instance_type": "m5.large", "zone": "us-east-1a" }]"#;
        let mut sim = testing::checked(testing::ec2(provider, "", r#", "desired_count": 2"#, ""));
        // The instance running at the start was launched before the pool ran dry.
        assert_eq!(sim.fleet.live_instances(), 1);
        sim.spot_termination(i(0));
        // The group's replacement finds no capacity: nothing launches, the failure is counted and traced.
        assert_eq!(sim.fleet.live_instances(), 0);
        assert_eq!(sim.fleet.providers()[0].failed_launches(), 1);
        let last = sim.trace().last().expect("a trace line").to_string();
        assert!(
            last.ends_with("asg failed to launch 1 instance: InsufficientInstanceCapacity in every pool"),
            "{last}"
        );
        sim.assert_invariants();
    }

    #[test]
    fn capacity_rebalancing_terminates_the_old_instance_once_the_replacement_is_in_service() {
        let notice = SimTime::from_secs_f64(600.0);
        let plain = rebalancing(false);
        let booted = plain.now;
        assert!(booted < notice.plus_ms(120_000));
        assert_eq!(plain.fleet.instance(i(0)).state, InstanceState::Terminated);
        let killed: Vec<_> = plain.tasks.all().iter().filter(|t| t.stop_reason.is_some()).collect();
        assert_eq!(killed.len(), 2, "its two tasks died with it");
        plain.assert_invariants();

        let mut drained = rebalancing(true);
        assert_eq!(drained.fleet.instance(i(0)).state, InstanceState::Draining);
        assert!(drained.fleet.instance(i(0)).terminating);
        assert!(drained.fleet.instance(i(0)).tasks.iter().all(|&t| drained.tasks[t].on_draining));
        drained.step_until(notice.plus_ms(119_000));
        // Replaced on the other instances, then stopped: the instance is gone before the interruption.
        assert_eq!(drained.fleet.instance(i(0)).state, InstanceState::Terminated);
        let on_it: Vec<_> = drained.tasks.all().iter().filter(|t| t.instance == Some(i(0))).collect();
        assert!(on_it.iter().all(|t| t.on_draining && t.stop_reason == Some(StopReason::SpotInterrupted)), "{on_it:?}");
        assert_eq!(drained.metrics().services[0].running, 4);
        drained.assert_invariants();
    }

    /// An On-Demand group terminates an instance that runs service tasks (as a scale-in without termination
    /// protection does): with managed draining they are replaced first, without it they die with it.
    #[test]
    fn managed_draining_replaces_service_tasks_before_the_group_terminates_the_instance() {
        let run = |managed_draining: bool| {
            let provider = format!(r#""max_size": 3, "desired_capacity": 2, "managed_draining": {managed_draining}"#);
            let mut sim = testing::checked(testing::ec2(
                &provider,
                r#", "network_mode": "bridge""#,
                r#", "desired_count": 4"#,
                "",
            ));
            sim.step_until(SimTime::from_secs_f64(300.0));
            assert!(!sim.fleet.instance(i(0)).tasks.is_empty());
            sim.group_terminates(i(0));
            sim
        };
        let mut drained = run(true);
        assert_eq!(drained.fleet.instance(i(0)).state, InstanceState::Draining);
        assert!(drained.tasks.all().iter().all(|t| !t.stopping), "nothing stops before its replacement is healthy");
        while drained.now < SimTime::from_secs_f64(400.0) && drained.step() {
            assert!(drained.metrics().services[0].healthy >= 4, "a drained task stopped before its replacement");
        }
        assert_eq!(drained.fleet.instance(i(0)).state, InstanceState::Terminated);
        let stopped: Vec<_> = drained.tasks.all().iter().filter_map(|t| t.stop_reason).collect();
        assert!(!stopped.is_empty() && stopped.iter().all(|&r| r == StopReason::InstanceTerminated), "{stopped:?}");

        let plain = run(false);
        assert_eq!(plain.fleet.instance(i(0)).state, InstanceState::Terminated);
        assert!(plain.metrics().services[0].healthy < 4, "its tasks died with it");
    }

    /// At its maximum size a group still launches a Capacity Rebalancing replacement: it may exceed the maximum
    /// for the time of the rebalancing.
    #[test]
    fn capacity_rebalancing_may_exceed_the_maximum_size() {
        let provider = r#""instance_types": ["m5.large"], "purchase": "spot", "allocation_strategy": "capacity-optimized", "availability_zones": ["us-east-1a"],
               "max_size": 2, "desired_capacity": 2, "capacity_rebalance": true"#;
        let mut sim = testing::checked(testing::ec2(provider, "", r#", "desired_count": 2"#, ""));
        sim.step_until(SimTime::from_secs_f64(300.0));
        sim.spot_notice(i(0));
        assert_eq!(sim.fleet.instances().len(), 3);
        assert_eq!(sim.fleet.instance(i(2)).replaces, Some(i(0)));
        // Back at two once the old instance is gone.
        sim.step_until(SimTime::from_secs_f64(600.0));
        assert_eq!(sim.fleet.group_size(crate::ids::ProviderId::from_index(0)), 2);
        // A second notice on a group at its maximum: one more over, no further.
        sim.spot_notice(i(1));
        sim.spot_notice(i(2));
        assert_eq!(sim.fleet.group_size(crate::ids::ProviderId::from_index(0)), 3);
    }

    #[test]
    fn without_draining_the_tasks_run_until_the_termination() {
        let mut sim = running_on_spot(false);
        sim.spot_notice(i(1));
        assert_eq!(sim.fleet.instance(i(1)).state, InstanceState::Active);
        assert!(sim.fleet.instance(i(1)).tasks.iter().all(|&t| !sim.tasks[t].on_draining));
        sim.step_through(|e| matches!(e, Event::SpotTermination { .. }));
        assert_eq!(sim.fleet.instance(i(1)).state, InstanceState::Terminated);
        // The group replaces the reclaimed instance.
        assert_eq!(sim.fleet.instances().len(), 3);
        assert_eq!(sim.fleet.instance(i(2)).state, InstanceState::Launching);
    }
}
