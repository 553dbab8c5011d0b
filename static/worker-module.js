// The wasm module the Web Workers run (the run ahead, the comparison's variants, sweeps and fits): the
// speed-optimised `fleetplan_worker` (the same Rust crate built without its `page` feature at opt-level 3, so only
// the engine and the workers' entry points remain; `cargo xtask dist` builds it), or the page's own module where
// that file is missing (a dist/ from an older build): both compute the identical runs, one about twice as fast.
// Resolves to the module's exports once it is initialised.
let instance;

export async function load() {
  let module;
  try {
    module = await import('./fleetplan_worker.js');
  } catch {
    module = await import('./fleetplan_web.js');
  }
  instance = await module.default();
  return module;
}

/** The bytes of linear memory the loaded module holds (it only ever grows), or 0 before it has loaded. */
export function memoryBytes() {
  return instance?.memory?.buffer.byteLength ?? 0;
}
