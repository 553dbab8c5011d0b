//! The scenario's numeric fields by path, as the sweep module reads paths (`services[0].desired_count`): the
//! suggestions beside the panel's field box (any other path may be typed, such as an optional setting the scenario
//! leaves at its default).

use serde_json::Value;

/// The most paths suggested (a scenario with hundreds of services would otherwise list thousands).
pub const MAX_FIELDS: usize = 400;

/// Every number in the scenario's JSON, by path, in document order, at most [`MAX_FIELDS`].
pub fn numeric_paths(spec: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(spec, &mut String::new(), &mut out);
    out
}

fn walk(value: &Value, path: &mut String, out: &mut Vec<String>) {
    if out.len() >= MAX_FIELDS {
        return;
    }
    match value {
        Value::Number(_) if !path.is_empty() => out.push(path.clone()),
        Value::Object(map) => {
            for (key, v) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk(v, path, out);
                path.truncate(len);
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(v, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_as_the_sweep_reads_them() {
        let v = serde_json::json!({"name": "x", "services": [{"desired_count": 5, "tags": ["a"]}], "limits": {"tasks": 2.5}});
        assert_eq!(
            numeric_paths(&v),
            vec!["limits.tasks", "services[0].desired_count"],
            "keys sorted, as the spec serialises"
        );
    }

    #[test]
    fn every_suggested_path_of_a_preset_is_sweepable() {
        use fleetplan_engine::sweep::{Sweep, SweepArgs, SweepSpec};
        let scenario = fleetplan_engine::presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap();
        let paths = numeric_paths(&serde_json::to_value(&scenario.spec).unwrap());
        assert!(paths.iter().any(|p| p == "services[0].desired_count"), "{paths:?}");
        for path in paths.iter().take(40) {
            let args = SweepArgs {
                set: vec![format!("{path}=1..2:2")],
                seeds: 1,
                base_seed: 1,
                minimize: None,
                require: vec![],
                confidence: None,
            };
            assert!(Sweep::new(SweepSpec::parse(&args).unwrap(), &scenario.spec).is_ok(), "{path}");
        }
    }

    #[test]
    fn capped() {
        let v = Value::Array((0..1000).map(Value::from).collect());
        assert_eq!(numeric_paths(&serde_json::json!({ "a": v })).len(), MAX_FIELDS);
    }
}
