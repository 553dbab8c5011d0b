//! Running child processes, echoing each command line so a log shows what ran.

use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

/// Prints a step header, so long logs can be scanned by eye.
pub fn step(title: &str) {
    println!("\n==> {title}");
}

/// A `cargo` command using the same cargo that runs xtask (`cargo xtask` sets `CARGO`),
/// so every step uses one toolchain.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The command line as a shell would show it (without environment or directory).
fn describe(cmd: &Command) -> String {
    let program = cmd.get_program().to_string_lossy();
    // Show `cargo`, not the toolchain's full path that `CARGO` holds.
    let program = program.rsplit('/').next().unwrap_or(&program).to_owned();
    std::iter::once(program)
        .chain(cmd.get_args().map(|arg| arg.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `cmd` with the terminal's stdio; an error if it cannot start or exits non-zero.
pub fn run(cmd: &mut Command) -> Result<()> {
    let line = describe(cmd);
    println!("$ {line}");
    let status = cmd.status().with_context(|| format!("could not start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// Runs `cmd` and returns its stdout; stderr goes to the terminal.
pub fn stdout(cmd: &mut Command) -> Result<String> {
    let line = describe(cmd);
    println!("$ {line}");
    let output = cmd.stderr(Stdio::inherit()).output().with_context(|| format!("could not start `{line}`"))?;
    if !output.status.success() {
        bail!("`{line}` failed ({})", output.status);
    }
    String::from_utf8(output.stdout).with_context(|| format!("`{line}` printed non-UTF-8 output"))
}

/// Runs `cmd` silently and returns its trimmed stdout, or `None` if it is missing or fails:
/// for asking whether a tool is installed.
pub fn probe(cmd: &mut Command) -> Option<String> {
    let output = cmd.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok().map(|s| s.trim().to_owned())
}
