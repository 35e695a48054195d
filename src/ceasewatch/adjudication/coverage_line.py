"""Coverage per agreement sector, per 10 km of line and per place: from the sensors' timelines
(:mod:`.coverage`) and the registry's positions and ranges (docs/adjudication-coverage.md).

**Sector-hours.** A sensor belongs to the first sector of the agreement containing its registry
position (or ``(no sector)``); a sector-hour's ``available`` is the mean of its sensors'
``available`` in that hour (the scorer's definition), also per sensor kind.

**Who covers a point.** A sensor covers the points within its reach: ``range_m`` from the
registry, or :data:`DEFAULT_RANGE_M` of its kind, around its registry position (a drone's
position is its base and its ``range_m`` reaches every point of its patrol, so a drone is taken
to cover its whole reach while it flies). At an instant a point is covered by a kind when at
least :data:`NEEDED` available sensors of that kind cover it: three acoustic sensors (a TDOA
fix needs three arrival times), one radar, drone, camera or observer team. ``fire`` is a point
covered by a kind that detects explosions (:data:`FIRE_KINDS`: acoustic, radar, observers);
``any`` by any kind (drones and cameras see weapons and movement, not fire). Satellites are in
neither: a pass is an instant.

**Stretch-hours.** The main line is the longest piece of the agreement's first line (as the
scorer's line axis); stretch ``k`` is its ``[10 k, 10 k + 10)`` km (the last one shorter),
sampled every kilometre (at 0.5, 1.5 … km). A stretch-hour's value for a kind is the share of
(sample points × time in the hour) covered — 1.0: the whole 10 km could be observed all hour.
``satellite`` is the share of the sample points whose 0.5° cell was cloud-free at a pass in
that hour. ``sector`` is the sector of the stretch's middle.

**A place and time.** :meth:`Coverage.observable` is the share of (points × time) of a circle and
a window that ``fire`` (or the kinds asked for) covers; the circle is sampled at its centre
and at 6 and 12 points on circles of half and the full radius. Time outside the coverage
window counts as not observed; a zero-length window asks about its instant.

Everything is exact in time: the window is cut at every change of any sensor's availability and
at every hour, and each piece is counted with its length.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from ceasewatch.adjudication.coverage import HOUR_NS, SensorHour, Timeline, hours_of, timelines
from ceasewatch.adjudication.coverage_inputs import (
    RegisteredSensor,
    circle_points,
    main_line,
    point_at,
)
from ceasewatch.agreement.types import Agreement
from ceasewatch.model.geo import FloatArray, within_m
from ceasewatch.model.time import format_ns

NO_SECTOR = "(no sector)"
STRETCH_M = 10_000.0
SAMPLE_M = 1_000.0
DEFAULT_RANGE_M = {"acoustic": 20_000.0, "radar": 35_000.0, "uav": 30_000.0, "camera": 5_000.0,
                   "observer": 10_000.0}  # fmt: skip
NEEDED = {"acoustic": 3, "radar": 1, "uav": 1, "camera": 1, "observer": 1}
TIMED_KINDS = tuple(NEEDED)
FIRE_KINDS = ("acoustic", "radar", "observer")


@dataclass(frozen=True)
class SectorHour:
    sector: str
    hour_ns: int
    sensors: int
    available: float
    by_kind: tuple[tuple[str, int, float], ...]  # (kind, sensors, mean available)

    def to_json(self) -> dict[str, Any]:
        return {
            "sector": self.sector,
            "hour": format_ns(self.hour_ns, 0),
            "sensors": self.sensors,
            "available": round(self.available, 4),
            "by_kind": {k: {"sensors": n, "available": round(a, 4)} for k, n, a in self.by_kind},
        }


@dataclass(frozen=True)
class StretchHour:
    line_id: str
    stretch: int
    from_km: float
    to_km: float
    middle: tuple[float, float]
    sector: str
    hour_ns: int
    shares: tuple[tuple[str, float], ...]  # kind (and "satellite", "any") → share covered

    def to_json(self) -> dict[str, Any]:
        return {
            "line_id": self.line_id,
            "stretch": self.stretch,
            "from_km": round(self.from_km, 3),
            "to_km": round(self.to_km, 3),
            "middle": [round(self.middle[0], 5), round(self.middle[1], 5)],
            "sector": self.sector,
            "hour": format_ns(self.hour_ns, 0),
            **{kind: round(share, 4) for kind, share in self.shares},
        }


class Coverage:
    """Coverage of one window under one agreement (see the module)."""

    def __init__(
        self,
        lines: Mapping[str, Timeline],
        agreement: Agreement,
        start_ns: int,
        end_ns: int,
        ignored: int = 0,
    ) -> None:
        self.lines = {k: lines[k] for k in sorted(lines)}
        self.agreement = agreement
        self.start_ns, self.end_ns = start_ns, end_ns
        self.ignored = ignored
        timed = [t for t in self.lines.values() if t.sensor.kind in TIMED_KINDS]
        self._timed = timed
        cuts = {start_ns, end_ns, *range(start_ns, end_ns, HOUR_NS)}
        for line in timed:
            cuts.update(t for a, b in line.available for t in (a, b) if start_ns < t < end_ns)
        self._cuts = np.array(sorted(cuts), dtype=np.int64)
        self._up = np.zeros((len(timed), len(self._cuts) - 1), dtype=np.float32)
        for row, line in enumerate(timed):
            for a, b in line.available:
                i, j = np.searchsorted(self._cuts, [max(a, start_ns), min(b, end_ns)])
                self._up[row, i:j] = 1.0

    @classmethod
    def from_status(
        cls,
        records: Iterable[Mapping[str, Any]],
        sensors: Sequence[RegisteredSensor],
        agreement: Agreement,
        start_ns: int,
        end_ns: int,
    ) -> Coverage:
        found, ignored = timelines(records, sensors, start_ns, end_ns)
        return cls(found, agreement, start_ns, end_ns, ignored)

    # -- per sensor, per sector -----------------------------------------------------------------

    def sensor_hours(self) -> list[SensorHour]:
        return [r for t in self.lines.values() for r in hours_of(t, self.start_ns, self.end_ns)]

    def sector_hours(self) -> list[SectorHour]:
        sensors = [t.sensor for t in self.lines.values()]
        sector = dict(zip([s.sensor_id for s in sensors], self._sectors(sensors), strict=True))
        cells: dict[tuple[str, int], list[SensorHour]] = {}
        for row in self.sensor_hours():
            cells.setdefault((sector[row.sensor_id], row.hour_ns), []).append(row)
        found = []
        for (name, hour), rows in sorted(cells.items()):
            kinds = sorted({r.kind for r in rows})
            by_kind = tuple(
                (k, len(v), float(np.mean(v)))
                for k in kinds
                for v in [[r.available for r in rows if r.kind == k]]
            )
            mean = float(np.mean([r.available for r in rows]))
            found.append(SectorHour(name, hour, len(rows), mean, by_kind))
        return found

    # -- per stretch of line --------------------------------------------------------------------

    def stretch_hours(self) -> list[StretchHour]:
        line_id, lon, lat, chain = main_line(self.agreement)
        total = float(chain[-1])
        km = np.arange(SAMPLE_M / 2, total, SAMPLE_M)
        plon, plat = point_at(lon, lat, chain, km)
        stretch = (km // STRETCH_M).astype(int)
        count = int(stretch.max()) + 1 if len(km) else 0
        hours = list(range(self.start_ns, self.end_ns, HOUR_NS))
        span = np.array([min(h + HOUR_NS, self.end_ns) - h for h in hours], dtype=np.float64)
        lengths = np.diff(self._cuts).astype(np.float64)
        hour_of = (self._cuts[:-1] - self.start_ns) // HOUR_NS
        weight = np.zeros((len(lengths), len(hours)))
        weight[np.arange(len(lengths)), hour_of] = lengths
        covered = self._covered(plon, plat)
        shares: dict[str, np.ndarray] = {}
        members = np.zeros((count, len(km)))
        members[stretch, np.arange(len(km))] = 1.0
        sizes = members.sum(axis=1, keepdims=True)
        for kind, matrix in covered.items():
            per_point = matrix.astype(np.float64) @ weight / span  # points × hours
            shares[kind] = members @ per_point / sizes
        shares["satellite"] = members @ self._clear(plon, plat, hours) / sizes
        ends = [(k * STRETCH_M, min((k + 1) * STRETCH_M, total)) for k in range(count)]
        mlon, mlat = point_at(lon, lat, chain, np.array([(a + b) / 2 for a, b in ends]))
        sectors = self._sectors_at(mlon, mlat)
        order = [*TIMED_KINDS, "satellite", "fire", "any"]
        return [
            StretchHour(
                line_id, k, ends[k][0] / 1000, ends[k][1] / 1000,
                (float(mlon[k]), float(mlat[k])), sectors[k], hour,
                tuple((kind, float(shares[kind][k, h])) for kind in order),
            )
            for k in range(count)
            for h, hour in enumerate(hours)
        ]  # fmt: skip

    # -- a place and time -----------------------------------------------------------------------

    def observable(
        self,
        lon: float,
        lat: float,
        radius_m: float,
        t_start_ns: int,
        t_end_ns: int,
        kinds: Sequence[str] = FIRE_KINDS,
    ) -> float:
        """The share of the circle and window that the ``kinds`` covered (see the module)."""
        plon, plat = circle_points(lon, lat, radius_m)
        covered = self._covered(plon, plat)
        seen = np.zeros_like(covered["any"])
        for kind in kinds:
            seen |= covered.get(kind, np.zeros_like(seen))
        seen = seen.astype(np.float64)
        a, b = self._cuts[:-1], self._cuts[1:]
        if t_end_ns <= t_start_ns:
            inside = (a <= t_start_ns) & (t_start_ns < b)
            return float(seen[:, inside].sum() / len(plon)) if inside.any() else 0.0
        overlap = np.clip(np.minimum(b, t_end_ns) - np.maximum(a, t_start_ns), 0, None)
        share = float(
            (seen @ overlap.astype(np.float64)).sum() / (len(plon) * (t_end_ns - t_start_ns))
        )
        return min(1.0, max(0.0, share))

    def points_hours(
        self, lon: FloatArray, lat: FloatArray, kind: str = "fire"
    ) -> tuple[list[int], np.ndarray]:
        """The hours of the window, and for each point the share of each hour that ``kind``
        (a sensor kind, ``fire`` or ``any``) covered it: points × hours."""
        hours = list(range(self.start_ns, self.end_ns, HOUR_NS))
        span = np.array([min(h + HOUR_NS, self.end_ns) - h for h in hours], dtype=np.float64)
        lengths = np.diff(self._cuts).astype(np.float64)
        weight = np.zeros((len(lengths), len(hours)))
        weight[np.arange(len(lengths)), (self._cuts[:-1] - self.start_ns) // HOUR_NS] = lengths
        covered = self._covered(lon, lat).get(kind)
        if covered is None:
            raise ValueError(f"no coverage kind {kind!r}; use a sensor kind, fire or any")
        return hours, covered.astype(np.float64) @ weight / span

    def sectors_at(self, lon: FloatArray, lat: FloatArray) -> list[str]:
        """The agreement's sector of each point (the first that holds it), or ``(no sector)``."""
        return self._sectors_at(lon, lat)

    # -- helpers --------------------------------------------------------------------------------

    def _covered(self, lon: FloatArray, lat: FloatArray) -> dict[str, np.ndarray]:
        """Per kind, ``fire`` and ``any``: points × time pieces, True where covered."""
        found: dict[str, np.ndarray] = {}
        anyone = np.zeros((len(lon), self._up.shape[1]), dtype=bool)
        fire = np.zeros_like(anyone)
        for kind in TIMED_KINDS:
            rows = [i for i, t in enumerate(self._timed) if t.sensor.kind == kind]
            if not rows:
                found[kind] = np.zeros_like(anyone)
                continue
            reach = self._reach([self._timed[i].sensor for i in rows], lon, lat)
            found[kind] = (reach @ self._up[rows]) >= NEEDED[kind] - 0.5
            anyone |= found[kind]
            if kind in FIRE_KINDS:
                fire |= found[kind]
        found["fire"] = fire
        found["any"] = anyone
        return found

    @staticmethod
    def _reach(sensors: Sequence[RegisteredSensor], lon: FloatArray, lat: FloatArray) -> Any:
        slon = np.array([s.lon for s in sensors])
        slat = np.array([s.lat for s in sensors])
        reach = np.array([s.range_m or DEFAULT_RANGE_M[s.kind] for s in sensors])
        inside = within_m(lon[:, None], lat[:, None], slon[None, :], slat[None, :], reach[None, :])
        return inside.reshape(len(lon), len(sensors)).astype(np.float32)

    def _clear(self, lon: FloatArray, lat: FloatArray, hours: list[int]) -> np.ndarray:
        """Points × hours: 1 where a pass in the hour saw the point's cell cloud-free."""
        clear = np.zeros((len(lon), len(hours)))
        for line in self.lines.values():
            for p in line.passes:
                if any(a <= p.t_ns < b for a, b in line.outage):
                    continue
                h = (p.t_ns - self.start_ns) // HOUR_NS
                corner = zip(
                    np.round(np.floor(lon / p.cell_deg) * p.cell_deg, 6),
                    np.round(np.floor(lat / p.cell_deg) * p.cell_deg, 6),
                    strict=True,
                )
                seen = np.array([(float(x), float(y)) not in p.cloudy for x, y in corner])
                clear[seen, h] = 1.0
        return clear

    def _sectors(self, sensors: Sequence[RegisteredSensor]) -> list[str]:
        return self._sectors_at(
            np.array([s.lon for s in sensors]), np.array([s.lat for s in sensors])
        )

    def _sectors_at(self, lon: FloatArray, lat: FloatArray) -> list[str]:
        found = np.full(len(lon), NO_SECTOR, dtype=object)
        for sector in reversed(self.agreement.sectors):
            found[shapely.contains_xy(sector.area, lon, lat)] = str(sector.id)
        return [str(s) for s in found]


def coverage_rows(coverage: Coverage) -> dict[str, list[dict[str, Any]]]:
    """The rows of ``coverage.jsonl`` (sensor-hours, the truth's shape), ``coverage-sectors.jsonl``
    and ``coverage-line.jsonl`` (stretch-hours), by file name."""
    return {
        "coverage.jsonl": [r.to_json() for r in coverage.sensor_hours()],
        "coverage-sectors.jsonl": [r.to_json() for r in coverage.sector_hours()],
        "coverage-line.jsonl": [r.to_json() for r in coverage.stretch_hours()],
    }


def write_coverage(folder: Path, coverage: Coverage) -> tuple[Path, ...]:
    """Write the three coverage files into ``folder``; returns their paths."""
    from ceasewatch.fusion.files import write_jsonl

    written = []
    for name, rows in coverage_rows(coverage).items():
        write_jsonl(folder / name, rows)
        written.append(folder / name)
    return tuple(written)
