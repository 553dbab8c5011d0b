//! The fit's runs in Web Workers: the sweep's workers (static/sweep-worker.js, the same wasm module) given
//! `{ fit: true, job, first, jobs }` call [`fit_worker_runs`]. The page runs the engine's `Search` one batch at a
//! time: it splits a batch's jobs into chunks, hands them out as workers answer (the pool, [`crate::pool`], is the
//! sweep's), puts every answer back by position, and feeds the whole batch to the search in order, so the result
//! is the CLI's.

use std::cell::RefCell;

use fleetplan_engine::fit::{self, Choice, CurveKind, Evaluation, Fit, FitReport, FitSpec, Job, Milestones, Search};
use fleetplan_engine::scenario::Scenario;
use fleetplan_engine::sweep::Axis;
use wasm_bindgen::prelude::*;
use yew::Callback;

use crate::i18n::{tr, trf};
use crate::pool::{message, Answered, Work};
use crate::runahead::wire::{self, wire_enum, wire_struct};

/// What every chunk carries: the scenario, the measured text and the fit's settings (resolved parameters).
struct FitJob {
    scenario: String,
    measured: String,
    service: Option<String>,
    params: Vec<String>,
    seeds: u32,
    rounds: u32,
    /// The choice searched too (`limits.profile=2022,current`), if any.
    choice: Option<String>,
}

/// The job of a fit as [`wire`] bytes (what [`fit_worker_runs`] reads).
pub fn job_bytes(fit: &Fit, scenario: &Scenario, measured: &str) -> Result<Vec<u8>, String> {
    let spec = fit.spec();
    Ok(wire::encode(&FitJob {
        scenario: serde_json::to_string(&scenario.spec).map_err(|e| e.to_string())?,
        measured: measured.to_string(),
        service: Some(fit.service_name().to_string()),
        params: spec.params.iter().map(Axis::text).collect(),
        seeds: spec.seeds,
        rounds: spec.rounds,
        choice: spec.choice.as_ref().map(Choice::text),
    }))
}

/// The fit a job describes.
pub fn fit_of(job: &[u8]) -> Result<Fit, String> {
    let job: FitJob = wire::decode(job).map_err(|e| format!("fit job: {e}"))?;
    let spec = fleetplan_engine::scenario::parse_spec(&job.scenario).map_err(|e| format!("scenario: {e}"))?;
    let scenario = Scenario::from_spec(spec).map_err(|e| e.to_string())?;
    let curve = fit::parse_measured(&job.measured, job.service.as_deref()).map_err(|e| e.to_string())?;
    let params = job.params.iter().map(|p| Axis::parse(p).map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
    let choice = job.choice.as_deref().map(Choice::parse).transpose().map_err(|e| e.to_string())?;
    let settings = FitSpec { service: job.service, params, seeds: job.seeds, base_seed: 1, rounds: job.rounds, choice };
    Fit::new(settings, &scenario, curve).map_err(|e| e.to_string())
}

thread_local! {
    static CACHE: RefCell<Option<(Vec<u8>, Fit)>> = const { RefCell::new(None) };
}

/// Evaluates the jobs (a list of the engine's `Job` as [`wire`] bytes) of the fit `job` describes (called in a
/// worker); answers the list of their evaluations as [`wire`] bytes.
#[wasm_bindgen]
pub fn fit_worker_runs(job: &[u8], jobs: &[u8]) -> Result<Vec<u8>, JsError> {
    worker_runs(job, jobs).map_err(|e| JsError::new(&e))
}

fn worker_runs(job: &[u8], jobs: &[u8]) -> Result<Vec<u8>, String> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.as_ref().is_none_or(|(j, _)| j != job) {
            *cache = Some((job.to_vec(), fit_of(job)?));
        }
        let (_, fit) = cache.as_ref().ok_or("no fit")?;
        let jobs: Vec<Job> = wire::decode(jobs).map_err(|e| format!("fit jobs: {e}"))?;
        let out = jobs.iter().map(|j| fit.evaluate(j).map_err(|e| e.to_string())).collect::<Result<Vec<_>, _>>()?;
        Ok(wire::encode(&out))
    })
}

/// What a running fit tells the panel.
pub enum FitEvent {
    Progress { done: u64, total: u64 },
    Finished(Box<FitReport>),
    Failed(String),
}

wire_struct! {
    FitJob { scenario, measured, service, params, seeds, rounds, choice }
    Job { values, seed, choice }
    Evaluation { kind, desired, points, rmse_tasks, rmse_s, measured, simulated }
    Milestones { t50_s, t90_s, t100_s }
}

wire_enum! {
    CurveKind: [CurveKind::Running, CurveKind::Launched];
}

/// A fit's runs: the search's batches, each split into chunks of jobs, `{ fit: true, job, first, jobs }`, handed
/// out as workers answer and put back by position; a whole batch goes to the search in order.
pub struct FitWork {
    job: js_sys::Uint8Array,
    fit: Fit,
    search: Search,
    workers: usize,
    /// The current batch, its chunks handed out so far and the evaluations back.
    batch: Vec<Job>,
    next: usize,
    chunk: usize,
    results: Vec<Option<Evaluation>>,
    back: usize,
    on_event: Callback<FitEvent>,
}

impl FitWork {
    fn start_batch(&mut self) {
        self.batch = self.search.batch(&self.fit);
        self.next = 0;
        self.back = 0;
        self.results = vec![None; self.batch.len()];
        self.chunk = self.batch.len().div_ceil(self.workers.max(1) * 2).max(1);
    }
}

impl Work for FitWork {
    fn next(&mut self) -> Result<Option<js_sys::Object>, String> {
        if self.next >= self.batch.len() {
            return Ok(None);
        }
        let end = (self.next + self.chunk).min(self.batch.len());
        let jobs = js_sys::Uint8Array::from(wire::encode(&self.batch[self.next..end].to_vec()).as_slice());
        let first = u32::try_from(self.next).map_err(|_| tr("too many jobs"))?;
        let message =
            message(&[("fit", &JsValue::TRUE), ("job", &self.job), ("first", &first.into()), ("jobs", &jobs)])?;
        self.next = end;
        Ok(Some(message))
    }

    fn answer(&mut self, first: f64, results: &[u8]) -> Result<Answered, String> {
        let evaluations: Vec<Evaluation> =
            wire::decode(results).map_err(|e| trf("a worker's answer: {e}", &[("e", &e)]))?;
        if !(first >= 0.0 && first < self.results.len() as f64) {
            return Err(tr("a worker answered out of range"));
        }
        let first = first as usize;
        for (k, e) in evaluations.into_iter().enumerate() {
            match self.results.get_mut(first + k) {
                Some(slot @ None) => {
                    *slot = Some(e);
                    self.back += 1;
                }
                _ => return Err(tr("a worker answered a run twice or out of range")),
            }
        }
        if self.back < self.batch.len() {
            return Ok(Answered::More);
        }
        let evaluations: Vec<Evaluation> = std::mem::take(&mut self.results).into_iter().flatten().collect();
        self.search.feed(&self.fit, &evaluations).map_err(|e| e.to_string())?;
        if self.search.is_done() {
            let report = self.search.report(&self.fit);
            self.on_event.emit(FitEvent::Finished(Box::new(report)));
            return Ok(Answered::Done);
        }
        self.on_event.emit(FitEvent::Progress { done: self.search.done_runs(), total: self.fit.runs() });
        self.start_batch();
        Ok(Answered::NewBatch)
    }

    fn failed(&self, message: String) {
        self.on_event.emit(FitEvent::Failed(message));
    }

    fn worker_failed(&self, _message: &str) -> String {
        tr("a fit worker failed")
    }
}

/// Running fit workers. Dropping the pool (or `cancel`) terminates them.
pub type FitPool = crate::pool::Pool<FitWork>;

/// Starts `workers` workers on the fit's runs; events arrive through `on_event`.
pub fn start(fit: Fit, job: Vec<u8>, workers: usize, on_event: Callback<FitEvent>) -> Result<FitPool, String> {
    let search = fit.search();
    let mut work = FitWork {
        job: js_sys::Uint8Array::from(job.as_slice()),
        fit,
        search,
        workers: workers.max(1),
        batch: Vec::new(),
        next: 0,
        chunk: 1,
        results: Vec::new(),
        back: 0,
        on_event,
    };
    work.start_batch();
    FitPool::start(work, workers)
}
