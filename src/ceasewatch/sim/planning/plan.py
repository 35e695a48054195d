"""Network planning: how well a deployment would see an explosion anywhere along the line.

Points are taken every ``step_m`` along each line of the agreement (in the middle of each
stretch, so that the stretches add up to the line's length) and at ``offsets_m`` across it
(positive on the side of the line's second party). For each point :func:`plan` computes

* ``p3``: the probability that at least three acoustic sensors hear an explosion there (the
  minimum for a located event; :mod:`.model`),
* ``error95_m``: the expected location error, the semi-major axis of the Cramér–Rao 95 %
  ellipse of TDOA location (infinite where three hearers are unlikely, P(≥3) < 0.5),
* ``radar``: inside the range and sector of at least one radar,
* ``drone``: within half a swath of a drone's patrol route,
* ``observer``: within hearing range of an observer team.

:meth:`Plan.table` summarises it per sector of the agreement, on the line itself, and
:attr:`Plan.weak_stretches` (:func:`weak`) lists the stretches where P(≥3) stays below 0.9.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ceasewatch.agreement.locate import Locator
from ceasewatch.agreement.types import Agreement
from ceasewatch.model.geo import FloatArray, LocalProjection
from ceasewatch.model.places import Gazetteer
from ceasewatch.sim.base import Deployment, SensorKind
from ceasewatch.sim.deployment.line import LineWalk
from ceasewatch.sim.planning.coverage import (
    acoustic_coverage,
    drone_coverage,
    radar_coverage,
    range_coverage,
)
from ceasewatch.sim.planning.table import sector_rows, table_text

OFFSETS_M = (-10_000.0, -2_000.0, 0.0, 2_000.0, 10_000.0)
GOOD_P3 = 0.9
FIX_P3 = 0.5
"""Below this P(≥3) the expected error is reported as infinite: a fix is not expected."""
WEAK_MIN_M = 5_000.0


@dataclass(frozen=True)
class Stretch:
    """A stretch of line where P(≥3) stays below the threshold."""

    line_id: str
    from_m: float
    to_m: float
    p3_mean: float
    sector: str
    place: str = ""

    @property
    def length_m(self) -> float:
        return self.to_m - self.from_m


@dataclass(frozen=True, eq=False)
class Plan:
    """Coverage of a deployment at stations along the lines (rows) and offsets (columns)."""

    agreement: str
    deployment: str
    step_m: float
    offsets_m: tuple[float, ...]
    line_ids: tuple[str, ...]
    line: NDArray[np.intp]  # index into line_ids, per station
    piece: NDArray[np.intp]
    chainage_m: FloatArray
    weight_m: FloatArray
    sector_ids: tuple[str, ...]
    sector_names: tuple[str, ...]
    sector: NDArray[np.intp]  # index into sector_ids, -1 outside every sector
    lon: FloatArray  # (stations, offsets)
    lat: FloatArray
    p3: FloatArray
    error95_m: FloatArray
    hearers: FloatArray  # expected number of acoustic sensors hearing
    radar: NDArray[np.bool_]
    drone: NDArray[np.bool_]
    observer: NDArray[np.bool_]
    line_sides: tuple[tuple[str, str], ...] = ()  # per line: (first, second) party
    counts: tuple[tuple[str, int], ...] = ()
    weak_stretches: tuple[Stretch, ...] = field(default=())

    @property
    def on_line(self) -> int:
        """The column of offset 0 (the line itself)."""
        return self.offsets_m.index(0.0)

    @property
    def sides_note(self) -> str:
        """'+ on the RU side of contact' for the offsets' sign."""
        return "; ".join(
            f"+ on the {second} side of {line_id}"
            for line_id, (_first, second) in zip(self.line_ids, self.line_sides, strict=True)
        )

    def table(self) -> list[dict[str, object]]:
        """One row per sector (plus points in no sector, and the total), on the line."""
        return sector_rows(self)

    def text(self, *, weak_shown: int = 8) -> str:
        """The table and the longest weak stretches as plain text, for the terminal."""
        return table_text(self, weak_shown)


def plan(
    agreement: Agreement,
    deployment: Deployment,
    *,
    step_m: float = 1000.0,
    offsets_m: tuple[float, ...] = OFFSETS_M,
    gazetteer: Gazetteer | None = None,
) -> Plan:
    """Coverage of ``deployment`` along the lines of ``agreement`` (see the module)."""
    offsets = tuple(float(o) for o in offsets_m)
    if 0.0 not in offsets:
        offsets = tuple(sorted((*offsets, 0.0)))
    columns: dict[str, list[np.ndarray]] = {}
    for index, line in enumerate(agreement.lines):
        walk = LineWalk(line)
        stations = walk.every(step_m)
        lon = np.empty((len(stations), len(offsets)))
        lat = np.empty_like(lon)
        for j, offset in enumerate(offsets):
            lon[:, j], lat[:, j] = stations.beside(offset)
        for name, value in (
            ("line", np.full(len(stations), index)),
            ("piece", stations.piece),
            ("chainage", stations.chainage_m),
            ("weight", stations.weight_m),
            ("lon", lon),
            ("lat", lat),
        ):
            columns.setdefault(name, []).append(value)
    if not columns:
        raise ValueError(f"{agreement.label} has no line to plan along")
    lon, lat = np.concatenate(columns["lon"]), np.concatenate(columns["lat"])
    shape = lon.shape
    flat_lon, flat_lat = lon.ravel(), lat.ravel()
    projection = LocalProjection.for_bounds(
        float(flat_lon.min()), float(flat_lat.min()), float(flat_lon.max()), float(flat_lat.max())
    )
    points = np.column_stack(projection.to_xy(flat_lon, flat_lat))
    acoustic = deployment.of_kind(SensorKind.ACOUSTIC)
    p3, error, hearers = acoustic_coverage(acoustic, flat_lon, flat_lat, points, projection)
    error = np.where(p3 >= FIX_P3, error, np.inf)
    radar = radar_coverage(
        deployment.of_kind(SensorKind.RADAR), flat_lon, flat_lat, points, projection
    )
    drone = drone_coverage(deployment.of_kind(SensorKind.UAV), flat_lon, flat_lat, projection)
    observer = range_coverage(
        deployment.of_kind(SensorKind.OBSERVER), flat_lon, flat_lat, points, projection
    )
    line_index = np.concatenate(columns["line"]).astype(np.intp)
    sector = _sectors(Locator(agreement), lon, lat, offsets)
    counts: dict[str, int] = {}
    for sensor in deployment.sensors:
        counts[str(sensor.kind)] = counts.get(str(sensor.kind), 0) + 1
    result = Plan(
        agreement.label,
        deployment.name,
        step_m,
        offsets,
        tuple(str(line.id) for line in agreement.lines),
        line_index,
        np.concatenate(columns["piece"]).astype(np.intp),
        np.concatenate(columns["chainage"]),
        np.concatenate(columns["weight"]),
        tuple(str(s.id) for s in agreement.sectors),
        tuple(s.name for s in agreement.sectors),
        sector,
        lon,
        lat,
        p3.reshape(shape),
        error.reshape(shape),
        hearers.reshape(shape),
        radar.reshape(shape),
        drone.reshape(shape),
        observer.reshape(shape),
        tuple((str(line.between[0]), str(line.between[1])) for line in agreement.lines),
        tuple(sorted(counts.items(), key=lambda kv: list(SensorKind).index(SensorKind(kv[0])))),
    )
    return replace(result, weak_stretches=weak(result, gazetteer=gazetteer))


def _sectors(
    locator: Locator, lon: FloatArray, lat: FloatArray, offsets: tuple[float, ...]
) -> NDArray[np.intp]:
    """The sector of each station; where the line runs along a sector's edge (a state border)
    the station is on no sector's inside, and takes the sector of its nearest offset point."""
    sector = np.full(len(lon), -1, dtype=np.intp)
    for j in sorted(range(len(offsets)), key=lambda j: (abs(offsets[j]), offsets[j])):
        todo = np.flatnonzero(sector < 0)
        if len(todo) == 0:
            break
        sector[todo] = locator.batch(lon[todo, j], lat[todo, j], 0.0).sector
    return sector


def weak(
    result: Plan,
    *,
    threshold: float = GOOD_P3,
    min_length_m: float = WEAK_MIN_M,
    gazetteer: Gazetteer | None = None,
) -> tuple[Stretch, ...]:
    """Runs of consecutive stations on the line with P(≥3) below ``threshold``, at least
    ``min_length_m`` long, longest first (named after the nearest town when a gazetteer is
    given)."""
    on = result.on_line
    low = result.p3[:, on] < threshold
    # A run breaks where the line, the piece or the weakness changes.
    key = np.stack([result.line, result.piece, low.astype(np.intp)], axis=1)
    change = np.flatnonzero(np.any(np.diff(key, axis=0) != 0, axis=1)) + 1
    stretches = []
    for start, stop in zip(np.r_[0, change], np.r_[change, len(low)], strict=True):
        if stop <= start or not low[start]:
            continue
        half = result.weight_m[start:stop] / 2.0
        from_m = float(result.chainage_m[start] - half[0])
        to_m = float(result.chainage_m[stop - 1] + half[-1])
        if to_m - from_m < min_length_m:
            continue
        w = result.weight_m[start:stop]
        mean = float(np.sum(w * result.p3[start:stop, on]) / np.sum(w))
        middle = (start + stop - 1) // 2
        sector = int(result.sector[middle])
        name = result.sector_names[sector] if sector >= 0 else ""
        place = ""
        if gazetteer is not None:
            described = gazetteer.describe(
                float(result.lon[middle, on]), float(result.lat[middle, on])
            )
            place = described.text if described else ""
        line_id = result.line_ids[int(result.line[start])]
        stretches.append(Stretch(line_id, from_m, to_m, mean, name, place))
    return tuple(sorted(stretches, key=lambda s: (-s.length_m, s.line_id, s.from_m)))


def run_plan(
    agreement: Agreement, deployment: Deployment, out: Path, *, step_m: float = 1000.0
) -> tuple[str, Path]:
    """Plan, draw the map to ``out`` (.png or .svg), and return the table text and the path."""
    from ceasewatch.sim.planning.map import render_plan_map

    gazetteer = Gazetteer.default()
    result = plan(agreement, deployment, step_m=step_m, gazetteer=gazetteer)
    path = render_plan_map(agreement, deployment, result, Path(out), gazetteer=gazetteer)
    return result.text(), path


__all__ = ["OFFSETS_M", "Plan", "Stretch", "plan", "run_plan", "weak"]
