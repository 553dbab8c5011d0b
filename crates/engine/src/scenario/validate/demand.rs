//! Validation of the demand parts of a service (`docs/model.md` §9): its request-rate profile, what a task does
//! with its share, and its Application Auto Scaling (min / max capacity, target tracking policies), and the
//! scenario's wall-clock `start`.

use super::Validator;
use crate::defaults as d;
use crate::demand::{
    Autoscaling, Component, CustomMetric, DayClock, Metric, Noise, Profile, ScheduledAction, ServiceDemand,
    TargetTracking, TaskLoad,
};
use crate::scenario::LoadBalancer;
use crate::spec::{
    AutoscalingSpec, CustomMetricSpec, DemandSpec, PredefinedMetric, ProfilePartSpec, ScenarioSpec, ServiceSpec,
};
use crate::time::secs_to_ms;

/// The highest request rate a profile part may give: far beyond any single service, and small enough that sums
/// stay exact in f64.
const MAX_RPS: f64 = 1e9;
/// The most points a pasted or written list may hold.
const MAX_POINTS: usize = 100_000;
/// The latest time a scheduled action may name: a week, the longest horizon.
const MAX_SCHEDULE_S: f64 = 7.0 * 86_400.0;
/// "Scaling policies per scalable target (both step scaling and target tracking policies)": 50, not adjustable
/// (*Quotas for Application Auto Scaling*).
const MAX_POLICIES: usize = 50;
/// The most noise factors a run may draw (interval and horizon together).
const MAX_NOISE_FACTORS: u64 = 1_000_000;

/// The horizon in milliseconds, bounded (an invalid one is reported elsewhere).
fn horizon_ms(spec: &ScenarioSpec) -> u64 {
    if spec.horizon_s.is_finite() && spec.horizon_s > 0.0 {
        secs_to_ms(spec.horizon_s.min(super::MAX_HORIZON_S))
    } else {
        0
    }
}

/// The daily curve's clock from `start`, without reporting (a bad `start` is reported once, by `start_offset`).
pub(super) fn start_clock(spec: &ScenarioSpec) -> DayClock {
    spec.start
        .as_deref()
        .and_then(|t| crate::demand::parse_start(t).ok())
        .map_or_else(DayClock::default, |(utc, zone)| DayClock::new(utc, zone, horizon_ms(spec)))
}

impl Validator {
    /// The local clock of the daily curve (time of day at simulated time 0, daylight saving shifts), from `start`.
    pub(super) fn start_offset(&mut self, spec: &ScenarioSpec) -> DayClock {
        match spec.start.as_deref().map(crate::demand::parse_start) {
            None => DayClock::default(),
            Some(Ok((utc, zone))) => DayClock::new(utc, zone, horizon_ms(spec)),
            Some(Err(message)) => {
                self.err("start", message);
                DayClock::default()
            }
        }
    }

    fn rps(&mut self, field: &str, value: f64) -> f64 {
        self.number(field, value, 0.0, MAX_RPS)
    }

    fn points(&mut self, field: &str, points: &[(f64, f64)], horizon_s: f64) -> Vec<(u64, f64)> {
        if points.is_empty() || points.len() > MAX_POINTS {
            self.err(field, format!("needs 1 to {MAX_POINTS} points, got {}", points.len()));
            return Vec::new();
        }
        let mut out: Vec<(u64, f64)> = Vec::with_capacity(points.len());
        for (i, &(at, rps)) in points.iter().enumerate() {
            let at = self.seconds(&format!("{field}[{i}][0]"), at, 0.0, horizon_s.max(0.0));
            let rps = self.rps(&format!("{field}[{i}][1]"), rps);
            if let Some(&(previous, _)) = out.last() {
                if at <= previous {
                    self.err(format!("{field}[{i}][0]"), "times must increase from one point to the next");
                    return Vec::new();
                }
            }
            out.push((at, rps));
        }
        out
    }

    /// Pasted `time_s,rps` lines: an optional header, blank lines ignored. Every line that is not a point is named
    /// (up to 20, so a pasted file of the wrong shape does not print thousands), so the editor shows them all.
    fn csv_points(&mut self, field: &str, text: &str) -> Vec<(f64, f64)> {
        const MAX_LINE_ERRORS: usize = 20;
        let mut points = Vec::new();
        let mut bad = 0usize;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let parsed = line.split_once(',').and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
            match parsed {
                Some(point) => points.push(point),
                None if n == 0 => {} // a header
                None => {
                    bad += 1;
                    if bad <= MAX_LINE_ERRORS {
                        let shown: String = line.chars().take(40).collect();
                        self.err(field, format!("line {}: `{shown}` is not `time_s,rps`", n + 1));
                    }
                }
            }
            if points.len() > MAX_POINTS {
                self.err(field, format!("at most {MAX_POINTS} lines"));
                return Vec::new();
            }
        }
        if bad > MAX_LINE_ERRORS {
            self.err(field, format!("and {} more lines that are not `time_s,rps`", bad - MAX_LINE_ERRORS));
        }
        if bad > 0 {
            return Vec::new();
        }
        points
    }

    pub(super) fn demand(
        &mut self,
        field: &str,
        spec: &DemandSpec,
        horizon_s: f64,
        start_offset: &DayClock,
        load_balancer: Option<&LoadBalancer>,
        health_check: Option<(u64, u32)>,
    ) -> ServiceDemand {
        let profile = if spec.shares_target_group_with.is_some() {
            if !spec.profile.is_empty() {
                self.err(
                    format!("{field}.profile"),
                    "a service sharing a target group takes the other service's traffic: leave profile out",
                );
            }
            Profile::default()
        } else {
            self.profile(&format!("{field}.profile"), &spec.profile, horizon_s, start_offset)
        };
        self.task_load(field, spec, profile, load_balancer, health_check)
    }

    /// `shares_target_group_with`: the named service exists, has its own demand profile (no chains) and a load
    /// balancer, as this one must (ECS registers both services' tasks in one target group: "you can attach
    /// multiple target groups to a service", and a target group takes targets of any service).
    pub(super) fn shared_target_group(&mut self, field: &str, spec: &ScenarioSpec, me: usize) -> Option<usize> {
        let service = &spec.services[me];
        let name = service.demand.as_ref()?.shares_target_group_with.as_ref()?;
        let f = format!("{field}.shares_target_group_with");
        let Some(other) = spec.services.iter().position(|s| &s.name == name) else {
            self.err(f, format!("no service is named `{name}`"));
            return None;
        };
        let owner = &spec.services[other];
        if other == me {
            self.err(f, "names the service itself");
            return None;
        }
        match &owner.demand {
            None => self.err(f.clone(), format!("`{name}` has no demand whose traffic could be shared")),
            Some(d) if d.shares_target_group_with.is_some() => {
                self.err(f.clone(), format!("`{name}` shares another service's traffic itself; name that one"))
            }
            Some(_) => {}
        }
        if service.load_balancer.is_none() || owner.load_balancer.is_none() {
            self.err(f.clone(), "both services need a load_balancer (the target group they share)");
        }
        Some(other)
    }

    /// A profile's parts (`list` is the list's field path): demand requests or queue arrivals per second.
    pub(super) fn profile(
        &mut self,
        list: &str,
        parts: &[ProfilePartSpec],
        horizon_s: f64,
        start_offset: &DayClock,
    ) -> Profile {
        let mut profile = Profile::default();
        if parts.is_empty() {
            self.err(list.to_string(), "needs at least one part (e.g. {\"type\": \"constant\", \"rps\": 100})");
        }
        for (i, part) in parts.iter().enumerate() {
            let f = format!("{list}[{i}]");
            let component = match part {
                ProfilePartSpec::Constant { rps } => Component::Constant { rps: self.rps(&format!("{f}.rps"), *rps) },
                ProfilePartSpec::Steps { points } => {
                    Component::Steps { points: self.points(&format!("{f}.points"), points, horizon_s) }
                }
                ProfilePartSpec::Ramps { points } => {
                    Component::Ramps { points: self.points(&format!("{f}.points"), points, horizon_s) }
                }
                ProfilePartSpec::Csv { text, steps } => {
                    let points = self.csv_points(&format!("{f}.text"), text);
                    let points = self.points(&format!("{f}.text"), &points, horizon_s);
                    if *steps {
                        Component::Steps { points }
                    } else {
                        Component::Ramps { points }
                    }
                }
                ProfilePartSpec::Daily { hourly_rps } => {
                    let mut hourly = [0.0; 24];
                    if hourly_rps.len() != 24 {
                        self.err(
                            format!("{f}.hourly_rps"),
                            format!("needs 24 rates (00:00 to 23:00), got {}", hourly_rps.len()),
                        );
                    }
                    for (h, rps) in hourly_rps.iter().take(24).enumerate() {
                        hourly[h] = self.rps(&format!("{f}.hourly_rps[{h}]"), *rps);
                    }
                    Component::Daily { hourly, offset_ms: start_offset.offset_ms, shifts: start_offset.shifts.clone() }
                }
                ProfilePartSpec::Spike { at_s, duration_s, rps } => Component::Spike {
                    at: self.seconds(&format!("{f}.at_s"), *at_s, 0.0, horizon_s),
                    duration: self.seconds(&format!("{f}.duration_s"), *duration_s, 1.0, horizon_s.max(1.0)),
                    rps: self.rps(&format!("{f}.rps"), *rps),
                },
                ProfilePartSpec::Noise { relative, interval_s } => {
                    let relative = self.number(&format!("{f}.relative"), *relative, 0.0, 1.0);
                    let interval_ms = self.seconds(&format!("{f}.interval_s"), *interval_s, 1.0, 86_400.0).max(1000);
                    if secs_to_ms(horizon_s.clamp(0.0, 1e9)).div_ceil(interval_ms) > MAX_NOISE_FACTORS {
                        self.err(
                            format!("{f}.interval_s"),
                            format!(
                                "draws more than {MAX_NOISE_FACTORS} factors over the horizon; use a longer interval"
                            ),
                        );
                    } else if profile.noise.is_some() {
                        self.err(f.clone(), "a profile has at most one noise part");
                    } else {
                        profile.noise = Some(Noise { interval_ms, relative });
                    }
                    continue;
                }
            };
            profile.components.push(component);
        }
        profile
    }

    fn task_load(
        &mut self,
        field: &str,
        spec: &DemandSpec,
        profile: Profile,
        load_balancer: Option<&LoadBalancer>,
        health_check: Option<(u64, u32)>,
    ) -> ServiceDemand {
        let load = TaskLoad {
            rps_at_full_cpu: self.number(&format!("{field}.requests_per_task"), spec.requests_per_task, 0.001, MAX_RPS),
            idle_cpu_percent: self.number(
                &format!("{field}.idle_cpu_percent"),
                spec.idle_cpu_percent.unwrap_or(d::IDLE_CPU_PERCENT),
                0.0,
                99.0,
            ),
            idle_memory_percent: self.number(
                &format!("{field}.idle_memory_percent"),
                spec.idle_memory_percent.unwrap_or(d::IDLE_MEMORY_PERCENT),
                0.0,
                100.0,
            ),
            memory_percent_per_rps: self.number(
                &format!("{field}.memory_percent_per_rps"),
                spec.memory_percent_per_rps.unwrap_or(0.0),
                0.0,
                100.0,
            ),
        };
        // A target is marked unhealthy after `unhealthy_threshold` consecutive failed checks `interval` apart
        // (Elastic Load Balancing target group health checks); a container after `retries` failed checks.
        let overload_after_ms = spec.overload_fails_health_checks.then(|| match (load_balancer, health_check) {
            (Some(lb), _) => Some(u64::from(lb.unhealthy_threshold) * lb.interval_ms),
            (None, Some((interval_ms, retries))) => Some(u64::from(retries) * interval_ms),
            (None, None) => {
                self.err(
                    format!("{field}.overload_fails_health_checks"),
                    "needs a load_balancer or a container health_check whose checks can fail",
                );
                None
            }
        });
        ServiceDemand { profile, shares_with: None, load, overload_after_ms: overload_after_ms.flatten() }
    }

    /// The metric a policy follows; the queue's metrics only for a worker service, and only the queue's for one
    /// without demand.
    fn metric(&mut self, field: &str, metric: PredefinedMetric, service: &ServiceSpec) -> Metric {
        let metric = match metric {
            PredefinedMetric::Cpu | PredefinedMetric::CpuHighResolution => Metric::Cpu,
            PredefinedMetric::Memory | PredefinedMetric::MemoryHighResolution => Metric::Memory,
            PredefinedMetric::RequestsPerTarget => Metric::RequestsPerTarget,
            PredefinedMetric::ApproximateNumberOfMessagesVisible => Metric::QueueVisible,
            PredefinedMetric::ApproximateAgeOfOldestMessage => Metric::QueueAge,
            PredefinedMetric::SQSBacklogPerTask => Metric::BacklogPerTask,
        };
        if metric.is_queue() && service.worker.is_none() {
            self.err(field.to_string(), "a queue metric needs the service's worker (the queue it consumes)");
        } else if !metric.is_queue() && service.demand.is_none() {
            self.err(field.to_string(), "a task metric needs the service's demand (its metrics come from the load)");
        }
        if metric == Metric::RequestsPerTarget && service.load_balancer.is_none() {
            self.err(field.to_string(), "ALBRequestCountPerTarget needs the service's load_balancer");
        }
        metric
    }

    /// A customized metric: its name, its total's profile (the parts of a demand profile, in the metric's unit)
    /// and the statistic.
    fn custom_metric(&mut self, field: &str, spec: &CustomMetricSpec, scenario: &ScenarioSpec) -> CustomMetric {
        let name = spec.name.trim();
        if name.is_empty() || name.len() > 255 {
            // CloudWatch: "MetricName ... Length Constraints: Minimum length of 1. Maximum length of 255."
            self.err(format!("{field}.name"), "needs 1 to 255 characters");
        }
        let clock = start_clock(scenario);
        let profile = self.profile(&format!("{field}.profile"), &spec.profile, scenario.horizon_s, &clock);
        CustomMetric {
            name: name.chars().take(255).collect(),
            profile,
            statistic: spec.statistic.unwrap_or(crate::spec::Statistic::Average),
        }
    }

    pub(super) fn autoscaling(
        &mut self,
        field: &str,
        spec: &AutoscalingSpec,
        service: &ServiceSpec,
        quota: u32,
        scenario: &ScenarioSpec,
    ) -> Autoscaling {
        let (min, max) = (spec.min_capacity, spec.max_capacity);
        if max > quota.min(super::MAX_TASKS) {
            self.err(
                format!("{field}.max_capacity"),
                format!("{max} is above the tasks per service quota ({})", quota.min(super::MAX_TASKS)),
            );
        }
        if min > max {
            self.err(format!("{field}.min_capacity"), format!("{min} is above max_capacity ({max})"));
        } else if !(min..=max).contains(&service.desired_count) {
            self.err(
                field.replace(".autoscaling", ".desired_count"),
                format!("{} is outside the auto scaling range {min}..={max}", service.desired_count),
            );
        }
        // "Scaling policies per scalable target (both step scaling and target tracking policies): 50", not
        // adjustable (*Quotas for Application Auto Scaling*).
        let policy_count = spec.target_tracking.len() + spec.step_scaling.len();
        if policy_count > MAX_POLICIES {
            self.err(
                format!("{field}.target_tracking"),
                format!(
                    "{policy_count} target tracking and step scaling policies; at most {MAX_POLICIES} (the \
                     \"Scaling policies per scalable target\" quota)"
                ),
            );
            return Autoscaling {
                min,
                max: max.max(min),
                policies: Vec::new(),
                period_ms: secs_to_ms(d::METRIC_PERIOD_S),
                delay_ms: secs_to_ms(d::METRIC_DELAY_S),
                out_datapoints: d::TARGET_TRACKING_OUT_DATAPOINTS,
                in_datapoints: d::TARGET_TRACKING_IN_DATAPOINTS,
                scheduled: Vec::new(),
                steps: Vec::new(),
            };
        }
        let custom = spec.target_tracking.iter().any(|p| p.custom_metric.is_some());
        if service.demand.is_none() && service.worker.is_none() && !custom {
            self.err(
                field.to_string(),
                "target tracking needs the service's demand, worker or a custom_metric (its metrics come from the \
                 load, the queue or the custom metric's profile)",
            );
        }
        if spec.target_tracking.is_empty() && spec.step_scaling.is_empty() && spec.scheduled_actions.is_empty() {
            self.err(
                format!("{field}.target_tracking"),
                "needs a target tracking or step scaling policy, or scheduled actions",
            );
        }
        let high = |m: PredefinedMetric| {
            matches!(m, PredefinedMetric::CpuHighResolution | PredefinedMetric::MemoryHighResolution)
        };
        let metrics: Vec<PredefinedMetric> = spec
            .target_tracking
            .iter()
            .filter_map(|p| p.metric)
            .chain(spec.step_scaling.iter().map(|p| p.metric))
            .collect();
        let any_high = metrics.iter().any(|&m| high(m));
        if any_high && metrics.iter().any(|&m| !high(m)) {
            self.err(
                format!("{field}.target_tracking"),
                "mixes 20-second and 60-second metrics; use one resolution per service",
            );
        }
        let period_s = if any_high { d::HIGH_RESOLUTION_METRIC_PERIOD_S } else { d::METRIC_PERIOD_S };
        let policies = spec
            .target_tracking
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let f = format!("{field}.target_tracking[{i}]");
                let (metric, custom) = match (p.metric, &p.custom_metric) {
                    (Some(m), None) => (self.metric(&format!("{f}.metric"), m, service), None),
                    (None, Some(c)) => {
                        (Metric::Custom, Some(self.custom_metric(&format!("{f}.custom_metric"), c, scenario)))
                    }
                    _ => {
                        self.err(f.clone(), "needs exactly one of metric and custom_metric");
                        (Metric::Cpu, None)
                    }
                };
                // Percentages up to 100; counts, ages and custom metrics in their own units.
                let (min_target, max_target) = match metric {
                    Metric::Custom => (1e-6, 1e9),
                    m if m == Metric::RequestsPerTarget || m.is_queue() => (1.0, 1e9),
                    _ => (1.0, 100.0),
                };
                TargetTracking {
                    metric,
                    custom,
                    target: self.number(&format!("{f}.target"), p.target, min_target, max_target),
                    scale_out_cooldown_ms: self.seconds(
                        &format!("{f}.scale_out_cooldown_s"),
                        p.scale_out_cooldown_s.unwrap_or(d::SCALE_OUT_COOLDOWN_S),
                        0.0,
                        86_400.0,
                    ),
                    scale_in_cooldown_ms: self.seconds(
                        &format!("{f}.scale_in_cooldown_s"),
                        p.scale_in_cooldown_s.unwrap_or(d::SCALE_IN_COOLDOWN_S),
                        0.0,
                        86_400.0,
                    ),
                    disable_scale_in: p.disable_scale_in,
                }
            })
            .collect();
        let limit = quota.min(super::MAX_TASKS);
        let mut scheduled: Vec<ScheduledAction> = Vec::new();
        for (i, a) in spec.scheduled_actions.iter().enumerate() {
            let f = format!("{field}.scheduled_actions[{i}]");
            for (name, value) in [("min_capacity", a.min_capacity), ("max_capacity", a.max_capacity)] {
                if value.is_some_and(|v| v > limit) {
                    self.err(format!("{f}.{name}"), format!("above the tasks per service quota ({limit})"));
                }
            }
            if a.min_capacity.is_none() && a.max_capacity.is_none() {
                self.err(f.clone(), "sets neither min_capacity nor max_capacity");
            }
            if let (Some(lo), Some(hi)) = (a.min_capacity, a.max_capacity) {
                if lo > hi {
                    self.err(format!("{f}.min_capacity"), format!("{lo} is above max_capacity ({hi})"));
                }
            }
            let (min, max) = (a.min_capacity.map(|v| v.min(limit)), a.max_capacity.map(|v| v.min(limit)));
            let times = match (a.at_s, &a.schedule) {
                (Some(at_s), None) => vec![self.seconds(&format!("{f}.at_s"), at_s, 0.0, MAX_SCHEDULE_S)],
                // A recurring (or one-time) action from its Schedule expression: one action per firing within the
                // horizon, each as the one-time action at that moment.
                (None, Some(expr)) => {
                    let left = super::schedules::MAX_FIRINGS.saturating_sub(scheduled.len());
                    self.schedule_firings(&f, expr, a.time_zone.as_deref(), scenario, left)
                }
                _ => {
                    self.err(f.clone(), "needs exactly one of at_s and schedule");
                    Vec::new()
                }
            };
            scheduled.extend(times.into_iter().map(|at_ms| ScheduledAction { at_ms, min, max }));
        }
        crate::sort::sort_by_key(&mut scheduled, |a| a.at_ms);
        let steps = spec
            .step_scaling
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let f = format!("{field}.step_scaling[{i}]");
                let metric = self.metric(&format!("{f}.metric"), p.metric, service);
                // CloudWatch: "You can specify a value of up to 100" evaluation periods at one minute; M <= N.
                if !(1..=100).contains(&p.evaluation_periods) {
                    self.err(
                        format!("{f}.evaluation_periods"),
                        format!("must be between 1 and 100, got {}", p.evaluation_periods),
                    );
                }
                let n = p.evaluation_periods.clamp(1, 100);
                let m = p.datapoints_to_alarm.unwrap_or(n);
                if !(1..=n).contains(&m) {
                    self.err(
                        format!("{f}.datapoints_to_alarm"),
                        format!("must be between 1 and evaluation_periods ({n}), got {m}"),
                    );
                }
                if p.step_adjustments.is_empty() || p.step_adjustments.len() > 20 {
                    self.err(format!("{f}.step_adjustments"), "needs 1 to 20 steps");
                }
                let steps = p
                    .step_adjustments
                    .iter()
                    .enumerate()
                    .map(|(j, st)| {
                        let sf = format!("{f}.step_adjustments[{j}]");
                        let bound = |v: &mut Self, name: &str, b: Option<f64>| {
                            b.map(|b| v.number(&format!("{sf}.{name}"), b, -1e9, 1e9))
                        };
                        let (lo, hi) =
                            (bound(self, "lower_bound", st.lower_bound), bound(self, "upper_bound", st.upper_bound));
                        if let (Some(l), Some(h)) = (lo, hi) {
                            if l >= h {
                                self.err(format!("{sf}.upper_bound"), "must be above lower_bound");
                            }
                        }
                        if st.scaling_adjustment.unsigned_abs() > 1_000_000 {
                            self.err(format!("{sf}.scaling_adjustment"), "must be between -1000000 and 1000000");
                        }
                        (lo, hi, st.scaling_adjustment.clamp(-1_000_000, 1_000_000))
                    })
                    .collect();
                crate::demand::StepScaling {
                    metric,
                    comparison: p.comparison,
                    threshold: self.number(&format!("{f}.threshold"), p.threshold, -1e9, 1e9),
                    evaluation_periods: n as usize,
                    datapoints_to_alarm: m.clamp(1, n) as usize,
                    adjustment_type: p.adjustment_type,
                    steps,
                    cooldown_ms: self.seconds(
                        &format!("{f}.cooldown_s"),
                        p.cooldown_s.unwrap_or(d::SCALE_OUT_COOLDOWN_S),
                        0.0,
                        86_400.0,
                    ),
                }
            })
            .collect();
        Autoscaling {
            steps,
            scheduled,
            min,
            max: max.max(min),
            policies,
            period_ms: secs_to_ms(period_s),
            delay_ms: self.seconds(
                &format!("{field}.metric_delay_s"),
                spec.metric_delay_s.unwrap_or(d::METRIC_DELAY_S),
                0.0,
                3600.0,
            ),
            out_datapoints: d::TARGET_TRACKING_OUT_DATAPOINTS,
            in_datapoints: d::TARGET_TRACKING_IN_DATAPOINTS,
        }
    }
}
