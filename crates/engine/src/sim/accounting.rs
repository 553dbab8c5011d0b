//! The accounting part: what the run has cost, counted and recorded — the cost meter, the time series and its
//! sampling, launches since the last sample, interruptions, events processed and the trace.
//!
//! Mechanisms report to [`Accounting`] (a launch, an interruption, a billing start or stop, a trace line); only
//! sampling (`take_sample`, here as the one place that reads every part for a row of the series) writes the series.

use super::Simulation;
use crate::output::{Column, Sample, TimeSeries, TraceEntry, TraceWhat};
use crate::scenario::CapacityType;
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

pub(super) struct Accounting {
    cost: CostMeter,
    series: TimeSeries,
    next_sample: SimTime,
    launches_since_sample: [u32; CapacityType::COUNT],
    tracing: bool,
    trace: Vec<TraceEntry>,
    events_processed: u64,
    interruptions: u64,
}

impl Accounting {
    /// Sampling every `interval_ms`; the trace kept when `tracing`.
    pub(super) fn new(interval_ms: u64, tracing: bool) -> Accounting {
        Accounting {
            cost: CostMeter::default(),
            series: TimeSeries::new(interval_ms),
            next_sample: SimTime(interval_ms),
            launches_since_sample: [0; CapacityType::COUNT],
            tracing,
            trace: Vec::new(),
            events_processed: 0,
            interruptions: 0,
        }
    }

    pub(super) fn tracing(&self) -> bool {
        self.tracing
    }

    pub(super) fn record(&mut self, time: SimTime, what: TraceWhat) {
        if self.tracing {
            self.trace.push(TraceEntry { time, what });
        }
    }

    pub(super) fn trace(&self) -> &[TraceEntry] {
        &self.trace
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

    /// Something starts being billed at `rate_per_ms` (USD per ms).
    pub(super) fn start_billing(&mut self, now: SimTime, rate_per_ms: f64) {
        self.cost.start(now, rate_per_ms);
    }

    /// It stops, with `minimum_extra_ms` more billed to reach its minimum billed time.
    pub(super) fn stop_billing(&mut self, now: SimTime, rate_per_ms: f64, minimum_extra_ms: u64) {
        self.cost.stop(now, rate_per_ms, minimum_extra_ms);
    }

    pub(super) fn cost_at(&self, now: SimTime) -> f64 {
        self.cost.at(now)
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

    fn take_sample(&mut self, at: SimTime) {
        let interval_s = self.accounting.series.interval_ms as f64 / 1000.0;
        let running = self.tasks.state_counts()[TaskState::Running.index()];
        let provisioning: u32 = self.tasks.state_counts()[TaskState::Provisioning.index()].iter().sum();
        let pending: u32 = self.tasks.state_counts()[TaskState::Pending.index()].iter().sum::<u32>()
            + self.tasks.state_counts()[TaskState::Activating.index()].iter().sum::<u32>();
        let desired: u64 = self.services.iter().map(|s| u64::from(s.desired)).sum();
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
        values[Column::CostUsd] = self.accounting.cost.at(at);
        self.accounting.series.push(values);
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

    #[test]
    fn samples_count_launches_per_second_of_their_interval() {
        let mut accounting = Accounting::new(1_000, false);
        accounting.count_launch(CapacityType::Fargate);
        accounting.count_launch(CapacityType::Fargate);
        accounting.record(SimTime(0), TraceWhat::Healthy { task: 0 });
        assert!(accounting.trace().is_empty(), "not tracing");
        assert_eq!(accounting.launches_since_sample[CapacityType::Fargate.index()], 2);
    }
}
