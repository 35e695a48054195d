"""Building blocks of the score report: "not available", distribution summaries, ratios, and the
conversion of report values to plain JSON with stable key order and sensible rounding.

Rounding follows the unit in the field's name: ``*_m`` to 0.1 m, ``*_km`` to 0.01 km, ``*_s``
to 1 ms, ``*_deg`` to 0.01°; other floats (probabilities, rates, ratios) to 4 decimals. A
field with no unit in its name takes its parent's (``error_m: Spread`` rounds its median to
0.1 m). Dataclass fields keep their declared order; dictionaries are sorted by key. A part that
may be "not available" always carries ``"available": true|false``. Fields marked
``metadata={"json": False}`` (per-item details kept for plots) are left out.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

DETAIL: dict[str, Any] = {"json": False}
"""Field metadata for values kept on the report for plots and ``matches.jsonl``, not JSON."""


@dataclass(frozen=True)
class NotAvailable:
    """A section that could not be scored, and why (e.g. the run has no ``violations.jsonl``)."""

    reason: str


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None when nothing was there to count."""
    return numerator / denominator if denominator else None


def f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True)
class Spread:
    """Median, 90th percentile (linear interpolation), maximum and mean of some values."""

    n: int
    median: float | None
    p90: float | None
    max: float | None
    mean: float | None

    @classmethod
    def of(cls, values: Sequence[float] | np.ndarray) -> Spread:
        array = np.asarray(values, dtype=np.float64)
        if array.size == 0:
            return cls(0, None, None, None, None)
        return cls(
            int(array.size),
            float(np.median(array)),
            float(np.percentile(array, 90)),
            float(array.max()),
            float(array.mean()),
        )


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    """The 95 % Wilson score interval of a proportion (None when n is 0)."""
    if n == 0:
        return None
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def counts(keys: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for key in keys:
        found[key] = found.get(key, 0) + 1
    return dict(sorted(found.items()))


# ---------------------------------------------------------------------------------------------
# To JSON

_DECIMALS = (("_km", 2), ("_m", 1), ("_s", 3), ("_deg", 2))


def _decimals(name: str) -> int | None:
    for suffix, decimals in _DECIMALS:
        if name.endswith(suffix):
            return decimals
    return None


def _child(parent: str, child: str) -> str:
    return child if _decimals(child) is not None or _decimals(parent) is None else parent


def plain(value: Any, name: str = "") -> Any:
    """A JSON-ready copy of ``value``; ``name`` (the field's name) chooses the rounding."""
    if isinstance(value, NotAvailable):
        return {"available": False, "reason": value.reason}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _field(getattr(value, f.name), _child(name, f.name), str(f.type))
            for f in dataclasses.fields(value)
            if f.metadata.get("json", True)
        }
    if isinstance(value, dict):
        return {str(k): plain(v, name) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [plain(v, name) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            return None
        decimals = _decimals(name)
        rounded = round(number, 4 if decimals is None else decimals)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, np.integer):
        return int(value)
    raise TypeError(f"cannot write {type(value).__name__} ({name}) to JSON")


def _field(value: Any, name: str, declared: str) -> Any:
    """A field that may be NotAvailable is a section: it says ``available`` either way."""
    if "NotAvailable" in declared and value is not None:
        return section(value, name)
    return plain(value, name)


def section(value: Any, name: str = "") -> Any:
    """A report section as JSON: ``{"available": true, …}`` or ``{"available": false, …}``."""
    if isinstance(value, NotAvailable):
        return plain(value)
    return {"available": True, **plain(value, name)}
