//! The calibration table: each published 1,000-task benchmark row (`docs/model.md` §7) against the engine's
//! simulated time for the matching preset, with default settings.

use crate::presets;

/// How far a simulated time may be from the published one.
pub const TOLERANCE: f64 = 0.10;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CalibrationRow {
    pub preset: &'static str,
    pub published_s: f64,
    /// `None` when the run did not complete within its horizon.
    pub simulated_s: Option<f64>,
    pub error_percent: Option<f64>,
    pub within_tolerance: bool,
}

/// Runs every calibration preset with `seed`.
pub fn run(seed: u64) -> Vec<CalibrationRow> {
    presets::all()
        .iter()
        .filter_map(|preset| {
            let published_s = preset.published_s?;
            let scenario = preset.scenario().ok()?;
            let simulated_s = crate::run(scenario, seed).completion_s;
            let error_percent = simulated_s.map(|s| (s - published_s) / published_s * 100.0);
            Some(CalibrationRow {
                preset: preset.id,
                published_s,
                simulated_s,
                error_percent: error_percent.map(|e| (e * 10.0).round() / 10.0),
                within_tolerance: error_percent.is_some_and(|e| e.abs() <= TOLERANCE * 100.0),
            })
        })
        .collect()
}
