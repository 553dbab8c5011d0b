//! `cargo xtask dist`: builds the web app into `dist/`, ready to serve from any path.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use flate2::write::GzEncoder;
use flate2::Compression;
use wasm_bindgen_cli_support::Bindgen;

use crate::process::{self, step};
use crate::tools::{self, Needs, WASM_TARGET};
use crate::Workspace;

const WEB_PACKAGE: &str = "fleetplan-web";
/// The cargo profile of the browser build (size-optimised, in the root Cargo.toml).
const WEB_PROFILE: &str = "web";
/// What wasm-bindgen names the module it writes (`<crate name>_bg.wasm`).
pub const DIST_WASM: &str = "fleetplan_web_bg.wasm";
/// The AWS import and export, a second module the page loads with `import()` when they are first used.
const IMPORT_PACKAGE: &str = "fleetplan-import";
pub const DIST_IMPORT_WASM: &str = "fleetplan_import_bg.wasm";
/// The Web Workers' module: the web crate without its `page` feature, speed-optimised (README, "Speed").
const WORKER_PROFILE: &str = "web-fast";
const WORKER_NAME: &str = "fleetplan_worker";
pub const DIST_WORKER_WASM: &str = "fleetplan_worker_bg.wasm";

pub fn run(ws: &Workspace) -> Result<()> {
    step("ensure tools");
    tools::ensure(ws, Needs::BUILD)?;
    step("build dist/");
    build(ws)
}

/// Compiles the web crate to wasm, generates its JS glue into `dist/` and adds `static/`.
pub fn build(ws: &Workspace) -> Result<()> {
    process::run(process::cargo().current_dir(&ws.root).args([
        "build",
        "-p",
        WEB_PACKAGE,
        "--target",
        WASM_TARGET,
        "--profile",
        WEB_PROFILE,
    ]))?;
    let wasm = ws.target.join(WASM_TARGET).join(WEB_PROFILE).join("fleetplan_web.wasm");

    let dist = ws.dist();
    // Start empty so files from an older build (e.g. removed snippets) never linger.
    if dist.exists() {
        fs::remove_dir_all(&dist).with_context(|| format!("clearing {}", dist.display()))?;
    }
    bind(&wasm, &dist)?;
    copy_dir(&ws.root.join("static"), &dist)?;
    build_import(ws, &dist)?;
    build_worker(ws, &dist)?;
    report_size(&dist.join(DIST_WASM))
}

/// The second module (crates/import-wasm): built and bound like the page's, next to it in `dist/`; its size is
/// printed but not counted in the page's budget, since a page load does not download it.
fn build_import(ws: &Workspace, dist: &Path) -> Result<()> {
    process::run(process::cargo().current_dir(&ws.root).args([
        "build",
        "-p",
        IMPORT_PACKAGE,
        "--target",
        WASM_TARGET,
        "--profile",
        WEB_PROFILE,
    ]))?;
    let wasm = ws.target.join(WASM_TARGET).join(WEB_PROFILE).join("fleetplan_import.wasm");
    bind(&wasm, dist)?;
    let (raw, gzipped) = wasm_sizes(&dist.join(DIST_IMPORT_WASM))?;
    println!("{} (loaded on demand): {} raw, {} gzipped", DIST_IMPORT_WASM, kib(raw), kib(gzipped));
    Ok(())
}

/// Runs wasm-bindgen on `wasm`: an ES module and its glue for the web, into `dist`, without debug info and names.
fn bind(wasm: &Path, dist: &Path) -> Result<()> {
    println!("wasm-bindgen {} -> {}", wasm.display(), dist.display());
    Bindgen::new()
        .input_path(wasm)
        .web(true)?
        // Without the default path, `init()` with no argument fails to find the wasm file.
        .omit_default_module_path(false)
        .keep_debug(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(dist)
        .with_context(|| format!("wasm-bindgen on {}", wasm.display()))
}

/// The workers' module (static/worker-module.js loads it): the web crate without its `page` feature at opt-level 3,
/// so nothing reaches the app and the linker keeps the engine and the workers' entry points. Its size is printed
/// and checked against its own budget by tidy: the page's first load does not download it, the first run does.
fn build_worker(ws: &Workspace, dist: &Path) -> Result<()> {
    process::run(&mut worker_build(ws))?;
    let wasm = ws.target.join(WASM_TARGET).join(WORKER_PROFILE).join("fleetplan_web.wasm");
    Bindgen::new()
        .input_path(&wasm)
        .web(true)?
        .out_name(WORKER_NAME)
        .omit_default_module_path(false)
        .keep_debug(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(dist)
        .with_context(|| format!("wasm-bindgen on {}", wasm.display()))?;
    let (raw, gzipped) = wasm_sizes(&dist.join(DIST_WORKER_WASM))?;
    println!("{} (the Web Workers'): {} raw, {} gzipped", DIST_WORKER_WASM, kib(raw), kib(gzipped));
    Ok(())
}

/// The cargo call that compiles the workers' module. `cargo xtask test` runs it ahead in the background: its profile
/// has build directories of its own (`<target>/web-fast`, `<target>/wasm32-unknown-unknown/web-fast`), and cargo
/// locks a build directory, not the whole target dir, so it runs beside the foreground's cargo calls.
pub fn worker_build(ws: &Workspace) -> Command {
    let mut cmd = process::cargo();
    cmd.current_dir(&ws.root).args([
        "build",
        "-p",
        WEB_PACKAGE,
        "--no-default-features",
        "--target",
        WASM_TARGET,
        "--profile",
        WORKER_PROFILE,
    ]);
    cmd
}

/// Copies the contents of `from` into `to`, recursively.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type()?.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            fs::copy(&src, &dst).with_context(|| format!("copying {} to {}", src.display(), dst.display()))?;
        }
    }
    Ok(())
}

fn report_size(wasm: &Path) -> Result<()> {
    let (raw, gzipped) = wasm_sizes(wasm)?;
    println!("{}: {} raw, {} gzipped", wasm.display(), kib(raw), kib(gzipped));
    Ok(())
}

/// The file's size in bytes, raw and gzipped at the default level (as a web server would send it).
pub fn wasm_sizes(wasm: &Path) -> Result<(usize, usize)> {
    let bytes = fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&bytes)?;
    Ok((bytes.len(), gz.finish()?.len()))
}

pub fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}
