//! RunTask bursts (`docs/model.md` §2): a caller asks for `count` standalone tasks, up to 10 per call. Each call
//! takes a RunTask API token, a Fargate RunTask call token when it starts Fargate tasks (On-Demand or Spot), and
//! one launch token per task from the Fargate On-Demand or Spot bucket. A provider whose tokens fall short is left
//! out of the call, which carries the strategy's other providers' tasks; a call left with no task is throttled
//! whole, and a throttled caller retries when the tokens are back (what SDK retries amount to) or gives up.
//!
//! [`Workloads`] is the part holding each burst's progress (requested, started, failed, throttled).

use super::{Event, Simulation};
use crate::ids::{ProviderId, WorkloadId};
use crate::output::TraceWhat;
use crate::scenario::{Provider, Strategy};
use crate::spec::OnThrottle;
use crate::strategy::next_open_item;
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
    /// A scheduled firing (`docs/model.md` §11): the scheduler's retries so far, whether it called RunTask at all,
    /// and whether it gave up (maximum event age or retry attempts reached).
    pub(super) retries: u32,
    pub(super) invoked: bool,
    pub(super) dropped: bool,
}

/// Every workload's runtime state, indexed like the scenario's RunTask workloads; read outside this module
/// through `&WorkloadRt`, changed only by the mechanism here.
#[derive(Default)]
pub(super) struct Workloads {
    list: Vec<WorkloadRt>,
}

impl WorkloadRt {
    /// Tasks asked for so far (started, failed or given up on).
    pub(super) fn requested(&self) -> u32 {
        self.requested
    }
}

impl Workloads {
    pub(super) fn iter(&self) -> std::slice::Iter<'_, WorkloadRt> {
        self.list.iter()
    }
}

/// One RunTask call's tasks: each task's provider in order, the tasks per strategy item, and the workload's
/// counts per item after the call.
#[derive(Clone)]
pub(super) struct Call {
    tasks: Vec<Provider>,
    per_item: Vec<u32>,
    counts: Vec<u32>,
}

impl Call {
    /// How many of the call's tasks go to `provider`.
    pub(super) fn need(&self, provider: Provider) -> u64 {
        self.tasks.iter().filter(|&&p| p == provider).count() as u64
    }

    /// Whether the call starts Fargate tasks, On-Demand or Spot: it then takes a Fargate RunTask call token.
    pub(super) fn fargate(&self) -> bool {
        self.tasks.iter().any(|p| p.is_fargate())
    }

    /// The providers the call starts tasks on, each once.
    fn providers(&self) -> Vec<Provider> {
        let mut providers: Vec<Provider> = Vec::new();
        for &p in &self.tasks {
            if !providers.contains(&p) {
                providers.push(p);
            }
        }
        providers
    }
}

/// Splits up to `in_call` tasks over the strategy's items, one by one from the workload's `counts`, at most
/// `room[i]` to item `i`.
fn plan_call(strategy: &Strategy, counts: &[u32], in_call: u32, room: &[u64]) -> Call {
    let mut call = Call { tasks: Vec::new(), per_item: vec![0; counts.len()], counts: counts.to_vec() };
    for _ in 0..in_call {
        let open: Vec<bool> = call.per_item.iter().zip(room).map(|(&n, &room)| u64::from(n) < room).collect();
        let Some(item) = next_open_item(strategy, &call.counts, &open) else { break };
        call.counts[item] += 1;
        call.per_item[item] += 1;
        call.tasks.push(strategy.items[item].provider);
    }
    call
}

/// The wait before EventBridge Scheduler's retry number `retries + 1`: exponential, from an unpublished base and
/// ceiling (`defaults::SCHEDULER_RETRY_BASE_MS`, `SCHEDULER_RETRY_CAP_MS`, assumptions).
pub(super) fn scheduler_backoff_ms(retries: u32) -> u64 {
    let base = crate::defaults::SCHEDULER_RETRY_BASE_MS;
    let cap = crate::defaults::SCHEDULER_RETRY_CAP_MS;
    base.checked_shl(retries.min(32)).unwrap_or(cap).min(cap)
}

fn workload_name(sim: &Simulation, w: WorkloadId) -> String {
    sim.scenario.run_tasks[w.index()].name.clone()
}

impl Simulation {
    pub(super) fn start_workloads(&mut self) {
        for index in 0..self.scenario.run_tasks.len() {
            let items = self.scenario.run_tasks[index].strategy.items.len();
            self.workloads.list.push(WorkloadRt { counts: vec![0; items], ..WorkloadRt::default() });
            let mut at = self.scenario.run_tasks[index].at;
            if let Some(call) = self.scenario.run_tasks[index].scheduled.filter(|c| c.window_ms > 0) {
                // *Configuring flexible time windows*: "if you configure a 15 minute flexible time window for a
                // schedule that runs every hour, it invokes the target within 15 minutes after the scheduled time".
                // Where in the window is not published: assumption, uniform over the window, drawn when the run starts.
                at = at.plus_ms(self.rng.below(call.window_ms + 1));
            }
            self.schedule(at, Event::RunTaskCall { workload: WorkloadId::from_index(index) });
        }
    }

    #[inline(never)]
    pub(super) fn run_task_calls(&mut self, w: WorkloadId) {
        let now = self.now;
        self.workloads.list[w.index()].invoked = true;
        loop {
            let workload = &self.scenario.run_tasks[w.index()];
            let rt = &self.workloads.list[w.index()];
            let remaining = workload.count - rt.requested;
            if remaining == 0 {
                break;
            }
            let in_call = remaining.min(workload.tasks_per_call);
            // The call as the strategy splits it over the providers that have tokens: a Fargate provider takes at
            // most as many of the call's tasks as its launch bucket holds, none while the Fargate RunTask call
            // bucket is empty, so an empty On-Demand bucket does not hold back the Spot or EC2 part of the strategy
            // (`docs/model.md` §2). A call left with no task is throttled whole.
            let room: Vec<u64> =
                workload.strategy.items.iter().map(|i| self.buckets.launch_room(now, i.provider)).collect();
            let call = plan_call(&workload.strategy, &rt.counts, in_call, &room);
            let buckets = &mut self.buckets;
            if !call.tasks.is_empty() && buckets.run_task_api.available(now) >= 1 {
                buckets.run_task_api.try_take(now, 1);
                if call.fargate() {
                    buckets.fargate_run_task_calls.try_take(now, 1);
                }
                buckets.fargate_on_demand.try_take(now, call.need(Provider::Fargate));
                buckets.fargate_spot.try_take(now, call.need(Provider::FargateSpot));
                let (task_def, public_ip) = (workload.task_def, workload.assign_public_ip);
                let placement = workload.placement.clone();
                let owner = Owner::Standalone { workload: w };
                let launched = crate::narrow::u32_of(call.tasks.len());
                for &provider in &call.tasks {
                    let instance = match provider {
                        Provider::Asg(p) => match self.place_new(ProviderId::of_asg(p), task_def, &placement, owner) {
                            Ok(instance) => instance,
                            Err(_) => {
                                // RunTask reports the task as a failure (e.g. RESOURCE:MEMORY): nothing launches.
                                self.workloads.list[w.index()].failed += 1;
                                continue;
                            }
                        },
                        _ => {
                            if let Some(quota) = self.fargate_quota_refuses(provider, task_def) {
                                // RunTask lists the task under `failures` ("You've reached the limit on the number
                                // of vCPUs you can run concurrently"): nothing launches, as for a task no instance
                                // can take.
                                let usage = self.fargate_usage(provider);
                                self.quota_refused(quota, format!("RunTask {}", workload_name(self, w)), 1, usage);
                                self.workloads.list[w.index()].failed += 1;
                                continue;
                            }
                            None
                        }
                    };
                    self.launch_task(owner, task_def, provider, public_ip && provider.is_fargate(), instance);
                }
                let rt = &mut self.workloads.list[w.index()];
                rt.counts = call.counts;
                rt.requested += launched;
                continue;
            }

            self.workloads.list[w.index()].throttled_calls += 1;
            let name = workload.name.clone();
            if let Some(call) = workload.scheduled {
                self.scheduler_retry(w, call, remaining, name);
                break;
            }
            match workload.on_throttle {
                OnThrottle::Retry => {
                    // Back when the RunTask API has a token and the first of the providers has the tokens for its part
                    // of the call as the strategy would split it with every provider open.
                    let everywhere = vec![u64::MAX; workload.strategy.items.len()];
                    let full =
                        plan_call(&workload.strategy, &self.workloads.list[w.index()].counts, in_call, &everywhere);
                    let buckets = &mut self.buckets;
                    let api = buckets.run_task_api.time_until(now, 1);
                    let providers = full.providers().into_iter().map(|p| buckets.time_until_launch(now, &full, p));
                    let retry_at = match (api, providers.flatten().min()) {
                        (Some(api), Some(provider)) => Some(api.max(provider)),
                        _ => None,
                    };
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

    /// EventBridge Scheduler's answer to a throttled RunTask call (*RetryPolicy*): "Retry attempts with exponential
    /// backoff continue until either the maximum number of attempts is made or until the duration of the
    /// MaximumEventAgeInSeconds is reached." The event's age counts from the scheduled time. A firing that gives up is
    /// dropped (no dead-letter queue is modelled): its tasks count as throttled.
    fn scheduler_retry(&mut self, w: WorkloadId, call: crate::scenario::ScheduledCall, remaining: u32, name: String) {
        let now = self.now;
        let born = self.scenario.run_tasks[w.index()].at;
        let rt = &mut self.workloads.list[w.index()];
        let backoff = scheduler_backoff_ms(rt.retries);
        let age_at_retry = now.as_millis().saturating_sub(born.as_millis()).saturating_add(backoff);
        if rt.retries >= call.max_retry_attempts || age_at_retry > call.max_event_age_ms {
            rt.dropped = true;
            rt.throttled += remaining;
            rt.requested += remaining;
            self.record(TraceWhat::Throttled { workload: name, retry_at: None });
            return;
        }
        rt.retries += 1;
        let at = now.plus_ms(backoff);
        self.record(TraceWhat::Throttled { workload: name, retry_at: Some(at) });
        self.schedule(at, Event::RunTaskCall { workload: w });
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
    use crate::scenario::Provider;
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
        let retries = queued_calls(&sim);
        assert_eq!(retries, vec![sim.now.plus_ms(1_000)]);
        // The retry makes one more call, and is throttled again.
        sim.step_through(|e| matches!(e, Event::RunTaskCall { .. }));
        let rt = sim.workloads.iter().next().expect("workload");
        assert_eq!((rt.requested, rt.throttled_calls), (30, 2));
    }

    /// `count` tasks of a RunTask workload with `strategy`, 10 per call, and `limits`.
    fn workload(count: u32, strategy: &str, limits: &str) -> Simulation {
        let top = format!(
            r#""limits": {{ {limits} }},
               "run_tasks": [{{ "name": "job", "task_definition": "web", "count": {count},
                               "capacity_provider_strategy": [{strategy}] }}]"#
        );
        testing::checked(testing::without_service("", &top))
    }

    fn on(sim: &Simulation, provider: Provider) -> usize {
        sim.tasks.all().iter().filter(|t| t.provider == provider).count()
    }

    /// The Fargate RunTask call bucket is taken by calls that start Fargate Spot tasks too: with 2 calls in it,
    /// the first event makes 2 calls (20 tasks) although the Spot launch bucket holds 100.
    #[test]
    fn spot_calls_take_fargate_run_task_call_tokens() {
        let spot = r#"{ "capacity_provider": "FARGATE_SPOT", "weight": 1 }"#;
        let mut sim = workload(50, spot, r#""fargate_run_task_calls": { "burst": 2, "refill_per_s": 1 }"#);
        sim.step_through(|e| matches!(e, Event::RunTaskCall { .. }));
        assert_eq!(on(&sim, Provider::FargateSpot), 20);
        let rt = sim.workloads.iter().next().expect("workload");
        assert_eq!(rt.throttled_calls, 1);
    }

    /// No head-of-line blocking: once the On-Demand bucket (10 tokens) is empty, the calls carry the Spot part
    /// of a 50/50 strategy on their own; all 100 tasks start at once.
    #[test]
    fn an_empty_on_demand_bucket_does_not_hold_back_spot_calls() {
        let strategy =
            r#"{ "capacity_provider": "FARGATE", "weight": 1 }, { "capacity_provider": "FARGATE_SPOT", "weight": 1 }"#;
        let mut sim = workload(100, strategy, r#""fargate_on_demand_launch": { "burst": 10, "refill_per_s": 0.1 }"#);
        sim.step_through(|e| matches!(e, Event::RunTaskCall { .. }));
        assert_eq!((on(&sim, Provider::Fargate), on(&sim, Provider::FargateSpot)), (10, 90));
        let rt = sim.workloads.iter().next().expect("workload");
        assert_eq!((rt.requested, rt.throttled_calls), (100, 0));
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

    /// Three schedules firing together at 02:00 (+09:00) with 10 tasks each, a RunTask API bucket of 2 calls
    /// refilling one call every 10 s, and a maximum event age of 60 s.
    fn nightly(max_age: u32, refill_per_s: f64) -> Simulation {
        let one = |name: &str| {
            format!(
                r#"{{ "name": "{name}", "schedule": "cron(0 2 * * ? *)", "time_zone": "+09:00", "task_definition": "web",
                     "task_count": 10, "retry_policy": {{ "maximum_event_age_s": {max_age} }} }}"#
            )
        };
        let top = format!(
            r#""start": "2026-12-03T01:59:00+09:00", "horizon_s": 600,
               "limits": {{ "run_task_api": {{ "burst": 2, "refill_per_s": {refill_per_s} }} }},
               "scheduled_tasks": [{}, {}, {}]"#,
            one("a"),
            one("b"),
            one("c"),
        );
        testing::checked(testing::without_service("", &top))
    }

    /// When the RunTask calls waiting in the queue are due.
    fn queued_calls(sim: &Simulation) -> Vec<SimTime> {
        sim.queued().into_iter().filter(|(_, e)| matches!(e, Event::RunTaskCall { .. })).map(|(at, _)| at).collect()
    }

    #[test]
    fn scheduler_retries_a_throttled_firing_with_exponential_backoff() {
        let mut sim = nightly(3600, 0.1);
        // 02:00 is a minute in; the first two firings take the bucket's two calls, the third is throttled.
        sim.step_through(|e| matches!(e, Event::RunTaskCall { .. }));
        sim.step_through(|e| matches!(e, Event::RunTaskCall { .. }));
        sim.step_through(|e| matches!(e, Event::RunTaskCall { .. }));
        assert_eq!(sim.now, SimTime(60_000));
        let third = sim.workloads.iter().nth(2).expect("third");
        assert_eq!((third.throttled_calls, third.retries), (1, 1));
        let retries = queued_calls(&sim);
        assert_eq!(retries, vec![SimTime(61_000)]);
        // Throttled again at 61 s: the next wait doubles to 2 s.
        sim.step_through(|e| matches!(e, Event::RunTaskCall { .. }));
        let retries = queued_calls(&sim);
        assert_eq!(retries, vec![SimTime(63_000)]);
        assert_eq!(super::scheduler_backoff_ms(10), 60_000);
    }

    #[test]
    fn a_firing_older_than_its_maximum_event_age_is_dropped() {
        let mut sim = nightly(60, 0.1);
        // A call token comes back 10 s after the burst; 1+2+4 s retries reach it (at 67 s) within the 60 s age.
        sim.step_until(SimTime(200_000));
        let third = sim.workloads.iter().nth(2).expect("third");
        assert!(!third.dropped && third.started == 10, "retried into the refill");
        let mut sim = nightly(60, 0.0);
        // With the refill off, the retries run out of age: 1+2+4+8+16+32 s would pass 60 s, so the sixth is dropped.
        sim.step_until(SimTime(200_000));
        let third = sim.workloads.iter().nth(2).expect("third");
        assert!(third.dropped);
        assert_eq!((third.retries, third.throttled), (5, 10));
    }
}
