//! The five time-series charts (launch rate, running tasks, token buckets, backlog, cost), drawn with plotters on
//! `<canvas>` elements that share one x range and one time cursor; `time_at` maps a click back to a time.
//!
//! Everything that decides where pixels go (layout, ticks, labels, downsampling) is a pure function tested natively.

use std::borrow::Cow;
use std::ops::Range;

use crate::i18n::{mark, tr, tr_dyn, tr_text, trf};
use fleetplan_engine::output::{
    BatchColumn, BatchJobState, Bucket, ChartMarker, Column, CustomColumn, DemandColumn, QueueColumn,
};
use fleetplan_engine::scenario::CapacityType;
use fleetplan_engine::task::TaskState;
use fleetplan_engine::TimeSeries;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;

pub mod split;

/// One colour per capacity type (indexed like `CapacityType::ALL`), the same as the launch-rate chart always used:
/// Okabe–Ito blue, orange, bluish green, vermillion, reddish purple.
const CAPACITY_COLOURS: [RGBColor; 5] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
];
/// The rest of the Okabe–Ito palette, for series that are not capacity types.
const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
const OKABE_BLACK: RGBColor = RGBColor(0, 0, 0);
const AXIS_GREY: RGBColor = RGBColor(90, 90, 90);
const GRID_GREY: RGBColor = RGBColor(225, 225, 225);
const TEXT_INK: RGBColor = RGBColor(30, 30, 30);
const CURSOR_INK: RGBColor = RGBColor(40, 40, 40);

// Layout in CSS pixels; multiplied by the device pixel ratio (and rounded) by `Layout`. `draw` and `time_at` both go
// through `Layout::new`, so a click maps to the same x the data was drawn at.
/// No title inside the canvas: the page puts the title (and the PNG button) in the figure caption.
const MARGIN_TOP: f64 = 12.0;
/// Wide enough that the last x label, centred on the right edge of the plot, is not cut off.
const MARGIN_RIGHT: f64 = 24.0;
const MARGIN_BOTTOM: f64 = 6.0;
const MARGIN_LEFT: f64 = 8.0;
/// Tick (6) × 2 gap, a 14 px label row, then the axis description at the bottom.
const X_LABEL_AREA: f64 = 50.0;
/// The same for every chart so that stacked charts put the same time at the same x and the cursors line up.
/// Fits the axis description plus labels of up to 6 characters ("10.5k", "0.125").
const Y_LABEL_AREA: f64 = 78.0;
const TICK: f64 = 6.0;
const AXIS_DESC_FONT: f64 = 15.0;
const LABEL_FONT: f64 = 14.0;
const LEGEND_FONT: f64 = 14.0;
const LINE_WIDTH: f64 = 2.5;
const CURSOR_WIDTH: f64 = 2.0;
/// Below this many device pixels of plotting area there is nothing readable to draw (and plotters' area splitting
/// wants positive sizes), so the canvas is only cleared.
const MIN_PLOT_PX: i32 = 24;
/// Downsampling target: at most one point per this many device pixels of plot width.
const PX_PER_POINT: f64 = 2.0;
/// Launch rates are averaged over at least one scheduler workflow cycle (5 s): finer bins only show its sawtooth.
const MIN_RATE_BIN_S: f64 = 5.0;
/// Roughly one x label per this many CSS pixels, one y label per `Y_LABEL_SPACING`.
const X_LABEL_SPACING: f64 = 70.0;
const Y_LABEL_SPACING: f64 = 40.0;
/// The device pixel ratio is clamped so a zoomed-out page cannot ask for a huge backing store.
const MAX_DPR: f64 = 3.0;

/// The charts, in the order the page shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    Launches,
    Running,
    Buckets,
    Backlog,
    Cost,
    /// Requests offered vs served (scenarios with demand only).
    Requests,
    /// CPU utilisation with the target line and the scaling actions (scenarios with demand only).
    Utilization,
    /// A customized metric per task with its target, the scale-out alarm and the scaling actions (scenarios with
    /// a target tracking policy on a customized metric only).
    CustomMetric,
    /// Burstable instances' CPU credit balance and when any is throttled (scenarios with CPU credits only).
    Credits,
    /// SQS backlog (visible, in flight) and the age of the oldest message (scenarios with queues only).
    Queue,
    /// AWS Batch jobs by state (scenarios with Batch only, like the two below).
    BatchJobs,
    /// AWS Batch vCPUs used by jobs and of instances, against the compute environments' maxvCpus.
    BatchVcpus,
    /// AWS Batch RUNNABLE jobs and the vCPUs they ask for.
    BatchBacklog,
}

/// The parts of a scenario that decide which charts apply to it ([`ChartKind::applies`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScenarioParts {
    /// ECS tasks can run: services, RunTask bursts, schedules or capacity providers (not AWS Batch alone).
    pub ecs_tasks: bool,
    /// A service has a demand profile.
    pub demand: bool,
    /// A target tracking policy on a customized metric.
    pub custom_metric: bool,
    /// Burstable instances earn and spend CPU credits.
    pub credits: bool,
    pub queue: bool,
    pub batch: bool,
}

impl ChartKind {
    pub const ALL: [ChartKind; 13] = [
        ChartKind::Launches,
        ChartKind::Running,
        ChartKind::Buckets,
        ChartKind::Backlog,
        ChartKind::Cost,
        ChartKind::Requests,
        ChartKind::Utilization,
        ChartKind::CustomMetric,
        ChartKind::Credits,
        ChartKind::Queue,
        ChartKind::BatchJobs,
        ChartKind::BatchVcpus,
        ChartKind::BatchBacklog,
    ];

    /// Whether the chart applies to a scenario with these parts (the page leaves the others out).
    pub fn applies(self, parts: &ScenarioParts) -> bool {
        match self {
            ChartKind::Launches | ChartKind::Running | ChartKind::Backlog => parts.ecs_tasks,
            ChartKind::Buckets | ChartKind::Cost => true,
            ChartKind::Requests | ChartKind::Utilization => parts.demand,
            ChartKind::CustomMetric => parts.custom_metric,
            ChartKind::Credits => parts.credits,
            ChartKind::Queue => parts.queue,
            ChartKind::BatchJobs | ChartKind::BatchVcpus | ChartKind::BatchBacklog => parts.batch,
        }
    }

    /// The DOM id of the chart's canvas.
    pub fn id(self) -> &'static str {
        match self {
            ChartKind::Launches => "chart-launches",
            ChartKind::Running => "chart-running",
            ChartKind::Buckets => "chart-buckets",
            ChartKind::Backlog => "chart-backlog",
            ChartKind::Cost => "chart-cost",
            ChartKind::Requests => "chart-requests",
            ChartKind::Utilization => "chart-utilization",
            ChartKind::CustomMetric => "chart-custom-metric",
            ChartKind::Credits => "chart-credits",
            ChartKind::Queue => "chart-queue",
            ChartKind::BatchJobs => "chart-batch-jobs",
            ChartKind::BatchVcpus => "chart-batch-vcpus",
            ChartKind::BatchBacklog => "chart-batch-backlog",
        }
    }

    /// The chart's title (the page shows it above the canvas).
    pub fn title(self) -> String {
        match self {
            ChartKind::Launches => tr("Launch rate by capacity type"),
            ChartKind::Running => tr("Running tasks by capacity type"),
            ChartKind::Buckets => tr("Account token buckets"),
            ChartKind::Backlog => tr("Tasks waiting to start"),
            ChartKind::Cost => tr("Accumulated cost"),
            ChartKind::Requests => tr("Requests offered vs served"),
            ChartKind::Utilization => tr("CPU utilisation, target and scaling actions"),
            ChartKind::CustomMetric => tr("Customized metric per task, target and scaling actions"),
            ChartKind::Credits => tr("CPU credit balance of burstable instances"),
            ChartKind::Queue => tr("SQS backlog and oldest-message age"),
            ChartKind::BatchJobs => tr("AWS Batch jobs by state"),
            ChartKind::BatchVcpus => tr("AWS Batch vCPUs in use against maxvCpus"),
            ChartKind::BatchBacklog => tr("AWS Batch RUNNABLE backlog"),
        }
    }

    /// The file name of the chart exported as PNG.
    pub fn file_name(self) -> &'static str {
        match self {
            ChartKind::Launches => "fleetplan-launches.png",
            ChartKind::Running => "fleetplan-running.png",
            ChartKind::Buckets => "fleetplan-buckets.png",
            ChartKind::Backlog => "fleetplan-backlog.png",
            ChartKind::Cost => "fleetplan-cost.png",
            ChartKind::Requests => "fleetplan-requests.png",
            ChartKind::Utilization => "fleetplan-utilization.png",
            ChartKind::CustomMetric => "fleetplan-custom-metric.png",
            ChartKind::Credits => "fleetplan-credits.png",
            ChartKind::Queue => "fleetplan-queue.png",
            ChartKind::BatchJobs => "fleetplan-batch-jobs.png",
            ChartKind::BatchVcpus => "fleetplan-batch-vcpus.png",
            ChartKind::BatchBacklog => "fleetplan-batch-backlog.png",
        }
    }
}

/// Draws one chart over x = 0..end_s seconds with the cursor at cursor_s. Sizes the canvas backing store to its
/// CSS box × devicePixelRatio (read the element's client width/height) so it is crisp on a projector.
///
/// A canvas with no CSS box (hidden, not laid out) is left alone: there is nothing to size it to.
pub fn draw(
    kind: ChartKind,
    canvas: &web_sys::HtmlCanvasElement,
    series: &TimeSeries,
    end_s: f64,
    cursor_s: f64,
    markers: &[ChartMarker],
) -> Result<(), String> {
    let Some((layout, plot_x, plot_y)) =
        paint(canvas, |width| plot_data(kind, series, end_s, width), end_s, cursor_s, markers)?
    else {
        return Ok(());
    };
    // `time_at` trusts `Layout` to say where plotters put the plot; should a plotters upgrade lay out differently,
    // say so (the chart itself is drawn) instead of seeking to the wrong time in silence.
    if layout.drawable()
        && (plot_x != (layout.plot_x.0..layout.plot_x.1) || plot_y != (layout.plot_y.0..layout.plot_y.1))
    {
        return Err(format!(
            "plot area {plot_x:?}×{plot_y:?} differs from the layout {:?}×{:?}",
            layout.plot_x, layout.plot_y
        ));
    }
    Ok(())
}

/// The charts of a comparison (`app/compare.rs`): one line per variant, A, B, C, D in the variant colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlayKind {
    /// Tasks RUNNING, every capacity type together.
    Running,
    /// The cost so far (USD, without commitments).
    Cost,
}

impl OverlayKind {
    pub const ALL: [OverlayKind; 2] = [OverlayKind::Running, OverlayKind::Cost];

    pub fn id(self) -> &'static str {
        match self {
            OverlayKind::Running => "compare-chart-running",
            OverlayKind::Cost => "compare-chart-cost",
        }
    }

    pub fn title(self) -> String {
        match self {
            OverlayKind::Running => tr("Tasks running, per variant"),
            OverlayKind::Cost => tr("Cost so far, per variant"),
        }
    }
}

/// The variants' colours (Okabe–Ito blue, vermillion, bluish green, reddish purple), as "#RRGGBB" for the page's
/// legend too.
pub const VARIANT_COLOURS: [&str; 4] = ["#0072b2", "#d55e00", "#009e73", "#cc79a7"];
const VARIANT_NAMES: [&str; 4] = ["A", "B", "C", "D"];

fn hex_colour(hex: &str) -> RGBColor {
    let (r, g, b) = crate::palette::rgb(hex);
    RGBColor(r, g, b)
}

/// One line per variant's series (at most four), over x = 0..end_s.
fn overlay_plot(kind: OverlayKind, series: &[&TimeSeries], end_s: f64, plot_width_px: i32) -> Plot {
    let end = x_end(end_s);
    let lines = series
        .iter()
        .take(4)
        .enumerate()
        .map(|(i, series)| {
            let bins = Binning::new(series.len(), series.interval_ms, end, plot_width_px, 0.0);
            let values: Vec<f64> = match kind {
                OverlayKind::Running => (0..bins.visible)
                    .map(|t| {
                        CapacityType::ALL
                            .iter()
                            .map(|&c| bins.visible(series, Column::running(c)).get(t).copied().unwrap_or(0.0))
                            .sum()
                    })
                    .collect(),
                OverlayKind::Cost => bins.visible(series, Column::CostUsd).to_vec(),
            };
            Line {
                points: downsample(&values, bins.interval_s, bins.per_bin, Reduce::Last),
                colour: hex_colour(VARIANT_COLOURS[i]),
                name: VARIANT_NAMES[i].into(),
                dashed: false,
            }
        })
        .filter(|line| !line.points.is_empty())
        .collect();
    let (y_desc, integer_y) = match kind {
        OverlayKind::Running => (mark("tasks"), true),
        OverlayKind::Cost => ("USD", false),
    };
    Plot { lines, y_desc, integer_y, min_top: 1.0, legend: true, bin_s: None }
}

/// Draws a comparison chart: the variants' series overlaid, no time cursor.
pub fn draw_overlay(
    kind: OverlayKind,
    canvas: &web_sys::HtmlCanvasElement,
    series: &[&TimeSeries],
    end_s: f64,
) -> Result<(), String> {
    paint(canvas, |width| overlay_plot(kind, series, end_s, width), end_s, f64::NAN, &[]).map(|_| ())
}

/// A painted chart's layout and where plotters put its plot area (x, y pixel ranges).
type Painted = (Layout, Range<i32>, Range<i32>);

/// What `draw` and `draw_overlay` share: sizes the canvas backing store to its CSS box × devicePixelRatio, builds
/// the plot for the plot area's width, sets the canvas' text alternative and renders. `None` for a canvas with no
/// CSS box; else the layout and where plotters put the plot area.
fn paint(
    canvas: &web_sys::HtmlCanvasElement,
    build: impl FnOnce(i32) -> Plot,
    end_s: f64,
    cursor_s: f64,
    markers: &[ChartMarker],
) -> Result<Option<Painted>, String> {
    let (css_w, css_h) = (f64::from(canvas.client_width()), f64::from(canvas.client_height()));
    if css_w <= 0.0 || css_h <= 0.0 {
        return Ok(None);
    }
    let layout = Layout::new(css_w, css_h, crate::dom::device_pixel_ratio());
    crate::dom::resize_backing_store(canvas, layout.width, layout.height);
    let context = crate::dom::context_2d(canvas)?;
    // Legend labels are measured with the canvas itself: plotters' own text measuring inserts a <span> into the page
    // and forces a layout for every string, which at five charts four times a second is the slowest thing on the page.
    let legend_font = format!("{}px sans-serif", layout.font(LEGEND_FONT));
    let measure = |text: &str| {
        context.set_font(&legend_font);
        context.measure_text(text).map(|m| m.width()).unwrap_or(text.len() as f64 * layout.font(LEGEND_FONT) * 0.7)
    };
    let plot = build(layout.plot_width());
    let mut alternative = describe(&plot, cursor_s);
    // The markers' labels too (the first few): what the time axis marks is part of what the chart says.
    let marked: Vec<String> = visible_markers(markers, end_s)
        .into_iter()
        .take(12)
        .map(|(t, label)| format!("{} {label}", crate::stage::clock((t * 1000.0) as u64)))
        .collect();
    if !marked.is_empty() {
        alternative.push(' ');
        alternative.push_str(&trf("Marked on the time axis: {marks}.", &[("marks", &marked.join("; "))]));
    }
    crate::dom::set_text_alternative(canvas, &alternative);
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    let (plot_x, plot_y) = render(&root, &layout, plot, end_s, cursor_s, markers, &measure)?;
    root.present().map_err(|e| e.to_string())?;
    Ok(Some((layout, plot_x, plot_y)))
}

/// The chart in words, for screen readers (the canvas' text alternative, updated as the run plays): each line's
/// value at the cursor (at the end when there is none) and the highest value any line reached, with when.
fn describe(plot: &Plot, cursor_s: f64) -> String {
    if plot.lines.is_empty() {
        return tr("Nothing to show yet.");
    }
    let number = |v: f64| {
        if plot.integer_y || v.abs() >= 100.0 {
            format!("{v:.0}")
        } else if v.abs() >= 10.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.2}")
        }
    };
    let at = |s: f64| crate::stage::clock((s.max(0.0) * 1000.0) as u64);
    let now: Vec<String> = plot
        .lines
        .iter()
        .filter_map(|line| {
            let point = if cursor_s.is_nan() {
                line.points.last()
            } else {
                line.points.iter().take_while(|p| p.0 <= cursor_s + 1e-9).last()
            };
            point.map(|p| format!("{} {}", tr_dyn(&line.name), number(p.1)))
        })
        .collect();
    let when = if cursor_s.is_nan() { tr("At the end") } else { trf("At {time}", &[("time", &at(cursor_s))]) };
    let mut text = format!(
        "{} ({}): {}.",
        when,
        tr_dyn(plot.y_desc),
        if now.is_empty() { tr("no data yet") } else { now.join(", ") }
    );
    let peak = plot.lines.iter().flat_map(|line| line.points.iter().map(move |p| (line.name.as_ref(), *p))).fold(
        None::<(&str, (f64, f64))>,
        |best, (name, p)| match best {
            Some((_, b)) if b.1 >= p.1 => best,
            _ => Some((name, p)),
        },
    );
    if let Some((name, (t, v))) = peak {
        text.push_str(&trf(
            " Highest: {name} {value} at {time}.",
            &[("name", &tr_dyn(name)), ("value", &number(v)), ("time", &at(t))],
        ));
    }
    text
}

/// The series' time at a CSS x offset inside a chart canvas (for click-to-seek): None outside the plotting area.
/// Every kind of chart has the same layout, so stacked charts align and one mapping serves them all.
pub fn time_at(canvas: &web_sys::HtmlCanvasElement, end_s: f64, x: f64) -> Option<f64> {
    let (css_w, css_h) = (f64::from(canvas.client_width()), f64::from(canvas.client_height()));
    if css_w <= 0.0 || css_h <= 0.0 {
        return None;
    }
    let layout = Layout::new(css_w, css_h, crate::dom::device_pixel_ratio());
    layout.time_at_x(x * layout.scale, x_end(end_s))
}

/// The x range actually drawn: `end_s` made safe for plotters (finite, positive).
fn x_end(end_s: f64) -> f64 {
    if end_s.is_finite() {
        end_s.max(1.0)
    } else {
        1.0
    }
}

/// Where things go on one canvas, in device pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Layout {
    /// The backing store size `draw` gives the canvas.
    width: u32,
    height: u32,
    /// Device pixels per CSS pixel used for sizes (the clamped devicePixelRatio).
    dpr: f64,
    /// Device pixels per CSS pixel of the canvas as displayed (backing width / CSS width): maps mouse offsets.
    scale: f64,
    /// The plotting area as plotters computes it from the margins and label areas: x0..x1 and y0..y1; the axes map
    /// the ends of their ranges onto these (`map_linear`).
    plot_x: (i32, i32),
    plot_y: (i32, i32),
}

impl Layout {
    fn new(css_w: f64, css_h: f64, dpr: f64) -> Layout {
        let dpr = if dpr.is_finite() && dpr > 0.0 { dpr.clamp(0.5, MAX_DPR) } else { 1.0 };
        let css_w = if css_w.is_finite() { css_w.max(1.0) } else { 1.0 };
        let css_h = if css_h.is_finite() { css_h.max(1.0) } else { 1.0 };
        let width = (css_w * dpr).round().max(1.0) as u32;
        let height = (css_h * dpr).round().max(1.0) as u32;
        let px = |v: f64| (v * dpr).round() as i32;
        let (w, h) = (width as i32, height as i32);
        Layout {
            width,
            height,
            dpr,
            scale: f64::from(width) / css_w,
            plot_x: (px(MARGIN_LEFT) + px(Y_LABEL_AREA), w - px(MARGIN_RIGHT)),
            plot_y: (px(MARGIN_TOP), h - px(MARGIN_BOTTOM) - px(X_LABEL_AREA)),
        }
    }

    /// A CSS length in device pixels, rounded the same way everywhere.
    fn px(&self, css: f64) -> i32 {
        (css * self.dpr).round() as i32
    }

    /// A font size in device pixels (fonts may be fractional).
    fn font(&self, css: f64) -> f64 {
        css * self.dpr
    }

    fn plot_width(&self) -> i32 {
        self.plot_x.1 - self.plot_x.0
    }

    fn plot_height(&self) -> i32 {
        self.plot_y.1 - self.plot_y.0
    }

    fn drawable(&self) -> bool {
        self.plot_width() >= MIN_PLOT_PX && self.plot_height() >= MIN_PLOT_PX
    }

    /// The device x of time `t` on an x range 0..end: the mapping `TickedAxis` draws with.
    #[cfg(test)]
    fn x_of_time(&self, t: f64, end: f64) -> i32 {
        map_linear(t, 0.0, end, self.plot_x)
    }

    /// The inverse of `map_linear` on the x axis: the time at device x, None outside the plotting area.
    fn time_at_x(&self, x: f64, end: f64) -> Option<f64> {
        let (x0, x1) = self.plot_x;
        if !self.drawable() || !x.is_finite() || x < f64::from(x0) || x > f64::from(x1) {
            return None;
        }
        Some(((x - f64::from(x0)) / f64::from(x1 - x0) * end).clamp(0.0, end))
    }

    /// How many x labels fit, at about one per `X_LABEL_SPACING` CSS pixels.
    fn max_x_ticks(&self) -> usize {
        ((f64::from(self.plot_width()) / self.dpr / X_LABEL_SPACING).floor() as usize).clamp(2, 13)
    }

    fn max_y_ticks(&self) -> usize {
        ((f64::from(self.plot_height()) / self.dpr / Y_LABEL_SPACING).floor() as usize + 1).clamp(2, 9)
    }
}

/// How the x labels are written: seconds for short runs, minutes up to two hours, h:mm beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeUnit {
    Seconds,
    Minutes,
    HoursMinutes,
}

impl TimeUnit {
    fn for_range(end_s: f64) -> TimeUnit {
        if end_s < 600.0 {
            TimeUnit::Seconds
        } else if end_s < 7200.0 {
            TimeUnit::Minutes
        } else {
            TimeUnit::HoursMinutes
        }
    }

    fn axis_description(self) -> &'static str {
        match self {
            TimeUnit::Seconds => mark("simulated time (s)"),
            TimeUnit::Minutes => mark("simulated time (min)"),
            TimeUnit::HoursMinutes => mark("simulated time (h:mm)"),
        }
    }

    /// Tick spacings in seconds, smallest first, that read as round numbers in this unit.
    fn steps(self) -> &'static [f64] {
        match self {
            TimeUnit::Seconds => &[1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0],
            TimeUnit::Minutes => &[60.0, 120.0, 300.0, 600.0, 900.0, 1200.0, 1800.0, 3600.0, 7200.0],
            TimeUnit::HoursMinutes => &[900.0, 1800.0, 3600.0, 7200.0, 10800.0, 21600.0, 43200.0, 86400.0],
        }
    }
}

/// A time label in `unit`: "90", "12.5" (seconds or minutes) or "1:05" (hours and minutes).
fn format_time_label(unit: TimeUnit, s: f64) -> String {
    let plain = |v: f64| if (v - v.round()).abs() < 1e-6 { format!("{v:.0}") } else { format!("{v:.1}") };
    match unit {
        TimeUnit::Seconds => plain(s),
        TimeUnit::Minutes => plain(s / 60.0),
        TimeUnit::HoursMinutes => {
            let minutes = (s.max(0.0) / 60.0).round() as u64;
            format!("{}:{:02}", minutes / 60, minutes % 60)
        }
    }
}

/// The x tick positions (seconds) for a 0..end axis: the smallest round step in the axis' unit that gives at most
/// `max_ticks` ticks, starting at 0.
fn x_ticks(end: f64, max_ticks: usize) -> Vec<f64> {
    let unit = TimeUnit::for_range(end);
    let max_ticks = max_ticks.max(2);
    // Ticks at 0, step, …, so floor(end / step) + 1 of them.
    let fits = |step: f64| ((end / step).floor() as usize) < max_ticks;
    let step = unit.steps().iter().copied().find(|&s| fits(s)).unwrap_or_else(|| {
        // Longer than the table covers (days): whole days.
        let per_tick = end / (max_ticks - 1) as f64;
        (per_tick / 86400.0).ceil().max(1.0) * 86400.0
    });
    ticks(end, step)
}

/// 0, step, 2·step, … up to `top` (inclusive, allowing for rounding).
fn ticks(top: f64, step: f64) -> Vec<f64> {
    if !(step > 0.0 && top.is_finite()) {
        return vec![0.0];
    }
    let count = (top / step + 1e-9).floor().max(0.0) as usize + 1;
    (0..count.min(64)).map(|i| i as f64 * step).collect()
}

/// The y tick spacing for 0..top: 1, 2 or 5 × 10^k, the smallest giving at most `max_ticks` ticks; at least 1 for
/// counts (half a task is not a thing).
fn nice_step(top: f64, max_ticks: usize, integer: bool) -> f64 {
    if !(top.is_finite() && top > 0.0) {
        return 1.0;
    }
    let raw = top / (max_ticks.max(2) - 1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|&s| s >= raw * (1.0 - 1e-9));
    let step = step.unwrap_or(10.0 * magnitude);
    if integer {
        step.max(1.0)
    } else {
        step
    }
}

/// Decimals needed to write multiples of `step` exactly: 0 for ≥ 1, 1 for 0.5/0.2/0.1, 2 for 0.05, …
fn decimals_for(step: f64) -> usize {
    if step.is_nan() || step <= 0.0 || step >= 1.0 {
        0
    } else {
        (-step.log10() - 1e-9).ceil().clamp(0.0, 9.0) as usize
    }
}

/// A y label on an axis up to `top` with ticks every `step`: thousands as "k" from 10,000 on, so the labels stay
/// narrow enough for the fixed label area.
fn format_y_label(v: f64, step: f64, top: f64) -> String {
    if top >= 10_000.0 {
        format!("{:.*}k", decimals_for(step / 1000.0), v / 1000.0)
    } else {
        format!("{:.*}", decimals_for(step), v)
    }
}

/// Maps `v` in lo..hi linearly onto the pixels `limit.0..limit.1` (either order: y runs upwards), to the nearest
/// pixel. Both the charts' axes and `time_at` use it, so a click lands on the time drawn under it.
fn map_linear(v: f64, lo: f64, hi: f64, limit: (i32, i32)) -> i32 {
    let span = hi - lo;
    if !(span.is_finite() && span != 0.0) {
        return limit.0 + (limit.1 - limit.0) / 2;
    }
    // `as` saturates (NaN becomes 0), so odd values cannot panic; they land off the plot.
    limit.0 + (f64::from(limit.1 - limit.0) * ((v - lo) / span)).round() as i32
}

/// A linear f64 axis with tick positions chosen here (round numbers in the axis' unit) rather than by plotters.
/// plotters' own `WithKeyPoints` on an f64 range loses the mesh's label formatter, hence this small type.
struct TickedAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for TickedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        map_linear(*value, self.lo, self.hi, limit)
    }

    /// The ticks as bold grid lines and labels; no light lines in between (less ink, fewer canvas calls).
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// How a bin of samples becomes one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reduce {
    /// Rates (launches/s): the mean over the bin, at the bin's middle. The mean keeps the area under the curve, i.e.
    /// the number of tasks launched, which is what a rate chart is read for.
    Mean,
    /// Levels (tasks, tokens, dollars): the sample at the bin's end. It is a state the simulation really was in (a
    /// maximum would be drawn higher than any state at that time and would hide exactly the dips the bucket and
    /// running charts exist to show: a bucket drained to zero, tasks lost to a Spot wave); a complete bin's end never
    /// changes as the series grows, so a playing chart does not shimmer; and the last bin's end is the newest sample,
    /// so the line ends at the current value. Dips shorter than a bin (2 device pixels) can be skipped; no extreme
    /// can be invented. Cost only grows, so for it the end is also the maximum.
    Last,
}

/// The first round duration ≥ `s` seconds: 1, 2, 3, 5, 10, 15, 20, 30, 45 s, 1, 1.5, 2, 3, 5, 10, 15, 20, 30 min,
/// then whole hours.
fn round_up_s(s: f64) -> f64 {
    const ROUND: [f64; 18] = [
        1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 300.0, 600.0, 900.0, 1200.0, 1800.0,
    ];
    ROUND.iter().copied().find(|&r| r >= s - 1e-9).unwrap_or_else(|| (s / 3600.0 - 1e-9).ceil() * 3600.0)
}

/// How a series is cut into bins for one chart: the samples inside the x range and samples per bin.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Binning {
    interval_s: f64,
    /// Samples with time ≤ end (the series may hold more after a seek backwards with a shorter range).
    visible: usize,
    per_bin: usize,
}

impl Binning {
    /// Bins sized from the x range (not from the data length), so that bin edges stay put while the series grows:
    /// at most one bin per `PX_PER_POINT` device pixels of plot width, and at least `min_bin_s` long.
    fn new(series_len: usize, interval_ms: u64, end: f64, plot_width_px: i32, min_bin_s: f64) -> Binning {
        let interval_ms = if interval_ms == 0 { 1000 } else { interval_ms };
        let interval_s = interval_ms as f64 / 1000.0;
        let slots = (end / interval_s + 1e-9).floor().max(0.0);
        let visible = series_len.min(slots.min(usize::MAX as f64) as usize);
        let max_points = (f64::from(plot_width_px.max(1)) / PX_PER_POINT).floor().max(1.0);
        let by_width = (slots / max_points).ceil();
        let by_time = (min_bin_s / interval_s - 1e-9).ceil();
        let needed = by_width.max(by_time).max(1.0);
        // Round the bin up to a round length ("means over 90 s", not 89 s); it also keeps the bins still while the
        // canvas is resized by a few pixels. At most 1.5 times coarser than needed.
        let per_bin = if needed > 1.0 { (round_up_s(needed * interval_s) / interval_s - 1e-9).ceil() } else { 1.0 };
        let per_bin = per_bin.max(needed).min(usize::MAX as f64) as usize;
        Binning { interval_s, visible, per_bin }
    }

    /// The bin length in seconds.
    fn bin_s(&self) -> f64 {
        self.per_bin as f64 * self.interval_s
    }

    /// A column cut to the visible samples (empty if the column is missing).
    fn visible<'a>(&self, series: &'a TimeSeries, column: Column) -> &'a [f64] {
        let values = series.columns.get(column.index()).map_or(&[][..], Vec::as_slice);
        values.get(..self.visible.min(values.len())).unwrap_or(&[])
    }

    /// A demand column cut to the visible samples (empty without demand).
    fn visible_demand<'a>(&self, series: &'a TimeSeries, column: DemandColumn) -> &'a [f64] {
        let values = series.demand_column(column);
        values.get(..self.visible.min(values.len())).unwrap_or(&[])
    }
}

/// One point per bin of `per_bin` samples (sample i at time (i + 1)·interval_s): see `Reduce` for which value.
/// Allocates once, the number of bins (+1).
fn downsample(values: &[f64], interval_s: f64, per_bin: usize, reduce: Reduce) -> Vec<(f64, f64)> {
    let per_bin = per_bin.max(1);
    let mut points = Vec::with_capacity(values.len() / per_bin + 2);
    match reduce {
        Reduce::Mean => {
            for (bin, chunk) in values.chunks(per_bin).enumerate() {
                let start = bin * per_bin;
                // The bin covers (start·Δ, (start + len)·Δ]: plot the mean at its middle.
                let middle = (start as f64 + chunk.len() as f64 / 2.0) * interval_s;
                points.push((middle, chunk.iter().sum::<f64>() / chunk.len() as f64));
            }
        }
        Reduce::Last => {
            // Start the line at the first sample rather than one bin in.
            if let (Some(&first), true) = (values.first(), per_bin > 1) {
                points.push((interval_s, first));
            }
            for (bin, chunk) in values.chunks(per_bin).enumerate() {
                if let Some(&last) = chunk.last() {
                    points.push(((bin * per_bin + chunk.len()) as f64 * interval_s, last));
                }
            }
        }
    }
    points
}

/// One line of a chart.
struct Line {
    points: Vec<(f64, f64)>,
    colour: RGBColor,
    /// Fixed for the totals' lines; a service's or provider's name on the split charts (`charts/split.rs`).
    name: Cow<'static, str>,
    dashed: bool,
}

/// What one chart draws, before any pixels.
struct Plot {
    lines: Vec<Line>,
    y_desc: &'static str,
    /// Counts: y ticks at whole numbers.
    integer_y: bool,
    /// The smallest y range top, so a flat or empty chart still has a sensible axis.
    min_top: f64,
    legend: bool,
    /// The bin length of averaged charts, noted in the legend.
    bin_s: Option<f64>,
}

/// The lines of one chart, downsampled for a plot `plot_width_px` device pixels wide. Lines without points (no
/// samples yet) are left out, so an empty chart has no legend either.
fn plot_data(kind: ChartKind, series: &TimeSeries, end_s: f64, plot_width_px: i32) -> Plot {
    let split = split::plot(kind, series, end_s, plot_width_px, &split::choice());
    let mut plot = split.unwrap_or_else(|| plot_lines(kind, series, end_s, plot_width_px));
    plot.lines.retain(|line| !line.points.is_empty());
    plot
}

fn plot_lines(kind: ChartKind, series: &TimeSeries, end_s: f64, plot_width_px: i32) -> Plot {
    let end = x_end(end_s);
    let min_bin_s = if kind == ChartKind::Launches { MIN_RATE_BIN_S } else { 0.0 };
    let bins = Binning::new(series.len(), series.interval_ms, end, plot_width_px, min_bin_s);
    let line = |column: Column, reduce: Reduce, colour: RGBColor, name: &'static str| Line {
        points: downsample(bins.visible(series, column), bins.interval_s, bins.per_bin, reduce),
        colour,
        name: name.into(),
        dashed: false,
    };
    let nonzero = |column: Column| bins.visible(series, column).iter().any(|&v| v != 0.0);
    let capacity_lines = |column: fn(CapacityType) -> Column, reduce: Reduce| -> Vec<Line> {
        CapacityType::ALL
            .iter()
            .filter(|&&c| nonzero(column(c)))
            .map(|&c| line(column(c), reduce, CAPACITY_COLOURS[c.index() % 5], c.name()))
            .collect()
    };
    match kind {
        ChartKind::Launches => Plot {
            lines: capacity_lines(Column::launches, Reduce::Mean),
            y_desc: mark("tasks launched / s"),
            integer_y: false,
            min_top: 1.0,
            legend: true,
            bin_s: Some(bins.bin_s()),
        },
        ChartKind::Running => {
            let mut lines = capacity_lines(Column::running, Reduce::Last);
            // Desired always, even at zero: "nothing should run" is part of the story. Drawn after the running lines
            // so where they meet it the dashes show on top.
            lines.push(Line { dashed: true, ..line(Column::Desired, Reduce::Last, OKABE_BLACK, mark("desired")) });
            Plot { lines, y_desc: mark("tasks"), integer_y: true, min_top: 1.0, legend: true, bin_s: None }
        }
        ChartKind::Buckets => {
            let buckets = [
                (Column::BucketFargateOnDemand, CAPACITY_COLOURS[0], Bucket::FargateOnDemand.name()),
                (Column::BucketFargateSpot, CAPACITY_COLOURS[1], Bucket::FargateSpot.name()),
                (Column::BucketRunTaskApi, SKY_BLUE, Bucket::RunTaskApi.name()),
                (Column::BucketFargateRunTaskCalls, CAPACITY_COLOURS[3], Bucket::FargateRunTaskCalls.name()),
            ];
            // A bucket that never moved is full the whole time and only buries the ones that did; if none moved,
            // show all four so the chart still says how full they are.
            let moved = buckets.map(|(column, _, _)| {
                let values = bins.visible(series, column);
                values.first().is_some_and(|&first| values.iter().any(|&v| v != first))
            });
            let any_moved = moved.contains(&true);
            // The services' launch-rate buckets that emptied: the limit the summary names "service launch rate".
            let service_buckets = split::emptied_service_buckets(series, &bins);
            // When nothing moved, the buckets that apply stay as a full line: the Fargate ones of the Fargate
            // capacity the scenario uses (no Fargate Spot bucket without Fargate Spot), not the others.
            let used = |name: &str| series.split.providers.iter().any(|g| g.name == name);
            let applies = [used("FARGATE"), used("FARGATE_SPOT"), false, false];
            let mut lines: Vec<Line> = buckets
                .iter()
                .zip(moved)
                .zip(applies)
                .filter(|&((_, moved), applies)| moved || (!any_moved && service_buckets.is_empty() && applies))
                .map(|((&(column, colour, name), _), _)| line(column, Reduce::Last, colour, name))
                .collect();
            lines.extend(service_buckets);
            Plot { lines, y_desc: mark("tokens"), integer_y: true, min_top: 1.0, legend: true, bin_s: None }
        }
        ChartKind::Backlog => {
            let lines = [
                (Column::Provisioning, TaskState::Provisioning, TaskState::Provisioning.name(), false),
                (Column::Pending, TaskState::Pending, TaskState::Pending.name(), false),
                // Tasks held for Spot capacity are PROVISIONING ones: dashed in its colour.
                (Column::SpotCapacityWaiting, TaskState::Provisioning, mark("waiting for Spot capacity"), true),
            ]
            .into_iter()
            .filter(|&(column, _, _, _)| nonzero(column))
            .map(|(column, state, name, dashed)| Line {
                dashed,
                ..line(column, Reduce::Last, task_state_colour(state), name)
            })
            .collect();
            Plot { lines, y_desc: mark("tasks"), integer_y: true, min_top: 1.0, legend: true, bin_s: None }
        }
        ChartKind::Cost => {
            let mut plot = cost_plot(nonzero, line);
            // With Savings Plans or Reserved Instances: the total with them, stepping up by each hour's
            // commitment at the start of the hour (`docs/model.md` §6.1).
            let with = &series.cost_with_commitments;
            if !with.is_empty() {
                let visible = &with[..bins.visible.min(with.len())];
                let points = downsample(visible, bins.interval_s, bins.per_bin, Reduce::Last);
                plot.lines.push(Line {
                    points,
                    colour: OKABE_BLACK,
                    name: mark("total with commitments").into(),
                    dashed: false,
                });
            }
            plot
        }
        ChartKind::Requests | ChartKind::Utilization => demand_plot(kind, series, &bins),
        ChartKind::CustomMetric => custom_metric_plot(series, &bins),
        ChartKind::Credits => credits_plot(series, &bins),
        ChartKind::Queue => queue_plot(series, &bins),
        ChartKind::BatchJobs | ChartKind::BatchVcpus | ChartKind::BatchBacklog => batch_plot(kind, series, &bins),
    }
}

/// A job state's colour from the one table (`palette::JOB_STATE_COLOURS`), so a state reads the same on the
/// charts as on the instances and in the legend.
fn job_state_colour(state: BatchJobState) -> RGBColor {
    hex_colour(crate::palette::job_state(state))
}

/// A task state's colour from the one table (`palette::STATE_COLOURS`), as on the cluster canvas and its legend.
fn task_state_colour(state: TaskState) -> RGBColor {
    hex_colour(crate::palette::task_state(state).unwrap_or("#000000"))
}

/// The AWS Batch charts (`docs/model.md` §12): jobs by state (states that never held a job left out); vCPUs the
/// jobs use and the instances have against the summed maxvCpus (dashed); the RUNNABLE jobs and the vCPUs they ask
/// for (dashed).
fn batch_plot(kind: ChartKind, series: &TimeSeries, bins: &Binning) -> Plot {
    let values = |column: BatchColumn| {
        let values = series.batch_column(column);
        values.get(..bins.visible.min(values.len())).unwrap_or(&[])
    };
    let line = |column: BatchColumn, colour: RGBColor, name: &'static str, dashed: bool| Line {
        points: downsample(values(column), bins.interval_s, bins.per_bin, Reduce::Last),
        colour,
        name: name.into(),
        dashed,
    };
    let (lines, y_desc) = match kind {
        ChartKind::BatchJobs => (
            BatchJobState::ALL
                .iter()
                .filter(|&&state| values(BatchColumn::of_state(state)).iter().any(|&v| v > 0.0))
                .map(|&state| line(BatchColumn::of_state(state), job_state_colour(state), state.name(), false))
                .collect(),
            mark("jobs"),
        ),
        ChartKind::BatchVcpus => (
            vec![
                line(BatchColumn::VcpusInUse, job_state_colour(BatchJobState::Running), mark("used by jobs"), false),
                line(BatchColumn::VcpusInstances, CAPACITY_COLOURS[0], mark("of instances"), false),
                line(BatchColumn::MaxVcpus, OKABE_BLACK, mark("maxvCpus"), true),
            ],
            "vCPUs",
        ),
        _ => (
            vec![
                line(BatchColumn::Runnable, job_state_colour(BatchJobState::Runnable), "RUNNABLE jobs", false),
                line(BatchColumn::RunnableVcpus, OKABE_BLACK, mark("vCPUs asked"), true),
            ],
            "jobs · vCPUs",
        ),
    };
    Plot { lines, y_desc, integer_y: true, min_top: 1.0, legend: true, bin_s: None }
}

/// The credits chart (`docs/model.md` §4.6): the burstable instances' balance summed (below zero: surplus credits
/// owed in unlimited mode), and a band along the top while any instance is throttled to its baseline.
fn credits_plot(series: &TimeSeries, bins: &Binning) -> Plot {
    let visible = |values: &[f64]| -> Vec<f64> { values[..bins.visible.min(values.len())].to_vec() };
    let balance = visible(&series.credit_balance);
    let mut lines = vec![Line {
        points: downsample(&balance, bins.interval_s, bins.per_bin, Reduce::Last),
        colour: CAPACITY_COLOURS[2],
        name: mark("credit balance").into(),
        dashed: false,
    }];
    let throttled = visible(&series.throttled_instances);
    if throttled.iter().any(|&v| v > 0.0) {
        let top = balance.iter().copied().fold(1.0, f64::max);
        let band: Vec<f64> = throttled.iter().map(|&v| if v > 0.0 { top } else { 0.0 }).collect();
        lines.push(Line {
            points: downsample(&band, bins.interval_s, bins.per_bin, Reduce::Last),
            colour: CAPACITY_COLOURS[3],
            name: mark("throttled to baseline").into(),
            dashed: true,
        });
    }
    Plot { lines, y_desc: mark("CPU credits"), integer_y: false, min_top: 1.0, legend: true, bin_s: None }
}

/// The queue chart (`docs/model.md` §10): messages visible and in flight, and the age of the oldest visible
/// message in seconds (dashed), on one axis: the age reads against the same numbers as seconds.
fn queue_plot(series: &TimeSeries, bins: &Binning) -> Plot {
    let line = |column: QueueColumn, colour: RGBColor, name: &'static str, dashed: bool| {
        let values = series.queue_column(column);
        let visible = values.get(..bins.visible.min(values.len())).unwrap_or(&[]);
        Line {
            points: downsample(visible, bins.interval_s, bins.per_bin, Reduce::Last),
            colour,
            name: name.into(),
            dashed,
        }
    };
    let lines = vec![
        line(QueueColumn::Visible, CAPACITY_COLOURS[0], mark("visible messages"), false),
        line(QueueColumn::InFlight, CAPACITY_COLOURS[2], mark("in flight"), false),
        line(QueueColumn::OldestAge, OKABE_BLACK, mark("oldest message age (s)"), true),
    ];
    Plot { lines, y_desc: mark("messages · seconds"), integer_y: false, min_top: 1.0, legend: true, bin_s: None }
}

/// The demand charts: offered and served requests per second; the highest service CPU utilisation with the target
/// tracking target (dashed) and a spike from 0 to 100% at each sample with a scaling action.
fn demand_plot(kind: ChartKind, series: &TimeSeries, bins: &Binning) -> Plot {
    let line = |column: DemandColumn, reduce: Reduce, colour: RGBColor, name: &'static str, dashed: bool| Line {
        points: downsample(bins.visible_demand(series, column), bins.interval_s, bins.per_bin, reduce),
        colour,
        name: name.into(),
        dashed,
    };
    if kind == ChartKind::Requests {
        let lines = vec![
            line(DemandColumn::Offered, Reduce::Mean, OKABE_BLACK, mark("offered"), true),
            line(DemandColumn::Served, Reduce::Mean, CAPACITY_COLOURS[2], mark("served"), false),
        ];
        return Plot {
            lines,
            y_desc: mark("requests / s"),
            integer_y: false,
            min_top: 1.0,
            legend: true,
            bin_s: Some(bins.bin_s()),
        };
    }
    let mut lines = vec![line(DemandColumn::Utilization, Reduce::Mean, CAPACITY_COLOURS[0], "CPU", false)];
    if bins.visible_demand(series, DemandColumn::Target).iter().any(|&v| v > 0.0) {
        lines.push(line(DemandColumn::Target, Reduce::Last, OKABE_BLACK, mark("target"), true));
    }
    let alarms = bins.visible_demand(series, DemandColumn::AlarmsHigh);
    let actions = bins.visible_demand(series, DemandColumn::ScalingActions);
    lines.extend(alarm_and_action_lines(alarms, actions, 100.0, bins));
    Plot { lines, y_desc: mark("% CPU"), integer_y: false, min_top: 100.0, legend: true, bin_s: Some(bins.bin_s()) }
}

/// The scale-out alarm's state as a band along the top (at `top` while in ALARM, at 0 otherwise) and a spike from
/// 0 to `top` at each sample with a scaling action; neither when it never happens.
fn alarm_and_action_lines(alarms: &[f64], actions: &[f64], top: f64, bins: &Binning) -> Vec<Line> {
    let mut lines = Vec::new();
    if alarms.iter().any(|&v| v > 0.0) {
        let in_alarm: Vec<f64> = alarms.iter().map(|&v| if v > 0.0 { top } else { 0.0 }).collect();
        lines.push(Line {
            points: downsample(&in_alarm, bins.interval_s, bins.per_bin, Reduce::Last),
            colour: CAPACITY_COLOURS[3],
            name: mark("scale-out alarm").into(),
            dashed: true,
        });
    }
    if actions.iter().any(|&v| v > 0.0) {
        let mut points = Vec::new();
        for (i, &v) in actions.iter().enumerate() {
            let t = (i + 1) as f64 * bins.interval_s;
            if v > 0.0 {
                points.extend([(t, 0.0), (t, top), (t, 0.0)]);
            }
        }
        lines.push(Line { points, colour: AXIS_GREY, name: mark("scaling action").into(), dashed: false });
    }
    lines
}

/// The customized-metric chart (`docs/model.md` §9), drawn as the CPU chart is: the metric per running task, the
/// policy's target (dashed), the scale-out alarm band and the scaling actions, up to the larger of the two lines'
/// peaks; empty without a customized metric.
fn custom_metric_plot(series: &TimeSeries, bins: &Binning) -> Plot {
    let visible = |column: CustomColumn| {
        let values = series.custom_column(column);
        values.get(..bins.visible.min(values.len())).unwrap_or(&[])
    };
    let (per_task, target) = (visible(CustomColumn::PerTask), visible(CustomColumn::Target));
    let mut lines = Vec::new();
    if !per_task.is_empty() {
        lines.push(Line {
            points: downsample(per_task, bins.interval_s, bins.per_bin, Reduce::Mean),
            colour: CAPACITY_COLOURS[0],
            name: mark("metric per task").into(),
            dashed: false,
        });
        lines.push(Line {
            points: downsample(target, bins.interval_s, bins.per_bin, Reduce::Last),
            colour: OKABE_BLACK,
            name: mark("target").into(),
            dashed: true,
        });
        let top = per_task.iter().chain(target).copied().fold(1.0, f64::max);
        lines.extend(alarm_and_action_lines(
            visible(CustomColumn::AlarmHigh),
            visible(CustomColumn::ScalingActions),
            top,
            bins,
        ));
    }
    Plot { lines, y_desc: mark("per task"), integer_y: false, min_top: 1.0, legend: true, bin_s: Some(bins.bin_s()) }
}

/// The cost chart: one line per cost category that has cost (capacity types, public IPv4, load balancers), and
/// the dashed total over them when there are two or more, so the legend says where the money goes.
fn cost_plot(nonzero: impl Fn(Column) -> bool, line: impl Fn(Column, Reduce, RGBColor, &'static str) -> Line) -> Plot {
    let mut lines: Vec<Line> = Column::COST_CATEGORIES
        .iter()
        .filter(|&&column| nonzero(column))
        .map(|&column| {
            let (colour, name) = cost_category_style(column);
            line(column, Reduce::Last, colour, name)
        })
        .collect();
    if lines.len() > 1 {
        lines.push(Line { dashed: true, ..line(Column::CostUsd, Reduce::Last, OKABE_BLACK, mark("total")) });
    } else if lines.is_empty() && nonzero(Column::CostUsd) {
        // A series without categories (none billed by category yet): the total alone.
        lines.push(line(Column::CostUsd, Reduce::Last, CAPACITY_COLOURS[2], mark("cost")));
    }
    Plot { lines, y_desc: mark("USD"), integer_y: false, min_top: 0.01, legend: true, bin_s: None }
}

/// A cost category's colour and legend name: capacity types as on the other charts, then public IPv4 and load
/// balancers in the rest of the palette.
fn cost_category_style(column: Column) -> (RGBColor, &'static str) {
    match CapacityType::ALL.iter().find(|&&c| Column::cost(c) == column) {
        Some(&c) => (CAPACITY_COLOURS[c.index() % 5], c.name()),
        None if column == Column::CostPublicIpv4 => (SKY_BLUE, mark("public IPv4")),
        None => (AXIS_GREY, mark("load balancers")),
    }
}

/// One legend entry: a line swatch (solid or dashed) and its name, or a note without swatch (`colour` None).
struct LegendItem {
    colour: Option<RGBColor>,
    dashed: bool,
    text: String,
}

/// Where the legend goes, in device pixels: the box, and each item's left x and centre y.
#[derive(Debug, Clone, PartialEq)]
struct LegendLayout {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
    items: Vec<(i32, i32)>,
}

const LEGEND_SWATCH: f64 = 24.0;
const LEGEND_SWATCH_GAP: f64 = 6.0;
const LEGEND_ITEM_GAP: f64 = 16.0;
const LEGEND_PAD: f64 = 6.0;
const LEGEND_INSET: f64 = 6.0;

/// The legend as rows of items across the top right of the plot, wrapping when the plot is too narrow: a row of
/// entries takes far less height than a column, and every pixel of headroom it needs is taken from the data (see
/// `y_top`). `text_widths` are the items' text widths in device pixels; `swatch[i]` says whether item i has one.
fn legend_layout(layout: &Layout, text_widths: &[f64], swatch: &[bool]) -> LegendLayout {
    let pad = layout.px(LEGEND_PAD);
    let gap = layout.px(LEGEND_ITEM_GAP);
    let row_h = layout.px(LEGEND_FONT * 1.4);
    let inset = layout.px(LEGEND_INSET);
    let available = (layout.plot_width() - 2 * inset - 2 * pad).max(1);
    let widths = text_widths.iter().zip(swatch.iter().chain(std::iter::repeat(&false))).map(|(&w, &has)| {
        let swatch = if has { layout.px(LEGEND_SWATCH) + layout.px(LEGEND_SWATCH_GAP) } else { 0 };
        swatch + w.max(0.0).ceil().min(1e6) as i32
    });
    // Flow into rows: (x within the row, row) per item.
    let (mut x, mut row, mut widest) = (0, 0, 0);
    let mut placed = Vec::with_capacity(text_widths.len());
    for w in widths {
        if x > 0 && x + w > available {
            row += 1;
            x = 0;
        }
        placed.push((x, row));
        widest = widest.max(x + w);
        x += w + gap;
    }
    let rows = if placed.is_empty() { 0 } else { row + 1 };
    let x1 = layout.plot_x.1 - inset;
    let x0 = (x1 - widest - 2 * pad).max(layout.plot_x.0);
    let y0 = layout.plot_y.0 + inset;
    let items = placed.into_iter().map(|(x, row)| (x0 + pad + x, y0 + pad + row * row_h + row_h / 2)).collect();
    LegendLayout { x0, y0, x1, y1: y0 + 2 * pad + rows * row_h, items }
}

/// The top of the y range: the data peak pushed down below the legend (the legend covers the top `reserved` device
/// pixels of the plot), so the legend never hides data; never below `min_top`.
fn y_top(peak: f64, reserved: i32, plot_height: i32, min_top: f64) -> f64 {
    let fraction = (f64::from(reserved) / f64::from(plot_height.max(1))).clamp(0.08, 0.5);
    let top = peak.max(0.0) / (1.0 - fraction);
    if top.is_finite() {
        top.max(min_top)
    } else {
        min_top
    }
}

/// Draws one chart onto `root`; returns the plotting area's pixel range as plotters laid it out (`draw` checks it
/// against `Layout`).
fn render<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &Layout,
    plot: Plot,
    end_s: f64,
    cursor_s: f64,
    markers: &[ChartMarker],
    measure: &dyn Fn(&str) -> f64,
) -> Result<(Range<i32>, Range<i32>), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let end = x_end(end_s);
    root.fill(&WHITE).map_err(err)?;

    if !layout.drawable() {
        return Ok((layout.plot_x.0..layout.plot_x.1, layout.plot_y.0..layout.plot_y.1));
    }

    let mut legend_items: Vec<LegendItem> = Vec::new();
    if plot.legend && !plot.lines.is_empty() {
        legend_items.extend(plot.lines.iter().map(|l| LegendItem {
            colour: Some(l.colour),
            dashed: l.dashed,
            text: tr_dyn(&l.name),
        }));
        if let Some(bin_s) = plot.bin_s {
            let text = trf("(means over {seconds} s)", &[("seconds", &format_time_label(TimeUnit::Seconds, bin_s))]);
            legend_items.push(LegendItem { colour: None, dashed: false, text });
        }
    }
    let legend = (!legend_items.is_empty()).then(|| {
        let widths: Vec<f64> = legend_items.iter().map(|item| measure(&item.text)).collect();
        let swatches: Vec<bool> = legend_items.iter().map(|item| item.colour.is_some()).collect();
        legend_layout(layout, &widths, &swatches)
    });
    let reserved = legend.as_ref().map_or(0, |b| b.y1 - layout.plot_y.0 + layout.px(4.0));
    let all_values = || plot.lines.iter().flat_map(|l| l.points.iter().map(|&(_, v)| v)).filter(|v| v.is_finite());
    let peak = all_values().fold(0.0, f64::max);
    let bottom = all_values().fold(0.0, f64::min);
    let top = y_top(peak, reserved, layout.plot_height(), plot.min_top);
    let y_step = nice_step(top - bottom, layout.max_y_ticks(), plot.integer_y);
    // Ticks from 0 (or the first multiple of the step below a negative minimum) up to the top.
    let y_first = (bottom / y_step).floor() * y_step;
    let y_ticks: Vec<f64> = ticks(top - y_first, y_step).into_iter().map(|v| v + y_first).collect();

    let unit = TimeUnit::for_range(end);
    let x_label = |x: &f64| format_time_label(unit, *x);
    let y_label = |y: &f64| format_y_label(*y, y_step, top);
    let mut chart = ChartBuilder::on(root)
        .margin_top(layout.px(MARGIN_TOP))
        .margin_right(layout.px(MARGIN_RIGHT))
        .margin_bottom(layout.px(MARGIN_BOTTOM))
        .margin_left(layout.px(MARGIN_LEFT))
        .x_label_area_size(layout.px(X_LABEL_AREA))
        .y_label_area_size(layout.px(Y_LABEL_AREA))
        .build_cartesian_2d(
            TickedAxis { lo: 0.0, hi: end, ticks: x_ticks(end, layout.max_x_ticks()) },
            TickedAxis { lo: y_first.min(0.0), hi: top, ticks: y_ticks },
        )
        .map_err(err)?;
    let pixel_range = chart.plotting_area().get_pixel_range();
    chart
        .configure_mesh()
        .x_desc(tr_dyn(unit.axis_description()))
        .y_desc(tr_dyn(plot.y_desc))
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .axis_desc_style(("sans-serif", layout.font(AXIS_DESC_FONT)).into_font().color(&AXIS_GREY))
        .label_style(("sans-serif", layout.font(LABEL_FONT)).into_font().color(&AXIS_GREY))
        .axis_style(AXIS_GREY.stroke_width(layout.px(1.0).max(1) as u32))
        .bold_line_style(GRID_GREY.stroke_width(layout.px(1.0).max(1) as u32))
        .set_all_tick_mark_size(layout.px(TICK))
        .draw()
        .map_err(err)?;

    let stroke = layout.px(LINE_WIDTH).max(1) as u32;
    let (dash, gap) = (layout.px(10.0), layout.px(6.0));
    for line in plot.lines {
        let style = line.colour.stroke_width(stroke);
        if line.dashed {
            chart.draw_series(DashedLineSeries::new(line.points, dash, gap, style)).map_err(err)?;
        } else {
            chart.draw_series(LineSeries::new(line.points, style)).map_err(err)?;
        }
    }

    // Markers on the time axis (quota hits, task retirement): a thin dashed grey line each, its label at the foot of
    // the plot, stacked upwards so that neighbours do not overwrite each other.
    let thin = layout.px(1.0).max(1) as u32;
    let label_style = TextStyle::from(("sans-serif", layout.font(MARKER_FONT)).into_font())
        .color(&TEXT_INK)
        .pos(Pos::new(HPos::Left, VPos::Bottom));
    for (row, (time_s, label)) in visible_markers(markers, end).into_iter().enumerate() {
        let style = AXIS_GREY.stroke_width(thin);
        let (short, long) = (layout.px(4.0), layout.px(4.0));
        chart
            .draw_series(DashedLineSeries::new(vec![(time_s, y_first.min(0.0)), (time_s, top)], short, long, style))
            .map_err(err)?;
        let x = chart.backend_coord(&(time_s, top)).0 + layout.px(3.0);
        let rows = i32::try_from(row % MARKER_ROWS).unwrap_or(0);
        let y = layout.plot_y.1 - layout.px(2.0) - rows * layout.px(MARKER_FONT + 2.0);
        root.draw(&Text::new(label, (x, y), label_style.clone())).map_err(err)?;
    }

    // The legend, drawn by hand: plotters' own measures every label through the DOM (see `draw`).
    if let Some(b) = legend {
        root.draw(&Rectangle::new([(b.x0, b.y0), (b.x1, b.y1)], WHITE.mix(0.85).filled())).map_err(err)?;
        root.draw(&Rectangle::new([(b.x0, b.y0), (b.x1, b.y1)], GRID_GREY.stroke_width(thin))).map_err(err)?;
        let text_style = |ink: &'static RGBColor| {
            TextStyle::from(("sans-serif", layout.font(LEGEND_FONT)).into_font())
                .color(ink)
                .pos(Pos::new(HPos::Left, VPos::Center))
        };
        let swatch_w = layout.px(LEGEND_SWATCH);
        for (item, &(x, y)) in legend_items.iter().zip(&b.items) {
            let Some(colour) = item.colour else {
                root.draw(&Text::new(item.text.as_str(), (x, y), text_style(&AXIS_GREY))).map_err(err)?;
                continue;
            };
            let style = colour.stroke_width(stroke);
            if item.dashed {
                let mid = x + swatch_w / 2;
                root.draw(&PathElement::new(vec![(x, y), (mid - gap / 2, y)], style)).map_err(err)?;
                root.draw(&PathElement::new(vec![(mid + gap / 2, y), (x + swatch_w, y)], style)).map_err(err)?;
            } else {
                root.draw(&PathElement::new(vec![(x, y), (x + swatch_w, y)], style)).map_err(err)?;
            }
            let text_x = x + swatch_w + layout.px(LEGEND_SWATCH_GAP);
            root.draw(&Text::new(item.text.as_str(), (text_x, y), text_style(&TEXT_INK))).map_err(err)?;
        }
    }

    // The cursor last, over everything.
    if cursor_s.is_finite() && (0.0..=end).contains(&cursor_s) {
        let style = CURSOR_INK.stroke_width(layout.px(CURSOR_WIDTH).max(1) as u32);
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(cursor_s, y_first.min(0.0)), (cursor_s, top)], style)))
            .map_err(err)?;
    }
    Ok(pixel_range)
}

/// Marker labels' font size (CSS px) and how many rows they stack in before starting again at the foot.
const MARKER_FONT: f64 = 12.0;
const MARKER_ROWS: usize = 4;

/// The markers inside the chart's x range (0..=end), in time order, one per time: markers at the same time share
/// a line and their labels are joined ("quota: …; task retirement").
fn visible_markers(markers: &[ChartMarker], end: f64) -> Vec<(f64, String)> {
    let mut shown: Vec<(f64, String)> = Vec::new();
    let mut inside: Vec<&ChartMarker> =
        markers.iter().filter(|m| m.time_s.is_finite() && (0.0..=end).contains(&m.time_s)).collect();
    fleetplan_engine::sort::sort_by(&mut inside, |a, b| a.time_s.total_cmp(&b.time_s));
    for m in inside {
        match shown.last_mut() {
            Some((t, label)) if *t == m.time_s => {
                label.push_str("; ");
                label.push_str(&tr_text(&m.label));
            }
            _ => shown.push((m.time_s, tr_text(&m.label))),
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn mean_bins_average_and_sit_in_the_middle() {
        let values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let points = downsample(&values, 1.0, 3, Reduce::Mean);
        assert_eq!(points, vec![(1.5, 2.0), (4.5, 5.0), (6.5, 7.0)]);
        // Half-second samples: times scale, means do not.
        let points = downsample(&values, 0.5, 2, Reduce::Mean);
        assert_eq!(points, vec![(0.5, 1.5), (1.5, 3.5), (2.5, 5.5), (3.25, 7.0)]);
    }

    #[test]
    fn last_bins_keep_the_sample_at_the_bin_end_and_start_at_the_first_sample() {
        let values = [5.0, 0.0, 9.0, 1.0, 2.0, 3.0, 8.0];
        let points = downsample(&values, 1.0, 3, Reduce::Last);
        assert_eq!(points, vec![(1.0, 5.0), (3.0, 9.0), (6.0, 3.0), (7.0, 8.0)]);
        // One sample per bin: the samples themselves, no duplicated first point.
        let points = downsample(&values[..3], 2.0, 1, Reduce::Last);
        assert_eq!(points, vec![(2.0, 5.0), (4.0, 0.0), (6.0, 9.0)]);
        assert!(downsample(&[], 1.0, 4, Reduce::Last).is_empty());
        assert!(downsample(&[], 1.0, 0, Reduce::Mean).is_empty());
    }

    #[test]
    fn mean_bins_preserve_the_total() {
        // A rate's integral is the number launched; averaging must keep it (full bins only, equal widths).
        let values: Vec<f64> = (0..21_600).map(|i| f64::from((i * 7919) % 13)).collect();
        let per_bin = 40;
        let points = downsample(&values, 1.0, per_bin, Reduce::Mean);
        let total: f64 = values.iter().sum();
        let binned: f64 = points.iter().map(|&(_, v)| v * per_bin as f64).sum();
        assert!((total - binned).abs() < 1e-6 * total);
    }

    #[test]
    fn binning_caps_points_by_plot_width_and_keeps_rate_bins_at_least_5_s() {
        // 6 hours at 1 s on a 1000-pixel plot: at most 500 points.
        let b = Binning::new(21_600, 1000, 21_600.0, 1000, 0.0);
        assert_eq!(b.visible, 21_600);
        let values = vec![1.0; 21_600];
        for reduce in [Reduce::Mean, Reduce::Last] {
            let n = downsample(&values, b.interval_s, b.per_bin, reduce).len();
            assert!(n <= 501, "{n} points for 500 bins");
            assert!(n >= 400, "{n} points: needlessly coarse");
        }
        // Round bin lengths: 21,600 s over 500 points needs 43.2 s, drawn as 45 s.
        assert_eq!(b.per_bin, 45);
        assert_eq!(round_up_s(43.2), 45.0);
        assert_eq!(round_up_s(60.0), 60.0);
        assert_eq!(round_up_s(61.0), 90.0);
        assert_eq!(round_up_s(4000.0), 7200.0);
        // A short run on a wide plot: one sample per bin for levels, 5 s for rates.
        assert_eq!(Binning::new(60, 1000, 60.0, 1000, 0.0).per_bin, 1);
        assert_eq!(Binning::new(60, 1000, 60.0, 1000, MIN_RATE_BIN_S).per_bin, 5);
        // 2 s samples: 5 s needs 3 of them (6 s), rounded to 10 s.
        assert_eq!(Binning::new(60, 2000, 60.0, 1000, MIN_RATE_BIN_S).per_bin, 5);
        assert_eq!(Binning::new(60, 10_000, 600.0, 1000, MIN_RATE_BIN_S).per_bin, 1);
        // Bins come from the x range, not the data: a growing series keeps its bin edges.
        let early = Binning::new(100, 1000, 21_600.0, 1000, 0.0);
        assert_eq!(early.per_bin, b.per_bin);
        assert_eq!(early.visible, 100);
        // Data beyond the range is left out.
        assert_eq!(Binning::new(5000, 1000, 3600.0, 1000, 0.0).visible, 3600);
        // Degenerate inputs do not panic or divide by zero.
        let odd = Binning::new(10, 0, 0.0, 0, 0.0);
        assert!(odd.per_bin >= 1);
    }

    #[test]
    fn x_labels_switch_unit_with_the_range() {
        assert_eq!(TimeUnit::for_range(599.0), TimeUnit::Seconds);
        assert_eq!(TimeUnit::for_range(600.0), TimeUnit::Minutes);
        assert_eq!(TimeUnit::for_range(7199.0), TimeUnit::Minutes);
        assert_eq!(TimeUnit::for_range(7200.0), TimeUnit::HoursMinutes);
        assert_eq!(format_time_label(TimeUnit::Seconds, 90.0), "90");
        assert_eq!(format_time_label(TimeUnit::Seconds, 2.5), "2.5");
        assert_eq!(format_time_label(TimeUnit::Minutes, 1800.0), "30");
        assert_eq!(format_time_label(TimeUnit::Minutes, 750.0), "12.5");
        assert_eq!(format_time_label(TimeUnit::HoursMinutes, 3900.0), "1:05");
        assert_eq!(format_time_label(TimeUnit::HoursMinutes, 21_600.0), "6:00");
        assert_eq!(format_time_label(TimeUnit::HoursMinutes, 0.0), "0:00");
        assert_eq!(format_time_label(TimeUnit::HoursMinutes, 48.0 * 3600.0 + 1800.0), "48:30");
    }

    #[test]
    fn x_ticks_are_round_in_their_unit_and_fit() {
        assert_eq!(x_ticks(300.0, 8), vec![0.0, 60.0, 120.0, 180.0, 240.0, 300.0]);
        assert_eq!(x_ticks(3600.0, 8), vec![0.0, 600.0, 1200.0, 1800.0, 2400.0, 3000.0, 3600.0]);
        assert_eq!(x_ticks(21_600.0, 8), vec![0.0, 3600.0, 7200.0, 10_800.0, 14_400.0, 18_000.0, 21_600.0]);
        let labels: Vec<String> =
            x_ticks(21_600.0, 13).iter().map(|&t| format_time_label(TimeUnit::HoursMinutes, t)).collect();
        assert_eq!(labels.first().map(String::as_str), Some("0:00"));
        assert_eq!(labels.get(1).map(String::as_str), Some("0:30"));
        for (end, max) in [(1.0, 2), (7.0, 3), (599.0, 13), (1e6, 5), (7200.0, 2)] {
            let ticks = x_ticks(end, max);
            assert!(ticks.len() <= max && !ticks.is_empty(), "{end}: {ticks:?}");
            assert!(ticks.iter().all(|&t| t <= end + 1e-6));
        }
    }

    #[test]
    fn y_steps_and_labels() {
        assert_eq!(nice_step(110.0, 6, true), 50.0);
        assert_eq!(nice_step(1.1, 6, true), 1.0);
        assert!(close(nice_step(1.1, 6, false), 0.5));
        assert!(close(nice_step(0.012, 5, false), 0.005));
        assert_eq!(nice_step(0.0, 5, true), 1.0);
        assert_eq!(nice_step(f64::NAN, 5, false), 1.0);
        assert_eq!(format_y_label(40.0, 20.0, 110.0), "40");
        assert_eq!(format_y_label(0.5, 0.5, 1.1), "0.5");
        assert_eq!(format_y_label(0.01, 0.005, 0.012), "0.010");
        assert_eq!(format_y_label(12_000.0, 2000.0, 13_000.0), "12k");
        assert_eq!(format_y_label(10_500.0, 500.0, 11_000.0), "10.5k");
        assert_eq!(decimals_for(0.1), 1);
        assert_eq!(decimals_for(0.05), 2);
        assert_eq!(decimals_for(0.2), 1);
    }

    #[test]
    fn the_legend_flows_into_rows_inside_the_plot() {
        let layout = Layout::new(900.0, 240.0, 1.0);
        let (x0, x1) = layout.plot_x;
        // Three short items fit in one row, right-aligned in the plot.
        let one = legend_layout(&layout, &[60.0, 90.0, 50.0], &[true, true, false]);
        assert_eq!(one.items.len(), 3);
        assert!(one.items.iter().all(|&(_, y)| y == one.items[0].1), "{one:?}");
        assert_eq!(one.x1, x1 - layout.px(LEGEND_INSET));
        assert!(one.x0 > x0 && one.x0 < one.x1);
        assert!(one.items.windows(2).all(|w| w[0].0 < w[1].0));
        // Items wider than the plot wrap, one row each, and the box grows down, staying inside the plot's x range.
        let wide = legend_layout(&layout, &[500.0, 500.0, 500.0], &[true, true, true]);
        let rows: Vec<i32> = wide.items.iter().map(|&(_, y)| y).collect();
        assert!(rows.windows(2).all(|w| w[0] < w[1]), "{wide:?}");
        assert!(wide.y1 - wide.y0 > 2 * (one.y1 - one.y0));
        assert!(wide.x0 >= x0);
        // Nothing to show: an empty box.
        let none = legend_layout(&layout, &[], &[]);
        assert_eq!(none.y1 - none.y0, 2 * layout.px(LEGEND_PAD));
        // At dpr 2 everything doubles (give or take rounding).
        let double = legend_layout(&Layout::new(900.0, 240.0, 2.0), &[120.0, 180.0, 100.0], &[true, true, false]);
        assert!(((double.y1 - double.y0) - 2 * (one.y1 - one.y0)).abs() <= 2, "{double:?} vs {one:?}");
        assert_eq!(double.items.len(), 3);
    }

    #[test]
    fn the_top_leaves_room_for_the_legend() {
        // A legend over the top 30 % of the plot: the peak maps to 70 % height.
        assert!(close(y_top(70.0, 30, 100, 1.0), 100.0));
        // No legend: 8 % headroom. An empty chart: the minimum.
        assert!(close(y_top(92.0, 0, 100, 1.0), 100.0));
        assert!(close(y_top(0.0, 0, 100, 1.0), 1.0));
        assert!(close(y_top(f64::INFINITY, 0, 100, 1.0), 1.0));
    }

    #[test]
    fn time_at_inverts_the_plotters_mapping() {
        for (w, h, dpr) in [(900.0, 300.0, 1.0), (1280.0, 260.0, 2.0), (737.0, 333.0, 1.25), (400.0, 240.0, 3.0)] {
            let layout = Layout::new(w, h, dpr);
            let (x0, x1) = layout.plot_x;
            for end in [60.0, 599.0, 3600.0, 21_600.0] {
                for px in [x0, x0 + 1, (x0 + x1) / 2, x1 - 1, x1] {
                    let t = layout.time_at_x(f64::from(px), end).expect("inside the plot");
                    assert_eq!(layout.x_of_time(t, end), px, "{w}x{h}@{dpr} end {end} px {px}");
                }
                for t in [0.0, end * 0.37, end / 2.0, end] {
                    let px = layout.x_of_time(t, end);
                    let back = layout.time_at_x(f64::from(px), end).expect("inside the plot");
                    // Within one device pixel's worth of time.
                    assert!((back - t).abs() <= end / f64::from(x1 - x0), "{t} -> {px} -> {back}");
                }
                assert_eq!(layout.time_at_x(f64::from(x0) - 1.0, end), None);
                assert_eq!(layout.time_at_x(f64::from(x1) + 1.0, end), None);
                assert_eq!(layout.time_at_x(f64::NAN, end), None);
            }
        }
        // CSS offsets: the click at the plot's left edge in CSS pixels is time 0.
        let layout = Layout::new(800.0, 300.0, 2.0);
        let left_css = f64::from(layout.plot_x.0) / layout.scale;
        assert_eq!(layout.time_at_x(left_css * layout.scale, 100.0), Some(0.0));
        // Too small to plot: no times.
        assert_eq!(Layout::new(60.0, 40.0, 1.0).time_at_x(30.0, 100.0), None);
        assert_eq!(Layout::new(f64::NAN, 0.0, f64::NAN).width, 1);
    }

    /// A 6-hour run at 1 s: launches early, Spot churn, buckets draining and refilling, cost growing.
    fn six_hours() -> TimeSeries {
        let mut series = TimeSeries::new(1000);
        for i in 0..21_600usize {
            let t = i as f64;
            for (&c, column) in Column::ALL.iter().zip(series.columns.iter_mut()) {
                let v = match c {
                    Column::LaunchesFargate => f64::from(i < 600 && i % 5 == 0) * 10.0,
                    Column::LaunchesFargateSpot => f64::from(i % 3600 < 120 && i % 5 == 0) * 4.0,
                    Column::RunningFargate => (t / 6.0).min(100.0),
                    Column::RunningFargateSpot => 50.0 - f64::from(i % 3600 < 120) * 20.0,
                    Column::Desired => 150.0,
                    Column::Pending => f64::from(i % 3600 < 130) * 7.0,
                    Column::BucketFargateOnDemand => 100.0 - f64::from(i < 600) * 60.0,
                    Column::BucketRunTaskApi => 100.0,
                    Column::CostUsd => t * 0.001,
                    Column::CostFargate => t * 0.0008,
                    Column::CostPublicIpv4 => t * 0.0002,
                    _ => 0.0,
                };
                column.push(v);
            }
        }
        series
    }

    #[test]
    fn lines_are_capped_and_chosen_by_content() {
        let series = six_hours();
        let layout = Layout::new(1000.0, 300.0, 2.0);
        let cap = (f64::from(layout.plot_width()) / PX_PER_POINT) as usize + 1;
        for kind in ChartKind::ALL {
            let plot = plot_data(kind, &series, 21_600.0, layout.plot_width());
            for line in &plot.lines {
                assert!(line.points.len() <= cap, "{kind:?} {}: {} > {cap}", line.name, line.points.len());
            }
        }
        let names = |kind| -> Vec<String> {
            plot_data(kind, &series, 21_600.0, layout.plot_width()).lines.iter().map(|l| l.name.to_string()).collect()
        };
        assert_eq!(names(ChartKind::Launches), vec!["FARGATE", "FARGATE_SPOT"]);
        assert_eq!(names(ChartKind::Running), vec!["FARGATE", "FARGATE_SPOT", "desired"]);
        // Only the bucket that moved.
        assert_eq!(names(ChartKind::Buckets), vec!["Fargate On-Demand launches"]);
        assert_eq!(names(ChartKind::Backlog), vec![TaskState::Pending.name()]);
        // A line per category with cost, then the dashed total.
        assert_eq!(names(ChartKind::Cost), vec!["FARGATE", "public IPv4", "total"]);

        // Buckets that never moved: those that apply, the Fargate On-Demand one of a scenario on Fargate (no Fargate
        // Spot bucket without Fargate Spot, no RunTask buckets without RunTask).
        let mut flat = TimeSeries::new(1000);
        for column in &mut flat.columns {
            column.extend([3.0, 3.0, 3.0]);
        }
        assert!(plot_data(ChartKind::Buckets, &flat, 3.0, 500).lines.is_empty());
        flat.split.providers.push(fleetplan_engine::split::SplitGroup {
            name: "FARGATE".into(),
            service: None,
            values: Vec::new(),
            dip: None,
        });
        let flat_names: Vec<String> =
            plot_data(ChartKind::Buckets, &flat, 3.0, 500).lines.iter().map(|l| l.name.to_string()).collect();
        assert_eq!(flat_names, vec!["Fargate On-Demand launches"]);
        // One category alone: its line, named, without a total that would hide it.
        let mut one = TimeSeries::new(1000);
        for (&c, column) in Column::ALL.iter().zip(one.columns.iter_mut()) {
            let cost = matches!(c, Column::CostUsd | Column::CostEc2Spot | Column::CostLoadBalancers);
            column.extend(if cost { [0.5, 1.0] } else { [0.0, 0.0] });
        }
        let cost_names = |series: &TimeSeries| -> Vec<String> {
            plot_data(ChartKind::Cost, series, 2.0, 500).lines.iter().map(|l| l.name.to_string()).collect()
        };
        assert_eq!(cost_names(&one), vec!["EC2_SPOT", "load balancers", "total"]);
        one.columns[Column::CostLoadBalancers.index()] = vec![0.0, 0.0];
        assert_eq!(cost_names(&one), vec!["EC2_SPOT"]);
        let lines = plot_data(ChartKind::Cost, &one, 2.0, 500).lines;
        assert!(!lines[0].dashed && lines[0].points.last() == Some(&(2.0, 1.0)), "{:?}", lines[0].points);
        // With commitments: their total, last, solid.
        one.cost_with_commitments = vec![0.8, 0.9];
        assert_eq!(cost_names(&one), vec!["EC2_SPOT", "total with commitments"]);
        let lines = plot_data(ChartKind::Cost, &one, 2.0, 500).lines;
        assert!(!lines[1].dashed && lines[1].points.last() == Some(&(2.0, 0.9)), "{:?}", lines[1].points);
        // No samples at all: no lines (not even desired), so no legend.
        let empty = TimeSeries::new(1000);
        for kind in ChartKind::ALL {
            assert!(plot_data(kind, &empty, 0.0, 500).lines.is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn markers_inside_the_range_are_shown_once_per_time() {
        let m = |time_s: f64, label: &str| ChartMarker {
            time_s,
            label: fleetplan_engine::text::Text::literal(label.to_string()),
        };
        let markers = [
            m(600.0, "task retirement"),
            m(30.0, "quota: Auto Scaling group maximum capacity"),
            m(600.0, "task retirement notice"),
            m(5000.0, "after the range"),
            m(f64::NAN, "nowhere"),
        ];
        assert_eq!(
            visible_markers(&markers, 1800.0),
            vec![
                (30.0, "quota: Auto Scaling group maximum capacity".to_string()),
                (600.0, "task retirement; task retirement notice".to_string()),
            ]
        );
        assert!(visible_markers(&markers, 10.0).is_empty());
    }

    /// The preset's run marks its retirement notice and retirement at 600 s on the charts.
    #[test]
    fn the_retirement_preset_marks_its_notice() {
        let scenario =
            fleetplan_engine::presets::get("fargate-task-retirement").expect("preset").scenario().expect("valid");
        let mut sim = fleetplan_engine::Simulation::new(scenario, 1);
        sim.run_to_end();
        assert_eq!(
            visible_markers(&sim.chart_markers(), sim.now().as_secs_f64()),
            vec![(600.0, "task retirement notice; task retirement".to_string())]
        );
    }

    /// Unsplit, the bucket chart shows the service launch-rate bucket that the summary names as the limit (issue 13):
    /// `fargate-ondemand-1000`'s web is limited by "service launch rate", and its bucket is drawn, dashed, beside
    /// the account's Fargate On-Demand bucket; the Fargate Spot bucket, which does not apply, is left out.
    #[test]
    fn the_bucket_chart_shows_the_service_bucket_the_summary_names() {
        let scenario =
            fleetplan_engine::presets::get("fargate-ondemand-1000").expect("preset").scenario().expect("valid");
        let mut sim = fleetplan_engine::Simulation::new(scenario, 1);
        sim.run_to_end();
        let summary = sim.metrics();
        assert_eq!(summary.services[0].limited_by, Some(fleetplan_engine::output::Limiter::ServiceLaunchRate));
        let plot = plot_data(ChartKind::Buckets, sim.series(), sim.now().as_secs_f64(), 600);
        let names: Vec<&str> = plot.lines.iter().map(|l| l.name.as_ref()).collect();
        assert_eq!(names, ["Fargate On-Demand launches", "web launch rate"]);
        assert!(plot.lines[1].dashed && !plot.lines[0].dashed);
    }

    /// The queue chart draws the lazy workers' backlog, in-flight messages and oldest age; without queues it is
    /// empty (and the page leaves it out).
    #[test]
    fn the_queue_chart_shows_backlog_and_age() {
        let scenario = fleetplan_engine::presets::get("lazy-sqs-workers").expect("preset").scenario().expect("valid");
        let mut sim = fleetplan_engine::Simulation::new(scenario, 1);
        sim.run_to_end();
        let plot = plot_data(ChartKind::Queue, sim.series(), sim.now().as_secs_f64(), 600);
        let names: Vec<&str> = plot.lines.iter().map(|l| l.name.as_ref()).collect();
        assert_eq!(names, ["visible messages", "in flight", "oldest message age (s)"]);
        let peak = plot.lines[0].points.iter().map(|p| p.1).fold(0.0, f64::max);
        assert!(peak > 4_000.0, "{peak}");
        assert!(plot_data(ChartKind::Queue, &six_hours(), 3600.0, 600).lines.is_empty());
    }

    /// The customized-metric chart of its preset: the per-task value on the target at the start, above it during
    /// the ramp, the alarm band and the actions drawn; without a customized metric it is empty.
    #[test]
    fn the_custom_metric_chart_shows_the_value_per_task_against_its_target() {
        let scenario =
            fleetplan_engine::presets::get("custom-metric-connections").expect("preset").scenario().expect("valid");
        let mut sim = fleetplan_engine::Simulation::new(scenario, 1);
        sim.run_to_end();
        let plot = plot_data(ChartKind::CustomMetric, sim.series(), sim.now().as_secs_f64(), 600);
        let names: Vec<&str> = plot.lines.iter().map(|l| l.name.as_ref()).collect();
        assert_eq!(names, ["metric per task", "target", "scale-out alarm", "scaling action"]);
        assert!(plot.lines[1].points.iter().all(|p| p.1 == 500.0));
        let peak = plot.lines[0].points.iter().map(|p| p.1).fold(0.0, f64::max);
        assert!(peak > 500.0, "{peak}");
        // The spikes reach the top of the lines, as the CPU chart's reach 100%.
        let spike = plot.lines[3].points.iter().map(|p| p.1).fold(0.0, f64::max);
        assert!(spike >= peak, "{spike} {peak}");
        assert!(plot_data(ChartKind::CustomMetric, &six_hours(), 3600.0, 600).lines.is_empty());
        let spiral = fleetplan_engine::presets::get("death-spiral").expect("preset").scenario().expect("valid");
        let mut plain = fleetplan_engine::Simulation::new(spiral, 1);
        plain.run_to_end();
        assert!(plot_data(ChartKind::CustomMetric, plain.series(), plain.now().as_secs_f64(), 600).lines.is_empty());
    }

    /// The text alternative reads each line at the cursor and the peak, and follows the cursor.
    #[test]
    fn a_chart_reads_its_lines_at_the_cursor_and_its_peak() {
        let plot = plot_data(ChartKind::Running, &six_hours(), 21_600.0, 600);
        let early = describe(&plot, 300.0);
        assert!(early.starts_with("At 5:00 (tasks): FARGATE 4"), "{early}");
        let later = describe(&plot, 1200.0);
        assert_eq!(later, "At 20:00 (tasks): FARGATE 100, FARGATE_SPOT 50, desired 150. Highest: desired 150 at 0:01.");
        let late = describe(&plot, 3700.0);
        assert!(late.starts_with("At 1:01:40 (tasks): FARGATE 100, FARGATE_SPOT 30,"), "{late}");
        assert!(describe(&plot, f64::NAN).starts_with("At the end (tasks):"));
        let empty = plot_data(ChartKind::Queue, &six_hours(), 21_600.0, 600);
        assert_eq!(describe(&empty, 0.0), "Nothing to show yet.");
    }

    /// One colour per state: on every chart of presets with waiting tasks, Spot capacity waits and Batch jobs, a
    /// line named after a task or job state is drawn in that state's colour from `palette`, the cluster's and the
    /// legend's (the waiting chart once drew PROVISIONING in DEPROVISIONING's pink).
    #[test]
    fn state_lines_take_the_palette_colour() {
        let mut checked = 0;
        for id in ["fargate-spot-1000", "ec2-cold-1000", "fargate-vcpu-quota", "batch-two-queue-priorities"] {
            let scenario = fleetplan_engine::presets::get(id).expect("preset").scenario().expect("valid");
            let mut sim = fleetplan_engine::Simulation::new(scenario, 1);
            sim.run_to_end();
            let end = sim.now().as_secs_f64();
            for &kind in ChartKind::ALL.iter() {
                for line in plot_data(kind, sim.series(), end, 600).lines {
                    let colour =
                        if matches!(kind, ChartKind::BatchJobs | ChartKind::BatchVcpus | ChartKind::BatchBacklog) {
                            BatchJobState::ALL
                                .iter()
                                .find(|s| line.name.starts_with(s.name()))
                                .map(|&s| job_state_colour(s))
                        } else {
                            TaskState::ALL.iter().find(|s| line.name == s.name()).map(|&s| task_state_colour(s))
                        };
                    if let Some(colour) = colour {
                        assert_eq!(line.colour, colour, "{id} {kind:?} {}", line.name);
                        checked += 1;
                    }
                }
            }
            if let Some(line) = plot_data(ChartKind::Backlog, sim.series(), end, 600)
                .lines
                .iter()
                .find(|l| l.name == "waiting for Spot capacity")
            {
                assert_eq!(line.colour, task_state_colour(TaskState::Provisioning));
                assert!(line.dashed);
            }
        }
        assert!(checked >= 6, "only {checked} state lines drawn");
    }

    /// The Batch charts of the two-queue preset: jobs by state in the cluster view's colours, the vCPUs in use
    /// never above the summed maxvCpus, a RUNNABLE backlog that rises and drains; without Batch they are empty.
    #[test]
    fn the_batch_charts_show_states_vcpus_and_backlog() {
        let scenario =
            fleetplan_engine::presets::get("batch-two-queue-priorities").expect("preset").scenario().expect("valid");
        let mut sim = fleetplan_engine::Simulation::new(scenario, 1);
        sim.run_to_end();
        let end = sim.now().as_secs_f64();
        let jobs = plot_data(ChartKind::BatchJobs, sim.series(), end, 600);
        let names: Vec<&str> = jobs.lines.iter().map(|l| l.name.as_ref()).collect();
        for state in [BatchJobState::Runnable, BatchJobState::Running, BatchJobState::Succeeded] {
            assert!(names.contains(&state.name()), "{names:?}");
        }
        let running = jobs.lines.iter().find(|l| l.name == BatchJobState::Running.name()).expect("running");
        assert_eq!(running.colour, hex_colour(crate::palette::job_state(BatchJobState::Running)));
        let vcpus = plot_data(ChartKind::BatchVcpus, sim.series(), end, 600);
        let peak = |line: &Line| line.points.iter().map(|p| p.1).fold(0.0, f64::max);
        let (used, max) = (peak(&vcpus.lines[0]), peak(&vcpus.lines[2]));
        assert!(used > 0.0 && used <= max, "{used} of {max}");
        let backlog = plot_data(ChartKind::BatchBacklog, sim.series(), end, 600);
        assert!(peak(&backlog.lines[0]) > 100.0, "{}", peak(&backlog.lines[0]));
        assert_eq!(backlog.lines[0].points.last().map(|p| p.1), Some(0.0));
        for kind in [ChartKind::BatchJobs, ChartKind::BatchVcpus, ChartKind::BatchBacklog] {
            assert!(plot_data(kind, &six_hours(), 3600.0, 600).lines.is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn an_overlay_has_a_line_per_variant_in_its_colour() {
        let run = |id: &str| {
            let scenario = fleetplan_engine::presets::get(id).unwrap().scenario().unwrap();
            let mut sim = fleetplan_engine::Simulation::new(scenario, 1);
            sim.run_to_end();
            sim.series().clone()
        };
        let (a, b) = (run("fargate-ondemand-1000"), run("fargate-spot-1000"));
        let end = b.len() as f64 * b.interval_ms as f64 / 1000.0;
        let plot = overlay_plot(OverlayKind::Running, &[&a, &b], end, 600);
        assert_eq!(plot.lines.iter().map(|l| l.name.as_ref()).collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(plot.lines[1].colour, RGBColor(0xd5, 0x5e, 0x00));
        // Both end with their 1,000 tasks running; A gets there first.
        for line in &plot.lines {
            assert_eq!(line.points.last().map(|p| p.1), Some(1000.0));
        }
        let first_full = |l: &Line| l.points.iter().find(|p| p.1 >= 1000.0).map(|p| p.0);
        assert!(first_full(&plot.lines[0]) < first_full(&plot.lines[1]));
        let cost = overlay_plot(OverlayKind::Cost, &[&a, &b], end, 600);
        assert!(cost.lines.iter().all(|l| l.points.windows(2).all(|w| w[1].1 >= w[0].1)), "cost only grows");
    }
}
