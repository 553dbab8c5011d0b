// Lesson mode (issue 13): a preset's lesson in the panel beside the stage, clicker keys, the step's time and
// highlight, presentation mode at 1280x720, link options that hide panels, a custom lesson carried by a share link,
// and the caption a Step shows. Run through `cargo xtask test` (FLEETPLAN_URL is the served app).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';

import { browserForTests, DOCS, load, openPreset, requiredEnv, runKnown, SHOTS } from './browser.mjs';

const BASE_URL = requiredEnv('FLEETPLAN_URL');
const TIMEOUT_MS = 30_000;
const TEST_OPTIONS = { timeout: 180_000 };
const PROJECTOR = { width: 1280, height: 720 };

const chromium = browserForTests();

const text = (page, selector) => page.locator(selector).textContent();

/** A version-2 share link (`#s=2.` + base64url(zlib(JSON of seed and scenario))). */
function shareLink(scenario, seed = 1) {
  const packed = deflateSync(Buffer.from(JSON.stringify({ seed, scenario }))).toString('base64url');
  return new URL(`#s=2.${packed}`, BASE_URL).href;
}

test('a preset\'s lesson: the gallery marks it, PageDown moves to step 2 and its time, "p" presents', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    await openPreset(page, 'ec2-spot-draining');
    await page.waitForSelector('#lesson-text');
    assert.equal(await text(page, '#lesson-count'), 'Step 1 of 3');
    assert.match(await text(page, '#lesson-text'), /^Two services on EC2 Spot/);
    // The preset's "what to look at" stays on the page once it is open.
    assert.match(await text(page, '#what-to-look-at'), /Half of each Spot pool is reclaimed/);
    // The gallery marks the open preset.
    await page.click('#toggle-gallery');
    assert.equal(await page.locator('.card.open-preset #open-ec2-spot-draining').count(), 1);
    assert.equal(await page.locator('.card.open-preset').count(), 1);
    await page.keyboard.press('Escape');
    await page.locator('#gallery').waitFor({ state: 'detached' });
    // The steps' times are marked on the scrubber.
    assert.deepEqual(await page.$$eval('#lesson-marks option', (os) => os.map((o) => o.value)), ['0', '600000', '720000']);

    await runKnown(page);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('PageDown');
    await page.waitForFunction(() => document.querySelector('#lesson-count').textContent === 'Step 2 of 3');
    assert.match(await text(page, '#lesson-text'), /^A Spot wave reclaims half of each pool/);
    await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('10:00 '), undefined,
      { timeout: TIMEOUT_MS });
    // "." and "b" (what clickers send) move too; PageUp goes back.
    await page.keyboard.press('.');
    await page.waitForFunction(() => document.querySelector('#lesson-count').textContent === 'Step 3 of 3');
    await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('12:00 '));
    await page.keyboard.press('b');
    await page.waitForFunction(() => document.querySelector('#lesson-count').textContent === 'Step 2 of 3');
    await page.keyboard.press('PageUp');
    await page.waitForFunction(() => document.querySelector('#lesson-count').textContent === 'Step 1 of 3');
    await page.keyboard.press('PageDown');
    await page.waitForFunction(() => document.querySelector('#lesson-count').textContent === 'Step 2 of 3');

    // Presentation mode: the cluster and the chart that matters side by side, within 1280x720, text >= 18 px.
    await page.setViewportSize(PROJECTOR);
    await page.keyboard.press('p');
    await page.waitForFunction(() => document.documentElement.classList.contains('presenting'));
    const facts = await page.evaluate(() => {
      const box = (el) => el && el.getBoundingClientRect().toJSON();
      const visible = (sel) => { const el = document.querySelector(sel); return !!el && el.getClientRects().length > 0; };
      return {
        cluster: box(document.querySelector('#cluster')),
        chart: box(document.querySelector('.chart.focus-chart canvas')),
        charts: [...document.querySelectorAll('.chart')].filter((c) => c.getClientRects().length > 0).length,
        lessonFont: parseFloat(getComputedStyle(document.querySelector('#lesson-text')).fontSize),
        bodyFont: parseFloat(getComputedStyle(document.querySelector('#lesson-count')).fontSize),
        scroll: document.documentElement.scrollHeight,
        summary: visible('.summary-panel'),
        header: visible('.masthead'),
      };
    });
    t.diagnostic(JSON.stringify(facts));
    const inside = (b) => b && b.width > 200 && b.height > 150 && b.left >= 0 && b.top >= 0
      && b.right <= PROJECTOR.width + 0.5 && b.bottom <= PROJECTOR.height + 0.5;
    assert.ok(inside(facts.cluster), `the cluster is not within 1280x720: ${JSON.stringify(facts.cluster)}`);
    assert.ok(inside(facts.chart), `the chart is not within 1280x720: ${JSON.stringify(facts.chart)}`);
    assert.ok(facts.chart.left >= facts.cluster.right - 1, 'the chart is not beside the cluster');
    assert.equal(facts.charts, 1, 'presentation mode shows one chart');
    assert.ok(facts.lessonFont >= 18 && facts.bodyFont >= 18, `text under 18 px: ${facts.lessonFont}, ${facts.bodyFont}`);
    assert.ok(facts.scroll <= PROJECTOR.height + 1, `the page scrolls: ${facts.scroll} px tall`);
    assert.ok(!facts.summary && !facts.header, 'presentation mode hides the summary and the masthead');
    if (SHOTS) {
      await page.waitForTimeout(500);
      await page.screenshot({ path: new URL('presentation.png', DOCS).pathname });
    }
    // The same projector at 150% zoom (853x480 CSS pixels): the cluster, the step and the chart still all show.
    const ZOOMED = { width: 853, height: 480 };
    await page.setViewportSize(ZOOMED);
    await page.waitForTimeout(500);
    const zoomed = await page.evaluate(() => ({
      cluster: document.querySelector('#cluster').getBoundingClientRect().toJSON(),
      chart: document.querySelector('.chart.focus-chart canvas').getBoundingClientRect().toJSON(),
      lesson: document.querySelector('#lesson').getBoundingClientRect().toJSON(),
      lessonFont: parseFloat(getComputedStyle(document.querySelector('#lesson-text')).fontSize),
      scroll: document.documentElement.scrollHeight,
    }));
    t.diagnostic(JSON.stringify(zoomed));
    const within = (b, min) => b.width > min && b.height > min && b.left >= 0 && b.top >= 0
      && b.right <= ZOOMED.width + 0.5 && b.bottom <= ZOOMED.height + 0.5;
    for (const part of ['cluster', 'chart', 'lesson']) {
      assert.ok(within(zoomed[part], 90), `at 150% the ${part} is not within 853x480: ${JSON.stringify(zoomed[part])}`);
    }
    assert.ok(zoomed.lessonFont >= 18, `text under 18 px at 150%: ${zoomed.lessonFont}`);
    assert.ok(zoomed.scroll <= ZOOMED.height + 1, `the page scrolls at 150%: ${zoomed.scroll} px tall`);
    await page.setViewportSize(PROJECTOR);
    await page.keyboard.press('p');
    await page.waitForFunction(() => !document.documentElement.classList.contains('presenting'));
  });
});

test('"Copy link to this step" copies the link with the step; refused, it selects the link in a field', TEST_OPTIONS, async (t) => {
  let copied;
  await chromium.withPage(t, async (page) => {
    await load(page);
    await openPreset(page, 'ec2-spot-draining');
    await page.waitForSelector('#lesson-text');
    await page.click('#lesson-next');
    await page.waitForFunction(() => document.querySelector('#lesson-count').textContent === 'Step 2 of 3');
    // Its accessible name is its text, distinct from the masthead's "Copy link".
    assert.equal(await page.getByRole('button', { name: 'Copy link to this step', exact: true }).count(), 1);
    await page.click('#lesson-copy-link');
    await page.waitForFunction(() => (document.querySelector('#lesson-link-status')?.textContent ?? '') !== '');
    copied = await page.inputValue('#lesson-link');
    // The masthead's share link (scenario and seed) with the step.
    assert.equal(copied, `${await page.inputValue('#share-link')}&step=2`);
    assert.match(await text(page, '#lesson-link-status'), /^Link to step 2 copied\.$/);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), copied);
    if (SHOTS) {
      await page.setViewportSize(PROJECTOR);
      await page.locator('#lesson').scrollIntoViewIfNeeded();
      await page.waitForTimeout(500);
      await page.screenshot({ path: new URL('lesson-link.png', DOCS).pathname });
    }

    // The clipboard refuses (no permission, say): the link is selected in the field, to copy by hand.
    await page.evaluate(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'));
    });
    await page.click('#lesson-next');
    await page.waitForFunction(() => document.querySelector('#lesson-count').textContent === 'Step 3 of 3');
    assert.equal(await page.locator('#lesson-link').count(), 0, 'the link of another step stays on screen');
    await page.click('#lesson-copy-link');
    await page.waitForFunction(() => /refused/.test(document.querySelector('#lesson-link-status')?.textContent ?? ''));
    const selected = await page.evaluate(() => {
      const field = document.activeElement;
      return { id: field.id, value: field.value, start: field.selectionStart, end: field.selectionEnd };
    });
    assert.deepEqual(selected, { id: 'lesson-link', value: selected.value, start: 0, end: selected.value.length });
    assert.match(selected.value, /&step=3$/);
  }, undefined, { permissions: ['clipboard-read', 'clipboard-write'] });
  await chromium.withPage(t, async (page) => {
    // The copied link opens the lesson at step 2, at its time.
    await load(page, copied);
    await page.waitForFunction(() => document.querySelector('#lesson-count')?.textContent === 'Step 2 of 3',
      undefined, { timeout: TIMEOUT_MS });
    assert.match(await text(page, '#lesson-text'), /^A Spot wave reclaims half of each pool/);
    await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('10:00'), undefined,
      { timeout: TIMEOUT_MS });
  });
});

test('link options hide panels and present, and keep the preset link working', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page, new URL('#preset=fargate-three-services&hide=editor,summary,gallery', BASE_URL).href);
    await page.waitForFunction(() => /Step 1 of/.test(document.querySelector('#lesson-count')?.textContent ?? ''),
      undefined, { timeout: TIMEOUT_MS });
    assert.match(await text(page, '#lesson-text'), /^Three services start together/);
    const shown = await page.evaluate(() => ['#toggle-gallery', '#toggle-editor', '.summary-panel', '#cluster', '#lesson']
      .map((sel) => { const el = document.querySelector(sel); return !!el && el.getClientRects().length > 0; }));
    assert.deepEqual(shown, [false, false, false, true, true]);
    assert.ok(!(await page.evaluate(() => document.documentElement.classList.contains('presenting'))));

    await page.goto(new URL('#preset=ec2-spot-draining&present', BASE_URL).href);
    await page.waitForFunction(() => document.documentElement.classList.contains('presenting'), undefined,
      { timeout: TIMEOUT_MS });
    await page.waitForFunction(() => /^Two services on EC2 Spot/.test(document.querySelector('#lesson-text')?.textContent ?? ''),
      undefined, { timeout: TIMEOUT_MS });
  });
});

test('a share link carries a custom lesson, shown as plain text', TEST_OPTIONS, async (t) => {
  const scenario = {
    version: 1,
    name: 'custom lesson',
    task_definitions: [{ name: 'web', cpu: 256, memory: 512 }],
    services: [{ name: 'web', task_definition: 'web', desired_count: 20 }],
    lesson: {
      steps: [
        { text: 'Watch the <b>launches</b> & the bucket.', text_ja: '起動を見てください。', highlight: { chart: 'launches' } },
        { text: 'Thirty seconds in.', at_s: 30, highlight: { service: 'web' } },
      ],
    },
  };
  await chromium.withPage(t, async (page) => {
    await load(page, shareLink(scenario));
    await page.waitForSelector('#lesson-text', { timeout: TIMEOUT_MS });
    assert.equal(await text(page, '#lesson-text'), 'Watch the <b>launches</b> & the bucket.');
    assert.equal(await page.locator('#lesson-text b').count(), 0, 'a step\'s text became HTML');
    assert.equal(await page.locator('#chart-launches').evaluate((c) => c.closest('figure').classList.contains('focus-chart')), true);
    await runKnown(page);
    await page.click('#lesson-next');
    await page.waitForFunction(() => document.querySelector('#lesson-text').textContent === 'Thirty seconds in.');
    await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('0:30 '), undefined,
      { timeout: TIMEOUT_MS });
    // In Japanese the step shows its text_ja.
    await page.click('#lesson-prev');
    await page.evaluate(() => document.documentElement.setAttribute('lang', 'ja'));
    await page.click('#lesson-next');
    await page.click('#lesson-prev');
    await page.waitForFunction(() => document.querySelector('#lesson-text').textContent === '起動を見てください。');
  });
});

test('trainers add a lesson and its steps in the editor', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    await page.click('#toggle-editor');
    await page.selectOption('select[aria-label="Add a setting to the scenario"]', 'lesson');
    await page.waitForFunction(() => document.querySelector('#lesson-text')?.textContent === 'What to look at now.',
      undefined, { timeout: TIMEOUT_MS });
    await page.click('button[data-add="lesson.steps"]');
    await page.waitForFunction(() => document.querySelector('#lesson-count')?.textContent === 'Step 1 of 2',
      undefined, { timeout: TIMEOUT_MS });
    await page.click('#lesson-next');
    await page.waitForFunction(() => document.querySelector('#lesson-text').textContent === 'What to look at next.');
  });
});

test('Step says what happened, and the steps and events are marked on the charts', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    await openPreset(page, 'fargate-three-services');
    await runKnown(page);
    await page.click('#restart');
    await page.click('#step');
    await page.waitForSelector('#step-caption', { timeout: TIMEOUT_MS });
    assert.match(await text(page, '#step-caption'), /^service (orders|payments|search) launched \d+ tasks? on FARGATE/);
    // Playing clears the caption.
    await page.click('#play');
    await page.locator('#step-caption').waitFor({ state: 'detached', timeout: TIMEOUT_MS });
    await page.click('#play');

    // The charts mark the lesson's steps and the run's events on their time axis, and say so in their text
    // alternatives: ec2-spot-draining's steps 2 and 3 at 10:00 and 12:00, its Spot wave and the notices it sends.
    await openPreset(page, 'ec2-spot-draining');
    await runKnown(page);
    await page.waitForFunction(() => [...document.querySelectorAll('figure.chart p.visually-hidden')]
      .some((p) => p.textContent.includes('step 3')), undefined, { timeout: TIMEOUT_MS });
    const described = await page.$$eval('figure.chart p.visually-hidden', (ps) => ps.map((p) => p.textContent));
    const marked = described.find((d) => d.includes('Marked on the time axis:'));
    assert.ok(marked, described.join('\n'));
    for (const mark of [/10:00 [^.]*step 2/, /12:00 [^.]*step 3/, /10:00 [^.]*EC2 Spot wave on spot-draining/, /Spot notice/]) {
      assert.match(marked, mark);
    }

    if (SHOTS) {
      // A lesson step with its markers: ec2-spot-draining's third step, presenting, at the projector's size.
      await page.setViewportSize(PROJECTOR);
      await openPreset(page, 'ec2-spot-draining');
      await runKnown(page);
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('p');
      await page.keyboard.press('PageDown');
      await page.keyboard.press('PageDown');
      await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('12:00 '));
      await page.waitForTimeout(800);
      await page.screenshot({ path: new URL('lesson-step.png', DOCS).pathname });
      await page.keyboard.press('p');
    }
  });
});
