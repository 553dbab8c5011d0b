//! `fleetplan compare A.json B.json [C.json D.json]`: runs 2 to 4 variants (files or `preset:ID`) with one seed
//! and prints the rows of `fleetplan_engine::compare` as a table (or `--json`); and the comparison share link of
//! `fleetplan url --compare`.

use std::fmt::Write;
use std::path::Path;

use clap::Args;
use fleetplan_engine::compare::{self, Comparison, Unit, Verdict, MAX_VARIANTS, MIN_VARIANTS};
use fleetplan_engine::share::{self, SharedVariant};
use fleetplan_engine::{presets, Scenario, Summary};

use crate::{out, read_scenario, Outcome};

#[derive(Args)]
pub struct CompareArgs {
    /// 2 to 4 scenario files, or `preset:ID` for a built-in preset; A first (the others are compared with it).
    #[arg(required_unless_present = "link", num_args = 1.., value_name = "SCENARIO")]
    variants: Vec<String>,
    /// The seed every variant runs with.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A comparison link (or its `#c=1.…` fragment) instead: its variants with their own labels and seeds.
    #[arg(long, value_name = "LINK", conflicts_with_all = ["variants", "seed"])]
    link: Option<String>,
    /// Print the comparison (variants and rows) as one JSON object.
    #[arg(long)]
    json: bool,
}

/// A variant named on the command line: a file, or `preset:ID`.
fn load(input: &str) -> Result<Scenario, String> {
    match input.strip_prefix("preset:") {
        Some(id) => {
            let preset = presets::get(id).ok_or_else(|| presets::unknown_message(id))?;
            preset.scenario().map_err(|e| format!("preset {id}: {e}"))
        }
        None => read_scenario(Path::new(input)),
    }
}

/// Loads 2 to 4 variants, each labelled A, B, C, D; an error names the one that failed.
fn load_all(inputs: &[String]) -> Result<Vec<(String, Scenario)>, String> {
    if !(MIN_VARIANTS..=MAX_VARIANTS).contains(&inputs.len()) {
        return Err(format!(
            "compare takes {MIN_VARIANTS} to {MAX_VARIANTS} scenarios (files or preset:ID), not {}",
            inputs.len()
        ));
    }
    inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let label = compare::default_label(i);
            load(input).map(|s| (label.clone(), s)).map_err(|e| format!("variant {label} ({input}): {e}"))
        })
        .collect()
}

/// A comparison link's variants: labels, scenarios (validated; an error names the variant) and seeds.
fn from_link(link: &str) -> Result<Vec<(String, Scenario, u64)>, String> {
    let fragment = link.split_once('#').map_or(link, |(_, f)| f);
    match share::open(fragment).map_err(|e| e.to_string())? {
        share::Shared::Comparison(variants) => variants
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                Scenario::from_spec(v.scenario)
                    .map(|s| (v.label, s, v.seed))
                    .map_err(|e| format!("variant {}: {e}", compare::default_label(i)))
            })
            .collect(),
        share::Shared::Run(_) => Err("this link holds one scenario, not a comparison (use `fleetplan run`)".into()),
    }
}

pub fn run(args: CompareArgs) -> Outcome {
    let (variants, inputs): (Vec<(String, Scenario, u64)>, Vec<String>) = match &args.link {
        Some(link) => {
            let variants = from_link(link)?;
            let inputs = (0..variants.len()).map(|_| "link".to_string()).collect();
            (variants, inputs)
        }
        None => {
            let variants = load_all(&args.variants)?.into_iter().map(|(l, s)| (l, s, args.seed)).collect();
            (variants, args.variants.clone())
        }
    };
    // The variants are independent runs: one thread each.
    let summaries: Vec<Summary> = std::thread::scope(|scope| {
        let runs: Vec<_> = variants
            .iter()
            .map(|(_, scenario, seed)| {
                let (scenario, seed) = (scenario.clone(), *seed);
                scope.spawn(move || fleetplan_engine::run(scenario, seed))
            })
            .collect();
        runs.into_iter().map(|r| r.join()).collect::<Result<Vec<_>, _>>()
    })
    .map_err(|_| "a variant's run failed".to_string())?;
    let labelled: Vec<(&str, &Summary)> =
        variants.iter().zip(&summaries).map(|((label, _, _), s)| (label.as_str(), s)).collect();
    let comparison = compare::compare(&labelled).map_err(|e| e.to_string())?;
    if args.json {
        out(&format!("{}\n", serde_json::to_string(&comparison).map_err(|e| e.to_string())?))
    } else {
        out(&table(&comparison, &inputs))
    }
}

/// The comparison as a text table: a line per variant saying what it is, then a row per figure with each
/// variant's value and, after A, the difference to A marked better or worse.
pub fn table(c: &Comparison, inputs: &[String]) -> String {
    let mut text = String::new();
    for (v, input) in c.variants.iter().zip(inputs) {
        let _ = write!(text, "{}  {} (seed {}, {input})", v.label, v.scenario, v.seed);
        if let Some(reason) = &v.stopped_early {
            let _ = write!(text, ": stopped early, {reason}");
        }
        text.push('\n');
    }
    text.push('\n');
    let verdict = |v: Verdict| match v {
        Verdict::Better => " better",
        Verdict::Worse => " worse",
        Verdict::Same | Verdict::Different => "",
    };
    // Cells first, then widths.
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut header = vec![String::new()];
    for (i, v) in c.variants.iter().enumerate() {
        header.push(v.label.clone());
        if i > 0 {
            header.push(format!("{} vs {}", v.label, c.variants[0].label));
        }
    }
    lines.push(header);
    for row in &c.rows {
        let mut cells = vec![label(row)];
        for i in 0..c.variants.len() {
            cells.push(row.value_text(i));
            if i > 0 {
                let d = &row.differences[i - 1];
                cells.push(format!("{}{}", row.difference_text(i), verdict(d.verdict)));
            }
        }
        lines.push(cells);
    }
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| lines.iter().filter_map(|l| l.get(i)).map(|c| c.chars().count()).max().unwrap_or(0))
        .collect();
    for line in lines {
        let mut out = String::new();
        for (i, cell) in line.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            if i == 0 {
                let _ = write!(out, "{cell}{}", " ".repeat(pad));
            } else {
                let _ = write!(out, "  {}{cell}", " ".repeat(pad));
            }
        }
        let _ = writeln!(text, "{}", out.trim_end());
    }
    text
}

/// A row's label, with the unit when its values do not show it (counts).
fn label(row: &compare::Row) -> String {
    match row.unit {
        Unit::Tasks | Unit::Jobs | Unit::Requests | Unit::Messages => {
            let unit = serde_json::to_value(row.unit).ok().and_then(|v| v.as_str().map(str::to_string));
            format!("{} ({})", row.label, unit.unwrap_or_default())
        }
        _ => row.label.to_string(),
    }
}

/// `fleetplan url --compare A.json B.json ...`: the comparison link of 2 to 4 variants, all with `seed`.
pub fn url(inputs: &[String], seed: u64) -> Outcome {
    let variants: Vec<SharedVariant> = load_all(inputs)?
        .into_iter()
        .map(|(label, scenario)| SharedVariant { label, seed, scenario: scenario.spec })
        .collect();
    out(&format!("#{}\n", share::encode_comparison(&variants)))
}

/// `fleetplan url --decode` of a comparison link: its variants as JSON (`[{label, seed, scenario}, ...]`); an error
/// when a variant's scenario is not valid.
pub fn print_decoded(variants: Vec<SharedVariant>) -> Outcome {
    out(&format!("{}\n", serde_json::to_string_pretty(&variants).map_err(|e| e.to_string())?))?;
    for (i, v) in variants.into_iter().enumerate() {
        if let Err(e) = Scenario::from_spec(v.scenario) {
            return Err(format!("the decoded variant {} is not valid: {e}", compare::default_label(i)).into());
        }
    }
    Ok(())
}
