//! Limits on how much a scenario may hold, checked before anything else: the number of services, providers, zones,
//! events, ... and the totals across them (tasks over every service and burst, instances over every group). A
//! shared link is untrusted input that runs in someone else's tab, so a scenario must not be able to ask for more
//! memory or time than a browser tab has. Each limit is ECS's (or EC2 Auto Scaling's) own quota where one exists
//! and the engine's bound otherwise, and each is a field error that names it. A list over its limit stops the
//! validation there: checking 65,536 zones one by one would only print 65,536 more errors.

use crate::spec::{ProfilePartSpec, ScenarioSpec, TimedEventSpec};

use super::Validator;

/// "Services per cluster: 5,000" ("Amazon ECS service quotas").
pub(super) const MAX_SERVICES: usize = 5_000;
/// "Capacity providers per cluster: 20" ("Amazon ECS service quotas", not adjustable).
pub(super) const MAX_CAPACITY_PROVIDERS: usize = 20;
/// "The maximum number of instance types that can be associated with an Auto Scaling group is 40" (EC2 Auto
/// Scaling, MixedInstancesPolicy launch template overrides).
pub(super) const MAX_INSTANCE_TYPES_PER_GROUP: usize = 40;
/// Availability Zones per group. AWS lists no quota for a group's zones; the largest Region has 6 zones, and
/// "Subnets per awsvpc configuration: 16" ("Amazon ECS service quotas") bounds how many zones a task's network
/// configuration can name, so 16 is the engine's bound.
pub(super) const MAX_ZONES_PER_GROUP: usize = 16;
/// Entries of a Managed Instances provider's `allowedInstanceTypes` (patterns with wildcards): the engine's bound,
/// far more than the instance catalogue has types.
pub(super) const MAX_ALLOWED_INSTANCE_TYPES: usize = 400;
/// Management fee overrides per instance type: the engine's bound (more than the catalogue has types).
pub(super) const MAX_FEE_ENTRIES: usize = 1_000;
/// Groups of ECS Anywhere hosts: not a quota (their instances count against "Container instances per cluster");
/// the engine's bound, the same as capacity providers.
pub(super) const MAX_EXTERNAL_GROUPS: usize = 20;
/// Instances over every group (each group's max_size plus every ECS Anywhere host). Twenty groups of the
/// "Container instances per cluster" quota (5,000); instances beyond the quota stay unregistered but still exist,
/// so the engine bounds them too.
pub(super) const MAX_TOTAL_INSTANCES: u64 = 100_000;
/// Task definitions: ECS has no quota on families or revisions; the engine's bound.
pub(super) const MAX_TASK_DEFINITIONS: usize = 1_000;
/// RunTask bursts: the engine's bound.
pub(super) const MAX_RUN_TASK_BURSTS: usize = 10_000;
/// Timed events: the engine's bound.
pub(super) const MAX_EVENTS: usize = 10_000;
/// Tasks asked for over every service's desired count and every RunTask burst: twice the largest benchmark
/// (`stress-100k`), the engine's bound on what a browser tab simulates.
pub(super) const MAX_TOTAL_TASKS: u64 = 200_000;
/// Noise factors over every service's demand profile (8 bytes each): the engine's bound.
pub(super) const MAX_NOISE_FACTORS: f64 = 1_000_000.0;
/// Names of services, providers, task definitions, ...: "Up to 255 letters (uppercase and lowercase), numbers,
/// underscores, and hyphens are allowed" (ECS API reference, CreateService `serviceName`).
pub(super) const MAX_NAME_CHARS: usize = 255;

impl Validator {
    /// Checks every list's length and the totals; returns false if one is over its limit (the caller then stops:
    /// the rest of the file is not looked at item by item).
    pub(in crate::scenario) fn totals(&mut self, spec: &ScenarioSpec) -> bool {
        let before = self.errors.len();
        self.list_len("services", spec.services.len(), MAX_SERVICES, "the \"Services per cluster\" quota");
        self.list_len(
            "capacity_providers",
            spec.capacity_providers.len(),
            MAX_CAPACITY_PROVIDERS,
            "the \"Capacity providers per cluster\" quota",
        );
        // Managed Instances providers are capacity providers of the cluster too.
        if !spec.managed_instances_providers.is_empty() {
            self.list_len(
                "managed_instances_providers",
                spec.capacity_providers.len() + spec.managed_instances_providers.len(),
                MAX_CAPACITY_PROVIDERS,
                "the \"Capacity providers per cluster\" quota, counted with capacity_providers",
            );
        }
        self.list_len("external_instances", spec.external_instances.len(), MAX_EXTERNAL_GROUPS, "the engine's limit");
        self.list_len("task_definitions", spec.task_definitions.len(), MAX_TASK_DEFINITIONS, "the engine's limit");
        self.list_len("run_tasks", spec.run_tasks.len(), MAX_RUN_TASK_BURSTS, "the engine's limit");
        self.list_len("events", spec.events.len(), MAX_EVENTS, "the engine's limit");
        self.list_len("queues", spec.queues.len(), super::queues::MAX_QUEUES, "the engine's limit");
        if let Some(lesson) = &spec.lesson {
            self.list_len("lesson.steps", lesson.steps.len(), super::lesson::MAX_LESSON_STEPS, "the engine's limit");
        }
        if let Some(b) = &spec.batch {
            use super::batch as bl;
            let quota = "the AWS Batch service quota";
            self.list_len(
                "batch.compute_environments",
                b.compute_environments.len(),
                bl::MAX_COMPUTE_ENVIRONMENTS,
                quota,
            );
            self.list_len("batch.job_queues", b.job_queues.len(), bl::MAX_JOB_QUEUES, quota);
            self.list_len(
                "batch.job_definitions",
                b.job_definitions.len(),
                bl::MAX_JOB_DEFINITIONS,
                "the engine's limit",
            );
            self.list_len("batch.submissions", b.submissions.len(), bl::MAX_SUBMISSIONS, "the engine's limit");
            self.list_len(
                "batch.spot_interruptions",
                b.spot_interruptions.len(),
                bl::MAX_SPOT_INTERRUPTIONS,
                "the engine's limit",
            );
            self.list_len("batch.pool_capacity", b.pool_capacity.len(), bl::MAX_POOL_CAPACITY, "the engine's limit");
            for (i, q) in b.job_queues.iter().enumerate() {
                // Checked exactly (at most 3) by the Batch validator; here only so a huge list is not walked.
                self.list_len(
                    &format!("batch.job_queues[{i}].compute_environments"),
                    q.compute_environments.len(),
                    MAX_CAPACITY_PROVIDERS,
                    "the engine's limit",
                );
            }
        }
        for (i, p) in spec.capacity_providers.iter().enumerate() {
            self.list_len(
                &format!("capacity_providers[{i}].instance_types"),
                p.instance_types.len(),
                MAX_INSTANCE_TYPES_PER_GROUP,
                "EC2 Auto Scaling's limit of instance types per group",
            );
            self.list_len(
                &format!("capacity_providers[{i}].availability_zones"),
                p.availability_zones.len(),
                MAX_ZONES_PER_GROUP,
                "the engine's limit (AWS Regions have at most 6)",
            );
            let pools = p.instance_types.len().saturating_mul(p.availability_zones.len());
            self.list_len(
                &format!("capacity_providers[{i}].insufficient_capacity"),
                p.insufficient_capacity.len(),
                pools.max(1),
                "one entry per pool (instance type x zone) of the group",
            );
        }
        for (i, p) in spec.managed_instances_providers.iter().enumerate() {
            self.list_len(
                &format!("managed_instances_providers[{i}].availability_zones"),
                p.availability_zones.len(),
                MAX_ZONES_PER_GROUP,
                "the engine's limit (AWS Regions have at most 6)",
            );
            self.list_len(
                &format!("managed_instances_providers[{i}].instance_requirements.allowed_instance_types"),
                p.instance_requirements.allowed_instance_types.len(),
                MAX_ALLOWED_INSTANCE_TYPES,
                "the engine's limit",
            );
            self.list_len(
                &format!("managed_instances_providers[{i}].management_fee_hour_by_type"),
                p.management_fee_hour_by_type.len(),
                MAX_FEE_ENTRIES,
                "the engine's limit",
            );
        }
        if self.errors.len() > before {
            // Sums over lists that are themselves too long would only add noise.
            return false;
        }

        let instances: u64 = spec.capacity_providers.iter().map(|p| u64::from(p.max_size)).sum::<u64>()
            + spec.external_instances.iter().map(|g| u64::from(g.count)).sum::<u64>();
        if instances > MAX_TOTAL_INSTANCES {
            self.err(
                "capacity_providers",
                format!(
                    "the groups' max_size plus the ECS Anywhere hosts add up to {instances} instances; at most \
                     {MAX_TOTAL_INSTANCES} in one scenario (the engine's limit: 20 groups of the 5,000 \"Container \
                     instances per cluster\" quota)"
                ),
            );
        }
        // Each service at the most it may ask for: its desired count, its auto scaling maximum, or a scale event's.
        let mut most: Vec<u64> = spec
            .services
            .iter()
            .map(|s| u64::from(s.desired_count.max(s.autoscaling.as_ref().map_or(0, |a| a.max_capacity))))
            .collect();
        for event in &spec.events {
            if let TimedEventSpec::Scale { service, desired_count, .. } = event {
                if let Some(i) = spec.services.iter().position(|s| &s.name == service) {
                    most[i] = most[i].max(u64::from(*desired_count));
                }
            }
        }
        // AWS Batch jobs run as ECS tasks: each call's jobs (an array's children) count too. A scheduled submission
        // counts one call here; the Batch validator checks the total over its firings.
        let batch_jobs: u64 = spec.batch.as_ref().map_or(0, |b| {
            b.submissions
                .iter()
                .map(|s| {
                    let calls = if s.schedule.is_some() { 1 } else { u64::from(s.calls.unwrap_or(1)) };
                    calls * u64::from(s.array_size.unwrap_or(1).max(1))
                })
                .sum()
        });
        let tasks: u64 =
            most.iter().sum::<u64>() + spec.run_tasks.iter().map(|r| u64::from(r.count)).sum::<u64>() + batch_jobs;
        if tasks > MAX_TOTAL_TASKS {
            self.err(
                "services",
                format!(
                    "the services (at their largest desired count, auto scaling maximum or scale event), the \
                     RunTask bursts and the AWS Batch jobs add up to {tasks} tasks; at most {MAX_TOTAL_TASKS} in \
                     one scenario (the engine's limit)"
                ),
            );
        }
        // Noise draws one factor per interval per demand profile and queue: bounded over all of them, not only each.
        let horizon_s = if spec.horizon_s.is_finite() { spec.horizon_s.clamp(0.0, 1e9) } else { 0.0 };
        let factors: f64 = spec
            .services
            .iter()
            .filter_map(|s| s.demand.as_ref())
            .flat_map(|d| &d.profile)
            .chain(spec.queues.iter().flat_map(|q| &q.arrivals))
            // Custom metrics' profiles draw their noise too.
            .chain(
                spec.services
                    .iter()
                    .filter_map(|s| s.autoscaling.as_ref())
                    .flat_map(|a| a.target_tracking.iter().take(50))
                    .filter_map(|p| p.custom_metric.as_ref())
                    .flat_map(|c| &c.profile),
            )
            .map(|part| match part {
                ProfilePartSpec::Noise { interval_s, .. } if interval_s.is_finite() && *interval_s > 0.0 => {
                    (horizon_s / interval_s).ceil()
                }
                _ => 0.0,
            })
            .sum();
        if factors > MAX_NOISE_FACTORS {
            self.err(
                "services",
                format!(
                    "the demand profiles' noise draws {factors:.0} factors over the horizon; at most \
                     {MAX_NOISE_FACTORS:.0} in one scenario (the engine's limit): use longer noise intervals"
                ),
            );
        }
        self.names(spec);
        self.errors.len() == before
    }

    fn list_len(&mut self, field: &str, len: usize, max: usize, limit: &str) {
        if len > max {
            self.err(field, format!("at most {max} ({limit}), got {len}"));
        }
    }

    /// Names are keys in the page's tables and the trace; a 1 MB name would be copied into every line.
    fn names(&mut self, spec: &ScenarioSpec) {
        let named = spec
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("services[{i}].name"), &s.name))
            .chain(
                spec.task_definitions.iter().enumerate().map(|(i, t)| (format!("task_definitions[{i}].name"), &t.name)),
            )
            .chain(
                spec.capacity_providers
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (format!("capacity_providers[{i}].name"), &p.name)),
            )
            .chain(
                spec.external_instances
                    .iter()
                    .enumerate()
                    .map(|(i, g)| (format!("external_instances[{i}].name"), &g.name)),
            )
            .chain(spec.run_tasks.iter().enumerate().map(|(i, r)| (format!("run_tasks[{i}].name"), &r.name)))
            .chain(
                spec.managed_instances_providers
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (format!("managed_instances_providers[{i}].name"), &p.name)),
            );
        let mut too_long = Vec::new();
        for (field, name) in named {
            let chars = name.chars().count();
            if chars > MAX_NAME_CHARS {
                too_long.push((field, chars));
            }
        }
        for (field, chars) in too_long {
            self.err(field, format!("at most {MAX_NAME_CHARS} characters (ECS's limit for names), got {chars}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::validate::tests::spec;

    fn problems(extra: &str) -> Vec<String> {
        let spec = spec(extra);
        let mut v = Validator::default();
        v.totals(&spec);
        v.errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_list_over_its_quota_names_the_quota() {
        let providers: Vec<String> = (0..21)
            .map(|i| format!(r#"{{ "name": "p{i}", "instance_types": ["m5.large"], "max_size": 1 }}"#))
            .collect();
        let p = problems(&format!(r#""capacity_providers": [{}]"#, providers.join(",")));
        assert_eq!(p, ["capacity_providers: at most 20 (the \"Capacity providers per cluster\" quota), got 21"]);
    }

    #[test]
    fn zones_per_group_are_bounded() {
        let zones: Vec<String> = (0..17).map(|i| format!("\"z{i}\"")).collect();
        let p = problems(&format!(
            r#""capacity_providers": [{{ "name": "p", "instance_types": ["m5.large"], "max_size": 1,
                "availability_zones": [{}] }}]"#,
            zones.join(",")
        ));
        assert_eq!(p, ["capacity_providers[0].availability_zones: at most 16 (the engine's limit (AWS Regions have at most 6)), got 17"]);
    }

    #[test]
    fn instances_are_bounded_over_every_group() {
        let providers: Vec<String> = (0..20)
            .map(|i| format!(r#"{{ "name": "p{i}", "instance_types": ["m5.large"], "max_size": 10000 }}"#))
            .collect();
        let p = problems(&format!(r#""capacity_providers": [{}]"#, providers.join(",")));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("capacity_providers: the groups' max_size plus the ECS Anywhere hosts add up to 200000")
        );
    }

    #[test]
    fn tasks_are_bounded_over_services_and_bursts() {
        let p = problems(
            r#""run_tasks": [{ "name": "a", "task_definition": "web", "count": 150000 },
                             { "name": "b", "task_definition": "web", "count": 60000 }]"#,
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("add up to 210003 tasks; at most 200000"), "{p:?}");
    }

    #[test]
    fn tasks_count_each_service_at_its_largest() {
        let services: Vec<String> = (0..3)
            .map(|i| {
                format!(
                    r#"{{ "name": "s{i}", "task_definition": "web", "desired_count": 1,
                        "autoscaling": {{ "min_capacity": 1, "max_capacity": 5000 }} }}"#
                )
            })
            .collect();
        let events: Vec<String> = (0..40)
            .map(|i| format!(r#"{{ "type": "scale", "at_s": {i}, "service": "web", "desired_count": 5000 }}"#))
            .collect();
        let mut spec = spec(&format!(r#""events": [{}]"#, events.join(",")));
        let extra = crate::scenario::parse_spec(&format!(
            r#"{{ "version": 1, "name": "x", "task_definitions": [], "services": [{}] }}"#,
            services.join(",")
        ))
        .unwrap();
        spec.services.extend(extra.services);
        let mut v = Validator::default();
        v.totals(&spec);
        let p: Vec<String> = v.errors.iter().map(ToString::to_string).collect();
        // web at 5,000 (a scale event) and three services at their maximum of 5,000: 20,000, inside the limit.
        assert!(p.is_empty(), "{p:?}");
        for s in &mut spec.services[1..] {
            s.autoscaling.as_mut().unwrap().max_capacity = 70_000;
        }
        let mut v = Validator::default();
        v.totals(&spec);
        assert!(v.errors[0].to_string().contains("add up to 215000 tasks"), "{:?}", v.errors);
    }

    #[test]
    fn noise_factors_are_bounded_over_every_service() {
        let services: Vec<String> = (0..20)
            .map(|i| {
                format!(
                    r#"{{ "name": "s{i}", "task_definition": "web", "desired_count": 1, "demand": {{
                        "profile": [{{ "type": "noise", "relative": 0.1, "interval_s": 1 }}], "requests_per_task": 10 }} }}"#
                )
            })
            .collect();
        let spec = crate::scenario::parse_spec(&format!(
            r#"{{ "version": 1, "name": "x", "horizon_s": 86400,
                "task_definitions": [{{ "name": "web", "cpu": 256, "memory": 512 }}], "services": [{}] }}"#,
            services.join(",")
        ))
        .unwrap();
        let mut v = Validator::default();
        v.totals(&spec);
        assert_eq!(v.errors.len(), 1, "{:?}", v.errors);
        assert!(v.errors[0].to_string().contains("noise draws 1728000 factors"), "{:?}", v.errors);
    }

    #[test]
    fn long_names_are_refused() {
        let long = "x".repeat(256);
        let p = problems(&format!(r#""run_tasks": [{{ "name": "{long}", "task_definition": "web", "count": 1 }}]"#));
        assert_eq!(p, ["run_tasks[0].name: at most 255 characters (ECS's limit for names), got 256"]);
    }
}
