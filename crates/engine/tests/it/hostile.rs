//! Scenarios built to hurt (issue 14's findings): each is refused with a message naming the field and the limit,
//! or runs correctly. Nothing a scenario says may panic the engine, wrap an integer or ask for unbounded memory.

use fleetplan_engine::{RunBudget, Scenario, ScenarioError, Simulation};
use serde_json::{json, Value};

fn base() -> Value {
    json!({ "version": 1, "name": "t",
        "task_definitions": [{ "name": "web", "cpu": 256, "memory": 512 }],
        "services": [{ "name": "web", "task_definition": "web", "desired_count": 3 }] })
}

fn problems(value: &Value) -> Vec<String> {
    match Scenario::from_json(&value.to_string()) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

/// An EC2 service on one group with `zones` Availability Zones and the default spread over them.
fn ec2_over_zones(zones: usize) -> Value {
    let mut v = base();
    v["task_definitions"][0]["network_mode"] = "bridge".into();
    v["capacity_providers"] = json!([{ "name": "asg", "instance_types": ["m5.large"], "max_size": 4,
        "desired_capacity": 4, "availability_zones": (0..zones).map(|z| format!("zone-{z}")).collect::<Vec<_>>() }]);
    v["services"][0]["capacity_provider_strategy"] = json!([{ "capacity_provider": "asg", "weight": 1 }]);
    v["services"][0]["placement_strategy"] = json!([{ "type": "spread", "field": "attribute:ecs.availability-zone" }]);
    v
}

#[test]
fn sixty_five_thousand_zones_are_refused_not_a_panic() {
    // Was: valid, then `zones.len() as u16` wrapped to 0 and placement indexed out of bounds.
    let p = problems(&ec2_over_zones(65_536));
    assert_eq!(p, ["capacity_providers[0].availability_zones: at most 16 (the engine's limit (AWS Regions have at most 6)), got 65536"]);
}

#[test]
fn the_most_zones_allowed_run_and_spread() {
    let scenario = Scenario::from_json(&ec2_over_zones(16).to_string()).expect("16 zones are allowed");
    let mut sim = Simulation::new(scenario, 1);
    sim.run_to_end();
    assert_eq!(sim.metrics().services[0].running, 3);
}

#[test]
fn ten_thousand_groups_of_ten_thousand_are_refused_before_anything_is_allocated() {
    // Was: valid, then the run tried to allocate 15.5 GB.
    let mut v = base();
    v["capacity_providers"] = (0..10_000)
        .map(|i| json!({ "name": format!("p{i}"), "instance_types": ["m5.large"], "max_size": 10_000, "desired_capacity": 10_000 }))
        .collect();
    let p = problems(&v);
    assert_eq!(p, ["capacity_providers: at most 20 (the \"Capacity providers per cluster\" quota), got 10000"]);
}

#[test]
fn a_service_launch_rate_that_would_wrap_is_a_field_error() {
    // Was: 2^31 a minute wrapped the per-service bucket to 0 and nothing launched.
    let mut v = base();
    v["limits"] = json!({ "service_launch_per_minute_fargate": 2_147_483_648u64 });
    let p = problems(&v);
    assert_eq!(p, ["limits.service_launch_per_minute_fargate: must be between 1 and 1000000, got 2147483648"]);
}

#[test]
fn the_highest_service_launch_rate_allowed_launches() {
    let mut v = base();
    v["limits"] = json!({ "service_launch_per_minute_fargate": 1_000_000 });
    let mut sim = Simulation::new(Scenario::from_json(&v.to_string()).unwrap(), 1);
    sim.run_to_end();
    assert_eq!(sim.metrics().services[0].running, 3);
}

#[test]
fn tasks_are_counted_over_every_service_and_burst() {
    let mut v = base();
    v["limits"] = json!({ "tasks_per_service": 200_000 });
    v["services"] = (0..3)
        .map(|i| json!({ "name": format!("s{i}"), "task_definition": "web", "desired_count": 100_000 }))
        .collect();
    let p = problems(&v);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(
        p[0].starts_with("services: the services (at their largest") && p[0].contains("add up to 300000 tasks"),
        "{p:?}"
    );
}

#[test]
fn a_long_error_list_is_cut_with_a_count() {
    // Was: 65,536 errors printed 7 MB. Now the lists are bounded first, and the text form shows 50 at most.
    let mut v = base();
    v["services"] =
        (0..120).map(|i| json!({ "name": format!("s{i}"), "task_definition": "nope", "desired_count": 1 })).collect();
    let error = Scenario::from_json(&v.to_string()).unwrap_err();
    assert_eq!(error.problems().len(), 120);
    let text = error.to_string();
    assert_eq!(text.lines().count(), 1 + 50 + 1, "{text}");
    assert!(text.ends_with("... and 70 more problems"), "{text}");
    assert!(matches!(error, ScenarioError::Invalid(_)));
}

/// A crash loop for a week: 100 tasks that crash a second after starting (the 353-byte scenario made
/// 5 million tasks and 543 MB).
fn crash_loop_week() -> Scenario {
    let mut v = base();
    v["horizon_s"] = 604_800.into();
    v["task_definitions"][0]["failure"] = json!({ "crash_after_s": 1 });
    v["services"][0]["desired_count"] = 100.into();
    Scenario::from_json(&v.to_string()).unwrap()
}

#[test]
fn a_run_over_its_budget_stops_and_says_why() {
    let mut sim = Simulation::new(crash_loop_week(), 1);
    sim.set_budget(RunBudget { max_events: u64::MAX, max_tasks: 20_000 });
    sim.run_to_end();
    let summary = sim.metrics();
    let stop = summary.stopped_early.as_ref().expect("stopped by the budget");
    assert!(stop.reason.contains("budget of 20000 launched tasks"), "{}", stop.reason);
    assert!(stop.at_s > 0.0 && stop.at_s < 604_800.0);
    // Checked between events: the event that crossed the line may have launched a few more (a scheduler cycle).
    assert!((20_000..20_100).contains(&summary.tasks_launched), "{}", summary.tasks_launched);
    assert!(sim.is_finished() && sim.next_event_time().is_none());
    assert!(sim.trace().last().unwrap().to_string().contains("run stopped: the run's budget of 20000 launched tasks"));
    let json = serde_json::to_string(&summary).unwrap();
    assert!(json.contains("\"stopped_early\":{\"reason\""), "{json}");
}

#[test]
fn the_event_budget_stops_a_run_too_and_stepping_ends() {
    let mut sim = Simulation::new(crash_loop_week(), 1);
    sim.set_budget(RunBudget { max_events: 5_000, max_tasks: u64::MAX });
    // The page steps with a limit per frame; it must see the end, not spin.
    while !sim.step_until_limited(fleetplan_engine::SimTime::from_secs_f64(604_800.0), 1_000) {}
    assert_eq!(sim.events_processed(), 5_000);
    assert!(sim.stopped_early().unwrap().reason.contains("5000 events"));
}

#[test]
fn every_preset_runs_inside_the_default_budget() {
    for preset in fleetplan_engine::presets::all() {
        let mut sim = Simulation::with_options(
            preset.scenario().unwrap(),
            1,
            fleetplan_engine::RunOptions { trace: false, check_invariants: false, keep_finished_tasks: false },
        );
        sim.run_to_end();
        assert_eq!(sim.stopped_early(), None, "{}", preset.id);
    }
}

/// Issue 14's crash-loop week: a thousand tasks that crash as they start, for a week (5,019,840 tasks and
/// 25 million events without a budget). The CLI runs it in about 10 MB because stopped tasks are released.
const CRASH_LOOP_WEEK: &str = include_str!("../../../../tests/scenarios/crash-loop-week.json");

/// Runs the crash-loop week for `events` events, keeping finished tasks or not: the summary, series, view and
/// trace, and the tasks the simulation still holds.
fn crash_loop_outputs(keep_finished_tasks: bool, events: u64) -> (String, String, String, Vec<String>, usize) {
    let scenario = Scenario::from_json(CRASH_LOOP_WEEK).unwrap();
    let options = fleetplan_engine::RunOptions { trace: true, check_invariants: true, keep_finished_tasks };
    let mut sim = Simulation::with_options(scenario, 3, options);
    sim.set_budget(RunBudget { max_events: events, max_tasks: u64::MAX });
    sim.run_to_end();
    assert_eq!(sim.invariant_error(), None);
    let summary = serde_json::to_string(&sim.metrics()).unwrap();
    let view = serde_json::to_string(&sim.view()).unwrap();
    let trace = sim.trace().iter().map(ToString::to_string).collect();
    (summary, sim.series().to_csv(), view, trace, sim.tasks().len())
}

#[test]
fn stopped_tasks_are_released_and_nothing_a_run_shows_changes() {
    let kept = crash_loop_outputs(true, 60_000);
    let released = crash_loop_outputs(false, 60_000);
    assert_eq!(released.0, kept.0, "summary");
    assert_eq!(released.1, kept.1, "series");
    assert_eq!(released.2, kept.2, "view");
    assert!(released.3 == kept.3, "trace");
    let launched: u64 = serde_json::from_str::<Value>(&kept.0).unwrap()["tasks_launched"].as_u64().unwrap();
    assert!(launched > 10_000, "{launched}");
    assert_eq!(kept.4 as u64, launched);
    // At most the live tasks (1,000) and the stopped ones since the last release (at least 1,024, at least half).
    assert!(released.4 <= 3_000, "{} tasks held of {launched}", released.4);
}
