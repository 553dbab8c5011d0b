//! Scenarios for measuring the engine's speed (`fleetplan bench`, the page's `bench_preset`): large, built in
//! code, and the same natively and in the browser.

use crate::scenario::Scenario;
use crate::spec::*;

/// The benchmark ids: a large Fargate scenario built here, and the `stress-100k` preset.
pub const IDS: [&str; 2] = ["bench-large", "stress-100k"];

/// A benchmark scenario by id.
pub fn scenario(id: &str) -> Option<Scenario> {
    match id {
        "bench-large" => Scenario::from_spec(large_fargate()).ok(),
        "stress-100k" => crate::presets::get(id)?.scenario().ok(),
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
        })
        .collect();
    let mut events: Vec<TimedEventSpec> = services
        .iter()
        .map(|s| TimedEventSpec::Deploy {
            at_s: 900.0,
            service: s.name.clone(),
            task_definition: Some("app-v2".into()),
        })
        .collect();
    events.push(TimedEventSpec::FargateSpotInterruption { at_s: 600.0, fraction: Some(0.2), count: None });
    events.push(TimedEventSpec::FargateSpotInterruption { at_s: 2400.0, fraction: Some(0.2), count: None });
    ScenarioSpec {
        version: FORMAT_VERSION,
        name: "Benchmark: 20 services x 1,000 Fargate tasks".into(),
        description: String::new(),
        horizon_s: 3600.0,
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
        start: None,
    }
}
