"""Counts of violations by sector of the line, each with the coverage it was made under.

"No violations" in a sector nobody could observe must read as "not observable", never as calm
(DESIGN.md, *Coverage and denial*). For every sector of the agreement this gives the number of
violations (and by most likely party) beside two coverage figures of the same window:

* ``line_observable``: the mean share of the sector's stretches of line (10 km each, sampled
  every kilometre, :meth:`Coverage.stretch_hours`) that fire-detecting sensors covered, over
  all hours — the chance that fire on the line there could have been located;
* ``sensors_available``: the mean availability of the sensors placed in the sector
  (:meth:`Coverage.sector_hours`), for the contributors who run them;

and a ``reading`` in words: ``observed`` (line observable ≥ 0.8), ``partly observed`` (≥ 0.2)
or ``not observable``, plus ``blind_hours``: hours in which less than a fifth of the sector's
line was covered. Without coverage (no status records) the figures are null and the reading is
``coverage unknown``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from ceasewatch.adjudication.coverage_line import NO_SECTOR, Coverage
from ceasewatch.adjudication.types import UNKNOWN, Violation
from ceasewatch.agreement.types import Agreement

OBSERVED = 0.8
PARTLY = 0.2


def sector_counts(
    violations: Sequence[Violation], agreement: Agreement, coverage: Coverage | None
) -> list[dict[str, Any]]:
    """One row per sector of the agreement (and ``(no sector)`` when a violation lies outside
    them all), in the agreement's order."""
    by_sector: dict[str, Counter[str]] = defaultdict(Counter)
    for v in violations:
        by_sector[v.sector or NO_SECTOR][_most_likely(v)] += 1
    names = [str(s.id) for s in agreement.sectors]
    names += sorted(set(by_sector) - set(names))
    line, hours, blind = _line_cover(coverage)
    sensors = _sensor_cover(coverage)
    rows = []
    for name in names:
        observable = line.get(name)
        rows.append(
            {
                "sector": name,
                "violations": sum(by_sector[name].values()),
                "by_party": dict(sorted(by_sector[name].items())),
                "line_observable": None if observable is None else round(observable, 4),
                "sensors_available": None if name not in sensors else round(sensors[name], 4),
                "hours": hours.get(name, 0),
                "blind_hours": blind.get(name, 0),
                "reading": _reading(coverage, observable),
            }
        )
    return rows


def sector_text(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Lines for the run's summary: each sector's count and how far it could be observed."""
    lines = []
    for row in rows:
        seen = row["line_observable"]
        cover = "coverage unknown" if seen is None else f"line {seen:.0%} observable"
        count = row["violations"]
        what = f"{count:,} violation{'s' if count != 1 else ''}"
        if count == 0 and row["reading"] == "not observable":
            what = "not observable (no violations could have been seen)"
        elif row["blind_hours"]:
            cover += f", {row['blind_hours']} blind hour{'s' if row['blind_hours'] != 1 else ''}"
        lines.append(f"    {row['sector']}: {what}; {cover}")
    return lines


def _most_likely(v: Violation) -> str:
    return v.most_likely[0] if v.responsible else UNKNOWN


def _line_cover(
    coverage: Coverage | None,
) -> tuple[dict[str, float], dict[str, int], dict[str, int]]:
    if coverage is None:
        return {}, {}, {}
    shares: dict[str, list[float]] = defaultdict(list)
    per_hour: dict[tuple[str, int], list[float]] = defaultdict(list)
    for row in coverage.stretch_hours():
        fire = dict(row.shares)["fire"]
        shares[row.sector].append(fire)
        per_hour[(row.sector, row.hour_ns)].append(fire)
    mean = {name: sum(v) / len(v) for name, v in shares.items()}
    hours: Counter[str] = Counter(name for name, _ in per_hour)
    blind: Counter[str] = Counter(
        name for (name, _), v in per_hour.items() if sum(v) / len(v) < PARTLY
    )
    return mean, dict(hours), dict(blind)


def _sensor_cover(coverage: Coverage | None) -> dict[str, float]:
    if coverage is None:
        return {}
    cells: dict[str, list[float]] = defaultdict(list)
    for row in coverage.sector_hours():
        cells[row.sector].append(row.available)
    return {name: sum(v) / len(v) for name, v in cells.items()}


def _reading(coverage: Coverage | None, observable: float | None) -> str:
    if coverage is None:
        return "coverage unknown"
    if observable is None:
        return "not observable"
    if observable >= OBSERVED:
        return "observed"
    return "partly observed" if observable >= PARTLY else "not observable"
