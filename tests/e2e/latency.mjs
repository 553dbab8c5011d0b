// Where the time goes between the click on stress-100k in the gallery and its summary shown (issue 13): run by
// `cargo xtask bench` after tests/e2e/bench.mjs (FLEETPLAN_URL; FLEETPLAN_LATENCY_RUNS runs of each way, 3).
// Each page records, in page time (performance.now()), the workers it starts and what it posts them, what they
// answer and when, the click and the summary's appearance; the worker's own run is `data-ahead-ms` on the stage.
// Prints one line per run and the median breakdown; "other" is mostly the worker reading the job's scenario.

import { launchBrowser, openPage, requiredEnv } from './browser.mjs';

const url = requiredEnv('FLEETPLAN_URL');
const runs = Number(process.env.FLEETPLAN_LATENCY_RUNS ?? 3);
/**
 * Both ways to click: at once after the page's first render (as tests/e2e/bench.mjs does), and once the page has
 * settled (the opening scenario's summary shown, its run ahead over), as a person's click comes.
 */
const MODES = [['at once', false], ['settled', true]];

/** Installed before the page's scripts: wraps `Worker` to log each one's messages both ways. */
function instrument() {
  const log = { workers: [], click: null, summary: null };
  window.latencyLog = log;
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(script, options) {
      super(script, options);
      const w = { script: String(script), created: performance.now(), posts: [], answers: [] };
      log.workers.push(w);
      this.addEventListener('message', (e) => {
        const d = e.data ?? {};
        const kind = d.ready ? 'ready' : d.update ? `update:${d.update.byteLength}` : d.error ? 'error' : 'other';
        w.answers.push({ at: performance.now(), kind });
      });
      const post = this.postMessage.bind(this);
      this.postMessage = (message, transfer) => {
        w.posts.push({ at: performance.now(), kind: typeof message === 'string' ? message.slice(0, 12) : 'object' });
        return post(message, transfer);
      };
      const terminate = this.terminate.bind(this);
      this.terminate = () => {
        w.terminated = performance.now();
        return terminate();
      };
    }
  };
  document.addEventListener('click', (e) => {
    if (e.target.closest?.('#open-stress-100k')) log.click = performance.now();
  }, true);
  new MutationObserver(() => {
    const text = document.querySelector('#summary-json')?.textContent ?? '';
    if (!log.summary && /"scenario":\s*"Stress: /.test(text)) log.summary = performance.now();
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

const browser = await launchBrowser();
const rows = { 'at once': [], settled: [] };
try {
  for (let run = 0; run < runs; run += 1) for (const [mode, settle] of MODES) {
    const { page, errors, close } = await openPage(browser, { width: 1280, height: 720 });
    await page.addInitScript(instrument);
    await page.goto(url);
    await page.waitForSelector('#play', { timeout: 60_000 });
    const firstRender = await page.evaluate(() => performance.getEntriesByName('fleetplan:first-render')[0]?.startTime);
    if (settle) await page.waitForSelector('#summary-json', { state: 'attached', timeout: 60_000 });
    await page.click('#toggle-gallery');
    await page.click('#open-stress-100k');
    await page.waitForFunction(() => window.latencyLog.summary, null, { timeout: 300_000, polling: 10 });
    const log = await page.evaluate(() => window.latencyLog);
    const aheadMs = Number(await page.getAttribute('.stage', 'data-ahead-ms'));
    if (errors.length) throw new Error(`the page reported errors:\n${errors.join('\n')}`);
    await close();
    // The worker that ran stress-100k: the one whose job was posted after the click.
    const w = log.workers.find((w) => w.posts.some((p) => p.at >= log.click && p.kind.startsWith('{')));
    const job = w.posts.find((p) => p.at >= log.click && p.kind.startsWith('{'));
    const ready = w.answers.find((a) => a.kind === 'ready');
    const updates = w.answers.filter((a) => a.at >= job.at && a.kind.startsWith('update'));
    const last = updates.at(-1);
    const row = {
      total: log.summary - log.click,
      clickToJob: job.at - log.click,
      // The worker's module loaded after the job was posted: the run waited for it.
      waitReady: Math.max(0, (ready?.at ?? 0) - job.at),
      workerRun: aheadMs,
      lastToSummary: log.summary - last.at,
      freshWorker: w.created >= log.click,
      readyAfterCreate: ready ? ready.at - w.created : NaN,
      firstRender,
      lastBytes: Number(last.kind.split(':')[1]),
      workers: log.workers.length,
    };
    // What is left: job posted -> its last report arrived, less the wait for the module and the run itself.
    row.other = last.at - job.at - row.waitReady - aheadMs;
    rows[mode].push(row);
    console.log(`${mode}, run ${run + 1}: ${Object.entries(row).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(0) : v}`).join(', ')}`);
  }
} finally {
  await browser.close();
}
for (const [mode, list] of Object.entries(rows)) {
  const median = (k) => list.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(list.length / 2)];
  console.log(`${mode}, median of ${runs}: click->summary ${median('total').toFixed(0)} ms = click->job posted `
    + `${median('clickToJob').toFixed(0)} + waiting for the module ${median('waitReady').toFixed(0)} + worker's run `
    + `${median('workerRun').toFixed(0)} + other ${median('other').toFixed(0)} + last report->summary shown `
    + `${median('lastToSummary').toFixed(0)} (first render ${median('firstRender').toFixed(0)} ms)`);
}
