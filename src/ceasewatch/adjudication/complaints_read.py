"""Reading what answering complaints needs: the complaints (``complaints.jsonl``, FORMATS.md)
and the incidents (docs/fusion-incidents.md), checked field by field.

A bad record raises :class:`~ceasewatch.errors.InputError` naming the complaint or incident, the
field and the fix. The same complaint sent twice (same id, same content) counts once; the same id
with other content is an error. ``radius_m`` is optional (2 km, as fusion reads it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ceasewatch.errors import InputError
from ceasewatch.model.time import parse_ns

DEFAULT_RADIUS_M = 2000.0
"""The radius of a complaint that gives none (the fusion plugin reads it the same way)."""


@dataclass(frozen=True)
class Complaint:
    complaint_id: str
    party: str
    alleged_party: str
    category: str
    t_submitted_ns: int
    t_start_ns: int
    t_end_ns: int
    lon: float
    lat: float
    radius_m: float


@dataclass(frozen=True)
class Spot:
    """A place where an incident was seen, with the 2σ of its position (metres)."""

    what: str  # "position" (the incident's: impact, blast, launch…) or "firing position"
    lon: float
    lat: float
    two_sigma_m: float


@dataclass(frozen=True)
class Seen:
    """An incident as answering complaints needs it."""

    incident_id: str
    kind: str
    t_start_ns: int
    t_end_ns: int
    spots: tuple[Spot, ...]
    where_side: str | None
    firing_side: str | None
    clutter: str | None
    complaint_ids: frozenset[str]  # complaints fusion listed as supporting or contradicting it


def read_complaints(records: Sequence[Mapping[str, Any]]) -> tuple[Complaint, ...]:
    """Each complaint once, sorted by id."""
    unique = _once_by_id(
        records,
        "complaint",
        "complaint_id",
        "give every complaint its id",
        "sent again with other content; give a corrected complaint a new id",
    )
    return tuple(_complaint(cid, unique[cid]) for cid in sorted(unique))


def _once_by_id(
    records: Sequence[Mapping[str, Any]], what: str, key: str, fix_missing: str, fix_changed: str
) -> dict[str, Mapping[str, Any]]:
    """Records by id, in the order given; the same record twice counts once, the same id with
    other content (or a record with no id) is an InputError naming it and the fix."""
    found: dict[str, Mapping[str, Any]] = {}
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise InputError(
                f"{what} #{index + 1}: a {type(record).__name__} where an object was "
                f"expected; pass each {what} as a dict"
            )
        rid = record.get(key)
        if not isinstance(rid, str) or not rid:
            raise InputError(f"{what} #{index + 1}: missing or empty {key!r}; {fix_missing}")
        if rid in found and dict(found[rid]) != dict(record):
            raise InputError(f"{what} {rid}: {fix_changed}")
        found.setdefault(rid, record)
    return found


def _complaint(cid: str, record: Mapping[str, Any]) -> Complaint:
    where = f"complaint {cid}"
    party = _text(where, record, "party")
    alleged = _text(where, record, "alleged_party")
    if party == alleged:
        raise InputError(
            f"{where}: 'party' and 'alleged_party' are both {party!r}; a complaint names the "
            "party it is against — fix 'alleged_party'"
        )
    t0, t1 = _window(where, record, "t_alleged")
    lon, lat = _point(where, record.get("position"), "position")
    radius = record.get("radius_m", DEFAULT_RADIUS_M)
    if not _number(radius) or float(radius) <= 0:
        raise InputError(
            f"{where}: 'radius_m' must be a number of metres above 0, not {radius!r}; fix it "
            f"or leave it out ({DEFAULT_RADIUS_M:g} m)"
        )
    return Complaint(
        complaint_id=cid,
        party=party,
        alleged_party=alleged,
        category=_text(where, record, "category"),
        t_submitted_ns=_instant(where, record.get("t_submitted"), "t_submitted"),
        t_start_ns=t0,
        t_end_ns=t1,
        lon=lon,
        lat=lat,
        radius_m=float(radius),
    )


def read_incidents(incidents: Sequence[Mapping[str, Any]]) -> dict[str, Seen]:
    """Incidents by id (a repeated id with the same content counts once)."""
    unique = _once_by_id(
        incidents,
        "incident",
        "incident_id",
        "pass incidents as `ceasewatch fuse` writes them (incidents.jsonl)",
        "given twice with other content; pass it once",
    )
    return {iid: _seen(iid, record) for iid, record in unique.items()}


def _seen(iid: str, record: Mapping[str, Any]) -> Seen:
    where = f"incident {iid}"
    t0 = _instant(where, record.get("t_start"), "t_start")
    t1 = _instant(where, record.get("t_end", record.get("t_start")), "t_end")
    spots = [_spot(where, "position", record, "position")]
    firing = record.get("firing_position")
    if firing is not None:
        if not isinstance(firing, Mapping):
            raise InputError(f"{where}: 'firing_position' must be an object or null")
        spots.append(_spot(f"{where} firing_position", "firing position", firing, "position"))
    sides = record.get("sides") or {}
    if not isinstance(sides, Mapping):
        raise InputError(f'{where}: \'sides\' must be an object such as {{"where": "UA"}}')
    clutter = record.get("clutter")
    if clutter is not None and not isinstance(clutter, str):
        raise InputError(f"{where}: 'clutter' must be a string or null, not {clutter!r}")
    linked: set[str] = set()
    for key in ("supporting", "contradicting"):
        items = record.get(key) or []
        if not isinstance(items, list):
            raise InputError(f"{where}: {key!r} must be a list of {{stream, record_id, reason}}")
        linked |= {
            str(item.get("record_id"))
            for item in items
            if isinstance(item, Mapping) and item.get("stream") == "complaints"
        }
    kind = record.get("kind", "unknown")
    return Seen(
        incident_id=iid,
        kind=kind if isinstance(kind, str) else "unknown",
        t_start_ns=min(t0, t1),
        t_end_ns=max(t0, t1),
        spots=tuple(spots),
        where_side=_side(sides.get("where")),
        firing_side=_side(sides.get("firing")),
        clutter=clutter,
        complaint_ids=frozenset(linked),
    )


def _spot(where: str, what: str, record: Mapping[str, Any], key: str) -> Spot:
    lon, lat = _point(where, record.get(key), key)
    ellipse = record.get("ellipse")
    two_sigma = 0.0
    if isinstance(ellipse, Mapping):
        a: Any = ellipse.get("semi_major_m")
        p: Any = ellipse.get("p", 0.95)
        if _number(a) and _number(p) and 0.0 < float(p) < 1.0:
            two_sigma = 2.0 * float(a) / math.sqrt(-2.0 * math.log(1.0 - float(p)))
    return Spot(what, lon, lat, two_sigma)


def _side(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _text(where: str, record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    if isinstance(value, str) and value:
        return value
    if value is None:
        raise InputError(f"{where}: missing field {key!r}; add it (a string)")
    raise InputError(f"{where}: field {key!r} must be a non-empty string, not {value!r}")


def _instant(where: str, value: Any, key: str) -> int:
    if not isinstance(value, str):
        what = "missing field" if value is None else "field"
        raise InputError(
            f"{where}: {what} {key!r} must be an RFC 3339 time such as 2026-02-18T03:12:45Z"
        )
    return parse_ns(value, where=f"{where}: field {key!r}")


def _window(where: str, record: Mapping[str, Any], key: str) -> tuple[int, int]:
    value = record.get(key)
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InputError(
            f"{where}: field {key!r} must be [start, end] RFC 3339 times, not {value!r}"
        )
    t0, t1 = (_instant(where, v, key) for v in value)
    if t1 < t0:
        raise InputError(f"{where}: {key!r} ends before it starts; write [start, end]")
    return t0, t1


def _point(where: str, value: Any, key: str) -> tuple[float, float]:
    if (
        isinstance(value, list | tuple)
        and len(value) in (2, 3)
        and all(_number(v) for v in value)
        and -180.0 <= float(value[0]) <= 180.0
        and -90.0 <= float(value[1]) <= 90.0
    ):
        return float(value[0]), float(value[1])
    raise InputError(
        f"{where}: field {key!r} must be [lon, lat] in degrees, longitude first, not {value!r}"
    )


def _number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )
