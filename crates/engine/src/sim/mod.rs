//! The discrete-event kernel and the stepping API: `Simulation::new`, `step`, `step_until`, `run_to_end`,
//! `view`, `summary`.
//!
//! Events wait in a binary heap ordered by `(time, sequence)`: two events at the same millisecond run in the order
//! they were scheduled, on every platform. Handlers live in the sibling modules, one per part of the model:
//! `scheduler` (service workflow cycles and deployments), `lifecycle` (a task's walk through its states),
//! `runtask` (RunTask bursts), `spot` (Fargate Spot capacity and interruptions), `report` (summary, view).

mod ec2;
mod ec2_spot;
mod lifecycle;
mod report;
mod runtask;
mod scheduler;
mod spot;

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::bucket::TokenBucket;
use crate::output::{Column, Limiter, Sample, TimeSeries, TraceEntry, TraceWhat};
use crate::rng::SimRng;
use crate::scenario::{BucketParams, CapacityType, Provider, Scenario};
use crate::task::{Task, TaskState};
use crate::time::SimTime;

pub use ec2::Instance;

/// What to record while running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Keep the event trace (costs memory proportional to the number of events).
    pub trace: bool,
    /// Check the model's invariants after every event (slow; for tests).
    pub check_invariants: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { trace: true, check_invariants: false }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    ServiceCycle {
        service: u32,
    },
    /// The task's current state has run its course: move it to the next one.
    Advance {
        task: u32,
        generation: u32,
    },
    Healthy {
        task: u32,
        generation: u32,
    },
    Unhealthy {
        task: u32,
        generation: u32,
    },
    Crash {
        task: u32,
        generation: u32,
    },
    /// A standalone task's essential container exits.
    Complete {
        task: u32,
        generation: u32,
    },
    SpotInterrupt {
        task: u32,
        generation: u32,
    },
    SpotCapacity,
    RunTaskCall {
        workload: u32,
    },
    Timed {
        index: u32,
    },
    InstanceBooted {
        instance: u32,
    },
    InstanceRegistered {
        instance: u32,
    },
    ScalingEvaluation {
        provider: u32,
    },
    ProvisioningTimeout {
        task: u32,
        generation: u32,
    },
    SpotNotice {
        instance: u32,
    },
    SpotTermination {
        instance: u32,
    },
    /// An EC2 rebalance recommendation for an instance that will get its interruption notice later.
    RebalanceRecommendation {
        instance: u32,
    },
    /// The rebalance recommendations ahead of an EC2 Spot wave (timed event `index`): the wave's instances are
    /// chosen now and get their notices at the wave's time.
    WaveRecommendation {
        index: u32,
    },
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
        (self.time, self.sequence).cmp(&(other.time, other.sequence))
    }
}

/// The account-level token buckets.
struct Buckets {
    fargate_on_demand: TokenBucket,
    fargate_spot: TokenBucket,
    run_task_api: TokenBucket,
    fargate_run_task_calls: TokenBucket,
}

impl Buckets {
    /// The account bucket a launch on `provider` takes a token from: Fargate only (EC2 has no task launch limit).
    fn launch(&mut self, provider: Provider) -> Option<&mut TokenBucket> {
        match provider {
            Provider::Fargate => Some(&mut self.fargate_on_demand),
            Provider::FargateSpot => Some(&mut self.fargate_spot),
            Provider::Asg(_) => None,
        }
    }
}

fn bucket(params: BucketParams) -> TokenBucket {
    TokenBucket::new(params.burst, params.per_minute)
}

/// Accumulated cost: a running rate (USD per ms) over the tasks being billed, integrated between changes.
#[derive(Debug, Default)]
struct CostMeter {
    accrued: f64,
    rate_per_ms: f64,
    billing: u32,
    updated: SimTime,
}

impl CostMeter {
    fn advance(&mut self, now: SimTime) {
        if now > self.updated {
            self.accrued += self.rate_per_ms * now.since(self.updated) as f64;
            self.updated = now;
        }
    }

    fn at(&self, now: SimTime) -> f64 {
        self.accrued + self.rate_per_ms * now.since(self.updated) as f64
    }

    fn start(&mut self, now: SimTime, rate_per_ms: f64) {
        self.advance(now);
        self.rate_per_ms += rate_per_ms;
        self.billing += 1;
    }

    fn stop(&mut self, now: SimTime, rate_per_ms: f64, minimum_extra_ms: u64) {
        self.advance(now);
        self.billing -= 1;
        // Adding and removing the same rates can leave a rounding residue; with nothing billed it is exactly zero.
        self.rate_per_ms = if self.billing == 0 { 0.0 } else { self.rate_per_ms - rate_per_ms };
        self.accrued += rate_per_ms * minimum_extra_ms as f64;
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
    tasks: Vec<Task>,
    /// Task counts by state and capacity type, kept in step with every state change.
    state_counts: [[u32; CapacityType::COUNT]; 8],
    healthy_total: u32,
    services: Vec<scheduler::ServiceRt>,
    workloads: Vec<runtask::WorkloadRt>,
    buckets: Buckets,
    spot: spot::SpotRt,
    instances: Vec<ec2::Instance>,
    providers: Vec<ec2::ProviderRt>,
    owner_counts: ec2::OwnerCounts,
    cost: CostMeter,
    series: TimeSeries,
    next_sample: SimTime,
    launches_since_sample: [u32; CapacityType::COUNT],
    trace: Vec<TraceEntry>,
    events_processed: u64,
    interruptions: u64,
    invariant_error: Option<String>,
}

impl Simulation {
    pub fn new(scenario: Scenario, seed: u64) -> Simulation {
        Simulation::with_options(scenario, seed, RunOptions::default())
    }

    pub fn with_options(scenario: Scenario, seed: u64, options: RunOptions) -> Simulation {
        let limits = scenario.limits.clone();
        // About 20,000 samples at most, and never finer than a second.
        let interval_ms = (scenario.horizon.as_millis().div_ceil(20_000)).div_ceil(1000).max(1) * 1000;
        let mut sim = Simulation {
            seed,
            options,
            now: SimTime::ZERO,
            sequence: 0,
            queue: BinaryHeap::new(),
            rng: SimRng::new(seed),
            tasks: Vec::new(),
            state_counts: [[0; CapacityType::COUNT]; 8],
            healthy_total: 0,
            services: Vec::new(),
            workloads: Vec::new(),
            buckets: Buckets {
                fargate_on_demand: bucket(limits.fargate_on_demand),
                fargate_spot: bucket(limits.fargate_spot),
                run_task_api: bucket(limits.run_task_api),
                fargate_run_task_calls: bucket(limits.fargate_run_task_calls),
            },
            spot: spot::SpotRt::new(scenario.spot.capacity_per_minute),
            instances: Vec::new(),
            providers: Vec::new(),
            owner_counts: ec2::OwnerCounts::default(),
            cost: CostMeter::default(),
            series: TimeSeries::new(interval_ms),
            next_sample: SimTime(interval_ms),
            launches_since_sample: [0; CapacityType::COUNT],
            trace: Vec::new(),
            events_processed: 0,
            interruptions: 0,
            invariant_error: None,
            scenario,
        };
        sim.start_ec2();
        sim.start_services();
        sim.start_workloads();
        for index in 0..sim.scenario.events.len() {
            let at = sim.scenario.events[index].at;
            match sim.wave_recommendation_lead(index) {
                Some(lead) => sim.schedule(
                    SimTime(at.as_millis().saturating_sub(lead)),
                    Event::WaveRecommendation { index: index as u32 },
                ),
                None => sim.schedule(at, Event::Timed { index: index as u32 }),
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

    pub fn horizon(&self) -> SimTime {
        self.scenario.horizon
    }

    /// True when nothing is left to happen before the horizon.
    pub fn is_finished(&self) -> bool {
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
        let Reverse(next) = self.queue.pop().expect("queue checked non-empty");
        self.advance_clock(next.time);
        self.events_processed += 1;
        self.handle(next.event);
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

    /// When the next event happens, if anything is left to happen before the horizon.
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.queue.peek().map(|Reverse(next)| next.time).filter(|&t| t <= self.scenario.horizon)
    }

    /// Runs until nothing is left to happen or the horizon is reached. Returns the number of events processed.
    pub fn run_to_end(&mut self) -> u64 {
        while self.step() {}
        self.record_final_sample();
        self.events_processed
    }

    /// Events processed so far.
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    pub fn series(&self) -> &TimeSeries {
        &self.series
    }

    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }

    pub fn tasks(&self) -> &[Task] {
        &self.tasks
    }

    /// Every container instance launched so far, terminated ones included.
    pub fn instances(&self) -> &[Instance] {
        &self.instances
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

    fn record(&mut self, what: TraceWhat) {
        if self.options.trace {
            self.trace.push(TraceEntry { time: self.now, what });
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::ServiceCycle { service } => self.service_cycle(service as usize),
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
                    self.begin_stop(task, crate::task::StopReason::Crashed);
                }
            }
            Event::Complete { task, generation } => {
                if self.is_current(task, generation) {
                    self.begin_stop(task, crate::task::StopReason::Completed);
                }
            }
            Event::SpotInterrupt { task, generation } => {
                if self.is_current(task, generation) {
                    self.interrupt_spot_task(task);
                }
            }
            Event::SpotCapacity => self.spot_capacity_arrived(),
            Event::RunTaskCall { workload } => self.run_task_calls(workload as usize),
            Event::Timed { index } => self.timed_event(index as usize),
            Event::InstanceBooted { instance } => self.instance_booted(instance),
            Event::InstanceRegistered { instance } => self.instance_registered(instance),
            Event::ScalingEvaluation { provider } => self.scaling_evaluation(provider as usize),
            Event::SpotNotice { instance } => self.spot_notice(instance),
            Event::SpotTermination { instance } => self.spot_termination(instance),
            Event::RebalanceRecommendation { instance } => self.rebalance_recommendation(instance),
            Event::WaveRecommendation { index } => self.wave_recommendation(index as usize),
            Event::ProvisioningTimeout { task, generation } => {
                if self.is_current(task, generation) && self.tasks[task as usize].awaiting_capacity {
                    self.begin_stop(task, crate::task::StopReason::NoCapacity);
                }
            }
        }
    }

    fn is_current(&self, task: u32, generation: u32) -> bool {
        self.tasks[task as usize].generation == generation
    }

    /// Moves the clock forward, recording every sample whose time has come (state is constant between events).
    fn advance_clock(&mut self, to: SimTime) {
        while self.next_sample <= to {
            let at = self.next_sample;
            self.take_sample(at);
            self.next_sample = at.plus_ms(self.series.interval_ms);
        }
        self.now = to;
    }

    /// A last, partial sample at the end of the run so the charts reach the end.
    fn record_final_sample(&mut self) {
        let last_sample = self.next_sample.as_millis() - self.series.interval_ms;
        if self.now.as_millis() > last_sample {
            self.take_sample(self.now);
            self.next_sample = self.now.plus_ms(self.series.interval_ms);
        }
    }

    fn take_sample(&mut self, at: SimTime) {
        let interval_s = self.series.interval_ms as f64 / 1000.0;
        let running = self.state_counts[TaskState::Running.index()];
        let provisioning: u32 = self.state_counts[TaskState::Provisioning.index()].iter().sum();
        let pending: u32 = self.state_counts[TaskState::Pending.index()].iter().sum::<u32>()
            + self.state_counts[TaskState::Activating.index()].iter().sum::<u32>();
        let desired: u64 = self.services.iter().map(|s| u64::from(s.desired)).sum();
        let mut values = Sample::default();
        for capacity in CapacityType::ALL {
            values[Column::launches(capacity)] = f64::from(self.launches_since_sample[capacity.index()]) / interval_s;
            values[Column::running(capacity)] = f64::from(running[capacity.index()]);
        }
        values[Column::Desired] = desired as f64;
        values[Column::Healthy] = f64::from(self.healthy_total);
        values[Column::Provisioning] = f64::from(provisioning);
        values[Column::Pending] = f64::from(pending);
        values[Column::Instances] = f64::from(self.live_instances());
        values[Column::Reservation] =
            f64::from(self.providers.iter().filter_map(|p| p.last_reservation).max().unwrap_or(0));
        values[Column::BucketFargateOnDemand] = self.buckets.fargate_on_demand.level_at(at);
        values[Column::BucketFargateSpot] = self.buckets.fargate_spot.level_at(at);
        values[Column::BucketRunTaskApi] = self.buckets.run_task_api.level_at(at);
        values[Column::BucketFargateRunTaskCalls] = self.buckets.fargate_run_task_calls.level_at(at);
        values[Column::SpotCapacityWaiting] = self.spot.waiting_count() as f64;
        values[Column::CostUsd] = self.cost.at(at);
        self.series.push(values);
        self.launches_since_sample = [0; CapacityType::COUNT];
    }

    fn set_state(&mut self, task: u32, state: TaskState) {
        let t = &mut self.tasks[task as usize];
        let capacity = t.capacity.index();
        self.state_counts[t.state.index()][capacity] -= 1;
        self.state_counts[state.index()][capacity] += 1;
        t.state = state;
        self.record(TraceWhat::State { task, state });
    }

    /// Checks the model's invariants; used after every event in tests.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut counts = [[0u32; CapacityType::COUNT]; 8];
        let mut healthy = 0;
        for task in &self.tasks {
            counts[task.state.index()][task.capacity.index()] += 1;
            if task.health == crate::task::Health::Healthy && !task.stopping {
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
        if total as usize != self.tasks.len() {
            return Err("task count not conserved".into());
        }
        if healthy != self.healthy_total {
            return Err(format!("healthy count drifted: kept {}, actual {healthy}", self.healthy_total));
        }
        for (name, bucket) in [
            ("fargate_on_demand", &self.buckets.fargate_on_demand),
            ("fargate_spot", &self.buckets.fargate_spot),
            ("run_task_api", &self.buckets.run_task_api),
            ("fargate_run_task_calls", &self.buckets.fargate_run_task_calls),
        ] {
            let level = bucket.level_at(self.now);
            if !(0.0..=bucket.burst() as f64).contains(&level) {
                return Err(format!("bucket {name} at {level}, outside 0..={}", bucket.burst()));
            }
        }
        self.check_service_invariants()?;
        self.check_instance_invariants()?;
        if self.cost.accrued < 0.0 || self.cost.rate_per_ms < -1e-12 {
            return Err("negative cost".into());
        }
        Ok(())
    }
}
