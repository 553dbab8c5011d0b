//! The launch-rate chart: tasks launched per second by capacity type (Fargate, Fargate Spot, EC2, EC2 Spot), averaged over 5-second bins (one scheduler
//! workflow cycle), drawn with plotters on a canvas. Colours are from the Okabe–Ito colour-blind-safe palette.

use fleetplan_engine::output::col;
use fleetplan_engine::scenario::CapacityType;
use fleetplan_engine::TimeSeries;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// One colour per capacity type (indexed like `CapacityType::ALL`): blue, orange, bluish green, vermillion,
/// reddish purple.
const CAPACITY_COLOURS: [RGBColor; 5] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
];
const AXIS_GREY: RGBColor = RGBColor(90, 90, 90);
const BIN_S: f64 = 5.0;

/// A line to draw: its points, colour and legend label.
type Line = (Vec<(f64, f64)>, RGBColor, &'static str);

/// Averages a per-sample rate over bins of `BIN_S` seconds: returns (bin end time, mean rate) points.
fn binned(series: &TimeSeries, column: usize) -> Vec<(f64, f64)> {
    let interval_s = series.interval_ms as f64 / 1000.0;
    let per_bin = ((BIN_S / interval_s).round() as usize).max(1);
    series
        .column(column)
        .chunks(per_bin)
        .enumerate()
        .map(|(i, chunk)| {
            let end = series.time_s((i * per_bin + chunk.len()).saturating_sub(1));
            (end, chunk.iter().sum::<f64>() / chunk.len() as f64)
        })
        .collect()
}

pub fn draw_launch_rate(canvas: web_sys::HtmlCanvasElement, series: &TimeSeries) -> Result<(), String> {
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let lines: Vec<Line> = CapacityType::ALL
        .iter()
        .map(|c| (binned(series, col::LAUNCHES + c.index()), CAPACITY_COLOURS[c.index()], c.name()))
        .filter(|(points, _, _)| points.iter().any(|&(_, v)| v > 0.0))
        .collect();
    let end_s = series.time_s(series.len().saturating_sub(1)).max(1.0);
    let peak = lines.iter().flat_map(|(points, _, _)| points).map(|&(_, v)| v).fold(1.0, f64::max);

    let mut chart = ChartBuilder::on(&root)
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..end_s, 0.0..peak * 1.1)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("simulated time (s)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc("tasks launched / s (5 s average)")
        .axis_desc_style(("sans-serif", 16).into_font().color(&AXIS_GREY))
        .label_style(("sans-serif", 14).into_font().color(&AXIS_GREY))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|e| e.to_string())?;
    for (points, colour, name) in lines {
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(3)))
            .map_err(|e| e.to_string())?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(AXIS_GREY)
        .label_font(("sans-serif", 15).into_font())
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}
