// The wasm half of `cargo xtask bench`: opens the served app in headless Chromium and
// calls `fleetplan.bench_preset(id)` for each id in FLEETPLAN_BENCH_PRESETS (comma-separated).

import { launchBrowser, openPage, requiredEnv } from './browser.mjs';

const url = requiredEnv('FLEETPLAN_URL');
const ids = requiredEnv('FLEETPLAN_BENCH_PRESETS').split(',').filter(Boolean);

const browser = await launchBrowser();
try {
  const { page, errors } = await openPage(browser);
  await page.goto(url);
  // index.html sets window.fleetplan once the wasm module is initialised.
  await page.waitForFunction(() => typeof window.fleetplan?.bench_preset === 'function', null, {
    timeout: 60_000,
  });
  console.log(`wasm in headless Chromium ${browser.version()}:`);
  for (const id of ids) {
    const raw = await page.evaluate((preset) => window.fleetplan.bench_preset(preset), id);
    const result = JSON.parse(raw);
    const { events, elapsed_ms: ms } = result;
    const rate = ms > 0 ? `, ${Math.round(events / (ms / 1000)).toLocaleString('en-US')} events/s` : '';
    console.log(`  ${id}: ${events} events in ${ms.toFixed(1)} ms${rate}`);
    console.log(`    ${raw}`);
  }
  if (errors.length) {
    throw new Error(`the page reported errors:\n${errors.join('\n')}`);
  }
} finally {
  await browser.close();
}
