//! RunTask bursts (`docs/model.md` §2): a caller asks for `count` standalone tasks, up to 10 per call. Each call
//! takes a RunTask API token, a Fargate RunTask call token when it starts On-Demand Fargate tasks, and one launch
//! token per task from the Fargate On-Demand or Spot bucket. A call goes through whole or is throttled whole; a
//! throttled caller retries when the tokens are back (what SDK retries amount to) or gives up.
//!
//! [`Workloads`] is the part holding each burst's progress (requested, started, failed, throttled).

use super::{Event, Simulation};
use crate::ids::{ProviderId, WorkloadId};
use crate::output::TraceWhat;
use crate::scenario::Provider;
use crate::spec::OnThrottle;
use crate::strategy::next_item;
use crate::task::{Owner, StopReason};
use crate::time::SimTime;

/// A RunTask workload's runtime state.
#[derive(Default)]
pub(super) struct WorkloadRt {
    requested: u32,
    pub(super) started: u32,
    pub(super) failed: u32,
    pub(super) throttled: u32,
    pub(super) throttled_calls: u64,
    counts: Vec<u32>,
    pub(super) settled_at: Option<SimTime>,
}

/// Every workload's runtime state, indexed like the scenario's RunTask workloads; read outside this module
/// through `&WorkloadRt`, changed only by the mechanism here.
#[derive(Default)]
pub(super) struct Workloads {
    list: Vec<WorkloadRt>,
}

impl Workloads {
    pub(super) fn iter(&self) -> std::slice::Iter<'_, WorkloadRt> {
        self.list.iter()
    }
}

impl Simulation {
    pub(super) fn start_workloads(&mut self) {
        for index in 0..self.scenario.run_tasks.len() {
            let items = self.scenario.run_tasks[index].strategy.items.len();
            self.workloads.list.push(WorkloadRt { counts: vec![0; items], ..WorkloadRt::default() });
            let at = self.scenario.run_tasks[index].at;
            self.schedule(at, Event::RunTaskCall { workload: WorkloadId::from_index(index) });
        }
    }

    pub(super) fn run_task_calls(&mut self, w: WorkloadId) {
        let now = self.now;
        loop {
            let workload = &self.scenario.run_tasks[w.index()];
            let rt = &self.workloads.list[w.index()];
            let remaining = workload.count - rt.requested;
            if remaining == 0 {
                break;
            }
            let in_call = remaining.min(workload.tasks_per_call);
            let mut counts = rt.counts.clone();
            let mut providers = Vec::with_capacity(in_call as usize);
            for _ in 0..in_call {
                let item = next_item(&workload.strategy, &counts);
                counts[item] += 1;
                providers.push(workload.strategy.items[item].provider);
            }
            let need = |p: Provider| providers.iter().filter(|&&q| q == p).count() as u64;
            let need = [need(Provider::Fargate), need(Provider::FargateSpot)];
            let needs_fargate_call = need[0] > 0;

            let buckets = &mut self.buckets;
            let ready = buckets.run_task_api.available(now) >= 1
                && (!needs_fargate_call || buckets.fargate_run_task_calls.available(now) >= 1)
                && buckets.fargate_on_demand.available(now) >= need[0]
                && buckets.fargate_spot.available(now) >= need[1];
            if ready {
                buckets.run_task_api.try_take(now, 1);
                if needs_fargate_call {
                    buckets.fargate_run_task_calls.try_take(now, 1);
                }
                buckets.fargate_on_demand.try_take(now, need[0]);
                buckets.fargate_spot.try_take(now, need[1]);
                let (task_def, public_ip) = (workload.task_def, workload.assign_public_ip);
                let placement = workload.placement.clone();
                let owner = Owner::Standalone { workload: w };
                for provider in providers {
                    let instance = match provider {
                        Provider::Asg(p) => match self.place_new(ProviderId::of_asg(p), task_def, &placement, owner) {
                            Ok(instance) => instance,
                            Err(_) => {
                                // RunTask reports the task as a failure (e.g. RESOURCE:MEMORY): nothing launches.
                                self.workloads.list[w.index()].failed += 1;
                                continue;
                            }
                        },
                        _ => None,
                    };
                    self.launch_task(owner, task_def, provider, public_ip && provider.is_fargate(), instance);
                }
                let rt = &mut self.workloads.list[w.index()];
                rt.counts = counts;
                rt.requested += in_call;
                continue;
            }

            self.workloads.list[w.index()].throttled_calls += 1;
            let name = workload.name.clone();
            match workload.on_throttle {
                OnThrottle::Retry => {
                    let retry_at = [
                        buckets.run_task_api.time_until(now, 1),
                        if needs_fargate_call { buckets.fargate_run_task_calls.time_until(now, 1) } else { Some(now) },
                        buckets.fargate_on_demand.time_until(now, need[0]),
                        buckets.fargate_spot.time_until(now, need[1]),
                    ]
                    .into_iter()
                    .try_fold(now, |latest, at| at.map(|at| latest.max(at)));
                    self.record(TraceWhat::Throttled { workload: name, retry_at });
                    match retry_at {
                        Some(at) => self.schedule(at.max(now.plus_ms(1)), Event::RunTaskCall { workload: w }),
                        None => {
                            // The tokens will never be there (a bucket without refill): the caller gives up.
                            let rt = &mut self.workloads.list[w.index()];
                            rt.throttled += remaining;
                            rt.requested += remaining;
                        }
                    }
                    break;
                }
                OnThrottle::Fail => {
                    self.record(TraceWhat::Throttled { workload: name, retry_at: None });
                    let rt = &mut self.workloads.list[w.index()];
                    rt.throttled += in_call;
                    rt.requested += in_call;
                }
            }
        }
        self.update_settled(w);
    }

    pub(super) fn workload_task_started(&mut self, w: WorkloadId) {
        self.workloads.list[w.index()].started += 1;
        self.update_settled(w);
    }

    pub(super) fn workload_task_stopping(&mut self, w: WorkloadId, reason: StopReason) {
        let rt = &mut self.workloads.list[w.index()];
        // Only a task that never started counts here: one that started is already counted as started.
        if reason == StopReason::StartFailed {
            rt.failed += 1;
        }
        self.update_settled(w);
    }

    /// A burst has settled when every task it asked for has started, failed to start or was given up on.
    fn update_settled(&mut self, w: WorkloadId) {
        let count = self.scenario.run_tasks[w.index()].count;
        let rt = &mut self.workloads.list[w.index()];
        if rt.settled_at.is_none() && rt.started + rt.failed + rt.throttled == count {
            rt.settled_at = Some(self.now);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::{testing, Event, Simulation};
    use crate::time::SimTime;

    /// 50 tasks, 10 per call, with a RunTask API bucket of 2 calls refilling one call a second.
    fn burst(on_throttle: &str) -> Simulation {
        let top = format!(
            r#""limits": {{ "run_task_api": {{ "burst": 2, "refill_per_s": 1 }} }},
               "run_tasks": [{{ "name": "job", "task_definition": "web", "count": 50, "on_throttle": "{on_throttle}" }}]"#
        );
        testing::checked(testing::without_service("", &top))
    }

    #[test]
    fn a_throttled_call_retries_when_its_token_is_back() {
        let mut sim = burst("retry");
        sim.step_through(|e| matches!(e, Event::RunTaskCall { .. }));
        let rt = sim.workloads.iter().next().expect("workload");
        assert_eq!((rt.requested, rt.throttled_calls, rt.throttled), (20, 1, 0));
        assert_eq!(sim.tasks.len(), 20);
        let retries: Vec<SimTime> = sim
            .queued()
            .into_iter()
            .filter(|(_, e)| matches!(e, Event::RunTaskCall { .. }))
            .map(|(at, _)| at)
            .collect();
        assert_eq!(retries, vec![sim.now.plus_ms(1_000)]);
        // The retry makes one more call, and is throttled again.
        sim.step_through(|e| matches!(e, Event::RunTaskCall { .. }));
        let rt = sim.workloads.iter().next().expect("workload");
        assert_eq!((rt.requested, rt.throttled_calls), (30, 2));
    }

    #[test]
    fn a_caller_that_does_not_retry_loses_each_throttled_call() {
        let mut sim = burst("fail");
        sim.step_through(|e| matches!(e, Event::RunTaskCall { .. }));
        let rt = sim.workloads.iter().next().expect("workload");
        assert_eq!((rt.requested, rt.throttled_calls, rt.throttled), (50, 3, 30));
        assert_eq!(sim.tasks.len(), 20);
        assert!(sim.queued().iter().all(|(_, e)| !matches!(e, Event::RunTaskCall { .. })));
    }
}
