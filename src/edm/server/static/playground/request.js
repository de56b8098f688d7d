// The request a form describes, as plain data, and sending it. Snippets and
// the network both read the same `ApiRequest`, so what you copy is what ran.

/**
 * @typedef {object} QueryValue
 * @property {string} name
 * @property {string} value   exactly as sent in the query string
 * @property {"string"|"integer"|"boolean"|"csv"} kind
 *
 * @typedef {object} ApiRequest
 * @property {object} res        manifest resource
 * @property {object} op         manifest operation
 * @property {Record<string, string>} pathValues
 * @property {QueryValue[]} query
 * @property {object|null} body  parsed JSON body, or null for none
 */

/** The operation path with its parameters filled (unfilled ones stay `{name}`). */
export function fillPath(path, values) {
  return path.replace(/\{([^}]+)\}/g, (whole, name) =>
    values[name] ? encodeURIComponent(values[name]) : whole,
  );
}

/** Path plus query string, as the browser requests it. */
export function requestTarget(req) {
  const path = fillPath(req.op.path, req.pathValues);
  const query = new URLSearchParams(req.query.map((q) => [q.name, q.value])).toString();
  return query ? `${path}?${query}` : path;
}

/** A form's text for one value turned into JSON, or an error message. */
export function parseValue(kind, text) {
  switch (kind) {
    case "integer":
      return /^-?\d+$/.test(text.trim()) ? { value: Number(text) } : { value: text };
    case "boolean":
      return { value: text === "true" };
    case "json":
      try {
        return { value: JSON.parse(text) };
      } catch (error) {
        return { error: `not valid JSON (${error.message})` };
      }
    default:
      return { value: text };
  }
}

/** Headers worth showing from a response, in display order. */
export const SHOWN_HEADERS = [
  "X-Request-Id",
  "ETag",
  "Location",
  "Retry-After",
  "Idempotent-Replayed",
];

/**
 * @typedef {object} ApiResponse
 * @property {number} status
 * @property {string} statusText
 * @property {number} ms
 * @property {[string, string][]} headers
 * @property {string} contentType
 * @property {unknown} body    parsed JSON, or the text when not JSON
 */

/** Perform the request with the bearer token; network failures reject. */
export async function send(req, token) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method: req.op.method, headers };
  if (req.body !== null) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(req.body);
  }
  const started = performance.now();
  const response = await fetch(requestTarget(req), init);
  const text = await response.text();
  const ms = Math.round(performance.now() - started);
  const contentType = response.headers.get("Content-Type") ?? "";
  let body = text;
  if (text && contentType.includes("json")) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return {
    status: response.status,
    statusText: response.statusText,
    ms,
    headers: SHOWN_HEADERS.map((name) => [name, response.headers.get(name)]).filter(([, v]) => v),
    contentType,
    body,
  };
}
