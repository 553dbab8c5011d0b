//! Sampling the series split by service and by capacity provider (`crate::split`): one row per group at each
//! sample, read from the counts the tasks part keeps per service and per provider, the services' desired counts
//! and launch-rate buckets, and the accounting's meters.

use super::Simulation;
use crate::scenario::Scenario;
use crate::split::{SplitBy, SplitColumn, SplitGroup, SplitPlan};
use crate::task::TaskState;
use crate::time::SimTime;

type Row = [f64; SplitColumn::COUNT];

/// The plan of groups, and the launches per group counted up to the last sample.
pub(super) struct Sampler {
    plan: SplitPlan,
    launched_services: Vec<u64>,
    launched_providers: Vec<u64>,
}

impl Sampler {
    pub(super) fn new(scenario: &Scenario) -> Sampler {
        let plan = SplitPlan::new(scenario);
        Sampler {
            launched_services: vec![0; plan.service_names.len()],
            launched_providers: vec![0; plan.provider_names.len()],
            plan,
        }
    }

    pub(super) fn plan(&self) -> &SplitPlan {
        &self.plan
    }
}

/// Sets each row's launches per second from the launches so far and those at the last sample (then updated).
fn launch_rates(rows: &mut [Row], launched: &[u64], before: &mut [u64], interval_s: f64) {
    for ((row, &now), before) in rows.iter_mut().zip(launched).zip(before) {
        row[SplitColumn::Launches.index()] = now.saturating_sub(*before) as f64 / interval_s;
        *before = now;
    }
}

/// Appends one row per group: the columns that apply to the split (the others stay empty).
fn push_rows(groups: &mut [SplitGroup], by: SplitBy, rows: &[Row]) {
    for (group, row) in groups.iter_mut().zip(rows) {
        for column in SplitColumn::ALL {
            if column.applies(by) {
                #[allow(clippy::cast_possible_truncation)] // f64 to f32 for a chart: rounding, never wrapping.
                group.values[column.index()].push(row[column.index()] as f32);
            }
        }
    }
}

impl Simulation {
    /// The rows by service at `at`, and the tasks launched so far per group.
    fn service_rows(&self, at: SimTime) -> (Vec<Row>, Vec<u64>) {
        let plan = self.accounting.split_plan();
        let groups = plan.service_names.len();
        let mut rows = vec![[0.0; SplitColumn::COUNT]; groups];
        let mut launched = vec![0u64; groups];
        // What the services hold: running, provisioning, pending, launched.
        let mut counted = [0u64; 4];
        let tasks = &self.tasks;
        for (s, rt) in self.services.iter().enumerate() {
            let g = usize::from(plan.service_group[s]);
            let Some(row) = rows.get_mut(g) else { continue };
            let running = tasks.service_count(s, TaskState::Running);
            let provisioning = tasks.service_count(s, TaskState::Provisioning);
            let pending = tasks.service_count(s, TaskState::Pending) + tasks.service_count(s, TaskState::Activating);
            row[SplitColumn::Running.index()] += f64::from(running);
            row[SplitColumn::Desired.index()] += f64::from(rt.desired);
            row[SplitColumn::Provisioning.index()] += f64::from(provisioning);
            row[SplitColumn::Pending.index()] += f64::from(pending);
            row[SplitColumn::Cost.index()] += self.accounting.service_cost_at(s, at);
            row[SplitColumn::Bucket.index()] = self.services.launch_bucket_level(s, at);
            launched[g] += tasks.launched_by_service(s);
            counted[0] += u64::from(running);
            counted[1] += u64::from(provisioning);
            counted[2] += u64::from(pending);
            counted[3] += tasks.launched_by_service(s);
        }
        // "other" also holds the tasks no service owns: the totals less what the services hold. A group of
        // several services has no one launch-rate bucket.
        if let Some(g) = plan.service_other.map(usize::from).filter(|&g| g < groups) {
            let counts = tasks.state_counts();
            let total = |state: TaskState| -> u64 { counts[state.index()].iter().map(|&n| u64::from(n)).sum() };
            let row = &mut rows[g];
            row[SplitColumn::Running.index()] += total(TaskState::Running).saturating_sub(counted[0]) as f64;
            row[SplitColumn::Provisioning.index()] += total(TaskState::Provisioning).saturating_sub(counted[1]) as f64;
            row[SplitColumn::Pending.index()] +=
                (total(TaskState::Pending) + total(TaskState::Activating)).saturating_sub(counted[2]) as f64;
            row[SplitColumn::Bucket.index()] = f64::NAN;
            launched[g] += (tasks.len() as u64).saturating_sub(counted[3]);
        }
        (rows, launched)
    }

    /// The rows by provider at `at`, and the tasks launched so far per group.
    fn provider_rows(&self, at: SimTime) -> (Vec<Row>, Vec<u64>) {
        let plan = self.accounting.split_plan();
        let groups = plan.provider_names.len();
        let mut rows = vec![[0.0; SplitColumn::COUNT]; groups];
        let mut launched = vec![0u64; groups];
        let tasks = &self.tasks;
        for (slot, &g) in plan.provider_group.iter().enumerate() {
            let g = usize::from(g);
            let Some(row) = rows.get_mut(g) else { continue };
            let pending =
                tasks.provider_count(slot, TaskState::Pending) + tasks.provider_count(slot, TaskState::Activating);
            row[SplitColumn::Running.index()] += f64::from(tasks.provider_count(slot, TaskState::Running));
            row[SplitColumn::Provisioning.index()] += f64::from(tasks.provider_count(slot, TaskState::Provisioning));
            row[SplitColumn::Pending.index()] += f64::from(pending);
            row[SplitColumn::Cost.index()] += self.accounting.provider_cost_at(slot, at);
            launched[g] += tasks.launched_by_provider(slot);
        }
        (rows, launched)
    }

    /// One sample of the split series at `at`; launches per second over `interval_s`.
    pub(super) fn split_sample(&mut self, at: SimTime, interval_s: f64) {
        let (mut services, launched_services) = self.service_rows(at);
        let (mut providers, launched_providers) = self.provider_rows(at);
        let (sampler, series) = self.accounting.split_parts();
        launch_rates(&mut services, &launched_services, &mut sampler.launched_services, interval_s);
        launch_rates(&mut providers, &launched_providers, &mut sampler.launched_providers, interval_s);
        push_rows(&mut series.services, SplitBy::Service, &services);
        push_rows(&mut series.providers, SplitBy::Provider, &providers);
    }
}
