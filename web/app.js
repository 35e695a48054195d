// The dashboard: who the caller is (/api/whoami), then what the role may see — violations,
// coverage, complaints for a token; counts per sector for the public.
import { abilities, allPages, api, getToken, setToken } from "/web/api.js";
import { DashboardMap } from "/web/map.js";
import { renderComplaints, renderPublicTable, renderQueue, renderViolation } from "/web/panel.js";
import { dailyBins, drawTimeline, hourlyBins } from "/web/timeline.js";

const $ = (id) => document.getElementById(id);
const state = { role: "public", me: null, violations: [], hour: null, picked: null, coverage: null };
let map;

async function start() {
  const agreement = await api("/api/agreement", { anonymous: true });
  $("agreement-title").textContent = `${agreement.agreement.title} — ${agreement.agreement.id} v${agreement.agreement.version}`;
  $("credits").replaceChildren(...agreement.credits.map((c) => {
    const li = document.createElement("li");
    li.textContent = c;
    return li;
  }));
  map = new DashboardMap($("map"), agreement, pick);
  map.map.on("click", (e) => {
    $("c-lon").value = e.latlng.lng.toFixed(4);
    $("c-lat").value = e.latlng.lat.toFixed(4);
  });
  $("token").value = getToken();
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setToken($("token").value.trim());
    load();
  });
  $("token-clear").addEventListener("click", () => {
    $("token").value = "";
    setToken("");
    load();
  });
  $("review-form").addEventListener("submit", review);
  $("complaint-form").addEventListener("submit", complain);
  window.addEventListener("resize", () => timeline());
  // for the browser tests and the console: where a violation is drawn, how many are
  window.ceasewatch = { markerPoint: (id) => map.markerPoint(id), markerCount: () => map.markers.size };
  await load();
}

async function load() {
  $("counts").textContent = "loading…";
  let me;
  let refused = null;
  try {
    me = await api("/api/whoami");
  } catch (error) {
    refused = error.message;
    setToken("");
    me = await api("/api/whoami");
  }
  state.me = me;
  state.role = me.role;
  const can = abilities(me.role);
  const who = [me.role, me.party, me.contributor].filter(Boolean).join(" · ");
  $("role").className = refused ? "role refused" : `role role-${me.role}`;
  $("role").textContent = refused ? `token refused (${refused}): public view` : who;
  document.body.dataset.role = me.role;
  state.picked = null;
  state.hour = null;
  // nothing of the previous role's view stays in the page, hidden or not
  $("detail").hidden = true;
  delete $("detail").dataset.id;
  delete $("detail").dataset.status;
  for (const id of ["detail-body", "queue-list", "complaint-list", "public-table"]) {
    $(id).replaceChildren();
  }
  $("review-note").textContent = "";
  $("queue").hidden = !can.violations;
  $("public-note").hidden = can.violations;
  map.setPublic(!can.violations);
  state.violations = can.violations ? await allPages("/api/violations") : [];
  map.showViolations(state.violations);
  if (!can.violations) {
    state.cells = (await api("/api/aggregates")).cells;
    map.showAggregates(state.cells);
  }
  state.coverage = await api("/api/coverage");
  map.showCoverage(state.coverage, null);
  await complaints(can);
  refresh();
}

function visible() {
  return state.hour ? state.violations.filter((v) => v.t.startsWith(state.hour)) : state.violations;
}

function refresh() {
  const can = abilities(state.role);
  const rows = visible();
  if (can.violations) {
    map.showViolations(rows);
    renderQueue($("queue-list"), [...rows].reverse(), pick);
    $("queue-scope").textContent = state.hour ? `at ${state.hour.slice(11)}:00 UTC` : "latest first";
    $("counts").textContent = `${rows.length.toLocaleString("en")} violations on the map` +
      (state.hour ? ` · ${state.hour.slice(11)}:00 UTC` : "") +
      (state.role === "party" ? " — those concerning your party" : "");
  } else {
    const shown = (state.cells || []).reduce((n, c) => n + (c.violations || 0), 0);
    $("counts").textContent = `Public view: ${shown.toLocaleString("en")} violations, counted per sector`;
    renderPublicTable($("public-table"), state.cells || [], map.agreement);
  }
  if (state.picked) map.highlight(state.picked);
  timeline();
}

function timeline() {
  if (!map) return;
  if (abilities(state.role).violations) {
    $("timeline-caption").textContent = "Violations per hour (UTC) — click a bar to show that hour";
    drawTimeline($("timeline"), hourlyBins(state.violations), state.hour, (hour) => {
      state.hour = hour;
      map.showCoverage(state.coverage, hour);
      refresh();
    });
  } else {
    $("timeline-caption").textContent = "Violations per day (public counts)";
    drawTimeline($("timeline"), dailyBins(state.cells || []), null, null);
  }
}

async function pick(id) {
  state.picked = id;
  let v;
  try {
    v = await api(`/api/violations/${encodeURIComponent(id)}`);
  } catch (error) {
    $("counts").textContent = error.message;
    return;
  }
  $("detail").hidden = false;
  $("detail-title").textContent = `Violation — ${v.rule_id}`;
  renderViolation($("detail-body"), v, (party) => map.colour(party));
  $("review-form").hidden = !abilities(state.role).review;
  $("review-note").textContent = "";
  $("detail").dataset.id = id;
  $("detail").dataset.status = v.status;
  map.highlight(id);
}

async function review(event) {
  event.preventDefault();
  const action = event.submitter ? event.submitter.value : "confirm";
  const id = state.picked;
  const note = $("review-note");
  try {
    const done = await api(`/api/violations/${encodeURIComponent(id)}/review`, {
      method: "POST",
      body: { action, reason: $("review-reason").value.trim() },
    });
    state.violations = await allPages("/api/violations");
    refresh();
    await pick(id);
    note.textContent = `${done.note}${done.awaiting_second ? " — a second analyst must agree" : ""}`;
    $("review-reason").value = "";
  } catch (error) {
    note.textContent = error.message;
  }
}

async function complaints(can) {
  $("complaints").hidden = !can.complaints;
  $("complaint-form").hidden = !can.complain;
  if (!can.complaints) return;
  const rows = await allPages("/api/complaints");
  renderComplaints($("complaint-list"), rows);
  const own = state.me.party;
  const others = map.agreement.parties.map((p) => p.id).filter((p) => p !== own);
  $("c-alleged").replaceChildren(...others.map((p) => new Option(p, p)));
}

async function complain(event) {
  event.preventDefault();
  const party = state.me.party;
  const utc = (id) => new Date(`${$(id).value}Z`).toISOString().slice(0, 19) + "Z";
  const now = new Date().toISOString().slice(0, 19) + "Z";
  const body = {
    complaint_id: `${party}-web-${now.replace(/\D/g, "")}`,
    party,
    alleged_party: $("c-alleged").value,
    t_submitted: now,
    t_alleged: [utc("c-from"), utc("c-to")],
    position: [Number($("c-lon").value), Number($("c-lat").value)],
    radius_m: Number($("c-radius").value),
    category: $("c-category").value,
    text: $("c-text").value.trim(),
  };
  try {
    const done = await api("/api/complaints", { method: "POST", body });
    $("complaint-note").textContent = `Received as ${done.complaint_id} (log entry ${done.receipt}); ` +
      "it is answered at the next adjudication.";
  } catch (error) {
    $("complaint-note").textContent = error.message;
  }
}

start().catch((error) => {
  $("counts").textContent = `The dashboard could not start: ${error.message}`;
});
