//! Fitting the model to a measurement (issue 15): a measured curve of one service's tasks over time
//! ([`measured`]), its comparison with a simulated run ([`compare`]), and a search over the settings AWS does not
//! publish for the values whose runs match the measurement best ([`Fit`], [`Search`]).
//!
//! Pure like the sweep ([`crate::sweep`], whose field paths, rounding and scenario checks it reuses): a shell
//! (the CLI's `fleetplan fit`, the page's workers) asks the [`Search`] for a batch of [`Job`]s, runs them in any
//! order on any number of threads with [`Fit::evaluate`], and feeds the evaluations back **in batch order**; every
//! decision (which values, which seed, which is best, the spread) is made here, so every shell reports the same.
//!
//! The search, for each seed on its own: start from the scenario's values (the defaults when it leaves them
//! unset); for each setting in turn, try `steps` values over its range and keep the best (coordinate descent);
//! then `rounds - 1` more passes, each over the interval between the neighbours of the value kept (a grid refined
//! around the best). The fitted value of a setting is the median of the seeds' values, its spread their range; a
//! last batch runs every seed at the fitted values to say how much better they match than the defaults. The
//! number of runs is fixed in advance: `seeds x (2 + rounds x settings x steps)`.
//!
//! What "match" means: the measured and the simulated curve reach the same counts at the same times. For each
//! count the measurement reaches (the points where it rises above every earlier count), the simulation's time to
//! reach it minus the measured time; the objective is the root mean square of these, in seconds (`rmse_s`). A
//! horizontal distance rather than a vertical one, so that a curve of two points (`0,0` and `208,1000`: a
//! published completion time) still penalises a simulation that finishes early. The vertical error the issue asks
//! for (`rmse_tasks`, the count at each measured time) and the times to 50/90/100% of the desired count are
//! reported beside it.

pub mod measured;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use measured::{parse_csv, parse_measured, parse_service_events, CurveKind, MeasuredCurve, MeasuredPoint};

use crate::narrow;
use crate::scenario::{setting_default, settings_under, spot_capacity_per_s, Scenario};
use crate::spec::ScenarioSpec;
use crate::sweep::{self, Axis, NumberKind, Scale, Segment};
use crate::task::Owner;
use crate::time::SimTime;
use crate::{RunOptions, Simulation};

/// The most settings one fit searches.
pub const MAX_PARAMS: usize = 4;
/// The most seeds (each fitted on its own).
pub const MAX_SEEDS: u32 = 32;
/// The most values tried per setting per pass.
pub const MAX_STEPS: u32 = 21;
/// The most passes (the first over the whole range, each later one refined around the best).
pub const MAX_ROUNDS: u32 = 5;
/// The most runs a fit may take (its count is known in advance: `seeds x (2 + rounds x settings x steps)`).
pub const MAX_FIT_RUNS: u64 = 10_000;

/// Why a fit cannot be set up or a run cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FitError {
    /// `--param latencies.fargate_capacity.mean_s`, `--service`, `--seeds`, `measured curve`, ...
    pub field: String,
    pub message: String,
}

impl FitError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> FitError {
        FitError { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FitError {}

// ---------------------------------------------------------------------------------------------------------------
// The simulated curve and the comparison

/// A simulated curve: the times (ms) at which the service's tasks reached the counted state, sorted; the count
/// at time `t` is how many are at or before `t`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SimulatedCurve {
    pub times_ms: Vec<u64>,
    /// Where the run ended (a level never reached counts as reached here).
    pub end_ms: u64,
}

impl SimulatedCurve {
    /// The curve of service `service` of a finished run kept with its finished tasks: for [`CurveKind::Running`],
    /// the times its tasks reached RUNNING (so a task that stopped still counts: for a rollout's rising edge the
    /// same as the running count); for [`CurveKind::Launched`], the times the scheduler launched them.
    pub fn of(sim: &Simulation, service: usize, kind: CurveKind) -> SimulatedCurve {
        let mut times_ms: Vec<u64> = sim
            .tasks()
            .iter()
            .filter(|t| matches!(t.owner, Owner::Service { service: s, .. } if s.index() == service))
            .filter_map(|t| match kind {
                CurveKind::Running => t.running_at.map(|at| at.0),
                CurveKind::Launched => Some(t.launched_at.0),
            })
            .collect();
        times_ms.sort_unstable();
        SimulatedCurve { times_ms, end_ms: sim.now().0 }
    }

    /// The count at `time_s`.
    pub fn count_at(&self, time_s: f64) -> f64 {
        let ms = SimTime::from_secs_f64(time_s).0;
        self.times_ms.partition_point(|&t| t <= ms) as f64
    }

    /// When the count first reached `count` (seconds), or `None` if it never did.
    pub fn time_to(&self, count: f64) -> Option<f64> {
        if count <= 0.0 {
            return Some(0.0);
        }
        let k = narrow::usize_of(narrow::round_u64(libm::ceil(count)));
        self.times_ms.get(k.checked_sub(1)?).map(|&ms| SimTime(ms).as_secs_f64())
    }

    /// Points of the curve for a chart: `(time_s, count)` at each change, thinned to at most `max` points.
    pub fn points(&self, max: usize) -> Vec<(f64, f64)> {
        let n = self.times_ms.len();
        let stride = n.div_ceil(max.max(1)).max(1);
        let mut out = vec![(0.0, 0.0)];
        for (i, &ms) in self.times_ms.iter().enumerate() {
            if (i + 1) % stride == 0 || i + 1 == n {
                out.push((SimTime(ms).as_secs_f64(), (i + 1) as f64));
            }
        }
        out
    }
}

/// When a curve reached 50%, 90% and 100% of the desired count (seconds; `None`: not within the curve).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Milestones {
    pub t50_s: Option<f64>,
    pub t90_s: Option<f64>,
    pub t100_s: Option<f64>,
}

/// The fractions of [`Milestones`].
const MILESTONES: [f64; 3] = [0.5, 0.9, 1.0];

/// A simulated run against the measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub kind: CurveKind,
    pub desired: u32,
    /// Measured points compared (those within the scenario's horizon).
    pub points: usize,
    /// Root mean square of (simulated count - measured count) at the measured times, in tasks.
    pub rmse_tasks: f64,
    /// Root mean square of (simulated time - measured time) to reach each count the measurement reaches, in
    /// seconds: the fit's objective (see the module's documentation).
    pub rmse_s: f64,
    pub measured: Milestones,
    pub simulated: Milestones,
}

fn round3(v: f64) -> f64 {
    libm::round(v * 1000.0) / 1000.0
}

/// Compares a simulated curve with the measurement, for a service whose desired count is `desired`, over the
/// measured points up to `horizon_s`.
pub fn compare(sim: &SimulatedCurve, measured: &MeasuredCurve, desired: u32, horizon_s: f64) -> Comparison {
    let used: Vec<MeasuredPoint> = measured.points.iter().copied().filter(|p| p.time_s <= horizon_s).collect();
    let end_s = SimTime(sim.end_ms).as_secs_f64().max(horizon_s);
    let mut sum_tasks = 0.0;
    let mut sum_s = 0.0;
    let mut levels = 0usize;
    let mut highest = 0.0;
    for p in &used {
        let d = sim.count_at(p.time_s) - p.count;
        sum_tasks += d * d;
        if p.count > highest {
            highest = p.count;
            // Not reached within the run: as if at its end, and at least as late as measured.
            let t = sim.time_to(p.count).unwrap_or(end_s.max(p.time_s));
            let d = t - p.time_s;
            sum_s += d * d;
            levels += 1;
        }
    }
    let rms = |sum: f64, n: usize| if n == 0 { 0.0 } else { round3(crate::float::sqrt(sum / n as f64)) };
    let target = |fraction: f64| libm::ceil(f64::from(desired) * fraction);
    let measured_at = |count: f64| used.iter().find(|p| p.count >= count).map(|p| p.time_s);
    let milestones = |at: &dyn Fn(f64) -> Option<f64>| Milestones {
        t50_s: at(target(MILESTONES[0])).map(round3),
        t90_s: at(target(MILESTONES[1])).map(round3),
        t100_s: at(target(MILESTONES[2])).map(round3),
    };
    Comparison {
        kind: measured.kind,
        desired,
        points: used.len(),
        rmse_tasks: rms(sum_tasks, used.len()),
        rmse_s: rms(sum_s, levels),
        measured: milestones(&measured_at),
        simulated: milestones(&|c| sim.time_to(c)),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The fit's settings

/// The fit's settings: which service the measurement is of, which settings to search over which ranges, seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct FitSpec {
    /// The service's name; `None`: the scenario's only service.
    pub service: Option<String>,
    /// The settings searched (`PATH=FROM..TO:STEPS[:log]`, as `fleetplan sweep --set`); empty: [`suggested`].
    pub params: Vec<Axis>,
    pub seeds: u32,
    pub base_seed: u64,
    pub rounds: u32,
    /// A setting that is a choice rather than a number (the limits profile), searched as a category: the numeric
    /// search is run once for each of its options and the option whose fitted runs match best is kept.
    pub choice: Option<Choice>,
}

impl Default for FitSpec {
    fn default() -> FitSpec {
        FitSpec { service: None, params: Vec::new(), seeds: 4, base_seed: 1, rounds: 3, choice: None }
    }
}

/// A categorical setting and the options searched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub path: String,
    pub options: Vec<String>,
}

/// The settings that are choices, with every option they take: the limits profile (`LimitsProfile`: the published
/// values of 2022 or the current listings, `docs/model.md` §2–3), which AWS does not say for an account (which
/// rate an account's services launch at is only seen in its launches).
pub const CHOICES: [(&str, &[&str]); 1] = [("limits.profile", &["2022", "current"])];

impl Choice {
    /// Whether `text` (a `--param`) names a categorical setting: its path before any `=`.
    pub fn is_choice(text: &str) -> bool {
        let path = text.split_once('=').map_or(text, |(p, _)| p).trim();
        CHOICES.iter().any(|(p, _)| *p == path)
    }

    /// `limits.profile` (every option) or `limits.profile=2022,current` (those options, at least two).
    pub fn parse(text: &str) -> Result<Choice, FitError> {
        let (path, list) = match text.split_once('=') {
            Some((p, l)) => (p.trim(), Some(l)),
            None => (text.trim(), None),
        };
        let field = format!("--param {path}");
        let Some((_, all)) = CHOICES.iter().find(|(p, _)| *p == path) else {
            let known: Vec<&str> = CHOICES.iter().map(|(p, _)| *p).collect();
            return Err(FitError::new(field, format!("not a choice (the choices are: {})", known.join(", "))));
        };
        let options: Vec<String> = match list {
            None => all.iter().map(|o| (*o).to_string()).collect(),
            Some(l) => l.split(',').map(|o| o.trim().to_string()).collect(),
        };
        for (i, o) in options.iter().enumerate() {
            if !all.contains(&o.as_str()) {
                return Err(FitError::new(&field, format!("`{o}` is not one of {}", all.join(", "))));
            }
            if options[..i].contains(o) {
                return Err(FitError::new(&field, format!("`{o}` given twice")));
            }
        }
        if options.len() < 2 {
            return Err(FitError::new(&field, "give at least two options to choose from"));
        }
        Ok(Choice { path: path.to_string(), options })
    }

    /// `limits.profile=2022,current`.
    pub fn text(&self) -> String {
        format!("{}={}", self.path, self.options.join(","))
    }
}

/// The settings a fit searches when none are given: the calibrated latencies that matter for where the
/// service's tasks run (`crate::defaults` says which numbers AWS does not publish). Fargate: the capacity latency
/// (`FARGATE_CAPACITY`, calibrated on the On-Demand row); Fargate Spot: also the Region's Spot capacity rate
/// (`SPOT_CAPACITY_BENCHMARK_2022_PER_S`, a condition of a measurement); EC2: the agent hand-off
/// (`AGENT_HANDOFF`, calibrated on the warm EC2 row) and, when the run launches instances, their boot
/// (`INSTANCE_BOOT`); behind a load balancer, the registration (`LB_REGISTRATION`, calibrated on the load-balancer
/// row). Ranges of a few times either side of the defaults, 7 values each.
pub fn suggested(
    capacities: &[crate::scenario::CapacityType],
    launches_instances: bool,
    load_balanced: bool,
) -> Vec<Axis> {
    use crate::scenario::CapacityType as C;
    let axis = |path: &str, from: f64, to: f64, scale: Scale| Axis { path: path.into(), from, to, steps: 7, scale };
    let mut out = Vec::new();
    if capacities.iter().any(|c| matches!(c, C::Fargate | C::FargateSpot)) {
        out.push(axis("latencies.fargate_capacity.mean_s", 5.0, 125.0, Scale::Linear));
    }
    if load_balanced {
        out.push(axis("latencies.lb_registration.mean_s", 5.0, 125.0, Scale::Linear));
    }
    if capacities.contains(&C::FargateSpot) {
        out.push(axis("fargate_spot.capacity_per_s", 0.5, 32.0, Scale::Log));
    }
    if capacities.iter().any(|c| matches!(c, C::Ec2OnDemand | C::Ec2Spot | C::External)) {
        out.push(axis("latencies.agent_handoff.mean_s", 1.0, 61.0, Scale::Linear));
        if launches_instances {
            out.push(axis("latencies.instance_boot.mean_s", 20.0, 320.0, Scale::Linear));
        }
    }
    out
}

/// A fit ready to run: the scenario as JSON (with the searched settings written out at their current values),
/// the measurement, the service, each setting's field kind and current value.
#[derive(Debug, Clone)]
pub struct Fit {
    spec: FitSpec,
    base: Value,
    measured: MeasuredCurve,
    service: usize,
    service_name: String,
    desired: u32,
    horizon_s: f64,
    scenario_name: String,
    kinds: Vec<NumberKind>,
    segments: Vec<Vec<Segment>>,
    /// The value each setting has in the scenario as given (its default when unset); `None` when it has none
    /// (Fargate Spot capacity at availability "plenty": capacity does not limit launches).
    current: Vec<Option<f64>>,
    /// The option of the choice the scenario has (its default when unset).
    current_choice: Option<String>,
}

/// One run the search asks for: `values` of the settings (`None`: the scenario as given) with seed `seed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub values: Option<Vec<f64>>,
    pub seed: u64,
    /// The option of the fit's choice (index into its options); `None`: the scenario's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<u32>,
}

/// One run's result: the comparison (whose `rmse_s` is the objective).
pub type Evaluation = Comparison;

impl Fit {
    /// Checks the settings against the scenario and the measurement.
    pub fn new(mut spec: FitSpec, scenario: &Scenario, measured: MeasuredCurve) -> Result<Fit, FitError> {
        if scenario.services.is_empty() {
            return Err(FitError::new("scenario", "has no service: a measured curve is one service's tasks"));
        }
        let service = match &spec.service {
            Some(name) => scenario.services.iter().position(|s| &s.name == name).ok_or_else(|| {
                let names: Vec<&str> = scenario.services.iter().map(|s| s.name.as_str()).collect();
                FitError::new(
                    "--service",
                    format!("no service named `{name}` (the scenario has: {})", names.join(", ")),
                )
            })?,
            None if scenario.services.len() == 1 => 0,
            None => {
                let names: Vec<&str> = scenario.services.iter().map(|s| s.name.as_str()).collect();
                return Err(FitError::new(
                    "--service",
                    format!("the scenario has {} services: name one of {}", names.len(), names.join(", ")),
                ));
            }
        };
        if !(1..=MAX_SEEDS).contains(&spec.seeds) {
            return Err(FitError::new("--seeds", format!("must be from 1 to {MAX_SEEDS}")));
        }
        if !(1..=MAX_ROUNDS).contains(&spec.rounds) {
            return Err(FitError::new("--rounds", format!("must be from 1 to {MAX_ROUNDS}")));
        }
        if measured.points.is_empty() || measured.points.len() > measured::MAX_POINTS {
            return Err(FitError::new("measured curve", format!("must have 1 to {} points", measured::MAX_POINTS)));
        }
        if spec.params.is_empty() {
            spec.params = suggested_for(scenario, service, spec.base_seed);
            if spec.params.is_empty() && spec.choice.is_none() {
                return Err(FitError::new(
                    "--param",
                    "nothing to fit for this service: give --param PATH=FROM..TO:STEPS",
                ));
            }
        }
        if spec.params.len() > MAX_PARAMS {
            return Err(FitError::new("--param", format!("at most {MAX_PARAMS} settings")));
        }
        for (i, p) in spec.params.iter().enumerate() {
            if spec.params[..i].iter().any(|q| q.path == p.path) {
                return Err(FitError::new(format!("--param {}", p.path), "given twice"));
            }
            if p.steps < 2 || p.steps > MAX_STEPS {
                return Err(FitError::new(
                    format!("--param {}", p.path),
                    format!("STEPS must be from 2 to {MAX_STEPS}"),
                ));
            }
        }
        if let Some(c) = &spec.choice {
            // The same checks as `--param limits.profile=...` (a spec built in code gets them too).
            Choice::parse(&c.text())?;
        }
        let runs = runs_of(&spec);
        if runs > MAX_FIT_RUNS {
            return Err(FitError::new(
                "--param",
                format!("{runs} runs (seeds x (2 + rounds x settings x steps)): at most {MAX_FIT_RUNS}"),
            ));
        }
        let mut base = crate::spec::to_value(&scenario.spec).map_err(|e| FitError::new("scenario", e.to_string()))?;
        let mut kinds = Vec::new();
        let mut segments = Vec::new();
        let mut current = Vec::new();
        for p in &spec.params {
            let field = format!("--param {}", p.path);
            let segs = sweep::parse_path(&p.path).map_err(|m| FitError::new(&field, m))?;
            current.push(current_value(&base, &scenario.spec, &p.path, &segs));
            materialise(&mut base, &segs);
            let kind = sweep::probe_kind(&base, &segs).map_err(|m| FitError::new(&field, m))?;
            kinds.push(kind);
            segments.push(segs);
        }
        let current_choice = spec.choice.as_ref().map(|c| {
            let mut at = &base;
            for k in c.path.split('.') {
                at = at.get(k).unwrap_or(&Value::Null);
            }
            at.as_str().map_or_else(|| default_choice(&c.path).to_string(), str::to_string)
        });
        let s = &scenario.services[service];
        Ok(Fit {
            current_choice,
            base,
            measured,
            service,
            service_name: s.name.clone(),
            desired: s.desired,
            horizon_s: scenario.horizon.as_secs_f64(),
            scenario_name: scenario.name.clone(),
            kinds,
            segments,
            current,
            spec,
        })
    }

    pub fn spec(&self) -> &FitSpec {
        &self.spec
    }

    pub fn service_name(&self) -> &str {
        &self.service_name
    }

    pub fn measured(&self) -> &MeasuredCurve {
        &self.measured
    }

    /// Runs the search takes in all.
    pub fn runs(&self) -> u64 {
        runs_of(&self.spec)
    }

    /// The scenario JSON with `values` written into the settings (rounded for whole-number fields): what the run
    /// uses and what `--apply` writes. `None`: the scenario as given.
    pub fn scenario_json(&self, values: Option<&[f64]>) -> Result<Value, FitError> {
        self.scenario_json_with(values, None)
    }

    /// [`Fit::scenario_json`] with option `choice` of the fit's choice written too (`None`: the scenario's own).
    pub fn scenario_json_with(&self, values: Option<&[f64]>, choice: Option<u32>) -> Result<Value, FitError> {
        let mut value = self.base.clone();
        if let (Some(c), Some(i)) = (&self.spec.choice, choice) {
            let option = c
                .options
                .get(i as usize)
                .ok_or_else(|| FitError::new(format!("--param {}", c.path), format!("no option {i}")))?;
            set_choice(&mut value, &c.path, option);
        }
        if let Some(values) = values {
            for ((p, (segs, kind)), v) in self.spec.params.iter().zip(self.segments.iter().zip(&self.kinds)).zip(values)
            {
                let n = sweep::number_for(*kind, *v)
                    .ok_or_else(|| FitError::new(format!("--param {}", p.path), format!("{v} is out of range")))?;
                sweep::set_number(&mut value, segs, n).map_err(|m| FitError::new(format!("--param {}", p.path), m))?;
            }
        }
        Ok(value)
    }

    /// The validated scenario with `values`.
    pub fn scenario_with(&self, values: Option<&[f64]>) -> Result<Scenario, FitError> {
        self.scenario_with_choice(values, None)
    }

    /// The validated scenario with `values` and option `choice` of the fit's choice.
    pub fn scenario_with_choice(&self, values: Option<&[f64]>, choice: Option<u32>) -> Result<Scenario, FitError> {
        let label = || match values {
            None => "the scenario".to_string(),
            Some(v) => self.label(v),
        };
        let json = self.scenario_json_with(values, choice)?;
        let spec = sweep::spec_of(json).map_err(|e| FitError::new(label(), e.to_string()))?;
        Scenario::from_spec(spec).map_err(|e| FitError::new(label(), e.to_string()))
    }

    /// The scenario JSON with a finished fit's values and chosen option: what `--apply` writes.
    pub fn fitted_json(&self, report: &FitReport) -> Result<Value, FitError> {
        let (values, choice) = fitted_settings(report);
        self.scenario_json_with(Some(&values), choice)
    }

    /// The validated scenario with a finished fit's values and chosen option (the page's fitted run).
    pub fn fitted_scenario(&self, report: &FitReport) -> Result<Scenario, FitError> {
        let (values, choice) = fitted_settings(report);
        self.scenario_with_choice(Some(&values), choice)
    }

    fn label(&self, values: &[f64]) -> String {
        let parts: Vec<String> = self.spec.params.iter().zip(values).map(|(p, v)| format!("{}={v}", p.path)).collect();
        parts.join(", ")
    }

    /// Runs `job` and compares it with the measurement.
    pub fn evaluate(&self, job: &Job) -> Result<Evaluation, FitError> {
        let scenario = self.scenario_with_choice(job.values.as_deref(), job.choice)?;
        Ok(self.evaluate_on(scenario, job.seed).0)
    }

    /// Runs `scenario` (one of [`Fit::scenario_with`]) with `seed`: the comparison and the simulated curve.
    pub fn evaluate_on(&self, scenario: Scenario, seed: u64) -> (Evaluation, SimulatedCurve) {
        let options = RunOptions { trace: false, check_invariants: false, keep_finished_tasks: true };
        let mut sim = Simulation::with_options(scenario, seed, options);
        sim.run_to_end();
        let curve = SimulatedCurve::of(&sim, self.service, self.measured.kind);
        (compare(&curve, &self.measured, self.desired, self.horizon_s), curve)
    }

    /// The search over this fit's settings.
    pub fn search(&self) -> Search {
        let seeds = self.spec.seeds as usize;
        let start: Vec<f64> = self
            .spec
            .params
            .iter()
            .zip(&self.current)
            .zip(&self.kinds)
            .map(|((p, c), k)| {
                let (lo, hi) = (p.from.min(p.to), p.from.max(p.to));
                let mid = p.value(p.steps / 2);
                sweep::applied(*k, c.map_or(mid, |c| c.clamp(lo, hi)))
            })
            .collect();
        // The defaults' runs score the start only when no setting had to be moved into its range.
        let start_is_current =
            start.iter().zip(&self.current).all(|(s, c)| c.is_some_and(|c| (c - s).abs() <= f64::EPSILON * c.abs()));
        let initial: Vec<SeedState> = (0..seeds)
            .map(|_| SeedState {
                values: start.clone(),
                score: f64::INFINITY,
                ranges: self.spec.params.iter().map(|p| (p.from, p.to, p.scale)).collect(),
            })
            .collect();
        Search {
            phase: Phase::Defaults,
            seeds: initial.clone(),
            initial,
            start_is_current,
            defaults: Vec::new(),
            fitted: Vec::new(),
            choice: 0,
            done_choices: Vec::new(),
            done_runs: 0,
        }
    }

    /// Whether option `i` of the choice is the one the scenario has (always, without a choice).
    fn option_is_current(&self, i: usize) -> bool {
        match (&self.spec.choice, &self.current_choice) {
            (Some(c), Some(current)) => c.options.get(i) == Some(current),
            _ => true,
        }
    }

    /// The seed of seed number `i`.
    fn seed(&self, i: usize) -> u64 {
        self.spec.base_seed.wrapping_add(i as u64)
    }
}

/// `seeds x (1 + options x (1 + rounds x settings x steps))`: the defaults once, then per option of the choice
/// (one without a choice) the numeric search and the fitted values.
fn runs_of(spec: &FitSpec) -> u64 {
    let options = spec.choice.as_ref().map_or(1, |c| c.options.len() as u64);
    let grid = u64::from(spec.rounds) * spec.params.iter().map(|p| u64::from(p.steps.min(MAX_STEPS))).sum::<u64>();
    u64::from(spec.seeds) * (1 + options * (1 + grid))
}

/// A report's fitted values and the index of its chosen option.
fn fitted_settings(report: &FitReport) -> (Vec<f64>, Option<u32>) {
    let values: Vec<f64> = report.params.iter().map(|p| p.fitted).collect();
    let choice = report.choice.as_ref().and_then(|c| c.options.iter().position(|o| o.value == c.fitted));
    (values, choice.map(narrow::u32_of))
}

/// The option a choice has when the scenario leaves it unset.
fn default_choice(path: &str) -> &'static str {
    match path {
        "limits.profile" => match crate::spec::LimitsProfile::default() {
            crate::spec::LimitsProfile::Y2022 => "2022",
            crate::spec::LimitsProfile::Current => "current",
        },
        _ => "",
    }
}

/// Writes `option` at `path` (objects along it created empty: a choice pins nothing else, so the limits the
/// profile decides stay unset and follow it).
fn set_choice(root: &mut Value, path: &str, option: &str) {
    let mut at = root;
    let keys: Vec<&str> = path.split('.').collect();
    for (i, k) in keys.iter().enumerate() {
        let Value::Object(map) = at else { return };
        if i + 1 == keys.len() {
            map.insert((*k).to_string(), Value::String(option.to_string()));
            return;
        }
        at = map.entry((*k).to_string()).or_insert_with(|| Value::Object(Map::new()));
    }
}

/// [`suggested`] for service `service`: where its tasks ran in one run with the defaults.
fn suggested_for(scenario: &Scenario, service: usize, seed: u64) -> Vec<Axis> {
    let mut sim = Simulation::with_options(
        scenario.clone(),
        seed,
        RunOptions { trace: false, check_invariants: false, keep_finished_tasks: true },
    );
    sim.run_to_end();
    let mut capacities = Vec::new();
    for t in sim.tasks() {
        if matches!(t.owner, Owner::Service { service: s, .. } if s.index() == service)
            && !capacities.contains(&t.capacity)
        {
            capacities.push(t.capacity);
        }
    }
    suggested(
        &capacities,
        sim.instances().iter().any(|i| i.launched_at.0 > 0),
        scenario.services[service].load_balancer.is_some(),
    )
}

/// The value the scenario runs with at `path`: the number in the file, else the setting's default, else (Fargate
/// Spot capacity) the rate of the availability level; `None` when there is none.
fn current_value(base: &Value, spec: &ScenarioSpec, path: &str, segments: &[Segment]) -> Option<f64> {
    let mut at = base;
    for s in segments {
        at = match (s, at) {
            (Segment::Key(k), Value::Object(map)) => match map.get(k) {
                Some(v) => v,
                None => break,
            },
            (Segment::Index(i), Value::Array(list)) => match list.get(*i) {
                Some(v) => v,
                None => break,
            },
            _ => break,
        };
    }
    if let Value::Number(n) = at {
        return n.as_f64();
    }
    if path == "fargate_spot.capacity_per_s" {
        return spot_capacity_per_s(spec.fargate_spot.availability);
    }
    setting_default(path)
}

/// Makes the objects along `segments` exist: an unset latency step or bucket becomes an object of its defaults
/// (a set one must give all its numbers, or a missing `spread` reads 0); another missing object becomes `{}`.
fn materialise(root: &mut Value, segments: &[Segment]) {
    let Some((_, parents)) = segments.split_last() else { return };
    let mut at = root;
    for (depth, s) in parents.iter().enumerate() {
        let Segment::Key(k) = s else {
            match (s, at) {
                (Segment::Index(i), Value::Array(list)) if *i < list.len() => {
                    at = &mut list[*i];
                    continue;
                }
                _ => return,
            }
        };
        let Value::Object(map) = at else { return };
        if !map.contains_key(k) {
            let prefix = sweep::path_prefix(&segments[..=depth]);
            let mut object = Map::new();
            for (path, default) in settings_under(&prefix) {
                let rest = &path[prefix.len() + 1..];
                if !rest.contains('.') {
                    if let Some(n) = serde_json::Number::from_f64(default) {
                        object.insert(rest.to_string(), Value::Number(n));
                    }
                }
            }
            map.insert(k.clone(), Value::Object(object));
        }
        let Some(next) = map.get_mut(k) else { return };
        at = next;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The search

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Every seed with the scenario as given.
    Defaults,
    /// Pass `round`, setting `param`: every seed at `steps` values of that setting.
    Grid {
        round: u32,
        param: usize,
    },
    /// Every seed at the fitted values.
    Final,
    Done,
}

/// One seed's search: its current values and their objective, and each setting's interval of the next pass.
#[derive(Debug, Clone)]
struct SeedState {
    values: Vec<f64>,
    score: f64,
    ranges: Vec<(f64, f64, Scale)>,
}

/// A fit in progress: ask for a [`Search::batch`], evaluate its jobs, [`Search::feed`] the results in order, until
/// [`Search::is_done`]; then [`Search::report`].
#[derive(Debug, Clone)]
pub struct Search {
    phase: Phase,
    seeds: Vec<SeedState>,
    /// The seeds' states at the start of each option's search.
    initial: Vec<SeedState>,
    start_is_current: bool,
    defaults: Vec<Evaluation>,
    fitted: Vec<Evaluation>,
    /// The option of the choice being searched (0 without a choice).
    choice: usize,
    /// Each option searched so far: its seeds' states and its fitted runs.
    done_choices: Vec<(Vec<SeedState>, Vec<Evaluation>)>,
    done_runs: u64,
}

/// The values of step `i` of `steps` over an interval (the axis's own spacing in the first pass).
fn grid_value(lo: f64, hi: f64, scale: Scale, steps: u32, i: u32) -> f64 {
    Axis { path: String::new(), from: lo, to: hi, steps, scale }.value(i)
}

impl Search {
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Runs fed so far.
    pub fn done_runs(&self) -> u64 {
        self.done_runs
    }

    /// Starts option `c`'s search: the seeds back at the start, scored by the defaults' runs when those are the
    /// same settings (the start values and the scenario's own option).
    fn start_option(&mut self, fit: &Fit, c: usize) {
        self.choice = c;
        self.seeds = self.initial.clone();
        if self.start_is_current && fit.option_is_current(c) {
            for (s, e) in self.seeds.iter_mut().zip(&self.defaults) {
                s.score = e.rmse_s;
            }
        }
    }

    /// The first step of an option's search: the grid, or (no numeric setting) its runs at once.
    fn first_step(fit: &Fit) -> Phase {
        if fit.spec.params.is_empty() {
            Phase::Final
        } else {
            Phase::Grid { round: 0, param: 0 }
        }
    }

    /// The jobs of the current step, in the order their evaluations must be fed; empty when done.
    pub fn batch(&self, fit: &Fit) -> Vec<Job> {
        let seed = |i: usize| fit.seed(i);
        let choice = fit.spec.choice.as_ref().map(|_| narrow::u32_of(self.choice));
        match self.phase {
            Phase::Defaults => {
                (0..self.seeds.len()).map(|i| Job { values: None, seed: seed(i), choice: None }).collect()
            }
            Phase::Grid { param, .. } => {
                let p = &fit.spec.params[param];
                let mut jobs = Vec::new();
                for (i, s) in self.seeds.iter().enumerate() {
                    let (lo, hi, scale) = s.ranges[param];
                    for step in 0..p.steps {
                        let mut values = s.values.clone();
                        values[param] = sweep::applied(fit.kinds[param], grid_value(lo, hi, scale, p.steps, step));
                        jobs.push(Job { values: Some(values), seed: seed(i), choice });
                    }
                }
                jobs
            }
            Phase::Final => {
                let fitted = self.fitted_values(fit);
                (0..self.seeds.len()).map(|i| Job { values: Some(fitted.clone()), seed: seed(i), choice }).collect()
            }
            Phase::Done => Vec::new(),
        }
    }

    /// Takes the evaluations of [`Search::batch`]'s jobs, in its order, and moves to the next step.
    pub fn feed(&mut self, fit: &Fit, evaluations: &[Evaluation]) -> Result<(), FitError> {
        let jobs = self.batch(fit);
        if evaluations.len() != jobs.len() {
            return Err(FitError::new(
                "search",
                format!("{} evaluations fed for a batch of {} jobs", evaluations.len(), jobs.len()),
            ));
        }
        self.done_runs += jobs.len() as u64;
        let params = fit.spec.params.len();
        self.phase = match self.phase {
            Phase::Defaults => {
                self.defaults = evaluations.to_vec();
                self.start_option(fit, 0);
                Search::first_step(fit)
            }
            Phase::Grid { round, param } => {
                let steps = fit.spec.params[param].steps as usize;
                for (i, s) in self.seeds.iter_mut().enumerate() {
                    let mine = &evaluations[i * steps..(i + 1) * steps];
                    let values: Vec<f64> = jobs[i * steps..(i + 1) * steps]
                        .iter()
                        .map(|j| j.values.as_ref().map_or(0.0, |v| v[param]))
                        .collect();
                    // The best of the pass (the first of equals); the current value stays if nothing beats it.
                    let mut best = 0;
                    for (k, e) in mine.iter().enumerate() {
                        if e.rmse_s < mine[best].rmse_s {
                            best = k;
                        }
                    }
                    if mine[best].rmse_s < s.score {
                        s.score = mine[best].rmse_s;
                        s.values[param] = values[best];
                    }
                    // The next pass: between the neighbours of the value kept, evenly.
                    let at = values.iter().position(|v| *v == s.values[param]).unwrap_or(best);
                    let lo = values[at.saturating_sub(1)];
                    let hi = values[(at + 1).min(steps - 1)];
                    s.ranges[param] = (lo, hi, Scale::Linear);
                }
                if param + 1 < params {
                    Phase::Grid { round, param: param + 1 }
                } else if round + 1 < fit.spec.rounds {
                    Phase::Grid { round: round + 1, param: 0 }
                } else {
                    Phase::Final
                }
            }
            Phase::Final => {
                self.fitted = evaluations.to_vec();
                self.done_choices.push((self.seeds.clone(), self.fitted.clone()));
                let options = fit.spec.choice.as_ref().map_or(1, |c| c.options.len());
                if self.choice + 1 < options {
                    self.start_option(fit, self.choice + 1);
                    Search::first_step(fit)
                } else {
                    Phase::Done
                }
            }
            Phase::Done => Phase::Done,
        };
        Ok(())
    }

    /// Each setting's median over the seeds' values (nearest rank; to three decimals; rounded for whole-number
    /// fields).
    fn fitted_values(&self, fit: &Fit) -> Vec<f64> {
        Search::fitted_of(&self.seeds, fit)
    }

    fn fitted_of(seeds: &[SeedState], fit: &Fit) -> Vec<f64> {
        (0..fit.spec.params.len())
            .map(|p| {
                let mut v: Vec<f64> = seeds.iter().map(|s| s.values[p]).collect();
                crate::sort::sort_by(&mut v, f64::total_cmp);
                // Three decimals: a refined grid's values (31.666666666666664) say no more than that.
                sweep::applied(fit.kinds[p], round3(sweep::percentile(&v, 50).unwrap_or(0.0)))
            })
            .collect()
    }

    /// The fit's result (complete once [`Search::is_done`]).
    pub fn report(&self, fit: &Fit) -> FitReport {
        let mean_rmse = |e: &[Evaluation]| {
            if e.is_empty() {
                f64::INFINITY
            } else {
                e.iter().map(|e| e.rmse_s).sum::<f64>() / e.len() as f64
            }
        };
        // The option whose fitted runs match best (the first of equals); before the end, the one in progress.
        let best = (0..self.done_choices.len())
            .min_by(|&a, &b| mean_rmse(&self.done_choices[a].1).total_cmp(&mean_rmse(&self.done_choices[b].1)));
        let (seeds, fitted_runs, best_option) = match best {
            Some(b) => (&self.done_choices[b].0, &self.done_choices[b].1, b),
            None => (&self.seeds, &self.fitted, self.choice),
        };
        let fitted = Search::fitted_of(seeds, fit);
        let params = fit
            .spec
            .params
            .iter()
            .enumerate()
            .map(|(p, axis)| {
                let per_seed: Vec<f64> = seeds.iter().map(|s| round3(s.values[p])).collect();
                let min = per_seed.iter().copied().fold(f64::INFINITY, f64::min);
                let max = per_seed.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                ParamReport {
                    path: axis.path.clone(),
                    range: axis.text().split_once('=').map_or_else(String::new, |(_, r)| r.to_string()),
                    current: fit.current[p],
                    fitted: fitted[p],
                    min,
                    max,
                    per_seed,
                }
            })
            .collect();
        let mean = |e: &[Evaluation], f: fn(&Evaluation) -> f64| {
            if e.is_empty() {
                None
            } else {
                Some(round3(e.iter().map(f).sum::<f64>() / e.len() as f64))
            }
        };
        let before_s = mean(&self.defaults, |e| e.rmse_s);
        let after_s = mean(fitted_runs, |e| e.rmse_s);
        let choice = fit.spec.choice.as_ref().map(|c| ChoiceReport {
            path: c.path.clone(),
            current: fit.current_choice.clone().unwrap_or_default(),
            fitted: c.options.get(best_option).cloned().unwrap_or_default(),
            options: self
                .done_choices
                .iter()
                .zip(&c.options)
                .map(|((_, runs), value)| OptionReport {
                    value: value.clone(),
                    after_rmse_s: mean(runs, |e| e.rmse_s),
                    after_rmse_tasks: mean(runs, |e| e.rmse_tasks),
                })
                .collect(),
        });
        FitReport {
            scenario: fit.scenario_name.clone(),
            service: fit.service_name.clone(),
            kind: fit.measured.kind,
            measured_points: fit.measured.points.len(),
            seeds: fit.spec.seeds,
            base_seed: fit.spec.base_seed,
            rounds: fit.spec.rounds,
            runs: self.done_runs,
            params,
            before_rmse_s: before_s,
            after_rmse_s: after_s,
            before_rmse_tasks: mean(&self.defaults, |e| e.rmse_tasks),
            after_rmse_tasks: mean(fitted_runs, |e| e.rmse_tasks),
            improvement_percent: match (before_s, after_s) {
                (Some(b), Some(a)) if b > 0.0 => Some(libm::round((b - a) / b * 1000.0) / 10.0),
                _ => None,
            },
            before: self.defaults.first().cloned(),
            after: fitted_runs.first().cloned(),
            choice,
        }
    }
}

/// One setting's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamReport {
    pub path: String,
    /// The range searched, `FROM..TO:STEPS[:log]`.
    pub range: String,
    /// The value the scenario had (its default when unset); `None`: none.
    pub current: Option<f64>,
    /// The median of the seeds' best values.
    pub fitted: f64,
    /// The spread of the seeds' best values.
    pub min: f64,
    pub max: f64,
    pub per_seed: Vec<f64>,
}

/// What a fit found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitReport {
    pub scenario: String,
    pub service: String,
    pub kind: CurveKind,
    pub measured_points: usize,
    pub seeds: u32,
    pub base_seed: u64,
    pub rounds: u32,
    pub runs: u64,
    pub params: Vec<ParamReport>,
    /// The objective (seconds), mean over seeds, with the scenario as given and with the fitted values.
    pub before_rmse_s: Option<f64>,
    pub after_rmse_s: Option<f64>,
    /// The count error (tasks), mean over seeds, likewise.
    pub before_rmse_tasks: Option<f64>,
    pub after_rmse_tasks: Option<f64>,
    /// How much smaller the objective is with the fitted values, in percent.
    pub improvement_percent: Option<f64>,
    /// The comparisons of the first seed's runs, with the scenario as given and with the fitted values.
    pub before: Option<Comparison>,
    pub after: Option<Comparison>,
    /// The choice searched (the limits profile): each option's error with its own fitted values, and the best.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choice: Option<ChoiceReport>,
}

/// A categorical setting's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChoiceReport {
    pub path: String,
    /// The option the scenario had (its default when unset).
    pub current: String,
    /// The option whose fitted runs match best.
    pub fitted: String,
    pub options: Vec<OptionReport>,
}

/// One option of a choice: the error of its runs at its own fitted values, mean over seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionReport {
    pub value: String,
    pub after_rmse_s: Option<f64>,
    pub after_rmse_tasks: Option<f64>,
}

impl FitReport {
    /// `PATH=VALUE` of each fitted setting.
    pub fn assignments(&self) -> Vec<(String, f64)> {
        self.params.iter().map(|p| (p.path.clone(), p.fitted)).collect()
    }
}

/// Runs a whole fit on this thread (tests, small fits): the shells run batches in parallel instead.
pub fn run_serial(fit: &Fit) -> Result<FitReport, FitError> {
    let mut search = fit.search();
    while !search.is_done() {
        let evaluations = search.batch(fit).iter().map(|j| fit.evaluate(j)).collect::<Result<Vec<_>, _>>()?;
        search.feed(fit, &evaluations)?;
    }
    Ok(search.report(fit))
}
