// Building the page: elements from data, always as text (never parsed as HTML).

/** h("a", {href: "#/x"}, "text", child): an element with attributes and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined));
  return element;
}

/** A table in a region that scrolls sideways on a narrow screen and can be reached by keyboard. */
export function table(label, headings, rows) {
  return h(
    "div",
    { class: "scroll", role: "region", "aria-label": label, tabindex: "0" },
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, headings.map((heading) => h("th", { scope: "col" }, heading)))),
      h("tbody", {}, rows),
    ),
  );
}

export function row(...cells) {
  return h("tr", {}, cells.map((cell) => h("td", {}, cell)));
}

/** A <dl> of [term, description] pairs. */
export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

export function badge(trashed) {
  return trashed ? h("span", { class: "badge trashed" }, "Trashed") : h("span", { class: "badge" }, "Live");
}

export function loading(title) {
  return [h("h1", {}, title), h("p", { class: "loading" }, "Loading…")]; // main is aria-busy
}
