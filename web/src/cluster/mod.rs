//! The cluster view: the current [`View`] drawn on a `<canvas>` with the 2D context (the Fargate pools, then each
//! Auto Scaling group / ECS Anywhere provider with its instances by zone, one square per task coloured by its
//! state), and the answer to "what is under the mouse".
//!
//! It is redrawn every animation frame while a run plays, so the work is split in two: [`layout`] is pure
//! arithmetic over the view (O(instances + zones), never O(tasks)) producing rectangles and cell grids, which the
//! unit tests check natively; [`paint`] turns them into canvas calls: one path per colour (a few fills, not one per
//! task), and one rectangle per grid row and state with the gaps between squares painted back, so 10,000 tasks
//! cost a few hundred canvas calls (measured in headless Chromium: ~0.3 ms for 10,000 Fargate tasks, ~1.7 ms for
//! 10,000 tasks on 250 instances, JavaScript side). The layout is kept by the app between frames for [`hit_test`];
//! [`details`] has the words (labels and the details box).
//!
//! Three modes, chosen per frame, so that everything always fits the canvas:
//! - **cells**: one square per task, the largest integer size from [`layout::MAX_CELL`] down to
//!   [`layout::MIN_CELL`] CSS px that fits the whole view;
//! - **instances**: when 3 px squares do not fit, each instance is a small fixed-size box holding a stacked bar of
//!   its task counts (the largest of [`layout::AGGREGATE_BOXES`] that fits), pools and waiting tasks are stacked
//!   bars with the counts written out;
//! - **zones**: when even the smallest boxes do not fit, each provider × zone is one line: a stacked bar (full
//!   width = the zone's estimated capacity) and its counts. Only this mode may overflow (many providers × zones on
//!   a small canvas); the canvas clips it.
//!
//! The n-th square drawn at a place (counting in state order, STOPPED never drawn) is the n-th task of
//! `Simulation::tasks_at(place)`, which sorts the same way: hit tests answer with that ordinal.

pub mod batch;
mod details;
pub(crate) use details::thousands;
#[cfg(test)]
mod fixtures;
pub mod highlight;
mod layout;
mod paint;

pub(crate) use details::capacity_label;

use fleetplan_engine::View;

pub use details::{instance_details, task_details};
pub use layout::{hit_test, ClusterLayout, Hit};

use crate::palette::DRAWN;

/// A canvas' CSS box, in CSS pixels.
fn css_size(canvas: &web_sys::HtmlCanvasElement) -> (f64, f64) {
    (f64::from(canvas.client_width().max(0)), f64::from(canvas.client_height().max(0)))
}

/// Sizes the canvas backing store to its CSS box × devicePixelRatio and returns its 2D context set to draw in CSS
/// pixels, with the box's width and height; `None` when the box is empty (nothing to draw).
fn prepare(
    canvas: &web_sys::HtmlCanvasElement,
) -> Result<Option<(web_sys::CanvasRenderingContext2d, f64, f64)>, String> {
    let (width, height) = css_size(canvas);
    let dpr = crate::dom::device_pixel_ratio();
    let (backing_w, backing_h) = ((width * dpr).round() as u32, (height * dpr).round() as u32);
    crate::dom::resize_backing_store(canvas, backing_w, backing_h);
    if backing_w == 0 || backing_h == 0 {
        return Ok(None);
    }
    let ctx = crate::dom::context_2d(canvas)?;
    // Absolute, not `scale`, so it does not compound from frame to frame.
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).map_err(paint::js_error)?;
    Ok(Some((ctx, width, height)))
}

/// Draws the AWS Batch part on its canvas (see [`batch`]); returns the layout for hit tests.
pub fn draw_batch(
    canvas: &web_sys::HtmlCanvasElement,
    view: &fleetplan_engine::output::BatchView,
    placed: &[batch::Placed],
) -> Result<batch::BatchLayout, String> {
    let Some((ctx, width, height)) = prepare(canvas)? else {
        return Ok(batch::BatchLayout::default());
    };
    let layout = batch::layout(view, placed, width, height);
    batch::paint(&ctx, &layout, width, height)?;
    Ok(layout)
}

/// How instance boxes look, for the HTML legend: (what, how it is drawn) as plain text, rendered as
/// "**what**: how". Each box also has a thin cpu-used bar along its bottom, and in cells mode it is sized for the
/// tasks its cpu and memory can hold, so a full box is a full instance.
pub const INSTANCE_LEGEND: [(&str, &str); 4] = [
    ("Booting instance", "dashed blue outline, pale blue fill (LAUNCHING or REGISTERING)"),
    ("Active instance", "thin solid dark grey outline, white fill"),
    (
        "Draining instance",
        "dotted dark grey outline, grey hatched fill (no new tasks are placed; service tasks are replaced elsewhere)",
    ),
    (
        "Spot interruption notice",
        "thick vermillion outline and a \"!\" badge (terminated two minutes after the notice)",
    ),
];

pub(super) fn drawn_counts(by_state: &[u32; 8]) -> [u32; DRAWN] {
    let mut out = [0; DRAWN];
    for (o, c) in out.iter_mut().zip(by_state) {
        *o = *c;
    }
    out
}

pub(super) fn sum(counts: &[u32; DRAWN]) -> u32 {
    counts.iter().fold(0u32, |a, &c| a.saturating_add(c))
}

pub(super) fn fraction(used: u32, total: u32) -> f64 {
    if total == 0 {
        0.0
    } else {
        (f64::from(used) / f64::from(total)).clamp(0.0, 1.0)
    }
}

/// Draws the view, sizing the canvas backing store to its CSS box × devicePixelRatio. Returns the layout for hit
/// tests. The canvas' CSS must fix its width and height (otherwise a larger backing store would grow the element).
pub fn draw(canvas: &web_sys::HtmlCanvasElement, view: &View) -> Result<ClusterLayout, String> {
    let Some((ctx, width, height)) = prepare(canvas)? else {
        let (width, height) = css_size(canvas);
        return Ok(ClusterLayout { width, height, ..ClusterLayout::default() });
    };
    let layout = layout::layout(view, width, height);
    paint::paint(&ctx, &layout)?;
    Ok(layout)
}
