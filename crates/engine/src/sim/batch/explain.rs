//! "Why is this job waiting?" (`docs/model.md` §15.3): what holds an AWS Batch job at the current instant, read
//! from the Batch part's state through `&self` (explaining changes nothing), with the numbers the scheduler's pass
//! decides with. Each hold follows a sentence of the AWS Batch User Guide:
//!
//! - SUBMITTED: "A job that's submitted to the queue, and has not yet been evaluated by the scheduler" ("Job
//!   states"): the scheduler's next pass.
//! - PENDING: "A job that resides in the queue and isn't yet able to run due to a dependency on another job or
//!   resource. After the dependencies are satisfied, the job is moved to RUNNABLE" ("Job states"): which
//!   dependencies are not met yet.
//! - RUNNABLE: "Jobs in this state are started as soon as sufficient resources are available in one of the compute
//!   environments that are mapped to the job's queue. However, jobs can remain in this state indefinitely when
//!   sufficient resources are unavailable" ("Job states"): its place in its queue, "Job queues with a higher
//!   priority ... are evaluated first when associated with the same compute environment" (CreateJobQueue), and per
//!   compute environment what it lacks, judged as `batch_dispatch` and `batch_scale` judge it: maxvCpus, an
//!   instance with room, instances launching, pools without capacity, the account's Fargate vCPU quota and buckets.
//! - STARTING: "These jobs have been scheduled to a host and the relevant container initiation operations are
//!   underway" ("Job states").
//! - RUNNING: "placed into the RUNNING state that's considered an attempt" ("Automated job retries"); its timeout,
//!   measured "from the job attempt's startedAt timestamp" ("Job timeouts"); a Spot reclaim of its instance.
//!
//! Fair-share scheduling is not modelled (a scenario with a scheduling policy is rejected, `docs/model.md` §12), so
//! no share is explained: queues are FIFO in priority order.

use super::{fargate_provider, plan, BatchEvent, NONE};
use crate::explain::{AccountBucket, Explanation, Hold, JobDependencyWait, JobHost, Subject};
use crate::output::BatchJobState;
use crate::scenario::{JobDependency, Provider};
use crate::sim::{Event, Simulation};
use crate::text::mark;

/// The most dependencies an explanation names (the rest are counted).
const NAMED_DEPENDENCIES: usize = 5;

fn secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

impl Simulation {
    /// The job number of submission `name`'s first job (its `index`-th array child), for `--job NAME`.
    pub fn batch_job_index(&self, name: &str, index: Option<u32>) -> Result<u32, String> {
        let Some(b) = self.scenario.batch.as_ref() else {
            return Err("the scenario has no AWS Batch jobs".into());
        };
        let Some(submission) = b.submissions.iter().position(|s| s.name == name) else {
            let names: Vec<&str> = b.submissions.iter().map(|s| s.name.as_str()).collect();
            return Err(format!("no Batch submission {name:?}; the submissions are: {}", names.join(", ")));
        };
        let sub = &b.submissions[submission];
        if let Some(i) = index {
            if i >= sub.array_size {
                return Err(format!("submission {name:?} has no array child {i} (array size {})", sub.array_size));
            }
        }
        let unit = self.batch.units.iter().find(|u| usize::from(u.submission) == submission).ok_or_else(|| {
            let first = b.calls.iter().find(|c| usize::from(c.submission) == submission).map(|c| secs(c.at.0));
            match first {
                Some(at) => format!(
                    "submission {name:?} is not submitted yet at {} s: its first call is at {at} s",
                    secs(self.now.0)
                ),
                None => format!("submission {name:?} is never submitted"),
            }
        })?;
        Ok(unit.first_job + index.unwrap_or(0))
    }

    /// How job `job` is named: `name` or `name[3]`.
    fn batch_job_name(&self, job: u32) -> String {
        let b = self.batch_spec();
        let j = &self.batch.jobs[job as usize];
        let sub = &b.submissions[self.batch.units[j.unit as usize].submission as usize];
        if sub.array_size > 0 {
            format!("{}[{}]", sub.name, j.index)
        } else {
            sub.name.clone()
        }
    }

    /// Why Batch job `job` (its number, creation order from 0) is where it is now.
    pub fn explain_job(&self, job: u32) -> Result<Explanation, String> {
        let Some(b) = self.scenario.batch.as_ref() else {
            return Err("the scenario has no AWS Batch jobs".into());
        };
        let j = self.batch.jobs.get(job as usize).ok_or_else(|| {
            format!("no Batch job {job} at {} s: {} jobs submitted so far", secs(self.now.0), self.batch.jobs.len())
        })?;
        let unit = &self.batch.units[j.unit as usize];
        let sub = &b.submissions[unit.submission as usize];
        let def = &b.definitions[sub.definition as usize];
        let subject = Subject::Job { id: job, name: sub.name.clone(), index: (sub.array_size > 0).then_some(j.index) };
        let at_s = secs(self.now.0);
        let next_pass = self.in_s(self.batch.pass_at.filter(|&p| p >= self.now));
        let mut state = j.state.name().to_string();
        let mut holds = Vec::new();
        match j.state {
            BatchJobState::Submitted => holds.push(Hold::JobNotEvaluated { next_pass_in_s: next_pass }),
            BatchJobState::Pending => holds.push(self.batch_dependency_hold(job)),
            BatchJobState::Runnable => {
                if j.attempts > 0 {
                    state = format!("RUNNABLE, {} of {} attempts made", j.attempts, def.attempts);
                }
                holds.extend(self.batch_runnable_holds(job, next_pass));
            }
            BatchJobState::Starting => {
                let on = self.batch_job_host(job);
                if j.awaiting_spot {
                    let position = self.spot.job_position(
                        job,
                        j.generation,
                        |t, g| self.tasks.get(t).is_some_and(|t| t.generation == g && t.awaiting_capacity),
                        |other, g| self.batch.awaiting_spot(other, g),
                    );
                    holds.push(self.spot_hold(1, position));
                } else {
                    let step = if j.instance == NONE {
                        mark("Fargate capacity, ENI attachment, image pull and container start")
                    } else {
                        mark("hand-off to the container agent, image pull and container start")
                    };
                    holds.push(Hold::JobStarting { step, on, since_s: secs(j.placed_at.0) });
                }
                if let Some(h) = self.batch_reclaim_hold(job) {
                    holds.push(h);
                }
            }
            BatchJobState::Running => {
                let timeout_in_s = def.timeout_ms.map(|t| secs((j.started_at.0 + t).saturating_sub(self.now.0)));
                holds.push(Hold::JobRunning {
                    attempt: j.attempts,
                    attempts: def.attempts,
                    since_s: secs(j.started_at.0),
                    timeout_in_s,
                });
                if let Some(h) = self.batch_reclaim_hold(job) {
                    holds.push(h);
                }
            }
            BatchJobState::Succeeded | BatchJobState::Failed => {
                let ended = j.ended_at.map_or(String::new(), |t| format!(" at {} s", crate::explain::t1(secs(t.0))));
                state = format!("{}{ended}, {} of {} attempts made", j.state.name(), j.attempts, def.attempts);
            }
        }
        Ok(Explanation::new(at_s, subject, state, holds))
    }

    /// Where a placed job runs: `c5.xlarge instance 3 of ce` or `Fargate (ce)`.
    fn batch_job_host(&self, job: u32) -> JobHost {
        let b = self.batch_spec();
        let j = &self.batch.jobs[job as usize];
        let ce = b.compute_environments[j.ce as usize].name.clone();
        if j.instance == NONE {
            JobHost::Fargate { ce }
        } else {
            let inst = &self.batch.instances[j.instance as usize];
            JobHost::Instance { instance_type: inst.itype.name, number: j.instance, ce }
        }
    }

    /// The Spot interruption of a placed job's instance (notice given, termination queued) or of its Fargate Spot
    /// task (warning given, stop queued), if any.
    fn batch_reclaim_hold(&self, job: u32) -> Option<Hold> {
        let j = &self.batch.jobs[job as usize];
        let def = self.batch_definition(job);
        // A RUNNING attempt spends one; a STARTING job goes back to RUNNABLE without (`batch_spot_terminate`).
        let spent = j.attempts;
        let attempts_left = def.attempts.saturating_sub(spent);
        let at = if j.instance != NONE {
            if !self.batch.instances[j.instance as usize].reclaimed {
                return None;
            }
            let instance = j.instance;
            self.next_event_at(
                |e| matches!(e, Event::Batch(BatchEvent::SpotTerminate { instance: i }) if *i == instance),
            )
        } else if j.interrupted {
            let generation = j.generation;
            self.next_event_at(
                |e| matches!(e, Event::Batch(BatchEvent::FargateSpotStopped { job: o, generation: g }) if *o == job && *g == generation),
            )
        } else {
            return None;
        };
        Some(Hold::JobSpotReclaim { on: self.batch_job_host(job), in_s: self.in_s(at), attempts_left })
    }

    /// A PENDING job's dependencies not yet met, as `batch_submit` counted them: a whole job or array, child i of
    /// an N_TO_N array, the previous child of a SEQUENTIAL array.
    fn batch_dependency_hold(&self, job: u32) -> Hold {
        let b = self.batch_spec();
        let j = &self.batch.jobs[job as usize];
        let unit = &self.batch.units[j.unit as usize];
        let sub = &b.submissions[unit.submission as usize];
        let mut on = Vec::new();
        let one = |other: u32| {
            let o = &self.batch.jobs[other as usize];
            JobDependencyWait { job: self.batch_job_name(other), state: o.state.name(), ended: 0, size: 0 }
        };
        if sub.sequential && j.index > 0 && self.batch.jobs[(job - 1) as usize].state != BatchJobState::Succeeded {
            on.push(one(job - 1));
        }
        for dep in &sub.dependencies {
            let (JobDependency::Job(other) | JobDependency::NToN(other)) = *dep;
            let o = self.batch.unit_of_submission[other as usize];
            if o == NONE {
                continue;
            }
            let ou = &self.batch.units[o as usize];
            match dep {
                JobDependency::Job(_) if ou.ended < ou.size => on.push(JobDependencyWait {
                    job: b.submissions[other as usize].name.clone(),
                    state: "",
                    ended: ou.ended,
                    size: ou.size,
                }),
                JobDependency::NToN(_) => {
                    let child = ou.first_job + j.index;
                    if self.batch.jobs[child as usize].state != BatchJobState::Succeeded {
                        on.push(one(child));
                    }
                }
                JobDependency::Job(_) => {}
            }
        }
        on.truncate(NAMED_DEPENDENCIES);
        Hold::JobDependencies { unmet: j.unmet, on }
    }

    /// A RUNNABLE job: its place in its queue and the higher-priority queues' RUNNABLE jobs on the same compute
    /// environments, then per compute environment of the queue (in the queue's order) what stops a placement there.
    fn batch_runnable_holds(&self, job: u32, next_pass: Option<f64>) -> Vec<Hold> {
        let b = self.batch_spec();
        let q = self.batch_queue_of(job);
        let queue = &b.queues[q];
        let deque = &self.batch.runnable[q];
        let position = deque.iter().position(|&o| o == job).map_or(0, |p| p as u64 + 1);
        let ahead_higher: u64 = (0..b.queues.len())
            .filter(|&o| {
                o != q
                    && b.queues[o].priority > queue.priority
                    && b.queues[o].compute_environments.iter().any(|c| queue.compute_environments.contains(c))
            })
            .map(|o| self.batch.runnable[o].len() as u64)
            .sum();
        let mut holds = vec![Hold::JobQueue {
            queue: queue.name.clone(),
            priority: queue.priority,
            position,
            runnable: deque.len() as u64,
            ahead_higher,
            next_pass_in_s: next_pass,
        }];
        let need = self.batch_need(job);
        let job_vcpus = f64::from(need.vcpu_milli) / 1000.0;
        let mut ce_holds = Vec::new();
        for &c in &queue.compute_environments {
            let c = c as usize;
            let ce = &b.compute_environments[c];
            let state = &self.batch.ces[c];
            if ce.kind.is_fargate() {
                if state.fargate_milli + u64::from(need.vcpu_milli) > u64::from(ce.max_vcpus) * 1000 {
                    ce_holds.push(Hold::ComputeEnvironmentMax {
                        ce: ce.name.clone(),
                        vcpus: state.fargate_milli as f64 / 1000.0,
                        max_vcpus: ce.max_vcpus,
                        job_vcpus,
                    });
                    continue;
                }
                let provider = fargate_provider(ce.kind);
                if let Some(quota) = self.batch_quota_refuses(provider, need.vcpu_milli) {
                    let (used_vcpu, quota_vcpu) = self.fargate_vcpus(provider);
                    ce_holds.push(Hold::VcpuQuota { tasks: 1, quota, used_vcpu, quota_vcpu, task_vcpu: job_vcpus });
                    continue;
                }
                // RunTask for a Fargate job takes a Fargate RunTask call token and a launch token (`batch_dispatch`).
                if self.buckets.fargate_run_task_calls.level_at(self.now) < 1.0 {
                    ce_holds.push(self.bucket_hold(AccountBucket::FargateRunTaskCalls, 1, position.saturating_sub(1)));
                    continue;
                }
                let bucket = if provider == Provider::FargateSpot {
                    AccountBucket::FargateSpot
                } else {
                    AccountBucket::FargateOnDemand
                };
                let launch = if provider == Provider::FargateSpot {
                    &self.buckets.fargate_spot
                } else {
                    &self.buckets.fargate_on_demand
                };
                if launch.level_at(self.now) < 1.0 {
                    ce_holds.push(self.bucket_hold(bucket, 1, position.saturating_sub(1)));
                    continue;
                }
                // Room on this environment: only its place in the queue holds it.
                return holds;
            }
            let room = self.batch.with_room[c].iter().any(|&i| {
                let inst = &self.batch.instances[i as usize];
                inst.free_milli >= need.vcpu_milli && inst.free_mib >= need.memory_mib
            });
            if room {
                // An EC2 job's RunTask takes a token of the account's RunTask bucket (`batch_dispatch`).
                if self.buckets.run_task_api.level_at(self.now) < 1.0 {
                    ce_holds.push(self.bucket_hold(AccountBucket::RunTaskApi, 1, position.saturating_sub(1)));
                    continue;
                }
                return holds;
            }
            let live = state.live_vcpus;
            let instances = crate::narrow::u32_of(
                self.batch.instances.iter().filter(|i| usize::from(i.ce) == c && i.terminated.is_none()).count(),
            );
            let launching = crate::narrow::u32_of(
                self.batch
                    .instances
                    .iter()
                    .filter(|i| usize::from(i.ce) == c && i.terminated.is_none() && !i.ready)
                    .count(),
            );
            let dry_pools = crate::narrow::u32_of(self.batch.dry[c].iter().filter(|d| **d).count());
            let missing = u64::from(need.vcpu_milli).max(self.batch.runnable_milli[q]);
            // At maxvCpus: no launch may start ("AWS Batch never exceeds maxvCpus by more than a single instance",
            // `plan::may_launch`), or, BEST_FIT On-Demand, no type fits under it and nothing is on its way.
            let blocked = !plan::may_launch(live, ce.max_vcpus)
                || (launching == 0 && self.batch_choose_launch(c, need, missing) == plan::Launch::Nothing);
            if blocked {
                ce_holds.push(Hold::ComputeEnvironmentMax {
                    ce: ce.name.clone(),
                    vcpus: f64::from(live),
                    max_vcpus: ce.max_vcpus,
                    job_vcpus,
                });
                continue;
            }
            ce_holds.push(Hold::ComputeEnvironmentNoRoom {
                ce: ce.name.clone(),
                allocation_strategy: ce.allocation,
                job_vcpus,
                job_memory_mib: need.memory_mib,
                instances,
                launching,
                launching_vcpus: state.launching_vcpus,
                vcpus: live,
                max_vcpus: ce.max_vcpus,
                dry_pools,
            });
        }
        holds.extend(ce_holds);
        holds
    }
}

#[cfg(test)]
mod tests;
