//! The pool of Web Workers the sweep and fit panels share: each worker is `static/sweep-worker.js` (it loads this
//! same wasm module) and answers every message with `{ first, results }` (the runs' results as
//! [`crate::runahead::wire`] bytes) or `{ first, error }`. The pool starts the workers, hands out messages as they
//! answer, stops them all on the first failure, on cancel or when dropped; what a message holds and what an answer
//! means is the [`Work`]'s (the sweep's chunks of run indices, `sweep/pool.rs`; the fit's batches of jobs,
//! `fit/pool.rs`).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::tr;

/// What the pool does after a [`Work::answer`].
pub enum Answered {
    /// Hand the worker that answered its next message.
    More,
    /// A new batch began: hand every worker a message.
    NewBatch,
    /// Every run is in: stop the workers.
    Done,
}

/// A kind of work for the pool's workers.
pub trait Work: 'static {
    /// The next message to hand a worker, or `None` while nothing is left to hand out.
    fn next(&mut self) -> Result<Option<js_sys::Object>, String>;
    /// Takes in a worker's answer: the message's `first` and its results' bytes.
    fn answer(&mut self, first: f64, results: &[u8]) -> Result<Answered, String>;
    /// Tells the panel the work failed (called once, after the workers are stopped).
    fn failed(&self, message: String);
    /// What the panel says when a worker itself fails (its script, or an error thrown out of it).
    fn worker_failed(&self, message: &str) -> String;
}

thread_local! {
    /// Workers started ahead of a run ([`prepare`]): their module loads while the person fills in the panel, so the
    /// run does not wait for it. [`Pool::start`] takes them first.
    static PREPARED: RefCell<Vec<web_sys::Worker>> = const { RefCell::new(Vec::new()) };
}

/// A new pool worker: `static/sweep-worker.js` as a module worker.
fn new_worker() -> Result<web_sys::Worker, String> {
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    // Relative to the page: works from any sub-path.
    web_sys::Worker::new_with_options("sweep-worker.js", &options).map_err(|_| tr("could not start a Web Worker"))
}

/// Starts workers until `count` wait prepared (the sweep panel was opened, with the sweep's own worker count): each
/// loads the workers' module. A worker that cannot start is left to [`Pool::start`] to report.
pub fn prepare(count: usize) {
    PREPARED.with(|prepared| {
        let mut prepared = prepared.borrow_mut();
        while prepared.len() < count {
            match new_worker() {
                Ok(worker) => prepared.push(worker),
                Err(_) => break,
            }
        }
    });
}

/// Terminates the prepared workers (the panel was closed): an idle worker still holds its module and memory.
pub fn release_prepared() {
    PREPARED.with(|prepared| prepared.borrow_mut().drain(..).for_each(|worker| worker.terminate()));
}

struct Inner<W> {
    workers: Vec<web_sys::Worker>,
    work: W,
    over: bool,
}

impl<W: Work> Inner<W> {
    fn feed(&mut self, w: usize) -> Result<(), String> {
        if let Some(message) = self.work.next()? {
            self.workers[w].post_message(&message).map_err(|_| tr("could not send a worker its runs"))?;
        }
        Ok(())
    }

    fn feed_all(&mut self) -> Result<(), String> {
        (0..self.workers.len()).try_for_each(|w| self.feed(w))
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
            self.work.failed(message);
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
        let Some(results) = get("results").and_then(|r| r.dyn_into::<js_sys::Uint8Array>().ok()) else {
            return self.fail(tr("a worker answered without results"));
        };
        let next = match self.work.answer(first, &results.to_vec()) {
            Ok(Answered::More) => self.feed(w),
            Ok(Answered::NewBatch) => self.feed_all(),
            Ok(Answered::Done) => {
                self.stop();
                Ok(())
            }
            Err(e) => Err(e),
        };
        if let Err(e) = next {
            self.fail(e);
        }
    }
}

/// Running workers. Dropping the pool (or [`Pool::cancel`]) terminates them.
pub struct Pool<W> {
    inner: Rc<RefCell<Inner<W>>>,
    _handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl<W: Work> Pool<W> {
    /// Starts `workers` workers (at least one; prepared ones first) on `work` and hands each its first message.
    pub fn start(work: W, workers: usize) -> Result<Pool<W>, String> {
        let inner = Rc::new(RefCell::new(Inner { workers: Vec::new(), work, over: false }));
        let mut handlers = Vec::new();
        for w in 0..workers.max(1) {
            let prepared = PREPARED.with(|prepared| prepared.borrow_mut().pop());
            let worker = prepared.map_or_else(new_worker, Ok).inspect_err(|_| inner.borrow_mut().stop())?;
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
                    let message = worker_error(&event);
                    let mut inner = inner.borrow_mut();
                    let message = inner.work.worker_failed(&message);
                    inner.fail(message);
                })
            };
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
            handlers.push(on_message);
            handlers.push(on_error);
            inner.borrow_mut().workers.push(worker);
        }
        let fed = inner.borrow_mut().feed_all();
        if let Err(e) = fed {
            inner.borrow_mut().stop();
            return Err(e);
        }
        Ok(Pool { inner, _handlers: handlers })
    }

    /// Terminates every worker at once; no event follows.
    pub fn cancel(&self) {
        self.inner.borrow_mut().stop();
    }
}

impl<W> Drop for Pool<W> {
    fn drop(&mut self) {
        let mut inner = self.inner.borrow_mut();
        inner.over = true;
        for w in &inner.workers {
            w.terminate();
        }
    }
}

/// A message for a worker: the fields `fields` name.
pub fn message(fields: &[(&str, &JsValue)]) -> Result<js_sys::Object, String> {
    let message = js_sys::Object::new();
    for (k, v) in fields {
        js_sys::Reflect::set(&message, &JsValue::from_str(k), v).map_err(|_| tr("could not build the message"))?;
    }
    Ok(message)
}

/// What a worker's `error` event says (its `message`), or that its script could not load.
pub fn worker_error(event: &web_sys::Event) -> String {
    js_sys::Reflect::get(event, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| tr("the worker script could not load"))
}
