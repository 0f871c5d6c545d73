// The service catalogue: every service, the inactive ones too (list_services with include_inactive, admins only);
// create or edit one whole with its add-ons (admin_save_service checks it and names the field at fault), take one
// out of the catalogue with a reason (admin_deactivate_service), and set what a technician is qualified for
// (admin_set_technician_skills). Booked jobs keep what they copied of a service (D106).
import { act, badge, el, message, show } from "./dom.js";

const CATEGORIES = { hail_pdr: "Hail / PDR", mechanic: "Mechanic", detailing: "Detailing" };
const money = (amount) => Number(amount).toFixed(2);
/** "paint_correction, PDR" -> ["paint_correction", "pdr"]; the callable checks each tag. */
const tags = (text) => text.split(",").map((tag) => tag.trim().toLowerCase()).filter(Boolean);
/** An add-on's id from its name ("Interior clean" -> "interior-clean") when the admin gives none. */
const slug = (name) => name.trim().toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);

/** A listed service as admin_save_service takes it whole (unset optional fields left out). */
function whole(service, changes = {}) {
  return Object.fromEntries(Object.entries({ ...service, ...changes }).filter(([, value]) => value !== null));
}

export async function services(main, call, notice = null) {
  const { services: catalogue } = await call("list_services", { include_inactive: true });
  const out = el("div");
  const reload = (done) => services(main, call, done);
  const form = editor(call, out, reload);
  const why = el("input", { name: "deactivate_reason", placeholder: "Reason for deactivating (kept in the audit trail)" });
  show(main, el("h1", {}, "Services"), notice ? message("ok", notice) : null, form.node, out,
       el("p", { class: "inline" }, why,
          el("span", { class: "muted" }, "Jobs already booked keep the service as it was when booked.")),
       el("table", {}, el("thead", {}, el("tr", {}, ["Service", "Category", "Duration", "Base price", "Skills",
                                                     "Add-ons", "Status", ""].map((h) => el("th", {}, h)))),
          el("tbody", {}, catalogue.map((s) => el("tr", { "data-service": s.service_id },
            el("td", {}, s.name, s.description ? el("div", { class: "muted" }, s.description) : null),
            el("td", {}, CATEGORIES[s.category] || s.category), el("td", {}, `${s.estimated_duration_minutes} min`),
            el("td", {}, money(s.base_price)), el("td", {}, s.required_skills.join(", ") || "—"),
            el("td", {}, s.add_ons.length ? el("ul", {}, s.add_ons.map((a) => el("li", {},
              `${a.name} +${money(a.price)}${a.duration_minutes ? `, +${a.duration_minutes} min` : ""}`))) : "—"),
            el("td", {}, badge(s.is_active ? "active" : "inactive")),
            el("td", { class: "inline" },
               el("button", { type: "button", class: "secondary", onclick: () => form.fill(s) }, "Edit"),
               s.is_active ? el("button", { type: "button", class: "danger", onclick: (event) => act(event.target, out, async () => {
                 await call("admin_deactivate_service", { service_id: s.service_id, reason: why.value.trim() });
                 await reload(`${s.name} deactivated.`);
               }) }, "Deactivate") : el("button", { type: "button", class: "secondary", onclick: (event) => act(event.target, out, async () => {
                 await call("admin_save_service", whole(s, { is_active: true }));
                 await reload(`${s.name} activated.`);
               }) }, "Activate")))))),
       catalogue.length ? null : el("p", { class: "muted" }, "No services yet: jobs are booked without one."),
       skillsForm(call));
}

function editor(call, out, reload) {
  const inputs = {
    name: el("input", { name: "name", required: true, maxlength: 80 }),
    category: el("select", { name: "category" }, Object.entries(CATEGORIES).map(([v, t]) => el("option", { value: v }, t))),
    estimated_duration_minutes: el("input", { name: "estimated_duration_minutes", type: "number", value: 60 }),
    base_price: el("input", { name: "base_price", type: "number", step: "0.01" }),
    required_skills: el("input", { name: "required_skills", placeholder: "pdr, paint_correction" }),
    service_reminder_months: el("input", { name: "service_reminder_months", type: "number" }),
    description: el("input", { name: "description", maxlength: 1000 }),
  };
  const labels = { estimated_duration_minutes: "duration (minutes)", base_price: "base price",
                   required_skills: "required skills", service_reminder_months: "reminder after (months)" };
  const addOns = el("tbody", { id: "add-ons" });
  const addOnRow = (a = {}) => {
    const cells = {
      name: el("input", { name: "add_on_name", value: a.name ?? "", maxlength: 80 }),
      add_on_id: el("input", { name: "add_on_id", value: a.add_on_id ?? "", placeholder: "from the name" }),
      price: el("input", { name: "add_on_price", type: "number", step: "0.01", value: a.price ?? "" }),
      duration_minutes: el("input", { name: "add_on_minutes", type: "number", value: a.duration_minutes ?? 0 }),
    };
    const row = el("tr", { "data-add-on": "" }, Object.values(cells).map((input) => el("td", {}, input)),
      el("td", {}, el("button", { type: "button", class: "secondary", onclick: () => row.remove() }, "Remove")));
    row.values = () => ({ add_on_id: cells.add_on_id.value.trim() || slug(cells.name.value),
                          name: cells.name.value.trim(), price: cells.price.value,
                          duration_minutes: Number(cells.duration_minutes.value || 0) });
    addOns.append(row);
  };
  let editing = null;
  const heading = el("h2", {}, "New service");
  const save = el("button", { type: "submit" }, "Save service");
  const number = (input) => (input.value === "" ? null : Number(input.value));
  const submit = (event) => {
    event.preventDefault();
    act(save, out, async () => {
      const service = whole({
        service_id: editing ? editing.service_id : null,
        name: inputs.name.value.trim(), category: inputs.category.value,
        description: inputs.description.value.trim() || null,
        estimated_duration_minutes: number(inputs.estimated_duration_minutes), base_price: inputs.base_price.value,
        required_skills: tags(inputs.required_skills.value),
        add_ons: [...addOns.querySelectorAll("tr")].map((row) => row.values()),
        is_active: editing ? editing.is_active : true,
        service_reminder_months: number(inputs.service_reminder_months),
      });
      const saved = await call("admin_save_service", service);
      await reload(saved.changed ? `${service.name} saved.` : `${service.name}: nothing changed.`);
    });
  };
  const node = el("form", { class: "panel", id: "service-form", onsubmit: submit }, heading,
    el("div", { class: "inline" }, Object.entries(inputs).map(([name, input]) =>
      el("label", {}, `${labels[name] || name} `, input))),
    el("h2", {}, "Add-ons"),
    el("table", {}, el("thead", {}, el("tr", {}, ["Name", "Id", "Price", "Extra minutes", ""].map((h) => el("th", {}, h)))),
       addOns),
    el("div", { class: "inline" },
       el("button", { type: "button", class: "secondary", onclick: () => addOnRow() }, "Add an add-on"), save));
  const fill = (service) => {
    editing = service;
    heading.textContent = `Edit ${service.name}`;
    for (const [name, input] of Object.entries(inputs)) {
      const value = service[name];
      input.value = Array.isArray(value) ? value.join(", ") : value ?? "";
    }
    addOns.replaceChildren();
    service.add_ons.forEach(addOnRow);
    node.scrollIntoView();
  };
  return { node, fill };
}

function skillsForm(call) {
  const out = el("div");
  const inputs = {
    dispatcher_id: el("input", { name: "dispatcher_id", required: true, placeholder: "technician's uid" }),
    skills: el("input", { name: "skills", placeholder: "pdr, detailing" }),
    reason: el("input", { name: "skills_reason", required: true, placeholder: "Reason (kept in the audit trail)" }),
  };
  const save = el("button", { type: "submit" }, "Set skills");
  const submit = (event) => {
    event.preventDefault();
    act(save, out, async () => {
      const answer = await call("admin_set_technician_skills", {
        dispatcher_id: inputs.dispatcher_id.value.trim(), skills: tags(inputs.skills.value),
        reason: inputs.reason.value.trim() });
      show(out, message("ok", `${answer.dispatcher_id}: ${answer.skills.join(", ") || "no skills"}` +
                              (answer.changed ? "." : " (unchanged).")));
    });
  };
  return el("form", { class: "panel", id: "skills-form", onsubmit: submit }, el("h2", {}, "A technician's skills"),
    el("p", { class: "muted" }, "Only technicians with every skill a service requires are offered its jobs. " +
                                "The list given replaces the technician's skills."),
    el("div", { class: "inline" }, Object.values(inputs), save), out);
}
