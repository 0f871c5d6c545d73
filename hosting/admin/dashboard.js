// The dashboard: the KPI cards of admin_dashboard (one count() each on the server, no collection scans).
import { el, show, when } from "./dom.js";

const CARDS = [
  ["users.total", "Users"], ["users.clients", "Clients"], ["users.technicians", "Technicians"],
  ["users.admins", "Admins"], ["jobs.pending", "Jobs waiting for a technician"], ["jobs.active", "Active jobs"],
  ["technicians_online", "Technicians online now"], ["open_disputes", "Open disputes"],
  ["open_fraud_alerts", "Open fraud alerts"], ["verifications_waiting", "Verifications to review"],
  ["tickets_for_live_agent", "Tickets for a live agent"],
];

const pick = (figures, path) => path.split(".").reduce((value, key) => value && value[key], figures);

export async function dashboard(main, call) {
  const figures = await call("admin_dashboard");
  show(main, el("h1", {}, "Dashboard"),
       el("div", { class: "cards" }, CARDS.map(([path, label]) => el("div", { class: "card", "data-kpi": path },
         el("div", { class: "value" }, pick(figures, path)), el("div", { class: "label" }, label)))),
       el("p", { class: "muted" }, `As of ${when(figures.as_of)}.`));
}
