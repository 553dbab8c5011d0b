//! The page's AWS import and export (`fleetplan import` / `fleetplan export` in the browser), built as a second
//! wasm module (`dist/fleetplan_import.js` + `_bg.wasm`) that the page loads with a dynamic `import()` the first
//! time someone imports or exports: the engine's `aws_import` with YAML is about 67 KiB gzipped, which every page
//! load would otherwise download. Text in, JSON text out, so the two modules share no Rust types across the
//! boundary; the functions are plain Rust (unit-tested natively) behind thin `#[wasm_bindgen]` wrappers.

use fleetplan_engine::aws_import::{self, export, Document};
use fleetplan_engine::Scenario;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// One document as the page hands it over: a file name (or "pasted") and its text.
#[derive(Deserialize)]
pub struct File {
    pub name: String,
    pub text: String,
}

/// What an import gives back to the page.
#[derive(Serialize, Debug, PartialEq)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// The scenario as `fleetplan import` prints it, and the report of every field not imported as is.
    Imported { scenario: String, report: String, not_imported: usize },
    /// Why nothing was imported, each naming its document and path.
    Refused { problems: Vec<String> },
}

/// Imports documents into a scenario named `name`, exactly as `fleetplan import` does (same scenario JSON, same
/// report text). `files` is a JSON list of `{ "name", "text" }`.
pub fn import(files: &str, name: &str) -> ImportOutcome {
    let files: Vec<File> = match serde_json::from_str(files) {
        Ok(files) => files,
        Err(e) => return ImportOutcome::Refused { problems: vec![format!("the page sent no documents: {e}")] },
    };
    // Each document's size is capped by `aws_import::import` (MAX_DOCUMENT_BYTES), as for the command line.
    let documents: Vec<Document> = files.iter().map(|f| Document { name: &f.name, text: &f.text }).collect();
    match aws_import::import(&documents, name) {
        Ok(imported) => ImportOutcome::Imported {
            scenario: serde_json::to_string_pretty(&imported.spec).unwrap_or_default() + "\n",
            report: aws_import::report_text(&imported.notes),
            not_imported: imported.notes.len(),
        },
        Err(errors) => ImportOutcome::Refused { problems: errors.iter().map(ToString::to_string).collect() },
    }
}

/// What an export gives back: the documents as `fleetplan export --format cli` prints them (one JSON list) or
/// `--format cloudformation` (one template), and the notes it prints on standard error.
#[derive(Serialize, Debug, PartialEq)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ExportOutcome {
    Exported { text: String, notes: Vec<String> },
    Refused { problems: Vec<String> },
}

/// Exports a scenario (its JSON text) as AWS CLI input (`cloudformation` false) or one CloudFormation template.
pub fn export(scenario: &str, cloudformation: bool) -> ExportOutcome {
    let scenario = match Scenario::from_json(scenario) {
        Ok(scenario) => scenario,
        Err(e) => return ExportOutcome::Refused { problems: e.problems().iter().map(ToString::to_string).collect() },
    };
    let exported = if cloudformation { export::cloudformation(&scenario.spec) } else { export::cli(&scenario.spec) };
    let value = if cloudformation {
        exported.documents.into_iter().next().map(|(_, d)| d).unwrap_or_default()
    } else {
        serde_json::Value::Array(exported.documents.into_iter().map(|(_, d)| d).collect())
    };
    ExportOutcome::Exported {
        text: serde_json::to_string_pretty(&value).unwrap_or_default() + "\n",
        notes: exported.notes,
    }
}

/// [`import`] for the page: the outcome as JSON text.
#[wasm_bindgen(js_name = importDocuments)]
pub fn import_documents(files: &str, name: &str) -> String {
    serde_json::to_string(&import(files, name)).unwrap_or_default()
}

/// [`export`] for the page: the outcome as JSON text.
#[wasm_bindgen(js_name = exportScenario)]
pub fn export_scenario(scenario: &str, cloudformation: bool) -> String {
    serde_json::to_string(&export(scenario, cloudformation)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fleetplan_engine::presets;

    const TASK_DEFINITION: &str =
        include_str!("../../engine/src/aws_import/testdata/describe-task-definition-web.json");
    const SERVICE: &str = include_str!("../../engine/src/aws_import/testdata/create-service-api.json");

    fn files(list: &[(&str, &str)]) -> String {
        let list: Vec<serde_json::Value> =
            list.iter().map(|(name, text)| serde_json::json!({ "name": name, "text": text })).collect();
        serde_json::to_string(&list).unwrap()
    }

    #[test]
    fn an_import_is_the_command_line_s() {
        let outcome = import(&files(&[("td.json", TASK_DEFINITION), ("svc.json", SERVICE)]), "td");
        let documents =
            [Document { name: "td.json", text: TASK_DEFINITION }, Document { name: "svc.json", text: SERVICE }];
        let expected = aws_import::import(&documents, "td").unwrap();
        match outcome {
            ImportOutcome::Imported { scenario, report, not_imported } => {
                assert_eq!(scenario, serde_json::to_string_pretty(&expected.spec).unwrap() + "\n");
                assert_eq!(report, aws_import::report_text(&expected.notes));
                assert_eq!(not_imported, expected.notes.len());
            }
            refused => panic!("{refused:?}"),
        }
    }

    #[test]
    fn problems_name_the_document() {
        match import(&files(&[("broken.json", "{ \"taskDefinition\": ")]), "x") {
            ImportOutcome::Refused { problems } => assert!(problems[0].starts_with("broken.json"), "{problems:?}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(import("not a list", "x"), ImportOutcome::Refused { .. }));
    }

    #[test]
    fn an_export_reads_back_to_the_same_services() {
        let spec = presets::get("fargate-lb-1000").unwrap().scenario().unwrap().spec;
        let text = serde_json::to_string(&spec).unwrap();
        let ExportOutcome::Exported { text: exported, .. } = export(&text, false) else { panic!("refused") };
        let ImportOutcome::Imported { scenario, .. } = import(&files(&[("export.json", &exported)]), "back") else {
            panic!("the export does not import");
        };
        let back: serde_json::Value = serde_json::from_str(&scenario).unwrap();
        assert_eq!(back["services"][0]["desired_count"], serde_json::json!(spec.services[0].desired_count));
        assert!(matches!(export("{}", false), ExportOutcome::Refused { .. }));
    }
}
