// The band under the charts (docs/model.md §15.2): per service, what held it back over the run. Its text
// alternative carries the shares of `fleetplan run --json` (`limited_by_shares`, in the expected summaries
// `cargo xtask test` writes), each segment's hover names a limiter and its seconds, and the cursor follows playback.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { browserForTests, load, openPreset, requiredEnv } from './browser.mjs';

const EXPECTED = JSON.parse(await readFile(requiredEnv('FLEETPLAN_EXPECTED_SUMMARY'), 'utf8'));
const DIFFERENTIAL = JSON.parse(await readFile(requiredEnv('FLEETPLAN_EXPECTED_SUMMARIES'), 'utf8'));
const TEST_OPTIONS = { timeout: 120_000 };
const TIMEOUT_MS = 30_000;

const chromium = browserForTests();

/** The shares the band's text alternative lists, per service. */
async function bandShares(page) {
  return page.$$eval('#limited-band-text li', (items) => Object.fromEntries(items.map((li) => [
    li.dataset.service,
    [...li.querySelectorAll('span[data-held]')].map((s) => ({
      held: s.dataset.held,
      seconds: Number(s.dataset.seconds),
      share: Number(s.dataset.share),
    })),
  ])));
}

/** Opens `preset` with `seed`, waits for the band, and checks its shares against the CLI's summary. */
async function checkBand(page, preset, seed, expected) {
  await load(page);
  await page.fill('#seed', seed);
  await openPreset(page, preset);
  await page.locator('#limited-band-text li').first().waitFor({ state: 'attached', timeout: TIMEOUT_MS });
  // The summary (and so the band) is the finished run's: wait until every service is listed.
  await page.waitForFunction(
    (n) => document.querySelectorAll('#limited-band-text li').length === n,
    expected.services.length,
    { timeout: TIMEOUT_MS },
  );
  const shares = await bandShares(page);
  for (const service of expected.services) {
    assert.deepEqual(shares[service.name], service.limited_by_shares, `${preset} ${seed}: ${service.name}`);
    assert.ok(service.limited_by_shares.length > 0, `${service.name} was held back by something`);
    // The largest share is the summary's limited_by.
    assert.equal(service.limited_by_shares[0].held, service.limited_by);
  }
  // A row per service (up to six), each with segments whose hover names what held it and for how long.
  const rows = await page.locator('#limited-band .band-row').count();
  assert.equal(rows, Math.min(expected.services.length, 6) + (expected.services.length > 6 ? 1 : 0));
  // The first segment of the first service's largest share (wide enough to hover).
  const top = expected.services[0].limited_by_shares[0].held;
  const first = page.locator('#limited-band .band-row').first().locator(`.band-seg[data-held="${top}"]`).first();
  const title = await first.getAttribute('title');
  const held = await first.getAttribute('data-held');
  assert.ok(title.startsWith(`${held}: `) && / s \(/.test(title), title);
  await first.hover();
  // Each row is focusable and named by its shares.
  const label = await page.locator('#limited-band .band-track').first().getAttribute('aria-label');
  assert.ok(label.startsWith(`${expected.services[0].name}: `), label);
  assert.ok(label.includes(expected.services[0].limited_by_shares[0].held), label);
}

test('the band lists the CLI\'s shares for a one-service preset and follows the playback cursor', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await checkBand(page, 'fargate-ondemand-1000', '7', EXPECTED);
    const cursorLeft = () => page.$eval('#limited-band .band-cursor', (el) => parseFloat(el.style.left));
    await page.$eval('#scrubber', (el) => {
      el.value = String(Math.floor(Number(el.max) / 2));
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction(
      () => Math.abs(parseFloat(document.querySelector('#limited-band .band-cursor')?.style.left) - 50) < 2,
      null,
      { timeout: TIMEOUT_MS },
    );
    assert.ok(Math.abs((await cursorLeft()) - 50) < 2);
  });
});

test('the band lists the CLI\'s shares for each service of a two-service preset', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await checkBand(page, 'ec2-spot-draining', '1', DIFFERENTIAL['ec2-spot-draining 1']);
  });
});
