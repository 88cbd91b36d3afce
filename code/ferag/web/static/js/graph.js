// The review's graph view: the change set's relations around one entity, drawn as an SVG with
// the entity in the middle and its neighbours on a circle (two alternating rings when there are
// many). The data comes from the page's JSON block; every label is set with textContent, so
// names stay text. A neighbour is a link that centres the graph on it.

import { t } from "./common.js";

const NS = "http://www.w3.org/2000/svg";
const WIDTH = 960;
const MAX_LABEL = 30;

function svg(name, attributes = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function clip(text, length = MAX_LABEL) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function nameOf(ref) {
  return ref.label || ref.iri.split("/").pop() || ref.iri;
}

/** The other end of each edge, once per neighbour, with the edges that reach it. */
function neighboursOf(center, edges) {
  const found = new Map();
  for (const edge of edges) {
    const outgoing = edge.subject.iri === center.iri;
    const other = outgoing ? edge.object : edge.subject;
    if (other.iri === center.iri) continue; // a relation of the entity with itself
    if (!found.has(other.iri)) found.set(other.iri, { ref: other, edges: [] });
    found.get(other.iri).edges.push({ ...edge, outgoing });
  }
  return [...found.values()];
}

function arrowHead(id) {
  const marker = svg("marker", {
    id, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
  });
  marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow-head" }));
  return marker;
}

function draw(box, data) {
  const center = data.entity;
  const neighbours = neighboursOf(center, data.edges);
  const rings = neighbours.length > 14 ? 2 : 1;
  const height = rings === 2 ? 720 : 560;
  const cx = WIDTH / 2;
  const cy = height / 2;
  const outer = height / 2 - 50;
  const root = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-labelledby": "graph-title",
  });
  root.append(svg("title", { id: "graph-title" }, box.getAttribute("aria-label") || ""));
  const defs = svg("defs");
  defs.append(arrowHead("arrow"));
  root.append(defs);
  const lines = svg("g", { class: "edges" });
  const nodes = svg("g", { class: "nodes" });
  root.append(lines, nodes);

  neighbours.forEach((neighbour, index) => {
    const angle = (2 * Math.PI * index) / neighbours.length - Math.PI / 2;
    const radius = rings === 2 && index % 2 ? outer * 0.62 : outer;
    const x = cx + radius * Math.cos(angle);
    const y = cy + radius * Math.sin(angle);
    const changed = neighbour.edges.some((edge) => edge.change === "changed") ? "changed" : "added";
    // The line runs from the node that states the relation to the other one, between the
    // circles' edges (node radius 9, the centre's 16), so its arrow head stays visible.
    const outgoing = neighbour.edges.some((edge) => edge.outgoing);
    const [from, to] = outgoing ? [[cx, cy, 16], [x, y, 9]] : [[x, y, 9], [cx, cy, 16]];
    const length = Math.hypot(to[0] - from[0], to[1] - from[1]) || 1;
    const along = (distance) => [
      from[0] + ((to[0] - from[0]) * distance) / length,
      from[1] + ((to[1] - from[1]) * distance) / length,
    ];
    const [x1, y1] = along(from[2] + 3);
    const [x2, y2] = along(length - to[2] - 3);
    const line = svg("line", { x1, y1, x2, y2, class: `edge ${changed}`, "marker-end": "url(#arrow)" });
    line.append(svg("title", {}, neighbour.edges.map((e) => `${nameOf(e.subject)} ${e.predicate} ${nameOf(e.object)}`).join("\n")));
    lines.append(line);
    const predicates = [...new Set(neighbour.edges.map((edge) => edge.predicate))].join(", ");
    lines.append(svg("text", {
      x: (cx + x) / 2, y: (cy + y) / 2 - 4, class: "edge-label", "text-anchor": "middle",
    }, clip(predicates, 34)));

    const link = svg("a", { href: `?entity=${encodeURIComponent(neighbour.ref.iri)}`, class: "node" });
    link.append(svg("title", {}, nameOf(neighbour.ref)));
    link.append(svg("circle", { cx: x, cy: y, r: 9, class: `node ${changed}` }));
    const right = Math.cos(angle) >= -0.01;
    const label = svg("text", {
      x: x + (right ? 14 : -14), y: y + 4, "text-anchor": right ? "start" : "end", class: "node-label",
    }, clip(nameOf(neighbour.ref)));
    link.append(label);
    nodes.append(link);
  });

  const middle = svg("g", { class: "center" });
  middle.append(svg("circle", { cx, cy, r: 16, class: "node center" }));
  middle.append(svg("text", { x: cx, y: cy + 38, "text-anchor": "middle", class: "node-label center" }, clip(nameOf(center), 40)));
  nodes.append(middle);
  box.append(root);
  box.dataset.drawn = String(neighbours.length);
}

const box = document.getElementById("graph");
const block = document.getElementById("graph-data");
if (box && block) {
  draw(box, JSON.parse(block.textContent));
  box.querySelector("svg")?.setAttribute("aria-roledescription", t("graph"));
}
