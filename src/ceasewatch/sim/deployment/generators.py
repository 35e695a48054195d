"""The generators of a deployment file: sensors of a kind along a stretch of line, or one of
the built-in styles. Like :mod:`.fields`, every problem is recorded with its place in
the file, and an entry with a problem gives None."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from ceasewatch.agreement.reader import Context, Obj, length_keys
from ceasewatch.agreement.types import Agreement
from ceasewatch.agreement.yamldoc import Path, pointer
from ceasewatch.sim.base import SensorKind
from ceasewatch.sim.deployment.fields import (
    KINDS,
    length_spread,
    open_entry,
    read_number,
    read_owner,
    read_spread,
)
from ceasewatch.sim.deployment.kinds import Along
from ceasewatch.sim.deployment.place import Spread

GENERATED = ("acoustic", "radar", "uav", "observer")
GEN_COMMON: tuple[str, ...] = ("kind", "line", *length_keys("every"), *length_keys("from"))
GEN_COMMON += length_keys("to")
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


def read_generator(
    ctx: Context, path: Path, value: Any, agreement: Agreement | None, styles: tuple[str, ...]
) -> Along | StyleEntry | None:
    """One generator: sensors of a kind along a stretch of line, or a built-in style."""
    if isinstance(value, dict) and "style" in value:
        return _style_entry(ctx, path, value, styles)
    kind = value.get("kind") if isinstance(value, dict) else None
    if isinstance(value, dict) and kind not in GENERATED:
        unknown = Obj(ctx, path, value)
        if kind is None:
            unknown.check_keys(("kind",), tuple(value))
        elif kind in KINDS:
            ctx.problem(
                "bad-value",
                (*path, "kind"),
                f"{pointer((*path, 'kind'))}: {kind} sensors are not generated along the line.",
                f"list them one by one under 'sensors:', or add {{style: dense, kinds: [{kind}]}}"
                f" here. Generators make: {', '.join(GENERATED)}."
                if kind == "satellite"
                else f"list them one by one under 'sensors:'. Generators make: "
                f"{', '.join(GENERATED)}.",
            )
        else:
            unknown.choice("kind", GENERATED)
        return None
    before = len(ctx.problems)
    entry = open_entry(ctx, path, value, kind, GEN_COMMON, GEN_KIND, "generator")
    if entry is None or not isinstance(kind, str):
        return None
    every_m = entry.quantity("every")
    if every_m is None and not any(k.startswith("every") for k in entry.value):
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
    owner = read_owner(entry, agreement) if "owner" in entry.value else None
    overrides: dict[str, Spread | None] = {
        "offset_m": length_spread(entry, "offset"),
        "range_m": length_spread(entry, "range"),
    }
    for name in ("t_sigma_s", "false_alarm_per_h", "p_detect", "sector_deg", "speed_mps"):
        overrides[name] = read_spread(entry, name) if name in entry.value else None
    overrides["swath_m"] = read_spread(entry, "swath_m") if "swath_m" in entry.value else None
    skew_share = read_number(entry, "clock_skew_share", 0.0)
    skew = read_spread(entry, "clock_skew_s") if "clock_skew_s" in entry.value else Spread(0.2, 2.0)
    night = read_number(entry, "night_share", 0.5)
    cover_m = entry.quantity("cover") or 100_000.0
    leg_m = entry.quantity("leg") or 8000.0
    if agreement is not None and line_id is not None and every_m is not None:
        stretch = _stretch_ok(entry, agreement, line_id, from_m, to_m)
        if stretch and sides is not None:
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
