//! The presets' lessons (issue 13, lesson mode): every teaching preset has one, in English and Japanese, its step
//! times are on the run's timeline, and what the steps state is true of the run. A step states no number that is
//! not in its scenario's own file unless a check below proves it.

use std::collections::BTreeSet;

use fleetplan_engine::output::TraceWhat;
use fleetplan_engine::presets;
use fleetplan_engine::time::SimTime;
use fleetplan_engine::{InstanceState, RunOptions, Simulation};

/// The presets that teach (not the calibration rows, not the stress benchmark).
fn teaching() -> impl Iterator<Item = &'static presets::Preset> {
    presets::all().iter().filter(|p| p.published_s.is_none() && p.id != "stress-100k")
}

/// The digit runs of a text.
fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            current.push(c);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    out
}

/// Numbers a step may state beyond its file's, each proved by [`counts_the_steps_state`] or
/// [`spot_warnings_come_two_minutes_ahead`].
fn proved(id: &str) -> &'static [&'static str] {
    match id {
        "fargate-three-services" | "managed-instances-vs-asg" | "flash-sale-fargate-vs-ec2" => &["3"],
        "batch-allocation-under-shortage" => &["3"],
        "fargate-vs-ec2-six-services" => &["6"],
        "fargate-spot-interruption" | "ec2-spot-draining" => &["2"],
        _ => &[],
    }
}

#[test]
fn every_teaching_preset_has_a_lesson_in_both_languages_on_its_timeline() {
    let mut late = Vec::new();
    for preset in teaching() {
        let scenario = preset.scenario().unwrap_or_else(|e| panic!("{}: {e}", preset.id));
        assert!(scenario.lesson.len() >= 2, "{}: a lesson of at least two steps", preset.id);
        let mut spec = scenario.spec.clone();
        spec.lesson = None;
        let file = serde_json::to_string(&spec).expect("serialises");
        let known: BTreeSet<String> =
            numbers(&file).into_iter().chain(proved(preset.id).iter().map(|s| s.to_string())).collect();
        for (i, step) in scenario.lesson.iter().enumerate() {
            let ja = step.text_ja.as_deref().unwrap_or_else(|| panic!("{} step {i}: no text_ja", preset.id));
            for n in numbers(&step.text).into_iter().chain(numbers(ja)) {
                assert!(known.contains(&n), "{} step {i} states {n}, which nothing checks", preset.id);
            }
        }
        let options = RunOptions { trace: false, check_invariants: false, keep_finished_tasks: false };
        let mut sim = Simulation::with_options(scenario.clone(), 1, options);
        sim.run_to_end();
        let end = sim.timeline_end();
        for (i, step) in scenario.lesson.iter().enumerate() {
            if let Some(at) = step.at.filter(|&at| at > end) {
                late.push(format!("{} step {i} at {at} is past the timeline's end {end}", preset.id));
            }
        }
    }
    assert!(late.is_empty(), "{late:#?}");
}

#[test]
fn counts_the_steps_state() {
    let services = |id: &str| presets::get(id).unwrap().scenario().unwrap().services.len();
    assert_eq!(services("fargate-three-services"), 3);
    assert_eq!(services("managed-instances-vs-asg"), 3);
    assert_eq!(services("flash-sale-fargate-vs-ec2"), 3);
    let six = presets::get("fargate-vs-ec2-six-services").unwrap().scenario().unwrap();
    let on_fargate = six.services.iter().filter(|s| s.name.starts_with("fargate-")).count();
    assert_eq!((on_fargate, six.services.len() - on_fargate), (6, 6));
    let batch = presets::get("batch-allocation-under-shortage").unwrap().scenario().unwrap();
    assert_eq!(batch.spec.batch.as_ref().unwrap().compute_environments.len(), 3);
}

/// "Two-minute warning" (fargate-spot-interruption) and "terminated two minutes after the notice"
/// (ec2-spot-draining, whose third step is at the termination).
#[test]
fn spot_warnings_come_two_minutes_ahead() {
    assert_eq!(fleetplan_engine::defaults::SPOT_WARNING_S, 120.0);
    let mut sim = Simulation::new(presets::get("ec2-spot-draining").unwrap().scenario().unwrap(), 1);
    sim.run_to_end();
    let at = |t: u64, f: &dyn Fn(&TraceWhat) -> bool| sim.trace().iter().any(|e| e.time == SimTime(t) && f(&e.what));
    assert!(at(600_000, &|w| matches!(w, TraceWhat::SpotNotice { .. })));
    assert!(at(720_000, &|w| matches!(w, TraceWhat::Instance { state: InstanceState::Terminated, .. })));
    let step = &presets::get("ec2-spot-draining").unwrap().scenario().unwrap().lesson[2];
    assert_eq!(step.at, Some(SimTime(720_000)));
    let mut sim = Simulation::new(presets::get("fargate-spot-interruption").unwrap().scenario().unwrap(), 1);
    sim.step_until(SimTime(600_000));
    assert!(sim.trace().iter().any(|e| e.time == SimTime(600_000) && matches!(e.what, TraceWhat::SpotWarning { .. })));
}

/// two-knobs-morning-ramp's second step: once the ramp starts, scaling actions (marked on the charts) raise the
/// desired count; its third: tasks wait in PROVISIONING while the group's instances boot.
#[test]
fn the_morning_ramp_scales_after_its_step() {
    let mut sim = Simulation::new(presets::get("two-knobs-morning-ramp").unwrap().scenario().unwrap(), 1);
    sim.run_to_end();
    let marks = sim.event_markers();
    assert!(
        marks
            .iter()
            .any(|m| m.label.to_string().starts_with("web scaled to") && (3600.0..10_800.0).contains(&m.time_s)),
        "{marks:?}"
    );
    assert!(marks.iter().any(|m| m.label.to_string() == "asg scales out" && m.time_s > 3600.0), "{marks:?}");
}
