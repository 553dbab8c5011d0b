//! What a run produces: time series for the charts, a summary ([`Summary`]), a view of the current state for
//! drawing ([`View`]) and an event trace. All plain values, serialisable, no IO.
//!
//! Closed sets cross this boundary as enums ([`Column`], [`Limiter`], [`Bucket`], [`CapacityType`], [`TaskState`],
//! ...), not text, so the web app and the CLI match on them; each serialises as the text it always printed, so the
//! JSON and CSV stay the same.

use std::fmt;
use std::ops::{Index, IndexMut};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::instance::InstanceState;
use crate::listed::listed;
use crate::scenario::CapacityType;
use crate::task::{Health, StopReason, TaskState};
use crate::time::SimTime;

listed! {
    /// The columns of [`TimeSeries`], in order (the CSV's order). Rates are per second over the preceding sample
    /// interval; levels are sampled at the sample time.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub enum Column {
        LaunchesFargate => "launches_fargate",
        LaunchesFargateSpot => "launches_fargate_spot",
        LaunchesEc2 => "launches_ec2",
        LaunchesEc2Spot => "launches_ec2_spot",
        LaunchesExternal => "launches_external",
        RunningFargate => "running_fargate",
        RunningFargateSpot => "running_fargate_spot",
        RunningEc2 => "running_ec2",
        RunningEc2Spot => "running_ec2_spot",
        RunningExternal => "running_external",
        Desired => "desired",
        Healthy => "healthy",
        Provisioning => "provisioning",
        Pending => "pending",
        Instances => "instances",
        /// The highest CapacityProviderReservation across providers at their last evaluation (0 with none).
        Reservation => "capacity_provider_reservation",
        BucketFargateOnDemand => "bucket_fargate_on_demand",
        BucketFargateSpot => "bucket_fargate_spot",
        BucketRunTaskApi => "bucket_run_task_api",
        BucketFargateRunTaskCalls => "bucket_fargate_run_task_calls",
        SpotCapacityWaiting => "spot_capacity_waiting",
        CostUsd => "cost_usd",
        // The cost by category, accumulated (USD): they add up to `CostUsd` (`CostBreakdown` says what each holds).
        CostFargate => "cost_fargate",
        CostFargateSpot => "cost_fargate_spot",
        CostEc2OnDemand => "cost_ec2",
        CostEc2Spot => "cost_ec2_spot",
        CostExternal => "cost_external",
        CostPublicIpv4 => "cost_public_ipv4",
        CostLoadBalancers => "cost_load_balancers",
    }
    /// The CSV header name (without the unit).
    name
}

impl Column {
    /// The cost columns by category, in the order of the chart's stack: they add up to [`Column::CostUsd`].
    pub const COST_CATEGORIES: [Column; 7] = [
        Column::CostFargate,
        Column::CostFargateSpot,
        Column::CostEc2OnDemand,
        Column::CostEc2Spot,
        Column::CostExternal,
        Column::CostPublicIpv4,
        Column::CostLoadBalancers,
    ];

    /// Position in [`TimeSeries::columns`] and in the CSV (after `time_s`).
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn unit(self) -> &'static str {
        match self {
            Column::LaunchesFargate
            | Column::LaunchesFargateSpot
            | Column::LaunchesEc2
            | Column::LaunchesEc2Spot
            | Column::LaunchesExternal => "tasks/s",
            Column::RunningFargate
            | Column::RunningFargateSpot
            | Column::RunningEc2
            | Column::RunningEc2Spot
            | Column::RunningExternal
            | Column::Desired
            | Column::Healthy
            | Column::Provisioning
            | Column::Pending
            | Column::SpotCapacityWaiting => "tasks",
            Column::Instances => "instances",
            Column::Reservation => "percent",
            Column::BucketFargateOnDemand
            | Column::BucketFargateSpot
            | Column::BucketRunTaskApi
            | Column::BucketFargateRunTaskCalls => "tokens",
            Column::CostUsd
            | Column::CostFargate
            | Column::CostFargateSpot
            | Column::CostEc2OnDemand
            | Column::CostEc2Spot
            | Column::CostExternal
            | Column::CostPublicIpv4
            | Column::CostLoadBalancers => "USD",
        }
    }

    /// Tasks launched per second on a capacity type.
    pub fn launches(capacity: CapacityType) -> Column {
        match capacity {
            CapacityType::Fargate => Column::LaunchesFargate,
            CapacityType::FargateSpot => Column::LaunchesFargateSpot,
            CapacityType::Ec2OnDemand => Column::LaunchesEc2,
            CapacityType::Ec2Spot => Column::LaunchesEc2Spot,
            CapacityType::External => Column::LaunchesExternal,
        }
    }

    /// Accumulated cost of a capacity type (Fargate tasks' vCPU and memory; instance-hours; ECS Anywhere hours).
    pub fn cost(capacity: CapacityType) -> Column {
        match capacity {
            CapacityType::Fargate => Column::CostFargate,
            CapacityType::FargateSpot => Column::CostFargateSpot,
            CapacityType::Ec2OnDemand => Column::CostEc2OnDemand,
            CapacityType::Ec2Spot => Column::CostEc2Spot,
            CapacityType::External => Column::CostExternal,
        }
    }

    /// Tasks RUNNING on a capacity type.
    pub fn running(capacity: CapacityType) -> Column {
        match capacity {
            CapacityType::Fargate => Column::RunningFargate,
            CapacityType::FargateSpot => Column::RunningFargateSpot,
            CapacityType::Ec2OnDemand => Column::RunningEc2,
            CapacityType::Ec2Spot => Column::RunningEc2Spot,
            CapacityType::External => Column::RunningExternal,
        }
    }
}

/// One sample: a value per [`Column`], filled in by name and appended with [`TimeSeries::push`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample(pub [f64; Column::COUNT]);

impl Default for Sample {
    fn default() -> Sample {
        Sample([0.0; Column::COUNT])
    }
}

impl Index<Column> for Sample {
    type Output = f64;
    fn index(&self, column: Column) -> &f64 {
        &self.0[column.index()]
    }
}

impl IndexMut<Column> for Sample {
    fn index_mut(&mut self, column: Column) -> &mut f64 {
        &mut self.0[column.index()]
    }
}

/// Values sampled every `interval_ms`; sample `i` is at time `(i + 1) * interval_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeSeries {
    pub interval_ms: u64,
    /// One vector per [`Column`], indexed by [`Column::index`], all of the same length.
    pub columns: Vec<Vec<f64>>,
    /// With Savings Plans or Reserved Instances: the accumulated cost with them, one value per sample (each
    /// started clock-hour charged its whole commitment); empty otherwise, and then neither in the JSON nor the CSV.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cost_with_commitments: Vec<f64>,
    /// One vector per [`DemandColumn`] when the scenario has demand, else empty (so the CSV of scenarios without
    /// demand reads as before).
    pub demand: Vec<Vec<f64>>,
    /// With CPU credits in use (`docs/model.md` §4.6): the burstable instances' credit balance summed (negative:
    /// surplus owed), and how many are throttled to their baseline, one value per sample; empty otherwise, and
    /// then neither in the JSON nor the CSV.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credit_balance: Vec<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub throttled_instances: Vec<f64>,
    /// One vector per [`QueueColumn`] when the scenario has queues, else empty (then not in the CSV).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<Vec<f64>>,
    /// One vector per [`BatchColumn`] when the scenario has AWS Batch, else empty (then not in the CSV).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batch: Vec<Vec<f64>>,
    /// One vector per [`CustomColumn`] when a service scales on a customized metric (`docs/model.md` §9), else
    /// empty (then neither in the JSON nor the CSV).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom: Vec<Vec<f64>>,
    /// The series per service and per capacity provider (`split.rs`), for the page's "Split by"; not in the CSV
    /// (in the JSON the page's run-ahead worker sends its rows in).
    #[serde(default)]
    pub split: crate::split::SplitSeries,
}

listed! {
    /// The customized-metric columns of [`TimeSeries`], last in the CSV, only when a service has a target tracking
    /// policy on a customized metric: the first such service's first such policy (`docs/model.md` §9).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum CustomColumn {
        /// The metric per running task at the sample time: the total over the service's running tasks (the `m1 / m2`
        /// the policy tracks, read at an instant rather than as the period's statistic); 0 without a running task.
        PerTask => "custom_metric_per_task",
        /// The policy's target value.
        Target => "custom_metric_target",
        /// That service's Application Auto Scaling actions in the interval.
        ScalingActions => "custom_metric_scaling_actions (count)",
        /// 1 while that service's scale-out alarm is in ALARM at the sample time, else 0.
        AlarmHigh => "custom_metric_scale_out_alarm (0/1)",
    }
    name
}

listed! {
    /// The AWS Batch columns of [`TimeSeries`], last in the CSV, only when the scenario has Batch
    /// (`docs/model.md` §12).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum BatchColumn {
        Submitted => "batch_submitted (jobs)",
        Pending => "batch_pending (jobs)",
        Runnable => "batch_runnable (jobs)",
        Starting => "batch_starting (jobs)",
        Running => "batch_running (jobs)",
        /// Jobs that ended, accumulated.
        Succeeded => "batch_succeeded (jobs)",
        Failed => "batch_failed (jobs)",
        /// vCPUs of the jobs STARTING or RUNNING (EC2 and Fargate).
        VcpusInUse => "batch_vcpus_in_use (vCPU)",
        /// vCPUs of the compute environments' instances, launching or running.
        VcpusInstances => "batch_vcpus_instances (vCPU)",
        /// maxvCpus of every compute environment, summed.
        MaxVcpus => "batch_max_vcpus (vCPU)",
        /// vCPUs the RUNNABLE jobs ask for: the backlog.
        RunnableVcpus => "batch_runnable_vcpus (vCPU)",
    }
    name
}

impl BatchColumn {
    /// The column counting jobs in `state`.
    pub fn of_state(state: BatchJobState) -> BatchColumn {
        match state {
            BatchJobState::Submitted => BatchColumn::Submitted,
            BatchJobState::Pending => BatchColumn::Pending,
            BatchJobState::Runnable => BatchColumn::Runnable,
            BatchJobState::Starting => BatchColumn::Starting,
            BatchJobState::Running => BatchColumn::Running,
            BatchJobState::Succeeded => BatchColumn::Succeeded,
            BatchJobState::Failed => BatchColumn::Failed,
        }
    }
}

listed! {
    /// An AWS Batch job's state ("Job states").
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum BatchJobState {
        Submitted => "SUBMITTED",
        Pending => "PENDING",
        Runnable => "RUNNABLE",
        Starting => "STARTING",
        Running => "RUNNING",
        Succeeded => "SUCCEEDED",
        Failed => "FAILED",
    }
    name
}

impl BatchJobState {
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn is_final(self) -> bool {
        matches!(self, BatchJobState::Succeeded | BatchJobState::Failed)
    }
}

fn is_zero_u64(value: &u64) -> bool {
    *value == 0
}

/// AWS Batch over the run (`docs/model.md` §12). Seconds and USD rounded to thousandths / ten-thousandths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchSummary {
    /// Jobs created (an array's children each count; the parent array job does not).
    pub jobs: u64,
    /// Jobs by state at the end, in [`BatchJobState`] order.
    pub jobs_by_state: Vec<BatchStateCount>,
    /// From the first SubmitJob call to the last job reaching SUCCEEDED or FAILED; `null` while jobs remain open.
    pub makespan_s: Option<f64>,
    /// Seconds from submission to the first RUNNING, over the jobs that ran.
    pub wait_p50_s: Option<f64>,
    pub wait_p95_s: Option<f64>,
    /// Attempts that went back to RUNNABLE (retry strategy).
    pub retries: u64,
    /// Attempts ended by an EC2 Spot reclaim of their instance or a Fargate Spot interruption of their task.
    pub spot_reclaims: u64,
    /// Instance launches refused for want of EC2 capacity in the chosen type's pool (`batch.pool_capacity`).
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub launches_refused: u64,
    /// Attempts ended by their timeout.
    pub timeouts: u64,
    pub submit_calls: u64,
    /// SubmitJob calls throttled (each retried when a token is back).
    pub submit_throttled: u64,
    /// RunTask tokens the scheduler waited for (a pass that found the bucket empty stops placing EC2 jobs).
    pub run_task_throttled: u64,
    pub instances_launched: u64,
    /// The cost of the compute environments (instances; Fargate jobs), part of `cost_usd`.
    pub cost_usd: f64,
    /// `cost_usd` over the jobs that ended.
    pub cost_per_job_usd: Option<f64>,
    pub queues: Vec<BatchQueueSummary>,
    pub compute_environments: Vec<ComputeEnvironmentSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchStateCount {
    pub state: BatchJobState,
    pub jobs: u64,
}

/// One job queue over the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchQueueSummary {
    pub queue: String,
    pub priority: u32,
    pub jobs: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub wait_p50_s: Option<f64>,
    pub wait_p95_s: Option<f64>,
    /// The compute environments' cost shared by the vCPU-seconds each queue's jobs used on them.
    pub cost_usd: f64,
}

/// One compute environment over the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComputeEnvironmentSummary {
    pub name: String,
    #[serde(rename = "type", deserialize_with = "compute_environment_type")]
    pub kind: Name,
    pub max_vcpus: u32,
    /// The most vCPUs its instances had at once (launching included); Fargate: the most its jobs used.
    pub peak_vcpus: u32,
    pub instances_launched: u64,
    pub cost_usd: f64,
}

/// One AWS Batch job (an array's child, or a single job) and its times, seconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchJobRecord {
    pub submission: String,
    pub queue: String,
    /// The child's index in its array; `None` for a single job.
    pub index: Option<u32>,
    pub state: BatchJobState,
    /// Attempts that reached RUNNING.
    pub attempts: u32,
    pub submitted_s: f64,
    pub first_running_s: Option<f64>,
    pub ended_s: Option<f64>,
}

/// AWS Batch now, for drawing (`docs/model.md` §12).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchView {
    pub compute_environments: Vec<ComputeEnvironmentView>,
    /// Jobs by state now, in [`BatchJobState`] order.
    pub jobs_by_state: Vec<u32>,
    pub queues: Vec<JobQueueView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobQueueView {
    pub name: String,
    pub priority: u32,
    pub runnable: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComputeEnvironmentView {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub max_vcpus: u32,
    /// vCPUs of its instances (launching included); Fargate: 0.
    pub instance_vcpus: u32,
    /// vCPUs of its jobs STARTING or RUNNING.
    pub used_vcpus: f64,
    /// Live instances and the jobs on each.
    pub instances: Vec<BatchInstanceView>,
    /// Fargate: jobs STARTING or RUNNING.
    pub fargate_jobs: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchInstanceView {
    pub id: u32,
    pub instance_type: &'static str,
    /// `launching`, `active` or `reclaimed` (Spot notice given).
    pub state: &'static str,
    pub vcpus: u32,
    pub used_vcpus: f64,
    pub jobs: u32,
}

listed! {
    /// The queue columns of [`TimeSeries`], last in the CSV, only when the scenario has queues (`docs/model.md` §10).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum QueueColumn {
        /// Messages visible in every queue (ApproximateNumberOfMessagesVisible, summed).
        Visible => "queue_visible (messages)",
        /// Messages in flight (received, not deleted) in every queue.
        InFlight => "queue_in_flight (messages)",
        /// The age of the oldest visible message over the queues, seconds.
        OldestAge => "queue_oldest_age (s)",
    }
    name
}

listed! {
    /// The demand columns of [`TimeSeries`], after the others in the CSV, only when a service has demand.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum DemandColumn {
        /// Requests per second offered to every service with demand.
        Offered => "offered (requests/s)",
        /// Requests per second served (at most what the serving tasks take at 100% CPU).
        Served => "served (requests/s)",
        /// The highest service-average CPU utilisation among the services with demand, percent.
        Utilization => "cpu_utilization (%)",
        /// The CPU target of the first CPU target tracking policy (0 without one), percent.
        Target => "cpu_target (%)",
        /// Application Auto Scaling actions in the interval.
        ScalingActions => "scaling_actions (count)",
        /// Services whose scale-out alarm (a target tracking AlarmHigh, or a step scaling alarm above its threshold) is
        /// in ALARM at the sample time.
        AlarmsHigh => "scale_out_alarms_in_alarm (count)",
    }
    name
}

impl TimeSeries {
    pub fn new(interval_ms: u64) -> TimeSeries {
        TimeSeries {
            interval_ms,
            columns: vec![Vec::new(); Column::COUNT],
            cost_with_commitments: Vec::new(),
            demand: Vec::new(),
            credit_balance: Vec::new(),
            throttled_instances: Vec::new(),
            queues: Vec::new(),
            batch: Vec::new(),
            custom: Vec::new(),
            split: crate::split::SplitSeries::default(),
        }
    }

    /// A customized-metric column (empty when no service scales on a customized metric).
    pub fn custom_column(&self, column: CustomColumn) -> &[f64] {
        self.custom.get(column as usize).map_or(&[], Vec::as_slice)
    }

    /// A Batch column (empty when the scenario has no Batch).
    pub fn batch_column(&self, column: BatchColumn) -> &[f64] {
        self.batch.get(column as usize).map_or(&[], Vec::as_slice)
    }

    /// A queue column (empty when the scenario has no queues).
    pub fn queue_column(&self, column: QueueColumn) -> &[f64] {
        self.queues.get(column as usize).map_or(&[], Vec::as_slice)
    }

    /// A demand column (empty when the scenario has no demand).
    pub fn demand_column(&self, column: DemandColumn) -> &[f64] {
        self.demand.get(column as usize).map_or(&[], Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.columns[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn time_s(&self, sample: usize) -> f64 {
        (sample as u64 + 1) as f64 * self.interval_ms as f64 / 1000.0
    }

    pub fn column(&self, column: Column) -> &[f64] {
        &self.columns[column.index()]
    }

    /// Appends one sample to every column.
    pub fn push(&mut self, sample: Sample) {
        for (column, value) in self.columns.iter_mut().zip(sample.0) {
            column.push(value);
        }
    }

    /// The whole series as CSV: a `time_s` column, then one column per series, named with its unit.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("time_s");
        for column in Column::ALL {
            out.push_str(&format!(",{} ({})", column.name(), column.unit()));
        }
        if !self.demand.is_empty() {
            for column in DemandColumn::ALL {
                out.push_str(&format!(",{}", column.name()));
            }
        }
        let commitments = !self.cost_with_commitments.is_empty();
        if commitments {
            out.push_str(",cost_with_commitments (USD)");
        }
        let credits = !self.credit_balance.is_empty();
        if credits {
            out.push_str(",cpu_credit_balance (credits),throttled_instances (count)");
        }
        for column in QueueColumn::ALL.iter().take(self.queues.len()) {
            out.push_str(&format!(",{}", column.name()));
        }
        for column in BatchColumn::ALL.iter().take(self.batch.len()) {
            out.push_str(&format!(",{}", column.name()));
        }
        for column in CustomColumn::ALL.iter().take(self.custom.len()) {
            out.push_str(&format!(",{}", column.name()));
        }
        out.push('\n');
        for i in 0..self.len() {
            out.push_str(&format_number(self.time_s(i)));
            for column in self.columns.iter().chain(&self.demand) {
                out.push(',');
                out.push_str(&format_number(column[i]));
            }
            if commitments {
                out.push(',');
                out.push_str(&format_number(self.cost_with_commitments.get(i).copied().unwrap_or(0.0)));
            }
            if credits {
                for column in [&self.credit_balance, &self.throttled_instances] {
                    out.push(',');
                    out.push_str(&format_number(column.get(i).copied().unwrap_or(0.0)));
                }
            }
            for column in self.queues.iter().chain(&self.batch).chain(&self.custom) {
                out.push(',');
                out.push_str(&format_number(column.get(i).copied().unwrap_or(0.0)));
            }
            out.push('\n');
        }
        out
    }
}

fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        // |v| < 1e15 and whole: exact in an i64.
        #[allow(clippy::cast_possible_truncation)]
        let whole = v as i64;
        format!("{whole}")
    } else {
        format!("{v:.6}")
    }
}

/// The run summary: what `fleetplan run --json` prints and the page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    /// Seconds until every service is steady and every RunTask burst has settled; `null` if not within the horizon.
    pub completion_s: Option<f64>,
    /// Simulated seconds covered by the run.
    pub end_s: f64,
    pub tasks_launched: u64,
    /// Tasks that reached RUNNING.
    pub tasks_started: u64,
    /// Tasks that failed to start, failed health checks or crashed.
    pub tasks_failed: u64,
    pub interruptions: u64,
    pub replacements: u64,
    pub cost_usd: f64,
    /// `cost_usd` over the run's length, ramp included (`cost_usd / end_s x 3600`): the average over the run, not
    /// what the fleet costs per hour once it is up (that is `costs.steady_per_hour_usd`).
    pub average_cost_per_hour_usd: f64,
    /// The cost named for what it is (issue 13): rollout cost, steady-state rate, the all-On-Demand baseline.
    pub costs: CostFigures,
    /// Events processed.
    pub events: u64,
    pub services: Vec<ServiceSummary>,
    pub run_tasks: Vec<RunTaskSummary>,
    // --- EC2 insufficient capacity (issue 9, "Capacity that can refuse") ---
    /// Auto Scaling groups with launches that failed with InsufficientInstanceCapacity in every pool, and how many;
    /// left out of the JSON when no launch failed, so summaries of runs where every pool had room read as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_launches: Vec<FailedLaunches>,
    // Quotas (issue 9, "capacity that can refuse"): keep this block together at the end.
    /// Every quota that refused something during the run, in [`Limiter`] order (empty when none did).
    pub quota_hits: Vec<QuotaHit>,
    // ---- Cost as planners count it (issue 9) ----
    /// Where `cost_usd` went: by capacity type, public IPv4 and load balancers (these add up to `cost_usd`), and
    /// by who pays.
    pub cost_breakdown: CostBreakdown,
    // ---- Run budget (issue 14) ----
    /// Set when the run stopped before its horizon because its budget ran out; left out of the JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_early: Option<StoppedEarly>,
    // ---- Fargate task retirement (issue 9) ----
    /// Every Fargate task retirement notice of the run and what it did; left out of the JSON when the scenario has
    /// none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub task_retirements: Vec<TaskRetirementSummary>,
    // ---- Savings Plans and Reserved Instances (issue 9, "Cost as planners count it") ----
    /// The cost with the scenario's commitments applied hour by hour; left out when it has none (`cost_usd` is
    /// always the cost without them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitments: Option<CommitmentsSummary>,
    // ---- Demand and service auto scaling (issue 10) ----
    /// Each service with a demand profile: load offered and served, utilisation, scaling; left out when none has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub demand: Vec<DemandSummary>,
    // ---- Burstable instances, CPU credits (issue 10) ----
    /// Each group with burstable (T family) instances, when the scenario uses CPU credits; left out otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cpu_credits: Vec<CreditSummary>,
    // ---- EventBridge scheduled tasks (issue 10) ----
    /// Each `scheduled_tasks` schedule: firings, tasks started, throttled calls, retries, firings dropped; left out
    /// when the scenario has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<ScheduleSummary>,
    // ---- SQS queue-driven workers (issue 10) ----
    /// Each queue: messages arrived, processed, redelivered, dead-lettered, the largest backlog and oldest age;
    /// left out when the scenario has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueSummary>,
    // ---- AWS Batch (issue 11) ----
    /// Jobs, waits, retries, Spot reclaims and cost of AWS Batch; left out when the scenario has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchSummary>,
}

/// Hours in a month for `steady_per_month_usd`: AWS pricing pages' monthly examples use 730 hours (365 x 24 / 12),
/// `defaults::HOURS_PER_MONTH`.
pub const HOURS_PER_MONTH: f64 = crate::defaults::HOURS_PER_MONTH;

/// The run's cost named for what it is (`docs/model.md` §6.2). USD, rounded to 0.0001 as `cost_usd` is.
///
/// The all-On-Demand baseline is the same usage (the same tasks, instances, addresses and load balancers, for the
/// same seconds) priced On-Demand: Fargate Spot tasks at the Fargate price, EC2 Spot instances at their On-Demand
/// price, and no Savings Plans or Reserved Instances. ECS Anywhere and Managed Instances fees, public IPv4, load
/// balancers and surplus CPU credits have no Spot price and are in both as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostFigures {
    /// When the first rollout of every service was steady (each service's `first_steady_s`, the latest); `null`
    /// when one never was, or the scenario has no services.
    pub rollout_s: Option<f64>,
    /// What the run had cost by `rollout_s` (without commitments, like `cost_usd`).
    pub rollout_usd: Option<f64>,
    /// Whether the run ends in a steady state: every service steady, every RunTask burst settled, and no demand
    /// profile, queue or scaling that keeps moving the fleet. When false, `no_steady_state` says why and only the
    /// average over the run (`average_cost_per_hour_usd`) is given.
    pub steady_state: bool,
    /// Why there is no steady state; left out when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_steady_state: Option<String>,
    /// Since when the fleet and its billing have not changed (the latest of each service's `steady_s` and the
    /// last billing change); `null` without a steady state.
    pub steady_since_s: Option<f64>,
    /// The billing rate in the steady state: what the fleet costs per hour once it is up (without commitments;
    /// Fargate, EC2, ECS Anywhere and Managed Instances fees, public IPv4, load balancers); `null` without one.
    pub steady_per_hour_usd: Option<f64>,
    /// `steady_per_hour_usd` x 730 hours.
    pub steady_per_month_usd: Option<f64>,
    /// The steady rate priced all On-Demand; `null` without a steady state.
    pub on_demand_steady_per_hour_usd: Option<f64>,
    /// The run's usage priced all On-Demand.
    pub on_demand_baseline_usd: f64,
    /// What the run cost as billed: `cost_usd`, or with the scenario's commitments `commitments.cost_with_usd`.
    pub billed_usd: f64,
    /// `on_demand_baseline_usd - billed_usd` (negative when commitments cost more than they save).
    pub savings_vs_on_demand_usd: f64,
    /// The savings as a share of the baseline, in percent (0 when the baseline is 0).
    pub savings_vs_on_demand_percent: f64,
}

/// One group's CPU credits over the run (`docs/model.md` §4.6). Credits: one is one vCPU at 100% for a minute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditSummary {
    pub group: String,
    /// The group's credit option, `standard` or `unlimited`.
    pub mode: crate::spec::CpuCredits,
    /// Burstable instances the group ran.
    pub instances: u32,
    /// The lowest balance any instance had (negative: surplus credits owed, unlimited mode).
    pub min_balance: f64,
    /// The credits the live instances hold at the end, summed.
    pub final_balance: f64,
    /// Instance-seconds held to the baseline with an empty balance (standard mode).
    pub throttled_instance_s: f64,
    /// Surplus credits charged (spent beyond 24 hours of earnings, or owed by an instance when it terminated) and
    /// their price, part of `cost_usd`.
    pub surplus_charged: f64,
    pub surplus_charged_usd: f64,
    /// Surplus credits the live instances still owe at the end, and what they would cost if not paid back
    /// (not in `cost_usd`).
    pub surplus_owed: f64,
    pub surplus_owed_usd: f64,
}

impl CreditSummary {
    /// Rounded for printing: credits to 0.01, seconds to 0.001, USD to 0.0001.
    pub fn rounded(mut self) -> CreditSummary {
        let r = |v: f64, d: f64| (v * d).round() / d;
        self.min_balance = r(self.min_balance, 100.0);
        self.final_balance = r(self.final_balance, 100.0);
        self.throttled_instance_s = r(self.throttled_instance_s, 1000.0);
        self.surplus_charged = r(self.surplus_charged, 100.0);
        self.surplus_charged_usd = r(self.surplus_charged_usd, 10_000.0);
        self.surplus_owed = r(self.surplus_owed, 100.0);
        self.surplus_owed_usd = r(self.surplus_owed_usd, 10_000.0);
        self
    }
}

/// One EventBridge schedule over the run (`docs/model.md` §11). Each firing is also a `run_tasks` entry named
/// `schedule @ local time`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleSummary {
    pub name: String,
    pub expression: String,
    /// Firings within the horizon.
    pub firings: u32,
    /// Firings that called RunTask by the end of the run (a flexible time window may hold one past it).
    pub fired: u32,
    pub tasks_started: u32,
    pub tasks_failed: u32,
    /// RunTask calls throttled (each retried or, at the end, dropped).
    pub throttled_calls: u64,
    /// Retries the scheduler made after throttling.
    pub retries: u32,
    /// Firings given up after the retry policy's maximum event age or retry attempts.
    pub dropped: u32,
    /// Seconds from the first firing's scheduled time until the last of its tasks started (the burst's spread),
    /// over all firings: the longest.
    pub longest_settle_s: Option<f64>,
}

/// What happened to one queue's messages (`docs/model.md` §10). Counts are fluid (messages in aggregate), rounded
/// to thousandths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueSummary {
    pub queue: String,
    pub arrived: f64,
    /// Received and deleted by a worker.
    pub processed: f64,
    /// Left in flight by a worker that stopped, visible again after the visibility timeout.
    pub redelivered: f64,
    /// Moved to the dead-letter queue after maxReceiveCount receives.
    pub dead_lettered: f64,
    /// Received again because their processing outlasted the visibility timeout (`processing_spread`).
    pub overran_visibility_timeout: f64,
    pub max_visible: f64,
    pub max_age_s: f64,
    /// At the end of the run: visible, in flight, waiting out a visibility timeout.
    pub visible_at_end: f64,
    pub in_flight_at_end: f64,
    pub hidden_at_end: f64,
    /// The worker service (none: nothing consumes the queue), its auto scaling actions and highest desired count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker_service: Option<String>,
    pub scaling_actions: u64,
    pub max_desired: u32,
}

/// Why and when a run stopped before its horizon (its `RunBudget` ran out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoppedEarly {
    pub reason: String,
    /// Simulated time of the stop.
    pub at_s: f64,
}

/// A moment the charts mark on their time axis with a label (a quota's first refusal, a task retirement notice or
/// retirement): see `Simulation::chart_markers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartMarker {
    pub time_s: f64,
    /// Typed, so the page shows it in its language (`to_string()` gives the English).
    pub label: crate::text::Text,
}

/// A Fargate task retirement notice (`docs/model.md` §4.1): when it came, when the tasks were retired (the notice
/// plus the account's wait period), the tasks on the retired revision at the notice, and what became of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRetirementSummary {
    pub notice_s: f64,
    pub retirement_s: f64,
    pub wait_period_days: u32,
    /// Fargate tasks on the retired platform revision at the notice.
    pub tasks: u32,
    /// Whether the retirement date came within the run.
    pub retired: bool,
    /// Service tasks still active at the retirement, handed to their schedulers to replace within the deployment
    /// bounds (each gets a replacement).
    pub service_tasks_replaced: u32,
    /// Standalone tasks stopped at the retirement (never replaced).
    pub standalone_tasks_stopped: u32,
}

/// What the commitments did over the run (`docs/model.md` §6). Every clock-hour the run touched is charged the
/// full commitment, a partial last hour included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitmentsSummary {
    /// Clock-hours charged.
    pub hours: u32,
    /// `cost_usd`: every price On-Demand or Spot.
    pub cost_without_usd: f64,
    /// The same run with the commitments: what they do not cover at On-Demand, plus their charges.
    pub cost_with_usd: f64,
    /// On-Demand cost of the eligible usage (Fargate and EC2 On-Demand; never Spot or ECS Anywhere).
    pub eligible_on_demand_usd: f64,
    /// Savings Plans commitments and Reserved Instance fees, for every hour charged.
    pub commitment_charges_usd: f64,
    /// The part of those charges no usage took (lost: an hour's commitment does not carry over).
    pub unused_usd: f64,
    /// `cost_without_usd - cost_with_usd` (negative when the commitments cost more than they save).
    pub savings_usd: f64,
    pub savings_plans: Vec<SavingsPlanResult>,
    pub reserved_instances: Vec<ReservedInstanceResult>,
}

/// One Savings Plan over the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavingsPlanResult {
    pub kind: crate::spec::SavingsPlanKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    pub usd_per_hour: f64,
    pub charged_usd: f64,
    /// Commitment spent on usage at Savings Plans rates, and the rest.
    pub used_usd: f64,
    pub unused_usd: f64,
    pub utilization_percent: f64,
    /// The hourly commitment that would have saved the most over this run (with the Reserved Instances and the
    /// plans applied before it as given, none after it), and what it would have saved.
    pub best_usd_per_hour: f64,
    pub best_savings_usd: f64,
    /// Above this hourly commitment the plan costs more than it saves over this run.
    pub break_even_usd_per_hour: f64,
}

/// One Reserved Instance entry over the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReservedInstanceResult {
    pub instance_type: String,
    pub count: u32,
    pub charged_usd: f64,
    pub unused_usd: f64,
    pub utilization_percent: f64,
}

/// What a service's demand did (`docs/model.md` §9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandSummary {
    pub service: String,
    /// Requests offered, served and not served (dropped: above what the serving tasks can take at 100% CPU).
    pub offered_requests: f64,
    pub served_requests: f64,
    pub unserved_requests: f64,
    pub unserved_percent: f64,
    /// The highest service-average CPU utilisation of the serving tasks.
    pub peak_utilization_percent: f64,
    /// Seconds with the service-average CPU above the CPU target (the first CPU target tracking policy's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_over_target_s: Option<f64>,
    /// Seconds with the serving tasks at 100% CPU (or none serving while requests come).
    pub saturated_s: f64,
    /// Desired count changes made by Application Auto Scaling.
    pub scaling_actions: u64,
    pub max_desired: u32,
    /// Tasks stopped because they stayed at 100% CPU (`overload_fails_health_checks`).
    pub overload_failures: u64,
}

/// Launches of one Auto Scaling group that no pool could take (InsufficientInstanceCapacity everywhere).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedLaunches {
    pub provider: String,
    pub launches: u64,
}

/// A quota that refused launches: which one, its value, how many launches (tasks or instances) it refused and
/// when it first did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotaHit {
    pub quota: Limiter,
    /// The quota's value (vCPUs or instances).
    pub value: u32,
    /// Task or instance launches refused (a service retries the same task every workflow cycle, and each attempt
    /// counts).
    pub refused: u64,
    pub first_s: f64,
}

/// The cost of a run by category and by payer (`docs/model.md` §6). `by_capacity`, `public_ipv4_usd`,
/// `load_balancer_hours_usd` and `load_balancer_lcu_usd` add up to the summary's `cost_usd` (each is rounded to
/// 4 decimals, so the sum may differ in the last digits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostBreakdown {
    /// Every capacity type, in [`CapacityType::ALL`]'s order: Fargate and Fargate Spot tasks' vCPU and memory;
    /// EC2 On-Demand and Spot instance-hours; ECS Anywhere registered instance-hours. Public IPv4 is apart.
    pub by_capacity: Vec<CapacityCost>,
    /// Public IPv4 addresses of Fargate tasks with `assign_public_ip`.
    pub public_ipv4_usd: f64,
    /// ALB-hours: one Application Load Balancer per service with a `load_balancer`, over the whole run.
    pub load_balancer_hours_usd: f64,
    /// LCU-hours of those load balancers, from the traffic the scenario gives (processed GB per hour).
    pub load_balancer_lcu_usd: f64,
    /// What each service pays directly: its Fargate tasks, their public IPv4 addresses and its load balancer.
    /// Tasks on EC2 or ECS Anywhere instances are not priced per service: the instance is billed whether its
    /// cpu and memory are reserved by one service, several or none (AWS bills the instance, not the tasks), so
    /// splitting it would invent a rule AWS does not apply; that cost is in `providers`.
    pub services: Vec<ServiceCost>,
    /// What each RunTask workload's Fargate tasks cost (with their public IPv4 addresses).
    pub run_tasks: Vec<RunTaskCost>,
    /// Instance cost per capacity provider (Auto Scaling group) and ECS Anywhere group: shared capacity.
    pub providers: Vec<ProviderCost>,
    /// AWS Batch: its Fargate jobs and its compute environments' instances (by queue in [`Summary::batch`]);
    /// left out without Batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchCost>,
}

/// What AWS Batch cost, by kind of capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchCost {
    pub fargate_usd: f64,
    pub instances_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityCost {
    #[serde(serialize_with = "capacity_name", deserialize_with = "capacity_of_name")]
    pub capacity: CapacityType,
    pub usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceCost {
    pub name: String,
    /// Its tasks on Fargate and Fargate Spot (vCPU and memory).
    pub fargate_usd: f64,
    pub public_ipv4_usd: f64,
    /// ALB-hours and LCU-hours of its load balancer (0 without one).
    pub load_balancer_usd: f64,
    pub total_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunTaskCost {
    pub name: String,
    pub fargate_usd: f64,
    pub public_ipv4_usd: f64,
    pub total_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderCost {
    pub name: String,
    #[serde(serialize_with = "capacity_name", deserialize_with = "capacity_of_name")]
    pub capacity: CapacityType,
    pub usd: f64,
    /// Amazon ECS Managed Instances providers only: the provider's kind, `MANAGED_INSTANCES`.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "managed_instances_kind")]
    pub kind: Option<Name>,
    /// Amazon ECS Managed Instances providers only: the management fee, part of `usd` (the rest is EC2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management_fee_usd: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceSummary {
    pub name: String,
    pub desired: u32,
    pub running: u32,
    pub healthy: u32,
    /// When the service last became steady (all desired tasks of the current deployment running and healthy,
    /// nothing else left); `null` if it is not steady at the end.
    pub steady_s: Option<f64>,
    /// When its first rollout was steady (the first time it was steady); `null` if it never was.
    pub first_steady_s: Option<f64>,
    /// How many times it became steady again after the first rollout: after a deployment, a scaling, or replacing
    /// interrupted or failed tasks. `steady_s` is the last of these when there were any.
    pub later_rollouts: u32,
    /// Tasks per second over the first rollout's ramp: the desired count when it was first steady over
    /// `first_steady_s` (the ramp starts at time 0); `null` when it never was steady or was steady at once.
    pub launch_rate_per_s: Option<f64>,
    /// What held the service back for the largest share of the time it was held back (the first of
    /// `limited_by_shares`); `None` (printed as [`TASK_STARTUP`]) if that was task startup itself, or nothing did.
    #[serde(serialize_with = "limited_by_name", deserialize_with = "limited_by_of_name")]
    pub limited_by: Option<Limiter>,
    /// What held it back, as shares of the time it was held back by anything (below its desired count of healthy
    /// tasks, or a deployment on its way), largest first (`docs/model.md` §15.2).
    #[serde(default)]
    pub limited_by_shares: Vec<crate::limited_by::HeldShare>,
    /// Waiting task-seconds per limit, largest first.
    pub limits: Vec<LimitShare>,
    pub deployment: DeploymentStatus,
    pub failures: u64,
    pub replacements: u64,
    pub interruptions: u64,
    /// After its first rollout, the lowest count of its tasks in RUNNING while below the desired count (a Spot
    /// wave, failures, a deployment with `minimumHealthyPercent` under 100), and when it was first that low;
    /// absent when the count never went below the desired count (`docs/model.md` §6.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dip: Option<Dip>,
}

/// The lowest a service's running count fell after its first rollout (see [`ServiceSummary::dip`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dip {
    pub running: u32,
    pub at_s: f64,
    /// The desired count at that moment.
    pub desired: u32,
}

/// ECS deployment rollout states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollout {
    InProgress,
    Completed,
    Failed,
}

impl Rollout {
    pub fn name(self) -> &'static str {
        match self {
            Rollout::InProgress => "IN_PROGRESS",
            Rollout::Completed => "COMPLETED",
            Rollout::Failed => "FAILED",
        }
    }
}

/// A service's current (primary) deployment: its rollout state, and whether the circuit breaker rolled it back
/// to an earlier revision. Prints (and serialises) as `COMPLETED` or `COMPLETED (rolled back)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeploymentStatus {
    pub rollout: Rollout,
    pub rolled_back: bool,
}

impl fmt::Display for DeploymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rollout.name())?;
        if self.rolled_back {
            f.write_str(" (rolled back)")?;
        }
        Ok(())
    }
}

impl Serialize for DeploymentStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Reads back what [`DeploymentStatus`]'s `Display` wrote (the page's run-ahead worker sends summaries as JSON).
impl<'de> Deserialize<'de> for DeploymentStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let (name, rolled_back) = match text.strip_suffix(" (rolled back)") {
            Some(name) => (name, true),
            None => (text.as_str(), false),
        };
        let rollout = [Rollout::InProgress, Rollout::Completed, Rollout::Failed]
            .into_iter()
            .find(|r| r.name() == name)
            .ok_or_else(|| D::Error::custom(format!("unknown deployment status `{text}`")))?;
        Ok(DeploymentStatus { rollout, rolled_back })
    }
}

/// What `limited_by` says when no limit held a service back: its tasks only had to start.
pub const TASK_STARTUP: &str = "task startup (provisioning, image pull, start, health checks)";

impl ServiceSummary {
    /// `limited_by` as people read it.
    pub fn limited_by_name(&self) -> &'static str {
        self.limited_by.map_or(TASK_STARTUP, Limiter::name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitShare {
    pub limit: Limiter,
    pub waiting_task_s: f64,
}

listed! {
    /// What kept a service from launching the tasks it wanted, for the summary's "limited by".
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub enum Limiter {
        ServiceLaunchRate => "service launch rate",
        FargateOnDemandBucket => "Fargate On-Demand launch bucket",
        FargateSpotBucket => "Fargate Spot launch bucket",
        FargateSpotCapacity => "Fargate Spot capacity",
        DeploymentSettings => "deployment settings (minimumHealthyPercent / maximumPercent)",
        Backoff => "exponential backoff (tasks failing to start or finding no room)",
        CircuitBreaker => "circuit breaker (deployment failed)",
        Capacity => "EC2 capacity (no instance with room, no managed scaling)",
        ProvisioningLimit => "PROVISIONING limit (tasks waiting for cluster auto scaling)",
        ClusterAutoScaling => "cluster auto scaling (tasks in PROVISIONING waiting for instances)",
        // Quotas that refuse (`docs/model.md` §4.8): a launch that would go over one fails. Their names as the
        // Service Quotas console lists them.
        FargateOnDemandVcpuQuota => "quota: Fargate On-Demand vCPU resource count",
        FargateSpotVcpuQuota => "quota: Fargate Spot vCPU resource count",
        InstancesPerCluster => "quota: container instances per cluster",
        /// An Auto Scaling group's maximum size (`MaxSize`) caps a scale-out (`docs/model.md` §4.8).
        // Named as the EC2 Auto Scaling console names the group's setting (the API's `MaxSize`).
        AsgMaxSize => "quota: Auto Scaling group maximum capacity",
    }
    /// The summary's text for it (also its JSON form).
    name
}

impl fmt::Display for Limiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Limiter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Limiter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        by_name(deserializer, &Limiter::ALL, Limiter::name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunTaskSummary {
    pub name: String,
    pub requested: u32,
    pub started: u32,
    pub failed: u32,
    /// Tasks never launched because their call was throttled and the caller gave up.
    pub throttled: u32,
    pub throttled_calls: u64,
    /// When every task had started, failed or been given up on.
    pub settled_s: Option<f64>,
}

/// The current state, for drawing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct View {
    pub time_s: f64,
    pub finished: bool,
    /// Task counts by capacity provider and lifecycle state.
    pub pools: Vec<PoolView>,
    pub services: Vec<ServiceView>,
    pub buckets: Vec<BucketView>,
    pub spot_capacity_waiting: u32,
    /// Auto Scaling group and ECS Anywhere providers, in scenario order.
    pub providers: Vec<ProviderView>,
    /// Live (not terminated) instances, in launch order.
    pub instances: Vec<InstanceView>,
    /// The latest Fargate task retirement notice so far, if any.
    pub task_retirement: Option<TaskRetirementView>,
    /// AWS Batch compute environments, their instances and jobs, when the scenario has Batch.
    pub batch: Option<BatchView>,
}

/// A Fargate task retirement notice, for drawing: when it came, when its tasks are (or were) retired, how many
/// tasks it concerns and how many of them still run (service tasks waiting for their replacements, or tasks not yet
/// retired).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRetirementView {
    pub notice_s: f64,
    pub retirement_s: f64,
    pub tasks: u32,
    pub still_running: u32,
}

/// An Auto Scaling group (or ECS Anywhere) provider, for drawing: its zones and the tasks waiting for room.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderView {
    pub name: String,
    /// `EC2`, `EC2_SPOT` or `EXTERNAL`.
    #[serde(serialize_with = "capacity_name", deserialize_with = "capacity_of_name")]
    pub capacity: CapacityType,
    pub zones: Vec<String>,
    /// Tasks in PROVISIONING waiting for an instance with room.
    pub waiting: u32,
    /// The last CapacityProviderReservation reading, if managed scaling has evaluated.
    pub reservation: Option<u32>,
    /// Launches so far that failed with InsufficientInstanceCapacity in every pool of the group.
    pub failed_launches: u64,
    /// Pools of the group without capacity now, as `type in zone`.
    pub pools_out_of_capacity: Vec<String>,
    /// An Amazon ECS Managed Instances provider (no Auto Scaling group).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub managed_instances: bool,
}

/// A container instance, for drawing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceView {
    /// Index for [`Place::Instance`](crate::Place).
    pub index: u32,
    pub id: String,
    pub provider: String,
    /// Index into [`View::providers`].
    pub provider_index: u16,
    pub instance_type: &'static str,
    pub zone: String,
    /// Index into the provider's zones.
    pub zone_index: u16,
    pub state: InstanceState,
    /// A Spot interruption notice has arrived: the instance is terminated two minutes after it.
    pub interruption_notice: bool,
    /// A rebalance recommendation arrived ahead of the notice.
    pub rebalance_recommended: bool,
    pub launched_s: f64,
    pub cpu_used: u32,
    pub cpu_total: u32,
    pub memory_used: u32,
    pub memory_total: u32,
    pub tasks: u32,
    /// Its tasks by lifecycle state, indexed like [`TaskState::ALL`].
    pub by_state: [u32; 8],
    /// Burstable instances when CPU credits are in use: the credit balance (negative: surplus owed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_balance: Option<f64>,
    /// Held to its baseline: standard mode with an empty credit balance (`docs/model.md` §4.6).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub throttled: bool,
}

/// Where tasks are, for listing them ([`Simulation::tasks_at`](crate::Simulation::tasks_at)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Tasks of a capacity type that are not on an instance (Fargate and Fargate Spot tasks).
    Pool(CapacityType),
    /// Tasks waiting in PROVISIONING for room in a provider (index into [`View::providers`]).
    Waiting(u16),
    /// Tasks holding resources on an instance ([`InstanceView::index`]).
    Instance(u32),
}

/// One task, for a details popup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskView {
    pub id: u32,
    /// `service web` or `RunTask batch`.
    pub owner: String,
    pub task_definition: String,
    pub cpu: u32,
    pub memory: u32,
    pub state: TaskState,
    pub health: Health,
    #[serde(serialize_with = "capacity_name", deserialize_with = "capacity_of_name")]
    pub capacity: CapacityType,
    pub provider: String,
    pub instance: Option<String>,
    pub launched_s: f64,
    pub running_s: Option<f64>,
    /// Desired status STOPPED, and why (printed as [`StopReason::name`]).
    #[serde(serialize_with = "stop_reason_name")]
    pub stopping: Option<StopReason>,
    /// Under a Spot interruption warning.
    pub interruption_warning: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolView {
    #[serde(serialize_with = "capacity_name", deserialize_with = "capacity_of_name")]
    pub capacity: CapacityType,
    /// Counts indexed like [`TaskState::ALL`] (STOPPED included).
    pub by_state: [u32; 8],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceView {
    pub name: String,
    pub desired: u32,
    pub active: u32,
    pub healthy: u32,
    pub steady: bool,
    pub deployment: DeploymentStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketView {
    pub name: Bucket,
    pub level: f64,
    pub burst: u64,
    pub refill_per_s: f64,
}

listed! {
    /// The account-level token buckets [`View::buckets`] lists, in its order.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub enum Bucket {
        FargateOnDemand => "Fargate On-Demand launches",
        FargateSpot => "Fargate Spot launches",
        RunTaskApi => "RunTask API calls",
        FargateRunTaskCalls => "Fargate RunTask calls",
        /// Not a rate limit: the Fargate Spot capacity available per minute.
        FargateSpotCapacity => "Fargate Spot capacity",
    }
    /// Its label (also its JSON form).
    name
}

impl Bucket {
    /// The time-series column sampling its level, if there is one.
    pub fn column(self) -> Option<Column> {
        match self {
            Bucket::FargateOnDemand => Some(Column::BucketFargateOnDemand),
            Bucket::FargateSpot => Some(Column::BucketFargateSpot),
            Bucket::RunTaskApi => Some(Column::BucketRunTaskApi),
            Bucket::FargateRunTaskCalls => Some(Column::BucketFargateRunTaskCalls),
            Bucket::FargateSpotCapacity => None,
        }
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Bucket {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

// Field serialisers for enums defined elsewhere whose JSON form is their `name()`; serde's derive would print the
// variant names instead.

fn capacity_name<S: Serializer>(capacity: &CapacityType, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(capacity.name())
}

/// A fixed name (`&'static str`) in a summary, read back by a `deserialize_with` function that finds the same
/// static text (the alias keeps serde's derive from treating the field as borrowed from the input).
pub type Name = &'static str;

/// Reads back an enum written as its `name()` (one of `all`).
fn by_name<'de, D: Deserializer<'de>, T: Copy>(
    deserializer: D,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, D::Error> {
    let text = String::deserialize(deserializer)?;
    all.iter().copied().find(|v| name(*v) == text).ok_or_else(|| D::Error::custom(format!("unknown name `{text}`")))
}

/// A compute environment's `type` read back (one of [`crate::spec::ComputeEnvironmentType`]'s names).
fn compute_environment_type<'de, D: Deserializer<'de>>(deserializer: D) -> Result<&'static str, D::Error> {
    use crate::spec::ComputeEnvironmentType as T;
    by_name(deserializer, &[T::Ec2, T::Spot, T::Fargate, T::FargateSpot], T::name).map(T::name)
}

/// [`ProviderCost::kind`] read back: `MANAGED_INSTANCES` is the one kind there is.
fn managed_instances_kind<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<&'static str>, D::Error> {
    let text = String::deserialize(deserializer)?;
    match text.as_str() {
        "MANAGED_INSTANCES" => Ok(Some("MANAGED_INSTANCES")),
        _ => Err(D::Error::custom(format!("unknown provider kind `{text}`"))),
    }
}

fn capacity_of_name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<CapacityType, D::Error> {
    by_name(deserializer, &CapacityType::ALL, CapacityType::name)
}

/// [`limited_by_name`] read back: [`TASK_STARTUP`] is none.
fn limited_by_of_name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Limiter>, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text == TASK_STARTUP {
        return Ok(None);
    }
    Limiter::ALL
        .into_iter()
        .find(|l| l.name() == text)
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("unknown limit `{text}`")))
}

fn stop_reason_name<S: Serializer>(reason: &Option<StopReason>, serializer: S) -> Result<S::Ok, S::Error> {
    match reason {
        Some(reason) => serializer.serialize_some(reason.name()),
        None => serializer.serialize_none(),
    }
}

fn limited_by_name<S: Serializer>(limiter: &Option<Limiter>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(limiter.map_or(TASK_STARTUP, Limiter::name))
}

/// One line of the event trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceEntry {
    pub time: SimTime,
    pub what: TraceWhat,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TraceWhat {
    Launched {
        task: u32,
        owner: String,
        provider: String,
    },
    State {
        task: u32,
        state: TaskState,
    },
    Healthy {
        task: u32,
    },
    Unhealthy {
        task: u32,
    },
    StopRequested {
        task: u32,
        reason: StopReason,
    },
    SpotWarning {
        task: u32,
    },
    ServiceSteady {
        service: String,
    },
    DesiredCount {
        service: String,
        desired: u32,
    },
    Deployment {
        service: String,
        status: String,
    },
    Backoff {
        service: String,
        until: SimTime,
    },
    Throttled {
        workload: String,
        retry_at: Option<SimTime>,
    },
    /// `None`: capacity no longer limits Spot launches.
    SpotCapacity {
        per_minute: Option<u32>,
    },
    Placed {
        task: u32,
        instance: u32,
    },
    Instance {
        instance: u32,
        state: InstanceState,
    },
    ScaleOut {
        provider: String,
        instances: u32,
        reservation: u32,
    },
    ScaleIn {
        provider: String,
        instances: u32,
    },
    SpotNotice {
        instance: u32,
    },
    RebalanceRecommendation {
        instance: u32,
    },
    /// Launches of a group that failed: every pool refused with InsufficientInstanceCapacity.
    LaunchFailed {
        provider: String,
        instances: u32,
    },
    /// A pool of a group ran dry or has capacity again (a `pool_capacity` event).
    PoolCapacity {
        provider: String,
        instance_type: &'static str,
        zone: String,
        available: bool,
    },
    /// A quota refused a launch of `by` (a service, a RunTask workload or a group); `usage` is what counted against
    /// the quota before it.
    QuotaHit {
        quota: Limiter,
        by: String,
        usage: String,
    },
    /// The run's budget ran out (see `RunBudget`): nothing happens after this line.
    StoppedEarly {
        reason: String,
    },
    /// A Fargate task retirement notice for `tasks` tasks, to be retired at `retire_at`.
    TaskRetirementNotice {
        tasks: u32,
        retire_at: SimTime,
    },
    /// The retirement date: service tasks handed to their schedulers for replacement, standalone tasks stopped.
    TaskRetirement {
        service_tasks: u32,
        standalone_tasks: u32,
    },
    /// A Managed Instances provider launches instances of the type it chose for tasks waiting for capacity.
    ManagedLaunch {
        provider: String,
        instances: u32,
        instance_type: &'static str,
    },
    /// A Managed Instances provider removes an idle instance (infrastructure optimization).
    IdleScaleIn {
        provider: String,
        instance: u32,
    },
    /// ECS drains a managed instance at the end of its patching lifetime.
    PatchingDrain {
        instance: u32,
    },
    /// A target tracking alarm of a service changed state (`alarm`: "AlarmHigh" scales out, "AlarmLow" in).
    Alarm {
        service: String,
        alarm: &'static str,
        metric: String,
        state: &'static str,
        value: f64,
    },
    /// Application Auto Scaling set a service's desired count.
    ScalingAction {
        service: String,
        from: u32,
        to: u32,
        metric: String,
        value: f64,
    },
    /// Tasks at 100% CPU for the health checks' unhealthy time fail them.
    Overloaded {
        service: String,
        tasks: u32,
    },
    /// A worker stopped holding messages: they are visible again after the visibility timeout.
    QueueAbandoned {
        queue: String,
        messages: f64,
        visible_at: SimTime,
    },
    /// Messages visible again after a visibility timeout, or moved to the dead-letter queue.
    QueueRedelivered {
        queue: String,
        messages: f64,
        dead_lettered: bool,
    },
    /// AWS Batch: a SubmitJob call went through (`children` 0 for a single job) or was throttled.
    BatchSubmitted {
        submission: String,
        children: u32,
    },
    BatchSubmitThrottled {
        submission: String,
    },
    /// A compute environment launched an instance, or one was terminated (scale-down or Spot).
    BatchInstance {
        compute_environment: String,
        instance: u32,
        instance_type: &'static str,
        launched: bool,
    },
    /// EC2 Spot gave its two-minute notice to instances of a compute environment.
    BatchSpotNotice {
        compute_environment: String,
        instances: u32,
    },
    /// The pool of an instance type of a compute environment ran dry or has capacity again.
    BatchPoolCapacity {
        compute_environment: String,
        instance_type: &'static str,
        available: bool,
    },
    /// A compute environment's launch of an instance type was refused: its pool has no capacity.
    BatchLaunchRefused {
        compute_environment: String,
        instance_type: &'static str,
    },
    /// The Fargate Spot interruption warning for a job's task (SIGTERM); it is stopped `stop_in_s` later.
    BatchFargateSpotWarning {
        compute_environment: String,
        submission: String,
        index: Option<u32>,
        stop_in_s: u32,
    },
    /// An attempt of a job failed; `retried`: back to RUNNABLE, else FAILED.
    BatchAttemptFailed {
        submission: String,
        index: Option<u32>,
        attempt: u32,
        status_reason: String,
        retried: bool,
    },
    /// Every job of a SubmitJob call has ended.
    BatchCompleted {
        submission: String,
        succeeded: u32,
        failed: u32,
    },
}

impl fmt::Display for TraceEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.time)?;
        match &self.what {
            TraceWhat::Launched { task, owner, provider } => {
                write!(f, "task {task} launched for {owner} on {provider}")
            }
            TraceWhat::State { task, state } => write!(f, "task {task} {}", state.name()),
            TraceWhat::Healthy { task } => write!(f, "task {task} healthy"),
            TraceWhat::Unhealthy { task } => write!(f, "task {task} unhealthy"),
            TraceWhat::StopRequested { task, reason } => write!(f, "task {task} stop requested: {}", reason.name()),
            TraceWhat::SpotWarning { task } => write!(f, "task {task} Spot interruption warning"),
            TraceWhat::ServiceSteady { service } => write!(f, "service {service} steady"),
            TraceWhat::DesiredCount { service, desired } => write!(f, "service {service} desired count {desired}"),
            TraceWhat::Deployment { service, status } => write!(f, "service {service} deployment {status}"),
            TraceWhat::Backoff { service, until } => write!(f, "service {service} backing off until {until}"),
            TraceWhat::Throttled { workload, retry_at: Some(at) } => {
                write!(f, "RunTask {workload} throttled, retry at {at}")
            }
            TraceWhat::Throttled { workload, retry_at: None } => write!(f, "RunTask {workload} throttled, gave up"),
            TraceWhat::SpotCapacity { per_minute: Some(per_minute) } => {
                write!(f, "Fargate Spot capacity now {per_minute} tasks/min")
            }
            TraceWhat::SpotCapacity { per_minute: None } => write!(f, "Fargate Spot capacity now plentiful"),
            TraceWhat::Placed { task, instance } => write!(f, "task {task} placed on instance {instance}"),
            TraceWhat::Instance { instance, state } => write!(f, "instance {instance} {}", state.name()),
            TraceWhat::ScaleOut { provider, instances, reservation } => {
                write!(f, "{provider} scales out by {instances} (CapacityProviderReservation {reservation}%)")
            }
            TraceWhat::ScaleIn { provider, instances } => write!(f, "{provider} scales in by {instances}"),
            TraceWhat::SpotNotice { instance } => write!(f, "instance {instance} Spot interruption notice"),
            TraceWhat::RebalanceRecommendation { instance } => {
                write!(f, "instance {instance} rebalance recommendation")
            }
            TraceWhat::LaunchFailed { provider, instances } => {
                let s = if *instances == 1 { "" } else { "s" };
                write!(
                    f,
                    "{provider} failed to launch {instances} instance{s}: InsufficientInstanceCapacity in every pool"
                )
            }
            TraceWhat::PoolCapacity { provider, instance_type, zone, available } => {
                let now = if *available { "has capacity again" } else { "out of capacity" };
                write!(f, "{provider} pool {instance_type} in {zone} {now}")
            }
            TraceWhat::QuotaHit { quota, by, usage } => write!(f, "{by}: refused by {quota} (in use: {usage})"),
            TraceWhat::StoppedEarly { reason } => write!(f, "run stopped: {reason}"),
            TraceWhat::TaskRetirementNotice { tasks, retire_at } => {
                write!(f, "Fargate task retirement notice: {tasks} tasks on the retired platform revision, retired at {retire_at}")
            }
            TraceWhat::TaskRetirement { service_tasks, standalone_tasks } => write!(
                f,
                "Fargate task retirement: {service_tasks} service tasks to replace, {standalone_tasks} standalone tasks stopped"
            ),
            TraceWhat::ManagedLaunch { provider, instances, instance_type } => {
                write!(f, "{provider} launches {instances} x {instance_type} for waiting tasks")
            }
            TraceWhat::IdleScaleIn { provider, instance } => {
                write!(f, "{provider} removes idle instance {instance}")
            }
            TraceWhat::PatchingDrain { instance } => write!(f, "instance {instance} drained for patching"),
            TraceWhat::Alarm { service, alarm, metric, state, value } => {
                write!(f, "service {service} {alarm} ({metric} {value:.1}) {state}")
            }
            TraceWhat::ScalingAction { service, from, to, metric, value } => {
                write!(f, "service {service} auto scaling desired {from} -> {to} ({metric} {value:.1})")
            }
            TraceWhat::Overloaded { service, tasks } => {
                write!(f, "service {service}: {tasks} tasks at 100% CPU fail their health checks")
            }
            TraceWhat::BatchSubmitted { submission, children: 0 } => write!(f, "batch: SubmitJob {submission} (1 job)"),
            TraceWhat::BatchSubmitted { submission, children } => {
                write!(f, "batch: SubmitJob {submission} (array of {children} jobs)")
            }
            TraceWhat::BatchSubmitThrottled { submission } => {
                write!(f, "batch: SubmitJob {submission} throttled, retried when a token is back")
            }
            TraceWhat::BatchInstance { compute_environment, instance, instance_type, launched } => write!(
                f,
                "batch: compute environment {compute_environment} {} instance {instance} ({instance_type})",
                if *launched { "launched" } else { "terminated" }
            ),
            TraceWhat::BatchSpotNotice { compute_environment, instances } => write!(
                f,
                "batch: EC2 Spot interruption notice for {instances} instances of {compute_environment}"
            ),
            TraceWhat::BatchPoolCapacity { compute_environment, instance_type, available } => write!(
                f,
                "batch: compute environment {compute_environment}: {instance_type} capacity {}",
                if *available { "available again" } else { "unavailable (InsufficientInstanceCapacity)" }
            ),
            TraceWhat::BatchLaunchRefused { compute_environment, instance_type } => write!(
                f,
                "batch: compute environment {compute_environment}: launch of {instance_type} refused, no capacity"
            ),
            TraceWhat::BatchFargateSpotWarning { compute_environment, submission, index, stop_in_s } => {
                let child = index.map_or(String::new(), |i| format!(":{i}"));
                write!(
                    f,
                    "batch: Fargate Spot interruption warning for job {submission}{child} on {compute_environment} \
                     (SIGTERM, stopped in {stop_in_s} s)"
                )
            }
            TraceWhat::BatchAttemptFailed { submission, index, attempt, status_reason, retried } => {
                let child = index.map_or(String::new(), |i| format!(":{i}"));
                let then = if *retried { "retried (RUNNABLE)" } else { "FAILED" };
                write!(f, "batch: job {submission}{child} attempt {attempt} failed ({status_reason}): {then}")
            }
            TraceWhat::BatchCompleted { submission, succeeded, failed } => {
                write!(f, "batch: {submission} done, {succeeded} succeeded, {failed} failed")
            }
            TraceWhat::QueueAbandoned { queue, messages, visible_at } => {
                write!(f, "queue {queue}: {messages:.1} in-flight messages left by a stopped worker, visible again at {visible_at}")
            }
            TraceWhat::QueueRedelivered { queue, messages, dead_lettered: false } => {
                write!(f, "queue {queue}: {messages:.1} messages visible again (visibility timeout over)")
            }
            TraceWhat::QueueRedelivered { queue, messages, dead_lettered: true } => {
                write!(f, "queue {queue}: {messages:.1} messages moved to the dead-letter queue (maxReceiveCount)")
            }
        }
    }
}

/// A stable 64-bit digest (FNV-1a) of text, for comparing traces across platforms without storing them.
pub fn digest(lines: impl IntoIterator<Item = String>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for line in lines {
        for byte in line.bytes().chain(std::iter::once(b'\n')) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_listed_in_index_order() {
        for (i, column) in Column::ALL.into_iter().enumerate() {
            assert_eq!(column.index(), i, "{column:?}");
        }
    }

    #[test]
    fn capacity_columns_follow_the_capacity_type() {
        for capacity in CapacityType::ALL {
            let suffix = capacity.name().to_lowercase();
            assert_eq!(Column::launches(capacity).name(), format!("launches_{suffix}"));
            assert_eq!(Column::running(capacity).name(), format!("running_{suffix}"));
        }
    }

    #[test]
    fn csv_header_is_unchanged() {
        let mut series = TimeSeries::new(500);
        let mut sample = Sample::default();
        sample[Column::Desired] = 3.0;
        sample[Column::CostUsd] = 0.25;
        series.push(sample);
        let csv = series.to_csv();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some(
                "time_s,launches_fargate (tasks/s),launches_fargate_spot (tasks/s),launches_ec2 (tasks/s),\
                 launches_ec2_spot (tasks/s),launches_external (tasks/s),running_fargate (tasks),\
                 running_fargate_spot (tasks),running_ec2 (tasks),running_ec2_spot (tasks),running_external (tasks),\
                 desired (tasks),healthy (tasks),provisioning (tasks),pending (tasks),instances (instances),\
                 capacity_provider_reservation (percent),bucket_fargate_on_demand (tokens),bucket_fargate_spot (tokens),\
                 bucket_run_task_api (tokens),bucket_fargate_run_task_calls (tokens),spot_capacity_waiting (tasks),\
                 cost_usd (USD),cost_fargate (USD),cost_fargate_spot (USD),cost_ec2 (USD),cost_ec2_spot (USD),\
                 cost_external (USD),cost_public_ipv4 (USD),cost_load_balancers (USD)"
            )
        );
        // The columns before the cost categories are as they always were; the categories come after them.
        assert_eq!(lines.next(), Some("0.500000,0,0,0,0,0,0,0,0,0,0,3,0,0,0,0,0,0,0,0,0,0,0.250000,0,0,0,0,0,0,0"));
        assert_eq!(series.column(Column::CostUsd), &[0.25]);
    }

    #[test]
    fn buckets_name_their_columns() {
        for bucket in Bucket::ALL {
            if let Some(column) = bucket.column() {
                assert!(column.name().starts_with("bucket_"), "{bucket:?}");
            }
        }
        assert_eq!(Bucket::FargateSpotCapacity.column(), None);
    }

    #[test]
    fn enums_serialise_as_the_text_they_replaced() {
        let task = TaskView {
            id: 1,
            owner: "service web".into(),
            task_definition: "web".into(),
            cpu: 256,
            memory: 512,
            state: TaskState::Deprovisioning,
            health: Health::Unhealthy,
            capacity: CapacityType::FargateSpot,
            provider: "FARGATE_SPOT".into(),
            instance: None,
            launched_s: 1.0,
            running_s: None,
            stopping: Some(StopReason::SpotInterrupted),
            interruption_warning: true,
        };
        let json = serde_json::to_string(&task).unwrap();
        assert!(json.contains(r#""state":"DEPROVISIONING","health":"UNHEALTHY","capacity":"FARGATE_SPOT""#), "{json}");
        assert!(json.contains(r#""stopping":"Spot interruption""#), "{json}");
        let not_stopping = TaskView { stopping: None, ..task };
        assert!(serde_json::to_string(&not_stopping).unwrap().contains(r#""stopping":null"#));

        let pool = PoolView { capacity: CapacityType::Ec2OnDemand, by_state: [0; 8] };
        assert_eq!(serde_json::to_string(&pool).unwrap(), r#"{"capacity":"EC2","by_state":[0,0,0,0,0,0,0,0]}"#);
        let bucket = BucketView { name: Bucket::RunTaskApi, level: 1.5, burst: 2, refill_per_s: 0.5 };
        assert_eq!(
            serde_json::to_string(&bucket).unwrap(),
            r#"{"name":"RunTask API calls","level":1.5,"burst":2,"refill_per_s":0.5}"#
        );
        let share = LimitShare { limit: Limiter::Backoff, waiting_task_s: 2.0 };
        assert_eq!(
            serde_json::to_string(&share).unwrap(),
            r#"{"limit":"exponential backoff (tasks failing to start or finding no room)","waiting_task_s":2.0}"#
        );
    }

    #[test]
    fn limited_by_prints_task_startup_when_nothing_held_a_service_back() {
        let mut service = ServiceSummary {
            name: "web".into(),
            desired: 1,
            running: 1,
            healthy: 1,
            steady_s: Some(1.0),
            first_steady_s: Some(1.0),
            later_rollouts: 0,
            launch_rate_per_s: Some(1.0),
            limited_by: None,
            limited_by_shares: Vec::new(),
            limits: Vec::new(),
            deployment: DeploymentStatus { rollout: Rollout::Completed, rolled_back: false },
            failures: 0,
            replacements: 0,
            interruptions: 0,
            dip: None,
        };
        assert_eq!(service.limited_by_name(), TASK_STARTUP);
        assert!(serde_json::to_string(&service).unwrap().contains(r#""deployment":"COMPLETED""#));
        service.deployment.rolled_back = true;
        assert!(serde_json::to_string(&service).unwrap().contains(r#""deployment":"COMPLETED (rolled back)""#));
        let json = serde_json::to_string(&service).unwrap();
        assert!(json.contains(&format!(r#""limited_by":"{TASK_STARTUP}""#)), "{json}");
        service.limited_by = Some(Limiter::CircuitBreaker);
        assert_eq!(service.limited_by_name(), "circuit breaker (deployment failed)");
        assert!(serde_json::to_string(&service)
            .unwrap()
            .contains(r#""limited_by":"circuit breaker (deployment failed)""#));
    }
}
