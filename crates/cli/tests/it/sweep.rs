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

/// The text between the first `start` after `from` and the next `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no `{start}` in:\n{text}")) + start.len();
    let len = text[from..].find(end).unwrap_or_else(|| panic!("no `{end}` after `{start}`"));
    &text[from..from + len]
}

/// The README's two worked examples of a sharded sweep ("Beyond one machine: shards") run as written: the AWS Batch
/// job definition's command and the Kubernetes Indexed Job's command are given to `sh` unchanged but for where
/// they put files (the Batch script's `/tmp/`, the pods' `/parts` and `/scenario` mounts: a scratch directory here)
/// and with an `aws` stand-in that copies `s3://` paths to and from a local directory. Each child's part is the
/// shard its array or completion index names, both recipes make parts of one sweep (the README's `N` is the array
/// size and the completion count), and `sweep-merge` of those parts says which shards are still missing. The
/// recipes sweep 1,000 desired counts x 100 seeds; the scenario here stops at 15 s so that three children's 3,000
/// runs stay quick, since the shards merged equal to the unsharded sweep is the test above.
#[test]
fn the_readme_sharding_recipes_run_as_written() {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let section = between(&readme, "### Beyond one machine: shards", "\n## ");
    let batch: serde_json::Value =
        serde_json::from_str(between(section, "```json\n", "```")).expect("the job definition is JSON");
    let command = &batch["containerProperties"]["command"];
    assert_eq!((&command[0], &command[1]), (&serde_json::json!("sh"), &serde_json::json!("-c")), "{command}");
    let batch_script = command[2].as_str().unwrap();
    let array_size: u32 = between(section, "--array-properties size=", " ").parse().unwrap();
    let yaml = between(section, "```yaml\n", "```");
    let completions: u32 = between(yaml, "completions: ", " ").trim().parse().unwrap();
    let k8s_script = between(yaml, r#"command: ["sh", "-c", ""#, r#""]"#);
    // One sweep in both: the same `fleetplan sweep` options, N in `--shard env/N` the array size and the completions.
    let options = |script: &str| between(script, "fleetplan sweep ", " >").split_once(' ').unwrap().1.to_string();
    assert_eq!(options(batch_script), options(k8s_script));
    let n: u32 = between(batch_script, "--shard env/", " ").parse().unwrap();
    assert_eq!((array_size, completions), (n, n));

    let dir = scratch("readme-recipes");
    let (s3, bin, tmp) = (dir.join("s3"), dir.join("bin"), dir.join("tmp"));
    let (parts, scenario_mount) = (dir.join("parts"), dir.join("scenario"));
    for d in [&s3, &bin, &tmp, &parts, &scenario_mount] {
        fs::create_dir_all(d).unwrap();
    }
    // `aws s3 cp SRC DST` (and `--recursive`) with s3://BUCKET/KEY as a file under the scratch directory.
    let aws = bin.join("aws");
    fs::write(
        &aws,
        format!(
            "#!/bin/sh\n[ \"$1 $2\" = \"s3 cp\" ] || exit 2\nshift 2\npath_of() {{ case \"$1\" in s3://*) echo \"{}/${{1#s3://}}\";; *) echo \"$1\";; esac; }}\n\
             if [ \"$1\" = --recursive ]; then mkdir -p \"$(path_of \"$3\")\" && cp -R \"$(path_of \"$2\")/.\" \"$(path_of \"$3\")\"; \
             else mkdir -p \"$(dirname \"$(path_of \"$2\")\")\" && cp \"$(path_of \"$1\")\" \"$(path_of \"$2\")\"; fi\n",
            s3.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&aws, fs::Permissions::from_mode(0o755)).unwrap();
    }
    // The scenario: the 1,000-task Fargate preset, stopped 15 s in (the recipe's desired counts go up to 5,000).
    let mut scenario: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/presets/fargate-ondemand-1000.json"))
            .unwrap(),
    )
    .unwrap();
    scenario["horizon_s"] = serde_json::json!(15);
    let scenario_text = scenario.to_string();
    let s3_scenario = between(batch_script, "aws s3 cp s3://", " ");
    fs::create_dir_all(s3.join(s3_scenario).parent().unwrap()).unwrap();
    fs::write(s3.join(s3_scenario), &scenario_text).unwrap();
    fs::write(scenario_mount.join("scenario.json"), &scenario_text).unwrap();

    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_fleetplan")).parent().unwrap();
    let path = format!("{}:{}:{}", bin.display(), exe.display(), std::env::var("PATH").unwrap_or_default());
    let sh = |script: &str, index_var: &str, index: u32, workdir: &std::path::Path| {
        let out = std::process::Command::new("sh")
            .args(["-c", script])
            .current_dir(workdir)
            .env("PATH", &path)
            .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
            .env_remove("JOB_COMPLETION_INDEX")
            .env(index_var, index.to_string())
            .output()
            .unwrap();
        assert!(out.status.success(), "{script}\n{}", String::from_utf8_lossy(&out.stderr));
    };
    let explicit = |i: u32| {
        let mut args = vec!["sweep".to_string(), scenario_mount.join("scenario.json").display().to_string()];
        let options = options(batch_script).replace(&format!("--shard env/{n}"), &format!("--shard {i}/{n}"));
        // The options as `sh` splits them: the only quoted word is the --set range.
        for word in options.split(' ') {
            args.push(word.trim_matches('\'').to_string());
        }
        run(&args)
    };

    // Two Batch children, array indexes 0 and 1: each copies its part to s3://…/part-INDEX.json.
    let s3_parts = between(batch_script, "/tmp/part.json s3://", "part-$AWS_BATCH_JOB_ARRAY_INDEX.json");
    let batch_script = batch_script.replace("/tmp/", &format!("{}/", tmp.display()));
    for i in 0..2 {
        sh(&batch_script, "AWS_BATCH_JOB_ARRAY_INDEX", i, &dir);
    }
    // The pod of completion index N-1 renames its finished part into the parts volume.
    let k8s_script = k8s_script
        .replace("/parts/", &format!("{}/", parts.display()))
        .replace("/scenario/", &format!("{}/", scenario_mount.display()));
    sh(&k8s_script, "JOB_COMPLETION_INDEX", n - 1, &dir);

    let batch_parts: Vec<_> = (0..2).map(|i| s3.join(s3_parts).join(format!("part-{i}.json"))).collect();
    let k8s_part = parts.join(format!("part-{}.json", n - 1));
    for (i, part) in [(0, &batch_parts[0]), (1, &batch_parts[1]), (n - 1, &k8s_part)] {
        assert_eq!(fs::read_to_string(part).unwrap(), explicit(i), "shard {i} of {n}: {}", part.display());
    }
    assert!(!parts.join(format!(".part-{}", n - 1)).exists(), "the pod's temporary part is renamed");
    // The README's merge step over what is there: parts of the one sweep, and the shards still to come are named.
    let listed: Vec<String> = batch_parts.iter().chain([&k8s_part]).map(|p| p.display().to_string()).collect();
    let mut merge = vec!["sweep-merge"];
    merge.extend(listed.iter().map(String::as_str));
    merge.push("--csv");
    let e = refused(&fleetplan(&merge));
    assert!(e.contains(&format!("3 of {n} shards given; missing: 2/{n}")), "{e}");
}
