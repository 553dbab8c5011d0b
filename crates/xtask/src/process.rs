//! Running child processes, echoing each command line so a log shows what ran; [`Job`] runs one in the background.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

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

/// A child process running in the background, its stdout and stderr in a log file that [`Job::join`] prints whole,
/// so its lines never interleave with the foreground's. A thread waits on it, so the time it took is exact however
/// late it is joined. Dropped without a join (the run failed elsewhere), it kills the child, so no job outlives the
/// command that started it (a rustc or fuzzer the child started finishes its crate or its seconds and exits).
pub struct Job {
    pub name: &'static str,
    line: String,
    log: PathBuf,
    child: Arc<Mutex<Child>>,
    /// When the job started, since the run began.
    pub started: Duration,
    waiter: Option<JoinHandle<io::Result<(ExitStatus, Duration)>>>,
}

impl Job {
    /// Starts `cmd` with its output going to `log` (created anew); `run_started` is when the run began (for
    /// [`Job::started`]).
    pub fn start(name: &'static str, cmd: &mut Command, log: &Path, run_started: Instant) -> Result<Job> {
        let line = describe(cmd);
        if let Some(dir) = log.parent() {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let out = File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone().with_context(|| format!("opening {} twice", log.display()))?;
        println!("$ {line} > {} 2>&1 &", log.display());
        let started = Instant::now();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("could not start `{line}` (background job `{name}`)"))?;
        let child = Arc::new(Mutex::new(child));
        let waiting = Arc::clone(&child);
        // Polls rather than blocks in `wait`, so that `Drop` can take the lock to kill the child.
        let waiter = thread::spawn(move || loop {
            if let Some(status) = waiting.lock().unwrap_or_else(PoisonError::into_inner).try_wait()? {
                return Ok((status, started.elapsed()));
            }
            thread::sleep(Duration::from_millis(100));
        });
        Ok(Job { name, line, log: log.to_owned(), child, started: started - run_started, waiter: Some(waiter) })
    }

    /// Whether the child has exited (successfully or not).
    pub fn finished(&self) -> bool {
        self.waiter.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Waits for the child, prints its log, and returns how long it ran; an error naming the job if it failed.
    pub fn join(mut self) -> Result<Duration> {
        let waited = self.waiter.take().context("a background job joined twice")?.join();
        let (status, took) = match waited {
            Ok(result) => result.with_context(|| format!("waiting for `{}`", self.line))?,
            Err(_) => bail!("the thread waiting for `{}` panicked", self.line),
        };
        let log = fs::read_to_string(&self.log).unwrap_or_else(|e| format!("(could not read the log: {e})\n"));
        println!(
            "\n==> background job `{}`: `{}`, {:.0} s; its output ({}):",
            self.name,
            self.line,
            took.as_secs_f64(),
            self.log.display()
        );
        print!("{log}");
        println!("<== end of background job `{}`", self.name);
        if !status.success() {
            bail!(
                "background job `{}` failed: `{}` ({status}); its output is above and in {}",
                self.name,
                self.line,
                self.log.display()
            );
        }
        Ok(took)
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        let Some(waiter) = self.waiter.take() else { return };
        if !waiter.is_finished() {
            eprintln!(
                "stopping background job `{}` (`{}`; its output so far is in {})",
                self.name,
                self.line,
                self.log.display()
            );
            // Ignored: it may have exited in between, and a failure is being reported already.
            let _ = self.child.lock().unwrap_or_else(PoisonError::into_inner).kill();
        }
        let _ = waiter.join();
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn log(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("xtask-job-test-{}-{name}.log", std::process::id()))
    }

    #[test]
    fn a_job_that_succeeds_joins_with_its_output_logged() {
        let path = log("ok");
        let job =
            Job::start("ok", Command::new("sh").args(["-c", "echo out; echo err >&2"]), &path, Instant::now()).unwrap();
        job.join().unwrap();
        let logged = fs::read_to_string(&path).unwrap();
        assert!(logged.contains("out\n") && logged.contains("err\n"), "{logged}");
        fs::remove_file(path).unwrap();
    }

    #[test]
    fn a_job_that_fails_fails_its_join_by_name() {
        let path = log("bad");
        let job = Job::start("bad", Command::new("sh").args(["-c", "exit 3"]), &path, Instant::now()).unwrap();
        let err = job.join().unwrap_err().to_string();
        assert!(err.contains("background job `bad` failed"), "{err}");
        fs::remove_file(path).unwrap();
    }

    /// Dropping waits for the waiter thread, which ends only when the child has exited: without the kill this test
    /// would wait out the sleep.
    #[test]
    fn a_dropped_job_is_stopped() {
        let path = log("stop");
        let job = Job::start("stop", Command::new("sleep").arg("600"), &path, Instant::now()).unwrap();
        assert!(!job.finished());
        drop(job);
        fs::remove_file(path).unwrap();
    }
}
