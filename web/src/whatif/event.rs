//! What-ifs as scenario events: each one the stage offers becomes a timed event of the scenario's `events` at the
//! playback time (so a replay reaches the same point, continues with it, and a share link carries it), and is
//! undone by taking that event out again. Pure: JSON in, JSON out, no DOM.

use fleetplan_engine::spec::{AccountBucket, SpotAvailability, TimedEventSpec};
use serde_json::Value;

use crate::i18n::{mark, tr, tr_dyn, trf};

/// The account's token buckets, as the `account_tokens_spent` event names them, with how the page says them.
pub const BUCKETS: [(AccountBucket, &str); 4] = [
    (AccountBucket::FargateOnDemandLaunch, mark("Fargate On-Demand task launches")),
    (AccountBucket::FargateSpotLaunch, mark("Fargate Spot task launches")),
    (AccountBucket::RunTaskApi, mark("RunTask API calls")),
    (AccountBucket::FargateRunTaskCalls, mark("Fargate RunTask calls")),
];

/// A what-if the stage offers.
#[derive(Clone, Debug, PartialEq)]
pub enum WhatIf {
    /// EC2 sends this Spot instance its two-minute interruption notice.
    InterruptInstance { instance: String },
    /// A wave hits `fraction` of one Spot pool (an instance type in a zone) of a group.
    SpotWave { provider: String, instance_type: String, zone: String, fraction: f64 },
    /// Fargate Spot has no capacity from now on.
    DryUpFargateSpot,
    /// The service's desired count changes.
    Scale { service: String, desired: u32 },
    /// A new deployment of the service (a forced new deployment: the same task definition, new tasks).
    Deploy { service: String },
    /// Other callers in the account spend every token of one of its buckets.
    EmptyBucket { bucket: AccountBucket },
}

impl WhatIf {
    /// The scenario event for this what-if at `at_ms` (whole milliseconds, so it runs at exactly that time), marked
    /// as a what-if so that a link reopens with it in the list and Undo.
    pub fn spec(&self, at_ms: u64) -> TimedEventSpec {
        let at_s = at_ms as f64 / 1000.0;
        let what_if = true;
        match self.clone() {
            WhatIf::InterruptInstance { instance } => {
                TimedEventSpec::Ec2InstanceInterruption { at_s, instance, what_if }
            }
            WhatIf::SpotWave { provider, instance_type, zone, fraction } => TimedEventSpec::Ec2SpotInterruption {
                at_s,
                provider,
                instance_type: Some(instance_type),
                zone: Some(zone),
                fraction,
                what_if,
            },
            WhatIf::DryUpFargateSpot => TimedEventSpec::FargateSpotAvailability {
                at_s,
                availability: SpotAvailability::None,
                capacity_per_s: None,
                what_if,
            },
            WhatIf::Scale { service, desired } => {
                TimedEventSpec::Scale { at_s, service, desired_count: desired, what_if }
            }
            WhatIf::Deploy { service } => TimedEventSpec::Deploy { at_s, service, task_definition: None, what_if },
            WhatIf::EmptyBucket { bucket } => {
                TimedEventSpec::AccountTokensSpent { at_s, bucket, tokens: None, what_if }
            }
        }
    }

    /// The what-if a scenario event is, when it has the shape [`WhatIf::spec`] gives (a marked event edited into
    /// another shape, say a deployment to another task definition, is listed by its type instead).
    pub fn of_event(event: &TimedEventSpec) -> Option<WhatIf> {
        Some(match event.clone() {
            TimedEventSpec::Ec2InstanceInterruption { instance, .. } => WhatIf::InterruptInstance { instance },
            TimedEventSpec::Ec2SpotInterruption {
                provider,
                instance_type: Some(instance_type),
                zone: Some(zone),
                fraction,
                ..
            } => WhatIf::SpotWave { provider, instance_type, zone, fraction },
            TimedEventSpec::FargateSpotAvailability {
                availability: SpotAvailability::None,
                capacity_per_s: None,
                ..
            } => WhatIf::DryUpFargateSpot,
            TimedEventSpec::Scale { service, desired_count, .. } => WhatIf::Scale { service, desired: desired_count },
            TimedEventSpec::Deploy { service, task_definition: None, .. } => WhatIf::Deploy { service },
            TimedEventSpec::AccountTokensSpent { bucket, tokens: None, .. } => WhatIf::EmptyBucket { bucket },
            _ => return None,
        })
    }

    /// The event as the scenario JSON writes it.
    pub fn event(&self, at_ms: u64) -> Value {
        fleetplan_engine::spec::to_value(&self.spec(at_ms)).unwrap_or(Value::Null)
    }

    /// What the list of applied what-ifs says.
    pub fn label(&self) -> String {
        match self {
            WhatIf::InterruptInstance { instance } => {
                trf("Spot interruption notice for {instance}", &[("instance", instance)])
            }
            WhatIf::SpotWave { provider, instance_type, zone, fraction } => trf(
                "Spot wave: {percent}% of {provider}'s {instance_type} in {zone}",
                &[
                    ("percent", &format!("{:.0}", fraction * 100.0)),
                    ("provider", provider),
                    ("instance_type", instance_type),
                    ("zone", zone),
                ],
            ),
            WhatIf::DryUpFargateSpot => tr("Fargate Spot dried up (no capacity from here on)"),
            WhatIf::Scale { service, desired } => {
                trf("Scale {service} to {desired} tasks", &[("service", service), ("desired", desired)])
            }
            WhatIf::Deploy { service } => trf("New deployment of {service}", &[("service", service)]),
            WhatIf::EmptyBucket { bucket } => {
                let name = BUCKETS.iter().find(|(b, _)| b == bucket).map_or(mark("account"), |(_, name)| name);
                trf("Other callers spend the {name} bucket", &[("name", &tr_dyn(name))])
            }
        }
    }
}

/// Adds `event` to the scenario's events (making the list if the scenario has none). False if the scenario is not
/// an object or its `events` is not a list.
pub fn add(scenario: &mut Value, event: Value) -> bool {
    let Some(object) = scenario.as_object_mut() else { return false };
    match object.entry("events").or_insert_with(|| Value::Array(Vec::new())) {
        Value::Array(events) => {
            events.push(event);
            true
        }
        _ => false,
    }
}

/// A what-if in the scenario: an event marked `what_if`, its place in the scenario's `events` and its time.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub index: usize,
    pub at_ms: u64,
    pub event: TimedEventSpec,
}

impl Applied {
    /// What the list of applied what-ifs says (in the page's language when it is shown).
    pub fn label(&self) -> String {
        match WhatIf::of_event(&self.event) {
            Some(what_if) => what_if.label(),
            // The event's type as the file names it (`ec2_spot_interruption`).
            None => serde_json::to_value(&self.event)
                .ok()
                .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_default(),
        }
    }
}

/// The what-ifs of a scenario, oldest first: its events marked `what_if`, in the order of its `events` (each one
/// applied from the stage is added last). A link, a file or a reload brings them back with the scenario.
pub fn applied(events: &[TimedEventSpec]) -> Vec<Applied> {
    events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.what_if())
        // Validated: at most the horizon, so the milliseconds fit.
        .map(|(index, e)| Applied { index, at_ms: (e.at_s() * 1000.0).round() as u64, event: e.clone() })
        .collect()
}

/// Takes event `index` out of the scenario's events when it is a what-if (an empty list goes too, as the scenario
/// had none before). False if there is no such what-if.
pub fn remove(scenario: &mut Value, index: usize) -> bool {
    let Some(object) = scenario.as_object_mut() else { return false };
    let Some(Value::Array(events)) = object.get_mut("events") else { return false };
    if events.get(index).and_then(|e| e.get("what_if")) != Some(&Value::Bool(true)) {
        return false;
    }
    events.remove(index);
    if events.is_empty() {
        object.remove("events");
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use fleetplan_engine::Scenario;

    #[test]
    fn every_what_if_is_an_event_the_engine_accepts_at_the_playback_time() {
        let mut scenario = serde_json::to_value(
            &fleetplan_engine::presets::get("ec2-spot-draining").unwrap().scenario().unwrap().spec,
        )
        .unwrap();
        let spec: fleetplan_engine::spec::ScenarioSpec = serde_json::from_value(scenario.clone()).unwrap();
        let (service, group) = (spec.services[0].name.clone(), spec.capacity_providers[0].clone());
        let all = [
            WhatIf::InterruptInstance { instance: "i-00000003".into() },
            WhatIf::SpotWave {
                provider: group.name.clone(),
                instance_type: group.instance_types[0].clone(),
                zone: group.availability_zones[0].clone(),
                fraction: 0.5,
            },
            WhatIf::DryUpFargateSpot,
            WhatIf::Scale { service: service.clone(), desired: 7 },
            WhatIf::Deploy { service },
            WhatIf::EmptyBucket { bucket: AccountBucket::FargateSpotLaunch },
        ];
        for what_if in &all {
            assert!(add(&mut scenario, what_if.event(204_500)));
        }
        let parsed = Scenario::from_json(&scenario.to_string()).unwrap_or_else(|e| panic!("{e}"));
        let added = &parsed.spec.events[parsed.spec.events.len() - all.len()..];
        assert!(added.iter().all(|e| e.at_s() == 204.5));
        assert_eq!(parsed.events.iter().filter(|e| e.at.as_millis() == 204_500).count(), all.len());
    }

    #[test]
    fn the_event_is_at_the_playback_millisecond_and_marked() {
        let event = WhatIf::EmptyBucket { bucket: AccountBucket::RunTaskApi }.event(60_001);
        assert_eq!(
            event,
            serde_json::json!({ "type": "account_tokens_spent", "at_s": 60.001, "bucket": "run_task_api", "what_if": true })
        );
    }

    /// Every what-if reads back from its event (so a reopened link lists it); an event the stage does not make is
    /// none, and only marked events are listed, in the order of the scenario's events.
    #[test]
    fn what_ifs_read_back_from_their_marked_events() {
        let all = [
            WhatIf::InterruptInstance { instance: "i-00000003".into() },
            WhatIf::SpotWave {
                provider: "p".into(),
                instance_type: "m5.large".into(),
                zone: "z".into(),
                fraction: 0.25,
            },
            WhatIf::DryUpFargateSpot,
            WhatIf::Scale { service: "web".into(), desired: 7 },
            WhatIf::Deploy { service: "web".into() },
            WhatIf::EmptyBucket { bucket: AccountBucket::FargateSpotLaunch },
        ];
        for what_if in &all {
            assert_eq!(WhatIf::of_event(&what_if.spec(1_500)).as_ref(), Some(what_if));
        }
        let unmarked = TimedEventSpec::Scale { at_s: 2.0, service: "web".into(), desired_count: 3, what_if: false };
        let other = TimedEventSpec::Deploy {
            at_s: 3.0,
            service: "web".into(),
            task_definition: Some("v2".into()),
            what_if: true,
        };
        assert_eq!(WhatIf::of_event(&other), None);
        let events = [unmarked, all[3].spec(60_000), other.clone(), all[0].spec(1)];
        let listed = applied(&events);
        let at: Vec<(usize, u64)> = listed.iter().map(|a| (a.index, a.at_ms)).collect();
        assert_eq!(at, [(1, 60_000), (2, 3_000), (3, 1)]);
        assert_eq!(listed[0].label(), "Scale web to 7 tasks");
        assert_eq!(listed[1].label(), "deploy");
    }

    #[test]
    fn removing_takes_out_a_marked_event_and_an_emptied_list() {
        use serde_json::json;
        let mut scenario = json!({ "name": "x" });
        let event = WhatIf::Deploy { service: "web".into() }.event(1_000);
        assert!(add(&mut scenario, json!({ "type": "scale", "at_s": 1, "service": "web", "desired_count": 2 })));
        assert!(add(&mut scenario, event.clone()));
        assert!(add(&mut scenario, event.clone()));
        assert_eq!(scenario["events"].as_array().unwrap().len(), 3);
        // The unmarked event is not a what-if: it stays.
        assert!(!remove(&mut scenario, 0));
        assert!(!remove(&mut scenario, 3));
        assert!(remove(&mut scenario, 2));
        assert!(remove(&mut scenario, 1));
        assert_eq!(scenario["events"].as_array().unwrap().len(), 1);
        let mut marked_only = json!({ "name": "x", "events": [event.clone()] });
        assert!(remove(&mut marked_only, 0));
        assert_eq!(marked_only, json!({ "name": "x" }));
        assert!(!add(&mut json!([]), event));
    }

    #[test]
    fn labels_say_what_happens() {
        assert_eq!(
            WhatIf::EmptyBucket { bucket: AccountBucket::RunTaskApi }.label(),
            "Other callers spend the RunTask API calls bucket"
        );
        assert_eq!(
            WhatIf::SpotWave {
                provider: "spot".into(),
                instance_type: "m5.large".into(),
                zone: "us-east-1a".into(),
                fraction: 0.5
            }
            .label(),
            "Spot wave: 50% of spot's m5.large in us-east-1a"
        );
    }
}
