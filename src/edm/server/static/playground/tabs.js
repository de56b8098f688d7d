// An ARIA tablist (WAI-ARIA Authoring Practices, automatic activation):
// one tab in the Tab order; Left/Right arrows, Home and End move and select.

import { h, uid } from "./dom.js";

const KEY_STEPS = { ArrowRight: 1, ArrowLeft: -1 };

/**
 * Build a tablist with a panel per item.
 * @param {{label: string, items: {name: string, panel: HTMLElement}[],
 *          selected?: string, onSelect?: (name: string) => void}} options
 * @returns {{list: HTMLElement, panels: HTMLElement[], select: (name: string) => void}}
 */
export function createTabs({ label, items, selected, onSelect }) {
  const list = h("div", { role: "tablist", "aria-label": label, class: "tabs" });
  const tabs = items.map(({ name, panel }) => {
    const tabId = uid("tab");
    panel.id ||= uid("panel");
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tabId);
    const tab = h(
      "button",
      { type: "button", role: "tab", id: tabId, "aria-controls": panel.id, class: "tab" },
      name,
    );
    tab.addEventListener("click", () => select(name));
    list.append(tab);
    return { name, tab, panel };
  });

  function select(name, { focus = false } = {}) {
    for (const item of tabs) {
      const active = item.name === name;
      item.tab.setAttribute("aria-selected", String(active));
      item.tab.tabIndex = active ? 0 : -1;
      item.panel.hidden = !active;
      if (active && focus) item.tab.focus();
    }
    onSelect?.(name);
  }

  list.addEventListener("keydown", (event) => {
    const index = tabs.findIndex((item) => item.tab === document.activeElement);
    if (index < 0) return;
    let next;
    if (event.key in KEY_STEPS) next = (index + KEY_STEPS[event.key] + tabs.length) % tabs.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = tabs.length - 1;
    else return;
    event.preventDefault();
    select(tabs[next].name, { focus: true });
  });

  const initial = tabs.some((item) => item.name === selected) ? selected : tabs[0]?.name;
  if (initial !== undefined) select(initial);
  return { list, panels: tabs.map((item) => item.panel), select };
}
