// The run-ahead worker: loads the speed-optimised worker module (static/worker-module.js; relative URLs: any static
// host, any sub-path), says `{ ready }`, and runs each job the page sends (a scenario and seed, see
// web/src/runahead/mod.rs) to its end at full speed, posting `{ update, memory }` reports (bytes,
// web/src/runahead/wire.rs; `memory`: the module's memory in bytes) as it goes, the last with the summary, or
// `{ error }`. The page keeps a worker whose run has finished for the next run (web/src/runahead/remote.rs: its
// module is loaded and V8 has optimised the engine's hot functions while it ran); it stops a loaded worker with
// terminate(); one still loading is sent 'stop' instead (terminating it would abort its module's download), and
// closes itself once loaded.
//
// While idle it warms its engine up: `warm_up_worker(step)` runs a few thousand events of one scenario
// (web/src/runahead/mod.rs, WARM_UP), one step per task, so V8 has optimised the engine's hot functions before the
// first real job (a new worker's first big run took twice as long without). A job that arrives meanwhile waits
// for one step at most (30-60 ms); the steps left go on after it.
import { load, memoryBytes } from './worker-module.js';

let stopped = false;
let warmStep = 0;
let warming = true;
const module = load();
const ready = module.then((exports) => {
  self.postMessage({ ready: true });
  // The page's own module (worker-module.js's fallback) has the same entry; an older one may not.
  warming = typeof exports.warm_up_worker === 'function';
  warmWhenIdle();
});

/** Goes on with the warm-up, if any is left: called once loaded and after each job. */
function warmWhenIdle() {
  if (warming && !stopped) setTimeout(warmOnce, 0);
}

async function warmOnce() {
  if (!warming || stopped) return;
  try {
    warming = (await module).warm_up_worker(warmStep++);
  } catch {
    // Only speed is lost: the jobs report their own errors.
    warming = false;
  }
  warmWhenIdle();
}

self.onmessage = async (event) => {
  if (event.data === 'stop') {
    stopped = true;
    await ready.catch(() => {});
    self.close();
    return;
  }
  try {
    await ready;
    if (stopped) return;
    (await module).run_ahead_worker(event.data, (update) => {
      self.postMessage({ update, memory: memoryBytes() }, [update.buffer]);
    });
  } catch (err) {
    self.postMessage({ error: String(err?.message ?? err) });
  }
  warmWhenIdle();
};
