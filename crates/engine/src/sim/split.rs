//! Sampling the series split by service and by capacity provider (`crate::split`): one row per group at each
//! sample, read from the counts the tasks part keeps per service and per provider, the services' desired counts
//! and launch-rate buckets, and the accounting's meters.

use super::Simulation;
use crate::scenario::Scenario;
use crate::split::{provider_slot, SplitBy, SplitColumn, SplitGroup, SplitPlan, MAX_GROUPS};
use crate::task::{Owner, Task, TaskState};
use crate::time::SimTime;

type Row = [f64; SplitColumn::COUNT];

/// The states counted per group: what the split charts draw.
const TRACKED: [TaskState; 2] = [TaskState::Running, TaskState::Provisioning];
const RUNNING: usize = 0;
const PROVISIONING: usize = 1;

fn tracked(state: TaskState) -> Option<usize> {
    match state {
        TaskState::Running => Some(RUNNING),
        TaskState::Provisioning => Some(PROVISIONING),
        _ => None,
    }
}

/// Task counts in RUNNING and PROVISIONING per split group, launches per group, and each service's tasks in
/// RUNNING (for its dip): owned by the tasks part and moved with every launch and with the state changes into or
/// out of those two states (a few additions each), so a sample reads 8 groups instead of every service.
#[derive(Default)]
pub(in crate::sim) struct GroupCounts {
    service_group: Vec<u8>,
    service_other: Option<u8>,
    provider_group: Vec<u8>,
    services: Vec<[u32; TRACKED.len()]>,
    providers: Vec<[u32; TRACKED.len()]>,
    launched_services: Vec<u64>,
    launched_providers: Vec<u64>,
    running: Vec<u32>,
}

impl GroupCounts {
    pub(in crate::sim) fn new(plan: &SplitPlan) -> GroupCounts {
        GroupCounts {
            service_group: plan.service_group.clone(),
            service_other: plan.service_other,
            provider_group: plan.provider_group.clone(),
            services: vec![[0; TRACKED.len()]; plan.service_names.len()],
            providers: vec![[0; TRACKED.len()]; plan.provider_names.len()],
            launched_services: vec![0; plan.service_names.len()],
            launched_providers: vec![0; plan.provider_names.len()],
            running: vec![0; plan.service_group.len()],
        }
    }

    /// The task's service group (None: a task of no group, e.g. RunTask without "other") and provider group (None:
    /// a provider past the groups).
    fn of(&self, owner: Owner, provider: crate::scenario::Provider) -> (Option<usize>, Option<usize>) {
        let service = match owner {
            Owner::Service { service, .. } => self.service_group.get(service.index()).copied(),
            Owner::Standalone { .. } => self.service_other,
        };
        let service = service.map(usize::from).filter(|&g| g < self.services.len());
        let provider = self.provider_group.get(provider_slot(provider)).map(|&g| usize::from(g));
        (service, provider.filter(|&g| g < self.providers.len()))
    }

    /// A task launched (in PROVISIONING).
    pub(in crate::sim) fn launched(&mut self, task: &Task) {
        let (service, provider) = self.of(task.owner, task.provider);
        if let Some(g) = service {
            self.services[g][PROVISIONING] += 1;
            self.launched_services[g] += 1;
        }
        if let Some(g) = provider {
            self.providers[g][PROVISIONING] += 1;
            self.launched_providers[g] += 1;
        }
    }

    /// `task` (still in its old state) moves to `state`.
    pub(in crate::sim) fn moved(&mut self, task: &Task, state: TaskState) {
        let (from, to) = (tracked(task.state), tracked(state));
        if from.is_none() && to.is_none() {
            return;
        }
        let (service, provider) = self.of(task.owner, task.provider);
        for counts in
            [service.map(|g| &mut self.services[g]), provider.map(|g| &mut self.providers[g])].into_iter().flatten()
        {
            if let Some(i) = from {
                counts[i] -= 1;
            }
            if let Some(i) = to {
                counts[i] += 1;
            }
        }
        if let Owner::Service { service, .. } = task.owner {
            if let Some(running) = self.running.get_mut(service.index()) {
                if from == Some(RUNNING) {
                    *running -= 1;
                } else if to == Some(RUNNING) {
                    *running += 1;
                }
            }
        }
    }

    /// The service's tasks in RUNNING.
    pub(in crate::sim) fn running(&self, service: usize) -> u32 {
        self.running.get(service).copied().unwrap_or(0)
    }

    /// Recounts the tasks' groups (every task in RUNNING or PROVISIONING is in the arena) and checks each group
    /// launched at least what it holds.
    pub(in crate::sim) fn check(&self, tasks: &[Task]) -> Result<(), String> {
        let mut services = vec![[0u32; TRACKED.len()]; self.services.len()];
        let mut providers = vec![[0u32; TRACKED.len()]; self.providers.len()];
        let mut running = vec![0u32; self.running.len()];
        for task in tasks {
            let Some(i) = tracked(task.state) else { continue };
            let (service, provider) = self.of(task.owner, task.provider);
            if let Some(g) = service {
                services[g][i] += 1;
            }
            if let Some(g) = provider {
                providers[g][i] += 1;
            }
            if let (Owner::Service { service, .. }, RUNNING) = (task.owner, i) {
                running[service.index()] += 1;
            }
        }
        if services != self.services || providers != self.providers || running != self.running {
            return Err(format!(
                "split group counts drifted: kept {:?} / {:?} / {:?}, actual {services:?} / {providers:?} / {running:?}",
                self.services, self.providers, self.running
            ));
        }
        let within = |counts: &[[u32; TRACKED.len()]], launched: &[u64]| {
            counts.iter().zip(launched).all(|(c, &l)| c.iter().map(|&n| u64::from(n)).sum::<u64>() <= l)
        };
        if !within(&self.services, &self.launched_services) || !within(&self.providers, &self.launched_providers) {
            return Err("a split group holds more tasks than it launched".into());
        }
        Ok(())
    }
}

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
    /// The rows of one split at `at` (at most `MAX_GROUPS`, the rest of the array unused), with the services'
    /// desired counts over all services (`desired_total`) for "other".
    fn split_rows(&self, by: SplitBy, at: SimTime, desired_total: u64) -> [Row; MAX_GROUPS] {
        let groups = self.tasks.groups();
        let counts = match by {
            SplitBy::Service => &groups.services,
            SplitBy::Provider => &groups.providers,
        };
        let mut rows = [[0.0; SplitColumn::COUNT]; MAX_GROUPS];
        for (g, (row, c)) in rows.iter_mut().zip(counts).enumerate() {
            row[SplitColumn::Running.index()] = f64::from(c[RUNNING]);
            row[SplitColumn::Provisioning.index()] = f64::from(c[PROVISIONING]);
            row[SplitColumn::Cost.index()] = self.accounting.group_cost_at(by, g, at);
            row[SplitColumn::Bucket.index()] = f64::NAN;
        }
        if by == SplitBy::Service {
            // A group of one service: its desired count and launch-rate bucket; "other": the desired counts of the
            // rest (the total less the services with a group of their own), and no one bucket.
            let plan = self.accounting.split_plan();
            let mut own = 0u64;
            for (row, (_, service)) in rows.iter_mut().zip(&plan.service_names) {
                if let Some(s) = *service {
                    let desired = self.services.desired(s);
                    own += u64::from(desired);
                    row[SplitColumn::Desired.index()] = f64::from(desired);
                    row[SplitColumn::Bucket.index()] = self.services.launch_bucket_level(s, at);
                }
            }
            if let Some(row) = plan.service_other.and_then(|g| rows.get_mut(usize::from(g))) {
                row[SplitColumn::Desired.index()] = desired_total.saturating_sub(own) as f64;
            }
        }
        rows
    }

    /// One sample of the split series at `at`; launches per second over `interval_s`; `desired_total` the
    /// services' desired counts summed.
    pub(super) fn split_sample(&mut self, at: SimTime, interval_s: f64, desired_total: u64) {
        let mut services = self.split_rows(SplitBy::Service, at, desired_total);
        let mut providers = self.split_rows(SplitBy::Provider, at, desired_total);
        let groups = self.tasks.groups();
        let (sampler, series) = self.accounting.split_parts();
        launch_rates(&mut services, &groups.launched_services, &mut sampler.launched_services, interval_s);
        launch_rates(&mut providers, &groups.launched_providers, &mut sampler.launched_providers, interval_s);
        push_rows(&mut series.services, SplitBy::Service, &services);
        push_rows(&mut series.providers, SplitBy::Provider, &providers);
        for group in &mut series.services {
            if let Some(s) = group.service {
                group.dip = self
                    .services
                    .lowest_running(s)
                    .map(|(running, at)| (running, crate::time::ms_to_secs(at.as_millis())));
            }
        }
    }
}
