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
    /// The scenario event for this what-if at `at_ms` (whole milliseconds, so it runs at exactly that time).
    pub fn spec(&self, at_ms: u64) -> TimedEventSpec {
        let at_s = at_ms as f64 / 1000.0;
        match self.clone() {
            WhatIf::InterruptInstance { instance } => TimedEventSpec::Ec2InstanceInterruption { at_s, instance },
            WhatIf::SpotWave { provider, instance_type, zone, fraction } => TimedEventSpec::Ec2SpotInterruption {
                at_s,
                provider,
                instance_type: Some(instance_type),
                zone: Some(zone),
                fraction,
            },
            WhatIf::DryUpFargateSpot => TimedEventSpec::FargateSpotAvailability {
                at_s,
                availability: SpotAvailability::None,
                capacity_per_s: None,
            },
            WhatIf::Scale { service, desired } => TimedEventSpec::Scale { at_s, service, desired_count: desired },
            WhatIf::Deploy { service } => TimedEventSpec::Deploy { at_s, service, task_definition: None },
            WhatIf::EmptyBucket { bucket } => TimedEventSpec::AccountTokensSpent { at_s, bucket, tokens: None },
        }
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

/// Takes the last event equal to `event` out of the scenario's events (an empty list goes too, as the scenario
/// had none before). False if there is none.
pub fn remove(scenario: &mut Value, event: &Value) -> bool {
    let Some(object) = scenario.as_object_mut() else { return false };
    let Some(Value::Array(events)) = object.get_mut("events") else { return false };
    let Some(at) = events.iter().rposition(|e| e == event) else { return false };
    events.remove(at);
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
    fn the_event_is_at_the_playback_millisecond() {
        let event = WhatIf::EmptyBucket { bucket: AccountBucket::RunTaskApi }.event(60_001);
        assert_eq!(
            event,
            serde_json::json!({ "type": "account_tokens_spent", "at_s": 60.001, "bucket": "run_task_api" })
        );
    }

    #[test]
    fn removing_takes_out_the_last_equal_event_and_an_emptied_list() {
        use serde_json::json;
        let mut scenario = json!({ "name": "x" });
        let event = WhatIf::Deploy { service: "web".into() }.event(1_000);
        assert!(add(&mut scenario, event.clone()));
        assert!(add(&mut scenario, event.clone()));
        assert_eq!(scenario["events"].as_array().unwrap().len(), 2);
        assert!(remove(&mut scenario, &event));
        assert!(remove(&mut scenario, &event));
        assert_eq!(scenario, json!({ "name": "x" }));
        assert!(!remove(&mut scenario, &event));
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
