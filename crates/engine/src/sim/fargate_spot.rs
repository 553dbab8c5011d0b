//! Fargate Spot: a finite regional pool that grants capacity at a rate (`docs/model.md` §4.1), and interruptions with a
//! two-minute warning, as timed waves and as a random rate per task-hour.
//!
//! Spot tasks wait in a FIFO queue in PROVISIONING until the pool grants them capacity; the pool is a token
//! bucket whose refill rate is the availability setting. AWS Batch jobs placed on FARGATE_SPOT compute environments
//! are Fargate Spot tasks in the same account: they join the same FIFO (STARTING while they wait) and are served in
//! turn with the services' and RunTask's tasks (`docs/model.md` §12). A Spot launch without capacity waits; it never falls
//! back to On-Demand. With availability "plenty" the pool has no rate: capacity does not limit launches (the Spot
//! launch bucket and the services' rates pace them), and a task is granted capacity as it joins the queue.
//!
//! [`SpotPool`] is the pool's part: its capacity bucket, the FIFO of waiting tasks and the count of those still
//! waiting, private to this module; the mechanism below is the only code that changes them.

use crate::ids::TaskId;
use std::collections::VecDeque;

use super::{Event, Simulation};
use crate::bucket::TokenBucket;
use crate::defaults;
use crate::output::TraceWhat;
use crate::scenario::Provider;
use crate::task::{Owner, StopReason, Task, TaskState};
use crate::time::SimTime;

pub(super) struct SpotPool {
    capacity: TokenBucket,
    /// Capacity does not limit launches (availability "plenty"): every waiting task is granted at once.
    unlimited: bool,
    /// Tasks and Batch jobs waiting for capacity, with their generation (a stopped task's entry is skipped).
    queue: VecDeque<Waiter>,
    waiting: u32,
    wakeup_pending: bool,
}

impl SpotPool {
    /// A pool granting `per_minute` tasks capacity a minute, or without limit (`None`).
    pub(super) fn new(per_minute: Option<u32>) -> SpotPool {
        let mut capacity = TokenBucket::new(defaults::SPOT_CAPACITY_BURST, per_minute.unwrap_or(0));
        if per_minute == Some(0) {
            // No Spot capacity at all: not even the few grants a pool with capacity has in hand.
            capacity.drain(SimTime::ZERO);
        }
        SpotPool {
            capacity,
            unlimited: per_minute.is_none(),
            queue: VecDeque::new(),
            waiting: 0,
            wakeup_pending: false,
        }
    }

    pub(super) fn waiting_count(&self) -> u32 {
        self.waiting
    }

    /// The waiting count is the number of Spot tasks and Batch jobs awaiting capacity (`batch_waiting` of them
    /// jobs, `batch_current` telling a job's current entry), each with a current entry in the queue.
    pub(super) fn check(
        &self,
        tasks: &super::tasks::Tasks,
        batch_waiting: u32,
        batch_current: impl Fn(u32, u32) -> bool,
    ) -> Result<(), String> {
        let awaiting = |t: &Task| t.provider == Provider::FargateSpot && t.awaiting_capacity;
        let waiting = crate::narrow::u32_of(tasks.all().iter().filter(|t| awaiting(t)).count()) + batch_waiting;
        let queued = self
            .queue
            .iter()
            // Entries for tasks stopped (and perhaps released) since are stale.
            .filter(|&&w| match w {
                Waiter::Task(task, generation) => {
                    tasks.get(task).is_some_and(|t| t.generation == generation && awaiting(t))
                }
                Waiter::BatchJob(job, generation) => batch_current(job, generation),
            })
            .count();
        let queued = crate::narrow::u32_of(queued);
        if waiting != self.waiting || queued != self.waiting {
            return Err(format!("Spot pool: {} counted waiting, {waiting} awaiting, {queued} queued", self.waiting));
        }
        Ok(())
    }

    /// Whether capacity does not limit launches (availability "plenty").
    pub(super) fn unlimited(&self) -> bool {
        self.unlimited
    }

    /// The 1-based place of `task` among the current entries of the FIFO (`None`: not in it); `current_task` and
    /// `current_job` tell current entries from stale ones, as in [`SpotPool::check`].
    pub(super) fn position(
        &self,
        task: TaskId,
        current_task: impl Fn(TaskId, u32) -> bool,
        current_job: impl Fn(u32, u32) -> bool,
    ) -> Option<u64> {
        self.place_of(|w| matches!(w, Waiter::Task(t, _) if t == task), current_task, current_job)
    }

    /// Batch job `job`'s place (attempt `generation`, from 1) among the current waiters, as [`SpotPool::position`].
    pub(super) fn job_position(
        &self,
        job: u32,
        generation: u32,
        current_task: impl Fn(TaskId, u32) -> bool,
        current_job: impl Fn(u32, u32) -> bool,
    ) -> Option<u64> {
        self.place_of(|w| matches!(w, Waiter::BatchJob(j, g) if j == job && g == generation), current_task, current_job)
    }

    /// The 1-based place of the first current waiter `wanted` accepts, counting only current entries.
    fn place_of(
        &self,
        wanted: impl Fn(Waiter) -> bool,
        current_task: impl Fn(TaskId, u32) -> bool,
        current_job: impl Fn(u32, u32) -> bool,
    ) -> Option<u64> {
        let mut place = 0u64;
        for &w in &self.queue {
            let current = match w {
                Waiter::Task(t, g) => current_task(t, g),
                Waiter::BatchJob(j, g) => current_job(j, g),
            };
            if current {
                place += 1;
                if wanted(w) {
                    return Some(place);
                }
            }
        }
        None
    }

    /// The pool's capacity bucket (for the view).
    pub(super) fn capacity(&self) -> &TokenBucket {
        &self.capacity
    }
}

impl Simulation {
    pub(super) fn spot_enqueue(&mut self, task: TaskId) {
        self.tasks.set_awaiting_capacity(task, true);
        let t = &self.tasks[task];
        let (generation, owner) = (t.generation, t.owner);
        self.spot.waiting += 1;
        if let Owner::Service { service, .. } = owner {
            self.services.spot_waiting_changed(service, 1);
        }
        self.spot.queue.push_back(Waiter::Task(task, generation));
        self.serve_spot_queue();
    }

    /// Batch job `job` (attempt `generation`), just placed on a FARGATE_SPOT compute environment, asks for Fargate
    /// Spot capacity: granted at once when the pool has it and nobody waits ahead (always with "plenty"), else it
    /// waits its turn in the FIFO. `Simulation::batch_spot_granted` is called at the grant.
    pub(super) fn spot_enqueue_batch(&mut self, job: u32, generation: u32) {
        self.spot.waiting += 1;
        self.spot.queue.push_back(Waiter::BatchJob(job, generation));
        self.serve_spot_queue();
    }

    /// A waiting Batch job left the queue before it got capacity (its entry is skipped as stale).
    pub(super) fn spot_batch_cancelled(&mut self) {
        self.spot.waiting -= 1;
    }

    /// A waiting task was stopped before it got capacity.
    pub(super) fn spot_waiting_cancelled(&mut self, task: TaskId) {
        self.release_waiting(task);
    }

    fn release_waiting(&mut self, task: TaskId) {
        self.tasks.set_awaiting_capacity(task, false);
        self.spot.waiting -= 1;
        if let Owner::Service { service, .. } = self.tasks[task].owner {
            self.services.spot_waiting_changed(service, -1);
        }
    }

    fn serve_spot_queue(&mut self) {
        while let Some(&waiter) = self.spot.queue.front() {
            let current = match waiter {
                Waiter::Task(task, generation) => self.is_current(task, generation),
                Waiter::BatchJob(job, generation) => self.batch_awaiting_spot(job, generation),
            };
            if !current {
                self.spot.queue.pop_front();
                continue;
            }
            if self.spot.unlimited || self.spot.capacity.try_take(self.now, 1) {
                self.spot.queue.pop_front();
                match waiter {
                    Waiter::Task(task, _) => {
                        self.release_waiting(task);
                        self.capacity_granted(task);
                    }
                    Waiter::BatchJob(job, _) => {
                        self.spot.waiting -= 1;
                        self.batch_spot_granted(job);
                    }
                }
                continue;
            }
            if !self.spot.wakeup_pending {
                if let Some(at) = self.spot.capacity.time_until(self.now, 1) {
                    self.spot.wakeup_pending = true;
                    self.schedule(at, Event::SpotCapacity);
                }
            }
            break;
        }
    }

    #[inline(never)]
    pub(super) fn spot_capacity_arrived(&mut self) {
        self.spot.wakeup_pending = false;
        self.serve_spot_queue();
    }

    pub(super) fn set_spot_capacity(&mut self, per_minute: Option<u32>) {
        self.spot.unlimited = per_minute.is_none();
        self.spot.capacity.set_rate(self.now, per_minute.unwrap_or(0));
        if per_minute == Some(0) {
            self.spot.capacity.drain(self.now);
        }
        self.record(TraceWhat::SpotCapacity { per_minute });
        // The wake-up computed at the old rate may be too late now.
        self.spot.wakeup_pending = false;
        self.serve_spot_queue();
    }

    /// The two-minute warning: the task starts stopping at once (so the service launches a replacement) and is
    /// killed when the warning runs out.
    #[inline(never)]
    pub(super) fn interrupt_spot_task(&mut self, task: TaskId) {
        let t = &self.tasks[task];
        if t.stopping || t.provider != Provider::FargateSpot {
            return;
        }
        let owner = t.owner;
        self.tasks.set_kill_at(task, self.now.plus_ms(SimTime::from_secs_f64(defaults::SPOT_WARNING_S).as_millis()));
        self.accounting.count_interruption();
        if let Owner::Service { service, .. } = owner {
            self.services.count_interruption(service);
        }
        self.record(TraceWhat::SpotWarning { task: task.raw() });
        self.begin_stop(task, StopReason::SpotInterrupted);
    }

    /// Interrupts a fraction (rounded to nearest) or a count of the Spot tasks that hold capacity, chosen at random:
    /// the services' and RunTask's tasks, then AWS Batch jobs' tasks on FARGATE_SPOT compute environments (each a
    /// Fargate Spot task in the account, `docs/model.md` §12).
    pub(super) fn spot_interruption_wave(&mut self, fraction: Option<f64>, count: Option<u32>) {
        let mut candidates: Vec<Candidate> = self
            .tasks
            .not_stopping()
            .filter(|t| {
                t.provider == Provider::FargateSpot
                    && matches!(t.state, TaskState::Pending | TaskState::Activating | TaskState::Running)
            })
            .map(|t| Candidate::Task(t.id))
            .collect();
        candidates.extend(self.batch_fargate_spot_jobs().into_iter().map(Candidate::BatchJob));
        let n = candidates.len() as u64;
        let take = match (fraction, count) {
            (Some(f), _) => crate::narrow::round_u64(f * n as f64),
            (None, Some(c)) => u64::from(c),
            (None, None) => 0,
        }
        .min(n);
        // A partial Fisher–Yates shuffle: the first `take` entries become a uniform random sample.
        for i in 0..take {
            let j = i + self.rng.below(n - i);
            candidates.swap(crate::narrow::usize_of(i), crate::narrow::usize_of(j));
        }
        for &candidate in &candidates[..crate::narrow::usize_of(take)] {
            match candidate {
                Candidate::Task(task) => self.interrupt_spot_task(task),
                Candidate::BatchJob(job) => self.batch_fargate_spot_warning(job),
            }
        }
    }
}

/// One entry of the FIFO of Fargate Spot launches waiting for capacity: a task of the ECS part, or an AWS Batch
/// job's task, each with the generation it was queued at.
#[derive(Debug, Clone, Copy)]
enum Waiter {
    Task(TaskId, u32),
    BatchJob(u32, u32),
}

/// A Fargate Spot task an interruption wave may pick: a task of the ECS part, or an AWS Batch job's.
#[derive(Debug, Clone, Copy)]
enum Candidate {
    Task(TaskId),
    BatchJob(u32),
}

#[cfg(test)]
mod tests {
    use crate::sim::testing::{self, t};
    use crate::sim::Event;
    use crate::task::TaskState;

    #[test]
    fn spot_tasks_wait_for_capacity_and_are_served_in_order() {
        let service = r#""desired_count": 3, "capacity_provider_strategy": [{ "capacity_provider": "FARGATE_SPOT", "weight": 1 }]"#;
        let mut sim = testing::checked(testing::fargate("", service, r#""fargate_spot": { "capacity_per_s": 0 }"#));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        assert_eq!(sim.spot.waiting_count(), 3);
        assert!(sim.tasks.all().iter().all(|t| t.awaiting_capacity && t.state == TaskState::Provisioning));
        assert!(sim.queued().iter().all(|(_, e)| !matches!(e, Event::Advance { .. } | Event::SpotCapacity)));
        // Capacity comes back at one grant a second: the first waiting task gets the first.
        sim.set_spot_capacity(Some(60));
        let wakeups: Vec<_> = sim.queued().into_iter().filter(|(_, e)| matches!(e, Event::SpotCapacity)).collect();
        assert_eq!(wakeups.len(), 1);
        assert_eq!(wakeups[0].0, sim.now.plus_ms(1_000));
        sim.step_through(|e| matches!(e, Event::SpotCapacity));
        assert_eq!(sim.spot.waiting_count(), 2);
        assert!(!sim.tasks[t(0)].awaiting_capacity && sim.tasks[t(1)].awaiting_capacity);
        assert!(sim.queued().iter().any(|(_, e)| matches!(e, Event::Advance { task, .. } if *task == t(0))));
    }

    #[test]
    fn a_waiting_task_stopped_leaves_the_queue() {
        let service = r#""desired_count": 2, "capacity_provider_strategy": [{ "capacity_provider": "FARGATE_SPOT", "weight": 1 }]"#;
        let mut sim = testing::checked(testing::fargate("", service, r#""fargate_spot": { "capacity_per_s": 0 }"#));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        sim.begin_stop(t(0), crate::task::StopReason::ScaledIn);
        assert_eq!(sim.spot.waiting_count(), 1);
        assert_eq!(sim.tasks[t(0)].state, TaskState::Stopped);
        sim.assert_invariants();
    }

    /// A timed wave interrupts `count` of the Spot tasks holding capacity: each gets the two-minute deadline and
    /// starts stopping at once, so its service replaces it.
    #[test]
    fn an_interruption_wave_warns_the_tasks_it_picks() {
        let service = r#""desired_count": 4, "capacity_provider_strategy": [{ "capacity_provider": "FARGATE_SPOT", "weight": 1 }]"#;
        let mut sim = testing::checked(testing::fargate("", service, ""));
        sim.step_until(crate::time::SimTime::from_secs_f64(300.0));
        assert!(sim.tasks.all().iter().all(|t| t.state == TaskState::Running));
        sim.spot_interruption_wave(None, Some(3));
        let warned: Vec<_> = sim.tasks.all().iter().filter(|t| t.kill_at.is_some()).collect();
        assert_eq!(warned.len(), 3);
        let deadline = sim.now.plus_ms(120_000);
        assert!(warned.iter().all(|t| t.stopping && t.kill_at == Some(deadline)));
        assert!(warned.iter().all(|t| t.stop_reason == Some(crate::task::StopReason::SpotInterrupted)));
        assert_eq!(sim.accounting.interruptions(), 3);
        assert_eq!(sim.services.iter().next().expect("service").interruptions, 3);
        sim.assert_invariants();
    }
}
