"""Cross-checks that need more than one section: overlaps, distances, orders, references.

Each check reads what the builder of :mod:`.parse` could read and records located problems; none
raises. A hub too close to the line, overlapping party areas or an escalation ladder out of order
are errors of the agreement, not of the software, and are reported like a typo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely

from ceasewatch.agreement.types import Activity, WhereKind, Zone
from ceasewatch.model.geo import Linework, LocalProjection, geodesic_area_m2

if TYPE_CHECKING:
    from ceasewatch.agreement.builder import Builder

OVERLAP_TOLERANCE_M2 = 10_000.0  # 0.01 km²: below this, an overlap is rounding of shared edges
PERSONNEL = "personnel"


def run_all(builder: Builder) -> None:
    party_overlaps(builder)
    sector_overlaps(builder)
    hub_distances(builder)
    escalation_order(builder)
    caps_and_rules(builder)
    withdrawal_classes(builder)


def party_overlaps(builder: Builder) -> None:
    paths = builder.declared.get("parties", {})
    areas = [(p.id, p.area) for p in builder.parties if p.area is not None]
    for i, (first_id, first) in enumerate(areas):
        for second_id, second in areas[i + 1 :]:
            if not first.intersects(second):
                continue
            overlap = first.intersection(second)
            area_m2 = geodesic_area_m2(overlap) if overlap.geom_type.endswith("Polygon") else 0.0
            if area_m2 <= OVERLAP_TOLERANCE_M2:
                continue
            where = overlap.representative_point()
            builder.ctx.problem(
                "overlapping-areas",
                (*paths[second_id], "area"),
                f"the areas of {first_id} and {second_id} overlap by {_km2(area_m2)} "
                f"(e.g. at [{where.x:.4f}, {where.y:.4f}]).",
                "a place is controlled by one party: remove the overlap from one of the areas.",
            )


def sector_overlaps(builder: Builder) -> None:
    paths = builder.declared.get("sectors", {})
    for i, first in enumerate(builder.sectors):
        for second in builder.sectors[i + 1 :]:
            if not first.area.intersects(second.area):
                continue
            overlap = first.area.intersection(second.area)
            area_m2 = geodesic_area_m2(overlap) if overlap.geom_type.endswith("Polygon") else 0.0
            if area_m2 > OVERLAP_TOLERANCE_M2:
                builder.ctx.problem(
                    "overlapping-sectors",
                    (*paths[second.id], "area"),
                    f"sectors {first.id} and {second.id} overlap by {_km2(area_m2)}.",
                    "sectors partition the ground for counting: remove the overlap.",
                )


def hub_distances(builder: Builder) -> None:
    if not builder.lines or not builder.hubs:
        return
    paths = builder.declared.get("hubs", {})
    lines = [line.geometry for line in builder.lines]
    bounds = shapely.union_all([*lines, *(h.point for h in builder.hubs)]).bounds
    work = Linework(lines, LocalProjection.for_bounds(*bounds))
    lon = np.array([h.point.x for h in builder.hubs])
    lat = np.array([h.point.y for h in builder.hubs])
    nearest = work.nearest(lon, lat)
    for hub, distance_m in zip(builder.hubs, nearest.distance_m, strict=True):
        if distance_m < hub.min_distance_m:
            builder.ctx.problem(
                "hub-too-close",
                (*paths[hub.id], "point"),
                f"hub {hub.id} is {distance_m / 1000:.1f} km from the line, closer than its "
                f"minimum of {hub.min_distance_m / 1000:g} km.",
                f"move the hub at least {(hub.min_distance_m - distance_m) / 1000:.1f} km "
                "further from the line, or lower min_distance_from_line_km.",
            )


def escalation_order(builder: Builder) -> None:
    previous = -1.0
    for step, path in zip(builder.escalation, builder.escalation_paths, strict=True):
        if step.after_h <= previous:
            builder.ctx.problem(
                "bad-ladder",
                (*path, "after_h"),
                f"escalation step at {step.after_h:g} h does not come after the previous "
                f"step at {previous:g} h.",
                "list the steps in increasing order of after_h, each later than the last.",
            )
        previous = max(previous, step.after_h)
    if builder.ctx.doc.data.get("escalation") == []:  # absent or not a list: reported already
        builder.ctx.problem(
            "missing-field",
            ("escalation",),
            "the escalation ladder has no step.",
            "add at least '- {after_h: 0, notify: [<recipient>]}'.",
        )


def caps_and_rules(builder: Builder) -> None:
    zone_paths = builder.declared.get("zones", {})
    for zone in builder.zones:
        for key, _count in zone.caps:
            path = (*zone_paths[zone.id], "caps", key)
            builder.refer("weapon_classes", key, path, "weapon class", also=(PERSONNEL,), key=True)
    zones: dict[str, Zone] = {z.id: z for z in builder.zones}
    rule_paths = builder.declared.get("rules", {})
    for rule in builder.rules:
        path = rule_paths[rule.id]
        if rule.activity is Activity.EXCEED_CAP:
            if rule.where.kind is not WhereKind.ZONES:
                builder.ctx.problem(
                    "bad-value",
                    (*path, "where"),
                    f"rule {rule.id} limits forces but names no zones.",
                    "write where: {zones: [...]} with zones that have caps.",
                )
            for zone_id in rule.where.ids:
                if zone_id in zones and not zones[zone_id].caps:
                    builder.ctx.problem(
                        "bad-value",
                        (*path, "where"),
                        f"rule {rule.id} limits forces in zone {zone_id}, which has no caps.",
                        f"add 'caps:' to zone {zone_id}.",
                    )
        if (
            rule.activity is Activity.WEAPON_PRESENCE
            and not rule.weapons
            and rule.where.kind is not WhereKind.WITHDRAWAL
        ):
            builder.ctx.problem(
                "missing-field",
                path,
                f"rule {rule.id} forbids weapons but names none.",
                "add 'weapons: [...]' (or use where: withdrawal).",
            )


def withdrawal_classes(builder: Builder) -> None:
    if builder.withdrawal is None:
        return
    zone_paths = builder.declared.get("zones", {})
    withdrawal = builder.withdrawal
    first_side = {weapon: party for weapon, party, _distance in reversed(withdrawal.distances_m)}
    for weapon, party in first_side.items():  # once per class, not once per side
        path = zone_paths[withdrawal.zone_id(weapon, party)]
        builder.refer("weapon_classes", weapon, path, "weapon class", key=True)


def _km2(area_m2: float) -> str:
    km2 = area_m2 / 1e6
    return f"{km2:,.0f} km²" if km2 >= 100 else f"{km2:.3g} km²"
