//! The catalogue against the source: every `tr("…")`/`trf("…")` literal in web/src has a Japanese entry with the
//! same placeholders, the catalogue has no entry the source no longer uses, every preset has a Japanese title and
//! description, and no visible literal in an `html!` is left unwrapped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::*;

fn catalogue() -> Catalogue {
    serde_json::from_str(include_str!("../../../static/i18n/ja.json")).expect("static/i18n/ja.json reads")
}

/// Every `.rs` file below `dir` (relative to this crate's folder), with its text.
fn rust_files(dir: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut out);
    out
}

fn sources() -> Vec<(PathBuf, String)> {
    rust_files("src")
}

/// For each call of `call` (`tr(`, `Text::new(`, ...) in `text` whose first argument is a string literal, the text
/// just after the literal's opening quote. A name that merely ends in `call` (`attr(`) is not a call of it; the
/// literal may start on the next line (rustfmt breaks long calls).
fn literal_arguments<'a>(text: &'a str, call: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    text.match_indices(call).filter_map(move |(at, _)| {
        if text[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        text[at + call.len()..].trim_start().strip_prefix('"')
    })
}

/// The string literal starting at `text` (just after its opening quote), unescaped; None if it is not one the
/// scanner reads (a raw string or a line continuation).
fn literal(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                '\'' => out.push('\''),
                _ => return None,
            },
            c => out.push(c),
        }
    }
    None
}

/// Every literal passed to `tr(` or `trf(` in the page's source (this module's own tests excepted).
fn keys_used() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (path, text) in sources() {
        if path.ends_with("i18n/tests.rs") {
            continue;
        }
        for call in ["tr(", "trf(", "mark("] {
            for rest in literal_arguments(&text, call) {
                let key = literal(rest)
                    .unwrap_or_else(|| panic!("{}: a tr/trf literal the scanner cannot read", path.display()));
                keys.insert(key);
            }
        }
    }
    keys
}

fn placeholders(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        names.insert(rest[open + 1..open + close].to_string());
        rest = &rest[open + close + 1..];
    }
    names
}

/// Every Japanese text of `entries` says something and has its English key's placeholders.
fn every_entry_keeps_its_placeholders(entries: &std::collections::BTreeMap<String, String>) {
    for (en, text) in entries {
        assert!(!text.trim().is_empty(), "empty Japanese for {en:?}");
        assert_eq!(placeholders(en), placeholders(text), "placeholders differ: {en:?} -> {text:?}");
    }
}

#[test]
fn every_wrapped_string_has_a_japanese_entry_with_the_same_placeholders() {
    let ja = catalogue();
    let used = keys_used();
    assert!(used.len() > 100, "only {} wrapped strings found: is the scanner reading web/src?", used.len());
    let missing: Vec<&String> = used.iter().filter(|k| !ja.ui.contains_key(*k)).collect();
    assert!(missing.is_empty(), "no Japanese for {} strings: {missing:#?}", missing.len());
    every_entry_keeps_its_placeholders(&ja.ui);
}

#[test]
fn the_catalogue_has_no_stale_entries() {
    let used = keys_used();
    let ja = catalogue();
    let stale: Vec<&String> = ja.ui.keys().filter(|k| !used.contains(*k)).collect();
    assert!(stale.is_empty(), "entries no tr/trf uses: {stale:#?}");
}

#[test]
fn every_preset_has_a_japanese_title_and_description_and_no_other_ids() {
    let ja = catalogue();
    let ids: BTreeSet<&str> = fleetplan_engine::presets::all().iter().map(|p| p.id).collect();
    for id in &ids {
        let text = ja.presets.get(*id).unwrap_or_else(|| panic!("no Japanese for preset {id}"));
        assert!(!text.title.trim().is_empty() && !text.description.trim().is_empty(), "{id}");
    }
    let stale: Vec<&String> = ja.presets.keys().filter(|k| !ids.contains(k.as_str())).collect();
    assert!(stale.is_empty(), "Japanese for presets that do not exist: {stale:?}");
}

/// Every text template and name the engine gives the page: each literal passed to `Text::new(` or `mark(` in the
/// engine's source (captions, chart markers, explain holds, compare's missing values), found the way
/// [`keys_used`] finds the page's.
fn engine_texts() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (path, text) in rust_files("../crates/engine/src") {
        // The text module's own tests build made-up templates.
        let text = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or_default();
        for call in ["Text::new(", "mark("] {
            for rest in literal_arguments(text, call) {
                // A `\` line continuation: the literal as the compiler reads it.
                let mut joined = String::new();
                let mut lines = rest.split("\\\n");
                joined.push_str(lines.next().unwrap_or_default());
                for line in lines {
                    joined.push_str(line.trim_start());
                }
                let key = literal(&joined)
                    .unwrap_or_else(|| panic!("{}: a Text::new/mark literal the scanner cannot read", path.display()));
                if !key.is_empty() {
                    keys.insert(key);
                }
            }
        }
    }
    keys
}

#[test]
fn the_engine_texts_shown_are_translated_and_no_others() {
    use fleetplan_engine::output::{Bucket, Limiter, TASK_STARTUP};
    let ja = catalogue();
    let texts = engine_texts();
    assert!(texts.len() > 60, "only {} engine texts found: is the scanner reading crates/engine/src?", texts.len());
    assert!(texts.contains("Spot notice for {id} in {zone} (and {others} more)"), "{texts:#?}");
    let names: BTreeSet<String> = Limiter::ALL
        .iter()
        .map(|l| l.name())
        .chain(Bucket::ALL.iter().map(|b| b.name()))
        .chain([TASK_STARTUP, fleetplan_engine::limited_by::NOTHING])
        .chain(fleetplan_engine::compare::row_labels())
        .map(str::to_string)
        .chain(texts)
        .collect();
    let missing: Vec<&String> = names.iter().filter(|n| !ja.engine.contains_key(*n)).collect();
    assert!(missing.is_empty(), "no Japanese for {} engine texts: {missing:#?}", missing.len());
    every_entry_keeps_its_placeholders(&ja.engine);
    let stale: Vec<&String> = ja.engine.keys().filter(|k| !names.contains(*k)).collect();
    assert!(stale.is_empty(), "Japanese for texts the engine no longer gives: {stale:?}");
}

/// Each kind of caption, marker and hold, built from a run, renders through the catalogue with no English template
/// left: the arguments fill the Japanese.
#[test]
fn captions_markers_and_holds_render_in_japanese() {
    let ja = catalogue();
    let translate = |s: &str| ja.engine.get(s).cloned().unwrap_or_else(|| s.to_string());
    let preset = fleetplan_engine::presets::get("ec2-spot-draining").expect("the preset");
    let mut sim = fleetplan_engine::Simulation::new(preset.scenario().unwrap(), 7);
    sim.set_tracing(true);
    let mut captions = 0;
    while let Some(next) = sim.next_event_time() {
        sim.step_until(next);
        let lines = sim.take_trace();
        if let Some(c) = sim.caption(&lines) {
            let shown = c.text.render(&translate);
            assert!(!shown.contains('{'), "{shown}");
            assert_ne!(shown, c.text.to_string(), "caption {:?} not translated", c.text.template);
            captions += 1;
        }
        if captions > 200 {
            break;
        }
    }
    assert!(captions > 0);
    for m in sim.chart_markers().iter().chain(&sim.event_markers()) {
        let shown = m.label.render(&translate);
        assert_ne!(shown, m.label.to_string(), "marker {:?} not translated", m.label.template);
    }
}

/// Text the page shows as it is in either language: names, symbols, units and formats.
/// Also what looks like text but is not shown as such: ARIA roles, canvas fonts, a command, English plural endings
/// (their sentences are still assembled, see the report of issue 13).
const UNTRANSLATED: &[&str] = &[
    "Fleetplan",
    "JSON",
    "PNG",
    "EN",
    "×",
    "p5",
    "p95",
    "–",
    "USD",
    ": ",
    "; ",
    "alert",
    "status",
    ":log",
    "fleetplan sweep … --csv",
    "bold 14px sans-serif",
    "13px sans-serif",
    "s",
    "es",
    // File names the AWS export downloads, and SVG path commands: not text.
    "scenario-aws-cli.json",
    "scenario-cloudformation.json",
    "M",
    " L",
];

#[test]
fn no_visible_literal_in_html_is_left_unwrapped() {
    let mut found = Vec::new();
    for (path, text) in sources() {
        if path.ends_with("i18n/tests.rs") {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            // A child `{ "text" }` and a text attribute (`aria-label="…"`, `title`, `placeholder`, `alt`).
            let mut candidates = Vec::new();
            for (at, _) in line.match_indices("{ \"") {
                candidates.extend(literal(&line[at + 3..]).filter(|l| line[at + 3 + l.len()..].starts_with("\" }")));
            }
            for attr in ["aria-label=\"", "title=\"", "alt=\""] {
                for (at, _) in line.match_indices(attr) {
                    candidates.extend(literal(&line[at + attr.len()..]));
                }
            }
            for c in candidates {
                if c.chars().any(char::is_alphabetic) && !UNTRANSLATED.contains(&c.as_str()) {
                    found.push(format!("{}:{}: {c:?}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "visible literals not wrapped in tr(): {found:#?}");
}

#[test]
fn a_link_carries_its_language_beside_the_document() {
    assert_eq!(split_lang("preset=fargate-spot-1000&lang=ja"), ("preset=fargate-spot-1000".into(), Some(Lang::Ja)));
    assert_eq!(split_lang("lang=ja"), (String::new(), Some(Lang::Ja)));
    assert_eq!(split_lang("s=2.abc_-"), ("s=2.abc_-".into(), None));
    assert_eq!(split_lang("c=1.xyz&lang=en"), ("c=1.xyz".into(), Some(Lang::En)));
    assert_eq!(split_lang("preset=x&lang=fr"), ("preset=x".into(), None));
}

#[test]
fn the_language_is_the_links_then_the_choice_then_the_browsers() {
    let browser = |tags: &[&str]| tags.iter().map(|t| t.to_string()).collect::<Vec<_>>();
    assert_eq!(initial(None, None, &browser(&["ja-JP", "en-US"])), Lang::Ja);
    assert_eq!(initial(None, None, &browser(&["fr-FR", "en-GB", "ja"])), Lang::En);
    assert_eq!(initial(None, None, &browser(&["fr-FR"])), Lang::En);
    assert_eq!(initial(None, Some("en"), &browser(&["ja-JP"])), Lang::En);
    assert_eq!(initial(Some(Lang::Ja), Some("en"), &browser(&["en"])), Lang::Ja);
}

#[test]
fn placeholders_are_filled_by_name() {
    assert_eq!(fill("{done} of {total} runs", &[("total", &8), ("done", &3)]), "3 of 8 runs");
    assert_eq!(fill("{count} 件の問題", &[("count", &2)]), "2 件の問題");
    // A value is never filled again, and an unknown or unclosed name stays as written.
    assert_eq!(fill("{a} and {b}", &[("a", &"{b}"), ("b", &1)]), "{b} and 1");
    assert_eq!(fill("{x} {", &[("a", &1)]), "{x} {");
}

#[test]
fn english_is_the_key_itself() {
    assert_eq!(lang(), Lang::En);
    assert_eq!(tr("Presets"), "Presets");
    assert_eq!(trf("{count} tasks", &[("count", &5)]), "5 tasks");
}
