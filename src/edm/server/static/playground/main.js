// Boot: load the manifest, list its resources, route `#/<domain>/<name>/<op>`.

import { setUpAuth } from "./auth.js";
import { h, replaceChildren } from "./dom.js";
import { CONFIG_URL, MANIFEST_URL, commonFieldNames, groupByDomain } from "./manifest.js";
import { renderResource } from "./resource.js";

const TOAST_MS = 5000;
const main = document.getElementById("main");
const sidebar = document.getElementById("sidebar");
const menuButton = document.getElementById("menu-button");
const toast = document.getElementById("toast");
const pages = new Map();
let toastTimer = 0;

/** A short message in a live region that stays in the page, so it is announced. */
function notify(message, kind = "info") {
  toast.textContent = message;
  toast.className = `toast visible ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toast.className = "toast";
    toast.textContent = "";
  }, TOAST_MS);
}

async function loadJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok)
    throw new Error(`${url} answered ${response.status} ${response.statusText}`.trim());
  return response.json();
}

function routeOf(hash) {
  const [domain, name, operation] = hash.replace(/^#\//, "").split("/").map(decodeURIComponent);
  return hash.startsWith("#/") ? { domain, name, operation } : null;
}

function setMenuOpen(open) {
  sidebar.classList.toggle("open", open);
  menuButton.setAttribute("aria-expanded", String(open));
}

function renderSidebar(resources) {
  const groups = [...groupByDomain(resources)].map(([domain, list]) =>
    h(
      "div",
      { class: "nav-group" },
      h("h2", { class: "nav-domain" }, domain),
      h(
        "ul",
        {},
        list.map((res) =>
          h(
            "li",
            {},
            h(
              "a",
              { href: `#/${res.domain}/${res.name}`, "data-resource": `${res.domain}/${res.name}` },
              h("span", { class: "nav-title" }, res.title),
              h("span", { class: "nav-name" }, res.name),
            ),
          ),
        ),
      ),
    ),
  );
  replaceChildren(sidebar, groups);
  sidebar.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("a")) setMenuOpen(false);
  });
}

function show(resources, route, context, { focus }) {
  const res =
    resources.find((r) => route && r.domain === route.domain && r.name === route.name) ??
    resources[0];
  const key = `${res.domain}/${res.name}`;
  if (!pages.has(key)) {
    const onOperation = (op) => history.replaceState(null, "", `#/${key}/${op}`);
    pages.set(key, renderResource(res, { ...context, operation: route?.operation, onOperation }));
  }
  const page = pages.get(key);
  if (route?.operation && res.operations.some((op) => op.name === route.operation)) {
    page.selectOperation(route.operation);
  }
  replaceChildren(main, page.element);
  for (const link of sidebar.querySelectorAll("a[data-resource]")) {
    if (link.dataset.resource === key) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${res.title} · EDM API playground`;
  if (focus) main.querySelector("h1")?.focus();
}

function showLoadError(error, retry) {
  replaceChildren(
    main,
    h(
      "div",
      { class: "load-error", role: "alert" },
      h("h1", {}, "The manifest could not be loaded"),
      h(
        "p",
        {},
        `GET ${MANIFEST_URL} failed: ${error.message}. Is the EDM server running and reachable?`,
      ),
      h("button", { type: "button", class: "primary", on: { click: retry } }, "Try again"),
    ),
  );
}

async function start() {
  replaceChildren(main, h("p", { class: "loading", role: "status" }, "Loading manifest…"));
  let manifest;
  let config;
  try {
    [manifest, config] = await Promise.all([
      loadJson(MANIFEST_URL),
      loadJson(CONFIG_URL).catch(() => ({ dev_mode: false })),
    ]);
  } catch (error) {
    showLoadError(error, start);
    return;
  }
  const resources = manifest.resources ?? [];
  if (!resources.length) {
    replaceChildren(main, h("p", { role: "status" }, "The manifest lists no resources."));
    return;
  }
  const token = setUpAuth(config, notify);
  const context = {
    origin: window.location.origin,
    token,
    commonFields: commonFieldNames(resources),
  };
  renderSidebar(resources);
  show(resources, routeOf(window.location.hash), context, { focus: false });
  window.addEventListener("hashchange", () => {
    const route = routeOf(window.location.hash);
    if (route) show(resources, route, context, { focus: true });
  });
}

menuButton.addEventListener("click", () => setMenuOpen(!sidebar.classList.contains("open")));
start();
