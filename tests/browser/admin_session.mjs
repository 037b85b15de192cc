// An admin's session in the console, in Chromium; prints what was seen as one JSON document.
//
//   node tests/browser/admin_session.mjs --chromium /usr/bin/chromium < config.json
//   config: {"api": URL, "tokens": {"admin", "reader"}, "import": ID, "other_import": ID,
//            "screenshots": DIR}
//
// The citizens are set up by the test through the API: 3 (trashed; restore it), 5 (trashed;
// delete it for good), 6 (trashed; two tabs race to restore it); `other_import` is trashed
// (delete it for good). The output holds what each screen said, the accessibility violations
// axe-core found on each, the screenshots written, and `problems`: console errors, uncaught
// exceptions, failed requests, requests to another host and error responses, but for those
// the session provokes on purpose (a reader's 403s, the lost race's 412, the purged one's 404).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { text } from 'node:stream/consumers';
import { chromium } from 'playwright-core';

const { values: args } = parseArgs({
  options: { chromium: { type: 'string' }, timeout: { type: 'string', default: '15000' } },
});
const config = JSON.parse(await text(process.stdin));
const console_ = `${config.api}/admin/`;
const axeSource = await readFile(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const events = { console: [], pageErrors: [], failed: [], responses: [], foreign: [], requests: [] };
const seen = { axe: {}, screenshots: [] };

function watch(page) {
  page.setDefaultTimeout(Number(args.timeout));
  page.on('console', (message) => {
    if (message.type() === 'error') events.console.push(message.text());
  });
  page.on('pageerror', (error) => events.pageErrors.push(String(error.stack || error)));
  page.on('requestfailed', (request) => events.failed.push(
    `${request.method()} ${request.url()}: ${request.failure()?.errorText}`,
  ));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== new URL(config.api).origin) events.foreign.push(request.url());
    events.requests.push(`${request.method()} ${url.pathname}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) {
      const { pathname } = new URL(response.url());
      events.responses.push({ method: response.request().method(), path: pathname, status: response.status() });
    }
  });
  return page;
}

/** Run axe-core on the page as it is now; keep the serious and critical violations. */
async function audit(page, screen) {
  await page.evaluate(axeSource); // evaluated by the driver: the page's CSP still holds for it
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  seen.axe[screen] = results.violations
    .filter((violation) => ['serious', 'critical'].includes(violation.impact))
    .map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.map((n) => n.target.join(' ')) }));
}

async function shoot(page, name) {
  const path = join(config.screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  seen.screenshots.push(path);
}

const mainText = (page) => page.locator('main').innerText();
const noticeText = (page) => page.locator('#notice').innerText();

/** Sign in by keyboard alone (the field has the focus, Enter submits), at `hash` or the trash. */
async function signIn(page, token, hash = '', heading = 'Trash') {
  await page.goto(`${console_}${hash}`);
  await page.getByLabel('API token').waitFor();
  await page.keyboard.type(token);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.locator('main .loading').waitFor({ state: 'detached' });
}

/** Press Tab until the focus is on `locator`'s element; fail after `limit` presses. */
async function tabTo(page, locator, limit = 40) {
  const target = await locator.elementHandle();
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((element) => document.activeElement === element, target)) return;
  }
  throw new Error(`${await locator.innerText()} could not be reached with Tab`);
}

async function openRecord(page, hash, heading) {
  await page.goto(`${console_}${hash}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

const browser = await chromium.launch({
  executablePath: args.chromium,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync'],
});
const output = { steps: {} };
const steps = output.steps;
const citizen = (id) => `${config.import}.${id}`;
try {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = watch(await context.newPage());

  // The API reference, as the root document links it.
  await page.goto(`${config.api}/docs/`);
  await page.getByRole('heading', { level: 1, name: /API reference/ }).waitFor();
  steps.docsActions = await page.locator('section.action').count();
  await audit(page, 'docs');
  await shoot(page, 'docs');

  // Sign in; the trash lists the trashed citizen.
  await page.goto(console_);
  await page.getByLabel('API token').waitFor();
  await audit(page, 'sign-in');
  await shoot(page, 'sign-in');
  await page.keyboard.type('   ');
  await page.keyboard.press('Enter');
  steps.blankToken = await page.locator('main [role=alert]').innerText();
  await signIn(page, config.tokens.admin);
  steps.who = await page.locator('#who').innerText();
  await page.getByRole('link', { name: 'Citizen 3', exact: true }).waitFor();
  steps.trash = await mainText(page);
  await audit(page, 'trash');
  await shoot(page, 'trash');

  // Restore citizen 3, by keyboard, from its screen.
  await page.getByRole('link', { name: 'Citizen 3', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: /^Citizen 3:/ }).waitFor();
  steps.trashedCitizen = await mainText(page);
  await audit(page, 'citizen');
  await shoot(page, 'citizen');
  // The skip link moves the focus to the content, and leaves the screen as it is.
  await page.locator('.skip').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement === document.querySelector('main'));
  steps.afterSkip = await page.locator('main h1').innerText();
  const restore = page.getByRole('button', { name: /^Restore citizen 3 / });
  await tabTo(page, restore);
  await page.keyboard.press('Enter');
  await page.locator('#notice', { hasText: 'Restored citizen 3' }).waitFor();
  await page.getByRole('button', { name: /^Restore/ }).waitFor({ state: 'detached' });
  steps.restoredNotice = await noticeText(page);
  steps.restoredCitizen = await mainText(page);

  // The import's citizens, the trashed ones marked.
  await page.getByRole('link', { name: `Import ${config.import}`, exact: true }).first().click();
  await page.getByRole('heading', { level: 1, name: `Import ${config.import}` }).waitFor();
  await page.locator('main table').waitFor();
  steps.importRows = await page.locator('main tbody tr').allInnerTexts();
  await audit(page, 'import');
  await shoot(page, 'import');

  // A screen that loads slowly draws nothing once the admin has gone elsewhere.
  await page.route('**/imports/*/citizens?*', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await page.getByRole('link', { name: 'Trash', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Trash' }).waitFor();
  await page.evaluate((hash) => { location.hash = hash; }, `#/imports/${config.import}`);
  await page.getByRole('heading', { level: 1, name: `Import ${config.import}` }).waitFor();
  await page.getByRole('link', { name: 'Trash', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Trash' }).waitFor();
  await page.waitForTimeout(2500);
  steps.afterSlowScreen = await page.locator('main h1').innerText();
  await page.unroute('**/imports/*/citizens?*');

  // Delete citizen 5 for good: Escape keeps it, the confirmation deletes it. Another tab that
  // had it open, signed in there by a link to it, then finds it gone.
  const stale = watch(await context.newPage());
  await signIn(stale, config.tokens.admin, `#/citizens/${citizen(5)}`, /^Citizen 5:/);
  await openRecord(page, `#/citizens/${citizen(5)}`, /^Citizen 5:/);
  await page.getByRole('button', { name: /^Delete citizen 5 .* for good$/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  steps.citizenConfirmation = await dialog.innerText();
  await audit(page, 'confirm');
  await shoot(page, 'confirm');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  steps.afterEscape = await mainText(page);
  await page.getByRole('button', { name: /^Delete citizen 5 .* for good$/ }).click();
  await dialog.getByRole('button', { name: /for good$/ }).click();
  await page.locator('#notice', { hasText: 'Deleted citizen 5' }).waitFor();
  steps.purgedNotice = await noticeText(page);
  await stale.getByRole('button', { name: /^Restore citizen 5 / }).click();
  await stale.locator('main .problem [role=alert]').waitFor();
  steps.gone = await stale.locator('main .problem [role=alert]').innerText();
  await stale.close();

  // Delete the other, trashed import for good; its confirmation counts its citizens.
  await openRecord(page, `#/imports/${config.other_import}`, `Import ${config.other_import}`);
  await page.locator('main table').waitFor();
  steps.trashedImportRows = await page.locator('main tbody tr').allInnerTexts();
  await page.getByRole('button', { name: /^Delete import .* for good$/ }).click();
  await dialog.waitFor();
  steps.importConfirmation = await dialog.innerText();
  await dialog.getByRole('button', { name: /for good$/ }).click();
  await page.locator('#notice', { hasText: `Deleted import ${config.other_import}` }).waitFor();
  await page.getByRole('heading', { level: 1, name: 'Trash' }).waitFor();
  await page.locator('main .loading').waitFor({ state: 'detached' });
  steps.trashAfter = await mainText(page);

  // Two tabs open citizen 6; the second restores it; the first one's restore is then refused.
  await openRecord(page, `#/citizens/${citizen(6)}`, /^Citizen 6:/);
  const other = watch(await context.newPage());
  await signIn(other, config.tokens.admin);
  await openRecord(other, `#/citizens/${citizen(6)}`, /^Citizen 6:/);
  await other.getByRole('button', { name: /^Restore citizen 6 / }).dblclick(); // sent once
  await other.locator('#notice', { hasText: 'Restored citizen 6' }).waitFor();
  await other.close();
  await page.getByRole('button', { name: /^Restore citizen 6 / }).click();
  const alert = page.locator('main .problem [role=alert]');
  await alert.waitFor();
  steps.conflict = await alert.innerText();
  steps.conflictInView = await page.locator('main .problem').evaluate(
    (box) => box.getBoundingClientRect().bottom <= window.innerHeight && document.activeElement === box,
  );
  await shoot(page, 'conflict');
  await page.getByRole('button', { name: 'Reload' }).click();
  await page.getByRole('button', { name: /^Restore/ }).waitFor({ state: 'detached' });
  steps.afterReload = await mainText(page);

  // At phone width: the trash still fits, nothing wider than the screen but the tables' own scroll.
  await page.setViewportSize(PHONE);
  await page.goto(`${console_}#/trash`);
  await page.getByRole('heading', { level: 1, name: 'Trash' }).waitFor();
  await page.locator('main .loading').waitFor({ state: 'detached' });
  steps.phoneOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await audit(page, 'trash-phone');
  await shoot(page, 'trash-phone');
  await openRecord(page, `#/imports/${config.import}`, `Import ${config.import}`);
  await page.locator('main table').waitFor();
  steps.phoneImportOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await audit(page, 'import-phone');
  await shoot(page, 'import-phone');
  await context.close();

  // A reader's token: told plainly, no trash shown.
  const readerContext = await browser.newContext({ viewport: DESKTOP });
  const reader = watch(await readerContext.newPage());
  await signIn(reader, config.tokens.reader);
  const refusal = reader.locator('main .problem [role=alert]');
  await refusal.waitFor();
  steps.readerWho = await reader.locator('#who').innerText();
  steps.readerRefusal = await refusal.innerText();
  steps.readerProblem = await reader.locator('main .problem').innerText();
  steps.readerTables = await reader.locator('main table').count();
  await audit(reader, 'reader-refused');
  await shoot(reader, 'reader-refused');
  await readerContext.close();
} catch (error) {
  output.error = String(error.stack || error);
} finally {
  await browser.close();
}

// What the session provokes on purpose: a reader's two lists (403), the lost race (412) and
// restoring what another tab deleted for good (404);
// Chromium also logs each on the console ("Failed to load resource: ... status of 4xx").
const expected = (r) => (r.status === 403 && r.method === 'GET' && ['/imports', '/citizens'].includes(r.path))
  || (r.status === 412 && r.method === 'PATCH' && r.path === `/citizens/${citizen(6)}`)
  || (r.status === 404 && r.method === 'PATCH' && r.path === `/citizens/${citizen(5)}`);
const unexpected = events.responses.filter((r) => !expected(r));
output.expectedRefusals = events.responses.filter(expected);
output.axe = seen.axe;
output.requests = events.requests;
output.screenshots = seen.screenshots;
output.problems = [
  ...events.pageErrors.map((e) => `uncaught: ${e}`),
  ...events.failed.map((f) => `request failed: ${f}`),
  ...events.foreign.map((url) => `request to another host: ${url}`),
  ...unexpected.map((r) => `error response: ${r.status} ${r.method} ${r.path}`),
  ...events.console.filter((t) => !/Failed to load resource: .* status of (403|404|412)/.test(t))
    .map((t) => `console error: ${t}`),
];
process.stdout.write(`${JSON.stringify(output)}\n`);
