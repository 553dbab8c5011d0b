//! Task placement on EC2 instances (domain.md 4.3), as a pure function: the group's candidates, the task's needs,
//! the strategy chain and constraints, the owner's task counts, a rotating cursor and the RNG in; a choice out.
//!
//! Documented order: resources, ports and ENIs; constraints (`distinctInstance`, `memberOf`); then the strategies,
//! each narrowing the candidates to its best; a `random` strategy or the first candidate picks. Candidates are
//! visited from a rotating start, so ties go to a different instance each time. The default chain (spread by zone,
//! then by instance) has an indexed fast path that makes the same choice without looking at every instance.

use super::{Instance, Needs, OwnerCounts};
use crate::defaults;
use crate::instance::InstanceState;
use crate::query::Subject;
use crate::rng::SimRng;
use crate::scenario::{AsgProvider, Placement};
use crate::spec::{Architecture, BinpackField, PlacementStrategySpec};

/// One group's instances as placement sees them.
pub(in crate::sim) struct Group<'a> {
    /// The group's index among the providers (owner counts are kept per group and zone).
    pub index: u16,
    pub provider: &'a AsgProvider,
    /// Every instance of the fleet, indexed by id.
    pub instances: &'a [Instance],
    /// The group's live instances.
    pub members: &'a [u32],
    /// The group's live instances per zone.
    pub by_zone: &'a [Vec<u32>],
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
) -> Option<u32> {
    if let Some(decided) = spread_fast_path(group, needs, placement, owner, cursor) {
        return decided;
    }
    let instances = group.instances;
    let members = group.members;
    let start = *cursor as usize % members.len().max(1);
    let mut candidates: Vec<u32> = members[start..]
        .iter()
        .chain(&members[..start])
        .copied()
        .filter(|&i| {
            let instance = &instances[i as usize];
            fits(instance, needs)
                && (!placement.distinct_instance || instance.owner_count(owner) == 0)
                && (placement.member_of.is_empty() || member_of(group.provider, instance, placement))
        })
        .collect();
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
                let left = |i: &u32| {
                    let instance = &instances[*i as usize];
                    match field {
                        BinpackField::Cpu => instance.cpu_free - needs.cpu,
                        BinpackField::Memory => instance.memory_free - needs.memory,
                    }
                };
                let best = candidates.iter().map(left).min().expect("non-empty");
                candidates.retain(|i| left(i) == best);
            }
            PlacementStrategySpec::Spread { field } if field == "instanceId" => {
                let count = |i: &u32| instances[*i as usize].owner_count(owner);
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
                let zones = group.provider.zones.len() as u16;
                let per_zone: Vec<u32> =
                    (0..zones).map(|z| group.owner_counts.in_zone(owner, group.index, z)).collect();
                let count = |i: &u32| per_zone[instances[*i as usize].zone as usize];
                let best = candidates.iter().map(count).min().expect("non-empty");
                candidates.retain(|i| count(i) == best);
            }
            PlacementStrategySpec::Spread { field } => {
                // Any other attribute: count the owner's tasks per value over the group's active instances.
                let mut counts: Vec<(String, u32)> = Vec::new();
                for &i in members {
                    let instance = &instances[i as usize];
                    if instance.state != InstanceState::Active {
                        continue;
                    }
                    let value = spread_key(group.provider, instance, field);
                    let n = instance.owner_count(owner);
                    match counts.iter_mut().find(|(k, _)| *k == value) {
                        Some((_, c)) => *c += n,
                        None => counts.push((value, n)),
                    }
                }
                let count_of = |i: &u32| {
                    let value = spread_key(group.provider, &instances[*i as usize], field);
                    counts.iter().find(|(k, _)| *k == value).map_or(0, |(_, c)| *c)
                };
                let best = candidates.iter().map(count_of).min().expect("non-empty");
                candidates.retain(|i| count_of(i) == best);
            }
            PlacementStrategySpec::Random => {
                let pick = rng.below(candidates.len() as u64) as usize;
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
    group: &Group,
    needs: &Needs,
    placement: &Placement,
    owner: u64,
    cursor: &mut u32,
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
    let instances = group.instances;
    let mut zones: Vec<(u32, usize)> =
        (0..group.by_zone.len()).map(|z| (group.owner_counts.in_zone(owner, group.index, z as u16), z)).collect();
    zones.sort_unstable();
    let start_at = *cursor as usize;
    for (_, z) in zones {
        let list = &group.by_zone[z];
        if list.is_empty() {
            continue;
        }
        let start = start_at % list.len();
        let mut any_fits = false;
        for &i in list[start..].iter().chain(&list[..start]) {
            if !fits(&instances[i as usize], needs) {
                continue;
            }
            any_fits = true;
            if instances[i as usize].owner_count(owner) == 0 {
                *cursor = cursor.wrapping_add(1);
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
