//! `fleetplan fit` as a user drives it: threads do not change the result, `--apply` writes a scenario that runs with
//! the fitted values, the shipped benchmark curves give back the defaults, bad input is refused naming the problem.

use std::fs;

use crate::{fleetplan, ok, refused, scratch};

/// The shipped curve of the published On-Demand row.
fn example(id: &str) -> String {
    format!("{}/../../examples/measured/{id}.csv", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn threads_do_not_change_the_fit_and_apply_writes_the_fitted_scenario() {
    let dir = scratch("fit-apply");
    let out = dir.join("fitted.json");
    let measured = example("fargate-ondemand-1000");
    let common = ["fit", "--preset", "fargate-ondemand-1000", "--measured", &measured, "--seeds", "2", "--rounds", "2"];
    let one = ok(&fleetplan(&[&common[..], &["--json", "--threads", "1"]].concat()));
    let three =
        ok(&fleetplan(&[&common[..], &["--json", "--threads", "3", "--apply", out.to_str().unwrap()]].concat()));
    assert_eq!(one, three);
    let report: serde_json::Value = serde_json::from_str(&one).unwrap();
    let param = &report["params"][0];
    assert_eq!(param["path"], "latencies.fargate_capacity.mean_s");
    let fitted = param["fitted"].as_f64().unwrap();
    assert!(param["min"].as_f64().unwrap() <= fitted && fitted <= param["max"].as_f64().unwrap());
    // The applied scenario is valid and carries the fitted value with the step's default spread.
    let applied: serde_json::Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(applied["latencies"]["fargate_capacity"]["mean_s"].as_f64(), Some(fitted));
    assert_eq!(applied["latencies"]["fargate_capacity"]["spread"].as_f64(), Some(0.3));
    ok(&fleetplan(&["check", out.to_str().unwrap()]));
    // The table names the setting, its spread and the error before and after.
    let table = ok(&fleetplan(&common));
    assert!(table.contains("latencies.fargate_capacity.mean_s = "), "{table}");
    assert!(table.contains("Time error (RMSE, mean over seeds)"), "{table}");
}

#[test]
fn bad_measurements_and_settings_are_refused() {
    let dir = scratch("fit-bad");
    let csv = dir.join("bad.csv");
    fs::write(&csv, "time_s,running\n0,0\n5,lots\n").unwrap();
    let err = refused(&fleetplan(&["fit", "--preset", "fargate-ondemand-1000", "--measured", csv.to_str().unwrap()]));
    assert!(err.contains("line 3, column 2: count `lots` is not a number"), "{err}");
    let measured = example("fargate-ondemand-1000");
    let err = refused(&fleetplan(&[
        "fit",
        "--preset",
        "fargate-ondemand-1000",
        "--measured",
        &measured,
        "--param",
        "latencies.fargate_capacity.mean_s=5..125",
    ]));
    assert!(err.contains("--param latencies.fargate_capacity.mean_s=5..125"), "{err}");
    let err =
        refused(&fleetplan(&["fit", "--preset", "fargate-ondemand-1000", "--measured", &measured, "--seeds", "0"]));
    assert!(err.contains("--seeds"), "{err}");
    let err = refused(&fleetplan(&["fit", "--preset", "fargate-ondemand-1000", "--measured", "/nonexistent.csv"]));
    assert!(err.contains("cannot read /nonexistent.csv"), "{err}");
}

/// The limits profile as a choice: the published 2022 warm-EC2 row (1,000 tasks in 270 s, EC2 services launching
/// 250 tasks a minute then) is fitted to the 2022 profile, the current one's error reported beside it; `--apply`
/// writes the profile; a bad option is refused naming it.
#[test]
fn the_limits_profile_is_fitted_as_a_choice() {
    let dir = scratch("profile");
    let out = dir.join("fitted.json");
    let measured = example("ec2-warm-1000");
    let args = [
        "fit",
        "--preset",
        "ec2-warm-1000",
        "--measured",
        &measured,
        "--param",
        "limits.profile",
        "--param",
        "latencies.agent_handoff.mean_s=1..41:3",
        "--seeds",
        "2",
        "--rounds",
        "1",
    ];
    let json: serde_json::Value =
        serde_json::from_str(&ok(&fleetplan(&[&args[..], &["--json", "--apply", out.to_str().unwrap()]].concat())))
            .unwrap();
    let choice = &json["choice"];
    assert_eq!((choice["path"].as_str(), choice["current"].as_str()), (Some("limits.profile"), Some("2022")));
    assert_eq!(choice["fitted"], "2022", "{choice}");
    let errors: Vec<f64> =
        choice["options"].as_array().unwrap().iter().map(|o| o["after_rmse_s"].as_f64().unwrap()).collect();
    assert!(errors.len() == 2 && errors[0] * 10.0 < errors[1], "{errors:?}");
    assert_eq!(json["runs"], 2 * (1 + 2 * (1 + 3)));
    let applied: serde_json::Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(applied["limits"]["profile"], "2022");
    let text = ok(&fleetplan(&args));
    assert!(text.contains("  limits.profile = 2022  (time error per option, fitted: 2022 "), "{text}");
    // The same preset and measurements, the choice's options named and one of them unknown.
    let bad = fleetplan(&[&args[..6], &["limits.profile=2022,2019"]].concat());
    assert!(refused(&bad).contains("--param limits.profile: `2019` is not one of 2022, current"));
    let _ = fs::remove_dir_all(&dir);
}
