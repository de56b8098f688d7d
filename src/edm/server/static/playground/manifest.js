// What the page derives from the manifest: path parameters, query
// parameters and body fields of an operation, each as a control spec.
// Nothing here knows a resource by name.

import { humanize } from "./dom.js";

export const MANIFEST_URL = "/api/v1/manifest";
export const CONFIG_URL = "/playground/config.json";
// Paging rules shared by every list endpoint (SPEC section 4).
const LIMIT_MIN = 1;
const LIMIT_MAX = 200;
const LIMIT_DEFAULT = 50;
const DATETIME_PLACEHOLDER = "2026-01-31T09:00:00Z";

/**
 * @typedef {object} ControlSpec
 * @property {string} name       wire name (query parameter or body field)
 * @property {string} label      visible label
 * @property {"input"|"select"|"textarea"|"checkbox"} control
 * @property {"string"|"integer"|"boolean"|"json"|"csv"} kind  how the text becomes a value
 * @property {string} [inputType]
 * @property {string[]} [options]
 * @property {string} [emptyOption] label of the "not sent" choice of a select
 * @property {string} [placeholder]
 * @property {string} [hint]
 * @property {boolean} [required]
 * @property {number} [min]
 * @property {number} [max]
 */

/** Resources grouped by domain, in manifest order. */
export function groupByDomain(resources) {
  const groups = new Map();
  for (const res of resources) {
    if (!groups.has(res.domain)) groups.set(res.domain, []);
    groups.get(res.domain).push(res);
  }
  return groups;
}

/** Every `{param}` of an operation path, in order. */
export function pathParamNames(path) {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
}

/** Operations that send a JSON body: a create or update of the resource's fields,
 * or an action that takes fields of its own (e.g. a key's rotate). */
export function takesBody(op) {
  return op.kind === "create" || op.kind === "update" || Boolean(op.fields?.length) || isBatch(op);
}

/** Batch operations: their body is a list of items, edited as JSON. */
export function isBatch(op) {
  return op.kind === "batch_create" || op.kind === "batch_update";
}

/** An example body of a batch operation, from the resource's required fields. */
export function batchExample(res, op) {
  const required = res.fields.filter((f) => f.required && !f.read_only);
  const item = (n) => Object.fromEntries(required.map((f) => [f.name, `Example ${f.name} ${n}`]));
  if (op.kind === "batch_create") return { items: [item(1), item(2)], atomic: false };
  const nf = res.number_format;
  const key = (n) => (nf ? `${nf.prefix}-${String(n).padStart(nf.min_digits, "0")}` : `${res.id_prefix}_…`);
  return {
    items: [1, 2].map((n) => ({ id: key(n), changes: item(`${n}, renamed`) })),
    atomic: false,
  };
}

/** `tickets` -> `ticket`, for variable names in snippets. */
export function singular(res) {
  return res.title.toLowerCase().replace(/[^a-z0-9]+/g, "_");
}

export function pathParamSpec(res, name) {
  const examples = [`${res.id_prefix}_…`];
  if (res.number_format) {
    const nf = res.number_format;
    examples.push(`${nf.prefix}-${"1".padStart(nf.min_digits, "0")}`);
  }
  const ownId = name === "id";
  return {
    name,
    label: humanize(name),
    control: "input",
    kind: "string",
    required: true,
    placeholder: ownId ? examples.join(" or ") : "",
  };
}

function constraintHint(field) {
  const parts = [];
  if (field.default !== null && field.default !== undefined) {
    parts.push(`default ${JSON.stringify(field.default)}`);
  }
  if (field.max_length) parts.push(`max ${field.max_length} chars`);
  if (field.max_items) parts.push(`up to ${field.max_items} items`);
  if (field.minimum !== null && field.minimum !== undefined) parts.push(`min ${field.minimum}`);
  if (field.maximum !== null && field.maximum !== undefined) parts.push(`max ${field.maximum}`);
  return parts.join(" · ");
}

/** The body control of a writable field, for a create or an update. */
export function bodyFieldSpec(field, opKind) {
  const creating = opKind === "create";
  const base = {
    name: field.name,
    label: humanize(field.name),
    required: creating && field.required,
    hint: constraintHint(field),
  };
  const unset = creating ? "default" : "unchanged";
  switch (field.type) {
    case "enum":
      return {
        ...base,
        control: "select",
        kind: "string",
        options: field.enum,
        emptyOption: unset,
      };
    case "boolean":
      return {
        ...base,
        control: "select",
        kind: "boolean",
        options: ["true", "false"],
        emptyOption: unset,
      };
    case "integer":
      return {
        ...base,
        control: "input",
        kind: "integer",
        inputType: "number",
        min: field.minimum ?? undefined,
        max: field.maximum ?? undefined,
      };
    case "text":
      return { ...base, control: "textarea", kind: "string" };
    case "tags":
      if (field.enum) {
        return {
          ...base,
          control: "textarea",
          kind: "json",
          placeholder: JSON.stringify(field.enum.slice(0, 2)),
          hint: [base.hint, `each one of: ${field.enum.join(", ")}`].filter(Boolean).join(" · "),
        };
      }
      return { ...base, control: "textarea", kind: "json", placeholder: '["vpn", "laptop"]' };
    case "object":
      return { ...base, control: "textarea", kind: "json", placeholder: "{ }" };
    case "date-time":
      return { ...base, control: "input", kind: "string", placeholder: DATETIME_PLACEHOLDER };
    case "reference":
      return { ...base, control: "input", kind: "string", placeholder: "UUID or prefixed id" };
    default:
      return { ...base, control: "input", kind: "string" };
  }
}

/** Names of the fields every resource has (the platform's base fields). */
export function commonFieldNames(resources) {
  const [first, ...rest] = resources.map((res) => new Set(res.fields.map((f) => f.name)));
  return rest.length ? [...first].filter((name) => rest.every((names) => names.has(name))) : [];
}

/**
 * Writable fields in the order a person fills them: required ones, then the
 * resource's own, then the fields every resource shares (source, ...).
 */
export function bodyFieldSpecs(res, op, common) {
  const rank = (f) => (op.kind === "create" && f.required ? 0 : common.includes(f.name) ? 2 : 1);
  const writable = op.fields?.length ? op.fields : res.fields.filter((f) => !f.read_only);
  return writable
    .map((f, index) => ({ f, index }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.index - b.index)
    .map(({ f }) => bodyFieldSpec(f, op.kind));
}

function filterSpec(field) {
  const base = { name: field.filter_param, label: humanize(field.filter_param) };
  if (field.enum) {
    return { ...base, control: "select", kind: "csv", options: field.enum, emptyOption: "any" };
  }
  if (field.type === "boolean") {
    return {
      ...base,
      control: "select",
      kind: "boolean",
      options: ["true", "false"],
      emptyOption: "any",
    };
  }
  return { ...base, control: "input", kind: "csv" };
}

function rangeSpecs(res) {
  return res.fields.flatMap((f) =>
    f.range_filters.map((name) => ({
      name,
      label: humanize(name),
      control: "input",
      kind: "string",
      placeholder: DATETIME_PLACEHOLDER,
    })),
  );
}

const INCLUDE_DELETED = {
  name: "include_deleted",
  label: "Include deleted",
  control: "checkbox",
  kind: "boolean",
};

function pagingSpecs(res) {
  const searchable = res.fields.filter((f) => f.searchable).map((f) => f.name);
  const sortable = res.fields.filter((f) => f.sortable).map((f) => f.name);
  const specs = [];
  if (searchable.length) {
    specs.push({
      name: "q",
      label: "Search",
      control: "input",
      kind: "string",
      inputType: "search",
      hint: `text in ${searchable.join(", ")}`,
    });
  }
  specs.push(
    {
      name: "order",
      label: "Order",
      control: "select",
      kind: "string",
      options: sortable.flatMap((name) => [name, `-${name}`]),
      emptyOption: `default (${res.default_order})`,
    },
    {
      name: "limit",
      label: "Limit",
      control: "input",
      kind: "integer",
      inputType: "number",
      placeholder: String(LIMIT_DEFAULT),
      hint: `${LIMIT_MIN}–${LIMIT_MAX}`,
      min: LIMIT_MIN,
      max: LIMIT_MAX,
    },
    { name: "cursor", label: "Cursor", control: "input", kind: "string", hint: "set by Next page" },
    INCLUDE_DELETED,
  );
  return specs;
}

/** Query parameter groups of an operation: [{legend, note?, specs}]. */
export function queryGroups(res, op) {
  if (op.kind === "list") {
    return [
      {
        legend: "Filters",
        note: "Comma-separated values match any of them (a,b); null matches an empty field.",
        specs: res.fields.filter((f) => f.filterable).map(filterSpec),
      },
      { legend: "Date ranges", specs: rangeSpecs(res) },
      { legend: "Search, order and paging", specs: pagingSpecs(res) },
    ].filter((group) => group.specs.length);
  }
  if (op.kind === "get") return [{ legend: "Query parameters", specs: [INCLUDE_DELETED] }];
  return [];
}
