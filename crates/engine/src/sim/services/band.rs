//! What held each service back, over time (`docs/model.md` §15.2): the workflow cycle records the kind of hold it
//! leaves the service in, right where it decides it, in the order `explain_service` names a service's first hold
//! (`sim/explain.rs`), so the band, the explanation and the behaviour agree; becoming steady and leaving it are
//! recorded where `update_steady` decides them. Nothing here scans tasks: it reads the counters the cycle keeps.

use super::deployment::deployment_bounds;
use crate::ids::{ProviderId, ServiceId};
use crate::limited_by::{Held, ServiceBand};
use crate::output::Limiter;
use crate::scenario::Provider;
use crate::sim::Simulation;

impl Simulation {
    /// After service `s`'s workflow cycle (or its early return for the circuit breaker or a backoff): what holds it
    /// now, as `explain_service` would name its first hold. `blocked`: what stopped the cycle's launches;
    /// `primary_draining`: its primary tasks on draining instances, as the cycle counted them.
    pub(super) fn note_cycle_hold(&mut self, s: ServiceId, primary_draining: u32) {
        let now = self.now;
        let service = &self.scenario.services[s.index()];
        let rt = &self.services.list[s.index()];
        let (_, max_running) = deployment_bounds(rt.desired, service.minimum_healthy_percent, service.maximum_percent);
        let missing = rt.desired.saturating_sub(rt.primary_active.saturating_sub(primary_draining));
        let active = crate::narrow::u32_of(rt.active.len());
        let room = max_running.saturating_sub(active);
        let held = if rt.breaker_stopped() {
            Held::Limit(Limiter::CircuitBreaker)
        } else if now < rt.backoff_until {
            Held::Limit(Limiter::Backoff)
        } else if missing.min(room) > 0 {
            rt.last_blocked.map_or(Held::Startup, Held::Limit)
        } else if missing > room {
            Held::Limit(Limiter::DeploymentSettings)
        } else if rt.spot_waiting > 0 {
            Held::Limit(Limiter::FargateSpotCapacity)
        } else if rt.ec2_waiting > 0 {
            Held::Limit(self.ec2_wait_limiter(s))
        } else if active > rt.serving {
            Held::Startup
        } else {
            Held::Nothing
        };
        self.services.list[s.index()].band.set(now, held);
    }

    /// Tasks of `s` wait in PROVISIONING for an instance: cluster auto scaling when the first of its groups with
    /// tasks waiting has managed scaling or is a Managed Instances provider, EC2 capacity otherwise (the limiter of
    /// `explain`'s `NoRoom`).
    fn ec2_wait_limiter(&self, s: ServiceId) -> Limiter {
        let mut groups: Vec<u16> = self.scenario.services[s.index()]
            .strategy
            .items
            .iter()
            .filter_map(|i| match i.provider {
                Provider::Asg(g) => Some(g),
                _ => None,
            })
            .collect();
        groups.sort_unstable();
        let group = groups
            .iter()
            .map(|&g| ProviderId::of_asg(g))
            .find(|p| self.fleet.providers()[p.index()].waiting_count() > 0)
            .or_else(|| groups.first().map(|&g| ProviderId::of_asg(g)));
        match group.map(|p| &self.scenario.providers[p.index()]) {
            Some(p) if p.managed_scaling.is_none() && p.managed_instances.is_none() => Limiter::Capacity,
            _ => Limiter::ClusterAutoScaling,
        }
    }

    /// What held each service back over the run so far, segment by segment (`docs/model.md` §15.2).
    pub fn limited_by_timeline(&self) -> Vec<ServiceBand> {
        self.services
            .list
            .iter()
            .zip(&self.scenario.services)
            .map(|(rt, service)| rt.band.timeline(service.name.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::limited_by::Held;
    use crate::output::Limiter;
    use crate::sim::{testing, Event, Simulation};

    /// The kinds of the service's band, in order.
    fn kinds(sim: &Simulation) -> Vec<Held> {
        sim.limited_by_timeline()[0].segments.iter().map(|s| s.held).collect()
    }

    /// After every workflow cycle of every service, the band's kind is what `explain_service` names first.
    fn agrees_with_explain(mut sim: Simulation) -> Simulation {
        while let Some(std::cmp::Reverse(next)) = sim.queue.peek() {
            let cycle = matches!(next.event, Event::ServiceCycle { .. });
            if !sim.step() {
                break;
            }
            if !cycle {
                continue;
            }
            for (s, service) in sim.scenario.services.clone().iter().enumerate() {
                let e = sim.explain_service(&service.name).expect("known");
                let named = match e.holds[0].limiter() {
                    Some(l) => Held::Limit(l),
                    None if matches!(e.holds[0], crate::explain::Hold::Nothing) => Held::Nothing,
                    None => Held::Startup,
                };
                let band = sim.services.list[s].band.current();
                // Between cycles the band keeps the last cycle's kind; right after one, they agree.
                if sim.services.list[s].last_cycle == Some(sim.now) {
                    assert_eq!(band, named, "{} at {:?}: {}", service.name, sim.now, e.text());
                }
            }
        }
        sim
    }

    #[test]
    fn the_service_launch_rate_then_startup_then_steady() {
        let sim = agrees_with_explain(testing::checked(testing::fargate("", r#""desired_count": 100"#, "")));
        assert_eq!(
            kinds(&sim),
            vec![Held::Startup, Held::Limit(Limiter::ServiceLaunchRate), Held::Startup, Held::Nothing]
        );
        let shares = &sim.metrics().services[0].limited_by_shares;
        let total: f64 = shares.iter().map(|s| s.share).sum();
        assert!((total - 1.0).abs() < 1e-3, "{shares:?}");
    }

    #[test]
    fn an_account_launch_bucket() {
        let limits = r#""limits": { "fargate_on_demand_launch": { "burst": 10, "refill_per_s": 1 } }"#;
        let sim = agrees_with_explain(testing::checked(testing::fargate("", r#""desired_count": 100"#, limits)));
        assert!(kinds(&sim).contains(&Held::Limit(Limiter::FargateOnDemandBucket)), "{:?}", kinds(&sim));
        let m = sim.metrics();
        assert_eq!(m.services[0].limited_by, Some(Limiter::FargateOnDemandBucket));
        assert_eq!(m.services[0].limited_by_shares[0].held, Held::Limit(Limiter::FargateOnDemandBucket));
    }

    #[test]
    fn deployment_bounds() {
        let service = r#""desired_count": 10, "deployment": { "maximum_percent": 100, "minimum_healthy_percent": 50 }"#;
        let top = r#""events": [{ "type": "deploy", "at_s": 300, "service": "web" }]"#;
        let sim = agrees_with_explain(testing::checked(testing::fargate("", service, top)));
        assert!(kinds(&sim).contains(&Held::Limit(Limiter::DeploymentSettings)), "{:?}", kinds(&sim));
    }

    #[test]
    fn no_instance_with_room_backs_off() {
        let task_def = r#", "cpu": 1024, "memory": 6144"#;
        let sim = agrees_with_explain(testing::checked(testing::ec2(
            r#""desired_capacity": 1"#,
            task_def,
            r#", "desired_count": 3"#,
            "",
        )));
        assert!(kinds(&sim).contains(&Held::Limit(Limiter::Backoff)), "{:?}", kinds(&sim));
    }

    #[test]
    fn cluster_auto_scaling() {
        let provider = r#""desired_capacity": 1, "max_size": 4, "managed_scaling": {}"#;
        let sim = agrees_with_explain(testing::checked(testing::ec2(
            provider,
            r#", "memory": 4096"#,
            r#", "desired_count": 4"#,
            "",
        )));
        assert!(kinds(&sim).contains(&Held::Limit(Limiter::ClusterAutoScaling)), "{:?}", kinds(&sim));
    }

    #[test]
    fn fargate_spot_capacity() {
        let service = r#""desired_count": 20,
            "capacity_provider_strategy": [{ "capacity_provider": "FARGATE_SPOT", "weight": 1 }]"#;
        let top = r#""fargate_spot": { "availability": "tight" }"#;
        let sim = agrees_with_explain(testing::checked(testing::fargate("", service, top)));
        assert!(kinds(&sim).contains(&Held::Limit(Limiter::FargateSpotCapacity)), "{:?}", kinds(&sim));
    }

    #[test]
    fn a_vcpu_quota() {
        let limits = r#""limits": { "fargate_on_demand_vcpu_quota": 2 }"#;
        let sim = agrees_with_explain(testing::checked(testing::fargate("", r#""desired_count": 20"#, limits)));
        assert_eq!(kinds(&sim)[1], Held::Limit(Limiter::FargateOnDemandVcpuQuota), "{:?}", kinds(&sim));
        assert_eq!(sim.metrics().services[0].limited_by, Some(Limiter::FargateOnDemandVcpuQuota));
    }

    #[test]
    fn the_circuit_breaker() {
        let sim = agrees_with_explain(testing::checked(testing::breaker_without_rollback(testing::START_FAILS)));
        assert!(kinds(&sim).contains(&Held::Limit(Limiter::CircuitBreaker)), "{:?}", kinds(&sim));
    }
}
