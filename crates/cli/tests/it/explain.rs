//! `fleetplan explain`: what holds a task, service or RunTask burst at an instant, as text and JSON.

use crate::{fleetplan, stderr, stdout};

/// 1,000 Fargate tasks: 30 s in, the service's own launch rate (500 a minute, 42 per 5 s cycle, under the
/// On-Demand bucket's 20/s) is what holds it, and the JSON carries the same numbers and sentence.
#[test]
fn a_service_held_by_its_launch_rate() {
    let args = ["explain", "--preset", "fargate-ondemand-1000", "--at", "30", "--service", "web"];
    let text = fleetplan(&args);
    assert!(text.status.success(), "{}", stderr(&text));
    let line = stdout(&text);
    assert!(line.starts_with("at 30 s: "), "{line}");
    let json = fleetplan(&[&args[..], &["--json"]].concat());
    assert!(json.status.success(), "{}", stderr(&json));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(value["subject"]["kind"], "service");
    assert_eq!(value["at_s"], 30.0);
    // The sentence in the JSON is the one the text prints.
    assert_eq!(format!("at 30 s: {}\n", value["text"].as_str().expect("text")), line);
    let kinds: Vec<&str> =
        value["holds"].as_array().expect("holds").iter().map(|h| h["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds[0], "service_launch_rate", "{line}");
    // 500 a minute is 41.7 per 5 s: a cycle launches 41 or 42 of the bucket's 42.
    let used = value["holds"][0]["used"].as_u64().expect("used");
    assert!((41..=42).contains(&used) && value["holds"][0]["per_cycle"] == 42, "{line}");
    assert!(line.contains(&format!("service launch rate: {used} of 42 per 5 s cycle used")), "{line}");
}

#[test]
fn a_task_and_a_burst() {
    let task = fleetplan(&["explain", "--preset", "fargate-ondemand-1000", "--at", "10", "--task", "0"]);
    assert!(task.status.success(), "{}", stderr(&task));
    assert!(stdout(&task).contains("PROVISIONING"), "{}", stdout(&task));
    let burst = fleetplan(&["explain", "--preset", "fargate-runtask-burst", "--at", "3", "--burst", "nightly-batch"]);
    assert!(burst.status.success(), "{}", stderr(&burst));
    let by_number = fleetplan(&["explain", "--preset", "fargate-runtask-burst", "--at", "3", "--burst", "0"]);
    assert_eq!(stdout(&burst), stdout(&by_number));
    assert!(stdout(&burst).contains("started"), "{}", stdout(&burst));
}

#[test]
fn unknown_subjects_and_instants_beyond_the_run_are_clear_errors() {
    let cases: [(&[&str], &str); 5] = [
        (&["--at", "10", "--service", "nope"], "no service \"nope\"; the services are: web"),
        (&["--at", "10", "--task", "99999"], "no task 99999 at 10 s"),
        (&["--at", "10", "--burst", "x"], "no RunTask burst \"x\""),
        (&["--at", "99999", "--service", "web"], "--at 99999 s is beyond the run: its horizon is"),
        (&["--at=-1", "--service", "web"], "is not an instant of the run"),
    ];
    for (args, expected) in cases {
        let output = fleetplan(&[&["explain", "--preset", "fargate-ondemand-1000"], args].concat());
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(stderr(&output).contains(expected), "{args:?}: {}", stderr(&output));
    }
    let neither = fleetplan(&["explain", "--preset", "fargate-ondemand-1000", "--at", "1"]);
    assert!(!neither.status.success());
}

/// `--timeline`: what held the service from 0 to the instant, segment by segment, and the shares of that time;
/// at the run's end the shares are those of `run --json`.
#[test]
fn a_service_timeline_and_its_shares() {
    let args = ["explain", "--preset", "fargate-ondemand-1000", "--at", "200", "--service", "web", "--timeline"];
    let json = fleetplan(&[&args[..], &["--json"]].concat());
    assert!(json.status.success(), "{}", stderr(&json));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    let segments = value["segments"].as_array().expect("segments");
    assert_eq!(segments[0]["from_ms"], 0);
    let kinds: Vec<&str> = segments.iter().map(|s| s["held"].as_str().expect("held")).collect();
    // Its first cycle comes within 5 s; the launch rate holds it while 1,000 tasks launch at 42 a cycle; then its
    // tasks start.
    assert_eq!(kinds[1], "service launch rate", "{kinds:?}");
    assert!(kinds[2].starts_with("task startup"), "{kinds:?}");
    let shares = value["limited_by_shares"].as_array().expect("shares");
    let total: f64 = shares.iter().map(|s| s["share"].as_f64().expect("share")).sum();
    assert!((total - 1.0).abs() < 1e-3, "{shares:?}");
    let text = fleetplan(&args);
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(stdout(&text).starts_with("service web from 0 to 200 s:\n"), "{}", stdout(&text));
    assert!(stdout(&text).contains("shares of the time it was held back:"), "{}", stdout(&text));

    let end =
        ["explain", "--preset", "fargate-ondemand-1000", "--at", "1800", "--service", "web", "--timeline", "--json"];
    let end: serde_json::Value = serde_json::from_str(&stdout(&fleetplan(&end))).expect("JSON");
    let run = fleetplan(&["run", "--preset", "fargate-ondemand-1000", "--json"]);
    let run: serde_json::Value = serde_json::from_str(&stdout(&run)).expect("JSON");
    assert_eq!(end["limited_by_shares"], run["services"][0]["limited_by_shares"]);

    let without =
        fleetplan(&["explain", "--preset", "fargate-ondemand-1000", "--at", "10", "--task", "1", "--timeline"]);
    assert!(!without.status.success());
}

/// AWS Batch jobs: two queues share a 64-vCPU environment; 400 s in, a reporting job waits behind its own queue and
/// the interactive queue's RUNNABLE jobs, the environment at maxvCpus. By number or by submission name and array
/// index, the same job; the JSON carries the numbers and the sentence the text prints.
#[test]
fn a_batch_job_by_number_and_by_name() {
    let preset = ["explain", "--preset", "batch-two-queue-priorities", "--at", "400"];
    let by_name = fleetplan(&[&preset[..], &["--job", "reports", "--index", "900"]].concat());
    assert!(by_name.status.success(), "{}", stderr(&by_name));
    let by_number = fleetplan(&[&preset[..], &["--job", "900"]].concat());
    assert_eq!(stdout(&by_name), stdout(&by_number));
    let line = stdout(&by_name);
    assert!(line.starts_with("at 400 s: RUNNABLE: "), "{line}");
    let json = fleetplan(&[&preset[..], &["--job", "900", "--json"]].concat());
    assert!(json.status.success(), "{}", stderr(&json));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(format!("at 400 s: {}\n", value["text"].as_str().expect("text")), line);
    assert_eq!(value["subject"], serde_json::json!({ "kind": "job", "id": 900, "name": "reports", "index": 900 }));
    let queue = &value["holds"][0];
    assert_eq!(
        (queue["kind"].as_str(), queue["queue"].as_str(), queue["priority"].as_u64()),
        (Some("job_queue"), Some("reporting"), Some(1))
    );
    let (position, higher) =
        (queue["position"].as_u64().expect("position"), queue["ahead_higher"].as_u64().expect("higher"));
    assert!(position > 1 && higher > 0, "{line}");
    assert!(line.contains(&format!("{} jobs ahead of it in queue reporting", position - 1)), "{line}");
    assert!(line.contains(&format!("{higher} jobs RUNNABLE in higher-priority queues")), "{line}");
    let max = &value["holds"][1];
    assert_eq!(
        (max["kind"].as_str(), max["vcpus"].as_f64(), max["max_vcpus"].as_u64()),
        (Some("compute_environment_max"), Some(64.0), Some(64))
    );
    assert!(line.ends_with("compute environment shared at maxvCpus: 64 of 64 vCPUs, the job needs 1\n"), "{line}");
    // At the end of the run it has succeeded.
    let end = fleetplan(&["explain", "--preset", "batch-two-queue-priorities", "--at", "7200", "--job", "900"]);
    assert!(stdout(&end).contains(": SUCCEEDED at "), "{}", stdout(&end));
}

#[test]
fn unknown_batch_jobs_are_clear_errors() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["--preset", "batch-two-queue-priorities", "--at", "10", "--job", "nope"],
            "no Batch submission \"nope\"; the submissions are: reports, interactive",
        ),
        (
            &["--preset", "batch-two-queue-priorities", "--at", "10", "--job", "5000"],
            "no Batch job 5000 at 10 s: 1000 jobs submitted so far",
        ),
        (
            &["--preset", "batch-two-queue-priorities", "--at", "10", "--job", "interactive"],
            "is not submitted yet at 10 s: its first call is at 300 s",
        ),
        (
            &["--preset", "batch-two-queue-priorities", "--at", "10", "--job", "reports", "--index", "1000"],
            "has no array child 1000",
        ),
        (&["--preset", "fargate-ondemand-1000", "--at", "10", "--job", "0"], "the scenario has no AWS Batch jobs"),
    ];
    for (args, expected) in cases {
        let output = fleetplan(&[&["explain"], args].concat());
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(stderr(&output).contains(expected), "{args:?}: {}", stderr(&output));
    }
}
