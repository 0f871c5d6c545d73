// Fraud alerts: filter by status, severity and type, newest first in pages (admin_list_fraud_alerts); each with
// its details and related jobs, and the review moves: investigate, resolve, false positive
// (admin_update_fraud_alert — a false positive quiets that pattern for the person for 30 days).
import { act, badge, el, show, when } from "./dom.js";

const STATUSES = ["open", "active", "investigating", "resolved", "false_positive"];
const SEVERITIES = ["", "low", "medium", "high", "critical"];
const TYPES = ["", "high_volume_short_jobs", "rapid_earnings_increase", "location_mismatch", "multiple_disputes",
               "suspicious_completion_pattern", "rapid_cancellations", "fake_gps"];
const MOVES = [["investigating", "Investigate", "secondary"], ["resolved", "Resolve", ""],
               ["false_positive", "False positive", "danger"]];

const label = (value) => (value ? value.replaceAll("_", " ") : "any");

export async function fraud(main, call) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const filters = { status: params.get("status") || "open", severity: params.get("severity") || "",
                    alert_type: params.get("alert_type") || "" };
  const page = await call("admin_list_fraud_alerts", {
    status: filters.status, ...(filters.severity ? { severity: filters.severity } : {}),
    ...(filters.alert_type ? { alert_type: filters.alert_type } : {}), limit: 25,
    ...(params.get("after") ? { after: params.get("after") } : {}) });
  const go = (change) => { location.hash = `#/fraud?${new URLSearchParams({ ...filters, ...change })}`; };
  const select = (name, values) => el("select", { name, onchange: (event) => go({ [name]: event.target.value }) },
    values.map((value) => el("option", { value, selected: value === filters[name] }, label(value))));
  show(main, el("h1", {}, "Fraud alerts"),
       el("div", { class: "inline", id: "alert-filters" }, el("label", {}, "Status ", select("status", STATUSES)),
          el("label", {}, "Severity ", select("severity", SEVERITIES)), el("label", {}, "Type ", select("alert_type", TYPES))),
       page.alerts.length ? page.alerts.map((alert) => alertPanel(call, alert, () => fraud(main, call)))
                          : el("p", { class: "muted" }, "No alerts match."),
       page.next ? el("button", { type: "button", class: "secondary", onclick: () => go({ after: page.next }) }, "Next page") : null);
}

function alertPanel(call, alert, reload) {
  const out = el("div");
  const notes = el("input", { name: "resolution_notes", placeholder: "Notes (optional)" });
  const move = (status) => (event) => act(event.target, out, async () => {
    await call("admin_update_fraud_alert", { alert_id: alert.alert_id, status,
                                             ...(notes.value.trim() ? { resolution_notes: notes.value.trim() } : {}) });
    await reload();
  });
  const details = Object.entries(alert.alert_details || {}).map(([key, value]) => `${label(key)}: ${JSON.stringify(value)}`);
  return el("section", { class: "panel", "data-alert": alert.alert_id },
    el("h2", {}, label(alert.alert_type), " ", badge(alert.severity), " ", badge(alert.status)),
    el("p", { class: "muted" }, `${alert.user_type} ${alert.user_id} · seen ${alert.occurrences}× · raised ${when(alert.created_date)}`,
       alert.reviewed_by ? ` · reviewed by ${alert.reviewed_by} ${when(alert.reviewed_at)}` : ""),
    details.length ? el("ul", {}, details.map((line) => el("li", {}, line))) : null,
    alert.related_jobs.length ? el("p", {}, "Related jobs: ", alert.related_jobs.join(", ")) : null,
    alert.resolution_notes ? el("p", {}, "Notes: ", alert.resolution_notes) : null,
    ["active", "investigating"].includes(alert.status)
      ? el("div", { class: "inline" }, notes, MOVES.filter(([status]) => status !== alert.status).map(([status, text, kind]) =>
          el("button", { type: "button", class: kind, onclick: move(status) }, text)))
      : null,
    out);
}
