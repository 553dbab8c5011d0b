//! `cargo xtask bench`: the native benchmark, then the same presets run as wasm in
//! headless Chromium, so the two sets of figures can be compared.

use std::process::Command;
use std::time::Instant;

use anyhow::Result;

use crate::process::{self, cargo, step};
use crate::serve::Server;
use crate::tools::{self, Needs};
use crate::{dist, Workspace};

/// The presets both benchmarks run; the CLI's `bench` uses the same ids.
const BENCH_PRESETS: &[&str] = &["bench-large", "stress-100k"];

/// The sweep issue 12 sizes: 200 points of `fargate-ondemand-1000` x 5 seeds, 1,000 whole rollouts on every core.
/// The swept field, the Fargate vCPU price, changes the cost and no event, so every run is the full preset.
const SWEEP_ARGS: &[&str] = &[
    "sweep",
    "--preset",
    "fargate-ondemand-1000",
    "--set",
    "prices.fargate_vcpu_hour=0.02..0.06:200",
    "--seeds",
    "5",
    "--csv",
];

pub fn run(ws: &Workspace) -> Result<()> {
    step("ensure tools");
    tools::ensure(ws, Needs::BROWSER)?;
    step("native benchmark");
    process::run(cargo().current_dir(&ws.root).args(["run", "--release", "-p", "fleetplan-cli", "--", "bench"]))?;
    step("native sweep: 200 points x 5 seeds of fargate-ondemand-1000");
    sweep(ws)?;
    step("build dist/");
    dist::build(ws)?;
    step("wasm benchmark in headless Chromium");
    let server = Server::start(ws.dist(), 0)?;
    let result = process::run(
        Command::new("node")
            .current_dir(&ws.root)
            .arg("tests/e2e/bench.mjs")
            .env("FLEETPLAN_URL", server.url())
            .env("FLEETPLAN_BENCH_PRESETS", BENCH_PRESETS.join(","))
            .env("FLEETPLAN_NATIVE_BIN", ws.target.join("release").join("fleetplan")),
    )
    .and_then(|()| {
        step("the click on stress-100k to its summary, broken down");
        process::run(
            Command::new("node").current_dir(&ws.root).arg("tests/e2e/latency.mjs").env("FLEETPLAN_URL", server.url()),
        )
    });
    server.stop();
    result
}

/// Times the release CLI's sweep (the process from start to exit, as a user would see it) and prints one line.
fn sweep(ws: &Workspace) -> Result<()> {
    let binary = ws.target.join("release").join("fleetplan");
    let start = Instant::now();
    let csv = process::stdout(Command::new(&binary).args(SWEEP_ARGS))?;
    let elapsed = start.elapsed().as_secs_f64();
    let runs = csv.lines().count().saturating_sub(1);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    println!("sweep fargate-ondemand-1000 200 points x 5 seeds: {runs} runs in {elapsed:.2} s on {cores} core(s) (native CLI, wall clock)");
    Ok(())
}
