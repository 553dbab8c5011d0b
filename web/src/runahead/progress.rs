//! The run ahead's progress line under the playback controls: how far it has got, an estimate of the time left and
//! Cancel while a worker computes it; after a cancel, Compute again.

use yew::prelude::*;

use crate::i18n::{tr, trf};

use crate::player::AheadState;
use crate::stage::clock;

#[derive(Properties, PartialEq)]
pub struct AheadProgressProps {
    pub state: AheadState,
    pub known_ms: u64,
    pub horizon_ms: u64,
    pub on_cancel: Callback<MouseEvent>,
    pub on_again: Callback<MouseEvent>,
}

#[component]
pub fn AheadProgress(props: &AheadProgressProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let simulated = clock(props.known_ms);
    let horizon = clock(props.horizon_ms);
    match props.state {
        AheadState::Done => html! {},
        AheadState::Local => html! {
            <p id="run-progress" class="run-progress" data-state="page">
                <progress max={props.horizon_ms.to_string()} value={props.known_ms.to_string()} aria-label={tr("Whole run computed")}></progress>
                { trf(" Computing the whole run on this page: {simulated} of at most {horizon} simulated.", &[("simulated", &simulated), ("horizon", &horizon)]) }
            </p>
        },
        AheadState::Worker { left_s } => html! {
            <p id="run-progress" class="run-progress" data-state="worker">
                <progress max={props.horizon_ms.to_string()} value={props.known_ms.to_string()} aria-label={tr("Whole run computed")}></progress>
                { trf(" Computing the whole run in the background: {simulated} of at most {horizon} simulated", &[("simulated", &simulated), ("horizon", &horizon)]) }
                if let Some(left) = left_s {
                    // To the horizon at the rate so far: most runs end before it.
                    <span id="run-left">{ trf(", at most {left} left", &[("left", &clock(left.saturating_mul(1000)))]) }</span>
                }
                { ". " }
                <button id="cancel-run" class="small" onclick={props.on_cancel.clone()}>{ tr("Cancel") }</button>
            </p>
        },
        AheadState::Cancelled => html! {
            <p id="run-progress" class="run-progress" data-state="cancelled">
                { trf("Computing the whole run was cancelled at {simulated} simulated: no summary. Playback still works. ", &[("simulated", &simulated)]) }
                <button id="compute-again" class="small" onclick={props.on_again.clone()}>{ tr("Compute again") }</button>
            </p>
        },
    }
}
