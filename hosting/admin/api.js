// The console's session and its one way to reach the backend: the admin callables, same-origin through
// firebase.json's rewrites (/admin/api/<name>), with the callable protocol the Firebase SDKs use:
// POST {"data": ...} with "Authorization: Bearer <ID token>", answered {"result"} or {"error": {status, message}}.
// Whether the caller is an admin is decided by the callables (the `admin: true` claim), never by this page.

const SESSION_KEY = "curbside.admin.session";
const IDENTITY = "https://identitytoolkit.googleapis.com/v1/accounts:signInWithPassword";
const SECURE_TOKEN = "https://securetoken.googleapis.com/v1/token";

export class CallError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let config = null;
let session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");

/** Hosting's reserved /__/firebase/init.json: the project and Web API key (locally: `devSignIn: true`). */
export async function loadConfig() {
  const response = await fetch("/__/firebase/init.json");
  config = response.ok ? await response.json() : {};
  return config;
}

export function currentSession() {
  return session;
}

function keep(next) {
  session = next;
  if (next) sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(SESSION_KEY);
}

export function signOut() {
  keep(null);
}

/** Local stack only: an unsigned emulator token for a user of the local database (devstack/hosting.py). */
export async function devSignIn(uid) {
  const response = await fetch("/__devstack/sign-in", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ uid }),
  });
  const body = await response.json();
  if (!response.ok) throw new CallError("UNAUTHENTICATED", body.error || "Sign-in failed.");
  keep({ uid: body.uid, label: body.uid, idToken: body.idToken, expiresAt: Date.now() + 3500e3 });
}

/** Production: Firebase Auth e-mail and password through the Identity Toolkit REST API. */
export async function passwordSignIn(email, password) {
  const response = await fetch(`${IDENTITY}?key=${encodeURIComponent(config.apiKey)}`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password, returnSecureToken: true }),
  });
  const body = await response.json();
  if (!response.ok) throw new CallError("UNAUTHENTICATED", "Wrong e-mail or password.");
  keep({ uid: body.localId, label: body.email, idToken: body.idToken, refreshToken: body.refreshToken,
         expiresAt: Date.now() + (Number(body.expiresIn) - 60) * 1000 });
}

async function freshToken() {
  if (!session) throw new CallError("UNAUTHENTICATED", "Sign in first.");
  if (Date.now() < session.expiresAt || !session.refreshToken) return session.idToken;
  const response = await fetch(`${SECURE_TOKEN}?key=${encodeURIComponent(config.apiKey)}`, {
    method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: session.refreshToken }),
  });
  if (!response.ok) {
    keep(null);
    throw new CallError("UNAUTHENTICATED", "Your session ended: sign in again.");
  }
  const body = await response.json();
  keep({ ...session, idToken: body.id_token, refreshToken: body.refresh_token,
         expiresAt: Date.now() + (Number(body.expires_in) - 60) * 1000 });
  return session.idToken;
}

/** Call an admin callable; resolves to its result, rejects with a CallError (status, message). */
export async function call(name, data = {}) {
  const response = await fetch(`/admin/api/${name}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${await freshToken()}` },
    body: JSON.stringify({ data }),
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw new CallError("INTERNAL", `The server answered ${response.status}.`);
  }
  if (body && "result" in body) return body.result;
  const error = (body && body.error) || {};
  throw new CallError(error.status || "INTERNAL", error.message || `The server answered ${response.status}.`);
}
