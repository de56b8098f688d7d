// Rendering a response: status, duration, headers, a readable problem
// (RFC 9457) and the pretty-printed JSON body.

import { h } from "./dom.js";

/** JSON as nodes with classes for colouring (never as HTML). */
export function jsonNodes(value, indent = "") {
  if (value === null) return [h("span", { class: "j-lit" }, "null")];
  if (typeof value === "boolean") return [h("span", { class: "j-lit" }, String(value))];
  if (typeof value === "number") return [h("span", { class: "j-num" }, String(value))];
  if (typeof value === "string") return [h("span", { class: "j-str" }, JSON.stringify(value))];
  const isArray = Array.isArray(value);
  const entries = isArray ? value.map((v) => [null, v]) : Object.entries(value);
  const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
  if (!entries.length) return [open + close];
  const inner = `${indent}  `;
  const nodes = [`${open}\n`];
  entries.forEach(([key, item], i) => {
    nodes.push(inner);
    if (key !== null) nodes.push(h("span", { class: "j-key" }, JSON.stringify(key)), ": ");
    nodes.push(...jsonNodes(item, inner), i < entries.length - 1 ? ",\n" : "\n");
  });
  nodes.push(indent + close);
  return nodes;
}

function statusClass(status) {
  if (status < 300) return "ok";
  if (status < 500) return "client-error";
  return "server-error";
}

export function isProblem(response) {
  const body = response.body;
  return (
    response.status >= 400 &&
    body !== null &&
    typeof body === "object" &&
    ("detail" in body || "title" in body)
  );
}

const STATUS_HINTS = {
  401: "Paste a bearer token into the Token field at the top of the page (or mint a dev token).",
};

/** The problem's detail and each field error, as a person reads them. */
function problemView(problem, hint) {
  const errors = Array.isArray(problem.errors) ? problem.errors : [];
  return h(
    "div",
    { class: "problem", role: "alert" },
    h(
      "p",
      { class: "problem-title" },
      problem.title ?? "Error",
      problem.code ? h("code", {}, problem.code) : null,
    ),
    problem.detail ? h("p", { class: "problem-detail" }, problem.detail) : null,
    hint ? h("p", { class: "problem-hint" }, hint) : null,
    errors.length
      ? h(
          "ul",
          { class: "problem-errors", "aria-label": "Field errors" },
          errors.map((e) =>
            h(
              "li",
              {},
              h("code", { class: "problem-field" }, e.field ?? "(body)"),
              h("span", {}, e.message ?? e.code ?? ""),
            ),
          ),
        )
      : null,
  );
}

/**
 * The response section's content.
 * @param {import("./request.js").ApiResponse} response
 * @param {{onNextPage?: () => void}} actions
 */
export function responseView(response, { onNextPage }) {
  const summary = h(
    "div",
    { class: "response-summary" },
    h(
      "span",
      { class: `status ${statusClass(response.status)}`, "data-testid": "response-status" },
      `${response.status} ${response.statusText}`.trim(),
    ),
    h("span", { class: "duration" }, `${response.ms} ms`),
  );
  const headers = response.headers.length
    ? h(
        "dl",
        { class: "response-headers", "aria-label": "Response headers" },
        response.headers.map(([name, value]) => [
          h("dt", {}, name),
          h("dd", {}, h("code", {}, value)),
        ]),
      )
    : null;
  const body = response.body;
  const next =
    onNextPage && body && typeof body === "object" && body.has_more
      ? h("button", { type: "button", class: "secondary", on: { click: onNextPage } }, "Next page")
      : null;
  const pretty = typeof body === "string" ? body : jsonNodes(body);
  return [
    summary,
    isProblem(response) ? problemView(body, STATUS_HINTS[response.status]) : null,
    headers,
    h(
      "pre",
      { class: "code-block json", tabindex: "0", "aria-label": "Response body" },
      h("code", {}, pretty),
    ),
    next ? h("div", { class: "pager" }, next) : null,
  ];
}

/** A request that never got a response (server down, CORS, offline). */
export function networkErrorView(error) {
  return h(
    "div",
    { class: "problem", role: "alert" },
    h("p", { class: "problem-title" }, "The request failed before a response arrived"),
    h("p", { class: "problem-detail" }, String(error?.message ?? error)),
  );
}
