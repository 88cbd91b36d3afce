// Shared by every page: the API client (session cookie + CSRF header), forms and buttons that
// call the API (data-api="METHOD /path"), error display, and dates in the reader's time zone.

const messages = JSON.parse(document.getElementById("ui-messages")?.textContent || "{}");
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
export const lang = document.documentElement.lang || "en";
// The browser's own variant of the page's language (en-GB writes 4 Dec 2026, 14:05).
const locale = navigator.language?.startsWith(lang) ? navigator.language : lang;

export function t(key) {
  return messages[key] || key;
}

export function csrfHeader() {
  return { "X-CSRF-Token": csrf };
}

/** Call the JSON API as the signed-in reader. Resolves to {ok, status, data}. */
export async function api(method, url, body) {
  const headers = { "X-CSRF-Token": csrf, Accept: "application/json" };
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  } catch (err) {
    return { ok: false, status: 0, data: { error: { code: "network", message: String(err) } } };
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { error: { code: "http_" + response.status, message: text.slice(0, 300) } }; }
  return { ok: response.ok, status: response.status, data };
}

/** The API's error as the reader reads it: translated when we know its code. */
export function errorText(data) {
  const error = (data && data.error) || { code: "unknown", message: "" };
  const known = messages["error:" + error.code];
  return { text: known || error.message || error.code, code: error.code, details: error.details || [] };
}

export function showError(target, data) {
  if (!target) return;
  const { text, code, details } = errorText(data);
  target.replaceChildren(document.createTextNode(text));
  const codeSpan = document.createElement("span");
  codeSpan.className = "code";
  codeSpan.textContent = code;
  target.append(codeSpan);
  for (const detail of details.slice(0, 10)) {
    const line = document.createElement("div");
    line.className = "small";
    line.textContent = [(detail.loc || []).join("."), detail.msg].filter(Boolean).join(": ");
    target.append(line);
  }
}

export function clearError(target) {
  if (target) target.replaceChildren();
}

function fill(template, data) {
  return template.replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(data?.[key] ?? ""));
}

function formBody(form) {
  const body = {};
  for (const field of form.elements) {
    if (!field.name || field.dataset.local !== undefined || field.type === "submit") continue;
    if (field.type === "hidden" && field.name === "csrf_token") continue;
    if (field.type === "radio" && !field.checked) continue;
    if (field.type === "checkbox") {  // a list: the values of the boxes ticked
      body[field.name] = [...(body[field.name] || []), ...(field.checked ? [field.value] : [])];
      continue;
    }
    let value = field.value;
    if (field.dataset.null !== undefined && value === field.dataset.null) value = null;
    body[field.name] = value;
  }
  return body;
}

async function send(element, errorTarget) {
  const [method, url] = element.dataset.api.split(" ");
  if (element.dataset.confirm && !window.confirm(element.dataset.confirm)) return;
  const isForm = element.tagName === "FORM";
  if (isForm && element.dataset.confirmName !== undefined) {
    if (element.elements.confirm_name.value !== element.dataset.confirmName) {
      showError(errorTarget, { error: { code: "confirm_name", message: t("Type the exact name to confirm.") } });
      return;
    }
  }
  const button = isForm ? element.querySelector("[type=submit]") : element;
  if (button) button.disabled = true;
  clearError(errorTarget);
  const body = isForm && !["DELETE"].includes(method) ? formBody(element) : undefined;
  const result = await api(method, url, body);
  if (button) button.disabled = false;
  if (!result.ok) {
    showError(errorTarget, result.data);
    return;
  }
  if (element.dataset.then) {
    window.location.assign(fill(element.dataset.then, result.data));
  } else if (element.dataset.notice && errorTarget) {
    const note = document.createElement("div");
    note.className = "notice";
    note.textContent = element.dataset.notice;
    errorTarget.replaceWith(note);
    setTimeout(() => note.replaceWith(errorTarget), 2500);
  } else {
    window.location.reload();
  }
}

function wireActions(root) {
  for (const form of root.querySelectorAll("form[data-api]")) {
    const errorTarget = form.querySelector(".form-error");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(form, errorTarget);
    });
    if (form.dataset.submitOnChange !== undefined) {
      form.addEventListener("change", () => send(form, errorTarget));
    }
  }
  for (const button of root.querySelectorAll("button[data-api]")) {
    button.addEventListener("click", () => send(button, document.getElementById("action-error")));
  }
}

export function localiseTimes(root) {
  const full = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  const clock = new Intl.DateTimeFormat(locale, { timeStyle: "medium" });
  const day = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" });
  for (const el of root.querySelectorAll("time[datetime]")) {
    const when = new Date(el.getAttribute("datetime"));
    if (Number.isNaN(when.getTime())) continue;
    el.title = when.toISOString();
    const format = { time: clock, date: day }[el.dataset.format] || full;
    el.textContent = format.format(when);
  }
}

/** "3 files" / "3 файла": the forms are one message, separated by "|" (en: 2, ru: 3). */
export function plural(n, key) {
  const forms = t(key).split("|");
  const rule = new Intl.PluralRules(lang).select(n);
  const index = forms.length === 3 ? { one: 0, few: 1 }[rule] ?? 2 : rule === "one" ? 0 : 1;
  return `${formatNumber(n)} ${forms[Math.min(index, forms.length - 1)]}`;
}

export function formatNumber(value, digits = 0) {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
}

wireActions(document);
localiseTimes(document);
