//! Demand (`docs/model.md` §9): a request-rate profile over simulated time, the fluid traffic model that spreads it
//! over a service's serving tasks, and the pure pieces of Application Auto Scaling target tracking (alarm
//! evaluation, capacity computation, cooldowns). Pure: values in, values out; the simulation (`sim/demand.rs`)
//! calls these between events.
//!
//! Every profile is piecewise linear between its breakpoints (steps, ramp points, hour marks of the daily curve,
//! spike edges, noise intervals), so the load between two events can be integrated exactly with a handful of
//! arithmetic operations, whatever the request rate: traffic is a rate, never one event per request.

/// Milliseconds in a day, for the daily curve.
pub const DAY_MS: u64 = 86_400_000;
const HOUR_MS: u64 = 3_600_000;

/// One additive part of a demand profile. Times are milliseconds of simulated time, rates requests per second.
#[derive(Debug, Clone, PartialEq)]
pub enum Component {
    Constant {
        rps: f64,
    },
    /// The rate of the last point at or before `t` (0 before the first).
    Steps {
        points: Vec<(u64, f64)>,
    },
    /// Linear between points; the first point's rate before it, the last one's after it.
    Ramps {
        points: Vec<(u64, f64)>,
    },
    /// 24 hourly rates in the scenario's local time, linear between the hour marks (hour 23 joins hour 0).
    /// `offset_ms`: local time of day at simulated time 0; `shifts`: from each simulated time on, the new one (a
    /// daylight saving change of the scenario's named time zone: the local clock jumps, and so does the curve).
    Daily {
        hourly: [f64; 24],
        offset_ms: u64,
        shifts: Vec<(u64, u64)>,
    },
    /// `rps` added during `[at, at + duration)`.
    Spike {
        at: u64,
        duration: u64,
        rps: f64,
    },
}

impl Component {
    /// The rate just after `t` (`right`) or just before it (`!right`): they differ only at a step.
    fn rate(&self, t: u64, right: bool) -> f64 {
        match self {
            Component::Constant { rps } => *rps,
            Component::Steps { points } => {
                let i = if right { points.partition_point(|p| p.0 <= t) } else { points.partition_point(|p| p.0 < t) };
                if i == 0 {
                    0.0
                } else {
                    points[i - 1].1
                }
            }
            Component::Ramps { points } => interpolate(points, t),
            Component::Daily { hourly, offset_ms, shifts } => {
                let offset_ms = day_offset(*offset_ms, shifts, t, right);
                let local = (t % DAY_MS + offset_ms) % DAY_MS;
                // Just before an hour mark the curve still reads the end of the previous hour: continuous.
                let hour = (local / HOUR_MS) as usize;
                let into = (local % HOUR_MS) as f64 / HOUR_MS as f64;
                let (a, b) = (hourly[hour], hourly[(hour + 1) % 24]);
                a + (b - a) * into
            }
            Component::Spike { at, duration, rps } => {
                let inside = if right { t >= *at && t < at + duration } else { t > *at && t <= at + duration };
                if inside {
                    *rps
                } else {
                    0.0
                }
            }
        }
    }

    /// The first breakpoint strictly after `t`, if any.
    fn next_break(&self, t: u64) -> Option<u64> {
        match self {
            Component::Constant { .. } => None,
            Component::Steps { points } | Component::Ramps { points } => {
                points.get(points.partition_point(|p| p.0 <= t)).map(|p| p.0)
            }
            Component::Daily { offset_ms, shifts, .. } => {
                let local = (t % DAY_MS + day_offset(*offset_ms, shifts, t, true)) % DAY_MS;
                let mark = t + (HOUR_MS - local % HOUR_MS);
                let shift = shifts.iter().map(|&(at, _)| at).find(|&at| at > t);
                Some(shift.map_or(mark, |at| at.min(mark)))
            }
            Component::Spike { at, duration, .. } => [*at, at + duration].into_iter().find(|&edge| edge > t),
        }
    }
}

/// The local time of day at simulated time 0 in force at `t` (just after it, or just before with `!right`).
fn day_offset(first: u64, shifts: &[(u64, u64)], t: u64, right: bool) -> u64 {
    let i = if right { shifts.partition_point(|s| s.0 <= t) } else { shifts.partition_point(|s| s.0 < t) };
    if i == 0 {
        first
    } else {
        shifts[i - 1].1
    }
}

/// The scenario's local clock for the daily curve: the local time of day at simulated time 0 and, in a named time
/// zone with daylight saving time, the simulated times its offset changes with the new time of day at 0.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DayClock {
    pub offset_ms: u64,
    pub shifts: Vec<(u64, u64)>,
}

impl DayClock {
    /// The clock of a run starting at `start_utc` (ms since the epoch) in `zone`, over `horizon_ms`.
    pub fn new(start_utc: i64, zone: crate::zone::Zone, horizon_ms: u64) -> DayClock {
        let day = i64::try_from(DAY_MS).unwrap_or(i64::MAX);
        let at0 = |offset_min: i64| u64::try_from((start_utc + offset_min * 60_000).rem_euclid(day)).unwrap_or(0);
        let until = start_utc.saturating_add(i64::try_from(horizon_ms).unwrap_or(i64::MAX / 2));
        let shifts = crate::zone::changes(zone, start_utc + 1, until)
            .into_iter()
            .map(|(at, offset)| (u64::try_from(at - start_utc).unwrap_or(0), at0(offset)))
            .collect();
        DayClock { offset_ms: at0(zone.offset_at(start_utc)), shifts }
    }
}

fn interpolate(points: &[(u64, f64)], t: u64) -> f64 {
    let i = points.partition_point(|p| p.0 <= t);
    match (i, points.len()) {
        (_, 0) => 0.0,
        (0, _) => points[0].1,
        (i, n) if i == n => points[n - 1].1,
        (i, _) => {
            let (t0, r0) = points[i - 1];
            let (t1, r1) = points[i];
            r0 + (r1 - r0) * (t - t0) as f64 / (t1 - t0) as f64
        }
    }
}

/// Seeded noise: the whole profile is multiplied by `factors[k]` during `[k * interval, (k + 1) * interval)`
/// (1 after the last factor). The factors are drawn once, when the run starts, from the run's one generator.
#[derive(Debug, Clone, PartialEq)]
pub struct Noise {
    pub interval_ms: u64,
    pub relative: f64,
}

/// A service's demand profile: the sum of its components, times the noise factor.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profile {
    pub components: Vec<Component>,
    pub noise: Option<Noise>,
}

/// A profile with its noise drawn: what the simulation evaluates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DrawnProfile {
    pub components: Vec<Component>,
    pub noise_interval_ms: u64,
    pub factors: Vec<f64>,
}

impl Profile {
    /// Draws the noise factors for `horizon_ms` with `unit` (a uniform draw in [0, 1) from the run's generator):
    /// factor = max(0, 1 + relative * (2u - 1)), a uniform spread of ± `relative` around the profile.
    pub fn draw(&self, horizon_ms: u64, mut unit: impl FnMut() -> f64) -> DrawnProfile {
        let (interval, factors) = match &self.noise {
            Some(n) => {
                let count = horizon_ms.div_ceil(n.interval_ms);
                (n.interval_ms, (0..count).map(|_| (1.0 + n.relative * (2.0 * unit() - 1.0)).max(0.0)).collect())
            }
            None => (0, Vec::new()),
        };
        DrawnProfile { components: self.components.clone(), noise_interval_ms: interval, factors }
    }
}

impl DrawnProfile {
    fn factor(&self, t: u64, right: bool) -> f64 {
        if self.noise_interval_ms == 0 {
            return 1.0;
        }
        let k = if right { t / self.noise_interval_ms } else { t.saturating_sub(1) / self.noise_interval_ms };
        self.factors.get(crate::narrow::usize_of(k)).copied().unwrap_or(1.0)
    }

    fn rate_side(&self, t: u64, right: bool) -> f64 {
        let sum: f64 = self.components.iter().map(|c| c.rate(t, right)).sum();
        (sum * self.factor(t, right)).max(0.0)
    }

    /// The offered request rate at `t` (requests per second), the value just after any step at `t`.
    pub fn rate(&self, t: u64) -> f64 {
        self.rate_side(t, true)
    }

    /// The first breakpoint strictly after `t`: the rate is linear between two consecutive breakpoints.
    pub fn next_break(&self, t: u64) -> Option<u64> {
        let noise = (self.noise_interval_ms > 0 && t / self.noise_interval_ms < self.factors.len() as u64)
            .then(|| (t / self.noise_interval_ms + 1) * self.noise_interval_ms);
        self.components.iter().filter_map(|c| c.next_break(t)).chain(noise).min()
    }

    /// A CloudWatch statistic of the profile over `[from, to)` (*Statistics definitions*: Average, Maximum,
    /// Minimum of the values in the period), exact on the linear pieces: the time-weighted mean, or the extreme of
    /// the pieces' ends (a linear piece has its extremes at its ends). An empty interval reads the rate at `from`.
    pub fn statistic(&self, from: u64, to: u64, statistic: crate::spec::Statistic) -> f64 {
        use crate::spec::Statistic::*;
        if to <= from {
            return self.rate(from);
        }
        let pieces = self.pieces(from, to);
        match statistic {
            Average => {
                let area: f64 = pieces.map(|(a, b, r0, r1)| (r0 + r1) / 2.0 * (b - a) as f64).sum();
                area / (to - from) as f64
            }
            Maximum => pieces.map(|(.., r0, r1)| r0.max(r1)).fold(f64::MIN, f64::max),
            Minimum => pieces.map(|(.., r0, r1)| r0.min(r1)).fold(f64::MAX, f64::min),
        }
    }

    /// The linear pieces of `[from, to)`: (start, end, rate just after start, rate just before end).
    pub fn pieces(&self, from: u64, to: u64) -> impl Iterator<Item = (u64, u64, f64, f64)> + '_ {
        let mut a = from;
        std::iter::from_fn(move || {
            if a >= to {
                return None;
            }
            let b = self.next_break(a).map_or(to, |b| b.min(to));
            let piece = (a, b, self.rate_side(a, true), self.rate_side(b, false));
            a = b;
            Some(piece)
        })
    }
}

/// What a task does with its share of the traffic (`docs/model.md` §9).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskLoad {
    /// Requests per second one task serves at 100% CPU.
    pub rps_at_full_cpu: f64,
    /// CPU utilisation of a task serving nothing, percent.
    pub idle_cpu_percent: f64,
    /// Memory utilisation of a task serving nothing, percent.
    pub idle_memory_percent: f64,
    /// Memory utilisation each request per second adds, percent.
    pub memory_percent_per_rps: f64,
}

impl TaskLoad {
    /// CPU utilisation (percent) of a task serving `served_per_task` requests per second.
    pub fn cpu_percent(&self, served_per_task: f64) -> f64 {
        self.idle_cpu_percent + (100.0 - self.idle_cpu_percent) * (served_per_task / self.rps_at_full_cpu).min(1.0)
    }

    /// Memory utilisation (percent, at most 100) of a task serving `served_per_task` requests per second.
    pub fn memory_percent(&self, served_per_task: f64) -> f64 {
        (self.idle_memory_percent + self.memory_percent_per_rps * served_per_task).min(100.0)
    }
}

/// The exact integrals of one linear piece of offered load over `serving` tasks: the rate goes linearly from `r0`
/// to `r1` over `seconds`, and the tasks together serve at most `serving × rps_at_full_cpu`; what is above that is
/// not served (dropped).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PieceIntegral {
    pub offered: f64,
    pub served: f64,
    /// ∫ service-average CPU utilisation dt (percent-seconds) over the RUNNING tasks, while there are some.
    pub cpu_percent_s: f64,
    /// ∫ service-average memory utilisation dt (percent-seconds).
    pub memory_percent_s: f64,
    /// ∫ offered requests per task dt (requests per target, for ALBRequestCountPerTarget).
    pub requests_per_target: f64,
    /// Seconds with at least one RUNNING task (the metrics have data only then).
    pub with_tasks_s: f64,
    /// ∫ RUNNING tasks dt (task-seconds): the period's average running count is this over the period, the
    /// denominator of a per-task custom metric.
    pub task_s: f64,
    /// Seconds with the average CPU utilisation above `over`.
    pub over_s: f64,
    /// Seconds at 100% CPU (offered at or above what the tasks can serve), or with requests and no task.
    pub saturated_s: f64,
    /// The highest CPU utilisation of a serving task in the piece (0 without them).
    pub peak_cpu_percent: f64,
}

/// Seconds within a piece of `seconds` (rate linear from `r0` to `r1`) where the rate is at or above `level`.
fn time_at_or_above(r0: f64, r1: f64, seconds: f64, level: f64) -> f64 {
    match (r0 >= level, r1 >= level) {
        (true, true) => seconds,
        (false, false) => 0.0,
        (true, false) => seconds * (r0 - level) / (r0 - r1),
        (false, true) => seconds * (r1 - level) / (r1 - r0),
    }
}

/// ∫ min(r, cap) over a piece where r goes linearly from `r0` to `r1`.
fn capped_integral(r0: f64, r1: f64, seconds: f64, cap: f64) -> f64 {
    let above = time_at_or_above(r0, r1, seconds, cap);
    if above == 0.0 {
        return (r0 + r1) / 2.0 * seconds;
    }
    if above == seconds {
        return cap * seconds;
    }
    // One crossing: the part below the cap is a trapezoid from the low end to the cap.
    let low = r0.min(r1);
    cap * above + (low + cap) / 2.0 * (seconds - above)
}

/// Integrates one linear piece with `serving` tasks taking the traffic among `running` (ECS's utilisation metrics
/// average every RUNNING task: those not serving yet idle). `over_percent`: the level for `over_s` (the target, or
/// 100).
pub fn integrate_piece(
    r0: f64,
    r1: f64,
    seconds: f64,
    serving: u32,
    running: u32,
    load: &TaskLoad,
    over_percent: f64,
) -> PieceIntegral {
    let offered = (r0 + r1) / 2.0 * seconds;
    let seconds = seconds.max(0.0);
    let running = running.max(serving);
    let idle = load.idle_cpu_percent;
    let idle_only = |over: f64| PieceIntegral {
        offered,
        // No task serves: every request offered is dropped, and that time counts as saturated.
        saturated_s: time_at_or_above(r0, r1, seconds, f64::MIN_POSITIVE),
        cpu_percent_s: idle * seconds,
        memory_percent_s: load.idle_memory_percent * seconds,
        with_tasks_s: seconds,
        task_s: f64::from(running) * seconds,
        over_s: if over <= idle { seconds } else { 0.0 },
        ..PieceIntegral::default()
    };
    if running == 0 || seconds == 0.0 {
        return PieceIntegral {
            with_tasks_s: 0.0,
            task_s: 0.0,
            cpu_percent_s: 0.0,
            memory_percent_s: 0.0,
            over_s: 0.0,
            ..idle_only(over_percent)
        };
    }
    if serving == 0 {
        return idle_only(over_percent);
    }
    let (n, all) = (f64::from(serving), f64::from(running));
    let cap = n * load.rps_at_full_cpu;
    let served = capped_integral(r0, r1, seconds, cap);
    let cpu_percent_s = idle * seconds + (100.0 - idle) * served / (all * load.rps_at_full_cpu);
    let memory_percent_s = load.idle_memory_percent * seconds + load.memory_percent_per_rps * served / all;
    // The average CPU above `over` <=> the served rate above the rate that gives `over` percent.
    let over_s = if over_percent <= idle {
        seconds
    } else {
        let level = all * load.rps_at_full_cpu * (over_percent - idle) / (100.0 - idle);
        if level >= cap {
            0.0
        } else {
            time_at_or_above(r0, r1, seconds, level).min(seconds)
        }
    };
    PieceIntegral {
        offered,
        served,
        cpu_percent_s,
        memory_percent_s: memory_percent_s.min(100.0 * seconds),
        requests_per_target: offered / n,
        with_tasks_s: seconds,
        task_s: all * seconds,
        over_s,
        saturated_s: time_at_or_above(r0, r1, seconds, cap),
        peak_cpu_percent: load.cpu_percent(r0.max(r1) / n),
    }
}

/// The metric a target tracking policy follows (*Create a target tracking scaling policy for Amazon ECS service
/// auto scaling*; the high-resolution variants from *Faster auto scaling with high-resolution metrics*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Cpu,
    Memory,
    /// ALBRequestCountPerTarget: requests per target per minute.
    RequestsPerTarget,
    /// The worker's queue (`docs/model.md` §10): AWS/SQS ApproximateNumberOfMessagesVisible.
    QueueVisible,
    /// AWS/SQS ApproximateAgeOfOldestMessage, seconds.
    QueueAge,
    /// The custom metric of AWS's recipe: visible messages / the service's running tasks.
    BacklogPerTask,
    /// A customized metric (`CustomizedMetricSpecification`): the policy's own profile over the service's running
    /// tasks (`docs/model.md` §9).
    Custom,
}

impl Metric {
    /// A metric of the worker's queue rather than of the service's tasks.
    pub fn is_queue(self) -> bool {
        matches!(self, Metric::QueueVisible | Metric::QueueAge | Metric::BacklogPerTask)
    }
}

/// A CloudWatch metric alarm's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

impl AlarmState {
    pub fn name(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

/// Evaluates an "M out of N" alarm over the latest datapoints (oldest first; `None`: no data for the period):
/// ALARM when at least `m` of the last `n` breach, OK when the last `n` have data and fewer than `m` breach,
/// INSUFFICIENT_DATA otherwise (missing data is not breaching, and a target tracking policy does not act on it:
/// "A target tracking scaling policy does not perform scaling when the specified metric has insufficient data").
pub fn evaluate_alarm(history: &[Option<f64>], m: usize, n: usize, breaching: impl Fn(f64) -> bool) -> AlarmState {
    if history.len() < n {
        return AlarmState::InsufficientData;
    }
    let last = &history[history.len() - n..];
    let breaches = last.iter().filter(|v| v.is_some_and(&breaching)).count();
    if breaches >= m {
        AlarmState::Alarm
    } else if last.iter().all(Option::is_some) {
        AlarmState::Ok
    } else {
        AlarmState::InsufficientData
    }
}

/// The capacity target tracking asks for: proportional to metric / target ("Application Auto Scaling ...
/// calculates the scaling adjustment based on the metric and the target value"), rounded up so the metric ends at
/// or below the target (scale-in then removes only what keeps it there: conservative), clamped to [min, max].
pub fn proportional_capacity(current: u32, metric: f64, target: f64, min: u32, max: u32) -> u32 {
    let wanted = libm::ceil(f64::from(current.max(1)) * metric / target - 1e-9);
    let wanted =
        if wanted.is_finite() { crate::narrow::trunc_u32(wanted.clamp(0.0, f64::from(u32::MAX))) } else { max };
    wanted.clamp(min, max)
}

/// Cooldowns of a target tracking policy (*Define cooldown periods*): during a scale-out cooldown, "The scaling
/// policy won't increase the desired capacity again unless either a larger scale out is triggered or the cooldown
/// period ends", the capacity added counting as part of the current one; during a scale-in cooldown scale-in is
/// blocked, but "if another alarm triggers a scale-out activity during the scale-in cooldown period, Application
/// Auto Scaling scales out the target immediately".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cooldowns {
    /// Scale-out cooldown: until when, and the capacity before the scale-out that started it.
    pub out_until_ms: u64,
    pub out_base: u32,
    pub in_until_ms: u64,
}

/// What the policy does at one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    None,
    SetDesired(u32),
}

impl Cooldowns {
    /// A scale-out to `wanted` from `desired`, computed on `base_wanted` during a scale-out cooldown (the capacity
    /// from before the initiating scale-out, scaled by the metric): allowed when it is larger.
    pub fn scale_out(&mut self, now_ms: u64, desired: u32, wanted: u32, cooldown_ms: u64) -> Decision {
        if wanted <= desired {
            return Decision::None;
        }
        if now_ms < self.out_until_ms {
            // Still cooling down: only a larger scale-out than the one in progress goes through.
            if wanted <= desired {
                return Decision::None;
            }
        } else {
            self.out_base = desired;
        }
        self.out_until_ms = now_ms + cooldown_ms;
        // A scale-out ends a scale-in cooldown.
        self.in_until_ms = 0;
        Decision::SetDesired(wanted)
    }

    /// A scale-in to `wanted` from `desired`: blocked during the scale-in cooldown.
    pub fn scale_in(&mut self, now_ms: u64, desired: u32, wanted: u32, cooldown_ms: u64) -> Decision {
        if wanted >= desired || now_ms < self.in_until_ms {
            return Decision::None;
        }
        self.in_until_ms = now_ms + cooldown_ms;
        Decision::SetDesired(wanted)
    }

    /// The capacity the metric is measured against during a scale-out cooldown: the tasks added by the
    /// initiating scale-out are not running yet, so the metric still reflects the capacity before it.
    pub fn metric_base(&self, now_ms: u64, desired: u32) -> u32 {
        if now_ms < self.out_until_ms {
            self.out_base.min(desired)
        } else {
            desired
        }
    }
}

/// A service's validated demand.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDemand {
    pub profile: Profile,
    /// The service (index) whose profile this one shares, its tasks in the same target group.
    pub shares_with: Option<usize>,
    pub load: TaskLoad,
    /// With `overload_fails_health_checks`: how long a task may stay at 100% CPU before its health checks fail.
    pub overload_after_ms: Option<u64>,
}

/// A customized metric for target tracking (*CustomizedMetricSpecification*): the metric's service-wide total as
/// a profile over time (the user's own CloudWatch metric), divided by the service's running tasks in the metric
/// math form the guide shows (`m1 / m2`, m2 the running task count): the metric must "increase or decrease in
/// inverse proportion to the number of capacity units".
#[derive(Debug, Clone, PartialEq)]
pub struct CustomMetric {
    pub name: String,
    pub profile: Profile,
    pub statistic: crate::spec::Statistic,
}

/// A per-task custom datapoint: the total's statistic over the period divided by the period's average running
/// task count (`task_s / with_tasks_s`: the Average of the running count over the time it had data, as the
/// utilisation metrics average over the time with tasks); `None` (no data) without a running task.
pub fn per_task(total: f64, task_s: f64, with_tasks_s: f64) -> Option<f64> {
    (task_s > 0.0 && with_tasks_s > 0.0).then(|| total / (task_s / with_tasks_s))
}

/// A validated target tracking policy.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetTracking {
    pub metric: Metric,
    /// The customized metric when `metric` is `Custom`.
    pub custom: Option<CustomMetric>,
    pub target: f64,
    pub scale_out_cooldown_ms: u64,
    pub scale_in_cooldown_ms: u64,
    pub disable_scale_in: bool,
}

/// A service's validated Application Auto Scaling: the scalable target and its policies.
#[derive(Debug, Clone, PartialEq)]
pub struct Autoscaling {
    pub min: u32,
    pub max: u32,
    pub policies: Vec<TargetTracking>,
    /// The metric period: 60 s, or 20 s for the high-resolution metrics (every policy of a service uses one).
    pub period_ms: u64,
    /// From a period's end until its datapoint is visible to the alarms.
    pub delay_ms: u64,
    /// The alarms target tracking creates: scale out on `out_datapoints` of as many, in on `in_datapoints`.
    pub out_datapoints: usize,
    pub in_datapoints: usize,
    /// Scheduled actions, in time order.
    pub scheduled: Vec<ScheduledAction>,
    /// Step scaling policies (their datapoints follow the target tracking policies' in the history).
    pub steps: Vec<StepScaling>,
}

/// A validated step scaling policy with its alarm.
#[derive(Debug, Clone, PartialEq)]
pub struct StepScaling {
    pub metric: Metric,
    pub comparison: crate::spec::Comparison,
    pub threshold: f64,
    pub evaluation_periods: usize,
    pub datapoints_to_alarm: usize,
    pub adjustment_type: crate::spec::AdjustmentType,
    /// (lower bound, upper bound, adjustment), bounds on metric − threshold.
    pub steps: Vec<(Option<f64>, Option<f64>, i32)>,
    pub cooldown_ms: u64,
}

impl StepScaling {
    pub fn breaching(&self, value: f64) -> bool {
        use crate::spec::Comparison::*;
        match self.comparison {
            GreaterThanOrEqualToThreshold => value >= self.threshold,
            GreaterThanThreshold => value > self.threshold,
            LessThanThreshold => value < self.threshold,
            LessThanOrEqualToThreshold => value <= self.threshold,
        }
    }

    /// The capacity the policy asks for with the alarm's metric at `value` (*Step scaling policies for
    /// Application Auto Scaling*): the step whose bounds hold metric − threshold ("the lower bound is inclusive and
    /// the upper bound is exclusive" for bounds above the threshold; the other way round below it), then the
    /// adjustment: a change, a percent change (rounded away from zero to at least one task, an assumption: the
    /// guide rounds for Auto Scaling groups) or an exact capacity; clamped to [min, max]. `None`: no step holds it.
    pub fn capacity(&self, current: u32, value: f64, min: u32, max: u32) -> Option<u32> {
        use crate::spec::AdjustmentType::*;
        let diff = value - self.threshold;
        let above = diff >= 0.0;
        let (_, _, adjustment) = *self.steps.iter().find(|&&(lower, upper, _)| {
            let lo = lower.is_none_or(|l| if above { diff >= l } else { diff > l });
            let hi = upper.is_none_or(|u| if above { diff < u } else { diff <= u });
            lo && hi
        })?;
        let current_f = f64::from(current);
        let wanted = match self.adjustment_type {
            ChangeInCapacity => current_f + f64::from(adjustment),
            ExactCapacity => f64::from(adjustment),
            PercentChangeInCapacity => {
                let change = current_f * f64::from(adjustment) / 100.0;
                let change = if change > 0.0 { libm::ceil(change).max(1.0) } else { libm::floor(change).min(-1.0) };
                current_f + if adjustment == 0 { 0.0 } else { change }
            }
        };
        Some(crate::narrow::trunc_u32(wanted.clamp(f64::from(min), f64::from(max.max(min)))))
    }
}

/// A scheduled action: from `at_ms`, the min and / or max capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledAction {
    pub at_ms: u64,
    pub min: Option<u32>,
    pub max: Option<u32>,
}

/// Where a scheduled action moves the desired count (*How scheduled scaling for Application Auto Scaling works*):
/// "If current capacity is less than the specified minimum capacity, Application Auto Scaling scales out (increases
/// capacity) to the specified minimum capacity. If current capacity is greater than the specified maximum capacity,
/// Application Auto Scaling scales in (decreases capacity) to the specified maximum capacity." A maximum below the
/// minimum is taken as the minimum (the page asks for both sizes when one would cross the other).
pub fn within_range(desired: u32, min: u32, max: u32) -> u32 {
    desired.max(min).min(max.max(min))
}

/// Parses a wall-clock start `YYYY-MM-DDTHH:MM[:SS](Z|±HH:MM)`, or `YYYY-MM-DDTHH:MM[:SS][Zone/Name]` in one of
/// the supported named zones (`crate::zone`), into its UTC instant (ms since the epoch) and zone.
pub fn parse_start(text: &str) -> Result<(i64, crate::zone::Zone), String> {
    let bad = || {
        format!(
            "`{text}` is not a date-time like 2026-12-02T08:00:00+09:00 (a fixed UTC offset or Z) or \
             2026-12-02T08:00[America/New_York] (a supported time zone name)"
        )
    };
    if let Some((_, zone)) = text.split_once('[') {
        let name = zone.strip_suffix(']').ok_or_else(bad)?;
        crate::zone::Zone::parse(name)?;
    }
    let (utc, zone) = crate::schedule::parse_start_zone(text).ok_or_else(|| {
        if text.contains('[')
            && text.split_once('[').and_then(|(l, _)| crate::schedule::parse_start_zone(&format!("{l}Z"))).is_some()
        {
            format!("`{text}` names a local time the zone skips (the hour clocks go forward)")
        } else {
            bad()
        }
    })?;
    Ok((utc, zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(components: Vec<Component>) -> DrawnProfile {
        DrawnProfile { components, noise_interval_ms: 0, factors: Vec::new() }
    }

    #[test]
    fn steps_ramps_and_spikes_add_up() {
        let p = drawn(vec![
            Component::Steps { points: vec![(0, 100.0), (60_000, 300.0)] },
            Component::Ramps { points: vec![(0, 0.0), (100_000, 100.0)] },
            Component::Spike { at: 10_000, duration: 5_000, rps: 1000.0 },
        ]);
        assert_eq!(p.rate(0), 100.0);
        assert_eq!(p.rate(10_000), 100.0 + 10.0 + 1000.0);
        assert_eq!(p.rate(15_000), 100.0 + 15.0);
        assert_eq!(p.rate(60_000), 300.0 + 60.0);
        assert_eq!(p.rate(200_000), 300.0 + 100.0);
        assert_eq!(p.next_break(0), Some(10_000));
        assert_eq!(p.next_break(15_000), Some(60_000));
        // Just before the step, the rate is still the old one.
        let pieces: Vec<_> = p.pieces(50_000, 70_000).collect();
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0], (50_000, 60_000, 150.0, 160.0));
        assert_eq!(pieces[1], (60_000, 70_000, 360.0, 370.0));
    }

    #[test]
    fn the_daily_curve_follows_local_time() {
        let mut hourly = [100.0; 24];
        hourly[9] = 1000.0;
        // The run starts at 08:00 local time.
        let p = drawn(vec![Component::Daily { hourly, offset_ms: 8 * HOUR_MS, shifts: Vec::new() }]);
        assert_eq!(p.rate(0), 100.0);
        assert_eq!(p.rate(HOUR_MS / 2), 550.0);
        assert_eq!(p.rate(HOUR_MS), 1000.0);
        assert_eq!(p.next_break(1), Some(HOUR_MS));
        assert_eq!(p.rate(DAY_MS + HOUR_MS), 1000.0, "the curve repeats every day");
    }

    #[test]
    fn noise_multiplies_each_interval_and_is_drawn_once() {
        let profile = Profile {
            components: vec![Component::Constant { rps: 100.0 }],
            noise: Some(Noise { interval_ms: 60_000, relative: 0.5 }),
        };
        let mut draws = [0.0, 1.0, 0.5].into_iter();
        let p = profile.draw(180_000, || draws.next().unwrap());
        assert_eq!(p.factors, vec![0.5, 1.5, 1.0]);
        assert_eq!(p.rate(0), 50.0);
        assert_eq!(p.rate(60_000), 150.0);
        assert_eq!(p.next_break(0), Some(60_000));
        assert_eq!(p.next_break(170_000), Some(180_000));
        assert_eq!(p.next_break(180_000), None);
    }

    const LOAD: TaskLoad = TaskLoad {
        rps_at_full_cpu: 100.0,
        idle_cpu_percent: 10.0,
        idle_memory_percent: 20.0,
        memory_percent_per_rps: 0.1,
    };

    #[test]
    fn load_above_capacity_is_dropped_and_utilisation_capped() {
        // 2 tasks serve at most 200 rps; a ramp from 100 to 300 over 10 s crosses it at 5 s.
        let i = integrate_piece(100.0, 300.0, 10.0, 2, 2, &LOAD, 100.0);
        assert_eq!(i.offered, 2000.0);
        assert_eq!(i.served, 750.0 + 1000.0);
        assert_eq!(i.saturated_s, 5.0);
        assert_eq!(i.peak_cpu_percent, 100.0);
        // CPU: 10% idle + 90% of served / capacity, averaged.
        assert!((i.cpu_percent_s - (100.0 + 90.0 * 1750.0 / 200.0)).abs() < 1e-9);
        // Without tasks, nothing is served and the metrics have no data.
        let none = integrate_piece(100.0, 100.0, 10.0, 0, 0, &LOAD, 100.0);
        assert_eq!((none.offered, none.served, none.with_tasks_s, none.saturated_s), (1000.0, 0.0, 0.0, 10.0));
    }

    #[test]
    fn running_tasks_not_serving_yet_lower_the_average() {
        // 2 tasks serve 100 rps (50% of their capacity: 55% CPU); 2 more run idle (10%): the average is 32.5%.
        let i = integrate_piece(100.0, 100.0, 10.0, 2, 4, &LOAD, 100.0);
        assert!((i.cpu_percent_s / i.with_tasks_s - 32.5).abs() < 1e-9);
        assert_eq!(i.peak_cpu_percent, 55.0, "the serving tasks' own utilisation");
        // Running but none serving: idle, every request dropped.
        let idle = integrate_piece(100.0, 100.0, 10.0, 0, 2, &LOAD, 100.0);
        assert_eq!((idle.cpu_percent_s, idle.served, idle.saturated_s), (100.0, 0.0, 10.0));
    }

    #[test]
    fn time_over_target_is_exact_on_a_ramp() {
        // 1 task, 10% idle: 55% CPU at 50 rps. A ramp from 0 to 100 rps over 100 s is over 55% for 50 s.
        let i = integrate_piece(0.0, 100.0, 100.0, 1, 1, &LOAD, 55.0);
        assert!((i.over_s - 50.0).abs() < 1e-9);
    }

    #[test]
    fn a_custom_metric_reads_its_statistic_per_running_task() {
        use crate::spec::Statistic;
        // A ramp 0 -> 600 over the first minute, then 600: the first period's average is 300, its maximum 600.
        let p = drawn(vec![Component::Ramps { points: vec![(0, 0.0), (60_000, 600.0)] }]);
        assert_eq!(p.statistic(0, 60_000, Statistic::Average), 300.0);
        assert_eq!(p.statistic(0, 60_000, Statistic::Maximum), 600.0);
        assert_eq!(p.statistic(0, 60_000, Statistic::Minimum), 0.0);
        assert_eq!(p.statistic(60_000, 120_000, Statistic::Average), 600.0);
        // Two tasks for the whole minute, then a third for its last half: 2.5 on average, 600 / 2.5 = 240.
        assert_eq!(per_task(600.0, 2.0 * 60.0 + 30.0, 60.0), Some(240.0));
        assert_eq!(per_task(600.0, 0.0, 60.0), None, "no running task: no data");
        // The piece integral counts the running task-seconds, idle ones included.
        let i = integrate_piece(100.0, 100.0, 10.0, 2, 3, &LOAD, 100.0);
        assert_eq!(i.task_s, 30.0);
    }

    #[test]
    fn alarms_need_m_of_n_breaching_datapoints() {
        let high = |v: f64| v > 60.0;
        assert_eq!(evaluate_alarm(&[Some(70.0), Some(70.0)], 3, 3, high), AlarmState::InsufficientData);
        assert_eq!(evaluate_alarm(&[Some(10.0), Some(70.0), Some(70.0), Some(70.0)], 3, 3, high), AlarmState::Alarm);
        assert_eq!(evaluate_alarm(&[Some(70.0), Some(50.0), Some(70.0)], 3, 3, high), AlarmState::Ok);
        assert_eq!(evaluate_alarm(&[Some(70.0), None, Some(70.0)], 3, 3, high), AlarmState::InsufficientData);
    }

    #[test]
    fn capacity_is_proportional_rounded_up_and_clamped() {
        assert_eq!(proportional_capacity(4, 90.0, 60.0, 1, 100), 6);
        assert_eq!(proportional_capacity(4, 61.0, 60.0, 1, 100), 5);
        assert_eq!(proportional_capacity(4, 60.0, 60.0, 1, 100), 4);
        assert_eq!(proportional_capacity(10, 20.0, 60.0, 1, 100), 4);
        assert_eq!(proportional_capacity(10, 20.0, 60.0, 5, 100), 5);
        assert_eq!(proportional_capacity(10, 100.0, 10.0, 1, 50), 50);
    }

    #[test]
    fn cooldowns_let_only_larger_scale_outs_through() {
        let mut c = Cooldowns::default();
        assert_eq!(c.scale_out(0, 4, 6, 300_000), Decision::SetDesired(6));
        assert_eq!(c.metric_base(1000, 6), 4, "the metric still measures the 4 tasks");
        assert_eq!(c.scale_out(60_000, 6, 6, 300_000), Decision::None);
        assert_eq!(c.scale_out(60_000, 6, 8, 300_000), Decision::SetDesired(8), "a larger scale-out");
        assert_eq!(c.metric_base(400_000, 8), 8, "after the cooldown");
        // Scale-in waits for its cooldown; a scale-out ends it.
        assert_eq!(c.scale_in(400_000, 8, 5, 300_000), Decision::SetDesired(5));
        assert_eq!(c.scale_in(500_000, 5, 3, 300_000), Decision::None);
        assert_eq!(c.scale_out(500_000, 5, 7, 300_000), Decision::SetDesired(7));
        assert_eq!(c.in_until_ms, 0);
    }

    #[test]
    fn step_scaling_picks_the_step_of_the_breach() {
        use crate::spec::{AdjustmentType, Comparison};
        let policy = StepScaling {
            metric: Metric::Cpu,
            comparison: Comparison::GreaterThanOrEqualToThreshold,
            threshold: 70.0,
            evaluation_periods: 2,
            datapoints_to_alarm: 2,
            adjustment_type: AdjustmentType::ChangeInCapacity,
            steps: vec![(Some(0.0), Some(15.0), 1), (Some(15.0), None, 3)],
            cooldown_ms: 300_000,
        };
        assert!(policy.breaching(70.0) && !policy.breaching(69.9));
        assert_eq!(policy.capacity(10, 75.0, 1, 100), Some(11));
        assert_eq!(policy.capacity(10, 85.0, 1, 100), Some(13), "85 - 70 = 15: the upper step (lower inclusive)");
        assert_eq!(policy.capacity(99, 95.0, 1, 100), Some(100), "clamped to max");
        let percent = StepScaling {
            adjustment_type: AdjustmentType::PercentChangeInCapacity,
            steps: vec![(Some(0.0), None, 50)],
            ..policy.clone()
        };
        assert_eq!(percent.capacity(5, 80.0, 1, 100), Some(8), "50% of 5 = 2.5, rounded up");
        let exact =
            StepScaling { adjustment_type: AdjustmentType::ExactCapacity, steps: vec![(None, None, 4)], ..policy };
        assert_eq!(exact.capacity(10, 80.0, 1, 100), Some(4));
    }

    #[test]
    fn scheduled_actions_move_the_desired_count_into_the_range() {
        assert_eq!(within_range(3, 10, 50), 10);
        assert_eq!(within_range(60, 10, 50), 50);
        assert_eq!(within_range(20, 10, 50), 20);
    }

    #[test]
    fn starts_parse_with_fixed_offsets_and_named_zones() {
        use crate::zone::Zone;
        let tod = |text: &str| parse_start(text).map(|(utc, zone)| DayClock::new(utc, zone, 0).offset_ms);
        assert_eq!(tod("2026-12-02T08:30:00+09:00"), Ok((8 * 3600 + 30 * 60) * 1000));
        assert_eq!(tod("2026-12-02T00:00Z"), Ok(0));
        assert_eq!(tod("2026-12-02T08:30[Asia/Tokyo]"), Ok((8 * 3600 + 30 * 60) * 1000));
        assert!(parse_start("2026-12-02 08:00").is_err());
        assert!(parse_start("2026-13-02T08:00Z").is_err());
        assert!(parse_start("2026-12-02T25:00Z").is_err());
        assert!(parse_start("2026-12-02T08:00+9").is_err());
        assert!(parse_start("2026-12-02T08:00[Mars/Base]").unwrap_err().contains("Asia/Tokyo"));
        assert!(parse_start("2026-03-08T02:30[America/New_York]").unwrap_err().contains("skips"));
        assert_eq!(parse_start("2026-07-01T12:00[Europe/London]").map(|(_, z)| z), Zone::parse("Europe/London"));
    }

    #[test]
    fn the_daily_curve_follows_the_local_clock_across_a_daylight_saving_change() {
        // A run from 2026-03-07 12:00 EST (17:00 UTC) in New York; clocks go forward at 07:00 UTC on the 8th, 14 h
        // in: 02:00 EST becomes 03:00 EDT.
        let (utc, zone) = parse_start("2026-03-07T12:00[America/New_York]").unwrap();
        let clock = DayClock::new(utc, zone, 2 * DAY_MS);
        assert_eq!(clock.offset_ms, 12 * HOUR_MS);
        assert_eq!(clock.shifts, vec![(14 * HOUR_MS, 13 * HOUR_MS)]);
        let mut hourly = [0.0; 24];
        hourly[3] = 300.0;
        hourly[2] = 200.0;
        let p = drawn(vec![Component::Daily { hourly, offset_ms: clock.offset_ms, shifts: clock.shifts }]);
        // Just before the change it is 01:59:59 EST, hour 1 going to hour 2's rate; just after, 03:00 EDT.
        assert_eq!(p.next_break(13 * HOUR_MS + 1), Some(14 * HOUR_MS));
        assert_eq!(p.rate(14 * HOUR_MS), 300.0, "03:00 local");
        assert!((p.pieces(14 * HOUR_MS - 1000, 14 * HOUR_MS).next().unwrap().3 - 200.0).abs() < 0.1);
        // The next day at 03:00 EDT (sim 14 h + 24 h) reads hour 3 again: the curve keeps local time.
        assert_eq!(p.rate(38 * HOUR_MS), 300.0);
    }
}
