//! What a run produces: time series for the charts, a summary ([`Summary`]), a view of the current state for
//! drawing ([`View`]) and an event trace. All plain values, serialisable, no IO.

use std::fmt;

use serde::Serialize;

use crate::task::{StopReason, TaskState};
use crate::time::SimTime;

/// The columns of [`TimeSeries`], in order. Rates are per second over the preceding sample interval;
/// levels are sampled at the sample time.
pub const SERIES_COLUMNS: [(&str, &str); 22] = [
    ("launches_fargate", "tasks/s"),
    ("launches_fargate_spot", "tasks/s"),
    ("launches_ec2", "tasks/s"),
    ("launches_ec2_spot", "tasks/s"),
    ("launches_external", "tasks/s"),
    ("running_fargate", "tasks"),
    ("running_fargate_spot", "tasks"),
    ("running_ec2", "tasks"),
    ("running_ec2_spot", "tasks"),
    ("running_external", "tasks"),
    ("desired", "tasks"),
    ("healthy", "tasks"),
    ("provisioning", "tasks"),
    ("pending", "tasks"),
    ("instances", "instances"),
    ("capacity_provider_reservation", "percent"),
    ("bucket_fargate_on_demand", "tokens"),
    ("bucket_fargate_spot", "tokens"),
    ("bucket_run_task_api", "tokens"),
    ("bucket_fargate_run_task_calls", "tokens"),
    ("spot_capacity_waiting", "tasks"),
    ("cost_usd", "USD"),
];

/// Column indices into [`TimeSeries::columns`]. Launches and running counts are indexed by capacity type:
/// `LAUNCHES + CapacityType::index()`, `RUNNING + CapacityType::index()`.
pub mod col {
    pub const LAUNCHES: usize = 0;
    pub const LAUNCHES_FARGATE: usize = 0;
    pub const LAUNCHES_FARGATE_SPOT: usize = 1;
    pub const LAUNCHES_EC2: usize = 2;
    pub const LAUNCHES_EC2_SPOT: usize = 3;
    pub const LAUNCHES_EXTERNAL: usize = 4;
    pub const RUNNING: usize = 5;
    pub const RUNNING_FARGATE: usize = 5;
    pub const RUNNING_FARGATE_SPOT: usize = 6;
    pub const RUNNING_EC2: usize = 7;
    pub const RUNNING_EC2_SPOT: usize = 8;
    pub const RUNNING_EXTERNAL: usize = 9;
    pub const DESIRED: usize = 10;
    pub const HEALTHY: usize = 11;
    pub const PROVISIONING: usize = 12;
    pub const PENDING: usize = 13;
    pub const INSTANCES: usize = 14;
    /// The highest CapacityProviderReservation across providers at their last evaluation (0 with none).
    pub const RESERVATION: usize = 15;
    pub const BUCKET_FARGATE_ON_DEMAND: usize = 16;
    pub const BUCKET_FARGATE_SPOT: usize = 17;
    pub const BUCKET_RUN_TASK_API: usize = 18;
    pub const BUCKET_FARGATE_RUN_TASK_CALLS: usize = 19;
    pub const SPOT_CAPACITY_WAITING: usize = 20;
    pub const COST_USD: usize = 21;
}

/// Values sampled every `interval_ms`; sample `i` is at time `(i + 1) * interval_ms`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeSeries {
    pub interval_ms: u64,
    pub columns: Vec<Vec<f64>>,
}

impl TimeSeries {
    pub fn new(interval_ms: u64) -> TimeSeries {
        TimeSeries { interval_ms, columns: vec![Vec::new(); SERIES_COLUMNS.len()] }
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

    pub fn column(&self, index: usize) -> &[f64] {
        &self.columns[index]
    }

    /// The whole series as CSV: a `time_s` column, then one column per series, named with its unit.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("time_s");
        for (name, unit) in SERIES_COLUMNS {
            out.push_str(&format!(",{name} ({unit})"));
        }
        out.push('\n');
        for i in 0..self.len() {
            out.push_str(&format_number(self.time_s(i)));
            for column in &self.columns {
                out.push(',');
                out.push_str(&format_number(column[i]));
            }
            out.push('\n');
        }
        out
    }
}

fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.6}")
    }
}

/// The run summary: what `fleetplan run --json` prints and the page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// Average cost per hour over the run.
    pub cost_per_hour_usd: f64,
    /// Events processed.
    pub events: u64,
    pub services: Vec<ServiceSummary>,
    pub run_tasks: Vec<RunTaskSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceSummary {
    pub name: String,
    pub desired: u32,
    pub running: u32,
    pub healthy: u32,
    /// When the service last became steady (all desired tasks of the current deployment running and healthy,
    /// nothing else left); `null` if it is not steady at the end.
    pub steady_s: Option<f64>,
    /// Tasks started per second of the ramp (`running / steady_s`).
    pub launch_rate_per_s: Option<f64>,
    /// What held the service back most, by waiting task-seconds.
    pub limited_by: String,
    /// Waiting task-seconds per limit, largest first.
    pub limits: Vec<LimitShare>,
    pub deployment: String,
    pub failures: u64,
    pub replacements: u64,
    pub interruptions: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitShare {
    pub limit: String,
    pub waiting_task_s: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

/// An Auto Scaling group (or ECS Anywhere) provider, for drawing: its zones and the tasks waiting for room.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderView {
    pub name: String,
    /// The capacity type's name (`EC2`, `EC2 Spot`, `EXTERNAL`).
    pub capacity: &'static str,
    pub zones: Vec<String>,
    /// Tasks in PROVISIONING waiting for an instance with room.
    pub waiting: u32,
    /// The last CapacityProviderReservation reading, if managed scaling has evaluated.
    pub reservation: Option<u32>,
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
    pub state: &'static str,
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
}

/// Where tasks are, for listing them ([`Simulation::tasks_at`](crate::Simulation::tasks_at)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Tasks of a capacity type that are not on an instance (Fargate and Fargate Spot tasks).
    Pool(crate::scenario::CapacityType),
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
    pub state: &'static str,
    pub health: &'static str,
    pub capacity: &'static str,
    pub provider: String,
    pub instance: Option<String>,
    pub launched_s: f64,
    pub running_s: Option<f64>,
    /// Desired status STOPPED, with the reason once known.
    pub stopping: Option<&'static str>,
    /// Under a Spot interruption warning.
    pub interruption_warning: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolView {
    pub capacity: &'static str,
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
    pub deployment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketView {
    pub name: &'static str,
    pub level: f64,
    pub burst: u64,
    pub refill_per_s: f64,
}

/// One line of the event trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceEntry {
    pub time: SimTime,
    pub what: TraceWhat,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TraceWhat {
    Launched { task: u32, owner: String, provider: String },
    State { task: u32, state: TaskState },
    Healthy { task: u32 },
    Unhealthy { task: u32 },
    StopRequested { task: u32, reason: StopReason },
    SpotWarning { task: u32 },
    ServiceSteady { service: String },
    DesiredCount { service: String, desired: u32 },
    Deployment { service: String, status: String },
    Backoff { service: String, until: SimTime },
    Throttled { workload: String, retry_at: Option<SimTime> },
    SpotCapacity { per_minute: u32 },
    Placed { task: u32, instance: u32 },
    Instance { instance: u32, state: crate::instance::InstanceState },
    ScaleOut { provider: String, instances: u32, reservation: u32 },
    ScaleIn { provider: String, instances: u32 },
    SpotNotice { instance: u32 },
    RebalanceRecommendation { instance: u32 },
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
            TraceWhat::SpotCapacity { per_minute } => write!(f, "Fargate Spot capacity now {per_minute} tasks/min"),
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
