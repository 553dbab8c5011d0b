//! The scenario document and its reducer: the JSON being edited, where it came from, the seed, its validation,
//! the edits kept aside, and the panels shown. Pure (the shape of Yew's `function_todomvc` example): no storage,
//! no DOM. What must be stored is state here, and the app's effect hooks store it (see [`Doc::pending`] for
//! opening another scenario over unsaved edits).

use std::collections::BTreeMap;
use std::rc::Rc;

use fleetplan_engine::compare::{default_label, MAX_VARIANTS};
use fleetplan_engine::scenario::FieldError;
use fleetplan_engine::share::{self, Shared, SharedVariant};
use fleetplan_engine::{presets, Scenario};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use yew::prelude::*;

use crate::editor::{self, Edit};
use crate::i18n::{tr, trf};
use crate::whatif::{self, Applied, WhatIf};

pub const DEFAULT_PRESET: &str = "fargate-ondemand-1000";
/// How many sets of kept-aside edits are kept; the oldest goes when a sixth is added (the message says so).
pub const STASH_LIMIT: usize = 5;
/// Shown when the edits could not be stored before another scenario was opened over them.
pub const STASH_FAILED: &str = "Your unsaved edits could not be kept aside (the browser's storage is full or \
                                disabled), so nothing else was opened. Export them as JSON or undo them, then open \
                                it again.";

/// What is saved: the scenario as edited, as opened, where from, and the seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub draft: Value,
    pub pristine: Value,
    pub source: String,
    pub seed: String,
    /// The JSON tab's text when it did not parse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_text: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MessageKind {
    Error,
    Info,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub kind: MessageKind,
    pub text: String,
    /// Offer to bring back the edits kept aside.
    pub offer_restore: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EditorMode {
    Form,
    Json,
}

/// A run kept for comparison: its label (A, B, C), scenario and seed.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub label: String,
    pub scenario: Rc<Scenario>,
    pub seed: u64,
}

#[derive(Clone, PartialEq)]
pub struct Doc {
    pub draft: Rc<Value>,
    /// The scenario as it was opened: the draft differs from it when there are unsaved edits.
    pub pristine: Rc<Value>,
    pub source: String,
    pub seed_text: String,
    /// The draft's problems (and the seed's), empty when it can run.
    pub errors: Rc<Vec<FieldError>>,
    /// The last valid version of the draft and its seed: what the stage plays.
    pub runnable: Option<(Rc<Scenario>, u64)>,
    /// Bumped when a different document is opened (playback starts from 0); edits keep the playback time.
    pub generation: u32,
    pub share_fragment: String,
    /// The JSON tab's text while it does not parse (so a half-typed edit is not lost).
    pub json_text: Option<String>,
    pub json_error: Option<String>,
    /// Text as typed into form fields, by path (see `editor::Edit::Type`).
    pub typed: Rc<BTreeMap<String, String>>,
    pub message: Option<Message>,
    pub editor_open: bool,
    pub editor_mode: EditorMode,
    pub gallery_open: bool,
    /// Edits kept aside when another scenario was opened over them, newest first (a Restore button shows while
    /// there are any). The app stores them after every change.
    pub stash: Rc<Vec<Saved>>,
    /// Another scenario opened over unsaved edits, waiting for them to be stored: its `stash` holds them. The
    /// edits must be safe before the document moves on, so the app stores that stash first and answers with
    /// [`Action::StashStored`]; until then (and for good if storing fails) this document stays.
    pub pending: Option<Rc<Doc>>,
    /// Runs kept for comparison (A, then B, C): with any, the current run is the next variant and the page
    /// compares them all. Opening another scenario keeps them (that is how B is made).
    pub kept: Rc<Vec<Variant>>,
    /// The what-ifs of the scenario played, oldest first: its events marked `what_if` (applied from the stage,
    /// here or by whoever sent the link), read from it at each validation; Undo takes the last one out again.
    pub whatifs: Rc<Vec<Applied>>,
}

pub enum Action {
    Edit(Edit),
    SetJsonText(String),
    SetSeed(String),
    OpenPreset(String),
    /// A URL fragment (on load or when it changes).
    OpenFragment(String),
    OpenFile {
        name: String,
        text: String,
    },
    /// Keep the current run as the next variant of a comparison (A first).
    KeepVariant,
    /// Let a kept variant go (by its index); the others are labelled A, B, C again in order.
    RemoveVariant(usize),
    /// Let every kept variant go.
    StopComparing,
    /// The answer to [`Doc::pending`]: whether its kept-aside edits were stored.
    StashStored(bool),
    Fail(String),
    Inform(String),
    RestoreStash,
    Revert,
    Dismiss,
    ToggleEditor,
    SetEditorMode(bool),
    ToggleGallery,
    /// A what-if from the stage at the playback time: its event joins the scenario's.
    ApplyWhatIf(WhatIf, u64),
    /// Takes the last what-if's event out of the scenario again.
    UndoWhatIf,
}

fn preset_value(id: &str) -> Option<(Value, String)> {
    let preset = presets::get(id)?;
    let scenario = preset.scenario().ok()?;
    Some((fleetplan_engine::spec::to_value(&scenario.spec).ok()?, format!("Preset: {}", preset.title)))
}

impl Doc {
    fn open(value: Value, source: String, seed: String) -> Doc {
        let draft = Rc::new(value);
        let mut doc = Doc {
            pristine: draft.clone(),
            draft,
            source,
            seed_text: seed,
            errors: Rc::new(Vec::new()),
            runnable: None,
            generation: 0,
            share_fragment: String::new(),
            json_text: None,
            json_error: None,
            typed: Rc::default(),
            message: None,
            editor_open: false,
            editor_mode: EditorMode::Form,
            gallery_open: false,
            stash: Rc::default(),
            pending: None,
            kept: Rc::default(),
            whatifs: Rc::default(),
        };
        doc.validate();
        doc
    }

    /// The document at start: the saved draft if there is one, else the default preset.
    pub fn initial(saved: Option<Saved>, stash: Vec<Saved>) -> Doc {
        let mut doc = match saved {
            Some(saved) => {
                let mut doc = Doc::open(saved.pristine, saved.source, saved.seed);
                doc.restore_edits(saved.draft, saved.json_text);
                doc
            }
            None => {
                let (value, source) = preset_value(DEFAULT_PRESET).unwrap_or((Value::Null, String::new()));
                Doc::open(value, source, "1".into())
            }
        };
        doc.stash = Rc::new(stash);
        doc
    }

    /// Takes the JSON tab's text: the draft when it parses, a problem when it does not. The text stays as typed
    /// (re-printing it from the parsed value would move the caret); a form edit, undo or another scenario
    /// replaces it.
    fn set_json_text(&mut self, text: String) {
        match serde_json::from_str::<Value>(&text) {
            Ok(value) => {
                self.draft = Rc::new(value);
                self.json_error = None;
            }
            Err(e) => self.json_error = Some(trf("Not valid JSON yet: {e}.", &[("e", &e)])),
        }
        self.json_text = Some(text);
        self.validate();
    }

    /// Puts saved edits back over the document they were made to (and half-typed JSON back in the JSON tab).
    fn restore_edits(&mut self, draft: Value, json_text: Option<String>) {
        self.draft = Rc::new(draft);
        match json_text {
            Some(text) => {
                self.editor_mode = EditorMode::Json;
                self.editor_open = true;
                self.set_json_text(text);
            }
            None => self.validate(),
        }
    }

    pub fn dirty(&self) -> bool {
        self.draft != self.pristine
    }

    /// The masthead's title, derived from the current scenario so it is never stale: the scenario's name while it
    /// is as opened (the name was written for it) or once the name itself was edited (it is the user's); otherwise,
    /// after edits that left the name alone, a headline made from what the scenario played holds
    /// ([`Scenario::headline`]), since a name such as "0 to 1,000 tasks" states counts an edit may have changed.
    pub fn title(&self) -> String {
        let name = |v: &Value| v.get("name").and_then(Value::as_str).map(str::to_string);
        let draft_name = name(&self.draft).unwrap_or_else(|| "(unnamed)".to_string());
        if !self.dirty() || name(&self.draft) != name(&self.pristine) {
            return draft_name;
        }
        self.runnable.as_ref().map_or(draft_name, |(scenario, _)| scenario.headline())
    }

    /// The masthead's status: where the scenario came from, and whether it was edited since.
    pub fn status(&self) -> String {
        if self.dirty() {
            format!("edited · opened as {}", self.source)
        } else {
            self.source.clone()
        }
    }

    /// What is stored so that the work survives a reload.
    pub fn saved(&self) -> Saved {
        Saved {
            draft: (*self.draft).clone(),
            pristine: (*self.pristine).clone(),
            source: self.source.clone(),
            seed: self.seed_text.clone(),
            json_text: self.json_error.as_ref().and(self.json_text.clone()),
        }
    }

    pub fn seed(&self) -> Result<u64, String> {
        self.seed_text.trim().parse::<u64>().map_err(|_| {
            trf(
                "the seed must be a whole number from 0 to {max}; got \"{seed}\"",
                &[("max", &u64::MAX), ("seed", &self.seed_text.trim())],
            )
        })
    }

    /// Validates the draft with the engine and, when it is valid, makes it what the stage plays.
    fn validate(&mut self) {
        let mut errors = match Scenario::from_json(&self.draft.to_string()) {
            Ok(scenario) => {
                let whatifs = whatif::applied(&scenario.spec.events);
                if *self.whatifs != whatifs {
                    self.whatifs = Rc::new(whatifs);
                }
                if let Ok(seed) = self.seed() {
                    let changed = self.runnable.as_ref().is_none_or(|(s, old)| **s != scenario || *old != seed);
                    if changed {
                        self.share_fragment = share::encode(&scenario.spec, seed);
                        self.runnable = Some((Rc::new(scenario), seed));
                    }
                }
                Vec::new()
            }
            // Format errors in plain words (serde's `invalid type: string "abc", expected u32` is for programmers).
            Err(e) => editor::plain::problems(&e),
        };
        if let Err(message) = self.seed() {
            errors.push(FieldError { field: "seed".into(), message });
        }
        if let Some(message) = &self.json_error {
            // The JSON tab's text does not parse: what runs is the last version that did.
            errors.insert(0, FieldError { field: "JSON".into(), message: message.clone() });
        }
        self.errors = Rc::new(errors);
    }

    /// Opens another document, with `stash` as the kept-aside edits from then on. Unsaved edits go on top of that
    /// stash first, so nothing is lost: then the new document waits in [`Doc::pending`] until the stash is
    /// stored, and this one stays until then.
    fn replace(&mut self, value: Value, source: String, seed: String, stash: Rc<Vec<Saved>>) {
        let keep_edits = self.dirty() || self.json_error.is_some();
        let name = self.draft.get("name").and_then(Value::as_str).map_or_else(|| tr("your scenario"), str::to_string);
        let mut next = Doc::open(value, source, seed);
        next.generation = self.generation.wrapping_add(1);
        next.editor_open = self.editor_open;
        next.editor_mode = self.editor_mode;
        next.stash = stash;
        next.kept = self.kept.clone();
        if !keep_edits {
            *self = next;
            return;
        }
        let mut list = (*next.stash).clone();
        list.insert(0, self.saved());
        let dropped_oldest = list.len() > STASH_LIMIT;
        list.truncate(STASH_LIMIT);
        next.stash = Rc::new(list);
        let oldest =
            if dropped_oldest { tr(" (the oldest of the five kept before was let go)") } else { String::new() };
        next.message = Some(Message {
            kind: MessageKind::Info,
            text: trf(
                "Your unsaved edits to “{name}” were kept aside{oldest}.",
                &[("name", &name), ("oldest", &oldest)],
            ),
            offer_restore: true,
        });
        self.pending = Some(Rc::new(next));
    }

    /// Kept-aside edits back over the document they were made to, saying so unless another message is due.
    fn bring_back(&mut self, draft: Value, json_text: Option<String>) {
        self.restore_edits(draft, json_text);
        if self.message.is_none() {
            self.inform(tr("Your edits are back."));
        }
    }

    /// A link's scenario that cannot run: shown in the JSON tab (the form would lay out every item of a list over
    /// its limit), with why it cannot run.
    fn refuse_link(&mut self, error: &fleetplan_engine::ScenarioError) {
        self.editor_open = true;
        self.editor_mode = EditorMode::Json;
        let kept_aside = self.message.as_ref().filter(|m| m.offer_restore).map(|m| format!(" {}", m.text));
        self.fail(trf(
            "This link's scenario cannot run, so nothing was run: {error}. It is open in the JSON tab to fix.{kept}",
            &[("error", &error), ("kept", &kept_aside.clone().unwrap_or_default())],
        ));
        if let Some(message) = self.message.as_mut() {
            message.offer_restore = kept_aside.is_some();
        }
    }

    /// A link refused before its scenario could be read (damaged checksum, cut short, JSON that is not a
    /// scenario): what it unpacks to opens in the JSON tab with the reason, so the receiver can fix it. JSON that
    /// reads as a scenario but breaks its format (a word in a count) opens as a draft, its problems beside its
    /// fields, like a link whose scenario fails validation; anything else (a damaged link, whose content may differ
    /// from what was sent) is held as text that does not run until it is edited.
    fn open_refused(&mut self, salvaged: share::Salvaged, error: &share::ShareError) {
        let seed = salvaged.seed.map_or_else(|| self.seed_text.clone(), |s| s.to_string());
        let stash = self.stash.clone();
        if let (share::ShareError::Scenario(problem), Ok(value)) =
            (error, serde_json::from_str::<Value>(&salvaged.text))
        {
            self.replace(value, tr("Share link"), seed, stash);
            match self.pending.as_mut() {
                Some(pending) => Rc::make_mut(pending).refuse_link(problem),
                None => self.refuse_link(problem),
            }
            return;
        }
        self.replace(Value::Null, tr("Share link (refused)"), seed, stash);
        match self.pending.as_mut() {
            Some(pending) => Rc::make_mut(pending).refuse_text(salvaged.text, error),
            None => self.refuse_text(salvaged.text, error),
        }
    }

    /// Holds a refused link's text in the JSON tab: nothing runs until it is edited there.
    fn refuse_text(&mut self, text: String, error: &share::ShareError) {
        self.editor_open = true;
        self.editor_mode = EditorMode::Json;
        self.json_text = Some(text);
        self.json_error = Some(trf("Not run: {error}. Check the text, then edit it to run it.", &[("error", &error)]));
        self.validate();
        let kept_aside = self.message.as_ref().filter(|m| m.offer_restore).map(|m| format!(" {}", m.text));
        self.fail(trf(
            "Could not open the link, so nothing was run: {error}. What it holds is open in the JSON tab to fix.{kept}",
            &[("error", &error), ("kept", &kept_aside.clone().unwrap_or_default())],
        ));
        if let Some(message) = self.message.as_mut() {
            message.offer_restore = kept_aside.is_some();
        }
    }

    /// The variants compared: the kept ones and then the current run, when it can run and is not the last kept
    /// run itself (right after "Keep as A" there is nothing to compare yet); empty when nothing is kept.
    pub fn variants(&self) -> Vec<Variant> {
        if self.kept.is_empty() {
            return Vec::new();
        }
        let mut all = (*self.kept).clone();
        if let (Some((scenario, seed)), true) = (&self.runnable, self.errors.is_empty()) {
            let same_as_last = all.last().is_some_and(|v| v.seed == *seed && *v.scenario == **scenario);
            if !same_as_last {
                all.push(Variant { label: default_label(all.len()), scenario: scenario.clone(), seed: *seed });
            }
        }
        all
    }

    /// The runs kept for comparison at start (from storage), labelled A, B, C in order.
    pub fn keep_all(&mut self, mut kept: Vec<Variant>) {
        kept.truncate(MAX_VARIANTS - 1);
        for (i, v) in kept.iter_mut().enumerate() {
            v.label = default_label(i);
        }
        self.kept = Rc::new(kept);
    }

    /// The label the current run has (or would have once kept): A with nothing kept, then B, C, D.
    pub fn current_label(&self) -> String {
        default_label(self.kept.len())
    }

    /// Whether the current run can be kept as a variant: it can run, and there is room for another after it.
    pub fn can_keep(&self) -> bool {
        self.runnable.is_some() && self.errors.is_empty() && self.kept.len() + 1 < MAX_VARIANTS
    }

    /// The share link's fragment: the comparison of every variant when some are kept, else this run's.
    pub fn link_fragment(&self) -> String {
        let variants = self.variants();
        if variants.len() < 2 {
            return self.share_fragment.clone();
        }
        let shared: Vec<SharedVariant> = variants
            .iter()
            .map(|v| SharedVariant { label: v.label.clone(), seed: v.seed, scenario: v.scenario.spec.clone() })
            .collect();
        share::encode_comparison(&shared)
    }

    /// A comparison link: every variant but the last is kept, the last is opened as the current run. Every
    /// variant must be valid (a comparison of runs that cannot run compares nothing): else nothing changes and
    /// the message names the variant.
    fn open_comparison(&mut self, variants: Vec<SharedVariant>) {
        let mut kept = Vec::new();
        let count = variants.len();
        for (i, v) in variants.into_iter().enumerate() {
            let label = default_label(i);
            let scenario = match Scenario::from_spec(v.scenario) {
                Ok(scenario) => scenario,
                Err(e) => {
                    self.fail(trf(
                        "Could not open the comparison link: variant {label}'s scenario cannot run: {e}. The scenario shown is unchanged.",
                        &[("label", &label), ("e", &e)],
                    ));
                    return;
                }
            };
            if i + 1 < count {
                kept.push(Variant { label, scenario: Rc::new(scenario), seed: v.seed });
                continue;
            }
            let Ok(value) = fleetplan_engine::spec::to_value(&scenario.spec) else {
                self.fail(tr("Could not open the comparison link."));
                return;
            };
            let stash = self.stash.clone();
            self.replace(value, tr("Comparison link"), v.seed.to_string(), stash);
            let kept = Rc::new(std::mem::take(&mut kept));
            match self.pending.as_mut() {
                Some(pending) => Rc::make_mut(pending).kept = kept,
                None => self.kept = kept,
            }
            return;
        }
    }

    /// A what-if's event joins the draft's events, and the run replays to that time and goes on with it. Only
    /// over a scenario that runs; an event the scenario refuses is not kept (the message says why).
    fn apply_what_if(&mut self, what_if: &WhatIf, at_ms: u64) {
        if !self.errors.is_empty() {
            self.fail(tr("What-ifs apply to a scenario that runs: fix the scenario first."));
            return;
        }
        let mut draft = (*self.draft).clone();
        if !whatif::add(&mut draft, what_if.event(at_ms)) {
            self.fail(tr("The scenario's events are not a list, so the what-if could not be added."));
            return;
        }
        let before = std::mem::replace(&mut self.draft, Rc::new(draft));
        self.json_text = None;
        self.validate();
        if let Some(problem) = self.errors.first().cloned() {
            self.draft = before;
            self.validate();
            self.fail(trf(
                "The what-if was not applied: {field}: {problem}.",
                &[("field", &problem.field), ("problem", &problem.message)],
            ));
        }
    }

    /// Takes the last what-if's event out of the draft: the run is the one before it again. The list was read
    /// from the scenario that runs, so its places are the draft's only while the draft is valid.
    fn undo_what_if(&mut self) {
        let Some(last) = self.whatifs.last() else { return };
        if !self.errors.is_empty() {
            self.fail(tr("What-ifs apply to a scenario that runs: fix the scenario first."));
            return;
        }
        let mut draft = (*self.draft).clone();
        if whatif::remove(&mut draft, last.index) {
            self.draft = Rc::new(draft);
            self.json_text = None;
            self.json_error = None;
            self.validate();
        }
    }

    fn fail(&mut self, text: String) {
        self.message = Some(Message { kind: MessageKind::Error, text, offer_restore: false });
    }

    fn inform(&mut self, text: String) {
        self.message = Some(Message { kind: MessageKind::Info, text, offer_restore: false });
    }
}

impl Reducible for Doc {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Edit(edit) => {
                let mut draft = (*next.draft).clone();
                if let Edit::Type(path, text) = &edit {
                    Rc::make_mut(&mut next.typed).insert(editor::data_path(path), text.clone());
                }
                if editor::apply(&mut draft, edit) {
                    next.draft = Rc::new(draft);
                    next.json_text = None;
                    next.json_error = None;
                    next.validate();
                }
            }
            Action::SetJsonText(text) => next.set_json_text(text),
            Action::SetSeed(text) => {
                next.seed_text = text;
                next.validate();
            }
            Action::OpenPreset(id) => match preset_value(&id) {
                Some((value, source)) => {
                    let (seed, stash) = (next.seed_text.clone(), next.stash.clone());
                    next.replace(value, source, seed, stash);
                }
                None => next.fail(presets::unknown_message(&id)),
            },
            Action::OpenFragment(fragment) => {
                if fragment.is_empty() {
                    return self;
                }
                // Unpacked but not validated yet: a link whose scenario cannot run (over a limit, so over what a run
                // may do) still opens, in the JSON tab to fix, and nothing is run or allocated for it.
                match share::open(&fragment) {
                    Ok(Shared::Comparison(variants)) => next.open_comparison(variants),
                    Ok(Shared::Run(run)) => match fleetplan_engine::spec::to_value(&run.scenario) {
                        Ok(value) => {
                            let refused = Scenario::from_spec(run.scenario).err();
                            let stash = next.stash.clone();
                            next.replace(value, tr("Share link"), run.seed.to_string(), stash);
                            if let Some(e) = refused {
                                match next.pending.as_mut() {
                                    Some(pending) => Rc::make_mut(pending).refuse_link(&e),
                                    None => next.refuse_link(&e),
                                }
                            }
                        }
                        Err(e) => next.fail(trf("Could not open the link: {e}.", &[("e", &e)])),
                    },
                    // What the link holds, as far as it unpacks, opens in the JSON tab with why it was refused (see
                    // `refuse_text`); only a link with nothing to unpack leaves the scenario shown as it was.
                    Err(e) => match share::salvage(&fragment) {
                        Some(salvaged) => next.open_refused(salvaged, &e),
                        None => next
                            .fail(trf("Could not open the link: {e}. The scenario shown is unchanged.", &[("e", &e)])),
                    },
                }
            }
            Action::OpenFile { name, text } => match Scenario::from_json(&text) {
                Ok(scenario) => match fleetplan_engine::spec::to_value(&scenario.spec) {
                    Ok(value) => {
                        let (seed, stash) = (next.seed_text.clone(), next.stash.clone());
                        next.replace(value, trf("File: {name}", &[("name", &name)]), seed, stash);
                    }
                    Err(e) => next.fail(trf("Could not open {name}: {e}.", &[("name", &name), ("e", &e)])),
                },
                Err(e) => next.fail(trf(
                    "Could not open {name}: {e}. The scenario shown is unchanged.",
                    &[("name", &name), ("e", &e)],
                )),
            },
            Action::KeepVariant => match (&next.runnable, next.can_keep()) {
                (Some((scenario, seed)), true) => {
                    let variant = Variant { label: next.current_label(), scenario: scenario.clone(), seed: *seed };
                    Rc::make_mut(&mut next.kept).push(variant);
                }
                _ if next.kept.len() + 1 >= MAX_VARIANTS => {
                    next.fail(trf(
                        "A comparison has at most {max} variants: remove one first.",
                        &[("max", &MAX_VARIANTS)],
                    ));
                }
                _ => next.fail(tr("Only a scenario that can run can be kept for comparison: fix it first.")),
            },
            Action::RemoveVariant(index) => {
                if index >= next.kept.len() {
                    return self;
                }
                let kept = Rc::make_mut(&mut next.kept);
                kept.remove(index);
                for (i, v) in kept.iter_mut().enumerate() {
                    v.label = default_label(i);
                }
            }
            Action::StopComparing => next.kept = Rc::default(),
            Action::StashStored(stored) => match next.pending.take() {
                Some(pending) if stored => next = (*pending).clone(),
                Some(_) => next.fail(STASH_FAILED.into()),
                None => return self,
            },
            Action::Fail(text) => next.fail(text),
            Action::Inform(text) => next.inform(text),
            Action::RestoreStash => {
                let mut rest = (*next.stash).clone();
                if rest.is_empty() {
                    next.fail(tr("There are no kept-aside edits to restore."));
                } else {
                    let Saved { draft, pristine, source, seed, json_text } = rest.remove(0);
                    next.replace(pristine, source, seed, Rc::new(rest));
                    // Over the restored document: the pending one while the edits it replaces are being stored.
                    match next.pending.take() {
                        Some(mut pending) => {
                            Rc::make_mut(&mut pending).bring_back(draft, json_text);
                            next.pending = Some(pending);
                        }
                        None => next.bring_back(draft, json_text),
                    }
                }
            }
            Action::ApplyWhatIf(what_if, at_ms) => next.apply_what_if(&what_if, at_ms),
            Action::UndoWhatIf => next.undo_what_if(),
            Action::Revert => {
                next.whatifs = Rc::default();
                next.draft = next.pristine.clone();
                next.json_text = None;
                next.json_error = None;
                next.validate();
            }
            Action::Dismiss => next.message = None,
            Action::ToggleEditor => next.editor_open = !next.editor_open,
            Action::SetEditorMode(json) => {
                next.editor_mode = if json { EditorMode::Json } else { EditorMode::Form };
            }
            Action::ToggleGallery => next.gallery_open = !next.gallery_open,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::Seg;
    use serde_json::json;

    fn start() -> Rc<Doc> {
        Rc::new(Doc::initial(None, Vec::new()))
    }

    fn rename(doc: Rc<Doc>, name: &str) -> Rc<Doc> {
        doc.reduce(Action::Edit(Edit::Set(vec![Seg::Key("name".into())], json!(name))))
    }

    fn name(doc: &Doc) -> &str {
        doc.draft.get("name").and_then(Value::as_str).unwrap_or_default()
    }

    /// A what-if joins the draft's events at its time, keeps the document (the stage keeps its playback time), and
    /// Undo takes the last one out: the draft, the scenario run and the share link are as before.
    #[test]
    fn what_ifs_are_events_undone_last_first() {
        let doc = start();
        let (draft, link, generation) = (doc.draft.clone(), doc.share_fragment.clone(), doc.generation);
        let service = doc.runnable.as_ref().unwrap().0.services[0].name.clone();
        let doc = doc.reduce(Action::ApplyWhatIf(WhatIf::Scale { service: service.clone(), desired: 5 }, 30_000));
        let doc = doc.reduce(Action::ApplyWhatIf(WhatIf::Deploy { service: service.clone() }, 45_500));
        assert_eq!(doc.generation, generation);
        assert!(doc.errors.is_empty() && doc.dirty());
        let events = doc.draft["events"].as_array().unwrap();
        assert_eq!(
            events[events.len() - 2],
            json!({ "type": "scale", "at_s": 30.0, "service": service, "desired_count": 5, "what_if": true })
        );
        assert_eq!(events[events.len() - 1]["at_s"], json!(45.5));
        let labels: Vec<String> = doc.whatifs.iter().map(Applied::label).collect();
        assert_eq!(labels, [format!("Scale {service} to 5 tasks"), format!("New deployment of {service}")]);
        let scenario = &doc.runnable.as_ref().unwrap().0;
        assert!(scenario.events.iter().any(|e| e.at.as_millis() == 45_500));
        assert_ne!(doc.share_fragment, link);

        let doc = doc.reduce(Action::UndoWhatIf);
        assert_eq!(doc.whatifs.len(), 1);
        let doc = doc.reduce(Action::UndoWhatIf);
        assert_eq!((doc.draft.clone(), doc.share_fragment.clone()), (draft, link));
        assert!(doc.whatifs.is_empty() && !doc.dirty());
        // Nothing left to undo: nothing changes.
        assert_eq!(doc.clone().reduce(Action::UndoWhatIf).draft, doc.draft);
    }

    /// A link made with what-ifs reopens with them listed (the events carry the mark), and Undo there gives the
    /// scenario and link without the last one; a link without marks (as every link made before the mark) lists
    /// none, though its events are the same kinds.
    #[test]
    fn a_reopened_link_lists_its_what_ifs_and_undoes_them() {
        let doc = start();
        let (plain_link, seed) = (doc.share_fragment.clone(), doc.seed_text.clone());
        let service = doc.runnable.as_ref().unwrap().0.services[0].name.clone();
        let doc = doc.reduce(Action::ApplyWhatIf(WhatIf::Scale { service: service.clone(), desired: 5 }, 30_000));
        let link = doc.share_fragment.clone();

        let opened = Rc::new(Doc::initial(None, Vec::new())).reduce(Action::OpenFragment(link));
        assert_eq!((opened.seed_text.clone(), opened.dirty()), (seed, false));
        let labels: Vec<String> = opened.whatifs.iter().map(Applied::label).collect();
        assert_eq!(labels, [format!("Scale {service} to 5 tasks")]);
        assert_eq!(opened.whatifs[0].at_ms, 30_000);
        let undone = opened.reduce(Action::UndoWhatIf);
        assert!(undone.whatifs.is_empty());
        assert_eq!(undone.share_fragment, plain_link);

        // The same event without the mark: an event of the scenario, not a what-if.
        let mut draft = (*start().draft).clone();
        let mut event = WhatIf::Scale { service, desired: 5 }.event(30_000);
        event.as_object_mut().unwrap().remove("what_if");
        assert!(whatif::add(&mut draft, event));
        let spec = Scenario::from_json(&draft.to_string()).unwrap().spec;
        let opened = start().reduce(Action::OpenFragment(share::encode(&spec, 1)));
        assert!(opened.errors.is_empty() && opened.whatifs.is_empty());
        assert_eq!(opened.clone().reduce(Action::UndoWhatIf).draft, opened.draft);
    }

    /// A what-if the scenario refuses (a service it does not have) is not kept, and the message says why.
    #[test]
    fn a_refused_what_if_leaves_the_scenario_as_it_was() {
        let doc = start();
        let draft = doc.draft.clone();
        let doc = doc.reduce(Action::ApplyWhatIf(WhatIf::Deploy { service: "nope".into() }, 1_000));
        assert_eq!(doc.draft, draft);
        assert!(doc.errors.is_empty() && doc.whatifs.is_empty());
        let message = doc.message.as_ref().unwrap();
        assert_eq!(message.kind, MessageKind::Error);
        assert!(message.text.contains("no service named `nope`"), "{}", message.text);
    }

    #[test]
    fn starts_on_the_default_preset_or_the_saved_draft() {
        let doc = start();
        assert!(doc.source.starts_with("Preset: "), "{}", doc.source);
        assert!(doc.runnable.is_some() && doc.errors.is_empty() && !doc.dirty());
        assert_eq!(doc.seed(), Ok(1));

        let edited = rename(doc, "mine");
        let saved = edited.saved();
        let again = Doc::initial(Some(saved.clone()), vec![saved]);
        assert_eq!(name(&again), "mine");
        assert!(again.dirty());
        assert_eq!(again.stash.len(), 1);
        assert_eq!(again.source, edited.source);
    }

    #[test]
    fn edits_validate_and_revert() {
        let doc = rename(start(), "mine");
        assert!(doc.dirty() && doc.errors.is_empty());
        let bad = doc.reduce(Action::Edit(Edit::Set(
            vec![Seg::Key("services".into()), Seg::Index(0), Seg::Key("desired_count".into())],
            json!("many"),
        )));
        assert!(bad.errors.iter().any(|e| e.field == "services[0].desired_count"), "{:?}", bad.errors);
        assert!(bad.runnable.is_some(), "the last valid version keeps playing");
        let reverted = bad.reduce(Action::Revert);
        assert!(!reverted.dirty() && reverted.errors.is_empty());
    }

    /// Issue 13: editing the desired count of "Fargate On-Demand, 0 to 1,000 tasks" to 2,500 must not leave
    /// "1,000" in the title; a name the user typed is theirs; reverting brings the preset's name back.
    #[test]
    fn the_title_derives_from_the_current_scenario() {
        let doc = start();
        assert_eq!(doc.title(), "Fargate On-Demand, 0 to 1,000 tasks");
        assert!(!doc.status().contains("edited"));
        let desired = vec![Seg::Key("services".into()), Seg::Index(0), Seg::Key("desired_count".into())];
        let edited = doc.reduce(Action::Edit(Edit::Set(desired.clone(), json!(2500))));
        assert_eq!(edited.title(), "1 service, 0 to 2,500 tasks on FARGATE");
        assert!(edited.status().starts_with("edited"), "{}", edited.status());
        // A half-typed count: the title describes the scenario still playing, not the draft's bad value.
        let bad = edited.clone().reduce(Action::Edit(Edit::Set(desired, json!("many"))));
        assert_eq!(bad.title(), "1 service, 0 to 2,500 tasks on FARGATE");
        let renamed = rename(edited, "my 2,500");
        assert_eq!(renamed.title(), "my 2,500");
        assert_eq!(renamed.reduce(Action::Revert).title(), "Fargate On-Demand, 0 to 1,000 tasks");
    }

    #[test]
    fn bad_seeds_and_half_typed_json_are_problems_not_losses() {
        let doc = start().reduce(Action::SetSeed("seven".into()));
        assert!(doc.errors.iter().any(|e| e.field == "seed"));
        let doc = doc.reduce(Action::SetSeed(" 7 ".into()));
        assert_eq!(doc.seed(), Ok(7));
        assert_eq!(doc.runnable.as_ref().map(|(_, seed)| *seed), Some(7));

        let doc = doc.reduce(Action::SetJsonText("{\"version\": 1, ".into()));
        assert_eq!(doc.errors[0].field, "JSON");
        assert_eq!(doc.saved().json_text.as_deref(), Some("{\"version\": 1, "));
        let restored = Doc::initial(Some(doc.saved()), Vec::new());
        assert_eq!(restored.editor_mode, EditorMode::Json);
        assert!(restored.editor_open && restored.json_error.is_some());
    }

    #[test]
    fn opening_over_a_clean_document_replaces_it_at_once() {
        let doc = start().reduce(Action::ToggleGallery);
        let next = doc.clone().reduce(Action::OpenPreset("fargate-spot-1000".into()));
        assert!(next.pending.is_none());
        assert_ne!(next.source, doc.source);
        assert_eq!(next.generation, doc.generation + 1);
        assert!(!next.gallery_open, "the gallery closes on open");
        assert!(next.message.is_none() && next.stash.is_empty());
    }

    #[test]
    fn opening_over_edits_waits_for_them_to_be_stored() {
        let edited = rename(start().reduce(Action::ToggleGallery), "mine");
        let waiting = edited.clone().reduce(Action::OpenPreset("fargate-spot-1000".into()));
        // Nothing moves until the edits are safe.
        assert_eq!(name(&waiting), "mine");
        assert_eq!(waiting.source, edited.source);
        assert!(waiting.stash.is_empty() && waiting.gallery_open);
        let pending = waiting.pending.clone().expect("a pending document");
        assert_eq!(pending.stash.len(), 1);
        assert_eq!(pending.stash[0], edited.saved());

        let opened = waiting.reduce(Action::StashStored(true));
        assert!(opened.pending.is_none());
        assert_eq!(opened.source, pending.source);
        assert_eq!(opened.stash.len(), 1);
        let message = opened.message.clone().expect("a message");
        assert!(message.offer_restore && message.text.contains("“mine” were kept aside"), "{}", message.text);

        // Restoring over a clean document brings the edits back at once.
        let back = opened.reduce(Action::RestoreStash);
        assert!(back.pending.is_none());
        assert_eq!(name(&back), "mine");
        assert_eq!(back.source, edited.source);
        assert!(back.stash.is_empty());
        assert_eq!(back.message.as_ref().map(|m| m.text.as_str()), Some("Your edits are back."));
    }

    #[test]
    fn a_failed_store_keeps_the_document_and_says_so() {
        let edited = rename(start(), "mine");
        let failed =
            edited.clone().reduce(Action::OpenPreset("fargate-spot-1000".into())).reduce(Action::StashStored(false));
        assert!(failed.pending.is_none());
        assert_eq!(name(&failed), "mine");
        assert_eq!(failed.source, edited.source);
        assert_eq!(failed.generation, edited.generation);
        assert!(failed.stash.is_empty());
        assert_eq!(
            failed.message,
            Some(Message { kind: MessageKind::Error, text: STASH_FAILED.into(), offer_restore: false })
        );
        // A late answer with nothing pending changes nothing.
        let same = failed.clone().reduce(Action::StashStored(true));
        assert!(Rc::ptr_eq(&same, &failed));
    }

    #[test]
    fn restoring_over_edits_keeps_those_aside_too() {
        let opened = rename(start(), "first").reduce(Action::OpenPreset("fargate-spot-1000".into()));
        let opened = opened.reduce(Action::StashStored(true));
        let edited = rename(opened, "second");
        let waiting = edited.clone().reduce(Action::RestoreStash);
        assert_eq!(name(&waiting), "second", "nothing moves before the store");
        assert_eq!(waiting.stash.len(), 1);
        let back = waiting.reduce(Action::StashStored(true));
        assert_eq!(name(&back), "first");
        assert_eq!(back.stash.len(), 1);
        assert_eq!(back.stash[0], edited.saved());
    }

    #[test]
    fn the_stash_keeps_the_newest_five() {
        let mut doc = start();
        for i in 0..=STASH_LIMIT {
            doc = rename(doc, &format!("edit {i}")).reduce(Action::OpenPreset(DEFAULT_PRESET.into()));
            doc = doc.reduce(Action::StashStored(true));
        }
        assert_eq!(doc.stash.len(), STASH_LIMIT);
        assert_eq!(doc.stash[0].draft["name"], json!(format!("edit {STASH_LIMIT}")));
        let text = &doc.message.as_ref().expect("a message").text;
        assert!(text.contains("the oldest of the five kept before was let go"), "{text}");
    }

    #[test]
    fn bad_links_files_and_presets_leave_the_document_alone() {
        let doc = rename(start(), "mine");
        for action in [
            Action::OpenFragment("s=garbage!!".into()),
            Action::OpenFile { name: "broken.json".into(), text: "{\"version\": 1, ".into() },
            Action::OpenPreset("no-such-preset".into()),
        ] {
            let after = doc.clone().reduce(action);
            assert_eq!(after.draft, doc.draft);
            assert!(after.pending.is_none());
            assert_eq!(after.message.as_ref().map(|m| m.kind.clone()), Some(MessageKind::Error));
        }
        assert!(Rc::ptr_eq(&doc.clone().reduce(Action::OpenFragment(String::new())), &doc));
    }

    #[test]
    fn a_share_link_opens_the_scenario_and_seed() {
        let doc = start().reduce(Action::SetSeed("7".into()));
        let fragment = doc.share_fragment.clone();
        let opened = start().reduce(Action::OpenFragment(fragment));
        assert_eq!(opened.source, "Share link");
        assert_eq!(opened.seed(), Ok(7));
        assert_eq!(opened.draft, doc.draft);
    }

    #[test]
    fn a_link_whose_scenario_cannot_run_opens_in_the_json_tab_with_why() {
        // Issue 14's link bomb, smaller: 1,000 groups of 10,000 instances (its 10,000 groups, re-encoded with every
        // default spelled out, unpack to more than a link may).
        let mut spec = start().draft.as_ref().clone();
        spec["capacity_providers"] = (0..1_000)
            .map(|i| json!({ "name": format!("p{i}"), "instance_types": ["m5.large"], "max_size": 10_000, "desired_capacity": 10_000 }))
            .collect();
        let spec: fleetplan_engine::spec::ScenarioSpec = serde_json::from_value(spec).unwrap();
        let fragment = share::encode(&spec, 3);
        let opened = start().reduce(Action::OpenFragment(fragment));
        assert!(opened.runnable.is_none(), "nothing runs: {:?} {:?}", opened.errors, opened.message);
        assert_eq!(opened.source, "Share link");
        assert_eq!(opened.seed(), Ok(3));
        assert_eq!(opened.draft["capacity_providers"].as_array().map(Vec::len), Some(1_000), "the scenario is kept");
        assert!(opened.editor_open && opened.editor_mode == EditorMode::Json);
        let message = opened.message.as_ref().expect("a message");
        assert_eq!(message.kind, MessageKind::Error);
        assert!(message.text.contains("capacity_providers: at most 20"), "{}", message.text);
        assert!(opened.errors.iter().any(|e| e.field == "capacity_providers"), "{:?}", opened.errors);
    }

    /// A `#s=2.` link packing any text: zlib with one stored (uncompressed) deflate block and its Adler-32.
    fn stored_link(text: &str) -> String {
        let data = text.as_bytes();
        let len = u16::try_from(data.len()).unwrap();
        let mut packed = vec![0x78, 0x01, 0x01];
        packed.extend(len.to_le_bytes());
        packed.extend((!len).to_le_bytes());
        packed.extend(data);
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in data {
            a = (a + u32::from(byte)) % 65_521;
            b = (b + a) % 65_521;
        }
        packed.extend(((b << 16) | a).to_be_bytes());
        format!("s=2.{}", share::base64url_encode(&packed))
    }

    #[test]
    fn a_link_with_a_word_in_a_count_opens_with_the_problem_at_the_field() {
        let text = r#"{"seed":5,"scenario":{"version":1,"name":"typo","task_definitions":[{"name":"web","cpu":256,"memory":512}],"services":[{"name":"web","task_definition":"web","desired_count":"abc"}]}}"#;
        assert!(share::open(&stored_link(text)).is_err());
        let opened = rename(start(), "mine").reduce(Action::OpenFragment(stored_link(text)));
        let opened = opened.reduce(Action::StashStored(true));
        assert_eq!(opened.draft["services"][0]["desired_count"], "abc", "the content is kept");
        assert_eq!(opened.seed(), Ok(5));
        assert!(opened.runnable.is_none());
        assert!(opened.editor_open && opened.editor_mode == EditorMode::Json);
        let at_field = opened.errors.iter().find(|e| e.field == "services[0].desired_count").expect("at the field");
        assert_eq!(at_field.message, "must be a whole number from 0 to 4294967295; got \"abc\"");
        assert!(opened.message.as_ref().is_some_and(|m| m.kind == MessageKind::Error && m.offer_restore));
    }

    #[test]
    fn a_damaged_link_keeps_what_it_holds_in_the_json_tab_and_runs_nothing() {
        let doc = start().reduce(Action::SetSeed("9".into()));
        let fragment = doc.share_fragment.clone();
        let (version, data) = fragment.split_once('.').unwrap();
        let mut packed = share::base64url_decode(data).unwrap();
        let last = packed.len() - 1;
        packed[last] ^= 0x10;
        let damaged = format!("{version}.{}", share::base64url_encode(&packed));
        let opened = start().reduce(Action::OpenFragment(damaged));
        assert!(opened.runnable.is_none(), "a damaged link is not run");
        assert!(opened.editor_open && opened.editor_mode == EditorMode::Json);
        assert_eq!(opened.seed(), Ok(9));
        let text = opened.json_text.clone().expect("the text is in the JSON tab");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), *doc.draft);
        let message = &opened.message.as_ref().expect("a message").text;
        assert!(message.contains("checksum does not match"), "{message}");
        assert!(opened.errors.iter().any(|e| e.field == "JSON" && e.message.starts_with("Not run:")));
        // Editing the text (here: as it is) runs it.
        let edited = opened.reduce(Action::SetJsonText(text));
        assert!(edited.runnable.is_some(), "{:?}", edited.errors);
        // Cut short: the text before the cut, still refused.
        let cut = &fragment[..fragment.len() / 2];
        let opened = start().reduce(Action::OpenFragment(cut.to_string()));
        assert!(opened.runnable.is_none());
        assert!(opened.json_text.as_ref().is_some_and(|t| t.starts_with("{\"version\":1")), "{:?}", opened.json_text);
    }

    #[test]
    fn keeping_a_run_makes_the_next_change_variant_b() {
        let doc = start();
        assert!(doc.variants().is_empty() && doc.current_label() == "A");
        let kept = doc.reduce(Action::KeepVariant);
        assert_eq!(kept.kept.len(), 1);
        assert_eq!(kept.kept[0].label, "A");
        assert_eq!(kept.current_label(), "B");
        assert_eq!(kept.variants().len(), 1, "nothing to compare until the scenario changes");
        // A preset (or an edit, a file, a link) is B; A stays.
        let b = kept.reduce(Action::OpenPreset("fargate-spot-1000".into()));
        let variants = b.variants();
        assert_eq!(variants.iter().map(|v| v.label.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(variants[0].scenario.name, "Fargate On-Demand, 0 to 1,000 tasks");
        assert_eq!(variants[1].scenario.name, "Fargate Spot, 0 to 1,000 tasks");
        let c = rename(b.reduce(Action::KeepVariant), "edited");
        assert_eq!(c.variants().len(), 3);
        assert_eq!(c.variants()[2].scenario.name, "edited");
        // Four at most.
        let d = c.reduce(Action::KeepVariant);
        assert!(!d.can_keep());
        let refused = d.clone().reduce(Action::KeepVariant);
        assert_eq!(refused.kept.len(), 3);
        assert!(refused.message.as_ref().is_some_and(|m| m.text.contains("at most 4 variants")));
        // Removing one relabels the rest; stopping lets them all go.
        let removed = d.reduce(Action::RemoveVariant(0));
        assert_eq!(removed.kept.iter().map(|v| v.label.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(removed.kept[0].scenario.name, "Fargate Spot, 0 to 1,000 tasks");
        assert!(removed.reduce(Action::StopComparing).variants().is_empty());
    }

    #[test]
    fn a_comparison_link_reopens_the_identical_comparison() {
        let b = start().reduce(Action::KeepVariant).reduce(Action::OpenPreset("fargate-spot-1000".into()));
        let b = b.reduce(Action::SetSeed("7".into()));
        let fragment = b.link_fragment();
        assert!(fragment.starts_with("c=1."), "{fragment}");
        let opened = start().reduce(Action::OpenFragment(fragment.clone()));
        assert_eq!(opened.variants(), b.variants());
        assert_eq!(opened.source, "Comparison link");
        assert_eq!(opened.seed(), Ok(7));
        assert_eq!(opened.link_fragment(), fragment);
        // Over edits: the comparison waits with the document for the edits to be stored.
        let waiting = rename(start(), "mine").reduce(Action::OpenFragment(fragment));
        assert!(waiting.kept.is_empty());
        let opened = waiting.reduce(Action::StashStored(true));
        assert_eq!(opened.variants(), b.variants());
        // One variant that cannot run: nothing changes, the message names it.
        let mut bad = b
            .variants()
            .iter()
            .map(|v| SharedVariant { label: v.label.clone(), seed: v.seed, scenario: v.scenario.spec.clone() })
            .collect::<Vec<_>>();
        bad[0].scenario.task_definitions[0].memory = 4096;
        let doc = start();
        let after = doc.clone().reduce(Action::OpenFragment(share::encode_comparison(&bad)));
        assert_eq!(after.draft, doc.draft);
        assert!(after.kept.is_empty());
        let message = after.message.as_ref().expect("a message");
        assert!(message.text.contains("variant A's scenario cannot run"), "{}", message.text);
    }

    #[test]
    fn the_reducer_is_a_function_of_its_input() {
        let doc = rename(start(), "mine");
        let a = doc.clone().reduce(Action::OpenPreset("fargate-spot-1000".into()));
        let b = doc.reduce(Action::OpenPreset("fargate-spot-1000".into()));
        assert!(*a == *b);
    }
}
