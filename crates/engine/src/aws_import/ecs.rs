//! Task definitions and services: the ECS API's shapes (describe output and register / create input) and the
//! CloudFormation `AWS::ECS::TaskDefinition` / `AWS::ECS::Service` properties (the same names, capitalised).

use serde_json::Value;

use super::read::{array_of, join, u32_of, Ctx, Obj};
use super::{NoteKind, Origin};
use crate::defaults as d;
use crate::spec::{
    Architecture, CircuitBreakerSpec, DeploymentSpec, HealthCheckSpec, LaunchType, LoadBalancerSpec, NetworkMode,
    PlacementConstraintSpec, PlacementStrategySpec, PortMappingSpec, ServiceSpec, StrategyItemSpec, TaskDefinitionSpec,
};

const READ_ONLY: &str = "state reported by a describe call, not configuration";

/// A task definition and what else the scenario needs from it.
pub(super) struct TaskDefDraft {
    pub spec: TaskDefinitionSpec,
    /// `requiresCompatibilities` contains FARGATE.
    pub fargate: bool,
    pub origin: Origin,
}

/// A service, its task definition still a reference (family, `family:revision` or an ARN).
pub(super) struct ServiceDraft {
    pub spec: ServiceSpec,
    pub task_ref: String,
    pub origin: Origin,
}

/// `1 vCPU`, `0.25 vcpu` or CPU units (`256`): the forms RegisterTaskDefinition takes for the task's `cpu`.
fn task_cpu(v: &Value, path: &str, ctx: &mut Ctx) -> Option<u32> {
    if let Value::String(s) = v {
        let lower = s.trim().to_ascii_lowercase();
        if let Some(n) = lower.strip_suffix("vcpu") {
            return match n.trim().parse::<f64>() {
                Ok(vcpu) if vcpu > 0.0 && vcpu <= 192.0 => Some(crate::narrow::round_u32(vcpu * 1024.0)),
                _ => {
                    ctx.error(path, format!("expected CPU units or `N vCPU`, got `{s}`"));
                    None
                }
            };
        }
    }
    u32_of(v, path, ctx)
}

/// `2 GB`, `0.5GB` or MiB (`512`): the forms RegisterTaskDefinition takes for the task's `memory`.
fn task_memory(v: &Value, path: &str, ctx: &mut Ctx) -> Option<u32> {
    if let Value::String(s) = v {
        let lower = s.trim().to_ascii_lowercase();
        if let Some(n) = lower.strip_suffix("gb") {
            return match n.trim().parse::<f64>() {
                Ok(gb) if gb > 0.0 && gb <= 4096.0 => Some(crate::narrow::round_u32(gb * 1024.0)),
                _ => {
                    ctx.error(path, format!("expected MiB or `N GB`, got `{s}`"));
                    None
                }
            };
        }
    }
    u32_of(v, path, ctx)
}

fn port(v: &Value, path: &str, ctx: &mut Ctx) -> Option<u16> {
    let n = u32_of(v, path, ctx)?;
    match u16::try_from(n) {
        Ok(p) => Some(p),
        Err(_) => {
            ctx.error(path, format!("a port is at most 65535, got {n}"));
            None
        }
    }
}

const CONTAINER_NOT_MODELLED: &[&str] = &[
    "environment",
    "environmentFiles",
    "secrets",
    "command",
    "entryPoint",
    "logConfiguration",
    "mountPoints",
    "volumesFrom",
    "dependsOn",
    "startTimeout",
    "links",
    "workingDirectory",
    "user",
    "ulimits",
    "linuxParameters",
    "dockerLabels",
    "privileged",
    "readonlyRootFilesystem",
    "dnsServers",
    "dnsSearchDomains",
    "extraHosts",
    "firelensConfiguration",
    "repositoryCredentials",
    "resourceRequirements",
    "systemControls",
    "interactive",
    "pseudoTerminal",
    "disableNetworking",
    "hostname",
    "dockerSecurityOptions",
    "restartPolicy",
    "versionConsistency",
    "credentialSpecs",
    "gpu",
];

/// What one container contributes to the task.
struct Container {
    name: String,
    cpu: u32,
    /// `memoryReservation`, else `memory`: what placement reserves for it.
    memory: Option<u32>,
    essential: bool,
    ports: Vec<PortMappingSpec>,
    health_check: Option<(HealthCheckSpec, String)>,
    stop_timeout_s: Option<f64>,
}

fn container(value: &Value, path: String, bridge: bool, ctx: &mut Ctx) -> Option<Container> {
    let mut o = Obj::of(value, path, ctx)?;
    let name = o.str("name", ctx).map(|(s, _)| s.to_string()).unwrap_or_default();
    match o.str("image", ctx) {
        Some((image, path)) => ctx.note(
            &path,
            NoteKind::Assumed,
            format!(
                "`{image}`: its size is not in a task definition; image_mb = {} (defaults::IMAGE_MB), set image_mb to the compressed size to model its pull",
                d::IMAGE_MB
            ),
        ),
        // Present but unresolved (a CloudFormation `Fn::Sub` of the account id) is reported where it was found.
        None if o.has("image") => {}
        None => ctx.error(&o.path, "a container needs an `image`"),
    }
    let cpu = o.u32("cpu", ctx).map_or(0, |(n, _)| n);
    let hard = o.u32("memory", ctx).map(|(n, _)| n);
    let soft = o.u32("memoryReservation", ctx).map(|(n, _)| n);
    // "If you specify both, memory must be greater than memoryReservation" (ContainerDefinition); placement reserves
    // the reservation.
    let memory = soft.or(hard);
    let essential = o.bool("essential", ctx).is_none_or(|(b, _)| b);
    let mut ports = Vec::new();
    if let Some((list, path)) = o.array("portMappings", ctx) {
        for (i, item) in list.iter().enumerate() {
            let Some(mut p) = Obj::of(item, format!("{path}[{i}]"), ctx) else { continue };
            let container_port = p.get("containerPort").and_then(|(v, path)| port(v, &path, ctx));
            // "If you use containers in a task with the bridge ... network mode and you don't specify a host port
            // or set it to 0, the container port is assigned a host port from the ephemeral range" (PortMapping).
            let host_port =
                p.get("hostPort").and_then(|(v, path)| port(v, &path, ctx)).filter(|&h| !(bridge && h == 0));
            p.known(
                &["protocol", "name", "appProtocol", "containerPortRange", "hostIp"],
                NoteKind::NotModelled,
                "ports are modelled by number only",
                ctx,
            );
            match container_port {
                Some(container_port) => ports.push(PortMappingSpec { container_port, host_port }),
                None => ctx.note(
                    &p.path,
                    NoteKind::NotModelled,
                    "a mapping without containerPort (a port range) is not modelled",
                ),
            }
            p.finish(ctx);
        }
    }
    let health_check = o.obj("healthCheck", ctx).map(|mut h| {
        let interval_s = h.u32("interval", ctx).map_or(d::HEALTH_CHECK_INTERVAL_S, |(n, _)| f64::from(n));
        let retries = h.u32("retries", ctx).map_or(d::HEALTH_CHECK_RETRIES, |(n, _)| n);
        let start_period_s = h.u32("startPeriod", ctx).map_or(0.0, |(n, _)| f64::from(n));
        h.get("command");
        h.known(&["timeout"], NoteKind::NotModelled, "a check's own duration is not modelled", ctx);
        ctx.note(
            &h.path,
            NoteKind::Assumed,
            "when the application starts answering is not in the JSON: ready_after_s = 0 (healthy at the first check)",
        );
        let path = h.path.clone();
        h.finish(ctx);
        (HealthCheckSpec { interval_s, retries, start_period_s, ready_after_s: 0.0 }, path)
    });
    let stop_timeout_s = o.u32("stopTimeout", ctx).map(|(n, _)| f64::from(n));
    o.known(CONTAINER_NOT_MODELLED, NoteKind::NotModelled, "not modelled", ctx);
    o.known(&["memoryReservation"], NoteKind::NotModelled, "not modelled", ctx);
    o.finish(ctx);
    Some(Container { name, cpu, memory, essential, ports, health_check, stop_timeout_s })
}

/// One task definition: `register-task-definition` input, the `taskDefinition` of `describe-task-definition`, or
/// a CloudFormation `AWS::ECS::TaskDefinition`'s properties (then `name` is the template's name for it).
pub(super) fn task_definition(mut o: Obj, name: Option<String>, ctx: &mut Ctx) -> Option<TaskDefDraft> {
    let mut origin = Origin::new(&ctx.source, &o.path);
    let family = o.str("family", ctx).map(|(s, _)| s.to_string());
    let Some(name) = family.or(name) else {
        ctx.error(&o.path, "a task definition needs a `family`");
        o.finish(ctx);
        return None;
    };
    o.known(
        &[
            "taskDefinitionArn",
            "revision",
            "status",
            "compatibilities",
            "registeredAt",
            "registeredBy",
            "requiresAttributes",
            "deregisteredAt",
        ],
        NoteKind::ReadOnly,
        READ_ONLY,
        ctx,
    );
    o.known(
        &[
            "taskRoleArn",
            "executionRoleArn",
            "volumes",
            "placementConstraints",
            "proxyConfiguration",
            "inferenceAccelerators",
            "ephemeralStorage",
            "pidMode",
            "ipcMode",
            "tags",
            "enableFaultInjection",
        ],
        NoteKind::NotModelled,
        "not modelled",
        ctx,
    );
    let task_cpu = o.get("cpu").and_then(|(v, path)| task_cpu(v, &path, ctx).map(|n| (n, path)));
    let task_memory = o.get("memory").and_then(|(v, path)| task_memory(v, &path, ctx).map(|n| (n, path)));
    let mut fargate = false;
    if let Some((list, path)) = o.array("requiresCompatibilities", ctx) {
        for (i, item) in list.iter().enumerate() {
            match item.as_str() {
                Some("FARGATE") => fargate = true,
                Some("EC2" | "EXTERNAL" | "MANAGED_INSTANCES") => {}
                _ => ctx.error(&format!("{path}[{i}]"), "expected FARGATE, EC2, EXTERNAL or MANAGED_INSTANCES"),
            }
        }
    }
    let network_mode = match o.str("networkMode", ctx) {
        Some(("awsvpc", _)) => NetworkMode::Awsvpc,
        Some(("bridge", _)) => NetworkMode::Bridge,
        Some(("host", _)) => NetworkMode::Host,
        Some((other, path)) => {
            ctx.error(&path, format!("network mode `{other}` is not modelled (awsvpc, bridge and host are)"));
            NetworkMode::Awsvpc
        }
        None if fargate => NetworkMode::Awsvpc,
        None => {
            // "If no network mode is specified, the default network mode is bridge" (task definition parameters,
            // Network mode; Linux on EC2).
            ctx.note(&o.path, NoteKind::Assumed, "no networkMode: bridge, ECS's default on Linux EC2 instances");
            NetworkMode::Bridge
        }
    };
    origin.field("network_mode", join(&o.path, "networkMode"));
    let mut architecture = Architecture::X86_64;
    if let Some(mut rp) = o.obj("runtimePlatform", ctx) {
        match rp.str("cpuArchitecture", ctx) {
            Some(("X86_64", _)) | None => {}
            Some(("ARM64", _)) => architecture = Architecture::Arm64,
            Some((other, path)) => ctx.error(&path, format!("expected X86_64 or ARM64, got `{other}`")),
        }
        if let Some((os, path)) = rp.str("operatingSystemFamily", ctx) {
            if os != "LINUX" {
                ctx.note(
                    &path,
                    NoteKind::NotModelled,
                    format!("`{os}`: only Linux tasks are modelled; imported as Linux"),
                );
            }
        }
        rp.finish(ctx);
    }
    let bridge = network_mode == NetworkMode::Bridge;
    let mut containers = Vec::new();
    match o.array("containerDefinitions", ctx) {
        Some((list, path)) if !list.is_empty() => {
            for (i, item) in list.iter().enumerate() {
                if let Some(c) = container(item, format!("{path}[{i}]"), bridge, ctx) {
                    containers.push((c, format!("{path}[{i}]")));
                }
            }
        }
        Some((_, path)) => ctx.error(&path, "a task definition needs at least one container"),
        None => ctx.error(&o.path, "a task definition needs `containerDefinitions`"),
    }
    let containers_cpu = containers.iter().fold(0u32, |sum, (c, _)| sum.saturating_add(c.cpu));
    let cpu = match task_cpu {
        Some((cpu, path)) => {
            // "the total amount of CPU reserved for all containers within a task be lower than the task-level cpu
            // value" (task definition parameters, cpu).
            if containers_cpu > cpu {
                ctx.error(
                    &path,
                    format!("the containers reserve {containers_cpu} CPU units, more than the task's {cpu}"),
                );
            }
            origin.field("cpu", path);
            cpu
        }
        None => {
            ctx.note(
                &o.path,
                NoteKind::Assumed,
                format!("no task-level cpu: the sum of the containers' cpu, {containers_cpu} units (EC2 only; Fargate requires a task size)"),
            );
            containers_cpu
        }
    };
    let memory = match task_memory {
        Some((memory, path)) => {
            let reserved = containers.iter().fold(0u32, |sum, (c, _)| sum.saturating_add(c.memory.unwrap_or(0)));
            if reserved > memory {
                ctx.error(&path, format!("the containers reserve {reserved} MiB, more than the task's {memory} MiB"));
            }
            origin.field("memory", path);
            memory
        }
        None => {
            // "For tasks that don't have a task size, you must configure the Container Memory" (re:Post, allocate
            // ECS memory to tasks).
            let mut sum = 0u32;
            for (c, path) in &containers {
                match c.memory {
                    Some(m) => sum = sum.saturating_add(m),
                    None => ctx.error(
                        path,
                        format!(
                            "container `{}`: no memory or memoryReservation, and the task has no task-level memory",
                            c.name
                        ),
                    ),
                }
            }
            ctx.note(
                &o.path,
                NoteKind::Assumed,
                format!("no task-level memory: the sum of the containers' reservations, {sum} MiB"),
            );
            sum
        }
    };
    let port_mappings: Vec<PortMappingSpec> = containers.iter().flat_map(|(c, _)| c.ports.iter().cloned()).collect();
    origin.field("port_mappings", join(&o.path, "containerDefinitions"));
    // The task is healthy when its essential containers are; the model has one check per task.
    let mut checks = containers.iter().filter(|(c, _)| c.essential).filter_map(|(c, _)| c.health_check.clone());
    let health_check = checks.next().map(|(hc, path)| {
        origin.field("health_check", path);
        hc
    });
    for (_, path) in checks {
        ctx.note(
            &path,
            NoteKind::NotModelled,
            "one health check per task is modelled: the first essential container's is used",
        );
    }
    // Stopping waits for every container's own timeout.
    let stop_timeout_s = containers
        .iter()
        .filter_map(|(c, _)| c.stop_timeout_s)
        .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.max(t))));
    origin.field("stop_timeout_s", join(&o.path, "containerDefinitions"));
    o.finish(ctx);
    Some(TaskDefDraft {
        spec: TaskDefinitionSpec {
            name,
            cpu,
            memory,
            image_mb: d::IMAGE_MB,
            lazy_loading: false,
            network_mode,
            architecture,
            port_mappings,
            health_check,
            stop_timeout_s: stop_timeout_s.unwrap_or(d::STOP_TIMEOUT_S),
            run_duration_s: None,
            failure: Default::default(),
            cpu_utilization_percent: None,
        },
        fargate,
        origin,
    })
}

fn strategy_items(list: &[Value], path: &str, ctx: &mut Ctx) -> Vec<StrategyItemSpec> {
    let mut items = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let Some(mut s) = Obj::of(item, format!("{path}[{i}]"), ctx) else { continue };
        let provider = s.str("capacityProvider", ctx).map(|(p, _)| p.to_string());
        let base = s.u32("base", ctx).map_or(0, |(n, _)| n);
        let weight = s.u32("weight", ctx).map_or(0, |(n, _)| n);
        match provider {
            Some(capacity_provider) => items.push(StrategyItemSpec { capacity_provider, base, weight }),
            None => ctx.error(&s.path, "a strategy item needs `capacityProvider`"),
        }
        s.finish(ctx);
    }
    items
}

/// A capacity provider strategy (`capacityProviderStrategy`, `DefaultCapacityProviderStrategy`).
pub(super) fn strategy(o: &mut Obj, key: &str, ctx: &mut Ctx) -> Option<(Vec<StrategyItemSpec>, String)> {
    let (list, path) = o.array(key, ctx)?;
    Some((strategy_items(list, &path, ctx), path))
}

const SERVICE_READ_ONLY: &[&str] = &[
    "serviceArn",
    "clusterArn",
    "status",
    "runningCount",
    "pendingCount",
    "deployments",
    "events",
    "createdAt",
    "createdBy",
    "taskSets",
    "roleArn",
    "platformFamily",
    "currentServiceDeployment",
    "currentServiceRevisions",
    "resourceManagementType",
];

const SERVICE_NOT_MODELLED: &[&str] = &[
    "cluster",
    "platformVersion",
    "serviceRegistries",
    "enableECSManagedTags",
    "propagateTags",
    "enableExecuteCommand",
    "tags",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "availabilityZoneRebalancing",
    "clientToken",
    "role",
    "vpcLatticeConfigurations",
    "forceNewDeployment",
];

/// One service: an element of `describe-services`' `services`, `create-service` input, or a CloudFormation
/// `AWS::ECS::Service`'s properties (`name` is then the template's name for it). `None` for a service the model
/// cannot run (a DAEMON service), after saying so.
pub(super) fn service(mut o: Obj, name: Option<String>, ctx: &mut Ctx) -> Option<ServiceDraft> {
    let mut origin = Origin::new(&ctx.source, &o.path);
    let service_name = o.str("serviceName", ctx).map(|(s, _)| s.to_string());
    let Some(name) = service_name.or(name) else {
        ctx.error(&o.path, "a service needs a `serviceName`");
        o.finish(ctx);
        return None;
    };
    o.known(SERVICE_READ_ONLY, NoteKind::ReadOnly, READ_ONLY, ctx);
    o.known(SERVICE_NOT_MODELLED, NoteKind::NotModelled, "not modelled", ctx);
    if let Some((s, path)) = o.str("schedulingStrategy", ctx) {
        match s {
            "REPLICA" => {}
            "DAEMON" => {
                ctx.note(
                    &path,
                    NoteKind::NotModelled,
                    format!("service `{name}`: DAEMON services are not modelled; the service is not imported"),
                );
                o.rest(NoteKind::NotModelled, "part of a DAEMON service, which is not imported", ctx);
                return None;
            }
            other => ctx.error(&path, format!("expected REPLICA or DAEMON, got `{other}`")),
        }
    }
    let task_ref = match o.str("taskDefinition", ctx) {
        Some((s, path)) => {
            origin.field("task_definition", path);
            s.to_string()
        }
        None => {
            ctx.error(&o.path, format!("service `{name}` needs a `taskDefinition`"));
            String::new()
        }
    };
    let desired_count = match o.u32("desiredCount", ctx) {
        Some((n, path)) => {
            origin.field("desired_count", path);
            n
        }
        None => {
            ctx.error(&o.path, format!("service `{name}` needs a `desiredCount`"));
            0
        }
    };
    let launch_type = match o.str("launchType", ctx) {
        Some(("FARGATE", _)) => Some(LaunchType::Fargate),
        Some(("EC2", _)) => Some(LaunchType::Ec2),
        Some(("EXTERNAL", _)) => Some(LaunchType::External),
        Some((other, path)) => {
            ctx.error(&path, format!("expected FARGATE, EC2 or EXTERNAL, got `{other}`"));
            None
        }
        None => None,
    };
    origin.field("launch_type", join(&o.path, "launchType"));
    let capacity_provider_strategy =
        strategy(&mut o, "capacityProviderStrategy", ctx).map_or_else(Vec::new, |(s, path)| {
            origin.field("capacity_provider_strategy", path);
            s
        });
    let mut deployment = DeploymentSpec::default();
    if let Some(mut dc) = o.obj("deploymentConfiguration", ctx) {
        origin.field("deployment", dc.path.clone());
        if let Some((n, _)) = dc.u32("maximumPercent", ctx) {
            deployment.maximum_percent = n;
        }
        if let Some((n, _)) = dc.u32("minimumHealthyPercent", ctx) {
            deployment.minimum_healthy_percent = n;
        }
        if let Some(mut cb) = dc.obj("deploymentCircuitBreaker", ctx) {
            let enable = cb.bool("enable", ctx).is_some_and(|(b, _)| b);
            let rollback = cb.bool("rollback", ctx).is_some_and(|(b, _)| b);
            deployment.circuit_breaker = Some(CircuitBreakerSpec { enable, rollback });
            cb.finish(ctx);
        }
        dc.known(
            &[
                "alarms",
                "strategy",
                "bakeTimeInMinutes",
                "lifecycleHooks",
                "canaryConfiguration",
                "linearConfiguration",
            ],
            NoteKind::NotModelled,
            "not modelled",
            ctx,
        );
        dc.finish(ctx);
    }
    if let Some(mut dc) = o.obj("deploymentController", ctx) {
        match dc.str("type", ctx) {
            Some(("ECS", _)) | None => {}
            Some((other, path)) => ctx.note(
                &path,
                NoteKind::NotModelled,
                format!(
                    "`{other}` deployments are not modelled: deployments follow the rolling update (ECS) controller"
                ),
            ),
        }
        dc.finish(ctx);
    }
    let mut placement_strategy = Vec::new();
    if let Some((list, path)) = o
        .get_any(&["placementStrategy", "placementStrategies"])
        .and_then(|(v, path)| array_of(v, &path, ctx).map(|a| (a, path)))
    {
        origin.field("placement_strategy", path.clone());
        for (i, item) in list.iter().enumerate() {
            let Some(mut s) = Obj::of(item, format!("{path}[{i}]"), ctx) else { continue };
            let field = s.str("field", ctx).map(|(f, p)| (f.to_string(), p));
            match s.str("type", ctx) {
                Some(("random", _)) => placement_strategy.push(PlacementStrategySpec::Random),
                Some(("spread", _)) => match field {
                    Some((field, _)) => placement_strategy.push(PlacementStrategySpec::Spread { field }),
                    None => ctx.error(&s.path, "a spread strategy needs a `field`"),
                },
                Some(("binpack", _)) => match field.as_ref().map(|(f, p)| (f.as_str(), p)) {
                    Some(("cpu", _)) => placement_strategy
                        .push(PlacementStrategySpec::Binpack { field: crate::spec::BinpackField::Cpu }),
                    Some(("memory", _)) => placement_strategy
                        .push(PlacementStrategySpec::Binpack { field: crate::spec::BinpackField::Memory }),
                    Some((other, path)) => ctx.error(path, format!("binpack's field is cpu or memory, got `{other}`")),
                    None => ctx.error(&s.path, "a binpack strategy needs a `field`"),
                },
                Some((other, path)) => ctx.error(&path, format!("expected random, spread or binpack, got `{other}`")),
                None => ctx.error(&s.path, "a placement strategy needs a `type`"),
            }
            s.finish(ctx);
        }
    }
    let mut placement_constraints = Vec::new();
    if let Some((list, path)) = o.array("placementConstraints", ctx) {
        origin.field("placement_constraints", path.clone());
        for (i, item) in list.iter().enumerate() {
            let Some(mut c) = Obj::of(item, format!("{path}[{i}]"), ctx) else { continue };
            let expression = c.str("expression", ctx).map(|(e, _)| e.to_string());
            match c.str("type", ctx) {
                Some(("distinctInstance", _)) => placement_constraints.push(PlacementConstraintSpec::DistinctInstance),
                Some(("memberOf", _)) => match expression {
                    Some(expression) => placement_constraints.push(PlacementConstraintSpec::MemberOf { expression }),
                    None => ctx.error(&c.path, "a memberOf constraint needs an `expression`"),
                },
                Some((other, path)) => {
                    ctx.error(&path, format!("expected distinctInstance or memberOf, got `{other}`"))
                }
                None => ctx.error(&c.path, "a placement constraint needs a `type`"),
            }
            c.finish(ctx);
        }
    }
    let mut load_balancer = None;
    if let Some((list, path)) = o.array("loadBalancers", ctx) {
        for (i, item) in list.iter().enumerate() {
            let Some(mut lb) = Obj::of(item, format!("{path}[{i}]"), ctx) else { continue };
            lb.known(
                &["targetGroupArn", "containerName", "containerPort", "loadBalancerName", "advancedConfiguration"],
                NoteKind::NotModelled,
                "which target group and container is not modelled; the target group's behaviour is",
                ctx,
            );
            lb.finish(ctx);
            if i > 0 {
                ctx.note(
                    &format!("{path}[{i}]"),
                    NoteKind::NotModelled,
                    "one target group per service is modelled: the first is used",
                );
            }
        }
        if !list.is_empty() {
            origin.field("load_balancer", path.clone());
            ctx.note(
                &path,
                NoteKind::Assumed,
                "the target group's health check and deregistration delay are not in the service: ELB's defaults (30 s interval, 5 healthy, 2 unhealthy, 300 s)",
            );
            load_balancer = Some(LoadBalancerSpec {
                health_check_interval_s: d::LB_HEALTH_CHECK_INTERVAL_S,
                healthy_threshold: d::LB_HEALTHY_THRESHOLD,
                unhealthy_threshold: d::LB_UNHEALTHY_THRESHOLD,
                deregistration_delay_s: d::LB_DEREGISTRATION_DELAY_S,
                processed_gb_per_hour: None,
                new_connections_per_s: None,
                active_connections_per_minute: None,
                rule_evaluations_per_s: None,
            });
        }
    }
    o.known(
        &["healthCheckGracePeriodSeconds"],
        NoteKind::NotModelled,
        "the grace period is not modelled: health checks count from the first one",
        ctx,
    );
    let mut assign_public_ip = false;
    if let Some(mut nc) = o.obj("networkConfiguration", ctx) {
        if let Some(mut aws) = nc.obj("awsvpcConfiguration", ctx) {
            if let Some((b, _)) = aws.enabled("assignPublicIp", ctx) {
                assign_public_ip = b;
            }
            aws.known(
                &["subnets", "securityGroups"],
                NoteKind::NotModelled,
                "subnets and security groups are not modelled (zones come from the capacity)",
                ctx,
            );
            aws.finish(ctx);
        }
        nc.finish(ctx);
    }
    o.finish(ctx);
    Some(ServiceDraft {
        spec: ServiceSpec {
            name,
            task_definition: String::new(),
            desired_count,
            launch_type,
            capacity_provider_strategy,
            deployment,
            load_balancer,
            assign_public_ip,
            placement_strategy,
            placement_constraints,
            autoscaling: None,
            demand: None,
            worker: None,
        },
        task_ref,
        origin,
    })
}

/// The family a service's `taskDefinition` names: `web`, `web:7` or `arn:aws:ecs:...:task-definition/web:7`.
pub(super) fn family_of(reference: &str) -> &str {
    let tail = reference.rsplit_once(":task-definition/").map_or(reference, |(_, t)| t);
    match tail.rsplit_once(':') {
        Some((family, rev)) if !rev.is_empty() && rev.bytes().all(|b| b.is_ascii_digit()) => family,
        _ => tail,
    }
}
