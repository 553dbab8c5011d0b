// The wasm half of `cargo xtask bench`: opens the served app in headless Chromium and
// calls `fleetplan.bench_preset(id)` for each id in FLEETPLAN_BENCH_PRESETS (comma-separated),
// which returns JSON with at least `events` and `elapsed_ms` (or `error`).

import { launchBrowser, openPage, requiredEnv } from './browser.mjs';

const url = requiredEnv('FLEETPLAN_URL');
const ids = requiredEnv('FLEETPLAN_BENCH_PRESETS').split(',').filter(Boolean);
/** Runs per preset; the fastest counts, as the first one also pays for JIT warm-up. */
const RUNS = 3;

const browser = await launchBrowser();
try {
  const { page, errors } = await openPage(browser);
  await page.goto(url);
  // index.html sets window.fleetplan once the wasm module is initialised.
  await page.waitForFunction(() => typeof window.fleetplan?.bench_preset === 'function', null, {
    timeout: 60_000,
  });
  console.log(`wasm in headless Chromium ${browser.version()} (best of ${RUNS}, like the CLI):`);
  for (const id of ids) {
    let best;
    for (let run = 0; run < RUNS; run += 1) {
      const result = JSON.parse(await page.evaluate((preset) => window.fleetplan.bench_preset(preset), id));
      if (result.error) throw new Error(`bench_preset(${id}): ${result.error}`);
      if (!best || result.elapsed_ms < best.elapsed_ms) best = result;
    }
    const { events, elapsed_ms: ms } = best;
    const rate = ms > 0 ? `: ${(events / ms / 1000).toFixed(2)} M events/s` : '';
    console.log(`  ${id}: ${events} events in ${ms.toFixed(1)} ms${rate}`);
    console.log(`    ${JSON.stringify(best)}`);
  }
  if (errors.length) {
    throw new Error(`the page reported errors:\n${errors.join('\n')}`);
  }
} finally {
  await browser.close();
}
