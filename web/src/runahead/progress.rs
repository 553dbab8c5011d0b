//! The run ahead's progress line under the playback controls: how far it has got, an estimate of the time left and
//! Cancel while a worker computes it; after a cancel, Compute again.

use yew::prelude::*;

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
    let simulated = clock(props.known_ms);
    let horizon = clock(props.horizon_ms);
    match props.state {
        AheadState::Done => html! {},
        AheadState::Local => html! {
            <p id="run-progress" class="run-progress" data-state="page">
                <progress max={props.horizon_ms.to_string()} value={props.known_ms.to_string()} aria-label="Whole run computed"></progress>
                { format!(" Computing the whole run on this page: {simulated} of at most {horizon} simulated.") }
            </p>
        },
        AheadState::Worker { left_s } => html! {
            <p id="run-progress" class="run-progress" data-state="worker">
                <progress max={props.horizon_ms.to_string()} value={props.known_ms.to_string()} aria-label="Whole run computed"></progress>
                { format!(" Computing the whole run in the background: {simulated} of at most {horizon} simulated") }
                if let Some(left) = left_s {
                    // To the horizon at the rate so far: most runs end before it.
                    <span id="run-left">{ format!(", at most {} left", clock(left.saturating_mul(1000))) }</span>
                }
                { ". " }
                <button id="cancel-run" class="small" onclick={props.on_cancel.clone()}>{ "Cancel" }</button>
            </p>
        },
        AheadState::Cancelled => html! {
            <p id="run-progress" class="run-progress" data-state="cancelled">
                { format!("Computing the whole run was cancelled at {simulated} simulated: no summary. Playback still works. ") }
                <button id="compute-again" class="small" onclick={props.on_again.clone()}>{ "Compute again" }</button>
            </p>
        },
    }
}
