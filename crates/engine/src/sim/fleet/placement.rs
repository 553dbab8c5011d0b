//! Task placement on EC2 instances (`docs/model.md` §4.4), as a pure function: the group's candidates, the task's needs,
//! the strategy chain and constraints, the owner's task counts, a rotating cursor and the RNG in; a choice out.
//!
//! Documented order: resources, ports and ENIs; constraints (`distinctInstance`, `memberOf`); then the strategies,
//! each narrowing the candidates to its best; a `random` strategy or the first candidate picks. Candidates are
//! visited from a rotating start, so ties go to a different instance each time. The default chain (spread by zone,
//! then by instance) has an indexed fast path that makes the same choice without looking at every instance.
//! Both walk the group's lists through their room index ([`RoomList`]): an instance the index rules out is one
//! `fits` would reject, so the walk visits the same instances that could be chosen, in the same order.

use super::{owner_slot, Instance, Needs, OwnerCounts, RoomList};
use crate::defaults;
use crate::ids::{InstanceId, ProviderId};
use crate::instance::InstanceState;
use crate::narrow;
use crate::query::Subject;
use crate::rng::SimRng;
use crate::scenario::{AsgProvider, Placement};
use crate::spec::{Architecture, BinpackField, PlacementStrategySpec};

/// One group's instances as placement sees them.
pub(in crate::sim) struct Group<'a> {
    /// The group's index among the providers (owner counts are kept per group and zone).
    pub index: ProviderId,
    pub provider: &'a AsgProvider,
    /// Every instance of the fleet, indexed by id.
    pub instances: &'a [Instance],
    /// The group's live instances, with the index of their room.
    pub members: &'a RoomList,
    /// The group's live instances per zone, with the index of their room.
    pub by_zone: &'a [RoomList],
    pub owner_counts: &'a OwnerCounts,
}

/// Chooses an instance of the group for a task of `owner` (an `owner_key`) with `needs`, or `None` when no
/// instance can take it. `cursor` is the group's rotating start; it moves on as the original ECS-like scan does.
pub(in crate::sim) fn choose(
    group: &Group,
    needs: &Needs,
    placement: &Placement,
    owner: u64,
    cursor: &mut u32,
    rng: &mut SimRng,
) -> Option<InstanceId> {
    let floor = match spread_fast_path(group, needs, placement, owner, cursor) {
        Ok(decided) => return decided,
        Err(floor) => floor,
    };
    let instances = group.instances;
    let members = group.members;
    let start = *cursor as usize % members.len().max(1);
    let allowed = |instance: &Instance| {
        fits(instance, needs)
            && (!placement.distinct_instance || !group.owner_counts.holds(owner, instance.instance_id()))
            && (placement.member_of.is_empty() || member_of(group.provider, instance, placement))
    };
    if is_default_spread(placement) {
        // The default chain, when the fast path left it undecided (or with constraints): one pass, no list.
        // The fast path's floor comes from a zone with instances that fit, all holding the owner's tasks: unless
        // `distinctInstance` rules those out, the best rank is in that zone's count, and no instance of a zone
        // with more of the owner's tasks can be chosen.
        let zone_count = floor.filter(|_| !placement.distinct_instance).map(|(count, _)| count);
        let choice = default_spread_scan(group, needs, owner, start, floor, zone_count, &allowed);
        *cursor = cursor.wrapping_add(1);
        return choice;
    }
    // From the rotating start to the end, then from the beginning to the start; the room index skips the
    // instances that cannot fit, so candidates come in the order a scan of every instance finds them.
    let ids = members.ids();
    let mut candidates: Vec<InstanceId> = Vec::new();
    for (from, to) in [(start, ids.len()), (0, start)] {
        let mut at = from;
        while let Some(position) = members.next_may_fit(at, to, needs) {
            at = position + 1;
            let i = ids[position];
            if allowed(&instances[i.index()]) {
                candidates.push(i);
            }
        }
    }
    *cursor = cursor.wrapping_add(1);
    if candidates.is_empty() {
        return None;
    }
    let last = placement.strategies.len().saturating_sub(1);
    for (index, strategy) in placement.strategies.iter().enumerate() {
        if candidates.len() == 1 {
            break;
        }
        match strategy {
            PlacementStrategySpec::Binpack { field } => {
                let left = |i: &InstanceId| {
                    let instance = &instances[i.index()];
                    match field {
                        BinpackField::Cpu => instance.cpu_free - needs.cpu,
                        BinpackField::Memory => instance.memory_free - needs.memory,
                    }
                };
                let best = candidates.iter().map(left).min().expect("non-empty");
                candidates.retain(|i| left(i) == best);
            }
            PlacementStrategySpec::Spread { field } if field == "instanceId" => {
                let count = |i: &InstanceId| group.owner_counts.on_instance(owner, &instances[i.index()]);
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
                let zones = narrow::u16_of(group.provider.zones.len());
                let per_zone: Vec<u32> =
                    (0..zones).map(|z| group.owner_counts.in_zone(owner, group.index, z)).collect();
                let count = |i: &InstanceId| per_zone[instances[i.index()].zone as usize];
                let best = candidates.iter().map(count).min().expect("non-empty");
                candidates.retain(|i| count(i) == best);
            }
            PlacementStrategySpec::Spread { field } => {
                // Any other attribute: count the owner's tasks per value over the group's active instances.
                let mut counts: Vec<(String, u32)> = Vec::new();
                for &i in members.ids() {
                    let instance = &instances[i.index()];
                    if instance.state != InstanceState::Active {
                        continue;
                    }
                    let value = spread_key(group.provider, instance, field);
                    let n = group.owner_counts.on_instance(owner, instance);
                    match counts.iter_mut().find(|(k, _)| *k == value) {
                        Some((_, c)) => *c += n,
                        None => counts.push((value, n)),
                    }
                }
                let count_of = |i: &InstanceId| {
                    let value = spread_key(group.provider, &instances[i.index()], field);
                    counts.iter().find(|(k, _)| *k == value).map_or(0, |(_, c)| *c)
                };
                let best = candidates.iter().map(count_of).min().expect("non-empty");
                candidates.retain(|i| count_of(i) == best);
            }
            PlacementStrategySpec::Random => {
                let pick = narrow::usize_of(rng.below(candidates.len() as u64));
                return Some(candidates[pick]);
            }
        }
    }
    Some(candidates[0])
}

/// Whether the strategy chain is the default one: spread by zone, then by instance.
fn is_default_spread(placement: &Placement) -> bool {
    matches!(
        placement.strategies.as_slice(),
        [PlacementStrategySpec::Spread { field: zone }, PlacementStrategySpec::Spread { field: instance }]
            if zone == "attribute:ecs.availability-zone" && instance == "instanceId"
    )
}

/// The default chain (spread by zone, then by instance) in one pass over the allowed instances, from the rotating
/// `start`: the first instance with the fewest of the owner's tasks in its zone and, among those, on itself. That
/// is the chain's own answer: narrowing to the zones with the fewest tasks, then taking the first instance with
/// none of the owner's tasks, or else the first with the fewest, keeps the first minimum of (zone count, instance
/// count) in visiting order. No RNG draw either way. `known_floor`: a rank no allowed instance beats, when the
/// fast path found one (the scan stops at the first instance that reaches it). `zone_count`: when known, the
/// owner's task count of the zone the best instance is in (instances of zones with more are passed over unchecked).
fn default_spread_scan(
    group: &Group,
    needs: &Needs,
    owner: u64,
    start: usize,
    known_floor: Option<(u32, u32)>,
    zone_count: Option<u32>,
    allowed: &dyn Fn(&Instance) -> bool,
) -> Option<InstanceId> {
    let (mut stack, mut heap) = ([0u32; ZONES_ON_STACK], Vec::new());
    let per_zone = scratch(&mut stack, &mut heap, group.provider.zones.len());
    for (z, count) in per_zone.iter_mut().enumerate() {
        *count = group.owner_counts.in_zone(owner, group.index, narrow::u16_of(z));
    }
    let per_zone = &*per_zone;
    // No instance can rank better than the emptiest zone with none of the owner's tasks on it.
    let floor = known_floor.unwrap_or((per_zone.iter().copied().min().unwrap_or(0), 0));
    let (members, instances) = (group.members, group.instances);
    let ids = members.ids();
    let mut best: Option<((u32, u32), InstanceId)> = None;
    for (from, to) in [(start, ids.len()), (0, start)] {
        let mut at = from;
        while let Some(position) = members.next_may_fit(at, to, needs) {
            at = position + 1;
            let i = ids[position];
            let instance = &instances[i.index()];
            let in_zone = per_zone[instance.zone as usize];
            if zone_count.is_some_and(|count| in_zone > count) || !allowed(instance) {
                continue;
            }
            let rank = (in_zone, group.owner_counts.on_instance(owner, instance));
            if best.is_none_or(|(b, _)| rank < b) {
                if rank == floor {
                    return Some(i);
                }
                best = Some((rank, i));
            }
        }
    }
    best.map(|(_, i)| i)
}

/// The default placement (spread by zone, then by instance, no memberOf) without looking at every instance:
/// zones in order of the owner's task count, and in the first zone with room the first instance (from a
/// rotating start) that fits and holds none of the owner's tasks — an instance the full chain ranks best. (Among
/// equally good instances it may pick another than the chain would: the rotation runs over the zone's list.)
/// `Ok(None)`: no instance has room. `Err(_)`: not decided here (another placement, or every instance with room
/// in the best zone already holds the owner's tasks); the full chain ranks the candidates. In the second case
/// the error carries the best (zone count, instance count) rank any instance can still have: zones ranked
/// before that zone have no instance with room, and its own instances with room all hold the owner's tasks, so
/// unless a later zone has as few of the owner's tasks, nothing ranks better than (its count, 1).
fn spread_fast_path(
    group: &Group,
    needs: &Needs,
    placement: &Placement,
    owner: u64,
    cursor: &mut u32,
) -> Result<Option<InstanceId>, Option<(u32, u32)>> {
    let [PlacementStrategySpec::Spread { field: zone_field }, PlacementStrategySpec::Spread { field: instance_field }] =
        placement.strategies.as_slice()
    else {
        return Err(None);
    };
    if zone_field != "attribute:ecs.availability-zone"
        || instance_field != "instanceId"
        || !placement.member_of.is_empty()
    {
        return Err(None);
    }
    let instances = group.instances;
    let (mut stack, mut heap) = ([(0u32, 0usize); ZONES_ON_STACK], Vec::new());
    let zones = scratch(&mut stack, &mut heap, group.by_zone.len());
    for (z, slot) in zones.iter_mut().enumerate() {
        *slot = (group.owner_counts.in_zone(owner, group.index, narrow::u16_of(z)), z);
    }
    zones.sort_unstable();
    let zones = &*zones;
    let start_at = *cursor as usize;
    for (rank, &(count, z)) in zones.iter().enumerate() {
        let list = &group.by_zone[z];
        if list.is_empty() {
            continue;
        }
        let start = start_at % list.len();
        let ids = list.ids();
        // From the rotating start round the list, visiting only the instances that hold none of the owner's tasks
        // and that the room index says may fit (the list's holder bits and room index skip the others).
        let slot = owner_slot(owner);
        let mut held_fit = None;
        for (from, to) in [(start, ids.len()), (0, start)] {
            let mut at = from;
            while let Some(position) = list.next_free(at, to, needs, slot, &mut held_fit) {
                at = position + 1;
                let i = ids[position];
                if fits(&instances[i.index()], needs) {
                    *cursor = cursor.wrapping_add(1);
                    return Ok(Some(i));
                }
            }
        }
        // None free of the owner's tasks fits: whether any instance of the zone fits at all (usually the first
        // one the walk above passed over for holding the owner's tasks does; else a walk of the whole list).
        let mut any_fits = held_fit.is_some_and(|p: usize| fits(&instances[ids[p].index()], needs));
        let mut at = 0;
        while !any_fits {
            let Some(position) = list.next_may_fit(at, ids.len(), needs) else { break };
            at = position + 1;
            any_fits = fits(&instances[ids[position].index()], needs);
        }
        if any_fits {
            // The lowest zone with room has no instance free of the owner's tasks: let the full chain rank them.
            let tied = zones[rank + 1..].iter().any(|&(c, _)| c == count);
            return Err(Some((count, u32::from(!tied))));
        }
    }
    Ok(None)
}

/// Zones a group's per-zone scratch keeps on the stack (the validator allows 16 a group): placement runs for every
/// task, and a heap allocation per call cost more than the counting.
const ZONES_ON_STACK: usize = 16;

/// `len` slots of scratch: in `stack` when they fit, else in `heap`.
fn scratch<'a, T: Copy + Default>(stack: &'a mut [T; ZONES_ON_STACK], heap: &'a mut Vec<T>, len: usize) -> &'a mut [T] {
    if len <= ZONES_ON_STACK {
        &mut stack[..len]
    } else {
        heap.resize(len, T::default());
        heap
    }
}

/// Whether the instance is ACTIVE, of the task's architecture, and has the cpu, memory, ENI and ports it needs.
pub(in crate::sim) fn fits(instance: &Instance, needs: &Needs) -> bool {
    instance.state == InstanceState::Active
        && instance.instance_type.architecture == needs.architecture
        && instance.cpu_free >= needs.cpu
        && instance.memory_free >= needs.memory
        && (!needs.eni || instance.eni_free >= 1)
        && needs.fixed_ports.iter().all(|p| !instance.ports.contains(p))
        && instance.dynamic_ports_used + needs.dynamic_ports <= defaults::DYNAMIC_PORTS
}

/// The value of an attribute (`ecs.instance-type`, `ecs.availability-zone`, `ecs.cpu-architecture`,
/// `ecs.os-type`, `ecs.capacity-provider`) on an instance of `provider`, borrowed: placement asks for it per
/// candidate.
fn attribute<'a>(provider: &'a AsgProvider, instance: &'a Instance, name: &str) -> Option<&'a str> {
    match name {
        "ecs.instance-type" => Some(instance.instance_type.name),
        "ecs.availability-zone" => Some(&provider.zones[instance.zone as usize]),
        "ecs.cpu-architecture" => Some(match instance.instance_type.architecture {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }),
        "ecs.os-type" => Some("linux"),
        "ecs.capacity-provider" => Some(&provider.name),
        _ => None,
    }
}

fn member_of(provider: &AsgProvider, instance: &Instance, placement: &Placement) -> bool {
    let ec2_id = instance.ec2_id();
    placement.member_of.iter().all(|expression| {
        expression.matches(|subject: &Subject| match subject {
            Subject::Attribute(name) => attribute(provider, instance, name),
            Subject::Ec2InstanceId => Some(ec2_id.as_str()),
        })
    })
}

/// The spread key of an instance: its id, or an attribute value.
fn spread_key(provider: &AsgProvider, instance: &Instance, field: &str) -> String {
    match field.strip_prefix("attribute:") {
        Some(name) => attribute(provider, instance, name).unwrap_or_default().to_string(),
        None => instance.ec2_id(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TaskId;
    use crate::query;
    use crate::sim::fleet::{Fleet, Needs};
    use crate::sim::testing::{self, i, t};
    use crate::sim::Simulation;

    /// Four m5.large instances, ACTIVE from the start, alternating between two zones: 0 and 2 in us-east-1a,
    /// 1 and 3 in us-east-1b. The service's placement is `service`'s fragment.
    fn four_instances(service: &str) -> Simulation {
        let provider = r#""max_size": 4, "desired_capacity": 4, "availability_zones": ["us-east-1a", "us-east-1b"]"#;
        testing::checked(testing::ec2(provider, "", service, ""))
    }

    const SERVICE: u64 = 0;
    const OTHER: u64 = 7;

    fn needs(sim: &Simulation) -> Needs {
        Needs::of(&sim.scenario.task_defs[0])
    }

    /// Puts a task of `owner` needing `memory` MiB (and 256 CPU) on an instance; `task` is only a label here.
    fn hold(fleet: &mut Fleet, instance: InstanceId, task: TaskId, owner: u64, memory: u32) {
        let needs = Needs {
            cpu: 256,
            memory,
            architecture: Architecture::X86_64,
            eni: false,
            fixed_ports: Vec::new(),
            dynamic_ports: 0,
        };
        fleet.hold(instance, task, &needs, owner);
    }

    /// Placement's choice for a task of the service, with `placement` (the service's own unless given).
    fn choose_with(sim: &mut Simulation, placement: &Placement, rng: &mut SimRng) -> Option<InstanceId> {
        let needs = needs(sim);
        let rt = &sim.fleet.providers[0];
        let group = Group {
            index: ProviderId::new(0),
            provider: &sim.scenario.providers[0],
            instances: &sim.fleet.instances,
            members: &rt.instances,
            by_zone: &rt.by_zone,
            owner_counts: &sim.fleet.owner_counts,
        };
        let mut cursor = rt.cursor;
        let choice = choose(&group, &needs, placement, SERVICE, &mut cursor, rng);
        sim.fleet.providers[0].cursor = cursor;
        choice
    }

    fn choose_for_service(sim: &mut Simulation) -> Option<InstanceId> {
        let placement = sim.scenario.services[0].placement.clone();
        choose_with(sim, &placement, &mut SimRng::new(1))
    }

    #[test]
    fn binpack_memory_picks_the_instance_with_least_memory_left() {
        let mut sim = four_instances(r#""placement_strategy": [{ "type": "binpack", "field": "memory" }]"#);
        hold(&mut sim.fleet, i(2), t(100), OTHER, 4096);
        hold(&mut sim.fleet, i(1), t(101), OTHER, 2048);
        assert_eq!(choose_for_service(&mut sim), Some(i(2)));
        // Once instance 2 cannot take the task, the next fullest does.
        let left = sim.fleet.instance(i(2)).memory_free;
        hold(&mut sim.fleet, i(2), t(102), OTHER, left);
        assert_eq!(choose_for_service(&mut sim), Some(i(1)));
    }

    #[test]
    fn spread_by_instance_avoids_instances_holding_the_owners_tasks() {
        let mut sim = four_instances(r#""placement_strategy": [{ "type": "spread", "field": "instanceId" }]"#);
        hold(&mut sim.fleet, i(0), t(100), SERVICE, 512);
        hold(&mut sim.fleet, i(1), t(101), SERVICE, 512);
        // Another owner's tasks do not count.
        hold(&mut sim.fleet, i(2), t(102), OTHER, 512);
        assert_eq!(choose_for_service(&mut sim), Some(i(2)));
    }

    #[test]
    fn the_default_spread_balances_zones_then_instances() {
        let mut sim = four_instances("");
        hold(&mut sim.fleet, i(0), t(100), SERVICE, 512);
        // us-east-1a has one of the service's tasks, us-east-1b none: its first instance.
        assert_eq!(choose_for_service(&mut sim), Some(i(1)));
        hold(&mut sim.fleet, i(1), t(101), SERVICE, 512);
        // One each: the first zone, and in it the instance without the service's task.
        assert_eq!(choose_for_service(&mut sim), Some(i(2)));
    }

    /// The indexed fast path picks an instance the full strategy chain ranks best: as few of the owner's tasks in
    /// its zone and on it as the chain's own pick (a memberOf every instance passes turns the fast path off
    /// without changing the candidates).
    #[test]
    fn the_spread_fast_path_chooses_as_well_as_the_full_chain() {
        let mut fast = four_instances("");
        let mut full = four_instances("");
        let mut chain = full.scenario.services[0].placement.as_ref().clone();
        chain.member_of.push(query::parse("attribute:ecs.os-type == linux").expect("expression"));
        let default = fast.scenario.services[0].placement.clone();
        let rank = |sim: &Simulation, id: InstanceId| {
            let instance = sim.fleet.instance(id);
            (sim.fleet.owner_counts.in_zone(SERVICE, ProviderId::new(0), instance.zone), instance.owner_count(SERVICE))
        };
        for step in 0..8u32 {
            let a = choose_with(&mut fast, &default, &mut SimRng::new(1)).expect("room");
            let b = choose_with(&mut full, &chain, &mut SimRng::new(1)).expect("room");
            assert_eq!(rank(&fast, a), rank(&full, b), "step {step}");
            // Both fleets take the fast path's choice, plus another owner's task, so they stay alike.
            for sim in [&mut fast, &mut full] {
                hold(&mut sim.fleet, a, t(step), SERVICE, 512);
                hold(&mut sim.fleet, i((a.raw() + 1) % 4), t(100 + step), OTHER, 512);
            }
        }
    }

    #[test]
    fn distinct_instance_refuses_instances_holding_the_owners_tasks() {
        let mut sim = four_instances(r#""placement_constraints": [{ "type": "distinctInstance" }]"#);
        for instance in 0..4 {
            hold(&mut sim.fleet, i(instance), t(instance), SERVICE, 512);
        }
        assert_eq!(choose_for_service(&mut sim), None);
        let needs = Needs { cpu: 256, memory: 512, ..needs(&sim) };
        sim.fleet.release(i(3), t(3), &needs, SERVICE);
        assert_eq!(choose_for_service(&mut sim), Some(i(3)));
    }

    #[test]
    fn member_of_keeps_only_matching_instances() {
        let mut sim = four_instances(
            r#""placement_constraints": [{ "type": "memberOf", "expression": "attribute:ecs.availability-zone == us-east-1b" }],
               "placement_strategy": [{ "type": "binpack", "field": "cpu" }]"#,
        );
        // Instance 0 would win binpack, but it is in the wrong zone.
        hold(&mut sim.fleet, i(0), t(100), OTHER, 512);
        hold(&mut sim.fleet, i(3), t(101), OTHER, 256);
        assert_eq!(choose_for_service(&mut sim), Some(i(3)));
    }

    #[test]
    fn random_takes_the_rngs_pick_among_the_candidates() {
        let mut sim = four_instances(r#""placement_strategy": [{ "type": "random" }]"#);
        let mut expected = SimRng::new(42);
        let pick = narrow::u32_of_u64(expected.below(4));
        let placement = sim.scenario.services[0].placement.clone();
        // The cursor starts at 0: candidates in instance order.
        assert_eq!(choose_with(&mut sim, &placement, &mut SimRng::new(42)), Some(i(pick)));
    }

    #[test]
    fn nothing_fits_an_instance_of_another_architecture_or_a_taken_port() {
        let sim = four_instances("");
        let instance = sim.fleet.instance(i(0));
        let x86 = needs(&sim);
        assert!(fits(instance, &x86));
        assert!(!fits(instance, &Needs { architecture: Architecture::Arm64, ..x86.clone() }));
        let mut fleet_sim = four_instances("");
        let port = Needs { fixed_ports: vec![80], ..x86.clone() };
        fleet_sim.fleet.hold(i(0), t(100), &port, OTHER);
        assert!(!fits(fleet_sim.fleet.instance(i(0)), &port));
        assert!(fits(fleet_sim.fleet.instance(i(0)), &x86));
    }
}
