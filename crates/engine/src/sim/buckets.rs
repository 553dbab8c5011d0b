//! The account-level token buckets (`docs/model.md` §2): Fargate On-Demand and Spot task launches, RunTask API
//! calls, Fargate RunTask calls. Each [`TokenBucket`] keeps its own invariant (a level within 0..=burst), so the
//! mechanisms that spend tokens (the service scheduler, RunTask) take them through the bucket's methods.

use crate::bucket::TokenBucket;
use crate::scenario::{BucketParams, Limits, Provider};
use crate::time::SimTime;

use super::workloads::Call;

pub(super) struct Buckets {
    pub(super) fargate_on_demand: TokenBucket,
    pub(super) fargate_spot: TokenBucket,
    pub(super) run_task_api: TokenBucket,
    pub(super) fargate_run_task_calls: TokenBucket,
}

fn bucket(params: BucketParams) -> TokenBucket {
    TokenBucket::new(params.burst, params.per_minute)
}

impl Buckets {
    pub(super) fn new(limits: &Limits) -> Buckets {
        Buckets {
            fargate_on_demand: bucket(limits.fargate_on_demand),
            fargate_spot: bucket(limits.fargate_spot),
            run_task_api: bucket(limits.run_task_api),
            fargate_run_task_calls: bucket(limits.fargate_run_task_calls),
        }
    }

    /// The account bucket a launch on `provider` takes a token from: Fargate only (EC2 has no task launch limit).
    pub(super) fn launch(&mut self, provider: Provider) -> Option<&mut TokenBucket> {
        match provider {
            Provider::Fargate => Some(&mut self.fargate_on_demand),
            Provider::FargateSpot => Some(&mut self.fargate_spot),
            Provider::Asg(_) => None,
        }
    }

    /// How many tasks of one RunTask call `provider` can start now: as many as its launch bucket holds, and none
    /// while the Fargate RunTask call bucket is empty. ECS Developer Guide, "AWS Fargate throttling quotas",
    /// "Throttling the RunTask API on Fargate": "Fargate limits the request rate when launching tasks using the
    /// Amazon ECS RunTask API using a separate quota." The quota is Fargate's, not On-Demand's: a call that starts
    /// only Fargate Spot tasks takes a token too (domain.md §2 and §10 say the same). EC2 providers need neither.
    pub(super) fn launch_room(&mut self, now: SimTime, provider: Provider) -> u64 {
        let calls = self.fargate_run_task_calls.available(now);
        match self.launch(provider) {
            Some(bucket) if calls >= 1 => bucket.available(now),
            Some(_) => 0,
            None => u64::MAX,
        }
    }

    /// When `call`'s tasks on `provider` will have their tokens (see [`Buckets::launch_room`]); `None` if never.
    pub(super) fn time_until_launch(&mut self, now: SimTime, call: &Call, provider: Provider) -> Option<SimTime> {
        let need = call.need(provider);
        match self.launch(provider) {
            Some(bucket) => {
                let tasks = bucket.time_until(now, need)?;
                Some(tasks.max(self.fargate_run_task_calls.time_until(now, 1)?))
            }
            None => Some(now),
        }
    }

    /// Every bucket's level is within 0..=burst.
    pub(super) fn check(&self, now: SimTime) -> Result<(), String> {
        for (name, bucket) in [
            ("fargate_on_demand", &self.fargate_on_demand),
            ("fargate_spot", &self.fargate_spot),
            ("run_task_api", &self.run_task_api),
            ("fargate_run_task_calls", &self.fargate_run_task_calls),
        ] {
            let level = bucket.level_at(now);
            if !(0.0..=bucket.burst() as f64).contains(&level) {
                return Err(format!("bucket {name} at {level}, outside 0..={}", bucket.burst()));
            }
        }
        Ok(())
    }
}
