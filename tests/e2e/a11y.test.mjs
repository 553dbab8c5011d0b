// Accessibility and navigation of the page in headless Chromium (issue 13): chart canvases a keyboard
// and a screen reader can reach, buttons with distinct names, Escape and Back/Forward around the
// presets gallery, and a phone-wide page that never scrolls sideways.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { browserForTests, load, openPreset, requiredEnv, unfold } from './browser.mjs';

const BASE_URL = requiredEnv('FLEETPLAN_URL');
const TIMEOUT_MS = 30_000;
const TEST_OPTIONS = { timeout: 120_000 };
const PHONE = { width: 390, height: 844 };

const chromium = browserForTests();

const title = (page) => page.textContent('#scenario-title');

test('chart canvases are focusable, described in words that follow the run, with distinct button names', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    const canvases = page.locator('.charts canvas');
    const count = await canvases.count();
    assert.ok(count >= 4, `${count} charts`);
    for (let i = 0; i < count; i++) {
      const canvas = canvases.nth(i);
      assert.equal(await canvas.getAttribute('tabindex'), '0');
      assert.equal(await canvas.getAttribute('role'), 'img');
      assert.match(await canvas.getAttribute('aria-label'), /chart/);
      const described = await canvas.getAttribute('aria-describedby');
      assert.ok(described, 'no aria-describedby');
      await page.waitForFunction((id) => /^At \d/.test(document.getElementById(id)?.textContent ?? ''), described, {
        timeout: TIMEOUT_MS,
      });
    }
    // A keyboard reaches the first chart.
    const first = await canvases.first().getAttribute('id');
    await canvases.first().focus();
    assert.equal(await page.evaluate(() => document.activeElement.id), first);
    // The words follow the run: at the end they name a later time than at the start.
    const text = `#${first}-text`;
    await page.click('#restart');
    await page.waitForFunction((sel) => /^At 0:0\d/.test(document.querySelector(sel).textContent), text);
    const atStart = await page.textContent(text);
    await page.click('#jump-end');
    await page.waitForFunction((sel, before) => document.querySelector(sel).textContent !== before, text, atStart, {
      timeout: TIMEOUT_MS,
    });
    assert.match(await page.textContent(text), /Highest: /);
    // Every button's accessible name is its own: no five "PNG"s.
    const names = await page.$$eval('button', (buttons) =>
      buttons.filter((b) => b.offsetParent !== null).map((b) => (b.getAttribute('aria-label') ?? b.textContent).trim()),
    );
    const repeated = names.filter((name, i) => names.indexOf(name) !== i);
    assert.deepEqual(repeated, [], `buttons named alike: ${names.join(' | ')}`);
    assert.ok(names.some((n) => /^Download the launch rate by capacity type chart as PNG$/.test(n)), names.join(' | '));
  });
});

test('Escape closes the gallery; Back and Forward move between the scenarios opened', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    const first = await title(page);
    await page.click('#toggle-gallery');
    await page.locator('#gallery').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#gallery').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'toggle-gallery');

    await openPreset(page, 'fargate-spot-1000');
    assert.equal(new URL(page.url()).hash, '#preset=fargate-spot-1000');
    const spot = await title(page);
    assert.notEqual(spot, first);
    await openPreset(page, 'ec2-cold-1000');
    assert.equal(new URL(page.url()).hash, '#preset=ec2-cold-1000');
    const ec2 = await title(page);

    await page.goBack();
    await page.waitForFunction((want) => document.querySelector('#scenario-title').textContent === want, spot);
    await page.goBack();
    await page.waitForFunction((want) => document.querySelector('#scenario-title').textContent === want, first);
    await page.goForward();
    await page.waitForFunction((want) => document.querySelector('#scenario-title').textContent === want, spot);
    await page.goForward();
    await page.waitForFunction((want) => document.querySelector('#scenario-title').textContent === want, ec2);
    assert.equal(new URL(page.url()).hash, '#preset=ec2-cold-1000');

    // A reload of a preset's address keeps what is on the page (edits included) instead of reopening it.
    await page.fill('#seed', '42');
    await page.reload();
    await page.waitForSelector('#play', { timeout: TIMEOUT_MS });
    assert.equal(await page.inputValue('#seed'), '42');
    assert.equal(await title(page), ec2);
  });
  // A preset's address opens it in a fresh page.
  await chromium.withPage(t, async (page) => {
    await load(page, new URL('#preset=fargate-spot-1000', BASE_URL).href);
    await page.waitForFunction(() => /Spot/.test(document.querySelector('#scenario-title').textContent));
  });
});

test('a phone-wide page never scrolls sideways; the comparison and sweep scroll inside themselves', TEST_OPTIONS, async (t) => {
  await chromium.withPage(
    t,
    async (page) => {
      await load(page);
      const sideways = () =>
        page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(await sideways(), 0, 'the page scrolls sideways');
      // Charts stack, one a row, and shrink to the screen.
      const boxes = await page.$$eval('.charts canvas', (cs) => cs.map((c) => c.getBoundingClientRect().toJSON()));
      for (const box of boxes) assert.ok(box.right <= PHONE.width && box.left >= 0, JSON.stringify(box));
      for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i].top >= boxes[i - 1].bottom, 'charts side by side');
      // A comparison and an open sweep panel: still nothing sideways.
      await page.click('#keep-variant');
      await openPreset(page, 'fargate-spot-1000');
      await page.locator('#compare-table').waitFor({ timeout: TIMEOUT_MS });
      await unfold(page, '#sweep');
      await page.locator('#sweep-run').waitFor();
      assert.equal(await sideways(), 0, 'the page scrolls sideways with a comparison and the sweep panel open');
      for (const selector of ['.compare-scroll', '#sweep']) {
        const box = await page.$eval(selector, (e) => e.getBoundingClientRect().toJSON());
        assert.ok(box.right <= PHONE.width, `${selector} sticks out: ${JSON.stringify(box)}`);
      }
      // The cluster as a table (a column per task state) scrolls inside itself too.
      await unfold(page, '#cluster-table');
      await page.locator('#cluster-table table').waitFor();
      assert.equal(await sideways(), 0, 'the page scrolls sideways with the cluster as a table open');
      const table = await page.$eval('#cluster-table table', (e) => e.getBoundingClientRect().toJSON());
      assert.ok(table.right <= PHONE.width, `the cluster table sticks out: ${JSON.stringify(table)}`);
    },
    PHONE,
  );
});
