"""Typed, located access to a YAML document that collects problems instead of raising.

Every accessor returns ``None`` after recording a :class:`~ceasewatch.errors.Problem` when the
value is missing or wrong, so one pass over the document reports every mistake at once.
Quantities carry their unit in the key (``to_km`` or ``to_m``, ``after_h``); a bare or foreign
unit is reported as such, with the accepted spellings.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ceasewatch.agreement.yamldoc import LocatedDocument, Path, pointer
from ceasewatch.errors import InputError, Problem
from ceasewatch.model.time import parse_utc

IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")

LENGTH_UNITS = {"m": 1.0, "km": 1000.0}
DURATION_UNITS = {"h": 1.0}
UNIT_NAMES = {"m": "metres", "km": "kilometres", "h": "hours"}
# Foreign spellings: the accepted unit to write instead, and how many of it make one.
FOREIGN_UNITS: dict[str, tuple[str, float]] = {
    "mi": ("km", 1.609344), "mile": ("km", 1.609344), "miles": ("km", 1.609344),
    "nm": ("km", 1.852), "nmi": ("km", 1.852), "kms": ("km", 1.0),
    "kilometers": ("km", 1.0), "kilometres": ("km", 1.0), "kilometer": ("km", 1.0),
    "kilometre": ("km", 1.0), "ft": ("m", 0.3048), "feet": ("m", 0.3048),
    "yd": ("m", 0.9144), "meters": ("m", 1.0), "metres": ("m", 1.0), "meter": ("m", 1.0),
    "metre": ("m", 1.0), "d": ("h", 24.0), "day": ("h", 24.0), "days": ("h", 24.0),
    "w": ("h", 168.0), "weeks": ("h", 168.0), "hours": ("h", 1.0), "hrs": ("h", 1.0),
    "hr": ("h", 1.0), "min": ("h", 1 / 60), "mins": ("h", 1 / 60),
    "minutes": ("h", 1 / 60), "s": ("h", 1 / 3600), "sec": ("h", 1 / 3600),
    "seconds": ("h", 1 / 3600),
}  # fmt: skip
# Largest plausible value per unit; beyond it the unit is probably wrong.
PLAUSIBLE_MAX = {"km": 3000.0, "m": 3_000_000.0, "h": 24.0 * 366}
EXAMPLE = {"km": 15, "m": 500, "h": 48}
_NUMBER_WITH_UNIT = re.compile(
    r"^\s*(?P<number>[-+]?[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[A-Za-z]+)\.?\s*$"
)


@dataclass
class Context:
    """The document being read and the problems found so far."""

    doc: LocatedDocument
    problems: list[Problem] = field(default_factory=list)

    def problem(self, code: str, path: Path, message: str, fix: str, *, key: bool = False) -> None:
        line, column = self.doc.position(path, key=key)
        self.problems.append(Problem(self.doc.file, code, message, fix, line, column))

    def obj(
        self,
        path: Path,
        value: Any,
        *,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
        what: str = "this entry",
        any_keys: bool = False,
    ) -> Obj | None:
        if not isinstance(value, dict):
            self.problem(
                "wrong-type",
                path,
                f"{pointer(path)}: {what} must be a mapping of keys to values, not {_kind(value)}.",
                "write it as 'key: value' lines indented under its name.",
            )
            return None
        reader = Obj(self, path, value)
        if not any_keys:
            reader.check_keys(tuple(required), tuple(optional))
        return reader


class Obj:
    """A mapping in the document, read key by key."""

    def __init__(self, ctx: Context, path: Path, value: dict[str, Any]) -> None:
        self.ctx = ctx
        self.path = path
        self.value = value

    def has(self, name: str) -> bool:
        return name in self.value

    def has_quantity(self, base: str) -> bool:
        return any(f"{base}_{unit}" in self.value for unit in (*LENGTH_UNITS, *DURATION_UNITS))

    def raw(self, name: str) -> Any:
        return self.value.get(name)

    def at(self, name: str) -> Path:
        return (*self.path, name)

    # -- structure ---------------------------------------------------------------------------

    def check_keys(self, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
        """Report unknown keys and missing required fields.

        A misspelt or mis-unitted key explains the required field it stands for, so that field
        is not reported missing as well: one mistake, one problem.
        """
        allowed = set(required) | set(optional)
        quantity_bases = {_quantity_base(k) for k in allowed if _quantity_base(k)}
        explained: set[str] = set()
        for key in self.value:
            if key in allowed:
                continue
            base, _unit = _split_unit(key)
            if base in quantity_bases or key in quantity_bases:
                base = base if base in quantity_bases else key
                self._wrong_unit(key, base, allowed)
                explained.add(base)
                continue
            close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "remove it."
            explained.update(close)
            self.ctx.problem(
                "unknown-key",
                self.at(key),
                f"{pointer(self.at(key))}: unknown key '{key}'.",
                f"{hint} Allowed here: {', '.join(sorted(allowed))}.",
                key=True,
            )
        for name in required:
            quantity = _quantity_base(name)
            if quantity and (self.has_quantity(quantity) or quantity in explained):
                continue
            if name not in self.value and name not in explained:
                self.ctx.problem(
                    "missing-field",
                    self.path,
                    f"{pointer(self.path)}: required field '{name}' is missing.",
                    f"add '{name}: ...' here.",
                )

    def _wrong_unit(self, key: str, base: str, allowed: set[str]) -> None:
        spellings = sorted(k for k in allowed if _quantity_base(k) == base)
        value = self.value[key]
        _, unit = _split_unit(key)
        number = _number(value)
        target, factor = FOREIGN_UNITS.get(unit, ("", 1.0))
        if number is not None and f"{base}_{target}" in spellings:
            message = f"'{unit}' is not an accepted unit"
            fix = f"write {base}_{target}: {number * factor:.4g} (units are part of the key)."
        elif unit:
            message = f"'{unit}' is not an accepted unit"
            fix = f"write it as {' or '.join(spellings)} (units are part of the key)."
        else:
            message = "the unit is missing from the key"
            shown = f"{number:g}" if number is not None else "..."
            fix = (
                "write "
                + " or ".join(f"{s}: {shown} ({UNIT_NAMES[_split_unit(s)[1]]})" for s in spellings)
                + "."
            )
        self.ctx.problem(
            "wrong-unit", self.at(key), f"{pointer(self.at(key))}: {message}.", fix, key=True
        )

    # -- scalars -----------------------------------------------------------------------------

    def text(self, name: str, *, required: bool = True, default: str = "") -> str | None:
        if name not in self.value:
            return None if required else default
        value = self.value[name]
        if not isinstance(value, str) or not value.strip():
            self.ctx.problem(
                "wrong-type",
                self.at(name),
                f"{pointer(self.at(name))}: expected text, got {_kind(value)}.",
                "write a non-empty string (quote it if it looks like a number).",
            )
            return None
        return value.strip()

    def ident(self, name: str, *, required: bool = True) -> str | None:
        if name not in self.value:
            return None
        return self.ident_value(self.at(name), self.value[name])

    def ident_value(self, path: Path, value: Any) -> str | None:
        if isinstance(value, str) and IDENT.match(value):
            return value
        self.ctx.problem(
            "bad-id",
            path,
            f"{pointer(path)}: {value!r} is not a valid identifier.",
            "use 1-64 letters, digits, '_', '-', '.', ':' or '/', starting with a letter or digit.",
        )
        return None

    def integer(self, name: str, *, minimum: int | None = None) -> int | None:
        if name not in self.value:
            return None
        value = self.value[name]
        if isinstance(value, bool) or not isinstance(value, int):
            self.ctx.problem(
                "wrong-type",
                self.at(name),
                f"{pointer(self.at(name))}: expected a whole number, got {_kind(value)}.",
                "write a whole number such as 1.",
            )
            return None
        if minimum is not None and value < minimum:
            self.ctx.problem(
                "out-of-range",
                self.at(name),
                f"{pointer(self.at(name))}: {value} is below the minimum {minimum}.",
                f"use a number of at least {minimum}.",
            )
            return None
        return value

    def flag(self, name: str, *, default: bool = False) -> bool:
        value = self.value.get(name, default)
        if isinstance(value, bool):
            return value
        self.ctx.problem(
            "wrong-type",
            self.at(name),
            f"{pointer(self.at(name))}: expected true or false, got {_kind(value)}.",
            "write true or false.",
        )
        return default

    def time(self, name: str) -> datetime | None:
        if name not in self.value:
            return None
        value = self.value[name]
        where = pointer(self.at(name))
        if not isinstance(value, str):
            self.ctx.problem(
                "bad-time",
                self.at(name),
                f"{where}: expected an RFC 3339 time, got {_kind(value)}.",
                "write e.g. 2026-02-01T00:00:00Z.",
            )
            return None
        try:
            return parse_utc(value, where=where)
        except InputError:
            pass
        try:
            naive = datetime.fromisoformat(value.strip())
        except ValueError:
            message = f"{where}: {value!r} is not an RFC 3339 time (or not a real date)."
            fix = "write a date and time with a zone, e.g. 2026-02-01T00:00:00Z."
        else:
            message = f"{where}: {value!r} has no time zone."
            fix = (
                f"write {naive.isoformat()}Z for UTC, or give the offset "
                "(e.g. +02:00); a guessed zone is a silent error of hours."
            )
        self.ctx.problem("bad-time", self.at(name), message, fix)
        return None

    def choice(
        self, name: str, choices: Iterable[str], *, default: str | None = None
    ) -> str | None:
        options = tuple(choices)
        if name not in self.value:
            return default
        value = self.value[name]
        if isinstance(value, str) and value in options:
            return value
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? Otherwise use" if close else "use"
        self.ctx.problem(
            "bad-value",
            self.at(name),
            f"{pointer(self.at(name))}: {value!r} is not one of {', '.join(options)}.",
            f"{hint} one of: {', '.join(options)}.",
        )
        return None

    def quantity(
        self, base: str, *, units: dict[str, float] = LENGTH_UNITS, minimum: float = 0.0
    ) -> float | None:
        """Read ``<base>_<unit>`` and return it in the base unit (metres or hours)."""
        present = [(unit, f"{base}_{unit}") for unit in units if f"{base}_{unit}" in self.value]
        if not present:
            return None
        if len(present) > 1:
            self.ctx.problem(
                "duplicate-field",
                self.at(present[1][1]),
                f"{pointer(self.path)}: {base} is given twice "
                f"({' and '.join(k for _, k in present)}).",
                "keep one of them.",
                key=True,
            )
            return None
        unit, key = present[0]
        value = self.value[key]
        if isinstance(value, str) and _NUMBER_WITH_UNIT.match(value):
            self._unit_in_value(base, key, value)
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.ctx.problem(
                "wrong-type",
                self.at(key),
                f"{pointer(self.at(key))}: expected a number of {UNIT_NAMES[unit]}, "
                f"got {_kind(value)}.",
                f"write a plain number, e.g. {key}: {EXAMPLE[unit]}.",
            )
            return None
        if value < minimum:
            self.ctx.problem(
                "out-of-range",
                self.at(key),
                f"{pointer(self.at(key))}: {value} {unit} is negative.",
                "distances and durations are zero or more.",
            )
            return None
        if value > PLAUSIBLE_MAX[unit]:
            other = {"km": "m", "m": "km"}.get(unit)
            fix = (
                f"check the unit: did you mean {base}_{other}: {value:g}?"
                if other
                else "check the unit."
            )
            self.ctx.problem(
                "wrong-unit",
                self.at(key),
                f"{pointer(self.at(key))}: {value:g} {unit} is implausibly large "
                f"(over {PLAUSIBLE_MAX[unit]:g} {unit}).",
                fix,
            )
            return None
        return float(value) * units[unit]

    def _unit_in_value(self, base: str, key: str, value: str) -> None:
        match = _NUMBER_WITH_UNIT.match(value)
        assert match is not None
        number, unit = float(match["number"]), match["unit"].lower()
        _, key_unit = _split_unit(key)
        same_kind = LENGTH_UNITS if key_unit in LENGTH_UNITS else DURATION_UNITS
        target, factor = (unit, 1.0) if unit in same_kind else FOREIGN_UNITS.get(unit, ("", 1.0))
        if target in same_kind:
            fix = f"write {base}_{target}: {number * factor:.4g}."
        else:
            fix = f"write the number of {UNIT_NAMES[key_unit]} alone, e.g. {key}: {number:g}."
        self.ctx.problem(
            "wrong-unit",
            self.at(key),
            f"{pointer(self.at(key))}: the value {value!r} carries a unit; "
            "the unit belongs in the key and the value is a plain number.",
            fix,
        )

    def hours(self, base: str) -> float | None:
        return self.quantity(base, units=DURATION_UNITS)

    def point(self, name: str) -> tuple[float, float] | None:
        if name not in self.value:
            return None
        return read_point(self.ctx, self.at(name), self.value[name])

    # -- collections -------------------------------------------------------------------------

    def items(self, name: str, *, required: bool = False) -> Iterator[tuple[Path, Any]]:
        if name not in self.value:
            return
        value = self.value[name]
        if not isinstance(value, list):
            self.ctx.problem(
                "wrong-type",
                self.at(name),
                f"{pointer(self.at(name))}: expected a list, got {_kind(value)}.",
                "write one '- ' item per line, or [a, b] on one line.",
            )
            return
        for index, item in enumerate(value):
            yield (*self.path, name, index), item

    def ident_list(self, name: str) -> tuple[str, ...] | None:
        if name not in self.value:
            return None
        value = self.value[name]
        if isinstance(value, str):
            value = [value]
            single = True
        else:
            single = False
        if not isinstance(value, list):
            self.ctx.problem(
                "wrong-type",
                self.at(name),
                f"{pointer(self.at(name))}: expected a list of ids, got {_kind(value)}.",
                "write [a, b].",
            )
            return None
        found: list[str] = []
        for index, item in enumerate(value):
            path = self.at(name) if single else (*self.at(name), index)
            ident = self.ident_value(path, item)
            if ident is not None:
                found.append(ident)
        return tuple(found)


def length_keys(base: str) -> tuple[str, str]:
    """The two accepted spellings of a length field: ``<base>_km`` and ``<base>_m``."""
    return (f"{base}_km", f"{base}_m")


def read_point(ctx: Context, path: Path, value: Any) -> tuple[float, float] | None:
    """A ``[lon, lat]`` pair in WGS84 degrees, longitude first."""
    ok = (
        isinstance(value, list)
        and len(value) in (2, 3)
        and all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in value
        )
    )
    if not ok:
        ctx.problem(
            "wrong-type",
            path,
            f"{pointer(path)}: expected a position [longitude, latitude], got {_kind(value)}.",
            "write two numbers in degrees, longitude first, e.g. [37.99, 48.33].",
        )
        return None
    lon, lat = float(value[0]), float(value[1])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        swapped = -180.0 <= lat <= 180.0 and -90.0 <= lon <= 90.0
        ctx.problem(
            "bad-coordinates",
            path,
            f"{pointer(path)}: [{lon:g}, {lat:g}] is not a valid longitude/latitude.",
            "positions are [longitude, latitude]; "
            + ("swap the two numbers." if swapped else "check the numbers."),
        )
        return None
    return lon, lat


def _quantity_base(key: str) -> str | None:
    base, unit = _split_unit(key)
    return base if unit in LENGTH_UNITS or unit in DURATION_UNITS else None


def _split_unit(key: str) -> tuple[str, str]:
    if "_" not in key:
        return key, ""
    base, _, unit = key.rpartition("_")
    if unit in LENGTH_UNITS or unit in DURATION_UNITS or unit in FOREIGN_UNITS:
        return base, unit
    return key, ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
