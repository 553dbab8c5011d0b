//! The app: a reducer over the page state (which scenario, which seed, the last run, the current error), and the
//! components that show it. Runs are synchronous: a 1,000-task preset simulates in milliseconds.

use std::rc::Rc;

use fleetplan_engine::{presets, share, Scenario, Simulation, Summary, TimeSeries};
use yew::prelude::*;

use crate::{chart, dom};

const DEFAULT_PRESET: &str = "fargate-ondemand-1000";

/// Where the current scenario came from.
#[derive(Clone, PartialEq)]
enum Source {
    Preset(&'static str),
    Link(Rc<Scenario>),
}

#[derive(Clone, PartialEq)]
pub struct RunResult {
    summary: Summary,
    summary_json: String,
    series: TimeSeries,
    share_link: String,
}

#[derive(Clone, PartialEq)]
struct State {
    source: Source,
    seed_text: String,
    result: Option<Rc<RunResult>>,
    error: Option<String>,
}

enum Action {
    SelectPreset(String),
    SetSeed(String),
    Run,
    /// Open the scenario in a URL fragment (page load, or the fragment changed).
    OpenFragment(String),
}

impl State {
    fn initial() -> State {
        State { source: Source::Preset(DEFAULT_PRESET), seed_text: "1".into(), result: None, error: None }
    }

    fn seed(&self) -> Result<u64, String> {
        self.seed_text.trim().parse::<u64>().map_err(|_| {
            format!("The seed must be a whole number from 0 to {}; got \"{}\".", u64::MAX, self.seed_text.trim())
        })
    }

    fn scenario(&self) -> Result<Scenario, String> {
        match &self.source {
            Source::Preset(id) => match presets::get(id) {
                Some(preset) => preset.scenario().map_err(|e| format!("Preset {id} is invalid: {e}")),
                None => Err(presets::unknown_message(id)),
            },
            Source::Link(scenario) => Ok((**scenario).clone()),
        }
    }

    fn run(self: &Rc<Self>) -> State {
        let mut next = (**self).clone();
        let outcome = self.seed().and_then(|seed| self.scenario().map(|scenario| (scenario, seed)));
        match outcome {
            Ok((scenario, seed)) => {
                let share_link = format!("{}#{}", dom::page_address(), share::encode(&scenario.spec, seed));
                let options = fleetplan_engine::RunOptions { trace: false, check_invariants: false };
                let mut sim = Simulation::with_options(scenario, seed, options);
                sim.run_to_end();
                let summary = sim.metrics();
                let summary_json = serde_json::to_string_pretty(&summary).unwrap_or_default();
                next.result =
                    Some(Rc::new(RunResult { summary, summary_json, series: sim.series().clone(), share_link }));
                next.error = None;
            }
            Err(message) => next.error = Some(message),
        }
        next
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::SelectPreset(id) => {
                let mut next = (*self).clone();
                match presets::get(&id) {
                    Some(preset) => {
                        next.source = Source::Preset(preset.id);
                        next.result = None;
                        next.error = None;
                    }
                    None => next.error = Some(presets::unknown_message(&id)),
                }
                Rc::new(next)
            }
            Action::SetSeed(text) => {
                let mut next = (*self).clone();
                next.seed_text = text;
                next.error = next.seed().err();
                Rc::new(next)
            }
            Action::Run => Rc::new(self.run()),
            Action::OpenFragment(fragment) => {
                if fragment.is_empty() {
                    return self;
                }
                match share::decode(&fragment) {
                    Ok((scenario, seed)) => {
                        let mut next = (*self).clone();
                        next.source = Source::Link(Rc::new(scenario));
                        next.seed_text = seed.to_string();
                        Rc::new(Rc::new(next).run())
                    }
                    Err(e) => {
                        // Keep whatever was loaded before; say what is wrong with the link.
                        let mut next = (*self).clone();
                        next.error = Some(format!("Could not open the link: {e}."));
                        Rc::new(next)
                    }
                }
            }
        }
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(State::initial);

    {
        // Open the link the page was loaded with, and any link pasted into the address bar later.
        let state = state.clone();
        use_effect_with((), move |_| {
            state.dispatch(Action::OpenFragment(dom::location_fragment()));
            let listener = dom::on_hash_change(move || state.dispatch(Action::OpenFragment(dom::location_fragment())));
            move || drop(listener)
        });
    }

    let on_preset = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            if let Some(value) = dom::input_value(&e) {
                state.dispatch(Action::SelectPreset(value));
            }
        })
    };
    let on_seed = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(value) = dom::input_value(&e) {
                state.dispatch(Action::SetSeed(value));
            }
        })
    };
    let on_run = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Run))
    };
    let share_link = state.result.as_ref().map(|r| r.share_link.clone()).unwrap_or_default();
    let on_copy = {
        let link = share_link.clone();
        Callback::from(move |_: MouseEvent| dom::copy_to_clipboard(&link))
    };

    let selected = match &state.source {
        Source::Preset(id) => *id,
        Source::Link(_) => "",
    };
    let description = match &state.source {
        Source::Preset(id) => presets::get(id).map(|p| p.what_to_look_at.to_string()).unwrap_or_default(),
        Source::Link(scenario) => {
            format!("Opened from a share link: \"{}\". {}", scenario.name, scenario.spec.description)
        }
    };

    html! {
        <>
        <header class="masthead">
            <h1>{ "Fleetplan" }</h1>
            <p class="tagline">{ "How fast can ECS launch your tasks on Fargate, EC2 and your own servers? A deterministic simulation of AWS's rate limits, capacity, placement and task lifecycle." }</p>
        </header>
        <main>
            <section class="controls" aria-label="Scenario">
                <label for="preset">{ "Scenario" }</label>
                <select id="preset" onchange={on_preset}>
                    if selected.is_empty() {
                        <option value="" selected=true>{ "(from a share link)" }</option>
                    }
                    { for presets::all().iter().map(|p| html! {
                        <option value={p.id} selected={p.id == selected}>{ p.title }</option>
                    }) }
                </select>
                <label for="seed">{ "Seed" }</label>
                <input id="seed" type="text" inputmode="numeric" value={state.seed_text.clone()} oninput={on_seed} />
                <button id="run" onclick={on_run}>{ "Run" }</button>
            </section>
            <p class="what-to-look-at">{ description }</p>
            <div id="error" role="alert">{ state.error.clone().unwrap_or_default() }</div>
            <ResultView result={state.result.clone()} />
            <section class="share" aria-label="Share">
                <label for="share-link">{ "Share link (replays this exact run)" }</label>
                <input id="share-link" type="text" readonly=true value={share_link} placeholder="Run a scenario to get its link" />
                <button id="copy-link" onclick={on_copy} disabled={state.result.is_none()}>{ "Copy link" }</button>
            </section>
        </main>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct ResultProps {
    result: Option<Rc<RunResult>>,
}

#[function_component(ResultView)]
fn result_view(props: &ResultProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let result = props.result.clone();
        use_effect_with(result, move |result| {
            if let (Some(result), Some(element)) = (result, canvas.cast::<web_sys::HtmlCanvasElement>()) {
                if let Err(message) = chart::draw_launch_rate(element, &result.series) {
                    web_sys::console::error_1(&format!("chart: {message}").into());
                }
            }
        });
    }
    let Some(result) = &props.result else {
        return html! {
            <section class="results empty">
                <p>{ "Press Run to simulate the scenario." }</p>
                <canvas id="launch-chart" ref={canvas} width="960" height="380" hidden=true></canvas>
            </section>
        };
    };
    let s = &result.summary;
    let seconds = |v: Option<f64>| v.map_or_else(|| "not reached".to_string(), |v| format!("{v:.1} s"));
    html! {
        <section class="results">
            <h2>{ "Summary" }</h2>
            <table id="summary">
                <tbody>
                    <tr><th scope="row">{ "Time until steady" }</th><td>{ seconds(s.completion_s) }</td></tr>
                    <tr><th scope="row">{ "Tasks" }</th><td>{ format!("{} launched, {} started, {} failed", s.tasks_launched, s.tasks_started, s.tasks_failed) }</td></tr>
                    <tr><th scope="row">{ "Spot interruptions" }</th><td>{ format!("{} ({} tasks replaced)", s.interruptions, s.replacements) }</td></tr>
                    <tr><th scope="row">{ "Cost" }</th><td>{ format!("${:.2} over {:.0} s (${:.2} per hour)", s.cost_usd, s.end_s, s.cost_per_hour_usd) }</td></tr>
                    { for s.services.iter().map(|svc| html! {
                        <tr>
                            <th scope="row">{ format!("Service {}", svc.name) }</th>
                            <td>{ format!("{}/{} running, steady at {}, deployment {}; limited by {}", svc.running, svc.desired, seconds(svc.steady_s), svc.deployment, svc.limited_by) }</td>
                        </tr>
                    }) }
                    { for s.run_tasks.iter().map(|r| html! {
                        <tr>
                            <th scope="row">{ format!("RunTask {}", r.name) }</th>
                            <td>{ format!("{}/{} started, {} failed, {} throttled calls, settled at {}", r.started, r.requested, r.failed, r.throttled_calls, seconds(r.settled_s)) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <h2>{ "Launch rate" }</h2>
            <canvas id="launch-chart" ref={canvas} width="960" height="380"
                aria-label="Tasks launched per second over time, by capacity type" role="img"></canvas>
            <details>
                <summary>{ "Summary as JSON (same as fleetplan run --json)" }</summary>
                <pre id="summary-json">{ result.summary_json.clone() }</pre>
            </details>
        </section>
    }
}
