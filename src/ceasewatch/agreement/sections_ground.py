"""Readers of the sections about the ground: parties and their areas, the lines derived from
them, weapon classes, zones and the withdrawal table, protected sites, contributors, hubs and
sectors. Each takes the :class:`~.builder.Builder` and the top-level reader."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shapely.geometry import Point

from ceasewatch.agreement.derive import shared_boundary
from ceasewatch.agreement.geojson import POLYGONAL, as_multipolygon
from ceasewatch.agreement.reader import Obj, length_keys
from ceasewatch.agreement.types import (
    Band,
    Contributor,
    Hub,
    Line,
    Party,
    ProtectedSite,
    Sector,
    WeaponClassDef,
    Withdrawal,
    Zone,
)
from ceasewatch.agreement.yamldoc import Path, pointer
from ceasewatch.model.geo import geodesic_length_m
from ceasewatch.model.ids import (
    HubId,
    LineId,
    PartyId,
    SectorId,
    SiteId,
    WeaponClass,
    ZoneId,
)

if TYPE_CHECKING:
    from ceasewatch.agreement.builder import Builder


def read_parties(b: Builder, top: Obj) -> None:
    for obj, ident in b.entries(top, "parties"):
        role = obj.choice("role", ("party", "mission"), default="party") or "party"
        area = None
        if obj.has("area"):
            b.area_settled.add(ident)
            feature = b.files.resolve(obj.at("area"), obj.raw("area"), POLYGONAL)
            area = as_multipolygon(feature.geometry) if feature else None
        b.parties.append(Party(PartyId(ident), obj.text("name") or ident, role, area))


def read_weapon_classes(b: Builder, top: Obj) -> None:
    for obj, ident in b.entries(top, "weapon_classes"):
        b.weapons.append(
            WeaponClassDef(
                WeaponClass(ident),
                obj.text("name", required=False, default=ident) or ident,
                obj.quantity("max_range"),
            )
        )


def read_lines(b: Builder, top: Obj) -> None:
    for obj, ident in b.entries(top, "lines"):
        between = obj.ident_list("between")
        min_piece_m = obj.quantity("min_piece") or 0.0
        if between is None:
            continue
        if len(between) != 2 or between[0] == between[1]:
            b.ctx.problem(
                "bad-value",
                obj.at("between"),
                f"lines[{ident}]: 'between' names two different parties.",
                "write between: [A, B] with the ids of two parties.",
            )
            continue
        areas = []
        for index, party_id in enumerate(between):
            party = b.party(party_id, (*obj.at("between"), index))
            if party is not None and party.area is None and party.id not in b.area_settled:
                b.area_settled.add(party.id)  # once, at the first line using the party
                b.ctx.problem(
                    "missing-area",
                    (*obj.at("between"), index),
                    f"party {party_id!r} has no area, so no line can be derived from it.",
                    f"give party {party_id} an 'area'.",
                )
            areas.append(party.area if party else None)
        first, second = areas
        if first is None or second is None:
            continue
        geometry = shared_boundary(first, second, min_piece_m=min_piece_m)
        if geometry.is_empty:
            gap_km = _gap_km(first, second)
            b.ctx.problem(
                "empty-line",
                obj.at("between"),
                f"the areas of {between[0]} and {between[1]} share no "
                f"boundary (closest approach about {gap_km:.3g} km).",
                "the line is derived as the shared boundary of the two areas: "
                "make them touch along it (e.g. cut one out of the other).",
            )
            continue
        b.lines.append(
            Line(
                LineId(ident),
                obj.text("name", required=False, default=ident) or ident,
                (PartyId(between[0]), PartyId(between[1])),
                geometry,
                geodesic_length_m(geometry),
            )
        )


def read_zones(b: Builder, top: Obj) -> None:
    for obj, ident in b.entries(top, "zones"):
        name = obj.text("name", required=False, default=ident) or ident
        party = obj.ident("party")
        if party is not None:
            b.party(party, obj.at("party"))
        caps = _caps(b, obj)
        if obj.has("band") == obj.has("area"):
            b.ctx.problem(
                "bad-value",
                obj.path,
                f"zones[{ident}]: give exactly one of 'band' or 'area'.",
                "a zone is either a band derived from a line or an area.",
            )
            continue
        if obj.has("band"):
            band = _band(b, obj.at("band"), obj.raw("band"))
            if band is not None:
                b.zones.append(
                    Zone(
                        ZoneId(ident),
                        name,
                        band,
                        None,
                        PartyId(party) if party else band.side,
                        caps,
                    )
                )
        else:
            feature = b.files.resolve(obj.at("area"), obj.raw("area"), POLYGONAL)
            if feature is not None:
                b.zones.append(
                    Zone(
                        ZoneId(ident),
                        name,
                        None,
                        as_multipolygon(feature.geometry),
                        PartyId(party) if party else None,
                        caps,
                    )
                )


def _band(b: Builder, path: Path, value: Any) -> Band | None:
    obj = b.ctx.obj(
        path,
        value,
        required=("line", "side", "to_km"),
        optional=("to_m", *length_keys("from")),
        what="a band",
    )
    if obj is None:
        return None
    line_id = obj.ident("line")
    side = obj.ident("side")
    from_m = obj.quantity("from") or 0.0
    to_m = obj.quantity("to")
    line = b.line(line_id, obj.at("line")) if line_id else None
    if line is not None and side is not None and side != "both" and side not in line.between:
        b.ctx.problem(
            "bad-reference",
            obj.at("side"),
            f"{pointer(obj.at('side'))}: {side!r} is not a party of line {line.id!r}.",
            f"use one of: {', '.join(line.between)}, both.",
        )
        return None
    if to_m is not None and from_m >= to_m:
        to_key = next(k for k in length_keys("to") if obj.has(k))
        from_key = next((k for k in length_keys("from") if obj.has(k)), None)
        start = f"{from_key}: {obj.raw(from_key)}" if from_key else "0"
        b.ctx.problem(
            "bad-value",
            obj.at(to_key),
            f"{pointer(obj.path)}: the band ends ({to_key}: {obj.raw(to_key)}) where or "
            f"before it starts ({start}).",
            "make 'to' larger than 'from': the band covers the distances from 'from' to 'to'.",
        )
        return None
    if line is None or side is None or to_m is None:
        return None
    return Band(line.id, None if side == "both" else PartyId(side), from_m, to_m)


def _caps(b: Builder, obj: Obj) -> tuple[tuple[str, int], ...]:
    raw = obj.raw("caps")
    if raw is None:
        return ()
    caps = b.ctx.obj(obj.at("caps"), raw, what="caps", any_keys=True)
    if caps is None:
        return ()
    found = []
    for key in raw:
        count = caps.integer(key, minimum=0)
        if count is not None:
            found.append((key, count))
    return tuple(sorted(found))


def read_withdrawal(b: Builder, top: Obj) -> None:
    if not top.has("withdrawal"):
        return
    obj = b.ctx.obj(
        top.at("withdrawal"),
        top.raw("withdrawal"),
        required=("line",),
        optional=("distances_km", "distances_m"),
        what="withdrawal",
    )
    if obj is None:
        return
    line_id = obj.ident("line")
    line = b.line(line_id, obj.at("line")) if line_id else None
    keys = [k for k in ("distances_km", "distances_m") if obj.has(k)]
    if len(keys) != 1:
        b.ctx.problem(
            "missing-field",
            obj.path,
            "withdrawal needs exactly one of distances_km or distances_m.",
            "add 'distances_km:' with one entry per weapon class.",
        )
        return
    key = keys[0]
    scale = 1000.0 if key.endswith("_km") else 1.0
    table = b.ctx.obj(obj.at(key), obj.raw(key), what=key, any_keys=True)
    if table is None or line is None:
        return
    found: list[tuple[WeaponClass, PartyId, float]] = []
    for weapon, spec in table.value.items():
        where = table.at(weapon)
        sides = spec if isinstance(spec, dict) else {None: spec}  # None: both sides
        for party_id, value in sides.items():
            at = where if party_id is None else (*where, party_id)
            if party_id is not None and party_id not in line.between:
                b.ctx.problem(
                    "bad-reference",
                    at,
                    f"{pointer(at)}: {party_id!r} is not a party of line {line.id!r}.",
                    f"use {' or '.join(line.between)}.",
                )
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                b.ctx.problem(
                    "wrong-type",
                    at,
                    f"{pointer(at)}: the withdrawal "
                    f"distance must be a positive number, got {value!r}.",
                    f"write a number of {key[-2:].strip('_')}, e.g. 50.",
                )
                continue
            for side in line.between if party_id is None else (party_id,):
                found.append((WeaponClass(weapon), PartyId(side), float(value) * scale))
    b.withdrawal = Withdrawal(line.id, tuple(found))
    for weapon, party_id, distance_m in found:
        zone_id = b.withdrawal.zone_id(weapon, party_id)
        b.declared.setdefault("zones", {})[zone_id] = table.at(weapon)
        b.zones.append(
            Zone(
                zone_id,
                f"{weapon} withdrawal zone, {party_id} side",
                Band(line.id, party_id, 0.0, distance_m),
                None,
                party_id,
                derived_from="withdrawal",
            )
        )


def read_sites(b: Builder, top: Obj) -> None:
    for obj, ident in b.entries(top, "protected_sites"):
        radius_m = obj.quantity("radius") or 0.0
        if obj.has("point") == obj.has("area"):
            b.ctx.problem(
                "bad-value",
                obj.path,
                f"protected_sites[{ident}]: give exactly one of 'point' or 'area'.",
                "a site is a point with a radius, or an area (with an optional radius around it).",
            )
            continue
        geometry = None
        if obj.has("point"):
            position = obj.point("point")
            geometry = Point(position) if position else None
            if position and radius_m <= 0:
                b.ctx.problem(
                    "missing-field",
                    obj.path,
                    f"protected_sites[{ident}]: a point site needs a radius.",
                    "add e.g. 'radius_km: 5'.",
                )
                continue
        else:
            feature = b.files.resolve(obj.at("area"), obj.raw("area"), POLYGONAL)
            geometry = as_multipolygon(feature.geometry) if feature else None
        if geometry is not None:
            b.sites.append(
                ProtectedSite(SiteId(ident), obj.text("name") or ident, geometry, radius_m)
            )


def read_contributors(b: Builder, top: Obj) -> None:
    for obj, ident in b.entries(top, "contributors"):
        assets = b.texts(obj, "assets")
        b.contributors.append(Contributor(ident, obj.text("name") or ident, assets))


def read_hubs(b: Builder, top: Obj) -> None:
    for obj, ident in b.entries(top, "hubs"):
        position = obj.point("point")
        min_m = obj.quantity("min_distance_from_line")
        contributor = obj.ident("contributor") or ""
        if contributor:
            b.refer("contributors", contributor, obj.at("contributor"), "contributor")
        if position is None or min_m is None:
            continue
        b.hubs.append(
            Hub(HubId(ident), obj.text("name") or ident, Point(position), min_m, contributor)
        )


def read_sectors(b: Builder, top: Obj) -> None:
    for obj, ident in b.entries(top, "sectors"):
        if not obj.has("area"):
            continue  # reported as a missing field
        feature = b.files.resolve(obj.at("area"), obj.raw("area"), POLYGONAL)
        if feature is not None:
            b.sectors.append(
                Sector(
                    SectorId(ident),
                    obj.text("name") or ident,
                    as_multipolygon(feature.geometry),
                )
            )


def _gap_km(first: Any, second: Any) -> float:
    from shapely.ops import nearest_points

    from ceasewatch.model.geo import geodesic_distance_m

    a, b = nearest_points(first, second)
    return float(geodesic_distance_m(a.x, a.y, b.x, b.y)[0]) / 1000.0
