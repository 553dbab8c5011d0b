//! The fit's runs in Web Workers: the sweep's workers (static/sweep-worker.js, the same wasm module) given
//! `{ fit: true, job, first, jobs }` call [`fit_worker_runs`]. The page runs the engine's `Search` one batch at a
//! time: it splits a batch's jobs into chunks, hands them out as workers answer, puts every answer back by
//! position, and feeds the whole batch to the search in order, so the result is the CLI's.

use std::cell::RefCell;
use std::rc::Rc;

use fleetplan_engine::fit::{self, Choice, Evaluation, Fit, FitReport, FitSpec, Job, Search};
use fleetplan_engine::scenario::Scenario;
use fleetplan_engine::sweep::Axis;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::Callback;

use crate::i18n::{tr, trf};

/// What every chunk carries: the scenario, the measured text and the fit's settings (resolved parameters).
#[derive(Serialize, Deserialize)]
struct FitJob {
    scenario: String,
    measured: String,
    service: Option<String>,
    params: Vec<String>,
    seeds: u32,
    rounds: u32,
    /// The choice searched too (`limits.profile=2022,current`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    choice: Option<String>,
}

/// The job text of a fit (what [`fit_worker_runs`] reads).
pub fn job_text(fit: &Fit, scenario: &Scenario, measured: &str) -> Result<String, String> {
    let spec = fit.spec();
    serde_json::to_string(&FitJob {
        scenario: serde_json::to_string(&scenario.spec).map_err(|e| e.to_string())?,
        measured: measured.to_string(),
        service: Some(fit.service_name().to_string()),
        params: spec.params.iter().map(Axis::text).collect(),
        seeds: spec.seeds,
        rounds: spec.rounds,
        choice: spec.choice.as_ref().map(Choice::text),
    })
    .map_err(|e| e.to_string())
}

/// The fit a job text describes.
pub fn fit_of(job: &str) -> Result<Fit, String> {
    let job: FitJob = serde_json::from_str(job).map_err(|e| format!("fit job: {e}"))?;
    let spec = fleetplan_engine::scenario::parse_spec(&job.scenario).map_err(|e| format!("scenario: {e}"))?;
    let scenario = Scenario::from_spec(spec).map_err(|e| e.to_string())?;
    let curve = fit::parse_measured(&job.measured, job.service.as_deref()).map_err(|e| e.to_string())?;
    let params = job.params.iter().map(|p| Axis::parse(p).map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
    let choice = job.choice.as_deref().map(Choice::parse).transpose().map_err(|e| e.to_string())?;
    let settings = FitSpec { service: job.service, params, seeds: job.seeds, base_seed: 1, rounds: job.rounds, choice };
    Fit::new(settings, &scenario, curve).map_err(|e| e.to_string())
}

thread_local! {
    static CACHE: RefCell<Option<(String, Fit)>> = const { RefCell::new(None) };
}

/// Evaluates the jobs (a JSON list of the engine's `Job`) of the fit `job` describes (called in a worker); answers
/// the JSON list of their evaluations.
#[wasm_bindgen]
pub fn fit_worker_runs(job: &str, jobs: &str) -> Result<String, JsError> {
    worker_runs(job, jobs).map_err(|e| JsError::new(&e))
}

fn worker_runs(job: &str, jobs: &str) -> Result<String, String> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.as_ref().is_none_or(|(j, _)| j != job) {
            *cache = Some((job.to_string(), fit_of(job)?));
        }
        let (_, fit) = cache.as_ref().ok_or("no fit")?;
        let jobs: Vec<Job> = serde_json::from_str(jobs).map_err(|e| format!("fit jobs: {e}"))?;
        let out = jobs.iter().map(|j| fit.evaluate(j).map_err(|e| e.to_string())).collect::<Result<Vec<_>, _>>()?;
        serde_json::to_string(&out).map_err(|e| e.to_string())
    })
}

/// What a running fit tells the panel.
pub enum FitEvent {
    Progress { done: u64, total: u64 },
    Finished(Box<FitReport>),
    Failed(String),
}

struct Inner {
    workers: Vec<web_sys::Worker>,
    job: String,
    fit: Fit,
    search: Search,
    /// The current batch, its chunks handed out so far and the evaluations back.
    batch: Vec<Job>,
    next: usize,
    chunk: usize,
    results: Vec<Option<Evaluation>>,
    back: usize,
    over: bool,
    on_event: Callback<FitEvent>,
}

impl Inner {
    fn start_batch(&mut self) {
        self.batch = self.search.batch(&self.fit);
        self.next = 0;
        self.back = 0;
        self.results = vec![None; self.batch.len()];
        self.chunk = self.batch.len().div_ceil(self.workers.len().max(1) * 2).max(1);
    }

    fn feed(&mut self, w: usize) -> Result<(), String> {
        if self.next >= self.batch.len() {
            return Ok(());
        }
        let end = (self.next + self.chunk).min(self.batch.len());
        let jobs = serde_json::to_string(&self.batch[self.next..end]).map_err(|e| e.to_string())?;
        let message = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&message, &JsValue::from_str(k), v).map(|_| ());
        let first = u32::try_from(self.next).map_err(|_| tr("too many jobs"))?;
        set("fit", &JsValue::TRUE)
            .and_then(|()| set("job", &JsValue::from_str(&self.job)))
            .and_then(|()| set("first", &JsValue::from(first)))
            .and_then(|()| set("jobs", &JsValue::from_str(&jobs)))
            .map_err(|_| tr("could not build the message"))?;
        self.workers[w].post_message(&message).map_err(|_| tr("could not send a worker its runs"))?;
        self.next = end;
        Ok(())
    }

    fn stop(&mut self) {
        self.over = true;
        for w in &self.workers {
            w.terminate();
        }
    }

    fn fail(&mut self, message: String) {
        if !self.over {
            self.stop();
            self.on_event.emit(FitEvent::Failed(message));
        }
    }

    fn answer(&mut self, w: usize, data: &JsValue) {
        if self.over {
            return;
        }
        let get = |k: &str| js_sys::Reflect::get(data, &JsValue::from_str(k)).ok();
        if let Some(error) = get("error").and_then(|e| e.as_string()) {
            return self.fail(error);
        }
        let first = get("first").and_then(|f| f.as_f64()).unwrap_or(-1.0);
        let Some(text) = get("results").and_then(|r| r.as_string()) else {
            return self.fail(tr("a worker answered without results"));
        };
        let evaluations: Vec<Evaluation> = match serde_json::from_str(&text) {
            Ok(e) => e,
            Err(e) => return self.fail(trf("a worker's answer: {e}", &[("e", &e)])),
        };
        if !(first >= 0.0 && first < self.results.len() as f64) {
            return self.fail(tr("a worker answered out of range"));
        }
        let first = first as usize;
        for (k, e) in evaluations.into_iter().enumerate() {
            match self.results.get_mut(first + k) {
                Some(slot @ None) => {
                    *slot = Some(e);
                    self.back += 1;
                }
                _ => return self.fail(tr("a worker answered a run twice or out of range")),
            }
        }
        if self.back == self.batch.len() {
            let evaluations: Vec<Evaluation> = std::mem::take(&mut self.results).into_iter().flatten().collect();
            if let Err(e) = self.search.feed(&self.fit, &evaluations) {
                return self.fail(e.to_string());
            }
            if self.search.is_done() {
                self.stop();
                let report = self.search.report(&self.fit);
                self.on_event.emit(FitEvent::Finished(Box::new(report)));
                return;
            }
            self.on_event.emit(FitEvent::Progress { done: self.search.done_runs(), total: self.fit.runs() });
            self.start_batch();
            for w in 0..self.workers.len() {
                if let Err(e) = self.feed(w) {
                    return self.fail(e);
                }
            }
            return;
        }
        if let Err(e) = self.feed(w) {
            self.fail(e);
        }
    }
}

/// Running workers. Dropping the pool (or [`FitPool::cancel`]) terminates them.
pub struct FitPool {
    inner: Rc<RefCell<Inner>>,
    _handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl FitPool {
    pub fn start(fit: Fit, job: String, workers: usize, on_event: Callback<FitEvent>) -> Result<FitPool, String> {
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let search = fit.search();
        let inner = Rc::new(RefCell::new(Inner {
            workers: Vec::new(),
            job,
            fit,
            search,
            batch: Vec::new(),
            next: 0,
            chunk: 1,
            results: Vec::new(),
            back: 0,
            over: false,
            on_event,
        }));
        let mut handlers = Vec::new();
        for w in 0..workers.max(1) {
            let worker = web_sys::Worker::new_with_options("sweep-worker.js", &options).map_err(|_| {
                inner.borrow_mut().stop();
                tr("could not start a Web Worker")
            })?;
            let on_message = {
                let inner = inner.clone();
                Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                    let data = event.dyn_ref::<web_sys::MessageEvent>().map(web_sys::MessageEvent::data);
                    inner.borrow_mut().answer(w, &data.unwrap_or(JsValue::UNDEFINED));
                })
            };
            let on_error = {
                let inner = inner.clone();
                Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                    event.prevent_default();
                    inner.borrow_mut().fail(tr("a fit worker failed"));
                })
            };
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            handlers.push(on_message);
            handlers.push(on_error);
            inner.borrow_mut().workers.push(worker);
        }
        {
            let mut i = inner.borrow_mut();
            i.start_batch();
            for w in 0..i.workers.len() {
                if let Err(e) = i.feed(w) {
                    i.stop();
                    return Err(e);
                }
            }
        }
        Ok(FitPool { inner, _handlers: handlers })
    }

    pub fn cancel(&self) {
        self.inner.borrow_mut().stop();
    }
}

impl Drop for FitPool {
    fn drop(&mut self) {
        self.inner.borrow_mut().stop();
    }
}
