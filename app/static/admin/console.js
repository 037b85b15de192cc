// The console's frame: who is signed in, which screen is shown, and what the admin is told.

import { call } from "./api.js";
import { h } from "./dom.js";
import { citizenScreen, importScreen, trashScreen } from "./screens.js";
import { explain } from "./words.js";

// Kept for the tab only (sessionStorage, never a cookie): closing the tab signs out.
const TOKEN_KEY = "citizens-analyzer.admin-token";
const main = document.getElementById("main");
let pendingNotice = ""; // what to tell once the next screen is shown

/** What every screen works with: the token, its caller, and what to tell the admin. */
const session = {
  token: sessionStorage.getItem(TOKEN_KEY),
  caller: null, // {name, role}
  retentionDays: null,
  /** Say that something went well (the notice is polite: read after what is being read). */
  tell(text) {
    document.getElementById("notice").textContent = text;
  },
  /** Show what went wrong in the screen, with a way to see the record as it is now. */
  problem(error, what) {
    const box = main.querySelector(".problem") ?? main.appendChild(h("div", { class: "problem" }));
    box.replaceChildren(
      h("p", { role: "alert" }, explain(error, what, session.caller)),
      [404, 412].includes(error.status) ? h("button", { type: "button", onclick: show }, "Reload") : null,
    );
  },
  /** Show the screen of `hash`, with `notice` told once it is there. */
  go(hash, notice = "") {
    pendingNotice = notice;
    if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = hash;
  },
};

async function signIn(token) {
  const { document: root } = await call(token, "GET", "");
  session.token = token;
  session.caller = root.meta.caller;
  session.retentionDays = root.meta.trash_retention_days;
  sessionStorage.setItem(TOKEN_KEY, token);
  document.getElementById("who-name").textContent = session.caller.name;
  document.getElementById("who-role").textContent = session.caller.role;
  document.getElementById("who").hidden = false;
  document.getElementById("menu").hidden = false;
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  Object.assign(session, { token: null, caller: null });
  document.getElementById("who").hidden = true;
  document.getElementById("menu").hidden = true;
  session.go("#/sign-in", "Signed out.");
}

function signInScreen(message = "") {
  const input = h("input", {
    id: "token", name: "token", type: "password", autocomplete: "off", required: true,
    "aria-describedby": "token-help",
  });
  const failure = h("p", { role: "alert", class: "problem-text" }, message);
  const form = h(
    "form",
    {
      class: "sign-in",
      onsubmit: async (event) => {
        event.preventDefault();
        failure.textContent = "";
        try {
          await signIn(input.value.trim());
          session.go("#/trash", `Signed in as ${session.caller.name}.`);
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
  const [, kind, id] = location.hash.match(/^#\/(imports|citizens)\/([0-9.]+)$/) ?? [];
  main.setAttribute("aria-busy", "true");
  try {
    if (kind === "imports") await importScreen(main, session, id);
    else if (kind === "citizens") await citizenScreen(main, session, id);
    else await trashScreen(main, session);
  } finally {
    main.removeAttribute("aria-busy");
  }
}

async function start() {
  document.getElementById("sign-out").addEventListener("click", signOut);
  document.getElementById("open-import").addEventListener("submit", (event) => {
    event.preventDefault();
    session.go(`#/imports/${event.target.elements.id.value}`);
  });
  window.addEventListener("hashchange", async () => {
    const notice = pendingNotice;
    pendingNotice = "";
    session.tell("");
    await show();
    main.focus();
    session.tell(notice);
  });
  if (session.token) {
    try {
      await signIn(session.token);
    } catch (error) {
      sessionStorage.removeItem(TOKEN_KEY);
      session.token = null;
      return signInScreen(explain(error));
    }
  }
  await show();
}

start();
