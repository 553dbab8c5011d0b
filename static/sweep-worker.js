// A sweep worker: loads the speed-optimised worker module (static/worker-module.js) and runs the
// sweep runs the page sends, `{ job, first, count }`, answering `{ first, results }` (the runs' outcomes as bytes,
// see web/src/pool.rs) or `{ first, error }`. A thin shell: the engine's sweep module does the work. The page may
// start it before the run (the sweep panel opened, web/src/pool.rs `prepare`) so that its module has loaded by
// then. It does not warm up as the run-ahead worker does: the page starts one a core (eight on an eight-core
// laptop, seconds of CPU for opening a panel), and a warmed sweep of 1,000 runs was no faster (about 1.0 s).
import { load } from './worker-module.js';

const ready = load();

self.onmessage = async (event) => {
  const { job, first, count, fit, jobs } = event.data;
  try {
    const { sweep_worker_runs, fit_worker_runs } = await ready;
    // The fit panel's runs (web/src/fit/pool.rs): `{ fit: true, job, first, jobs }`.
    const results = fit ? fit_worker_runs(job, jobs) : sweep_worker_runs(job, first, count);
    self.postMessage({ first, results }, [results.buffer]);
  } catch (err) {
    self.postMessage({ first, error: String(err?.message ?? err) });
  }
};
