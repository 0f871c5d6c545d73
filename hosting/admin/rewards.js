// The loyalty rewards editor: the catalogue cheapest first (admin_list_rewards); create or edit a reward, or
// deactivate it (admin_upsert_reward writes the reward whole; redemptions already made stay usable), or delete
// one nobody redeemed (admin_delete_reward).
import { act, badge, el, show } from "./dom.js";

const TYPES = ["percentage_discount", "fixed_discount", "free_service", "priority_booking", "special_perk"];
const TIERS = ["bronze", "silver", "gold", "platinum"];
const FIELDS = ["title", "description", "points_required", "reward_type", "tier_required", "discount_percentage",
                "discount_amount", "expiry_days", "is_active", "icon"];

const label = (value) => value.replaceAll("_", " ");

/** The payload for admin_upsert_reward from a reward as listed (absent and null fields left out). */
function payload(reward, changes = {}) {
  const merged = { ...reward, ...changes };
  const out = Object.fromEntries(FIELDS.filter((f) => merged[f] !== null && merged[f] !== undefined && merged[f] !== "")
    .map((f) => [f, merged[f]]));
  return reward.reward_id ? { reward_id: reward.reward_id, ...out } : out;
}

export async function rewards(main, call, notice = null) {
  const { rewards: catalogue } = await call("admin_list_rewards", {});
  const out = el("div");
  const reload = (done) => rewards(main, call, done);
  const form = editor(call, out, reload);
  const why = el("input", { name: "delete_reason", minlength: 5, placeholder: "Reason for deleting a reward" });
  show(main, el("h1", {}, "Rewards"), notice ? el("div", { class: "message ok", role: "status" }, notice) : null,
       form.node, out, el("p", { class: "inline" }, why,
         el("span", { class: "muted" }, "A reward someone redeemed cannot be deleted: deactivate it.")),
       el("table", {}, el("thead", {}, el("tr", {}, ["Title", "Points", "Type", "Tier", "Discount", "Status", ""]
         .map((h) => el("th", {}, h)))),
          el("tbody", {}, catalogue.map((r) => el("tr", { "data-reward": r.reward_id },
            el("td", {}, r.title), el("td", {}, r.points_required), el("td", {}, label(r.reward_type)),
            el("td", {}, r.tier_required),
            el("td", {}, r.discount_percentage ? `${r.discount_percentage}%` : r.discount_amount ? `$${r.discount_amount}` : "—"),
            el("td", {}, badge(r.is_active ? "active" : "inactive")),
            el("td", { class: "inline" },
               el("button", { type: "button", class: "secondary", onclick: () => form.fill(r) }, "Edit"),
               r.is_active ? el("button", { type: "button", class: "danger", onclick: (event) => act(event.target, out, async () => {
                 await call("admin_upsert_reward", payload(r, { is_active: false }));
                 await reload(`${r.title} deactivated.`);
               }) }, "Deactivate") : null,
               el("button", { type: "button", class: "danger", onclick: (event) => act(event.target, out, async () => {
                 await call("admin_delete_reward", { reward_id: r.reward_id, reason: why.value.trim() });
                 await reload(`${r.title} deleted.`);
               }) }, "Delete")))))));
}

function editor(call, out, reload) {
  const inputs = {
    title: el("input", { name: "title", required: true, maxlength: 100 }),
    description: el("input", { name: "description", maxlength: 500 }),
    points_required: el("input", { name: "points_required", type: "number", min: 1, required: true }),
    reward_type: el("select", { name: "reward_type" }, TYPES.map((t) => el("option", { value: t }, label(t)))),
    tier_required: el("select", { name: "tier_required" }, TIERS.map((t) => el("option", { value: t }, t))),
    discount_percentage: el("input", { name: "discount_percentage", type: "number", min: 0, max: 100, step: "any" }),
    discount_amount: el("input", { name: "discount_amount", type: "number", min: 0, step: "0.01" }),
    expiry_days: el("input", { name: "expiry_days", type: "number", min: 1, max: 365, value: 30 }),
  };
  let editing = null;
  const heading = el("h2", {}, "New reward");
  const save = el("button", { type: "submit" }, "Save reward");
  const number = (input) => (input.value === "" ? null : Number(input.value));
  const submit = (event) => {
    event.preventDefault();
    act(save, out, async () => {
      const values = {
        title: inputs.title.value.trim(), description: inputs.description.value.trim() || null,
        points_required: number(inputs.points_required), reward_type: inputs.reward_type.value,
        tier_required: inputs.tier_required.value, discount_percentage: number(inputs.discount_percentage),
        discount_amount: inputs.discount_amount.value === "" ? null : inputs.discount_amount.value,
        expiry_days: number(inputs.expiry_days), is_active: editing ? editing.is_active : true,
      };
      await call("admin_upsert_reward", payload(editing || {}, values));
      await reload(`${values.title} saved.`);
    });
  };
  const node = el("form", { class: "panel", id: "reward-form", onsubmit: submit }, heading,
    el("div", { class: "inline" }, Object.entries(inputs).map(([name, input]) => el("label", {}, `${label(name)} `, input))),
    save);
  const fill = (reward) => {
    editing = reward;
    heading.textContent = `Edit ${reward.title}`;
    for (const [name, input] of Object.entries(inputs)) input.value = reward[name] ?? "";
    node.scrollIntoView();
  };
  return { node, fill };
}
