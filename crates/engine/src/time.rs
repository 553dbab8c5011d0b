//! Simulated time: integer milliseconds since the start of a run, so every platform orders events identically.

use std::fmt;

/// A point in simulated time, in milliseconds since the run started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    pub fn from_secs_f64(secs: f64) -> SimTime {
        SimTime(secs_to_ms(secs))
    }

    pub fn as_millis(self) -> u64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    pub fn plus_ms(self, ms: u64) -> SimTime {
        SimTime(self.0.saturating_add(ms))
    }

    pub fn since(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}s", self.0 / 1000, self.0 % 1000)
    }
}

/// Seconds (as written in scenarios) to whole milliseconds, rounding to nearest; negatives clamp to zero.
pub fn secs_to_ms(secs: f64) -> u64 {
    if secs.is_finite() && secs > 0.0 {
        crate::narrow::round_u64(secs * 1000.0)
    } else {
        0
    }
}

/// Milliseconds to seconds rounded to the millisecond, for summaries.
pub fn ms_to_secs(ms: u64) -> f64 {
    ms as f64 / 1000.0
}
