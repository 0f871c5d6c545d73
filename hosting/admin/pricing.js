// Pricing rules: every rule, highest priority first (admin_list_pricing_rules); create or edit one
// (admin_upsert_pricing_rule checks its condition map and names the field at fault), deactivate, delete with a
// reason (admin_delete_pricing_rule), and preview a sample job's quote with and without the draft
// (admin_preview_pricing_rule, the code quote_price runs).
import { act, badge, el, message, show } from "./dom.js";

const TYPES = {
  time_of_day: ["time_conditions", { start: "17:00", end: "19:00" }],
  day_of_week: ["time_conditions", { days: ["saturday", "sunday"] }],
  location_premium: ["demand_conditions", { zones: [{ name: "CBD", city: "Sydney", lat: -33.8688, lng: 151.2093, radius_km: 2 }] }],
  demand_surge: ["demand_conditions", { metric: "open_requests_per_online_dispatcher", radius_km: 10,
                                        thresholds: [{ min_ratio: 1.5, multiplier: 1.1 }] }],
  dispatcher_availability: ["demand_conditions", { radius_km: 10, max_available_dispatchers: 2 }],
};
const label = (value) => String(value).replaceAll("_", " ");
const pretty = (value) => JSON.stringify(value, null, 2);
const money = (amount) => Number(amount).toFixed(2);

export async function pricing(main, call, notice = null) {
  const { rules } = await call("admin_list_pricing_rules", {});
  const out = el("div");
  const reload = (done) => pricing(main, call, done);
  const form = editor(call, out, reload);
  const toggle = (rule) => (event) => act(event.target, out, async () => {
    const { rule_id: id, ...fields } = rule;
    await call("admin_upsert_pricing_rule", clean({ rule_id: id, ...fields, is_active: !rule.is_active }));
    await reload(`${rule.rule_name} ${rule.is_active ? "deactivated" : "activated"}.`);
  });
  show(main, el("h1", {}, "Pricing rules"), notice ? message("ok", notice) : null, form.node, out,
       el("table", {}, el("thead", {}, el("tr", {}, ["Rule", "Type", "Premium", "Priority", "Scheduled jobs", "Status", ""]
         .map((h) => el("th", {}, h)))),
          el("tbody", {}, rules.map((r) => el("tr", { "data-rule": r.rule_id },
            el("td", {}, r.rule_name, r.description ? el("div", { class: "muted" }, r.description) : null),
            el("td", {}, label(r.rule_type)),
            el("td", {}, [r.multiplier ? `×${r.multiplier}` : null, r.fixed_amount ? `+${money(r.fixed_amount)}` : null]
              .filter(Boolean).join(" ") || "by demand"),
            el("td", {}, r.priority), el("td", {}, r.applies_to_scheduled ? "yes" : "no"),
            el("td", {}, badge(r.is_active ? "active" : "inactive")),
            el("td", { class: "inline" },
               el("button", { type: "button", class: "secondary", onclick: () => form.fill(r) }, "Edit"),
               el("button", { type: "button", class: r.is_active ? "danger" : "secondary", onclick: toggle(r) },
                  r.is_active ? "Deactivate" : "Activate")))))),
       rules.length ? null : el("p", { class: "muted" }, "No pricing rules: every job pays the base price and urgency."));
}

/** The payload without empty values (the callable refuses unknown and null-only fields it does not need). */
function clean(rule) {
  return Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== null && v !== undefined && v !== ""));
}

function editor(call, out, reload) {
  const inputs = {
    rule_name: el("input", { name: "rule_name", required: true, maxlength: 100 }),
    rule_type: el("select", { name: "rule_type" }, Object.keys(TYPES).map((t) => el("option", { value: t }, label(t)))),
    multiplier: el("input", { name: "multiplier", type: "number", min: 0.01, max: 5, step: "any", value: 1.2 }),
    fixed_amount: el("input", { name: "fixed_amount", type: "number", min: 0, step: "0.01" }),
    priority: el("input", { name: "priority", type: "number", min: 0, max: 1000, value: 10 }),
    description: el("input", { name: "description", maxlength: 500 }),
  };
  const scheduled = el("input", { name: "applies_to_scheduled", type: "checkbox" });
  const conditions = el("textarea", { name: "conditions", rows: 6, cols: 60, spellcheck: "false" });
  const reason = el("input", { name: "reason", placeholder: "Reason for deleting (kept in the audit trail)" });
  const sample = {
    lat: el("input", { name: "lat", type: "number", step: "any", value: -33.8731 }),
    lng: el("input", { name: "lng", type: "number", step: "any", value: 151.2065 }),
    is_urgent: el("input", { name: "is_urgent", type: "checkbox" }),
    is_scheduled: el("input", { name: "is_scheduled", type: "checkbox" }),
    scheduled_date: el("input", { name: "scheduled_date", type: "date" }),
    scheduled_time: el("input", { name: "scheduled_time", type: "time", step: 1800 }),
  };
  const result = el("div", { id: "rule-preview" });
  let editing = null;
  const heading = el("h2", {}, "New rule");
  const remove = el("button", { type: "button", class: "danger", hidden: true }, "Delete rule");
  const template = () => { conditions.value = pretty(TYPES[inputs.rule_type.value][1]); };
  inputs.rule_type.addEventListener("change", template);
  template();

  const draft = () => {
    let parsed;
    try {
      parsed = JSON.parse(conditions.value || "{}");
    } catch {
      throw new Error("Conditions: not valid JSON.");
    }
    const number = (input) => (input.value === "" ? null : Number(input.value));
    return clean({
      rule_id: editing ? editing.rule_id : null, rule_name: inputs.rule_name.value.trim(),
      rule_type: inputs.rule_type.value, multiplier: number(inputs.multiplier),
      fixed_amount: number(inputs.fixed_amount), priority: number(inputs.priority) ?? 0,
      description: inputs.description.value.trim(), applies_to_scheduled: scheduled.checked,
      is_active: editing ? editing.is_active : true, [TYPES[inputs.rule_type.value][0]]: parsed,
    });
  };
  const save = el("button", { type: "submit" }, "Save rule");
  const submit = (event) => {
    event.preventDefault();
    act(save, out, async () => {
      const rule = draft();
      await call("admin_upsert_pricing_rule", rule);
      await reload(`${rule.rule_name} saved.`);
    });
  };
  const preview = el("button", { type: "button", class: "secondary" }, "Preview");
  preview.addEventListener("click", () => act(preview, result, async () => {
    const job = { lat: Number(sample.lat.value), lng: Number(sample.lng.value), is_urgent: sample.is_urgent.checked,
                  is_scheduled: sample.is_scheduled.checked };
    if (job.is_scheduled) Object.assign(job, { scheduled_date: sample.scheduled_date.value, scheduled_time: sample.scheduled_time.value.slice(0, 5) });
    const answer = await call("admin_preview_pricing_rule", { ...job, rule: draft() });
    show(result, el("div", { class: "inline" }, quote("Without the draft", answer.without), quote("With the draft", answer.with)),
         el("p", { "data-difference": answer.difference },
            answer.draft_applies ? `The draft applies: ${answer.difference >= 0 ? "+" : ""}${money(answer.difference)}.`
                                 : "The draft does not apply to this job."));
  }));
  remove.addEventListener("click", () => act(remove, out, async () => {
    await call("admin_delete_pricing_rule", { rule_id: editing.rule_id, reason: reason.value.trim() });
    await reload(`${editing.rule_name} deleted.`);
  }));
  const field = (name, input) => el("label", {}, `${label(name)} `, input);
  const node = el("form", { class: "panel", id: "rule-form", onsubmit: submit }, heading,
    el("div", { class: "inline" }, Object.entries(inputs).map(([name, input]) => field(name, input)),
       field("applies to scheduled jobs", scheduled)),
    el("label", {}, "Conditions (JSON) ", conditions),
    el("h2", {}, "Preview on a sample job"),
    el("div", { class: "inline", id: "sample-job" }, Object.entries(sample).map(([name, input]) => field(name, input)), preview),
    result, el("div", { class: "inline" }, save, reason, remove));
  const fill = (rule) => {
    editing = rule;
    heading.textContent = `Edit ${rule.rule_name}`;
    for (const [name, input] of Object.entries(inputs)) input.value = rule[name] ?? "";
    scheduled.checked = Boolean(rule.applies_to_scheduled);
    conditions.value = pretty(rule[TYPES[rule.rule_type] ? TYPES[rule.rule_type][0] : "demand_conditions"] || {});
    remove.hidden = false;
    show(result);
    node.scrollIntoView();
  };
  return { node, fill };
}

function quote(title, q) {
  return el("table", { class: "quote" }, el("caption", {}, title),
    el("tbody", {}, el("tr", {}, el("td", {}, "Base price"), el("td", {}, money(q.base_price))),
      q.lines.map((line) => el("tr", {}, el("td", {}, line.label), el("td", {}, money(line.amount)))),
      el("tr", {}, el("th", {}, "Price"), el("th", { class: "final" }, `${money(q.final_price)} ${q.currency}`))));
}
