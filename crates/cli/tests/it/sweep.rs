//! `fleetplan sweep` and `sweep-merge` as a user drives them: threads do not change the output, shards merged
//! print exactly what the unsharded sweep prints, bad input is refused with a message naming the problem.

use std::fs;

use crate::{fleetplan, fleetplan_env, ok, refused, scratch};

/// A small sweep: 3 desired counts x 3 seeds of the 1,000-task preset scaled down, with a goal.
const SWEEP: &[&str] = &[
    "sweep",
    "--preset",
    "fargate-ondemand-1000",
    "--set",
    "services[0].desired_count=10..50:3",
    "--seeds",
    "3",
    "--minimize",
    "costs.billed_usd",
    "--require",
    "completion_s<=120",
    "--confidence",
    "60",
];

fn with(extra: &[&str]) -> Vec<String> {
    SWEEP.iter().chain(extra).map(|s| s.to_string()).collect()
}

fn run(args: &[String]) -> String {
    ok(&fleetplan(&args.iter().map(String::as_str).collect::<Vec<_>>()))
}

#[test]
fn the_output_does_not_depend_on_the_thread_count() {
    for format in [&["--csv"][..], &["--json"], &[]] {
        let one = run(&with(&[format, &["--threads", "1"]].concat()));
        let two = run(&with(&[format, &["--threads", "2"]].concat()));
        let four = run(&with(&[format, &["--threads", "4"]].concat()));
        assert_eq!(one, two, "{format:?}");
        assert_eq!(one, four, "{format:?}");
    }
    let csv = run(&with(&["--csv"]));
    assert_eq!(csv.lines().count(), 1 + 9, "a header and 9 runs");
    assert!(csv.lines().nth(1).unwrap().starts_with("0,0,10,1,"));
    let text = run(&with(&[]));
    assert!(text.contains("Answer: minimize the median of costs.billed_usd where completion_s<=120"), "{text}");
}

#[test]
fn shards_merged_print_what_the_unsharded_sweep_prints() {
    let dir = scratch("sweep-merge");
    let mut parts = Vec::new();
    for i in 0..4 {
        // Four shards of nine runs: one shard gets three runs, the others two.
        let part = run(&with(&["--shard", &format!("{i}/4"), "--threads", "2"]));
        let path = dir.join(format!("part-{i}.json"));
        fs::write(&path, part).unwrap();
        parts.push(path.to_str().unwrap().to_string());
    }
    parts.reverse(); // any order
    for format in [&["--csv"][..], &["--json"], &[]] {
        let whole = run(&with(format));
        let mut merge = vec!["sweep-merge".to_string()];
        merge.extend(parts.iter().cloned());
        merge.extend(format.iter().map(|s| s.to_string()));
        assert_eq!(run(&merge), whole, "{format:?}");
    }
    // A missing shard, a shard twice, a part of another sweep, a file that is not a part.
    let e = refused(&fleetplan(&["sweep-merge", &parts[0], &parts[1], &parts[2]]));
    assert!(e.contains("3 of 4 shards given; missing: 0/4"), "{e}");
    let e = refused(&fleetplan(&["sweep-merge", &parts[0], &parts[1], &parts[2], &parts[2]]));
    assert!(e.contains("this shard is given twice"), "{e}");
    let other = dir.join("other.json");
    let mut args = with(&["--shard", "0/4"]);
    assert_eq!(args[5], "--seeds");
    args[6] = "4".into(); // --seeds 4: another sweep
    fs::write(&other, run(&args)).unwrap();
    let e = refused(&fleetplan(&["sweep-merge", &parts[0], &parts[1], &parts[2], other.to_str().unwrap()]));
    assert!(e.contains("belongs to another sweep"), "{e}");
    let e = refused(&fleetplan(&["sweep-merge", "Cargo.toml"]));
    assert!(e.contains("Cargo.toml is not a sweep part file"), "{e}");
}

#[test]
fn the_shard_index_may_come_from_the_array_job() {
    let explicit = run(&with(&["--shard", "1/2"]));
    let batch = ok(&fleetplan_env(
        &with(&["--shard", "env/2"]).iter().map(String::as_str).collect::<Vec<_>>(),
        &[("AWS_BATCH_JOB_ARRAY_INDEX", "1")],
    ));
    let k8s = ok(&fleetplan_env(
        &with(&["--shard", "env/2"]).iter().map(String::as_str).collect::<Vec<_>>(),
        &[("JOB_COMPLETION_INDEX", "1")],
    ));
    assert_eq!(batch, explicit);
    assert_eq!(k8s, explicit);
    let e = refused(&fleetplan(&with(&["--shard", "env/2"]).iter().map(String::as_str).collect::<Vec<_>>()));
    assert!(e.contains("neither AWS_BATCH_JOB_ARRAY_INDEX nor JOB_COMPLETION_INDEX is set"), "{e}");
}

#[test]
fn bad_input_is_refused_with_the_reason() {
    let sweep = |extra: &[&str]| {
        let mut args = vec!["sweep", "--preset", "fargate-ondemand-1000"];
        args.extend(extra);
        refused(&fleetplan(&args))
    };
    let e = sweep(&["--set", "services[0].desired_cont=1..2:2"]);
    assert!(e.contains("--set services[0].desired_cont: ") && e.contains("unknown field `desired_cont`"), "{e}");
    let e = sweep(&["--set", "services[4].desired_count=1..2:2"]);
    assert!(e.contains("`services[4]` is not in the scenario"), "{e}");
    let e = sweep(&["--set", "name=1..2:2"]);
    assert!(e.contains("`name` is text, not a number"), "{e}");
    let e = sweep(&["--set", "horizon_s=1..2:0"]);
    assert!(e.contains("STEPS must be at least 1"), "{e}");
    let e = sweep(&["--set", "horizon_s=0..2:3:log"]);
    assert!(e.contains("a log range needs FROM and TO above 0"), "{e}");
    let e = sweep(&["--set", "services[0].desired_count=1..1000:1000", "--seeds", "101"]);
    assert!(e.contains("runs: 1000 point(s) x 101 seed(s) = 101000 runs, over the limit of 100000"), "{e}");
    let e = sweep(&["--set", "services[0].desired_count=1000..6000:2"]);
    assert!(e.contains("point 1 (services[0].desired_count=6000): scenario is invalid"), "{e}");
    let e = sweep(&["--require", "completion<=3"]);
    assert!(e.contains("unknown outcome `completion`"), "{e}");
    let e = sweep(&["--shard", "2/2"]);
    assert!(e.contains("I must be from 0 to 1"), "{e}");
    let e = sweep(&["--shard", "0/2", "--csv"]);
    assert!(e.contains("give --json or --csv to `fleetplan sweep-merge`"), "{e}");
}
