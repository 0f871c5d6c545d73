// Technician verification review: the queue (admin_list_verification_queue), one technician's file
// (admin_get_verification: documents through 15-minute signed links) and a decision per step
// (admin_review_verification, with the reason the technician reads and the notes only admins read).
import { act, badge, el, message, show, when } from "./dom.js";

const STEPS = ["identity", "vehicle", "background_check"];

export async function verification(main, call) {
  const id = decodeURIComponent(location.hash.split("/")[2] || "");
  return id ? file(main, call, id) : queue(main, call);
}

async function queue(main, call) {
  const { technicians, waiting } = await call("admin_list_verification_queue", { limit: 50 });
  const rows = technicians.map((t) => el("tr", {
    class: "row", "data-technician": t.dispatcher_id,
    onclick: () => { location.hash = `#/verification/${encodeURIComponent(t.dispatcher_id)}`; },
  }, el("td", {}, t.full_name || t.dispatcher_id), el("td", {}, when(t.awaiting_review_since)),
     STEPS.map((step) => el("td", {}, badge(t.steps[step])))));
  show(main, el("h1", {}, "Verification review"), el("p", { class: "muted" }, `${waiting} waiting, oldest first.`),
       el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "Technician"), el("th", {}, "Waiting since"),
                                          STEPS.map((step) => el("th", {}, step.replace("_", " "))))),
          el("tbody", {}, rows)));
}

async function file(main, call, id, notice = null) {
  const f = await call("admin_get_verification", { dispatcher_id: id });
  const reload = (done) => file(main, call, id, done);
  show(main, el("p", {}, el("a", { href: "#/verification" }, "← Queue")), notice && message("ok", notice),
       el("h1", {}, f.full_name || id, " ", badge(f.verification_status)),
       el("p", { class: "muted" }, f.email || ""),
       STEPS.map((step) => stepPanel(call, id, step, f.steps[step], reload)),
       el("h2", {}, "Vehicle"),
       el("p", {}, [f.vehicle.make_model, f.vehicle.year, f.vehicle.color, f.vehicle.license_plate]
         .filter(Boolean).join(" · ") || "—", f.vehicle.insurance_expiry ? ` (insured to ${f.vehicle.insurance_expiry})` : ""),
       el("h2", {}, "Documents"),
       f.documents.length
         ? el("ul", {}, f.documents.map((d) => el("li", {}, el("a", { href: d.url, target: "_blank", rel: "noopener" },
             d.name.replaceAll("_", " ")), el("span", { class: "muted" }, ` link valid until ${when(d.expires_at)}`))))
         : el("p", { class: "muted" }, "No documents."),
       el("h2", {}, "Admin notes"), el("p", {}, f.verification_notes || "—"));
}

function stepPanel(call, id, step, s, reload) {
  const out = el("div");
  const reason = el("input", { placeholder: "Reason the technician reads (to reject)", name: "reason" });
  const notes = el("input", { placeholder: "Notes for admins (optional)", name: "notes" });
  const decide = (decision) => (event) => act(event.target, out, async () => {
    await call("admin_review_verification", {
      dispatcher_id: id, step, decision,
      ...(decision === "rejected" ? { rejection_reason: reason.value.trim() } : {}),
      ...(notes.value.trim() ? { notes: notes.value.trim() } : {}),
    });
    await reload(`${step.replace("_", " ")} ${decision}.`);
  });
  const last = s.last_review;
  return el("section", { class: "panel", "data-step": step },
    el("h2", {}, step.replace("_", " "), " ", badge(s.status)),
    el("p", { class: "muted" }, `Submitted ${when(s.submitted_at)}`,
       last ? ` · last review: ${last.decision} ${when(last.reviewed_at)}${last.notes ? ` — ${last.notes}` : ""}` : ""),
    s.rejection_reason ? el("p", {}, "Rejected: ", s.rejection_reason) : null,
    el("div", { class: "inline" }, reason, notes,
       el("button", { type: "button", onclick: decide("approved") }, "Approve"),
       el("button", { type: "button", class: "danger", onclick: decide("rejected") }, "Reject")),
    out);
}
