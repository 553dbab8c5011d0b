// Shared by the e2e tests and the wasm benchmark: launching Debian's Chromium and
// watching a page for errors. Run through `cargo xtask test` / `cargo xtask bench`,
// which build and serve the app and set FLEETPLAN_URL.

import assert from 'node:assert/strict';
import { after, before } from 'node:test';

import { chromium } from 'playwright-core';

/** The only browser these machines can install (`apt-get install chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/** Offline-friendly flags: no sandbox (containers run as root), no background traffic. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** An environment variable the xtask sets, or a clear error when run some other way. */
export function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these through \`cargo xtask test\` or \`cargo xtask bench\``);
  }
  return value;
}

/**
 * Launches headless Chromium. A plain `launch` (not a persistent context) passes our flags
 * through and gives every run a fresh temporary profile, removed on close.
 */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Opens a page in its own context (no shared storage) and records every console error
 * and uncaught page error; `errors` is the list to assert empty at the end of a test.
 */
export async function openPage(browser, viewport = { width: 1280, height: 900 }, options = {}) {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A spare run-ahead worker the page lets go of while it still loads (its script, the loader, the workers'
    // module) stops that download (net::ERR_ABORTED): nothing is lost, the worker that wanted it is gone. Any other
    // failed request is an error.
    const spareLoad = /\/((runahead|sweep)-worker|worker-module|fleetplan_worker)\.js$|\/fleetplan_worker_bg\.wasm$/
      .test(new URL(req.url()).pathname);
    if (spareLoad && req.failure()?.errorText === 'net::ERR_ABORTED') return;
    errors.push(`request failed: ${req.url()} (${req.failure()?.errorText})`);
  });
  // The page may only fetch its own files: no request to any other origin.
  page.on('request', (req) => {
    if (req.isNavigationRequest()) return;
    const url = new URL(req.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== new URL(page.url()).origin) {
      errors.push(`request to another origin: ${req.url()}`);
    }
  });
  return { page, errors, close: () => context.close() };
}

/**
 * One Chromium for a test file's tests: launched before them and closed after them. `withPage(t, body, viewport,
 * options)` runs `body(page)` in a fresh page (its own storage), then asserts that the page logged no console
 * error, threw no uncaught error and had no failed request; `browser` is the browser itself, once launched.
 */
export function browserForTests() {
  const shared = {
    browser: null,
    async withPage(t, body, viewport, options) {
      const { page, errors, close } = await openPage(shared.browser, viewport, options);
      try {
        await body(page);
        assert.deepEqual(errors, [], 'the page reported errors');
      } finally {
        if (errors.length) t.diagnostic(errors.join('\n'));
        await close();
      }
    },
  };
  before(async () => {
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
  });
  return shared;
}

/** Opens `url` (the served app unless given) and waits for the app to mount. */
export async function load(page, url = process.env.FLEETPLAN_URL, timeoutMs = 30_000) {
  await page.goto(url);
  await page.waitForSelector('#play', { timeout: timeoutMs });
}

/** Opens a preset from the gallery, as a person would. */
export async function openPreset(page, id) {
  await page.click('#toggle-gallery');
  await page.click(`#open-${id}`);
  await page.locator('#gallery').waitFor({ state: 'detached' });
}

/**
 * Unfolds a `<details>` by clicking its summary, as a person would, and clicks again if a
 * layout shift (a run finishing above it) made the click land elsewhere. Resolves once open.
 */
export async function unfold(page, selector, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    await page.click(`${selector} > summary`);
    try {
      await page.waitForFunction((s) => document.querySelector(s)?.open === true, selector, { timeout: 2_000 });
      return;
    } catch (error) {
      if (attempt >= attempts) throw new Error(`${selector} did not open after ${attempts} clicks: ${error.message}`);
    }
  }
}

/** Where the README's screenshots go, and whether to take them (FLEETPLAN_SCREENSHOTS=1). */
export const DOCS = new URL('../../docs/', import.meta.url);
export const SHOTS = process.env.FLEETPLAN_SCREENSHOTS === '1';

/** Moves the scrubber as a drag would: sets its value and fires `input`. */
export async function scrubTo(page, ms) {
  await page.$eval('#scrubber', (el, ms) => {
    el.value = String(ms);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, ms);
}

/** Waits until the run ahead has finished (the clock no longer says "≤"). */
export async function runKnown(page, timeoutMs = 30_000) {
  await page.waitForFunction(() => !document.querySelector('#clock').textContent.includes('≤'), undefined,
    { timeout: timeoutMs });
}
