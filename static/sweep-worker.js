// A sweep worker: loads the speed-optimised worker module (static/worker-module.js) and runs the
// sweep runs the page sends, `{ job, first, count }`, answering `{ first, results }` (the runs' outcomes as bytes,
// see web/src/pool.rs) or `{ first, error }`. A thin shell: the engine's sweep module does the work. The page may
// start it before the run (the sweep panel opened, web/src/pool.rs `prepare`): until its first message it warms
// its engine up (worker-module.js); after that the runs come one chunk after another until the pool stops it.
import { load, stopWarmUp, warmWhenIdle } from './worker-module.js';

const ready = load();
ready.then(warmWhenIdle, () => {});

self.onmessage = async (event) => {
  stopWarmUp();
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
