// User management: one account's status, changed with a reason (admin_set_account_status).
import { act, el, show } from "./dom.js";

const STATUSES = ["active", "shadow_banned", "suspended", "banned"];

export async function users(main, call) {
  const out = el("div");
  const userId = el("input", { name: "user_id", required: true, placeholder: "User id" });
  const status = el("select", { name: "account_status" }, STATUSES.map((s) => el("option", { value: s }, s.replace("_", " "))));
  const reason = el("input", { name: "reason", required: true, minlength: 5, placeholder: "Reason (admins only)" });
  const apply = el("button", { type: "submit" }, "Apply");
  const submit = (event) => {
    event.preventDefault();
    act(apply, out, async () => {
      const result = await call("admin_set_account_status", {
        user_id: userId.value.trim(), account_status: status.value, reason: reason.value.trim(),
      });
      if (!result.changed) throw new Error(`${result.user_id} is already ${result.account_status}.`);
    }, `${userId.value.trim()} is now ${status.value.replace("_", " ")}.`);
  };
  show(main, el("h1", {}, "Users"),
       el("form", { class: "stack", onsubmit: submit, id: "account-status" },
          el("label", {}, "User id ", userId), el("label", {}, "Account status ", status),
          el("label", {}, "Reason ", reason), apply), out);
}
