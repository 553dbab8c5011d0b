//! The sweep panel (issue 12): one or two numeric fields of the scenario over a range, several seeds a point, run
//! in Web Workers ([`pool`]) with progress, time left and cancel; the results as a chart ([`plot`]: median and
//! p5–p95 band, a heat map for a grid, a histogram without fields), a table, the runs' CSV (the bytes
//! `fleetplan sweep ... --csv` prints) and the goal's answer. The engine's `sweep` module does the work; this is its
//! page shell, as crates/cli/src/sweep.rs is its command-line one.

mod fields;
pub mod link;
mod plot;
mod pool;

use std::cell::RefCell;
use std::rc::Rc;

use fleetplan_engine::scenario::Scenario;
use fleetplan_engine::sweep::{self, Report, RunResult, Sweep, SweepArgs, SweepSpec, OUTCOMES};
use yew::prelude::*;

use crate::dom;
use crate::i18n::{tr, trf};
use pool::{Pool, PoolEvent};

/// The panel's inputs, as typed (and as a share link carries them: [`link`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub axes: [AxisForm; 2],
    pub seeds: String,
    pub minimize: String,
    pub require: String,
    pub confidence: String,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AxisForm {
    pub path: String,
    pub from: String,
    pub to: String,
    pub steps: String,
    pub log: bool,
}

impl Default for Form {
    fn default() -> Form {
        Form {
            axes: [
                AxisForm { steps: "10".into(), ..AxisForm::default() },
                AxisForm { steps: "5".into(), ..AxisForm::default() },
            ],
            seeds: "5".into(),
            minimize: String::new(),
            require: String::new(),
            confidence: String::new(),
        }
    }
}

impl Form {
    /// The settings as the CLI's options would give them: `--set PATH=FROM..TO:STEPS[:log]` for each field with a
    /// path, `--seeds`, `--minimize`, each `--require` (separated by `;` or `,` in the box), `--confidence`.
    pub fn args(&self) -> Result<SweepArgs, String> {
        let set = self
            .axes
            .iter()
            .filter(|a| !a.path.trim().is_empty())
            .map(|a| {
                format!(
                    "{}={}..{}:{}{}",
                    a.path.trim(),
                    a.from.trim(),
                    a.to.trim(),
                    a.steps.trim(),
                    if a.log { ":log" } else { "" }
                )
            })
            .collect();
        let seeds = self
            .seeds
            .trim()
            .parse()
            .map_err(|_| trf("seeds: `{seeds}` is not a whole number", &[("seeds", &self.seeds.trim())]))?;
        let require =
            self.require.split([';', ',']).map(str::trim).filter(|r| !r.is_empty()).map(String::from).collect();
        let confidence = match self.confidence.trim() {
            "" => None,
            c => Some(c.parse().map_err(|_| trf("confidence: `{c}` is not a percentage from 1 to 100", &[("c", &c)]))?),
        };
        let minimize = Some(self.minimize.trim()).filter(|m| !m.is_empty()).map(String::from);
        Ok(SweepArgs { set, seeds, base_seed: 1, minimize, require, confidence })
    }
}

/// "about 12 s left" from the elapsed time and the runs done.
pub fn time_left(elapsed_ms: f64, done: u64, total: u64) -> String {
    if done == 0 || elapsed_ms <= 0.0 {
        return tr("estimating the time left");
    }
    let left = elapsed_ms / done as f64 * total.saturating_sub(done) as f64 / 1000.0;
    if left < 1.0 {
        tr("less than a second left")
    } else if left < 90.0 {
        trf("about {seconds} s left", &[("seconds", &format!("{left:.0}"))])
    } else {
        trf("about {minutes} min left", &[("minutes", &format!("{:.0}", left / 60.0))])
    }
}

/// A finished sweep: what the results show and export.
pub struct Finished {
    pub sweep: Sweep,
    pub report: Report,
    pub csv: String,
    pub elapsed_ms: f64,
    pub workers: usize,
}

impl Finished {
    pub fn new(sweep: Sweep, results: &[RunResult], elapsed_ms: f64, workers: usize) -> Finished {
        let report = sweep::report(&sweep, results);
        let csv = sweep::runs_csv(&sweep, results);
        Finished { sweep, report, csv, elapsed_ms, workers }
    }
}

#[derive(Clone)]
enum RunState {
    Idle,
    Running { done: u64, total: u64, started_ms: f64, now_ms: f64, workers: usize },
    Done(Rc<Finished>),
    Cancelled { done: u64, total: u64 },
    Failed(String),
}

impl RunState {
    fn name(&self) -> &'static str {
        match self {
            RunState::Idle => "idle",
            RunState::Running { .. } => "running",
            RunState::Done(_) => "done",
            RunState::Cancelled { .. } => "cancelled",
            RunState::Failed(_) => "failed",
        }
    }
}

#[derive(Properties, Clone)]
pub struct SweepProps {
    pub scenario: Rc<Scenario>,
    /// The run's seed, for the link "Copy link with these settings" makes.
    #[prop_or(1)]
    pub seed: u64,
}

impl PartialEq for SweepProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.scenario, &other.scenario) && self.seed == other.seed
    }
}

/// The default outcome shown: completion time.
const DEFAULT_OUTCOME: usize = 0;

#[component]
pub fn SweepPanel(props: &SweepProps) -> Html {
    // Re-rendered in the language chosen.
    let _lang = crate::i18n::use_lang();
    let from_link = use_memo((), |_| link::take_pending());
    let form = use_state(|| (*from_link).clone().unwrap_or_default());
    let copied = use_state(|| None::<String>);
    let outcome = use_state(|| DEFAULT_OUTCOME);
    let state = use_state(|| RunState::Idle);
    let pool: Rc<RefCell<Option<Pool>>> = use_mut_ref(|| None);
    let canvas = use_node_ref();
    let paths = use_memo(props.scenario.clone(), |s| {
        fleetplan_engine::spec::to_value(&s.spec).map(|v| fields::numeric_paths(&v)).unwrap_or_default()
    });

    {
        // Draw the chart after every render that shows results.
        let canvas = canvas.clone();
        let shown = match &*state {
            RunState::Done(f) => Some(f.clone()),
            _ => None,
        };
        use_effect_with((shown.as_ref().map(|f| Rc::as_ptr(f) as usize), *outcome), move |(_, outcome)| {
            if let (Some(f), Some(c)) = (shown, canvas.cast::<web_sys::HtmlCanvasElement>()) {
                let o = &OUTCOMES[*outcome];
                let desc = format!("{} ({})", o.name, o.unit);
                let drawn = match f.report.axes.len() {
                    0 => match f.report.distribution.get(*outcome).and_then(|d| d.histogram.as_ref()) {
                        Some(h) => plot::draw_histogram(&c, h, &desc),
                        None => Ok(()),
                    },
                    1 => plot::draw_line(&c, &f.report, *outcome, &desc),
                    _ => plot::draw_heat(&c, &f.report, *outcome, o.unit),
                };
                if let Err(e) = drawn {
                    web_sys::console::warn_1(&format!("sweep chart: {e}").into());
                }
            }
        });
    }
    {
        // Leaving the page part (another scenario's stage) stops the workers.
        let pool = pool.clone();
        use_effect_with((), move |_| move || drop(pool.borrow_mut().take()));
    }

    let edit_input = |f: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = dom::input_value(&e) {
                let mut next = (*form).clone();
                f(&mut next, v);
                form.set(next);
            }
        })
    };
    let toggle_log = |i: usize| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            if let Some(on) = dom::checkbox_checked(&e) {
                let mut next = (*form).clone();
                next.axes[i].log = on;
                form.set(next);
            }
        })
    };

    let run = {
        let form = form.clone();
        let state = state.clone();
        let pool = pool.clone();
        let scenario = props.scenario.clone();
        Callback::from(move |_: MouseEvent| {
            drop(pool.borrow_mut().take());
            match start(&form, &scenario, &state) {
                Ok(p) => *pool.borrow_mut() = Some(p),
                Err(e) => state.set(RunState::Failed(e)),
            }
        })
    };
    let cancel = {
        let state = state.clone();
        let pool = pool.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(p) = pool.borrow_mut().take() {
                p.cancel();
            }
            if let RunState::Running { done, total, .. } = &*state {
                state.set(RunState::Cancelled { done: *done, total: *total });
            }
        })
    };
    let on_outcome = {
        let outcome = outcome.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = dom::input_value(&e).and_then(|v| v.parse::<usize>().ok()).filter(|i| *i < OUTCOMES.len())
            {
                outcome.set(i);
            }
        })
    };

    let copy_link = {
        let (form, copied, scenario, seed) = (form.clone(), copied.clone(), props.scenario.clone(), props.seed);
        Callback::from(move |_: MouseEvent| {
            let fragment = fleetplan_engine::share::encode(&scenario.spec, seed);
            let address = format!("{}#{}", dom::page_address(), link::fragment_with(&fragment, &form));
            dom::copy_to_clipboard(&address);
            copied.set(Some(address));
        })
    };
    let running = matches!(*state, RunState::Running { .. });
    let axis_inputs = |i: usize| {
        let a = &form.axes[i];
        let n = i + 1;
        html! {
            <fieldset class="sweep-axis">
                <legend>{ if i == 0 { tr("Field") } else { tr("Second field (a grid; optional)") } }</legend>
                <label>{ tr("Path ") }
                    <input id={format!("sweep-field-{n}")} list="sweep-fields" class="sweep-path" placeholder="services[0].desired_count"
                        value={a.path.clone()} oninput={edit_input(if i == 0 { |f: &mut Form, v| f.axes[0].path = v } else { |f: &mut Form, v| f.axes[1].path = v })} />
                </label>
                <label>{ tr("From ") }<input id={format!("sweep-from-{n}")} inputmode="decimal" size="7" value={a.from.clone()}
                    oninput={edit_input(if i == 0 { |f: &mut Form, v| f.axes[0].from = v } else { |f: &mut Form, v| f.axes[1].from = v })} /></label>
                <label>{ tr("To ") }<input id={format!("sweep-to-{n}")} inputmode="decimal" size="7" value={a.to.clone()}
                    oninput={edit_input(if i == 0 { |f: &mut Form, v| f.axes[0].to = v } else { |f: &mut Form, v| f.axes[1].to = v })} /></label>
                <label>{ tr("Steps ") }<input id={format!("sweep-steps-{n}")} inputmode="numeric" size="4" value={a.steps.clone()}
                    oninput={edit_input(if i == 0 { |f: &mut Form, v| f.axes[0].steps = v } else { |f: &mut Form, v| f.axes[1].steps = v })} /></label>
                <label><input type="checkbox" id={format!("sweep-log-{n}")} checked={a.log} onchange={toggle_log(i)} />{ tr(" log steps") }</label>
            </fieldset>
        }
    };

    // Opening the panel starts the run's workers, so their module has loaded by the time Run is clicked; closing
    // it (or the panel going away) lets the idle ones go. Measured: a 1,000-run sweep's first answer came 130-170
    // ms after the click with new workers, about 100 ms with prepared ones.
    let ontoggle = Callback::from(|event: Event| {
        let open = event.target_dyn_into::<web_sys::Element>().is_some_and(|d| d.has_attribute("open"));
        if open {
            let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency());
            crate::pool::prepare(pool::worker_count(cores, u64::MAX, 1));
        } else {
            crate::pool::release_prepared();
        }
    });
    use_effect_with((), |_| crate::pool::release_prepared);

    html! {
        <details id="sweep" class="sweep" data-state={state.name()} open={from_link.is_some()} {ontoggle}>
            <summary><h2>{ tr("Sweep") }</h2>{ tr(" a field over a range and many seeds") }</summary>
            <datalist id="sweep-fields">
                { for paths.iter().map(|p| html! { <option value={p.clone()} /> }) }
            </datalist>
            <div class="sweep-form">
                { axis_inputs(0) }
                { axis_inputs(1) }
                <fieldset class="sweep-goal">
                    <legend>{ tr("Seeds and goal") }</legend>
                    <label>{ tr("Seeds a point ") }<input id="sweep-seeds" inputmode="numeric" size="4" value={form.seeds.clone()}
                        oninput={edit_input(|f, v| f.seeds = v)} /></label>
                    <label>{ tr("Minimize ") }<input id="sweep-minimize" list="sweep-minimize-list" size="20" placeholder={tr("cost_usd or a field path")}
                        value={form.minimize.clone()} oninput={edit_input(|f, v| f.minimize = v)} /></label>
                    <datalist id="sweep-minimize-list">
                        { for OUTCOMES.iter().map(|o| html! { <option value={o.name} /> }) }
                    </datalist>
                    <label>{ tr("Require ") }<input id="sweep-require" size="22" placeholder="completion_s<=300" value={form.require.clone()}
                        oninput={edit_input(|f, v| f.require = v)} /></label>
                    <label>{ tr("in % of seeds ") }<input id="sweep-confidence" inputmode="numeric" size="4" placeholder="100" value={form.confidence.clone()}
                        oninput={edit_input(|f, v| f.confidence = v)} /></label>
                </fieldset>
                <div class="sweep-actions">
                    <button id="sweep-run" onclick={run} disabled={running}>{ tr("Run sweep") }</button>
                    <button id="sweep-cancel" onclick={cancel} disabled={!running}>{ tr("Cancel") }</button>
                    <button id="sweep-link" onclick={copy_link} title={tr("A share link that reopens this scenario with these sweep settings")}>{ tr("Copy link with these settings") }</button>
                    <label>{ tr("Show ") }
                        <select id="sweep-outcome" onchange={on_outcome}>
                            { for OUTCOMES.iter().enumerate().map(|(i, o)| html! {
                                <option value={i.to_string()} selected={i == *outcome}>{ format!("{} ({})", o.name, o.unit) }</option>
                            }) }
                        </select>
                    </label>
                </div>
            </div>
            if let Some(address) = &*copied {
                <input id="sweep-link-text" class="share-link" readonly=true value={address.clone()} aria-label={tr("Link with these sweep settings")} />
            }
            { status(&state) }
            if let RunState::Done(f) = &*state {
                { results(f, *outcome, &canvas) }
            }
        </details>
    }
}

/// Checks the settings, then starts the workers.
fn start(form: &Form, scenario: &Rc<Scenario>, state: &UseStateHandle<RunState>) -> Result<Pool, String> {
    let args = form.args()?;
    let spec = SweepSpec::parse(&args).map_err(|e| e.to_string())?;
    let sweep = Sweep::new(spec, &scenario.spec).map_err(|e| e.to_string())?;
    let runs = sweep.runs();
    let job = pool::job_bytes(&scenario.spec, &sweep.spec().args())?;
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency());
    let batch = pool::batch_size(runs, pool::worker_count(cores, runs, 1));
    let workers = pool::worker_count(cores, runs, batch);
    let started_ms = dom::now_ms();
    state.set(RunState::Running { done: 0, total: runs, started_ms, now_ms: started_ms, workers });
    let on_event = {
        let state = state.clone();
        let sweep = RefCell::new(Some(sweep));
        Callback::from(move |event: PoolEvent| match event {
            PoolEvent::Progress { done } => {
                state.set(RunState::Running { done, total: runs, started_ms, now_ms: dom::now_ms(), workers })
            }
            PoolEvent::Finished(results) => {
                if let Some(sweep) = sweep.borrow_mut().take() {
                    let elapsed = dom::now_ms() - started_ms;
                    state.set(RunState::Done(Rc::new(Finished::new(sweep, &results, elapsed, workers))));
                }
            }
            PoolEvent::Failed(e) => state.set(RunState::Failed(e)),
        })
    };
    pool::start(job, runs, workers, batch, on_event)
}

fn status(state: &RunState) -> Html {
    match state {
        RunState::Idle => html! {
            <p class="sweep-status" id="sweep-status">{ tr("Pick a field by its path (or none: the scenario over many seeds), a range and the seeds, then run.") }</p>
        },
        RunState::Running { done, total, started_ms, now_ms, workers } => html! {
            <div class="sweep-status" id="sweep-status" role="status">
                <progress id="sweep-progress" max={total.to_string()} value={done.to_string()}></progress>
                { trf(" {done} of {total} runs on {workers} worker(s), {left}", &[("done", &done), ("total", &total), ("workers", &workers), ("left", &time_left(now_ms - started_ms, *done, *total))]) }
            </div>
        },
        RunState::Cancelled { done, total } => html! {
            <p class="sweep-status" id="sweep-status" role="status">{ trf("Cancelled after {done} of {total} runs; the workers are stopped.", &[("done", &done), ("total", &total)]) }</p>
        },
        RunState::Failed(e) => {
            html! { <p class="sweep-status field-error" id="sweep-status" role="alert">{ e.clone() }</p> }
        }
        RunState::Done(f) => html! {
            <p class="sweep-status" id="sweep-status" role="status">{ trf(
                "Sweep of \"{name}\": {points} point(s) x {seeds} seed(s) = {runs} runs in {seconds} s on {workers} worker(s).",
                &[("name", &f.sweep.name()), ("points", &f.report.points), ("seeds", &f.report.seeds), ("runs", &f.report.runs),
                  ("seconds", &format!("{:.1}", f.elapsed_ms / 1000.0)), ("workers", &f.workers)],
            ) }</p>
        },
    }
}

fn cell(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "–".into())
}

fn results(f: &Rc<Finished>, outcome: usize, canvas: &NodeRef) -> Html {
    let o = &OUTCOMES[outcome];
    let download = {
        let f = f.clone();
        Callback::from(move |_: MouseEvent| {
            if let Err(e) = dom::download_text("sweep.csv", "text/csv", &f.csv) {
                web_sys::console::warn_1(&e.into());
            }
        })
    };
    let goal = f.report.answer.is_some() && !f.report.sweep.require.is_empty();
    let summary = if f.report.axes.is_empty() {
        f.report.distribution.get(outcome).map(|d| {
            trf(
                "{name} over {runs} runs: p5 {p5}, p50 {p50}, p95 {p95} {unit} ({count} with a value).",
                &[
                    ("name", &o.name),
                    ("runs", &f.report.runs),
                    ("p5", &cell(d.stats.p5)),
                    ("p50", &cell(d.stats.median)),
                    ("p95", &cell(d.stats.p95)),
                    ("unit", &o.unit),
                    ("count", &d.stats.count),
                ],
            )
        })
    } else {
        None
    };
    html! {
        <div class="sweep-results">
            if let Some(a) = &f.report.answer {
                <p id="sweep-answer" class={classes!("sweep-answer", (!a.met).then_some("unmet"))}>{ trf("Answer: {text}", &[("text", &a.text)]) }</p>
            }
            if let Some(s) = summary {
                <p id="sweep-distribution">{ s }</p>
            }
            <figure class="sweep-chart">
                <figcaption>{ match f.report.axes.len() {
                    0 => trf("{name} over seeds (histogram)", &[("name", &o.name)]),
                    1 => trf("{name}: median and p5–p95 over seeds", &[("name", &o.name)]),
                    _ => trf("{name}: median over seeds", &[("name", &o.name)]),
                } }</figcaption>
                <canvas id="sweep-chart" ref={canvas.clone()}></canvas>
            </figure>
            <p><button id="sweep-csv" onclick={download}>{ tr("Download CSV") }</button>{ tr(" every run's outcomes, as ") }<code>{ "fleetplan sweep … --csv" }</code>{ tr(" prints them") }</p>
            <div class="sweep-table-wrap">
                <table id="sweep-table" class="sweep-table">
                    <thead><tr>
                        <th>{ tr("point") }</th>
                        { for f.report.axes.iter().map(|a| html! { <th>{ a.path.clone() }</th> }) }
                        <th>{ trf("{name} ({unit}) median", &[("name", &o.name), ("unit", &o.unit)]) }</th>
                        <th>{ "p5" }</th><th>{ "p95" }</th><th>{ tr("runs with a value") }</th>
                        if goal { <th>{ tr("seeds meeting") }</th> }
                    </tr></thead>
                    <tbody>
                        { for f.report.results.iter().map(|p| {
                            let s = &p.stats[outcome];
                            html! { <tr>
                                <td>{ p.point }</td>
                                { for p.values.iter().map(|v| html! { <td>{ v.to_string() }</td> }) }
                                <td>{ cell(s.median) }</td><td>{ cell(s.p5) }</td><td>{ cell(s.p95) }</td>
                                <td>{ format!("{}/{}", s.count, p.runs) }</td>
                                if goal { <td>{ format!("{}/{}", p.meeting.unwrap_or(0), p.runs) }</td> }
                            </tr> }
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A form with every box filled in (one field, log steps, seeds, a goal, requirements, confidence), as the
    /// tests here and in [`link`] use it.
    pub fn example_form() -> Form {
        let mut form = Form::default();
        form.axes[0] = AxisForm {
            path: " services[0].desired_count ".into(),
            from: "10".into(),
            to: "100".into(),
            steps: "4".into(),
            log: true,
        };
        form.seeds = "3".into();
        form.minimize = "cost_usd".into();
        form.require = "completion_s<=300; tasks_failed<=0".into();
        form.confidence = "90".into();
        form
    }

    #[test]
    fn the_form_gives_the_clis_settings() {
        let mut form = example_form();
        let args = form.args().unwrap();
        assert_eq!(args.set, vec!["services[0].desired_count=10..100:4:log"]);
        assert_eq!(args.seeds, 3);
        assert_eq!(args.require, vec!["completion_s<=300", "tasks_failed<=0"]);
        assert_eq!(args.confidence, Some(90));
        assert_eq!(args.minimize.as_deref(), Some("cost_usd"));
        assert!(SweepSpec::parse(&args).is_ok());
        form.seeds = "x".into();
        assert!(form.args().is_err());
        assert!(Form::default().args().unwrap().set.is_empty(), "no path: the scenario over seeds");
    }

    #[test]
    fn time_left_words() {
        assert_eq!(time_left(0.0, 0, 10), "estimating the time left");
        assert_eq!(time_left(1000.0, 10, 10), "less than a second left");
        assert_eq!(time_left(1000.0, 1, 11), "about 10 s left");
        assert_eq!(time_left(60_000.0, 1, 3), "about 2 min left");
    }
}
