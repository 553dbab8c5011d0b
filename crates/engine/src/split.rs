//! Series split by service and by capacity provider (issue 13, "charts that show what presets are about"): which
//! services and providers get a line of their own, and the values sampled for each, beside the totals of
//! [`crate::output::TimeSeries`].
//!
//! Memory is bounded whatever the scenario: at most [`MAX_GROUPS`] groups per split — the
//! `MAX_GROUPS - 1` largest services by desired count (ties: file order), shown in file order, then one "other"
//! group holding every other service and the RunTask workloads' tasks — and for providers the first
//! `MAX_GROUPS - 1` in the order Fargate, Fargate Spot, then the file's groups, then "other". With at most 20,000
//! samples a run (`Simulation::new` picks the interval), a split holds at most 8 groups x 7 columns x 20,000 values
//! of 4 bytes: 4.5 MB per split at the very worst, typically a few hundred KB. Values are `f32`: counts up to 16
//! million are exact, costs keep 7 significant digits, enough for a chart.

use crate::scenario::{Provider, Scenario};

/// Groups per split, "other" included.
pub const MAX_GROUPS: usize = 8;

/// What a split is by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SplitBy {
    Service,
    Provider,
}

impl SplitBy {
    pub const ALL: [SplitBy; 2] = [SplitBy::Service, SplitBy::Provider];

    pub fn name(self) -> &'static str {
        match self {
            SplitBy::Service => "service",
            SplitBy::Provider => "provider",
        }
    }
}

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
    /// Tasks in PENDING or ACTIVATING.
    Pending,
    /// The service's deployment launch-rate bucket (tokens); services only, and only for a group of one service.
    Bucket,
    /// Accumulated cost (USD): a service's Fargate tasks, public IPv4 and load balancer; a provider's instances, or
    /// for Fargate and Fargate Spot their tasks' vCPU and memory.
    Cost,
}

impl SplitColumn {
    pub const COUNT: usize = 7;
    pub const ALL: [SplitColumn; SplitColumn::COUNT] = [
        SplitColumn::Running,
        SplitColumn::Desired,
        SplitColumn::Launches,
        SplitColumn::Provisioning,
        SplitColumn::Pending,
        SplitColumn::Bucket,
        SplitColumn::Cost,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether the column means something per group of this split.
    pub fn applies(self, by: SplitBy) -> bool {
        by == SplitBy::Service || !matches!(self, SplitColumn::Desired | SplitColumn::Bucket)
    }
}

/// One group's values: one vector per [`SplitColumn`] (empty when it does not apply), one value per sample.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitGroup {
    /// The service's or provider's name, or "other".
    pub name: String,
    /// The service (index in the scenario) when the group is one service.
    pub service: Option<usize>,
    pub values: Vec<Vec<f32>>,
}

impl SplitGroup {
    pub fn column(&self, column: SplitColumn) -> &[f32] {
        self.values.get(column.index()).map_or(&[], Vec::as_slice)
    }
}

/// Both splits of a run's series.
#[derive(Debug, Clone, PartialEq, Default)]
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
#[derive(Debug, Clone, PartialEq)]
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
        by_size.sort_by(|&a, &b| scenario.services[b].desired.cmp(&scenario.services[a].desired).then(a.cmp(&b)));
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
        };
        SplitSeries {
            services: self.service_names.iter().map(|(name, service)| group(name, *service)).collect(),
            providers: self.provider_names.iter().map(|name| group(name, None)).collect(),
        }
    }
}
