//! What the preset descriptions claim, checked on their runs (and the model statements they rest on).

use crate::common;

use fleetplan_engine::scenario::Provider;
use fleetplan_engine::Simulation;

/// `n` services of 500 tasks on Fargate and `n` on running EC2 instances, starting together, in limits `profile`.
fn parallel_services(n: usize, profile: &str) -> Simulation {
    let mut services = Vec::new();
    for i in 0..n {
        services.push(format!(
            r#"{{ "name": "fargate-{i}", "task_definition": "api", "desired_count": 500, "launch_type": "FARGATE" }}"#
        ));
        services.push(format!(
            r#"{{ "name": "ec2-{i}", "task_definition": "api-ec2", "desired_count": 500,
                 "capacity_provider_strategy": [{{ "capacity_provider": "warm-asg", "weight": 1 }}] }}"#
        ));
    }
    let json = format!(
        r#"{{ "version": 1, "name": "parallel", "horizon_s": 1800, "limits": {{ "profile": "{profile}" }},
              "capacity_providers": [{{ "name": "warm-asg", "instance_types": ["c5.2xlarge"], "max_size": 110,
                                        "desired_capacity": 110, "images_cached": true }}],
              "task_definitions": [
                {{ "name": "api", "cpu": 256, "memory": 512, "image_mb": 100 }},
                {{ "name": "api-ec2", "cpu": 256, "memory": 512, "image_mb": 100, "network_mode": "bridge",
                   "port_mappings": [{{ "container_port": 8080 }}] }}
              ],
              "services": [{}] }}"#,
        services.join(",")
    );
    common::run_checked(common::scenario(&json), 1)
}

/// Tasks launched per second by the services on Fargate and on EC2, from the first launch to the last.
fn launch_rates(sim: &Simulation) -> (f64, f64) {
    let rate = |fargate: bool| {
        let times: Vec<u64> = sim
            .tasks()
            .iter()
            .filter(|t| (t.provider == Provider::Fargate) == fargate)
            .map(|t| t.launched_at.as_millis())
            .collect();
        let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) else { return 0.0 };
        times.len() as f64 / ((last - first) as f64 / 1000.0)
    };
    (rate(true), rate(false))
}

/// `docs/model.md` §2: the account's 20 tasks/s Fargate bucket against each EC2 service's own rate. EC2 services
/// launch faster together from 3 services at 500 tasks/min (current profile), from about 5 at 250 (2022 profile).
#[test]
fn ec2_services_outrun_the_fargate_bucket_from_3_at_500_per_minute_and_about_5_at_250() {
    let faster = |n: usize, profile: &str| {
        let (fargate, ec2) = launch_rates(&parallel_services(n, profile));
        (ec2 / fargate, format!("{n} services, {profile}: Fargate {fargate:.1}/s, EC2 {ec2:.1}/s"))
    };
    let (ratio, what) = faster(2, "current");
    assert!(ratio < 1.05, "{what}");
    let (ratio, what) = faster(3, "current");
    assert!(ratio > 1.1, "{what}");
    let (ratio, what) = faster(4, "2022");
    assert!(ratio < 0.95, "{what}");
    let (ratio, what) = faster(6, "2022");
    assert!(ratio > 1.1, "{what}");
}

/// `fargate-vs-ec2-six-services`: six EC2 services at 250 tasks/min launch faster together than six Fargate services
/// sharing the bucket, and all six EC2 services are steady before the last Fargate one.
#[test]
fn six_services_preset_shows_ec2_ahead_of_fargate() {
    for seed in 1..=3 {
        let sim = common::run_checked(common::preset("fargate-vs-ec2-six-services"), seed);
        let (fargate, ec2) = launch_rates(&sim);
        assert!(ec2 > 23.0 && fargate < 21.0, "seed {seed}: Fargate {fargate:.1}/s, EC2 {ec2:.1}/s");
        let summary = sim.metrics();
        let last = |prefix: &str| {
            summary
                .services
                .iter()
                .filter(|s| s.name.starts_with(prefix))
                .map(|s| s.steady_s.expect("steady"))
                .fold(0.0, f64::max)
        };
        assert!(last("ec2") < 170.0 && last("fargate") > last("ec2") + 60.0, "seed {seed}");
    }
}

/// `fargate-three-services`: three services that could launch 25 tasks/s together share the 20 tasks/s bucket. The
/// bucket runs low at every workflow cycle, together they launch no faster than 20 tasks/s, the last of them is steady
/// well after one service alone would be (`fargate-ondemand-1000`, ~205 s), and the summary names the bucket as the
/// limit of the service that got the fewest tokens.
#[test]
fn three_services_preset_shares_the_fargate_bucket() {
    use fleetplan_engine::output::{Column, Limiter};
    for seed in 1..=3 {
        let sim = common::run_checked(common::preset("fargate-three-services"), seed);
        // Never faster than the bucket: 100 tasks at once, then 20 tasks/s.
        let last_launch = sim.tasks().iter().map(|t| t.launched_at.as_millis()).max().unwrap();
        assert!(last_launch >= 145_000, "seed {seed}: the last launch at {last_launch} ms");
        let level = sim.series().column(Column::BucketFargateOnDemand);
        let lowest = level.iter().skip(5).take(100).cloned().fold(f64::MAX, f64::min);
        assert!(lowest < 25.0, "seed {seed}: the bucket never ran low ({lowest})");
        let summary = sim.metrics();
        let last = summary.services.iter().map(|s| s.steady_s.expect("steady")).fold(0.0, f64::max);
        assert!(last > 240.0, "seed {seed}: last steady at {last}");
        assert!(summary.services.iter().any(|s| s.limited_by == Some(Limiter::FargateOnDemandBucket)), "seed {seed}");
    }
}

/// `ec2-stuck-host-port`: the deployment at 300 s never progresses: no task of the new revision is ever placed, the
/// four old tasks keep running and the deployment is still in progress at the end.
#[test]
fn stuck_host_port_preset_never_progresses() {
    use fleetplan_engine::output::Rollout;
    let sim = common::run_checked(common::preset("ec2-stuck-host-port"), 1);
    let summary = sim.metrics();
    assert_eq!(summary.services[0].deployment.rollout, Rollout::InProgress);
    assert_eq!(summary.services[0].running, 4);
    assert!(sim.tasks().iter().filter(|t| t.task_def != sim.tasks()[0].task_def).all(|t| t.running_at.is_none()));
}

/// `ec2-spot-draining`: the drained service starts replacements at the notice and keeps its healthy count; the
/// other loses half its tasks when the instances die two minutes later.
#[test]
fn spot_draining_preset_keeps_the_drained_service_healthy() {
    let mut sim = Simulation::new(common::preset("ec2-spot-draining"), 1);
    let (mut drained_low, mut undrained_low) = (u32::MAX, u32::MAX);
    for s in 600..=900 {
        sim.step_until(fleetplan_engine::SimTime::from_secs_f64(f64::from(s)));
        let services = sim.metrics().services;
        drained_low = drained_low.min(services[0].healthy);
        undrained_low = undrained_low.min(services[1].healthy);
    }
    assert_eq!(drained_low, 48);
    assert!(undrained_low <= 26, "undrained kept {undrained_low}");
}

/// `ec2-spot-draining`, as its description says: the undrained service's running count dips from 48 to 24 at
/// 720 s (the notice at 600 s plus the two-minute warning), 72 running in all; the drained service never falls
/// below its desired count, so the summary reports no dip for it. The series split by service shows the same
/// low at the sample of that moment, and its groups add up to the totals.
#[test]
fn spot_draining_preset_reports_the_undrained_dip() {
    use fleetplan_engine::output::Column;
    use fleetplan_engine::split::{SplitBy, SplitColumn};
    for seed in 1..=3 {
        let sim = common::run_checked(common::preset("ec2-spot-draining"), seed);
        let summary = sim.metrics();
        assert_eq!(summary.services[0].dip, None, "seed {seed}: the drained service dipped");
        let dip = summary.services[1].dip.expect("the undrained service dips");
        assert_eq!((dip.running, dip.desired), (24, 48), "seed {seed}");
        assert!((720.0..721.0).contains(&dip.at_s), "seed {seed}: dip at {} s", dip.at_s);
        let series = sim.series();
        let groups = series.split.groups(SplitBy::Service);
        assert_eq!(groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["drained", "undrained"]);
        let low = |g: usize| groups[g].column(SplitColumn::Running).iter().skip(200).cloned().fold(f32::MAX, f32::min);
        assert_eq!((low(0), low(1)), (48.0, 24.0), "seed {seed}");
        let total = series.column(Column::RunningEc2Spot);
        let lowest_total = total.iter().skip(200).cloned().fold(f64::MAX, f64::min);
        assert_eq!(lowest_total, 72.0, "seed {seed}");
        for (i, &t) in total.iter().enumerate() {
            let sum: f32 = groups.iter().map(|g| g.column(SplitColumn::Running)[i]).sum();
            assert_eq!(f64::from(sum), t, "seed {seed}, sample {i}");
        }
        // By provider: one group per Auto Scaling group, the same two lines.
        let providers = series.split.groups(SplitBy::Provider);
        assert_eq!(providers.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["spot-draining", "spot-plain"]);
        assert!(providers[0].column(SplitColumn::Desired).is_empty(), "no desired count per provider");
    }
}

/// `fargate-spot-1000` and `fargate-5050-1000` set the 2022 benchmark's Spot capacity. With it Spot capacity, not
/// the Spot launch bucket, paces the Spot row, and only the 500 Spot tasks of the 50/50 row wait for it; with
/// plentiful capacity the Spot row runs as fast as On-Demand.
#[test]
fn the_spot_calibration_presets_are_paced_by_the_2022_spot_capacity() {
    use fleetplan_engine::output::{Column, Limiter};
    let with_availability = |id: &str, availability: &str| {
        let json = fleetplan_engine::presets::get(id).unwrap().json;
        let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
        value["fargate_spot"]["availability"] = serde_json::json!(availability);
        common::scenario(&value.to_string())
    };
    for seed in 1..=3 {
        let spot = common::run_checked(common::preset("fargate-spot-1000"), seed);
        assert_eq!(spot.metrics().services[0].limited_by, Some(Limiter::FargateSpotCapacity), "seed {seed}");
        let mix = common::run_checked(common::preset("fargate-5050-1000"), seed);
        let waiting = mix.series().column(Column::SpotCapacityWaiting).iter().cloned().fold(0.0, f64::max);
        assert!(waiting > 0.0 && waiting <= 500.0, "seed {seed}: {waiting} waited for Spot capacity");

        let plenty = common::run_checked(with_availability("fargate-spot-1000", "plenty"), seed).metrics();
        let on_demand = common::run_checked(common::preset("fargate-ondemand-1000"), seed).metrics();
        let (plenty, on_demand) = (plenty.completion_s.unwrap(), on_demand.completion_s.unwrap());
        assert!(
            (plenty / on_demand - 1.0).abs() < 0.05,
            "seed {seed}: Spot with plenty {plenty} s, On-Demand {on_demand} s"
        );
    }
}

/// `ec2-insufficient-capacity`: with c5.xlarge out of capacity in both zones until 600 s, the diversified group
/// launches m5.xlarge and its service is steady within minutes, with no failed launch; the single-type group's
/// launches fail every minute, and its service is steady only after c5.xlarge comes back in us-east-1b, where all
/// its instances are.
#[test]
fn insufficient_capacity_preset_holds_back_only_the_single_type_group() {
    use fleetplan_engine::output::FailedLaunches;
    for seed in 1..=3 {
        let sim = common::run_checked(common::preset("ec2-insufficient-capacity"), seed);
        let summary = sim.metrics();
        let (single, diversified) = (&summary.services[0], &summary.services[1]);
        assert_eq!((single.running, diversified.running), (40, 40), "seed {seed}");
        let diversified_steady = diversified.steady_s.expect("diversified steady");
        assert!(diversified_steady < 400.0, "seed {seed}: diversified steady at {diversified_steady} s");
        let single_steady = single.steady_s.expect("single-type steady");
        assert!(single_steady > 600.0, "seed {seed}: single-type steady at {single_steady} s");
        // Only the single-type group failed, at least once a minute from its first evaluation to 600 s.
        assert_eq!(summary.failed_launches.len(), 1, "seed {seed}");
        let FailedLaunches { provider, launches } = &summary.failed_launches[0];
        assert_eq!(provider, "single-type");
        assert!(*launches >= 9, "seed {seed}: {launches} failed launches");
        let view = sim.view();
        for instance in &view.instances {
            if instance.provider == "single-type" {
                assert_eq!((instance.instance_type, instance.zone.as_str()), ("c5.xlarge", "us-east-1b"));
                assert!(instance.launched_s >= 600.0, "seed {seed}: launched at {} s", instance.launched_s);
            } else {
                assert_eq!(instance.instance_type, "m5.xlarge", "seed {seed}");
            }
        }
        assert_eq!(view.providers[0].failed_launches, *launches);
        assert_eq!(view.providers[0].pools_out_of_capacity, ["c5.xlarge in us-east-1a"]);
    }
}

/// `fargate-vcpu-quota`: api stops at 100 running tasks of 1 vCPU (the 100-vCPU On-Demand quota), is never steady,
/// and is limited by the quota, which the summary lists with its refusals; worker's 50 Spot tasks count against the
/// separate Spot quota and are steady. With the quota at 150, api is steady too.
#[test]
fn vcpu_quota_preset_stops_the_service_at_the_quota() {
    use fleetplan_engine::output::Limiter;
    for seed in 1..=3 {
        let summary = common::run_checked(common::preset("fargate-vcpu-quota"), seed).metrics();
        let (api, worker) = (&summary.services[0], &summary.services[1]);
        assert_eq!((api.running, api.steady_s), (100, None), "seed {seed}");
        assert_eq!(api.limited_by, Some(Limiter::FargateOnDemandVcpuQuota), "seed {seed}");
        assert_eq!(worker.running, 50, "seed {seed}");
        assert!(worker.steady_s.is_some(), "seed {seed}");
        assert_eq!(summary.quota_hits.len(), 1, "seed {seed}: only the On-Demand quota refuses");
        let hit = &summary.quota_hits[0];
        assert_eq!((hit.quota, hit.value), (Limiter::FargateOnDemandVcpuQuota, 100), "seed {seed}");
        assert!(hit.refused > 100 && hit.first_s < 60.0, "seed {seed}: {hit:?}");
    }
    let mut raised = common::preset("fargate-vcpu-quota").spec.clone();
    raised.limits.fargate_on_demand_vcpu_quota = Some(150);
    let scenario = fleetplan_engine::Scenario::from_spec(raised).expect("valid");
    let summary = common::run_checked(scenario, 1).metrics();
    assert!(summary.completion_s.is_some() && summary.quota_hits.is_empty(), "{:?}", summary.quota_hits);
}

/// `fargate-task-retirement`: from the notice (600 s, wait period 0) on, api (100% / 200%) never has fewer than 10
/// healthy tasks and launches its 10 replacements before any retired task stops; worker (50% / 100%) drops to
/// exactly 5 healthy tasks and no lower; the 4 standalone report tasks stop with the retirement as their reason
/// and are not replaced; the summary lists one retirement of 24 tasks; both services end steady at 10.
#[test]
fn task_retirement_preset_keeps_each_service_within_its_deployment_bounds() {
    use fleetplan_engine::task::{Health, Owner, StopReason, TaskState};
    use fleetplan_engine::time::SimTime;
    use fleetplan_engine::RunOptions;
    for seed in 1..=3 {
        let options = RunOptions { trace: true, check_invariants: true, keep_finished_tasks: true };
        let mut sim = Simulation::with_options(common::preset("fargate-task-retirement"), seed, options);
        sim.step_until(SimTime(600_000));
        let mut lowest = [u32::MAX; 2];
        let mut api_stopped_before_replacements = false;
        while sim.step() {
            let mut healthy = [0u32; 2];
            let (mut api_launched_after, mut api_retired_stopping) = (0, 0);
            for t in sim.tasks() {
                if let Owner::Service { service, .. } = t.owner {
                    let s = service.index();
                    healthy[s] += u32::from(!t.stopping && t.health == Health::Healthy);
                    if s == 0 {
                        api_launched_after += u32::from(t.launched_at >= SimTime(600_000));
                        api_retired_stopping += u32::from(t.retiring && t.stopping);
                    }
                }
            }
            api_stopped_before_replacements |= api_retired_stopping > 0 && api_launched_after < 10;
            for s in 0..2 {
                lowest[s] = lowest[s].min(healthy[s]);
            }
        }
        assert!(sim.invariant_error().is_none(), "seed {seed}: {:?}", sim.invariant_error());
        assert_eq!(lowest, [10, 5], "seed {seed}: lowest healthy counts of api and worker");
        assert!(!api_stopped_before_replacements, "seed {seed}: api starts its replacements first");
        let report: Vec<_> = sim
            .tasks()
            .iter()
            .filter(|t| matches!(t.owner, Owner::Standalone { .. }))
            .map(|t| (t.state, t.stop_reason))
            .collect();
        assert_eq!(report, vec![(TaskState::Stopped, Some(StopReason::TaskRetirement)); 4], "seed {seed}");
        let summary = sim.metrics();
        let r = &summary.task_retirements[0];
        assert_eq!((r.tasks, r.service_tasks_replaced, r.standalone_tasks_stopped), (24, 20, 4), "seed {seed}");
        assert_eq!(summary.tasks_launched, 44, "seed {seed}: 24 at the start, 20 replacements");
        for service in &summary.services {
            assert_eq!((service.running, service.healthy), (10, 10), "seed {seed}: {}", service.name);
            assert!(service.steady_s.is_some_and(|s| s > 600.0), "seed {seed}: {}", service.name);
        }
        let markers: Vec<_> = sim.chart_markers().into_iter().map(|m| (m.time_s, m.label.to_string())).collect();
        let notice = (600.0, "task retirement notice".to_string());
        assert_eq!(markers, [notice, (600.0, "task retirement".to_string())], "seed {seed}");
        // The running chart: 24 before the notice, 15 at its lowest after it, 20 at the end.
        let series = sim.series();
        let running = series.column(fleetplan_engine::output::Column::RunningFargate);
        let after: Vec<f64> =
            running.iter().enumerate().filter(|&(i, _)| series.time_s(i) > 600.0).map(|(_, &v)| v).collect();
        let before =
            running.iter().enumerate().filter(|&(i, _)| series.time_s(i) <= 600.0).map(|(_, &v)| v).next_back();
        assert_eq!(before, Some(24.0), "seed {seed}");
        assert_eq!(after.iter().copied().fold(f64::INFINITY, f64::min), 15.0, "seed {seed}");
        assert!(after.iter().all(|&v| v < 24.0), "seed {seed}: never 24 again");
        assert_eq!(after.last(), Some(&20.0), "seed {seed}");
    }
}

/// `managed-instances-vs-asg`: Fargate steady first, Managed Instances before the ASG; managed instances of more
/// than one type, launched within seconds; idle managed instances gone 5 minutes after the scale-in, the ASG's not
/// before 15 minutes; the ASG costs the most and the Managed Instances cost includes a fee of ~12% of EC2.
#[test]
fn managed_instances_preset_is_steady_before_the_asg_and_scales_in_sooner() {
    use fleetplan_engine::output::TraceWhat;
    for seed in 1..=3 {
        let sim = common::run_checked(common::preset("managed-instances-vs-asg"), seed);
        let first_steady = |name: &str| {
            sim.trace()
                .iter()
                .find(|e| matches!(&e.what, TraceWhat::ServiceSteady { service } if service == name))
                .map(|e| e.time.as_millis() as f64 / 1000.0)
                .expect("steady")
        };
        let (fargate, managed, asg) =
            (first_steady("on-fargate"), first_steady("on-managed-instances"), first_steady("on-asg"));
        assert!(fargate < managed && managed < asg, "seed {seed}: {fargate} {managed} {asg}");
        let times = |pick: fn(&TraceWhat) -> bool| -> Vec<f64> {
            sim.trace().iter().filter(|e| pick(&e.what)).map(|e| e.time.as_millis() as f64 / 1000.0).collect()
        };
        let launches: Vec<(f64, &'static str)> = sim
            .trace()
            .iter()
            .filter_map(|e| match &e.what {
                TraceWhat::ManagedLaunch { instance_type, .. } => {
                    Some((e.time.as_millis() as f64 / 1000.0, *instance_type))
                }
                _ => None,
            })
            .collect();
        assert!(launches[0].0 < 5.0, "seed {seed}: first managed launch at {}", launches[0].0);
        let family = |prefix: &str| launches.iter().any(|&(_, t)| t.starts_with(prefix));
        assert!(family("m5.") && family("c5."), "seed {seed}: not a mix of m5 and c5 sizes: {launches:?}");
        let removed = times(|w| matches!(w, TraceWhat::IdleScaleIn { .. }));
        let managed_instances = sim.view().providers.iter().position(|p| p.managed_instances).expect("provider");
        assert!(!removed.is_empty(), "seed {seed}: no idle scale-in");
        assert!(removed.iter().all(|&t| (2100.0..2200.0).contains(&t)), "seed {seed}: {removed:?}");
        assert!(sim.view().instances.iter().all(|i| usize::from(i.provider_index) != managed_instances));
        let asg_in = times(|w| matches!(w, TraceWhat::ScaleIn { .. }));
        assert!(asg_in.first().is_some_and(|&t| t >= 1800.0 + 900.0), "seed {seed}: {asg_in:?}");
        let summary = sim.metrics();
        let providers = &summary.cost_breakdown.providers;
        let (asg_cost, mi) = (&providers[0], &providers[1]);
        assert_eq!((asg_cost.name.as_str(), mi.kind), ("asg", Some("MANAGED_INSTANCES")));
        let fargate_cost = summary.cost_breakdown.services[2].fargate_usd;
        assert!(asg_cost.usd > mi.usd && asg_cost.usd > fargate_cost, "seed {seed}: {providers:?} {fargate_cost}");
        let fee = mi.management_fee_usd.expect("fee");
        let share = fee / (mi.usd - fee);
        assert!((0.11..0.13).contains(&share), "seed {seed}: fee {fee} of {}", mi.usd);
    }
}

/// `savings-plan-breakeven`: the Reserved Instance covers both m5.large instances; the plan loses part of its
/// commitment in web's quiet hours and none in the busy ones; its best commitment is about web's quiet-hour usage
/// at plan rates (20 tasks x $0.04937 x 0.8 = $0.79); the $1.00 plan saves, less than the best; above the
/// break-even a plan would cost more than it saves; Spot is never covered.
#[test]
fn savings_plan_preset_shows_the_unused_commitment_and_the_break_even() {
    for seed in 1..=3 {
        let sim = common::run_checked(common::preset("savings-plan-breakeven"), seed);
        let summary = sim.metrics();
        let c = summary.commitments.as_ref().expect("the preset has commitments");
        // The cost chart's line with commitments ends at the summary's cost with them.
        let line = &sim.series().cost_with_commitments;
        assert_eq!(line.len(), sim.series().len());
        assert!((line[line.len() - 1] - c.cost_with_usd).abs() < 1e-3, "seed {seed}: {:?}", line.last());
        assert_eq!(c.hours, 6, "seed {seed}");
        let ri = &c.reserved_instances[0];
        assert!(ri.utilization_percent > 99.0, "seed {seed}: {ri:?}");
        let plan = &c.savings_plans[0];
        // Four quiet hours of about $0.79 used of $1.00: about $0.84 lost; the busy hours use all of it.
        assert!((0.7..1.0).contains(&plan.unused_usd), "seed {seed}: {plan:?}");
        assert!((0.75..0.82).contains(&plan.best_usd_per_hour), "seed {seed}: {plan:?}");
        assert!(plan.best_usd_per_hour < plan.usd_per_hour && plan.usd_per_hour < plan.break_even_usd_per_hour);
        assert!(c.savings_usd > 0.0 && c.cost_with_usd < c.cost_without_usd, "seed {seed}: {c:?}");
        // Spot is not eligible: the eligible usage is the Fargate On-Demand and EC2 On-Demand cost only.
        let by = |name: &str| {
            summary.cost_breakdown.by_capacity.iter().find(|b| b.capacity.name() == name).map_or(0.0, |b| b.usd)
        };
        assert!(by("FARGATE_SPOT") > 1.0);
        assert!((c.eligible_on_demand_usd - by("FARGATE") - by("EC2")).abs() < 0.01, "seed {seed}: {c:?}");
        // The plan covers web only: the Reserved Instance took the EC2 usage first.
        assert!(plan.used_usd <= by("FARGATE") * 0.8 + 1e-3, "seed {seed}: {plan:?}");
        // A plan above the break-even costs more than it saves; one at the best commitment saves more than $1.00.
        // The Reserved Instance stays (the break-even is the plan's with it as given): the run's savings less
        // those of a plan of almost nothing are the plan's.
        let mut spec = common::preset("savings-plan-breakeven").spec.clone();
        let savings_at = |spec: &mut fleetplan_engine::spec::ScenarioSpec, usd: f64| {
            spec.commitments.savings_plans[0].usd_per_hour = usd;
            let scenario = fleetplan_engine::scenario::Scenario::from_spec(spec.clone()).unwrap();
            common::run_checked(scenario, seed).metrics().commitments.unwrap().savings_usd
        };
        let reserved_only = savings_at(&mut spec, 0.001);
        let above = savings_at(&mut spec, plan.break_even_usd_per_hour + 0.1) - reserved_only;
        let best = savings_at(&mut spec, plan.best_usd_per_hour) - reserved_only;
        let one = savings_at(&mut spec, 1.0) - reserved_only;
        assert!(above < 0.0 && best > one && one > 0.0, "seed {seed}: {above} {best} {one}");
    }
}

// ---- Demand and service auto scaling (issue 10) ----

fn demand_of<'a>(
    summary: &'a fleetplan_engine::output::Summary,
    service: &str,
) -> &'a fleetplan_engine::output::DemandSummary {
    summary.demand.iter().find(|d| d.service == service).expect("the service has demand")
}

/// The time of the first trace line of `service` containing `what`.
fn first_trace(sim: &Simulation, service: &str, what: &str) -> Option<f64> {
    sim.trace()
        .iter()
        .map(|entry| entry.to_string())
        .find(|line| line.contains(&format!("service {service} ")) && line.contains(what))
        .and_then(|line| line.split('s').next()?.parse().ok())
}

#[test]
fn death_spiral_preset_loses_its_tasks_and_the_cure_keeps_them() {
    let sim = common::run_checked(common::preset("death-spiral"), 1);
    let summary = sim.metrics();
    let (spiral, cured) = (demand_of(&summary, "spiral"), demand_of(&summary, "cured"));
    // "most requests are dropped and the replacements count climbs"
    assert!(spiral.unserved_percent > 50.0, "{spiral:?}");
    assert!(spiral.overload_failures >= 10, "{spiral:?}");
    // "it serves the step with no task lost"
    assert_eq!((cured.overload_failures, cured.unserved_requests), (0, 0.0), "{cured:?}");
    assert!(cured.scaling_actions > 0);
}

#[test]
fn flash_sale_preset_high_resolution_alarms_first_and_drops_the_least() {
    let sim = common::run_checked(common::preset("flash-sale-fargate-vs-ec2"), 1);
    let summary = sim.metrics();
    let alarm = |s: &str| first_trace(&sim, s, "AlarmHigh (ECSServiceAverageCPUUtilization").map(|_| ());
    assert!(alarm("fargate").is_some());
    // Every copy waits for its AlarmHigh: the first scaling action comes after the sale starts (900 s), 3 periods
    // plus the publication delay later: 900 + 3 x 60 + 60 = 1140 s (standard), 900 + 3 x 20 + 20 = 980 s (20 s).
    let action = |s: &str| first_trace(&sim, s, "auto scaling desired").expect("scaled");
    assert_eq!(action("fargate"), 1140.0);
    assert_eq!(action("ec2-warm"), 1140.0);
    assert_eq!(action("fargate-high-res"), 980.0);
    let unserved = |s: &str| demand_of(&summary, s).unserved_requests;
    assert!(unserved("fargate-high-res") < unserved("fargate"), "{:?}", summary.demand);
    assert!(unserved("fargate-high-res") < unserved("ec2-warm"), "{:?}", summary.demand);
    assert!(unserved("ec2-warm") < unserved("fargate"), "{:?}", summary.demand);
}

#[test]
fn burst_preset_grows_only_the_fargate_service_in_small_steps() {
    let sim = common::run_checked(common::preset("ec2-burst-onto-fargate"), 1);
    let summary = sim.metrics();
    let (ec2, burst) = (demand_of(&summary, "web-ec2"), demand_of(&summary, "web-burst"));
    // "the EC2 group never changes": 18 tasks, no scaling, 3 instances throughout.
    assert_eq!((ec2.scaling_actions, ec2.max_desired), (0, 18), "{ec2:?}");
    let series = sim.series();
    let instances = series.column(fleetplan_engine::output::Column::Instances);
    assert!(instances.iter().skip(1).all(|&n| n == 3.0), "{instances:?}");
    // "At 1,000 requests/s ... nothing moves": the first action comes on the ramp (from 1,200 s), 1 -> 2.
    let first = first_trace(&sim, "web-burst", "auto scaling desired").expect("scaled");
    assert!(first > 1200.0, "{first}");
    assert!(first_trace(&sim, "web-burst", "auto scaling desired 1 -> 2").is_some());
    // "about 50 tasks by the peak", "the EC2 tasks sit at 100% and drop a tenth or more of their load".
    assert!((40..=60).contains(&burst.max_desired), "{burst:?}");
    assert_eq!(ec2.peak_utilization_percent, 100.0);
    assert!(ec2.unserved_percent >= 10.0, "{ec2:?}");
    // The load balancer spreads requests evenly over the targets: both services offered traffic.
    assert!(burst.offered_requests > 0.2 * (ec2.offered_requests + burst.offered_requests), "{burst:?}");
    // "after the peak the Fargate service scales back in".
    let scaled_in = sim.trace().iter().any(|e| {
        matches!(&e.what, fleetplan_engine::output::TraceWhat::ScalingAction { service, from, to, .. }
            if service == "web-burst" && to < from && e.time.as_millis() > 4_800_000)
    });
    assert!(scaled_in);
}

#[test]
fn two_knobs_preset_new_tasks_wait_for_instances() {
    let sim = common::run_checked(common::preset("two-knobs-morning-ramp"), 1);
    let summary = sim.metrics();
    let web = demand_of(&summary, "web");
    assert!(web.scaling_actions >= 3 && web.max_desired > 20, "{web:?}");
    // "the new tasks wait in PROVISIONING until managed scaling ... launches instances"
    let series = sim.series();
    let provisioning = series.column(fleetplan_engine::output::Column::Provisioning);
    assert!(provisioning.iter().any(|&p| p > 0.0));
    let instances = series.column(fleetplan_engine::output::Column::Instances);
    assert!(instances.last().copied().unwrap_or(0.0) > 2.0 * instances[0].max(1.0));
    // "Served load lags the offered load during the ramp and some requests are dropped"
    assert!(web.unserved_requests > 0.0 && web.unserved_percent < 10.0, "{web:?}");
}

#[test]
fn demand_columns_appear_in_the_csv_only_with_demand() {
    let with = common::run_checked(common::preset("death-spiral"), 1);
    let header = with.series().to_csv().lines().next().unwrap().to_string();
    assert!(header.ends_with("scaling_actions (count),scale_out_alarms_in_alarm (count)"), "{header}");
    let row = with.series().to_csv().lines().nth(1).unwrap().split(',').count();
    assert_eq!(row, header.split(',').count());
    let without = common::run_checked(common::preset("fargate-ondemand-1000"), 1);
    assert!(!without.series().to_csv().lines().next().unwrap().contains("offered"));
    assert!(without.metrics().demand.is_empty());
}

/// When each RunTask job of `workload` (by name) stopped because it completed, in seconds.
fn completions(sim: &Simulation, workload: usize) -> Vec<f64> {
    use fleetplan_engine::task::{Owner, StopReason};
    let mut out = Vec::new();
    for t in sim.tasks() {
        if matches!(t.owner, Owner::Standalone { workload: w } if w.index() == workload)
            && t.stop_reason == Some(StopReason::Completed)
        {
            let line = sim
                .trace()
                .iter()
                .map(|e| e.to_string())
                .find(|l| l.contains(&format!("task {} stop requested: completed", t.id.raw())))
                .expect("traced");
            out.push(line.split('s').next().unwrap().parse().unwrap());
        }
    }
    out
}

#[test]
fn t_family_preset_standard_throttles_the_batch_and_unlimited_pays_its_surplus_back() {
    let sim = common::run_checked(common::preset("t-family-nightly-batch"), 1);
    let summary = sim.metrics();
    let group = |name: &str| summary.cpu_credits.iter().find(|c| c.group == name).expect("a credits row").clone();
    let (standard, unlimited) = (group("standard"), group("unlimited"));
    // "about 408 credits banked by 20:00": the batch's start; "empties its balance after about 7.5 hours and is
    // held to its 20% baseline for about 1.7 hours"
    assert_eq!(standard.min_balance, 0.0);
    assert!((standard.throttled_instance_s / 3600.0 - 1.7).abs() < 0.1, "{standard:?}");
    // "its batch finishes more than an hour after the other"
    let (s, u) = (completions(&sim, 0), completions(&sim, 1));
    assert_eq!((s.len(), u.len()), (2, 2));
    let late = s.iter().copied().fold(0.0, f64::max) - u.iter().copied().fold(0.0, f64::max);
    assert!(late > 3600.0, "{s:?} {u:?}");
    // The unlimited batch runs its 8 hours exactly.
    let started = 72_000.0;
    assert!(u.iter().all(|&c| c - started < 8.0 * 3600.0 + 60.0), "{u:?}");
    // "never slows, dips to about 29 surplus credits owed, and pays most of them back ...: nothing is charged,
    // and the few credits still owed at the end would cost under a cent"
    assert_eq!(unlimited.throttled_instance_s, 0.0);
    assert!((unlimited.min_balance + 29.0).abs() < 1.0, "{unlimited:?}");
    assert_eq!(unlimited.surplus_charged, 0.0);
    assert!(unlimited.surplus_owed < 29.0 / 2.0 && unlimited.surplus_owed_usd < 0.01, "{unlimited:?}");
}

#[test]
fn t_family_preset_banks_about_408_credits_by_the_batch() {
    // "about 408 credits banked by 20:00": the preset cut at 20:00, when the batch is called.
    let json = fleetplan_engine::presets::get("t-family-nightly-batch").unwrap().json;
    let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["horizon_s"] = 72_000.into();
    let sim = common::run_checked(common::scenario(&value.to_string()), 1);
    for c in &sim.metrics().cpu_credits {
        assert!((c.final_balance - 408.0).abs() < 1.0, "{c:?}");
        assert_eq!(c.min_balance, 0.0);
    }
}

#[test]
fn credits_appear_in_the_summary_only_when_used() {
    let without = common::run_checked(common::preset("ec2-consolidation"), 1);
    assert!(without.metrics().cpu_credits.is_empty(), "t3.large groups, no credit settings: nothing new");
    let json = serde_json::to_string(&without.metrics()).unwrap();
    assert!(!json.contains("cpu_credits"));
}

/// `nightly-0200-burst`: twenty schedules firing at 02:00 +09:00 compete for the Fargate buckets; about half the calls
/// are throttled and retried until every ETL task starts; `fragile` (no retries) is dropped; `report-flex` fires later
/// in its window, unthrottled; the charts mark the firing.
#[test]
fn nightly_burst_preset_throttles_half_the_calls_and_drops_the_one_without_retries() {
    let sim = common::run_checked(common::preset("nightly-0200-burst"), 1);
    let summary = sim.metrics();
    let by = |name: &str| summary.schedules.iter().find(|s| s.name == name).expect(name).clone();
    let etl: Vec<_> = summary.schedules.iter().filter(|s| s.name.starts_with("etl-")).collect();
    assert_eq!(etl.len(), 20);
    assert!(etl.iter().all(|s| s.fired == 1 && s.tasks_started == 10 && s.dropped == 0));
    let throttled = etl.iter().filter(|s| s.throttled_calls > 0).count();
    assert!((9..=12).contains(&throttled), "about half the ETL calls throttled: {throttled}");
    assert!(etl.iter().map(|s| s.retries).sum::<u32>() >= 20, "retried with backoff");
    // "over a few seconds": at most 3 retries each (after 1, 2 and 4 s), so every call is made within 7 s.
    assert!(etl.iter().all(|s| s.retries <= 3));
    let fragile = by("fragile");
    assert_eq!((fragile.dropped, fragile.tasks_started, fragile.retries), (1, 0, 0));
    let flex = by("report-flex");
    assert_eq!((flex.throttled_calls, flex.tasks_started), (0, 10));
    // The 02:00 firing is 30 minutes in; the flexible one was called later in its 15-minute window.
    let flex_burst = summary.run_tasks.iter().find(|r| r.name.starts_with("report-flex")).expect("flex");
    assert!(flex_burst.settled_s.unwrap() > 1800.0 + 120.0);
    assert_eq!(by("heartbeat").firings, 2);
    let markers = sim.chart_markers();
    assert!(markers.iter().any(|m| m.time_s == 1800.0 && m.label.to_string().contains("schedules fire")));
}

#[test]
fn lazy_sqs_workers_preset_scales_to_zero_and_back_and_redelivers() {
    let sim = common::run_checked(common::preset("lazy-sqs-workers"), 1);
    let summary = sim.metrics();
    let jobs = &summary.queues[0];
    // "6,000 in 5 minutes at 10 minutes, 6,000 in 10 minutes at 60 minutes": all arrive and all are processed.
    assert!((jobs.arrived - 12_000.0).abs() < 1e-6, "{jobs:?}");
    assert!((jobs.processed - 12_000.0).abs() < 1e-6, "{jobs:?}");
    // "the backlog climbs while no worker runs": most of the first burst waits.
    assert!(jobs.max_visible > 4_000.0 && jobs.max_age_s > 300.0, "{jobs:?}");
    // "a Spot interruption stops half the workers mid-message: their messages reappear after the 120 s visibility
    // timeout": at 1,200 s, visible again at 1,320 s.
    assert!(jobs.redelivered > 0.0 && jobs.dead_lettered == 0.0, "{jobs:?}");
    let queue_trace = |what: &str| {
        let line = sim.trace().iter().map(|e| e.to_string()).find(|l| l.contains("queue jobs: ") && l.contains(what));
        line.and_then(|l| l.split('s').next()?.parse::<f64>().ok())
    };
    assert_eq!(queue_trace("in-flight messages left"), Some(1200.0));
    assert_eq!(queue_trace("messages visible again"), Some(1320.0));
    // Back from zero (the step alarm: 0 -> 1), then target tracking scales out, then 15 empty minutes: to 0; twice.
    let actions: Vec<String> =
        sim.trace().iter().map(|e| e.to_string()).filter(|line| line.contains("auto scaling desired")).collect();
    let from_zero = actions.iter().filter(|a| a.contains("desired 0 -> 1 (ApproximateNumberOfMessagesVisible")).count();
    let to_zero = actions.iter().filter(|a| a.contains("-> 0 (ApproximateNumberOfMessagesVisible")).count();
    let out = actions.iter().filter(|a| a.contains("(SQSBacklogPerTask")).count();
    assert_eq!((from_zero, out, to_zero), (2, 2, 2), "{actions:?}");
    // "No task runs while the queue is empty": none at the start, none at the end.
    let running = sim.series().column(fleetplan_engine::output::Column::RunningFargateSpot);
    assert_eq!((running[0], running.last().copied()), (0.0, Some(0.0)));
    // The queue columns are in the CSV (only with queues).
    assert!(sim.series().to_csv().lines().next().unwrap().ends_with("queue_oldest_age (s)"));
    let plain = common::run_checked(common::preset("death-spiral"), 1);
    assert!(!plain.series().to_csv().contains("queue_visible") && plain.metrics().queues.is_empty());
}

/// `custom-metric-connections`: target tracking on OpenConnections / running tasks, target 500. 2,000
/// connections on 4 tasks sit on the target; the ramp to 8,000 takes the count to 16 with the scale-out alarm in
/// ALARM on the way; after the drop to 2,000 scale-in takes it back down to 4. The customized-metric columns chart it.
#[test]
fn custom_metric_connections_preset_tracks_connections_per_task() {
    use fleetplan_engine::output::{Column, CustomColumn};
    let sim = common::run_checked(common::preset("custom-metric-connections"), 1);
    let series = sim.series();
    let at = |s: f64| (s * 1000.0 / series.interval_ms as f64) as usize - 1;
    let desired = series.column(Column::Desired);
    let per_task = series.custom_column(CustomColumn::PerTask);
    let target = series.custom_column(CustomColumn::Target);
    // "4 tasks at the start": 2,000 / 4 = 500, on the target.
    assert_eq!(desired[at(590.0)], 4.0);
    assert!((per_task[at(590.0)] - 500.0).abs() < 1e-9, "{}", per_task[at(590.0)]);
    assert!(target.iter().all(|&t| t == 500.0));
    // "climbs above it during the ramp ... while the scale-out alarm band is up, and each scaling action brings it
    // back": above the target in the ramp, the alarm in ALARM, actions in the ramp.
    let ramp = at(600.0)..at(1200.0);
    assert!(per_task[ramp.clone()].iter().any(|&v| v > 500.0));
    assert!(series.custom_column(CustomColumn::AlarmHigh)[ramp.clone()].contains(&1.0));
    let actions = series.custom_column(CustomColumn::ScalingActions);
    assert!(actions[ramp].iter().sum::<f64>() >= 1.0);
    // "at the peak 16 tasks hold 8,000 connections": 8,000 / 500 = 16, and the value back on the target.
    assert_eq!(desired[at(2390.0)], 16.0);
    assert!((per_task[at(2390.0)] - 500.0).abs() < 1e-9, "{}", per_task[at(2390.0)]);
    // "After the drop at 40 minutes it reads far below the target and scale-in ... takes the count back down to 4."
    assert!(per_task[at(2520.0)] < 250.0, "{}", per_task[at(2520.0)]);
    assert_eq!(desired.last().copied(), Some(4.0));
    // Every action counted once: the columns' total is the summary's.
    let summary = sim.metrics();
    let scaled = summary.demand.iter().find(|d| d.service == "gateway").map(|d| d.scaling_actions);
    assert_eq!(scaled.map(|n| n as f64), Some(actions.iter().sum::<f64>()));
    // The columns are in the CSV only with a customized metric.
    assert!(series.to_csv().lines().next().unwrap().ends_with("custom_metric_scale_out_alarm (0/1)"));
    let plain = common::run_checked(common::preset("death-spiral"), 1);
    assert!(plain.series().custom.is_empty() && !plain.series().to_csv().contains("custom_metric"));
}

// ---- AWS Batch (issue 11) ----

use fleetplan_engine::output::{BatchColumn, BatchJobRecord, BatchJobState};

fn batch_jobs_of<'a>(jobs: &'a [BatchJobRecord], queue: &str) -> Vec<&'a BatchJobRecord> {
    jobs.iter().filter(|j| j.queue == queue).collect()
}

fn max_of(column: &[f64]) -> f64 {
    column.iter().copied().fold(0.0, f64::max)
}

/// `batch-nightly-array-spot`: one SubmitJob call at 02:00 (5 minutes in) for 10,000 children; the Spot compute
/// environment scales to maxvCpus 256 and never beyond; at most 256 children run at once; all succeed, in about
/// an hour.
#[test]
fn batch_nightly_array_stays_within_max_vcpus() {
    let mut sim = Simulation::new(common::preset("batch-nightly-array-spot"), 1);
    sim.run_to_end();
    let s = sim.metrics();
    let b = s.batch.as_ref().expect("batch summary");
    assert_eq!(b.submit_calls, 1);
    assert_eq!(b.jobs, 10_000);
    assert_eq!(b.jobs_by_state[BatchJobState::Succeeded as usize].jobs, 10_000);
    let ce = &b.compute_environments[0];
    assert_eq!((ce.max_vcpus, ce.peak_vcpus), (256, 256));
    let series = sim.series();
    assert!(max_of(series.batch_column(BatchColumn::VcpusInstances)) <= 256.0);
    // At most 256 one-vCPU children at once (the database's connections), and the environment is used to the cap.
    let busy = |c| max_of(series.batch_column(c));
    assert!(busy(BatchColumn::Running) + busy(BatchColumn::Starting) <= 512.0);
    assert!(max_of(series.batch_column(BatchColumn::VcpusInUse)) <= 256.0);
    assert_eq!(max_of(series.batch_column(BatchColumn::VcpusInUse)), 256.0);
    // RUNNABLE jumps to 10,000 once the scheduler has evaluated the array.
    assert_eq!(max_of(series.batch_column(BatchColumn::Runnable)), 10_000.0);
    // "16 c5.4xlarge": the cheapest vCPU among `optimal`'s types, the largest the backlog fills.
    let launched: Vec<String> =
        sim.trace().iter().map(|e| e.to_string()).filter(|l| l.contains("launched instance")).collect();
    assert_eq!(launched.len(), 16);
    assert!(launched.iter().all(|l| l.ends_with("(c5.4xlarge)")), "{launched:?}");
    // Submitted at 02:00, 5 minutes in; nothing runs before.
    let jobs = sim.batch_jobs();
    assert!(jobs.iter().all(|j| j.submitted_s == 300.0));
    // "about an hour": 10,000 x ~60 s / 256 = 39 minutes of work at the cap, plus each child's start.
    let makespan = b.makespan_s.unwrap();
    assert!((2_400.0..4_800.0).contains(&makespan), "{makespan}");
}

/// `batch-fargate-vs-ec2-short-jobs`: Fargate jobs start without waiting for instances but are paced by the
/// account's Fargate RunTask call bucket; EC2 jobs wait for the first instances, then start faster; medians close; EC2 costs more.
#[test]
fn batch_fargate_vs_ec2_paces_by_bucket_and_by_boot() {
    let sim = common::run_checked(common::preset("batch-fargate-vs-ec2-short-jobs"), 1);
    let s = sim.metrics();
    let b = s.batch.as_ref().unwrap();
    assert!(b.jobs_by_state[BatchJobState::Succeeded as usize].jobs == 4_000);
    let jobs = sim.batch_jobs();
    let starts = |queue: &str| {
        let mut t: Vec<f64> = batch_jobs_of(&jobs, queue).iter().map(|j| j.first_running_s.unwrap()).collect();
        t.sort_by(f64::total_cmp);
        t
    };
    let (fargate, ec2) = (starts("on-fargate"), starts("on-ec2"));
    // Fargate: the first job runs within about a minute (no instance to wait for), the starts spread over at least
    // 2,000 / 20 per second = 100 s (one Fargate RunTask call each).
    assert!(fargate[0] < 90.0, "{}", fargate[0]);
    assert!(fargate[1999] - fargate[0] >= 95.0, "{} .. {}", fargate[0], fargate[1999]);
    // EC2: nothing runs before instances boot and register (about 80 s), then the starts come faster.
    assert!(ec2[0] > fargate[0] && ec2[0] > 60.0, "{}", ec2[0]);
    assert!(ec2[1999] - ec2[0] < fargate[1999] - fargate[0]);
    let (qf, qe) = (&b.queues[0], &b.queues[1]);
    let (wf, we) = (qf.wait_p50_s.unwrap(), qe.wait_p50_s.unwrap());
    assert!((wf - we).abs() < 0.25 * wf.max(we), "medians close: {wf} vs {we}");
    assert!(qe.cost_usd > qf.cost_usd, "EC2 {} vs Fargate {}", qe.cost_usd, qf.cost_usd);
    // "scales to 2,000 vCPUs for 20-second jobs".
    assert!(b.compute_environments[1].peak_vcpus >= 1_900, "{:?}", b.compute_environments[1]);
    // Each Fargate job is one RunTask call on Fargate: the account's Fargate RunTask call bucket (20 a second) went
    // empty, the same bucket services and RunTask bursts take from.
    let bucket = sim.series().column(fleetplan_engine::output::Column::BucketFargateRunTaskCalls);
    // Sampled on the second, the level is at most one token: each is taken as soon as it is back.
    assert_eq!(bucket[0], 20.0);
    assert!(bucket.iter().filter(|&&level| level <= 1.0).count() >= 90);
}

/// `batch-two-queue-priorities`: once the interactive (priority 100) jobs are RUNNABLE, no reporting job starts
/// until the interactive queue is empty.
#[test]
fn batch_higher_priority_queue_takes_every_freed_vcpu() {
    let sim = common::run_checked(common::preset("batch-two-queue-priorities"), 1);
    let jobs = sim.batch_jobs();
    let interactive = batch_jobs_of(&jobs, "interactive");
    let reporting = batch_jobs_of(&jobs, "reporting");
    let first = |js: &[&BatchJobRecord]| js.iter().filter_map(|j| j.first_running_s).fold(f64::MAX, f64::min);
    let last = |js: &[&BatchJobRecord]| js.iter().filter_map(|j| j.first_running_s).fold(0.0, f64::max);
    let (i_first, i_last) = (first(&interactive), last(&interactive));
    assert!(i_first > 300.0);
    // Reporting jobs placed before the interactive ones became RUNNABLE may still be starting (tens of seconds);
    // after that, none starts until the last interactive job has.
    let overlap =
        reporting.iter().filter(|j| j.first_running_s.is_some_and(|t| t > i_first + 60.0 && t < i_last)).count();
    assert_eq!(overlap, 0);
    let s = sim.metrics();
    let b = s.batch.unwrap();
    let (rep, int) = (&b.queues[0], &b.queues[1]);
    assert_eq!((rep.succeeded, int.succeeded), (1_000, 200));
    assert!(int.wait_p95_s.unwrap() < rep.wait_p50_s.unwrap());
}

/// `batch-spot-reclaim-retries`: the reclaim at 10 minutes kills children of both arrays; the resilient array
/// retries them and all 60 succeed; the fragile array's killed children end FAILED; replacement instances launch.
#[test]
fn batch_spot_reclaim_is_retried_only_with_evaluate_on_exit() {
    let sim = common::run_checked(common::preset("batch-spot-reclaim-retries"), 1);
    let s = sim.metrics();
    let b = s.batch.as_ref().unwrap();
    let jobs = sim.batch_jobs();
    let of = |sub: &str| jobs.iter().filter(|j| j.submission == sub).collect::<Vec<_>>();
    let (resilient, fragile) = (of("with-retries"), of("without-retries"));
    assert!(resilient.iter().all(|j| j.state == BatchJobState::Succeeded));
    let retried = resilient.iter().filter(|j| j.attempts > 1).count() as u64;
    let failed = fragile.iter().filter(|j| j.state == BatchJobState::Failed).count() as u64;
    assert!(retried > 0 && failed > 0, "retried {retried}, failed {failed}");
    assert!(fragile.iter().all(|j| j.attempts == 1));
    // Every reclaimed attempt is either retried (resilient) or FAILED (fragile); the killed ones ended at the
    // termination, 10 minutes + the two-minute notice.
    assert_eq!(b.spot_reclaims, retried + failed);
    assert_eq!(b.retries, retried);
    assert!(fragile.iter().filter(|j| j.state == BatchJobState::Failed).all(|j| j.ended_s == Some(720.0)));
    // Half the instances went; replacements came for the retried children.
    let ce = &b.compute_environments[0];
    assert!(ce.instances_launched > 15, "{}", ce.instances_launched);
}

/// `batch-allocation-under-shortage`: the c5.2xlarge pools are dry for 30 minutes. BEST_FIT is refused at every
/// pass, launches nothing else and its jobs wait for the capacity to come back, then run on c5.2xlarge;
/// BEST_FIT_PROGRESSIVE and SPOT_PRICE_CAPACITY_OPTIMIZED select m5.2xlarge at once and are done in about 13
/// minutes; BEST_FIT's queue costs less than BEST_FIT_PROGRESSIVE's; no environment goes past maxvCpus 64.
#[test]
fn batch_best_fit_waits_for_its_type_and_the_others_select_another() {
    let sim = common::run_checked(common::preset("batch-allocation-under-shortage"), 1);
    let s = sim.metrics();
    let b = s.batch.as_ref().unwrap();
    assert_eq!(b.jobs_by_state[BatchJobState::Succeeded as usize].jobs, 192);
    let jobs = sim.batch_jobs();
    let starts =
        |queue: &str| -> Vec<f64> { batch_jobs_of(&jobs, queue).iter().map(|j| j.first_running_s.unwrap()).collect() };
    let ends = |queue: &str| batch_jobs_of(&jobs, queue).iter().map(|j| j.ended_s.unwrap()).fold(0.0, f64::max);
    // BEST_FIT: nothing runs before the capacity is back at 30:00.
    assert!(starts("q-best-fit").iter().all(|&t| t > 1_800.0), "{:?}", starts("q-best-fit"));
    // The others: every job running within a few minutes, all done in about 13 minutes (boot, start, ~10 min).
    for queue in ["q-progressive", "q-spot"] {
        assert!(starts(queue).iter().all(|&t| t < 300.0), "{queue}: {:?}", starts(queue));
        assert!((600.0..1_000.0).contains(&ends(queue)), "{queue}: {}", ends(queue));
    }
    let (best, progressive, spot) = (&b.queues[0], &b.queues[1], &b.queues[2]);
    assert!(best.wait_p50_s.unwrap() > 1_800.0 && progressive.wait_p95_s.unwrap() < 300.0);
    assert!(spot.wait_p95_s.unwrap() < 300.0);
    // "keeps costs lower but can limit scaling": BEST_FIT's queue pays less than BEST_FIT_PROGRESSIVE's.
    assert!(best.cost_usd < progressive.cost_usd, "{} vs {}", best.cost_usd, progressive.cost_usd);
    // Which types each environment launched, and which refusals the trace shows.
    let lines: Vec<String> = sim.trace().iter().map(ToString::to_string).collect();
    let launched = |ce: &str| -> Vec<&String> {
        lines.iter().filter(|l| l.contains(&format!("compute environment {ce} launched instance"))).collect()
    };
    assert!(!launched("best-fit").is_empty() && launched("best-fit").iter().all(|l| l.ends_with("(c5.2xlarge)")));
    for ce in ["progressive", "spot"] {
        assert!(!launched(ce).is_empty() && launched(ce).iter().all(|l| l.ends_with("(m5.2xlarge)")), "{ce}");
        assert!(!lines.iter().any(|l| l.contains(&format!("{ce}: launch of"))), "{ce} was never refused");
    }
    let refused = lines.iter().filter(|l| l.contains("best-fit: launch of c5.2xlarge refused, no capacity")).count();
    // One refusal a pass (every 10 s) for 30 minutes.
    assert!((170..=181).contains(&refused), "{refused}");
    assert_eq!(b.launches_refused, refused as u64);
    assert!(b.compute_environments.iter().all(|ce| ce.peak_vcpus <= 64), "{:?}", b.compute_environments);
}
