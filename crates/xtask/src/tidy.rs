//! `cargo xtask tidy`: the house rules no compiler checks. Every Rust file opens with a `//!` line saying what it
//! is for; the engine's sources name no `HashMap`/`HashSet` (random iteration order breaks replay; clippy.toml bans
//! them too, but clippy only sees code compiled for the target and features it checks); the code is rustfmt-clean.
//! Also the release wasm's size budget ([`wasm_size`]), checked by `cargo xtask test` once dist/ is built.
//!
//! The checks are pure functions over file text, so they are unit-tested below without touching the disk.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::process::{self, cargo};
use crate::{dist, Workspace};

/// The most gzipped wasm a page load may download (what a web server sends with compression on). Raised from
/// 600 KiB when AWS Batch, the demand remainder and the cost figures landed together (557 -> 633 KiB); tried and
/// rejected then: `opt-level = "s"` (720 KiB) and binaryen's `wasm-opt -Oz` / `-Os` (smaller raw, 705-714 KiB
/// gzipped). The code section is 85% of it: the next cut is in the engine's code, not in the build.
/// Raised again to 730 KiB when compare mode (+21 KiB: its panel, overlaid charts, comparison links) and sweeps in
/// Web Workers (+62 KiB: the engine's sweep module, the panel, its plots and the worker entry) landed together
/// (635 -> 718 KiB). Getting back under 660 takes a structural change: the rarely opened panels (sweeps, the AWS
/// import) as a second wasm module loaded on demand.
/// Raised to 760 KiB by the fit panel (issue 15, +37 KiB from 723: the engine's fit module with its CSV and
/// describe-services parsers and search, the panel's SVG chart and the worker entry); the same on-demand second
/// module would take it back out of the first load.
/// Raised for both languages (issue 13: +13.8 KiB, 723.0 -> 736.8 KiB): the code that wraps ~400 page
/// strings in `tr`/`trf` (named placeholders) and the language switch, fetch and context. The Japanese text itself
/// is not in the wasm (`static/i18n/ja.json`, 15.7 KiB gzipped, fetched only when Japanese is chosen; compiled in
/// it would have cost about that much more). Tried and dropped: returning interned `&'static str` from `tr`
/// (+3 KiB more), deserializing the catalogue with serde (+2.5 KiB; the page reads the parsed JS object instead).
/// Raised for the charts split by service and provider (issue 13: +14 KiB from 722.5 to 736.7 KiB: the
/// engine's per-group counts, cost meters and sampling, the summary's `dip`, the "Split by" control and the split
/// plots).
/// Raised for the run ahead in a Web Worker (issue 13): the page reads the worker's summary and series
/// back from JSON, and serde's derived `Deserialize` for the summary's ~40 types (plus the series, the reports and
/// the sweep link's form) is +55 KiB gzipped (723 -> 778.7 KiB). The cut: a compact positional encoding for the
/// worker's reports instead of serde_json's map-or-array visitors, or the summary panel reading JSON directly.
/// Raised for lesson mode (issue 13, +27 KiB: the 30 teaching presets' lessons in English and Japanese
/// inside their scenario files, about 9 KiB; the lesson format's serde and validation, step captions and event
/// marks in the engine; the lesson panel, presentation mode, link options and the cluster highlight in the page).
/// Raised for the guided editor (+12 KiB, 722.5 -> 734.5 KiB: the recipes and the list of what they
/// changed, reference fields as lists, format errors in plain words, a refused link's content salvaged) and the AWS
/// import panel (+5.8 KiB -> 740.3 KiB: the panel and awaiting the import module; the import itself, 325 KiB
/// gzipped with YAML, is the second module `fleetplan_import_bg.wasm`, loaded only when used).
/// Raised for "why is this waiting?" (+10.6 KiB measured, 723 -> 733.6 KiB: the engine's explanations
/// of tasks and services, their sentences, the hover row and the cluster table's service rows).
/// Raised for live what-ifs during playback (+12.8 KiB: 725.6 -> 738.4 KiB measured against main at
/// d0df5bf; the what-if panel's markup and the selection on the cluster, the document's apply/undo, the stage's
/// wiring, two engine events). Tried: a data-driven menu and building events with the engine's own serializer
/// instead of `json!` (-3.5 KiB raw, no gzipped change).
/// Together the eight raises above took it from 723 to 913.5 KiB in one session (stop 20). Taken on knowingly, to
/// be cut next: the run-ahead's summary readers (55 KiB) by a compact encoding, and the rarely opened panels (sweep,
/// fit, import, what-if menu) into the on-demand second module that the AWS import already is.
/// Lowered to 880 KiB (stop 21, 913.6 -> 873.4 KiB measured, 6.6 KiB margin): the workers' reports, jobs and answers
/// cross as compact bytes (`web/src/runahead/wire.rs`, one field list per type for writer and reader) instead of
/// JSON, which took serde's derived readers for the summary (-31.9 KiB), the fit's evaluations and jobs and the
/// sweep's job and outcome text (-8.3 KiB with one worker pool for the sweep and fit panels) out of the page's wasm.
/// Still to cut: the rarely opened panels into the second module.
/// Raised to 905 KiB at the same stop's merge (902.3 KiB measured, still 11 KiB under the stop's start): the band
/// of what held each service back under the charts (issue 15, +13.7 KiB: its markup, hover and legend, the shares in
/// the summary table, the timelines' reader), the engine's texts rendered in Japanese (issue 13, +7.6 KiB: `Text`
/// with typed arguments for captions, markers, holds and compare rows, and their renderer) and the Batch job
/// "Why" row and the fit's limits-profile choice (issue 15, about +2 KiB). The band is the next cut: drawing it as one
/// SVG string instead of Yew nodes.
/// Lowered to 863 KiB (stop 22, 902.2 -> 857.6 KiB measured by `cargo xtask dist`, 5 KiB of room) by three cuts
/// found with the function names kept (`twiggy top` / `monos`), each measured with wasm-bindgen and `gzip -6`:
/// format errors' field paths read back from serde_json's line and column instead of `serde_path_to_error`'s second
/// copy of the format's reader (-17.4 KiB, `scenario/format_path.rs`); `Value` copies of a scenario through its JSON
/// text, so the format has one serializer (-10.5 KiB, `spec::to_value`); one shared stable sort for cold paths instead
/// of a copy of the standard sort per element type and comparison (-17.2 KiB, the engine's `sort.rs`). The band as
/// one SVG string was not done: its code is 3.9 KiB raw, and it would put service names into markup. Next: serde's
/// buffering (`Content`) for the four internally tagged enums of the format, about 55 KiB raw.
/// Raised to 872 KiB at the same stop's merge (866.1 KiB with `gzip -6` after merging, about 867 as dist counts it,
/// 5 KiB of room): issue 13's "copy link to this step" button with its link field and clipboard fallback, the what-if
/// list rebuilt from marked events of a reopened link, and the Batch job sentences as typed texts in both languages
/// (+4.9 KiB together); the run ahead reusing its last worker and posting the job at once (+0.6 KiB); the service
/// launch-rate bucket's threshold and numbers formatted in the status line and summary (about +0.3 KiB).
pub const WASM_GZIP_BUDGET: usize = 872 * 1024;

/// The Web Workers' module (`fleetplan_worker_bg.wasm`, `cargo xtask dist`'s speed-optimised build of the engine
/// without the app): not part of the page's first load, fetched by the first worker (the run ahead, sweeps,
/// fits) while the page renders. 686 KiB gzipped when added (2,126 KiB raw); the budget leaves 34 KiB of room.
/// Lowered to 600 KiB at stop 22: the page's cuts (one stable sort, no `serde_path_to_error`, one serializer) took it
/// to 578.9 KiB; the room left is for the engine's growth, which lands in this module whole.
pub const WORKER_WASM_GZIP_BUDGET: usize = 600 * 1024;

/// Folders (under the root) whose Rust files are checked.
const SOURCE_ROOTS: [&str; 2] = ["crates", "web"];
/// The engine's sources, where hash collections are banned.
const ENGINE_SRC: &str = "crates/engine/src";

/// The source checks, then `cargo fmt --check`; fails listing every problem found.
pub fn run(ws: &Workspace) -> Result<()> {
    let mut files = Vec::new();
    for dir in SOURCE_ROOTS {
        rust_files(&ws.root.join(dir), &mut files)?;
    }
    let engine = ws.root.join(ENGINE_SRC);
    let mut problems = Vec::new();
    for path in &files {
        let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let shown = path.strip_prefix(&ws.root).unwrap_or(path).display();
        if !has_module_doc(&text) {
            problems.push(format!("{shown}:1: no `//!` line at the top saying what the file is for"));
        }
        if path.starts_with(&engine) {
            for (line, name) in hash_collections(&text) {
                problems.push(format!("{shown}:{line}: {name} in the engine (iteration order is random): use BTree*"));
            }
        }
    }
    println!("checked {} Rust files", files.len());
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("{problem}");
        }
        bail!("{} tidy problem(s)", problems.len());
    }
    process::run(cargo().current_dir(&ws.root).args(["fmt", "--all", "--", "--check"]))
}

/// Prints the release wasm's raw and gzipped size, and fails if the gzipped size is over [`WASM_GZIP_BUDGET`].
/// Needs dist/ built.
pub fn wasm_size(ws: &Workspace) -> Result<()> {
    let wasm = ws.dist().join(dist::DIST_WASM);
    let (raw, gzipped) = dist::wasm_sizes(&wasm)?;
    println!(
        "{}: {} raw, {} gzipped (budget {} gzipped)",
        wasm.display(),
        dist::kib(raw),
        dist::kib(gzipped),
        dist::kib(WASM_GZIP_BUDGET)
    );
    if let Err(problem) = check_wasm_budget(gzipped) {
        bail!("{problem}");
    }
    let worker = ws.dist().join(dist::DIST_WORKER_WASM);
    let (raw, gzipped) = dist::wasm_sizes(&worker)?;
    println!(
        "{}: {} raw, {} gzipped (budget {} gzipped)",
        worker.display(),
        dist::kib(raw),
        dist::kib(gzipped),
        dist::kib(WORKER_WASM_GZIP_BUDGET)
    );
    if gzipped > WORKER_WASM_GZIP_BUDGET {
        bail!(
            "the workers' gzipped wasm is {}, over its budget of {}: look for a new dependency or code that grew",
            dist::kib(gzipped),
            dist::kib(WORKER_WASM_GZIP_BUDGET)
        );
    }
    Ok(())
}

fn check_wasm_budget(gzipped: usize) -> Result<(), String> {
    if gzipped > WASM_GZIP_BUDGET {
        return Err(format!(
            "the gzipped wasm is {}, over its budget of {}: look for a new dependency or code that grew",
            dist::kib(gzipped),
            dist::kib(WASM_GZIP_BUDGET)
        ));
    }
    Ok(())
}

/// Every `.rs` file under `dir`, in sorted order, skipping build output (`target/`), npm packages and hidden
/// folders.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .collect::<std::io::Result<Vec<_>>>()
        .with_context(|| format!("reading {}", dir.display()))?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type()?.is_dir() {
            if !(name == "target" || name == "node_modules" || name.starts_with('.')) {
                rust_files(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether the file's first non-blank line is a `//!` module doc line.
fn has_module_doc(text: &str) -> bool {
    text.lines().find(|line| !line.trim().is_empty()).is_some_and(|line| line.trim_start().starts_with("//!"))
}

/// The (1-based) lines whose code, comments and doc text aside, names `HashMap` or `HashSet`.
fn hash_collections(text: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (n, line) in strip_comments(text).lines().enumerate() {
        for name in ["HashMap", "HashSet"] {
            if line.contains(name) {
                found.push((n + 1, name));
            }
        }
    }
    found
}

/// `text` with its comments (line, block, doc) removed and line breaks kept, so line numbers still match.
/// String and character literals are skipped over whole, so a `//` or `/*` inside one is not taken for a comment.
fn strip_comments(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            // Block comments nest in Rust.
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == 'r' && (at(i + 1) == '"' || at(i + 1) == '#') && !is_ident(i.checked_sub(1).map(at)) {
            // A raw string r"..." or r#"..."#: it ends at a quote followed by as many hashes as it opened with.
            let mut j = i + 1;
            while at(j) == '#' {
                j += 1;
            }
            if at(j) != '"' {
                out.push(c);
                i += 1;
                continue;
            }
            let hashes = j - i - 1;
            let mut end = j + 1;
            while end < chars.len() && !(chars[end] == '"' && (1..=hashes).all(|k| at(end + k) == '#')) {
                end += 1;
            }
            let end = (end + 1 + hashes).min(chars.len());
            out.extend(&chars[i..end]);
            i = end;
        } else if c == '"' {
            let mut end = i + 1;
            while end < chars.len() && chars[end] != '"' {
                end += if chars[end] == '\\' { 2 } else { 1 };
            }
            let end = (end + 1).min(chars.len());
            out.extend(&chars[i..end]);
            i = end;
        } else if c == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A character literal ('"', '\'', '\u{..}'), not a lifetime.
            let mut end = i + 1;
            while end < chars.len() && chars[end] != '\'' {
                end += if chars[end] == '\\' { 2 } else { 1 };
            }
            let end = (end + 1).min(chars.len());
            out.extend(&chars[i..end]);
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_doc_line_must_open_the_file() {
        assert!(has_module_doc("//! What this is.\n\nuse std::fmt;\n"));
        assert!(has_module_doc("\n\n  //! After blank lines.\n"));
        assert!(!has_module_doc("use std::fmt;\n//! Too late.\n"));
        assert!(!has_module_doc("// A plain comment.\n//! Too late.\n"));
        assert!(!has_module_doc("/// An item doc.\nfn f() {}\n"));
        assert!(!has_module_doc(""));
    }

    #[test]
    fn hash_collections_in_code_are_found_by_line() {
        let text = "//! Doc.\nuse std::collections::HashMap;\nfn f() {\n    let s: HashSet<u32> = HashSet::new();\n}\n";
        assert_eq!(hash_collections(text), vec![(2, "HashMap"), (4, "HashSet")]);
    }

    #[test]
    fn hash_collections_in_comments_are_not_found() {
        let text = "//! No HashMap here.\n\
                    /// Unlike a HashSet, ...\n\
                    fn f() {} // a HashMap would do\n\
                    /* a HashMap\n   or a /* nested */ HashSet */\n\
                    fn g() {}\n";
        assert_eq!(hash_collections(text), vec![]);
    }

    #[test]
    fn comment_markers_in_literals_are_not_comments() {
        let text = "let url = \"a//b\"; let m: HashMap<u8, u8>;\n\
                    let q = '\"'; let s = HashSet::new();\n\
                    let r = r#\"/* \"# ; let t: HashMap<u8, u8>;\n\
                    fn f<'a>(x: &'a str) -> HashSet<&'a str> { todo!() }\n";
        assert_eq!(hash_collections(text), vec![(1, "HashMap"), (2, "HashSet"), (3, "HashMap"), (4, "HashSet")]);
    }

    #[test]
    fn stripping_keeps_line_numbers() {
        let text = "a /* one\ntwo\nthree */ b\n// four\nc";
        assert_eq!(strip_comments(text), "a \n\n b\n\nc");
    }

    #[test]
    fn the_wasm_budget_is_872_kib_gzipped() {
        assert!(check_wasm_budget(872 * 1024).is_ok());
        let err = check_wasm_budget(872 * 1024 + 1).unwrap_err();
        assert!(err.contains("over its budget of 872.0 KiB"), "{err}");
    }
}
