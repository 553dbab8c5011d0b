//! EventBridge scheduled tasks (`docs/model.md` §11): each `scheduled_tasks` entry's expression is parsed
//! ([`crate::schedule`]), its firings within the horizon are listed from the scenario's wall-clock `start`, and each
//! firing becomes a RunTask burst of `task_count` tasks that carries the schedule's flexible time window and retry
//! policy.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::defaults as d;
use crate::schedule::{self, Schedule};
use crate::spec::OnThrottle;
use crate::spec::{PlacementStrategySpec, ScenarioSpec};
use crate::time::SimTime;

use super::super::{AsgProvider, RunTaskWorkload, ScheduleInfo, ScheduledCall, TaskDef};
use super::Validator;
use crate::zone::Zone;

/// At most this many schedules in a scenario.
pub(super) const MAX_SCHEDULES: usize = 200;
/// At most this many firings of all schedules within the horizon (a `rate(1 minute)` schedule fires 10,080 times in a
/// week): each firing is a RunTask burst the summary lists.
pub(super) const MAX_FIRINGS: usize = 5_000;

impl Validator {
    /// The simulated times (ms) at which the expression `expr` fires within the scenario's horizon, in the fixed
    /// offset `time_zone`, at most `limit` (an error names `field` beyond it). Used by scheduled scaling actions.
    pub(super) fn schedule_firings(
        &mut self,
        field: &str,
        expr: &str,
        time_zone: Option<&str>,
        spec: &ScenarioSpec,
        limit: usize,
    ) -> Vec<u64> {
        let parsed = match schedule::parse(expr) {
            Ok(s) => s,
            Err(e) => {
                self.err(format!("{field}.schedule"), format!("`{expr}` is not a valid schedule expression {e}"));
                return Vec::new();
            }
        };
        let zone = match time_zone.map(Zone::parse) {
            None => Zone::Fixed(0),
            Some(Ok(zone)) => zone,
            Some(Err(e)) => {
                self.err(format!("{field}.time_zone"), e);
                return Vec::new();
            }
        };
        let start_utc = match (spec.start.as_deref().and_then(schedule::parse_instant), &parsed) {
            (Some(s), _) => s,
            (None, Schedule::Rate { .. }) => 0,
            (None, _) => {
                self.err(
                    format!("{field}.schedule"),
                    "a cron or at schedule names wall-clock times: set the scenario's `start`",
                );
                return Vec::new();
            }
        };
        let horizon_ms = if spec.horizon_s.is_finite() && spec.horizon_s > 0.0 {
            crate::time::secs_to_ms(spec.horizon_s.min(super::MAX_HORIZON_S))
        } else {
            0
        };
        let until = start_utc.saturating_add(i64::try_from(horizon_ms).unwrap_or(i64::MAX)) - 1;
        let firings = parsed.firings(start_utc, until, zone, limit.saturating_add(1));
        if firings.len() > limit {
            self.err(
                format!("{field}.schedule"),
                format!("fires more than {MAX_FIRINGS} times within the horizon; use a longer rate"),
            );
            return Vec::new();
        }
        firings.into_iter().map(|t| u64::try_from(t - start_utc).unwrap_or(0)).collect()
    }

    pub(super) fn scheduled_tasks(
        &mut self,
        spec: &ScenarioSpec,
        task_defs: &[TaskDef],
        providers: &[AsgProvider],
        horizon: SimTime,
    ) -> (Vec<ScheduleInfo>, Vec<RunTaskWorkload>) {
        let mut infos = Vec::new();
        let mut bursts: Vec<RunTaskWorkload> = Vec::new();
        if spec.scheduled_tasks.len() > MAX_SCHEDULES {
            self.err(
                "scheduled_tasks",
                format!("at most {MAX_SCHEDULES} schedules, got {}", spec.scheduled_tasks.len()),
            );
            return (infos, bursts);
        }
        // Simulated time 0 is the scenario's `start`; without one, 1970-01-01T00:00Z (only rate schedules may do
        // without, since cron and at name wall-clock times).
        let start = spec.start.as_deref().and_then(schedule::parse_instant);
        let mut names = BTreeSet::new();
        let mut total = 0usize;
        for (i, st) in spec.scheduled_tasks.iter().enumerate() {
            let field = |name: &str| format!("scheduled_tasks[{i}].{name}");
            self.unique_name(field("name"), &st.name, &mut names, "scheduled_tasks entry");
            let parsed = match schedule::parse(&st.schedule) {
                Ok(s) => Some(s),
                Err(e) => {
                    self.err(field("schedule"), format!("`{}` is not a valid schedule expression {e}", st.schedule));
                    None
                }
            };
            let zone = match st.time_zone.as_deref().map(Zone::parse) {
                None => Zone::Fixed(0),
                Some(Ok(zone)) => zone,
                Some(Err(e)) => {
                    self.err(field("time_zone"), e);
                    Zone::Fixed(0)
                }
            };
            let task_def = self.find_task_def(&field("task_definition"), &st.task_definition, task_defs).unwrap_or(0);
            let strategy = self.workload_strategy(
                &format!("scheduled_tasks[{i}]"),
                st.launch_type,
                &st.capacity_provider_strategy,
                &st.task_definition,
                spec,
                providers,
            );
            let placement = Arc::new(self.placement(
                &format!("scheduled_tasks[{i}]"),
                &[],
                &[],
                &strategy,
                &[PlacementStrategySpec::Random],
            ));
            // EcsParameters.TaskCount: "Valid Range: Minimum value of 1. Maximum value of 10."
            if st.task_count == 0 || st.task_count > d::SCHEDULER_MAX_TASK_COUNT {
                self.err(
                    field("task_count"),
                    format!(
                        "a RunTask target starts 1 to {} tasks, got {}",
                        d::SCHEDULER_MAX_TASK_COUNT,
                        st.task_count
                    ),
                );
            }
            let window_ms = match st.flexible_time_window_minutes {
                None => 0,
                Some(m) if (1..=d::SCHEDULER_MAX_WINDOW_MINUTES).contains(&m) => u64::from(m) * 60_000,
                Some(m) => {
                    self.err(
                        field("flexible_time_window_minutes"),
                        format!("must be between 1 and {} minutes, got {m}", d::SCHEDULER_MAX_WINDOW_MINUTES),
                    );
                    0
                }
            };
            let retry = &st.retry_policy;
            let age = retry.maximum_event_age_s.unwrap_or(d::SCHEDULER_MAX_EVENT_AGE_S);
            if !(d::SCHEDULER_MIN_EVENT_AGE_S..=d::SCHEDULER_MAX_EVENT_AGE_S).contains(&age) {
                self.err(
                    field("retry_policy.maximum_event_age_s"),
                    format!(
                        "must be between {} and {} seconds, got {age}",
                        d::SCHEDULER_MIN_EVENT_AGE_S,
                        d::SCHEDULER_MAX_EVENT_AGE_S
                    ),
                );
            }
            let attempts = retry.maximum_retry_attempts.unwrap_or(d::SCHEDULER_MAX_RETRY_ATTEMPTS);
            if attempts > d::SCHEDULER_MAX_RETRY_ATTEMPTS {
                self.err(
                    field("retry_policy.maximum_retry_attempts"),
                    format!("must be between 0 and {}, got {attempts}", d::SCHEDULER_MAX_RETRY_ATTEMPTS),
                );
            }
            let Some(parsed) = parsed else { continue };
            let start_utc = match (start, &parsed) {
                (Some(s), _) => s,
                (None, Schedule::Rate { .. }) => 0,
                (None, _) => {
                    self.err(
                        field("schedule"),
                        "a cron or at schedule names wall-clock times: set the scenario's `start` (e.g. \
                         2026-12-02T20:00:00+09:00)",
                    );
                    continue;
                }
            };
            // Firings before the horizon's end (one at the very end could start nothing).
            let until = start_utc.saturating_add(i64::try_from(horizon.as_millis()).unwrap_or(i64::MAX)) - 1;
            let firings = parsed.firings(start_utc, until, zone, MAX_FIRINGS + 1 - total.min(MAX_FIRINGS));
            total += firings.len();
            if total > MAX_FIRINGS {
                self.err(
                    field("schedule"),
                    format!("the schedules fire more than {MAX_FIRINGS} times within the horizon; use a longer rate"),
                );
                return (infos, bursts);
            }
            let schedule_index = infos.len();
            infos.push(ScheduleInfo { name: st.name.clone(), expression: st.schedule.clone(), time_zone: zone });
            for t in firings {
                let at = SimTime(u64::try_from(t - start_utc).unwrap_or(0));
                bursts.push(RunTaskWorkload {
                    name: format!("{} @ {}", st.name, schedule::format_local(t, zone)),
                    at,
                    task_def,
                    count: st.task_count.clamp(1, d::SCHEDULER_MAX_TASK_COUNT),
                    // One RunTask call carries the whole target (TaskCount ≤ 10, the call's `count` limit).
                    tasks_per_call: d::MAX_TASKS_PER_RUN_TASK_CALL,
                    strategy: strategy.clone(),
                    assign_public_ip: st.assign_public_ip,
                    on_throttle: OnThrottle::Retry,
                    placement: Arc::clone(&placement),
                    scheduled: Some(ScheduledCall {
                        schedule: schedule_index,
                        window_ms,
                        max_event_age_ms: u64::from(
                            age.clamp(d::SCHEDULER_MIN_EVENT_AGE_S, d::SCHEDULER_MAX_EVENT_AGE_S),
                        ) * 1000,
                        max_retry_attempts: attempts.min(d::SCHEDULER_MAX_RETRY_ATTEMPTS),
                    }),
                });
            }
        }
        (infos, bursts)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{problems, spec};
    use super::*;

    fn check(extra: &str) -> (Vec<String>, crate::scenario::Scenario) {
        let mut v = Validator::default();
        let s = v.scenario(&spec(extra));
        (problems(&v), s)
    }

    #[test]
    fn firings_become_run_task_bursts_at_their_wall_clock_times() {
        let (p, s) = check(
            r#""start": "2026-12-02T20:00:00+09:00", "horizon_s": 86400,
               "scheduled_tasks": [{ "name": "nightly", "schedule": "cron(0 2 * * ? *)", "time_zone": "+09:00",
                                     "task_definition": "web", "task_count": 10 }]"#,
        );
        assert_eq!(p, Vec::<String>::new());
        assert_eq!(s.schedules.len(), 1);
        assert_eq!(s.run_tasks.len(), 1);
        assert_eq!(s.run_tasks[0].name, "nightly @ 2026-12-03T02:00+09:00");
        assert_eq!(s.run_tasks[0].at, SimTime(6 * 3_600_000));
        assert_eq!(s.run_tasks[0].count, 10);
        let call = s.run_tasks[0].scheduled.unwrap();
        assert_eq!((call.max_event_age_ms, call.max_retry_attempts, call.window_ms), (86_400_000, 185, 0));
    }

    #[test]
    fn bad_schedules_are_named_with_their_field_and_column() {
        let (p, _) = check(
            r#""start": "2026-12-02T20:00:00Z",
               "scheduled_tasks": [{ "name": "a", "schedule": "cron(0 24 * * ? *)", "task_definition": "web",
                                     "task_count": 11, "time_zone": "Asia/Tokio", "flexible_time_window_minutes": 0,
                                     "retry_policy": { "maximum_event_age_s": 30, "maximum_retry_attempts": 200 } }]"#,
        );
        assert_eq!(p.len(), 6, "{p:?}");
        assert!(p[0].starts_with("scheduled_tasks[0].schedule: `cron(0 24 * * ? *)` is not a valid schedule expression at column 8: Hours: 24 is out of range 0-23"));
        assert!(p[1].starts_with("scheduled_tasks[0].time_zone: `Asia/Tokio` is not"), "{p:?}");
        assert!(p[1].contains("Asia/Tokyo"), "the message lists the supported names: {p:?}");
        assert_eq!(p[2], "scheduled_tasks[0].task_count: a RunTask target starts 1 to 10 tasks, got 11");
        assert!(p[3].starts_with("scheduled_tasks[0].flexible_time_window_minutes: must be between 1 and 1440"));
        assert!(p[4].starts_with("scheduled_tasks[0].retry_policy.maximum_event_age_s: must be between 60 and 86400"));
        assert!(p[5].starts_with("scheduled_tasks[0].retry_policy.maximum_retry_attempts: must be between 0 and 185"));
    }

    #[test]
    fn cron_needs_a_start_and_firings_are_bounded() {
        let (p, _) =
            check(r#""scheduled_tasks": [{ "name": "a", "schedule": "cron(0 2 * * ? *)", "task_definition": "web" }]"#);
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("set the scenario's `start`"));
        let (p, s) = check(
            r#""horizon_s": 3600,
               "scheduled_tasks": [{ "name": "a", "schedule": "rate(10 minutes)", "task_definition": "web" }]"#,
        );
        assert_eq!(p, Vec::<String>::new());
        assert_eq!(
            s.run_tasks.iter().map(|r| r.at.as_millis() / 60_000).collect::<Vec<_>>(),
            vec![0, 10, 20, 30, 40, 50]
        );
        let (p, _) = check(
            r#""horizon_s": 604800,
               "scheduled_tasks": [{ "name": "a", "schedule": "rate(1 minute)", "task_definition": "web" }]"#,
        );
        assert_eq!(p, ["scheduled_tasks[0].schedule: the schedules fire more than 5000 times within the horizon; use a longer rate"]);
    }
}
