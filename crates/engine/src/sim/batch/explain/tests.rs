//! Step-level tests of the Batch jobs' explanations: each hold set up on its own, its numbers and its sentence.

use super::super::tests::{fargate_forty_jobs, is_batch, pass, scenario, ONE_JOB};
use super::super::BatchEvent;
use crate::explain::{AccountBucket, Hold, JobDependencyWait, JobHost, Subject};
use crate::output::BatchJobState;
use crate::scenario::Scenario;
use crate::sim::testing::checked;
use crate::spec::BatchAllocationStrategy;
use crate::time::SimTime;

/// SUBMITTED until the first pass on the scheduler's 10 s grid; then RUNNABLE at the head of its queue while the
/// compute environment launches the instance for it (none with room yet); STARTING on it; RUNNING; SUCCEEDED.
#[test]
fn a_job_from_submitted_to_succeeded() {
    let mut sim = checked(scenario("", "", ONE_JOB));
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::Submit { .. })));
    let e = sim.explain_job(0).expect("submitted");
    assert_eq!(e.subject, Subject::Job { id: 0, name: "s".into(), index: None });
    assert_eq!(e.holds, vec![Hold::JobNotEvaluated { next_pass_in_s: Some(10.0) }]);
    assert_eq!(e.text(), "SUBMITTED: not evaluated yet: the scheduler's next pass in 10 s");
    sim.step_through(pass);
    let e = sim.explain_job(0).expect("submitted");
    assert_eq!(
        e.holds,
        vec![
            Hold::JobQueue {
                queue: "q".into(),
                priority: 1,
                position: 1,
                runnable: 1,
                ahead_higher: 0,
                next_pass_in_s: Some(10.0)
            },
            Hold::ComputeEnvironmentNoRoom {
                ce: "ce".into(),
                allocation_strategy: BatchAllocationStrategy::BestFit,
                job_vcpus: 1.0,
                job_memory_mib: 1024,
                instances: 1,
                launching: 1,
                launching_vcpus: 4,
                vcpus: 4,
                max_vcpus: 16,
                dry_pools: 0
            }
        ],
        "{}",
        e.text()
    );
    assert_eq!(
        e.text(),
        "RUNNABLE: 0 jobs ahead of it in queue q (priority 1, 1 RUNNABLE); the scheduler's next pass in 10 s; \
         compute environment ce: no instance with 1 vCPU and 1024 MiB free (1 instance); 1 instance launching \
         (4 vCPUs); 4 of 16 maxvCpus, BEST_FIT"
    );
    // Registered: room now, so only its place in the queue and the next pass hold it.
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::InstanceReady { .. })));
    let e = sim.explain_job(0).expect("submitted");
    assert_eq!(e.holds.len(), 1, "{}", e.text());
    assert!(matches!(e.holds[0], Hold::JobQueue { position: 1, .. }));
    sim.step_through(pass);
    // The sentence rounds to tenths of a second.
    let tenths = |ms: u64| (ms as f64 / 100.0).round() / 10.0;
    let placed = tenths(sim.now().as_millis());
    let e = sim.explain_job(0).expect("submitted");
    assert_eq!(
        e.text(),
        format!(
            "STARTING: hand-off to the container agent, image pull and container start on c5.xlarge instance 0 of \
             ce, since {placed} s"
        )
    );
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::Started { .. })));
    let started_ms = sim.now().as_millis();
    let started = started_ms as f64 / 1000.0;
    sim.step_until(sim.now().plus_ms(5_000));
    let e = sim.explain_job(0).expect("submitted");
    assert_eq!(e.holds, vec![Hold::JobRunning { attempt: 1, attempts: 1, since_s: started, timeout_in_s: None }]);
    assert_eq!(e.text(), format!("RUNNING: attempt 1 of 1, running since {} s", tenths(started_ms)));
    sim.run_to_end();
    let e = sim.explain_job(0).expect("submitted");
    assert!(e.text().starts_with("SUCCEEDED at "), "{}", e.text());
    assert!(e.text().ends_with(", 1 of 1 attempts made: nothing holds it"), "{}", e.text());
}

/// A job waiting for a whole job, and children waiting N_TO_N and SEQUENTIAL: which ones, in which state.
#[test]
fn dependencies_not_yet_met() {
    let rest = r#""submissions": [
        { "name": "a", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 100 }, "array_size": 3 },
        { "name": "b", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 100 }, "depends_on": [{ "job": "a" }] },
        { "name": "c", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 100 }, "array_size": 3,
          "depends_on": [{ "job": "a", "type": "N_TO_N" }, { "type": "SEQUENTIAL" }] }]"#;
    let mut sim = checked(scenario("", "", rest));
    sim.step_through(pass);
    // Jobs: a[0..3] = 0..3, b = 3, c[0..3] = 4..7.
    let b = sim.explain_job(3).expect("submitted");
    assert_eq!(
        b.holds,
        vec![Hold::JobDependencies {
            unmet: 1,
            on: vec![JobDependencyWait { job: "a".into(), state: "", ended: 0, size: 3 }]
        }]
    );
    assert_eq!(b.text(), "PENDING: waiting for 1 dependency: a (0 of 3 ended)");
    let c1 = sim.explain_job(5).expect("submitted");
    assert_eq!(c1.subject, Subject::Job { id: 5, name: "c".into(), index: Some(1) });
    assert_eq!(c1.text(), "PENDING: waiting for 2 dependencies: c[0] PENDING, a[1] RUNNABLE");
    // c[0] has no earlier child: only a[0].
    assert_eq!(sim.explain_job(4).expect("submitted").text(), "PENDING: waiting for 1 dependency: a[0] RUNNABLE");
    assert_eq!(sim.batch_job_index("c", Some(1)), Ok(5));
    assert_eq!(sim.batch_job_index("b", None), Ok(3));
}

/// Two queues on one 4-vCPU environment at its maximum: a low-priority job sees the high-priority queue's RUNNABLE
/// jobs ahead of it, its own place, and the environment at maxvCpus.
#[test]
fn queue_priority_and_max_vcpus() {
    let json = r#"{ "version": 1, "name": "unit", "horizon_s": 7200, "task_definitions": [],
      "batch": {
        "compute_environments": [{ "name": "ce", "type": "EC2", "max_vcpus": 4, "desired_vcpus": 4, "min_vcpus": 4,
                                   "instance_types": ["c5.xlarge"], "allocation_strategy": "BEST_FIT" }],
        "job_queues": [{ "name": "low", "priority": 1, "compute_environments": ["ce"] },
                       { "name": "high", "priority": 10, "compute_environments": ["ce"] }],
        "job_definitions": [{ "name": "jd", "vcpus": 1, "memory_mib": 1024 }],
        "submissions": [
          { "name": "l", "job_queue": "low", "job_definition": "jd", "run_time": { "mean_s": 100 }, "array_size": 4 },
          { "name": "h", "job_queue": "high", "job_definition": "jd", "run_time": { "mean_s": 100 }, "array_size": 6 }] } }"#;
    let mut sim = checked(Scenario::from_json(json).expect("valid"));
    sim.step_through(pass);
    // h[0..4] took the 4 vCPUs; h[4], h[5] and all of l wait.
    let l2 = sim.explain_job(2).expect("submitted");
    assert_eq!(
        l2.holds,
        vec![
            Hold::JobQueue {
                queue: "low".into(),
                priority: 1,
                position: 3,
                runnable: 4,
                ahead_higher: 2,
                next_pass_in_s: Some(10.0)
            },
            Hold::ComputeEnvironmentMax { ce: "ce".into(), vcpus: 4.0, max_vcpus: 4, job_vcpus: 1.0 }
        ]
    );
    assert_eq!(
        l2.text(),
        "RUNNABLE: 2 jobs ahead of it in queue low (priority 1, 4 RUNNABLE); 2 jobs RUNNABLE in higher-priority \
         queues sharing its compute environments; the scheduler's next pass in 10 s; compute environment ce at \
         maxvCpus: 4 of 4 vCPUs, the job needs 1"
    );
    let h4 = sim.explain_job(8).expect("submitted");
    assert!(matches!(h4.holds[0], Hold::JobQueue { position: 1, ahead_higher: 0, .. }), "{}", h4.text());
}

/// BEST_FIT with Spot Instances may cross maxvCpus by one instance; once it has, it is at its maximum (16 of 10).
#[test]
fn max_vcpus_crossed_by_one_instance() {
    let rest = r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd",
        "run_time": { "mean_s": 600 }, "array_size": 40 }]"#;
    let ce = r#", "max_vcpus": 10, "instance_types": ["c5.2xlarge"], "allocation_strategy": "BEST_FIT_PROGRESSIVE""#;
    let mut sim = checked(scenario(ce, "", rest));
    sim.step_until(SimTime(300_000));
    let e = sim.explain_job(39).expect("submitted");
    assert_eq!(
        e.holds[1],
        Hold::ComputeEnvironmentMax { ce: "ce".into(), vcpus: 16.0, max_vcpus: 10, job_vcpus: 1.0 },
        "{}",
        e.text()
    );
    assert!(matches!(e.holds[0], Hold::JobQueue { position: 24, runnable: 24, .. }), "{}", e.text());
}

/// A RUNNING job with a timeout and retries; its Spot instance gets its notice: when it goes and the attempts left.
#[test]
fn timeout_retries_and_a_spot_reclaim() {
    let ce = r#", "type": "SPOT", "allocation_strategy": "SPOT_CAPACITY_OPTIMIZED""#;
    let jd = r#", "retry_attempts": 3, "timeout_s": 2000"#;
    let rest = r#""submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd",
        "run_time": { "mean_s": 1000 } }],
        "spot_interruptions": [{ "at_s": 300, "compute_environment": "ce", "fraction": 1 }]"#;
    let mut sim = checked(scenario(ce, jd, rest));
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::Started { .. })));
    let started = sim.now();
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::SpotNotice { .. })));
    sim.step_until(sim.now().plus_ms(20_000));
    let e = sim.explain_job(0).expect("submitted");
    let timeout_in = (started.as_millis() + 2_000_000 - sim.now().as_millis()) as f64 / 1000.0;
    assert_eq!(
        e.holds,
        vec![
            Hold::JobRunning {
                attempt: 1,
                attempts: 3,
                since_s: started.as_millis() as f64 / 1000.0,
                timeout_in_s: Some(timeout_in)
            },
            Hold::JobSpotReclaim {
                on: JobHost::Instance { instance_type: "c5.xlarge", number: 0, ce: "ce".into() },
                in_s: Some(100.0),
                attempts_left: 2
            }
        ]
    );
    assert!(
        e.text().ends_with("; Spot interruption of c5.xlarge instance 0 of ce: it goes in 100 s; 2 attempts left"),
        "{}",
        e.text()
    );
    // After the reclaim: RUNNABLE again, one attempt made.
    sim.step_through(|e| is_batch(e, |b| matches!(b, BatchEvent::SpotTerminate { .. })));
    let e = sim.explain_job(0).expect("submitted");
    assert!(e.text().starts_with("RUNNABLE, 1 of 3 attempts made: 0 jobs ahead"), "{}", e.text());
}

/// Fargate: the launch bucket empty after its burst; then maxvCpus of the Fargate environment.
#[test]
fn fargate_bucket_and_max_vcpus() {
    let mut sim = checked(fargate_forty_jobs());
    sim.step_through(pass);
    let e = sim.explain_job(6).expect("submitted");
    assert!(matches!(e.holds[0], Hold::JobQueue { position: 2, runnable: 35, .. }), "{}", e.text());
    assert_eq!(
        e.holds[1],
        Hold::AccountBucket {
            bucket: AccountBucket::FargateOnDemand,
            tasks: 1,
            tokens: 0.0,
            per_s: 1.0,
            ahead: 1,
            wait_s: Some(2.0)
        },
        "{}",
        e.text()
    );
    assert!(
        e.text().ends_with(
            "waiting for the Fargate On-Demand bucket: 0 tokens, 1/s, 1 task ahead of it, ~2 s (1 task waiting)"
        ),
        "{}",
        e.text()
    );
    sim.step_until(SimTime(600_000));
    let e = sim.explain_job(39).expect("submitted");
    assert_eq!(
        e.holds[1],
        Hold::ComputeEnvironmentMax { ce: "f".into(), vcpus: 4.0, max_vcpus: 4, job_vcpus: 0.25 },
        "{}",
        e.text()
    );
    assert!(e.text().ends_with("compute environment f at maxvCpus: 4 of 4 vCPUs, the job needs 0.25"), "{}", e.text());
}

/// A FARGATE_SPOT job whose task waits for Fargate Spot capacity: its place in the pool's queue.
#[test]
fn fargate_spot_capacity() {
    let json = r#"{ "version": 1, "name": "unit", "horizon_s": 7200, "task_definitions": [],
      "fargate_spot": { "availability": "tight" },
      "batch": {
        "compute_environments": [{ "name": "s", "type": "FARGATE_SPOT", "max_vcpus": 64 }],
        "job_queues": [{ "name": "q", "priority": 1, "compute_environments": ["s"] }],
        "job_definitions": [{ "name": "jd", "vcpus": 1, "memory_mib": 2048, "platform": "FARGATE" }],
        "submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd",
                          "run_time": { "mean_s": 300 }, "array_size": 30 }] } }"#;
    let mut sim = checked(Scenario::from_json(json).expect("valid"));
    sim.step_through(pass);
    let waiting: Vec<u32> = (0..30).filter(|&j| sim.batch.jobs[j as usize].awaiting_spot).collect();
    assert!(waiting.len() >= 3, "{waiting:?}");
    let e = sim.explain_job(waiting[2]).expect("submitted");
    let n = waiting.len() as u64;
    assert!(matches!(e.holds[0], Hold::SpotCapacity { position: Some(3), waiting, .. } if waiting == n), "{e:?}");
    assert!(
        e.text().starts_with(&format!("STARTING: waiting for Fargate Spot capacity: 3 of {n} in the queue")),
        "{}",
        e.text()
    );
}

#[test]
fn unknown_jobs_are_clear_errors() {
    let mut sim = checked(scenario("", "", ONE_JOB));
    assert!(sim.explain_job(0).unwrap_err().contains("no Batch job 0 at 0 s: 0 jobs submitted so far"));
    assert!(sim.batch_job_index("s", None).unwrap_err().contains("not submitted yet"));
    sim.step_through(pass);
    assert!(sim.batch_job_index("x", None).unwrap_err().contains("no Batch submission \"x\"; the submissions are: s"));
    assert!(sim.batch_job_index("s", Some(2)).unwrap_err().contains("has no array child 2"));
    let services = checked(crate::sim::testing::fargate("", "", ""));
    assert_eq!(services.explain_job(0).unwrap_err(), "the scenario has no AWS Batch jobs");
    let _ = BatchJobState::Runnable;
}
