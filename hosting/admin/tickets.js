// Support tickets for a live agent: the queue by filter (admin_list_tickets), one conversation
// (admin_get_ticket) and the reply with the status it leaves the ticket in (support's admin_reply_ticket); the
// admins' internal notes, which the person never sees (admin_add_ticket_note).
import { act, badge, el, message, show, when } from "./dom.js";

const QUEUES = { waiting: "Waiting for us", in_progress: "In hand", resolved: "Resolved", closed: "Closed" };
const REPLY_STATUSES = ["waiting_user", "in_progress", "resolved", "closed"];

export async function tickets(main, call) {
  const [, , id] = location.hash.split("/");
  return id ? conversation(main, call, decodeURIComponent(id)) : queue(main, call);
}

async function queue(main, call) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const chosen = params.get("queue") || "waiting";
  const { tickets: rows, total, next } = await call("admin_list_tickets", {
    queue: chosen, limit: 50, ...(params.get("after") ? { after: params.get("after") } : {}) });
  const filter = el("select", {
    name: "queue", onchange: (event) => { location.hash = `#/tickets?queue=${event.target.value}`; },
  }, Object.entries(QUEUES).map(([value, label]) => el("option", { value, selected: value === chosen }, label)));
  show(main, el("h1", {}, "Support tickets"),
       el("div", { class: "inline" }, el("label", {}, "Show ", filter), el("span", { class: "muted" }, `${total} tickets`)),
       el("table", {}, el("thead", {}, el("tr", {}, ["Subject", "From", "Priority", "Status", "Last message"]
         .map((h) => el("th", {}, h)))),
          el("tbody", {}, rows.map((t) => el("tr", {
            class: "row", "data-ticket": t.ticket_id,
            onclick: () => { location.hash = `#/tickets/${encodeURIComponent(t.ticket_id)}`; },
          }, el("td", {}, t.subject), el("td", {}, t.user_name || t.user_email || t.user_id),
             el("td", {}, t.priority), el("td", {}, badge(t.status)), el("td", {}, when(t.last_message_at)))))),
       next ? el("button", { type: "button", class: "secondary", id: "next-tickets",
                             onclick: () => { location.hash = `#/tickets?${new URLSearchParams({ queue: chosen, after: next })}`; } },
                 "Next page") : null);
}

async function conversation(main, call, id, notice = null) {
  const t = await call("admin_get_ticket", { ticket_id: id });
  const out = el("div");
  const text = el("textarea", { name: "message", rows: 3, required: true, placeholder: "Your reply" });
  const status = el("select", { name: "status" }, REPLY_STATUSES.map((s) => el("option", { value: s }, s.replaceAll("_", " "))));
  const send = el("button", { type: "submit" }, "Send reply");
  const note = el("input", { name: "note", required: true, maxlength: 2000, placeholder: "Internal note (admins only)" });
  const submit = (event) => {
    event.preventDefault();
    act(send, out, async () => {
      await call("admin_reply_ticket", { ticket_id: id, message: text.value.trim(), status: status.value });
      await conversation(main, call, id, "Reply sent.");
    });
  };
  show(main, el("p", {}, el("a", { href: "#/tickets" }, "← Tickets")), notice && message("ok", notice),
       el("h1", {}, t.subject, " ", badge(t.status)),
       el("p", { class: "muted" }, `${t.user_name || t.user_id} · ${t.user_email || ""} · ${t.category} · ` +
          `${t.priority} priority · ${t.assigned_to_name ? `with ${t.assigned_to_name}` : "unassigned"}`),
       el("div", { class: "thread" }, t.messages.map((m) => el("div", { class: `panel from-${m.sender_type}`, "data-message": m.message_id },
         el("div", { class: "muted" }, `${m.sender_name || m.sender_type} (${m.sender_type}) · ${when(m.created_date)}`),
         m.attachment_url ? el("a", { href: m.attachment_url, target: "_blank", rel: "noopener" }, "attachment")
                          : el("div", {}, m.message || "")))),
       t.status === "closed" ? el("p", { class: "muted" }, "Closed: no more replies.")
         : el("form", { class: "stack", id: "reply", onsubmit: submit }, text, el("label", {}, "Then the ticket is ", status), send),
       el("h2", {}, "Internal notes"),
       t.internal_notes.map((n) => el("div", { class: "panel internal", "data-note": "" },
         el("div", { class: "muted" }, `${n.admin_name || n.admin_id} · internal · ${when(n.created_date)}`), el("div", {}, n.note))),
       el("form", { class: "inline", id: "ticket-note", onsubmit: (event) => {
         event.preventDefault();
         act(event.submitter || event.target, out, async () => {
           await call("admin_add_ticket_note", { ticket_id: id, note: note.value.trim() });
           await conversation(main, call, id, "Note added.");
         });
       } }, note, el("button", { type: "submit", class: "secondary" }, "Add note")),
       out);
}
