// The dashboard: one admin_dashboard call — the current-state cards (count()s), revenue today / 7 / 30 days,
// the spec's key metrics and the charts over a chosen range (the daily rollups, D95-D98), and the latest job
// changes. The range lives in the address (#/dashboard?from=YYYY-MM-DD&to=YYYY-MM-DD), so it survives a reload.
import { CallError } from "./api.js";
import { barChart, lineChart } from "./charts.js";
import { badge, el, message, show, when } from "./dom.js";

const CARDS = [
  ["users.total", "Users"], ["users.clients", "Clients"], ["users.technicians", "Technicians"],
  ["users.admins", "Admins"], ["jobs.pending", "Jobs waiting for a technician"], ["jobs.active", "Active jobs"],
  ["technicians_online", "Technicians online now"], ["open_disputes", "Open disputes"],
  ["open_fraud_alerts", "Open fraud alerts"], ["verifications_waiting", "Verifications to review"],
  ["tickets_for_live_agent", "Tickets for a live agent"],
];
const REVENUE = [["today", "Revenue today"], ["last_7_days", "Revenue, last 7 days"], ["last_30_days", "Revenue, last 30 days"]];
const RATE = (value) => `${(value * 100).toFixed(1)} %`;
const MINUTES = (value) => `${value.toFixed(1)} min`;
const STARS = (value) => `${value.toFixed(2)} / 5`;
const METRICS = [
  ["job_acceptance_rate", "Job acceptance rate", RATE], ["cancellation_rate", "Cancellation rate", RATE],
  ["offer_acceptance_rate", "Offers accepted", RATE], ["average_completion_minutes", "Average completion time", MINUTES],
  ["payment_success_rate", "Payment success rate", RATE], ["refund_rate", "Refund rate", RATE],
  ["dispute_rate", "Dispute rate", RATE], ["fraud_alert_rate", "Fraud-alert rate", RATE],
  ["average_technician_rating", "Average technician rating", STARS],
  ["average_client_rating", "Average client rating", STARS],
  ["support_first_response_minutes", "Support first response", MINUTES],
];
const LEADS = [["new", "New"], ["asked_postcode", "Asked for a postcode"], ["matched", "Matched"],
               ["booked", "Booked"], ["lost", "Lost"]];
const PRESETS = [7, 30, 90];

const pick = (figures, path) => path.split(".").reduce((value, key) => value && value[key], figures);

/** Amounts in minor units (cents) as money; `.major` for an amount in whole units. */
function moneyFormat(currency) {
  const format = new Intl.NumberFormat("en-AU", { style: "currency", currency });
  const scale = 10 ** format.resolvedOptions().maximumFractionDigits;
  const money = (minor) => format.format(minor / scale);
  money.major = (amount) => format.format(amount);
  money.scale = scale;
  return money;
}

function daysBefore(isoDay, count) {
  const day = new Date(`${isoDay}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - count);
  return day.toISOString().slice(0, 10);
}

/** The Messenger funnel (issue 20): leads by status, and how many of them booked. */
function leadCards(leads) {
  const total = LEADS.reduce((sum, [status]) => sum + leads[status], 0);
  return el("div", { class: "cards" }, [
    ...LEADS.map(([status, label]) => card({ "data-kpi": `leads.${status}` }, leads[status], label)),
    card({ "data-lead-conversion": total ? leads.booked / total : "" }, total ? RATE(leads.booked / total) : "—",
         "Leads that booked"),
  ]);
}

function card(attrs, value, label, note = null) {
  return el("div", { class: "card", ...attrs }, el("div", { class: "value" }, value), el("div", { class: "label" }, label),
            note ? el("div", { class: "note" }, note) : null);
}

function rangeForm(chosen, today) {
  const go = (from, to) => { location.hash = `#/dashboard?${new URLSearchParams({ from, to })}`; };
  const from = el("input", { type: "date", name: "from", value: chosen.from_date || "", max: today || null, required: true });
  const to = el("input", { type: "date", name: "to", value: chosen.to_date || "", max: today || null, required: true });
  return el("form", { class: "inline range", id: "range", onsubmit: (event) => { event.preventDefault(); go(from.value, to.value); } },
            el("label", {}, "From ", from), el("label", {}, "to ", to), el("button", { type: "submit" }, "Show"),
            today ? PRESETS.map((days) => el("button", { type: "button", class: "secondary", "data-days": days,
                                                        onclick: () => go(daysBefore(today, days - 1), today) }, `${days} days`)) : null);
}

function charts(figures, money) {
  const series = figures.series.map((day) => ({ ...day, net_minor: day.captured_minor - day.refunded_minor }));
  let users = 0;
  let clients = 0;
  let technicians = 0;
  const growth = figures.series.map((day) => ({
    date: day.date, users: (users += day.users_new), clients: (clients += day.clients_new),
    technicians: (technicians += day.technicians_new) }));
  return el("div", { class: "charts" },
    barChart("jobs", "Jobs per day by outcome", series,
             [["jobs_created", "created"], ["jobs_completed", "completed"], ["jobs_cancelled", "cancelled"]]),
    barChart("revenue", "Revenue per day (net of refunds)", series,
             [["net_minor", "revenue"], ["fee_minor", "platform fee"]], money, 10 * money.scale),
    lineChart("growth", "User growth in the range (new sign-ups, cumulative)", growth,
              [["users", "users"], ["clients", "clients"], ["technicians", "technicians"]]));
}

function activity(jobs, money) {
  return el("table", { id: "recent-activity" },
    el("thead", {}, el("tr", {}, ["When", "Job", "Status", "Client", "Price"].map((h) => el("th", {}, h)))),
    el("tbody", {}, jobs.map((job) => el("tr", { "data-job": job.request_id },
      el("td", {}, when(job.updated_date)), el("td", {}, job.request_id), el("td", {}, badge(job.status)),
      el("td", {}, job.client_name || "—"), el("td", {}, money.major(job.final_price))))));
}

export async function dashboard(main, call) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const chosen = { ...(params.get("from") ? { from_date: params.get("from") } : {}),
                   ...(params.get("to") ? { to_date: params.get("to") } : {}) };
  let figures;
  try {
    figures = await call("admin_dashboard", chosen);
  } catch (error) {
    if (!(error instanceof CallError) || error.status !== "INVALID_ARGUMENT") throw error;
    return show(main, el("h1", {}, "Dashboard"), rangeForm(chosen, null), message("error", error.message));
  }
  const money = moneyFormat(figures.revenue.currency);
  const range = figures.range;
  show(main, el("h1", {}, "Dashboard"), rangeForm(range, figures.today),
       el("h2", {}, "Now"),
       el("div", { class: "cards" }, CARDS.map(([path, label]) => card({ "data-kpi": path }, pick(figures, path), label))),
       el("h2", {}, "Revenue"),
       el("div", { class: "cards" }, REVENUE.map(([key, label]) => {
         const cut = figures.revenue[key];
         return card({ "data-revenue": key, "data-value": cut.net_minor }, money(cut.net_minor), label,
                     `captured ${money(cut.captured_minor)}, refunded ${money(cut.refunded_minor)}, fee ${money(cut.fee_minor)}`);
       })),
       el("h2", {}, `Key metrics, ${range.from_date} to ${range.to_date}`),
       el("div", { class: "cards" }, METRICS.map(([key, label, format]) => {
         const value = figures.metrics[key];
         return card({ "data-metric": key, "data-value": value === null ? "" : value },
                     value === null ? "—" : format(value), label);
       })),
       el("h2", {}, "Messenger leads (all time)"), leadCards(figures.leads),
       charts(figures, money),
       el("h2", {}, "Recent activity"), activity(figures.recent_activity, money),
       el("p", { class: "muted" }, `As of ${when(figures.as_of)}; days in ${figures.time_zone}.`));
}
