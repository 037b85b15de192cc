// The SPA session with kitsu, which has no store of its own: the app keeps the citizens it has
// been sent in a Map, as any kitsu app does, and applies the API's documented rules (kinship
// is mutual, trash is hidden) to what a 204 answer does not send back.
import Kitsu from 'kitsu';
import {
  CITIZENS, CITIZEN_ATTRIBUTES, IMPORT_ATTRIBUTES, PAGE_LIMIT, PLAN, dateOf, idOf,
  normalCitizen, rivalEdit, sameJSON, ymd,
} from './session.js';

class Store {
  constructor() {
    this.imports = new Map();
    this.citizens = new Map();
  }

  // Every citizen in a deserialised kitsu answer, included relatives too (kitsu links them
  // into each other, and kinship is mutual: the graph has cycles).
  put(resource, seen = new Set()) {
    if (!resource || typeof resource !== 'object' || seen.has(resource)) return;
    seen.add(resource);
    if (Array.isArray(resource)) return resource.forEach((item) => this.put(item, seen));
    if (resource.type === 'imports') {
      this.imports.set(resource.id, pick(resource, IMPORT_ATTRIBUTES));
    } else if (resource.type === 'citizens' && 'citizen_id' in resource && resource.relatives) {
      this.citizens.set(resource.id, normalCitizen({
        attributes: resource,
        relatives: resource.relatives.data.map((relative) => relative.id),
        importId: resource.import.data.id,
      }));
      resource.relatives.data.forEach((relative) => this.put(relative, seen));
    }
  }

  link(id, relativeId, linked) {
    for (const [a, b] of [[id, relativeId], [relativeId, id]]) {
      const record = this.citizens.get(a);
      const others = new Set(record.relatives);
      linked ? others.add(b) : others.delete(b);
      record.relatives = [...others].sort();
    }
  }

  trash(id) {
    for (const relative of this.citizens.get(id).relatives) this.link(id, relative, false);
    this.citizens.delete(id);
  }

  snapshot() {
    return structuredClone({
      imports: Object.fromEntries(this.imports),
      citizens: Object.fromEntries(this.citizens),
    });
  }
}

const pick = (resource, names) => Object.fromEntries(names.map((n) => [n, resource[n] ?? null]));

export async function runSession(config) {
  const api = new Kitsu({
    baseURL: config.api,
    headers: { Authorization: `Bearer ${config.tokens.editor}` },
  });
  const admin = { headers: { Authorization: `Bearer ${config.tokens.admin}` } };
  const store = new Store();
  const log = [];
  const step = (text) => log.push(text);

  const created = await api.create('imports', { citizens: CITIZENS });
  store.put(created.data);
  const importId = created.data.id;
  const id = (citizenId) => idOf(importId, citizenId);
  const linkage = (citizenId) => ({ type: 'citizens', id: id(citizenId) });
  step(`created import ${importId}`);

  for (let offset = 0, more = true; more; offset += PAGE_LIMIT) {
    const page = await api.get(`imports/${importId}/citizens`, {
      params: { include: 'relatives', page: { offset, limit: PAGE_LIMIT } },
    });
    store.put(page.data);
    more = Boolean(page.links.next);
    step(`page at ${offset}: ${page.data.length} citizens`);
  }

  // Read one citizen, keep its ETag; a second client edits it meanwhile.
  const edited = id(PLAN.edited);
  const read = await api.get(`citizens/${edited}`);
  store.put(read.data);
  const etag = read.headers?.etag ?? null;
  await rivalEdit(config, edited, PLAN.rivalEdit);
  const conflict = { etag, status: null, detail: null };
  const before = store.snapshot();
  try {
    store.put((await api.update('citizens', editedAttributes(edited), ifMatch(etag))).data);
  } catch (error) {
    conflict.status = error.response?.status ?? String(error);
    conflict.detail = error.errors?.[0]?.detail ?? null;
  }
  conflict.storeUnchanged = sameJSON(before, store.snapshot());
  step(`stale edit: ${conflict.status ?? 'accepted'}`);

  const reread = await api.get(`citizens/${edited}`);
  store.put(reread.data);
  const updated = await api.update('citizens', editedAttributes(edited), ifMatch(reread.headers?.etag));
  store.put(updated.data);
  step('edited attributes');

  // Replace: a PATCH of the citizen, which answers the citizen; the other sides follow.
  const [replaced, replacement] = PLAN.replaceRelativesOf;
  const previous = store.citizens.get(id(replaced)).relatives;
  const answer = await api.update('citizens', {
    id: id(replaced), relatives: { data: replacement.map(linkage) },
  });
  previous.forEach((relative) => store.link(id(replaced), relative, false));
  store.put(answer.data);
  answer.data.relatives.data.forEach((relative) => store.link(id(replaced), relative.id, true));

  // Add and remove through the relationship endpoint, which answers 204.
  const [grown, added] = PLAN.addRelativesTo;
  await api.request({
    method: 'POST', url: `citizens/${id(grown)}/relationships/relatives`, type: 'citizens',
    body: added.map((n) => ({ id: id(n) })),
  });
  added.forEach((n) => store.link(id(grown), id(n), true));
  const [shrunk, removed] = PLAN.removeRelativesFrom;
  await api.request({
    method: 'DELETE', url: `citizens/${id(shrunk)}/relationships/relatives`,
    axiosOptions: { data: { data: removed.map(linkage) } },
  });
  removed.forEach((n) => store.link(id(shrunk), id(n), false));
  step('replaced, added and removed relatives');

  const { relatives, ...attributes } = PLAN.added;
  const newcomer = await api.create('citizens', {
    ...attributes,
    import: { data: { type: 'imports', id: importId } },
    relatives: { data: relatives.map(linkage) },
  });
  store.put(newcomer.data);
  relatives.forEach((n) => store.link(newcomer.data.id, id(n), true));
  await api.delete('citizens', id(PLAN.trashed));
  store.trash(id(PLAN.trashed));
  step('added a citizen and trashed one');

  const birthdays = await api.get(`imports/${importId}/birthdays`);
  const stats = await api.get(`imports/${importId}/town-age-stats`);
  const aggregates = {
    birthdays: birthdays.data.months,
    townAgeStats: stats.data.map(({ town, p50, p75, p99 }) => ({ town, p50, p75, p99 })),
    asOf: stats.meta.as_of,
    citizens: store.snapshot().citizens,
  };
  step('read both aggregates');

  const trash = await api.get(`imports/${importId}/citizens`, {
    ...admin, params: { only_trashed: true },
  });
  for (const record of trash.data) {
    const restored = await api.update('citizens', { id: record.id, deleted_at: null }, {
      ...admin, params: { with_trashed: true },
    });
    store.put(restored.data);
    restored.data.relatives.data.forEach((relative) => store.link(record.id, relative.id, true));
  }
  const trashed = trash.data.map((record) => record.id);
  step(`restored ${trashed.join(', ')}`);

  store.put((await api.get(`imports/${importId}`)).data);
  return { importId, log, conflict, trashed, aggregates, store: store.snapshot() };
}

function editedAttributes(id) {
  const { birthDate, ...attributes } = PLAN.edit;
  return { id, ...attributes, birth_date: ymd(dateOf(birthDate)) };
}

const ifMatch = (etag) => (etag ? { headers: { 'If-Match': etag } } : {});
