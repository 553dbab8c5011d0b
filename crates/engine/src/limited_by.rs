//! What limited each service over time (`docs/model.md` §15.2): a run-length timeline per service of the kind of
//! [`crate::explain::Hold`] that held it back, recorded where the workflow cycle decides it (`sim/services/band.rs`),
//! and the measured share of the time per kind. The summary's `limited_by` is the largest share.
//!
//! Memory is bounded: a segment is added only when the kind changes; each service keeps at most
//! [`cap_per_service`] segments (at most [`TOTAL_SEGMENTS`] over all services, never fewer than
//! [`MIN_PER_SERVICE`] each). When a service's timeline is full it is coarsened: the segments before the current
//! one are merged in pairs, each pair taking the kind that lasted longer in it (the earlier on a tie), then
//! neighbours of the same kind are joined. The band gets coarser; the shares do not: they are accumulated exactly
//! per kind beside the segments.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::output::{Limiter, TASK_STARTUP};
use crate::time::SimTime;

/// Segments over all services at most (16 bytes each: 2 MiB), unless [`MIN_PER_SERVICE`] x services is more.
pub const TOTAL_SEGMENTS: usize = 131_072;
/// Segments per service at most.
pub const MAX_PER_SERVICE: usize = 4_096;
/// Segments per service at least, however many services (5,000 services x 32 = 160,000 segments, 2.4 MiB).
pub const MIN_PER_SERVICE: usize = 32;

/// The cap per service for a scenario of `services` services.
pub fn cap_per_service(services: usize) -> usize {
    (TOTAL_SEGMENTS / services.max(1)).clamp(MIN_PER_SERVICE, MAX_PER_SERVICE)
}

/// What held a service back: a limiter of the summary, its tasks being on their way (launched and starting, or
/// waiting for the next workflow cycle), or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Held {
    Limit(Limiter),
    /// Task startup and lifecycle: provisioning, image pull, start, health checks, the next workflow cycle.
    Startup,
    /// Nothing holds it: steady (or nothing of it is missing or on its way).
    Nothing,
}

/// What [`Held::Nothing`] prints as.
pub const NOTHING: &str = "nothing (steady)";

impl Held {
    pub const COUNT: usize = Limiter::COUNT + 2;

    pub fn index(self) -> usize {
        match self {
            Held::Limit(l) => l as usize,
            Held::Startup => Limiter::COUNT,
            Held::Nothing => Limiter::COUNT + 1,
        }
    }

    /// Every kind, in [`Held::index`] order.
    pub fn all() -> impl Iterator<Item = Held> {
        Limiter::ALL.into_iter().map(Held::Limit).chain([Held::Startup, Held::Nothing])
    }

    pub fn name(self) -> &'static str {
        match self {
            Held::Limit(l) => l.name(),
            Held::Startup => TASK_STARTUP,
            Held::Nothing => NOTHING,
        }
    }

    /// The summary's `limited_by` for it (`None`: task startup or nothing).
    pub fn limiter(self) -> Option<Limiter> {
        match self {
            Held::Limit(l) => Some(l),
            Held::Startup | Held::Nothing => None,
        }
    }
}

impl Serialize for Held {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Held {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Held::all()
            .find(|h| h.name() == text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown limiter `{text}`")))
    }
}

/// From `from_ms` on (until the next segment or the end of the run), the service was held by `held`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub from_ms: u64,
    pub held: Held,
}

/// One service's timeline, for the page's band and `fleetplan explain --timeline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceBand {
    pub service: String,
    pub segments: Vec<Segment>,
    /// Whether the timeline was coarsened to stay within its cap (its shares are exact all the same).
    pub coarsened: bool,
}

/// A kind's share of the time the service was held back (not [`Held::Nothing`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldShare {
    pub held: Held,
    /// Seconds the service spent held by it.
    pub seconds: f64,
    /// Of the time the service was held back by anything, 0..1.
    pub share: f64,
}

/// Shares of `held_ms` (indexed by [`Held::index`]), largest first (ties in [`Held::index`] order), without
/// [`Held::Nothing`]; empty when nothing held the service back.
pub fn shares(held_ms: &[u64; Held::COUNT]) -> Vec<HeldShare> {
    let total: u64 = Held::all().filter(|&h| h != Held::Nothing).map(|h| held_ms[h.index()]).sum();
    if total == 0 {
        return Vec::new();
    }
    let mut out: Vec<(u64, Held)> = Held::all()
        .filter(|&h| h != Held::Nothing && held_ms[h.index()] > 0)
        .map(|h| (held_ms[h.index()], h))
        .collect();
    crate::sort::sort_by(&mut out, |a, b| b.0.cmp(&a.0).then(a.1.index().cmp(&b.1.index())));
    out.into_iter()
        .map(|(ms, held)| HeldShare {
            held,
            seconds: ms as f64 / 1000.0,
            share: libm::round(ms as f64 / total as f64 * 10_000.0) / 10_000.0,
        })
        .collect()
}

/// One service's recorder: the segments, the kind now and since when, and the exact time per kind.
#[derive(Debug, Clone)]
pub(crate) struct Band {
    segments: Vec<Segment>,
    held_ms: [u64; Held::COUNT],
    current: Held,
    since: SimTime,
    cap: usize,
    coarsened: bool,
}

impl Band {
    /// A timeline that starts at time 0 with the service's tasks to launch at its first workflow cycle.
    pub(crate) fn new(cap: usize) -> Band {
        Band {
            segments: vec![Segment { from_ms: 0, held: Held::Startup }],
            held_ms: [0; Held::COUNT],
            current: Held::Startup,
            since: SimTime::ZERO,
            cap: cap.max(2),
            coarsened: false,
        }
    }

    pub(crate) fn current(&self) -> Held {
        self.current
    }

    /// From `now` on the service is held by `held`. O(1) unless the timeline is full (then O(cap), at most once
    /// per cap / 2 changes).
    pub(crate) fn set(&mut self, now: SimTime, held: Held) {
        if held == self.current {
            return;
        }
        let slot = &mut self.held_ms[self.current.index()];
        *slot = slot.saturating_add(now.since(self.since));
        self.current = held;
        self.since = now;
        let last = self.segments.last_mut().expect("a band has a segment");
        if last.from_ms == now.as_millis() {
            // Changed again at the same instant: only the last kind lasts.
            last.held = held;
            let n = self.segments.len();
            if n >= 2 && self.segments[n - 2].held == held {
                self.segments.pop();
            }
            return;
        }
        self.segments.push(Segment { from_ms: now.as_millis(), held });
        if self.segments.len() > self.cap {
            self.coarsen();
        }
    }

    /// Merges the segments before the last in pairs (the longer kind of each pair wins, the earlier on a tie), then
    /// joins neighbours of the same kind.
    fn coarsen(&mut self) {
        self.coarsened = true;
        let last = self.segments.pop().expect("full");
        let ends: Vec<u64> = self.segments.iter().skip(1).map(|s| s.from_ms).chain([last.from_ms]).collect();
        let mut merged: Vec<Segment> = Vec::with_capacity(self.segments.len() / 2 + 2);
        for (i, pair) in self.segments.chunks(2).enumerate() {
            let first = pair[0];
            let held = match pair.get(1) {
                Some(second) => {
                    let a = ends[2 * i] - first.from_ms;
                    let b = ends[2 * i + 1] - second.from_ms;
                    if b > a {
                        second.held
                    } else {
                        first.held
                    }
                }
                None => first.held,
            };
            if merged.last().is_none_or(|m| m.held != held) {
                merged.push(Segment { from_ms: first.from_ms, held });
            }
        }
        if merged.last().is_none_or(|m| m.held != last.held) {
            merged.push(last);
        }
        self.segments = merged;
    }

    /// Time per kind up to `now` (exact whatever the coarsening).
    pub(crate) fn held_ms_at(&self, now: SimTime) -> [u64; Held::COUNT] {
        let mut out = self.held_ms;
        let slot = &mut out[self.current.index()];
        *slot = slot.saturating_add(now.since(self.since));
        out
    }

    pub(crate) fn timeline(&self, service: String) -> ServiceBand {
        ServiceBand { service, segments: self.segments.clone(), coarsened: self.coarsened }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SimTime {
        SimTime(ms)
    }

    #[test]
    fn segments_merge_when_unchanged_and_shares_are_exact() {
        let mut band = Band::new(100);
        band.set(at(1_000), Held::Limit(Limiter::ServiceLaunchRate));
        band.set(at(6_000), Held::Limit(Limiter::ServiceLaunchRate));
        band.set(at(11_000), Held::Startup);
        band.set(at(11_000), Held::Limit(Limiter::ServiceLaunchRate));
        band.set(at(21_000), Held::Nothing);
        let t = band.timeline("web".into());
        let kinds: Vec<(u64, Held)> = t.segments.iter().map(|s| (s.from_ms, s.held)).collect();
        assert_eq!(
            kinds,
            vec![(0, Held::Startup), (1_000, Held::Limit(Limiter::ServiceLaunchRate)), (21_000, Held::Nothing)]
        );
        let ms = band.held_ms_at(at(30_000));
        assert_eq!(ms[Held::Startup.index()], 1_000);
        assert_eq!(ms[Held::Limit(Limiter::ServiceLaunchRate).index()], 20_000);
        assert_eq!(ms[Held::Nothing.index()], 9_000);
        let s = shares(&ms);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].held, s[0].seconds, s[0].share), (Held::Limit(Limiter::ServiceLaunchRate), 20.0, 0.9524));
        assert_eq!((s[1].held, s[1].seconds), (Held::Startup, 1.0));
        assert!(shares(&[0; Held::COUNT]).is_empty());
    }

    /// A timeline that alternates every second stays within its cap; the longer kind of each pair survives and
    /// the time per kind is still exact.
    #[test]
    fn a_full_timeline_is_coarsened_within_its_cap() {
        let mut band = Band::new(16);
        let backoff = Held::Limit(Limiter::Backoff);
        for i in 1..=1_000u64 {
            // Backoff lasts 3 s, startup 1 s.
            let held = if i % 2 == 1 { backoff } else { Held::Startup };
            let from = (i - 1) / 2 * 4_000 + if i % 2 == 1 { 0 } else { 3_000 };
            band.set(at(from), held);
        }
        let t = band.timeline("web".into());
        assert!(t.coarsened);
        assert!(t.segments.len() <= 16, "{}", t.segments.len());
        assert!(t.segments.windows(2).all(|w| w[0].from_ms < w[1].from_ms && w[0].held != w[1].held));
        assert_eq!(t.segments.last().map(|s| s.held), Some(band.current()));
        let ms = band.held_ms_at(at(500 * 4_000));
        assert_eq!((ms[backoff.index()], ms[Held::Startup.index()]), (500 * 3_000, 500 * 1_000));
    }

    #[test]
    fn the_cap_per_service_is_bounded_both_ways() {
        assert_eq!(cap_per_service(1), MAX_PER_SERVICE);
        assert_eq!(cap_per_service(0), MAX_PER_SERVICE);
        assert_eq!(cap_per_service(100), 1_310);
        assert_eq!(cap_per_service(5_000), MIN_PER_SERVICE);
    }

    #[test]
    fn names_read_back() {
        for held in Held::all() {
            let json = serde_json::to_string(&held).expect("serialises");
            assert_eq!(serde_json::from_str::<Held>(&json).expect("reads back"), held);
        }
    }
}
