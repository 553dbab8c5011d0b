// The wasm module the Web Workers run (the run ahead, the comparison's variants, sweeps and fits): the
// speed-optimised `fleetplan_worker` (the same Rust crate built without its `page` feature at opt-level 3, so only
// the engine and the workers' entry points remain; `cargo xtask dist` builds it), or the page's own module where
// that file is missing (a dist/ from an older build): both compute the identical runs, one about twice as fast.
// Resolves to the module's exports once it is initialised.
let instance;
let loaded;

export async function load() {
  let module;
  try {
    module = await import('./fleetplan_worker.js');
  } catch {
    module = await import('./fleetplan_web.js');
  }
  instance = await module.default();
  loaded = module;
  return module;
}

// The warm-up: while the worker is idle, `warm_up_worker(step)` runs a few thousand events of one scenario
// (web/src/runahead/mod.rs, WARM_UP), one step per task, so V8 has optimised the engine's hot functions before the
// first real job (a new worker's first big run took twice as long without). A job that arrives meanwhile waits
// for one step at most (30-60 ms); the steps left go on after it.
let warmStep = 0;
let warming = true;

/** Goes on with the warm-up, if any is left, once the worker is idle: call it once loaded and after each job. */
export function warmWhenIdle() {
  if (warming) setTimeout(warmOnce, 0);
}

/** No more warm-up (the worker is closing). */
export function stopWarmUp() {
  warming = false;
}

function warmOnce() {
  if (!warming || !loaded) return;
  try {
    // The page's own module (the fallback above) has the same entry; an older one may not.
    warming = typeof loaded.warm_up_worker === 'function' && loaded.warm_up_worker(warmStep++);
  } catch {
    // Only speed is lost: the jobs report their own errors.
    warming = false;
  }
  warmWhenIdle();
}

/** The bytes of linear memory the loaded module holds (it only ever grows), or 0 before it has loaded. */
export function memoryBytes() {
  return instance?.memory?.buffer.byteLength ?? 0;
}
