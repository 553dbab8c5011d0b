//! The simulation: a discrete-event kernel that dispatches events to mechanisms, over parts that own the model's
//! state. `Simulation::new`, `step`, `step_until`, `run_to_end`, `view` and `metrics` are the stepping API.
//!
//! **Kernel** (this file): the clock, the event queue (a binary heap ordered by `(time, sequence)`, so two events
//! at the same millisecond run in the order they were scheduled, on every platform), the one seeded RNG, the
//! scenario, and `handle`, which only checks an event is still current and calls the mechanism it is for.
//!
//! **Parts**, each a module whose fields are private to it (and its sub-modules), each keeping its own
//! invariants and checking them in `check` (run after every event with `RunOptions::check_invariants`):
//! - `tasks/` — [`Tasks`]: the task arena and the counts by state, capacity type and health (`set_state`,
//!   `mark_healthy`, `begin_stop` keep them right); `lifecycle` walks a task through its states and bills it.
//! - `fleet/` — [`Fleet`]: container instances, each group's runtime state and the indexes placement reads
//!   (live instances per group and zone, owner counts, the PROVISIONING queues); its mechanisms `ec2`
//!   (instances' lives, placing, image pulls), `scaling` (managed scaling) and `spot` (EC2 Spot) live beside it,
//!   with `placement` and the scaling computation as pure functions.
//! - `services/` — [`Services`]: desired counts, deployments, active-task lists and counters, backoff, what kept
//!   each service waiting; `scheduler` (workflow cycles) and `deployment` (deployments, circuit breaker, bounds).
//! - `workloads` — [`Workloads`]: each RunTask burst's progress, and the RunTask mechanism.
//! - `fargate_spot` — [`SpotPool`]: the Fargate Spot capacity pool and its queue, and interruptions.
//! - `buckets` — [`Buckets`]: the account's token buckets (each [`TokenBucket`](crate::bucket::TokenBucket)
//!   keeps its own level).
//! - `accounting` — [`Accounting`]: cost, the time series and its sampling, counters, the trace.
//! - `retirement` — [`Retirements`](retirement::Retirements): Fargate task retirement notices, the tasks each
//!   concerns and what became of them.
//! - `report` reads every part for the summary and the view; the typed ids they all use are in `crate::ids`.
//!
//! **Crossing parts**: mechanisms are `impl Simulation` blocks, so one handler can move several parts (a task
//! stopping touches its service, its instance, the Spot queue and the cost), but it changes a part it does not
//! belong to only through that part's methods; reads go through `&` access or getters. Only the kernel
//! schedules events and draws random numbers, through `schedule`/`schedule_in` and `rng`, in an order that is
//! part of the model's output: restructuring must not reorder them.

mod accounting;
mod batch;
mod buckets;
mod caption;
pub use caption::{CaptionKind, StepCaption};
mod commitments;
mod credits;
mod demand;
mod explain;
mod fargate_spot;
mod fleet;
mod marks;
mod queues;
mod quotas;
mod report;
mod retirement;
mod services;
mod split;
mod tasks;
#[cfg(test)]
mod testing;
mod workloads;

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::output::{StoppedEarly, TimeSeries, TraceEntry, TraceWhat};
use crate::rng::SimRng;
use crate::scenario::{Scenario, TimedAction};
use crate::task::{StopReason, Task};
use crate::time::SimTime;

use crate::ids::{InstanceId, ProviderId, ServiceId, TaskId, WorkloadId};
use accounting::Accounting;
use buckets::Buckets;
use demand::Demand;
use fargate_spot::SpotPool;
use fleet::Fleet;
use services::Services;
use tasks::Tasks;
use workloads::Workloads;

pub use fleet::Instance;

/// How much one run may do before it stops with a summary that says so ([`Summary::stopped_early`]): a scenario
/// that validates can still loop (a crash loop for a week launches millions of tasks), and a shared link runs in
/// someone else's tab. The validator bounds what a scenario asks for; this bounds what the run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunBudget {
    /// Events processed.
    pub max_events: u64,
    /// Tasks launched (each stays in the arena: about 100 bytes, more with the trace).
    pub max_tasks: u64,
}

impl RunBudget {
    /// Ten times the largest benchmark (`stress-100k`: about 120,000 tasks and 300,000 events): every preset runs
    /// far inside it, a runaway stops within seconds and a few hundred MB.
    pub const DEFAULT: RunBudget = RunBudget { max_events: 10_000_000, max_tasks: 1_000_000 };
}

/// What to record while running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Keep the event trace (costs memory proportional to the number of events).
    pub trace: bool,
    /// Check the model's invariants after every event (slow; for tests).
    pub check_invariants: bool,
    /// Keep every STOPPED task's record ([`Simulation::tasks`] lists every task launched). Off, stopped tasks are
    /// released as the run goes, so memory follows the tasks alive at a time, not all ever launched: the summary,
    /// the view and the trace need no stopped task's record.
    pub keep_finished_tasks: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { trace: true, check_invariants: false, keep_finished_tasks: true }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    ServiceCycle {
        service: ServiceId,
    },
    /// The task's current state has run its course: move it to the next one.
    Advance {
        task: TaskId,
        generation: u32,
    },
    Healthy {
        task: TaskId,
        generation: u32,
    },
    Unhealthy {
        task: TaskId,
        generation: u32,
    },
    Crash {
        task: TaskId,
        generation: u32,
    },
    /// A standalone task's essential container exits.
    Complete {
        task: TaskId,
        generation: u32,
    },
    SpotInterrupt {
        task: TaskId,
        generation: u32,
    },
    SpotCapacity,
    RunTaskCall {
        workload: WorkloadId,
    },
    Timed {
        index: u32,
    },
    InstanceBooted {
        instance: InstanceId,
    },
    InstanceRegistered {
        instance: InstanceId,
    },
    ScalingEvaluation {
        provider: ProviderId,
    },
    ProvisioningTimeout {
        task: TaskId,
        generation: u32,
    },
    SpotNotice {
        instance: InstanceId,
    },
    SpotTermination {
        instance: InstanceId,
    },
    /// An EC2 rebalance recommendation for an instance that will get its interruption notice later.
    RebalanceRecommendation {
        instance: InstanceId,
    },
    /// The rebalance recommendations ahead of an EC2 Spot wave (timed event `index`): the wave's instances are
    /// chosen now and get their notices at the wave's time.
    WaveRecommendation {
        index: u32,
    },
    /// The retirement date of Fargate task retirement notice `index` (in the order the notices came).
    TaskRetirement {
        index: u32,
    },
    /// A Managed Instances provider launches instances for the tasks waiting for it.
    ManagedLaunch {
        provider: ProviderId,
    },
    /// A managed instance idle since `since` has waited its `scaleInAfter`.
    IdleCheck {
        instance: InstanceId,
        since: SimTime,
    },
    /// A managed instance reaches the day ECS drains it for patching.
    PatchingDrain {
        instance: InstanceId,
    },
    /// The end of a CloudWatch metric period of a service with demand (`sim/demand.rs`).
    MetricPeriod {
        service: ServiceId,
    },
    /// Serving tasks of a service may have been at 100% CPU for the health checks' unhealthy time.
    OverloadCheck {
        service: ServiceId,
    },
    /// A standard-mode burstable instance hosting demand-driven tasks may have spent its last credit
    /// (`sim/credits.rs`): its tasks' capacity drops to its baseline share.
    CreditsEmpty {
        instance: InstanceId,
    },
    /// A scheduled action of a service's Application Auto Scaling (index into its `scheduled`).
    ScheduledScaling {
        service: ServiceId,
        index: u32,
    },
    /// A queue's one-minute tick (`sim/queues.rs`).
    QueueTick {
        queue: u32,
    },
    /// Visibility timeouts of a queue's abandoned messages end.
    QueueVisible {
        queue: u32,
    },
    /// An AWS Batch event (`sim/batch/`).
    Batch(batch::BatchEvent),
}

#[derive(Debug, Clone, Copy)]
struct Queued {
    time: SimTime,
    sequence: u64,
    event: Event,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.sequence == other.sequence
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        // `(time, sequence)` as one 128-bit number: the same order as comparing the pair, in fewer instructions
        // (the heap compares on every level of every push and pop).
        self.key().cmp(&other.key())
    }
}

impl Queued {
    fn key(&self) -> u128 {
        (u128::from(self.time.0) << 64) | u128::from(self.sequence)
    }
}

/// A running simulation of one scenario and seed.
pub struct Simulation {
    scenario: Scenario,
    seed: u64,
    options: RunOptions,
    now: SimTime,
    sequence: u64,
    queue: BinaryHeap<Reverse<Queued>>,
    rng: SimRng,
    tasks: Tasks,
    services: Services,
    workloads: Workloads,
    buckets: Buckets,
    spot: SpotPool,
    fleet: Fleet,
    quotas: quotas::Quotas,
    accounting: Accounting,
    invariant_error: Option<String>,
    budget: RunBudget,
    /// Why the run stopped before its horizon, when its budget ran out.
    stopped_early: Option<StoppedEarly>,
    retirements: retirement::Retirements,
    demand: Demand,
    credits: credits::Credits,
    queues: queues::Queues,
    batch: batch::BatchPart,
}

impl Simulation {
    pub fn new(scenario: Scenario, seed: u64) -> Simulation {
        Simulation::with_options(scenario, seed, RunOptions::default())
    }

    pub fn with_options(scenario: Scenario, seed: u64, options: RunOptions) -> Simulation {
        // About 20,000 samples at most, and never finer than a second.
        let interval_ms = (scenario.horizon.as_millis().div_ceil(20_000)).div_ceil(1000).max(1) * 1000;
        let mut sim = Simulation {
            seed,
            options,
            now: SimTime::ZERO,
            sequence: 0,
            queue: BinaryHeap::new(),
            rng: SimRng::new(seed),
            tasks: Tasks::new(options.keep_finished_tasks),
            services: Services::default(),
            workloads: Workloads::default(),
            buckets: Buckets::new(&scenario.limits),
            spot: SpotPool::new(scenario.spot.capacity_per_minute),
            quotas: quotas::Quotas::default(),
            fleet: Fleet::new(scenario.providers.len()),
            accounting: Accounting::new(interval_ms, options.trace, &scenario),
            invariant_error: None,
            budget: RunBudget::DEFAULT,
            stopped_early: None,
            retirements: retirement::Retirements::default(),
            demand: Demand::default(),
            credits: credits::Credits::new(&scenario),
            queues: queues::Queues::default(),
            batch: batch::BatchPart::default(),
            scenario,
        };
        sim.tasks.set_groups(split::GroupCounts::new(sim.accounting.split_plan()));
        sim.start_ec2();
        sim.start_services();
        sim.start_workloads();
        sim.start_demand();
        sim.start_queues();
        sim.start_batch();
        for index in 0..sim.scenario.events.len() {
            let at = sim.scenario.events[index].at;
            match sim.wave_recommendation_lead(index) {
                Some(lead) => sim.schedule(
                    SimTime(at.as_millis().saturating_sub(lead)),
                    Event::WaveRecommendation { index: crate::narrow::u32_of(index) },
                ),
                None => sim.schedule(at, Event::Timed { index: crate::narrow::u32_of(index) }),
            }
        }
        sim
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Whether the run simulates CPU credits of burstable instances (`docs/model.md` §4.6).
    pub fn uses_cpu_credits(&self) -> bool {
        self.credits.is_used()
    }

    pub fn horizon(&self) -> SimTime {
        self.scenario.horizon
    }

    /// Replaces the default [`RunBudget`] (before the first step).
    pub fn set_budget(&mut self, budget: RunBudget) {
        self.budget = budget;
    }

    /// Why the run stopped before its horizon, if its budget ran out.
    pub fn stopped_early(&self) -> Option<&StoppedEarly> {
        self.stopped_early.as_ref()
    }

    /// True when nothing is left to happen before the horizon, or the run's budget is spent.
    pub fn is_finished(&self) -> bool {
        if self.stopped_early.is_some() {
            return true;
        }
        match self.queue.peek() {
            None => true,
            Some(Reverse(next)) => next.time > self.scenario.horizon,
        }
    }

    /// Processes the next event. Returns false when the run is finished.
    pub fn step(&mut self) -> bool {
        if self.is_finished() {
            return false;
        }
        if let Some(reason) = self.over_budget() {
            self.record(TraceWhat::StoppedEarly { reason: reason.clone() });
            self.stopped_early = Some(StoppedEarly { reason, at_s: self.now.as_secs_f64() });
            return false;
        }
        self.tasks.release_finished();
        let Reverse(next) = self.queue.pop().expect("queue checked non-empty");
        self.advance_clock(next.time);
        self.accounting.count_event();
        self.handle(next.event);
        if self.demand.is_used() {
            self.demand_after_event();
        }
        if self.options.check_invariants && self.invariant_error.is_none() {
            if let Err(problem) = self.check_invariants() {
                self.invariant_error = Some(format!("after event {:?} at {}: {problem}", next.event, self.now));
            }
        }
        true
    }

    /// Processes every event up to and including `until` (capped at the horizon), then moves the clock there.
    pub fn step_until(&mut self, until: SimTime) {
        self.step_until_limited(until, u64::MAX);
    }

    /// Like [`step_until`](Self::step_until), but processes at most `max_events` events, so a caller with a frame
    /// budget can spread a long stretch over several calls. Returns true when the clock has reached `until` (capped
    /// at the horizon), false when events before it remain.
    pub fn step_until_limited(&mut self, until: SimTime, max_events: u64) -> bool {
        let until = until.min(self.scenario.horizon);
        let mut left = max_events;
        while self.next_event_time().is_some_and(|t| t <= until) {
            if left == 0 {
                return false;
            }
            left -= 1;
            self.step();
        }
        if until > self.now {
            self.advance_clock(until);
        }
        true
    }

    fn over_budget(&self) -> Option<String> {
        let events = self.accounting.events_processed();
        let tasks = self.tasks.len() as u64;
        if events >= self.budget.max_events {
            Some(format!("the run's budget of {} events is spent", self.budget.max_events))
        } else if tasks >= self.budget.max_tasks {
            Some(format!(
                "the run's budget of {} launched tasks is spent (a crash loop or failing deployment over a long horizon?)",
                self.budget.max_tasks
            ))
        } else {
            None
        }
    }

    /// When the next event happens, if anything is left to happen before the horizon.
    pub fn next_event_time(&self) -> Option<SimTime> {
        if self.stopped_early.is_some() {
            return None;
        }
        self.queue.peek().map(|Reverse(next)| next.time).filter(|&t| t <= self.scenario.horizon)
    }

    /// Runs until nothing is left to happen or the horizon is reached. Returns the number of events processed.
    pub fn run_to_end(&mut self) -> u64 {
        while self.step() {}
        self.record_final_sample();
        self.accounting.events_processed()
    }

    /// Events processed so far.
    pub fn events_processed(&self) -> u64 {
        self.accounting.events_processed()
    }

    pub fn series(&self) -> &TimeSeries {
        self.accounting.series()
    }

    /// The trace lines recorded (and not yet taken by [`Simulation::take_trace`]).
    pub fn trace(&self) -> &[TraceEntry] {
        self.accounting.trace()
    }

    /// Hands over the trace lines recorded so far and forgets them: a shell that writes the trace as the run goes
    /// (the CLI's `--trace FILE`) keeps memory flat over a week-long run instead of holding every line to the end.
    pub fn take_trace(&mut self) -> Vec<TraceEntry> {
        self.accounting.take_trace()
    }

    /// The tasks launched so far, in id order: all of them with `keep_finished_tasks` (the default), otherwise
    /// those not released (STOPPED tasks go between events, in batches).
    pub fn tasks(&self) -> &[Task] {
        self.tasks.all()
    }

    /// Tasks launched so far (released ones included).
    pub fn tasks_launched(&self) -> u64 {
        self.tasks.len() as u64
    }

    /// Every container instance launched so far, terminated ones included.
    pub fn instances(&self) -> &[Instance] {
        self.fleet.instances()
    }

    /// The first invariant violation seen while running with `check_invariants`, if any.
    pub fn invariant_error(&self) -> Option<&str> {
        self.invariant_error.as_deref()
    }

    fn schedule(&mut self, time: SimTime, event: Event) {
        let time = time.max(self.now);
        self.sequence += 1;
        self.queue.push(Reverse(Queued { time, sequence: self.sequence, event }));
    }

    fn schedule_in(&mut self, delay_ms: u64, event: Event) {
        self.schedule(self.now.plus_ms(delay_ms), event);
    }

    /// Records a trace line (kept with the trace on; chart markers note a few kinds either way). Inlined so that,
    /// with the trace off, a line nobody keeps is neither passed nor dropped: about 500,000 lines in `stress-100k`.
    #[inline(always)]
    fn record(&mut self, what: TraceWhat) {
        if self.accounting.tracing() || marks::Marks::notes(&what) {
            self.accounting.record(self.now, what);
        }
    }

    /// Hands an event to the mechanism it concerns. Every handler it calls is `#[inline(never)]`, so this
    /// stays a small dispatch: in a browser, V8 runs wasm in its baseline tier until its optimising compiler has
    /// compiled the function, function by function, on a background thread. With the handlers inlined this was one
    /// 60 KB function that took 290 ms to optimise (Chromium 156, `--js-flags=--trace-wasm-compilation-times`),
    /// so a browser's first `stress-100k` ran about half its events in the baseline tier. Small functions are
    /// optimised in a few milliseconds each, hot ones first. Natively the calls cost one jump per event.
    fn handle(&mut self, event: Event) {
        match event {
            Event::ServiceCycle { service } => self.service_cycle(service),
            Event::Advance { task, generation } => {
                if self.is_current(task, generation) {
                    self.advance_task(task);
                }
            }
            Event::Healthy { task, generation } => {
                if self.is_current(task, generation) {
                    self.task_healthy(task);
                }
            }
            Event::Unhealthy { task, generation } => {
                if self.is_current(task, generation) {
                    self.task_unhealthy(task);
                }
            }
            Event::Crash { task, generation } => {
                if self.is_current(task, generation) {
                    self.begin_stop(task, StopReason::Crashed);
                }
            }
            Event::Complete { task, generation } => {
                if self.is_current(task, generation) {
                    // A task slowed by its throttled burstable instance has work left (`sim/credits.rs`).
                    match self.credits_work_left_ms(task) {
                        Some(left) => self.schedule_in(left, Event::Complete { task, generation }),
                        None => self.begin_stop(task, StopReason::Completed),
                    }
                }
            }
            Event::SpotInterrupt { task, generation } => {
                if self.is_current(task, generation) {
                    self.interrupt_spot_task(task);
                }
            }
            Event::SpotCapacity => self.spot_capacity_arrived(),
            Event::RunTaskCall { workload } => self.run_task_calls(workload),
            Event::Timed { index } => self.timed_event(index as usize),
            Event::InstanceBooted { instance } => self.instance_booted(instance),
            Event::InstanceRegistered { instance } => self.instance_registered(instance),
            Event::ScalingEvaluation { provider } => self.scaling_evaluation(provider),
            Event::SpotNotice { instance } => self.spot_notice(instance),
            Event::SpotTermination { instance } => self.spot_termination(instance),
            Event::RebalanceRecommendation { instance } => self.rebalance_recommendation(instance),
            Event::WaveRecommendation { index } => self.wave_recommendation(index as usize),
            Event::TaskRetirement { index } => self.retire_tasks(index as usize),
            Event::MetricPeriod { service } => self.metric_period(service),
            Event::OverloadCheck { service } => self.overload_check(service),
            Event::CreditsEmpty { instance } => self.credits_empty(instance),
            Event::ScheduledScaling { service, index } => self.scheduled_scaling(service, index as usize),
            Event::QueueTick { queue } => self.queue_tick(queue),
            Event::QueueVisible { queue } => self.queue_visible(queue),
            Event::ProvisioningTimeout { task, generation } => {
                if self.is_current(task, generation) && self.tasks[task].awaiting_capacity {
                    self.begin_stop(task, StopReason::NoCapacity);
                }
            }
            Event::ManagedLaunch { provider } => self.managed_launch(provider),
            Event::IdleCheck { instance, since } => self.idle_check(instance, since),
            Event::PatchingDrain { instance } => self.patching_drain(instance),
            Event::Batch(event) => self.batch_event(event),
        }
    }

    /// A timed event of the scenario: hands the action to the mechanism it concerns.
    #[inline(never)]
    fn timed_event(&mut self, index: usize) {
        match self.scenario.events[index].action.clone() {
            TimedAction::Scale { service, desired } => self.scale_service(ServiceId::from_index(service), desired),
            TimedAction::Deploy { service, task_def } => self.deploy(ServiceId::from_index(service), task_def),
            TimedAction::SpotInterruption { fraction, count } => self.spot_interruption_wave(fraction, count),
            TimedAction::SpotAvailability { capacity_per_minute } => self.set_spot_capacity(capacity_per_minute),
            TimedAction::Ec2SpotWave { provider, instance_type, zone, fraction } => {
                self.ec2_spot_wave(ProviderId::from_index(provider), instance_type, zone, fraction)
            }
            TimedAction::PoolCapacity { provider, instance_type, zone, available } => {
                self.pool_capacity(ProviderId::from_index(provider), instance_type, zone, available)
            }
            TimedAction::FargateTaskRetirement { wait_days, wait_ms, launched_before } => {
                self.task_retirement_notice(wait_days, wait_ms, launched_before)
            }
            TimedAction::InstanceInterruption { instance } => self.interrupt_instance(InstanceId::new(instance)),
            TimedAction::TokensSpent { bucket, tokens } => {
                self.buckets.spent_elsewhere(self.now, bucket, tokens);
            }
        }
    }

    fn is_current(&self, task: TaskId, generation: u32) -> bool {
        self.tasks.is_current(task, generation)
    }

    /// Moves the clock forward, recording every sample whose time has come (state is constant between events).
    fn advance_clock(&mut self, to: SimTime) {
        self.sample_until(to);
        self.now = to;
    }

    /// Checks the model's invariants; used after every event in tests.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.tasks.check()?;
        self.demand.check(|s| (self.services.serving(s), self.services.running(s)))?;
        self.credits.check(|t| {
            let task = &self.tasks[t];
            if task.state == crate::task::TaskState::Running {
                task.instance
            } else {
                None
            }
        })?;
        self.queues.check()?;
        self.batch.check(self.scenario.batch.as_deref())?;
        self.buckets.check(self.now)?;
        self.services.check(&self.tasks)?;
        self.spot.check(&self.tasks, self.batch.spot_waiting(), |job, generation| {
            self.batch.awaiting_spot(job, generation)
        })?;
        self.fleet.check(&self.tasks, &self.scenario.providers, &self.scenario.task_defs)?;
        let batch_fargate = self.batch.fargate_usage(self.scenario.batch.as_deref());
        self.quotas.check(&self.tasks, &self.scenario.task_defs, batch_fargate)?;
        self.accounting.check()
    }
}
