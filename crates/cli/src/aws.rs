//! `fleetplan import` and `fleetplan export`: AWS documents (the AWS CLI's JSON, CloudFormation templates) into a
//! scenario and back. The engine's `aws_import` does the work; this reads and writes the files.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use fleetplan_engine::aws_import::{self, export, Document};

#[derive(Args)]
pub struct ImportArgs {
    /// AWS documents: describe-task-definition / describe-services / describe-capacity-providers /
    /// describe-auto-scaling-groups output, register-task-definition / create-service / create-capacity-provider /
    /// create-auto-scaling-group input, or a CloudFormation template (JSON).
    #[arg(required = true, num_args = 1..)]
    files: Vec<PathBuf>,
    /// Write the scenario here instead of to standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The scenario's name [default: the first file's name].
    #[arg(long)]
    name: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// One document per AWS CLI call (register-task-definition, create-service, ...).
    Cli,
    /// One CloudFormation template.
    Cloudformation,
}

#[derive(Args)]
pub struct ExportArgs {
    /// Scenario JSON file.
    file: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Cli)]
    format: Format,
    /// Write one file per document into this directory (taskdef-NAME.json, service-NAME.json, ...) instead of one
    /// JSON list to standard output (which `fleetplan import` reads back).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

fn read_text(path: &Path) -> Result<String, String> {
    crate::read_capped_text(path, aws_import::MAX_DOCUMENT_BYTES, "")
}

fn note_stderr(text: &str) {
    // Not eprint!: it panics when stderr is closed.
    let _ = io::stderr().write_all(text.as_bytes());
}

/// Imports the files; the scenario JSON to return for standard output (empty when written to `--out`).
pub fn import(args: &ImportArgs) -> Result<String, String> {
    let names: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    let texts = args.files.iter().map(|p| read_text(p)).collect::<Result<Vec<_>, _>>()?;
    let documents: Vec<Document> = names.iter().zip(&texts).map(|(name, text)| Document { name, text }).collect();
    let name = args.name.clone().unwrap_or_else(|| {
        args.files[0].file_stem().map_or_else(|| "imported".to_string(), |s| s.to_string_lossy().into_owned())
    });
    let imported = aws_import::import(&documents, &name).map_err(|errors| {
        let mut message =
            format!("{} problem{} in the documents:", errors.len(), if errors.len() == 1 { "" } else { "s" });
        for e in errors.iter().take(20) {
            message.push_str(&format!("\n  {e}"));
        }
        if errors.len() > 20 {
            message.push_str(&format!("\n  ... and {} more", errors.len() - 20));
        }
        message
    })?;
    note_stderr(&aws_import::report_text(&imported.notes));
    let json = serde_json::to_string_pretty(&imported.spec).map_err(|e| e.to_string())? + "\n";
    match &args.out {
        Some(path) => {
            fs::write(path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            note_stderr(&format!(
                "wrote {} ({} task definition(s), {} service(s), {} capacity provider(s))\n",
                path.display(),
                imported.spec.task_definitions.len(),
                imported.spec.services.len(),
                imported.spec.capacity_providers.len()
            ));
            Ok(String::new())
        }
        None => Ok(json),
    }
}

/// Exports a scenario; what to print on standard output.
pub fn export(args: &ExportArgs) -> Result<String, String> {
    let scenario = super::read_scenario(&args.file)?;
    let exported = match args.format {
        Format::Cli => export::cli(&scenario.spec),
        Format::Cloudformation => export::cloudformation(&scenario.spec),
    };
    let mut notes = String::new();
    for n in &exported.notes {
        notes.push_str(&format!("note: {n}\n"));
    }
    note_stderr(&notes);
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).map(|s| s + "\n").map_err(|e| e.to_string());
    match (&args.out_dir, args.format) {
        (Some(dir), _) => {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            for (name, doc) in &exported.documents {
                let path = dir.join(name);
                fs::write(&path, pretty(doc)?).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            note_stderr(&format!("wrote {} file(s) into {}\n", exported.documents.len(), dir.display()));
            Ok(String::new())
        }
        (None, Format::Cloudformation) => pretty(&exported.documents[0].1),
        (None, Format::Cli) => {
            pretty(&serde_json::Value::Array(exported.documents.into_iter().map(|(_, d)| d).collect()))
        }
    }
}
