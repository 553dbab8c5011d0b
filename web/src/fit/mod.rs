//! The fit panel (issue 15): import a measured curve of one service's tasks (a CSV file or pasted text, or the
//! JSON `aws ecs describe-services` prints), see it over the simulated curve with the errors between them, fit
//! the settings AWS does not publish in the sweep's Web Workers ([`pool`]), and apply the fitted values to the
//! scenario (so the share link carries them). The engine's `fit` module does the work; this is its page shell, as
//! crates/cli/src/fit.rs is its command-line one.

mod pool;

use std::fmt::Write as _;
use std::rc::Rc;

use fleetplan_engine::fit::{self, Choice, Comparison, Fit, FitReport, FitSpec, MeasuredCurve, SimulatedCurve};
use fleetplan_engine::scenario::Scenario;
use yew::prelude::*;

use crate::i18n::{tr, trf};

use crate::dom;
use pool::{FitEvent, FitPool};

#[derive(Properties, Clone)]
pub struct FitProps {
    pub scenario: Rc<Scenario>,
    /// Receives the scenario JSON with the fitted values.
    pub on_apply: Callback<String>,
}

impl PartialEq for FitProps {
    fn eq(&self, other: &FitProps) -> bool {
        Rc::ptr_eq(&self.scenario, &other.scenario)
    }
}

#[derive(Clone)]
enum RunState {
    Idle,
    Running { done: u64, total: u64 },
    Done(Rc<FitReport>),
    Cancelled,
    Failed(String),
}

/// The measurement against the scenario as it is: the fit set up, the comparison and both curves of seed 1.
struct Overlay {
    fit: Fit,
    comparison: Comparison,
    simulated: SimulatedCurve,
}

impl PartialEq for Overlay {
    /// The same set-up only (the memo's inputs decide when it is rebuilt).
    fn eq(&self, other: &Overlay) -> bool {
        std::ptr::eq(self, other)
    }
}

fn overlay(scenario: &Scenario, text: &str, service: &str, profile: bool) -> Result<Overlay, String> {
    let service = Some(service.to_string()).filter(|s| !s.is_empty());
    let curve = fit::parse_measured(text, service.as_deref()).map_err(|e| e.to_string())?;
    // The limits profile, a choice: each option searched with the numeric settings.
    let choice = if profile { Some(Choice::parse("limits.profile").map_err(|e| e.to_string())?) } else { None };
    let spec = FitSpec { service, choice, ..FitSpec::default() };
    let fit = Fit::new(spec, scenario, curve).map_err(|e| e.to_string())?;
    let base = fit.scenario_with(None).map_err(|e| e.to_string())?;
    let (comparison, simulated) = fit.evaluate_on(base, 1);
    Ok(Overlay { fit, comparison, simulated })
}

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| tr("not reached"), |v| trf("{seconds} s", &[("seconds", &format!("{v:.0}"))]))
}

/// The chart: the simulated curve (and the fitted one) as lines, the measured points over them.
fn chart(measured: &MeasuredCurve, simulated: &SimulatedCurve, fitted: Option<&SimulatedCurve>, desired: u32) -> Html {
    let (w, h, pad) = (640.0, 220.0, 36.0);
    let sim_points = simulated.points(400);
    let fitted_points = fitted.map(|f| f.points(400)).unwrap_or_default();
    let max_t = measured
        .points
        .iter()
        .map(|p| p.time_s)
        .chain(sim_points.iter().chain(&fitted_points).map(|p| p.0))
        .fold(1.0_f64, f64::max);
    let max_c = measured
        .points
        .iter()
        .map(|p| p.count)
        .chain(sim_points.iter().chain(&fitted_points).map(|p| p.1))
        .fold(f64::from(desired).max(1.0), f64::max);
    let x = |t: f64| pad + t / max_t * (w - 2.0 * pad);
    let y = |c: f64| h - pad + -c / max_c * (h - 2.0 * pad);
    let steps = |points: &[(f64, f64)]| {
        let mut d = String::new();
        let mut last = 0.0;
        for (i, (t, c)) in points.iter().enumerate() {
            if i == 0 {
                let _ = write!(d, "M{:.1},{:.1}", x(*t), y(*c));
            } else {
                let _ = write!(d, " L{:.1},{:.1} L{:.1},{:.1}", x(*t), y(last), x(*t), y(*c));
            }
            last = *c;
        }
        d
    };
    let measured_line: Vec<(f64, f64)> = measured.points.iter().map(|p| (p.time_s, p.count)).collect();
    let measured_d = measured_line
        .iter()
        .enumerate()
        .map(|(i, (t, c))| format!("{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x(*t), y(*c)))
        .collect::<String>();
    html! {
        <svg id="fit-chart" class="fit-chart" viewBox={format!("0 0 {w} {h}")} role="img"
            aria-label={tr("Measured tasks over the simulated tasks")}>
            <line x1={pad.to_string()} y1={(h - pad).to_string()} x2={(w - pad).to_string()} y2={(h - pad).to_string()} class="fit-axis" />
            <line x1={pad.to_string()} y1={pad.to_string()} x2={pad.to_string()} y2={(h - pad).to_string()} class="fit-axis" />
            <text x={pad.to_string()} y={(h - 10.0).to_string()} class="fit-label">{ trf("{seconds} s", &[("seconds", &0)]) }</text>
            <text x={(w - pad).to_string()} y={(h - 10.0).to_string()} class="fit-label" text-anchor="end">{ trf("{seconds} s", &[("seconds", &format!("{max_t:.0}"))]) }</text>
            <text x="4" y={(pad - 6.0).to_string()} class="fit-label">{ trf("{count} tasks", &[("count", &format!("{max_c:.0}"))]) }</text>
            <path d={steps(&sim_points)} class="fit-simulated" />
            if !fitted_points.is_empty() {
                <path d={steps(&fitted_points)} class="fit-fitted" />
            }
            <path d={measured_d} class="fit-measured" />
            { for measured.points.iter().take(200).map(|p| html! {
                <circle cx={format!("{:.1}", x(p.time_s))} cy={format!("{:.1}", y(p.count))} r="3" class="fit-point" />
            }) }
        </svg>
    }
}

fn errors(c: &Comparison, label: &str) -> Html {
    html! {
        <tr>
            <th scope="row">{ label }</th>
            <td>{ trf("{seconds} s", &[("seconds", &c.rmse_s)]) }</td>
            <td>{ trf("{count} tasks", &[("count", &c.rmse_tasks)]) }</td>
            <td>{ secs(c.simulated.t50_s) }</td>
            <td>{ secs(c.simulated.t90_s) }</td>
            <td>{ secs(c.simulated.t100_s) }</td>
        </tr>
    }
}

#[function_component]
pub fn FitPanel(props: &FitProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let text = use_state(String::new);
    let service = use_state(|| props.scenario.services.first().map(|s| s.name.clone()).unwrap_or_default());
    let state = use_state(|| RunState::Idle);
    let profile = use_state(|| false);
    let pool = use_mut_ref(|| None::<FitPool>);
    let reader = use_mut_ref(|| None::<gloo_file::callbacks::FileReader>);
    // The scenario `state` belongs to: on the render that brings another scenario, before the effect below has
    // reset the fit, the last one's result is not shown against the new one (Yew 0.23 may paint that render).
    let state_scenario = use_mut_ref(|| props.scenario.clone());
    {
        // Another scenario: the fit starts over.
        let state = state.clone();
        let pool = pool.clone();
        let state_scenario = state_scenario.clone();
        use_effect_with(props.scenario.clone(), move |scenario| {
            if let Some(p) = pool.borrow_mut().take() {
                p.cancel();
            }
            *state_scenario.borrow_mut() = scenario.clone();
            state.set(RunState::Idle);
        });
    }
    // Compared by value, as `use_effect_with` compares its dependency: an equal scenario in a new `Rc` is the same.
    let shown = if *state_scenario.borrow() == props.scenario { (*state).clone() } else { RunState::Idle };
    let current = use_memo(
        (props.scenario.clone(), (*text).clone(), (*service).clone(), *profile),
        |(scenario, text, service, profile)| {
            if text.trim().is_empty() {
                None
            } else {
                Some(overlay(scenario, text, service, *profile).map(Rc::new))
            }
        },
    );
    let on_profile = {
        let profile = profile.clone();
        let state = state.clone();
        Callback::from(move |_: Event| {
            profile.set(!*profile);
            state.set(RunState::Idle);
        })
    };

    let on_text = {
        let text = text.clone();
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(v) = dom::textarea_value(&e) {
                text.set(v);
                state.set(RunState::Idle);
            }
        })
    };
    let on_file = {
        let text = text.clone();
        let state = state.clone();
        Callback::from(move |e: Event| {
            let Some(file) = dom::chosen_file(&e) else { return };
            if file.size() > fit::measured::MAX_MEASURED_BYTES as f64 {
                state.set(RunState::Failed(trf(
                    "{file} is larger than {mib} MiB: not a measured curve.",
                    &[("file", &file.name()), ("mib", &(fit::measured::MAX_MEASURED_BYTES >> 20))],
                )));
                return;
            }
            let text = text.clone();
            let state = state.clone();
            let file = gloo_file::File::from(file);
            *reader.borrow_mut() = Some(gloo_file::callbacks::read_as_text(&file, move |result| match result {
                Ok(t) => {
                    text.set(t);
                    state.set(RunState::Idle);
                }
                Err(e) => state.set(RunState::Failed(trf("Could not read the file: {e}.", &[("e", &e)]))),
            }));
            dom::clear_file_input(&e);
        })
    };
    let on_service = {
        let service = service.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = dom::input_value(&e).or_else(|| {
                use wasm_bindgen::JsCast;
                e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).map(|s| s.value())
            }) {
                service.set(v);
            }
        })
    };
    let on_run = {
        let state = state.clone();
        let pool = pool.clone();
        let current = current.clone();
        let scenario = props.scenario.clone();
        let text = text.clone();
        Callback::from(move |_| {
            let Some(Ok(o)) = current.as_ref() else { return };
            let job = match pool::job_bytes(&o.fit, &scenario, &text) {
                Ok(j) => j,
                Err(e) => return state.set(RunState::Failed(e)),
            };
            let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency());
            let workers = if cores.is_finite() && cores >= 1.0 { cores.min(8.0) as usize } else { 1 };
            let on_event = {
                let state = state.clone();
                Callback::from(move |event: FitEvent| match event {
                    FitEvent::Progress { done, total } => state.set(RunState::Running { done, total }),
                    FitEvent::Finished(report) => state.set(RunState::Done(Rc::new(*report))),
                    FitEvent::Failed(e) => state.set(RunState::Failed(e)),
                })
            };
            state.set(RunState::Running { done: 0, total: o.fit.runs() });
            match pool::start(o.fit.clone(), job, workers, on_event) {
                Ok(p) => *pool.borrow_mut() = Some(p),
                Err(e) => state.set(RunState::Failed(e)),
            }
        })
    };
    let on_cancel = {
        let state = state.clone();
        let pool = pool.clone();
        Callback::from(move |_| {
            if let Some(p) = pool.borrow_mut().take() {
                p.cancel();
            }
            state.set(RunState::Cancelled);
        })
    };
    // The fitted run of seed 1, for the chart and the numbers.
    let fitted = use_memo((shown.clone().done(), current.clone()), |(report, current)| {
        let (Some(report), Some(Ok(o))) = (report, current.as_ref()) else { return None };
        let json = o.fit.fitted_json(report).ok()?;
        let scenario = o.fit.fitted_scenario(report).ok()?;
        let (comparison, curve) = o.fit.evaluate_on(scenario, 1);
        Some((comparison, curve, serde_json::to_string_pretty(&json).ok()?))
    });
    let on_apply = {
        let fitted = fitted.clone();
        let apply = props.on_apply.clone();
        Callback::from(move |_| {
            if let Some((_, _, json)) = fitted.as_ref() {
                apply.emit(json.clone());
            }
        })
    };

    let services: Vec<String> = props.scenario.services.iter().map(|s| s.name.clone()).collect();
    let body = match current.as_ref() {
        None => {
            html! { <p class="fit-hint">{ tr("Paste or open a CSV of time_s,count rows (or the JSON aws ecs describe-services prints) to compare it with this run.") }</p> }
        }
        Some(Err(e)) => html! { <p id="fit-error" class="fit-error" role="alert">{ e.clone() }</p> },
        Some(Ok(o)) => {
            let c = &o.comparison;
            let after = fitted.as_ref().as_ref().map(|(c, _, _)| c.clone());
            html! {
                <>
                { chart(o.fit.measured(), &o.simulated, fitted.as_ref().as_ref().map(|(_, f, _)| f), c.desired) }
                <p class="fit-legend">
                    <span class="key-simulated">{ tr("simulated (seed 1)") }</span>
                    <span class="key-measured">{ trf("measured ({kind} tasks, {points} points)", &[("kind", &c.kind.name()), ("points", &c.points)]) }</span>
                    if after.is_some() { <span class="key-fitted">{ tr("fitted") }</span> }
                </p>
                <table id="fit-errors" class="fit-errors">
                    <thead><tr><th></th><th>{ tr("time error (RMSE)") }</th><th>{ tr("count error (RMSE)") }</th>
                        <th>{ tr("50% of desired") }</th><th>{ "90%" }</th><th>{ "100%" }</th></tr></thead>
                    <tbody>
                        <tr class="fit-measured-row"><th scope="row">{ tr("measured") }</th><td></td><td></td>
                            <td>{ secs(c.measured.t50_s) }</td><td>{ secs(c.measured.t90_s) }</td><td>{ secs(c.measured.t100_s) }</td></tr>
                        { errors(c, &tr("this scenario")) }
                        if let Some(a) = &after { { errors(a, &tr("fitted")) } }
                    </tbody>
                </table>
                <p class="fit-params">{ trf("Searches: {params}", &[("params", &o.fit.spec().params.iter().map(|p| p.text()).collect::<Vec<_>>().join(", "))]) }</p>
                </>
            }
        }
    };
    let ready = matches!(current.as_ref(), Some(Ok(_)));
    let running = matches!(shown, RunState::Running { .. });
    let status = match &shown {
        RunState::Idle => html! {},
        RunState::Running { done, total } => html! {
            <p id="fit-progress" role="status"><progress max={total.to_string()} value={done.to_string()} />{ trf(" {done} of {total} runs", &[("done", done), ("total", total)]) }</p>
        },
        RunState::Cancelled => html! { <p id="fit-progress" role="status">{ tr("Fit cancelled.") }</p> },
        RunState::Failed(e) => html! { <p id="fit-failed" class="fit-error" role="alert">{ e.clone() }</p> },
        RunState::Done(r) => html! {
            <div id="fit-result" class="fit-result">
                <ul>
                    { for r.params.iter().map(|p| html! {
                        <li data-path={p.path.clone()} data-fitted={p.fitted.to_string()}>
                            <code>{ p.path.clone() }</code>{ trf(" = {value} (seeds {min} to {max}; was {was})", &[("value", &p.fitted), ("min", &p.min), ("max", &p.max),
                                ("was", &p.current.map_or_else(|| tr("unset"), |c| c.to_string()))]) }
                        </li>
                    }) }
                    if let Some(c) = &r.choice {
                        <li data-path={c.path.clone()} data-fitted={c.fitted.clone()}>
                            <code>{ c.path.clone() }</code>{ trf(" = {value} (time error per option: {errors}; was {was})", &[("value", &c.fitted),
                                ("errors", &c.options.iter().map(|o| format!("{} {} s", o.value, o.after_rmse_s.unwrap_or_default())).collect::<Vec<_>>().join(", ")),
                                ("was", &c.current)]) }
                        </li>
                    }
                </ul>
                <p>{ trf("Time error {before} s with the scenario, {after} s fitted (mean over {seeds} seeds, {runs} runs).",
                    &[("before", &r.before_rmse_s.unwrap_or_default()), ("after", &r.after_rmse_s.unwrap_or_default()), ("seeds", &r.seeds), ("runs", &r.runs)]) }</p>
                <button id="fit-apply" onclick={on_apply}>{ tr("Apply to the scenario") }</button>
            </div>
        },
    };
    html! {
           <section id="fit-panel" class="fit-panel" aria-labelledby="fit-heading">
               <h2 id="fit-heading">{ tr("Fit to a measurement") }</h2>
               <div class="fit-inputs">
                   <label>{ tr("Measured curve ") }<input id="fit-file" type="file" accept=".csv,.json,.txt,text/csv,application/json" onchange={on_file} /></label>
                   if services.len() > 1 {
                       <label>{ tr("Service ") }<select id="fit-service" onchange={on_service}>
                           { for services.iter().map(|s| html! { <option value={s.clone()} selected={*s == *service}>{ s.clone() }</option> }) }
                       </select></label>
                   }
    <label><input id="fit-profile" type="checkbox" checked={*profile} onchange={on_profile} />{ tr(" Also fit the limits profile (2022 or current)") }</label>
                   <textarea id="fit-measured" rows="4" placeholder={"time_s,running\n0,0\n208,1000"} value={(*text).clone()} oninput={on_text} />
               </div>
               { body }
               <div class="fit-actions">
                   <button id="fit-run" disabled={!ready || running} onclick={on_run}>{ tr("Fit") }</button>
                   if running { <button id="fit-cancel" onclick={on_cancel}>{ tr("Cancel") }</button> }
               </div>
               { status }
           </section>
       }
}

impl RunState {
    fn done(self) -> Option<Rc<FitReport>> {
        match self {
            RunState::Done(r) => Some(r),
            _ => None,
        }
    }
}
