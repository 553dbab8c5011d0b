//! The comparison panel: the variants kept (A, B, C) and the current run side by side, a row per figure from the
//! engine's `compare` (the rows `fleetplan compare` prints), each difference to A marked better or worse.
//!
//! Each variant's summary is `fleetplan_engine::run`, the call `fleetplan compare` makes, so the page and the CLI
//! show the same numbers (an e2e test compares them). The kept variants' summaries are computed once when the
//! kept list changes; the current run's when it changes; each in a Web Worker of its own (`crate::runahead`), off
//! the page's thread, or here where no worker can start.

use std::rc::Rc;

use fleetplan_engine::compare::{self, Comparison, Verdict};
use fleetplan_engine::{RunOptions, Scenario, Simulation, Summary, TimeSeries};
use yew::prelude::*;

use super::document::{Action, Doc, Variant};
use crate::charts::{self, OverlayKind, VARIANT_COLOURS};
use crate::dom;
use crate::i18n::{tr, tr_dyn, trf};
use crate::runahead::remote::{self, RunAll};
use crate::runahead::Job;

/// A variant's whole run: its summary and time series.
struct Run {
    summary: Summary,
    series: TimeSeries,
}

/// What a variant's run depends on: its scenario and seed (not its label, which changes when a variant before it
/// is removed).
type Inputs = Vec<(Rc<Scenario>, u64)>;

/// The runs of some variants, in order: each the run `fleetplan compare` makes (`fleetplan_engine::run`: no trace,
/// no invariant checks, finished tasks released), with its series kept for the overlaid charts.
fn runs(inputs: &Inputs) -> Vec<Rc<Run>> {
    inputs
        .iter()
        .map(|(scenario, seed)| {
            let options = RunOptions { trace: false, check_invariants: false, keep_finished_tasks: false };
            let mut sim = Simulation::with_options((**scenario).clone(), *seed, options);
            sim.run_to_end();
            Rc::new(Run { summary: sim.metrics(), series: sim.series().clone() })
        })
        .collect()
}

/// The runs of some variants, computed in workers: `None` until all have finished.
///
/// The runs are kept with the inputs they were made from and given back only for those inputs. On the render
/// where the variants change, before the effect below has started their runs, the old runs would otherwise be
/// paired with the new variants: a removed variant's figures under the next one's name, for one frame.
#[hook]
fn use_runs(variants: Vec<Variant>) -> Option<Rc<Vec<Rc<Run>>>> {
    let inputs: Inputs = variants.iter().map(|v| (v.scenario.clone(), v.seed)).collect();
    let done = use_state(|| None::<(Inputs, Rc<Vec<Rc<Run>>>)>);
    {
        let done = done.clone();
        use_effect_with(inputs.clone(), move |inputs| {
            if inputs.is_empty() {
                done.set(Some((Vec::new(), Rc::default())));
                return Box::new(|| ()) as Box<dyn FnOnce()>;
            }
            done.set(None);
            let jobs: Result<Vec<String>, String> =
                inputs.iter().map(|(scenario, seed)| Job::text_for(scenario, *seed, false)).collect();
            let on_done = {
                let (done, inputs) = (done.clone(), inputs.clone());
                Callback::from(move |result: Result<remote::Runs, String>| {
                    let runs = match result {
                        Ok(runs) => {
                            runs.into_iter().map(|(summary, series)| Rc::new(Run { summary, series })).collect()
                        }
                        Err(e) => {
                            web_sys::console::error_1(&format!("{e}: computing the variants on the page").into());
                            self::runs(&inputs)
                        }
                    };
                    done.set(Some((inputs.clone(), Rc::new(runs))));
                })
            };
            let started = jobs.and_then(|jobs| RunAll::start(&jobs, on_done));
            let workers = match started {
                Ok(workers) => Some(workers),
                Err(e) => {
                    web_sys::console::warn_1(&format!("{e}: computing the variants on the page").into());
                    done.set(Some((inputs.clone(), Rc::new(self::runs(inputs)))));
                    None
                }
            };
            Box::new(move || drop(workers))
        });
    }
    match &*done {
        Some((made_from, runs)) if *made_from == inputs => Some(runs.clone()),
        _ => None,
    }
}

/// The charts' x range: the longest variant's series.
fn end_s(runs: &[Rc<Run>]) -> f64 {
    runs.iter().map(|r| r.series.len() as f64 * r.series.interval_ms as f64 / 1000.0).fold(1.0, f64::max)
}

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub doc: UseReducerHandle<Doc>,
}

#[component]
pub fn ComparePanel(props: &CompareProps) -> Html {
    // Re-rendered in the language chosen.
    let _lang = crate::i18n::use_lang();
    let doc = &props.doc;
    let kept = use_runs((*doc.kept).clone());
    let variants = doc.variants();
    let current = variants.get(doc.kept.len()).cloned();
    let current_run = use_runs(current.iter().cloned().collect());
    let computing = kept.is_none() || current_run.is_none();
    let all: Vec<Rc<Run>> = kept.iter().chain(current_run.iter()).flat_map(|r| r.iter().cloned()).collect();
    let labelled: Vec<(&str, &Summary)> =
        variants.iter().zip(&all).map(|(v, r)| (v.label.as_str(), &r.summary)).collect();
    {
        // The overlaid charts, drawn after the canvases are in the page, again whenever a variant's run changes.
        let all = all.clone();
        let key: Vec<*const Run> = all.iter().map(Rc::as_ptr).collect();
        use_effect_with(key, move |_| {
            if all.len() >= 2 {
                let series: Vec<&TimeSeries> = all.iter().map(|r| &r.series).collect();
                for kind in OverlayKind::ALL {
                    if let Some(canvas) = dom::canvas_by_id(kind.id()) {
                        if let Err(e) = charts::draw_overlay(kind, &canvas, &series, end_s(&all)) {
                            web_sys::console::error_1(&e.into());
                        }
                    }
                }
            }
        });
    }
    let remove = |index: usize| {
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| doc.dispatch(Action::RemoveVariant(index)))
    };
    let stop = {
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| doc.dispatch(Action::StopComparing))
    };
    let body = match compare::compare(&labelled) {
        _ if computing => html! {
            <p id="compare-computing" class="note">{ tr("Computing the variants' runs in the background…") }</p>
        },
        Ok(comparison) => html! {
            <>
            <div class="compare-scroll">{ table(&comparison, doc.kept.len(), &remove) }</div>
            <div class="compare-charts">
                { for OverlayKind::ALL.iter().map(|kind| html! {
                    <figure class="chart">
                        <figcaption><span>{ kind.title() }</span></figcaption>
                        <canvas id={kind.id()} role="img" tabindex="0" aria-label={trf("{chart} chart", &[("chart", &kind.title())])}
                            aria-describedby={format!("{}-text", kind.id())}></canvas>
                        <p id={format!("{}-text", kind.id())} class="visually-hidden"></p>
                    </figure>
                }) }
            </div>
            <ul class="legend" aria-label={tr("Variants")}>
                { for comparison.variants.iter().zip(VARIANT_COLOURS).map(|(v, colour)| html! {
                    <li><span class="swatch" style={format!("background:{colour}")}></span>{ format!("{}: {}", v.label, v.scenario) }</li>
                }) }
            </ul>
            </>
        },
        Err(_) => html! {
            <p id="compare-hint" class="note">
                { trf("Variant {kept} is kept. Change the scenario (edit it, open a preset, a file or a link) to make variant {next} and compare them.",
                    &[("kept", &doc.kept.first().map_or("A", |v| v.label.as_str())), ("next", &doc.current_label())]) }
            </p>
        },
    };
    html! {
        <section id="compare" class="compare-panel" aria-label={tr("Comparison")}>
            <div class="compare-head">
                <h2>{ tr("Comparison") }</h2>
                <span class="note">{ tr("Differences are to A; green is better, red worse. The share link carries every variant.") }</span>
                <button id="stop-comparing" class="small" onclick={stop}>{ tr("Stop comparing") }</button>
            </div>
            { body }
        </section>
    }
}

fn table(c: &Comparison, kept: usize, remove: &dyn Fn(usize) -> Callback<MouseEvent>) -> Html {
    let verdict_class = |v: Verdict| match v {
        Verdict::Better => "better",
        Verdict::Worse => "worse",
        Verdict::Same => "same",
        Verdict::Different => "different",
    };
    html! {
        <table id="compare-table">
            <thead>
                <tr>
                    <th scope="col">{ "" }</th>
                    { for c.variants.iter().enumerate().map(|(i, v)| html! {
                        <th scope="col" class="variant" data-variant={v.label.clone()}>
                            <span class="variant-label">{ v.label.clone() }</span>
                            <span class="variant-name">{ v.scenario.clone() }</span>
                            <span class="note">{ trf(" · seed {seed}", &[("seed", &v.seed)]) }</span>
                            if i < kept {
                                { " " }
                                <button class="small remove-variant" onclick={remove(i)}
                                    aria-label={trf("Remove variant {label}", &[("label", &v.label)])} title={tr("Remove this variant")}>{ "×" }</button>
                            } else {
                                <span class="note">{ tr(" · current") }</span>
                            }
                            if let Some(reason) = &v.stopped_early {
                                <span class="note">{ trf(" · stopped early: {reason}", &[("reason", &reason)]) }</span>
                            }
                        </th>
                    }) }
                </tr>
            </thead>
            <tbody>
                { for c.rows.iter().map(|row| html! {
                    <tr data-key={row.key}>
                        <th scope="row">{ tr_dyn(row.label) }</th>
                        { for (0..c.variants.len()).map(|i| {
                            let value = row.values[i].map(|v| v.to_string()).unwrap_or_default();
                            let verdict = i.checked_sub(1).map(|d| row.differences[d].verdict);
                            html! {
                                <td class={classes!(verdict.map(verdict_class))} data-value={value}>
                                    <span class="value">{ tr_dyn(&row.value_text(i)) }</span>
                                    if i > 0 {
                                        <span class="difference">{ tr_dyn(&row.difference_text(i)) }</span>
                                    }
                                </td>
                            }
                        }) }
                    </tr>
                }) }
            </tbody>
        </table>
    }
}
