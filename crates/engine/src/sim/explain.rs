//! "Why is this waiting?" (`docs/model.md` §15): reads the parts' state at the current instant and says what
//! holds a task, a service or a RunTask burst, with the numbers the mechanisms decide with. It changes nothing
//! (every read is through `&self`; token buckets are read with `level_at`), so explaining never alters a run.
//!
//! What it reuses so the words cannot disagree with the behaviour: the workflow cycle records what stopped its
//! last launches (`ServiceRt::last_blocked`, set where `launch_for_service` decides it); the deployment bounds and
//! circuit breaker threshold are computed by the functions the scheduler calls; an instance's room is judged
//! check by check in the order of `fleet::placement::fits`; a task's place in a queue counts the same current
//! entries the queue's own invariant check counts.

use std::cmp::Reverse;

use super::{Event, Simulation};
use crate::defaults;
use crate::explain::{AccountBucket, Explanation, Hold, ScalingWait, Short, Subject, ZoneRoom};
use crate::ids::{ProviderId, ServiceId, TaskId, WorkloadId};
use crate::instance::InstanceState;
use crate::output::Limiter;
use crate::scenario::Provider;
use crate::task::{Health, Owner, Task, TaskState};
use crate::text::mark;
use crate::time::SimTime;

use super::fleet::{Instance, Needs};

/// What a task does in `state` (the lifecycle step it waits on), for the sentence.
fn step_of(task: &Task) -> &'static str {
    match task.state {
        TaskState::Provisioning if task.provider.is_fargate() => {
            mark("Fargate capacity, host assignment and ENI attachment (expected remaining time not published)")
        }
        TaskState::Provisioning => mark("hand-off to the container agent and ENI attachment"),
        TaskState::Pending => mark("image pull and container start (expected remaining time not published)"),
        TaskState::Activating => mark("load balancer registration"),
        TaskState::Running if task.health != Health::Healthy => mark("health checks"),
        TaskState::Running => mark("running"),
        TaskState::Deactivating => mark("load balancer deregistration delay"),
        TaskState::Stopping => mark("stop timeout after SIGTERM"),
        TaskState::Deprovisioning => mark("ENI detachment"),
        TaskState::Stopped => mark("stopped"),
    }
}

/// What `instance` lacks for `needs`, in the order `fleet::placement::fits` checks; `None`: it fits.
fn short_of(instance: &Instance, needs: &Needs) -> Option<Short> {
    if instance.state != InstanceState::Active {
        Some(Short::NotActive)
    } else if instance.instance_type.architecture != needs.architecture {
        Some(Short::Architecture)
    } else if instance.cpu_free < needs.cpu {
        Some(Short::Cpu)
    } else if instance.memory_free < needs.memory {
        Some(Short::Memory)
    } else if needs.eni && instance.eni_free < 1 {
        Some(Short::Eni)
    } else if needs.fixed_ports.iter().any(|p| instance.ports.contains(p))
        || instance.dynamic_ports_used + needs.dynamic_ports > defaults::DYNAMIC_PORTS
    {
        Some(Short::Ports)
    } else {
        None
    }
}

fn secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

impl Simulation {
    /// When the first queued event `wanted` picks happens (scans the queue: for explanations only).
    pub(super) fn next_event_at(&self, wanted: impl Fn(&Event) -> bool) -> Option<SimTime> {
        self.queue.iter().filter(|Reverse(q)| wanted(&q.event)).map(|Reverse(q)| q.time).min()
    }

    pub(super) fn in_s(&self, at: Option<SimTime>) -> Option<f64> {
        at.map(|t| secs(t.since(self.now)))
    }

    /// Why task `id` is where it is now.
    pub fn explain_task(&self, id: u32) -> Result<Explanation, String> {
        let launched = self.tasks.len();
        let task = self.tasks.get(TaskId::new(id)).ok_or_else(|| {
            if (id as usize) < launched {
                format!("task {id} has stopped and its record was released")
            } else {
                format!("no task {id} at {} s: {launched} tasks launched so far", secs(self.now.as_millis()))
            }
        })?;
        let owner = self.owner_name(task.owner);
        let subject = Subject::Task { id, owner };
        let since = Some(secs(task.state_since.as_millis()));
        let step = Hold::Step { tasks: 1, state: task.state, step: step_of(task), since_s: since };
        let mut state = task.state.name().to_string();
        let hold = match (task.state, task.provider) {
            (TaskState::Provisioning, Provider::FargateSpot) if task.awaiting_capacity => {
                let position = self.spot.position(
                    task.id,
                    |t, g| self.tasks.get(t).is_some_and(|t| t.generation == g && t.awaiting_capacity),
                    |job, g| self.batch.awaiting_spot(job, g),
                );
                self.spot_hold(1, position)
            }
            (TaskState::Provisioning, Provider::Asg(p)) if task.awaiting_capacity => {
                let p = ProviderId::of_asg(p);
                let ahead = self
                    .fleet
                    .waiting_entries(p)
                    .take_while(|&&(t, _)| t != task.id)
                    .filter(|&&(t, g)| self.tasks.get(t).is_some_and(|t| t.generation == g && t.awaiting_capacity))
                    .count() as u64;
                self.no_room(p, task.task_def as usize, 1, ahead)
            }
            (TaskState::Running, _) if task.health == Health::Healthy && !task.stopping => {
                state = "RUNNING, healthy".into();
                Hold::Nothing
            }
            (TaskState::Stopped, _) => Hold::Nothing,
            _ => step,
        };
        if task.stopping && task.state != TaskState::Stopped {
            let reason = task.stop_reason.map_or("stopping".to_string(), |r| format!("stopping: {}", r.name()));
            state = format!("{state} ({reason})");
        }
        Ok(Explanation::new(secs(self.now.as_millis()), subject, state, vec![hold]))
    }

    /// The Fargate Spot capacity hold for `tasks` tasks (one task at `position` of the FIFO).
    pub(super) fn spot_hold(&self, tasks: u64, position: Option<u64>) -> Hold {
        let per_minute = (!self.spot.unlimited()).then(|| crate::narrow::u32_of_u64(self.spot.capacity().per_minute()));
        Hold::SpotCapacity { tasks, position, waiting: u64::from(self.spot.waiting_count()), per_minute }
    }

    /// No instance of group `p` has room for a task of `task_def`: what each zone lacks and what managed scaling
    /// (or a Managed Instances provider) will do about it.
    fn no_room(&self, p: ProviderId, task_def: usize, tasks: u64, ahead: u64) -> Hold {
        let provider = &self.scenario.providers[p.index()];
        let needs = self.needs(task_def);
        let instances = self.fleet.instances();
        let members: Vec<&Instance> = self.fleet.group_instances(p).iter().map(|i| &instances[i.index()]).collect();
        let zones = provider
            .zones
            .iter()
            .enumerate()
            .map(|(z, name)| {
                let in_zone: Vec<&&Instance> = members.iter().filter(|i| usize::from(i.zone) == z).collect();
                let mut short: Vec<(Short, u32)> = Vec::new();
                for instance in &in_zone {
                    if let Some(s) = short_of(instance, &needs) {
                        match short.iter_mut().find(|(k, _)| *k == s) {
                            Some((_, n)) => *n += 1,
                            None => short.push((s, 1)),
                        }
                    }
                }
                crate::sort::sort_by(&mut short, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                ZoneRoom { zone: name.clone(), instances: crate::narrow::u32_of(in_zone.len()), short }
            })
            .collect();
        // Instances join the group's room index when they register; those still launching are in the arena only.
        let launching = instances
            .iter()
            .filter(|i| i.provider == p && matches!(i.state, InstanceState::Launching | InstanceState::Registering))
            .count();
        let launching = crate::narrow::u32_of(launching);
        let dry_pools = crate::narrow::u32_of(self.fleet.providers()[p.index()].dry_pools().len());
        let scaling = if let Some(m) = &provider.managed_scaling {
            Some(ScalingWait {
                next_evaluation_in_s: self
                    .in_s(self.next_event_at(|e| matches!(e, Event::ScalingEvaluation { provider } if *provider == p))),
                reservation_percent: self.fleet.providers()[p.index()].last_reservation(),
                target_percent: m.target_capacity,
                instances_launching: launching,
                dry_pools,
            })
        } else if provider.managed_instances.is_some() {
            // Managed Instances launch for waiting tasks without a reservation metric; "target" is their need.
            Some(ScalingWait {
                next_evaluation_in_s: self
                    .in_s(self.next_event_at(|e| matches!(e, Event::ManagedLaunch { provider } if *provider == p))),
                reservation_percent: None,
                target_percent: 100,
                instances_launching: launching,
                dry_pools,
            })
        } else {
            None
        };
        Hold::NoRoom {
            tasks,
            group: provider.name.clone(),
            memory_mib: needs.memory,
            cpu_units: needs.cpu,
            zones,
            scaling,
            ahead,
        }
    }

    /// An account launch bucket's hold: `tasks` of this subject and `ahead` of others waiting for it.
    pub(super) fn bucket_hold(&self, bucket: AccountBucket, tasks: u64, ahead: u64) -> Hold {
        let b = match bucket {
            AccountBucket::FargateOnDemand => &self.buckets.fargate_on_demand,
            AccountBucket::FargateSpot => &self.buckets.fargate_spot,
            AccountBucket::RunTaskApi => &self.buckets.run_task_api,
            AccountBucket::FargateRunTaskCalls => &self.buckets.fargate_run_task_calls,
        };
        let tokens = b.level_at(self.now);
        let per_s = b.per_minute() as f64 / 60.0;
        let short = (ahead + tasks) as f64 - tokens;
        let wait_s = if short <= 0.0 {
            Some(0.0)
        } else if per_s > 0.0 {
            Some(short / per_s)
        } else {
            None
        };
        Hold::AccountBucket { bucket, tasks, tokens, per_s, ahead, wait_s }
    }

    /// Tasks of other services whose last cycle stopped at `limiter`, not launched yet.
    fn others_blocked_at(&self, s: ServiceId, limiter: Limiter) -> u64 {
        (0..self.scenario.services.len())
            .map(ServiceId::from_index)
            .filter(|&o| o != s)
            .map(|o| self.service_facts(o))
            .filter(|f| !f.steady && f.last_blocked == Some(limiter) && f.breaker.is_none() && f.backoff.is_none())
            .map(|f| u64::from(f.missing.min(f.room)))
            .sum()
    }

    fn service_facts(&self, s: ServiceId) -> super::services::ServiceFacts {
        let breaker_min = self.scenario.limits.circuit_breaker_min;
        self.services.facts(s, &self.scenario.services[s.index()], &self.tasks, breaker_min, self.now)
    }

    /// The service's index by name, or an error listing the names.
    pub fn service_index(&self, name: &str) -> Result<usize, String> {
        self.scenario.services.iter().position(|s| s.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.scenario.services.iter().map(|s| s.name.as_str()).collect();
            if names.is_empty() {
                format!("no service {name:?}: the scenario has no services")
            } else {
                format!("no service {name:?}; the services are: {}", names.join(", "))
            }
        })
    }

    /// Why service `name` is not steady now, part by part: the tasks it has not launched and what stops them,
    /// and its launched tasks still on their way.
    pub fn explain_service(&self, name: &str) -> Result<Explanation, String> {
        let s = ServiceId::from_index(self.service_index(name)?);
        let f = self.service_facts(s);
        let service = &self.scenario.services[s.index()];
        let subject = Subject::Service { name: service.name.clone() };
        let at_s = secs(self.now.as_millis());
        let state = if f.steady {
            format!("steady, {} of {} healthy", f.healthy_primary, f.desired)
        } else {
            format!("{} of {} healthy, {} running", f.healthy_primary, f.desired, f.running)
        };
        let mut holds = Vec::new();
        if f.steady {
            return Ok(Explanation::new(at_s, subject, state, holds));
        }
        let want = u64::from(f.missing.min(f.room));
        let cycle_ms = self.scenario.latencies.cycle_ms;
        let next_cycle =
            self.in_s(self.next_event_at(|e| matches!(e, Event::ServiceCycle { service } if *service == s)));
        if let Some((failures, threshold)) = f.breaker {
            holds.push(Hold::CircuitBreaker { tasks: u64::from(f.missing), failures, threshold });
        } else if let Some((until, attempts)) = f.backoff {
            holds.push(Hold::Backoff { tasks: want, left_s: secs(until.since(self.now)), attempts });
        } else if want > 0 {
            let asg = service.strategy.items.iter().find_map(|i| match i.provider {
                Provider::Asg(p) => Some(ProviderId::of_asg(p)),
                _ => None,
            });
            holds.push(match f.last_blocked {
                Some(Limiter::ServiceLaunchRate) => Hold::ServiceLaunchRate {
                    tasks: want,
                    used: u64::from(f.last_launched),
                    per_cycle: f.launch_bucket.burst(),
                    cycle_s: secs(cycle_ms),
                    next_cycle_in_s: next_cycle,
                },
                Some(l @ (Limiter::FargateOnDemandBucket | Limiter::FargateSpotBucket)) => {
                    let bucket = if l == Limiter::FargateSpotBucket {
                        AccountBucket::FargateSpot
                    } else {
                        AccountBucket::FargateOnDemand
                    };
                    self.bucket_hold(bucket, want, self.others_blocked_at(s, l))
                }
                Some(Limiter::Capacity) if asg.is_some() => {
                    let p = asg.expect("checked");
                    self.no_room(p, f.task_def, want, u64::from(self.fleet.providers()[p.index()].waiting_count()))
                }
                Some(Limiter::ProvisioningLimit) => Hold::ProvisioningLimit {
                    tasks: want,
                    waiting: self.fleet.provisioning_total(),
                    limit: self.scenario.limits.provisioning_limit,
                },
                Some(quota @ (Limiter::FargateOnDemandVcpuQuota | Limiter::FargateSpotVcpuQuota)) => {
                    let provider =
                        if quota == Limiter::FargateSpotVcpuQuota { Provider::FargateSpot } else { Provider::Fargate };
                    let (used, limit) = self.fargate_vcpus(provider);
                    let task_vcpu = f64::from(self.scenario.task_defs[f.task_def].cpu) / 1024.0;
                    Hold::VcpuQuota { tasks: want, quota, used_vcpu: used, quota_vcpu: limit, task_vcpu }
                }
                Some(limit) => Hold::Refused { tasks: want, limit },
                None => Hold::NextCycle { tasks: want, in_s: next_cycle.unwrap_or(0.0) },
            });
        }
        if f.missing > f.room && f.breaker.is_none() {
            holds.push(Hold::DeploymentBounds {
                tasks: u64::from(f.missing - f.room),
                active: f.active,
                max_running: f.max_running,
                maximum_percent: service.maximum_percent,
                minimum_healthy_percent: service.minimum_healthy_percent,
            });
        }
        if f.spot_waiting > 0 {
            holds.push(self.spot_hold(u64::from(f.spot_waiting), None));
        }
        // Launched tasks: waiting for an instance per group, or on their way in a lifecycle step.
        let mut per_group: Vec<(u16, u64)> = Vec::new();
        let mut per_state = [0u64; TaskState::ALL.len()];
        for &id in self.services.active(s) {
            let t = &self.tasks[id];
            match (t.awaiting_capacity, t.provider) {
                (true, Provider::Asg(g)) => match per_group.iter_mut().find(|(k, _)| *k == g) {
                    Some((_, n)) => *n += 1,
                    None => per_group.push((g, 1)),
                },
                (true, _) => {}
                (false, _) if t.health != Health::Healthy => per_state[t.state.index()] += 1,
                _ => {}
            }
        }
        per_group.sort_unstable();
        for (g, n) in per_group {
            let p = ProviderId::of_asg(g);
            let others = u64::from(self.fleet.providers()[p.index()].waiting_count()).saturating_sub(n);
            holds.push(self.no_room(p, f.task_def, n, others));
        }
        for state in TaskState::ALL {
            let n = per_state[state.index()];
            if n > 0 {
                let probe = self
                    .services
                    .active(s)
                    .iter()
                    .map(|&id| &self.tasks[id])
                    .find(|t| t.state == state && !t.awaiting_capacity && t.health != Health::Healthy);
                let step = probe.map_or("", step_of);
                holds.push(Hold::Step { tasks: n, state, step, since_s: None });
            }
        }
        Ok(Explanation::new(at_s, subject, state, holds))
    }

    /// Fargate vCPUs in use against `provider`'s quota, and the quota (vCPUs; 0 without one).
    pub(super) fn fargate_vcpus(&self, provider: Provider) -> (f64, f64) {
        let (used, quota) = self.quota_usage(provider);
        (used, quota)
    }

    /// The burst's index by name, or an error listing the names.
    pub fn burst_index(&self, name: &str) -> Result<usize, String> {
        self.scenario.run_tasks.iter().position(|w| w.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.scenario.run_tasks.iter().map(|w| w.name.as_str()).collect();
            format!("no RunTask burst {name:?}; the bursts are: {}", names.join(", "))
        })
    }

    /// Why RunTask burst `index` (in file order, from 0) has not started all its tasks now.
    pub fn explain_burst(&self, index: usize) -> Result<Explanation, String> {
        let workload = self.scenario.run_tasks.get(index).ok_or_else(|| {
            format!("no RunTask burst {index}: the scenario has {} (numbered from 0)", self.scenario.run_tasks.len())
        })?;
        let w = WorkloadId::from_index(index);
        let rt = self.workloads.iter().nth(index).expect("one runtime state per workload");
        let subject = Subject::Burst { index: crate::narrow::u32_of(index), name: workload.name.clone() };
        let at_s = secs(self.now.as_millis());
        let state = format!("{} of {} started", rt.started, workload.count);
        let next_call = self.next_event_at(|e| matches!(e, Event::RunTaskCall { workload } if *workload == w));
        let mut holds = Vec::new();
        if !rt.invoked {
            let starts = next_call.unwrap_or(workload.at);
            holds.push(Hold::NotYet { starts_in_s: secs(starts.since(self.now)) });
            return Ok(Explanation::new(at_s, subject, state, holds));
        }
        let remaining = u64::from(workload.count.saturating_sub(rt.requested()));
        if remaining > 0 || rt.dropped {
            holds.push(Hold::Retry { in_s: self.in_s(next_call), calls_throttled: rt.throttled_calls });
        }
        if remaining > 0 {
            let calls = remaining.div_ceil(u64::from(workload.tasks_per_call.max(1)));
            if self.buckets.run_task_api.level_at(self.now) < 1.0 {
                holds.push(self.bucket_hold(AccountBucket::RunTaskApi, calls, 0));
            }
            let fargate = workload.strategy.items.iter().any(|i| i.provider.is_fargate());
            if fargate && self.buckets.fargate_run_task_calls.level_at(self.now) < 1.0 {
                holds.push(self.bucket_hold(AccountBucket::FargateRunTaskCalls, calls, 0));
            }
            for (provider, bucket, b) in [
                (Provider::Fargate, AccountBucket::FargateOnDemand, &self.buckets.fargate_on_demand),
                (Provider::FargateSpot, AccountBucket::FargateSpot, &self.buckets.fargate_spot),
            ] {
                let uses = workload.strategy.items.iter().any(|i| i.provider == provider);
                if uses && b.level_at(self.now) < 1.0 {
                    holds.push(self.bucket_hold(bucket, remaining, 0));
                }
            }
        }
        let mut per_state = [0u64; TaskState::ALL.len()];
        let mut spot = 0u64;
        let mut per_group: Vec<(u16, u64)> = Vec::new();
        let mut task_def = workload.task_def;
        for t in self.tasks.not_stopping() {
            if !matches!(t.owner, Owner::Standalone { workload } if workload == w) {
                continue;
            }
            task_def = t.task_def as usize;
            match (t.awaiting_capacity, t.provider) {
                (true, Provider::FargateSpot) => spot += 1,
                (true, Provider::Asg(g)) => match per_group.iter_mut().find(|(k, _)| *k == g) {
                    Some((_, n)) => *n += 1,
                    None => per_group.push((g, 1)),
                },
                (_, _) if t.state != TaskState::Running => per_state[t.state.index()] += 1,
                _ => {}
            }
        }
        if spot > 0 {
            holds.push(self.spot_hold(spot, None));
        }
        per_group.sort_unstable();
        for (g, n) in per_group {
            let p = ProviderId::of_asg(g);
            let others = u64::from(self.fleet.providers()[p.index()].waiting_count()).saturating_sub(n);
            holds.push(self.no_room(p, task_def, n, others));
        }
        for state in TaskState::ALL {
            let n = per_state[state.index()];
            if n > 0 {
                let probe = self
                    .tasks
                    .not_stopping()
                    .find(|t| matches!(t.owner, Owner::Standalone { workload } if workload == w) && t.state == state);
                holds.push(Hold::Step { tasks: n, state, step: probe.map_or("", step_of), since_s: None });
            }
        }
        Ok(Explanation::new(at_s, subject, state, holds))
    }
}

#[cfg(test)]
mod tests {
    use crate::explain::{AccountBucket, Hold, Short};
    use crate::instance::InstanceState;
    use crate::sim::{testing, Event};
    use crate::task::TaskState;
    use crate::time::SimTime;

    /// The first cycle of a 1,000-task Fargate service uses the service's whole launch rate (42 per 5 s cycle):
    /// the explanation says so with the numbers the cycle decided with, and when the next cycle comes.
    #[test]
    fn the_service_launch_rate() {
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 1000"#, ""));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let e = sim.explain_service("web").expect("known");
        assert_eq!(
            e.holds[0],
            Hold::ServiceLaunchRate { tasks: 958, used: 42, per_cycle: 42, cycle_s: 5.0, next_cycle_in_s: Some(5.0) }
        );
        assert!(
            e.text().starts_with(
                "0 of 1000 healthy, 0 running: service launch rate: 42 of 42 per 5 s cycle used at the last cycle, next cycle in 5 s; \
                 958 tasks not launched; 42 tasks PROVISIONING"
            ),
            "{}",
            e.text()
        );
        // A second later: what the last cycle used, and the next cycle 4 s away.
        sim.step_until(sim.now.plus_ms(1000));
        let e = sim.explain_service("web").expect("known");
        assert!(matches!(e.holds[0], Hold::ServiceLaunchRate { used: 42, next_cycle_in_s: Some(n), .. } if n == 4.0));
    }

    /// An account bucket of 10 tokens refilling 1/s: after the first cycle, 90 tasks wait for it, ~90 s.
    #[test]
    fn an_account_launch_bucket() {
        let limits = r#""limits": { "fargate_on_demand_launch": { "burst": 10, "refill_per_s": 1 } }"#;
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 100"#, limits));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let e = sim.explain_service("web").expect("known");
        assert_eq!(
            e.holds[0],
            Hold::AccountBucket {
                bucket: AccountBucket::FargateOnDemand,
                tasks: 90,
                tokens: 0.0,
                per_s: 1.0,
                ahead: 0,
                wait_s: Some(90.0)
            }
        );
        assert!(
            e.text().contains("waiting for the Fargate On-Demand bucket: 0 tokens, 1/s, 0 tasks ahead of it, ~90 s"),
            "{}",
            e.text()
        );
        // 2.5 s later: 2.5 tokens, 87.5 s to go.
        sim.step_until(sim.now.plus_ms(2500));
        let e = sim.explain_service("web").expect("known");
        assert!(
            matches!(e.holds[0], Hold::AccountBucket { tokens, wait_s: Some(w), .. } if tokens == 2.5 && w == 87.5)
        );
    }

    /// Two services share the bucket: each counts the other's unlaunched tasks as ahead of it.
    #[test]
    fn tasks_of_other_services_waiting_for_the_same_bucket_are_ahead() {
        let limits = r#""limits": { "fargate_on_demand_launch": { "burst": 10, "refill_per_s": 1 } },
            "services": [{ "name": "web", "task_definition": "web", "desired_count": 30 },
                         { "name": "api", "task_definition": "web", "desired_count": 20 }]"#;
        let mut sim = testing::checked(testing::without_service("", limits));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let holds: Vec<Hold> =
            ["web", "api"].iter().map(|s| sim.explain_service(s).expect("known").holds[0].clone()).collect();
        let (
            Hold::AccountBucket { tasks: a, ahead: a_ahead, .. },
            Hold::AccountBucket { tasks: b, ahead: b_ahead, .. },
        ) = (&holds[0], &holds[1])
        else {
            panic!("{holds:?}")
        };
        let launched = sim.tasks().len() as u64;
        assert_eq!((a + b, *a_ahead, *b_ahead), (50 - launched, *b, *a));
    }

    /// A task that found no room backs its service off: 10 s left after the first attempt.
    #[test]
    fn backoff_after_no_room() {
        let task_def = r#", "cpu": 1024, "memory": 6144"#;
        let mut sim =
            testing::checked(testing::ec2(r#""desired_capacity": 1"#, task_def, r#", "desired_count": 3"#, ""));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let web = crate::ids::ServiceId::new(0);
        while sim.service_facts(web).backoff.is_none() {
            sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        }
        let until = sim.service_facts(web).backoff.expect("backing off").0;
        let left = until.since(sim.now) as f64 / 1000.0;
        let e = sim.explain_service("web").expect("known");
        assert!(matches!(e.holds[0], Hold::Backoff { left_s, attempts: 1, .. } if left_s == left), "{e:?}");
        assert!(e.text().contains(&format!("backoff: {left:.0} s left after 1 failed start")), "{}", e.text());
    }

    /// A task waiting in PROVISIONING for an instance: the zone's instance lacks memory, managed scaling looks
    /// next at its minute, and the reservation it read.
    #[test]
    fn no_instance_with_room_and_managed_scaling() {
        let provider = r#""desired_capacity": 1, "max_size": 2, "managed_scaling": {}"#;
        let mut sim = testing::checked(testing::ec2(provider, r#", "memory": 4096"#, r#", "desired_count": 2"#, ""));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        assert_eq!(sim.instances()[0].state, InstanceState::Active);
        let waiting: Vec<u32> = sim.tasks().iter().filter(|t| t.awaiting_capacity).map(|t| t.id.raw()).collect();
        assert_eq!(waiting.len(), 1);
        let e = sim.explain_task(waiting[0]).expect("launched");
        let zone = &sim.scenario.providers[0].zones[usize::from(sim.instances()[0].zone)];
        let Hold::NoRoom { ahead, scaling: Some(scaling), zones, .. } = &e.holds[0] else { panic!("{e:?}") };
        assert_eq!(*ahead, 0);
        assert_eq!(zones[0].short, vec![(Short::Memory, 1)]);
        assert_eq!(scaling.target_percent, 100);
        let next = sim
            .queued()
            .into_iter()
            .find(|(_, e)| matches!(e, Event::ScalingEvaluation { .. }))
            .map(|(at, _)| at.since(sim.now) as f64 / 1000.0);
        assert_eq!(scaling.next_evaluation_in_s, next);
        assert!(
            e.text().starts_with(&format!("PROVISIONING: no instance with 4096 MiB free in {zone}")),
            "{}",
            e.text()
        );
        assert!(e.text().contains("(no reading yet, target 100%); 0 tasks ahead"), "{}", e.text());
        // The evaluation reads 200% (the first instance's warm-up holds the scale-out back); after it, the next
        // one is a minute away.
        sim.step_through(|e| matches!(e, Event::ScalingEvaluation { .. }));
        let e = sim.explain_task(waiting[0]).expect("launched");
        let Hold::NoRoom { scaling: Some(scaling), .. } = &e.holds[0] else { panic!("{e:?}") };
        let launching =
            crate::narrow::u32_of(sim.instances().iter().filter(|i| i.state == InstanceState::Launching).count());
        assert_eq!((scaling.reservation_percent, scaling.instances_launching), (Some(200), launching));
        assert!(e.text().contains("in 60 s (reservation 200%, target 100%)"), "{}", e.text());
        // Once an instance launches for it, it shows as launching until ACTIVE.
        while sim.instances().len() < 2 {
            sim.step_through(|e| matches!(e, Event::ScalingEvaluation { .. }));
        }
        let e = sim.explain_task(waiting[0]).expect("launched");
        assert!(e.text().contains("; 1 instance launching; 0 tasks ahead"), "{}", e.text());
    }

    /// Fargate Spot tasks wait in the pool's FIFO: the third task is third of the waiting ones.
    #[test]
    fn fargate_spot_capacity_position() {
        let service = r#""desired_count": 20,
            "capacity_provider_strategy": [{ "capacity_provider": "FARGATE_SPOT", "weight": 1 }]"#;
        let top = r#""fargate_spot": { "availability": "tight" }"#;
        let mut sim = testing::checked(testing::fargate("", service, top));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let waiting: Vec<u32> = sim.tasks().iter().filter(|t| t.awaiting_capacity).map(|t| t.id.raw()).collect();
        assert!(waiting.len() >= 3, "{waiting:?}");
        let e = sim.explain_task(waiting[2]).expect("launched");
        let n = waiting.len() as u64;
        assert!(matches!(e.holds[0], Hold::SpotCapacity { position: Some(3), waiting, .. } if waiting == n), "{e:?}");
        assert!(
            e.text().contains(&format!("waiting for Fargate Spot capacity: 3 of {n} in the queue")),
            "{}",
            e.text()
        );
        let service = sim.explain_service("web").expect("known");
        assert!(service.holds.iter().any(|h| matches!(h, Hold::SpotCapacity { tasks, .. } if *tasks == n)));
    }

    /// A task in PENDING: the step and since when.
    #[test]
    fn a_lifecycle_step_and_since_when() {
        let mut sim = testing::checked(testing::fargate("", "", ""));
        while sim.tasks().first().is_none_or(|t| t.state != TaskState::Pending) {
            sim.step_through(|_| true);
        }
        let since = sim.now.as_millis() as f64 / 1000.0;
        sim.step_until(SimTime(sim.now.as_millis() + 100));
        let e = sim.explain_task(0).expect("launched");
        assert_eq!(
            e.holds[0],
            Hold::Step {
                tasks: 1,
                state: TaskState::Pending,
                step: "image pull and container start (expected remaining time not published)",
                since_s: Some(since)
            }
        );
        assert!(e.text().starts_with("PENDING: image pull"), "{}", e.text());
        sim.run_to_end();
        let e = sim.explain_task(0).expect("launched");
        assert_eq!(e.text(), "RUNNING, healthy: nothing holds it");
        assert_eq!(sim.explain_service("web").expect("known").text(), "steady, 1 of 1 healthy: nothing holds it");
    }

    /// A 2-vCPU quota holds a service of 0.25-vCPU tasks at 8.
    #[test]
    fn a_vcpu_quota() {
        let limits = r#""limits": { "fargate_on_demand_vcpu_quota": 2 }"#;
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 20"#, limits));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let e = sim.explain_service("web").expect("known");
        assert!(
            e.text().contains("quota: Fargate On-Demand vCPU resource count: 2 of 2 vCPUs in use, a task needs 0.25; 12 tasks not launched"),
            "{}",
            e.text()
        );
    }

    /// The circuit breaker failed the deployment: nothing launches, and the explanation says after how many.
    #[test]
    fn the_circuit_breaker() {
        let mut sim = testing::checked(testing::breaker_without_rollback(testing::START_FAILS));
        while sim.services.iter().next().expect("service").deployment_status().to_string() != "FAILED" {
            sim.step_through(|_| true);
        }
        sim.step_until(sim.now.plus_ms(60_000));
        let e = sim.explain_service("web").expect("known");
        assert_eq!(e.holds[0], Hold::CircuitBreaker { tasks: 4, failures: 10, threshold: 10 });
        assert!(e.text().contains("circuit breaker: deployment FAILED after 10 of 10 failures"), "{}", e.text());
    }

    /// A RunTask burst throttled on the RunTask API bucket: its retry and the bucket.
    #[test]
    fn a_throttled_burst() {
        let top = r#""limits": { "run_task_api": { "burst": 2, "refill_per_s": 1 } },
            "run_tasks": [{ "name": "job", "task_definition": "web", "count": 50, "at_s": 10 }]"#;
        let mut sim = testing::checked(testing::without_service("", top));
        let e = sim.explain_burst(0).expect("known");
        assert_eq!(e.holds, vec![Hold::NotYet { starts_in_s: 10.0 }]);
        sim.step_through(|e| matches!(e, Event::RunTaskCall { .. }));
        let e = sim.explain_burst(0).expect("known");
        assert!(matches!(e.holds[0], Hold::Retry { in_s: Some(s), calls_throttled: 1 } if s == 1.0), "{e:?}");
        assert!(
            matches!(e.holds[1], Hold::AccountBucket { bucket: AccountBucket::RunTaskApi, tasks: 3, wait_s: Some(w), .. } if w == 3.0),
            "{e:?}"
        );
        assert!(e.text().starts_with("0 of 50 started: throttled: retries in 1 s (1 call throttled); waiting for the RunTask API bucket: 0 tokens, 1/s"), "{}", e.text());
        assert!(sim.explain_burst(1).is_err());
        assert!(sim.explain_service("nope").unwrap_err().contains("no service \"nope\""));
        assert!(sim.explain_task(999).unwrap_err().contains("no task 999"));
    }

    /// Every pool of the group without capacity: the wait names them beside managed scaling.
    #[test]
    fn pools_without_capacity() {
        let provider = r#""max_size": 4, "managed_scaling": {}, "availability_zones": ["us-east-1a", "us-east-1b"],
            "insufficient_capacity": [{ "instance_type": "m5.large", "zone": "us-east-1a" },
                                      { "instance_type": "m5.large", "zone": "us-east-1b" }]"#;
        let mut sim = testing::checked(testing::ec2(provider, "", "", ""));
        sim.step_through(|e| matches!(e, Event::ScalingEvaluation { .. }));
        let e = sim.explain_task(0).expect("launched");
        let Hold::NoRoom { scaling: Some(scaling), .. } = &e.holds[0] else { panic!("{e:?}") };
        assert_eq!((scaling.dry_pools, scaling.reservation_percent), (2, Some(200)));
        assert!(
            e.text().starts_with(
                "PROVISIONING: no instance in us-east-1a, no instance in us-east-1b; managed scaling's next \
                 evaluation in 60 s (reservation 200%, target 100%); 2 pools without capacity \
                 (InsufficientInstanceCapacity); 0 tasks ahead"
            ),
            "{}",
            e.text()
        );
    }
}
