// The status page: GET /health (public) rendered as a table, refreshed every 15 seconds.

import { t, formatNumber } from "./common.js";

const body = document.getElementById("components");
const overall = document.getElementById("overall");

function cell(text, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  td.append(text);
  return td;
}

function badge(status, label) {
  const span = document.createElement("span");
  span.className = `badge ${status}`;
  span.textContent = label || t("status:" + status);
  return span;
}

function setOverall(status) {
  overall.className = `badge ${status}`;
  overall.textContent = t("status:" + status);
}

async function refresh() {
  let data;
  try {
    const response = await fetch("/health", { headers: { Accept: "application/json" } });
    data = await response.json();
  } catch {
    setOverall("down");
    return;
  }
  setOverall(data.status);
  const rows = Object.entries(data.components || {}).map(([name, c]) => {
    const tr = document.createElement("tr");
    // The stand-in's own words are the API's (English); the page says it in the reader's.
    const detail = c.standin ? t("Offline stand-in: answers are rule-based, not from a model.") : c.detail || "";
    tr.append(
      cell(t("component:" + name)),
      cell(c.standin ? badge("stale", t("stand-in")) : badge(c.status)),
      cell(c.latency_ms == null ? "—" : `${formatNumber(c.latency_ms, 1)} ms`, "num"),
      cell(detail, "small"),
    );
    return tr;
  });
  body.replaceChildren(...rows);
}

refresh();
setInterval(refresh, 15000);
