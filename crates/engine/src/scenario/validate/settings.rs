//! The settings part of a scenario: limits, latencies, prices and Fargate Spot capacity.

use crate::defaults as d;
use crate::spec::{BucketSpec, LatencySpec, LatencyStep, LimitsProfile, LimitsSpec, PriceSpec, SpotAvailability};

use super::super::{BucketParams, Latencies, Limits, Prices, Step};
use super::Validator;

impl Validator {
    fn step(&mut self, field: &str, value: Option<LatencyStep>, default: LatencyStep) -> Step {
        let step = value.unwrap_or(default);
        let mean_s = self.number(&format!("{field}.mean_s"), step.mean_s, 0.0, 3600.0);
        let spread = self.number(&format!("{field}.spread"), step.spread, 0.0, 3.0);
        Step { mean_ms: mean_s * 1000.0, spread }
    }

    fn bucket(&mut self, field: &str, value: Option<BucketSpec>, burst: u32, per_s: f64) -> BucketParams {
        let spec = value.unwrap_or(BucketSpec { burst, refill_per_s: per_s });
        if spec.burst == 0 || spec.burst > 1_000_000 {
            self.err(format!("{field}.burst"), format!("must be between 1 and 1000000, got {}", spec.burst));
        }
        let per_s = self.number(&format!("{field}.refill_per_s"), spec.refill_per_s, 0.0, 100_000.0);
        BucketParams { burst: spec.burst.max(1), per_minute: per_second_to_per_minute(per_s) }
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
        let service_fargate = spec.service_launch_per_minute_fargate.unwrap_or(d::SERVICE_LAUNCH_PER_MIN_FARGATE);
        if service_fargate == 0 {
            self.err("limits.service_launch_per_minute_fargate", "must be at least 1");
        }
        let service_ec2 = spec.service_launch_per_minute_ec2.unwrap_or(ec2_rate);
        if service_ec2 == 0 {
            self.err("limits.service_launch_per_minute_ec2", "must be at least 1");
        }
        Limits {
            profile: spec.profile,
            fargate_on_demand: self.bucket(
                "limits.fargate_on_demand_launch",
                spec.fargate_on_demand_launch,
                d::FARGATE_ON_DEMAND_BURST,
                d::FARGATE_ON_DEMAND_PER_S,
            ),
            fargate_spot: self.bucket(
                "limits.fargate_spot_launch",
                spec.fargate_spot_launch,
                d::FARGATE_SPOT_BURST,
                d::FARGATE_SPOT_PER_S,
            ),
            run_task_api: self.bucket(
                "limits.run_task_api",
                spec.run_task_api,
                d::RUN_TASK_API_BURST,
                d::RUN_TASK_API_PER_S,
            ),
            fargate_run_task_calls: self.bucket(
                "limits.fargate_run_task_calls",
                spec.fargate_run_task_calls,
                d::FARGATE_RUN_TASK_CALLS_BURST,
                d::FARGATE_RUN_TASK_CALLS_PER_S,
            ),
            service_per_minute_fargate: service_fargate.max(1),
            service_per_minute_ec2: service_ec2.max(1),
            circuit_breaker_min: spec.circuit_breaker_min_threshold.unwrap_or(cb_min),
            provisioning_limit,
        }
    }

    pub(super) fn latencies(&mut self, spec: &LatencySpec) -> Latencies {
        let field = |name: &str| format!("latencies.{name}");
        Latencies {
            cycle_ms: self
                .seconds(
                    &field("scheduler_cycle_s"),
                    spec.scheduler_cycle_s.unwrap_or(d::SCHEDULER_CYCLE_S),
                    1.0,
                    300.0,
                )
                .max(1),
            fargate_capacity: self.step(&field("fargate_capacity"), spec.fargate_capacity, d::FARGATE_CAPACITY),
            eni_attach: self.step(&field("eni_attach"), spec.eni_attach, d::ENI_ATTACH),
            public_ip: self.step(&field("public_ip"), spec.public_ip, d::PUBLIC_IP),
            image_pull_base: self.step(&field("image_pull_base"), spec.image_pull_base, d::IMAGE_PULL_BASE),
            image_pull_mb_per_s: self.number(
                &field("image_pull_mb_per_s"),
                spec.image_pull_mb_per_s.unwrap_or(d::IMAGE_PULL_MB_PER_S),
                0.01,
                100_000.0,
            ),
            lazy_loading_pull_factor: self.number(
                &field("lazy_loading_pull_factor"),
                spec.lazy_loading_pull_factor.unwrap_or(d::LAZY_LOADING_PULL_FACTOR),
                0.0,
                1.0,
            ),
            container_start: self.step(&field("container_start"), spec.container_start, d::CONTAINER_START),
            lb_registration: self.step(&field("lb_registration"), spec.lb_registration, d::LB_REGISTRATION),
            app_shutdown: self.step(&field("app_shutdown"), spec.app_shutdown, d::APP_SHUTDOWN),
            deprovision: self.step(&field("deprovision"), spec.deprovision, d::DEPROVISION),
            backoff_initial_ms: self.seconds(
                &field("backoff_initial_s"),
                spec.backoff_initial_s.unwrap_or(d::BACKOFF_INITIAL_S),
                0.0,
                3600.0,
            ),
            backoff_factor: self.number(
                &field("backoff_factor"),
                spec.backoff_factor.unwrap_or(d::BACKOFF_FACTOR),
                1.0,
                10.0,
            ),
            backoff_max_ms: self.seconds(
                &field("backoff_max_s"),
                spec.backoff_max_s.unwrap_or(d::BACKOFF_MAX_S),
                0.0,
                86_400.0,
            ),
            instance_boot: self.step(&field("instance_boot"), spec.instance_boot, d::INSTANCE_BOOT),
            agent_registration: self.step(&field("agent_registration"), spec.agent_registration, d::AGENT_REGISTRATION),
            agent_handoff: self.step(&field("agent_handoff"), spec.agent_handoff, d::AGENT_HANDOFF),
            ec2_image_pull_mb_per_s: self.number(
                &field("ec2_image_pull_mb_per_s"),
                spec.ec2_image_pull_mb_per_s.unwrap_or(d::EC2_IMAGE_PULL_MB_PER_S),
                0.01,
                100_000.0,
            ),
        }
    }

    pub(super) fn prices(&mut self, spec: &PriceSpec) -> Prices {
        let mut price = |name: &str, value: Option<f64>, default: f64| {
            self.number(&format!("prices.{name}"), value.unwrap_or(default), 0.0, 1000.0)
        };
        Prices {
            fargate_vcpu_hour: price("fargate_vcpu_hour", spec.fargate_vcpu_hour, d::FARGATE_VCPU_HOUR),
            fargate_gb_hour: price("fargate_gb_hour", spec.fargate_gb_hour, d::FARGATE_GB_HOUR),
            fargate_arm_vcpu_hour: price("fargate_arm_vcpu_hour", spec.fargate_arm_vcpu_hour, d::FARGATE_ARM_VCPU_HOUR),
            fargate_arm_gb_hour: price("fargate_arm_gb_hour", spec.fargate_arm_gb_hour, d::FARGATE_ARM_GB_HOUR),
            fargate_spot_discount_percent: self.number(
                "prices.fargate_spot_discount_percent",
                spec.fargate_spot_discount_percent.unwrap_or(d::FARGATE_SPOT_DISCOUNT_PERCENT),
                0.0,
                100.0,
            ),
            public_ipv4_hour: self.number(
                "prices.public_ipv4_hour",
                spec.public_ipv4_hour.unwrap_or(d::PUBLIC_IPV4_HOUR),
                0.0,
                1000.0,
            ),
            ec2_spot_discount_percent: self.number(
                "prices.ec2_spot_discount_percent",
                spec.ec2_spot_discount_percent.unwrap_or(d::EC2_SPOT_DISCOUNT_PERCENT),
                0.0,
                100.0,
            ),
            ecs_anywhere_instance_hour: self.number(
                "prices.ecs_anywhere_instance_hour",
                spec.ecs_anywhere_instance_hour.unwrap_or(d::ECS_ANYWHERE_INSTANCE_HOUR),
                0.0,
                1000.0,
            ),
        }
    }

    pub(super) fn spot_capacity(&mut self, field: &str, availability: SpotAvailability, per_s: Option<f64>) -> u32 {
        let per_s = match (per_s, availability) {
            (Some(v), _) => self.number(field, v, 0.0, 100_000.0),
            (None, SpotAvailability::Plenty) => d::SPOT_CAPACITY_PLENTY_PER_S,
            (None, SpotAvailability::Tight) => d::SPOT_CAPACITY_TIGHT_PER_S,
            (None, SpotAvailability::None) => 0.0,
        };
        per_second_to_per_minute(per_s)
    }
}

/// Tokens per second to whole tokens per minute (the bucket's exact unit).
fn per_second_to_per_minute(per_s: f64) -> u32 {
    (per_s * 60.0).round().clamp(0.0, u32::MAX as f64) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_convert_exactly() {
        assert_eq!(per_second_to_per_minute(20.0), 1200);
        assert_eq!(per_second_to_per_minute(3.8), 228);
    }
}
