// The run-ahead worker: loads the speed-optimised worker module (static/worker-module.js; relative URLs: any static
// host, any sub-path), says `{ ready }`, runs the one job the page sends (a scenario and seed, see web/src/runahead/mod.rs) to its end at full
// speed, and posts `{ update }` reports (bytes, web/src/runahead/wire.rs) as it goes, the last with the summary, or `{ error }`. The page
// stops a loaded worker with terminate(); one still loading is sent 'stop' instead (terminating it would abort its
// module's download), and closes itself once loaded.
import { load } from './worker-module.js';

let stopped = false;
const module = load();
const ready = module.then(() => self.postMessage({ ready: true }));

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
    (await module).run_ahead_worker(event.data, (update) => self.postMessage({ update }, [update.buffer]));
  } catch (err) {
    self.postMessage({ error: String(err?.message ?? err) });
  }
};
