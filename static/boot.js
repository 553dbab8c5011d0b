// Starts the app. A file of its own, not an inline script, so the page's Content-Security-Policy can allow
// only the page's own files (`script-src 'self'`).
// A dynamic import, unlike a static one, lets a missing or broken file land in the
// catch below, so a failed load says so on the page rather than only in the console.
// Relative URLs keep the app working from any sub-path.
try {
  const fp = await import('./fleetplan_web.js');
  // Also starts the app: the wasm's start function mounts it into #app.
  await fp.default();
  // For benchmarks and debugging from the console (`fleetplan.bench_preset(...)`).
  window.fleetplan = fp;
} catch (err) {
  console.error('Fleetplan failed to load:', err);
  const message = document.createElement('p');
  message.className = 'load-error';
  message.setAttribute('role', 'alert');
  message.textContent = `Fleetplan could not start (${err?.message ?? err}). `
    + 'Try reloading the page; Fleetplan needs a current browser with WebAssembly.';
  document.getElementById('app').replaceChildren(message);
}
