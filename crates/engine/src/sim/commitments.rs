//! Savings Plans and Reserved Instances (`docs/model.md` §6): the eligible On-Demand usage metered per clock-hour
//! of simulated time ([`HourlyUsage`]), and pure functions that apply the commitments to one hour
//! ([`apply_hour`]) and find a plan's best and break-even commitment over the run ([`plan_curve`]).
//!
//! What AWS documents and the code follows:
//! - *Understanding how Savings Plans apply to your AWS usage* (Savings Plans User Guide): "Savings Plans apply to
//!   your usage after the Amazon EC2 Reserved Instances (RI) are applied." "EC2 Instance Savings Plans are applied
//!   before Compute Savings Plans because Compute Savings Plans have broader applicability." "Your Savings Plans
//!   are applied to your highest savings percentage first. If there are multiple usages with equal savings
//!   percentages, Savings Plans are applied to the first usage with the lowest Savings Plans rate. Savings Plans
//!   continue to apply until there are no more remaining usages, or your commitment is exhausted. Any remaining
//!   usage is charged at the On-Demand rates."
//! - The commitment is charged every hour, used or not: each hour stands alone and what it does not use is lost
//!   (the same page's example: a commitment above the hour's usage is paid in full).
//! - *How billing works with Reserved Instances* (EC2 User Guide): "Reserved Instances are billed for every
//!   clock-hour during the term that you select, regardless of whether an instance is running." "A Reserved
//!   Instance billing benefit can apply to a maximum of 3600 seconds (one hour) of instance usage per clock-hour."
//!   Regional Linux RIs are size-flexible within their family ([`crate::instance_types::size_units`]).
//! - Only On-Demand usage is eligible: Fargate (vCPU and memory) and EC2 On-Demand instance-hours. Spot (Fargate
//!   Spot, EC2 Spot) has its own price and takes no commitment; ECS Anywhere's fee and public IPv4 are not compute
//!   usage a Savings Plan or an EC2 RI covers.
//!
//! Simulated time 0 is the start of a clock-hour. A run that ends inside an hour is charged that whole hour's
//! commitment against the usage the run recorded in it: the commitment is owed for every hour of the term, and the
//! usage after the end of the run is not known (so that last hour shows the worst case, never a pro-rated one).

use crate::scenario::{CapacityType, Commitments, SavingsPlan, Scenario};
use crate::spec::SavingsPlanKind;
use crate::time::SimTime;

pub(super) const MS_PER_HOUR: u64 = 3_600_000;

/// One kind of eligible usage: Fargate On-Demand, or On-Demand instances of one EC2 type.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum LineKind {
    Fargate,
    Ec2 { instance_type: &'static str, family: &'static str, units: f64 },
}

/// A usage line and the On-Demand price of one unit of it (an instance-hour; for Fargate a vCPU-hour, used only to
/// order usages of equal savings percentage by their Savings Plans rate).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Line {
    pub(super) kind: LineKind,
    pub(super) unit_price: f64,
}

/// The eligible usage lines of a scenario: Fargate, then each instance type of the On-Demand Auto Scaling groups.
pub(super) fn lines(scenario: &Scenario) -> Vec<Line> {
    let mut lines = vec![Line { kind: LineKind::Fargate, unit_price: scenario.prices.fargate_vcpu_hour }];
    for provider in scenario.providers.iter().filter(|p| p.capacity_type() == CapacityType::Ec2OnDemand) {
        for t in &provider.instance_types {
            let known =
                lines.iter().any(|l| matches!(l.kind, LineKind::Ec2 { instance_type, .. } if instance_type == t.name));
            if !known {
                // Every type of the catalogue has a normalization factor (a test checks it); 0 keeps it out of RIs.
                let units = crate::instance_types::size_units(t.name).unwrap_or(0.0);
                lines.push(Line {
                    kind: LineKind::Ec2 { instance_type: t.name, family: t.family(), units },
                    unit_price: t.on_demand_hour_usd,
                });
            }
        }
    }
    lines
}

/// The line a charge's compute belongs to, `None` when it is not eligible (Spot, ECS Anywhere).
pub(super) fn line_of(lines: &[Line], capacity: CapacityType, instance_type: Option<&str>) -> Option<usize> {
    match capacity {
        CapacityType::Fargate => Some(0),
        CapacityType::Ec2OnDemand => lines
            .iter()
            .position(|l| matches!(l.kind, LineKind::Ec2 { instance_type: name, .. } if Some(name) == instance_type)),
        _ => None,
    }
}

/// Eligible On-Demand cost per line, integrated per clock-hour: rates (USD per ms) change when billing starts and
/// stops; each finished hour is kept.
#[derive(Debug, Clone)]
pub(super) struct HourlyUsage {
    rates: Vec<f64>,
    billing: Vec<u32>,
    current: Vec<f64>,
    /// Index of the hour `current` belongs to.
    hour: u64,
    updated: SimTime,
    closed: Vec<Vec<f64>>,
}

impl HourlyUsage {
    pub(super) fn new(lines: usize) -> HourlyUsage {
        HourlyUsage {
            rates: vec![0.0; lines],
            billing: vec![0; lines],
            current: vec![0.0; lines],
            hour: 0,
            updated: SimTime(0),
            closed: Vec::new(),
        }
    }

    pub(super) fn advance(&mut self, now: SimTime) {
        while now > self.updated {
            let end = SimTime((self.hour + 1) * MS_PER_HOUR);
            let to = if now < end { now } else { end };
            let ms = to.since(self.updated) as f64;
            for (acc, rate) in self.current.iter_mut().zip(&self.rates) {
                *acc += rate * ms;
            }
            self.updated = to;
            if to == end {
                let lines = self.current.len();
                self.closed.push(std::mem::replace(&mut self.current, vec![0.0; lines]));
                self.hour += 1;
            }
        }
    }

    pub(super) fn start(&mut self, now: SimTime, line: usize, rate_per_ms: f64) {
        self.advance(now);
        self.rates[line] += rate_per_ms;
        self.billing[line] += 1;
    }

    /// Stops a rate; `minimum_extra_ms` more of it (a minimum billed time) counts in the hour it stops in.
    pub(super) fn stop(&mut self, now: SimTime, line: usize, rate_per_ms: f64, minimum_extra_ms: u64) {
        self.advance(now);
        self.billing[line] = self.billing[line].saturating_sub(1);
        // As in the cost meter: with nothing billed on the line its rate is exactly zero, no rounding residue.
        self.rates[line] = if self.billing[line] == 0 { 0.0 } else { self.rates[line] - rate_per_ms };
        self.current[line] += rate_per_ms * minimum_extra_ms as f64;
    }

    /// Every clock-hour the run has touched up to `now`, the last one possibly partial.
    pub(super) fn hours_at(&self, now: SimTime) -> Vec<Vec<f64>> {
        let mut meter = self.clone();
        meter.advance(now);
        let started = meter.started_hour(now).is_some();
        let mut hours = meter.closed;
        if started {
            hours.push(meter.current);
        }
        hours
    }

    /// The finished hours (after [`HourlyUsage::advance`]).
    pub(super) fn closed(&self) -> &[Vec<f64>] {
        &self.closed
    }

    /// The usage of the hour under way at `now` (the meter advanced to `now`), if it has started: a moment into
    /// it, or a minimum billed time already counted in it.
    pub(super) fn started_hour(&self, now: SimTime) -> Option<&[f64]> {
        let started = now.as_millis() > self.hour * MS_PER_HOUR || self.current.iter().any(|&v| v > 0.0);
        started.then_some(self.current.as_slice())
    }
}

/// What the commitments did in one hour (USD).
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct HourResult {
    /// On-Demand cost of the eligible usage.
    pub(super) eligible: f64,
    /// Reserved Instance fees, and the part of them no usage took.
    pub(super) ri_charge: f64,
    pub(super) ri_unused: f64,
    /// Per Reserved Instance entry (scenario order): the fraction of its hour used.
    pub(super) ri_used_fraction: Vec<f64>,
    /// Per plan (scenario order): its commitment spent on usage at Savings Plans rates.
    pub(super) plan_used: Vec<f64>,
    /// Eligible usage left at On-Demand rates.
    pub(super) on_demand_left: f64,
}

impl HourResult {
    /// The hour's cost of the eligible usage with the commitments: what stays On-Demand, the RI fees, and every
    /// plan's commitment (paid in full whatever it covered).
    pub(super) fn cost_with(&self, commitments: &Commitments) -> f64 {
        self.on_demand_left + self.ri_charge + commitments.savings_plans.iter().map(|p| p.usd_per_hour).sum::<f64>()
    }
}

/// Plans in the documented order: EC2 Instance Savings Plans, then Compute Savings Plans; file order within a type.
pub(super) fn plan_order(plans: &[SavingsPlan]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..plans.len()).collect();
    crate::sort::sort_by_key(&mut order, |&i| match plans[i].kind {
        SavingsPlanKind::Ec2Instance => 0,
        SavingsPlanKind::Compute => 1,
    });
    order
}

/// The plan's discount for a line, `None` if it does not cover it.
fn discount(plan: &SavingsPlan, line: &Line) -> Option<f64> {
    match line.kind {
        LineKind::Fargate => plan.fargate(),
        LineKind::Ec2 { family, .. } => plan.ec2_discount(family),
    }
}

/// The lines a plan covers with their discounts, in the order it applies to them: highest savings percentage
/// first, then the lowest Savings Plans rate, then line order.
fn plan_lines(plan: &SavingsPlan, lines: &[Line]) -> Vec<(usize, f64)> {
    let mut covered: Vec<(usize, f64)> =
        lines.iter().enumerate().filter_map(|(i, l)| discount(plan, l).map(|d| (i, d))).collect();
    crate::sort::sort_by(&mut covered, |&(i, a), &(j, b)| {
        b.total_cmp(&a)
            .then((lines[i].unit_price * (1.0 - a)).total_cmp(&(lines[j].unit_price * (1.0 - b))))
            .then(i.cmp(&j))
    });
    covered
}

/// Applies the Reserved Instances to `left` (On-Demand cost per line, reduced in place): each entry's normalized
/// units cover its family's usage from the smallest size up, at most its units per clock-hour. Returns (fees,
/// unused fees, used fraction per entry).
fn apply_reserved(commitments: &Commitments, lines: &[Line], left: &mut [f64]) -> (f64, f64, Vec<f64>) {
    let (mut charge, mut unused) = (0.0, 0.0);
    let mut fractions = Vec::with_capacity(commitments.reserved_instances.len());
    for ri in &commitments.reserved_instances {
        let ri_units = crate::instance_types::size_units(ri.instance_type.name).unwrap_or(0.0);
        let total_units = f64::from(ri.count) * ri_units;
        let mut available = total_units;
        let mut family_lines: Vec<(usize, f64)> = lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| match l.kind {
                LineKind::Ec2 { family, units, .. } if family == ri.instance_type.family() && units > 0.0 => {
                    Some((i, units))
                }
                _ => None,
            })
            .collect();
        crate::sort::sort_by(&mut family_lines, |a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        for (i, units) in family_lines {
            let used_units = left[i] / lines[i].unit_price * units;
            let take = used_units.min(available);
            left[i] = (left[i] - take / units * lines[i].unit_price).max(0.0);
            available -= take;
        }
        let fee = f64::from(ri.count) * ri.instance_type.on_demand_hour_usd * (1.0 - ri.discount);
        let used_fraction = if total_units > 0.0 { 1.0 - available / total_units } else { 0.0 };
        charge += fee;
        unused += fee * (1.0 - used_fraction);
        fractions.push(used_fraction);
    }
    (charge, unused, fractions)
}

/// Spends up to `commitment` of one plan on `left` at its rates; returns the commitment spent.
fn apply_plan(plan: &SavingsPlan, commitment: f64, lines: &[Line], left: &mut [f64]) -> f64 {
    let mut remaining = commitment;
    for (i, d) in plan_lines(plan, lines) {
        if remaining <= 0.0 {
            break;
        }
        let at_plan_rate = left[i] * (1.0 - d);
        let take = at_plan_rate.min(remaining);
        left[i] = (left[i] - take / (1.0 - d)).max(0.0);
        remaining -= take;
    }
    commitment - remaining
}

/// One clock-hour: the usage (On-Demand USD per line) with the Reserved Instances first, then the Savings Plans in
/// the documented order.
pub(super) fn apply_hour(commitments: &Commitments, lines: &[Line], usage: &[f64]) -> HourResult {
    let mut left = usage.to_vec();
    let (ri_charge, ri_unused, ri_used_fraction) = apply_reserved(commitments, lines, &mut left);
    let mut plan_used = vec![0.0; commitments.savings_plans.len()];
    for p in plan_order(&commitments.savings_plans) {
        let plan = &commitments.savings_plans[p];
        plan_used[p] = apply_plan(plan, plan.usd_per_hour, lines, &mut left);
    }
    HourResult {
        eligible: usage.iter().sum(),
        ri_charge,
        ri_unused,
        ri_used_fraction,
        plan_used,
        on_demand_left: left.iter().sum(),
    }
}

/// A plan's commitment over the run: the one that saves most, and the break-even above which it costs more than it
/// saves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PlanCurve {
    pub(super) best_usd_per_hour: f64,
    pub(super) best_savings_usd: f64,
    pub(super) break_even_usd_per_hour: f64,
}

/// For plan `p` (scenario index), with the Reserved Instances and the plans applied before it (documented order)
/// as given and no plan after it, the run's savings at commitment c are
/// S(c) = sum over hours h of [On-Demand cost the plan covers in h at c] - H x c, H the hours charged.
/// In an hour the covered cost grows by 1/(1 - d) per dollar of commitment while usage with discount d is left,
/// and by 0 beyond: S is piecewise linear and concave with S(0) = 0, its corners where an hour's cumulative
/// usage at plan rates (highest discount first) runs out. The best commitment is the corner with the largest S;
/// the break-even is the c above it where S falls back to 0 (interpolated on its segment; past the last corner S
/// falls by H per dollar). With no saving possible both are 0.
pub(super) fn plan_curve(commitments: &Commitments, lines: &[Line], hours: &[Vec<f64>], p: usize) -> PlanCurve {
    let plan = &commitments.savings_plans[p];
    let order = plan_order(&commitments.savings_plans);
    let before: Vec<usize> = order.iter().copied().take_while(|&q| q != p).collect();
    let covered = plan_lines(plan, lines);
    // Per hour, the usage left for this plan, as (discount, cost at plan rates) in the order the plan takes it.
    let segments: Vec<Vec<(f64, f64)>> = hours
        .iter()
        .map(|usage| {
            let mut left = usage.clone();
            apply_reserved(commitments, lines, &mut left);
            for &q in &before {
                let earlier = &commitments.savings_plans[q];
                apply_plan(earlier, earlier.usd_per_hour, lines, &mut left);
            }
            covered.iter().map(|&(i, d)| (d, left[i] * (1.0 - d))).filter(|&(_, v)| v > 0.0).collect()
        })
        .collect();
    let (corners, values) = savings_corners(&segments);
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    const EPSILON: f64 = 1e-12;
    if values[best] <= EPSILON {
        return PlanCurve { best_usd_per_hour: 0.0, best_savings_usd: 0.0, break_even_usd_per_hour: 0.0 };
    }
    let mut break_even = None;
    for i in best + 1..corners.len() {
        if values[i] < 0.0 {
            let (c0, s0, c1, s1) = (corners[i - 1], values[i - 1], corners[i], values[i]);
            break_even = Some(c0 + s0 / (s0 - s1) * (c1 - c0));
            break;
        }
    }
    let last = corners.len() - 1;
    let h = hours.len() as f64;
    let break_even = break_even.unwrap_or_else(|| corners[last] + values[last].max(0.0) / h);
    PlanCurve { best_usd_per_hour: corners[best], best_savings_usd: values[best], break_even_usd_per_hour: break_even }
}

/// S at each corner, by a sweep (O(n log n) in the corners, so a week of hours with many plans stays quick): from
/// c = 0 the slope is the sum over hours of 1 / (1 - d) of each hour's first segment, minus H; at the end of a
/// segment the slope moves to the next segment's rate (or to 0 past the hour's last). Returns the corners (from 0,
/// increasing) and S at each.
fn savings_corners(segments: &[Vec<(f64, f64)>]) -> (Vec<f64>, Vec<f64>) {
    let rate = |d: f64| 1.0 / (1.0 - d);
    let mut slope = -(segments.len() as f64);
    let mut changes: Vec<(f64, f64)> = Vec::new();
    for hour in segments {
        let Some(&(first, _)) = hour.first() else { continue };
        slope += rate(first);
        let mut end = 0.0;
        for (i, &(d, value)) in hour.iter().enumerate() {
            end += value;
            let next = hour.get(i + 1).map_or(0.0, |&(next, _)| rate(next));
            changes.push((end, next - rate(d)));
        }
    }
    crate::sort::sort_by(&mut changes, |a, b| a.0.total_cmp(&b.0));
    let (mut corners, mut values) = (vec![0.0], vec![0.0]);
    for (c, delta) in changes {
        let (last_c, last_s) = (corners[corners.len() - 1], values[values.len() - 1]);
        if c > last_c {
            corners.push(c);
            values.push(last_s + slope * (c - last_c));
        }
        slope += delta;
    }
    (corners, values)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::scenario::ReservedInstance;

    fn m5(size: &'static str, price: f64, units: f64) -> Line {
        Line { kind: LineKind::Ec2 { instance_type: size, family: "m5", units }, unit_price: price }
    }

    /// Fargate, m5.large ($0.096/h), m5.xlarge ($0.192/h), c5.large ($0.085/h).
    fn test_lines() -> Vec<Line> {
        vec![
            Line { kind: LineKind::Fargate, unit_price: 0.04048 },
            m5("m5.large", 0.096, 4.0),
            m5("m5.xlarge", 0.192, 8.0),
            Line { kind: LineKind::Ec2 { instance_type: "c5.large", family: "c5", units: 4.0 }, unit_price: 0.085 },
        ]
    }

    fn plan(kind: SavingsPlanKind, family: Option<&str>, usd_per_hour: f64, discount: f64) -> SavingsPlan {
        SavingsPlan {
            kind,
            family: family.map(String::from),
            usd_per_hour,
            discount,
            fargate_discount: discount,
            family_discount: BTreeMap::new(),
        }
    }

    fn with(plans: Vec<SavingsPlan>, ris: Vec<ReservedInstance>) -> Commitments {
        Commitments { savings_plans: plans, reserved_instances: ris }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// One hour, one Compute plan: $1 of commitment at 40% off covers $1/0.6 of On-Demand usage; the rest stays
    /// On-Demand; the hour costs the commitment plus what is left.
    #[test]
    fn one_hour_one_plan_covers_its_commitment_at_plan_rates() {
        let c = with(vec![plan(SavingsPlanKind::Compute, None, 1.0, 0.4)], vec![]);
        let r = apply_hour(&c, &test_lines(), &[3.0, 0.0, 0.0, 0.0]);
        assert!(close(r.plan_used[0], 1.0));
        assert!(close(r.on_demand_left, 3.0 - 1.0 / 0.6));
        assert!(close(r.cost_with(&c), 1.0 + 3.0 - 1.0 / 0.6));
    }

    /// An hour with less usage than the commitment: the whole commitment is charged, the rest is lost.
    #[test]
    fn the_unused_part_of_an_hour_is_lost() {
        let c = with(vec![plan(SavingsPlanKind::Compute, None, 2.0, 0.5)], vec![]);
        let r = apply_hour(&c, &test_lines(), &[1.0, 0.0, 0.0, 0.0]);
        assert!(close(r.plan_used[0], 0.5), "1 USD On-Demand is 0.5 at plan rates");
        assert!(close(r.on_demand_left, 0.0));
        assert!(close(r.cost_with(&c), 2.0), "paid in full: 1.5 unused");
    }

    /// Two plans: the EC2 Instance plan (m5) goes first even though it is listed second; the Compute plan takes
    /// what is left, highest savings percentage first (m5 at 30% before Fargate at 20%).
    #[test]
    fn ec2_instance_plans_apply_before_compute_plans_and_the_highest_discount_first() {
        let mut compute = plan(SavingsPlanKind::Compute, None, 1.0, 0.3);
        compute.fargate_discount = 0.2;
        let instance = plan(SavingsPlanKind::Ec2Instance, Some("m5"), 0.5, 0.5);
        let c = with(vec![compute, instance], vec![]);
        // m5.large $2 of usage, Fargate $2.
        let r = apply_hour(&c, &test_lines(), &[2.0, 2.0, 0.0, 0.0]);
        // The instance plan covers $1 of m5 ($0.5 at 50% off); Compute then takes the other $1 of m5 (0.7 of
        // commitment) before Fargate, which gets the last 0.3 (0.3/0.8 = 0.375 of On-Demand).
        assert!(close(r.plan_used[1], 0.5));
        assert!(close(r.plan_used[0], 1.0));
        assert!(close(r.on_demand_left, 2.0 - 0.375));
    }

    /// Reserved Instances apply before any plan: an m5.xlarge RI (8 units) covers two m5.large instance-hours
    /// (4 units each, smallest size first) and the plan only sees the rest.
    #[test]
    fn reserved_instances_apply_before_savings_plans_and_flex_across_sizes() {
        let ri = ReservedInstance {
            instance_type: *crate::instance_types::get("m5.xlarge").unwrap(),
            count: 1,
            discount: 0.4,
        };
        let c = with(vec![plan(SavingsPlanKind::Compute, None, 10.0, 0.3)], vec![ri]);
        // Three m5.large instance-hours.
        let r = apply_hour(&c, &test_lines(), &[0.0, 3.0 * 0.096, 0.0, 0.0]);
        assert!(close(r.ri_used_fraction[0], 1.0));
        assert!(close(r.ri_charge, 0.192 * 0.6));
        assert!(close(r.ri_unused, 0.0));
        assert!(close(r.plan_used[0], 0.096 * 0.7), "the plan covers the third instance-hour only");
        // An idle hour: the RI fee is charged and unused.
        let idle = apply_hour(&c, &test_lines(), &[0.0; 4]);
        assert!(close(idle.ri_unused, 0.192 * 0.6));
    }

    /// Spot and ECS Anywhere usage never reaches a line, so no commitment applies to it.
    #[test]
    fn spot_and_anywhere_are_not_eligible() {
        let lines = test_lines();
        assert_eq!(line_of(&lines, CapacityType::FargateSpot, None), None);
        assert_eq!(line_of(&lines, CapacityType::Ec2Spot, Some("m5.large")), None);
        assert_eq!(line_of(&lines, CapacityType::External, None), None);
        assert_eq!(line_of(&lines, CapacityType::Ec2OnDemand, Some("m5.xlarge")), Some(2));
        assert_eq!(line_of(&lines, CapacityType::Fargate, None), Some(0));
    }

    /// The meter splits usage at hour boundaries and keeps a partial last hour.
    #[test]
    fn usage_is_split_by_clock_hour() {
        let mut meter = HourlyUsage::new(2);
        meter.start(SimTime(MS_PER_HOUR / 2), 1, 1.0 / MS_PER_HOUR as f64);
        meter.stop(SimTime(MS_PER_HOUR * 3 / 2), 1, 1.0 / MS_PER_HOUR as f64, 0);
        let hours = meter.hours_at(SimTime(MS_PER_HOUR * 7 / 4));
        assert_eq!(hours.len(), 2);
        assert!(close(hours[0][1], 0.5) && close(hours[1][1], 0.5));
        let mut running = HourlyUsage::new(1);
        running.start(SimTime(0), 0, 1.0);
        assert_eq!(running.hours_at(SimTime(MS_PER_HOUR)).len(), 1, "exactly one hour: no partial one");
        assert_eq!(running.hours_at(SimTime(MS_PER_HOUR + 1)).len(), 2, "a started hour counts");
    }

    /// Two hours of $1 and $3 of Fargate usage, a plan at 50% off (hours worth $0.5 and $1.5 at plan rates): a
    /// dollar of commitment covers $2 of On-Demand in an hour with usage left, and is lost in one without.
    #[test]
    fn the_break_even_commitment_is_where_the_savings_fall_back_to_zero() {
        let c = with(vec![plan(SavingsPlanKind::Compute, None, 1.0, 0.5)], vec![]);
        let lines = test_lines();
        let hours = vec![vec![1.0, 0.0, 0.0, 0.0], vec![3.0, 0.0, 0.0, 0.0]];
        let curve = plan_curve(&c, &lines, &hours, 0);
        // Up to 0.5 both hours take it: S = 4c - 2c = 2c, 1 at 0.5. From 0.5 to 1.5 only the second does:
        // S = 1 + 2c - 2c = 1, flat. The first corner with the largest S is 0.5.
        assert!(close(curve.best_usd_per_hour, 0.5), "{curve:?}");
        assert!(close(curve.best_savings_usd, 1.0));
        // Past 1.5 (the second hour's usage at plan rates) S falls by 2 per dollar: 0 at 1.5 + 1/2 = 2.
        assert!(close(curve.break_even_usd_per_hour, 2.0), "{curve:?}");
        // No usage: nothing to save.
        let none = plan_curve(&c, &lines, &[vec![0.0; 4]], 0);
        assert_eq!(none.break_even_usd_per_hour, 0.0);
    }

    /// The sweep gives the same S as summing every hour at each corner.
    #[test]
    fn the_sweep_matches_a_direct_sum() {
        let segments: Vec<Vec<(f64, f64)>> =
            vec![vec![(0.5, 0.4), (0.2, 0.3)], vec![(0.5, 1.0)], vec![], vec![(0.3, 0.2), (0.2, 0.5), (0.1, 0.1)]];
        let direct = |c: f64| -> f64 {
            let mut covered = 0.0;
            for hour in &segments {
                let mut remaining = c;
                for &(d, value) in hour {
                    let take = value.min(remaining);
                    covered += take / (1.0 - d);
                    remaining -= take;
                }
            }
            covered - segments.len() as f64 * c
        };
        let (corners, values) = savings_corners(&segments);
        assert_eq!(corners.len(), 6, "0 and five distinct segment ends: {corners:?}");
        for (c, s) in corners.iter().zip(&values) {
            assert!(close(*s, direct(*c)), "at {c}: {s} vs {}", direct(*c));
        }
    }
}
