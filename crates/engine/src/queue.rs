//! Amazon SQS queues in aggregate (`docs/model.md` §10): messages are counts, never one event each. Pure: the
//! fluid backlog over a linear piece of arrivals (exact), and the cohorts that carry the messages' sent times and
//! receive counts through the visible queue, the workers' hands (in flight) and the visibility timeout. The
//! simulation (`sim/queues.rs`) calls these between events.

use std::collections::VecDeque;

/// A validated queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Queue {
    pub name: String,
    /// Arrivals, messages per second.
    pub arrivals: crate::demand::Profile,
    pub visibility_timeout_ms: u64,
    /// The redrive policy's maxReceiveCount (`None`: no dead-letter queue).
    pub max_receive_count: Option<u32>,
}

/// A validated worker: which queue its service's tasks consume and how fast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Worker {
    pub queue: usize,
    pub messages_per_task: u32,
    pub processing_s: f64,
    /// Coefficient of variation of the processing time (log-normal).
    pub processing_spread: f64,
}

/// The share of messages whose processing takes longer than the visibility timeout, for a log-normal processing
/// time of mean `mean_s` and coefficient of variation `spread` (σ² = ln(1 + spread²), μ = ln mean − σ²/2):
/// P(T > timeout) = erfc((ln timeout − μ) / (σ√2)) / 2. Without spread: all or none.
pub fn overrun_share(mean_s: f64, spread: f64, timeout_s: f64) -> f64 {
    if spread <= 0.0 || timeout_s <= 0.0 {
        return if mean_s > timeout_s { 1.0 } else { 0.0 };
    }
    let sigma2 = libm::log(1.0 + spread * spread);
    let mu = libm::log(mean_s) - sigma2 / 2.0;
    (libm::erfc((libm::log(timeout_s) - mu) / crate::float::sqrt(2.0 * sigma2)) / 2.0).clamp(0.0, 1.0)
}

/// Below this many messages a cohort is empty (rounding of the fluid arithmetic).
pub const EPSILON: f64 = 1e-9;

/// Messages sent during `[from_ms, to_ms)` (spread evenly over it) that share a receive count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cohort {
    pub from_ms: u64,
    pub to_ms: u64,
    pub count: f64,
    /// How many times these messages have been received (SQS's ApproximateReceiveCount).
    pub receives: u32,
}

impl Cohort {
    /// Splits off the oldest `take` messages (at most `count`): they were sent first.
    fn split_front(&mut self, take: f64) -> Cohort {
        let take = take.min(self.count);
        let span = self.to_ms - self.from_ms;
        let cut = if self.count > 0.0 {
            self.from_ms + crate::narrow::trunc_u64((span as f64 * take / self.count).clamp(0.0, span as f64))
        } else {
            self.to_ms
        };
        let front = Cohort { from_ms: self.from_ms, to_ms: cut, count: take, receives: self.receives };
        self.from_ms = cut;
        self.count -= take;
        front
    }

    /// Splits off a share of the messages (the same sent times), leaving the rest.
    pub fn split_share(&mut self, share: f64) -> Cohort {
        let taken = self.count * share.clamp(0.0, 1.0);
        self.count -= taken;
        Cohort { count: taken, ..*self }
    }
}

/// The visible backlog after a piece of `seconds` in which messages arrive at a rate going linearly from `r0` to
/// `r1` and the workers take them at up to `capacity` messages per second: the fluid queue, reflected at zero.
/// With N(t) = ∫ (arrivals − capacity), the backlog is `v0 + N(T) + max(0, −v0 − min N)`; N is quadratic, so
/// its minimum is at an end or where the net rate crosses zero. Returns (backlog at the end, the highest backlog
/// within the piece).
pub fn drain(v0: f64, r0: f64, r1: f64, seconds: f64, capacity: f64) -> (f64, f64) {
    if seconds <= 0.0 {
        return (v0, v0);
    }
    let (a, b) = (r0 - capacity, r1 - capacity);
    let n = |t: f64| a * t + (b - a) * t * t / (2.0 * seconds);
    // Where the net rate is zero, if inside the piece.
    let cross = if (a < 0.0) != (b < 0.0) && a != b { Some(seconds * a / (a - b)) } else { None };
    let mut min_n = n(seconds).min(0.0);
    if let Some(t) = cross {
        min_n = min_n.min(n(t));
    }
    let end = (v0 + n(seconds) + (-v0 - min_n).max(0.0)).max(0.0);
    // The highest backlog: at the start, the end, or where arrivals fall below capacity (net from + to −).
    let mut high = v0.max(end);
    if let Some(t) = cross.filter(|_| a > 0.0) {
        high = high.max(v0 + n(t));
    }
    (end, high)
}

/// A queue's messages by where they are: visible (sorted by sent time, oldest first), in flight (oldest received
/// first) and waiting out a visibility timeout after a worker stopped holding them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cohorts {
    pub visible: VecDeque<Cohort>,
    pub in_flight: VecDeque<Cohort>,
}

/// Cohorts of fresh arrivals merge with the newest one while it spans less than this: the age of the oldest
/// message is exact to within it, and a day of backlog is at most 1,440 cohorts.
pub const COHORT_SPAN_MS: u64 = 60_000;

fn total(list: &VecDeque<Cohort>) -> f64 {
    // A fold from +0: an empty queue reads 0, not the -0 of `sum`.
    list.iter().fold(0.0, |sum, c| sum + c.count)
}

impl Cohorts {
    pub fn visible(&self) -> f64 {
        total(&self.visible)
    }

    pub fn in_flight(&self) -> f64 {
        total(&self.in_flight)
    }

    /// Messages sent during `[from, to)`, never received.
    pub fn arrive(&mut self, from_ms: u64, to_ms: u64, count: f64) {
        if count <= EPSILON {
            return;
        }
        if let Some(last) = self.visible.back_mut() {
            if last.receives == 0 && last.to_ms == from_ms && to_ms - last.from_ms <= COHORT_SPAN_MS {
                last.to_ms = to_ms;
                last.count += count;
                return;
            }
        }
        self.visible.push_back(Cohort { from_ms, to_ms, count, receives: 0 });
    }

    /// Messages visible again (a visibility timeout ran out): in sent-time order.
    pub fn reappear(&mut self, cohort: Cohort) {
        let at = self.visible.partition_point(|c| c.from_ms <= cohort.from_ms);
        self.visible.insert(at, cohort);
    }

    /// The workers receive `count` messages, oldest sent first; each one's receive count goes up by one.
    pub fn receive(&mut self, mut count: f64) {
        while count > EPSILON {
            let Some(front) = self.visible.front_mut() else { break };
            let mut taken = front.split_front(count);
            count -= taken.count;
            if front.count <= EPSILON {
                self.visible.pop_front();
            }
            taken.receives = taken.receives.saturating_add(1);
            self.in_flight.push_back(taken);
        }
    }

    /// The workers finish `count` in-flight messages, the oldest received first: returned, for the caller to
    /// delete (or, for those whose visibility timeout ran out first, to put back).
    pub fn complete(&mut self, mut count: f64) -> Vec<Cohort> {
        let mut out = Vec::new();
        while count > EPSILON {
            let Some(front) = self.in_flight.front_mut() else { break };
            let done = front.split_front(count);
            count -= done.count;
            if front.count <= EPSILON {
                self.in_flight.pop_front();
            }
            out.push(done);
        }
        out
    }

    /// A share of the in-flight messages whose worker stopped: they leave the workers' hands (the same mix of
    /// sent times and receive counts as all in flight) and wait out the visibility timeout.
    ///
    /// Bounded: one cohort per receive count (spanning its messages' sent times), so repeated interruptions do
    /// not fragment the queue.
    pub fn abandon(&mut self, share: f64) -> Vec<Cohort> {
        let mut out: Vec<Cohort> = Vec::new();
        for part in self.in_flight.iter_mut().map(|c| c.split_share(share)).filter(|c| c.count > EPSILON) {
            match out.iter_mut().find(|c| c.receives == part.receives) {
                Some(c) => {
                    c.from_ms = c.from_ms.min(part.from_ms);
                    c.to_ms = c.to_ms.max(part.to_ms);
                    c.count += part.count;
                }
                None => out.push(part),
            }
        }
        self.in_flight.retain(|c| c.count > EPSILON);
        crate::sort::sort_by_key(&mut out, |c| c.receives);
        out
    }

    /// The sent time of the oldest visible message: for ApproximateAgeOfOldestMessage.
    pub fn oldest_sent_ms(&self) -> Option<u64> {
        self.visible.iter().filter(|c| c.count > EPSILON).map(|c| c.from_ms).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_share_over_the_visibility_timeout_follows_the_log_normal() {
        // No spread: all or nothing.
        assert_eq!(overrun_share(40.0, 0.0, 30.0), 1.0);
        assert_eq!(overrun_share(20.0, 0.0, 30.0), 0.0);
        // A timeout at the median (mean / sqrt(1 + cv^2)) leaves half over it.
        let median = 10.0 / crate::float::sqrt(1.0 + 0.25);
        assert!((overrun_share(10.0, 0.5, median) - 0.5).abs() < 1e-9);
        // Ten times the mean with a spread of 0.5: a tiny share.
        let tail = overrun_share(10.0, 0.5, 100.0);
        assert!(tail > 0.0 && tail < 1e-5, "{tail}");
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn the_backlog_grows_by_arrivals_above_capacity_and_never_goes_negative() {
        // 10/s for 60 s with capacity 4: 360 more.
        assert!(close(drain(0.0, 10.0, 10.0, 60.0, 4.0).0, 360.0));
        // Capacity above arrivals: 100 drain at 6/s net, empty after 16.7 s, stays empty.
        assert!(close(drain(100.0, 4.0, 4.0, 60.0, 10.0).0, 0.0));
        // A ramp from 0 to 20 against 10: empty until 30 s, then grows by the triangle 0.5 x 30 x 10 = 150.
        assert!(close(drain(0.0, 0.0, 20.0, 60.0, 10.0).0, 150.0));
        // A falling ramp 20 -> 0 against 10: grows to 150 at 30 s, then drains 150: back to 0; the peak is 150.
        let (end, high) = drain(0.0, 20.0, 0.0, 60.0, 10.0);
        assert!(close(end, 0.0) && close(high, 150.0), "{end} {high}");
        // No workers: everything that arrives waits.
        assert!(close(drain(5.0, 1.0, 3.0, 10.0, 0.0).0, 25.0));
    }

    #[test]
    fn cohorts_go_oldest_first_and_keep_their_receive_counts() {
        let mut q = Cohorts::default();
        q.arrive(0, 10_000, 100.0);
        q.arrive(10_000, 20_000, 100.0);
        // Merged: one cohort spanning 20 s.
        assert_eq!(q.visible.len(), 1);
        q.receive(50.0);
        assert!(close(q.visible(), 150.0) && close(q.in_flight(), 50.0));
        // The oldest quarter went: the oldest visible was sent at 5 s.
        assert_eq!(q.oldest_sent_ms(), Some(5_000));
        assert_eq!(q.in_flight[0].receives, 1);
        // A worker holding half stops: 25 wait out the timeout with receive count 1, then come back first.
        let gone = q.abandon(0.5);
        assert!(close(gone.iter().map(|c| c.count).sum(), 25.0));
        q.reappear(gone[0]);
        assert_eq!(q.oldest_sent_ms(), Some(0));
        let done = q.complete(25.0);
        assert!(close(done.iter().map(|c| c.count).sum(), 25.0));
        assert!(close(q.in_flight(), 0.0));
        q.receive(25.0);
        assert_eq!(q.in_flight[0].receives, 2);
    }
}
