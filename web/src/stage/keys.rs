//! Keyboard shortcuts for playback: space plays and pauses, arrows step and seek, Home and End jump, + and -
//! change speed, w goes to the what-if menu.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::playback::Playback;
use super::SPEEDS;
use crate::player::Player;

/// Listens for the shortcuts on the document while the stage is mounted.
#[hook]
pub fn use_playback_keys(playback: Rc<Playback>) {
    use_effect_with((), move |_| {
        let document = web_sys::window().and_then(|w| w.document());
        let listener = document.map(|document| {
            let options = gloo_events::EventListenerOptions::enable_prevent_default();
            gloo_events::EventListener::new_with_options(&document, "keydown", options, move |event| {
                let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                if key.ctrl_key() || key.meta_key() || key.alt_key() || typing_target(key) {
                    return;
                }
                if on_key(&playback, &key.key(), key.shift_key()) {
                    event.prevent_default();
                }
            })
        });
        move || drop(listener)
    });
}

/// Acts on a key; true when it was a shortcut (so the browser's own action, such as scrolling, is prevented).
fn on_key(playback: &Playback, key: &str, shift: bool) -> bool {
    match key {
        " " => {
            if playback.can_run() {
                playback.with_player(Player::toggle);
            }
            true
        }
        "ArrowRight" if shift => playback.with_player(|p| p.seek(p.position_ms() + 10_000)).is_some(),
        "ArrowRight" => playback.can_run() && playback.with_player(Player::step_event).is_some(),
        "ArrowLeft" => {
            let back = if shift { 10_000 } else { 1_000 };
            playback.with_player(|p| p.seek(p.position_ms().saturating_sub(back))).is_some()
        }
        "Home" => playback.with_player(Player::restart).is_some(),
        "End" => playback.with_player(|p| p.seek(p.end_ms())).is_some(),
        "+" | "=" => playback.with_player(|p| p.speed = faster(p.speed, true)).is_some(),
        "-" => playback.with_player(|p| p.speed = faster(p.speed, false)).is_some(),
        // The live what-ifs' menu (`crate::whatif`).
        "w" => {
            crate::dom::focus_by_id("whatif-kind");
            true
        }
        _ => false,
    }
}

/// The next speed up or down the list.
pub fn faster(speed: f64, up: bool) -> f64 {
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
    fn speeds_step_through_the_list() {
        assert_eq!(faster(10.0, true), 20.0);
        assert_eq!(faster(10.0, false), 5.0);
        assert_eq!(faster(1000.0, true), 1000.0);
        assert_eq!(faster(1.0, false), 1.0);
    }
}
