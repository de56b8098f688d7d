// One operation's panel: endpoint, the form generated from the manifest,
// Send, the response and the code for the request just built.

import { createControl } from "./controls.js";
import { h, humanize, replaceChildren, uid } from "./dom.js";
import {
  batchExample,
  bodyFieldSpecs,
  isBatch,
  pathParamNames,
  pathParamSpec,
  queryGroups,
  takesBody,
} from "./manifest.js";
import { isProblem, networkErrorView, responseView } from "./response.js";
import { onRecordId, recordKey, rememberRecord } from "./memory.js";
import { parseValue, send } from "./request.js";
import { SNIPPETS } from "./snippets.js";

const COPIED_FOR_MS = 1500;

function fieldset(legend, controls, note = null) {
  return h(
    "fieldset",
    { class: "params" },
    h("legend", {}, legend),
    note ? h("p", { class: "fieldset-note" }, note) : null,
    h(
      "div",
      { class: "field-grid" },
      controls.map((c) => c.element),
    ),
  );
}

/** Copy text; falls back to a selection copy where the Clipboard API is unavailable. */
async function copyText(text, pre) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    window.getSelection()?.selectAllChildren(pre);
    document.execCommand("copy");
  }
}

/** A Copy button for the text of `code` (shown in `pre`). */
function copyButton(label, code, pre) {
  const button = h("button", { type: "button", class: "copy", "aria-label": label }, "Copy");
  button.addEventListener("click", async () => {
    await copyText(code.textContent ?? "", pre);
    button.textContent = "Copied";
    setTimeout(() => {
      button.textContent = "Copy";
    }, COPIED_FOR_MS);
  });
  return button;
}

function snippetBlock({ name }) {
  const headingId = uid("snippet");
  const code = h("code", {});
  const pre = h("pre", { class: "code-block", tabindex: "0", "aria-labelledby": headingId }, code);
  const button = copyButton(`Copy ${name} code`, code, pre);
  const element = h(
    "div",
    { class: "snippet" },
    h("div", { class: "snippet-head" }, h("h4", { id: headingId }, name), button),
    pre,
  );
  return { element, code };
}

function snippetsSection(snippets) {
  return h(
    "section",
    { class: "snippets", "aria-label": "Code for this request" },
    h("h3", {}, "Code for this request"),
    h(
      "p",
      { class: "muted small" },
      "Each reads your token from the EDM_TOKEN environment variable.",
    ),
    snippets.map((s) => s.element),
  );
}

/**
 * The values a response alone shows (a new key's secret: the resource's
 * `revealed_fields`), each in a box with a Copy button and the warning that
 * it will not be shown again.
 */
function revealedView(res, op, response) {
  const body = response.body;
  if (!op.reveals || response.status >= 300 || typeof body !== "object" || !body) return [];
  return (res.revealed_fields ?? [])
    .filter((field) => typeof body[field.name] === "string")
    .map((field) => {
      const headingId = uid("revealed");
      const code = h("code", {}, body[field.name]);
      const pre = h(
        "pre",
        { class: "code-block", tabindex: "0", "aria-labelledby": headingId },
        code,
      );
      return h(
        "div",
        { class: "revealed", role: "status" },
        h(
          "div",
          { class: "snippet-head" },
          h("h4", { id: headingId }, `${humanize(field.name)} — shown only once`),
          copyButton(`Copy the ${field.name}`, code, pre),
        ),
        pre,
        h("p", { class: "revealed-note" }, field.notes),
      );
    });
}

/** A successful response carrying one record (worth remembering its id). */
function isRecord(op, response) {
  const body = response.body;
  return response.status < 300 && op.kind !== "list" && typeof body === "object" && body?.id;
}

/** A JSON body editor that can take over from the field form and hand back. */
class BodyEditor {
  /** `example`: a body only JSON can show (a batch's), edited as JSON from the start. */
  constructor(controls, example = null) {
    this.controls = controls;
    this.raw = false;
    const id = uid("raw-body");
    this.textarea = h("textarea", {
      id,
      class: "raw-json",
      rows: 10,
      spellcheck: "false",
      "aria-describedby": `${id}-error`,
    });
    this.error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
    this.toggle = h(
      "button",
      { type: "button", class: "link-button", "aria-pressed": "false" },
      "Edit as JSON",
    );
    this.grid = h(
      "div",
      { class: "field-grid" },
      controls.map((c) => c.element),
    );
    this.rawBox = h(
      "div",
      { class: "raw-box", hidden: true },
      h("label", { for: id }, "Request body (JSON)"),
      this.textarea,
      this.error,
    );
    this.toggle.addEventListener("click", () => this.setRaw(!this.raw));
    this.textarea.addEventListener("input", () => this.setError(null));
    if (example !== null) {
      this.raw = true;
      this.textarea.value = JSON.stringify(example, null, 2);
      this.textarea.rows = 14;
      this.toggle.hidden = true;
      this.grid.hidden = true;
      this.rawBox.hidden = false;
    }
  }

  setError(message) {
    this.error.hidden = !message;
    this.error.textContent = message ?? "";
  }

  /** {body, errors[]} from whichever editor is showing. */
  read() {
    if (this.raw) {
      const parsed = parseValue("json", this.textarea.value || "{}");
      return parsed.error
        ? {
            body: null,
            errors: [
              { setError: (m) => this.setError(m), message: parsed.error, focus: this.textarea },
            ],
          }
        : { body: parsed.value, errors: [] };
    }
    const body = {};
    const errors = [];
    for (const control of this.controls) {
      const text = control.read();
      if (text === "") continue;
      const parsed = parseValue(control.spec.kind, text);
      if (parsed.error)
        errors.push({ setError: control.setError, message: parsed.error, focus: control.input });
      else body[control.spec.name] = parsed.value;
    }
    return { body, errors };
  }

  setRaw(raw) {
    if (raw === this.raw) return;
    if (raw) {
      this.textarea.value = JSON.stringify(this.read().body ?? {}, null, 2);
    } else if (!this.fillForm()) {
      return;
    }
    this.raw = raw;
    this.toggle.setAttribute("aria-pressed", String(raw));
    this.grid.hidden = raw;
    this.rawBox.hidden = !raw;
    (raw ? this.textarea : this.toggle).focus();
  }

  /** Put the JSON back into the fields; false (with a message) when they cannot show it. */
  fillForm() {
    const parsed = parseValue("json", this.textarea.value || "{}");
    const value = parsed.value;
    if (parsed.error || value === null || typeof value !== "object" || Array.isArray(value)) {
      this.setError(parsed.error ?? "The body must be a JSON object to edit it as fields");
      return false;
    }
    const byName = new Map(this.controls.map((c) => [c.spec.name, c]));
    const misfits = Object.entries(value)
      .filter(([k, v]) => !byName.has(k) || v === null)
      .map(([k]) => k);
    if (misfits.length) {
      this.setError(
        `The fields cannot show ${misfits.join(", ")} (unknown or null); keep editing as JSON`,
      );
      return false;
    }
    for (const control of this.controls) {
      const v = value[control.spec.name];
      const text = v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
      control.write(control.spec.kind === "json" && v !== undefined ? JSON.stringify(v) : text);
    }
    return true;
  }

  element() {
    return h(
      "fieldset",
      { class: "params" },
      h("legend", {}, "Body"),
      h("div", { class: "legend-actions" }, this.toggle),
      this.grid,
      this.rawBox,
    );
  }
}

/**
 * @param {object} res manifest resource
 * @param {object} op  manifest operation
 * @param {{origin: string, token: () => string, commonFields: string[]}} context
 */
export function createOperationPanel(res, op, context) {
  const pathControls = pathParamNames(op.path).map((name) =>
    createControl(pathParamSpec(res, name)),
  );
  const groups = queryGroups(res, op).map((g) => ({ ...g, controls: g.specs.map(createControl) }));
  const queryControls = groups.flatMap((g) => g.controls);
  const specs = takesBody(op) && !isBatch(op) ? bodyFieldSpecs(res, op, context.commonFields) : [];
  const example = isBatch(op) ? batchExample(res, op) : null;
  const body = takesBody(op) ? new BodyEditor(specs.map(createControl), example) : null;
  const cursor = queryControls.find((c) => c.spec.name === "cursor");
  let lastCursor = null;

  const form = h(
    "form",
    { class: "try-form", novalidate: true, "aria-label": `Try ${op.name}` },
    pathControls.length ? fieldset("Path parameters", pathControls) : null,
    groups.map((g) => fieldset(g.legend, g.controls, g.note)),
    body?.element(),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, "Send")),
  );
  const sendButton = form.querySelector("button[type=submit]");
  const announcer = h("p", { class: "visually-hidden", "aria-live": "polite" });
  const responseBody = h("div", { class: "response-body" });
  const responseSection = h(
    "section",
    { class: "response", hidden: true, "aria-label": "Response" },
    h("h3", {}, "Response"),
    responseBody,
  );
  const snippets = SNIPPETS.map((s) => ({ ...s, ...snippetBlock(s) }));

  function build() {
    const errors = [];
    const pathValues = Object.fromEntries(pathControls.map((c) => [c.spec.name, c.read().trim()]));
    for (const c of pathControls) {
      if (!pathValues[c.spec.name])
        errors.push({ setError: c.setError, message: "required in the path", focus: c.input });
    }
    const query = queryControls
      .map((c) => ({ name: c.spec.name, value: c.read(), kind: c.spec.kind }))
      .filter((q) => q.value !== "");
    const read = body ? body.read() : { body: null, errors: [] };
    errors.push(...read.errors);
    return { req: { res, op, pathValues, query, body: body ? (read.body ?? {}) : null }, errors };
  }

  function refreshSnippets() {
    const { req } = build();
    for (const s of snippets) s.code.textContent = s.render(req, context.origin);
  }

  async function submit() {
    const { req, errors } = build();
    for (const e of errors) e.setError(e.message);
    if (errors.length) {
      errors[0].focus.focus();
      return;
    }
    sendButton.disabled = true;
    responseSection.hidden = false;
    responseSection.setAttribute("aria-busy", "true");
    replaceChildren(responseBody, h("p", { class: "muted" }, "Sending…"));
    try {
      const response = await send(req, context.token());
      const { status, statusText, ms } = response;
      announcer.textContent = `Response ${status} ${statusText} in ${ms} ms`;
      replaceChildren(
        responseBody,
        revealedView(res, op, response),
        responseView(response, { onNextPage: cursor ? nextPage : undefined }),
      );
      responseBody.firstElementChild?.scrollIntoView({ block: "nearest" });
      lastCursor = response.body?.next_cursor ?? null;
      if (isRecord(op, response)) rememberRecord(res, response.body);
      if (isProblem(response)) showFieldErrors(response.body.errors);
    } catch (error) {
      announcer.textContent = "The request failed";
      replaceChildren(responseBody, networkErrorView(error));
    } finally {
      sendButton.disabled = false;
      responseSection.removeAttribute("aria-busy");
    }
  }

  /** Server-reported field errors also appear beside the fields they name. */
  function showFieldErrors(errors) {
    const controls = [
      ...pathControls,
      ...queryControls,
      ...(body?.raw ? [] : (body?.controls ?? [])),
    ];
    for (const error of Array.isArray(errors) ? errors : []) {
      controls.find((c) => c.spec.name === error.field)?.setError(error.message);
    }
  }

  function nextPage() {
    if (!lastCursor) return;
    cursor.write(lastCursor);
    refreshSnippets();
    submit();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  form.addEventListener("input", refreshSnippets);
  form.addEventListener("change", refreshSnippets);

  const element = h(
    "div",
    { class: "operation" },
    h(
      "div",
      { class: "endpoint" },
      h("span", { class: `method m-${op.method.toLowerCase()}` }, op.method),
      h("code", { class: "endpoint-path" }, op.path),
    ),
    h(
      "p",
      { class: "summary" },
      op.summary,
      op.admin_only ? h("span", { class: "badge admin" }, "admin only") : null,
    ),
    form,
    announcer,
    responseSection,
    snippetsSection(snippets),
  );
  rememberIds(res, op, pathControls, refreshSnippets);
  refreshSnippets();
  return element;
}

/** Fill path parameters with remembered ids, never over what a person typed. */
function rememberIds(res, op, pathControls, refresh) {
  const ownId = `${res.path}/{id}`;
  const keyOf = (name) => (name === "id" && op.path.startsWith(ownId) ? recordKey(res) : name);
  const filled = new WeakMap();
  onRecordId((key, id) => {
    for (const control of pathControls) {
      if (keyOf(control.spec.name) !== key) continue;
      const current = control.read();
      if (current !== "" && current !== filled.get(control)) continue;
      control.write(id);
      filled.set(control, id);
      refresh();
    }
  });
}
