//! What-ifs as scenario events: each one the stage offers becomes a timed event of the scenario's `events` at the
//! playback time (so a replay reaches the same point, continues with it, and a share link carries it), and is
//! undone by taking that event out again. Pure: JSON in, JSON out, no DOM.

use serde_json::{json, Value};

/// One of the account's token buckets, as the `account_tokens_spent` event names it, with how the page says it.
pub const BUCKETS: [(&str, &str); 4] = [
    ("fargate_on_demand_launch", "Fargate On-Demand task launches"),
    ("fargate_spot_launch", "Fargate Spot task launches"),
    ("run_task_api", "RunTask API calls"),
    ("fargate_run_task_calls", "Fargate RunTask calls"),
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
    EmptyBucket { bucket: String },
}

/// Seconds as the scenario writes them: whole milliseconds, so the event runs at exactly the playback time.
fn seconds(at_ms: u64) -> Value {
    if at_ms % 1000 == 0 {
        json!(at_ms / 1000)
    } else {
        json!(at_ms as f64 / 1000.0)
    }
}

impl WhatIf {
    /// The scenario event for this what-if at `at_ms`.
    pub fn event(&self, at_ms: u64) -> Value {
        let at_s = seconds(at_ms);
        match self {
            WhatIf::InterruptInstance { instance } => {
                json!({ "type": "ec2_instance_interruption", "at_s": at_s, "instance": instance })
            }
            WhatIf::SpotWave { provider, instance_type, zone, fraction } => json!({
                "type": "ec2_spot_interruption", "at_s": at_s, "provider": provider,
                "instance_type": instance_type, "zone": zone, "fraction": fraction,
            }),
            WhatIf::DryUpFargateSpot => {
                json!({ "type": "fargate_spot_availability", "at_s": at_s, "availability": "none" })
            }
            WhatIf::Scale { service, desired } => {
                json!({ "type": "scale", "at_s": at_s, "service": service, "desired_count": desired })
            }
            WhatIf::Deploy { service } => json!({ "type": "deploy", "at_s": at_s, "service": service }),
            WhatIf::EmptyBucket { bucket } => {
                json!({ "type": "account_tokens_spent", "at_s": at_s, "bucket": bucket })
            }
        }
    }

    /// What the list of applied what-ifs says.
    pub fn label(&self) -> String {
        match self {
            WhatIf::InterruptInstance { instance } => format!("Spot interruption notice for {instance}"),
            WhatIf::SpotWave { provider, instance_type, zone, fraction } => {
                format!("Spot wave: {:.0}% of {provider}'s {instance_type} in {zone}", fraction * 100.0)
            }
            WhatIf::DryUpFargateSpot => "Fargate Spot dried up (no capacity from here on)".to_string(),
            WhatIf::Scale { service, desired } => format!("Scale {service} to {desired} tasks"),
            WhatIf::Deploy { service } => format!("New deployment of {service}"),
            WhatIf::EmptyBucket { bucket } => {
                let name = BUCKETS.iter().find(|(id, _)| id == bucket).map_or(bucket.as_str(), |(_, name)| name);
                format!("Other callers spend the {name} bucket")
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
            WhatIf::EmptyBucket { bucket: "fargate_spot_launch".into() },
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
    fn whole_seconds_are_written_as_integers() {
        assert_eq!(WhatIf::DryUpFargateSpot.event(60_000)["at_s"], json!(60));
        assert_eq!(WhatIf::DryUpFargateSpot.event(60_001)["at_s"], json!(60.001));
    }

    #[test]
    fn removing_takes_out_the_last_equal_event_and_an_emptied_list() {
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
            WhatIf::EmptyBucket { bucket: "run_task_api".into() }.label(),
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
