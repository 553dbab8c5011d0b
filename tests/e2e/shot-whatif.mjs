import { launchBrowser, openPage, load, openPreset } from './browser.mjs';
const browser = await launchBrowser();
const { page, errors, close } = await openPage(browser, { width: 1280, height: 720 });
await load(page, 'http://127.0.0.1:8104/');
await openPreset(page, 'ec2-spot-draining');
await page.waitForFunction(() => (document.querySelector('#summary-json')?.textContent ?? '').trim() !== '', null, { timeout: 30000 });
await page.$eval('#scrubber', (el) => { el.value = '300000'; el.dispatchEvent(new Event('input', { bubbles: true })); });
await page.waitForFunction(() => (document.querySelector('#clock')?.textContent ?? '').startsWith('5:00 /'));
const box = await page.locator('#cluster').boundingBox();
let found = false;
for (let y = 10; y < box.height && !found; y += 12) for (let x = 10; x < box.width && !found; x += 16) {
  await page.mouse.click(box.x + x, box.y + y);
  if (await page.locator('#whatif-wave-selected').count()) found = true;
}
await page.click('#whatif-wave-selected');
await page.waitForTimeout(300);
await page.selectOption('#whatif-kind', 'bucket');
await page.locator('#whatif').scrollIntoViewIfNeeded();
await page.evaluate(() => window.scrollBy(0, 120));
await page.waitForTimeout(1500);
await page.screenshot({ path: process.argv[2] });
console.log('errors', errors);
await close(); await browser.close();
