// "Why is this waiting?" in the page: at a playback instant, the cluster table's row for a service says what holds it
// in the words and numbers of `fleetplan explain --json` (written by `cargo xtask test` beside the expected summary,
// E2E_EXPLAIN in crates/xtask/src/test.rs), and a task's hover details say what holds the task.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { browserForTests, load, openPreset, requiredEnv, scrubTo } from './browser.mjs';

const EXPECTED = JSON.parse(
  await readFile(join(dirname(requiredEnv('FLEETPLAN_EXPECTED_SUMMARY')), 'e2e-expected-explain.json'), 'utf8'),
);
/** The preset and service of E2E_EXPLAIN; the instant is in the expectation. */
const PRESET = 'fargate-vs-ec2-six-services';
const SERVICE = 'fargate-0';
const TEST_OPTIONS = { timeout: 120_000 };
const TIMEOUT_MS = 30_000;

const chromium = browserForTests();

/** The playback clock as m:ss. */
function clockText(seconds) {
  return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
}

/** Opens the preset and moves playback to the expectation's instant, waiting until the clock shows it. */
async function openAtTheInstant(page) {
  await load(page);
  await openPreset(page, PRESET);
  await scrubTo(page, EXPECTED.at_s * 1000);
  await page.waitForFunction(
    (clock) => document.querySelector('#clock')?.textContent.startsWith(clock),
    clockText(EXPECTED.at_s),
    { timeout: TIMEOUT_MS },
  );
}

test('the cluster table says what holds a service waiting for the On-Demand bucket, as the CLI does', TEST_OPTIONS, async (t) => {
  // The expectation is what this test is about: a service held by the account bucket, with its numbers.
  const hold = EXPECTED.holds[0];
  assert.equal(hold.kind, 'account_bucket', JSON.stringify(EXPECTED));
  assert.equal(hold.bucket, 'fargate_on_demand');
  await chromium.withPage(t, async (page) => {
    await openAtTheInstant(page);
    await page.click('#cluster-table summary');
    const row = page.locator('#cluster-table tbody.why tr', { hasText: `service ${SERVICE}` });
    await row.waitFor({ timeout: TIMEOUT_MS });
    // The cell follows playback: wait until it shows the instant's sentence (the frame after the seek).
    await page.waitForFunction(
      ([service, text]) => [...document.querySelectorAll('#cluster-table tbody.why tr')]
        .some((tr) => tr.querySelector('th')?.textContent === `service ${service}` && tr.querySelector('td')?.textContent === text),
      [SERVICE, EXPECTED.text],
      { timeout: TIMEOUT_MS },
    ).catch(() => {});
    const text = await row.locator('td').textContent();
    assert.equal(text, EXPECTED.text);
    assert.match(text, /waiting for the Fargate On-Demand bucket: [\d.]+ tokens, 20\/s, \d+ tasks ahead of it, ~[\d.]+ s/);
  });
});

test('a task under the pointer says why it is where it is', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await openAtTheInstant(page);
    const box = await page.locator('#cluster').boundingBox();
    let details = '';
    for (let y = 20; y < 120 && !/^Task \d+/.test(details); y += 6) {
      await page.mouse.move(box.x + 30, box.y + y);
      details = (await page.locator('#details').textContent({ timeout: 200 }).catch(() => '')) ?? '';
    }
    assert.match(details, /^Task \d+/, 'no task under the pointer');
    // Thirty seconds in, the tasks drawn first are on their way: PROVISIONING or PENDING, and the step named.
    assert.match(details, /Why(PROVISIONING|PENDING|ACTIVATING|RUNNING)[^]*?(Fargate capacity|image pull|load balancer|health checks|nothing holds it)/);
  });
});

/** The "Why" row of the details box ("理由" in Japanese), empty when it has none (a queue's or an instance's). */
const whyRow = (page) => page.evaluate(() => {
  const why = [...document.querySelectorAll('#details dt')].find((dt) => ['Why', '理由'].includes(dt.textContent));
  return why?.nextElementSibling?.textContent ?? '';
});

test('an AWS Batch job under the pointer says why, in English and in Japanese', { timeout: 240_000 }, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page, new URL('#preset=batch-two-queue-priorities', requiredEnv('FLEETPLAN_URL')).href);
    await page.waitForSelector('#batch-cluster', { timeout: TIMEOUT_MS });
    // Six minutes in, the 64-vCPU compute environment is full of jobs: point at one until its details show.
    await scrubTo(page, 360_000);
    await page.waitForFunction(() => document.querySelector('#clock')?.textContent.startsWith('6:00'), undefined,
      { timeout: TIMEOUT_MS });
    const title = () => page.evaluate(() => document.querySelector('#details strong')?.textContent ?? '');
    // Points at each cell of the Batch canvas until `found` holds (the canvas is laid out again in Japanese, whose
    // labels are wider: the same job is looked for again).
    const pointAt = async (found) => {
      const box = await page.locator('#batch-cluster').boundingBox();
      for (let y = 10; y < box.height; y += 8) {
        for (let x = 10; x < box.width; x += 8) {
          await page.mouse.move(box.x + x, box.y + y);
          if (await found()) return true;
        }
      }
      return false;
    };
    assert.ok(await pointAt(async () => (await whyRow(page)) !== ''), 'no Batch job under the pointer');
    const job = (await title()).replace(/^Job /, '');
    const english = await whyRow(page);
    // The state, then the hold in the engine's words (`fleetplan explain --job`): a placed job starts or runs.
    assert.match(english, /^(STARTING|RUNNING): (.+ on .+ instance \d+ of .+, since [\d.]+ s|attempt \d+ of \d+, running since [\d.]+ s)/);

    await page.click('#lang-ja');
    await page.waitForFunction(() => document.documentElement.lang === 'ja', undefined, { timeout: TIMEOUT_MS });
    assert.ok(await pointAt(async () => (await title()) === `ジョブ ${job}`), `job ${job} not found again`);
    const japanese = await whyRow(page);
    assert.match(japanese, /^(STARTING|RUNNING): .*(で .+（[\d.]+ 秒から）|試行 \d+ 回中 \d+ 回目、[\d.]+ 秒から実行中)/);
    assert.doesNotMatch(japanese, /attempt|running since|instance \d+ of| on /);
    // The same numbers, in the order Japanese puts them.
    const numbers = (s) => (s.match(/\d+(\.\d+)?/g) ?? []).sort();
    assert.deepEqual(numbers(japanese), numbers(english), `${english}\n${japanese}`);
  });
});
