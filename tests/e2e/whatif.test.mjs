// Live what-ifs during playback (issue 13): from the stage, a what-if becomes a timed event of the scenario at the
// playback time; the run replays to that time and goes on with it; Undo takes it out and the run is the original
// again, exactly; the share link carries it. Run by `cargo xtask test` (FLEETPLAN_URL and the CLI's summary for
// the e2e preset and seed in FLEETPLAN_EXPECTED_SUMMARY).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { browserForTests, load, openPreset, requiredEnv } from './browser.mjs';

/** The CLI's summary of fargate-ondemand-1000 with seed 7 (E2E_PRESET and E2E_SEED in crates/xtask/src/test.rs). */
const EXPECTED = JSON.parse(await readFile(requiredEnv('FLEETPLAN_EXPECTED_SUMMARY'), 'utf8'));
const PRESET = 'fargate-ondemand-1000';
const SEED = '7';
const TIMEOUT_MS = 30_000;
const TEST_OPTIONS = { timeout: 180_000 };
/** A share link made by the CLI of main before events carried the what-if mark (see the test that opens it). */
const OLD_LINK =
  's=2.eNp9Ustu2zAQ_BWCZ9WQ3cY1dDPQB3pq0AbooQiIFbW2CIsPLCk7iuF_75JWjaJJeyP3MbMzu2cZETvZvK9k1OiAjJfNWR6RovFONstKOrAoG_kJaA8JxVf35gNacF0lapG8WFZ1zQ-Ihygr2WHUZEIqzfKhR7GqVyux_fFdtOh0b4EOgvypEd6hiEhHo7ES3GYIO6H96NIfuJV4hTaM7WC0-HJfCefF4KETLQzgNNJC3Odk7LFrmHkj4oKH6j2ZZ-9UZD2bul7UlRyMNSlmqYH8zgxZYZ5UXjjHfE4bzGn-BuIR5_fuOo2KwafcDEcwA7RmMGlihDCg40cljUtINBYfogpIKhukej-SbHgAhiqBDnfGmVIlm5_n316fsGUQHUbZrO7WlbRoPTHB3XLF2Bb2qGzLYmYt8DypbINxe9nsYIjIW8N08nRQ1ncZEU7xGDSDAuneJNRppBx_2qzV-h3HY_JBJWPRjykb9bZA71heKTxzAVBSc0Cxa-1NdyntEYbUK92jPvynTBPE_kX8cnnkEa7X8IoTf3l1i89no8rZFD8yAwTQDJxJjqZj72MiXtp-KsAv0vm2t98-bx8-MmILkWkZ5YRm32fMPFmHYfCTRVeWbnkMO1p1VTzl9Wqc-XlX8FSyt-iqzuuGGM3eqevtKhNkk2jEDI5HLruKTlPIoqMGPkjuKZtYF99mc_4lPZM8Xi6_AK0FSew';

const chromium = browserForTests();

/** The summary on the page, once the run ahead has finished and it is not `unlike` (a summary shown before). */
async function summary(page, unlike) {
  await page.waitForFunction((unlike) => {
    const text = document.querySelector('#summary-json')?.textContent?.trim() ?? '';
    return text !== '' && text !== unlike;
  }, unlike ?? null, { timeout: TIMEOUT_MS, polling: 100 });
  return (await page.textContent('#summary-json')).trim();
}

/** Moves the scrubber as a drag would, then waits for the clock to show `label` with the seek done. */
async function scrubTo(page, ms, label) {
  await page.$eval('#scrubber', (el, ms) => {
    el.value = String(ms);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, ms);
  await page.waitForFunction((label) => {
    const clock = document.querySelector('#clock')?.textContent ?? '';
    return clock.startsWith(`${label} /`) && !clock.includes('seeking');
  }, label, { timeout: TIMEOUT_MS });
}

/** The scenario as the editor's JSON tab shows it. */
async function scenarioJson(page) {
  if (!(await page.locator('#editor').count())) await page.click('#toggle-editor');
  await page.click('#editor-json-tab');
  const json = JSON.parse(await page.inputValue('#scenario-json'));
  await page.click('#toggle-editor');
  return json;
}

test('a what-if from the stage is an event at the playback time, changes the run, and Undo restores it exactly', TEST_OPTIONS, async (t) => {
  let link;
  let changed;
  await chromium.withPage(t, async (page) => {
    await load(page);
    await page.fill('#seed', SEED);
    await openPreset(page, PRESET);
    const original = await summary(page);
    assert.deepEqual(JSON.parse(original), EXPECTED, 'the preset does not give the CLI\'s summary');
    const before = await scenarioJson(page);

    // Paused at 1:00, scale the service to 200 from the menu, reached with the keyboard (w).
    await scrubTo(page, 60_000, '1:00');
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('w');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'whatif-kind');
    await page.selectOption('#whatif-kind', 'bucket');
    assert.equal(await page.inputValue('#whatif-target'), '0', 'the bucket menu does not start on its first bucket');
    await page.selectOption('#whatif-kind', 'scale');
    await page.fill('#whatif-desired', '200');
    assert.match(await page.textContent('#whatif-apply'), /Apply at 1:00/);
    await page.click('#whatif-apply');
    await page.locator('#whatif-list li').first().waitFor();
    assert.match(await page.textContent('#whatif-list'), /1:00 · Scale web to 200 tasks/);

    // The scenario gained the event at that time.
    const after = await scenarioJson(page);
    assert.deepEqual(after.events.slice(0, -1), before.events ?? []);
    assert.deepEqual(after.events.at(-1), { type: 'scale', at_s: 60, service: 'web', desired_count: 200, what_if: true });

    // The run replayed to 1:00 (playback stays there) and goes on with the what-if: 200 desired from there.
    await page.waitForFunction(() => /of 200 desired/.test(document.querySelector('#live-status').textContent), null, { timeout: TIMEOUT_MS });
    assert.match(await page.textContent('#clock'), /^1:00 \//);
    changed = await summary(page, original);
    assert.notDeepEqual(JSON.parse(changed), EXPECTED);
    // Scaled down to 200 at 1:00, mid-rollout: fewer tasks launched than the 1,000 of the original.
    assert.ok(JSON.parse(changed).tasks_launched < EXPECTED.tasks_launched, changed);
    await page.click('#play');
    await page.waitForFunction(() => !/^1:00 /.test(document.querySelector('#clock').textContent), null, { timeout: TIMEOUT_MS });
    await page.click('#play');
    link = await page.inputValue('#share-link');

    // Undo: the event goes and the run is the original again, exactly.
    await page.click('#whatif-undo');
    assert.deepEqual(JSON.parse(await summary(page, changed)), EXPECTED);
    assert.equal(await page.locator('#whatif-list').count(), 0);
    assert.deepEqual((await scenarioJson(page)).events, before.events);
  });
  await chromium.withPage(t, async (page) => {
    // The link made with the what-if reopens the same run with it, listed as a what-if (its event is marked)...
    await load(page, link);
    assert.equal(await summary(page), changed);
    const events = (await scenarioJson(page)).events;
    assert.deepEqual(events.at(-1), { type: 'scale', at_s: 60, service: 'web', desired_count: 200, what_if: true });
    assert.match(await page.textContent('#whatif-list'), /^1:00 · Scale web to 200 tasks$/);
    // ...so the receiver can undo it: the run is the one without it, exactly.
    await page.click('#whatif-undo');
    assert.deepEqual(JSON.parse(await summary(page, changed)), EXPECTED);
    assert.equal(await page.locator('#whatif-list').count(), 0);
    assert.deepEqual((await scenarioJson(page)).events, undefined);
  });
});

test('a link made before the what-if mark opens as it did: the same run, its events not listed as what-ifs', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    // Made by `fleetplan url` on main before the mark existed: fargate-ondemand-1000, seed 7, and a scale event to
    // 200 at 1:00, the event the first test applies from the stage (without the mark, which the run ignores).
    await load(page, new URL(`#${OLD_LINK}`, requiredEnv('FLEETPLAN_URL')).href);
    const openedText = await summary(page);
    const opened = JSON.parse(openedText);
    assert.ok(opened.tasks_launched < EXPECTED.tasks_launched, JSON.stringify(opened));
    const events = (await scenarioJson(page)).events;
    assert.deepEqual(events, [{ type: 'scale', at_s: 60, service: 'web', desired_count: 200 }]);
    assert.equal(await page.locator('#whatif-list').count(), 0);
    // The same event applied from the stage (marked) runs the same: the mark changes nothing in the run.
    await page.click('#toggle-editor');
    await page.click('#editor-json-tab');
    const json = JSON.parse(await page.inputValue('#scenario-json'));
    delete json.events;
    await page.fill('#scenario-json', JSON.stringify(json));
    await page.click('#toggle-editor');
    const withoutText = await summary(page, openedText);
    assert.deepEqual(JSON.parse(withoutText), EXPECTED);
    await scrubTo(page, 60_000, '1:00');
    await page.selectOption('#whatif-kind', 'scale');
    await page.fill('#whatif-desired', '200');
    await page.click('#whatif-apply');
    await page.locator('#whatif-list li').first().waitFor();
    assert.equal(await summary(page, withoutText), openedText);
  });
});

test('an instance picked on the cluster view gets its Spot interruption notice at the playback time', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    await openPreset(page, 'ec2-spot-draining');
    const original = await summary(page);
    await scrubTo(page, 300_000, '5:00');

    // Find a Spot instance on the canvas the way a person would: point at it until its details show, then click.
    const box = await page.locator('#cluster').boundingBox();
    let picked = null;
    for (let y = 10; y < box.height && !picked; y += 12) {
      for (let x = 10; x < box.width && !picked; x += 16) {
        await page.mouse.click(box.x + x, box.y + y);
        if (await page.locator('#whatif-interrupt-selected').count()) picked = { x, y };
      }
    }
    assert.ok(picked, 'no Spot instance or task on one could be picked on the cluster view');
    const label = await page.textContent('#whatif-interrupt-selected');
    const id = label.match(/i-[0-9a-f]{8}/)[0];
    await page.click('#whatif-interrupt-selected');
    await page.locator('#whatif-list li').first().waitFor();
    assert.match(await page.textContent('#whatif-list'), new RegExp(`5:00 · Spot interruption notice for ${id}`));

    const events = (await scenarioJson(page)).events;
    assert.deepEqual(events.at(-1), { type: 'ec2_instance_interruption', at_s: 300, instance: id, what_if: true });
    // The run goes on with the notice: the instance is interrupted before the wave at 10:00, so the run differs.
    const changed = await summary(page, original);
    assert.notDeepEqual(JSON.parse(changed), JSON.parse(original));

    await page.click('#whatif-undo');
    assert.equal(await summary(page, changed), original);
  });
});
