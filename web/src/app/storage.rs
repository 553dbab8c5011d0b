//! Where the document lives between visits: local storage, read once at start and written by the app's effect
//! hooks (the reducer never touches it).

use super::document::Saved;
use crate::dom::storage;

/// Where the scenario being edited is kept between visits.
const DRAFT_KEY: &str = "fleetplan.draft.v1";
/// Where edits are kept aside when another scenario is opened over them: a list, newest first.
const STASH_KEY: &str = "fleetplan.stash.v2";

pub fn load_draft() -> Option<Saved> {
    storage::get(DRAFT_KEY).and_then(|text| serde_json::from_str(&text).ok())
}

/// The kept-aside edits, newest first.
pub fn load_stash() -> Vec<Saved> {
    storage::get(STASH_KEY).and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
}

/// Best effort: a full or disabled storage must not stop the app.
pub fn save_draft(saved: &Saved) {
    if let Ok(text) = serde_json::to_string(saved) {
        storage::set(DRAFT_KEY, &text);
    }
}

/// False when the browser refused (storage full or disabled).
pub fn save_stash(stash: &[Saved]) -> bool {
    if stash.is_empty() {
        storage::remove(STASH_KEY);
        return true;
    }
    serde_json::to_string(stash).is_ok_and(|text| storage::set(STASH_KEY, &text))
}
