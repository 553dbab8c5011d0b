//! EC2 capacity: placement (resources, ENIs, ports, constraints, strategies) and managed scaling behave as
//! `docs/model.md` §4.3–4.4 describes. Every run checks the invariants after every event (no instance over-committed,
//! every task on exactly one live instance or on Fargate).

use crate::common;

use fleetplan_engine::output::{Column, DeploymentStatus, Limiter, Rollout};
use fleetplan_engine::scenario::CapacityType;
use fleetplan_engine::task::{StopReason, TaskState};
use fleetplan_engine::{InstanceState, Scenario, SimTime, Simulation};

/// One ASG provider (`asg`) and one service (`web`); each fragment is a list of JSON fields (`"a": 1, "b": 2`)
/// that is merged over the defaults of its object.
fn scenario_json(provider: &str, task_def: &str, service: &str, extra: &str) -> String {
    let object = |defaults: &str, fragment: &str| {
        let mut base: serde_json::Value = serde_json::from_str(&format!("{{{defaults}}}")).unwrap();
        let fragment = fragment.trim().trim_start_matches(',');
        let over: serde_json::Value = serde_json::from_str(&format!("{{{fragment}}}")).unwrap();
        for (k, v) in over.as_object().unwrap() {
            base[k] = v.clone();
        }
        base
    };
    let mut top = object(r#""version": 1, "name": "ec2 test", "horizon_s": 3600"#, extra);
    top["capacity_providers"] = serde_json::json!([object(r#""name": "asg", "max_size": 1"#, provider)]);
    top["task_definitions"] =
        serde_json::json!([object(r#""name": "web", "cpu": 256, "memory": 512, "image_mb": 50"#, task_def)]);
    top["services"] = serde_json::json!([object(
        r#""name": "web", "task_definition": "web", "desired_count": 1,
           "capacity_provider_strategy": [{ "capacity_provider": "asg", "weight": 1 }]"#,
        service
    )]);
    top.to_string()
}

fn scenario(provider: &str, task_def: &str, service: &str, extra: &str) -> Scenario {
    common::scenario(&scenario_json(provider, task_def, service, extra))
}

fn tasks_per_instance(sim: &Simulation) -> Vec<usize> {
    sim.instances().iter().map(|i| i.tasks.len()).collect()
}

#[test]
fn awsvpc_tasks_are_limited_by_enis() {
    // c5.large: 3 ENIs, one is the instance's own -> 2 awsvpc tasks per instance.
    let s = scenario(
        r#""instance_types": ["c5.large"], "max_size": 5, "desired_capacity": 5"#,
        r#", "network_mode": "awsvpc""#,
        r#", "desired_count": 20"#,
        "",
    );
    let sim = common::run_checked(s, 1);
    assert_eq!(sim.metrics().services[0].running, 10);
    assert!(tasks_per_instance(&sim).iter().all(|&n| n == 2));
    // The tasks that find no room back the service off (service throttle logic): the backoff is what keeps them
    // waiting most of the time, the lack of capacity is what started it.
    let service = &sim.metrics().services[0];
    assert_eq!(service.limited_by, Some(Limiter::Backoff));
    assert!(service.limits.iter().any(|l| l.limit == Limiter::Capacity));
}

#[test]
fn eni_trunking_raises_the_limit() {
    let s = scenario(
        r#""instance_types": ["c5.large"], "max_size": 1, "desired_capacity": 1, "eni_trunking": true"#,
        r#", "network_mode": "awsvpc", "cpu": 128, "memory": 256"#,
        r#", "desired_count": 10"#,
        "",
    );
    let sim = common::run_checked(s, 1);
    assert_eq!(tasks_per_instance(&sim), vec![10]);
}

#[test]
fn a_fixed_host_port_allows_one_task_per_instance() {
    let s = scenario(
        r#""instance_types": ["m5.xlarge"], "max_size": 3, "desired_capacity": 3"#,
        r#", "network_mode": "bridge", "port_mappings": [{ "container_port": 80, "host_port": 8080 }]"#,
        r#", "desired_count": 5"#,
        "",
    );
    let sim = common::run_checked(s, 2);
    assert_eq!(sim.metrics().services[0].running, 3);
    assert!(tasks_per_instance(&sim).iter().all(|&n| n == 1));
}

#[test]
fn a_rolling_deployment_stalls_on_a_fixed_host_port_with_full_instances() {
    // Every instance holds the port; maximumPercent 200 wants new tasks first, minimumHealthyPercent 100 forbids
    // stopping old ones first: the deployment cannot progress.
    let s = scenario(
        r#""instance_types": ["m5.large"], "max_size": 4, "desired_capacity": 4"#,
        r#", "network_mode": "host", "port_mappings": [{ "container_port": 80 }]"#,
        r#", "desired_count": 4"#,
        r#", "events": [{ "type": "deploy", "at_s": 300, "service": "web" }]"#,
    );
    let sim = common::run_checked(s, 3);
    let summary = sim.metrics();
    assert_eq!(summary.completion_s, None);
    assert_eq!(summary.services[0].deployment, DeploymentStatus { rollout: Rollout::InProgress, rolled_back: false });
    assert_eq!(summary.tasks_launched, 4);
}

#[test]
fn binpack_fills_one_instance_before_the_next() {
    let s = scenario(
        r#""instance_types": ["m5.large"], "max_size": 3, "desired_capacity": 3"#,
        r#", "network_mode": "bridge""#,
        r#", "desired_count": 6, "placement_strategy": [{ "type": "binpack", "field": "memory" }]"#,
        "",
    );
    let sim = common::run_checked(s, 4);
    let mut per = tasks_per_instance(&sim);
    per.sort_unstable();
    assert_eq!(per, vec![0, 0, 6]);
}

#[test]
fn the_default_spread_balances_availability_zones() {
    let s = scenario(
        r#""instance_types": ["m5.large"], "max_size": 6, "desired_capacity": 6"#,
        r#", "network_mode": "bridge""#,
        r#", "desired_count": 12"#,
        "",
    );
    let sim = common::run_checked(s, 5);
    let view = sim.view();
    let mut per_zone = std::collections::BTreeMap::new();
    for instance in &view.instances {
        *per_zone.entry(instance.zone.clone()).or_insert(0) += instance.tasks;
    }
    assert_eq!(per_zone.values().copied().collect::<Vec<_>>(), vec![4, 4, 4]);
}

#[test]
fn distinct_instance_and_member_of_constrain_placement() {
    let s = scenario(
        r#""instance_types": ["m5.large", "c5.large"], "max_size": 6, "desired_capacity": 6, "allocation_strategy": "prioritized""#,
        r#", "network_mode": "bridge""#,
        r#", "desired_count": 4, "placement_constraints": [{ "type": "distinctInstance" },
              { "type": "memberOf", "expression": "attribute:ecs.availability-zone != us-east-1c" }]"#,
        "",
    );
    let sim = common::run_checked(s, 6);
    let view = sim.view();
    let used: Vec<_> = view.instances.iter().filter(|i| i.tasks > 0).collect();
    assert_eq!(used.len(), 4, "one task per instance");
    assert!(used.iter().all(|i| i.zone != "us-east-1c"));
}

#[test]
fn without_managed_scaling_unplaceable_tasks_are_not_launched() {
    let s = scenario(
        r#""instance_types": ["m5.large"], "max_size": 1, "desired_capacity": 0"#,
        "",
        r#", "desired_count": 3"#,
        "",
    );
    let sim = common::run_checked(s, 7);
    assert_eq!(sim.metrics().tasks_launched, 0);
    assert!(sim.instances().is_empty());
}

#[test]
fn managed_scaling_launches_instances_for_provisioning_tasks() {
    let s = scenario(
        r#""instance_types": ["m5.large"], "max_size": 10, "managed_scaling": {}"#,
        r#", "network_mode": "bridge""#,
        r#", "desired_count": 30"#,
        "",
    );
    let sim = common::run_checked(s, 8);
    let summary = sim.metrics();
    assert_eq!(summary.services[0].running, 30);
    // m5.large registers 2 vCPU = 8 tasks of 256 cpu: 30 tasks need 4 instances, launched in one scale-out.
    assert_eq!(sim.instances().len(), 4);
    let first = sim.trace().iter().find(|e| e.to_string().contains("scales out")).unwrap().to_string();
    assert!(first.contains("by 4") && first.contains("200%"), "{first}");
    assert!(sim.series().column(Column::Provisioning).iter().any(|&v| v > 0.0));
    // Tasks placed after waiting for an instance are traced as placed, like those placed at launch.
    let placed = sim.trace().iter().filter(|e| e.to_string().contains(" placed on instance ")).count();
    assert_eq!(placed, 30);
}

/// A task runs only on instances of its architecture: in a group of Graviton and x86 types, x86 tasks avoid the
/// Graviton instances; a group with no instance of the task's architecture is a validation error.
#[test]
fn tasks_go_only_to_instances_of_their_architecture() {
    let s = scenario(
        r#""instance_types": ["m6g.large", "m5.large"], "purchase": "spot", "allocation_strategy": "capacity-optimized",
           "availability_zones": ["us-east-1a"], "max_size": 4, "desired_capacity": 4"#,
        r#", "network_mode": "bridge""#,
        r#", "desired_count": 10"#,
        "",
    );
    let sim = common::run_checked(s, 3);
    let graviton = sim.instances().iter().filter(|i| i.instance_type.name == "m6g.large").count();
    assert_eq!(graviton, 2, "the group holds both architectures");
    let placed: Vec<_> = sim.tasks().iter().filter_map(|t| t.instance).collect();
    assert_eq!(placed.len(), 10);
    for instance in placed {
        let name = sim.instances()[instance.index()].instance_type.name;
        assert_eq!(name, "m5.large", "an x86 task on {name}");
    }
    let e = Scenario::from_json(&scenario_json(r#""instance_types": ["m6g.large"], "max_size": 1"#, "", "", ""))
        .unwrap_err()
        .to_string();
    assert!(e.contains("is x86_64 but provider `asg` only has arm64 instance types"), "{e}");
}

#[test]
fn maximum_step_size_bounds_each_scale_out() {
    let s = scenario(
        r#""instance_types": ["m5.large"], "max_size": 10, "managed_scaling": { "maximum_scaling_step_size": 1 }"#,
        r#", "network_mode": "bridge""#,
        r#", "desired_count": 30"#,
        "",
    );
    let sim = common::run_checked(s, 9);
    let steps: Vec<String> =
        sim.trace().iter().map(|e| e.to_string()).filter(|line| line.contains("scales out")).collect();
    assert!(steps.len() >= 4);
    assert!(steps.iter().all(|line| line.contains("by 1 ")), "{steps:?}");
}

#[test]
fn instances_warming_up_are_not_launched_twice_for_the_same_tasks() {
    // Boot takes 200 s, so three evaluations see the same waiting tasks; the warming instances cover them.
    let s = scenario(
        r#""instance_types": ["m5.large"], "max_size": 10, "managed_scaling": {}"#,
        r#", "network_mode": "bridge""#,
        r#", "desired_count": 8"#,
        r#", "latencies": { "instance_boot": { "mean_s": 200 } }"#,
    );
    let sim = common::run_checked(s, 10);
    assert_eq!(sim.instances().len(), 1);
    assert_eq!(sim.metrics().services[0].running, 8);
}

#[test]
fn after_the_warm_up_period_a_slow_instance_no_longer_counts() {
    let s = scenario(
        r#""instance_types": ["m5.large"], "max_size": 10, "managed_scaling": { "instance_warmup_period_s": 60 }"#,
        r#", "network_mode": "bridge""#,
        r#", "desired_count": 8"#,
        r#", "latencies": { "instance_boot": { "mean_s": 200 } }"#,
    );
    let sim = common::run_checked(s, 10);
    assert!(sim.instances().len() >= 2, "a second scale-out once the first instance left its warm-up");
}

#[test]
fn scale_in_waits_fifteen_minutes_and_only_takes_empty_instances() {
    let s = scenario(
        r#""instance_types": ["m5.large"], "min_size": 0, "max_size": 10, "desired_capacity": 4, "managed_scaling": {}, "managed_termination_protection": true"#,
        r#", "network_mode": "bridge""#,
        r#", "desired_count": 8"#,
        "",
    );
    let sim = common::run_checked(s, 11);
    let terminated: Vec<_> =
        sim.instances().iter().filter(|i| i.state == fleetplan_engine::InstanceState::Terminated).collect();
    // 8 tasks spread over 4 instances (2 each): nothing is empty, nothing is terminated.
    assert!(terminated.is_empty());
    assert_eq!(sim.metrics().services[0].running, 8);

    let s = scenario(
        r#""instance_types": ["m5.large"], "min_size": 0, "max_size": 10, "desired_capacity": 4, "managed_scaling": {}, "managed_termination_protection": true"#,
        r#", "network_mode": "bridge""#,
        r#", "desired_count": 2, "placement_strategy": [{ "type": "binpack", "field": "cpu" }]"#,
        "",
    );
    let sim = common::run_checked(s, 12);
    let terminated: Vec<SimTime> =
        sim.trace().iter().filter(|e| e.to_string().contains("TERMINATED")).map(|e| e.time).collect();
    assert_eq!(terminated.len(), 3, "the three empty instances go; the one with both tasks stays");
    assert!(terminated.iter().all(|&t| t >= SimTime::from_secs_f64(15.0 * 60.0)));
    assert_eq!(sim.metrics().services[0].running, 2);
    assert!(sim.tasks().iter().all(|t| t.stop_reason != Some(StopReason::InstanceTerminated)));
}

#[test]
fn the_image_is_pulled_once_per_instance() {
    let s = scenario(
        r#""instance_types": ["m5.xlarge"], "max_size": 1, "desired_capacity": 1"#,
        r#", "network_mode": "bridge", "image_mb": 2000"#,
        r#", "desired_count": 4"#,
        "",
    );
    let sim = common::run_checked(s, 13);
    // 2,000 MB at 40 MB/s is ~50 s; every task waits for the one pull rather than pulling again.
    let running: Vec<SimTime> = sim.tasks().iter().filter_map(|t| t.running_at).collect();
    let spread = running.iter().max().unwrap().since(*running.iter().min().unwrap());
    assert!(spread < 15_000, "tasks started {spread} ms apart");
    assert!(sim.tasks().iter().all(|t| t.state == TaskState::Running));
}

#[test]
fn ec2_validation_errors_name_the_field() {
    let bad = |provider: &str, task_def: &str, service: &str| {
        Scenario::from_json(&scenario_json(provider, task_def, service, "")).unwrap_err().to_string()
    };
    let asg = r#", "capacity_provider_strategy": [{ "capacity_provider": "asg", "weight": 1 }]"#;
    let e = bad(r#""instance_types": ["m5.huge"], "max_size": 1"#, "", asg);
    assert!(e.contains("capacity_providers[0].instance_types[0]: unknown instance type `m5.huge`"), "{e}");
    let e = bad(r#""instance_types": ["t3.medium"], "max_size": 1"#, r#", "memory": 8192"#, asg);
    assert!(e.contains("is larger than every instance type of provider `asg`"), "{e}");
    let mixed = r#", "capacity_provider_strategy": [{ "capacity_provider": "asg", "weight": 1 }, { "capacity_provider": "FARGATE", "weight": 1 }]"#;
    let e = bad(r#""instance_types": ["m5.large"], "max_size": 1"#, "", mixed);
    assert!(e.contains("services[0].capacity_provider_strategy"), "{e}");
    assert!(e.contains("only Auto Scaling group providers or only FARGATE / FARGATE_SPOT"), "{e}");
    let member_of = format!(
        r#"{asg}, "placement_constraints": [{{ "type": "memberOf", "expression": "attribute:ecs.instance-type ==" }}]"#
    );
    let e = bad(r#""instance_types": ["m5.large"], "max_size": 1"#, "", &member_of);
    assert!(e.contains("services[0].placement_constraints[0].expression: at position"), "{e}");
    let ports = r#", "network_mode": "bridge", "port_mappings": [{ "container_port": 80, "host_port": 8080 }, { "container_port": 81, "host_port": 8080 }]"#;
    let e = bad(r#""instance_types": ["m5.large"], "max_size": 1"#, ports, asg);
    assert!(e.contains("task_definitions[0].port_mappings[1].host_port: host port 8080 is used twice"), "{e}");
    let e = bad(r#""instance_types": ["m5.large"], "max_size": 1, "allocation_strategy": "lowest-price""#, "", asg);
    assert!(e.contains("capacity_providers[0].allocation_strategy"), "{e}");
}

/// A Spot group of 6 m5.xlarge with 24 service tasks, and a wave taking the whole largest pool at 600 s.
fn spot_wave(draining: bool, extra_service: &str) -> Simulation {
    let provider = format!(
        r#""instance_types": ["m5.xlarge"], "purchase": "spot", "allocation_strategy": "capacity-optimized",
           "availability_zones": ["us-east-1a"], "max_size": 12, "desired_capacity": 6, "spot_draining": {draining}"#
    );
    let s = scenario(
        &provider,
        r#", "network_mode": "bridge""#,
        &format!(r#", "desired_count": 24 {extra_service}"#),
        r#", "events": [{ "type": "ec2_spot_interruption", "at_s": 600, "provider": "asg", "fraction": 0.5 }]"#,
    );
    common::run_checked(s, 21)
}

#[test]
fn with_draining_service_tasks_are_replaced_before_termination() {
    let sim = spot_wave(true, "");
    let notice = SimTime::from_secs_f64(600.0);
    let kill = notice.plus_ms(120_000);
    let interrupted: Vec<_> =
        sim.tasks().iter().filter(|t| t.stop_reason == Some(StopReason::SpotInterrupted)).collect();
    assert_eq!(interrupted.len(), 12, "half of 6 instances, 4 tasks each");
    // Replacements reach RUNNING before the instances are terminated.
    let replacements: Vec<_> = sim.tasks().iter().filter(|t| t.launched_at >= notice).collect();
    assert_eq!(replacements.len(), 12);
    assert!(replacements.iter().all(|t| t.running_at.is_some_and(|r| r < kill)), "replaced within the warning");
    assert_eq!(sim.metrics().services[0].running, 24);
    assert!(sim.trace().iter().any(|e| e.to_string().contains("DRAINING")));
}

#[test]
fn without_draining_tasks_die_at_termination() {
    let sim = spot_wave(false, "");
    let kill = SimTime::from_secs_f64(720.0);
    let replacements: Vec<_> = sim.tasks().iter().filter(|t| t.launched_at >= SimTime::from_secs_f64(600.0)).collect();
    assert_eq!(replacements.len(), 12);
    assert!(replacements.iter().all(|t| t.launched_at >= kill), "no replacement before the instance is gone");
    assert!(!sim.trace().iter().any(|e| e.to_string().contains("DRAINING")));
    assert_eq!(sim.metrics().services[0].running, 24);
}

/// Capacity Rebalancing with recommendations `lead_s` ahead of a wave that takes 3 of 6 full instances.
fn rebalanced_wave(lead_s: u32) -> Simulation {
    let provider = format!(
        r#""instance_types": ["m5.xlarge"], "purchase": "spot", "allocation_strategy": "capacity-optimized",
           "availability_zones": ["us-east-1a"], "max_size": 12, "desired_capacity": 6, "spot_draining": true,
           "capacity_rebalance": true, "rebalance_recommendation_lead_s": {lead_s}"#
    );
    let s = scenario(
        &provider,
        r#", "network_mode": "bridge", "port_mappings": [{ "container_port": 80, "host_port": 80 }]"#,
        r#", "desired_count": 6, "deployment": { "minimum_healthy_percent": 100, "maximum_percent": 200 }"#,
        r#", "events": [{ "type": "ec2_spot_interruption", "at_s": 600, "provider": "asg", "fraction": 0.5 }]"#,
    );
    common::run_checked(s, 21)
}

/// Capacity Rebalancing terminates an old instance once its replacement is in service, draining it first (managed
/// instance draining, on by default). With the recommendation five minutes ahead, the recommended instances are
/// replaced and gone before the wave, so the wave interrupts nothing; with it together with the notice, the tasks
/// move once the replacements are in service, and the old instances still go before the interruption.
#[test]
fn an_early_rebalance_recommendation_replaces_instances_before_the_wave() {
    let notice = SimTime::from_secs_f64(600.0);
    let early = rebalanced_wave(300);
    let recommendations: Vec<_> =
        early.trace().iter().filter(|e| e.to_string().contains("rebalance recommendation")).collect();
    assert_eq!(recommendations.len(), 3);
    assert!(recommendations.iter().all(|e| e.time == SimTime::from_secs_f64(300.0)));
    let notices =
        |sim: &Simulation| sim.trace().iter().filter(|e| e.to_string().contains("Spot interruption notice")).count();
    assert_eq!(notices(&early), 0, "the recommended instances were gone before the wave");
    let terminated = |sim: &Simulation| {
        let mut times: Vec<SimTime> =
            sim.trace().iter().filter(|e| e.to_string().ends_with("TERMINATED")).map(|e| e.time).collect();
        times.sort();
        times
    };
    let early_gone = terminated(&early);
    assert_eq!(early_gone.len(), 3);
    assert!(early_gone.iter().all(|&t| t < notice), "{early_gone:?}");
    let replaced_running = |sim: &Simulation, from: SimTime| {
        let mut times: Vec<SimTime> =
            sim.tasks().iter().filter(|t| t.launched_at >= from).filter_map(|t| t.running_at).collect();
        times.sort();
        times
    };
    let early_times = replaced_running(&early, SimTime::from_secs_f64(300.0));
    assert_eq!(early_times.len(), 3);
    assert!(early_times.iter().all(|&t| t < notice), "replaced before the wave: {early_times:?}");
    assert_eq!(early.metrics().services[0].running, 6);

    let together = rebalanced_wave(0);
    assert!(!together.trace().iter().any(|e| e.to_string().contains("rebalance recommendation")));
    assert_eq!(notices(&together), 3);
    let together_times = replaced_running(&together, notice);
    assert_eq!(together_times.len(), 3);
    let together_gone = terminated(&together);
    assert_eq!(together_gone.len(), 3);
    // The interruption ends an instance whose drain has not finished: here a fixed host port waits for the new
    // instance, and a service that finds no room backs off (service throttle logic), so with the notice alone none of
    // the drains finishes within the two minutes.
    assert!(
        together_gone.iter().all(|&t| t > notice && t <= notice.plus_ms(120_000)),
        "terminated once drained, at the latest by the interruption: {together_gone:?}"
    );
    assert_eq!(together.metrics().services[0].running, 6);
}

/// Random interruptions: each recommendation comes `lead` ahead of its notice, and Capacity Rebalancing replaces
/// the instance before the notice comes.
#[test]
fn random_interruptions_are_recommended_ahead_by_the_lead() {
    let provider = r#""instance_types": ["m5.xlarge"], "purchase": "spot", "allocation_strategy": "capacity-optimized",
        "max_size": 90, "desired_capacity": 60, "capacity_rebalance": true, "rebalance_recommendation_lead_s": 600,
        "interruption_frequency": ">20%""#;
    let sim = common::run_checked(scenario(provider, "", "", r#", "horizon_s": 604800"#), 5);
    let at = |what: &str, instance: u32| {
        sim.trace().iter().find(|e| e.to_string().ends_with(&format!("instance {instance} {what}"))).map(|e| e.time)
    };
    let recommended: Vec<u32> = sim.instances().iter().filter(|i| i.rebalance_at.is_some()).map(|i| i.id).collect();
    assert!(!recommended.is_empty());
    for id in recommended {
        let recommendation = at("rebalance recommendation", id).unwrap();
        let gone = at("TERMINATED", id).expect("a recommended instance was not replaced");
        assert!(gone.as_millis() - recommendation.as_millis() < 600_000, "instance {id} lived to its notice");
        assert!(at("Spot interruption notice", id).is_none());
    }
}

#[test]
fn draining_leaves_standalone_tasks_alone() {
    let s = scenario(
        r#""instance_types": ["m5.xlarge"], "purchase": "spot", "allocation_strategy": "capacity-optimized",
           "availability_zones": ["us-east-1a"], "max_size": 2, "desired_capacity": 1, "spot_draining": true"#,
        r#", "network_mode": "bridge""#,
        r#", "desired_count": 0"#,
        r#", "run_tasks": [{ "name": "job", "task_definition": "web", "count": 4,
                              "capacity_provider_strategy": [{ "capacity_provider": "asg", "weight": 1 }] }],
            "events": [{ "type": "ec2_spot_interruption", "at_s": 300, "provider": "asg", "fraction": 1.0 }]"#,
    );
    let sim = common::run_checked(s, 22);
    for t in sim.tasks() {
        assert_eq!(t.stop_reason, Some(StopReason::SpotInterrupted));
        // Still running through the warning; gone when the instance is.
        assert!(sim.trace().iter().any(|e| e.time >= SimTime::from_secs_f64(420.0)
            && e.to_string() == format!("{} task {} stop requested: Spot interruption", e.time, t.id)));
    }
}

#[test]
fn diversification_shrinks_what_a_wave_takes() {
    let run = |types: &str, zones: &str| {
        let provider = format!(
            r#""instance_types": {types}, "purchase": "spot", "allocation_strategy": "capacity-optimized",
               "availability_zones": {zones}, "max_size": 20, "desired_capacity": 9"#
        );
        let s = scenario(
            &provider,
            r#", "network_mode": "bridge""#,
            r#", "desired_count": 36"#,
            r#", "events": [{ "type": "ec2_spot_interruption", "at_s": 600, "provider": "asg", "fraction": 1.0 }]"#,
        );
        let sim = common::run_checked(s, 23);
        sim.tasks().iter().filter(|t| t.stop_reason == Some(StopReason::SpotInterrupted)).count()
    };
    let one_pool = run(r#"["m5.xlarge"]"#, r#"["us-east-1a"]"#);
    let nine_pools =
        run(r#"["m5.xlarge", "m6i.xlarge", "c5.2xlarge"]"#, r#"["us-east-1a", "us-east-1b", "us-east-1c"]"#);
    assert_eq!(one_pool, 36, "one pool: the wave takes every task");
    assert!(nine_pools <= 8, "nine pools: the wave takes one pool's tasks, got {nine_pools}");
}

/// The Spot Instance Advisor rates instance types, not groups: a type with a high frequency is interrupted, a type
/// the scenario gives no frequency is not, in the same group over the same week.
#[test]
fn interruption_frequency_is_per_instance_type() {
    let provider = r#""instance_types": ["m5.xlarge", "c5.xlarge"], "purchase": "spot",
        "allocation_strategy": "capacity-optimized", "max_size": 60, "desired_capacity": 60,
        "interruption_frequency_by_type": { "m5.xlarge": ">20%" }"#;
    let s = scenario(provider, "", "", r#", "horizon_s": 604800"#);
    let sim = common::run_checked(s, 5);
    let noticed =
        |name: &str| sim.instances().iter().filter(|i| i.instance_type.name == name && i.notice_at.is_some()).count();
    let launched = |name: &str| sim.instances().iter().filter(|i| i.instance_type.name == name).count();
    assert!(launched("c5.xlarge") >= 20 && launched("m5.xlarge") >= 20, "both types are in use");
    // 25% a month is ~0.058 per instance-week: about 1.7 of 30 instances in a week, so at least one for this seed.
    assert!(noticed("m5.xlarge") >= 1, "the risky type was never interrupted");
    assert_eq!(noticed("c5.xlarge"), 0, "a type without a frequency was interrupted");

    let bad = Scenario::from_json(&scenario_json(
        r#""instance_types": ["m5.xlarge"], "purchase": "spot", "allocation_strategy": "capacity-optimized",
           "interruption_frequency_by_type": { "r5.large": "<5%" }"#,
        "",
        "",
        "",
    ))
    .unwrap_err();
    assert_eq!(bad.problems()[0].field, "capacity_providers[0].interruption_frequency_by_type.r5.large");
}

fn anywhere(task_def: &str, service: &str) -> Result<Scenario, String> {
    let json = format!(
        r#"{{ "version": 1, "name": "anywhere", "horizon_s": 3600,
          "external_instances": [{{ "name": "rack", "count": 3, "vcpus": 4, "memory_mib": 16384, "location": "dc-1" }}],
          "task_definitions": [{{ "name": "app", "cpu": 1024, "memory": 2048, "image_mb": 100 {task_def} }}],
          "services": [{{ "name": "app", "task_definition": "app", "desired_count": 9, "launch_type": "EXTERNAL" {service} }}] }}"#
    );
    Scenario::from_json(&json).map_err(|e| e.to_string())
}

#[test]
fn ecs_anywhere_runs_tasks_on_registered_hosts_and_bills_the_fee() {
    let sim = common::run_checked(anywhere(r#", "network_mode": "bridge""#, "").unwrap(), 31);
    let summary = sim.metrics();
    assert_eq!(summary.services[0].running, 9);
    let view = sim.view();
    assert_eq!(view.instances.len(), 3);
    assert!(view.instances.iter().all(|i| i.tasks == 3 && i.zone == "dc-1" && i.provider == "rack"));
    let external = view.pools.iter().find(|p| p.capacity == CapacityType::External).unwrap();
    assert_eq!(external.by_state[TaskState::Running.index()], 9);
    // Three hosts at $0.01025 per instance-hour for the run; no per-task charge.
    let expected = 3.0 * 0.01025 * summary.end_s / 3600.0;
    assert!((summary.cost_usd - expected).abs() < 0.001, "cost {} vs {expected}", summary.cost_usd);
}

#[test]
fn ecs_anywhere_refuses_awsvpc_and_load_balancers() {
    let e = anywhere(r#", "network_mode": "awsvpc""#, "").unwrap_err();
    assert!(e.contains("ECS Anywhere does not support awsvpc"), "{e}");
    let e = anywhere(r#", "network_mode": "bridge""#, r#", "load_balancer": {}"#).unwrap_err();
    assert!(e.contains("services[0].load_balancer: ECS Anywhere has no load balancer integration"), "{e}");
}

/// "Amazon ECS cluster auto scaling", Managed scale-out behavior: "If a group of tasks have resource requirements
/// that are greater than the smallest instance type in the Auto Scaling group, then that group of tasks can't run
/// with this capacity provider. The capacity provider doesn't scale the Auto Scaling group. The tasks remain in the
/// `PENDING` state." The `ec2-mixed-sizes` preset shows it as its description says: no instance is launched, the
/// reservation stays at 100, the tasks wait in PROVISIONING until their timeout and are launched again.
#[test]
fn tasks_bigger_than_the_smallest_type_do_not_scale_the_group() {
    let sim = common::run_checked(common::preset("ec2-mixed-sizes"), 1);
    assert!(sim.instances().is_empty(), "no instance launched that could never help");
    let reservation = sim.series().column(Column::Reservation);
    assert!(reservation.iter().all(|&v| v == 100.0 || v == 0.0), "{reservation:?}");
    assert!(reservation.contains(&100.0));
    assert!(sim.series().column(Column::Provisioning).contains(&8.0), "all 8 tasks wait in PROVISIONING");
    let m = sim.metrics();
    assert_eq!(m.services[0].running, 0);
    assert_eq!(m.services[0].limited_by, Some(Limiter::ClusterAutoScaling));
    let timed_out = sim.tasks().iter().filter(|t| t.stop_reason == Some(StopReason::NoCapacity)).count();
    assert_eq!(timed_out, 8, "each task times out after 30 minutes and is launched again");
}

/// "Auto Scaling checks if all existing instances have passed the `instanceWarmupPeriod` (now minus the instance
/// launch time). The scale-out is blocked for Instances that are within the `instanceWarmupPeriod`." In
/// `ec2-cold-1000` (warm-up 300 s by default) scale-outs are therefore at least 300 s apart, as its description says.
#[test]
fn no_scale_out_while_an_instance_is_in_its_warm_up() {
    for seed in [1, 2] {
        let sim = common::run_checked(common::preset("ec2-cold-1000"), seed);
        let outs: Vec<SimTime> = sim
            .trace()
            .iter()
            .filter(|e| matches!(e.what, fleetplan_engine::output::TraceWhat::ScaleOut { .. }))
            .map(|e| e.time)
            .collect();
        assert!(outs.len() >= 3, "seed {seed}: {outs:?}");
        for pair in outs.windows(2) {
            assert!(pair[1].since(pair[0]) >= 300_000, "seed {seed}: scale-outs at {outs:?}");
        }
    }
}

/// "Tasks in the PROVISIONING state per cluster" ("Amazon ECS service quotas"): 300 in early-2022 quota listings,
/// 500 in the current one.
#[test]
fn the_provisioning_quota_follows_the_listings_of_each_period() {
    assert_eq!(common::preset("ec2-cold-1000").limits.provisioning_limit, 300);
    let current = scenario(r#""instance_types": ["m5.large"]"#, "", "", r#", "limits": { "profile": "current" }"#);
    assert_eq!(current.limits.provisioning_limit, 500);
}

/// Without managed termination protection the Auto Scaling group chooses by its termination policy, not by what
/// runs on the instances ("Amazon ECS cluster auto scaling", Managed scale-in behavior: "If you don't use capacity
/// provider managed termination, the Auto Scaling group selects EC2 instances using the Auto Scaling group
/// termination policy"). Four instances over three zones, both tasks binpacked on the first: the zone with two
/// instances loses one first, the instances are equally close to their billing hour, and the lowest id goes — the
/// one with the tasks, which stop with it and are launched again elsewhere.
#[test]
fn without_termination_protection_the_group_policy_may_take_busy_instances() {
    let s = scenario(
        r#""instance_types": ["m5.large"], "min_size": 0, "max_size": 10, "desired_capacity": 4, "managed_scaling": {}"#,
        r#", "network_mode": "bridge""#,
        r#", "desired_count": 2, "placement_strategy": [{ "type": "binpack", "field": "cpu" }]"#,
        "",
    );
    let sim = common::run_checked(s, 12);
    // Managed instance draining (on by default) moves the service's tasks off each instance the group takes, so
    // they stop as the instance goes; a replacement can land on an instance taken later and move again.
    let moved = sim.tasks().iter().filter(|t| t.stop_reason == Some(StopReason::InstanceTerminated)).count();
    let first = &sim.instances()[0];
    assert!(
        moved >= 2 && first.state == InstanceState::Terminated,
        "the busy instance went, its tasks moved ({moved}): {:?}",
        sim.instances().iter().map(|i| (i.zone, i.state, i.tasks.len())).collect::<Vec<_>>()
    );
    assert_eq!(sim.metrics().services[0].running, 2, "the service replaced them");
}

/// "After the scale-in process starts ... the Auto Scaling group sets the `DesireCapacity` value to be greater than
/// one instance and less than 50% each minute": 8 empty instances go 4, 2, 1, 1 in consecutive minutes, not all at once.
#[test]
fn scale_in_takes_at_most_half_the_group_each_minute() {
    let s = scenario(
        r#""instance_types": ["m5.large"], "min_size": 0, "max_size": 10, "desired_capacity": 8, "managed_scaling": {}"#,
        "",
        r#", "desired_count": 0"#,
        r#", "horizon_s": 1800"#,
    );
    let sim = common::run_checked(s, 14);
    let steps: Vec<(SimTime, u32)> = sim
        .trace()
        .iter()
        .filter_map(|e| match e.what {
            fleetplan_engine::output::TraceWhat::ScaleIn { instances, .. } => Some((e.time, instances)),
            _ => None,
        })
        .collect();
    assert_eq!(steps.iter().map(|&(_, n)| n).collect::<Vec<_>>(), vec![4, 2, 1, 1], "{steps:?}");
    assert!(steps.windows(2).all(|w| w[1].0.since(w[0].0) == 60_000), "one step a minute: {steps:?}");
}

/// M is the largest estimate over the groups of tasks with identical requirements, not their sum ("Deep dive on
/// Amazon ECS cluster auto scaling"). Two services wait on an empty m5.large group: 4 tasks of 1 vCPU need 2
/// instances, 4 of 2 vCPU need 4; the first scale-out launches 4, not 6.
#[test]
fn m_is_the_largest_group_estimate_not_the_sum() {
    let json = scenario_json(
        r#""instance_types": ["m5.large"], "max_size": 10, "managed_scaling": {}"#,
        r#", "cpu": 1024, "network_mode": "bridge""#,
        r#", "desired_count": 4"#,
        "",
    );
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut big = v["task_definitions"][0].clone();
    big["name"] = "big".into();
    big["cpu"] = 2048.into();
    v["task_definitions"].as_array_mut().unwrap().push(big);
    let mut service = v["services"][0].clone();
    service["name"] = "big".into();
    service["task_definition"] = "big".into();
    v["services"].as_array_mut().unwrap().push(service);
    for seed in [1, 2, 3] {
        let sim = common::run_checked(common::scenario(&v.to_string()), seed);
        let outs: Vec<u32> = sim
            .trace()
            .iter()
            .filter_map(|e| match e.what {
                fleetplan_engine::output::TraceWhat::ScaleOut { instances, .. } => Some(instances),
                _ => None,
            })
            .collect();
        assert!(outs.iter().all(|&n| n <= 4), "seed {seed}: {outs:?}");
        assert_eq!(sim.metrics().services.iter().map(|s| s.running).sum::<u32>(), 8, "seed {seed}");
    }
}
