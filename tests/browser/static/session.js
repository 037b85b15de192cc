// What both SPAs do, in the same order and with the same data, so their stores can be held to
// the same server state. Only the client code (orbit-spa.js, kitsu-spa.js) differs.

const citizen = (citizen_id, town, birth_date, gender, relatives) => ({
  citizen_id, town, street: 'Льва Толстого', building: '16к7стр5', apartment: citizen_id,
  name: `Житель Номер ${citizen_id}`, birth_date, gender, relatives,
});

// Ten citizens in two towns; kinship is mutual, as the API requires.
export const CITIZENS = [
  citizen(1, 'Москва', '1986-12-26', 'male', [2, 3]),
  citizen(2, 'Москва', '1997-04-17', 'male', [1, 4]),
  citizen(3, 'Москва', '1990-02-28', 'female', [1]),
  citizen(4, 'Керчь', '2001-07-01', 'female', [2]),
  citizen(5, 'Керчь', '1975-01-31', 'male', [6]),
  citizen(6, 'Керчь', '1969-10-10', 'female', [5]),
  citizen(7, 'Москва', '2004-02-29', 'male', []),
  citizen(8, 'Керчь', '1959-05-05', 'female', [9]),
  citizen(9, 'Москва', '1999-09-09', 'male', [8, 10]),
  citizen(10, 'Москва', '1988-08-08', 'female', [9]),
];

// Three pages of 4, 4 and 2 citizens: paging has to follow the links to the end.
export const PAGE_LIMIT = 4;

// The session's plan, by citizen_id within the new import.
export const PLAN = {
  edited: 1, // read, raced by a second client, then edited
  edit: { town: 'Керчь', apartment: 12, name: 'Иванова Мария Петровна', birthDate: [1990, 2, 28] },
  rivalEdit: { street: 'Иосифа Бродского' }, // what the second client writes meanwhile
  replaceRelativesOf: [1, [4, 5]], // 1's relatives become exactly 4 and 5
  addRelativesTo: [2, [6, 7]],
  removeRelativesFrom: [5, [6]],
  added: { ...citizen(11, 'Керчь', '1990-06-15', 'female', undefined), relatives: [1, 9] },
  trashed: 4,
};

export const idOf = (importId, citizenId) => `${importId}.${citizenId}`;

// `[1990, 2, 28]` -> a local Date, as an SPA's date picker would give it.
export const dateOf = ([year, month, day]) => new Date(year, month - 1, day);

export const ymd = (date) =>
  [date.getFullYear(), date.getMonth() + 1, date.getDate()]
    .map((part, index) => String(part).padStart(index ? 2 : 4, '0'))
    .join('-');

// The second client: another editor, in another tab, with plain fetch. Its edit bumps the
// citizen's version, so the first client's If-Match (the ETag it read) no longer matches.
export async function rivalEdit(config, id, attributes) {
  const response = await fetch(`${config.api}/citizens/${id}`, {
    method: 'PATCH',
    headers: {
      Authorization: `Bearer ${config.tokens.rival}`,
      'Content-Type': 'application/vnd.api+json',
      Accept: 'application/vnd.api+json',
    },
    body: JSON.stringify({ data: { type: 'citizens', id, attributes } }),
  });
  if (response.status !== 200) throw new Error(`the rival edit got ${response.status}`);
}

// The shape both SPAs report their store in (and the test reads the server's state in):
// records by id, relationships as sorted ids, dates as the API writes them.
export function normalCitizen({ attributes, relatives, importId }) {
  return {
    ...Object.fromEntries(CITIZEN_ATTRIBUTES.map((name) => [name, attributes[name] ?? null])),
    relatives: [...relatives].sort(),
    import: importId,
  };
}

export const CITIZEN_ATTRIBUTES = [
  'citizen_id', 'town', 'street', 'building', 'apartment', 'name', 'birth_date', 'gender',
  'deleted_at',
];
export const IMPORT_ATTRIBUTES = ['created_at', 'citizens_count', 'data_version', 'deleted_at'];

export const sameJSON = (a, b) => JSON.stringify(a) === JSON.stringify(b);
