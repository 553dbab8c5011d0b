//! Amazon ECS Managed Instances through the public API (`docs/model.md` §4.9): a run on Spot managed instances
//! with an interruption wave, and the validation of a provider in a whole scenario.

use crate::common;

use fleetplan_engine::output::TraceWhat;
use fleetplan_engine::Scenario;

fn scenario(provider: &str, network_mode: &str, events: &str) -> String {
    format!(
        r#"{{ "version": 1, "name": "mi", "horizon_s": 1800,
            "managed_instances_providers": [{{ "name": "mi",
                "instance_requirements": {{ "vcpu_count": {{ "min": 2, "max": 8 }}, "memory_mib": {{ "min": 4096 }},
                                           "allowed_instance_types": ["m5.*", "c5.*"] }}{provider} }}],
            "task_definitions": [{{ "name": "api", "cpu": 512, "memory": 1024, "image_mb": 100, "network_mode": "{network_mode}" }}],
            "services": [{{ "name": "api", "task_definition": "api", "desired_count": 30,
                "capacity_provider_strategy": [{{ "capacity_provider": "mi", "weight": 1 }}] }}],
            "events": [{events}] }}"#
    )
}

#[test]
fn spot_managed_instances_are_interrupted_drained_and_replaced() {
    let json = scenario(
        r#", "capacity_option_type": "spot""#,
        "awsvpc",
        r#"{ "type": "ec2_spot_interruption", "at_s": 600, "provider": "mi", "fraction": 1.0 }"#,
    );
    for seed in 1..=2 {
        let sim = common::run_checked(common::scenario(&json), seed);
        let summary = sim.metrics();
        assert!(summary.interruptions > 0, "seed {seed}: no interruption");
        // Replacements ran on new managed instances launched after the wave; the service ends whole.
        let relaunched = sim
            .trace()
            .iter()
            .any(|e| e.time.as_millis() > 600_000 && matches!(e.what, TraceWhat::ManagedLaunch { .. }));
        assert!(relaunched, "seed {seed}: no launch after the wave");
        assert_eq!(summary.services[0].running, 30, "seed {seed}");
        // Spot capacity: the EC2 part is billed at the Spot discount, the fee is not.
        let cost = &summary.cost_breakdown.providers[0];
        assert_eq!(cost.capacity, fleetplan_engine::scenario::CapacityType::Ec2Spot);
        assert!(cost.management_fee_usd.is_some_and(|fee| fee > 0.0 && fee < cost.usd));
    }
}

#[test]
fn bridge_networking_and_clashing_names_are_refused() {
    let json = scenario("", "bridge", "");
    let problems = Scenario::from_json(&json).expect_err("bridge is refused").problems();
    assert!(
        problems.iter().any(|p| p.field.starts_with("services[0]") && p.message.contains("not bridge")),
        "{problems:?}"
    );
    let json = json.replace(r#""network_mode": "bridge""#, r#""network_mode": "awsvpc""#).replace(
        r#""task_definitions""#,
        r#""capacity_providers": [{ "name": "mi", "instance_types": ["m5.large"], "max_size": 1 }], "task_definitions""#,
    );
    let problems = Scenario::from_json(&json).expect_err("names clash").problems();
    assert!(problems.iter().any(|p| p.field == "managed_instances_providers[0].name"), "{problems:?}");
}
