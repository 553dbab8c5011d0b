//! "Why is this waiting?" (`docs/model.md` §15): what holds a task, a service, a RunTask burst or an AWS Batch job
//! at one instant, with its numbers, as typed values the simulation computes from its own state (`sim/explain.rs`,
//! `sim/batch/explain.rs`), and the sentence each renders. The CLI (`fleetplan explain`), `--json` and the page show the same values and words.

use serde::Serialize;

use crate::output::Limiter;
use crate::task::TaskState;
use crate::text::{mark, tasks, Text};

/// What is explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    Task {
        id: u32,
        owner: String,
    },
    Service {
        name: String,
    },
    Burst {
        index: u32,
        name: String,
    },
    /// An AWS Batch job: its number (creation order, from 0), its submission's name and, for an array child, its
    /// index.
    Job {
        id: u32,
        name: String,
        index: Option<u32>,
    },
}

/// One account token bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountBucket {
    FargateOnDemand,
    FargateSpot,
    RunTaskApi,
    FargateRunTaskCalls,
}

impl AccountBucket {
    pub fn name(self) -> &'static str {
        match self {
            AccountBucket::FargateOnDemand => mark("Fargate On-Demand bucket"),
            AccountBucket::FargateSpot => mark("Fargate Spot bucket"),
            AccountBucket::RunTaskApi => mark("RunTask API bucket"),
            AccountBucket::FargateRunTaskCalls => mark("Fargate RunTask call bucket"),
        }
    }
}

/// What an instance lacks for a task (the first check of `fleet::placement::fits` it fails, in that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Short {
    /// Not ACTIVE yet (booting, registering) or draining.
    NotActive,
    Architecture,
    Cpu,
    Memory,
    Eni,
    Ports,
}

/// One zone of an Auto Scaling group: its instances and, for those without room, what they lack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneRoom {
    pub zone: String,
    pub instances: u32,
    /// (what is short, on how many instances), most instances first.
    pub short: Vec<(Short, u32)>,
}

/// Managed scaling's side of a wait for an instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalingWait {
    pub next_evaluation_in_s: Option<f64>,
    /// CapacityProviderReservation at the last evaluation, percent.
    pub reservation_percent: Option<u32>,
    pub target_percent: u32,
    /// Instances launched and not yet ACTIVE.
    pub instances_launching: u32,
    /// The group's pools (type x zone) without capacity now: launches into them fail with
    /// InsufficientInstanceCapacity.
    pub dry_pools: u32,
}

/// One dependency of a Batch job not yet met: a whole job (an array: `ended` of `size` children ended) or one job
/// (`state`: its state now).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobDependencyWait {
    /// `prep` (a whole job or array), `prep[4]` (one child).
    pub job: String,
    pub state: &'static str,
    pub ended: u32,
    pub size: u32,
}

/// What holds the subject (or some of its tasks), with the numbers that decide it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Hold {
    /// Nothing: the subject is where it wants to be.
    Nothing,
    /// The subject has not started yet.
    NotYet { starts_in_s: f64 },
    /// The service's own launch rate: a bucket holding one workflow cycle's launches; `used`: what the last
    /// cycle launched.
    ServiceLaunchRate { tasks: u64, used: u64, per_cycle: u64, cycle_s: f64, next_cycle_in_s: Option<f64> },
    /// An account token bucket. `ahead`: tasks (or calls) of other services and bursts waiting for it too;
    /// `wait_s`: when it will have refilled for them and these (`None`: never, a bucket that does not refill).
    AccountBucket { bucket: AccountBucket, tasks: u64, tokens: f64, per_s: f64, ahead: u64, wait_s: Option<f64> },
    /// minimumHealthyPercent / maximumPercent: `tasks` cannot launch until older ones stop.
    DeploymentBounds { tasks: u64, active: u32, max_running: u32, maximum_percent: u32, minimum_healthy_percent: u32 },
    /// No instance of the group has room; with managed scaling, when it looks next.
    NoRoom {
        tasks: u64,
        group: String,
        /// The task's memory and CPU, to name what is short.
        memory_mib: u32,
        cpu_units: u32,
        zones: Vec<ZoneRoom>,
        scaling: Option<ScalingWait>,
        /// Tasks of the group waiting for an instance before this one (the group's FIFO).
        ahead: u64,
    },
    /// The cluster's PROVISIONING limit: no more tasks may wait for cluster auto scaling.
    ProvisioningLimit { tasks: u64, waiting: u32, limit: u32 },
    /// Fargate Spot capacity: the task's place in the pool's FIFO.
    SpotCapacity { tasks: u64, position: Option<u64>, waiting: u64, per_minute: Option<u32> },
    /// A vCPU quota refuses the launch.
    VcpuQuota { tasks: u64, quota: Limiter, used_vcpu: f64, quota_vcpu: f64, task_vcpu: f64 },
    /// Another limit refuses the launch (instances per cluster, the group's maximum size).
    Refused { tasks: u64, limit: Limiter },
    /// Exponential backoff after failed starts or placements.
    Backoff { tasks: u64, left_s: f64, attempts: u32 },
    /// The circuit breaker failed the deployment.
    CircuitBreaker { tasks: u64, failures: u32, threshold: u32 },
    /// Tasks launched and on their way, each in a lifecycle step (`state` and since when for one task).
    Step { tasks: u64, state: TaskState, step: &'static str, since_s: Option<f64> },
    /// The tasks will launch at the next workflow cycle.
    NextCycle { tasks: u64, in_s: f64 },
    /// A throttled RunTask caller retries then.
    Retry { in_s: Option<f64>, calls_throttled: u64 },
    /// Batch, SUBMITTED: not evaluated by the scheduler yet; its next pass.
    JobNotEvaluated { next_pass_in_s: Option<f64> },
    /// Batch, PENDING: dependencies not yet met (`unmet` in all, the first few named).
    JobDependencies { unmet: u32, on: Vec<JobDependencyWait> },
    /// Batch, RUNNABLE: its place in its queue (1 = the head), the RUNNABLE jobs of higher-priority queues sharing
    /// a compute environment with it (placed first), and the scheduler's next pass.
    JobQueue {
        queue: String,
        priority: u32,
        position: u64,
        runnable: u64,
        ahead_higher: u64,
        next_pass_in_s: Option<f64>,
    },
    /// Batch: a compute environment at maxvCpus (vCPUs of its instances, or of its Fargate jobs).
    ComputeEnvironmentMax { ce: String, vcpus: f64, max_vcpus: u32, job_vcpus: f64 },
    /// Batch: no instance of an EC2 or SPOT compute environment has room for the job; what it is launching.
    ComputeEnvironmentNoRoom {
        ce: String,
        allocation_strategy: crate::spec::BatchAllocationStrategy,
        job_vcpus: f64,
        job_memory_mib: u32,
        instances: u32,
        launching: u32,
        launching_vcpus: u32,
        vcpus: u32,
        max_vcpus: u32,
        /// Instance types of the environment whose pools have no capacity now.
        dry_pools: u32,
    },
    /// Batch, STARTING: the container on its way (`on`: the instance or Fargate).
    JobStarting { step: &'static str, on: JobHost, since_s: f64 },
    /// Batch, RUNNING: the attempt, since when, and its timeout.
    JobRunning { attempt: u32, attempts: u32, since_s: f64, timeout_in_s: Option<f64> },
    /// Batch: the job's EC2 Spot instance has had its interruption notice, or its Fargate Spot task its warning:
    /// when it goes, and the attempts left for the retry strategy.
    JobSpotReclaim { on: JobHost, in_s: Option<f64>, attempts_left: u32 },
}

/// Rounds to tenths for the sentence.
pub(crate) fn t1(v: f64) -> String {
    let r = libm::round(v * 10.0) / 10.0;
    if r == libm::trunc(r) {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Rounds to hundredths (vCPUs: a 0.25-vCPU task).
fn t2(v: f64) -> String {
    let r = libm::round(v * 100.0) / 100.0;
    format!("{r}")
}

fn instances(n: u64) -> Text {
    crate::text::counted(n, Text::new("1 instance"), Text::new("{n} instances"))
}

fn pools(n: u64) -> Text {
    crate::text::counted(n, Text::new("1 pool"), Text::new("{n} pools"))
}

fn failed_starts(n: u64) -> Text {
    crate::text::counted(n, Text::new("1 failed start"), Text::new("{n} failed starts"))
}

fn calls_throttled(n: u64) -> Text {
    crate::text::counted(n, Text::new("1 call throttled"), Text::new("{n} calls throttled"))
}

impl Hold {
    /// The limiter of the summary's `limits` this hold is, if it is one (`None`: starting, nothing, not yet).
    pub fn limiter(&self) -> Option<Limiter> {
        Some(match self {
            Hold::ServiceLaunchRate { .. } => Limiter::ServiceLaunchRate,
            Hold::AccountBucket { bucket: AccountBucket::FargateSpot, .. } => Limiter::FargateSpotBucket,
            Hold::AccountBucket { .. } => Limiter::FargateOnDemandBucket,
            Hold::DeploymentBounds { .. } => Limiter::DeploymentSettings,
            Hold::NoRoom { scaling: Some(_), .. } => Limiter::ClusterAutoScaling,
            Hold::NoRoom { scaling: None, .. } => Limiter::Capacity,
            Hold::ProvisioningLimit { .. } => Limiter::ProvisioningLimit,
            Hold::SpotCapacity { .. } => Limiter::FargateSpotCapacity,
            Hold::VcpuQuota { quota, .. } => *quota,
            Hold::Refused { limit, .. } => *limit,
            Hold::Backoff { .. } => Limiter::Backoff,
            Hold::CircuitBreaker { .. } => Limiter::CircuitBreaker,
            Hold::Nothing | Hold::NotYet { .. } | Hold::Step { .. } | Hold::NextCycle { .. } | Hold::Retry { .. } => {
                return None
            }
            // Batch jobs' holds are not limiters of the summary's services.
            Hold::JobNotEvaluated { .. }
            | Hold::JobDependencies { .. }
            | Hold::JobQueue { .. }
            | Hold::ComputeEnvironmentMax { .. }
            | Hold::ComputeEnvironmentNoRoom { .. }
            | Hold::JobStarting { .. }
            | Hold::JobRunning { .. }
            | Hold::JobSpotReclaim { .. } => return None,
        })
    }

    /// The sentence for this hold.
    pub fn text(&self) -> String {
        self.describe().to_string()
    }

    /// The sentence for this hold, typed (the page shows it in its language).
    pub fn describe(&self) -> Text {
        match self {
            Hold::Nothing => Text::new("nothing holds it"),
            Hold::NotYet { starts_in_s } => {
                Text::new("not started yet: starts in {seconds} s").arg("seconds", t1(*starts_in_s))
            }
            Hold::ServiceLaunchRate { tasks: n, used, per_cycle, cycle_s, next_cycle_in_s } => {
                let text = match next_cycle_in_s {
                    Some(next) => Text::new(
                        "service launch rate: {used} of {per_cycle} per {cycle} s cycle used at the last cycle, next cycle in {next} s; {tasks} not launched",
                    )
                    .arg("next", t1(*next)),
                    None => Text::new(
                        "service launch rate: {used} of {per_cycle} per {cycle} s cycle used at the last cycle; {tasks} not launched",
                    ),
                };
                text.arg("used", used).arg("per_cycle", per_cycle).arg("cycle", t1(*cycle_s)).text("tasks", tasks(*n))
            }
            Hold::AccountBucket { bucket, tasks: n, tokens, per_s, ahead, wait_s } => {
                let text = match wait_s {
                    Some(wait) => Text::new(
                        "waiting for the {bucket}: {tokens} tokens, {rate}/s, {ahead} ahead of it, ~{wait} s ({tasks} waiting)",
                    )
                    .arg("wait", t1(*wait)),
                    None => Text::new(
                        "waiting for the {bucket}: {tokens} tokens, {rate}/s, {ahead} ahead of it, never refills ({tasks} waiting)",
                    ),
                };
                text.name("bucket", bucket.name())
                    .arg("tokens", t1(*tokens))
                    .arg("rate", t1(*per_s))
                    .text("ahead", tasks(*ahead))
                    .text("tasks", tasks(*n))
            }
            Hold::DeploymentBounds { tasks: n, active, max_running, maximum_percent, minimum_healthy_percent } => {
                Text::new(
                    "deployment bounds: {active} tasks active, maximumPercent {maximum}% allows {max_running} \
                     (minimumHealthyPercent {minimum}%); {tasks} wait for older tasks to stop",
                )
                .arg("active", active)
                .arg("maximum", maximum_percent)
                .arg("max_running", max_running)
                .arg("minimum", minimum_healthy_percent)
                .text("tasks", tasks(*n))
            }
            Hold::NoRoom { tasks: n, group, memory_mib, cpu_units, zones, scaling, ahead } => {
                let mut parts = vec![no_room_text(group, *memory_mib, *cpu_units, zones)];
                match scaling {
                    Some(s) => {
                        let next = match s.next_evaluation_in_s {
                            Some(n) => Text::new("managed scaling's next evaluation in {seconds} s").arg("seconds", t1(n)),
                            None => Text::new("no evaluation scheduled"),
                        };
                        let reservation = match s.reservation_percent {
                            Some(r) => Text::new("reservation {percent}%").arg("percent", r),
                            None => Text::new("no reading yet"),
                        };
                        parts.push(
                            Text::new("{next} ({reservation}, target {target}%)")
                                .text("next", next)
                                .text("reservation", reservation)
                                .arg("target", s.target_percent),
                        );
                        if s.dry_pools > 0 {
                            parts.push(
                                Text::new("{pools} without capacity (InsufficientInstanceCapacity)")
                                    .text("pools", pools(u64::from(s.dry_pools))),
                            );
                        }
                        if s.instances_launching > 0 {
                            parts.push(
                                Text::new("{instances} launching")
                                    .text("instances", instances(u64::from(s.instances_launching))),
                            );
                        }
                    }
                    None => parts.push(Text::new("no managed scaling to launch one")),
                }
                parts.push(Text::new("{tasks} ahead").text("tasks", tasks(*ahead)));
                if *n > 1 {
                    parts.push(Text::new("{count} tasks waiting").arg("count", n));
                }
                join(parts, "; ")
            }
            Hold::ProvisioningLimit { tasks: n, waiting, limit } => Text::new(
                "PROVISIONING limit: {waiting} of {limit} tasks already wait for cluster auto scaling; {tasks} not launched",
            )
            .arg("waiting", waiting)
            .arg("limit", limit)
            .text("tasks", tasks(*n)),
            Hold::SpotCapacity { tasks: n, position, waiting, per_minute } => {
                let rate = match per_minute {
                    Some(r) => Text::new("{rate} per minute").arg("rate", r),
                    None => Text::new("no rate limit"),
                };
                let text = Text::new("waiting for Fargate Spot capacity: {position} of {waiting} in the queue, {rate}");
                let text = match position {
                    Some(p) => text.arg("position", p),
                    None => text.text("position", tasks(*n)),
                };
                text.arg("waiting", waiting).text("rate", rate)
            }
            Hold::VcpuQuota { tasks: n, quota, used_vcpu, quota_vcpu, task_vcpu } => {
                Text::new("{quota}: {used} of {limit} vCPUs in use, a task needs {task}; {tasks} not launched")
                    .name("quota", quota.name())
                    .arg("used", t2(*used_vcpu))
                    .arg("limit", t2(*quota_vcpu))
                    .arg("task", t2(*task_vcpu))
                    .text("tasks", tasks(*n))
            }
            Hold::Refused { tasks: n, limit } => {
                Text::new("{limit}; {tasks} not launched").name("limit", limit.name()).text("tasks", tasks(*n))
            }
            Hold::Backoff { tasks: n, left_s, attempts } => {
                Text::new("backoff: {seconds} s left after {attempts}; {tasks} not launched")
                    .arg("seconds", t1(*left_s))
                    .text("attempts", failed_starts(u64::from(*attempts)))
                    .text("tasks", tasks(*n))
            }
            Hold::CircuitBreaker { tasks: n, failures, threshold } => Text::new(
                "circuit breaker: deployment FAILED after {failures} of {threshold} failures; {tasks} will not launch",
            )
            .arg("failures", failures)
            .arg("threshold", threshold)
            .text("tasks", tasks(*n)),
            Hold::Step { tasks: n, state, step, since_s } => match since_s {
                Some(since) => Text::new("{step}, since {seconds} s").name("step", step).arg("seconds", t1(*since)),
                None => Text::new("{tasks} {state}: {step}")
                    .text("tasks", tasks(*n))
                    .arg("state", state.name())
                    .name("step", step),
            },
            Hold::NextCycle { tasks: n, in_s } => Text::new("{tasks} to launch at the next cycle, in {seconds} s")
                .text("tasks", tasks(*n))
                .arg("seconds", t1(*in_s)),
            Hold::Retry { in_s, calls_throttled: n } => {
                let when = match in_s {
                    Some(s) => Text::new("retries in {seconds} s").arg("seconds", t1(*s)),
                    None => Text::new("gave up"),
                };
                Text::new("throttled: {when} ({calls})").text("when", when).text("calls", calls_throttled(*n))
            }
            Hold::JobNotEvaluated { next_pass_in_s } => {
                Text::new("not evaluated yet: {next}").text("next", next_pass(*next_pass_in_s))
            }
            Hold::JobDependencies { unmet, on } => {
                let named = on
                    .iter()
                    .map(|d| {
                        if d.size > 0 {
                            Text::new("{job} ({ended} of {size} ended)")
                                .arg("job", &d.job)
                                .arg("ended", d.ended)
                                .arg("size", d.size)
                        } else {
                            Text::new("{job} {state}").arg("job", &d.job).arg("state", d.state)
                        }
                    })
                    .collect();
                let mut named = join(named, ", ");
                let more = (*unmet as usize).saturating_sub(on.len());
                if more > 0 {
                    named = Text::new("{named} and {more} more").text("named", named).arg("more", more);
                }
                let dependencies =
                    crate::text::counted(u64::from(*unmet), Text::new("1 dependency"), Text::new("{n} dependencies"));
                Text::new("waiting for {dependencies}: {named}").text("dependencies", dependencies).text("named", named)
            }
            Hold::JobQueue { queue, priority, position, runnable, ahead_higher, next_pass_in_s } => {
                let text = if *ahead_higher > 0 {
                    Text::new(
                        "{jobs} ahead of it in queue {queue} (priority {priority}, {runnable} RUNNABLE); {higher} \
                         RUNNABLE in higher-priority queues sharing its compute environments; {next}",
                    )
                    .text("higher", jobs(*ahead_higher))
                } else {
                    Text::new("{jobs} ahead of it in queue {queue} (priority {priority}, {runnable} RUNNABLE); {next}")
                };
                text.text("jobs", jobs(position.saturating_sub(1)))
                    .arg("queue", queue)
                    .arg("priority", priority)
                    .arg("runnable", runnable)
                    .text("next", next_pass(*next_pass_in_s))
            }
            Hold::ComputeEnvironmentMax { ce, vcpus, max_vcpus, job_vcpus } => {
                Text::new("compute environment {ce} at maxvCpus: {vcpus} of {max} vCPUs, the job needs {job}")
                    .arg("ce", ce)
                    .arg("vcpus", t2(*vcpus))
                    .arg("max", max_vcpus)
                    .arg("job", t2(*job_vcpus))
            }
            Hold::ComputeEnvironmentNoRoom {
                ce,
                allocation_strategy,
                job_vcpus,
                job_memory_mib,
                instances: n,
                launching,
                launching_vcpus,
                vcpus,
                max_vcpus,
                dry_pools,
            } => {
                let mut parts =
                    vec![Text::new("compute environment {ce}: no instance with {vcpus} and {mib} MiB free ({instances})")
                        .arg("ce", ce)
                        .text("vcpus", vcpus_text(*job_vcpus))
                        .arg("mib", job_memory_mib)
                        .text("instances", instances(u64::from(*n)))];
                if *launching > 0 {
                    parts.push(
                        Text::new("{instances} launching ({vcpus} vCPUs)")
                            .text("instances", instances(u64::from(*launching)))
                            .arg("vcpus", launching_vcpus),
                    );
                }
                parts.push(
                    Text::new("{vcpus} of {max} maxvCpus, {strategy}")
                        .arg("vcpus", vcpus)
                        .arg("max", max_vcpus)
                        .arg("strategy", strategy_name(*allocation_strategy)),
                );
                if *dry_pools > 0 {
                    parts.push(
                        Text::new("{pools} without capacity (InsufficientInstanceCapacity)")
                            .text("pools", pools(u64::from(*dry_pools))),
                    );
                }
                join(parts, "; ")
            }
            Hold::JobStarting { step, on, since_s } => Text::new("{step} on {on}, since {seconds} s")
                .name("step", step)
                .text("on", on.describe())
                .arg("seconds", t1(*since_s)),
            Hold::JobRunning { attempt, attempts, since_s, timeout_in_s } => {
                let text = match timeout_in_s {
                    Some(t) => Text::new("attempt {attempt} of {attempts}, running since {seconds} s; timeout in {timeout} s")
                        .arg("timeout", t1(*t)),
                    None => Text::new("attempt {attempt} of {attempts}, running since {seconds} s"),
                };
                text.arg("attempt", attempt).arg("attempts", attempts).arg("seconds", t1(*since_s))
            }
            Hold::JobSpotReclaim { on, in_s, attempts_left } => {
                let text = match in_s {
                    Some(s) => Text::new("Spot interruption of {on}: it goes in {seconds} s; {attempts} left")
                        .arg("seconds", t1(*s)),
                    None => Text::new("Spot interruption of {on}; {attempts} left"),
                };
                let left =
                    crate::text::counted(u64::from(*attempts_left), Text::new("1 attempt"), Text::new("{n} attempts"));
                text.text("on", on.describe()).text("attempts", left)
            }
        }
    }
}

/// Where a placed AWS Batch job runs: an instance of an EC2 or SPOT compute environment (its number in the Batch
/// part, as the Batch canvas counts them), or Fargate. Typed so the page says it in its language; `--json` writes
/// it as its English text (`c5.xlarge instance 3 of ce`, `Fargate (ce)`), as it always did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobHost {
    Fargate { ce: String },
    Instance { instance_type: &'static str, number: u32, ce: String },
}

impl JobHost {
    pub fn describe(&self) -> Text {
        match self {
            JobHost::Fargate { ce } => Text::new("Fargate ({ce})").arg("ce", ce),
            JobHost::Instance { instance_type, number, ce } => Text::new("{instance_type} instance {number} of {ce}")
                .arg("instance_type", instance_type)
                .arg("number", number)
                .arg("ce", ce),
        }
    }
}

impl Serialize for JobHost {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.describe())
    }
}

/// "1 job" or "3 jobs".
fn jobs(n: u64) -> Text {
    crate::text::counted(n, Text::new("1 job"), Text::new("{n} jobs"))
}

/// Parts joined by `separator` ("; " or ", "), as one text.
fn join(parts: Vec<Text>, separator: &'static str) -> Text {
    let mut parts = parts.into_iter().rev();
    let Some(mut joined) = parts.next() else { return Text::new("") };
    for part in parts {
        joined = if separator == ", " {
            Text::new("{first}, {rest}").text("first", part).text("rest", joined)
        } else {
            Text::new("{first}; {rest}").text("first", part).text("rest", joined)
        };
    }
    joined
}

/// "1 vCPU", "0.25 vCPUs", "2 vCPUs".
fn vcpus_text(v: f64) -> Text {
    if v == 1.0 {
        Text::new("1 vCPU")
    } else {
        Text::new("{n} vCPUs").arg("n", t2(v))
    }
}

/// When the Batch scheduler looks at the job queues next.
fn next_pass(in_s: Option<f64>) -> Text {
    match in_s {
        Some(s) => Text::new("the scheduler's next pass in {seconds} s").arg("seconds", t1(s)),
        None => Text::new("no scheduler pass scheduled"),
    }
}

/// The allocation strategy as the AWS API spells it.
pub fn strategy_name(s: crate::spec::BatchAllocationStrategy) -> &'static str {
    use crate::spec::BatchAllocationStrategy as S;
    match s {
        S::BestFit => "BEST_FIT",
        S::BestFitProgressive => "BEST_FIT_PROGRESSIVE",
        S::SpotCapacityOptimized => "SPOT_CAPACITY_OPTIMIZED",
        S::SpotPriceCapacityOptimized => "SPOT_PRICE_CAPACITY_OPTIMIZED",
    }
}

/// "no instance with 512 MiB free in us-east-1b", per zone the most common shortage.
fn no_room_text(group: &str, memory_mib: u32, cpu_units: u32, zones: &[ZoneRoom]) -> Text {
    let mut per_zone = Vec::new();
    for z in zones {
        let what = match z.short.first().map(|&(s, _)| s) {
            _ if z.instances == 0 => Text::new("no instance in {zone}"),
            Some(Short::Memory) => Text::new("no instance with {mib} MiB free in {zone}").arg("mib", memory_mib),
            Some(Short::Cpu) => Text::new("no instance with {units} CPU units free in {zone}").arg("units", cpu_units),
            Some(Short::Eni) => Text::new("no instance with a free ENI in {zone}"),
            Some(Short::Ports) => Text::new("no instance with the host ports free in {zone}"),
            Some(Short::Architecture) => Text::new("no instance of the task's architecture in {zone}"),
            Some(Short::NotActive) => Text::new("no ACTIVE instance yet in {zone}"),
            None => Text::new("instances with room (placement constraints exclude them) in {zone}"),
        };
        per_zone.push(what.arg("zone", &z.zone));
    }
    if per_zone.is_empty() {
        Text::new("no instance in group {group}").arg("group", group)
    } else {
        join(per_zone, ", ")
    }
}

/// Why a subject waits at one instant: its state and what holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub at_s: f64,
    pub subject: Subject,
    /// The state in a word or two: `PROVISIONING`, `RUNNING`, `5 of 10 running`, ...
    pub state: String,
    pub holds: Vec<Hold>,
    /// [`Explanation::text`], for JSON readers.
    pub text: String,
}

impl Explanation {
    pub(crate) fn new(at_s: f64, subject: Subject, state: String, holds: Vec<Hold>) -> Explanation {
        let holds = if holds.is_empty() { vec![Hold::Nothing] } else { holds };
        let text = format!("{state}: {}", holds.iter().map(Hold::text).collect::<Vec<_>>().join("; "));
        Explanation { at_s, subject, state, holds, text }
    }

    /// The sentence: the state, then each hold.
    pub fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentences_read_as_the_issue_shows_them() {
        let bucket = Hold::AccountBucket {
            bucket: AccountBucket::FargateOnDemand,
            tasks: 5,
            tokens: 0.4,
            per_s: 20.0,
            ahead: 37,
            wait_s: Some(1.93),
        };
        assert_eq!(
            bucket.text(),
            "waiting for the Fargate On-Demand bucket: 0.4 tokens, 20/s, 37 tasks ahead of it, ~1.9 s (5 tasks waiting)"
        );
        let backoff = Hold::Backoff { tasks: 3, left_s: 80.0, attempts: 4 };
        assert_eq!(backoff.text(), "backoff: 80 s left after 4 failed starts; 3 tasks not launched");
        let room = Hold::NoRoom {
            tasks: 1,
            group: "asg".into(),
            memory_mib: 512,
            cpu_units: 256,
            zones: vec![ZoneRoom { zone: "us-east-1b".into(), instances: 2, short: vec![(Short::Memory, 2)] }],
            scaling: Some(ScalingWait {
                next_evaluation_in_s: Some(23.0),
                reservation_percent: Some(133),
                target_percent: 100,
                instances_launching: 0,
                dry_pools: 0,
            }),
            ahead: 61,
        };
        let e = Explanation::new(1.0, Subject::Task { id: 3, owner: "web".into() }, "PROVISIONING".into(), vec![room]);
        assert_eq!(
            e.text(),
            "PROVISIONING: no instance with 512 MiB free in us-east-1b; managed scaling's next evaluation in 23 s \
             (reservation 133%, target 100%); 61 tasks ahead"
        );
        assert_eq!(e.holds[0].limiter(), Some(Limiter::ClusterAutoScaling));
    }
}
