//! The accounting part: what the run has cost, counted and recorded — the cost meter, the time series and its
//! sampling, launches since the last sample, interruptions, events processed and the trace.
//!
//! Mechanisms report to [`Accounting`] (a launch, an interruption, a billing start or stop, a trace line); only
//! sampling (`take_sample`, here as the one place that reads every part for a row of the series) writes the series.

use super::commitments::{self, HourlyUsage, Line};
use super::Simulation;
use crate::ids::{ProviderId, ServiceId, WorkloadId};
use crate::output::{Column, Sample, TimeSeries, TraceEntry, TraceWhat};
use crate::scenario::{CapacityType, Scenario};
use crate::task::TaskState;
use crate::time::SimTime;

/// Accumulated cost: a running rate (USD per ms) over the tasks being billed, integrated between changes.
#[derive(Debug, Default)]
struct CostMeter {
    accrued: f64,
    rate_per_ms: f64,
    billing: u32,
    updated: SimTime,
}

impl CostMeter {
    fn advance(&mut self, now: SimTime) {
        if now > self.updated {
            self.accrued += self.rate_per_ms * now.since(self.updated) as f64;
            self.updated = now;
        }
    }

    fn at(&self, now: SimTime) -> f64 {
        self.accrued + self.rate_per_ms * now.since(self.updated) as f64
    }

    fn start(&mut self, now: SimTime, rate_per_ms: f64) {
        self.advance(now);
        self.rate_per_ms += rate_per_ms;
        self.billing += 1;
    }

    fn stop(&mut self, now: SimTime, rate_per_ms: f64, minimum_extra_ms: u64) {
        self.advance(now);
        self.billing -= 1;
        // Adding and removing the same rates can leave a rounding residue; with nothing billed it is exactly zero.
        self.rate_per_ms = if self.billing == 0 { 0.0 } else { self.rate_per_ms - rate_per_ms };
        self.accrued += rate_per_ms * minimum_extra_ms as f64;
    }
}

/// Who a charge is billed to in the breakdown: a service or RunTask workload (its Fargate tasks), or a capacity
/// provider (its instances, shared capacity).
#[derive(Debug, Clone, Copy)]
pub(super) enum Payer {
    Service(ServiceId),
    RunTask(WorkloadId),
    Provider(ProviderId),
    /// AWS Batch compute environments (instances, Fargate jobs): by capacity type and as Batch's; the Batch part
    /// splits it by queue and compute environment (`sim/batch/`).
    Batch,
}

/// One billed thing's rates split by category (USD per ms): what it runs on and who pays, its compute (vCPU and
/// memory, or the instance) and its public IPv4 address.
#[derive(Debug, Clone, Copy)]
pub(super) struct Charge {
    pub(super) capacity: CapacityType,
    pub(super) payer: Payer,
    pub(super) compute_per_ms: f64,
    pub(super) ipv4_per_ms: f64,
    /// The instance type of an instance's charge (`None` for a task): which Reserved Instances and Savings Plans
    /// can cover it.
    pub(super) instance_type: Option<&'static str>,
    /// The part of `compute_per_ms` commitments can cover: all of it but a Managed Instances management fee, which
    /// is an ECS charge, not EC2 usage.
    pub(super) committable_per_ms: f64,
    /// The whole rate (compute and public IPv4) priced On-Demand: the Fargate Spot or EC2 Spot discount removed.
    /// What the all-On-Demand baseline meters (`docs/model.md` §6.2).
    pub(super) on_demand_per_ms: f64,
}

/// A payer's meters: compute and public IPv4.
#[derive(Debug, Default)]
struct PayerMeters {
    compute: CostMeter,
    ipv4: CostMeter,
}

/// The cost by category and payer, metered beside the total (which keeps its own meter so its arithmetic, and
/// so every summary without a load balancer, is unchanged by the breakdown). Load balancers are billed at a
/// constant rate from the start of the run, so they need no meter: rate x time.
#[derive(Debug, Default)]
struct Breakdown {
    by_capacity: [CostMeter; CapacityType::COUNT],
    ipv4: CostMeter,
    services: Vec<PayerMeters>,
    run_tasks: Vec<PayerMeters>,
    providers: Vec<CostMeter>,
    /// Per service: (ALB-hour, LCU-hour) rates in USD per ms; zero without a load balancer.
    load_balancers: Vec<(f64, f64)>,
    batch_fargate: CostMeter,
    batch_instances: CostMeter,
    /// Per split group (`crate::split`): services' and providers' meters, and each service group's load balancer
    /// rate (USD per ms).
    service_groups: Vec<CostMeter>,
    service_group_lb: Vec<f64>,
    provider_groups: Vec<CostMeter>,
    split: crate::split::SplitPlan,
}

impl Breakdown {
    fn new(scenario: &Scenario, split: crate::split::SplitPlan) -> Breakdown {
        let prices = &scenario.prices;
        let load_balancers = scenario
            .services
            .iter()
            .map(|s| match &s.load_balancer {
                // *Elastic Load Balancing pricing*: an hourly charge per Application Load Balancer, plus LCU-hours
                // (see `alb_lcus`). The ALB exists before the run and after it (the run is a window of a service's
                // life), so its hours are counted over the window, pro rata, as an instance still running at the
                // end is; the "partial hour" rounding is not applied.
                Some(lb) => (prices.alb_hour / MS_PER_HOUR, alb_lcus(lb) * prices.alb_lcu_hour / MS_PER_HOUR),
                None => (0.0, 0.0),
            })
            .collect();
        let mut service_group_lb = vec![0.0; split.service_names.len()];
        for (&g, &(hours, lcu)) in split.service_group.iter().zip(&load_balancers) {
            if let Some(rate) = service_group_lb.get_mut(usize::from(g)) {
                *rate += hours + lcu;
            }
        }
        Breakdown {
            service_groups: split.service_names.iter().map(|_| CostMeter::default()).collect(),
            service_group_lb,
            provider_groups: split.provider_names.iter().map(|_| CostMeter::default()).collect(),
            split,
            services: scenario.services.iter().map(|_| PayerMeters::default()).collect(),
            run_tasks: scenario.run_tasks.iter().map(|_| PayerMeters::default()).collect(),
            providers: scenario.providers.iter().map(|_| CostMeter::default()).collect(),
            load_balancers,
            ..Breakdown::default()
        }
    }

    /// Applies `f` to each meter a charge runs on, with that meter's rate: its capacity type, the payer's
    /// compute, and (for a task with a public IPv4 address) the IPv4 meters. The same charge at start and stop
    /// reaches the same meters.
    fn each(&mut self, charge: &Charge, mut f: impl FnMut(&mut CostMeter, f64)) {
        f(&mut self.by_capacity[charge.capacity.index()], charge.compute_per_ms);
        let ipv4 = charge.ipv4_per_ms > 0.0;
        // The split groups: a task's service group (RunTask: "other") and its capacity's provider group, an
        // instance's provider group.
        let service_group = match charge.payer {
            Payer::Service(s) => self.split.service_group.get(s.index()).copied(),
            Payer::RunTask(_) => self.split.service_other,
            Payer::Provider(_) | Payer::Batch => None,
        };
        let slot = match (charge.payer, charge.capacity) {
            (Payer::Provider(p), _) => Some(2 + p.index()),
            (_, CapacityType::Fargate) => Some(0),
            (_, CapacityType::FargateSpot) => Some(1),
            _ => None,
        };
        let provider_group = slot.and_then(|slot| self.split.provider_group.get(slot)).copied();
        for (meters, group) in [(&mut self.service_groups, service_group), (&mut self.provider_groups, provider_group)]
        {
            if let Some(meter) = group.and_then(|g| meters.get_mut(usize::from(g))) {
                f(meter, charge.compute_per_ms);
                if ipv4 {
                    f(meter, charge.ipv4_per_ms);
                }
            }
        }
        if ipv4 {
            f(&mut self.ipv4, charge.ipv4_per_ms);
        }
        let payer = match charge.payer {
            Payer::Service(s) => &mut self.services[s.index()],
            Payer::RunTask(w) => &mut self.run_tasks[w.index()],
            Payer::Provider(p) => return f(&mut self.providers[p.index()], charge.compute_per_ms),
            Payer::Batch if matches!(charge.capacity, CapacityType::Fargate | CapacityType::FargateSpot) => {
                return f(&mut self.batch_fargate, charge.compute_per_ms)
            }
            Payer::Batch => return f(&mut self.batch_instances, charge.compute_per_ms),
        };
        f(&mut payer.compute, charge.compute_per_ms);
        if ipv4 {
            f(&mut payer.ipv4, charge.ipv4_per_ms);
        }
    }

    fn start(&mut self, now: SimTime, charge: &Charge) {
        self.each(charge, |meter, rate| meter.start(now, rate));
    }

    fn stop(&mut self, now: SimTime, charge: &Charge, minimum_extra_ms: u64) {
        self.each(charge, |meter, rate| meter.stop(now, rate, minimum_extra_ms));
    }

    fn load_balancer_hours_at(&self, now: SimTime) -> f64 {
        self.load_balancers.iter().map(|&(hours, _)| hours * now.as_millis() as f64).sum()
    }

    fn load_balancer_lcu_at(&self, now: SimTime) -> f64 {
        self.load_balancers.iter().map(|&(_, lcu)| lcu * now.as_millis() as f64).sum()
    }
}

/// LCUs an Application Load Balancer uses per hour. *Elastic Load Balancing pricing*: "You are charged only on the
/// dimension with highest usage" of four: new connections (25 per second per LCU), active connections (3,000 per
/// minute), processed bytes ("1 GB per hour for EC2 instances, containers and IP addresses as targets") and rule
/// evaluations (1,000 per second). The traffic is scenario data, constant over the run.
fn alb_lcus(lb: &crate::scenario::LoadBalancer) -> f64 {
    use crate::defaults as d;
    let processed = lb.processed_gb_per_hour / d::ALB_LCU_PROCESSED_GB_PER_HOUR;
    let new_connections = lb.new_connections_per_s / d::ALB_LCU_NEW_CONNECTIONS_PER_S;
    let active = lb.active_connections_per_minute / d::ALB_LCU_ACTIVE_CONNECTIONS_PER_MINUTE;
    let rules = lb.rule_evaluations_per_s / d::ALB_LCU_RULE_EVALUATIONS_PER_S;
    // Folding from `processed` keeps a file without the other dimensions at exactly its former value.
    [new_connections, active, rules].into_iter().fold(processed, f64::max)
}

/// The cost by category at a time, for the summary (USD, unrounded).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CostParts {
    pub(super) by_capacity: [f64; CapacityType::COUNT],
    pub(super) public_ipv4: f64,
    pub(super) load_balancer_hours: f64,
    pub(super) load_balancer_lcu: f64,
    /// Per service: (Fargate compute, public IPv4, load balancer).
    pub(super) services: Vec<(f64, f64, f64)>,
    /// Per RunTask workload: (Fargate compute, public IPv4).
    pub(super) run_tasks: Vec<(f64, f64)>,
    pub(super) providers: Vec<f64>,
    /// AWS Batch: (Fargate jobs, compute environment instances).
    pub(super) batch: (f64, f64),
}

const MS_PER_HOUR: f64 = 3_600_000.0;

/// The moment the first rollout of every service was steady, and what the run had cost by then (`docs/model.md`
/// §6.2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct RolloutMark {
    pub(super) at: SimTime,
    /// The cost so far (USD, as `cost_at`: without commitments).
    pub(super) usd: f64,
    /// The same usage priced On-Demand (USD, as `on_demand_at`).
    pub(super) on_demand_usd: f64,
}

/// The billing rates at a moment (USD per hour): as billed, and priced all On-Demand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rates {
    pub(super) per_hour: f64,
    pub(super) on_demand_per_hour: f64,
}

pub(super) struct Accounting {
    cost: CostMeter,
    /// The same usage priced On-Demand: every charge's `on_demand_per_ms` (load balancers are added as for `cost`).
    on_demand: CostMeter,
    /// When the billing rate last changed (a start or stop of billing, or a one-off charge).
    rate_changed: SimTime,
    rollout: Option<RolloutMark>,
    breakdown: Breakdown,
    series: TimeSeries,
    next_sample: SimTime,
    launches_since_sample: [u32; CapacityType::COUNT],
    tracing: bool,
    trace: Vec<TraceEntry>,
    /// Spot notices and scaling actions for the charts' time axis (`sim/marks.rs`), noted whether or not tracing.
    marks: super::marks::Marks,
    events_processed: u64,
    interruptions: u64,
    /// Eligible On-Demand usage per clock-hour, metered only when the scenario has commitments.
    commitments: Option<(Vec<Line>, HourlyUsage)>,
    /// For the series' cost with commitments: the finished hours already applied, their eligible usage and their
    /// cost with the commitments (USD).
    applied_hours: usize,
    applied_eligible: f64,
    applied_with: f64,
    /// The groups of the series split by service and provider, and launches counted at the last sample.
    split: super::split::Sampler,
}

impl Accounting {
    /// Sampling every `interval_ms`; the trace kept when `tracing`.
    pub(super) fn new(interval_ms: u64, tracing: bool, scenario: &Scenario) -> Accounting {
        let split = super::split::Sampler::new(scenario);
        let mut accounting = Accounting {
            cost: CostMeter::default(),
            on_demand: CostMeter::default(),
            rate_changed: SimTime::ZERO,
            rollout: None,
            breakdown: Breakdown::new(scenario, split.plan().clone()),
            series: TimeSeries::new(interval_ms),
            next_sample: SimTime(interval_ms),
            launches_since_sample: [0; CapacityType::COUNT],
            tracing,
            trace: Vec::new(),
            marks: super::marks::Marks::default(),
            events_processed: 0,
            interruptions: 0,
            commitments: (!scenario.commitments.is_empty()).then(|| {
                let lines = commitments::lines(scenario);
                let meter = HourlyUsage::new(lines.len());
                (lines, meter)
            }),
            applied_hours: 0,
            applied_eligible: 0.0,
            applied_with: 0.0,
            split,
        };
        accounting.series.split = accounting.split.plan().series();
        accounting
    }

    pub(super) fn tracing(&self) -> bool {
        self.tracing
    }

    pub(super) fn marks(&self) -> &super::marks::Marks {
        &self.marks
    }

    /// Starts or stops recording trace lines (`Simulation::set_tracing`).
    pub(super) fn set_tracing(&mut self, on: bool) {
        self.tracing = on;
    }

    pub(super) fn record(&mut self, time: SimTime, what: TraceWhat) {
        self.marks.note(time, &what);
        if self.tracing {
            self.trace.push(TraceEntry { time, what });
        }
    }

    pub(super) fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }

    pub(super) fn take_trace(&mut self) -> Vec<TraceEntry> {
        std::mem::take(&mut self.trace)
    }

    pub(super) fn series(&self) -> &TimeSeries {
        &self.series
    }

    pub(super) fn count_launch(&mut self, capacity: CapacityType) {
        self.launches_since_sample[capacity.index()] += 1;
    }

    /// A Spot interruption (a Fargate Spot task's warning or an EC2 Spot instance's notice).
    pub(super) fn count_interruption(&mut self) {
        self.interruptions += 1;
    }

    pub(super) fn interruptions(&self) -> u64 {
        self.interruptions
    }

    pub(super) fn count_event(&mut self) {
        self.events_processed += 1;
    }

    pub(super) fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// Something starts being billed at `rate_per_ms` (USD per ms), split as `charge` says.
    pub(super) fn start_billing(&mut self, now: SimTime, rate_per_ms: f64, charge: &Charge) {
        self.cost.start(now, rate_per_ms);
        self.on_demand.start(now, charge.on_demand_per_ms);
        self.rate_changed = now;
        self.breakdown.start(now, charge);
        if let Some((lines, meter)) = &mut self.commitments {
            if let Some(line) = commitments::line_of(lines, charge.capacity, charge.instance_type) {
                meter.start(now, line, charge.committable_per_ms);
            }
        }
    }

    /// It stops, with `minimum_extra_ms` more billed to reach its minimum billed time.
    pub(super) fn stop_billing(&mut self, now: SimTime, rate_per_ms: f64, charge: &Charge, minimum_extra_ms: u64) {
        self.cost.stop(now, rate_per_ms, minimum_extra_ms);
        self.on_demand.stop(now, charge.on_demand_per_ms, minimum_extra_ms);
        self.rate_changed = now;
        self.breakdown.stop(now, charge, minimum_extra_ms);
        if let Some((lines, meter)) = &mut self.commitments {
            if let Some(line) = commitments::line_of(lines, charge.capacity, charge.instance_type) {
                meter.stop(now, line, charge.committable_per_ms, minimum_extra_ms);
            }
        }
    }

    /// The usage lines and the eligible On-Demand usage of every clock-hour so far, when the scenario has
    /// commitments.
    /// A one-off charge (surplus CPU credits, `sim/credits.rs`): added to the total and to the meters the charge
    /// names (its capacity type and provider), so the series' cost and the breakdown include it. Not usage that
    /// commitments cover.
    pub(super) fn charge_once(&mut self, now: SimTime, charge: &Charge, usd: f64) {
        self.cost.advance(now);
        self.cost.accrued += usd;
        // Surplus CPU credits cost the same whatever the instance's purchase option.
        self.on_demand.advance(now);
        self.on_demand.accrued += usd;
        self.rate_changed = now;
        self.breakdown.each(charge, |meter, _| {
            meter.advance(now);
            meter.accrued += usd;
        });
    }

    pub(super) fn commitment_hours(&self, now: SimTime) -> Option<(&[Line], Vec<Vec<f64>>)> {
        self.commitments.as_ref().map(|(lines, meter)| (lines.as_slice(), meter.hours_at(now)))
    }

    /// The run's cost so far: what tasks and instances were billed, then the load balancers (adding 0.0 when
    /// there are none leaves the total exactly as it was before they were counted).
    pub(super) fn cost_at(&self, now: SimTime) -> f64 {
        self.cost.at(now) + (self.breakdown.load_balancer_hours_at(now) + self.breakdown.load_balancer_lcu_at(now))
    }

    /// The same usage priced all On-Demand so far (Spot discounts removed; commitments are never in `cost_at`).
    pub(super) fn on_demand_at(&self, now: SimTime) -> f64 {
        self.on_demand.at(now) + (self.breakdown.load_balancer_hours_at(now) + self.breakdown.load_balancer_lcu_at(now))
    }

    /// The billing rates now: what is billed per hour while nothing starts or stops, and the same priced On-Demand.
    pub(super) fn rates(&self) -> Rates {
        let lb: f64 = self.breakdown.load_balancers.iter().map(|&(hours, lcu)| hours + lcu).sum();
        Rates {
            per_hour: (self.cost.rate_per_ms + lb) * MS_PER_HOUR,
            on_demand_per_hour: (self.on_demand.rate_per_ms + lb) * MS_PER_HOUR,
        }
    }

    /// When the billing rate last changed.
    pub(super) fn rate_changed(&self) -> SimTime {
        self.rate_changed
    }

    /// Notes that the first rollout of every service is steady now (only the first call counts).
    pub(super) fn mark_rollout(&mut self, now: SimTime) {
        if self.rollout.is_none() {
            self.rollout = Some(RolloutMark { at: now, usd: self.cost_at(now), on_demand_usd: self.on_demand_at(now) });
        }
    }

    pub(super) fn rollout(&self) -> Option<RolloutMark> {
        self.rollout
    }

    /// The cost by category and payer so far.
    pub(super) fn cost_parts(&self, now: SimTime) -> CostParts {
        let b = &self.breakdown;
        let elapsed = now.as_millis() as f64;
        CostParts {
            by_capacity: std::array::from_fn(|i| b.by_capacity[i].at(now)),
            public_ipv4: b.ipv4.at(now),
            load_balancer_hours: b.load_balancer_hours_at(now),
            load_balancer_lcu: b.load_balancer_lcu_at(now),
            services: b
                .services
                .iter()
                .zip(&b.load_balancers)
                .map(|(m, &(hours, lcu))| (m.compute.at(now), m.ipv4.at(now), (hours + lcu) * elapsed))
                .collect(),
            run_tasks: b.run_tasks.iter().map(|m| (m.compute.at(now), m.ipv4.at(now))).collect(),
            providers: b.providers.iter().map(|m| m.at(now)).collect(),
            batch: (b.batch_fargate.at(now), b.batch_instances.at(now)),
        }
    }

    /// A split group's cost so far (`crate::split`): by service, its services' Fargate tasks' compute and public
    /// IPv4 (the RunTask workloads' in "other") and their load balancers; by provider, a group's instances, or for
    /// Fargate and Fargate Spot their tasks' compute and public IPv4 (AWS Batch's Fargate jobs included).
    pub(super) fn group_cost_at(&self, by: crate::split::SplitBy, group: usize, now: SimTime) -> f64 {
        let b = &self.breakdown;
        match by {
            crate::split::SplitBy::Service => {
                b.service_groups.get(group).map_or(0.0, |m| m.at(now))
                    + b.service_group_lb.get(group).map_or(0.0, |rate| rate * now.as_millis() as f64)
            }
            crate::split::SplitBy::Provider => b.provider_groups.get(group).map_or(0.0, |m| m.at(now)),
        }
    }

    /// Which group each service and provider falls in.
    pub(super) fn split_plan(&self) -> &crate::split::SplitPlan {
        self.split.plan()
    }

    /// The split sampler and the series it appends to.
    pub(super) fn split_parts(&mut self) -> (&mut super::split::Sampler, &mut crate::split::SplitSeries) {
        (&mut self.split, &mut self.series.split)
    }

    pub(super) fn check(&self) -> Result<(), String> {
        if self.cost.accrued < 0.0 || self.cost.rate_per_ms < -1e-12 {
            return Err("negative cost".into());
        }
        Ok(())
    }
}

impl Simulation {
    /// Records every sample whose time has come up to `to` (state is constant between events).
    pub(super) fn sample_until(&mut self, to: SimTime) {
        while self.accounting.next_sample <= to {
            let at = self.accounting.next_sample;
            self.take_sample(at);
            self.accounting.next_sample = at.plus_ms(self.accounting.series.interval_ms);
        }
    }

    /// A last, partial sample at the end of the run so the charts reach the end.
    pub(super) fn record_final_sample(&mut self) {
        let last_sample = self.accounting.next_sample.as_millis() - self.accounting.series.interval_ms;
        if self.now.as_millis() > last_sample {
            self.take_sample(self.now);
            self.accounting.next_sample = self.now.plus_ms(self.accounting.series.interval_ms);
        }
    }

    /// The accumulated cost with the commitments at `at`: the cost without, less the eligible usage, plus each
    /// hour's cost with them (finished hours once, the started hour with its whole commitment). `None` without
    /// commitments.
    fn cost_with_commitments_at(&mut self, at: SimTime) -> Option<f64> {
        let cost = self.accounting.cost_at(at);
        let a = &mut self.accounting;
        let (lines, meter) = a.commitments.as_mut()?;
        meter.advance(at);
        let commitments = &self.scenario.commitments;
        for usage in &meter.closed()[a.applied_hours..] {
            let hour = commitments::apply_hour(commitments, lines, usage);
            a.applied_eligible += hour.eligible;
            a.applied_with += hour.cost_with(commitments);
        }
        a.applied_hours = meter.closed().len();
        let (mut eligible, mut with) = (a.applied_eligible, a.applied_with);
        if let Some(usage) = meter.started_hour(at) {
            let hour = commitments::apply_hour(commitments, lines, usage);
            eligible += hour.eligible;
            with += hour.cost_with(commitments);
        }
        Some(cost - eligible + with)
    }

    fn take_sample(&mut self, at: SimTime) {
        let interval_s = self.accounting.series.interval_ms as f64 / 1000.0;
        let running = self.tasks.state_counts()[TaskState::Running.index()];
        let provisioning: u32 = self.tasks.state_counts()[TaskState::Provisioning.index()].iter().sum();
        let pending: u32 = self.tasks.state_counts()[TaskState::Pending.index()].iter().sum::<u32>()
            + self.tasks.state_counts()[TaskState::Activating.index()].iter().sum::<u32>();
        let desired = self.services.desired_total();
        let mut values = Sample::default();
        for capacity in CapacityType::ALL {
            values[Column::launches(capacity)] =
                f64::from(self.accounting.launches_since_sample[capacity.index()]) / interval_s;
            values[Column::running(capacity)] = f64::from(running[capacity.index()]);
        }
        values[Column::Desired] = desired as f64;
        values[Column::Healthy] = f64::from(self.tasks.healthy_total());
        values[Column::Provisioning] = f64::from(provisioning);
        values[Column::Pending] = f64::from(pending);
        values[Column::Instances] = f64::from(self.fleet.live_instances());
        values[Column::Reservation] = f64::from(self.fleet.max_reservation());
        values[Column::BucketFargateOnDemand] = self.buckets.fargate_on_demand.level_at(at);
        values[Column::BucketFargateSpot] = self.buckets.fargate_spot.level_at(at);
        values[Column::BucketRunTaskApi] = self.buckets.run_task_api.level_at(at);
        values[Column::BucketFargateRunTaskCalls] = self.buckets.fargate_run_task_calls.level_at(at);
        values[Column::SpotCapacityWaiting] = self.spot.waiting_count() as f64;
        values[Column::CostUsd] = self.accounting.cost_at(at);
        let b = &self.accounting.breakdown;
        for capacity in CapacityType::ALL {
            values[Column::cost(capacity)] = b.by_capacity[capacity.index()].at(at);
        }
        values[Column::CostPublicIpv4] = b.ipv4.at(at);
        values[Column::CostLoadBalancers] = b.load_balancer_hours_at(at) + b.load_balancer_lcu_at(at);
        self.accounting.series.push(values);
        self.split_sample(at, interval_s, desired);
        if let Some(with) = self.cost_with_commitments_at(at) {
            self.accounting.series.cost_with_commitments.push(with);
        }
        if self.demand.has_traffic() {
            let row = self.demand_sample(at);
            let demand = &mut self.accounting.series.demand;
            demand.resize(row.len(), Vec::new());
            for (column, value) in demand.iter_mut().zip(row) {
                column.push(value);
            }
        }
        if let Some(row) = self.custom_sample(at) {
            let custom = &mut self.accounting.series.custom;
            custom.resize(row.len(), Vec::new());
            for (column, value) in custom.iter_mut().zip(row) {
                column.push(value);
            }
        }
        if self.credits.is_used() {
            let (balance, throttled) = self.credits_sample(at);
            self.accounting.series.credit_balance.push(balance);
            self.accounting.series.throttled_instances.push(throttled);
        }
        if self.batch.is_used() {
            let row = self.batch_sample();
            let batch = &mut self.accounting.series.batch;
            batch.resize(row.len(), Vec::new());
            for (column, value) in batch.iter_mut().zip(row) {
                column.push(value);
            }
        }
        if self.queues.is_used() {
            let row = self.queue_sample(at);
            let queues = &mut self.accounting.series.queues;
            queues.resize(row.len(), Vec::new());
            for (column, value) in queues.iter_mut().zip(row) {
                column.push(value);
            }
        }
        self.accounting.launches_since_sample = [0; CapacityType::COUNT];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_run_is_billed_its_minimum() {
        let mut meter = CostMeter::default();
        meter.start(SimTime(0), 2.0);
        assert_eq!(meter.at(SimTime(1_000)), 2_000.0);
        // Stopped after 30 s with a one-minute minimum: 30 s more at its rate.
        meter.stop(SimTime(30_000), 2.0, 30_000);
        assert_eq!(meter.at(SimTime(90_000)), 120_000.0);
        assert_eq!((meter.rate_per_ms, meter.billing), (0.0, 0));
    }

    #[test]
    fn rates_add_while_billed_together() {
        let mut meter = CostMeter::default();
        meter.start(SimTime(0), 0.1);
        meter.start(SimTime(1_000), 0.2);
        meter.stop(SimTime(2_000), 0.1, 0);
        // 0.1 for 2 s, 0.2 from 1 s on.
        assert!((meter.at(SimTime(3_000)) - (200.0 + 400.0)).abs() < 1e-9);
    }

    /// A task's charge reaches its capacity type, its service and (with an address) the IPv4 meters, each with its
    /// one-minute minimum; an instance's reaches its provider only; the parts add up to the total.
    #[test]
    fn the_breakdown_splits_each_charge_and_adds_up() {
        let scenario = crate::sim::testing::fargate("", "", "");
        let mut accounting = Accounting::new(1_000, false, &scenario);
        let task = Charge {
            capacity: CapacityType::Fargate,
            payer: Payer::Service(ServiceId::new(0)),
            compute_per_ms: 3.0,
            ipv4_per_ms: 1.0,
            instance_type: None,
            committable_per_ms: 3.0,
            on_demand_per_ms: 4.0,
        };
        accounting.start_billing(SimTime(0), 4.0, &task);
        accounting.stop_billing(SimTime(30_000), 4.0, &task, 30_000);
        let parts = accounting.cost_parts(SimTime(100_000));
        assert_eq!(parts.by_capacity[CapacityType::Fargate.index()], 180_000.0);
        assert_eq!((parts.public_ipv4, parts.services[0].0, parts.services[0].1), (60_000.0, 180_000.0, 60_000.0));
        assert_eq!(accounting.cost_at(SimTime(100_000)), 240_000.0);
        // No load balancer in this scenario: nothing billed for one.
        assert_eq!((parts.load_balancer_hours, parts.services[0].2), (0.0, 0.0));
    }

    /// The On-Demand meter runs beside the total with each charge's On-Demand rate (its own one-minute minimum);
    /// the rates are the meters' current rates per hour; the rollout is marked once, at its first call.
    #[test]
    fn the_on_demand_baseline_and_the_rates_follow_the_charges() {
        let scenario = crate::sim::testing::fargate("", "", "");
        let mut accounting = Accounting::new(1_000, false, &scenario);
        // A Fargate Spot task: $0.33 an hour billed, $1.00 On-Demand (per ms here: /3.6e6).
        let spot = Charge {
            capacity: CapacityType::FargateSpot,
            payer: Payer::Service(ServiceId::new(0)),
            compute_per_ms: 0.33 / MS_PER_HOUR,
            ipv4_per_ms: 0.0,
            instance_type: None,
            committable_per_ms: 0.0,
            on_demand_per_ms: 1.0 / MS_PER_HOUR,
        };
        accounting.start_billing(SimTime(0), spot.compute_per_ms, &spot);
        let rates = accounting.rates();
        assert!((rates.per_hour - 0.33).abs() < 1e-12 && (rates.on_demand_per_hour - 1.0).abs() < 1e-12);
        accounting.mark_rollout(SimTime(1_800_000));
        accounting.mark_rollout(SimTime(3_000_000));
        let mark = accounting.rollout().expect("marked");
        assert_eq!(mark.at, SimTime(1_800_000), "only the first call counts");
        assert!((mark.usd - 0.165).abs() < 1e-12 && (mark.on_demand_usd - 0.5).abs() < 1e-12);
        // Stopped after an hour: both meters stop, the rates are zero, and the rate changed then.
        accounting.stop_billing(SimTime(3_600_000), spot.compute_per_ms, &spot, 0);
        assert_eq!(accounting.rates(), Rates { per_hour: 0.0, on_demand_per_hour: 0.0 });
        assert_eq!(accounting.rate_changed(), SimTime(3_600_000));
        assert!((accounting.on_demand_at(SimTime(7_200_000)) - 1.0).abs() < 1e-12);
        assert!((accounting.cost_at(SimTime(7_200_000)) - 0.33).abs() < 1e-12);
    }

    /// An LCU is the largest of its dimensions, each over its own per-LCU figure.
    #[test]
    fn lcus_are_the_largest_dimension() {
        let lb = |gb: f64, new: f64, active: f64, rules: f64| crate::scenario::LoadBalancer {
            interval_ms: 30_000,
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            deregistration_delay_ms: 300_000,
            processed_gb_per_hour: gb,
            new_connections_per_s: new,
            active_connections_per_minute: active,
            rule_evaluations_per_s: rules,
        };
        assert_eq!(alb_lcus(&lb(2.0, 0.0, 0.0, 0.0)), 2.0);
        // 100 new connections/s = 4 LCUs beats 2 GB/h, 6,000 active (2) and 500 rule evaluations/s (0.5).
        assert_eq!(alb_lcus(&lb(2.0, 100.0, 6_000.0, 500.0)), 4.0);
        assert_eq!(alb_lcus(&lb(0.0, 0.0, 15_000.0, 0.0)), 5.0);
        assert_eq!(alb_lcus(&lb(0.0, 0.0, 0.0, 3_000.0)), 3.0);
        assert_eq!(alb_lcus(&lb(0.0, 0.0, 0.0, 0.0)), 0.0);
    }

    #[test]
    fn samples_count_launches_per_second_of_their_interval() {
        let scenario = crate::sim::testing::fargate("", "", "");
        let mut accounting = Accounting::new(1_000, false, &scenario);
        accounting.count_launch(CapacityType::Fargate);
        accounting.count_launch(CapacityType::Fargate);
        accounting.record(SimTime(0), TraceWhat::Healthy { task: 0 });
        assert!(accounting.trace().is_empty(), "not tracing");
        assert_eq!(accounting.launches_since_sample[CapacityType::Fargate.index()], 2);
    }
}
