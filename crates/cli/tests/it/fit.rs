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
