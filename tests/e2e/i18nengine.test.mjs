// What the engine says, in Japanese (issue 13, "Both languages"): a Step's caption, the charts' marker labels and
// the comparison table's rows come from the engine as typed texts and show in the page's language; and a lesson
// link opens at the step it names (`&step=N`). Runs against the served dist/ (FLEETPLAN_URL); the comparison link
// is the one `cargo xtask test` writes to FLEETPLAN_EXPECTED_COMPARISON.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { browserForTests, DOCS, load, requiredEnv, runKnown, scrubTo, SHOTS } from './browser.mjs';

const BASE_URL = requiredEnv('FLEETPLAN_URL');
const EXPECTED_COMPARISON = JSON.parse(await readFile(requiredEnv('FLEETPLAN_EXPECTED_COMPARISON'), 'utf8'));
const TIMEOUT_MS = 30_000;
const TEST_OPTIONS = { timeout: 180_000 };
const PROJECTOR = { width: 1280, height: 720 };

const chromium = browserForTests();

const text = async (page, selector) => ((await page.locator(selector).first().textContent()) ?? '').trim();

test('in Japanese, a Spot notice is captioned and marked on the charts in Japanese', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await page.setViewportSize(PROJECTOR);
    await load(page, `${BASE_URL}#preset=ec2-spot-draining&lang=ja`);
    await page.waitForFunction(() => document.documentElement.lang === 'ja');
    await runKnown(page);
    // One second before the Spot wave, then one Step: the notices for 12 instances (half of each group of 12).
    await scrubTo(page, 599_000);
    await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('9:59'));
    await page.click('#step');
    await page.waitForSelector('#step-caption', { timeout: TIMEOUT_MS });
    const caption = await text(page, '#step-caption');
    assert.match(caption, /^us-east-1\w の i-[0-9a-f]{8} ほか 11 台に Spot の中断通知$/, caption);
    // The charts' text alternatives list the markers: the Spot wave events and the notices, in Japanese.
    await page.waitForFunction(() => [...document.querySelectorAll('figure.chart p.visually-hidden')]
      .some((p) => p.textContent.includes('Spot の中断通知')), undefined, { timeout: TIMEOUT_MS });
    const described = await page.$$eval('figure.chart p.visually-hidden', (ps) => ps.map((p) => p.textContent));
    const marked = described.find((d) => d.includes('時間軸の印'));
    assert.ok(marked, described.join('\n'));
    assert.match(marked, /10:00 spot-draining に EC2 Spot の中断の波/);
    assert.match(marked, /Spot の中断通知（12 台）/);
    assert.doesNotMatch(marked, /Spot notice|EC2 Spot wave/);
    if (SHOTS) {
      // Presenting: the cluster and the chart side by side, the markers on its time axis.
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('p');
      await page.waitForTimeout(800);
      await page.screenshot({ path: new URL('japanese-captions.png', DOCS).pathname });
      await page.keyboard.press('p');
    }
    // The same in English after the switch: the engine's own words.
    await page.click('#lang-en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.match(await text(page, '#step-caption'), /^Spot notice for i-[0-9a-f]{8} in us-east-1\w \(and 11 more\)$/);
  });
});

test('in Japanese, the comparison table names its rows and missing values in Japanese', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page, new URL(`${EXPECTED_COMPARISON.link}&lang=ja`, BASE_URL).href);
    await page.waitForFunction(() => document.documentElement.lang === 'ja');
    await page.waitForSelector('#compare-table', { timeout: TIMEOUT_MS });
    const rows = await page.$$eval('#compare-table tbody tr', (trs) =>
      Object.fromEntries(trs.map((tr) => [tr.dataset.key, tr.querySelector('th').textContent])));
    assert.equal(rows.completion_s, '完了');
    assert.equal(rows['costs.steady_per_hour_usd'], '定常状態の 1 時間あたりコスト');
    assert.equal(rows.tasks_launched, '起動したタスク');
    // Every row is named in Japanese (each label has kana or kanji), and in the same order as in English.
    for (const [key, label] of Object.entries(rows)) assert.match(label, /[\u3040-\u30ff\u4e00-\u9fff]/, key);
    assert.deepEqual(Object.keys(rows), EXPECTED_COMPARISON.comparison.rows.map((r) => r.key));
  });
});

test('a lesson link opens at the step it names, and a step it does not have opens the first with a notice', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page, `${BASE_URL}#preset=ec2-spot-draining&step=2`);
    await page.waitForFunction(() => document.querySelector('#lesson-count')?.textContent === 'Step 2 of 3',
      undefined, { timeout: TIMEOUT_MS });
    assert.match(await text(page, '#lesson-text'), /^A Spot wave reclaims half of each pool/);
    // Step 2's time: playback moves to 10:00.
    await page.waitForFunction(() => document.querySelector('#clock').textContent.startsWith('10:00'), undefined,
      { timeout: TIMEOUT_MS });
    assert.equal(await page.locator('#lesson-notice').count(), 0);
  });
  await chromium.withPage(t, async (page) => {
    await load(page, `${BASE_URL}#preset=ec2-spot-draining&step=9&lang=ja`);
    await page.waitForSelector('#lesson-notice', { timeout: TIMEOUT_MS });
    assert.equal(await text(page, '#lesson-count'), 'ステップ 1 / 3');
    assert.match(await text(page, '#lesson-notice'), /ステップ 9 はこのレッスンにありません/);
    // Moving on works as ever.
    await page.click('#lesson-next');
    await page.waitForFunction(() => document.querySelector('#lesson-count').textContent === 'ステップ 2 / 3');
  });
});
