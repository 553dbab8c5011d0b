//! Reading a simulation: the summary ([`Summary`]) and the current view ([`View`]).

use super::Simulation;
use crate::output::{
    Bucket, BucketView, CapacityCost, CostBreakdown, FailedLaunches, InstanceView, LimitShare, Limiter, Place,
    PoolView, ProviderCost, ProviderView, RunTaskCost, RunTaskSummary, ServiceCost, ServiceSummary, ServiceView,
    Summary, TaskView, View,
};
use crate::scenario::CapacityType;
use crate::task::{Task, TaskState};
use crate::time::ms_to_secs;

/// Rounds to a fixed number of decimals so summaries print the same everywhere and read well.
fn round(value: f64, decimals: i32) -> f64 {
    let scale = libm::pow(10.0, f64::from(decimals));
    (value * scale).round() / scale
}

impl Simulation {
    /// The run's metrics so far: what `fleetplan run --json` prints and the page shows.
    pub fn metrics(&self) -> Summary {
        let services: Vec<ServiceSummary> = self
            .services
            .iter()
            .enumerate()
            .map(|(s, rt)| {
                let steady_s = rt.steady_at.map(|t| ms_to_secs(t.as_millis()));
                let running = rt.active.iter().filter(|&&id| self.tasks[id].state == TaskState::Running).count() as u32;
                let mut limits: Vec<LimitShare> = Limiter::ALL
                    .iter()
                    .filter(|&&l| rt.waiting_ms[l as usize] > 0)
                    .map(|&l| LimitShare {
                        limit: l,
                        waiting_task_s: round(rt.waiting_ms[l as usize] as f64 / 1000.0, 1),
                    })
                    .collect();
                limits.sort_by(|a, b| b.waiting_task_s.total_cmp(&a.waiting_task_s));
                let limited_by = limits.first().map(|l| l.limit);
                ServiceSummary {
                    name: self.scenario.services[s].name.clone(),
                    desired: rt.desired,
                    running,
                    healthy: rt.healthy_primary,
                    steady_s,
                    launch_rate_per_s: steady_s.filter(|&t| t > 0.0).map(|t| round(f64::from(rt.desired) / t, 2)),
                    limited_by,
                    limits,
                    deployment: rt.deployment_status(),
                    failures: rt.failures,
                    replacements: rt.replacements,
                    interruptions: rt.interruptions,
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
            .try_fold(0.0f64, |latest, t| t.map(|t| latest.max(t)));
        let tasks_started = self.tasks.all().iter().filter(|t| t.running_at.is_some()).count() as u64;
        let tasks_failed =
            self.tasks.all().iter().filter(|t| t.stop_reason.is_some_and(|reason| reason.is_failure())).count() as u64;
        let end_s = ms_to_secs(self.now.as_millis());
        let cost = self.accounting.cost_at(self.now);
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
            cost_per_hour_usd: if end_s > 0.0 { round(cost / end_s * 3600.0, 4) } else { 0.0 },
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
            demand: self.demand_summaries(),
        }
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
                .map(|(p, &cost)| ProviderCost { name: p.name.clone(), capacity: p.capacity_type(), usd: usd(cost) })
                .collect(),
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
                active: rt.active.len() as u32,
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
                        index: index as u32,
                        id: i.ec2_id(),
                        provider: self.scenario.providers[i.provider.index()].name.clone(),
                        provider_index: i.provider.raw() as u16,
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
                        tasks: i.tasks.len() as u32,
                        by_state,
                    }
                })
                .collect(),
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
        tasks.sort_by_key(|t| (t.state.index(), t.id));
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
}
