//! The capacity part of a scenario: Auto Scaling group providers, ECS Anywhere groups, capacity provider strategies
//! and placement.

use std::collections::BTreeSet;

use crate::defaults as d;
use crate::instance_types::{self, InstanceType};
use crate::narrow;
use crate::query;
use crate::spec::{
    AllocationStrategy, CapacityProviderSpec, ExternalGroupSpec, InterruptionFrequency, LaunchType, ManagedScalingSpec,
    PlacementConstraintSpec, PlacementStrategySpec, Purchase, StrategyItemSpec,
};

use super::super::{AsgProvider, ManagedScaling, Placement, Provider, Strategy, StrategyItem};
use super::Validator;

impl Validator {
    pub(super) fn providers(&mut self, specs: &[CapacityProviderSpec]) -> Vec<AsgProvider> {
        let mut names = BTreeSet::new();
        specs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let field = |name: &str| format!("capacity_providers[{i}].{name}");
                if p.name.trim().is_empty() {
                    self.err(field("name"), "must not be empty");
                } else if p.name == "FARGATE" || p.name == "FARGATE_SPOT" {
                    self.err(
                        field("name"),
                        format!(
                            "`{}` is reserved for Fargate; name the Auto Scaling group provider differently",
                            p.name
                        ),
                    );
                } else if !names.insert(p.name.as_str()) {
                    self.err(field("name"), format!("capacity provider `{}` is defined twice", p.name));
                }
                let instance_types = self.instance_types(&field("instance_types"), &p.instance_types);
                self.group_sizes(&format!("capacity_providers[{i}]"), p);
                let interruptions_per_instance_hour =
                    self.spot_interruptions(&format!("capacity_providers[{i}]"), p, &instance_types);
                let managed_scaling =
                    p.managed_scaling.as_ref().map(|m| self.managed_scaling(&field("managed_scaling"), m));
                // ECS API reference, AutoScalingGroupProvider: "When using managed termination protection, managed
                // scaling must also be used otherwise managed termination protection doesn't work." The file is
                // refused rather than run with a setting that would silently do nothing.
                if p.managed_termination_protection && p.managed_scaling.is_none() {
                    self.err(
                        field("managed_termination_protection"),
                        "managed termination protection needs managed scaling: add \"managed_scaling\": {} or turn it off",
                    );
                }
                let insufficient_capacity = p
                    .insufficient_capacity
                    .iter()
                    .enumerate()
                    .filter_map(|(j, pool)| {
                        let at = format!("capacity_providers[{i}].insufficient_capacity[{j}]");
                        self.pool(&at, &pool.instance_type, &pool.zone, &instance_types, &p.availability_zones)
                    })
                    .collect();
                if p.cpu_credits.is_some() && !instance_types.iter().any(|t| t.is_burstable()) {
                    self.err(
                        field("cpu_credits"),
                        "applies to burstable (T family) instance types, and the group has none",
                    );
                }
                let cpu_credits = p.cpu_credits;
                AsgProvider {
                    name: p.name.clone(),
                    instance_types,
                    purchase: p.purchase,
                    allocation_strategy: p.allocation_strategy,
                    zones: p.availability_zones.clone(),
                    min_size: p.min_size,
                    max_size: p.max_size.max(1),
                    initial: p.desired_capacity.min(p.max_size),
                    managed_scaling,
                    managed_termination_protection: p.managed_termination_protection,
                    eni_trunking: p.eni_trunking,
                    images_cached: p.images_cached,
                    spot_draining: p.spot_draining,
                    capacity_rebalance: p.capacity_rebalance,
                    managed_draining: p.managed_draining,
                    interruptions_per_instance_hour,
                    rebalance_lead_ms: self.seconds(
                        &field("rebalance_recommendation_lead_s"),
                        p.rebalance_recommendation_lead_s,
                        0.0,
                        3600.0,
                    ),
                    external: false,
                    insufficient_capacity,
                    managed_instances: None,
                    cpu_credits,
                }
            })
            .collect()
    }

    /// One pool of a group, as (index in its instance types, index in its zones); `None` (and a field error on
    /// `{field}.instance_type` / `{field}.zone`) when the type or the zone is not the group's.
    pub(super) fn pool(
        &mut self,
        field: &str,
        instance_type: &str,
        zone: &str,
        types: &[InstanceType],
        zones: &[String],
    ) -> Option<(u16, u16)> {
        let t = types.iter().position(|t| t.name == instance_type);
        if t.is_none() {
            let names: Vec<&str> = types.iter().map(|t| t.name).collect();
            self.err(
                format!("{field}.instance_type"),
                format!("`{instance_type}` is not one of the group's instance types ({})", names.join(", ")),
            );
        }
        let z = zones.iter().position(|z| z == zone);
        if z.is_none() {
            self.err(
                format!("{field}.zone"),
                format!("`{zone}` is not one of the group's Availability Zones ({})", zones.join(", ")),
            );
        }
        Some((narrow::u16_of(t?), narrow::u16_of(z?)))
    }

    /// The group's instance types, looked up in the catalogue; unknown names are reported and left out.
    fn instance_types(&mut self, field: &str, names: &[String]) -> Vec<InstanceType> {
        if names.is_empty() {
            self.err(field, "list at least one instance type, e.g. [\"m5.large\"]");
        }
        names
            .iter()
            .enumerate()
            .filter_map(|(j, name)| {
                let found = instance_types::get(name);
                if found.is_none() {
                    self.err(format!("{field}[{j}]"), instance_types::unknown_message(name));
                }
                found.copied()
            })
            .collect()
    }

    /// Zones and the group's minimum, maximum and desired sizes.
    fn group_sizes(&mut self, field: &str, p: &CapacityProviderSpec) {
        let zones: BTreeSet<&str> = p.availability_zones.iter().map(String::as_str).collect();
        if p.availability_zones.is_empty() || zones.len() != p.availability_zones.len() {
            self.err(format!("{field}.availability_zones"), "list one or more distinct Availability Zones");
        }
        if p.max_size == 0 || p.max_size > 10_000 {
            self.err(format!("{field}.max_size"), format!("must be between 1 and 10000, got {}", p.max_size));
        }
        if p.min_size > p.max_size {
            self.err(format!("{field}.min_size"), format!("{} is above max_size {}", p.min_size, p.max_size));
        }
        if p.desired_capacity < p.min_size || p.desired_capacity > p.max_size {
            self.err(
                format!("{field}.desired_capacity"),
                format!(
                    "must be between min_size {} and max_size {}, got {}",
                    p.min_size, p.max_size, p.desired_capacity
                ),
            );
        }
    }

    /// The purchase option's settings agree with it, and the random interruption rate of each instance type
    /// (interruptions per instance per hour, indexed like `instance_types`; zero for On-Demand groups).
    fn spot_interruptions(
        &mut self,
        field: &str,
        p: &CapacityProviderSpec,
        instance_types: &[InstanceType],
    ) -> Vec<f64> {
        let spot_strategy = !matches!(p.allocation_strategy, AllocationStrategy::Prioritized);
        if spot_strategy != (p.purchase == Purchase::Spot) {
            self.err(
                format!("{field}.allocation_strategy"),
                "On-Demand groups use `prioritized`; Spot groups use `lowest-price`, `capacity-optimized` or `price-capacity-optimized`",
            );
        }
        if p.purchase == Purchase::OnDemand
            && (p.spot_draining
                || p.capacity_rebalance
                || p.interruption_frequency.is_some()
                || !p.interruption_frequency_by_type.is_empty()
                || p.rebalance_recommendation_lead_s != 0.0)
        {
            self.err(
                format!("{field}.purchase"),
                "spot_draining, capacity_rebalance and interruption frequencies apply to Spot groups: set purchase to spot",
            );
        }
        for name in p.interruption_frequency_by_type.keys() {
            if !p.instance_types.contains(name) {
                self.err(
                    format!("{field}.interruption_frequency_by_type.{name}"),
                    format!("{name} is not one of this group's instance_types ({})", p.instance_types.join(", ")),
                );
            }
        }
        let per_hour = |f: InterruptionFrequency| f.monthly_fraction() / d::HOURS_PER_MONTH;
        instance_types
            .iter()
            .map(|t| {
                p.interruption_frequency_by_type.get(t.name).copied().or(p.interruption_frequency).map_or(0.0, per_hour)
            })
            .collect()
    }

    fn managed_scaling(&mut self, field: &str, m: &ManagedScalingSpec) -> ManagedScaling {
        if !(1..=100).contains(&m.target_capacity) {
            self.err(
                format!("{field}.target_capacity"),
                format!("must be between 1 and 100, got {}", m.target_capacity),
            );
        }
        if !(1..=10_000).contains(&m.minimum_scaling_step_size) {
            self.err(format!("{field}.minimum_scaling_step_size"), "must be between 1 and 10000");
        }
        if m.maximum_scaling_step_size < m.minimum_scaling_step_size || m.maximum_scaling_step_size > 10_000 {
            self.err(
                format!("{field}.maximum_scaling_step_size"),
                "must be at least minimum_scaling_step_size and at most 10000",
            );
        }
        ManagedScaling {
            target_capacity: m.target_capacity.clamp(1, 100),
            minimum_step: m.minimum_scaling_step_size.max(1),
            maximum_step: m.maximum_scaling_step_size.max(m.minimum_scaling_step_size).max(1),
            warmup_ms: self.seconds(
                &format!("{field}.instance_warmup_period_s"),
                m.instance_warmup_period_s,
                0.0,
                10_000.0,
            ),
        }
    }

    /// ECS Anywhere groups become fixed-size groups of one synthetic host type, with no capacity provider.
    pub(super) fn external_groups(&mut self, specs: &[ExternalGroupSpec], asg: &[AsgProvider]) -> Vec<AsgProvider> {
        specs
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let field = |name: &str| format!("external_instances[{i}].{name}");
                if g.name.trim().is_empty() {
                    self.err(field("name"), "must not be empty");
                } else if asg.iter().any(|p| p.name == g.name) || specs[..i].iter().any(|o| o.name == g.name) {
                    self.err(field("name"), format!("`{}` is already the name of another group", g.name));
                }
                if g.count == 0 || g.count > 10_000 {
                    self.err(field("count"), format!("must be between 1 and 10000, got {}", g.count));
                }
                if g.vcpus == 0 || g.vcpus > 512 {
                    self.err(field("vcpus"), format!("must be between 1 and 512, got {}", g.vcpus));
                }
                if g.memory_mib < 512 || g.memory_mib > 4 * 1024 * 1024 {
                    self.err(field("memory_mib"), format!("must be between 512 and 4194304, got {}", g.memory_mib));
                }
                let host = InstanceType {
                    name: "external",
                    vcpu: g.vcpus.clamp(1, 512),
                    memory_mib: g.memory_mib.max(512),
                    // No awsvpc on ECS Anywhere: the primary interface only.
                    max_enis: 1,
                    trunk_tasks: None,
                    on_demand_hour_usd: 0.0,
                    architecture: g.architecture,
                    burstable_baseline_percent: None,
                    cpu_credits_per_hour: None,
                };
                let count = g.count.clamp(1, 10_000);
                AsgProvider {
                    name: g.name.clone(),
                    instance_types: vec![host],
                    purchase: Purchase::OnDemand,
                    allocation_strategy: AllocationStrategy::Prioritized,
                    zones: vec![g.location.clone()],
                    min_size: count,
                    max_size: count,
                    initial: count,
                    managed_scaling: None,
                    managed_termination_protection: false,
                    eni_trunking: false,
                    images_cached: false,
                    spot_draining: false,
                    capacity_rebalance: false,
                    managed_draining: false,
                    interruptions_per_instance_hour: vec![0.0],
                    rebalance_lead_ms: 0,
                    external: true,
                    insufficient_capacity: Vec::new(),
                    managed_instances: None,
                    cpu_credits: None,
                }
            })
            .collect()
    }

    pub(super) fn strategy(
        &mut self,
        field: &str,
        launch_type: Option<LaunchType>,
        items: &[StrategyItemSpec],
        providers: &[AsgProvider],
    ) -> Strategy {
        let fargate_only = Strategy { items: vec![StrategyItem { provider: Provider::Fargate, base: 0, weight: 1 }] };
        if launch_type.is_some() && !items.is_empty() {
            self.err(field, "set either launch_type or capacity_provider_strategy, not both");
            return fargate_only;
        }
        match launch_type {
            Some(LaunchType::Fargate) | None if items.is_empty() => return fargate_only,
            Some(LaunchType::Ec2) => {
                self.err(
                    format!("{field}.launch_type"),
                    "launch_type EC2 (instances without a capacity provider) is not simulated yet; name your Auto Scaling group provider in capacity_provider_strategy",
                );
                return fargate_only;
            }
            Some(LaunchType::External) => {
                let items: Vec<StrategyItem> = providers
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.external)
                    .map(|(i, _)| StrategyItem { provider: Provider::Asg(narrow::u16_of(i)), base: 0, weight: 1 })
                    .collect();
                if items.is_empty() {
                    self.err(format!("{field}.launch_type"), "launch_type EXTERNAL needs external_instances to run on");
                    return fargate_only;
                }
                return Strategy { items };
            }
            _ => {}
        }
        let items_field = format!("{field}.capacity_provider_strategy");
        if items.len() > 6 {
            self.err(&items_field, format!("at most 6 capacity providers, got {}", items.len()));
        }
        let mut resolved = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, item) in items.iter().enumerate() {
            let field = format!("{items_field}[{i}].capacity_provider");
            let Some(provider) = self.strategy_provider(&field, &item.capacity_provider, providers) else { continue };
            if !seen.insert(provider) {
                self.err(field, format!("{} appears twice", item.capacity_provider));
            }
            resolved.push(StrategyItem { provider, base: item.base, weight: item.weight });
        }
        if resolved.iter().any(|i| i.provider.is_fargate()) && resolved.iter().any(|i| !i.provider.is_fargate()) {
            self.err(
                &items_field,
                "a strategy holds only Auto Scaling group providers or only FARGATE / FARGATE_SPOT, not both",
            );
        }
        if items.iter().filter(|item| item.base > 0).count() > 1 {
            self.err(&items_field, "only one capacity provider in a strategy may set a base");
        }
        if !items.is_empty() && items.iter().all(|item| item.weight == 0) {
            self.err(&items_field, "at least one capacity provider needs a weight above 0");
        }
        if resolved.is_empty() {
            return fargate_only;
        }
        Strategy { items: resolved }
    }

    /// A provider named in a strategy: FARGATE, FARGATE_SPOT or an Auto Scaling group provider. ECS Anywhere
    /// groups have no capacity provider, so naming one is an error.
    fn strategy_provider(&mut self, field: &str, name: &str, providers: &[AsgProvider]) -> Option<Provider> {
        match name {
            "FARGATE" => Some(Provider::Fargate),
            "FARGATE_SPOT" => Some(Provider::FargateSpot),
            other => match providers.iter().position(|p| p.name == other) {
                Some(index) if providers[index].external => {
                    self.err(
                        field,
                        format!("`{other}` is a group of ECS Anywhere hosts, which has no capacity provider; use launch_type EXTERNAL"),
                    );
                    None
                }
                Some(index) => Some(Provider::Asg(narrow::u16_of(index))),
                None => {
                    let mut known = vec!["FARGATE", "FARGATE_SPOT"];
                    known.extend(providers.iter().map(|p| p.name.as_str()));
                    self.err(field, format!("unknown capacity provider `{other}`; defined: {}", known.join(", ")));
                    None
                }
            },
        }
    }

    /// Placement strategies and constraints; only EC2 capacity has instances to place on.
    pub(super) fn placement(
        &mut self,
        field: &str,
        strategies: &[PlacementStrategySpec],
        constraints: &[PlacementConstraintSpec],
        strategy: &Strategy,
        default: &[PlacementStrategySpec],
    ) -> Placement {
        let fargate = strategy.items.iter().any(|i| i.provider.is_fargate());
        if fargate && (!strategies.is_empty() || !constraints.is_empty()) {
            self.err(
                format!("{field}.placement_strategy"),
                "Fargate does not support placement strategies or constraints (they apply to EC2 and EXTERNAL capacity)",
            );
        }
        if strategies.len() > 5 {
            self.err(format!("{field}.placement_strategy"), "at most 5 placement strategies");
        }
        for (j, s) in strategies.iter().enumerate() {
            if let PlacementStrategySpec::Spread { field: spread } = s {
                if spread != "instanceId" && !spread.starts_with("attribute:") {
                    self.err(
                        format!("{field}.placement_strategy[{j}].field"),
                        format!("spread by `instanceId` or `attribute:<name>` (e.g. attribute:ecs.availability-zone), got `{spread}`"),
                    );
                }
            }
        }
        if constraints.len() > 10 {
            self.err(format!("{field}.placement_constraints"), "at most 10 placement constraints");
        }
        let mut distinct_instance = false;
        let mut member_of = Vec::new();
        for (j, c) in constraints.iter().enumerate() {
            match c {
                PlacementConstraintSpec::DistinctInstance => distinct_instance = true,
                PlacementConstraintSpec::MemberOf { expression } => match query::parse(expression) {
                    Ok(parsed) => member_of.push(parsed),
                    Err(e) => self.err(format!("{field}.placement_constraints[{j}].expression"), e.to_string()),
                },
            }
        }
        // The defaults: services spread over Availability Zones, then instances (ECS's "AZ balanced spread");
        // RunTask places at random.
        let strategies = if strategies.is_empty() { default.to_vec() } else { strategies.to_vec() };
        Placement { strategies, distinct_instance, member_of }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{problems, spec};
    use super::*;

    const GROUPS: &str = r#""capacity_providers": [{ "name": "asg", "instance_types": ["m5.large"], "max_size": 4 }],
        "external_instances": [{ "name": "edge", "count": 2, "vcpus": 4, "memory_mib": 8192 }]"#;

    fn groups() -> (Validator, Vec<AsgProvider>) {
        let spec = spec(GROUPS);
        let mut v = Validator::default();
        let mut providers = v.providers(&spec.capacity_providers);
        providers.extend(v.external_groups(&spec.external_instances, &providers));
        assert_eq!(problems(&v), Vec::<String>::new());
        (v, providers)
    }

    fn item(name: &str, base: u32, weight: u32) -> StrategyItemSpec {
        StrategyItemSpec { capacity_provider: name.into(), base, weight }
    }

    #[test]
    fn providers_resolve_to_indices_and_external_groups_follow_the_asg_ones() {
        let (mut v, providers) = groups();
        assert_eq!(providers[1].capacity_type(), crate::scenario::CapacityType::External);
        let strategy = v.strategy("s", None, &[item("asg", 0, 1)], &providers);
        assert_eq!(strategy.items, [StrategyItem { provider: Provider::Asg(0), base: 0, weight: 1 }]);
        let external = v.strategy("s", Some(LaunchType::External), &[], &providers);
        assert_eq!(external.items, [StrategyItem { provider: Provider::Asg(1), base: 0, weight: 1 }]);
        assert!(v.errors.is_empty());
    }

    #[test]
    fn a_bad_strategy_names_each_problem_and_falls_back_to_fargate() {
        let (mut v, providers) = groups();
        let strategy = v.strategy("s", None, &[item("edge", 1, 0), item("nope", 1, 0)], &providers);
        assert_eq!(strategy.items[0].provider, Provider::Fargate);
        assert_eq!(
            problems(&v),
            [
                "s.capacity_provider_strategy[0].capacity_provider: `edge` is a group of ECS Anywhere hosts, which has \
                 no capacity provider; use launch_type EXTERNAL",
                "s.capacity_provider_strategy[1].capacity_provider: unknown capacity provider `nope`; defined: \
                 FARGATE, FARGATE_SPOT, asg, edge",
                "s.capacity_provider_strategy: only one capacity provider in a strategy may set a base",
                "s.capacity_provider_strategy: at least one capacity provider needs a weight above 0",
            ]
        );
    }

    #[test]
    fn fargate_and_groups_do_not_mix() {
        let (mut v, providers) = groups();
        v.strategy("s", None, &[item("FARGATE", 0, 1), item("asg", 0, 1)], &providers);
        assert_eq!(
            problems(&v),
            ["s.capacity_provider_strategy: a strategy holds only Auto Scaling group providers or only FARGATE / \
              FARGATE_SPOT, not both"]
        );
    }

    #[test]
    fn pools_out_of_capacity_must_be_the_groups_own() {
        let spec = spec(
            r#""capacity_providers": [{ "name": "asg", "instance_types": ["m5.large", "c5.large"], "max_size": 4,
                "availability_zones": ["us-east-1a", "us-east-1b"],
                "insufficient_capacity": [{ "instance_type": "c5.large", "zone": "us-east-1b" },
                                          { "instance_type": "r5.large", "zone": "us-east-1c" }] }]"#,
        );
        let mut v = Validator::default();
        let providers = v.providers(&spec.capacity_providers);
        assert_eq!(providers[0].insufficient_capacity, [(1, 1)]);
        assert_eq!(
            problems(&v),
            [
                "capacity_providers[0].insufficient_capacity[1].instance_type: `r5.large` is not one of the group's \
                 instance types (m5.large, c5.large)",
                "capacity_providers[0].insufficient_capacity[1].zone: `us-east-1c` is not one of the group's \
                 Availability Zones (us-east-1a, us-east-1b)",
            ]
        );
    }

    #[test]
    fn spot_rates_follow_the_advisor_bucket_per_type() {
        let spec = spec(
            r#""capacity_providers": [{ "name": "spot", "instance_types": ["m5.large", "c5.large"], "max_size": 4,
                "purchase": "spot", "allocation_strategy": "capacity-optimized", "interruption_frequency": ">20%",
                "interruption_frequency_by_type": { "c5.large": "<5%" } }]"#,
        );
        let mut v = Validator::default();
        let providers = v.providers(&spec.capacity_providers);
        assert!(v.errors.is_empty());
        assert_eq!(providers[0].interruptions_per_instance_hour, [0.25 / 730.0, 0.025 / 730.0]);
    }
}
