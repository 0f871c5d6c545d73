// User management: tabs (all, clients, technicians, admins) newest first in pages, a look-up by e-mail or phone
// (admin_list_users), and one account's status changed with a reason (admin_set_account_status).
import { act, badge, el, show, when } from "./dom.js";

const TABS = { all: "All", clients: "Clients", technicians: "Technicians", admins: "Admins" };
const STATUSES = ["active", "shadow_banned", "suspended", "banned"];

export async function users(main, call) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const tab = TABS[params.get("tab")] ? params.get("tab") : "all";
  const search = (params.get("q") || "").trim();
  const query = !search ? { tab } : search.startsWith("+") ? { phone_number: search } : { email: search };
  const page = await call("admin_list_users", { ...query, limit: 25, ...(params.get("after") ? { after: params.get("after") } : {}) });
  const detail = el("div");
  const go = (next) => { location.hash = `#/users?${new URLSearchParams(next)}`; };
  const find = el("input", { name: "q", value: search, placeholder: "E-mail or +61 phone number", type: "search" });
  show(main, el("h1", {}, "Users"),
       el("div", { class: "inline" }, Object.entries(TABS).map(([value, label]) => el("button", {
         type: "button", class: value === tab && !search ? "" : "secondary", "data-tab": value, onclick: () => go({ tab: value }),
       }, label)),
       el("form", { class: "inline", id: "find-user", onsubmit: (event) => { event.preventDefault(); go({ q: find.value.trim() }); } },
          find, el("button", { type: "submit" }, "Find"))),
       detail,
       el("table", {}, el("thead", {}, el("tr", {}, ["Name", "E-mail", "Kind", "Status", "Joined"].map((h) => el("th", {}, h)))),
          el("tbody", {}, page.users.map((u) => el("tr", {
            class: "row", "data-user": u.user_id, onclick: () => account(detail, call, u),
          }, el("td", {}, u.full_name || u.user_id), el("td", {}, u.email || u.phone_number || "—"),
             el("td", {}, u.role === "admin" ? "admin" : u.user_type || "—"), el("td", {}, badge(u.account_status)),
             el("td", {}, when(u.created_date)))))),
       page.users.length ? null : el("p", { class: "muted" }, "Nobody here."),
       page.next ? el("p", {}, el("button", { type: "button", class: "secondary", onclick: () => go({ tab, after: page.next }) },
                                  "Next page")) : null);
}

function account(detail, call, user) {
  const out = el("div");
  const status = el("select", { name: "account_status" }, STATUSES.map((s) => el("option", {
    value: s, selected: s === user.account_status }, s.replace("_", " "))));
  const reason = el("input", { name: "reason", required: true, minlength: 5, placeholder: "Reason (admins only)" });
  const apply = el("button", { type: "submit" }, "Apply");
  const submit = (event) => {
    event.preventDefault();
    act(apply, out, async () => {
      const result = await call("admin_set_account_status", {
        user_id: user.user_id, account_status: status.value, reason: reason.value.trim() });
      if (!result.changed) throw new Error(`${user.user_id} is already ${result.account_status.replace("_", " ")}.`);
    }, `${user.user_id} is now ${status.value.replace("_", " ")}.`);
  };
  show(detail, el("section", { class: "panel", "data-account": user.user_id },
    el("h2", {}, user.full_name || user.user_id, " ", badge(user.account_status)),
    el("p", { class: "muted" }, [user.user_id, user.email, user.phone_number].filter(Boolean).join(" · ")),
    el("form", { class: "inline", id: "account-status", onsubmit: submit },
       el("label", {}, "Account status ", status), reason, apply), out));
}
