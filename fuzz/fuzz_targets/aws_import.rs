//! Fuzz target: the AWS document importer (JSON and YAML, up to four documents split at form feeds); whatever imports
//! must export and import again.
#![no_main]

use fleetplan_engine::aws_import::{export, import, Document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let names = ["a.json", "b.json", "c.yaml", "d.json"];
    let documents: Vec<Document> = text.split('\u{c}').zip(names).map(|(text, name)| Document { name, text }).collect();
    let Ok(imported) = import(&documents, "fuzz") else { return };
    for exported in [export::cli(&imported.spec), export::cloudformation(&imported.spec)] {
        let texts: Vec<String> = exported.documents.iter().map(|(_, d)| d.to_string()).collect();
        let again: Vec<Document> = texts.iter().map(|text| Document { name: "exported.json", text }).collect();
        if let Err(e) = import(&again, "again") {
            panic!("an imported scenario's export does not import: {e:?}");
        }
    }
});
