// The SPA session with Orbit.js: a MemorySource (the store the app renders from) kept in step
// with a JSONAPISource by the coordinator, pessimistically: a change reaches the store only
// once the server has accepted it, so a refused change leaves the store as it was.
import { Coordinator, RequestStrategy, SyncStrategy } from '@orbit/coordinator';
import { JSONAPISerializers, JSONAPISource } from '@orbit/jsonapi';
import { MemorySource } from '@orbit/memory';
import { RecordKeyMap, RecordSchema } from '@orbit/records';
import {
  DateSerializer, buildSerializerClassFor, buildSerializerSettingsFor,
} from '@orbit/serializers';
import {
  CITIZENS, CITIZEN_ATTRIBUTES, IMPORT_ATTRIBUTES, PAGE_LIMIT, PLAN, dateOf, idOf,
  normalCitizen, rivalEdit, sameJSON, ymd,
} from './session.js';

// The schema of our types. Orbit keeps ids of its own (it mints them before the server has
// answered); the API's ids are the `remoteId` key of the two types a client creates.
const schema = new RecordSchema({
  models: {
    imports: {
      keys: { remoteId: {} },
      attributes: {
        citizens: { type: 'array' }, // written once, when the import is created
        created_at: { type: 'datetime' },
        citizens_count: { type: 'number' },
        data_version: { type: 'number' },
        deleted_at: { type: 'datetime' },
      },
      relationships: {
        citizens: { kind: 'hasMany', type: 'citizens', inverse: 'import' },
        birthdays: { kind: 'hasOne', type: 'birthdays' },
        'town-age-stats': { kind: 'hasMany', type: 'town-age-stats' },
      },
    },
    citizens: {
      keys: { remoteId: {} },
      attributes: {
        citizen_id: { type: 'number' },
        town: { type: 'string' },
        street: { type: 'string' },
        building: { type: 'string' },
        apartment: { type: 'number' },
        name: { type: 'string' },
        birth_date: { type: 'date' },
        gender: { type: 'string' },
        deleted_at: { type: 'datetime' },
      },
      relationships: {
        relatives: { kind: 'hasMany', type: 'citizens', inverse: 'relatives' },
        import: { kind: 'hasOne', type: 'imports', inverse: 'citizens' },
      },
    },
    birthdays: { attributes: { months: { type: 'object' } } },
    'town-age-stats': {
      attributes: {
        town: { type: 'string' },
        p50: { type: 'number' },
        p75: { type: 'number' },
        p99: { type: 'number' },
      },
    },
  },
});

// The date format: Orbit's DateSerializer writes 1990-2-28, the API wants 1990-02-28.
class IsoDateSerializer extends DateSerializer {
  serialize(date) {
    return ymd(date);
  }
}

function buildStore(config) {
  const keyMap = new RecordKeyMap();
  const memory = new MemorySource({ schema, keyMap, name: 'memory' });
  const remote = new JSONAPISource({
    schema,
    keyMap,
    name: 'remote',
    host: config.api,
    defaultFetchSettings: { headers: { Authorization: `Bearer ${config.tokens.editor}` } },
    serializerClassFor: buildSerializerClassFor({ date: IsoDateSerializer }),
    // Our model names are the API's (plural) types: the URL path must not pluralise them again.
    serializerSettingsFor: buildSerializerSettingsFor({
      settingsByType: {
        [JSONAPISerializers.ResourceTypePath]: { serializationOptions: { inflectors: [] } },
      },
    }),
  });
  // The Orbit guide's pessimistic set-up: the store waits for the server. `passHints` makes
  // the store answer with the server's records (e.g. the import it created, with its id).
  const coordinator = new Coordinator({ sources: [memory, remote] });
  coordinator.addStrategy(new RequestStrategy({
    source: 'memory', on: 'beforeQuery', target: 'remote', action: 'query', blocking: true,
    passHints: true,
  }));
  coordinator.addStrategy(new RequestStrategy({
    source: 'memory', on: 'beforeUpdate', target: 'remote', action: 'update', blocking: true,
    passHints: true,
  }));
  coordinator.addStrategy(new SyncStrategy({ source: 'remote', target: 'memory', blocking: true }));
  return { keyMap, memory, remote, coordinator };
}

export async function runSession(config) {
  const { keyMap, memory, remote, coordinator } = buildStore(config);
  await coordinator.activate();
  const remoteId = (identity) => keyMap.idToKey(identity.type, 'remoteId', identity.id);
  const byRemoteId = (type, id) => ({ type, id: keyMap.keyToId(type, 'remoteId', id) });
  const fromServer = (response) => response.sources.remote.details[0];
  const asAdmin = (params) => ({
    sources: {
      remote: { settings: { params, headers: { Authorization: `Bearer ${config.tokens.admin}` } } },
    },
  });
  const log = [];
  const step = (text) => log.push(text);

  // Create the import: the citizens travel as an attribute, ids come back from the server.
  const created = await memory.update((t) => t.addRecord({
    type: 'imports', attributes: { citizens: CITIZENS },
  }));
  const theImport = { type: 'imports', id: created.id };
  const importId = remoteId(theImport);
  const citizen = (citizenId) => byRemoteId('citizens', idOf(importId, citizenId));
  step(`created import ${importId}`);

  // Page through its citizens with their relatives, following the server's `next` link.
  for (let offset = 0, more = true; more; offset += PAGE_LIMIT) {
    const page = await memory.query(
      (q) => q.findRelatedRecords(theImport, 'citizens').page({ offset, limit: PAGE_LIMIT }),
      { include: ['relatives'], fullResponse: true },
    );
    more = Boolean(fromServer(page).document.links.next);
    step(`page at ${offset}: ${fromServer(page).document.data.length} citizens`);
  }

  // Read one citizen and keep its ETag; a second client edits it meanwhile.
  const edited = citizen(PLAN.edited);
  const read = await memory.query((q) => q.findRecord(edited), { fullResponse: true });
  const etag = fromServer(read).response.headers.get('ETag');
  await rivalEdit(config, remoteId(edited), PLAN.rivalEdit);
  const conflict = await staleEdit(memory, remote, edited, etag, () => snapshot(memory, keyMap));
  step(`stale edit: ${conflict.status ?? 'accepted'}`);

  // Reload it (a real SPA would show the other edit) and edit with the fresh ETag.
  const reread = await memory.query((q) => q.findRecord(edited), { fullResponse: true });
  const freshEtag = fromServer(reread).response.headers.get('ETag');
  await memory.update((t) => t.updateRecord({ ...edited, attributes: editedAttributes() }), {
    sources: { remote: { settings: { headers: freshEtag ? { 'If-Match': freshEtag } : {} } } },
  });
  step('edited attributes');

  // Relatives: replace, add, remove. The schema's inverse keeps kinship mutual in the store.
  const [replaced, replacement] = PLAN.replaceRelativesOf;
  await memory.update((t) => t.replaceRelatedRecords(
    citizen(replaced), 'relatives', replacement.map(citizen),
  ));
  const [grown, added] = PLAN.addRelativesTo;
  await memory.update((t) => added.map((id) => t.addToRelatedRecords(
    citizen(grown), 'relatives', citizen(id),
  )));
  const [shrunk, removed] = PLAN.removeRelativesFrom;
  await memory.update((t) => removed.map((id) => t.removeFromRelatedRecords(
    citizen(shrunk), 'relatives', citizen(id),
  )));
  step('replaced, added and removed relatives');

  // Add a citizen to the import, then trash another.
  const { relatives, birth_date: born, ...attributes } = PLAN.added;
  await memory.update((t) => t.addRecord({
    type: 'citizens',
    attributes: { ...attributes, birth_date: new Date(`${born}T00:00`) },
    relationships: {
      import: { data: theImport },
      relatives: { data: relatives.map(citizen) },
    },
  }));
  await memory.update((t) => t.removeRecord(citizen(PLAN.trashed)));
  step('added a citizen and trashed one');

  // Both aggregates, read through the import's relationships.
  const birthdays = await memory.query((q) => q.findRelatedRecord(theImport, 'birthdays'), {
    fullResponse: true,
  });
  const stats = await memory.query((q) => q.findRelatedRecords(theImport, 'town-age-stats'), {
    fullResponse: true,
  });
  const aggregates = {
    birthdays: birthdays.data.attributes.months,
    townAgeStats: stats.data.map(({ attributes: a }) => ({
      town: a.town, p50: a.p50, p75: a.p75, p99: a.p99,
    })),
    asOf: fromServer(stats).document.meta.as_of,
    citizens: snapshot(memory, keyMap).citizens,
  };
  step('read both aggregates');

  // As an admin: the import's trash, then restore what is in it.
  const trash = await memory.query(
    (q) => q.findRelatedRecords(theImport, 'citizens').page({ offset: 0, limit: 100 }),
    { ...asAdmin({ only_trashed: true }), fullResponse: true },
  );
  const trashed = fromServer(trash).document.data.map((resource) => resource.id);
  for (const record of trash.sources.remote.data) {
    await memory.update((t) => t.replaceAttribute(record, 'deleted_at', null),
      asAdmin({ with_trashed: true }));
  }
  step(`restored ${trashed.join(', ')}`);

  await memory.query((q) => q.findRecord(theImport)); // the import's counters, as they are now
  return { importId, log, conflict, trashed, aggregates, store: snapshot(memory, keyMap) };
}

function editedAttributes() {
  const { birthDate, ...attributes } = PLAN.edit;
  return { ...attributes, birth_date: dateOf(birthDate) };
}

// The edit with the ETag read before the second client's: the server must refuse it (412),
// and the store must not change. Orbit then holds the failed request at the head of both
// request queues, as it does after any refused request, until the app skips it.
async function staleEdit(memory, remote, record, etag, snapshotNow) {
  const before = snapshotNow();
  const conflict = { etag, status: null, detail: null };
  try {
    await memory.update((t) => t.updateRecord({ ...record, attributes: editedAttributes() }), {
      sources: { remote: { settings: { headers: etag ? { 'If-Match': etag } : {} } } },
    });
  } catch (error) {
    conflict.status = error.response?.status ?? String(error);
    conflict.detail = error.data?.errors?.[0]?.detail ?? null;
    await remote.requestQueue.skip();
    await memory.requestQueue.skip();
  }
  conflict.storeUnchanged = sameJSON(before, snapshotNow());
  return conflict;
}

// The store, in session.js's common shape, by the API's ids.
function snapshot(memory, keyMap) {
  const remoteId = ({ type, id }) => keyMap.idToKey(type, 'remoteId', id);
  const value = (type, v) => {
    if (v instanceof Date) return type === 'date' ? ymd(v) : v.toISOString();
    return v ?? null;
  };
  const fields = (record, names) => Object.fromEntries(names.map((name) => [
    name, value(schema.getModel(record.type).attributes[name].type, record.attributes?.[name]),
  ]));
  const citizens = {};
  for (const record of memory.cache.query((q) => q.findRecords('citizens'))) {
    citizens[remoteId(record)] = normalCitizen({
      attributes: fields(record, CITIZEN_ATTRIBUTES),
      relatives: (record.relationships?.relatives?.data ?? []).map(remoteId),
      importId: record.relationships?.import?.data ? remoteId(record.relationships.import.data)
        : null,
    });
  }
  const imports = {};
  for (const record of memory.cache.query((q) => q.findRecords('imports'))) {
    imports[remoteId(record)] = fields(record, IMPORT_ATTRIBUTES);
  }
  return { imports, citizens };
}
