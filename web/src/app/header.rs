//! The masthead: the scenario's title and source, and the document's actions (presets, editor, import, export,
//! seed, restore, share link).

use fleetplan_engine::share;
use serde_json::Value;
use yew::prelude::*;

use super::document::{Action, Doc};
use crate::dom;
use crate::i18n::{tr, trf};

/// Scenario files larger than this are refused before reading (the share link's limit too).
const MAX_FILE_BYTES: f64 = share::MAX_SCENARIO_BYTES as f64;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub doc: UseReducerHandle<Doc>,
    /// The language switch's choice.
    pub on_lang: Callback<crate::i18n::Lang>,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let lang = crate::i18n::use_lang();
    let doc = &props.doc;
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
    let share_link = share_link(doc, lang);
    let comparing = !doc.kept.is_empty();
    let on_copy = {
        let link = share_link.clone();
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| {
            let message = if dom::copy_to_clipboard(&link) {
                if comparing {
                    tr("Link copied: it reopens this comparison (every variant's scenario and seed).")
                } else {
                    tr("Link copied: it replays this exact run (scenario and seed).")
                }
            } else {
                // No clipboard API (a plain-HTTP host): the link is selected for Ctrl+C.
                tr("The link is selected in the box next to the button: press Ctrl+C (or ⌘C) to copy it.")
            };
            doc.dispatch(Action::Inform(message));
        })
    };
    let on_export = {
        let draft = doc.draft.clone();
        let doc = doc.clone();
        Callback::from(move |_: MouseEvent| {
            let name = draft.get("name").and_then(Value::as_str).unwrap_or("scenario");
            let text = serde_json::to_string_pretty(&*draft).unwrap_or_default();
            if let Err(e) = dom::download_text(&format!("{}.json", file_stem(name)), "application/json", &text) {
                doc.dispatch(Action::Fail(trf("Could not export the scenario: {e}.", &[("e", &e)])));
            }
        })
    };
    let reader = use_mut_ref(|| None::<gloo_file::callbacks::FileReader>);
    let on_import = {
        let doc = doc.clone();
        Callback::from(move |e: Event| {
            let Some(file) = dom::chosen_file(&e) else { return };
            let name = file.name();
            if file.size() > MAX_FILE_BYTES {
                doc.dispatch(Action::Fail(trf(
                    "Could not open {name}: it is {size} MiB; scenario files are at most {limit} MiB. The scenario shown is unchanged.",
                    &[("name", &name), ("size", &format!("{:.1}", file.size() / 1_048_576.0)), ("limit", &(share::MAX_SCENARIO_BYTES / 1_048_576))],
                )));
                return;
            }
            let doc = doc.clone();
            let file = gloo_file::File::from(file);
            *reader.borrow_mut() = Some(gloo_file::callbacks::read_as_text(&file, move |result| match result {
                Ok(text) => doc.dispatch(Action::OpenFile { name, text }),
                Err(e) => doc.dispatch(Action::Fail(trf("Could not read {name}: {e}.", &[("name", &name), ("e", &e)]))),
            }));
            dom::clear_file_input(&e);
        })
    };

    let title = doc.title();
    let stashed = doc.stash.len();
    html! {
        <header class="masthead">
            <div class="brand">
                <h1>{ "Fleetplan" }</h1>
                <p class="tagline">{ tr("How fast can ECS launch your tasks on Fargate, EC2 and your own servers?") }</p>
            </div>
            <div class="doc-title">
                <span id="scenario-title" class="scenario-name">{ title }</span>
                <span id="scenario-status" class="source">{ status_text(&doc.status()) }</span>
            </div>
            <nav class="doc-actions" aria-label={tr("Scenario")}>
                <button id="toggle-gallery" aria-expanded={doc.gallery_open.to_string()} onclick={dispatch(|| Action::ToggleGallery)}>{ tr("Presets") }</button>
                <button id="toggle-editor" aria-expanded={doc.editor_open.to_string()} onclick={dispatch(|| Action::ToggleEditor)}>{ tr("Edit scenario") }</button>
                <input id="import-file" class="visually-hidden" type="file" accept=".json,application/json" onchange={on_import} />
                <label class="button" for="import-file">{ tr("Import JSON") }</label>
                <button id="export-json" onclick={on_export}>{ tr("Export JSON") }</button>
                <label for="seed" class="seed-label">{ tr("Seed") }</label>
                <input id="seed" class="seed" type="text" inputmode="numeric" value={doc.seed_text.clone()} oninput={on_seed}
                    aria-invalid={doc.seed().is_err().to_string()}
                    aria-describedby={doc.seed().is_err().then_some("blocked")} />
                if stashed > 0 {
                    <button id="restore-stash" onclick={dispatch(|| Action::RestoreStash)}
                        title={tr("Bring back the newest set of edits kept aside when another scenario was opened")}>
                        { trf("Restore kept edits ({stashed})", &[("stashed", &stashed)]) }
                    </button>
                }
                <button id="keep-variant" onclick={dispatch(|| Action::KeepVariant)} disabled={!doc.can_keep()}
                    title={tr("Keep this run for comparison; then change the scenario to make the next variant (up to four)")}>
                    { trf("Keep as {label}", &[("label", &doc.current_label())]) }
                </button>
                <button id="copy-link" onclick={on_copy} disabled={share_link.is_empty()}>{ tr("Copy link") }</button>
                <input id="share-link" type="text" readonly=true value={share_link.clone()} aria-label={if comparing { tr("Share link: reopens this comparison") } else { tr("Share link: replays this exact run") }} />
            </nav>
            { crate::i18n::lang_switch(lang, &props.on_lang) }
        </header>
    }
}

/// The share link of the scenario played (empty while it cannot run). It carries the language it was copied in, so
/// the receiver reads what the sender saw.
pub(super) fn share_link(doc: &Doc, lang: crate::i18n::Lang) -> String {
    match &doc.runnable {
        Some(_) if doc.errors.is_empty() => match lang {
            crate::i18n::Lang::En => format!("{}#{}", dom::page_address(), doc.link_fragment()),
            _ => format!("{}#{}&lang={}", dom::page_address(), doc.link_fragment(), lang.code()),
        },
        _ => String::new(),
    }
}

/// The status in the page's language: where the scenario came from (a preset by its translated title), and
/// whether it was edited. The document keeps it in English (it is stored with the draft).
fn status_text(status: &str) -> String {
    let (edited, source) = match status.strip_prefix("edited · opened as ") {
        Some(source) => (true, source),
        None => (false, status),
    };
    let source = if let Some(title) = source.strip_prefix("Preset: ") {
        let title = fleetplan_engine::presets::all()
            .iter()
            .find(|p| p.title == title)
            .map_or_else(|| title.to_string(), crate::i18n::preset_title);
        trf("Preset: {title}", &[("title", &title)])
    } else if let Some(name) = source.strip_prefix("File: ") {
        trf("File: {name}", &[("name", &name)])
    } else {
        crate::i18n::tr_dyn(source)
    };
    if edited {
        trf("edited · opened as {source}", &[("source", &source)])
    } else {
        source
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_letters_digits_and_dashes() {
        assert_eq!(file_stem("Fargate On-Demand, 0 to 1,000 tasks"), "fargate-on-demand--0-to-1-000-tasks");
        assert_eq!(file_stem("***"), "scenario");
    }
}
