//! Amazon ECS Managed Instances (`docs/model.md` §4.9): a capacity provider with no Auto Scaling group and no
//! managed scaling. ECS launches instances for the tasks that wait for it, of the cheapest instance type its
//! requirements allow; removes instances that stay idle for `scaleInAfter`; drains every instance at day 14 for
//! patching; adds a management fee per instance-hour to the EC2 price. Instances, placement, image pulls and Spot
//! interruptions are the fleet's, as for any group.
//!
//! What AWS documents, quoted where used:
//! - *Architect for Amazon ECS Managed Instances*: "AWS automatically selects the most cost-optimized
//!   general-purpose Amazon EC2 instance types that meet your workload needs" and "By default, Amazon ECS Managed
//!   Instances optimizes infrastructure utilization by placing multiple smaller tasks on larger instances".
//! - *Amazon ECS Managed Instances auto scaling and task placement*: "For services with multiple tasks, Amazon ECS
//!   Managed Instances ensure distribution across at least 3 instances in different Availability Zones when
//!   possible" and "Availability Zone spread takes precedence over bin packing optimization".
//! - *Amazon ECS Managed Instances infrastructure optimization*: "Idle Instance Detection: Identifies and removes
//!   EC2 instances that have no running tasks ... the optimization process marks the container instance as
//!   DEREGISTERING, which initiates the cleanup sequence that safely terminates the underlying EC2 instance."
//!   Underutilized-instance consolidation (moving tasks to fill fewer instances) is not modelled.
//! - *Patching in Amazon ECS Managed Instances*: "Amazon ECS initiates graceful workload draining at day 14 from
//!   instance launch".
//!
//! Not published, so settings marked as assumptions (`defaults.rs`): how soon ECS launches for waiting tasks, the
//! default idle delay, the fee table. How ECS sizes a launch is not published either: here each group of waiting
//! tasks with identical needs gets the type that runs all of them for the lowest hourly price (instance price plus
//! fee), after the room left on instances already on their way is counted. The computation is pure
//! ([`select_type`], [`plan`]); `managed_launch` gathers its inputs and launches.

use super::scaling::tasks_per_instance;
use super::Needs;
use crate::defaults;
use crate::ids::{InstanceId, ProviderId};
use crate::instance::InstanceState;
use crate::instance_types::InstanceType;
use crate::narrow;
use crate::output::TraceWhat;
use crate::sim::{Event, Simulation};
use crate::spec::Purchase;
use crate::task::StopReason;
use crate::time::SimTime;

/// Room left on an instance that is launching or registering: waiting tasks will be placed on it when it
/// registers, so a launch does not buy an instance for them again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::sim) struct Room {
    pub cpu: u32,
    pub memory: u32,
    pub enis: u32,
}

impl Room {
    /// How many tasks of `needs` fit in the room (one with fixed host ports: an empty instance takes one).
    fn fits(&self, needs: &Needs) -> u32 {
        let mut n = (self.cpu / needs.cpu.max(1)).min(self.memory / needs.memory.max(1));
        if needs.eni {
            n = n.min(self.enis);
        }
        if !needs.fixed_ports.is_empty() {
            n = n.min(1);
        }
        n
    }

    fn take(&mut self, needs: &Needs, n: u32) {
        self.cpu -= needs.cpu * n;
        self.memory -= needs.memory * n;
        if needs.eni {
            self.enis -= n;
        }
        if !needs.fixed_ports.is_empty() {
            // Another task with the same host port cannot join: close the room to it.
            self.cpu = 0;
        }
    }
}

/// The instance type that runs `count` tasks of `needs` for the lowest hourly price (`hour_usd`, indexed like
/// `types`) among those of the task's CPU architecture, and how many instances of it that takes. Ties go to fewer
/// instances (larger ones: "placing multiple smaller tasks on larger instances"), then to the catalogue order.
/// `None` when no type holds one task.
pub(in crate::sim) fn select_type(
    types: &[InstanceType],
    hour_usd: &[f64],
    eni_trunking: bool,
    needs: &Needs,
    count: u32,
) -> Option<(usize, u32)> {
    types
        .iter()
        .enumerate()
        // A task runs only on its task definition's CPU architecture (runtimePlatform).
        .filter(|(_, ty)| ty.architecture == needs.architecture)
        .filter_map(|(t, ty)| {
            let per = tasks_per_instance(ty, eni_trunking, needs);
            (per > 0).then(|| (t, count.div_ceil(per)))
        })
        .min_by(|&(a, na), &(b, nb)| {
            let (ca, cb) = (f64::from(na) * hour_usd[a], f64::from(nb) * hour_usd[b]);
            ca.total_cmp(&cb).then(na.cmp(&nb)).then(a.cmp(&b))
        })
}

/// The launches for the waiting tasks, grouped by identical needs (oldest group first): the room on instances on
/// their way first, then [`select_type`] for the rest of each group. Then at least `spread_min` instances in all
/// (the documented spread of a service's tasks over at least three instances in different zones), more of the
/// first chosen type. Returns (type index, instances), one entry per type, in the order first chosen.
pub(in crate::sim) fn plan(
    types: &[InstanceType],
    hour_usd: &[f64],
    eni_trunking: bool,
    waiting: &[(Needs, u32)],
    rooms: &mut [Room],
    spread_min: u32,
) -> Vec<(usize, u32)> {
    let mut launches: Vec<(usize, u32)> = Vec::new();
    for (needs, count) in waiting {
        let mut left = *count;
        for room in rooms.iter_mut() {
            let n = room.fits(needs).min(left);
            room.take(needs, n);
            left -= n;
        }
        if left == 0 {
            continue;
        }
        let Some((t, n)) = select_type(types, hour_usd, eni_trunking, needs, left) else { continue };
        match launches.iter_mut().find(|(lt, _)| *lt == t) {
            Some((_, total)) => *total += n,
            None => launches.push((t, n)),
        }
    }
    let total: u32 = launches.iter().map(|&(_, n)| n).sum();
    if let Some((_, first)) = launches.first_mut() {
        *first += spread_min.saturating_sub(total);
    }
    launches
}

impl Simulation {
    /// A task started waiting for an instance of group `p`: a Managed Instances provider launches for the waiting
    /// tasks shortly (once for every task that arrives meanwhile).
    pub(in crate::sim) fn request_managed_launch(&mut self, p: ProviderId) {
        if self.scenario.providers[p.index()].managed_instances.is_none()
            || self.fleet.providers[p.index()].launch_pending
        {
            return;
        }
        self.fleet.providers[p.index()].launch_pending = true;
        let delay = SimTime::from_secs_f64(defaults::MANAGED_INSTANCES_LAUNCH_DELAY_S).as_millis();
        self.schedule_in(delay, Event::ManagedLaunch { provider: p });
    }

    /// The hourly price of each of the group's types: the instance (less the Spot discount) plus the fee; infinite
    /// for a type whose pools are out of capacity in every zone, so the launch goes to the next cheapest type (a
    /// launch of it could only fail with InsufficientInstanceCapacity).
    fn managed_hour_usd(&self, p: ProviderId) -> Vec<f64> {
        let provider = &self.scenario.providers[p.index()];
        let Some(mi) = &provider.managed_instances else { return Vec::new() };
        let spot = provider.purchase == Purchase::Spot;
        let discount = if spot { 1.0 - self.scenario.prices.ec2_spot_discount_percent / 100.0 } else { 1.0 };
        let dry = self.fleet.providers[p.index()].dry_pools();
        let zones = provider.zones.len().max(1);
        let dry_everywhere = |t: usize| (0..zones).all(|z| dry.contains(&(narrow::u16_of(t), narrow::u16_of(z))));
        provider
            .instance_types
            .iter()
            .zip(&mi.fee_hour_usd)
            .enumerate()
            .map(
                |(t, (ty, fee))| if dry_everywhere(t) { f64::INFINITY } else { ty.on_demand_hour_usd * discount + fee },
            )
            .collect()
    }

    /// Launches instances for the tasks waiting for Managed Instances provider `p` ([`plan`]).
    #[inline(never)]
    pub(in crate::sim) fn managed_launch(&mut self, p: ProviderId) {
        self.fleet.providers[p.index()].launch_pending = false;
        let rt = &self.fleet.providers[p.index()];
        let mut per_task_def: Vec<(u32, u32)> = Vec::new();
        let mut service_tasks = 0;
        for &(task, generation) in &rt.waiting {
            // Entries of tasks stopped since are stale; a stopped task may have been released.
            let Some(t) = self.tasks.get(task) else { continue };
            if t.generation != generation || !t.awaiting_capacity {
                continue;
            }
            if matches!(t.owner, crate::task::Owner::Service { .. }) {
                service_tasks += 1;
            }
            match per_task_def.iter_mut().find(|(td, _)| *td == t.task_def) {
                Some((_, n)) => *n += 1,
                None => per_task_def.push((t.task_def, 1)),
            }
        }
        if per_task_def.is_empty() {
            return;
        }
        let instances = &self.fleet.instances;
        let live: Vec<&super::Instance> = rt
            .instances
            .ids()
            .iter()
            .map(|i| &instances[i.index()])
            .filter(|i| i.state != InstanceState::Draining && !i.terminating)
            .collect();
        let mut rooms: Vec<Room> = live
            .iter()
            .filter(|i| matches!(i.state, InstanceState::Launching | InstanceState::Registering))
            .map(|i| Room { cpu: i.cpu_free, memory: i.memory_free, enis: i.eni_free })
            .collect();
        let provider = &self.scenario.providers[p.index()];
        let mut zones_used: Vec<u16> = live.iter().map(|i| i.zone).collect();
        zones_used.sort_unstable();
        zones_used.dedup();
        let spread = narrow::u32_of((service_tasks as usize).min(provider.zones.len()).min(3));
        let spread_min = spread.saturating_sub(narrow::u32_of(zones_used.len()));
        let waiting: Vec<(Needs, u32)> = per_task_def.into_iter().map(|(td, n)| (self.needs(td as usize), n)).collect();
        let hour_usd = self.managed_hour_usd(p);
        let launches =
            plan(&provider.instance_types, &hour_usd, provider.eni_trunking, &waiting, &mut rooms, spread_min);
        let mut failed = 0;
        for (t, n) in launches {
            let name = self.scenario.providers[p.index()].name.clone();
            let instance_type = self.scenario.providers[p.index()].instance_types[t].name;
            self.record(TraceWhat::ManagedLaunch { provider: name, instances: n, instance_type });
            for _ in 0..n {
                let added = self.fleet.add_typed(p, &self.scenario.providers[p.index()], t, self.now);
                match added {
                    Some(id) => {
                        self.instance_added(id);
                        self.boot(id);
                    }
                    None => {
                        self.fleet.launch_failed(p);
                        failed += 1;
                    }
                }
            }
        }
        self.trace_failed_launches(p, failed);
        if failed > 0 {
            // Tasks still wait: try again later, as they would otherwise wait out their PROVISIONING timeout.
            self.fleet.providers[p.index()].launch_pending = true;
            let retry = SimTime::from_secs_f64(defaults::MANAGED_INSTANCES_RETRY_S).as_millis();
            self.schedule_in(retry, Event::ManagedLaunch { provider: p });
        }
    }

    /// An ACTIVE managed instance with no task starts its idle wait (`scaleInAfter`), unless it already waits.
    pub(in crate::sim) fn maybe_idle(&mut self, id: InstanceId) {
        let instance = self.fleet.instance(id);
        let provider = &self.scenario.providers[instance.provider.index()];
        let Some(after) = provider.managed_instances.as_ref().and_then(|mi| mi.scale_in_after_ms) else { return };
        if instance.state != InstanceState::Active
            || !instance.tasks.is_empty()
            || instance.terminating
            || instance.idle_since.is_some()
        {
            return;
        }
        let now = self.now;
        self.fleet.instances[id.index()].idle_since = Some(now);
        self.schedule_in(after, Event::IdleCheck { instance: id, since: now });
    }

    /// Idle Instance Detection: the instance has had no task since `since` (none came and went meanwhile): it is
    /// deregistered and terminated.
    #[inline(never)]
    pub(in crate::sim) fn idle_check(&mut self, id: InstanceId, since: SimTime) {
        let instance = self.fleet.instance(id);
        if instance.state != InstanceState::Active || instance.idle_since != Some(since) || !instance.tasks.is_empty() {
            return;
        }
        let provider = self.scenario.providers[instance.provider.index()].name.clone();
        self.record(TraceWhat::IdleScaleIn { provider, instance: id.raw() });
        self.terminate_instance(id, StopReason::InstanceTerminated);
    }

    /// Schedules the patching drain of a new managed instance (when it falls inside the run).
    pub(in crate::sim) fn schedule_patching_drain(&mut self, id: InstanceId) {
        let instance = self.fleet.instance(id);
        let Some(mi) = &self.scenario.providers[instance.provider.index()].managed_instances else { return };
        let at = instance.launched_at.plus_ms(mi.drain_after_ms);
        if at < self.scenario.horizon {
            self.schedule(at, Event::PatchingDrain { instance: id });
        }
    }

    /// Day 14: ECS drains the instance (its service tasks are replaced elsewhere, on new instances if need be) and
    /// terminates it once drained.
    #[inline(never)]
    pub(in crate::sim) fn patching_drain(&mut self, id: InstanceId) {
        if self.fleet.instance(id).state == InstanceState::Terminated {
            return;
        }
        self.record(TraceWhat::PatchingDrain { instance: id.raw() });
        self.group_terminates(id);
    }

    /// The Managed Instances management fee of an instance, USD per hour (0 for other groups).
    pub(in crate::sim) fn management_fee_hour(&self, id: InstanceId) -> f64 {
        let instance = self.fleet.instance(id);
        let provider = &self.scenario.providers[instance.provider.index()];
        let Some(mi) = &provider.managed_instances else { return 0.0 };
        let t = provider.instance_types.iter().position(|t| t.name == instance.instance_type.name);
        t.and_then(|t| mi.fee_hour_usd.get(t)).copied().unwrap_or(0.0)
    }

    /// The management fee group `p` has run up so far: per instance, billed per second with a one-minute minimum
    /// once it is terminated (ECS pricing page: "Billed per second with a one-minute minimum"). `None` for groups
    /// that are not Managed Instances providers.
    pub(in crate::sim) fn management_fee_usd(&self, p: ProviderId) -> Option<f64> {
        self.scenario.providers[p.index()].managed_instances.as_ref()?;
        let minimum = SimTime::from_secs_f64(defaults::EC2_MIN_BILLED_S).as_millis();
        let fee = self
            .fleet
            .instances
            .iter()
            .filter(|i| i.provider == p)
            .map(|i| {
                let ms = match i.terminated_at {
                    Some(end) => end.since(i.launched_at).max(minimum),
                    None => self.now.since(i.launched_at),
                };
                self.management_fee_hour(i.instance_id()) * ms as f64 / 3_600_000.0
            })
            .sum();
        Some(fee)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance_types;
    use crate::scenario::Scenario;
    use crate::sim::testing::{self, i, t};
    use crate::spec::Architecture;
    use crate::task::TaskState;

    fn needs(cpu: u32, memory: u32) -> Needs {
        Needs { cpu, memory, architecture: Architecture::X86_64, eni: true, fixed_ports: Vec::new(), dynamic_ports: 0 }
    }

    fn types(names: &[&str]) -> Vec<InstanceType> {
        names.iter().map(|n| *instance_types::get(n).expect("known type")).collect()
    }

    fn on_demand(types: &[InstanceType]) -> Vec<f64> {
        types.iter().map(|t| t.on_demand_hour_usd).collect()
    }

    #[test]
    fn the_cheapest_type_for_the_waiting_tasks_is_chosen() {
        let ts = types(&["m5.large", "m5.xlarge", "c5.large", "r5.large"]);
        // Two 1 vCPU / 2 GiB tasks: one m5.large ($0.096) holds both and is cheaper than a c5.large pair.
        assert_eq!(select_type(&ts, &on_demand(&ts), true, &needs(1024, 2048), 2), Some((0, 1)));
        // Two 1 vCPU / 1 GiB tasks: one c5.large ($0.085) holds both.
        assert_eq!(select_type(&ts, &on_demand(&ts), true, &needs(1024, 1024), 2), Some((2, 1)));
        // 6 GiB tasks do not fit a c5.large (4 GiB): two fit an r5.large ($0.126) but only one an m5.large, so
        // for four of them two r5.large ($0.252) beat four m5.large ($0.384) and the m5.xlarge pair ($0.384).
        assert_eq!(select_type(&ts, &on_demand(&ts), true, &needs(512, 6144), 4), Some((3, 2)));
        // An arm64 task goes to Graviton even where x86 is listed first; an x86 task never does, cheaper or not.
        let ts = types(&["m5.large", "m6g.large"]);
        let mut arm = needs(1024, 2048);
        arm.architecture = Architecture::Arm64;
        assert_eq!(select_type(&ts, &on_demand(&ts), true, &arm, 2), Some((1, 1)));
        assert_eq!(select_type(&ts, &on_demand(&ts), true, &needs(1024, 2048), 2), Some((0, 1)));
        let ts = types(&["m5.large", "m5.xlarge", "c5.large", "r5.large"]);
        // Nothing holds a 64 GiB task.
        assert_eq!(select_type(&ts, &on_demand(&ts), true, &needs(1024, 65536), 1), None);
    }

    #[test]
    fn equal_prices_go_to_fewer_larger_instances() {
        let ts = types(&["m5.large", "m5.xlarge"]);
        // 16 tasks of 0.5 vCPU: four m5.large or two m5.xlarge cost the same; the larger ones are chosen.
        assert_eq!(select_type(&ts, &on_demand(&ts), true, &needs(512, 1024), 16), Some((1, 2)));
    }

    #[test]
    fn a_plan_counts_room_on_instances_on_their_way_and_spreads_over_zones() {
        let ts = types(&["m5.large"]);
        let hour = on_demand(&ts);
        // An m5.large on its way has room for 3 more 0.5 vCPU tasks; 5 wait: 2 are left, one more instance.
        let mut rooms = vec![Room { cpu: 1536, memory: 6000, enis: 8 }];
        assert_eq!(plan(&ts, &hour, true, &[(needs(512, 1024), 5)], &mut rooms, 0), [(0, 1)]);
        assert_eq!(rooms[0].cpu, 0);
        // Nothing on its way, 3 small service tasks and three zones: three instances, not one.
        assert_eq!(plan(&ts, &hour, true, &[(needs(256, 512), 3)], &mut [], 3), [(0, 3)]);
        // All fit the room: nothing to launch.
        let mut rooms = vec![Room { cpu: 2048, memory: 8000, enis: 10 }];
        assert!(plan(&ts, &hour, true, &[(needs(512, 1024), 4)], &mut rooms, 0).is_empty());
    }

    /// A Managed Instances provider `mi` (2-4 vCPU, 4-16 GiB, Intel) and one service on it; `provider` and
    /// `service` are JSON fields over the defaults.
    fn managed(provider: &str, service: &str) -> Simulation {
        managed_for(provider, service, 3600)
    }

    fn managed_for(provider: &str, service: &str, horizon_s: u32) -> Simulation {
        managed_with(provider, service, horizon_s, "")
    }

    fn managed_with(provider: &str, service: &str, horizon_s: u32, top: &str) -> Simulation {
        let comma = |s: &str| if s.is_empty() { String::new() } else { format!(", {s}") };
        let json = format!(
            r#"{{ "version": 1, "name": "unit", "horizon_s": {horizon_s},
                "managed_instances_providers": [{{ "name": "mi", "availability_zones": ["us-east-1a"],
                    "instance_requirements": {{ "vcpu_count": {{ "min": 2, "max": 4 }}, "memory_mib": {{ "min": 4096, "max": 16384 }},
                        "cpu_manufacturers": ["intel"] }}{} }}],
                "task_definitions": [{{ "name": "web", "cpu": 1024, "memory": 2048, "image_mb": 50 }}],
                "services": [{{ "name": "web", "task_definition": "web", "desired_count": 2,
                    "capacity_provider_strategy": [{{ "capacity_provider": "mi", "weight": 1 }}]{} }}]{} }}"#,
            comma(provider),
            comma(service),
            comma(top)
        );
        testing::checked(Scenario::from_json(&json).unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn waiting_tasks_get_an_instance_of_the_cheapest_fitting_type() {
        let mut sim = managed("", "");
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        // Both tasks wait in PROVISIONING; one launch is scheduled for them.
        assert!(sim.tasks.all().iter().all(|t| t.state == TaskState::Provisioning && t.awaiting_capacity));
        sim.step_through(|e| matches!(e, Event::ManagedLaunch { .. }));
        // Two 1 vCPU / 2 GiB tasks: one m5.large (the cheapest type that holds both; c5.large holds one).
        assert_eq!(sim.fleet.live_instances(), 1);
        assert_eq!(sim.fleet.instance(i(0)).instance_type.name, "m5.large");
        let trace = sim.trace().last().expect("a trace line").to_string();
        assert!(trace.ends_with("mi launches 1 x m5.large for waiting tasks"), "{trace}");
        sim.step_through(|e| matches!(e, Event::InstanceRegistered { .. }));
        let mut tasks = sim.fleet.instance(i(0)).tasks.clone();
        tasks.sort();
        assert_eq!(tasks, [t(0), t(1)]);
    }

    #[test]
    fn a_type_out_of_capacity_everywhere_gives_way_to_the_next_cheapest() {
        let events = r#""events": [{ "type": "pool_capacity", "at_s": 0, "provider": "mi", "instance_type": "m5.large",
            "zone": "us-east-1a", "available": false }]"#;
        let mut sim = managed_with("", "", 3600, events);
        sim.step_through(|e| matches!(e, Event::ManagedLaunch { .. }));
        // m5.large has no capacity: m6i.large, the same price, takes its place; nothing fails.
        assert_eq!(sim.fleet.instance(i(0)).instance_type.name, "m6i.large");
        assert_eq!(sim.fleet.providers()[0].failed_launches(), 0);
    }

    #[test]
    fn when_no_type_has_capacity_the_launch_fails_and_is_tried_again() {
        let dry = |t: &str, at: u32, available: bool| {
            format!(
                r#"{{ "type": "pool_capacity", "at_s": {at}, "provider": "mi", "instance_type": "{t}", "zone": "us-east-1a", "available": {available} }}"#
            )
        };
        let types = ["m5.large", "m5.xlarge", "m6i.large", "m6i.xlarge", "c5.large", "c5.xlarge", "r5.large"];
        let mut events: Vec<String> = types.iter().map(|t| dry(t, 0, false)).collect();
        events.push(dry("c5.large", 30, true));
        let mut sim = managed_with("", "", 3600, &format!(r#""events": [{}]"#, events.join(",")));
        sim.step_through(|e| matches!(e, Event::ManagedLaunch { .. }));
        assert_eq!(sim.fleet.live_instances(), 0);
        assert!(sim.fleet.providers()[0].failed_launches() > 0);
        // A minute later c5.large has capacity again: the retry launches it for the tasks still waiting.
        sim.step_through(|e| matches!(e, Event::ManagedLaunch { .. }));
        assert_eq!(sim.fleet.live_instances(), 2);
        assert_eq!(sim.fleet.instance(i(0)).instance_type.name, "c5.large");
    }

    #[test]
    fn an_idle_instance_is_removed_after_scale_in_after() {
        let mut sim = managed(r#""scale_in_after_s": 60"#, "");
        sim.step_through(|e| matches!(e, Event::InstanceRegistered { .. }));
        assert_eq!(sim.fleet.instance(i(0)).idle_since, None);
        // The service goes to 0: the tasks stop, the instance is idle, and a minute later it is gone.
        sim.scale_service(crate::ids::ServiceId::from_index(0), 0);
        sim.step_through(|e| matches!(e, Event::IdleCheck { .. }));
        assert_eq!(sim.fleet.instance(i(0)).state, InstanceState::Terminated);
        let idle_since = sim.fleet.instance(i(0)).idle_since.expect("idle");
        assert_eq!(sim.now.since(idle_since), 60_000);
        assert!(sim.trace().iter().any(|l| l.to_string().ends_with("mi removes idle instance 0")));
    }

    #[test]
    fn no_idle_scale_in_when_turned_off() {
        let mut sim = managed(r#""scale_in_after_s": -1"#, "");
        sim.step_through(|e| matches!(e, Event::InstanceRegistered { .. }));
        sim.scale_service(crate::ids::ServiceId::from_index(0), 0);
        sim.run_to_end();
        assert_eq!(sim.fleet.instance(i(0)).state, InstanceState::Active);
    }

    #[test]
    fn the_fee_is_billed_on_top_of_the_instance_price() {
        // m6i.large costs what m5.large does: both fees set, so the choice stays m5.large.
        let mut sim = managed(r#""management_fee_hour_by_type": { "m5.large": 0.02, "m6i.large": 0.02 }"#, "");
        sim.step_through(|e| matches!(e, Event::ManagedLaunch { .. }));
        let launched = sim.now;
        sim.step_until(launched.plus_ms(3_600_000 - 1));
        let p = ProviderId::from_index(0);
        assert_eq!(sim.management_fee_hour(i(0)), 0.02);
        let fee = sim.management_fee_usd(p).expect("a Managed Instances provider");
        let hours = sim.now.since(launched) as f64 / 3_600_000.0;
        assert!((fee - 0.02 * hours).abs() < 1e-9, "{fee}");
        let summary = sim.metrics();
        let cost = &summary.cost_breakdown.providers[0];
        assert_eq!((cost.kind, cost.capacity), (Some("MANAGED_INSTANCES"), crate::scenario::CapacityType::Ec2OnDemand));
        // EC2 price plus fee for the instance-hour so far.
        assert!((cost.usd - (0.096 + 0.02) * hours).abs() < 1e-3, "{cost:?}");
    }

    #[test]
    fn at_day_14_an_instance_is_drained_and_its_tasks_move_to_a_new_one() {
        let mut sim = managed_for(r#""drain_after_days": 1"#, "", 2 * 86_400);
        sim.step_through(|e| matches!(e, Event::InstanceRegistered { .. }));
        sim.step_through(|e| matches!(e, Event::PatchingDrain { .. }));
        assert!(sim.trace().iter().any(|l| l.to_string().ends_with("instance 0 drained for patching")));
        sim.step_until(sim.now.plus_ms(30 * 60_000));
        assert_eq!(sim.fleet.instance(i(0)).state, InstanceState::Terminated);
        // A new instance runs the replacements.
        assert_eq!(sim.fleet.live_instances(), 1);
        assert_eq!(sim.tasks.all().iter().filter(|t| t.state == TaskState::Running).count(), 2);
    }
}
