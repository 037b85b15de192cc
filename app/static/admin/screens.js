// The console's screens: the trash, one import with its citizens, one citizen.
// Each reads what it shows from the API when it is shown, and acts with If-Match on what it read.

import { call, restoreDocument } from "./api.js";
import { badge, facts, h, loading, row, table } from "./dom.js";
import { plural, purgeIn, when } from "./words.js";

const PAGE_SIZE = "50";

export async function trashScreen(main, session) {
  main.replaceChildren(...loading("Trash"));
  const list = (type) =>
    call(session.token, "GET", type, {
      params: { only_trashed: "true", sort: "-deleted_at", "page[size]": PAGE_SIZE },
    });
  let imports, citizens;
  try {
    [imports, citizens] = await Promise.all([list("imports"), list("citizens")]);
  } catch (error) {
    main.replaceChildren(h("h1", {}, "Trash"));
    return session.problem(error, "the trash");
  }
  const trashedAt = (resource) => [
    when(resource.attributes.deleted_at),
    resource.meta?.deleted_by ?? "—",
    purgeIn(resource.attributes.deleted_at, session.retentionDays),
  ];
  main.replaceChildren(
    h("h1", {}, "Trash"),
    h("p", { class: "help" },
      `Trashed records are invisible to the API's users until restored; the daily purge deletes those trashed more than ${plural(session.retentionDays, "day")} ago.`),
    listing(session, "Trashed imports", imports.document, "No import is in the trash.",
      ["Import", "Citizens", "Trashed", "By", "Purged"],
      (resource) => row(link(resource, `Import ${resource.id}`), String(resource.attributes.citizens_count), ...trashedAt(resource))),
    listing(session, "Trashed citizens", citizens.document, "No citizen is in the trash.",
      ["Citizen", "Name", "Import", "Trashed", "By", "Purged"],
      (resource) => row(
        link(resource, `Citizen ${resource.attributes.citizen_id}`),
        resource.attributes.name,
        h("a", { href: `#/imports/${importOf(resource)}` }, `Import ${importOf(resource)}`),
        ...trashedAt(resource),
      )),
  );
}

export async function importScreen(main, session, id) {
  main.replaceChildren(...loading(`Import ${id}`));
  let found, citizens;
  try {
    [found, citizens] = await Promise.all([
      call(session.token, "GET", `imports/${id}`, { params: { with_trashed: "true" } }),
      call(session.token, "GET", `imports/${id}/citizens`, {
        params: { with_trashed: "true", "page[size]": PAGE_SIZE },
      }),
    ]);
  } catch (error) {
    main.replaceChildren(h("h1", {}, `Import ${id}`));
    return session.problem(error, `import ${id}`);
  }
  const record = found.document.data;
  const count = record.attributes.citizens_count;
  main.replaceChildren(
    h("h1", {}, `Import ${id}`),
    facts([
      ["Status", status(record, session)],
      ["Created", when(record.attributes.created_at)],
      ["Citizens", String(count)],
      ["Data version", String(record.attributes.data_version)],
    ]),
    actions(session, record, found.etag, `import ${id}`, {
      consequence: `Its ${plural(count, "citizen")}, trashed ones included, and all their kinship go with it.`,
      after: "#/trash",
    }),
    listing(session, "Citizens", citizens.document, "This import has no citizens.",
      ["Citizen", "Name", "Town", "Birth date", "Status"],
      (resource) => row(
        link(resource, `Citizen ${resource.attributes.citizen_id}`),
        resource.attributes.name,
        resource.attributes.town,
        resource.attributes.birth_date,
        badge(resource.attributes.deleted_at),
      )),
  );
}

export async function citizenScreen(main, session, id) {
  const [importId, citizenId] = id.split(".");
  const what = `citizen ${citizenId} of import ${importId}`;
  main.replaceChildren(...loading(`Citizen ${citizenId}`));
  let found;
  try {
    found = await call(session.token, "GET", `citizens/${id}`, {
      params: { with_trashed: "true", include: "relatives" },
    });
  } catch (error) {
    main.replaceChildren(h("h1", {}, `Citizen ${citizenId}`));
    return session.problem(error, what);
  }
  const record = found.document.data;
  const { attributes } = record;
  const relatives = found.document.included ?? [];
  const self = record.relationships.relatives.data.some((linkage) => linkage.id === record.id);
  const kin = relatives.length + (self ? 1 : 0);
  main.replaceChildren(
    h("h1", {}, `Citizen ${citizenId}: ${attributes.name}`),
    facts([
      ["Status", status(record, session)],
      ["Import", h("a", { href: `#/imports/${importId}` }, `Import ${importId}`)],
      ["Town", attributes.town],
      ["Address", `${attributes.street}, ${attributes.building}, apartment ${attributes.apartment}`],
      ["Birth date", attributes.birth_date],
      ["Gender", attributes.gender],
      ["Relatives", kin ? h("ul", { class: "relatives" }, [
        self ? h("li", {}, "Themselves") : null,
        relatives.map((relative) => h("li", {},
          link(relative, `Citizen ${relative.attributes.citizen_id}: ${relative.attributes.name}`), " ",
          badge(relative.attributes.deleted_at))),
      ]) : "None"],
    ]),
    actions(session, record, found.etag, what, {
      consequence: `Their kinship with ${plural(kin, "relative")} goes with them, on both sides.`,
      after: `#/imports/${importId}`,
    }),
  );
}

/** Restore (when trashed) and delete for good, each acting only on the version shown (If-Match). */
function actions(session, record, etag, what, { consequence, after }) {
  const target = `${record.type}/${record.id}`;
  const restore = async () => {
    try {
      await call(session.token, "PATCH", target, {
        params: { with_trashed: "true" }, body: restoreDocument(record), ifMatch: etag,
      });
      session.go(location.hash, `Restored ${what}.`);
    } catch (error) {
      session.problem(error, what);
    }
  };
  const purge = async () => {
    const confirmed = await confirm(`Delete ${what} for good?`,
      `${consequence} This cannot be undone.`, `Delete ${what} for good`);
    if (!confirmed) return;
    try {
      await call(session.token, "DELETE", target, { params: { permanent: "true" }, ifMatch: etag });
      session.go(after, `Deleted ${what} for good.`);
    } catch (error) {
      session.problem(error, what);
    }
  };
  return h("div", { class: "actions" },
    record.attributes.deleted_at ? h("button", { type: "button", onclick: restore }, `Restore ${what}`) : null,
    h("button", { type: "button", class: "danger", onclick: purge }, `Delete ${what} for good`));
}

/** Ask in the page's modal dialog; resolve to whether the admin confirmed. */
function confirm(title, text, action) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-button").textContent = action;
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}

/** A collection as a table with a "Show more" button that follows `links.next`. */
function listing(session, title, document, empty, headings, toRow) {
  const heading = h("h2", {}, `${title} (${document.meta.count})`);
  if (!document.data.length) return h("section", {}, heading, h("p", { class: "empty" }, empty));
  const rows = document.data.map(toRow);
  const body = table(title, headings, rows);
  const more = h("button", { type: "button", class: "more" }, "Show more");
  let next = document.links.next;
  more.hidden = !next;
  more.addEventListener("click", async () => {
    try {
      const page = await call(session.token, "GET", next);
      body.querySelector("tbody").append(...page.document.data.map(toRow));
      next = page.document.links.next;
      more.hidden = !next;
    } catch (error) {
      session.problem(error, title.toLowerCase());
    }
  });
  return h("section", {}, heading, body, more);
}

function link(resource, text) {
  return h("a", { href: `#/${resource.type}/${resource.id}` }, text);
}

function importOf(citizen) {
  return citizen.id.split(".")[0];
}

function status(record, session) {
  const { deleted_at: deletedAt } = record.attributes;
  if (!deletedAt) return badge(false);
  return h("span", {}, badge(true),
    ` since ${when(deletedAt)} by ${record.meta?.deleted_by ?? "—"}; purged ${purgeIn(deletedAt, session.retentionDays)}`);
}
