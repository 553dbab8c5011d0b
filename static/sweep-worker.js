// A sweep worker: loads the page's own wasm module (relative URLs: any static host, any sub-path) and runs the
// sweep runs the page sends, `{ job, first, count }`, answering `{ first, results }` (the runs' outcomes as bytes,
// see web/src/pool.rs) or `{ first, error }`. A thin shell: the engine's sweep module does the work.
import init, { sweep_worker_runs, fit_worker_runs } from './fleetplan_web.js';

const ready = init();

self.onmessage = async (event) => {
  const { job, first, count, fit, jobs } = event.data;
  try {
    await ready;
    // The fit panel's runs (web/src/fit/pool.rs): `{ fit: true, job, first, jobs }`.
    const results = fit ? fit_worker_runs(job, jobs) : sweep_worker_runs(job, first, count);
    self.postMessage({ first, results }, [results.buffer]);
  } catch (err) {
    self.postMessage({ first, error: String(err?.message ?? err) });
  }
};
