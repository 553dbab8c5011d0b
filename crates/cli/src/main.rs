//! `fleetplan`: the command line over the engine. Reads files, prints results; the engine does the rest.

mod report;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use fleetplan_engine::{benchmarks, calibration, presets, share, RunOptions, Scenario, Simulation};

/// Plan container capacity and launch rates on AWS ECS and Fargate with a deterministic simulation.
#[derive(Parser)]
#[command(name = "fleetplan", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the built-in presets: ids and titles.
    Presets,
    /// Run a preset or a scenario file and print its summary.
    Run(RunArgs),
    /// Validate a scenario file; exits 1 with the reasons if it is invalid.
    Check { file: PathBuf },
    /// Print the share-link fragment of a scenario file, or decode a fragment back to scenario JSON.
    Url(UrlArgs),
    /// Run the calibration presets and compare them with the published benchmark.
    Calibrate {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Measure the engine's speed on large scenarios (events per second).
    Bench {
        /// Benchmark id (default: all).
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Scenario JSON file.
    file: Option<PathBuf>,
    /// A built-in preset id instead of a file (see `fleetplan presets`).
    #[arg(long, conflicts_with = "file")]
    preset: Option<String>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
    /// Write the time series as CSV to this file.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Write the event trace to this file.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
}

#[derive(Args)]
struct UrlArgs {
    /// Scenario JSON file to encode.
    #[arg(required_unless_present = "decode")]
    file: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Decode a fragment (or a whole link) back to scenario JSON.
    #[arg(long, value_name = "FRAGMENT", conflicts_with = "file")]
    decode: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Presets => {
            print!("{}", report::presets_table());
            Ok(())
        }
        Command::Run(args) => run(args),
        Command::Check { file } => check(&file),
        Command::Url(args) => url(args),
        Command::Calibrate { seed, json } => calibrate(seed, json),
        Command::Bench { id, json } => bench(id.as_deref(), json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read_scenario(path: &Path) -> Result<Scenario, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Scenario::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(args: RunArgs) -> Result<(), String> {
    let scenario = match (&args.file, &args.preset) {
        (Some(file), None) => read_scenario(file)?,
        (None, Some(id)) => {
            let preset = presets::get(id).ok_or_else(|| presets::unknown_message(id))?;
            preset.scenario().map_err(|e| format!("preset {id}: {e}"))?
        }
        _ => return Err("give a scenario file or --preset <id> (see `fleetplan presets`)".into()),
    };
    let options = RunOptions { trace: args.trace.is_some(), check_invariants: false };
    let mut sim = Simulation::with_options(scenario, args.seed, options);
    sim.run_to_end();
    if let Some(path) = &args.csv {
        fs::write(path, sim.series().to_csv()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &args.trace {
        let text: String = sim.trace().iter().map(|entry| format!("{entry}\n")).collect();
        fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let summary = sim.metrics();
    if args.json {
        println!("{}", serde_json::to_string(&summary).map_err(|e| e.to_string())?);
    } else {
        print!("{}", report::summary_text(&summary));
    }
    Ok(())
}

fn check(file: &Path) -> Result<(), String> {
    let scenario = read_scenario(file)?;
    println!(
        "{}: valid: \"{}\", {} service(s), {} RunTask burst(s), {} timed event(s)",
        file.display(),
        scenario.name,
        scenario.services.len(),
        scenario.run_tasks.len(),
        scenario.events.len()
    );
    Ok(())
}

fn url(args: UrlArgs) -> Result<(), String> {
    if let Some(fragment) = args.decode {
        // Accept a whole link too: everything after the `#`.
        let fragment = fragment.split_once('#').map_or(fragment.as_str(), |(_, f)| f);
        let run = share::decode_unvalidated(fragment).map_err(|e| e.to_string())?;
        println!("{}", serde_json::to_string_pretty(&run.scenario).map_err(|e| e.to_string())?);
        eprintln!("seed: {}", run.seed);
        if let Err(e) = Scenario::from_spec(run.scenario) {
            return Err(format!("the decoded scenario is not valid: {e}"));
        }
        return Ok(());
    }
    let file = args.file.expect("clap requires a file unless --decode is given");
    let scenario = read_scenario(&file)?;
    println!("#{}", share::encode(&scenario.spec, args.seed));
    Ok(())
}

fn calibrate(seed: u64, json: bool) -> Result<(), String> {
    let rows = calibration::run(seed);
    if json {
        println!("{}", serde_json::to_string(&rows).map_err(|e| e.to_string())?);
    } else {
        print!("{}", report::calibration_table(&rows));
    }
    if rows.iter().all(|row| row.within_tolerance) {
        Ok(())
    } else {
        Err(format!("some presets are more than {}% from the published time", calibration::TOLERANCE * 100.0))
    }
}

fn bench(id: Option<&str>, json: bool) -> Result<(), String> {
    let ids: Vec<&str> = match id {
        Some(id) => vec![id],
        None => benchmarks::IDS.to_vec(),
    };
    for id in ids {
        let scenario = benchmarks::scenario(id)
            .ok_or_else(|| format!("unknown benchmark `{id}`; known: {}", benchmarks::IDS.join(", ")))?;
        // One warm-up run, then the best of three: the figure is the engine's speed, not the machine's noise.
        let mut best = f64::INFINITY;
        let mut events = 0;
        let mut tasks = 0;
        for round in 0..4 {
            let mut sim =
                Simulation::with_options(scenario.clone(), 1, RunOptions { trace: false, check_invariants: false });
            let start = Instant::now();
            events = sim.run_to_end();
            let elapsed = start.elapsed().as_secs_f64();
            tasks = sim.tasks().len();
            if round > 0 {
                best = best.min(elapsed);
            }
        }
        let per_second = events as f64 / best;
        if json {
            let value = serde_json::json!({
                "id": id, "events": events, "tasks": tasks, "elapsed_ms": best * 1000.0, "events_per_s": per_second,
            });
            println!("{value}");
        } else {
            println!(
                "{id}: {events} events, {tasks} tasks in {:.1} ms: {:.2} M events/s (native, best of 3)",
                best * 1000.0,
                per_second / 1e6
            );
        }
    }
    Ok(())
}
