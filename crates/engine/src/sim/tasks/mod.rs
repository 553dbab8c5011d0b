//! The tasks part: the tasks launched so far (an arena in id order) with the counts the series and the view read
//! every sample — tasks per lifecycle state and capacity type, and healthy tasks not stopping — and the totals the
//! summary reports (launched, started, failed).
//!
//! [`Tasks`] owns the arena; the rest of the simulation reads a task by indexing (`tasks[id]`) and changes one
//! only through the methods here, so the counts move with every state and health change ([`Tasks::check`]
//! recounts them). Unless asked to keep them (`RunOptions::keep_finished_tasks`), STOPPED tasks are released
//! between events ([`Tasks::release_finished`]): nothing reads a task after it stops but the view of the past, so
//! a week of crash loops (millions of tasks) holds only the tasks alive at a time, plus 4 bytes an id. The mechanism beside it, `lifecycle`, walks a task through its states (and bills Fargate
//! tasks); it too changes tasks only through these methods.

mod lifecycle;

use crate::ids::{InstanceId, TaskId};
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

/// `slots` value of a task released from the arena.
const RELEASED: u32 = u32::MAX;

/// Stopped tasks are released once there are at least this many of them and they are at least half the arena, so
/// the arena is compacted (one pass over it) no more often than every this many task stops.
const RELEASE_AT_LEAST: usize = 1024;

#[derive(Default)]
pub(in crate::sim) struct Tasks {
    /// The tasks not released yet, in id order.
    arena: Vec<Task>,
    /// For each id from `first` on: the task's position in the arena, or `RELEASED`.
    slots: Vec<u32>,
    /// Ids below this are all released (their slots are dropped).
    first: usize,
    /// Tasks launched, ever (the next task's id).
    launched: usize,
    /// Tasks that reached RUNNING, ever.
    started: u64,
    /// Tasks stopped for a failure ([`StopReason::is_failure`]), ever.
    failed: u64,
    /// STOPPED tasks released from the arena.
    released: usize,
    /// Keep STOPPED tasks (tests and tools that look back at every task).
    keep_finished: bool,
    /// Task counts by state and capacity type, kept in step with every state change.
    state_counts: StateCounts,
    /// Healthy tasks whose desired status is still RUNNING.
    healthy_total: u32,
    /// Tasks whose desired status is still RUNNING (not stopping), in id order: what a Spot interruption wave
    /// chooses from. Scanning the arena instead costs every task ever launched, per wave (a week of crash loops
    /// holds millions of stopped tasks). Ids are appended as tasks launch (so in order) and a stopping task's id
    /// stays until the list is compacted, once at least half of it is stale (`stale` counts them): amortised
    /// O(1) per task, where a BTreeSet cost some 500 instructions per launch and again per stop.
    not_stopping: Vec<TaskId>,
    /// Ids in `not_stopping` whose task has begun stopping.
    stale: usize,
    /// Task counts per split group (`sim/split.rs`) and each service's tasks in RUNNING, kept in step with every
    /// state change like `state_counts`.
    groups: crate::sim::split::GroupCounts,
}

impl Index<TaskId> for Tasks {
    type Output = Task;

    fn index(&self, id: TaskId) -> &Task {
        &self.arena[self.position(id).expect("a task read after it was released")]
    }
}

impl Tasks {
    /// Tasks that keep STOPPED tasks (`keep_finished`) or release them between events.
    pub(in crate::sim) fn new(keep_finished: bool) -> Tasks {
        Tasks { keep_finished, ..Tasks::default() }
    }

    /// The tasks in the arena, in id order: every task launched when finished tasks are kept; otherwise the tasks
    /// not stopped, and those stopped since the last release.
    pub(in crate::sim) fn all(&self) -> &[Task] {
        &self.arena
    }

    /// The task, unless it stopped and was released.
    pub(in crate::sim) fn get(&self, id: TaskId) -> Option<&Task> {
        self.position(id).map(|p| &self.arena[p])
    }

    fn position(&self, id: TaskId) -> Option<usize> {
        let slot = *self.slots.get(id.index().checked_sub(self.first)?)?;
        (slot != RELEASED).then_some(slot as usize)
    }

    /// Tasks launched so far.
    pub(in crate::sim) fn len(&self) -> usize {
        self.launched
    }

    /// Tasks that reached RUNNING so far.
    pub(in crate::sim) fn started(&self) -> u64 {
        self.started
    }

    /// Tasks stopped for a failure so far.
    pub(in crate::sim) fn failed(&self) -> u64 {
        self.failed
    }

    /// The id the next task will get.
    pub(in crate::sim) fn next_id(&self) -> TaskId {
        TaskId::from_index(self.launched)
    }

    /// Adds a new task (in PROVISIONING, with the next id) and counts it.
    pub(in crate::sim) fn push(&mut self, task: Task) -> TaskId {
        debug_assert!(task.state == TaskState::Provisioning && task.id == self.next_id());
        self.state_counts[TaskState::Provisioning.index()][task.capacity.index()] += 1;
        self.groups.launched(&task);
        self.not_stopping.push(task.id);
        self.slots.push(crate::narrow::u32_of(self.arena.len()));
        self.arena.push(task);
        self.launched += 1;
        TaskId::from_index(self.launched - 1)
    }

    /// Releases the STOPPED tasks from the arena when they are many (see `RELEASE_AT_LEAST`), unless they are
    /// kept. Called between events, so no event's handling meets a task disappearing under it; events still
    /// queued for a released task are stale ([`is_current`](Self::is_current) says so).
    pub(in crate::sim) fn release_finished(&mut self) {
        let stopped: u32 = self.state_counts[TaskState::Stopped.index()].iter().sum();
        let in_arena = stopped as usize - self.released;
        if self.keep_finished || in_arena < RELEASE_AT_LEAST || in_arena * 2 < self.arena.len() {
            return;
        }
        let mut kept = 0u32;
        for t in &self.arena {
            let slot = &mut self.slots[t.id.index() - self.first];
            if t.state == TaskState::Stopped {
                *slot = RELEASED;
            } else {
                *slot = kept;
                kept += 1;
            }
        }
        self.arena.retain(|t| t.state != TaskState::Stopped);
        self.released += in_arena;
        // Ids before the oldest task left are all released: their slots go too.
        let first_left = self.arena.first().map_or(self.launched, |t| t.id.index());
        self.slots.drain(..first_left - self.first);
        self.first = first_left;
        // Give memory back after a burst (a Vec keeps its largest size otherwise).
        if self.arena.capacity() > 4 * self.arena.len().max(RELEASE_AT_LEAST) {
            self.arena.shrink_to(2 * self.arena.len());
        }
    }

    /// Tasks whose desired status is still RUNNING, in id order.
    pub(in crate::sim) fn not_stopping(&self) -> impl Iterator<Item = &Task> + '_ {
        self.not_stopping.iter().filter_map(|&id| self.get(id)).filter(|t| !t.stopping)
    }

    pub(in crate::sim) fn state_counts(&self) -> &StateCounts {
        &self.state_counts
    }

    pub(in crate::sim) fn healthy_total(&self) -> u32 {
        self.healthy_total
    }

    /// Whether a lifecycle event scheduled at `generation` still applies (the task has not started stopping since).
    /// A released task has stopped: nothing scheduled for it still applies.
    pub(in crate::sim) fn is_current(&self, id: TaskId, generation: u32) -> bool {
        self.get(id).is_some_and(|t| t.generation == generation)
    }

    fn live_position(&self, id: TaskId) -> usize {
        self.position(id).expect("a task changed after it was released")
    }

    fn task_mut(&mut self, id: TaskId) -> &mut Task {
        let position = self.live_position(id);
        &mut self.arena[position]
    }

    pub(in crate::sim) fn set_state(&mut self, id: TaskId, state: TaskState, now: SimTime) {
        let position = self.live_position(id);
        self.arena[position].state_since = now;
        let t = &mut self.arena[position];
        let capacity = t.capacity.index();
        self.state_counts[t.state.index()][capacity] -= 1;
        self.state_counts[state.index()][capacity] += 1;
        self.groups.moved(t, state);
        t.state = state;
    }

    /// Task counts per split group, and each service's tasks in RUNNING.
    pub(in crate::sim) fn groups(&self) -> &crate::sim::split::GroupCounts {
        &self.groups
    }

    /// Which split group each task falls in (before the first task).
    pub(in crate::sim) fn set_groups(&mut self, groups: crate::sim::split::GroupCounts) {
        self.groups = groups;
    }

    /// The task passed its health checks. False (nothing changes) when it is stopping or already healthy.
    pub(in crate::sim) fn mark_healthy(&mut self, id: TaskId) -> bool {
        let position = self.live_position(id);
        let t = &mut self.arena[position];
        if t.stopping || t.health == Health::Healthy {
            return false;
        }
        t.health = Health::Healthy;
        self.healthy_total += 1;
        true
    }

    pub(in crate::sim) fn mark_unhealthy(&mut self, id: TaskId) {
        self.task_mut(id).health = Health::Unhealthy;
    }

    /// Sets the task's desired status to STOPPED: a new generation (events scheduled before are ignored), the
    /// reason, and it no longer counts as healthy. `None` (nothing changes) when it is already stopping.
    #[inline(never)]
    pub(in crate::sim) fn begin_stop(&mut self, id: TaskId, reason: StopReason) -> Option<Stopped> {
        let position = self.live_position(id);
        let t = &mut self.arena[position];
        if t.stopping {
            return None;
        }
        t.stopping = true;
        t.generation += 1;
        t.stop_reason = Some(reason);
        let failed = reason.is_failure();
        let was_healthy = t.health == Health::Healthy;
        if was_healthy {
            self.healthy_total -= 1;
        }
        if failed {
            self.failed += 1;
        }
        let stopped = Stopped { state: t.state, was_healthy, awaiting_capacity: t.awaiting_capacity };
        self.stale += 1;
        if self.stale >= RELEASE_AT_LEAST && self.stale * 2 >= self.not_stopping.len() {
            let (arena, slots, first) = (&self.arena, &self.slots, self.first);
            let live = |id: &TaskId| {
                let slot = id.index().checked_sub(first).and_then(|i| slots.get(i)).copied().unwrap_or(RELEASED);
                slot != RELEASED && !arena[slot as usize].stopping
            };
            self.not_stopping.retain(live);
            self.stale = 0;
        }
        Some(stopped)
    }

    pub(in crate::sim) fn set_running_at(&mut self, id: TaskId, at: SimTime) {
        let position = self.live_position(id);
        let t = &mut self.arena[position];
        let first = t.running_at.is_none();
        t.running_at = Some(at);
        if first {
            self.started += 1;
        }
    }

    pub(in crate::sim) fn set_billing_from(&mut self, id: TaskId, at: SimTime) {
        self.task_mut(id).billing_from = Some(at);
    }

    pub(in crate::sim) fn set_instance(&mut self, id: TaskId, instance: InstanceId) {
        self.task_mut(id).instance = Some(instance);
    }

    pub(in crate::sim) fn set_awaiting_capacity(&mut self, id: TaskId, awaiting: bool) {
        self.task_mut(id).awaiting_capacity = awaiting;
    }

    pub(in crate::sim) fn set_kill_at(&mut self, id: TaskId, at: SimTime) {
        self.task_mut(id).kill_at = Some(at);
    }

    pub(in crate::sim) fn set_on_draining(&mut self, id: TaskId) {
        self.task_mut(id).on_draining = true;
    }

    /// The task is on a retired Fargate platform revision: to be replaced by its service (see `on_draining`).
    pub(in crate::sim) fn set_retiring(&mut self, id: TaskId) {
        let position = self.live_position(id);
        let t = &mut self.arena[position];
        t.retiring = true;
        t.on_draining = true;
    }

    pub(in crate::sim) fn set_slot(&mut self, id: TaskId, slot: u32) {
        self.task_mut(id).slot = slot;
    }

    /// Recounts states and health from the tasks (released tasks count as STOPPED).
    pub(in crate::sim) fn check(&self) -> Result<(), String> {
        let mut counts: StateCounts = Default::default();
        let mut healthy = 0;
        let (mut started, mut failed) = (0, 0);
        for (position, task) in self.arena.iter().enumerate() {
            started += u64::from(task.running_at.is_some());
            failed += u64::from(task.stop_reason.is_some_and(|r| r.is_failure()));
            if self.position(task.id) != Some(position) {
                return Err(format!("task {} is not where its slot says", task.id));
            }
            counts[task.state.index()][task.capacity.index()] += 1;
            if task.health == Health::Healthy && !task.stopping {
                healthy += 1;
            }
            if task.state == TaskState::Stopped && !task.stopping {
                return Err(format!("task {} is STOPPED but not marked stopping", task.id));
            }
        }
        let stopped_released: u32 = self.state_counts[TaskState::Stopped.index()].iter().sum::<u32>()
            - counts[TaskState::Stopped.index()].iter().sum::<u32>();
        if stopped_released as usize != self.released {
            return Err(format!("{} tasks released, {stopped_released} STOPPED tasks missing", self.released));
        }
        let alive = |c: &StateCounts| -> Vec<u32> {
            TaskState::ALL.iter().filter(|s| **s != TaskState::Stopped).flat_map(|s| c[s.index()]).collect()
        };
        if alive(&counts) != alive(&self.state_counts) {
            return Err(format!("state counts drifted: kept {:?}, actual {:?}", self.state_counts, counts));
        }
        self.groups.check(&self.arena)?;
        let total: u32 = counts.iter().flatten().sum();
        if total as usize + self.released != self.launched {
            return Err("task count not conserved".into());
        }
        if self.released == 0 && (started, failed) != (self.started, self.failed) {
            return Err(format!(
                "started/failed totals drifted: kept {}/{}, actual {started}/{failed}",
                self.started, self.failed
            ));
        }
        if healthy != self.healthy_total {
            return Err(format!("healthy count drifted: kept {}, actual {healthy}", self.healthy_total));
        }
        if !self.arena.iter().filter(|t| !t.stopping).map(|t| t.id).eq(self.not_stopping().map(|t| t.id))
            || self.not_stopping.len() - self.stale != self.not_stopping().count()
        {
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
            state_since: SimTime::ZERO,
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
        tasks.set_state(TaskId::new(1), TaskState::Pending, SimTime::ZERO);
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

    #[test]
    fn stopped_tasks_are_released_in_batches_and_the_rest_stay_reachable() {
        let stop = |tasks: &mut Tasks, i: usize| {
            let id = TaskId::from_index(i);
            tasks.set_running_at(id, SimTime::ZERO);
            tasks.begin_stop(id, StopReason::Crashed).expect("first stop");
            tasks.set_state(id, TaskState::Stopped, SimTime::ZERO);
        };
        for keep in [false, true] {
            let mut tasks = Tasks::new(keep);
            for i in 0..3_000 {
                tasks.push(task(TaskId::from_index(i), CapacityType::Fargate));
            }
            // Every task but each third stops: 2,000 stopped of 3,000, enough to release.
            for i in (0..3_000).filter(|i| i % 3 != 0) {
                stop(&mut tasks, i);
            }
            tasks.release_finished();
            tasks.check().expect("counts agree after a release");
            assert_eq!((tasks.len(), tasks.started(), tasks.failed()), (3_000, 2_000, 2_000));
            assert_eq!(tasks.all().len(), if keep { 3_000 } else { 1_000 });
            assert_eq!(tasks.get(TaskId::new(1)).is_none(), !keep);
            assert!(!tasks.is_current(TaskId::new(1), 1) || keep, "a released task's events are stale");
            assert_eq!(tasks[TaskId::new(2_997)].id, TaskId::new(2_997));
            assert_eq!(tasks.not_stopping().count(), 1_000);
            // Ids keep counting from where they were; the survivors stop too, but 1,000 stopped tasks are fewer
            // than a release waits for.
            tasks.push(task(TaskId::from_index(3_000), CapacityType::Fargate));
            for i in (0..3_000).filter(|i| i % 3 == 0) {
                stop(&mut tasks, i);
            }
            tasks.release_finished();
            tasks.check().expect("counts agree after a second release");
            assert_eq!(tasks.all().len(), if keep { 3_001 } else { 1_001 });
            assert_eq!(tasks[TaskId::new(3_000)].state, TaskState::Provisioning);
            assert_eq!(tasks.state_counts()[TaskState::Stopped.index()][CapacityType::Fargate.index()], 3_000);
        }
    }

    #[test]
    fn a_few_stopped_tasks_are_not_worth_a_release() {
        let mut tasks = Tasks::new(false);
        for i in 0..100 {
            tasks.push(task(TaskId::from_index(i), CapacityType::Fargate));
            tasks.begin_stop(TaskId::from_index(i), StopReason::ScaledIn);
            tasks.set_state(TaskId::from_index(i), TaskState::Stopped, SimTime::ZERO);
        }
        tasks.release_finished();
        assert_eq!(tasks.all().len(), 100, "fewer than RELEASE_AT_LEAST stopped tasks stay");
        assert_eq!(tasks.failed(), 0, "scaled in is not a failure");
    }
}
