//! The fleet part (`docs/model.md` §4.3–4.5): container instances of the Auto Scaling group providers, each group's
//! runtime state and the indexes placement reads (live instances per group and per zone, tasks per owner per
//! instance and per zone, tasks waiting in PROVISIONING).
//!
//! [`Fleet`] owns that data; its fields are private to this folder, so the rest of the simulation changes an
//! instance only through `Fleet`'s methods, which keep the invariants [`Fleet::check`] verifies: an instance's
//! free cpu, memory, ENIs and ports are its totals less what its tasks hold; the group and zone lists hold exactly
//! the instances not terminated; the owner counts match the tasks held. The mechanisms that drive the fleet are
//! beside it: `ec2` (instances' lives, placing tasks, image pulls), `scaling` (managed scaling), `spot` (EC2 Spot
//! notices, draining, rebalancing), and the pure `placement` function.

mod ec2;
mod managed;
pub(super) mod placement;
mod room;
pub(super) mod scaling;
mod spot;

use crate::ids::{InstanceId, ProviderId, TaskId};
use std::collections::{BTreeMap, VecDeque};

use crate::instance::InstanceState;
use crate::instance_types::{self, InstanceType};
use crate::scenario::{AsgProvider, HostPort, TaskDef};
use crate::spec::{AllocationStrategy, Architecture, NetworkMode};
use crate::task::{Owner, TaskState};
use crate::time::SimTime;
use room::{Room, RoomList};

/// A container instance.
#[derive(Debug, Clone)]
pub struct Instance {
    /// The instance's [`InstanceId`], as a plain number (see [`Instance::instance_id`]).
    pub id: u32,
    pub provider: ProviderId,
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
    pub tasks: Vec<TaskId>,
    pub launched_at: SimTime,
    /// When a Spot interruption notice arrived, if one did.
    pub notice_at: Option<SimTime>,
    /// When a rebalance recommendation arrived ahead of the notice, if one did.
    pub rebalance_at: Option<SimTime>,
    /// For a Capacity Rebalancing replacement: the instance it replaces, terminated once this one is in service.
    pub replaces: Option<InstanceId>,
    /// The group is terminating the instance and waits for managed instance draining to move its service tasks.
    pub terminating: bool,
    /// Task definitions whose image is on the instance, and when its pull completes.
    pulled: Vec<(u32, SimTime)>,
    /// Tasks per owner (service or RunTask burst) on the instance: a handful of entries, scanned in a few
    /// nanoseconds, where a map lookup per candidate made spread placement slow on crowded groups.
    owners: Vec<(u64, u32)>,
    /// Managed Instances: since when the ACTIVE instance has had no task (idle scale-in).
    pub idle_since: Option<SimTime>,
    /// When the instance was terminated (billing of the Managed Instances fee).
    pub terminated_at: Option<SimTime>,
}

impl Instance {
    fn owner_count(&self, owner: u64) -> u32 {
        self.owners.iter().find(|(o, _)| *o == owner).map_or(0, |(_, n)| *n)
    }

    /// Counts `delta` more tasks of `owner` on the instance; returns how many it holds now.
    fn add_owner(&mut self, owner: u64, delta: i32) -> u32 {
        match self.owners.iter().position(|(o, _)| *o == owner) {
            Some(at) => {
                let count = &mut self.owners[at].1;
                *count = count.saturating_add_signed(delta);
                let now = *count;
                if now == 0 {
                    self.owners.swap_remove(at);
                }
                now
            }
            None if delta > 0 => {
                self.owners.push((owner, delta.unsigned_abs()));
                delta.unsigned_abs()
            }
            None => 0,
        }
    }

    pub fn instance_id(&self) -> InstanceId {
        InstanceId::new(self.id)
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
    /// Instances not yet terminated, with the index of their room placement walks (`room.rs`).
    instances: RoomList,
    /// Tasks in PROVISIONING waiting for an instance with room, with their generation.
    waiting: VecDeque<(TaskId, u32)>,
    waiting_count: u32,
    /// Where the next placement starts looking, so equal candidates take turns.
    cursor: u32,
    /// Live instances per zone (index of the provider's zone list), for the indexed spread placement, each with
    /// the index of their room.
    by_zone: Vec<RoomList>,
    /// Since when the reservation has been below target (scale-in needs 15 minutes of it).
    low_since: Option<SimTime>,
    last_reservation: Option<u32>,
    /// Pools of the group without capacity now: (index in the group's instance types, zone index). Usually
    /// empty; a launch into one fails with InsufficientInstanceCapacity.
    dry: Vec<(u16, u16)>,
    /// Launches that failed because no pool of the group had capacity.
    failed_launches: u64,
    /// Managed Instances: a launch for the waiting tasks is scheduled.
    launch_pending: bool,
}

impl ProviderRt {
    /// Tasks of the group waiting in PROVISIONING for an instance.
    pub(super) fn waiting_count(&self) -> u32 {
        self.waiting_count
    }

    /// The CapacityProviderReservation of the last managed-scaling evaluation.
    pub(super) fn last_reservation(&self) -> Option<u32> {
        self.last_reservation
    }

    /// Launches that failed with InsufficientInstanceCapacity in every pool of the group.
    pub(super) fn failed_launches(&self) -> u64 {
        self.failed_launches
    }

    /// Pools of the group without capacity now, as (type index, zone index).
    pub(super) fn dry_pools(&self) -> &[(u16, u16)] {
        &self.dry
    }
}

/// Tasks per owner (service or RunTask burst) in each zone, and which instances hold any of an owner's tasks,
/// kept as tasks are placed and released, so spread strategies look counts up instead of recounting every
/// instance's tasks. (Per instance, the counts live on the instance: `Instance::owners`.) Owners are numbered
/// densely ([`owner_slot`]), so both are plain vectors: a lookup is a few indexings where a BTreeMap search cost
/// some 150 instructions, and "does this instance hold the owner's tasks?" is one bit where scanning the
/// instance's owner list cost a few dozen per candidate. Memory: per owner that placed tasks, one count per zone
/// of each group and one bit per instance launched.
#[derive(Default)]
pub(super) struct OwnerCounts {
    /// Per owner slot, per group, per zone: the owner's tasks.
    in_zone: Vec<Vec<Vec<u32>>>,
    /// Per owner slot: a bit per instance id, set while the instance holds any of the owner's tasks.
    holders: Vec<Vec<u64>>,
}

/// An owner key's dense number: services even, RunTask workloads odd.
fn owner_slot(owner: u64) -> usize {
    2 * crate::narrow::usize_of(owner & 0xffff_ffff) + usize::from(owner >> 32 != 0)
}

impl OwnerCounts {
    /// Counts `delta` more tasks of `owner` on `instance`, which now holds `on_instance` of them.
    fn add(&mut self, owner: u64, instance: &Instance, delta: i32, on_instance: u32) {
        let slot = owner_slot(owner);
        if self.in_zone.len() <= slot {
            self.in_zone.resize_with(slot + 1, Vec::new);
            self.holders.resize_with(slot + 1, Vec::new);
        }
        let groups = &mut self.in_zone[slot];
        let (group, zone) = (instance.provider.index(), usize::from(instance.zone));
        if groups.len() <= group {
            groups.resize_with(group + 1, Vec::new);
        }
        if groups[group].len() <= zone {
            groups[group].resize(zone + 1, 0);
        }
        let count = &mut groups[group][zone];
        *count = count.saturating_add_signed(delta);
        let bits = &mut self.holders[slot];
        let (word, bit) = (instance.instance_id().index() / 64, instance.id % 64);
        if bits.len() <= word {
            bits.resize(word + 1, 0);
        }
        if on_instance > 0 {
            bits[word] |= 1 << bit;
        } else {
            bits[word] &= !(1 << bit);
        }
    }

    pub(super) fn in_zone(&self, owner: u64, provider: ProviderId, zone: u16) -> u32 {
        self.in_zone
            .get(owner_slot(owner))
            .and_then(|groups| groups.get(provider.index()))
            .and_then(|zones| zones.get(usize::from(zone)))
            .copied()
            .unwrap_or(0)
    }

    /// Whether the instance holds any of the owner's tasks.
    pub(super) fn holds(&self, owner: u64, instance: InstanceId) -> bool {
        let (word, bit) = (instance.index() / 64, instance.index() % 64);
        self.holders.get(owner_slot(owner)).and_then(|bits| bits.get(word)).is_some_and(|w| (w >> bit) & 1 == 1)
    }

    /// The owner's tasks on the instance: none unless it [holds](Self::holds) some, then its own count.
    pub(super) fn on_instance(&self, owner: u64, instance: &Instance) -> u32 {
        if self.holds(owner, instance.instance_id()) {
            instance.owner_count(owner)
        } else {
            0
        }
    }
}

/// The key placement counts an owner's tasks under: services and RunTask workloads in one number space.
pub(super) fn owner_key(owner: Owner) -> u64 {
    match owner {
        Owner::Service { service, .. } => u64::from(service.raw()),
        Owner::Standalone { workload } => (1 << 32) | u64::from(workload.raw()),
    }
}

/// What a task needs from an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Needs {
    pub(super) cpu: u32,
    pub(super) memory: u32,
    /// A task runs only on instances of its task definition's CPU architecture.
    pub(super) architecture: Architecture,
    pub(super) eni: bool,
    pub(super) fixed_ports: Vec<u16>,
    pub(super) dynamic_ports: u32,
}

impl Needs {
    pub(super) fn of(td: &TaskDef) -> Needs {
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
}

/// Every container instance and every group's runtime state; see the module doc for what it keeps true.
pub(super) struct Fleet {
    instances: Vec<Instance>,
    providers: Vec<ProviderRt>,
    owner_counts: OwnerCounts,
    /// Per instance (by id): its position in its group's list and in its zone's list (while not terminated).
    slots: Vec<(u32, u32)>,
}

impl Fleet {
    pub(super) fn new(groups: usize) -> Fleet {
        Fleet {
            instances: Vec::new(),
            providers: (0..groups).map(|_| ProviderRt::default()).collect(),
            owner_counts: OwnerCounts::default(),
            slots: Vec::new(),
        }
    }

    /// Every instance launched so far, terminated ones included, indexed by id.
    pub(super) fn instances(&self) -> &[Instance] {
        &self.instances
    }

    pub(super) fn instance(&self, id: InstanceId) -> &Instance {
        &self.instances[id.index()]
    }

    pub(super) fn providers(&self) -> &[ProviderRt] {
        &self.providers
    }

    /// Instances of the group that are not terminated.
    pub(super) fn group_size(&self, p: ProviderId) -> u32 {
        crate::narrow::u32_of(self.providers[p.index()].instances.len())
    }

    /// Instances of every group that are not terminated, for the series and the view.
    pub(super) fn live_instances(&self) -> u32 {
        self.providers.iter().map(|rt| crate::narrow::u32_of(rt.instances.len())).fold(0, u32::saturating_add)
    }

    /// Container instances registered to the cluster (ACTIVE or DRAINING), every group together: what counts
    /// against the "container instances per cluster" quota.
    pub(super) fn registered_instances(&self) -> u32 {
        let registered = |id: &InstanceId| {
            matches!(self.instances[id.index()].state, InstanceState::Active | InstanceState::Draining)
        };
        self.providers
            .iter()
            .map(|rt| crate::narrow::u32_of(rt.instances.ids().iter().filter(|id| registered(id)).count()))
            .fold(0, u32::saturating_add)
    }

    /// Tasks of every group waiting in PROVISIONING (the cluster's provisioning limit counts them all).
    pub(super) fn provisioning_total(&self) -> u32 {
        self.providers.iter().map(|rt| rt.waiting_count).sum()
    }

    /// The highest reservation any group reported at its last evaluation.
    pub(super) fn max_reservation(&self) -> u32 {
        self.providers.iter().filter_map(|p| p.last_reservation).max().unwrap_or(0)
    }

    /// Picks the zone and instance type for one more instance of the group, as the ASG would: zones stay
    /// balanced; the type follows the allocation strategy; pools without capacity are passed over. `None` when
    /// every pool of the group refuses (InsufficientInstanceCapacity).
    ///
    /// The order the pools are tried in follows the EC2 Auto Scaling documentation. Within a zone, the types in
    /// the allocation strategy's order: *InstancesDistribution* (EC2 Auto Scaling API Reference),
    /// `OnDemandAllocationStrategy` `prioritized`: "If all your On-Demand capacity cannot be fulfilled using your
    /// highest priority instance type, then Amazon EC2 Auto Scaling launches the remaining capacity using the second
    /// priority instance type, and so on." Then the other zones, least populated first: *AvailabilityZoneDistribution*
    /// (EC2 Auto Scaling API Reference), the default `balanced-best-effort`: "If launches fail in an Availability
    /// Zone, Auto Scaling will attempt to launch in another healthy Availability Zone instead."
    /// With no dry pool, the first pool tried is the one chosen before pools could refuse (no draw is made).
    fn choose_type_and_zone(&self, p: ProviderId, provider: &AsgProvider) -> Option<(InstanceType, u16)> {
        let rt = &self.providers[p.index()];
        // Live instances per zone are `by_zone`'s list lengths (zones never launched into yet have no list).
        let in_zone = |z: usize| rt.by_zone.get(z).map_or(0, RoomList::len);
        let mut zones: Vec<usize> = (0..provider.zones.len().max(1)).collect();
        // Stable: equal counts keep the zone order (the first minimum is the zone chosen before).
        zones.sort_by_key(|&z| (in_zone(z), z));
        for zone in zones {
            let zone = crate::narrow::u16_of(zone);
            for t in self.types_in_order(rt, provider, zone) {
                if !rt.dry.contains(&(crate::narrow::u16_of(t), zone)) {
                    return Some((provider.instance_types[t], zone));
                }
            }
        }
        None
    }

    /// The group's instance types (indices) in the order its allocation strategy prefers them in `zone`. A stable
    /// sort, so the first is the first minimum, as `min_by` picks it.
    fn types_in_order(&self, rt: &ProviderRt, provider: &AsgProvider, zone: u16) -> Vec<usize> {
        let types = &provider.instance_types;
        let mut order: Vec<usize> = (0..types.len()).collect();
        match provider.allocation_strategy {
            AllocationStrategy::Prioritized => {}
            // Cheapest instance, whatever its size: the autoscaler cannot pick the type the tasks need.
            AllocationStrategy::LowestPrice => {
                order.sort_by(|&a, &b| types[a].on_demand_hour_usd.total_cmp(&types[b].on_demand_hour_usd))
            }
            // Deepest pools: spread launches over every type in the zone, so every (type, zone) pool is used.
            AllocationStrategy::CapacityOptimized => {
                let zone_list = rt.by_zone.get(usize::from(zone)).map_or(&[][..], RoomList::ids);
                let of_type = |t: &InstanceType| {
                    zone_list.iter().filter(|&&i| self.instances[i.index()].instance_type.name == t.name).count()
                };
                // Each type's count once (a stable sort too), not per comparison: the same order.
                order.sort_by_cached_key(|&t| of_type(&types[t]));
            }
            // Price and capacity: the lowest price per vCPU.
            AllocationStrategy::PriceCapacityOptimized => {
                let per_vcpu = |t: &InstanceType| t.on_demand_hour_usd / f64::from(t.vcpu);
                order.sort_by(|&a, &b| per_vcpu(&types[a]).total_cmp(&per_vcpu(&types[b])));
            }
        }
        order
    }

    /// A pool of group `p` loses (`available` false) or regains its capacity.
    pub(super) fn set_pool(&mut self, p: ProviderId, instance_type: u16, zone: u16, available: bool) {
        let dry = &mut self.providers[p.index()].dry;
        let at = dry.iter().position(|&pool| pool == (instance_type, zone));
        match (available, at) {
            (true, Some(at)) => {
                dry.remove(at);
            }
            (false, None) => dry.push((instance_type, zone)),
            _ => {}
        }
    }

    /// Counts a launch of group `p` that no pool could take.
    pub(super) fn launch_failed(&mut self, p: ProviderId) {
        self.providers[p.index()].failed_launches += 1;
    }

    /// Adds an instance of group `p` in LAUNCHING (type and zone as the group chooses) and indexes it; `None` when
    /// no pool of the group has capacity.
    pub(super) fn add(&mut self, p: ProviderId, provider: &AsgProvider, now: SimTime) -> Option<InstanceId> {
        let (instance_type, zone) = self.choose_type_and_zone(p, provider)?;
        Some(self.insert(p, provider, instance_type, zone, now))
    }

    /// Adds an instance of the group's type `t` (Managed Instances choose the type themselves) in the least
    /// populated zone whose pool of that type has capacity; `None` when every zone's pool refuses.
    pub(super) fn add_typed(
        &mut self,
        p: ProviderId,
        provider: &AsgProvider,
        t: usize,
        now: SimTime,
    ) -> Option<InstanceId> {
        let rt = &self.providers[p.index()];
        let in_zone = |z: usize| rt.by_zone.get(z).map_or(0, RoomList::len);
        let zone = (0..provider.zones.len().max(1))
            .filter(|&z| !rt.dry.contains(&(crate::narrow::u16_of(t), crate::narrow::u16_of(z))))
            .min_by_key(|&z| (in_zone(z), z))?;
        Some(self.insert(p, provider, provider.instance_types[t], crate::narrow::u16_of(zone), now))
    }

    fn insert(
        &mut self,
        p: ProviderId,
        provider: &AsgProvider,
        instance_type: InstanceType,
        zone: u16,
        now: SimTime,
    ) -> InstanceId {
        let id = InstanceId::from_index(self.instances.len());
        let instance = Instance {
            id: id.raw(),
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
            launched_at: now,
            notice_at: None,
            rebalance_at: None,
            replaces: None,
            terminating: false,
            pulled: Vec::new(),
            owners: Vec::new(),
            idle_since: None,
            terminated_at: None,
        };
        let cpu = instance.cpu_total();
        let memory = instance.memory_total();
        self.instances.push(instance);
        let instance = &mut self.instances[id.index()];
        instance.cpu_free = cpu;
        instance.memory_free = memory;
        let room = Room::of(&self.instances[id.index()]);
        let rt = &mut self.providers[p.index()];
        let in_group = rt.instances.push(id, room);
        if rt.by_zone.len() <= zone as usize {
            rt.by_zone.resize(zone as usize + 1, RoomList::default());
        }
        let in_zone = rt.by_zone[zone as usize].push(id, room);
        self.slots.push((crate::narrow::u32_of(in_group), crate::narrow::u32_of(in_zone)));
        id
    }

    /// Moves an instance from state `from` to `to`; false (and nothing changes) when it is not in `from`.
    /// Not for termination: see [`terminate`](Self::terminate).
    pub(super) fn transition(&mut self, id: InstanceId, from: InstanceState, to: InstanceState) -> bool {
        debug_assert!(to != InstanceState::Terminated);
        let instance = &mut self.instances[id.index()];
        if instance.state != from {
            return false;
        }
        instance.state = to;
        self.refresh_room(id);
        true
    }

    /// Brings the room indexes up to date with the instance (after its state or free resources changed).
    fn refresh_room(&mut self, id: InstanceId) {
        let instance = &self.instances[id.index()];
        if instance.state == InstanceState::Terminated {
            return;
        }
        let room = Room::of(instance);
        let (in_group, in_zone) = self.slots[id.index()];
        let rt = &mut self.providers[instance.provider.index()];
        rt.instances.set(in_group as usize, room);
        rt.by_zone[instance.zone as usize].set(in_zone as usize, room);
    }

    /// The instance is gone: TERMINATED, and out of its group's indexes. Returns when it was launched (billing).
    pub(super) fn terminate(&mut self, id: InstanceId, now: SimTime) -> SimTime {
        let instance = &mut self.instances[id.index()];
        instance.state = InstanceState::Terminated;
        instance.terminated_at = Some(now);
        let (provider, launched_at, zone) = (instance.provider, instance.launched_at, instance.zone as usize);
        let rt = &mut self.providers[provider.index()];
        let (in_group, in_zone) = self.slots[id.index()];
        if let Some(moved) = rt.instances.swap_remove(in_group as usize) {
            self.slots[moved.index()].0 = in_group;
        }
        if let Some(moved) = rt.by_zone[zone].swap_remove(in_zone as usize) {
            self.slots[moved.index()].1 = in_zone;
        }
        launched_at
    }

    /// Records a Spot interruption notice. `None` when the instance is terminated or already noticed (nothing
    /// changes); otherwise its group and its state before the notice.
    pub(super) fn notice(&mut self, id: InstanceId, now: SimTime) -> Option<(ProviderId, InstanceState)> {
        let instance = &mut self.instances[id.index()];
        if instance.state == InstanceState::Terminated || instance.notice_at.is_some() {
            return None;
        }
        instance.notice_at = Some(now);
        Some((instance.provider, instance.state))
    }

    /// Records that `new` is the Capacity Rebalancing replacement of `old`.
    pub(super) fn set_replaces(&mut self, new: InstanceId, old: InstanceId) {
        self.instances[new.index()].replaces = Some(old);
    }

    /// Marks (or unmarks) an instance as being terminated by its group once drained.
    pub(super) fn set_terminating(&mut self, id: InstanceId, terminating: bool) {
        self.instances[id.index()].terminating = terminating;
    }

    /// Records a rebalance recommendation. `None` when the instance is terminated, noticed or already
    /// recommended; otherwise its group.
    pub(super) fn recommend_rebalance(&mut self, id: InstanceId, now: SimTime) -> Option<ProviderId> {
        let instance = &mut self.instances[id.index()];
        if instance.state == InstanceState::Terminated
            || instance.notice_at.is_some()
            || instance.rebalance_at.is_some()
        {
            return None;
        }
        instance.rebalance_at = Some(now);
        Some(instance.provider)
    }

    /// Reserves an instance's resources for a task.
    pub(super) fn hold(&mut self, instance: InstanceId, task: TaskId, needs: &Needs, owner: u64) {
        let i = &mut self.instances[instance.index()];
        i.cpu_free -= needs.cpu;
        i.memory_free -= needs.memory;
        if needs.eni {
            i.eni_free -= 1;
        }
        i.ports.extend(&needs.fixed_ports);
        i.dynamic_ports_used += needs.dynamic_ports;
        i.tasks.push(task);
        i.idle_since = None;
        let on_instance = self.instances[instance.index()].add_owner(owner, 1);
        self.owner_counts.add(owner, &self.instances[instance.index()], 1, on_instance);
        self.refresh_held(instance, owner, on_instance > 0);
        self.refresh_room(instance);
    }

    /// Marks in its zone's list whether a (not terminated) instance holds any of the owner's tasks.
    fn refresh_held(&mut self, id: InstanceId, owner: u64, held: bool) {
        let instance = &self.instances[id.index()];
        if instance.state == InstanceState::Terminated {
            return;
        }
        let in_zone = self.slots[id.index()].1 as usize;
        let rt = &mut self.providers[instance.provider.index()];
        rt.by_zone[instance.zone as usize].set_held(owner_slot(owner), in_zone, held);
    }

    /// Gives a task's resources back. Returns the instance's group.
    pub(super) fn release(&mut self, instance: InstanceId, task: TaskId, needs: &Needs, owner: u64) -> ProviderId {
        let i = &mut self.instances[instance.index()];
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
        let on_instance = self.instances[instance.index()].add_owner(owner, -1);
        self.owner_counts.add(owner, &self.instances[instance.index()], -1, on_instance);
        self.refresh_held(instance, owner, on_instance > 0);
        self.refresh_room(instance);
        provider
    }

    /// When the image of `task_def` is (or will be) on the instance, if a pull of it started there.
    pub(super) fn pulled(&self, instance: InstanceId, task_def: u32) -> Option<SimTime> {
        self.instances[instance.index()].pulled.iter().find(|(td, _)| *td == task_def).map(|&(_, ready)| ready)
    }

    pub(super) fn remember_pull(&mut self, instance: InstanceId, task_def: u32, ready: SimTime) {
        self.instances[instance.index()].pulled.push((task_def, ready));
    }

    /// A task starts waiting in PROVISIONING for an instance of group `p`.
    pub(super) fn enqueue_waiting(&mut self, p: ProviderId, task: TaskId, generation: u32) {
        let rt = &mut self.providers[p.index()];
        rt.waiting.push_back((task, generation));
        rt.waiting_count += 1;
    }

    /// A waiting task of group `p` stopped waiting (placed, stopped or timed out); its queue entry, if still
    /// there, is skipped later.
    pub(super) fn waiting_left(&mut self, p: ProviderId) {
        self.providers[p.index()].waiting_count -= 1;
    }

    /// The oldest entry of the group's waiting queue.
    pub(super) fn waiting_front(&self, p: ProviderId) -> Option<(TaskId, u32)> {
        self.providers[p.index()].waiting.front().copied()
    }

    /// The entries of the group's PROVISIONING queue, oldest first (stale ones included: check the generation).
    pub(super) fn waiting_entries(&self, p: ProviderId) -> impl Iterator<Item = &(TaskId, u32)> + '_ {
        self.providers[p.index()].waiting.iter()
    }

    /// The group's instances not yet terminated.
    pub(super) fn group_instances(&self, p: ProviderId) -> &[InstanceId] {
        self.providers[p.index()].instances.ids()
    }

    pub(super) fn pop_waiting(&mut self, p: ProviderId) {
        self.providers[p.index()].waiting.pop_front();
    }

    /// Checks the fleet's invariants against the tasks; `needs` gives a task definition's needs.
    pub(super) fn check(
        &self,
        tasks: &super::tasks::Tasks,
        providers: &[AsgProvider],
        task_defs: &[TaskDef],
    ) -> Result<(), String> {
        for instance in &self.instances {
            // Tasks of a terminated instance are dying: they hold their resources until STOPPED.
            if instance.state == InstanceState::Terminated && instance.tasks.iter().any(|&t| !tasks[t].stopping) {
                return Err(format!("terminated instance {} still has running tasks", instance.id));
            }
            let (mut cpu, mut memory, mut enis) = (0, 0, 0);
            for &t in &instance.tasks {
                let task = &tasks[t];
                if task.instance != Some(instance.instance_id()) {
                    return Err(format!("task {t} listed on instance {} but placed elsewhere", instance.id));
                }
                let needs = Needs::of(&task_defs[task.task_def as usize]);
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
                != instance.instance_type.awsvpc_task_limit(providers[instance.provider.index()].eni_trunking)
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
        let live = self.instances.iter().filter(|i| i.state != InstanceState::Terminated).count();
        let grouped: usize = self.providers.iter().map(|rt| rt.instances.len()).sum();
        let zoned: usize = self.providers.iter().flat_map(|rt| &rt.by_zone).map(RoomList::len).sum();
        if grouped != live || zoned != live {
            return Err(format!("{live} live instances, {grouped} in group lists, {zoned} in zone lists"));
        }
        // The room indexes against a recount, and every live instance at the positions `slots` gives.
        for rt in &self.providers {
            rt.instances.check(&self.instances)?;
            for (position, id) in rt.instances.ids().iter().enumerate() {
                if self.slots[id.index()].0 as usize != position {
                    return Err(format!("instance {id} is not where its group slot says"));
                }
            }
            for (zone, list) in rt.by_zone.iter().enumerate() {
                list.check(&self.instances)?;
                for (position, id) in list.ids().iter().enumerate() {
                    let instance = &self.instances[id.index()];
                    if self.slots[id.index()].1 as usize != position || instance.zone as usize != zone {
                        return Err(format!("instance {id} is not where its zone slot says"));
                    }
                    for slot in 0..self.owner_counts.holders.len() {
                        let holds = self.owner_counts.holders[slot]
                            .get(id.index() / 64)
                            .is_some_and(|w| (w >> (id.index() % 64)) & 1 == 1);
                        if list.is_held(slot, position) != holds {
                            return Err(format!("zone list's holder bit of instance {id}, owner slot {slot} drifted"));
                        }
                    }
                }
            }
        }
        self.check_owner_counts(tasks)?;
        for task in tasks.all() {
            if let Some(i) = task.instance {
                let holds = self.instances[i.index()].tasks.contains(&task.id);
                let should_hold = task.state != TaskState::Stopped;
                if holds != should_hold {
                    return Err(format!("task {} and instance {i} disagree on placement", task.id));
                }
            }
        }
        Ok(())
    }

    /// The owner indexes against a recount of the tasks each instance holds: per instance, per zone, and the
    /// holder bits.
    fn check_owner_counts(&self, tasks: &super::tasks::Tasks) -> Result<(), String> {
        let mut per_zone: BTreeMap<(u64, ProviderId, u16), u32> = BTreeMap::new();
        for instance in &self.instances {
            let mut owners: Vec<(u64, u32)> = Vec::new();
            for &t in &instance.tasks {
                let owner = owner_key(tasks[t].owner);
                match owners.iter_mut().find(|(o, _)| *o == owner) {
                    Some((_, n)) => *n += 1,
                    None => owners.push((owner, 1)),
                }
                *per_zone.entry((owner, instance.provider, instance.zone)).or_insert(0) += 1;
            }
            let mut kept = instance.owners.clone();
            kept.sort_unstable();
            owners.sort_unstable();
            if kept != owners {
                return Err(format!("instance {} owner counts drifted", instance.id));
            }
            for (slot, bits) in self.owner_counts.holders.iter().enumerate() {
                let word = bits.get(instance.instance_id().index() / 64).copied().unwrap_or(0);
                let held = (word >> (instance.id % 64)) & 1 == 1;
                if held != owners.iter().any(|&(o, _)| owner_slot(o) == slot) {
                    return Err(format!("instance {} holder bit of owner slot {slot} drifted", instance.id));
                }
            }
        }
        for (slot, groups) in self.owner_counts.in_zone.iter().enumerate() {
            for (group, zones) in groups.iter().enumerate() {
                for (zone, &count) in zones.iter().enumerate() {
                    let owner =
                        u64::try_from(slot / 2).unwrap_or(u64::MAX) | (u64::try_from(slot % 2).unwrap_or(0) << 32);
                    let key = (owner, ProviderId::from_index(group), crate::narrow::u16_of(zone));
                    let recount = per_zone.get(&key).copied().unwrap_or(0);
                    if count != recount {
                        return Err(format!(
                            "owner slot {slot}: {count} tasks kept in group {group} zone {zone}, {recount} held"
                        ));
                    }
                }
            }
        }
        for (&(owner, provider, zone), &n) in &per_zone {
            if self.owner_counts.in_zone(owner, provider, zone) != n {
                return Err(format!("owner {owner}: zone count in group {provider} zone {zone} drifted"));
            }
        }
        Ok(())
    }
}
