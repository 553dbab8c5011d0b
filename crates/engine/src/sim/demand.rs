//! The demand part (`docs/model.md` §9): for each service with a demand profile, the fluid traffic over its
//! serving tasks integrated exactly between events, its CloudWatch metric periods, the target tracking alarms and
//! scaling actions of Application Auto Scaling, and overloaded tasks failing their health checks.
//!
//! [`Demand`] owns the state. The load only changes at profile breakpoints, serving-count changes and metric
//! period ends, so each costs a few arithmetic operations whatever the request rate: after every event the kernel
//! calls [`Simulation::demand_after_event`], which integrates a service only when its serving count changed.
//! Scaling goes through the service scheduler (`scale_service`), so on EC2 the new tasks wait in PROVISIONING for
//! managed scaling like any others: the two knobs.

use super::{Event, Simulation};
use crate::demand::{
    evaluate_alarm, integrate_piece, proportional_capacity, AlarmState, Cooldowns, Decision, DrawnProfile, Metric,
    PieceIntegral, TaskLoad,
};
use crate::ids::{ServiceId, TaskId};
use crate::output::{CustomColumn, DemandColumn, DemandSummary, TraceWhat};
use crate::task::Health;
use crate::time::SimTime;

/// Datapoints kept per policy: enough for the longest alarm.
const HISTORY: usize = 32;

/// One service's demand state.
pub(super) struct DemandRt {
    profile: DrawnProfile,
    load: TaskLoad,
    overload_after_ms: Option<u64>,
    /// The CPU level for `over_target_s`: the first CPU policy's target, else 100.
    over_level: f64,
    has_cpu_target: bool,
    /// Integrated up to here, with `serving` tasks since.
    last_ms: u64,
    serving: u32,
    running: u32,
    /// The current metric period's integrals.
    period: PieceIntegral,
    total: PieceIntegral,
    peak_cpu: f64,
    /// Since when the serving tasks have been at 100% CPU, and the time a check is scheduled for.
    saturated_since: Option<u64>,
    check_armed: Option<u64>,
    /// When each task started serving (healthy), for the overload mechanism.
    serving_since: Vec<(TaskId, u64)>,
    overload_failures: u64,
    /// Datapoints waiting for their publication (available at, one value per policy), then visible ones.
    pending: Vec<(u64, Vec<Option<f64>>)>,
    history: Vec<Vec<Option<f64>>>,
    alarms: Vec<(AlarmState, AlarmState)>,
    cooldowns: Cooldowns,
    /// The scalable target's min and max capacity now (scheduled actions change them).
    min: u32,
    max: u32,
    actions: u64,
    actions_since_sample: u32,
    max_desired: u32,
    /// A scale-out alarm is in ALARM.
    alarm_high: bool,
    /// A queue worker (`docs/model.md` §10): no request traffic; its metrics come from the queue.
    worker: bool,
    /// The service has request traffic (a `demand`): not a queue worker, nor a service scaled only on custom
    /// metrics.
    traffic: bool,
    /// Each target tracking policy's customized metric, its noise drawn (`None` for predefined metrics).
    custom: Vec<Option<(DrawnProfile, crate::spec::Statistic)>>,
    /// The share of the profile this service gets: 1, or, in a target group shared with other services, its
    /// serving tasks over all of the group's (the load balancer spreads the traffic evenly over the targets).
    share: f64,
    /// The shared target group (index into `Demand::groups`) this service is in.
    group: Option<usize>,
    /// The share of their full capacity the serving tasks have (below 1 while some run on burstable instances held
    /// to their baseline, `docs/model.md` §4.6): their mean CPU pace.
    capacity_factor: f64,
}

/// Every service's demand state (`None` for services without demand), and the list of those with it.
#[derive(Default)]
pub(super) struct Demand {
    list: Vec<Option<DemandRt>>,
    with_demand: Vec<ServiceId>,
    /// Services whose tasks share a target group (`shares_target_group_with`): the owner of the profile first.
    groups: Vec<Vec<ServiceId>>,
    /// The scaling actions of the service charted in the customized-metric columns, counted up to the last sample.
    custom_actions_sampled: u64,
}

impl Demand {
    pub(super) fn is_used(&self) -> bool {
        !self.with_demand.is_empty()
    }

    /// A service's Application Auto Scaling actions and its highest desired count (for the queue summary).
    pub(super) fn scaling_of(&self, s: ServiceId) -> Option<(u64, u32)> {
        self.list.get(s.index())?.as_ref().map(|rt| (rt.actions, rt.max_desired))
    }

    /// A service has request traffic (not only queue workers): the demand columns and summaries.
    pub(super) fn has_traffic(&self) -> bool {
        self.with_demand.iter().any(|s| self.list[s.index()].as_ref().is_some_and(|rt| rt.traffic))
    }

    /// The serving counts kept here must equal the services' (after the kernel's after-event call).
    pub(super) fn check(&self, serving: impl Fn(ServiceId) -> (u32, u32)) -> Result<(), String> {
        for &s in &self.with_demand {
            let rt = self.list[s.index()].as_ref().expect("listed");
            if (rt.serving, rt.running) != serving(s) {
                let (have, want) = ((rt.serving, rt.running), serving(s));
                return Err(format!("service {s}: demand integrates {have:?} serving/running tasks, {want:?} are"));
            }
            if rt.total.served > rt.total.offered + 1e-6 * rt.total.offered.max(1.0) {
                return Err(format!("service {s}: served more than offered"));
            }
        }
        Ok(())
    }
}

impl DemandRt {
    /// What a task does with its share now: a throttled task serves at most its pace of `requests_per_task`, and
    /// its utilisation is measured against that (the baseline is all the CPU it has).
    /// The offered rate this service gets at `t`: its share of the profile.
    fn rate(&self, t: u64) -> f64 {
        self.profile.rate(t) * self.share
    }

    fn effective_load(&self) -> TaskLoad {
        TaskLoad { rps_at_full_cpu: self.load.rps_at_full_cpu * self.capacity_factor, ..self.load.clone() }
    }

    /// The service-average metric of the period for one policy (`policy`: its index, for a custom metric):
    /// `None` without serving tasks (no data). `queue`: the worker's queue now (visible messages, age of the
    /// oldest in seconds). `now`: the period's end.
    fn datapoint(
        &self,
        metric: Metric,
        policy: usize,
        now: u64,
        period_ms: u64,
        queue: Option<(f64, f64)>,
    ) -> Option<f64> {
        let p = &self.period;
        if metric == Metric::Custom {
            // The metric math form `m1 / m2` (*Create a target tracking scaling policy for Application Auto
            // Scaling using metric math*): the total's statistic over the period over the period's average count
            // of running tasks ("the number of Amazon ECS tasks running in the service").
            let (profile, statistic) = self.custom.get(policy)?.as_ref()?;
            let total = profile.statistic(now.saturating_sub(period_ms), now, *statistic);
            return crate::demand::per_task(total, p.task_s, p.with_tasks_s);
        }
        match (metric, queue) {
            // SQS publishes its metrics whether or not tasks run: what scales a service back from zero.
            (Metric::QueueVisible, Some((visible, _))) => return Some(visible),
            (Metric::QueueAge, Some((_, age))) => return Some(age),
            // AWS's recipe: "take the approximate number of messages available for retrieval from the queue and
            // divide that number by the number of Amazon ECS tasks running in the service" (*Create a target
            // tracking scaling policy for Application Auto Scaling using metric math*). No running task: no data.
            (Metric::BacklogPerTask, Some((visible, _))) => {
                return (self.running > 0).then(|| visible / f64::from(self.running))
            }
            _ => {}
        }
        if p.with_tasks_s <= 0.0 {
            return None;
        }
        match metric {
            Metric::Cpu => Some(p.cpu_percent_s / p.with_tasks_s),
            Metric::Memory => Some(p.memory_percent_s / p.with_tasks_s),
            // ALBRequestCountPerTarget: requests per target per minute.
            Metric::RequestsPerTarget => Some(p.requests_per_target * 60_000.0 / period_ms as f64),
            Metric::QueueVisible | Metric::QueueAge | Metric::BacklogPerTask | Metric::Custom => None,
        }
    }
}

fn add(sum: &mut PieceIntegral, piece: &PieceIntegral) {
    sum.offered += piece.offered;
    sum.served += piece.served;
    sum.cpu_percent_s += piece.cpu_percent_s;
    sum.memory_percent_s += piece.memory_percent_s;
    sum.requests_per_target += piece.requests_per_target;
    sum.with_tasks_s += piece.with_tasks_s;
    sum.task_s += piece.task_s;
    sum.over_s += piece.over_s;
    sum.saturated_s += piece.saturated_s;
}

/// The metric's name in the trace: the predefined type, or the custom metric's own name.
fn metric_name(metric: Metric, custom: Option<&str>) -> String {
    match (metric, custom) {
        (Metric::Custom, Some(name)) => name.to_string(),
        _ => predefined_name(metric).to_string(),
    }
}

fn predefined_name(metric: Metric) -> &'static str {
    match metric {
        Metric::Cpu => "ECSServiceAverageCPUUtilization",
        Metric::Memory => "ECSServiceAverageMemoryUtilization",
        Metric::RequestsPerTarget => "ALBRequestCountPerTarget",
        Metric::QueueVisible => "ApproximateNumberOfMessagesVisible",
        Metric::QueueAge => "ApproximateAgeOfOldestMessage",
        Metric::BacklogPerTask => "SQSBacklogPerTask",
        Metric::Custom => "CustomizedMetric",
    }
}

impl Simulation {
    /// Sets up each service's demand: draws its noise (services in order, before anything else is drawn for
    /// them; scenarios without demand draw nothing) and schedules its first metric period end.
    pub(super) fn start_demand(&mut self) {
        let horizon = self.scenario.horizon.as_millis();
        for index in 0..self.scenario.services.len() {
            let service = &self.scenario.services[index];
            let worker = service.worker.is_some();
            let custom_only =
                service.autoscaling.as_ref().is_some_and(|a| a.policies.iter().any(|p| p.custom.is_some()));
            // A worker, or a service scaled only on custom metrics, has no request traffic: an empty profile and a
            // nominal load (its metrics are the queue's or the custom metrics').
            let demand = match (&service.demand, worker || custom_only) {
                (Some(demand), _) => demand.clone(),
                (None, true) => crate::demand::ServiceDemand {
                    profile: crate::demand::Profile::default(),
                    shares_with: None,
                    load: TaskLoad {
                        rps_at_full_cpu: 1.0,
                        idle_cpu_percent: 0.0,
                        idle_memory_percent: 0.0,
                        memory_percent_per_rps: 0.0,
                    },
                    overload_after_ms: None,
                },
                (None, false) => {
                    self.demand.list.push(None);
                    continue;
                }
            };
            let autoscaling = service.autoscaling.clone();
            let rng = &mut self.rng;
            let profile = demand.profile.draw(horizon, || rng.unit());
            // Each custom metric's noise, after the demand's (scenarios without custom metrics draw nothing more).
            let custom = autoscaling
                .iter()
                .flat_map(|a| a.policies.iter())
                .map(|p| p.custom.as_ref().map(|c| (c.profile.draw(horizon, || rng.unit()), c.statistic)))
                .collect();
            let cpu_target = autoscaling
                .as_ref()
                .and_then(|a| a.policies.iter().find(|p| p.metric == Metric::Cpu))
                .map(|p| p.target);
            let policies = autoscaling.as_ref().map_or(0, |a| a.policies.len() + a.steps.len());
            let rt = DemandRt {
                profile,
                load: demand.load,
                overload_after_ms: demand.overload_after_ms,
                over_level: cpu_target.unwrap_or(100.0),
                has_cpu_target: cpu_target.is_some(),
                last_ms: 0,
                serving: 0,
                running: 0,
                period: PieceIntegral::default(),
                total: PieceIntegral::default(),
                peak_cpu: 0.0,
                saturated_since: None,
                check_armed: None,
                serving_since: Vec::new(),
                overload_failures: 0,
                pending: Vec::new(),
                history: vec![Vec::new(); policies],
                alarms: vec![(AlarmState::InsufficientData, AlarmState::InsufficientData); policies],
                cooldowns: Cooldowns::default(),
                min: autoscaling.as_ref().map_or(0, |a| a.min),
                max: autoscaling.as_ref().map_or(u32::MAX, |a| a.max),
                actions: 0,
                actions_since_sample: 0,
                max_desired: service.desired,
                alarm_high: false,
                worker,
                traffic: service.demand.is_some(),
                custom,
                share: 1.0,
                group: None,
                capacity_factor: 1.0,
            };
            self.demand.list.push(Some(rt));
            let s = ServiceId::from_index(index);
            self.demand.with_demand.push(s);
            self.services.track_counts();
            let period = self.demand_period_ms(s);
            self.schedule(SimTime(period), Event::MetricPeriod { service: s });
            for (i, action) in autoscaling.iter().flat_map(|a| a.scheduled.iter()).enumerate() {
                if action.at_ms <= horizon {
                    self.schedule(
                        SimTime(action.at_ms),
                        Event::ScheduledScaling { service: s, index: crate::narrow::u32_of(i) },
                    );
                }
            }
        }
        // Services sharing a target group take the owner's profile (its noise drawn once, above).
        for index in 0..self.scenario.services.len() {
            let Some(owner) = self.scenario.services[index].demand.as_ref().and_then(|d| d.shares_with) else {
                continue;
            };
            let (owner, member) = (ServiceId::from_index(owner), ServiceId::from_index(index));
            let g = match self.demand.groups.iter().position(|g| g[0] == owner) {
                Some(g) => g,
                None => {
                    self.demand.groups.push(vec![owner]);
                    self.demand.groups.len() - 1
                }
            };
            self.demand.groups[g].push(member);
            let profile = self.demand.list[owner.index()].as_ref().expect("the owner has demand").profile.clone();
            self.demand.list[owner.index()].as_mut().expect("listed").group = Some(g);
            let rt = self.demand.list[member.index()].as_mut().expect("listed");
            rt.profile = profile;
            rt.group = Some(g);
            // No serving task anywhere yet: the owner holds (and drops) the whole traffic.
            rt.share = 0.0;
        }
    }

    /// A shared target group's serving counts moved: each service's share is its serving tasks over the group's
    /// (the load balancer spreads requests evenly over healthy targets); with none serving, the owner holds the
    /// traffic (all of it dropped). The members must be integrated to now first.
    fn reshare(&mut self, g: usize) {
        let members = self.demand.groups[g].clone();
        let total: u32 = members.iter().map(|m| self.demand.list[m.index()].as_ref().expect("listed").serving).sum();
        for (k, &m) in members.iter().enumerate() {
            let rt = self.demand.list[m.index()].as_mut().expect("listed");
            let share = if total == 0 {
                if k == 0 {
                    1.0
                } else {
                    0.0
                }
            } else {
                f64::from(rt.serving) / f64::from(total)
            };
            if share != rt.share {
                rt.share = share;
                self.recheck_saturation(m);
            }
        }
    }

    /// Whether the service's serving tasks are at 100% CPU now (with its current share and capacity), and the
    /// overload check for it.
    fn recheck_saturation(&mut self, s: ServiceId) {
        let now = self.now.as_millis();
        let rt = self.demand.list[s.index()].as_mut().expect("listed");
        let cap = f64::from(rt.serving) * rt.effective_load().rps_at_full_cpu;
        let saturated = rt.serving > 0 && rt.rate(now) >= cap;
        rt.saturated_since = match (saturated, rt.saturated_since) {
            (false, _) => None,
            (true, since) => Some(since.unwrap_or(now)),
        };
        self.arm_overload_check(s);
    }

    fn demand_period_ms(&self, s: ServiceId) -> u64 {
        self.scenario.services[s.index()]
            .autoscaling
            .as_ref()
            .map_or(crate::time::secs_to_ms(crate::defaults::METRIC_PERIOD_S), |a| a.period_ms)
    }

    /// Integrates the service's load from where it was to now, with the serving count it had since.
    fn integrate_demand(&mut self, s: ServiceId) {
        let now = self.now.as_millis();
        let rt = self.demand.list[s.index()].as_mut().expect("a service with demand");
        if now <= rt.last_ms {
            return;
        }
        let load = rt.effective_load();
        let cap = f64::from(rt.serving) * load.rps_at_full_cpu;
        let share = rt.share;
        for (a, b, r0, r1) in rt.profile.pieces(rt.last_ms, now) {
            let (r0, r1) = (r0 * share, r1 * share);
            let seconds = (b - a) as f64 / 1000.0;
            let piece = integrate_piece(r0, r1, seconds, rt.serving, rt.running, &load, rt.over_level);
            add(&mut rt.period, &piece);
            add(&mut rt.total, &piece);
            rt.peak_cpu = rt.peak_cpu.max(piece.peak_cpu_percent);
            // Saturation: at 100% CPU from where the rate reached what the tasks can serve.
            rt.saturated_since = if rt.serving == 0 || r1 < cap {
                None
            } else if r0 >= cap {
                Some(rt.saturated_since.unwrap_or(a))
            } else {
                Some(b - crate::narrow::trunc_u64(piece.saturated_s * 1000.0).min(b - a))
            };
        }
        rt.last_ms = now;
    }

    /// After every event: a service whose serving count changed has its load integrated up to now with the old
    /// count (constant since the last event), then goes on with the new one. Only the services whose counts moved
    /// in the event are visited (the services part lists them), not every service with demand.
    pub(super) fn demand_after_event(&mut self) {
        let mut fed: Vec<ServiceId> = Vec::new();
        for s in self.services.take_counts_moved() {
            if self.demand.list.get(s.index()).is_none_or(Option::is_none) {
                continue;
            }
            let (serving, running) = (self.services.serving(s), self.services.running(s));
            let rt = self.demand.list[s.index()].as_ref().expect("listed");
            if rt.serving == serving && rt.running == running {
                continue;
            }
            // In a shared target group every member's share moves with this one's count: all are integrated to
            // now with the old shares first.
            let group = rt.group;
            match group {
                Some(g) => {
                    for m in self.demand.groups[g].clone() {
                        self.integrate_demand(m);
                    }
                }
                None => self.integrate_demand(s),
            }
            let rt = self.demand.list[s.index()].as_mut().expect("listed");
            rt.running = running;
            let serving_moved = rt.serving != serving;
            rt.serving = serving;
            if let (Some(g), true) = (group, serving_moved) {
                self.reshare(g);
            }
            let rt = self.demand.list[s.index()].as_ref().expect("listed");
            if rt.traffic && self.credits.is_used() {
                self.demand_feed_credits(s);
                fed.push(s);
            }
            if !serving_moved {
                continue;
            }
            let rt = self.demand.list[s.index()].as_ref().expect("listed");
            if rt.worker {
                self.queue_workers_changed(s, serving);
                continue;
            }
            if !rt.traffic {
                continue;
            }
            self.recheck_saturation(s);
        }
        if !fed.is_empty() {
            self.demand_capacity_changed(fed);
        }
    }

    /// CPU credits from the load (`docs/model.md` §4.6): each RUNNING task of the service uses the CPU its share
    /// asks for, unthrottled — a serving task `cpu_percent(rate / serving)` of its reservation, one running but not
    /// serving yet its idle CPU — held until the next change of the serving count or the next metric period end
    /// (sample and hold: the rate now, at most one period old).
    fn demand_feed_credits(&mut self, s: ServiceId) {
        let now = self.now.as_millis();
        let rt = self.demand.list[s.index()].as_ref().expect("listed");
        let rate = rt.rate(now);
        let busy = if rt.serving > 0 { rt.load.cpu_percent(rate / f64::from(rt.serving)) } else { 0.0 };
        let idle = rt.load.idle_cpu_percent;
        let Some(service) = self.services.iter().nth(s.index()) else { return };
        let uses: Vec<(TaskId, f64)> = service
            .active
            .iter()
            .filter(|&&t| self.tasks[t].running_at.is_some())
            .map(|&t| (t, if self.tasks[t].health == Health::Healthy { busy } else { idle }))
            .collect();
        for (task, percent) in uses {
            self.credits_set_task_use(task, percent);
        }
    }

    /// Burstable instances may have started or stopped being held to their baseline: each service with traffic
    /// and tasks on them (and each of `also`, whose tasks moved) gets the mean CPU pace of its serving tasks as its
    /// capacity factor; a service whose factor moved has its load integrated to now with the old one first. Only
    /// the services on the instances that changed are visited, not every service.
    pub(super) fn demand_capacity_changed(&mut self, also: Vec<ServiceId>) {
        let now = self.now.as_millis();
        let mut services = self.credits_take_touched_services();
        services.extend(also);
        services.sort_unstable();
        services.dedup();
        for s in services {
            let Some(Some(rt)) = self.demand.list.get(s.index()) else { continue };
            if !rt.traffic {
                continue;
            }
            let Some(service) = self.services.iter().nth(s.index()) else { continue };
            let serving: Vec<TaskId> =
                service.active.iter().copied().filter(|&t| self.tasks[t].health == Health::Healthy).collect();
            if serving.is_empty() {
                continue;
            }
            let paces: f64 = serving.iter().map(|&t| self.credits_pace_of(t)).sum();
            let factor = paces / serving.len() as f64;
            let rt = self.demand.list[s.index()].as_ref().expect("listed");
            if factor == rt.capacity_factor {
                continue;
            }
            self.integrate_demand(s);
            let rt = self.demand.list[s.index()].as_mut().expect("listed");
            rt.capacity_factor = factor;
            let cap = f64::from(rt.serving) * rt.effective_load().rps_at_full_cpu;
            let saturated = rt.serving > 0 && rt.rate(now) >= cap;
            rt.saturated_since = match (saturated, rt.saturated_since) {
                (false, _) => None,
                (true, since) => Some(since.unwrap_or(now)),
            };
            self.arm_overload_check(s);
        }
    }

    /// A task of a service started serving: remembered for the overload mechanism.
    pub(super) fn demand_task_serving(&mut self, s: ServiceId, task: TaskId) {
        let now = self.now.as_millis();
        if let Some(Some(rt)) = self.demand.list.get_mut(s.index()) {
            if rt.overload_after_ms.is_some() {
                rt.serving_since.push((task, now));
            }
        }
    }

    /// Schedules the next overload check: when the earliest serving task has been at 100% CPU for the health
    /// checks' unhealthy time.
    fn arm_overload_check(&mut self, s: ServiceId) {
        let rt = self.demand.list[s.index()].as_ref().expect("listed");
        let (Some(after), Some(since)) = (rt.overload_after_ms, rt.saturated_since) else { return };
        let Some(first) = rt.serving_since.iter().map(|&(_, t)| t.max(since)).min() else { return };
        let at = first + after;
        if rt.check_armed.is_some_and(|armed| armed <= at && armed >= self.now.as_millis()) {
            return;
        }
        self.demand.list[s.index()].as_mut().expect("listed").check_armed = Some(at);
        self.schedule(SimTime(at), Event::OverloadCheck { service: s });
    }

    /// Tasks at 100% CPU for the unhealthy time fail their health checks and are replaced; their load moves to the
    /// others (`docs/model.md` §9).
    #[inline(never)]
    pub(super) fn overload_check(&mut self, s: ServiceId) {
        self.integrate_demand(s);
        let now = self.now.as_millis();
        let rt = self.demand.list[s.index()].as_mut().expect("listed");
        rt.check_armed = None;
        let (Some(after), Some(since)) = (rt.overload_after_ms, rt.saturated_since) else { return };
        let tasks = &self.tasks;
        rt.serving_since.retain(|&(t, _)| !tasks[t].stopping && tasks[t].health == Health::Healthy);
        let failing: Vec<TaskId> =
            rt.serving_since.iter().filter(|&&(_, t)| t.max(since) + after <= now).map(|&(t, _)| t).collect();
        if failing.is_empty() {
            self.arm_overload_check(s);
            return;
        }
        rt.serving_since.retain(|(t, _)| !failing.contains(t));
        rt.overload_failures += failing.len() as u64;
        let service = self.scenario.services[s.index()].name.clone();
        self.record(TraceWhat::Overloaded { service, tasks: crate::narrow::u32_of(failing.len()) });
        for task in failing {
            self.task_failed_health_checks(task);
        }
    }

    /// The end of a metric period: its datapoint, the datapoints now published, the alarms and the policy.
    #[inline(never)]
    pub(super) fn metric_period(&mut self, s: ServiceId) {
        self.integrate_demand(s);
        let now = self.now.as_millis();
        let period = self.demand_period_ms(s);
        let autoscaling = self.scenario.services[s.index()].autoscaling.clone();
        let queue = self.queue_reading(s);
        let rt = self.demand.list[s.index()].as_mut().expect("listed");
        if let Some(a) = &autoscaling {
            let metrics = a.policies.iter().map(|p| p.metric).chain(a.steps.iter().map(|p| p.metric));
            let values = metrics.enumerate().map(|(i, m)| rt.datapoint(m, i, now, period, queue)).collect();
            rt.pending.push((now + a.delay_ms, values));
            while rt.pending.first().is_some_and(|&(at, _)| at <= now) {
                let (_, values) = rt.pending.remove(0);
                for (history, value) in rt.history.iter_mut().zip(values) {
                    history.push(value);
                    if history.len() > HISTORY {
                        history.remove(0);
                    }
                }
            }
        }
        rt.period = PieceIntegral::default();
        // A ramp may have crossed what the tasks can serve since the last event.
        let cap = f64::from(rt.serving) * rt.effective_load().rps_at_full_cpu;
        if rt.serving > 0 && rt.rate(now) >= cap && rt.saturated_since.is_none() {
            rt.saturated_since = Some(now);
        }
        if now + period <= self.scenario.horizon.as_millis() {
            self.schedule(SimTime(now + period), Event::MetricPeriod { service: s });
        }
        self.arm_overload_check(s);
        let traffic = self.demand.list[s.index()].as_ref().is_some_and(|rt| rt.traffic);
        if traffic && self.credits.is_used() {
            self.demand_feed_credits(s);
            self.demand_capacity_changed(vec![s]);
        }
        if let Some(a) = autoscaling {
            self.evaluate_policies(s, &a);
        }
    }

    /// Target tracking (*Target tracking scaling policies for Application Auto Scaling*): each policy's AlarmHigh
    /// and AlarmLow, then "Application Auto Scaling gives precedence to the policy that provides the largest
    /// capacity for both scale out and scale in" (*PutScalingPolicy*): scale out when any policy's AlarmHigh is in
    /// ALARM, scale in only when every policy's AlarmLow is (a policy with scale-in disabled has none).
    fn evaluate_policies(&mut self, s: ServiceId, a: &crate::demand::Autoscaling) {
        let now = self.now.as_millis();
        let desired = self.services.iter().nth(s.index()).map_or(0, |rt| rt.desired);
        let name = self.scenario.services[s.index()].name.clone();
        let rt = self.demand.list[s.index()].as_mut().expect("listed");
        let base = rt.cooldowns.metric_base(now, desired);
        let mut out: Option<(u32, u64, String, f64)> = None;
        let mut scale_in: Option<(u32, u64, String, f64)> = None;
        let mut all_in = !a.policies.is_empty();
        let mut changes = Vec::new();
        for (i, p) in a.policies.iter().enumerate() {
            let history = &rt.history[i];
            let high = evaluate_alarm(history, a.out_datapoints, a.out_datapoints, |v| v > p.target);
            let low = if p.disable_scale_in {
                AlarmState::InsufficientData
            } else {
                evaluate_alarm(history, a.in_datapoints, a.in_datapoints, |v| v < p.target)
            };
            let latest = history.last().copied().flatten().unwrap_or(0.0);
            let (old_high, old_low) = rt.alarms[i];
            let named = metric_name(p.metric, p.custom.as_ref().map(|c| c.name.as_str()));
            if high != old_high {
                changes.push(("AlarmHigh", named.clone(), high, latest));
            }
            if low != old_low && !p.disable_scale_in {
                changes.push(("AlarmLow", named.clone(), low, latest));
            }
            rt.alarms[i] = (high, low);
            if high == AlarmState::Alarm {
                let wanted = proportional_capacity(base, latest, p.target, rt.min, rt.max);
                if out.as_ref().is_none_or(|(w, ..)| wanted > *w) {
                    out = Some((wanted, p.scale_out_cooldown_ms, named.clone(), latest));
                }
            }
            if low == AlarmState::Alarm {
                let wanted = proportional_capacity(desired, latest, p.target, rt.min, rt.max);
                if scale_in.as_ref().is_none_or(|(w, ..)| wanted > *w) {
                    scale_in = Some((wanted, p.scale_in_cooldown_ms, named, latest));
                }
            } else {
                all_in = false;
            }
        }
        if !all_in {
            scale_in = None;
        }
        // Step scaling: each policy's own alarm ("M out of N"); while it is in ALARM its step applies. During a
        // scale-out cooldown the capacity from before the initiating scale-out is the base ("the previous increase
        // ... is considered part of the current capacity"). A step scale-in is not held back by target tracking.
        for (j, p) in a.steps.iter().enumerate() {
            let i = a.policies.len() + j;
            let history = &rt.history[i];
            let state = evaluate_alarm(history, p.datapoints_to_alarm, p.evaluation_periods, |v| p.breaching(v));
            let latest = history.last().copied().flatten().unwrap_or(0.0);
            if state != rt.alarms[i].0 {
                changes.push(("StepAlarm", metric_name(p.metric, None), state, latest));
            }
            rt.alarms[i] = (state, AlarmState::InsufficientData);
            if state != AlarmState::Alarm {
                continue;
            }
            let Some(up) = p.capacity(base, latest, rt.min, rt.max) else { continue };
            if up > desired {
                if out.as_ref().is_none_or(|(w, ..)| up > *w) {
                    out = Some((up, p.cooldown_ms, metric_name(p.metric, None), latest));
                }
            } else if let Some(down) = p.capacity(desired, latest, rt.min, rt.max).filter(|&w| w < desired) {
                if scale_in.as_ref().is_none_or(|(w, ..)| down > *w) {
                    scale_in = Some((down, p.cooldown_ms, metric_name(p.metric, None), latest));
                }
            }
        }
        rt.alarm_high = out.is_some();
        let decision = match (out, scale_in) {
            (Some((wanted, cooldown, metric, value)), _) => {
                (rt.cooldowns.scale_out(now, desired, wanted, cooldown), metric, value)
            }
            (None, Some((wanted, cooldown, metric, value))) => {
                (rt.cooldowns.scale_in(now, desired, wanted, cooldown), metric, value)
            }
            _ => (Decision::None, String::new(), 0.0),
        };
        for (alarm, metric, state, value) in changes {
            let what = TraceWhat::Alarm { service: name.clone(), alarm, metric, state: state.name(), value };
            self.record(what);
        }
        if let (Decision::SetDesired(to), metric, value) = decision {
            let rt = self.demand.list[s.index()].as_mut().expect("listed");
            rt.actions += 1;
            rt.actions_since_sample += 1;
            rt.max_desired = rt.max_desired.max(to);
            let what = TraceWhat::ScalingAction { service: name, from: desired, to, metric, value };
            self.record(what);
            self.scale_service(s, to);
        }
    }

    /// A scheduled action: the new min / max, and the desired count moved into the range if it is outside.
    #[inline(never)]
    pub(super) fn scheduled_scaling(&mut self, s: ServiceId, index: usize) {
        let Some(action) =
            self.scenario.services[s.index()].autoscaling.as_ref().and_then(|a| a.scheduled.get(index)).copied()
        else {
            return;
        };
        let desired = self.services.iter().nth(s.index()).map_or(0, |rt| rt.desired);
        let rt = self.demand.list[s.index()].as_mut().expect("listed");
        rt.min = action.min.unwrap_or(rt.min);
        rt.max = action.max.unwrap_or(rt.max).max(rt.min);
        let to = crate::demand::within_range(desired, rt.min, rt.max);
        if to != desired {
            rt.actions += 1;
            rt.actions_since_sample += 1;
            rt.max_desired = rt.max_desired.max(to);
            let service = self.scenario.services[s.index()].name.clone();
            let what = TraceWhat::ScalingAction {
                service,
                from: desired,
                to,
                metric: "scheduled action".to_string(),
                value: f64::from(rt.min),
            };
            self.record(what);
            self.scale_service(s, to);
        }
    }

    /// The demand columns' values at `at` (a sample time; state is constant since the last event).
    pub(super) fn demand_sample(&mut self, at: SimTime) -> [f64; DemandColumn::ALL.len()] {
        let (mut offered, mut served, mut utilization, mut target, mut actions) = (0.0, 0.0, 0.0_f64, 0.0, 0.0);
        let mut alarms = 0.0;
        for &s in &self.demand.with_demand {
            let rt = self.demand.list[s.index()].as_mut().expect("listed");
            if !rt.traffic {
                continue;
            }
            let rate = rt.rate(at.as_millis());
            let rps = rt.effective_load().rps_at_full_cpu;
            let cap = f64::from(rt.serving) * rps;
            offered += rate;
            served += rate.min(cap);
            // The service average ECS publishes: the serving tasks' load over every RUNNING task.
            let running = rt.running.max(rt.serving);
            if running > 0 {
                let busy = rate.min(cap) / (f64::from(running) * rps);
                utilization = utilization.max(rt.load.idle_cpu_percent + (100.0 - rt.load.idle_cpu_percent) * busy);
            }
            if target == 0.0 && rt.has_cpu_target {
                target = rt.over_level;
            }
            actions += f64::from(rt.actions_since_sample);
            alarms += f64::from(u8::from(rt.alarm_high));
            rt.actions_since_sample = 0;
        }
        [offered, served, utilization, target, actions, alarms]
    }

    /// The customized-metric columns' values at `at` for the first service with a target tracking policy on a
    /// customized metric (its first such policy); `None` without one. The per-task value is the total at `at` over
    /// the running tasks: what the policy's `m1 / m2` reads, at an instant, as the CPU column is.
    pub(super) fn custom_sample(&mut self, at: SimTime) -> Option<[f64; CustomColumn::ALL.len()]> {
        let (s, policy) = self.demand.with_demand.iter().find_map(|&s| {
            let rt = self.demand.list[s.index()].as_ref()?;
            Some((s, rt.custom.iter().position(Option::is_some)?))
        })?;
        let target = self.scenario.services[s.index()].autoscaling.as_ref()?.policies.get(policy)?.target;
        let rt = self.demand.list[s.index()].as_ref()?;
        let (profile, _) = rt.custom.get(policy)?.as_ref()?;
        let per_task = if rt.running > 0 { profile.rate(at.as_millis()) / f64::from(rt.running) } else { 0.0 };
        let actions = rt.actions.saturating_sub(self.demand.custom_actions_sampled);
        self.demand.custom_actions_sampled = rt.actions;
        Some([per_task, target, actions as f64, f64::from(u8::from(rt.alarm_high))])
    }

    /// The summary of each service with demand, integrated to now.
    pub(super) fn demand_summaries(&self) -> Vec<DemandSummary> {
        let now = self.now.as_millis();
        self.demand
            .with_demand
            .iter()
            .filter(|&&s| self.demand.list[s.index()].as_ref().is_some_and(|rt| !rt.worker))
            .map(|&s| {
                let rt = self.demand.list[s.index()].as_ref().expect("listed");
                // The stretch since the last integration, with the serving count it had.
                let mut total = rt.total;
                let mut peak = rt.peak_cpu;
                let load = rt.effective_load();
                for (a, b, r0, r1) in rt.profile.pieces(rt.last_ms, now) {
                    let piece = integrate_piece(
                        r0 * rt.share,
                        r1 * rt.share,
                        (b - a) as f64 / 1000.0,
                        rt.serving,
                        rt.running,
                        &load,
                        rt.over_level,
                    );
                    add(&mut total, &piece);
                    peak = peak.max(piece.peak_cpu_percent);
                }
                let unserved = (total.offered - total.served).max(0.0);
                DemandSummary {
                    service: self.scenario.services[s.index()].name.clone(),
                    offered_requests: round(total.offered),
                    served_requests: round(total.served),
                    unserved_requests: round(unserved),
                    unserved_percent: if total.offered > 0.0 { round(100.0 * unserved / total.offered) } else { 0.0 },
                    peak_utilization_percent: round(peak),
                    time_over_target_s: rt.has_cpu_target.then(|| round(total.over_s)),
                    saturated_s: round(total.saturated_s),
                    scaling_actions: rt.actions,
                    max_desired: rt.max_desired,
                    overload_failures: rt.overload_failures,
                }
            })
            .collect()
    }
}

fn round(v: f64) -> f64 {
    libm::round(v * 1000.0) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use crate::ids::ServiceId;
    use crate::output::TraceWhat;
    use crate::task::StopReason;
    use crate::time::SimTime;

    const SATURATED: &str = r#""desired_count": 2,
        "demand": { "profile": [{ "type": "constant", "rps": 300 }], "requests_per_task": 100, "idle_cpu_percent": 0 },
        "autoscaling": { "min_capacity": 2, "max_capacity": 10,
                         "target_tracking": [{ "metric": "ECSServiceAverageCPUUtilization", "target": 50 }] }"#;

    fn desired(sim: &super::Simulation) -> u32 {
        sim.services.iter().next().expect("one service").desired
    }

    #[test]
    fn alarm_high_needs_three_published_datapoints_then_scales_proportionally() {
        let mut sim = testing::checked(testing::fargate("", SATURATED, ""));
        // The tasks serve from about 55 s: the periods ending at 60, 120 and 180 s read 100% CPU (the average over
        // the time with tasks), and each is published 60 s after it ends: the third at 240 s.
        sim.step_until(SimTime(239_999));
        assert_eq!(desired(&sim), 2);
        sim.step_until(SimTime(240_000));
        // ceil(2 x 100 / 50) = 4.
        assert_eq!(desired(&sim), 4);
        let action = sim.trace().iter().find(|e| matches!(e.what, TraceWhat::ScalingAction { .. })).expect("acted");
        assert_eq!(action.time, SimTime(240_000));
        sim.assert_invariants();
    }

    #[test]
    fn the_scale_out_cooldown_lets_only_a_larger_scale_out_through() {
        let mut sim = testing::checked(testing::fargate("", SATURATED, ""));
        sim.step_until(SimTime(240_000));
        assert_eq!(desired(&sim), 4);
        // The metric still reads 100% of the 2 tasks until the new ones serve: ceil(2 x 100 / 50) = 4 again, not
        // larger, so nothing more during the cooldown (300 s).
        sim.step_until(SimTime(480_000));
        assert_eq!(desired(&sim), 4);
        let actions = sim.trace().iter().filter(|e| matches!(e.what, TraceWhat::ScalingAction { .. })).count();
        assert_eq!(actions, 1);
    }

    #[test]
    fn a_scheduled_action_raises_the_minimum_and_the_desired_count_with_it() {
        let mut sim = testing::checked(testing::fargate(
            "",
            r#""desired_count": 2,
               "demand": { "profile": [{ "type": "constant", "rps": 10 }], "requests_per_task": 100 },
               "autoscaling": { "min_capacity": 2, "max_capacity": 10,
                                "target_tracking": [{ "metric": "ECSServiceAverageCPUUtilization", "target": 50 }],
                                "scheduled_actions": [{ "at_s": 120, "min_capacity": 6 }, { "at_s": 240, "max_capacity": 4 }] }"#,
            "",
        ));
        sim.step_until(SimTime(119_999));
        assert_eq!(desired(&sim), 2);
        sim.step_until(SimTime(120_000));
        assert_eq!(desired(&sim), 6);
        // A maximum below the minimum: the maximum is the minimum (6), so nothing moves.
        sim.step_until(SimTime(240_000));
        assert_eq!(desired(&sim), 6);
    }

    /// Recurring scheduled scaling (`PutScheduledAction` with a cron `Schedule`): up to 6 tasks at 08:00 and back to
    /// at most 2 at 08:05 local time, every day; the run starts at 07:58 +09:00.
    #[test]
    fn a_recurring_scheduled_action_fires_at_each_cron_time() {
        let mut sim = testing::checked(testing::fargate(
            "",
            r#""desired_count": 2,
               "demand": { "profile": [{ "type": "constant", "rps": 10 }], "requests_per_task": 100 },
               "autoscaling": { "min_capacity": 2, "max_capacity": 10,
                                "scheduled_actions": [
                                  { "schedule": "cron(0 8 * * ? *)", "time_zone": "+09:00", "min_capacity": 6 },
                                  { "schedule": "cron(5 8 * * ? *)", "time_zone": "+09:00", "min_capacity": 2, "max_capacity": 2 }] }"#,
            r#""start": "2026-12-03T07:58:00+09:00", "horizon_s": 90000"#,
        ));
        let at = |min: u64| SimTime(min * 60_000);
        sim.step_until(SimTime(2 * 60_000 - 1));
        assert_eq!(desired(&sim), 2);
        sim.step_until(at(2));
        assert_eq!(desired(&sim), 6);
        sim.step_until(at(7));
        assert_eq!(desired(&sim), 2);
        // The next day, again.
        sim.step_until(at(24 * 60 + 2));
        assert_eq!(desired(&sim), 6);
    }

    #[test]
    fn a_step_scaling_alarm_adds_its_step_and_waits_for_its_cooldown() {
        let mut sim = testing::checked(testing::fargate(
            "",
            r#""desired_count": 2,
               "demand": { "profile": [{ "type": "constant", "rps": 300 }], "requests_per_task": 100 },
               "autoscaling": { "min_capacity": 2, "max_capacity": 10, "step_scaling": [{
                   "metric": "ECSServiceAverageCPUUtilization", "comparison": "GreaterThanOrEqualToThreshold",
                   "threshold": 70, "evaluation_periods": 2, "adjustment_type": "ChangeInCapacity",
                   "step_adjustments": [{ "lower_bound": 0, "upper_bound": 20, "scaling_adjustment": 1 },
                                        { "lower_bound": 20, "scaling_adjustment": 2 }] }] }"#,
            "",
        ));
        // The periods ending at 60 and 120 s read 100% (30 over the threshold: the second step), published at
        // 120 and 180 s: 2 of 2 breach at 180 s.
        sim.step_until(SimTime(179_999));
        assert_eq!(desired(&sim), 2);
        sim.step_until(SimTime(180_000));
        assert_eq!(desired(&sim), 4);
        // Still in ALARM, but the 2 added count as part of the capacity during the cooldown (300 s).
        sim.step_until(SimTime(420_000));
        assert_eq!(desired(&sim), 4);
    }

    /// Two tasks scaled by target tracking on a customized metric: 1,000 open connections in all, 250 per task.
    fn custom_metric_service() -> super::Simulation {
        testing::checked(testing::fargate(
            "",
            r#""desired_count": 2,
               "autoscaling": { "min_capacity": 1, "max_capacity": 10, "target_tracking": [{
                   "custom_metric": { "name": "OpenConnections", "profile": [{ "type": "constant", "rps": 1000 }] },
                   "target": 250 }] }"#,
            "",
        ))
    }

    /// Target tracking on a customized metric (a total of 1,000 open connections, no request demand): 2 tasks read
    /// 500 per task against a target of 250, so AlarmHigh fires on the third published datapoint (240 s) and asks
    /// ceil(2 x 500 / 250) = 4; once the 4 run, the metric reads 250 and nothing more happens.
    #[test]
    fn a_custom_metric_divided_by_the_running_tasks_scales_the_service() {
        let mut sim = custom_metric_service();
        sim.step_until(SimTime(239_999));
        assert_eq!(desired(&sim), 2);
        sim.step_until(SimTime(240_000));
        assert_eq!(desired(&sim), 4);
        let named = sim
            .trace()
            .iter()
            .any(|e| matches!(&e.what, TraceWhat::ScalingAction { metric, to: 4, .. } if metric == "OpenConnections"));
        assert!(named, "the action names the custom metric");
        sim.step_until(SimTime(1_800_000));
        assert_eq!(desired(&sim), 4, "250 per task: on target");
        sim.assert_invariants();
    }

    /// The customized-metric columns of the same service: the total over the running tasks at each sample (0 before
    /// any runs, 1,000 over 1, 2, then 4), the target, the one scaling action in one sample, and the scale-out alarm in ALARM
    /// only before the new tasks run.
    #[test]
    fn the_custom_metric_columns_chart_the_value_per_task_and_the_action() {
        use crate::output::CustomColumn;
        let mut sim = custom_metric_service();
        sim.step_until(SimTime(1_800_000));
        let series = sim.series();
        let per_task = series.custom_column(CustomColumn::PerTask);
        assert_eq!(per_task.len(), series.len());
        // 0 until the first task runs (no data), 1,000 on the first, 500 on 2, 250 on 4.
        assert_eq!(per_task[0], 0.0);
        assert!(per_task.contains(&1000.0) && per_task.contains(&500.0));
        assert_eq!(per_task.last().copied(), Some(250.0));
        assert!(per_task.iter().all(|&v| v == 0.0 || (250.0..=1000.0).contains(&v)));
        assert!(series.custom_column(CustomColumn::Target).iter().all(|&t| t == 250.0));
        assert_eq!(series.custom_column(CustomColumn::ScalingActions).iter().sum::<f64>(), 1.0);
        let alarm = series.custom_column(CustomColumn::AlarmHigh);
        assert!(alarm.contains(&1.0) && alarm.last() == Some(&0.0));
        // A service without a customized metric has no such columns.
        let mut plain = testing::checked(testing::fargate(
            "",
            r#""desired_count": 2, "demand": { "profile": [{ "type": "constant", "rps": 100 }], "requests_per_task": 100 }"#,
            "",
        ));
        plain.step_until(SimTime(120_000));
        assert!(plain.series().custom.is_empty());
    }

    /// Two services in one target group: the owner's profile spread over both services' serving tasks.
    #[test]
    fn a_shared_target_group_spreads_the_traffic_over_both_services_tasks() {
        let json = r#"{ "version": 1, "name": "shared", "horizon_s": 1800,
            "task_definitions": [{ "name": "web", "cpu": 256, "memory": 512, "image_mb": 50 }],
            "services": [
              { "name": "a", "task_definition": "web", "desired_count": 3, "load_balancer": {},
                "demand": { "profile": [{ "type": "constant", "rps": 400 }], "requests_per_task": 100 } },
              { "name": "b", "task_definition": "web", "desired_count": 1, "load_balancer": {},
                "demand": { "shares_target_group_with": "a", "requests_per_task": 100 } }] }"#;
        let mut sim = testing::checked(crate::scenario::Scenario::from_json(json).expect("valid"));
        sim.step_until(SimTime(600_000));
        let (a, b) = (ServiceId::from_index(0), ServiceId::from_index(1));
        assert_eq!((sim.services.serving(a), sim.services.serving(b)), (3, 1));
        let share = |s: ServiceId| sim.demand.list[s.index()].as_ref().expect("demand").share;
        assert_eq!((share(a), share(b)), (0.75, 0.25));
        let before = sim.demand_summaries();
        sim.step_until(SimTime(1_200_000));
        let after = sim.demand_summaries();
        // 100 requests/s per target: 300 to a's 3 tasks, 100 to b's one, all served.
        let served = |i: usize| after[i].served_requests - before[i].served_requests;
        assert!((served(0) - 300.0 * 600.0).abs() < 1e-6, "{after:?}");
        assert!((served(1) - 100.0 * 600.0).abs() < 1e-6, "{after:?}");
        assert_eq!(after[0].offered_requests + after[1].offered_requests, 400.0 * 1200.0);
        sim.assert_invariants();
    }

    #[test]
    fn a_task_kept_at_full_cpu_fails_its_health_checks() {
        // One task for 200 rps at 100 rps: saturated from when it serves; its health check (every 10 s, 3 retries)
        // fails 30 s later.
        let mut sim = testing::checked(testing::fargate(
            r#""health_check": { "interval_s": 10, "retries": 3 }"#,
            r#""demand": { "profile": [{ "type": "constant", "rps": 200 }], "requests_per_task": 100,
                           "overload_fails_health_checks": true }"#,
            "",
        ));
        sim.step_through(|e| matches!(e, super::Event::Healthy { .. }));
        let healthy_at = sim.now();
        sim.step_through(|e| matches!(e, super::Event::OverloadCheck { .. }));
        assert_eq!(sim.now(), healthy_at.plus_ms(30_000));
        assert_eq!(sim.tasks()[0].stop_reason, Some(StopReason::HealthCheckFailed));
        assert_eq!(sim.services.serving(ServiceId::from_index(0)), 0);
        sim.assert_invariants();
    }
}
