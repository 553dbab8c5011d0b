// End-to-end tests of the built web app in headless Chromium, against the page's DOM
// contract. `cargo xtask test` builds dist/, serves it, writes the CLI's summary for the
// same scenario to FLEETPLAN_EXPECTED_SUMMARY and runs `node --test tests/e2e/`.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

import { launchBrowser, openPage, requiredEnv } from './browser.mjs';

const BASE_URL = requiredEnv('FLEETPLAN_URL');
const EXPECTED = JSON.parse(await readFile(requiredEnv('FLEETPLAN_EXPECTED_SUMMARY'), 'utf8'));
/** The scenario behind FLEETPLAN_EXPECTED_SUMMARY: E2E_PRESET and E2E_SEED in crates/xtask/src/test.rs. */
const PRESET = 'fargate-ondemand-1000';
const SEED = '7';
const SCREENSHOT = fileURLToPath(new URL('./screenshots/run.png', import.meta.url));
/** Generous: a cold headless Chromium on a 2-core machine compiles the wasm first. */
const TIMEOUT_MS = 30_000;
/** How long a wrong summary must stay unchanged before it counts as the result. */
const STABLE_MS = 5_000;
const TEST_OPTIONS = { timeout: 90_000 };

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/**
 * Runs `body(page)` in a fresh page, then asserts that the page logged no console error,
 * threw no uncaught error and had no failed request.
 */
async function withPage(t, body) {
  const { page, errors, close } = await openPage(browser);
  try {
    await body(page);
    assert.deepEqual(errors, [], 'the page reported errors');
  } finally {
    if (errors.length) t.diagnostic(errors.join('\n'));
    await close();
  }
}

/** Opens `url` and waits for the app to mount. */
async function load(page, url) {
  await page.goto(url);
  await page.waitForSelector('#run', { timeout: TIMEOUT_MS });
}

/**
 * Waits until #summary-json holds the expected summary. Polling for the expected value,
 * rather than for any text, copes with a summary still on the page from an earlier run.
 * A different summary that stays put for STABLE_MS (or the time-out) fails the test,
 * comparing the last text so the failure shows the difference.
 */
async function expectSummary(page) {
  const deadline = Date.now() + TIMEOUT_MS;
  let text = '';
  let since = Date.now();
  while (Date.now() < deadline && !(text && Date.now() - since > STABLE_MS)) {
    const next = ((await page.textContent('#summary-json')) ?? '').trim();
    if (next && isDeepStrictEqual(parseOrNull(next), EXPECTED)) return;
    if (next !== text) [text, since] = [next, Date.now()];
    await page.waitForTimeout(100);
  }
  assert.ok(text, '#summary-json stayed empty');
  assert.deepEqual(JSON.parse(text), EXPECTED, '#summary-json differs from the CLI\'s --json output');
}

function parseOrNull(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Picks the e2e scenario in the control bar, runs it and waits for its summary. */
async function runScenario(page) {
  await page.selectOption('#preset', PRESET);
  await page.fill('#seed', SEED);
  await page.click('#run');
  await expectSummary(page);
}

/** Pixels of the launch chart that differ from its top-left (background) pixel. */
function chartInk(page) {
  return page.evaluate(() => {
    const chart = document.querySelector('#launch-chart');
    if (!chart || !chart.width || !chart.height) return 0;
    // Copy onto a 2D canvas, which reads back whatever context drew the chart.
    const copy = document.createElement('canvas');
    copy.width = chart.width;
    copy.height = chart.height;
    const ctx = copy.getContext('2d');
    ctx.drawImage(chart, 0, 0);
    const { data } = ctx.getImageData(0, 0, copy.width, copy.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2] || data[i + 3] !== data[3]) {
        ink += 1;
      }
    }
    return ink;
  });
}

/** The share link the page offers for the scenario it shows. */
async function shareLink(page) {
  const link = await page.inputValue('#share-link');
  assert.match(new URL(link).hash, /^#s=./, `#share-link is not a #s=… link: ${link}`);
  return link;
}

test('runs a preset and matches the native CLI summary', TEST_OPTIONS, async (t) => {
  await withPage(t, async (page) => {
    await load(page, BASE_URL);
    const presets = await page.$$eval('#preset option', (options) => options.map((o) => o.value));
    assert.ok(presets.includes(PRESET), `#preset has no ${PRESET} option: ${presets.join(', ')}`);

    await runScenario(page);

    assert.ok((await page.locator('#summary tr').count()) > 0, 'table#summary has no rows');
    // The chart may paint a frame after the summary: poll briefly.
    let ink = 0;
    for (const deadline = Date.now() + TIMEOUT_MS; ink < 100 && Date.now() < deadline;) {
      await page.waitForTimeout(100);
      ink = await chartInk(page);
    }
    assert.ok(ink >= 100, `#launch-chart looks blank (${ink} non-background pixels)`);

    await mkdir(new URL('./screenshots/', import.meta.url), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });
});

test('a share link reopens the same scenario and summary', TEST_OPTIONS, async (t) => {
  let link;
  await withPage(t, async (page) => {
    await load(page, BASE_URL);
    await runScenario(page);
    link = await shareLink(page);
    assert.ok(await page.$eval('#share-link', (input) => input.readOnly), '#share-link is not readonly');
  });
  await withPage(t, async (page) => {
    // The link carries the whole scenario, not a preset id: the summary is the contract.
    await load(page, link);
    await expectSummary(page);
  });
});

/** Opens `url` and expects a visible error message, with the app still usable. */
async function expectLinkError(page, url) {
  await load(page, url);
  const error = page.locator('#error');
  await error.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.notEqual((await error.textContent()).trim(), '', '#error is visible but empty');
  assert.equal(await page.locator('#run').count(), 1, 'the app is gone after a bad link');
}

test('a garbage share link shows an error, not a crash', TEST_OPTIONS, async (t) => {
  await withPage(t, async (page) => {
    await expectLinkError(page, new URL('#s=garbage!!', BASE_URL).href);
  });
});

test('a truncated share link shows an error, not a crash', TEST_OPTIONS, async (t) => {
  let link;
  await withPage(t, async (page) => {
    await load(page, BASE_URL);
    await runScenario(page);
    link = await shareLink(page);
  });
  const cut = link.indexOf('#s=') + 3;
  const payload = link.slice(cut);
  assert.ok(payload.length >= 2, `share payload too short to truncate: ${link}`);
  const truncated = link.slice(0, cut + Math.floor(payload.length / 2));
  await withPage(t, async (page) => {
    await expectLinkError(page, truncated);
  });
});

test('with no share link, no error is shown', TEST_OPTIONS, async (t) => {
  await withPage(t, async (page) => {
    await load(page, BASE_URL);
    assert.equal(await page.locator('#error').isVisible(), false, '#error is visible on a clean load');
  });
});
