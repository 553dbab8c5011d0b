//! `cargo xtask bench`: the native benchmark, then the same presets run as wasm in
//! headless Chromium, so the two sets of figures can be compared.

use std::process::Command;

use anyhow::Result;

use crate::process::{self, cargo, step};
use crate::serve::Server;
use crate::tools::{self, Needs};
use crate::{dist, Workspace};

/// The presets both benchmarks run; the CLI's `bench` uses the same ids.
const BENCH_PRESETS: &[&str] = &["bench-large", "stress-100k"];

pub fn run(ws: &Workspace) -> Result<()> {
    step("ensure tools");
    tools::ensure(ws, Needs::BROWSER)?;
    step("native benchmark");
    process::run(cargo().current_dir(&ws.root).args(["run", "--release", "-p", "fleetplan-cli", "--", "bench"]))?;
    step("build dist/");
    dist::build(ws)?;
    step("wasm benchmark in headless Chromium");
    let server = Server::start(ws.dist(), 0)?;
    let result = process::run(
        Command::new("node")
            .current_dir(&ws.root)
            .arg("tests/e2e/bench.mjs")
            .env("FLEETPLAN_URL", server.url())
            .env("FLEETPLAN_BENCH_PRESETS", BENCH_PRESETS.join(",")),
    );
    server.stop();
    result
}
