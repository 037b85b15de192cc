#!/usr/bin/env node
// Renders the API reference served at /docs/ from the API Blueprint in docs/api.
//
//   node docs/render/render.mjs build/citizens-analyzer.apib OUTDIR [--allow-warnings]
//   (`make docs` runs hercule, then this, into app/static/docs/)
//
// INPUT is the single file hercule makes of docs/api/citizens-analyzer.apib and its includes;
// OUTDIR gets index.html and docs.css (a copy of docs.css beside this script).
//
// Why our own renderer and not aglio or snowboard (README, "The API documentation"): the page is served with a
// Content-Security-Policy that allows only our own files, so no inline <script>/<style>, no
// style="" attributes and nothing from a CDN; and CI regenerates the page and compares it with
// the committed copy, so the output must be byte-identical for the same input: no timestamps,
// no random ids (every id comes from a title or a URI template).
//
// drafter.js (Apiary's API Blueprint parser, compiled to JavaScript) gives API Elements 1.0
// refract JSON: every value is {element, meta?, attributes?, content}.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import drafter from 'drafter.js';
import MarkdownIt from 'markdown-it';

// ---- API Elements helpers --------------------------------------------------------------------

// The plain value of a refract element: a string, a number, or text joined from nested ones
// (enum values, arrays), so that a parameter's example or default prints as written.
const plain = (e) => {
  if (e === null || e === undefined) return '';
  if (typeof e !== 'object') return String(e);
  if (Array.isArray(e)) return e.map(plain).join(', ');
  return plain(e.content);
};
const meta = (e, key) => plain(e?.meta?.[key]);
const attr = (e, key) => e?.attributes?.[key];
const classes = (e) => (e?.meta?.classes?.content ?? []).map(plain);
const items = (e) => (Array.isArray(e?.content) ? e.content : []);
const ofType = (e, name) => items(e).filter((c) => c.element === name);

// ---- HTML helpers -----------------------------------------------------------------------------

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]); // text or attribute
const escText = (s) => String(s).replace(/[&<>]/g, (c) => ESCAPES[c]); // text only: bodies stay readable

// Ids must be unique and stable between runs: derived from text, numbered on collision in
// document order (which drafter keeps as written).
const usedIds = new Set();
function uniqueId(text, fallback) {
  const base =
    String(text)
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || fallback;
  let id = base;
  for (let n = 2; usedIds.has(id); n++) id = `${base}-${n}`;
  usedIds.add(id);
  return id;
}

// ---- Markdown ---------------------------------------------------------------------------------
// markdown-it with html: false escapes any raw HTML in the source (it is shown as text, never
// parsed), and its link validation drops javascript:, vbscript:, file: and data: URLs.
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
// An image would be fetched from wherever it points (img-src 'self' blocks other hosts): show
// it as a link to the image instead.
md.renderer.rules.image = (tokens, i) => {
  const t = tokens[i];
  return `<a href="${esc(t.attrGet('src'))}">${esc(t.content || t.attrGet('src'))}</a>`;
};

// Render a description so that its headings sit below the heading that owns it (`base` is the
// level its top headings get): keeps h1..h6 in order for screen readers and axe-core. Returns
// the HTML and the top headings (for the navigation).
function markdown(text, base) {
  if (!text) return { html: '', headings: [] };
  const tokens = md.parse(text, {});
  const opens = tokens.filter((t) => t.type === 'heading_open');
  const top = Math.min(...opens.map((t) => Number(t.tag.slice(1))));
  const headings = [];
  tokens.forEach((t, i) => {
    if (t.type !== 'heading_open' && t.type !== 'heading_close') return;
    const level = Number(t.tag.slice(1));
    t.tag = `h${Math.min(6, base + level - top)}`;
    if (t.type === 'heading_open') {
      const title = tokens[i + 1].content;
      const id = uniqueId(title, 'section');
      t.attrSet('id', id);
      if (level === top) headings.push({ id, title });
    }
  });
  return { html: md.renderer.render(tokens, md.options, {}), headings };
}
const inline = (text) => md.renderInline(text ?? '');

// ---- Rendering --------------------------------------------------------------------------------

// Descriptions are `copy` elements among an element's children.
const copy = (e) =>
  ofType(e, 'copy')
    .map((c) => c.content)
    .join('\n\n');

// Parameters (API Blueprint `+ Parameters`, API Elements hrefVariables) as a table. An action
// shows its resource's parameters with its own (an action's own one of the same name wins), so
// that each action's section is complete on its own.
function parameters(resource, transition) {
  const byName = new Map();
  for (const m of [...items(attr(resource, 'hrefVariables')), ...items(attr(transition, 'hrefVariables'))]) {
    byName.set(plain(m.content.key), m);
  }
  const rows = [...byName.values()].map((m) => {
    const value = m.content.value ?? {};
    const required = (attr(m, 'typeAttributes')?.content ?? []).map(plain).includes('required');
    const choices = plain(attr(value, 'enumerations'));
    const def = plain(attr(value, 'default'));
    const details = [
      plain(value) && `Example: <code>${esc(plain(value))}</code>`,
      def && `Default: <code>${esc(def)}</code>`,
      choices && `One of: <code>${esc(choices)}</code>`,
    ].filter(Boolean);
    return (
      `<tr><th scope="row"><code>${esc(plain(m.content.key))}</code></th>` +
      `<td>${esc(value.element === 'enum' ? `enum[${meta(m, 'title')}]` : meta(m, 'title') || value.element || '')}</td>` +
      `<td>${required ? 'required' : 'optional'}</td>` +
      `<td>${inline(meta(m, 'description'))}${details.length ? `<br>${details.join('<br>')}` : ''}</td></tr>`
    );
  });
  if (!rows.length) return '';
  return (
    '<table class="params"><caption>Parameters</caption>' +
    '<thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Use</th>' +
    `<th scope="col">Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>\n`
  );
}

// A labelled code block; the text is escaped, never interpreted.
const block = (label, text, cls) =>
  text
    ? `<figure class="${cls}"><figcaption>${label}</figcaption>` +
      `<pre><code>${escText(text.replace(/\n+$/, ''))}</code></pre></figure>\n`
    : '';

// One request or response (httpRequest / httpResponse): description, headers, body, schema.
function message(e, level) {
  const headers = items(attr(e, 'headers'))
    .map((h) => `${plain(h.content.key)}: ${plain(h.content.value)}`)
    .join('\n');
  const assets = ofType(e, 'asset');
  const asset = (cls) => assets.filter((a) => classes(a).includes(cls)).map((a) => a.content)[0];
  return (
    markdown(copy(e), level).html +
    block('Headers', headers, 'headers') +
    block('Body', asset('messageBody'), 'body') +
    block('Schema', asset('messageBodySchema'), 'schema')
  );
}

// The examples of an action. A request with several responses comes as several transactions
// repeating the same request: show such a request once, followed by its responses.
function examples(transition, level) {
  let out = '';
  let previous = null;
  for (const tx of ofType(transition, 'httpTransaction')) {
    const [request] = ofType(tx, 'httpRequest');
    const [response] = ofType(tx, 'httpResponse');
    const key = JSON.stringify(request);
    if (key !== previous) {
      if (previous !== null) out += '</div>\n';
      out += '<div class="example">\n';
      const body = message(request, level + 1);
      const title = meta(request, 'title');
      if (body || title) {
        out += `<h${level} class="request">Request${title ? ` <span class="example-title">${esc(title)}</span>` : ''}</h${level}>\n${body}`;
      }
      previous = key;
    }
    if (response) {
      const status = plain(attr(response, 'statusCode')) || '200';
      out += `<h${level} class="response status-${esc(status[0])}xx">Response <span class="status">${esc(status)}</span></h${level}>\n`;
      out += message(response, level + 1);
    }
  }
  return previous === null ? out : `${out}</div>\n`;
}

// The method of an action: every example request of one action has the same method.
const methodOf = (transition) =>
  plain(attr(ofType(ofType(transition, 'httpTransaction')[0], 'httpRequest')[0], 'method'));

// A URI template without its query part ({?a,b} / {&a}): the path a router matches.
const pathOf = (template) => template.replace(/\{[?&][^}]*\}/g, '');

function renderAction(transition, resource) {
  const method = methodOf(transition);
  // An action may have its own URI (`### Name [GET /path]`), else it takes its resource's.
  const template = plain(attr(transition, 'href')) || plain(attr(resource, 'href'));
  const title = meta(transition, 'title') || `${method} ${template}`;
  const path = pathOf(template);
  const id = uniqueId(`${method} ${path === '/' ? 'root' : path}`, 'action');
  const html =
    `<section class="action" id="${id}" data-method="${esc(method)}" ` +
    `data-uri-template="${esc(template)}" data-path="${esc(path)}">\n` +
    `<h4><span class="method method-${esc(method.toLowerCase())}">${esc(method)}</span> ` +
    `<code class="uri">${esc(template)}</code> <span class="action-title">${esc(title)}</span> ` +
    `<a class="anchor" href="#${id}" aria-label="Link to ${esc(title)}">#</a></h4>\n` +
    markdown(copy(transition), 5).html +
    parameters(resource, transition) +
    examples(transition, 5) +
    '</section>\n';
  return { html, nav: `<li><a href="#${id}"><span class="method method-${esc(method.toLowerCase())}">${esc(method)}</span> ${esc(title)}</a></li>` };
}

function renderResource(resource) {
  const title = meta(resource, 'title') || plain(attr(resource, 'href'));
  const id = uniqueId(`resource ${title}`, 'resource');
  const actions = ofType(resource, 'transition').map((t) => renderAction(t, resource));
  const html =
    `<section class="resource" id="${id}">\n` +
    `<h3>${esc(title)} <code class="uri">${esc(plain(attr(resource, 'href')))}</code> ` +
    `<a class="anchor" href="#${id}" aria-label="Link to ${esc(title)}">#</a></h3>\n` +
    markdown(copy(resource), 4).html +
    actions.map((a) => a.html).join('') +
    '</section>\n';
  const nav = `<li><a href="#${id}">${esc(title)}</a><ul>${actions.map((a) => a.nav).join('')}</ul></li>`;
  return { html, nav };
}

function renderGroup(group) {
  const title = meta(group, 'title') || 'Resources';
  const id = uniqueId(`group ${title}`, 'group');
  const resources = items(group).map((e) => {
    if (e.element === 'resource') return renderResource(e);
    if (e.element === 'copy') return { html: '', nav: '' }; // rendered below, before the resources
    throw new Error(`render.mjs does not render a ${e.element} inside a resource group yet`);
  });
  const html =
    `<section class="group" id="${id}">\n<h2>${esc(title)}</h2>\n` +
    markdown(copy(group), 3).html +
    resources.map((r) => r.html).join('') +
    '</section>\n';
  return { html, nav: `<li><a href="#${id}">${esc(title)}</a><ul>${resources.map((r) => r.nav).join('')}</ul></li>` };
}

function renderPage(api) {
  const title = meta(api, 'title') || 'API';
  const host = items(attr(api, 'metadata')).find((m) => plain(m.content.key) === 'HOST');
  const intro = markdown(copy(api), 2);
  // Resources outside any group get a group of their own, so nothing is left out.
  const loose = { meta: {}, content: ofType(api, 'resource') };
  const groups = items(api)
    .filter((e) => e.element === 'category')
    .map((e) => {
      if (classes(e).includes('resourceGroup')) return renderGroup(e);
      throw new Error(`render.mjs does not render a ${classes(e).join(' ')} category yet (MSON?)`);
    });
  if (loose.content.length) groups.push(renderGroup(loose));
  const nav = intro.headings.map((h) => `<li><a href="#${h.id}">${esc(h.title)}</a></li>`);
  return `<!DOCTYPE html>
<!-- Generated from docs/api (API Blueprint) by \`make docs\` (render.mjs). Do not edit by hand:
     edit docs/api/*.apib and run \`make docs\`. -->
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} API reference</title>
<link rel="icon" href="../admin/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="docs.css">
</head>
<body>
<a class="skip" href="#main">Skip to the reference</a>
<header class="page-header">
<h1>${esc(title)} <span class="subtitle">API reference</span></h1>
${host ? `<p class="host">Host: <code>${esc(plain(host.content.value))}</code></p>` : ''}
</header>
<div class="layout">
<nav class="toc" aria-label="Contents">
<ul>${nav.join('')}${groups.map((g) => g.nav).join('')}</ul>
</nav>
<main id="main">
<section class="intro">
${intro.html}</section>
${groups.map((g) => g.html).join('')}</main>
</div>
</body>
</html>
`;
}

// ---- Main -------------------------------------------------------------------------------------

function lineOf(annotation) {
  const start = attr(annotation, 'sourceMap')?.content?.[0]?.content?.[0]?.content?.[0];
  const a = start?.attributes;
  return a ? `${plain(a.line)}:${plain(a.column)}` : '?';
}

const args = process.argv.slice(2);
const allowWarnings = args.includes('--allow-warnings');
const [input, outDir] = args.filter((a) => !a.startsWith('--'));
if (!input || !outDir) {
  console.error('usage: node render.mjs INPUT.apib OUTDIR [--allow-warnings]');
  process.exit(2);
}
const source = readFileSync(input, 'utf8');
const result = drafter.parseSync(source, { requireBlueprintName: true });
// Drafter's annotations are its errors and warnings; a warning usually means part of the
// blueprint is not what was meant (an unindented body, a parameter missing from the URI),
// so it fails the build unless asked otherwise.
const annotations = ofType(result, 'annotation');
for (const a of annotations) {
  console.error(`${input}:${lineOf(a)}: ${classes(a).join(' ')}: ${plain(a)}`);
}
if (annotations.some((a) => classes(a).includes('error'))) process.exit(1);
if (annotations.length && !allowWarnings) process.exit(1);

const api = ofType(result, 'category').find((c) => classes(c).includes('api'));
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'index.html'), renderPage(api));
const css = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'docs.css'), 'utf8');
writeFileSync(
  join(outDir, 'docs.css'),
  `/* Copied from docs.css beside render.mjs by \`make docs\`; edit that file, not this copy. */\n${css}`,
);
