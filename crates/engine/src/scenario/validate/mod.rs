//! The validator: walks a [`ScenarioSpec`] part by part, records every problem with its field path, and builds the
//! [`Scenario`] from the values it checked. Each part of the file has its own module; they share the error list
//! and the range checks below.

mod batch;
mod capacity;
mod commitments;
mod demand;
mod events;
mod lesson;
mod managed_instances;
mod queues;
mod schedules;
mod settings;
pub(crate) use settings::{setting_default, settings_under, spot_capacity_per_s};
mod totals;
mod workloads;

use crate::spec::{ScenarioSpec, FORMAT_VERSION};
use crate::time::{secs_to_ms, SimTime};

use super::{FieldError, Scenario};

/// The largest simulated horizon: one week.
const MAX_HORIZON_S: f64 = 7.0 * 24.0 * 3600.0;
/// Upper bound on tasks per service or RunTask burst (keeps a hostile file from exhausting memory).
const MAX_TASKS: u32 = 200_000;

#[derive(Default)]
pub(super) struct Validator {
    pub(super) errors: Vec<FieldError>,
}

impl Validator {
    fn err(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), message: message.into() });
    }

    fn seconds(&mut self, field: &str, value: f64, min: f64, max: f64) -> u64 {
        if !value.is_finite() || value < min || value > max {
            self.err(field, format!("must be between {min} and {max} seconds, got {value}"));
            return 0;
        }
        secs_to_ms(value)
    }

    fn number(&mut self, field: &str, value: f64, min: f64, max: f64) -> f64 {
        if !value.is_finite() || value < min || value > max {
            self.err(field, format!("must be between {min} and {max}, got {value}"));
            return min.max(0.0);
        }
        value
    }

    /// Checks a service's desired count against the engine's bound and the "Tasks per service" quota
    /// (`docs/model.md` §4.8): ECS refuses a larger desired count ("Amazon ECS service quotas": "If you attempt to
    /// exceed the quota for a resource, the request fails"), so the scenario names the quota.
    fn desired_count(&mut self, field: String, desired: u32, spec: &ScenarioSpec) -> u32 {
        let quota = spec.limits.tasks_per_service.unwrap_or(crate::defaults::TASKS_PER_SERVICE);
        if desired > MAX_TASKS {
            self.err(field, format!("at most {MAX_TASKS}, got {desired}"));
        } else if desired > quota {
            self.err(
                field,
                format!(
                    "{desired} is above the \"Tasks per service\" quota ({quota}; limits.tasks_per_service): ECS \
                     refuses it (\"Desired count exceeds limit\")"
                ),
            );
        }
        desired.min(MAX_TASKS)
    }

    pub(super) fn scenario(&mut self, spec: &ScenarioSpec) -> Scenario {
        if spec.version != FORMAT_VERSION {
            self.err(
                "version",
                format!(
                    "this Fleetplan reads scenario format version {FORMAT_VERSION}, the file says {}",
                    spec.version
                ),
            );
        }
        if spec.name.trim().is_empty() {
            self.err("name", "must not be empty");
        }
        let horizon = SimTime(self.seconds("horizon_s", spec.horizon_s, 1.0, MAX_HORIZON_S));
        let timeline_end = spec.timeline_end_s.map(|s| {
            let max = if spec.horizon_s.is_finite() { spec.horizon_s.clamp(1.0, MAX_HORIZON_S) } else { 1.0 };
            SimTime(self.seconds("timeline_end_s", s, 1.0, max))
        });

        let limits = self.limits(&spec.limits);
        let latencies = self.latencies(&spec.latencies);
        let prices = self.prices(&spec.prices);
        let spot = self.spot(&spec.fargate_spot);
        let batch_only = spec.batch.is_some() && spec.services.is_empty() && spec.run_tasks.is_empty();
        let task_defs = self.task_defs(&spec.task_definitions, batch_only);
        let mut providers = self.providers(&spec.capacity_providers);
        providers.extend(self.external_groups(&spec.external_instances, &providers));
        providers.extend(self.managed_instances_providers(&spec.managed_instances_providers, &providers));
        let services = self.services(spec, &task_defs, &providers);
        let mut run_tasks = self.run_tasks(spec, &task_defs, &providers, horizon);
        let (schedules, firings) = self.scheduled_tasks(spec, &task_defs, &providers, horizon);
        run_tasks.extend(firings);
        let events = self.events(&events::Context {
            spec,
            task_defs: &task_defs,
            services: &services,
            providers: &providers,
            horizon,
        });
        let commitments = self.commitments(&spec.commitments);
        // `start` was checked with the services (its error is reported once).
        let clock = demand::start_clock(spec);
        let queues = self.queues(spec, &clock);
        let batch = spec.batch.as_ref().map(|b| std::sync::Arc::new(self.batch(b, spec, horizon)));
        if services.is_empty() && run_tasks.is_empty() && batch.is_none() {
            self.err(
                "services",
                "the scenario has no services, no run_tasks and no batch: there is nothing to simulate",
            );
        }
        let lesson = self.lesson(spec, horizon);
        Scenario {
            spec: spec.clone(),
            name: spec.name.clone(),
            horizon,
            timeline_end,
            limits,
            latencies,
            prices,
            spot,
            providers,
            task_defs,
            services,
            run_tasks,
            events,
            commitments,
            schedules,
            queues,
            batch,
            lesson,
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::scenario::parse_spec;

    /// A spec from JSON: one Fargate task definition and service, plus whatever `extra` adds at the top level.
    pub(in crate::scenario) fn spec(extra: &str) -> ScenarioSpec {
        let comma = if extra.is_empty() { "" } else { "," };
        parse_spec(&format!(
            r#"{{ "version": 1, "name": "t",
                "task_definitions": [{{ "name": "web", "cpu": 256, "memory": 512 }}],
                "services": [{{ "name": "web", "task_definition": "web", "desired_count": 3 }}]{comma} {extra} }}"#
        ))
        .unwrap()
    }

    /// The problems a validator found, as "field: message".
    pub(in crate::scenario) fn problems(v: &Validator) -> Vec<String> {
        v.errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_minimal_scenario_has_no_problems() {
        let mut v = Validator::default();
        let scenario = v.scenario(&spec(""));
        assert_eq!(problems(&v), Vec::<String>::new());
        assert_eq!(scenario.horizon, SimTime(3_600_000));
        assert_eq!(scenario.timeline_end, None);
        assert_eq!(scenario.services[0].desired, 3);
    }

    #[test]
    fn every_problem_is_listed_not_just_the_first() {
        let mut v = Validator::default();
        v.scenario(&spec(r#""horizon_s": 0, "limits": { "run_task_api": { "burst": 0, "refill_per_s": 1 } }"#));
        assert_eq!(
            problems(&v),
            [
                "horizon_s: must be between 1 and 604800 seconds, got 0",
                "limits.run_task_api.burst: must be between 1 and 1000000, got 0",
            ]
        );
    }

    #[test]
    fn the_timeline_end_is_within_the_horizon() {
        let mut v = Validator::default();
        let scenario = v.scenario(&spec(r#""horizon_s": 600, "timeline_end_s": 300"#));
        assert_eq!((problems(&v).len(), scenario.timeline_end), (0, Some(SimTime(300_000))));
        let mut v = Validator::default();
        v.scenario(&spec(r#""horizon_s": 600, "timeline_end_s": 601"#));
        assert_eq!(problems(&v), ["timeline_end_s: must be between 1 and 600 seconds, got 601"]);
        let mut v = Validator::default();
        v.scenario(&spec(r#""timeline_end_s": 0"#));
        assert_eq!(problems(&v), ["timeline_end_s: must be between 1 and 3600 seconds, got 0"]);
    }
}
