//! The stage: playback controls, the cluster view, the charts and the summary for one scenario and seed.
//!
//! The parts: [`playback`] (the player, and the hook that makes a new one per scenario and seed), [`frame`] (the
//! animation-frame loop as a hook: it advances the player, draws the canvases and hands Yew a small snapshot),
//! [`keys`] (keyboard shortcuts), [`hover`] (the details box under the pointer), [`table`] (the cluster as counts
//! and as a table) and [`summary`] (the run's results). This component wires them together and lays out the page.

mod band;
mod frame;
mod hover;
mod keys;
mod playback;
mod summary;
mod table;

use std::rc::Rc;

use fleetplan_engine::output::Column;
use fleetplan_engine::Scenario;
use yew::prelude::*;

use crate::charts::{self, ChartKind, ScenarioParts};
use crate::cluster::{self, thousands};
use crate::dom;
use crate::i18n::{tr, trf};
use crate::player::{AheadState, Player};
use crate::runahead::AheadProgress;
use crate::whatif::{Applied, Selection, WhatIf, WhatIfPanel};
use frame::{chart_end_s, use_frame_loop, FrameTargets};
use hover::{details_box, Hover, Pointer};
use keys::use_playback_keys;
pub use playback::OtherRun;
use playback::{use_playback, Playback, Shadow};
use summary::{ByPointer, SummaryPanel};
use table::ClusterTable;

/// The speeds offered, in simulated seconds per second.
const SPEEDS: [u32; 10] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub scenario: Rc<Scenario>,
    pub seed: u64,
    /// A new generation is a different scenario: playback starts at 0. Edits keep the playback time.
    pub generation: u32,
    /// False while the edited scenario has problems: the last valid one stays on the stage, but does not play.
    pub can_run: bool,
    /// The other variants of a comparison: their clusters are drawn beside this one's at the same playback time.
    #[prop_or_default]
    pub others: Rc<Vec<OtherRun>>,
    /// This run's label in a comparison (B, C, D), none outside one.
    #[prop_or_default]
    pub label: Option<String>,
    /// The open preset's "what to look at" (the lesson panel keeps it on screen).
    #[prop_or_default]
    pub look: Option<AttrValue>,
    /// The share link as the header's Copy link gives it (empty while the scenario cannot run): the lesson panel
    /// copies it with the step shown.
    #[prop_or_default]
    pub link: AttrValue,
    /// The what-ifs applied from the stage (`crate::whatif`), and what applies (at a time) or undoes one; without
    /// `on_whatif` the stage offers none.
    #[prop_or_default]
    pub whatifs: Rc<Vec<Applied>>,
    #[prop_or_default]
    pub on_whatif: Option<Callback<(WhatIf, u64)>>,
    #[prop_or_default]
    pub on_undo_whatif: Callback<()>,
}

#[component]
pub fn Stage(props: &StageProps) -> Html {
    // Re-rendered in the language chosen.
    let lang = crate::i18n::use_lang();
    let playback = use_playback(props.scenario.clone(), props.seed, props.generation, props.can_run);
    let pointer = use_memo((), |_| Pointer::default());
    let hover = use_state_eq(|| None::<Hover>);
    let batch_hover = use_state_eq(|| None::<Hover>);
    let cluster_ref = use_node_ref();
    let stage_ref = use_node_ref();
    let speed_ref = use_node_ref();
    let snap = use_frame_loop(FrameTargets {
        playback: playback.clone(),
        pointer: pointer.clone(),
        cluster: cluster_ref.clone(),
        stage: stage_ref.clone(),
        hover: hover.clone(),
    });
    use_playback_keys(playback.clone());
    crate::lesson::use_presentation_key();
    // Lesson mode: the step shown moves playback to its time, outlines its providers and picks the chart that
    // presentation mode shows; the steps' times are marked on the charts and the scrubber.
    let focus_chart = use_state_eq(|| crate::lesson::focus_chart(&props.scenario.lesson, 0));
    {
        let playback = playback.clone();
        use_effect_with(props.scenario.clone(), move |scenario| {
            *playback.lesson_markers.borrow_mut() = scenario
                .lesson
                .iter()
                .enumerate()
                .filter_map(|(i, step)| {
                    step.at.map(|at| fleetplan_engine::output::ChartMarker {
                        time_s: at.as_secs_f64(),
                        label: fleetplan_engine::text::Text::literal(trf("step {step}", &[("step", &(i + 1))])),
                    })
                })
                .collect();
            playback.force.set(true);
        });
    }
    let on_step = {
        let (playback, scenario, focus_chart) = (playback.clone(), props.scenario.clone(), focus_chart.clone());
        Callback::from(move |index: usize| {
            let Some(step) = scenario.lesson.get(index) else { return };
            *playback.outlined.borrow_mut() = crate::lesson::outlined_providers(&scenario, step);
            focus_chart.set(crate::lesson::focus_chart(&scenario.lesson, index));
            match step.at {
                Some(at) => {
                    playback.with_player(|p| {
                        p.playing = false;
                        p.seek(at.as_millis());
                    });
                }
                None => playback.force.set(true),
            }
        })
    };
    {
        // The canvases' text (chart axes, cluster labels) is redrawn in the language chosen, paused or not.
        let playback = playback.clone();
        use_effect_with(lang, move |_| playback.force.set(true));
    }
    {
        let playback = playback.clone();
        use_effect_with(props.others.clone(), move |others| {
            *playback.others.borrow_mut() = others.iter().cloned().map(Shadow::new).collect();
            playback.force.set(true);
        });
    }

    // The charts' "Split by" and filter changed: redraw them now (also while paused).
    let on_split = {
        let playback = playback.clone();
        Callback::from(move |()| playback.force.set(true))
    };
    let act = |f: fn(&mut Player)| {
        let playback = playback.clone();
        Callback::from(move |_: MouseEvent| {
            playback.with_player(f);
        })
    };
    let on_speed = {
        let playback = playback.clone();
        Callback::from(move |e: Event| {
            if let Some(speed) = dom::input_value(&e).and_then(|v| v.parse::<f64>().ok()) {
                playback.with_player(|p| p.speed = speed);
            }
        })
    };
    let on_scrub = {
        let playback = playback.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(ms) = dom::input_value(&e).and_then(|v| v.parse::<f64>().ok()) {
                playback.with_player(|p| p.seek(ms.max(0.0) as u64));
            }
        })
    };
    let on_hover = {
        let (playback, pointer, hover) = (playback.clone(), pointer.clone(), hover.clone());
        Callback::from(move |e: MouseEvent| {
            let (x, y) = (f64::from(e.offset_x()), f64::from(e.offset_y()));
            let player = playback.player.borrow();
            hover.set(pointer.move_to(x, y, player.as_ref()));
        })
    };
    let on_batch_hover = {
        let (playback, pointer, batch_hover) = (playback.clone(), pointer.clone(), batch_hover.clone());
        Callback::from(move |e: MouseEvent| {
            let player = playback.player.borrow();
            batch_hover.set(pointer.batch_at(f64::from(e.offset_x()), f64::from(e.offset_y()), player.as_ref()));
        })
    };
    let on_batch_leave = {
        let batch_hover = batch_hover.clone();
        Callback::from(move |_: MouseEvent| batch_hover.set(None))
    };
    let selection = use_state_eq(|| None::<Selection>);
    let on_cluster_click = {
        let (playback, pointer, hover, selection) =
            (playback.clone(), pointer.clone(), hover.clone(), selection.clone());
        Callback::from(move |e: MouseEvent| {
            let (x, y) = (f64::from(e.offset_x()), f64::from(e.offset_y()));
            let player = playback.player.borrow();
            hover.set(pointer.move_to(x, y, player.as_ref()));
            if let Some(picked) = pointer.selection_at(x, y, player.as_ref()) {
                selection.set(Some(picked));
            }
        })
    };
    let whatif_panel = props.on_whatif.clone().map(|on_whatif| {
        // At the playback time: where playback is, or is going during a seek.
        let on_apply = {
            let (playback, scenario) = (playback.clone(), props.scenario.clone());
            Callback::from(move |what_if: WhatIf| {
                if let Some(now_ms) = playback.read(Player::position_ms) {
                    let at_ms = crate::whatif::event_time(&what_if, &scenario, now_ms);
                    on_whatif.emit((what_if, at_ms));
                }
            })
        };
        let spot_instances = {
            let playback = playback.clone();
            Callback::from(move |()| {
                playback
                    .read(|p| {
                        let view = p.cursor().view();
                        view.instances
                            .iter()
                            .filter(|i| {
                                !i.interruption_notice
                                    && view.providers.get(usize::from(i.provider_index)).is_some_and(|p| {
                                        p.capacity == fleetplan_engine::scenario::CapacityType::Ec2Spot
                                    })
                            })
                            .map(|i| {
                                (
                                    i.id.clone(),
                                    format!("{} · {} in {} · {} tasks", i.id, i.instance_type, i.zone, i.tasks),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            })
        };
        let on_clear_selection = {
            let selection = selection.clone();
            Callback::from(move |()| selection.set(None))
        };
        (on_apply, spot_instances, on_clear_selection)
    });
    let on_leave = {
        let (pointer, hover) = (pointer.clone(), hover.clone());
        Callback::from(move |_: MouseEvent| {
            pointer.leave();
            hover.set(None);
        })
    };
    // Which charts apply, and whether the ECS canvas has anything to draw: a scenario of AWS Batch alone gives
    // the ECS canvas's room to the Batch one and leaves out the task charts.
    let sc = &props.scenario;
    let parts = ScenarioParts {
        ecs_tasks: !(sc.services.is_empty()
            && sc.run_tasks.is_empty()
            && sc.providers.is_empty()
            && sc.spec.scheduled_tasks.is_empty()),
        demand: sc.services.iter().any(|s| s.demand.is_some()),
        custom_metric: sc
            .services
            .iter()
            .filter_map(|s| s.autoscaling.as_ref())
            .any(|a| a.policies.iter().any(|policy| policy.custom.is_some())),
        credits: playback.read(Player::uses_cpu_credits).unwrap_or(false),
        queue: !sc.queues.is_empty(),
        batch: sc.batch.is_some(),
    };
    let (has_batch, ecs_only_empty) = (parts.batch, parts.batch && !parts.ecs_tasks);
    let on_csv = {
        let playback = playback.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(csv) = playback.read(|p| p.series().to_csv()) {
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
    let counts = s.counts;
    let end_label = if s.full_done { clock(s.end_ms) } else { format!("≤ {}", clock(s.end_ms)) };
    let play_label = if s.playing { tr("Pause") } else { tr("Play") };
    html! {
        <div class="stage" ref={stage_ref}>
            <section class="playback" aria-label={tr("Playback")}>
                <button id="restart" onclick={act(Player::restart)} title={tr("Restart (Home)")}>{ tr("Restart") }</button>
                <button id="play" class="primary" onclick={act(Player::toggle)} disabled={!props.can_run}
                    aria-pressed={s.playing.to_string()} title={tr("Play or pause (space)")}>
                    { if s.playing { "❚❚ " } else { "▶ " } }{ play_label }
                </button>
                <button id="step" onclick={act(Player::step_event)} disabled={!props.can_run} title={tr("Next event (→)")}>{ tr("Step ▸") }</button>
                <button id="jump-end" onclick={act(|p| { let end = p.end_ms(); p.seek(end); })} disabled={!props.can_run} title={tr("Jump to the end (End)")}>{ tr("End") }</button>
                <label for="speed">{ tr("Speed") }</label>
                <select id="speed" ref={speed_ref} onchange={on_speed} title={tr("Simulated seconds per second (+ / -)")}>
                    { for SPEEDS.iter().map(|&v| html! {
                        <option value={v.to_string()} selected={(s.speed - f64::from(v)).abs() < 0.5 || (s.speed == 0.0 && v == 10)}>{ format!("{v}×") }</option>
                    }) }
                </select>
                <input id="scrubber" type="range" min="0" max={s.end_ms.to_string()} step="1000" list="lesson-marks"
                    value={s.time_ms.to_string()} oninput={on_scrub} aria-label={tr("Playback time")}
                    aria-valuetext={trf("{time} of {end}", &[("time", &clock(s.time_ms)), ("end", &end_label)])} />
                <output id="clock" class="clock" aria-live="off">
                    { format!("{} / {}", clock(s.time_ms), end_label) }
                    if s.seeking { <span class="seeking">{ tr(" seeking…") }</span> }
                </output>
            </section>
            // The lesson's step times, as tick marks on the scrubber.
            <datalist id="lesson-marks">
                { for props.scenario.lesson.iter().enumerate().filter_map(|(i, step)| step.at.map(|at| html! {
                    <option value={at.as_millis().to_string()} label={trf("step {step}", &[("step", &(i + 1))])}></option>
                })) }
            </datalist>
            if let Some(caption) = &s.caption {
                <p id="step-caption" class="step-caption" role="status">{ crate::i18n::tr_text(caption) }</p>
            }
            <p id="live-status" class="live-status">
                // Counts with thousands separators, as the summary and the cluster view write them ("1,000").
                { if counts.instances == 1 {
                    trf("{running} running of {desired} desired · 1 instance · {waiting} waiting for capacity", &[("running", &thousands(counts.running)), ("desired", &thousands(counts.desired)), ("waiting", &thousands(counts.waiting))])
                } else {
                    trf("{running} running of {desired} desired · {instances} instances · {waiting} waiting for capacity", &[("running", &thousands(counts.running)), ("desired", &thousands(counts.desired)), ("instances", &thousands(u32::try_from(counts.instances).unwrap_or(u32::MAX))), ("waiting", &thousands(counts.waiting))])
                } }
                if let Some((running, runnable)) = counts.batch {
                    { trf(" · AWS Batch: {running} jobs RUNNING, {runnable} RUNNABLE", &[("running", &thousands(running)), ("runnable", &thousands(runnable))]) }
                }
                if !s.full_done { <span class="computing">{ trf(" · computing the run: {time} simulated", &[("time", &clock(s.known_ms))]) }</span> }
            </p>
            <AheadProgress state={s.ahead} known_ms={s.known_ms} horizon_ms={props.scenario.horizon.as_millis()}
                on_cancel={{ let playback = playback.clone(); Callback::from(move |_: MouseEvent| playback.cancel_ahead()) }}
                on_again={{ let playback = playback.clone(); Callback::from(move |_: MouseEvent| playback.compute_again()) }} />
            if !props.scenario.lesson.is_empty() || props.look.is_some() {
                <crate::lesson::LessonPanel scenario={props.scenario.clone()} look={props.look.clone()} link={props.link.clone()} {on_step} />
            }
            <div class="stage-grid">
                <section class="cluster-panel" aria-label={tr("Cluster")}>
                    <div class="cluster-wrap" hidden={ecs_only_empty}>
                        <canvas id="cluster" ref={cluster_ref} onmousemove={on_hover} onclick={on_cluster_click} onmouseleave={on_leave}
                            role="img" aria-label={trf("Cluster at {time}: {running} tasks running, {instances} instances", &[("time", &clock(s.time_ms)), ("running", &counts.running), ("instances", &counts.instances)])}></canvas>
                        if let Some(h) = &*hover {
                            { details_box(h) }
                        }
                    </div>
                    if has_batch {
                        <div class="cluster-wrap">
                            <canvas id="batch-cluster" class={classes!(ecs_only_empty.then_some("tall"))}
                                onmousemove={on_batch_hover.clone()} onclick={on_batch_hover} onmouseleave={on_batch_leave}
                                role="img" aria-label={trf("AWS Batch compute environments at {time}", &[("time", &clock(s.time_ms))])}></canvas>
                            if let Some(h) = &*batch_hover {
                                { details_box(h) }
                            }
                        </div>
                        <ul class="legend" aria-label={tr("AWS Batch job states")}>
                            { for crate::palette::JOB_STATE_COLOURS.iter().map(|(name, colour)| html! {
                                <li><span class="swatch" style={format!("background:{colour}")}></span>{ *name }</li>
                            }) }
                        </ul>
                    }
                    if !props.others.is_empty() {
                        <div id="variant-clusters" class="variant-clusters" aria-label={tr("The variants' clusters at the same time")}>
                            <p class="note">{ trf("Above: {label} (current). The other variants at the same time, {time}:",
                                &[("label", &props.label.clone().unwrap_or_default()), ("time", &clock(s.time_ms))]) }</p>
                            { for props.others.iter().enumerate().map(|(i, other)| html! {
                                <figure class="variant-cluster">
                                    <figcaption>{ format!("{}: {}", other.label, other.scenario.name) }</figcaption>
                                    <canvas id={format!("cluster-variant-{i}")} role="img"
                                        aria-label={trf("Variant {label}'s cluster at {time}", &[("label", &other.label), ("time", &clock(s.time_ms))])}></canvas>
                                </figure>
                            }) }
                        </div>
                    }
                    if let Some((on_apply, spot_instances, on_clear_selection)) = whatif_panel {
                        <WhatIfPanel scenario={props.scenario.clone()} selection={(*selection).clone()}
                            applied={props.whatifs.clone()} time_label={clock(s.time_ms)} can_run={props.can_run}
                            {on_apply} on_undo={props.on_undo_whatif.clone()} {on_clear_selection} {spot_instances} />
                    }
                    <ClusterTable groups={s.groups.clone()} />
                    <ul class="legend" aria-label={tr("Task states")} hidden={ecs_only_empty}>
                        { for crate::palette::STATE_COLOURS.iter().map(|(name, colour)| html! {
                            <li><span class="swatch" style={format!("background:{colour}")}></span>{ *name }</li>
                        }) }
                    </ul>
                    <ul class="legend" aria-label={tr("Instances")} hidden={props.scenario.providers.is_empty()}>
                        { for cluster::INSTANCE_LEGEND.iter().map(|(name, description)| html! {
                            <li><strong>{ *name }</strong>{ ": " }{ *description }</li>
                        }) }
                    </ul>
                </section>
                <SummaryPanel summary={s.summary.clone().map(ByPointer)} json={ByPointer(s.summary_json.clone())}
                    known_ms={if s.full_done { 0 } else { s.known_ms }} cancelled={s.ahead == AheadState::Cancelled} />
            </div>
            <section class="charts" aria-label={tr("Charts")}>
                <div class="charts-head">
                    <h2>{ tr("Over time") }</h2>
                    <button id="export-csv" onclick={on_csv} title={trf("{count} columns, one row per sample", &[("count", &(Column::COUNT + 1))])}>{ tr("Export CSV") }</button>
                    <charts::split::SplitControl scenario={props.scenario.clone()} on_change={on_split.clone()} />
                </div>
                <div class="chart-grid">
                    { for ChartKind::ALL.iter().filter(|k| k.applies(&parts)).map(|&kind| {
                        chart_figure(&playback, kind, kind.id().strip_prefix("chart-") == Some(focus_chart.as_str()))
                    }) }
                </div>
                if let Some(bands) = playback.read(Player::bands).flatten().filter(|b| !b.is_empty()) {
                    <band::LimitedByBand {bands} summary={s.summary.clone()} time_ms={s.time_ms} end_ms={s.end_ms} />
                }
            </section>
        </div>
    }
}

/// One chart with its PNG export; a click on it moves the time cursor there.
fn chart_figure(playback: &Rc<Playback>, kind: ChartKind, focus: bool) -> Html {
    let on_png = Callback::from(move |_: MouseEvent| {
        if let Some(canvas) = dom::canvas_by_id(kind.id()) {
            if let Err(e) = dom::download_canvas_png(&canvas, kind.file_name()) {
                web_sys::console::error_1(&e.into());
            }
        }
    });
    let on_click = {
        let playback = playback.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(canvas) = dom::canvas_by_id(kind.id()) else { return };
            let end_s = playback.read(chart_end_s).unwrap_or(1.0);
            if let Some(t) = charts::time_at(&canvas, end_s, f64::from(e.offset_x())) {
                playback.with_player(|p| p.seek((t.max(0.0) * 1000.0) as u64));
            }
        })
    };
    html! {
        <figure class={classes!("chart", focus.then_some("focus-chart"))}>
            <figcaption>
                <span>{ kind.title() }</span>
                <button id={format!("png-{}", kind.id())} class="small" onclick={on_png}
                    aria-label={trf("Download the {chart} chart as PNG", &[("chart", &kind.title().to_lowercase())])}>{ "PNG" }</button>
            </figcaption>
            // Focusable, named by its title, described by the words below (set as the run plays: `charts::draw`).
            <canvas id={kind.id()} onclick={on_click} role="img" tabindex="0"
                aria-label={trf("{chart} chart (click to move the time cursor)", &[("chart", &kind.title())])}
                aria-describedby={format!("{}-text", kind.id())}></canvas>
            <p id={format!("{}-text", kind.id())} class="visually-hidden"></p>
        </figure>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_reads_minutes_then_hours() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(204_199), "3:24");
        assert_eq!(clock(21_599_500), "5:59:59");
    }
}
