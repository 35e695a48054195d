"""Geometry derived from an agreement: lines from areas, and band polygons for maps.

The line between two parties is never drawn by hand: it is the shared boundary of their areas
(docs/adr/0003-line-from-areas.md). Deriving it means the line and the areas cannot disagree,
and an amendment that moves the line is an amendment of the areas.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon
from shapely.geometry.base import BaseGeometry

from ceasewatch.model.geo import LocalProjection, geodesic_length_m


def shared_boundary(
    first: MultiPolygon, second: MultiPolygon, *, min_piece_m: float = 0.0
) -> MultiLineString:
    """The boundary shared by two areas, as merged pieces with ``second`` on their left.

    Pieces shorter than ``min_piece_m`` (geodesic) are dropped. Returns an empty
    MultiLineString when the areas do not touch along a line.
    """
    common = shapely.intersection(first.boundary, second.boundary)
    lines = [g for g in _flatten(common) if isinstance(g, LineString) and not g.is_empty]
    if not lines:
        return MultiLineString()
    merged = shapely.line_merge(MultiLineString(lines))
    pieces = [p for p in _flatten(merged) if isinstance(p, LineString)]
    oriented = [
        _orient(piece, second)
        for piece in pieces
        if min_piece_m <= 0 or geodesic_length_m(piece) >= min_piece_m
    ]
    oriented.sort(key=lambda piece: -geodesic_length_m(piece))
    return MultiLineString(oriented)


def _orient(piece: LineString, left_area: MultiPolygon) -> LineString:
    """Reverse ``piece`` if ``left_area`` lies to its right (majority vote over segments)."""
    coords = np.asarray(piece.coords)[:, :2]
    step = np.diff(coords, axis=0)
    length = np.hypot(step[:, 0], step[:, 1])
    usable = length > 0
    mid = (coords[:-1] + coords[1:])[usable] / 2.0
    unit = step[usable] / length[usable, None]
    left = np.column_stack([-unit[:, 1], unit[:, 0]])
    offset = np.minimum(length[usable] * 1e-3, 1e-5)[:, None]
    sample = np.linspace(0, len(mid) - 1, num=min(len(mid), 25)).astype(int)
    probe_left = mid[sample] + left[sample] * offset[sample]
    probe_right = mid[sample] - left[sample] * offset[sample]
    votes = int(
        np.sum(shapely.contains_xy(left_area, probe_left[:, 0], probe_left[:, 1]))
        - np.sum(shapely.contains_xy(left_area, probe_right[:, 0], probe_right[:, 1]))
    )
    return piece if votes >= 0 else LineString(coords[::-1])


def band_polygon(
    line: BaseGeometry,
    from_m: float,
    to_m: float,
    clip: BaseGeometry | None,
    projection: LocalProjection,
) -> BaseGeometry:
    """The set of points between ``from_m`` and ``to_m`` of ``line``, clipped to ``clip``.

    Buffers are planar in the conformal projection (scale error < 0.1 %): good for maps and
    exports. Membership decisions use geodesic distances instead (:mod:`.locate`).
    """
    line_xy = projection.geometry_to_xy(line)
    band = line_xy.buffer(to_m, quad_segs=8)
    if from_m > 0:
        band = band.difference(line_xy.buffer(from_m, quad_segs=8))
    if clip is not None:
        band = band.intersection(projection.geometry_to_xy(clip))
    return projection.geometry_to_lonlat(band)


def _flatten(geometry: BaseGeometry) -> list[BaseGeometry]:
    if hasattr(geometry, "geoms"):
        out: list[BaseGeometry] = []
        for part in geometry.geoms:
            out.extend(_flatten(part))
        return out
    return [geometry]
