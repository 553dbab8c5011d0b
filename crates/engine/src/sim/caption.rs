//! "Step says what happened": a short caption for the events of one step of playback, from the trace lines they
//! recorded. The page turns tracing on for the step ([`Simulation::set_tracing`]), takes the lines
//! ([`Simulation::take_trace`]) and asks for [`Simulation::caption`]; the caption names the most telling thing
//! that happened (a Spot notice before a deployment before a scaling action before launches before a task's
//! state change) with the instance, zone, service or counts it concerns.

use crate::output::{TraceEntry, TraceWhat};
use crate::text::{tasks, Text};

use super::Simulation;

/// What kind of thing a step's caption is about (the page may colour or mark it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptionKind {
    /// An EC2 Spot interruption notice or rebalance recommendation, a Fargate Spot warning, a task retirement.
    Interruption,
    /// A timed event of the scenario or a deployment's progress: desired count, deployment, capacity changes.
    Deployment,
    /// Auto scaling: a service's scaling action, a capacity provider's scale-out or scale-in, a managed launch.
    Scaling,
    /// A quota, a bucket or capacity refused or held back launches.
    Limit,
    /// Tasks launched.
    Launch,
    /// A task or an instance changed state.
    State,
    /// Anything else the trace records.
    Other,
}

/// A step's caption: what kind of thing happened, and a short plain sentence naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepCaption {
    pub kind: CaptionKind,
    pub text: Text,
}

impl Simulation {
    /// Records trace lines from now on (`true`) or stops recording (`false`). Recording changes nothing in the run;
    /// the page turns it on for one step to caption it.
    pub fn set_tracing(&mut self, on: bool) {
        self.accounting.set_tracing(on);
    }

    /// The caption of the step whose trace lines are `entries` (the lines of the events at one instant), `None`
    /// when they recorded nothing.
    pub fn caption(&self, entries: &[TraceEntry]) -> Option<StepCaption> {
        let best = entries.iter().min_by_key(|e| rank(&e.what))?;
        let same = |f: &dyn Fn(&TraceWhat) -> bool| entries.iter().filter(|e| f(&e.what)).count();
        let (kind, text) = match &best.what {
            TraceWhat::SpotNotice { instance } => {
                let (id, zone) = self.instance_place(*instance);
                let others = same(&|w| matches!(w, TraceWhat::SpotNotice { .. })) - 1;
                let text = if others > 0 {
                    Text::new("Spot notice for {id} in {zone} (and {others} more)").arg("others", others)
                } else {
                    Text::new("Spot notice for {id} in {zone}")
                };
                (CaptionKind::Interruption, text.arg("id", id).arg("zone", zone))
            }
            TraceWhat::RebalanceRecommendation { instance } => {
                let (id, zone) = self.instance_place(*instance);
                let text = Text::new("rebalance recommendation for {id} in {zone}");
                (CaptionKind::Interruption, text.arg("id", id).arg("zone", zone))
            }
            TraceWhat::SpotWarning { .. } => {
                let n = same(&|w| matches!(w, TraceWhat::SpotWarning { .. }));
                let text = Text::new("Fargate Spot interruption warning for {tasks}");
                (CaptionKind::Interruption, text.text("tasks", tasks(n as u64)))
            }
            TraceWhat::TaskRetirementNotice { tasks: n, .. } => {
                let text = Text::new("Fargate task retirement notice for {tasks}");
                (CaptionKind::Interruption, text.text("tasks", tasks(u64::from(*n))))
            }
            TraceWhat::TaskRetirement { service_tasks, standalone_tasks } => (
                CaptionKind::Interruption,
                Text::new("Fargate task retirement: {service} service tasks to replace, {standalone} standalone tasks stopped")
                    .arg("service", service_tasks)
                    .arg("standalone", standalone_tasks),
            ),
            TraceWhat::Deployment { service, status } => (
                CaptionKind::Deployment,
                Text::new("service {service}: deployment {status}").arg("service", service).arg("status", status),
            ),
            TraceWhat::ScalingAction { service, from, to, metric, .. } => {
                let text = if to >= from {
                    Text::new("service {service}: scale-out from {from} to {to} tasks by target tracking on {metric}")
                } else {
                    Text::new("service {service}: scale-in from {from} to {to} tasks by target tracking on {metric}")
                };
                (CaptionKind::Scaling, text.arg("service", service).arg("from", from).arg("to", to).arg("metric", metric))
            }
            TraceWhat::DesiredCount { service, desired } => (
                CaptionKind::Deployment,
                Text::new("service {service}: desired count set to {desired}").arg("service", service).arg("desired", desired),
            ),
            TraceWhat::ScaleOut { provider, instances, .. } => (
                CaptionKind::Scaling,
                Text::new("{provider} scales out by {instances} by managed scaling")
                    .arg("provider", provider)
                    .arg("instances", instances),
            ),
            TraceWhat::ScaleIn { provider, instances } => (
                CaptionKind::Scaling,
                Text::new("{provider} scales in by {instances}").arg("provider", provider).arg("instances", instances),
            ),
            TraceWhat::ManagedLaunch { provider, instances, instance_type } => (
                CaptionKind::Scaling,
                Text::new("{provider} launches {instances} x {type} for waiting tasks")
                    .arg("provider", provider)
                    .arg("instances", instances)
                    .arg("type", instance_type),
            ),
            TraceWhat::SpotCapacity { per_minute: Some(n) } => {
                (CaptionKind::Deployment, Text::new("Fargate Spot capacity now {rate} tasks/min").arg("rate", n))
            }
            TraceWhat::SpotCapacity { per_minute: None } => {
                (CaptionKind::Deployment, Text::new("Fargate Spot capacity now plentiful"))
            }
            TraceWhat::PoolCapacity { provider, instance_type, zone, available } => {
                let text = if *available {
                    Text::new("{provider} pool {type} in {zone} has capacity again")
                } else {
                    Text::new("{provider} pool {type} in {zone} out of capacity")
                };
                (CaptionKind::Deployment, text.arg("provider", provider).arg("type", instance_type).arg("zone", zone))
            }
            TraceWhat::QuotaHit { quota, by, .. } => (
                CaptionKind::Limit,
                Text::new("{by}: refused by {quota}").arg("by", by).name("quota", quota.name()),
            ),
            TraceWhat::LaunchFailed { provider, instances } => (
                CaptionKind::Limit,
                Text::new("{provider} failed to launch {instances} instances: no capacity in any pool")
                    .arg("provider", provider)
                    .arg("instances", instances),
            ),
            TraceWhat::Throttled { workload, .. } => {
                (CaptionKind::Limit, Text::new("RunTask {workload} throttled").arg("workload", workload))
            }
            TraceWhat::Launched { owner, provider, .. } => {
                let n = same(&|w| matches!(w, TraceWhat::Launched { .. }));
                let launched = Text::new("{owner} launched {tasks} on {provider}")
                    .arg("owner", owner)
                    .text("tasks", tasks(n as u64))
                    .arg("provider", provider);
                let text = match self.bucket_wait() {
                    Some(wait) => Text::new("{launched}; {wait}").text("launched", launched).text("wait", wait),
                    None => launched,
                };
                (CaptionKind::Launch, text)
            }
            TraceWhat::Instance { instance, state } => {
                let (id, zone) = self.instance_place(*instance);
                let text = Text::new("instance {id} in {zone} {state}").arg("id", id).arg("zone", zone);
                (CaptionKind::State, text.arg("state", state.name()))
            }
            TraceWhat::State { state, .. } => {
                let n = same(&|w| matches!(w, TraceWhat::State { state: s, .. } if s == state));
                let text = Text::new("{tasks} now {state}").text("tasks", tasks(n as u64)).arg("state", state.name());
                (CaptionKind::State, text)
            }
            TraceWhat::Healthy { .. } | TraceWhat::Unhealthy { .. } => {
                let healthy = same(&|w| matches!(w, TraceWhat::Healthy { .. }));
                let unhealthy = same(&|w| matches!(w, TraceWhat::Unhealthy { .. }));
                let text = Text::new("{healthy} tasks healthy, {unhealthy} unhealthy");
                (CaptionKind::State, text.arg("healthy", healthy).arg("unhealthy", unhealthy))
            }
            TraceWhat::ServiceSteady { service } => {
                (CaptionKind::State, Text::new("service {service} is steady").arg("service", service))
            }
            // The rest (Batch, queues, placements, alarms, ...): how many things happened.
            _ => (CaptionKind::Other, Text::new("{count} changes").arg("count", entries.len())),
        };
        Some(StepCaption { kind, text })
    }

    /// An instance's EC2-style id and its Availability Zone.
    fn instance_place(&self, raw: u32) -> (String, String) {
        match self.fleet.instances().get(raw as usize) {
            Some(i) => {
                let zone = self
                    .scenario
                    .providers
                    .get(i.provider.index())
                    .and_then(|p| p.zones.get(usize::from(i.zone)))
                    .cloned()
                    .unwrap_or_default();
                (i.ec2_id(), zone)
            }
            None => (format!("instance {raw}"), String::new()),
        }
    }

    /// "Fargate On-Demand launches bucket empty: 42 tasks wait" when an account launch bucket is below one token
    /// and services still have tasks to launch.
    fn bucket_wait(&self) -> Option<Text> {
        let view = self.view();
        let waiting: u32 =
            view.services.iter().map(|s| s.desired.saturating_sub(s.active)).fold(0, u32::saturating_add);
        let empty = view.buckets.iter().find(|b| b.level < 1.0 && b.name.column().is_some())?;
        (waiting > 0).then(|| {
            let text = if waiting == 1 {
                Text::new("{bucket} bucket empty: 1 task waits")
            } else {
                Text::new("{bucket} bucket empty: {waiting} tasks wait").arg("waiting", waiting)
            };
            text.name("bucket", empty.name.name())
        })
    }
}

/// Which trace line names a step best: lower first.
fn rank(what: &TraceWhat) -> u8 {
    match what {
        TraceWhat::SpotNotice { .. } | TraceWhat::RebalanceRecommendation { .. } => 0,
        TraceWhat::TaskRetirementNotice { .. } | TraceWhat::TaskRetirement { .. } | TraceWhat::SpotWarning { .. } => 1,
        TraceWhat::Deployment { .. } | TraceWhat::ScalingAction { .. } => 2,
        TraceWhat::DesiredCount { .. } | TraceWhat::SpotCapacity { .. } | TraceWhat::PoolCapacity { .. } => 3,
        TraceWhat::ScaleOut { .. } | TraceWhat::ScaleIn { .. } | TraceWhat::ManagedLaunch { .. } => 4,
        TraceWhat::QuotaHit { .. } | TraceWhat::LaunchFailed { .. } | TraceWhat::Throttled { .. } => 5,
        TraceWhat::Launched { .. } => 6,
        TraceWhat::Instance { .. } => 7,
        TraceWhat::State { .. } => 8,
        _ => 9,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::testing;
    use crate::time::SimTime;

    /// Steps the simulation through the events at its next instant with tracing on, and captions them.
    fn step_caption(sim: &mut Simulation) -> Option<StepCaption> {
        let next = sim.next_event_time()?;
        sim.step_until(next);
        let lines = sim.take_trace();
        sim.caption(&lines)
    }

    #[test]
    fn a_first_step_names_the_launches_and_the_empty_bucket() {
        // 100 tasks on Fargate with a bucket of 10: the first cycle launches 10, and 90 wait for tokens.
        let mut sim = testing::checked(testing::fargate(
            "",
            r#""desired_count": 100"#,
            r#""limits": { "fargate_on_demand_launch": { "burst": 10, "refill_per_s": 1 } }"#,
        ));
        let caption = step_caption(&mut sim).expect("a caption");
        assert_eq!(caption.kind, CaptionKind::Launch);
        assert_eq!(
            caption.text.to_string(),
            "service web launched 10 tasks on FARGATE; Fargate On-Demand launches bucket empty: 90 tasks wait"
        );
    }

    #[test]
    fn a_timed_deployment_is_named_before_the_launches() {
        let mut sim = testing::checked(testing::fargate(
            "",
            r#""desired_count": 2"#,
            r#""events": [{ "type": "scale", "at_s": 300, "service": "web", "desired_count": 5 }]"#,
        ));
        sim.step_until(SimTime(299_000));
        sim.take_trace();
        let caption = step_caption(&mut sim).expect("a caption");
        assert_eq!(caption.kind, CaptionKind::Deployment);
        assert_eq!(caption.text.to_string(), "service web: desired count set to 5");
    }

    #[test]
    fn nothing_recorded_has_no_caption_and_tracing_can_be_turned_off() {
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 2"#, ""));
        assert_eq!(sim.caption(&[]), None);
        sim.set_tracing(false);
        sim.step();
        assert!(sim.take_trace().is_empty());
    }
}
