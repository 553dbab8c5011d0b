//! The charts split by service or by capacity provider (issue 13): the page's "Split by" control and filter, and
//! the plots drawn from the engine's split series (`fleetplan_engine::split`) instead of the totals.
//!
//! The choice lives in one thread-local cell: the control writes it and asks for a redraw; `charts::draw` reads it,
//! so the frame loop, the hover readout, the text alternatives and the PNG download work unchanged. Each group has
//! one colour ([`GROUP_COLOURS`], by group position so a service keeps its colour when others are filtered out),
//! none of them a task state's colour (`palette::STATE_COLOURS`).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use fleetplan_engine::split::{SplitBy, SplitColumn, SplitGroup, SplitPlan, OTHER};
use fleetplan_engine::task::TaskState;
use fleetplan_engine::{Scenario, TimeSeries};
use yew::prelude::*;

use crate::i18n::{tr, trf};

use super::{downsample, hex_colour, x_end, Binning, ChartKind, Line, Plot, Reduce, MIN_RATE_BIN_S};

/// One colour per group position (Paul Tol's muted and dark qualitative colours and Okabe–Ito's blue), none of
/// them a task state's colour; the last, a dark grey, is for "other".
pub const GROUP_COLOURS: [&str; 8] =
    ["#0072B2", "#882255", "#332288", "#999933", "#AA4499", "#117733", "#661100", "#555555"];

/// Desired lines are drawn (dashed, in the group's colour) only up to this many groups shown, so the legend
/// stays readable.
const MAX_DESIRED_LINES: usize = 4;

/// What the charts are split by, and the groups filtered out (by name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choice {
    pub by: Option<SplitBy>,
    pub hidden: BTreeSet<String>,
}

thread_local! {
    static CHOICE: RefCell<Choice> = RefCell::new(Choice::default());
}

/// The current choice.
pub fn choice() -> Choice {
    CHOICE.with(|c| c.borrow().clone())
}

fn set_choice(f: impl FnOnce(&mut Choice)) {
    CHOICE.with(|c| f(&mut c.borrow_mut()));
}

/// A group's colour: "other" always grey, the rest by position.
fn group_colour(position: usize, group: &SplitGroup) -> &'static str {
    if group.service.is_none() && group.name == OTHER {
        GROUP_COLOURS[GROUP_COLOURS.len() - 1]
    } else {
        GROUP_COLOURS[position % (GROUP_COLOURS.len() - 1)]
    }
}

/// The charts a split applies to: those whose lines are per task or per dollar.
pub fn splits(kind: ChartKind) -> bool {
    matches!(kind, ChartKind::Launches | ChartKind::Running | ChartKind::Backlog | ChartKind::Cost | ChartKind::Buckets)
}

/// `h:mm:ss` / `m:ss` of seconds.
fn clock_s(s: f64) -> String {
    crate::stage::clock((s.max(0.0) * 1000.0) as u64)
}

/// The plot of a split chart, or `None` when the chart is not split (no split chosen, a chart that does not split,
/// or nothing to split: a bucket chart by provider).
pub(super) fn plot(
    kind: ChartKind,
    series: &TimeSeries,
    end_s: f64,
    plot_width_px: i32,
    choice: &Choice,
) -> Option<Plot> {
    let by = choice.by?;
    if !splits(kind) || (kind == ChartKind::Buckets && by == SplitBy::Provider) {
        return None;
    }
    let end = x_end(end_s);
    let min_bin_s = if kind == ChartKind::Launches { MIN_RATE_BIN_S } else { 0.0 };
    let bins = Binning::new(series.len(), series.interval_ms, end, plot_width_px, min_bin_s);
    let shown: Vec<(usize, &SplitGroup)> =
        series.split.groups(by).iter().enumerate().filter(|(_, g)| !choice.hidden.contains(&g.name)).collect();
    let values = |group: &SplitGroup, column: SplitColumn| -> Vec<f64> {
        let v = group.column(column);
        v[..bins.visible.min(v.len())].iter().map(|&x| f64::from(x)).collect()
    };
    let line = |group: &SplitGroup, position: usize, column: SplitColumn, reduce: Reduce, name: String| Line {
        points: downsample(&values(group, column), bins.interval_s, bins.per_bin, reduce),
        colour: hex_colour(group_colour(position, group)),
        name: name.into(),
        dashed: false,
    };
    let mut lines = Vec::new();
    let (y_desc, integer_y, bin_s) = match kind {
        ChartKind::Launches => {
            for &(i, g) in &shown {
                lines.push(line(g, i, SplitColumn::Launches, Reduce::Mean, g.name.clone()));
            }
            ("tasks launched / s", false, Some(bins.bin_s()))
        }
        ChartKind::Running => {
            for &(i, g) in &shown {
                // The dip the summary reports, in the legend and the text alternative.
                let name = match g.dip {
                    Some((running, at_s)) => trf(
                        "{name} (lowest {running} at {time})",
                        &[("name", &g.name), ("running", &running), ("time", &clock_s(at_s))],
                    ),
                    None => g.name.clone(),
                };
                lines.push(line(g, i, SplitColumn::Running, Reduce::Last, name));
            }
            if by == SplitBy::Service && shown.len() <= MAX_DESIRED_LINES {
                for &(i, g) in &shown {
                    let desired = trf("{name} desired", &[("name", &g.name)]);
                    lines.push(Line { dashed: true, ..line(g, i, SplitColumn::Desired, Reduce::Last, desired) });
                }
            }
            ("tasks", true, None)
        }
        ChartKind::Backlog => {
            for &(i, g) in &shown {
                lines.push(line(
                    g,
                    i,
                    SplitColumn::Provisioning,
                    Reduce::Last,
                    format!("{} {}", g.name, TaskState::Provisioning.name()),
                ));
            }
            ("tasks", true, None)
        }
        ChartKind::Cost => {
            for &(i, g) in &shown {
                lines.push(line(g, i, SplitColumn::Cost, Reduce::Last, g.name.clone()));
            }
            ("USD", false, None)
        }
        _ => {
            // Buckets by service: each service's deployment launch-rate bucket ("other" has none).
            for &(i, g) in shown.iter().filter(|(_, g)| g.service.is_some()) {
                let name = trf("{name} launch rate", &[("name", &g.name)]);
                lines.push(line(g, i, SplitColumn::Bucket, Reduce::Last, name));
            }
            ("tokens", true, None)
        }
    };
    lines.retain(|l| !l.points.is_empty());
    Some(Plot { lines, y_desc, integer_y, min_top: 1.0, legend: true, bin_s })
}

/// The service launch-rate buckets the unsplit bucket chart shows: those of single services that were drained —
/// what the summary names as the limit "service launch rate" — each as a line in its group's colour. The series is
/// sampled once a second (or coarser), and a bucket a workflow cycle empties has refilled by the next sample (500
/// tasks a minute is 8.3 tokens a second), so a sample below one token is rare: drained is a sample below one token
/// or below a quarter of the bucket's highest sample (a service that launched a few tasks from a full bucket stays
/// above it).
pub(super) fn emptied_service_buckets(series: &TimeSeries, bins: &Binning) -> Vec<Line> {
    series
        .split
        .groups(SplitBy::Service)
        .iter()
        .enumerate()
        .filter(|(_, g)| g.service.is_some())
        .filter_map(|(i, g)| {
            let v = g.column(SplitColumn::Bucket);
            let v = &v[..bins.visible.min(v.len())];
            let highest = v.iter().copied().fold(0.0_f32, f32::max);
            v.iter().any(|&x| x < 1.0 || x < highest / 4.0).then(|| {
                let values: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
                Line {
                    points: downsample(&values, bins.interval_s, bins.per_bin, Reduce::Last),
                    colour: hex_colour(group_colour(i, g)),
                    name: trf("{name} launch rate", &[("name", &g.name)]).into(),
                    // Dashed: the account buckets' solid lines may share the colour.
                    dashed: true,
                }
            })
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct SplitControlProps {
    pub scenario: Rc<Scenario>,
    /// Called after the choice changed: the charts redraw.
    pub on_change: Callback<()>,
}

/// "Split by: none / service / provider" and, when split, a checkbox per group to filter the lines.
#[component]
pub fn SplitControl(props: &SplitControlProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let current = use_state(choice);
    let plan = use_memo(props.scenario.clone(), |scenario| SplitPlan::new(scenario));
    let on_by = {
        let (current, on_change) = (current.clone(), props.on_change.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            let by = SplitBy::ALL.into_iter().find(|b| b.name() == value);
            set_choice(|c| c.by = by);
            current.set(choice());
            on_change.emit(());
        })
    };
    let names: Vec<String> = match current.by {
        Some(SplitBy::Service) => plan.service_names.iter().map(|(n, _)| n.clone()).collect(),
        Some(SplitBy::Provider) => plan.provider_names.clone(),
        None => Vec::new(),
    };
    let toggle = |name: String| {
        let (current, on_change) = (current.clone(), props.on_change.clone());
        Callback::from(move |_: Event| {
            let name = name.clone();
            set_choice(|c| {
                if !c.hidden.remove(&name) {
                    c.hidden.insert(name);
                }
            });
            current.set(choice());
            on_change.emit(());
        })
    };
    let value = current.by.map_or("none", SplitBy::name);
    html! {
        <div class="split-control" role="group" aria-label={tr("Split the charts")}>
            <label>
                { tr("Split by ") }
                <select id="split-by" onchange={on_by}>
                    <option value="none" selected={value == "none"}>{ tr("none") }</option>
                    <option value="service" selected={value == "service"}>{ tr("service") }</option>
                    <option value="provider" selected={value == "provider"}>{ tr("provider") }</option>
                </select>
            </label>
            if !names.is_empty() {
                <fieldset id="split-filter" class="split-filter">
                    <legend class="visually-hidden">{ tr("Show these lines") }</legend>
                    { for names.iter().enumerate().map(|(i, name)| {
                        let group = SplitGroup { name: name.clone(), service: (name != OTHER).then_some(i), values: Vec::new(), dip: None };
                        let colour = group_colour(i, &group);
                        html! {
                            <label class="split-item">
                                <input type="checkbox" checked={!current.hidden.contains(name)}
                                    onchange={toggle(name.clone())} />
                                <span class="swatch" style={format!("background:{colour}")}></span>
                                { name.clone() }
                            </label>
                        }
                    }) }
                </fieldset>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_colours_are_distinct_and_none_is_a_task_state_colour() {
        let states: Vec<String> = crate::palette::STATE_COLOURS.iter().map(|(_, c)| c.to_uppercase()).collect();
        for (i, c) in GROUP_COLOURS.iter().enumerate() {
            assert!(!states.contains(&c.to_uppercase()), "{c} is a task state's colour");
            assert!(!GROUP_COLOURS[..i].contains(c), "{c} twice");
        }
    }

    fn draining() -> TimeSeries {
        let scenario = fleetplan_engine::presets::get("ec2-spot-draining").unwrap().scenario().unwrap();
        let mut sim = fleetplan_engine::Simulation::new(scenario, 1);
        sim.run_to_end();
        sim.series().clone()
    }

    /// Split by service, the running chart has a line per service (the undrained one named with its dip, as the
    /// summary reports it) and their desired counts dashed; filtering a service out removes its lines; split by
    /// provider there is no bucket chart to split, and unsplit nothing changes.
    #[test]
    fn the_running_chart_splits_by_service_with_the_dip() {
        let series = draining();
        let by_service = Choice { by: Some(SplitBy::Service), hidden: BTreeSet::new() };
        let running = plot_of(ChartKind::Running, &series, &by_service);
        let names: Vec<&str> = running.lines.iter().map(|l| l.name.as_ref()).collect();
        assert_eq!(names, ["drained", "undrained (lowest 24 at 12:00)", "drained desired", "undrained desired"]);
        assert_ne!(running.lines[0].colour, running.lines[1].colour);
        assert!(running.lines[2].dashed && running.lines[2].colour == running.lines[0].colour);
        let text = super::super::describe(&running, 730.0);
        assert!(text.contains("undrained (lowest 24 at 12:00) 24"), "{text}");

        let hidden = Choice { by: Some(SplitBy::Service), hidden: ["drained".to_string()].into() };
        let one = plot_of(ChartKind::Running, &series, &hidden);
        assert_eq!(one.lines.len(), 2);
        let buckets = plot_of(ChartKind::Buckets, &series, &by_service);
        assert_eq!(
            buckets.lines.iter().map(|l| l.name.as_ref()).collect::<Vec<_>>(),
            ["drained launch rate", "undrained launch rate"]
        );
        let by_provider = Choice { by: Some(SplitBy::Provider), hidden: BTreeSet::new() };
        assert!(plot(ChartKind::Buckets, &series, 830.0, 600, &by_provider).is_none());
        let providers = plot_of(ChartKind::Running, &series, &by_provider);
        assert_eq!(
            providers.lines.iter().map(|l| l.name.as_ref()).collect::<Vec<_>>(),
            ["spot-draining", "spot-plain"]
        );
        assert!(plot(ChartKind::Running, &series, 830.0, 600, &Choice::default()).is_none());
    }

    fn plot_of(kind: ChartKind, series: &TimeSeries, choice: &Choice) -> Plot {
        plot(kind, series, 830.0, 600, choice).expect("split")
    }
}
