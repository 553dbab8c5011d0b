//! Tasks and their lifecycle states (`docs/model.md` §5).

use serde::Serialize;

use crate::ids::{InstanceId, ServiceId, TaskId, WorkloadId};
use crate::listed::listed;
use crate::scenario::{CapacityType, Provider};
use crate::time::SimTime;

listed! {
    /// The ECS task lifecycle. A task is in exactly one state; it only moves forward through this list.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum TaskState {
        /// Waiting for capacity, then Fargate assigns a host and attaches the ENI (and public IP).
        Provisioning => "PROVISIONING",
        /// Image pull and extract, container start.
        Pending => "PENDING",
        /// Registering with the load balancer.
        Activating => "ACTIVATING",
        Running => "RUNNING",
        /// Deregistering from the load balancer (the deregistration delay).
        Deactivating => "DEACTIVATING",
        /// SIGTERM sent; SIGKILL after `stopTimeout`.
        Stopping => "STOPPING",
        /// Detaching the ENI.
        Deprovisioning => "DEPROVISIONING",
        Stopped => "STOPPED",
    }
    name
}

impl TaskState {
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Health as the service scheduler sees it: container health check and load balancer target health combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Health {
    Unknown,
    Healthy,
    Unhealthy,
}

impl Health {
    /// Also its JSON form.
    pub fn name(self) -> &'static str {
        match self {
            Health::Unknown => "UNKNOWN",
            Health::Healthy => "HEALTHY",
            Health::Unhealthy => "UNHEALTHY",
        }
    }
}

/// Who asked for a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A service, and the deployment (index into the service's deployment history) the task belongs to.
    Service { service: ServiceId, deployment: u32 },
    /// A RunTask workload.
    Standalone { workload: WorkloadId },
}

/// Why a task stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    ScaledIn,
    /// Stopped by a rolling deployment (an older revision).
    Replaced,
    StartFailed,
    HealthCheckFailed,
    Crashed,
    SpotInterrupted,
    /// A standalone task's essential container exited.
    Completed,
    /// Its EC2 instance was terminated under it.
    InstanceTerminated,
    /// It waited in PROVISIONING for an instance longer than ECS allows.
    NoCapacity,
    /// Its Fargate platform revision was retired (task retirement): "ECS is performing maintenance on the
    /// underlying infrastructure hosting the task" is the stopped reason AWS gives.
    TaskRetirement,
}

impl StopReason {
    pub fn name(self) -> &'static str {
        match self {
            StopReason::ScaledIn => "scaled in",
            StopReason::Replaced => "replaced by deployment",
            StopReason::StartFailed => "failed to start",
            StopReason::HealthCheckFailed => "failed health checks",
            StopReason::Crashed => "crashed",
            StopReason::SpotInterrupted => "Spot interruption",
            StopReason::Completed => "completed",
            StopReason::InstanceTerminated => "instance terminated",
            StopReason::NoCapacity => "no capacity (PROVISIONING timed out)",
            StopReason::TaskRetirement => "Fargate task retirement",
        }
    }

    /// Failures count toward `tasks_failed`, the circuit breaker and (for start failures) the backoff.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            StopReason::StartFailed | StopReason::HealthCheckFailed | StopReason::Crashed | StopReason::NoCapacity
        )
    }
}

#[derive(Debug, Clone)]
pub struct Task {
    pub id: TaskId,
    pub owner: Owner,
    pub task_def: u32,
    pub provider: Provider,
    /// What the task runs on (from its provider), for counting and billing.
    pub capacity: CapacityType,
    /// The container instance holding the task's resources (EC2 only).
    pub instance: Option<InstanceId>,
    pub state: TaskState,
    pub health: Health,
    pub public_ip: bool,
    pub load_balanced: bool,
    /// Bumped when the task starts stopping, so lifecycle events scheduled before that are ignored.
    pub generation: u32,
    /// Desired status STOPPED: the task no longer counts toward its service.
    pub stopping: bool,
    /// To be replaced by its service: on an instance that is draining, or (with `retiring`) on a retired Fargate
    /// platform revision.
    pub on_draining: bool,
    /// Waiting for capacity: in the Fargate Spot queue, or in PROVISIONING for an EC2 instance with room.
    pub awaiting_capacity: bool,
    pub launched_at: SimTime,
    /// When the task entered its current state (for "since when" in `explain`).
    pub state_since: SimTime,
    pub running_at: Option<SimTime>,
    pub billing_from: Option<SimTime>,
    pub stop_reason: Option<StopReason>,
    /// A hard stop time (the end of a Spot warning): the stop sequence is cut short to end by then.
    pub kill_at: Option<SimTime>,
    /// Position in its service's list of active tasks (for O(1) removal).
    pub slot: u32,
    /// On a Fargate platform revision AWS has retired (`docs/model.md` §4.1): its service replaces it, or, standalone,
    /// it is stopped.
    pub retiring: bool,
}
