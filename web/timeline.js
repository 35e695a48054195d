// The timeline: one bar per hour (or per day for the public), drawn as SVG. Clicking an hour's
// bar selects it (the map then shows that hour only); clicking it again shows every hour.

const SVG = "http://www.w3.org/2000/svg";
const HEIGHT = 90;
const AXIS = 16;

function el(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

// [{key, label, count}] → bars; onSelect(key | null) when clickable.
export function drawTimeline(svg, bins, selected, onSelect) {
  svg.replaceChildren();
  const width = svg.clientWidth || 800;
  svg.setAttribute("viewBox", `0 0 ${width} ${HEIGHT}`);
  svg.setAttribute("height", HEIGHT);
  if (!bins.length) return;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const step = Math.min(48, (width - 40) / bins.length);
  const scale = (HEIGHT - AXIS - 14) / max;
  el("text", { x: 0, y: 10, class: "axis" }, svg).textContent = String(max);
  el("line", { x1: 34, x2: width, y1: HEIGHT - AXIS, y2: HEIGHT - AXIS, class: "base" }, svg);
  bins.forEach((b, i) => {
    const x = 36 + i * step;
    const h = Math.max(b.count ? 1 : 0, b.count * scale);
    const group = el("g", { class: "bin", "data-key": b.key }, svg);
    const cls = ["bar", b.key === selected ? "selected" : "", onSelect ? "clickable" : ""];
    const bar = el("rect", {
      x: x + 1, y: HEIGHT - AXIS - h, width: Math.max(1, step - 2), height: h,
      class: cls.join(" ").trim(),
    }, group);
    el("title", {}, bar).textContent = `${b.label}: ${b.count} violations`;
    // a full-height invisible target, so short bars are easy to click
    const hit = el("rect", {
      x, y: 0, width: step, height: HEIGHT - AXIS, class: "hit",
      "data-key": b.key, "aria-label": `${b.label}: ${b.count}`,
    }, group);
    if (onSelect) hit.addEventListener("click", () => onSelect(b.key === selected ? null : b.key));
    if (bins.length <= 31 || i % 3 === 0) {
      el("text", { x: x + step / 2, y: HEIGHT - 3, class: "tick" }, group).textContent = b.tick;
    }
  });
}

// Violations per UTC hour, from the first to the last hour seen.
export function hourlyBins(violations) {
  const counts = new Map();
  for (const v of violations) {
    const hour = String(v.t || "").slice(0, 13);
    if (hour) counts.set(hour, (counts.get(hour) || 0) + 1);
  }
  const hours = [...counts.keys()].sort();
  if (!hours.length) return [];
  const bins = [];
  const end = Date.parse(`${hours[hours.length - 1]}:00:00Z`);
  for (let t = Date.parse(`${hours[0]}:00:00Z`); t <= end; t += 3600e3) {
    const key = new Date(t).toISOString().slice(0, 13);
    bins.push({
      key, count: counts.get(key) || 0, tick: key.slice(11, 13),
      label: `${key.replace("T", " ")}:00 UTC`,
    });
  }
  return bins;
}

// The public's bins: violations per day (withheld cells left out).
export function dailyBins(cells) {
  const counts = new Map();
  for (const c of cells) counts.set(c.day, (counts.get(c.day) || 0) + (c.violations || 0));
  return [...counts.keys()].sort().map((day) => ({
    key: day, count: counts.get(day), tick: day.slice(5), label: day,
  }));
}
