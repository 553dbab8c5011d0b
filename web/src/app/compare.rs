//! The comparison panel: the variants kept (A, B, C) and the current run side by side, a row per figure from the
//! engine's `compare` (the rows `fleetplan compare` prints), each difference to A marked better or worse.
//!
//! Each variant's summary is `fleetplan_engine::run`, the call `fleetplan compare` makes, so the page and the CLI
//! show the same numbers (an e2e test compares them). The kept variants' summaries are computed once when the
//! kept list changes; the current run's when it changes.

use std::rc::Rc;

use fleetplan_engine::compare::{self, Comparison, Verdict};
use fleetplan_engine::Summary;
use yew::prelude::*;

use super::document::{Action, Doc, Variant};

/// The summaries of some variants, in order: the run is the one `fleetplan compare` makes.
fn summaries(variants: &[Variant]) -> Vec<Rc<Summary>> {
    variants.iter().map(|v| Rc::new(fleetplan_engine::run((*v.scenario).clone(), v.seed))).collect()
}

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub doc: UseReducerHandle<Doc>,
}

#[component]
pub fn ComparePanel(props: &CompareProps) -> Html {
    let doc = &props.doc;
    let kept = use_memo(doc.kept.clone(), |kept| summaries(kept));
    let variants = doc.variants();
    let current = variants.get(doc.kept.len()).cloned();
    let current_summary =
        use_memo(current.clone(), |current| current.as_ref().map(|v| summaries(std::slice::from_ref(v))));
    let all: Vec<Rc<Summary>> = kept.iter().cloned().chain(current_summary.iter().flatten().cloned()).collect();
    let labelled: Vec<(&str, &Summary)> =
        variants.iter().zip(&all).map(|(v, s)| (v.label.as_str(), s.as_ref())).collect();
    let remove = |index: usize| {
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| doc.dispatch(Action::RemoveVariant(index)))
    };
    let stop = {
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| doc.dispatch(Action::StopComparing))
    };
    let body = match compare::compare(&labelled) {
        Ok(comparison) => html! { <div class="compare-scroll">{ table(&comparison, doc.kept.len(), &remove) }</div> },
        Err(_) => html! {
            <p id="compare-hint" class="note">
                { format!("Variant {} is kept. Change the scenario (edit it, open a preset, a file or a link) to make variant {} and compare them.",
                    doc.kept.first().map_or("A", |v| v.label.as_str()), doc.current_label()) }
            </p>
        },
    };
    html! {
        <section id="compare" class="compare-panel" aria-label="Comparison">
            <div class="compare-head">
                <h2>{ "Comparison" }</h2>
                <span class="note">{ "Differences are to A; green is better, red worse. The share link carries every variant." }</span>
                <button id="stop-comparing" class="small" onclick={stop}>{ "Stop comparing" }</button>
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
                            <span class="note">{ format!(" · seed {}", v.seed) }</span>
                            if i < kept {
                                { " " }
                                <button class="small remove-variant" onclick={remove(i)}
                                    aria-label={format!("Remove variant {}", v.label)} title="Remove this variant">{ "×" }</button>
                            } else {
                                <span class="note">{ " · current" }</span>
                            }
                            if let Some(reason) = &v.stopped_early {
                                <span class="note">{ format!(" · stopped early: {reason}") }</span>
                            }
                        </th>
                    }) }
                </tr>
            </thead>
            <tbody>
                { for c.rows.iter().map(|row| html! {
                    <tr data-key={row.key}>
                        <th scope="row">{ row.label }</th>
                        { for (0..c.variants.len()).map(|i| {
                            let value = row.values[i].map(|v| v.to_string()).unwrap_or_default();
                            let verdict = i.checked_sub(1).map(|d| row.differences[d].verdict);
                            html! {
                                <td class={classes!(verdict.map(verdict_class))} data-value={value}>
                                    <span class="value">{ row.value_text(i) }</span>
                                    if i > 0 {
                                        <span class="difference">{ row.difference_text(i) }</span>
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
