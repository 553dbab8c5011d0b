//! The editor's AWS panel: "Import AWS JSON/YAML" (pasted text or files) puts the imported scenario in the draft and
//! shows the import's report as plain text; "Export as AWS JSON" downloads the draft's task definitions, services and
//! capacity providers as AWS CLI input documents (one JSON list, which the import reads back).

use std::cell::RefCell;
use std::rc::Rc;

use fleetplan_engine::aws_import::{self, export, Document};
use fleetplan_engine::scenario;
use fleetplan_engine::spec::ScenarioSpec;
use yew::prelude::*;

use super::document::{Action, Doc};
use crate::dom;

/// A document's file name and text.
type NamedText = (String, String);

#[derive(Properties, PartialEq)]
pub struct AwsPanelProps {
    pub doc: UseReducerHandle<Doc>,
}

/// Imports `(name, text)` documents: the report (or the problems) as plain text, and the scenario JSON to open.
fn run_import(files: &[(String, String)]) -> (String, Option<String>) {
    let documents: Vec<Document> = files.iter().map(|(name, text)| Document { name, text }).collect();
    let name = match files {
        [(only, _)] => only.rsplit_once('.').map_or(only.as_str(), |(stem, _)| stem).to_string(),
        _ => "imported from AWS".to_string(),
    };
    match aws_import::import(&documents, &name) {
        Ok(imported) => {
            let report = format!(
                "Imported {} task definition(s), {} service(s), {} capacity provider(s).\n{}",
                imported.spec.task_definitions.len(),
                imported.spec.services.len(),
                imported.spec.capacity_providers.len(),
                aws_import::report_text(&imported.notes)
            );
            (report, serde_json::to_string(&imported.spec).ok())
        }
        Err(errors) => {
            let mut report = format!("Not imported: {} problem(s).\n", errors.len());
            for e in &errors {
                report.push_str(&format!("  {e}\n"));
            }
            (report, None)
        }
    }
}

#[component]
pub fn AwsPanel(props: &AwsPanelProps) -> Html {
    let doc = &props.doc;
    let pasted = use_state(String::new);
    let report = use_state(String::new);
    let readers = use_mut_ref(Vec::<gloo_file::callbacks::FileReader>::new);

    let open = {
        let doc = doc.clone();
        let report = report.clone();
        Rc::new(move |files: Vec<(String, String)>| {
            let (text, scenario) = run_import(&files);
            report.set(text);
            match scenario {
                Some(json) => {
                    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
                    doc.dispatch(Action::OpenFile { name: format!("AWS import of {}", names.join(", ")), text: json });
                }
                None => doc.dispatch(Action::Fail(
                    "The AWS documents were not imported: see the report in the editor.".into(),
                )),
            }
        })
    };
    let on_paste = {
        let pasted = pasted.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(text) = dom::textarea_value(&e) {
                pasted.set(text);
            }
        })
    };
    let on_import_pasted = {
        let pasted = pasted.clone();
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open(vec![("pasted".to_string(), (*pasted).clone())]))
    };
    let on_files = {
        let open = open.clone();
        let report = report.clone();
        Callback::from(move |e: Event| {
            let files = dom::chosen_files(&e);
            dom::clear_file_input(&e);
            if files.is_empty() {
                return;
            }
            if let Some(big) = files.iter().find(|f| f.size() > aws_import::MAX_DOCUMENT_BYTES as f64) {
                report.set(format!(
                    "Not imported: {} is larger than {} MiB.",
                    big.name(),
                    aws_import::MAX_DOCUMENT_BYTES >> 20
                ));
                return;
            }
            let expected = files.len();
            let done: Rc<RefCell<Vec<Option<NamedText>>>> = Rc::new(RefCell::new(vec![None; expected]));
            let mut kept = readers.borrow_mut();
            kept.clear();
            for (i, file) in files.into_iter().enumerate() {
                let name = file.name();
                let done = done.clone();
                let open = open.clone();
                let report = report.clone();
                let file = gloo_file::File::from(file);
                kept.push(gloo_file::callbacks::read_as_text(&file, move |result| match result {
                    Ok(text) => {
                        let ready = {
                            let mut slots = done.borrow_mut();
                            slots[i] = Some((name, text));
                            slots
                                .iter()
                                .all(Option::is_some)
                                .then(|| slots.iter_mut().filter_map(Option::take).collect::<Vec<_>>())
                        };
                        if let Some(all) = ready {
                            open(all);
                        }
                    }
                    Err(e) => report.set(format!("Not imported: could not read {name}: {e}.")),
                }));
            }
        })
    };
    let on_export = {
        let doc = doc.clone();
        let report = report.clone();
        Callback::from(move |_: MouseEvent| {
            // Through the engine's own parser: another deserializer of every scenario type (`from_value`, or
            // `from_str` without the path tracking) would add over 100 KiB of wasm.
            let spec: ScenarioSpec = match scenario::parse_spec(&doc.draft.to_string()) {
                Ok(spec) => spec,
                Err(e) => {
                    doc.dispatch(Action::Fail(format!("Could not export: the draft is not a scenario ({e}).")));
                    return;
                }
            };
            let exported = export::cli(&spec);
            let list = serde_json::Value::Array(exported.documents.into_iter().map(|(_, d)| d).collect());
            let text = serde_json::to_string_pretty(&list).unwrap_or_default();
            if let Err(e) = dom::download_text("aws-documents.json", "application/json", &text) {
                doc.dispatch(Action::Fail(format!("Could not export: {e}.")));
                return;
            }
            let mut notes = String::from(
                "Exported as AWS CLI input (one JSON list). Replace the values that start with REPLACE:.\n",
            );
            for n in &exported.notes {
                notes.push_str(&format!("  {n}\n"));
            }
            report.set(notes);
        })
    };
    let accept = ".json,application/json";
    let what = "Import AWS JSON";
    html! {
        <details id="aws-panel" class="aws-panel">
            <summary>{ "AWS: import or export" }</summary>
            <p class="hint">
                { "Paste or open what the AWS CLI prints (describe-task-definition, describe-services, describe-capacity-providers, describe-auto-scaling-groups), the input of register-task-definition or create-service, or a CloudFormation template" }
                { " in JSON (YAML templates: the command line's fleetplan import)" }
                { ". Several files combine into one scenario." }
            </p>
            <textarea id="aws-paste" spellcheck="false" aria-label="AWS documents to import" value={(*pasted).clone()} oninput={on_paste} />
            <div class="aws-actions">
                <button id="aws-import" onclick={on_import_pasted} disabled={pasted.trim().is_empty()}>{ what }</button>
                <input id="aws-file" class="visually-hidden" type="file" multiple=true accept={accept} onchange={on_files} />
                <label class="button" for="aws-file">{ "Open AWS files" }</label>
                <button id="aws-export" onclick={on_export}>{ "Export as AWS JSON" }</button>
            </div>
            if !report.is_empty() {
                <pre id="aws-report" class="aws-report" role="status">{ (*report).clone() }</pre>
            }
        </details>
    }
}
