// File management: the admins' folder admin_files/ in Storage (admin_list_files); upload an image or a PDF
// (admin_upload_file checks its bytes), a shareable signed link with an expiry (admin_share_file), and delete
// (admin_delete_file). Uploading, sharing and deleting are audited.
import { act, el, message, show, when } from "./dom.js";

const size = (bytes) => (bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} kB`);
const safeName = (name) => name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.]+/, "").slice(0, 128);

/** The file's bytes as base64 (the callable carries the upload). */
function base64Of(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(new Error("The file could not be read."));
    reader.readAsDataURL(file);
  });
}

export async function files(main, call, notice = null) {
  const listing = await call("admin_list_files", {});
  const out = el("div");
  const reload = (done) => files(main, call, done);
  const picker = el("input", { name: "file", type: "file", accept: "image/jpeg,image/png,image/webp,image/heic,application/pdf" });
  const name = el("input", { name: "name", placeholder: "Name in admin_files/", maxlength: 128 });
  picker.addEventListener("change", () => { if (picker.files[0] && !name.value) name.value = safeName(picker.files[0].name); });
  const send = el("button", { type: "submit" }, "Upload");
  const upload = (event) => {
    event.preventDefault();
    act(send, out, async () => {
      const file = picker.files[0];
      if (!file) throw new Error("Choose a file first.");
      const stored = await call("admin_upload_file", { name: name.value.trim() || safeName(file.name), content_base64: await base64Of(file) });
      await reload(`${stored.name} uploaded.`);
    });
  };
  const row = (f) => {
    const minutes = el("input", { name: "expires_in_minutes", type: "number", min: 1, max: 10080, value: 60 });
    const link = el("div", { class: "share" });
    return el("tr", { "data-file": f.name },
      el("td", {}, f.name), el("td", {}, f.content_type || "—"), el("td", {}, size(f.size)), el("td", {}, when(f.updated)),
      el("td", {}, el("div", { class: "inline" }, minutes, "minutes",
        el("button", { type: "button", class: "secondary", onclick: (event) => act(event.target, link, async () => {
          const shared = await call("admin_share_file", { name: f.name, expires_in_minutes: Number(minutes.value) });
          show(link, el("a", { href: shared.url, target: "_blank", rel: "noopener noreferrer" }, "Signed link"),
               ` · works until ${when(shared.expires_at)}`);
        }) }, "Share"),
        el("button", { type: "button", class: "danger", onclick: (event) => act(event.target, out, async () => {
          await call("admin_delete_file", { name: f.name });
          await reload(`${f.name} deleted.`);
        }) }, "Delete")), link));
  };
  show(main, el("h1", {}, "Files"), notice ? message("ok", notice) : null,
       el("form", { class: "panel inline", id: "upload", onsubmit: upload }, picker, name, send,
          el("span", { class: "muted" }, "Images or PDFs, up to 5 MB.")), out,
       el("table", {}, el("thead", {}, el("tr", {}, ["Name", "Type", "Size", "Changed", "Share or delete"].map((h) => el("th", {}, h)))),
          el("tbody", {}, listing.files.map(row))),
       listing.files.length ? null : el("p", { class: "muted" }, "No files yet."),
       listing.truncated ? el("p", { class: "muted" }, "Only the first 500 files are listed.") : null);
}
