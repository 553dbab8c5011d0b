// End-to-end tests of the run ahead in a Web Worker (issue 13, "Big runs in the browser") in headless Chromium:
// stress-100k's whole run is computed off the page's thread, with progress and Cancel, its summary equals the CLI's
// (`"stress-100k 1"` of E2E_DIFFERENTIAL in crates/xtask/src/test.rs), and the page answers clicks meanwhile.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

import { browserForTests, load, requiredEnv, unfold } from './browser.mjs';

const BASE_URL = requiredEnv('FLEETPLAN_URL');
const DIFFERENTIAL = JSON.parse(await readFile(requiredEnv('FLEETPLAN_EXPECTED_SUMMARIES'), 'utf8'));
const PRESET = 'stress-100k';
const SEED = 1;
const EXPECTED = DIFFERENTIAL[`${PRESET} ${SEED}`];
/** Generous: a cold headless Chromium on a busy 2-core machine. */
const TIMEOUT_MS = 60_000;
/** A click on Play while the run computes must show within this (a frame is 16 ms; the old run ahead took 8 ms of it). */
const CLICK_BOUND_MS = 300;
const TEST_OPTIONS = { timeout: 180_000 };

const chromium = browserForTests();

function linkTo(scenario, seed) {
  const packed = deflateSync(Buffer.from(JSON.stringify({ seed, scenario })), { level: 9 });
  return new URL(`#s=2.${packed.toString('base64url')}`, BASE_URL).href;
}

async function presetLink(preset, seed) {
  const file = new URL(`../../crates/engine/presets/${preset}.json`, import.meta.url);
  return linkTo(JSON.parse(await readFile(fileURLToPath(file), 'utf8')), seed);
}

/**
 * The big run, as large as the limits allow (200,000 tasks: 40 services at the 5,000 "Tasks per service"
 * quota), for a simulated week with Fargate Spot interruptions all along: 2.9 million events, 43 s of CPU natively.
 */
const BIG_WEEK = {
  version: 1,
  name: 'Big week: 40 services x 5,000 tasks on Fargate and Fargate Spot',
  horizon_s: 604800,
  fargate_spot: { availability: 'plenty', interruptions_per_task_hour: 0.01 },
  task_definitions: [{ name: 'worker', cpu: 256, memory: 512 }],
  services: Array.from({ length: 40 }, (_, i) => ({
    name: `svc-${i}`, task_definition: 'worker', desired_count: 5000,
    capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1 }, { capacity_provider: 'FARGATE_SPOT', weight: 1 }],
  })),
};

/** Records, from the page's start, each state of the progress line and when the summary arrived. */
function watchProgress(page) {
  return page.addInitScript(() => {
    window.runProgressSeen = [];
    new MutationObserver(() => {
      const line = document.querySelector('#run-progress');
      const state = line?.dataset.state ?? 'none';
      const seen = window.runProgressSeen;
      if (seen.at(-1)?.state !== state) seen.push({ state, at: performance.now() });
      if (!window.summaryAt && document.querySelector('#summary-json')) window.summaryAt = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
}


test(`${PRESET}'s whole run computes in a worker, with progress, to the CLI's summary`, TEST_OPTIONS, async (t) => {
  assert.ok(EXPECTED, `no CLI summary for "${PRESET} ${SEED}" in FLEETPLAN_EXPECTED_SUMMARIES`);
  await chromium.withPage(t, async (page) => {
    await watchProgress(page);
    await load(page, await presetLink(PRESET, SEED), TIMEOUT_MS);
    await page.waitForSelector('#summary-json', { state: 'attached', timeout: TIMEOUT_MS });
    const summary = JSON.parse(await page.textContent('#summary-json'));
    assert.deepEqual(summary, EXPECTED, '#summary-json differs from the CLI\'s --json output');
    const seen = await page.evaluate(() => window.runProgressSeen);
    assert.ok(seen.some((s) => s.state === 'worker'), `the progress line never said "worker": ${JSON.stringify(seen)}`);
    const worker = seen.find((s) => s.state === 'worker');
    const summaryAt = await page.evaluate(() => window.summaryAt);
    t.diagnostic(`summary ${(summaryAt - worker.at).toFixed(0)} ms after the worker started`);
    // Done: the progress line is gone and the timeline's end is known.
    assert.equal(await page.$('#run-progress'), null);
    assert.doesNotMatch(await page.textContent('#clock'), /≤/);
  });
});

/** Counts the run-ahead workers the page starts and the jobs it posts them (installed before the page's scripts). */
function countWorkers(page) {
  return page.addInitScript(() => {
    window.aheadWorkers = [];
    const Base = window.Worker;
    window.Worker = class extends Base {
      constructor(script, options) {
        super(script, options);
        if (!String(script).includes('runahead-worker')) return;
        const seen = { jobs: 0 };
        window.aheadWorkers.push(seen);
        const post = this.postMessage.bind(this);
        this.postMessage = (message, transfer) => {
          if (typeof message === 'string' && message.startsWith('{')) seen.jobs += 1;
          return post(message, transfer);
        };
      }
    };
  });
}

test('a worker kept after running another preset computes stress-100k to the CLI\'s summary', TEST_OPTIONS, async (t) => {
  const first = DIFFERENTIAL['ec2-spot-draining 1'];
  assert.ok(EXPECTED && first, 'no CLI summaries for "ec2-spot-draining 1" and "stress-100k 1"');
  await chromium.withPage(t, async (page) => {
    await countWorkers(page);
    // The page's spare worker computes ec2-spot-draining and is kept as the spare.
    await load(page, await presetLink('ec2-spot-draining', SEED), TIMEOUT_MS);
    await page.waitForSelector('#summary-json', { state: 'attached', timeout: TIMEOUT_MS });
    assert.deepEqual(JSON.parse(await page.textContent('#summary-json')), first);
    // (A link opens after the page's first render: the opening scenario's worker may be let go before that.)
    const started = await page.evaluate(() => window.aheadWorkers.length);
    // The same worker computes stress-100k (seed 1, kept from the link): its summary is still the CLI's.
    await page.click('#toggle-gallery');
    await page.click(`#open-${PRESET}`);
    await page.waitForFunction(
      () => /"scenario":\s*"Stress: /.test(document.querySelector('#summary-json')?.textContent ?? ''),
      null,
      { timeout: TIMEOUT_MS, polling: 50 },
    );
    assert.deepEqual(JSON.parse(await page.textContent('#summary-json')), EXPECTED);
    const workers = await page.evaluate(() => window.aheadWorkers);
    t.diagnostic(`run-ahead workers started: ${JSON.stringify(workers)}`);
    assert.equal(workers.length, started, 'no new worker for stress-100k');
    assert.equal(workers.at(-1).jobs, 2, 'the worker that computed ec2-spot-draining computed stress-100k');
  });
});

test('a big run: progress and time left, a responsive page, Cancel stops it, Compute again restarts it', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page, linkTo(BIG_WEEK, 1), TIMEOUT_MS);
    await page.waitForSelector('#run-progress[data-state="worker"] #run-left', { timeout: TIMEOUT_MS });
    const reached = () => page.$eval('#run-progress progress', (p) => Number(p.value));
    const first = await reached();
    await page.waitForFunction((first) => Number(document.querySelector('#run-progress progress')?.value) > first, first, { timeout: TIMEOUT_MS });
    // The page answers a click at once while the worker computes: Play's pressed state follows within the bound.
    const clickMs = await page.evaluate(() => new Promise((resolve) => {
      const play = document.querySelector('#play');
      const start = performance.now();
      const observer = new MutationObserver(() => {
        if (play.getAttribute('aria-pressed') === 'true') {
          observer.disconnect();
          resolve(performance.now() - start);
        }
      });
      observer.observe(play, { attributes: true });
      play.click();
    }));
    t.diagnostic(`Play answered in ${clickMs.toFixed(1)} ms while the worker computed`);
    assert.ok(clickMs < CLICK_BOUND_MS, `Play answered after ${clickMs.toFixed(0)} ms`);
    t.diagnostic(await page.textContent('#run-progress'));

    await page.click('#cancel-run');
    await page.waitForSelector('#run-progress[data-state="cancelled"]');
    const stoppedAt = await page.textContent('#run-progress');
    // Nothing more arrives: the worker is gone (the simulated time reached stays as it was).
    await page.waitForTimeout(2_000);
    assert.equal(await page.textContent('#run-progress'), stoppedAt);
    assert.equal(await page.$('#summary-json'), null, 'a summary after Cancel');
    assert.match(await page.textContent('.summary-panel'), /cancelled/);
    // Playback still works: the clock moves while playing.
    const clock = await page.textContent('#clock');
    await page.waitForFunction((clock) => document.querySelector('#clock')?.textContent !== clock, clock, { timeout: TIMEOUT_MS });

    // Compute again: a new worker from the start.
    await page.click('#compute-again');
    await page.waitForSelector('#run-progress[data-state="worker"]', { timeout: TIMEOUT_MS });
    await page.waitForFunction(() => Number(document.querySelector('#run-progress progress')?.value) > 0, undefined, { timeout: TIMEOUT_MS });
  });
});

test('a link with the sweep settings reopens the sweep panel filled in (issue 12)', TEST_OPTIONS, async (t) => {
  let address;
  const fields = {
    '#sweep-field-1': 'services[0].desired_count', '#sweep-from-1': '100', '#sweep-to-1': '400', '#sweep-steps-1': '4',
    '#sweep-field-2': 'prices.fargate_vcpu_hour', '#sweep-from-2': '0.02', '#sweep-to-2': '0.06', '#sweep-steps-2': '3',
    '#sweep-seeds': '7', '#sweep-minimize': 'cost_usd', '#sweep-require': 'completion_s<=300', '#sweep-confidence': '90',
  };
  await chromium.withPage(t, async (page) => {
    await load(page, await presetLink('fargate-ondemand-1000', 3), TIMEOUT_MS);
    await unfold(page, '#sweep');
    for (const [id, value] of Object.entries(fields)) await page.fill(id, value);
    await page.check('#sweep-log-1');
    await page.click('#sweep-link');
    address = await page.inputValue('#sweep-link-text');
  });
  assert.match(address, /#s=2\.[A-Za-z0-9_-]+&sweep=/);
  await chromium.withPage(t, async (page) => {
    await load(page, address, TIMEOUT_MS);
    assert.equal(await page.$eval('#sweep', (d) => d.open), true, 'the sweep panel is open');
    for (const [id, value] of Object.entries(fields)) assert.equal(await page.inputValue(id), value, id);
    assert.equal(await page.isChecked('#sweep-log-1'), true);
    assert.equal(await page.isChecked('#sweep-log-2'), false);
    assert.equal(await page.inputValue('#seed'), '3', 'the run\'s seed came along');
    assert.equal(await page.getAttribute('#sweep', 'data-state'), 'idle', 'filled in, not run');
    // The address keeps only the scenario's part (then the page clears it, as for any link).
    assert.doesNotMatch(page.url(), /sweep=/);
  });
  // A link from before (no sweep part) opens with the panel closed and empty.
  await chromium.withPage(t, async (page) => {
    await load(page, address.split('&sweep=')[0], TIMEOUT_MS);
    assert.equal(await page.$eval('#sweep', (d) => d.open), false);
    assert.equal(await page.inputValue('#sweep-field-1'), '');
  });
});
