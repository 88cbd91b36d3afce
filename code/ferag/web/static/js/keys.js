// API keys: POST /auth/api-keys shows the new key once (with a copy button) and adds its row;
// DELETE /auth/api-keys/{id} revokes one after a confirmation. The API keeps them per user.

import { api, t, showError, clearError, localiseTimes } from "./common.js";

const form = document.getElementById("new-key");
const formError = document.getElementById("new-key-error");
const listError = document.getElementById("keys-error");
const rows = document.querySelector("#keys tbody");
const secret = document.getElementById("secret");
const secretKey = document.getElementById("secret-key");
const copied = document.getElementById("copied");

function cell(...children) {
  const td = document.createElement("td");
  td.append(...children);
  return td;
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function moment(iso) {
  const time = element("time", "", iso);
  time.setAttribute("datetime", iso);
  return time;
}

function revokeButton(key) {
  const button = element("button", "btn danger small", t("Revoke"));
  button.type = "button";
  button.dataset.revoke = String(key.id);
  button.setAttribute("aria-label", `${t("Revoke")} ${key.name}`);
  return button;
}

function addRow(key) {
  const row = document.createElement("tr");
  row.dataset.key = String(key.id);
  const status = cell(element("span", "badge ok", t("active")));
  status.className = "key-status";
  row.append(
    cell(document.createTextNode(key.name)),
    cell(element("code", "", `${key.prefix}…`)),
    cell(moment(key.created_at)),
    cell(element("span", "muted", t("never"))),
    status,
    cell(revokeButton(key)),
  );
  rows.prepend(row);
  localiseTimes(row);
  document.getElementById("no-keys").hidden = true;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearError(formError);
  const button = form.querySelector("button");
  button.disabled = true;
  const result = await api("POST", form.dataset.url, { name: form.elements.name.value.trim() });
  button.disabled = false;
  if (!result.ok) {
    showError(formError, result.data);
    return;
  }
  secretKey.textContent = result.data.key;
  copied.textContent = "";
  secret.hidden = false;
  form.reset();
  addRow(result.data);
});

document.getElementById("copy-key").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(secretKey.textContent);
  } catch {
    // No clipboard access (a page served over plain http elsewhere than localhost): select the
    // key so that the reader's own copy shortcut takes it.
    const range = document.createRange();
    range.selectNodeContents(secretKey);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    copied.textContent = t("Selected: copy it with Ctrl+C.");
    return;
  }
  copied.textContent = t("Copied.");
});

rows.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-revoke]");
  if (!button) return;
  if (!window.confirm(t("Revoke this key? Programs that use it are refused from now on."))) return;
  clearError(listError);
  button.disabled = true;
  const result = await api("DELETE", `/auth/api-keys/${encodeURIComponent(button.dataset.revoke)}`);
  if (!result.ok) {
    button.disabled = false;
    showError(listError, result.data);
    return;
  }
  const row = button.closest("tr");
  row.querySelector(".key-status").replaceChildren(element("span", "badge failed", t("revoked")));
  button.remove();
});
