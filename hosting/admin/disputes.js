// Disputes: the queue by filter, latest activity first (admin_list_disputes); one dispute with its evidence,
// both parties' comments and the internal notes (admin_get_dispute); asking a party (admin_request_dispute_info),
// an internal note (add_dispute_comment), the resolution with its refund (admin_resolve_dispute) and closing.
import { act, badge, el, message, show, when } from "./dom.js";

const FILTERS = { open: "Undecided", resolved: "Resolved", closed: "Closed", escalated: "Escalated" };
const ACTIONS = ["full_refund", "partial_refund", "no_refund", "payment_released", "payment_held", "account_warning",
                 "account_suspended", "other"];
const label = (value) => String(value).replaceAll("_", " ");

export async function disputes(main, call) {
  const [, , id] = location.hash.split("?")[0].split("/");
  return id ? file(main, call, decodeURIComponent(id)) : queue(main, call);
}

async function queue(main, call) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const status = FILTERS[params.get("status")] ? params.get("status") : "open";
  const page = await call("admin_list_disputes", { status, limit: 25, ...(params.get("after") ? { after: params.get("after") } : {}) });
  const go = (change) => { location.hash = `#/disputes?${new URLSearchParams({ status, ...change })}`; };
  show(main, el("h1", {}, "Disputes"),
       el("label", {}, "Show ", el("select", { name: "status", onchange: (event) => go({ status: event.target.value }) },
         Object.entries(FILTERS).map(([value, text]) => el("option", { value, selected: value === status }, text)))),
       el("table", {}, el("thead", {}, el("tr", {}, ["Reason", "Raised by", "Priority", "Status", "Last activity"]
         .map((h) => el("th", {}, h)))),
          el("tbody", {}, page.disputes.map((d) => el("tr", {
            class: "row", "data-dispute": d.dispute_id,
            onclick: () => { location.hash = `#/disputes/${encodeURIComponent(d.dispute_id)}`; },
          }, el("td", {}, label(d.dispute_reason)), el("td", {}, `${d.raised_by_name || ""} (${d.raised_by_type})`),
             el("td", {}, badge(d.priority)), el("td", {}, badge(d.status)), el("td", {}, when(d.last_activity_at)))))),
       page.disputes.length ? null : el("p", { class: "muted" }, "No disputes here."),
       page.next ? el("button", { type: "button", class: "secondary", onclick: () => go({ after: page.next }) }, "Next page") : null);
}

async function file(main, call, id, notice = null) {
  const d = await call("admin_get_dispute", { dispute_id: id });
  const out = el("div");
  const reload = (done) => file(main, call, id, done);
  const run = (button, action, done) => act(button, out, async () => { await action(); await reload(done); });
  const decided = !["open", "under_review", "awaiting_client_response", "awaiting_dispatcher_response", "escalated"].includes(d.status);

  const askFrom = el("select", { name: "from" }, ["client", "dispatcher"].map((p) => el("option", { value: p }, p === "dispatcher" ? "technician" : p)));
  const askText = el("input", { name: "question", placeholder: "Your question", minlength: 5 });
  const note = el("input", { name: "note", placeholder: "Internal note (admins only)" });
  const action = el("select", { name: "resolution_action" }, ACTIONS.map((a) => el("option", { value: a }, label(a))));
  const amount = el("input", { name: "refund_amount", type: "number", min: 0, step: "0.01", placeholder: "Refund amount" });
  const details = el("input", { name: "resolution_details", placeholder: "Resolution, as both parties will read it" });
  const party = el("select", { name: "account_user_id" }, el("option", { value: "" }, "—"),
    el("option", { value: d.client_id }, `client ${d.client_id}`), el("option", { value: d.dispatcher_id }, `technician ${d.dispatcher_id}`));

  show(main, el("p", {}, el("a", { href: "#/disputes" }, "← Disputes")), notice && message("ok", notice),
    el("h1", {}, label(d.dispute_reason), " ", badge(d.priority), " ", badge(d.status)),
    el("p", { class: "muted" }, `Job ${d.request_id} · client ${d.client_id} · technician ${d.dispatcher_id} · opened ${when(d.opened_at)}`),
    el("section", { class: "panel" }, el("p", {}, d.description),
       d.evidence_urls.length ? el("p", { class: "muted" }, "Evidence: ", d.evidence_urls.join(", ")) : null,
       d.resolution_action ? el("p", {}, `Resolved: ${label(d.resolution_action)}`,
         d.refund_amount !== null ? `, ${d.refund_amount} refunded` : "", ` — ${d.resolution_details || ""}`) : null,
       d.admin_notes ? el("p", {}, "Admin notes: ", d.admin_notes) : null),
    el("h2", {}, "Thread"),
    d.comments.map((c) => el("div", { class: `panel${c.is_internal ? " internal" : ""}`, "data-comment": c.comment_id },
      el("div", { class: "muted" }, `${c.user_name || c.user_id} (${c.user_type})${c.is_internal ? " · internal" : ""} · ${when(c.created_date)}`),
      el("div", {}, c.comment))),
    decided ? null : el("div", { class: "panel", id: "ask" }, el("h2", {}, "Ask a party"), el("div", { class: "inline" }, askFrom, askText,
      el("button", { type: "button", onclick: (event) => run(event.target, () => call("admin_request_dispute_info", {
        dispute_id: id, from: askFrom.value, message: askText.value.trim() }), "Question sent.") }, "Ask"))),
    d.status === "closed" ? null : el("div", { class: "panel", id: "note" }, el("h2", {}, "Internal note"), el("div", { class: "inline" }, note,
      el("button", { type: "button", class: "secondary", onclick: (event) => run(event.target, () => call("add_dispute_comment", {
        dispute_id: id, comment: note.value.trim(), is_internal: true }), "Note added.") }, "Add note"))),
    decided ? null : el("div", { class: "panel", id: "resolve" }, el("h2", {}, "Resolve"), el("div", { class: "inline" }, action, amount, details, party,
      el("button", { type: "button", onclick: (event) => run(event.target, () => call("admin_resolve_dispute", {
        dispute_id: id, resolution_action: action.value, resolution_details: details.value.trim(),
        ...(amount.value !== "" ? { refund_amount: Number(amount.value) } : {}),
        ...(party.value ? { account_user_id: party.value } : {}) }), "Dispute resolved.") }, "Resolve"))),
    decided && d.status !== "closed" ? el("button", { type: "button", class: "secondary", onclick: (event) => run(event.target,
      () => call("admin_close_dispute", { dispute_id: id }), "Dispute closed.") }, "Close dispute") : null,
    out);
}
