//! The page's side of a run-ahead worker: starts `runahead-worker.js` on a job and keeps what it reports until the
//! frame loop (or the comparison panel) takes it. Dropping the handle, or [`RunAhead::cancel`], terminates the
//! worker at once.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::Update;

/// What a worker said.
pub enum Message {
    Update(Box<Update>),
    /// The worker could not start or the run failed; the text says why.
    Failed(String),
}

/// A running worker and its unread messages.
pub struct RunAhead {
    worker: web_sys::Worker,
    inbox: Rc<RefCell<Vec<Message>>>,
    /// The worker has loaded the module (said `ready`): stopping it then is `terminate`, before it a message.
    loaded: Rc<Cell<bool>>,
    /// The worker sent its last report and is idle, its memory small enough to keep: let go, it becomes the spare.
    reusable: Rc<Cell<bool>>,
    /// Let go already (kept as the spare or stopped): nothing more arrives.
    released: Cell<bool>,
    _handlers: [Closure<dyn FnMut(web_sys::Event)>; 2],
}

impl RunAhead {
    /// Starts a worker on `job` ([`super::Job::text`]); `wake` is called after each message arrives (the frame
    /// loop needs none: it looks every frame).
    pub fn start(job: &str, wake: Option<Rc<dyn Fn()>>) -> Result<RunAhead, String> {
        // The spare (started at page load, or the worker of the last run that finished, its module loaded and
        // optimised by that run), or a new worker. A worker becomes the spare when its run has finished ([`RunAhead::release`]),
        // so a spare never competes with a run for the CPU.
        let spare = SPARE.with(|s| s.borrow_mut().take());
        let Spare { worker, loaded, _on_ready } = match spare {
            Some(spare) => spare,
            None => Spare::new()?,
        };
        let inbox = Rc::new(RefCell::new(Vec::new()));
        let reusable = Rc::new(Cell::new(false));
        let on_message = {
            let (inbox, wake, loaded, reusable) = (inbox.clone(), wake.clone(), loaded.clone(), reusable.clone());
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let data = event.dyn_ref::<web_sys::MessageEvent>().map(web_sys::MessageEvent::data);
                let ready = data.as_ref().and_then(|d| js_sys::Reflect::get(d, &JsValue::from_str("ready")).ok());
                if ready.is_some_and(|r| r.is_truthy()) {
                    loaded.set(true);
                    return;
                }
                let get = |k: &str| {
                    data.as_ref()
                        .and_then(|d| js_sys::Reflect::get(d, &JsValue::from_str(k)).ok())
                        .and_then(|v| v.as_string())
                };
                let update = data
                    .as_ref()
                    .and_then(|d| js_sys::Reflect::get(d, &JsValue::from_str("update")).ok())
                    .and_then(|u| u.dyn_into::<js_sys::Uint8Array>().ok());
                let message = match (update, get("error")) {
                    (Some(bytes), _) => match super::wire::decode::<Update>(&bytes.to_vec()) {
                        Ok(update) => {
                            if update.finished.is_some() {
                                // The worker's wasm memory never shrinks: one a big run grew is not kept idle.
                                let memory = data
                                    .as_ref()
                                    .and_then(|d| js_sys::Reflect::get(d, &JsValue::from_str("memory")).ok())
                                    .and_then(|m| m.as_f64());
                                reusable.set(memory.is_some_and(|bytes| bytes <= KEEP_MEMORY_BYTES));
                            }
                            Message::Update(Box::new(update))
                        }
                        Err(e) => Message::Failed(format!("the run-ahead worker's report: {e}")),
                    },
                    (None, Some(error)) => Message::Failed(error),
                    (None, None) => Message::Failed("the run-ahead worker answered nothing".into()),
                };
                inbox.borrow_mut().push(message);
                if let Some(wake) = &wake {
                    wake();
                }
            })
        };
        let on_error = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                let message = crate::pool::worker_error(&event);
                inbox.borrow_mut().push(Message::Failed(format!("the run-ahead worker failed: {message}")));
                if let Some(wake) = &wake {
                    wake();
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
        worker.post_message(&JsValue::from_str(job)).map_err(|_| {
            worker.terminate();
            "could not send the worker its run".to_string()
        })?;
        Ok(RunAhead { worker, inbox, loaded, reusable, released: Cell::new(false), _handlers: [on_message, on_error] })
    }

    /// The messages that arrived since the last call, oldest first.
    pub fn drain(&self) -> Vec<Message> {
        std::mem::take(&mut *self.inbox.borrow_mut())
    }

    /// Lets the worker go now (stopped mid-run, kept as the spare once finished); nothing more arrives.
    pub fn cancel(&self) {
        self.release();
        self.inbox.borrow_mut().clear();
    }

    /// Lets the worker go: one that finished its run (idle, its module loaded and its hot code compiled by the
    /// run) becomes the spare for the next run; any other is stopped. Its results do not depend on what it ran
    /// before: the engine keeps no state outside a `Simulation` (no statics, no hash order; the sweep's workers
    /// already run many jobs each), which tests/e2e/worker.test.mjs checks on a reused worker.
    fn release(&self) {
        if self.released.replace(true) {
            return;
        }
        // A message already queued must not reach the handlers dropped with this.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.set_onmessageerror(None);
        if self.reusable.get() {
            Spare::keep(self.worker.clone());
        } else {
            stop(&self.worker, self.loaded.get());
        }
    }
}

/// Stops a worker: `terminate` once it has loaded its module; before that a message (terminating would abort its
/// download), and it closes itself once loaded.
fn stop(worker: &web_sys::Worker, loaded: bool) {
    if loaded {
        worker.terminate();
    } else {
        let _ = worker.post_message(&JsValue::from_str("stop"));
    }
}

impl Drop for RunAhead {
    fn drop(&mut self) {
        self.release();
    }
}

/// A run-ahead worker ready before it is needed, so the next run ahead (a preset opened, a comparison's variant)
/// costs the engine's time only (issue 13: the summary within 1.5x of the native run). One is kept: at page load a
/// new worker, which loads and compiles its module; later the worker of the last run that finished, whose hot
/// functions V8 has recompiled with its optimising tier during that run (a first run in a fresh module spends its
/// first part in the baseline compiler's slower code; README, "The run ahead in a Web Worker").
struct Spare {
    worker: web_sys::Worker,
    loaded: Rc<Cell<bool>>,
    /// Notes `ready` until [`RunAhead::start`] replaces the handler with its own (none for a worker kept after a
    /// run: it is loaded).
    _on_ready: Option<Closure<dyn FnMut(web_sys::Event)>>,
}

impl Spare {
    fn new() -> Result<Spare, String> {
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        // Relative to the page: works from any sub-path.
        let worker = web_sys::Worker::new_with_options("runahead-worker.js", &options)
            .map_err(|_| "could not start a Web Worker".to_string())?;
        let loaded = Rc::new(Cell::new(false));
        let on_ready = {
            let loaded = loaded.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let data = event.dyn_ref::<web_sys::MessageEvent>().map(web_sys::MessageEvent::data);
                let ready = data.as_ref().and_then(|d| js_sys::Reflect::get(d, &JsValue::from_str("ready")).ok());
                if ready.is_some_and(|r| r.is_truthy()) {
                    loaded.set(true);
                }
            })
        };
        worker.set_onmessage(Some(on_ready.as_ref().unchecked_ref()));
        Ok(Spare { worker, loaded, _on_ready: Some(on_ready) })
    }

    /// Keeps a worker whose run has finished as the spare; one already kept (a new worker, cold) is let go.
    fn keep(worker: web_sys::Worker) {
        let old =
            SPARE.with(|s| s.borrow_mut().replace(Spare { worker, loaded: Rc::new(Cell::new(true)), _on_ready: None }));
        if let Some(old) = old {
            old.worker.set_onmessage(None);
            stop(&old.worker, old.loaded.get());
        }
    }
}

/// The most wasm memory a finished worker may hold and still be kept as the spare (a module's memory only grows,
/// so a worker keeps what its biggest run needed): `stress-100k` leaves its worker at 34 MiB (its memory's size after
/// `run_ahead_worker`, in headless Chromium), the 200,000-task week far more, and that worker is let go.
const KEEP_MEMORY_BYTES: f64 = 256.0 * 1024.0 * 1024.0;

thread_local! {
    static SPARE: RefCell<Option<Spare>> = const { RefCell::new(None) };
}

/// A spare worker has loaded its module: a run ahead started now costs the engine's time only.
pub fn spare_ready() -> bool {
    SPARE.with(|s| s.borrow().as_ref().is_some_and(|spare| spare.loaded.get()))
}

/// Starts the spare run-ahead worker if none is ready (the page calls this once it is shown). Where no worker can
/// start, nothing happens: `start` reports it when a run needs one.
pub fn prepare() {
    SPARE.with(|s| {
        let mut s = s.borrow_mut();
        if s.is_none() {
            *s = Spare::new().ok();
        }
    });
}

/// What [`RunAll`] hands back: each run's summary and whole series, in the order of the jobs.
pub type Runs = Vec<(fleetplan_engine::Summary, fleetplan_engine::TimeSeries)>;

/// Several runs at once, each in its own worker (the comparison's variants), reported together once all have
/// finished. Dropping it terminates the workers still running.
pub struct RunAll {
    _inner: Rc<RefCell<AllInner>>,
}

struct AllInner {
    workers: Vec<RunAhead>,
    series: Vec<fleetplan_engine::TimeSeries>,
    summaries: Vec<Option<fleetplan_engine::Summary>>,
    over: bool,
    on_done: yew::Callback<Result<Runs, String>>,
}

impl AllInner {
    fn wake(&mut self, i: usize) {
        if self.over {
            return;
        }
        let messages = self.workers.get(i).map(RunAhead::drain).unwrap_or_default();
        for message in messages {
            match message {
                Message::Update(update) => {
                    if update.rows_from != self.series[i].len() {
                        return self.fail(format!("run {i}: a report out of order"));
                    }
                    super::append(&mut self.series[i], update.rows);
                    if let Some(finished) = update.finished {
                        self.summaries[i] = Some(finished.summary);
                        // Done: its worker is let go (kept as the spare or terminated; not dropped: this is its
                        // handler).
                        self.workers[i].cancel();
                    }
                }
                Message::Failed(e) => return self.fail(e),
            }
        }
        if self.summaries.iter().all(Option::is_some) {
            self.over = true;
            let runs = self
                .summaries
                .iter_mut()
                .zip(&mut self.series)
                .map(|(s, t)| (s.take(), std::mem::replace(t, fleetplan_engine::TimeSeries::new(1000))));
            let runs: Runs = runs.filter_map(|(s, t)| s.map(|s| (s, t))).collect();
            self.on_done.emit(Ok(runs));
        }
    }

    fn fail(&mut self, message: String) {
        self.over = true;
        for w in &self.workers {
            w.cancel();
        }
        self.on_done.emit(Err(message));
    }
}

impl RunAll {
    /// Starts a worker per job ([`super::Job::text_for`]); `on_done` is called once, with every run or the first error.
    pub fn start(jobs: &[String], on_done: yew::Callback<Result<Runs, String>>) -> Result<RunAll, String> {
        let inner = Rc::new(RefCell::new(AllInner {
            workers: Vec::new(),
            series: jobs.iter().map(|_| fleetplan_engine::TimeSeries::new(1000)).collect(),
            summaries: vec![None; jobs.len()],
            over: false,
            on_done,
        }));
        for (i, job) in jobs.iter().enumerate() {
            let weak = Rc::downgrade(&inner);
            let wake: Rc<dyn Fn()> = Rc::new(move || {
                if let Some(inner) = weak.upgrade() {
                    inner.borrow_mut().wake(i);
                }
            });
            let worker = RunAhead::start(job, Some(wake))?;
            inner.borrow_mut().workers.push(worker);
        }
        Ok(RunAll { _inner: inner })
    }
}
