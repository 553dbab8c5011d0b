//! The fit's unit tests: the measured-curve parsers and their errors, the comparison, and the search recovering
//! known settings and the calibration rows' defaults.

use super::measured::{iso_seconds, started_tasks, MAX_POINTS};
use super::*;
use crate::presets;

fn curve(kind: CurveKind, points: &[(f64, f64)]) -> MeasuredCurve {
    MeasuredCurve { kind, points: points.iter().map(|&(time_s, count)| MeasuredPoint { time_s, count }).collect() }
}

// ---- CSV ----

#[test]
fn csv_reads_rows_with_or_without_a_header() {
    let c = parse_csv("0,0\n10,5\r\n\n# a comment\n20.5,9\n").unwrap();
    assert_eq!(c, curve(CurveKind::Running, &[(0.0, 0.0), (10.0, 5.0), (20.5, 9.0)]));
    let c = parse_csv("time_s,running\n0,0\n30,10\n").unwrap();
    assert_eq!(c.kind, CurveKind::Running);
    let c = parse_csv("time_s;launched\n0;0\n30;10\n").unwrap();
    assert_eq!(c, curve(CurveKind::Launched, &[(0.0, 0.0), (30.0, 10.0)]));
    let c = parse_csv("seconds\tstarted tasks\n5\t1\n").unwrap();
    assert_eq!(c.kind, CurveKind::Launched);
}

#[test]
fn csv_errors_name_the_line_and_column() {
    let e = parse_csv("time_s,count\n0,0\n10,x\n").unwrap_err();
    assert_eq!(e.place, "line 3, column 2");
    assert!(e.message.contains("`x` is not a number"), "{e}");
    let e = parse_csv("0,0\n-1,3\n").unwrap_err();
    assert_eq!(e.place, "line 2, column 1");
    assert!(e.message.contains("outside 0 to"), "{e}");
    let e = parse_csv("0,0\n10,2\n10,3\n").unwrap_err();
    assert_eq!(
        (e.place.as_str(), e.message.as_str()),
        ("line 3, column 1", "time_s 10 is not after the previous row's 10")
    );
    let e = parse_csv("0,0,1\n").unwrap_err();
    assert_eq!(e.place, "line 1");
    let e = parse_csv("0,NaN\n").unwrap_err();
    assert!(e.message.contains("finite"), "{e}");
    let e = parse_csv("0,1e7\n").unwrap_err();
    assert!(e.message.contains("outside 0 to 1000000"), "{e}");
    let e = parse_csv("time_s,count\n\n").unwrap_err();
    assert!(e.message.contains("no rows"), "{e}");
}

#[test]
fn csv_rows_and_size_are_bounded() {
    let rows: String = (0..=MAX_POINTS).map(|i| format!("{i},1\n")).collect();
    let e = parse_csv(&rows).unwrap_err();
    assert_eq!(e.place, format!("line {}", MAX_POINTS + 1));
    let big = "0,0\n".repeat(measured::MAX_MEASURED_BYTES / 4 + 1);
    assert!(parse_csv(&big).unwrap_err().message.contains("MiB"));
}

// ---- Service events ----

#[test]
fn the_started_message_is_read() {
    assert_eq!(started_tasks("(service web) has started 10 tasks: (task a) (task b)."), Some(("web", 10)));
    assert_eq!(started_tasks("(service my-api) has started 1 tasks: (task a)."), Some(("my-api", 1)));
    assert_eq!(started_tasks("(service web) has reached a steady state."), None);
    assert_eq!(started_tasks("(service web) has stopped 2 running tasks: (task a)."), None);
}

#[test]
fn iso_times_read_as_seconds_since_1970() {
    assert_eq!(iso_seconds("1970-01-01T00:00:00Z"), Some(0.0));
    // 2017-11-16T05:57:21.408Z is the AWS CLI v1 number 1510811841.408 printed as ISO 8601.
    assert_eq!(iso_seconds("2017-11-16T05:57:21.408Z"), Some(1_510_811_841.408));
    assert_eq!(iso_seconds("2017-11-16T07:57:21+02:00"), Some(1_510_811_841.0));
    assert_eq!(iso_seconds("2026-04-30T02:05:31.480000+00:00"), Some(1_777_514_731.48));
    assert_eq!(iso_seconds("2026-04-30 02:05:31Z"), Some(1_777_514_731.0));
    for bad in ["2026-13-01T00:00:00Z", "2026-04-30T02:05:31", "yesterday", "2026-04-30T02:05:31.Z", ""] {
        assert_eq!(iso_seconds(bad), None, "{bad}");
    }
}

const EVENTS: &str = r#"{"services": [{"serviceName": "web", "events": [
  {"id": "4", "createdAt": "2026-04-30T02:01:10.000000+00:00", "message": "(service web) has reached a steady state."},
  {"id": "3", "createdAt": "2026-04-30T02:00:40.500000+00:00", "message": "(service web) has started 5 tasks: (task c) (task d) (task e) (task f) (task g)."},
  {"id": "2", "createdAt": "2026-04-30T02:00:10.000000+00:00", "message": "(service web) has started 10 tasks: (task a) (task b)."},
  {"id": "1", "createdAt": "2026-04-30T02:00:00.000000+00:00", "message": "(service web) registered 2 targets in (target-group arn:x)"}
]}, {"serviceName": "worker", "events": []}], "failures": []}"#;

#[test]
fn describe_services_events_become_a_launched_curve() {
    let c = parse_service_events(EVENTS, Some("web")).unwrap();
    assert_eq!(c, curve(CurveKind::Launched, &[(0.0, 10.0), (30.5, 15.0)]));
    // parse_measured tells JSON from CSV.
    assert_eq!(parse_measured(EVENTS, Some("web")).unwrap(), c);
    // AWS CLI v1 numbers, a bare list, the same instant twice.
    let v1 = r#"[{"message": "(service s) has started 2 tasks: (task a).", "createdAt": 1510811841.408},
                 {"message": "(service s) has started 3 tasks: (task b).", "createdAt": 1510811841.408},
                 {"message": "(service s) has started 1 tasks: (task c).", "createdAt": 1510811851.408}]"#;
    assert_eq!(parse_service_events(v1, None).unwrap(), curve(CurveKind::Launched, &[(0.0, 5.0), (10.0, 6.0)]));
}

#[test]
fn events_errors_name_the_field() {
    let e = parse_service_events(EVENTS, None).unwrap_err();
    assert_eq!(e.place, "services");
    assert!(e.message.contains("name one of web, worker"), "{e}");
    let e = parse_service_events(EVENTS, Some("api")).unwrap_err();
    assert!(e.message.contains("no service named `api`"), "{e}");
    let e = parse_service_events(EVENTS, Some("worker")).unwrap_err();
    assert!(e.message.contains("nothing to measure"), "{e}");
    let bad_time = r#"{"events": [{"message": "(service s) has started 2 tasks: (task a).", "createdAt": "noon"}]}"#;
    let e = parse_service_events(bad_time, None).unwrap_err();
    assert_eq!(e.place, "events[0].createdAt");
    let e = parse_service_events("{\"events\": [1,", None).unwrap_err();
    assert!(e.place.starts_with("line 1, column"), "{e}");
}

// ---- Comparison ----

#[test]
fn the_comparison_measures_count_and_time_errors() {
    // Simulated: one task at 10 s, 20 s, 30 s, 40 s.
    let sim = SimulatedCurve { times_ms: vec![10_000, 20_000, 30_000, 40_000], end_ms: 100_000 };
    assert_eq!((sim.count_at(25.0), sim.time_to(3.0), sim.time_to(5.0)), (2.0, Some(30.0), None));
    let m = curve(CurveKind::Running, &[(0.0, 0.0), (20.0, 1.0), (30.0, 4.0), (50.0, 4.0)]);
    let c = compare(&sim, &m, 4, 3600.0);
    // Counts: (0-0), (2-1), (3-4), (4-4): sqrt(2/4).
    assert_eq!(c.rmse_tasks, round3(libm::sqrt(0.5)));
    // Times to reach 1 and 4 (the rising points; 0 and the plateau are not levels): 10-20, 40-30: sqrt(100).
    assert_eq!(c.rmse_s, 10.0);
    assert_eq!(c.measured, Milestones { t50_s: Some(30.0), t90_s: Some(30.0), t100_s: Some(30.0) });
    assert_eq!(c.simulated, Milestones { t50_s: Some(20.0), t90_s: Some(40.0), t100_s: Some(40.0) });
    // A level never reached counts as reached at the end of the run (the horizon at the least).
    let m = curve(CurveKind::Running, &[(50.0, 6.0)]);
    assert_eq!(compare(&sim, &m, 6, 3600.0).rmse_s, 3550.0);
    // Points past the horizon are not compared.
    assert_eq!(compare(&sim, &m, 6, 40.0).points, 0);
}

// ---- The fit ----

/// A preset with its service's desired count changed (a smaller run for the debug-build tests).
fn preset_with(id: &str, desired: u32) -> Scenario {
    let mut spec = presets::get(id).unwrap().scenario().unwrap().spec;
    spec.services[0].desired_count = desired;
    Scenario::from_spec(spec).unwrap()
}

/// The running curve a run of `scenario` with `path` set to `value` and `seed` makes, sampled every 5 s: what a
/// user would export from CloudWatch.
fn generated(scenario: &Scenario, path: &str, value: f64, seed: u64) -> MeasuredCurve {
    let axis = Axis::parse(&format!("{path}={value}..{value}:2")).unwrap();
    let spec = FitSpec { params: vec![axis], seeds: 1, base_seed: seed, rounds: 1, ..FitSpec::default() };
    let fit = Fit::new(spec, scenario, curve(CurveKind::Running, &[(0.0, 0.0)])).unwrap();
    let (_, sim) = fit.evaluate_on(fit.scenario_with(Some(&[value])).unwrap(), seed);
    let end = sim.times_ms.last().copied().unwrap_or(0) / 1000 + 10;
    let points = (0..=end / 5).map(|i| (i as f64 * 5.0, sim.count_at(i as f64 * 5.0))).collect::<Vec<_>>();
    curve(CurveKind::Running, &points)
}

/// The fit recovers a setting from a curve the engine made with another value and another seed: within 15% of
/// it (the spread of one setting's effect over seeds: the slowest of a few hundred draws of a ±30% latency).
#[test]
fn the_fit_recovers_a_fargate_capacity_latency() {
    let scenario = preset_with("fargate-ondemand-1000", 200);
    let truth = 70.0;
    let measured = generated(&scenario, "latencies.fargate_capacity.mean_s", truth, 99);
    let spec = FitSpec {
        params: vec![Axis::parse("latencies.fargate_capacity.mean_s=5..125:7").unwrap()],
        seeds: 2,
        rounds: 3,
        ..FitSpec::default()
    };
    let fit = Fit::new(spec, &scenario, measured).unwrap();
    assert_eq!(fit.runs(), 2 * (2 + 3 * 7));
    let report = run_serial(&fit).unwrap();
    let p = &report.params[0];
    assert!((p.fitted - truth).abs() <= 0.15 * truth, "fitted {} for {truth}: {report:?}", p.fitted);
    assert_eq!(p.current, Some(crate::defaults::FARGATE_CAPACITY.mean_s));
    let (before, after) = (report.before_rmse_s.unwrap(), report.after_rmse_s.unwrap());
    assert!(after < before / 2.0, "before {before} s, after {after} s");
    assert_eq!(report.runs, fit.runs());
}

#[test]
fn the_fit_recovers_an_agent_handoff_on_ec2() {
    let scenario = preset_with("ec2-warm-1000", 150);
    let truth = 40.0;
    let measured = generated(&scenario, "latencies.agent_handoff.mean_s", truth, 7);
    let spec = FitSpec { seeds: 2, rounds: 2, ..FitSpec::default() };
    let fit = Fit::new(spec, &scenario, measured).unwrap();
    // Suggested for warm EC2: the hand-off only (no instance is launched).
    assert_eq!(
        fit.spec().params.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(),
        ["latencies.agent_handoff.mean_s"]
    );
    let report = run_serial(&fit).unwrap();
    let p = &report.params[0];
    assert!((p.fitted - truth).abs() <= 0.15 * truth, "fitted {} for {truth}: {report:?}", p.fitted);
}

/// The published completion time of a calibration row, fitted over the setting calibrated on it, gives back the
/// default within the seeds' spread (widened by the last pass's grid step, the resolution of the search).
#[test]
fn calibration_rows_fit_back_to_the_defaults() {
    let cases = [
        (
            "fargate-ondemand-1000",
            "latencies.fargate_capacity.mean_s=5..125:7",
            crate::defaults::FARGATE_CAPACITY.mean_s,
        ),
        ("ec2-warm-1000", "latencies.agent_handoff.mean_s=1..61:7", crate::defaults::AGENT_HANDOFF.mean_s),
    ];
    for (id, param, default) in cases {
        let preset = presets::get(id).unwrap();
        let published = preset.published_s.unwrap();
        let measured = curve(CurveKind::Running, &[(0.0, 0.0), (published, 1000.0)]);
        let spec = FitSpec { params: vec![Axis::parse(param).unwrap()], seeds: 3, rounds: 2, ..FitSpec::default() };
        let fit = Fit::new(spec, &preset.scenario().unwrap(), measured).unwrap();
        let report = run_serial(&fit).unwrap();
        let p = &report.params[0];
        let axis = &fit.spec().params[0];
        let step = (axis.to - axis.from) / f64::from(axis.steps - 1) * 2.0 / f64::from(axis.steps - 1);
        assert!(
            p.min - step <= default && default <= p.max + step,
            "{id}: {default} outside {}..{} (± {step})",
            p.min,
            p.max
        );
    }
}

#[test]
fn the_search_is_deterministic_and_bounded() {
    let scenario = preset_with("fargate-ondemand-1000", 60);
    let measured = curve(CurveKind::Running, &[(0.0, 0.0), (60.0, 30.0), (120.0, 60.0)]);
    let spec = FitSpec {
        params: vec![
            Axis::parse("latencies.fargate_capacity.mean_s=10..90:3").unwrap(),
            Axis::parse("latencies.image_pull_mb_per_s=5..80:3:log").unwrap(),
        ],
        seeds: 2,
        rounds: 2,
        ..FitSpec::default()
    };
    let fit = Fit::new(spec, &scenario, measured).unwrap();
    let a = run_serial(&fit).unwrap();
    let b = run_serial(&fit).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.runs, 2 * (2 + 2 * (3 + 3)));
    // Feeding the wrong number of evaluations is refused.
    let mut search = fit.search();
    assert!(search.feed(&fit, &[]).is_err());
}

#[test]
fn unset_settings_are_written_with_their_defaults() {
    let scenario = preset_with("fargate-ondemand-1000", 10);
    let spec = FitSpec {
        params: vec![Axis::parse("latencies.fargate_capacity.mean_s=5..125:7").unwrap()],
        ..FitSpec::default()
    };
    let fit = Fit::new(spec, &scenario, curve(CurveKind::Running, &[(0.0, 0.0)])).unwrap();
    let json = fit.scenario_json(Some(&[50.0])).unwrap();
    // The step keeps its default spread (a set step without one would read 0).
    assert_eq!(json["latencies"]["fargate_capacity"], serde_json::json!({"mean_s": 50.0, "spread": 0.3}));
    let applied = fit.scenario_with(Some(&[50.0])).unwrap();
    assert_eq!(applied.latencies.fargate_capacity.mean_ms, 50_000.0);
    assert_eq!(applied.latencies.fargate_capacity.spread, 0.3);
}

#[test]
fn bad_fit_settings_are_refused_by_name() {
    let scenario = preset_with("fargate-ondemand-1000", 10);
    let m = || curve(CurveKind::Running, &[(0.0, 0.0)]);
    let with = |spec: FitSpec| Fit::new(spec, &scenario, m()).unwrap_err();
    let e = with(FitSpec { service: Some("api".into()), ..FitSpec::default() });
    assert_eq!(e.field, "--service");
    let e = with(FitSpec { seeds: 0, ..FitSpec::default() });
    assert_eq!(e.field, "--seeds");
    let e = with(FitSpec { params: vec![Axis::parse("latencies.nope=1..2:3").unwrap()], ..FitSpec::default() });
    assert_eq!(e.field, "--param latencies.nope");
    let e = with(FitSpec {
        params: vec![Axis::parse("latencies.fargate_capacity.mean_s=1..2:50").unwrap()],
        ..FitSpec::default()
    });
    assert!(e.message.contains("STEPS"), "{e}");
    let many = (0..5).map(|_| Axis::parse("latencies.eni_attach.mean_s=1..2:3").unwrap()).collect();
    assert!(with(FitSpec { params: many, ..FitSpec::default() }).message.contains("at most 4"));
    let twice = vec![Axis::parse("latencies.eni_attach.mean_s=1..2:3").unwrap(); 2];
    assert!(with(FitSpec { params: twice, ..FitSpec::default() }).message.contains("twice"));
    let four = ["fargate_capacity", "eni_attach", "public_ip", "container_start"]
        .map(|s| Axis::parse(&format!("latencies.{s}.mean_s=1..2:21")).unwrap());
    let e = with(FitSpec { params: four.to_vec(), seeds: 32, rounds: 5, ..FitSpec::default() });
    assert!(e.message.contains("runs"), "{e}");
}

/// Untrusted text: mutations of valid inputs (bytes replaced, cut, repeated) are read or refused, never a panic,
/// and what is read keeps the curve's promises (1 to MAX_POINTS points, increasing times, bounded numbers).
#[test]
fn mutated_measurements_never_panic() {
    let seeds = [
        "time_s,running\n0,0\n10,5\n20.5,9\n".to_string(),
        EVENTS.to_string(),
        r#"[{"message": "(service s) has started 2 tasks: (task a).", "createdAt": 1510811841.408}]"#.to_string(),
    ];
    let alphabet = b"0123456789.,;\t\n\r-+eE:TZ\"{}[]() abcdefghinorstuvw#";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap() % n.max(1)
    };
    for round in 0..3000 {
        let mut bytes = seeds[round % seeds.len()].clone().into_bytes();
        for _ in 0..1 + next(4) {
            match next(3) {
                0 if !bytes.is_empty() => {
                    let at = next(bytes.len());
                    bytes[at] = alphabet[next(alphabet.len())];
                }
                1 if !bytes.is_empty() => bytes.truncate(next(bytes.len())),
                _ => {
                    let at = next(bytes.len() + 1);
                    bytes.insert(at, alphabet[next(alphabet.len())]);
                }
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        for service in [None, Some("web")] {
            if let Ok(c) = parse_measured(&text, service) {
                assert!(!c.points.is_empty() && c.points.len() <= MAX_POINTS);
                assert!(c.points.windows(2).all(|w| w[0].time_s < w[1].time_s), "{text}");
                assert!(c.points.iter().all(|p| p.time_s.is_finite() && p.count.is_finite() && p.count >= 0.0));
            }
        }
    }
}

// ---- The limits profile: a choice ----

/// A curve the engine made under the `current` limits profile (EC2 services launch 500 tasks a minute, not 250)
/// is fitted back to that profile, searched as a choice beside a numeric setting; the 2022 profile's error is
/// reported beside it and is larger.
#[test]
fn the_fit_recovers_the_limits_profile() {
    let scenario = preset_with("ec2-warm-1000", 300);
    assert_eq!(scenario.spec.limits.profile, crate::spec::LimitsProfile::Y2022);
    let mut spec = scenario.spec.clone();
    spec.limits.profile = crate::spec::LimitsProfile::Current;
    let truth = Scenario::from_spec(spec).unwrap();
    let measured = generated(&truth, "latencies.agent_handoff.mean_s", crate::defaults::AGENT_HANDOFF.mean_s, 11);
    let spec = FitSpec {
        params: vec![Axis::parse("latencies.agent_handoff.mean_s=1..41:3").unwrap()],
        choice: Some(Choice::parse("limits.profile").unwrap()),
        seeds: 2,
        rounds: 1,
        ..FitSpec::default()
    };
    let fit = Fit::new(spec, &scenario, measured).unwrap();
    // The defaults once, then for each of the 2 options 3 values and the fitted runs, per seed.
    assert_eq!(fit.runs(), 2 * (1 + 2 * (1 + 3)));
    let report = run_serial(&fit).unwrap();
    assert_eq!(report.runs, fit.runs());
    let choice = report.choice.as_ref().unwrap();
    assert_eq!((choice.current.as_str(), choice.fitted.as_str()), ("2022", "current"), "{report:?}");
    let errors: Vec<f64> = choice.options.iter().map(|o| o.after_rmse_s.unwrap()).collect();
    assert_eq!(choice.options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>(), ["2022", "current"]);
    assert!(errors[1] < errors[0] / 2.0, "{errors:?}");
    assert_eq!(report.after_rmse_s, Some(errors[1]));
    // Applied: the profile is written, the limits it decides stay unset.
    let json = fit.fitted_json(&report).unwrap();
    assert_eq!(json["limits"]["profile"], "current");
    assert!(json["limits"].get("service_launch_per_minute_ec2").is_none(), "{}", json["limits"]);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["choice"]["fitted"], "current");
}

#[test]
fn a_choice_is_parsed_and_checked() {
    assert!(Choice::is_choice("limits.profile") && Choice::is_choice("limits.profile=2022,current"));
    assert!(!Choice::is_choice("latencies.agent_handoff.mean_s=1..2:3"));
    assert_eq!(Choice::parse("limits.profile").unwrap().options, ["2022", "current"]);
    assert_eq!(Choice::parse("limits.profile=current,2022").unwrap().text(), "limits.profile=current,2022");
    let e = Choice::parse("limits.profile=2022,2019").unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.message.as_str()),
        ("--param limits.profile", "`2019` is not one of 2022, current")
    );
    assert!(Choice::parse("limits.profile=2022").unwrap_err().message.contains("at least two"));
    assert!(Choice::parse("limits.profile=2022,2022").unwrap_err().message.contains("twice"));
    assert!(Choice::parse("limits.nope").unwrap_err().message.contains("not a choice"));
    // Only the choice: the numeric settings are the suggested ones, searched for each option.
    let scenario = preset_with("ec2-warm-1000", 10);
    let spec =
        FitSpec { choice: Some(Choice::parse("limits.profile").unwrap()), seeds: 1, rounds: 1, ..FitSpec::default() };
    let fit = Fit::new(spec, &scenario, curve(CurveKind::Running, &[(0.0, 0.0)])).unwrap();
    assert_eq!(fit.spec().params.len(), 1);
    assert_eq!(fit.runs(), 1 + 2 * (1 + 7));
}
