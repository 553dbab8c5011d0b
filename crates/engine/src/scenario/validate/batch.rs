//! AWS Batch (`docs/model.md` §12): compute environments, job queues, job definitions, submissions and Spot
//! interruptions, checked against the limits the AWS Batch User Guide publishes (quoted in `defaults.rs`), with
//! names resolved to indices. Every problem names its field.

use crate::defaults as d;
use crate::instance_types::{self, InstanceType};
use crate::narrow;
use crate::spec::{
    BatchAllocationStrategy as Alloc, BatchSpec, ComputeEnvironmentType as CeType, DependencyType, PlatformCapability,
    ScenarioSpec,
};
use crate::time::{secs_to_ms, SimTime};

use super::super::{
    Batch, BatchPoolCapacity, BatchSpotInterruption, BucketParams, ComputeEnvironment, ExitRule, JobDefinition,
    JobDependency, JobQueue, Step, Submission, SubmitCall,
};
use super::Validator;

/// "Maximum number of compute environments across Amazon ECS and Amazon EKS: 50" ("AWS Batch service quotas").
pub(super) const MAX_COMPUTE_ENVIRONMENTS: usize = 50;
/// "Maximum number of job queues: 50" ("AWS Batch service quotas").
pub(super) const MAX_JOB_QUEUES: usize = 50;
/// Job definitions and submissions: the engine's bounds.
pub(super) const MAX_JOB_DEFINITIONS: usize = 1_000;
pub(super) const MAX_SUBMISSIONS: usize = 10_000;
pub(super) const MAX_SPOT_INTERRUPTIONS: usize = 10_000;
pub(super) const MAX_POOL_CAPACITY: usize = 10_000;
/// SubmitJob calls of one submission's burst: the engine's bound (the jobs they create are bounded in total).
pub(super) const MAX_CALLS: u32 = 100_000;
/// The largest compute environment, in vCPUs: the engine's bound (AWS publishes none; EC2's own vCPU quotas
/// decide). 100,000 vCPUs of the smallest catalogue type are 50,000 instances, half the engine's instance bound.
const MAX_VCPUS: u32 = 100_000;
/// Patterns of `evaluateOnExit`: "can contain up to 512 characters" (API reference, `EvaluateOnExit`).
const MAX_PATTERN_CHARS: usize = 512;

impl Validator {
    pub(super) fn batch(&mut self, spec: &BatchSpec, scenario: &ScenarioSpec, horizon: SimTime) -> Batch {
        let ces: Vec<ComputeEnvironment> =
            spec.compute_environments.iter().enumerate().map(|(i, ce)| self.compute_environment(i, ce)).collect();
        let total_vcpus: u64 = spec.compute_environments.iter().map(|c| u64::from(c.max_vcpus)).sum();
        if total_vcpus > u64::from(MAX_VCPUS) {
            self.err(
                "batch.compute_environments",
                format!(
                    "their maxvCpus add up to {total_vcpus}; at most {MAX_VCPUS} in one scenario (the engine's limit: \
                     50,000 instances of the smallest types)"
                ),
            );
        }
        let queues: Vec<JobQueue> =
            spec.job_queues
                .iter()
                .enumerate()
                .map(|(i, q)| {
                    let field = format!("batch.job_queues[{i}]");
                    if q.scheduling_policy.is_some() {
                        self.err(
                            format!("{field}.scheduling_policy"),
                            "fair-share scheduling policies are not simulated: the User Guide describes their \
                         parameters (share decay, compute reservation, weight factor) but not the order in which the \
                         scheduler then picks jobs, so the engine cannot reproduce it faithfully; use FIFO queues \
                         with priorities",
                        );
                    }
                    if q.compute_environments.is_empty() || q.compute_environments.len() > d::BATCH_MAX_CES_PER_QUEUE {
                        self.err(
                            format!("{field}.compute_environments"),
                            format!(
                            "between 1 and {} (\"Maximum number of compute environments for each job queue\"), got {}",
                            d::BATCH_MAX_CES_PER_QUEUE,
                            q.compute_environments.len()
                        ),
                        );
                    }
                    let mut order = Vec::new();
                    for (j, name) in q.compute_environments.iter().enumerate() {
                        match spec.compute_environments.iter().position(|c| &c.name == name) {
                            Some(c) if order.contains(&narrow::u16_of(c)) => self
                                .err(format!("{field}.compute_environments[{j}]"), format!("`{name}` is listed twice")),
                            Some(c) => order.push(narrow::u16_of(c)),
                            None => self.err(
                                format!("{field}.compute_environments[{j}]"),
                                format!("no compute environment is named `{name}`"),
                            ),
                        }
                    }
                    let fargate: Vec<bool> = order.iter().map(|&c| ces[c as usize].kind.is_fargate()).collect();
                    if fargate.iter().any(|&f| f) && fargate.iter().any(|&f| !f) {
                        // CreateJobQueue: "All of the compute environments must be either EC2 (EC2 or SPOT) or Fargate
                        // (FARGATE or FARGATE_SPOT); EC2 and Fargate compute environments can't be mixed."
                        self.err(
                            format!("{field}.compute_environments"),
                            "EC2 (EC2, SPOT) and Fargate (FARGATE, FARGATE_SPOT) compute environments can't be mixed \
                         in one job queue",
                        );
                    }
                    JobQueue { name: q.name.clone(), priority: q.priority, compute_environments: order }
                })
                .collect();
        let definitions: Vec<JobDefinition> =
            spec.job_definitions.iter().enumerate().map(|(i, jd)| self.job_definition(i, jd)).collect();
        self.unique_names("batch.compute_environments", spec.compute_environments.iter().map(|c| &c.name));
        self.unique_names("batch.job_queues", spec.job_queues.iter().map(|q| &q.name));
        self.unique_names("batch.job_definitions", spec.job_definitions.iter().map(|j| &j.name));
        self.unique_names("batch.submissions", spec.submissions.iter().map(|s| &s.name));

        let mut submissions = Vec::new();
        let mut calls = Vec::new();
        // Per submission: its calls (single-call submissions may be depended on).
        let mut call_counts: Vec<usize> = Vec::new();
        let mut call_times: Vec<u64> = Vec::new();
        for (i, s) in spec.submissions.iter().enumerate() {
            let field = format!("batch.submissions[{i}]");
            let queue = self.lookup(&format!("{field}.job_queue"), &s.job_queue, &spec.job_queues, |q| &q.name);
            let definition =
                self.lookup(&format!("{field}.job_definition"), &s.job_definition, &spec.job_definitions, |j| &j.name);
            if let (Some(q), Some(j)) = (queue, definition) {
                let queue_fargate = queues[q].compute_environments.first().map(|&c| ces[c as usize].kind.is_fargate());
                if queue_fargate.is_some_and(|f| f != definitions[j].fargate) {
                    self.err(
                        format!("{field}.job_definition"),
                        format!(
                            "`{}` has platform capability {} but job queue `{}` has {} compute environments",
                            s.job_definition,
                            if definitions[j].fargate { "FARGATE" } else { "EC2" },
                            s.job_queue,
                            if queue_fargate == Some(true) { "Fargate" } else { "EC2" },
                        ),
                    );
                }
            }
            let array_size = match s.array_size {
                None => 0,
                Some(n) if (2..=d::BATCH_MAX_ARRAY_SIZE).contains(&n) => n,
                Some(n) => {
                    self.err(
                        format!("{field}.array_size"),
                        format!("an array job has between 2 and {} children, got {n}", d::BATCH_MAX_ARRAY_SIZE),
                    );
                    0
                }
            };
            let run_time = Step {
                mean_ms: self.seconds(&format!("{field}.run_time.mean_s"), s.run_time.mean_s, 0.0, 7.0 * 86_400.0)
                    as f64,
                spread: self.number(&format!("{field}.run_time.spread"), s.run_time.spread, 0.0, 10.0),
            };
            let failure_probability =
                self.number(&format!("{field}.failure_probability"), s.failure_probability, 0.0, 1.0);

            // The calls: one at `at_s`, a burst of `calls`, or one per schedule firing.
            let at = self.seconds(&format!("{field}.at_s"), s.at_s, 0.0, 7.0 * 86_400.0);
            let times: Vec<u64> = match &s.schedule {
                Some(expr) => {
                    if s.calls.is_some() {
                        self.err(format!("{field}.calls"), "a scheduled submission makes one call per firing");
                    }
                    self.schedule_firings(&field, expr, s.time_zone.as_deref(), scenario, super::schedules::MAX_FIRINGS)
                }
                None => {
                    let n = s.calls.unwrap_or(1);
                    if n == 0 || n > MAX_CALLS {
                        self.err(format!("{field}.calls"), format!("between 1 and {MAX_CALLS}, got {n}"));
                        Vec::new()
                    } else {
                        vec![at; n as usize]
                    }
                }
            };

            let mut dependencies = Vec::new();
            let mut sequential = false;
            if s.depends_on.len() > d::BATCH_MAX_DEPENDENCIES {
                self.err(
                    format!("{field}.depends_on"),
                    format!(
                        "at most {} (\"Maximum number of job dependencies for a job\"), got {}",
                        d::BATCH_MAX_DEPENDENCIES,
                        s.depends_on.len()
                    ),
                );
            } else {
                for (k, dep) in s.depends_on.iter().enumerate() {
                    let dfield = format!("{field}.depends_on[{k}]");
                    match (&dep.job, dep.kind) {
                        (None, Some(DependencyType::Sequential)) => {
                            if array_size == 0 {
                                self.err(dfield, "a SEQUENTIAL dependency is for array jobs");
                            }
                            sequential = true;
                        }
                        (None, _) => self.err(format!("{dfield}.job"), "name the submission this job depends on"),
                        (Some(_), Some(DependencyType::Sequential)) => self.err(
                            format!("{dfield}.job"),
                            "a SEQUENTIAL dependency names no job: the array's children run one after another",
                        ),
                        (Some(name), kind) => {
                            // Only an earlier submission: the job it names exists when this one is submitted, and
                            // dependencies cannot loop.
                            let Some(other) = spec.submissions[..i].iter().position(|o| &o.name == name) else {
                                self.err(
                                    format!("{dfield}.job"),
                                    format!("no earlier submission is named `{name}` (dependencies name jobs submitted before)"),
                                );
                                continue;
                            };
                            if call_counts[other] != 1 || times.len() != 1 {
                                self.err(
                                    format!("{dfield}.job"),
                                    "dependencies are between submissions of exactly one SubmitJob call (no `calls` \
                                     burst, no schedule): a job ID names one job",
                                );
                                continue;
                            }
                            if call_times[other] > times[0] {
                                self.err(
                                    format!("{dfield}.job"),
                                    format!("`{name}` is submitted after this job: it must exist when this job is submitted"),
                                );
                                continue;
                            }
                            let other_size = spec.submissions[other].array_size.unwrap_or(0);
                            if kind == Some(DependencyType::NToN) {
                                if array_size == 0 || other_size != array_size {
                                    self.err(format!("{dfield}.type"), "N_TO_N needs two array jobs of the same size");
                                    continue;
                                }
                                dependencies.push(JobDependency::NToN(narrow::u16_of(other)));
                            } else {
                                dependencies.push(JobDependency::Job(narrow::u16_of(other)));
                            }
                        }
                    }
                }
            }
            call_counts.push(times.len());
            call_times.push(times.first().copied().unwrap_or(0));
            let index = narrow::u16_of(i);
            calls.extend(
                times
                    .iter()
                    .filter(|&&t| t < horizon.as_millis() || t == 0)
                    .map(|&t| SubmitCall { at: SimTime(t), submission: index }),
            );
            submissions.push(Submission {
                name: s.name.clone(),
                queue: narrow::u16_of(queue.unwrap_or(0)),
                definition: narrow::u16_of(definition.unwrap_or(0)),
                array_size,
                dependencies,
                sequential,
                run_time,
                failure_probability,
            });
        }
        crate::sort::sort_by_key(&mut calls, |c| c.at);

        let mut spot_interruptions: Vec<BatchSpotInterruption> = Vec::new();
        for (i, w) in spec.spot_interruptions.iter().enumerate() {
            let field = format!("batch.spot_interruptions[{i}]");
            let at = self.seconds(&format!("{field}.at_s"), w.at_s, 0.0, 7.0 * 86_400.0);
            let fraction = self.number(&format!("{field}.fraction"), w.fraction, 0.0, 1.0);
            let Some(ce) = self.lookup(
                &format!("{field}.compute_environment"),
                &w.compute_environment,
                &spec.compute_environments,
                |c| &c.name,
            ) else {
                continue;
            };
            if ces[ce].kind != CeType::Spot {
                self.err(
                    format!("{field}.compute_environment"),
                    format!("`{}` is not a SPOT compute environment", w.compute_environment),
                );
            }
            spot_interruptions.push(BatchSpotInterruption {
                at: SimTime(at),
                compute_environment: narrow::u16_of(ce),
                fraction,
            });
        }
        crate::sort::sort_by_key(&mut spot_interruptions, |w| w.at);

        let mut pool_capacity: Vec<BatchPoolCapacity> = Vec::new();
        for (i, e) in spec.pool_capacity.iter().enumerate() {
            let field = format!("batch.pool_capacity[{i}]");
            let at = self.seconds(&format!("{field}.at_s"), e.at_s, 0.0, 7.0 * 86_400.0);
            let Some(c) = self.lookup(
                &format!("{field}.compute_environment"),
                &e.compute_environment,
                &spec.compute_environments,
                |c| &c.name,
            ) else {
                continue;
            };
            if ces[c].kind.is_fargate() {
                self.err(
                    format!("{field}.compute_environment"),
                    format!(
                        "`{}` is a Fargate compute environment: EC2 capacity pools are those of EC2 and SPOT \
                         environments",
                        e.compute_environment
                    ),
                );
                continue;
            }
            let Some(t) = ces[c].instance_types.iter().position(|t| t.name == e.instance_type) else {
                let names: Vec<&str> = ces[c].instance_types.iter().map(|t| t.name).collect();
                self.err(
                    format!("{field}.instance_type"),
                    format!(
                        "`{}` is not one of the instance types of `{}` ({})",
                        e.instance_type,
                        e.compute_environment,
                        names.join(", ")
                    ),
                );
                continue;
            };
            pool_capacity.push(BatchPoolCapacity {
                at: SimTime(at),
                compute_environment: narrow::u16_of(c),
                instance_type: narrow::u16_of(t),
                available: e.available,
            });
        }
        crate::sort::sort_by_key(&mut pool_capacity, |e| e.at);

        let burst = spec.submit_job_api.map_or(d::BATCH_SUBMIT_JOB_BURST as f64, |b| f64::from(b.burst));
        let per_s = spec.submit_job_api.map_or(d::BATCH_SUBMIT_JOB_PER_S, |b| b.refill_per_s);
        let submit_job = BucketParams {
            burst: narrow::trunc_u32(self.number("batch.submit_job_api.burst", burst, 1.0, 1_000_000.0)),
            per_minute: super::settings::per_second_to_per_minute(self.number(
                "batch.submit_job_api.refill_per_s",
                per_s,
                0.0,
                100_000.0,
            )),
        };
        let scheduler_interval_ms = self.seconds(
            "batch.scheduler_interval_s",
            spec.scheduler_interval_s.unwrap_or(d::BATCH_SCHEDULER_INTERVAL_S),
            1.0,
            3600.0,
        );
        let batch = Batch {
            compute_environments: ces,
            queues,
            definitions,
            submissions,
            calls,
            spot_interruptions,
            pool_capacity,
            submit_job,
            scheduler_interval_ms,
        };
        let jobs = batch.total_jobs();
        if jobs > super::totals::MAX_TOTAL_TASKS {
            self.err(
                "batch.submissions",
                format!(
                    "the SubmitJob calls create {jobs} jobs (array children counted); at most {} in one scenario \
                     (the engine's limit)",
                    super::totals::MAX_TOTAL_TASKS
                ),
            );
        }
        batch
    }

    fn lookup<T>(&mut self, field: &str, name: &str, list: &[T], key: impl Fn(&T) -> &String) -> Option<usize> {
        let found = list.iter().position(|x| key(x) == name);
        if found.is_none() {
            self.err(field, format!("no entry is named `{name}`"));
        }
        found
    }

    fn unique_names<'a>(&mut self, field: &str, names: impl Iterator<Item = &'a String>) {
        let mut seen = std::collections::BTreeSet::new();
        for (i, name) in names.enumerate() {
            if name.trim().is_empty() {
                self.err(format!("{field}[{i}].name"), "must not be empty");
            } else if !seen.insert(name.as_str()) {
                self.err(format!("{field}[{i}].name"), format!("`{name}` is used twice"));
            }
        }
    }

    fn compute_environment(&mut self, i: usize, spec: &crate::spec::ComputeEnvironmentSpec) -> ComputeEnvironment {
        let field = format!("batch.compute_environments[{i}]");
        let max_vcpus = spec.max_vcpus;
        if max_vcpus == 0 || max_vcpus > MAX_VCPUS {
            self.err(format!("{field}.max_vcpus"), format!("between 1 and {MAX_VCPUS}, got {max_vcpus}"));
        }
        let max_vcpus = max_vcpus.clamp(1, MAX_VCPUS);
        let fargate = spec.kind.is_fargate();
        let desired = spec.desired_vcpus.unwrap_or(spec.min_vcpus);
        if fargate {
            // Fargate compute environments have no instances: "minvCpus ... This parameter isn't applicable to jobs
            // that are running on Fargate resources. Don't specify it." (API reference, `ComputeResource`), and the
            // same for desiredvCpus, instanceTypes and allocationStrategy.
            for (set, name) in [
                (spec.min_vcpus != 0, "min_vcpus"),
                (spec.desired_vcpus.is_some(), "desired_vcpus"),
                (!spec.instance_types.is_empty(), "instance_types"),
                (spec.allocation_strategy.is_some(), "allocation_strategy"),
                (spec.min_scale_down_delay_minutes.is_some(), "min_scale_down_delay_minutes"),
            ] {
                if set {
                    self.err(
                        format!("{field}.{name}"),
                        "isn't applicable to Fargate compute environments: don't specify it",
                    );
                }
            }
        } else {
            if spec.min_vcpus > max_vcpus {
                self.err(
                    format!("{field}.min_vcpus"),
                    format!("at most max_vcpus ({max_vcpus}), got {}", spec.min_vcpus),
                );
            }
            if desired < spec.min_vcpus || desired > max_vcpus {
                self.err(
                    format!("{field}.desired_vcpus"),
                    format!("between min_vcpus ({}) and max_vcpus ({max_vcpus}), got {desired}", spec.min_vcpus),
                );
            }
        }
        if let Some(Alloc::SpotCapacityOptimized | Alloc::SpotPriceCapacityOptimized) = spec.allocation_strategy {
            if spec.kind != CeType::Spot {
                self.err(
                    format!("{field}.allocation_strategy"),
                    "SPOT_CAPACITY_OPTIMIZED and SPOT_PRICE_CAPACITY_OPTIMIZED are \"only available for Spot Instance \
                     compute resources\"",
                );
            }
        }
        let scale_down_delay_ms = match spec.min_scale_down_delay_minutes {
            None | Some(0) => 0,
            Some(m) if (d::BATCH_MIN_SCALE_DOWN_DELAY_MIN..=d::BATCH_MAX_SCALE_DOWN_DELAY_MIN).contains(&m) => {
                u64::from(m) * 60_000
            }
            Some(m) => {
                self.err(
                    format!("{field}.min_scale_down_delay_minutes"),
                    format!(
                        "between {} and {} minutes (or 0 to unset), got {m}",
                        d::BATCH_MIN_SCALE_DOWN_DELAY_MIN,
                        d::BATCH_MAX_SCALE_DOWN_DELAY_MIN
                    ),
                );
                0
            }
        };
        let instance_types = if fargate { Vec::new() } else { self.batch_instance_types(&field, &spec.instance_types) };
        if spec.kind != CeType::Spot
            && (spec.interruption_frequency.is_some() || !spec.interruption_frequency_by_type.is_empty())
        {
            self.err(
                format!("{field}.interruption_frequency"),
                "interruption frequencies apply to SPOT compute environments only",
            );
        }
        for name in spec.interruption_frequency_by_type.keys() {
            if spec.kind == CeType::Spot && !instance_types.iter().any(|t| t.name == name) {
                let names: Vec<&str> = instance_types.iter().map(|t| t.name).collect();
                self.err(
                    format!("{field}.interruption_frequency_by_type.{name}"),
                    format!("{name} is not one of this compute environment's instance types ({})", names.join(", ")),
                );
            }
        }
        // The same conversion as Auto Scaling groups' (`validate/capacity.rs`): the bucket's monthly share per hour.
        let per_hour = |f: crate::spec::InterruptionFrequency| f.monthly_fraction() / d::HOURS_PER_MONTH;
        let interruptions_per_instance_hour = instance_types
            .iter()
            .map(|t| {
                let f = spec.interruption_frequency_by_type.get(t.name).copied().or(spec.interruption_frequency);
                if spec.kind == CeType::Spot {
                    f.map_or(0.0, per_hour)
                } else {
                    0.0
                }
            })
            .collect();
        ComputeEnvironment {
            name: spec.name.clone(),
            kind: spec.kind,
            min_vcpus: if fargate { 0 } else { spec.min_vcpus.min(max_vcpus) },
            desired_vcpus: if fargate { 0 } else { desired.clamp(spec.min_vcpus.min(max_vcpus), max_vcpus) },
            max_vcpus,
            instance_types,
            allocation: spec.allocation_strategy.unwrap_or(Alloc::BestFit),
            scale_down_delay_ms,
            interruptions_per_instance_hour,
        }
    }

    /// The catalogue types a compute environment may launch: named types, whole families (`c5`), or `optimal`
    /// (the families of [`d::BATCH_OPTIMAL_FAMILIES`] the catalogue has), cheapest per vCPU first, then smallest.
    fn batch_instance_types(&mut self, field: &str, names: &[String]) -> Vec<InstanceType> {
        let optimal = ["optimal".to_string()];
        let names = if names.is_empty() { &optimal[..] } else { names };
        if names.len() > super::totals::MAX_INSTANCE_TYPES_PER_GROUP {
            self.err(
                format!("{field}.instance_types"),
                format!("at most {}, got {}", super::totals::MAX_INSTANCE_TYPES_PER_GROUP, names.len()),
            );
            return Vec::new();
        }
        let mut types: Vec<InstanceType> = Vec::new();
        for (j, name) in names.iter().enumerate() {
            let matches: Vec<InstanceType> = if name == "optimal" {
                instance_types::all()
                    .iter()
                    .filter(|t| d::BATCH_OPTIMAL_FAMILIES.contains(&t.family()))
                    .copied()
                    .collect()
            } else if let Some(t) = instance_types::get(name) {
                vec![*t]
            } else {
                instance_types::all().iter().filter(|t| t.family() == name).copied().collect()
            };
            if matches.is_empty() {
                self.err(format!("{field}.instance_types[{j}]"), instance_types::unknown_message(name));
            }
            for t in matches {
                if !types.iter().any(|k| k.name == t.name) {
                    types.push(t);
                }
            }
        }
        // Cheapest vCPU first ("Its preference is for instance types with lower cost vCPUs"), then the smaller type.
        crate::sort::sort_by(&mut types, |a, b| {
            let pa = a.on_demand_hour_usd / f64::from(a.vcpu);
            let pb = b.on_demand_hour_usd / f64::from(b.vcpu);
            pa.total_cmp(&pb).then(a.vcpu.cmp(&b.vcpu)).then(a.name.cmp(b.name))
        });
        types
    }

    fn job_definition(&mut self, i: usize, spec: &crate::spec::JobDefinitionSpec) -> JobDefinition {
        let field = format!("batch.job_definitions[{i}]");
        let fargate = spec.platform == PlatformCapability::Fargate;
        let vcpus = spec.vcpus;
        let vcpu_ok = if fargate {
            d::BATCH_FARGATE_VCPUS.contains(&vcpus)
        } else {
            (1.0..=192.0).contains(&vcpus) && vcpus.fract() == 0.0
        };
        if !vcpu_ok {
            self.err(
                format!("{field}.vcpus"),
                if fargate {
                    format!("a Fargate job has 0.25, 0.5, 1, 2, 4, 8 or 16 vCPUs, got {vcpus}")
                } else {
                    format!("a whole number of vCPUs from 1 to 192 on EC2, got {vcpus}")
                },
            );
        }
        let vcpu_milli = if vcpu_ok { narrow::round_u32(vcpus * 1000.0) } else { 1000 };
        if fargate && vcpu_ok {
            // Fargate's task sizes (`fargate.rs`): 0.25 vCPU is 256 cpu units.
            let cpu_units = narrow::round_u32(vcpus * 1024.0);
            if let Err(e) = crate::fargate::check_size(cpu_units, spec.memory_mib) {
                self.err(format!("{field}.memory_mib"), e);
            }
        } else if spec.memory_mib == 0 || spec.memory_mib > 4_000_000 {
            self.err(format!("{field}.memory_mib"), format!("between 1 and 4000000 MiB, got {}", spec.memory_mib));
        }
        let image_mb = self.number(&format!("{field}.image_mb"), spec.image_mb, 0.0, 100_000.0);
        let timeout_ms = spec.timeout_s.map(|t| {
            secs_to_ms(self.number(&format!("{field}.timeout_s"), t, d::BATCH_MIN_TIMEOUT_S, 14.0 * 86_400.0))
        });
        let attempts = spec.retry_attempts.unwrap_or(1);
        if !(1..=d::BATCH_MAX_ATTEMPTS).contains(&attempts) {
            self.err(
                format!("{field}.retry_attempts"),
                format!("between 1 and {} attempts, got {attempts}", d::BATCH_MAX_ATTEMPTS),
            );
        }
        if spec.evaluate_on_exit.len() > d::BATCH_MAX_EVALUATE_ON_EXIT {
            self.err(
                format!("{field}.evaluate_on_exit"),
                format!("at most {} conditions, got {}", d::BATCH_MAX_EVALUATE_ON_EXIT, spec.evaluate_on_exit.len()),
            );
        }
        let mut rules = Vec::new();
        for (k, r) in spec.evaluate_on_exit.iter().take(d::BATCH_MAX_EVALUATE_ON_EXIT).enumerate() {
            for (value, name) in [
                (&r.on_exit_code, "on_exit_code"),
                (&r.on_reason, "on_reason"),
                (&r.on_status_reason, "on_status_reason"),
            ] {
                if value.as_ref().is_some_and(|v| v.chars().count() > MAX_PATTERN_CHARS) {
                    self.err(
                        format!("{field}.evaluate_on_exit[{k}].{name}"),
                        format!("at most {MAX_PATTERN_CHARS} characters"),
                    );
                }
            }
            if r.on_exit_code.is_none() && r.on_reason.is_none() && r.on_status_reason.is_none() {
                self.err(
                    format!("{field}.evaluate_on_exit[{k}]"),
                    "give at least one of on_exit_code, on_reason, on_status_reason",
                );
            }
            rules.push(ExitRule {
                action: r.action,
                on_exit_code: r.on_exit_code.clone(),
                on_reason: r.on_reason.clone(),
                on_status_reason: r.on_status_reason.clone(),
            });
        }
        JobDefinition {
            name: spec.name.clone(),
            vcpu_milli,
            memory_mib: spec.memory_mib,
            fargate,
            image_mb,
            timeout_ms,
            attempts: attempts.clamp(1, d::BATCH_MAX_ATTEMPTS),
            evaluate_on_exit: rules,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::problems;
    use super::*;
    use crate::scenario::parse_spec;

    /// A scenario with only Batch: one EC2 compute environment, one queue, one definition, and `submissions`.
    pub(crate) fn batch_json(extra_ce: &str, definition: &str, submissions: &str) -> String {
        format!(
            r#"{{ "version": 1, "name": "b", "task_definitions": [],
              "batch": {{
                "compute_environments": [{{ "name": "ce", "type": "EC2", "max_vcpus": 64 {extra_ce} }}],
                "job_queues": [{{ "name": "q", "priority": 1, "compute_environments": ["ce"] }}],
                "job_definitions": [{{ "name": "jd", "vcpus": 1, "memory_mib": 2048 {definition} }}],
                "submissions": [{submissions}]
              }} }}"#
        )
    }

    fn check(json: &str) -> Vec<String> {
        let spec = parse_spec(json).unwrap();
        let mut v = Validator::default();
        v.scenario(&spec);
        problems(&v)
    }

    /// Asserts that one of the problems starts with `prefix` (a field path and the start of its message).
    #[track_caller]
    fn assert_found(found: &[String], prefix: &str) {
        assert!(found.iter().any(|p| p.starts_with(prefix)), "no problem starts with {prefix:?}: {found:?}");
    }

    const ONE: &str = r#"{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 60 } }"#;

    #[test]
    fn a_minimal_batch_scenario_is_valid_and_resolves_optimal() {
        let spec = parse_spec(&batch_json("", "", ONE)).unwrap();
        let mut v = Validator::default();
        let s = v.scenario(&spec);
        assert_eq!(problems(&v), Vec::<String>::new());
        let b = s.batch.unwrap();
        assert_eq!(b.calls.len(), 1);
        assert_eq!(b.definitions[0].vcpu_milli, 1000);
        assert_eq!(b.compute_environments[0].allocation, Alloc::BestFit);
        // `optimal`: the c5, m5 and r5 types of the catalogue, cheapest vCPU first (c5 at $0.0425 per vCPU-hour).
        let types = &b.compute_environments[0].instance_types;
        assert!(types.iter().all(|t| ["c5", "m5", "r5"].contains(&t.family())), "{types:?}");
        assert_eq!(types[0].name, "c5.large");
        assert_eq!(b.scheduler_interval_ms, 10_000);
        assert_eq!(b.submit_job, BucketParams { burst: 50, per_minute: 3000 });
    }

    #[test]
    fn limits_name_their_field() {
        let sub = r#"{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 60 },
                       "array_size": 10001 }"#;
        let found = check(&batch_json("", r#", "retry_attempts": 11, "timeout_s": 30"#, sub));
        assert!(
            found.contains(
                &"batch.submissions[0].array_size: an array job has between 2 and 10000 children, got 10001"
                    .to_string()
            ),
            "{found:?}"
        );
        assert!(
            found.contains(&"batch.job_definitions[0].retry_attempts: between 1 and 10 attempts, got 11".to_string()),
            "{found:?}"
        );
        assert!(
            found.contains(&"batch.job_definitions[0].timeout_s: must be between 60 and 1209600, got 30".to_string()),
            "{found:?}"
        );
        let sub1 = r#"{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 60 }, "array_size": 1 }"#;
        assert_eq!(
            check(&batch_json("", "", sub1)),
            ["batch.submissions[0].array_size: an array job has between 2 and 10000 children, got 1"]
        );
    }

    #[test]
    fn pool_capacity_names_a_type_of_an_ec2_or_spot_environment() {
        let json = r#"{ "version": 1, "name": "b", "task_definitions": [], "batch": {
            "compute_environments": [
              { "name": "ec2", "type": "EC2", "max_vcpus": 16, "instance_types": ["m5.xlarge", "c5.xlarge"] },
              { "name": "f", "type": "FARGATE", "max_vcpus": 4 }],
            "job_queues": [], "job_definitions": [], "submissions": [],
            "pool_capacity": [
              { "at_s": 60, "compute_environment": "ec2", "instance_type": "c5.xlarge", "available": true },
              { "at_s": 0, "compute_environment": "ec2", "instance_type": "c5.xlarge", "available": false },
              { "at_s": 0, "compute_environment": "ec2", "instance_type": "r5.xlarge", "available": false },
              { "at_s": 0, "compute_environment": "f", "instance_type": "c5.xlarge", "available": false },
              { "at_s": 0, "compute_environment": "nope", "instance_type": "c5.xlarge", "available": false },
              { "at_s": -1, "compute_environment": "ec2", "instance_type": "m5.xlarge", "available": false }] } }"#;
        let found = check(json);
        assert_found(
            &found,
            "batch.pool_capacity[2].instance_type: `r5.xlarge` is not one of the instance types of `ec2` (c5.xlarge, \
             m5.xlarge)",
        );
        assert_found(&found, "batch.pool_capacity[3].compute_environment: `f` is a Fargate compute environment");
        assert_found(&found, "batch.pool_capacity[4].compute_environment: no entry is named `nope`");
        assert_found(&found, "batch.pool_capacity[5].at_s: must be between 0");
        assert_eq!(found.len(), 4, "{found:?}");
        // Valid entries resolve to the type's index (c5 first: cheaper vCPU) and are sorted by time.
        let ok = json.replace("r5.xlarge", "c5.xlarge").replace(r#""f", "instance"#, r#""ec2", "instance"#);
        let ok = ok.replace("nope", "ec2").replace("-1", "5");
        let spec = parse_spec(&ok).unwrap();
        let mut v = Validator::default();
        let b = v.scenario(&spec).batch.unwrap();
        assert_eq!(problems(&v), Vec::<String>::new());
        assert_eq!(b.pool_capacity.len(), 6);
        assert_eq!(
            b.pool_capacity[0],
            BatchPoolCapacity { at: SimTime(0), compute_environment: 0, instance_type: 0, available: false }
        );
        assert_eq!(b.pool_capacity[5].at, SimTime(60_000));
        assert_eq!(b.pool_capacity[4].instance_type, 1);
    }

    #[test]
    fn queues_take_at_most_three_environments_of_one_platform() {
        let json = r#"{ "version": 1, "name": "b", "task_definitions": [], "batch": {
            "compute_environments": [
              { "name": "a", "type": "EC2", "max_vcpus": 4 }, { "name": "b", "type": "SPOT", "max_vcpus": 4 },
              { "name": "c", "type": "EC2", "max_vcpus": 4 }, { "name": "f", "type": "FARGATE", "max_vcpus": 4 }],
            "job_queues": [
              { "name": "q", "priority": 1, "compute_environments": ["a", "b", "c", "f"] },
              { "name": "r", "priority": 1, "compute_environments": ["a", "f"], "scheduling_policy": {} }],
            "job_definitions": [], "submissions": [] } }"#;
        let found = check(json);
        assert_found(&found, "batch.job_queues[0].compute_environments: between 1 and 3");
        assert_found(&found, "batch.job_queues[1].compute_environments: EC2 (EC2, SPOT) and Fargate");
        assert_found(&found, "batch.job_queues[1].scheduling_policy: fair-share scheduling policies are not simulated");
    }

    #[test]
    fn fargate_environments_refuse_instance_settings_and_fargate_jobs_take_fargate_sizes() {
        let json = r#"{ "version": 1, "name": "b", "task_definitions": [], "batch": {
            "compute_environments": [{ "name": "f", "type": "FARGATE", "max_vcpus": 4, "min_vcpus": 2,
                                       "allocation_strategy": "BEST_FIT" }],
            "job_queues": [{ "name": "q", "priority": 1, "compute_environments": ["f"] }],
            "job_definitions": [{ "name": "jd", "vcpus": 0.3, "memory_mib": 512, "platform": "FARGATE" },
                                { "name": "ec2", "vcpus": 1, "memory_mib": 512 }],
            "submissions": [{ "name": "s", "job_queue": "q", "job_definition": "ec2", "run_time": { "mean_s": 1 } }] } }"#;
        let found = check(json);
        assert!(found.contains(&"batch.compute_environments[0].min_vcpus: isn't applicable to Fargate compute environments: don't specify it".to_string()), "{found:?}");
        assert_found(&found, "batch.compute_environments[0].allocation_strategy: isn't applicable");
        assert!(
            found.contains(
                &"batch.job_definitions[0].vcpus: a Fargate job has 0.25, 0.5, 1, 2, 4, 8 or 16 vCPUs, got 0.3"
                    .to_string()
            ),
            "{found:?}"
        );
        assert_found(
            &found,
            "batch.submissions[0].job_definition: `ec2` has platform capability EC2 but job queue `q` has Fargate",
        );
    }

    #[test]
    fn dependencies_name_earlier_single_calls() {
        let subs = r#"{ "name": "a", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 1 }, "array_size": 4 },
            { "name": "b", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 1 }, "array_size": 4,
              "depends_on": [{ "job": "a", "type": "N_TO_N" }, { "type": "SEQUENTIAL" }] },
            { "name": "c", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 1 }, "array_size": 5,
              "depends_on": [{ "job": "a", "type": "N_TO_N" }, { "job": "z" }] },
            { "name": "d", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 1 }, "calls": 2,
              "depends_on": [{ "job": "a" }] },
            { "name": "e", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 1 },
              "depends_on": [{ "type": "SEQUENTIAL" }] }"#;
        let spec = parse_spec(&batch_json("", "", subs)).unwrap();
        let mut v = Validator::default();
        let s = v.scenario(&spec);
        assert_eq!(
            problems(&v),
            [
                "batch.submissions[2].depends_on[0].type: N_TO_N needs two array jobs of the same size",
                "batch.submissions[2].depends_on[1].job: no earlier submission is named `z` (dependencies name jobs submitted before)",
                "batch.submissions[3].depends_on[0].job: dependencies are between submissions of exactly one SubmitJob call (no `calls` burst, no schedule): a job ID names one job",
                "batch.submissions[4].depends_on[0]: a SEQUENTIAL dependency is for array jobs",
            ]
        );
        let b = s.batch.unwrap();
        assert_eq!(b.submissions[1].dependencies, [JobDependency::NToN(0)]);
        assert!(b.submissions[1].sequential);
    }

    #[test]
    fn the_jobs_of_all_calls_are_bounded() {
        let sub = r#"{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 60 },
                       "array_size": 10000, "calls": 21 }"#;
        assert_eq!(
            check(&batch_json("", "", sub)),
            ["batch.submissions: the SubmitJob calls create 210000 jobs (array children counted); at most 200000 in one scenario (the engine's limit)"]
        );
    }

    #[test]
    fn a_scheduled_submission_calls_once_per_firing_and_array_children_count_in_the_task_total() {
        let sub = r#"{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 60 },
                       "schedule": "rate(10 minutes)" }"#;
        let spec =
            parse_spec(&batch_json("", "", sub).replace(r#""name": "b","#, r#""name": "b", "horizon_s": 3600,"#))
                .unwrap();
        let mut v = Validator::default();
        let s = v.scenario(&spec);
        assert_eq!(problems(&v), Vec::<String>::new());
        let times: Vec<u64> = s.batch.unwrap().calls.iter().map(|c| c.at.as_millis()).collect();
        assert_eq!(times, [0, 600_000, 1_200_000, 1_800_000, 2_400_000, 3_000_000]);
        // Services' tasks and Batch jobs share the task total (checked before anything is built).
        let json = r#"{ "version": 1, "name": "b",
            "task_definitions": [{ "name": "web", "cpu": 256, "memory": 512 }],
            "services": [{ "name": "web", "task_definition": "web", "desired_count": 5000 }],
            "batch": { "compute_environments": [{ "name": "ce", "type": "EC2", "max_vcpus": 4 }],
              "job_queues": [{ "name": "q", "priority": 1, "compute_environments": ["ce"] }],
              "job_definitions": [{ "name": "jd", "vcpus": 1, "memory_mib": 512 }],
              "submissions": [{ "name": "s", "job_queue": "q", "job_definition": "jd", "run_time": { "mean_s": 1 },
                                "array_size": 10000, "calls": 20 }] } }"#;
        let err = crate::scenario::Scenario::from_json(json).unwrap_err().to_string();
        assert!(err.contains("the RunTask bursts and the AWS Batch jobs add up to 205000 tasks"), "{err}");
    }

    /// SPOT environments take the Auto Scaling groups' Spot Instance Advisor frequencies, per type; others not.
    #[test]
    fn spot_environments_take_interruption_frequencies_per_type() {
        let ce = r#", "instance_types": ["c5.large", "c5.xlarge"], "interruption_frequency": ">20%",
            "interruption_frequency_by_type": { "c5.xlarge": "<5%" }"#;
        let spot = batch_json(ce, "", ONE).replace(r#""type": "EC2""#, r#""type": "SPOT""#);
        let spec = parse_spec(&spot).unwrap();
        let mut v = Validator::default();
        let s = v.scenario(&spec);
        assert_eq!(problems(&v), Vec::<String>::new());
        let ce = &s.batch.unwrap().compute_environments[0];
        let rates: Vec<(&str, f64)> =
            ce.instance_types.iter().map(|t| t.name).zip(ce.interruptions_per_instance_hour.iter().copied()).collect();
        assert_eq!(rates, [("c5.large", 0.25 / 730.0), ("c5.xlarge", 0.025 / 730.0)]);
        // On an EC2 (On-Demand) environment: refused.
        let found = check(&batch_json(r#", "interruption_frequency": "<5%""#, "", ONE));
        assert_found(
            &found,
            "batch.compute_environments[0].interruption_frequency: interruption frequencies apply to SPOT",
        );
        // A type the environment does not launch: refused, naming it.
        let bad = batch_json(
            r#", "instance_types": ["c5.large"], "interruption_frequency_by_type": { "m5.large": "<5%" }"#,
            "",
            ONE,
        )
        .replace(r#""type": "EC2""#, r#""type": "SPOT""#);
        assert_found(
            &check(&bad),
            "batch.compute_environments[0].interruption_frequency_by_type.m5.large: m5.large is not one of",
        );
    }

    #[test]
    fn the_environments_max_vcpus_are_bounded_in_total() {
        let ces: Vec<String> =
            (0..3).map(|i| format!(r#"{{ "name": "c{i}", "type": "EC2", "max_vcpus": 40000 }}"#)).collect();
        let json = format!(
            r#"{{ "version": 1, "name": "b", "task_definitions": [], "batch": {{ "compute_environments": [{}],
                 "job_queues": [], "job_definitions": [], "submissions": [] }} }}"#,
            ces.join(",")
        );
        assert_eq!(
            check(&json),
            ["batch.compute_environments: their maxvCpus add up to 120000; at most 100000 in one scenario (the \
              engine's limit: 50,000 instances of the smallest types)"]
        );
    }

    #[test]
    fn compute_environment_bounds() {
        let found = check(&batch_json(r#", "min_vcpus": 100, "min_scale_down_delay_minutes": 5"#, "", ONE));
        assert_eq!(
            found,
            [
                "batch.compute_environments[0].min_vcpus: at most max_vcpus (64), got 100",
                "batch.compute_environments[0].desired_vcpus: between min_vcpus (100) and max_vcpus (64), got 100",
                "batch.compute_environments[0].min_scale_down_delay_minutes: between 20 and 10080 minutes (or 0 to unset), got 5",
            ]
        );
    }
}
