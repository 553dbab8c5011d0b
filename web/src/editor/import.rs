//! The AWS import and export panel: paste or choose AWS documents (task definitions, services, capacity providers
//! and Auto Scaling groups as the AWS CLI prints or takes them, CloudFormation templates in JSON or YAML), see the
//! scenario and the report of every field not imported as is, and use it; or download the scenario's task
//! definitions and services as AWS CLI input or a CloudFormation template. The work is `crates/import-wasm`, a
//! second wasm module loaded with a dynamic `import()` the first time it is needed, so a page load does not
//! download it.

use std::rc::Rc;

use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::i18n::{tr, trf};

use crate::dom;

// The snippet lands in dist/snippets/<crate>-<hash>/inline0.js, two folders below the module it loads. Reading
// the chosen files and naming the scenario happen here too: the page's wasm only awaits one promise per action.
#[wasm_bindgen(inline_js = "let loaded;
function module() {
  if (!loaded) loaded = import('../../fleetplan_import.js').then(async (m) => { await m.default(); return m; });
  return loaded;
}
export async function importFrom(input, pasted) {
  const files = [];
  for (const file of input.files) files.push({ name: file.name, text: await file.text() });
  if (pasted.trim()) files.push({ name: 'pasted', text: pasted });
  // As `fleetplan import` names it: the first file's name without its extension.
  const first = files.length ? files[0].name : '';
  const name = (first.includes('.') ? first.slice(0, first.lastIndexOf('.')) : first) || 'imported';
  return (await module()).importDocuments(JSON.stringify(files), name);
}
export async function exportScenario(scenario, cloudformation) {
  return (await module()).exportScenario(scenario, cloudformation);
}")]
extern "C" {
    #[wasm_bindgen(js_name = importFrom)]
    fn import_from(input: &web_sys::HtmlInputElement, pasted: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = exportScenario)]
    fn export_scenario(scenario: &str, cloudformation: bool) -> js_sys::Promise;
}

#[derive(Clone, PartialEq)]
enum Shown {
    Nothing,
    Busy,
    Imported { scenario: String, report: String },
    Problems(Vec<String>),
    Exported(String),
}

/// The module's `problems` list.
fn problems(answer: &Value) -> Shown {
    Shown::Problems(
        answer["problems"]
            .as_array()
            .map(|p| p.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default(),
    )
}

/// What an import answer shows.
fn imported(answer: Value, _: bool) -> Shown {
    if answer["outcome"] != "imported" {
        return problems(&answer);
    }
    let text = |key: &str| answer[key].as_str().unwrap_or_default().to_string();
    Shown::Imported { scenario: text("scenario"), report: text("report") }
}

/// Downloads an export answer's text and says so (with what the export could not fill in).
fn exported(answer: Value, cloudformation: bool) -> Shown {
    if answer["outcome"] != "exported" {
        return problems(&answer);
    }
    let file = if cloudformation { "scenario-cloudformation.json" } else { "scenario-aws-cli.json" };
    let notes: Vec<&str> =
        answer["notes"].as_array().map(|n| n.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    match dom::download_text(file, "application/json", answer["text"].as_str().unwrap_or_default()) {
        Ok(()) if notes.is_empty() => Shown::Exported(trf("Downloaded {file}.", &[("file", &file)])),
        Ok(()) => Shown::Exported(trf(
            "Downloaded {file}. To fill in: {notes}",
            &[("file", &file), ("notes", &notes.join(" "))],
        )),
        Err(why) => Shown::Problems(vec![why]),
    }
}

/// Awaits the module's answer (JSON text) and shows what `then` makes of it.
fn settle(shown: UseStateHandle<Shown>, promise: js_sys::Promise, then: fn(Value, bool) -> Shown, flag: bool) {
    shown.set(Shown::Busy);
    wasm_bindgen_futures::spawn_local(async move {
        let answer = JsFuture::from(promise).await;
        shown.set(match answer {
            Ok(text) => match serde_json::from_str(&text.as_string().unwrap_or_default()) {
                Ok(value) => then(value, flag),
                Err(e) => Shown::Problems(vec![e.to_string()]),
            },
            Err(e) => Shown::Problems(vec![trf(
                "the AWS import module could not be loaded or read the files: {why}",
                &[("why", &js_sys::Error::from(e).message())],
            )]),
        });
    });
}

#[derive(Properties, PartialEq)]
pub struct AwsPanelProps {
    pub draft: Rc<Value>,
    /// "Use this scenario": the imported scenario's JSON text.
    pub on_use: Callback<String>,
}

#[component]
pub fn AwsPanel(props: &AwsPanelProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let files = use_node_ref();
    let paste = use_node_ref();
    let chosen = use_state(|| 0u32);
    let shown = use_state(|| Shown::Nothing);

    let on_files = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let count =
                e.target_dyn_into::<web_sys::HtmlInputElement>().and_then(|i| i.files()).map_or(0, |f| f.length());
            chosen.set(count);
        })
    };
    let on_import = {
        let (files, paste, shown) = (files.clone(), paste.clone(), shown.clone());
        Callback::from(move |_: MouseEvent| {
            let (Some(input), Some(pasted)) =
                (files.cast::<web_sys::HtmlInputElement>(), paste.cast::<web_sys::HtmlTextAreaElement>())
            else {
                return;
            };
            settle(shown.clone(), import_from(&input, &pasted.value()), imported, false);
        })
    };
    let export = |cloudformation: bool| {
        let (draft, shown) = (props.draft.clone(), shown.clone());
        Callback::from(move |_: MouseEvent| {
            settle(shown.clone(), export_scenario(&draft.to_string(), cloudformation), exported, cloudformation);
        })
    };
    let outcome = match &*shown {
        Shown::Nothing => html! {},
        Shown::Busy => html! { <p class="aws-status" role="status">{ tr("Working…") }</p> },
        Shown::Imported { scenario, report } => {
            let on_use = props.on_use.clone();
            let text = scenario.clone();
            let use_it = Callback::from(move |_: MouseEvent| on_use.emit(text.clone()));
            html! {
                <div id="aws-result" class="aws-result">
                    <button id="aws-use" type="button" onclick={use_it}>{ tr("Use this scenario") }</button>
                    <pre id="aws-report" class="aws-report">{ report.clone() }</pre>
                    <details>
                        <summary>{ tr("The imported scenario (JSON)") }</summary>
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
            <summary>{ tr("AWS documents: import and export") }</summary>
            <p class="aws-help">
                { tr("Task definitions, services, capacity providers and Auto Scaling groups as the AWS CLI prints them (describe-…) or takes them (register-…, create-…), or a CloudFormation template (JSON or YAML). Every field not imported as is is listed.") }
            </p>
            <label for="aws-files">{ tr("Files") }</label>
            <input id="aws-files" ref={files} type="file" multiple=true accept=".json,.yaml,.yml,.template" onchange={on_files} />
            <span class="aws-count">{ trf("{count} chosen", &[("count", &*chosen)]) }</span>
            <textarea id="aws-paste" ref={paste} rows="5" spellcheck="false" aria-label={tr("Paste an AWS document")}
                placeholder={tr("…or paste one document here")} />
            <div class="aws-actions">
                <button id="aws-import" type="button" onclick={on_import}>{ tr("Import") }</button>
                <button id="aws-export-cli" type="button" onclick={export(false)}>{ tr("Download as AWS CLI JSON") }</button>
                <button id="aws-export-cfn" type="button" onclick={export(true)}>{ tr("Download as CloudFormation") }</button>
            </div>
            { outcome }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_become_what_the_panel_shows() {
        let answer = serde_json::json!({ "outcome": "imported", "scenario": "{}\n", "report": "0 fields not imported as is:\n", "not_imported": 0 });
        assert!(
            matches!(imported(answer, false), Shown::Imported { scenario, report } if scenario == "{}\n" && report.starts_with("0 fields"))
        );
        let refused = serde_json::json!({ "outcome": "refused", "problems": ["td.json: not JSON"] });
        assert!(matches!(imported(refused.clone(), false), Shown::Problems(p) if p == ["td.json: not JSON"]));
        assert!(matches!(exported(refused, true), Shown::Problems(p) if p == ["td.json: not JSON"]));
    }
}
