// The console's screens: the trash, one import with its citizens, one citizen.
// Each reads what it shows from the API when it is shown, and acts with If-Match on what it read.
// A screen draws through its `view` (console.js), which ignores it once another screen is asked.

import { call, restoreDocument } from "./api.js";
import { badge, facts, h, loading, row, table } from "./dom.js";
import { plural, purgeIn, when } from "./words.js";

const PAGE_SIZE = 50;

export async function trashScreen(view, session) {
  view.draw(...loading("Trash"));
  const list = (type) =>
    call(session.token, "GET", type, {
      params: { only_trashed: "true", sort: "-deleted_at", "page[size]": PAGE_SIZE },
    });
  let imports, citizens;
  try {
    [imports, citizens] = await Promise.all([list("imports"), list("citizens")]);
  } catch (error) {
    view.draw(h("h1", {}, "Trash"));
    return view.problem(error, "the trash");
  }
  const trashedAt = (resource) => [
    when(resource.attributes.deleted_at),
    resource.meta?.deleted_by ?? "—",
    purgeIn(resource.attributes.deleted_at, session.retentionDays),
  ];
  view.draw(
    h("h1", {}, "Trash"),
    h("p", { class: "help" },
      `Trashed records are invisible to the API's users until restored; the daily purge deletes those trashed more than ${plural(session.retentionDays, "day")} ago.`),
    listing(view, session, "Trashed imports", "imports", imports.document, "No import is in the trash.",
      ["Import", "Citizens", "Trashed", "By", "Purged"],
      (resource) => row(link(resource, `Import ${resource.id}`), String(resource.attributes.citizens_count), ...trashedAt(resource))),
    listing(view, session, "Trashed citizens", "citizens", citizens.document, "No citizen is in the trash.",
      ["Citizen", "Name", "Import", "Trashed", "By", "Purged"],
      (resource) => row(
        link(resource, `Citizen ${resource.attributes.citizen_id}`),
        resource.attributes.name,
        h("a", { href: `#/imports/${importOf(resource)}` }, `Import ${importOf(resource)}`),
        ...trashedAt(resource),
      )),
  );
}

export async function importScreen(view, session, id) {
  view.draw(...loading(`Import ${id}`));
  const path = `imports/${id}/citizens`;
  let found, citizens;
  try {
    [found, citizens] = await Promise.all([
      call(session.token, "GET", `imports/${id}`, { params: { with_trashed: "true" } }),
      call(session.token, "GET", path, { params: { with_trashed: "true", "page[size]": PAGE_SIZE } }),
    ]);
  } catch (error) {
    view.draw(h("h1", {}, `Import ${id}`));
    return view.problem(error, `import ${id}`);
  }
  const record = found.document.data;
  const count = record.attributes.citizens_count;
  const hidden = Boolean(record.attributes.deleted_at); // its live citizens are hidden with it
  view.draw(
    h("h1", {}, `Import ${id}`),
    facts([
      ["Status", status(record, session)],
      ["Created", when(record.attributes.created_at)],
      ["Citizens", String(count)],
      ["Data version", String(record.attributes.data_version)],
    ]),
    actions(view, session, record, found.etag, `import ${id}`, {
      consequence: count
        ? `Its ${plural(count, "citizen")}, trashed ones included, and all their kinship go with it.`
        : "It has no citizens.",
      after: "#/trash",
    }),
    listing(view, session, "Citizens", path, citizens.document, "This import has no citizens.",
      ["Citizen", "Status", "Name", "Town", "Birth date"],
      (resource) => row(
        link(resource, `Citizen ${resource.attributes.citizen_id}`),
        citizenBadge(resource, hidden),
        resource.attributes.name,
        resource.attributes.town,
        resource.attributes.birth_date,
      )),
  );
}

export async function citizenScreen(view, session, id) {
  const [importId, citizenId] = id.split(".");
  const what = `citizen ${citizenId} of import ${importId}`;
  view.draw(...loading(`Citizen ${citizenId}`));
  let found, parent;
  try {
    [found, parent] = await Promise.all([
      call(session.token, "GET", `citizens/${id}`, {
        params: { with_trashed: "true", include: "relatives" },
      }),
      call(session.token, "GET", `imports/${importId}`, { params: { with_trashed: "true" } }),
    ]);
  } catch (error) {
    view.draw(h("h1", {}, `Citizen ${citizenId}`));
    return view.problem(error, what);
  }
  const record = found.document.data;
  const { attributes } = record;
  const hidden = Boolean(parent.document.data.attributes.deleted_at);
  const relatives = found.document.included ?? [];
  const self = record.relationships.relatives.data.some((linkage) => linkage.id === record.id);
  const kin = relatives.length + (self ? 1 : 0);
  view.draw(
    h("h1", {}, `Citizen ${citizenId}: ${attributes.name}`),
    facts([
      ["Status", status(record, session)],
      ["Import", h("span", {}, h("a", { href: `#/imports/${importId}` }, `Import ${importId}`),
        hidden ? " (trashed: its citizens are hidden until it is restored)" : "")],
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
    actions(view, session, record, found.etag, what, {
      consequence: kin
        ? `Their kinship with ${plural(kin, "relative")} goes with them, on both sides.`
        : "They have no relatives.",
      after: `#/imports/${importId}`,
      restored: hidden ? ` It stays hidden until import ${importId} is restored.` : "",
    }),
  );
}

/** Restore (when trashed) and delete for good, each acting only on the version shown (If-Match).
 * Both buttons wait while one of them is at work, so nothing is sent twice. */
function actions(view, session, record, etag, what, { consequence, after, restored = "" }) {
  const target = `${record.type}/${record.id}`;
  const buttons = [];
  const busy = async (work) => {
    buttons.forEach((button) => { button.disabled = true; });
    try {
      await work();
    } catch (error) {
      view.problem(error, what);
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
    }
  };
  const restore = () => busy(async () => {
    await call(session.token, "PATCH", target, {
      params: { with_trashed: "true" }, body: restoreDocument(record), ifMatch: etag,
    });
    session.go(location.hash, `Restored ${what}.${restored}`);
  });
  const purge = () => busy(async () => {
    const confirmed = await confirm(`Delete ${what} for good?`,
      `${consequence} This cannot be undone.`, `Delete ${what} for good`);
    if (!confirmed) return;
    await call(session.token, "DELETE", target, { params: { permanent: "true" }, ifMatch: etag });
    session.go(after, `Deleted ${what} for good.`);
  });
  if (record.attributes.deleted_at) {
    buttons.push(h("button", { type: "button", onclick: restore }, `Restore ${what}`));
  }
  buttons.push(h("button", { type: "button", class: "danger", onclick: purge }, `Delete ${what} for good`));
  return h("div", { class: "actions" }, buttons);
}

/** Ask in the page's modal dialog; resolve to whether the admin confirmed. */
function confirm(title, text, action) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-button").textContent = action;
  dialog.returnValue = ""; // Escape must never read the last dialog's answer
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}

/** A collection as a table with a "Show more" button for the next page. The page's query comes
 * from `links.next` and goes to `path`, the URL the console itself knows: behind a proxy the
 * service's own links may not name the prefix the console was reached by. */
function listing(view, session, title, path, document, empty, headings, toRow) {
  const heading = h("h2", {}, `${title} (${document.meta.count})`);
  if (!document.data.length) return h("section", {}, heading, h("p", { class: "empty" }, empty));
  const body = table(title, headings, document.data.map(toRow));
  const more = h("button", { type: "button", class: "more" }, "Show more");
  let next = document.links.next;
  more.hidden = !next;
  more.addEventListener("click", async () => {
    more.disabled = true;
    more.textContent = "Loading…";
    try {
      const page = await call(session.token, "GET", `${path}${new URL(next).search}`);
      const rows = page.document.data.map(toRow);
      body.querySelector("tbody").append(...rows);
      next = page.document.links.next;
      if (!next) rows[0]?.querySelector("a")?.focus(); // the button goes: keep the focus here
      more.hidden = !next;
    } catch (error) {
      view.problem(error, title.toLowerCase());
    } finally {
      more.disabled = false;
      more.textContent = "Show more";
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

function citizenBadge(citizen, importHidden) {
  if (citizen.attributes.deleted_at || !importHidden) return badge(citizen.attributes.deleted_at);
  return h("span", { class: "badge" }, "Hidden with the import");
}

function status(record, session) {
  const { deleted_at: deletedAt } = record.attributes;
  if (!deletedAt) return badge(false);
  return h("span", {}, badge(true),
    ` since ${when(deletedAt)} by ${record.meta?.deleted_by ?? "—"}; purged ${purgeIn(deletedAt, session.retentionDays)}`);
}
