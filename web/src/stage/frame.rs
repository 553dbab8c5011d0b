//! The animation-frame loop as a hook (the shape of Yew's `boids` example): each frame advances the player in a
//! bounded slice, draws the canvases directly and hands a small [`Snap`] to Yew for the controls, so Yew never
//! re-renders per event, only when what the controls show changed.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use fleetplan_engine::Summary;
use gloo_render::{request_animation_frame, AnimationFrame};
use yew::prelude::*;

use super::hover::{Hover, Pointer};
use super::playback::Playback;
use super::table::{group_rows, live_counts, service_rows, GroupRow, LiveCounts};
use crate::charts::{self, ChartKind};
use crate::cluster;
use crate::dom;
use crate::player::{AheadState, Player};
use fleetplan_engine::time::SimTime;

/// Wall-clock milliseconds of simulation per animation frame: about half of a 60 fps frame, the rest for drawing.
const FRAME_BUDGET_MS: f64 = 8.0;
/// Charts redraw at most this often while playing (they are the costly part of a frame).
const CHART_PERIOD_MS: f64 = 250.0;
/// Events each other variant of a comparison may process in one frame on its way to the playback time.
const OTHER_EVENTS_PER_FRAME: u64 = 1_000;
/// With reduced motion asked for, the cluster view changes at most this often while playing.
const REDUCED_MOTION_PERIOD_MS: f64 = 500.0;

/// What the controls show; set by the frame loop when something changed.
#[derive(Clone, PartialEq, Default)]
pub struct Snap {
    pub time_ms: u64,
    pub end_ms: u64,
    pub known_ms: u64,
    pub playing: bool,
    pub speed: f64,
    pub seeking: bool,
    pub full_done: bool,
    /// Where and how far the run ahead is (`crate::runahead`).
    pub ahead: AheadState,
    pub counts: LiveCounts,
    pub groups: Rc<Vec<GroupRow>>,
    pub summary: Option<Rc<Summary>>,
    pub summary_json: Rc<String>,
    /// What the last Step did (`Player::caption`).
    pub caption: Option<fleetplan_engine::text::Text>,
}

/// What the frame loop draws on and reports to.
pub struct FrameTargets {
    pub playback: Rc<Playback>,
    pub pointer: Rc<Pointer>,
    pub cluster: NodeRef,
    /// Carries the frame cost in data attributes, for `cargo xtask bench`.
    pub stage: NodeRef,
    pub hover: UseStateHandle<Option<Hover>>,
}

/// The loop's own bookkeeping between frames.
struct Clock {
    last_ts: Option<f64>,
    last_chart_ms: f64,
    last_cluster_ms: f64,
    cluster_width: i32,
    first_render_marked: bool,
    reduced_motion: bool,
    /// The charts wait for the frame after the one that brought the summary.
    charts_owed: bool,
    /// Exponential average and maximum of a frame's work, in ms.
    frame_work_ms: f64,
    frame_work_max_ms: f64,
    /// The last snapshot handed to Yew (the counts carry over frames that did not rebuild the view).
    shown: Snap,
}

struct Loop {
    targets: FrameTargets,
    snap: UseStateHandle<Snap>,
    clock: RefCell<Clock>,
    handle: RefCell<Option<AnimationFrame>>,
    stopped: Cell<bool>,
}

/// Runs the frame loop while the component is mounted (frames with nothing to do return at once); returns what
/// the controls show.
#[hook]
pub fn use_frame_loop(targets: FrameTargets) -> UseStateHandle<Snap> {
    let snap = use_state_eq(Snap::default);
    let targets = use_mut_ref(|| Some(targets));
    {
        let snap = snap.clone();
        use_effect_with((), move |_| {
            let targets = targets.borrow_mut().take().expect("the frame loop starts once");
            let state = Rc::new(Loop {
                targets,
                snap,
                clock: RefCell::new(Clock {
                    last_ts: None,
                    last_chart_ms: f64::NEG_INFINITY,
                    last_cluster_ms: f64::NEG_INFINITY,
                    cluster_width: 0,
                    first_render_marked: false,
                    reduced_motion: dom::prefers_reduced_motion(),
                    charts_owed: false,
                    frame_work_ms: 0.0,
                    frame_work_max_ms: 0.0,
                    shown: Snap::default(),
                }),
                handle: RefCell::new(None),
                stopped: Cell::new(false),
            });
            schedule(state.clone());
            move || {
                state.stopped.set(true);
                state.handle.borrow_mut().take();
            }
        });
    }
    snap
}

fn schedule(state: Rc<Loop>) {
    if state.stopped.get() {
        return;
    }
    let next = state.clone();
    let handle = request_animation_frame(move |ts| {
        on_frame(&next, ts);
        schedule(next);
    });
    *state.handle.borrow_mut() = Some(handle);
}

fn on_frame(state: &Loop, ts: f64) {
    let targets = &state.targets;
    let playback = &targets.playback;
    let mut clock = state.clock.borrow_mut();
    let work_start = dom::now_ms();
    let wall_ms = clock.last_ts.map_or(0.0, |last| ts - last);
    clock.last_ts = Some(ts);
    playback.start_worker_if_due(work_start);
    let mut guard = playback.player.borrow_mut();
    let Some(player) = guard.as_mut() else { return };
    if !playback.can_run.get() {
        player.playing = false;
    }
    let reported = playback.take_reports(player);
    let mut progress = player.frame(wall_ms, FRAME_BUDGET_MS, &dom::now_ms);
    progress.full_moved |= reported.full_moved;
    progress.full_finished_now |= reported.full_finished_now;
    if playback.summary.borrow().is_none() {
        if let Some(summary) = player.summary() {
            let json = serde_json::to_string_pretty(&summary).unwrap_or_default();
            *playback.summary.borrow_mut() = Some((Rc::new(summary), Rc::new(json)));
        }
    }
    let Some(canvas) = targets.cluster.cast::<web_sys::HtmlCanvasElement>() else { return };

    // The cluster view: redrawn when the shown time moved, but not through the intermediate states of a seek
    // (a replay from the start is not motion anyone asked to see), and at most twice a second while playing
    // when the user asked for reduced motion.
    let force = playback.force.get();
    let resized = canvas.client_width() != clock.cluster_width;
    let seeking = player.is_seeking();
    let calm = clock.reduced_motion && player.playing && ts - clock.last_cluster_ms < REDUCED_MOTION_PERIOD_MS;
    let first = !clock.first_render_marked;
    let mut view_counts = None;
    if first || resized || (!seeking && (force || (progress.cursor_moved && !calm))) {
        let view = player.cursor().view();
        let rows = [group_rows(&view), service_rows(player.cursor())].concat();
        view_counts = Some((live_counts(&view), Rc::new(rows)));
        // AWS Batch compute environments on their own canvas, when the scenario has Batch.
        if let (Some(batch), Some(canvas)) = (&view.batch, dom::canvas_by_id("batch-cluster")) {
            match cluster::draw_batch(&canvas, batch, &player.cursor().batch_placed_jobs()) {
                Ok(layout) => targets.pointer.batch_drawn(layout),
                Err(e) => web_sys::console::error_1(&format!("batch view: {e}").into()),
            }
        }
        match cluster::draw(&canvas, &view) {
            // Details under a resting pointer follow what is now drawn under it.
            Ok(layout) => {
                // A lesson step's providers, outlined (`cluster::highlight`).
                let outlined = playback.outlined.borrow();
                if let Err(e) = cluster::highlight::outline(&canvas, &layout, &outlined) {
                    web_sys::console::error_1(&format!("lesson highlight: {e}").into());
                }
                drop(outlined);
                let resting = targets.pointer.resting();
                let hover = targets.pointer.drawn(layout, view, player);
                if resting {
                    targets.hover.set(hover);
                }
            }
            Err(e) => web_sys::console::error_1(&format!("cluster view: {e}").into()),
        }
        playback.force.set(false);
        clock.cluster_width = canvas.client_width();
        clock.last_cluster_ms = ts;
        if first {
            clock.first_render_marked = true;
            dom::performance_mark("fleetplan:first-render");
        }
    }

    draw_others(playback, player.position_ms(), first || resized || force);

    let moving = player.playing || seeking || !player.is_full_done();
    let charts_due = ts - clock.last_chart_ms >= CHART_PERIOD_MS || !moving;
    let changed = force || resized || progress.cursor_moved || progress.full_moved;
    // The frame that brings the summary leaves the charts to the next one: every chart redrawn over the whole run
    // takes about as long as rendering the summary, which Yew does once this frame's work is over (issue 13: the
    // summary shown as soon as it arrives).
    if progress.full_finished_now {
        clock.charts_owed = true;
    } else if clock.charts_owed || (changed && (charts_due || force || resized)) {
        draw_charts(player, &playback.lesson_markers.borrow());
        clock.last_chart_ms = ts;
        clock.charts_owed = false;
    }

    if changed || view_counts.is_some() {
        let (counts, groups) = view_counts.unwrap_or((clock.shown.counts, clock.shown.groups.clone()));
        let (summary, summary_json) =
            playback.summary.borrow().clone().map_or((None, Rc::default()), |(s, j)| (Some(s), j));
        let next = Snap {
            time_ms: player.position_ms(),
            end_ms: player.end_ms(),
            known_ms: player.known_ms(),
            playing: player.playing,
            speed: player.speed,
            seeking,
            full_done: player.is_full_done(),
            ahead: player.ahead_state(),
            counts,
            groups,
            summary,
            summary_json,
            caption: player.caption().map(|c| c.text.clone()),
        };
        if clock.shown != next {
            clock.shown = next.clone();
            state.snap.set(next);
        }
    }
    let player_ahead_ms = player.ahead_wall_ms();
    drop(guard);

    // The worker's time for the whole run, for `cargo xtask bench` and tests/e2e/worker.test.mjs.
    if let (true, Some(ms), Some(stage)) =
        (progress.full_finished_now, player_ahead_ms, targets.stage.cast::<web_sys::Element>())
    {
        let _ = stage.set_attribute("data-ahead-ms", &format!("{ms:.1}"));
    }
    // Frame cost, for `cargo xtask bench` (read from the stage element's data attributes); idle frames skip it.
    if changed {
        let work = dom::now_ms() - work_start;
        clock.frame_work_ms = clock.frame_work_ms * 0.9 + work * 0.1;
        clock.frame_work_max_ms = clock.frame_work_max_ms.max(work);
        if let Some(stage) = targets.stage.cast::<web_sys::Element>() {
            let _ = stage.set_attribute("data-frame-ms", &format!("{:.2}", clock.frame_work_ms));
            let _ = stage.set_attribute("data-frame-max-ms", &format!("{:.2}", clock.frame_work_max_ms));
        }
    }
}

/// The other variants of a comparison at the playback time, each on its canvas (`cluster-variant-<i>`): stepped a
/// bounded number of events a frame, drawn once at the time (not through the states on the way there).
fn draw_others(playback: &Playback, target_ms: u64, force: bool) {
    let mut others = playback.others.borrow_mut();
    for (i, other) in others.iter_mut().enumerate() {
        if other.sim.now().0 > target_ms {
            other.rewind();
        }
        if !other.sim.step_until_limited(SimTime(target_ms), OTHER_EVENTS_PER_FRAME) {
            continue;
        }
        let now = other.sim.now().0;
        if other.drawn_ms == Some(now) && !force {
            continue;
        }
        if let Some(canvas) = dom::canvas_by_id(&format!("cluster-variant-{i}")) {
            if let Err(e) = cluster::draw(&canvas, &other.sim.view()) {
                web_sys::console::error_1(&format!("variant {}'s cluster view: {e}", other.run.label).into());
            }
            other.drawn_ms = Some(now);
        }
    }
}

/// The charts' right edge in seconds: the run's end once known, else how far the run ahead has got.
pub fn chart_end_s(player: &Player) -> f64 {
    (if player.is_full_done() { player.end_ms() } else { player.known_ms() }).max(1_000) as f64 / 1000.0
}

fn draw_charts(player: &Player, lesson: &[fleetplan_engine::output::ChartMarker]) {
    let end_s = chart_end_s(player);
    let cursor_s = player.position_ms() as f64 / 1000.0;
    // Quota hits and task retirements of the run ahead, its timed events, Spot notices and scaling actions
    // (runahead::axis_markers), marked on the time axis of every chart; then the steps of the lesson.
    let mut markers = player.chart_markers();
    markers.extend(lesson.iter().cloned());
    fleetplan_engine::sort::sort_by(&mut markers, |a, b| a.time_s.total_cmp(&b.time_s));
    for kind in ChartKind::ALL {
        if let Some(canvas) = dom::canvas_by_id(kind.id()) {
            if let Err(e) = charts::draw(kind, &canvas, player.series(), end_s, cursor_s, &markers) {
                web_sys::console::error_1(&format!("chart {}: {e}", kind.id()).into());
            }
        }
    }
}
