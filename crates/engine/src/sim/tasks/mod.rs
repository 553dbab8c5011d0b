//! The tasks part: every task launched so far (an arena indexed by task id) with the counts the series and the
//! view read every sample — tasks per lifecycle state and capacity type, and healthy tasks not stopping.
//!
//! [`Tasks`] owns the arena; the rest of the simulation reads a task by indexing (`tasks[id]`) and changes one
//! only through the methods here, so the counts move with every state and health change ([`Tasks::check`]
//! recounts them). The mechanism beside it, `lifecycle`, walks a task through its states (and bills Fargate
//! tasks); it too changes tasks only through these methods.

mod lifecycle;

use crate::ids::{InstanceId, TaskId};
use std::collections::BTreeSet;
use std::ops::Index;

use crate::scenario::CapacityType;
use crate::task::{Health, StopReason, Task, TaskState};
use crate::time::SimTime;

/// Task counts by state and capacity type.
pub(in crate::sim) type StateCounts = [[u32; CapacityType::COUNT]; TaskState::ALL.len()];

/// What a task was when it started stopping, for the mechanisms that react to it.
#[derive(Debug, Clone, Copy)]
pub(in crate::sim) struct Stopped {
    pub(in crate::sim) state: TaskState,
    pub(in crate::sim) was_healthy: bool,
    pub(in crate::sim) awaiting_capacity: bool,
}

#[derive(Default)]
pub(in crate::sim) struct Tasks {
    arena: Vec<Task>,
    /// Task counts by state and capacity type, kept in step with every state change.
    state_counts: StateCounts,
    /// Healthy tasks whose desired status is still RUNNING.
    healthy_total: u32,
    /// Tasks whose desired status is still RUNNING (not stopping), in id order: what a Spot interruption wave
    /// chooses from. Scanning the arena instead costs every task ever launched, per wave (a week of crash loops
    /// holds millions of stopped tasks).
    not_stopping: BTreeSet<TaskId>,
}

impl Index<TaskId> for Tasks {
    type Output = Task;

    fn index(&self, id: TaskId) -> &Task {
        &self.arena[id.index()]
    }
}

impl Tasks {
    pub(in crate::sim) fn all(&self) -> &[Task] {
        &self.arena
    }

    pub(in crate::sim) fn len(&self) -> usize {
        self.arena.len()
    }

    /// The id the next task will get.
    pub(in crate::sim) fn next_id(&self) -> TaskId {
        TaskId::from_index(self.arena.len())
    }

    /// Adds a new task (in PROVISIONING, with the next id) and counts it.
    pub(in crate::sim) fn push(&mut self, task: Task) -> TaskId {
        debug_assert!(task.state == TaskState::Provisioning && task.id == self.next_id());
        self.state_counts[TaskState::Provisioning.index()][task.capacity.index()] += 1;
        self.not_stopping.insert(task.id);
        self.arena.push(task);
        TaskId::from_index(self.arena.len() - 1)
    }

    /// Tasks whose desired status is still RUNNING, in id order.
    pub(in crate::sim) fn not_stopping(&self) -> impl Iterator<Item = &Task> + '_ {
        self.not_stopping.iter().map(|id| &self.arena[id.index()])
    }

    pub(in crate::sim) fn state_counts(&self) -> &StateCounts {
        &self.state_counts
    }

    pub(in crate::sim) fn healthy_total(&self) -> u32 {
        self.healthy_total
    }

    /// Whether a lifecycle event scheduled at `generation` still applies (the task has not started stopping since).
    pub(in crate::sim) fn is_current(&self, id: TaskId, generation: u32) -> bool {
        self.arena[id.index()].generation == generation
    }

    pub(in crate::sim) fn set_state(&mut self, id: TaskId, state: TaskState) {
        let t = &mut self.arena[id.index()];
        let capacity = t.capacity.index();
        self.state_counts[t.state.index()][capacity] -= 1;
        self.state_counts[state.index()][capacity] += 1;
        t.state = state;
    }

    /// The task passed its health checks. False (nothing changes) when it is stopping or already healthy.
    pub(in crate::sim) fn mark_healthy(&mut self, id: TaskId) -> bool {
        let t = &mut self.arena[id.index()];
        if t.stopping || t.health == Health::Healthy {
            return false;
        }
        t.health = Health::Healthy;
        self.healthy_total += 1;
        true
    }

    pub(in crate::sim) fn mark_unhealthy(&mut self, id: TaskId) {
        self.arena[id.index()].health = Health::Unhealthy;
    }

    /// Sets the task's desired status to STOPPED: a new generation (events scheduled before are ignored), the
    /// reason, and it no longer counts as healthy. `None` (nothing changes) when it is already stopping.
    pub(in crate::sim) fn begin_stop(&mut self, id: TaskId, reason: StopReason) -> Option<Stopped> {
        let t = &mut self.arena[id.index()];
        if t.stopping {
            return None;
        }
        t.stopping = true;
        self.not_stopping.remove(&id);
        t.generation += 1;
        t.stop_reason = Some(reason);
        let was_healthy = t.health == Health::Healthy;
        if was_healthy {
            self.healthy_total -= 1;
        }
        Some(Stopped { state: t.state, was_healthy, awaiting_capacity: t.awaiting_capacity })
    }

    pub(in crate::sim) fn set_running_at(&mut self, id: TaskId, at: SimTime) {
        self.arena[id.index()].running_at = Some(at);
    }

    pub(in crate::sim) fn set_billing_from(&mut self, id: TaskId, at: SimTime) {
        self.arena[id.index()].billing_from = Some(at);
    }

    pub(in crate::sim) fn set_instance(&mut self, id: TaskId, instance: InstanceId) {
        self.arena[id.index()].instance = Some(instance);
    }

    pub(in crate::sim) fn set_awaiting_capacity(&mut self, id: TaskId, awaiting: bool) {
        self.arena[id.index()].awaiting_capacity = awaiting;
    }

    pub(in crate::sim) fn set_kill_at(&mut self, id: TaskId, at: SimTime) {
        self.arena[id.index()].kill_at = Some(at);
    }

    pub(in crate::sim) fn set_on_draining(&mut self, id: TaskId) {
        self.arena[id.index()].on_draining = true;
    }

    /// The task is on a retired Fargate platform revision: to be replaced by its service (see `on_draining`).
    pub(in crate::sim) fn set_retiring(&mut self, id: TaskId) {
        let t = &mut self.arena[id.index()];
        t.retiring = true;
        t.on_draining = true;
    }

    pub(in crate::sim) fn set_slot(&mut self, id: TaskId, slot: u32) {
        self.arena[id.index()].slot = slot;
    }

    /// Recounts states and health from the tasks.
    pub(in crate::sim) fn check(&self) -> Result<(), String> {
        let mut counts: StateCounts = Default::default();
        let mut healthy = 0;
        for task in &self.arena {
            counts[task.state.index()][task.capacity.index()] += 1;
            if task.health == Health::Healthy && !task.stopping {
                healthy += 1;
            }
            if task.state == TaskState::Stopped && !task.stopping {
                return Err(format!("task {} is STOPPED but not marked stopping", task.id));
            }
        }
        if counts != self.state_counts {
            return Err(format!("state counts drifted: kept {:?}, actual {:?}", self.state_counts, counts));
        }
        let total: u32 = counts.iter().flatten().sum();
        if total as usize != self.arena.len() {
            return Err("task count not conserved".into());
        }
        if healthy != self.healthy_total {
            return Err(format!("healthy count drifted: kept {}, actual {healthy}", self.healthy_total));
        }
        if !self.arena.iter().filter(|t| !t.stopping).map(|t| t.id).eq(self.not_stopping.iter().copied()) {
            return Err("the index of tasks not stopping drifted from the arena".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ServiceId;
    use crate::scenario::Provider;
    use crate::task::Owner;

    fn task(id: TaskId, capacity: CapacityType) -> Task {
        Task {
            id,
            owner: Owner::Service { service: ServiceId::new(0), deployment: 0 },
            task_def: 0,
            provider: Provider::Fargate,
            capacity,
            instance: None,
            state: TaskState::Provisioning,
            health: Health::Unknown,
            public_ip: false,
            load_balanced: false,
            generation: 0,
            stopping: false,
            on_draining: false,
            awaiting_capacity: false,
            launched_at: SimTime::ZERO,
            running_at: None,
            billing_from: None,
            stop_reason: None,
            kill_at: None,
            slot: 0,
            retiring: false,
        }
    }

    #[test]
    fn counts_follow_every_state_change() {
        let mut tasks = Tasks::default();
        tasks.push(task(TaskId::new(0), CapacityType::Fargate));
        tasks.push(task(TaskId::new(1), CapacityType::FargateSpot));
        tasks.set_state(TaskId::new(1), TaskState::Pending);
        let counts = tasks.state_counts();
        assert_eq!(counts[TaskState::Provisioning.index()][CapacityType::Fargate.index()], 1);
        assert_eq!(counts[TaskState::Pending.index()][CapacityType::FargateSpot.index()], 1);
        assert_eq!(counts.iter().flatten().sum::<u32>(), 2);
        tasks.check().expect("counts agree");
    }

    #[test]
    fn healthy_count_moves_once_per_task() {
        let mut tasks = Tasks::default();
        tasks.push(task(TaskId::new(0), CapacityType::Fargate));
        assert!(tasks.mark_healthy(TaskId::new(0)));
        assert!(!tasks.mark_healthy(TaskId::new(0)), "already healthy");
        assert_eq!(tasks.healthy_total(), 1);
        let stopped = tasks.begin_stop(TaskId::new(0), StopReason::ScaledIn).expect("first stop");
        assert!(stopped.was_healthy);
        assert_eq!((tasks[TaskId::new(0)].generation, tasks.healthy_total()), (1, 0));
        assert!(tasks.begin_stop(TaskId::new(0), StopReason::Crashed).is_none(), "already stopping");
        assert!(!tasks.mark_healthy(TaskId::new(0)), "a stopping task does not become healthy");
        assert!(!tasks.is_current(TaskId::new(0), 0) && tasks.is_current(TaskId::new(0), 1));
        tasks.check().expect("counts agree");
    }
}
