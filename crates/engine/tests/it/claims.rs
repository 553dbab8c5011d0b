//! What the preset descriptions claim, checked on their runs (and the model statements they rest on).

use crate::common;

use fleetplan_engine::scenario::Provider;
use fleetplan_engine::Simulation;

/// `n` services of 500 tasks on Fargate and `n` on running EC2 instances, starting together, in limits `profile`.
fn parallel_services(n: usize, profile: &str) -> Simulation {
    let mut services = Vec::new();
    for i in 0..n {
        services.push(format!(
            r#"{{ "name": "fargate-{i}", "task_definition": "api", "desired_count": 500, "launch_type": "FARGATE" }}"#
        ));
        services.push(format!(
            r#"{{ "name": "ec2-{i}", "task_definition": "api-ec2", "desired_count": 500,
                 "capacity_provider_strategy": [{{ "capacity_provider": "warm-asg", "weight": 1 }}] }}"#
        ));
    }
    let json = format!(
        r#"{{ "version": 1, "name": "parallel", "horizon_s": 1800, "limits": {{ "profile": "{profile}" }},
              "capacity_providers": [{{ "name": "warm-asg", "instance_types": ["c5.2xlarge"], "max_size": 110,
                                        "desired_capacity": 110, "images_cached": true }}],
              "task_definitions": [
                {{ "name": "api", "cpu": 256, "memory": 512, "image_mb": 100 }},
                {{ "name": "api-ec2", "cpu": 256, "memory": 512, "image_mb": 100, "network_mode": "bridge",
                   "port_mappings": [{{ "container_port": 8080 }}] }}
              ],
              "services": [{}] }}"#,
        services.join(",")
    );
    common::run_checked(common::scenario(&json), 1)
}

/// Tasks launched per second by the services on Fargate and on EC2, from the first launch to the last.
fn launch_rates(sim: &Simulation) -> (f64, f64) {
    let rate = |fargate: bool| {
        let times: Vec<u64> = sim
            .tasks()
            .iter()
            .filter(|t| (t.provider == Provider::Fargate) == fargate)
            .map(|t| t.launched_at.as_millis())
            .collect();
        let span = times.iter().max().unwrap() - times.iter().min().unwrap();
        times.len() as f64 / (span as f64 / 1000.0)
    };
    (rate(true), rate(false))
}

/// `docs/model.md` §2: the account's 20 tasks/s Fargate bucket against each EC2 service's own rate. EC2 services
/// launch faster together from 3 services at 500 tasks/min (current profile), from about 5 at 250 (2022 profile).
#[test]
fn ec2_services_outrun_the_fargate_bucket_from_3_at_500_per_minute_and_about_5_at_250() {
    let faster = |n: usize, profile: &str| {
        let (fargate, ec2) = launch_rates(&parallel_services(n, profile));
        (ec2 / fargate, format!("{n} services, {profile}: Fargate {fargate:.1}/s, EC2 {ec2:.1}/s"))
    };
    let (ratio, what) = faster(2, "current");
    assert!(ratio < 1.05, "{what}");
    let (ratio, what) = faster(3, "current");
    assert!(ratio > 1.1, "{what}");
    let (ratio, what) = faster(4, "2022");
    assert!(ratio < 0.95, "{what}");
    let (ratio, what) = faster(6, "2022");
    assert!(ratio > 1.1, "{what}");
}

/// `fargate-vs-ec2-six-services`: six EC2 services at 250 tasks/min launch faster together than six Fargate services
/// sharing the bucket, and all six EC2 services are steady before the last Fargate one.
#[test]
fn six_services_preset_shows_ec2_ahead_of_fargate() {
    for seed in 1..=3 {
        let sim = common::run_checked(common::preset("fargate-vs-ec2-six-services"), seed);
        let (fargate, ec2) = launch_rates(&sim);
        assert!(ec2 > 23.0 && fargate < 21.0, "seed {seed}: Fargate {fargate:.1}/s, EC2 {ec2:.1}/s");
        let summary = sim.metrics();
        let last = |prefix: &str| {
            summary
                .services
                .iter()
                .filter(|s| s.name.starts_with(prefix))
                .map(|s| s.steady_s.expect("steady"))
                .fold(0.0, f64::max)
        };
        assert!(last("ec2") < 170.0 && last("fargate") > last("ec2") + 60.0, "seed {seed}");
    }
}
