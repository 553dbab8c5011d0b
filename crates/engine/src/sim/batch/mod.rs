//! The AWS Batch part (`docs/model.md` §12): SubmitJob calls through their token bucket, jobs walking SUBMITTED →
//! PENDING → RUNNABLE → STARTING → RUNNING → SUCCEEDED / FAILED, the scheduler's passes (evaluate submitted jobs,
//! place RUNNABLE jobs queue by queue in priority order, FIFO, over each queue's compute environments in order,
//! scale EC2 compute environments up to maxvCpus and down to minvCpus), retries by `evaluateOnExit`, timeouts,
//! and EC2 Spot reclaims of compute environment instances.
//!
//! [`BatchPart`] owns the jobs, the parent records of each SubmitJob call (`Unit`), the compute environments'
//! instances and the SubmitJob bucket. Jobs are placed "as ECS tasks through the same account buckets": an EC2 job
//! takes a token of the account's RunTask bucket, a Fargate job a Fargate RunTask call token and a Fargate (Spot)
//! launch token, the buckets services and RunTask bursts use (`sim/buckets.rs`). Instances boot and register with
//! the scenario's EC2 latencies and are billed like Auto Scaling group instances (`sim/fleet/ec2.rs`); Fargate
//! jobs start with the Fargate task latencies and are billed like Fargate tasks (`sim/tasks/lifecycle.rs`).
//! The pure decisions (instance type, placement, retry) are in `plan.rs`.

mod explain;
pub(crate) mod plan;

use std::collections::VecDeque;

use super::accounting::{Charge, Payer};
use super::Simulation;
use crate::bucket::TokenBucket;
use crate::defaults as d;
use crate::instance_types::InstanceType;
use crate::output::{
    BatchColumn, BatchInstanceView, BatchJobRecord, BatchJobState, BatchQueueSummary, BatchStateCount, BatchSummary,
    BatchView, ComputeEnvironmentSummary, ComputeEnvironmentView, JobQueueView, TraceWhat,
};
use crate::scenario::{Batch, CapacityType, JobDefinition, JobDependency, Step};
use crate::spec::ComputeEnvironmentType as CeType;
use crate::time::SimTime;
use plan::{Exit, Need};

const NONE: u32 = u32::MAX;

/// The Fargate capacity a FARGATE or FARGATE_SPOT compute environment's jobs run on.
fn fargate_provider(kind: CeType) -> crate::scenario::Provider {
    if kind == CeType::FargateSpot {
        crate::scenario::Provider::FargateSpot
    } else {
        crate::scenario::Provider::Fargate
    }
}
const MS_PER_HOUR: f64 = 3_600_000.0;

/// Events of the Batch part (wrapped in the kernel's `Event::Batch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BatchEvent {
    /// SubmitJob call `call` (index into [`Batch::calls`]) is made, or retried after throttling.
    Submit { call: u32 },
    /// A pass of the Batch scheduler.
    Pass,
    /// Placing again once a throttled bucket has a token: Batch calls RunTask "at the maximum allowed rate"
    /// (domain.md §2), not only once a pass.
    Dispatch,
    /// A compute environment instance has booted and registered.
    InstanceReady { instance: u32 },
    /// Job `job`'s container is up (STARTING → RUNNING).
    Started { job: u32, generation: u32 },
    /// Job `job`'s container exits by itself.
    Exited { job: u32, generation: u32 },
    /// Job `job`'s attempt has run past its timeout (and the SIGKILL grace).
    TimedOut { job: u32, generation: u32 },
    /// Spot interruption `index` of the scenario gives its notices.
    SpotNotice { index: u32 },
    /// A reclaimed instance is terminated (two minutes after its notice).
    SpotTerminate { instance: u32 },
    /// A random EC2 Spot interruption notice for one SPOT instance (its type's rate per instance-hour).
    RandomSpotNotice { instance: u32 },
    /// Pool capacity change `index` (into [`Batch::pool_capacity`]) of the scenario.
    PoolCapacity { index: u32 },
    /// A random Fargate Spot interruption of job `job`'s task (the scenario's rate per task-hour).
    FargateSpotWarning { job: u32, generation: u32 },
    /// Job `job`'s interrupted Fargate Spot task has stopped.
    FargateSpotStopped { job: u32, generation: u32 },
}

#[derive(Debug, Clone)]
struct Job {
    unit: u32,
    /// Index in an array (0 for a single job).
    index: u32,
    state: BatchJobState,
    /// Attempts that reached RUNNING.
    attempts: u32,
    generation: u32,
    /// Dependencies not yet met.
    unmet: u32,
    ce: u16,
    instance: u32,
    submitted_at: SimTime,
    first_running: Option<SimTime>,
    /// When its current (or last) attempt reached RUNNING: its timeout counts from then (`explain.rs` reads it).
    started_at: SimTime,
    placed_at: SimTime,
    ended_at: Option<SimTime>,
    /// Its Fargate Spot task has had the interruption warning and is stopping (STARTING or RUNNING until then).
    interrupted: bool,
    /// STARTING on a FARGATE_SPOT compute environment, its task waiting for Fargate Spot capacity (not billed).
    awaiting_spot: bool,
    /// Vcpu-milliseconds used on its compute environments (for sharing their cost by queue).
    vcpu_ms: f64,
}

/// What one SubmitJob call created: a single job or an array's children.
#[derive(Debug, Clone)]
struct Unit {
    submission: u16,
    first_job: u32,
    size: u32,
    ended: u32,
    failed: u32,
    /// Units whose every job waits for this whole unit.
    dependents: Vec<u32>,
    /// Units whose child i waits for this unit's child i.
    n_to_n: Vec<u32>,
}

#[derive(Debug, Clone)]
struct Instance {
    ce: u16,
    itype: InstanceType,
    spot: bool,
    launched: SimTime,
    ready: bool,
    /// Set at a Spot notice. Jobs are still placed on it: ECS drains an instance at its notice only with
    /// `ECS_ENABLE_SPOT_INSTANCE_DRAINING=true`, off by default (`docs/model.md` §4.5), and the Batch scheduler
    /// places jobs on the cluster's ACTIVE instances.
    reclaimed: bool,
    terminated: Option<SimTime>,
    free_milli: u32,
    free_mib: u32,
    jobs: u32,
    /// The jobs STARTING or RUNNING on it (at most its vCPUs).
    on: Vec<u32>,
    /// When it last had no jobs (`None` while it has some); `ever_used` tells a new instance from an idle one.
    idle_since: Option<SimTime>,
    ever_used: bool,
    rate_per_ms: f64,
}

#[derive(Debug, Clone, Default)]
struct CeState {
    /// vCPUs of live instances (launching included).
    live_vcpus: u32,
    /// Fargate: vCPU thousandths of the jobs placed.
    fargate_milli: u64,
    /// vCPUs of its instances still booting or registering.
    launching_vcpus: u32,
    /// vCPU thousandths free on its registered, live instances.
    free_ready_milli: u64,
    peak_vcpus: u32,
    launched: u64,
    /// Fargate jobs' cost so far (closed billing); instances' cost is read from them.
    fargate_cost: f64,
    /// vCPU-ms used on it by each queue (index by queue).
    vcpu_ms_by_queue: Vec<f64>,
}

/// AWS Batch's state in the run.
#[derive(Default)]
pub(super) struct BatchPart {
    used: bool,
    jobs: Vec<Job>,
    units: Vec<Unit>,
    /// The unit of each submission's (single) call, once made: dependencies name it.
    unit_of_submission: Vec<u32>,
    /// Units submitted but not yet evaluated by a pass.
    to_evaluate: Vec<u32>,
    runnable: Vec<VecDeque<u32>>,
    runnable_milli: Vec<u64>,
    instances: Vec<Instance>,
    /// Per compute environment: its registered, live instances with vCPU and memory free (what placement scans,
    /// so full instances cost nothing per job).
    with_room: Vec<std::collections::BTreeSet<u32>>,
    /// Per compute environment: its registered, live instances without jobs (what scale-down looks at).
    idle: Vec<std::collections::BTreeSet<u32>>,
    ces: Vec<CeState>,
    counts: [u32; 7],
    /// vCPU thousandths of the jobs STARTING or RUNNING (EC2 and Fargate).
    in_use_milli: u64,
    submit_bucket: Option<TokenBucket>,
    pass_at: Option<SimTime>,
    /// When a dispatch waits for a throttled bucket's next token.
    dispatch_at: Option<SimTime>,
    calls_open: u32,
    first_call: Option<SimTime>,
    last_end: SimTime,
    retries: u64,
    spot_reclaims: u64,
    /// Per compute environment, per instance type (index into its types): the pool has no capacity now.
    dry: Vec<Vec<bool>>,
    launches_refused: u64,
    /// Jobs whose task waits for Fargate Spot capacity (`Job::awaiting_spot`).
    spot_waiting: u32,
    timeouts: u64,
    submit_calls: u64,
    submit_throttled: u64,
    run_task_throttled: u64,
}

impl BatchPart {
    pub(super) fn is_used(&self) -> bool {
        self.used
    }

    /// Jobs whose Fargate Spot task waits for capacity.
    pub(super) fn spot_waiting(&self) -> u32 {
        self.spot_waiting
    }

    /// Job `job` waits for Fargate Spot capacity in attempt `generation` (its entry in the pool's queue is current).
    pub(super) fn awaiting_spot(&self, job: u32, generation: u32) -> bool {
        let j = &self.jobs[job as usize];
        j.awaiting_spot && j.generation == generation
    }

    fn set_state(&mut self, job: u32, state: BatchJobState) {
        let j = &mut self.jobs[job as usize];
        self.counts[j.state.index()] -= 1;
        self.counts[state.index()] += 1;
        j.state = state;
    }

    /// vCPU thousandths of the jobs placed on FARGATE and FARGATE_SPOT compute environments (the usage counting
    /// against the account's Fargate On-Demand and Fargate Spot vCPU quotas, `sim/quotas.rs`).
    pub(super) fn fargate_usage(&self, batch: Option<&Batch>) -> [u64; 2] {
        let mut usage = [0u64; 2];
        if let Some(b) = batch {
            for (ce, state) in b.compute_environments.iter().zip(&self.ces) {
                match ce.kind {
                    CeType::Fargate => usage[0] += state.fargate_milli,
                    CeType::FargateSpot => usage[1] += state.fargate_milli,
                    _ => {}
                }
            }
        }
        usage
    }

    /// Counts by state equal a recount; no instance holds more than it has; Fargate usage equals its jobs'.
    pub(super) fn check(&self, batch: Option<&Batch>) -> Result<(), String> {
        let Some(batch) = batch else { return Ok(()) };
        let mut counts = [0u32; 7];
        let mut on_instance = vec![(0u64, 0u64, 0u32); self.instances.len()];
        let mut fargate = vec![0u64; self.ces.len()];
        for j in &self.jobs {
            counts[j.state.index()] += 1;
            if matches!(j.state, BatchJobState::Starting | BatchJobState::Running) {
                let def = &batch.definitions
                    [batch.submissions[self.units[j.unit as usize].submission as usize].definition as usize];
                if j.instance == NONE {
                    fargate[j.ce as usize] += u64::from(def.vcpu_milli);
                } else {
                    let slot = &mut on_instance[j.instance as usize];
                    slot.0 += u64::from(def.vcpu_milli);
                    slot.1 += u64::from(def.memory_mib);
                    slot.2 += 1;
                }
            }
        }
        let in_use: u64 = on_instance.iter().map(|x| x.0).sum::<u64>() + fargate.iter().sum::<u64>();
        if in_use != self.in_use_milli {
            return Err(format!("batch vCPUs in use {} differ from a recount {in_use}", self.in_use_milli));
        }
        if counts != self.counts {
            return Err(format!("batch job counts {:?} differ from a recount {counts:?}", self.counts));
        }
        for (i, inst) in self.instances.iter().enumerate() {
            let (cpu, mem, n) = on_instance[i];
            if u64::from(inst.free_milli) + cpu != u64::from(inst.itype.vcpu) * 1000
                || u64::from(inst.free_mib) + mem != u64::from(inst.itype.registered_memory_mib(0))
                || inst.jobs != n
            {
                return Err(format!("batch instance {i}: free resources disagree with its {n} jobs"));
            }
            let room = inst.ready && inst.terminated.is_none() && inst.free_milli > 0 && inst.free_mib > 0;
            if room != self.with_room[inst.ce as usize].contains(&crate::narrow::u32_of(i)) {
                return Err(format!("batch instance {i}: the with-room index disagrees"));
            }
            let idle = inst.ready && inst.terminated.is_none() && inst.jobs == 0;
            if idle != self.idle[inst.ce as usize].contains(&crate::narrow::u32_of(i)) {
                return Err(format!("batch instance {i}: the idle index disagrees"));
            }
            if inst.on.len() != inst.jobs as usize {
                return Err(format!("batch instance {i}: its job list disagrees with its count"));
            }
            if inst.terminated.is_some() && n > 0 {
                return Err(format!("batch instance {i} is terminated with {n} jobs"));
            }
        }
        for (c, ce) in self.ces.iter().enumerate() {
            if ce.fargate_milli != fargate[c] {
                return Err(format!("batch compute environment {c}: Fargate usage disagrees with its jobs"));
            }
            let free: u64 = self
                .instances
                .iter()
                .filter(|i| i.ce as usize == c && i.ready && i.terminated.is_none())
                .map(|i| u64::from(i.free_milli))
                .sum();
            if free != ce.free_ready_milli {
                return Err(format!(
                    "batch compute environment {c}: free vCPUs {} differ from a recount {free}",
                    ce.free_ready_milli
                ));
            }
            let live: u32 = self
                .instances
                .iter()
                .filter(|i| i.ce as usize == c && i.terminated.is_none())
                .map(|i| i.itype.vcpu)
                .sum();
            if live != ce.live_vcpus {
                return Err(format!("batch compute environment {c}: {} live vCPUs, a recount {live}", ce.live_vcpus));
            }
        }
        if let Some(j) = self
            .jobs
            .iter()
            .position(|j| j.interrupted && !matches!(j.state, BatchJobState::Starting | BatchJobState::Running))
        {
            return Err(format!("batch job {j} is marked interrupted but is not STARTING or RUNNING"));
        }
        if let Some(j) = self.jobs.iter().position(|j| {
            j.awaiting_spot && (j.state != BatchJobState::Starting || j.interrupted || j.instance != NONE)
        }) {
            return Err(format!("batch job {j} waits for Fargate Spot capacity but is not a STARTING Fargate job"));
        }
        let waiting = crate::narrow::u32_of(self.jobs.iter().filter(|j| j.awaiting_spot).count());
        if waiting != self.spot_waiting {
            return Err(format!(
                "batch jobs waiting for Fargate Spot capacity: {} counted, {waiting}",
                self.spot_waiting
            ));
        }
        for (q, deque) in self.runnable.iter().enumerate() {
            if deque.iter().any(|&j| self.jobs[j as usize].state != BatchJobState::Runnable) {
                return Err(format!("batch queue {q} lists a job that is not RUNNABLE"));
            }
        }
        Ok(())
    }
}

impl Simulation {
    fn batch_spec(&self) -> &Batch {
        self.scenario.batch.as_ref().expect("Batch events only in scenarios with Batch")
    }

    /// The job definition a job was submitted with.
    fn batch_definition(&self, job: u32) -> &JobDefinition {
        let b = self.batch_spec();
        let unit = &self.batch.units[self.batch.jobs[job as usize].unit as usize];
        &b.definitions[b.submissions[unit.submission as usize].definition as usize]
    }

    fn batch_need(&self, job: u32) -> Need {
        let def = self.batch_definition(job);
        Need { vcpu_milli: def.vcpu_milli, memory_mib: def.memory_mib }
    }

    fn batch_queue_of(&self, job: u32) -> usize {
        let unit = &self.batch.units[self.batch.jobs[job as usize].unit as usize];
        self.batch_spec().submissions[unit.submission as usize].queue as usize
    }

    /// Sets up the part: the SubmitJob bucket, each call's event, the instances for desiredvCpus (running when the
    /// run starts), the Spot interruptions.
    pub(super) fn start_batch(&mut self) {
        let Some(b) = self.scenario.batch.clone() else { return };
        self.batch.used = true;
        self.batch.submit_bucket = Some(TokenBucket::new(b.submit_job.burst, b.submit_job.per_minute));
        self.batch.unit_of_submission = vec![NONE; b.submissions.len()];
        self.batch.runnable = vec![VecDeque::new(); b.queues.len()];
        self.batch.runnable_milli = vec![0; b.queues.len()];
        self.batch.with_room = vec![std::collections::BTreeSet::new(); b.compute_environments.len()];
        self.batch.idle = vec![std::collections::BTreeSet::new(); b.compute_environments.len()];
        self.batch.ces = vec![
            CeState { vcpu_ms_by_queue: vec![0.0; b.queues.len()], ..CeState::default() };
            b.compute_environments.len()
        ];
        self.batch.calls_open = crate::narrow::u32_of(b.calls.len());
        for (i, call) in b.calls.iter().enumerate() {
            self.schedule(call.at, super::Event::Batch(BatchEvent::Submit { call: crate::narrow::u32_of(i) }));
        }
        self.batch.dry = b.compute_environments.iter().map(|ce| vec![false; ce.instance_types.len()]).collect();
        // Pools dry from the start apply before the desiredvCpus instances are chosen; later changes are events.
        for (i, e) in b.pool_capacity.iter().enumerate() {
            if e.at == SimTime::ZERO {
                self.batch_pool_capacity(i);
            } else {
                self.schedule(e.at, super::Event::Batch(BatchEvent::PoolCapacity { index: crate::narrow::u32_of(i) }));
            }
        }
        for (c, ce) in b.compute_environments.iter().enumerate() {
            let need = Need { vcpu_milli: 1000, memory_mib: 1 };
            while self.batch.ces[c].live_vcpus < ce.desired_vcpus {
                let missing = u64::from(ce.desired_vcpus - self.batch.ces[c].live_vcpus) * 1000;
                let plan::Launch::Type(t) = self.batch_choose_launch(c, need, missing) else { break };
                let id = self.batch_launch(c, ce.instance_types[t]);
                self.batch_instance_ready(id);
            }
        }
        for (i, w) in b.spot_interruptions.iter().enumerate() {
            self.schedule(w.at, super::Event::Batch(BatchEvent::SpotNotice { index: crate::narrow::u32_of(i) }));
        }
        // Instances above minvCpus with nothing to run go at the first pass.
        if self.batch_active() {
            self.batch_arm_pass();
        }
    }

    #[inline(never)]
    pub(super) fn batch_event(&mut self, event: BatchEvent) {
        match event {
            BatchEvent::Submit { call } => self.batch_submit(call),
            BatchEvent::Pass => self.batch_pass(),
            BatchEvent::Dispatch => {
                if self.batch.dispatch_at == Some(self.now) {
                    self.batch.dispatch_at = None;
                    self.batch_dispatch();
                }
            }
            BatchEvent::InstanceReady { instance } => {
                if self.batch.instances[instance as usize].terminated.is_none() {
                    self.batch_instance_ready(instance);
                    self.batch_arm_pass();
                }
            }
            BatchEvent::Started { job, generation } => {
                if self.batch_current(job, generation, BatchJobState::Starting) {
                    self.batch_job_running(job);
                }
            }
            BatchEvent::Exited { job, generation } => {
                if self.batch_current(job, generation, BatchJobState::Running) {
                    let p = self.batch_spec().submissions
                        [self.batch.units[self.batch.jobs[job as usize].unit as usize].submission as usize]
                        .failure_probability;
                    if p > 0.0 && self.rng.chance(p) {
                        let exit = Exit {
                            exit_code: Some(1),
                            reason: None,
                            status_reason: "Essential container in task exited".into(),
                        };
                        self.batch_attempt_failed(job, &exit);
                    } else {
                        self.batch_job_ended(job, BatchJobState::Succeeded);
                    }
                }
            }
            BatchEvent::TimedOut { job, generation } => {
                if self.batch_current(job, generation, BatchJobState::Running) {
                    // "If a job is terminated for exceeding the timeout duration, it isn't retried" ("Job timeouts").
                    self.batch.timeouts += 1;
                    self.batch_job_ended(job, BatchJobState::Failed);
                }
            }
            BatchEvent::SpotNotice { index } => self.batch_spot_notice(index as usize),
            BatchEvent::SpotTerminate { instance } => self.batch_spot_terminate(instance),
            BatchEvent::RandomSpotNotice { instance } => self.batch_random_spot_notice(instance),
            BatchEvent::PoolCapacity { index } => {
                self.batch_pool_capacity(index as usize);
                self.batch_arm_pass();
            }
            BatchEvent::FargateSpotWarning { job, generation } => {
                if self.batch_current(job, generation, BatchJobState::Running)
                    || self.batch_current(job, generation, BatchJobState::Starting)
                {
                    self.batch_fargate_spot_warning(job);
                }
            }
            BatchEvent::FargateSpotStopped { job, generation } => {
                let j = &self.batch.jobs[job as usize];
                if j.generation == generation && j.interrupted {
                    self.batch_fargate_spot_stopped(job);
                }
            }
        }
    }

    fn batch_current(&self, job: u32, generation: u32, state: BatchJobState) -> bool {
        let j = &self.batch.jobs[job as usize];
        j.generation == generation && j.state == state
    }

    /// Schedules the next scheduler pass on the interval's grid, unless one is already due.
    fn batch_arm_pass(&mut self) {
        let interval = self.batch_spec().scheduler_interval_ms;
        let at = SimTime(self.now.as_millis().div_ceil(interval).max(1) * interval);
        let at = if at <= self.now { self.now.plus_ms(interval) } else { at };
        if self.batch.pass_at.is_some_and(|p| p >= self.now && p <= at) {
            return;
        }
        self.batch.pass_at = Some(at);
        self.schedule(at, super::Event::Batch(BatchEvent::Pass));
    }

    /// A SubmitJob call: one token of the SubmitJob bucket, or a retry when one is back ("Maximum number of
    /// transactions per second (TPS) for each account for SubmitJob operations: 50"; SDKs retry throttled calls).
    fn batch_submit(&mut self, call: u32) {
        let now = self.now;
        let bucket = self.batch.submit_bucket.as_mut().expect("set at start");
        if !bucket.try_take(now, 1) {
            self.batch.submit_throttled += 1;
            let at = bucket.time_until(now, 1).unwrap_or(SimTime(u64::MAX / 2));
            self.schedule(at, super::Event::Batch(BatchEvent::Submit { call }));
            let b = self.batch_spec();
            let submission = b.submissions[b.calls[call as usize].submission as usize].name.clone();
            self.record(TraceWhat::BatchSubmitThrottled { submission });
            return;
        }
        self.batch.submit_calls += 1;
        self.batch.calls_open -= 1;
        self.batch.first_call.get_or_insert(now);
        let b = self.scenario.batch.as_ref().expect("Batch scenario");
        let submission = b.calls[call as usize].submission;
        let sub = &b.submissions[submission as usize];
        let size = sub.array_size.max(1);
        let array_size = sub.array_size;
        let unit = crate::narrow::u32_of(self.batch.units.len());
        let first_job = crate::narrow::u32_of(self.batch.jobs.len());
        let deps = sub.dependencies.clone();
        let sequential = sub.sequential;
        self.batch.units.push(Unit {
            submission,
            first_job,
            size,
            ended: 0,
            failed: 0,
            dependents: Vec::new(),
            n_to_n: Vec::new(),
        });
        self.batch.unit_of_submission[submission as usize] = unit;
        for index in 0..size {
            self.batch.jobs.push(Job {
                unit,
                index,
                state: BatchJobState::Submitted,
                attempts: 0,
                generation: 0,
                unmet: u32::from(sequential && index > 0),
                ce: 0,
                instance: NONE,
                submitted_at: now,
                first_running: None,
                started_at: now,
                placed_at: now,
                ended_at: None,
                interrupted: false,
                awaiting_spot: false,
                vcpu_ms: 0.0,
            });
        }
        self.batch.counts[BatchJobState::Submitted.index()] += size;
        // Dependencies: on a whole unit (every job waits), or index by index (N_TO_N). A dependency already failed
        // fails the job at its evaluation; one already met counts for nothing.
        let mut doomed: Vec<u32> = Vec::new();
        for dep in deps {
            let (JobDependency::Job(other) | JobDependency::NToN(other)) = dep;
            let other = self.batch.unit_of_submission[other as usize];
            let o = &self.batch.units[other as usize];
            match dep {
                JobDependency::Job(_) => {
                    if o.ended == o.size {
                        if o.failed > 0 {
                            doomed.extend(first_job..first_job + size);
                        }
                    } else {
                        self.batch.units[other as usize].dependents.push(unit);
                        for j in first_job..first_job + size {
                            self.batch.jobs[j as usize].unmet += 1;
                        }
                    }
                }
                JobDependency::NToN(_) => {
                    let other_first = o.first_job;
                    self.batch.units[other as usize].n_to_n.push(unit);
                    for i in 0..size {
                        match self.batch.jobs[(other_first + i) as usize].state {
                            BatchJobState::Succeeded => {}
                            BatchJobState::Failed => doomed.push(first_job + i),
                            _ => self.batch.jobs[(first_job + i) as usize].unmet += 1,
                        }
                    }
                }
            }
        }
        self.batch.to_evaluate.push(unit);
        let name = self.batch_spec().submissions[submission as usize].name.clone();
        self.record(TraceWhat::BatchSubmitted { submission: name, children: array_size });
        self.batch_fail_cascade(doomed);
        self.batch_arm_pass();
    }

    /// A pass of the scheduler: evaluate what was submitted, place RUNNABLE jobs, scale compute environments.
    fn batch_pass(&mut self) {
        if self.batch.pass_at != Some(self.now) {
            return;
        }
        self.batch.pass_at = None;
        // SUBMITTED → PENDING (dependencies outstanding) or RUNNABLE ("Job states").
        for unit in std::mem::take(&mut self.batch.to_evaluate) {
            let u = &self.batch.units[unit as usize];
            for job in u.first_job..u.first_job + u.size {
                if self.batch.jobs[job as usize].state != BatchJobState::Submitted {
                    continue;
                }
                if self.batch.jobs[job as usize].unmet > 0 {
                    self.batch.set_state(job, BatchJobState::Pending);
                } else {
                    self.batch_make_runnable(job);
                }
            }
        }
        self.batch_dispatch();
        self.batch_scale();
        if self.batch_active() {
            self.batch_arm_pass();
        }
    }

    /// Whether another pass has something to do: jobs not yet ended, calls to come, or instances that may go.
    fn batch_active(&self) -> bool {
        let c = &self.batch.counts;
        let open = c[BatchJobState::Submitted.index()]
            + c[BatchJobState::Pending.index()]
            + c[BatchJobState::Runnable.index()]
            + c[BatchJobState::Starting.index()]
            + c[BatchJobState::Running.index()];
        if open > 0 {
            return true;
        }
        let b = self.batch_spec();
        (0..b.compute_environments.len()).any(|c| self.batch.ces[c].live_vcpus > b.compute_environments[c].min_vcpus)
    }

    fn batch_make_runnable(&mut self, job: u32) {
        self.batch.set_state(job, BatchJobState::Runnable);
        let q = self.batch_queue_of(job);
        let need = self.batch_need(job);
        self.batch.runnable[q].push_back(job);
        self.batch.runnable_milli[q] += u64::from(need.vcpu_milli);
    }

    /// Queues in descending priority (ties in file order); in each, jobs in FIFO order over the queue's compute
    /// environments in order. "Job queues with a higher priority ... are evaluated first when associated with the
    /// same compute environment" (CreateJobQueue); "Compute environments are selected for job placement in
    /// ascending order" (JobQueueDetail). A queue whose first job fits nowhere waits for the next pass.
    fn batch_dispatch(&mut self) {
        let b = std::sync::Arc::clone(self.scenario.batch.as_ref().expect("Batch scenario"));
        let mut order: Vec<usize> = (0..b.queues.len()).collect();
        order.sort_by_key(|&q| std::cmp::Reverse(b.queues[q].priority));
        let mut retry_at: Option<SimTime> = None;
        for q in order {
            while let Some(&job) = self.batch.runnable[q].front() {
                let need = self.batch_need(job);
                let mut placed = false;
                for &c in &b.queues[q].compute_environments {
                    let ce = &b.compute_environments[c as usize];
                    if ce.kind.is_fargate() {
                        let in_use = self.batch.ces[c as usize].fargate_milli;
                        if in_use + u64::from(need.vcpu_milli) > u64::from(ce.max_vcpus) * 1000 {
                            continue;
                        }
                        let provider = fargate_provider(ce.kind);
                        // The account's Fargate vCPU quota (`docs/model.md` §4.8, §12.9): Batch's RunTask for the
                        // job is refused ("If you attempt to exceed the quota for a resource, the request fails",
                        // Amazon ECS service quotas) and the job stays RUNNABLE at the head of its queue, tried
                        // again at the next scheduler pass ("Jobs stuck in a RUNNABLE status": something "is
                        // preventing the jobs from being placed on a compute resource and causing your job queues
                        // to be blocked"). Checked before the buckets: the refused call takes no launch token.
                        if let Some(quota) = self.batch_quota_refuses(provider, need.vcpu_milli) {
                            let usage = self.fargate_usage(provider);
                            self.quota_refused(quota, format!("batch compute environment {}", ce.name), 1, usage);
                            continue;
                        }
                        if self.buckets.launch_room(self.now, provider) == 0 {
                            self.batch.run_task_throttled += 1;
                            let now = self.now;
                            let calls = self.buckets.fargate_run_task_calls.time_until(now, 1);
                            let launch = self.buckets.launch(provider).and_then(|bucket| bucket.time_until(now, 1));
                            if let (Some(a), Some(b)) = (calls, launch) {
                                retry_at = Some(retry_at.map_or(a.max(b), |r: SimTime| r.min(a.max(b))));
                            }
                            continue;
                        }
                        let now = self.now;
                        let took = self.buckets.fargate_run_task_calls.try_take(now, 1)
                            && self.buckets.launch(provider).is_some_and(|bucket| bucket.try_take(now, 1));
                        debug_assert!(took, "launch_room said there was room");
                        self.batch_place(job, c, NONE);
                        placed = true;
                        break;
                    }
                    // Best fit among the first 64 instances (by id) with room for the job: bounded work per job
                    // however large the environment (the engine's simplification of best fit).
                    let instances = &self.batch.instances;
                    let free = self.batch.with_room[c as usize]
                        .iter()
                        .map(|&i| {
                            let inst = &instances[i as usize];
                            (i as usize, inst.free_milli, inst.free_mib)
                        })
                        .filter(|&(_, cpu, mem)| cpu >= need.vcpu_milli && mem >= need.memory_mib)
                        .take(64);
                    let Some(instance) = plan::best_instance(free, need) else { continue };
                    if !self.buckets.run_task_api.try_take(self.now, 1) {
                        self.batch.run_task_throttled += 1;
                        if let Some(a) = self.buckets.run_task_api.time_until(self.now, 1) {
                            retry_at = Some(retry_at.map_or(a, |r: SimTime| r.min(a)));
                        }
                        continue;
                    }
                    self.batch_place(job, c, crate::narrow::u32_of(instance));
                    placed = true;
                    break;
                }
                if !placed {
                    break;
                }
            }
        }
        if let Some(at) = retry_at {
            if self.batch.dispatch_at.is_none_or(|d| d < self.now || d > at) {
                self.batch.dispatch_at = Some(at);
                self.schedule(at, super::Event::Batch(BatchEvent::Dispatch));
            }
        }
    }

    /// RUNNABLE → STARTING on compute environment `c` (on `instance`, or Fargate with `NONE`): the container is
    /// pulled and started with the scenario's task latencies. A FARGATE_SPOT job's task first needs a Fargate Spot
    /// capacity grant (`sim/fargate_spot.rs`): it stays STARTING, holding its place in the compute environment,
    /// until the grant (`batch_spot_granted`), at once when the pool has capacity.
    fn batch_place(&mut self, job: u32, c: u16, instance: u32) {
        let need = self.batch_need(job);
        let q = self.batch_queue_of(job);
        let popped = self.batch.runnable[q].pop_front();
        debug_assert_eq!(popped, Some(job));
        self.batch.runnable_milli[q] -= u64::from(need.vcpu_milli);
        self.batch.set_state(job, BatchJobState::Starting);
        let lat = self.scenario.latencies.clone();
        let b = self.batch_spec();
        let def = self.batch_definition(job);
        let image_mb = def.image_mb;
        let kind = b.compute_environments[c as usize].kind;
        let delay = if instance == NONE {
            None
        } else {
            // EC2: the agent's hand-off, the image pull on the instance, the container start.
            let transfer =
                Step { mean_ms: image_mb / lat.ec2_image_pull_mb_per_s * 1000.0, spread: lat.image_pull_base.spread };
            Some(self.draw_step(lat.agent_handoff) + self.draw_step(transfer) + self.draw_step(lat.container_start))
        };
        let j = &mut self.batch.jobs[job as usize];
        j.ce = c;
        j.instance = instance;
        j.placed_at = self.now;
        j.generation += 1;
        j.interrupted = false;
        self.batch.in_use_milli += u64::from(need.vcpu_milli);
        let generation = j.generation;
        if let Some(delay) = delay {
            let inst = &mut self.batch.instances[instance as usize];
            inst.free_milli -= need.vcpu_milli;
            inst.free_mib -= need.memory_mib;
            inst.jobs += 1;
            inst.on.push(job);
            if inst.free_milli == 0 || inst.free_mib == 0 {
                self.batch.with_room[c as usize].remove(&instance);
            }
            self.batch.idle[c as usize].remove(&instance);
            self.batch.ces[c as usize].free_ready_milli -= u64::from(need.vcpu_milli);
            inst.idle_since = None;
            inst.ever_used = true;
            self.schedule_in(delay, super::Event::Batch(BatchEvent::Started { job, generation }));
            return;
        }
        let ce = &mut self.batch.ces[c as usize];
        ce.fargate_milli += u64::from(need.vcpu_milli);
        ce.peak_vcpus = ce.peak_vcpus.max(crate::narrow::u32_of_u64(ce.fargate_milli.div_ceil(1000)));
        // The task counts against the account's Fargate vCPU quota from the RunTask call on, waiting or not.
        self.quota_batch_job(fargate_provider(kind), need.vcpu_milli, true);
        if kind == CeType::FargateSpot {
            // "STARTING: These jobs have been scheduled to a host and the relevant container initiation operations
            // are underway" ("Job states"); the AWS Batch User Guide says nothing of a job whose Fargate Spot task
            // waits for capacity, so the job stays STARTING while its task waits in ECS's PROVISIONING.
            self.batch.jobs[job as usize].awaiting_spot = true;
            self.batch.spot_waiting += 1;
            self.spot_enqueue_batch(job, generation);
        } else {
            self.batch_fargate_started(job);
        }
    }

    /// Job `job` (attempt `generation`) is waiting for Fargate Spot capacity.
    pub(super) fn batch_awaiting_spot(&self, job: u32, generation: u32) -> bool {
        self.batch.awaiting_spot(job, generation)
    }

    /// The Fargate Spot pool granted capacity to job `job`'s task: its start goes on as on Fargate.
    pub(super) fn batch_spot_granted(&mut self, job: u32) {
        let j = &mut self.batch.jobs[job as usize];
        debug_assert!(j.awaiting_spot && j.state == BatchJobState::Starting);
        j.awaiting_spot = false;
        // Billing and the job's use of the environment start from the grant.
        j.placed_at = self.now;
        self.batch.spot_waiting -= 1;
        self.batch_fargate_started(job);
    }

    /// A Fargate job's task has capacity: capacity, the task's ENI, the image pull (no cache), the container start
    /// (`docs/model.md` §5); billed from now, per second with a one-minute minimum (`docs/model.md` §6); on Fargate
    /// Spot, interrupted at the scenario's random rate per task-hour, as every Fargate Spot task is
    /// (`sim/tasks/lifecycle.rs`).
    fn batch_fargate_started(&mut self, job: u32) {
        let lat = self.scenario.latencies.clone();
        let b = self.batch_spec();
        let def = self.batch_definition(job);
        let image_mb = def.image_mb;
        let kind = b.compute_environments[self.batch.jobs[job as usize].ce as usize].kind;
        let transfer =
            Step { mean_ms: image_mb / lat.image_pull_mb_per_s * 1000.0, spread: lat.image_pull_base.spread };
        let delay = self.draw_step(lat.fargate_capacity)
            + self.draw_step(lat.eni_attach)
            + self.draw_step(lat.image_pull_base)
            + self.draw_step(transfer)
            + self.draw_step(lat.container_start);
        let need = self.batch_need(job);
        let (rate, charge) = self.batch_fargate_rate(need, kind);
        self.accounting.start_billing(self.now, rate, &charge);
        let generation = self.batch.jobs[job as usize].generation;
        let rate = self.scenario.spot.interruptions_per_task_hour;
        if kind == CeType::FargateSpot && rate > 0.0 {
            let after = self.rng.exponential_ms(MS_PER_HOUR / rate);
            if self.now.plus_ms(after) < self.scenario.horizon {
                self.schedule_in(after, super::Event::Batch(BatchEvent::FargateSpotWarning { job, generation }));
            }
        }
        self.schedule_in(delay, super::Event::Batch(BatchEvent::Started { job, generation }));
    }

    fn draw_step(&mut self, step: Step) -> u64 {
        self.rng.lognormal_ms(step.mean_ms, step.spread)
    }

    fn batch_fargate_rate(&self, need: Need, kind: CeType) -> (f64, Charge) {
        let prices = &self.scenario.prices;
        let mut per_hour = f64::from(need.vcpu_milli) / 1000.0 * prices.fargate_vcpu_hour
            + f64::from(need.memory_mib) / 1024.0 * prices.fargate_gb_hour;
        // The all-On-Demand baseline (`docs/model.md` §6.2): the same job on Fargate On-Demand.
        let on_demand_per_ms = per_hour / MS_PER_HOUR;
        let capacity = if kind == CeType::FargateSpot {
            per_hour *= 1.0 - prices.fargate_spot_discount_percent / 100.0;
            CapacityType::FargateSpot
        } else {
            CapacityType::Fargate
        };
        let rate = per_hour / MS_PER_HOUR;
        (
            rate,
            Charge {
                capacity,
                payer: Payer::Batch,
                compute_per_ms: rate,
                ipv4_per_ms: 0.0,
                instance_type: None,
                committable_per_ms: rate,
                on_demand_per_ms,
            },
        )
    }

    /// STARTING → RUNNING: an attempt ("placed into the RUNNING state that's considered an attempt"); its exit, or
    /// its timeout measured "from the job attempt's startedAt timestamp" plus the 30 s before SIGKILL.
    fn batch_job_running(&mut self, job: u32) {
        self.batch.set_state(job, BatchJobState::Running);
        let b = self.batch_spec();
        let sub = &b.submissions[self.batch.units[self.batch.jobs[job as usize].unit as usize].submission as usize];
        let run_time = sub.run_time;
        let timeout = b.definitions[sub.definition as usize].timeout_ms;
        let j = &mut self.batch.jobs[job as usize];
        j.attempts += 1;
        j.first_running.get_or_insert(self.now);
        j.started_at = self.now;
        let generation = j.generation;
        let run = self.draw_step(run_time);
        match timeout {
            Some(t) if run > t => {
                let grace = crate::time::secs_to_ms(d::BATCH_TIMEOUT_KILL_S);
                self.schedule_in(t + grace, super::Event::Batch(BatchEvent::TimedOut { job, generation }));
            }
            _ => self.schedule_in(run, super::Event::Batch(BatchEvent::Exited { job, generation })),
        }
    }

    /// Frees what a STARTING or RUNNING job holds and closes its billing.
    fn batch_release(&mut self, job: u32) {
        let need = self.batch_need(job);
        let q = self.batch_queue_of(job);
        let j = &self.batch.jobs[job as usize];
        let (c, instance, placed_at) = (j.ce, j.instance, j.placed_at);
        let vcpu_ms = f64::from(need.vcpu_milli) / 1000.0 * self.now.since(placed_at) as f64;
        self.batch.in_use_milli -= u64::from(need.vcpu_milli);
        self.batch.jobs[job as usize].vcpu_ms += vcpu_ms;
        self.batch.ces[c as usize].vcpu_ms_by_queue[q] += vcpu_ms;
        if instance == NONE {
            let kind = self.batch_spec().compute_environments[c as usize].kind;
            if self.batch.jobs[job as usize].awaiting_spot {
                // Never granted Fargate Spot capacity: nothing billed; its entry in the pool's queue goes stale.
                self.batch.jobs[job as usize].awaiting_spot = false;
                self.batch.spot_waiting -= 1;
                self.spot_batch_cancelled();
            } else {
                let (rate, charge) = self.batch_fargate_rate(need, kind);
                let billed = self.now.since(placed_at);
                let extra = 60_000u64.saturating_sub(billed);
                self.accounting.stop_billing(self.now, rate, &charge, extra);
                self.batch.ces[c as usize].fargate_cost += rate * (billed + extra) as f64;
            }
            self.batch.ces[c as usize].fargate_milli -= u64::from(need.vcpu_milli);
            self.quota_batch_job(fargate_provider(kind), need.vcpu_milli, false);
        } else {
            let now = self.now;
            let inst = &mut self.batch.instances[instance as usize];
            inst.free_milli += need.vcpu_milli;
            inst.free_mib += need.memory_mib;
            inst.jobs -= 1;
            if let Some(k) = inst.on.iter().position(|&j| j == job) {
                inst.on.swap_remove(k);
            }
            if inst.jobs == 0 {
                inst.idle_since = Some(now);
            }
            let idle = inst.jobs == 0;
            if inst.ready && inst.terminated.is_none() {
                self.batch.with_room[c as usize].insert(instance);
                self.batch.ces[c as usize].free_ready_milli += u64::from(need.vcpu_milli);
                if idle {
                    self.batch.idle[c as usize].insert(instance);
                }
            }
        }
        self.batch.jobs[job as usize].instance = NONE;
    }

    /// A job ends for good: its dependents learn of it.
    fn batch_job_ended(&mut self, job: u32, state: BatchJobState) {
        self.batch_release(job);
        self.batch.set_state(job, state);
        self.batch_after_end(job);
    }

    fn batch_after_end(&mut self, job: u32) {
        self.batch.last_end = self.now;
        self.batch.jobs[job as usize].ended_at = Some(self.now);
        let state = self.batch.jobs[job as usize].state;
        let (unit, index) = (self.batch.jobs[job as usize].unit, self.batch.jobs[job as usize].index);
        let b = std::sync::Arc::clone(self.scenario.batch.as_ref().expect("Batch scenario"));
        let u = &mut self.batch.units[unit as usize];
        u.ended += 1;
        if state == BatchJobState::Failed {
            u.failed += 1;
        }
        let sequential = b.submissions[u.submission as usize].sequential;
        let (size, first, done, failed) = (u.size, u.first_job, u.ended == u.size, u.failed > 0);
        let n_to_n = u.n_to_n.clone();
        let mut met: Vec<u32> = Vec::new();
        let mut doomed: Vec<u32> = Vec::new();
        let mut push = |j: u32| if state == BatchJobState::Succeeded { met.push(j) } else { doomed.push(j) };
        if sequential && index + 1 < size {
            push(first + index + 1);
        }
        for other in n_to_n {
            push(self.batch.units[other as usize].first_job + index);
        }
        if done {
            self.batch_trace_completed(unit);
            for other in self.batch.units[unit as usize].dependents.clone() {
                let o = &self.batch.units[other as usize];
                for j in o.first_job..o.first_job + o.size {
                    if failed {
                        doomed.push(j);
                    } else {
                        met.push(j);
                    }
                }
            }
        }
        for j in met {
            let job = &mut self.batch.jobs[j as usize];
            job.unmet -= 1;
            // "After the dependencies are satisfied, the job is moved to RUNNABLE" ("Job states").
            if job.unmet == 0 && job.state == BatchJobState::Pending {
                self.batch_make_runnable(j);
            }
        }
        self.batch_fail_cascade(doomed);
    }

    /// "If any of the job dependencies fail, the dependent job automatically transitions from PENDING to FAILED"
    /// ("Job dependencies"), and so on down the chain (a worklist: a SEQUENTIAL array of 10,000 is a deep chain).
    fn batch_fail_cascade(&mut self, mut work: Vec<u32>) {
        while let Some(j) = work.pop() {
            let state = self.batch.jobs[j as usize].state;
            if !matches!(state, BatchJobState::Submitted | BatchJobState::Pending) {
                continue;
            }
            self.batch.set_state(j, BatchJobState::Failed);
            self.batch.last_end = self.now;
            self.batch.jobs[j as usize].ended_at = Some(self.now);
            let (unit, index) = (self.batch.jobs[j as usize].unit, self.batch.jobs[j as usize].index);
            let u = &mut self.batch.units[unit as usize];
            u.ended += 1;
            u.failed += 1;
            let sequential = self.scenario.batch.as_ref().expect("Batch").submissions[u.submission as usize].sequential;
            if sequential && index + 1 < u.size {
                work.push(u.first_job + index + 1);
            }
            let u = &self.batch.units[unit as usize];
            for &other in &u.n_to_n {
                work.push(self.batch.units[other as usize].first_job + index);
            }
            if u.ended == u.size {
                self.batch_trace_completed(unit);
                let u = &self.batch.units[unit as usize];
                for &other in &u.dependents {
                    let o = &self.batch.units[other as usize];
                    work.extend(o.first_job..o.first_job + o.size);
                }
            }
        }
    }

    fn batch_trace_completed(&mut self, unit: u32) {
        let u = &self.batch.units[unit as usize];
        let submission = self.batch_spec().submissions[u.submission as usize].name.clone();
        let (succeeded, failed) = (u.ended - u.failed, u.failed);
        self.record(TraceWhat::BatchCompleted { submission, succeeded, failed });
    }

    /// A failed attempt: back to RUNNABLE if the retry strategy says so, else FAILED.
    fn batch_attempt_failed(&mut self, job: u32, exit: &Exit) {
        let b = self.batch_spec();
        let def = self.batch_definition(job);
        let attempts = self.batch.jobs[job as usize].attempts;
        let again = plan::retry(&def.evaluate_on_exit, attempts, def.attempts, exit);
        if self.accounting.tracing() {
            let unit = &self.batch.units[self.batch.jobs[job as usize].unit as usize];
            let sub = &b.submissions[unit.submission as usize];
            self.record(TraceWhat::BatchAttemptFailed {
                submission: sub.name.clone(),
                index: (sub.array_size > 0).then_some(self.batch.jobs[job as usize].index),
                attempt: attempts,
                status_reason: exit.status_reason.clone(),
                retried: again,
            });
        }
        self.batch_release(job);
        if again {
            // "the job is moved back to RUNNABLE" ("Automated job retries"): at the end of its queue.
            self.batch.retries += 1;
            self.batch_make_runnable(job);
            self.batch_arm_pass();
        } else {
            self.batch.set_state(job, BatchJobState::Failed);
            self.batch_after_end(job);
        }
    }

    /// Launches an instance of type `t` for compute environment `c` (booting and registering with the scenario's
    /// EC2 latencies), billed from launch like Auto Scaling group instances.
    fn batch_launch(&mut self, c: usize, t: InstanceType) -> u32 {
        let b = self.batch_spec();
        let spot = b.compute_environments[c].kind == CeType::Spot;
        let ce = &b.compute_environments[c];
        let interruptions = ce
            .instance_types
            .iter()
            .position(|x| x.name == t.name)
            .and_then(|i| ce.interruptions_per_instance_hour.get(i))
            .copied()
            .unwrap_or(0.0);
        let prices = &self.scenario.prices;
        let per_hour = if spot {
            t.on_demand_hour_usd * (1.0 - prices.ec2_spot_discount_percent / 100.0)
        } else {
            t.on_demand_hour_usd
        };
        let rate = per_hour / MS_PER_HOUR;
        let id = crate::narrow::u32_of(self.batch.instances.len());
        self.batch.instances.push(Instance {
            ce: crate::narrow::u16_of(c),
            itype: t,
            spot,
            launched: self.now,
            ready: false,
            reclaimed: false,
            terminated: None,
            free_milli: t.vcpu * 1000,
            free_mib: t.registered_memory_mib(0),
            jobs: 0,
            on: Vec::new(),
            idle_since: Some(self.now),
            ever_used: false,
            rate_per_ms: rate,
        });
        // A SPOT instance is interrupted at its type's rate per instance-hour, drawn at launch as for Auto Scaling
        // group instances (`sim/fleet/spot.rs`, `schedule_random_interruption`).
        if spot && interruptions > 0.0 {
            let after = self.rng.exponential_ms(MS_PER_HOUR / interruptions);
            if self.now.plus_ms(after) < self.scenario.horizon {
                self.schedule_in(after, super::Event::Batch(BatchEvent::RandomSpotNotice { instance: id }));
            }
        }
        let ce = &mut self.batch.ces[c];
        ce.live_vcpus += t.vcpu;
        ce.launching_vcpus += t.vcpu;
        ce.peak_vcpus = ce.peak_vcpus.max(ce.live_vcpus);
        ce.launched += 1;
        let charge = self.batch_instance_charge(id);
        self.accounting.start_billing(self.now, rate, &charge);
        let compute_environment = self.batch_spec().compute_environments[c].name.clone();
        self.record(TraceWhat::BatchInstance {
            compute_environment,
            instance: id,
            instance_type: t.name,
            launched: true,
        });
        id
    }

    fn batch_instance_charge(&self, id: u32) -> Charge {
        let inst = &self.batch.instances[id as usize];
        Charge {
            capacity: if inst.spot { CapacityType::Ec2Spot } else { CapacityType::Ec2OnDemand },
            payer: Payer::Batch,
            compute_per_ms: inst.rate_per_ms,
            ipv4_per_ms: 0.0,
            instance_type: Some(inst.itype.name),
            committable_per_ms: inst.rate_per_ms,
            // The all-On-Demand baseline (`docs/model.md` §6.2): the instance at its On-Demand price.
            on_demand_per_ms: inst.itype.on_demand_hour_usd / MS_PER_HOUR,
        }
    }

    fn batch_instance_ready(&mut self, id: u32) {
        let inst = &mut self.batch.instances[id as usize];
        inst.ready = true;
        inst.idle_since = Some(self.now);
        let (ce, vcpu) = (inst.ce as usize, inst.itype.vcpu);
        self.batch.with_room[ce].insert(id);
        self.batch.idle[ce].insert(id);
        self.batch.ces[ce].launching_vcpus -= vcpu;
        self.batch.ces[ce].free_ready_milli += u64::from(vcpu) * 1000;
    }

    fn batch_terminate(&mut self, id: u32) {
        let inst = &mut self.batch.instances[id as usize];
        debug_assert_eq!(inst.jobs, 0);
        inst.terminated = Some(self.now);
        let ce_index = inst.ce as usize;
        if inst.ready {
            self.batch.ces[ce_index].free_ready_milli -= u64::from(inst.free_milli);
        } else {
            self.batch.ces[ce_index].launching_vcpus -= inst.itype.vcpu;
        }
        self.batch.with_room[ce_index].remove(&id);
        self.batch.idle[ce_index].remove(&id);
        let (ce, vcpu, rate, launched) = (inst.ce, inst.itype.vcpu, inst.rate_per_ms, inst.launched);
        self.batch.ces[ce as usize].live_vcpus -= vcpu;
        // EC2 bills per second with a 60-second minimum (`docs/model.md` §6).
        let extra = 60_000u64.saturating_sub(self.now.since(launched));
        let charge = self.batch_instance_charge(id);
        self.accounting.stop_billing(self.now, rate, &charge, extra);
        let compute_environment = self.batch_spec().compute_environments[ce as usize].name.clone();
        let instance_type = self.batch.instances[id as usize].itype.name;
        self.record(TraceWhat::BatchInstance { compute_environment, instance: id, instance_type, launched: false });
    }

    /// Scale-up from RUNNABLE demand, scale-down of idle instances (EC2 and SPOT compute environments).
    ///
    /// Up: each queue's RUNNABLE vCPUs, less the room its compute environments already have (free on registered
    /// instances, all of a launching one), are asked of its compute environments in order; each launches while it
    /// is below maxvCpus (`plan::may_launch`) the type its allocation strategy picks for the queue's first job
    /// (`plan::choose_launch`); a launch into a dry pool is refused and that demand waits for a later pass.
    /// Down: an instance with no jobs goes when its compute environment has no RUNNABLE demand left, it stays above
    /// minvCpus, and either it never ran a job or it has been idle for `minScaleDownDelayMinutes` (unset: at once):
    /// "The scale down delay does not apply to: ... Newly launched instances that have not yet run any jobs"
    /// (API reference, `ComputeScalingPolicy`).
    fn batch_scale(&mut self) {
        let b = std::sync::Arc::clone(self.scenario.batch.as_ref().expect("Batch scenario"));
        let mut order: Vec<usize> = (0..b.queues.len()).collect();
        order.sort_by_key(|&q| std::cmp::Reverse(b.queues[q].priority));
        // Room already there, per compute environment (thousandths of vCPU), used up as queues claim it.
        // Registered instances with room, and all of a launching one.
        let mut room: Vec<u64> = (0..b.compute_environments.len())
            .map(|c| self.batch.ces[c].free_ready_milli + u64::from(self.batch.ces[c].launching_vcpus) * 1000)
            .collect();
        let mut demand_on: Vec<u64> = vec![0; b.compute_environments.len()];
        for q in order {
            let Some(&front) = self.batch.runnable[q].front() else { continue };
            let need = self.batch_need(front);
            let mut missing = self.batch.runnable_milli[q];
            for &c in &b.queues[q].compute_environments {
                let c = c as usize;
                let ce = &b.compute_environments[c];
                if ce.kind.is_fargate() || missing == 0 {
                    continue;
                }
                demand_on[c] += missing;
                let taken = room[c].min(missing);
                room[c] -= taken;
                missing -= taken;
                while missing > 0 {
                    let t = match self.batch_choose_launch(c, need, missing) {
                        plan::Launch::Type(t) => ce.instance_types[t],
                        plan::Launch::Refused(t) => {
                            // InsufficientInstanceCapacity: nothing launched for this demand until a later pass.
                            self.batch.launches_refused += 1;
                            self.record(TraceWhat::BatchLaunchRefused {
                                compute_environment: ce.name.clone(),
                                instance_type: ce.instance_types[t].name,
                            });
                            break;
                        }
                        plan::Launch::Nothing => break,
                    };
                    let id = self.batch_launch(c, t);
                    let delay = self.draw_step(self.scenario.latencies.instance_boot)
                        + self.draw_step(self.scenario.latencies.agent_registration);
                    self.schedule_in(delay, super::Event::Batch(BatchEvent::InstanceReady { instance: id }));
                    missing = missing.saturating_sub(u64::from(t.vcpu) * 1000);
                }
            }
        }
        // Only idle instances of environments without demand are looked at.
        let idle: Vec<u32> = (0..b.compute_environments.len())
            .filter(|&c| demand_on[c] == 0)
            .flat_map(|c| self.batch.idle[c].iter().copied())
            .collect();
        for id in idle {
            let id = id as usize;
            let inst = &self.batch.instances[id];
            if inst.terminated.is_some() || inst.jobs > 0 || !inst.ready {
                continue;
            }
            let c = inst.ce as usize;
            let ce = &b.compute_environments[c];
            let idle_enough =
                !inst.ever_used || inst.idle_since.is_some_and(|since| self.now.since(since) >= ce.scale_down_delay_ms);
            if demand_on[c] == 0 && idle_enough && self.batch.ces[c].live_vcpus - inst.itype.vcpu >= ce.min_vcpus {
                self.batch_terminate(crate::narrow::u32_of(id));
            }
        }
    }

    /// EC2 Spot gives its two-minute notice to a fraction of a SPOT compute environment's instances (the oldest
    /// first, rounded up). They stay ACTIVE (no Spot draining by default), so jobs keep landing on them; at
    /// termination their jobs' attempts fail with "Host EC2 (instance ...) terminated." and the retry strategy
    /// decides.
    fn batch_spot_notice(&mut self, index: usize) {
        let w = self.batch_spec().spot_interruptions[index];
        let live: Vec<u32> = (0..self.batch.instances.len())
            .filter(|&i| {
                let inst = &self.batch.instances[i];
                inst.ce == w.compute_environment && inst.terminated.is_none() && !inst.reclaimed
            })
            .map(crate::narrow::u32_of)
            .collect();
        let n =
            usize::try_from(crate::narrow::round_u64(libm::ceil(w.fraction * live.len() as f64))).unwrap_or(usize::MAX);
        if n > 0 {
            let compute_environment =
                self.batch_spec().compute_environments[w.compute_environment as usize].name.clone();
            self.record(TraceWhat::BatchSpotNotice {
                compute_environment,
                instances: crate::narrow::u32_of(n.min(live.len())),
            });
        }
        for &id in live.iter().take(n) {
            self.batch.instances[id as usize].reclaimed = true;
            let notice = crate::time::secs_to_ms(d::BATCH_SPOT_NOTICE_S);
            self.schedule_in(notice, super::Event::Batch(BatchEvent::SpotTerminate { instance: id }));
        }
    }

    /// A random EC2 Spot interruption notice for one instance still live and not already reclaimed: reclaimed as
    /// a wave's instances are (`batch_spot_notice`), terminated two minutes later through `batch_spot_terminate`.
    fn batch_random_spot_notice(&mut self, id: u32) {
        let inst = &self.batch.instances[id as usize];
        if inst.terminated.is_some() || inst.reclaimed {
            return;
        }
        let compute_environment = self.batch_spec().compute_environments[inst.ce as usize].name.clone();
        self.record(TraceWhat::BatchSpotNotice { compute_environment, instances: 1 });
        self.batch.instances[id as usize].reclaimed = true;
        let notice = crate::time::secs_to_ms(d::BATCH_SPOT_NOTICE_S);
        self.schedule_in(notice, super::Event::Batch(BatchEvent::SpotTerminate { instance: id }));
    }

    fn batch_spot_terminate(&mut self, id: u32) {
        if self.batch.instances[id as usize].terminated.is_some() {
            return;
        }
        let mut victims = self.batch.instances[id as usize].on.clone();
        victims.sort_unstable();
        let exit = Exit {
            exit_code: None,
            reason: None,
            status_reason: format!("Host EC2 (instance i-{id:08x}) terminated."),
        };
        for job in victims {
            self.batch.spot_reclaims += 1;
            if self.batch.jobs[job as usize].state == BatchJobState::Starting {
                // Not yet an attempt: back to RUNNABLE without spending one.
                self.batch_release(job);
                self.batch.retries += 1;
                self.batch_make_runnable(job);
            } else {
                self.batch_attempt_failed(job, &exit);
            }
        }
        self.batch_terminate(id);
        self.batch_arm_pass();
    }

    /// The launch compute environment `c`'s allocation strategy makes for `missing` vCPU thousandths of jobs of
    /// size `need`, given its pools' capacity now (`plan::choose_launch`).
    fn batch_choose_launch(&self, c: usize, need: Need, missing: u64) -> plan::Launch {
        let ce = &self.batch_spec().compute_environments[c];
        let pools = plan::Pools {
            strategy: ce.allocation,
            on_demand: ce.kind == CeType::Ec2,
            types: &ce.instance_types,
            dry: &self.batch.dry[c],
            live_vcpus: self.batch.ces[c].live_vcpus,
            max_vcpus: ce.max_vcpus,
        };
        plan::choose_launch(&pools, need, missing)
    }

    /// Pool capacity change `index`: the pool of one type of a compute environment runs dry or has capacity again.
    /// Instances already running stay; only launches are refused.
    fn batch_pool_capacity(&mut self, index: usize) {
        let e = self.batch_spec().pool_capacity[index];
        let (c, t) = (e.compute_environment as usize, e.instance_type as usize);
        self.batch.dry[c][t] = !e.available;
        let ce = &self.batch_spec().compute_environments[c];
        let (compute_environment, instance_type) = (ce.name.clone(), ce.instance_types[t].name);
        self.record(TraceWhat::BatchPoolCapacity { compute_environment, instance_type, available: e.available });
    }

    /// Jobs STARTING or RUNNING on FARGATE_SPOT compute environments, holding capacity and not yet warned: the Batch part of the
    /// Fargate Spot tasks a timed interruption wave picks from (`sim/fargate_spot.rs`), in job order.
    pub(super) fn batch_fargate_spot_jobs(&self) -> Vec<u32> {
        let Some(b) = self.scenario.batch.as_ref() else { return Vec::new() };
        (0u32..)
            .zip(&self.batch.jobs)
            .filter(|(_, j)| {
                matches!(j.state, BatchJobState::Starting | BatchJobState::Running)
                    && !j.interrupted
                    && !j.awaiting_spot
                    && j.instance == NONE
                    && b.compute_environments[j.ce as usize].kind == CeType::FargateSpot
            })
            .map(|(n, _)| n)
            .collect()
    }

    /// The Fargate Spot interruption warning for a job's task. ECS (*AWS Fargate capacity providers*): "the task
    /// will receive a two-minute warning ... sent as a task state change event to Amazon EventBridge and a SIGTERM
    /// signal to the running task"; "A stopTimeout value of 120 seconds or less can be specified ... between the
    /// moment the task state change event is received and the point at which the container is forcefully
    /// stopped". The model's job definitions carry no stopTimeout, so ECS's default applies (30 s, `defaults.rs`;
    /// an assumption for Batch's tasks): the
    /// model's jobs do not act on SIGTERM, so a RUNNING job's container is stopped 30 s after the warning; a
    /// STARTING job has no container to wait for and stops at once. Its other events (start, exit, timeout) are
    /// void from the warning on.
    pub(super) fn batch_fargate_spot_warning(&mut self, job: u32) {
        let j = &mut self.batch.jobs[job as usize];
        if j.interrupted || j.awaiting_spot || !matches!(j.state, BatchJobState::Starting | BatchJobState::Running) {
            return;
        }
        j.interrupted = true;
        j.generation += 1;
        let (generation, running) = (j.generation, j.state == BatchJobState::Running);
        let delay = if running { crate::time::secs_to_ms(d::STOP_TIMEOUT_S) } else { 0 };
        if self.accounting.tracing() {
            let b = self.batch_spec();
            let j = &self.batch.jobs[job as usize];
            let sub = &b.submissions[self.batch.units[j.unit as usize].submission as usize];
            self.record(TraceWhat::BatchFargateSpotWarning {
                compute_environment: b.compute_environments[j.ce as usize].name.clone(),
                submission: sub.name.clone(),
                index: (sub.array_size > 0).then_some(j.index),
                stop_in_s: crate::narrow::u32_of_u64(delay / 1000),
            });
        }
        self.schedule_in(delay, super::Event::Batch(BatchEvent::FargateSpotStopped { job, generation }));
    }

    /// The interrupted task has stopped: ECS reports its stopped reason "Your Spot Task was interrupted." (*AWS
    /// Fargate capacity providers*, the task state change event of a Fargate Spot interruption), which is the job
    /// attempt's status reason `evaluateOnExit` sees (the AWS Batch User Guide documents no Batch-specific reason;
    /// no exit code is modelled). A RUNNING job has made its attempt ("placed into the RUNNING state that's
    /// considered an attempt", *Automated job retries*) and the retry strategy decides; a STARTING one goes back to
    /// RUNNABLE without spending one, as on an EC2 Spot reclaim. Each counts as a Spot reclaim.
    fn batch_fargate_spot_stopped(&mut self, job: u32) {
        self.batch.spot_reclaims += 1;
        self.batch.jobs[job as usize].interrupted = false;
        if self.batch.jobs[job as usize].state == BatchJobState::Starting {
            self.batch_release(job);
            self.batch.retries += 1;
            self.batch_make_runnable(job);
            self.batch_arm_pass();
        } else {
            let exit = Exit { exit_code: None, reason: None, status_reason: d::FARGATE_SPOT_STOPPED_REASON.into() };
            self.batch_attempt_failed(job, &exit);
        }
    }

    /// One row of the Batch columns of the series.
    pub(super) fn batch_sample(&self) -> Vec<f64> {
        let Some(b) = self.scenario.batch.as_ref() else { return Vec::new() };
        let mut row = vec![0.0; BatchColumn::ALL.len()];
        for state in BatchJobState::ALL {
            row[BatchColumn::of_state(state) as usize] = f64::from(self.batch.counts[state.index()]);
        }
        row[BatchColumn::VcpusInUse as usize] = self.batch.in_use_milli as f64 / 1000.0;
        row[BatchColumn::VcpusInstances as usize] = f64::from(self.batch.ces.iter().map(|c| c.live_vcpus).sum::<u32>());
        row[BatchColumn::MaxVcpus as usize] =
            f64::from(b.compute_environments.iter().map(|c| c.max_vcpus).sum::<u32>());
        row[BatchColumn::RunnableVcpus as usize] = self.batch.runnable_milli.iter().sum::<u64>() as f64 / 1000.0;
        row
    }

    fn batch_instance_cost(&self, inst: &Instance) -> f64 {
        let end = inst.terminated.unwrap_or(self.now);
        let mut ms = end.since(inst.launched);
        if inst.terminated.is_some() {
            ms = ms.max(60_000);
        }
        inst.rate_per_ms * ms as f64
    }

    /// For the summary's `completion_s`: when the last job ended, once every job has (`None` while some are
    /// open); nothing without Batch.
    pub(super) fn batch_completion_s(&self) -> Option<Option<f64>> {
        self.scenario.batch.as_ref()?;
        let ended =
            self.batch.counts[BatchJobState::Succeeded.index()] + self.batch.counts[BatchJobState::Failed.index()];
        let done = self.batch.calls_open == 0 && ended as usize == self.batch.jobs.len();
        Some(done.then(|| self.batch.last_end.as_millis() as f64 / 1000.0))
    }

    /// When the last Batch job ended, once every job has: what the page's timeline must reach. `None` without
    /// Batch or while jobs are open.
    pub(super) fn batch_last_end(&self) -> Option<SimTime> {
        matches!(self.batch_completion_s(), Some(Some(_))).then_some(self.batch.last_end)
    }

    pub(super) fn batch_summary(&self) -> Option<BatchSummary> {
        let b = self.scenario.batch.as_ref()?;
        let r3 = |v: f64| (v * 1000.0).round() / 1000.0;
        let r4 = |v: f64| (v * 10_000.0).round() / 10_000.0;
        let mut ce_cost: Vec<f64> = self.batch.ces.iter().map(|c| c.fargate_cost).collect();
        for inst in &self.batch.instances {
            ce_cost[inst.ce as usize] += self.batch_instance_cost(inst);
        }
        // Fargate jobs still running: their billing so far.
        for j in &self.batch.jobs {
            if j.instance == NONE
                && !j.awaiting_spot
                && matches!(j.state, BatchJobState::Starting | BatchJobState::Running)
            {
                let unit = &self.batch.units[j.unit as usize];
                let def = &b.definitions[b.submissions[unit.submission as usize].definition as usize];
                let need = Need { vcpu_milli: def.vcpu_milli, memory_mib: def.memory_mib };
                let (rate, _) = self.batch_fargate_rate(need, b.compute_environments[j.ce as usize].kind);
                ce_cost[j.ce as usize] += rate * self.now.since(j.placed_at) as f64;
            }
        }
        let mut queue_cost = vec![0.0; b.queues.len()];
        for (c, ce) in self.batch.ces.iter().enumerate() {
            let total: f64 = ce.vcpu_ms_by_queue.iter().sum();
            if total > 0.0 {
                for (q, used) in ce.vcpu_ms_by_queue.iter().enumerate() {
                    queue_cost[q] += ce_cost[c] * used / total;
                }
            } else {
                // Nothing ran on it: its cost goes to the queues that use it, equally.
                let users: Vec<usize> = (0..b.queues.len())
                    .filter(|&q| b.queues[q].compute_environments.contains(&crate::narrow::u16_of(c)))
                    .collect();
                for &q in &users {
                    queue_cost[q] += ce_cost[c] / users.len() as f64;
                }
            }
        }
        let wait_of = |j: &Job| j.first_running.map(|t| t.since(j.submitted_at) as f64 / 1000.0);
        let mut waits: Vec<f64> = self.batch.jobs.iter().filter_map(wait_of).collect();
        crate::sort::sort_by(&mut waits, f64::total_cmp);
        let queues = b
            .queues
            .iter()
            .enumerate()
            .map(|(q, queue)| {
                let of_queue =
                    |j: &&Job| b.submissions[self.batch.units[j.unit as usize].submission as usize].queue as usize == q;
                let mut w: Vec<f64> = self.batch.jobs.iter().filter(of_queue).filter_map(wait_of).collect();
                crate::sort::sort_by(&mut w, f64::total_cmp);
                let count =
                    |s: BatchJobState| self.batch.jobs.iter().filter(of_queue).filter(|j| j.state == s).count() as u64;
                BatchQueueSummary {
                    queue: queue.name.clone(),
                    priority: queue.priority,
                    jobs: self.batch.jobs.iter().filter(of_queue).count() as u64,
                    succeeded: count(BatchJobState::Succeeded),
                    failed: count(BatchJobState::Failed),
                    wait_p50_s: plan::quantile(&w, 0.5).map(r3),
                    wait_p95_s: plan::quantile(&w, 0.95).map(r3),
                    cost_usd: r4(queue_cost[q]),
                }
            })
            .collect();
        let cost: f64 = ce_cost.iter().sum();
        let ended = u64::from(
            self.batch.counts[BatchJobState::Succeeded.index()] + self.batch.counts[BatchJobState::Failed.index()],
        );
        let open = self.batch.jobs.len() as u64 - ended;
        Some(BatchSummary {
            jobs: self.batch.jobs.len() as u64,
            jobs_by_state: BatchJobState::ALL
                .iter()
                .map(|&state| BatchStateCount { state, jobs: u64::from(self.batch.counts[state.index()]) })
                .collect(),
            makespan_s: match (self.batch.first_call, open == 0 && self.batch.calls_open == 0) {
                (Some(first), true) => Some(r3(self.batch.last_end.since(first) as f64 / 1000.0)),
                _ => None,
            },
            wait_p50_s: plan::quantile(&waits, 0.5).map(r3),
            wait_p95_s: plan::quantile(&waits, 0.95).map(r3),
            retries: self.batch.retries,
            spot_reclaims: self.batch.spot_reclaims,
            launches_refused: self.batch.launches_refused,
            timeouts: self.batch.timeouts,
            submit_calls: self.batch.submit_calls,
            submit_throttled: self.batch.submit_throttled,
            run_task_throttled: self.batch.run_task_throttled,
            instances_launched: self.batch.instances.len() as u64,
            cost_usd: r4(cost),
            cost_per_job_usd: (ended > 0).then(|| r4(cost / ended as f64)),
            queues,
            compute_environments: b
                .compute_environments
                .iter()
                .enumerate()
                .map(|(c, ce)| ComputeEnvironmentSummary {
                    name: ce.name.clone(),
                    kind: ce.kind.name(),
                    max_vcpus: ce.max_vcpus,
                    peak_vcpus: self.batch.ces[c].peak_vcpus,
                    instances_launched: self.batch.ces[c].launched,
                    cost_usd: r4(ce_cost[c]),
                })
                .collect(),
        })
    }

    /// Every job so far, in creation order.
    pub(super) fn batch_job_records(&self) -> Vec<BatchJobRecord> {
        let Some(b) = self.scenario.batch.as_ref() else { return Vec::new() };
        let secs = |t: SimTime| t.as_millis() as f64 / 1000.0;
        self.batch
            .jobs
            .iter()
            .map(|j| {
                let sub = &b.submissions[self.batch.units[j.unit as usize].submission as usize];
                BatchJobRecord {
                    submission: sub.name.clone(),
                    queue: b.queues[sub.queue as usize].name.clone(),
                    index: (sub.array_size > 0).then_some(j.index),
                    state: j.state,
                    attempts: j.attempts,
                    submitted_s: secs(j.submitted_at),
                    first_running_s: j.first_running.map(secs),
                    ended_s: j.ended_at.map(secs),
                }
            })
            .collect()
    }

    /// The jobs STARTING or RUNNING, in job order, as (job number, compute environment, instance id or `None` for a
    /// Fargate job, state): where the page's cluster view draws each job. The job number indexes
    /// [`Simulation::batch_jobs`].
    pub fn batch_placed_jobs(&self) -> Vec<(u32, u16, Option<u32>, BatchJobState)> {
        (0u32..)
            .zip(&self.batch.jobs)
            .filter(|(_, j)| matches!(j.state, BatchJobState::Starting | BatchJobState::Running))
            .map(|(n, j)| (n, j.ce, (j.instance != NONE).then_some(j.instance), j.state))
            .collect()
    }

    pub(super) fn batch_view(&self) -> Option<BatchView> {
        let b = self.scenario.batch.as_ref()?;
        let mut ces: Vec<ComputeEnvironmentView> = b
            .compute_environments
            .iter()
            .enumerate()
            .map(|(c, ce)| ComputeEnvironmentView {
                name: ce.name.clone(),
                kind: ce.kind.name(),
                max_vcpus: ce.max_vcpus,
                instance_vcpus: self.batch.ces[c].live_vcpus,
                used_vcpus: self.batch.ces[c].fargate_milli as f64 / 1000.0,
                instances: Vec::new(),
                fargate_jobs: 0,
            })
            .collect();
        for (id, inst) in self.batch.instances.iter().enumerate().filter(|(_, i)| i.terminated.is_none()) {
            let used = f64::from(inst.itype.vcpu * 1000 - inst.free_milli) / 1000.0;
            let view = &mut ces[inst.ce as usize];
            view.used_vcpus += used;
            view.instances.push(BatchInstanceView {
                id: crate::narrow::u32_of(id),
                instance_type: inst.itype.name,
                state: if inst.reclaimed {
                    "reclaimed"
                } else if inst.ready {
                    "active"
                } else {
                    "launching"
                },
                vcpus: inst.itype.vcpu,
                used_vcpus: used,
                jobs: inst.jobs,
            });
        }
        for j in &self.batch.jobs {
            if j.instance == NONE && matches!(j.state, BatchJobState::Starting | BatchJobState::Running) {
                ces[j.ce as usize].fargate_jobs += 1;
            }
        }
        Some(BatchView {
            compute_environments: ces,
            jobs_by_state: self.batch.counts.to_vec(),
            queues: b
                .queues
                .iter()
                .enumerate()
                .map(|(q, queue)| JobQueueView {
                    name: queue.name.clone(),
                    priority: queue.priority,
                    runnable: crate::narrow::u32_of(self.batch.runnable[q].len()),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests;
