//! The moments of a run the page marks on the charts' time axis besides quota hits and retirements
//! (`Simulation::chart_markers`): the scenario's timed events that have come (deployments, scale events, Spot
//! waves, capacity changes) and what the run did on its own: EC2 Spot interruption notices, capacity providers'
//! scale-outs and scale-ins, Managed Instances launches and services' target tracking actions. `Accounting`
//! notes the latter as their trace lines pass (whether or not the trace is kept), one mark per kind and instant.

use crate::output::{ChartMarker, TraceWhat};
use crate::scenario::TimedAction;
use crate::text::{mark, Text};
use crate::time::SimTime;

use super::Simulation;

/// Marks kept per run: enough for a week of hourly scale-outs on a few providers; later ones are counted, not kept
/// (a chart could not show more labels anyway).
const MAX_MARKS: usize = 500;

/// What the run did at an instant that the charts mark.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MarkKind {
    SpotNotice,
    ScaleOut(String),
    ScaleIn(String),
    ManagedLaunch(String),
    ScalingAction { service: String, to: u32 },
}

/// The marks noted so far: (time, kind, how many at that time).
#[derive(Debug, Clone, Default)]
pub(super) struct Marks {
    marks: Vec<(SimTime, MarkKind, u32)>,
    dropped: u64,
}

impl MarkKind {
    /// The chart's label for `count` marks of this kind at one instant.
    fn label(&self, count: u32) -> Text {
        match self {
            MarkKind::SpotNotice if count == 1 => Text::new("Spot notice"),
            MarkKind::SpotNotice => Text::new("Spot notices ({count} instances)").arg("count", count),
            MarkKind::ScaleOut(p) => Text::new("{provider} scales out").arg("provider", p),
            MarkKind::ScaleIn(p) => Text::new("{provider} scales in").arg("provider", p),
            MarkKind::ManagedLaunch(p) => Text::new("{provider} launches instances").arg("provider", p),
            MarkKind::ScalingAction { service, to } => {
                Text::new("{service} scaled to {to}").arg("service", service).arg("to", to)
            }
        }
    }
}

/// Adds a marker for each `(time, label)` to `markers` and puts them all in time order. The sort is stable:
/// markers at the same time keep the order they were added in. Both marker lists ([`Simulation::event_markers`],
/// [`Simulation::chart_markers`]) are made with it.
pub(super) fn in_time_order(
    mut markers: Vec<ChartMarker>,
    labelled: impl IntoIterator<Item = (SimTime, Text)>,
) -> Vec<ChartMarker> {
    markers.extend(labelled.into_iter().map(|(time, label)| ChartMarker { time_s: time.as_secs_f64(), label }));
    crate::sort::sort_by(&mut markers, |a, b| a.time_s.total_cmp(&b.time_s));
    markers
}

impl Marks {
    /// Whether [`note`](Self::note) keeps anything of a trace line: the kernel skips every other line at once
    /// when the trace is off (inlined where the line is built, this folds to a constant).
    #[inline(always)]
    pub(super) fn notes(what: &TraceWhat) -> bool {
        matches!(
            what,
            TraceWhat::SpotNotice { .. }
                | TraceWhat::ScaleOut { .. }
                | TraceWhat::ScaleIn { .. }
                | TraceWhat::ManagedLaunch { .. }
                | TraceWhat::ScalingAction { .. }
        )
    }

    /// Notes a trace line's mark, if it is one the charts show; repeats at the same instant are counted.
    pub(super) fn note(&mut self, time: SimTime, what: &TraceWhat) {
        let kind = match what {
            TraceWhat::SpotNotice { .. } => MarkKind::SpotNotice,
            TraceWhat::ScaleOut { provider, .. } => MarkKind::ScaleOut(provider.clone()),
            TraceWhat::ScaleIn { provider, .. } => MarkKind::ScaleIn(provider.clone()),
            TraceWhat::ManagedLaunch { provider, .. } => MarkKind::ManagedLaunch(provider.clone()),
            TraceWhat::ScalingAction { service, to, .. } => {
                MarkKind::ScalingAction { service: service.clone(), to: *to }
            }
            _ => return,
        };
        if let Some(same) = self.marks.iter_mut().rev().take_while(|m| m.0 == time).find(|m| m.1 == kind) {
            same.2 = same.2.saturating_add(1);
        } else if self.marks.len() < MAX_MARKS {
            self.marks.push((time, kind, 1));
        } else {
            self.dropped += 1;
        }
    }
}

impl Simulation {
    /// The timed events that have come and the run's own Spot notices and scaling actions, each a label at its
    /// time, in time order (the page draws them with [`Simulation::chart_markers`]).
    pub fn event_markers(&self) -> Vec<ChartMarker> {
        let mut labelled: Vec<(SimTime, Text)> = Vec::new();
        for event in self.scenario.events.iter().filter(|e| e.at <= self.now) {
            let label = match &event.action {
                TimedAction::Scale { service, desired } => Text::new("{service} desired {desired}")
                    .arg("service", &self.scenario.services[*service].name)
                    .arg("desired", desired),
                TimedAction::Deploy { service, .. } => {
                    Text::new("deployment of {service}").arg("service", &self.scenario.services[*service].name)
                }
                TimedAction::SpotInterruption { .. } => Text::new("Fargate Spot interruption wave"),
                TimedAction::SpotAvailability { .. } => Text::new("Fargate Spot capacity changes"),
                TimedAction::Ec2SpotWave { provider, .. } => {
                    Text::new("EC2 Spot wave on {provider}").arg("provider", &self.scenario.providers[*provider].name)
                }
                TimedAction::PoolCapacity { available: true, .. } => Text::new("pool has capacity again"),
                TimedAction::PoolCapacity { available: false, .. } => Text::new("pool out of capacity"),
                TimedAction::InstanceInterruption { instance } => {
                    Text::new("interrupt {id}").arg("id", format!("i-{instance:08x}"))
                }
                TimedAction::TokensSpent { bucket, .. } => {
                    let name = match bucket {
                        crate::spec::AccountBucket::FargateOnDemandLaunch => mark("Fargate On-Demand launches"),
                        crate::spec::AccountBucket::FargateSpotLaunch => mark("Fargate Spot launches"),
                        crate::spec::AccountBucket::RunTaskApi => mark("RunTask API calls"),
                        crate::spec::AccountBucket::FargateRunTaskCalls => mark("Fargate RunTask calls"),
                    };
                    Text::new("{bucket} bucket spent by other callers").name("bucket", name)
                }
                // Marked by `chart_markers` (the notice and the retirement).
                TimedAction::FargateTaskRetirement { .. } => continue,
            };
            labelled.push((event.at, label));
        }
        let noted = self.accounting.marks().marks.iter().map(|(time, kind, count)| (*time, kind.label(*count)));
        labelled.extend(noted);
        in_time_order(Vec::new(), labelled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::testing;

    #[test]
    fn repeats_at_an_instant_are_counted_and_the_list_is_bounded() {
        let mut marks = Marks::default();
        for _ in 0..3 {
            marks.note(SimTime(600_000), &TraceWhat::SpotNotice { instance: 1 });
        }
        marks.note(SimTime(600_000), &TraceWhat::ServiceSteady { service: "web".into() });
        assert_eq!(marks.marks, vec![(SimTime(600_000), MarkKind::SpotNotice, 3)]);
        for t in 0..(MAX_MARKS as u64 + 5) {
            marks.note(SimTime(t), &TraceWhat::ScaleIn { provider: "asg".into(), instances: 1 });
        }
        assert_eq!((marks.marks.len(), marks.dropped), (MAX_MARKS, 6));
    }

    /// The kernel skips lines `notes` says no to when the trace is off: exactly the lines `note` keeps nothing of.
    #[test]
    fn notes_says_which_lines_note_keeps() {
        let lines = [
            TraceWhat::SpotNotice { instance: 1 },
            TraceWhat::ScaleOut { provider: "asg".into(), instances: 2, reservation: 150 },
            TraceWhat::ScaleIn { provider: "asg".into(), instances: 1 },
            TraceWhat::ManagedLaunch { provider: "mi".into(), instances: 1, instance_type: "m5.large" },
            TraceWhat::ScalingAction { service: "web".into(), from: 2, to: 4, metric: "cpu".into(), value: 80.0 },
            TraceWhat::ServiceSteady { service: "web".into() },
            TraceWhat::Healthy { task: 0 },
            TraceWhat::RebalanceRecommendation { instance: 1 },
            TraceWhat::IdleScaleIn { provider: "mi".into(), instance: 1 },
        ];
        for what in lines {
            let mut marks = Marks::default();
            marks.note(SimTime(0), &what);
            assert_eq!(Marks::notes(&what), !marks.marks.is_empty(), "{what:?}");
        }
    }

    #[test]
    fn timed_events_are_marked_once_they_have_come() {
        let mut sim = testing::checked(testing::fargate(
            "",
            r#""desired_count": 2"#,
            r#""events": [{ "type": "scale", "at_s": 300, "service": "web", "desired_count": 5 },
                          { "type": "deploy", "at_s": 900, "service": "web" }]"#,
        ));
        sim.step_until(SimTime(600_000));
        let labels = |sim: &Simulation| -> Vec<(f64, String)> {
            sim.event_markers().into_iter().map(|m| (m.time_s, m.label.to_string())).collect()
        };
        assert_eq!(labels(&sim), [(300.0, "web desired 5".to_string())]);
        sim.step_until(SimTime(1_000_000));
        assert_eq!(labels(&sim), [(300.0, "web desired 5".to_string()), (900.0, "deployment of web".to_string())]);
    }

    #[test]
    fn managed_scaling_marks_its_scale_outs() {
        let mut sim = testing::checked(testing::ec2(
            r#""max_size": 4, "managed_scaling": { "target_capacity": 100 }"#,
            r#""cpu": 2048, "memory": 4096"#,
            r#""desired_count": 3"#,
            "",
        ));
        sim.step_until(SimTime(600_000));
        assert!(
            sim.event_markers().iter().any(|m| m.label.to_string() == "asg scales out"),
            "{:?}",
            sim.event_markers()
        );
    }
}
