// Building the page without innerHTML: every value from the backend becomes a text node, so a name such as
// `<img src=x onerror=alert(1)>` shows as those characters and never runs (with the CSP as a second wall).

/** el("td", {class: "x", onclick: fn}, "text", child) — attributes, listeners ("on..."), then children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function show(root, ...children) {
  root.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined));
}

export function message(kind, text) {
  return el("div", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

export function badge(status) {
  return el("span", { class: `status ${status}` }, String(status || "—").replaceAll("_", " "));
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** Run an action from a button: disable it meanwhile; show `done` in `out` (if given) or the error. */
export async function act(button, out, action, done = null) {
  button.disabled = true;
  try {
    await action();
    if (done) show(out, message("ok", done));
  } catch (error) {
    show(out, message("error", error.message));
  } finally {
    button.disabled = false;
  }
}
