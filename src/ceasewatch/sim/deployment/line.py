"""Walking along a line of the agreement: stations, the direction across it, points beside it.

A position along a line (its *chainage*) is measured in metres from the start of its first
piece, the pieces concatenated in the order of the agreement's geometry (the same convention
as :mod:`ceasewatch.sim.world`). Segments are straight in longitude/latitude, as in GeoJSON;
lengths are geodesic.

The direction across the line at a station is taken from the chord between the points
``window_m`` before and after it (within the same piece), so that the wiggles of a real line
of contact at the scale of a few hundred metres do not turn a sensor "2 km across the line"
into one 2 km along it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from ceasewatch.agreement.types import Line
from ceasewatch.model.geo import (
    FloatArray,
    LocalProjection,
    as_array,
    geodesic_forward,
    geodesic_inverse,
)

WINDOW_M = 2500.0
"""Half the length of line over which the direction across it is averaged."""


@dataclass(frozen=True)
class Stations:
    """Points on a line: where they are, what stretch of line each stands for, and the azimuth
    pointing across the line to the side of its second party (the left of the line)."""

    line_id: str
    chainage_m: FloatArray
    weight_m: FloatArray  # the length of line the station stands for
    piece: NDArray[np.intp]
    lon: FloatArray
    lat: FloatArray
    across_deg: FloatArray

    def __len__(self) -> int:
        return len(self.chainage_m)

    def beside(self, offset_m: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Points ``offset_m`` across the line from each station (positive: second party's
        side; one offset for all stations or one per station)."""
        offset = np.broadcast_to(as_array(offset_m), self.lon.shape)
        azimuth = self.across_deg + np.where(offset < 0, 180.0, 0.0)
        lon, lat = geodesic_forward(self.lon, self.lat, azimuth, np.abs(offset))
        on = offset == 0
        return np.where(on, self.lon, lon), np.where(on, self.lat, lat)


class LineWalk:
    """A line prepared for positions by chainage."""

    def __init__(self, line: Line, *, window_m: float = WINDOW_M) -> None:
        self.line_id = str(line.id)
        self.window_m = window_m
        vertices, cumulative, piece_of, bounds = [], [], [], []
        start = 0.0
        for index, geometry in enumerate(line.geometry.geoms):
            xy = np.asarray(geometry.coords, dtype=np.float64)[:, :2]
            keep = np.ones(len(xy), dtype=bool)
            keep[1:] = np.any(np.diff(xy, axis=0) != 0.0, axis=1)
            xy = xy[keep]
            if len(xy) < 2:
                continue
            _, length = geodesic_inverse(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
            chain = start + np.concatenate([[0.0], np.cumsum(length)])
            vertices.append(xy)
            cumulative.append(chain)
            piece_of.append(np.full(len(xy), index, dtype=np.intp))
            bounds.append((start, float(chain[-1])))
            start = float(chain[-1])
        if not vertices:
            raise ValueError(f"line {line.id} has no length")
        self._xy = np.concatenate(vertices)
        self._chain = np.concatenate(cumulative)
        self._piece = np.concatenate(piece_of)
        self.pieces: tuple[tuple[float, float], ...] = tuple(bounds)  # (start_m, end_m)
        self.length_m = start

    def piece_of(self, chainage_m: ArrayLike) -> NDArray[np.intp]:
        """Index into :attr:`pieces` of each chainage (clipped to the line)."""
        ends = np.array([end for _, end in self.pieces])
        chain = np.clip(as_array(chainage_m), 0.0, self.length_m)
        return np.minimum(np.searchsorted(ends, chain, side="left"), len(ends) - 1)

    def point(
        self, chainage_m: ArrayLike, piece: ArrayLike | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Longitude and latitude at each chainage (clipped to the line). Where one piece
        ends another begins at the same chainage: ``piece`` says which is meant (default:
        the one that ends there)."""
        chain = np.clip(as_array(chainage_m), 0.0, self.length_m)
        piece = self.piece_of(chain) if piece is None else _pieces(piece, chain)
        # The vertex row of each query: the last vertex of its piece at or before it.
        vertex = np.searchsorted(self._chain, chain, side="right") - 1
        first = np.searchsorted(self._piece, piece, side="left")
        last = np.searchsorted(self._piece, piece, side="right") - 1
        vertex = np.clip(vertex, first, last - 1)
        length = self._chain[vertex + 1] - self._chain[vertex]
        fraction = np.clip((chain - self._chain[vertex]) / np.where(length > 0, length, 1.0), 0, 1)
        xy = self._xy[vertex] + (self._xy[vertex + 1] - self._xy[vertex]) * fraction[:, None]
        return xy[:, 0], xy[:, 1]

    def stations(
        self,
        chainage_m: ArrayLike,
        weight_m: ArrayLike = 0.0,
        piece: ArrayLike | None = None,
        *,
        window_m: float | None = None,
    ) -> Stations:
        """Stations at the given chainages, with the direction across the line averaged over
        ``window_m`` either side (default: the walk's; ``piece`` as in :meth:`point`)."""
        window = self.window_m if window_m is None else window_m
        chain = np.clip(as_array(chainage_m), 0.0, self.length_m)
        piece = self.piece_of(chain) if piece is None else _pieces(piece, chain)
        starts = np.array([s for s, _ in self.pieces])[piece]
        ends = np.array([e for _, e in self.pieces])[piece]
        chain = np.clip(chain, starts, ends)
        before = np.maximum(chain - window, starts)
        after = np.minimum(chain + window, ends)
        lon, lat = self.point(chain, piece)
        lon_a, lat_a = self.point(before, piece)
        lon_b, lat_b = self.point(after, piece)
        along, _ = geodesic_inverse(lon_a, lat_a, lon_b, lat_b)
        weight = np.broadcast_to(as_array(weight_m), chain.shape).astype(np.float64)
        return Stations(
            self.line_id, chain, weight, piece, lon, lat, np.asarray((along - 90.0) % 360.0)
        )

    def every(
        self,
        step_m: float,
        *,
        from_m: float = 0.0,
        to_m: float | None = None,
        min_piece_m: float = 0.0,
    ) -> Stations:
        """One station in the middle of each ``step_m`` of line between ``from_m`` and
        ``to_m``, restarting at every piece; each stands for its stretch (a piece's last
        stretch is shorter), so the weights sum to the length walked. Stretches shorter than
        ``min_piece_m`` get no station."""
        if step_m <= 0:
            raise ValueError("the step must be positive")
        end = self.length_m if to_m is None else min(to_m, self.length_m)
        chains: list[FloatArray] = []
        weights: list[FloatArray] = []
        pieces: list[NDArray[np.intp]] = []
        for index, (start, stop) in enumerate(self.pieces):
            lo, hi = max(start, from_m), min(stop, end)
            if hi <= lo:
                continue
            edges = np.append(np.arange(lo, hi, step_m), hi)
            width = np.diff(edges)
            keep = width >= min_piece_m
            chains.append(((edges[:-1] + edges[1:]) / 2.0)[keep])
            weights.append(width[keep])
            pieces.append(np.full(int(keep.sum()), index, dtype=np.intp))
        if not chains:
            return self.stations(np.zeros(0))
        return self.stations(
            np.concatenate(chains), np.concatenate(weights), np.concatenate(pieces)
        )


def _pieces(piece: ArrayLike, chain: FloatArray) -> NDArray[np.intp]:
    return np.broadcast_to(np.asarray(piece, dtype=np.intp), chain.shape).copy()


class ChainageIndex:
    """Chainage of arbitrary points: that of the nearest of stations every ``step_m`` (so
    within ``step_m``/2 along the line), found in a k-d tree in a local projection."""

    def __init__(self, walk: LineWalk, *, step_m: float = 200.0) -> None:
        self._chain = np.append(np.arange(0.0, walk.length_m, step_m), walk.length_m)
        lon, lat = walk.point(self._chain)
        self._projection = LocalProjection.for_bounds(lon.min(), lat.min(), lon.max(), lat.max())
        self._tree = cKDTree(np.column_stack(self._projection.to_xy(lon, lat)))

    def __call__(self, lon: ArrayLike, lat: ArrayLike) -> FloatArray:
        xy = np.column_stack(self._projection.to_xy(lon, lat))
        if len(xy) == 0:
            return np.zeros(0)
        _, index = self._tree.query(xy)
        return np.asarray(self._chain[index], dtype=np.float64)
