//! Sampling the series split by service and by capacity provider (`crate::split`): one row per group at each
//! sample, read from the counts the tasks part keeps per service and per provider, the services' desired counts
//! and launch-rate buckets, and the accounting's meters.

use super::Simulation;
use crate::scenario::Scenario;
use crate::split::{provider_slot, SplitBy, SplitColumn, SplitGroup, SplitPlan};
use crate::task::{Owner, Task, TaskState};
use crate::time::SimTime;

const STATES: usize = TaskState::ALL.len();

/// Task counts by state per split group, launches per group, and each service's tasks in RUNNING (for its dip):
/// owned by the tasks part, moved with every launch and state change (a few additions each, so the sampling reads
/// 8 groups instead of every service).
#[derive(Default)]
pub(in crate::sim) struct GroupCounts {
    service_group: Vec<u8>,
    service_other: Option<u8>,
    provider_group: Vec<u8>,
    services: Vec<[u32; STATES]>,
    providers: Vec<[u32; STATES]>,
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
            services: vec![[0; STATES]; plan.service_names.len()],
            providers: vec![[0; STATES]; plan.provider_names.len()],
            launched_services: vec![0; plan.service_names.len()],
            launched_providers: vec![0; plan.provider_names.len()],
            running: vec![0; plan.service_group.len()],
        }
    }

    /// The task's service group (None: a group-less task, e.g. RunTask with no "other") and provider group (None:
    /// past the groups).
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
        let p = TaskState::Provisioning.index();
        if let Some(g) = service {
            self.services[g][p] += 1;
            self.launched_services[g] += 1;
        }
        if let Some(g) = provider {
            self.providers[g][p] += 1;
            self.launched_providers[g] += 1;
        }
    }

    /// `task` (still in its old state) moves to `state`.
    pub(in crate::sim) fn moved(&mut self, task: &Task, state: TaskState) {
        let (service, provider) = self.of(task.owner, task.provider);
        let (from, to) = (task.state.index(), state.index());
        if let Some(g) = service {
            self.services[g][from] -= 1;
            self.services[g][to] += 1;
        }
        if let Some(g) = provider {
            self.providers[g][from] -= 1;
            self.providers[g][to] += 1;
        }
        if let Owner::Service { service, .. } = task.owner {
            if let Some(running) = self.running.get_mut(service.index()) {
                if task.state == TaskState::Running {
                    *running -= 1;
                } else if state == TaskState::Running {
                    *running += 1;
                }
            }
        }
    }

    /// The service's tasks in RUNNING.
    pub(in crate::sim) fn running(&self, service: usize) -> u32 {
        self.running.get(service).copied().unwrap_or(0)
    }

    /// Recounts the alive tasks' groups (STOPPED tasks may have been released) and checks launches add up.
    pub(in crate::sim) fn check(&self, tasks: &[Task]) -> Result<(), String> {
        let mut fresh = GroupCounts {
            service_group: self.service_group.clone(),
            service_other: self.service_other,
            provider_group: self.provider_group.clone(),
            services: vec![[0; STATES]; self.services.len()],
            providers: vec![[0; STATES]; self.providers.len()],
            launched_services: Vec::new(),
            launched_providers: Vec::new(),
            running: vec![0; self.running.len()],
        };
        for task in tasks {
            let (service, provider) = fresh.of(task.owner, task.provider);
            if let Some(g) = service {
                fresh.services[g][task.state.index()] += 1;
            }
            if let Some(g) = provider {
                fresh.providers[g][task.state.index()] += 1;
            }
            if let (Owner::Service { service, .. }, TaskState::Running) = (task.owner, task.state) {
                fresh.running[service.index()] += 1;
            }
        }
        let stopped = TaskState::Stopped.index();
        let alive = |c: &[[u32; STATES]]| -> Vec<u32> {
            c.iter().flat_map(|row| row.iter().enumerate().filter(|&(i, _)| i != stopped).map(|(_, &n)| n)).collect()
        };
        if alive(&fresh.services) != alive(&self.services) || alive(&fresh.providers) != alive(&self.providers) {
            return Err(format!(
                "split group counts drifted: kept {:?} / {:?}, actual {:?} / {:?}",
                self.services, self.providers, fresh.services, fresh.providers
            ));
        }
        if fresh.running != self.running {
            return Err(format!("running per service drifted: kept {:?}, actual {:?}", self.running, fresh.running));
        }
        let sums =
            |c: &[[u32; STATES]]| -> Vec<u64> { c.iter().map(|row| row.iter().map(|&n| u64::from(n)).sum()).collect() };
        if sums(&self.services) != self.launched_services || sums(&self.providers) != self.launched_providers {
            return Err("split group launches drifted from the counts".into());
        }
        Ok(())
    }
}

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
    /// The rows of one split at `at`, and the tasks launched so far per group.
    fn split_rows(&self, by: SplitBy, at: SimTime) -> (Vec<Row>, Vec<u64>) {
        let groups = self.tasks.groups();
        let (counts, launched) = match by {
            SplitBy::Service => (&groups.services, &groups.launched_services),
            SplitBy::Provider => (&groups.providers, &groups.launched_providers),
        };
        let mut rows: Vec<Row> = counts
            .iter()
            .enumerate()
            .map(|(g, c)| {
                let mut row = [0.0; SplitColumn::COUNT];
                row[SplitColumn::Running.index()] = f64::from(c[TaskState::Running.index()]);
                row[SplitColumn::Provisioning.index()] = f64::from(c[TaskState::Provisioning.index()]);
                row[SplitColumn::Pending.index()] =
                    f64::from(c[TaskState::Pending.index()] + c[TaskState::Activating.index()]);
                row[SplitColumn::Cost.index()] = self.accounting.group_cost_at(by, g, at);
                row[SplitColumn::Bucket.index()] = f64::NAN;
                row
            })
            .collect();
        if by == SplitBy::Service {
            let plan = self.accounting.split_plan();
            for (s, rt) in self.services.iter().enumerate() {
                if let Some(row) = rows.get_mut(usize::from(plan.service_group[s])) {
                    row[SplitColumn::Desired.index()] += f64::from(rt.desired);
                }
            }
            // A group of one service: its launch-rate bucket ("other" has none).
            for (g, (_, service)) in plan.service_names.iter().enumerate() {
                if let (Some(s), Some(row)) = (service, rows.get_mut(g)) {
                    row[SplitColumn::Bucket.index()] = self.services.launch_bucket_level(*s, at);
                }
            }
        }
        (rows, launched.clone())
    }

    /// One sample of the split series at `at`; launches per second over `interval_s`.
    pub(super) fn split_sample(&mut self, at: SimTime, interval_s: f64) {
        let (mut services, launched_services) = self.split_rows(SplitBy::Service, at);
        let (mut providers, launched_providers) = self.split_rows(SplitBy::Provider, at);
        let (sampler, series) = self.accounting.split_parts();
        launch_rates(&mut services, &launched_services, &mut sampler.launched_services, interval_s);
        launch_rates(&mut providers, &launched_providers, &mut sampler.launched_providers, interval_s);
        push_rows(&mut series.services, SplitBy::Service, &services);
        for group in &mut series.services {
            if let Some(rt) = group.service.and_then(|s| self.services.iter().nth(s)) {
                group.dip = rt.lowest_running.map(|(running, at, _)| (running, at.as_millis() as f64 / 1000.0));
            }
        }
        push_rows(&mut series.providers, SplitBy::Provider, &providers);
    }
}
