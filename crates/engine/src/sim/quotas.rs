//! Quotas that refuse (`docs/model.md` §4.8): the account's Fargate On-Demand and Fargate Spot vCPU quotas and the
//! cluster's container instances. "Amazon ECS service quotas": "If you attempt to exceed the quota for a resource,
//! the request fails." A launch that would take the usage over a quota is refused (the service scheduler retries
//! the task next workflow cycle; RunTask reports it as a failure; the Auto Scaling group launches no instance; a
//! managed scale-out beyond a group's maximum size launches only up to it), and
//! every refusal is counted and traced with the quota's name. Tasks per service is checked when the scenario is
//! validated (a desired count above it is refused by ECS, so it never reaches the simulation).
//!
//! [`Quotas`] is the part holding the usage that counts against the Fargate quotas and the hits.

use super::Simulation;
use crate::output::{Limiter, QuotaHit, TraceWhat};
use crate::scenario::{Provider, TaskDef};
use crate::task::TaskState;
use crate::time::SimTime;

/// The quotas that refuse launches in the simulation, in [`Limiter`] order.
const QUOTAS: [Limiter; 4] = [
    Limiter::FargateOnDemandVcpuQuota,
    Limiter::FargateSpotVcpuQuota,
    Limiter::InstancesPerCluster,
    Limiter::AsgMaxSize,
];

/// How often a quota refused, and when first.
#[derive(Clone, Copy)]
struct Hits {
    refused: u64,
    first: SimTime,
    /// The quota's value at the first refusal, for quotas that are not one account-wide setting (a group's
    /// maximum size); 0 for the others, whose value the scenario's limits give.
    value: u32,
}

/// Usage that counts against the Fargate vCPU quotas, and each quota's hits.
#[derive(Default)]
pub(super) struct Quotas {
    /// cpu units (1024 = 1 vCPU) of the Fargate On-Demand and Fargate Spot tasks launched and not yet STOPPED.
    /// "Handle Amazon ECS service quotas and API throttling limits": "AWS Fargate has quotas that limit the number
    /// of concurrent running tasks in each AWS Region"; the quota counts vCPUs ("Fargate On-Demand vCPU resource
    /// count"). A task counts from its launch (the request the quota refuses) until it has stopped.
    fargate_cpu: [u64; 2],
    /// vCPU thousandths of the AWS Batch jobs STARTING or RUNNING on FARGATE and FARGATE_SPOT compute environments
    /// (`docs/model.md` §12.9): Batch runs them as ECS tasks on Fargate in the account, and "When to use Fargate"
    /// (AWS Batch User Guide) sends users whose concurrent jobs exceed Fargate's limits to "Fargate service quotas
    /// in the Amazon Elastic Container Service Developer Guide", so they count against the same vCPU quotas.
    batch_milli: [u64; 2],
    hits: [Option<Hits>; 4],
}

/// Fargate usage in a unit both counts convert to exactly: 1/1,024,000 vCPU (a cpu unit is 1000 of them, a vCPU
/// thousandth 1024).
const PER_VCPU: u64 = 1_024_000;

/// Which of [`Quotas::fargate_cpu`] a Fargate provider uses; `None` for EC2.
fn fargate_slot(provider: Provider) -> Option<usize> {
    match provider {
        Provider::Fargate => Some(0),
        Provider::FargateSpot => Some(1),
        Provider::Asg(_) => None,
    }
}

impl Quotas {
    /// Whether one more task of `cpu` units on `provider` fits under `quota` (cpu units; `None`: no quota).
    fn fargate_fits(&self, provider: Provider, cpu: u32, quota: Option<u32>) -> bool {
        self.fits(provider, u64::from(cpu) * 1000, quota)
    }

    /// Whether `more` (in [`PER_VCPU`] parts) fits under `quota` (cpu units) beside the tasks and Batch jobs.
    fn fits(&self, provider: Provider, more: u64, quota: Option<u32>) -> bool {
        match (fargate_slot(provider), quota) {
            (Some(slot), Some(quota)) => self.used(slot) + more <= u64::from(quota) * 1000,
            _ => true,
        }
    }

    /// The Batch jobs' vCPU thousandths against the On-Demand and Spot quotas.
    #[cfg(test)]
    pub(super) fn batch_usage(&self) -> [u64; 2] {
        self.batch_milli
    }

    /// Tasks' and Batch jobs' usage of quota `slot`, in [`PER_VCPU`] parts.
    fn used(&self, slot: usize) -> u64 {
        self.fargate_cpu[slot] * 1000 + self.batch_milli[slot] * 1024
    }

    fn add(&mut self, provider: Provider, cpu: u32) {
        if let Some(slot) = fargate_slot(provider) {
            self.fargate_cpu[slot] += u64::from(cpu);
        }
    }

    fn remove(&mut self, provider: Provider, cpu: u32) {
        if let Some(slot) = fargate_slot(provider) {
            self.fargate_cpu[slot] -= u64::from(cpu);
        }
    }

    fn hit(&mut self, quota: Limiter, refused: u64, now: SimTime, value: u32) {
        let index = QUOTAS.iter().position(|&q| q == quota).expect("a quota");
        let hits = self.hits[index].get_or_insert(Hits { refused: 0, first: now, value });
        hits.refused += refused;
    }

    /// The usage recounted from the tasks (and, given as `batch`, the Batch compute environments' Fargate usage)
    /// equals the kept counts.
    pub(super) fn check(
        &self,
        tasks: &super::tasks::Tasks,
        task_defs: &[TaskDef],
        batch: [u64; 2],
    ) -> Result<(), String> {
        if batch != self.batch_milli {
            return Err(format!(
                "Batch Fargate vCPU thousandths against the quotas {:?}, recounted {batch:?}",
                self.batch_milli
            ));
        }
        let mut recount = [0u64; 2];
        for task in tasks.all().iter().filter(|t| t.state != TaskState::Stopped) {
            if let Some(slot) = fargate_slot(task.provider) {
                recount[slot] += u64::from(task_defs[task.task_def as usize].cpu);
            }
        }
        if recount != self.fargate_cpu {
            return Err(format!("Fargate cpu against the quotas {:?}, recounted {recount:?}", self.fargate_cpu));
        }
        Ok(())
    }
}

impl Simulation {
    fn vcpu_quota(&self, provider: Provider) -> Option<u32> {
        match provider {
            Provider::Fargate => self.scenario.limits.fargate_on_demand_vcpu_quota,
            Provider::FargateSpot => self.scenario.limits.fargate_spot_vcpu_quota,
            Provider::Asg(_) => None,
        }
    }

    /// The Fargate vCPU quota that refuses one more task of `task_def` on `provider`, if one does.
    pub(in crate::sim) fn fargate_quota_refuses(&self, provider: Provider, task_def: usize) -> Option<Limiter> {
        let cpu = self.scenario.task_defs[task_def].cpu;
        if self.quotas.fargate_fits(provider, cpu, self.vcpu_quota(provider)) {
            return None;
        }
        Some(match provider {
            Provider::FargateSpot => Limiter::FargateSpotVcpuQuota,
            _ => Limiter::FargateOnDemandVcpuQuota,
        })
    }

    /// A Fargate task was launched (it counts against its quota until it has stopped).
    pub(in crate::sim) fn quota_task_launched(&mut self, provider: Provider, task_def: usize) {
        let cpu = self.scenario.task_defs[task_def].cpu;
        self.quotas.add(provider, cpu);
    }

    /// The Fargate vCPU quota that refuses one more AWS Batch job of `vcpu_milli` on `provider`, if one does.
    pub(in crate::sim) fn batch_quota_refuses(&self, provider: Provider, vcpu_milli: u32) -> Option<Limiter> {
        if self.quotas.fits(provider, u64::from(vcpu_milli) * 1024, self.vcpu_quota(provider)) {
            return None;
        }
        Some(match provider {
            Provider::FargateSpot => Limiter::FargateSpotVcpuQuota,
            _ => Limiter::FargateOnDemandVcpuQuota,
        })
    }

    /// A Batch job was placed on Fargate (`up`) or released from it: its vCPUs count against the quota between.
    pub(in crate::sim) fn quota_batch_job(&mut self, provider: Provider, vcpu_milli: u32, up: bool) {
        if let Some(slot) = fargate_slot(provider) {
            if up {
                self.quotas.batch_milli[slot] += u64::from(vcpu_milli);
            } else {
                self.quotas.batch_milli[slot] -= u64::from(vcpu_milli);
            }
        }
    }

    /// A task has stopped: its vCPUs no longer count.
    pub(in crate::sim) fn quota_task_stopped(&mut self, provider: Provider, task_def: usize) {
        let cpu = self.scenario.task_defs[task_def].cpu;
        self.quotas.remove(provider, cpu);
    }

    /// `quota` refused `refused` launches asked for by `by`: counted for the summary, and a trace line naming the
    /// quota and what was in use.
    pub(in crate::sim) fn quota_refused(&mut self, quota: Limiter, by: String, refused: u64, usage: String) {
        self.quotas.hit(quota, refused, self.now, 0);
        self.record(TraceWhat::QuotaHit { quota, by, usage });
    }

    /// Managed scaling of group `p` wanted `refused` instances more than its maximum size allows. *EC2 Auto
    /// Scaling API Reference*, CreateAutoScalingGroup: `MaxSize`, "The maximum size of the group." The group never
    /// grows past it, so the instances beyond it are not launched; counted and traced like a quota's refusal (the
    /// summary's value is the maximum size of the first group that hit it).
    pub(in crate::sim) fn max_size_refused(&mut self, group: String, refused: u64, live: u32, max_size: u32) {
        self.quotas.hit(Limiter::AsgMaxSize, refused, self.now, max_size);
        let usage = format!("{live} of {max_size} instances");
        self.record(TraceWhat::QuotaHit { quota: Limiter::AsgMaxSize, by: format!("group {group}"), usage });
    }

    /// vCPUs counted against `provider`'s Fargate quota, and the quota in vCPUs (0 without one).
    pub(in crate::sim) fn quota_usage(&self, provider: Provider) -> (f64, f64) {
        let slot = fargate_slot(provider).unwrap_or(0);
        let quota = self.vcpu_quota(provider).map_or(0.0, |q| f64::from(q) / 1024.0);
        (self.quotas.used(slot) as f64 / PER_VCPU as f64, quota)
    }

    /// What counted against a Fargate quota, as the trace prints it.
    pub(in crate::sim) fn fargate_usage(&self, provider: Provider) -> String {
        let slot = fargate_slot(provider).unwrap_or(0);
        let quota = self.vcpu_quota(provider).map_or(0, |q| q / 1024);
        format!("{} of {quota} vCPUs", vcpus(self.quotas.used(slot)))
    }

    /// The summary's quota hits, in [`Limiter`] order.
    pub(super) fn quota_hits(&self) -> Vec<QuotaHit> {
        let limits = &self.scenario.limits;
        QUOTAS
            .iter()
            .zip(self.quotas.hits)
            .filter_map(|(&quota, hits)| {
                let hits = hits?;
                let value = match quota {
                    Limiter::FargateOnDemandVcpuQuota => limits.fargate_on_demand_vcpu_quota.unwrap_or(0) / 1024,
                    Limiter::FargateSpotVcpuQuota => limits.fargate_spot_vcpu_quota.unwrap_or(0) / 1024,
                    Limiter::AsgMaxSize => hits.value,
                    _ => limits.instances_per_cluster,
                };
                Some(QuotaHit { quota, value, refused: hits.refused, first_s: hits.first.as_secs_f64() })
            })
            .collect()
    }
}

/// [`PER_VCPU`] parts as vCPUs, with a fraction only when there is one.
fn vcpus(parts: u64) -> String {
    if parts % PER_VCPU == 0 {
        format!("{}", parts / PER_VCPU)
    } else {
        format!("{:.2}", parts as f64 / PER_VCPU as f64)
    }
}

#[cfg(test)]
mod tests {
    use crate::output::{Limiter, TraceWhat};
    use crate::scenario::Provider;
    use crate::sim::{testing, Event};
    use crate::task::TaskState;

    /// A 2-vCPU On-Demand quota holds a service of 0.25-vCPU tasks at 8: the first cycle launches 8 of 20, the
    /// rest wait on the quota, which the service's limits and the trace name.
    #[test]
    fn the_on_demand_vcpu_quota_refuses_a_service_launch_beyond_it() {
        let limits = r#""limits": { "fargate_on_demand_vcpu_quota": 2 }"#;
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 20"#, limits));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        assert_eq!(sim.tasks.len(), 8);
        let rt = sim.services.iter().next().expect("service");
        let cycle_ms = sim.scenario.latencies.cycle_ms;
        assert_eq!(rt.waiting_ms[Limiter::FargateOnDemandVcpuQuota as usize], 12 * cycle_ms);
        let hit = sim.trace().iter().find_map(|e| match &e.what {
            TraceWhat::QuotaHit { quota, by, usage } => Some((*quota, by.clone(), usage.clone())),
            _ => None,
        });
        assert_eq!(
            hit,
            Some((Limiter::FargateOnDemandVcpuQuota, "service web".to_string(), "2 of 2 vCPUs".to_string()))
        );
        sim.run_to_end();
        let summary = sim.metrics();
        assert_eq!(summary.services[0].running, 8);
        assert_eq!(summary.services[0].limited_by, Some(Limiter::FargateOnDemandVcpuQuota));
        assert_eq!(summary.completion_s, None, "the service never reaches its desired count");
        let hits = &summary.quota_hits;
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].quota, hits[0].value), (Limiter::FargateOnDemandVcpuQuota, 2));
        assert!(hits[0].refused > 100, "refused every cycle: {}", hits[0].refused);
    }

    /// The quota counts tasks until they have stopped: after a scale-in from 8 to 4, the stopped tasks' vCPUs are
    /// free again and a scale-out fills them.
    #[test]
    fn stopped_tasks_free_their_vcpus() {
        let limits = r#""limits": { "fargate_on_demand_vcpu_quota": 2 },
            "events": [{ "type": "scale", "at_s": 300, "service": "web", "desired_count": 4 },
                       { "type": "scale", "at_s": 900, "service": "web", "desired_count": 8 }]"#;
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 8"#, limits));
        sim.run_to_end();
        let summary = sim.metrics();
        assert_eq!(summary.services[0].running, 8);
        assert_eq!(summary.tasks_launched, 12, "four tasks replaced the four stopped");
        assert!(summary.quota_hits.is_empty(), "8 x 0.25 vCPU fits exactly: {:?}", summary.quota_hits);
    }

    /// The Spot quota is its own: an On-Demand quota of 1 vCPU holds the On-Demand half of a 50/50 strategy at 4
    /// tasks and leaves the Spot half alone.
    #[test]
    fn the_spot_quota_is_separate() {
        let limits = r#""limits": { "fargate_on_demand_vcpu_quota": 1, "fargate_spot_vcpu_quota": 100 }"#;
        let service = r#""desired_count": 20, "capacity_provider_strategy": [
            { "capacity_provider": "FARGATE", "weight": 1 }, { "capacity_provider": "FARGATE_SPOT", "weight": 1 }]"#;
        let mut sim = testing::checked(testing::fargate("", service, limits));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let on = |p: Provider| sim.tasks.all().iter().filter(|t| t.provider == p).count();
        assert_eq!((on(Provider::Fargate), on(Provider::FargateSpot)), (4, 16));
    }

    /// RunTask lists the tasks beyond the quota as failures: 8 of 20 start, 12 fail, and the burst settles.
    #[test]
    fn run_task_reports_tasks_beyond_the_quota_as_failures() {
        let top = r#""limits": { "fargate_on_demand_vcpu_quota": 2 },
            "run_tasks": [{ "name": "job", "task_definition": "web", "count": 20 }]"#;
        let mut sim = testing::checked(testing::without_service("", top));
        sim.run_to_end();
        let summary = sim.metrics();
        let job = &summary.run_tasks[0];
        assert_eq!((job.started, job.failed), (8, 12));
        assert!(job.settled_s.is_some());
        assert_eq!(summary.quota_hits[0].refused, 12);
    }

    /// With room for one registered instance in the cluster, the group's second instance boots but cannot
    /// register: it stays REGISTERING and the tasks that need it keep waiting.
    #[test]
    fn instances_beyond_the_cluster_quota_do_not_register() {
        let provider = r#""max_size": 10, "managed_scaling": {}"#;
        let task_def = r#", "cpu": 2048, "memory": 4096"#;
        let limits = r#""limits": { "instances_per_cluster": 1 }, "horizon_s": 900"#;
        let mut sim = testing::checked(testing::ec2(provider, task_def, r#", "desired_count": 3"#, limits));
        sim.run_to_end();
        let summary = sim.metrics();
        assert_eq!(summary.quota_hits.len(), 1);
        assert_eq!(summary.quota_hits[0].quota, Limiter::InstancesPerCluster);
        assert_eq!(sim.fleet.registered_instances(), 1);
        assert!(sim.tasks.all().iter().filter(|t| t.state == TaskState::Running).count() <= 1);
    }

    /// A group of at most 2 m5.large with 4 tasks of 2 vCPU / 6 GiB waiting (one per instance): the first
    /// evaluation wants 4 instances, launches 2 (its maximum size) and records a hit of the group's maximum
    /// capacity for the other 2, named in the trace with the group's size; the tasks beyond it keep waiting.
    #[test]
    fn a_scale_out_beyond_the_groups_maximum_size_is_a_quota_hit() {
        let provider = r#""max_size": 2, "managed_scaling": {}"#;
        let task_def = r#", "cpu": 2048, "memory": 6144"#;
        let mut sim = testing::checked(testing::ec2(provider, task_def, r#", "desired_count": 4"#, ""));
        sim.step_through(|e| matches!(e, Event::ScalingEvaluation { .. }));
        while !sim.trace().iter().any(|e| matches!(e.what, TraceWhat::ScaleOut { .. })) {
            sim.step_through(|e| matches!(e, Event::ScalingEvaluation { .. }));
        }
        assert_eq!(sim.fleet.instances().len(), 2);
        let hit = sim.trace().iter().find_map(|e| match &e.what {
            TraceWhat::QuotaHit { quota, by, usage } => Some((*quota, by.clone(), usage.clone())),
            _ => None,
        });
        assert_eq!(hit, Some((Limiter::AsgMaxSize, "group asg".to_string(), "0 of 2 instances".to_string())));
        sim.run_to_end();
        let summary = sim.metrics();
        assert_eq!(summary.services[0].running, 2);
        let hits = &summary.quota_hits;
        assert_eq!((hits.len(), hits[0].quota, hits[0].value), (1, Limiter::AsgMaxSize, 2));
        assert!(hits[0].refused > 2, "refused again at every evaluation while tasks wait: {}", hits[0].refused);
    }
}
