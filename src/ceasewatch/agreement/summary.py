"""A one-screen, plain-text summary of an agreement, for the terminal and the demo."""

from __future__ import annotations

from ceasewatch.agreement.locate import Locator
from ceasewatch.agreement.types import Agreement, Zone
from ceasewatch.model.geo import geodesic_area_m2
from ceasewatch.model.time import format_utc


def summarize(agreement: Agreement, locator: Locator | None = None) -> str:
    locator = locator or Locator(agreement)
    out = [f"{agreement.label} — {agreement.title}", f"  digest     {agreement.digest}"]
    dates = f"  in force   from {format_utc(agreement.effective_from)}"
    if agreement.signed:
        dates += f" (signed {format_utc(agreement.signed)})"
    if agreement.supersedes:
        dates += f"; supersedes v{agreement.supersedes.version}"
    out.append(dates)
    for party in agreement.parties:
        area = f", area {geodesic_area_m2(party.area) / 1e6:,.0f} km²" if party.area else ""
        out.append(
            f"  party      {party.id}: {party.name}{area}"
            + (f" [{party.role}]" if party.role != "party" else "")
        )
    for line in agreement.lines:
        pieces = len(line.geometry.geoms)
        out.append(
            f"  line       {line.id}: {line.length_m / 1000:,.1f} km between "
            f"{line.between[0]} and {line.between[1]} ({pieces} "
            f"piece{'s' if pieces != 1 else ''})"
        )
    for zone in agreement.zones:
        if zone.derived_from != "withdrawal":
            out.append(f"  zone       {zone.id}: {_zone_text(zone)}")
    if agreement.withdrawal:
        rows: dict[str, list[str]] = {}
        for weapon_class, side, distance_m in agreement.withdrawal.distances_m:
            rows.setdefault(weapon_class, []).append(f"{side} {distance_m / 1000:g} km")
        out.append(f"  withdrawal from line {agreement.withdrawal.line}, per side:")
        for name, texts in rows.items():
            out.append(f"             {name}: {', '.join(texts)}")
    for site in agreement.sites:
        kind = "point" if site.geometry.geom_type == "Point" else "area"
        out.append(
            f"  site       {site.id}: {site.name} ({kind}, radius {site.radius_m / 1000:g} km)"
        )
    if agreement.hubs and agreement.lines:
        for hub in agreement.hubs:
            where = locator.locate(hub.point.x, hub.point.y)
            nearest = min(line.distance_m for line in where.lines)
            out.append(
                f"  hub        {hub.id}: {nearest / 1000:,.0f} km from the line "
                f"(minimum {hub.min_distance_m / 1000:g} km)"
                + (f", {hub.contributor}" if hub.contributor else "")
            )
    if agreement.sectors:
        out.append(
            f"  sectors    {len(agreement.sectors)}: " + ", ".join(s.id for s in agreement.sectors)
        )
    for rule in agreement.rules:
        out.append(f"  rule       {rule.id} [{rule.severity}]: {rule.title}")
    out.append(f"  complaints answered within {agreement.complaint_answer_h:g} h")
    ladder = "; ".join(
        f"{step.after_h:g} h → {', '.join(step.notify)}" + (" (escalate)" if step.escalate else "")
        for step in agreement.escalation
    )
    out.append(f"  escalation {ladder}")
    return "\n".join(out)


def _zone_text(zone: Zone) -> str:
    if zone.band is not None:
        side = "both sides" if zone.band.side is None else f"{zone.band.side} side"
        text = (
            f"{zone.band.from_m / 1000:g}–{zone.band.to_m / 1000:g} km from "
            f"{zone.band.line}, {side}"
        )
    else:
        text = "area" + (f" ({zone.party})" if zone.party else "")
    if zone.caps:
        text += "; caps " + ", ".join(f"{k} {v:,}" for k, v in zone.caps)
    return text
