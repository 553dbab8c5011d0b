// The run-ahead worker: loads the speed-optimised worker module (static/worker-module.js; relative URLs: any static
// host, any sub-path), says `{ ready }`, and runs each job the page sends (a scenario and seed, see
// web/src/runahead/mod.rs) to its end at full speed, posting `{ update, memory }` reports (bytes,
// web/src/runahead/wire.rs; `memory`: the module's memory in bytes) as it goes, the last with the summary, or
// `{ error }`. The page keeps a worker whose run has finished for the next run (web/src/runahead/remote.rs: its
// module is loaded and V8 has optimised the engine's hot functions while it ran); it stops a loaded worker with
// terminate(); one still loading is sent 'stop' instead (terminating it would abort its module's download), and
// closes itself once loaded.
// While idle it warms its engine up (worker-module.js).
import { load, memoryBytes, stopWarmUp, warmWhenIdle } from './worker-module.js';

let stopped = false;
const module = load();
const ready = module.then(() => {
  self.postMessage({ ready: true });
  warmWhenIdle();
});

self.onmessage = async (event) => {
  if (event.data === 'stop') {
    stopped = true;
    stopWarmUp();
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
