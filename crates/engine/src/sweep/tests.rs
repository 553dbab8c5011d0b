//! Unit tests of the sweep module: paths, ranges, rounding, expansion order, percentiles, the goal, shards.

use super::*;

/// A small scenario: one Fargate service of 6 tasks, quick to run many times.
fn small() -> ScenarioSpec {
    crate::scenario::parse_spec(
        r#"{
          "version": 1, "name": "six tasks", "horizon_s": 900,
          "task_definitions": [{ "name": "web", "cpu": 256, "memory": 512, "image_mb": 100 }],
          "services": [{ "name": "web", "task_definition": "web", "desired_count": 6,
                         "capacity_provider_strategy": [{ "capacity_provider": "FARGATE", "weight": 1 }] }]
        }"#,
    )
    .unwrap()
}

fn args(set: &[&str], seeds: u32) -> SweepArgs {
    SweepArgs {
        set: set.iter().map(|s| s.to_string()).collect(),
        seeds,
        base_seed: 1,
        minimize: None,
        require: Vec::new(),
        confidence: None,
    }
}

fn sweep(a: &SweepArgs) -> Sweep {
    Sweep::new(SweepSpec::parse(a).unwrap(), &small()).unwrap()
}

fn err(a: &SweepArgs) -> SweepError {
    match SweepSpec::parse(a) {
        Err(e) => e,
        Ok(spec) => Sweep::new(spec, &small()).unwrap_err(),
    }
}

fn all(sweep: &Sweep) -> Vec<RunResult> {
    (0..sweep.runs()).map(|r| sweep.execute(r).unwrap()).collect()
}

#[test]
fn paths_read_as_field_errors_print_them() {
    assert_eq!(
        parse_path("services[0].desired_count").unwrap(),
        vec![Segment::Key("services".into()), Segment::Index(0), Segment::Key("desired_count".into())]
    );
    assert_eq!(
        parse_path("a.b[2][3].c").unwrap(),
        vec![
            Segment::Key("a".into()),
            Segment::Key("b".into()),
            Segment::Index(2),
            Segment::Index(3),
            Segment::Key("c".into())
        ]
    );
    assert_eq!(path_prefix(&parse_path("services[10].cpu").unwrap()), "services[10].cpu");
    for bad in ["", "a..b", "a[", "a[x]", "a[]", "a[0]b", ".a"] {
        assert!(parse_path(bad).is_err(), "{bad}");
    }
    // The paths a FieldError prints work here: the validator's own error for a bad desired count.
    let mut spec = small();
    spec.services[0].desired_count = 6_000;
    let field = Scenario::from_spec(spec).unwrap_err().problems()[0].field.clone();
    assert_eq!(field, "services[0].desired_count");
    assert!(Sweep::new(SweepSpec::parse(&args(&[&format!("{field}=1..2:2")], 1)).unwrap(), &small()).is_ok());
}

#[test]
fn a_value_replaces_a_number_or_adds_an_optional_setting() {
    let mut v = serde_json::json!({ "a": { "b": [1, 2.5] }, "s": "text" });
    set_number(&mut v, &parse_path("a.b[1]").unwrap(), Number::from(7u64)).unwrap();
    assert_eq!(v["a"]["b"][1], 7);
    set_number(&mut v, &parse_path("a.c").unwrap(), Number::from(3u64)).unwrap();
    assert_eq!(v["a"]["c"], 3, "a key missing from an existing object is added");
    let e = set_number(&mut v, &parse_path("x.y").unwrap(), Number::from(1u64)).unwrap_err();
    assert!(e.contains("`x` is not in the scenario"), "{e}");
    let e = set_number(&mut v, &parse_path("a.b[5]").unwrap(), Number::from(1u64)).unwrap_err();
    assert!(e.contains("`a.b[5]` is not in the scenario (the list has 2 item(s))"), "{e}");
    let e = set_number(&mut v, &parse_path("s").unwrap(), Number::from(1u64)).unwrap_err();
    assert!(e.contains("`s` is text, not a number"), "{e}");
}

#[test]
fn the_format_says_whether_a_field_is_whole() {
    let s = sweep(&args(&["services[0].desired_count=1..3:3", "latencies.scheduler_cycle_s=2..8:2"], 1));
    assert_eq!(s.kinds(), &[NumberKind::Integer, NumberKind::Float]);
    let s = sweep(&args(&["limits.tasks_per_service=10..20:2", "horizon_s=600..900:2"], 1));
    assert_eq!(s.kinds(), &[NumberKind::Integer, NumberKind::Float], "an unset optional setting is found too");
    let e = err(&args(&["name=1..2:2"], 1));
    assert_eq!(e.field, "--set name");
    assert!(e.message.contains("is text, not a number"), "{e}");
    let e = err(&args(&["services[0].desired_cont=1..2:2"], 1));
    assert!(e.message.contains("unknown field `desired_cont`"), "{e}");
    let e = err(&args(&["services[1].desired_count=1..2:2"], 1));
    assert!(e.message.contains("`services[1]` is not in the scenario (the list has 1 item(s))"), "{e}");
    let e = err(&args(&["latencies.container_start.mean_s=1..2:2"], 1));
    assert!(e.message.contains("`latencies.container_start` is not in the scenario"), "{e}");
}

#[test]
fn whole_number_fields_round_halves_away_from_zero() {
    let s = sweep(&args(&["services[0].desired_count=1..2:3"], 1));
    assert_eq!((0..3).map(|p| s.point_values(p)[0]).collect::<Vec<_>>(), vec![1.0, 2.0, 2.0]);
    assert_eq!(number_for(NumberKind::Integer, -2.5), Some(Number::from(-3i64)));
    assert_eq!(number_for(NumberKind::Integer, 2.4999), Some(Number::from(2u64)));
    assert_eq!(number_for(NumberKind::Integer, 1e30), None);
    assert_eq!(number_for(NumberKind::Float, 2.5), Number::from_f64(2.5));
    // The run sees the rounded value.
    let sc = s.scenario_at(1).unwrap();
    assert_eq!(sc.services[0].desired, 2);
}

#[test]
fn ranges_linear_log_and_one_step() {
    let a = Axis::parse("x=0..10:6").unwrap();
    assert_eq!((0..6).map(|i| a.value(i)).collect::<Vec<_>>(), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
    let a = Axis::parse("x=10..0:3").unwrap();
    assert_eq!((0..3).map(|i| a.value(i)).collect::<Vec<_>>(), vec![10.0, 5.0, 0.0], "a range may go down");
    let a = Axis::parse("x=1..1000:4:log").unwrap();
    let v: Vec<f64> = (0..4).map(|i| a.value(i)).collect();
    assert_eq!(v[0], 1.0);
    assert_eq!(v[3], 1000.0, "the last point is exactly TO");
    assert!((v[1] - 10.0).abs() < 1e-9 && (v[2] - 100.0).abs() < 1e-9, "{v:?}");
    let a = Axis::parse("x=5..9:1").unwrap();
    assert_eq!(a.value(0), 5.0, "one step is FROM");
    for (bad, says) in [
        ("x=0..10:0", "STEPS must be at least 1"),
        ("x=0..10:3:log", "a log range needs FROM and TO above 0"),
        ("x=-1..10:3:log", "a log range needs FROM and TO above 0"),
        ("x=0..10", "expected :STEPS"),
        ("x=0-10:3", "expected a range FROM..TO"),
        ("x=a..10:3", "FROM `a` is not a number"),
        ("x=0..inf:3", "TO must be a finite number"),
        ("x=0..1:2.5", "STEPS `2.5` is not a whole number"),
        ("x=0..1:2:cubic", "unknown scale `cubic`"),
        ("0..1:2", "expected PATH=FROM..TO"),
        ("x=0..1:1000000", "STEPS must be at most 100000"),
    ] {
        let e = Axis::parse(bad).unwrap_err();
        assert_eq!(e.field, format!("--set {bad}"));
        assert!(e.message.contains(says), "{bad}: {e}");
    }
    // The canonical text reads back to the same axis.
    for text in ["x=0.1..0.30000000000000004:7", "a.b[0]=1..1000:4:log", "y=-3..1e20:2"] {
        let a = Axis::parse(text).unwrap();
        assert_eq!(Axis::parse(&a.text()).unwrap(), a);
    }
}

#[test]
fn runs_expand_point_major_first_axis_slowest() {
    let s = sweep(&args(&["services[0].desired_count=1..2:2", "horizon_s=600..800:3"], 2));
    assert_eq!(s.points(), 6);
    assert_eq!(s.runs(), 12);
    let plans: Vec<(u64, Vec<f64>, u64)> = (0..12).map(|r| s.plan(r)).map(|p| (p.point, p.values, p.seed)).collect();
    assert_eq!(plans[0], (0, vec![1.0, 600.0], 1));
    assert_eq!(plans[1], (0, vec![1.0, 600.0], 2));
    assert_eq!(plans[2], (1, vec![1.0, 700.0], 1));
    assert_eq!(plans[5], (2, vec![1.0, 800.0], 2));
    assert_eq!(plans[6], (3, vec![2.0, 600.0], 1));
    assert_eq!(plans[11], (5, vec![2.0, 800.0], 2));
    // No axes: one point, the seeds from the base seed.
    let mut a = args(&[], 3);
    a.base_seed = 40;
    let s = sweep(&a);
    assert_eq!((0..3).map(|r| s.plan(r).seed).collect::<Vec<_>>(), vec![40, 41, 42]);
    assert_eq!(s.points(), 1);
    a.base_seed = u64::MAX;
    assert_eq!(sweep(&a).plan(1).seed, 0, "seeds wrap at u64::MAX");
}

#[test]
fn limits_name_the_setting() {
    let e = err(&args(&["services[0].desired_count=1..1000:1000", "horizon_s=600..900:101"], 1));
    assert_eq!(e.field, "runs");
    assert!(e.message.contains("101000 runs, over the limit of 100000"), "{e}");
    let e = err(&args(&["services[0].desired_count=1..1000:1000"], 101));
    assert_eq!(e.field, "runs");
    SweepSpec::parse(&args(&["services[0].desired_count=1..1000:1000"], 100)).unwrap();
    let e = err(&args(&[], 0));
    assert_eq!(e.field, "--seeds");
    let e = err(&args(&["a=1..2:2", "b=1..2:2", "c=1..2:2"], 1));
    assert_eq!(e.field, "--set");
    let e = err(&args(&["horizon_s=1..2:2", "horizon_s=3..4:2"], 1));
    assert!(e.message.contains("set twice"), "{e}");
}

#[test]
fn an_invalid_point_is_named() {
    let s = sweep(&args(&["services[0].desired_count=1..6000:2"], 1));
    let e = s.execute(1).unwrap_err();
    assert_eq!(e.field, "point 1 (services[0].desired_count=6000)");
    assert!(e.message.contains("services[0].desired_count"), "{e}");
    // A value past the field's type is a format error, named the same way.
    let s = sweep(&args(&["services[0].desired_count=1..1e12:2"], 1));
    let e = s.execute(1).unwrap_err();
    assert!(e.field.starts_with("point 1 (services[0].desired_count="), "{e}");
    assert!(e.message.contains("services[0].desired_count"), "{e}");
}

#[test]
fn percentiles_are_nearest_rank() {
    let v: Vec<f64> = (1..=20).map(f64::from).collect();
    assert_eq!(percentile(&v, 5), Some(1.0)); // rank ceil(1.0) = 1
    assert_eq!(percentile(&v, 50), Some(10.0)); // rank 10
    assert_eq!(percentile(&v, 95), Some(19.0)); // rank 19
    assert_eq!(percentile(&v, 100), Some(20.0));
    let five = [3.0, 5.0, 7.0, 11.0, 13.0];
    assert_eq!(percentile(&five, 5), Some(3.0)); // rank ceil(0.25) = 1
    assert_eq!(percentile(&five, 50), Some(7.0)); // rank ceil(2.5) = 3
    assert_eq!(percentile(&five, 95), Some(13.0)); // rank ceil(4.75) = 5
    assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50), Some(2.0), "the lower middle of an even count");
    assert_eq!(percentile(&[4.0], 5), Some(4.0));
    assert_eq!(percentile(&[], 50), None);
    let v: Vec<f64> = (1..=200).map(f64::from).collect();
    assert_eq!(percentile(&v, 95), Some(190.0));
    assert_eq!(percentile(&v, 5), Some(10.0));
}

#[test]
fn histograms_bin_every_value() {
    let v: Vec<f64> = (0..10).map(f64::from).collect();
    let h = histogram(&v).unwrap();
    assert_eq!(h.counts.len(), 4, "ceil(sqrt(10)) bins");
    assert_eq!(h.counts.iter().sum::<u64>(), 10);
    assert_eq!((h.from, h.to), (0.0, 9.0));
    assert_eq!(h.counts, vec![3, 2, 2, 3]); // width 2.25: [0,2.25) [2.25,4.5) [4.5,6.75) [6.75,9]
    assert_eq!(histogram(&[5.0, 5.0, 5.0]).unwrap().counts, vec![3]);
    assert_eq!(histogram(&[]), None);
    let many: Vec<f64> = (0..10_000).map(f64::from).collect();
    assert_eq!(histogram(&many).unwrap().counts.len(), MAX_BINS);
}

#[test]
fn requirements_parse_and_hold() {
    let r = Requirement::parse("completion_s<=300").unwrap();
    assert_eq!((r.cmp, r.threshold, OUTCOMES[r.outcome].name), (Cmp::Le, 300.0, "completion_s"));
    assert_eq!(Requirement::parse(" tasks_failed < 1 ").unwrap().cmp, Cmp::Lt);
    assert_eq!(Requirement::parse("costs.billed_usd>=2.5").unwrap().cmp, Cmp::Ge);
    let mut values = vec![None; OUTCOMES.len()];
    assert!(!r.holds(&values), "null does not meet a requirement");
    values[0] = Some(300.0);
    assert!(r.holds(&values));
    values[0] = Some(300.5);
    assert!(!r.holds(&values));
    assert!(Requirement::parse("completion_s=300").unwrap_err().message.contains("expected OUTCOME<=VALUE"));
    assert!(Requirement::parse("speed<=3").unwrap_err().message.contains("unknown outcome `speed`"));
    assert!(Requirement::parse("completion_s<=soon").unwrap_err().message.contains("`soon` is not a number"));
}

/// Results made by hand: one value of `completion_s` and `cost_usd` per run.
fn fake(sweep: &Sweep, f: impl Fn(u64, u64) -> (Option<f64>, f64)) -> Vec<RunResult> {
    let seeds = u64::from(sweep.spec().seeds);
    (0..sweep.runs())
        .map(|r| {
            let (completion, cost) = f(r / seeds, r % seeds);
            let mut values = vec![None; OUTCOMES.len()];
            values[0] = completion;
            values[outcome_index("cost_usd").unwrap()] = Some(cost);
            RunResult { index: r, values }
        })
        .collect()
}

#[test]
fn the_goal_picks_the_cheapest_point_that_meets_it_often_enough() {
    // Four points; more tasks cost more and finish sooner. Point 0 never finishes in time, point 1 in 4 of 5
    // seeds, points 2 and 3 always.
    let mut a = args(&["services[0].desired_count=1..4:4"], 5);
    a.minimize = Some("cost_usd".into());
    a.require = vec!["completion_s<=300".into()];
    a.confidence = Some(80);
    let s = sweep(&a);
    let results = fake(&s, |p, seed| {
        let completion = match p {
            0 => 400.0,
            1 if seed == 0 => 350.0,
            1 => 290.0,
            _ => 200.0,
        };
        (Some(completion), 10.0 + p as f64 + seed as f64 * 0.1)
    });
    let answer = report(&s, &results).answer.unwrap();
    assert!(answer.met);
    assert_eq!(answer.point, Some(1));
    assert_eq!((answer.meeting, answer.seeds), (4, 5));
    assert_eq!(answer.median, Some(11.2));
    assert_eq!(
        answer.text,
        "minimize the median of cost_usd where completion_s<=300 in at least 80% of seeds: \
         services[0].desired_count=2, median cost_usd 11.2 USD, 4 of 5 seeds meet completion_s<=300"
    );
    // At 95%, 4 of 5 is not enough: point 2.
    a.confidence = Some(95);
    let s = sweep(&a);
    assert_eq!(report(&s, &results).answer.unwrap().point, Some(2));
    // Minimising the field itself: the smallest desired count that meets it.
    a.minimize = Some("services[0].desired_count".into());
    a.confidence = Some(80);
    let s = sweep(&a);
    let answer = report(&s, &results).answer.unwrap();
    assert_eq!((answer.point, answer.values.clone()), (Some(1), vec![2.0]));
    // Nothing meets 250 s: "no value meets it" with the closest point.
    a.require = vec!["completion_s<=150".into()];
    let s = sweep(&a);
    let answer = report(&s, &results).answer.unwrap();
    assert!(!answer.met);
    assert_eq!(
        answer.text,
        "minimize services[0].desired_count where completion_s<=150 in at least 80% of seeds: no value meets it: \
         the closest, services[0].desired_count=1, meets completion_s<=150 in 0 of 5 seeds (0%, 80% needed)"
    );
    // Null completions fail the requirement.
    let nulls = fake(&s, |_, _| (None, 1.0));
    a.require = vec!["completion_s<=1000".into()];
    let s = sweep(&a);
    assert!(!report(&s, &nulls).answer.unwrap().met);
}

#[test]
fn a_null_objective_is_said() {
    let mut a = args(&["services[0].desired_count=1..2:2"], 2);
    a.minimize = Some("completion_s".into());
    a.require = vec!["cost_usd<=100".into()];
    let s = sweep(&a);
    let answer = report(&s, &fake(&s, |_, _| (None, 1.0))).answer.unwrap();
    assert!(!answer.met);
    assert!(answer.text.contains("2 point(s) meet the requirements, but completion_s is null"), "{}", answer.text);
}

#[test]
fn goal_settings_are_checked() {
    let mut a = args(&["horizon_s=600..900:2"], 2);
    a.minimize = Some("speed".into());
    let e = err(&a);
    assert_eq!(e.field, "--minimize speed");
    assert!(e.message.contains("unknown outcome `speed`; known: completion_s"), "{e}");
    a.minimize = None;
    a.confidence = Some(95);
    assert!(err(&a).message.contains("give a --require"));
    a.require = vec!["completion_s<=1".into()];
    a.confidence = Some(0);
    assert_eq!(err(&a).field, "--confidence");
    a.confidence = Some(101);
    assert_eq!(err(&a).field, "--confidence");
}

#[test]
fn real_runs_report_and_print_csv_in_index_order() {
    let s = sweep(&args(&["services[0].desired_count=2..6:2"], 2));
    let results = all(&s);
    let csv = runs_csv(&s, &results);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("run,point,services[0].desired_count,seed,completion_s,end_s,tasks_launched"));
    assert!(lines[1].starts_with("0,0,2,1,"), "{}", lines[1]);
    assert!(lines[4].starts_with("3,1,6,2,"), "{}", lines[4]);
    // The same outcomes as a plain run of the point's scenario and seed.
    let summary = crate::run(s.scenario_at(1).unwrap(), 2);
    assert_eq!(results[3].values, outcomes_of(&summary));
    assert_eq!(results[3].values[outcome_index("tasks_launched").unwrap()], Some(6.0));
    let r = report(&s, &results);
    assert_eq!(r.results.len(), 2);
    assert_eq!(r.results[1].values, vec![6.0]);
    assert_eq!(r.results[1].stats[0].count, 2);
    assert!(r.answer.is_none() && r.distribution.is_empty());
    // One scenario over seeds: the distribution.
    let s = sweep(&args(&[], 4));
    let r = report(&s, &all(&s));
    let completion = &r.distribution[0];
    assert_eq!(completion.stats.outcome, "completion_s");
    assert_eq!(completion.stats.count, 4);
    assert_eq!(completion.histogram.as_ref().unwrap().counts.iter().sum::<u64>(), 4);
}

#[test]
fn shards_merge_into_the_unsharded_results() {
    let mut a = args(&["services[0].desired_count=2..5:4"], 2);
    a.minimize = Some("cost_usd".into());
    a.require = vec!["completion_s<=600".into()];
    let s = sweep(&a);
    let results = all(&s);
    let whole_csv = runs_csv(&s, &results);
    let whole_json = serde_json::to_string(&report(&s, &results)).unwrap();
    // Three shards, written and read back as part files, given out of order.
    let parts: Vec<Part> = [2u32, 0, 1]
        .iter()
        .map(|&i| {
            let shard = Shard { index: i, count: 3 };
            let mine: Vec<RunResult> = shard.runs(s.runs()).map(|r| s.execute(r).unwrap()).collect();
            let text = serde_json::to_string(&s.part(shard, &mine)).unwrap();
            serde_json::from_str(&text).unwrap()
        })
        .collect();
    let (merged, merged_results) = merge(&parts).unwrap();
    assert_eq!(merged.digest(), s.digest());
    assert_eq!(runs_csv(&merged, &merged_results), whole_csv);
    assert_eq!(serde_json::to_string(&report(&merged, &merged_results)).unwrap(), whole_json);

    // What merge refuses.
    let e = merge(&parts[..2]).unwrap_err();
    assert!(e.message.contains("2 of 3 shards given; missing: 1/3"), "{e}");
    let e = merge(&[parts[0].clone(), parts[1].clone(), parts[0].clone()]).unwrap_err();
    assert!(e.message.contains("this shard is given twice"), "{e}");
    let mut other = parts[1].clone();
    other.sweep.seeds = 3;
    let e = merge(&[parts[0].clone(), other, parts[2].clone()]).unwrap_err();
    assert!(e.message.contains("digest does not match its settings"), "{e}");
    let mut short = parts[1].clone();
    short.runs.pop();
    let e = merge(&[parts[0].clone(), short, parts[2].clone()]).unwrap_err();
    assert!(e.message.contains("incomplete or edited"), "{e}");
    let mut foreign = a.clone();
    foreign.base_seed = 9;
    let f = sweep(&foreign);
    let fp = f.part(Shard { index: 1, count: 3 }, &[]);
    let e = merge(&[parts[0].clone(), fp, parts[2].clone()]).unwrap_err();
    assert!(e.message.contains("belongs to another sweep"), "{e}");
    let mut bad_shard = parts[1].clone();
    bad_shard.shard = Shard { index: 3, count: 3 };
    let e = merge(&[parts[0].clone(), bad_shard, parts[2].clone()]).unwrap_err();
    assert!(e.message.contains("its shard is not I/N"), "{e}");
    let e = merge(&[]).unwrap_err();
    assert!(e.message.contains("give the part files"), "{e}");
}

#[test]
fn shards_split_runs_by_index_modulo_count() {
    assert_eq!(Shard::parse("1/3").unwrap().runs(8).collect::<Vec<_>>(), vec![1, 4, 7]);
    assert_eq!(Shard::parse("0/1").unwrap().runs(3).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert_eq!(Shard::parse("4/5").unwrap().runs(3).count(), 0, "a shard may be empty");
    for (bad, says) in [("3/3", "I must be from 0 to 2"), ("0/0", "N must be from 1"), ("x/2", "I `x`"), ("2", "I/N")] {
        let e = Shard::parse(bad).unwrap_err();
        assert!(e.message.contains(says), "{bad}: {e}");
    }
}

#[test]
fn every_outcome_has_a_unit_and_a_unique_name() {
    for (i, o) in OUTCOMES.iter().enumerate() {
        assert!(!o.unit.is_empty() && !o.about.is_empty(), "{}", o.name);
        assert_eq!(outcome_index(o.name), Ok(i));
    }
}
