//! The timed events of a scenario: scale, deploy, Spot interruption waves and Spot availability changes.

use crate::spec::{Purchase, ScenarioSpec, TimedEventSpec};
use crate::time::SimTime;

use super::super::{AsgProvider, Service, TaskDef, TimedAction, TimedEvent};
use super::{Validator, MAX_TASKS};

impl Validator {
    fn find_service(&mut self, field: &str, name: &str, spec: &ScenarioSpec) -> usize {
        match spec.services.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                self.err(field, format!("no service named `{name}`"));
                0
            }
        }
    }

    pub(super) fn events(
        &mut self,
        spec: &ScenarioSpec,
        task_defs: &[TaskDef],
        services: &[Service],
        providers: &[AsgProvider],
        horizon: SimTime,
    ) -> Vec<TimedEvent> {
        let mut events: Vec<TimedEvent> = spec
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let field = |name: &str| format!("events[{i}].{name}");
                let at = SimTime(self.seconds(&field("at_s"), e.at_s(), 0.0, horizon.as_secs_f64()));
                let action = match e {
                    TimedEventSpec::Scale { service, desired_count, .. } => {
                        if *desired_count > MAX_TASKS {
                            self.err(field("desired_count"), format!("at most {MAX_TASKS}, got {desired_count}"));
                        }
                        TimedAction::Scale {
                            service: self.find_service(&field("service"), service, spec),
                            desired: (*desired_count).min(MAX_TASKS),
                        }
                    }
                    TimedEventSpec::Deploy { service, task_definition, .. } => {
                        let service = self.find_service(&field("service"), service, spec);
                        let task_def = match task_definition {
                            Some(name) => {
                                let td = spec.task_definitions.iter().find(|td| &td.name == name);
                                if let (Some(td), Some(svc)) = (td, services.get(service)) {
                                    self.check_task_def_for(&field("task_definition"), td, &svc.strategy, providers);
                                }
                                self.find_task_def(&field("task_definition"), name, task_defs).unwrap_or(0)
                            }
                            None => spec
                                .services
                                .get(service)
                                .and_then(|s| task_defs.iter().position(|td| td.name == s.task_definition))
                                .unwrap_or(0),
                        };
                        TimedAction::Deploy { service, task_def }
                    }
                    TimedEventSpec::FargateSpotInterruption { fraction, count, .. } => {
                        match (fraction, count) {
                            (Some(_), Some(_)) | (None, None) => self
                                .err(field("fraction"), "give either fraction (0 to 1) or count, exactly one of them"),
                            (Some(f), None) if !(*f > 0.0 && *f <= 1.0) => {
                                self.err(field("fraction"), format!("must be above 0 and at most 1, got {f}"))
                            }
                            _ => {}
                        }
                        TimedAction::SpotInterruption { fraction: *fraction, count: *count }
                    }
                    TimedEventSpec::Ec2SpotInterruption { provider, instance_type, zone, fraction, .. } => {
                        let index = providers.iter().position(|p| &p.name == provider);
                        let group = index.map(|i| &providers[i]);
                        match group {
                            None => self.err(field("provider"), format!("no capacity provider named `{provider}`")),
                            Some(g) if g.purchase != Purchase::Spot => self.err(
                                field("provider"),
                                format!("`{provider}` is an On-Demand group; Spot interruptions hit Spot groups"),
                            ),
                            _ => {}
                        }
                        if !(*fraction > 0.0 && *fraction <= 1.0) {
                            self.err(field("fraction"), format!("must be above 0 and at most 1, got {fraction}"));
                        }
                        let instance_type = instance_type.as_ref().and_then(|name| {
                            let found =
                                group.and_then(|g| g.instance_types.iter().find(|t| t.name == name)).map(|t| t.name);
                            if found.is_none() {
                                self.err(
                                    field("instance_type"),
                                    format!("`{name}` is not one of the provider's instance types"),
                                );
                            }
                            found
                        });
                        let zone = zone.as_ref().and_then(|name| {
                            let found = group.and_then(|g| g.zones.iter().position(|z| z == name)).map(|z| z as u16);
                            if found.is_none() {
                                self.err(
                                    field("zone"),
                                    format!("`{name}` is not one of the provider's Availability Zones"),
                                );
                            }
                            found
                        });
                        TimedAction::Ec2SpotWave {
                            provider: index.unwrap_or(0),
                            instance_type,
                            zone,
                            fraction: *fraction,
                        }
                    }
                    TimedEventSpec::FargateSpotAvailability { availability, capacity_per_s, .. } => {
                        TimedAction::SpotAvailability {
                            capacity_per_minute: self.spot_capacity(
                                &field("capacity_per_s"),
                                *availability,
                                *capacity_per_s,
                            ),
                        }
                    }
                };
                TimedEvent { at, action }
            })
            .collect();
        events.sort_by_key(|e| e.at);
        events
    }
}
