//! The settings part of a scenario: limits, latencies, prices and Fargate Spot capacity.
//!
//! Their numbers are range-checked from the tables below, one row per number: its path in the file, its default
//! (from [`crate::defaults`]), its bounds, and where the checked value goes. Adding a setting is adding a row.

use crate::defaults as d;
use crate::narrow;
use crate::spec::{FargateSpotSpec, LatencySpec, LatencyStep, LimitsProfile, LimitsSpec, PriceSpec, SpotAvailability};

use super::super::{BucketParams, Latencies, Limits, Prices, SpotSettings, Step};
use super::Validator;

/// The unit a number is given in, and how the checked value is stored: seconds become integer milliseconds (and
/// the error message says "seconds"); plain numbers are stored by the setter, which may convert them.
enum Unit<T> {
    Seconds(fn(&mut T, u64)),
    Plain(fn(&mut T, f64)),
}

/// One number of the settings: where it is in the file, its default when unset, its inclusive bounds, how to read
/// it from the spec (`None`: not set) and its unit (which says where the checked value goes).
struct NumberField<S, T> {
    path: &'static str,
    default: f64,
    min: f64,
    max: f64,
    get: fn(&S) -> Option<f64>,
    unit: Unit<T>,
}

const fn field<S, T>(
    path: &'static str,
    default: f64,
    min: f64,
    max: f64,
    get: fn(&S) -> Option<f64>,
    unit: Unit<T>,
) -> NumberField<S, T> {
    NumberField { path, default, min, max, get, unit }
}

use Unit::{Plain, Seconds};

fn mean(step: Option<LatencyStep>) -> Option<f64> {
    step.map(|s| s.mean_s)
}

fn spread(step: Option<LatencyStep>) -> Option<f64> {
    step.map(|s| s.spread)
}

/// A set step gives both numbers (a missing `spread` reads 0); an unset one takes both from its default.
/// Rows are in file order, which is the order problems are listed in.
#[rustfmt::skip]
const LATENCIES: &[NumberField<LatencySpec, Latencies>] = &[
    field("latencies.scheduler_cycle_s", d::SCHEDULER_CYCLE_S, 1.0, 300.0, |s| s.scheduler_cycle_s, Seconds(|l, ms| l.cycle_ms = ms.max(1))),
    field("latencies.fargate_capacity.mean_s", d::FARGATE_CAPACITY.mean_s, 0.0, 3600.0, |s| mean(s.fargate_capacity), Plain(|l, v| l.fargate_capacity.mean_ms = v * 1000.0)),
    field("latencies.fargate_capacity.spread", d::FARGATE_CAPACITY.spread, 0.0, 3.0, |s| spread(s.fargate_capacity), Plain(|l, v| l.fargate_capacity.spread = v)),
    field("latencies.eni_attach.mean_s", d::ENI_ATTACH.mean_s, 0.0, 3600.0, |s| mean(s.eni_attach), Plain(|l, v| l.eni_attach.mean_ms = v * 1000.0)),
    field("latencies.eni_attach.spread", d::ENI_ATTACH.spread, 0.0, 3.0, |s| spread(s.eni_attach), Plain(|l, v| l.eni_attach.spread = v)),
    field("latencies.public_ip.mean_s", d::PUBLIC_IP.mean_s, 0.0, 3600.0, |s| mean(s.public_ip), Plain(|l, v| l.public_ip.mean_ms = v * 1000.0)),
    field("latencies.public_ip.spread", d::PUBLIC_IP.spread, 0.0, 3.0, |s| spread(s.public_ip), Plain(|l, v| l.public_ip.spread = v)),
    field("latencies.image_pull_base.mean_s", d::IMAGE_PULL_BASE.mean_s, 0.0, 3600.0, |s| mean(s.image_pull_base), Plain(|l, v| l.image_pull_base.mean_ms = v * 1000.0)),
    field("latencies.image_pull_base.spread", d::IMAGE_PULL_BASE.spread, 0.0, 3.0, |s| spread(s.image_pull_base), Plain(|l, v| l.image_pull_base.spread = v)),
    field("latencies.image_pull_mb_per_s", d::IMAGE_PULL_MB_PER_S, 0.01, 100_000.0, |s| s.image_pull_mb_per_s, Plain(|l, v| l.image_pull_mb_per_s = v)),
    field("latencies.lazy_loading_pull_factor", d::LAZY_LOADING_PULL_FACTOR, 0.0, 1.0, |s| s.lazy_loading_pull_factor, Plain(|l, v| l.lazy_loading_pull_factor = v)),
    field("latencies.container_start.mean_s", d::CONTAINER_START.mean_s, 0.0, 3600.0, |s| mean(s.container_start), Plain(|l, v| l.container_start.mean_ms = v * 1000.0)),
    field("latencies.container_start.spread", d::CONTAINER_START.spread, 0.0, 3.0, |s| spread(s.container_start), Plain(|l, v| l.container_start.spread = v)),
    field("latencies.lb_registration.mean_s", d::LB_REGISTRATION.mean_s, 0.0, 3600.0, |s| mean(s.lb_registration), Plain(|l, v| l.lb_registration.mean_ms = v * 1000.0)),
    field("latencies.lb_registration.spread", d::LB_REGISTRATION.spread, 0.0, 3.0, |s| spread(s.lb_registration), Plain(|l, v| l.lb_registration.spread = v)),
    field("latencies.app_shutdown.mean_s", d::APP_SHUTDOWN.mean_s, 0.0, 3600.0, |s| mean(s.app_shutdown), Plain(|l, v| l.app_shutdown.mean_ms = v * 1000.0)),
    field("latencies.app_shutdown.spread", d::APP_SHUTDOWN.spread, 0.0, 3.0, |s| spread(s.app_shutdown), Plain(|l, v| l.app_shutdown.spread = v)),
    field("latencies.deprovision.mean_s", d::DEPROVISION.mean_s, 0.0, 3600.0, |s| mean(s.deprovision), Plain(|l, v| l.deprovision.mean_ms = v * 1000.0)),
    field("latencies.deprovision.spread", d::DEPROVISION.spread, 0.0, 3.0, |s| spread(s.deprovision), Plain(|l, v| l.deprovision.spread = v)),
    field("latencies.backoff_initial_s", d::BACKOFF_INITIAL_S, 0.0, 3600.0, |s| s.backoff_initial_s, Seconds(|l, ms| l.backoff_initial_ms = ms)),
    field("latencies.backoff_factor", d::BACKOFF_FACTOR, 1.0, 10.0, |s| s.backoff_factor, Plain(|l, v| l.backoff_factor = v)),
    field("latencies.backoff_max_s", d::BACKOFF_MAX_S, 0.0, 86_400.0, |s| s.backoff_max_s, Seconds(|l, ms| l.backoff_max_ms = ms)),
    field("latencies.instance_boot.mean_s", d::INSTANCE_BOOT.mean_s, 0.0, 3600.0, |s| mean(s.instance_boot), Plain(|l, v| l.instance_boot.mean_ms = v * 1000.0)),
    field("latencies.instance_boot.spread", d::INSTANCE_BOOT.spread, 0.0, 3.0, |s| spread(s.instance_boot), Plain(|l, v| l.instance_boot.spread = v)),
    field("latencies.agent_registration.mean_s", d::AGENT_REGISTRATION.mean_s, 0.0, 3600.0, |s| mean(s.agent_registration), Plain(|l, v| l.agent_registration.mean_ms = v * 1000.0)),
    field("latencies.agent_registration.spread", d::AGENT_REGISTRATION.spread, 0.0, 3.0, |s| spread(s.agent_registration), Plain(|l, v| l.agent_registration.spread = v)),
    field("latencies.agent_handoff.mean_s", d::AGENT_HANDOFF.mean_s, 0.0, 3600.0, |s| mean(s.agent_handoff), Plain(|l, v| l.agent_handoff.mean_ms = v * 1000.0)),
    field("latencies.agent_handoff.spread", d::AGENT_HANDOFF.spread, 0.0, 3.0, |s| spread(s.agent_handoff), Plain(|l, v| l.agent_handoff.spread = v)),
    field("latencies.ec2_image_pull_mb_per_s", d::EC2_IMAGE_PULL_MB_PER_S, 0.01, 100_000.0, |s| s.ec2_image_pull_mb_per_s, Plain(|l, v| l.ec2_image_pull_mb_per_s = v)),
];

/// The four token buckets. A set bucket gives both numbers; an unset one takes both from its defaults.
#[rustfmt::skip]
const BUCKETS: &[NumberField<LimitsSpec, Limits>] = &[
    field("limits.fargate_on_demand_launch.burst", d::FARGATE_ON_DEMAND_BURST as f64, 1.0, 1_000_000.0, |s| s.fargate_on_demand_launch.map(|b| b.burst.into()), Plain(|l, v| l.fargate_on_demand.burst = narrow::trunc_u32(v))),
    field("limits.fargate_on_demand_launch.refill_per_s", d::FARGATE_ON_DEMAND_PER_S, 0.0, 100_000.0, |s| s.fargate_on_demand_launch.map(|b| b.refill_per_s), Plain(|l, v| l.fargate_on_demand.per_minute = per_second_to_per_minute(v))),
    field("limits.fargate_spot_launch.burst", d::FARGATE_SPOT_BURST as f64, 1.0, 1_000_000.0, |s| s.fargate_spot_launch.map(|b| b.burst.into()), Plain(|l, v| l.fargate_spot.burst = narrow::trunc_u32(v))),
    field("limits.fargate_spot_launch.refill_per_s", d::FARGATE_SPOT_PER_S, 0.0, 100_000.0, |s| s.fargate_spot_launch.map(|b| b.refill_per_s), Plain(|l, v| l.fargate_spot.per_minute = per_second_to_per_minute(v))),
    field("limits.run_task_api.burst", d::RUN_TASK_API_BURST as f64, 1.0, 1_000_000.0, |s| s.run_task_api.map(|b| b.burst.into()), Plain(|l, v| l.run_task_api.burst = narrow::trunc_u32(v))),
    field("limits.run_task_api.refill_per_s", d::RUN_TASK_API_PER_S, 0.0, 100_000.0, |s| s.run_task_api.map(|b| b.refill_per_s), Plain(|l, v| l.run_task_api.per_minute = per_second_to_per_minute(v))),
    field("limits.fargate_run_task_calls.burst", d::FARGATE_RUN_TASK_CALLS_BURST as f64, 1.0, 1_000_000.0, |s| s.fargate_run_task_calls.map(|b| b.burst.into()), Plain(|l, v| l.fargate_run_task_calls.burst = narrow::trunc_u32(v))),
    field("limits.fargate_run_task_calls.refill_per_s", d::FARGATE_RUN_TASK_CALLS_PER_S, 0.0, 100_000.0, |s| s.fargate_run_task_calls.map(|b| b.refill_per_s), Plain(|l, v| l.fargate_run_task_calls.per_minute = per_second_to_per_minute(v))),
];

/// Quotas (`docs/model.md` §4.8). The Fargate vCPU quotas have no default (see
/// [`d::FARGATE_VCPU_QUOTA_DOCUMENTED`]): [`Validator::limits`] checks them against the same bounds when set.
#[rustfmt::skip]
const QUOTAS: &[NumberField<LimitsSpec, Limits>] = &[
    field("limits.instances_per_cluster", d::INSTANCES_PER_CLUSTER as f64, 1.0, 1_000_000.0, |s| s.instances_per_cluster.map(f64::from), Plain(|l, v| l.instances_per_cluster = narrow::trunc_u32(v))),
    field("limits.tasks_per_service", d::TASKS_PER_SERVICE as f64, 1.0, 1_000_000.0, |s| s.tasks_per_service.map(f64::from), Plain(|l, v| l.tasks_per_service = narrow::trunc_u32(v))),
];

/// The bounds of a Fargate vCPU quota (vCPUs); 0 is a real value (an account blocked from Fargate).
const VCPU_QUOTA_MAX: f64 = 1_000_000.0;
/// The largest service launch rate a scenario may set (tasks per minute); see `limits`.
const SERVICE_LAUNCH_PER_MINUTE_MAX: f64 = 1_000_000.0;

#[rustfmt::skip]
const PRICES: &[NumberField<PriceSpec, Prices>] = &[
    field("prices.fargate_vcpu_hour", d::FARGATE_VCPU_HOUR, 0.0, 1000.0, |s| s.fargate_vcpu_hour, Plain(|p, v| p.fargate_vcpu_hour = v)),
    field("prices.fargate_gb_hour", d::FARGATE_GB_HOUR, 0.0, 1000.0, |s| s.fargate_gb_hour, Plain(|p, v| p.fargate_gb_hour = v)),
    field("prices.fargate_arm_vcpu_hour", d::FARGATE_ARM_VCPU_HOUR, 0.0, 1000.0, |s| s.fargate_arm_vcpu_hour, Plain(|p, v| p.fargate_arm_vcpu_hour = v)),
    field("prices.fargate_arm_gb_hour", d::FARGATE_ARM_GB_HOUR, 0.0, 1000.0, |s| s.fargate_arm_gb_hour, Plain(|p, v| p.fargate_arm_gb_hour = v)),
    field("prices.fargate_spot_discount_percent", d::FARGATE_SPOT_DISCOUNT_PERCENT, 0.0, 100.0, |s| s.fargate_spot_discount_percent, Plain(|p, v| p.fargate_spot_discount_percent = v)),
    field("prices.public_ipv4_hour", d::PUBLIC_IPV4_HOUR, 0.0, 1000.0, |s| s.public_ipv4_hour, Plain(|p, v| p.public_ipv4_hour = v)),
    field("prices.ec2_spot_discount_percent", d::EC2_SPOT_DISCOUNT_PERCENT, 0.0, 100.0, |s| s.ec2_spot_discount_percent, Plain(|p, v| p.ec2_spot_discount_percent = v)),
    field("prices.ecs_anywhere_instance_hour", d::ECS_ANYWHERE_INSTANCE_HOUR, 0.0, 1000.0, |s| s.ecs_anywhere_instance_hour, Plain(|p, v| p.ecs_anywhere_instance_hour = v)),
    field("prices.alb_hour", d::ALB_HOUR, 0.0, 1000.0, |s| s.alb_hour, Plain(|p, v| p.alb_hour = v)),
    field("prices.alb_lcu_hour", d::ALB_LCU_HOUR, 0.0, 1000.0, |s| s.alb_lcu_hour, Plain(|p, v| p.alb_lcu_hour = v)),
];

/// Fargate Spot's rates; the capacity rate is checked by [`Validator::spot_capacity`], as timed events set it too.
#[rustfmt::skip]
const SPOT: &[NumberField<FargateSpotSpec, SpotSettings>] = &[
    field("fargate_spot.interruptions_per_task_hour", d::FARGATE_SPOT_INTERRUPTIONS_PER_TASK_HOUR, 0.0, 3600.0, |s| Some(s.interruptions_per_task_hour), Plain(|s, v| s.interruptions_per_task_hour = v)),
];

/// The bounds of a Spot capacity rate, in tasks per second.
const SPOT_CAPACITY_MAX_PER_S: f64 = 100_000.0;

/// The default of the setting at `path` (`latencies.fargate_capacity.mean_s`), from the tables above; `None` for a
/// path no row has. The fit (`crate::fit`) reads the value a scenario runs with when it leaves a setting unset.
pub(crate) fn setting_default(path: &str) -> Option<f64> {
    settings_under(path).into_iter().find(|(p, _)| *p == path).map(|(_, v)| v)
}

/// Every row whose path is `prefix` or starts with `prefix.`, with its default, in table order: what an unset
/// latency step or bucket holds (a set one must give all its numbers, or a missing `spread` reads 0).
pub(crate) fn settings_under(prefix: &str) -> Vec<(&'static str, f64)> {
    fn rows<S, T>(table: &[NumberField<S, T>], prefix: &str, out: &mut Vec<(&'static str, f64)>) {
        for f in table {
            let under = f.path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'));
            if under {
                out.push((f.path, f.default));
            }
        }
    }
    let mut out = Vec::new();
    rows(LATENCIES, prefix, &mut out);
    rows(BUCKETS, prefix, &mut out);
    rows(QUOTAS, prefix, &mut out);
    rows(PRICES, prefix, &mut out);
    rows(SPOT, prefix, &mut out);
    out
}

/// The Fargate Spot capacity rate (tasks per second) an availability level stands for; `None` for "plenty"
/// (capacity does not limit launches).
pub(crate) fn spot_capacity_per_s(availability: SpotAvailability) -> Option<f64> {
    match availability {
        SpotAvailability::Plenty => None,
        SpotAvailability::Benchmark2022 => Some(d::SPOT_CAPACITY_BENCHMARK_2022_PER_S),
        SpotAvailability::Tight => Some(d::SPOT_CAPACITY_TIGHT_PER_S),
        SpotAvailability::None => Some(0.0),
    }
}

impl Validator {
    /// Checks every number of a table against its bounds and stores it in `out`.
    fn numbers<S, T>(&mut self, table: &[NumberField<S, T>], spec: &S, out: &mut T) {
        for f in table {
            let value = (f.get)(spec).unwrap_or(f.default);
            match f.unit {
                Seconds(store) => {
                    let ms = self.seconds(f.path, value, f.min, f.max);
                    store(out, ms);
                }
                Plain(store) => {
                    let value = self.number(f.path, value, f.min, f.max);
                    store(out, value);
                }
            }
        }
    }

    pub(super) fn limits(&mut self, spec: &LimitsSpec) -> Limits {
        let (ec2_rate, cb_min, provisioning_limit) = match spec.profile {
            LimitsProfile::Y2022 => {
                (d::SERVICE_LAUNCH_PER_MIN_EC2_2022, d::CIRCUIT_BREAKER_MIN_2022, d::PROVISIONING_LIMIT_2022)
            }
            LimitsProfile::Current => {
                (d::SERVICE_LAUNCH_PER_MIN_EC2_CURRENT, d::CIRCUIT_BREAKER_MIN_CURRENT, d::PROVISIONING_LIMIT_CURRENT)
            }
        };
        // The per-service bucket holds one scheduler cycle's worth of these (a u32 of tasks): bounded so that no
        // rate can overflow it, far above any quota ECS lists (500 a minute).
        let mut per_minute = |path: &str, value: u32| {
            narrow::trunc_u32(self.number(path, f64::from(value), 1.0, SERVICE_LAUNCH_PER_MINUTE_MAX))
        };
        let service_fargate = per_minute(
            "limits.service_launch_per_minute_fargate",
            spec.service_launch_per_minute_fargate.unwrap_or(d::SERVICE_LAUNCH_PER_MIN_FARGATE),
        );
        let service_ec2 =
            per_minute("limits.service_launch_per_minute_ec2", spec.service_launch_per_minute_ec2.unwrap_or(ec2_rate));
        let unset = BucketParams { burst: 0, per_minute: 0 };
        let mut limits = Limits {
            profile: spec.profile,
            fargate_on_demand: unset,
            fargate_spot: unset,
            run_task_api: unset,
            fargate_run_task_calls: unset,
            service_per_minute_fargate: service_fargate.max(1),
            service_per_minute_ec2: service_ec2.max(1),
            // ECS's threshold has a floor (10; 3 in the 2022 profile) and a cap of 200 (docs/model.md §3); a scenario
            // may set any floor from 1, bounded so the threshold arithmetic stays small.
            circuit_breaker_min: narrow::trunc_u32(self.number(
                "limits.circuit_breaker_min_threshold",
                f64::from(spec.circuit_breaker_min_threshold.unwrap_or(cb_min)),
                1.0,
                1_000_000.0,
            )),
            provisioning_limit,
            fargate_on_demand_vcpu_quota: None,
            fargate_spot_vcpu_quota: None,
            instances_per_cluster: 0,
            tasks_per_service: 0,
        };
        self.numbers(BUCKETS, spec, &mut limits);
        self.numbers(QUOTAS, spec, &mut limits);
        let mut vcpu_quota = |path: &str, quota: Option<u32>| {
            quota.map(|vcpus| narrow::trunc_u32(self.number(path, f64::from(vcpus), 0.0, VCPU_QUOTA_MAX)) * 1024)
        };
        limits.fargate_on_demand_vcpu_quota =
            vcpu_quota("limits.fargate_on_demand_vcpu_quota", spec.fargate_on_demand_vcpu_quota);
        limits.fargate_spot_vcpu_quota = vcpu_quota("limits.fargate_spot_vcpu_quota", spec.fargate_spot_vcpu_quota);
        limits
    }

    pub(super) fn latencies(&mut self, spec: &LatencySpec) -> Latencies {
        // Every field is set from the table below; these zeros are never read.
        let unset = Step { mean_ms: 0.0, spread: 0.0 };
        let mut latencies = Latencies {
            cycle_ms: 0,
            fargate_capacity: unset,
            eni_attach: unset,
            public_ip: unset,
            image_pull_base: unset,
            image_pull_mb_per_s: 0.0,
            lazy_loading_pull_factor: 0.0,
            container_start: unset,
            lb_registration: unset,
            app_shutdown: unset,
            deprovision: unset,
            backoff_initial_ms: 0,
            backoff_factor: 0.0,
            backoff_max_ms: 0,
            instance_boot: unset,
            agent_registration: unset,
            agent_handoff: unset,
            ec2_image_pull_mb_per_s: 0.0,
        };
        self.numbers(LATENCIES, spec, &mut latencies);
        latencies
    }

    pub(super) fn prices(&mut self, spec: &PriceSpec) -> Prices {
        // Every field is set from the table below; these zeros are never read.
        let mut prices = Prices {
            fargate_vcpu_hour: 0.0,
            fargate_gb_hour: 0.0,
            fargate_arm_vcpu_hour: 0.0,
            fargate_arm_gb_hour: 0.0,
            fargate_spot_discount_percent: 0.0,
            public_ipv4_hour: 0.0,
            ec2_spot_discount_percent: 0.0,
            ecs_anywhere_instance_hour: 0.0,
            alb_hour: 0.0,
            alb_lcu_hour: 0.0,
        };
        self.numbers(PRICES, spec, &mut prices);
        prices
    }

    pub(super) fn spot(&mut self, spec: &FargateSpotSpec) -> SpotSettings {
        let capacity_per_minute =
            self.spot_capacity("fargate_spot.capacity_per_s", spec.availability, spec.capacity_per_s);
        let mut spot = SpotSettings { capacity_per_minute, interruptions_per_task_hour: 0.0 };
        self.numbers(SPOT, spec, &mut spot);
        spot
    }

    /// A Spot capacity rate in whole grants per minute: the number given, or the availability level's; `None` when
    /// capacity does not limit launches ("plenty").
    pub(super) fn spot_capacity(
        &mut self,
        field: &str,
        availability: SpotAvailability,
        per_s: Option<f64>,
    ) -> Option<u32> {
        let per_s = match per_s {
            Some(v) => self.number(field, v, 0.0, SPOT_CAPACITY_MAX_PER_S),
            None => spot_capacity_per_s(availability)?,
        };
        Some(per_second_to_per_minute(per_s))
    }
}

/// Tokens per second to whole tokens per minute (the bucket's exact unit).
pub(super) fn per_second_to_per_minute(per_s: f64) -> u32 {
    narrow::round_u32(per_s * 60.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::BucketSpec;

    #[test]
    fn rates_convert_exactly() {
        assert_eq!(per_second_to_per_minute(20.0), 1200);
        assert_eq!(per_second_to_per_minute(3.8), 228);
    }

    /// Every row's default is inside its bounds, and every path is written once.
    #[test]
    fn defaults_are_within_their_bounds() {
        fn check<S, T>(table: &[NumberField<S, T>], paths: &mut Vec<&'static str>) {
            for f in table {
                assert!(f.min <= f.default && f.default <= f.max, "{}: default {} outside bounds", f.path, f.default);
                assert!(!paths.contains(&f.path), "{} appears twice", f.path);
                paths.push(f.path);
            }
        }
        let mut paths = Vec::new();
        check(LATENCIES, &mut paths);
        check(BUCKETS, &mut paths);
        check(PRICES, &mut paths);
        check(SPOT, &mut paths);
    }

    /// Each row reads and writes its own field: setting every number to a distinct value shows up in its path's
    /// place, and an unset spec validates to the defaults of `crate::defaults`.
    #[test]
    fn rows_read_and_write_their_own_fields() {
        let mut v = Validator::default();
        let latencies = v.latencies(&LatencySpec::default());
        let prices = v.prices(&PriceSpec::default());
        let limits = v.limits(&LimitsSpec::default());
        assert!(v.errors.is_empty());
        assert_eq!(latencies.cycle_ms, 5_000);
        assert_eq!(latencies.fargate_capacity, Step { mean_ms: 33_000.0, spread: 0.3 });
        assert_eq!(latencies.agent_handoff, Step { mean_ms: 15_000.0, spread: 0.25 });
        assert_eq!((latencies.backoff_initial_ms, latencies.backoff_max_ms), (10_000, 900_000));
        assert_eq!(latencies.ec2_image_pull_mb_per_s, d::EC2_IMAGE_PULL_MB_PER_S);
        assert_eq!(prices.ecs_anywhere_instance_hour, d::ECS_ANYWHERE_INSTANCE_HOUR);
        assert_eq!(prices.fargate_spot_discount_percent, d::FARGATE_SPOT_DISCOUNT_PERCENT);
        assert_eq!(limits.run_task_api, BucketParams { burst: 100, per_minute: 2400 });
        assert_eq!(limits.fargate_run_task_calls, BucketParams { burst: 20, per_minute: 1200 });

        // Out of bounds everywhere: each path is reported with its own bounds, in table order.
        let step = Some(LatencyStep { mean_s: -1.0, spread: -1.0 });
        let bucket = Some(BucketSpec { burst: 0, refill_per_s: -1.0 });
        let mut v = Validator::default();
        v.latencies(&LatencySpec {
            scheduler_cycle_s: Some(-1.0),
            fargate_capacity: step,
            eni_attach: step,
            public_ip: step,
            image_pull_base: step,
            image_pull_mb_per_s: Some(-1.0),
            lazy_loading_pull_factor: Some(-1.0),
            container_start: step,
            lb_registration: step,
            app_shutdown: step,
            deprovision: step,
            backoff_initial_s: Some(-1.0),
            backoff_factor: Some(-1.0),
            backoff_max_s: Some(-1.0),
            instance_boot: step,
            agent_registration: step,
            agent_handoff: step,
            ec2_image_pull_mb_per_s: Some(-1.0),
        });
        v.limits(&LimitsSpec {
            fargate_on_demand_launch: bucket,
            fargate_spot_launch: bucket,
            run_task_api: bucket,
            fargate_run_task_calls: bucket,
            ..LimitsSpec::default()
        });
        let reported: Vec<&str> = v.errors.iter().map(|e| e.field.as_str()).collect();
        let expected: Vec<&str> = LATENCIES.iter().map(|f| f.path).chain(BUCKETS.iter().map(|f| f.path)).collect();
        assert_eq!(reported, expected);
        assert_eq!(v.errors[0].message, "must be between 1 and 300 seconds, got -1");
        assert_eq!(v.errors[1].message, "must be between 0 and 3600, got -1");
        let burst = v.errors.iter().find(|e| e.field == "limits.run_task_api.burst").unwrap();
        assert_eq!(burst.message, "must be between 1 and 1000000, got 0");
    }
}
