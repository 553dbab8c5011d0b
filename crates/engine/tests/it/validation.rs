//! Bad scenarios are rejected with messages that name the field and say what would be valid.

use fleetplan_engine::{presets, Scenario, ScenarioError};

const BASE: &str = r#"{ "version": 1, "name": "t",
  "task_definitions": [{ "name": "web", "cpu": 256, "memory": 512 }],
  "services": [{ "name": "web", "task_definition": "web", "desired_count": 3 }] }"#;

/// BASE with one JSON-pointer-ish edit applied, then validated; returns every problem as "field: message".
fn problems_with(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<String> {
    let mut value: serde_json::Value = serde_json::from_str(BASE).unwrap();
    edit(&mut value);
    match Scenario::from_json(&value.to_string()) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

fn assert_problem(problems: &[String], field: &str, fragment: &str) {
    assert!(
        problems.iter().any(|p| p.starts_with(field) && p.contains(fragment)),
        "expected `{field}` ... `{fragment}` in {problems:#?}"
    );
}

#[test]
fn the_base_scenario_is_valid() {
    assert!(problems_with(|_| {}).is_empty());
}

#[test]
fn every_preset_is_valid() {
    for preset in presets::all() {
        preset.scenario().unwrap_or_else(|e| panic!("{}: {e}", preset.id));
    }
}

#[test]
fn fargate_size_names_the_valid_memory() {
    let p = problems_with(|v| v["task_definitions"][0]["memory"] = 4096.into());
    assert_problem(
        &p,
        "task_definitions[0].memory",
        "task definition `web`: Fargate does not support cpu 256 with memory 4096; valid: 512, 1024, 2048 (services[0].task_definition runs it on Fargate)",
    );
    let p = problems_with(|v| v["task_definitions"][0]["cpu"] = 300.into());
    assert_problem(&p, "task_definitions[0].cpu", "task definition `web`: Fargate does not support cpu 300");
}

#[test]
fn unknown_task_definition_lists_the_known_ones() {
    let p = problems_with(|v| v["services"][0]["task_definition"] = "api".into());
    assert_problem(&p, "services[0].task_definition", "no task definition named `api`; defined: web");
}

#[test]
fn strategy_rules() {
    let p = problems_with(|v| {
        v["services"][0]["capacity_provider_strategy"] = serde_json::json!([
            { "capacity_provider": "FARGATE", "base": 1, "weight": 0 },
            { "capacity_provider": "FARGATE_SPOT", "base": 2, "weight": 0 }
        ])
    });
    assert_problem(
        &p,
        "services[0].capacity_provider_strategy",
        "only one capacity provider in a strategy may set a base",
    );
    assert_problem(
        &p,
        "services[0].capacity_provider_strategy",
        "at least one capacity provider needs a weight above 0",
    );

    let p = problems_with(|v| {
        v["services"][0]["capacity_provider_strategy"] =
            serde_json::json!([{ "capacity_provider": "my-asg", "weight": 1 }])
    });
    assert_problem(
        &p,
        "services[0].capacity_provider_strategy[0].capacity_provider",
        "unknown capacity provider `my-asg`",
    );

    let p = problems_with(|v| {
        v["services"][0]["launch_type"] = "FARGATE".into();
        v["services"][0]["capacity_provider_strategy"] =
            serde_json::json!([{ "capacity_provider": "FARGATE", "weight": 1 }]);
    });
    assert_problem(&p, "services[0]", "either launch_type or capacity_provider_strategy");
}

#[test]
fn parts_not_simulated_yet_are_errors_not_silence() {
    // Scheduled tasks are simulated now (docs/model.md §11): a bad expression is named with its column.
    let p = problems_with(|v| {
        v["start"] = "2026-12-02T20:00:00+09:00".into();
        v["scheduled_tasks"] =
            serde_json::json!([{ "name": "n", "schedule": "cron(0 3 * * *)", "task_definition": "web" }]);
    });
    assert_problem(&p, "scheduled_tasks[0].schedule", "at column 6: cron expressions have six required fields");
    // AWS Batch is simulated (docs/model.md §12); its fair-share scheduling policies are not, and say why.
    let p = problems_with(|v| {
        v["batch"] = serde_json::json!({
            "compute_environments": [{ "name": "ce", "type": "EC2", "max_vcpus": 4 }],
            "job_queues": [{ "name": "q", "priority": 1, "compute_environments": ["ce"],
                             "scheduling_policy": { "shareDecaySeconds": 3600 } }],
            "job_definitions": [], "submissions": [] })
    });
    assert_problem(&p, "batch.job_queues[0].scheduling_policy", "fair-share scheduling policies are not simulated");
    let p = problems_with(|v| v["services"][0]["launch_type"] = "EXTERNAL".into());
    assert_problem(&p, "services[0].launch_type", "launch_type EXTERNAL needs external_instances");
    let p = problems_with(|v| {
        v["services"][0]["placement_strategy"] = serde_json::json!([{ "type": "binpack", "field": "memory" }])
    });
    assert_problem(&p, "services[0].placement_strategy", "Fargate does not support placement strategies");
}

#[test]
fn ranges_are_checked() {
    let p = problems_with(|v| {
        v["services"][0]["deployment"] = serde_json::json!({ "minimum_healthy_percent": 150, "maximum_percent": 50 });
        v["task_definitions"][0]["failure"] = serde_json::json!({ "start_failure_probability": 2 });
        v["horizon_s"] = (-5).into();
    });
    assert_problem(&p, "services[0].deployment.minimum_healthy_percent", "between 0 and 100");
    assert_problem(&p, "services[0].deployment.maximum_percent", "between 100 and 400");
    assert_problem(&p, "task_definitions[0].failure.start_failure_probability", "between 0 and 1");
    assert_problem(&p, "horizon_s", "between 1 and");
}

#[test]
fn events_must_reference_real_things() {
    let p = problems_with(|v| {
        v["events"] = serde_json::json!([
            { "type": "scale", "at_s": 10, "service": "nope", "desired_count": 3 },
            { "type": "fargate_spot_interruption", "at_s": 10 }
        ])
    });
    assert_problem(&p, "events[0].service", "no service named `nope`");
    assert_problem(&p, "events[1].fraction", "exactly one of them");
}

#[test]
fn format_errors_name_the_path() {
    let err = Scenario::from_json(&BASE.replace("\"desired_count\": 3", "\"desired_count\": \"three\"")).unwrap_err();
    let ScenarioError::Format(problem) = err else { panic!("expected a format error") };
    assert_eq!(problem.field, "services[0].desired_count");

    let err = Scenario::from_json(&BASE.replace("\"desired_count\"", "\"desiredCount\"")).unwrap_err();
    assert!(err.to_string().contains("unknown field `desiredCount`"), "{err}");

    let err = Scenario::from_json("{ not json").unwrap_err();
    assert!(matches!(err, ScenarioError::Format(_)));

    let err = Scenario::from_json(&BASE.replace("\"version\": 1", "\"version\": 9")).unwrap_err();
    assert!(err.to_string().contains("version: this Fleetplan reads scenario format version 1"), "{err}");
}

#[test]
fn duplicate_names() {
    let p = problems_with(|v| {
        let service = v["services"][0].clone();
        v["services"].as_array_mut().unwrap().push(service);
    });
    assert_problem(&p, "services[1].name", "defined twice");
}

/// ECS API reference, AutoScalingGroupProvider: "When using managed termination protection, managed scaling must
/// also be used otherwise managed termination protection doesn't work."
#[test]
fn managed_termination_protection_needs_managed_scaling() {
    let provider = |scaling: bool| {
        let mut p = serde_json::json!({ "name": "asg", "instance_types": ["m5.large"], "max_size": 4,
            "managed_termination_protection": true });
        if scaling {
            p["managed_scaling"] = serde_json::json!({});
        }
        p
    };
    let p = problems_with(|v| v["capacity_providers"] = serde_json::json!([provider(false)]));
    assert_problem(&p, "capacity_providers[0].managed_termination_protection", "needs managed scaling");
    let p = problems_with(|v| v["capacity_providers"] = serde_json::json!([provider(true)]));
    assert!(!p.iter().any(|p| p.contains("managed_termination_protection")), "{p:#?}");
}

/// A desired count above the "Tasks per service" quota (5,000, or the scenario's own value) is refused by ECS, so
/// it is a field error naming the quota, in the service and in a scale event; the quotas' own values are
/// range-checked.
#[test]
fn desired_counts_above_the_tasks_per_service_quota_are_errors() {
    let p = problems_with(|v| {
        v["services"][0]["desired_count"] = 5_001.into();
        v["events"] = serde_json::json!([{ "type": "scale", "at_s": 10, "service": "web", "desired_count": 6000 }]);
    });
    assert_problem(&p, "services[0].desired_count", "\"Tasks per service\" quota (5000");
    assert_problem(&p, "events[0].desired_count", "\"Tasks per service\" quota (5000");
    assert!(problems_with(|v| v["services"][0]["desired_count"] = 5_000.into()).is_empty());
    let p = problems_with(|v| v["limits"] = serde_json::json!({ "tasks_per_service": 2 }));
    assert_problem(&p, "services[0].desired_count", "\"Tasks per service\" quota (2");
    let p = problems_with(|v| {
        v["limits"] = serde_json::json!({ "instances_per_cluster": 0, "fargate_spot_vcpu_quota": 2_000_000 });
    });
    assert_problem(&p, "limits.instances_per_cluster", "between 1 and");
    assert_problem(&p, "limits.fargate_spot_vcpu_quota", "between 0 and");
}

#[test]
fn load_balancer_traffic_and_prices_are_checked() {
    let p = problems_with(|v| {
        v["services"][0]["load_balancer"] = serde_json::json!({ "processed_gb_per_hour": -1 });
        v["prices"] = serde_json::json!({ "alb_hour": -0.1 });
    });
    assert_problem(&p, "services[0].load_balancer.processed_gb_per_hour", "must be between 0 and 1000000");
    assert_problem(&p, "prices.alb_hour", "");
}

#[test]
fn lcu_dimensions_and_commitments_are_checked() {
    let p = problems_with(|v| {
        v["services"][0]["load_balancer"] =
            serde_json::json!({ "new_connections_per_s": -1, "rule_evaluations_per_s": 1e12 });
        v["commitments"] = serde_json::json!({
            "savings_plans": [{ "kind": "ec2_instance", "family": "q9", "usd_per_hour": 2e6, "discount_percent": 30 }],
            "reserved_instances": [{ "instance_type": "m5.large", "count": 1, "discount_percent": 99.5 }]
        });
    });
    assert_problem(&p, "services[0].load_balancer.new_connections_per_s", "must be between 0 and");
    assert_problem(&p, "services[0].load_balancer.rule_evaluations_per_s", "must be between 0 and");
    assert_problem(&p, "commitments.savings_plans[0].family", "unknown instance family");
    assert_problem(&p, "commitments.savings_plans[0].usd_per_hour", "between 0.001 and 1000000");
    assert_problem(&p, "commitments.reserved_instances[0].discount_percent", "between 0 and 99");
}

#[test]
fn demand_and_autoscaling_fields_are_checked() {
    let with = |demand: serde_json::Value, autoscaling: Option<serde_json::Value>| {
        problems_with(|v| {
            v["services"][0]["demand"] = demand;
            if let Some(a) = autoscaling {
                v["services"][0]["autoscaling"] = a;
            }
        })
    };
    let ok = serde_json::json!({ "profile": [{ "type": "constant", "rps": 100 }], "requests_per_task": 50 });
    assert!(with(ok.clone(), None).is_empty());
    let p = with(serde_json::json!({ "profile": [{ "type": "constant", "rps": -1 }], "requests_per_task": 0 }), None);
    assert_problem(&p, "services[0].demand.profile[0].rps", "between 0");
    assert_problem(&p, "services[0].demand.requests_per_task", "between");
    let p = with(
        serde_json::json!({ "profile": [{ "type": "ramps", "points": [[60, 1], [30, 2]] }], "requests_per_task": 5 }),
        None,
    );
    assert_problem(&p, "services[0].demand.profile[0].points[1][0]", "increase");
    let p = with(
        serde_json::json!({ "profile": [{ "type": "daily", "hourly_rps": [1, 2] }], "requests_per_task": 5 }),
        None,
    );
    assert_problem(&p, "services[0].demand.profile[0].hourly_rps", "24 rates");
    let p = with(
        serde_json::json!({ "profile": [{ "type": "csv", "text": "time_s,rps\n0,10\nten,20" }], "requests_per_task": 5 }),
        None,
    );
    assert_problem(&p, "services[0].demand.profile[0].text", "line 3");
    // Every bad line is named, for the editor to show them all.
    let p = with(
        serde_json::json!({ "profile": [{ "type": "csv", "text": "0,10\nten,20\n60,30\n5;6" }], "requests_per_task": 5 }),
        None,
    );
    assert_problem(&p, "services[0].demand.profile[0].text", "line 2: `ten,20`");
    assert_problem(&p, "services[0].demand.profile[0].text", "line 4: `5;6`");
    let p = with(
        serde_json::json!({ "profile": [{ "type": "noise", "relative": 0.1, "interval_s": 1 }], "requests_per_task": 5 }),
        None,
    );
    assert!(p.is_empty(), "{p:?}");
    let p = with(
        serde_json::json!({ "profile": [{ "type": "constant", "rps": 1 }], "requests_per_task": 5, "overload_fails_health_checks": true }),
        None,
    );
    assert_problem(&p, "services[0].demand.overload_fails_health_checks", "load_balancer");
    let tt = |metric: &str, target: f64| serde_json::json!([{ "metric": metric, "target": target }]);
    let p = with(
        ok.clone(),
        Some(
            serde_json::json!({ "min_capacity": 5, "max_capacity": 2, "target_tracking": tt("ECSServiceAverageCPUUtilization", 50.0) }),
        ),
    );
    assert_problem(&p, "services[0].autoscaling.min_capacity", "above max_capacity");
    let p = with(
        ok.clone(),
        Some(
            serde_json::json!({ "min_capacity": 4, "max_capacity": 10, "target_tracking": tt("ECSServiceAverageCPUUtilization", 150.0) }),
        ),
    );
    assert_problem(&p, "services[0].desired_count", "outside the auto scaling range");
    assert_problem(&p, "services[0].autoscaling.target_tracking[0].target", "between 1 and 100");
    let p = with(
        ok.clone(),
        Some(
            serde_json::json!({ "min_capacity": 1, "max_capacity": 10, "target_tracking": tt("ALBRequestCountPerTarget", 1000.0) }),
        ),
    );
    assert_problem(&p, "services[0].autoscaling.target_tracking[0].metric", "load_balancer");
    let p = problems_with(
        |v| v["services"][0]["autoscaling"] = serde_json::json!({ "min_capacity": 1, "max_capacity": 10, "target_tracking": tt("ECSServiceAverageCPUUtilization", 50.0) }),
    );
    assert_problem(&p, "services[0].autoscaling", "demand");
    // A customized metric: exactly one of metric and custom_metric, a name, a profile; at most 50 policies.
    let custom = serde_json::json!({ "name": "OpenConnections", "profile": [{ "type": "constant", "rps": 10 }] });
    let p = with(
        ok.clone(),
        Some(serde_json::json!({ "min_capacity": 1, "max_capacity": 10, "target_tracking": [
            { "metric": "ECSServiceAverageCPUUtilization", "custom_metric": custom, "target": 50 },
            { "target": 50 },
            { "custom_metric": { "name": "", "profile": [] }, "target": 0.5 }] })),
    );
    assert_problem(&p, "services[0].autoscaling.target_tracking[0]", "exactly one of metric and custom_metric");
    assert_problem(&p, "services[0].autoscaling.target_tracking[1]", "exactly one of metric and custom_metric");
    assert_problem(&p, "services[0].autoscaling.target_tracking[2].custom_metric.name", "1 to 255");
    assert_problem(&p, "services[0].autoscaling.target_tracking[2].custom_metric.profile", "at least one part");
    let many: Vec<_> = (0..51).map(|_| serde_json::json!({ "custom_metric": custom, "target": 5 })).collect();
    let p =
        with(ok.clone(), Some(serde_json::json!({ "min_capacity": 1, "max_capacity": 10, "target_tracking": many })));
    assert_problem(&p, "services[0].autoscaling.target_tracking", "Scaling policies per scalable target");
    // Without demand or worker, a custom metric alone is enough.
    let p = problems_with(|v| {
        v["services"][0]["autoscaling"] = serde_json::json!({ "min_capacity": 1, "max_capacity": 10,
            "target_tracking": [{ "custom_metric": custom, "target": 5 }] })
    });
    assert!(!p.iter().any(|e| e.contains("autoscaling")), "{p:?}");
    // Sharing a target group: a named service with its own profile, both behind a load balancer, no profile here.
    let p = with(serde_json::json!({ "shares_target_group_with": "nope", "requests_per_task": 5 }), None);
    assert_problem(&p, "services[0].demand.shares_target_group_with", "no service is named `nope`");
    let p = with(
        serde_json::json!({ "shares_target_group_with": "web", "requests_per_task": 5,
                            "profile": [{ "type": "constant", "rps": 1 }] }),
        None,
    );
    assert_problem(&p, "services[0].demand.profile", "leave profile out");
    assert_problem(&p, "services[0].demand.shares_target_group_with", "itself");
    let p = problems_with(|v| v["start"] = "2026-12-02 08:00".into());
    assert_problem(&p, "start", "fixed UTC offset");
}

#[test]
fn step_scaling_and_scheduled_actions_are_checked() {
    let p = problems_with(|v| {
        v["services"][0]["demand"] =
            serde_json::json!({ "profile": [{ "type": "constant", "rps": 1 }], "requests_per_task": 5 });
        v["services"][0]["autoscaling"] = serde_json::json!({
            "min_capacity": 1, "max_capacity": 10,
            "step_scaling": [{ "metric": "ECSServiceAverageCPUUtilization", "comparison": "GreaterThanThreshold",
                               "threshold": 70, "evaluation_periods": 3, "datapoints_to_alarm": 4,
                               "adjustment_type": "ChangeInCapacity",
                               "step_adjustments": [{ "lower_bound": 10, "upper_bound": 5, "scaling_adjustment": 1 }] }],
            "scheduled_actions": [{ "at_s": 60 }, { "at_s": 120, "min_capacity": 8, "max_capacity": 4 }]
        });
    });
    assert_problem(
        &p,
        "services[0].autoscaling.step_scaling[0].datapoints_to_alarm",
        "between 1 and evaluation_periods",
    );
    assert_problem(&p, "services[0].autoscaling.step_scaling[0].step_adjustments[0].upper_bound", "above lower_bound");
    assert_problem(&p, "services[0].autoscaling.scheduled_actions[0]", "neither");
    assert_problem(&p, "services[0].autoscaling.scheduled_actions[1].min_capacity", "above max_capacity");
}

#[test]
fn cpu_credit_settings_are_checked() {
    let p = problems_with(|v| {
        v["task_definitions"][0]["cpu_utilization_percent"] = 120.into();
        v["capacity_providers"] = serde_json::json!([
            { "name": "m5", "instance_types": ["m5.large"], "max_size": 1, "cpu_credits": "standard" }
        ]);
    });
    assert_problem(&p, "task_definitions[0].cpu_utilization_percent", "between 0 and 100");
    assert_problem(&p, "capacity_providers[0].cpu_credits", "burstable (T family)");
    let p = problems_with(|v| {
        v["capacity_providers"] = serde_json::json!([{ "name": "t3", "instance_types": ["t3.medium"], "max_size": 1, "cpu_credits": "bursty" }]);
    });
    assert!(p.iter().any(|m| m.contains("standard") && m.contains("unlimited")), "{p:#?}");
}

#[test]
fn queues_and_workers_name_what_is_wrong() {
    let queue = serde_json::json!({ "name": "q", "arrivals": [{ "type": "constant", "rps": 1 }] });
    let p = problems_with(|v| {
        v["queues"] = serde_json::json!([queue.clone(), queue.clone()]);
        v["queues"][1]["max_receive_count"] = 0.into();
        v["queues"][1]["visibility_timeout_s"] = 50_000.into();
        v["services"][0]["worker"] =
            serde_json::json!({ "queue": "nope", "processing_s": 0, "messages_per_task": 0, "processing_spread": -1 });
    });
    assert_problem(&p, "queues[1].name", "another queue is named");
    assert_problem(&p, "queues[1].max_receive_count", "between 1 and 1000");
    assert_problem(&p, "queues[1].visibility_timeout_s", "");
    assert_problem(&p, "services[0].worker.queue", "no queue is named \"nope\"");
    assert_problem(&p, "services[0].worker.processing_s", "");
    assert_problem(&p, "services[0].worker.messages_per_task", "between 1 and");
    assert_problem(&p, "services[0].worker.processing_spread", "");
    // A queue metric needs a worker; a worker cannot also have demand.
    let p = problems_with(|v| {
        v["queues"] = serde_json::json!([queue.clone()]);
        v["services"][0]["autoscaling"] = serde_json::json!({ "min_capacity": 0, "max_capacity": 5,
            "target_tracking": [{ "metric": "SQSBacklogPerTask", "target": 10 }] });
    });
    assert_problem(&p, "services[0].autoscaling.target_tracking[0].metric", "needs the service's worker");
    let p = problems_with(|v| {
        v["queues"] = serde_json::json!([queue.clone()]);
        v["services"][0]["worker"] = serde_json::json!({ "queue": "q", "processing_s": 1 });
        v["services"][0]["demand"] =
            serde_json::json!({ "profile": [{ "type": "constant", "rps": 1 }], "requests_per_task": 10 });
    });
    assert_problem(&p, "services[0].worker", "a demand or a worker, not both");
    let p = problems_with(|v| v["queues"] = serde_json::json!(vec![queue.clone(); 101]));
    assert_problem(&p, "queues", "");
}
