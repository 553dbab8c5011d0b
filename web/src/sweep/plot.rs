//! The sweep's charts on `<canvas>` with plotters: an outcome against one field (median line, p5–p95 band), a heat
//! map of the median over a two-field grid, and a histogram over seeds for a sweep without fields. The data each
//! draws is prepared by pure functions tested natively.

use crate::i18n::tr;
use fleetplan_engine::sweep::{Histogram, Report, Scale};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

const BLUE: RGBColor = RGBColor(0, 114, 178);
const GRID: RGBColor = RGBColor(225, 225, 225);
const INK: RGBColor = RGBColor(30, 30, 30);

/// One field's points for the chosen outcome: (x, p5, median, p95) where the point's runs have a value; x is the
/// field's value, or its base-10 logarithm on a log axis.
pub fn band(report: &Report, outcome: usize) -> Vec<(f64, f64, f64, f64)> {
    let log = report.axes.first().is_some_and(|a| a.scale == Scale::Log);
    report
        .results
        .iter()
        .filter_map(|p| {
            let s = p.stats.get(outcome)?;
            let x = *p.values.first()?;
            let x = if log { x.log10() } else { x };
            Some((x, s.p5?, s.median?, s.p95?))
        })
        .filter(|(x, ..)| x.is_finite())
        .collect()
}

/// A range with room: never empty (plotters needs from < to), padded by 5% on a y axis.
fn span(lo: f64, hi: f64, pad: bool) -> (f64, f64) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    if hi <= lo {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - d, hi + d);
    }
    let p = if pad { (hi - lo) * 0.05 } else { 0.0 };
    (lo - p, hi + p)
}

/// Short text for an axis label.
fn label(v: f64) -> String {
    if v == 0.0 || (v.abs() >= 0.01 && v.abs() < 1e6) {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.2e}")
    }
}

/// `v` rounded to `digits` significant digits.
fn significant(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(v.abs().log10().floor() as i32 + 1 - digits);
    (v / scale).round() * scale
}

/// A whole canvas to draw on.
type Area = DrawingArea<CanvasBackend, Shift>;

/// The canvas's drawing area filled white, its backing store sized for the device pixel ratio, and that ratio;
/// None while the canvas has no size on screen.
fn prepare(canvas: &web_sys::HtmlCanvasElement) -> Result<Option<(Area, f64)>, String> {
    let (w, h) = (f64::from(canvas.client_width()), f64::from(canvas.client_height()));
    if w <= 0.0 || h <= 0.0 {
        return Ok(None);
    }
    let dpr = crate::dom::device_pixel_ratio();
    crate::dom::resize_backing_store(canvas, (w * dpr).round() as u32, (h * dpr).round() as u32);
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return Ok(None) };
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    Ok(Some((root, dpr)))
}

/// A chart's frame on `area`: the margin and the axes' label areas, the y axis's `y_labels_px` CSS pixels wide.
fn frame<'a, 'b>(area: &'a Area, dpr: f64, y_labels_px: f64) -> ChartBuilder<'a, 'b, CanvasBackend> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin((12.0 * dpr) as u32)
        .x_label_area_size((44.0 * dpr) as u32)
        .y_label_area_size((y_labels_px * dpr) as u32);
    builder
}

/// The charts' text: sans-serif of `size` device pixels, in ink.
fn ink(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&INK)
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The outcome's median against the field, with the p5–p95 band.
pub fn draw_line(
    canvas: &web_sys::HtmlCanvasElement,
    report: &Report,
    outcome: usize,
    y_desc: &str,
) -> Result<(), String> {
    let Some((root, dpr)) = prepare(canvas)? else { return Ok(()) };
    let data = band(report, outcome);
    let axis = &report.axes[0];
    let log = axis.scale == Scale::Log;
    let (x0, x1) = span(
        data.iter().map(|d| d.0).fold(f64::INFINITY, f64::min),
        data.iter().map(|d| d.0).fold(f64::NEG_INFINITY, f64::max),
        false,
    );
    let (y0, y1) = span(
        data.iter().map(|d| d.1).fold(f64::INFINITY, f64::min),
        data.iter().map(|d| d.3).fold(f64::NEG_INFINITY, f64::max),
        true,
    );
    let font = (13.0 * dpr) as u32;
    let mut chart = frame(&root, dpr, 80.0).build_cartesian_2d(x0..x1, y0..y1).map_err(err)?;
    // A log axis's ticks fall between the points: three significant digits are enough to read them.
    let x_fmt = |v: &f64| label(if log { significant(10f64.powf(*v), 3) } else { *v });
    let y_fmt = |v: &f64| label(*v);
    let x_desc = format!("{}{}", axis.path, if log { tr(" (log scale)") } else { String::new() });
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_desc_style(ink(font))
        .label_style(ink(font))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()
        .map_err(err)?;
    if data.is_empty() {
        return Ok(());
    }
    let mut outline: Vec<(f64, f64)> = data.iter().map(|d| (d.0, d.3)).collect();
    outline.extend(data.iter().rev().map(|d| (d.0, d.1)));
    chart.draw_series(std::iter::once(Polygon::new(outline, BLUE.mix(0.2).filled()))).map_err(err)?;
    let stroke = (2.0 * dpr) as u32;
    chart.draw_series(LineSeries::new(data.iter().map(|d| (d.0, d.2)), BLUE.stroke_width(stroke))).map_err(err)?;
    let r = (3.0 * dpr) as i32;
    chart.draw_series(data.iter().map(|d| Circle::new((d.0, d.2), r, BLUE.filled()))).map_err(err)?;
    root.present().map_err(err)
}

/// A colour for t in 0..=1: the viridis map by linear steps between five of its colours (dark purple = low).
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] =
        [(68.0, 1.0, 84.0), (59.0, 82.0, 139.0), (33.0, 145.0, 140.0), (94.0, 201.0, 98.0), (253.0, 231.0, 37.0)];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 } * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A grid's medians: `cells[i][j]` for the first field's step i and the second's step j (None: no value).
pub fn grid(report: &Report, outcome: usize) -> Vec<Vec<Option<f64>>> {
    let (n1, n2) = match report.axes.as_slice() {
        [a, b] => (a.steps as usize, b.steps as usize),
        _ => return Vec::new(),
    };
    let mut cells = vec![vec![None; n2]; n1];
    for (k, p) in report.results.iter().enumerate() {
        if let Some(row) = cells.get_mut(k / n2.max(1)) {
            row[k % n2.max(1)] = p.stats.get(outcome).and_then(|s| s.median);
        }
    }
    cells
}

/// The cell a tick at `v` names: a whole number from 0 to n-1, else none.
fn cell_index(v: f64, n: usize) -> Option<usize> {
    let r = v.round();
    ((v - r).abs() < 1e-6 && r >= 0.0 && r < n as f64).then_some(r as usize)
}

/// The heat map: the first field across, the second up, the median's colour in each cell, a scale at the right.
pub fn draw_heat(
    canvas: &web_sys::HtmlCanvasElement,
    report: &Report,
    outcome: usize,
    unit: &str,
) -> Result<(), String> {
    let Some((root, dpr)) = prepare(canvas)? else { return Ok(()) };
    let cells = grid(report, outcome);
    let (n1, n2) = (cells.len(), cells.first().map_or(0, Vec::len));
    if n1 == 0 || n2 == 0 {
        return root.present().map_err(err);
    }
    let values: Vec<f64> = cells.iter().flatten().flatten().copied().collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let font = (13.0 * dpr) as u32;
    let (plot, scale) = root.split_horizontally(root.dim_in_pixel().0 - (110.0 * dpr) as u32);
    let first = |i: usize| report.results.get(i * n2).and_then(|p| p.values.first().copied());
    let second = |j: usize| report.results.get(j).and_then(|p| p.values.get(1).copied());
    // Cell i spans i-0.5..i+0.5, so a tick at a whole number sits at a cell's centre and names its value.
    let x_fmt = |v: &f64| cell_index(*v, n1).and_then(first).map(label).unwrap_or_default();
    let y_fmt = |v: &f64| cell_index(*v, n2).and_then(second).map(label).unwrap_or_default();
    let mut chart =
        frame(&plot, dpr, 80.0).build_cartesian_2d(-0.5..n1 as f64 - 0.5, -0.5..n2 as f64 - 0.5).map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_desc_style(ink(font))
        .label_style(ink(font))
        .x_desc(report.axes[0].path.as_str())
        .y_desc(report.axes[1].path.as_str())
        .x_labels(n1.min(8) + 1)
        .y_labels(n2.min(8) + 1)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()
        .map_err(err)?;
    let t = |v: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
    chart
        .draw_series(cells.iter().enumerate().flat_map(|(i, row)| {
            row.iter().enumerate().map(move |(j, v)| {
                let colour = v.map_or(RGBColor(200, 200, 200), |v| viridis(t(v)));
                let (x, y) = (i as f64, j as f64);
                Rectangle::new([(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)], colour.filled())
            })
        }))
        .map_err(err)?;
    // The colour scale.
    let (sw, sh) = scale.dim_in_pixel();
    let top = (12.0 * dpr) as i32;
    let bottom = sh as i32 - (56.0 * dpr) as i32;
    let bar = (16.0 * dpr) as i32;
    for y in top..bottom.max(top + 1) {
        let f = f64::from(bottom - y) / f64::from((bottom - top).max(1));
        scale.draw(&Rectangle::new([(4, y), (4 + bar, y + 1)], viridis(f).filled())).map_err(err)?;
    }
    let style = ink(font);
    scale.draw(&Text::new(label(hi), (bar + 8, top), style.clone())).map_err(err)?;
    scale.draw(&Text::new(label(lo), (bar + 8, bottom - font as i32), style.clone())).map_err(err)?;
    scale.draw(&Text::new(unit.to_string(), (4, bottom + (8.0 * dpr) as i32), style)).map_err(err)?;
    let _ = sw;
    root.present().map_err(err)
}

/// The histogram of one outcome over every run (a sweep without fields).
pub fn draw_histogram(canvas: &web_sys::HtmlCanvasElement, h: &Histogram, x_desc: &str) -> Result<(), String> {
    let Some((root, dpr)) = prepare(canvas)? else { return Ok(()) };
    let bins = h.counts.len().max(1);
    let (x0, x1) = span(h.from, h.to, false);
    let width = (x1 - x0) / bins as f64;
    let most = h.counts.iter().copied().max().unwrap_or(1).max(1);
    let font = (13.0 * dpr) as u32;
    let mut chart = frame(&root, dpr, 60.0).build_cartesian_2d(x0..x1, 0.0..most as f64 * 1.05).map_err(err)?;
    let x_fmt = |v: &f64| label(*v);
    let y_fmt = |v: &f64| format!("{v:.0}");
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_desc_style(ink(font))
        .label_style(ink(font))
        .x_desc(x_desc)
        .y_desc(tr("runs"))
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()
        .map_err(err)?;
    chart
        .draw_series(h.counts.iter().enumerate().map(|(i, &c)| {
            let a = x0 + width * i as f64;
            Rectangle::new([(a, 0.0), (a + width, c as f64)], BLUE.mix(0.75).filled())
        }))
        .map_err(err)?;
    root.present().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_never_empty() {
        assert_eq!(span(5.0, 5.0, true), (4.5, 5.5));
        assert_eq!(span(0.0, 0.0, false), (-1.0, 1.0));
        assert_eq!(span(f64::NAN, 1.0, false), (0.0, 1.0));
        assert_eq!(span(0.0, 10.0, true), (-0.5, 10.5));
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(label(0.0), "0");
        assert_eq!(label(1024.0), "1024");
        assert_eq!(label(0.0404800001), "0.04");
        assert_eq!(label(1.5e-5), "1.50e-5");
    }

    #[test]
    fn significant_digits() {
        assert_eq!(label(significant(316.227_766, 3)), "316");
        assert_eq!(label(significant(0.031_622_776, 2)), "0.032");
        assert_eq!(significant(0.0, 3), 0.0);
    }

    #[test]
    fn heat_map_ticks_name_cells() {
        assert_eq!(cell_index(0.0, 3), Some(0));
        assert_eq!(cell_index(2.0, 3), Some(2));
        assert_eq!(cell_index(3.0, 3), None);
        assert_eq!(cell_index(0.5, 3), None);
        assert_eq!(cell_index(-0.5, 3), None);
    }

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), RGBColor(68, 1, 84));
    }
}
