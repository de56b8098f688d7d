// Code for the request just built: Python SDK, CLI and curl. Pure functions
// of an ApiRequest (see request.js), so they are easy to test.

import { isBatch, pathParamNames, singular } from "./manifest.js";
import { requestTarget } from "./request.js";

const WRAP_AT = 80;

/** A JSON value as a Python literal (`None`, `True`, `["a"]`, `{"k": 1}`). */
export function pyLiteral(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(", ")}]`;
  const items = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyLiteral(v)}`);
  return `{${items.join(", ")}}`;
}

function singleQuote(text) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A word as one shell argument, quoted only when it needs to be. */
export function shellQuote(text) {
  return /^[A-Za-z0-9_\-.,:/@%+=]+$/.test(text) ? text : singleQuote(text);
}

/** A query value with the type the SDK takes (int, bool, list for "a,b"). */
function typedQueryValue({ value, kind }) {
  if (kind === "integer" && /^-?\d+$/.test(value)) return Number(value);
  if (kind === "boolean") return value === "true";
  if (kind === "csv" && value.includes(",")) return value.split(",");
  return value;
}

function placeholder(name) {
  return `<${name}>`;
}

function pathArgs(req) {
  return pathParamNames(req.op.path).map((name) => req.pathValues[name] || placeholder(name));
}

/** `f(a, b)` on one line, or one argument per line when it is long. */
function pyCall(prefix, args) {
  const line = `${prefix}(${args.join(", ")})`;
  if (line.length <= WRAP_AT || !args.length) return line;
  return `${prefix}(\n${args.map((a) => `    ${a},`).join("\n")}\n)`;
}

export function pythonSnippet(req, origin) {
  const args = [
    ...pathArgs(req).map(pyLiteral),
    ...req.query.map((q) => `${q.name}=${pyLiteral(typedQueryValue(q))}`),
    ...Object.entries(req.body ?? {}).map(([k, v]) => `${k}=${pyLiteral(v)}`),
  ];
  const result = req.op.kind === "list" ? "page" : isBatch(req.op) ? "results" : singular(req.res);
  return [
    "import edm",
    "",
    `client = edm.Client(base_url=${pyLiteral(origin)})  # token from $EDM_TOKEN`,
    pyCall(`${result} = ${req.res.sdk}.${req.op.name}`, args),
  ].join("\n");
}

/** The CLI's flag for a field or parameter: `assigned_to_id` -> `--assigned-to`. */
function cliFlag(name) {
  return `--${name.replace(/_id$/, "").replaceAll("_", "-")}`;
}

/** `--name value` words for one value: booleans are flags, lists repeat the flag. */
function cliOption(name, value) {
  const flag = cliFlag(name);
  if (value === true) return [flag];
  if (value === false) return [`--no-${flag.slice(2)}`];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
    return value.flatMap((item) => [flag, shellQuote(item)]);
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  // `--order -created_at` would read as two options.
  if (text.startsWith("-")) return [`${flag}=${shellQuote(text)}`];
  return [flag, shellQuote(text)];
}

/** The CLI names a tags field by its singular filter (`--tag vpn --tag mfa`). */
function cliBodyName(res, name) {
  const field = res.fields.find((f) => f.name === name);
  return field?.type === "tags" && field.filter_param ? field.filter_param : name;
}

// Query parameters the CLI has no option for, and what to use instead.
const CLI_INSTEAD = { cursor: "--all walks every page", include_deleted: "the SDK or curl" };

/**
 * A query value as the CLI takes it: an "a,b" filter repeats the option
 * (`--status a --status b`), except text search and tags, where repeating
 * `--tag` would mean "every tag" rather than "any of".
 */
function cliQueryValue(req, q) {
  if (q.kind === "boolean") return q.value === "true";
  const field = req.res.fields.find((f) => f.filter_param === q.name);
  const anyOfList = field && field.type !== "tags" && q.value.includes(",");
  return anyOfList ? q.value.split(",") : q.value;
}

/** `cmd a b` on one line, or continued with backslashes when it is long. */
function shellLine(words) {
  const lines = [];
  let current = "";
  for (const word of words) {
    const startsOption = word.startsWith("-") && current;
    if (current && startsOption && current.length + word.length + 1 > WRAP_AT - 4) {
      lines.push(current);
      current = `  ${word}`;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  lines.push(current);
  return lines.join(" \\\n");
}

/** The `edm` command the manifest names for this operation, with its options. */
export function cliSnippet(req, origin) {
  if (!req.op.cli) {
    return `# The edm command line has no command for ${req.res.name} ${req.op.name};\n# use the Python SDK or curl.`;
  }
  if (isBatch(req.op)) {
    const file = `${req.res.name}.jsonl`;
    return [
      `export EDM_BASE_URL=${shellQuote(origin)}  # and EDM_TOKEN`,
      `# ${file}: one item of "items" per line, sent in chunks of up to ${req.op.max_items}`,
      shellLine(["edm", ...req.op.cli.split(" "), file]),
    ].join("\n");
  }
  const unsupported = req.query.filter((q) => q.name in CLI_INSTEAD);
  const options = [
    ...req.query
      .filter((q) => !(q.name in CLI_INSTEAD))
      .flatMap((q) => cliOption(q.name, cliQueryValue(req, q))),
    ...Object.entries(req.body ?? {}).flatMap(([k, v]) => cliOption(cliBodyName(req.res, k), v)),
  ];
  const words = ["edm", ...req.op.cli.split(" "), ...pathArgs(req).map(shellQuote), ...options];
  const notes = unsupported.map((q) => `# ${q.name} has no CLI option: use ${CLI_INSTEAD[q.name]}`);
  return [`export EDM_BASE_URL=${shellQuote(origin)}  # and EDM_TOKEN`, shellLine(words), ...notes]
    .join("\n");
}

export function curlSnippet(req, origin) {
  const lines = [
    [
      "curl",
      req.op.method === "GET" ? null : `-X ${req.op.method}`,
      singleQuote(origin + requestTarget(req)),
    ]
      .filter(Boolean)
      .join(" "),
    `  -H "Authorization: Bearer $EDM_TOKEN"`,
  ];
  if (req.body !== null) {
    lines.push(
      `  -H 'Content-Type: application/json'`,
      `  -d ${shellQuote(JSON.stringify(req.body))}`,
    );
  }
  return lines.join(" \\\n");
}

export const SNIPPETS = [
  { name: "Python", render: pythonSnippet },
  { name: "CLI", render: cliSnippet },
  { name: "curl", render: curlSnippet },
];
