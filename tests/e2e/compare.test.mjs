// End-to-end tests of comparing runs (issue 12) in headless Chromium. `cargo xtask test` writes the comparison
// link `fleetplan url --compare` makes and what `fleetplan compare --json` says of it (E2E_COMPARE in
// crates/xtask/src/test.rs) to FLEETPLAN_EXPECTED_COMPARISON.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { browserForTests, load, openPage, requiredEnv } from './browser.mjs';

const BASE_URL = requiredEnv('FLEETPLAN_URL');
const EXPECTED = JSON.parse(await readFile(requiredEnv('FLEETPLAN_EXPECTED_COMPARISON'), 'utf8'));
const TIMEOUT_MS = 30_000;
const TEST_OPTIONS = { timeout: 120_000 };

const chromium = browserForTests();

/** The comparison table as data: variant labels and, per row key, the values (data-value, '' for none). */
function readTable(page) {
  return page.evaluate(() => {
    const table = document.querySelector('#compare-table');
    if (!table) return null;
    const labels = [...table.querySelectorAll('thead th.variant')].map((th) => th.dataset.variant);
    const rows = [...table.querySelectorAll('tbody tr')].map((tr) => ({
      key: tr.dataset.key,
      values: [...tr.querySelectorAll('td')].map((td) => td.dataset.value),
      classes: [...tr.querySelectorAll('td')].map((td) => td.className),
    }));
    return { labels, rows };
  });
}

/** Asserts the page's table holds exactly the rows and values of `fleetplan compare --json`. */
function assertSameAsCli(table, expected) {
  assert.ok(table, 'no comparison table');
  assert.deepEqual(table.labels, expected.variants.map((v) => v.label));
  assert.deepEqual(table.rows.map((r) => r.key), expected.rows.map((r) => r.key), 'the same rows, in order');
  for (const [i, row] of expected.rows.entries()) {
    const shown = table.rows[i].values.map((v) => (v === '' ? null : Number(v)));
    assert.deepEqual(shown, row.values, `row ${row.key}`);
    // A's cell has no verdict; the others say what the CLI says.
    assert.deepEqual(table.rows[i].classes.slice(1), row.differences.map((d) => d.verdict), `row ${row.key} verdicts`);
  }
}

test('a two-variant link reopens the same comparison, with the values of fleetplan compare --json', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page, `${BASE_URL}${EXPECTED.link}`);
    await page.waitForSelector('#compare-table', { timeout: TIMEOUT_MS });
    assertSameAsCli(await readTable(page), EXPECTED.comparison);
    const names = await page.locator('#compare-table th.variant .variant-name').allTextContents();
    assert.deepEqual(names, EXPECTED.comparison.variants.map((v) => v.scenario));
    // The overlaid charts are drawn: a line per variant in its colour (A blue #0072b2, B vermillion #d55e00).
    for (const id of ['compare-chart-running', 'compare-chart-cost']) {
      const colours = await page.evaluate((id) => {
        const canvas = document.getElementById(id);
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        const seen = { a: 0, b: 0 };
        for (let i = 0; i < data.length; i += 4) {
          if (data[i] === 0x00 && data[i + 1] === 0x72 && data[i + 2] === 0xb2) seen.a += 1;
          if (data[i] === 0xd5 && data[i + 1] === 0x5e && data[i + 2] === 0x00) seen.b += 1;
        }
        return seen;
      }, id);
      assert.ok(colours.a > 50 && colours.b > 50, `${id}: pixels of A and B ${JSON.stringify(colours)}`);
    }
    assert.deepEqual(await page.locator('#compare ul.legend li').allTextContents(),
      EXPECTED.comparison.variants.map((v) => `${v.label}: ${v.scenario}`));
    // A's cluster plays beside B's at the same time: the scrubber moves both.
    await page.$eval('#scrubber', (el) => {
      el.value = '150000';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction(() => document.querySelector('#cluster-variant-0')?.getAttribute('aria-label') === "Variant A's cluster at 2:30", undefined, { timeout: TIMEOUT_MS });
    const inkAt = () => page.evaluate(() => {
      const canvas = document.getElementById('cluster-variant-0');
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) ink += 1;
      return ink;
    });
    await page.waitForFunction(() => {
      const canvas = document.getElementById('cluster-variant-0');
      return canvas && canvas.width > 0;
    }, undefined, { timeout: TIMEOUT_MS });
    let ink = 0;
    for (let i = 0; i < 100 && ink < 1000; i += 1) {
      ink = await inkAt();
      if (ink < 1000) await page.waitForTimeout(100);
    }
    assert.ok(ink >= 1000, `A's cluster at 2:30 looks blank (${ink} pixels)`);
    assert.match(await page.textContent('#variant-clusters figcaption'), /^A: Fargate On-Demand/);
    assert.equal(await page.inputValue('#seed'), String(EXPECTED.comparison.variants[1].seed));
    // The share link is the comparison link again, and opens the identical comparison in a fresh page.
    const link = await page.inputValue('#share-link');
    assert.equal(new URL(link).hash, EXPECTED.link);
    const again = await openPage(chromium.browser);
    try {
      await load(again.page, link);
      await again.page.waitForSelector('#compare-table', { timeout: TIMEOUT_MS });
      assertSameAsCli(await readTable(again.page), EXPECTED.comparison);
      assert.deepEqual(again.errors, []);
    } finally {
      await again.close();
    }
  });
});

test('Keep as A, then a preset is B; a variant can be removed and comparing stopped', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    assert.equal(await page.textContent('#keep-variant'), 'Keep as A');
    assert.equal(await page.locator('#compare').count(), 0);
    await page.click('#keep-variant');
    await page.waitForSelector('#compare-hint');
    assert.equal(await page.textContent('#keep-variant'), 'Keep as B');
    await page.click('#toggle-gallery');
    await page.click('#open-fargate-spot-1000');
    await page.waitForSelector('#compare-table', { timeout: TIMEOUT_MS });
    const table = await readTable(page);
    assert.deepEqual(table.labels, ['A', 'B']);
    const completion = table.rows.find((r) => r.key === 'completion_s');
    assert.equal(completion.classes[1], 'worse', 'Spot takes longer than On-Demand');
    assert.match(new URL(await page.inputValue('#share-link')).hash, /^#c=1\./);
    // Keep B too and open C; remove A: B and C are A and B now.
    await page.click('#keep-variant');
    await page.click('#toggle-gallery');
    await page.click('#open-fargate-5050-1000');
    await page.waitForFunction(() => document.querySelectorAll('#compare-table th.variant').length === 3, undefined, { timeout: TIMEOUT_MS });
    // Every table the page shows meanwhile is recorded: none may pair the old runs with the new variants.
    await page.evaluate(() => {
      window.seenTables = [];
      new MutationObserver(() => {
        const names = [...document.querySelectorAll('#compare-table th.variant .variant-name')].map((e) => e.textContent);
        if (names.length > 0) window.seenTables.push(names);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    // A slow CPU makes Yew's scheduler yield to the browser within a render pass, as on a busy machine.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 20 });
    await page.click('#compare-table .remove-variant');
    await page.waitForFunction(() => document.querySelectorAll('#compare-table th.variant').length === 2, undefined, { timeout: TIMEOUT_MS });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    const names = await page.locator('#compare-table th.variant .variant-name').allTextContents();
    assert.deepEqual(names, ['Fargate Spot, 0 to 1,000 tasks', 'Fargate 50/50 On-Demand / Spot, 0 to 1,000 tasks']);
    const seen = await page.evaluate(() => window.seenTables);
    assert.deepEqual(seen.filter((t) => t.length === 2 && JSON.stringify(t) !== JSON.stringify(names)), []);
    assert.deepEqual((await readTable(page)).labels, ['A', 'B']);
    // The kept runs survive a reload, like the draft.
    await page.reload();
    await page.waitForSelector('#compare-table', { timeout: TIMEOUT_MS });
    assert.deepEqual(await page.locator('#compare-table th.variant .variant-name').allTextContents(), names);
    await page.click('#stop-comparing');
    await page.locator('#compare').waitFor({ state: 'detached' });
    assert.match(new URL(await page.inputValue('#share-link')).hash, /^#s=2\./);
  });
});

test('a damaged comparison link says so and changes nothing', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    const title = await page.textContent('#scenario-title');
    await page.goto(`${BASE_URL}#c=1.AAAA`);
    await page.waitForSelector('#error');
    assert.match(await page.textContent('#error'), /Could not open the link/);
    assert.equal(await page.textContent('#scenario-title'), title);
    assert.equal(await page.locator('#compare').count(), 0);
  });
});
