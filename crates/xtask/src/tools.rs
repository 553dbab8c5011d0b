//! The ensure-tools step: installs what a command needs, only when it is missing or stale,
//! so it is quick on a machine that has everything and self-sufficient on a new one.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::process::{self, probe};
use crate::Workspace;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Debian's Chromium and its WebDriver; the only browser that installs on these machines.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Records which `package-lock.json` the current `node_modules` was installed from.
const NPM_STAMP: &str = "node_modules/.fleetplan-lock-hash";

/// What a command needs besides the Rust toolchain and the wasm target (always ensured).
#[derive(Clone, Copy)]
pub struct Needs {
    /// `wasm-bindgen-test-runner` plus Chromium and ChromeDriver, for wasm browser tests.
    pub wasm_tests: bool,
    /// Chromium plus the e2e harness's npm packages, for driving the built page.
    pub e2e: bool,
}

impl Needs {
    /// Building and serving dist/.
    pub const BUILD: Needs = Needs { wasm_tests: false, e2e: false };
    /// Running the built page in Chromium (`bench`).
    pub const BROWSER: Needs = Needs { wasm_tests: false, e2e: true };
    /// Everything (`test`).
    pub const ALL: Needs = Needs { wasm_tests: true, e2e: true };
}

pub fn ensure(ws: &Workspace, needs: Needs) -> Result<()> {
    wasm_target()?;
    if needs.wasm_tests {
        wasm_bindgen_test_runner(ws)?;
    }
    if needs.wasm_tests || needs.e2e {
        chromium()?;
    }
    if needs.e2e {
        node_modules(ws)?;
    }
    Ok(())
}

fn wasm_target() -> Result<()> {
    let installed = probe(Command::new("rustup").args(["target", "list", "--installed"]))
        .context("`rustup` is needed to manage the wasm target, and it did not run")?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        println!("ok: Rust target {WASM_TARGET}");
        return Ok(());
    }
    process::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// The test runner must match the `wasm-bindgen` the tests link against, or it refuses them.
fn wasm_bindgen_test_runner(ws: &Workspace) -> Result<()> {
    let lock_path = ws.root.join("Cargo.lock");
    let lock = fs::read_to_string(&lock_path).with_context(|| format!("reading {}", lock_path.display()))?;
    let wanted = locked_version(&lock, "wasm-bindgen")
        .context("Cargo.lock has no `wasm-bindgen` package; is `web/` in the workspace?")?;
    let installed = || {
        probe(Command::new("wasm-bindgen-test-runner").arg("--version"))
            .and_then(|v| v.split_whitespace().last().map(str::to_owned))
    };
    match installed() {
        Some(version) if version == wanted => {
            println!("ok: wasm-bindgen-test-runner {version}");
            return Ok(());
        }
        Some(version) => {
            println!("wasm-bindgen-test-runner is {version}, Cargo.lock wants {wanted}")
        }
        None => println!("wasm-bindgen-test-runner not found"),
    }
    // No `--locked`: the crate's own lockfile pins a version the registry no longer serves.
    process::run(process::cargo().args(["install", "wasm-bindgen-cli", "--version", &format!("={wanted}")]))?;
    if installed().as_deref() != Some(wanted) {
        bail!("installed wasm-bindgen-cli {wanted}, but `wasm-bindgen-test-runner` on PATH is still not that version (is cargo's bin directory on PATH?)");
    }
    Ok(())
}

/// The version of `name` in a Cargo.lock (the first one, if several are locked).
fn locked_version<'a>(lock: &'a str, name: &str) -> Option<&'a str> {
    let name_line = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    lines.find(|line| line.trim() == name_line)?;
    lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')
}

fn chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        println!("ok: {CHROMIUM} and {CHROMEDRIVER}");
        return Ok(());
    }
    let is_root = probe(Command::new("id").arg("-u")).as_deref() == Some("0");
    let apt_get = |args: &[&str]| {
        let mut cmd = if is_root {
            Command::new("apt-get")
        } else {
            // `env` because sudo drops the caller's environment.
            let mut sudo = Command::new("sudo");
            sudo.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            sudo
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    process::run(&mut apt_get(&["update"]))?;
    process::run(&mut apt_get(&["install", "-y", "chromium", "chromium-driver"]))?;
    for path in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(path).exists() {
            bail!("apt-get installed chromium and chromium-driver, but {path} is missing");
        }
    }
    Ok(())
}

/// Runs `npm ci` when `node_modules` was not installed from the current lockfile.
fn node_modules(ws: &Workspace) -> Result<()> {
    for tool in ["node", "npm"] {
        if probe(Command::new(tool).arg("--version")).is_none() {
            bail!("`{tool}` is needed for the browser tests and was not found on PATH");
        }
    }
    let dir = ws.e2e();
    let lock_path = dir.join("package-lock.json");
    let lock = fs::read(&lock_path).with_context(|| format!("reading {}", lock_path.display()))?;
    let hash = format!("{:016x}", fnv1a(&lock));
    let stamp = dir.join(NPM_STAMP);
    if fs::read_to_string(&stamp).is_ok_and(|old| old == hash) {
        println!("ok: tests/e2e/node_modules matches package-lock.json");
        return Ok(());
    }
    process::run(Command::new("npm").arg("ci").current_dir(&dir))?;
    fs::write(&stamp, hash).with_context(|| format!("writing {}", stamp.display()))
}

/// FNV-1a: a tiny hash that is stable across Rust versions, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n\
                    [[package]]\nname = \"wasm-bindgen-shared\"\nversion = \"0.2.130\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen"), Some("0.2.130"));
        assert_eq!(locked_version(lock, "wasm-bindgen-macro"), None);
    }

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
