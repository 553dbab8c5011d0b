//! `fleetplan fit`: the shell around the engine's `fit` module. Reads the scenario and the measured curve, runs
//! each batch of the search on every core (a shared work queue over `std::thread::scope`; evaluations put back in
//! batch order, so the result does not depend on the number of threads), prints the fitted values, and with
//! `--apply` writes the scenario with them. Every number and decision comes from the engine.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::Args;
use fleetplan_engine::fit::{self, measured, Choice, Evaluation, Fit, FitError, FitReport, FitSpec, Job};
use fleetplan_engine::sweep::Axis;

use crate::{out, pool, read_capped_text, scenario_of, Outcome};

#[derive(Args)]
pub struct FitCommand {
    /// Scenario JSON file.
    file: Option<PathBuf>,
    /// A built-in preset id instead of a file (see `fleetplan presets`).
    #[arg(long, conflicts_with = "file")]
    preset: Option<String>,
    /// The measured curve: a CSV of `time_s,count` rows (a header whose count column names launches or starts
    /// makes it launched tasks, else running tasks), or the JSON `aws ecs describe-services` prints (the
    /// "has started N tasks" events).
    #[arg(long, value_name = "CSV_OR_JSON")]
    measured: PathBuf,
    /// The service the measurement is of (needed when the scenario or the describe-services output has several).
    #[arg(long)]
    service: Option<String>,
    /// A setting to search and its range, as `fleetplan sweep --set` takes it, e.g.
    /// `latencies.fargate_capacity.mean_s=5..125:7` (at most 4). Default: the calibrated latencies that matter
    /// where the service's tasks run. `limits.profile` (or `limits.profile=2022,current`) searches the limits
    /// profile too, a choice: the numeric search runs once per option and the best option is kept.
    #[arg(long = "param", value_name = "PATH=FROM..TO:STEPS[:log]")]
    params: Vec<String>,
    /// Seeds, each fitted on its own (the spread of the fitted values is over them).
    #[arg(long, default_value_t = 4)]
    seeds: u32,
    #[arg(long, default_value_t = 1)]
    base_seed: u64,
    /// Passes over the settings: the first over the whole ranges, each later one refined around the best.
    #[arg(long, default_value_t = 3)]
    rounds: u32,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
    /// Write the scenario with the fitted values to this file.
    #[arg(long, value_name = "OUT.json")]
    apply: Option<PathBuf>,
    /// Worker threads (default: the machine's available parallelism); the result is the same for any number.
    #[arg(long, hide = true)]
    threads: Option<NonZeroUsize>,
}

/// Evaluates `jobs` on `threads` threads from one shared queue ([`pool::run_in_order`]); the evaluations in the
/// order of `jobs`. The error returned is the one of the lowest job index.
pub fn evaluate_all(fit: &Fit, jobs: &[Job], threads: usize) -> Result<Vec<Evaluation>, FitError> {
    pool::run_in_order(
        jobs,
        threads,
        || (),
        |(), job| fit.evaluate(job),
        |k| FitError { field: format!("job {k}"), message: "was not run".into() },
    )
}

pub fn fit(args: FitCommand) -> Outcome {
    let scenario = scenario_of(args.file.as_deref(), args.preset.as_deref())?;
    let text = read_capped_text(&args.measured, measured::MAX_MEASURED_BYTES, ": not a measured curve")?;
    let curve =
        fit::parse_measured(&text, args.service.as_deref()).map_err(|e| format!("{}: {e}", args.measured.display()))?;
    let (choices, numeric): (Vec<&String>, Vec<&String>) = args.params.iter().partition(|p| Choice::is_choice(p));
    if choices.len() > 1 {
        return Err("--param: at most one choice (limits.profile)".into());
    }
    let choice = choices.first().map(|c| Choice::parse(c)).transpose().map_err(|e| e.to_string())?;
    let params = numeric.iter().map(|p| Axis::parse(p)).collect::<Result<Vec<_>, _>>().map_err(|e| {
        // The sweep's parser names its flag `--set`; here it is `--param`.
        e.to_string().replacen("--set ", "--param ", 1)
    })?;
    let spec = FitSpec {
        service: args.service.clone(),
        params,
        seeds: args.seeds,
        base_seed: args.base_seed,
        rounds: args.rounds,
        choice,
    };
    let fit = Fit::new(spec, &scenario, curve).map_err(|e| e.to_string())?;
    let threads = pool::threads(args.threads);
    let mut search = fit.search();
    while !search.is_done() {
        let jobs = search.batch(&fit);
        let evaluations = evaluate_all(&fit, &jobs, threads).map_err(|e| e.to_string())?;
        search.feed(&fit, &evaluations).map_err(|e| e.to_string())?;
    }
    let report = search.report(&fit);
    if let Some(path) = &args.apply {
        let value = fit.fitted_json(&report).map_err(|e| e.to_string())?;
        let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
        std::fs::write(path, format!("{text}\n")).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if args.json {
        out(&format!("{}\n", serde_json::to_string(&report).map_err(|e| e.to_string())?))
    } else {
        out(&table(&report))
    }
}

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v} s"))
}

/// The text form: the settings' fitted values with their spread, the error before and after.
pub fn table(r: &FitReport) -> String {
    let mut text = format!(
        "Fit of \"{}\", service {} ({} tasks, {} measured points): {} seed(s), {} pass(es), {} runs\n",
        r.scenario,
        r.service,
        r.kind.name(),
        r.measured_points,
        r.seeds,
        r.rounds,
        r.runs
    );
    for p in &r.params {
        text.push_str(&format!(
            "  {} = {}  (seeds: {} to {}; was {}; searched {})\n",
            p.path,
            p.fitted,
            p.min,
            p.max,
            p.current.map_or_else(|| "unset".into(), |c| c.to_string()),
            p.range
        ));
    }
    let num = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| v.to_string());
    if let Some(c) = &r.choice {
        let options: Vec<String> = c.options.iter().map(|o| format!("{} {} s", o.value, num(o.after_rmse_s))).collect();
        text.push_str(&format!(
            "  {} = {}  (time error per option, fitted: {}; was {})\n",
            c.path,
            c.fitted,
            options.join(", "),
            c.current
        ));
    }
    text.push_str(&format!(
        "Time error (RMSE, mean over seeds): {} s before, {} s after (improvement {}%)\n",
        num(r.before_rmse_s),
        num(r.after_rmse_s),
        num(r.improvement_percent)
    ));
    text.push_str(&format!(
        "Count error (RMSE at the measured times): {} tasks before, {} tasks after\n",
        num(r.before_rmse_tasks),
        num(r.after_rmse_tasks)
    ));
    if let (Some(b), Some(a)) = (&r.before, &r.after) {
        text.push_str(&format!(
            "Time to 50/90/100% of {} (seed {}): measured {} / {} / {}; before {} / {} / {}; after {} / {} / {}\n",
            b.desired,
            r.base_seed,
            secs(b.measured.t50_s),
            secs(b.measured.t90_s),
            secs(b.measured.t100_s),
            secs(b.simulated.t50_s),
            secs(b.simulated.t90_s),
            secs(b.simulated.t100_s),
            secs(a.simulated.t50_s),
            secs(a.simulated.t90_s),
            secs(a.simulated.t100_s),
        ));
    }
    text
}
