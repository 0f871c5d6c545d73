// The admin console's shell: sign-in, the navigation and the screens (one module each).
import { CallError, call, currentSession, devSignIn, loadConfig, passwordSignIn, signOut } from "./api.js";
import { el, message, show } from "./dom.js";
import { audit } from "./audit.js";
import { dashboard } from "./dashboard.js";
import { disputes } from "./disputes.js";
import { files } from "./files.js";
import { fraud } from "./fraud.js";
import { merchants } from "./merchants.js";
import { pricing } from "./pricing.js";
import { rewards } from "./rewards.js";
import { services } from "./services.js";
import { tickets } from "./tickets.js";
import { users } from "./users.js";
import { verification } from "./verification.js";

const SCREENS = { dashboard, verification, users, fraud, disputes, tickets, rewards, pricing, services, merchants, files,
                  audit };
const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
const signOutButton = document.getElementById("sign-out");

function signInForm(config, refusal) {
  const out = el("div");
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      if (config.devSignIn) await devSignIn(String(form.get("uid")).trim());
      else await passwordSignIn(String(form.get("email")).trim(), String(form.get("password")));
      await route();
    } catch (error) {
      show(out, message("error", error.message));
    }
  };
  const fields = config.devSignIn
    ? [el("p", { class: "muted" }, "Local stack: development sign-in as a user of the local database " +
          "(the seed's admin is admin-001)."),
       el("label", {}, "User id ", el("input", { name: "uid", value: "admin-001", required: true, id: "uid" }))]
    : [el("label", {}, "E-mail ", el("input", { name: "email", type: "email", required: true, autocomplete: "username" })),
       el("label", {}, "Password ", el("input", { name: "password", type: "password", required: true,
                                                  autocomplete: "current-password" }))];
  show(main, el("h1", {}, "Sign in"), refusal ? message("error", refusal) : null,
       el("form", { class: "stack", onsubmit: submit, id: "sign-in" }, fields,
          el("button", { type: "submit" }, "Sign in")), out);
}

async function route() {
  const config = await loadConfig();
  const session = currentSession();
  if (!session) {
    nav.hidden = signOutButton.hidden = true;
    who.textContent = "";
    return signInForm(config);
  }
  const name = location.hash.replace(/^#\//, "").split(/[/?]/)[0] || "dashboard";
  const screen = SCREENS[name] || dashboard;
  for (const link of nav.querySelectorAll("a")) link.classList.toggle("current", link.hash === `#/${name}`);
  try {
    await screen(main, call);
    nav.hidden = signOutButton.hidden = false;
    who.textContent = session.label;
  } catch (error) {
    if (error instanceof CallError && ["PERMISSION_DENIED", "UNAUTHENTICATED"].includes(error.status)) {
      signOut();
      nav.hidden = signOutButton.hidden = true;
      who.textContent = "";
      return signInForm(config, `Refused: ${error.message} The console shows nothing to an account without ` +
                                "the admin role.");
    }
    show(main, message("error", error.message));
  }
}

signOutButton.addEventListener("click", () => { signOut(); route(); });
window.addEventListener("hashchange", route);
route();
