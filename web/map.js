// The map: land, the parties' areas, zones, sectors, the line and hubs from /api/agreement;
// violations as circle markers (colour: most likely party; look: review status); coverage;
// and, for the public, counts per sector instead of points.
import * as L from "/vendor/leaflet/leaflet-src.esm.js";

// Okabe–Ito, in the agreement's party order, as the printed maps use.
export const PARTY_COLOURS = ["#0072B2", "#E69F00", "#CC79A7", "#009E73", "#56B4E9", "#D55E00"];
export const UNKNOWN_COLOUR = "#6b6b6b";
const READING_COLOURS = {
  observed: "#1a9850",
  "partly observed": "#fdae61",
  "not observable": "#d73027",
  "no line here": "#bdbdbd",
  "coverage unknown": "#9e9e9e",
};
const RADIUS = { critical: 7, high: 5, medium: 4, low: 3 };

export function mostLikely(violation) {
  const r = violation.responsible || {};
  let best = "unknown";
  let p = -1;
  for (const [party, value] of Object.entries(r)) {
    if (value > p) [best, p] = [party, value];
  }
  return best;
}

export function statusKind(status) {
  if (status === "confirmed" || status === "verified") return "verified";
  if (status === "disputed" || status === "dismissed") return status;
  return "auto";
}

export class DashboardMap {
  constructor(element, agreement, onPick) {
    this.agreement = agreement;
    this.colours = {};
    for (const p of agreement.parties) {
      this.colours[p.id] = PARTY_COLOURS[p.rank % PARTY_COLOURS.length];
    }
    this.onPick = onPick;
    this.map = L.map(element, { preferCanvas: true, zoomSnap: 0.25, attributionControl: true });
    this.map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com/">Leaflet</a> (BSD-2-Clause)',
    );
    this.markers = new Map();
    this.base();
    this.violations = L.layerGroup().addTo(this.map);
    this.coverage = L.layerGroup();
    this.aggregates = L.layerGroup();
    this.control = L.control
      .layers(null, this.overlays, { collapsed: false, position: "topright" })
      .addTo(this.map);
    this.control.addOverlay(this.violations, "Violations");
    this.control.addOverlay(this.coverage, "Coverage (what could be seen)");
    this.legend();
    L.control.scale({ imperial: false }).addTo(this.map);
  }

  colour(party) {
    return this.colours[party] || UNKNOWN_COLOUR;
  }

  base() {
    const a = this.agreement;
    const pane = (name, z) => {
      this.map.createPane(name).style.zIndex = z;
      return name;
    };
    pane("land", 200);
    L.geoJSON(a.basemap, {
      pane: "land",
      interactive: false,
      attribution: "geoBoundaries (CC BY 4.0) · line: DeepStateMap",
      style: { color: "#a8a8a8", weight: 0.6, fillColor: "#fafaf7", fillOpacity: 1 },
    }).addTo(this.map);
    const areas = L.geoJSON(a.areas, {
      interactive: false,
      style: (f) => ({
        color: PARTY_COLOURS[f.properties.rank % PARTY_COLOURS.length],
        weight: 0.5,
        fillOpacity: 0.1,
      }),
    });
    const zones = L.geoJSON(a.zones, {
      interactive: false,
      style: (f) => zoneStyle(f.properties),
    });
    const sectors = L.geoJSON(a.sectors, {
      interactive: false,
      style: { color: "#505050", weight: 0.8, dashArray: "4 3", fill: false },
    });
    const isPoint = (f) => f.geometry.type === "Point";
    const sites = L.geoJSON(a.sites, {
      pointToLayer: (_f, at) => L.circleMarker(at),
      style: (f) => (isPoint(f)
        ? { radius: 4, color: "#C8102E", weight: 2, fillColor: "#fff", fillOpacity: 1 }
        : { color: "#C8102E", weight: 1, fillOpacity: 0.08 }),
    }).bindTooltip((l) => l.feature.properties.label || "protected site (radius)");
    const hubs = L.geoJSON(a.hubs, {
      pointToLayer: (_f, at) => L.circleMarker(at),
      style: (f) => (isPoint(f)
        ? { radius: 6, color: "#08519C", weight: 2.5, fillColor: "#fff", fillOpacity: 1 }
        : { color: "#08519C", weight: 1, dashArray: "2 4", fill: false }),
    }).bindTooltip((l) => {
      const p = l.feature.properties;
      return p.name ? `${p.name} (${p.contributor})` : "hub's minimum distance from the line";
    });
    const line = L.geoJSON(a.line, { interactive: false, style: { color: "#111", weight: 2.2 } });
    this.overlays = {
      "Held areas": areas.addTo(this.map),
      "Zones and withdrawal lines": zones.addTo(this.map),
      "Monitoring sectors": sectors.addTo(this.map),
      "Line of contact": line.addTo(this.map),
      "Protected sites": sites.addTo(this.map),
      "Hubs": hubs.addTo(this.map),
    };
    this.sectorLayer = sectors;
    this.map.fitBounds(line.getBounds(), { padding: [20, 20] });
  }

  legend() {
    const legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const box = L.DomUtil.create("div", "legend");
      const rows = this.agreement.parties.map(
        (p) => [`swatch party-${p.rank}`, `${p.id}: most likely responsible`, "points"],
      );
      rows.push(["swatch party-unknown", "responsibility unknown", "points"]);
      rows.push(["ring verified", "verified: confirmed by two analysts", "points"]);
      rows.push(["ring auto", "automatic, not reviewed", "points"]);
      rows.push(["ring disputed", "disputed", "points"], ["ring dismissed", "dismissed", "points"]);
      rows.push(["stroke line", "line of contact", ""], ["stroke sector", "monitoring sector", ""]);
      rows.push(["stroke withdrawal", "withdrawal distances", ""]);
      for (const p of this.agreement.parties) {
        rows.push([`patch party-${p.rank}`, `held by ${p.name}`, ""]);
      }
      for (const [cls, text, group] of rows) {
        const row = L.DomUtil.create("div", `legend-row ${group}`, box);
        L.DomUtil.create("span", cls, row);
        L.DomUtil.create("span", "", row).textContent = text;
      }
      return box;
    };
    legend.addTo(this.map);
  }

  showViolations(rows) {
    this.violations.clearLayers();
    this.markers.clear();
    for (const v of rows) {
      if (!Array.isArray(v.position)) continue;
      const [lon, lat] = v.position;
      const marker = L.circleMarker([lat, lon], this.violationStyle(v));
      marker.on("click", () => this.onPick(v.violation_id));
      marker.bindTooltip(`${v.rule_id} · ${v.place || ""} · ${v.status}`);
      marker.addTo(this.violations);
      this.markers.set(v.violation_id, marker);
    }
  }

  violationStyle(v) {
    const fill = this.colour(mostLikely(v));
    const base = { radius: RADIUS[v.severity] || 4, fillColor: fill };
    switch (statusKind(v.status)) {
      case "verified":
        return { ...base, color: "#000", weight: 2, fillOpacity: 0.95 };
      case "disputed":
        return { ...base, color: fill, weight: 2, dashArray: "2 2", fillOpacity: 0.2 };
      case "dismissed":
        return { ...base, color: "#888", weight: 1, dashArray: "1 3", fillOpacity: 0.05 };
      default:
        return { ...base, color: "#fff", weight: 0.8, fillOpacity: 0.75 };
    }
  }

  highlight(id) {
    if (this.picked) this.picked.remove();
    const marker = this.markers.get(id);
    if (!marker) return;
    this.picked = L.circleMarker(marker.getLatLng(), {
      radius: 12, color: "#000", weight: 2, fill: false, interactive: false,
    }).addTo(this.map);
  }

  // Coverage: sectors filled by their reading; per 10 km of line (when the role gets it) the
  // share of hours the line could be seen, or the selected hour's share.
  showCoverage(coverage, hour) {
    this.coverage.clearLayers();
    const reading = new Map(coverage.sectors.map((s) => [s.sector, s]));
    L.geoJSON(this.agreement.sectors, {
      style: (f) => {
        const s = reading.get(f.properties.sector);
        const colour = READING_COLOURS[s ? s.reading : "coverage unknown"] || "#9e9e9e";
        return { color: colour, weight: 1, fillColor: colour, fillOpacity: 0.25 };
      },
    })
      .bindTooltip((l) => {
        const s = reading.get(l.feature.properties.sector);
        return `${l.feature.properties.label}: ${s ? s.reading : "no coverage row"}`;
      })
      .addTo(this.coverage);
    if (!coverage.line) return;
    const stretches = new Map();
    for (const row of coverage.line) {
      if (hour && !row.hour.startsWith(hour)) continue;
      const key = `${row.line_id}/${row.stretch}`;
      const s = stretches.get(key) || { middle: row.middle, sum: 0, n: 0, from: row.from_km };
      s.sum += row.any;
      s.n += 1;
      stretches.set(key, s);
    }
    for (const s of stretches.values()) {
      const share = s.sum / s.n;
      const colour = share >= 0.9 ? "#1a9850" : share >= 0.5 ? "#fdae61" : "#d73027";
      L.circleMarker([s.middle[1], s.middle[0]], {
        radius: 3, weight: 0, fillColor: colour, fillOpacity: 0.9,
      })
        .bindTooltip(`line km ${s.from}–${s.from + 10}: seen ${Math.round(share * 100)}%`)
        .addTo(this.coverage);
    }
  }

  // The public's view: violations per sector (all days together), withheld cells marked.
  showAggregates(cells) {
    this.aggregates.clearLayers();
    const totals = new Map();
    for (const c of cells) {
      const t = totals.get(c.sector) || { count: 0, withheld: false };
      if (c.violations === null) t.withheld = true;
      else t.count += c.violations;
      totals.set(c.sector, t);
    }
    for (const f of this.agreement.sectors.features) {
      const t = totals.get(f.properties.sector);
      if (!t) continue;
      const [lon, lat] = f.properties.label_at;
      const text = `${t.count.toLocaleString("en")}${t.withheld ? "+" : ""}`;
      const icon = L.divIcon({
        className: "aggregate",
        html: `<div class="aggregate-box"><b>${text}</b><span>${f.properties.label}</span></div>`,
        iconSize: null,
      });
      L.marker([lat, lon], { icon, interactive: false }).addTo(this.aggregates);
    }
  }

  setPublic(isPublic) {
    if (isPublic) {
      this.map.removeLayer(this.violations);
      this.control.removeLayer(this.violations);
      this.control.addOverlay(this.aggregates, "Violations per sector");
      this.aggregates.addTo(this.map);
    } else {
      this.map.removeLayer(this.aggregates);
      this.control.removeLayer(this.aggregates);
      this.control.removeLayer(this.violations);
      this.control.addOverlay(this.violations, "Violations");
      this.violations.addTo(this.map);
    }
  }

  // Where a violation's marker is on the screen (for the browser tests and the console).
  markerPoint(id) {
    const marker = this.markers.get(id);
    if (!marker) return null;
    const point = this.map.latLngToContainerPoint(marker.getLatLng());
    return { x: point.x, y: point.y };
  }
}

function zoneStyle(p) {
  if (p.kind === "withdrawal") return { color: "#5E3C99", weight: 1, dashArray: "6 4", fill: false };
  if (p.kind === "band_zone") {
    return { color: "#009E73", weight: 0, fillColor: "#009E73", fillOpacity: p.width_m > 10000 ? 0.08 : 0.2 };
  }
  return { color: "#8C510A", weight: 1, fillOpacity: 0.12 };
}
