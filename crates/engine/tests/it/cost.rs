//! The cost breakdown (`docs/model.md` §6): its categories add up to the run's cost for every preset, in the
//! summary and in the time series; Fargate cost is the services' and RunTask workloads' own, instance cost the
//! providers'; a service behind a load balancer pays its ALB-hours and LCU-hours.

use crate::common;

use fleetplan_engine::output::{Column, Summary};
use fleetplan_engine::scenario::CapacityType;
use fleetplan_engine::{presets, Simulation};

/// Rounding: each figure is rounded to 4 decimals, so a sum of up to ~10 of them may be off by a few 1e-5.
const ROUNDING: f64 = 1e-3;

fn capacity_usd(summary: &Summary, capacity: CapacityType) -> f64 {
    summary.cost_breakdown.by_capacity.iter().find(|c| c.capacity == capacity).map(|c| c.usd).unwrap()
}

#[test]
fn every_presets_breakdown_adds_up_to_its_cost() {
    for preset in presets::all() {
        let mut sim = Simulation::new(common::scaled_down(preset), 1);
        sim.run_to_end();
        let s = sim.metrics();
        let b = &s.cost_breakdown;
        let categories: f64 = b.by_capacity.iter().map(|c| c.usd).sum::<f64>()
            + b.public_ipv4_usd
            + b.load_balancer_hours_usd
            + b.load_balancer_lcu_usd;
        assert!((categories - s.cost_usd).abs() < ROUNDING, "{}: {categories} vs {}", preset.id, s.cost_usd);
        // Fargate: every task's compute is its service's or its workload's.
        let fargate = capacity_usd(&s, CapacityType::Fargate) + capacity_usd(&s, CapacityType::FargateSpot);
        let payers: f64 = b.services.iter().map(|c| c.fargate_usd).sum::<f64>()
            + b.run_tasks.iter().map(|c| c.fargate_usd).sum::<f64>()
            + b.batch.as_ref().map_or(0.0, |c| c.fargate_usd);
        assert!((fargate - payers).abs() < ROUNDING, "{}: Fargate {fargate} vs payers {payers}", preset.id);
        let ipv4: f64 = b.services.iter().map(|c| c.public_ipv4_usd).sum::<f64>()
            + b.run_tasks.iter().map(|c| c.public_ipv4_usd).sum::<f64>();
        assert!((b.public_ipv4_usd - ipv4).abs() < ROUNDING, "{}: IPv4", preset.id);
        // Instances: every instance-hour is its provider's.
        let instances = capacity_usd(&s, CapacityType::Ec2OnDemand)
            + capacity_usd(&s, CapacityType::Ec2Spot)
            + capacity_usd(&s, CapacityType::External);
        let providers: f64 =
            b.providers.iter().map(|p| p.usd).sum::<f64>() + b.batch.as_ref().map_or(0.0, |c| c.instances_usd);
        assert!((instances - providers).abs() < ROUNDING, "{}: instances {instances} vs {providers}", preset.id);
        let lb: f64 = b.services.iter().map(|c| c.load_balancer_usd).sum();
        assert!((b.load_balancer_hours_usd + b.load_balancer_lcu_usd - lb).abs() < ROUNDING, "{}: LB", preset.id);
        // The series: the last sample's categories add up to its cost, which is the summary's.
        let series = sim.series();
        let last = series.len() - 1;
        let stacked: f64 = Column::COST_CATEGORIES.iter().map(|&c| series.column(c)[last]).sum();
        let cost = series.column(Column::CostUsd)[last];
        assert!((stacked - cost).abs() < 1e-9 * cost.max(1.0), "{}: series {stacked} vs {cost}", preset.id);
        assert!((cost - s.cost_usd).abs() < 1e-4, "{}: series end {cost} vs {}", preset.id, s.cost_usd);
    }
}

fn one_service(load_balancer: &str) -> Summary {
    let scenario = common::scenario(&format!(
        r#"{{"version": 1, "name": "lb", "horizon_s": 3600,
            "task_definitions": [{{"name": "web", "cpu": 256, "memory": 512, "image_mb": 50}}],
            "services": [{{"name": "web", "task_definition": "web", "desired_count": 2{load_balancer}}}]}}"#
    ));
    let mut sim = Simulation::new(scenario, 1);
    sim.run_to_end();
    sim.metrics()
}

/// *Elastic Load Balancing pricing*: "$0.0225 hourly charge" per Application Load Balancer and "$0.008 per LCU"
/// -hour, an LCU being "1 GB per hour" processed for container targets. The run is a window of the service's life,
/// so the ALB is billed pro rata over it.
#[test]
fn a_service_behind_a_load_balancer_pays_alb_hours_and_lcu_hours() {
    let plain = one_service("");
    let with_lb = one_service(r#", "load_balancer": {"health_check_interval_s": 5, "healthy_threshold": 2}"#);
    let hours = with_lb.end_s / 3600.0;
    let service = &with_lb.cost_breakdown.services[0];
    assert!((service.load_balancer_usd - 0.0225 * hours).abs() < 1e-4, "{} over {hours} h", service.load_balancer_usd);
    assert!(service.load_balancer_usd > 0.0);
    assert_eq!(with_lb.cost_breakdown.load_balancer_lcu_usd, 0.0, "no traffic given: no LCU-hours");
    assert_eq!(plain.cost_breakdown.services[0].load_balancer_usd, 0.0);
    assert_eq!(plain.cost_breakdown.load_balancer_hours_usd, 0.0);

    let busy = one_service(
        r#", "load_balancer": {"health_check_interval_s": 5, "healthy_threshold": 2, "processed_gb_per_hour": 10}"#,
    );
    let hours = busy.end_s / 3600.0;
    let lcu = busy.cost_breakdown.load_balancer_lcu_usd;
    assert!((lcu - 10.0 * 0.008 * hours).abs() < 1e-4, "10 LCUs over {hours} h: {lcu}");
    let expected = busy.cost_breakdown.load_balancer_hours_usd + lcu;
    assert!((busy.cost_breakdown.services[0].load_balancer_usd - expected).abs() < 1e-4);
    // The load balancer is part of the run's cost.
    let compute = capacity_usd(&busy, CapacityType::Fargate) + busy.cost_breakdown.public_ipv4_usd;
    assert!((busy.cost_usd - (compute + expected)).abs() < ROUNDING, "{} vs {}", busy.cost_usd, compute + expected);
}

#[test]
fn load_balancer_prices_are_scenario_data() {
    let scenario = common::scenario(
        r#"{"version": 1, "name": "lb", "horizon_s": 3600, "prices": {"alb_hour": 1.0, "alb_lcu_hour": 0.5},
            "task_definitions": [{"name": "web", "cpu": 256, "memory": 512, "image_mb": 50}],
            "services": [{"name": "web", "task_definition": "web", "desired_count": 1,
                          "load_balancer": {"processed_gb_per_hour": 2}}]}"#,
    );
    let mut sim = Simulation::new(scenario, 1);
    sim.run_to_end();
    let s = sim.metrics();
    let hours = s.end_s / 3600.0;
    assert!((s.cost_breakdown.load_balancer_hours_usd - hours).abs() < 1e-4);
    assert!((s.cost_breakdown.load_balancer_lcu_usd - 2.0 * 0.5 * hours).abs() < 1e-4);
}

/// The `cost-by-category` preset's description: LCU-hours above ALB-hours, the load balancer above web's public
/// IPv4, Fargate tasks billed to their services, the instances to their provider and nothing to batch.
#[test]
fn cost_by_category_preset_shows_what_it_says() {
    for seed in 1..=3 {
        let s = common::run_checked(common::preset("cost-by-category"), seed).metrics();
        let b = &s.cost_breakdown;
        assert!(b.load_balancer_lcu_usd > b.load_balancer_hours_usd, "seed {seed}: {b:?}");
        let service = |name: &str| b.services.iter().find(|c| c.name == name).unwrap();
        assert!(service("web").load_balancer_usd > service("web").public_ipv4_usd, "seed {seed}");
        assert!(service("web").fargate_usd > 0.0 && service("worker").fargate_usd > 0.0);
        assert_eq!(service("batch").total_usd, 0.0, "seed {seed}: instances are the provider's");
        assert_eq!(b.providers.len(), 1);
        assert_eq!(b.providers[0].usd, capacity_usd(&s, CapacityType::Ec2OnDemand));
        assert!(b.providers[0].usd > 0.0);
        assert_eq!(capacity_usd(&s, CapacityType::FargateSpot), service("worker").fargate_usd);
    }
}

/// The other LCU dimensions (*Elastic Load Balancing pricing*): 25 new connections per second, 3,000 active
/// connections per minute and 1,000 rule evaluations per second make an LCU each, and the bill takes the largest.
#[test]
fn lcu_hours_follow_the_largest_dimension() {
    // A scale event at 3,000 s keeps the run going long enough for the rounded USD to tell LCUs apart.
    let lb = |fields: &str| {
        let scenario = common::scenario(&format!(
            r#"{{"version": 1, "name": "lb", "horizon_s": 3600,
                "task_definitions": [{{"name": "web", "cpu": 256, "memory": 512, "image_mb": 50}}],
                "services": [{{"name": "web", "task_definition": "web", "desired_count": 2,
                               "load_balancer": {{"health_check_interval_s": 5, "healthy_threshold": 2, {fields}}}}}],
                "events": [{{"type": "scale", "at_s": 3000, "service": "web", "desired_count": 2}}]}}"#
        ));
        common::run_checked(scenario, 1).metrics()
    };
    let lcu_per_hour = |s: &Summary| s.cost_breakdown.load_balancer_lcu_usd / (s.end_s / 3600.0) / 0.008;
    // 2 GB/h (2 LCUs) and 100 new connections/s (4 LCUs): 4.
    let connections = lb(r#""processed_gb_per_hour": 2, "new_connections_per_s": 100"#);
    assert!((lcu_per_hour(&connections) - 4.0).abs() < 0.01, "{}", lcu_per_hour(&connections));
    // 15,000 active connections (5) beat 2,000 rule evaluations/s (2).
    let active = lb(r#""active_connections_per_minute": 15000, "rule_evaluations_per_s": 2000"#);
    assert!((lcu_per_hour(&active) - 5.0).abs() < 0.01, "{}", lcu_per_hour(&active));
    let rules = lb(r#""rule_evaluations_per_s": 3000"#);
    assert!((lcu_per_hour(&rules) - 3.0).abs() < 0.01, "{}", lcu_per_hour(&rules));
}

/// With commitments the summary's `cost_usd` is still the cost without them, and the commitments block says what
/// they change; without any the block is left out.
#[test]
fn commitments_change_the_block_not_cost_usd() {
    let run = |commitments: &str| {
        let scenario = common::scenario(&format!(
            r#"{{"version": 1, "name": "sp", "horizon_s": 3600,
                "task_definitions": [{{"name": "web", "cpu": 1024, "memory": 2048, "image_mb": 50}}],
                "services": [{{"name": "web", "task_definition": "web", "desired_count": 10}}],
                "events": [{{"type": "scale", "at_s": 3000, "service": "web", "desired_count": 10}}]{commitments}}}"#
        ));
        common::run_checked(scenario, 1).metrics()
    };
    let plain = run("");
    assert!(plain.commitments.is_none());
    assert!(!serde_json::to_string(&plain).unwrap().contains("commitments"));
    let covered = run(
        r#", "commitments": {"savings_plans": [{"kind": "compute", "usd_per_hour": 0.2, "discount_percent": 20}]}"#,
    );
    assert_eq!(covered.cost_usd, plain.cost_usd);
    let c = covered.commitments.unwrap();
    assert_eq!(c.cost_without_usd, plain.cost_usd);
    // One hour (the run ends at the event, inside it) with about $0.41 of Fargate On-Demand usage: $0.2 at plan
    // rates covers $0.25 of it, a saving of $0.05.
    assert_eq!(c.hours, 1);
    assert!(c.eligible_on_demand_usd > 0.25, "{c:?}");
    assert!((c.savings_usd - 0.05).abs() < 1e-3, "{c:?}");
    assert_eq!(c.unused_usd, 0.0);
    // An EC2 Instance plan covers no Fargate: its whole commitment is unused.
    let wrong =
        run(r#", "commitments": {"savings_plans": [{"kind": "ec2_instance", "family": "m5", "usd_per_hour": 0.2,
             "discount_percent": 30}]}"#);
    let w = wrong.commitments.unwrap();
    assert!((w.unused_usd - 0.2).abs() < 1e-9 && (w.savings_usd + 0.2).abs() < 1e-3, "{w:?}");
    assert_eq!(w.savings_plans[0].break_even_usd_per_hour, 0.0);
}

// ---- Honest numbers (issue 13, `docs/model.md` §6.2): each cost figure against hand arithmetic ----

fn preset_summary(id: &str) -> Summary {
    let mut sim = Simulation::new(presets::get(id).unwrap().scenario().unwrap(), 1);
    sim.run_to_end();
    sim.metrics()
}

/// `fargate-ondemand-1000`: 1,000 tasks of 0.25 vCPU and 0.5 GB with a public IPv4 address. Once up, each costs
/// 0.25 x $0.04048 + 0.5 x $0.004445 + $0.005 = $0.0173425 an hour, so the fleet $17.3425 an hour and
/// 17.3425 x 730 = $12,660.025 a month: more than twice the $7.90 the whole run averages with its ramp.
#[test]
fn fargate_1000_steady_rate_is_the_hand_arithmetic() {
    let s = preset_summary("fargate-ondemand-1000");
    let c = &s.costs;
    let per_task: f64 = 0.25 * 0.04048 + 0.5 * 0.004445 + 0.005;
    assert!((per_task - 0.017_342_5).abs() < 1e-12);
    assert_eq!(c.steady_per_hour_usd, Some(17.3425));
    assert_eq!(c.steady_per_month_usd, Some(12_660.025));
    assert!(c.steady_state && c.no_steady_state.is_none());
    // The average over the run is the total over its length, ramp included: what "cost per hour" used to be.
    assert!((s.average_cost_per_hour_usd - s.cost_usd / s.end_s * 3600.0).abs() < 1e-3);
    assert!(s.average_cost_per_hour_usd < 9.0, "{}", s.average_cost_per_hour_usd);
    // Rollout cost: what the run had cost when the service was first steady; afterwards it runs at the steady rate.
    assert_eq!(c.rollout_s, s.services[0].first_steady_s);
    assert_eq!(c.rollout_s, s.completion_s);
    let after = s.end_s - c.rollout_s.unwrap();
    let expected_total = c.rollout_usd.unwrap() + 17.3425 * after / 3600.0;
    assert!((s.cost_usd - expected_total).abs() < 2e-4, "{} vs {expected_total}", s.cost_usd);
    // All On-Demand already: the baseline is the cost, nothing saved.
    assert_eq!((c.on_demand_baseline_usd, c.savings_vs_on_demand_usd), (s.cost_usd, 0.0));
    assert_eq!(c.on_demand_steady_per_hour_usd, Some(17.3425));
}

/// `ec2-warm-1000`: 60 c5.2xlarge instances at $0.34 an hour (`instance_types.rs`) run from the start, whatever the
/// tasks do, so once steady the fleet costs 60 x $0.34 = $20.40 an hour. Beside Fargate's $17.3425 for the same
/// 1,000 tasks, Fargate is (20.40 - 17.3425) / 20.40 = 15.0% cheaper: the README's "about 15%, not 2.6 times"
/// (2.6 is what the run averages, $7.90 an hour with Fargate's ramp, made of it).
#[test]
fn warm_ec2_steady_rate_is_its_instances_and_fargate_is_15_percent_cheaper() {
    let warm = preset_summary("ec2-warm-1000");
    // 60 x $0.34 = $20.40 an hour; x 730 hours = $14,892 a month.
    assert_eq!(warm.costs.steady_per_hour_usd, Some(20.4));
    assert_eq!(warm.costs.steady_per_month_usd, Some(14_892.0));
    let fargate = preset_summary("fargate-ondemand-1000");
    let cheaper = (20.4 - fargate.costs.steady_per_hour_usd.unwrap()) / 20.4 * 100.0;
    assert!((cheaper - 15.0).abs() < 0.05, "{cheaper}");
    // The README's average for the same preset and seed: $7.90 an hour over a run of 204 s.
    assert_eq!(format!("{:.2} {:.0}", fargate.average_cost_per_hour_usd, fargate.end_s), "7.90 204");
}

/// `fargate-spot-1000`: the same tasks on Fargate Spot at 67% off the vCPU and memory price (the address costs the
/// same): $0.0123425 x 0.33 + $0.005 = $0.004073025 + $0.005 = $0.009073025 a task-hour. The baseline prices the same task-seconds at the
/// Fargate price, so the run saves exactly 67/33 of its Fargate Spot compute cost.
#[test]
fn fargate_spot_savings_against_on_demand_are_the_hand_arithmetic() {
    let s = preset_summary("fargate-spot-1000");
    let c = &s.costs;
    // 1,000 x $0.009073025 = $9.073025, rounded to 4 decimals.
    assert_eq!(c.steady_per_hour_usd, Some(9.073));
    assert_eq!(c.on_demand_steady_per_hour_usd, Some(17.3425));
    let spot_compute = capacity_usd(&s, CapacityType::FargateSpot);
    let expected = spot_compute * 67.0 / 33.0;
    assert!((c.savings_vs_on_demand_usd - expected).abs() < 1e-3, "{} vs {expected}", c.savings_vs_on_demand_usd);
    assert!((c.on_demand_baseline_usd - (s.cost_usd + expected)).abs() < 1e-3);
    assert_eq!(c.billed_usd, s.cost_usd, "no commitments: billed is cost_usd");
    let percent = c.savings_vs_on_demand_usd / c.on_demand_baseline_usd * 100.0;
    assert!((c.savings_vs_on_demand_percent - percent).abs() < 0.06);
}

/// EC2 Spot at 60% off: the baseline prices each Spot instance-second at its On-Demand price, so the savings are
/// 60/40 of the EC2 Spot cost; load balancers are in both.
#[test]
fn ec2_spot_savings_count_the_instances_at_on_demand() {
    let s = preset_summary("ec2-spot-draining");
    let c = &s.costs;
    let spot = capacity_usd(&s, CapacityType::Ec2Spot);
    assert!((c.savings_vs_on_demand_usd - spot * 60.0 / 40.0).abs() < 1e-3, "{} vs {spot}", c.savings_vs_on_demand_usd);
    let lb = s.cost_breakdown.load_balancer_hours_usd;
    let (steady, od) = (c.steady_per_hour_usd.unwrap(), c.on_demand_steady_per_hour_usd.unwrap());
    // Two services, two ALBs at $0.0225 an hour: (steady - ALBs) is 40% of (On-Demand - ALBs).
    assert!(lb > 0.0);
    assert!(((steady - 0.045) - 0.4 * (od - 0.045)).abs() < 1e-3, "{steady} vs {od}");
}

/// With commitments the baseline takes them out too: savings are against what was billed with them.
#[test]
fn savings_count_commitments_against_the_on_demand_baseline() {
    let s = preset_summary("savings-plan-breakeven");
    let c = &s.costs;
    let with = s.commitments.as_ref().unwrap().cost_with_usd;
    assert_eq!(c.billed_usd, with);
    assert!((c.savings_vs_on_demand_usd - (c.on_demand_baseline_usd - with)).abs() < 1e-3);
}

/// Demand that moves all day has no steady state: only the average over the run, named as such.
#[test]
fn moving_demand_has_no_steady_state() {
    let s = preset_summary("two-knobs-morning-ramp");
    let c = &s.costs;
    assert!(!c.steady_state);
    assert!(c.no_steady_state.as_deref().is_some_and(|why| why.contains("demand")), "{:?}", c.no_steady_state);
    assert_eq!((c.steady_per_hour_usd, c.steady_per_month_usd, c.steady_since_s), (None, None, None));
    assert!(s.average_cost_per_hour_usd > 0.0);
}

/// "Steady at" tells the first rollout from later ones, and the launch rate is over the first ramp: in
/// `ec2-spot-draining` each service is steady after its first rollout, then again after replacing the
/// interrupted tasks; 48 tasks over the first ramp, not over the time to the last steady moment.
#[test]
fn steady_at_separates_the_first_rollout_from_later_ones() {
    let s = preset_summary("ec2-spot-draining");
    for svc in &s.services {
        let first = svc.first_steady_s.unwrap();
        let last = svc.steady_s.unwrap();
        assert!(svc.later_rollouts >= 1 && first < last, "{}: {first} then {last}", svc.name);
        let rate = svc.launch_rate_per_s.unwrap();
        assert!((rate - (f64::from(svc.desired) / first * 100.0).round() / 100.0).abs() < 1e-9, "{}", svc.name);
    }
    // The rollout ends when the last service's first rollout does.
    let latest = s.services.iter().map(|v| v.first_steady_s.unwrap()).fold(0.0, f64::max);
    assert_eq!(s.costs.rollout_s, Some(latest));
}

/// AWS Batch jobs come and go, so a Batch scenario has no steady state; and the page's timeline reaches the last
/// job's end (`batch-two-queue-priorities`: its instances run from the start, so no billing change marks the end).
#[test]
fn batch_has_no_steady_state_and_its_timeline_reaches_the_last_job() {
    let mut sim = Simulation::new(presets::get("batch-two-queue-priorities").unwrap().scenario().unwrap(), 1);
    sim.run_to_end();
    let s = sim.metrics();
    assert!(s.costs.no_steady_state.as_deref().is_some_and(|why| why.contains("AWS Batch")), "{:?}", s.costs);
    let batch = s.batch.as_ref().expect("Batch summary");
    let last_end_s = batch.makespan_s.expect("every job ended");
    let timeline_s = sim.timeline_end().as_millis() as f64 / 1000.0;
    assert!(timeline_s >= last_end_s, "timeline ends at {timeline_s} s, before the last job at {last_end_s} s");
}
