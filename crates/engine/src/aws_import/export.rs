//! A scenario's task definitions, services and Auto Scaling group capacity providers as AWS documents: the input of
//! `register-task-definition`, `create-service`, `create-capacity-provider` and `create-auto-scaling-group`, or one
//! CloudFormation template. Importing the export gives back what those shapes carry (tested in `tests.rs`).
//!
//! What a scenario does not know (the container image, the health check command, subnets, target group and launch
//! template names) is written as a value starting with `REPLACE:` and listed in the notes; what the documents cannot
//! carry (image size, failures, demand, auto scaling, the target group's own settings) is listed too.

use serde_json::{json, Map, Value};

use crate::spec::{
    AllocationStrategy, Architecture, BinpackField, CapacityProviderSpec, LaunchType, NetworkMode,
    PlacementConstraintSpec, PlacementStrategySpec, Purchase, ScenarioSpec, ServiceSpec, StrategyItemSpec,
    TaskDefinitionSpec,
};

/// Exported documents (a file name and its JSON) and what the export could not say.
#[derive(Debug, Clone)]
pub struct Exported {
    pub documents: Vec<(String, Value)>,
    pub notes: Vec<String>,
}

/// Where a task definition runs, from the services that use it: FARGATE and / or EC2.
fn compatibilities(spec: &ScenarioSpec, td: &TaskDefinitionSpec) -> Vec<&'static str> {
    let mut fargate = false;
    let mut ec2 = false;
    let asg = |name: &str| spec.capacity_providers.iter().any(|p| p.name == name);
    let mut visit = |launch: Option<LaunchType>, strategy: &[StrategyItemSpec]| match (launch, strategy.is_empty()) {
        (Some(LaunchType::Fargate), _) | (None, true) => fargate = true,
        (Some(_), _) => ec2 = true,
        (None, false) => {
            for item in strategy {
                if asg(&item.capacity_provider) {
                    ec2 = true;
                } else {
                    fargate = true;
                }
            }
        }
    };
    for s in spec.services.iter().filter(|s| s.task_definition == td.name) {
        visit(s.launch_type, &s.capacity_provider_strategy);
    }
    for r in spec.run_tasks.iter().filter(|r| r.task_definition == td.name) {
        visit(r.launch_type, &r.capacity_provider_strategy);
    }
    let mut out = Vec::new();
    if fargate
        || !ec2 && td.network_mode == NetworkMode::Awsvpc && crate::fargate::check_size(td.cpu, td.memory).is_ok()
    {
        out.push("FARGATE");
    }
    if ec2 || out.is_empty() {
        out.push("EC2");
    }
    out
}

fn network_mode(mode: NetworkMode) -> &'static str {
    match mode {
        NetworkMode::Awsvpc => "awsvpc",
        NetworkMode::Bridge => "bridge",
        NetworkMode::Host => "host",
    }
}

/// `register-task-definition` input.
pub fn task_definition(spec: &ScenarioSpec, td: &TaskDefinitionSpec, notes: &mut Vec<String>) -> Value {
    let name = &td.name;
    let mut container = Map::new();
    container.insert("name".into(), json!(name));
    container.insert("image".into(), json!(format!("REPLACE: the image of {name}")));
    container.insert("essential".into(), json!(true));
    notes.push(format!(
        "task definition `{name}`: the image is not in a scenario (only its size, {} MB): replace the `REPLACE:` value",
        td.image_mb
    ));
    if !td.port_mappings.is_empty() {
        let ports: Vec<Value> = td
            .port_mappings
            .iter()
            .map(|p| match p.host_port {
                Some(h) => json!({ "containerPort": p.container_port, "hostPort": h, "protocol": "tcp" }),
                None => json!({ "containerPort": p.container_port, "protocol": "tcp" }),
            })
            .collect();
        container.insert("portMappings".into(), Value::Array(ports));
    }
    if let Some(hc) = &td.health_check {
        container.insert(
            "healthCheck".into(),
            json!({
                "command": ["CMD-SHELL", format!("REPLACE: the health check command of {name}")],
                "interval": crate::narrow::round_u32(hc.interval_s),
                "retries": hc.retries,
                "startPeriod": crate::narrow::round_u32(hc.start_period_s),
            }),
        );
        notes.push(format!(
            "task definition `{name}`: the health check command is not in a scenario: replace the `REPLACE:` value"
        ));
        if hc.ready_after_s > 0.0 {
            notes.push(format!(
                "task definition `{name}`: ready_after_s ({} s) is not a task definition field",
                hc.ready_after_s
            ));
        }
    }
    container.insert("stopTimeout".into(), json!(crate::narrow::round_u32(td.stop_timeout_s)));
    if td.lazy_loading
        || td.run_duration_s.is_some()
        || td.failure != Default::default()
        || td.cpu_utilization_percent.is_some()
    {
        notes.push(format!(
            "task definition `{name}`: lazy loading, run duration, failures and CPU utilisation describe behaviour, not the task definition: not exported"
        ));
    }
    json!({
        "family": name,
        "networkMode": network_mode(td.network_mode),
        "requiresCompatibilities": compatibilities(spec, td),
        "cpu": td.cpu.to_string(),
        "memory": td.memory.to_string(),
        "runtimePlatform": {
            "cpuArchitecture": match td.architecture { Architecture::X86_64 => "X86_64", Architecture::Arm64 => "ARM64" },
            "operatingSystemFamily": "LINUX",
        },
        "containerDefinitions": [Value::Object(container)],
    })
}

fn strategy_json(items: &[StrategyItemSpec]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|i| json!({ "capacityProvider": i.capacity_provider, "base": i.base, "weight": i.weight }))
            .collect(),
    )
}

/// `create-service` input.
pub fn service(spec: &ScenarioSpec, s: &ServiceSpec, notes: &mut Vec<String>) -> Value {
    let name = &s.name;
    let mut out = Map::new();
    out.insert("serviceName".into(), json!(name));
    out.insert("taskDefinition".into(), json!(s.task_definition));
    out.insert("desiredCount".into(), json!(s.desired_count));
    match (s.launch_type, s.capacity_provider_strategy.is_empty()) {
        (Some(LaunchType::Fargate) | None, true) => {
            out.insert("launchType".into(), json!("FARGATE"));
        }
        (Some(LaunchType::Ec2), _) => {
            out.insert("launchType".into(), json!("EC2"));
        }
        (Some(LaunchType::External), _) => {
            out.insert("launchType".into(), json!("EXTERNAL"));
        }
        (_, false) => {
            out.insert("capacityProviderStrategy".into(), strategy_json(&s.capacity_provider_strategy));
        }
    }
    let mut deployment = json!({
        "maximumPercent": s.deployment.maximum_percent,
        "minimumHealthyPercent": s.deployment.minimum_healthy_percent,
    });
    if let Some(cb) = &s.deployment.circuit_breaker {
        deployment["deploymentCircuitBreaker"] = json!({ "enable": cb.enable, "rollback": cb.rollback });
    }
    out.insert("deploymentConfiguration".into(), deployment);
    if !s.placement_strategy.is_empty() {
        let items: Vec<Value> = s
            .placement_strategy
            .iter()
            .map(|p| match p {
                PlacementStrategySpec::Random => json!({ "type": "random" }),
                PlacementStrategySpec::Spread { field } => json!({ "type": "spread", "field": field }),
                PlacementStrategySpec::Binpack { field } => json!({
                    "type": "binpack",
                    "field": match field { BinpackField::Cpu => "cpu", BinpackField::Memory => "memory" },
                }),
            })
            .collect();
        out.insert("placementStrategy".into(), Value::Array(items));
    }
    if !s.placement_constraints.is_empty() {
        let items: Vec<Value> = s
            .placement_constraints
            .iter()
            .map(|c| match c {
                PlacementConstraintSpec::DistinctInstance => json!({ "type": "distinctInstance" }),
                PlacementConstraintSpec::MemberOf { expression } => {
                    json!({ "type": "memberOf", "expression": expression })
                }
            })
            .collect();
        out.insert("placementConstraints".into(), Value::Array(items));
    }
    let td = spec.task_definitions.iter().find(|t| t.name == s.task_definition);
    if s.load_balancer.is_some() {
        let port = td.and_then(|t| t.port_mappings.first()).map_or(80, |p| p.container_port);
        out.insert(
            "loadBalancers".into(),
            json!([{ "targetGroupArn": format!("REPLACE: the target group of {name}"), "containerName": s.task_definition, "containerPort": port }]),
        );
        notes.push(format!(
            "service `{name}`: the target group's ARN is not in a scenario, nor are its health check and deregistration settings (set them on the target group)"
        ));
    }
    if td.is_some_and(|t| t.network_mode == NetworkMode::Awsvpc) {
        out.insert(
            "networkConfiguration".into(),
            json!({ "awsvpcConfiguration": {
                "subnets": ["REPLACE: subnet ids"],
                "assignPublicIp": if s.assign_public_ip { "ENABLED" } else { "DISABLED" },
            }}),
        );
        notes.push(format!("service `{name}`: subnets are not in a scenario: replace the `REPLACE:` value"));
    }
    if s.autoscaling.is_some() || s.demand.is_some() || s.worker.is_some() {
        notes.push(format!(
            "service `{name}`: demand, auto scaling and queue work are not part of create-service: not exported"
        ));
    }
    out.insert("schedulingStrategy".into(), json!("REPLICA"));
    Value::Object(out)
}

/// `create-capacity-provider` input; the group is named by its name (a real call takes its ARN).
pub fn capacity_provider(p: &CapacityProviderSpec) -> Value {
    let mut asg = json!({
        "autoScalingGroupArn": p.name.clone() + "-asg",
        "managedTerminationProtection": if p.managed_termination_protection { "ENABLED" } else { "DISABLED" },
        "managedDraining": if p.managed_draining { "ENABLED" } else { "DISABLED" },
    });
    if let Some(ms) = &p.managed_scaling {
        asg["managedScaling"] = json!({
            "status": "ENABLED",
            "targetCapacity": ms.target_capacity,
            "minimumScalingStepSize": ms.minimum_scaling_step_size,
            "maximumScalingStepSize": ms.maximum_scaling_step_size,
            "instanceWarmupPeriod": crate::narrow::round_u32(ms.instance_warmup_period_s),
        });
    }
    json!({ "name": p.name, "autoScalingGroupProvider": asg })
}

/// `create-auto-scaling-group` input for a provider's group.
pub fn auto_scaling_group(p: &CapacityProviderSpec, notes: &mut Vec<String>) -> Value {
    let spot = p.purchase == Purchase::Spot;
    let mut distribution = json!({
        "OnDemandBaseCapacity": 0,
        "OnDemandPercentageAboveBaseCapacity": if spot { 0 } else { 100 },
    });
    if spot {
        distribution["SpotAllocationStrategy"] = json!(match p.allocation_strategy {
            AllocationStrategy::Prioritized | AllocationStrategy::LowestPrice => "lowest-price",
            AllocationStrategy::CapacityOptimized => "capacity-optimized",
            AllocationStrategy::PriceCapacityOptimized => "price-capacity-optimized",
        });
    }
    notes.push(format!(
        "Auto Scaling group `{}-asg`: the launch template (AMI, user data joining the cluster) is not in a scenario: replace the `REPLACE:` value; the capacity provider names the group by name where the API wants its ARN",
        p.name
    ));
    json!({
        "AutoScalingGroupName": p.name.clone() + "-asg",
        "MinSize": p.min_size,
        "MaxSize": p.max_size,
        "DesiredCapacity": p.desired_capacity,
        "AvailabilityZones": p.availability_zones,
        "CapacityRebalance": p.capacity_rebalance,
        "MixedInstancesPolicy": {
            "LaunchTemplate": {
                "LaunchTemplateSpecification": { "LaunchTemplateName": format!("REPLACE: the launch template of {}", p.name), "Version": "$Latest" },
                "Overrides": p.instance_types.iter().map(|t| json!({ "InstanceType": t })).collect::<Vec<_>>(),
            },
            "InstancesDistribution": distribution,
        },
    })
}

fn file_name(prefix: &str, name: &str) -> String {
    let clean: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    format!("{prefix}-{clean}.json")
}

/// The scenario as AWS CLI input documents, one per call, named `taskdef-<name>.json`, `service-<name>.json`,
/// `capacity-provider-<name>.json`, `asg-<name>.json`.
pub fn cli(spec: &ScenarioSpec) -> Exported {
    let mut notes = Vec::new();
    let mut documents = Vec::new();
    for td in &spec.task_definitions {
        documents.push((file_name("taskdef", &td.name), task_definition(spec, td, &mut notes)));
    }
    for p in &spec.capacity_providers {
        documents.push((file_name("capacity-provider", &p.name), capacity_provider(p)));
        documents.push((file_name("asg", &p.name), auto_scaling_group(p, &mut notes)));
    }
    for s in &spec.services {
        documents.push((file_name("service", &s.name), service(spec, s, &mut notes)));
    }
    not_exported(spec, &mut notes);
    Exported { documents, notes }
}

fn not_exported(spec: &ScenarioSpec, notes: &mut Vec<String>) {
    let mut parts = Vec::new();
    if !spec.run_tasks.is_empty() {
        parts.push("run_tasks");
    }
    if !spec.events.is_empty() {
        parts.push("events");
    }
    if !spec.external_instances.is_empty() {
        parts.push("external_instances");
    }
    if spec.batch.is_some() {
        parts.push("batch");
    }
    if !spec.scheduled_tasks.is_empty() {
        parts.push("scheduled_tasks");
    }
    if !spec.managed_instances_providers.is_empty() {
        parts.push("managed_instances_providers");
    }
    if !spec.queues.is_empty() {
        parts.push("queues");
    }
    if !spec.commitments.is_empty() {
        parts.push("commitments");
    }
    if !parts.is_empty() {
        notes.push(format!("not exported (no ECS / Auto Scaling document holds them): {}", parts.join(", ")));
    }
}

/// A CloudFormation logical id from a name: letters and digits only.
fn logical_id(prefix: &str, name: &str) -> String {
    let clean: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("{prefix}{clean}")
}

/// `placementStrategy` is `PlacementStrategies` in CloudFormation; every other key is the API's, capitalised.
fn capitalise(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k.as_str() {
                        "placementStrategy" => "PlacementStrategies".to_string(),
                        _ => {
                            let mut c = k.chars();
                            c.next().map_or_else(String::new, |f| f.to_ascii_uppercase().to_string() + c.as_str())
                        }
                    };
                    (key, capitalise(v))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(capitalise).collect()),
        other => other,
    }
}

/// The scenario as one CloudFormation template (JSON): services refer to their task definitions and capacity
/// providers with `Ref`, providers to their groups.
pub fn cloudformation(spec: &ScenarioSpec) -> Exported {
    let mut notes = Vec::new();
    let mut resources = Map::new();
    for td in &spec.task_definitions {
        resources.insert(
            logical_id("TaskDef", &td.name),
            json!({ "Type": "AWS::ECS::TaskDefinition", "Properties": capitalise(task_definition(spec, td, &mut notes)) }),
        );
    }
    let provider_ids: Vec<(String, String)> =
        spec.capacity_providers.iter().map(|p| (p.name.clone(), logical_id("Provider", &p.name))).collect();
    for p in &spec.capacity_providers {
        let group = logical_id("Group", &p.name);
        let mut props = capitalise(capacity_provider(p));
        props["AutoScalingGroupProvider"]["AutoScalingGroupArn"] = json!({ "Ref": group });
        resources.insert(
            logical_id("Provider", &p.name),
            json!({ "Type": "AWS::ECS::CapacityProvider", "Properties": props }),
        );
        resources.insert(
            group,
            json!({ "Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": auto_scaling_group(p, &mut notes) }),
        );
    }
    for s in &spec.services {
        let mut props = capitalise(service(spec, s, &mut notes));
        props["TaskDefinition"] = json!({ "Ref": logical_id("TaskDef", &s.task_definition) });
        if let Some(Value::Array(items)) = props.get_mut("CapacityProviderStrategy") {
            for item in items {
                let name = item["CapacityProvider"].as_str().unwrap_or_default().to_string();
                if let Some((_, id)) = provider_ids.iter().find(|(n, _)| *n == name) {
                    item["CapacityProvider"] = json!({ "Ref": id });
                }
            }
        }
        resources.insert(logical_id("Service", &s.name), json!({ "Type": "AWS::ECS::Service", "Properties": props }));
    }
    not_exported(spec, &mut notes);
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("{} (exported by Fleetplan)", spec.name),
        "Resources": resources,
    });
    Exported { documents: vec![("template.json".into(), template)], notes }
}
