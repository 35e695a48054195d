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
FOREIGN_UNITS = (
    "mi", "miles", "mile", "ft", "feet", "yd", "nm", "nmi", "kms", "meters", "metres",
    "meter", "metre", "kilometers", "kilometres", "d", "days", "day", "min", "mins",
    "minutes", "s", "sec", "seconds", "hours", "hrs", "hr", "w", "weeks",
)  # fmt: skip
# Largest plausible value per unit; beyond it the unit is probably wrong.
PLAUSIBLE_MAX = {"km": 3000.0, "m": 3_000_000.0, "h": 24.0 * 366}


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
        allowed = set(required) | set(optional)
        quantity_bases = {_quantity_base(k) for k in allowed if _quantity_base(k)}
        for key in self.value:
            if key in allowed:
                continue
            base, unit = _split_unit(key)
            if base in quantity_bases or key in quantity_bases:
                self._wrong_unit(key, base if base in quantity_bases else key, allowed)
                continue
            close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "remove it."
            self.ctx.problem(
                "unknown-key",
                self.at(key),
                f"{pointer(self.at(key))}: unknown key '{key}'.",
                f"{hint} Allowed here: {', '.join(sorted(allowed))}.",
                key=True,
            )
        for name in required:
            base = _quantity_base(name)
            if base and self.has_quantity(base):
                continue
            if name not in self.value:
                self.ctx.problem(
                    "missing-field",
                    self.path,
                    f"{pointer(self.path)}: required field '{name}' is missing.",
                    f"add '{name}: ...' here.",
                )

    def _wrong_unit(self, key: str, base: str, allowed: set[str]) -> None:
        spellings = sorted(k for k in allowed if _quantity_base(k) == base)
        self.ctx.problem(
            "wrong-unit",
            self.at(key),
            f"{pointer(self.at(key))}: '{key}' does not name an accepted unit.",
            f"write it as {' or '.join(spellings)} (units are part of the key).",
            key=True,
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
        if not isinstance(value, str):
            self.ctx.problem(
                "bad-time",
                self.at(name),
                f"{pointer(self.at(name))}: expected an RFC 3339 time, got {_kind(value)}.",
                "write e.g. 2026-02-01T00:00:00Z.",
            )
            return None
        try:
            return parse_utc(value, where=pointer(self.at(name)))
        except InputError as exc:
            self.ctx.problem(
                "bad-time", self.at(name), f"{exc}.", "write e.g. 2026-02-01T00:00:00Z."
            )
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
        hint = f"did you mean '{close[0]}'? " if close else ""
        self.ctx.problem(
            "bad-value",
            self.at(name),
            f"{pointer(self.at(name))}: {value!r} is not one of {', '.join(options)}.",
            f"{hint}Use one of: {', '.join(options)}.",
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
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            suffix = (
                " (the unit belongs in the key, not the value)" if isinstance(value, str) else ""
            )
            self.ctx.problem(
                "wrong-type",
                self.at(key),
                f"{pointer(self.at(key))}: expected a number of {unit}, got {_kind(value)}"
                f"{suffix}.",
                f"write a plain number, e.g. {key}: 15.",
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
