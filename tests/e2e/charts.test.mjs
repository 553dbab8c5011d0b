// Charts split by service and by provider (issue 13, "charts that show what presets are about"): in
// ec2-spot-draining both services are EC2 Spot, so only a split tells the drained service from the undrained
// one; the running chart's text alternative names both and the undrained service's dip, which must be the
// native CLI's summary value (`dip` of `ec2-spot-draining 1` in FLEETPLAN_EXPECTED_SUMMARIES).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { browserForTests, load, openPreset, requiredEnv } from './browser.mjs';

const SUMMARIES = JSON.parse(await readFile(requiredEnv('FLEETPLAN_EXPECTED_SUMMARIES'), 'utf8'));
const TIMEOUT_MS = 60_000;
const TEST_OPTIONS = { timeout: 180_000 };
const RUNNING_TEXT = '#chart-running-text';

const chromium = browserForTests();

test('ec2-spot-draining split by service: two running lines, the dip equal to the CLI summary', TEST_OPTIONS, async (t) => {
  const summary = SUMMARIES['ec2-spot-draining 1'];
  assert.ok(summary, 'no CLI summary for ec2-spot-draining seed 1 (E2E_DIFFERENTIAL in crates/xtask/src/test.rs)');
  const [drained, undrained] = summary.services;
  assert.equal(drained.dip, undefined, 'the drained service should not dip');
  assert.ok(undrained.dip, 'the undrained service should dip');
  await chromium.withPage(t, async (page) => {
    await load(page);
    await openPreset(page, 'ec2-spot-draining');
    assert.equal(await page.inputValue('#split-by'), 'none');
    await page.selectOption('#split-by', 'service');
    // The filter lists the two services.
    const names = await page.$$eval('#split-filter label', (labels) => labels.map((l) => l.textContent.trim()));
    assert.deepEqual(names, ['drained', 'undrained']);
    await page.click('#jump-end');
    await page.waitForFunction(
      (sel) => /undrained \(lowest \d+ at [\d:]+\)/.test(document.querySelector(sel)?.textContent ?? ''),
      RUNNING_TEXT,
      { timeout: TIMEOUT_MS },
    );
    const text = await page.textContent(RUNNING_TEXT);
    // Two series, each with its value at the cursor.
    assert.match(text, /(^|[:,] )drained \d+/, text);
    assert.match(text, /undrained \(lowest \d+ at [\d:]+\) \d+/, text);
    const lowest = Number(text.match(/undrained \(lowest (\d+) at/)[1]);
    assert.equal(lowest, undrained.dip.running, text);
    const at = text.match(/lowest \d+ at (\d+):(\d\d)\)/);
    assert.equal(Number(at[1]) * 60 + Number(at[2]), Math.floor(undrained.dip.at_s), text);
    // The summary panel reports the same dip in the undrained service's row.
    await page.waitForFunction(() => /dipped to \d+ at/.test(document.querySelector('#services')?.textContent ?? ''), null, {
      timeout: TIMEOUT_MS,
    });
    const row = await page.textContent('#services');
    assert.ok(row.includes(`dipped to ${undrained.dip.running} at ${at[1]}:${at[2]}`), row);

    // Filtering a service out leaves one line; by provider, the two Spot groups.
    await page.locator('#split-filter input').first().uncheck();
    await page.waitForFunction((sel) => !/(^|[:,] )drained \d+/.test(document.querySelector(sel).textContent), RUNNING_TEXT);
    await page.selectOption('#split-by', 'provider');
    await page.waitForFunction(
      (sel) => /spot-draining \d+/.test(document.querySelector(sel).textContent) && /spot-plain \d+/.test(document.querySelector(sel).textContent),
      RUNNING_TEXT,
      { timeout: TIMEOUT_MS },
    );
    // The PNG download still works on a split chart.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#png-chart-running')]);
    assert.match(download.suggestedFilename(), /\.png$/);
    // Back to the totals.
    await page.selectOption('#split-by', 'none');
    await page.waitForFunction((sel) => !/spot-plain \d+/.test(document.querySelector(sel).textContent), RUNNING_TEXT);
  }, undefined, { acceptDownloads: true });
});
