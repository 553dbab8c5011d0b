//! Step-level tests of the AWS Batch part: every state transition and limit, one event at a time.

use super::super::testing::{checked, object};
use super::super::Event;
use super::*;
use crate::scenario::Scenario;

/// A Batch-only scenario: compute environment `ce` (EC2, c5.xlarge, max 16 vCPUs, then `ce` fields), queue `q`,
/// definition `jd` (1 vCPU, 1 GiB, then `jd` fields), and the submissions and extra Batch fields of `rest`.
pub(super) fn scenario(ce: &str, jd: &str, rest: &str) -> Scenario {
    let ce = object(r#""name": "ce", "type": "EC2", "max_vcpus": 16, "instance_types": ["c5.xlarge"]"#, ce);
    let jd = object(r#""name": "jd", "vcpus": 1, "memory_mib": 1024"#, jd);
    let json = format!(
        r#"{{ "version": 1, "name": "unit", "horizon_s": 7200, "task_definitions": [],
          "batch": {{
            "compute_environments": [{ce}],
            "job_queues": [{{ "name": "q", "priority": 1, "compute_environments": ["ce"] }}],
            "job_definitions": [{jd}],
            {rest} }} }}"#
    );
    Scenario::from_json(&json).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) const ONE_JOB: &str =
    r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 100 } }]"#;

/// Forty array children of 0.25 vCPU and 1,000 s on a Fargate compute environment `f` of at most 4 vCPUs, with the
/// Fargate On-Demand launch bucket cut to a burst of 5 and 1 token a second.
pub(super) fn fargate_forty_jobs() -> Scenario {
    let json = r#"{ "version": 1, "name": "unit", "horizon_s": 7200, "task_definitions": [],
        "limits": { "fargate_on_demand_launch": { "burst": 5, "refill_per_s": 1 } },
        "batch": {
          "compute_environments": [{ "name": "f", "type": "FARGATE", "max_vcpus": 4 }],
          "job_queues": [{ "name": "q", "priority": 1, "compute_environments": ["f"] }],
          "job_definitions": [{ "name": "jd", "vcpus": 0.25, "memory_mib": 512, "platform": "FARGATE" }],
          "submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 1000 },
                            "array_size": 40 }] } }"#;
    Scenario::from_json(json).unwrap_or_else(|e| panic!("{e}"))
}

pub(super) fn is_batch(e: &Event, f: impl Fn(&BatchEvent) -> bool) -> bool {
    matches!(e, Event::Batch(b) if f(b))
}

/// The scheduler's pass: `sim.step_through(pass)` runs up to and through the next one.
pub(super) fn pass(e: &Event) -> bool {
    is_batch(e, |b| *b == BatchEvent::Pass)
}

fn state(sim: &Simulation, job: u32) -> BatchJobState {
    sim.batch.jobs[job as usize].state
}

#[test]
fn a_job_walks_submitted_runnable_starting_running_succeeded() {
    let mut sim = checked(scenario("", "", ONE_JOB));
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::Submit { .. })));
    assert_eq!(state(&sim, 0), BatchJobState::Submitted);
    // The first pass on the 10 s grid evaluates it and, with no instance yet, launches one for it.
    sim.step_through(pass);
    assert_eq!(sim.now(), SimTime(10_000));
    assert_eq!(state(&sim, 0), BatchJobState::Runnable);
    assert_eq!(sim.batch.instances.len(), 1);
    assert_eq!(sim.batch.instances[0].itype.name, "c5.xlarge");
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::InstanceReady { .. })));
    assert_eq!(state(&sim, 0), BatchJobState::Runnable);
    sim.step_through(pass);
    assert_eq!(state(&sim, 0), BatchJobState::Starting);
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::Started { .. })));
    assert_eq!(state(&sim, 0), BatchJobState::Running);
    assert_eq!(sim.batch.jobs[0].attempts, 1);
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::Exited { .. })));
    assert_eq!(state(&sim, 0), BatchJobState::Succeeded);
    // The idle instance goes at the next pass (minvCpus 0, no delay set), and then nothing is left to do.
    sim.run_to_end();
    assert!(sim.batch.instances[0].terminated.is_some());
    let summary = sim.batch_summary().unwrap();
    assert_eq!(summary.jobs_by_state[BatchJobState::Succeeded.index()].jobs, 1);
    assert!(summary.makespan_s.is_some());
    assert!(summary.cost_usd > 0.0);
}

#[test]
fn submit_job_is_throttled_at_its_bucket_and_retried() {
    let rest = r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd",
        "run_time": { "mean_s": 10 }, "calls": 60 }], "submit_job_api": { "burst": 50, "refill_per_s": 50 }"#;
    let mut sim = checked(scenario("", "", rest));
    sim.step_until(SimTime(0));
    // 50 calls from the burst; 10 throttled, each retried when a token is back (one every 20 ms).
    assert_eq!(sim.batch.submit_calls, 50);
    assert_eq!(sim.batch.submit_throttled, 10);
    sim.step_until(SimTime(200));
    assert_eq!(sim.batch.submit_calls, 60);
    assert_eq!(sim.batch.units.len(), 60);
}

#[test]
fn an_array_job_is_one_call_of_many_children() {
    let rest = r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd",
        "run_time": { "mean_s": 10 }, "array_size": 1000 }]"#;
    let mut sim = checked(scenario("", "", rest));
    sim.step_until(SimTime(0));
    assert_eq!(sim.batch.submit_calls, 1);
    assert_eq!(sim.batch.jobs.len(), 1000);
    assert_eq!(sim.batch.counts[BatchJobState::Submitted.index()], 1000);
}

#[test]
fn max_vcpus_is_exceeded_by_less_than_one_instance() {
    // 40 one-vCPU jobs, maxvCpus 10, c5.2xlarge (8 vCPUs), BEST_FIT_PROGRESSIVE: a second instance takes it to 16,
    // never a third.
    let rest = r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd",
        "run_time": { "mean_s": 600 }, "array_size": 40 }]"#;
    let ce = r#", "max_vcpus": 10, "instance_types": ["c5.2xlarge"], "allocation_strategy": "BEST_FIT_PROGRESSIVE""#;
    let mut sim = checked(scenario(ce, "", rest));
    sim.step_until(SimTime(300_000));
    assert_eq!(sim.batch.ces[0].live_vcpus, 16);
    assert_eq!(sim.batch.instances.len(), 2);
    assert_eq!(sim.batch.counts[BatchJobState::Running.index()], 16);
    assert_eq!(sim.batch.counts[BatchJobState::Runnable.index()], 24);
    // BEST_FIT with On-Demand instances never exceeds maxvCpus (API reference, `ComputeResource.maxvCpus`): one
    // c5.2xlarge, and the second would cross 10.
    let ce = r#", "max_vcpus": 10, "instance_types": ["c5.2xlarge"], "allocation_strategy": "BEST_FIT""#;
    let mut sim = checked(scenario(ce, "", rest));
    sim.step_until(SimTime(300_000));
    assert_eq!((sim.batch.ces[0].live_vcpus, sim.batch.instances.len()), (8, 1));
    // BEST_FIT with Spot Instances may cross it by one instance.
    let ce =
        r#", "type": "SPOT", "max_vcpus": 10, "instance_types": ["c5.2xlarge"], "allocation_strategy": "BEST_FIT""#;
    let mut sim = checked(scenario(ce, "", rest));
    sim.step_until(SimTime(300_000));
    assert_eq!(sim.batch.ces[0].live_vcpus, 16);
}

#[test]
fn idle_instances_scale_down_to_min_vcpus_after_the_delay() {
    let mut sim =
        checked(scenario(r#", "min_vcpus": 4, "desired_vcpus": 12, "min_scale_down_delay_minutes": 20"#, "", ONE_JOB));
    // desiredvCpus 12: three c5.xlarge running at the start.
    assert_eq!(sim.batch.ces[0].live_vcpus, 12);
    sim.step_until(SimTime(60_000));
    // Two never ran a job: they go at once (the delay "does not apply to ... instances that have not yet run any
    // jobs"); the one running the job stays.
    assert_eq!(sim.batch.ces[0].live_vcpus, 4);
    let busy = sim.batch.instances.iter().position(|i| i.terminated.is_none()).unwrap();
    assert_eq!(sim.batch.instances[busy].jobs, 1);
    sim.run_to_end();
    // minvCpus keeps it after the job.
    assert!(sim.batch.instances[busy].terminated.is_none());
    assert_eq!(sim.batch.ces[0].live_vcpus, 4);
}

#[test]
fn the_scale_down_delay_keeps_a_used_instance() {
    let rest = r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 100 } },
        { "name": "later", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 100 }, "at_s": 900 }]"#;
    let mut sim = checked(scenario(r#", "min_scale_down_delay_minutes": 20"#, "", rest));
    sim.run_to_end();
    // The second job finds the first job's instance, idle for less than 20 minutes: one instance in all.
    assert_eq!(sim.batch.instances.len(), 1);
    let mut sim = checked(scenario("", "", rest));
    sim.run_to_end();
    assert_eq!(sim.batch.instances.len(), 2);
}

#[test]
fn dependencies_hold_jobs_pending_until_met_and_fail_them_with_their_dependency() {
    let rest = r#""submissions": [
        { "name": "a", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 100 } },
        { "name": "b", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 100 }, "depends_on": [{ "job": "a" }] }]"#;
    let mut sim = checked(scenario("", "", rest));
    sim.step_through(pass);
    assert_eq!(state(&sim, 0), BatchJobState::Runnable);
    assert_eq!(state(&sim, 1), BatchJobState::Pending);
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::Exited { .. })));
    assert_eq!(state(&sim, 0), BatchJobState::Succeeded);
    assert_eq!(state(&sim, 1), BatchJobState::Runnable);
    sim.run_to_end();
    assert_eq!(state(&sim, 1), BatchJobState::Succeeded);

    let failing = rest.replacen(
        r#""run_time": { "mean_s": 100 } },"#,
        r#""run_time": { "mean_s": 100 }, "failure_probability": 1 },"#,
        1,
    );
    let mut sim = checked(scenario("", "", &failing));
    sim.run_to_end();
    assert_eq!(state(&sim, 0), BatchJobState::Failed);
    assert_eq!(state(&sim, 1), BatchJobState::Failed);
    assert!(sim.batch.jobs[1].first_running.is_none());
}

#[test]
fn sequential_children_run_one_after_another_and_n_to_n_pairs_by_index() {
    let rest = r#""submissions": [
        { "name": "a", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 100 }, "array_size": 3,
          "depends_on": [{ "type": "SEQUENTIAL" }] },
        { "name": "b", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 100 }, "array_size": 3,
          "depends_on": [{ "job": "a", "type": "N_TO_N" }] }]"#;
    let mut sim = checked(scenario("", "", rest));
    sim.step_through(pass);
    let states: Vec<_> = (0..6).map(|j| state(&sim, j)).collect();
    use BatchJobState::{Pending, Runnable};
    assert_eq!(states, [Runnable, Pending, Pending, Pending, Pending, Pending]);
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::Exited { .. })));
    // a:0 done: a:1 (SEQUENTIAL) and b:0 (N_TO_N) may run.
    let states: Vec<_> = (0..6).map(|j| state(&sim, j)).collect();
    assert_eq!(states[1], Runnable);
    assert_eq!(states[3], Runnable);
    assert_eq!(states[2], Pending);
    sim.run_to_end();
    let a: Vec<_> = (0..3).map(|j| sim.batch.jobs[j].first_running.unwrap()).collect();
    assert!(a[0] < a[1] && a[1] < a[2]);
    assert!((3..6).all(|j| state(&sim, j) == BatchJobState::Succeeded));
}

#[test]
fn failed_attempts_retry_until_the_attempts_run_out() {
    let rest = r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd",
        "run_time": { "mean_s": 100 }, "failure_probability": 1 }]"#;
    let mut sim = checked(scenario("", r#", "retry_attempts": 3"#, rest));
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::Exited { .. })));
    assert_eq!(state(&sim, 0), BatchJobState::Runnable);
    assert_eq!(sim.batch.retries, 1);
    sim.run_to_end();
    assert_eq!(state(&sim, 0), BatchJobState::Failed);
    assert_eq!(sim.batch.jobs[0].attempts, 3);
    assert_eq!(sim.batch.retries, 2);
    // An EXIT rule on the exit code stops at the first failure.
    let exit = r#", "retry_attempts": 3, "evaluate_on_exit": [{ "action": "EXIT", "on_exit_code": "1" }]"#;
    let mut sim = checked(scenario("", exit, rest));
    sim.run_to_end();
    assert_eq!(sim.batch.jobs[0].attempts, 1);
    assert_eq!(sim.batch.retries, 0);
}

#[test]
fn a_timeout_fails_the_attempt_without_retry() {
    let rest =
        r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 1000 } }]"#;
    let mut sim = checked(scenario("", r#", "timeout_s": 60, "retry_attempts": 5"#, rest));
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::Started { .. })));
    let started = sim.now();
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::TimedOut { .. })));
    // 60 s timeout + the 30 s before SIGKILL.
    assert_eq!(sim.now().since(started), 90_000);
    assert_eq!(state(&sim, 0), BatchJobState::Failed);
    assert_eq!(sim.batch.timeouts, 1);
    assert_eq!(sim.batch.retries, 0);
}

#[test]
fn a_spot_reclaim_kills_running_jobs_and_evaluate_on_exit_retries_them() {
    let ce = r#", "type": "SPOT", "allocation_strategy": "SPOT_CAPACITY_OPTIMIZED""#;
    let jd = r#", "retry_attempts": 2, "evaluate_on_exit": [{ "action": "RETRY", "on_status_reason": "Host EC2*" },
        { "action": "EXIT", "on_reason": "*" }]"#;
    let rest = r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd",
        "run_time": { "mean_s": 1000 }, "array_size": 4 }],
        "spot_interruptions": [{ "at_s": 300, "compute_environment": "ce", "fraction": 1 }]"#;
    let mut sim = checked(scenario(ce, jd, rest));
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::SpotNotice { .. })));
    assert_eq!(sim.batch.counts[BatchJobState::Running.index()], 4);
    assert!(sim.batch.instances[0].reclaimed);
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::SpotTerminate { .. })));
    assert_eq!(sim.now(), SimTime(420_000));
    assert_eq!(sim.batch.spot_reclaims, 4);
    assert_eq!(sim.batch.counts[BatchJobState::Runnable.index()], 4);
    assert!(sim.batch.instances[0].terminated.is_some());
    sim.run_to_end();
    // A replacement instance ran the second attempts.
    assert_eq!(sim.batch.counts[BatchJobState::Succeeded.index()], 4);
    assert_eq!(sim.batch.instances.len(), 2);
    // Without the RETRY rule, EXIT on any reason fails them.
    let jd = r#", "retry_attempts": 2, "evaluate_on_exit": [{ "action": "EXIT", "on_reason": "*" }]"#;
    let mut sim = checked(scenario(ce, jd, rest));
    sim.run_to_end();
    assert_eq!(sim.batch.counts[BatchJobState::Failed.index()], 4);
}

#[test]
fn the_higher_priority_queue_is_placed_first_on_a_shared_environment() {
    let json = r#"{ "version": 1, "name": "unit", "horizon_s": 7200, "task_definitions": [],
      "batch": {
        "compute_environments": [{ "name": "ce", "type": "EC2", "max_vcpus": 4, "desired_vcpus": 4, "min_vcpus": 4,
                                   "instance_types": ["c5.xlarge"] }],
        "job_queues": [{ "name": "low", "priority": 1, "compute_environments": ["ce"] },
                       { "name": "high", "priority": 10, "compute_environments": ["ce"] }],
        "job_definitions": [{ "name": "jd", "vcpus": 1, "memory_mib": 1024 }],
        "submissions": [
          { "name": "l", "job_queue": "low", "job_definition": "jd", "run_time": { "mean_s": 100 }, "array_size": 4 },
          { "name": "h", "job_queue": "high", "job_definition": "jd", "run_time": { "mean_s": 100 }, "array_size": 4 }] } }"#;
    let mut sim = checked(Scenario::from_json(json).unwrap());
    sim.step_through(pass);
    // Both queues' jobs are RUNNABLE; the 4 vCPUs go to the high-priority queue although it submitted second.
    let starting: Vec<u32> = (0..8).filter(|&j| state(&sim, j) == BatchJobState::Starting).collect();
    assert_eq!(starting, [4, 5, 6, 7]);
}

#[test]
fn fargate_jobs_take_the_fargate_buckets_and_stay_within_max_vcpus() {
    let mut sim = checked(fargate_forty_jobs());
    sim.step_through(pass);
    // The Fargate On-Demand launch bucket (burst 5) lets 5 through this pass.
    assert_eq!(sim.batch.counts[BatchJobState::Starting.index()], 5);
    assert_eq!(sim.batch.run_task_throttled, 1);
    sim.step_until(SimTime(600_000));
    // maxvCpus 4 at 0.25 vCPU each: 16 jobs at once.
    assert_eq!(sim.batch.ces[0].fargate_milli, 4_000);
    assert_eq!(sim.batch.counts[BatchJobState::Running.index()], 16);
}

#[test]
fn a_job_no_instance_type_fits_stays_runnable() {
    let mut sim = checked(scenario("", r#", "vcpus": 8"#, ONE_JOB));
    sim.step_until(SimTime(600_000));
    assert_eq!(state(&sim, 0), BatchJobState::Runnable);
    assert!(sim.batch.instances.is_empty());
}

#[test]
fn a_throttled_dispatch_places_again_when_a_run_task_token_is_back() {
    let json = r#"{ "version": 1, "name": "unit", "horizon_s": 7200, "task_definitions": [],
      "limits": { "run_task_api": { "burst": 3, "refill_per_s": 2 } },
      "batch": {
        "compute_environments": [{ "name": "ce", "type": "EC2", "max_vcpus": 16, "min_vcpus": 16, "desired_vcpus": 16,
                                   "instance_types": ["c5.4xlarge"] }],
        "job_queues": [{ "name": "q", "priority": 1, "compute_environments": ["ce"] }],
        "job_definitions": [{ "name": "jd", "vcpus": 1, "memory_mib": 1024 }],
        "submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 600 },
                          "array_size": 10 }] } }"#;
    let mut sim = checked(Scenario::from_json(json).unwrap());
    sim.step_through(pass);
    // Three RunTask tokens: three jobs placed, the rest wait for the next token (500 ms at 2 a second).
    assert_eq!(sim.batch.counts[BatchJobState::Starting.index()], 3);
    assert_eq!(sim.batch.dispatch_at, Some(SimTime(10_500)));
    sim.step_through(|e| is_batch(e, |b| *b == BatchEvent::Dispatch));
    assert_eq!(sim.batch.counts[BatchJobState::Starting.index()], 4);
    sim.step_until(SimTime(13_000));
    assert_eq!(sim.batch.counts[BatchJobState::Starting.index()] + sim.batch.counts[BatchJobState::Running.index()], 9);
}

#[test]
fn instances_above_min_vcpus_go_without_any_job() {
    let rest = r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 10 },
        "at_s": 3000 }]"#;
    let mut sim = checked(scenario(r#", "min_vcpus": 4, "desired_vcpus": 16"#, "", rest));
    assert_eq!(sim.batch.ces[0].live_vcpus, 16);
    sim.step_until(SimTime(10_000));
    assert_eq!(sim.batch.ces[0].live_vcpus, 4);
    let lines: Vec<String> = sim.trace().iter().map(ToString::to_string).collect();
    assert!(
        lines.iter().any(|l| l.ends_with("batch: compute environment ce terminated instance 1 (c5.xlarge)")),
        "{lines:?}"
    );
}

/// Batch jobs on Fargate count against the account's Fargate On-Demand vCPU quota: with a quota of 2 vCPUs, a
/// 6-child array of 1-vCPU jobs on a 16-vCPU FARGATE environment starts 2 at the first pass; the third is refused
/// (a quota hit, traced with the environment's name), stays RUNNABLE at the head of the queue and the ones behind
/// it wait. When the first two end their vCPUs are free again and the next pass starts two more.
#[test]
fn fargate_jobs_take_the_accounts_vcpu_quota_and_free_it_when_they_end() {
    let json = r#"{ "version": 1, "name": "unit", "horizon_s": 7200, "task_definitions": [],
      "limits": { "fargate_on_demand_vcpu_quota": 2 },
      "batch": {
        "compute_environments": [{ "name": "f", "type": "FARGATE", "max_vcpus": 16 }],
        "job_queues": [{ "name": "q", "priority": 1, "compute_environments": ["f"] }],
        "job_definitions": [{ "name": "jd", "vcpus": 1, "memory_mib": 2048, "platform": "FARGATE" }],
        "submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd",
                          "run_time": { "mean_s": 300, "spread": 0 }, "array_size": 6 }] } }"#;
    let mut sim = checked(Scenario::from_json(json).unwrap());
    sim.step_through(pass);
    assert_eq!(sim.batch.counts[BatchJobState::Starting.index()], 2);
    assert_eq!(sim.batch.counts[BatchJobState::Runnable.index()], 4);
    assert_eq!(sim.quotas.batch_usage(), [2_000, 0]);
    let hit = sim.trace().iter().find_map(|e| match &e.what {
        TraceWhat::QuotaHit { quota, by, usage } => Some((*quota, by.clone(), usage.clone())),
        _ => None,
    });
    assert_eq!(
        hit,
        Some((
            crate::output::Limiter::FargateOnDemandVcpuQuota,
            "batch compute environment f".to_string(),
            "2 of 2 vCPUs".to_string()
        ))
    );
    // The next pass, with both still running, refuses again and starts nothing.
    sim.step_through(pass);
    assert_eq!(sim.batch.counts[BatchJobState::Runnable.index()], 4);
    // Once the first has ended its vCPU is free again, and the next pass starts one more.
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::Exited { .. })));
    assert_eq!(sim.batch.counts[BatchJobState::Succeeded.index()], 1);
    assert_eq!(sim.quotas.batch_usage(), [1_000, 0]);
    sim.step_through(pass);
    assert_eq!(sim.quotas.batch_usage(), [2_000, 0]);
    assert_eq!(sim.batch.counts[BatchJobState::Runnable.index()], 3);
    sim.run_to_end();
    let summary = sim.metrics();
    assert_eq!(summary.batch.as_ref().unwrap().jobs_by_state[BatchJobState::Succeeded.index()].jobs, 6);
    let hits = &summary.quota_hits;
    assert_eq!((hits.len(), hits[0].quota, hits[0].value), (1, crate::output::Limiter::FargateOnDemandVcpuQuota, 2));
    assert!(hits[0].refused >= 3, "refused at every pass while jobs waited: {}", hits[0].refused);
}

/// The Fargate Spot quota is separate: a FARGATE_SPOT environment's jobs take the Spot quota and leave the
/// On-Demand quota (here 1 vCPU, which would hold them at one) alone.
#[test]
fn fargate_spot_jobs_take_the_spot_quota() {
    let json = r#"{ "version": 1, "name": "unit", "horizon_s": 7200, "task_definitions": [],
      "limits": { "fargate_on_demand_vcpu_quota": 1, "fargate_spot_vcpu_quota": 3 },
      "batch": {
        "compute_environments": [{ "name": "s", "type": "FARGATE_SPOT", "max_vcpus": 16 }],
        "job_queues": [{ "name": "q", "priority": 1, "compute_environments": ["s"] }],
        "job_definitions": [{ "name": "jd", "vcpus": 1, "memory_mib": 2048, "platform": "FARGATE" }],
        "submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd",
                          "run_time": { "mean_s": 300 }, "array_size": 6 }] } }"#;
    let mut sim = checked(Scenario::from_json(json).unwrap());
    sim.step_through(pass);
    assert_eq!(sim.batch.counts[BatchJobState::Starting.index()], 3);
    assert_eq!(sim.quotas.batch_usage(), [0, 3_000]);
}

// ---- Pool capacity shortages and the allocation strategies ----

/// 16 one-vCPU jobs of 10 minutes on an environment of c5.2xlarge and m5.2xlarge (c5 the cheaper vCPU) whose c5
/// pool has no capacity from the start until 20 minutes in.
fn shortage(kind: &str, strategy: &str) -> Scenario {
    let ce = format!(
        r#", "type": "{kind}", "max_vcpus": 16, "instance_types": ["m5.2xlarge", "c5.2xlarge"], "allocation_strategy": "{strategy}""#
    );
    let rest = r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd",
        "run_time": { "mean_s": 600, "spread": 0 }, "array_size": 16 }],
        "pool_capacity": [
          { "at_s": 0, "compute_environment": "ce", "instance_type": "c5.2xlarge", "available": false },
          { "at_s": 1200, "compute_environment": "ce", "instance_type": "c5.2xlarge", "available": true }]"#;
    scenario(&ce, "", rest)
}

fn trace_lines(sim: &Simulation) -> Vec<String> {
    sim.trace().iter().map(ToString::to_string).collect()
}

/// BEST_FIT: "If additional instances of the selected instance type aren't available, AWS Batch waits for the
/// additional instances to be available": every pass is refused the c5.2xlarge and launches nothing else; the
/// jobs stay RUNNABLE until the pool has capacity again, then two c5.2xlarge run them.
#[test]
fn best_fit_waits_for_its_type_while_the_pool_is_dry() {
    let mut sim = checked(shortage("EC2", "BEST_FIT"));
    assert!(sim.batch.dry[0][0], "the c5 pool (first after sorting by vCPU price) is dry from the start");
    sim.step_through(pass);
    assert!(sim.batch.instances.is_empty());
    assert_eq!(sim.batch.launches_refused, 1);
    let lines = trace_lines(&sim);
    assert!(lines
        .iter()
        .any(|l| l.ends_with("batch: compute environment ce: launch of c5.2xlarge refused, no capacity")));
    assert!(lines.iter().any(|l| l.contains("c5.2xlarge capacity unavailable (InsufficientInstanceCapacity)")));
    sim.step_until(SimTime(1_199_000));
    assert!(sim.batch.instances.is_empty());
    assert_eq!(sim.batch.counts[BatchJobState::Runnable.index()], 16);
    assert!(sim.batch.launches_refused >= 100, "refused at every pass: {}", sim.batch.launches_refused);
    // Capacity back at 20:00: the next pass launches the c5.2xlarge it waited for.
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::PoolCapacity { .. })));
    assert!(!sim.batch.dry[0][0]);
    sim.step_through(pass);
    assert_eq!(sim.now(), SimTime(1_200_000));
    let types: Vec<&str> = sim.batch.instances.iter().map(|i| i.itype.name).collect();
    assert_eq!(types, ["c5.2xlarge", "c5.2xlarge"]);
    sim.run_to_end();
    assert_eq!(sim.batch.counts[BatchJobState::Succeeded.index()], 16);
    assert!(sim.batch.jobs.iter().all(|j| j.first_running.unwrap() > SimTime(1_200_000)));
    assert!(sim.batch_summary().unwrap().launches_refused >= 100);
}

/// BEST_FIT_PROGRESSIVE: "If additional instances of the previously selected instance types aren't available,
/// AWS Batch selects new instance types": the first pass launches m5.2xlarge and the jobs run at once.
#[test]
fn best_fit_progressive_selects_another_type_when_the_pool_is_dry() {
    let mut sim = checked(shortage("EC2", "BEST_FIT_PROGRESSIVE"));
    sim.step_through(pass);
    let types: Vec<&str> = sim.batch.instances.iter().map(|i| i.itype.name).collect();
    assert_eq!(types, ["m5.2xlarge", "m5.2xlarge"]);
    assert_eq!(sim.batch.launches_refused, 0);
    sim.run_to_end();
    assert_eq!(sim.batch.counts[BatchJobState::Succeeded.index()], 16);
    assert!(sim.batch.jobs.iter().all(|j| j.first_running.unwrap() < SimTime(600_000)));
    // With every pool dry it is refused too.
    let ce = r#", "max_vcpus": 16, "instance_types": ["c5.2xlarge"], "allocation_strategy": "BEST_FIT_PROGRESSIVE""#;
    let rest = r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 60 } }],
        "pool_capacity": [{ "at_s": 0, "compute_environment": "ce", "instance_type": "c5.2xlarge", "available": false }]"#;
    let mut sim = checked(scenario(ce, "", rest));
    sim.step_until(SimTime(60_000));
    assert!(sim.batch.instances.is_empty());
    assert!(sim.batch.launches_refused > 0);
}

/// The Spot strategies choose among the pools with capacity as well: m5.2xlarge Spot Instances at once.
#[test]
fn spot_strategies_move_to_pools_with_capacity() {
    for strategy in ["SPOT_CAPACITY_OPTIMIZED", "SPOT_PRICE_CAPACITY_OPTIMIZED"] {
        let mut sim = checked(shortage("SPOT", strategy));
        sim.step_through(pass);
        assert!(sim.batch.instances.iter().all(|i| i.itype.name == "m5.2xlarge" && i.spot), "{strategy}");
        assert_eq!(sim.batch.instances.len(), 2, "{strategy}");
        // Running instances are not taken away by a pool running dry; later launches avoid it.
        sim.run_to_end();
        assert_eq!(sim.batch.counts[BatchJobState::Succeeded.index()], 16, "{strategy}");
    }
}

// ---- Fargate Spot interruptions of Batch jobs ----

/// A FARGATE_SPOT environment running `array` jobs of 1 vCPU for 1,000 s, the job definition's `jd` fields added,
/// and the scenario's `extra` top-level fields.
fn fargate_spot(jd: &str, array: u32, extra: &str) -> Scenario {
    Scenario::from_json(&fargate_spot_json(jd, array, extra)).unwrap_or_else(|e| panic!("{e}"))
}

fn fargate_spot_json(jd: &str, array: u32, extra: &str) -> String {
    format!(
        r#"{{ "version": 1, "name": "unit", "horizon_s": 7200, "task_definitions": [] {extra},
      "batch": {{
        "compute_environments": [{{ "name": "fs", "type": "FARGATE_SPOT", "max_vcpus": 16 }}],
        "job_queues": [{{ "name": "q", "priority": 1, "compute_environments": ["fs"] }}],
        "job_definitions": [{{ "name": "jd", "vcpus": 1, "memory_mib": 2048, "platform": "FARGATE" {jd} }}],
        "submissions": [{{ "name": "s", "job_queue": "q", "job_definition": "jd",
                          "run_time": {{ "mean_s": 1000, "spread": 0 }}, "array_size": {array} }}] }} }}"#
    )
}

const SPOT_RETRY: &str = r#", "retry_attempts": 2, "evaluate_on_exit": [
    { "action": "RETRY", "on_status_reason": "Your Spot Task was interrupted*" }, { "action": "EXIT", "on_reason": "*" }]"#;

/// A timed Fargate Spot interruption wave picks Batch jobs' tasks too: the warning (SIGTERM) first, the task
/// stopped 30 s later (ECS's default stopTimeout) with "Your Spot Task was interrupted.", an attempt spent, and
/// evaluateOnExit retrying it.
#[test]
fn a_fargate_spot_wave_interrupts_running_jobs_and_evaluate_on_exit_retries_them() {
    let mut sim = checked(fargate_spot(SPOT_RETRY, 2, ""));
    sim.step_until(SimTime(300_000));
    assert_eq!(sim.batch.counts[BatchJobState::Running.index()], 2);
    assert_eq!(sim.batch_fargate_spot_jobs(), [0, 1]);
    sim.spot_interruption_wave(None, Some(1));
    let warned: Vec<u32> = (0..2).filter(|&j| sim.batch.jobs[j as usize].interrupted).collect();
    assert_eq!(warned.len(), 1);
    let job = warned[0];
    // Warned, still RUNNING (and holding its vCPU) until the stop; a second wave cannot pick it again.
    assert_eq!(state(&sim, job), BatchJobState::Running);
    assert_eq!(sim.batch_fargate_spot_jobs().len(), 1);
    let warned_at = sim.now();
    assert!(trace_lines(&sim).iter().any(|l| l.contains("Fargate Spot interruption warning for job s:")
        && l.ends_with("on fs (SIGTERM, stopped in 30 s)")));
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::FargateSpotStopped { .. })));
    assert_eq!(sim.now().since(warned_at), 30_000);
    assert_eq!(state(&sim, job), BatchJobState::Runnable);
    assert_eq!((sim.batch.jobs[job as usize].attempts, sim.batch.spot_reclaims, sim.batch.retries), (1, 1, 1));
    assert_eq!(sim.batch.ces[0].fargate_milli, 1_000);
    assert!(trace_lines(&sim)
        .iter()
        .any(|l| l.contains("attempt 1 failed (Your Spot Task was interrupted.): retried")));
    sim.run_to_end();
    assert_eq!(sim.batch.counts[BatchJobState::Succeeded.index()], 2);
    assert_eq!(sim.batch.jobs[job as usize].attempts, 2);
    // Without a retry strategy the interrupted attempt is the job's only one: FAILED.
    let mut sim = checked(fargate_spot("", 2, ""));
    sim.step_until(SimTime(300_000));
    sim.spot_interruption_wave(Some(1.0), None);
    sim.run_to_end();
    assert_eq!(sim.batch.counts[BatchJobState::Failed.index()], 2);
    assert_eq!(sim.batch_summary().unwrap().spot_reclaims, 2);
}

/// The random rate per task-hour of `fargate_spot` applies to Batch jobs' Fargate Spot tasks; one interrupted
/// while STARTING has made no attempt and goes back to RUNNABLE at once without spending one.
#[test]
fn random_fargate_spot_interruptions_reach_starting_jobs_without_spending_an_attempt() {
    // 3,600 an hour: one a second on average, well inside a start of about a minute.
    let mut sim = checked(fargate_spot("", 2, r#", "fargate_spot": { "interruptions_per_task_hour": 3600 }"#));
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::FargateSpotWarning { .. })));
    let job = (0..2).find(|&j| sim.batch.jobs[j as usize].interrupted).expect("one job warned");
    assert_eq!(state(&sim, job), BatchJobState::Starting);
    let warned_at = sim.now();
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::FargateSpotStopped { .. })));
    assert_eq!(sim.now(), warned_at);
    assert_eq!(state(&sim, job), BatchJobState::Runnable);
    assert_eq!((sim.batch.jobs[job as usize].attempts, sim.batch.spot_reclaims, sim.batch.retries), (0, 1, 1));
    assert_eq!(sim.batch.ces[0].fargate_milli, 1_000, "the other job still holds its vCPU");
    // Jobs on FARGATE (On-Demand) are never interrupted.
    let json = fargate_spot_json("", 2, r#", "fargate_spot": { "interruptions_per_task_hour": 3600 }"#)
        .replace("FARGATE_SPOT", "FARGATE");
    let mut sim = checked(Scenario::from_json(&json).unwrap());
    sim.run_to_end();
    assert_eq!((sim.batch.spot_reclaims, sim.batch.counts[BatchJobState::Succeeded.index()]), (0, 2));
}

// ---- Fargate Spot capacity for Batch jobs ----

/// With no Fargate Spot capacity (`capacity_per_s: 0`) a FARGATE_SPOT job's task waits in the pool's FIFO: the job
/// stays STARTING, holds its vCPU in the environment, is not billed and cannot be interrupted; the scheduler's
/// passes go on. When capacity returns the first job queued is granted first and starts as on Fargate.
#[test]
fn a_fargate_spot_job_waits_in_starting_for_capacity_and_starts_when_it_returns() {
    let mut sim = checked(fargate_spot("", 2, r#", "fargate_spot": { "capacity_per_s": 0 }"#));
    sim.step_through(pass);
    assert_eq!(sim.now(), SimTime(10_000));
    assert_eq!([state(&sim, 0), state(&sim, 1)], [BatchJobState::Starting; 2]);
    assert!(sim.batch.jobs.iter().all(|j| j.awaiting_spot));
    assert_eq!((sim.spot.waiting_count(), sim.batch.spot_waiting()), (2, 2));
    assert_eq!(sim.batch.ces[0].fargate_milli, 2_000);
    assert!(sim.batch_fargate_spot_jobs().is_empty(), "a task without capacity is not interrupted");
    assert!(!sim.queued().iter().any(|(_, e)| is_batch(e, |b| matches!(b, BatchEvent::Started { .. }))));
    // Ten minutes later nothing has moved, no cost has accrued, and a pass is still armed (no deadlock).
    sim.step_until(SimTime(610_000));
    assert_eq!(sim.batch.counts[BatchJobState::Starting.index()], 2);
    assert_eq!(sim.batch_summary().unwrap().cost_usd, 0.0);
    assert!(sim.queued().iter().any(|(_, e)| is_batch(e, |b| *b == BatchEvent::Pass)));
    // Capacity comes back at one grant a second: job 0 (queued first) a second later, job 1 the next second.
    sim.set_spot_capacity(Some(60));
    sim.step_through(|e| matches!(e, Event::SpotCapacity));
    assert_eq!(sim.now(), SimTime(611_000));
    assert!(!sim.batch.jobs[0].awaiting_spot && sim.batch.jobs[1].awaiting_spot);
    assert_eq!(sim.batch.jobs[0].placed_at, SimTime(611_000), "billed from the grant");
    assert_eq!(sim.batch_fargate_spot_jobs(), [0]);
    assert!(sim.queued().iter().any(|(_, e)| is_batch(e, |b| matches!(b, BatchEvent::Started { job: 0, .. }))));
    sim.step_through(|e| matches!(e, Event::SpotCapacity));
    assert_eq!((sim.now(), sim.spot.waiting_count()), (SimTime(612_000), 0));
    sim.run_to_end();
    assert_eq!(sim.batch.counts[BatchJobState::Succeeded.index()], 2);
    let first = sim.batch.jobs[0].first_running.expect("ran");
    assert!(first > SimTime(611_000));
}

/// A service's Fargate Spot tasks and a Batch job's share one FIFO: the service's two tasks asked first (its first
/// cycle at 0 s), the job at the first pass (10 s), so the job is granted the third grant, after both tasks.
#[test]
fn service_tasks_and_batch_jobs_share_the_fargate_spot_fifo() {
    let json = r#"{ "version": 1, "name": "unit", "horizon_s": 7200,
      "fargate_spot": { "capacity_per_s": 0 },
      "task_definitions": [{ "name": "web", "cpu": 256, "memory": 512, "image_mb": 50 }],
      "services": [{ "name": "web", "task_definition": "web", "desired_count": 2,
                     "capacity_provider_strategy": [{ "capacity_provider": "FARGATE_SPOT", "weight": 1 }] }],
      "batch": {
        "compute_environments": [{ "name": "fs", "type": "FARGATE_SPOT", "max_vcpus": 16 }],
        "job_queues": [{ "name": "q", "priority": 1, "compute_environments": ["fs"] }],
        "job_definitions": [{ "name": "jd", "vcpus": 1, "memory_mib": 2048, "platform": "FARGATE" }],
        "submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 100 } }] } }"#;
    let mut sim = checked(Scenario::from_json(json).unwrap_or_else(|e| panic!("{e}")));
    sim.step_through(pass);
    assert_eq!(state(&sim, 0), BatchJobState::Starting);
    assert_eq!((sim.spot.waiting_count(), sim.batch.spot_waiting()), (3, 1));
    let waiting_tasks = || sim.tasks.all().iter().filter(|t| t.awaiting_capacity).count();
    assert_eq!(waiting_tasks(), 2);
    sim.set_spot_capacity(Some(60));
    for granted in 1..=2 {
        sim.step_through(|e| matches!(e, Event::SpotCapacity));
        assert_eq!(sim.tasks.all().iter().filter(|t| t.awaiting_capacity).count(), 2 - granted);
        assert!(sim.batch.jobs[0].awaiting_spot, "the job waits behind the tasks queued before it");
    }
    sim.step_through(|e| matches!(e, Event::SpotCapacity));
    assert!(!sim.batch.jobs[0].awaiting_spot);
    assert_eq!(sim.spot.waiting_count(), 0);
    sim.run_to_end();
    assert_eq!(sim.batch.counts[BatchJobState::Succeeded.index()], 1);
}

// ---- Random EC2 Spot interruptions of SPOT environment instances ----

/// A SPOT environment's instances draw their interruption at launch from their type's rate per instance-hour, as
/// Auto Scaling group instances do; the notice reclaims the instance and its termination two minutes later goes
/// through the reclaim path of timed waves (jobs retried by evaluateOnExit). The validated Advisor rates are tiny
/// (">20%" a month is 0.25 / 730 an hour), so the step test sets 10 an hour to see one within the run.
#[test]
fn random_spot_interruptions_reclaim_spot_environment_instances() {
    let ce = r#", "type": "SPOT", "allocation_strategy": "SPOT_CAPACITY_OPTIMIZED", "interruption_frequency": ">20%""#;
    let jd = r#", "retry_attempts": 3, "evaluate_on_exit": [{ "action": "RETRY", "on_status_reason": "Host EC2*" },
        { "action": "EXIT", "on_reason": "*" }]"#;
    let rest = r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd",
        "run_time": { "mean_s": 3000, "spread": 0 }, "array_size": 4 }]"#;
    let mut sc = scenario(ce, jd, rest);
    let batch = std::sync::Arc::make_mut(sc.batch.as_mut().expect("batch"));
    assert_eq!(batch.compute_environments[0].interruptions_per_instance_hour, [0.25 / 730.0]);
    batch.compute_environments[0].interruptions_per_instance_hour = vec![10.0];
    let mut sim = checked(sc);
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::InstanceReady { .. })));
    let notices = |sim: &Simulation| {
        sim.queued()
            .into_iter()
            .filter(|(_, e)| is_batch(e, |b| matches!(b, BatchEvent::RandomSpotNotice { .. })))
            .count()
    };
    assert_eq!(notices(&sim), 1, "one draw for the one instance launched");
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::RandomSpotNotice { .. })));
    let id = (0..sim.batch.instances.len()).find(|&i| sim.batch.instances[i].reclaimed).expect("reclaimed");
    let on = sim.batch.instances[id].jobs;
    let noticed = sim.now();
    assert!(trace_lines(&sim).iter().any(|l| l.ends_with("EC2 Spot interruption notice for 1 instances of ce")));
    // A second notice for a reclaimed instance does nothing.
    sim.batch_random_spot_notice(crate::narrow::u32_of(id));
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::SpotTerminate { .. })));
    assert_eq!(sim.now().since(noticed), 120_000);
    assert!(sim.batch.instances[id].terminated.is_some());
    assert_eq!(sim.batch.spot_reclaims, u64::from(on));
    sim.run_to_end();
    assert!(sim.batch.instances.len() > 1, "a replacement was launched for the jobs");
    // Without a frequency nothing is drawn.
    let ce = r#", "type": "SPOT", "allocation_strategy": "SPOT_CAPACITY_OPTIMIZED""#;
    let mut sim = checked(scenario(ce, jd, rest));
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::InstanceReady { .. })));
    assert_eq!(notices(&sim), 0);
}
