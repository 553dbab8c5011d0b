// End-to-end tests of the built playground in headless Chromium, clicking through it as a person
// would. `cargo xtask test` builds dist/, serves it, writes the CLI's summary for the same preset
// and seed to FLEETPLAN_EXPECTED_SUMMARY and runs `node --test tests/e2e/`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

import { browserForTests, load, openPage, openPreset, requiredEnv, scrubTo } from './browser.mjs';

const BASE_URL = requiredEnv('FLEETPLAN_URL');
const EXPECTED = JSON.parse(await readFile(requiredEnv('FLEETPLAN_EXPECTED_SUMMARY'), 'utf8'));
/** More `"<preset> <seed>": summary` pairs from the native CLI (E2E_DIFFERENTIAL in crates/xtask/src/test.rs). */
const DIFFERENTIAL = JSON.parse(await readFile(requiredEnv('FLEETPLAN_EXPECTED_SUMMARIES'), 'utf8'));
/** The scenario behind FLEETPLAN_EXPECTED_SUMMARY: E2E_PRESET and E2E_SEED in crates/xtask/src/test.rs. */
const PRESET = 'fargate-ondemand-1000';
const SEED = '7';
const SCREENSHOTS = new URL('./screenshots/', import.meta.url);
/** Generous: a cold headless Chromium on a 2-core machine compiles the wasm first. */
const TIMEOUT_MS = 30_000;
/** How often conditions that cost something to check (reading a canvas, parsing the summary) are checked. */
const POLL_MS = 100;
const TEST_OPTIONS = { timeout: 120_000 };

const chromium = browserForTests();

/**
 * Waits until #summary-json holds the expected summary (waiting for the value copes with a summary
 * still on the page from an earlier run). If it does not come, fails showing the difference.
 */
async function expectSummary(page, expected = EXPECTED) {
  const arrived = await page.waitForFunction((expected) => {
    const equal = (a, b) => {
      if (a === b) return true;
      if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
      if (Array.isArray(a) !== Array.isArray(b)) return false;
      const keys = Object.keys(a);
      return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
    };
    try {
      return equal(JSON.parse(document.querySelector('#summary-json')?.textContent ?? ''), expected);
    } catch {
      return false;
    }
  }, expected, { timeout: TIMEOUT_MS, polling: POLL_MS }).then(() => true, () => false);
  if (arrived) return;
  const text = ((await page.locator('#summary-json').textContent().catch(() => '')) ?? '').trim();
  assert.ok(text, '#summary-json stayed empty');
  assert.deepEqual(JSON.parse(text), expected, '#summary-json differs from the CLI\'s --json output');
}

/** Picks the e2e preset and seed and waits for the run's summary. */
async function openE2eScenario(page) {
  await page.fill('#seed', SEED);
  await openPreset(page, PRESET);
  await expectSummary(page);
}

/** Pixels of a canvas that differ from its top-left (background) pixel; evaluated in the page. */
function inkInPage(selector) {
  const canvas = document.querySelector(selector);
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  const ctx = copy.getContext('2d');
  ctx.drawImage(canvas, 0, 0);
  const { data } = ctx.getImageData(0, 0, copy.width, copy.height);
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2] || data[i + 3] !== data[3]) {
      count += 1;
    }
  }
  return count;
}

function ink(page, selector) {
  return page.evaluate(inkInPage, selector);
}

/** Waits until a canvas has at least `minimum` pixels of ink, failing with the count if it does not come. */
async function expectInk(page, selector, minimum = 100, message = `${selector} looks blank`) {
  const inked = await page.waitForFunction(
    `(${inkInPage})(${JSON.stringify(selector)}) >= ${minimum}`,
    undefined,
    { timeout: TIMEOUT_MS, polling: POLL_MS },
  ).then(() => true, () => false);
  if (!inked) {
    const count = await ink(page, selector);
    assert.ok(count >= minimum, `${message} (${count} non-background pixels, expected at least ${minimum})`);
  }
}

/** The playback time shown, in seconds; evaluated in the page. */
function clockSecondsInPage() {
  const text = document.querySelector('#clock')?.textContent ?? '';
  const now = text.split('/')[0].trim().split(':').map(Number);
  return now.reduce((total, part) => total * 60 + part, 0);
}

function clockSeconds(page) {
  return page.evaluate(clockSecondsInPage);
}

/** Waits until the playback clock shows more than `seconds`. */
function expectClockPast(page, seconds) {
  // A function, not a string: the page's Content-Security-Policy refuses strings evaluated as code.
  return page.waitForFunction((after) => {
    const text = document.querySelector('#clock')?.textContent ?? '';
    const now = text.split('/')[0].trim().split(':').map(Number);
    return now.reduce((total, part) => total * 60 + part, 0) > after;
  }, seconds, { timeout: TIMEOUT_MS });
}

/**
 * Waits until the page has run `count` animation frames: the app's frame loop has had that many
 * turns (to draw what was asked, or to show that nothing moves).
 */
function frames(page, count) {
  return page.evaluate((count) => new Promise((resolve) => {
    let left = count;
    const next = () => (--left <= 0 ? resolve() : requestAnimationFrame(next));
    requestAnimationFrame(next);
  }), count);
}

/** The share link the page offers. */
async function shareLink(page) {
  const link = await page.inputValue('#share-link');
  assert.match(new URL(link).hash, /^#s=./, `#share-link is not a #s=… link: ${link}`);
  return link;
}

test('plays a preset, draws the cluster and charts, and matches the native CLI summary', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    await openE2eScenario(page);

    // Play for a moment, then pause: the clock moves, then stays.
    await page.selectOption('#speed', '20');
    await page.click('#play');
    await expectPressed(page, 'true');
    await expectClockPast(page, 2);
    await page.click('#play');
    await expectPressed(page, 'false');
    const paused = await clockSeconds(page);
    assert.ok(paused > 0, `the clock did not move while playing (${paused} s)`);
    await frames(page, 30);
    assert.equal(await clockSeconds(page), paused, 'the clock moved while paused');

    // Seek to 2:30 on the scrubber, then back to 0:40 (a deterministic re-run).
    await scrubTo(page, 150_000);
    await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('2:30'));
    await scrubTo(page, 40_000);
    await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('0:40'));

    await expectInk(page, '#cluster');
    for (const id of ['chart-launches', 'chart-running', 'chart-buckets', 'chart-backlog', 'chart-cost']) {
      await expectInk(page, `#${id}`);
    }
    await expectSummary(page);
    assert.ok((await page.locator('#summary tr').count()) > 0, 'table#summary has no rows');

    await mkdir(SCREENSHOTS, { recursive: true });
    await scrubTo(page, 90_000);
    await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('1:30'));
    // The frames after the seek redraw the cluster view and the charts at 1:30.
    await frames(page, 10);
    await page.screenshot({ path: fileURLToPath(new URL('run.png', SCREENSHOTS)), fullPage: true });
  });
});

/** The play button's state, which follows on the next animation frame. */
function expectPressed(page, pressed) {
  return page.waitForFunction((p) => document.querySelector('#play').getAttribute('aria-pressed') === p, pressed);
}

test('the keyboard plays, pauses and steps', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Space');
    await expectPressed(page, 'true');
    await page.keyboard.press('Space');
    await expectPressed(page, 'false');
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('0:00'));
    for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowRight');
    const stepped = await page.waitForFunction(() => !document.querySelector('#clock').textContent.startsWith('0:00 '),
      undefined, { timeout: TIMEOUT_MS }).then(() => true, () => false);
    assert.ok(stepped, 'ArrowRight did not step');

    // A RunTask burst at 0 s: its first events are at the current instant, and Step still moves through them.
    await openPreset(page, 'fargate-runtask-burst');
    await page.waitForFunction(() => /RunTask/i.test(document.querySelector('#scenario-title').textContent));
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    // The new scenario's first frames draw its cluster view at 0 s.
    await frames(page, 5);
    const before = await ink(page, '#cluster');
    for (let i = 0; i < 40; i += 1) await page.keyboard.press('ArrowRight');
    await expectInk(page, '#cluster', before + 1, `Step drew no launched tasks (${before} pixels before)`);
  });
});

test('a hover over a task shows its details', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    await scrubTo(page, 120_000);
    await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('2:00'));
    await expectInk(page, '#cluster');
    await frames(page, 3);
    const box = await page.locator('#cluster').boundingBox();
    // The first cells of the Fargate pool sit under its heading, near the top-left.
    let shown = false;
    for (let y = 20; y < 90 && !shown; y += 6) {
      await page.mouse.move(box.x + 30, box.y + y);
      shown = await page.locator('#details').isVisible();
    }
    assert.ok(shown, 'no details box appeared over the cluster view');
    assert.match(await page.textContent('#details'), /Task \d+|tasks/);
  });
});

test('an AWS Batch preset shows its compute environments, jobs, Batch charts and Batch summary', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    // A scenario without Batch has neither the Batch canvas nor the Batch charts.
    assert.equal(await page.locator('#batch-cluster').count(), 0, '#batch-cluster without Batch');
    assert.equal(await page.locator('#chart-batch-jobs').count(), 0, '#chart-batch-jobs without Batch');

    await openPreset(page, 'batch-two-queue-priorities');
    // The summary's Batch tables say what its JSON (the CLI's --json) says.
    await page.locator('#batch').waitFor({ timeout: TIMEOUT_MS });
    const batch = JSON.parse(await page.textContent('#summary-json')).batch;
    assert.equal(batch.jobs, 1200, 'jobs in the preset');
    const row = async (label) => page.locator('#batch tr', { hasText: label }).locator('td').textContent();
    assert.equal(await row('Makespan'), `${batch.makespan_s.toFixed(1)} s`);
    assert.equal(await row('Job wait p50 / p95'), `${batch.wait_p50_s.toFixed(1)} s / ${batch.wait_p95_s.toFixed(1)} s`);
    assert.match(await row('Retries'), new RegExp(`^${batch.retries} retries, ${batch.spot_reclaims} Spot reclaims`));
    assert.match(await row('Cost'), new RegExp(`per job`));
    // One row per queue, the interactive one (priority 100) waiting less than the reporting one.
    const queues = page.locator('#batch-queues tbody tr');
    assert.equal(await queues.count(), 2, 'two job queues');
    const [reporting, interactive] = batch.queues[0].priority < batch.queues[1].priority ? batch.queues : [...batch.queues].reverse();
    assert.ok(interactive.wait_p50_s < reporting.wait_p50_s, `interactive ${interactive.wait_p50_s} s, reporting ${reporting.wait_p50_s} s`);
    assert.match(await page.textContent('#batch-compute-environments'), new RegExp(`${batch.compute_environments[0].peak_vcpus} / ${batch.compute_environments[0].max_vcpus}`));
    for (const id of ['chart-batch-jobs', 'chart-batch-vcpus', 'chart-batch-backlog']) {
      await expectInk(page, `#${id}`);
    }
    // AWS Batch alone launches no ECS tasks: the task charts are left out, the buckets and cost stay.
    for (const id of ['chart-launches', 'chart-running', 'chart-backlog']) {
      assert.equal(await page.locator(`#${id}`).count(), 0, `#${id} in a scenario of AWS Batch alone`);
    }
    await expectInk(page, '#chart-buckets');

    // Six minutes in, the compute environment's instances are full of jobs: hover one for its details.
    await scrubTo(page, 360_000);
    await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('6:00'));
    await expectInk(page, '#batch-cluster', 500);
    assert.match(await page.textContent('#live-status'), /AWS Batch: [1-9][\d,]* jobs RUNNING, [\d,]+ RUNNABLE/);
    await frames(page, 3);
    const box = await page.locator('#batch-cluster').boundingBox();
    let shown = false;
    for (let y = 60; y < 140 && !shown; y += 3) {
      await page.mouse.move(box.x + 14, box.y + y);
      shown = /^Job /.test((await page.locator('#details').textContent({ timeout: 200 }).catch(() => '')) ?? '');
    }
    assert.ok(shown, 'no job details appeared over the Batch view');
    const details = await page.textContent('#details');
    for (const field of ['Queue', 'Array index', 'State', 'Attempt', 'Submitted']) {
      assert.ok(details.includes(field), `job details without ${field}: ${details}`);
    }
    assert.match(details, /RUNNING|STARTING/);
  });
});

test('an invalid field shows the engine\'s message beside it and blocks the run', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    await page.click('#toggle-editor');
    const field = page.locator('[data-path="services[0].desired_count"]');
    await field.fill('many');
    const message = page.locator('[id="err-services[0].desired_count"]');
    await message.waitFor({ state: 'visible' });
    assert.match(await message.textContent(), /must be a whole number from 0 to 4294967295; got "many"/);
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.ok(await page.isDisabled('#play'), 'a scenario with errors can still be played');
    assert.match(await page.textContent('#blocked'), /services\[0\]\.desired_count/);

    // A decimal typed key by key keeps its dot (the field is not re-printed from the number mid-typing).
    const spread = page.locator('[data-path="fargate_spot.interruptions_per_task_hour"]');
    await spread.fill('');
    await spread.pressSequentially('0.25');
    assert.equal(await spread.inputValue(), '0.25');

    // Fixing it makes it runnable again, with the new count.
    await field.fill('50');
    await page.waitForFunction(() => !document.querySelector('#play').disabled);
    await page.waitForFunction(() => /of 50 desired/.test(document.querySelector('#live-status').textContent));

    // The edit survives a reload.
    await page.reload();
    await page.waitForSelector('#play', { timeout: TIMEOUT_MS });
    await page.waitForFunction(() => /of 50 desired/.test(document.querySelector('#live-status').textContent));
    assert.match(await page.textContent('.source'), /edited/);

    // Opening a preset over unsaved edits keeps them aside, and they come back.
    await openPreset(page, 'fargate-spot-1000');
    await page.locator('#restore-edits').waitFor();
    await page.click('#restore-edits');
    await page.waitForFunction(() => /of 50 desired/.test(document.querySelector('#live-status').textContent));
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.click('#toggle-editor');
    await page.locator('#editor').waitFor();
    await page.screenshot({ path: fileURLToPath(new URL('editor.png', SCREENSHOTS)) });
  }, { width: 1280, height: 720 });
});

test('the title and status follow the edited scenario, and the summary names each cost', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    assert.equal(await page.textContent('#scenario-title'), 'Fargate On-Demand, 0 to 1,000 tasks');
    // Issue 13: the summary names the steady-state rate (1,000 x $0.0173425 an hour), not only the run's average.
    await page.locator('#cost-steady').waitFor({ timeout: TIMEOUT_MS });
    assert.match(await page.textContent('#cost-steady'), /\$17\.34 per hour, \$12,660\.02 per month \(730 hours\)/);
    assert.match(await page.textContent('#cost-total'), /average \$\d+\.\d\d per hour over the run, ramp included/);
    assert.match(await page.textContent('#cost-rollout'), /first rollout was steady, at \d:\d\d:\d\d/);
    assert.match(await page.textContent('#cost-vs-on-demand'), /all On-Demand/);

    // Editing the desired count to 2,500 must not leave "0 to 1,000 tasks" in the title.
    await page.click('#toggle-editor');
    await page.locator('[data-path="services[0].desired_count"]').fill('2500');
    await page.waitForFunction(() => /2,500/.test(document.querySelector('#scenario-title').textContent));
    const title = await page.textContent('#scenario-title');
    assert.equal(title, '1 service, 0 to 2,500 tasks on FARGATE');
    assert.doesNotMatch(title, /1,000/);
    assert.match(await page.textContent('#scenario-status'), /^edited/);
    await page.waitForFunction(() => /of 2,500 desired/.test(document.querySelector('#live-status').textContent));

    // A name typed by the user is theirs; the title shows it.
    await page.locator('[data-path="name"]').fill('My 2,500 tasks');
    await page.waitForFunction(() => document.querySelector('#scenario-title').textContent === 'My 2,500 tasks');
  });
});

test('edits that cannot be kept aside keep the scenario open, and the message says why', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    await page.click('#toggle-editor');
    await page.locator('[data-path="services[0].desired_count"]').fill('50');
    await page.waitForFunction(() => /of 50 desired/.test(document.querySelector('#live-status').textContent));
    const title = await page.textContent('#scenario-title');
    // The browser refuses to store the kept-aside edits, as when its storage is full.
    await page.evaluate(() => {
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (key.startsWith('fleetplan.stash')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return setItem.call(this, key, value);
      };
    });
    await page.click('#toggle-gallery');
    await page.click('#open-fargate-spot-1000');
    await expectError(page, /could not be kept aside/, title);
    assert.match(await page.textContent('.source'), /edited/);
    assert.equal(await page.locator('#restore-stash').count(), 0, 'a Restore button for edits that were not kept');
    await page.waitForFunction(() => /of 50 desired/.test(document.querySelector('#live-status').textContent));
  });
});

test('a copied link reopens the same scenario and the identical summary', TEST_OPTIONS, async (t) => {
  let link;
  await chromium.withPage(t, async (page) => {
    await load(page);
    await openE2eScenario(page);
    link = await shareLink(page);
    assert.ok(await page.$eval('#share-link', (input) => input.readOnly), '#share-link is not readonly');
  });
  await chromium.withPage(t, async (page) => {
    // The link carries the whole scenario and seed, not a preset id: the summary is the contract.
    await load(page, link);
    await expectSummary(page);
    assert.equal(await page.inputValue('#seed'), SEED);
    // Once opened, the link leaves the address bar: a reload keeps what is on the page.
    assert.equal(new URL(page.url()).hash, '');
    await page.reload();
    await page.waitForSelector('#play', { timeout: TIMEOUT_MS });
    assert.equal(await page.inputValue('#seed'), SEED);
  });
});

/** Expects the error message bar, with the app still there and the scenario unchanged. */
async function expectError(page, pattern, title) {
  const error = page.locator('#error');
  await error.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.match(await error.textContent(), pattern);
  assert.equal(await page.locator('#play').count(), 1, 'the app is gone after bad input');
  if (title) assert.equal(await page.textContent('#scenario-title'), title, 'the scenario shown changed');
}

test('corrupt links show a message, not a crash', TEST_OPTIONS, async (t) => {
  const oversized = new URL(`#s=1.${'A'.repeat(300 * 1024)}`, BASE_URL).href;
  // A truncated link is refused too, but opens what it holds in the JSON tab (tests/e2e/editor.test.mjs).
  const bad = [new URL('#s=garbage!!', BASE_URL).href, new URL('#s=9.abc', BASE_URL).href, oversized];
  for (const link of bad) {
    await chromium.withPage(t, async (page) => {
      await load(page, link);
      // The default scenario stays, and the bad link leaves the address bar so a reload does not repeat it.
      await expectError(page, /Could not open the link/, 'Fargate On-Demand, 0 to 1,000 tasks');
      assert.equal(new URL(page.url()).hash, '');
    });
  }
});

/** A version-2 share link (zlib deflate, so with its Adler-32 checksum) holding `scenario` and `seed`. */
function linkTo(scenario, seed) {
  const packed = deflateSync(Buffer.from(JSON.stringify({ seed, scenario })), { level: 9 });
  return new URL(`#s=2.${packed.toString('base64url')}`, BASE_URL).href;
}

test('a link whose scenario is over a limit runs nothing and opens in the JSON tab with why', TEST_OPTIONS, async (t) => {
  // Issue 14's link bomb, smaller: groups of 10,000 instances (its 37 KB link once asked for 15.5 GB).
  const scenario = {
    version: 1, name: 'link bomb',
    task_definitions: [{ name: 'web', cpu: 256, memory: 512 }],
    services: [{ name: 'web', task_definition: 'web', desired_count: 3 }],
    capacity_providers: Array.from({ length: 1000 }, (_, i) => (
      { name: `p${i}`, instance_types: ['m5.large'], max_size: 10000, desired_capacity: 10000 })),
  };
  await chromium.withPage(t, async (page) => {
    await page.goto(linkTo(scenario, 3));
    const error = page.locator('#error');
    await error.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.match(await error.textContent(), /cannot run, so nothing was run: .*capacity_providers: at most 20/s);
    assert.match(await error.textContent(), /JSON tab/);
    // Nothing runs: no stage, so no player was built for it.
    assert.equal(await page.locator('#play').count(), 0, 'a stage for a scenario that cannot run');
    // The scenario is kept, in the JSON tab, to fix.
    assert.equal(await page.getAttribute('#editor-json-tab', 'aria-selected'), 'true');
    const json = JSON.parse(await page.inputValue('#scenario-json'));
    assert.equal(json.capacity_providers.length, 1000);
    assert.equal(json.name, 'link bomb');
    assert.equal(await page.inputValue('#seed'), '3');
    // Fixing it in the JSON tab makes it run.
    json.capacity_providers = json.capacity_providers.slice(0, 2).map((p) => ({ ...p, max_size: 2, desired_capacity: 1 }));
    await page.fill('#scenario-json', JSON.stringify(json));
    await page.waitForSelector('#play', { timeout: TIMEOUT_MS });
  });
});

test('scenarios opened as links give the native CLI\'s summary: EC2, schedules, SQS, CPU credits', TEST_OPTIONS, async (t) => {
  assert.ok(Object.keys(DIFFERENTIAL).length >= 3, 'too few CLI summaries to compare with');
  for (const [key, expected] of Object.entries(DIFFERENTIAL)) {
    const [preset, seed] = key.split(' ');
    const file = new URL(`../../crates/engine/presets/${preset}.json`, import.meta.url);
    const scenario = JSON.parse(await readFile(fileURLToPath(file), 'utf8'));
    await chromium.withPage(t, async (page) => {
      await load(page, linkTo(scenario, Number(seed)));
      assert.equal(await page.inputValue('#seed'), seed);
      await expectSummary(page, expected);
    });
  }
});

test('the page\'s Content-Security-Policy is in force: no inline script, no eval, no other origin', TEST_OPTIONS, async () => {
  // Not withPage: the blocked attempts below are reported on the console, which is what this test wants.
  const { page, errors, close } = await openPage(chromium.browser);
  try {
    await load(page);
    const outcome = await page.evaluate(async () => {
      const policy = document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? '';
      const violations = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      // From a timer, not from this call: Chromium lets code that DevTools (Playwright) starts bypass the page's
      // policy, the page's own code it does not.
      const evalBlocked = await new Promise((resolve) => setTimeout(() => {
        try {
          // eslint-disable-next-line no-eval
          eval('1');
          resolve(false);
        } catch (e) {
          resolve(e instanceof EvalError);
        }
      }, 0));
      await new Promise((resolve) => setTimeout(() => {
        const inline = document.createElement('script');
        inline.textContent = 'window.__inlineRan = true;';
        document.body.append(inline);
        resolve();
      }, 0));
      const image = new Image();
      image.src = 'https://example.invalid/pixel.png';
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { policy, evalBlocked, inlineRan: window.__inlineRan === true, violations };
    });
    assert.match(outcome.policy, /default-src 'self'/);
    assert.match(outcome.policy, /script-src 'self' 'wasm-unsafe-eval';/);
    assert.ok(outcome.evalBlocked, 'eval is refused');
    assert.equal(outcome.inlineRan, false, 'an injected inline script does not run');
    assert.ok(outcome.violations.some((d) => d.startsWith('script-src')), `violations: ${outcome.violations}`);
    assert.ok(outcome.violations.some((d) => d.startsWith('img-src')), `violations: ${outcome.violations}`);
    // The app itself ran under the policy: it mounted (load waited for #play) and played nothing it was refused.
    assert.ok(errors.every((e) => /Content Security Policy|example\.invalid/.test(e)), errors.join('\n'));
  } finally {
    await close();
  }
});

test('corrupt, invalid and oversized files show a message and keep the scenario', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    const title = await page.textContent('#scenario-title');
    const cases = [
      ['broken.json', '{"version": 1, "name": ', /Could not open broken\.json/],
      ['invalid.json', JSON.stringify({ version: 1, name: 'x', task_definitions: [], services: [{ name: 's', task_definition: 'nope', desired_count: 1 }] }), /task_definition/],
      ['hostile.json', '<img src=x onerror=alert(1)>', /Could not open hostile\.json/],
      ['huge.json', `{"name": "${'x'.repeat(3 * 1024 * 1024)}"}`, /at most 2 MiB/],
    ];
    for (const [name, text, pattern] of cases) {
      await page.setInputFiles('#import-file', { name, mimeType: 'application/json', buffer: Buffer.from(text) });
      await expectError(page, pattern, title);
      assert.equal(await page.locator('#error img').count(), 0, 'file text was rendered as HTML');
      await page.click('#error .dismiss');
    }
    // A good file opens.
    const good = await readFile(fileURLToPath(new URL('../../crates/engine/presets/fargate-spot-1000.json', import.meta.url)), 'utf8');
    await page.setInputFiles('#import-file', { name: 'spot.json', mimeType: 'application/json', buffer: Buffer.from(good) });
    await page.waitForFunction(() => /File: spot\.json/.test(document.querySelector('.source').textContent));
  });
});

test('with no link, no error is shown and the page fits a 1280x720 projector', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    assert.equal(await page.locator('#error').isVisible(), false, '#error is visible on a clean load');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 1280, `the page scrolls sideways at 1280 px (${width} px wide)`);
  }, { width: 1280, height: 720 });
});

test('with reduced motion asked for, playback still works, calmly', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    assert.ok(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches));
    await page.selectOption('#speed', '50');
    await page.click('#play');
    await expectPressed(page, 'true');
    await expectClockPast(page, 0);
    await expectInk(page, '#cluster');
    // No CSS transitions or animations anywhere.
    const moving = await page.evaluate(() => [...document.querySelectorAll('*')].filter((el) => {
      const style = getComputedStyle(el);
      return parseFloat(style.transitionDuration) > 0 || style.animationName !== 'none';
    }).length);
    assert.equal(moving, 0);
  }, undefined, { reducedMotion: 'reduce' });
});
