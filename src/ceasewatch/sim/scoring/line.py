"""Positions along the agreement's main line, for plotting errors where they happen.

The main line is the longest piece of the agreement's first line (for ua-2026 the line of
contact from near Kharkiv to the Dnipro mouth). A point's position along it is the geodesic
length of the line from its start to the point's nearest point on it (found in the agreement's
conformal projection), in kilometres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike
from shapely.geometry import LineString

from ceasewatch.agreement.types import Agreement
from ceasewatch.model.geo import FloatArray, LocalProjection, as_array, geodesic_distance_m

SAMPLE_M = 1_000.0
MERGE_KM = 5.0


@dataclass(frozen=True)
class SectorSpan:
    sector_id: str
    name: str
    start_km: float
    end_km: float


@dataclass(frozen=True)
class AlongLine:
    """Per-source data for the plot of errors along the line (not written to score.json)."""

    line_id: str
    line_name: str
    start: tuple[float, float]  # (lon, lat) where km 0 is
    length_km: float
    found_km: tuple[float, ...]
    found_error_m: tuple[float, ...]
    missed_km: tuple[float, ...]
    missed_detectable: tuple[bool, ...]
    sectors: tuple[SectorSpan, ...]


class LineAxis:
    """Kilometres along the main line of an agreement."""

    def __init__(self, agreement: Agreement) -> None:
        if not agreement.lines:
            raise ValueError(f"{agreement.label} has no line to measure along")
        line = agreement.lines[0]
        parts = list(getattr(line.geometry, "geoms", [line.geometry]))
        lengths = [float(np.sum(_step_lengths_m(np.asarray(p.coords)))) for p in parts]
        main = np.asarray(parts[int(np.argmax(lengths))].coords)[:, :2]
        self.line_id = str(line.id)
        self.line_name = line.name
        self.start = (float(main[0, 0]), float(main[0, 1]))
        self.end = (float(main[-1, 0]), float(main[-1, 1]))
        self._projection = LocalProjection.for_geometry(line.geometry)
        x, y = self._projection.to_xy(main[:, 0], main[:, 1])
        self._xy_line = LineString(np.column_stack([x, y]))
        self._xy_along = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
        self._geo_along_m = np.concatenate([[0.0], np.cumsum(_step_lengths_m(main))])
        self.length_km = float(self._geo_along_m[-1] / 1000.0)
        self._sectors = agreement.sectors

    def km(self, lon: ArrayLike, lat: ArrayLike) -> FloatArray:
        """Kilometres along the main line to each point's nearest point on it."""
        lon_a, lat_a = as_array(lon), as_array(lat)
        if lon_a.size == 0:
            return np.zeros(0)
        x, y = self._projection.to_xy(lon_a, lat_a)
        along = shapely.line_locate_point(self._xy_line, shapely.points(x, y))
        return np.interp(along, self._xy_along, self._geo_along_m) / 1000.0

    def sector_spans(self) -> tuple[SectorSpan, ...]:
        """The agreement's sectors as stretches of the main line, in order.

        The line is sampled every kilometre; a stretch shorter than ``MERGE_KM`` (where the line
        wiggles across a sector boundary) joins the stretch before it.
        """
        if not self._sectors:
            return ()
        length = self._xy_line.length
        steps = np.minimum(np.arange(0.0, length + SAMPLE_M, SAMPLE_M), length)
        points = shapely.line_interpolate_point(self._xy_line, steps)
        lon, lat = self._projection.to_lonlat(shapely.get_x(points), shapely.get_y(points))
        label = np.full(len(steps), -1)
        for index, sector in reversed(list(enumerate(self._sectors))):
            label[shapely.contains_xy(sector.area, lon, lat)] = index
        km = np.interp(steps, self._xy_along, self._geo_along_m) / 1000.0
        runs: list[list[float]] = []  # [sector index, start km, end km]
        start = 0
        for k in range(1, len(steps) + 1):
            if k == len(steps) or label[k] != label[start]:
                end = float(km[min(k, len(steps) - 1)])
                short = end - float(km[start]) < MERGE_KM
                if runs and (short or runs[-1][0] == label[start]):
                    runs[-1][2] = end
                elif label[start] >= 0 or runs:
                    runs.append([int(label[start]), float(km[start]), end])
                start = k
        merged: list[list[float]] = []
        for run in runs:
            if merged and merged[-1][0] == run[0]:
                merged[-1][2] = run[2]
            else:
                merged.append(run)
        return tuple(
            SectorSpan(str(self._sectors[int(i)].id), self._sectors[int(i)].name, a, b)
            for i, a, b in merged
            if i >= 0
        )


def _step_lengths_m(lonlat: np.ndarray) -> FloatArray:
    return geodesic_distance_m(lonlat[:-1, 0], lonlat[:-1, 1], lonlat[1:, 0], lonlat[1:, 1])
