// The console's frame: who is signed in, which screen is shown, and what the admin is told.

import { call } from "./api.js";
import { h } from "./dom.js";
import { citizenScreen, importScreen, trashScreen } from "./screens.js";
import { explain } from "./words.js";

// Kept for the tab only (sessionStorage, never a cookie): closing the tab signs out.
const TOKEN_KEY = "citizens-analyzer.admin-token";
const main = document.getElementById("main");
const ROUTE = /^#\/(imports|citizens)\/([0-9.]+)$/; // #/imports/7, #/citizens/7.42; else the trash
// Worth another try as they are: the record changed or went, the service was away or busy.
const RETRIED = { 0: "Try again", 404: "Reload", 412: "Reload", 429: "Try again" };
let pendingNotice = ""; // what to tell once the next screen is shown
let shown = 0; // how many screens were asked for: only the latest may draw

/** What every screen works with: the token, its caller, and what to tell the admin. */
const session = {
  token: sessionStorage.getItem(TOKEN_KEY),
  caller: null, // {name, role}
  retentionDays: null,
  /** Say that something went well (the notice is polite: read after what is being read). */
  tell(text) {
    document.getElementById("notice").textContent = text;
  },
  /** Show the screen of `hash`, with `notice` told once it is there. */
  go(hash, notice = "") {
    pendingNotice = notice;
    if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = hash;
  },
};

/** One showing of a screen. It draws only while it is the latest: a slow load that ends after
 * the admin went elsewhere draws nothing. */
function newView() {
  const generation = ++shown;
  const current = () => generation === shown;
  return {
    draw(...nodes) {
      if (current()) main.replaceChildren(...nodes);
    },
    problem(error, what) {
      if (current()) showProblem(error, what);
    },
  };
}

/** What went wrong, at the top of the screen where it is seen, with a way to try again. */
function showProblem(error, what) {
  if (error.status === 401) return expire(explain(error));
  const retry = RETRIED[error.status] ?? (error.status >= 500 ? "Try again" : null);
  const box = main.querySelector(".problem") ?? h("div", { class: "problem", tabindex: "-1" });
  const again = retry ? [h("button", { type: "button", onclick: () => showAndFocus() }, retry)] : [];
  box.replaceChildren(h("p", { role: "alert" }, explain(error, what, session.caller)), ...again);
  const heading = main.querySelector("h1");
  if (heading) heading.after(box);
  else main.prepend(box);
  box.scrollIntoView({ block: "nearest" });
  box.focus();
}

async function signIn(token) {
  const { document: root } = await call(token, "GET", "");
  const caller = root.meta.caller;
  if (!caller) throw Object.assign(new Error("no caller"), { status: 401 });
  Object.assign(session, { token, caller, retentionDays: root.meta.trash_retention_days });
  sessionStorage.setItem(TOKEN_KEY, token);
  document.getElementById("who-name").textContent = caller.name;
  document.getElementById("who-role").textContent = caller.role;
  document.getElementById("who").hidden = false;
  document.getElementById("menu").hidden = false;
}

/** Forget the token (signed out, or refused by the service) and ask for one. */
function forget() {
  sessionStorage.removeItem(TOKEN_KEY);
  Object.assign(session, { token: null, caller: null });
  document.getElementById("who").hidden = true;
  document.getElementById("menu").hidden = true;
}

function expire(message) {
  forget();
  newView(); // whatever was loading draws nothing now
  signInScreen(message);
}

function signInScreen(message = "") {
  const input = h("input", {
    id: "token", name: "token", type: "password", autocomplete: "off", required: true,
    "aria-describedby": "token-help",
  });
  const failure = h("p", { role: "alert", class: "problem-text" }, message);
  const wanted = ROUTE.test(location.hash) ? location.hash : "#/trash"; // a deep link survives
  const form = h(
    "form",
    {
      class: "sign-in",
      onsubmit: async (event) => {
        event.preventDefault();
        failure.textContent = "";
        const token = input.value.trim();
        if (!token) {
          failure.textContent = "Paste a token first.";
          return input.focus();
        }
        try {
          await signIn(token);
          session.go(wanted, `Signed in as ${session.caller.name}.`);
        } catch (error) {
          failure.textContent = explain(error);
          input.focus();
        }
      },
    },
    h("label", { for: "token" }, "API token"),
    input,
    h("p", { id: "token-help", class: "help" },
      "Paste an admin token. An operator creates one with ",
      h("code", {}, "python manage.py tokens create NAME --role admin"),
      ". It stays in this tab only."),
    h("button", { type: "submit" }, "Sign in"),
    failure,
  );
  main.replaceChildren(h("h1", {}, "Sign in"), form);
  input.focus();
}

/** Show the screen the URL's fragment names: #/trash, #/imports/7, #/citizens/7.42. */
async function show() {
  if (!session.token || !session.caller) return signInScreen();
  const [, kind, id] = location.hash.match(ROUTE) ?? [];
  const view = newView();
  main.setAttribute("aria-busy", "true");
  try {
    if (kind === "imports") await importScreen(view, session, id);
    else if (kind === "citizens") await citizenScreen(view, session, id);
    else await trashScreen(view, session);
  } finally {
    main.removeAttribute("aria-busy");
  }
}

async function showAndFocus() {
  await show();
  // On the new screen's content, unless the screen put the focus in it itself.
  if (!main.contains(document.activeElement)) main.focus();
}

async function start() {
  document.getElementById("sign-out").addEventListener("click", () => {
    forget();
    session.go("#/sign-in", "Signed out.");
  });
  document.getElementById("open-import").addEventListener("submit", (event) => {
    event.preventDefault();
    session.go(`#/imports/${event.target.elements.id.value}`);
  });
  // The skip link moves the focus only: the fragment names the screen, and stays.
  document.querySelector(".skip").addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
  window.addEventListener("hashchange", async () => {
    if (location.hash && !location.hash.startsWith("#/")) return; // not a screen's
    const notice = pendingNotice;
    pendingNotice = "";
    session.tell("");
    await showAndFocus();
    session.tell(notice);
  });
  if (session.token) {
    try {
      await signIn(session.token);
    } catch (error) {
      // Only a refused token is forgotten: an outage at reload keeps the admin signed in.
      if (error.status === 401) return expire(explain(error));
      return signInScreen(explain(error));
    }
  }
  await show();
}

start();
