// Chat: POST /rags/{id}/chat with stream=true, read as server-sent events (context, token…,
// done | error); the answer grows as it streams, then its citations open their passages.

import { csrfHeader, t, showError, clearError, formatNumber, localiseTimes } from "./common.js";

const form = document.getElementById("ask");
const box = document.getElementById("messages");
const question = document.getElementById("question");
const errorBox = document.getElementById("chat-error");
const asOf = document.getElementById("as-of");

function bubble(role, text) {
  document.getElementById("chat-empty")?.remove();
  const div = document.createElement("div");
  div.className = `msg ${role}`;
  div.textContent = text;
  box.append(div);
  div.scrollIntoView({ block: "end" });
  return div;
}

function citation(c) {
  const details = document.createElement("details");
  details.className = "citation";
  const summary = document.createElement("summary");
  summary.textContent = `[${c.number}] ${c.title}`;
  const passage = document.createElement("div");
  passage.className = "passage";
  const path = document.createElement("div");
  path.className = "path";
  path.textContent = (c.path || c.document_iri || c.iri) + (c.order != null ? ` · ${t("passage")} ${formatNumber(c.order + 1)}` : "");
  passage.append(path);
  if (c.excerpt) {
    const quote = document.createElement("blockquote");
    quote.textContent = c.excerpt;
    passage.append(quote);
  }
  details.append(summary, passage);
  return details;
}

/** The time the answer was given for (the context's time scope), as chat_scope.html says it. */
function scopeLine(time) {
  const line = document.createElement("div");
  line.className = "scope small";
  line.dataset.scope = time.scope;
  if (time.scope === "at") {
    const when = document.createElement("time");
    when.setAttribute("datetime", time.start);
    when.dataset.format = "date";
    when.textContent = time.start;
    line.append(`${t("Answered as of")} `, when);
    localiseTimes(line);
  } else if (time.scope === "history") {
    line.textContent = t("Answered from all facts, ended ones included");
  } else if (time.scope === "period") {
    const span = time.end && time.end !== time.start ? `${time.start}–${time.end}` : time.start;
    line.textContent = `${t("Answered for the period")} ${span}`;
  } else {
    line.textContent = t("Answered from the current facts");
  }
  return line;
}

function finish(answerBox, done) {
  answerBox.textContent = done.answer;
  if (done.telemetry?.time) {
    const line = scopeLine(done.telemetry.time);
    if (done.cached) {
      const cached = document.createElement("span");
      cached.className = "cached";
      cached.textContent = t("from the answer cache");
      line.append(" · ", cached);
    }
    answerBox.append(line);
  }
  if (done.citations?.length) {
    const cites = document.createElement("div");
    cites.className = "cites";
    cites.append(...done.citations.map(citation));
    answerBox.append(cites);
  }
  const timings = done.telemetry?.timings_ms;
  if (timings) {
    const meta = document.createElement("details");
    meta.className = "meta";
    const summary = document.createElement("summary");
    summary.textContent = t("Timings and facts used");
    const body = document.createElement("div");
    body.textContent = Object.entries(timings).map(([k, v]) => `${k}: ${formatNumber(v, 0)} ms`).join(" · ");
    const entities = document.createElement("div");
    entities.textContent = (done.entities || []).map((e) => e.label).join(", ");
    meta.append(summary, body, entities);
    answerBox.append(meta);
  }
  if (!form.dataset.session) addSession(done.session_id);
  form.dataset.session = done.session_id;
  const url = new URL(window.location.href);
  url.searchParams.set("session", done.session_id);
  window.history.replaceState(null, "", url);
}

function addSession(id) {
  const list = document.querySelector(".sessions");
  if (!list) return;
  list.querySelector("li.small")?.remove();
  const link = document.createElement("a");
  link.href = `?session=${encodeURIComponent(id)}`;
  link.textContent = box.querySelector(".msg.user")?.textContent || id;
  link.setAttribute("aria-current", "page");
  const item = document.createElement("li");
  item.append(link);
  list.prepend(item);
}

function* parseEvents(buffer) {
  let index;
  while ((index = buffer.text.indexOf("\n\n")) >= 0) {
    const block = buffer.text.slice(0, index);
    buffer.text = buffer.text.slice(index + 2);
    let name = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) name = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    yield { name, data: data.length ? JSON.parse(data.join("\n")) : null };
  }
}

async function ask(text) {
  bubble("user", text);
  const answerBox = bubble("assistant", "…");
  const body = { question: text, stream: true };
  if (form.dataset.session) body.session_id = form.dataset.session;
  if (asOf.value) body.as_of = asOf.value; // empty: now
  const response = await fetch(form.dataset.url, {
    method: "POST",
    credentials: "same-origin",
    headers: { ...csrfHeader(), "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify(body),
  });
  if (!response.ok || !response.body) {
    answerBox.remove();
    showError(errorBox, await response.json().catch(() => null));
    return;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const buffer = { text: "" };
  let streamed = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer.text += value;
    for (const event of parseEvents(buffer)) {
      if (event.name === "token") {
        streamed += event.data.text;
        answerBox.textContent = streamed;
      } else if (event.name === "done") {
        finish(answerBox, event.data);
      } else if (event.name === "error") {
        showError(errorBox, event.data);
      }
    }
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = question.value.trim();
  if (!text) return;
  clearError(errorBox);
  question.value = "";
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    await ask(text);
  } finally {
    button.disabled = false;
    question.focus();
  }
});

question.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});
