//! Every default number of the model, with where it comes from.
//!
//! Sources: the model of `docs/model.md` (which names the AWS documentation pages it draws on) and the 2022
//! benchmark table of the AWS Containers Blog post "Under the hood: Amazon Elastic Container Service and AWS Fargate
//! increase task launch rates" (`docs/model.md` §7). A few latencies are not published by AWS;
//! those are *calibrated*: chosen once so that the calibration presets reproduce the benchmark, and then used
//! unchanged by every scenario. Each says so below, with the arithmetic. No preset carries its own fudge factor.

use crate::latency::LatencyStep;

// ---- Token buckets (`docs/model.md` §2, "Amazon ECS service quotas"; the same in both limits profiles) ----

/// Fargate On-Demand task launches: burst 100, 20 tasks/s.
pub const FARGATE_ON_DEMAND_BURST: u32 = 100;
pub const FARGATE_ON_DEMAND_PER_S: f64 = 20.0;
/// Fargate Spot task launches, a separate bucket: burst 100, 20 tasks/s.
pub const FARGATE_SPOT_BURST: u32 = 100;
pub const FARGATE_SPOT_PER_S: f64 = 20.0;
/// RunTask API calls (cluster resource modification): burst 100 calls, 40 calls/s.
pub const RUN_TASK_API_BURST: u32 = 100;
pub const RUN_TASK_API_PER_S: f64 = 40.0;
/// RunTask calls that target Fargate: burst 20 calls, 20 calls/s.
pub const FARGATE_RUN_TASK_CALLS_BURST: u32 = 20;
pub const FARGATE_RUN_TASK_CALLS_PER_S: f64 = 20.0;
/// A RunTask call starts at most 10 tasks (RunTask API reference, `count`).
pub const MAX_TASKS_PER_RUN_TASK_CALL: u32 = 10;
/// Service deployment launch rate on Fargate: 500 tasks/min (2022 article; unchanged in later listings).
pub const SERVICE_LAUNCH_PER_MIN_FARGATE: u32 = 500;
/// Service deployment launch rate on EC2 / External: 250 tasks/min in 2022, 500 in later listings.
pub const SERVICE_LAUNCH_PER_MIN_EC2_2022: u32 = 250;
pub const SERVICE_LAUNCH_PER_MIN_EC2_CURRENT: u32 = 500;
/// Deployment circuit breaker: threshold = clamp(ceil(0.5 x desired), min, 200); min 10 in the 2023
/// documentation (profile "2022"), 3 in the current API (`docs/model.md` §3).
pub const CIRCUIT_BREAKER_MIN_2022: u32 = 10;
pub const CIRCUIT_BREAKER_MIN_CURRENT: u32 = 3;
pub const CIRCUIT_BREAKER_MAX: u32 = 200;

// ---- The service scheduler (`docs/model.md` §3) ----

/// Seconds between two workflow cycles of one service. AWS does not publish it; 5 s keeps the launch curve as
/// smooth as the published rates allow. The per-service launch bucket holds one cycle's worth of tokens
/// (500/min x 5 s = 42), so the rate, not the cycle length, decides how fast a service scales.
pub const SCHEDULER_CYCLE_S: f64 = 5.0;
/// Exponential backoff of a service whose tasks keep failing to start: undocumented; the model takes 10 s
/// doubling, capped at the documented 15 minutes.
pub const BACKOFF_INITIAL_S: f64 = 10.0;
pub const BACKOFF_FACTOR: f64 = 2.0;
pub const BACKOFF_MAX_S: f64 = 900.0;

// ---- Lifecycle latencies (`docs/model.md` §5) ----

/// Relative spread used when a latency has none of its own: launch times at scale vary by tens of percent.
pub const DEFAULT_SPREAD: f64 = 0.25;

/// Fargate assigning a pre-warmed host and booting the task's micro-VM. Not published; *calibrated* on the
/// On-Demand row (208 s): the last scheduler batch leaves at ~124 s (1,000 tasks at 500/min, the first 42 at
/// once), so the slowest task of that batch must take ~84 s end to end. With the other steps below
/// (ENI 7.5 + public IP 9 + pull 3 + 100 MB / 20 MB/s + start 2 s), a 33 s mean with 0.3 spread does that; the
/// other four Fargate rows then land within ±8% over seeds 1–6 without further tuning (`fleetplan calibrate`).
pub const FARGATE_CAPACITY: LatencyStep = LatencyStep { mean_s: 33.0, spread: 0.3 };
/// ENI provisioning and attachment: "several seconds, about 5–10 s" (`docs/model.md` §5).
pub const ENI_ATTACH: LatencyStep = LatencyStep { mean_s: 7.5, spread: 0.25 };
/// Associating a public IPv4 address. *Calibrated* from two published rows: with (208 s) minus without (199 s).
pub const PUBLIC_IP: LatencyStep = LatencyStep { mean_s: 9.0, spread: 0.25 };
/// Fixed part of an image pull (registry authentication, manifest, layer requests).
pub const IMAGE_PULL_BASE: LatencyStep = LatencyStep { mean_s: 3.0, spread: 0.25 };
/// Pull-and-extract throughput on Fargate, MB/s; Fargate has no image cache, so every task pays it.
pub const IMAGE_PULL_MB_PER_S: f64 = 20.0;
/// Lazy loading (SOCI) starts the container before the whole image is there, cutting the pull by up to about half
/// for large images (`docs/model.md` §5).
pub const LAZY_LOADING_PULL_FACTOR: f64 = 0.5;
/// Container start: "about 1–3 s" (`docs/model.md` §5).
pub const CONTAINER_START: LatencyStep = LatencyStep { mean_s: 2.0, spread: 0.25 };
/// Registering a target with the load balancer until its first health check. *Calibrated*: the load-balancer row
/// (252 s) minus the On-Demand row (208 s) is 44 s; the benchmark's target group checks every 5 s and needs 2
/// successes (10 s, a fast setting; the ELB defaults are 30 s x 5), leaving ~34 s for registration.
pub const LB_REGISTRATION: LatencyStep = LatencyStep { mean_s: 30.0, spread: 0.25 };
/// The application exiting after SIGTERM (bounded by `stopTimeout`).
pub const APP_SHUTDOWN: LatencyStep = LatencyStep { mean_s: 2.0, spread: 0.25 };
/// Detaching and deleting the task's ENI after it stops.
pub const DEPROVISION: LatencyStep = LatencyStep { mean_s: 5.0, spread: 0.25 };

// ---- EC2 capacity (`docs/model.md` §4.3–4.5, §5) ----

/// Tasks that may wait in PROVISIONING for cluster auto scaling, per cluster: the quota "Tasks in the PROVISIONING
/// state per cluster" ("Amazon ECS service quotas": "the maximum number of tasks in the `PROVISIONING` state for
/// each cluster for which capacity providers can increase capacity"). Quota listings of early 2022 give 300; the
/// current listing gives 500 (`docs/model.md` §4.3; domain.md had 100 for 2022, which no listing shows).
pub const PROVISIONING_LIMIT_2022: u32 = 300;
pub const PROVISIONING_LIMIT_CURRENT: u32 = 500;
/// A task waiting in PROVISIONING longer than this is stopped: the longer end of the 10–30 minutes the model
/// reports (`docs/model.md` §4.3).
pub const PROVISIONING_TIMEOUT_S: f64 = 30.0 * 60.0;

// Quotas that refuse (`docs/model.md` §4.8). "Amazon ECS service quotas": "If you attempt to exceed the quota for
// a resource, the request fails."
/// "Fargate On-Demand vCPU resource count" and "Fargate Spot vCPU resource count": the vCPUs of the account's
/// running Fargate tasks in a Region ("Handle Amazon ECS service quotas and API throttling limits": "AWS Fargate
/// has quotas that limit the number of concurrent running tasks in each AWS Region. There are quotas for both
/// On-Demand and Fargate Spot tasks"). The documented default is 6 vCPUs ("Amazon ECS endpoints and quotas":
/// "Fargate On-Demand vCPU resource count | Each supported Region: 6 | Yes"; the AWS Batch API reference: "The
/// default for the Fargate On-Demand vCPU resource count quota is 6 vCPUs"), with "New AWS accounts might have
/// initial lower quotas that can increase over time": the value is account-specific, and a 6-vCPU quota would stop
/// every calibration row at 24 tasks (the 2022 benchmark account ran 1,000 tasks of 0.25 vCPU at once). So a
/// scenario applies the quota only when it sets the account's value (`limits.fargate_on_demand_vcpu_quota`,
/// `limits.fargate_spot_vcpu_quota`); this documented default is what the editor offers.
pub const FARGATE_VCPU_QUOTA_DOCUMENTED: u32 = 6;
/// "Handle Amazon ECS service quotas and API throttling limits": "For tasks that run on Amazon EC2 instances, the
/// maximum number of Amazon EC2 instances that you can register for each cluster is 5,000."
pub const INSTANCES_PER_CLUSTER: u32 = 5_000;
/// "Amazon ECS endpoints and quotas", "Tasks per service": 5,000 (the desired count); a larger desired count is
/// refused ("InvalidParameterException: Desired count exceeds limit", as users report when they hit the older
/// 1,000 value).
pub const TASKS_PER_SERVICE: u32 = 5_000;
/// ECS publishes CapacityProviderReservation every minute (`docs/model.md` §4.3).
pub const MANAGED_SCALING_PERIOD_S: f64 = 60.0;
/// Scale-in needs 15 minutes of readings below target (`docs/model.md` §4.3).
pub const SCALE_IN_AFTER_S: f64 = 15.0 * 60.0;
/// EC2 launch to a booted OS: boot plus agent registration takes 60–120 s in practice (`docs/model.md` §4.3); 70 s +
/// 10 s below.
pub const INSTANCE_BOOT: LatencyStep = LatencyStep { mean_s: 70.0, spread: 0.2 };
pub const AGENT_REGISTRATION: LatencyStep = LatencyStep { mean_s: 10.0, spread: 0.25 };
/// The control plane handing a placed task to the instance's ECS agent until the agent starts it. Not published;
/// *calibrated* on the warm EC2 row (270 s): 1,000 tasks at 250/min leave the scheduler by ~237 s, and the
/// article explains EC2 launches are slower per task than Fargate's pre-warmed pool because the scheduler and
/// the agent do the placement work. 15 s puts the warm row at ~275 s; the host-mode row is then a prediction.
pub const AGENT_HANDOFF: LatencyStep = LatencyStep { mean_s: 15.0, spread: 0.25 };
/// Image pull throughput on an instance, MB/s (instances pull once per image; later tasks find it cached).
pub const EC2_IMAGE_PULL_MB_PER_S: f64 = 40.0;
/// EC2 Spot: "typically 50–70% off On-Demand" (`docs/model.md` §6): the middle of that range.
pub const EC2_SPOT_DISCOUNT_PERCENT: f64 = 60.0;
/// EC2 bills per second with a one-minute minimum (`docs/model.md` §6).
pub const EC2_MIN_BILLED_S: f64 = 60.0;
/// Spot Instance Advisor frequencies are per month; a month is 730 hours (365 x 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Dynamic host ports come from 49153–65535 (`docs/model.md` §4.4).
pub const DYNAMIC_PORTS: u32 = 65535 - 49153 + 1;

// ---- Fargate Spot (`docs/model.md` §4.1) ----

// Availability "plenty" has no rate: capacity does not limit Spot launches, which the Spot launch bucket (20/s, its
// own, beside the On-Demand one: the 2022 blog post) and the services' rates pace; independent public measurements
// launched thousands of Fargate Spot tasks in a few minutes (`docs/model.md` §4.1).

/// Spot tasks given capacity per second at availability "benchmark_2022": the Region's spare Spot capacity during
/// the 2022 benchmark (the article: Spot launches "depend on the Spot capacity available in the Region").
/// *Calibrated* on its Spot row: 353 s for 1,000 tasks, of which the last ~75 s are the lifecycle of the last task,
/// so capacity came at ~1,000 / 280 s = 3.6 tasks/s. A condition of that measurement, not a limit of Fargate Spot.
pub const SPOT_CAPACITY_BENCHMARK_2022_PER_S: f64 = 3.6;
/// "Tight": a quarter of the 2022 benchmark's rate (an illustration of scarce capacity, not a measurement).
pub const SPOT_CAPACITY_TIGHT_PER_S: f64 = 0.9;
/// Capacity grants that can accumulate while no Spot task waits (a few seconds' worth).
pub const SPOT_CAPACITY_BURST: u32 = 10;
/// The Spot interruption warning: two minutes from notice to stop (`docs/model.md` §4.1, §4.5).
pub const SPOT_WARNING_S: f64 = 120.0;
/// Fargate caps `stopTimeout` at 120 s.
pub const FARGATE_MAX_STOP_TIMEOUT_S: f64 = 120.0;

// ---- Prices (`docs/model.md` §6, us-east-1 Linux snapshot) ----

pub const FARGATE_VCPU_HOUR: f64 = 0.04048;
pub const FARGATE_GB_HOUR: f64 = 0.004445;
pub const FARGATE_ARM_VCPU_HOUR: f64 = 0.03238;
pub const FARGATE_ARM_GB_HOUR: f64 = 0.00356;
/// "Up to 70% off (observed ~67%)".
pub const FARGATE_SPOT_DISCOUNT_PERCENT: f64 = 67.0;
pub const PUBLIC_IPV4_HOUR: f64 = 0.005;
/// ECS Anywhere: $0.01025 per registered instance-hour.
pub const ECS_ANYWHERE_INSTANCE_HOUR: f64 = 0.01025;
/// Application Load Balancer, us-east-1 (*Elastic Load Balancing pricing*, read 2026-09-20: "$0.0225 hourly
/// charge", billed "per Application LoadBalancer-hour (or partial hour)").
pub const ALB_HOUR: f64 = 0.0225;
/// The same page: "$0.008 per LCU" -hour. An LCU holds "1 GB per hour for EC2 instances, containers and IP
/// addresses as targets" of processed bytes (the dimension the engine models: `docs/model.md` §6).
pub const ALB_LCU_HOUR: f64 = 0.008;
/// Processed bytes an LCU covers per hour with containers as targets (same page).
pub const ALB_LCU_PROCESSED_GB_PER_HOUR: f64 = 1.0;
/// Traffic through a service's load balancer when the scenario gives none: none, so no LCU-hours are billed
/// (the ALB-hour is billed whatever the traffic).
pub const ALB_PROCESSED_GB_PER_HOUR: f64 = 0.0;
/// The other LCU dimensions, per LCU (*Elastic Load Balancing pricing*, as transcribed by third parties read
/// 2026-12-02; the AWS page's text in the stored pages carries only its headings): "25 new connections per
/// second", "3,000 active connections per minute", "1,000 rule evaluations per second" (rule evaluations = request
/// rate x (rules processed - 10 free rules)). A scenario that sets none of them bills processed bytes only.
pub const ALB_LCU_NEW_CONNECTIONS_PER_S: f64 = 25.0;
pub const ALB_LCU_ACTIVE_CONNECTIONS_PER_MINUTE: f64 = 3_000.0;
pub const ALB_LCU_RULE_EVALUATIONS_PER_S: f64 = 1_000.0;
/// Fargate bills per second with a one-minute minimum.
pub const FARGATE_MIN_BILLED_S: f64 = 60.0;

// ---- Defaults of the scenario file (the serde defaults of `spec.rs` return these) ----

/// Simulated time after which a run stops even if work remains.
pub const HORIZON_S: f64 = 3600.0;
/// Random Fargate Spot interruptions are off unless asked for: only timed waves interrupt.
pub const FARGATE_SPOT_INTERRUPTIONS_PER_TASK_HOUR: f64 = 0.0;
/// ECS managed scaling defaults (the `managedScaling` settings of a capacity provider).
pub const MANAGED_SCALING_TARGET_CAPACITY: u32 = 100;
pub const MANAGED_SCALING_MINIMUM_STEP: u32 = 1;
pub const MANAGED_SCALING_MAXIMUM_STEP: u32 = 10_000;
pub const MANAGED_SCALING_INSTANCE_WARMUP_S: f64 = 300.0;
/// ECS managed instance draining of an Auto Scaling group provider: *Configuring Amazon ECS capacity providers to
/// safely shut down instances*: "Managed instance draining is on by default when you create a capacity provider."
pub const MANAGED_DRAINING: bool = true;
/// The Availability Zones an Auto Scaling group spreads over when the file names none.
pub const AVAILABILITY_ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
/// Where ECS Anywhere hosts are when the file does not say (their `ecs.availability-zone` attribute).
pub const EXTERNAL_LOCATION: &str = "on-premises";
/// The container health check's defaults in ECS: every 30 s, 3 retries.
pub const HEALTH_CHECK_INTERVAL_S: f64 = 30.0;
pub const HEALTH_CHECK_RETRIES: u32 = 3;
/// A task given `crash_after_s` crashes for certain unless a lower probability is set.
pub const CRASH_PROBABILITY: f64 = 1.0;
/// Compressed image size of a task definition that does not give one, MB.
pub const IMAGE_MB: f64 = 100.0;
/// ECS's `stopTimeout` default: 30 s between SIGTERM and SIGKILL.
pub const STOP_TIMEOUT_S: f64 = 30.0;
/// ECS's deployment configuration defaults for services.
pub const MINIMUM_HEALTHY_PERCENT: u32 = 100;
pub const MAXIMUM_PERCENT: u32 = 200;
/// Elastic Load Balancing target group defaults: health checks every 30 s, 5 successes to become healthy, 2
/// failures to become unhealthy, 300 s deregistration delay.
pub const LB_HEALTH_CHECK_INTERVAL_S: f64 = 30.0;
pub const LB_HEALTHY_THRESHOLD: u32 = 5;
pub const LB_UNHEALTHY_THRESHOLD: u32 = 2;
pub const LB_DEREGISTRATION_DELAY_S: f64 = 300.0;
/// Fargate task retirement: the account setting `fargateTaskRetirementWaitPeriod`, in days. *Prepare for AWS
/// Fargate task retirement on Amazon ECS*: "The default wait period is 7 days. For workloads that require immediate
/// application of the updates, choose the immediate setting (0). If you need more time, configure the 7, or 14 day
/// option."
pub const FARGATE_TASK_RETIREMENT_WAIT_DAYS: u32 = 7;
/// The values the account setting accepts (the same page: "0", "7", "14").
pub const FARGATE_TASK_RETIREMENT_WAIT_CHOICES: [u32; 3] = [0, 7, 14];

// Amazon ECS Managed Instances (`docs/model.md` §4.9).

/// Days from launch at which ECS starts draining a managed instance for patching. *Patching in Amazon ECS Managed
/// Instances*: "By default, Amazon ECS managed container instances operate on a standardized 14–21 day lifecycle.
/// Amazon ECS initiates graceful workload draining at day 14 from instance launch, with final termination occurring
/// no later than day 21."
pub const MANAGED_INSTANCES_DRAIN_AFTER_DAYS: f64 = 14.0;
/// Seconds an idle managed instance waits before it is removed when `scaleInAfter` is unset. **An assumption**:
/// *InfrastructureOptimization* (ECS API Reference) says only "null - Uses the default optimization behavior" and
/// allows 0 to 3600 s; AWS publishes no figure for the default, so 300 s (five minutes) stands in for it.
pub const MANAGED_INSTANCES_SCALE_IN_AFTER_S: f64 = 300.0;
/// The management fee per instance-hour as a percent of the type's On-Demand price. AWS prices the fee per
/// instance type (ECS pricing page, read 2026-09-20: "ECS Managed Instances management fee", example c6a.2xlarge
/// $0.037 per instance hour, "Billed per second with a one-minute minimum") but the per-type table was not found
/// in the stored sources. **An assumption** derived from that one example: $0.037 / $0.306 (c6a.2xlarge On-Demand,
/// us-east-1 Linux) = 12.1%. Scenarios can set the fee per type (`management_fee_hour_by_type`).
pub const MANAGED_INSTANCES_FEE_PERCENT: f64 = 12.1;
/// How long after a task starts waiting for a managed instance ECS launches instances for the waiting tasks.
/// **An assumption**: AWS says ECS "rapidly provisions and scales" (Deep Dive: Amazon ECS Managed Instances
/// provisioning and optimization) and publishes no cadence; one second batches the tasks a workflow cycle launched.
pub const MANAGED_INSTANCES_LAUNCH_DELAY_S: f64 = 1.0;
/// How long after a launch for waiting tasks failed (InsufficientInstanceCapacity in every pool of the chosen type)
/// ECS tries again. **An assumption**: AWS does not publish it; one minute, the period of managed scaling's readings.
pub const MANAGED_INSTANCES_RETRY_S: f64 = 60.0;

// ---- Demand and service auto scaling (issue 10, `docs/model.md` §9) ----
/// CPU a task uses serving nothing, percent: an assumption (AWS publishes nothing; a web process idles at a few
/// percent). A scenario sets its own `idle_cpu_percent`.
pub const IDLE_CPU_PERCENT: f64 = 5.0;
/// Memory a task uses serving nothing, percent of its task memory: an assumption (a runtime and its caches).
pub const IDLE_MEMORY_PERCENT: f64 = 30.0;
/// *Faster auto scaling with high-resolution metrics* (ECS Developer Guide): "By default, Amazon ECS publishes
/// `CPUUtilization` and `MemoryUtilization` metrics at 60-second resolution. You can configure 20-second
/// resolution to drive faster service auto scaling."
pub const METRIC_PERIOD_S: f64 = 60.0;
pub const HIGH_RESOLUTION_METRIC_PERIOD_S: f64 = 20.0;
/// From a period's end until its datapoint reaches the alarm: an assumption of one standard period (ECS sends
/// the metrics to CloudWatch "at 1-minute intervals", *Automatically scale your Amazon ECS service*; AWS publishes
/// no delay). Alarms evaluate at period boundaries, so the delay counts in whole periods.
pub const METRIC_DELAY_S: f64 = 60.0;
/// The alarms target tracking creates and manages: scale out when 3 datapoints of 3 breach, scale in on 15 of 15.
/// The AWS pages say only that Application Auto Scaling "creates and manages the CloudWatch alarms"; the counts
/// are what the created alarms show (AlarmHigh "3 datapoints within 3 minutes", AlarmLow "15 datapoints within 15
/// minutes", as users report them: aws/copilot-cli#4233, aws-samples/amazon-aurora-labs-for-mysql#3). Kept in
/// datapoints for the high-resolution metrics too (an assumption: 60 s and 300 s at 20 s).
pub const TARGET_TRACKING_OUT_DATAPOINTS: usize = 3;
pub const TARGET_TRACKING_IN_DATAPOINTS: usize = 15;
/// Target tracking cooldowns for ECS services (*TargetTrackingScalingPolicyConfiguration*, ScaleOutCooldown /
/// ScaleInCooldown): "Application Auto Scaling provides a default value of 300 for the following scalable targets:
/// ECS services, ...".
pub const SCALE_OUT_COOLDOWN_S: f64 = 300.0;
pub const SCALE_IN_COOLDOWN_S: f64 = 300.0;

// --- Burstable (T family) CPU credits (`docs/model.md` §4.6) ---

/// The price of a surplus CPU credit in unlimited mode, USD per vCPU-hour (one credit is one vCPU-minute, so a
/// credit costs a sixtieth of it). *Amazon EC2 On-Demand Pricing*, "T2/T3/T4g Unlimited Mode Pricing": Linux T3
/// and T3a $0.05 per vCPU-hour, T4g $0.04 (the T4g figure as quoted from that section in
/// gitlab-org/ci-cd/docker-machine!118; both read 2026-12-02). The EC2 User Guide (*Key concepts for burstable
/// performance instances*): "If average CPU usage over a 24-hour period exceeds the baseline, the instance is
/// billed for surplus usage at a flat additional rate per vCPU-hour."
pub const T3_SURPLUS_CREDIT_VCPU_HOUR_USD: f64 = 0.05;
pub const T4G_SURPLUS_CREDIT_VCPU_HOUR_USD: f64 = 0.04;
/// How many hours of earned credits an instance can hold (and, in unlimited mode, how many it may owe): 24. EC2
/// User Guide, *Key concepts for burstable performance instances*: the credits an instance can accrue are limited
/// to "the number of credits that can be earned in a 24-hour period".
pub const CREDIT_ACCRUAL_HOURS: f64 = 24.0;
/// CPU credits an instance has at launch: 0. Launch credits are a T2 standard-mode feature (*Standard mode
/// concepts*, "Launch credits"); T3 instances start with an empty balance. An assumption for any other type.
pub const LAUNCH_CREDITS: f64 = 0.0;

/// EventBridge Scheduler `RetryPolicy` (API reference *RetryPolicy*): `MaximumEventAgeInSeconds` "Valid Range:
/// Minimum value of 60. Maximum value of 86400" and `MaximumRetryAttempts` "Minimum value of 0. Maximum value of
/// 185". Unset, a schedule retries for the most the API allows (24 hours, 185 attempts), the console's defaults.
pub const SCHEDULER_MAX_EVENT_AGE_S: u32 = 86_400;
pub const SCHEDULER_MIN_EVENT_AGE_S: u32 = 60;
pub const SCHEDULER_MAX_RETRY_ATTEMPTS: u32 = 185;
/// "Retry attempts with exponential backoff continue until either the maximum number of attempts is made or until the
/// duration of the MaximumEventAgeInSeconds is reached" (*RetryPolicy*). The backoff's base and ceiling are not
/// published: assumption, the first retry after 1 s, doubling, at most 60 s apart.
pub const SCHEDULER_RETRY_BASE_MS: u64 = 1_000;
pub const SCHEDULER_RETRY_CAP_MS: u64 = 60_000;
/// `FlexibleTimeWindow.MaximumWindowInMinutes`: "Valid Range: Minimum value of 1. Maximum value of 1440."
pub const SCHEDULER_MAX_WINDOW_MINUTES: u32 = 1_440;
/// `EcsParameters.TaskCount` of an EventBridge Scheduler target: "Valid Range: Minimum value of 1. Maximum value of 10."
pub const SCHEDULER_MAX_TASK_COUNT: u32 = 10;

// ---- AWS Batch (`docs/model.md` §12) ----

/// SubmitJob calls: AWS Batch User Guide, "AWS Batch service quotas": "Maximum number of transactions per second
/// (TPS) for each account for SubmitJob operations: 50". A token bucket of 50 calls refilled at 50 calls/s (the
/// burst is not published separately; domain.md §2 takes it equal to the rate). An array job is one call.
pub const BATCH_SUBMIT_JOB_BURST: u32 = 50;
pub const BATCH_SUBMIT_JOB_PER_S: f64 = 50.0;
/// Seconds between two passes of the AWS Batch scheduler. **Not published**: the User Guide says only that RUNNABLE
/// jobs "are started as soon as sufficient resources are available", and an AWS answer on re:Post that "the AWS
/// Batch Scheduler periodically evaluates jobs in the queue and moves them forward ... with each scheduling
/// interval". An assumption, not a calibration (no published measurement to fit): 10 s, so a job submitted to an
/// idle queue with warm capacity waits 5 s on average before its evaluation and 5 s more before it is placed.
/// Scenarios can set `batch.scheduler_interval_s`.
pub const BATCH_SCHEDULER_INTERVAL_S: f64 = 10.0;
/// "Maximum array size for array jobs: 10000" and array jobs have "an array size (between 2 and 10,000)"
/// ("AWS Batch service quotas"; "Array jobs").
pub const BATCH_MAX_ARRAY_SIZE: u32 = 10_000;
/// "Maximum number of compute environments for each job queue: 3" ("AWS Batch service quotas").
pub const BATCH_MAX_CES_PER_QUEUE: usize = 3;
/// "Maximum number of job dependencies for a job: 20" ("AWS Batch service quotas").
pub const BATCH_MAX_DEPENDENCIES: usize = 20;
/// "The minimum value for the timeout is 60 seconds" (API reference, `JobTimeout.attemptDurationSeconds`).
pub const BATCH_MIN_TIMEOUT_S: f64 = 60.0;
/// A retry strategy has "between 1 and 10 attempts" and evaluateOnExit "can contain up to 5 retry strategies"
/// ("Automated job retries").
pub const BATCH_MAX_ATTEMPTS: u32 = 10;
pub const BATCH_MAX_EVALUATE_ON_EXIT: usize = 5;
/// After a timeout, "your job's container receives a SIGTERM signal ... If the container is still running after 30
/// seconds, a SIGKILL signal is sent" ("Job timeouts"): a job that ignores SIGTERM holds its resources 30 s more.
/// The model takes the worst case (jobs that time out are stuck).
pub const BATCH_TIMEOUT_KILL_S: f64 = 30.0;
/// The EC2 Spot interruption notice: two minutes (EC2 User Guide, "Spot Instance interruption notices"), as for
/// Auto Scaling groups (`sim/fleet/spot.rs`).
pub const BATCH_SPOT_NOTICE_S: f64 = 120.0;
/// The stopped reason ECS gives a Fargate Spot task it interrupted, which a Batch job's attempt carries as its
/// status reason: *AWS Fargate capacity providers* (Amazon ECS Developer Guide), "a snippet of a task state change
/// event displaying the stopped reason and stop code for a Fargate Spot interruption": `"stoppedReason": "Your Spot
/// Task was interrupted."`. The AWS Batch User Guide documents no Batch-specific reason for it.
pub const FARGATE_SPOT_STOPPED_REASON: &str = "Your Spot Task was interrupted.";
/// `minScaleDownDelayMinutes`: "Valid Range: Minimum value of 20. Maximum value of 10080" (API reference,
/// `ComputeScalingPolicy`).
pub const BATCH_MIN_SCALE_DOWN_DELAY_MIN: u32 = 20;
pub const BATCH_MAX_SCALE_DOWN_DELAY_MIN: u32 = 10_080;
/// The instance families `optimal` selects: "optimal to select instance types (from the c4, m4, r4, c5, m5, and r5
/// instance families) that match the demand of your job queues" (API reference, `ComputeResource.instanceTypes`).
/// The catalogue (`instance_types.rs`) has the fifth generation of these families.
pub const BATCH_OPTIMAL_FAMILIES: [&str; 6] = ["c4", "m4", "r4", "c5", "m5", "r5"];
/// Fargate job sizes: vCPU values a Fargate job definition may ask for (AWS Batch API reference,
/// `ResourceRequirement`: "0.25, 0.5, 1, 2, 4, 8, and 16").
pub const BATCH_FARGATE_VCPUS: [f64; 7] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];
