//! The credits part (`docs/model.md` §4.6): CPU credits of burstable (T family) instances. Each instance earns
//! credits at its baseline rate and spends them at the CPU its RUNNING tasks use; standard mode throttles it to
//! the baseline when the balance is empty (its tasks' work then goes slower, so batch tasks run longer); unlimited
//! mode spends surplus credits instead, billed at the published price.
//!
//! The CPU an instance's tasks use only changes when a task starts or stops RUNNING on it, so between those
//! events the balance is a straight line clamped at 0 (standard) or at the accrual cap, and [`step`] integrates
//! it exactly: when the balance runs out inside an interval, the throttled part is known to the millisecond
//! without an event of its own. A batch task's `Complete` event is checked against the work it has done: a
//! task throttled along the way is given the rest of its run time at the current rate.
//!
//! Opt-in: nothing here runs unless a task definition sets `cpu_utilization_percent` or a group sets
//! `cpu_credits`, so scenarios without them are unchanged.

use std::collections::BTreeMap;

use super::accounting::{Charge, Payer};
use super::Simulation;
use crate::ids::{InstanceId, ProviderId, TaskId};
use crate::output::CreditSummary;
use crate::spec::CpuCredits;
use crate::task::TaskState;

const MS_PER_MINUTE: f64 = 60_000.0;
const MS_PER_HOUR: f64 = 3_600_000.0;

/// What one interval of constant CPU demand does to a balance ([`step`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Stepped {
    /// The balance at the end (negative in unlimited mode: surplus credits owed).
    pub(super) balance: f64,
    /// Milliseconds of the interval the instance was held to its baseline (standard mode, empty balance).
    pub(super) throttled_ms: f64,
    /// Milliseconds of work a task got done in the interval (the interval itself unless throttled).
    pub(super) work_ms: f64,
    /// Surplus credits spent beyond what the instance may owe: charged at once (unlimited mode).
    pub(super) charged: f64,
    /// The lowest balance within the interval (it moves in a straight line, so at an end).
    pub(super) low: f64,
}

/// Integrates a balance over `dt_ms` with the instance earning `earn` and its tasks wanting `demand` credits per
/// ms (both constant over the interval); `cap` bounds what it can hold (and owe, in unlimited mode).
///
/// EC2 User Guide, *Key concepts for burstable performance instances*: "In standard mode, when credits spent
/// are more than credits earned, the instance uses the accrued credits to burst above baseline CPU utilization.
/// If there are no accrued credits remaining, then the instance gradually comes down to baseline CPU utilization
/// and cannot burst above baseline until it accrues more credits." "In unlimited mode, if the instance bursts
/// above baseline CPU utilization, then the instance first uses the accrued credits to burst. If there are no
/// accrued credits remaining, then the instance spends surplus credits to burst." and "When CPU utilization falls
/// below the baseline, it uses the CPU credits that it earns to pay down the surplus credits that it spent
/// earlier." The gradual slow-down is modelled as immediate (AWS does not publish its shape).
pub(super) fn step(balance: f64, earn: f64, demand: f64, cap: f64, unlimited: bool, dt_ms: f64) -> Stepped {
    let net = earn - demand;
    let end = balance + net * dt_ms;
    if unlimited {
        // Spending beyond the most the instance may owe (24 hours of earnings) is charged at once.
        let charged = (-cap - end).max(0.0);
        let clamped = end.clamp(-cap, cap);
        return Stepped { balance: clamped, throttled_ms: 0.0, work_ms: dt_ms, charged, low: balance.min(clamped) };
    }
    if net >= 0.0 {
        let clamped = end.min(cap);
        return Stepped {
            balance: clamped,
            throttled_ms: 0.0,
            work_ms: dt_ms,
            charged: 0.0,
            low: balance.min(clamped),
        };
    }
    // Spending: the balance lasts `until` ms, then the instance runs at its baseline (a task's work at
    // earn/demand of its pace).
    let until = (balance.max(0.0) / -net).min(dt_ms);
    let throttled_ms = dt_ms - until;
    Stepped {
        balance: if throttled_ms > 0.0 { 0.0 } else { end.max(0.0) },
        throttled_ms,
        work_ms: until + throttled_ms * earn / demand,
        charged: 0.0,
        low: if throttled_ms > 0.0 { 0.0 } else { end.max(0.0).min(balance) },
    }
}

/// One burstable instance's credits.
struct InstanceCredits {
    provider: ProviderId,
    unlimited: bool,
    vcpu: f64,
    /// Credits earned per ms: the credit table's credits per hour.
    earn: f64,
    /// Most credits held (and owed): 24 hours of earnings.
    cap: f64,
    balance: f64,
    /// Credits per ms the RUNNING tasks would use unthrottled.
    demand: f64,
    /// Its RUNNING tasks with their demand, and the work done since each started (ms at full pace).
    tasks: Vec<(TaskId, f64, f64)>,
    last_ms: u64,
    low: f64,
    throttled_ms: f64,
    charged: f64,
    live: bool,
    /// USD per credit (the surplus price per vCPU-hour over 60).
    credit_usd: f64,
    /// When the balance is expected to run out (a `CreditsEmpty` event is scheduled for then), for demand-driven
    /// tasks whose capacity depends on it.
    empty_at: Option<u64>,
}

impl InstanceCredits {
    fn advance(&mut self, now: u64) -> f64 {
        if now <= self.last_ms {
            return 0.0;
        }
        let dt = (now - self.last_ms) as f64;
        let s = step(self.balance, self.earn, self.demand, self.cap, self.unlimited, dt);
        self.balance = s.balance;
        self.low = self.low.min(s.low);
        self.throttled_ms += s.throttled_ms;
        self.charged += s.charged;
        for task in &mut self.tasks {
            task.2 += s.work_ms;
        }
        self.last_ms = now;
        s.charged
    }

    /// The pace of its tasks' work now: below 1 while throttled.
    fn pace(&self) -> f64 {
        if !self.unlimited && self.balance <= 0.0 && self.demand > self.earn {
            self.earn / self.demand
        } else {
            1.0
        }
    }

    fn throttled(&self) -> bool {
        self.pace() < 1.0
    }
}

/// Every burstable instance's credits, when the scenario uses them.
#[derive(Default)]
pub(super) struct Credits {
    enabled: bool,
    /// Services with demand feed their tasks' CPU use: the moment a balance runs out matters to their capacity.
    demand_driven: bool,
    /// Instances whose tasks' pace may have changed since the demand part last looked (with `demand_driven`).
    touched: Vec<InstanceId>,
    instances: BTreeMap<InstanceId, InstanceCredits>,
}

impl Credits {
    pub(super) fn new(scenario: &crate::scenario::Scenario) -> Credits {
        // Services with demand use CPU from their load (`docs/model.md` §4.6), so they ask for credits too.
        let wanted = scenario.task_defs.iter().any(|t| t.cpu_utilization_percent > 0.0)
            || scenario.providers.iter().any(|p| p.cpu_credits.is_some())
            || scenario.services.iter().any(|s| s.demand.is_some());
        let burstable = scenario.providers.iter().any(|p| p.instance_types.iter().any(|t| t.is_burstable()));
        let demand_driven = scenario.services.iter().any(|s| s.demand.is_some());
        Credits { enabled: wanted && burstable, demand_driven, touched: Vec::new(), instances: BTreeMap::new() }
    }

    /// Credits are in use: the scenario asks for them and has a group that can launch burstable instances.
    pub(super) fn is_used(&self) -> bool {
        self.enabled
    }

    /// Whether an instance was held to its baseline at its last integration (tests).
    #[cfg(test)]
    pub(super) fn throttled(&self, id: InstanceId) -> bool {
        self.instances.get(&id).is_some_and(InstanceCredits::throttled)
    }

    /// Each instance's demand equals the sum of its tasks' (each RUNNING on it: `on(task)` says where a RUNNING
    /// task is), and no balance is outside its bounds.
    pub(super) fn check(&self, on: impl Fn(TaskId) -> Option<InstanceId>) -> Result<(), String> {
        for (id, c) in &self.instances {
            if let Some(task) = c.tasks.iter().map(|t| t.0).find(|&t| on(t) != Some(*id)) {
                return Err(format!("instance {id}: spends credits for task {task}, which is not RUNNING on it"));
            }
            let sum: f64 = c.tasks.iter().map(|t| t.1).sum();
            if (sum - c.demand).abs() > 1e-9 * c.demand.max(1e-9) + 1e-12 {
                return Err(format!("instance {id}: credit demand {} but its tasks want {sum}", c.demand));
            }
            let floor = if c.unlimited { -c.cap } else { 0.0 };
            if c.balance < floor - 1e-6 || c.balance > c.cap + 1e-6 {
                return Err(format!("instance {id}: credit balance {} outside {floor}..={}", c.balance, c.cap));
            }
        }
        Ok(())
    }
}

impl Simulation {
    /// A burstable instance was added: its balance starts at the launch credits.
    pub(super) fn credits_instance_added(&mut self, id: InstanceId) {
        if !self.credits.enabled {
            return;
        }
        let instance = self.fleet.instance(id);
        let it = instance.instance_type;
        let Some(per_hour) = it.cpu_credits_per_hour else { return };
        let provider = instance.provider;
        let mode =
            self.scenario.providers[provider.index()].cpu_credits.unwrap_or(crate::scenario::CPU_CREDITS_DEFAULT);
        let surplus_hour = if it.family() == "t4g" {
            crate::defaults::T4G_SURPLUS_CREDIT_VCPU_HOUR_USD
        } else {
            crate::defaults::T3_SURPLUS_CREDIT_VCPU_HOUR_USD
        };
        let now = self.now.as_millis();
        self.credits.instances.insert(
            id,
            InstanceCredits {
                provider,
                unlimited: mode == CpuCredits::Unlimited,
                vcpu: f64::from(it.vcpu),
                earn: f64::from(per_hour) / MS_PER_HOUR,
                cap: f64::from(per_hour) * crate::defaults::CREDIT_ACCRUAL_HOURS,
                balance: crate::defaults::LAUNCH_CREDITS,
                demand: 0.0,
                tasks: Vec::new(),
                last_ms: now,
                low: crate::defaults::LAUNCH_CREDITS,
                throttled_ms: 0.0,
                charged: 0.0,
                live: true,
                credit_usd: surplus_hour / 60.0,
                empty_at: None,
            },
        );
    }

    /// Integrates an instance's credits to now, billing surplus credits charged on the way.
    fn credits_advance(&mut self, id: InstanceId) {
        let now = self.now.as_millis();
        let Some(c) = self.credits.instances.get_mut(&id) else { return };
        let charged = c.advance(now);
        if charged > 0.0 {
            let usd = charged * c.credit_usd;
            let provider = c.provider;
            self.bill_surplus(provider, usd);
        }
    }

    fn bill_surplus(&mut self, provider: ProviderId, usd: f64) {
        let charge = Charge {
            capacity: self.scenario.providers[provider.index()].capacity_type(),
            payer: Payer::Provider(provider),
            compute_per_ms: 0.0,
            ipv4_per_ms: 0.0,
            instance_type: None,
            committable_per_ms: 0.0,
            on_demand_per_ms: 0.0,
        };
        self.accounting.charge_once(self.now, &charge, usd);
    }

    /// A task changed state: starting or leaving RUNNING on a burstable instance changes what the instance spends.
    pub(super) fn credits_task_state(&mut self, task: TaskId, old: TaskState, new: TaskState) {
        if !self.credits.enabled || (old == TaskState::Running) == (new == TaskState::Running) {
            return;
        }
        let t = &self.tasks[task];
        let Some(id) = t.instance else { return };
        if !self.credits.instances.contains_key(&id) {
            return;
        }
        let td = &self.scenario.task_defs[t.task_def as usize];
        // CPU units / 1024 = vCPUs; a credit is one vCPU-minute.
        let demand = f64::from(td.cpu) / 1024.0 * td.cpu_utilization_percent / 100.0 / MS_PER_MINUTE;
        self.credits_advance(id);
        let c = self.credits.instances.get_mut(&id).expect("checked");
        if new == TaskState::Running {
            c.tasks.push((task, demand, 0.0));
        } else if let Some(i) = c.tasks.iter().position(|x| x.0 == task) {
            c.tasks.remove(i);
        }
        c.demand = c.tasks.iter().map(|x| x.1).sum::<f64>().min(c.vcpu / MS_PER_MINUTE);
        let now = self.now.as_millis();
        self.credits_rearm(id, now);
    }

    /// A demand-driven task's CPU use changed: it now uses `utilization_percent` of its CPU reservation (what its
    /// share of the load asks for, unthrottled). Its instance's balance is integrated to now with the old use
    /// first, and, in standard mode, a `CreditsEmpty` event is set for when the balance will run out.
    pub(super) fn credits_set_task_use(&mut self, task: TaskId, utilization_percent: f64) {
        if !self.credits.enabled {
            return;
        }
        let Some(id) = self.tasks[task].instance else { return };
        if !self.credits.instances.contains_key(&id) {
            return;
        }
        let td = &self.scenario.task_defs[self.tasks[task].task_def as usize];
        let demand = f64::from(td.cpu) / 1024.0 * utilization_percent / 100.0 / MS_PER_MINUTE;
        self.credits_advance(id);
        let now = self.now.as_millis();
        let c = self.credits.instances.get_mut(&id).expect("checked");
        let Some(entry) = c.tasks.iter_mut().find(|x| x.0 == task) else { return };
        if entry.1 == demand {
            return;
        }
        entry.1 = demand;
        c.demand = c.tasks.iter().map(|x| x.1).sum::<f64>().min(c.vcpu / MS_PER_MINUTE);
        self.credits_rearm(id, now);
    }

    /// With demand-driven services: the balance falls in a straight line until the next change, so it reaches 0
    /// after balance / (spend − earn); a `CreditsEmpty` event is set for then (the last one set is the current one).
    fn credits_rearm(&mut self, id: InstanceId, now: u64) {
        if !self.credits.demand_driven {
            return;
        }
        self.credits.touched.push(id);
        let Some(c) = self.credits.instances.get_mut(&id) else { return };
        let net = c.demand - c.earn;
        let empty_at = (!c.unlimited && c.balance > 0.0 && net > 0.0)
            .then(|| now + crate::narrow::trunc_u64((c.balance / net).ceil()).max(1));
        if empty_at != c.empty_at {
            c.empty_at = empty_at;
            if let Some(at) = empty_at {
                self.schedule(crate::time::SimTime(at), super::Event::CreditsEmpty { instance: id });
            }
        }
    }

    /// The pace a task's CPU goes at now: below 1 while its instance is throttled (its baseline over what its tasks
    /// want), 1 otherwise and off burstable instances.
    pub(super) fn credits_pace_of(&mut self, task: TaskId) -> f64 {
        if !self.credits.enabled {
            return 1.0;
        }
        let Some(id) = self.tasks[task].instance else { return 1.0 };
        self.credits_advance(id);
        self.credits.instances.get(&id).map_or(1.0, InstanceCredits::pace)
    }

    /// The balance of an instance with demand-driven tasks ran out (if the event is still current): the services
    /// on it lose capacity (`sim/demand.rs`).
    #[inline(never)]
    pub(super) fn credits_empty(&mut self, id: InstanceId) {
        let now = self.now.as_millis();
        let Some(c) = self.credits.instances.get_mut(&id) else { return };
        if c.empty_at != Some(now) {
            return;
        }
        c.empty_at = None;
        self.credits_advance(id);
        self.credits.touched.push(id);
        self.demand_capacity_changed(Vec::new());
    }

    /// The services with tasks on the instances whose pace may have changed since the last call (in service order,
    /// each once); the list is emptied.
    pub(super) fn credits_take_touched_services(&mut self) -> Vec<crate::ids::ServiceId> {
        let mut ids = std::mem::take(&mut self.credits.touched);
        ids.sort_unstable();
        ids.dedup();
        let mut services: Vec<crate::ids::ServiceId> = ids
            .iter()
            .filter_map(|id| self.credits.instances.get(id))
            .flat_map(|c| c.tasks.iter().map(|x| x.0))
            .filter_map(|t| match self.tasks[t].owner {
                crate::task::Owner::Service { service, .. } => Some(service),
                crate::task::Owner::Standalone { .. } => None,
            })
            .collect();
        services.sort_unstable();
        services.dedup();
        services
    }

    /// A batch task's run time is up: `None` when its work is done, else how much longer it needs at the pace its
    /// instance allows now (the rest of its run time, stretched while the instance is throttled).
    pub(super) fn credits_work_left_ms(&mut self, task: TaskId) -> Option<u64> {
        if !self.credits.enabled {
            return None;
        }
        let id = self.tasks[task].instance?;
        let duration = self.scenario.task_defs[self.tasks[task].task_def as usize].run_duration_ms? as f64;
        self.credits_advance(id);
        let c = self.credits.instances.get(&id)?;
        let done = c.tasks.iter().find(|x| x.0 == task)?.2;
        let left = duration - done;
        // Within a millisecond of done: rounding, not work.
        if left < 1.0 {
            return None;
        }
        Some(crate::narrow::trunc_u64((left / c.pace()).ceil()).max(1))
    }

    /// The instance is gone: surplus credits it still owes are charged ("If you terminate an instance that has
    /// spent surplus credits, you are charged for them", as the EC2 User Guide's unlimited mode pages say).
    pub(super) fn credits_instance_gone(&mut self, id: InstanceId) {
        if !self.credits.instances.contains_key(&id) {
            return;
        }
        self.credits_advance(id);
        let c = self.credits.instances.get_mut(&id).expect("checked");
        c.live = false;
        let owed = (-c.balance).max(0.0);
        c.balance = c.balance.max(0.0);
        c.charged += owed;
        let (provider, usd) = (c.provider, owed * c.credit_usd);
        if owed > 0.0 {
            self.bill_surplus(provider, usd);
        }
    }

    /// A live burstable instance's balance (rounded to 0.01) and whether it is throttled, now (for the view).
    pub(super) fn credits_now(&self, id: InstanceId) -> Option<(f64, bool)> {
        let c = self.credits.instances.get(&id).filter(|c| c.live)?;
        let mut c2 = InstanceCredits { tasks: Vec::new(), ..*c };
        c2.advance(self.now.as_millis());
        Some(((c2.balance * 100.0).round() / 100.0, c2.throttled()))
    }

    /// For the series at `at` (not before any instance's last integration): the live burstable instances' balance
    /// summed, rounded to 0.01 credit, and how many are throttled.
    pub(super) fn credits_sample(&self, at: crate::time::SimTime) -> (f64, f64) {
        let (mut balance, mut throttled) = (0.0, 0.0);
        for c in self.credits.instances.values().filter(|c| c.live) {
            let mut c2 = InstanceCredits { tasks: Vec::new(), ..*c };
            c2.advance(at.as_millis());
            balance += c2.balance;
            if c2.throttled() {
                throttled += 1.0;
            }
        }
        ((balance * 100.0).round() / 100.0, throttled)
    }

    /// Per group with burstable instances: the credits summary (empty when the scenario does not use credits).
    pub(super) fn credits_summary(&self) -> Vec<CreditSummary> {
        if !self.credits.is_used() {
            return Vec::new();
        }
        let now = self.now.as_millis();
        let mut out: Vec<CreditSummary> = Vec::new();
        for (p, provider) in self.scenario.providers.iter().enumerate() {
            let mut rows = self.credits.instances.values().filter(|c| c.provider.index() == p).peekable();
            let Some(first) = rows.peek() else { continue };
            let mut s = CreditSummary {
                group: provider.name.clone(),
                mode: if first.unlimited { CpuCredits::Unlimited } else { CpuCredits::Standard },
                instances: 0,
                min_balance: f64::INFINITY,
                final_balance: 0.0,
                throttled_instance_s: 0.0,
                surplus_charged: 0.0,
                surplus_charged_usd: 0.0,
                surplus_owed: 0.0,
                surplus_owed_usd: 0.0,
            };
            for c in rows {
                // Up to now without changing the part: a copy stepped to the end.
                let mut c2 = InstanceCredits { tasks: Vec::new(), ..*c };
                c2.advance(now);
                s.instances += 1;
                s.min_balance = s.min_balance.min(c2.low);
                s.throttled_instance_s += c2.throttled_ms / 1000.0;
                s.surplus_charged += c2.charged;
                s.surplus_charged_usd += c2.charged * c2.credit_usd;
                if c2.live {
                    s.final_balance += c2.balance.max(0.0);
                    s.surplus_owed += (-c2.balance).max(0.0);
                    s.surplus_owed_usd += (-c2.balance).max(0.0) * c2.credit_usd;
                }
            }
            out.push(s.rounded());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::step;

    // t3.medium: 24 credits per hour, cap 576; per ms.
    const EARN: f64 = 24.0 / 3_600_000.0;
    const CAP: f64 = 576.0;
    const HOUR: f64 = 3_600_000.0;

    #[test]
    fn an_idle_instance_earns_its_hourly_credits_up_to_the_24_hour_cap() {
        let s = step(0.0, EARN, 0.0, CAP, false, HOUR);
        assert!((s.balance - 24.0).abs() < 1e-9, "{s:?}");
        let s = step(570.0, EARN, 0.0, CAP, false, HOUR);
        assert_eq!(s.balance, CAP);
        assert_eq!(s.work_ms, HOUR);
    }

    #[test]
    fn above_baseline_the_balance_is_spent() {
        // Both vCPUs at 100%: 120 credits per hour spent, 24 earned: 96 net.
        let demand = 2.0 / 60_000.0;
        let s = step(200.0, EARN, demand, CAP, false, HOUR);
        assert!((s.balance - 104.0).abs() < 1e-9, "{s:?}");
        assert_eq!(s.throttled_ms, 0.0);
        assert_eq!(s.work_ms, HOUR);
    }

    #[test]
    fn standard_mode_throttles_to_the_baseline_when_the_balance_runs_out_inside_the_interval() {
        // 48 credits at 96 per hour net: empty after 30 minutes; then work at 24/120 = 20% pace.
        let demand = 2.0 / 60_000.0;
        let s = step(48.0, EARN, demand, CAP, false, HOUR);
        assert_eq!(s.balance, 0.0);
        assert!((s.throttled_ms - HOUR / 2.0).abs() < 1e-6, "{s:?}");
        assert!((s.work_ms - (HOUR / 2.0 + HOUR / 2.0 * 0.2)).abs() < 1e-6, "{s:?}");
        assert_eq!(s.low, 0.0);
        // Already empty: throttled throughout, the balance stays at zero (earned = spent at the baseline).
        let s = step(0.0, EARN, demand, CAP, false, HOUR);
        assert_eq!((s.balance, s.throttled_ms), (0.0, HOUR));
    }

    #[test]
    fn unlimited_mode_spends_surplus_credits_and_earnings_pay_them_down() {
        let demand = 2.0 / 60_000.0;
        let s = step(48.0, EARN, demand, CAP, true, HOUR);
        assert!((s.balance + 48.0).abs() < 1e-9, "{s:?}");
        assert_eq!((s.throttled_ms, s.work_ms, s.charged), (0.0, HOUR, 0.0));
        // Idle for two hours: 48 earned pay the surplus back.
        let s = step(-48.0, EARN, 0.0, CAP, true, 2.0 * HOUR);
        assert!(s.balance.abs() < 1e-9, "{s:?}");
    }

    #[test]
    fn unlimited_surplus_beyond_24_hours_of_earnings_is_charged_at_once() {
        let demand = 2.0 / 60_000.0;
        // 96 net per hour from -560: 16 more may be owed, the other 80 are charged.
        let s = step(-560.0, EARN, demand, CAP, true, HOUR);
        assert_eq!(s.balance, -CAP);
        assert!((s.charged - 80.0).abs() < 1e-9, "{s:?}");
    }

    use crate::sim::testing::{self, i, t};
    use crate::sim::{Event, Simulation};

    /// One t3.medium (registered at 0) running a RunTask job of 2 vCPUs at `percent`% for `run_s` seconds from 0,
    /// in `mode`.
    fn job(mode: &str, percent: f64, run_s: u32) -> Simulation {
        let scenario = testing::ec2(
            &format!(
                r#""instance_types": ["t3.medium"], "desired_capacity": 1, "images_cached": true, "cpu_credits": "{mode}""#
            ),
            &format!(
                r#""cpu": 2048, "memory": 1024, "network_mode": "bridge", "run_duration_s": {run_s}, "cpu_utilization_percent": {percent}"#
            ),
            r#""desired_count": 0"#,
            r#""horizon_s": 86400, "run_tasks": [{ "name": "job", "task_definition": "web", "count": 1,
               "capacity_provider_strategy": [{ "capacity_provider": "asg", "weight": 1 }] }]"#,
        );
        testing::checked(scenario)
    }

    fn running_at(sim: &Simulation) -> u64 {
        sim.tasks[t(0)].running_at.expect("running").as_millis()
    }

    #[test]
    fn a_standard_instance_with_no_credits_runs_its_job_at_the_baseline_pace() {
        // 2 vCPUs at 100% want 120 credits an hour, a t3.medium earns 24: from an empty balance the job's work
        // goes at 20% of its pace, so 600 s of work take 3,000 s.
        let mut sim = job("standard", 100.0, 600);
        sim.step_through(|e| matches!(e, Event::Complete { .. }));
        let first = sim.now.as_millis();
        let start = running_at(&sim);
        assert_eq!(first - start, 600_000);
        assert!(sim.credits.throttled(i(0)));
        // The instance earned `banked` credits before the job started, spent at 96 net an hour at full pace; the
        // first Complete then finds that much work plus 20% of the rest done; the rest goes at 20%.
        let banked = start as f64 * EARN;
        let full = banked / (96.0 / HOUR);
        let done = full + (600_000.0 - full) * 0.2;
        let next = sim.queued().into_iter().find(|(_, e)| matches!(e, Event::Complete { .. })).expect("rescheduled");
        let expect = ((600_000.0 - done) / 0.2).ceil();
        assert!((next.0.as_millis() - first) as f64 - expect <= 1.0, "{next:?} {expect}");
        sim.step_through(|e| matches!(e, Event::Complete { .. }));
        assert!(sim.tasks[t(0)].stopping);
        let summary = sim.credits_summary();
        let throttled = (sim.now.as_millis() - start) as f64 - full;
        assert!((summary[0].throttled_instance_s - throttled / 1000.0).abs() < 0.01, "{summary:?}");
        assert_eq!(summary[0].min_balance, 0.0);
    }

    #[test]
    fn an_unlimited_instance_runs_its_job_on_time_and_owes_surplus_credits() {
        let mut sim = job("unlimited", 100.0, 600);
        sim.step_through(|e| matches!(e, Event::Complete { .. }));
        assert!(sim.tasks[t(0)].stopping, "done on time");
        assert!(!sim.credits.throttled(i(0)));
        // 10 minutes at 120 - 24 credits an hour: 16 credits, less those banked before the job started.
        let owed = 16.0 - running_at(&sim) as f64 * EARN;
        let summary = sim.credits_summary();
        assert!((summary[0].min_balance + owed).abs() < 0.02, "{summary:?}");
        assert!((summary[0].surplus_owed - owed).abs() < 0.02, "{summary:?}");
        assert_eq!(summary[0].surplus_charged, 0.0);
    }

    #[test]
    fn surplus_credits_owed_by_a_terminated_instance_are_charged_at_the_published_price() {
        let mut sim = job("unlimited", 100.0, 600);
        sim.step_through(|e| matches!(e, Event::Complete { .. }));
        let before = sim.accounting.cost_at(sim.now);
        sim.terminate_instance(i(0), crate::task::StopReason::InstanceTerminated);
        let owed = 16.0 - running_at(&sim) as f64 * EARN;
        let summary = sim.credits_summary();
        assert!((summary[0].surplus_charged - owed).abs() < 0.02, "{summary:?}");
        // $0.05 per vCPU-hour: a credit (a vCPU-minute) costs $0.05 / 60.
        let usd = summary[0].surplus_charged * 0.05 / 60.0;
        assert!((summary[0].surplus_charged_usd - usd).abs() < 1e-4, "{summary:?}");
        assert!((sim.accounting.cost_at(sim.now) - before - owed * 0.05 / 60.0).abs() < 1e-4);
    }

    #[test]
    fn an_idle_task_below_the_baseline_banks_credits_and_nothing_slows() {
        let mut sim = job("standard", 10.0, 3600);
        sim.step_through(|e| matches!(e, Event::Complete { .. }));
        assert!(sim.tasks[t(0)].stopping);
        // 0.2 vCPU used of 0.4 baseline: 12 of 24 credits an hour banked, after 24 an hour before it started.
        let banked = running_at(&sim) as f64 * EARN + 12.0;
        let summary = sim.credits_summary();
        assert!((summary[0].final_balance - banked).abs() < 0.02, "{summary:?}");
        assert_eq!(summary[0].throttled_instance_s, 0.0);
    }

    /// One t3.medium (standard mode) with one task of 1 vCPU serving `rps` requests/s of a constant demand; a task
    /// serves 100 requests/s at 100% CPU (no idle CPU).
    fn served(rps: f64) -> Simulation {
        let scenario = testing::ec2(
            r#""instance_types": ["t3.medium"], "desired_capacity": 1, "images_cached": true, "cpu_credits": "standard""#,
            r#""cpu": 1024, "memory": 1024, "network_mode": "bridge""#,
            &format!(
                r#""demand": {{ "profile": [{{ "type": "constant", "rps": {rps} }}], "requests_per_task": 100,
                                "idle_cpu_percent": 0 }}"#
            ),
            "",
        );
        testing::checked(scenario)
    }

    #[test]
    fn demand_above_the_baseline_spends_the_balance_then_throttling_cuts_what_a_task_serves() {
        // 80 requests/s want 0.8 vCPU; a t3.medium's baseline is 0.4 (24 credits an hour). The credits earned
        // before the task serves (24 an hour from launch) go at 0.8 x 60 - 24 = 24 net an hour: they last as long
        // again. Then the instance is held to its baseline: the task gets 0.4 / 0.8 = half its CPU, so it serves
        // at most 50 requests/s, at 100% of what it has.
        let mut sim = served(80.0);
        sim.step_through(|e| matches!(e, Event::CreditsEmpty { .. }));
        let empty_at = sim.now.as_millis();
        let serving_from = sim.tasks[t(0)].running_at.expect("running").as_millis();
        assert!((empty_at - 2 * serving_from) as f64 <= 1.0, "{empty_at} {serving_from}");
        assert!(sim.credits.throttled(i(0)));
        sim.step_until(crate::time::SimTime(empty_at + 600_000));
        let d = &sim.demand_summaries()[0];
        assert_eq!(d.peak_utilization_percent, 100.0);
        // All 80 served until the balance ran out, then 50 of them.
        let served = 80.0 * (empty_at - serving_from) as f64 / 1000.0 + 50.0 * 600.0;
        assert!((d.served_requests - served).abs() < 0.1, "{d:?} {served}");
        let c = &sim.credits_summary()[0];
        assert_eq!(c.final_balance, 0.0);
        assert!(c.throttled_instance_s >= 600.0, "{c:?}");
        sim.assert_invariants();
    }

    #[test]
    fn demand_below_the_baseline_banks_the_difference() {
        // 30 requests/s: 0.3 vCPU of the 0.4 baseline, 6 credits an hour banked; nothing slows.
        let mut sim = served(30.0);
        sim.step_until(crate::time::SimTime(3_600_000));
        let serving_from = sim.tasks[t(0)].running_at.expect("running").as_millis() as f64;
        let d = &sim.demand_summaries()[0];
        // Only what came before the task served is lost.
        assert!((d.unserved_requests - 30.0 * serving_from / 1000.0).abs() < 0.01, "{d:?}");
        assert!((d.peak_utilization_percent - 30.0).abs() < 1e-9, "{d:?}");
        let c = &sim.credits_summary()[0];
        assert_eq!(c.throttled_instance_s, 0.0, "{c:?}");
        // 24 an hour before it serves, 6 an hour after.
        let expect = serving_from * EARN + (3_600_000.0 - serving_from) * 6.0 / HOUR;
        assert!((c.final_balance - expect).abs() < 0.02, "{c:?} {expect}");
    }

    #[test]
    fn throttled_capacity_drives_cpu_target_tracking_to_scale_out() {
        // The same 80 requests/s, with target tracking on CPU at 70%: unthrottled the task would sit at 80% and
        // ask for ceil(1 x 80 / 70) = 2; throttled to half its CPU it reads 100%, so AlarmHigh fires on 100.
        let scenario = testing::ec2(
            r#""instance_types": ["t3.medium"], "desired_capacity": 1, "images_cached": true, "cpu_credits": "standard""#,
            r#""cpu": 1024, "memory": 1024, "network_mode": "bridge""#,
            r#""demand": { "profile": [{ "type": "constant", "rps": 80 }], "requests_per_task": 100, "idle_cpu_percent": 0 },
               "autoscaling": { "min_capacity": 1, "max_capacity": 2,
                                "target_tracking": [{ "metric": "ECSServiceAverageCPUUtilization", "target": 70 }] }"#,
            "",
        );
        let mut sim = testing::checked(scenario);
        sim.step_through(|e| matches!(e, Event::CreditsEmpty { .. }));
        let empty_at = sim.now;
        let action = loop {
            sim.step_through(|e| matches!(e, Event::MetricPeriod { .. }));
            let found = sim.trace().iter().find_map(|e| match &e.what {
                crate::output::TraceWhat::ScalingAction { value, to, .. } => Some((e.time, *value, *to)),
                _ => None,
            });
            if let Some(found) = found {
                break found;
            }
        };
        assert!(action.0 > empty_at);
        assert_eq!((action.1, action.2), (100.0, 2), "{action:?}");
        sim.assert_invariants();
    }
}
