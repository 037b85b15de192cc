// Drive one SPA session in Chromium and print what came of it as one JSON document.
//
//   node tests/browser/run_session.mjs --client orbit --page http://localhost:PORT/index.html \
//     --chromium /usr/bin/chromium < config.json      # config: {"api": URL, "tokens": {...}}
//
// The output: the SPA's result (its store, the conflict it met, the aggregates it read) and
// `problems`: every console error, uncaught exception, failed request and error response the
// page saw, but for the one 412 the session provokes on purpose.
import { parseArgs } from 'node:util';
import { text } from 'node:stream/consumers';
import { chromium } from 'playwright-core';

const { values: args } = parseArgs({
  options: {
    client: { type: 'string' },
    page: { type: 'string' },
    chromium: { type: 'string' },
    timeout: { type: 'string', default: '60000' },
  },
});
const config = JSON.parse(await text(process.stdin));

const browser = await chromium.launch({
  executablePath: args.chromium,
  // No sandbox: CI runs as root in a container. The rest keeps Chromium from calling home.
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync',
  ],
});
const events = { console: [], pageErrors: [], failed: [], errorResponses: [] };
let output;
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(Number(args.timeout));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      events.console.push({ text: message.text(), url: message.location().url });
    }
  });
  page.on('pageerror', (error) => events.pageErrors.push(String(error.stack || error)));
  page.on('requestfailed', (request) => events.failed.push(
    `${request.method()} ${request.url()}: ${request.failure()?.errorText}`,
  ));
  page.on('response', (response) => {
    if (response.status() >= 400) {
      const request = response.request();
      events.errorResponses.push({
        method: request.method(), url: response.url(), status: response.status(),
      });
    }
  });

  await page.goto(`${args.page}?client=${args.client}`);
  await page.waitForFunction(() => window.spaReady === true);
  const started = Date.now();
  // A request queue that stalls (Orbit's, after an unhandled failure) never settles: give up.
  const stalled = new Promise((_, reject) => setTimeout(
    () => reject(new Error(`the session did not end within ${args.timeout} ms`)),
    Number(args.timeout),
  ).unref());
  const result = await Promise.race([
    page.evaluate((cfg) => window.runSession(cfg), config), stalled,
  ]);
  output = { ...result, seconds: (Date.now() - started) / 1000 };
} catch (error) {
  output = { error: String(error.stack || error) };
} finally {
  await browser.close();
}

// The one expected failure: the stale PATCH of the edited citizen, answered 412, which
// Chromium also reports on the console ("Failed to load resource: ... status of 412").
const isConflict = (url) => /\/citizens\/[^/?]+$/.test(new URL(url).pathname);
const conflicts = events.errorResponses.filter(
  (r) => r.status === 412 && r.method === 'PATCH' && isConflict(r.url),
);
const expected = conflicts.length === 1 ? conflicts[0] : null;
output.conflictResponses = conflicts;
output.problems = [
  ...events.pageErrors.map((e) => `uncaught: ${e}`),
  ...events.failed.map((f) => `request failed: ${f}`),
  ...events.errorResponses.filter((r) => r !== expected)
    .map((r) => `error response: ${r.status} ${r.method} ${r.url}`),
  ...events.console.filter((c) => !(expected && c.url === expected.url && / 412 /.test(c.text)))
    .map((c) => `console error: ${c.text} (${c.url})`),
];
process.stdout.write(`${JSON.stringify(output)}\n`);
