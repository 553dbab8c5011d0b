//! The CLI's integration tests, as one test binary so the suite links once (like the engine's `tests/it/`): each
//! module drives the built `fleetplan` binary as a user or a shell pipeline would. The helpers every module uses are
//! here.

mod cli;
mod explain;
mod fit;
mod sweep;

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the binary with `args`; the shard index variables are removed so a test's outcome does not depend on the
/// environment it runs in (`sweep --shard env/N` reads them).
pub fn fleetplan(args: &[&str]) -> Output {
    fleetplan_env(args, &[])
}

/// As [`fleetplan`], with these environment variables set.
pub fn fleetplan_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fleetplan"));
    cmd.args(args).env_remove("AWS_BATCH_JOB_ARRAY_INDEX").env_remove("JOB_COMPLETION_INDEX");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

/// A fresh directory for one test's files (`test` names it: unique across the modules).
pub fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fleetplan-cli-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit status 0; what it printed on stdout.
pub fn ok(output: &Output) -> String {
    assert!(output.status.success(), "{}", stderr(output));
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Exit status 1 (not a panic's 101), nothing on stdout, the reason on stderr (returned).
pub fn refused(output: &Output) -> String {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(output.stdout.is_empty(), "{}", stdout(output));
    err
}
