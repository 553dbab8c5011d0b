//! Painting a [`ClusterLayout`] on a canvas' 2D context: one path per colour (a few fills, not one per task), and
//! one rectangle per grid row and state with the gaps between squares painted back, so 10,000 tasks cost a few
//! hundred canvas calls.

use wasm_bindgen::JsValue;

use super::layout::{segment, ClusterLayout, Look, Rect};
use crate::palette::STATE_COLOURS;

// Colours of everything that is not a task state. Text is dark grey on white for contrast on a projector.
const BACKGROUND: &str = "#FFFFFF";
const TEXT: &str = "#333333";
const BOOTING_FILL: &str = "#E3F1FA";
const BOOTING_LINE: &str = "#0072B2";
const ACTIVE_LINE: &str = "#444444";
const DRAINING_FILL: &str = "#EBEBEB";
const DRAINING_HATCH: &str = "#C4C4C4";
const DRAINING_LINE: &str = "#444444";
const NOTICE: &str = "#D55E00";
const TRACK: &str = "#EEEEEE";
const CPU_TRACK: &str = "#DDDDDD";
const CPU_USED: &str = "#666666";
/// The cpu bar of an instance throttled to its burstable baseline (Okabe-Ito reddish purple).
const THROTTLED: &str = "#CC79A7";
const HEADER_FONT: &str = "bold 14px sans-serif";
const LABEL_FONT: &str = "13px sans-serif";
const BADGE_FONT: &str = "bold 13px sans-serif";
/// Radius of the "!" badge of an instance under a Spot interruption notice.
const BADGE_R: f64 = 7.0;

/// The fill behind an instance box's squares.
fn backdrop(look: Look) -> &'static str {
    match look {
        Look::Booting => BOOTING_FILL,
        Look::Active => BACKGROUND,
        Look::Draining => DRAINING_FILL,
    }
}

pub(super) fn js_error(error: JsValue) -> String {
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

/// Fills rectangles in one colour as one path: one fill call however many rectangles.
fn fill_rects(ctx: &web_sys::CanvasRenderingContext2d, colour: &str, rects: impl Iterator<Item = Rect>) {
    ctx.begin_path();
    let mut any = false;
    for r in rects {
        ctx.rect(r.x, r.y, r.w, r.h);
        any = true;
    }
    if any {
        ctx.set_fill_style_str(colour);
        ctx.fill();
    }
}

/// Outlines rectangles in one style as one path, the line's middle `inset` px inside each rectangle.
fn stroke_rects(
    ctx: &web_sys::CanvasRenderingContext2d,
    (colour, width, inset): (&str, f64, f64),
    dash: &JsValue,
    rects: impl Iterator<Item = Rect>,
) -> Result<(), String> {
    ctx.begin_path();
    let mut any = false;
    for r in rects {
        let r = r.inset(inset);
        ctx.rect(r.x, r.y, r.w, r.h);
        any = true;
    }
    if any {
        ctx.set_line_dash(dash).map_err(js_error)?;
        ctx.set_line_width(width);
        ctx.set_stroke_style_str(colour);
        ctx.stroke();
    }
    Ok(())
}

/// Diagonal hatching of draining boxes, as one path: each line `x + y = k` clipped to its box by arithmetic
/// (cheaper than a clip region per box).
fn hatch(ctx: &web_sys::CanvasRenderingContext2d, rects: impl Iterator<Item = Rect>) {
    const STEP: f64 = 5.0;
    ctx.begin_path();
    let mut any = false;
    for r in rects {
        let mut k = r.x + r.y + STEP;
        while k < r.x + r.w + r.y + r.h {
            let (x0, x1) = ((k - (r.y + r.h)).max(r.x), (k - r.y).min(r.x + r.w));
            ctx.move_to(x0, k - x0);
            ctx.line_to(x1, k - x1);
            any = true;
            k += STEP;
        }
    }
    if any {
        ctx.set_line_width(1.0);
        ctx.set_stroke_style_str(DRAINING_HATCH);
        ctx.stroke();
    }
}

pub(super) fn paint(ctx: &web_sys::CanvasRenderingContext2d, layout: &ClusterLayout) -> Result<(), String> {
    ctx.set_fill_style_str(BACKGROUND);
    ctx.fill_rect(0.0, 0.0, layout.width, layout.height);
    let boxes = &layout.boxes;
    let with_look = |look: Look| boxes.iter().filter(move |b| b.look == look).map(|b| b.rect);

    // Box backgrounds first, then tasks over them, then outlines over the box edges, then text.
    fill_rects(ctx, BOOTING_FILL, with_look(Look::Booting));
    fill_rects(ctx, DRAINING_FILL, with_look(Look::Draining));
    hatch(ctx, with_look(Look::Draining).map(|r| r.inset(1.0)));
    fill_rects(ctx, TRACK, layout.bars.iter().map(|b| b.rect));

    let (cell, pitch) = (layout.cell, layout.pitch);
    for (s, (_, colour)) in STATE_COLOURS.iter().enumerate() {
        ctx.begin_path();
        let mut any = false;
        for grid in &layout.grids {
            grid.runs(grid.range(s), cell, pitch, |r| {
                ctx.rect(r.x, r.y, r.w, r.h);
                any = true;
            });
        }
        let stacks = layout.bars.iter().map(|b| (b.rect, &b.counts, b.scale));
        let stacks = stacks.chain(boxes.iter().filter_map(|b| Some((b.stack?, &b.counts, b.scale))));
        for (rect, counts, scale) in stacks {
            if let Some(r) = segment(&rect, counts, scale, s) {
                ctx.rect(r.x, r.y, r.w, r.h);
                any = true;
            }
        }
        if any {
            ctx.set_fill_style_str(colour);
            ctx.fill();
        }
    }

    // Gaps between the squares of a run, in the colour behind each grid.
    for look in [Look::Active, Look::Booting, Look::Draining] {
        let colour = backdrop(look);
        ctx.begin_path();
        let mut any = false;
        for grid in layout.grids.iter().filter(|g| g.backdrop == look) {
            grid.gaps(cell, pitch, |r| {
                ctx.rect(r.x, r.y, r.w, r.h);
                any = true;
            });
        }
        if any {
            ctx.set_fill_style_str(colour);
            ctx.fill();
        }
    }

    fill_rects(ctx, CPU_TRACK, boxes.iter().filter_map(|b| b.cpu_rect));
    let used = boxes.iter().filter_map(|b| b.cpu_rect.map(|r| Rect { w: r.w * b.cpu, ..r }));
    fill_rects(ctx, CPU_USED, used.filter(|r| r.w > 0.0));
    // A throttled instance's whole cpu bar in its own colour: its tasks get only the baseline.
    fill_rects(ctx, THROTTLED, boxes.iter().filter(|b| b.throttled).filter_map(|b| b.cpu_rect));

    let solid = JsValue::from(js_sys::Array::new());
    let booting_dash = JsValue::from(js_sys::Array::of2(&5.0.into(), &3.0.into()));
    let draining_dash = JsValue::from(js_sys::Array::of2(&2.0.into(), &2.0.into()));
    let plain = |look: Look| boxes.iter().filter(move |b| b.look == look && !b.notice).map(|b| b.rect);
    // Lines inside the box edge, so they never reach a neighbour; the notice's 3 px line reaches 1 px out.
    stroke_rects(ctx, (ACTIVE_LINE, 1.0, 0.5), &solid, plain(Look::Active))?;
    stroke_rects(ctx, (BOOTING_LINE, 1.5, 0.75), &booting_dash, plain(Look::Booting))?;
    stroke_rects(ctx, (DRAINING_LINE, 2.0, 1.0), &draining_dash, plain(Look::Draining))?;
    let noticed = || boxes.iter().filter(|b| b.notice);
    stroke_rects(ctx, (NOTICE, 3.0, 0.5), &solid, noticed().map(|b| b.rect))?;

    // The "!" badge on the top-right corner of noticed boxes tall enough to carry it.
    let badged = || noticed().filter(|b| b.rect.h >= 14.0).map(|b| (b.rect.x + b.rect.w - 1.0, b.rect.y + 1.0));
    ctx.begin_path();
    let mut any = false;
    for (x, y) in badged() {
        ctx.move_to(x + BADGE_R, y);
        ctx.arc(x, y, BADGE_R, 0.0, std::f64::consts::TAU).map_err(js_error)?;
        any = true;
    }
    if any {
        ctx.set_fill_style_str(NOTICE);
        ctx.fill();
        ctx.set_font(BADGE_FONT);
        ctx.set_text_align("center");
        ctx.set_text_baseline("middle");
        ctx.set_fill_style_str(BACKGROUND);
        for (x, y) in badged() {
            ctx.fill_text("!", x, y + 1.0).map_err(js_error)?;
        }
    }

    ctx.set_text_align("left");
    ctx.set_text_baseline("middle");
    ctx.set_fill_style_str(TEXT);
    for bold in [true, false] {
        ctx.set_font(if bold { HEADER_FONT } else { LABEL_FONT });
        for label in layout.labels.iter().filter(|l| l.bold == bold) {
            ctx.fill_text_with_max_width(&label.text, label.x, label.y, label.max_w).map_err(js_error)?;
        }
    }
    Ok(())
}
