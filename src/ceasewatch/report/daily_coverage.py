"""Coverage along the line for a report: each 10 km stretch of the main line with the share of it
that could be observed over the report's window, from ``coverage-line.jsonl``
(docs/adjudication-coverage.md, *Stretch-hours*).

A row gives one stretch-hour: the stretch's km along the main line and, per kind, the share of
(points × time) covered. The report uses ``fire`` — covered by the kinds that detect explosions,
the sectors' ``line_observable`` — and takes for each stretch the mean over the rows whose hour
overlaps the window, each weighted by that overlap. The geometry is not in the file: it is cut
from the agreement's main line (:func:`ceasewatch.adjudication.coverage_inputs.main_line`, the
line the adjudication measured along) between the row's ``from_km`` and ``to_km``.

Pure: rows and agreement in, values out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ceasewatch.adjudication.coverage_inputs import main_line, point_at
from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.model.geo import FloatArray
from ceasewatch.model.time import parse_ns
from ceasewatch.report.daily_inputs import Row
from ceasewatch.report.daily_types import LineSegmentCoverage

HOUR_NS = 3600 * 10**9
KIND = "fire"
LENGTH_SLACK_KM = 0.01  # from_km and to_km are written to the metre


@dataclass(frozen=True)
class _StretchHour:
    stretch: int
    from_km: float
    to_km: float
    hour_ns: int
    share: float


def line_coverage(
    rows: Sequence[Row] | None, agreement: Agreement, start_ns: int, end_ns: int
) -> tuple[LineSegmentCoverage, ...]:
    """Each stretch with a row in [start, end), in order along the line; ``()`` without rows."""
    if not rows:
        return ()
    line_id, lon, lat, chain = main_line(agreement)
    total_km = float(chain[-1]) / 1000
    cells: dict[tuple[int, int], tuple[_StretchHour, int]] = {}
    for index, row in enumerate(rows):
        found = _stretch_hour(row, index)
        if str(row.get("line_id")) != line_id or found.to_km > total_km + LENGTH_SLACK_KM:
            raise InputError(
                f"coverage-line.jsonl row {index + 1}: stretch {found.stretch} of line "
                f"{row.get('line_id')!r} ({found.to_km:g} km) is not on {agreement.id}'s main "
                f"line {line_id!r} ({total_km:,.1f} km); report with the agreement the "
                "adjudication used"
            )
        overlap = min(found.hour_ns + HOUR_NS, end_ns) - max(found.hour_ns, start_ns)
        if overlap > 0:
            cells[(found.stretch, found.hour_ns)] = (found, overlap)
    by_stretch: dict[int, list[tuple[_StretchHour, int]]] = {}
    for key in sorted(cells):
        by_stretch.setdefault(key[0], []).append(cells[key])
    segments = []
    for stretch, hours in by_stretch.items():
        first = hours[0][0]
        weight = sum(w for _, w in hours)
        segments.append(
            LineSegmentCoverage(
                stretch=stretch,
                from_km=first.from_km,
                to_km=first.to_km,
                vertices=_piece(lon, lat, chain, first.from_km * 1000, first.to_km * 1000),
                observable=round(sum(c.share * w for c, w in hours) / weight, 4),
                hours=len(hours),
            )
        )
    return tuple(segments)


def _stretch_hour(row: Row, index: int) -> _StretchHour:
    try:
        found = _StretchHour(
            stretch=int(row["stretch"]),
            from_km=float(row["from_km"]),
            to_km=float(row["to_km"]),
            hour_ns=parse_ns(str(row["hour"]), where="hour"),
            share=float(row[KIND]),
        )
    except (KeyError, TypeError, ValueError, InputError) as exc:
        raise InputError(
            f"coverage-line.jsonl row {index + 1}: needs stretch, from_km, to_km, hour and "
            f"{KIND} ({exc}); rerun ceasewatch adjudicate"
        ) from exc
    if not (0.0 <= found.share <= 1.0 and 0.0 <= found.from_km < found.to_km):
        raise InputError(
            f"coverage-line.jsonl row {index + 1}: {KIND} {found.share} or km "
            f"{found.from_km}–{found.to_km} out of range; rerun ceasewatch adjudicate"
        )
    return found


def _piece(
    lon: FloatArray, lat: FloatArray, chain: FloatArray, from_m: float, to_m: float
) -> tuple[tuple[float, float], ...]:
    """The line's vertices from ``from_m`` to ``to_m`` along it, its ends cut to those points."""
    inside = np.flatnonzero((chain > from_m) & (chain < to_m))
    end_lon, end_lat = point_at(lon, lat, chain, np.array([from_m, to_m]))
    xs = [end_lon[0], *lon[inside], end_lon[1]]
    ys = [end_lat[0], *lat[inside], end_lat[1]]
    return tuple((round(float(x), 6), round(float(y), 6)) for x, y in zip(xs, ys, strict=True))
