// User management: tabs (all, clients, technicians, admins) newest first in pages, a look-up by e-mail, phone or
// the start of a name (admin_list_users); one account's details with its jobs, reviews and activity log
// (admin_get_user), its status changed with a reason (admin_set_account_status), a password reset e-mailed to
// the person (admin_reset_password) and deletion (admin_delete_user).
import { act, badge, el, message, show, when } from "./dom.js";

const TABS = { all: "All", clients: "Clients", technicians: "Technicians", admins: "Admins" };
const STATUSES = ["active", "shadow_banned", "suspended", "banned"];

export async function users(main, call) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const tab = TABS[params.get("tab")] ? params.get("tab") : "all";
  const search = (params.get("q") || "").trim();
  const query = !search ? { tab } : search.startsWith("+") ? { phone_number: search }
    : search.includes("@") ? { email: search } : { name: search };
  const page = await call("admin_list_users", { ...query, limit: 25, ...(params.get("after") ? { after: params.get("after") } : {}) });
  const detail = el("div");
  const go = (next) => { location.hash = `#/users?${new URLSearchParams(next)}`; };
  const find = el("input", { name: "q", value: search, placeholder: "Name, e-mail or +61 phone number", type: "search" });
  show(main, el("h1", {}, "Users"),
       el("div", { class: "inline" }, Object.entries(TABS).map(([value, label]) => el("button", {
         type: "button", class: value === tab && !search ? "" : "secondary", "data-tab": value, onclick: () => go({ tab: value }),
       }, label)),
       el("form", { class: "inline", id: "find-user", onsubmit: (event) => { event.preventDefault(); go({ q: find.value.trim() }); } },
          find, el("button", { type: "submit" }, "Find"))),
       detail,
       el("table", {}, el("thead", {}, el("tr", {}, ["Name", "E-mail", "Kind", "Status", "Joined"].map((h) => el("th", {}, h)))),
          el("tbody", {}, page.users.map((u) => el("tr", {
            class: "row", "data-user": u.user_id, onclick: () => account(detail, call, u.user_id).catch((error) => show(detail, message("error", error.message))),
          }, el("td", {}, u.full_name || u.user_id), el("td", {}, u.email || u.phone_number || "—"),
             el("td", {}, u.role === "admin" ? "admin" : u.user_type || "—"), el("td", {}, badge(u.account_status)),
             el("td", {}, when(u.created_date)))))),
       page.users.length ? null : el("p", { class: "muted" }, "Nobody here."),
       page.next ? el("p", {}, el("button", { type: "button", class: "secondary", onclick: () => go({ ...(search ? { q: search } : { tab }), after: page.next }) },
                                  "Next page")) : null);
}

const label = (value) => String(value ?? "—").replaceAll("_", " ");

function list(title, rows, cells) {
  return el("section", {}, el("h3", {}, title), rows.length
    ? el("table", {}, el("tbody", {}, rows.map((row) => el("tr", {}, cells(row).map((cell) => el("td", {}, cell))))))
    : el("p", { class: "muted" }, "None."));
}

async function account(detail, call, userId, notice = null) {
  const user = await call("admin_get_user", { user_id: userId });
  const out = el("div");
  const reload = (done) => account(detail, call, userId, done);
  const status = el("select", { name: "account_status" }, STATUSES.map((s) => el("option", {
    value: s, selected: s === user.account_status }, label(s))));
  const reason = el("input", { name: "reason", required: true, minlength: 5, placeholder: "Reason (admins only)" });
  const apply = el("button", { type: "submit" }, "Apply");
  const submit = (event) => {
    event.preventDefault();
    act(apply, out, async () => {
      const result = await call("admin_set_account_status", {
        user_id: user.user_id, account_status: status.value, reason: reason.value.trim() });
      if (!result.changed) throw new Error(`${user.user_id} is already ${label(result.account_status)}.`);
      await reload(`${user.user_id} is now ${label(status.value)}.`);
    });
  };
  const why = el("input", { name: "action_reason", minlength: 5, placeholder: "Reason for a reset or deletion" });
  const action = (name, done) => (event) => act(event.target, out, async () => {
    const result = await call(name, { user_id: user.user_id, reason: why.value.trim() });
    await reload(done(result));
  });
  show(detail, el("section", { class: "panel", "data-account": user.user_id },
    notice ? el("div", { class: "message ok", role: "status" }, notice) : null,
    el("h2", {}, user.full_name || user.user_id, " ", badge(user.account_status),
       user.deleted_at ? el("span", { class: "muted" }, ` deleted ${when(user.deleted_at)}`) : null),
    el("p", { class: "muted" }, [user.user_id, user.email, user.phone_number, label(user.user_type)].filter(Boolean).join(" · ")),
    user.account_status_reason ? el("p", {}, "Status reason: ", user.account_status_reason) : null,
    el("form", { class: "inline", id: "account-status", onsubmit: submit },
       el("label", {}, "Account status ", status), reason, apply),
    el("div", { class: "inline", id: "account-actions" }, why,
       el("button", { type: "button", class: "secondary", onclick: action("admin_reset_password",
         (r) => `A password-reset link was e-mailed to ${r.sent_to}.`) }, "Reset password"),
       el("button", { type: "button", class: "danger", onclick: action("admin_delete_user",
         () => `${user.user_id} is deleted; the erasure is under way.`) }, "Delete account")),
    out,
    list("Jobs", user.jobs, (j) => [j.request_id, badge(j.status), j.final_price ?? "—", when(j.created_date)]),
    list("Reviews received", user.reviews, (r) => [`${r.rating}★`, r.comment || "—", r.applied ? "applied" : "pending",
                                                   when(r.created_date)]),
    list("Activity log", user.activity, (a) => [when(a.created_date), a.action, a.actor_id || "console",
                                                a.reason || "—"])));
}
