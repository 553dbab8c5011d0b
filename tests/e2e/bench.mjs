// The wasm half of `cargo xtask bench`: opens the served app in headless Chromium and
// calls `fleetplan.bench_preset(id)` for each id in FLEETPLAN_BENCH_PRESETS (comma-separated),
// which returns JSON with at least `events` and `elapsed_ms` (or `error`). Then the playground
// itself: time to first render, and frame times while stress-100k plays at 100x.

import { execFileSync } from 'node:child_process';

import { launchBrowser, openPage, requiredEnv, unfold } from './browser.mjs';

const url = requiredEnv('FLEETPLAN_URL');
const ids = requiredEnv('FLEETPLAN_BENCH_PRESETS').split(',').filter(Boolean);
/** Runs per preset; the fastest counts, as the first one also pays for JIT warm-up. */
const RUNS = 3;
/**
 * The release CLI (`cargo xtask bench` sets it): with it, the workers' module and the native engine are timed in
 * alternate rounds, so both see the same machine (wall times here drift by a third from minute to minute).
 */
const NATIVE_BIN = process.env.FLEETPLAN_NATIVE_BIN;
/** Rounds of the native-versus-wasm comparison: each a native `bench` call (best of 3) and the wasm best of 3. */
const ROUNDS = 5;

const browser = await launchBrowser();
try {
  const { page, errors, close } = await openPage(browser);
  await page.goto(url);
  // index.html sets window.fleetplan once the wasm module is initialised.
  await page.waitForFunction(() => typeof window.fleetplan?.bench_preset === 'function', null, {
    timeout: 60_000,
  });
  // The Web Workers' speed-optimised module (static/worker-module.js), loaded beside the page's to time it alike.
  await page.evaluate(async () => {
    const workers = await import('./fleetplan_worker.js');
    await workers.default();
    window.fleetplanWorkers = workers;
  });
  console.log(`wasm in headless Chromium ${browser.version()} (best of ${RUNS}, like the CLI; the two modules alternately):`);
  for (const id of ids) {
    const best = {};
    for (let run = 0; run < RUNS; run += 1) {
      for (const module of ['fleetplan', 'fleetplanWorkers']) {
        const text = await page.evaluate(([m, preset]) => window[m].bench_preset(preset), [module, id]);
        const result = JSON.parse(text);
        if (result.error) throw new Error(`bench_preset(${id}): ${result.error}`);
        if (!best[module] || result.elapsed_ms < best[module].elapsed_ms) best[module] = result;
      }
    }
    for (const [module, name] of [['fleetplan', "the page's module"], ['fleetplanWorkers', "the workers' module"]]) {
      const { events, elapsed_ms: ms } = best[module];
      const rate = ms > 0 ? `: ${(events / ms / 1000).toFixed(2)} M events/s` : '';
      console.log(`  ${id} (${name}): ${events} events in ${ms.toFixed(1)} ms${rate}`);
      console.log(`    ${JSON.stringify(best[module])}`);
    }
  }
  if (errors.length) {
    throw new Error(`the page reported errors:\n${errors.join('\n')}`);
  }
  if (NATIVE_BIN) {
    for (const id of ids) await nativeVersusWasm(page, id);
  }
  // Each measurement below has the browser to itself.
  await close();
  await playback(browser);
  await runAhead(browser);
  await browserSweep(browser);
} finally {
  await browser.close();
}

/**
 * The workers' module against the native engine on `id`, in alternate rounds: per round the native CLI's best of 3
 * (a `bench` call) and the workers' module's best of 3 in this page; prints each round's ratio, the median ratio
 * and the ratio of the two fastest times (the engine's speed with the least interference).
 */
async function nativeVersusWasm(page, id) {
  const rounds = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const native = JSON.parse(execFileSync(NATIVE_BIN, ['bench', '--id', id, '--json'], { encoding: 'utf8' }));
    let wasm = Infinity;
    for (let run = 0; run < RUNS; run += 1) {
      const result = JSON.parse(await page.evaluate((preset) => window.fleetplanWorkers.bench_preset(preset), id));
      if (result.error) throw new Error(`bench_preset(${id}): ${result.error}`);
      wasm = Math.min(wasm, result.elapsed_ms);
    }
    rounds.push({ native: native.elapsed_ms, wasm });
  }
  const ratios = rounds.map((r) => r.wasm / r.native).sort((a, b) => a - b);
  const fastest = (key) => Math.min(...rounds.map((r) => r[key]));
  console.log(`${id}, the workers' module against native, ${ROUNDS} alternate rounds (each best of ${RUNS}): `
    + rounds.map((r) => `${r.native.toFixed(0)}/${r.wasm.toFixed(0)} ms`).join(', '));
  console.log(`  ratio wasm/native: median ${ratios[Math.floor(ROUNDS / 2)].toFixed(2)}x (rounds ${ratios[0].toFixed(2)}-`
    + `${ratios[ROUNDS - 1].toFixed(2)}x); fastest against fastest ${(fastest('wasm') / fastest('native')).toFixed(2)}x `
    + `(${fastest('wasm').toFixed(1)} against ${fastest('native').toFixed(1)} ms)`);
}

/** Frame intervals (from requestAnimationFrame) and the app's own work per frame, over `ms`. */
function sampleFrames(page, ms) {
  return page.evaluate((ms) => new Promise((resolve) => {
    const stamps = [];
    let work = 0;
    const stage = document.querySelector('.stage');
    const end = performance.now() + ms;
    const frame = (t) => {
      stamps.push(t);
      work = Math.max(work, Number(stage?.dataset.frameMs ?? 0));
      if (t < end) requestAnimationFrame(frame);
      else {
        const gaps = stamps.slice(1).map((t, i) => t - stamps[i]).sort((a, b) => a - b);
        const mean = gaps.reduce((a, b) => a + b, 0) / Math.max(gaps.length, 1);
        resolve({
          frames: gaps.length,
          mean_ms: mean,
          p95_ms: gaps[Math.floor(gaps.length * 0.95)] ?? 0,
          max_ms: gaps[gaps.length - 1] ?? 0,
          app_work_ms_ema_peak: work,
          clock: document.querySelector('#clock')?.textContent,
        });
      }
    };
    requestAnimationFrame(frame);
  }), ms);
}

/** The playground as a person uses it: first render, then stress-100k playing at 100x. */
async function playback(browser) {
  const { page, errors, close } = await openPage(browser, { width: 1280, height: 720 });
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('fleetplan:first-render').length > 0, null, {
    timeout: 60_000,
  });
  const firstRender = await page.evaluate(() => performance.getEntriesByName('fleetplan:first-render')[0].startTime);
  console.log(`playground: first render (cluster view drawn) ${firstRender.toFixed(0)} ms after navigation start`);

  await page.click('#toggle-gallery');
  await page.click('#open-stress-100k');
  await page.selectOption('#speed', '100');
  await page.click('#play');
  const format = (r) => `${r.frames} frames, mean ${r.mean_ms.toFixed(1)} ms, p95 ${r.p95_ms.toFixed(1)} ms, `
    + `max ${r.max_ms.toFixed(1)} ms; app work per frame (EMA peak) ${r.app_work_ms_ema_peak.toFixed(1)} ms; at ${r.clock}`;
  const computing = await sampleFrames(page, 8_000);
  console.log(`  stress-100k at 100x, first 8 s (the run ahead still computing): ${format(computing)}`);
  await page.waitForSelector('#summary-json', { state: 'attached', timeout: 120_000 });
  const playing = await sampleFrames(page, 8_000);
  console.log(`  stress-100k at 100x, next 8 s (run ahead done): ${format(playing)}`);
  if (errors.length) {
    throw new Error(`the page reported errors:\n${errors.join('\n')}`);
  }
  // Still playing at 100x, it would share the two cores with the measurements that follow.
  await close();
}

/**
 * The run ahead in a Web Worker (issue 13): from the click on stress-100k in the gallery to its summary shown, the
 * worker's start (loading and compiling the wasm module) included; best of RUNS, like the CLI. Also the worker's
 * own time for the run (`data-ahead-ms` on the stage).
 */
async function runAhead(browser) {
  let best;
  for (let run = 0; run < RUNS; run += 1) {
    const { page, errors, close } = await openPage(browser, { width: 1280, height: 720 });
    await page.goto(url);
    await page.waitForSelector('#play', { timeout: 60_000 });
    await page.click('#toggle-gallery');
    const start = Date.now();
    await page.click('#open-stress-100k');
    // stress-100k's summary, not the one of the scenario the page opened with (its spare worker may have finished
    // that before the click).
    await page.waitForFunction(
      () => /"scenario":\s*"Stress: /.test(document.querySelector('#summary-json')?.textContent ?? ''),
      null,
      { timeout: 300_000, polling: 10 },
    );
    const ms = Date.now() - start;
    const worker = Number(await page.getAttribute('.stage', 'data-ahead-ms'));
    if (!best || ms < best.ms) best = { ms, worker };
    if (errors.length) {
      throw new Error(`the page reported errors:\n${errors.join('\n')}`);
    }
    await close();
  }
  console.log(`run ahead in a Web Worker: stress-100k's summary shown ${best.ms} ms after the click `
    + `(the worker's run ${best.worker.toFixed(0)} ms; best of ${RUNS})`);
}

/**
 * The sweep issue 12 sizes, in the page's sweep panel (the same inputs as SWEEP_ARGS in crates/xtask/src/bench.rs):
 * from the click on Run to the results shown, Web Workers starting included.
 */
async function browserSweep(browser) {
  const { page, errors } = await openPage(browser, { width: 1280, height: 720 });
  await page.goto(url);
  await page.waitForSelector('#play', { timeout: 60_000 });
  await page.click('#toggle-gallery');
  await page.click('#open-fargate-ondemand-1000');
  await unfold(page, '#sweep');
  await page.fill('#sweep-field-1', 'prices.fargate_vcpu_hour');
  await page.fill('#sweep-from-1', '0.02');
  await page.fill('#sweep-to-1', '0.06');
  await page.fill('#sweep-steps-1', '200');
  await page.fill('#sweep-seeds', '5');
  const start = Date.now();
  await page.click('#sweep-run');
  await page.waitForSelector('#sweep[data-state="done"]', { timeout: 300_000 });
  const seconds = (Date.now() - start) / 1000;
  const status = await page.textContent('#sweep-status');
  const workers = /on (\d+) worker/.exec(status)?.[1] ?? '?';
  console.log(`sweep fargate-ondemand-1000 200 points x 5 seeds: 1000 runs in ${seconds.toFixed(2)} s on ${workers} worker(s) `
    + '(browser, Web Workers; click to results shown)');
  if (errors.length) {
    throw new Error(`the page reported errors:\n${errors.join('\n')}`);
  }
}
