//! A validated scenario: the spec checked field by field, defaults filled in, names resolved to indices, seconds
//! turned into integer milliseconds. The simulation only ever sees a [`Scenario`], so it never meets a bad value.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use crate::defaults as d;
use crate::fargate;
use crate::instance_types::{self, InstanceType};
use crate::query::{self, Expression};
use crate::spec::*;
use crate::time::{secs_to_ms, SimTime};

/// One problem in a scenario: the field (a path like `services[0].desired_count`) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Why a scenario could not be loaded: it is not valid JSON for the format, or it breaks the model's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    /// The text is not JSON, or a field has the wrong type or name.
    Format(FieldError),
    /// Well-formed, but some values are invalid; every problem found is listed.
    Invalid(Vec<FieldError>),
}

impl ScenarioError {
    pub fn problems(&self) -> Vec<FieldError> {
        match self {
            ScenarioError::Format(e) => vec![e.clone()],
            ScenarioError::Invalid(list) => list.clone(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Format(e) => write!(f, "scenario file is malformed: {e}"),
            ScenarioError::Invalid(list) => {
                write!(f, "scenario is invalid:")?;
                for e in list {
                    write!(f, "\n  - {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

/// Where a task is launched: Fargate, Fargate Spot, or an Auto Scaling group provider (index into
/// [`Scenario::providers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provider {
    Fargate,
    FargateSpot,
    Asg(u16),
}

impl Provider {
    pub fn is_fargate(self) -> bool {
        matches!(self, Provider::Fargate | Provider::FargateSpot)
    }
}

/// What a task runs on, for counting and charts: the four kinds of capacity that launch and bill differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CapacityType {
    Fargate,
    FargateSpot,
    Ec2OnDemand,
    Ec2Spot,
    External,
}

impl CapacityType {
    pub const ALL: [CapacityType; 5] = [
        CapacityType::Fargate,
        CapacityType::FargateSpot,
        CapacityType::Ec2OnDemand,
        CapacityType::Ec2Spot,
        CapacityType::External,
    ];
    pub const COUNT: usize = 5;

    pub fn name(self) -> &'static str {
        match self {
            CapacityType::Fargate => "FARGATE",
            CapacityType::FargateSpot => "FARGATE_SPOT",
            CapacityType::Ec2OnDemand => "EC2",
            CapacityType::Ec2Spot => "EC2_SPOT",
            CapacityType::External => "EXTERNAL",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// ECS managed scaling settings of a provider.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedScaling {
    pub target_capacity: u32,
    pub minimum_step: u32,
    pub maximum_step: u32,
    pub warmup_ms: u64,
}

/// A validated Auto Scaling group capacity provider.
#[derive(Debug, Clone, PartialEq)]
pub struct AsgProvider {
    pub name: String,
    /// The types the group launches; an ECS Anywhere group has one synthetic type describing its hosts.
    pub instance_types: Vec<InstanceType>,
    pub purchase: Purchase,
    pub allocation_strategy: AllocationStrategy,
    pub zones: Vec<String>,
    pub min_size: u32,
    pub max_size: u32,
    pub initial: u32,
    pub managed_scaling: Option<ManagedScaling>,
    pub managed_termination_protection: bool,
    pub eni_trunking: bool,
    pub images_cached: bool,
    pub spot_draining: bool,
    pub capacity_rebalance: bool,
    /// How long before a notice its rebalance recommendation arrives (0: together with it).
    pub rebalance_lead_ms: u64,
    /// Random interruptions: expected interruptions per instance per hour, per instance type (indexed like
    /// `instance_types`; Spot groups only, zeros otherwise).
    pub interruptions_per_instance_hour: Vec<f64>,
    /// An ECS Anywhere group of external hosts rather than an Auto Scaling group.
    pub external: bool,
}

impl AsgProvider {
    pub fn capacity_type(&self) -> CapacityType {
        match (self.external, self.purchase) {
            (true, _) => CapacityType::External,
            (false, Purchase::OnDemand) => CapacityType::Ec2OnDemand,
            (false, Purchase::Spot) => CapacityType::Ec2Spot,
        }
    }
}

/// Placement strategies and constraints, resolved (memberOf expressions parsed).
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub strategies: Vec<PlacementStrategySpec>,
    pub distinct_instance: bool,
    pub member_of: Vec<Expression>,
}

/// A port a task holds on its instance: a fixed host port, or one from the dynamic range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostPort {
    Fixed(u16),
    Dynamic,
}

/// A capacity provider strategy: `base` tasks on one provider first, the rest split by `weight`.
#[derive(Debug, Clone, PartialEq)]
pub struct Strategy {
    pub items: Vec<StrategyItem>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrategyItem {
    pub provider: Provider,
    pub base: u32,
    pub weight: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketParams {
    pub burst: u32,
    pub per_minute: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub profile: LimitsProfile,
    pub fargate_on_demand: BucketParams,
    pub fargate_spot: BucketParams,
    pub run_task_api: BucketParams,
    pub fargate_run_task_calls: BucketParams,
    pub service_per_minute_fargate: u32,
    pub service_per_minute_ec2: u32,
    pub circuit_breaker_min: u32,
    /// Tasks that may wait in PROVISIONING for cluster auto scaling, per cluster.
    pub provisioning_limit: u32,
}

/// A latency step in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    pub mean_ms: f64,
    pub spread: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Latencies {
    pub cycle_ms: u64,
    pub fargate_capacity: Step,
    pub eni_attach: Step,
    pub public_ip: Step,
    pub image_pull_base: Step,
    pub image_pull_mb_per_s: f64,
    pub lazy_loading_pull_factor: f64,
    pub container_start: Step,
    pub lb_registration: Step,
    pub app_shutdown: Step,
    pub deprovision: Step,
    pub backoff_initial_ms: u64,
    pub backoff_factor: f64,
    pub backoff_max_ms: u64,
    pub instance_boot: Step,
    pub agent_registration: Step,
    pub agent_handoff: Step,
    pub ec2_image_pull_mb_per_s: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    pub fargate_vcpu_hour: f64,
    pub fargate_gb_hour: f64,
    pub fargate_arm_vcpu_hour: f64,
    pub fargate_arm_gb_hour: f64,
    pub fargate_spot_discount_percent: f64,
    pub public_ipv4_hour: f64,
    pub ec2_spot_discount_percent: f64,
    pub ecs_anywhere_instance_hour: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpotSettings {
    pub capacity_per_minute: u32,
    pub interruptions_per_task_hour: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HealthCheck {
    pub interval_ms: u64,
    pub retries: u32,
    pub start_period_ms: u64,
    pub ready_after_ms: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub start_failure_probability: f64,
    pub health_check_failure_probability: f64,
    pub crash_after_ms: Option<u64>,
    pub crash_probability: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskDef {
    pub name: String,
    pub cpu: u32,
    pub memory: u32,
    pub image_mb: f64,
    pub lazy_loading: bool,
    pub architecture: Architecture,
    pub network_mode: NetworkMode,
    /// Host ports each task holds on an EC2 instance (bridge and host modes).
    pub host_ports: Vec<HostPort>,
    pub health_check: Option<HealthCheck>,
    pub stop_timeout_ms: u64,
    pub run_duration_ms: Option<u64>,
    pub failure: Failure,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancer {
    pub interval_ms: u64,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
    pub deregistration_delay_ms: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: String,
    pub task_def: usize,
    pub desired: u32,
    pub strategy: Strategy,
    pub minimum_healthy_percent: u32,
    pub maximum_percent: u32,
    /// `Some(rollback)` when the deployment circuit breaker is on.
    pub circuit_breaker: Option<bool>,
    pub load_balancer: Option<LoadBalancer>,
    pub assign_public_ip: bool,
    /// Shared: placement reads it for every task, so it is never copied.
    pub placement: Arc<Placement>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunTaskWorkload {
    pub name: String,
    pub at: SimTime,
    pub task_def: usize,
    pub count: u32,
    pub tasks_per_call: u32,
    pub strategy: Strategy,
    pub assign_public_ip: bool,
    pub on_throttle: OnThrottle,
    /// Shared: placement reads it for every task, so it is never copied.
    pub placement: Arc<Placement>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TimedAction {
    Scale { service: usize, desired: u32 },
    Deploy { service: usize, task_def: usize },
    SpotInterruption { fraction: Option<f64>, count: Option<u32> },
    SpotAvailability { capacity_per_minute: u32 },
    Ec2SpotWave { provider: usize, instance_type: Option<&'static str>, zone: Option<u16>, fraction: f64 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimedEvent {
    pub at: SimTime,
    pub action: TimedAction,
}

/// A scenario the simulation can run.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub spec: ScenarioSpec,
    pub name: String,
    pub horizon: SimTime,
    pub limits: Limits,
    pub latencies: Latencies,
    pub prices: Prices,
    pub spot: SpotSettings,
    pub providers: Vec<AsgProvider>,
    pub task_defs: Vec<TaskDef>,
    pub services: Vec<Service>,
    pub run_tasks: Vec<RunTaskWorkload>,
    /// Sorted by time; events at the same time keep their order in the file.
    pub events: Vec<TimedEvent>,
}

/// The largest simulated horizon: one week.
const MAX_HORIZON_S: f64 = 7.0 * 24.0 * 3600.0;
/// Upper bound on tasks per service or RunTask burst (keeps a hostile file from exhausting memory).
const MAX_TASKS: u32 = 200_000;

impl Scenario {
    /// Parses and validates scenario JSON. Format errors name the field path; invalid values are all listed.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let spec = parse_spec(text)?;
        Scenario::from_spec(spec)
    }

    /// Validates a spec.
    pub fn from_spec(spec: ScenarioSpec) -> Result<Scenario, ScenarioError> {
        let mut v = Validator::default();
        let scenario = v.scenario(&spec);
        if v.errors.is_empty() {
            Ok(scenario)
        } else {
            Err(ScenarioError::Invalid(v.errors))
        }
    }

    /// The name a provider has in scenarios and strategies.
    pub fn provider_name(&self, provider: Provider) -> &str {
        match provider {
            Provider::Fargate => "FARGATE",
            Provider::FargateSpot => "FARGATE_SPOT",
            Provider::Asg(i) => &self.providers[i as usize].name,
        }
    }

    pub fn capacity_type(&self, provider: Provider) -> CapacityType {
        match provider {
            Provider::Fargate => CapacityType::Fargate,
            Provider::FargateSpot => CapacityType::FargateSpot,
            Provider::Asg(i) => self.providers[i as usize].capacity_type(),
        }
    }
}

/// Parses scenario JSON into a spec without validating values.
pub fn parse_spec(text: &str) -> Result<ScenarioSpec, ScenarioError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let spec: ScenarioSpec = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." || path.is_empty() { "scenario".to_string() } else { path };
        ScenarioError::Format(FieldError { field, message: err.into_inner().to_string() })
    })?;
    de.end().map_err(|err| ScenarioError::Format(FieldError { field: "scenario".into(), message: err.to_string() }))?;
    Ok(spec)
}

#[derive(Default)]
struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    fn err(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), message: message.into() });
    }

    fn seconds(&mut self, field: &str, value: f64, min: f64, max: f64) -> u64 {
        if !value.is_finite() || value < min || value > max {
            self.err(field, format!("must be between {min} and {max} seconds, got {value}"));
            return 0;
        }
        secs_to_ms(value)
    }

    fn number(&mut self, field: &str, value: f64, min: f64, max: f64) -> f64 {
        if !value.is_finite() || value < min || value > max {
            self.err(field, format!("must be between {min} and {max}, got {value}"));
            return min.max(0.0);
        }
        value
    }

    fn step(&mut self, field: &str, value: Option<LatencyStep>, default: LatencyStep) -> Step {
        let step = value.unwrap_or(default);
        let mean_s = self.number(&format!("{field}.mean_s"), step.mean_s, 0.0, 3600.0);
        let spread = self.number(&format!("{field}.spread"), step.spread, 0.0, 3.0);
        Step { mean_ms: mean_s * 1000.0, spread }
    }

    fn bucket(&mut self, field: &str, value: Option<BucketSpec>, burst: u32, per_s: f64) -> BucketParams {
        let spec = value.unwrap_or(BucketSpec { burst, refill_per_s: per_s });
        if spec.burst == 0 || spec.burst > 1_000_000 {
            self.err(format!("{field}.burst"), format!("must be between 1 and 1000000, got {}", spec.burst));
        }
        let per_s = self.number(&format!("{field}.refill_per_s"), spec.refill_per_s, 0.0, 100_000.0);
        BucketParams { burst: spec.burst.max(1), per_minute: per_second_to_per_minute(per_s) }
    }

    fn scenario(&mut self, spec: &ScenarioSpec) -> Scenario {
        if spec.version != FORMAT_VERSION {
            self.err(
                "version",
                format!(
                    "this Fleetplan reads scenario format version {FORMAT_VERSION}, the file says {}",
                    spec.version
                ),
            );
        }
        if spec.name.trim().is_empty() {
            self.err("name", "must not be empty");
        }
        let horizon = SimTime(self.seconds("horizon_s", spec.horizon_s, 1.0, MAX_HORIZON_S));
        self.not_yet("batch", spec.batch.is_some(), "AWS Batch is not simulated in this version yet");
        self.not_yet(
            "scheduled_tasks",
            !spec.scheduled_tasks.is_empty(),
            "scheduled tasks are not simulated in this version yet; use run_tasks with at_s",
        );

        let limits = self.limits(&spec.limits);
        let latencies = self.latencies(&spec.latencies);
        let prices = self.prices(&spec.prices);
        let spot = SpotSettings {
            capacity_per_minute: self.spot_capacity(
                "fargate_spot.capacity_per_s",
                spec.fargate_spot.availability,
                spec.fargate_spot.capacity_per_s,
            ),
            interruptions_per_task_hour: self.number(
                "fargate_spot.interruptions_per_task_hour",
                spec.fargate_spot.interruptions_per_task_hour,
                0.0,
                3600.0,
            ),
        };
        let task_defs = self.task_defs(&spec.task_definitions);
        let mut providers = self.providers(&spec.capacity_providers);
        providers.extend(self.external_groups(&spec.external_instances, &providers));
        let services = self.services(spec, &task_defs, &providers);
        let run_tasks = self.run_tasks(spec, &task_defs, &providers, horizon);
        let events = self.events(spec, &task_defs, &services, &providers, horizon);
        if services.is_empty() && run_tasks.is_empty() {
            self.err("services", "the scenario has no services and no run_tasks: there is nothing to simulate");
        }
        Scenario {
            spec: spec.clone(),
            name: spec.name.clone(),
            horizon,
            limits,
            latencies,
            prices,
            spot,
            providers,
            task_defs,
            services,
            run_tasks,
            events,
        }
    }

    fn not_yet(&mut self, field: &str, present: bool, message: &str) {
        if present {
            self.err(field, message);
        }
    }

    fn limits(&mut self, spec: &LimitsSpec) -> Limits {
        let (ec2_rate, cb_min, provisioning_limit) = match spec.profile {
            LimitsProfile::Y2022 => {
                (d::SERVICE_LAUNCH_PER_MIN_EC2_2022, d::CIRCUIT_BREAKER_MIN_2022, d::PROVISIONING_LIMIT_2022)
            }
            LimitsProfile::Current => {
                (d::SERVICE_LAUNCH_PER_MIN_EC2_CURRENT, d::CIRCUIT_BREAKER_MIN_CURRENT, d::PROVISIONING_LIMIT_CURRENT)
            }
        };
        let service_fargate = spec.service_launch_per_minute_fargate.unwrap_or(d::SERVICE_LAUNCH_PER_MIN_FARGATE);
        if service_fargate == 0 {
            self.err("limits.service_launch_per_minute_fargate", "must be at least 1");
        }
        let service_ec2 = spec.service_launch_per_minute_ec2.unwrap_or(ec2_rate);
        if service_ec2 == 0 {
            self.err("limits.service_launch_per_minute_ec2", "must be at least 1");
        }
        Limits {
            profile: spec.profile,
            fargate_on_demand: self.bucket(
                "limits.fargate_on_demand_launch",
                spec.fargate_on_demand_launch,
                d::FARGATE_ON_DEMAND_BURST,
                d::FARGATE_ON_DEMAND_PER_S,
            ),
            fargate_spot: self.bucket(
                "limits.fargate_spot_launch",
                spec.fargate_spot_launch,
                d::FARGATE_SPOT_BURST,
                d::FARGATE_SPOT_PER_S,
            ),
            run_task_api: self.bucket(
                "limits.run_task_api",
                spec.run_task_api,
                d::RUN_TASK_API_BURST,
                d::RUN_TASK_API_PER_S,
            ),
            fargate_run_task_calls: self.bucket(
                "limits.fargate_run_task_calls",
                spec.fargate_run_task_calls,
                d::FARGATE_RUN_TASK_CALLS_BURST,
                d::FARGATE_RUN_TASK_CALLS_PER_S,
            ),
            service_per_minute_fargate: service_fargate.max(1),
            service_per_minute_ec2: service_ec2.max(1),
            circuit_breaker_min: spec.circuit_breaker_min_threshold.unwrap_or(cb_min),
            provisioning_limit,
        }
    }

    fn latencies(&mut self, spec: &LatencySpec) -> Latencies {
        let field = |name: &str| format!("latencies.{name}");
        Latencies {
            cycle_ms: self
                .seconds(
                    &field("scheduler_cycle_s"),
                    spec.scheduler_cycle_s.unwrap_or(d::SCHEDULER_CYCLE_S),
                    1.0,
                    300.0,
                )
                .max(1),
            fargate_capacity: self.step(&field("fargate_capacity"), spec.fargate_capacity, d::FARGATE_CAPACITY),
            eni_attach: self.step(&field("eni_attach"), spec.eni_attach, d::ENI_ATTACH),
            public_ip: self.step(&field("public_ip"), spec.public_ip, d::PUBLIC_IP),
            image_pull_base: self.step(&field("image_pull_base"), spec.image_pull_base, d::IMAGE_PULL_BASE),
            image_pull_mb_per_s: self.number(
                &field("image_pull_mb_per_s"),
                spec.image_pull_mb_per_s.unwrap_or(d::IMAGE_PULL_MB_PER_S),
                0.01,
                100_000.0,
            ),
            lazy_loading_pull_factor: self.number(
                &field("lazy_loading_pull_factor"),
                spec.lazy_loading_pull_factor.unwrap_or(d::LAZY_LOADING_PULL_FACTOR),
                0.0,
                1.0,
            ),
            container_start: self.step(&field("container_start"), spec.container_start, d::CONTAINER_START),
            lb_registration: self.step(&field("lb_registration"), spec.lb_registration, d::LB_REGISTRATION),
            app_shutdown: self.step(&field("app_shutdown"), spec.app_shutdown, d::APP_SHUTDOWN),
            deprovision: self.step(&field("deprovision"), spec.deprovision, d::DEPROVISION),
            backoff_initial_ms: self.seconds(
                &field("backoff_initial_s"),
                spec.backoff_initial_s.unwrap_or(d::BACKOFF_INITIAL_S),
                0.0,
                3600.0,
            ),
            backoff_factor: self.number(
                &field("backoff_factor"),
                spec.backoff_factor.unwrap_or(d::BACKOFF_FACTOR),
                1.0,
                10.0,
            ),
            backoff_max_ms: self.seconds(
                &field("backoff_max_s"),
                spec.backoff_max_s.unwrap_or(d::BACKOFF_MAX_S),
                0.0,
                86_400.0,
            ),
            instance_boot: self.step(&field("instance_boot"), spec.instance_boot, d::INSTANCE_BOOT),
            agent_registration: self.step(&field("agent_registration"), spec.agent_registration, d::AGENT_REGISTRATION),
            agent_handoff: self.step(&field("agent_handoff"), spec.agent_handoff, d::AGENT_HANDOFF),
            ec2_image_pull_mb_per_s: self.number(
                &field("ec2_image_pull_mb_per_s"),
                spec.ec2_image_pull_mb_per_s.unwrap_or(d::EC2_IMAGE_PULL_MB_PER_S),
                0.01,
                100_000.0,
            ),
        }
    }

    fn prices(&mut self, spec: &PriceSpec) -> Prices {
        let mut price = |name: &str, value: Option<f64>, default: f64| {
            self.number(&format!("prices.{name}"), value.unwrap_or(default), 0.0, 1000.0)
        };
        Prices {
            fargate_vcpu_hour: price("fargate_vcpu_hour", spec.fargate_vcpu_hour, d::FARGATE_VCPU_HOUR),
            fargate_gb_hour: price("fargate_gb_hour", spec.fargate_gb_hour, d::FARGATE_GB_HOUR),
            fargate_arm_vcpu_hour: price("fargate_arm_vcpu_hour", spec.fargate_arm_vcpu_hour, d::FARGATE_ARM_VCPU_HOUR),
            fargate_arm_gb_hour: price("fargate_arm_gb_hour", spec.fargate_arm_gb_hour, d::FARGATE_ARM_GB_HOUR),
            fargate_spot_discount_percent: self.number(
                "prices.fargate_spot_discount_percent",
                spec.fargate_spot_discount_percent.unwrap_or(d::FARGATE_SPOT_DISCOUNT_PERCENT),
                0.0,
                100.0,
            ),
            public_ipv4_hour: self.number(
                "prices.public_ipv4_hour",
                spec.public_ipv4_hour.unwrap_or(d::PUBLIC_IPV4_HOUR),
                0.0,
                1000.0,
            ),
            ec2_spot_discount_percent: self.number(
                "prices.ec2_spot_discount_percent",
                spec.ec2_spot_discount_percent.unwrap_or(d::EC2_SPOT_DISCOUNT_PERCENT),
                0.0,
                100.0,
            ),
            ecs_anywhere_instance_hour: self.number(
                "prices.ecs_anywhere_instance_hour",
                spec.ecs_anywhere_instance_hour.unwrap_or(d::ECS_ANYWHERE_INSTANCE_HOUR),
                0.0,
                1000.0,
            ),
        }
    }

    fn spot_capacity(&mut self, field: &str, availability: SpotAvailability, per_s: Option<f64>) -> u32 {
        let per_s = match (per_s, availability) {
            (Some(v), _) => self.number(field, v, 0.0, 100_000.0),
            (None, SpotAvailability::Plenty) => d::SPOT_CAPACITY_PLENTY_PER_S,
            (None, SpotAvailability::Tight) => d::SPOT_CAPACITY_TIGHT_PER_S,
            (None, SpotAvailability::None) => 0.0,
        };
        per_second_to_per_minute(per_s)
    }

    fn task_defs(&mut self, specs: &[TaskDefinitionSpec]) -> Vec<TaskDef> {
        let mut names = BTreeSet::new();
        if specs.is_empty() {
            self.err("task_definitions", "at least one task definition is needed");
        }
        specs
            .iter()
            .enumerate()
            .map(|(i, td)| {
                let field = |name: &str| format!("task_definitions[{i}].{name}");
                if td.name.trim().is_empty() {
                    self.err(field("name"), "must not be empty");
                } else if !names.insert(td.name.as_str()) {
                    self.err(field("name"), format!("task definition `{}` is defined twice", td.name));
                }
                let image_mb = self.number(&field("image_mb"), td.image_mb, 0.0, 100_000.0);
                let health_check = td.health_check.as_ref().map(|hc| HealthCheck {
                    interval_ms: self.seconds(&field("health_check.interval_s"), hc.interval_s, 5.0, 300.0),
                    retries: {
                        if !(1..=10).contains(&hc.retries) {
                            self.err(
                                field("health_check.retries"),
                                format!("must be between 1 and 10, got {}", hc.retries),
                            );
                        }
                        hc.retries.clamp(1, 10)
                    },
                    start_period_ms: self.seconds(&field("health_check.start_period_s"), hc.start_period_s, 0.0, 300.0),
                    ready_after_ms: self.seconds(&field("health_check.ready_after_s"), hc.ready_after_s, 0.0, 86_400.0),
                });
                let failure = Failure {
                    start_failure_probability: self.number(
                        &field("failure.start_failure_probability"),
                        td.failure.start_failure_probability,
                        0.0,
                        1.0,
                    ),
                    health_check_failure_probability: self.number(
                        &field("failure.health_check_failure_probability"),
                        td.failure.health_check_failure_probability,
                        0.0,
                        1.0,
                    ),
                    crash_after_ms: td
                        .failure
                        .crash_after_s
                        .map(|s| self.seconds(&field("failure.crash_after_s"), s, 0.001, MAX_HORIZON_S)),
                    crash_probability: self.number(
                        &field("failure.crash_probability"),
                        td.failure.crash_probability,
                        0.0,
                        1.0,
                    ),
                };
                let mut fixed = BTreeSet::new();
                let mut host_ports = Vec::new();
                for (j, mapping) in td.port_mappings.iter().enumerate() {
                    let host = match td.network_mode {
                        // awsvpc and host: the task's port is the container port on its ENI / on the host.
                        NetworkMode::Awsvpc | NetworkMode::Host => Some(mapping.host_port.unwrap_or(mapping.container_port)),
                        NetworkMode::Bridge => mapping.host_port.filter(|&p| p != 0),
                    };
                    if td.network_mode == NetworkMode::Awsvpc && mapping.host_port.is_some_and(|p| p != mapping.container_port) {
                        self.err(field(&format!("port_mappings[{j}].host_port")), "in awsvpc mode the host port must equal the container port (or be left out)");
                    }
                    match host {
                        Some(port) if !fixed.insert(port) => self.err(
                            field(&format!("port_mappings[{j}].host_port")),
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
                }
            })
            .collect()
    }

    fn find_task_def(&mut self, field: &str, name: &str, task_defs: &[TaskDef]) -> Option<usize> {
        let found = task_defs.iter().position(|td| td.name == name);
        if found.is_none() {
            let known: Vec<&str> = task_defs.iter().map(|td| td.name.as_str()).collect();
            self.err(field, format!("no task definition named `{name}`; defined: {}", known.join(", ")));
        }
        found
    }

    /// The rules Fargate puts on a task definition it runs.
    fn check_fargate_task_def(&mut self, field: &str, spec: &TaskDefinitionSpec) {
        if let Err(message) = fargate::check_size(spec.cpu, spec.memory) {
            self.err(field, format!("task definition `{}`: {message}", spec.name));
        }
        if spec.network_mode != NetworkMode::Awsvpc {
            self.err(field, format!("task definition `{}`: Fargate tasks must use network_mode awsvpc", spec.name));
        }
        if spec.stop_timeout_s > d::FARGATE_MAX_STOP_TIMEOUT_S {
            self.err(
                field,
                format!(
                    "task definition `{}`: stop_timeout_s is at most 120 on Fargate, got {}",
                    spec.name, spec.stop_timeout_s
                ),
            );
        }
    }

    fn providers(&mut self, specs: &[CapacityProviderSpec]) -> Vec<AsgProvider> {
        let mut names = BTreeSet::new();
        specs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let field = |name: &str| format!("capacity_providers[{i}].{name}");
                if p.name.trim().is_empty() {
                    self.err(field("name"), "must not be empty");
                } else if p.name == "FARGATE" || p.name == "FARGATE_SPOT" {
                    self.err(field("name"), format!("`{}` is reserved for Fargate; name the Auto Scaling group provider differently", p.name));
                } else if !names.insert(p.name.as_str()) {
                    self.err(field("name"), format!("capacity provider `{}` is defined twice", p.name));
                }
                if p.instance_types.is_empty() {
                    self.err(field("instance_types"), "list at least one instance type, e.g. [\"m5.large\"]");
                }
                let instance_types: Vec<InstanceType> = p
                    .instance_types
                    .iter()
                    .enumerate()
                    .filter_map(|(j, name)| {
                        let found = instance_types::get(name);
                        if found.is_none() {
                            self.err(field(&format!("instance_types[{j}]")), instance_types::unknown_message(name));
                        }
                        found.copied()
                    })
                    .collect();
                let zones: BTreeSet<&str> = p.availability_zones.iter().map(String::as_str).collect();
                if p.availability_zones.is_empty() || zones.len() != p.availability_zones.len() {
                    self.err(field("availability_zones"), "list one or more distinct Availability Zones");
                }
                if p.max_size == 0 || p.max_size > 10_000 {
                    self.err(field("max_size"), format!("must be between 1 and 10000, got {}", p.max_size));
                }
                if p.min_size > p.max_size {
                    self.err(field("min_size"), format!("{} is above max_size {}", p.min_size, p.max_size));
                }
                if p.desired_capacity < p.min_size || p.desired_capacity > p.max_size {
                    self.err(
                        field("desired_capacity"),
                        format!("must be between min_size {} and max_size {}, got {}", p.min_size, p.max_size, p.desired_capacity),
                    );
                }
                let spot_strategy = !matches!(p.allocation_strategy, AllocationStrategy::Prioritized);
                if spot_strategy != (p.purchase == Purchase::Spot) {
                    self.err(
                        field("allocation_strategy"),
                        "On-Demand groups use `prioritized`; Spot groups use `lowest-price`, `capacity-optimized` or `price-capacity-optimized`",
                    );
                }
                if p.purchase == Purchase::OnDemand
                    && (p.spot_draining
                        || p.capacity_rebalance
                        || p.interruption_frequency.is_some()
                        || !p.interruption_frequency_by_type.is_empty()
                        || p.rebalance_recommendation_lead_s != 0.0)
                {
                    self.err(
                        field("purchase"),
                        "spot_draining, capacity_rebalance and interruption frequencies apply to Spot groups: set purchase to spot",
                    );
                }
                for name in p.interruption_frequency_by_type.keys() {
                    if !p.instance_types.contains(name) {
                        self.err(
                            field(&format!("interruption_frequency_by_type.{name}")),
                            format!("{name} is not one of this group's instance_types ({})", p.instance_types.join(", ")),
                        );
                    }
                }
                // A month of 730 hours (365 x 24 / 12).
                let per_hour = |f: InterruptionFrequency| f.monthly_fraction() / 730.0;
                let interruptions_per_instance_hour = instance_types
                    .iter()
                    .map(|t| {
                        p.interruption_frequency_by_type
                            .get(t.name)
                            .copied()
                            .or(p.interruption_frequency)
                            .map_or(0.0, per_hour)
                    })
                    .collect();
                let managed_scaling = p.managed_scaling.as_ref().map(|m| {
                    if !(1..=100).contains(&m.target_capacity) {
                        self.err(field("managed_scaling.target_capacity"), format!("must be between 1 and 100, got {}", m.target_capacity));
                    }
                    if !(1..=10_000).contains(&m.minimum_scaling_step_size) {
                        self.err(field("managed_scaling.minimum_scaling_step_size"), "must be between 1 and 10000");
                    }
                    if m.maximum_scaling_step_size < m.minimum_scaling_step_size || m.maximum_scaling_step_size > 10_000 {
                        self.err(
                            field("managed_scaling.maximum_scaling_step_size"),
                            "must be at least minimum_scaling_step_size and at most 10000",
                        );
                    }
                    ManagedScaling {
                        target_capacity: m.target_capacity.clamp(1, 100),
                        minimum_step: m.minimum_scaling_step_size.max(1),
                        maximum_step: m.maximum_scaling_step_size.max(m.minimum_scaling_step_size).max(1),
                        warmup_ms: self.seconds(&field("managed_scaling.instance_warmup_period_s"), m.instance_warmup_period_s, 0.0, 10_000.0),
                    }
                });
                AsgProvider {
                    name: p.name.clone(),
                    instance_types,
                    purchase: p.purchase,
                    allocation_strategy: p.allocation_strategy,
                    zones: p.availability_zones.clone(),
                    min_size: p.min_size,
                    max_size: p.max_size.max(1),
                    initial: p.desired_capacity.min(p.max_size),
                    managed_scaling,
                    managed_termination_protection: p.managed_termination_protection,
                    eni_trunking: p.eni_trunking,
                    images_cached: p.images_cached,
                    spot_draining: p.spot_draining,
                    capacity_rebalance: p.capacity_rebalance,
                    interruptions_per_instance_hour,
                    rebalance_lead_ms: self.seconds(
                        &field("rebalance_recommendation_lead_s"),
                        p.rebalance_recommendation_lead_s,
                        0.0,
                        3600.0,
                    ),
                    external: false,
                }
            })
            .collect()
    }

    /// ECS Anywhere groups become fixed-size groups of one synthetic host type, with no capacity provider.
    fn external_groups(&mut self, specs: &[ExternalGroupSpec], asg: &[AsgProvider]) -> Vec<AsgProvider> {
        specs
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let field = |name: &str| format!("external_instances[{i}].{name}");
                if g.name.trim().is_empty() {
                    self.err(field("name"), "must not be empty");
                } else if asg.iter().any(|p| p.name == g.name) || specs[..i].iter().any(|o| o.name == g.name) {
                    self.err(field("name"), format!("`{}` is already the name of another group", g.name));
                }
                if g.count == 0 || g.count > 10_000 {
                    self.err(field("count"), format!("must be between 1 and 10000, got {}", g.count));
                }
                if g.vcpus == 0 || g.vcpus > 512 {
                    self.err(field("vcpus"), format!("must be between 1 and 512, got {}", g.vcpus));
                }
                if g.memory_mib < 512 || g.memory_mib > 4 * 1024 * 1024 {
                    self.err(field("memory_mib"), format!("must be between 512 and 4194304, got {}", g.memory_mib));
                }
                let host = InstanceType {
                    name: "external",
                    vcpu: g.vcpus.clamp(1, 512),
                    memory_mib: g.memory_mib.max(512),
                    // No awsvpc on ECS Anywhere: the primary interface only.
                    max_enis: 1,
                    trunk_tasks: None,
                    on_demand_hour_usd: 0.0,
                    architecture: g.architecture,
                    burstable_baseline_percent: None,
                    cpu_credits_per_hour: None,
                };
                let count = g.count.clamp(1, 10_000);
                AsgProvider {
                    name: g.name.clone(),
                    instance_types: vec![host],
                    purchase: Purchase::OnDemand,
                    allocation_strategy: AllocationStrategy::Prioritized,
                    zones: vec![g.location.clone()],
                    min_size: count,
                    max_size: count,
                    initial: count,
                    managed_scaling: None,
                    managed_termination_protection: false,
                    eni_trunking: false,
                    images_cached: false,
                    spot_draining: false,
                    capacity_rebalance: false,
                    interruptions_per_instance_hour: vec![0.0],
                    rebalance_lead_ms: 0,
                    external: true,
                }
            })
            .collect()
    }

    fn strategy(
        &mut self,
        field: &str,
        launch_type: Option<LaunchType>,
        items: &[StrategyItemSpec],
        providers: &[AsgProvider],
    ) -> Strategy {
        let fargate_only = Strategy { items: vec![StrategyItem { provider: Provider::Fargate, base: 0, weight: 1 }] };
        if launch_type.is_some() && !items.is_empty() {
            self.err(field, "set either launch_type or capacity_provider_strategy, not both");
            return fargate_only;
        }
        match launch_type {
            Some(LaunchType::Fargate) | None if items.is_empty() => return fargate_only,
            Some(LaunchType::Ec2) => {
                self.err(
                    format!("{field}.launch_type"),
                    "launch_type EC2 (instances without a capacity provider) is not simulated yet; name your Auto Scaling group provider in capacity_provider_strategy",
                );
                return fargate_only;
            }
            Some(LaunchType::External) => {
                let items: Vec<StrategyItem> = providers
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.external)
                    .map(|(i, _)| StrategyItem { provider: Provider::Asg(i as u16), base: 0, weight: 1 })
                    .collect();
                if items.is_empty() {
                    self.err(format!("{field}.launch_type"), "launch_type EXTERNAL needs external_instances to run on");
                    return fargate_only;
                }
                return Strategy { items };
            }
            _ => {}
        }
        let items_field = format!("{field}.capacity_provider_strategy");
        if items.len() > 6 {
            self.err(&items_field, format!("at most 6 capacity providers, got {}", items.len()));
        }
        let mut resolved = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, item) in items.iter().enumerate() {
            let provider = match item.capacity_provider.as_str() {
                "FARGATE" => Provider::Fargate,
                "FARGATE_SPOT" => Provider::FargateSpot,
                other => match providers.iter().position(|p| p.name == other) {
                    Some(index) if providers[index].external => {
                        self.err(
                            format!("{items_field}[{i}].capacity_provider"),
                            format!("`{other}` is a group of ECS Anywhere hosts, which has no capacity provider; use launch_type EXTERNAL"),
                        );
                        continue;
                    }
                    Some(index) => Provider::Asg(index as u16),
                    None => {
                        let mut known = vec!["FARGATE", "FARGATE_SPOT"];
                        known.extend(providers.iter().map(|p| p.name.as_str()));
                        self.err(
                            format!("{items_field}[{i}].capacity_provider"),
                            format!("unknown capacity provider `{other}`; defined: {}", known.join(", ")),
                        );
                        continue;
                    }
                },
            };
            if !seen.insert(provider) {
                self.err(
                    format!("{items_field}[{i}].capacity_provider"),
                    format!("{} appears twice", item.capacity_provider),
                );
            }
            resolved.push(StrategyItem { provider, base: item.base, weight: item.weight });
        }
        if resolved.iter().any(|i| i.provider.is_fargate()) && resolved.iter().any(|i| !i.provider.is_fargate()) {
            self.err(
                &items_field,
                "a strategy holds only Auto Scaling group providers or only FARGATE / FARGATE_SPOT, not both",
            );
        }
        if items.iter().filter(|item| item.base > 0).count() > 1 {
            self.err(&items_field, "only one capacity provider in a strategy may set a base");
        }
        if !items.is_empty() && items.iter().all(|item| item.weight == 0) {
            self.err(&items_field, "at least one capacity provider needs a weight above 0");
        }
        if resolved.is_empty() {
            return fargate_only;
        }
        Strategy { items: resolved }
    }

    /// Checks a task definition against the capacity a strategy launches it on.
    fn check_task_def_for(
        &mut self,
        field: &str,
        td: &TaskDefinitionSpec,
        strategy: &Strategy,
        providers: &[AsgProvider],
    ) {
        if strategy.items.iter().any(|i| i.provider.is_fargate()) {
            self.check_fargate_task_def(field, td);
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

    /// Placement strategies and constraints; only EC2 capacity has instances to place on.
    fn placement(
        &mut self,
        field: &str,
        strategies: &[PlacementStrategySpec],
        constraints: &[PlacementConstraintSpec],
        strategy: &Strategy,
        default: &[PlacementStrategySpec],
    ) -> Placement {
        let fargate = strategy.items.iter().any(|i| i.provider.is_fargate());
        if fargate && (!strategies.is_empty() || !constraints.is_empty()) {
            self.err(
                format!("{field}.placement_strategy"),
                "Fargate does not support placement strategies or constraints (they apply to EC2 and EXTERNAL capacity)",
            );
        }
        if strategies.len() > 5 {
            self.err(format!("{field}.placement_strategy"), "at most 5 placement strategies");
        }
        for (j, s) in strategies.iter().enumerate() {
            if let PlacementStrategySpec::Spread { field: spread } = s {
                if spread != "instanceId" && !spread.starts_with("attribute:") {
                    self.err(
                        format!("{field}.placement_strategy[{j}].field"),
                        format!("spread by `instanceId` or `attribute:<name>` (e.g. attribute:ecs.availability-zone), got `{spread}`"),
                    );
                }
            }
        }
        if constraints.len() > 10 {
            self.err(format!("{field}.placement_constraints"), "at most 10 placement constraints");
        }
        let mut distinct_instance = false;
        let mut member_of = Vec::new();
        for (j, c) in constraints.iter().enumerate() {
            match c {
                PlacementConstraintSpec::DistinctInstance => distinct_instance = true,
                PlacementConstraintSpec::MemberOf { expression } => match query::parse(expression) {
                    Ok(parsed) => member_of.push(parsed),
                    Err(e) => self.err(format!("{field}.placement_constraints[{j}].expression"), e.to_string()),
                },
            }
        }
        // The defaults: services spread over Availability Zones, then instances (ECS's "AZ balanced spread");
        // RunTask places at random.
        let strategies = if strategies.is_empty() { default.to_vec() } else { strategies.to_vec() };
        Placement { strategies, distinct_instance, member_of }
    }

    fn services(&mut self, spec: &ScenarioSpec, task_defs: &[TaskDef], providers: &[AsgProvider]) -> Vec<Service> {
        let mut names = BTreeSet::new();
        spec.services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let field = |name: &str| format!("services[{i}].{name}");
                if s.name.trim().is_empty() {
                    self.err(field("name"), "must not be empty");
                } else if !names.insert(s.name.as_str()) {
                    self.err(field("name"), format!("service `{}` is defined twice", s.name));
                }
                let task_def =
                    self.find_task_def(&field("task_definition"), &s.task_definition, task_defs).unwrap_or(0);
                if s.desired_count > MAX_TASKS {
                    self.err(field("desired_count"), format!("at most {MAX_TASKS}, got {}", s.desired_count));
                }
                let strategy =
                    self.strategy(&format!("services[{i}]"), s.launch_type, &s.capacity_provider_strategy, providers);
                if let Some(td) = spec.task_definitions.iter().find(|td| td.name == s.task_definition) {
                    self.check_task_def_for(&field("task_definition"), td, &strategy, providers);
                }
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
                if s.deployment.minimum_healthy_percent > 100 {
                    self.err(
                        field("deployment.minimum_healthy_percent"),
                        format!("must be between 0 and 100, got {}", s.deployment.minimum_healthy_percent),
                    );
                }
                if !(100..=400).contains(&s.deployment.maximum_percent) {
                    self.err(
                        field("deployment.maximum_percent"),
                        format!("must be between 100 and 400, got {}", s.deployment.maximum_percent),
                    );
                }
                if s.autoscaling.is_some() {
                    self.err(
                        field("autoscaling"),
                        "service autoscaling is not simulated in this version yet; use timed scale events",
                    );
                }
                let on_external = strategy.items.iter().any(|item| {
                    matches!(item.provider, Provider::Asg(i) if providers.get(i as usize).is_some_and(|p| p.external))
                });
                if on_external && s.load_balancer.is_some() {
                    self.err(field("load_balancer"), "ECS Anywhere has no load balancer integration");
                }
                if !strategy.items.iter().any(|item| item.provider.is_fargate()) && s.assign_public_ip {
                    self.err(field("assign_public_ip"), "only Fargate tasks get a public IP from ECS");
                }
                let load_balancer = s.load_balancer.as_ref().map(|lb| {
                    let threshold = |v: &mut Self, name: &str, value: u32| {
                        if !(2..=10).contains(&value) {
                            v.err(field(name), format!("must be between 2 and 10, got {value}"));
                        }
                        value.clamp(2, 10)
                    };
                    LoadBalancer {
                        interval_ms: self.seconds(
                            &field("load_balancer.health_check_interval_s"),
                            lb.health_check_interval_s,
                            5.0,
                            300.0,
                        ),
                        healthy_threshold: threshold(self, "load_balancer.healthy_threshold", lb.healthy_threshold),
                        unhealthy_threshold: threshold(
                            self,
                            "load_balancer.unhealthy_threshold",
                            lb.unhealthy_threshold,
                        ),
                        deregistration_delay_ms: self.seconds(
                            &field("load_balancer.deregistration_delay_s"),
                            lb.deregistration_delay_s,
                            0.0,
                            3600.0,
                        ),
                    }
                });
                Service {
                    name: s.name.clone(),
                    task_def,
                    desired: s.desired_count.min(MAX_TASKS),
                    strategy,
                    minimum_healthy_percent: s.deployment.minimum_healthy_percent.min(100),
                    maximum_percent: s.deployment.maximum_percent.clamp(100, 400),
                    circuit_breaker: s.deployment.circuit_breaker.as_ref().filter(|cb| cb.enable).map(|cb| cb.rollback),
                    load_balancer,
                    assign_public_ip: s.assign_public_ip,
                    placement: Arc::new(placement),
                }
            })
            .collect()
    }

    fn run_tasks(
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
                if r.name.trim().is_empty() {
                    self.err(field("name"), "must not be empty");
                } else if !names.insert(r.name.as_str()) {
                    self.err(field("name"), format!("run_tasks entry `{}` is defined twice", r.name));
                }
                let task_def =
                    self.find_task_def(&field("task_definition"), &r.task_definition, task_defs).unwrap_or(0);
                let strategy =
                    self.strategy(&format!("run_tasks[{i}]"), r.launch_type, &r.capacity_provider_strategy, providers);
                if let Some(td) = spec.task_definitions.iter().find(|td| td.name == r.task_definition) {
                    self.check_task_def_for(&field("task_definition"), td, &strategy, providers);
                }
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
                }
            })
            .collect()
    }

    fn find_service(&mut self, field: &str, name: &str, spec: &ScenarioSpec) -> usize {
        match spec.services.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                self.err(field, format!("no service named `{name}`"));
                0
            }
        }
    }

    fn events(
        &mut self,
        spec: &ScenarioSpec,
        task_defs: &[TaskDef],
        services: &[Service],
        providers: &[AsgProvider],
        horizon: SimTime,
    ) -> Vec<TimedEvent> {
        let mut events: Vec<TimedEvent> = spec
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let field = |name: &str| format!("events[{i}].{name}");
                let at = SimTime(self.seconds(&field("at_s"), e.at_s(), 0.0, horizon.as_secs_f64()));
                let action = match e {
                    TimedEventSpec::Scale { service, desired_count, .. } => {
                        if *desired_count > MAX_TASKS {
                            self.err(field("desired_count"), format!("at most {MAX_TASKS}, got {desired_count}"));
                        }
                        TimedAction::Scale {
                            service: self.find_service(&field("service"), service, spec),
                            desired: (*desired_count).min(MAX_TASKS),
                        }
                    }
                    TimedEventSpec::Deploy { service, task_definition, .. } => {
                        let service = self.find_service(&field("service"), service, spec);
                        let task_def = match task_definition {
                            Some(name) => {
                                let td = spec.task_definitions.iter().find(|td| &td.name == name);
                                if let (Some(td), Some(svc)) = (td, services.get(service)) {
                                    self.check_task_def_for(&field("task_definition"), td, &svc.strategy, providers);
                                }
                                self.find_task_def(&field("task_definition"), name, task_defs).unwrap_or(0)
                            }
                            None => spec
                                .services
                                .get(service)
                                .and_then(|s| task_defs.iter().position(|td| td.name == s.task_definition))
                                .unwrap_or(0),
                        };
                        TimedAction::Deploy { service, task_def }
                    }
                    TimedEventSpec::FargateSpotInterruption { fraction, count, .. } => {
                        match (fraction, count) {
                            (Some(_), Some(_)) | (None, None) => self
                                .err(field("fraction"), "give either fraction (0 to 1) or count, exactly one of them"),
                            (Some(f), None) if !(*f > 0.0 && *f <= 1.0) => {
                                self.err(field("fraction"), format!("must be above 0 and at most 1, got {f}"))
                            }
                            _ => {}
                        }
                        TimedAction::SpotInterruption { fraction: *fraction, count: *count }
                    }
                    TimedEventSpec::Ec2SpotInterruption { provider, instance_type, zone, fraction, .. } => {
                        let index = providers.iter().position(|p| &p.name == provider);
                        let group = index.map(|i| &providers[i]);
                        match group {
                            None => self.err(field("provider"), format!("no capacity provider named `{provider}`")),
                            Some(g) if g.purchase != Purchase::Spot => self.err(
                                field("provider"),
                                format!("`{provider}` is an On-Demand group; Spot interruptions hit Spot groups"),
                            ),
                            _ => {}
                        }
                        if !(*fraction > 0.0 && *fraction <= 1.0) {
                            self.err(field("fraction"), format!("must be above 0 and at most 1, got {fraction}"));
                        }
                        let instance_type = instance_type.as_ref().and_then(|name| {
                            let found =
                                group.and_then(|g| g.instance_types.iter().find(|t| t.name == name)).map(|t| t.name);
                            if found.is_none() {
                                self.err(
                                    field("instance_type"),
                                    format!("`{name}` is not one of the provider's instance types"),
                                );
                            }
                            found
                        });
                        let zone = zone.as_ref().and_then(|name| {
                            let found = group.and_then(|g| g.zones.iter().position(|z| z == name)).map(|z| z as u16);
                            if found.is_none() {
                                self.err(
                                    field("zone"),
                                    format!("`{name}` is not one of the provider's Availability Zones"),
                                );
                            }
                            found
                        });
                        TimedAction::Ec2SpotWave {
                            provider: index.unwrap_or(0),
                            instance_type,
                            zone,
                            fraction: *fraction,
                        }
                    }
                    TimedEventSpec::FargateSpotAvailability { availability, capacity_per_s, .. } => {
                        TimedAction::SpotAvailability {
                            capacity_per_minute: self.spot_capacity(
                                &field("capacity_per_s"),
                                *availability,
                                *capacity_per_s,
                            ),
                        }
                    }
                };
                TimedEvent { at, action }
            })
            .collect();
        events.sort_by_key(|e| e.at);
        events
    }
}

/// Tokens per second to whole tokens per minute (the bucket's exact unit).
fn per_second_to_per_minute(per_s: f64) -> u32 {
    (per_s * 60.0).round().clamp(0.0, u32::MAX as f64) as u32
}

/// The deployment rounding rules of domain.md section 3: (minimum healthy tasks, maximum running tasks).
pub fn deployment_bounds(desired: u32, minimum_healthy_percent: u32, maximum_percent: u32) -> (u32, u32) {
    let desired = u64::from(desired);
    let min_healthy = (desired * u64::from(minimum_healthy_percent)).div_ceil(100);
    let max_running = desired * u64::from(maximum_percent) / 100;
    (min_healthy as u32, max_running as u32)
}

/// The circuit breaker's failure threshold: clamp(ceil(0.5 x desired), min, 200).
pub fn circuit_breaker_threshold(desired: u32, min: u32) -> u32 {
    desired.div_ceil(2).clamp(min, d::CIRCUIT_BREAKER_MAX.max(min))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_rounding_examples_of_the_domain() {
        // desired 4 at 50% min healthy: 2 old tasks may stop first.
        assert_eq!(deployment_bounds(4, 50, 200).0, 2);
        // desired 2 at 75%: ceil(1.5) = 2, so none can stop first.
        assert_eq!(deployment_bounds(2, 75, 200).0, 2);
        // desired 4 at 200% max: 8 may run, so 4 new tasks start first.
        assert_eq!(deployment_bounds(4, 100, 200).1, 8);
        // both at 100%: minimum = maximum = desired, no room to start or stop.
        assert_eq!(deployment_bounds(4, 100, 100), (4, 4));
        // floor for the maximum: desired 3 at 150% = 4.5 -> 4.
        assert_eq!(deployment_bounds(3, 100, 150).1, 4);
    }

    #[test]
    fn circuit_breaker_thresholds() {
        assert_eq!(circuit_breaker_threshold(1000, 10), 200);
        assert_eq!(circuit_breaker_threshold(100, 10), 50);
        assert_eq!(circuit_breaker_threshold(4, 10), 10);
        assert_eq!(circuit_breaker_threshold(4, 3), 3);
        assert_eq!(circuit_breaker_threshold(7, 3), 4);
    }

    #[test]
    fn rates_convert_exactly() {
        assert_eq!(per_second_to_per_minute(20.0), 1200);
        assert_eq!(per_second_to_per_minute(3.8), 228);
    }
}
