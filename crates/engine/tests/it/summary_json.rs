//! The page's run-ahead worker (web/src/runahead) sends the whole run's summary and time series to the page as JSON:
//! every preset's must read back to the identical values (the same struct, the same JSON text, every float exact).

use fleetplan_engine::output::{ChartMarker, TimeSeries};
use fleetplan_engine::{presets, RunOptions, Simulation, Summary};

#[test]
fn every_presets_summary_and_series_read_back_identically() {
    for preset in presets::all() {
        let scenario = preset.scenario().unwrap();
        let options = RunOptions { trace: false, check_invariants: false, keep_finished_tasks: false };
        let mut sim = Simulation::with_options(scenario, 7, options);
        sim.run_to_end();
        let summary = sim.metrics();
        let json = serde_json::to_string(&summary).unwrap();
        let back: Summary = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{}: {e}", preset.id));
        assert_eq!(serde_json::to_string(&back).unwrap(), json, "{}", preset.id);
        assert_eq!(back, summary, "{}", preset.id);
        let series = sim.series();
        let json = serde_json::to_string(series).unwrap();
        let back: TimeSeries = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{}: series: {e}", preset.id));
        // Compared as JSON text: the split series hold NaN (no value), which is never equal to itself.
        assert_eq!(serde_json::to_string(&back).unwrap(), json, "{}: series", preset.id);
        assert_eq!(back.columns, series.columns, "{}: series", preset.id);
        let markers = sim.chart_markers();
        let back: Vec<ChartMarker> = serde_json::from_str(&serde_json::to_string(&markers).unwrap()).unwrap();
        assert_eq!(back, markers, "{}: markers", preset.id);
    }
}
