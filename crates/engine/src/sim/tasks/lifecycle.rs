//! A task's walk through its lifecycle (`docs/model.md` §5): each state draws its latency from the scenario's
//! settings, schedules the next `Advance`, and tells the task's owner (service or RunTask workload) what happened.

use crate::ids::{InstanceId, TaskId};
use crate::output::TraceWhat;
use crate::scenario::{LoadBalancer, Provider, Step};
use crate::sim::accounting::{Charge, Payer};
use crate::sim::{tasks, Event, Simulation};
use crate::task::{Health, Owner, StopReason, Task, TaskState};
use crate::time::SimTime;

const MS_PER_HOUR: f64 = 3_600_000.0;

impl Simulation {
    /// Moves a task to `state` (the tasks part keeps the counts) and traces it.
    fn set_state(&mut self, task: TaskId, state: TaskState) {
        let (old, owner) = {
            let t = &self.tasks[task];
            (t.state, t.owner)
        };
        self.tasks.set_state(task, state, self.now);
        if old == TaskState::Running {
            if let Owner::Service { service, .. } = owner {
                let running = self.tasks.groups().running(service.index());
                self.services.note_running_down(service, running, self.now);
            }
        }
        self.credits_task_state(task, old, state);
        self.record(TraceWhat::State { task: task.raw(), state });
    }

    fn draw(&mut self, step: Step) -> u64 {
        self.rng.lognormal_ms(step.mean_ms, step.spread)
    }

    /// Creates a task in PROVISIONING (its launch token already taken) and starts its lifecycle. EC2 tasks come
    /// with the instance placement chose for them, or `None` to wait in PROVISIONING for cluster auto scaling.
    pub(in crate::sim) fn launch_task(
        &mut self,
        owner: Owner,
        task_def: usize,
        provider: Provider,
        public_ip: bool,
        instance: Option<InstanceId>,
    ) -> TaskId {
        let id = self.tasks.next_id();
        let capacity = self.scenario.capacity_type(provider);
        let load_balanced = self.load_balancer_of(owner).is_some();
        self.tasks.push(Task {
            id,
            owner,
            task_def: crate::narrow::u32_of(task_def),
            provider,
            capacity,
            instance: None,
            state: TaskState::Provisioning,
            health: Health::Unknown,
            public_ip,
            load_balanced,
            generation: 0,
            stopping: false,
            on_draining: false,
            awaiting_capacity: false,
            launched_at: self.now,
            state_since: self.now,
            running_at: None,
            billing_from: None,
            stop_reason: None,
            kill_at: None,
            slot: 0,
            retiring: false,
        });
        self.accounting.count_launch(capacity);
        self.quota_task_launched(provider, task_def);
        if self.accounting.tracing() {
            let owner = self.owner_name(owner);
            let provider = self.scenario.provider_name(provider).to_string();
            self.record(TraceWhat::Launched { task: id.raw(), owner, provider });
        }
        match provider {
            Provider::Fargate => self.capacity_granted(id),
            Provider::FargateSpot => self.spot_enqueue(id),
            Provider::Asg(_) => self.start_on_ec2(id, instance),
        }
        id
    }

    /// The target group in front of a task's service, if any (standalone tasks have none).
    fn load_balancer_of(&self, owner: Owner) -> Option<&LoadBalancer> {
        match owner {
            Owner::Service { service, .. } => self.scenario.services[service.index()].load_balancer.as_ref(),
            Owner::Standalone { .. } => None,
        }
    }

    pub(in crate::sim) fn owner_name(&self, owner: Owner) -> String {
        match owner {
            Owner::Service { service, .. } => format!("service {}", self.scenario.services[service.index()].name),
            Owner::Standalone { workload } => format!("RunTask {}", self.scenario.run_tasks[workload.index()].name),
        }
    }

    /// Fargate has capacity for the task: it assigns a host, attaches the ENI and (if asked) a public IP.
    pub(in crate::sim) fn capacity_granted(&mut self, task: TaskId) {
        let latencies = &self.scenario.latencies;
        let (capacity, eni, public_ip) = (latencies.fargate_capacity, latencies.eni_attach, latencies.public_ip);
        let mut delay = self.draw(capacity) + self.draw(eni);
        if self.tasks[task].public_ip {
            delay += self.draw(public_ip);
        }
        let generation = self.tasks[task].generation;
        self.schedule_in(delay, Event::Advance { task, generation });
    }

    /// The current state's latency has passed.
    #[inline(never)]
    pub(in crate::sim) fn advance_task(&mut self, task: TaskId) {
        let t = &self.tasks[task];
        let generation = t.generation;
        match t.state {
            TaskState::Provisioning if t.stopping => self.enter_stopped(task),
            TaskState::Provisioning => {
                self.set_state(task, TaskState::Pending);
                let pull = if self.tasks[task].provider.is_fargate() {
                    self.start_billing(task);
                    self.image_pull_ms(task)
                } else {
                    self.ec2_image_pull_ms(task)
                };
                let delay = pull + self.draw(self.scenario.latencies.container_start);
                self.schedule_in(delay, Event::Advance { task, generation });
            }
            TaskState::Pending => {
                let failure = self.scenario.task_defs[t.task_def as usize].failure.start_failure_probability;
                let load_balanced = t.load_balanced;
                if self.rng.chance(failure) {
                    self.begin_stop(task, StopReason::StartFailed);
                } else if load_balanced {
                    self.set_state(task, TaskState::Activating);
                    let delay = self.draw(self.scenario.latencies.lb_registration);
                    self.schedule_in(delay, Event::Advance { task, generation });
                } else {
                    self.task_running(task);
                }
            }
            TaskState::Activating => self.task_running(task),
            TaskState::Deactivating => self.enter_stopping(task),
            TaskState::Stopping => {
                self.stop_billing(task);
                self.set_state(task, TaskState::Deprovisioning);
                let delay = self.draw(self.scenario.latencies.deprovision);
                self.schedule_in(delay, Event::Advance { task, generation });
            }
            TaskState::Deprovisioning => self.enter_stopped(task),
            TaskState::Running | TaskState::Stopped => {}
        }
    }

    fn image_pull_ms(&mut self, task: TaskId) -> u64 {
        let td = &self.scenario.task_defs[self.tasks[task].task_def as usize];
        let latencies = &self.scenario.latencies;
        let factor = if td.lazy_loading { latencies.lazy_loading_pull_factor } else { 1.0 };
        let transfer_ms = td.image_mb / latencies.image_pull_mb_per_s * 1000.0 * factor;
        let transfer = Step { mean_ms: transfer_ms, spread: latencies.image_pull_base.spread };
        let base = latencies.image_pull_base;
        self.draw(base) + self.draw(transfer)
    }

    fn task_running(&mut self, task: TaskId) {
        self.set_state(task, TaskState::Running);
        self.tasks.set_running_at(task, self.now);
        let t = &self.tasks[task];
        let (owner, provider, generation) = (t.owner, t.provider, t.generation);
        let td = &self.scenario.task_defs[t.task_def as usize];
        let health_check = td.health_check.clone();
        let failure = td.failure.clone();
        let run_duration = td.run_duration_ms;
        let load_balancer = self.load_balancer_of(owner).cloned();
        match owner {
            Owner::Service { service, deployment } => self.service_task_running(service, deployment),
            Owner::Standalone { workload } => self.workload_task_started(workload),
        }

        // Health: the container health check and the target group must both pass.
        let checked = health_check.is_some() || load_balancer.is_some();
        if checked && self.rng.chance(failure.health_check_failure_probability) {
            let container = health_check.as_ref().map_or(0, |hc| {
                let first_counted = hc.start_period_ms / hc.interval_ms + 1;
                (first_counted + u64::from(hc.retries) - 1) * hc.interval_ms
            });
            let target = load_balancer.as_ref().map_or(0, |lb| u64::from(lb.unhealthy_threshold) * lb.interval_ms);
            self.schedule_in(container.max(target), Event::Unhealthy { task, generation });
        } else {
            let container = health_check
                .as_ref()
                .map_or(0, |hc| hc.ready_after_ms.div_ceil(hc.interval_ms).max(1) * hc.interval_ms);
            let target = load_balancer.as_ref().map_or(0, |lb| u64::from(lb.healthy_threshold) * lb.interval_ms);
            let delay = container.max(target);
            if delay == 0 {
                self.task_healthy(task);
            } else {
                self.schedule_in(delay, Event::Healthy { task, generation });
            }
        }
        if let Some(after) = failure.crash_after_ms {
            if self.rng.chance(failure.crash_probability) {
                self.schedule_in(after, Event::Crash { task, generation });
            }
        }
        if let (Owner::Standalone { .. }, Some(duration)) = (owner, run_duration) {
            self.schedule_in(duration, Event::Complete { task, generation });
        }
        let rate = self.scenario.spot.interruptions_per_task_hour;
        if provider == Provider::FargateSpot && rate > 0.0 {
            let after = self.rng.exponential_ms(MS_PER_HOUR / rate);
            if self.now.plus_ms(after) < self.scenario.horizon {
                self.schedule_in(after, Event::SpotInterrupt { task, generation });
            }
        }
    }

    #[inline(never)]
    pub(in crate::sim) fn task_healthy(&mut self, task: TaskId) {
        if !self.tasks.mark_healthy(task) {
            return;
        }
        let owner = self.tasks[task].owner;
        self.record(TraceWhat::Healthy { task: task.raw() });
        if let Owner::Service { service, deployment } = owner {
            self.service_task_healthy(service, deployment);
            self.demand_task_serving(service, task);
        }
    }

    #[inline(never)]
    pub(in crate::sim) fn task_unhealthy(&mut self, task: TaskId) {
        self.tasks.mark_unhealthy(task);
        self.record(TraceWhat::Unhealthy { task: task.raw() });
        self.begin_stop(task, StopReason::HealthCheckFailed);
    }

    /// A task that was healthy fails its health checks (overload, `sim/demand.rs`): it stops as healthy tasks do
    /// (its counters move once), then shows as unhealthy.
    pub(in crate::sim) fn task_failed_health_checks(&mut self, task: TaskId) {
        self.record(TraceWhat::Unhealthy { task: task.raw() });
        self.begin_stop(task, StopReason::HealthCheckFailed);
        self.tasks.mark_unhealthy(task);
    }

    /// Sets the task's desired status to STOPPED and starts its stop sequence from wherever it is.
    pub(in crate::sim) fn begin_stop(&mut self, task: TaskId, reason: StopReason) {
        let Some(stopped) = self.tasks.begin_stop(task, reason) else { return };
        let tasks::Stopped { state, was_healthy, awaiting_capacity: awaiting } = stopped;
        let (owner, load_balanced) = (self.tasks[task].owner, self.tasks[task].load_balanced);
        if awaiting {
            match self.tasks[task].provider {
                Provider::FargateSpot => self.spot_waiting_cancelled(task),
                _ => self.ec2_waiting_cancelled(task),
            }
        }
        self.record(TraceWhat::StopRequested { task: task.raw(), reason });
        match owner {
            Owner::Service { service, deployment } => {
                self.service_task_stopping(service, task, deployment, was_healthy, reason)
            }
            Owner::Standalone { workload } => self.workload_task_stopping(workload, reason),
        }
        match state {
            TaskState::Provisioning if awaiting => self.enter_stopped(task),
            // The host assignment / ENI attach in flight finishes, then the task is released.
            TaskState::Provisioning => {
                let generation = self.tasks[task].generation;
                let delay = self.draw(self.scenario.latencies.deprovision);
                self.schedule_in(delay, Event::Advance { task, generation });
            }
            TaskState::Activating | TaskState::Running if load_balanced => {
                self.set_state(task, TaskState::Deactivating);
                let delay = self.load_balancer_of(owner).map_or(0, |lb| lb.deregistration_delay_ms);
                let delay = self.until_kill(task, delay);
                let generation = self.tasks[task].generation;
                self.schedule_in(delay, Event::Advance { task, generation });
            }
            TaskState::Pending | TaskState::Activating | TaskState::Running => self.enter_stopping(task),
            TaskState::Deactivating | TaskState::Stopping | TaskState::Deprovisioning | TaskState::Stopped => {}
        }
    }

    /// SIGTERM; the task exits when the application shuts down, or at SIGKILL after `stopTimeout`.
    fn enter_stopping(&mut self, task: TaskId) {
        self.set_state(task, TaskState::Stopping);
        let timeout = self.scenario.task_defs[self.tasks[task].task_def as usize].stop_timeout_ms;
        let shutdown = self.draw(self.scenario.latencies.app_shutdown).min(timeout);
        let delay = self.until_kill(task, shutdown);
        let generation = self.tasks[task].generation;
        self.schedule_in(delay, Event::Advance { task, generation });
    }

    fn enter_stopped(&mut self, task: TaskId) {
        self.set_state(task, TaskState::Stopped);
        let (provider, task_def) = (self.tasks[task].provider, self.tasks[task].task_def as usize);
        self.quota_task_stopped(provider, task_def);
        self.release(task);
    }

    /// Cuts a stop step short so the task is gone by its hard deadline (the end of a Spot warning).
    fn until_kill(&self, task: TaskId, delay: u64) -> u64 {
        match self.tasks[task].kill_at {
            Some(kill_at) => delay.min(kill_at.since(self.now)),
            None => delay,
        }
    }

    /// USD per millisecond for a task: vCPU and memory at its architecture's price, Spot discount, public IPv4;
    /// with the same rate split for the cost breakdown.
    fn billing_rate(&self, task: &Task) -> (f64, Charge) {
        let td = &self.scenario.task_defs[task.task_def as usize];
        let prices = &self.scenario.prices;
        let (vcpu_hour, gb_hour) = match td.architecture {
            crate::spec::Architecture::X86_64 => (prices.fargate_vcpu_hour, prices.fargate_gb_hour),
            crate::spec::Architecture::Arm64 => (prices.fargate_arm_vcpu_hour, prices.fargate_arm_gb_hour),
        };
        let mut per_hour = f64::from(td.cpu) / 1024.0 * vcpu_hour + f64::from(td.memory) / 1024.0 * gb_hour;
        // The all-On-Demand baseline prices the same task without the Fargate Spot discount.
        let mut on_demand_per_hour = per_hour;
        if task.provider == Provider::FargateSpot {
            per_hour *= 1.0 - prices.fargate_spot_discount_percent / 100.0;
        }
        let compute_per_ms = per_hour / MS_PER_HOUR;
        let ipv4_per_ms = if task.public_ip { prices.public_ipv4_hour / MS_PER_HOUR } else { 0.0 };
        if task.public_ip {
            per_hour += prices.public_ipv4_hour;
            on_demand_per_hour += prices.public_ipv4_hour;
        }
        let payer = match task.owner {
            Owner::Service { service, .. } => Payer::Service(service),
            Owner::Standalone { workload } => Payer::RunTask(workload),
        };
        (
            per_hour / MS_PER_HOUR,
            Charge {
                capacity: task.capacity,
                payer,
                compute_per_ms,
                ipv4_per_ms,
                instance_type: None,
                committable_per_ms: compute_per_ms,
                on_demand_per_ms: on_demand_per_hour / MS_PER_HOUR,
            },
        )
    }

    /// Fargate bills from the start of the image pull.
    fn start_billing(&mut self, task: TaskId) {
        let (rate, charge) = self.billing_rate(&self.tasks[task]);
        self.tasks.set_billing_from(task, self.now);
        self.accounting.start_billing(self.now, rate, &charge);
    }

    /// ...to the task's stop, per second with a one-minute minimum.
    fn stop_billing(&mut self, task: TaskId) {
        let t = &self.tasks[task];
        let Some(from) = t.billing_from else { return };
        let (rate, charge) = self.billing_rate(t);
        let billed = self.now.since(from);
        let minimum = SimTime::from_secs_f64(crate::defaults::FARGATE_MIN_BILLED_S).as_millis();
        self.accounting.stop_billing(self.now, rate, &charge, minimum.saturating_sub(billed));
    }
}

#[cfg(test)]
mod tests {
    use crate::ids::TaskId;
    use crate::sim::testing::{self, t};
    use crate::sim::{Event, Simulation};
    use crate::task::{Health, StopReason, TaskState};
    use crate::time::SimTime;

    /// The `Advance` events queued for a task: (when, generation).
    fn advances(sim: &Simulation, task: TaskId) -> Vec<(SimTime, u32)> {
        sim.queued()
            .into_iter()
            .filter_map(|(at, e)| match e {
                Event::Advance { task: t, generation } if t == task => Some((at, generation)),
                _ => None,
            })
            .collect()
    }

    fn fargate_task() -> Simulation {
        let mut sim = testing::checked(testing::fargate("", "", ""));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        sim
    }

    #[test]
    fn a_launched_fargate_task_waits_in_provisioning_for_its_advance() {
        let sim = fargate_task();
        assert_eq!(sim.tasks.len(), 1);
        assert_eq!(sim.tasks[t(0)].state, TaskState::Provisioning);
        assert_eq!(sim.tasks.state_counts()[TaskState::Provisioning.index()].iter().sum::<u32>(), 1);
        let queued = advances(&sim, t(0));
        assert_eq!(queued.len(), 1);
        assert!(queued[0].0 > sim.now && queued[0].1 == 0);
    }

    #[test]
    fn provisioning_advances_to_pending_billing_from_the_image_pull() {
        let mut sim = fargate_task();
        sim.step_through(|e| matches!(e, Event::Advance { task, .. } if *task == t(0)));
        let task = &sim.tasks[t(0)];
        assert_eq!(task.state, TaskState::Pending);
        assert_eq!(task.billing_from, Some(sim.now));
        let counts = sim.tasks.state_counts();
        assert_eq!(counts[TaskState::Provisioning.index()].iter().sum::<u32>(), 0);
        assert_eq!(counts[TaskState::Pending.index()].iter().sum::<u32>(), 1);
        // The image pull and container start come next, as one Advance of the same generation.
        let queued = advances(&sim, t(0));
        assert_eq!(queued.len(), 1);
        assert!(queued[0].0 > sim.now && queued[0].1 == 0);
    }

    #[test]
    fn a_running_task_without_health_checks_is_healthy_at_once() {
        let mut sim = fargate_task();
        sim.step_through(|e| matches!(e, Event::Advance { task, .. } if *task == t(0)));
        sim.step_through(|e| matches!(e, Event::Advance { task, .. } if *task == t(0)));
        let task = &sim.tasks[t(0)];
        assert_eq!((task.state, task.health), (TaskState::Running, Health::Healthy));
        assert_eq!(task.running_at, Some(sim.now));
        assert_eq!(sim.tasks.healthy_total(), 1);
    }

    /// Stopping bumps the generation (the events queued before are ignored), and a task without a load balancer
    /// goes straight to STOPPING, no longer healthy.
    #[test]
    fn stopping_a_running_task_starts_a_new_generation() {
        let mut sim = fargate_task();
        sim.step_through(|e| matches!(e, Event::Advance { task, .. } if *task == t(0)));
        sim.step_through(|e| matches!(e, Event::Advance { task, .. } if *task == t(0)));
        sim.begin_stop(t(0), StopReason::ScaledIn);
        let task = &sim.tasks[t(0)];
        assert_eq!((task.state, task.generation, task.stopping), (TaskState::Stopping, 1, true));
        assert_eq!(task.stop_reason, Some(StopReason::ScaledIn));
        assert_eq!(sim.tasks.healthy_total(), 0);
        assert!(advances(&sim, t(0)).iter().all(|&(_, generation)| generation == 1));
        // A second stop request changes nothing.
        sim.begin_stop(t(0), StopReason::Crashed);
        assert_eq!(sim.tasks[t(0)].stop_reason, Some(StopReason::ScaledIn));
        sim.assert_invariants();
    }

    /// A task stopped while its host assignment is in flight is released after deprovisioning.
    #[test]
    fn stopping_in_provisioning_waits_for_the_assignment_in_flight() {
        let mut sim = fargate_task();
        sim.begin_stop(t(0), StopReason::ScaledIn);
        assert_eq!(sim.tasks[t(0)].state, TaskState::Provisioning);
        sim.step_through(|e| matches!(e, Event::Advance { task, generation: 1 } if *task == t(0)));
        assert_eq!(sim.tasks[t(0)].state, TaskState::Stopped);
        assert_eq!(sim.tasks[t(0)].billing_from, None, "never billed");
    }
}
