// Charts as SVG drawn here (no third-party code, D75): bars grouped per day, or lines, over a series of
// {date, ...values}. Every label is a text node; each bar and point carries a <title> for the exact value.
import { el } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 480;
const HEIGHT = 220;
const PAD = { left: 84, right: 12, top: 12, bottom: 28 };

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

/** A rounded maximum for the y axis (1, 2 or 5 times a power of ten), at least `least`. */
function niceMax(value, least = 1) {
  if (value <= least) return least;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((top) => top >= value);
}

function frame(top, format, days) {
  const inner = HEIGHT - PAD.top - PAD.bottom;
  const nodes = [];
  for (const share of [0, 0.5, 1]) {
    const y = PAD.top + inner * (1 - share);
    nodes.push(svg("line", { class: "grid", x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y }),
               svg("text", { class: "axis", x: PAD.left - 6, y: y + 4, "text-anchor": "end" }, format(top * share)));
  }
  const picks = days.length > 2 ? [0, Math.floor((days.length - 1) / 2), days.length - 1] : days.map((_, i) => i);
  const step = (WIDTH - PAD.left - PAD.right) / Math.max(1, days.length);
  for (const index of picks) {
    nodes.push(svg("text", { class: "axis", x: PAD.left + step * (index + 0.5), y: HEIGHT - 8, "text-anchor": "middle" },
                   days[index].slice(5)));
  }
  return nodes;
}

function legend(keys) {
  return el("div", { class: "legend" }, keys.map(([key, label]) => el("span", {}, el("i", { class: `swatch ${key}` }), label)));
}

function figure(title, keys, name, nodes, summary) {
  const picture = svg("svg", { class: "chart", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": summary },
                      ...nodes);
  return el("figure", { class: "chart panel", "data-chart": name }, el("figcaption", {}, title), legend(keys), picture);
}

/** Bars per day, one per key side by side: `keys` = [[field, label], ...]; the y axis reaches `least` at least. */
export function barChart(name, title, series, keys, format = String, least = 1) {
  const top = niceMax(Math.max(0, ...series.flatMap((day) => keys.map(([key]) => day[key]))), least);
  const inner = HEIGHT - PAD.top - PAD.bottom;
  const step = (WIDTH - PAD.left - PAD.right) / Math.max(1, series.length);
  const width = Math.max(1, (step * 0.8) / keys.length);
  const bars = series.flatMap((day, index) => keys.map(([key, label], k) => {
    const value = Math.max(0, day[key]);
    const height = (inner * value) / top;
    return svg("rect", { class: `bar ${key}`, x: PAD.left + step * index + step * 0.1 + width * k,
                         y: PAD.top + inner - height, width, height },
               svg("title", {}, `${day.date} ${label}: ${format(day[key])}`));
  }));
  return figure(title, keys, name, [...frame(top, format, series.map((day) => day.date)), ...bars],
                `${title}, ${series.length} days`);
}

/** Lines over the days, one per key. */
export function lineChart(name, title, series, keys, format = String) {
  const top = niceMax(Math.max(0, ...series.flatMap((day) => keys.map(([key]) => day[key]))));
  const inner = HEIGHT - PAD.top - PAD.bottom;
  const step = (WIDTH - PAD.left - PAD.right) / Math.max(1, series.length);
  const lines = keys.flatMap(([key, label]) => {
    const points = series.map((day, index) => [PAD.left + step * (index + 0.5), PAD.top + inner * (1 - day[key] / top)]);
    return [svg("polyline", { class: `line ${key}`, points: points.map((p) => p.join(",")).join(" ") }),
            ...points.map(([x, y], index) => svg("circle", { class: `dot ${key}`, cx: x, cy: y, r: 2.5 },
              svg("title", {}, `${series[index].date} ${label}: ${format(series[index][key])}`)))];
  });
  return figure(title, keys, name, [...frame(top, format, series.map((day) => day.date)), ...lines],
                `${title}, ${series.length} days`);
}
