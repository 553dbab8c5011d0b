//! The command line as a user (or a shell pipeline) drives it: bad files, clashing outputs, closed pipes.

use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use fleetplan_engine::{presets, RunOptions, Simulation};

fn fleetplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fleetplan")).args(args).output().expect("the binary runs")
}

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fleetplan-cli-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    // Was: `println!` panicked with exit status 101 and a backtrace hint on stderr.
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleetplan"))
        .args(["run", "--preset", "fargate-ondemand-1000", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before the summary is written
    let status = child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success(), "{status:?}: {err}");
    assert_eq!(err, "");
}

#[test]
fn an_input_larger_than_a_link_may_be_is_refused_unread() {
    let dir = scratch("big");
    let path = dir.join("big.json");
    fs::write(&path, vec![b' '; 3 * 1024 * 1024]).unwrap();
    let output = fleetplan(&["check", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("is larger than 2 MiB, the most a scenario may be"), "{}", stderr(&output));
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = scratch("bom");
    let path = dir.join("bom.json");
    let json = serde_json::to_string(&presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap().spec).unwrap();
    fs::write(&path, format!("\u{feff}{json}")).unwrap();
    let output = fleetplan(&["check", path.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn two_outputs_on_one_file_are_refused_before_the_run() {
    let dir = scratch("same");
    let csv = dir.join("out.txt");
    let trace = dir.join(".").join("out.txt");
    let output = fleetplan(&[
        "run",
        "--preset",
        "fargate-ondemand-1000",
        "--csv",
        csv.to_str().unwrap(),
        "--trace",
        trace.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--csv and --trace both name"), "{}", stderr(&output));
    assert!(!csv.exists(), "nothing is written");
    assert!(output.stdout.is_empty(), "the run did not start");
}

#[test]
fn an_output_that_cannot_be_written_fails_before_the_run() {
    let dir = scratch("nodir");
    let csv = dir.join("missing-dir").join("out.csv");
    let output = fleetplan(&["run", "--preset", "fargate-ondemand-1000", "--csv", csv.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("cannot write"), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "no summary: the run did not start");
}

#[test]
fn the_streamed_trace_is_the_whole_trace() {
    let dir = scratch("trace");
    let path = dir.join("trace.txt");
    let output =
        fleetplan(&["run", "--preset", "fargate-ondemand-1000", "--seed", "2", "--trace", path.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let scenario = presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap();
    let mut sim = Simulation::with_options(
        scenario,
        2,
        RunOptions { trace: true, check_invariants: false, keep_finished_tasks: true },
    );
    sim.run_to_end();
    let expected: String = sim.trace().iter().map(|e| format!("{e}\n")).collect();
    assert_eq!(fs::read_to_string(&path).unwrap(), expected);
}

/// Issue 13: the text names each cost figure, with times from a minute on as h:mm:ss. `fargate-ondemand-1000`:
/// 1,000 tasks x $0.0173425 an hour once steady, x 730 hours a month; the average over its 0:03:24 run is lower.
#[test]
fn the_text_names_each_cost_figure() {
    let output = fleetplan(&["run", "--preset", "fargate-ondemand-1000", "--seed", "1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("  simulated       0:03:24, "), "{text}");
    assert!(text.contains("average $7.9041/hour over the run (ramp included)"), "{text}");
    assert!(
        text.contains("  rollout cost    $0.4428 until every service's first rollout was steady (0:03:23)"),
        "{text}"
    );
    assert!(text.contains("  steady state    $17.3425/hour, $12660.02/month (730 h), since 0:03:23"), "{text}");
    assert!(text.contains("steady 0:03:23 (first rollout), 4.93 tasks/s over the ramp"), "{text}");
    let moving = fleetplan(&["run", "--preset", "two-knobs-morning-ramp", "--seed", "1"]);
    let text = String::from_utf8_lossy(&moving.stdout);
    assert!(text.contains("  steady state    none (demand moves over the run"), "{text}");
}

#[test]
fn the_run_budget_can_be_moved_and_a_run_over_it_says_so() {
    let week = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/scenarios/crash-loop-week.json");
    let output = fleetplan(&["run", week, "--max-events", "20000", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["events"], 20_000);
    let reason = summary["stopped_early"]["reason"].as_str().unwrap();
    assert!(reason.contains("budget of 20000 events"), "{reason}");
    let output = fleetplan(&["run", week, "--max-tasks", "3000"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("STOPPED EARLY"), "{}", stderr(&output));
}

fn testdata(name: &str) -> String {
    format!("{}/../engine/src/aws_import/testdata/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn import_writes_a_scenario_and_reports_what_it_did_not_import() {
    let dir = scratch("import");
    let out = dir.join("shop.json");
    let files = [
        "describe-task-definition-web.json",
        "register-task-definition-worker.json",
        "describe-services.json",
        "describe-capacity-providers.json",
        "describe-auto-scaling-groups.json",
    ]
    .map(testdata);
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--out", out.to_str().unwrap()]);
    let output = fleetplan(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = stderr(&output);
    assert!(report.contains(" fields not imported as is:\nnot modelled ("), "{report}");
    assert!(report.contains("unknown (1):\n  "), "{report}");
    assert!(report.contains("taskDefinition.containerDefinitions[0].environment: not modelled"), "{report}");
    let check = fleetplan(&["check", out.to_str().unwrap()]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(String::from_utf8_lossy(&check.stdout).contains("2 service(s)"));

    // Export, as one list on standard output, imports again; a directory gets one file per call.
    let exported = dir.join("aws.json");
    let output = fleetplan(&["export", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("note: task definition `shop-web`: the image is not in a scenario"));
    fs::write(&exported, &output.stdout).unwrap();
    let again = fleetplan(&["import", exported.to_str().unwrap()]);
    assert!(again.status.success(), "{}", stderr(&again));
    let split = dir.join("split");
    let output = fleetplan(&[
        "export",
        out.to_str().unwrap(),
        "--format",
        "cloudformation",
        "--out-dir",
        split.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(split.join("template.json").exists());
    let output = fleetplan(&["export", out.to_str().unwrap(), "--out-dir", split.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(split.join("taskdef-shop-web.json").exists() && split.join("service-thumbnailer.json").exists());
}

#[test]
fn import_of_a_yaml_template_works_and_bad_input_fails_with_the_problem() {
    let output = fleetplan(&["import", &testdata("template.yaml")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("\"checkout-api-prod\""));

    let dir = scratch("import-bad");
    let bad = dir.join("svc.json");
    fs::write(&bad, r#"{"serviceName": "a", "taskDefinition": "missing:1", "desiredCount": 2}"#).unwrap();
    let output = fleetplan(&["import", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("task definition `missing:1` is not among the documents"), "{}", stderr(&output));
    fs::write(&bad, "Resources: [unclosed\n").unwrap();
    let output = fleetplan(&["import", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("not valid YAML"), "{}", stderr(&output));
    let output = fleetplan(&["import", dir.join("absent.json").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("cannot read"), "{}", stderr(&output));
}
