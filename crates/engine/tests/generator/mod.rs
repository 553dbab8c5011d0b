//! The random-scenario generator: every feature of the scenario format at small sizes, valid by construction, from
//! a seed. Shared by the invariant campaign (`it/generated.rs`) and the native-vs-wasm differential check
//! (`wasm_determinism.rs`), each of which includes it with `#[path]`.

use fleetplan_engine::rng::SimRng;
use serde_json::{json, Value};

/// Picks from the generator's stream.
struct Pick(SimRng);

impl Pick {
    fn below(&mut self, n: u64) -> u64 {
        self.0.below(n)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.0.unit() < p
    }
    fn one<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.0.below(items.len() as u64) as usize]
    }
    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.0.below(high - low + 1)
    }
    fn seconds(&mut self, high: u64) -> f64 {
        self.range(0, high * 10) as f64 / 10.0
    }
}

const INSTANCE_TYPES: [&str; 4] = ["m5.large", "c5.large", "m5.xlarge", "t3.medium"];
const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

fn task_definition(p: &mut Pick, name: &str, ec2: bool) -> Value {
    // Sizes Fargate accepts; on EC2 only those every generated instance type can hold (t3.medium: 3,993 MiB).
    let sizes = [(256, 512), (256, 1024), (512, 1024), (1024, 2048), (2048, 4096)];
    let (cpu, memory) = *p.one(if ec2 { &sizes[..4] } else { &sizes });
    let mut td = json!({ "name": name, "cpu": cpu, "memory": memory, "image_mb": p.range(10, 800) });
    if ec2 && p.chance(0.4) {
        td["network_mode"] = "bridge".into();
        if p.chance(0.5) {
            let host_port = if p.chance(0.3) { json!(8080) } else { Value::Null };
            td["port_mappings"] = json!([{ "container_port": 80, "host_port": host_port }]);
        }
    }
    if p.chance(0.3) {
        td["health_check"] =
            json!({ "interval_s": p.range(5, 30), "retries": p.range(1, 5), "ready_after_s": p.seconds(40) });
    }
    if p.chance(0.3) {
        td["failure"] = json!({
            "start_failure_probability": p.below(30) as f64 / 100.0,
            "health_check_failure_probability": p.below(20) as f64 / 100.0,
        });
        if p.chance(0.5) {
            td["failure"]["crash_after_s"] = json!(p.range(5, 600));
        }
    }
    if p.chance(0.3) {
        td["lazy_loading"] = true.into();
    }
    if p.chance(0.25) {
        td["cpu_utilization_percent"] = json!(p.below(101));
    }
    td
}

fn provider(p: &mut Pick, index: usize) -> Value {
    let spot = p.chance(0.4);
    let mut types: Vec<&str> = vec![*p.one(&INSTANCE_TYPES)];
    if p.chance(0.4) {
        let other = *p.one(&INSTANCE_TYPES);
        if !types.contains(&other) {
            types.push(other);
        }
    }
    let zones = &ZONES[..p.range(1, 3) as usize];
    let max_size = p.range(1, 8);
    let mut group = json!({
        "name": format!("asg{index}"), "instance_types": types, "availability_zones": zones,
        "purchase": if spot { "spot" } else { "on_demand" },
        "max_size": max_size, "desired_capacity": p.range(0, max_size), "min_size": 0,
    });
    if spot {
        group["allocation_strategy"] =
            (*p.one(&["lowest-price", "capacity-optimized", "price-capacity-optimized"])).into();
        group["spot_draining"] = p.chance(0.5).into();
        group["capacity_rebalance"] = p.chance(0.4).into();
        if p.chance(0.5) {
            group["interruption_frequency"] = (*p.one(&["<5%", "5-10%", ">20%"])).into();
        }
    }
    if p.chance(0.6) {
        group["managed_scaling"] =
            json!({ "target_capacity": p.range(50, 100), "instance_warmup_period_s": p.range(0, 300) });
        group["managed_termination_protection"] = p.chance(0.5).into();
    }
    if p.chance(0.2) {
        group["images_cached"] = true.into();
    }
    if p.chance(0.2) {
        group["insufficient_capacity"] = json!([{ "instance_type": types[0], "zone": zones[0] }]);
    }
    if types.iter().any(|t| t.starts_with("t3")) && p.chance(0.5) {
        group["cpu_credits"] = (*p.one(&["standard", "unlimited"])).into();
    }
    group
}

fn service(p: &mut Pick, index: usize, groups: usize, external: bool, managed: bool) -> (Value, Value) {
    // 0: Fargate, 1: Fargate + Fargate Spot, 2 and 3: an Auto Scaling group, 4: ECS Anywhere, 5: Managed Instances.
    let mut kinds = vec![0, 1];
    if managed {
        kinds.push(5);
    }
    if groups > 0 {
        kinds.extend([2, 3]);
    }
    if external {
        kinds.push(4);
    }
    let kind = *p.one(&kinds);
    let ec2 = kind == 2 || kind == 3 || kind == 5;
    let name = format!("svc{index}");
    let mut td = task_definition(p, &format!("td{index}"), ec2 || kind == 4);
    if kind == 4 {
        // ECS Anywhere has no awsvpc.
        td["network_mode"] = "bridge".into();
    }
    if kind == 5 {
        // Managed Instances: awsvpc or host only.
        td.as_object_mut().unwrap().remove("network_mode");
        td.as_object_mut().unwrap().remove("port_mappings");
    }
    let mut s = json!({ "name": name, "task_definition": format!("td{index}"), "desired_count": p.range(0, 12) });
    match kind {
        0 => {}
        1 => {
            s["capacity_provider_strategy"] = json!([
                { "capacity_provider": "FARGATE", "base": p.range(0, 2), "weight": p.range(0, 3) },
                { "capacity_provider": "FARGATE_SPOT", "weight": p.range(1, 3) }
            ]);
        }
        4 => s["launch_type"] = "EXTERNAL".into(),
        5 => s["capacity_provider_strategy"] = json!([{ "capacity_provider": "mi0", "weight": 1 }]),
        _ => {
            let group = p.below(groups as u64);
            s["capacity_provider_strategy"] = json!([{ "capacity_provider": format!("asg{group}"), "weight": 1 }]);
            if p.chance(0.5) {
                s["placement_strategy"] = match p.below(3) {
                    0 => json!([{ "type": "spread", "field": "attribute:ecs.availability-zone" }]),
                    1 => json!([{ "type": "binpack", "field": "memory" }]),
                    _ => json!([{ "type": "random" }]),
                };
            }
            if p.chance(0.2) {
                s["placement_constraints"] = json!([{ "type": "distinctInstance" }]);
            }
        }
    }
    if kind < 2 {
        s["assign_public_ip"] = p.chance(0.5).into();
    }
    if p.chance(0.4) {
        s["load_balancer"] = json!({ "health_check_interval_s": p.range(5, 30), "healthy_threshold": p.range(2, 5),
            "deregistration_delay_s": p.range(0, 300) });
    }
    if p.chance(0.3) {
        s["demand"] = demand(p);
        if (kind == 4 || s.get("load_balancer").is_none()) && td.get("health_check").is_none() {
            // Overload fails health checks only where there are checks to fail.
            s["demand"]["overload_fails_health_checks"] = false.into();
        }
        if p.chance(0.7) {
            let min = p.range(1, 3);
            let metric = *p.one(&[
                "ECSServiceAverageCPUUtilization",
                "ECSServiceAverageMemoryUtilization",
                "ECSServiceAverageCPUUtilizationHighResolution",
            ]);
            let metric = if kind != 4 && s.get("load_balancer").is_some() && p.chance(0.3) {
                "ALBRequestCountPerTarget"
            } else {
                metric
            };
            let target = if metric == "ALBRequestCountPerTarget" { p.range(20, 200) } else { p.range(30, 80) };
            let max = p.range(min, 20);
            // The validator wants the desired count inside the scalable target's range.
            s["desired_count"] = s["desired_count"].as_u64().unwrap().clamp(min, max).into();
            s["autoscaling"] = json!({ "min_capacity": min, "max_capacity": max,
                "target_tracking": [{ "metric": metric, "target": target, "disable_scale_in": p.chance(0.2) }] });
            // A second policy on a customized metric (a total over time, divided by the running tasks).
            if p.chance(0.25) {
                let statistic = *p.one(&["Average", "Maximum", "Minimum"]);
                let policy = json!({ "custom_metric": { "name": "Connections", "statistic": statistic,
                        "profile": [{ "type": "ramps", "points": [[0, p.range(0, 500)], [p.range(60, 300), p.range(0, 2000)]] }] },
                    "target": p.range(10, 200) });
                s["autoscaling"]["target_tracking"].as_array_mut().unwrap().push(policy);
            }
        }
    }
    let min_healthy = *p.one(&[0, 50, 100]);
    let max_percent = *p.one(&[100, 150, 200]);
    if !(min_healthy == 0 && max_percent == 100) {
        s["deployment"] = json!({ "minimum_healthy_percent": min_healthy, "maximum_percent": max_percent });
        if p.chance(0.4) {
            s["deployment"]["circuit_breaker"] = json!({ "enable": true, "rollback": p.chance(0.5) });
        }
    }
    if kind == 4 {
        // ECS Anywhere hosts sit outside AWS's load balancers' target types here: keep it unset.
        s.as_object_mut().unwrap().remove("load_balancer");
    }
    (s, td)
}

/// A request-rate profile: steps, a spike, noise; every time inside the shortest horizon (300 s).
fn demand(p: &mut Pick) -> Value {
    let base = p.range(10, 400);
    let mut profile = vec![json!({ "type": "steps", "points": [[0, base], [p.range(1, 299), p.range(10, 1_500)]] })];
    if p.chance(0.4) {
        profile.push(json!({ "type": "spike", "at_s": p.range(0, 150), "duration_s": p.range(30, 150), "rps": p.range(10, 2_000) }));
    }
    if p.chance(0.3) {
        profile.push(
            json!({ "type": "noise", "relative": p.range(1, 30) as f64 / 100.0, "interval_s": p.range(10, 120) }),
        );
    }
    json!({ "profile": profile, "requests_per_task": p.range(20, 200),
            "overload_fails_health_checks": p.chance(0.3) })
}

/// A random scenario from `seed`: valid by construction (the test checks that it is).
pub fn generate(seed: u64) -> Value {
    let mut p = Pick(SimRng::new(seed ^ 0x05ee_d0f5_ce7a));
    let groups = p.below(3) as usize;
    let external = p.chance(0.15);
    let horizon_s = p.range(300, 3600);
    let mut scenario = json!({ "version": 1, "name": format!("generated {seed}"), "horizon_s": horizon_s });
    scenario["capacity_providers"] = (0..groups).map(|i| provider(&mut p, i)).collect();
    if external {
        scenario["external_instances"] =
            json!([{ "name": "onprem", "count": p.range(1, 4), "vcpus": 4, "memory_mib": 16384 }]);
    }
    let managed = p.chance(0.25);
    if managed {
        scenario["managed_instances_providers"] = json!([{ "name": "mi0",
            "instance_requirements": { "vcpu_count": { "min": 2, "max": 8 }, "memory_mib": { "min": 4096 } },
            "capacity_option_type": if p.chance(0.3) { "spot" } else { "on_demand" },
            "scale_in_after_s": p.range(0, 600) }]);
    }
    if p.chance(0.2) {
        scenario["commitments"] = json!({
            "savings_plans": [{ "kind": "compute", "usd_per_hour": p.range(1, 300) as f64 / 100.0, "discount_percent": 20 }],
            "reserved_instances": [{ "instance_type": "m5.large", "count": p.range(1, 3), "discount_percent": 40 }] });
    }
    let (mut services, mut task_defs): (Vec<Value>, Vec<Value>) =
        (0..p.range(1, 3) as usize).map(|i| service(&mut p, i, groups, external, managed)).unzip();
    // Two load-balanced services with demand may share a target group: the second takes the first's traffic.
    let balanced: Vec<usize> = (0..services.len())
        .filter(|&i| services[i].get("demand").is_some() && services[i].get("load_balancer").is_some())
        .collect();
    if balanced.len() >= 2 && p.chance(0.5) {
        let (owner, member) = (balanced[0], balanced[1]);
        let name = services[owner]["name"].clone();
        let demand = services[member]["demand"].as_object_mut().unwrap();
        demand.remove("profile");
        demand.insert("shares_target_group_with".into(), name);
    }
    let mut run_tasks = Vec::new();
    for i in 0..p.below(3) {
        let name = format!("job{i}");
        let mut td = task_definition(&mut p, &name, false);
        td["run_duration_s"] = json!(p.range(10, 600));
        task_defs.push(td);
        run_tasks.push(json!({ "name": name, "task_definition": name, "count": p.range(1, 25),
            "at_s": p.seconds(120), "on_throttle": if p.chance(0.8) { "retry" } else { "fail" } }));
    }
    let spot_groups: Vec<usize> =
        (0..groups).filter(|&g| scenario["capacity_providers"][g]["purchase"] == "spot").collect();
    let mut events = Vec::new();
    for _ in 0..p.below(5) {
        let at_s = p.seconds(horizon_s.min(900));
        let service = format!("svc{}", p.below(services.len() as u64));
        events.push(match p.below(7) {
            6 => json!({ "type": "fargate_task_retirement", "at_s": at_s, "wait_period_days": 0 }),
            0 => json!({ "type": "scale", "at_s": at_s, "service": service, "desired_count": p.range(0, 15) }),
            1 => json!({ "type": "deploy", "at_s": at_s, "service": service }),
            2 => json!({ "type": "fargate_spot_interruption", "at_s": at_s, "fraction": p.range(1, 100) as f64 / 100.0 }),
            3 => json!({ "type": "fargate_spot_availability", "at_s": at_s,
                         "availability": *p.one(&["plenty", "tight", "none", "benchmark_2022"]) }),
            4 if !spot_groups.is_empty() => json!({ "type": "ec2_spot_interruption", "at_s": at_s,
                "provider": format!("asg{}", p.one(&spot_groups)), "fraction": p.range(1, 100) as f64 / 100.0 }),
            _ if groups > 0 => {
                let group = p.below(groups as u64) as usize;
                let g = &scenario["capacity_providers"][group];
                json!({ "type": "pool_capacity", "at_s": at_s, "provider": format!("asg{group}"),
                        "instance_type": g["instance_types"][0], "zone": g["availability_zones"][0], "available": p.chance(0.5) })
            }
            _ => json!({ "type": "scale", "at_s": at_s, "service": service, "desired_count": 0 }),
        });
    }
    // An SQS queue, consumed by a service without demand (a worker), scaled on the queue's metrics.
    if p.chance(0.3) {
        let arrivals = json!([{ "type": "constant", "rps": p.range(0, 20) },
            { "type": "spike", "at_s": p.range(0, 200), "duration_s": p.range(10, 300), "rps": p.range(1, 200) }]);
        scenario["queues"] = json!([{ "name": "q", "arrivals": arrivals, "visibility_timeout_s": p.range(0, 300),
            "max_receive_count": p.range(1, 5) }]);
        if let Some(s) = services.iter_mut().find(|s| s.get("demand").is_none()) {
            s["worker"] = json!({ "queue": "q", "messages_per_task": p.range(1, 10), "processing_s": p.range(1, 30),
                "processing_spread": p.range(0, 150) as f64 / 100.0 });
            if p.chance(0.7) {
                let max = p.range(1, 20);
                s["desired_count"] = s["desired_count"].as_u64().unwrap().min(max).into();
                s["autoscaling"] = json!({ "min_capacity": 0, "max_capacity": max,
                    "target_tracking": [{ "metric": "SQSBacklogPerTask", "target": p.range(1, 100), "disable_scale_in": true }],
                    "step_scaling": [
                        { "metric": "ApproximateNumberOfMessagesVisible", "comparison": "GreaterThanOrEqualToThreshold",
                          "threshold": 1, "adjustment_type": "ChangeInCapacity",
                          "step_adjustments": [{ "lower_bound": 0, "scaling_adjustment": 1 }] },
                        { "metric": "ApproximateNumberOfMessagesVisible", "comparison": "LessThanThreshold",
                          "threshold": 1, "evaluation_periods": p.range(1, 5), "adjustment_type": "ExactCapacity",
                          "step_adjustments": [{ "upper_bound": 0, "scaling_adjustment": 0 }] }] });
            }
        }
    }
    scenario["task_definitions"] = task_defs.into();
    scenario["services"] = services.into();
    scenario["run_tasks"] = run_tasks.into();
    scenario["events"] = events.into();
    // EventBridge scheduled tasks and recurring scheduled scaling actions (docs/model.md §11), drawn last.
    let with_start = p.chance(0.25);
    if with_start {
        // A fixed offset, or a named zone on the night its clocks go back (2026-11-01 in New York).
        scenario["start"] = if p.chance(0.3) {
            json!(format!("2026-11-01T00:5{}:00[America/New_York]", p.below(10)))
        } else {
            json!(format!("2026-12-0{}T01:5{}:00+09:00", p.range(1, 9), p.below(10)))
        };
    }
    if p.chance(0.2) {
        let expressions: &[&str] = if with_start {
            &[
                "cron(0 2 * * ? *)",
                "cron(*/5 * * * ? *)",
                "cron(0/2 2 ? * MON-FRI *)",
                "cron(0 2 L * ? *)",
                "cron(0 2 ? * 3#1 *)",
                "cron(0 2 15W * ? *)",
                "at(2026-12-05T02:00:00)",
                "rate(10 minutes)",
            ]
        } else {
            &["rate(1 minute)", "rate(10 minutes)", "rate(1 hour)"]
        };
        let mut td = task_definition(&mut p, "sched", false);
        td["run_duration_s"] = json!(p.range(10, 600));
        scenario["task_definitions"].as_array_mut().unwrap().push(td);
        let tasks: Vec<Value> = (0..p.range(1, 6))
            .map(|i| {
                let mut t = json!({ "name": format!("sched{i}"), "schedule": *p.one(expressions),
                    "time_zone": *p.one(&["+09:00", "UTC", "-05:00", "America/New_York", "Europe/London"]), "task_definition": "sched",
                    "task_count": p.range(1, 10) });
                if p.chance(0.3) {
                    t["capacity_provider_strategy"] = json!([{ "capacity_provider": "FARGATE_SPOT", "weight": 1 }]);
                }
                if p.chance(0.3) {
                    t["flexible_time_window_minutes"] = json!(p.range(1, 30));
                }
                if p.chance(0.4) {
                    t["retry_policy"] =
                        json!({ "maximum_event_age_s": p.range(60, 600), "maximum_retry_attempts": p.below(5) });
                }
                t
            })
            .collect();
        scenario["scheduled_tasks"] = tasks.into();
    }
    // AWS Batch (docs/model.md §12), from a stream of its own so the scenarios without it stay as they were.
    let mut b = Pick(SimRng::new(seed ^ 0x0ba7_c4ab_1e55));
    if b.chance(0.3) {
        scenario["batch"] = batch(&mut b, horizon_s);
        // The account's Fargate vCPU quotas (docs/model.md §4.8), which Batch Fargate jobs count against as the
        // services' and RunTask's tasks do: small enough to refuse some launches.
        if b.chance(0.3) {
            scenario["limits"] = json!({ "fargate_on_demand_vcpu_quota": b.range(1, 8),
                "fargate_spot_vcpu_quota": b.range(1, 8) });
        }
        // Scarce Fargate Spot capacity, which FARGATE_SPOT jobs wait for in the FIFO the services' Spot tasks use.
        if b.chance(0.3) {
            scenario["fargate_spot"] = json!({ "capacity_per_s": *b.one(&[0.0, 0.05, 0.5]) });
        }
    }
    let expression = if with_start { "cron(*/3 * * * ? *)" } else { "rate(4 minutes)" };
    for s in scenario["services"].as_array_mut().unwrap() {
        if s.get("autoscaling").is_some() && p.chance(0.3) {
            let max = s["autoscaling"]["max_capacity"].clone();
            s["autoscaling"]["scheduled_actions"] =
                json!([{ "schedule": expression, "time_zone": "+09:00", "max_capacity": max }]);
        }
    }
    // Live what-ifs (docs/model.md §16), from a stream of their own so the scenarios above stay as they were: one
    // instance's Spot notice by its id (the first few launched are the likeliest to exist, On-Demand or Spot), and
    // other callers in the account spending a bucket's tokens.
    let mut w = Pick(SimRng::new(seed ^ 0x0077_4a7f_1f5e));
    if w.chance(0.4) {
        let events = scenario["events"].as_array_mut().expect("the events are a list");
        for _ in 0..w.range(1, 3) {
            let at_s = w.seconds(horizon_s.min(900));
            events.push(if w.chance(0.5) {
                json!({ "type": "ec2_instance_interruption", "at_s": at_s, "instance": format!("i-{:08x}", w.below(6)) })
            } else {
                let bucket =
                    *w.one(&["fargate_on_demand_launch", "fargate_spot_launch", "run_task_api", "fargate_run_task_calls"]);
                match w.chance(0.5) {
                    true => json!({ "type": "account_tokens_spent", "at_s": at_s, "bucket": bucket }),
                    false => json!({ "type": "account_tokens_spent", "at_s": at_s, "bucket": bucket,
                                     "tokens": w.range(1, 200) }),
                }
            });
        }
    }
    // Last, so the picks above (and the scenarios they make) are as before: the scenario's own timeline end.
    if p.chance(0.2) {
        scenario["timeline_end_s"] = json!(p.range(1, horizon_s));
    }
    // A lesson (the page's lesson panel; the run ignores it), from a stream of its own so the scenarios above stay
    // as they were: steps at times within the horizon, highlighting a service, a provider or a chart.
    let mut l = Pick(SimRng::new(seed ^ 0x1e55_0a57_e905));
    if l.chance(0.3) {
        let services: Vec<String> = scenario["services"]
            .as_array()
            .map(|list| list.iter().filter_map(|s| s["name"].as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let steps: Vec<Value> = (0..l.range(1, 6))
            .map(|i| {
                let mut step = json!({ "text": format!("Step {i}: look at the cluster.") });
                if l.chance(0.5) {
                    step["text_ja"] = json!(format!("ステップ {i}: クラスターを見てください。"));
                }
                if l.chance(0.7) {
                    step["at_s"] = json!(l.seconds(horizon_s));
                }
                match l.below(4) {
                    0 if !services.is_empty() => step["highlight"] = json!({ "service": l.one(&services).clone() }),
                    1 => step["highlight"] = json!({ "provider": "FARGATE" }),
                    2 => step["highlight"] = json!({ "chart": *l.one(&["running", "backlog", "launches", "cost"]) }),
                    _ => {}
                }
                step
            })
            .collect();
        scenario["lesson"] = json!({ "steps": steps });
    }
    scenario
}

/// AWS Batch at small sizes: EC2 / Spot and Fargate compute environments, queues over them, job definitions with
/// retries, timeouts and evaluateOnExit, single and array submissions with dependencies, bursts, a schedule, and
/// Spot interruptions.
fn batch(p: &mut Pick, horizon_s: u64) -> Value {
    let ec2_kind = *p.one(&["EC2", "SPOT"]);
    let max = p.range(2, 32);
    let min = p.range(0, max.min(8));
    let mut ec2 = json!({ "name": "ce-ec2", "type": ec2_kind, "max_vcpus": max, "min_vcpus": min,
        "desired_vcpus": p.range(min, max),
        "instance_types": if p.chance(0.5) { json!(["optimal"]) } else { json!(["c5.large", "m5.large", "m5.xlarge"]) } });
    if ec2_kind == "SPOT" && p.chance(0.5) {
        ec2["allocation_strategy"] =
            json!(*p.one(&["SPOT_CAPACITY_OPTIMIZED", "SPOT_PRICE_CAPACITY_OPTIMIZED", "BEST_FIT_PROGRESSIVE"]));
    }
    if p.chance(0.3) {
        ec2["min_scale_down_delay_minutes"] = json!(p.range(20, 60));
    }
    let fargate =
        json!({ "name": "ce-fargate", "type": *p.one(&["FARGATE", "FARGATE_SPOT"]), "max_vcpus": p.range(1, 16) });
    let mut ec2_def = json!({ "name": "jd-ec2", "vcpus": p.range(1, 2), "memory_mib": p.range(256, 3000),
        "image_mb": p.range(0, 500), "retry_attempts": p.range(1, 3) });
    if p.chance(0.4) {
        ec2_def["evaluate_on_exit"] = json!([{ "action": "RETRY", "on_status_reason": "Host EC2*" },
            { "action": "EXIT", "on_reason": "*" }]);
    }
    if p.chance(0.3) {
        ec2_def["timeout_s"] = json!(p.range(60, 600));
    }
    let fargate_def = json!({ "name": "jd-fargate", "vcpus": *p.one(&[0.25, 0.5]), "memory_mib": 1024,
        "platform": "FARGATE", "image_mb": p.range(0, 300) });
    let mut submissions: Vec<Value> = Vec::new();
    let mut single_call: Vec<(String, u64, u64)> = Vec::new();
    for i in 0..p.range(1, 4) {
        let on_fargate = p.chance(0.3);
        let name = format!("sub{i}");
        let array = if p.chance(0.6) { p.range(2, 40) } else { 0 };
        let mut s = json!({ "name": name, "job_queue": if on_fargate { "q-fargate" } else { "q-ec2" },
            "job_definition": if on_fargate { "jd-fargate" } else { "jd-ec2" },
            "run_time": { "mean_s": p.range(5, 300), "spread": p.range(0, 50) as f64 / 100.0 },
            "failure_probability": p.range(0, 30) as f64 / 100.0, "at_s": p.range(0, 200) });
        if array > 0 {
            s["array_size"] = json!(array);
        }
        let mut deps = Vec::new();
        if array > 0 && p.chance(0.2) {
            deps.push(json!({ "type": "SEQUENTIAL" }));
        }
        if let Some((other, other_size, other_at)) = single_call.last().cloned() {
            if p.chance(0.5) {
                s["at_s"] = json!(other_at + p.range(0, 100));
                if array > 0 && array == other_size && p.chance(0.5) {
                    deps.push(json!({ "job": other, "type": "N_TO_N" }));
                } else if array > 0 && other_size > 0 && p.chance(0.5) {
                    s["array_size"] = json!(other_size);
                    deps.push(json!({ "job": other, "type": "N_TO_N" }));
                } else {
                    deps.push(json!({ "job": other }));
                }
            }
        }
        let size = s["array_size"].as_u64().unwrap_or(0);
        let at = s["at_s"].as_u64().unwrap_or(0);
        if !deps.is_empty() {
            s["depends_on"] = deps.into();
            single_call.push((name, size, at));
        } else if p.chance(0.2) {
            s["calls"] = json!(p.range(2, 60));
        } else if p.chance(0.15) {
            s["schedule"] = json!("rate(10 minutes)");
        } else {
            single_call.push((name, size, at));
        }
        submissions.push(s);
    }
    let mut spec = json!({ "compute_environments": [ec2, fargate],
        "job_queues": [{ "name": "q-ec2", "priority": p.range(1, 10), "compute_environments": ["ce-ec2"] },
                       { "name": "q-fargate", "priority": p.range(1, 10), "compute_environments": ["ce-fargate"] }],
        "job_definitions": [ec2_def, fargate_def], "submissions": submissions });
    if ec2_kind == "SPOT" && p.chance(0.6) {
        spec["spot_interruptions"] = json!([{ "at_s": p.seconds(horizon_s.min(900)), "compute_environment": "ce-ec2",
            "fraction": p.range(1, 100) as f64 / 100.0 }]);
    }
    if p.chance(0.3) {
        spec["submit_job_api"] = json!({ "burst": p.range(1, 10), "refill_per_s": p.range(1, 10) });
    }
    if p.chance(0.3) {
        spec["scheduler_interval_s"] = json!(p.range(1, 30));
    }
    // Pool capacity shortages (picked last so the picks above stay as they were): the c5.large pool of the EC2 /
    // Spot environment runs dry and perhaps comes back, under any allocation strategy its type allows.
    if p.chance(0.4) {
        let dry_at = p.seconds(horizon_s.min(600));
        let mut events = vec![json!({ "at_s": dry_at, "compute_environment": "ce-ec2", "instance_type": "c5.large",
            "available": false })];
        if p.chance(0.5) {
            events.push(json!({ "at_s": dry_at + p.range(10, 600) as f64, "compute_environment": "ce-ec2",
                "instance_type": "c5.large", "available": true }));
        }
        spec["pool_capacity"] = events.into();
        let strategies: &[&str] = if ec2_kind == "SPOT" {
            &["BEST_FIT", "BEST_FIT_PROGRESSIVE", "SPOT_CAPACITY_OPTIMIZED", "SPOT_PRICE_CAPACITY_OPTIMIZED"]
        } else {
            &["BEST_FIT", "BEST_FIT_PROGRESSIVE"]
        };
        spec["compute_environments"][0]["allocation_strategy"] = json!(*p.one(strategies));
    }
    // Random EC2 Spot interruptions of the Spot environment's instances (picked last, as above): the Advisor's
    // buckets, one type overridden.
    if ec2_kind == "SPOT" && p.chance(0.4) {
        spec["compute_environments"][0]["interruption_frequency"] = json!(*p.one(&["<5%", "10-15%", ">20%"]));
        if p.chance(0.5) {
            spec["compute_environments"][0]["instance_types"] = json!(["c5.large", "m5.large"]);
            spec["compute_environments"][0]["interruption_frequency_by_type"] = json!({ "m5.large": "5-10%" });
        }
    }
    spec
}
