// The audit trail: every admin action newest first in pages (admin_list_audit_log), by the admin who acted, the
// kind of action or the document acted on (one of them, or an admin's actions of one kind).
import { el, show, when } from "./dom.js";

const FILTERS = { actor_id: "Admin (uid)", action: "Action", target_id: "Target id" };
const change = (values) => (Object.keys(values || {}).length ? JSON.stringify(values) : "—");

export async function audit(main, call) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const filters = Object.fromEntries(Object.keys(FILTERS).filter((name) => params.get(name)).map((name) => [name, params.get(name)]));
  const page = await call("admin_list_audit_log", { ...filters, limit: 25, ...(params.get("after") ? { after: params.get("after") } : {}) });
  const inputs = Object.fromEntries(Object.entries(FILTERS).map(([name, text]) => [name, el("input", {
    name, value: filters[name] || "", placeholder: text, type: "search" })]));
  const go = (next) => { location.hash = `#/audit?${new URLSearchParams(next)}`; };
  const apply = (event) => {
    event.preventDefault();
    go(Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value.trim()]).filter(([, v]) => v)));
  };
  show(main, el("h1", {}, "Audit trail"),
       el("form", { class: "inline", id: "audit-filters", onsubmit: apply }, Object.values(inputs),
          el("button", { type: "submit" }, "Filter")),
       el("p", { class: "muted" }, "One filter at a time, or an admin and an action together."),
       el("table", {}, el("thead", {}, el("tr", {}, ["When", "Admin", "Action", "Target", "Before", "After", "Reason"]
         .map((h) => el("th", {}, h)))),
          el("tbody", {}, page.entries.map((e) => el("tr", { "data-entry": e.entry_id },
            el("td", {}, when(e.created_date)), el("td", {}, e.actor_id || `(${e.source})`), el("td", {}, e.action),
            el("td", {}, `${e.target_collection}/${e.target_id}`), el("td", {}, change(e.before)),
            el("td", {}, change(e.after)), el("td", {}, e.reason || "—"))))),
       page.entries.length ? null : el("p", { class: "muted" }, "Nothing recorded for this filter."),
       page.next ? el("button", { type: "button", class: "secondary", onclick: () => go({ ...filters, after: page.next }) },
                      "Next page") : null);
}
