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

/// A duration for people to read (the page's and the CLI's summary): under a minute in seconds with a tenth
/// ("45.3 s"), from a minute on as h:mm:ss rounded to the second ("0:03:23", "29:59:59"). Not finite or negative:
/// "–".
pub fn duration_text(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "–".to_string();
    }
    if secs < 59.95 {
        return format!("{secs:.1} s");
    }
    let whole = crate::narrow::trunc_u64(libm::round(secs));
    format!("{}:{:02}:{:02}", whole / 3600, whole / 60 % 60, whole % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_seconds_then_h_mm_ss() {
        assert_eq!(duration_text(0.0), "0.0 s");
        assert_eq!(duration_text(45.26), "45.3 s");
        assert_eq!(duration_text(59.96), "0:01:00");
        assert_eq!(duration_text(203.045), "0:03:23");
        assert_eq!(duration_text(3_600.0), "1:00:00");
        assert_eq!(duration_text(107_999.4), "29:59:59");
        assert_eq!(duration_text(f64::NAN), "–");
        assert_eq!(duration_text(-1.0), "–");
    }
}
