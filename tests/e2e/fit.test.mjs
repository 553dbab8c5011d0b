// End-to-end test of the fit panel in headless Chromium: a measured CSV (the published On-Demand row,
// examples/measured/fargate-ondemand-1000.csv) is imported, drawn over the simulated curve with its errors, fitted
// in Web Workers, and applied: the scenario then carries the fitted value `fleetplan fit --preset
// fargate-ondemand-1000 --measured examples/measured/fargate-ondemand-1000.csv --seeds 4 --rounds 3` prints.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { browserForTests, load, openPreset, requiredEnv } from './browser.mjs';

const BASE_URL = requiredEnv('FLEETPLAN_URL');
const PRESET = 'fargate-ondemand-1000';
const CSV_PATH = fileURLToPath(new URL('../../examples/measured/fargate-ondemand-1000.csv', import.meta.url));
/** What the CLI fits for these inputs (the engine's search is deterministic; the page runs the same one). */
const EXPECTED = JSON.parse(await readFile(requiredEnv('FLEETPLAN_EXPECTED_FIT'), 'utf8'));
const TIMEOUT_MS = 120_000;
const TEST_OPTIONS = { timeout: 240_000 };

const chromium = browserForTests();

test('a measured CSV is overlaid, fitted in Web Workers and applied to the scenario', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page, BASE_URL, TIMEOUT_MS);
    await openPreset(page, PRESET);
    await page.setInputFiles('#fit-file', CSV_PATH);
    // The overlay: the chart with the measured curve and the errors against the run.
    await page.waitForSelector('#fit-chart .fit-measured', { timeout: TIMEOUT_MS });
    assert.equal(await page.locator('#fit-chart .fit-point').count(), 2, 'two measured points');
    const errors = await page.textContent('#fit-errors');
    assert.match(errors, /measured.*208 s/s, 'the measured completion');
    assert.match(errors, /this scenario\s*[\d.]+ s/, 'the time error of the run');

    await page.click('#fit-run');
    await page.waitForSelector('#fit-result', { timeout: TIMEOUT_MS });
    const item = page.locator('#fit-result li[data-path="latencies.fargate_capacity.mean_s"]');
    assert.equal(Number(await item.getAttribute('data-fitted')), EXPECTED.params[0].fitted, 'the CLI\'s fitted value');
    assert.match(await page.textContent('#fit-result'), new RegExp(`Time error ${EXPECTED.before_rmse_s} s with the scenario, ${EXPECTED.after_rmse_s} s fitted`));
    assert.equal(await page.locator('#fit-chart .fit-fitted').count(), 1, 'the fitted curve is drawn');

    // The fitted run's numbers (seed 1), then Apply: the scenario now runs with the fitted value, so its own row
    // shows those numbers and the result (of the previous scenario) goes.
    const cells = async (label) => (await page.locator('#fit-errors tbody tr', { hasText: label }).locator('td').allTextContents()).join('|');
    const fitted = await cells('fitted');
    assert.notEqual(fitted, await cells('this scenario'), 'the fit changed the numbers');
    await page.click('#fit-apply');
    await page.waitForSelector('#fit-result', { state: 'detached', timeout: TIMEOUT_MS });
    await page.waitForSelector('#fit-errors', { timeout: TIMEOUT_MS });
    assert.equal(await cells('this scenario'), fitted, 'the applied scenario runs as the fitted one did');
  });
});

test('a bad measured curve says which line and column', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page, BASE_URL, TIMEOUT_MS);
    await openPreset(page, PRESET);
    await page.fill('#fit-measured', 'time_s,running\n0,0\n10,many\n');
    await page.waitForSelector('#fit-error', { timeout: TIMEOUT_MS });
    assert.match(await page.textContent('#fit-error'), /line 3, column 2: count `many` is not a number/);
    assert.ok(await page.isDisabled('#fit-run'));
  });
});
