//! The command line as a user (or a shell pipeline) drives it: bad files, clashing outputs, closed pipes.

use std::fs;
use std::io::Read;
use std::process::{Command, Stdio};

use fleetplan_engine::{presets, RunOptions, Simulation};

use crate::{fleetplan, scratch, stderr};

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

// ---- fleetplan compare (issue 12) ----

#[test]
fn compare_prints_each_variant_and_the_differences_to_a() {
    let output = fleetplan(&["compare", "preset:fargate-ondemand-1000", "preset:fargate-spot-1000", "--seed", "2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("A  Fargate On-Demand, 0 to 1,000 tasks (seed 2, preset:fargate-ondemand-1000)"),
        "{text}"
    );
    assert!(text.contains("B vs A"), "{text}");
    let steady = text.lines().find(|l| l.starts_with("Steady cost per hour")).expect("a steady cost row");
    assert!(steady.ends_with("better"), "Spot is cheaper per hour once up: {steady}");
    let completion = text.lines().find(|l| l.starts_with("Completion")).expect("a completion row");
    assert!(completion.ends_with("worse"), "Spot takes longer: {completion}");
}

#[test]
fn compare_json_is_the_engines_rows_for_the_same_runs() {
    let dir = scratch("compare-json");
    let file = dir.join("spot.json");
    fs::write(&file, presets::get("fargate-spot-1000").unwrap().json).unwrap();
    let output = fleetplan(&["compare", "preset:fargate-ondemand-1000", file.to_str().unwrap(), "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = |id: &str| fleetplan_engine::run(presets::get(id).unwrap().scenario().unwrap(), 1);
    let (a, b) = (run("fargate-ondemand-1000"), run("fargate-spot-1000"));
    let expected = fleetplan_engine::compare::compare(&[("A", &a), ("B", &b)]).unwrap();
    assert_eq!(printed, serde_json::to_value(&expected).unwrap());
    assert_eq!(printed["rows"][0]["key"], "completion_s");
    assert_eq!(printed["rows"][0]["values"][1], serde_json::json!(b.completion_s));
}

#[test]
fn compare_refuses_bad_input_naming_the_problem() {
    let dir = scratch("compare-bad");
    let broken = dir.join("broken.json");
    fs::write(&broken, "{\"version\": 1, ").unwrap();
    let invalid = dir.join("invalid.json");
    fs::write(&invalid, r#"{"version": 1, "services": "many"}"#).unwrap();
    let cases: [(Vec<&str>, &str); 6] = [
        (vec!["preset:fargate-ondemand-1000"], "compare takes 2 to 4 scenarios (files or preset:ID), not 1"),
        (vec!["preset:fargate-ondemand-1000"; 5], "compare takes 2 to 4 scenarios (files or preset:ID), not 5"),
        (vec!["preset:fargate-ondemand-1000", "preset:no-such"], "variant B (preset:no-such): "),
        (vec!["preset:fargate-ondemand-1000", "missing.json"], "variant B (missing.json): cannot read missing.json"),
        (vec![broken.to_str().unwrap(), "preset:fargate-ondemand-1000"], "variant A ("),
        (vec!["preset:fargate-ondemand-1000", "preset:fargate-spot-1000", invalid.to_str().unwrap()], "services"),
    ];
    for (inputs, message) in cases {
        let mut args = vec!["compare"];
        args.extend(inputs.iter().copied());
        let output = fleetplan(&args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(stderr(&output).contains(message), "{args:?}: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    let output = fleetplan(&["compare", "preset:fargate-ondemand-1000", "preset:fargate-ondemand-1000", "--seed", "x"]);
    assert_eq!(output.status.code(), Some(2), "clap's usage error");
}

#[test]
fn url_makes_a_comparison_link_that_decodes_to_its_variants() {
    let output =
        fleetplan(&["url", "--compare", "preset:fargate-ondemand-1000", "preset:fargate-spot-1000", "--seed", "9"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let link = String::from_utf8(output.stdout).unwrap();
    assert!(link.starts_with("#c=1."), "{link}");
    let Ok(fleetplan_engine::share::Shared::Comparison(variants)) = fleetplan_engine::share::open(link.trim()) else {
        panic!("a comparison link")
    };
    assert_eq!(variants.iter().map(|v| (v.label.as_str(), v.seed)).collect::<Vec<_>>(), [("A", 9), ("B", 9)]);
    let decoded = fleetplan(&["url", "--decode", &format!("https://example.invalid/{}", link.trim())]);
    assert!(decoded.status.success(), "{}", stderr(&decoded));
    let json: serde_json::Value = serde_json::from_slice(&decoded.stdout).unwrap();
    assert_eq!(json[1]["label"], "B");
    assert_eq!(json[1]["seed"], 9);
    let output = fleetplan(&["url", "--compare", "preset:fargate-ondemand-1000"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("compare takes 2 to 4 scenarios"), "{}", stderr(&output));
}

#[test]
fn compare_replays_a_comparison_link_with_its_labels_and_seeds() {
    use fleetplan_engine::share::{self, SharedVariant};
    let spec = |id: &str| presets::get(id).unwrap().scenario().unwrap().spec;
    let link = share::encode_comparison(&[
        SharedVariant { label: "On-Demand".into(), seed: 4, scenario: spec("fargate-ondemand-1000") },
        SharedVariant { label: "Spot".into(), seed: 5, scenario: spec("fargate-spot-1000") },
    ]);
    let output = fleetplan(&["compare", "--link", &format!("https://example.invalid/#{link}"), "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let run = |id: &str, seed| fleetplan_engine::run(presets::get(id).unwrap().scenario().unwrap(), seed);
    let (a, b) = (run("fargate-ondemand-1000", 4), run("fargate-spot-1000", 5));
    let expected = fleetplan_engine::compare::compare(&[("On-Demand", &a), ("Spot", &b)]).unwrap();
    assert_eq!(printed, serde_json::to_value(&expected).unwrap());
    // Not a comparison, or damaged: status 1 and why.
    let single = share::encode(&spec("fargate-ondemand-1000"), 1);
    for (link, message) in [(single.as_str(), "holds one scenario, not a comparison"), ("c=1.AAAA", "damaged")] {
        let output = fleetplan(&["compare", "--link", link]);
        assert_eq!(output.status.code(), Some(1), "{link}");
        assert!(stderr(&output).contains(message), "{link}: {}", stderr(&output));
    }
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
