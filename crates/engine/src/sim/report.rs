//! Reading a simulation: the summary ([`Summary`]) and the current view ([`View`]).

use super::Simulation;
use crate::ids::ProviderId;
use crate::output::ScheduleSummary;
use crate::output::{
    Bucket, BucketView, CapacityCost, ChartMarker, CommitmentsSummary, CostBreakdown, CostFigures, FailedLaunches,
    InstanceView, LimitShare, Limiter, Place, PoolView, ProviderCost, ProviderView, ReservedInstanceResult,
    RunTaskCost, RunTaskSummary, SavingsPlanResult, ServiceCost, ServiceSummary, ServiceView, Summary, TaskView, View,
};
use crate::scenario::CapacityType;
use crate::task::{Task, TaskState};
use crate::text::Text;
use crate::time::{ms_to_secs, SimTime};

/// The end of a timeline whose last thing that matters is at `last`: a tail of 5% of `last`, at least 10 s, after
/// it, never past the horizon. Enough to see the state it ends in without the chart running on flat.
pub(super) fn timeline_tail(last: SimTime, horizon: SimTime) -> SimTime {
    const MIN_TAIL_MS: u64 = 10_000;
    let tail = (last.as_millis() / 20).max(MIN_TAIL_MS);
    last.plus_ms(tail).min(horizon)
}

/// Rounds to a fixed number of decimals so summaries print the same everywhere and read well.
fn round(value: f64, decimals: i32) -> f64 {
    let scale = libm::pow(10.0, f64::from(decimals));
    (value * scale).round() / scale
}

impl Simulation {
    /// The run's metrics so far: what `fleetplan run --json` prints and the page shows.
    /// Every AWS Batch job so far with its state and times (empty without Batch).
    pub fn batch_jobs(&self) -> Vec<crate::output::BatchJobRecord> {
        self.batch_job_records()
    }

    pub fn metrics(&self) -> Summary {
        let services: Vec<ServiceSummary> = self
            .services
            .iter()
            .enumerate()
            .map(|(s, rt)| {
                let steady_s = rt.steady_at.map(|t| ms_to_secs(t.as_millis()));
                let first_steady_s = rt.first_steady.map(|(t, _)| ms_to_secs(t.as_millis()));
                let running = rt.active.iter().filter(|&&id| self.tasks[id].state == TaskState::Running).count();
                let running = crate::narrow::u32_of(running);
                let mut limits: Vec<LimitShare> = Limiter::ALL
                    .iter()
                    .filter(|&&l| rt.waiting_ms[l as usize] > 0)
                    .map(|&l| LimitShare {
                        limit: l,
                        waiting_task_s: round(rt.waiting_ms[l as usize] as f64 / 1000.0, 1),
                    })
                    .collect();
                crate::sort::sort_by(&mut limits, |a, b| b.waiting_task_s.total_cmp(&a.waiting_task_s));
                // The largest measured share of the time it was held back (`docs/model.md` §15.2).
                let limited_by_shares = crate::limited_by::shares(&rt.band.held_ms_at(self.now));
                let limited_by = limited_by_shares.first().and_then(|s| s.held.limiter());
                ServiceSummary {
                    name: self.scenario.services[s].name.clone(),
                    desired: rt.desired,
                    running,
                    healthy: rt.healthy_primary,
                    steady_s,
                    first_steady_s,
                    later_rollouts: rt.later_rollouts,
                    // Over the first rollout's ramp (from time 0 to its first steady moment), not the whole run.
                    launch_rate_per_s: rt
                        .first_steady
                        .filter(|&(t, _)| t > SimTime::ZERO)
                        .map(|(t, desired)| round(f64::from(desired) / ms_to_secs(t.as_millis()), 2)),
                    limited_by,
                    limited_by_shares,
                    limits,
                    deployment: rt.deployment_status(),
                    failures: rt.failures,
                    replacements: rt.replacements,
                    interruptions: rt.interruptions,
                    dip: rt.lowest_running.map(|(running, at, desired)| crate::output::Dip {
                        running,
                        at_s: ms_to_secs(at.as_millis()),
                        desired,
                    }),
                }
            })
            .collect();
        let run_tasks: Vec<RunTaskSummary> = self
            .workloads
            .iter()
            .enumerate()
            .map(|(w, rt)| RunTaskSummary {
                name: self.scenario.run_tasks[w].name.clone(),
                requested: self.scenario.run_tasks[w].count,
                started: rt.started,
                failed: rt.failed,
                throttled: rt.throttled,
                throttled_calls: rt.throttled_calls,
                settled_s: rt.settled_at.map(|t| ms_to_secs(t.as_millis())),
            })
            .collect();
        let completion_s = services
            .iter()
            .map(|s| s.steady_s)
            .chain(run_tasks.iter().map(|r| r.settled_s))
            .chain(self.batch_completion_s())
            .try_fold(0.0f64, |latest, t| t.map(|t| latest.max(t)));
        let (tasks_started, tasks_failed) = (self.tasks.started(), self.tasks.failed());
        let end_s = ms_to_secs(self.now.as_millis());
        let cost = self.accounting.cost_at(self.now);
        let commitments = self.commitments_summary(cost);
        let billed = commitments.as_ref().map_or(cost, |c| c.cost_with_usd);
        Summary {
            scenario: self.scenario.name.clone(),
            seed: self.seed,
            completion_s,
            end_s,
            tasks_launched: self.tasks.len() as u64,
            tasks_started,
            tasks_failed,
            interruptions: self.accounting.interruptions(),
            replacements: self.services.iter().map(|s| s.replacements).sum(),
            cost_usd: round(cost, 4),
            average_cost_per_hour_usd: if end_s > 0.0 { round(cost / end_s * 3600.0, 4) } else { 0.0 },
            costs: self.cost_figures(billed),
            events: self.accounting.events_processed(),
            services,
            run_tasks,
            failed_launches: self
                .scenario
                .providers
                .iter()
                .zip(self.fleet.providers())
                .filter(|(_, rt)| rt.failed_launches() > 0)
                .map(|(p, rt)| FailedLaunches { provider: p.name.clone(), launches: rt.failed_launches() })
                .collect(),
            quota_hits: self.quota_hits(),
            cost_breakdown: self.cost_breakdown(),
            stopped_early: self.stopped_early.clone(),
            task_retirements: self.task_retirements(),
            commitments,
            demand: self.demand_summaries(),
            cpu_credits: self.credits_summary(),
            schedules: self.schedule_summaries(),
            queues: self.queue_summaries(),
            batch: self.batch_summary(),
        }
    }

    /// The cost named for what it is (`docs/model.md` §6.2): `billed` is what the run cost as billed (with the
    /// commitments, if any).
    fn cost_figures(&self, billed: f64) -> CostFigures {
        let usd = |v: f64| round(v, 4);
        let rollout = self.accounting.rollout();
        let no_steady_state = self.no_steady_state();
        let steady = no_steady_state.is_none();
        let rates = self.accounting.rates();
        let since = self.services.iter().filter_map(|s| s.steady_at).fold(self.accounting.rate_changed(), SimTime::max);
        let baseline = self.accounting.on_demand_at(self.now);
        let savings = baseline - billed;
        CostFigures {
            rollout_s: rollout.map(|r| ms_to_secs(r.at.as_millis())),
            rollout_usd: rollout.map(|r| usd(r.usd)),
            steady_state: steady,
            no_steady_state,
            steady_since_s: steady.then(|| ms_to_secs(since.as_millis())),
            steady_per_hour_usd: steady.then(|| usd(rates.per_hour)),
            steady_per_month_usd: steady.then(|| usd(rates.per_hour * crate::output::HOURS_PER_MONTH)),
            on_demand_steady_per_hour_usd: steady.then(|| usd(rates.on_demand_per_hour)),
            on_demand_baseline_usd: usd(baseline),
            billed_usd: usd(billed),
            savings_vs_on_demand_usd: usd(savings),
            savings_vs_on_demand_percent: if baseline > 0.0 { round(savings / baseline * 100.0, 1) } else { 0.0 },
        }
    }

    /// Where the page's timeline ends once the run has finished (`docs/model.md` §6.2): the scenario's
    /// `timeline_end_s` when it gives one; the run's end when it stopped early, when load keeps moving the fleet to
    /// the end (demand profiles, SQS queues, EventBridge schedules) or a service is not steady at the end; otherwise
    /// a little after the last thing that matters ([`timeline_tail`]): the latest of the last billing change, each
    /// service's last steady moment, each RunTask burst's settling, and each timed event and chart marker so far.
    /// It can be before the run's end (periodic checks that change nothing, such as managed scaling evaluations,
    /// go on to the horizon) or after it (the run stops at its last event, the moment it is steady).
    pub fn timeline_end(&self) -> SimTime {
        if let Some(end) = self.scenario.timeline_end {
            return end;
        }
        let moving = self.stopped_early.is_some()
            || self.scenario.services.iter().any(|s| s.demand.is_some())
            || !self.scenario.queues.is_empty()
            || !self.scenario.schedules.is_empty()
            || self.services.iter().any(|s| s.steady_at.is_none())
            || self.batch_completion_s() == Some(None);
        if moving {
            return self.now;
        }
        let mut last = self.accounting.rate_changed();
        last = self.services.iter().filter_map(|s| s.steady_at).fold(last, SimTime::max);
        last = self.workloads.iter().filter_map(|w| w.settled_at).fold(last, SimTime::max);
        last = self.scenario.events.iter().map(|e| e.at).filter(|&at| at <= self.now).fold(last, SimTime::max);
        if let Some(end) = self.batch_last_end() {
            last = last.max(end);
        }
        for marker in self.chart_markers() {
            last = last.max(SimTime::from_secs_f64(marker.time_s));
        }
        timeline_tail(last.min(self.now), self.scenario.horizon)
    }

    /// Why the run does not end in a steady state, the first reason found; `None` when it does: not stopped early,
    /// every service steady, every RunTask burst settled, and nothing that keeps moving the fleet (demand
    /// profiles, SQS queues, EventBridge schedules).
    fn no_steady_state(&self) -> Option<String> {
        if self.stopped_early.is_some() {
            return Some("the run stopped early".into());
        }
        if let Some(s) = self.scenario.services.iter().find(|s| s.demand.is_some()) {
            return Some(format!("demand moves over the run (service {} has a demand profile)", s.name));
        }
        if let Some(q) = self.scenario.queues.first() {
            return Some(format!("messages keep arriving (queue {})", q.name));
        }
        if let Some(s) = self.scenario.schedules.first() {
            return Some(format!("schedule {} keeps firing", s.name));
        }
        if self.scenario.batch.is_some() {
            return Some("AWS Batch jobs start and end over the run".into());
        }
        if let Some((s, _)) =
            self.scenario.services.iter().zip(self.services.iter()).find(|(_, rt)| rt.steady_at.is_none())
        {
            return Some(format!("service {} is not steady at the end", s.name));
        }
        if let Some((w, _)) =
            self.scenario.run_tasks.iter().zip(self.workloads.iter()).find(|(_, rt)| rt.settled_at.is_none())
        {
            return Some(format!("RunTask {} has not settled at the end", w.name));
        }
        None
    }

    /// Each EventBridge schedule's firings, added up from the RunTask bursts they made (`sim/workloads.rs`).
    fn schedule_summaries(&self) -> Vec<ScheduleSummary> {
        let mut out: Vec<ScheduleSummary> = self
            .scenario
            .schedules
            .iter()
            .map(|s| ScheduleSummary {
                name: s.name.clone(),
                expression: s.expression.clone(),
                firings: 0,
                fired: 0,
                tasks_started: 0,
                tasks_failed: 0,
                throttled_calls: 0,
                retries: 0,
                dropped: 0,
                longest_settle_s: None,
            })
            .collect();
        for (w, rt) in self.workloads.iter().enumerate() {
            let burst = &self.scenario.run_tasks[w];
            let Some(call) = burst.scheduled else { continue };
            let s = &mut out[call.schedule];
            s.firings += 1;
            s.fired += u32::from(rt.invoked);
            s.tasks_started += rt.started;
            s.tasks_failed += rt.failed;
            s.throttled_calls += rt.throttled_calls;
            s.retries += rt.retries;
            s.dropped += u32::from(rt.dropped);
            if let Some(settled) = rt.settled_at {
                let took = ms_to_secs(settled.as_millis().saturating_sub(burst.at.as_millis()));
                s.longest_settle_s = Some(s.longest_settle_s.map_or(took, |l: f64| l.max(took)));
            }
        }
        out
    }

    /// The commitments applied to each clock-hour's eligible usage (`sim/commitments.rs`), `None` without any.
    fn commitments_summary(&self, cost_without: f64) -> Option<CommitmentsSummary> {
        use super::commitments::{apply_hour, plan_curve};
        let (lines, hours) = self.accounting.commitment_hours(self.now)?;
        let c = &self.scenario.commitments;
        let usd = |v: f64| round(v, 4);
        let percent = |used: f64, charged: f64| if charged > 0.0 { round(used / charged * 100.0, 1) } else { 0.0 };
        let results: Vec<_> = hours.iter().map(|usage| apply_hour(c, lines, usage)).collect();
        let n = results.len() as f64;
        let eligible: f64 = results.iter().map(|r| r.eligible).sum();
        let with: f64 = results.iter().map(|r| r.cost_with(c)).sum();
        let plans_charged: f64 = c.savings_plans.iter().map(|p| p.usd_per_hour * n).sum();
        let ri_charged: f64 = results.iter().map(|r| r.ri_charge).sum();
        let plans_used: f64 = results.iter().flat_map(|r| r.plan_used.iter()).sum();
        let ri_unused: f64 = results.iter().map(|r| r.ri_unused).sum();
        let cost_with = cost_without - eligible + with;
        Some(CommitmentsSummary {
            hours: u32::try_from(results.len()).unwrap_or(u32::MAX),
            cost_without_usd: usd(cost_without),
            cost_with_usd: usd(cost_with),
            eligible_on_demand_usd: usd(eligible),
            commitment_charges_usd: usd(plans_charged + ri_charged),
            unused_usd: usd(plans_charged - plans_used + ri_unused),
            savings_usd: usd(cost_without - cost_with),
            savings_plans: c
                .savings_plans
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let used: f64 = results.iter().map(|r| r.plan_used[i]).sum();
                    let charged = p.usd_per_hour * n;
                    let curve = plan_curve(c, lines, &hours, i);
                    SavingsPlanResult {
                        kind: p.kind,
                        family: p.family.clone(),
                        usd_per_hour: p.usd_per_hour,
                        charged_usd: usd(charged),
                        used_usd: usd(used),
                        unused_usd: usd(charged - used),
                        utilization_percent: percent(used, charged),
                        best_usd_per_hour: usd(curve.best_usd_per_hour),
                        best_savings_usd: usd(curve.best_savings_usd),
                        break_even_usd_per_hour: usd(curve.break_even_usd_per_hour),
                    }
                })
                .collect(),
            reserved_instances: c
                .reserved_instances
                .iter()
                .enumerate()
                .map(|(i, ri)| {
                    let fee = f64::from(ri.count) * ri.instance_type.on_demand_hour_usd * (1.0 - ri.discount);
                    let used: f64 = results.iter().map(|r| r.ri_used_fraction[i]).sum();
                    ReservedInstanceResult {
                        instance_type: ri.instance_type.name.to_string(),
                        count: ri.count,
                        charged_usd: usd(fee * n),
                        unused_usd: usd(fee * (n - used)),
                        utilization_percent: percent(used, n),
                    }
                })
                .collect(),
        })
    }

    /// Where the cost went, each figure rounded as `cost_usd` is.
    fn cost_breakdown(&self) -> CostBreakdown {
        let parts = self.accounting.cost_parts(self.now);
        let usd = |v: f64| round(v, 4);
        CostBreakdown {
            by_capacity: CapacityType::ALL
                .iter()
                .map(|&capacity| CapacityCost { capacity, usd: usd(parts.by_capacity[capacity.index()]) })
                .collect(),
            public_ipv4_usd: usd(parts.public_ipv4),
            load_balancer_hours_usd: usd(parts.load_balancer_hours),
            load_balancer_lcu_usd: usd(parts.load_balancer_lcu),
            services: self
                .scenario
                .services
                .iter()
                .zip(&parts.services)
                .map(|(s, &(fargate, ipv4, lb))| ServiceCost {
                    name: s.name.clone(),
                    fargate_usd: usd(fargate),
                    public_ipv4_usd: usd(ipv4),
                    load_balancer_usd: usd(lb),
                    total_usd: usd(fargate + ipv4 + lb),
                })
                .collect(),
            run_tasks: self
                .scenario
                .run_tasks
                .iter()
                .zip(&parts.run_tasks)
                .map(|(w, &(fargate, ipv4))| RunTaskCost {
                    name: w.name.clone(),
                    fargate_usd: usd(fargate),
                    public_ipv4_usd: usd(ipv4),
                    total_usd: usd(fargate + ipv4),
                })
                .collect(),
            providers: self
                .scenario
                .providers
                .iter()
                .zip(&parts.providers)
                .enumerate()
                .map(|(i, (p, &cost))| ProviderCost {
                    name: p.name.clone(),
                    capacity: p.capacity_type(),
                    usd: usd(cost),
                    kind: p.managed_instances.is_some().then_some("MANAGED_INSTANCES"),
                    management_fee_usd: self.management_fee_usd(ProviderId::from_index(i)).map(usd),
                })
                .collect(),
            batch: self.scenario.batch.is_some().then(|| crate::output::BatchCost {
                fargate_usd: usd(parts.batch.0),
                instances_usd: usd(parts.batch.1),
            }),
        }
    }

    pub fn view(&self) -> View {
        let now = self.now;
        let pools = CapacityType::ALL
            .iter()
            .map(|&c| PoolView {
                capacity: c,
                by_state: TaskState::ALL.map(|state| self.tasks.state_counts()[state.index()][c.index()]),
            })
            .collect();
        let services = self
            .services
            .iter()
            .enumerate()
            .map(|(s, rt)| ServiceView {
                name: self.scenario.services[s].name.clone(),
                desired: rt.desired,
                active: crate::narrow::u32_of(rt.active.len()),
                healthy: rt.healthy_primary,
                steady: rt.steady_at.is_some(),
                deployment: rt.deployment_status(),
            })
            .collect();
        let b = &self.buckets;
        let bucket = |name: Bucket, bucket: &crate::bucket::TokenBucket| BucketView {
            name,
            level: bucket.level_at(now),
            burst: bucket.burst(),
            refill_per_s: bucket.per_minute() as f64 / 60.0,
        };
        View {
            time_s: now.as_secs_f64(),
            finished: self.is_finished(),
            pools,
            services,
            buckets: vec![
                bucket(Bucket::FargateOnDemand, &b.fargate_on_demand),
                bucket(Bucket::FargateSpot, &b.fargate_spot),
                bucket(Bucket::RunTaskApi, &b.run_task_api),
                bucket(Bucket::FargateRunTaskCalls, &b.fargate_run_task_calls),
                bucket(Bucket::FargateSpotCapacity, self.spot.capacity()),
            ],
            spot_capacity_waiting: self.spot.waiting_count(),
            providers: self
                .scenario
                .providers
                .iter()
                .zip(self.fleet.providers())
                .map(|(p, rt)| ProviderView {
                    name: p.name.clone(),
                    capacity: p.capacity_type(),
                    zones: p.zones.clone(),
                    waiting: rt.waiting_count(),
                    reservation: rt.last_reservation(),
                    failed_launches: rt.failed_launches(),
                    pools_out_of_capacity: rt
                        .dry_pools()
                        .iter()
                        .map(|&(t, z)| format!("{} in {}", p.instance_types[t as usize].name, p.zones[z as usize]))
                        .collect(),
                    managed_instances: p.managed_instances.is_some(),
                })
                .collect(),
            instances: self
                .fleet
                .instances()
                .iter()
                .enumerate()
                .filter(|(_, i)| i.state != crate::instance::InstanceState::Terminated)
                .map(|(index, i)| {
                    let mut by_state = [0; 8];
                    for &task in &i.tasks {
                        by_state[self.tasks[task].state.index()] += 1;
                    }
                    InstanceView {
                        index: crate::narrow::u32_of(index),
                        id: i.ec2_id(),
                        provider: self.scenario.providers[i.provider.index()].name.clone(),
                        provider_index: crate::narrow::u16_of(i.provider.index()),
                        instance_type: i.instance_type.name,
                        zone: self.scenario.providers[i.provider.index()].zones[i.zone as usize].clone(),
                        zone_index: i.zone,
                        state: i.state,
                        interruption_notice: i.notice_at.is_some(),
                        rebalance_recommended: i.rebalance_at.is_some(),
                        launched_s: i.launched_at.as_secs_f64(),
                        cpu_used: i.cpu_total() - i.cpu_free,
                        cpu_total: i.cpu_total(),
                        memory_used: i.memory_total() - i.memory_free,
                        memory_total: i.memory_total(),
                        tasks: crate::narrow::u32_of(i.tasks.len()),
                        by_state,
                        credit_balance: self.credits_now(i.instance_id()).map(|(b, _)| b),
                        throttled: self.credits_now(i.instance_id()).is_some_and(|(_, t)| t),
                    }
                })
                .collect(),
            task_retirement: self.task_retirement_view(),
            batch: self.batch_view(),
        }
    }

    /// The tasks at a place, sorted by lifecycle state (in [`TaskState::ALL`] order) then id: the order the
    /// cluster view draws them in, so the n-th cell drawn is the n-th task listed. Stopped tasks are left out.
    /// Scans every task (for a details popup, not for every frame).
    pub fn tasks_at(&self, place: Place) -> Vec<TaskView> {
        self.tasks_in_drawing_order(place).into_iter().map(|t| self.task_view(t)).collect()
    }

    /// The `ordinal`-th task of [`tasks_at`](Self::tasks_at), building only its view (a hover asks for one task
    /// of possibly thousands).
    pub fn task_at(&self, place: Place, ordinal: usize) -> Option<TaskView> {
        self.tasks_in_drawing_order(place).get(ordinal).map(|t| self.task_view(t))
    }

    fn tasks_in_drawing_order(&self, place: Place) -> Vec<&Task> {
        let live = |t: &&Task| t.state != TaskState::Stopped;
        let mut tasks: Vec<&Task> = match place {
            // An instance lists its own tasks: no need to look through every task.
            Place::Instance(instance) => self
                .fleet
                .instances()
                .get(instance as usize)
                .map_or(Vec::new(), |i| i.tasks.iter().map(|&t| &self.tasks[t]).filter(live).collect()),
            Place::Pool(capacity) => self
                .tasks
                .all()
                .iter()
                .filter(live)
                .filter(|t| t.capacity == capacity && t.instance.is_none() && t.provider.is_fargate())
                .collect(),
            Place::Waiting(provider) => self
                .tasks
                .all()
                .iter()
                .filter(live)
                .filter(|t| t.provider == crate::scenario::Provider::Asg(provider) && t.instance.is_none())
                .collect(),
        };
        crate::sort::sort_by_key(&mut tasks, |t| (t.state.index(), t.id));
        tasks
    }

    fn task_view(&self, t: &Task) -> TaskView {
        let def = &self.scenario.task_defs[t.task_def as usize];
        TaskView {
            id: t.id.raw(),
            owner: self.owner_name(t.owner),
            task_definition: def.name.clone(),
            cpu: def.cpu,
            memory: def.memory,
            state: t.state,
            health: t.health,
            capacity: t.capacity,
            provider: self.scenario.provider_name(t.provider).to_string(),
            instance: t.instance.map(|i| self.fleet.instance(i).ec2_id()),
            launched_s: t.launched_at.as_secs_f64(),
            running_s: t.running_at.map(|at| at.as_secs_f64()),
            stopping: t.stop_reason.filter(|_| t.stopping),
            interruption_warning: t.kill_at.is_some(),
        }
    }

    /// The moments the charts mark on their time axis, in time order: each quota's first refusal (named as the
    /// summary's `quota_hits` name it) and each Fargate task retirement notice and retirement that happened so far.
    pub fn chart_markers(&self) -> Vec<ChartMarker> {
        let mut markers: Vec<ChartMarker> = self
            .quota_hits()
            .into_iter()
            .map(|hit| ChartMarker { time_s: hit.first_s, label: Text::new("{quota}").name("quota", hit.quota.name()) })
            .collect();
        for (notice, retired) in self.retirements.times() {
            markers.push(ChartMarker { time_s: notice.as_secs_f64(), label: Text::new("task retirement notice") });
            if let Some(at) = retired {
                markers.push(ChartMarker { time_s: at.as_secs_f64(), label: Text::new("task retirement") });
            }
        }
        // Each EventBridge firing time that has come, once per time however many schedules fire then.
        // Grouped by time in a map: the page asks for the markers whenever it draws the charts, and a scenario may
        // have 5,000 firings.
        let mut fired: std::collections::BTreeMap<SimTime, Vec<&str>> = std::collections::BTreeMap::new();
        for burst in self.scenario.run_tasks.iter().filter(|b| b.scheduled.is_some() && b.at <= self.now) {
            let name = &self.scenario.schedules[burst.scheduled.map_or(0, |c| c.schedule)].name;
            fired.entry(burst.at).or_default().push(name);
        }
        let fired = fired.into_iter().map(|(at, names)| {
            let label = if names.len() == 1 {
                Text::new("schedule {name}").arg("name", names[0])
            } else {
                Text::new("{count} schedules fire").arg("count", names.len())
            };
            (at, label)
        });
        // Markers at the same time keep the order above.
        super::marks::in_time_order(markers, fired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::testing;

    #[test]
    fn the_tail_is_five_percent_at_least_ten_seconds_within_the_horizon() {
        let h = SimTime(3_600_000);
        assert_eq!(timeline_tail(SimTime(100_000), h), SimTime(110_000), "10 s beats 5% of 100 s");
        assert_eq!(timeline_tail(SimTime(203_045), h), SimTime(203_045 + 10_152), "5% of 203 s");
        assert_eq!(timeline_tail(SimTime(1_075_482), h), SimTime(1_075_482 + 53_774));
        assert_eq!(timeline_tail(SimTime(3_500_000), h), h, "never past the horizon");
        assert_eq!(timeline_tail(SimTime::ZERO, h), SimTime(10_000));
    }

    /// A steady Fargate run ends at its last event; the timeline goes on a little after it, unless the scenario
    /// names its own end.
    #[test]
    fn the_timeline_ends_a_little_after_the_service_is_steady() {
        let mut sim = Simulation::new(testing::fargate("", "", ""), 1);
        sim.run_to_end();
        let steady = sim.services.iter().next().and_then(|s| s.steady_at).expect("steady");
        let end = sim.timeline_end();
        assert!(end >= steady.plus_ms(10_000) && end <= sim.scenario.horizon, "{end:?} after {steady:?}");
        let mut sim = Simulation::new(testing::fargate("", "", r#""timeline_end_s": 900"#), 1);
        sim.run_to_end();
        assert_eq!(sim.timeline_end(), SimTime(900_000));
    }
}
