//! "Step says what happened": a short caption for the events of one step of playback, from the trace lines they
//! recorded. The page turns tracing on for the step ([`Simulation::set_tracing`]), takes the lines
//! ([`Simulation::take_trace`]) and asks for [`Simulation::caption`]; the caption names the most telling thing
//! that happened (a Spot notice before a deployment before a scaling action before launches before a task's
//! state change) with the instance, zone, service or counts it concerns.

use crate::output::{TraceEntry, TraceWhat};

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
    pub text: String,
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
                let more = if others > 0 { format!(" (and {others} more)") } else { String::new() };
                (CaptionKind::Interruption, format!("Spot notice for {id} in {zone}{more}"))
            }
            TraceWhat::RebalanceRecommendation { instance } => {
                let (id, zone) = self.instance_place(*instance);
                (CaptionKind::Interruption, format!("rebalance recommendation for {id} in {zone}"))
            }
            TraceWhat::SpotWarning { .. } => {
                let tasks = same(&|w| matches!(w, TraceWhat::SpotWarning { .. }));
                (CaptionKind::Interruption, format!("Fargate Spot interruption warning for {tasks} {}", tasks_word(tasks)))
            }
            TraceWhat::TaskRetirementNotice { tasks, .. } => {
                (CaptionKind::Interruption, format!("Fargate task retirement notice for {tasks} {}", tasks_word(*tasks)))
            }
            TraceWhat::TaskRetirement { service_tasks, standalone_tasks } => (
                CaptionKind::Interruption,
                format!("Fargate task retirement: {service_tasks} service tasks to replace, {standalone_tasks} standalone tasks stopped"),
            ),
            TraceWhat::Deployment { service, status } => {
                (CaptionKind::Deployment, format!("service {service}: deployment {status}"))
            }
            TraceWhat::ScalingAction { service, from, to, metric, .. } => {
                let verb = if to >= from { "scale-out" } else { "scale-in" };
                (CaptionKind::Scaling, format!("service {service}: {verb} from {from} to {to} tasks by target tracking on {metric}"))
            }
            TraceWhat::DesiredCount { service, desired } => {
                (CaptionKind::Deployment, format!("service {service}: desired count set to {desired}"))
            }
            TraceWhat::ScaleOut { provider, instances, .. } => {
                (CaptionKind::Scaling, format!("{provider} scales out by {instances} by managed scaling"))
            }
            TraceWhat::ScaleIn { provider, instances } => {
                (CaptionKind::Scaling, format!("{provider} scales in by {instances}"))
            }
            TraceWhat::ManagedLaunch { provider, instances, instance_type } => {
                (CaptionKind::Scaling, format!("{provider} launches {instances} x {instance_type} for waiting tasks"))
            }
            TraceWhat::SpotCapacity { per_minute: Some(n) } => {
                (CaptionKind::Deployment, format!("Fargate Spot capacity now {n} tasks/min"))
            }
            TraceWhat::SpotCapacity { per_minute: None } => {
                (CaptionKind::Deployment, "Fargate Spot capacity now plentiful".to_string())
            }
            TraceWhat::PoolCapacity { provider, instance_type, zone, available } => {
                let now = if *available { "has capacity again" } else { "out of capacity" };
                (CaptionKind::Deployment, format!("{provider} pool {instance_type} in {zone} {now}"))
            }
            TraceWhat::QuotaHit { quota, by, .. } => (CaptionKind::Limit, format!("{by}: refused by {}", quota.name())),
            TraceWhat::LaunchFailed { provider, instances } => (
                CaptionKind::Limit,
                format!("{provider} failed to launch {instances} instances: no capacity in any pool"),
            ),
            TraceWhat::Throttled { workload, .. } => (CaptionKind::Limit, format!("RunTask {workload} throttled")),
            TraceWhat::Launched { owner, provider, .. } => {
                let tasks = same(&|w| matches!(w, TraceWhat::Launched { .. }));
                let mut text = format!("{owner} launched {tasks} {} on {provider}", tasks_word(tasks));
                if let Some(wait) = self.bucket_wait() {
                    text.push_str("; ");
                    text.push_str(&wait);
                }
                (CaptionKind::Launch, text)
            }
            TraceWhat::Instance { instance, state } => {
                let (id, zone) = self.instance_place(*instance);
                (CaptionKind::State, format!("instance {id} in {zone} {}", state.name()))
            }
            TraceWhat::State { state, .. } => {
                let tasks = same(&|w| matches!(w, TraceWhat::State { state: s, .. } if s == state));
                (CaptionKind::State, format!("{tasks} {} now {}", tasks_word(tasks), state.name()))
            }
            TraceWhat::Healthy { .. } | TraceWhat::Unhealthy { .. } => {
                let healthy = same(&|w| matches!(w, TraceWhat::Healthy { .. }));
                let unhealthy = same(&|w| matches!(w, TraceWhat::Unhealthy { .. }));
                (CaptionKind::State, format!("{healthy} tasks healthy, {unhealthy} unhealthy"))
            }
            TraceWhat::ServiceSteady { service } => (CaptionKind::State, format!("service {service} is steady")),
            // The rest (Batch, queues, placements, alarms, ...): how many things happened.
            _ => (CaptionKind::Other, format!("{} changes", entries.len())),
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
    fn bucket_wait(&self) -> Option<String> {
        let view = self.view();
        let waiting: u32 =
            view.services.iter().map(|s| s.desired.saturating_sub(s.active)).fold(0, u32::saturating_add);
        let empty = view.buckets.iter().find(|b| b.level < 1.0 && b.name.column().is_some())?;
        (waiting > 0).then(|| format!("{} bucket empty: {waiting} {} wait", empty.name.name(), tasks_word(waiting)))
    }
}

fn tasks_word(n: impl TryInto<u8>) -> &'static str {
    if n.try_into().is_ok_and(|n| n == 1) {
        "task"
    } else {
        "tasks"
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
            caption.text,
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
        assert_eq!(
            caption,
            StepCaption { kind: CaptionKind::Deployment, text: "service web: desired count set to 5".into() }
        );
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
