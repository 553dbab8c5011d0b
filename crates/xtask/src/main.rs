//! Fleetplan's build tool, run as `cargo xtask <command>` (see `USAGE`).

mod bench;
mod dist;
mod fuzz;
mod process;
mod serve;
mod test;
mod tidy;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve [--port N]  build dist/ and serve it on http://127.0.0.1:N/ (default 8080,
                    or a free port when that one is taken)
  dist              build the web app into dist/ (wasm, JS glue, static files)
  tidy              source checks: a `//!` line atop every Rust file, no
                    HashMap/HashSet in the engine, rustfmt
  test [--from N]   the full check CI runs: tidy, clippy, native and wasm tests,
                    a short fuzzing run,
                    the wasm size budget and the end-to-end browser tests;
                    --from N starts at step N (after a fix to a later step)
  tools             install what `test` needs (wasm target, wasm-bindgen-test-
                    runner, Chromium and ChromeDriver, the e2e npm packages);
                    quick when all is there
  e2e [FILE...]     build dist/ and the CLI's expectations, then run the
                    end-to-end tests (all, or the named tests/e2e files)
  bench             native benchmark, then the same presets in headless Chromium
  fuzz [--long] [--seconds N] [TARGET...]
                    coverage-guided fuzzing (libFuzzer) of the scenario reader,
                    validator and a bounded run, the share-link decoder, the
                    cluster query parser and the schedule parser: 10 s a target
                    (as in `test`), --long 15 min a target; TARGET is one of
                    scenario, share_link, query, schedule
  help              show this message";

/// A parsed command line.
enum Command {
    Serve { port: Option<u16> },
    Dist,
    Tidy,
    Test { from: usize },
    E2e { files: Vec<String> },
    Tools,
    Bench,
    Fuzz(fuzz::Options),
    Help,
}

/// Where things live in this checkout.
pub struct Workspace {
    pub root: PathBuf,
    /// Cargo's target directory (honours `CARGO_TARGET_DIR`, as cargo does).
    pub target: PathBuf,
}

impl Workspace {
    fn locate() -> Result<Workspace> {
        // xtask lives at <root>/crates/xtask. `cargo run` says which checkout at run time; the compile-time path is
        // the fallback, and would be wrong for a binary reused from a target directory shared by several clones.
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf());
        let root = manifest_dir.ancestors().nth(2).context("xtask is not at <root>/crates/xtask")?.to_path_buf();
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => std::path::absolute(dir).context("resolving CARGO_TARGET_DIR")?,
            None => root.join("target"),
        };
        Ok(Workspace { root, target })
    }

    pub fn dist(&self) -> PathBuf {
        self.root.join("dist")
    }

    pub fn e2e(&self) -> PathBuf {
        self.root.join("tests").join("e2e")
    }
}

fn parse_args(args: &[String]) -> Result<Command> {
    let Some((name, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    let command = match name.as_str() {
        "serve" => Command::Serve { port: parse_serve_args(rest)? },
        "dist" => Command::Dist,
        "tidy" => Command::Tidy,
        "tools" => Command::Tools,
        "test" => return Ok(Command::Test { from: parse_from(rest)? }),
        "e2e" => return Ok(Command::E2e { files: rest.to_vec() }),
        "bench" => Command::Bench,
        "fuzz" => return Ok(Command::Fuzz(fuzz::Options::parse(rest)?)),
        "help" | "-h" | "--help" => Command::Help,
        other => bail!("unknown command `{other}`"),
    };
    if !matches!(command, Command::Serve { .. }) && !rest.is_empty() {
        bail!("`{name}` takes no arguments, got `{}`", rest.join(" "));
    }
    Ok(command)
}

/// `test`'s arguments: `--from N` (1-based step number), or none.
fn parse_from(args: &[String]) -> Result<usize> {
    match args {
        [] => Ok(1),
        [flag, value] if flag == "--from" => {
            value.parse().ok().filter(|n| *n >= 1).with_context(|| format!("`{value}` is not a step number"))
        }
        _ => bail!("unknown arguments for `test`: `{}` (only `--from N`)", args.join(" ")),
    }
}

fn parse_serve_args(args: &[String]) -> Result<Option<u16>> {
    let mut port = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--port=") {
            Some(value) => value,
            None if arg == "--port" => args.next().context("`--port` needs a value")?,
            None => bail!("unknown argument `{arg}` for `serve`"),
        };
        port = Some(value.parse().with_context(|| format!("`{value}` is not a port number"))?);
    }
    Ok(port)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse_args(&args) {
        Ok(command) => command,
        Err(err) => {
            eprintln!("xtask: {err}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = Workspace::locate().and_then(|ws| match command {
        Command::Serve { port } => serve::run(&ws, port),
        Command::Dist => dist::run(&ws),
        Command::Tidy => tidy::run(&ws),
        Command::Test { from } => test::run(&ws, from),
        Command::E2e { files } => test::e2e_only(&ws, &files),
        Command::Tools => tools::ensure(&ws, tools::Needs::ALL),
        Command::Bench => bench::run(&ws),
        Command::Fuzz(options) => fuzz::run(&ws, &options),
        Command::Help => {
            println!("{USAGE}");
            Ok(())
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nxtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
