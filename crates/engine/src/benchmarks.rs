//! Scenarios for measuring the engine's speed (`fleetplan bench`, the page's `bench_preset`): large, built in
//! code, and the same natively and in the browser.

use crate::scenario::Scenario;
use crate::spec::*;

/// The benchmark ids: a large Fargate scenario built here, the `stress-100k` preset, a day of 50
/// autoscaled services with demand, and an AWS Batch array job of 10,000 children over three compute environments.
pub const IDS: [&str; 4] = ["bench-large", "stress-100k", "bench-demand-day", "bench-batch-array"];

/// A benchmark scenario by id.
pub fn scenario(id: &str) -> Option<Scenario> {
    match id {
        "bench-large" => Scenario::from_spec(large_fargate()).ok(),
        "stress-100k" => crate::presets::get(id)?.scenario().ok(),
        "bench-demand-day" => Scenario::from_json(&demand_day()).ok(),
        "bench-batch-array" => Scenario::from_json(BATCH_ARRAY).ok(),
        _ => None,
    }
}

/// 20 services x 1,000 tasks on a 1:1 Fargate / Fargate Spot split, a rolling deployment of every service at
/// 15 minutes, two Spot interruption waves and random interruptions, over one simulated hour.
pub fn large_fargate() -> ScenarioSpec {
    let task_def = |name: &str| TaskDefinitionSpec {
        name: name.to_string(),
        cpu: 512,
        memory: 1024,
        image_mb: 150.0,
        lazy_loading: false,
        network_mode: NetworkMode::Awsvpc,
        architecture: Architecture::X86_64,
        port_mappings: Vec::new(),
        health_check: Some(HealthCheckSpec { interval_s: 10.0, retries: 3, start_period_s: 0.0, ready_after_s: 5.0 }),
        stop_timeout_s: 30.0,
        run_duration_s: None,
        cpu_utilization_percent: None,
        failure: FailureSpec::default(),
    };
    let strategy = vec![
        StrategyItemSpec { capacity_provider: "FARGATE".into(), base: 0, weight: 1 },
        StrategyItemSpec { capacity_provider: "FARGATE_SPOT".into(), base: 0, weight: 1 },
    ];
    let services: Vec<ServiceSpec> = (0..20)
        .map(|i| ServiceSpec {
            name: format!("svc-{i:02}"),
            task_definition: "app-v1".into(),
            desired_count: 1000,
            launch_type: None,
            capacity_provider_strategy: strategy.clone(),
            deployment: DeploymentSpec::default(),
            load_balancer: None,
            assign_public_ip: false,
            placement_strategy: Vec::new(),
            placement_constraints: Vec::new(),
            autoscaling: None,
            demand: None,
            worker: None,
        })
        .collect();
    let mut events: Vec<TimedEventSpec> = services
        .iter()
        .map(|s| TimedEventSpec::Deploy {
            at_s: 900.0,
            service: s.name.clone(),
            task_definition: Some("app-v2".into()),
            what_if: false,
        })
        .collect();
    events.push(TimedEventSpec::FargateSpotInterruption { at_s: 600.0, fraction: Some(0.2), count: None });
    events.push(TimedEventSpec::FargateSpotInterruption { at_s: 2400.0, fraction: Some(0.2), count: None });
    ScenarioSpec {
        version: FORMAT_VERSION,
        name: "Benchmark: 20 services x 1,000 Fargate tasks".into(),
        description: String::new(),
        horizon_s: 3600.0,
        timeline_end_s: None,
        limits: LimitsSpec::default(),
        latencies: LatencySpec::default(),
        prices: PriceSpec::default(),
        fargate_spot: FargateSpotSpec {
            availability: SpotAvailability::Plenty,
            capacity_per_s: Some(40.0),
            interruptions_per_task_hour: 0.05,
        },
        task_definitions: vec![task_def("app-v1"), task_def("app-v2")],
        services,
        run_tasks: Vec::new(),
        events,
        capacity_providers: Vec::new(),
        external_instances: Vec::new(),
        batch: None,
        scheduled_tasks: Vec::new(),
        managed_instances_providers: Vec::new(),
        commitments: Default::default(),
        queues: Vec::new(),
        start: None,
        lesson: None,
    }
}

/// A day of 50 services on Fargate behind load balancers, each with a daily curve peaking at 2,000 to 6,900
/// requests/s, seeded noise every minute and a flash-sale spike, scaled by target tracking on CPU (issue 10: "a
/// day of 50 autoscaled services at thousands of requests/s must simulate in well under a second natively").
pub fn demand_day() -> String {
    let services: Vec<String> = (0..50)
        .map(|i| {
            let peak = 2000 + 100 * i;
            let hourly: Vec<String> = (0..24)
                .map(|h: u32| {
                    // Night at a fifth of the peak, a morning ramp to the peak by 10:00, an evening decline.
                    let share = match h {
                        0..=6 => 0.2,
                        7 => 0.4,
                        8 => 0.7,
                        9..=18 => 1.0,
                        19 => 0.8,
                        20 => 0.6,
                        21 => 0.4,
                        _ => 0.3,
                    };
                    format!("{}", f64::from(peak) * share)
                })
                .collect();
            format!(
                r#"{{ "name": "svc-{i:02}", "task_definition": "web", "desired_count": 10, "launch_type": "FARGATE",
                     "load_balancer": {{}},
                     "demand": {{ "profile": [
                         {{ "type": "daily", "hourly_rps": [{}] }},
                         {{ "type": "spike", "at_s": {}, "duration_s": 1800, "rps": {} }},
                         {{ "type": "noise", "relative": 0.1, "interval_s": 60 }} ],
                       "requests_per_task": 100 }},
                     "autoscaling": {{ "min_capacity": 10, "max_capacity": 400,
                       "target_tracking": [{{ "metric": "ECSServiceAverageCPUUtilization", "target": 60 }}] }} }}"#,
                hourly.join(","),
                36_000 + 600 * i,
                peak / 2
            )
        })
        .collect();
    format!(
        r#"{{ "version": 1, "name": "Benchmark: a day of 50 autoscaled services with demand", "horizon_s": 86400,
              "start": "2026-12-02T00:00:00Z",
              "task_definitions": [{{ "name": "web", "cpu": 512, "memory": 1024, "image_mb": 200 }}],
              "services": [{}] }}"#,
        services.join(",")
    )
}

/// AWS Batch (issue 11: "an array job of 10,000 children over three compute environments ... runs in a fraction of
/// a second natively"): one queue over a Spot, a second Spot and an On-Demand compute environment of 256 vCPUs
/// each, a 10,000-child array of 1-vCPU jobs of 2 minutes, a 30% Spot reclaim at 20 minutes with retries.
pub const BATCH_ARRAY: &str = r#"{ "version": 1, "name": "Benchmark: a 10,000-child AWS Batch array over three compute environments",
  "horizon_s": 14400, "task_definitions": [],
  "batch": {
    "compute_environments": [
      { "name": "spot-c5", "type": "SPOT", "max_vcpus": 256, "instance_types": ["c5"], "allocation_strategy": "SPOT_PRICE_CAPACITY_OPTIMIZED" },
      { "name": "spot-m5", "type": "SPOT", "max_vcpus": 256, "instance_types": ["m5"], "allocation_strategy": "SPOT_PRICE_CAPACITY_OPTIMIZED" },
      { "name": "ondemand", "type": "EC2", "max_vcpus": 256, "instance_types": ["optimal"], "allocation_strategy": "BEST_FIT_PROGRESSIVE" } ],
    "job_queues": [{ "name": "array", "priority": 1, "compute_environments": ["spot-c5", "spot-m5", "ondemand"] }],
    "job_definitions": [{ "name": "work", "vcpus": 1, "memory_mib": 1536, "image_mb": 200, "retry_attempts": 3,
      "evaluate_on_exit": [{ "action": "RETRY", "on_status_reason": "Host EC2*" }, { "action": "EXIT", "on_reason": "*" }] }],
    "submissions": [{ "name": "sweep", "job_queue": "array", "job_definition": "work", "array_size": 10000,
      "run_time": { "mean_s": 120, "spread": 0.3 }, "failure_probability": 0.01 }],
    "spot_interruptions": [{ "at_s": 1200, "compute_environment": "spot-c5", "fraction": 0.3 }]
  } }"#;
