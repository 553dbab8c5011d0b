//! The stage: playback controls, the cluster view, the charts and the summary for one scenario and seed. An
//! animation-frame loop (the shape of Yew's `boids` example) advances the [`Player`] in bounded slices, draws the
//! canvases directly and hands a small snapshot to Yew for the controls, so Yew never re-renders per event.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use fleetplan_engine::output::SERIES_COLUMNS;
use fleetplan_engine::task::TaskState;
use fleetplan_engine::{Place, Scenario, Summary, View};
use gloo_render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::charts::{self, ChartKind};
use crate::cluster::{self, ClusterLayout, Hit};
use crate::dom;
use crate::player::Player;

/// Wall-clock milliseconds of simulation per animation frame: about half of a 60 fps frame, the rest for drawing.
const FRAME_BUDGET_MS: f64 = 8.0;
/// Charts redraw at most this often while playing (they are the costly part of a frame).
const CHART_PERIOD_MS: f64 = 250.0;
/// With reduced motion asked for, the cluster view changes at most this often while playing.
const REDUCED_MOTION_PERIOD_MS: f64 = 500.0;
const SPEEDS: [u32; 10] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub scenario: Rc<Scenario>,
    pub seed: u64,
    /// A new generation is a different scenario: playback starts at 0. Edits keep the playback time.
    pub generation: u32,
    /// False while the edited scenario has problems: the last valid one stays on the stage, but does not play.
    pub can_run: bool,
}

/// What the controls show; set by the frame loop when something changed.
#[derive(Clone, PartialEq, Default)]
struct Snap {
    time_ms: u64,
    end_ms: u64,
    known_ms: u64,
    playing: bool,
    speed: f64,
    seeking: bool,
    full_done: bool,
    running: u32,
    desired: u32,
    instances: usize,
    waiting: u32,
    groups: Rc<Vec<GroupRow>>,
    summary: Option<Rc<Summary>>,
    summary_json: Rc<String>,
}

/// Everything the frame loop touches, shared with the event handlers.
struct Shared {
    player: RefCell<Option<Player>>,
    drawn: RefCell<Drawn>,
    cluster: NodeRef,
    stage: NodeRef,
    /// Redraw everything on the next frame (after a seek, a pause, a resize).
    force: Cell<bool>,
    last_ts: Cell<Option<f64>>,
    last_chart_ms: Cell<f64>,
    last_cluster_ms: Cell<f64>,
    cluster_width: Cell<i32>,
    first_render_marked: Cell<bool>,
    summary: RefCell<Option<(Rc<Summary>, Rc<String>)>>,
    reduced_motion: bool,
    frame_work_ms: Cell<f64>,
    frame_work_max_ms: Cell<f64>,
    can_run: Cell<bool>,
    handle: RefCell<Option<AnimationFrame>>,
    stopped: Cell<bool>,
    /// Where the pointer rests over the cluster view, so its details follow playback.
    pointer: Cell<Option<(f64, f64)>>,
}

impl Shared {
    fn with_player<R>(&self, f: impl FnOnce(&mut Player) -> R) -> Option<R> {
        let result = self.player.borrow_mut().as_mut().map(f);
        self.force.set(true);
        result
    }
}

/// The cluster view as last drawn: its hit regions and the view they came from.
#[derive(Default)]
struct Drawn {
    layout: ClusterLayout,
    view: Option<View>,
}

/// One row of the cluster as a table (the canvas' text alternative): a pool, or a provider's zone.
#[derive(Clone, PartialEq)]
struct GroupRow {
    label: String,
    instances: Option<usize>,
    /// Tasks by state, PROVISIONING..DEPROVISIONING.
    by_state: [u32; 7],
}

/// The cluster view's content as rows: Fargate pools, then each provider's waiting tasks and zones.
fn group_rows(view: &View) -> Vec<GroupRow> {
    let mut rows = Vec::new();
    for pool in view.pools.iter().take(2) {
        let mut by_state = [0; 7];
        by_state.copy_from_slice(&pool.by_state[..7]);
        if by_state.iter().any(|&n| n > 0) {
            rows.push(GroupRow { label: pool.capacity.to_string(), instances: None, by_state });
        }
    }
    // Zone rows of every provider, then one pass over the instances adds each to its row.
    let mut zone_row = Vec::with_capacity(view.providers.len());
    for provider in &view.providers {
        if provider.waiting > 0 {
            let mut by_state = [0; 7];
            by_state[0] = provider.waiting;
            let label = format!("{}: waiting for an instance", provider.name);
            rows.push(GroupRow { label, instances: None, by_state });
        }
        zone_row.push(rows.len());
        for zone in &provider.zones {
            rows.push(GroupRow { label: format!("{} · {zone}", provider.name), instances: Some(0), by_state: [0; 7] });
        }
    }
    for instance in &view.instances {
        let at =
            zone_row.get(usize::from(instance.provider_index)).map(|first| first + usize::from(instance.zone_index));
        if let Some(row) = at.and_then(|at| rows.get_mut(at)) {
            row.instances = row.instances.map(|n| n + 1);
            for (total, n) in row.by_state.iter_mut().zip(instance.by_state) {
                *total += n;
            }
        }
    }
    rows
}

fn live_counts(view: &View) -> (u32, u32, usize, u32) {
    let running = view.pools.iter().map(|p| p.by_state[TaskState::Running.index()]).sum();
    let desired = view.services.iter().map(|s| s.desired).sum();
    let waiting = view.providers.iter().map(|p| p.waiting).sum::<u32>() + view.spot_capacity_waiting;
    (running, desired, view.instances.len(), waiting)
}

fn schedule(shared: Rc<Shared>, snap: UseStateHandle<Snap>, hover: UseStateHandle<Option<Hover>>) {
    if shared.stopped.get() {
        return;
    }
    let next = shared.clone();
    let handle = request_animation_frame(move |ts| {
        on_frame(&next, &snap, &hover, ts);
        schedule(next.clone(), snap, hover);
    });
    *shared.handle.borrow_mut() = Some(handle);
}

fn on_frame(shared: &Shared, snap: &UseStateHandle<Snap>, hover: &UseStateHandle<Option<Hover>>, ts: f64) {
    let work_start = dom::now_ms();
    let wall_ms = shared.last_ts.get().map_or(0.0, |last| ts - last);
    shared.last_ts.set(Some(ts));
    let mut guard = shared.player.borrow_mut();
    let Some(player) = guard.as_mut() else { return };
    if !shared.can_run.get() {
        player.playing = false;
    }
    let progress = player.frame(wall_ms, FRAME_BUDGET_MS, &dom::now_ms);
    if shared.summary.borrow().is_none() {
        if let Some(summary) = player.summary() {
            let json = serde_json::to_string_pretty(&summary).unwrap_or_default();
            *shared.summary.borrow_mut() = Some((Rc::new(summary), Rc::new(json)));
        }
    }
    let Some(canvas) = shared.cluster.cast::<web_sys::HtmlCanvasElement>() else { return };

    // The cluster view: redrawn when the shown time moved, but not through the intermediate states of a seek
    // (a replay from the start is not motion anyone asked to see), and at most twice a second while playing
    // when the user asked for reduced motion.
    let force = shared.force.get();
    let resized = canvas.client_width() != shared.cluster_width.get();
    let seeking = player.is_seeking();
    let calm = shared.reduced_motion && player.playing && ts - shared.last_cluster_ms.get() < REDUCED_MOTION_PERIOD_MS;
    let first = !shared.first_render_marked.get();
    let mut view_counts = None;
    if first || resized || (!seeking && (force || (progress.cursor_moved && !calm))) {
        let view = player.cursor().view();
        view_counts = Some((live_counts(&view), Rc::new(group_rows(&view))));
        match cluster::draw(&canvas, &view) {
            Ok(layout) => *shared.drawn.borrow_mut() = Drawn { layout, view: Some(view) },
            Err(e) => web_sys::console::error_1(&format!("cluster view: {e}").into()),
        }
        shared.force.set(false);
        shared.cluster_width.set(canvas.client_width());
        shared.last_cluster_ms.set(ts);
        if first {
            shared.first_render_marked.set(true);
            dom::performance_mark("fleetplan:first-render");
        }
        // Details under a resting pointer follow what is now drawn under it.
        if let Some((x, y)) = shared.pointer.get() {
            let next = hover_at(&shared.drawn.borrow(), player, x, y);
            if **hover != next {
                hover.set(next);
            }
        }
    }

    let moving = player.playing || seeking || !player.is_full_done();
    let charts_due = ts - shared.last_chart_ms.get() >= CHART_PERIOD_MS || !moving;
    let changed = force || resized || progress.cursor_moved || progress.full_moved;
    if changed && (charts_due || force || resized || progress.full_finished_now) {
        draw_charts(player);
        shared.last_chart_ms.set(ts);
    }

    if changed || view_counts.is_some() {
        let ((running, desired, instances, waiting), groups) =
            view_counts.unwrap_or(((snap.running, snap.desired, snap.instances, snap.waiting), snap.groups.clone()));
        let (summary, summary_json) =
            shared.summary.borrow().clone().map_or((None, Rc::default()), |(s, j)| (Some(s), j));
        let next = Snap {
            time_ms: player.position_ms(),
            end_ms: player.end_ms(),
            known_ms: player.known_ms(),
            playing: player.playing,
            speed: player.speed,
            seeking,
            full_done: player.is_full_done(),
            running,
            desired,
            instances,
            waiting,
            groups,
            summary,
            summary_json,
        };
        if **snap != next {
            snap.set(next);
        }
    }
    drop(guard);

    // Frame cost, for `cargo xtask bench` (read from the stage element's data attributes); idle frames skip it.
    if changed {
        let work = dom::now_ms() - work_start;
        shared.frame_work_ms.set(shared.frame_work_ms.get() * 0.9 + work * 0.1);
        shared.frame_work_max_ms.set(shared.frame_work_max_ms.get().max(work));
        if let Some(stage) = shared.stage.cast::<web_sys::Element>() {
            let _ = stage.set_attribute("data-frame-ms", &format!("{:.2}", shared.frame_work_ms.get()));
            let _ = stage.set_attribute("data-frame-max-ms", &format!("{:.2}", shared.frame_work_max_ms.get()));
        }
    }
}

/// The details for what is under (x, y) in the cluster view, if anything.
fn hover_at(drawn: &Drawn, player: &Player, x: f64, y: f64) -> Option<Hover> {
    let hit = cluster::hit_test(&drawn.layout, x, y)?;
    let (title, rows) = describe(player, drawn.view.as_ref()?, &hit)?;
    Some(Hover { x, y, title, rows })
}

/// The charts' right edge in seconds: the run's end once known, else how far the run ahead has got.
fn chart_end_s(player: &Player) -> f64 {
    (if player.is_full_done() { player.end_ms() } else { player.known_ms() }).max(1_000) as f64 / 1000.0
}

fn draw_charts(player: &Player) {
    let end_s = chart_end_s(player);
    let cursor_s = player.position_ms() as f64 / 1000.0;
    for kind in ChartKind::ALL {
        if let Some(canvas) = dom::canvas_by_id(kind.id()) {
            if let Err(e) = charts::draw(kind, &canvas, player.full().series(), end_s, cursor_s) {
                web_sys::console::error_1(&format!("chart {}: {e}", kind.id()).into());
            }
        }
    }
}

/// `m:ss`, or `h:mm:ss` from an hour on.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// Details for what the pointer is on.
#[derive(Clone, PartialEq)]
struct Hover {
    x: f64,
    y: f64,
    title: String,
    rows: Vec<(&'static str, String)>,
}

/// Details for a hit, from the view the cluster was drawn from (what is under the pointer is what was drawn) and,
/// for a task, the one task asked for.
fn describe(player: &Player, view: &View, hit: &Hit) -> Option<(String, Vec<(&'static str, String)>)> {
    match hit {
        Hit::Task { place, ordinal } => {
            let task = player.cursor().task_at(*place, *ordinal as usize)?;
            Some((format!("Task {}", task.id), cluster::task_details(&task)))
        }
        Hit::Instance { index } => {
            let instance = view.instances.iter().find(|i| i.index == *index)?;
            Some((format!("Instance {}", instance.id), cluster::instance_details(instance)))
        }
        Hit::Place(place) => {
            let counts = match *place {
                Place::Pool(capacity) => view.pools.get(capacity.index())?.by_state,
                Place::Waiting(p) => {
                    let mut counts = [0; 8];
                    counts[TaskState::Provisioning.index()] = view.providers.get(usize::from(p))?.waiting;
                    counts
                }
                Place::Instance(index) => view.instances.iter().find(|i| i.index == index)?.by_state,
            };
            let drawn = &counts[..TaskState::Stopped.index()];
            let rows = TaskState::ALL
                .iter()
                .zip(drawn)
                .filter(|(_, n)| **n > 0)
                .map(|(s, n)| (s.name(), n.to_string()))
                .collect();
            Some((format!("{} tasks", drawn.iter().sum::<u32>()), rows))
        }
    }
}

#[component]
pub fn Stage(props: &StageProps) -> Html {
    let snap = use_state(Snap::default);
    let hover = use_state(|| None::<Hover>);
    let cluster_ref = use_node_ref();
    let stage_ref = use_node_ref();
    let speed_ref = use_node_ref();
    let shared = {
        let cluster = cluster_ref.clone();
        let stage = stage_ref.clone();
        use_memo((), move |_| Shared {
            player: RefCell::new(None),
            drawn: RefCell::new(Drawn::default()),
            cluster,
            stage,
            force: Cell::new(true),
            last_ts: Cell::new(None),
            last_chart_ms: Cell::new(f64::NEG_INFINITY),
            last_cluster_ms: Cell::new(f64::NEG_INFINITY),
            cluster_width: Cell::new(0),
            first_render_marked: Cell::new(false),
            summary: RefCell::new(None),
            reduced_motion: dom::prefers_reduced_motion(),
            frame_work_ms: Cell::new(0.0),
            frame_work_max_ms: Cell::new(0.0),
            can_run: Cell::new(true),
            handle: RefCell::new(None),
            stopped: Cell::new(false),
            pointer: Cell::new(None),
        })
    };
    shared.can_run.set(props.can_run);
    let last_generation = use_mut_ref(|| None::<u32>);

    {
        // A new scenario or seed: a new player. Same document (an edit): keep the playback time and state.
        let shared = shared.clone();
        let last_generation = last_generation.clone();
        use_effect_with((props.scenario.clone(), props.seed, props.generation), move |(scenario, seed, generation)| {
            let mut player = Player::new((**scenario).clone(), *seed);
            let same_document = *last_generation.borrow() == Some(*generation);
            if let (true, Some(old)) = (same_document, shared.player.borrow().as_ref()) {
                player.seek(old.position_ms());
                player.speed = old.speed;
                player.playing = old.playing;
            }
            *last_generation.borrow_mut() = Some(*generation);
            *shared.player.borrow_mut() = Some(player);
            *shared.summary.borrow_mut() = None;
            shared.force.set(true);
        });
    }
    {
        // The frame loop runs while the stage is mounted; frames with nothing to do return at once.
        let shared = shared.clone();
        let snap = snap.clone();
        let hover = hover.clone();
        use_effect_with((), move |_| {
            shared.stopped.set(false);
            schedule(shared.clone(), snap, hover);
            move || {
                shared.stopped.set(true);
                shared.handle.borrow_mut().take();
            }
        });
    }
    {
        // Keyboard: space plays and pauses, arrows step, Home and End jump, + and - change speed.
        let shared = shared.clone();
        use_effect_with((), move |_| {
            let document = web_sys::window().and_then(|w| w.document());
            let listener = document.map(|document| {
                let options = gloo_events::EventListenerOptions::enable_prevent_default();
                gloo_events::EventListener::new_with_options(&document, "keydown", options, move |event| {
                    let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                    if key.ctrl_key() || key.meta_key() || key.alt_key() || typing_target(key) {
                        return;
                    }
                    let shift = key.shift_key();
                    let handled = match key.key().as_str() {
                        " " => {
                            if shared.can_run.get() {
                                shared.with_player(Player::toggle);
                            }
                            true
                        }
                        "ArrowRight" if shift => shared.with_player(|p| p.seek(p.position_ms() + 10_000)).is_some(),
                        "ArrowRight" => shared.can_run.get() && shared.with_player(Player::step_event).is_some(),
                        "ArrowLeft" => {
                            let back = if shift { 10_000 } else { 1_000 };
                            shared.with_player(|p| p.seek(p.position_ms().saturating_sub(back))).is_some()
                        }
                        "Home" => shared.with_player(Player::restart).is_some(),
                        "End" => shared.with_player(|p| p.seek(p.end_ms())).is_some(),
                        "+" | "=" => shared.with_player(|p| p.speed = faster(p.speed, true)).is_some(),
                        "-" => shared.with_player(|p| p.speed = faster(p.speed, false)).is_some(),
                        _ => false,
                    };
                    if handled {
                        event.prevent_default();
                    }
                })
            });
            move || drop(listener)
        });
    }

    let act = |f: fn(&mut Player)| {
        let shared = shared.clone();
        Callback::from(move |_: MouseEvent| {
            shared.with_player(f);
        })
    };
    let on_speed = {
        let shared = shared.clone();
        Callback::from(move |e: Event| {
            if let Some(speed) = dom::input_value(&e).and_then(|v| v.parse::<f64>().ok()) {
                shared.with_player(|p| p.speed = speed);
            }
        })
    };
    let on_scrub = {
        let shared = shared.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(ms) = dom::input_value(&e).and_then(|v| v.parse::<f64>().ok()) {
                shared.with_player(|p| p.seek(ms.max(0.0) as u64));
            }
        })
    };
    let on_hover = {
        let shared = shared.clone();
        let hover = hover.clone();
        Callback::from(move |e: MouseEvent| {
            let (x, y) = (f64::from(e.offset_x()), f64::from(e.offset_y()));
            shared.pointer.set(Some((x, y)));
            let next = shared.player.borrow().as_ref().and_then(|p| hover_at(&shared.drawn.borrow(), p, x, y));
            if *hover != next {
                hover.set(next);
            }
        })
    };
    let on_leave = {
        let hover = hover.clone();
        let shared = shared.clone();
        Callback::from(move |_: MouseEvent| {
            shared.pointer.set(None);
            hover.set(None);
        })
    };
    let on_csv = {
        let shared = shared.clone();
        Callback::from(move |_: MouseEvent| {
            let csv = shared.player.borrow().as_ref().map(|p| p.full().series().to_csv());
            if let Some(csv) = csv {
                if let Err(e) = dom::download_text("fleetplan-series.csv", "text/csv", &csv) {
                    web_sys::console::error_1(&e.into());
                }
            }
        })
    };

    let s = &*snap;
    {
        // A select's `selected` attributes stop counting once the user has picked an option: set the property.
        let speed_ref = speed_ref.clone();
        use_effect_with(s.speed as u32, move |speed| {
            if let (Some(select), true) = (speed_ref.cast::<web_sys::HtmlSelectElement>(), *speed > 0) {
                select.set_value(&speed.to_string());
            }
        });
    }
    let end_label = if s.full_done { clock(s.end_ms) } else { format!("≤ {}", clock(s.end_ms)) };
    let play_label = if s.playing { "Pause" } else { "Play" };
    html! {
        <div class="stage" ref={stage_ref}>
            <section class="playback" aria-label="Playback">
                <button id="restart" onclick={act(Player::restart)} title="Restart (Home)">{ "Restart" }</button>
                <button id="play" class="primary" onclick={act(Player::toggle)} disabled={!props.can_run}
                    aria-pressed={s.playing.to_string()} title="Play or pause (space)">
                    { if s.playing { "❚❚ " } else { "▶ " } }{ play_label }
                </button>
                <button id="step" onclick={act(Player::step_event)} disabled={!props.can_run} title="Next event (→)">{ "Step ▸" }</button>
                <button id="jump-end" onclick={act(|p| { let end = p.end_ms(); p.seek(end); })} disabled={!props.can_run} title="Jump to the end (End)">{ "End" }</button>
                <label for="speed">{ "Speed" }</label>
                <select id="speed" ref={speed_ref} onchange={on_speed} title="Simulated seconds per second (+ / -)">
                    { for SPEEDS.iter().map(|&v| html! {
                        <option value={v.to_string()} selected={(s.speed - f64::from(v)).abs() < 0.5 || (s.speed == 0.0 && v == 10)}>{ format!("{v}×") }</option>
                    }) }
                </select>
                <input id="scrubber" type="range" min="0" max={s.end_ms.to_string()} step="1000"
                    value={s.time_ms.to_string()} oninput={on_scrub} aria-label="Playback time"
                    aria-valuetext={format!("{} of {}", clock(s.time_ms), end_label)} />
                <output id="clock" class="clock" aria-live="off">
                    { format!("{} / {}", clock(s.time_ms), end_label) }
                    if s.seeking { <span class="seeking">{ " seeking…" }</span> }
                </output>
            </section>
            <p id="live-status" class="live-status">
                { format!("{} running of {} desired · {} instance{} · {} waiting for capacity",
                    s.running, s.desired, s.instances, if s.instances == 1 { "" } else { "s" }, s.waiting) }
                if !s.full_done { <span class="computing">{ format!(" · computing the run: {} simulated", clock(s.known_ms)) }</span> }
            </p>
            <div class="stage-grid">
                <section class="cluster-panel" aria-label="Cluster">
                    <div class="cluster-wrap">
                        <canvas id="cluster" ref={cluster_ref} onmousemove={on_hover.clone()} onclick={on_hover} onmouseleave={on_leave}
                            role="img" aria-label={format!("Cluster at {}: {} tasks running, {} instances", clock(s.time_ms), s.running, s.instances)}></canvas>
                        if let Some(h) = &*hover {
                            <div id="details" class="details" style={format!("left:{}px;top:{}px", h.x + 14.0, h.y + 14.0)} role="tooltip">
                                <strong>{ h.title.clone() }</strong>
                                <dl>{ for h.rows.iter().map(|(k, v)| html! { <><dt>{ *k }</dt><dd>{ v.clone() }</dd></> }) }</dl>
                            </div>
                        }
                    </div>
                    <details id="cluster-table" class="cluster-table">
                        <summary>{ "The cluster as a table" }</summary>
                        <table>
                            <thead><tr>
                                <th scope="col">{ "Where" }</th><th scope="col">{ "Instances" }</th>
                                { for cluster::STATE_COLOURS.iter().map(|(name, _)| html! { <th scope="col">{ *name }</th> }) }
                            </tr></thead>
                            <tbody>
                                { for s.groups.iter().map(|g| html! {
                                    <tr>
                                        <th scope="row">{ g.label.clone() }</th>
                                        <td>{ g.instances.map_or_else(|| "–".to_string(), |n| n.to_string()) }</td>
                                        { for g.by_state.iter().map(|n| html! { <td>{ *n }</td> }) }
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </details>
                    <ul class="legend" aria-label="Task states">
                        { for cluster::STATE_COLOURS.iter().map(|(name, colour)| html! {
                            <li><span class="swatch" style={format!("background:{colour}")}></span>{ *name }</li>
                        }) }
                    </ul>
                    <ul class="legend" aria-label="Instances" hidden={props.scenario.providers.is_empty()}>
                        { for cluster::INSTANCE_LEGEND.iter().map(|(name, description)| html! {
                            <li><strong>{ *name }</strong>{ ": " }{ *description }</li>
                        }) }
                    </ul>
                </section>
                <SummaryPanel summary={s.summary.clone().map(ByPointer)} json={ByPointer(s.summary_json.clone())}
                    known_ms={if s.full_done { 0 } else { s.known_ms }} />
            </div>
            <section class="charts" aria-label="Charts">
                <div class="charts-head">
                    <h2>{ "Over time" }</h2>
                    <button id="export-csv" onclick={on_csv} title={format!("{} columns, one row per sample", SERIES_COLUMNS.len() + 1)}>{ "Export CSV" }</button>
                </div>
                <div class="chart-grid">
                    { for ChartKind::ALL.iter().map(|&kind| chart_figure(&shared, kind)) }
                </div>
            </section>
        </div>
    }
}

fn chart_figure(shared: &Rc<Shared>, kind: ChartKind) -> Html {
    let on_png = Callback::from(move |_: MouseEvent| {
        if let Some(canvas) = dom::canvas_by_id(kind.id()) {
            if let Err(e) = dom::download_canvas_png(&canvas, kind.file_name()) {
                web_sys::console::error_1(&e.into());
            }
        }
    });
    let on_click = {
        let shared = shared.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(canvas) = dom::canvas_by_id(kind.id()) else { return };
            let end_s = shared.player.borrow().as_ref().map_or(1.0, chart_end_s);
            if let Some(t) = charts::time_at(&canvas, end_s, f64::from(e.offset_x())) {
                shared.with_player(|p| p.seek((t.max(0.0) * 1000.0) as u64));
            }
        })
    };
    html! {
        <figure class="chart">
            <figcaption>
                <span>{ kind.title() }</span>
                <button id={format!("png-{}", kind.id())} class="small" onclick={on_png}>{ "PNG" }</button>
            </figcaption>
            <canvas id={kind.id()} onclick={on_click} role="img" aria-label={format!("{} (click to move the time cursor)", kind.title())}></canvas>
        </figure>
    }
}

fn seconds(v: Option<f64>) -> String {
    v.map_or_else(|| "not reached".to_string(), |v| format!("{v:.1} s"))
}

/// Services listed before "show all": a long table is slow to build and hard to read on a projector.
const SERVICES_SHOWN: usize = 12;

/// An `Rc` compared by pointer: the stage re-renders every frame while playing, and the summary is the same value
/// until a new run finishes, so comparing 100 services field by field every frame would be wasted work.
#[derive(Clone)]
struct ByPointer<T>(Rc<T>);

impl<T> PartialEq for ByPointer<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
struct SummaryProps {
    summary: Option<ByPointer<Summary>>,
    json: ByPointer<String>,
    /// How far the run ahead has got while it is computing (0 once done).
    known_ms: u64,
}

#[component]
fn SummaryPanel(props: &SummaryProps) -> Html {
    let show_all = use_state(|| false);
    let Some(ByPointer(summary)) = &props.summary else {
        return html! {
            <section class="summary-panel" aria-label="Summary">
                <h2>{ "Summary" }</h2>
                <p class="computing">{ format!("Computing the whole run ({} simulated so far)…", clock(props.known_ms)) }</p>
            </section>
        };
    };
    html! {
        <section class="summary-panel" aria-label="Summary">
            <h2>{ "Summary" }</h2>
            <table id="summary">
                <tbody>
                    <tr><th scope="row">{ "All steady at" }</th><td>{ seconds(summary.completion_s) }</td></tr>
                    <tr><th scope="row">{ "Tasks" }</th><td>{ format!("{} launched, {} started, {} failed", summary.tasks_launched, summary.tasks_started, summary.tasks_failed) }</td></tr>
                    <tr><th scope="row">{ "Interruptions" }</th><td>{ format!("{} Spot interruptions, {} tasks replaced", summary.interruptions, summary.replacements) }</td></tr>
                    <tr><th scope="row">{ "Cost" }</th><td>{ format!("${:.2} in total over {}, ${:.2} per hour", summary.cost_usd, clock((summary.end_s * 1000.0) as u64), summary.cost_per_hour_usd) }</td></tr>
                </tbody>
            </table>
            if !summary.services.is_empty() {
                <table id="services" class="services">
                    <thead><tr><th scope="col">{ "Service" }</th><th scope="col">{ "Running" }</th><th scope="col">{ "Steady at" }</th><th scope="col">{ "Rate" }</th><th scope="col">{ "Limited by" }</th></tr></thead>
                    <tbody>
                        { for summary.services.iter().take(if *show_all { usize::MAX } else { SERVICES_SHOWN }).map(|svc| html! {
                            <tr>
                                <th scope="row">{ svc.name.clone() }</th>
                                <td>{ format!("{}/{}", svc.running, svc.desired) }</td>
                                <td>{ seconds(svc.steady_s) }</td>
                                <td>{ svc.launch_rate_per_s.map_or_else(|| "–".to_string(), |r| format!("{r:.1}/s")) }</td>
                                <td>{ svc.limited_by.clone() }
                                    if svc.interruptions + svc.replacements > 0 {
                                        <span class="note">{ format!(" · {} interrupted, {} replaced", svc.interruptions, svc.replacements) }</span>
                                    }
                                </td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                if summary.services.len() > SERVICES_SHOWN {
                    <button id="all-services" class="small" onclick={{
                        let show_all = show_all.clone();
                        Callback::from(move |_: MouseEvent| show_all.set(!*show_all))
                    }}>
                        { if *show_all { "Show fewer services".to_string() } else { format!("Show all {} services", summary.services.len()) } }
                    </button>
                }
            }
            if !summary.run_tasks.is_empty() {
                <table class="services">
                    <thead><tr><th scope="col">{ "RunTask" }</th><th scope="col">{ "Started" }</th><th scope="col">{ "Failed" }</th><th scope="col">{ "Throttled calls" }</th><th scope="col">{ "Settled at" }</th></tr></thead>
                    <tbody>
                        { for summary.run_tasks.iter().map(|r| html! {
                            <tr><th scope="row">{ r.name.clone() }</th><td>{ format!("{}/{}", r.started, r.requested) }</td><td>{ r.failed }</td><td>{ r.throttled_calls }</td><td>{ seconds(r.settled_s) }</td></tr>
                        }) }
                    </tbody>
                </table>
            }
            <details>
                <summary>{ "As JSON (same as fleetplan run --json)" }</summary>
                <pre id="summary-json">{ (*props.json.0).clone() }</pre>
            </details>
        </section>
    }
}

/// The next speed up or down the list.
fn faster(speed: f64, up: bool) -> f64 {
    let index = SPEEDS.iter().position(|&v| f64::from(v) >= speed).unwrap_or(SPEEDS.len() - 1);
    let next = if up { (index + 1).min(SPEEDS.len() - 1) } else { index.saturating_sub(1) };
    f64::from(SPEEDS[next])
}

/// Keys typed into a field, or pressed on a control that has its own meaning for them, are not shortcuts.
fn typing_target(event: &web_sys::KeyboardEvent) -> bool {
    let Some(element) = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return false };
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON" | "SUMMARY" | "A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_reads_minutes_then_hours() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(204_199), "3:24");
        assert_eq!(clock(21_599_500), "5:59:59");
    }

    #[test]
    fn speeds_step_through_the_list() {
        assert_eq!(faster(10.0, true), 20.0);
        assert_eq!(faster(10.0, false), 5.0);
        assert_eq!(faster(1000.0, true), 1000.0);
        assert_eq!(faster(1.0, false), 1.0);
    }
}
