#!/usr/bin/env node
// Prints every action of the API Blueprint as `METHOD URI-template`, one per line, in document
// order, straight from drafter's parse result (API Elements): the list a test compares with the
// data-method / data-uri-template attributes of index.html. Deliberately independent of
// render.mjs, so that a route the renderer drops is caught.
//
//   node docs/render/routes.mjs build/citizens-analyzer.apib
import { readFileSync } from 'node:fs';
import drafter from 'drafter.js';

const text = (e) => (e && typeof e === 'object' ? text(e.content) : e ?? '');
const kids = (e) => (Array.isArray(e?.content) ? e.content : []);

function* actions(e, resource = null) {
  if (e?.element === 'resource') resource = e;
  if (e?.element === 'transition') {
    const request = kids(kids(e).find((c) => c.element === 'httpTransaction')).find(
      (c) => c.element === 'httpRequest',
    );
    // An action's own URI (`### Name [GET /path]`) wins over its resource's.
    yield `${text(request?.attributes?.method)} ${text(e.attributes?.href) || text(resource?.attributes?.href)}`;
    return;
  }
  for (const child of kids(e)) yield* actions(child, resource);
}

const result = drafter.parseSync(readFileSync(process.argv[2], 'utf8'), {});
for (const line of actions(result)) console.log(line);
