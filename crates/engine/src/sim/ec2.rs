//! EC2 capacity (domain.md 4.3–4.4): container instances launched by Auto Scaling group providers, task
//! placement on them, and ECS managed scaling.
//!
//! Instances go launching → registering → ACTIVE → (DRAINING) → terminated. A task placed on an instance holds its
//! cpu, memory, an ENI (awsvpc) and host ports (bridge / host) until it is STOPPED. A task no instance can take
//! waits in PROVISIONING when its provider has managed scaling (up to the cluster's provisioning limit) and is
//! refused otherwise. Every minute managed scaling computes CapacityProviderReservation = M / N x 100 and moves
//! the group toward `target_capacity`, bounded by the step sizes, blocked while an instance is warming up, and
//! scaling in only after 15 low readings.

use std::collections::{BTreeMap, VecDeque};

use super::{Event, Simulation};
use crate::defaults;
use crate::instance::InstanceState;
use crate::instance_types::{self, InstanceType};
use crate::output::TraceWhat;
use crate::query::Subject;
use crate::scenario::{HostPort, Placement, Provider};
use crate::spec::{AllocationStrategy, Architecture, NetworkMode, Purchase};
use crate::spec::{BinpackField, PlacementStrategySpec};
use crate::task::{Owner, StopReason};
use crate::time::SimTime;

/// A container instance.
#[derive(Debug, Clone)]
pub struct Instance {
    pub id: u32,
    pub provider: u16,
    pub instance_type: InstanceType,
    pub zone: u16,
    pub state: InstanceState,
    pub cpu_free: u32,
    pub memory_free: u32,
    /// awsvpc tasks that can still get an ENI.
    pub eni_free: u32,
    /// Fixed host ports in use.
    pub ports: Vec<u16>,
    pub dynamic_ports_used: u32,
    /// Tasks holding resources on the instance.
    pub tasks: Vec<u32>,
    pub launched_at: SimTime,
    /// When a Spot interruption notice arrived, if one did.
    pub notice_at: Option<SimTime>,
    /// When a rebalance recommendation arrived ahead of the notice, if one did.
    pub rebalance_at: Option<SimTime>,
    /// Task definitions whose image is on the instance, and when its pull completes.
    pulled: Vec<(u32, SimTime)>,
    /// Tasks per owner (service or RunTask burst) on the instance: a handful of entries, scanned in a few
    /// nanoseconds, where a map lookup per candidate made spread placement slow on crowded groups.
    owners: Vec<(u64, u32)>,
}

impl Instance {
    fn owner_count(&self, owner: u64) -> u32 {
        self.owners.iter().find(|(o, _)| *o == owner).map_or(0, |(_, n)| *n)
    }

    fn add_owner(&mut self, owner: u64, delta: i32) {
        match self.owners.iter().position(|(o, _)| *o == owner) {
            Some(at) => {
                let count = &mut self.owners[at].1;
                *count = count.saturating_add_signed(delta);
                if *count == 0 {
                    self.owners.swap_remove(at);
                }
            }
            None if delta > 0 => self.owners.push((owner, delta.unsigned_abs())),
            None => {}
        }
    }

    /// The instance's id in the form EC2 uses, for `ec2InstanceId` expressions and the view.
    pub fn ec2_id(&self) -> String {
        format!("i-{:08x}", self.id)
    }

    pub fn cpu_total(&self) -> u32 {
        self.instance_type.cpu_units()
    }

    pub fn memory_total(&self) -> u32 {
        self.instance_type.registered_memory_mib(instance_types::ECS_RESERVED_MEMORY_DEFAULT_MIB)
    }
}

/// An Auto Scaling group provider's runtime state.
#[derive(Default)]
pub(super) struct ProviderRt {
    /// Instances not yet terminated.
    pub(super) instances: Vec<u32>,
    /// Tasks in PROVISIONING waiting for an instance with room, with their generation.
    waiting: VecDeque<(u32, u32)>,
    pub(super) waiting_count: u32,
    /// Where the next placement starts looking, so equal candidates take turns.
    cursor: u32,
    /// Live instances per zone (index of the provider's zone list), for the indexed spread placement.
    by_zone: Vec<Vec<u32>>,
    /// Since when the reservation has been below target (scale-in needs 15 minutes of it).
    low_since: Option<SimTime>,
    pub(super) last_reservation: Option<u32>,
}

/// Tasks per owner (service or RunTask burst) in each zone, kept as tasks are placed and released, so spread
/// strategies look counts up instead of recounting every instance's tasks. (Per instance, the counts live on the
/// instance: `Instance::owners`.)
#[derive(Default)]
pub(super) struct OwnerCounts {
    in_zone: BTreeMap<(u64, u16, u16), u32>,
}

impl OwnerCounts {
    fn add(&mut self, owner: u64, instance: &Instance, delta: i32) {
        let count = self.in_zone.entry((owner, instance.provider, instance.zone)).or_insert(0);
        *count = count.saturating_add_signed(delta);
    }

    fn in_zone(&self, owner: u64, provider: u16, zone: u16) -> u32 {
        self.in_zone.get(&(owner, provider, zone)).copied().unwrap_or(0)
    }
}

fn owner_key(owner: Owner) -> u64 {
    match owner {
        Owner::Service { service, .. } => u64::from(service),
        Owner::Standalone { workload } => (1 << 32) | u64::from(workload),
    }
}

/// What a task needs from an instance.
struct Needs {
    cpu: u32,
    memory: u32,
    /// A task runs only on instances of its task definition's CPU architecture.
    architecture: Architecture,
    eni: bool,
    fixed_ports: Vec<u16>,
    dynamic_ports: u32,
}

impl Simulation {
    pub(super) fn start_ec2(&mut self) {
        for p in 0..self.scenario.providers.len() {
            self.providers.push(ProviderRt::default());
            // Instances already running when the run starts are registered and ACTIVE at once.
            for _ in 0..self.scenario.providers[p].initial {
                let id = self.add_instance(p as u16);
                self.instances[id as usize].state = InstanceState::Active;
                self.instances[id as usize].launched_at = SimTime::ZERO;
            }
            if self.scenario.providers[p].managed_scaling.is_some() {
                let period = SimTime::from_secs_f64(defaults::MANAGED_SCALING_PERIOD_S).as_millis();
                let offset = self.rng.below(period);
                self.schedule(SimTime(offset), Event::ScalingEvaluation { provider: p as u32 });
            }
        }
    }

    /// Picks the zone and instance type for one more instance of the group, as the ASG would: zones stay
    /// balanced; the type follows the allocation strategy.
    fn choose_type_and_zone(&mut self, p: usize) -> (InstanceType, u16) {
        let provider = &self.scenario.providers[p];
        let rt = &self.providers[p];
        let types = &provider.instance_types;
        // Live instances per zone are `by_zone`'s list lengths (zones never launched into yet have no list).
        let in_zone = |z: usize| rt.by_zone.get(z).map_or(0, Vec::len);
        let zone = (0..provider.zones.len()).min_by_key(|&z| (in_zone(z), z)).unwrap_or(0) as u16;
        let chosen = match provider.allocation_strategy {
            AllocationStrategy::Prioritized => types[0],
            // Cheapest instance, whatever its size: the autoscaler cannot pick the type the tasks need.
            AllocationStrategy::LowestPrice => {
                *types.iter().min_by(|a, b| a.on_demand_hour_usd.total_cmp(&b.on_demand_hour_usd)).expect("types")
            }
            // Deepest pools: spread launches over every type in the zone, so every (type, zone) pool is used.
            AllocationStrategy::CapacityOptimized => {
                let zone_list = rt.by_zone.get(usize::from(zone)).map_or(&[][..], Vec::as_slice);
                let of_type = |t: &InstanceType| {
                    zone_list.iter().filter(|&&i| self.instances[i as usize].instance_type.name == t.name).count()
                };
                *types.iter().min_by_key(|t| of_type(t)).expect("types")
            }
            // Price and capacity: the lowest price per vCPU.
            AllocationStrategy::PriceCapacityOptimized => *types
                .iter()
                .min_by(|a, b| {
                    (a.on_demand_hour_usd / f64::from(a.vcpu)).total_cmp(&(b.on_demand_hour_usd / f64::from(b.vcpu)))
                })
                .expect("types"),
        };
        (chosen, zone)
    }

    fn add_instance(&mut self, p: u16) -> u32 {
        let (instance_type, zone) = self.choose_type_and_zone(p as usize);
        let provider = &self.scenario.providers[p as usize];
        let id = self.instances.len() as u32;
        let instance = Instance {
            id,
            provider: p,
            instance_type,
            zone,
            state: InstanceState::Launching,
            cpu_free: 0,
            memory_free: 0,
            eni_free: instance_type.awsvpc_task_limit(provider.eni_trunking),
            ports: Vec::new(),
            dynamic_ports_used: 0,
            tasks: Vec::new(),
            launched_at: self.now,
            notice_at: None,
            rebalance_at: None,
            pulled: Vec::new(),
            owners: Vec::new(),
        };
        let cpu = instance.cpu_total();
        let memory = instance.memory_total();
        self.instances.push(instance);
        let instance = &mut self.instances[id as usize];
        instance.cpu_free = cpu;
        instance.memory_free = memory;
        self.providers[p as usize].instances.push(id);
        let by_zone = &mut self.providers[p as usize].by_zone;
        if by_zone.len() <= zone as usize {
            by_zone.resize(zone as usize + 1, Vec::new());
        }
        by_zone[zone as usize].push(id);
        let rate = self.instance_rate(id);
        self.cost.start(self.now, rate);
        self.schedule_random_interruption(id);
        id
    }

    /// USD per millisecond for an instance: On-Demand price, less the Spot discount for Spot groups; the ECS Anywhere
    /// fee for external hosts.
    fn instance_rate(&self, id: u32) -> f64 {
        let instance = &self.instances[id as usize];
        let provider = &self.scenario.providers[instance.provider as usize];
        let per_hour = if provider.external {
            // ECS Anywhere: the hosts are yours; AWS charges per registered instance-hour.
            self.scenario.prices.ecs_anywhere_instance_hour
        } else if provider.purchase == Purchase::Spot {
            instance.instance_type.on_demand_hour_usd * (1.0 - self.scenario.prices.ec2_spot_discount_percent / 100.0)
        } else {
            instance.instance_type.on_demand_hour_usd
        };
        per_hour / 3_600_000.0
    }

    /// The group launches an instance: it boots, then the ECS agent registers it.
    pub(super) fn launch_instance(&mut self, p: u16) {
        let id = self.add_instance(p);
        let boot = self
            .rng
            .lognormal_ms(self.scenario.latencies.instance_boot.mean_ms, self.scenario.latencies.instance_boot.spread);
        self.schedule_in(boot, Event::InstanceBooted { instance: id });
    }

    pub(super) fn instance_booted(&mut self, id: u32) {
        let instance = &mut self.instances[id as usize];
        if instance.state != InstanceState::Launching {
            return;
        }
        instance.state = InstanceState::Registering;
        let step = self.scenario.latencies.agent_registration;
        let delay = self.rng.lognormal_ms(step.mean_ms, step.spread);
        self.schedule_in(delay, Event::InstanceRegistered { instance: id });
    }

    pub(super) fn instance_registered(&mut self, id: u32) {
        let instance = &mut self.instances[id as usize];
        if instance.state != InstanceState::Registering {
            return;
        }
        instance.state = InstanceState::Active;
        let provider = instance.provider;
        self.record(TraceWhat::Instance { instance: id, state: InstanceState::Active });
        self.place_waiting(provider as usize);
    }

    fn needs(&self, task_def: usize) -> Needs {
        let td = &self.scenario.task_defs[task_def];
        let mut needs = Needs {
            cpu: td.cpu,
            memory: td.memory,
            architecture: td.architecture,
            eni: td.network_mode == NetworkMode::Awsvpc,
            fixed_ports: Vec::new(),
            dynamic_ports: 0,
        };
        for port in &td.host_ports {
            match port {
                HostPort::Fixed(p) => needs.fixed_ports.push(*p),
                HostPort::Dynamic => needs.dynamic_ports += 1,
            }
        }
        needs
    }

    fn fits(instance: &Instance, needs: &Needs) -> bool {
        instance.state == InstanceState::Active
            && instance.instance_type.architecture == needs.architecture
            && instance.cpu_free >= needs.cpu
            && instance.memory_free >= needs.memory
            && (!needs.eni || instance.eni_free >= 1)
            && needs.fixed_ports.iter().all(|p| !instance.ports.contains(p))
            && instance.dynamic_ports_used + needs.dynamic_ports <= defaults::DYNAMIC_PORTS
    }

    /// The value of an attribute (`ecs.instance-type`, `ecs.availability-zone`, `ecs.cpu-architecture`,
    /// `ecs.os-type`, `ecs.capacity-provider`) on an instance, borrowed: placement asks for it per candidate.
    fn attribute<'a>(&'a self, instance: &'a Instance, name: &str) -> Option<&'a str> {
        let provider = &self.scenario.providers[instance.provider as usize];
        match name {
            "ecs.instance-type" => Some(instance.instance_type.name),
            "ecs.availability-zone" => Some(&provider.zones[instance.zone as usize]),
            "ecs.cpu-architecture" => Some(match instance.instance_type.architecture {
                crate::spec::Architecture::X86_64 => "x86_64",
                crate::spec::Architecture::Arm64 => "arm64",
            }),
            "ecs.os-type" => Some("linux"),
            "ecs.capacity-provider" => Some(&provider.name),
            _ => None,
        }
    }

    fn member_of(&self, instance: &Instance, placement: &Placement) -> bool {
        let ec2_id = instance.ec2_id();
        placement.member_of.iter().all(|expression| {
            expression.matches(|subject: &Subject| match subject {
                Subject::Attribute(name) => self.attribute(instance, name),
                Subject::Ec2InstanceId => Some(ec2_id.as_str()),
            })
        })
    }

    /// Tasks of the same owner (service or RunTask burst) holding resources on an instance.
    fn owner_tasks_on(&self, instance: &Instance, owner: Owner) -> u32 {
        instance.owner_count(owner_key(owner))
    }

    /// The spread key of an instance: its id, or an attribute value.
    fn spread_key(&self, instance: &Instance, field: &str) -> String {
        match field.strip_prefix("attribute:") {
            Some(name) => self.attribute(instance, name).unwrap_or_default().to_string(),
            None => instance.ec2_id(),
        }
    }

    /// Chooses an instance for a task in documented order: resources, ports and ENIs; constraints; then the
    /// strategies, each narrowing the candidates to its best; a `random` strategy or the first candidate picks.
    /// Candidates are visited from a rotating start, so ties go to a different instance each time.
    fn choose_instance(&mut self, p: usize, needs: &Needs, placement: &Placement, owner: Owner) -> Option<u32> {
        if let Some(decided) = self.spread_fast_path(p, needs, placement, owner) {
            return decided;
        }
        let group = &self.providers[p].instances;
        let start = self.providers[p].cursor as usize % group.len().max(1);
        let mut candidates: Vec<u32> = group[start..]
            .iter()
            .chain(&group[..start])
            .copied()
            .filter(|&i| {
                let instance = &self.instances[i as usize];
                Self::fits(instance, needs)
                    && (!placement.distinct_instance || self.owner_tasks_on(instance, owner) == 0)
                    && (placement.member_of.is_empty() || self.member_of(instance, placement))
            })
            .collect();
        self.providers[p].cursor = self.providers[p].cursor.wrapping_add(1);
        if candidates.is_empty() {
            return None;
        }
        let key = owner_key(owner);
        let last = placement.strategies.len().saturating_sub(1);
        for (index, strategy) in placement.strategies.iter().enumerate() {
            if candidates.len() == 1 {
                break;
            }
            match strategy {
                PlacementStrategySpec::Binpack { field } => {
                    let left = |i: &u32| {
                        let instance = &self.instances[*i as usize];
                        match field {
                            BinpackField::Cpu => instance.cpu_free - needs.cpu,
                            BinpackField::Memory => instance.memory_free - needs.memory,
                        }
                    };
                    let best = candidates.iter().map(left).min().expect("non-empty");
                    candidates.retain(|i| left(i) == best);
                }
                PlacementStrategySpec::Spread { field } if field == "instanceId" => {
                    let count = |i: &u32| self.instances[*i as usize].owner_count(key);
                    if index == last {
                        // Nothing narrows further: the first instance without a task of this owner is as good as
                        // any, and is usually found at once.
                        if let Some(&free) = candidates.iter().find(|i| count(i) == 0) {
                            return Some(free);
                        }
                    }
                    let best = candidates.iter().map(count).min().expect("non-empty");
                    candidates.retain(|i| count(i) == best);
                }
                PlacementStrategySpec::Spread { field } if field == "attribute:ecs.availability-zone" => {
                    let zones = self.scenario.providers[p].zones.len() as u16;
                    let per_zone: Vec<u32> = (0..zones).map(|z| self.owner_counts.in_zone(key, p as u16, z)).collect();
                    let count = |i: &u32| per_zone[self.instances[*i as usize].zone as usize];
                    let best = candidates.iter().map(count).min().expect("non-empty");
                    candidates.retain(|i| count(i) == best);
                }
                PlacementStrategySpec::Spread { field } => {
                    // Any other attribute: count the owner's tasks per value over the group's active instances.
                    let mut counts: Vec<(String, u32)> = Vec::new();
                    for &i in &self.providers[p].instances {
                        let instance = &self.instances[i as usize];
                        if instance.state != InstanceState::Active {
                            continue;
                        }
                        let value = self.spread_key(instance, field);
                        let n = self.owner_tasks_on(instance, owner);
                        match counts.iter_mut().find(|(k, _)| *k == value) {
                            Some((_, c)) => *c += n,
                            None => counts.push((value, n)),
                        }
                    }
                    let count_of = |i: &u32| {
                        let value = self.spread_key(&self.instances[*i as usize], field);
                        counts.iter().find(|(k, _)| *k == value).map_or(0, |(_, c)| *c)
                    };
                    let best = candidates.iter().map(count_of).min().expect("non-empty");
                    candidates.retain(|i| count_of(i) == best);
                }
                PlacementStrategySpec::Random => {
                    let pick = self.rng.below(candidates.len() as u64) as usize;
                    return Some(candidates[pick]);
                }
            }
        }
        Some(candidates[0])
    }

    /// The default placement (spread by zone, then by instance, no memberOf) without looking at every instance:
    /// zones in order of the owner's task count, and in the first zone with room the first instance (from a
    /// rotating start) that fits and holds none of the owner's tasks — the choice the full chain would make.
    /// `Some(None)`: no instance has room. `None`: not decided here (another placement, or every instance with room
    /// in the best zone already holds the owner's tasks); the full chain ranks the candidates.
    fn spread_fast_path(
        &mut self,
        p: usize,
        needs: &Needs,
        placement: &Placement,
        owner: Owner,
    ) -> Option<Option<u32>> {
        let [PlacementStrategySpec::Spread { field: zone_field }, PlacementStrategySpec::Spread { field: instance_field }] =
            placement.strategies.as_slice()
        else {
            return None;
        };
        if zone_field != "attribute:ecs.availability-zone"
            || instance_field != "instanceId"
            || !placement.member_of.is_empty()
        {
            return None;
        }
        let key = owner_key(owner);
        let rt = &self.providers[p];
        let mut zones: Vec<(u32, usize)> =
            (0..rt.by_zone.len()).map(|z| (self.owner_counts.in_zone(key, p as u16, z as u16), z)).collect();
        zones.sort_unstable();
        let cursor = rt.cursor as usize;
        for (_, z) in zones {
            let list = &rt.by_zone[z];
            if list.is_empty() {
                continue;
            }
            let start = cursor % list.len();
            let mut any_fits = false;
            for &i in list[start..].iter().chain(&list[..start]) {
                if !Self::fits(&self.instances[i as usize], needs) {
                    continue;
                }
                any_fits = true;
                if self.instances[i as usize].owner_count(key) == 0 {
                    self.providers[p].cursor = self.providers[p].cursor.wrapping_add(1);
                    return Some(Some(i));
                }
            }
            if any_fits {
                // The lowest zone with room has no instance free of the owner's tasks: let the full chain rank them.
                return None;
            }
        }
        Some(None)
    }

    /// Reserves an instance's resources for a task.
    fn hold(&mut self, instance: u32, task: u32) {
        let needs = self.needs(self.tasks[task as usize].task_def as usize);
        let i = &mut self.instances[instance as usize];
        i.cpu_free -= needs.cpu;
        i.memory_free -= needs.memory;
        if needs.eni {
            i.eni_free -= 1;
        }
        i.ports.extend(&needs.fixed_ports);
        i.dynamic_ports_used += needs.dynamic_ports;
        i.tasks.push(task);
        self.tasks[task as usize].instance = Some(instance);
        // Here, where every placement goes through, so tasks placed after waiting in PROVISIONING are traced too.
        self.record(TraceWhat::Placed { task, instance });
        let owner = owner_key(self.tasks[task as usize].owner);
        self.owner_counts.add(owner, &self.instances[instance as usize], 1);
        self.instances[instance as usize].add_owner(owner, 1);
    }

    /// Gives a stopped task's resources back, and lets waiting tasks of the group try again.
    pub(super) fn release(&mut self, task: u32) {
        let Some(instance) = self.tasks[task as usize].instance else { return };
        let needs = self.needs(self.tasks[task as usize].task_def as usize);
        let i = &mut self.instances[instance as usize];
        i.cpu_free += needs.cpu;
        i.memory_free += needs.memory;
        if needs.eni {
            i.eni_free += 1;
        }
        for port in &needs.fixed_ports {
            if let Some(at) = i.ports.iter().position(|p| p == port) {
                i.ports.swap_remove(at);
            }
        }
        i.dynamic_ports_used -= needs.dynamic_ports;
        if let Some(at) = i.tasks.iter().position(|&t| t == task) {
            i.tasks.swap_remove(at);
        }
        let provider = i.provider;
        let owner = owner_key(self.tasks[task as usize].owner);
        self.owner_counts.add(owner, &self.instances[instance as usize], -1);
        self.instances[instance as usize].add_owner(owner, -1);
        if self.providers[provider as usize].waiting_count > 0 {
            self.place_waiting(provider as usize);
        }
    }

    /// Tries to place a new task of `task_def` on provider `p`: `Ok(Some(instance))` placed, `Ok(None)` it may wait
    /// in PROVISIONING (managed scaling, below the cluster's limit), `Err(limiter)` it cannot be launched now.
    pub(super) fn place_new(
        &mut self,
        p: usize,
        task_def: usize,
        placement: &Placement,
        owner: Owner,
    ) -> Result<Option<u32>, super::Limiter> {
        let needs = self.needs(task_def);
        if let Some(instance) = self.choose_instance(p, &needs, placement, owner) {
            return Ok(Some(instance));
        }
        if self.scenario.providers[p].managed_scaling.is_none() {
            return Err(super::Limiter::Capacity);
        }
        let provisioning: u32 = self.providers.iter().map(|rt| rt.waiting_count).sum();
        if provisioning >= self.scenario.limits.provisioning_limit {
            return Err(super::Limiter::ProvisioningLimit);
        }
        Ok(None)
    }

    /// Starts a launched EC2 task: on its instance, or waiting in PROVISIONING for one.
    pub(super) fn start_on_ec2(&mut self, task: u32, instance: Option<u32>) {
        match instance {
            Some(instance) => {
                self.hold(instance, task);
                self.handed_to_agent(task);
            }
            None => {
                let Provider::Asg(p) = self.tasks[task as usize].provider else { return };
                let t = &mut self.tasks[task as usize];
                t.awaiting_capacity = true;
                let generation = t.generation;
                let rt = &mut self.providers[p as usize];
                rt.waiting.push_back((task, generation));
                rt.waiting_count += 1;
                let timeout = SimTime::from_secs_f64(defaults::PROVISIONING_TIMEOUT_S).as_millis();
                self.schedule_in(timeout, Event::ProvisioningTimeout { task, generation });
            }
        }
    }

    /// The agent has the task: ENI attachment for awsvpc, then PENDING.
    fn handed_to_agent(&mut self, task: u32) {
        let latencies = &self.scenario.latencies;
        let (handoff, eni) = (latencies.agent_handoff, latencies.eni_attach);
        let awsvpc =
            self.scenario.task_defs[self.tasks[task as usize].task_def as usize].network_mode == NetworkMode::Awsvpc;
        let mut delay = self.rng.lognormal_ms(handoff.mean_ms, handoff.spread);
        if awsvpc {
            delay += self.rng.lognormal_ms(eni.mean_ms, eni.spread);
        }
        let generation = self.tasks[task as usize].generation;
        self.schedule_in(delay, Event::Advance { task, generation });
    }

    /// A waiting task left PROVISIONING without an instance (stopped or timed out).
    pub(super) fn ec2_waiting_cancelled(&mut self, task: u32) {
        let t = &mut self.tasks[task as usize];
        t.awaiting_capacity = false;
        if let Provider::Asg(p) = t.provider {
            self.providers[p as usize].waiting_count -= 1;
        }
    }

    /// Places waiting tasks, oldest first, until one does not fit.
    fn place_waiting(&mut self, p: usize) {
        while let Some(&(task, generation)) = self.providers[p].waiting.front() {
            if !self.is_current(task, generation) || !self.tasks[task as usize].awaiting_capacity {
                self.providers[p].waiting.pop_front();
                continue;
            }
            let t = &self.tasks[task as usize];
            let (task_def, owner) = (t.task_def as usize, t.owner);
            let placement = self.placement_of(owner);
            let needs = self.needs(task_def);
            let Some(instance) = self.choose_instance(p, &needs, &placement, owner) else { break };
            self.providers[p].waiting.pop_front();
            self.ec2_waiting_cancelled(task);
            self.hold(instance, task);
            self.handed_to_agent(task);
        }
    }

    pub(super) fn placement_of(&self, owner: Owner) -> std::sync::Arc<Placement> {
        match owner {
            Owner::Service { service, .. } => self.scenario.services[service as usize].placement.clone(),
            Owner::Standalone { workload } => self.scenario.run_tasks[workload as usize].placement.clone(),
        }
    }

    /// Image pull on an instance: the first task of an image pulls it; tasks arriving while it downloads wait for
    /// the same pull; later tasks only check the registry (the fixed part of a pull).
    pub(super) fn ec2_image_pull_ms(&mut self, task: u32) -> u64 {
        let t = &self.tasks[task as usize];
        let (task_def, instance) = (t.task_def, t.instance.expect("EC2 task has an instance"));
        let base = self.scenario.latencies.image_pull_base;
        let check = self.rng.lognormal_ms(base.mean_ms, base.spread);
        let provider = &self.scenario.providers[self.instances[instance as usize].provider as usize];
        if provider.images_cached {
            return check;
        }
        let now = self.now;
        if let Some(&(_, ready)) = self.instances[instance as usize].pulled.iter().find(|(td, _)| *td == task_def) {
            return ready.since(now).max(check);
        }
        let td = &self.scenario.task_defs[task_def as usize];
        let latencies = &self.scenario.latencies;
        let factor = if td.lazy_loading { latencies.lazy_loading_pull_factor } else { 1.0 };
        let transfer_ms = td.image_mb / latencies.ec2_image_pull_mb_per_s * 1000.0 * factor;
        let transfer = self.rng.lognormal_ms(transfer_ms, base.spread);
        let total = check + transfer;
        self.instances[instance as usize].pulled.push((task_def, now.plus_ms(total)));
        total
    }

    /// Instances needed to place `tasks` of each task definition on empty instances of the group's largest type.
    fn instances_needed(&self, p: usize) -> u32 {
        let provider = &self.scenario.providers[p];
        let largest = provider
            .instance_types
            .iter()
            .max_by_key(|t| (t.cpu_units(), t.memory_mib))
            .expect("a provider has instance types");
        let mut per_task_def: Vec<(u32, u32)> = Vec::new();
        for &(task, generation) in &self.providers[p].waiting {
            let t = &self.tasks[task as usize];
            if t.generation != generation || !t.awaiting_capacity {
                continue;
            }
            match per_task_def.iter_mut().find(|(td, _)| *td == t.task_def) {
                Some((_, n)) => *n += 1,
                None => per_task_def.push((t.task_def, 1)),
            }
        }
        let mut needed = 0;
        for (task_def, count) in per_task_def {
            let needs = self.needs(task_def as usize);
            let memory = largest.registered_memory_mib(instance_types::ECS_RESERVED_MEMORY_DEFAULT_MIB);
            let mut per_instance = (largest.cpu_units() / needs.cpu.max(1)).min(memory / needs.memory.max(1));
            if needs.eni {
                per_instance = per_instance.min(largest.awsvpc_task_limit(provider.eni_trunking));
            }
            if !needs.fixed_ports.is_empty() {
                per_instance = per_instance.min(1);
            }
            needed += count.div_ceil(per_instance.max(1));
        }
        needed
    }

    /// Managed scaling's minute: CapacityProviderReservation and the target-tracking decision.
    pub(super) fn scaling_evaluation(&mut self, p: usize) {
        let Some(scaling) = self.scenario.providers[p].managed_scaling.clone() else { return };
        let period = SimTime::from_secs_f64(defaults::MANAGED_SCALING_PERIOD_S).as_millis();
        self.schedule_in(period, Event::ScalingEvaluation { provider: p as u32 });
        let live: Vec<u32> = self.providers[p]
            .instances
            .iter()
            .copied()
            .filter(|&i| self.instances[i as usize].state != InstanceState::Draining)
            .collect();
        let n = live.len() as u32;
        // Instances launched but not registered yet, still inside the warm-up period, are capacity on its way:
        // the same waiting tasks do not launch them twice (target tracking's warm-up semantics).
        let coming = live
            .iter()
            .filter(|&&i| {
                let instance = &self.instances[i as usize];
                matches!(instance.state, InstanceState::Launching | InstanceState::Registering)
                    && self.now.since(instance.launched_at) < scaling.warmup_ms
            })
            .count() as u32;
        let m = if self.providers[p].waiting_count > 0 {
            match self.instances_needed(p).saturating_sub(coming) {
                0 => n,
                extra => n + extra.clamp(scaling.minimum_step, scaling.maximum_step),
            }
        } else {
            let empty = live
                .iter()
                .filter(|&&i| {
                    let instance = &self.instances[i as usize];
                    instance.state == InstanceState::Active && instance.tasks.is_empty()
                })
                .count() as u32;
            n - empty
        };
        let reservation = match (m, n) {
            (0, 0) => 100,
            (_, 0) => 200,
            _ => (u64::from(m) * 100 / u64::from(n)) as u32,
        };
        self.providers[p].last_reservation = Some(reservation);
        let desired = (u64::from(m) * 100).div_ceil(u64::from(scaling.target_capacity)) as u32;
        let provider = &self.scenario.providers[p];
        let (min_size, max_size) = (provider.min_size, provider.max_size);
        if desired > n {
            self.providers[p].low_since = None;
            let step = (desired - n).clamp(scaling.minimum_step, scaling.maximum_step).min(max_size.saturating_sub(n));
            for _ in 0..step {
                self.launch_instance(p as u16);
            }
            if step > 0 {
                let name = self.scenario.providers[p].name.clone();
                self.record(TraceWhat::ScaleOut { provider: name, instances: step, reservation });
            }
        } else if desired < n {
            let since = *self.providers[p].low_since.get_or_insert(self.now);
            if self.now.since(since) >= SimTime::from_secs_f64(defaults::SCALE_IN_AFTER_S).as_millis() {
                self.providers[p].low_since = None;
                self.scale_in(p, n - desired.max(min_size).min(n));
            }
        } else {
            self.providers[p].low_since = None;
        }
    }

    /// Terminates up to `count` instances: empty ones first; with managed termination protection only empty ones.
    fn scale_in(&mut self, p: usize, count: u32) {
        let protected = self.scenario.providers[p].managed_termination_protection;
        let mut victims: Vec<u32> = self.providers[p]
            .instances
            .iter()
            .copied()
            .filter(|&i| self.instances[i as usize].state == InstanceState::Active)
            .collect();
        victims.sort_by_key(|&i| (self.instances[i as usize].tasks.len(), std::cmp::Reverse(i)));
        let victims: Vec<u32> = victims
            .into_iter()
            .filter(|&i| !protected || self.instances[i as usize].tasks.is_empty())
            .take(count as usize)
            .collect();
        if victims.is_empty() {
            return;
        }
        let name = self.scenario.providers[p].name.clone();
        self.record(TraceWhat::ScaleIn { provider: name, instances: victims.len() as u32 });
        for id in victims {
            self.terminate_instance(id, StopReason::InstanceTerminated);
        }
    }

    /// The instance is gone: its tasks die with it (no stop sequence beyond detaching).
    pub(super) fn terminate_instance(&mut self, id: u32, reason: StopReason) {
        let tasks = self.instances[id as usize].tasks.clone();
        for task in tasks {
            self.tasks[task as usize].kill_at = Some(self.now);
            self.begin_stop(task, reason);
        }
        let instance = &mut self.instances[id as usize];
        instance.state = InstanceState::Terminated;
        let (provider, launched_at) = (instance.provider, instance.launched_at);
        let zone = self.instances[id as usize].zone as usize;
        let rt = &mut self.providers[provider as usize];
        if let Some(at) = rt.instances.iter().position(|&i| i == id) {
            rt.instances.swap_remove(at);
        }
        if let Some(at) = rt.by_zone[zone].iter().position(|&i| i == id) {
            rt.by_zone[zone].swap_remove(at);
        }
        let rate = self.instance_rate(id);
        let minimum = SimTime::from_secs_f64(defaults::EC2_MIN_BILLED_S).as_millis();
        self.cost.stop(self.now, rate, minimum.saturating_sub(self.now.since(launched_at)));
        self.record(TraceWhat::Instance { instance: id, state: InstanceState::Terminated });
    }

    /// Instances of a group that are not terminated, for the series and the view.
    pub(super) fn live_instances(&self) -> u32 {
        self.providers.iter().map(|rt| rt.instances.len() as u32).sum()
    }

    pub(super) fn check_instance_invariants(&self) -> Result<(), String> {
        for instance in &self.instances {
            // Tasks of a terminated instance are dying: they hold their resources until STOPPED.
            if instance.state == InstanceState::Terminated
                && instance.tasks.iter().any(|&t| !self.tasks[t as usize].stopping)
            {
                return Err(format!("terminated instance {} still has running tasks", instance.id));
            }
            let (mut cpu, mut memory, mut enis) = (0, 0, 0);
            for &t in &instance.tasks {
                let task = &self.tasks[t as usize];
                if task.instance != Some(instance.id) {
                    return Err(format!("task {t} listed on instance {} but placed elsewhere", instance.id));
                }
                let needs = self.needs(task.task_def as usize);
                cpu += needs.cpu;
                memory += needs.memory;
                enis += u32::from(needs.eni);
            }
            if cpu + instance.cpu_free != instance.cpu_total()
                || memory + instance.memory_free != instance.memory_total()
            {
                return Err(format!("instance {} cpu/memory accounting drifted", instance.id));
            }
            if enis + instance.eni_free
                != instance
                    .instance_type
                    .awsvpc_task_limit(self.scenario.providers[instance.provider as usize].eni_trunking)
            {
                return Err(format!("instance {} ENI accounting drifted", instance.id));
            }
            let mut ports = instance.ports.clone();
            ports.sort_unstable();
            ports.dedup();
            if ports.len() != instance.ports.len() {
                return Err(format!("instance {} has a host port used twice", instance.id));
            }
        }
        for task in &self.tasks {
            if let Some(i) = task.instance {
                let holds = self.instances[i as usize].tasks.contains(&task.id);
                let should_hold = task.state != crate::task::TaskState::Stopped;
                if holds != should_hold {
                    return Err(format!("task {} and instance {i} disagree on placement", task.id));
                }
            }
        }
        Ok(())
    }
}
