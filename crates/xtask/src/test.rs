//! `cargo xtask test`: every check CI runs, in order, stopping at the first failure.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::process::{self, cargo, Job};
use crate::serve::Server;
use crate::tools::{self, Needs, CHROMEDRIVER, WASM_TARGET};
use crate::{dist, fuzz, tidy, Workspace};

/// The scenario the e2e test runs in the browser and compares with the native CLI
/// (the same as `PRESET` and `SEED` in tests/e2e/app.test.mjs).
const E2E_PRESET: &str = "fargate-ondemand-1000";
const E2E_SEED: &str = "7";
/// More presets (EC2 groups, EventBridge schedules, SQS workers, CPU credits, an EC2 Spot wave) and seeds the e2e
/// tests open as share links and compare with the CLI's summary (`DIFFERENTIAL` in tests/e2e/app.test.mjs reads
/// them; tests/e2e/charts.test.mjs reads `ec2-spot-draining 1`'s dip); stress-100k for the run ahead in a Web Worker
/// (tests/e2e/worker.test.mjs).
const E2E_DIFFERENTIAL: &[(&str, &str)] = &[
    ("ec2-cold-1000", "3"),
    ("nightly-0200-burst", "5"),
    ("lazy-sqs-workers", "11"),
    ("t-family-nightly-batch", "2"),
    ("ec2-spot-draining", "1"),
    ("stress-100k", "1"),
];

/// The comparison the e2e test opens as a link and compares with `fleetplan compare --json` (tests/e2e/compare.test.mjs).
const E2E_COMPARE: (&str, &str, &str) = ("fargate-ondemand-1000", "fargate-spot-1000", "3");
/// The sweep the e2e test runs in the page and compares with `fleetplan sweep ... --csv` (the same inputs as
/// tests/e2e/sweep.test.mjs sets in the sweep panel).
/// `tests/e2e/explain.test.mjs`: a service of this preset (seed 1) waits for the Fargate On-Demand bucket at this
/// instant; the page's cluster table must say what `fleetplan explain --json` says.
const E2E_EXPLAIN: (&str, &str, &str) = ("fargate-vs-ec2-six-services", "30", "fargate-0");
const SWEEP_PRESET: &str = "fargate-ondemand-1000";
const SWEEP_SET: &str = "services[0].desired_count=100..400:4";
const SWEEP_SEEDS: &str = "2";
/// The fit the e2e test runs in the page and compares with `fleetplan fit ... --json` (tests/e2e/fit.test.mjs).
const FIT_PRESET: &str = "fargate-ondemand-1000";
const FIT_MEASURED: &str = "examples/measured/fargate-ondemand-1000.csv";
/// The AWS documents the e2e test imports in the page and `fleetplan import` imports (tests/e2e/editor.test.mjs).
const E2E_IMPORT: [&str; 2] = [
    "crates/engine/src/aws_import/testdata/describe-task-definition-web.json",
    "crates/engine/src/aws_import/testdata/create-service-api.json",
];

/// What a step does.
enum Action {
    /// Runs to its end before the next step starts.
    Run(fn(&Workspace) -> Result<()>),
    /// Starts a background job and goes on at once (two cores: the foreground's single-threaded stretches, such as
    /// rustc's front end on the engine or Chromium running tests, leave one idle). Each job uses a cargo build
    /// directory nothing in the foreground locks, so neither waits for the other. It is joined (its output printed
    /// whole, its failure the run's) before the step titled `needed_by`, or at the end when `None`; a job that fails
    /// earlier fails the run after the step it failed in.
    Start { job: fn(&Workspace, Instant) -> Result<Job>, needed_by: Option<&'static str> },
}

use Action::{Run, Start};

const WASM_TESTS: &str = "engine wasm tests in headless Chromium";
const DIST: &str = "build dist/ (the page's module, the import module, then binds the workers')";

const STEPS: &[(&str, Action)] = &[
    ("tidy (module docs, no hash collections in the engine, rustfmt)", Run(tidy::run)),
    ("ensure the Rust wasm target", Run(ensure_wasm_target)),
    (
        "the test tools (wasm-bindgen-test-runner, Chromium, npm packages), in the background",
        Start { job: tools_job, needed_by: Some(WASM_TESTS) },
    ),
    ("fuzzing, short form (10 s a target, two at a time), in the background", Start { job: fuzz_job, needed_by: None }),
    (
        "the workers' wasm module (profile web-fast), in the background",
        Start { job: worker_job, needed_by: Some(DIST) },
    ),
    ("clippy (native, with the web crate's code and tests)", Run(clippy_native)),
    ("clippy (web, wasm32)", Run(clippy_wasm)),
    ("native tests", Run(native_tests)),
    ("web crate unit tests (native)", Run(web_unit_tests)),
    (WASM_TESTS, Run(wasm_tests)),
    (DIST, Run(dist::build)),
    ("wasm size budget", Run(tidy::wasm_size)),
    ("expected summary from the native CLI", Run(expected_summary)),
    ("end-to-end browser tests", Run(e2e)),
];

/// `cargo xtask fuzz`'s short form as a child process (the xtask binary itself), in its own target dir
/// (`<target>/fuzz`).
fn fuzz_job(ws: &Workspace, run_started: Instant) -> Result<Job> {
    let xtask = std::env::current_exe().context("finding the xtask binary")?;
    let mut cmd = Command::new(xtask);
    cmd.current_dir(&ws.root).args(["fuzz", "--seconds", &fuzz::SHORT_SECONDS.to_string()]);
    Job::start("fuzz", &mut cmd, &background_log(ws, "fuzz"), run_started)
}

/// The cargo build of the workers' module `dist::build` would run (profile `web-fast`: its own build directory,
/// `<target>/wasm32-unknown-unknown/web-fast`), done ahead; `dist::build` then finds it fresh and binds it.
fn worker_job(ws: &Workspace, run_started: Instant) -> Result<Job> {
    Job::start("workers' module", &mut dist::worker_build(ws), &background_log(ws, "worker-module"), run_started)
}

/// `cargo xtask tools` as a child process: on a new machine `cargo install wasm-bindgen-cli` (its own build
/// directory), `apt-get install chromium` and `npm ci` took 178 s of a clean run in the foreground; nothing before
/// the wasm tests needs them (the fuzz targets need only the C++ compiler every machine has).
fn tools_job(ws: &Workspace, run_started: Instant) -> Result<Job> {
    let xtask = std::env::current_exe().context("finding the xtask binary")?;
    let mut cmd = Command::new(xtask);
    cmd.current_dir(&ws.root).arg("tools");
    Job::start("tools", &mut cmd, &background_log(ws, "tools"), run_started)
}

fn background_log(ws: &Workspace, name: &str) -> PathBuf {
    ws.target.join("xtask-test").join(format!("{name}.log"))
}

/// A line of [`print_times`]: what, how long, and (background jobs) when it started and ended in the run.
struct Timed {
    label: String,
    took: Duration,
    /// A background job's start, since the run began; `None` for a foreground step or wait.
    background_from: Option<Duration>,
}

/// Every step from `from` (1-based) on; `from` > 1 is for a developer re-running the steps after a fix.
pub fn run(ws: &Workspace, from: usize) -> Result<()> {
    if from > STEPS.len() {
        bail!("there are {} steps; `--from {from}` names none", STEPS.len());
    }
    let started = Instant::now();
    let mut times = Vec::new();
    let mut steps = Vec::new();
    let mut jobs: Vec<(Job, Option<&str>)> = Vec::new();
    let result = (|| -> Result<()> {
        for (number, (title, action)) in STEPS.iter().enumerate().skip(from - 1) {
            let label = format!("{:>2}. {title}", number + 1);
            let needed: Vec<usize> = (0..jobs.len()).filter(|&i| jobs[i].1 == Some(*title)).collect();
            for i in needed.into_iter().rev() {
                let (job, _) = jobs.remove(i);
                join(job, &format!("before step {}", number + 1), &mut times)?;
            }
            process::step(&format!("[{}/{}] {title}", number + 1, STEPS.len()));
            let step_started = Instant::now();
            steps.push((number + 1, step_started - started));
            let result = match action {
                Run(step) => step(ws),
                Start { job, needed_by } => job(ws, started).map(|job| jobs.push((job, *needed_by))),
            };
            times.push(Timed { label, took: step_started.elapsed(), background_from: None });
            result.with_context(|| format!("step `{title}` failed"))?;
            while let Some(i) = jobs.iter().position(|(job, _)| job.finished()) {
                // Joined as soon as it is seen done: its output, and a failure, come out now and not steps later.
                let (job, _) = jobs.remove(i);
                join(job, &format!("after step {}", number + 1), &mut times)?;
            }
        }
        for (job, _) in jobs.drain(..) {
            join(job, "at the end", &mut times)?;
        }
        Ok(())
    })();
    // A failed run drops (and so stops) the jobs still running.
    drop(jobs);
    print_times(&times, &steps, started.elapsed());
    result?;
    println!("\nxtask test: all {} steps passed", STEPS.len() + 1 - from);
    Ok(())
}

/// Joins a background job, timing the wait (`when`: where in the run) and the job.
fn join(job: Job, when: &str, times: &mut Vec<Timed>) -> Result<()> {
    let name = job.name;
    let from = job.started;
    let waiting = Instant::now();
    let result = job.join();
    times.push(Timed {
        label: format!("    waiting for `{name}` {when}"),
        took: waiting.elapsed(),
        background_from: None,
    });
    let took = result?;
    times.push(Timed { label: format!("    background `{name}`"), took, background_from: Some(from) });
    Ok(())
}

/// `cargo xtask e2e [FILE...]`: the steps the end-to-end tests need (tools, `dist/`, the CLI's expectations), then
/// the named test files (all of `tests/e2e/` when none is named).
pub fn e2e_only(ws: &Workspace, files: &[String]) -> Result<()> {
    process::step("ensure tools");
    ensure_tools(ws)?;
    process::step("build dist/");
    dist::build(ws)?;
    process::step("expected summary from the native CLI");
    expected_summary(ws)?;
    process::step("end-to-end browser tests");
    let files: Vec<String> = if files.is_empty() { vec!["tests/e2e/".to_owned()] } else { files.to_vec() };
    run_e2e(ws, &files)
}

/// Where the time went, a line a step (README.md, "CI time", keeps the figures of a clean run), a line a wait for a
/// background job and a line a job, with the steps it ran beside (from each step's start, `steps`).
fn print_times(times: &[Timed], steps: &[(usize, Duration)], total: Duration) {
    // The step running at `at` (since the run began).
    let step_at = |at: Duration| steps.iter().rev().find(|(_, start)| *start <= at).map_or(0, |(number, _)| *number);
    println!("\nxtask test: time per step");
    for line in times {
        print!("  {:>6.0} s  {}", line.took.as_secs_f64(), line.label);
        match line.background_from {
            Some(from) => println!(" (beside steps {}-{})", step_at(from), step_at(from + line.took)),
            None => println!(),
        }
    }
    println!("  {:>6.0} s  in all ({:.1} min)", total.as_secs_f64(), total.as_secs_f64() / 60.0);
}

fn ensure_tools(ws: &Workspace) -> Result<()> {
    tools::ensure(ws, Needs::ALL)
}

/// The foreground's only tool: clippy's wasm32 step and every wasm build need the target; the rest comes from
/// [`tools_job`].
fn ensure_wasm_target(ws: &Workspace) -> Result<()> {
    tools::ensure(ws, Needs::BUILD)
}

/// The default members (engine, CLI, xtask) and the web crate natively, all targets, in one call: the web crate's
/// native lint (its unit tests run natively) then shares the engine and its dependencies with the others instead of
/// checking them again with other features. The web crate is linted for its real target in the next step.
fn clippy_native(ws: &Workspace) -> Result<()> {
    process::run(cargo().current_dir(&ws.root).args([
        "clippy",
        "-p",
        "fleetplan-engine",
        "-p",
        "fleetplan-cli",
        "-p",
        "xtask",
        "-p",
        "fleetplan-web",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

fn clippy_wasm(ws: &Workspace) -> Result<()> {
    process::run(cargo().current_dir(&ws.root).args([
        "clippy",
        "-p",
        "fleetplan-web",
        "--target",
        WASM_TARGET,
        "--",
        "-D",
        "warnings",
    ]))
}

/// Default members only (no `-p`): the same package set, so the same features, as `cargo xtask` itself is built
/// with (.cargo/config.toml: `--profile test`), so the engine and the xtask's wasm-bindgen crates are compiled once
/// for both. The CLI binary this builds for its integration tests also writes the e2e expectations
/// ([`cli_binary`]).
fn native_tests(ws: &Workspace) -> Result<()> {
    process::run(cargo().current_dir(&ws.root).arg("test"))
}

/// The web crate's pure parts (editor, playback, cluster layout, chart scales) are tested natively; it is not a
/// default member, so it is named here. `--lib`: its only tests are unit tests beside the code. Its native lint
/// ran with the others' ([`clippy_native`]). Not in the same call as [`native_tests`]: its features differ (no
/// YAML in the engine), and a shared call would change the default members' features from the xtask's own.
fn web_unit_tests(ws: &Workspace) -> Result<()> {
    process::run(cargo().current_dir(&ws.root).args(["test", "-p", "fleetplan-web", "--lib"]))
}

/// Runs through `wasm-bindgen-test-runner`, the wasm32 runner set in .cargo/config.toml.
fn wasm_tests(ws: &Workspace) -> Result<()> {
    process::run(
        cargo()
            .current_dir(&ws.root)
            .args(["test", "-p", "fleetplan-engine", "--target", WASM_TARGET, "--test", "wasm_determinism"])
            // Debian's driver, even if another one is on PATH. The browser flags come from
            // webdriver.json, which .cargo/config.toml points the runner at.
            .env("CHROMEDRIVER", CHROMEDRIVER),
    )
}

fn expected_summary_path(ws: &Workspace) -> PathBuf {
    ws.target.join("e2e-expected-summary.json")
}

/// The native CLI the expectations come from: the binary `cargo test` built for the CLI's integration tests (test
/// profile, `target/debug`). Not a release build of its own: that compiled the engine, the CLI and their
/// dependencies once more, while all the expectations below take about 2 s with either binary, and print the same
/// bytes (integer time, one seeded RNG, libm: no optimisation level changes a number). `cargo test --no-run`, with the arguments of
/// [`native_tests`], builds nothing after that step and makes sure the binary is current when it did not run.
fn cli_binary(ws: &Workspace) -> Result<PathBuf> {
    process::run(cargo().current_dir(&ws.root).args(["test", "--no-run", "--quiet"]))?;
    Ok(ws.target.join("debug").join(format!("fleetplan{}", std::env::consts::EXE_SUFFIX)))
}

/// The native CLI's output for `args`.
fn cli(ws: &Workspace, bin: &Path, args: &[&str]) -> Result<String> {
    process::stdout(Command::new(bin).current_dir(&ws.root).args(args))
}

/// The native CLI's `run --json` summary of a preset: what the page must show for it.
fn cli_summary(ws: &Workspace, bin: &Path, preset: &str, seed: &str) -> Result<String> {
    let summary = cli(ws, bin, &["run", "--preset", preset, "--seed", seed, "--json"])?;
    if summary.trim().is_empty() {
        bail!("the CLI printed no summary for {preset} (seed {seed})");
    }
    Ok(summary)
}

fn expected_summary(ws: &Workspace) -> Result<()> {
    let bin = &cli_binary(ws)?;
    let path = expected_summary_path(ws);
    fs::write(&path, cli_summary(ws, bin, E2E_PRESET, E2E_SEED)?)
        .with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {}", path.display());
    // Each further summary is one run of the CLI. One JSON object, `"<preset> <seed>": summary`.
    let mut entries = Vec::new();
    for (preset, seed) in E2E_DIFFERENTIAL {
        let summary = cli_summary(ws, bin, preset, seed)?;
        entries.push(format!("{:?}: {}", format!("{preset} {seed}"), summary.trim()));
    }
    let path = expected_summaries_path(ws);
    fs::write(&path, format!("{{\n{}\n}}\n", entries.join(",\n")))
        .with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {}", path.display());
    // The comparison link `fleetplan url --compare` makes, and what `fleetplan compare --json` says of it.
    let (a, b, seed) = E2E_COMPARE;
    let (a, b) = (format!("preset:{a}"), format!("preset:{b}"));
    let link = cli(ws, bin, &["url", "--compare", &a, &b, "--seed", seed])?;
    let comparison = cli(ws, bin, &["compare", &a, &b, "--seed", seed, "--json"])?;
    let path = expected_comparison_path(ws);
    fs::write(&path, format!("{{\"link\": {:?}, \"comparison\": {}}}\n", link.trim(), comparison.trim()))
        .with_context(|| format!("writing {}", path.display()))?;
    // The scenario `fleetplan import` makes of the documents tests/e2e/editor.test.mjs imports in the page.
    let imported = cli(ws, bin, &["import", E2E_IMPORT[0], E2E_IMPORT[1]])?;
    let path = expected_import_path(ws);
    fs::write(&path, imported).with_context(|| format!("writing {}", path.display()))?;
    let csv = cli(ws, bin, &["sweep", "--preset", SWEEP_PRESET, "--set", SWEEP_SET, "--seeds", SWEEP_SEEDS, "--csv"])?;
    let path = expected_sweep_csv_path(ws);
    fs::write(&path, csv).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {}", path.display());
    // The fit tests/e2e/fit.test.mjs runs in the page (the panel's defaults: 4 seeds, 3 passes).
    let measured = ws.root.join(FIT_MEASURED);
    let fit = cli(ws, bin, &["fit", "--preset", FIT_PRESET, "--measured", &measured.to_string_lossy(), "--json"])?;
    let path = expected_fit_path(ws);
    fs::write(&path, fit).with_context(|| format!("writing {}", path.display()))?;
    // Beside the summary (the e2e test finds it there): what holds a service at an instant.
    let (preset, at, service) = E2E_EXPLAIN;
    let explain = cli(ws, bin, &["explain", "--preset", preset, "--at", at, "--service", service, "--json"])?;
    let path = ws.target.join("e2e-expected-explain.json");
    fs::write(&path, explain).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn expected_fit_path(ws: &Workspace) -> PathBuf {
    ws.target.join("e2e-expected-fit.json")
}

fn expected_import_path(ws: &Workspace) -> PathBuf {
    ws.target.join("e2e-expected-import.json")
}

fn expected_comparison_path(ws: &Workspace) -> PathBuf {
    ws.target.join("e2e-expected-comparison.json")
}

fn expected_sweep_csv_path(ws: &Workspace) -> PathBuf {
    ws.target.join("e2e-expected-sweep.csv")
}

fn expected_summaries_path(ws: &Workspace) -> PathBuf {
    ws.target.join("e2e-expected-summaries.json")
}

fn e2e(ws: &Workspace) -> Result<()> {
    run_e2e(ws, &["tests/e2e/".to_owned()])
}

/// Serves `dist/` on a free port and runs node's test runner on `files` (paths from the checkout's root).
fn run_e2e(ws: &Workspace, files: &[String]) -> Result<()> {
    let server = Server::start(ws.dist(), 0)?;
    println!("serving dist/ at {}", server.url());
    let result = node_test(ws, &server.url(), &expected_summary_path(ws), files);
    server.stop();
    result
}

/// Two test files at a time (node's default is one fewer than the cores: one on a 2-core machine), each with its own
/// Chromium: a page waits on its worker, its server and its own start often enough that two overlap on 2 cores. The
/// files share nothing but the served `dist/` (each test opens its own browser context).
fn node_test(ws: &Workspace, url: &str, expected: &Path, files: &[String]) -> Result<()> {
    process::run(
        Command::new("node")
            .current_dir(&ws.root)
            .args(["--test", "--test-concurrency=2"])
            .args(files)
            .env("FLEETPLAN_URL", url)
            .env("FLEETPLAN_EXPECTED_SUMMARY", expected)
            .env("FLEETPLAN_EXPECTED_SUMMARIES", expected_summaries_path(ws))
            .env("FLEETPLAN_EXPECTED_COMPARISON", expected_comparison_path(ws))
            .env("FLEETPLAN_EXPECTED_SWEEP_CSV", expected_sweep_csv_path(ws))
            .env("FLEETPLAN_EXPECTED_FIT", expected_fit_path(ws))
            .env("FLEETPLAN_EXPECTED_IMPORT", expected_import_path(ws)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job's `needed_by` must name a step after the one starting it, or the job would be joined only at the end
    /// and the step that needs it would build it again (or find it missing).
    #[test]
    fn background_jobs_are_needed_by_later_steps() {
        for (number, (title, action)) in STEPS.iter().enumerate() {
            if let Start { needed_by: Some(needed_by), .. } = action {
                let later = STEPS.iter().skip(number + 1).any(|(t, _)| t == needed_by);
                assert!(later, "`{title}` is needed by `{needed_by}`, which is not a later step");
            }
        }
    }
}
