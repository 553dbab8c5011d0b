//! Fargate task retirement (`docs/model.md` §4.1): AWS retires a Fargate platform version revision, sends a task
//! retirement notice for the tasks on it, waits the account's `fargateTaskRetirementWaitPeriod`, and then stops
//! them: service tasks are replaced by their service schedulers within the deployment bounds, standalone tasks are
//! stopped and not replaced.
//!
//! *Task retirement and maintenance for AWS Fargate on Amazon ECS* (ECS Developer Guide), the sentences followed:
//! - "When a revision is retired, all tasks running on that revision are stopped."
//! - "When the Amazon ECS scheduler stops the tasks, it uses the minimum healthy percent and launches a new task in
//!   an attempt to maintain the desired count for the service. By default, the minimum healthy percent of a service
//!   is 100 percent, so a new task is started first before a task is stopped." The page adds that service tasks
//!   are replaced the same way as when a service is scaled or a revision deployed: so a retired service task is
//!   marked for replacement exactly like a task on a draining instance (`on_draining`), and the workflow cycle
//!   starts replacements within `maximumPercent` and stops the retired tasks while `minimumHealthyPercent` holds.
//! - "For standalone task retirement, AWS stops the task on or after the task retirement date. Amazon ECS doesn't
//!   launch a replacement task when the task is stopped." The engine stops them at the date itself, all at once
//!   (assumption: the earliest time the page allows; it gives no spread).
//! - *Prepare for AWS Fargate task retirement on Amazon ECS*: "0 - AWS sends the notification, and immediately
//!   starts to retire the affected tasks." "7 - AWS sends the notification, and waits 7 calendar days before
//!   starting to retire the affected tasks. This is the default." "14 - ... waits 14 calendar days".
//!
//! Which tasks: those on the retired revision, i.e. the Fargate and Fargate Spot tasks launched before the newer
//! revision was in use (`tasks_launched_before_s`, by default the notice) and not stopping at the notice. Tasks
//! launched later, replacements included, run on the newer revision ("After a newer revision is made available, we
//! retire the older revision") and are left alone. Not modelled: `fargateEventWindows` (EC2 event windows).
//!
//! [`Retirements`] is the part: each notice's tasks and what became of them, for the summary and the charts.

use super::{Event, Simulation};
use crate::ids::TaskId;
use crate::output::{TaskRetirementSummary, TaskRetirementView, TraceWhat};
use crate::task::{Owner, StopReason};
use crate::time::SimTime;

/// One retirement notice and what it did.
struct Retirement {
    notice: SimTime,
    retire_at: SimTime,
    wait_days: u32,
    /// The tasks on the retired revision at the notice, in launch order.
    tasks: Vec<TaskId>,
    /// Set at the retirement: service tasks marked for replacement, standalone tasks stopped.
    retired: bool,
    service_tasks: u32,
    standalone_tasks: u32,
}

/// Every retirement notice of the run, in the order they came.
#[derive(Default)]
pub(super) struct Retirements {
    list: Vec<Retirement>,
}

impl Retirements {
    /// The (notice, retirement) times of every notice, the retirement only once it has happened.
    pub(super) fn times(&self) -> Vec<(SimTime, Option<SimTime>)> {
        self.list.iter().map(|r| (r.notice, r.retired.then_some(r.retire_at))).collect()
    }
}

impl Simulation {
    /// The notice: the tasks on the retired revision are chosen now, and retired after the wait period.
    pub(in crate::sim) fn task_retirement_notice(&mut self, wait_days: u32, wait_ms: u64, launched_before: SimTime) {
        let tasks: Vec<TaskId> = self
            .tasks
            .all()
            .iter()
            .take_while(|t| t.launched_at < launched_before)
            .filter(|t| t.provider.is_fargate() && !t.stopping)
            .map(|t| t.id)
            .collect();
        let retire_at = self.now.plus_ms(wait_ms);
        self.record(TraceWhat::TaskRetirementNotice { tasks: crate::narrow::u32_of(tasks.len()), retire_at });
        let index = crate::narrow::u32_of(self.retirements.list.len());
        self.retirements.list.push(Retirement {
            notice: self.now,
            retire_at,
            wait_days,
            tasks,
            retired: false,
            service_tasks: 0,
            standalone_tasks: 0,
        });
        self.schedule(retire_at, Event::TaskRetirement { index });
    }

    /// The retirement date: service tasks still active are handed to their schedulers for replacement, standalone
    /// tasks are stopped.
    #[inline(never)]
    pub(in crate::sim) fn retire_tasks(&mut self, index: usize) {
        let tasks = std::mem::take(&mut self.retirements.list[index].tasks);
        let (mut service_tasks, mut standalone_tasks) = (0, 0);
        for &task in &tasks {
            // A released task has stopped; one another notice already retired is being replaced (or stopped).
            let Some(t) = self.tasks.get(task) else { continue };
            if t.stopping || t.retiring {
                continue;
            }
            match t.owner {
                Owner::Service { service, .. } => {
                    self.tasks.set_retiring(task);
                    self.service_task_on_draining(service);
                    service_tasks += 1;
                }
                Owner::Standalone { .. } => {
                    self.tasks.set_retiring(task);
                    self.begin_stop(task, StopReason::TaskRetirement);
                    standalone_tasks += 1;
                }
            }
        }
        let r = &mut self.retirements.list[index];
        (r.tasks, r.retired, r.service_tasks, r.standalone_tasks) = (tasks, true, service_tasks, standalone_tasks);
        self.record(TraceWhat::TaskRetirement { service_tasks, standalone_tasks });
    }

    /// The latest notice, for the view: its tasks not stopping yet are those still running on the retired revision.
    pub(super) fn task_retirement_view(&self) -> Option<TaskRetirementView> {
        let r = self.retirements.list.last()?;
        let still_running =
            crate::narrow::u32_of(r.tasks.iter().filter(|&&t| self.tasks.get(t).is_some_and(|t| !t.stopping)).count());
        Some(TaskRetirementView {
            notice_s: r.notice.as_secs_f64(),
            retirement_s: r.retire_at.as_secs_f64(),
            tasks: crate::narrow::u32_of(r.tasks.len()),
            still_running,
        })
    }

    /// The summary's retirements (empty when the scenario has none).
    pub(super) fn task_retirements(&self) -> Vec<TaskRetirementSummary> {
        self.retirements
            .list
            .iter()
            .map(|r| TaskRetirementSummary {
                notice_s: r.notice.as_secs_f64(),
                retirement_s: r.retire_at.as_secs_f64(),
                wait_period_days: r.wait_days,
                tasks: crate::narrow::u32_of(r.tasks.len()),
                retired: r.retired,
                service_tasks_replaced: r.service_tasks,
                standalone_tasks_stopped: r.standalone_tasks,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::output::TraceWhat;
    use crate::sim::{testing, Event};
    use crate::task::{StopReason, TaskState};

    const DAY_MS: u64 = 86_400_000;

    fn retirement(at_s: u32, extra: &str) -> String {
        format!(r#""events": [{{ "type": "fargate_task_retirement", "at_s": {at_s}{extra} }}]"#)
    }

    /// The notice picks the Fargate tasks running then and schedules their retirement after the default wait of
    /// 7 days; nothing stops at the notice.
    #[test]
    fn the_notice_waits_the_default_seven_days() {
        let top = format!(r#"{}, "horizon_s": 604800"#, retirement(600, ""));
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 2"#, &top));
        sim.step_through(|e| matches!(e, Event::Timed { .. }));
        let notice = sim.now;
        assert!(sim.trace().iter().any(|e| matches!(e.what, TraceWhat::TaskRetirementNotice { tasks: 2, .. })));
        let queued = sim.queued();
        let at = queued.iter().find(|(_, e)| matches!(e, Event::TaskRetirement { .. })).map(|&(at, _)| at);
        assert_eq!(at, Some(notice.plus_ms(7 * DAY_MS)), "retired at notice + 7 days (beyond the horizon)");
        assert!(sim.tasks.all().iter().all(|t| !t.stopping && !t.retiring));
    }

    /// Wait 0: at the notice the service's tasks are marked for replacement; with the default bounds (100% /
    /// 200%) the next cycle launches the replacements first and stops nothing, and the retired tasks stop once the
    /// replacements are healthy, with the retirement as their reason.
    #[test]
    fn service_tasks_are_replaced_new_first_within_the_bounds() {
        let top = retirement(600, r#", "wait_period_days": 0"#);
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 3"#, &top));
        sim.step_through(|e| matches!(e, Event::TaskRetirement { .. }));
        assert_eq!(sim.tasks.all().iter().filter(|t| t.retiring && t.on_draining).count(), 3);
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        assert_eq!(sim.tasks.len(), 6, "three replacements started before any retired task stops");
        assert!(sim.tasks.all().iter().all(|t| !t.stopping));
        sim.step_until(sim.now.plus_ms(600_000));
        let retired: Vec<_> = sim.tasks.all().iter().filter(|t| t.retiring).map(|t| (t.state, t.stop_reason)).collect();
        assert_eq!(retired, vec![(TaskState::Stopped, Some(StopReason::TaskRetirement)); 3]);
        let running = sim.tasks.all().iter().filter(|t| t.state == TaskState::Running).count();
        assert_eq!(running, 3);
        assert_eq!(sim.metrics().task_retirements[0].service_tasks_replaced, 3);
    }

    /// minimumHealthyPercent 50, maximumPercent 100: no room to start first, so the first cycle stops half the
    /// retired tasks (down to the minimum) and starts two replacements in the room they leave.
    #[test]
    fn a_low_minimum_healthy_percent_stops_retired_tasks_first() {
        let top = retirement(600, r#", "wait_period_days": 0"#);
        let service = r#""desired_count": 4, "deployment": { "minimum_healthy_percent": 50, "maximum_percent": 100 }"#;
        let mut sim = testing::checked(testing::fargate("", service, &top));
        sim.step_through(|e| matches!(e, Event::TaskRetirement { .. }));
        sim.step_through(|e| matches!(e, Event::ServiceCycle { .. }));
        let stopping = sim.tasks.all().iter().filter(|t| t.stopping).count();
        assert_eq!((stopping, sim.tasks.len()), (2, 6), "two stop, two replacements start");
        let healthy =
            sim.tasks.all().iter().filter(|t| !t.stopping && t.health == crate::task::Health::Healthy).count();
        assert_eq!(healthy, 2, "the service is down to its minimum healthy count");
    }

    /// Standalone tasks are stopped at the retirement and not replaced; a task launched after the cut-off (on the
    /// newer revision) is left alone.
    #[test]
    fn standalone_tasks_are_stopped_and_later_tasks_left_alone() {
        let top = r#""run_tasks": [{ "name": "old", "task_definition": "web", "count": 2 },
                                   { "name": "new", "task_definition": "web", "count": 1, "at_s": 300 }],
                     "events": [{ "type": "fargate_task_retirement", "at_s": 600, "wait_period_days": 0,
                                  "tasks_launched_before_s": 200 }]"#;
        let mut sim = testing::checked(testing::without_service("", top));
        sim.step_through(|e| matches!(e, Event::TaskRetirement { .. }));
        let stopped: Vec<_> = sim.tasks.all().iter().map(|t| t.stop_reason).collect();
        assert_eq!(stopped, [Some(StopReason::TaskRetirement), Some(StopReason::TaskRetirement), None]);
        sim.run_to_end();
        assert_eq!(sim.tasks.len(), 3, "no replacement for standalone tasks");
        let summary = sim.metrics();
        let r = &summary.task_retirements[0];
        assert_eq!((r.tasks, r.standalone_tasks_stopped, r.service_tasks_replaced), (2, 2, 0));
    }

    /// Two notices that concern the same tasks: the second finds them already retired and leaves them to the
    /// first (the service's count of tasks to replace stays right: the invariant checks after every event).
    #[test]
    fn a_second_notice_does_not_retire_a_task_twice() {
        let top = r#""events": [{ "type": "fargate_task_retirement", "at_s": 600, "wait_period_days": 0 },
                                { "type": "fargate_task_retirement", "at_s": 601, "wait_period_days": 0,
                                  "tasks_launched_before_s": 500 }]"#;
        let mut sim = testing::checked(testing::fargate("", r#""desired_count": 2"#, top));
        sim.run_to_end();
        sim.assert_invariants();
        let summary = sim.metrics();
        let replaced: Vec<u32> = summary.task_retirements.iter().map(|r| r.service_tasks_replaced).collect();
        assert_eq!(replaced, [2, 0]);
        assert_eq!(summary.tasks_launched, 4);
    }
}
