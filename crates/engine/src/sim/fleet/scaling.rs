//! ECS managed scaling (`docs/model.md` §4.3). Every minute each group with managed scaling computes
//! CapacityProviderReservation = M / N x 100 and moves toward `target_capacity`: out at once, bounded by the step
//! sizes and the group's maximum; in only after 15 minutes of low readings, down to the minimum size, empty
//! instances first (only empty ones with managed termination protection).
//!
//! The computation is pure ([`instances_needed`], [`reservation`], [`evaluate`]); `scaling_evaluation` gathers its
//! inputs from the fleet and acts on the decision.

use super::Needs;
use crate::defaults;
use crate::ids::{InstanceId, ProviderId};
use crate::instance::InstanceState;
use crate::instance_types::{self, InstanceType};
use crate::output::TraceWhat;
use crate::scenario::ManagedScaling;
use crate::sim::{Event, Simulation};
use crate::time::SimTime;

/// What managed scaling sees of a group at an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::sim) struct Census {
    /// N: instances not draining (launching, registering, active).
    pub live: u32,
    /// Launched, not yet registered and still inside the warm-up period: capacity on its way.
    pub coming: u32,
    /// Active instances without tasks.
    pub empty: u32,
    /// Tasks waiting in PROVISIONING for an instance of the group.
    pub waiting: u32,
    /// Instances needed to place the waiting tasks (see [`instances_needed`]); 0 when none wait.
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

/// Instances needed to place `waiting` tasks (count per task definition's needs) on empty instances of the
/// group's largest type: per task definition, the count over how many fit on one instance (cpu, memory, ENIs;
/// one per instance with a fixed host port), rounded up.
pub(in crate::sim) fn instances_needed(largest: &InstanceType, eni_trunking: bool, waiting: &[(Needs, u32)]) -> u32 {
    let mut needed = 0;
    for (needs, count) in waiting {
        let memory = largest.registered_memory_mib(instance_types::ECS_RESERVED_MEMORY_DEFAULT_MIB);
        let mut per_instance = (largest.cpu_units() / needs.cpu.max(1)).min(memory / needs.memory.max(1));
        if needs.eni {
            per_instance = per_instance.min(largest.awsvpc_task_limit(eni_trunking));
        }
        if !needs.fixed_ports.is_empty() {
            per_instance = per_instance.min(1);
        }
        needed += count.div_ceil(per_instance.max(1));
    }
    needed
}

/// CapacityProviderReservation: M / N x 100, with 100 for an empty group that needs nothing and 200 for an empty
/// group that needs instances.
pub(in crate::sim) fn reservation(m: u32, n: u32) -> u32 {
    match (m, n) {
        (0, 0) => 100,
        (_, 0) => 200,
        _ => (u64::from(m) * 100 / u64::from(n)) as u32,
    }
}

/// One evaluation: M (instances needed: N plus what the waiting tasks need beyond the capacity on its way,
/// bounded by the step sizes; or N less the empty instances when nothing waits), the reservation, and the step
/// toward the instance count that puts the reservation at the target.
pub(in crate::sim) fn evaluate(
    census: &Census,
    scaling: &ManagedScaling,
    (min_size, max_size): (u32, u32),
    low_since: Option<SimTime>,
    now: SimTime,
) -> Decision {
    let n = census.live;
    let m = if census.waiting > 0 {
        match census.needed.saturating_sub(census.coming) {
            0 => n,
            extra => n + extra.clamp(scaling.minimum_step, scaling.maximum_step),
        }
    } else {
        n - census.empty
    };
    let reservation = reservation(m, n);
    let desired = (u64::from(m) * 100).div_ceil(u64::from(scaling.target_capacity)) as u32;
    let (step, low_since) = if desired > n {
        let step = (desired - n).clamp(scaling.minimum_step, scaling.maximum_step).min(max_size.saturating_sub(n));
        (Step::Out(step), None)
    } else if desired < n {
        let since = low_since.unwrap_or(now);
        if now.since(since) >= SimTime::from_secs_f64(defaults::SCALE_IN_AFTER_S).as_millis() {
            (Step::In(n - desired.max(min_size).min(n)), None)
        } else {
            (Step::Hold, Some(since))
        }
    } else {
        (Step::Hold, None)
    };
    Decision { reservation, step, low_since }
}

impl Simulation {
    /// What managed scaling sees of group `p` now.
    fn census(&self, p: ProviderId, warmup_ms: u64) -> Census {
        let rt = &self.fleet.providers[p.index()];
        let instances = &self.fleet.instances;
        let live: Vec<InstanceId> =
            rt.instances.iter().copied().filter(|&i| instances[i.index()].state != InstanceState::Draining).collect();
        let coming = live
            .iter()
            .filter(|&&i| {
                let instance = &instances[i.index()];
                matches!(instance.state, InstanceState::Launching | InstanceState::Registering)
                    && self.now.since(instance.launched_at) < warmup_ms
            })
            .count() as u32;
        let empty = live
            .iter()
            .filter(|&&i| {
                let instance = &instances[i.index()];
                instance.state == InstanceState::Active && instance.tasks.is_empty()
            })
            .count() as u32;
        let needed = if rt.waiting_count > 0 { self.waiting_instances_needed(p) } else { 0 };
        Census { live: live.len() as u32, coming, empty, waiting: rt.waiting_count, needed }
    }

    /// [`instances_needed`] for the tasks still waiting in the group's queue.
    fn waiting_instances_needed(&self, p: ProviderId) -> u32 {
        let provider = &self.scenario.providers[p.index()];
        let largest = provider
            .instance_types
            .iter()
            .max_by_key(|t| (t.cpu_units(), t.memory_mib))
            .expect("a provider has instance types");
        let mut per_task_def: Vec<(u32, u32)> = Vec::new();
        for &(task, generation) in &self.fleet.providers[p.index()].waiting {
            let t = &self.tasks[task];
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
        instances_needed(largest, provider.eni_trunking, &waiting)
    }

    /// Managed scaling's minute: CapacityProviderReservation and the target-tracking decision.
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
                for _ in 0..step {
                    self.launch_instance(p);
                }
                if step > 0 {
                    let name = self.scenario.providers[p.index()].name.clone();
                    self.record(TraceWhat::ScaleOut {
                        provider: name,
                        instances: step,
                        reservation: decision.reservation,
                    });
                }
            }
            Step::In(count) => self.scale_in(p, count),
            Step::Hold => {}
        }
    }

    /// Terminates up to `count` instances: empty ones first; with managed termination protection only empty ones.
    fn scale_in(&mut self, p: ProviderId, count: u32) {
        let protected = self.scenario.providers[p.index()].managed_termination_protection;
        let instances = &self.fleet.instances;
        let mut victims: Vec<InstanceId> = self.fleet.providers[p.index()]
            .instances
            .iter()
            .copied()
            .filter(|&i| instances[i.index()].state == InstanceState::Active)
            .collect();
        victims.sort_by_key(|&i| (instances[i.index()].tasks.len(), std::cmp::Reverse(i)));
        let victims: Vec<InstanceId> = victims
            .into_iter()
            .filter(|&i| !protected || instances[i.index()].tasks.is_empty())
            .take(count as usize)
            .collect();
        if victims.is_empty() {
            return;
        }
        let name = self.scenario.providers[p.index()].name.clone();
        self.record(TraceWhat::ScaleIn { provider: name, instances: victims.len() as u32 });
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

    fn census(live: u32, coming: u32, empty: u32, waiting: u32, needed: u32) -> Census {
        Census { live, coming, empty, waiting, needed }
    }

    const MINUTE: u64 = 60_000;

    #[test]
    fn reservation_is_m_over_n() {
        assert_eq!(reservation(0, 0), 100);
        assert_eq!(reservation(3, 0), 200);
        assert_eq!(reservation(3, 4), 75);
        assert_eq!(reservation(5, 4), 125);
        assert_eq!(reservation(4, 4), 100);
    }

    #[test]
    fn instances_needed_packs_each_task_definition_on_the_largest_type() {
        let m5_large = *instance_types::get("m5.large").expect("type");
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
        // Task definitions add up.
        assert_eq!(instances_needed(&m5_large, false, &[(needs(1024, 512), 2), (needs(2048, 512), 2)]), 3);
    }

    #[test]
    fn waiting_tasks_scale_out_by_what_they_need_beyond_capacity_on_its_way() {
        let now = SimTime(10 * MINUTE);
        // 2 instances, 3 more needed: M = 5, reservation 250, launch 3.
        let d = evaluate(&census(2, 0, 0, 6, 3), &scaling(100, 10_000), (0, 10), None, now);
        assert_eq!(d, Decision { reservation: 250, step: Step::Out(3), low_since: None });
        // The same, with 3 instances already coming: M = N, nothing to do.
        let d = evaluate(&census(5, 3, 0, 6, 3), &scaling(100, 10_000), (0, 10), Some(now), now);
        assert_eq!(d, Decision { reservation: 100, step: Step::Hold, low_since: None });
        // The maximum step bounds M, and the group's maximum size bounds the launch.
        let d = evaluate(&census(2, 0, 0, 40, 20), &scaling(100, 4), (0, 10), None, now);
        assert_eq!(d, Decision { reservation: 300, step: Step::Out(4), low_since: None });
        let d = evaluate(&census(9, 0, 0, 40, 20), &scaling(100, 10_000), (0, 10), None, now);
        assert_eq!(d.step, Step::Out(1));
        // An empty group that needs instances reports 200.
        let d = evaluate(&census(0, 0, 0, 1, 1), &scaling(100, 10_000), (0, 10), None, now);
        assert_eq!(d, Decision { reservation: 200, step: Step::Out(1), low_since: None });
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
        assert_eq!(d, Decision { reservation: 50, step: Step::In(2), low_since: None });
        // Not below the group's minimum size.
        let d = evaluate(&idle, &scaling(100, 10_000), (3, 10), Some(start), start.plus_ms(15 * MINUTE));
        assert_eq!(d.step, Step::In(1));
        // A reading at target ends the low stretch.
        let d = evaluate(&census(4, 0, 0, 0, 0), &scaling(100, 10_000), (0, 10), Some(start), start);
        assert_eq!(d.low_since, None);
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
