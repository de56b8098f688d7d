// A tiny element builder: the page never assigns HTML strings, so response
// data and manifest text can never become markup.

/**
 * Create an element.
 * @param {string} tag
 * @param {Record<string, unknown>} [props] attributes; `on` maps event names to
 *   handlers; `true` sets a boolean attribute; `false`, null and undefined skip it.
 * @param {...(Node|string|number|null|undefined|false|Array<unknown>)} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else if (value !== false && value !== null && value !== undefined) {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

/** Append children (nested arrays, strings, numbers and nodes; falsy skipped). */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

/** Replace every child of `parent`. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

let counter = 0;

/** A document-unique id with a readable prefix. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

const ACRONYMS = { id: "ID", sla: "SLA", url: "URL" };

/** `assigned_to_id` -> "Assigned to ID", `sla_policy` -> "SLA policy", for labels. */
export function humanize(name) {
  const words = name.split("_").map((w) => ACRONYMS[w] ?? w);
  const first = words[0] ?? "";
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(" ");
}
