//! The workload part of a scenario: task definitions, services and RunTask bursts, each checked against the
//! capacity it runs on.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::defaults as d;
use crate::fargate;
use crate::instance_types::{self, InstanceType};
use crate::spec::{
    Architecture, DeploymentSpec, FailureSpec, HealthCheckSpec, LaunchType, LoadBalancerSpec, NetworkMode,
    PlacementStrategySpec, ScenarioSpec, StrategyItemSpec, TaskDefinitionSpec,
};
use crate::time::SimTime;

use super::super::{
    AsgProvider, Failure, HealthCheck, HostPort, LoadBalancer, Provider, RunTaskWorkload, Service, Strategy, TaskDef,
};
use super::{Validator, MAX_HORIZON_S, MAX_TASKS};

impl Validator {
    pub(super) fn task_defs(&mut self, specs: &[TaskDefinitionSpec], batch_only: bool) -> Vec<TaskDef> {
        let mut names = BTreeSet::new();
        // A scenario of AWS Batch alone needs no ECS task definition: job definitions describe its jobs.
        if specs.is_empty() && !batch_only {
            self.err("task_definitions", "at least one task definition is needed");
        }
        specs
            .iter()
            .enumerate()
            .map(|(i, td)| {
                let field = |name: &str| format!("task_definitions[{i}].{name}");
                self.unique_name(field("name"), &td.name, &mut names, "task definition");
                let image_mb = self.number(&field("image_mb"), td.image_mb, 0.0, 100_000.0);
                let health_check = td.health_check.as_ref().map(|hc| self.health_check(&field("health_check"), hc));
                let failure = self.failure(&field("failure"), &td.failure);
                let host_ports = self.host_ports(&field("port_mappings"), td);
                TaskDef {
                    name: td.name.clone(),
                    cpu: td.cpu,
                    memory: td.memory,
                    image_mb,
                    lazy_loading: td.lazy_loading,
                    architecture: td.architecture,
                    network_mode: td.network_mode,
                    host_ports,
                    health_check,
                    stop_timeout_ms: self.seconds(&field("stop_timeout_s"), td.stop_timeout_s, 0.0, 600.0),
                    run_duration_ms: td
                        .run_duration_s
                        .map(|s| self.seconds(&field("run_duration_s"), s, 0.0, MAX_HORIZON_S)),
                    failure,
                    cpu_utilization_percent: td
                        .cpu_utilization_percent
                        .map_or(0.0, |v| self.number(&field("cpu_utilization_percent"), v, 0.0, 100.0)),
                }
            })
            .collect()
    }

    fn health_check(&mut self, field: &str, hc: &HealthCheckSpec) -> HealthCheck {
        let interval_ms = self.seconds(&format!("{field}.interval_s"), hc.interval_s, 5.0, 300.0);
        if !(1..=10).contains(&hc.retries) {
            self.err(format!("{field}.retries"), format!("must be between 1 and 10, got {}", hc.retries));
        }
        HealthCheck {
            interval_ms,
            retries: hc.retries.clamp(1, 10),
            start_period_ms: self.seconds(&format!("{field}.start_period_s"), hc.start_period_s, 0.0, 300.0),
            ready_after_ms: self.seconds(&format!("{field}.ready_after_s"), hc.ready_after_s, 0.0, 86_400.0),
        }
    }

    fn failure(&mut self, field: &str, spec: &FailureSpec) -> Failure {
        let probability = |v: &mut Self, name: &str, value: f64| v.number(&format!("{field}.{name}"), value, 0.0, 1.0);
        Failure {
            start_failure_probability: probability(self, "start_failure_probability", spec.start_failure_probability),
            health_check_failure_probability: probability(
                self,
                "health_check_failure_probability",
                spec.health_check_failure_probability,
            ),
            crash_after_ms: spec
                .crash_after_s
                .map(|s| self.seconds(&format!("{field}.crash_after_s"), s, 0.001, MAX_HORIZON_S)),
            crash_probability: probability(self, "crash_probability", spec.crash_probability),
        }
    }

    /// The host ports a task holds on an EC2 instance: none in awsvpc mode, where each task has its own ENI.
    fn host_ports(&mut self, field: &str, td: &TaskDefinitionSpec) -> Vec<HostPort> {
        let mut fixed = BTreeSet::new();
        let mut host_ports = Vec::new();
        for (j, mapping) in td.port_mappings.iter().enumerate() {
            let host = match td.network_mode {
                // awsvpc and host: the task's port is the container port on its ENI / on the host.
                NetworkMode::Awsvpc | NetworkMode::Host => Some(mapping.host_port.unwrap_or(mapping.container_port)),
                NetworkMode::Bridge => mapping.host_port.filter(|&p| p != 0),
            };
            if td.network_mode == NetworkMode::Awsvpc && mapping.host_port.is_some_and(|p| p != mapping.container_port)
            {
                self.err(
                    format!("{field}[{j}].host_port"),
                    "in awsvpc mode the host port must equal the container port (or be left out)",
                );
            }
            match host {
                Some(port) if !fixed.insert(port) => self.err(
                    format!("{field}[{j}].host_port"),
                    format!("host port {port} is used twice in this task definition; give each mapping its own port"),
                ),
                Some(port) => host_ports.push(HostPort::Fixed(port)),
                None => host_ports.push(HostPort::Dynamic),
            }
        }
        if td.network_mode == NetworkMode::Awsvpc {
            // Each awsvpc task has its own ENI: its ports never clash with other tasks on the instance.
            host_ports.clear();
        }
        host_ports
    }

    pub(super) fn find_task_def(&mut self, field: &str, name: &str, task_defs: &[TaskDef]) -> Option<usize> {
        let found = task_defs.iter().position(|td| td.name == name);
        if found.is_none() {
            let known: Vec<&str> = task_defs.iter().map(|td| td.name.as_str()).collect();
            self.err(field, format!("no task definition named `{name}`; defined: {}", known.join(", ")));
        }
        found
    }

    /// The rules Fargate puts on a task definition it runs. Each problem is put on the task definition's own field
    /// (`task_definitions[k].cpu`), where it is fixed, and names the workload (`field`) that runs it on Fargate.
    fn check_fargate_task_def(&mut self, field: &str, td_field: &str, spec: &TaskDefinitionSpec) {
        if let Err(message) = fargate::check_size(spec.cpu, spec.memory) {
            let wrong = if fargate::valid_memory(spec.cpu).is_none() { "cpu" } else { "memory" };
            self.err(
                format!("{td_field}.{wrong}"),
                format!("task definition `{}`: {message} ({field} runs it on Fargate)", spec.name),
            );
        }
        if spec.network_mode != NetworkMode::Awsvpc {
            self.err(
                format!("{td_field}.network_mode"),
                format!(
                    "task definition `{}`: Fargate tasks must use network_mode awsvpc ({field} runs it on Fargate)",
                    spec.name
                ),
            );
        }
        if spec.stop_timeout_s > d::FARGATE_MAX_STOP_TIMEOUT_S {
            self.err(
                format!("{td_field}.stop_timeout_s"),
                format!(
                    "task definition `{}`: stop_timeout_s is at most 120 on Fargate, got {} ({field} runs it on Fargate)",
                    spec.name, spec.stop_timeout_s
                ),
            );
        }
    }

    /// A name among the names of its kind so far (`kind` as the error calls one: `service`, `run_tasks entry`): not
    /// empty, and not given before. Task definitions, services, RunTask bursts and schedules share the check.
    pub(super) fn unique_name<'a>(&mut self, field: String, name: &'a str, names: &mut BTreeSet<&'a str>, kind: &str) {
        if name.trim().is_empty() {
            self.err(field, "must not be empty");
        } else if !names.insert(name) {
            self.err(field, format!("{kind} `{name}` is defined twice"));
        }
    }

    /// A workload's capacity provider strategy (or launch type) at `at` (`services[2]`), and the task definition it
    /// names (its `task_definition` field) checked against the capacity that strategy launches it on. Services,
    /// RunTask bursts and schedules share the pair.
    pub(super) fn workload_strategy(
        &mut self,
        at: &str,
        launch_type: Option<LaunchType>,
        items: &[StrategyItemSpec],
        task_definition: &str,
        spec: &ScenarioSpec,
        providers: &[AsgProvider],
    ) -> Strategy {
        let strategy = self.strategy(at, launch_type, items, providers);
        self.check_named_task_def(
            &format!("{at}.task_definition"),
            task_definition,
            &spec.task_definitions,
            &strategy,
            providers,
        );
        strategy
    }

    /// Checks the task definition a workload names (`name`, from its `task_definition` field `field`) against the
    /// capacity its strategy launches it on; problems with the definition itself go on the definition's own fields
    /// (`task_definitions[k].cpu`). An unknown name is `find_task_def`'s error, not this one's.
    pub(super) fn check_named_task_def(
        &mut self,
        field: &str,
        name: &str,
        task_definitions: &[TaskDefinitionSpec],
        strategy: &Strategy,
        providers: &[AsgProvider],
    ) {
        if let Some((k, td)) = task_definitions.iter().enumerate().find(|(_, td)| td.name == name) {
            self.check_task_def_for(field, &format!("task_definitions[{k}]"), td, strategy, providers);
        }
    }

    /// Checks a task definition against the capacity a strategy launches it on. `field` is the workload's
    /// `task_definition` field, `td_field` the task definition's own path (`task_definitions[k]`).
    fn check_task_def_for(
        &mut self,
        field: &str,
        td_field: &str,
        td: &TaskDefinitionSpec,
        strategy: &Strategy,
        providers: &[AsgProvider],
    ) {
        if strategy.items.iter().any(|i| i.provider.is_fargate()) {
            self.check_fargate_task_def(field, td_field, td);
            return;
        }
        for item in &strategy.items {
            let Provider::Asg(index) = item.provider else { continue };
            let Some(provider) = providers.get(index as usize) else { continue };
            if provider.external && td.network_mode == NetworkMode::Awsvpc {
                self.err(
                    field,
                    format!(
                        "task definition `{}`: ECS Anywhere does not support awsvpc; use bridge or host networking",
                        td.name
                    ),
                );
            }
            // *Amazon ECS task networking for Amazon ECS Managed Instances*: "Amazon ECS Managed Instances supports
            // the following networking modes": `awsvpc` and `host` (no `bridge`).
            if provider.managed_instances.is_some() && td.network_mode == NetworkMode::Bridge {
                self.err(
                    field,
                    format!(
                        "task definition `{}`: Amazon ECS Managed Instances supports awsvpc and host networking, not bridge",
                        td.name
                    ),
                );
            }
            if !provider.instance_types.is_empty()
                && !provider.instance_types.iter().any(|t| t.architecture == td.architecture)
            {
                let (task_arch, other) = match td.architecture {
                    Architecture::X86_64 => ("x86_64", "arm64"),
                    Architecture::Arm64 => ("arm64", "x86_64"),
                };
                self.err(
                    field,
                    format!(
                        "task definition `{}` is {task_arch} but provider `{}` only has {other} instance types; set the task definition's architecture to {other} or add {task_arch} instance types",
                        td.name, provider.name
                    ),
                );
                continue;
            }
            let fits = |t: &&InstanceType| {
                t.architecture == td.architecture
                    && t.cpu_units() >= td.cpu
                    && t.registered_memory_mib(instance_types::ECS_RESERVED_MEMORY_DEFAULT_MIB) >= td.memory
            };
            if !provider.instance_types.is_empty() && !provider.instance_types.iter().any(|t| fits(&t)) {
                let largest = provider.instance_types.iter().max_by_key(|t| (t.memory_mib, t.vcpu)).expect("non-empty");
                self.err(
                    field,
                    format!(
                        "task definition `{}` (cpu {}, memory {} MiB) is larger than every instance type of provider `{}` (largest: {} registers cpu {}, memory {} MiB); use a larger instance type or a smaller task",
                        td.name,
                        td.cpu,
                        td.memory,
                        provider.name,
                        largest.name,
                        largest.cpu_units(),
                        largest.registered_memory_mib(instance_types::ECS_RESERVED_MEMORY_DEFAULT_MIB)
                    ),
                );
            }
        }
    }

    pub(super) fn services(
        &mut self,
        spec: &ScenarioSpec,
        task_defs: &[TaskDef],
        providers: &[AsgProvider],
    ) -> Vec<Service> {
        let mut names = BTreeSet::new();
        let mut consumed: Vec<usize> = Vec::new();
        let start_offset = self.start_offset(spec);
        spec.services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let field = |name: &str| format!("services[{i}].{name}");
                self.unique_name(field("name"), &s.name, &mut names, "service");
                let task_def =
                    self.find_task_def(&field("task_definition"), &s.task_definition, task_defs).unwrap_or(0);
                let desired = self.desired_count(field("desired_count"), s.desired_count, spec);
                let strategy = self.workload_strategy(
                    &format!("services[{i}]"),
                    s.launch_type,
                    &s.capacity_provider_strategy,
                    &s.task_definition,
                    spec,
                    providers,
                );
                let placement = self.placement(
                    &format!("services[{i}]"),
                    &s.placement_strategy,
                    &s.placement_constraints,
                    &strategy,
                    &[
                        PlacementStrategySpec::Spread { field: "attribute:ecs.availability-zone".into() },
                        PlacementStrategySpec::Spread { field: "instanceId".into() },
                    ],
                );
                self.deployment(&field("deployment"), &s.deployment);
                let on_external = strategy.items.iter().any(|item| {
                    matches!(item.provider, Provider::Asg(i) if providers.get(i as usize).is_some_and(|p| p.external))
                });
                if on_external && s.load_balancer.is_some() {
                    self.err(field("load_balancer"), "ECS Anywhere has no load balancer integration");
                }
                if !strategy.items.iter().any(|item| item.provider.is_fargate()) && s.assign_public_ip {
                    self.err(field("assign_public_ip"), "only Fargate tasks get a public IP from ECS");
                }
                let load_balancer = s.load_balancer.as_ref().map(|lb| self.load_balancer(&field("load_balancer"), lb));
                let health_check = spec
                    .task_definitions
                    .iter()
                    .find(|td| td.name == s.task_definition)
                    .and_then(|td| td.health_check.as_ref())
                    .map(|hc| (crate::time::secs_to_ms(hc.interval_s.clamp(0.0, 1e6)), hc.retries));
                let demand = s.demand.as_ref().map(|dm| {
                    let mut demand = self.demand(
                        &field("demand"),
                        dm,
                        spec.horizon_s,
                        &start_offset,
                        load_balancer.as_ref(),
                        health_check,
                    );
                    demand.shares_with = self.shared_target_group(&field("demand"), spec, i);
                    demand
                });
                let quota = spec.limits.tasks_per_service.unwrap_or(crate::defaults::TASKS_PER_SERVICE);
                let autoscaling =
                    s.autoscaling.as_ref().map(|a| self.autoscaling(&field("autoscaling"), a, s, quota, spec));
                let worker = s.worker.as_ref().map(|w| self.worker(&field("worker"), w, s, spec, &mut consumed));
                Service {
                    name: s.name.clone(),
                    task_def,
                    desired,
                    strategy,
                    minimum_healthy_percent: s.deployment.minimum_healthy_percent.min(100),
                    maximum_percent: s.deployment.maximum_percent.clamp(100, 400),
                    circuit_breaker: s.deployment.circuit_breaker.as_ref().filter(|cb| cb.enable).map(|cb| cb.rollback),
                    load_balancer,
                    assign_public_ip: s.assign_public_ip,
                    placement: Arc::new(placement),
                    demand,
                    autoscaling,
                    worker,
                }
            })
            .collect()
    }

    fn deployment(&mut self, field: &str, spec: &DeploymentSpec) {
        if spec.minimum_healthy_percent > 100 {
            self.err(
                format!("{field}.minimum_healthy_percent"),
                format!("must be between 0 and 100, got {}", spec.minimum_healthy_percent),
            );
        }
        if !(100..=400).contains(&spec.maximum_percent) {
            self.err(
                format!("{field}.maximum_percent"),
                format!("must be between 100 and 400, got {}", spec.maximum_percent),
            );
        }
    }

    fn load_balancer(&mut self, field: &str, lb: &LoadBalancerSpec) -> LoadBalancer {
        let threshold = |v: &mut Self, name: &str, value: u32| {
            if !(2..=10).contains(&value) {
                v.err(format!("{field}.{name}"), format!("must be between 2 and 10, got {value}"));
            }
            value.clamp(2, 10)
        };
        LoadBalancer {
            interval_ms: self.seconds(
                &format!("{field}.health_check_interval_s"),
                lb.health_check_interval_s,
                5.0,
                300.0,
            ),
            healthy_threshold: threshold(self, "healthy_threshold", lb.healthy_threshold),
            unhealthy_threshold: threshold(self, "unhealthy_threshold", lb.unhealthy_threshold),
            deregistration_delay_ms: self.seconds(
                &format!("{field}.deregistration_delay_s"),
                lb.deregistration_delay_s,
                0.0,
                3600.0,
            ),
            processed_gb_per_hour: self.processed_gb_per_hour(
                &format!("{field}.processed_gb_per_hour"),
                lb.processed_gb_per_hour.unwrap_or(crate::defaults::ALB_PROCESSED_GB_PER_HOUR),
            ),
            new_connections_per_s: self.lcu_dimension(
                &format!("{field}.new_connections_per_s"),
                lb.new_connections_per_s,
                "new connections per second",
            ),
            active_connections_per_minute: self.lcu_dimension(
                &format!("{field}.active_connections_per_minute"),
                lb.active_connections_per_minute,
                "active connections per minute",
            ),
            rule_evaluations_per_s: self.lcu_dimension(
                &format!("{field}.rule_evaluations_per_s"),
                lb.rule_evaluations_per_s,
                "rule evaluations per second",
            ),
        }
    }

    /// One of the other LCU dimensions: unset is 0 (no LCUs from it); otherwise finite, 0 to 100 million.
    fn lcu_dimension(&mut self, path: &str, value: Option<f64>, unit: &str) -> f64 {
        let value = value.unwrap_or(0.0);
        if !(0.0..=100_000_000.0).contains(&value) {
            self.err(path.to_string(), format!("must be between 0 and 100000000 {unit}, got {value}"));
            return 0.0;
        }
        value
    }

    /// Traffic through a load balancer: a finite, non-negative number of GB per hour.
    fn processed_gb_per_hour(&mut self, path: &str, value: f64) -> f64 {
        if !(0.0..=1_000_000.0).contains(&value) {
            self.err(path.to_string(), format!("must be between 0 and 1000000 GB per hour, got {value}"));
            return 0.0;
        }
        value
    }

    pub(super) fn run_tasks(
        &mut self,
        spec: &ScenarioSpec,
        task_defs: &[TaskDef],
        providers: &[AsgProvider],
        horizon: SimTime,
    ) -> Vec<RunTaskWorkload> {
        let mut names = BTreeSet::new();
        spec.run_tasks
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let field = |name: &str| format!("run_tasks[{i}].{name}");
                self.unique_name(field("name"), &r.name, &mut names, "run_tasks entry");
                let task_def =
                    self.find_task_def(&field("task_definition"), &r.task_definition, task_defs).unwrap_or(0);
                let strategy = self.workload_strategy(
                    &format!("run_tasks[{i}]"),
                    r.launch_type,
                    &r.capacity_provider_strategy,
                    &r.task_definition,
                    spec,
                    providers,
                );
                let placement =
                    self.placement(&format!("run_tasks[{i}]"), &[], &[], &strategy, &[PlacementStrategySpec::Random]);
                if r.count == 0 || r.count > MAX_TASKS {
                    self.err(field("count"), format!("must be between 1 and {MAX_TASKS}, got {}", r.count));
                }
                if r.tasks_per_call == 0 || r.tasks_per_call > d::MAX_TASKS_PER_RUN_TASK_CALL {
                    self.err(
                        field("tasks_per_call"),
                        format!(
                            "a RunTask call starts 1 to {} tasks, got {}",
                            d::MAX_TASKS_PER_RUN_TASK_CALL,
                            r.tasks_per_call
                        ),
                    );
                }
                let at = SimTime(self.seconds(&field("at_s"), r.at_s, 0.0, horizon.as_secs_f64()));
                RunTaskWorkload {
                    name: r.name.clone(),
                    at,
                    task_def,
                    count: r.count.clamp(1, MAX_TASKS),
                    tasks_per_call: r.tasks_per_call.clamp(1, d::MAX_TASKS_PER_RUN_TASK_CALL),
                    strategy,
                    assign_public_ip: r.assign_public_ip,
                    on_throttle: r.on_throttle,
                    placement: Arc::new(placement),
                    scheduled: None,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{problems, spec};
    use super::*;

    fn task_def(network_mode: &str, ports: &str) -> TaskDefinitionSpec {
        let spec = spec("");
        let mut td = spec.task_definitions[0].clone();
        td.network_mode = serde_json::from_str(&format!("\"{network_mode}\"")).unwrap();
        td.port_mappings = serde_json::from_str(ports).unwrap();
        td
    }

    #[test]
    fn host_ports_by_network_mode() {
        let ports = r#"[{ "container_port": 80 }, { "container_port": 81, "host_port": 8081 }]"#;
        let mut v = Validator::default();
        // bridge: no host port is a dynamic one; awsvpc: the task's own ENI, nothing held on the instance.
        assert_eq!(v.host_ports("p", &task_def("bridge", ports)), [HostPort::Dynamic, HostPort::Fixed(8081)]);
        assert_eq!(v.host_ports("p", &task_def("host", ports)), [HostPort::Fixed(80), HostPort::Fixed(8081)]);
        assert_eq!(problems(&v), Vec::<String>::new());
        assert_eq!(v.host_ports("p", &task_def("awsvpc", r#"[{ "container_port": 80 }]"#)), []);
    }

    #[test]
    fn a_host_port_used_twice_is_named() {
        let ports = r#"[{ "container_port": 80, "host_port": 8080 }, { "container_port": 81, "host_port": 8080 }]"#;
        let mut v = Validator::default();
        v.host_ports("p", &task_def("bridge", ports));
        v.host_ports("q", &task_def("awsvpc", ports));
        assert_eq!(
            problems(&v),
            [
                "p[1].host_port: host port 8080 is used twice in this task definition; give each mapping its own port",
                "q[0].host_port: in awsvpc mode the host port must equal the container port (or be left out)",
                "q[1].host_port: in awsvpc mode the host port must equal the container port (or be left out)",
                "q[1].host_port: host port 8080 is used twice in this task definition; give each mapping its own port",
            ]
        );
    }

    #[test]
    fn services_take_ecs_defaults_and_clamp_what_they_report() {
        let spec = spec("");
        let mut v = Validator::default();
        let task_defs = v.task_defs(&spec.task_definitions, false);
        let services = v.services(&spec, &task_defs, &[]);
        assert!(v.errors.is_empty());
        assert_eq!((services[0].minimum_healthy_percent, services[0].maximum_percent), (100, 200));
        assert_eq!(services[0].strategy.items[0].provider, Provider::Fargate);

        let mut v = Validator::default();
        v.deployment("d", &DeploymentSpec { minimum_healthy_percent: 101, maximum_percent: 99, circuit_breaker: None });
        assert_eq!(
            problems(&v),
            [
                "d.minimum_healthy_percent: must be between 0 and 100, got 101",
                "d.maximum_percent: must be between 100 and 400, got 99"
            ]
        );
    }
}
