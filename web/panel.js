// The side panel: one violation (its three findings, reasons, evidence ids when the role sees
// them, place, time, status) with the analyst's review form, the queue of violations, and a
// party's complaints with the form to submit one.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const pct = (p) => (p === null || p === undefined ? "not assessed" : `${Math.floor(p * 100)}%`);
export const when = (t) => String(t || "").replace("T", " ").slice(0, 19) + " UTC";

function responsibility(responsible, colour) {
  const rows = Object.entries(responsible || {}).sort((a, b) => b[1] - a[1]);
  return h("div", { class: "shares" }, rows.map(([party, p]) => {
    const bar = h("span", { class: "share-bar" });
    bar.style.width = `${Math.round(p * 100)}%`;
    bar.style.background = colour(party);
    return h("div", { class: "share" }, h("span", { class: "share-name" }, party),
      h("span", { class: "share-track" }, bar), h("span", {}, pct(p)));
  }));
}

function finding(title, headline, f) {
  if (!f) return null;
  const evidence = Array.isArray(f.evidence) && f.evidence.length
    ? h("p", { class: "evidence" }, "evidence: ",
      f.evidence.map((id) => [h("code", {}, id), " "]))
    : null;
  return h("section", { class: "finding" },
    h("h3", {}, title, " ", h("span", { class: "headline" }, headline)),
    h("ul", {}, (f.reasons || []).map((r) => h("li", {}, r))),
    evidence);
}

export function renderViolation(body, v, colour) {
  const f = v.findings || {};
  const status = h("span", { class: `status status-${v.status}` }, v.status);
  const where = Array.isArray(v.position)
    ? ` (${v.position[1].toFixed(3)}° N, ${v.position[0].toFixed(3)}° E)` : "";
  body.replaceChildren(
    h("dl", { class: "facts" },
      h("dt", {}, "Status"), h("dd", {}, status),
      h("dt", {}, "Time"), h("dd", {}, when(v.t)),
      h("dt", {}, "Place"), h("dd", {}, `${v.place || "—"}${where}`),
      h("dt", {}, "Sector"), h("dd", {}, v.sector || "(no sector)"),
      h("dt", {}, "Rule"), h("dd", {}, `${v.rule_id} · ${v.severity} severity`),
      h("dt", {}, "What"), h("dd", {}, [v.category, v.weapon].filter(Boolean).join(" · ") || "—"),
      v.incident_id ? [h("dt", {}, "Incident"), h("dd", {}, h("code", {}, v.incident_id))] : null,
      h("dt", {}, "Id"), h("dd", {}, h("code", { class: "vid" }, v.violation_id))),
    finding("1. Did it happen?", pct(v.p_occurred), f.occurred),
    finding("2. Who is responsible?", (v.attribution_basis || "").replaceAll("_", " "), f.responsible),
    f.responsible ? responsibility(v.responsible, colour) : null,
    finding("3. Was it deliberate?", pct(v.p_deliberate), f.deliberate),
  );
}

export function renderQueue(list, rows, onPick, limit = 150) {
  const items = rows.slice(0, limit).map((v) =>
    h("li", {},
      h("button", { type: "button", class: "link", "data-id": v.violation_id,
        onclick: () => onPick(v.violation_id) },
      h("span", { class: `dot status-${v.status}` }),
      `${v.t.slice(11, 16)} ${v.rule_id} · ${v.place || v.sector || ""}`)));
  if (rows.length > limit) items.push(h("li", { class: "muted" }, `… and ${rows.length - limit} more`));
  list.replaceChildren(...items);
}

export function renderComplaints(list, rows) {
  if (!rows.length) {
    list.replaceChildren(h("li", { class: "muted" }, "No answered complaints yet."));
    return;
  }
  list.replaceChildren(...rows.map((c) =>
    h("li", {},
      h("details", {},
        h("summary", {},
          h("b", {}, c.complaint_id), ` ${c.party} → ${c.alleged_party} · ${c.category} · `,
          h("span", { class: `outcome outcome-${c.outcome}` }, c.outcome || "open"),
          c.late ? h("span", { class: "late" }, " late") : null),
        h("p", { class: "muted" }, `submitted ${when(c.t_submitted)}; answered ${c.t_answered ? when(c.t_answered) : "not yet"}`),
        h("ul", {}, (c.reasons || []).map((r) => h("li", {}, r)))))));
}

// The public's table: violations per sector and day, by most likely party (withheld: "<3").
export function renderPublicTable(table, cells, agreement) {
  const parties = [...agreement.parties.map((p) => p.id), "unknown"];
  const names = new Map(agreement.sectors.features.map((f) => [f.properties.sector, f.properties.label]));
  const head = h("tr", {}, h("th", {}, "Sector, day"), h("th", {}, "All"),
    parties.map((p) => h("th", {}, p)));
  const rows = [...cells].sort((a, b) => (b.violations || 0) - (a.violations || 0)).map((c) =>
    h("tr", {},
      h("td", {}, `${names.get(c.sector) || c.sector}, ${c.day.slice(5)}`),
      h("td", {}, c.violations === null ? "<3" : c.violations.toLocaleString("en")),
      parties.map((p) => h("td", {}, c.by_party ? String(c.by_party[p] ?? 0) : "withheld"))));
  table.replaceChildren(h("thead", {}, head), h("tbody", {}, rows));
}
