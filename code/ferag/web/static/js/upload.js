// Upload: files, folders (the picker or drag and drop) and zips, a date per document, the
// limits checked before sending, then POST /rags/{id}/upload; the API's error is shown as it
// comes, and on the row of the file it names.

import { api, t, formatNumber, plural, showError, clearError } from "./common.js";

const form = document.getElementById("upload");
const drop = document.getElementById("drop");
const list = document.getElementById("file-list");
const summary = document.getElementById("summary");
const errorBox = document.getElementById("upload-error");
const limits = JSON.parse(document.getElementById("limits").textContent);
const chosen = new Map(); // path → {file, date input, row}

function size(bytes) {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${formatNumber(value, unit ? 1 : 0)} ${units[unit]}`;
}

function add(file, path) {
  const key = path || file.webkitRelativePath || file.name;
  if (chosen.has(key)) return;
  const row = document.createElement("div");
  row.className = "file-row";
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = key;
  const bytes = document.createElement("span");
  bytes.className = "small muted";
  bytes.textContent = size(file.size);
  const date = document.createElement("input");
  date.type = "date";
  date.setAttribute("aria-label", `${t("Date of")} ${key}`);
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "btn secondary small";
  remove.textContent = "×";
  remove.setAttribute("aria-label", `${t("Remove")} ${key}`);
  remove.addEventListener("click", () => { chosen.delete(key); row.remove(); refresh(); });
  row.append(name, bytes, date, remove);
  list.append(row);
  chosen.set(key, { file, date, row });
}

/** The row of the file a refusal names. A document error's message starts with the document's
 * path, "path: problem. fix", or for an archive member "member (in archive.zip): …". */
function refusedRow(message) {
  const said = (message || "").normalize("NFC");
  for (const [key, item] of chosen) {
    const path = key.normalize("NFC").replace(/^\.\//, "");
    if (said.startsWith(`${path}: `) || said.includes(` (in ${path}): `)) return item.row;
  }
  return null;
}

function clearRowErrors() {
  for (const row of list.querySelectorAll(".file-row.refused")) {
    row.classList.remove("refused");
    row.querySelector(".row-error")?.remove();
  }
}

function markRefused(data) {
  const message = data?.error?.message;
  const row = refusedRow(message);
  if (!row) return;
  const note = document.createElement("div");
  note.className = "row-error";
  note.setAttribute("role", "alert");
  note.textContent = message;
  row.classList.add("refused");
  row.append(note);
  row.scrollIntoView({ block: "nearest" });
}

function refresh() {
  const total = [...chosen.values()].reduce((sum, item) => sum + item.file.size, 0);
  summary.textContent = chosen.size ? `${plural(chosen.size, "file|files")}, ${size(total)}` : "";
  clearError(errorBox);
  clearRowErrors();
  const tooBig = [...chosen.entries()].filter(([, item]) => item.file.size > limits.request);
  if (chosen.size > limits.files) {
    showError(errorBox, { error: { code: "too_many_files", message: `${t("At most")} ${plural(limits.files, "file|files")}` } });
  } else if (tooBig.length || total > limits.request) {
    showError(errorBox, { error: { code: "payload_too_large", message: `${t("At most")} ${size(limits.request)}` } });
  }
}

async function walk(entry, prefix) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    add(file, prefix + file.name);
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    let batch;
    do {
      batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
    } while (batch.length);
  }
}

for (const input of [document.getElementById("files"), document.getElementById("folder")]) {
  input.addEventListener("change", () => {
    for (const file of input.files) add(file);
    input.value = "";
    refresh();
  });
}

drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", async (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  const entries = [...event.dataTransfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (entries.length) for (const entry of entries) await walk(entry, "");
  else for (const file of event.dataTransfer.files) add(file);
  refresh();
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!chosen.size) {
    showError(errorBox, { error: { code: "no_files", message: t("Choose at least one file.") } });
    return;
  }
  const body = new FormData();
  const dates = {};
  for (const [path, item] of chosen) {
    body.append("files", item.file, path);
    if (item.date.value) dates[path] = item.date.value;
  }
  if (Object.keys(dates).length) body.append("dates", JSON.stringify(dates));
  const all = document.getElementById("date").value;
  if (all) body.append("date", all);
  const button = document.getElementById("send");
  button.disabled = true;
  clearRowErrors();
  summary.textContent = t("Uploading…");
  const result = await api("POST", form.dataset.url, body);
  button.disabled = false;
  if (!result.ok) {
    summary.textContent = "";
    showError(errorBox, result.data);
    markRefused(result.data);
    return;
  }
  window.location.assign(form.dataset.then.replace("{cycle_id}", String(result.data.cycle_id)));
});
