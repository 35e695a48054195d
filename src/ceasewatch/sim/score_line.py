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
        """The agreement's sectors as stretches of the main line, in order."""
        if not self._sectors:
            return ()
        steps = np.arange(0.0, self._xy_line.length + SAMPLE_M, SAMPLE_M)
        points = shapely.line_interpolate_point(
            self._xy_line, np.minimum(steps, self._xy_line.length)
        )
        lon, lat = self._projection.to_lonlat(shapely.get_x(points), shapely.get_y(points))
        label = np.full(len(steps), -1)
        for index, sector in reversed(list(enumerate(self._sectors))):
            label[shapely.contains_xy(sector.area, lon, lat)] = index
        km = np.interp(np.minimum(steps, self._xy_line.length), self._xy_along, self._geo_along_m)
        km = km / 1000.0
        spans: list[SectorSpan] = []
        start = 0
        for k in range(1, len(steps) + 1):
            if k == len(steps) or label[k] != label[start]:
                if label[start] >= 0:
                    sector = self._sectors[label[start]]
                    end = km[min(k, len(steps) - 1)]
                    spans.append(SectorSpan(str(sector.id), sector.name, km[start], end))
                start = k
        return tuple(spans)


def _step_lengths_m(lonlat: np.ndarray) -> FloatArray:
    return geodesic_distance_m(lonlat[:-1, 0], lonlat[:-1, 1], lonlat[1:, 0], lonlat[1:, 1])
