//! Where the document lives between visits: local storage, read once at start and written by the app's effect
//! hooks (the reducer never touches it).

use std::rc::Rc;

use fleetplan_engine::Scenario;
use serde_json::{json, Value};

use super::document::{Saved, Variant};
use crate::dom::storage;

/// Where the scenario being edited is kept between visits.
const DRAFT_KEY: &str = "fleetplan.draft.v1";
/// Where edits are kept aside when another scenario is opened over them: a list, newest first.
const STASH_KEY: &str = "fleetplan.stash.v2";
/// Where the runs kept for comparison are kept between visits: a list of `{label, seed, scenario}`.
const KEPT_KEY: &str = "fleetplan.compare.v1";

/// The runs kept for comparison, as stored; one that no longer reads or validates is left out.
pub fn load_kept() -> Vec<Variant> {
    let Some(list) = storage::get(KEPT_KEY).and_then(|text| serde_json::from_str::<Vec<Value>>(&text).ok()) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|v| {
            let spec = fleetplan_engine::scenario::parse_spec(&v.get("scenario")?.to_string()).ok()?;
            let scenario = Scenario::from_spec(spec).ok()?;
            Some(Variant {
                label: v.get("label")?.as_str()?.to_string(),
                scenario: Rc::new(scenario),
                seed: v.get("seed")?.as_u64()?,
            })
        })
        .take(fleetplan_engine::compare::MAX_VARIANTS - 1)
        .collect()
}

/// Best effort, like the draft.
pub fn save_kept(kept: &[Variant]) {
    if kept.is_empty() {
        storage::remove(KEPT_KEY);
        return;
    }
    let list: Vec<Value> =
        kept.iter().map(|v| json!({ "label": v.label, "seed": v.seed, "scenario": fleetplan_engine::spec::to_value(&v.scenario.spec).ok() })).collect();
    if let Ok(text) = serde_json::to_string(&list) {
        storage::set(KEPT_KEY, &text);
    }
}

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
