//! Sweep runs in Web Workers. Each worker (static/sweep-worker.js) loads this same wasm module and calls
//! [`sweep_worker_runs`] for a batch of consecutive run indices; the page hands out batches from one queue as workers
//! answer ([`crate::pool`], shared with the fit panel), and puts every answer back by run index, so the results do
//! not depend on which worker ran what.

use std::cell::RefCell;

use crate::i18n::{tr, trf};
use crate::pool::{message, Answered, Work};
use crate::runahead::wire::{self, wire_struct};
use fleetplan_engine::scenario::Scenario;
use fleetplan_engine::spec::ScenarioSpec;
use fleetplan_engine::sweep::{RunResult, Sweep, SweepArgs, SweepSpec, OUTCOMES};
use wasm_bindgen::prelude::*;
use yew::Callback;

/// The most workers a sweep starts. Each worker holds its own copy of the wasm module and its memory (a few MB to
/// tens of MB for a large scenario) and costs a module compile to start; past eight, a page sweep of this size
/// (≤ 100,000 runs of about a millisecond each) gains little while memory grows with every worker.
pub const MAX_WORKERS: usize = 8;

/// What the page sends a worker with every batch: the scenario (its spec as JSON) and the sweep's settings.
struct Job {
    scenario: String,
    args: SweepArgs,
}

wire_struct! {
    Job { scenario, args }
    SweepArgs { set, seeds, base_seed, minimize, require, confidence }
}

/// The job for a scenario and settings as [`wire`] bytes (what [`sweep_worker_runs`] reads).
pub fn job_bytes(spec: &ScenarioSpec, args: &SweepArgs) -> Result<Vec<u8>, String> {
    let scenario = serde_json::to_string(spec).map_err(|e| e.to_string())?;
    Ok(wire::encode(&Job { scenario, args: args.clone() }))
}

/// A worker's sweep, kept between batches of one job: the job's text, the sweep and the last point's scenario.
struct Cached {
    job: Vec<u8>,
    sweep: Sweep,
    point: Option<(u64, Scenario)>,
}

thread_local! {
    static CACHE: RefCell<Option<Cached>> = const { RefCell::new(None) };
}

/// Runs `count` runs from `first` of the sweep `job` describes (called in a worker). Answers the runs' results
/// as [`wire`] bytes: each run's index and outcomes, the numbers' exact bits.
#[wasm_bindgen]
pub fn sweep_worker_runs(job: &[u8], first: u32, count: u32) -> Result<Vec<u8>, JsError> {
    worker_runs(job, first, count).map_err(|e| JsError::new(&e))
}

fn worker_runs(job: &[u8], first: u32, count: u32) -> Result<Vec<u8>, String> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.as_ref().is_none_or(|c| c.job != job) {
            *cache = Some(Cached { job: job.to_vec(), sweep: sweep_of(job)?, point: None });
        }
        let cached = cache.as_mut().ok_or("no sweep")?;
        let end = u64::from(first) + u64::from(count);
        if end > cached.sweep.runs() {
            return Err(format!("runs {first}..{end} are past the sweep's {}", cached.sweep.runs()));
        }
        let mut out: Vec<RunResult> = Vec::new();
        for index in u64::from(first)..end {
            let point = cached.sweep.plan(index).point;
            let scenario = match &cached.point {
                Some((p, s)) if *p == point => s.clone(),
                _ => {
                    let s = cached.sweep.scenario_at(point).map_err(|e| e.to_string())?;
                    cached.point = Some((point, s.clone()));
                    s
                }
            };
            out.push(cached.sweep.execute_on(scenario, index));
        }
        Ok(wire::encode(&out))
    })
}

fn sweep_of(job: &[u8]) -> Result<Sweep, String> {
    let job: Job = wire::decode(job).map_err(|e| trf("sweep job: {e}", &[("e", &e)]))?;
    // The page's own parser (no second copy of the format's deserializer in the wasm).
    let spec = fleetplan_engine::scenario::parse_spec(&job.scenario).map_err(|e| trf("scenario: {e}", &[("e", &e)]))?;
    let settings = SweepSpec::parse(&job.args).map_err(|e| e.to_string())?;
    Sweep::new(settings, &spec).map_err(|e| e.to_string())
}

wire_struct! {
    RunResult { index, values }
}

/// Reads a worker's answer back into results, each with every outcome.
pub fn parse_answer(bytes: &[u8]) -> Result<Vec<RunResult>, String> {
    let runs: Vec<RunResult> = wire::decode(bytes).map_err(String::from)?;
    match runs.iter().find(|r| r.values.len() != OUTCOMES.len()) {
        Some(r) => Err(format!("run {}: {} outcomes, expected {}", r.index, r.values.len(), OUTCOMES.len())),
        None => Ok(runs),
    }
}

/// The batch size: about twenty batches a worker, so the progress bar moves and a slow worker holds few runs, at
/// most 25 runs a batch so a cancel or the last batches are never long.
pub fn batch_size(runs: u64, workers: usize) -> u32 {
    let per = runs.div_ceil((workers.max(1) as u64) * 20);
    u32::try_from(per.clamp(1, 25)).unwrap_or(25)
}

/// How many workers: as many as the browser reports cores (at least one), at most [`MAX_WORKERS`], and no more
/// than there are batches.
pub fn worker_count(cores: f64, runs: u64, batch: u32) -> usize {
    let cores = if cores.is_finite() && cores >= 1.0 { cores.min(MAX_WORKERS as f64) as usize } else { 1 };
    let batches = runs.div_ceil(u64::from(batch.max(1)));
    cores.min(usize::try_from(batches).unwrap_or(usize::MAX)).max(1)
}

/// What a running pool tells the panel.
pub enum PoolEvent {
    Progress { done: u64 },
    Finished(Vec<RunResult>),
    Failed(String),
}

/// A sweep's runs handed out in chunks of consecutive indices, `{ job, first, count }`, and put back by index.
pub struct SweepWork {
    job: js_sys::Uint8Array,
    total: u64,
    next: u64,
    batch: u32,
    done: u64,
    results: Vec<Option<RunResult>>,
    on_event: Callback<PoolEvent>,
}

impl Work for SweepWork {
    fn next(&mut self) -> Result<Option<js_sys::Object>, String> {
        if self.next >= self.total {
            return Ok(None);
        }
        let count = u64::from(self.batch).min(self.total - self.next);
        let first = u32::try_from(self.next).map_err(|_| tr("run index too large"))?;
        let n = u32::try_from(count).map_err(|_| tr("batch too large"))?;
        let message = message(&[("job", &self.job), ("first", &first.into()), ("count", &n.into())])?;
        self.next += count;
        Ok(Some(message))
    }

    fn answer(&mut self, _first: f64, results: &[u8]) -> Result<Answered, String> {
        let runs = parse_answer(results).map_err(|e| trf("a worker's answer: {e}", &[("e", &e)]))?;
        for r in runs {
            let slot = usize::try_from(r.index).ok().and_then(|i| self.results.get_mut(i));
            match slot {
                Some(slot @ None) => {
                    *slot = Some(r);
                    self.done += 1;
                }
                _ => return Err(format!("a worker answered run {} twice or out of range", r.index)),
            }
        }
        if self.done == self.total {
            let results: Vec<RunResult> = std::mem::take(&mut self.results).into_iter().flatten().collect();
            self.on_event.emit(PoolEvent::Finished(results));
            return Ok(Answered::Done);
        }
        self.on_event.emit(PoolEvent::Progress { done: self.done });
        Ok(Answered::More)
    }

    fn failed(&self, message: String) {
        self.on_event.emit(PoolEvent::Failed(message));
    }

    fn worker_failed(&self, message: &str) -> String {
        trf("a sweep worker failed: {message}", &[("message", &message)])
    }
}

/// Running sweep workers. Dropping the pool (or `cancel`) terminates them.
pub type Pool = crate::pool::Pool<SweepWork>;

/// Starts `workers` workers on the sweep's runs; events arrive through `on_event`.
pub fn start(
    job: Vec<u8>,
    runs: u64,
    workers: usize,
    batch: u32,
    on_event: Callback<PoolEvent>,
) -> Result<Pool, String> {
    let total_slots = usize::try_from(runs).map_err(|_| tr("too many runs"))?;
    let job = js_sys::Uint8Array::from(job.as_slice());
    let work = SweepWork { job, total: runs, next: 0, batch, done: 0, results: vec![None; total_slots], on_event };
    Pool::start(work, workers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_read_back_exactly() {
        let values = [0.1 + 0.2, 1e-300, 123_456.789_012_345_6, f64::MAX];
        let run =
            RunResult { index: 3, values: (0..OUTCOMES.len()).map(|i| (i % 5 != 4).then(|| values[i % 4])).collect() };
        let runs = parse_answer(&wire::encode(&vec![run.clone()])).unwrap();
        assert_eq!(runs, vec![run]);
        assert_eq!(runs[0].values[0], Some(0.1 + 0.2));
        assert_eq!(runs[0].values[3], Some(f64::MAX));
        assert_eq!(runs[0].values[4], None);
        let short = RunResult { index: 0, values: vec![Some(1.0)] };
        assert!(parse_answer(&wire::encode(&vec![short])).is_err(), "too few outcomes");
    }

    #[test]
    fn workers_and_batches() {
        assert_eq!(worker_count(2.0, 1000, batch_size(1000, 2)), 2);
        assert_eq!(worker_count(64.0, 100_000, 25), MAX_WORKERS);
        assert_eq!(worker_count(f64::NAN, 10, 1), 1);
        assert_eq!(worker_count(8.0, 1, batch_size(1, 8)), 1, "one run, one worker");
        assert_eq!(batch_size(1000, 2), 25);
        assert_eq!(batch_size(100, 2), 3);
        assert_eq!(batch_size(0, 0), 1);
    }

    #[test]
    fn a_worker_runs_what_the_page_would() {
        let scenario = fleetplan_engine::presets::get("fargate-ondemand-1000").unwrap().scenario().unwrap();
        let args = SweepArgs {
            set: vec!["services[0].desired_count=10..20:2".into()],
            seeds: 2,
            base_seed: 1,
            minimize: None,
            require: vec![],
            confidence: None,
        };
        let job = job_bytes(&scenario.spec, &args).unwrap();
        let sweep = Sweep::new(SweepSpec::parse(&args).unwrap(), &scenario.spec).unwrap();
        let mut got = parse_answer(&worker_runs(&job, 1, 2).unwrap()).unwrap();
        got.extend(parse_answer(&worker_runs(&job, 3, 1).unwrap()).unwrap());
        let want: Vec<RunResult> = (1..4).map(|i| sweep.execute(i).unwrap()).collect();
        assert_eq!(got, want);
    }
}
