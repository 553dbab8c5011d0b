//! `fleetplan sweep` and `fleetplan sweep-merge`: the shell around the engine's `sweep` module. It reads the
//! scenario, runs the sweep's runs on every core (a shared work queue over `std::thread::scope`; results put back
//! in run-index order, so the output does not depend on the number of threads), writes a shard's part file or
//! prints the per-run CSV, the aggregated JSON or a table. Every number and decision comes from the engine.

use std::fs::File;
use std::io::Read;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use clap::Args;
use fleetplan_engine::sweep::{self, Part, Report, RunResult, Shard, Sweep, SweepError, SweepSpec, OUTCOMES};
use fleetplan_engine::Scenario;

use crate::{out, pool, scenario_of, Outcome};

#[derive(Args)]
pub struct SweepCommand {
    /// Scenario JSON file.
    file: Option<PathBuf>,
    /// A built-in preset id instead of a file (see `fleetplan presets`).
    #[arg(long, conflicts_with = "file")]
    preset: Option<String>,
    /// An axis: a numeric field by the path its validation errors print, and its values, e.g.
    /// `services[0].desired_count=100..2000:20` or `limits.fargate_on_demand_launch.refill_per_s=1..100:5:log`.
    /// At most two (a grid). Whole-number fields round to the nearest integer, halves away from zero.
    #[arg(long = "set", value_name = "PATH=FROM..TO:STEPS[:log]")]
    set: Vec<String>,
    /// Runs per point, with seeds base-seed, base-seed + 1, ...
    #[arg(long, default_value_t = 1)]
    seeds: u32,
    #[arg(long, default_value_t = 1)]
    base_seed: u64,
    /// Run one slice of the sweep (runs whose index % N == I) and print its part file for `sweep-merge`.
    /// `env/N` reads I from AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array jobs) or JOB_COMPLETION_INDEX (Kubernetes
    /// Indexed Jobs).
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Print the aggregated results (per point statistics, the goal's answer) as one JSON object.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print every run as CSV: run index, point, the axes' values, seed, every outcome.
    #[arg(long)]
    csv: bool,
    /// The goal's objective: an outcome (its median over seeds) or a swept field, made as small as possible.
    #[arg(long, value_name = "OUTCOME|PATH")]
    minimize: Option<String>,
    /// A condition a run must meet, e.g. `completion_s<=300` (also <, >=, >); repeatable, all must hold.
    #[arg(long, value_name = "OUTCOME<=VALUE")]
    require: Vec<String>,
    /// Percent of a point's seeds that must meet every --require [default: 100].
    #[arg(long, value_name = "PERCENT")]
    confidence: Option<u8>,
    /// Worker threads (default: the machine's available parallelism); the output is the same for any number.
    #[arg(long, hide = true)]
    threads: Option<NonZeroUsize>,
}

#[derive(Args)]
pub struct MergeCommand {
    /// The part files, one per shard, in any order.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// Print the aggregated results as JSON (as `fleetplan sweep --json` does).
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print every run as CSV (as `fleetplan sweep --csv` does).
    #[arg(long)]
    csv: bool,
}

/// The environment variables a shard index may come from with `--shard env/N`: AWS Batch sets the first in each
/// child of an array job ("This variable is only set in child array jobs. The array job index begins at 0",
/// AWS Batch User Guide, "AWS Batch job environment variables"); a Kubernetes Indexed Job the second ("the
/// control plane automatically sets the downward API to expose the index in the JOB_COMPLETION_INDEX environment
/// variable", Kubernetes documentation, "Indexed Job for Parallel Processing with Static Work Assignment").
pub const SHARD_VARIABLES: [&str; 2] = ["AWS_BATCH_JOB_ARRAY_INDEX", "JOB_COMPLETION_INDEX"];

/// `I/N`, or `env/N` with I from whichever of [`SHARD_VARIABLES`] `lookup` finds (both set: they must agree).
pub fn shard_from(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<Shard, SweepError> {
    let Some(count) = text.strip_prefix("env/") else { return Shard::parse(text) };
    let found: Vec<(&str, String)> =
        SHARD_VARIABLES.iter().filter_map(|name| lookup(name).map(|v| (*name, v.trim().to_string()))).collect();
    let index = match found.as_slice() {
        [] => {
            return Err(SweepError {
                field: format!("--shard {text}"),
                message: format!(
                    "neither {} is set (run it as an array job, or give I/N)",
                    SHARD_VARIABLES.join(" nor ")
                ),
            })
        }
        [(_, v)] => v.clone(),
        [(a, v), (b, w), ..] => {
            if v != w {
                return Err(SweepError {
                    field: format!("--shard {text}"),
                    message: format!("{a}={v} and {b}={w} disagree"),
                });
            }
            v.clone()
        }
    };
    Shard::parse(&format!("{index}/{count}")).map_err(|e| SweepError {
        field: format!("--shard {text} (index {index} from {})", found[0].0),
        message: e.message,
    })
}

/// Runs `indices` on `threads` threads from one shared queue ([`pool::run_in_order`]) and returns the results in the
/// order of `indices`. A point whose scenario is invalid stops the sweep with the error of the lowest index.
pub fn execute(sweep: &Sweep, indices: &[u64], threads: usize) -> Result<Vec<RunResult>, SweepError> {
    pool::run_in_order(
        indices,
        threads,
        // The point's validated scenario, kept for its other seeds when this thread gets them.
        || None::<(u64, Scenario)>,
        |cached, &index| {
            let point = sweep.plan(index).point;
            let scenario = match cached {
                Some((p, scenario)) if *p == point => Ok(scenario.clone()),
                _ => sweep.scenario_at(point).inspect(|s| *cached = Some((point, s.clone()))),
            };
            scenario.map(|s| sweep.execute_on(s, index))
        },
        |k| SweepError { field: format!("run {}", indices[k]), message: "was not run".into() },
    )
}

pub fn sweep(args: SweepCommand) -> Outcome {
    let scenario = scenario_of(args.file.as_deref(), args.preset.as_deref())?;
    let spec = SweepSpec::parse(&sweep::SweepArgs {
        set: args.set.clone(),
        seeds: args.seeds,
        base_seed: args.base_seed,
        minimize: args.minimize.clone(),
        require: args.require.clone(),
        confidence: args.confidence,
    })
    .map_err(|e| e.to_string())?;
    let sweep = Sweep::new(spec, &scenario.spec).map_err(|e| e.to_string())?;
    let threads = pool::threads(args.threads);
    if let Some(text) = &args.shard {
        if args.json || args.csv {
            return Err("--shard prints a part file; give --json or --csv to `fleetplan sweep-merge`".into());
        }
        let shard = shard_from(text, |name| std::env::var(name).ok()).map_err(|e| e.to_string())?;
        let indices: Vec<u64> = shard.runs(sweep.runs()).collect();
        let results = execute(&sweep, &indices, threads).map_err(|e| e.to_string())?;
        let part = sweep.part(shard, &results);
        return out(&format!("{}\n", serde_json::to_string(&part).map_err(|e| e.to_string())?));
    }
    let indices: Vec<u64> = (0..sweep.runs()).collect();
    let results = execute(&sweep, &indices, threads).map_err(|e| e.to_string())?;
    print(&sweep, &results, args.json, args.csv)
}

/// What a whole sweep prints (also after a merge, byte for byte the same).
fn print(sweep: &Sweep, results: &[RunResult], json: bool, csv: bool) -> Outcome {
    if csv {
        out(&sweep::runs_csv(sweep, results))
    } else if json {
        let report = sweep::report(sweep, results);
        out(&format!("{}\n", serde_json::to_string(&report).map_err(|e| e.to_string())?))
    } else {
        out(&table(&sweep::report(sweep, results)))
    }
}

/// The largest part file read: a part of a sweep at the run cap is ~40 MB.
const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;

fn read_part(path: &Path) -> Result<Part, String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let mut text = String::new();
    File::open(path).map_err(cannot)?.take(MAX_PART_BYTES + 1).read_to_string(&mut text).map_err(cannot)?;
    if text.len() as u64 > MAX_PART_BYTES {
        return Err(format!("{} is larger than {} MiB: not a part file", path.display(), MAX_PART_BYTES >> 20));
    }
    serde_json::from_str(&text).map_err(|e| {
        format!("{} is not a sweep part file (`fleetplan sweep --shard I/N` writes them): {e}", path.display())
    })
}

pub fn merge(args: MergeCommand) -> Outcome {
    let parts = args.parts.iter().map(|p| read_part(p)).collect::<Result<Vec<_>, _>>()?;
    let (sweep, results) = sweep::merge(&parts).map_err(|e| {
        // Name files, not positions: "part 2" is the second file given.
        let mut message = e.to_string();
        for (i, path) in args.parts.iter().enumerate().rev() {
            message = message.replace(&format!("part {} (", i + 1), &format!("{} (", path.display()));
        }
        message
    })?;
    print(&sweep, &results, args.json, args.csv)
}

// ---------------------------------------------------------------------------------------------------------------
// The table

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// The outcomes the table shows: completion, the billed cost, failures, and whatever the goal names.
fn shown(report: &Report) -> Vec<usize> {
    let mut names: Vec<&str> = vec!["completion_s", "costs.billed_usd", "tasks_failed"];
    if let Some(m) = &report.sweep.minimize {
        names.push(m);
    }
    for r in &report.sweep.require {
        if let Some(name) =
            OUTCOMES.iter().map(|o| o.name).find(|n| r.starts_with(n) && r[n.len()..].starts_with(['<', '>']))
        {
            names.push(name);
        }
    }
    let mut out: Vec<usize> = Vec::new();
    for n in names {
        if let Some(i) = OUTCOMES.iter().position(|o| o.name == n) {
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
    out
}

fn align(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().enumerate().map(|(c, s)| format!("{s:<w$}", w = widths[c])).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The text form: a line about the sweep, one row per point (median and p5–p95 of the shown outcomes), the
/// answer; without axes, each outcome's distribution and a histogram of the first shown one.
pub fn table(report: &Report) -> String {
    let mut text = format!(
        "Sweep of \"{}\": {} point(s) x {} seed(s) = {} runs (digest {})\n",
        report.scenario, report.points, report.seeds, report.runs, report.digest
    );
    let shown = shown(report);
    if report.axes.is_empty() {
        let mut rows =
            vec![["outcome", "unit", "runs", "min", "p5", "median", "p95", "max"].map(String::from).to_vec()];
        for d in &report.distribution {
            if d.stats.count == 0 {
                continue;
            }
            let s = &d.stats;
            rows.push(vec![
                s.outcome.to_string(),
                s.unit.to_string(),
                s.count.to_string(),
                num(s.min),
                num(s.p5),
                num(s.median),
                num(s.p95),
                num(s.max),
            ]);
        }
        text.push_str(&align(&rows));
        if let Some(d) = shown.first().and_then(|&o| report.distribution.get(o)) {
            if let Some(h) = &d.histogram {
                text.push_str(&format!(
                    "\n{} ({}), p50 {} p95 {}:\n",
                    d.stats.outcome,
                    d.stats.unit,
                    num(d.stats.median),
                    num(d.stats.p95)
                ));
                let width = (h.to - h.from) / h.counts.len() as f64;
                let most = h.counts.iter().copied().max().unwrap_or(1).max(1);
                let mut rows = Vec::new();
                for (i, &c) in h.counts.iter().enumerate() {
                    let lo = h.from + width * i as f64;
                    let hi = if i + 1 == h.counts.len() { h.to } else { lo + width };
                    let bar = "#".repeat(usize::try_from(c * 40 / most).unwrap_or(40));
                    rows.push(vec![format!("{lo:.3}..{hi:.3}"), c.to_string(), bar]);
                }
                text.push_str(&align(&rows));
            }
        }
    } else {
        let mut header: Vec<String> = vec!["point".into()];
        header.extend(report.axes.iter().map(|a| a.path.clone()));
        for &o in &shown {
            header.push(format!("{} ({}) median [p5, p95]", OUTCOMES[o].name, OUTCOMES[o].unit));
        }
        let goal = !report.sweep.require.is_empty();
        if goal {
            header.push("seeds meeting".into());
        }
        let mut rows = vec![header];
        for p in &report.results {
            let mut row = vec![p.point.to_string()];
            row.extend(p.values.iter().map(f64::to_string));
            for &o in &shown {
                let s = &p.stats[o];
                row.push(if s.count == 0 {
                    "-".into()
                } else {
                    format!("{} [{}, {}]", num(s.median), num(s.p5), num(s.p95))
                });
            }
            if let Some(m) = p.meeting {
                row.push(format!("{m}/{}", p.runs));
            }
            rows.push(row);
        }
        text.push_str(&align(&rows));
    }
    if let Some(a) = &report.answer {
        text.push_str(&format!("\nAnswer: {}\n", a.text));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn the_shard_index_comes_from_either_array_job_variable() {
        assert_eq!(shard_from("2/4", env(&[])).unwrap(), Shard { index: 2, count: 4 });
        assert_eq!(
            shard_from("env/4", env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "3")])).unwrap(),
            Shard { index: 3, count: 4 }
        );
        assert_eq!(shard_from("env/4", env(&[("JOB_COMPLETION_INDEX", "1")])).unwrap(), Shard { index: 1, count: 4 });
        let both = [("AWS_BATCH_JOB_ARRAY_INDEX", "1"), ("JOB_COMPLETION_INDEX", "1")];
        assert_eq!(shard_from("env/2", env(&both)).unwrap(), Shard { index: 1, count: 2 });
        let e = shard_from("env/4", env(&[])).unwrap_err();
        assert!(e.message.contains("neither AWS_BATCH_JOB_ARRAY_INDEX nor JOB_COMPLETION_INDEX is set"), "{e}");
        let e =
            shard_from("env/4", env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "1"), ("JOB_COMPLETION_INDEX", "2")])).unwrap_err();
        assert!(e.message.contains("disagree"), "{e}");
        let e = shard_from("env/4", env(&[("JOB_COMPLETION_INDEX", "4")])).unwrap_err();
        assert!(
            e.field.contains("index 4 from JOB_COMPLETION_INDEX") && e.message.contains("I must be from 0 to 3"),
            "{e}"
        );
    }
}
