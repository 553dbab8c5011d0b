//! The validated scenario the simulation runs: names resolved to indices, seconds turned into integer milliseconds,
//! defaults filled in. Only the validator builds these values, so the simulation never meets a bad one.

use std::sync::Arc;

use crate::instance_types::InstanceType;
use crate::listed::listed;
use crate::query::Expression;
use crate::spec::{
    AllocationStrategy, Architecture, LimitsProfile, NetworkMode, OnThrottle, PlacementStrategySpec, Purchase,
    ScenarioSpec,
};
use crate::time::SimTime;

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

listed! {
    /// What a task runs on, for counting and charts: the four kinds of capacity that launch and bill differently.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum CapacityType {
        Fargate => "FARGATE",
        FargateSpot => "FARGATE_SPOT",
        Ec2OnDemand => "EC2",
        Ec2Spot => "EC2_SPOT",
        External => "EXTERNAL",
    }
    name
}

impl CapacityType {
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
    /// ECS managed instance draining: instances the group terminates drain first.
    pub managed_draining: bool,
    /// How long before a notice its rebalance recommendation arrives (0: together with it).
    pub rebalance_lead_ms: u64,
    /// Random interruptions: expected interruptions per instance per hour, per instance type (indexed like
    /// `instance_types`; Spot groups only, zeros otherwise).
    pub interruptions_per_instance_hour: Vec<f64>,
    /// An ECS Anywhere group of external hosts rather than an Auto Scaling group.
    pub external: bool,
    /// Pools without capacity when the run starts: (index in `instance_types`, index in `zones`).
    pub insufficient_capacity: Vec<(u16, u16)>,
    /// An Amazon ECS Managed Instances provider rather than an Auto Scaling group: `instance_types` are the
    /// catalogue types its instance requirements allow.
    pub managed_instances: Option<ManagedInstances>,
    /// The credit option of the group's burstable instances as the file sets it; unset means
    /// [`crate::scenario::CPU_CREDITS_DEFAULT`] (and, with no task setting `cpu_utilization_percent`, no credits).
    pub cpu_credits: Option<crate::spec::CpuCredits>,
}

/// What a Managed Instances provider adds to a group (`docs/model.md` §4.9).
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedInstances {
    /// How long an idle instance waits before it is removed; `None`: idle instances stay (`scaleInAfter` -1).
    pub scale_in_after_ms: Option<u64>,
    /// When, from launch, ECS drains an instance for patching.
    pub drain_after_ms: u64,
    /// The management fee per instance-hour, USD, indexed like the group's `instance_types`.
    pub fee_hour_usd: Vec<f64>,
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
    /// Quotas (`docs/model.md` §4.8): the Fargate vCPU quotas in cpu units (1024 = 1 vCPU), `None` when the
    /// scenario sets none; container instances per cluster; tasks per service.
    pub fargate_on_demand_vcpu_quota: Option<u32>,
    pub fargate_spot_vcpu_quota: Option<u32>,
    pub instances_per_cluster: u32,
    pub tasks_per_service: u32,
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
    pub alb_hour: f64,
    pub alb_lcu_hour: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpotSettings {
    /// Capacity grants per minute; `None`: capacity does not limit Spot launches (availability "plenty").
    pub capacity_per_minute: Option<u32>,
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
    /// CPU a RUNNING task uses, percent of its reservation (0 unless set): spends burstable instances' credits.
    pub cpu_utilization_percent: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancer {
    pub interval_ms: u64,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
    pub deregistration_delay_ms: u64,
    /// GB per hour the service's Application Load Balancer processes (its LCUs).
    pub processed_gb_per_hour: f64,
    /// The other LCU dimensions: new connections per second, active connections per minute, rule evaluations
    /// per second (0 when unset).
    pub new_connections_per_s: f64,
    pub active_connections_per_minute: f64,
    pub rule_evaluations_per_s: f64,
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
    /// The requests it receives and what a task does with them (`docs/model.md` §9).
    pub demand: Option<crate::demand::ServiceDemand>,
    /// Application Auto Scaling of its desired count.
    pub autoscaling: Option<crate::demand::Autoscaling>,
    /// The queue its tasks consume (`docs/model.md` §10).
    pub worker: Option<crate::queue::Worker>,
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
    /// Set when the burst is one firing of an EventBridge schedule (`docs/model.md` §11): `at` is then the firing's
    /// scheduled time and the scheduler's retry policy replaces `on_throttle`.
    pub scheduled: Option<ScheduledCall>,
}

/// One firing of a `scheduled_tasks` schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduledCall {
    /// Index in `Scenario::schedules`.
    pub schedule: usize,
    /// The flexible time window (0: mode `OFF`).
    pub window_ms: u64,
    pub max_event_age_ms: u64,
    pub max_retry_attempts: u32,
}

/// A validated `scheduled_tasks` entry: what the summary names. Its firings are RunTask workloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleInfo {
    pub name: String,
    pub expression: String,
    /// The time zone its expression is evaluated in.
    pub time_zone: crate::zone::Zone,
}

/// What a timed event does. `PoolCapacity`: a pool of a group (index in its `instance_types`, index in its
/// `zones`) loses or regains its capacity.
#[derive(Debug, Clone, PartialEq)]
pub enum TimedAction {
    Scale {
        service: usize,
        desired: u32,
    },
    Deploy {
        service: usize,
        task_def: usize,
    },
    SpotInterruption {
        fraction: Option<f64>,
        count: Option<u32>,
    },
    SpotAvailability {
        capacity_per_minute: Option<u32>,
    },
    Ec2SpotWave {
        provider: usize,
        instance_type: Option<&'static str>,
        zone: Option<u16>,
        fraction: f64,
    },
    PoolCapacity {
        provider: usize,
        instance_type: u16,
        zone: u16,
        available: bool,
    },
    /// A Fargate task retirement notice: the Fargate tasks launched before `launched_before` are retired `wait_ms`
    /// after the notice (the account's wait period, `wait_days` days).
    FargateTaskRetirement {
        wait_days: u32,
        wait_ms: u64,
        launched_before: SimTime,
    },
    /// One instance's Spot interruption notice (the instance's launch number: `i-0000000c` is 12).
    InstanceInterruption {
        instance: u32,
    },
    /// Other callers in the account spend a bucket's tokens: all it holds (`None`) or up to `tokens`.
    TokensSpent {
        bucket: crate::spec::AccountBucket,
        tokens: Option<u32>,
    },
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
    /// The scenario's own end of the page's timeline (`timeline_end_s`), at most the horizon.
    pub timeline_end: Option<SimTime>,
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
    /// Savings Plans and Reserved Instances (empty: every price is On-Demand or Spot).
    pub commitments: Commitments,
    /// EventBridge schedules (`docs/model.md` §11); their firings are in `run_tasks`.
    pub schedules: Vec<ScheduleInfo>,
    /// Amazon SQS queues (`docs/model.md` §10).
    pub queues: Vec<crate::queue::Queue>,
    /// AWS Batch (`docs/model.md` §12), when the scenario has it.
    pub batch: Option<Arc<Batch>>,
    /// The lesson's steps (the page's lesson panel); empty when the scenario has none. The run ignores them.
    pub lesson: Vec<LessonStep>,
}

impl Scenario {
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

/// A validated Savings Plan. Discounts are fractions (0.3 for 30%).
#[derive(Debug, Clone, PartialEq)]
pub struct SavingsPlan {
    pub kind: crate::spec::SavingsPlanKind,
    /// EC2 Instance Savings Plans: the family covered.
    pub family: Option<String>,
    pub usd_per_hour: f64,
    pub discount: f64,
    pub fargate_discount: f64,
    /// Per-family discounts that differ from `discount`.
    pub family_discount: std::collections::BTreeMap<String, f64>,
}

impl SavingsPlan {
    /// The plan's discount for a family's EC2 usage, `None` if the plan does not cover that family.
    pub fn ec2_discount(&self, family: &str) -> Option<f64> {
        if self.family.as_deref().is_some_and(|f| f != family) {
            return None;
        }
        Some(self.family_discount.get(family).copied().unwrap_or(self.discount))
    }

    /// The plan's discount for Fargate usage: Compute Savings Plans only.
    pub fn fargate(&self) -> Option<f64> {
        (self.kind == crate::spec::SavingsPlanKind::Compute).then_some(self.fargate_discount)
    }
}

/// Regional Reserved Instances of one type.
#[derive(Debug, Clone, PartialEq)]
pub struct ReservedInstance {
    pub instance_type: InstanceType,
    pub count: u32,
    pub discount: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Commitments {
    pub savings_plans: Vec<SavingsPlan>,
    pub reserved_instances: Vec<ReservedInstance>,
}

impl Commitments {
    pub fn is_empty(&self) -> bool {
        self.savings_plans.is_empty() && self.reserved_instances.is_empty()
    }
}

/// The credit option of a group that does not set one. EC2 API, *RunInstances* `CreditSpecification`: "Default:
/// standard (T2 instances) or unlimited (T3/T3a/T4g instances)"; the catalogue's burstable rows are T3.
pub const CPU_CREDITS_DEFAULT: crate::spec::CpuCredits = crate::spec::CpuCredits::Unlimited;

// ---- AWS Batch (`docs/model.md` §12) ----

/// Validated AWS Batch: names resolved to indices, vCPUs in thousandths, seconds in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub compute_environments: Vec<ComputeEnvironment>,
    pub queues: Vec<JobQueue>,
    pub definitions: Vec<JobDefinition>,
    pub submissions: Vec<Submission>,
    /// Every SubmitJob call of the run, by time (calls at the same time in file order).
    pub calls: Vec<SubmitCall>,
    /// EC2 Spot interruptions of SPOT compute environments, by time.
    pub spot_interruptions: Vec<BatchSpotInterruption>,
    /// Pool capacity changes of EC2 and SPOT compute environments, by time (same time: file order).
    pub pool_capacity: Vec<BatchPoolCapacity>,
    pub submit_job: BucketParams,
    pub scheduler_interval_ms: u64,
}

impl Batch {
    /// Jobs the run creates: one per single-job call, the array size per array call.
    pub fn total_jobs(&self) -> u64 {
        self.calls.iter().map(|c| u64::from(self.submissions[c.submission as usize].children().max(1))).sum()
    }
}

/// A managed compute environment.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeEnvironment {
    pub name: String,
    pub kind: crate::spec::ComputeEnvironmentType,
    pub min_vcpus: u32,
    pub desired_vcpus: u32,
    pub max_vcpus: u32,
    /// EC2 and SPOT: the catalogue types it may launch (`optimal` resolved), cheapest per vCPU first.
    pub instance_types: Vec<InstanceType>,
    pub allocation: crate::spec::BatchAllocationStrategy,
    /// How long an instance with no jobs is kept; 0: it goes at the next scheduler pass.
    pub scale_down_delay_ms: u64,
    /// SPOT: random interruptions per instance-hour of each of `instance_types` (0: none), from its Spot Instance
    /// Advisor frequency as for Auto Scaling groups (`docs/model.md` §4.5, §12).
    pub interruptions_per_instance_hour: Vec<f64>,
}

/// A job queue.
#[derive(Debug, Clone, PartialEq)]
pub struct JobQueue {
    pub name: String,
    pub priority: u32,
    /// Compute environments (indices) in the queue's order.
    pub compute_environments: Vec<u16>,
}

/// One `evaluateOnExit` condition (patterns may end with `*`).
#[derive(Debug, Clone, PartialEq)]
pub struct ExitRule {
    pub action: crate::spec::RetryAction,
    pub on_exit_code: Option<String>,
    pub on_reason: Option<String>,
    pub on_status_reason: Option<String>,
}

/// A job definition.
#[derive(Debug, Clone, PartialEq)]
pub struct JobDefinition {
    pub name: String,
    /// vCPUs in thousandths (0.25 vCPU = 250).
    pub vcpu_milli: u32,
    pub memory_mib: u32,
    pub fargate: bool,
    pub image_mb: f64,
    pub timeout_ms: Option<u64>,
    pub attempts: u32,
    pub evaluate_on_exit: Vec<ExitRule>,
}

/// A dependency of a submission's jobs on an earlier submission (index into [`Batch::submissions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobDependency {
    /// Every job waits for the whole job (an array: every child) to succeed.
    Job(u16),
    /// Child i waits for child i of the other array.
    NToN(u16),
}

/// One kind of job and how it is submitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub name: String,
    pub queue: u16,
    pub definition: u16,
    /// The array size; 0 for a single job.
    pub array_size: u32,
    pub dependencies: Vec<JobDependency>,
    /// SEQUENTIAL: child i waits for child i - 1.
    pub sequential: bool,
    pub run_time: Step,
    pub failure_probability: f64,
}

impl Submission {
    /// Child jobs per call (0 for a single job).
    pub fn children(&self) -> u32 {
        self.array_size
    }
}

/// One SubmitJob call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SubmitCall {
    pub at: SimTime,
    pub submission: u16,
}

/// At `at`, EC2 Spot gives notice to `fraction` of a SPOT compute environment's instances.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchSpotInterruption {
    pub at: SimTime,
    pub compute_environment: u16,
    pub fraction: f64,
}

/// At `at`, the pool of a compute environment's type `instance_type` (index into its `instance_types`) runs out of
/// capacity (`available` false) or has capacity again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchPoolCapacity {
    pub at: SimTime,
    pub compute_environment: u16,
    pub instance_type: u16,
    pub available: bool,
}

/// The charts a lesson step may highlight, by the id the page gives them (`chart-<id>`).
pub const LESSON_CHARTS: [&str; 13] = [
    "launches",
    "running",
    "buckets",
    "backlog",
    "cost",
    "requests",
    "utilization",
    "custom-metric",
    "credits",
    "queue",
    "batch-jobs",
    "batch-vcpus",
    "batch-backlog",
];

/// A validated lesson step: plain text (and its Japanese), the time to jump to, what to highlight.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonStep {
    pub text: String,
    pub text_ja: Option<String>,
    pub at: Option<SimTime>,
    pub highlight: Option<Highlight>,
}

/// What a lesson step highlights, by a name the scenario has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Highlight {
    Service(String),
    Provider(String),
    Chart(String),
}
