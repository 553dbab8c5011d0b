//! The scenario file format (JSON, `version` 1): what users write, share in links and export.
//!
//! These types mirror the file one to one and carry the documented defaults. They are *unvalidated*:
//! [`crate::scenario::Scenario::from_spec`] checks them and resolves names into indices. Parts of the model that
//! this version does not simulate yet (launch type `EC2` without a capacity provider, AWS Batch fair-share
//! scheduling policies) have a place in the format so files written for later versions are recognised, and are
//! rejected by validation with a message instead of being silently ignored.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::defaults as d;

/// `serde_json::to_value`, through JSON text: so the page's wasm holds one serializer of the format's ~100 types
/// (the text one, which share links and the workers' jobs need) rather than a second one into `Value` (README, "The
/// page's wasm size"). The same value: `float_roundtrip` (Cargo.toml) reads every number back to its bits, and a
/// number JSON cannot hold is `null` either way. Only for occasional whole-document copies (opening, the editor).
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Value> {
    serde_json::from_str(&serde_json::to_string(value)?)
}
pub use crate::latency::LatencyStep;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// File format version; this engine reads version 1.
    pub version: u32,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Simulated time after which the run stops even if work remains, in seconds.
    #[serde(default = "default_horizon_s")]
    pub horizon_s: f64,
    /// Where the page's timeline ends, in seconds (at most `horizon_s`). Unset: a little after the last thing that
    /// matters (`Simulation::timeline_end`, `docs/model.md` §6.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline_end_s: Option<f64>,
    #[serde(default)]
    pub limits: LimitsSpec,
    #[serde(default)]
    pub latencies: LatencySpec,
    #[serde(default)]
    pub prices: PriceSpec,
    #[serde(default)]
    pub fargate_spot: FargateSpotSpec,
    pub task_definitions: Vec<TaskDefinitionSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub run_tasks: Vec<RunTaskSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<TimedEventSpec>,
    /// Auto Scaling group capacity providers (EC2 instances).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity_providers: Vec<CapacityProviderSpec>,
    /// ECS Anywhere: groups of registered external hosts (launch type `EXTERNAL`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_instances: Vec<ExternalGroupSpec>,
    /// AWS Batch: compute environments, job queues, job definitions and job submissions (`docs/model.md` §12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchSpec>,
    /// EventBridge Scheduler schedules whose target calls RunTask (`docs/model.md` §11).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scheduled_tasks: Vec<ScheduledTaskSpec>,
    /// Amazon ECS Managed Instances capacity providers: AWS-managed EC2 instances chosen from instance
    /// requirements (`docs/model.md` §4.9).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_instances_providers: Vec<ManagedInstancesProviderSpec>,
    /// Savings Plans and Reserved Instances (`docs/model.md` §6): hourly commitments applied to eligible On-Demand
    /// usage. Left out of the file when there are none.
    #[serde(default, skip_serializing_if = "CommitmentsSpec::is_empty")]
    pub commitments: CommitmentsSpec,
    /// The wall-clock time at simulated time 0, `2026-12-02T08:00:00+09:00` (a fixed UTC offset or `Z`): daily
    /// demand curves read the local time from it. Unset: midnight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Amazon SQS queues that worker services consume (`docs/model.md` §10). Left out of the file when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueSpec>,
    /// A lesson: ordered steps a trainer walks through on the page (the lesson panel). The run ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<LessonSpec>,
}

fn default_horizon_s() -> f64 {
    d::HORIZON_S
}

/// Which published values of the limits that AWS changed over time apply (`docs/model.md` §2–3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LimitsProfile {
    /// The values of the 2022 benchmark article (`docs/model.md` §2, §7): EC2 services launch 250 tasks/min,
    /// the circuit breaker threshold is at least 10.
    #[default]
    #[serde(rename = "2022")]
    Y2022,
    /// Later listings: EC2 services launch 500 tasks/min, the circuit breaker threshold is at least 3.
    #[serde(rename = "current")]
    Current,
}

/// A token bucket's burst (tokens) and refill rate (tokens per second).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketSpec {
    pub burst: u32,
    pub refill_per_s: f64,
}

/// Account limits. Every field is optional: unset means the profile's published value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSpec {
    #[serde(default)]
    pub profile: LimitsProfile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_on_demand_launch: Option<BucketSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_spot_launch: Option<BucketSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_task_api: Option<BucketSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_run_task_calls: Option<BucketSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_launch_per_minute_fargate: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_launch_per_minute_ec2: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circuit_breaker_min_threshold: Option<u32>,
    /// The account's "Fargate On-Demand vCPU resource count" quota (vCPUs of running tasks); unset: no quota.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_on_demand_vcpu_quota: Option<u32>,
    /// The account's "Fargate Spot vCPU resource count" quota; unset: no quota.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_spot_vcpu_quota: Option<u32>,
    /// Container instances registered per cluster (5,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances_per_cluster: Option<u32>,
    /// Tasks per service, the largest desired count (5,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks_per_service: Option<u32>,
}

/// Lifecycle latencies (`docs/model.md` §5). Unset fields take the defaults of [`crate::defaults`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencySpec {
    /// Seconds between two workflow cycles of a service scheduler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_cycle_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_capacity: Option<LatencyStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eni_attach: Option<LatencyStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<LatencyStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_base: Option<LatencyStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_mb_per_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lazy_loading_pull_factor: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_start: Option<LatencyStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lb_registration: Option<LatencyStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_shutdown: Option<LatencyStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprovision: Option<LatencyStep>,
    /// EC2: from the Auto Scaling group's launch to the instance running its OS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_boot: Option<LatencyStep>,
    /// EC2: the ECS agent starting and registering the instance with the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_registration: Option<LatencyStep>,
    /// EC2: the control plane handing a placed task to the instance's ECS agent, until the agent acts on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_handoff: Option<LatencyStep>,
    /// EC2: image pull throughput on an instance, MB/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ec2_image_pull_mb_per_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_initial_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_factor: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_max_s: Option<f64>,
}

/// Prices in USD (`docs/model.md` §6, us-east-1 Linux snapshot). Unset fields take the published values.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_vcpu_hour: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_gb_hour: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_arm_vcpu_hour: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_arm_gb_hour: Option<f64>,
    /// Fargate Spot discount off the On-Demand price, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_spot_discount_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ipv4_hour: Option<f64>,
    /// ECS Anywhere fee per registered instance-hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecs_anywhere_instance_hour: Option<f64>,
    /// EC2 Spot discount off the On-Demand price, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ec2_spot_discount_percent: Option<f64>,
    /// Application Load Balancer: price per ALB-hour (one ALB per service with a `load_balancer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alb_hour: Option<f64>,
    /// Application Load Balancer: price per LCU-hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alb_lcu_hour: Option<f64>,
}

/// How much Fargate Spot capacity the Region has: how fast Spot launches can be given capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpotAvailability {
    /// Capacity does not limit launches: they are paced by the Spot launch bucket and the services' rates.
    #[default]
    Plenty,
    /// The rate at which the 2022 benchmark's Spot row was given capacity (a condition of that measurement).
    #[serde(rename = "benchmark_2022")]
    Benchmark2022,
    Tight,
    None,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FargateSpotSpec {
    #[serde(default)]
    pub availability: SpotAvailability,
    /// Overrides the availability level: Spot tasks given capacity per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_per_s: Option<f64>,
    /// Random interruptions: expected interruptions per Fargate Spot task per hour (0 = only timed waves).
    #[serde(default)]
    pub interruptions_per_task_hour: f64,
}

/// EC2 purchase option of an Auto Scaling group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purchase {
    #[default]
    OnDemand,
    Spot,
}

/// How the Auto Scaling group picks an instance type for each launch (EC2 Auto Scaling allocation strategies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AllocationStrategy {
    /// On-Demand: the first type in the list that has capacity.
    #[default]
    Prioritized,
    /// Spot: the cheapest pools.
    LowestPrice,
    /// Spot: the pools with the most spare capacity (least likely to be interrupted).
    CapacityOptimized,
    /// Spot: a balance of price and capacity.
    PriceCapacityOptimized,
}

/// ECS managed scaling (cluster auto scaling) for an Auto Scaling group provider; defaults are ECS's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedScalingSpec {
    #[serde(default = "default_target_capacity")]
    pub target_capacity: u32,
    #[serde(default = "default_minimum_step")]
    pub minimum_scaling_step_size: u32,
    #[serde(default = "default_maximum_step")]
    pub maximum_scaling_step_size: u32,
    #[serde(default = "default_instance_warmup_s")]
    pub instance_warmup_period_s: f64,
}

fn default_target_capacity() -> u32 {
    d::MANAGED_SCALING_TARGET_CAPACITY
}
fn default_minimum_step() -> u32 {
    d::MANAGED_SCALING_MINIMUM_STEP
}
fn default_maximum_step() -> u32 {
    d::MANAGED_SCALING_MAXIMUM_STEP
}
fn default_managed_draining() -> bool {
    d::MANAGED_DRAINING
}

fn default_instance_warmup_s() -> f64 {
    d::MANAGED_SCALING_INSTANCE_WARMUP_S
}

/// An EC2 Auto Scaling group capacity provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityProviderSpec {
    pub name: String,
    /// Instance types the group may launch (mixed sizes allowed), e.g. `["m5.xlarge"]`.
    pub instance_types: Vec<String>,
    #[serde(default)]
    pub purchase: Purchase,
    #[serde(default)]
    pub allocation_strategy: AllocationStrategy,
    /// Availability Zones the group spreads instances over.
    #[serde(default = "default_zones")]
    pub availability_zones: Vec<String>,
    #[serde(default)]
    pub min_size: u32,
    pub max_size: u32,
    /// Instances already running and registered when the run starts.
    #[serde(default)]
    pub desired_capacity: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_scaling: Option<ManagedScalingSpec>,
    /// Only empty instances are terminated on scale-in (without it, the group's termination policy chooses). Needs
    /// `managed_scaling` ("otherwise managed termination protection doesn't work"): refused alone.
    #[serde(default)]
    pub managed_termination_protection: bool,
    /// ECS ENI trunking (`awsvpcTrunking`): more awsvpc tasks per instance on supported types.
    #[serde(default)]
    pub eni_trunking: bool,
    /// Images already on the instances' disks (a baked AMI): no pull on first use.
    #[serde(default)]
    pub images_cached: bool,
    /// Spot groups: `ECS_ENABLE_SPOT_INSTANCE_DRAINING` (off by default in ECS): drain at the interruption notice.
    #[serde(default)]
    pub spot_draining: bool,
    /// ECS managed instance draining (`managedDraining`, on by default): instances the group terminates are set to
    /// DRAINING first and terminated once their service tasks are replaced.
    #[serde(default = "default_managed_draining")]
    pub managed_draining: bool,
    /// Spot groups: ASG Capacity Rebalancing: launch a replacement at the rebalance recommendation / notice, and
    /// terminate the old instance once the replacement is in service.
    #[serde(default)]
    pub capacity_rebalance: bool,
    /// Spot groups: how long before the interruption notice the rebalance recommendation arrives. AWS says only that
    /// it "can arrive sooner than" the notice, with no figure, so the default is 0 (together with the notice).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rebalance_recommendation_lead_s: f64,
    /// Spot groups: random interruptions at this Spot Instance Advisor frequency (per instance, per month).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interruption_frequency: Option<InterruptionFrequency>,
    /// Spot groups: the Spot Instance Advisor publishes a frequency per instance type (in a region), so types can
    /// differ: `{"m5.large": "<5%", "c5.large": "10-15%"}`. Overrides `interruption_frequency` for the types named.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub interruption_frequency_by_type: std::collections::BTreeMap<String, InterruptionFrequency>,
    /// Pools (an instance type in a zone) of the group that have no capacity when the run starts: a launch into
    /// one fails with InsufficientInstanceCapacity and the group tries its other pools. `pool_capacity` events
    /// change this during the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insufficient_capacity: Vec<PoolSpec>,
    /// Burstable (T family) types only: the credit option (`standard` | `unlimited`) of the group's instances
    /// (`docs/model.md` §4.6). Unset: `unlimited`, the T3 default. Setting it turns CPU credits on for the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_credits: Option<CpuCredits>,
}

/// The credit option for CPU usage of a burstable performance instance (EC2 API, *CreditSpecification*: "Valid
/// values: standard | unlimited").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CpuCredits {
    Standard,
    Unlimited,
}

/// One EC2 capacity pool of a group: an instance type in an Availability Zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    pub instance_type: String,
    pub zone: String,
}

/// ECS Anywhere: `count` identical servers registered to the cluster (no capacity provider, no scaling).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalGroupSpec {
    pub name: String,
    pub count: u32,
    pub vcpus: u32,
    pub memory_mib: u32,
    #[serde(default)]
    pub architecture: Architecture,
    /// Where the hosts are (the `ecs.availability-zone` attribute for spread and memberOf).
    #[serde(default = "default_location")]
    pub location: String,
}

fn default_location() -> String {
    d::EXTERNAL_LOCATION.to_string()
}

/// The Spot Instance Advisor's buckets of monthly interruption frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InterruptionFrequency {
    #[serde(rename = "<5%")]
    Under5,
    #[serde(rename = "5-10%")]
    From5To10,
    #[serde(rename = "10-15%")]
    From10To15,
    #[serde(rename = "15-20%")]
    From15To20,
    #[serde(rename = ">20%")]
    Over20,
}

impl InterruptionFrequency {
    /// The share of instances interrupted in a month: the middle of the bucket (25% for ">20%"), an assumption.
    pub fn monthly_fraction(self) -> f64 {
        match self {
            InterruptionFrequency::Under5 => 0.025,
            InterruptionFrequency::From5To10 => 0.075,
            InterruptionFrequency::From10To15 => 0.125,
            InterruptionFrequency::From15To20 => 0.175,
            InterruptionFrequency::Over20 => 0.25,
        }
    }
}

/// A flag that is off is left out of the JSON (files written before the flag existed read the same).
fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero(value: &f64) -> bool {
    *value == 0.0
}

fn default_zones() -> Vec<String> {
    d::AVAILABILITY_ZONES.map(String::from).to_vec()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkMode {
    #[default]
    Awsvpc,
    Bridge,
    Host,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    #[default]
    X86_64,
    Arm64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortMappingSpec {
    pub container_port: u16,
    /// Fixed host port; unset means dynamic (bridge) or equal to the container port (awsvpc, host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<u16>,
}

/// The container health check (ECS / Docker semantics): the first check runs `interval_s` after the container starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckSpec {
    #[serde(default = "default_hc_interval")]
    pub interval_s: f64,
    #[serde(default = "default_hc_retries")]
    pub retries: u32,
    #[serde(default)]
    pub start_period_s: f64,
    /// Seconds after the container starts until the application answers its health check.
    #[serde(default)]
    pub ready_after_s: f64,
}

fn default_hc_interval() -> f64 {
    d::HEALTH_CHECK_INTERVAL_S
}
fn default_hc_retries() -> u32 {
    d::HEALTH_CHECK_RETRIES
}

/// Ways a task can go wrong, each off by default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureSpec {
    /// Probability that a task stops before reaching RUNNING (bad image, missing secret, ...).
    #[serde(default)]
    pub start_failure_probability: f64,
    /// Probability that a running task never passes its health checks.
    #[serde(default)]
    pub health_check_failure_probability: f64,
    /// Seconds after reaching RUNNING at which a task crashes (OOM, fatal error), if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash_after_s: Option<f64>,
    /// Probability that a task crashes at `crash_after_s`.
    #[serde(default = "default_crash_probability")]
    pub crash_probability: f64,
}

fn default_crash_probability() -> f64 {
    d::CRASH_PROBABILITY
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskDefinitionSpec {
    pub name: String,
    /// CPU units: 1024 = 1 vCPU.
    pub cpu: u32,
    /// Memory in MiB.
    pub memory: u32,
    /// Compressed image size in MB (drives image pull time).
    #[serde(default = "default_image_mb")]
    pub image_mb: f64,
    /// Whether a lazy-loading (SOCI) index exists for the image.
    #[serde(default)]
    pub lazy_loading: bool,
    #[serde(default)]
    pub network_mode: NetworkMode,
    #[serde(default)]
    pub architecture: Architecture,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub port_mappings: Vec<PortMappingSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheckSpec>,
    /// Seconds between SIGTERM and SIGKILL (ECS default 30, at most 120 on Fargate).
    #[serde(default = "default_stop_timeout")]
    pub stop_timeout_s: f64,
    /// For standalone tasks: seconds the essential container runs before exiting on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_duration_s: Option<f64>,
    #[serde(default)]
    pub failure: FailureSpec,
    /// CPU a RUNNING task uses, percent of its `cpu` reservation (for tasks without demand): what it spends of
    /// a burstable instance's CPU credits (`docs/model.md` §4.6). Unset: 0. Setting it turns CPU credits on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_utilization_percent: Option<f64>,
}

fn default_image_mb() -> f64 {
    d::IMAGE_MB
}
fn default_stop_timeout() -> f64 {
    d::STOP_TIMEOUT_S
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyItemSpec {
    pub capacity_provider: String,
    #[serde(default)]
    pub base: u32,
    #[serde(default)]
    pub weight: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LaunchType {
    #[serde(rename = "FARGATE")]
    Fargate,
    #[serde(rename = "EC2")]
    Ec2,
    #[serde(rename = "EXTERNAL")]
    External,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CircuitBreakerSpec {
    #[serde(default)]
    pub enable: bool,
    #[serde(default)]
    pub rollback: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentSpec {
    #[serde(default = "default_min_healthy")]
    pub minimum_healthy_percent: u32,
    #[serde(default = "default_max_percent")]
    pub maximum_percent: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circuit_breaker: Option<CircuitBreakerSpec>,
}

impl Default for DeploymentSpec {
    fn default() -> Self {
        DeploymentSpec {
            minimum_healthy_percent: default_min_healthy(),
            maximum_percent: default_max_percent(),
            circuit_breaker: None,
        }
    }
}

fn default_min_healthy() -> u32 {
    d::MINIMUM_HEALTHY_PERCENT
}
fn default_max_percent() -> u32 {
    d::MAXIMUM_PERCENT
}

/// A target group in front of the service (ELB defaults: 30 s interval, 5 healthy, 2 unhealthy, 300 s deregistration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerSpec {
    #[serde(default = "default_lb_interval")]
    pub health_check_interval_s: f64,
    #[serde(default = "default_lb_healthy")]
    pub healthy_threshold: u32,
    #[serde(default = "default_lb_unhealthy")]
    pub unhealthy_threshold: u32,
    #[serde(default = "default_dereg")]
    pub deregistration_delay_s: f64,
    /// Bytes the service's Application Load Balancer processes, in GB per hour, for its LCU-hours (one LCU per GB
    /// an hour with containers as targets). Unset: 0, so only the ALB-hour is billed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed_gb_per_hour: Option<f64>,
    /// New connections per second the load balancer accepts (an LCU holds 25). Unset: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_connections_per_s: Option<f64>,
    /// Active connections, sampled per minute (an LCU holds 3,000). Unset: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_connections_per_minute: Option<f64>,
    /// Rule evaluations per second beyond the 10 free rules: request rate x (rules processed - 10) (an LCU holds
    /// 1,000). Unset: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_evaluations_per_s: Option<f64>,
}

fn default_lb_interval() -> f64 {
    d::LB_HEALTH_CHECK_INTERVAL_S
}
fn default_lb_healthy() -> u32 {
    d::LB_HEALTHY_THRESHOLD
}
fn default_lb_unhealthy() -> u32 {
    d::LB_UNHEALTHY_THRESHOLD
}
fn default_dereg() -> f64 {
    d::LB_DEREGISTRATION_DELAY_S
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    pub name: String,
    pub task_definition: String,
    pub desired_count: u32,
    /// `FARGATE` when neither this nor a strategy is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<LaunchType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity_provider_strategy: Vec<StrategyItemSpec>,
    #[serde(default)]
    pub deployment: DeploymentSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<LoadBalancerSpec>,
    #[serde(default)]
    pub assign_public_ip: bool,
    /// Placement strategies, applied in order (EC2 capacity only). Empty: spread across Availability Zones,
    /// then across instances.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placement_strategy: Vec<PlacementStrategySpec>,
    /// Placement constraints (EC2 capacity only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placement_constraints: Vec<PlacementConstraintSpec>,
    /// Service auto scaling (Application Auto Scaling): min / max capacity and target tracking policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<AutoscalingSpec>,
    /// The requests the service receives over time and what a task does with them (`docs/model.md` §9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand: Option<DemandSpec>,
    /// A queue worker: its tasks receive and process the messages of one of the scenario's `queues`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<WorkerSpec>,
}

/// An Amazon SQS standard queue: messages arrive at a rate (the same profile parts as demand, in messages per
/// second); workers receive, process and delete them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    pub name: String,
    /// The arrival profile, messages per second (the parts of a demand profile).
    pub arrivals: Vec<ProfilePartSpec>,
    /// Seconds a received message stays invisible; unset: SQS's default, 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility_timeout_s: Option<f64>,
    /// The redrive policy's maxReceiveCount: a message received this many times without being deleted goes to
    /// the dead-letter queue. Unset: no dead-letter queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_receive_count: Option<u32>,
}

/// What a worker service's tasks do with the queue's messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSpec {
    /// The queue's name (in `queues`).
    pub queue: String,
    /// Messages one task processes at once (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages_per_task: Option<u32>,
    /// Seconds one message takes to process (mean).
    pub processing_s: f64,
    /// The spread of the processing time (coefficient of variation of a log-normal, like the latencies'; default 0):
    /// the messages that take longer than the visibility timeout are received again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_spread: Option<f64>,
}

/// A service's demand: a request-rate profile (the sum of its parts) and what one task does with its share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandSpec {
    /// The parts of the profile, added together (noise multiplies their sum). Left out with
    /// `shares_target_group_with`.
    #[serde(default)]
    pub profile: Vec<ProfilePartSpec>,
    /// Another service whose tasks are registered in the same target group: that service's profile is the
    /// load balancer's traffic, spread evenly over both services' serving tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares_target_group_with: Option<String>,
    /// Requests per second one task serves at 100% CPU.
    pub requests_per_task: f64,
    /// CPU utilisation of a task serving nothing, percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_cpu_percent: Option<f64>,
    /// Memory utilisation of a task serving nothing, percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_memory_percent: Option<f64>,
    /// Memory utilisation each request per second adds to a task, percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_percent_per_rps: Option<f64>,
    /// Tasks kept at 100% CPU fail their health checks (the load balancer's unhealthy threshold x interval, or
    /// the container health check's retries x interval) and are replaced.
    #[serde(default)]
    pub overload_fails_health_checks: bool,
}

/// One part of a demand profile. Times in seconds of simulated time, rates in requests per second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProfilePartSpec {
    Constant {
        rps: f64,
    },
    /// `[[at_s, rps], ...]`: each rate holds from its time on (0 before the first).
    Steps {
        points: Vec<(f64, f64)>,
    },
    /// `[[at_s, rps], ...]`: linear between the points.
    Ramps {
        points: Vec<(f64, f64)>,
    },
    /// 24 hourly rates in the scenario's local time (`start`), linear between the hour marks.
    Daily {
        hourly_rps: Vec<f64>,
    },
    /// `rps` more during `duration_s` from `at_s`.
    Spike {
        at_s: f64,
        duration_s: f64,
        rps: f64,
    },
    /// Pasted `time_s,rps` lines (a header line is allowed), linear between them, or held with `steps: true`.
    Csv {
        text: String,
        #[serde(default)]
        steps: bool,
    },
    /// Seeded noise: the profile times a factor drawn uniformly within ± `relative` for each `interval_s`.
    Noise {
        relative: f64,
        interval_s: f64,
    },
}

/// Application Auto Scaling for a service: the scalable target's min / max capacity and its policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoscalingSpec {
    pub min_capacity: u32,
    pub max_capacity: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_tracking: Vec<TargetTrackingSpec>,
    /// Seconds after a metric period closes until its datapoint is in CloudWatch for the alarms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_delay_s: Option<f64>,
    /// Scheduled actions: new min / max capacity from a time on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scheduled_actions: Vec<ScheduledActionSpec>,
    /// Step scaling policies, each with its CloudWatch alarm.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub step_scaling: Vec<StepScalingSpec>,
}

/// A step scaling policy and the CloudWatch alarm that invokes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepScalingSpec {
    pub metric: PredefinedMetric,
    pub comparison: Comparison,
    pub threshold: f64,
    /// The alarm's "M out of N": `datapoints_to_alarm` (M, default N) of the last `evaluation_periods` (N).
    #[serde(default = "one")]
    pub evaluation_periods: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<u32>,
    pub adjustment_type: AdjustmentType,
    pub step_adjustments: Vec<StepAdjustmentSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown_s: Option<f64>,
}

fn one() -> u32 {
    1
}

/// A CloudWatch alarm's comparison of the statistic with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    GreaterThanOrEqualToThreshold,
    GreaterThanThreshold,
    LessThanThreshold,
    LessThanOrEqualToThreshold,
}

/// How a step's `scaling_adjustment` changes the capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdjustmentType {
    ChangeInCapacity,
    PercentChangeInCapacity,
    ExactCapacity,
}

/// A step: bounds on (metric − threshold), the lower inclusive, the upper exclusive, unset meaning unbounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepAdjustmentSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower_bound: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper_bound: Option<f64>,
    pub scaling_adjustment: i32,
}

/// A scheduled action of Application Auto Scaling: at `at_s`, or at each firing of `schedule`, the scalable target's
/// min and / or max capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledActionSpec {
    /// Simulated seconds of a one-time action; exclusive with `schedule`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_s: Option<f64>,
    /// `PutScheduledAction`'s `Schedule`: `at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)` or `cron(fields)`
    /// (`docs/model.md` §11), evaluated in `time_zone` (a fixed UTC offset; unset: UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_capacity: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_capacity: Option<u32>,
}

/// A target tracking scaling policy (`PredefinedMetricType` or a customized metric, and `TargetValue`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetTrackingSpec {
    /// A predefined metric; exclusive with `custom_metric`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<PredefinedMetric>,
    /// A customized metric (`CustomizedMetricSpecification`); exclusive with `metric`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_metric: Option<CustomMetricSpec>,
    pub target: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_out_cooldown_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_in_cooldown_s: Option<f64>,
    #[serde(default)]
    pub disable_scale_in: bool,
}

/// A customized metric for target tracking: the user's own CloudWatch metric, given as its service-wide total over
/// time, which target tracking divides by the service's running tasks (metric math `m1 / m2`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomMetricSpec {
    /// The metric's name, for the trace and charts.
    pub name: String,
    /// The total over time: the parts of a demand profile, in the metric's own unit instead of requests/s.
    pub profile: Vec<ProfilePartSpec>,
    /// The statistic over each period (default `Average`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic: Option<Statistic>,
}

/// A CloudWatch statistic of a metric over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Statistic {
    Average,
    Maximum,
    Minimum,
}

/// The predefined metrics target tracking offers for ECS services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PredefinedMetric {
    #[serde(rename = "ECSServiceAverageCPUUtilization")]
    Cpu,
    #[serde(rename = "ECSServiceAverageMemoryUtilization")]
    Memory,
    #[serde(rename = "ALBRequestCountPerTarget")]
    RequestsPerTarget,
    #[serde(rename = "ECSServiceAverageCPUUtilizationHighResolution")]
    CpuHighResolution,
    #[serde(rename = "ECSServiceAverageMemoryUtilizationHighResolution")]
    MemoryHighResolution,
    /// The worker's queue: AWS/SQS ApproximateNumberOfMessagesVisible.
    ApproximateNumberOfMessagesVisible,
    /// The worker's queue: AWS/SQS ApproximateAgeOfOldestMessage, seconds.
    ApproximateAgeOfOldestMessage,
    /// The custom metric of AWS's recipe: visible messages / the service's running tasks.
    SQSBacklogPerTask,
}

/// A placement strategy, as in the ECS API: `{"type": "binpack", "field": "memory"}`,
/// `{"type": "spread", "field": "attribute:ecs.availability-zone"}`, `{"type": "random"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum PlacementStrategySpec {
    Binpack { field: BinpackField },
    Spread { field: String },
    Random,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BinpackField {
    Cpu,
    Memory,
}

/// A placement constraint: `{"type": "distinctInstance"}` or `{"type": "memberOf", "expression": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum PlacementConstraintSpec {
    DistinctInstance,
    MemberOf { expression: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnThrottle {
    /// The caller retries when tokens are back (what SDKs do).
    #[default]
    Retry,
    /// The call fails and its tasks are counted as throttled.
    Fail,
}

/// A burst of RunTask calls: `count` standalone tasks requested from `at_s`, up to 10 per call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunTaskSpec {
    pub name: String,
    #[serde(default)]
    pub at_s: f64,
    pub task_definition: String,
    pub count: u32,
    #[serde(default = "default_tasks_per_call")]
    pub tasks_per_call: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<LaunchType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity_provider_strategy: Vec<StrategyItemSpec>,
    #[serde(default)]
    pub assign_public_ip: bool,
    #[serde(default)]
    pub on_throttle: OnThrottle,
}

/// As many as one call may start.
fn default_tasks_per_call() -> u32 {
    d::MAX_TASKS_PER_RUN_TASK_CALL
}

/// Something that happens at a given simulated time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TimedEventSpec {
    /// Set a service's desired count.
    Scale {
        at_s: f64,
        service: String,
        desired_count: u32,
        /// Applied as a live what-if from the stage ([`TimedEventSpec::what_if`]).
        #[serde(default, skip_serializing_if = "is_false")]
        what_if: bool,
    },
    /// Start a rolling deployment to another task definition, or force a new deployment of the same one.
    Deploy {
        at_s: f64,
        service: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        task_definition: Option<String>,
        /// Applied as a live what-if from the stage ([`TimedEventSpec::what_if`]).
        #[serde(default, skip_serializing_if = "is_false")]
        what_if: bool,
    },
    /// Interrupt running Fargate Spot tasks: a fraction of them or a count.
    FargateSpotInterruption {
        at_s: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fraction: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        count: Option<u32>,
    },
    /// Interrupt a fraction of the instances in one EC2 Spot pool (an instance type in a zone) of a provider: the
    /// named pool, or the provider's largest pool when type and zone are left out.
    Ec2SpotInterruption {
        at_s: f64,
        provider: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        instance_type: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        zone: Option<String>,
        fraction: f64,
        /// Applied as a live what-if from the stage ([`TimedEventSpec::what_if`]).
        #[serde(default, skip_serializing_if = "is_false")]
        what_if: bool,
    },
    /// Change Fargate Spot availability from this time on.
    FargateSpotAvailability {
        at_s: f64,
        availability: SpotAvailability,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity_per_s: Option<f64>,
        /// Applied as a live what-if from the stage ([`TimedEventSpec::what_if`]).
        #[serde(default, skip_serializing_if = "is_false")]
        what_if: bool,
    },
    /// One pool (an instance type in a zone) of a group runs out of capacity (`available: false`: launches into
    /// it fail with InsufficientInstanceCapacity) or has capacity again (`available: true`).
    PoolCapacity { at_s: f64, provider: String, instance_type: String, zone: String, available: bool },
    /// AWS retires a Fargate platform version revision (`docs/model.md` §4.1, task retirement): at `at_s` it
    /// sends the task retirement notice for the Fargate tasks launched before `tasks_launched_before_s` (default:
    /// the notice; later tasks run on the newer revision); after the account's `fargateTaskRetirementWaitPeriod`
    /// (`wait_period_days`: 0, 7 or 14; default 7) their services replace them within the deployment bounds and
    /// standalone tasks are stopped.
    FargateTaskRetirement {
        at_s: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wait_period_days: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tasks_launched_before_s: Option<f64>,
    },
    /// EC2 sends one Spot instance its two-minute interruption notice (`docs/model.md` §4.5): the instance named by
    /// its id as the cluster view shows it (`i-0000000c`; ids count launches, so a replay names the same one). An
    /// instance that is not a live Spot instance at that time (On-Demand, terminated, already noticed) is left
    /// alone: EC2 interrupts only Spot Instances.
    Ec2InstanceInterruption {
        at_s: f64,
        instance: String,
        /// Applied as a live what-if from the stage ([`TimedEventSpec::what_if`]).
        #[serde(default, skip_serializing_if = "is_false")]
        what_if: bool,
    },
    /// Other callers in the account spend tokens of one of the account's token buckets (`docs/model.md` §2): all
    /// the bucket holds, or `tokens`. The buckets are the account's in the Region, shared by every caller.
    AccountTokensSpent {
        at_s: f64,
        bucket: AccountBucket,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tokens: Option<u32>,
        /// Applied as a live what-if from the stage ([`TimedEventSpec::what_if`]).
        #[serde(default, skip_serializing_if = "is_false")]
        what_if: bool,
    },
}

/// One of the account's token buckets (the fields of [`LimitsSpec`] that are buckets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountBucket {
    FargateOnDemandLaunch,
    FargateSpotLaunch,
    RunTaskApi,
    FargateRunTaskCalls,
}

impl TimedEventSpec {
    pub fn at_s(&self) -> f64 {
        match self {
            TimedEventSpec::Scale { at_s, .. }
            | TimedEventSpec::Deploy { at_s, .. }
            | TimedEventSpec::FargateSpotInterruption { at_s, .. }
            | TimedEventSpec::Ec2SpotInterruption { at_s, .. }
            | TimedEventSpec::FargateSpotAvailability { at_s, .. }
            | TimedEventSpec::PoolCapacity { at_s, .. }
            | TimedEventSpec::FargateTaskRetirement { at_s, .. }
            | TimedEventSpec::Ec2InstanceInterruption { at_s, .. }
            | TimedEventSpec::AccountTokensSpent { at_s, .. } => *at_s,
        }
    }

    /// Whether the event was applied as a live what-if from the page's stage (issue 13): marked so that a share
    /// link reopens with the list of what-ifs and Undo, in the receiver's page too. The kinds of event a what-if
    /// makes carry the mark (`"what_if": true`, a plain flag the run ignores); it is left out of the JSON when
    /// false, so scenarios and links without what-ifs read and write exactly as before the mark existed.
    pub fn what_if(&self) -> bool {
        match self {
            TimedEventSpec::Scale { what_if, .. }
            | TimedEventSpec::Deploy { what_if, .. }
            | TimedEventSpec::Ec2SpotInterruption { what_if, .. }
            | TimedEventSpec::FargateSpotAvailability { what_if, .. }
            | TimedEventSpec::Ec2InstanceInterruption { what_if, .. }
            | TimedEventSpec::AccountTokensSpent { what_if, .. } => *what_if,
            TimedEventSpec::FargateSpotInterruption { .. }
            | TimedEventSpec::PoolCapacity { .. }
            | TimedEventSpec::FargateTaskRetirement { .. } => false,
        }
    }
}

/// A minimum and an optional maximum (`vCpuCount`, `memoryMiB` of the EC2 `InstanceRequirements`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeSpec {
    pub min: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

/// The CPU makers an instance type may come from (`cpuManufacturers` of the EC2 `InstanceRequirements`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CpuManufacturer {
    Intel,
    Amd,
    /// AWS Graviton (arm64).
    AmazonWebServices,
}

/// Whether burstable (T family) types may be chosen (`burstablePerformance` of the EC2 `InstanceRequirements`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BurstablePerformance {
    Included,
    /// EC2's default for attribute-based instance type selection.
    #[default]
    Excluded,
    Required,
}

/// The instance requirements of a Managed Instances provider: which catalogue types it may launch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceRequirementsSpec {
    pub vcpu_count: RangeSpec,
    pub memory_mib: RangeSpec,
    /// Types or wildcards (`"m5.*"`, `"c6g.*"`) the provider may launch; empty: any type that fits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_instance_types: Vec<String>,
    /// Empty: any maker.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpu_manufacturers: Vec<CpuManufacturer>,
    #[serde(default)]
    pub burstable_performance: BurstablePerformance,
}

/// An Amazon ECS Managed Instances capacity provider (`docs/model.md` §4.9): no Auto Scaling group and no managed
/// scaling; ECS launches instances of the cheapest fitting type for tasks that wait, and removes idle ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedInstancesProviderSpec {
    pub name: String,
    pub instance_requirements: InstanceRequirementsSpec,
    /// `capacityOptionType`: `on_demand` (the default) or `spot`.
    #[serde(default)]
    pub capacity_option_type: Purchase,
    /// The Availability Zones of the provider's subnets.
    #[serde(default = "default_zones")]
    pub availability_zones: Vec<String>,
    /// `infrastructureOptimization.scaleInAfter`: seconds an idle instance waits before it is removed, 0 to 3600;
    /// -1 turns the optimization off; unset: the default behaviour (a delay AWS does not publish; see the defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_in_after_s: Option<i32>,
    /// The management fee per instance-hour, in percent of the instance type's On-Demand price, for types not in
    /// `management_fee_hour_by_type`. Unset: the default (derived from AWS's one published example).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_fee_percent: Option<f64>,
    /// The management fee per instance-hour in USD for named instance types (the ECS pricing page's table).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub management_fee_hour_by_type: std::collections::BTreeMap<String, f64>,
    /// Spot only: random interruptions at this Spot Instance Advisor frequency (per instance, per month).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interruption_frequency: Option<InterruptionFrequency>,
    /// Days from launch at which ECS drains an instance for patching (the documented lifecycle starts draining at
    /// day 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drain_after_days: Option<f64>,
}

/// Commitments that discount eligible On-Demand usage hour by hour (`docs/model.md` §6).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentsSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub savings_plans: Vec<SavingsPlanSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved_instances: Vec<ReservedInstanceSpec>,
}

impl CommitmentsSpec {
    pub fn is_empty(&self) -> bool {
        self.savings_plans.is_empty() && self.reserved_instances.is_empty()
    }
}

/// The two Savings Plans types that cover what the engine bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavingsPlanKind {
    /// Compute Savings Plans: EC2 of any family and Region, and Fargate.
    Compute,
    /// EC2 Instance Savings Plans: one instance family in one Region.
    Ec2Instance,
}

/// A Savings Plan: an hourly commitment (USD of Savings Plans rates per hour) and its discounts off On-Demand.
/// The rates depend on the term, the payment option, the instance type and the Region, so they are scenario data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavingsPlanSpec {
    pub kind: SavingsPlanKind,
    /// EC2 Instance Savings Plans only: the family it covers (`m5`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// The commitment, USD per hour, charged every hour whether used or not.
    pub usd_per_hour: f64,
    /// Savings percentage off On-Demand for the EC2 usage it covers (and Fargate unless set apart).
    pub discount_percent: f64,
    /// Compute Savings Plans: the savings percentage for Fargate, when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_discount_percent: Option<f64>,
    /// Savings percentage per instance family (`{"c5": 30}`), when it differs from `discount_percent`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub family_discount_percent: std::collections::BTreeMap<String, f64>,
}

/// Regional Reserved Instances of one instance type (Linux, shared tenancy, so size-flexible within the family).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReservedInstanceSpec {
    pub instance_type: String,
    pub count: u32,
    /// The effective discount off On-Demand (upfront part spread over the term), in percent.
    pub discount_percent: f64,
}

/// An EventBridge Scheduler schedule whose target is ECS RunTask (`docs/model.md` §11): each firing is one RunTask call
/// for `task_count` tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledTaskSpec {
    pub name: String,
    /// `cron(minutes hours day-of-month month day-of-week year)`, `rate(value unit)` or `at(yyyy-mm-ddThh:mm:ss)`.
    pub schedule: String,
    /// The time zone the expression is evaluated in, as a fixed UTC offset (`+09:00`, `UTC`). Unset: UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    pub task_definition: String,
    /// `EcsParameters.TaskCount`: 1 to 10, default 1.
    #[serde(default = "default_task_count")]
    pub task_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<LaunchType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity_provider_strategy: Vec<StrategyItemSpec>,
    #[serde(default)]
    pub assign_public_ip: bool,
    /// `FlexibleTimeWindow.MaximumWindowInMinutes` (1 to 1440) with mode `FLEXIBLE`; unset: mode `OFF`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flexible_time_window_minutes: Option<u32>,
    #[serde(default)]
    pub retry_policy: SchedulerRetryPolicySpec,
}

fn default_task_count() -> u32 {
    1
}

/// `RetryPolicy` of an EventBridge Scheduler target.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerRetryPolicySpec {
    /// `MaximumEventAgeInSeconds`: 60 to 86400; unset: 86400.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_event_age_s: Option<u32>,
    /// `MaximumRetryAttempts`: 0 to 185; unset: 185.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_retry_attempts: Option<u32>,
}

// ---- AWS Batch (`docs/model.md` §12) ----

/// AWS Batch in one account and Region: managed compute environments, job queues over them, job definitions, and
/// the SubmitJob calls that put jobs into the queues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchSpec {
    pub compute_environments: Vec<ComputeEnvironmentSpec>,
    pub job_queues: Vec<JobQueueSpec>,
    pub job_definitions: Vec<JobDefinitionSpec>,
    pub submissions: Vec<SubmissionSpec>,
    /// EC2 Spot interruptions of the instances of SPOT compute environments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spot_interruptions: Vec<BatchSpotInterruptionSpec>,
    /// EC2 capacity of one instance type of an EC2 or SPOT compute environment running out or coming back: what
    /// the allocation strategies react to (`docs/model.md` §12).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pool_capacity: Vec<BatchPoolCapacitySpec>,
    /// The SubmitJob token bucket; unset: the published 50 calls burst and 50 calls/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submit_job_api: Option<BucketSpec>,
    /// Seconds between two passes of the AWS Batch scheduler; unset: the engine's assumption (`defaults.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_interval_s: Option<f64>,
}

/// A compute environment's `type` (CreateComputeEnvironment `computeResources.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ComputeEnvironmentType {
    #[serde(rename = "EC2")]
    Ec2,
    #[serde(rename = "SPOT")]
    Spot,
    #[serde(rename = "FARGATE")]
    Fargate,
    #[serde(rename = "FARGATE_SPOT")]
    FargateSpot,
}

impl ComputeEnvironmentType {
    pub fn is_fargate(self) -> bool {
        matches!(self, ComputeEnvironmentType::Fargate | ComputeEnvironmentType::FargateSpot)
    }

    pub fn name(self) -> &'static str {
        match self {
            ComputeEnvironmentType::Ec2 => "EC2",
            ComputeEnvironmentType::Spot => "SPOT",
            ComputeEnvironmentType::Fargate => "FARGATE",
            ComputeEnvironmentType::FargateSpot => "FARGATE_SPOT",
        }
    }
}

/// A Batch allocation strategy ("Instance type allocation strategies for AWS Batch").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BatchAllocationStrategy {
    BestFit,
    BestFitProgressive,
    SpotCapacityOptimized,
    SpotPriceCapacityOptimized,
}

/// A managed compute environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComputeEnvironmentSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ComputeEnvironmentType,
    /// vCPUs kept running even with no jobs (EC2 and SPOT only).
    #[serde(default)]
    pub min_vcpus: u32,
    /// vCPUs running when the run starts (at least `min_vcpus`; EC2 and SPOT only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_vcpus: Option<u32>,
    pub max_vcpus: u32,
    /// Instance types or `optimal` (EC2 and SPOT only); unset: `["optimal"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instance_types: Vec<String>,
    /// Unset: BEST_FIT (the API's default) for EC2 and SPOT; not allowed for Fargate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation_strategy: Option<BatchAllocationStrategy>,
    /// `computeScalingPolicy.minScaleDownDelayMinutes` (20–10,080); unset: no delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_scale_down_delay_minutes: Option<u32>,
    /// SPOT only: random interruptions of its instances at this Spot Instance Advisor frequency (per instance, per
    /// month), as for Auto Scaling group providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interruption_frequency: Option<InterruptionFrequency>,
    /// SPOT only: the frequency per instance type (names among its resolved types); overrides
    /// `interruption_frequency` for the types named.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub interruption_frequency_by_type: std::collections::BTreeMap<String, InterruptionFrequency>,
}

/// A job queue: its priority and up to three compute environments in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobQueueSpec {
    pub name: String,
    pub priority: u32,
    pub compute_environments: Vec<String>,
    /// A fair-share scheduling policy: recognised, rejected (`docs/model.md` §12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling_policy: Option<Value>,
}

/// A job definition's platform capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PlatformCapability {
    #[default]
    #[serde(rename = "EC2")]
    Ec2,
    #[serde(rename = "FARGATE")]
    Fargate,
}

/// An `evaluateOnExit` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RetryAction {
    Retry,
    Exit,
}

/// One `evaluateOnExit` condition: patterns that may end with `*`; every one given must match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateOnExitSpec {
    pub action: RetryAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_exit_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_status_reason: Option<String>,
}

/// A job definition: what one job (or array child) needs and how it is retried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobDefinitionSpec {
    pub name: String,
    /// vCPUs (whole on EC2; 0.25, 0.5, 1, 2, 4, 8 or 16 on Fargate).
    pub vcpus: f64,
    pub memory_mib: u32,
    #[serde(default)]
    pub platform: PlatformCapability,
    /// Image size in MB, pulled when a job starts.
    #[serde(default)]
    pub image_mb: f64,
    /// `timeout.attemptDurationSeconds` (at least 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_s: Option<f64>,
    /// `retryStrategy.attempts` (1–10); unset: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_attempts: Option<u32>,
    /// `retryStrategy.evaluateOnExit` (up to 5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evaluate_on_exit: Vec<EvaluateOnExitSpec>,
}

/// An array job dependency's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DependencyType {
    NToN,
    Sequential,
}

/// A job dependency: on another submission (`job`), per index (`N_TO_N`), or among the array's own children
/// (`SEQUENTIAL`, without `job`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DependencySpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<DependencyType>,
}

/// SubmitJob calls of one kind of job: one call at `at_s`, a burst of `calls` calls, or one call per firing of an
/// EventBridge `schedule`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmissionSpec {
    pub name: String,
    pub job_queue: String,
    pub job_definition: String,
    /// Array size (2–10,000); unset: a single job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<DependencySpec>,
    /// A job's run time once RUNNING: mean seconds and spread.
    pub run_time: LatencyStep,
    /// Probability that an attempt exits non-zero.
    #[serde(default)]
    pub failure_probability: f64,
    #[serde(default)]
    pub at_s: f64,
    /// SubmitJob calls made at `at_s` (a burst; each retries when throttled); unset: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<u32>,
    /// An EventBridge Scheduler expression whose firings each make one call (instead of `at_s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// The schedule's fixed UTC offset (`+09:00`); unset: UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// At `at_s`, EC2 Spot reclaims `fraction` of a SPOT compute environment's instances (two-minute notice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchSpotInterruptionSpec {
    pub at_s: f64,
    pub compute_environment: String,
    pub fraction: f64,
}

/// At `at_s`, the EC2 capacity pool of `instance_type` for an EC2 or SPOT compute environment runs out
/// (`available: false`: launches of that type are refused with InsufficientInstanceCapacity) or has capacity
/// again (`available: true`). Batch's counterpart of the `pool_capacity` timed event of Auto Scaling groups; no
/// zone, since compute environments are not modelled per Availability Zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchPoolCapacitySpec {
    pub at_s: f64,
    pub compute_environment: String,
    pub instance_type: String,
    pub available: bool,
}

/// A lesson (the page's lesson panel): ordered steps, each a short plain text, optionally a time to jump to and
/// something to highlight. Only the page reads it; the simulation ignores it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonSpec {
    pub steps: Vec<LessonStepSpec>,
}

/// One step of a lesson.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonStepSpec {
    /// Plain text (never HTML), in English.
    pub text: String,
    /// The same in Japanese, shown when the page is in Japanese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_ja: Option<String>,
    /// Simulated time to jump playback to, in seconds (within the horizon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_s: Option<f64>,
    /// What to highlight: `{"service": "web"}`, `{"provider": "FARGATE_SPOT"}` or `{"chart": "backlog"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight: Option<HighlightSpec>,
}

/// What a lesson step points at: a service or capacity provider by name, or a chart by its id
/// (`crate::scenario::LESSON_CHARTS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum HighlightSpec {
    Service(String),
    Provider(String),
    Chart(String),
}

#[cfg(test)]
mod tests {
    #[test]
    fn to_value_through_text_is_serde_jsons_value() {
        for preset in crate::presets::all() {
            let spec = preset.scenario().expect("a valid preset").spec;
            assert_eq!(super::to_value(&spec).unwrap(), serde_json::to_value(&spec).unwrap(), "{}", preset.id);
        }
        // Numbers to the bit, and the ones JSON cannot hold as `null` both ways.
        let numbers = [0.1, 1.0 / 3.0, 1e-300, 5e-324, f64::MAX, -0.0, 1.0, f64::NAN, f64::INFINITY];
        assert_eq!(super::to_value(&numbers).unwrap(), serde_json::to_value(numbers).unwrap());
        assert_eq!(
            super::to_value(&(u64::MAX, i64::MIN)).unwrap(),
            serde_json::to_value((u64::MAX, i64::MIN)).unwrap()
        );
    }
}
