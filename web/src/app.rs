//! The app: a reducer over the scenario document (the JSON being edited, where it came from, the seed, its
//! validation, what is stashed), persisted to local storage; the stage that plays the last valid scenario; the
//! editor and the presets gallery beside it.

use std::collections::BTreeMap;
use std::rc::Rc;

use fleetplan_engine::scenario::FieldError;
use fleetplan_engine::{presets, share, Scenario};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use yew::prelude::*;

use crate::dom::{self, storage};
use crate::editor::{self, Edit, ScenarioForm};
use crate::stage::Stage;

const DEFAULT_PRESET: &str = "fargate-ondemand-1000";
/// Where the scenario being edited is kept between visits.
const DRAFT_KEY: &str = "fleetplan.draft.v1";
/// Where edits are kept aside when another scenario is opened over them: a list, newest first.
const STASH_KEY: &str = "fleetplan.stash.v2";
/// How many sets of kept-aside edits are kept; the oldest goes when a sixth is added (the message says so).
const STASH_LIMIT: usize = 5;
/// Scenario files larger than this are refused before reading (the share link's limit too).
pub const MAX_FILE_BYTES: f64 = share::MAX_SCENARIO_BYTES as f64;

/// What is saved: the scenario as edited, as opened, where from, and the seed.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
struct Saved {
    draft: Value,
    pristine: Value,
    source: String,
    seed: String,
    /// The JSON tab's text when it did not parse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    json_text: Option<String>,
}

/// The kept-aside edits, newest first.
fn stash_list() -> Vec<Saved> {
    storage::get(STASH_KEY).and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
}

#[derive(Clone, PartialEq)]
pub enum MessageKind {
    Error,
    Info,
}

#[derive(Clone, PartialEq)]
pub struct Message {
    pub kind: MessageKind,
    pub text: String,
    /// Offer to bring back the edits kept aside.
    pub offer_restore: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum EditorMode {
    Form,
    Json,
}

#[derive(Clone, PartialEq)]
struct Doc {
    draft: Rc<Value>,
    /// The scenario as it was opened: the draft differs from it when there are unsaved edits.
    pristine: Rc<Value>,
    source: String,
    seed_text: String,
    /// The draft's problems (and the seed's), empty when it can run.
    errors: Rc<Vec<FieldError>>,
    /// The last valid version of the draft and its seed: what the stage plays.
    runnable: Option<(Rc<Scenario>, u64)>,
    /// Bumped when a different document is opened (playback starts from 0); edits keep the playback time.
    generation: u32,
    share_fragment: String,
    /// The JSON tab's text while it does not parse (so a half-typed edit is not lost).
    json_text: Option<String>,
    json_error: Option<String>,
    /// Text as typed into form fields, by path (see `editor::Edit::Type`).
    typed: Rc<BTreeMap<String, String>>,
    message: Option<Message>,
    editor_open: bool,
    editor_mode: EditorMode,
    gallery_open: bool,
    /// How many sets of edits are kept aside (a Restore button shows while there are any).
    stash_count: usize,
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
    Fail(String),
    Inform(String),
    RestoreStash,
    Revert,
    Dismiss,
    ToggleEditor,
    SetEditorMode(bool),
    ToggleGallery,
}

fn preset_value(id: &str) -> Option<(Value, String)> {
    let preset = presets::get(id)?;
    let scenario = preset.scenario().ok()?;
    Some((serde_json::to_value(&scenario.spec).ok()?, format!("Preset: {}", preset.title)))
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
            stash_count: 0,
        };
        doc.validate();
        doc
    }

    fn initial() -> Doc {
        let mut doc = Doc::restored();
        doc.stash_count = stash_list().len();
        doc
    }

    fn restored() -> Doc {
        if let Some(saved) = storage::get(DRAFT_KEY).and_then(|text| serde_json::from_str::<Saved>(&text).ok()) {
            let mut doc = Doc::open(saved.pristine, saved.source, saved.seed);
            doc.restore_edits(saved.draft, saved.json_text);
            return doc;
        }
        let (value, source) = preset_value(DEFAULT_PRESET).unwrap_or((Value::Null, String::new()));
        Doc::open(value, source, "1".into())
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
            Err(e) => self.json_error = Some(format!("Not valid JSON yet: {e}.")),
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

    fn dirty(&self) -> bool {
        self.draft != self.pristine
    }

    fn saved(&self) -> Saved {
        Saved {
            draft: (*self.draft).clone(),
            pristine: (*self.pristine).clone(),
            source: self.source.clone(),
            seed: self.seed_text.clone(),
            json_text: self.json_error.as_ref().and(self.json_text.clone()),
        }
    }

    fn seed(&self) -> Result<u64, String> {
        self.seed_text.trim().parse::<u64>().map_err(|_| {
            format!("the seed must be a whole number from 0 to {}; got \"{}\"", u64::MAX, self.seed_text.trim())
        })
    }

    /// Validates the draft with the engine and, when it is valid, makes it what the stage plays.
    fn validate(&mut self) {
        let mut errors = match Scenario::from_json(&self.draft.to_string()) {
            Ok(scenario) => {
                if let Ok(seed) = self.seed() {
                    let changed = self.runnable.as_ref().is_none_or(|(s, old)| **s != scenario || *old != seed);
                    if changed {
                        self.share_fragment = share::encode(&scenario.spec, seed);
                        self.runnable = Some((Rc::new(scenario), seed));
                    }
                }
                Vec::new()
            }
            Err(e) => e.problems(),
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

    /// Replaces the document, keeping unsaved edits aside first so nothing is lost. If they cannot be kept (the
    /// browser's storage is full or disabled), nothing is replaced and the message says what to do.
    fn replace(&mut self, value: Value, source: String, seed: String) {
        let stashed = self.dirty() || self.json_error.is_some();
        let mut dropped_oldest = false;
        if stashed {
            // A side effect in the reducer, on purpose: the edits must be safe before the state moves on.
            let mut list = stash_list();
            list.insert(0, self.saved());
            dropped_oldest = list.len() > STASH_LIMIT;
            list.truncate(STASH_LIMIT);
            self.stash_count = list.len();
            let kept = serde_json::to_string(&list).is_ok_and(|text| storage::set(STASH_KEY, &text));
            if !kept {
                self.fail(
                    "Your unsaved edits could not be kept aside (the browser's storage is full or disabled), so \
                     nothing else was opened. Export them as JSON or undo them, then open it again."
                        .into(),
                );
                return;
            }
        }
        let name = self.draft.get("name").and_then(Value::as_str).unwrap_or("your scenario").to_string();
        let mut next = Doc::open(value, source, seed);
        next.generation = self.generation.wrapping_add(1);
        next.runnable = None;
        next.validate();
        next.editor_open = self.editor_open;
        next.editor_mode = self.editor_mode;
        next.stash_count = self.stash_count;
        if stashed {
            let oldest = if dropped_oldest { " (the oldest of the five kept before was let go)" } else { "" };
            next.message = Some(Message {
                kind: MessageKind::Info,
                text: format!("Your unsaved edits to “{name}” were kept aside{oldest}."),
                offer_restore: true,
            });
        }
        *self = next;
    }

    fn fail(&mut self, text: String) {
        self.message = Some(Message { kind: MessageKind::Error, text, offer_restore: false });
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
                    let seed = next.seed_text.clone();
                    next.replace(value, source, seed);
                }
                None => next.fail(presets::unknown_message(&id)),
            },
            Action::OpenFragment(fragment) => {
                if fragment.is_empty() {
                    return self;
                }
                match share::decode(&fragment) {
                    Ok((scenario, seed)) => match serde_json::to_value(&scenario.spec) {
                        Ok(value) => next.replace(value, "Share link".into(), seed.to_string()),
                        Err(e) => next.fail(format!("Could not open the link: {e}.")),
                    },
                    // Keep whatever was loaded before; say what is wrong with the link.
                    Err(e) => next.fail(format!("Could not open the link: {e}. The scenario shown is unchanged.")),
                }
            }
            Action::OpenFile { name, text } => match Scenario::from_json(&text) {
                Ok(scenario) => match serde_json::to_value(&scenario.spec) {
                    Ok(value) => {
                        let seed = next.seed_text.clone();
                        next.replace(value, format!("File: {name}"), seed);
                    }
                    Err(e) => next.fail(format!("Could not open {name}: {e}.")),
                },
                Err(e) => next.fail(format!("Could not open {name}: {e}. The scenario shown is unchanged.")),
            },
            Action::Fail(text) => next.fail(text),
            Action::Inform(text) => {
                next.message = Some(Message { kind: MessageKind::Info, text, offer_restore: false });
            }
            Action::RestoreStash => {
                let mut list = stash_list();
                let stash = (!list.is_empty()).then(|| list.remove(0));
                next.stash_count = list.len();
                if list.is_empty() {
                    storage::remove(STASH_KEY);
                } else if let Ok(text) = serde_json::to_string(&list) {
                    storage::set(STASH_KEY, &text);
                }
                match stash {
                    Some(saved) => {
                        next.replace(saved.pristine, saved.source, saved.seed);
                        next.restore_edits(saved.draft, saved.json_text);
                        if next.message.is_none() {
                            next.message = Some(Message {
                                kind: MessageKind::Info,
                                text: "Your edits are back.".into(),
                                offer_restore: false,
                            });
                        }
                    }
                    None => next.fail("There are no kept-aside edits to restore.".into()),
                }
            }
            Action::Revert => {
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

#[component]
pub fn App() -> Html {
    let doc = use_reducer(Doc::initial);

    {
        // Open the link the page was loaded with, and any link pasted into the address bar later.
        let doc = doc.clone();
        use_effect_with((), move |_| {
            let open = move || {
                let fragment = dom::location_fragment();
                if !fragment.is_empty() {
                    doc.dispatch(Action::OpenFragment(fragment));
                    dom::clear_fragment();
                }
            };
            open();
            let listener = dom::on_hash_change(open);
            move || drop(listener)
        });
    }
    {
        // Unsaved work survives a reload.
        let saved = doc.saved();
        use_effect_with(saved, |saved| {
            if let Ok(text) = serde_json::to_string(saved) {
                storage::set(DRAFT_KEY, &text);
            }
        });
    }

    let dispatch = |make: fn() -> Action| {
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| doc.dispatch(make()))
    };
    let on_seed = {
        let doc = doc.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = dom::input_value(&e) {
                doc.dispatch(Action::SetSeed(v));
            }
        })
    };
    let share_link = match &doc.runnable {
        Some(_) if doc.errors.is_empty() => format!("{}#{}", dom::page_address(), doc.share_fragment),
        _ => String::new(),
    };
    let on_copy = {
        let link = share_link.clone();
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| {
            let message = if dom::copy_to_clipboard(&link) {
                "Link copied: it replays this exact run (scenario and seed)."
            } else {
                // No clipboard API (a plain-HTTP host): the link is selected for Ctrl+C.
                "The link is selected in the box next to the button: press Ctrl+C (or ⌘C) to copy it."
            };
            doc.dispatch(Action::Inform(message.into()));
        })
    };
    let on_export = {
        let draft = doc.draft.clone();
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| {
            let name = draft.get("name").and_then(Value::as_str).unwrap_or("scenario");
            let text = serde_json::to_string_pretty(&*draft).unwrap_or_default();
            if let Err(e) = dom::download_text(&format!("{}.json", file_stem(name)), "application/json", &text) {
                doc.dispatch(Action::Fail(format!("Could not export the scenario: {e}.")));
            }
        })
    };
    let reader = use_mut_ref(|| None::<gloo_file::callbacks::FileReader>);
    let on_import = {
        let doc = doc.clone();
        let reader = reader.clone();
        Callback::from(move |e: Event| {
            let Some(file) = dom::chosen_file(&e) else { return };
            let name = file.name();
            if file.size() > MAX_FILE_BYTES {
                doc.dispatch(Action::Fail(format!(
                    "Could not open {name}: it is {:.1} MiB; scenario files are at most {} MiB. The scenario shown is unchanged.",
                    file.size() / 1_048_576.0,
                    share::MAX_SCENARIO_BYTES / 1_048_576
                )));
                return;
            }
            let doc = doc.clone();
            let file = gloo_file::File::from(file);
            *reader.borrow_mut() = Some(gloo_file::callbacks::read_as_text(&file, move |result| match result {
                Ok(text) => doc.dispatch(Action::OpenFile { name, text }),
                Err(e) => doc.dispatch(Action::Fail(format!("Could not read {name}: {e}."))),
            }));
            dom::clear_file_input(&e);
        })
    };

    let title = doc.draft.get("name").and_then(Value::as_str).unwrap_or("(unnamed)").to_string();
    let dirty = doc.dirty();
    let blocked = (!doc.errors.is_empty()).then(|| {
        let first = &doc.errors[0];
        format!(
            "The edited scenario has {} problem{} and cannot run until {} fixed (first: {}: {}). The last valid version is shown.",
            doc.errors.len(),
            if doc.errors.len() == 1 { "" } else { "s" },
            if doc.errors.len() == 1 { "it is" } else { "they are" },
            first.field,
            first.message
        )
    });

    html! {
        <>
        <header class="masthead">
            <div class="brand">
                <h1>{ "Fleetplan" }</h1>
                <p class="tagline">{ "How fast can ECS launch your tasks on Fargate, EC2 and your own servers?" }</p>
            </div>
            <div class="doc-title">
                <span id="scenario-title" class="scenario-name">{ title }</span>
                <span class="source">{ doc.source.clone() }{ if dirty { " · edited" } else { "" } }</span>
            </div>
            <nav class="doc-actions" aria-label="Scenario">
                <button id="toggle-gallery" aria-expanded={doc.gallery_open.to_string()} onclick={dispatch(|| Action::ToggleGallery)}>{ "Presets" }</button>
                <button id="toggle-editor" aria-expanded={doc.editor_open.to_string()} onclick={dispatch(|| Action::ToggleEditor)}>{ "Edit scenario" }</button>
                <input id="import-file" class="visually-hidden" type="file" accept=".json,application/json" onchange={on_import} />
                <label class="button" for="import-file">{ "Import JSON" }</label>
                <button id="export-json" onclick={on_export}>{ "Export JSON" }</button>
                <label for="seed" class="seed-label">{ "Seed" }</label>
                <input id="seed" class="seed" type="text" inputmode="numeric" value={doc.seed_text.clone()} oninput={on_seed}
                    aria-invalid={doc.seed().is_err().to_string()}
                    aria-describedby={doc.seed().is_err().then_some("blocked")} />
                if doc.stash_count > 0 {
                    <button id="restore-stash" onclick={dispatch(|| Action::RestoreStash)}
                        title="Bring back the newest set of edits kept aside when another scenario was opened">
                        { format!("Restore kept edits ({})", doc.stash_count) }
                    </button>
                }
                <button id="copy-link" onclick={on_copy} disabled={share_link.is_empty()}>{ "Copy link" }</button>
                <input id="share-link" type="text" readonly=true value={share_link.clone()} aria-label="Share link: replays this exact run" />
            </nav>
        </header>
        { message_bar(&doc) }
        if doc.gallery_open {
            <Gallery on_open={ let doc = doc.clone(); Callback::from(move |id: String| doc.dispatch(Action::OpenPreset(id))) }
                on_close={dispatch(|| Action::ToggleGallery)} />
        }
        <div class={classes!("workspace", doc.editor_open.then_some("with-editor"))}>
            if doc.editor_open {
                { editor_panel(&doc) }
            }
            <main class="stage-column">
                if let Some(reason) = blocked.clone() {
                    <p id="blocked" class="blocked" role="status">{ reason }</p>
                }
                { match &doc.runnable {
                    Some((scenario, seed)) => html! {
                        <Stage scenario={scenario.clone()} seed={*seed} generation={doc.generation} can_run={blocked.is_none()} />
                    },
                    None => html! { <p class="empty">{ "No valid scenario yet: open a preset or fix the scenario in the editor." }</p> },
                } }
            </main>
        </div>
        </>
    }
}

/// A file name from a scenario name: letters, digits and dashes.
fn file_stem(name: &str) -> String {
    let stem: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let stem = stem.trim_matches('-').to_string();
    if stem.is_empty() {
        "scenario".into()
    } else {
        stem
    }
}

fn message_bar(doc: &UseReducerHandle<Doc>) -> Html {
    let Some(message) = &doc.message else {
        return html! { <div id="error" role="alert" hidden=true></div> };
    };
    let restore = {
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| doc.dispatch(Action::RestoreStash))
    };
    let dismiss = {
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| doc.dispatch(Action::Dismiss))
    };
    let (id, class) = match message.kind {
        MessageKind::Error => ("error", "message error"),
        MessageKind::Info => ("notice", "message info"),
    };
    html! {
        <div id={id} class={class} role={if message.kind == MessageKind::Error { "alert" } else { "status" }}>
            <span>{ message.text.clone() }</span>
            if message.offer_restore {
                <button id="restore-edits" onclick={restore}>{ "Restore them" }</button>
            }
            <button class="dismiss" onclick={dismiss} aria-label="Dismiss this message">{ "×" }</button>
        </div>
    }
}

fn editor_panel(doc: &UseReducerHandle<Doc>) -> Html {
    let on_edit = {
        let doc = doc.clone();
        Callback::from(move |edit: Edit| doc.dispatch(Action::Edit(edit)))
    };
    let on_json = {
        let doc = doc.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(text) = dom::textarea_value(&e) {
                doc.dispatch(Action::SetJsonText(text));
            }
        })
    };
    let mode = |json: bool| {
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| doc.dispatch(Action::SetEditorMode(json)))
    };
    let revert = {
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| doc.dispatch(Action::Revert))
    };
    let json_text =
        doc.json_text.clone().unwrap_or_else(|| serde_json::to_string_pretty(&*doc.draft).unwrap_or_default());
    let count = doc.errors.len();
    html! {
        <aside id="editor" class="editor" aria-label="Scenario editor">
            <div class="editor-head">
                <h2>{ "Scenario" }</h2>
                <div class="tabs" role="tablist">
                    <button role="tab" id="editor-form-tab" aria-selected={(doc.editor_mode == EditorMode::Form).to_string()} onclick={mode(false)}>{ "Form" }</button>
                    <button role="tab" id="editor-json-tab" aria-selected={(doc.editor_mode == EditorMode::Json).to_string()} onclick={mode(true)}>{ "JSON" }</button>
                </div>
                <button id="revert" onclick={revert} disabled={!doc.dirty()}>{ "Undo all edits" }</button>
            </div>
            <p id="editor-status" class={classes!("editor-status", (count > 0).then_some("invalid"))} role="status">
                { if count == 0 { "Valid: the stage plays this scenario.".to_string() } else { format!("{count} problem{} to fix before it can run:", if count == 1 { "" } else { "s" }) } }
            </p>
            if count > 0 {
                <ul id="problems" class="problems">
                    { for doc.errors.iter().map(|e| html! { <li><code>{ e.field.clone() }</code>{ ": " }{ e.message.clone() }</li> }) }
                </ul>
            }
            { match doc.editor_mode {
                EditorMode::Form => html! { <ScenarioForm draft={doc.draft.clone()} typed={doc.typed.clone()} errors={doc.errors.clone()} on_edit={on_edit} /> },
                EditorMode::Json => html! {
                    <div class="json-editor">
                        <textarea id="scenario-json" spellcheck="false" aria-label="Scenario JSON" value={json_text} oninput={on_json} />
                        if let Some(e) = &doc.json_error {
                            <p class="field-error" role="alert">{ e.clone() }</p>
                        }
                    </div>
                },
            } }
        </aside>
    }
}

#[derive(Properties, PartialEq)]
struct GalleryProps {
    on_open: Callback<String>,
    on_close: Callback<MouseEvent>,
}

/// Every preset with its title and what to look at.
#[component]
fn Gallery(props: &GalleryProps) -> Html {
    let section = use_node_ref();
    {
        // Keyboard users land in the gallery when it opens, and back on its button when it closes.
        let section = section.clone();
        use_effect_with((), move |_| {
            dom::focus_first(&section, ".card button");
            || dom::focus_by_id("toggle-gallery")
        });
    }
    html! {
        <section id="gallery" class="gallery" aria-label="Presets" ref={section}>
            <div class="gallery-head">
                <h2>{ "Presets" }</h2>
                <p>{ "Calibration rows reproduce published measurements; teaching scenarios each show one mechanism. Opening one keeps any unsaved edits aside." }</p>
                <button class="dismiss" onclick={props.on_close.clone()} aria-label="Close the presets">{ "×" }</button>
            </div>
            <ul class="cards">
                { for presets::all().iter().map(|p| {
                    let on_open = props.on_open.clone();
                    let id = p.id.to_string();
                    let onclick = Callback::from(move |_: MouseEvent| on_open.emit(id.clone()));
                    html! {
                        <li class="card">
                            <h3>{ p.title }</h3>
                            if let Some(published) = p.published_s {
                                <p class="badge">{ format!("calibration · published {published:.0} s") }</p>
                            }
                            <p>{ p.what_to_look_at }</p>
                            <button id={format!("open-{}", p.id)} onclick={onclick}>{ "Open" }<span class="visually-hidden">{ format!(" {}", p.title) }</span></button>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
