// Both languages (issue 13): the page in Japanese from a link's `&lang=ja` and from a Japanese browser,
// the switch back to English, and the choice kept across a reload. Runs against the served dist/ (FLEETPLAN_URL).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { browserForTests, load } from './browser.mjs';

const { withPage } = browserForTests();
const TEST_OPTIONS = { timeout: 120_000 };
const URL_BASE = process.env.FLEETPLAN_URL;
const PRESET = 'fargate-spot-1000';

/** Japanese text: at least one kana or kanji. */
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

async function text(page, selector) {
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

/** The header, a preset card, a chart title and the summary are in Japanese; so is `<html lang>`. */
async function assertJapanese(page) {
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ja');
  assert.equal(await text(page, '#toggle-gallery'), 'プリセット');
  assert.match(await text(page, '.tagline'), JAPANESE);
  assert.equal(await page.locator('#lang-ja').getAttribute('aria-pressed'), 'true');
  // A chart's title.
  assert.equal(await text(page, 'figure.chart figcaption span'), 'キャパシティータイプ別の起動レート');
  // The summary: its heading, and once the run is computed, its first row's label.
  assert.equal(await text(page, '.summary-panel h2'), 'サマリー');
  await page.waitForSelector('#summary', { timeout: 60_000 });
  assert.equal(await text(page, '#summary th'), 'すべて定常に達した時刻');
  assert.match(await text(page, '#cost-steady th'), /定常時のコスト/);
  // A preset's name and description in the gallery.
  await page.click('#toggle-gallery');
  const card = page.locator(`#card-${PRESET}`);
  assert.match(await card.locator('h3').textContent(), /キャリブレーション: Fargate Spot で 1,000 タスク/);
  assert.match(await card.locator('.card-description').textContent(), /PROVISIONING で待ち/);
  await page.keyboard.press('Escape');
  await page.locator('#gallery').waitFor({ state: 'detached' });
}

async function assertEnglish(page) {
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await text(page, '#toggle-gallery'), 'Presets');
  assert.equal(await text(page, 'figure.chart figcaption span'), 'Launch rate by capacity type');
  assert.equal(await text(page, '.summary-panel h2'), 'Summary');
  assert.equal(await page.locator('#lang-en').getAttribute('aria-pressed'), 'true');
}

test('a link with &lang=ja opens the page in Japanese, and the switch goes back to English', TEST_OPTIONS, async (t) => {
  await withPage(t, async (page) => {
    await load(page, `${URL_BASE}#preset=${PRESET}&lang=ja`);
    await page.waitForFunction(() => document.documentElement.lang === 'ja');
    await assertJapanese(page);
    // The share link carries the language too, beside the scenario.
    assert.match(await page.locator('#share-link').inputValue(), /#s=2\.[A-Za-z0-9_-]+&lang=ja$/);
    await page.click('#lang-en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await assertEnglish(page);
    assert.doesNotMatch(await page.locator('#share-link').inputValue(), /lang=/);
  });
});

test('a Japanese browser gets Japanese; the switch\'s choice is kept across a reload', TEST_OPTIONS, async (t) => {
  await withPage(t, async (page) => {
    await load(page, URL_BASE);
    await page.waitForFunction(() => document.documentElement.lang === 'ja');
    await assertJapanese(page);
    await page.click('#lang-en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.reload();
    await page.waitForSelector('#play');
    await assertEnglish(page);
  }, undefined, { locale: 'ja-JP' });
});

test('an English browser gets English until 日本語 is chosen', TEST_OPTIONS, async (t) => {
  await withPage(t, async (page) => {
    await load(page, URL_BASE);
    await assertEnglish(page);
    await page.click('#lang-ja');
    await page.waitForFunction(() => document.documentElement.lang === 'ja');
    await assertJapanese(page);
  }, undefined, { locale: 'en-US' });
});
