//! ECS managed scaling (`docs/model.md` §4.3). Every minute each group with managed scaling computes
//! CapacityProviderReservation = M / N x 100 and moves toward `target_capacity`: out when no instance of the group
//! is inside its warm-up, bounded by the step sizes and the group's maximum; in only after 15 minutes of low
//! readings, at most half the group a minute, choosing instances by the Auto Scaling group's default termination
//! policy (only empty ones with managed termination protection).
//!
//! The computation is pure ([`instances_needed`], [`reservation`], [`evaluate`], [`termination_order`]);
//! `scaling_evaluation` gathers its inputs from the fleet and acts on the decision.
//!
//! Sources (quoted where used): the ECS developer guide's "Amazon ECS cluster auto scaling" page (sections "Managed
//! scale-out behavior" and "Managed scale-in behavior", the text of the "Amazon ECS managed scaling behavior" page)
//! and the EC2 Auto Scaling user guide's "Configure termination policies".

use super::Needs;
use crate::defaults;
use crate::ids::{InstanceId, ProviderId};
use crate::instance::InstanceState;
use crate::instance_types::{self, InstanceType};
use crate::narrow;
use crate::output::TraceWhat;
use crate::scenario::ManagedScaling;
use crate::sim::{Event, Simulation};
use crate::time::SimTime;

/// What managed scaling sees of a group at an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::sim) struct Census {
    /// N: instances not draining (launching, registering, active).
    pub live: u32,
    /// Instances launched less than `instanceWarmupPeriod` ago: while there is one, scale-out is blocked.
    pub warming: u32,
    /// Active instances without tasks.
    pub empty: u32,
    /// Tasks waiting in PROVISIONING for an instance of the group.
    pub waiting: u32,
    /// Instances needed to place the waiting tasks (see [`instances_needed`]); 0 when none wait or none of them
    /// fits the group's smallest instance type.
    pub needed: u32,
}

/// What one evaluation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::sim) enum Step {
    /// Launch this many instances (possibly 0: the group is at its maximum).
    Out(u32),
    /// Terminate up to this many instances.
    In(u32),
    /// Nothing to do now.
    Hold,
}

/// The outcome of one evaluation: the reservation reported, the step, and since when the reservation has been low.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::sim) struct Decision {
    pub reservation: u32,
    pub step: Step,
    pub low_since: Option<SimTime>,
}

/// How many tasks of `needs` one empty instance of type `t` holds (cpu, memory, ENIs; one per instance with a
/// fixed host port).
pub(super) fn tasks_per_instance(t: &InstanceType, eni_trunking: bool, needs: &Needs) -> u32 {
    let memory = t.registered_memory_mib(instance_types::ECS_RESERVED_MEMORY_DEFAULT_MIB);
    let mut per_instance = (t.cpu_units() / needs.cpu.max(1)).min(memory / needs.memory.max(1));
    if needs.eni {
        per_instance = per_instance.min(t.awsvpc_task_limit(eni_trunking));
    }
    if !needs.fixed_ports.is_empty() {
        per_instance = per_instance.min(1);
    }
    per_instance
}

/// M's estimate for the waiting tasks, grouped by identical requirements: for each group, binpacked on the
/// group's largest instance type; the largest of these counts, not their sum. Groups the smallest type cannot
/// hold at all are left out. "Amazon ECS cluster auto scaling", Managed scale-out behavior: "Group all of the
/// provisioning tasks for this capacity provider so that each group has the same exact resource requirements."
/// ... "For each group of tasks, Amazon ECS calculates the number of instances that are required to run the
/// unplaced tasks. This calculation uses a `binpack` strategy. ... The values for the largest instance types are
/// treated as the maximum calculated instance count. The values for the smallest instance type are used as
/// protection. If the smallest instance type can't run at least one instance of the task, the calculation considers
/// the task as not compatible. As a result, the task is excluded from scale-out calculation. When all the tasks
/// aren't compatible with the smallest instance type, cluster Auto Scaling stops and the
/// `CapacityProviderReservation` value remains at 100%." The "Deep dive on Amazon ECS cluster auto scaling" blog
/// takes the maximum over the groups: each group's count is the instances it would need on its own, and one
/// scale-out of that size lets ECS place the rest and re-estimate a minute later.
pub(in crate::sim) fn instances_needed(types: &[InstanceType], eni_trunking: bool, waiting: &[(Needs, u32)]) -> u32 {
    let mut groups: Vec<(&Needs, u32)> = Vec::new();
    for (needs, count) in waiting {
        match groups.iter_mut().find(|(n, _)| *n == needs) {
            Some((_, c)) => *c += count,
            None => groups.push((needs, *count)),
        }
    }
    groups
        .into_iter()
        .filter_map(|(needs, count)| {
            let per_type = types.iter().map(|t| tasks_per_instance(t, eni_trunking, needs));
            // The smallest type for each parameter: a group it cannot hold is not compatible.
            if per_type.clone().min().unwrap_or(0) == 0 {
                return None;
            }
            let largest = per_type.max().unwrap_or(1);
            Some(count.div_ceil(largest))
        })
        .max()
        .unwrap_or(0)
}

/// CapacityProviderReservation: M / N x 100, with 100 for an empty group that needs nothing and 200 for an empty
/// group that needs instances.
pub(in crate::sim) fn reservation(m: u32, n: u32) -> u32 {
    match (m, n) {
        (0, 0) => 100,
        (_, 0) => 200,
        _ => narrow::u32_of_u64(u64::from(m) * 100 / u64::from(n)),
    }
}

/// One evaluation: M (instances needed: N plus what the waiting tasks need, bounded by the step sizes; or N less
/// the empty instances when nothing waits), the reservation, and the step toward the instance count that puts the
/// reservation at the target.
///
/// Scale-out waits for the warm-up: "Auto Scaling checks if all existing instances have passed the
/// `instanceWarmupPeriod` (now minus the instance launch time). The scale-out is blocked for Instances that are
/// within the `instanceWarmupPeriod`." ("Amazon ECS cluster auto scaling", Managed scale-out behavior; its
/// considerations add "The second scale-out step needs to wait until the `instanceWarmupPeriod` expires".) Instances
/// on their way are not taken off M: the same page warns that a warm-up shorter than launch and registration
/// over-provisions, which only happens if they are not.
///
/// Scale-in: "CloudWatch scale-in alarms require 15 data points (15 minutes) before the scale-in process for the
/// Auto Scaling group starts. After the scale-in process starts until Amazon ECS needs to reduce the number of
/// registered container instances, the Auto Scaling group sets the `DesireCapacity` value to be greater than one
/// instance and less than 50% each minute." (Managed scale-in behavior; the "Faster Scaling-in for Amazon ECS
/// Cluster Auto Scaling" blog: the step limit went from 5% to 50% of the group.) So once started, scale-in goes on
/// every minute, by at most half the group (at least one), while the reading stays low; a reading at or above
/// target stops it, and it starts from the beginning if needed.
pub(in crate::sim) fn evaluate(
    census: &Census,
    scaling: &ManagedScaling,
    (min_size, max_size): (u32, u32),
    low_since: Option<SimTime>,
    now: SimTime,
) -> Decision {
    let n = census.live;
    let (m, desired) = target(census, scaling);
    let reservation = reservation(m, n);
    let (step, low_since) = if desired > n {
        if census.warming > 0 {
            (Step::Hold, None)
        } else {
            let step = wanted_step(census, scaling).min(max_size.saturating_sub(n));
            (Step::Out(step), None)
        }
    } else if desired < n {
        let since = low_since.unwrap_or(now);
        let surplus = n - desired.max(min_size).min(n);
        if surplus > 0 && now.since(since) >= SimTime::from_secs_f64(defaults::SCALE_IN_AFTER_S).as_millis() {
            (Step::In(surplus.min((n / 2).max(1))), Some(since))
        } else {
            (Step::Hold, Some(since))
        }
    } else {
        (Step::Hold, None)
    };
    Decision { reservation, step, low_since }
}

/// M (the instances needed) and the instance count that puts the reservation at the target.
fn target(census: &Census, scaling: &ManagedScaling) -> (u32, u32) {
    let n = census.live;
    let m = if census.waiting > 0 {
        match census.needed {
            0 => n,
            extra => n + extra.clamp(scaling.minimum_step, scaling.maximum_step),
        }
    } else {
        n - census.empty
    };
    (m, narrow::u32_of_u64((u64::from(m) * 100).div_ceil(u64::from(scaling.target_capacity))))
}

/// The scale-out step managed scaling asks for before the group's maximum size caps it (0 when it asks none).
pub(in crate::sim) fn wanted_step(census: &Census, scaling: &ManagedScaling) -> u32 {
    let (_, desired) = target(census, scaling);
    match desired.checked_sub(census.live) {
        Some(gap) if gap > 0 => gap.clamp(scaling.minimum_step, scaling.maximum_step),
        _ => 0,
    }
}

/// An instance as the Auto Scaling group's termination policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::sim) struct Candidate {
    pub id: InstanceId,
    pub zone: u16,
    pub launched_at: SimTime,
    /// Protected from scale-in (managed termination protection on an instance that runs tasks).
    pub protected: bool,
}

/// The instances to terminate, `count` at most, in the order of the default termination policy ("Configure
/// termination policies", EC2 Auto Scaling user guide): "When Amazon EC2 Auto Scaling terminates instances, it
/// attempts to maintain balance across the Availability Zones that are enabled for your Auto Scaling group.
/// Maintaining balance across zones takes precedence over termination policies." Then, among the unprotected
/// instances of the zone with the most instances: oldest launch template or configuration (one per group here),
/// then "instances that are closest to the next billing hour", then at random (here: the lowest id, so that no
/// draw is spent). Protected instances are never chosen: "Instances with the scale-in feature turned on can't be
/// terminated during the scale-in process"; with managed termination protection "Amazon ECS only terminates EC2
/// instances that don't have any running Amazon ECS tasks" ("Control the instances Amazon ECS terminates").
pub(in crate::sim) fn termination_order(candidates: &[Candidate], count: u32, now: SimTime) -> Vec<InstanceId> {
    const HOUR_MS: u64 = 3_600_000;
    let mut left: Vec<Candidate> = candidates.to_vec();
    let mut chosen = Vec::new();
    while narrow::u32_of(chosen.len()) < count {
        // Instances per zone, protected ones included: balance is about the group, not the candidates.
        let mut zones: Vec<(u16, u32)> = Vec::new();
        for c in &left {
            match zones.iter_mut().find(|(z, _)| *z == c.zone) {
                Some((_, k)) => *k += 1,
                None => zones.push((c.zone, 1)),
            }
        }
        // The zones with the most instances that still have an unprotected one; balanced zones compete together.
        let eligible = |zone: u16| left.iter().any(|c| c.zone == zone && !c.protected);
        let Some(most) = zones.iter().filter(|&&(z, _)| eligible(z)).map(|&(_, k)| k).max() else { break };
        let pick = left
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.protected && zones.iter().any(|&(z, k)| z == c.zone && k == most))
            .min_by_key(|(_, c)| (HOUR_MS - now.since(c.launched_at) % HOUR_MS, c.id))
            .map(|(i, _)| i);
        let Some(i) = pick else { break };
        chosen.push(left.remove(i).id);
    }
    chosen
}

impl Simulation {
    /// What managed scaling sees of group `p` now.
    fn census(&self, p: ProviderId, warmup_ms: u64) -> Census {
        let rt = &self.fleet.providers[p.index()];
        let instances = &self.fleet.instances;
        // One pass, no list: the instances not draining, those still warming up, and the ACTIVE ones without tasks.
        let (mut live, mut warming, mut empty) = (0usize, 0usize, 0usize);
        for &i in rt.instances.ids() {
            let instance = &instances[i.index()];
            if instance.state == InstanceState::Draining {
                continue;
            }
            live += 1;
            warming += usize::from(self.now.since(instance.launched_at) < warmup_ms);
            empty += usize::from(instance.state == InstanceState::Active && instance.tasks.is_empty());
        }
        let (warming, empty) = (narrow::u32_of(warming), narrow::u32_of(empty));
        let needed = if rt.waiting_count > 0 { self.waiting_instances_needed(p) } else { 0 };
        Census { live: narrow::u32_of(live), warming, empty, waiting: rt.waiting_count, needed }
    }

    /// [`instances_needed`] for the tasks still waiting in the group's queue.
    fn waiting_instances_needed(&self, p: ProviderId) -> u32 {
        let provider = &self.scenario.providers[p.index()];
        let mut per_task_def: Vec<(u32, u32)> = Vec::new();
        for &(task, generation) in &self.fleet.providers[p.index()].waiting {
            // Entries of tasks stopped since are stale; a stopped task may have been released.
            let Some(t) = self.tasks.get(task) else { continue };
            if t.generation != generation || !t.awaiting_capacity {
                continue;
            }
            match per_task_def.iter_mut().find(|(td, _)| *td == t.task_def) {
                Some((_, n)) => *n += 1,
                None => per_task_def.push((t.task_def, 1)),
            }
        }
        let waiting: Vec<(Needs, u32)> =
            per_task_def.into_iter().map(|(td, count)| (self.needs(td as usize), count)).collect();
        instances_needed(&provider.instance_types, provider.eni_trunking, &waiting)
    }

    /// Managed scaling's minute: CapacityProviderReservation and the target-tracking decision.
    #[inline(never)]
    pub(in crate::sim) fn scaling_evaluation(&mut self, p: ProviderId) {
        let Some(scaling) = self.scenario.providers[p.index()].managed_scaling.clone() else { return };
        let period = SimTime::from_secs_f64(defaults::MANAGED_SCALING_PERIOD_S).as_millis();
        self.schedule_in(period, Event::ScalingEvaluation { provider: p });
        let census = self.census(p, scaling.warmup_ms);
        let provider = &self.scenario.providers[p.index()];
        let sizes = (provider.min_size, provider.max_size);
        let rt = &mut self.fleet.providers[p.index()];
        let decision = evaluate(&census, &scaling, sizes, rt.low_since, self.now);
        rt.last_reservation = Some(decision.reservation);
        rt.low_since = decision.low_since;
        match decision.step {
            Step::Out(step) => {
                // Traced before the launches, so the launches that fail (one line) follow the decision. A
                // successful launch traces nothing, so this order leaves the traces of runs without dry pools as
                // they were.
                if step > 0 {
                    let name = self.scenario.providers[p.index()].name.clone();
                    self.record(TraceWhat::ScaleOut {
                        provider: name,
                        instances: step,
                        reservation: decision.reservation,
                    });
                }
                let failed = narrow::u32_of((0..step).filter(|_| self.launch_instance(p).is_none()).count());
                self.trace_failed_launches(p, failed);
                // The group's maximum size took instances off the step: a hit of that limit, traced after the
                // launches so that runs which never reach it trace as before.
                let wanted = wanted_step(&census, &scaling);
                if wanted > step {
                    let name = self.scenario.providers[p.index()].name.clone();
                    let max_size = sizes.1;
                    self.max_size_refused(name, u64::from(wanted - step), census.live, max_size);
                }
            }
            Step::In(count) => self.scale_in(p, count),
            Step::Hold => {}
        }
    }

    /// Terminates up to `count` active instances, chosen by [`termination_order`]; with managed termination
    /// protection, instances that run tasks are protected.
    fn scale_in(&mut self, p: ProviderId, count: u32) {
        let protection = self.scenario.providers[p.index()].managed_termination_protection;
        let instances = &self.fleet.instances;
        let candidates: Vec<Candidate> = self.fleet.providers[p.index()]
            .instances
            .ids()
            .iter()
            .map(|&i| &instances[i.index()])
            .filter(|instance| instance.state == InstanceState::Active)
            .map(|instance| Candidate {
                id: instance.instance_id(),
                zone: instance.zone,
                launched_at: instance.launched_at,
                protected: protection && !instance.tasks.is_empty(),
            })
            .collect();
        let victims = termination_order(&candidates, count, self.now);
        if victims.is_empty() {
            return;
        }
        let name = self.scenario.providers[p.index()].name.clone();
        self.record(TraceWhat::ScaleIn { provider: name, instances: narrow::u32_of(victims.len()) });
        for id in victims {
            // With managed instance draining, an instance that still runs tasks drains before it goes.
            self.group_terminates(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance_types;
    use crate::sim::testing;
    use crate::spec::Architecture;

    fn scaling(target_capacity: u32, maximum_step: u32) -> ManagedScaling {
        ManagedScaling { target_capacity, minimum_step: 1, maximum_step, warmup_ms: 300_000 }
    }

    fn needs(cpu: u32, memory: u32) -> Needs {
        Needs { cpu, memory, architecture: Architecture::X86_64, eni: false, fixed_ports: Vec::new(), dynamic_ports: 0 }
    }

    fn census(live: u32, warming: u32, empty: u32, waiting: u32, needed: u32) -> Census {
        Census { live, warming, empty, waiting, needed }
    }

    const MINUTE: u64 = 60_000;

    fn types(names: &[&str]) -> Vec<InstanceType> {
        names.iter().map(|n| *instance_types::get(n).expect("type")).collect()
    }

    #[test]
    fn reservation_is_m_over_n() {
        assert_eq!(reservation(0, 0), 100);
        assert_eq!(reservation(3, 0), 200);
        assert_eq!(reservation(3, 4), 75);
        assert_eq!(reservation(5, 4), 125);
        assert_eq!(reservation(4, 4), 100);
    }

    #[test]
    fn instances_needed_packs_each_group_of_requirements() {
        let m5_large = types(&["m5.large"]);
        // 2 vCPU: 2 tasks of 1 vCPU per instance; 5 tasks need 3 instances.
        assert_eq!(instances_needed(&m5_large, false, &[(needs(1024, 512), 5)]), 3);
        // Memory binds: ~7.5 GiB registered, 3 GiB tasks -> 2 per instance.
        assert_eq!(instances_needed(&m5_large, false, &[(needs(256, 3072), 4)]), 2);
        // A fixed host port: one task per instance.
        let port = Needs { fixed_ports: vec![80], ..needs(256, 512) };
        assert_eq!(instances_needed(&m5_large, false, &[(port, 3)]), 3);
        // awsvpc: ENIs bind (m5.large: 3 ENIs, one the instance's own).
        let eni = Needs { eni: true, ..needs(256, 512) };
        assert_eq!(instances_needed(&m5_large, false, &[(eni, 5)]), 3);
        // Two task definitions with the same requirements are one group.
        assert_eq!(instances_needed(&m5_large, false, &[(needs(1024, 512), 3), (needs(1024, 512), 3)]), 3);
    }

    /// "Deep dive on Amazon ECS cluster auto scaling": M is the largest of the groups' estimates, not their sum.
    #[test]
    fn m_is_the_largest_group_estimate_not_the_sum() {
        let m5_large = types(&["m5.large"]);
        // 4 tasks of 1 vCPU need 2 instances, 4 of 2 vCPU need 4: M = 4 (the sum would be 6).
        assert_eq!(instances_needed(&m5_large, false, &[(needs(1024, 512), 4), (needs(2048, 512), 4)]), 4);
        assert_eq!(instances_needed(&m5_large, false, &[(needs(2048, 512), 1), (needs(1024, 512), 9)]), 5);
    }

    /// "If the smallest instance type can't run at least one instance of the task, the calculation considers the
    /// task as not compatible": such a group adds nothing, and with only such groups M stays at N.
    #[test]
    fn tasks_bigger_than_the_smallest_type_do_not_scale_the_group() {
        let mixed = types(&["t3.large", "m5.2xlarge"]);
        // 10 GiB: only the m5.2xlarge holds one.
        assert_eq!(instances_needed(&mixed, false, &[(needs(2048, 10_240), 8)]), 0);
        // A group that fits the t3.large is counted on the largest type (m5.2xlarge: 8 vCPU, 4 tasks of 2 vCPU).
        assert_eq!(instances_needed(&mixed, false, &[(needs(2048, 1024), 8), (needs(2048, 10_240), 8)]), 2);
        let now = SimTime(10 * MINUTE);
        let d = evaluate(&census(3, 0, 0, 8, 0), &scaling(100, 10_000), (0, 30), None, now);
        assert_eq!(d, Decision { reservation: 100, step: Step::Hold, low_since: None });
        let d = evaluate(&census(0, 0, 0, 8, 0), &scaling(100, 10_000), (0, 30), None, now);
        assert_eq!(d, Decision { reservation: 100, step: Step::Hold, low_since: None });
    }

    #[test]
    fn waiting_tasks_scale_out_by_what_they_need() {
        let now = SimTime(10 * MINUTE);
        // 2 instances, 3 more needed: M = 5, reservation 250, launch 3.
        let d = evaluate(&census(2, 0, 0, 6, 3), &scaling(100, 10_000), (0, 10), None, now);
        assert_eq!(d, Decision { reservation: 250, step: Step::Out(3), low_since: None });
        // The maximum step bounds M, and the group's maximum size bounds the launch.
        let d = evaluate(&census(2, 0, 0, 40, 20), &scaling(100, 4), (0, 10), None, now);
        assert_eq!(d, Decision { reservation: 300, step: Step::Out(4), low_since: None });
        let d = evaluate(&census(9, 0, 0, 40, 20), &scaling(100, 10_000), (0, 10), None, now);
        assert_eq!(d.step, Step::Out(1));
        // An empty group that needs instances reports 200.
        let d = evaluate(&census(0, 0, 0, 1, 1), &scaling(100, 10_000), (0, 10), None, now);
        assert_eq!(d, Decision { reservation: 200, step: Step::Out(1), low_since: None });
    }

    /// "The scale-out is blocked for Instances that are within the `instanceWarmupPeriod`": while one instance
    /// warms up, nothing is launched, whatever the tasks need; the reservation still reports the need.
    #[test]
    fn an_instance_in_its_warm_up_blocks_scale_out() {
        let now = SimTime(10 * MINUTE);
        let d = evaluate(&census(5, 1, 0, 40, 10), &scaling(100, 10_000), (0, 30), None, now);
        assert_eq!(d, Decision { reservation: 300, step: Step::Hold, low_since: None });
        // Past the warm-up, the same need launches at once (instances on their way are not taken off M).
        let d = evaluate(&census(5, 0, 0, 40, 10), &scaling(100, 10_000), (0, 30), None, now);
        assert_eq!(d.step, Step::Out(10));
    }

    #[test]
    fn a_target_below_100_keeps_spare_instances() {
        // 4 instances all in use at target 80: 5 instances put the reservation at 80.
        let d = evaluate(&census(4, 0, 0, 0, 0), &scaling(80, 10_000), (0, 10), None, SimTime(0));
        assert_eq!(d, Decision { reservation: 100, step: Step::Out(1), low_since: None });
    }

    #[test]
    fn scale_in_waits_fifteen_minutes_of_low_readings() {
        let start = SimTime(10 * MINUTE);
        let idle = census(4, 0, 2, 0, 0);
        let d = evaluate(&idle, &scaling(100, 10_000), (0, 10), None, start);
        assert_eq!(d, Decision { reservation: 50, step: Step::Hold, low_since: Some(start) });
        let d = evaluate(&idle, &scaling(100, 10_000), (0, 10), d.low_since, start.plus_ms(14 * MINUTE));
        assert_eq!(d.step, Step::Hold);
        assert_eq!(d.low_since, Some(start));
        let d = evaluate(&idle, &scaling(100, 10_000), (0, 10), d.low_since, start.plus_ms(15 * MINUTE));
        assert_eq!(d, Decision { reservation: 50, step: Step::In(2), low_since: Some(start) });
        // Not below the group's minimum size.
        let d = evaluate(&idle, &scaling(100, 10_000), (3, 10), Some(start), start.plus_ms(15 * MINUTE));
        assert_eq!(d.step, Step::In(1));
        // A reading at target ends the low stretch.
        let d = evaluate(&census(4, 0, 0, 0, 0), &scaling(100, 10_000), (0, 10), Some(start), start);
        assert_eq!(d.low_since, None);
    }

    /// "the Auto Scaling group sets the `DesireCapacity` value to be greater than one instance and less than 50%
    /// each minute": 20 empty instances go in steps of at most half the group, one step a minute.
    #[test]
    fn scale_in_takes_at_most_half_the_group_a_minute() {
        let start = SimTime(10 * MINUTE);
        let after = start.plus_ms(15 * MINUTE);
        let d = evaluate(&census(20, 0, 20, 0, 0), &scaling(100, 10_000), (0, 30), Some(start), after);
        assert_eq!(d.step, Step::In(10));
        let d = evaluate(&census(10, 0, 10, 0, 0), &scaling(100, 10_000), (0, 30), d.low_since, after.plus_ms(MINUTE));
        assert_eq!(d.step, Step::In(5), "the scale-in goes on the next minute, without a new 15-minute wait");
        let d = evaluate(&census(1, 0, 1, 0, 0), &scaling(100, 10_000), (0, 30), d.low_since, after.plus_ms(MINUTE));
        assert_eq!(d.step, Step::In(1), "at least one instance");
    }

    fn candidate(id: u32, zone: u16, launched_s: u64, protected: bool) -> Candidate {
        Candidate { id: InstanceId::new(id), zone, launched_at: SimTime(launched_s * 1000), protected }
    }

    /// "Configure termination policies": balance across zones first, then the instance closest to the next
    /// billing hour; protected instances are never chosen.
    #[test]
    fn the_default_termination_policy_balances_zones_then_billing_hour() {
        let now = SimTime(7_200_000);
        // Zone 0 has 3 instances, zone 1 has 1: the first victim comes from zone 0, the one closest to its next
        // billing hour (launched at 200 s: 3,400 s of its third hour gone, 200 s left).
        let c = [
            candidate(0, 0, 1_000, false),
            candidate(1, 0, 3_000, false),
            candidate(2, 0, 200, false),
            candidate(3, 1, 3_500, false),
        ];
        assert_eq!(termination_order(&c, 1, now), vec![InstanceId::new(2)]);
        // Then zone 0 has 2 (instance 0: 1,000 s left; instance 1: 3,000 s) and zone 1 has 1: instance 0. Then the
        // zones are balanced and compete together: instance 1 (3,000 s left) before instance 3 (3,500 s).
        assert_eq!(
            termination_order(&c, 4, now),
            vec![InstanceId::new(2), InstanceId::new(0), InstanceId::new(1), InstanceId::new(3)]
        );
        // Protection: instance 1 runs tasks and is skipped; a zone with only protected instances is skipped too.
        let c = [candidate(1, 0, 3_000, true), candidate(2, 0, 200, true), candidate(3, 1, 3_500, false)];
        assert_eq!(termination_order(&c, 2, now), vec![InstanceId::new(3)]);
    }

    /// One evaluation on a group with no instances and tasks waiting: it launches what they need and reports 200.
    #[test]
    fn an_evaluation_launches_instances_for_waiting_tasks() {
        let scenario = testing::ec2(
            r#""max_size": 10, "managed_scaling": {}"#,
            r#", "cpu": 1024, "memory": 1024"#,
            r#", "desired_count": 5"#,
            "",
        );
        let mut sim = testing::checked(scenario);
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        assert_eq!(sim.fleet.providers[0].waiting_count(), 5, "no instance: every task waits in PROVISIONING");
        assert!(sim.fleet.instances().is_empty());
        sim.step_through(|e| matches!(e, Event::ScalingEvaluation { .. }));
        assert_eq!(sim.fleet.providers[0].last_reservation(), Some(200));
        // m5.large takes 2 tasks of 1 vCPU: 3 instances, launching, each with its boot scheduled.
        assert_eq!(sim.fleet.instances().len(), 3);
        assert!(sim.fleet.instances().iter().all(|i| i.state == InstanceState::Launching));
        let booting = sim.queued().iter().filter(|(_, e)| matches!(e, Event::InstanceBooted { .. })).count();
        assert_eq!(booting, 3);
        let next = sim.queued().into_iter().find(|(_, e)| matches!(e, Event::ScalingEvaluation { .. }));
        assert_eq!(next.map(|(at, _)| at.since(sim.now)), Some(MINUTE), "the next evaluation a minute later");
    }
}
