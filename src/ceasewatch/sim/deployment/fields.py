"""The entries of a deployment file: one sensor, or one generator of sensors along a line.

Each reader records every problem in the :class:`~ceasewatch.agreement.reader.Context` (file,
line, column and a fix) and returns None for an entry it cannot use, so one pass reports every
mistake. Field names carry their unit (``range_km`` or ``range_m``, ``t_sigma_s``).
"""

from __future__ import annotations

import difflib
import math
from typing import Any

from ceasewatch.agreement.reader import Context, Obj, length_keys, read_point
from ceasewatch.agreement.types import Agreement
from ceasewatch.agreement.yamldoc import Path, pointer
from ceasewatch.sim.base import Sensor, SensorKind
from ceasewatch.sim.deployment.place import MISSION, Spread

KINDS = tuple(str(k) for k in SensorKind)
COMMON: tuple[str, ...] = ("id", "kind", "owner", "position", "elev_m", *length_keys("range"))
COMMON += ("p_detect", "false_alarm_per_h")
PER_KIND: dict[str, tuple[str, ...]] = {
    "acoustic": ("t_sigma_s", "clock_skew_s"),
    "radar": ("azimuth_deg", "sector_deg"),
    "uav": ("route", "speed_mps", "swath_m", "night_capable"),
    "camera": ("azimuth_deg", "sector_deg", "swath_m", "night_capable"),
    "satellite": (),
    "observer": (),
}
# Plain numbers: (lowest, highest, whether the lowest itself is allowed).
LIMITS: dict[str, tuple[float, float, bool]] = {
    "p_detect": (0.0, 1.0, False),
    "false_alarm_per_h": (0.0, 1000.0, True),
    "t_sigma_s": (0.0, 10.0, False),
    "clock_skew_s": (-3600.0, 3600.0, True),
    "azimuth_deg": (0.0, 360.0, True),
    "sector_deg": (0.0, 360.0, False),
    "speed_mps": (0.0, 400.0, False),
    "swath_m": (0.0, 3_000_000.0, False),
    "elev_m": (-500.0, 9000.0, True),
    "night_share": (0.0, 1.0, True),
    "clock_skew_share": (0.0, 1.0, True),
}


def _other_kinds(name: str, table: dict[str, tuple[str, ...]]) -> list[str]:
    return [kind for kind, fields in table.items() if name in fields]


def open_entry(
    ctx: Context,
    path: Path,
    value: Any,
    kind: str | None,
    common: tuple[str, ...],
    table: dict[str, tuple[str, ...]],
    what: str,
) -> Obj | None:
    """The entry as an Obj; fields that belong to another kind are reported as such."""
    entry = ctx.obj(path, value, what=what, any_keys=True)
    if entry is None:
        return None
    allowed = (*common, *table.get(kind or "", ()))
    kept = {}
    for key, item in entry.value.items():
        others = _other_kinds(key, table)
        if kind is not None and key not in allowed and others:
            ctx.problem(
                "unknown-key",
                (*path, key),
                f"{pointer((*path, key))}: '{key}' is not a field of {kind} {what}s "
                f"(it is one of {', '.join(others)}).",
                f"remove it, or change the kind. Allowed here: {', '.join(sorted(allowed))}.",
                key=True,
            )
            continue
        kept[key] = item
    reader = Obj(ctx, path, kept)
    if kind is not None:
        reader.check_keys(tuple(k for k in ("kind",) if k in common), allowed)
    return reader


def read_number(entry: Obj, name: str, default: float | None = None) -> float | None:
    if name not in entry.value:
        return default
    value = entry.value[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        entry.ctx.problem(
            "wrong-type",
            entry.at(name),
            f"{pointer(entry.at(name))}: expected a number, got {value!r}.",
            f"write a plain number, e.g. {name}: {_example(name)}.",
        )
        return None
    return _in_limits(entry, entry.at(name), name, float(value))


def _in_limits(entry: Obj, path: Path, name: str, value: float) -> float | None:
    low, high, closed = LIMITS.get(name, (0.0, math.inf, True))
    if value > high or value < low or (value == low and not closed):
        edge = "from" if closed else "above"
        entry.ctx.problem(
            "out-of-range",
            path,
            f"{pointer(path)}: {value:g} is outside the range of {name} ({edge} {low:g} "
            f"to {high:g}).",
            f"use a value {edge} {low:g} to {high:g}.",
        )
        return None
    return value


def _example(name: str) -> str:
    return {"p_detect": "0.9", "t_sigma_s": "0.02", "azimuth_deg": "135"}.get(name, "1")


def read_spread(entry: Obj, name: str, scale: float = 1.0) -> Spread | None:
    """A number, or [lowest, highest] to draw each sensor's value from."""
    value = entry.value.get(name)
    path = entry.at(name)
    if isinstance(value, list):
        ok = len(value) == 2 and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in value
        )
        if not ok or value[0] > value[1]:
            entry.ctx.problem(
                "wrong-type",
                path,
                f"{pointer(path)}: expected a number or [lowest, highest], got {value!r}.",
                f"write e.g. {name}: 2 or {name}: [2, 6], lowest first.",
            )
            return None
        low = _in_limits(entry, (*path, 0), name, float(value[0]))
        high = _in_limits(entry, (*path, 1), name, float(value[1]))
        return None if low is None or high is None else Spread(low * scale, high * scale)
    number = read_number(entry, name)
    return None if number is None else Spread.of(number * scale)


def length_spread(entry: Obj, base: str) -> Spread | None:
    for unit, scale in (("km", 1000.0), ("m", 1.0)):
        if f"{base}_{unit}" in entry.value:
            return read_spread(entry, f"{base}_{unit}", scale)
    return None


def read_owner(entry: Obj, agreement: Agreement | None) -> str | None:
    owner = entry.ident("owner")
    known = [c.id for c in agreement.contributors] if agreement else []
    if owner is None or agreement is None or not known or owner in known or owner == MISSION:
        return owner
    close = difflib.get_close_matches(owner, known, n=1, cutoff=0.5)
    entry.ctx.problem(
        "bad-reference",
        entry.at("owner"),
        f"{pointer(entry.at('owner'))}: {owner!r} is not a contributor of {agreement.id}.",
        (f"did you mean '{close[0]}'? " if close else "")
        + f"Use one of: {', '.join([*known, MISSION])}.",
    )
    return None


def read_sensor(ctx: Context, path: Path, value: Any, agreement: Agreement | None) -> Sensor | None:
    """One sensor written out in full."""
    before = len(ctx.problems)
    kind = value.get("kind") if isinstance(value, dict) else None
    kind_ok = isinstance(kind, str) and kind in KINDS
    entry = open_entry(ctx, path, value, kind if kind_ok else None, COMMON, PER_KIND, "sensor")
    if entry is None:
        return None
    if not kind_ok:
        entry.check_keys(("id", "kind", "owner"), tuple(entry.value))
        entry.choice("kind", KINDS)
        return None
    assert isinstance(kind, str)
    fields = (*COMMON, *PER_KIND[kind])
    needed = ["id", "owner", "route" if kind == "uav" else "position"]
    complete = True
    for name in [*needed, *([] if kind == "uav" else ["range"])]:
        if name in entry.value or (name == "range" and entry.has_quantity("range")):
            continue
        complete = False
        field = "range_km" if name == "range" else name
        ctx.problem(
            "missing-field",
            path,
            f"{pointer(path)}: {'an' if kind[0] in 'aeiou' else 'a'} {kind} sensor needs "
            f"'{field}'.",
            f"add '{field}: ...' to it" + (" (or range_m)." if name == "range" else "."),
        )
    ident = entry.ident("id")
    owner = read_owner(entry, agreement)
    route = _route(entry) if kind == "uav" else None
    position = entry.point("position")
    range_m = entry.quantity("range")
    numbers = {n: read_number(entry, n) for n in fields if n in LIMITS and n in entry.value}
    night = entry.flag("night_capable") if "night_capable" in fields else False
    if kind == "uav" and route:
        position = position or route[0]
    if range_m is not None and range_m <= 0:
        ctx.problem(
            "out-of-range",
            entry.at("range_km" if "range_km" in entry.value else "range_m"),
            f"{pointer(path)}: the range must be more than zero.",
            "give the nominal detection range, e.g. range_km: 20.",
        )
        complete = False
    if kind == "radar" and "sector_deg" in numbers and "azimuth_deg" not in numbers:
        ctx.problem(
            "missing-field",
            path,
            f"{pointer(path)}: a radar with a sector needs 'azimuth_deg' (its centre).",
            "add azimuth_deg: the direction it faces, in degrees clockwise from north.",
        )
        complete = False
    if not complete or len(ctx.problems) > before or ident is None or owner is None:
        return None
    if position is None or None in numbers.values() or (kind == "uav" and route is None):
        return None
    values: dict[str, Any] = {k: v for k, v in numbers.items() if v is not None}
    if kind == "uav":
        values.setdefault("speed_mps", 30.0)
        values.setdefault("swath_m", 6000.0)
        values["route"] = tuple(route or ())
    return Sensor(
        ident,
        SensorKind(kind),
        owner,
        position[0],
        position[1],
        range_m if range_m is not None else 0.0,  # a drone's is filled in from its route
        night_capable=night,
        **values,
    )


def _route(entry: Obj) -> list[tuple[float, float]] | None:
    if "route" not in entry.value:
        return None
    points = []
    value = entry.value["route"]
    if not isinstance(value, list) or len(value) < 2:
        entry.ctx.problem(
            "wrong-type",
            entry.at("route"),
            f"{pointer(entry.at('route'))}: a route is a list of at least two positions.",
            "write route: [[lon, lat], [lon, lat], ...], longitude first.",
        )
        return None
    for index, item in enumerate(value):
        point = read_point(entry.ctx, (*entry.at("route"), index), item)
        if point is None:
            return None
        points.append(point)
    return points
