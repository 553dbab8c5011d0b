//! A latency as a scenario states it, mean seconds and a relative spread: a value of the file format (`spec`) that
//! the defaults (`defaults`) are written in too, kept apart so neither of those two modules imports the other's.

use serde::{Deserialize, Serialize};

/// A latency step: mean seconds and relative spread (coefficient of variation of a log-normal draw).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyStep {
    pub mean_s: f64,
    #[serde(default)]
    pub spread: f64,
}
