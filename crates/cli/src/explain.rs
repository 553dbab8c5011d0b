//! `fleetplan explain (FILE|--preset ID) --at T (--task N | --service NAME | --burst N|NAME | --job N|NAME
//! [--index I]) [--seed N] [--json]`: runs the scenario to the instant T and prints what holds the task, service,
//! RunTask burst or AWS Batch job then, as the engine computes it from its state (`fleetplan_engine::explain`), the
//! same words the page shows. With `--service NAME --timeline` it prints instead what held the service back from 0 to
//! T, segment by segment, and the shares of that time per limiter (`fleetplan_engine::limited_by`), as the page's
//! band under the charts shows them.

use std::path::PathBuf;

use clap::Args;
use fleetplan_engine::explain::Explanation;
use fleetplan_engine::{RunOptions, SimTime, Simulation};

use crate::{out, scenario_of, Outcome};

#[derive(Args)]
#[command(group(clap::ArgGroup::new("subject").required(true).args(["task", "service", "burst", "job"])))]
pub struct ExplainArgs {
    /// Scenario JSON file.
    file: Option<PathBuf>,
    /// A built-in preset id instead of a file (see `fleetplan presets`).
    #[arg(long, conflicts_with = "file")]
    preset: Option<String>,
    /// The instant, in simulated seconds from the start (events at that instant have happened).
    #[arg(long, value_name = "SECONDS")]
    at: f64,
    /// A task, by its number (the order tasks were launched in, from 0; the trace and the page show it).
    #[arg(long, value_name = "N")]
    task: Option<u32>,
    /// A service, by name.
    #[arg(long, value_name = "NAME")]
    service: Option<String>,
    /// A RunTask burst, by its name or its number in the file (from 0).
    #[arg(long, value_name = "N|NAME")]
    burst: Option<String>,
    /// An AWS Batch job, by its number (the order jobs were created in, from 0; the page's hover shows it) or its
    /// submission's name (its first SubmitJob call's job).
    #[arg(long, value_name = "N|NAME")]
    job: Option<String>,
    /// With `--job NAME`: the array child, from 0.
    #[arg(long, value_name = "I", requires = "job")]
    index: Option<u32>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the explanation as one JSON object (state, holds with their numbers, and the sentence).
    #[arg(long)]
    json: bool,
    /// With --service: what held the service back from 0 to T, segment by segment, and its shares of the time.
    #[arg(long, requires = "service")]
    timeline: bool,
}

/// `--timeline`: the service's segments up to the instant, and its shares.
#[derive(serde::Serialize)]
struct Timeline {
    at_s: f64,
    #[serde(flatten)]
    band: fleetplan_engine::limited_by::ServiceBand,
    limited_by_shares: Vec<fleetplan_engine::limited_by::HeldShare>,
}

/// The simulation at the instant the arguments name (names looked up first), and the burst and job number they name.
fn run_to(args: &ExplainArgs) -> Result<(Simulation, Option<usize>, Option<u32>), String> {
    let scenario = scenario_of(args.file.as_deref(), args.preset.as_deref())?;
    let horizon_s = scenario.horizon.as_secs_f64();
    if !args.at.is_finite() || args.at < 0.0 {
        return Err(format!("--at {} is not an instant of the run (seconds from 0 to {horizon_s})", args.at));
    }
    if args.at > horizon_s {
        return Err(format!("--at {} s is beyond the run: its horizon is {horizon_s} s", args.at));
    }
    // Finished tasks are kept so a task that has stopped by then can still be explained.
    let options = RunOptions { trace: false, check_invariants: false, keep_finished_tasks: true };
    let mut sim = Simulation::with_options(scenario, args.seed, options);
    // Look names up before running, so a typo fails at once.
    if let Some(name) = &args.service {
        sim.service_index(name)?;
    }
    let burst = match &args.burst {
        Some(b) => Some(match b.parse::<usize>() {
            Ok(index) => index,
            Err(_) => sim.burst_index(b)?,
        }),
        None => None,
    };
    let job_number = args.job.as_deref().and_then(|j| j.parse::<u32>().ok());
    if let (Some(name), None) = (&args.job, job_number) {
        let names = scenario_job_names(&sim);
        if !names.iter().any(|n| n == name) {
            return Err(if names.is_empty() {
                "the scenario has no AWS Batch jobs".to_string()
            } else {
                format!("no Batch submission {name:?}; the submissions are: {}", names.join(", "))
            });
        }
    }
    if job_number.is_some() && args.index.is_some() {
        return Err("--index goes with --job NAME; a job number names one job already".into());
    }
    sim.step_until(SimTime::from_secs_f64(args.at));
    if let Some(stopped) = sim.stopped_early() {
        return Err(format!(
            "the run stopped early at {} s ({}), before --at {}",
            stopped.at_s, stopped.reason, args.at
        ));
    }
    Ok((sim, burst, job_number))
}

/// The explanation the arguments ask for.
pub fn explanation(args: &ExplainArgs) -> Result<Explanation, String> {
    let (sim, burst, job_number) = run_to(args)?;
    match (args.task, &args.service, burst, &args.job) {
        (Some(task), _, _, _) => sim.explain_task(task),
        (_, Some(name), _, _) => sim.explain_service(name),
        (_, _, Some(index), _) => sim.explain_burst(index),
        (_, _, _, Some(name)) => match job_number {
            Some(job) => sim.explain_job(job),
            None => sim.explain_job(sim.batch_job_index(name, args.index)?),
        },
        _ => Err("name a --task, --service, --burst or --job".into()),
    }
}

/// The names of the scenario's Batch submissions.
fn scenario_job_names(sim: &Simulation) -> Vec<String> {
    sim.scenario().batch.as_ref().map_or_else(Vec::new, |b| b.submissions.iter().map(|s| s.name.clone()).collect())
}

/// `--timeline`: the named service's band and shares at the instant.
fn timeline(args: &ExplainArgs) -> Result<Timeline, String> {
    let (sim, _, _) = run_to(args)?;
    let name = args.service.as_deref().ok_or("--timeline needs --service NAME")?;
    let index = sim.service_index(name)?;
    let band = sim.limited_by_timeline().swap_remove(index);
    let limited_by_shares = sim.metrics().services.swap_remove(index).limited_by_shares;
    Ok(Timeline { at_s: sim.now().as_secs_f64(), band, limited_by_shares })
}

pub fn run(args: ExplainArgs) -> Outcome {
    if args.timeline {
        let t = timeline(&args)?;
        if args.json {
            return out(&format!("{}\n", serde_json::to_string(&t).map_err(|e| e.to_string())?));
        }
        let mut text = format!("service {} from 0 to {} s:\n", t.band.service, t.at_s);
        let at_ms = sim_ms(t.at_s);
        for (i, s) in t.band.segments.iter().enumerate() {
            let to = t.band.segments.get(i + 1).map_or(at_ms, |n| n.from_ms);
            text.push_str(&format!(
                "  {:>9} - {:>9} s  {}\n",
                s.from_ms as f64 / 1000.0,
                to as f64 / 1000.0,
                s.held.name()
            ));
        }
        if t.band.coarsened {
            text.push_str("  (coarsened to stay within its cap; the shares are exact)\n");
        }
        text.push_str("shares of the time it was held back:\n");
        for s in &t.limited_by_shares {
            text.push_str(&format!("  {:>5.1}%  {:>9} s  {}\n", s.share * 100.0, s.seconds, s.held.name()));
        }
        return out(&text);
    }
    let e = explanation(&args)?;
    if args.json {
        out(&format!("{}\n", serde_json::to_string(&e).map_err(|e| e.to_string())?))
    } else {
        out(&format!("at {} s: {}\n", e.at_s, e.text()))
    }
}

/// Seconds to whole milliseconds (the instant the run was stepped to).
fn sim_ms(seconds: f64) -> u64 {
    SimTime::from_secs_f64(seconds).as_millis()
}
