//! "Why is this waiting?" (`docs/model.md` §15): what holds a task, a service, a RunTask burst or an AWS Batch job
//! at one instant, with its numbers, as typed values the simulation computes from its own state (`sim/explain.rs`,
//! `sim/batch/explain.rs`), and the sentence each renders. The CLI (`fleetplan explain`), `--json` and the page show the same values and words.

use serde::Serialize;

use crate::output::Limiter;
use crate::task::TaskState;

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
            AccountBucket::FargateOnDemand => "Fargate On-Demand bucket",
            AccountBucket::FargateSpot => "Fargate Spot bucket",
            AccountBucket::RunTaskApi => "RunTask API bucket",
            AccountBucket::FargateRunTaskCalls => "Fargate RunTask call bucket",
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
    JobStarting { step: &'static str, on: String, since_s: f64 },
    /// Batch, RUNNING: the attempt, since when, and its timeout.
    JobRunning { attempt: u32, attempts: u32, since_s: f64, timeout_in_s: Option<f64> },
    /// Batch: the job's EC2 Spot instance has had its interruption notice, or its Fargate Spot task its warning:
    /// when it goes, and the attempts left for the retry strategy.
    JobSpotReclaim { on: String, in_s: Option<f64>, attempts_left: u32 },
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

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
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
        match self {
            Hold::Nothing => "nothing holds it".into(),
            Hold::NotYet { starts_in_s } => format!("not started yet: starts in {} s", t1(*starts_in_s)),
            Hold::ServiceLaunchRate { tasks, used, per_cycle, cycle_s, next_cycle_in_s } => {
                let next = next_cycle_in_s.map_or(String::new(), |s| format!(", next cycle in {} s", t1(s)));
                format!(
                    "service launch rate: {used} of {per_cycle} per {} s cycle used at the last cycle{next}; {} not launched",
                    t1(*cycle_s),
                    plural(*tasks, "task", "tasks")
                )
            }
            Hold::AccountBucket { bucket, tasks, tokens, per_s, ahead, wait_s } => {
                let wait = wait_s.map_or(", never refills".to_string(), |s| format!(", ~{} s", t1(s)));
                format!(
                    "waiting for the {}: {} tokens, {}/s, {} ahead of it{wait} ({} waiting)",
                    bucket.name(),
                    t1(*tokens),
                    t1(*per_s),
                    plural(*ahead, "task", "tasks"),
                    plural(*tasks, "task", "tasks"),
                )
            }
            Hold::DeploymentBounds { tasks, active, max_running, maximum_percent, minimum_healthy_percent } => format!(
                "deployment bounds: {active} tasks active, maximumPercent {maximum_percent}% allows {max_running} \
                 (minimumHealthyPercent {minimum_healthy_percent}%); {} wait for older tasks to stop",
                plural(*tasks, "task", "tasks")
            ),
            Hold::NoRoom { tasks, group, memory_mib, cpu_units, zones, scaling, ahead } => {
                let mut parts = vec![no_room_text(group, *memory_mib, *cpu_units, zones)];
                match scaling {
                    Some(s) => {
                        let next = s.next_evaluation_in_s.map_or("no evaluation scheduled".to_string(), |n| {
                            format!("managed scaling's next evaluation in {} s", t1(n))
                        });
                        let reservation =
                            s.reservation_percent.map_or("no reading yet".to_string(), |r| format!("reservation {r}%"));
                        parts.push(format!("{next} ({reservation}, target {}%)", s.target_percent));
                        if s.dry_pools > 0 {
                            parts.push(format!(
                                "{} without capacity (InsufficientInstanceCapacity)",
                                plural(u64::from(s.dry_pools), "pool", "pools")
                            ));
                        }
                        if s.instances_launching > 0 {
                            parts.push(format!(
                                "{} launching",
                                plural(u64::from(s.instances_launching), "instance", "instances")
                            ));
                        }
                    }
                    None => parts.push("no managed scaling to launch one".into()),
                }
                parts.push(format!("{} ahead", plural(*ahead, "task", "tasks")));
                if *tasks > 1 {
                    parts.push(format!("{tasks} tasks waiting"));
                }
                parts.join("; ")
            }
            Hold::ProvisioningLimit { tasks, waiting, limit } => format!(
                "PROVISIONING limit: {waiting} of {limit} tasks already wait for cluster auto scaling; {} not launched",
                plural(*tasks, "task", "tasks")
            ),
            Hold::SpotCapacity { tasks, position, waiting, per_minute } => {
                let rate = per_minute.map_or("no rate limit".to_string(), |r| format!("{r} per minute"));
                match position {
                    Some(p) => format!("waiting for Fargate Spot capacity: {p} of {waiting} in the queue, {rate}"),
                    None => format!(
                        "waiting for Fargate Spot capacity: {} of {waiting} in the queue, {rate}",
                        plural(*tasks, "task", "tasks")
                    ),
                }
            }
            Hold::VcpuQuota { tasks, quota, used_vcpu, quota_vcpu, task_vcpu } => format!(
                "{}: {} of {} vCPUs in use, a task needs {}; {} not launched",
                quota.name(),
                t2(*used_vcpu),
                t2(*quota_vcpu),
                t2(*task_vcpu),
                plural(*tasks, "task", "tasks")
            ),
            Hold::Refused { tasks, limit } => {
                format!("{}; {} not launched", limit.name(), plural(*tasks, "task", "tasks"))
            }
            Hold::Backoff { tasks, left_s, attempts } => format!(
                "backoff: {} s left after {}; {} not launched",
                t1(*left_s),
                plural(u64::from(*attempts), "failed start", "failed starts"),
                plural(*tasks, "task", "tasks")
            ),
            Hold::CircuitBreaker { tasks, failures, threshold } => format!(
                "circuit breaker: deployment FAILED after {failures} of {threshold} failures; {} will not launch",
                plural(*tasks, "task", "tasks")
            ),
            Hold::Step { tasks, state, step, since_s } => match since_s {
                Some(since) => format!("{step}, since {} s", t1(*since)),
                None => format!("{} {}: {step}", plural(*tasks, "task", "tasks"), state.name()),
            },
            Hold::NextCycle { tasks, in_s } => {
                format!("{} to launch at the next cycle, in {} s", plural(*tasks, "task", "tasks"), t1(*in_s))
            }
            Hold::Retry { in_s, calls_throttled } => {
                let when = in_s.map_or("gave up".to_string(), |s| format!("retries in {} s", t1(s)));
                format!("throttled: {when} ({})", plural(*calls_throttled, "call throttled", "calls throttled"))
            }
            Hold::JobNotEvaluated { next_pass_in_s } => format!("not evaluated yet: {}", next_pass(*next_pass_in_s)),
            Hold::JobDependencies { unmet, on } => {
                let named: Vec<String> = on
                    .iter()
                    .map(|d| {
                        if d.size > 0 {
                            format!("{} ({} of {} ended)", d.job, d.ended, d.size)
                        } else {
                            format!("{} {}", d.job, d.state)
                        }
                    })
                    .collect();
                let more = (*unmet as usize).saturating_sub(on.len());
                let more = if more > 0 { format!(" and {more} more") } else { String::new() };
                format!(
                    "waiting for {}: {}{more}",
                    plural(u64::from(*unmet), "dependency", "dependencies"),
                    named.join(", ")
                )
            }
            Hold::JobQueue { queue, priority, position, runnable, ahead_higher, next_pass_in_s } => {
                let higher = if *ahead_higher > 0 {
                    format!(
                        "; {} RUNNABLE in higher-priority queues sharing its compute environments",
                        plural(*ahead_higher, "job", "jobs")
                    )
                } else {
                    String::new()
                };
                format!(
                    "{} ahead of it in queue {queue} (priority {priority}, {runnable} RUNNABLE){higher}; {}",
                    plural(position.saturating_sub(1), "job", "jobs"),
                    next_pass(*next_pass_in_s)
                )
            }
            Hold::ComputeEnvironmentMax { ce, vcpus, max_vcpus, job_vcpus } => format!(
                "compute environment {ce} at maxvCpus: {} of {max_vcpus} vCPUs, the job needs {}",
                t2(*vcpus),
                t2(*job_vcpus)
            ),
            Hold::ComputeEnvironmentNoRoom {
                ce,
                allocation_strategy,
                job_vcpus,
                job_memory_mib,
                instances,
                launching,
                launching_vcpus,
                vcpus,
                max_vcpus,
                dry_pools,
            } => {
                let mut parts = vec![format!(
                    "compute environment {ce}: no instance with {} and {job_memory_mib} MiB free ({})",
                    vcpus_text(*job_vcpus),
                    plural(u64::from(*instances), "instance", "instances")
                )];
                if *launching > 0 {
                    parts.push(format!(
                        "{} launching ({launching_vcpus} vCPUs)",
                        plural(u64::from(*launching), "instance", "instances")
                    ));
                }
                parts.push(format!("{vcpus} of {max_vcpus} maxvCpus, {}", strategy_name(*allocation_strategy)));
                if *dry_pools > 0 {
                    parts.push(format!(
                        "{} without capacity (InsufficientInstanceCapacity)",
                        plural(u64::from(*dry_pools), "pool", "pools")
                    ));
                }
                parts.join("; ")
            }
            Hold::JobStarting { step, on, since_s } => format!("{step} on {on}, since {} s", t1(*since_s)),
            Hold::JobRunning { attempt, attempts, since_s, timeout_in_s } => {
                let timeout = timeout_in_s.map_or(String::new(), |t| format!("; timeout in {} s", t1(t)));
                format!("attempt {attempt} of {attempts}, running since {} s{timeout}", t1(*since_s))
            }
            Hold::JobSpotReclaim { on, in_s, attempts_left } => {
                let when = in_s.map_or(String::new(), |s| format!(": it goes in {} s", t1(s)));
                format!(
                    "Spot interruption of {on}{when}; {} left",
                    plural(u64::from(*attempts_left), "attempt", "attempts")
                )
            }
        }
    }
}

/// "1 vCPU", "0.25 vCPUs", "2 vCPUs".
fn vcpus_text(v: f64) -> String {
    if v == 1.0 {
        "1 vCPU".into()
    } else {
        format!("{} vCPUs", t2(v))
    }
}

fn next_pass(in_s: Option<f64>) -> String {
    in_s.map_or("no scheduler pass scheduled".to_string(), |s| format!("the scheduler's next pass in {} s", t1(s)))
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
fn no_room_text(group: &str, memory_mib: u32, cpu_units: u32, zones: &[ZoneRoom]) -> String {
    let mut per_zone = Vec::new();
    for z in zones {
        let what = match z.short.first().map(|&(s, _)| s) {
            _ if z.instances == 0 => "no instance".to_string(),
            Some(Short::Memory) => format!("no instance with {memory_mib} MiB free"),
            Some(Short::Cpu) => format!("no instance with {cpu_units} CPU units free"),
            Some(Short::Eni) => "no instance with a free ENI".to_string(),
            Some(Short::Ports) => "no instance with the host ports free".to_string(),
            Some(Short::Architecture) => "no instance of the task's architecture".to_string(),
            Some(Short::NotActive) => "no ACTIVE instance yet".to_string(),
            None => "instances with room (placement constraints exclude them)".to_string(),
        };
        per_zone.push(format!("{what} in {}", z.zone));
    }
    if per_zone.is_empty() {
        format!("no instance in group {group}")
    } else {
        per_zone.join(", ")
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
