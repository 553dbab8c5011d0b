//! Comparing runs: from the summaries of 2 to 4 labelled variants (A, B, C, D), the rows the page and the CLI
//! (`fleetplan compare`) both print. Each row is one figure a planner compares (completion, cost, failures, ...)
//! with its unit, its value in every variant, the difference to A (absolute and relative) and whether lower or
//! higher is better, so a difference can be marked better or worse. Rows no variant reports are left out.
//!
//! Pure: summaries in, rows out. The rows read [`Summary`] as `--json` prints it (already rounded), so the page's
//! comparison and the CLI's are the same numbers.

use serde::Serialize;

use crate::output::{BatchJobState, Summary};
use crate::text::mark;
use crate::time::duration_text;

/// Fewest and most variants in a comparison.
pub const MIN_VARIANTS: usize = 2;
pub const MAX_VARIANTS: usize = 4;
/// Longest variant label, in characters.
pub const MAX_LABEL_CHARS: usize = 40;

/// Which way a figure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Lower,
    Higher,
    /// Neither is better in itself (how many tasks were launched): the difference is shown, not judged.
    Neither,
}

/// The unit a row's values are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    #[serde(rename = "s")]
    Seconds,
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "USD/hour")]
    UsdPerHour,
    #[serde(rename = "USD/month")]
    UsdPerMonth,
    #[serde(rename = "%")]
    Percent,
    #[serde(rename = "tasks")]
    Tasks,
    #[serde(rename = "jobs")]
    Jobs,
    #[serde(rename = "requests")]
    Requests,
    #[serde(rename = "messages")]
    Messages,
    #[serde(rename = "count")]
    Count,
    #[serde(rename = "instance-s")]
    InstanceSeconds,
}

impl Unit {
    /// How a value in this unit reads ("1:02:03", "$0.1234", "12.5%", "1,000 tasks").
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Seconds | Unit::InstanceSeconds => duration_text(value),
            Unit::Usd => dollars(value, 4),
            Unit::UsdPerHour => format!("{}/h", dollars(value, 4)),
            Unit::UsdPerMonth => format!("{}/mo", dollars(value, 2)),
            Unit::Percent => format!("{value:.1}%"),
            Unit::Tasks | Unit::Jobs | Unit::Count => grouped(value),
            Unit::Requests | Unit::Messages => {
                if value.fract() == 0.0 {
                    grouped(value)
                } else {
                    format!("{value:.3}")
                }
            }
        }
    }

    /// How a difference in this unit reads, with its sign ("+12.0 s", "-$0.0100").
    pub fn format_difference(self, difference: f64) -> String {
        let sign = if difference < 0.0 { "-" } else { "+" };
        let magnitude = difference.abs();
        let text = match self {
            // A difference of times is a length of time: seconds below a minute, h:mm:ss above.
            Unit::Seconds | Unit::InstanceSeconds => duration_text(magnitude),
            _ => self.format(magnitude),
        };
        format!("{sign}{text}")
    }
}

/// Dollars with `decimals` decimals and thousands separators: $12,660.02, -$0.0100.
fn dollars(value: f64, decimals: usize) -> String {
    let text = format!("{:.decimals$}", value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let whole = whole.parse::<f64>().map_or_else(|_| whole.to_string(), grouped);
    let sign = if value < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') { "-" } else { "" };
    if fraction.is_empty() {
        format!("{sign}${whole}")
    } else {
        format!("{sign}${whole}.{fraction}")
    }
}

/// Whole numbers with thousands separators: 1,000.
fn grouped(value: f64) -> String {
    if !value.is_finite() || value.abs() >= 1e15 || value.fract() != 0.0 {
        return format!("{value}");
    }
    let text = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i > 0 && (text.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Whether a variant's value is better or worse than A's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Better,
    Worse,
    Same,
    /// Different, but the row has no better direction ([`Better::Neither`]).
    Different,
}

/// A variant's value against A's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The value minus A's; `null` when either has none (a completion never reached).
    pub absolute: Option<f64>,
    /// `absolute` as a percentage of A's value; `null` when A's is 0 or either has none.
    pub relative_percent: Option<f64>,
    pub verdict: Verdict,
}

/// One figure across the variants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Stable identifier (the summary field it reads, as a JSON path): `completion_s`, `costs.billed_usd`, ...
    pub key: &'static str,
    /// What people read: "Completion", "Steady cost per month", ...
    pub label: &'static str,
    pub unit: Unit,
    pub better: Better,
    /// The value per variant, in variant order; `null` where the variant has none (see `missing`).
    pub values: Vec<Option<f64>>,
    /// Per variant, why it has no value: "not reached" (a time that never came within the horizon), "none" (the
    /// variant has no such part, or no such figure); `null` where it has a value.
    pub missing: Vec<Option<&'static str>>,
    /// Per variant after A (B, C, D): its value against A's.
    pub differences: Vec<Difference>,
}

/// A comparison: the variants' labels and seeds, and the rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub variants: Vec<VariantHeader>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantHeader {
    pub label: String,
    pub scenario: String,
    pub seed: u64,
    /// Set when the run stopped before its horizon (its budget ran out): its figures are partial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_early: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompareError {
    /// Fewer than [`MIN_VARIANTS`] or more than [`MAX_VARIANTS`].
    VariantCount(usize),
}

impl std::fmt::Display for CompareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompareError::VariantCount(n) => {
                write!(f, "a comparison takes {MIN_VARIANTS} to {MAX_VARIANTS} variants, not {n}")
            }
        }
    }
}

impl std::error::Error for CompareError {}

/// Every row's label, in the order printed (the page translates them; its tests check each has Japanese).
pub fn row_labels() -> impl Iterator<Item = &'static str> {
    FIGURES.iter().map(|f| f.label)
}

/// The default label of the variant at `index`: A, B, C, D.
pub fn default_label(index: usize) -> String {
    char::from(b'A' + u8::try_from(index.min(25)).unwrap_or(25)).to_string()
}

/// A figure read from one summary.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Reading {
    Value(f64),
    /// A time never reached within the horizon: worse than any time (on a lower-is-better row).
    Never,
    /// The variant has no such figure (no Batch, no demand, no steady state): nothing to compare.
    Absent,
}

impl Reading {
    fn value(self) -> Option<f64> {
        match self {
            Reading::Value(v) => Some(v),
            Reading::Never | Reading::Absent => None,
        }
    }

    fn missing(self) -> Option<&'static str> {
        match self {
            Reading::Value(_) => None,
            Reading::Never => Some(mark("not reached")),
            Reading::Absent => Some(mark("none")),
        }
    }
}

/// A time of a part the variant has: never reached when it is `None`.
fn time(value: Option<f64>) -> Reading {
    value.map_or(Reading::Never, Reading::Value)
}

enum Read {
    /// Absent when `None`.
    Optional(fn(&Summary) -> Option<f64>),
    Reading(fn(&Summary) -> Reading),
}

/// A figure: how to read it from a summary.
struct Figure {
    key: &'static str,
    label: &'static str,
    unit: Unit,
    better: Better,
    /// Left out when it is 0 in every variant (a tally of something that did not happen anywhere, like failed
    /// launches), so the table shows what matters.
    hide_if_zero: bool,
    read: Read,
}

impl Figure {
    fn read(&self, s: &Summary) -> Reading {
        match self.read {
            Read::Optional(read) => read(s).map_or(Reading::Absent, Reading::Value),
            Read::Reading(read) => read(s),
        }
    }
}

const fn figure(
    key: &'static str,
    label: &'static str,
    unit: Unit,
    better: Better,
    read: fn(&Summary) -> Option<f64>,
) -> Figure {
    Figure { key, label, unit, better, hide_if_zero: false, read: Read::Optional(read) }
}

/// A time that may never come: `read` says when it is absent and when never reached.
const fn timed(key: &'static str, label: &'static str, read: fn(&Summary) -> Reading) -> Figure {
    Figure { key, label, unit: Unit::Seconds, better: Better::Lower, hide_if_zero: false, read: Read::Reading(read) }
}

const fn tally(mut f: Figure) -> Figure {
    f.hide_if_zero = true;
    f
}

fn sum<T>(items: &[T], value: impl Fn(&T) -> f64) -> Option<f64> {
    (!items.is_empty()).then(|| round(items.iter().map(value).sum(), 1e6))
}

fn max<T>(items: &[T], value: impl Fn(&T) -> f64) -> Option<f64> {
    items.iter().map(value).reduce(f64::max)
}

fn round(value: f64, scale: f64) -> f64 {
    (value * scale).round() / scale
}

fn batch_state(s: &Summary, state: BatchJobState) -> Option<f64> {
    let batch = s.batch.as_ref()?;
    Some(batch.jobs_by_state.iter().filter(|c| c.state == state).map(|c| c.jobs as f64).sum())
}

/// Every figure compared, in the order printed: time, then cost, then tasks and what went wrong, then the parts a
/// scenario may not have (commitments, demand, queues, schedules, CPU credits, AWS Batch).
const FIGURES: &[Figure] = &[
    // ---- Time ----
    timed("completion_s", "Completion", |s| time(s.completion_s)),
    timed("costs.rollout_s", "First rollout steady", |s| {
        if s.services.is_empty() {
            Reading::Absent
        } else {
            time(s.costs.rollout_s)
        }
    }),
    figure("costs.steady_since_s", "Steady since", Unit::Seconds, Better::Lower, |s| s.costs.steady_since_s),
    // ---- Cost ----
    figure("cost_usd", "Cost of the run", Unit::Usd, Better::Lower, |s| Some(s.cost_usd)),
    figure("costs.billed_usd", "Billed (with commitments)", Unit::Usd, Better::Lower, |s| {
        s.commitments.as_ref().map(|_| s.costs.billed_usd)
    }),
    figure("costs.rollout_usd", "Rollout cost", Unit::Usd, Better::Lower, |s| s.costs.rollout_usd),
    figure("average_cost_per_hour_usd", "Average cost per hour", Unit::UsdPerHour, Better::Lower, |s| {
        Some(s.average_cost_per_hour_usd)
    }),
    figure("costs.steady_per_hour_usd", "Steady cost per hour", Unit::UsdPerHour, Better::Lower, |s| {
        s.costs.steady_per_hour_usd
    }),
    figure("costs.steady_per_month_usd", "Steady cost per month", Unit::UsdPerMonth, Better::Lower, |s| {
        s.costs.steady_per_month_usd
    }),
    figure("costs.on_demand_baseline_usd", "All On-Demand baseline", Unit::Usd, Better::Neither, |s| {
        Some(s.costs.on_demand_baseline_usd)
    }),
    figure("costs.savings_vs_on_demand_usd", "Savings vs On-Demand", Unit::Usd, Better::Higher, |s| {
        Some(s.costs.savings_vs_on_demand_usd)
    }),
    figure("costs.savings_vs_on_demand_percent", "Savings vs On-Demand (share)", Unit::Percent, Better::Higher, |s| {
        Some(s.costs.savings_vs_on_demand_percent)
    }),
    figure("commitments.savings_usd", "Commitments saved", Unit::Usd, Better::Higher, |s| {
        s.commitments.as_ref().map(|c| c.savings_usd)
    }),
    figure("commitments.unused_usd", "Commitments unused", Unit::Usd, Better::Lower, |s| {
        s.commitments.as_ref().map(|c| c.unused_usd)
    }),
    // ---- Tasks and what went wrong ----
    figure("tasks_launched", "Tasks launched", Unit::Tasks, Better::Neither, |s| Some(s.tasks_launched as f64)),
    figure("tasks_started", "Tasks started", Unit::Tasks, Better::Neither, |s| Some(s.tasks_started as f64)),
    figure("tasks_failed", "Tasks failed", Unit::Tasks, Better::Lower, |s| Some(s.tasks_failed as f64)),
    figure("interruptions", "Interruptions", Unit::Tasks, Better::Lower, |s| Some(s.interruptions as f64)),
    figure("replacements", "Replacements", Unit::Tasks, Better::Lower, |s| Some(s.replacements as f64)),
    tally(figure("quota_hits.refused", "Launches refused by quotas", Unit::Count, Better::Lower, |s| {
        Some(s.quota_hits.iter().map(|q| q.refused as f64).sum())
    })),
    tally(figure(
        "failed_launches.launches",
        "Instance launches failed (no capacity)",
        Unit::Count,
        Better::Lower,
        |s| Some(s.failed_launches.iter().map(|f| f.launches as f64).sum()),
    )),
    tally(figure("run_tasks.throttled", "RunTask tasks given up (throttled)", Unit::Tasks, Better::Lower, |s| {
        Some(s.run_tasks.iter().map(|r| f64::from(r.throttled)).sum())
    })),
    // ---- Demand ----
    figure("demand.unserved_requests", "Unserved load", Unit::Requests, Better::Lower, |s| {
        sum(&s.demand, |d| d.unserved_requests)
    }),
    figure("demand.unserved_percent", "Unserved load", Unit::Percent, Better::Lower, |s| {
        let offered: f64 = s.demand.iter().map(|d| d.offered_requests).sum();
        let unserved: f64 = s.demand.iter().map(|d| d.unserved_requests).sum();
        (!s.demand.is_empty()).then(|| if offered > 0.0 { round(unserved / offered * 100.0, 1e3) } else { 0.0 })
    }),
    figure("demand.peak_utilization_percent", "Peak CPU utilisation", Unit::Percent, Better::Lower, |s| {
        max(&s.demand, |d| d.peak_utilization_percent)
    }),
    figure("demand.saturated_s", "Time saturated", Unit::Seconds, Better::Lower, |s| sum(&s.demand, |d| d.saturated_s)),
    figure("demand.scaling_actions", "Scaling actions", Unit::Count, Better::Neither, |s| {
        sum(&s.demand, |d| d.scaling_actions as f64)
    }),
    figure("demand.overload_failures", "Tasks failed by overload", Unit::Tasks, Better::Lower, |s| {
        sum(&s.demand, |d| d.overload_failures as f64)
    }),
    // ---- SQS queues ----
    figure("queues.max_age_s", "Oldest message", Unit::Seconds, Better::Lower, |s| max(&s.queues, |q| q.max_age_s)),
    figure("queues.max_visible", "Largest backlog", Unit::Messages, Better::Lower, |s| {
        max(&s.queues, |q| q.max_visible)
    }),
    figure("queues.dead_lettered", "Dead-lettered", Unit::Messages, Better::Lower, |s| {
        sum(&s.queues, |q| q.dead_lettered)
    }),
    // ---- EventBridge schedules ----
    figure("schedules.dropped", "Schedule firings dropped", Unit::Count, Better::Lower, |s| {
        sum(&s.schedules, |x| f64::from(x.dropped))
    }),
    figure("schedules.throttled_calls", "Schedule calls throttled", Unit::Count, Better::Lower, |s| {
        sum(&s.schedules, |x| x.throttled_calls as f64)
    }),
    // ---- CPU credits ----
    figure("cpu_credits.throttled_instance_s", "Instances throttled", Unit::InstanceSeconds, Better::Lower, |s| {
        sum(&s.cpu_credits, |c| c.throttled_instance_s)
    }),
    figure("cpu_credits.surplus_charged_usd", "Surplus credits charged", Unit::Usd, Better::Lower, |s| {
        sum(&s.cpu_credits, |c| c.surplus_charged_usd)
    }),
    // ---- AWS Batch ----
    timed("batch.makespan_s", "Batch makespan", |s| s.batch.as_ref().map_or(Reading::Absent, |b| time(b.makespan_s))),
    figure("batch.cost_per_job_usd", "Batch cost per job", Unit::Usd, Better::Lower, |s| {
        s.batch.as_ref().and_then(|b| b.cost_per_job_usd)
    }),
    figure("batch.cost_usd", "Batch cost", Unit::Usd, Better::Lower, |s| s.batch.as_ref().map(|b| b.cost_usd)),
    figure("batch.wait_p50_s", "Batch wait p50", Unit::Seconds, Better::Lower, |s| {
        s.batch.as_ref().and_then(|b| b.wait_p50_s)
    }),
    figure("batch.wait_p95_s", "Batch wait p95", Unit::Seconds, Better::Lower, |s| {
        s.batch.as_ref().and_then(|b| b.wait_p95_s)
    }),
    figure("batch.succeeded", "Batch jobs succeeded", Unit::Jobs, Better::Higher, |s| {
        batch_state(s, BatchJobState::Succeeded)
    }),
    figure("batch.failed", "Batch jobs failed", Unit::Jobs, Better::Lower, |s| batch_state(s, BatchJobState::Failed)),
    figure("batch.retries", "Batch retries", Unit::Count, Better::Lower, |s| {
        s.batch.as_ref().map(|b| b.retries as f64)
    }),
    figure("batch.spot_reclaims", "Batch Spot reclaims", Unit::Count, Better::Lower, |s| {
        s.batch.as_ref().map(|b| b.spot_reclaims as f64)
    }),
];

/// Two values are the same when they differ by less than this share of the larger (the summaries are rounded, so
/// this only absorbs floating-point noise in sums).
const SAME_TOLERANCE: f64 = 1e-9;

/// `value` against `a` on a row that is better `better`.
fn difference(a: Reading, value: Reading, better: Better) -> Difference {
    match (a, value) {
        (Reading::Value(a), Reading::Value(v)) => {
            let absolute = round(v - a, 1e6);
            let same = (v - a).abs() <= SAME_TOLERANCE * a.abs().max(v.abs()).max(1.0);
            let relative_percent = (a != 0.0).then(|| round((v - a) / a.abs() * 100.0, 1e2));
            let verdict = match (same, better) {
                (true, _) => Verdict::Same,
                (false, Better::Neither) => Verdict::Different,
                (false, Better::Lower) if v < a => Verdict::Better,
                (false, Better::Higher) if v > a => Verdict::Better,
                (false, _) => Verdict::Worse,
            };
            Difference { absolute: if same { Some(0.0) } else { Some(absolute) }, relative_percent, verdict }
        }
        (a, v) => {
            // A time never reached is worse than any time; reaching one A never reached is better.
            let verdict = match (a, v, better) {
                _ if a == v => Verdict::Same,
                (Reading::Never, Reading::Value(_), Better::Lower) => Verdict::Better,
                (Reading::Value(_), Reading::Never, Better::Lower) => Verdict::Worse,
                _ => Verdict::Different,
            };
            Difference { absolute: None, relative_percent: None, verdict }
        }
    }
}

/// The comparison of 2 to 4 variants, each a label and its run's summary, A first.
pub fn compare(variants: &[(&str, &Summary)]) -> Result<Comparison, CompareError> {
    if !(MIN_VARIANTS..=MAX_VARIANTS).contains(&variants.len()) {
        return Err(CompareError::VariantCount(variants.len()));
    }
    let headers = variants
        .iter()
        .map(|(label, s)| VariantHeader {
            label: (*label).to_string(),
            scenario: s.scenario.clone(),
            seed: s.seed,
            stopped_early: s.stopped_early.as_ref().map(|e| e.reason.clone()),
        })
        .collect();
    let rows = FIGURES
        .iter()
        .filter_map(|f| {
            let readings: Vec<Reading> = variants.iter().map(|(_, s)| f.read(s)).collect();
            if readings.iter().all(|r| *r == Reading::Absent) {
                return None;
            }
            if f.hide_if_zero && readings.iter().all(|r| matches!(r, Reading::Absent | Reading::Value(0.0))) {
                return None;
            }
            Some(Row {
                key: f.key,
                label: f.label,
                unit: f.unit,
                better: f.better,
                values: readings.iter().map(|r| r.value()).collect(),
                missing: readings.iter().map(|r| r.missing()).collect(),
                differences: readings[1..].iter().map(|v| difference(readings[0], *v, f.better)).collect(),
            })
        })
        .collect();
    Ok(Comparison { variants: headers, rows })
}

impl Row {
    /// The value of variant `index` as people read it.
    pub fn value_text(&self, index: usize) -> String {
        match self.values.get(index).copied().flatten() {
            Some(v) => self.unit.format(v),
            None => self.missing.get(index).copied().flatten().unwrap_or("none").to_string(),
        }
    }

    /// The difference of variant `index` (1 = B) to A as people read it: "+12.0 s (+5.0%)", "same", "—".
    pub fn difference_text(&self, index: usize) -> String {
        let Some(d) = index.checked_sub(1).and_then(|i| self.differences.get(i)) else { return String::new() };
        match (d.verdict, d.absolute, d.relative_percent) {
            (Verdict::Same, _, _) => mark("same").to_string(),
            (_, Some(abs), Some(rel)) => format!("{} ({rel:+.1}%)", self.unit.format_difference(abs)),
            (_, Some(abs), None) => self.unit.format_difference(abs),
            (_, None, _) => "—".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    fn summary(preset: &str, seed: u64) -> Summary {
        crate::run(presets::get(preset).unwrap().scenario().unwrap(), seed)
    }

    fn row<'a>(c: &'a Comparison, key: &str) -> &'a Row {
        c.rows.iter().find(|r| r.key == key).unwrap_or_else(|| panic!("no row {key}"))
    }

    #[test]
    fn takes_two_to_four_variants() {
        let s = summary("fargate-ondemand-1000", 1);
        assert_eq!(compare(&[("A", &s)]).unwrap_err(), CompareError::VariantCount(1));
        assert!(compare(&[("A", &s), ("B", &s)]).is_ok());
        assert!(compare(&[("A", &s), ("B", &s), ("C", &s), ("D", &s)]).is_ok());
        let five = [("A", &s), ("B", &s), ("C", &s), ("D", &s), ("E", &s)];
        assert_eq!(compare(&five).unwrap_err().to_string(), "a comparison takes 2 to 4 variants, not 5");
    }

    #[test]
    fn identical_runs_are_the_same_on_every_row() {
        let s = summary("fargate-ondemand-1000", 1);
        let c = compare(&[("A", &s), ("B", &s)]).unwrap();
        assert!(!c.rows.is_empty());
        for r in &c.rows {
            assert_eq!(r.values[0], r.values[1], "{}", r.key);
            assert_eq!(r.differences[0].verdict, Verdict::Same, "{}", r.key);
            assert_eq!(r.difference_text(1), "same");
        }
    }

    #[test]
    fn differences_are_to_a_and_judged_by_direction() {
        let a = summary("fargate-ondemand-1000", 1);
        let b = summary("fargate-spot-1000", 1);
        let c = compare(&[("On-Demand", &a), ("Spot", &b)]).unwrap();
        let cost = row(&c, "cost_usd");
        assert_eq!(cost.values, vec![Some(a.cost_usd), Some(b.cost_usd)]);
        let d = &cost.differences[0];
        let expected = round(b.cost_usd - a.cost_usd, 1e6);
        assert_eq!(d.absolute, Some(expected));
        assert_eq!(d.relative_percent, Some(round((b.cost_usd - a.cost_usd) / a.cost_usd * 100.0, 1e2)));
        let expected = if b.cost_usd < a.cost_usd { Verdict::Better } else { Verdict::Worse };
        assert_eq!(d.verdict, expected);
        // Once up, Spot costs less per hour: better.
        let steady = row(&c, "costs.steady_per_hour_usd");
        assert!(steady.values[1] < steady.values[0], "{:?}", steady.values);
        assert_eq!(steady.differences[0].verdict, Verdict::Better);
        // It takes longer to complete: worse.
        assert_eq!(row(&c, "completion_s").differences[0].verdict, Verdict::Worse);
        let savings = row(&c, "costs.savings_vs_on_demand_usd");
        assert_eq!(savings.better, Better::Higher);
        assert_eq!(savings.differences[0].verdict, Verdict::Better, "Spot saves more against On-Demand");
        let launched = row(&c, "tasks_launched");
        assert!(matches!(launched.differences[0].verdict, Verdict::Same | Verdict::Different));
        assert_eq!(c.variants[1].label, "Spot");
        assert_eq!(c.variants[1].scenario, b.scenario);
    }

    #[test]
    fn the_direction_decides_better_and_worse() {
        use Reading::{Absent, Never, Value};
        let d = difference(Value(10.0), Value(12.0), Better::Lower);
        assert_eq!((d.absolute, d.relative_percent, d.verdict), (Some(2.0), Some(20.0), Verdict::Worse));
        let d = difference(Value(10.0), Value(12.0), Better::Higher);
        assert_eq!(d.verdict, Verdict::Better);
        let d = difference(Value(10.0), Value(12.0), Better::Neither);
        assert_eq!(d.verdict, Verdict::Different);
        // From 0 there is no relative difference.
        let d = difference(Value(0.0), Value(3.0), Better::Lower);
        assert_eq!((d.absolute, d.relative_percent, d.verdict), (Some(3.0), None, Verdict::Worse));
        // A completion never reached is worse than any; reaching one A never reached is better.
        assert_eq!(difference(Value(5.0), Never, Better::Lower).verdict, Verdict::Worse);
        assert_eq!(difference(Never, Value(5.0), Better::Lower).verdict, Verdict::Better);
        assert_eq!(difference(Never, Never, Better::Lower).verdict, Verdict::Same);
        // A part one variant lacks is different, not better or worse.
        assert_eq!(difference(Absent, Value(5.0), Better::Lower).verdict, Verdict::Different);
        assert_eq!(difference(Absent, Never, Better::Lower).verdict, Verdict::Different);
    }

    #[test]
    fn rows_no_variant_has_are_left_out() {
        let a = summary("fargate-ondemand-1000", 1);
        let c = compare(&[("A", &a), ("B", &a)]).unwrap();
        assert!(a.batch.is_none() && a.demand.is_empty());
        for r in &c.rows {
            assert!(!r.key.starts_with("batch.") && !r.key.starts_with("demand."), "{}", r.key);
        }
        assert!(c.rows.iter().all(|r| r.key != "quota_hits.refused"), "a tally of nothing is left out");
        // Completion is always there, even when no variant reached it.
        assert!(c.rows.iter().any(|r| r.key == "completion_s"));
    }

    #[test]
    fn a_part_one_variant_has_shows_with_none_in_the_other() {
        let batch = "batch-fargate-vs-ec2-short-jobs";
        let a = summary("fargate-ondemand-1000", 1);
        let b = summary(batch, 1);
        let c = compare(&[("A", &a), ("B", &b)]).unwrap();
        let makespan = row(&c, "batch.makespan_s");
        assert_eq!(makespan.values[0], None);
        assert_eq!(makespan.value_text(0), "none", "A has no Batch: no makespan, not one never reached");
        assert_eq!(makespan.differences[0].verdict, Verdict::Different);
        // A has services and B none: no rollout to compare.
        assert_eq!(row(&c, "costs.rollout_s").value_text(1), "none");
        let cost = row(&c, "batch.cost_usd");
        assert_eq!(cost.values[0], None);
        assert_eq!(cost.value_text(0), "none");
        assert_eq!(cost.differences[0].verdict, Verdict::Different);
    }

    #[test]
    fn values_and_differences_read_in_their_units() {
        assert_eq!(Unit::Seconds.format(45.26), "45.3 s");
        assert_eq!(Unit::Usd.format(1.5), "$1.5000");
        assert_eq!(Unit::UsdPerMonth.format(1234.567), "$1,234.57/mo");
        assert_eq!(Unit::Usd.format(-0.01), "-$0.0100");
        assert_eq!(Unit::Usd.format(-0.00001), "$0.0000");
        assert_eq!(Unit::Tasks.format(1000.0), "1,000");
        assert_eq!(Unit::Tasks.format(-1234567.0), "-1,234,567");
        assert_eq!(Unit::Seconds.format_difference(-12.0), "-12.0 s");
        assert_eq!(Unit::Usd.format_difference(0.01), "+$0.0100");
        let r = Row {
            key: "k",
            label: "l",
            unit: Unit::Seconds,
            better: Better::Lower,
            values: vec![Some(10.0), Some(12.0), None],
            missing: vec![None, None, Some("not reached")],
            differences: vec![
                difference(Reading::Value(10.0), Reading::Value(12.0), Better::Lower),
                difference(Reading::Value(10.0), Reading::Never, Better::Lower),
            ],
        };
        assert_eq!(r.difference_text(1), "+2.0 s (+20.0%)");
        assert_eq!(r.difference_text(2), "—");
        assert_eq!(r.value_text(2), "not reached");
        assert_eq!(r.difference_text(0), "");
    }

    #[test]
    fn default_labels_are_letters() {
        assert_eq!((0..4).map(default_label).collect::<Vec<_>>(), ["A", "B", "C", "D"]);
    }
}
