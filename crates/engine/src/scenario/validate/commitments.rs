//! Validation of `commitments`: Savings Plans and Reserved Instances (`docs/model.md` §6), each field checked with
//! its path and limits.

use std::collections::BTreeMap;

use crate::instance_types;
use crate::scenario::{Commitments, ReservedInstance, SavingsPlan};
use crate::spec::{CommitmentsSpec, SavingsPlanKind};

use super::Validator;

/// The API's bounds on an hourly commitment (*CreateSavingsPlan*: "This is a value between 0.001 and 1 million").
const MIN_COMMITMENT: f64 = 0.001;
const MAX_COMMITMENT: f64 = 1_000_000.0;
/// At most this many plans or Reserved Instance entries: all of them are applied at every sample of the series
/// (up to 20,000 a run), so a hostile file must not make that slow.
const MAX_ITEMS: usize = 20;
/// A discount is below 100%: a plan at 100% would make covered usage free and divide by zero in the break-even.
const MAX_DISCOUNT_PERCENT: f64 = 99.0;

impl Validator {
    pub(super) fn commitments(&mut self, spec: &CommitmentsSpec) -> Commitments {
        if spec.savings_plans.len() > MAX_ITEMS {
            self.err(
                "commitments.savings_plans",
                format!("at most {MAX_ITEMS} plans, got {}", spec.savings_plans.len()),
            );
        }
        if spec.reserved_instances.len() > MAX_ITEMS {
            self.err(
                "commitments.reserved_instances",
                format!("at most {MAX_ITEMS} entries, got {}", spec.reserved_instances.len()),
            );
        }
        let savings_plans = spec
            .savings_plans
            .iter()
            .take(MAX_ITEMS)
            .enumerate()
            .map(|(i, p)| {
                let field = |name: &str| format!("commitments.savings_plans[{i}].{name}");
                let family = match (p.kind, &p.family) {
                    (SavingsPlanKind::Ec2Instance, None) => {
                        self.err(
                            field("family"),
                            "an EC2 Instance Savings Plan covers one instance family: name it (e.g. \"m5\")",
                        );
                        None
                    }
                    (SavingsPlanKind::Ec2Instance, Some(f)) => {
                        self.family(&field("family"), f);
                        Some(f.clone())
                    }
                    (SavingsPlanKind::Compute, Some(_)) => {
                        self.err(
                            field("family"),
                            "a Compute Savings Plan covers every family; family is for kind \"ec2_instance\"",
                        );
                        None
                    }
                    (SavingsPlanKind::Compute, None) => None,
                };
                if p.kind == SavingsPlanKind::Ec2Instance && p.fargate_discount_percent.is_some() {
                    self.err(field("fargate_discount_percent"), "EC2 Instance Savings Plans do not cover Fargate");
                }
                let usd_per_hour =
                    if !p.usd_per_hour.is_finite() || !(MIN_COMMITMENT..=MAX_COMMITMENT).contains(&p.usd_per_hour) {
                        self.err(
                            field("usd_per_hour"),
                            format!(
                                "must be between {MIN_COMMITMENT} and {MAX_COMMITMENT} USD per hour, got {}",
                                p.usd_per_hour
                            ),
                        );
                        MIN_COMMITMENT
                    } else {
                        p.usd_per_hour
                    };
                let discount = self.discount(&field("discount_percent"), p.discount_percent);
                let fargate_discount = match p.fargate_discount_percent {
                    Some(v) => self.discount(&field("fargate_discount_percent"), v),
                    None => discount,
                };
                let mut family_discount = BTreeMap::new();
                for (f, &v) in &p.family_discount_percent {
                    let path = format!("commitments.savings_plans[{i}].family_discount_percent.{f}");
                    self.family(&path, f);
                    family_discount.insert(f.clone(), self.discount(&path, v));
                }
                SavingsPlan { kind: p.kind, family, usd_per_hour, discount, fargate_discount, family_discount }
            })
            .collect();
        let reserved_instances = spec
            .reserved_instances
            .iter()
            .take(MAX_ITEMS)
            .enumerate()
            .filter_map(|(i, r)| {
                let field = |name: &str| format!("commitments.reserved_instances[{i}].{name}");
                if !(1..=100_000).contains(&r.count) {
                    self.err(field("count"), format!("must be between 1 and 100000, got {}", r.count));
                }
                let discount = self.discount(&field("discount_percent"), r.discount_percent);
                let Some(instance_type) = instance_types::get(&r.instance_type) else {
                    self.err(field("instance_type"), instance_types::unknown_message(&r.instance_type));
                    return None;
                };
                if instance_types::size_units(instance_type.name).is_none() {
                    self.err(
                        field("instance_type"),
                        "no normalization factor for this size (instance size flexibility)",
                    );
                    return None;
                }
                Some(ReservedInstance { instance_type: *instance_type, count: r.count.clamp(1, 100_000), discount })
            })
            .collect();
        Commitments { savings_plans, reserved_instances }
    }

    /// A discount in percent, returned as a fraction.
    fn discount(&mut self, path: &str, percent: f64) -> f64 {
        if !percent.is_finite() || !(0.0..=MAX_DISCOUNT_PERCENT).contains(&percent) {
            self.err(path.to_string(), format!("must be between 0 and {MAX_DISCOUNT_PERCENT} percent, got {percent}"));
            return 0.0;
        }
        percent / 100.0
    }

    fn family(&mut self, path: &str, family: &str) {
        if !instance_types::families().contains(&family) {
            self.err(
                path.to_string(),
                format!(
                    "unknown instance family \"{}\"; known: {}",
                    family.chars().take(40).collect::<String>(),
                    instance_types::families().join(", ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{problems, spec};
    use super::*;

    #[test]
    fn plans_and_reserved_instances_are_checked_field_by_field() {
        let mut v = Validator::default();
        v.scenario(&spec(
            r#""commitments": {
                "savings_plans": [
                    { "kind": "ec2_instance", "usd_per_hour": 0, "discount_percent": 100 },
                    { "kind": "compute", "family": "m5", "usd_per_hour": 1, "discount_percent": 20,
                      "family_discount_percent": { "zz9": 10 } }
                ],
                "reserved_instances": [{ "instance_type": "m5.huge", "count": 0, "discount_percent": -1 }]
            }"#,
        ));
        let found = problems(&v);
        for expected in [
            "commitments.savings_plans[0].family: an EC2 Instance Savings Plan covers one instance family",
            "commitments.savings_plans[0].usd_per_hour: must be between 0.001 and 1000000 USD per hour, got 0",
            "commitments.savings_plans[0].discount_percent: must be between 0 and 99 percent, got 100",
            "commitments.savings_plans[1].family: a Compute Savings Plan covers every family",
            "commitments.savings_plans[1].family_discount_percent.zz9: unknown instance family \"zz9\"",
            "commitments.reserved_instances[0].count: must be between 1 and 100000, got 0",
            "commitments.reserved_instances[0].discount_percent: must be between 0 and 99 percent, got -1",
            "commitments.reserved_instances[0].instance_type: ",
        ] {
            assert!(found.iter().any(|p| p.starts_with(expected)), "{expected} not in {found:#?}");
        }
    }

    #[test]
    fn a_valid_plan_keeps_its_rates_as_fractions() {
        let mut v = Validator::default();
        let scenario = v.scenario(&spec(
            r#""commitments": { "savings_plans": [{ "kind": "compute", "usd_per_hour": 0.5, "discount_percent": 30,
                "fargate_discount_percent": 20, "family_discount_percent": { "c5": 35 } }] }"#,
        ));
        assert_eq!(problems(&v), Vec::<String>::new());
        let plan = &scenario.commitments.savings_plans[0];
        assert_eq!(
            (plan.fargate(), plan.ec2_discount("m5"), plan.ec2_discount("c5")),
            (Some(0.2), Some(0.3), Some(0.35))
        );
    }
}
