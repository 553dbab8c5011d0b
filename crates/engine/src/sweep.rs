//! Sweeps (issue 12): one scenario run over a grid of values of one or two numeric fields and over several seeds,
//! the outcomes of every run, their spread per point, and the answer to a goal ("the cheapest value that completes
//! within 300 s in 95% of seeds").
//!
//! Pure like the rest of the engine: no threads, no IO. A shell (the CLI's `fleetplan sweep`, later the page's
//! workers) asks a [`Sweep`] how many runs it has, executes runs by index in any order and on any number of
//! threads ([`Sweep::execute`]), and hands the results back **in run-index order** to [`runs_csv`] and [`report`];
//! every decision (which value, which seed, how values round, which statistic, which answer) is made here, so every
//! shell prints the same numbers. A sweep too large for one machine runs in shards ([`Shard`], [`Part`]) whose
//! parts [`merge`] back into exactly the results of the unsharded sweep.
//!
//! Run order: run `r` is point `r / seeds` with seed `base_seed + r % seeds` (wrapping at `u64::MAX`); with two
//! axes, point `p` has the first axis's step `p / steps₂` and the second's `p % steps₂` (the first axis varies
//! slowest). Values are applied to the scenario JSON by the paths the validator's field errors print
//! (`services[0].desired_count`, `batch.compute_environments[1].max_vcpus`), then validated as usual.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

use crate::narrow;
use crate::output::Summary;
use crate::scenario::{Scenario, ScenarioError};
use crate::spec::ScenarioSpec;
use crate::{RunOptions, Simulation};

#[cfg(test)]
mod tests;

/// The most runs (points x seeds) one sweep may have. A shell holds every run's outcomes to aggregate them (30
/// numbers a run: ~25 MB at the cap, and a CSV of ~30 MB) and a merged sweep holds them all at once, so the cap
/// bounds memory; 100,000 runs is the "sweep that does not fit one laptop", run as shards. A larger study
/// is several sweeps.
pub const MAX_RUNS: u64 = 100_000;
/// A grid has one or two axes.
pub const MAX_AXES: usize = 2;
/// Requirements of one goal (`--require`), each a condition every seed is checked against.
pub const MAX_REQUIREMENTS: usize = 8;
/// The most histogram bins of a distribution (see [`Histogram`]).
pub const MAX_BINS: usize = 20;
/// The most shards a sweep may be split into (one run per shard at [`MAX_RUNS`]).
pub const MAX_SHARDS: u32 = 100_000;

/// Why a sweep cannot be built, run or merged: the setting it is about and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepError {
    /// `--set services[0].desired_count`, `--seeds`, `runs`, `point 3 (services[0].desired_count=250)`, ...
    pub field: String,
    pub message: String,
}

impl SweepError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> SweepError {
        SweepError { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for SweepError {}

// ---------------------------------------------------------------------------------------------------------------
// Field paths

/// One step of a field path: an object key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// Parses `services[0].desired_count` into its segments: keys separated by `.`, list indices in `[...]`, as
/// `FieldError`s print them (the validator's `format!("services[{i}].name")`, the format errors' `format_path`).
pub(crate) fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut rest = path;
    let mut expect_key = true;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let close = after.find(']').ok_or_else(|| format!("`[` without `]` in `{path}`"))?;
            let digits = &after[..close];
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("`[{digits}]` in `{path}` is not a list index (a number such as [0])"));
            }
            let index =
                digits.parse::<usize>().map_err(|_| format!("the index `[{digits}]` in `{path}` is too large"))?;
            segments.push(Segment::Index(index));
            rest = &after[close + 1..];
            expect_key = false;
            continue;
        }
        if !expect_key {
            rest = rest.strip_prefix('.').ok_or_else(|| format!("expected `.` or `[` at `{rest}` in `{path}`"))?;
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let key = &rest[..end];
        if key.is_empty() {
            return Err(format!("an empty field name in `{path}`"));
        }
        segments.push(Segment::Key(key.to_string()));
        rest = &rest[end..];
        expect_key = false;
    }
    if segments.is_empty() {
        return Err("the field path is empty".into());
    }
    Ok(segments)
}

/// The path of the first `n` segments, as the validator would print it.
pub(crate) fn path_prefix(segments: &[Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Sets the field at `segments` to `value`. Every segment but the last must exist; the last may be missing from
/// its object (an optional setting left at its default, such as `limits.tasks_per_service`) and is then added.
/// An existing field must hold a number.
pub(crate) fn set_number(root: &mut Value, segments: &[Segment], value: Number) -> Result<(), String> {
    let (last, parents) = segments.split_last().ok_or("the field path is empty")?;
    let mut at = root;
    for (depth, segment) in parents.iter().enumerate() {
        let here = path_prefix(&segments[..=depth]);
        at = match (segment, at) {
            (Segment::Key(k), Value::Object(map)) => {
                map.get_mut(k).ok_or_else(|| format!("`{here}` is not in the scenario"))?
            }
            (Segment::Index(i), Value::Array(list)) => {
                let len = list.len();
                list.get_mut(*i)
                    .ok_or_else(|| format!("`{here}` is not in the scenario (the list has {len} item(s))"))?
            }
            (Segment::Key(_), other) => return Err(format!("`{here}`: the field before it is {}", kind_of(other))),
            (Segment::Index(_), other) => return Err(format!("`{here}`: the field before it is {}", kind_of(other))),
        };
    }
    let here = path_prefix(segments);
    match (last, at) {
        (Segment::Key(k), Value::Object(map)) => match map.get_mut(k) {
            Some(Value::Number(n)) => *n = value,
            Some(other) => return Err(format!("`{here}` is {}, not a number", kind_of(other))),
            None => {
                map.insert(k.clone(), Value::Number(value));
            }
        },
        (Segment::Index(i), Value::Array(list)) => {
            let len = list.len();
            match list.get_mut(*i) {
                Some(Value::Number(n)) => *n = value,
                Some(other) => return Err(format!("`{here}` is {}, not a number", kind_of(other))),
                None => return Err(format!("`{here}` is not in the scenario (the list has {len} item(s))")),
            }
        }
        (_, other) => return Err(format!("`{here}`: the field before it is {}", kind_of(other))),
    }
    Ok(())
}

/// Reads a spec from JSON the way `Scenario::from_json` does (the same format errors, naming the field): through
/// the JSON text and the very parser `from_json` uses, so the browser build carries one copy of the scenario
/// format's deserializer rather than a second one over `Value` (about 60 KiB of the gzipped wasm). Exact: a number
/// is written in Rust's shortest form and serde_json's `float_roundtrip` (Cargo.toml) reads it back to the same bits.
pub(crate) fn spec_of(value: Value) -> Result<ScenarioSpec, ScenarioError> {
    let text = serde_json::to_string(&value)
        .map_err(|e| ScenarioError::Format(crate::FieldError { field: "scenario".into(), message: e.to_string() }))?;
    crate::scenario::parse_spec(&text).map_err(|e| match e {
        ScenarioError::Format(mut f) => {
            f.message = without_position(&f.message).to_string();
            ScenarioError::Format(f)
        }
        other => other,
    })
}

/// A serde_json message without its " at line 1 column 345" (a place in text the user never saw).
fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i)
            if message[i + 9..].split(" column ").all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            &message[..i]
        }
        _ => message,
    }
}

/// Whether a field takes any number or only whole numbers: decided by the scenario format itself, by setting the
/// field to 0.5 and then to 1 and reading the result (a field the format does not know, or that is not a number,
/// refuses both and the format's message says why).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NumberKind {
    Float,
    Integer,
}

pub(crate) fn probe_kind(base: &Value, segments: &[Segment]) -> Result<NumberKind, String> {
    let attempt = |n: Number| -> Result<(), String> {
        let mut v = base.clone();
        set_number(&mut v, segments, n)?;
        spec_of(v).map(|_| ()).map_err(|e| match e {
            ScenarioError::Format(f) => f.message,
            other => other.to_string(),
        })
    };
    let half = Number::from_f64(0.5).ok_or("0.5 is a number")?;
    if attempt(half).is_ok() {
        return Ok(NumberKind::Float);
    }
    match attempt(Number::from(1u64)) {
        Ok(()) => Ok(NumberKind::Integer),
        Err(message) => Err(format!("not a numeric field of the scenario format: {message}")),
    }
}

/// The JSON number a point's value becomes: itself for a field that takes any number; for a whole-number field,
/// rounded to the nearest integer, halves away from zero (2.5 → 3, −2.5 → −3).
pub(crate) fn number_for(kind: NumberKind, value: f64) -> Option<Number> {
    match kind {
        NumberKind::Float => Number::from_f64(value),
        NumberKind::Integer => {
            let r = libm::round(value);
            if r >= 0.0 {
                (r < 1.8e19).then(|| Number::from(narrow::round_u64(r)))
            } else {
                (r > -9.2e18).then(|| Number::from(narrow::round_i64(r)))
            }
        }
    }
}

/// The value a point gives a field, as the run sees it (rounded for an integer field).
pub(crate) fn applied(kind: NumberKind, value: f64) -> f64 {
    match kind {
        NumberKind::Float => value,
        NumberKind::Integer => libm::round(value),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The sweep's settings

/// How an axis's points are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// Evenly: `from + (to - from) * i / (steps - 1)`.
    Linear,
    /// Evenly in the logarithm: `from * (to / from) ^ (i / (steps - 1))`; `from` and `to` must be above 0.
    Log,
}

/// One axis: a field path and the values it takes, `PATH=FROM..TO:STEPS[:log]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub path: String,
    pub from: f64,
    pub to: f64,
    pub steps: u32,
    pub scale: Scale,
}

impl Axis {
    /// Parses `services[0].desired_count=100..2000:20` or `limits.run_task_api.refill_per_s=1..100:5:log`.
    pub fn parse(text: &str) -> Result<Axis, SweepError> {
        let field = format!("--set {text}");
        let err = |m: &str| SweepError::new(&field, m);
        let (path, range) = text.split_once('=').ok_or_else(|| err("expected PATH=FROM..TO:STEPS[:log]"))?;
        let path = path.trim();
        parse_path(path).map_err(|m| err(&m))?;
        let (bounds, rest) =
            range.split_once(':').ok_or_else(|| err("expected :STEPS after the range (PATH=FROM..TO:STEPS[:log])"))?;
        let (from, to) = bounds.split_once("..").ok_or_else(|| err("expected a range FROM..TO"))?;
        let number = |s: &str, what: &str| -> Result<f64, SweepError> {
            let v: f64 = s.trim().parse().map_err(|_| err(&format!("{what} `{}` is not a number", s.trim())))?;
            if v.is_finite() {
                Ok(v)
            } else {
                Err(err(&format!("{what} must be a finite number")))
            }
        };
        let from = number(from, "FROM")?;
        let to = number(to, "TO")?;
        let (steps, scale) = match rest.split_once(':') {
            None => (rest, Scale::Linear),
            Some((steps, "log")) => (steps, Scale::Log),
            Some((steps, "linear")) => (steps, Scale::Linear),
            Some((_, other)) => return Err(err(&format!("unknown scale `{other}` (expected `log` or `linear`)"))),
        };
        let steps: u32 =
            steps.trim().parse().map_err(|_| err(&format!("STEPS `{}` is not a whole number", steps.trim())))?;
        if steps == 0 {
            return Err(err("STEPS must be at least 1"));
        }
        if u64::from(steps) > MAX_RUNS {
            return Err(err(&format!("STEPS must be at most {MAX_RUNS}, the most runs a sweep may have")));
        }
        if scale == Scale::Log && (from <= 0.0 || to <= 0.0) {
            return Err(err("a log range needs FROM and TO above 0"));
        }
        Ok(Axis { path: path.to_string(), from, to, steps, scale })
    }

    /// The canonical text of the axis (what [`Axis::parse`] reads back to the identical axis: Rust prints an
    /// `f64` with the fewest digits that read back exactly).
    pub fn text(&self) -> String {
        let scale = match self.scale {
            Scale::Linear => "",
            Scale::Log => ":log",
        };
        format!("{}={}..{}:{}{scale}", self.path, self.from, self.to, self.steps)
    }

    /// The value of step `i` (0-based) before rounding. One step is `from`; the last of several is exactly `to`.
    pub fn value(&self, i: u32) -> f64 {
        if self.steps <= 1 || i == 0 {
            return self.from;
        }
        if i + 1 >= self.steps {
            return self.to;
        }
        let t = f64::from(i) / f64::from(self.steps - 1);
        match self.scale {
            Scale::Linear => self.from + (self.to - self.from) * t,
            Scale::Log => self.from * libm::pow(self.to / self.from, t),
        }
    }
}

/// A comparison in a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Le,
    Lt,
    Ge,
    Gt,
}

impl Cmp {
    fn text(self) -> &'static str {
        match self {
            Cmp::Le => "<=",
            Cmp::Lt => "<",
            Cmp::Ge => ">=",
            Cmp::Gt => ">",
        }
    }

    fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Cmp::Le => value <= threshold,
            Cmp::Lt => value < threshold,
            Cmp::Ge => value >= threshold,
            Cmp::Gt => value > threshold,
        }
    }
}

/// A condition one run must meet: `completion_s<=300`, `tasks_failed<1`. A run where the outcome is `null` (no
/// completion within the horizon, no steady state) does not meet it.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    /// Index into [`OUTCOMES`].
    pub outcome: usize,
    pub cmp: Cmp,
    pub threshold: f64,
}

impl Requirement {
    pub fn parse(text: &str) -> Result<Requirement, SweepError> {
        let field = format!("--require {text}");
        // Two-character operators first, so `<=` is not read as `<` followed by `=300`.
        let found = ["<=", ">=", "<", ">"].iter().find_map(|op| text.find(op).map(|at| (at, *op)));
        let Some((at, op)) = found else {
            return Err(SweepError::new(field, "expected OUTCOME<=VALUE (or <, >=, >), e.g. completion_s<=300"));
        };
        let cmp = match op {
            "<=" => Cmp::Le,
            ">=" => Cmp::Ge,
            "<" => Cmp::Lt,
            _ => Cmp::Gt,
        };
        let name = text[..at].trim();
        let outcome = outcome_index(name).map_err(|m| SweepError::new(&field, m))?;
        let value = text[at + op.len()..].trim();
        let threshold: f64 = value
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| SweepError::new(&field, format!("`{value}` is not a number")))?;
        Ok(Requirement { outcome, cmp, threshold })
    }

    pub fn text(&self) -> String {
        format!("{}{}{}", OUTCOMES[self.outcome].name, self.cmp.text(), self.threshold)
    }

    fn holds(&self, values: &[Option<f64>]) -> bool {
        values.get(self.outcome).copied().flatten().is_some_and(|v| self.cmp.holds(v, self.threshold))
    }
}

/// What the goal makes as small as it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// An outcome ([`OUTCOMES`] index): the point whose median over seeds is lowest.
    Outcome(usize),
    /// An axis (index into the sweep's axes): the point with the lowest value of that field.
    Axis(usize),
}

/// The goal: `--minimize X --require 'Y<=V' --confidence C`: among the points where at least C% of the seeds meet
/// every requirement, the one with the lowest X (an outcome's median, or an axis's value); ties go to the earlier
/// point. Without `--minimize`, the first point (in sweep order) that meets the requirements.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub minimize: Option<Objective>,
    pub require: Vec<Requirement>,
    /// Percent of a point's seeds that must meet every requirement, 1..=100.
    pub confidence: u8,
}

impl Goal {
    /// Every seed, unless `--confidence` says otherwise.
    pub const DEFAULT_CONFIDENCE: u8 = 100;

    fn is_set(&self) -> bool {
        self.minimize.is_some() || !self.require.is_empty()
    }
}

/// A sweep's settings as text: the form part files carry and digest (every number is in its canonical text, so
/// the settings read back identical; a float through JSON need not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepArgs {
    /// `PATH=FROM..TO:STEPS[:log]`, one per axis (none: one point, the scenario as it is).
    pub set: Vec<String>,
    pub seeds: u32,
    pub base_seed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimize: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub require: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<u8>,
}

/// Checked sweep settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    pub axes: Vec<Axis>,
    pub seeds: u32,
    pub base_seed: u64,
    pub goal: Goal,
}

impl SweepSpec {
    /// Checks the settings: at most two axes, at least one seed, at most [`MAX_RUNS`] runs in all, a goal whose
    /// names are outcomes (or, for `minimize`, an axis's path).
    pub fn parse(args: &SweepArgs) -> Result<SweepSpec, SweepError> {
        if args.set.len() > MAX_AXES {
            return Err(SweepError::new("--set", format!("a sweep has at most {MAX_AXES} axes (a grid)")));
        }
        let axes = args.set.iter().map(|s| Axis::parse(s)).collect::<Result<Vec<_>, _>>()?;
        for (i, a) in axes.iter().enumerate() {
            if axes[..i].iter().any(|b| b.path == a.path) {
                return Err(SweepError::new(format!("--set {}", a.path), "the same field is set twice"));
            }
        }
        if args.seeds == 0 {
            return Err(SweepError::new("--seeds", "at least 1"));
        }
        let points: u64 = axes.iter().map(|a| u64::from(a.steps)).product();
        let runs = points.saturating_mul(u64::from(args.seeds));
        if runs > MAX_RUNS {
            return Err(SweepError::new(
                "runs",
                format!(
                    "{points} point(s) x {} seed(s) = {runs} runs, over the limit of {MAX_RUNS} a sweep may have \
                     (every run's outcomes are held to aggregate them): fewer --set STEPS or --seeds, or several sweeps",
                    args.seeds
                ),
            ));
        }
        if args.require.len() > MAX_REQUIREMENTS {
            return Err(SweepError::new("--require", format!("at most {MAX_REQUIREMENTS} requirements")));
        }
        let require = args.require.iter().map(|r| Requirement::parse(r)).collect::<Result<Vec<_>, _>>()?;
        let minimize = match &args.minimize {
            None => None,
            Some(name) => {
                let name = name.trim();
                if let Some(axis) = axes.iter().position(|a| a.path == name) {
                    Some(Objective::Axis(axis))
                } else {
                    let outcome = outcome_index(name).map_err(|m| {
                        SweepError::new(
                            format!("--minimize {name}"),
                            format!("{m}; or one of the swept fields (--set paths)"),
                        )
                    })?;
                    Some(Objective::Outcome(outcome))
                }
            }
        };
        let confidence = match args.confidence {
            None => Goal::DEFAULT_CONFIDENCE,
            Some(c) if (1..=100).contains(&c) => c,
            Some(c) => return Err(SweepError::new("--confidence", format!("{c} is not a percentage from 1 to 100"))),
        };
        if args.confidence.is_some() && require.is_empty() {
            return Err(SweepError::new("--confidence", "says how many seeds must meet --require; give a --require"));
        }
        Ok(SweepSpec {
            axes,
            seeds: args.seeds,
            base_seed: args.base_seed,
            goal: Goal { minimize, require, confidence },
        })
    }

    /// Points: the product of the axes' steps (1 without axes).
    pub fn points(&self) -> u64 {
        self.axes.iter().map(|a| u64::from(a.steps)).product()
    }

    pub fn runs(&self) -> u64 {
        self.points() * u64::from(self.seeds)
    }

    /// The canonical settings text (what a part file carries).
    pub fn args(&self) -> SweepArgs {
        SweepArgs {
            set: self.axes.iter().map(Axis::text).collect(),
            seeds: self.seeds,
            base_seed: self.base_seed,
            minimize: self.goal.minimize.map(|o| match o {
                Objective::Outcome(i) => OUTCOMES[i].name.to_string(),
                Objective::Axis(i) => self.axes[i].path.clone(),
            }),
            require: self.goal.require.iter().map(Requirement::text).collect(),
            confidence: (!self.goal.require.is_empty()).then_some(self.goal.confidence),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Outcomes

/// A number read from a run's [`Summary`], with its unit. `None` (`null`, an empty CSV cell) when the run has none:
/// no completion within the horizon, no steady state, no demand profile, no queue, no AWS Batch.
pub struct Outcome {
    pub name: &'static str,
    pub unit: &'static str,
    pub about: &'static str,
    read: fn(&Summary) -> Option<f64>,
}

impl Outcome {
    pub fn read(&self, summary: &Summary) -> Option<f64> {
        (self.read)(summary)
    }
}

fn sum_if_any<T>(items: &[T], f: impl Fn(&T) -> f64) -> Option<f64> {
    (!items.is_empty()).then(|| items.iter().map(f).sum())
}

fn max_if_any<T>(items: &[T], f: impl Fn(&T) -> f64) -> Option<f64> {
    items.iter().map(f).reduce(f64::max)
}

#[allow(clippy::cast_precision_loss)]
fn count(n: u64) -> Option<f64> {
    Some(n as f64)
}

/// Every outcome a sweep records, in the order of the CSV's columns. Names follow the summary's JSON (`costs.` for
/// `Summary.costs`); a name over a list (`demand.`, `queues.`) sums or takes the largest over its items, as said.
#[rustfmt::skip]
pub const OUTCOMES: &[Outcome] = &[
    Outcome { name: "completion_s", unit: "s", about: "every service steady and every RunTask burst settled (null: not within the horizon)", read: |s| s.completion_s },
    Outcome { name: "end_s", unit: "s", about: "simulated time the run covered", read: |s| Some(s.end_s) },
    Outcome { name: "tasks_launched", unit: "tasks", about: "tasks launched", read: |s| count(s.tasks_launched) },
    Outcome { name: "tasks_started", unit: "tasks", about: "tasks that reached RUNNING", read: |s| count(s.tasks_started) },
    Outcome { name: "tasks_failed", unit: "tasks", about: "tasks that failed to start, failed health checks or crashed", read: |s| count(s.tasks_failed) },
    Outcome { name: "interruptions", unit: "tasks", about: "Spot interruptions", read: |s| count(s.interruptions) },
    Outcome { name: "replacements", unit: "tasks", about: "tasks replaced", read: |s| count(s.replacements) },
    Outcome { name: "cost_usd", unit: "USD", about: "the run's cost without commitments", read: |s| Some(s.cost_usd) },
    Outcome { name: "average_cost_per_hour_usd", unit: "USD/h", about: "cost_usd over the run's length", read: |s| Some(s.average_cost_per_hour_usd) },
    Outcome { name: "costs.rollout_s", unit: "s", about: "when every service's first rollout was steady (null: never)", read: |s| s.costs.rollout_s },
    Outcome { name: "costs.rollout_usd", unit: "USD", about: "what the run had cost by costs.rollout_s", read: |s| s.costs.rollout_usd },
    Outcome { name: "costs.steady_per_hour_usd", unit: "USD/h", about: "billing rate in the steady state (null: none)", read: |s| s.costs.steady_per_hour_usd },
    Outcome { name: "costs.steady_per_month_usd", unit: "USD/month", about: "the steady rate x 730 h", read: |s| s.costs.steady_per_month_usd },
    Outcome { name: "costs.on_demand_steady_per_hour_usd", unit: "USD/h", about: "the steady rate priced all On-Demand", read: |s| s.costs.on_demand_steady_per_hour_usd },
    Outcome { name: "costs.on_demand_baseline_usd", unit: "USD", about: "the run's usage priced all On-Demand", read: |s| Some(s.costs.on_demand_baseline_usd) },
    Outcome { name: "costs.billed_usd", unit: "USD", about: "the cost as billed, commitments applied", read: |s| Some(s.costs.billed_usd) },
    Outcome { name: "costs.savings_vs_on_demand_usd", unit: "USD", about: "the baseline minus the billed cost", read: |s| Some(s.costs.savings_vs_on_demand_usd) },
    Outcome { name: "costs.savings_vs_on_demand_percent", unit: "%", about: "the savings as a share of the baseline", read: |s| Some(s.costs.savings_vs_on_demand_percent) },
    Outcome { name: "quota_refused", unit: "launches", about: "launches the account's quotas refused, summed over quotas", read: |s| count(s.quota_hits.iter().map(|q| q.refused).sum()) },
    Outcome { name: "failed_launches", unit: "instances", about: "EC2 launches no pool could take, summed over groups", read: |s| count(s.failed_launches.iter().map(|f| f.launches).sum()) },
    Outcome { name: "demand.unserved_requests", unit: "requests", about: "requests not served, summed over services with demand (null: none)", read: |s| sum_if_any(&s.demand, |d| d.unserved_requests) },
    Outcome { name: "demand.unserved_percent", unit: "%", about: "unserved over offered requests of all services with demand", read: |s| unserved_percent(s) },
    Outcome { name: "demand.peak_utilization_percent", unit: "%", about: "the highest service-average CPU utilisation of any service with demand", read: |s| max_if_any(&s.demand, |d| d.peak_utilization_percent) },
    Outcome { name: "queues.max_age_s", unit: "s", about: "the oldest message age of any queue (null: no queue)", read: |s| max_if_any(&s.queues, |q| q.max_age_s) },
    Outcome { name: "queues.max_visible", unit: "messages", about: "the largest backlog of any queue", read: |s| max_if_any(&s.queues, |q| q.max_visible) },
    Outcome { name: "queues.dead_lettered", unit: "messages", about: "messages dead-lettered, summed over queues", read: |s| sum_if_any(&s.queues, |q| q.dead_lettered) },
    Outcome { name: "batch.makespan_s", unit: "s", about: "AWS Batch: first SubmitJob to the last job ended (null: no Batch, or jobs still open)", read: |s| s.batch.as_ref().and_then(|b| b.makespan_s) },
    Outcome { name: "batch.wait_p95_s", unit: "s", about: "AWS Batch: 95th percentile of submission to RUNNING", read: |s| s.batch.as_ref().and_then(|b| b.wait_p95_s) },
    Outcome { name: "batch.retries", unit: "attempts", about: "AWS Batch: attempts retried", read: |s| s.batch.as_ref().and_then(|b| count(b.retries)) },
    Outcome { name: "batch.cost_usd", unit: "USD", about: "AWS Batch: the compute environments' cost", read: |s| s.batch.as_ref().map(|b| b.cost_usd) },
    Outcome { name: "commitments.cost_with_usd", unit: "USD", about: "the cost with the scenario's commitments (null: none)", read: |s| s.commitments.as_ref().map(|c| c.cost_with_usd) },
];

fn unserved_percent(s: &Summary) -> Option<f64> {
    let offered: f64 = s.demand.iter().map(|d| d.offered_requests).sum();
    let unserved: f64 = s.demand.iter().map(|d| d.unserved_requests).sum();
    (!s.demand.is_empty() && offered > 0.0).then(|| unserved / offered * 100.0)
}

fn outcome_index(name: &str) -> Result<usize, String> {
    OUTCOMES.iter().position(|o| o.name == name).ok_or_else(|| {
        let names: Vec<&str> = OUTCOMES.iter().map(|o| o.name).collect();
        format!("unknown outcome `{name}`; known: {}", names.join(", "))
    })
}

/// Every outcome of a summary, in [`OUTCOMES`] order.
pub fn outcomes_of(summary: &Summary) -> Vec<Option<f64>> {
    OUTCOMES.iter().map(|o| o.read(summary)).collect()
}

// ---------------------------------------------------------------------------------------------------------------
// The sweep

/// One run's place in the sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPlan {
    pub index: u64,
    pub point: u64,
    /// The axes' values at the point, as applied (rounded for whole-number fields).
    pub values: Vec<f64>,
    pub seed: u64,
}

/// What one run produced: its outcomes in [`OUTCOMES`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    pub index: u64,
    pub values: Vec<Option<f64>>,
}

/// A sweep ready to run: the settings, the scenario as JSON, each axis's field kind.
#[derive(Debug, Clone)]
pub struct Sweep {
    spec: SweepSpec,
    base: Value,
    kinds: Vec<NumberKind>,
    segments: Vec<Vec<Segment>>,
    name: String,
    /// The scenario's spec as JSON text: what the digest reads and part files carry.
    scenario_text: String,
    digest: String,
}

impl Sweep {
    /// Checks every axis's path against the scenario: the path must lead to a number field of the format (an
    /// optional setting missing from the file may be added; a missing list item or object may not).
    pub fn new(spec: SweepSpec, scenario: &ScenarioSpec) -> Result<Sweep, SweepError> {
        let text = serde_json::to_string(scenario).map_err(|e| SweepError::new("scenario", e.to_string()))?;
        Sweep::with_text(spec, scenario, text)
    }

    /// [`Sweep::new`] with the scenario's JSON text given (a part file's): the digest reads that text as it is.
    fn with_text(spec: SweepSpec, scenario: &ScenarioSpec, text: String) -> Result<Sweep, SweepError> {
        let base = crate::spec::to_value(scenario).map_err(|e| SweepError::new("scenario", e.to_string()))?;
        let mut kinds = Vec::new();
        let mut segments = Vec::new();
        for axis in &spec.axes {
            let field = format!("--set {}", axis.path);
            let segs = parse_path(&axis.path).map_err(|m| SweepError::new(&field, m))?;
            let kind = probe_kind(&base, &segs).map_err(|m| SweepError::new(&field, m))?;
            kinds.push(kind);
            segments.push(segs);
        }
        let digest = digest(&spec.args(), &text);
        Ok(Sweep { spec, base, kinds, segments, name: scenario.name.clone(), scenario_text: text, digest })
    }

    pub fn spec(&self) -> &SweepSpec {
        &self.spec
    }

    /// The scenario's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether each axis's field takes whole numbers (values rounded) or any number.
    pub fn kinds(&self) -> &[NumberKind] {
        &self.kinds
    }

    /// A digest of the settings and the scenario: parts of one sweep carry the same one.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    pub fn runs(&self) -> u64 {
        self.spec.runs()
    }

    pub fn points(&self) -> u64 {
        self.spec.points()
    }

    /// The axes' values at point `p` (as applied).
    pub fn point_values(&self, p: u64) -> Vec<f64> {
        let mut rest = p;
        let mut steps = vec![0u32; self.spec.axes.len()];
        for (i, axis) in self.spec.axes.iter().enumerate().rev() {
            let n = u64::from(axis.steps);
            steps[i] = narrow::u32_of_u64(rest % n);
            rest /= n;
        }
        self.spec.axes.iter().zip(&self.kinds).zip(steps).map(|((a, k), i)| applied(*k, a.value(i))).collect()
    }

    /// Run `index`'s point, values and seed.
    pub fn plan(&self, index: u64) -> RunPlan {
        let seeds = u64::from(self.spec.seeds);
        let point = index / seeds;
        RunPlan {
            index,
            point,
            values: self.point_values(point),
            seed: self.spec.base_seed.wrapping_add(index % seeds),
        }
    }

    /// "point 3 (services[0].desired_count=250)"
    pub fn point_label(&self, p: u64) -> String {
        let values = self.point_values(p);
        let parts: Vec<String> = self.spec.axes.iter().zip(values).map(|(a, v)| format!("{}={v}", a.path)).collect();
        if parts.is_empty() {
            format!("point {p}")
        } else {
            format!("point {p} ({})", parts.join(", "))
        }
    }

    /// The validated scenario of point `p`; its error names the point.
    pub fn scenario_at(&self, p: u64) -> Result<Scenario, SweepError> {
        let label = || self.point_label(p);
        let mut value = self.base.clone();
        for ((axis, (segs, kind)), v) in
            self.spec.axes.iter().zip(self.segments.iter().zip(&self.kinds)).zip(self.point_values(p))
        {
            let n = number_for(*kind, v)
                .ok_or_else(|| SweepError::new(label(), format!("{} = {v} is out of range", axis.path)))?;
            set_number(&mut value, segs, n).map_err(|m| SweepError::new(label(), m))?;
        }
        let spec = spec_of(value).map_err(|e| SweepError::new(label(), e.to_string()))?;
        Scenario::from_spec(spec).map_err(|e| SweepError::new(label(), e.to_string()))
    }

    /// Runs `index` on the scenario of its point (from [`Sweep::scenario_at`], which a shell may keep for the
    /// point's other seeds). Without trace or invariant checks, finished tasks released, the default budget.
    pub fn execute_on(&self, scenario: Scenario, index: u64) -> RunResult {
        let seed = self.plan(index).seed;
        let options = RunOptions { trace: false, check_invariants: false, keep_finished_tasks: false };
        let mut sim = Simulation::with_options(scenario, seed, options);
        sim.run_to_end();
        RunResult { index, values: outcomes_of(&sim.metrics()) }
    }

    /// Runs `index`.
    pub fn execute(&self, index: u64) -> Result<RunResult, SweepError> {
        let scenario = self.scenario_at(self.plan(index).point)?;
        Ok(self.execute_on(scenario, index))
    }
}

/// FNV-1a, 64 bits, twice with different offsets (128 bits): tells parts of different sweeps apart and catches a
/// part edited by hand. Not a cryptographic hash: a part file is trusted as much as the person who made it.
fn digest(args: &SweepArgs, scenario: &str) -> String {
    let settings = serde_json::to_string(args).unwrap_or_default();
    let fnv = |offset: u64| {
        let mut h = offset;
        for b in settings.bytes().chain([0u8]).chain(scenario.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    };
    format!("{:016x}{:016x}", fnv(0xcbf2_9ce4_8422_2325), fnv(0x6c62_272e_07bb_0142))
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics

/// The `p`th percentile (`p` in 1..=100) of sorted values by the nearest-rank method: the value at rank
/// `ceil(p / 100 x n)` (1-based), always one of the values. The median is the 50th: the lower middle of an even
/// count. `None` for no values.
pub fn percentile(sorted: &[f64], p: u32) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (u64::from(p.clamp(1, 100)) * n).div_ceil(100).max(1);
    sorted.get(narrow::usize_of(rank - 1)).copied()
}

/// One outcome over a point's seeds: how many runs had a value, and its spread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub outcome: &'static str,
    pub unit: &'static str,
    /// Runs with a value (the others had `null`).
    pub count: u64,
    pub min: Option<f64>,
    pub p5: Option<f64>,
    pub median: Option<f64>,
    pub p95: Option<f64>,
    pub max: Option<f64>,
}

fn sorted_values<'a>(runs: impl Iterator<Item = &'a RunResult>, outcome: usize) -> Vec<f64> {
    let mut v: Vec<f64> = runs.filter_map(|r| r.values.get(outcome).copied().flatten()).collect();
    crate::sort::sort_by(&mut v, f64::total_cmp);
    v
}

fn stats(sorted: &[f64], outcome: usize) -> Stats {
    Stats {
        outcome: OUTCOMES[outcome].name,
        unit: OUTCOMES[outcome].unit,
        count: sorted.len() as u64,
        min: sorted.first().copied(),
        p5: percentile(sorted, 5),
        median: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        max: sorted.last().copied(),
    }
}

/// Equal-width bins from the smallest to the largest value: `ceil(sqrt(n))` of them (the square-root choice),
/// at most [`MAX_BINS`]; one bin when every value is the same. A value on a boundary goes to the bin above it,
/// the largest to the last bin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    pub from: f64,
    pub to: f64,
    pub counts: Vec<u64>,
}

pub fn histogram(sorted: &[f64]) -> Option<Histogram> {
    let (&from, &to) = (sorted.first()?, sorted.last()?);
    let mut bins = 1usize;
    while bins * bins < sorted.len() && bins < MAX_BINS {
        bins += 1;
    }
    if to <= from {
        bins = 1;
    }
    let mut counts = vec![0u64; bins];
    let width = (to - from) / bins as f64;
    for &v in sorted {
        let i = if width > 0.0 { narrow::usize_of(narrow::trunc_u64((v - from) / width)) } else { 0 };
        counts[i.min(bins - 1)] += 1;
    }
    Some(Histogram { from, to, counts })
}

/// One outcome's distribution over every run (a sweep without axes: one scenario over many seeds).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    #[serde(flatten)]
    pub stats: Stats,
    pub histogram: Option<Histogram>,
}

// ---------------------------------------------------------------------------------------------------------------
// Report

/// One axis as the report describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AxisReport {
    pub path: String,
    pub from: f64,
    pub to: f64,
    pub steps: u32,
    pub scale: Scale,
    /// `integer`: values rounded to whole numbers (halves away from zero); `float`: as computed.
    pub kind: NumberKind,
}

/// One point: its values and every outcome's spread over its seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointReport {
    pub point: u64,
    pub values: Vec<f64>,
    pub runs: u64,
    /// Seeds that met every requirement (left out without a goal's requirements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting: Option<u64>,
    pub stats: Vec<Stats>,
}

/// The goal's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// The goal in words.
    pub goal: String,
    /// Whether a point meets it.
    pub met: bool,
    /// The answer (when met) or the closest point (when not).
    pub point: Option<u64>,
    pub values: Vec<f64>,
    /// The minimised outcome's median at the point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// Seeds of the point that met every requirement, of how many.
    pub meeting: u64,
    pub seeds: u64,
    /// One line: the answer, or "no value meets it" and why.
    pub text: String,
}

/// What a sweep prints as JSON: the settings, every point's statistics, the goal's answer, and for a sweep
/// without axes each outcome's distribution over the seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub scenario: String,
    pub digest: String,
    pub sweep: SweepArgs,
    pub axes: Vec<AxisReport>,
    pub points: u64,
    pub seeds: u32,
    pub runs: u64,
    pub results: Vec<PointReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub distribution: Vec<Distribution>,
}

fn fmt_values(sweep: &Sweep, values: &[f64]) -> String {
    let parts: Vec<String> = sweep.spec.axes.iter().zip(values).map(|(a, v)| format!("{}={v}", a.path)).collect();
    parts.join(", ")
}

/// Aggregates results (every run of the sweep, in run-index order) into the report.
pub fn report(sweep: &Sweep, results: &[RunResult]) -> Report {
    let spec = &sweep.spec;
    let seeds = u64::from(spec.seeds);
    let mut points = Vec::new();
    for (p, runs) in results.chunks(narrow::usize_of(seeds)).enumerate() {
        let p = p as u64;
        let meeting = (!spec.goal.require.is_empty())
            .then(|| runs.iter().filter(|r| spec.goal.require.iter().all(|q| q.holds(&r.values))).count() as u64);
        let stats = (0..OUTCOMES.len()).map(|o| stats(&sorted_values(runs.iter(), o), o)).collect();
        points.push(PointReport { point: p, values: sweep.point_values(p), runs: runs.len() as u64, meeting, stats });
    }
    let answer = spec.goal.is_set().then(|| answer(sweep, &points));
    let distribution = if spec.axes.is_empty() {
        (0..OUTCOMES.len())
            .map(|o| {
                let sorted = sorted_values(results.iter(), o);
                Distribution { stats: stats(&sorted, o), histogram: histogram(&sorted) }
            })
            .collect()
    } else {
        Vec::new()
    };
    Report {
        scenario: sweep.name.clone(),
        digest: sweep.digest.clone(),
        sweep: spec.args(),
        axes: spec
            .axes
            .iter()
            .zip(&sweep.kinds)
            .map(|(a, k)| AxisReport {
                path: a.path.clone(),
                from: a.from,
                to: a.to,
                steps: a.steps,
                scale: a.scale,
                kind: *k,
            })
            .collect(),
        points: spec.points(),
        seeds: spec.seeds,
        runs: results.len() as u64,
        results: points,
        answer,
        distribution,
    }
}

fn answer(sweep: &Sweep, points: &[PointReport]) -> Answer {
    let goal = &sweep.spec.goal;
    let seeds = u64::from(sweep.spec.seeds);
    let required: Vec<String> = goal.require.iter().map(Requirement::text).collect();
    let condition = if required.is_empty() {
        String::new()
    } else {
        format!("{} in at least {}% of seeds", required.join(" and "), goal.confidence)
    };
    let words = match (goal.minimize, condition.is_empty()) {
        (Some(o), true) => format!("minimize {}", objective_name(sweep, o)),
        (Some(o), false) => format!("minimize {} where {condition}", objective_name(sweep, o)),
        (None, _) => format!("the first point where {condition}"),
    };
    let meets = |p: &PointReport| p.meeting.is_none_or(|m| m * 100 >= u64::from(goal.confidence) * seeds);
    let key = |p: &PointReport| -> Option<f64> {
        match goal.minimize {
            None => Some(0.0),
            Some(Objective::Axis(a)) => p.values.get(a).copied(),
            Some(Objective::Outcome(o)) => p.stats[o].median,
        }
    };
    let mut best: Option<(&PointReport, f64)> = None;
    let mut unranked = 0;
    for p in points.iter().filter(|p| meets(p)) {
        match key(p) {
            Some(k) if best.is_none_or(|(_, b)| k < b) => best = Some((p, k)),
            Some(_) => {}
            None => unranked += 1,
        }
    }
    let median = |p: &PointReport| match goal.minimize {
        Some(Objective::Outcome(o)) => p.stats[o].median,
        _ => None,
    };
    if let Some((p, _)) = best {
        let meeting = p.meeting.unwrap_or(seeds);
        let mut text = format!("{}: {}", words, point_words(sweep, p));
        if let Some(Objective::Outcome(o)) = goal.minimize {
            if let Some(m) = p.stats[o].median {
                text.push_str(&format!(", median {} {m} {}", OUTCOMES[o].name, OUTCOMES[o].unit));
            }
        }
        if !required.is_empty() {
            text.push_str(&format!(", {meeting} of {seeds} seeds meet {}", required.join(" and ")));
        }
        return Answer {
            goal: words,
            met: true,
            point: Some(p.point),
            values: p.values.clone(),
            median: median(p),
            meeting,
            seeds,
            text,
        };
    }
    // None met: say why, with the point that came closest (most seeds meeting; the earlier on a tie).
    let closest = points.iter().fold(None::<&PointReport>, |b, p| match b {
        Some(b) if b.meeting.unwrap_or(0) >= p.meeting.unwrap_or(0) => Some(b),
        _ => Some(p),
    });
    let why = match closest {
        _ if unranked > 0 => {
            let o = match goal.minimize {
                Some(Objective::Outcome(o)) => OUTCOMES[o].name,
                _ => "the objective",
            };
            format!("{unranked} point(s) meet the requirements, but {o} is null in every one of their runs")
        }
        Some(p) => format!(
            "the closest, {}, meets {} in {} of {seeds} seeds ({}%, {}% needed)",
            point_words(sweep, p),
            required.join(" and "),
            p.meeting.unwrap_or(0),
            p.meeting.unwrap_or(0) * 100 / seeds.max(1),
            goal.confidence
        ),
        None => "the sweep has no points".to_string(),
    };
    Answer {
        goal: words.clone(),
        met: false,
        point: closest.map(|p| p.point),
        values: closest.map(|p| p.values.clone()).unwrap_or_default(),
        median: closest.and_then(median),
        meeting: closest.and_then(|p| p.meeting).unwrap_or(0),
        seeds,
        text: format!("{words}: no value meets it: {why}"),
    }
}

fn objective_name(sweep: &Sweep, o: Objective) -> String {
    match o {
        Objective::Outcome(i) => format!("the median of {}", OUTCOMES[i].name),
        Objective::Axis(i) => sweep.spec.axes[i].path.clone(),
    }
}

fn point_words(sweep: &Sweep, p: &PointReport) -> String {
    if sweep.spec.axes.is_empty() {
        "the scenario as it is".to_string()
    } else {
        fmt_values(sweep, &p.values)
    }
}

/// An outcome or axis value in CSV: Rust's shortest exact form; an empty cell for `null`.
fn cell(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Quotes a CSV header cell when it holds a comma or a quote (a path never does today; a key may one day).
fn header_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Every run as CSV: `run,point,<axis paths>,seed,<outcomes>`, one line per run in run-index order.
pub fn runs_csv(sweep: &Sweep, results: &[RunResult]) -> String {
    let mut out = String::from("run,point");
    for a in &sweep.spec.axes {
        out.push(',');
        out.push_str(&header_cell(&a.path));
    }
    out.push_str(",seed");
    for o in OUTCOMES {
        out.push(',');
        out.push_str(o.name);
    }
    out.push('\n');
    for r in results {
        let plan = sweep.plan(r.index);
        out.push_str(&format!("{},{}", r.index, plan.point));
        for v in &plan.values {
            out.push_str(&format!(",{v}"));
        }
        out.push_str(&format!(",{}", plan.seed));
        for v in &r.values {
            out.push(',');
            out.push_str(&cell(*v));
        }
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------------------------------
// Shards

/// A slice of a sweep: the runs whose index modulo `count` is `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parses `I/N` with `I` from 0 to `N - 1`.
    pub fn parse(text: &str) -> Result<Shard, SweepError> {
        let err = |m: String| SweepError::new(format!("--shard {text}"), m);
        let (i, n) = text.split_once('/').ok_or_else(|| err("expected I/N, e.g. 0/4".into()))?;
        let count: u32 = n.trim().parse().map_err(|_| err(format!("N `{}` is not a whole number", n.trim())))?;
        let index: u32 = i.trim().parse().map_err(|_| err(format!("I `{}` is not a whole number", i.trim())))?;
        if count == 0 || count > MAX_SHARDS {
            return Err(err(format!("N must be from 1 to {MAX_SHARDS}")));
        }
        if index >= count {
            return Err(err(format!("I must be from 0 to {} (shards count from 0)", count - 1)));
        }
        Ok(Shard { index, count })
    }

    /// The run indices of this shard, in order.
    pub fn runs(self, total: u64) -> impl Iterator<Item = u64> {
        (u64::from(self.index)..total).step_by(narrow::usize_of(u64::from(self.count)))
    }
}

/// The text of a part file's `format` field.
pub const PART_FORMAT: &str = "fleetplan-sweep-part/1";

/// A shard's results, as `fleetplan sweep --shard` writes them and `sweep-merge` reads them: the sweep's settings
/// and scenario (so every part names its sweep), the digest of both, and the shard's runs. Outcome values are
/// written as text in Rust's shortest exact form, so they read back to the identical numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub format: String,
    pub digest: String,
    pub shard: Shard,
    pub sweep: SweepArgs,
    /// The scenario's spec as JSON text.
    pub scenario: String,
    /// `[run index, [outcome values as text or null, in `outcomes` order]]`.
    pub outcomes: Vec<String>,
    pub runs: Vec<(u64, Vec<Option<String>>)>,
}

impl Sweep {
    /// The part file of a shard: `results` are the shard's runs in index order.
    pub fn part(&self, shard: Shard, results: &[RunResult]) -> Part {
        Part {
            format: PART_FORMAT.to_string(),
            digest: self.digest.clone(),
            shard,
            sweep: self.spec.args(),
            scenario: self.scenario_text.clone(),
            outcomes: OUTCOMES.iter().map(|o| o.name.to_string()).collect(),
            runs: results
                .iter()
                .map(|r| (r.index, r.values.iter().map(|v| v.map(|v| v.to_string())).collect()))
                .collect(),
        }
    }
}

/// Combines the parts of one sweep into the sweep and every run's result in index order, as if it had run
/// unsharded. Checks: each part is a part file of this version, the digests match the settings and scenario each
/// carries and one another, the shards share one count, each shard appears once and every one is there, each part
/// holds exactly its shard's runs, each with every outcome.
pub fn merge(parts: &[Part]) -> Result<(Sweep, Vec<RunResult>), SweepError> {
    let first = parts.first().ok_or_else(|| SweepError::new("sweep-merge", "give the part files to merge"))?;
    let label = |i: usize| format!("part {} (shard {}/{})", i + 1, parts[i].shard.index, parts[i].shard.count);
    for (i, part) in parts.iter().enumerate() {
        if part.format != PART_FORMAT {
            return Err(SweepError::new(
                label(i),
                format!("format `{}`, expected `{PART_FORMAT}` (written by another version?)", part.format),
            ));
        }
        let names: Vec<&str> = OUTCOMES.iter().map(|o| o.name).collect();
        if part.outcomes != names {
            return Err(SweepError::new(
                label(i),
                "its outcomes differ from this version's (written by another version?)",
            ));
        }
        if digest(&part.sweep, &part.scenario) != part.digest {
            return Err(SweepError::new(label(i), "its digest does not match its settings and scenario (edited?)"));
        }
        if part.shard.count == 0 || part.shard.index >= part.shard.count {
            return Err(SweepError::new(label(i), "its shard is not I/N with I below N (edited?)"));
        }
        if part.digest != first.digest {
            return Err(SweepError::new(
                label(i),
                format!("belongs to another sweep than part 1 (digest {} vs {})", part.digest, first.digest),
            ));
        }
        if part.shard.count != first.shard.count {
            return Err(SweepError::new(
                label(i),
                format!("is one of {} shards, part 1 of {}", part.shard.count, first.shard.count),
            ));
        }
        if parts[..i].iter().any(|p| p.shard.index == part.shard.index) {
            return Err(SweepError::new(label(i), "this shard is given twice"));
        }
    }
    let count = first.shard.count;
    if parts.len() as u64 != u64::from(count) {
        let missing: Vec<String> = (0..count)
            .filter(|s| !parts.iter().any(|p| p.shard.index == *s))
            .take(10)
            .map(|s| format!("{s}/{count}"))
            .collect();
        return Err(SweepError::new(
            "sweep-merge",
            format!("{} of {count} shards given; missing: {}", parts.len(), missing.join(", ")),
        ));
    }
    let spec = SweepSpec::parse(&first.sweep)?;
    let scenario_value: Value = serde_json::from_str(&first.scenario)
        .map_err(|e| SweepError::new("part 1", format!("its scenario is not JSON: {e}")))?;
    let scenario = spec_of(scenario_value).map_err(|e| SweepError::new("part 1", e.to_string()))?;
    let sweep = Sweep::with_text(spec, &scenario, first.scenario.clone())?;
    if sweep.digest != first.digest {
        return Err(SweepError::new("part 1", "its settings do not read back to the sweep it names (edited?)"));
    }
    let total = sweep.runs();
    let mut slots: Vec<Option<RunResult>> = vec![None; narrow::usize_of(total)];
    for (i, part) in parts.iter().enumerate() {
        let expected: Vec<u64> = part.shard.runs(total).collect();
        let got: Vec<u64> = part.runs.iter().map(|(r, _)| *r).collect();
        if got != expected {
            return Err(SweepError::new(
                label(i),
                format!("holds {} run(s), its shard has {} (incomplete or edited?)", got.len(), expected.len()),
            ));
        }
        for (index, values) in &part.runs {
            if values.len() != OUTCOMES.len() {
                return Err(SweepError::new(
                    label(i),
                    format!("run {index} has {} values, not {}", values.len(), OUTCOMES.len()),
                ));
            }
            let values = values
                .iter()
                .map(|v| match v {
                    None => Ok(None),
                    Some(t) => t
                        .parse::<f64>()
                        .map(Some)
                        .map_err(|_| SweepError::new(label(i), format!("run {index}: `{t}` is not a number"))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            slots[narrow::usize_of(*index)] = Some(RunResult { index: *index, values });
        }
    }
    let results = slots.into_iter().flatten().collect::<Vec<_>>();
    Ok((sweep, results))
}
