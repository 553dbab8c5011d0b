//! `fleetplan`: the command line over the engine. Reads files, prints results; the engine does the rest.

mod aws;
mod compare;
mod explain;
mod fit;
mod pool;
mod report;
mod sweep;

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use fleetplan_engine::{benchmarks, calibration, presets, share, RunBudget, RunOptions, Scenario, Simulation};

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
    /// Run 2 to 4 scenarios (files or preset:ID) with one seed and print their figures side by side, with the
    /// differences to the first.
    Compare(compare::CompareArgs),
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
    /// Run a scenario over a range of values of one or two fields and several seeds, on every core.
    Sweep(sweep::SweepCommand),
    /// Combine the part files of a sharded sweep; prints what the unsharded sweep prints.
    SweepMerge(sweep::MergeCommand),
    /// Import AWS JSON (AWS CLI output or input, CloudFormation templates) into one scenario; the report of what
    /// was not imported as is goes to standard error.
    Import(aws::ImportArgs),
    /// Export a scenario's task definitions, services and capacity providers as AWS CLI input or a CloudFormation
    /// template.
    Export(aws::ExportArgs),
    /// Fit the settings AWS does not publish to a measured curve of one service's tasks (a CSV of time_s,count
    /// or describe-services events), over several seeds, on every core.
    Fit(fit::FitCommand),
    /// Say what holds a task, service or RunTask burst at an instant of the run, with its numbers.
    Explain(explain::ExplainArgs),
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
    /// The run's event budget: over it, the run stops with a summary that says so [default: 10000000].
    #[arg(long, value_name = "N")]
    max_events: Option<u64>,
    /// The run's budget of tasks launched (finished tasks' memory is released, so this bounds time, not memory)
    /// [default: 1000000].
    #[arg(long, value_name = "N")]
    max_tasks: Option<u64>,
}

#[derive(Args)]
struct UrlArgs {
    /// Scenario JSON file to encode.
    #[arg(required_unless_present_any = ["decode", "compare"])]
    file: Option<PathBuf>,
    /// A comparison link of 2 to 4 scenarios (files or preset:ID) instead, all with --seed.
    #[arg(long, num_args = 1.., value_name = "SCENARIO", conflicts_with_all = ["file", "decode"])]
    compare: Vec<String>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Decode a fragment (or a whole link) back to scenario JSON.
    #[arg(long, value_name = "FRAGMENT", conflicts_with = "file")]
    decode: Option<String>,
}

/// Why a command stopped early.
enum Failure {
    /// Said on stderr, exit status 1.
    Message(String),
    /// Whoever read our output went away (`fleetplan run ... | head -1`): nothing more to say to anyone.
    ClosedPipe,
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Message(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure::Message(message.to_string())
    }
}

type Outcome = Result<(), Failure>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Presets => out(&report::presets_table()),
        Command::Run(args) => run(args),
        Command::Check { file } => check(&file),
        Command::Url(args) => url(args),
        Command::Compare(args) => compare::run(args),
        Command::Calibrate { seed, json } => calibrate(seed, json),
        Command::Bench { id, json } => bench(id.as_deref(), json),
        Command::Sweep(args) => sweep::sweep(args),
        Command::SweepMerge(args) => sweep::merge(args),
        Command::Import(args) => aws::import(&args).map_err(Failure::from).and_then(|text| out(&text)),
        Command::Export(args) => aws::export(&args).map_err(Failure::from).and_then(|text| out(&text)),
        Command::Fit(args) => fit::fit(args),
        Command::Explain(args) => explain::run(args),
    };
    match result {
        Ok(()) | Err(Failure::ClosedPipe) => ExitCode::SUCCESS,
        Err(Failure::Message(message)) => {
            // Not eprintln!: it panics when stderr is closed too.
            let _ = writeln!(io::stderr(), "error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Writes to stdout. `print!` panics (exit 101) when stdout is a closed pipe or a full disk; this says why instead,
/// and a closed pipe ends the command quietly.
fn out(text: &str) -> Outcome {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).map_err(|e| write_failure("standard output", &e))
}

fn write_failure(what: &str, e: &io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::ClosedPipe
    } else {
        Failure::Message(format!("cannot write {what}: {e}"))
    }
}

/// Reads a scenario file, at most as large as a share link may unpack to: `/dev/zero` or a 10 GB log given by
/// mistake is refused after 2 MiB, not read into memory.
/// The scenario a command names: a file, or a preset's id (`--preset`); exactly one of the two.
fn scenario_of(file: Option<&Path>, preset: Option<&str>) -> Result<Scenario, String> {
    match (file, preset) {
        (Some(file), None) => read_scenario(file),
        (None, Some(id)) => {
            let preset = presets::get(id).ok_or_else(|| presets::unknown_message(id))?;
            preset.scenario().map_err(|e| format!("preset {id}: {e}"))
        }
        _ => Err("give a scenario file or --preset <id> (see `fleetplan presets`)".into()),
    }
}

fn read_scenario(path: &Path) -> Result<Scenario, String> {
    let text = read_capped_text(
        path,
        share::MAX_SCENARIO_BYTES,
        ", the most a scenario may be (the same limit as a share link's)",
    )?;
    Scenario::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A file's text, reading at most `max` bytes: a larger file is an error (`why` follows the size in it), so a
/// huge or endless file is never read whole.
fn read_capped_text(path: &Path, max: usize, why: &str) -> Result<String, String> {
    let cannot = |e: io::Error| format!("cannot read {}: {e}", path.display());
    let mut bytes = Vec::new();
    File::open(path).map_err(cannot)?.take(max as u64 + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() > max {
        return Err(format!("{} is larger than {} MiB{why}", path.display(), max / (1024 * 1024)));
    }
    String::from_utf8(bytes).map_err(|e| format!("{} is not UTF-8 text: {e}", path.display()))
}

/// The files `run` writes, created (so a bad path fails) before the run starts rather than after it.
struct Outputs {
    csv: Option<(PathBuf, File)>,
    trace: Option<(PathBuf, BufWriter<File>)>,
}

impl Outputs {
    fn open(args: &RunArgs) -> Result<Outputs, String> {
        let named: Vec<(&str, &PathBuf)> = [("--csv", &args.csv), ("--trace", &args.trace)]
            .into_iter()
            .filter_map(|(flag, path)| path.as_ref().map(|p| (flag, p)))
            .collect();
        for (i, (flag, path)) in named.iter().enumerate() {
            if let Some(input) = &args.file {
                if same_file(path, input) {
                    return Err(format!("{flag} {} would overwrite the scenario file", path.display()));
                }
            }
            if let Some((other, _)) = named[..i].iter().find(|(_, p)| same_file(p, path)) {
                return Err(format!("{other} and {flag} both name {}: give each its own file", path.display()));
            }
        }
        let create = |path: &PathBuf| File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()));
        Ok(Outputs {
            csv: args.csv.as_ref().map(|p| create(p).map(|f| (p.clone(), f))).transpose()?,
            trace: args.trace.as_ref().map(|p| create(p).map(|f| (p.clone(), BufWriter::new(f)))).transpose()?,
        })
    }
}

/// Whether two paths name one file, also when it does not exist yet (`out.csv` and `./out.csv`).
fn same_file(a: &Path, b: &Path) -> bool {
    fn resolved(p: &Path) -> PathBuf {
        fs::canonicalize(p).unwrap_or_else(|_| {
            let parent = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            match (fs::canonicalize(parent), p.file_name()) {
                (Ok(dir), Some(name)) => dir.join(name),
                _ => p.to_path_buf(),
            }
        })
    }
    a == b || resolved(a) == resolved(b)
}

fn run(args: RunArgs) -> Outcome {
    let scenario = scenario_of(args.file.as_deref(), args.preset.as_deref())?;
    let mut outputs = Outputs::open(&args)?;
    let options = RunOptions { trace: args.trace.is_some(), check_invariants: false, keep_finished_tasks: false };
    let mut sim = Simulation::with_options(scenario, args.seed, options);
    sim.set_budget(RunBudget {
        max_events: args.max_events.unwrap_or(RunBudget::DEFAULT.max_events),
        max_tasks: args.max_tasks.unwrap_or(RunBudget::DEFAULT.max_tasks),
    });
    if let Some((path, file)) = &mut outputs.trace {
        // The trace goes to its file as the run goes, a chunk of events at a time, not held to the end.
        const EVENTS_PER_CHUNK: u32 = 4_096;
        let failed = |e: io::Error| Failure::Message(format!("cannot write {}: {e}", path.display()));
        loop {
            let more = (0..EVENTS_PER_CHUNK).all(|_| sim.step());
            for entry in sim.take_trace() {
                writeln!(file, "{entry}").map_err(failed)?;
            }
            if !more {
                break;
            }
        }
        sim.run_to_end();
        for entry in sim.take_trace() {
            writeln!(file, "{entry}").map_err(failed)?;
        }
        file.flush().map_err(failed)?;
    } else {
        sim.run_to_end();
    }
    if let Some((path, file)) = &mut outputs.csv {
        file.write_all(sim.series().to_csv().as_bytes())
            .map_err(|e| Failure::Message(format!("cannot write {}: {e}", path.display())))?;
    }
    let summary = sim.metrics();
    if args.json {
        out(&format!("{}\n", serde_json::to_string(&summary).map_err(|e| e.to_string())?))
    } else {
        out(&report::summary_text(&summary))
    }
}

fn check(file: &Path) -> Outcome {
    let scenario = read_scenario(file)?;
    out(&format!(
        "{}: valid: \"{}\", {} service(s), {} RunTask burst(s), {} timed event(s)\n",
        file.display(),
        scenario.name,
        scenario.services.len(),
        scenario.run_tasks.len(),
        scenario.events.len()
    ))
}

fn url(args: UrlArgs) -> Outcome {
    if !args.compare.is_empty() {
        return compare::url(&args.compare, args.seed);
    }
    if let Some(fragment) = args.decode {
        // Accept a whole link too: everything after the `#`.
        let fragment = fragment.split_once('#').map_or(fragment.as_str(), |(_, f)| f);
        let run = match share::open(fragment).map_err(|e| e.to_string())? {
            share::Shared::Run(run) => run,
            share::Shared::Comparison(variants) => return compare::print_decoded(variants),
        };
        out(&format!("{}\n", serde_json::to_string_pretty(&run.scenario).map_err(|e| e.to_string())?))?;
        let _ = writeln!(io::stderr(), "seed: {}", run.seed);
        if let Err(e) = Scenario::from_spec(run.scenario) {
            return Err(format!("the decoded scenario is not valid: {e}").into());
        }
        return Ok(());
    }
    let Some(file) = args.file else { return Err("give a scenario file, or --decode FRAGMENT".into()) };
    let scenario = read_scenario(&file)?;
    out(&format!("#{}\n", share::encode(&scenario.spec, args.seed)))
}

fn calibrate(seed: u64, json: bool) -> Outcome {
    let rows = calibration::run(seed);
    if json {
        out(&format!("{}\n", serde_json::to_string(&rows).map_err(|e| e.to_string())?))?;
    } else {
        out(&report::calibration_table(&rows))?;
    }
    if rows.iter().all(|row| row.within_tolerance) {
        Ok(())
    } else {
        Err(format!("some presets are more than {}% from the published time", calibration::TOLERANCE * 100.0).into())
    }
}

fn bench(id: Option<&str>, json: bool) -> Outcome {
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
            let mut sim = Simulation::with_options(
                scenario.clone(),
                1,
                RunOptions { trace: false, check_invariants: false, keep_finished_tasks: false },
            );
            let start = Instant::now();
            events = sim.run_to_end();
            let elapsed = start.elapsed().as_secs_f64();
            tasks = sim.tasks_launched();
            if round > 0 {
                best = best.min(elapsed);
            }
        }
        let per_second = events as f64 / best;
        if json {
            let value = serde_json::json!({
                "id": id, "events": events, "tasks": tasks, "elapsed_ms": best * 1000.0, "events_per_s": per_second,
            });
            out(&format!("{value}\n"))?;
        } else {
            out(&format!(
                "{id}: {events} events, {tasks} tasks in {:.1} ms: {:.2} M events/s (native, best of 3)\n",
                best * 1000.0,
                per_second / 1e6
            ))?;
        }
    }
    Ok(())
}
