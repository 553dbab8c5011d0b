// The guided editor (issue 13), clicked through as a person would: reference fields picked from lists, "add
// service", the recipes and what they changed, errors in plain words at the field they concern, links that are
// refused but keep what they hold in the JSON tab, and AWS documents in (compared with `fleetplan import`) and out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

import { browserForTests, load, requiredEnv, unfold } from './browser.mjs';

const BASE_URL = requiredEnv('FLEETPLAN_URL');
const TIMEOUT_MS = 30_000;
const TEST_OPTIONS = { timeout: 120_000 };

const chromium = browserForTests();

/** The option values of a select. */
async function options(page, selector) {
  return page.locator(`${selector} option`).evaluateAll((all) => all.map((o) => o.value));
}

/** The scenario as the JSON tab shows it (then back to the form). */
async function scenarioJson(page) {
  await page.click('#editor-json-tab');
  const json = JSON.parse(await page.inputValue('#scenario-json'));
  await page.click('#editor-form-tab');
  return json;
}

const field = (path) => `[data-path="${path}"]`;
const errorAt = (path) => `[id="err-${path}"]`;

test('reference fields are lists, add service copies the last, recipes say what they changed', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    await page.click('#toggle-editor');

    // A task definition is picked from the scenario's own, not typed.
    const taskDef = page.locator(field('services[0].task_definition'));
    assert.equal(await taskDef.evaluate((e) => e.tagName), 'SELECT');
    assert.deepEqual(await options(page, field('services[0].task_definition')), ['web']);

    // Add service: a copy of the last under a free name.
    await page.click('[data-add="services"]');
    assert.equal(await page.inputValue(field('services[1].name')), 'web-2');
    assert.equal(await page.inputValue(field('services[1].desired_count')), '1000');

    // Spot wave with nothing on Spot: refused, with the reason, and nothing changes.
    await page.click('button.recipe:has-text("Spot wave now")');
    assert.match(await page.textContent('#recipe-changes'), /Nothing runs on Spot/);

    // 50/50 Fargate/Spot: both services, listed as changed; the provider fields are lists with FARGATE_SPOT.
    await page.click('button.recipe:has-text("50/50 Fargate/Spot")');
    const changes = await page.textContent('#recipe-changes');
    assert.match(changes, /services\[0\]\.capacity_provider_strategy/);
    assert.match(changes, /services\[1\]\.capacity_provider_strategy/);
    const provider = field('services[1].capacity_provider_strategy[1].capacity_provider');
    assert.equal(await page.inputValue(provider), 'FARGATE_SPOT');
    assert.deepEqual((await options(page, provider)).slice(0, 2), ['FARGATE', 'FARGATE_SPOT']);
    await page.waitForFunction(() => !document.querySelector('#play').disabled);

    // Spot wave now: at the playback time.
    await page.locator('#scrubber').evaluate((e) => {
      e.value = '42000';
      e.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.click('button.recipe:has-text("Spot wave now")');
    assert.match(await page.textContent('#recipe-changes'), /events\[0\]: added \(fargate_spot_interruption\)/);
    assert.equal(await page.inputValue(field('events[0].at_s')), '42');

    // A warm EC2 provider; its instance type is picked from the engine's catalogue.
    await page.click('button.recipe:has-text("Add warm EC2 provider")');
    assert.match(await page.textContent('#recipe-changes'), /capacity_providers\[0\]: added \(warm-ec2\)/);
    const instanceType = field('capacity_providers[0].instance_types[0]');
    const types = await options(page, instanceType);
    assert.ok(types.includes('m6i.xlarge') && types.length > 20, `instance types: ${types}`);
    await page.selectOption(instanceType, 'm6i.xlarge');
    // The strategy's provider list now offers it too.
    assert.ok((await options(page, provider)).includes('warm-ec2'));

    const json = await scenarioJson(page);
    assert.equal(json.services.length, 2);
    assert.deepEqual(json.capacity_providers[0].instance_types, ['m6i.xlarge']);
    assert.equal(json.events[0].type, 'fargate_spot_interruption');
    assert.equal(json.events[0].at_s, 42);
    await page.waitForFunction(() => !document.querySelector('#play').disabled);
  }, { width: 1280, height: 720 });
});

test('errors are in plain words at the field they concern', TEST_OPTIONS, async (t) => {
  await chromium.withPage(t, async (page) => {
    await load(page);
    await page.click('#toggle-editor');
    await page.fill(field('services[0].desired_count'), 'abc');
    const count = page.locator(errorAt('services[0].desired_count'));
    await count.waitFor({ state: 'visible' });
    assert.equal(await count.textContent(), 'must be a whole number from 0 to 4294967295; got "abc"');
    assert.doesNotMatch(await page.textContent('#problems'), /invalid type|line 1 column/);
    await page.fill(field('services[0].desired_count'), '10');

    // A Fargate size problem is on the task definition's cpu, where it is fixed.
    await unfold(page, 'details[data-path="task_definitions[0]"]');
    await page.fill(field('task_definitions[0].cpu'), '300');
    const cpu = page.locator(errorAt('task_definitions[0].cpu'));
    await cpu.waitFor({ state: 'visible' });
    assert.match(await cpu.textContent(), /Fargate does not support cpu 300; valid cpu values: 256, 512/);
    assert.equal(await page.getAttribute(field('task_definitions[0].cpu'), 'aria-invalid'), 'true');
    assert.equal(await page.locator(errorAt('services[0].task_definition')).count(), 0);
    await page.fill(field('task_definitions[0].cpu'), '256');
    await page.waitForFunction(() => !document.querySelector('#play').disabled);
  });
});

/** A version-2 share link (zlib, so with its Adler-32 checksum) packing `json` (any text). */
function linkPacking(json) {
  return new URL(`#s=2.${deflateSync(Buffer.from(json), { level: 9 }).toString('base64url')}`, BASE_URL).href;
}

const SCENARIO = {
  version: 1, name: 'from a colleague',
  task_definitions: [{ name: 'web', cpu: 256, memory: 512 }],
  services: [{ name: 'web', task_definition: 'web', desired_count: 20 }],
};

/** Waits for the refusal, then returns the JSON tab's text. */
async function refusedText(page, pattern) {
  const error = page.locator('#error');
  await error.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
  assert.match(await error.textContent(), pattern);
  assert.equal(await page.getAttribute('#editor-json-tab', 'aria-selected'), 'true');
  assert.equal(await page.locator('#play').count(), 0, 'a refused link ran');
  return page.inputValue('#scenario-json');
}

test('a refused link keeps what it holds in the JSON tab, with why', TEST_OPTIONS, async (t) => {
  // A word in a count: the scenario opens, the problem at its field in plain words.
  const typo = { ...SCENARIO, services: [{ ...SCENARIO.services[0], desired_count: 'twenty' }] };
  await chromium.withPage(t, async (page) => {
    await page.goto(linkPacking(JSON.stringify({ seed: 4, scenario: typo })));
    const text = await refusedText(page, /cannot run, so nothing was run/);
    assert.equal(JSON.parse(text).services[0].desired_count, 'twenty');
    assert.match(await page.textContent('#problems'), /services\[0\]\.desired_count: must be a whole number from 0 to 4294967295; got "twenty"/);
    assert.equal(await page.inputValue('#seed'), '4');
  });

  // A scenario that fails validation (a Fargate size): kept, the problem on the task definition's cpu.
  const badSize = { ...SCENARIO, task_definitions: [{ name: 'web', cpu: 300, memory: 512 }] };
  await chromium.withPage(t, async (page) => {
    await page.goto(linkPacking(JSON.stringify({ seed: 1, scenario: badSize })));
    const text = await refusedText(page, /cannot run, so nothing was run/);
    assert.equal(JSON.parse(text).task_definitions[0].cpu, 300);
    assert.match(await page.textContent('#problems'), /task_definitions\[0\]\.cpu: task definition `web`: Fargate does not support cpu 300/);
  });

  // A damaged checksum: what it unpacks to, held (not run) until it is edited; editing runs it.
  const good = deflateSync(Buffer.from(JSON.stringify({ seed: 2, scenario: SCENARIO })), { level: 9 });
  good[good.length - 1] ^= 0x10;
  const damaged = new URL(`#s=2.${good.toString('base64url')}`, BASE_URL).href;
  await chromium.withPage(t, async (page) => {
    await page.goto(damaged);
    const text = await refusedText(page, /checksum does not match.*JSON tab to fix/s);
    assert.deepEqual(JSON.parse(text), SCENARIO);
    assert.match(await page.textContent('#problems'), /Not run: this link is damaged/);
    await page.fill('#scenario-json', text);
    await page.waitForSelector('#play', { timeout: TIMEOUT_MS });
  });

  // Cut short: the text before the cut.
  const whole = linkPacking(JSON.stringify({ seed: 2, scenario: SCENARIO }));
  const cut = whole.slice(0, whole.indexOf('#s=') + 3 + Math.floor((whole.length - whole.indexOf('#s=') - 3) * 0.7));
  await chromium.withPage(t, async (page) => {
    await page.goto(cut);
    const text = await refusedText(page, /Could not open the link/);
    assert.ok(text.startsWith('{"version":1,"name":"from a colleague"'), text);
  });
});

/** The documents `cargo xtask test` imports with `fleetplan import` (E2E_IMPORT in crates/xtask/src/test.rs). */
const IMPORT_FILES = [
  'describe-task-definition-web.json',
  'create-service-api.json',
].map((name) => fileURLToPath(new URL(`../../crates/engine/src/aws_import/testdata/${name}`, import.meta.url)));

test('AWS documents import in the page as `fleetplan import` imports them, and export back', TEST_OPTIONS, async (t) => {
  const expected = JSON.parse(await readFile(requiredEnv('FLEETPLAN_EXPECTED_IMPORT'), 'utf8'));
  await chromium.withPage(t, async (page) => {
    const modules = [];
    page.on('request', (req) => modules.push(new URL(req.url()).pathname));
    await load(page);
    await page.click('#toggle-editor');
    assert.ok(!modules.some((m) => m.includes('fleetplan_import')), 'the import module was loaded with the page');
    await unfold(page, '#aws');
    await page.setInputFiles('#aws-files', IMPORT_FILES);
    await page.waitForFunction(() => /2 chosen/.test(document.querySelector('.aws-count').textContent));
    await page.click('#aws-import');
    await page.locator('#aws-use').waitFor({ timeout: TIMEOUT_MS });
    assert.ok(modules.some((m) => m.endsWith('/fleetplan_import_bg.wasm')), 'the import module was not loaded');
    // The report lists what was not imported as is.
    assert.match(await page.textContent('#aws-report'), /fields? not imported as is/);
    const imported = JSON.parse(await page.locator('#aws-scenario').textContent());
    assert.deepEqual(imported, expected);

    // Use it: the page opens the imported scenario, which runs.
    await page.click('#aws-use');
    await page.waitForFunction(() => /AWS documents/.test(document.querySelector('.source').textContent));
    await page.waitForSelector('#play:not([disabled])', { timeout: TIMEOUT_MS });
    assert.deepEqual(await scenarioJson(page), expected);

    // Export back to AWS CLI input: a download that reads back to the same services.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#aws-export-cli')]);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
    const service = exported.find((d) => d.serviceName);
    assert.equal(service.serviceName, expected.services[0].name);
    assert.equal(service.desiredCount, expected.services[0].desired_count);
    assert.match(await page.textContent('#aws-exported'), /Downloaded scenario-aws-cli\.json/);
  });
});
