//! The queues part (`docs/model.md` §10): each Amazon SQS queue's messages in aggregate — arrivals integrated
//! exactly from the profile, the fluid backlog drained by the worker service's serving tasks, cohorts that carry
//! sent times (the age of the oldest message) and receive counts (the dead-letter queue), in-flight messages a
//! stopped worker leaves behind to reappear after the visibility timeout. A million messages cost no more events
//! than ten: the queue changes only at profile breakpoints, worker-count changes, its one-minute metric ticks and
//! the ends of visibility timeouts.

use super::{Event, Simulation};
use crate::demand::DrawnProfile;
use crate::ids::ServiceId;
use crate::output::{QueueColumn, QueueSummary, TraceWhat};
use crate::queue::{drain, Cohort, Cohorts, EPSILON};
use crate::time::SimTime;

/// SQS's CloudWatch metrics period: "CloudWatch metrics for your Amazon SQS queues are automatically collected
/// and pushed to CloudWatch at one-minute intervals" (*Available CloudWatch metrics for Amazon SQS*). The queue
/// is brought up to date at least this often.
pub(super) const TICK_MS: u64 = 60_000;

/// One queue's state.
pub(super) struct QueueRt {
    arrivals: DrawnProfile,
    cohorts: Cohorts,
    /// Messages waiting out a visibility timeout: (visible again at, messages).
    hidden: Vec<(u64, Cohort)>,
    /// Integrated up to here, with `workers` serving tasks since.
    last_ms: u64,
    workers: u32,
    messages_per_task: f64,
    processing_s: f64,
    /// The share of messages processed for longer than the visibility timeout (`queue::overrun_share`).
    overrun: f64,
    max_receive_count: Option<u32>,
    arrived: f64,
    processed: f64,
    redelivered: f64,
    dead_lettered: f64,
    /// Messages received again because their processing outlasted the visibility timeout.
    overran: f64,
    max_visible: f64,
    max_age_s: f64,
}

/// Every queue of the scenario, in file order.
#[derive(Default)]
pub(super) struct Queues {
    list: Vec<QueueRt>,
}

impl Queues {
    pub(super) fn is_used(&self) -> bool {
        !self.list.is_empty()
    }

    /// Messages are conserved: arrived = visible + in flight + hidden + processed + dead-lettered.
    pub(super) fn check(&self) -> Result<(), String> {
        for (i, q) in self.list.iter().enumerate() {
            let hidden: f64 = q.hidden.iter().map(|(_, c)| c.count).sum();
            let held = q.cohorts.visible() + q.cohorts.in_flight() + hidden + q.processed + q.dead_lettered;
            if (held - q.arrived).abs() > 1e-6 * q.arrived.max(1.0) {
                return Err(format!("queue {i}: {held} messages accounted for, {} arrived", q.arrived));
            }
        }
        Ok(())
    }
}

impl QueueRt {
    /// Integrates arrivals and the workers' receiving and processing from `last_ms` to `now`.
    fn advance(&mut self, now: u64) {
        if now <= self.last_ms {
            return;
        }
        let slots = f64::from(self.workers) * self.messages_per_task;
        // Each task holds `messages_per_task` messages and finishes one every `processing_s`: the throughput.
        let capacity = slots / self.processing_s;
        let pieces: Vec<(u64, u64, f64, f64)> = self.arrivals.pieces(self.last_ms, now).collect();
        for (a, b, r0, r1) in pieces {
            let seconds = (b - a) as f64 / 1000.0;
            let v0 = self.cohorts.visible();
            let (v1, high) = drain(v0, r0, r1, seconds, capacity);
            let arrived = (r0 + r1) / 2.0 * seconds;
            self.arrived += arrived;
            self.cohorts.arrive(a, b, arrived);
            self.cohorts.receive((v0 + arrived - v1).max(0.0));
            // In flight: every slot while messages wait, else what arrives during one processing time (Little).
            let holding = if v1 > EPSILON { slots } else { slots.min(r1 * self.processing_s) };
            let done = (self.cohorts.in_flight() - holding).max(0.0);
            for mut cohort in self.cohorts.complete(done) {
                // Processing longer than the visibility timeout: "If it's too short, the message might become
                // visible again before processing is complete, leading to duplicate processing" (*ReceiveMessage*,
                // VisibilityTimeout). Assumption: the late DeleteMessage, with the old receipt handle, does not
                // delete it. Simplification: it is visible again when the first worker finishes, not already at
                // receive + timeout.
                let again = cohort.split_share(self.overrun);
                self.processed += cohort.count;
                if again.count > EPSILON {
                    self.overran += again.count;
                    if self.max_receive_count.is_some_and(|m| again.receives >= m) {
                        self.dead_lettered += again.count;
                    } else {
                        self.cohorts.reappear(again);
                    }
                }
            }
            self.max_visible = self.max_visible.max(high);
            self.max_age_s = self.max_age_s.max(self.age_s(b));
        }
        self.last_ms = now;
    }

    /// ApproximateAgeOfOldestMessage at `now`, seconds (0 when nothing is visible).
    fn age_s(&self, now: u64) -> f64 {
        self.cohorts.oldest_sent_ms().map_or(0.0, |sent| now.saturating_sub(sent) as f64 / 1000.0)
    }
}

impl Simulation {
    /// Sets up each queue: draws its arrival noise (queues in order, after demand; scenarios without queues draw
    /// nothing) and schedules its first tick.
    pub(super) fn start_queues(&mut self) {
        let horizon = self.scenario.horizon.as_millis();
        for index in 0..self.scenario.queues.len() {
            let queue = &self.scenario.queues[index];
            let timeout_s = queue.visibility_timeout_ms as f64 / 1000.0;
            let max_receive_count = queue.max_receive_count;
            let rng = &mut self.rng;
            let arrivals = queue.arrivals.draw(horizon, || rng.unit());
            let consumer = self.scenario.services.iter().enumerate().find_map(|(s, service)| {
                service.worker.filter(|w| w.queue == index).map(|w| (ServiceId::from_index(s), w))
            });
            self.queues.list.push(QueueRt {
                arrivals,
                cohorts: Cohorts::default(),
                hidden: Vec::new(),
                last_ms: 0,
                workers: 0,
                messages_per_task: consumer.map_or(1.0, |(_, w)| f64::from(w.messages_per_task)),
                processing_s: consumer.map_or(1.0, |(_, w)| w.processing_s),
                overrun: consumer
                    .map_or(0.0, |(_, w)| crate::queue::overrun_share(w.processing_s, w.processing_spread, timeout_s)),
                max_receive_count,
                arrived: 0.0,
                processed: 0.0,
                redelivered: 0.0,
                dead_lettered: 0.0,
                overran: 0.0,
                max_visible: 0.0,
                max_age_s: 0.0,
            });
            self.schedule(SimTime(TICK_MS.min(horizon)), Event::QueueTick { queue: crate::narrow::u32_of(index) });
        }
    }

    /// The queue a worker service consumes.
    fn queue_of(&self, s: ServiceId) -> Option<usize> {
        self.scenario.services[s.index()].worker.map(|w| w.queue)
    }

    /// The one-minute tick: the queue brought up to date (its metrics, the chart).
    #[inline(never)]
    pub(super) fn queue_tick(&mut self, q: u32) {
        let now = self.now.as_millis();
        let q = q as usize;
        self.queues.list[q].advance(now);
        if now + TICK_MS <= self.scenario.horizon.as_millis() {
            self.schedule(SimTime(now + TICK_MS), Event::QueueTick { queue: crate::narrow::u32_of(q) });
        }
    }

    /// A worker service's serving count changed (after the event that changed it; the queue is integrated with the
    /// old count up to now). Fewer workers: the stopped ones' share of the in-flight messages is abandoned — they
    /// were received and not deleted, so "if the consumer fails before deleting the message ... the message
    /// becomes visible to other consumers and the message is received again" once the visibility timeout ends
    /// (*Amazon SQS visibility timeout*). Assumption: a worker stopped mid-message (scale-in, Spot, deployment,
    /// a failed health check) does not finish it on SIGTERM.
    pub(super) fn queue_workers_changed(&mut self, s: ServiceId, serving: u32) {
        let Some(q) = self.queue_of(s) else { return };
        let now = self.now.as_millis();
        let timeout = self.scenario.queues[q].visibility_timeout_ms;
        let rt = &mut self.queues.list[q];
        rt.advance(now);
        let before = rt.workers;
        rt.workers = serving;
        if serving >= before || before == 0 {
            return;
        }
        let abandoned = rt.cohorts.abandon(f64::from(before - serving) / f64::from(before));
        let messages: f64 = abandoned.iter().map(|c| c.count).sum();
        if messages <= EPSILON {
            return;
        }
        rt.redelivered += messages;
        let at = now + timeout;
        rt.hidden.extend(abandoned.into_iter().map(|c| (at, c)));
        let queue = self.scenario.queues[q].name.clone();
        self.record(TraceWhat::QueueAbandoned { queue, messages, visible_at: SimTime(at) });
        self.schedule(SimTime(at), Event::QueueVisible { queue: crate::narrow::u32_of(q) });
    }

    /// Visibility timeouts end: the messages are visible again, or — received maxReceiveCount times already —
    /// moved to the dead-letter queue ("the dead-letter queue to which Amazon SQS moves messages after the value
    /// of maxReceiveCount is exceeded", *RedrivePolicy*). Simplification: the move happens when they would be
    /// visible again, not at the next receive attempt (the same while workers are receiving).
    #[inline(never)]
    pub(super) fn queue_visible(&mut self, q: u32) {
        let now = self.now.as_millis();
        let q = q as usize;
        let max = self.scenario.queues[q].max_receive_count;
        let rt = &mut self.queues.list[q];
        rt.advance(now);
        let (due, rest): (Vec<_>, Vec<_>) = rt.hidden.iter().partition(|(at, _)| *at <= now);
        rt.hidden = rest;
        let (mut back, mut dead) = (0.0, 0.0);
        for (_, cohort) in due {
            if max.is_some_and(|m| cohort.receives >= m) {
                dead += cohort.count;
            } else {
                back += cohort.count;
                rt.cohorts.reappear(cohort);
            }
        }
        rt.dead_lettered += dead;
        let queue = self.scenario.queues[q].name.clone();
        if back > EPSILON {
            self.record(TraceWhat::QueueRedelivered { queue: queue.clone(), messages: back, dead_lettered: false });
        }
        if dead > EPSILON {
            self.record(TraceWhat::QueueRedelivered { queue, messages: dead, dead_lettered: true });
        }
    }

    /// The worker service's queue metrics now (the queue brought up to date): (visible, age of the oldest, s).
    pub(super) fn queue_reading(&mut self, s: ServiceId) -> Option<(f64, f64)> {
        let q = self.queue_of(s)?;
        let now = self.now.as_millis();
        let rt = &mut self.queues.list[q];
        rt.advance(now);
        Some((rt.cohorts.visible(), rt.age_s(now)))
    }

    /// The queue columns at `at` (state is brought up to date; advancing is exact, so sampling changes nothing).
    pub(super) fn queue_sample(&mut self, at: SimTime) -> [f64; QueueColumn::ALL.len()] {
        let (mut visible, mut in_flight, mut age) = (0.0, 0.0, 0.0_f64);
        for rt in &mut self.queues.list {
            rt.advance(at.as_millis());
            visible += rt.cohorts.visible();
            in_flight += rt.cohorts.in_flight();
            age = age.max(rt.age_s(at.as_millis()));
        }
        [visible, in_flight, age]
    }

    pub(super) fn queue_summaries(&self) -> Vec<QueueSummary> {
        self.scenario
            .queues
            .iter()
            .enumerate()
            .zip(&self.queues.list)
            .map(|((q, queue), rt)| {
                let worker = self.scenario.services.iter().position(|s| s.worker.is_some_and(|w| w.queue == q));
                let service = worker.map(ServiceId::from_index);
                let (scaling_actions, max_desired) = service.and_then(|s| self.demand.scaling_of(s)).unwrap_or((0, 0));
                (queue, rt, service, scaling_actions, max_desired)
            })
            .map(|(queue, rt, service, scaling_actions, max_desired)| QueueSummary {
                queue: queue.name.clone(),
                arrived: round(rt.arrived),
                processed: round(rt.processed),
                redelivered: round(rt.redelivered),
                dead_lettered: round(rt.dead_lettered),
                overran_visibility_timeout: round(rt.overran),
                max_visible: round(rt.max_visible),
                max_age_s: round(rt.max_age_s),
                visible_at_end: round(rt.cohorts.visible()),
                in_flight_at_end: round(rt.cohorts.in_flight()),
                hidden_at_end: round(rt.hidden.iter().map(|(_, c)| c.count).sum()),
                worker_service: service.map(|s| self.scenario.services[s.index()].name.clone()),
                scaling_actions,
                max_desired,
            })
            .collect()
    }
}

/// To thousandths, and never -0 (an empty fluid queue can compute as -0).
fn round(v: f64) -> f64 {
    libm::round(v * 1000.0) / 1000.0 + 0.0
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use crate::output::TraceWhat;
    use crate::time::SimTime;

    const QUEUE: &str = r#""queues": [{ "name": "q", "arrivals": [{ "type": "constant", "rps": 1 }],
                                       "visibility_timeout_s": 60, "max_receive_count": 1 }]"#;

    #[test]
    fn a_stopped_worker_leaves_its_messages_to_the_visibility_timeout_then_the_dead_letter_queue() {
        // Two workers holding 5 messages each (10 s per message: 1 per second in all, the arrival rate).
        let mut sim = testing::checked(testing::fargate(
            "",
            r#""desired_count": 2, "worker": { "queue": "q", "messages_per_task": 5, "processing_s": 10 }"#,
            &format!(
                r#"{QUEUE}, "events": [{{ "type": "scale", "at_s": 300, "service": "web", "desired_count": 1 }}]"#
            ),
        ));
        sim.step_until(SimTime(600_000));
        let abandoned = sim.trace().iter().find_map(|e| match &e.what {
            TraceWhat::QueueAbandoned { messages, visible_at, .. } => Some((e.time, *messages, *visible_at)),
            _ => None,
        });
        let (at, messages, visible_at) = abandoned.expect("a worker stopped mid-message");
        // The stopped worker's share of what is in flight, visible again 60 s later.
        assert!(messages > 0.0 && messages <= 5.0 + 1e-9, "{messages}");
        assert_eq!(visible_at, at.plus_ms(60_000));
        // Received once already with maxReceiveCount 1: they go to the dead-letter queue, not back.
        let summary = sim.metrics();
        assert!((summary.queues[0].dead_lettered - messages).abs() < 1e-9, "{:?}", summary.queues);
        sim.assert_invariants();
    }

    #[test]
    fn a_step_alarm_on_visible_messages_scales_a_worker_service_back_from_zero() {
        let mut sim = testing::checked(testing::fargate(
            "",
            r#""desired_count": 0, "worker": { "queue": "q", "processing_s": 1 },
               "autoscaling": { "min_capacity": 0, "max_capacity": 5, "step_scaling": [{
                   "metric": "ApproximateNumberOfMessagesVisible", "comparison": "GreaterThanOrEqualToThreshold",
                   "threshold": 1, "adjustment_type": "ChangeInCapacity",
                   "step_adjustments": [{ "lower_bound": 0, "scaling_adjustment": 1 }] }] }"#,
            QUEUE,
        ));
        // The period ending at 60 s reads 60 visible messages (no worker), published 60 s later: 0 -> 1 at 120 s.
        sim.step_until(SimTime(119_999));
        assert_eq!(sim.services.iter().next().expect("one").desired, 0);
        sim.step_until(SimTime(120_000));
        assert_eq!(sim.services.iter().next().expect("one").desired, 1);
        sim.assert_invariants();
    }

    #[test]
    fn millions_of_messages_cost_no_more_events_than_a_few() {
        let run = |rps: u32| {
            let mut sim = testing::checked(testing::fargate(
                "",
                r#""desired_count": 4, "worker": { "queue": "q", "messages_per_task": 10, "processing_s": 0.01 }"#,
                &format!(r#""queues": [{{ "name": "q", "arrivals": [{{ "type": "constant", "rps": {rps} }}] }}]"#),
            ));
            sim.run_to_end();
            sim.metrics()
        };
        // An hour at 1,000 messages/s (3.6 million, all processed by 4 tasks at 1,000/s each) and at 1/s.
        let (many, few) = (run(1_000), run(1));
        assert!((many.queues[0].arrived - 3_600_000.0).abs() < 1e-3, "{:?}", many.queues);
        assert!(many.queues[0].processed > 3_590_000.0, "{:?}", many.queues);
        assert_eq!(many.events, few.events);
        assert!(many.events < 1_000, "{}", many.events);
    }

    #[test]
    fn target_tracking_on_backlog_per_task_scales_in_proportion() {
        // 10 messages/s for one worker taking 1 s each: the backlog grows by about 9/s.
        let mut sim = testing::checked(testing::fargate(
            "",
            r#""desired_count": 1, "worker": { "queue": "q", "processing_s": 1 },
               "autoscaling": { "min_capacity": 1, "max_capacity": 30,
                   "target_tracking": [{ "metric": "SQSBacklogPerTask", "target": 100 }] }"#,
            r#""queues": [{ "name": "q", "arrivals": [{ "type": "constant", "rps": 10 }] }]"#,
        ));
        // The datapoints of the periods ending at 60, 120 and 180 s are over 100 per task; the third is published
        // at 240 s: ceil(1 x backlog(180 s) / 100), with about 1,800 arrived and 130 processed by then.
        sim.step_until(SimTime(239_999));
        assert_eq!(sim.services.iter().next().expect("one").desired, 1);
        sim.step_until(SimTime(240_000));
        let desired = sim.services.iter().next().expect("one").desired;
        assert!((15..=18).contains(&desired), "{desired}");
        let action = sim.trace().iter().find(|e| matches!(e.what, TraceWhat::ScalingAction { .. })).expect("acted");
        assert!(action.to_string().contains("(SQSBacklogPerTask 1"), "{action}");
    }

    #[test]
    fn processing_longer_than_the_visibility_timeout_redelivers_until_the_dead_letter_queue() {
        // 40 s per message against a 30 s timeout, no spread: every message is received again; after 2 receives it
        // goes to the dead-letter queue and none is ever deleted.
        let mut sim = testing::checked(testing::fargate(
            "",
            r#""desired_count": 2, "worker": { "queue": "q", "messages_per_task": 10, "processing_s": 40 }"#,
            r#""queues": [{ "name": "q", "arrivals": [{ "type": "spike", "at_s": 0, "duration_s": 60, "rps": 1 }],
                            "visibility_timeout_s": 30, "max_receive_count": 2 }]"#,
        ));
        sim.run_to_end();
        let q = &sim.metrics().queues[0];
        assert_eq!(q.processed, 0.0, "{q:?}");
        assert!((q.dead_lettered - 60.0).abs() < 1e-6 && (q.overran_visibility_timeout - 120.0).abs() < 1e-6, "{q:?}");
        // With a spread and a timeout at 3 x the mean, a small share (about 1%) is received again.
        let mut sim = testing::checked(testing::fargate(
            "",
            r#""desired_count": 2, "worker": { "queue": "q", "messages_per_task": 10, "processing_s": 10,
                                              "processing_spread": 0.8 }"#,
            r#""queues": [{ "name": "q", "arrivals": [{ "type": "constant", "rps": 1 }], "visibility_timeout_s": 30 }]"#,
        ));
        sim.run_to_end();
        let q = &sim.metrics().queues[0];
        let share = q.overran_visibility_timeout / q.processed;
        assert!(share > 0.01 && share < 0.1, "{q:?}");
    }
}
