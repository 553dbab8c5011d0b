//! Validation of the scenario's Amazon SQS queues and of the services that consume them (`docs/model.md` §10).

use super::Validator;
use crate::queue::{Queue, Worker};
use crate::spec::{ScenarioSpec, ServiceSpec, WorkerSpec};

/// The most queues in one scenario (the engine's limit).
pub(super) const MAX_QUEUES: usize = 100;
/// SQS's visibility timeout: "The default visibility timeout for a message is 30 seconds. The minimum is 0
/// seconds. The maximum is 12 hours." (*Amazon SQS visibility timeout*).
const VISIBILITY_DEFAULT_S: f64 = 30.0;
const VISIBILITY_MAX_S: f64 = 12.0 * 3_600.0;
/// The redrive policy's maxReceiveCount: 1 to 1,000.
const MAX_RECEIVE_COUNT: u32 = 1_000;
/// Messages one task holds at once: ReceiveMessage returns at most 10 per call; a task may make many calls,
/// bounded here by the engine.
const MAX_MESSAGES_PER_TASK: u32 = 10_000;

impl Validator {
    pub(super) fn queues(&mut self, spec: &ScenarioSpec, start_offset: &crate::demand::DayClock) -> Vec<Queue> {
        let mut names: Vec<&str> = Vec::new();
        spec.queues
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let f = format!("queues[{i}]");
                if q.name.trim().is_empty() {
                    self.err(format!("{f}.name"), "must not be empty");
                } else if names.contains(&q.name.as_str()) {
                    self.err(format!("{f}.name"), format!("another queue is named {:?}", q.name));
                }
                names.push(&q.name);
                if q.max_receive_count.is_some_and(|m| !(1..=MAX_RECEIVE_COUNT).contains(&m)) {
                    self.err(format!("{f}.max_receive_count"), format!("must be between 1 and {MAX_RECEIVE_COUNT}"));
                }
                Queue {
                    name: q.name.clone(),
                    arrivals: self.profile(&format!("{f}.arrivals"), &q.arrivals, spec.horizon_s, start_offset),
                    visibility_timeout_ms: self.seconds(
                        &format!("{f}.visibility_timeout_s"),
                        q.visibility_timeout_s.unwrap_or(VISIBILITY_DEFAULT_S),
                        0.0,
                        VISIBILITY_MAX_S,
                    ),
                    max_receive_count: q.max_receive_count.map(|m| m.clamp(1, MAX_RECEIVE_COUNT)),
                }
            })
            .collect()
    }

    pub(super) fn worker(
        &mut self,
        field: &str,
        spec: &WorkerSpec,
        service: &ServiceSpec,
        scenario: &ScenarioSpec,
        consumed: &mut Vec<usize>,
    ) -> Worker {
        let queue = scenario.queues.iter().position(|q| q.name == spec.queue);
        match queue {
            None => self.err(format!("{field}.queue"), format!("no queue is named {:?}", spec.queue)),
            Some(q) if consumed.contains(&q) => self.err(
                format!("{field}.queue"),
                "another service already consumes this queue (one worker service per queue)",
            ),
            Some(q) => consumed.push(q),
        }
        if service.demand.is_some() {
            self.err(field.to_string(), "a service has a demand or a worker, not both");
        }
        // Default 1: ReceiveMessage's MaxNumberOfMessages ("Valid values: 1 to 10. Default: 1", *ReceiveMessage*),
        // a worker that takes one message at a time.
        let messages_per_task = spec.messages_per_task.unwrap_or(1);
        if !(1..=MAX_MESSAGES_PER_TASK).contains(&messages_per_task) {
            self.err(
                format!("{field}.messages_per_task"),
                format!("must be between 1 and {MAX_MESSAGES_PER_TASK}, got {messages_per_task}"),
            );
        }
        Worker {
            queue: queue.unwrap_or(0),
            messages_per_task: messages_per_task.clamp(1, MAX_MESSAGES_PER_TASK),
            processing_s: self.number(&format!("{field}.processing_s"), spec.processing_s, 0.001, 86_400.0),
            processing_spread: self.number(
                &format!("{field}.processing_spread"),
                spec.processing_spread.unwrap_or(0.0),
                0.0,
                10.0,
            ),
        }
    }
}
