//! Series split by service and by capacity provider (issue 13, "charts that show what presets are about"): which
//! services and providers get a line of their own, and the values sampled for each, beside the totals of
//! [`crate::output::TimeSeries`].
//!
//! Memory is bounded whatever the scenario: at most [`MAX_GROUPS`] groups per split — the
//! `MAX_GROUPS - 1` largest services by desired count (ties: file order), shown in file order, then one "other"
//! group holding every other service and the RunTask workloads' tasks — and for providers the first
//! `MAX_GROUPS - 1` in the order Fargate, Fargate Spot, then the file's groups, then "other". With at most 20,000
//! samples a run (`Simulation::new` picks the interval), a split holds at most 8 groups x 6 columns x 20,000 values
//! of 4 bytes: 3.8 MB per split at the very worst, typically a few hundred KB. Values are `f32`: counts up to 16
//! million are exact, costs keep 7 significant digits, enough for a chart.

use crate::listed::listed;
use crate::scenario::{Provider, Scenario};

/// Groups per split, "other" included.
pub const MAX_GROUPS: usize = 8;

listed! {
    /// What a split is by.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub enum SplitBy {
        Service => "service",
        Provider => "provider",
    }
    name
}

listed! {
    /// The values sampled per group. Each applies to one or both splits ([`SplitColumn::applies`]).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub enum SplitColumn {
        /// Tasks in the RUNNING state.
        Running,
        /// The services' desired counts (services only).
        Desired,
        /// Tasks launched per second over the preceding sample interval.
        Launches,
        /// Tasks in PROVISIONING: waiting for EC2 capacity or a Fargate Spot grant, or just launched.
        Provisioning,
        /// The service's deployment launch-rate bucket (tokens); services only, and only for a group of one service.
        Bucket,
        /// Accumulated cost (USD): a service's Fargate tasks, public IPv4 and load balancer; a provider's instances, or
        /// for Fargate and Fargate Spot their tasks' vCPU and memory.
        Cost,
    }
}

impl SplitColumn {
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether the column means something per group of this split.
    pub fn applies(self, by: SplitBy) -> bool {
        by == SplitBy::Service || !matches!(self, SplitColumn::Desired | SplitColumn::Bucket)
    }
}

/// One group's values: one vector per [`SplitColumn`] (empty when it does not apply), one value per sample.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SplitGroup {
    /// The service's or provider's name, or "other".
    pub name: String,
    /// The service (index in the scenario) when the group is one service.
    pub service: Option<usize>,
    /// NaN where the column has no value for the group (a bucket for "other"): `null` in JSON, which has no NaN.
    #[serde(with = "nan_as_null")]
    pub values: Vec<Vec<f32>>,
    /// For a group of one service, its dip so far (the summary's `dip`): the lowest running count after its first
    /// rollout while below the desired count, and when (seconds).
    pub dip: Option<(u32, f64)>,
}

impl SplitGroup {
    pub fn column(&self, column: SplitColumn) -> &[f32] {
        self.values.get(column.index()).map_or(&[], Vec::as_slice)
    }
}

/// Both splits of a run's series.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct SplitSeries {
    pub services: Vec<SplitGroup>,
    pub providers: Vec<SplitGroup>,
}

impl SplitSeries {
    pub fn groups(&self, by: SplitBy) -> &[SplitGroup] {
        match by {
            SplitBy::Service => &self.services,
            SplitBy::Provider => &self.providers,
        }
    }
}

/// The name of the group that holds what has no group of its own.
pub const OTHER: &str = "other";

/// Which group each service and provider falls in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SplitPlan {
    /// Per service (scenario order): its group.
    pub service_group: Vec<u8>,
    /// The group of tasks no service owns (RunTask workloads, scheduled tasks), and of services without their own.
    pub service_other: Option<u8>,
    pub service_names: Vec<(String, Option<usize>)>,
    /// Per provider slot ([`provider_slot`]): its group.
    pub provider_group: Vec<u8>,
    pub provider_names: Vec<String>,
}

/// A provider's position in per-provider tables: Fargate 0, Fargate Spot 1, the file's groups from 2.
pub fn provider_slot(provider: Provider) -> usize {
    match provider {
        Provider::Fargate => 0,
        Provider::FargateSpot => 1,
        Provider::Asg(i) => 2 + usize::from(i),
    }
}

impl SplitPlan {
    pub fn new(scenario: &Scenario) -> SplitPlan {
        let n = scenario.services.len();
        let own = MAX_GROUPS - 1;
        // The largest services by desired count (ties: file order) get groups of their own, in file order.
        let mut by_size: Vec<usize> = (0..n).collect();
        crate::sort::sort_by(&mut by_size, |&a, &b| {
            scenario.services[b].desired.cmp(&scenario.services[a].desired).then(a.cmp(&b))
        });
        let mut chosen: Vec<usize> = by_size.into_iter().take(own).collect();
        chosen.sort_unstable();
        let needs_other = n > own || !scenario.run_tasks.is_empty();
        let other = u8::try_from(chosen.len()).unwrap_or(u8::MAX);
        let mut service_group = vec![other; n];
        let mut service_names = Vec::with_capacity(chosen.len() + 1);
        for (g, &s) in chosen.iter().enumerate() {
            service_group[s] = u8::try_from(g).unwrap_or(u8::MAX);
            service_names.push((scenario.services[s].name.clone(), Some(s)));
        }
        if needs_other {
            service_names.push((OTHER.to_string(), None));
        }
        // Fargate and Fargate Spot when a service or RunTask workload uses them, and every group of the file (an
        // instance group no strategy names is still billed), in slot order.
        let slots = 2 + scenario.providers.len();
        let mut used = vec![true; slots];
        used[0] = false;
        used[1] = false;
        let strategies =
            scenario.services.iter().map(|s| &s.strategy).chain(scenario.run_tasks.iter().map(|w| &w.strategy));
        for strategy in strategies {
            for item in &strategy.items {
                used[provider_slot(item.provider)] = true;
            }
        }
        let mut provider_group = vec![0u8; slots];
        let mut provider_names = Vec::new();
        let used_slots: Vec<usize> = (0..slots).filter(|&i| used[i]).collect();
        let other_provider = u8::try_from(own.min(used_slots.len())).unwrap_or(u8::MAX);
        for (g, &slot) in used_slots.iter().enumerate() {
            if g < own {
                provider_group[slot] = u8::try_from(g).unwrap_or(u8::MAX);
                let provider = match slot {
                    0 => Provider::Fargate,
                    1 => Provider::FargateSpot,
                    i => Provider::Asg(crate::narrow::u16_of(i - 2)),
                };
                provider_names.push(scenario.provider_name(provider).to_string());
            } else {
                provider_group[slot] = other_provider;
            }
        }
        // Fargate or Fargate Spot when no strategy names them: no tasks, no cost; their group index is past the
        // groups (ignored), unless there is an "other" group.
        for slot in 0..2 {
            if !used[slot] {
                provider_group[slot] = other_provider;
            }
        }
        if used_slots.len() > own {
            provider_names.push(OTHER.to_string());
        }
        SplitPlan {
            service_group,
            service_other: needs_other.then_some(other),
            service_names,
            provider_group,
            provider_names,
        }
    }

    /// Empty series for the plan's groups.
    pub fn series(&self) -> SplitSeries {
        let group = |name: &str, service: Option<usize>| SplitGroup {
            name: name.to_string(),
            service,
            values: vec![Vec::new(); SplitColumn::COUNT],
            dip: None,
        };
        SplitSeries {
            services: self.service_names.iter().map(|(name, service)| group(name, *service)).collect(),
            providers: self.provider_names.iter().map(|name| group(name, None)).collect(),
        }
    }
}

/// The split values in JSON (the page's run-ahead worker sends them): NaN, which JSON cannot write, as `null`.
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(values: &[Vec<f32>], serializer: S) -> Result<S::Ok, S::Error> {
        let nullable: Vec<Vec<Option<f32>>> =
            values.iter().map(|column| column.iter().map(|v| (!v.is_nan()).then_some(*v)).collect()).collect();
        nullable.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Vec<f32>>, D::Error> {
        let nullable = Vec::<Vec<Option<f32>>>::deserialize(deserializer)?;
        Ok(nullable.into_iter().map(|column| column.into_iter().map(|v| v.unwrap_or(f32::NAN)).collect()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nine Fargate services of desired counts 1..=9 (one on Fargate Spot) and a RunTask workload, with one
    /// instance group no strategy names.
    fn scenario() -> Scenario {
        let services: Vec<String> = (1..=9)
            .map(|i| {
                let provider = if i == 2 { "FARGATE_SPOT" } else { "FARGATE" };
                format!(
                    r#"{{ "name": "s{i}", "task_definition": "web", "desired_count": {i},
                         "capacity_provider_strategy": [{{ "capacity_provider": "{provider}", "weight": 1 }}] }}"#
                )
            })
            .collect();
        let json = format!(
            r#"{{ "version": 1, "name": "unit", "horizon_s": 600,
                 "capacity_providers": [{{ "name": "warm", "instance_types": ["m5.large"], "max_size": 1 }}],
                 "task_definitions": [{{ "name": "web", "cpu": 256, "memory": 512, "image_mb": 50 }}],
                 "services": [{}],
                 "run_tasks": [{{ "name": "job", "task_definition": "web", "count": 2 }}] }}"#,
            services.join(",")
        );
        Scenario::from_json(&json).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The seven largest services get a group each, in file order; the two smallest and the RunTask tasks share
    /// "other"; providers: Fargate, Fargate Spot, then the file's group (named by no strategy, still billed).
    #[test]
    fn the_largest_services_get_groups_and_the_rest_is_other() {
        let plan = SplitPlan::new(&scenario());
        let names: Vec<&str> = plan.service_names.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["s3", "s4", "s5", "s6", "s7", "s8", "s9", OTHER]);
        assert_eq!(plan.service_group, [7, 7, 0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(plan.service_other, Some(7));
        assert_eq!(plan.service_names[0].1, Some(2));
        assert_eq!(plan.provider_names, ["FARGATE", "FARGATE_SPOT", "warm"]);
        assert_eq!(plan.provider_group, [0, 1, 2]);
        let series = plan.series();
        assert_eq!((series.services.len(), series.providers.len()), (8, 3));
        assert!(series.services.iter().all(|g| g.values.len() == SplitColumn::COUNT));
    }

    /// At most `MAX_GROUPS` groups whatever the number of services; ties keep file order; with no RunTask and few
    /// services there is no "other", and a provider no strategy names is left out.
    #[test]
    fn groups_are_bounded_and_ties_keep_file_order() {
        let services: Vec<String> =
            (0..40).map(|i| format!(r#"{{ "name": "s{i}", "task_definition": "web", "desired_count": 5 }}"#)).collect();
        let json = format!(
            r#"{{ "version": 1, "name": "unit", "horizon_s": 600,
                 "task_definitions": [{{ "name": "web", "cpu": 256, "memory": 512, "image_mb": 50 }}],
                 "services": [{}] }}"#,
            services.join(",")
        );
        let plan = SplitPlan::new(&Scenario::from_json(&json).unwrap());
        assert_eq!(plan.service_names.len(), MAX_GROUPS);
        assert_eq!(plan.service_names[0].0, "s0");
        assert_eq!(plan.service_names[6].0, "s6");
        assert_eq!(plan.service_group[39], 7);
        assert_eq!(plan.provider_names, ["FARGATE"]);

        let two = r#"{ "version": 1, "name": "unit", "horizon_s": 600,
            "task_definitions": [{ "name": "web", "cpu": 256, "memory": 512, "image_mb": 50 }],
            "services": [{ "name": "a", "task_definition": "web", "desired_count": 1 },
                         { "name": "b", "task_definition": "web", "desired_count": 2 }] }"#;
        let plan = SplitPlan::new(&Scenario::from_json(two).unwrap());
        assert_eq!(plan.service_other, None);
        assert_eq!(plan.service_names.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        // Fargate Spot is in no strategy: its slot points past the groups, so nothing is sampled for it.
        assert!(usize::from(plan.provider_group[1]) >= plan.provider_names.len());
    }

    #[test]
    fn desired_and_bucket_are_per_service_only() {
        assert!(SplitColumn::ALL.iter().all(|c| c.applies(SplitBy::Service)));
        let provider: Vec<SplitColumn> =
            SplitColumn::ALL.into_iter().filter(|c| !c.applies(SplitBy::Provider)).collect();
        assert_eq!(provider, [SplitColumn::Desired, SplitColumn::Bucket]);
    }
}
