//! `cargo xtask fuzz`: coverage-guided fuzzing of the untrusted-input parsers and a bounded run (the targets are in
//! `fuzz/fuzz_targets/`), with libFuzzer linked in through the `libfuzzer-sys` crate.
//!
//! Nothing is installed: the targets are a separate cargo workspace built with the same sanitizer-coverage flags
//! `cargo fuzz` passes (all stable `-C` options, so no nightly toolchain), into `<target>/fuzz`. `libfuzzer-sys`
//! compiles libFuzzer from its C++ sources, which needs a C++ compiler (`c++`). The short form (`cargo xtask test`,
//! 10 s a target) and the long form (`--long`, 15 min a target) differ only in time.
//!
//! Each target starts from seeds written from the presets (`<target>/fuzz/seeds/<name>`), the committed inputs of
//! earlier findings (`fuzz/regressions/<name>`, replayed first) and the corpus earlier runs grew on this machine
//! (`<target>/fuzz/corpus/<name>`). A crash, timeout or memory blow-up stops with the input saved in
//! `<target>/fuzz/artifacts/<name>/` and the command to replay it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use fleetplan_engine::{aws_import, presets, share};

use crate::process::{self, cargo};
use crate::Workspace;

/// The fuzz targets, in the order they run.
pub const TARGETS: &[&str] = &["scenario", "share_link", "query", "schedule", "aws_import"];

/// Seconds a target runs in the short form (`cargo xtask test`): five targets, two at a time on two cores (30 s),
/// plus the build (about 2.5 minutes the first time on two busy cores, seconds after).
pub const SHORT_SECONDS: u64 = 10;
/// Seconds a target runs in the long form.
pub const LONG_SECONDS: u64 = 900;

/// The instrumentation `cargo fuzz build --sanitizer none` asks of rustc (cargo-fuzz's `project.rs`), plus
/// `--cfg fuzzing`. Overflow checks and debug assertions come from `fuzz/Cargo.toml`'s release profile.
const RUSTFLAGS: &[&str] = &[
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "--cfg",
    "fuzzing",
];

/// What to run.
pub struct Options {
    pub seconds: u64,
    pub targets: Vec<String>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut seconds = SHORT_SECONDS;
        let mut targets = Vec::new();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--long" => seconds = LONG_SECONDS,
                "--seconds" => {
                    let value = args.next().context("`--seconds` needs a value")?;
                    seconds = value.parse().with_context(|| format!("`{value}` is not a number of seconds"))?;
                }
                name if TARGETS.contains(&name) => targets.push(name.to_owned()),
                other => bail!("unknown argument `{other}` for `fuzz` (targets: {})", TARGETS.join(", ")),
            }
        }
        if targets.is_empty() {
            targets = TARGETS.iter().map(|t| (*t).to_owned()).collect();
        }
        Ok(Options { seconds, targets })
    }
}

/// One target's run, as libFuzzer reported it.
struct Outcome {
    target: String,
    runs: u64,
    seconds: f64,
    corpus: usize,
}

pub fn run(ws: &Workspace, options: &Options) -> Result<()> {
    let dir = ws.target.join("fuzz");
    let triple = host_triple()?;
    build(ws, &dir, &triple)?;
    let bin_dir = dir.join(&triple).join("release");
    write_seeds(&dir.join("seeds"))?;
    // Every target runs even after one finds something, so one long run reports everything. Each libFuzzer process
    // keeps one core busy, so as many run at once as there are cores (two on CI's machine: 30 s instead of 50 for the
    // short form, each target still getting its full seconds).
    let parallel = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..parallel.min(options.targets.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(target) = options.targets.get(i) else { break };
                let result = fuzz_one(ws, &dir, &bin_dir, target, options.seconds);
                results.lock().unwrap_or_else(PoisonError::into_inner).push((i, result));
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    results.sort_by_key(|(i, _)| *i);
    let mut outcomes = Vec::new();
    let mut findings = Vec::new();
    for (i, result) in results {
        match result {
            Ok(outcome) => outcomes.push(outcome),
            Err(err) => {
                eprintln!("\n{err:#}");
                findings.push(options.targets[i].clone());
            }
        }
    }
    println!("\n{:<12} {:>12} {:>9} {:>8}", "target", "executions", "seconds", "corpus");
    for o in &outcomes {
        println!("{:<12} {:>12} {:>9.0} {:>8}", o.target, o.runs, o.seconds, o.corpus);
    }
    if !findings.is_empty() {
        bail!("fuzzing found problems in: {}", findings.join(", "));
    }
    println!("fuzzing: no findings");
    Ok(())
}

fn host_triple() -> Result<String> {
    let version = process::probe(Command::new("rustc").arg("-vV")).context("`rustc -vV` did not run")?;
    version.lines().find_map(|line| line.strip_prefix("host: ")).map(str::to_owned).context("`rustc -vV` names no host")
}

/// `--target` so that the instrumentation flags reach the targets and the engine but not build scripts or
/// `serde_derive` (cargo applies RUSTFLAGS to host code only when no target is given).
fn build(ws: &Workspace, dir: &Path, triple: &str) -> Result<()> {
    process::step("build the fuzz targets (libFuzzer, coverage instrumentation)");
    process::run(
        cargo()
            .current_dir(ws.root.join("fuzz"))
            .args(["build", "--release", "--locked", "--bins", "--target", triple])
            .env("CARGO_TARGET_DIR", dir)
            .env("RUSTFLAGS", RUSTFLAGS.join(" "))
            // A RUSTFLAGS of the caller's would be dropped silently in favour of ours; say nothing, use ours.
            .env_remove("CARGO_ENCODED_RUSTFLAGS"),
    )
}

fn fuzz_one(ws: &Workspace, dir: &Path, bin_dir: &Path, target: &str, seconds: u64) -> Result<Outcome> {
    let corpus = dir.join("corpus").join(target);
    let artifacts = dir.join("artifacts").join(target);
    let seeds = dir.join("seeds").join(target);
    let regressions = ws.root.join("fuzz").join("regressions").join(target);
    for d in [&corpus, &artifacts, &regressions] {
        fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }
    let bin = bin_dir.join(target);
    let mut cmd = Command::new(&bin);
    cmd.arg(format!("-max_total_time={seconds}"))
        // A run is bounded by a small budget (fuzz_targets/scenario.rs); seconds per input is a finding.
        .arg("-timeout=10")
        .arg("-rss_limit_mb=2048")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1");
    if target == "scenario" {
        cmd.arg(format!("-dict={}", dir.join("seeds").join("scenario.dict").display()));
    }
    if matches!(target, "query" | "schedule") {
        // Both refuse more than a few hundred characters before reading them.
        cmd.arg("-max_len=600");
    }
    // The first directory is where new inputs go.
    cmd.arg(&corpus).arg(&regressions).arg(&seeds);
    println!("fuzz `{target}` for {seconds} s: $ {} ...", bin.display());
    let started = Instant::now();
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("could not start {} (did the build step run?)", bin.display()))?;
    let log = String::from_utf8_lossy(&output.stderr);
    let log_path = dir.join(format!("{target}.log"));
    fs::write(&log_path, log.as_bytes()).with_context(|| format!("writing {}", log_path.display()))?;
    if !output.status.success() {
        // One print, so that the other target running meanwhile cannot cut into it.
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        eprintln!("fuzz `{target}`, the end of its log:\n{}", tail.join("\n"));
        bail!(
            "fuzz target `{target}` found a problem ({}); the input is in {} (replay: {} <file>); full log {}",
            output.status,
            artifacts.display(),
            bin.display(),
            log_path.display()
        );
    }
    let runs = stat(&log, "stat::number_of_executed_units:")
        .or_else(|| log.lines().rev().find_map(|l| l.strip_prefix("Done ")?.split_whitespace().next()?.parse().ok()))
        .unwrap_or(0);
    let corpus_size = fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0);
    let outcome =
        Outcome { target: target.to_owned(), runs, seconds: started.elapsed().as_secs_f64(), corpus: corpus_size };
    println!("{target}: {} executions in {:.0} s, corpus {}", outcome.runs, outcome.seconds, outcome.corpus);
    Ok(outcome)
}

/// A `-print_final_stats=1` line's value.
fn stat(log: &str, name: &str) -> Option<u64> {
    log.lines().find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
}

/// Seeds from the presets, rewritten on every run (cheap, and they follow the presets as they change).
fn write_seeds(dir: &Path) -> Result<()> {
    let mut scenario = Vec::new();
    let mut links = Vec::new();
    let mut queries: BTreeSet<String> = QUERY_EXAMPLES.iter().map(|q| (*q).to_owned()).collect();
    let mut schedules: BTreeSet<String> = SCHEDULE_EXAMPLES.iter().map(|s| (*s).to_owned()).collect();
    let mut keys = BTreeSet::new();
    let mut previous: Option<fleetplan_engine::spec::ScenarioSpec> = None;
    for preset in presets::all() {
        scenario.push((preset.id.to_owned(), preset.json.to_owned()));
        let spec = fleetplan_engine::scenario::parse_spec(preset.json)
            .map_err(|e| anyhow::anyhow!("preset {} does not parse: {e}", preset.id))?;
        links.push((preset.id.to_owned(), share::encode(&spec, 7)));
        // Comparison links (`c=`): each preset against the one before it.
        if let Some(before) = previous.replace(spec.clone()) {
            let variant = |label: &str, seed, scenario| share::SharedVariant { label: label.into(), seed, scenario };
            links.push((
                format!("compare-{}", preset.id),
                share::encode_comparison(&[variant("A", 1, before), variant("B", 2, spec)]),
            ));
        }
        let value: serde_json::Value = serde_json::from_str(preset.json)?;
        let start = value.get("start").and_then(|s| s.as_str()).unwrap_or_default().to_owned();
        walk(&value, &mut |key, v| {
            keys.insert(key.to_owned());
            if key == "expression" {
                if let Some(text) = v.as_str() {
                    queries.insert(text.to_owned());
                }
            }
            if key == "schedule" {
                if let Some(text) = v.as_str() {
                    schedules.insert(format!("{text}\n+09:00\n{start}"));
                    // A named zone over a daylight saving change (the US one of 2026-03-08).
                    schedules.insert(format!("{text}\nAmerica/New_York\n2026-03-07T00:00:00Z"));
                }
            }
        });
    }
    // The importer's example documents, one seed each, all of them in one (form feeds split documents), and a
    // preset's export.
    let mut aws: Vec<(String, String)> =
        aws_import::examples::ALL.iter().map(|(name, text)| ((*name).to_owned(), (*text).to_owned())).collect();
    aws.push((
        "all-json".to_owned(),
        aws_import::examples::ALL[..6].iter().map(|(_, t)| *t).collect::<Vec<_>>().join("\u{c}"),
    ));
    if let Some(preset) = presets::get("ec2-spot-draining") {
        let spec = fleetplan_engine::scenario::parse_spec(preset.json).map_err(|e| anyhow::anyhow!("{e}"))?;
        let exported = aws_import::export::cli(&spec);
        aws.push((
            "export-ec2-spot-draining".to_owned(),
            serde_json::Value::Array(exported.documents.into_iter().map(|(_, d)| d).collect()).to_string(),
        ));
    }
    write_dir(&dir.join("aws_import"), aws)?;
    write_dir(&dir.join("scenario"), scenario)?;
    write_dir(&dir.join("share_link"), links)?;
    write_dir(&dir.join("query"), queries.into_iter().enumerate().map(|(i, q)| (format!("q{i:03}"), q)).collect())?;
    write_dir(
        &dir.join("schedule"),
        schedules.into_iter().enumerate().map(|(i, s)| (format!("s{i:03}"), s)).collect(),
    )?;
    // libFuzzer's dictionary format: one quoted token a line. Every key the presets use, quoted as JSON has it.
    let dict: String = keys.iter().map(|k| format!("\"\\\"{}\\\"\"\n", k.escape_default())).collect();
    let path = dir.join("scenario.dict");
    fs::write(&path, dict).with_context(|| format!("writing {}", path.display()))
}

fn walk(value: &serde_json::Value, visit: &mut dyn FnMut(&str, &serde_json::Value)) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                visit(k, v);
                walk(v, visit);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, visit)),
        _ => {}
    }
}

fn write_dir(dir: &Path, files: Vec<(String, String)>) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, text) in files {
        let path: PathBuf = dir.join(name);
        fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Cluster query language examples (AWS *Create expressions to define container instances for Amazon ECS tasks*),
/// one for each operator and form the parser knows.
const QUERY_EXAMPLES: &[&str] = &[
    "attribute:ecs.instance-type == t2.small",
    "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
    "attribute:ecs.instance-type =~ g2.*",
    "attribute:ecs.instance-type !~ t2.*",
    "attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone != us-east-1d",
    "attribute:ecs.os-type exists",
    "not(attribute:ecs.os-type == windows)",
    "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']",
    "attribute:ecs.instance-type == t2.small || attribute:ecs.instance-type == m4.large\nt2.small",
    "(attribute:a == 1 or attribute:b == 2) && !attribute:c in [\"x,y\", 'z)']\n1",
];

/// Schedule expression examples (EventBridge Scheduler *Schedule types*), then a time zone and a start instant.
const SCHEDULE_EXAMPLES: &[&str] = &[
    "cron(0 10 * * ? *)",
    "cron(15 12 * * ? *)\n+09:00\n2026-03-01T00:00:00Z",
    "cron(0 18 ? * MON-FRI *)",
    "cron(0 8 1 * ? *)",
    "cron(0/10 * ? * MON-FRI *)",
    "cron(0/5 8-17 ? * MON-FRI *)",
    "cron(0 9 ? * 2#1 *)\n-05:30",
    "cron(0 0 L * ? *)",
    "cron(0 0 15W * ? 2026-2030)",
    "rate(5 minutes)",
    "rate(1 hour)",
    "rate(7 days)\nUTC\n2026-12-31T23:59:59Z",
    "at(2026-01-02T03:04:05)",
];
