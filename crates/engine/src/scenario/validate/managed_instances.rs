//! Amazon ECS Managed Instances providers (`docs/model.md` §4.9): the instance requirements resolved against the
//! instance-type catalogue, the purchase option, the idle scale-in delay and the management fee.
//!
//! A provider becomes an [`AsgProvider`] whose `instance_types` are the catalogue types its requirements allow and
//! whose `managed_instances` carries what differs from an Auto Scaling group, so the fleet part runs its instances,
//! placement and Spot interruptions as it does for any group.

use std::collections::BTreeSet;

use crate::defaults as d;
use crate::instance_types::{self, InstanceType};
use crate::spec::{
    AllocationStrategy, Architecture, BurstablePerformance, CpuManufacturer, InstanceRequirementsSpec,
    ManagedInstancesProviderSpec, Purchase,
};
use crate::time::secs_to_ms;

use super::super::{AsgProvider, ManagedInstances};
use super::Validator;

/// The most instances a Managed Instances provider may run. AWS documents no per-provider maximum; the cluster's
/// container-instance quota (5,000) applies at registration. This bound only keeps a run finite.
const MAX_INSTANCES: u32 = 10_000;

/// The maker of a catalogue type's CPU, from its family: Graviton (arm64) families are AWS's; the catalogue's x86
/// families (m5, m6i, c5, r5, t3) are Intel (an `a` after the generation, as in m6a, would mean AMD).
pub(crate) fn manufacturer(t: &InstanceType) -> CpuManufacturer {
    if t.architecture == Architecture::Arm64 {
        return CpuManufacturer::AmazonWebServices;
    }
    let family = t.family();
    let generation_end = family.find(|c: char| c.is_ascii_digit()).map(|at| at + 1);
    match generation_end.and_then(|at| family[at..].chars().next()) {
        Some('a') => CpuManufacturer::Amd,
        _ => CpuManufacturer::Intel,
    }
}

/// Whether `name` matches an `allowedInstanceTypes` entry: an exact name or a pattern with `*` wildcards
/// (*InstanceRequirements*, EC2 API Reference: "You can use strings with one or more wild cards, represented by an
/// asterisk (*), to allow an instance type, size, or generation", e.g. `m5.8xlarge`, `c5*.*`, `m5a.*`, `r*`).
pub(crate) fn matches_pattern(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// The catalogue types an instance requirements block allows, in catalogue order. EC2 attribute-based instance
/// type selection: every attribute given must hold (vCPU and memory within their ranges, the type allowed, the
/// maker listed); burstable types only when `burstable_performance` includes them (EC2's default excludes them).
pub(crate) fn eligible_types(req: &InstanceRequirementsSpec) -> Vec<InstanceType> {
    instance_types::all()
        .iter()
        .filter(|t| {
            let in_range = |r: &crate::spec::RangeSpec, v: u32| v >= r.min && r.max.is_none_or(|max| v <= max);
            let burstable_ok = match req.burstable_performance {
                BurstablePerformance::Included => true,
                BurstablePerformance::Excluded => !t.is_burstable(),
                BurstablePerformance::Required => t.is_burstable(),
            };
            in_range(&req.vcpu_count, t.vcpu)
                && in_range(&req.memory_mib, t.memory_mib)
                && (req.allowed_instance_types.is_empty()
                    || req.allowed_instance_types.iter().any(|p| matches_pattern(p, t.name)))
                && (req.cpu_manufacturers.is_empty() || req.cpu_manufacturers.contains(&manufacturer(t)))
                && burstable_ok
        })
        .copied()
        .collect()
}

impl Validator {
    /// Managed Instances providers, as groups. `taken` holds the names already used by other providers.
    pub(super) fn managed_instances_providers(
        &mut self,
        specs: &[ManagedInstancesProviderSpec],
        taken: &[AsgProvider],
    ) -> Vec<AsgProvider> {
        let mut names: BTreeSet<&str> = taken.iter().map(|p| p.name.as_str()).collect();
        specs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let field = |name: &str| format!("managed_instances_providers[{i}].{name}");
                if p.name.trim().is_empty() {
                    self.err(field("name"), "must not be empty");
                } else if p.name == "FARGATE" || p.name == "FARGATE_SPOT" {
                    self.err(field("name"), format!("`{}` is reserved for Fargate", p.name));
                } else if !names.insert(p.name.as_str()) {
                    self.err(field("name"), format!("`{}` is already the name of another provider", p.name));
                }
                let instance_types = self.requirements(&field("instance_requirements"), &p.instance_requirements);
                let zones: BTreeSet<&str> = p.availability_zones.iter().map(String::as_str).collect();
                if p.availability_zones.is_empty() || zones.len() != p.availability_zones.len() {
                    self.err(field("availability_zones"), "list one or more distinct Availability Zones");
                }
                let scale_in_after_ms = match p.scale_in_after_s {
                    None => Some(secs_to_ms(d::MANAGED_INSTANCES_SCALE_IN_AFTER_S)),
                    Some(-1) => None,
                    Some(s @ 0..=3600) => Some(u64::from(s.unsigned_abs()) * 1000),
                    Some(s) => {
                        self.err(
                            field("scale_in_after_s"),
                            format!("must be -1 (no idle scale-in) or between 0 and 3600 seconds, got {s}"),
                        );
                        None
                    }
                };
                let drain_after_days = p.drain_after_days.unwrap_or(d::MANAGED_INSTANCES_DRAIN_AFTER_DAYS);
                let drain_after_days = self.number(&field("drain_after_days"), drain_after_days, 1.0, 21.0);
                let percent = p.management_fee_percent.unwrap_or(d::MANAGED_INSTANCES_FEE_PERCENT);
                let percent = self.number(&field("management_fee_percent"), percent, 0.0, 100.0);
                for (name, &fee) in &p.management_fee_hour_by_type {
                    let at = format!("{}.{name}", field("management_fee_hour_by_type"));
                    if instance_types::get(name).is_none() {
                        self.err(&at, instance_types::unknown_message(name));
                    } else if !instance_types.iter().any(|t| t.name == name) {
                        self.err(&at, format!("{name} is not a type this provider's instance_requirements allow"));
                    }
                    self.number(&at, fee, 0.0, 100.0);
                }
                let fee_hour_usd = instance_types
                    .iter()
                    .map(|t| match p.management_fee_hour_by_type.get(t.name) {
                        Some(&fee) if fee.is_finite() && (0.0..=100.0).contains(&fee) => fee,
                        _ => t.on_demand_hour_usd * percent / 100.0,
                    })
                    .collect();
                let spot = p.capacity_option_type == Purchase::Spot;
                if !spot && p.interruption_frequency.is_some() {
                    self.err(
                        field("interruption_frequency"),
                        "applies to Spot capacity: set capacity_option_type to spot",
                    );
                }
                let per_hour = p.interruption_frequency.map_or(0.0, |f| f.monthly_fraction() / d::HOURS_PER_MONTH);
                AsgProvider {
                    name: p.name.clone(),
                    interruptions_per_instance_hour: vec![per_hour; instance_types.len()],
                    instance_types,
                    purchase: p.capacity_option_type,
                    // The type is chosen per launch by cost (`sim/fleet/managed.rs`), not by an ASG strategy; the
                    // field only orders zones and pools when a launch of a chosen type looks for room.
                    allocation_strategy: if spot {
                        AllocationStrategy::PriceCapacityOptimized
                    } else {
                        AllocationStrategy::Prioritized
                    },
                    zones: p.availability_zones.clone(),
                    min_size: 0,
                    max_size: MAX_INSTANCES,
                    initial: 0,
                    managed_scaling: None,
                    managed_termination_protection: false,
                    // *Allocate a network interface for tasks on Amazon ECS Managed Instances*: "By default, every
                    // Amazon ECS Managed Instances instance has a trunk Elastic Network Interface (ENI) attached
                    // during launch as a primary ENI when the instance type supports trunking."
                    eni_trunking: true,
                    images_cached: false,
                    // An assumption: AWS manages the agent and drains managed instances ("graceful workload
                    // draining"), so a Spot interruption notice drains the instance as ECS Spot draining would.
                    spot_draining: spot,
                    capacity_rebalance: false,
                    // ECS drains the instances it removes (patching: "graceful workload draining").
                    managed_draining: true,
                    rebalance_lead_ms: 0,
                    external: false,
                    insufficient_capacity: Vec::new(),
                    managed_instances: Some(ManagedInstances {
                        scale_in_after_ms,
                        drain_after_ms: secs_to_ms(drain_after_days * 86_400.0),
                        fee_hour_usd,
                    }),
                    cpu_credits: None,
                }
            })
            .collect()
    }

    /// The catalogue types the requirements allow; a field error when the ranges are malformed or nothing fits.
    fn requirements(&mut self, field: &str, req: &InstanceRequirementsSpec) -> Vec<InstanceType> {
        for (name, range, limit) in [("vcpu_count", &req.vcpu_count, 1024), ("memory_mib", &req.memory_mib, 4 << 20)] {
            if range.min > limit {
                self.err(format!("{field}.{name}.min"), format!("must be at most {limit}, got {}", range.min));
            }
            if let Some(max) = range.max {
                if max < range.min {
                    self.err(format!("{field}.{name}.max"), format!("{max} is below min {}", range.min));
                }
            }
        }
        for (j, pattern) in req.allowed_instance_types.iter().enumerate() {
            if pattern.is_empty() || pattern.len() > 30 {
                self.err(format!("{field}.allowed_instance_types[{j}]"), "give a type or a pattern such as `m5.*`");
            } else if !instance_types::all().iter().any(|t| matches_pattern(pattern, t.name)) {
                let families = instance_types::families().join(", ");
                self.err(
                    format!("{field}.allowed_instance_types[{j}]"),
                    format!("`{pattern}` matches no instance type of the catalogue (families: {families})"),
                );
            }
        }
        let types = eligible_types(req);
        if types.is_empty() {
            self.err(
                field,
                "no instance type of the catalogue satisfies these requirements (vCPU and memory ranges, allowed types, CPU makers, burstable performance)",
            );
        }
        types
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::validate::tests::spec;
    use crate::scenario::Scenario;

    fn requirements(json: &str) -> InstanceRequirementsSpec {
        serde_json::from_str(json).expect("requirements JSON")
    }

    fn names(types: &[InstanceType]) -> Vec<&'static str> {
        types.iter().map(|t| t.name).collect()
    }

    #[test]
    fn requirements_filter_the_catalogue_by_ranges_patterns_and_makers() {
        let req =
            requirements(r#"{ "vcpu_count": { "min": 2, "max": 2 }, "memory_mib": { "min": 8192, "max": 8192 } }"#);
        // Burstable t3.large (2 vCPU, 8 GiB) is left out: EC2 excludes burstable types by default.
        assert_eq!(names(&eligible_types(&req)), ["m5.large", "m6i.large", "m6g.large"]);
        let req = requirements(
            r#"{ "vcpu_count": { "min": 2, "max": 4 }, "memory_mib": { "min": 4096 },
                 "allowed_instance_types": ["c*.*"], "cpu_manufacturers": ["amazon-web-services"] }"#,
        );
        assert_eq!(names(&eligible_types(&req)), ["c6g.large", "c6g.xlarge"]);
        let req = requirements(
            r#"{ "vcpu_count": { "min": 2, "max": 2 }, "memory_mib": { "min": 4096, "max": 4096 },
                 "burstable_performance": "required" }"#,
        );
        assert_eq!(names(&eligible_types(&req)), ["t3.medium"]);
    }

    #[test]
    fn wildcards_match_as_ec2_documents_them() {
        assert!(matches_pattern("m5.*", "m5.large"));
        assert!(matches_pattern("c5*.*", "c5.xlarge"));
        assert!(matches_pattern("r*", "r5.large"));
        assert!(matches_pattern("m5.large", "m5.large"));
        assert!(!matches_pattern("m5.*", "m6i.large"));
        assert!(!matches_pattern("m5.large", "m5.xlarge"));
    }

    fn validate(provider: &str) -> Result<Scenario, crate::scenario::ScenarioError> {
        Scenario::from_spec(spec(&format!(r#""managed_instances_providers": [{provider}]"#)))
    }

    fn errors(provider: &str) -> Vec<(String, String)> {
        validate(provider).expect_err("invalid").problems().into_iter().map(|e| (e.field, e.message)).collect()
    }

    #[test]
    fn a_provider_becomes_a_group_of_the_allowed_types_with_its_fee() {
        let scenario = validate(
            r#"{ "name": "mi", "instance_requirements": { "vcpu_count": { "min": 2, "max": 4 }, "memory_mib": { "min": 8192, "max": 16384 },
                 "allowed_instance_types": ["m5.*"] }, "management_fee_hour_by_type": { "m5.large": 0.01 } }"#,
        )
        .expect("valid");
        let p = &scenario.providers[0];
        assert_eq!(names(&p.instance_types), ["m5.large", "m5.xlarge"]);
        let mi = p.managed_instances.as_ref().expect("managed instances");
        // m5.large's fee is set; m5.xlarge's is the default percent of its On-Demand price.
        assert_eq!(mi.fee_hour_usd[0], 0.01);
        assert!((mi.fee_hour_usd[1] - 0.192 * d::MANAGED_INSTANCES_FEE_PERCENT / 100.0).abs() < 1e-12);
        assert_eq!(mi.scale_in_after_ms, Some(300_000));
        assert_eq!(mi.drain_after_ms, 14 * 86_400_000);
        assert!(p.eni_trunking && p.managed_draining && p.managed_scaling.is_none());
    }

    #[test]
    fn requirements_no_type_satisfies_are_refused_on_their_field() {
        let errors = errors(
            r#"{ "name": "mi", "instance_requirements": { "vcpu_count": { "min": 64 }, "memory_mib": { "min": 1024 } } }"#,
        );
        assert!(
            errors.iter().any(|(f, m)| f == "managed_instances_providers[0].instance_requirements"
                && m.contains("no instance type of the catalogue")),
            "{errors:?}"
        );
    }

    #[test]
    fn bad_ranges_patterns_and_settings_name_their_fields() {
        let errors = errors(
            r#"{ "name": "FARGATE", "instance_requirements": { "vcpu_count": { "min": 4, "max": 2 }, "memory_mib": { "min": 1024 },
                 "allowed_instance_types": ["x9.*"] }, "scale_in_after_s": 7200, "interruption_frequency": "<5%" }"#,
        );
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        for expected in [
            "managed_instances_providers[0].name",
            "managed_instances_providers[0].instance_requirements.vcpu_count.max",
            "managed_instances_providers[0].instance_requirements.allowed_instance_types[0]",
            "managed_instances_providers[0].scale_in_after_s",
            "managed_instances_providers[0].interruption_frequency",
        ] {
            assert!(fields.contains(&expected), "{expected} missing in {errors:?}");
        }
    }
}
