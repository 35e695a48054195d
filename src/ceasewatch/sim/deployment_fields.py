"""The entries of a deployment file: one sensor, or one generator of sensors along a line.

Each reader records every problem in the :class:`~ceasewatch.agreement.reader.Context` (file,
line, column and a fix) and returns None for an entry it cannot use, so one pass reports every
mistake. Field names carry their unit (``range_km`` or ``range_m``, ``t_sigma_s``).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

from ceasewatch.agreement.reader import Context, Obj, length_keys, read_point
from ceasewatch.agreement.types import Agreement
from ceasewatch.agreement.yamldoc import Path, pointer
from ceasewatch.sim.base import Sensor, SensorKind
from ceasewatch.sim.deployment_kinds import DEFAULTS, Along
from ceasewatch.sim.deployment_place import MISSION, Spread

KINDS = tuple(str(k) for k in SensorKind)
COMMON = ("id", "kind", "owner", "position", "elev_m", *length_keys("range"), "p_detect")
COMMON += ("false_alarm_per_h",)
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
GENERATED = ("acoustic", "radar", "uav", "observer")
GEN_COMMON = ("kind", "line", *length_keys("every"), *length_keys("from"), *length_keys("to"))
GEN_COMMON += ("sides", *length_keys("offset"), "owner", "p_detect")
GEN_KIND: dict[str, tuple[str, ...]] = {
    "acoustic": (*length_keys("range"), "t_sigma_s", "false_alarm_per_h", "clock_skew_share"),
    "radar": (*length_keys("range"), "sector_deg", "false_alarm_per_h"),
    "uav": ("speed_mps", "swath_m", "night_share", *length_keys("cover"), *length_keys("leg")),
    "observer": length_keys("range"),
}
GEN_KIND["acoustic"] += ("clock_skew_s",)
SIDES_DEFAULT = {"observer": "both"}


@dataclass(frozen=True)
class StyleEntry:
    style: str
    kinds: tuple[SensorKind, ...] | None


def _other_kinds(name: str, table: dict[str, tuple[str, ...]]) -> list[str]:
    return [kind for kind, fields in table.items() if name in fields]


def _open(
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


def _number(entry: Obj, name: str, default: float | None = None) -> float | None:
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


def _spread(entry: Obj, name: str, scale: float = 1.0) -> Spread | None:
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
    number = _number(entry, name)
    return None if number is None else Spread.of(number * scale)


def _length_spread(entry: Obj, base: str) -> Spread | None:
    for unit, scale in (("km", 1000.0), ("m", 1.0)):
        if f"{base}_{unit}" in entry.value:
            return _spread(entry, f"{base}_{unit}", scale)
    return None


def _owner(entry: Obj, agreement: Agreement | None) -> str | None:
    owner = entry.ident("owner")
    known = [c.id for c in agreement.contributors] if agreement else []
    if owner is None or not known or owner in known or owner == MISSION:
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
    entry = _open(ctx, path, value, kind if kind_ok else None, COMMON, PER_KIND, "sensor")
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
            f"{pointer(path)}: a {kind} sensor needs '{field}'.",
            f"add '{field}: ...' to it" + (" (or range_m)." if name == "range" else "."),
        )
    ident = entry.ident("id")
    owner = _owner(entry, agreement)
    route = _route(entry) if kind == "uav" else None
    position = entry.point("position")
    range_m = entry.quantity("range")
    numbers = {n: _number(entry, n) for n in fields if n in LIMITS and n in entry.value}
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
        values.setdefault("swath_m", 2000.0)
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


def read_generator(
    ctx: Context, path: Path, value: Any, agreement: Agreement | None, styles: tuple[str, ...]
) -> Along | StyleEntry | None:
    """One generator: sensors of a kind along a stretch of line, or a built-in style."""
    if isinstance(value, dict) and "style" in value:
        return _style_entry(ctx, path, value, styles)
    kind = value.get("kind") if isinstance(value, dict) else None
    if isinstance(value, dict) and kind not in GENERATED:
        entry = Obj(ctx, path, value)
        if kind is None:
            entry.check_keys(("kind",), tuple(value))
        else:
            entry.choice("kind", GENERATED)
        return None
    before = len(ctx.problems)
    entry = _open(ctx, path, value, kind, GEN_COMMON, GEN_KIND, "generator")
    if entry is None or not isinstance(kind, str):
        return None
    every_m = entry.quantity("every")
    if every_m is None and not entry.has_quantity("every"):
        ctx.problem(
            "missing-field",
            path,
            f"{pointer(path)}: a generator needs its spacing along the line.",
            "add every_km: the distance between consecutive stations, e.g. every_km: 5.",
        )
    elif every_m is not None and every_m <= 0:
        key = "every_km" if "every_km" in entry.value else "every_m"
        ctx.problem(
            "out-of-range",
            entry.at(key),
            f"{pointer(entry.at(key))}: the spacing must be more than zero.",
            "write e.g. every_km: 5.",
        )
    line_id = _line(entry, agreement)
    from_m, to_m = entry.quantity("from") or 0.0, entry.quantity("to")
    sides = entry.text("sides", required=False, default=SIDES_DEFAULT.get(kind, "alternate"))
    owner = _owner(entry, agreement) if "owner" in entry.value else None
    overrides: dict[str, Spread | None] = {
        "offset_m": _length_spread(entry, "offset"),
        "range_m": _length_spread(entry, "range"),
    }
    for name in ("t_sigma_s", "false_alarm_per_h", "p_detect", "sector_deg", "speed_mps"):
        overrides[name] = _spread(entry, name) if name in entry.value else None
    overrides["swath_m"] = _spread(entry, "swath_m") if "swath_m" in entry.value else None
    skew_share = _number(entry, "clock_skew_share", 0.0)
    skew = _spread(entry, "clock_skew_s") if "clock_skew_s" in entry.value else Spread(0.2, 2.0)
    night = _number(entry, "night_share", 0.5)
    cover_m = entry.quantity("cover") or 100_000.0
    leg_m = entry.quantity("leg") or 8000.0
    if agreement is not None and line_id is not None and every_m is not None:
        if _stretch_ok(entry, agreement, line_id, from_m, to_m) and sides is not None:
            _sides_ok(entry, agreement, line_id, sides)
    if len(ctx.problems) > before:
        return None
    assert every_m is not None and line_id is not None and sides is not None
    assert skew_share is not None and night is not None and skew is not None
    return Along(
        SensorKind(kind),
        line_id,
        every_m,
        from_m,
        to_m,
        sides,
        tuple(sorted((k, v) for k, v in overrides.items() if v is not None)),
        owner,
        skew_share,
        skew,
        cover_m,
        leg_m,
        night,
    )


def _style_entry(
    ctx: Context, path: Path, value: Any, styles: tuple[str, ...]
) -> StyleEntry | None:
    entry = ctx.obj(path, value, required=("style",), optional=("kinds",), what="a style entry")
    if entry is None:
        return None
    style = entry.choice("style", styles)
    kinds: list[SensorKind] = []
    for item_path, item in entry.items("kinds"):
        if isinstance(item, str) and item in KINDS:
            kinds.append(SensorKind(item))
            continue
        close = difflib.get_close_matches(str(item), KINDS, n=1, cutoff=0.6)
        ctx.problem(
            "bad-value",
            item_path,
            f"{pointer(item_path)}: {item!r} is not a kind of sensor.",
            (f"did you mean '{close[0]}'? " if close else "") + f"Use: {', '.join(KINDS)}.",
        )
        return None
    if style is None:
        return None
    return StyleEntry(style, tuple(kinds) if "kinds" in entry.value else None)


def _line(entry: Obj, agreement: Agreement | None) -> str | None:
    line_id = entry.ident("line")
    if agreement is None:
        return line_id or "?"
    known = [str(line.id) for line in agreement.lines]
    if line_id is None and "line" not in entry.value:
        if len(known) == 1:
            return known[0]
        entry.ctx.problem(
            "missing-field",
            entry.path,
            f"{pointer(entry.path)}: {agreement.id} has several lines; say which one.",
            f"add line: one of {', '.join(known)}.",
        )
        return None
    if line_id in known:
        return line_id
    if line_id is not None:
        close = difflib.get_close_matches(line_id, known, n=1, cutoff=0.5)
        entry.ctx.problem(
            "bad-reference",
            entry.at("line"),
            f"{pointer(entry.at('line'))}: {agreement.id} has no line {line_id!r}.",
            (f"did you mean '{close[0]}'? " if close else "") + f"Lines: {', '.join(known)}.",
        )
    return None


def _stretch_ok(
    entry: Obj, agreement: Agreement, line_id: str, from_m: float, to_m: float | None
) -> bool:
    if line_id not in [str(line.id) for line in agreement.lines]:
        return False
    length_m = agreement.line(line_id).length_m
    end = length_m if to_m is None else to_m
    if from_m >= length_m or end > length_m + 1.0 or end <= from_m:
        key = next((k for k in (*length_keys("to"), *length_keys("from")) if k in entry.value), "")
        entry.ctx.problem(
            "out-of-range",
            entry.at(key) if key else entry.path,
            f"{pointer(entry.path)}: the stretch from km {from_m / 1000:g} to km {end / 1000:g} "
            f"is not within line {line_id} (km 0 to {length_m / 1000:,.1f}).",
            "give from_km below to_km, both within the line's length.",
        )
        return False
    return True


def _sides_ok(entry: Obj, agreement: Agreement, line_id: str, sides: str) -> bool:
    options = ("alternate", "both", *(str(p) for p in agreement.line(line_id).between))
    if sides in options:
        return True
    entry.ctx.problem(
        "bad-value",
        entry.at("sides"),
        f"{pointer(entry.at('sides'))}: {sides!r} is not a side of line {line_id}.",
        f"use one of: {', '.join(options)}.",
    )
    return False


def defaults_note(kind: str) -> str:
    """The default parameters of a generated kind, for messages and documentation."""
    return ", ".join(f"{k} {v.low:g}–{v.high:g}" for k, v in DEFAULTS[SensorKind(kind)].items())
