// A resource's page, like the seed: title, path, description, operation
// tabs, the schema table and the SDK namespace. All of it from the manifest.

import { h } from "./dom.js";
import { createOperationPanel } from "./operation.js";
import { createTabs } from "./tabs.js";

function typeCell(field) {
  return h(
    "td",
    { class: "type" },
    h("span", { class: "type-name" }, field.type),
    field.enum
      ? h(
          "ul",
          { class: "enum-values", "aria-label": `${field.name} values` },
          field.enum.map((value) => h("li", {}, h("code", {}, value))),
        )
      : null,
  );
}

function fieldBadges(field) {
  const badges = [];
  if (field.read_only) badges.push(["read-only", "read-only"]);
  if (field.default !== null && field.default !== undefined) {
    badges.push(["default", `default ${JSON.stringify(field.default)}`]);
  }
  if (field.max_length) badges.push(["limit", `max ${field.max_length}`]);
  if (field.filterable) badges.push(["filter", `filter ?${field.filter_param}=`]);
  if (field.sortable) badges.push(["sort", "sortable"]);
  if (field.searchable) badges.push(["search", "searchable"]);
  return badges.map(([kind, text]) => h("span", { class: `badge ${kind}` }, text));
}

function schemaTable(res) {
  return h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { class: "schema" },
      h("caption", { class: "visually-hidden" }, `${res.title} fields; * marks a required field`),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Field"),
          h("th", { scope: "col" }, "Type"),
          h("th", { scope: "col" }, "Notes"),
        ),
      ),
      h(
        "tbody",
        {},
        res.fields.map((field) =>
          h(
            "tr",
            { "data-field": field.name },
            h(
              "th",
              { scope: "row", class: "field-name" },
              h("code", {}, field.name),
              field.required ? h("abbr", { class: "required-mark", title: "required" }, "*") : null,
            ),
            typeCell(field),
            h(
              "td",
              { class: "notes" },
              h("p", {}, field.notes),
              h("div", { class: "badges" }, fieldBadges(field)),
            ),
          ),
        ),
      ),
    ),
  );
}

function apiSection(res) {
  return h(
    "section",
    { class: "api", "aria-labelledby": "api-heading" },
    h("h2", { id: "api-heading" }, "API"),
    h("pre", { class: "code-block sdk-namespace" }, h("code", {}, `${res.sdk}.*`)),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "methods" },
        h("caption", { class: "visually-hidden" }, `${res.sdk} methods`),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Method"),
            h("th", { scope: "col" }, "HTTP"),
            h("th", { scope: "col" }, "Summary"),
          ),
        ),
        h(
          "tbody",
          {},
          res.operations.map((op) =>
            h(
              "tr",
              {},
              h("td", {}, h("code", {}, `.${op.name}()`)),
              h(
                "td",
                { class: "http" },
                h("span", { class: `method m-${op.method.toLowerCase()}` }, op.method),
                h("code", {}, op.path),
              ),
              h("td", {}, op.summary),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * @param {object} res manifest resource
 * @param {{origin: string, token: () => string, commonFields: string[], operation?: string,
 *          onOperation: (name: string) => void}} context
 * @returns {{element: HTMLElement, selectOperation: (name: string) => void}}
 */
export function renderResource(res, context) {
  const tabs = createTabs({
    label: `${res.title} operations`,
    items: res.operations.map((op) => ({
      name: op.name,
      panel: h("div", { class: "panel" }, createOperationPanel(res, op, context)),
    })),
    selected: context.operation,
    onSelect: context.onOperation,
  });
  const element = h(
    "article",
    { class: "resource", "aria-labelledby": "resource-title" },
    h(
      "header",
      { class: "resource-head" },
      h("p", { class: "eyebrow" }, res.domain),
      h("h1", { id: "resource-title", tabindex: "-1" }, res.title),
      h("p", { class: "resource-path" }, h("code", {}, res.path)),
      h("p", { class: "description" }, res.description),
    ),
    h(
      "section",
      { class: "operations", "aria-labelledby": "operations-heading" },
      h("h2", { id: "operations-heading", class: "visually-hidden" }, "Operations"),
      tabs.list,
      tabs.panels,
    ),
    h(
      "section",
      { class: "schema-section", "aria-labelledby": "schema-heading" },
      h("h2", { id: "schema-heading" }, "Schema"),
      schemaTable(res),
    ),
    apiSection(res),
  );
  return { element, selectOperation: (name) => tabs.select(name) };
}
