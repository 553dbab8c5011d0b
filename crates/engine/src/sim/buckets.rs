//! The account-level token buckets (`docs/model.md` §2): Fargate On-Demand and Spot task launches, RunTask API
//! calls, Fargate RunTask calls. Each [`TokenBucket`] keeps its own invariant (a level within 0..=burst), so the
//! mechanisms that spend tokens (the service scheduler, RunTask) take them through the bucket's methods.

use crate::bucket::TokenBucket;
use crate::scenario::{BucketParams, Limits, Provider};
use crate::spec::AccountBucket;
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

    /// Other callers in the account spend a bucket's tokens: up to `tokens`, or all it holds. The buckets are the
    /// account's in the Region, not the cluster's: ECS Developer Guide, "AWS Fargate throttling quotas": "AWS
    /// Fargate limits Amazon ECS tasks and Amazon EKS pods launch rates to quotas [...] using a token bucket
    /// algorithm for each AWS account on a per-Region basis", a bucket "that depletes based on the number of tasks
    /// and pods launched by the customer account". So tasks launched by another cluster of the account, or its EKS
    /// pods on Fargate, take the same tokens (and, for the RunTask buckets, another caller's RunTask calls).
    pub(super) fn spent_elsewhere(&mut self, now: SimTime, bucket: AccountBucket, tokens: Option<u32>) -> u64 {
        let bucket = match bucket {
            AccountBucket::FargateOnDemandLaunch => &mut self.fargate_on_demand,
            AccountBucket::FargateSpotLaunch => &mut self.fargate_spot,
            AccountBucket::RunTaskApi => &mut self.run_task_api,
            AccountBucket::FargateRunTaskCalls => &mut self.fargate_run_task_calls,
        };
        bucket.spend(now, tokens.map_or(u64::MAX, u64::from))
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

#[cfg(test)]
mod tests {
    use crate::sim::testing;
    use crate::time::SimTime;

    /// Other callers spending the account's Fargate launch tokens just before a RunTask burst of 100 at 5 s: the
    /// burst's calls wait for the refill (20 a second) instead of taking the full bucket.
    #[test]
    fn tokens_spent_elsewhere_delay_the_launches_they_would_have_paid_for() {
        let launched_at_5s = |event: &str| {
            let top = format!(
                r#""run_tasks": [{{ "name": "burst", "task_definition": "web", "count": 100, "at_s": 5 }}],
                   "events": [{event}]"#
            );
            let mut sim = testing::checked(testing::without_service("", &top));
            sim.step_until(SimTime::from_secs_f64(5.0));
            sim.assert_invariants();
            sim.tasks.all().len()
        };
        let spend = |tokens: &str| {
            format!(
                r#"{{ "type": "account_tokens_spent", "at_s": 4.9, "bucket": "fargate_on_demand_launch"{tokens} }}"#
            )
        };
        assert_eq!(launched_at_5s(""), 100);
        // All of it: two tokens refilled in the 0.1 s before the burst.
        assert_eq!(launched_at_5s(&spend("")), 2);
        // 30 of the full 100: 70 left, and 2 more by 5 s.
        assert_eq!(launched_at_5s(&spend(r#", "tokens": 30"#)), 72);
    }
}
