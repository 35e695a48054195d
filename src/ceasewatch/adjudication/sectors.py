"""Counts of violations by sector of the line, each with the coverage it was made under.

"No violations" in a sector nobody could observe must read as "not observable", never as calm
(DESIGN.md, *Coverage and denial*). For every sector of the agreement this gives the number of
violations (and by most likely party) beside two coverage figures of the same window:

* ``line_observable``: the mean share of the sector's part of the agreement's first line (every
  piece of it, sampled every kilometre) that fire-detecting sensors covered, over all hours —
  the chance that fire on the line there could have been located (null where the line does
  not pass);
* ``sensors_available``: the mean availability of the sensors placed in the sector
  (:meth:`Coverage.sector_hours`), for the contributors who run them;

and a ``reading`` in words: ``observed`` (line observable ≥ 0.8), ``partly observed`` (≥ 0.2),
``not observable``, or ``no line here`` for sectors the line does not cross (rear areas, where
violations of zones may still be counted), plus ``blind_hours``: hours in which less than a
fifth of the sector's line was covered. Without coverage (no status records) the figures are
null and the reading is ``coverage unknown``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from ceasewatch.adjudication.coverage_line import NO_SECTOR, SAMPLE_M, Coverage
from ceasewatch.adjudication.types import UNKNOWN, Violation
from ceasewatch.agreement.types import Agreement
from ceasewatch.model.geo import FloatArray, geodesic_distance_m

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


def line_observable(coverage: Coverage | None) -> float | None:
    """The share of the whole line (every piece, every hour) that fire-detecting sensors covered:
    what the run's total count of violations was made under."""
    if coverage is None:
        return None
    lon, lat = line_points(coverage.agreement)
    if not len(lon):
        return None
    _hours, shares = coverage.points_hours(lon, lat, "fire")
    return round(float(shares.mean()), 4) if shares.size else None


def sector_text(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Lines for the run's summary: each sector's count and how far it could be observed."""
    lines = []
    for row in rows:
        seen = row["line_observable"]
        if row["reading"] == "no line here" and row["violations"] == 0:
            continue  # a rear sector with nothing in it: not worth a line of the summary
        cover = f"line {seen:.0%} observable" if seen is not None else row["reading"]
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
    lon, lat = line_points(coverage.agreement)
    if not len(lon):
        return {}, {}, {}
    hours, shares = coverage.points_hours(lon, lat, "fire")
    sectors = np.array(coverage.sectors_at(lon, lat), dtype=object)
    mean, counted, blind = {}, {}, {}
    for name in sorted(set(sectors)):
        per_hour = shares[sectors == name].mean(axis=0)
        mean[name] = float(per_hour.mean()) if len(hours) else 0.0
        counted[name] = len(hours)
        blind[name] = int((per_hour < PARTLY).sum())
    return mean, counted, blind


def line_points(agreement: Agreement) -> tuple[FloatArray, FloatArray]:
    """Points every :data:`SAMPLE_M` along every piece of the agreement's first line."""
    if not agreement.lines:
        return np.array([]), np.array([])
    geometry = agreement.lines[0].geometry
    lons, lats = [], []
    for part in getattr(geometry, "geoms", [geometry]):
        xy = np.asarray(part.coords, dtype=np.float64)[:, :2]
        if len(xy) < 2:
            continue
        steps = geodesic_distance_m(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
        chain = np.concatenate([[0.0], np.cumsum(steps)])
        at = np.arange(SAMPLE_M / 2, max(chain[-1], SAMPLE_M / 2 + 1), SAMPLE_M)
        lons.append(np.interp(at, chain, xy[:, 0]))
        lats.append(np.interp(at, chain, xy[:, 1]))
    return np.concatenate(lons), np.concatenate(lats)


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
        return "no line here"
    if observable >= OBSERVED:
        return "observed"
    return "partly observed" if observable >= PARTLY else "not observable"
