//! The timed events of a scenario: scale, deploy, Spot interruption waves, Spot availability changes, pool
//! capacity and Fargate task retirement notices.

use crate::defaults as d;
use crate::spec::{Purchase, ScenarioSpec, TimedEventSpec};
use crate::time::SimTime;

use super::super::{AsgProvider, Service, TaskDef, TimedAction, TimedEvent};
use super::Validator;

/// What the events are checked against: the file and the parts already validated.
pub(super) struct Context<'a> {
    pub spec: &'a ScenarioSpec,
    pub task_defs: &'a [TaskDef],
    pub services: &'a [Service],
    pub providers: &'a [AsgProvider],
    pub horizon: SimTime,
}

impl Validator {
    /// The events sorted by time; events at the same time keep their order in the file.
    pub(super) fn events(&mut self, cx: &Context) -> Vec<TimedEvent> {
        let mut events: Vec<TimedEvent> = cx
            .spec
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let field = format!("events[{i}]");
                let at = SimTime(self.seconds(&format!("{field}.at_s"), e.at_s(), 0.0, cx.horizon.as_secs_f64()));
                TimedEvent { at, action: self.action(&field, e, cx) }
            })
            .collect();
        crate::sort::sort_by_key(&mut events, |e| e.at);
        events
    }

    fn action(&mut self, prefix: &str, event: &TimedEventSpec, cx: &Context) -> TimedAction {
        let field = |name: &str| format!("{prefix}.{name}");
        match event {
            TimedEventSpec::Scale { service, desired_count, .. } => {
                let desired = self.desired_count(field("desired_count"), *desired_count, cx.spec);
                TimedAction::Scale { service: self.find_service(&field("service"), service, cx.spec), desired }
            }
            TimedEventSpec::Deploy { service, task_definition, .. } => {
                let service = self.find_service(&field("service"), service, cx.spec);
                let task_def = match task_definition {
                    Some(name) => {
                        if let Some(svc) = cx.services.get(service) {
                            self.check_named_task_def(
                                &field("task_definition"),
                                name,
                                &cx.spec.task_definitions,
                                &svc.strategy,
                                cx.providers,
                            );
                        }
                        self.find_task_def(&field("task_definition"), name, cx.task_defs).unwrap_or(0)
                    }
                    // A forced new deployment of the service's own task definition.
                    None => cx
                        .spec
                        .services
                        .get(service)
                        .and_then(|s| cx.task_defs.iter().position(|td| td.name == s.task_definition))
                        .unwrap_or(0),
                };
                TimedAction::Deploy { service, task_def }
            }
            TimedEventSpec::FargateSpotInterruption { fraction, count, .. } => {
                match (fraction, count) {
                    (Some(_), Some(_)) | (None, None) => {
                        self.err(field("fraction"), "give either fraction (0 to 1) or count, exactly one of them")
                    }
                    (Some(f), None) if !(*f > 0.0 && *f <= 1.0) => {
                        self.err(field("fraction"), format!("must be above 0 and at most 1, got {f}"))
                    }
                    _ => {}
                }
                TimedAction::SpotInterruption { fraction: *fraction, count: *count }
            }
            TimedEventSpec::Ec2SpotInterruption { provider, instance_type, zone, fraction, .. } => {
                self.ec2_spot_wave(prefix, provider, instance_type.as_deref(), zone.as_deref(), *fraction, cx.providers)
            }
            TimedEventSpec::PoolCapacity { provider, instance_type, zone, available, .. } => {
                let index = cx.providers.iter().position(|p| &p.name == provider && !p.external);
                let pool = match index {
                    Some(i) => {
                        self.pool(prefix, instance_type, zone, &cx.providers[i].instance_types, &cx.providers[i].zones)
                    }
                    None => {
                        self.err(field("provider"), format!("no capacity provider named `{provider}`"));
                        None
                    }
                };
                let (instance_type, zone) = pool.unwrap_or((0, 0));
                TimedAction::PoolCapacity { provider: index.unwrap_or(0), instance_type, zone, available: *available }
            }
            TimedEventSpec::FargateTaskRetirement { at_s, wait_period_days, tasks_launched_before_s } => {
                self.task_retirement(prefix, *at_s, *wait_period_days, *tasks_launched_before_s)
            }
            TimedEventSpec::FargateSpotAvailability { availability, capacity_per_s, .. } => {
                TimedAction::SpotAvailability {
                    capacity_per_minute: self.spot_capacity(&field("capacity_per_s"), *availability, *capacity_per_s),
                }
            }
            TimedEventSpec::Ec2InstanceInterruption { instance, .. } => {
                let parsed = instance_number(instance);
                if parsed.is_none() {
                    self.err(
                        field("instance"),
                        format!(
                            "`{instance}` is not an instance id as the cluster view shows it (`i-` and 8 hex digits)"
                        ),
                    );
                }
                TimedAction::InstanceInterruption { instance: parsed.unwrap_or(0) }
            }
            TimedEventSpec::AccountTokensSpent { bucket, tokens, .. } => {
                if *tokens == Some(0) {
                    self.err(field("tokens"), "must be at least 1 (leave it out to spend all the bucket holds)");
                }
                TimedAction::TokensSpent { bucket: *bucket, tokens: *tokens }
            }
        }
    }

    /// A Fargate task retirement notice: the wait is one of the values the account setting takes, and the tasks
    /// on the retired revision were launched before the notice.
    fn task_retirement(
        &mut self,
        prefix: &str,
        at_s: f64,
        wait_period_days: Option<u32>,
        launched_before_s: Option<f64>,
    ) -> TimedAction {
        let field = |name: &str| format!("{prefix}.{name}");
        let wait_days = wait_period_days.unwrap_or(d::FARGATE_TASK_RETIREMENT_WAIT_DAYS);
        if !d::FARGATE_TASK_RETIREMENT_WAIT_CHOICES.contains(&wait_days) {
            self.err(
                field("wait_period_days"),
                format!("fargateTaskRetirementWaitPeriod is 0, 7 or 14 days, got {wait_days}"),
            );
        }
        let notice_s = if at_s.is_finite() { at_s.max(0.0) } else { 0.0 };
        let launched_before = match launched_before_s {
            Some(s) => SimTime(self.seconds(&field("tasks_launched_before_s"), s, 0.0, notice_s)),
            None => SimTime::from_secs_f64(notice_s),
        };
        // Whole days in milliseconds: at most 14 x 86,400,000, far inside u64.
        let wait_ms = u64::from(wait_days.min(14)) * 86_400_000;
        TimedAction::FargateTaskRetirement { wait_days, wait_ms, launched_before }
    }

    fn find_service(&mut self, field: &str, name: &str, spec: &ScenarioSpec) -> usize {
        match spec.services.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                self.err(field, format!("no service named `{name}`"));
                0
            }
        }
    }

    /// An interruption wave on one Spot pool of a group: the named instance type and zone must be the group's.
    fn ec2_spot_wave(
        &mut self,
        prefix: &str,
        provider: &str,
        instance_type: Option<&str>,
        zone: Option<&str>,
        fraction: f64,
        providers: &[AsgProvider],
    ) -> TimedAction {
        let field = |name: &str| format!("{prefix}.{name}");
        let index = providers.iter().position(|p| p.name == provider);
        let group = index.map(|i| &providers[i]);
        match group {
            None => self.err(field("provider"), format!("no capacity provider named `{provider}`")),
            Some(g) if g.purchase != Purchase::Spot => self.err(
                field("provider"),
                format!("`{provider}` is an On-Demand group; Spot interruptions hit Spot groups"),
            ),
            _ => {}
        }
        if !(fraction > 0.0 && fraction <= 1.0) {
            self.err(field("fraction"), format!("must be above 0 and at most 1, got {fraction}"));
        }
        let instance_type = instance_type.and_then(|name| {
            let found = group.and_then(|g| g.instance_types.iter().find(|t| t.name == name)).map(|t| t.name);
            if found.is_none() {
                self.err(field("instance_type"), format!("`{name}` is not one of the provider's instance types"));
            }
            found
        });
        let zone = zone.and_then(|name| {
            let found = group.and_then(|g| g.zones.iter().position(|z| z == name)).map(crate::narrow::u16_of);
            if found.is_none() {
                self.err(field("zone"), format!("`{name}` is not one of the provider's Availability Zones"));
            }
            found
        });
        TimedAction::Ec2SpotWave { provider: index.unwrap_or(0), instance_type, zone, fraction }
    }
}

/// The launch number in an instance id as the engine writes it (`i-{:08x}`, `Instance::ec2_id`): `i-0000000c` is
/// 12. Exactly eight hex digits, so one id has one spelling.
fn instance_number(id: &str) -> Option<u32> {
    let hex = id.strip_prefix("i-")?;
    if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{problems, spec};
    use super::*;

    fn validate(events: &str) -> (Validator, Vec<TimedEvent>) {
        let spec = spec(&format!(
            r#""capacity_providers": [{{ "name": "od", "instance_types": ["m5.large"], "max_size": 2 }}],
               "events": {events}"#
        ));
        let mut v = Validator::default();
        let task_defs = v.task_defs(&spec.task_definitions, false);
        let providers = v.providers(&spec.capacity_providers);
        let services = v.services(&spec, &task_defs, &providers);
        let cx = Context {
            spec: &spec,
            task_defs: &task_defs,
            services: &services,
            providers: &providers,
            horizon: SimTime(60_000),
        };
        let events = v.events(&cx);
        (v, events)
    }

    #[test]
    fn events_are_sorted_by_time_and_keep_file_order_at_equal_times() {
        let (v, events) = validate(
            r#"[{ "type": "scale", "at_s": 20, "service": "web", "desired_count": 1 },
                { "type": "scale", "at_s": 10, "service": "web", "desired_count": 2 },
                { "type": "deploy", "at_s": 10, "service": "web" }]"#,
        );
        assert!(v.errors.is_empty());
        let actions: Vec<&TimedAction> = events.iter().map(|e| &e.action).collect();
        assert_eq!(
            actions,
            [
                &TimedAction::Scale { service: 0, desired: 2 },
                &TimedAction::Deploy { service: 0, task_def: 0 },
                &TimedAction::Scale { service: 0, desired: 1 },
            ]
        );
    }

    #[test]
    fn a_pool_capacity_event_names_one_of_the_groups_pools() {
        let (v, events) = validate(
            r#"[{ "type": "pool_capacity", "at_s": 5, "provider": "od", "instance_type": "m5.large",
                  "zone": "us-east-1b", "available": false },
                { "type": "pool_capacity", "at_s": 6, "provider": "od", "instance_type": "c5.large",
                  "zone": "mars-1a", "available": true },
                { "type": "pool_capacity", "at_s": 7, "provider": "nope", "instance_type": "m5.large",
                  "zone": "us-east-1a", "available": true }]"#,
        );
        assert_eq!(
            events[0].action,
            TimedAction::PoolCapacity { provider: 0, instance_type: 0, zone: 1, available: false }
        );
        assert_eq!(
            problems(&v),
            [
                "events[1].instance_type: `c5.large` is not one of the group's instance types (m5.large)",
                "events[1].zone: `mars-1a` is not one of the group's Availability Zones (us-east-1a, us-east-1b, \
                 us-east-1c)",
                "events[2].provider: no capacity provider named `nope`",
            ]
        );
    }

    #[test]
    fn a_spot_wave_must_target_a_spot_group_and_its_own_pools() {
        let (v, _) = validate(
            r#"[{ "type": "ec2_spot_interruption", "at_s": 90, "provider": "od", "instance_type": "c5.large",
                  "zone": "mars-1a", "fraction": 0 }]"#,
        );
        assert_eq!(
            problems(&v),
            [
                "events[0].at_s: must be between 0 and 60 seconds, got 90",
                "events[0].provider: `od` is an On-Demand group; Spot interruptions hit Spot groups",
                "events[0].fraction: must be above 0 and at most 1, got 0",
                "events[0].instance_type: `c5.large` is not one of the provider's instance types",
                "events[0].zone: `mars-1a` is not one of the provider's Availability Zones",
            ]
        );
    }

    #[test]
    fn an_instance_interruption_names_an_instance_as_the_view_shows_it() {
        assert_eq!(instance_number("i-0000000c"), Some(12));
        assert_eq!(instance_number("i-ffffffff"), Some(u32::MAX));
        for bad in ["i-c", "i-000000000c", "0000000c", "i-0000000g", "i-+000000c", ""] {
            assert_eq!(instance_number(bad), None, "{bad}");
        }
        let (v, events) = validate(
            r#"[{ "type": "ec2_instance_interruption", "at_s": 5, "instance": "i-0000001a" },
                { "type": "ec2_instance_interruption", "at_s": 6, "instance": "i-12" }]"#,
        );
        assert_eq!(events[0].action, TimedAction::InstanceInterruption { instance: 26 });
        assert_eq!(
            problems(&v),
            ["events[1].instance: `i-12` is not an instance id as the cluster view shows it (`i-` and 8 hex digits)"]
        );
    }

    #[test]
    fn tokens_spent_by_other_callers_name_an_account_bucket() {
        let (v, events) = validate(
            r#"[{ "type": "account_tokens_spent", "at_s": 5, "bucket": "fargate_on_demand_launch" },
                { "type": "account_tokens_spent", "at_s": 6, "bucket": "run_task_api", "tokens": 7 },
                { "type": "account_tokens_spent", "at_s": 7, "bucket": "fargate_spot_launch", "tokens": 0 }]"#,
        );
        use crate::spec::AccountBucket;
        assert_eq!(
            events[0].action,
            TimedAction::TokensSpent { bucket: AccountBucket::FargateOnDemandLaunch, tokens: None }
        );
        assert_eq!(events[1].action, TimedAction::TokensSpent { bucket: AccountBucket::RunTaskApi, tokens: Some(7) });
        assert_eq!(problems(&v), ["events[2].tokens: must be at least 1 (leave it out to spend all the bucket holds)"]);
    }

    #[test]
    fn a_task_retirement_takes_the_account_settings_values() {
        let (v, events) = validate(
            r#"[{ "type": "fargate_task_retirement", "at_s": 30 },
                { "type": "fargate_task_retirement", "at_s": 40, "wait_period_days": 3,
                  "tasks_launched_before_s": 50 }]"#,
        );
        assert_eq!(
            events[0].action,
            TimedAction::FargateTaskRetirement {
                wait_days: 7,
                wait_ms: 7 * 86_400_000,
                launched_before: SimTime(30_000)
            }
        );
        assert_eq!(
            problems(&v),
            [
                "events[1].wait_period_days: fargateTaskRetirementWaitPeriod is 0, 7 or 14 days, got 3",
                "events[1].tasks_launched_before_s: must be between 0 and 40 seconds, got 50",
            ]
        );
    }
}
