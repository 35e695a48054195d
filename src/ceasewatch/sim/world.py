"""The world a scenario happens in: the agreement's real line, its sides, sectors and places.

Positions along the line are measured in metres from the start of the first piece, pieces
concatenated (the main line first); a position along the line and an offset across it (positive
on the side of the line's second party) give a point on the ground.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ceasewatch.agreement.locate import Locator
from ceasewatch.agreement.types import Agreement
from ceasewatch.model.geo import FloatArray, as_array, geodesic_forward, geodesic_inverse
from ceasewatch.model.places import Gazetteer


@dataclass(frozen=True)
class LinePoints:
    """Points on the line with the azimuth pointing across it, to the second party's side."""

    lon: FloatArray
    lat: FloatArray
    across_deg: FloatArray
    along_m: FloatArray


class World:
    def __init__(self, agreement: Agreement, gazetteer: Gazetteer, line_id: str | None = None):
        self.agreement = agreement
        self.gazetteer = gazetteer
        self.locator = Locator(agreement, gazetteer)
        self.line = agreement.line(line_id) if line_id else agreement.lines[0]
        first, second = self.line.between
        self.parties = (str(first), str(second))
        starts, ends = [], []
        for piece in self.line.geometry.geoms:
            coords = np.asarray(piece.coords)[:, :2]
            starts.append(coords[:-1])
            ends.append(coords[1:])
        self._a = np.concatenate(starts)
        self._b = np.concatenate(ends)
        azimuth, length = geodesic_inverse(
            self._a[:, 0], self._a[:, 1], self._b[:, 0], self._b[:, 1]
        )
        self._azimuth = azimuth
        self._cumulative = np.concatenate([[0.0], np.cumsum(length)])
        self.length_m = float(self._cumulative[-1])
        self._segment_sectors: list[str | None] | None = None

    def on_line(self, along_m: ArrayLike) -> LinePoints:
        """Points at ``along_m`` metres along the line (clipped to its length)."""
        along = np.clip(as_array(along_m), 0.0, np.nextafter(self.length_m, 0))
        segment = np.searchsorted(self._cumulative, along, side="right") - 1
        seg_len = self._cumulative[segment + 1] - self._cumulative[segment]
        fraction = np.where(seg_len > 0, (along - self._cumulative[segment]) / seg_len, 0.0)
        a, b = self._a[segment], self._b[segment]
        point = a + (b - a) * fraction[:, None]
        # The line is oriented with the second party on its left.
        across = (self._azimuth[segment] - 90.0) % 360.0
        return LinePoints(point[:, 0], point[:, 1], across, along)

    def offset(
        self, points: LinePoints, across_m: ArrayLike, turn_deg: ArrayLike = 0.0
    ) -> tuple[FloatArray, FloatArray]:
        """From line points, go ``across_m`` metres across the line (positive: second party's
        side), turned by ``turn_deg`` from the perpendicular."""
        distance = as_array(across_m)
        azimuth = points.across_deg + np.where(distance < 0, 180.0, 0.0) + as_array(turn_deg)
        return geodesic_forward(points.lon, points.lat, azimuth, np.abs(distance))

    @property
    def cumulative_m(self) -> FloatArray:
        """Distance along the line at the start of each segment, and at the end (n + 1)."""
        return self._cumulative

    def segment_midpoints(self) -> FloatArray:
        return (self._a + self._b) / 2.0

    def sector_centre_m(self, sector: str) -> float:
        """Distance along the line of the middle of the stretch that lies in ``sector``."""
        if self._segment_sectors is None:
            mid = self.segment_midpoints()
            self._segment_sectors = self.sector_of(mid[:, 0], mid[:, 1])
        inside = [i for i, s in enumerate(self._segment_sectors) if s == sector]
        if not inside:
            raise ValueError(f"the line does not run through sector {sector!r}")
        along = (self._cumulative[inside] + self._cumulative[np.add(inside, 1)]) / 2.0
        return float(np.median(along))

    def on_side(self, point: tuple[FloatArray, FloatArray], sign: float) -> bool:
        """Whether a point lies on the ground of the party whose offsets have ``sign``."""
        batch = self.locator.batch(point[0], point[1], 0.0)
        index = batch.control_ids.index(self.parties[1 if sign > 0 else 0])
        return bool(batch.control[0, index] >= 0.5)

    def other_party(self, party: str) -> str:
        return self.parties[0] if party == self.parties[1] else self.parties[1]

    def scatter(
        self, point: tuple[float, float], sigma_m: float, rng: np.random.Generator
    ) -> tuple[float, float]:
        """A point drawn from a circular Gaussian of ``sigma_m`` around ``point``."""
        east, north = rng.normal(0.0, sigma_m, 2)
        azimuth = float(np.degrees(np.arctan2(east, north)))
        lon, lat = geodesic_forward(point[0], point[1], azimuth, float(np.hypot(east, north)))
        return (round(float(lon[0]), 7), round(float(lat[0]), 7))

    def side_sign(self, party: str) -> float:
        """+1 if ``party`` holds the side of positive offsets, -1 otherwise."""
        return 1.0 if party == self.parties[1] else -1.0

    def sector_of(self, lon: ArrayLike, lat: ArrayLike) -> list[str | None]:
        batch = self.locator.batch(lon, lat, 0.0)
        return [batch.sector_ids[k] if k >= 0 else None for k in batch.sector]
