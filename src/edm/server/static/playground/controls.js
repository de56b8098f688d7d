// One labelled form control per ControlSpec (see manifest.js).

import { h, uid } from "./dom.js";

/**
 * @typedef {object} Control
 * @property {import("./manifest.js").ControlSpec} spec
 * @property {HTMLElement} element  the whole field: label, input, hint, error
 * @property {HTMLInputElement|HTMLSelectElement|HTMLTextAreaElement} input
 * @property {() => string} read    "" when nothing is to be sent
 * @property {(text: string) => void} write
 * @property {(message: string|null) => void} setError
 */

function inputFor(spec, id, describedBy) {
  const common = { id, name: spec.name, "aria-describedby": describedBy || null };
  if (spec.required) common["aria-required"] = "true";
  if (spec.control === "select") {
    return h(
      "select",
      common,
      h("option", { value: "" }, spec.emptyOption ?? "—"),
      spec.options.map((option) => h("option", { value: option }, option)),
    );
  }
  if (spec.control === "textarea") {
    return h("textarea", {
      ...common,
      rows: 3,
      spellcheck: "false",
      placeholder: spec.placeholder || null,
    });
  }
  if (spec.control === "checkbox")
    return h("input", { ...common, type: "checkbox", value: "true" });
  return h("input", {
    ...common,
    type: spec.inputType ?? "text",
    placeholder: spec.placeholder || null,
    min: spec.min ?? null,
    max: spec.max ?? null,
    autocomplete: "off",
    spellcheck: "false",
  });
}

/** @returns {Control} */
export function createControl(spec) {
  const id = uid(`f-${spec.name}`);
  const nameId = `${id}-name`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [nameId, spec.hint ? hintId : null, errorId].filter(Boolean).join(" ");
  const input = inputFor(spec, id, describedBy);
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  const label = h("label", { for: id }, spec.label);
  const wireName = h("code", { class: "wire-name", id: nameId, title: spec.name }, spec.name);
  const isCheckbox = spec.control === "checkbox";
  const isTextarea = spec.control === "textarea";
  const element = h(
    "div",
    {
      class: ["field", isCheckbox && "field-checkbox", isTextarea && "field-wide"]
        .filter(Boolean)
        .join(" "),
    },
    isCheckbox
      ? [input, label, wireName]
      : [
          h(
            "div",
            { class: "field-label" },
            label,
            spec.required
              ? h("span", { class: "required-mark", "aria-hidden": "true" }, "*")
              : null,
            wireName,
          ),
          input,
        ],
    spec.hint ? h("p", { class: "hint", id: hintId }, spec.hint) : null,
    error,
  );
  const setError = (message) => {
    error.hidden = !message;
    error.textContent = message ?? "";
    input.setAttribute("aria-invalid", String(Boolean(message)));
  };
  input.addEventListener("input", () => setError(null));
  return {
    spec,
    element,
    input,
    read: () => (isCheckbox ? (input.checked ? "true" : "") : input.value),
    write: (text) => {
      if (isCheckbox) input.checked = text === "true";
      else input.value = text;
    },
    setError,
  };
}
