// The run-ahead worker: loads the page's own wasm module (relative URLs: any static host, any sub-path), runs the
// one job the page sends (a scenario and seed, see web/src/runahead/mod.rs) to its end at full speed, and posts
// `{ update }` reports (JSON text) as it goes, the last with the summary, or `{ error }`. Cancel terminates it.
import init, { run_ahead_worker } from './fleetplan_web.js';

const ready = init();

self.onmessage = async (event) => {
  try {
    await ready;
    run_ahead_worker(event.data, (update) => self.postMessage({ update }));
  } catch (err) {
    self.postMessage({ error: String(err?.message ?? err) });
  }
};
