// End-to-end tests of the sweep panel in headless Chromium: a small sweep runs in Web Workers and its CSV download
// equals `fleetplan sweep ... --csv` for the same inputs (the xtask writes the CLI's CSV to
// FLEETPLAN_EXPECTED_SWEEP_CSV: SWEEP_* in crates/xtask/src/test.rs are the same inputs as below), and Cancel
// terminates the workers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { browserForTests, load, openPreset, requiredEnv, unfold } from './browser.mjs';

const BASE_URL = requiredEnv('FLEETPLAN_URL');
const EXPECTED_CSV = await readFile(requiredEnv('FLEETPLAN_EXPECTED_SWEEP_CSV'), 'utf8');
/** The sweep the CLI ran: `--preset fargate-ondemand-1000 --set services[0].desired_count=100..400:4 --seeds 2`. */
const PRESET = 'fargate-ondemand-1000';
const FIELD = 'services[0].desired_count';
const TIMEOUT_MS = 60_000;
const TEST_OPTIONS = { timeout: 180_000 };

const chromium = browserForTests();
/** A fresh page that may download files (the CSV). */
const withPage = (t, body) => chromium.withPage(t, body, undefined, { acceptDownloads: true });

/** Opens the preset from the gallery and unfolds the sweep panel. */
async function openSweep(page) {
  await load(page, BASE_URL, TIMEOUT_MS);
  await openPreset(page, PRESET);
  await unfold(page, '#sweep');
}

/** Fills the first field's inputs (`fill` fires input and change, as typing and leaving the box would). */
async function setAxis(page, { path, from, to, steps }) {
  await page.fill('#sweep-field-1', path);
  await page.fill('#sweep-from-1', String(from));
  await page.fill('#sweep-to-1', String(to));
  await page.fill('#sweep-steps-1', String(steps));
}

test('a sweep in Web Workers downloads the CLI\'s CSV byte for byte, with chart, table and answer', TEST_OPTIONS, async (t) => {
  await withPage(t, async (page) => {
    await openSweep(page);
    // The field list offers the scenario's numeric fields by path.
    assert.ok(await page.locator(`#sweep-fields option[value="${FIELD}"]`).count() === 1, 'the field is suggested');
    await setAxis(page, { path: FIELD, from: 100, to: 400, steps: 4 });
    await page.fill('#sweep-seeds', '2');
    await page.fill('#sweep-minimize', 'cost_usd');
    await page.fill('#sweep-require', 'completion_s<=600');
    await page.click('#sweep-run');
    await page.waitForSelector('#sweep[data-state="done"]', { timeout: TIMEOUT_MS });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#sweep-csv')]);
    assert.equal(download.suggestedFilename(), 'sweep.csv');
    const csv = await readFile(await download.path(), 'utf8');
    assert.equal(csv, EXPECTED_CSV, 'the page\'s CSV equals the CLI\'s');

    assert.equal(await page.locator('#sweep-table tbody tr').count(), 4, 'one row a point');
    assert.match(await page.textContent('#sweep-answer'), /^Answer: minimize the median of cost_usd where completion_s<=600/);
    // The chart has been drawn: the canvas holds more than one colour.
    const colours = await page.evaluate(() => {
      const c = document.querySelector('#sweep-chart');
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < data.length; i += 64) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
      return seen.size;
    });
    assert.ok(colours > 3, `the chart is drawn (${colours} colours)`);
    // Every worker is gone once the sweep is done.
    await waitForNoWorkers(page);
  });
});

test('opening the panel starts the sweep workers ahead, the run uses them, and closing the panel lets them go', TEST_OPTIONS, async (t) => {
  await withPage(t, async (page) => {
    const cores = Math.min(Math.max(await page.evaluate(() => navigator.hardwareConcurrency), 1), 8);
    await openSweep(page);
    await waitForWorkers(page, cores);
    // Closing the panel lets the idle workers go; opening it again starts them again.
    await page.click('#sweep > summary');
    await waitForNoWorkers(page);
    await unfold(page, '#sweep');
    await waitForWorkers(page, cores);
    // The run starts no worker of its own: it takes the prepared ones, and they are let go once it is done.
    let started = 0;
    page.on('worker', (w) => { if (w.url().includes('sweep-worker')) started += 1; });
    await setAxis(page, { path: FIELD, from: 100, to: 400, steps: 4 });
    await page.fill('#sweep-seeds', '2');
    await page.click('#sweep-run');
    await page.waitForSelector('#sweep[data-state="done"]', { timeout: TIMEOUT_MS });
    assert.equal(started, 0, 'the run started workers of its own');
    await waitForNoWorkers(page);
  });
});

test('Cancel terminates the sweep workers and the count stops', TEST_OPTIONS, async (t) => {
  await withPage(t, async (page) => {
    await openSweep(page);
    await setAxis(page, { path: FIELD, from: 100, to: 1000, steps: 50 });
    await page.fill('#sweep-seeds', '40');
    await page.click('#sweep-run');
    await page.waitForSelector('#sweep[data-state="running"]', { timeout: TIMEOUT_MS });
    // Wait until the workers have answered at least once, so they are really working.
    await page.waitForFunction(() => Number(document.querySelector('#sweep-progress')?.value ?? 0) > 0, null, {
      timeout: TIMEOUT_MS,
    });
    // As many workers as the browser reports cores (at most 8), a progress bar, and the time left.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(sweepWorkers(page), Math.min(Math.max(cores, 1), 8));
    assert.match(await page.textContent('#sweep-status'),
      /\d+ of 2000 runs on \d+ worker\(s\), (estimating the time left|less than a second left|about \d+ (s|min) left)/);
    await page.click('#sweep-cancel');
    await page.waitForSelector('#sweep[data-state="cancelled"]', { timeout: TIMEOUT_MS });
    await waitForNoWorkers(page);
    const status = await page.textContent('#sweep-status');
    await page.waitForTimeout(1000);
    assert.equal(await page.textContent('#sweep-status'), status, 'nothing arrives after the cancel');
    assert.match(status, /^Cancelled after \d+ of 2000 runs/);
    // The page is still responsive: another sweep runs.
    await setAxis(page, { path: FIELD, from: 10, to: 20, steps: 2 });
    await page.fill('#sweep-seeds', '1');
    await page.click('#sweep-run');
    await page.waitForSelector('#sweep[data-state="done"]', { timeout: TIMEOUT_MS });
  });
});

test('two fields with log steps make a grid and a heat map; no field gives one scenario\'s spread over seeds', TEST_OPTIONS, async (t) => {
  await withPage(t, async (page) => {
    await openSweep(page);
    await setAxis(page, { path: FIELD, from: 10, to: 40, steps: 3 });
    await page.check('#sweep-log-1');
    await page.fill('#sweep-field-2', 'horizon_s');
    await page.fill('#sweep-from-2', '600');
    await page.fill('#sweep-to-2', '900');
    await page.fill('#sweep-steps-2', '2');
    await page.fill('#sweep-seeds', '1');
    await page.click('#sweep-run');
    await page.waitForSelector('#sweep[data-state="done"]', { timeout: TIMEOUT_MS });
    // 3 x 2 points, the first field slowest; log steps from 10 to 40 are 10, 20, 40.
    const rows = await page.$$eval('#sweep-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].slice(1, 3).map((c) => c.textContent)));
    assert.deepEqual(rows, [['10', '600'], ['10', '900'], ['20', '600'], ['20', '900'], ['40', '600'], ['40', '900']]);
    assert.match(await page.textContent('.sweep-chart figcaption'), /: median over seeds$/);
    assert.ok(await chartColours(page) > 3, 'the heat map is drawn');

    // No field: the scenario over 12 seeds, its distribution in words and as a histogram.
    await page.fill('#sweep-field-1', '');
    await page.fill('#sweep-field-2', '');
    await page.fill('#sweep-seeds', '12');
    await page.fill('#sweep-minimize', '');
    await page.fill('#sweep-require', '');
    await page.click('#sweep-run');
    await page.waitForFunction(() => document.querySelector('#sweep')?.dataset.state === 'done'
      && /histogram/.test(document.querySelector('.sweep-chart figcaption')?.textContent ?? ''), undefined, { timeout: TIMEOUT_MS });
    assert.match(await page.textContent('#sweep-distribution'), /over 12 runs: p5 [\d.]+, p50 [\d.]+, p95 [\d.]+ /);
    assert.equal(await page.locator('#sweep-table tbody tr').count(), 1, 'one point');
    assert.ok(await chartColours(page) > 3, 'the histogram is drawn');
    await waitForNoWorkers(page);
  });
});

/** How many colours the sweep chart's canvas holds (a blank canvas has one). */
function chartColours(page) {
  return page.evaluate(() => {
    const c = document.querySelector('#sweep-chart');
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 64) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return seen.size;
  });
}

/**
 * The page's sweep workers (Playwright drops a worker when it is terminated). The spare run-ahead worker the page
 * keeps loaded (web/src/runahead/remote.rs) is not one of them.
 */
function sweepWorkers(page) {
  return page.workers().filter((w) => w.url().includes('sweep-worker')).length;
}

/** Waits up to 10 s until the page has `count` sweep workers. */
async function waitForWorkers(page, count) {
  const deadline = Date.now() + 10_000;
  while (sweepWorkers(page) !== count) {
    if (Date.now() > deadline) assert.fail(`${sweepWorkers(page)} sweep worker(s), not ${count}`);
    await page.waitForTimeout(50);
  }
}

/** Waits until the page has no sweep worker left. */
function waitForNoWorkers(page) {
  return waitForWorkers(page, 0);
}
