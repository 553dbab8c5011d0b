//! The AWS import and export panel: paste or choose AWS documents (task definitions, services, capacity providers
//! and Auto Scaling groups as the AWS CLI prints or takes them, CloudFormation templates in JSON or YAML), see the
//! scenario and the report of every field not imported as is, and use it; or download the scenario's task
//! definitions and services as AWS CLI input or a CloudFormation template. The work is `crates/import-wasm`, a
//! second wasm module loaded with a dynamic `import()` the first time it is needed, so a page load does not
//! download it.

use std::rc::Rc;

use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::dom;

// The snippet lands in dist/snippets/<crate>-<hash>/inline0.js, two folders below the module it loads.
#[wasm_bindgen(inline_js = "let loaded;
function module() {
  if (!loaded) loaded = import('../../fleetplan_import.js').then(async (m) => { await m.default(); return m; });
  return loaded;
}
export async function importDocuments(files, name) { return (await module()).importDocuments(files, name); }
export async function exportScenario(scenario, cloudformation) {
  return (await module()).exportScenario(scenario, cloudformation);
}")]
extern "C" {
    #[wasm_bindgen(js_name = importDocuments)]
    fn import_documents(files: &str, name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = exportScenario)]
    fn export_scenario(scenario: &str, cloudformation: bool) -> js_sys::Promise;
}

/// The module's answer (JSON text) as a value, or why it could not be loaded.
async fn call(promise: js_sys::Promise) -> Result<Value, String> {
    let answer = JsFuture::from(promise)
        .await
        .map_err(|e| format!("the import module could not be loaded: {}", js_sys::Error::from(e).message()))?;
    serde_json::from_str(&answer.as_string().unwrap_or_default()).map_err(|e| e.to_string())
}

/// The scenario's name, as `fleetplan import` names it: the first file's name without its extension.
fn scenario_name(files: &[(String, String)]) -> String {
    files
        .first()
        .map(|(name, _)| name.rsplit_once('.').map_or(name.as_str(), |(stem, _)| stem).to_string())
        .filter(|stem| !stem.is_empty())
        .unwrap_or_else(|| "imported".to_string())
}

#[derive(Clone, PartialEq)]
enum Shown {
    Nothing,
    Busy,
    Imported { scenario: String, report: String },
    Problems(Vec<String>),
    Exported(String),
}

#[derive(Properties, PartialEq)]
pub struct AwsPanelProps {
    pub draft: Rc<Value>,
    /// "Use this scenario": the imported scenario's JSON text.
    pub on_use: Callback<String>,
}

#[component]
pub fn AwsPanel(props: &AwsPanelProps) -> Html {
    let pasted = use_state(String::new);
    let files = use_state(Vec::<(String, String)>::new);
    let shown = use_state(|| Shown::Nothing);

    let on_paste = {
        let pasted = pasted.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(text) = dom::textarea_value(&e) {
                pasted.set(text);
            }
        })
    };
    let on_files = {
        let files = files.clone();
        let shown = shown.clone();
        Callback::from(move |e: Event| {
            let Some(list) = e.target_dyn_into::<web_sys::HtmlInputElement>().and_then(|input| input.files()) else {
                return;
            };
            let chosen: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
            let (files, shown) = (files.clone(), shown.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let mut read = Vec::new();
                for file in chosen {
                    match JsFuture::from(file.text()).await {
                        Ok(text) => read.push((file.name(), text.as_string().unwrap_or_default())),
                        Err(_) => {
                            shown.set(Shown::Problems(vec![format!("{}: the browser could not read it", file.name())]));
                            return;
                        }
                    }
                }
                files.set(read);
            });
        })
    };
    let on_import = {
        let (pasted, files, shown) = (pasted.clone(), files.clone(), shown.clone());
        Callback::from(move |_: MouseEvent| {
            let mut documents = (*files).clone();
            if !pasted.trim().is_empty() {
                documents.push(("pasted".to_string(), (*pasted).clone()));
            }
            let name = scenario_name(&documents);
            let list: Vec<Value> =
                documents.iter().map(|(name, text)| serde_json::json!({ "name": name, "text": text })).collect();
            let request = Value::Array(list).to_string();
            let shown = shown.clone();
            shown.set(Shown::Busy);
            wasm_bindgen_futures::spawn_local(async move {
                let answer = call(import_documents(&request, &name)).await;
                shown.set(match answer {
                    Ok(v) if v["outcome"] == "imported" => Shown::Imported {
                        scenario: v["scenario"].as_str().unwrap_or_default().to_string(),
                        report: v["report"].as_str().unwrap_or_default().to_string(),
                    },
                    Ok(v) => Shown::Problems(
                        v["problems"]
                            .as_array()
                            .map(|p| p.iter().filter_map(Value::as_str).map(str::to_string).collect())
                            .unwrap_or_default(),
                    ),
                    Err(why) => Shown::Problems(vec![why]),
                });
            });
        })
    };
    let export = |cloudformation: bool| {
        let (draft, shown) = (props.draft.clone(), shown.clone());
        Callback::from(move |_: MouseEvent| {
            let scenario = draft.to_string();
            let shown = shown.clone();
            shown.set(Shown::Busy);
            wasm_bindgen_futures::spawn_local(async move {
                let answer = call(export_scenario(&scenario, cloudformation)).await;
                shown.set(match answer {
                    Ok(v) if v["outcome"] == "exported" => {
                        let text = v["text"].as_str().unwrap_or_default();
                        let file =
                            if cloudformation { "scenario-cloudformation.json" } else { "scenario-aws-cli.json" };
                        let notes: Vec<&str> = v["notes"]
                            .as_array()
                            .map(|n| n.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        match dom::download_text(file, "application/json", text) {
                            Ok(()) if notes.is_empty() => Shown::Exported(format!("Downloaded {file}.")),
                            Ok(()) => Shown::Exported(format!("Downloaded {file}. To fill in: {}", notes.join(" "))),
                            Err(why) => Shown::Problems(vec![why]),
                        }
                    }
                    Ok(v) => Shown::Problems(
                        v["problems"]
                            .as_array()
                            .map(|p| p.iter().filter_map(Value::as_str).map(str::to_string).collect())
                            .unwrap_or_default(),
                    ),
                    Err(why) => Shown::Problems(vec![why]),
                });
            });
        })
    };
    let outcome = match &*shown {
        Shown::Nothing => html! {},
        Shown::Busy => html! { <p class="aws-status" role="status">{ "Working…" }</p> },
        Shown::Imported { scenario, report } => {
            let on_use = props.on_use.clone();
            let text = scenario.clone();
            let use_it = Callback::from(move |_: MouseEvent| on_use.emit(text.clone()));
            html! {
                <div id="aws-result" class="aws-result">
                    <button id="aws-use" type="button" onclick={use_it}>{ "Use this scenario" }</button>
                    <pre id="aws-report" class="aws-report">{ report.clone() }</pre>
                    <details>
                        <summary>{ "The imported scenario (JSON)" }</summary>
                        <pre id="aws-scenario" class="aws-report">{ scenario.clone() }</pre>
                    </details>
                </div>
            }
        }
        Shown::Problems(list) => html! {
            <ul id="aws-problems" class="problems" role="alert">
                { for list.iter().map(|p| html! { <li>{ p.clone() }</li> }) }
            </ul>
        },
        Shown::Exported(text) => html! { <p id="aws-exported" class="aws-status" role="status">{ text.clone() }</p> },
    };
    html! {
        <details id="aws" class="aws">
            <summary>{ "AWS documents: import and export" }</summary>
            <p class="aws-help">
                { "Task definitions, services, capacity providers and Auto Scaling groups as the AWS CLI prints them (describe-…) or takes them (register-…, create-…), or a CloudFormation template (JSON or YAML). Every field not imported as is is listed." }
            </p>
            <label for="aws-files">{ "Files" }</label>
            <input id="aws-files" type="file" multiple=true accept=".json,.yaml,.yml,.template" onchange={on_files} />
            <span class="aws-count">{ format!("{} chosen", files.len()) }</span>
            <textarea id="aws-paste" rows="5" spellcheck="false" aria-label="Paste an AWS document"
                placeholder="…or paste one document here" value={(*pasted).clone()} oninput={on_paste} />
            <div class="aws-actions">
                <button id="aws-import" type="button" onclick={on_import}>{ "Import" }</button>
                <button id="aws-export-cli" type="button" onclick={export(false)}>{ "Download as AWS CLI JSON" }</button>
                <button id="aws-export-cfn" type="button" onclick={export(true)}>{ "Download as CloudFormation" }</button>
            </div>
            { outcome }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scenario_is_named_like_the_command_line_names_it() {
        let file = |name: &str| (name.to_string(), String::new());
        assert_eq!(
            scenario_name(&[file("describe-task-definition-web.json"), file("svc.json")]),
            "describe-task-definition-web"
        );
        assert_eq!(scenario_name(&[file("template")]), "template");
        assert_eq!(scenario_name(&[]), "imported");
    }
}
