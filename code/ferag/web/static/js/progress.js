// A cycle's live progress: a single-use ticket from POST /tasks/{id}/ticket opens
// WS /ws/tasks/{id}?after=<seq> (docs/events.md); each event updates its step, the bar, the
// ETA and the log. When the pipeline ends the page reloads to show the outcome.

import { api, t, formatNumber, localiseTimes, showError } from "./common.js";

const TERMINAL = new Set(["done", "failed", "cancelled"]);
const steps = document.getElementById("steps");
const log = document.getElementById("log");
const bar = document.querySelector("#overall > span");
const now = document.getElementById("now");
const eta = document.getElementById("eta");
const stepNames = [...steps.querySelectorAll("li[data-step]")].map((li) => li.dataset.step);
let lastSeq = Number(steps.dataset.after || 0);
let retries = 0;

function duration(seconds) {
  if (seconds == null) return "";
  const s = Math.round(seconds);
  if (s < 60) return `${s} ${t("s")}`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} ${t("min")} ${s % 60} ${t("s")}`;
  return `${Math.floor(m / 60)} ${t("h")} ${m % 60} ${t("min")}`;
}

function setStep(event) {
  const li = steps.querySelector(`li[data-step="${CSS.escape(event.step)}"]`);
  if (!li) return;
  const state = event.status === "progress" ? "running" : event.status;
  li.className = state;
  const badge = li.querySelector(".badge");
  badge.className = `badge ${state}`;
  badge.textContent = t("status:" + state);
  const data = event.data || {};
  let detail = event.message || "";
  if (data.total) detail = `${detail} — ${formatNumber(data.done)} / ${formatNumber(data.total)}`;
  li.querySelector(".detail").textContent = detail;
}

function updateBar(event) {
  const done = [...steps.querySelectorAll("li.done")].length;
  const index = stepNames.indexOf(event.step);
  const inStep = event.status === "progress" && event.progress != null ? event.progress : 0;
  const fraction = Math.min(1, (done + (index >= 0 && event.status !== "done" ? inStep : 0)) / stepNames.length);
  bar.style.width = `${Math.round(fraction * 100)}%`;
  bar.parentElement.setAttribute("aria-valuenow", String(Math.round(fraction * 100)));
  const data = event.data || {};
  if (data.eta_s != null) eta.textContent = `${t("About")} ${duration(data.eta_s)} ${t("left in this step")}`;
  else if (event.status === "done") eta.textContent = "";
}

function appendLog(event) {
  const line = document.createElement("div");
  line.className = event.status;
  const seq = document.createElement("span");
  seq.className = "seq";
  seq.textContent = String(event.seq);
  const time = document.createElement("time");
  time.setAttribute("datetime", event.ts);
  time.dataset.format = "time";
  line.append(seq, time, ` ${event.step} ${event.status} ${event.message || ""}${event.error ? " — " + event.error : ""}`);
  log.append(line);
  localiseTimes(line);
  log.scrollTop = log.scrollHeight;
}

function onEvent(event) {
  if (event.seq <= lastSeq) return;
  lastSeq = event.seq;
  if (event.step !== "pipeline") setStep(event);
  else now.textContent = event.message || t("status:" + event.status);
  updateBar(event);
  appendLog(event);
  if (event.step === "pipeline" && TERMINAL.has(event.status)) {
    now.textContent = t("Finished; loading the outcome…");
    setTimeout(() => window.location.reload(), 800);
  }
}

async function connect() {
  const ticket = await api("POST", `/tasks/${steps.dataset.task}/ticket`);
  if (!ticket.ok) {
    showError(document.getElementById("action-error"), ticket.data);
    return;
  }
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${window.location.host}${ticket.data.url}&after=${lastSeq}`);
  socket.addEventListener("message", (message) => {
    const data = JSON.parse(message.data);
    if (data.type === "event") onEvent(data);
  });
  socket.addEventListener("close", (close) => {
    if (close.code === 1000 || close.code === 4404) return;
    if (retries++ < 20) setTimeout(connect, Math.min(10000, 500 * retries));
  });
}

// The server rendered the steps; fill the bar from them before the first live event.
updateBar({ step: "", status: "" });
if (steps.dataset.active === "yes") connect();
