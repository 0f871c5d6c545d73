// Merchants (businesses that order jobs for their customers' cars, D115): every merchant by name
// (admin_list_merchants); make a signed-up account a merchant or change its details (admin_upsert_merchant);
// one merchant's SKUs, added or changed (admin_upsert_merchant_sku), and its monthly statements, newest first
// (admin_get_merchant). Every change carries a reason for the audit trail.
import { act, badge, el, message, show, when } from "./dom.js";

const minor = (amount, currency) => `${(Number(amount) / 100).toFixed(2)} ${currency}`;

export async function merchants(main, call, notice = null) {
  const [, , id] = location.hash.split("?")[0].split("/");
  const { merchants: all } = await call("admin_list_merchants", {});
  const open = id ? await call("admin_get_merchant", { merchant_id: decodeURIComponent(id) }) : null;
  const out = el("div");
  const reload = (done) => merchants(main, call, done);
  const form = merchantForm(call, out, reload);
  show(main, el("h1", {}, "Merchants"), notice ? message("ok", notice) : null, form.node, out,
       el("table", {}, el("thead", {}, el("tr", {}, ["Business", "Account", "Statements to", "Status", ""]
         .map((h) => el("th", {}, h)))),
          el("tbody", {}, all.map((m) => el("tr", {
            class: "row", "data-merchant": m.merchant_id,
            onclick: () => { location.hash = `#/merchants/${encodeURIComponent(m.merchant_id)}`; },
          }, el("td", {}, m.business_name), el("td", {}, m.merchant_id), el("td", {}, m.billing_email),
             el("td", {}, badge(m.is_active ? "active" : "inactive")),
             el("td", {}, el("button", { type: "button", class: "secondary", onclick: (event) => {
               event.stopPropagation();
               form.fill(m);
             } }, "Edit")))))),
       all.length ? null : el("p", { class: "muted" }, "No merchants yet."),
       open ? account(call, open, reload) : null);
}

function field(name, input) {
  return el("label", {}, `${name.replaceAll("_", " ")} `, input);
}

function merchantForm(call, out, reload) {
  const inputs = {
    merchant_id: el("input", { name: "merchant_id", required: true, placeholder: "the business's signed-up uid" }),
    business_name: el("input", { name: "business_name", required: true, maxlength: 120 }),
    billing_email: el("input", { name: "billing_email", type: "email", required: true }),
    reason: el("input", { name: "reason", required: true, placeholder: "Reason (kept in the audit trail)" }),
  };
  const active = el("input", { name: "is_active", type: "checkbox", checked: true });
  const heading = el("h2", {}, "New merchant");
  const save = el("button", { type: "submit" }, "Save merchant");
  const submit = (event) => {
    event.preventDefault();
    act(save, out, async () => {
      const values = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value.trim()]));
      await call("admin_upsert_merchant", { ...values, is_active: active.checked });
      await reload(`${values.business_name} saved.`);
    });
  };
  const node = el("form", { class: "panel", id: "merchant-form", onsubmit: submit }, heading,
    el("p", { class: "muted" }, "The business signs up first; its account must not be a client's or a technician's."),
    el("div", { class: "inline" }, Object.entries(inputs).map(([name, input]) => field(name, input)),
       field("may order", active)), save);
  const fill = (merchant) => {
    heading.textContent = `Edit ${merchant.business_name}`;
    for (const name of ["merchant_id", "business_name", "billing_email"]) inputs[name].value = merchant[name];
    inputs.merchant_id.readOnly = true;
    active.checked = merchant.is_active;
    node.scrollIntoView();
  };
  return { node, fill };
}

function account(call, { merchant, skus, statements }, reload) {
  const out = el("div");
  const inputs = {
    sku_code: el("input", { name: "sku_code", required: true, placeholder: "PDR-COROLLA-1" }),
    brand: el("input", { name: "brand", required: true }),
    model: el("input", { name: "model", required: true }),
    service_name: el("input", { name: "service_name", required: true }),
    price: el("input", { name: "price", type: "number", step: "0.01", required: true }),
    estimated_duration_minutes: el("input", { name: "estimated_duration_minutes", type: "number", value: 60 }),
    reason: el("input", { name: "sku_reason", required: true, placeholder: "Reason (kept in the audit trail)" }),
  };
  const active = el("input", { name: "sku_active", type: "checkbox", checked: true });
  const save = el("button", { type: "submit" }, "Save SKU");
  const submit = (event) => {
    event.preventDefault();
    act(save, out, async () => {
      const values = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value.trim()]));
      await call("admin_upsert_merchant_sku", { ...values, merchant_id: merchant.merchant_id, is_active: active.checked,
                                                estimated_duration_minutes: Number(values.estimated_duration_minutes) });
      await reload(`${values.sku_code} saved for ${merchant.business_name}.`);
    });
  };
  const edit = (sku) => {
    for (const [name, input] of Object.entries(inputs)) if (name in sku) input.value = sku[name];
    active.checked = sku.is_active;
  };
  return el("section", { class: "panel", "data-account": merchant.merchant_id },
    el("h2", {}, `${merchant.business_name}: SKUs`),
    el("table", {}, el("thead", {}, el("tr", {}, ["SKU", "Brand", "Model", "Service", "Price", "Duration", "Status", ""]
      .map((h) => el("th", {}, h)))),
       el("tbody", {}, skus.map((s) => el("tr", { "data-sku": s.sku_code },
         el("td", {}, s.sku_code), el("td", {}, s.brand), el("td", {}, s.model), el("td", {}, s.service_name),
         el("td", {}, Number(s.price).toFixed(2)), el("td", {}, `${s.estimated_duration_minutes} min`),
         el("td", {}, badge(s.is_active ? "active" : "inactive")),
         el("td", {}, el("button", { type: "button", class: "secondary", onclick: () => edit(s) }, "Edit")))))),
    skus.length ? null : el("p", { class: "muted" }, "No SKUs: the merchant cannot order yet."),
    el("form", { id: "sku-form", onsubmit: submit },
       el("div", { class: "inline" }, Object.entries(inputs).map(([name, input]) => field(name, input)),
          field("orderable", active), save)), out,
    el("h2", {}, "Monthly statements"),
    statements.length ? el("table", {}, el("thead", {}, el("tr", {}, ["Month", "Jobs", "Total", "Sent"]
      .map((h) => el("th", {}, h)))),
      el("tbody", {}, statements.map((s) => el("tr", { "data-statement": s.statement_id },
        el("td", {}, s.month), el("td", {}, s.job_count), el("td", {}, minor(s.total_minor, s.currency)),
        el("td", {}, s.issued_at ? when(s.issued_at) : "not yet (on the 1st of the next month)")))))
    : el("p", { class: "muted" }, "No statements: a month's statement starts with its first completed order."));
}
