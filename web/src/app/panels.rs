//! The message bar (errors and notices, with an offer to restore kept-aside edits) and the editor panel (the form
//! or the JSON text, with the draft's problems).

use yew::prelude::*;

use super::document::{Action, Doc, EditorMode, MessageKind};
use crate::dom;
use crate::editor::{Edit, ScenarioForm};
use crate::i18n::{tr, trf};

pub fn message_bar(doc: &UseReducerHandle<Doc>) -> Html {
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
                <button id="restore-edits" onclick={restore}>{ tr("Restore them") }</button>
            }
            <button class="dismiss" onclick={dismiss} aria-label={tr("Dismiss this message")}>{ "×" }</button>
        </div>
    }
}

pub fn editor_panel(doc: &UseReducerHandle<Doc>) -> Html {
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
        <aside id="editor" class="editor" aria-label={tr("Scenario editor")}>
            <div class="editor-head">
                <h2>{ tr("Scenario") }</h2>
                <div class="tabs" role="tablist">
                    <button role="tab" id="editor-form-tab" aria-selected={(doc.editor_mode == EditorMode::Form).to_string()} onclick={mode(false)}>{ tr("Form") }</button>
                    <button role="tab" id="editor-json-tab" aria-selected={(doc.editor_mode == EditorMode::Json).to_string()} onclick={mode(true)}>{ "JSON" }</button>
                </div>
                <button id="revert" onclick={revert} disabled={!doc.dirty()}>{ tr("Undo all edits") }</button>
            </div>
            <p id="editor-status" class={classes!("editor-status", (count > 0).then_some("invalid"))} role="status">
                { match count {
                    0 => tr("Valid: the stage plays this scenario."),
                    1 => tr("1 problem to fix before it can run:"),
                    _ => trf("{count} problems to fix before it can run:", &[("count", &count)]),
                } }
            </p>
            <crate::editor::import::AwsPanel draft={doc.draft.clone()} on_use={use_imported(doc)} />
            if count > 0 {
                <ul id="problems" class="problems">
                    { for doc.errors.iter().map(|e| html! { <li><code>{ e.field.clone() }</code>{ ": " }{ e.message.clone() }</li> }) }
                </ul>
            }
            { match doc.editor_mode {
                EditorMode::Form => html! { <ScenarioForm draft={doc.draft.clone()} typed={doc.typed.clone()} errors={doc.errors.clone()} on_edit={on_edit} /> },
                EditorMode::Json => html! {
                    <div class="json-editor">
                        <textarea id="scenario-json" spellcheck="false" aria-label={tr("Scenario JSON")} value={json_text} oninput={on_json} />
                        if let Some(e) = &doc.json_error {
                            <p class="field-error" role="alert">{ e.clone() }</p>
                        }
                    </div>
                },
            } }
        </aside>
    }
}

/// "Use this scenario" in the AWS import panel: opened like a scenario file (edits in progress are kept aside).
fn use_imported(doc: &UseReducerHandle<Doc>) -> Callback<String> {
    let doc = doc.clone();
    Callback::from(move |text: String| doc.dispatch(Action::OpenFile { name: "AWS documents".into(), text }))
}
