"""Geometry: the one place where metric work happens.

Coordinates are WGS84 longitude/latitude in degrees, longitude first, everywhere outside this
module. Inside it, two tools are combined (see docs/adr/0002-geometry-stack.md):

* a conformal :class:`LocalProjection` (Lambert conformal conic fitted to the region) for the
  topology: which segment is nearest, which side of a line a point lies on, buffers for maps;
* the WGS84 ellipsoid (``pyproj.Geod``) for every number a user reads: distances in metres and
  azimuths in degrees are geodesic, computed from the point to the foot found in the projection.

Because the distance to a line is stationary at the foot of the perpendicular, the small shift
of the foot caused by the projection changes the geodesic distance only to second order
(centimetres at 50 km). No degrees are ever treated as metres.

Uncertain positions are Gaussian (:class:`Uncertainty`); membership probabilities linearise the
boundary at its nearest point, which is exact for straight boundaries and good where the boundary
is smooth at the scale of the uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree
from scipy.special import ndtr
from scipy.stats import chi2, ncx2
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

GEOD = Geod(ellps="WGS84")
"""The WGS84 ellipsoid; all geodesic computations use it."""

FloatArray = NDArray[np.float64]

COMPASS_16 = (
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
    "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW",
)  # fmt: skip


def as_array(values: ArrayLike) -> FloatArray:
    return np.atleast_1d(np.asarray(values, dtype=np.float64))


def geodesic_inverse(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Forward azimuth at the first point (degrees from north) and distance in metres."""
    a, b, c, d = np.broadcast_arrays(as_array(lon1), as_array(lat1), as_array(lon2), as_array(lat2))
    az12, _az21, dist_m = GEOD.inv(
        np.ascontiguousarray(a),
        np.ascontiguousarray(b),
        np.ascontiguousarray(c),
        np.ascontiguousarray(d),
    )
    return np.asarray(az12, dtype=np.float64), np.asarray(dist_m, dtype=np.float64)


def geodesic_distance_m(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> FloatArray:
    """Geodesic distance in metres on WGS84 (vectorised)."""
    return geodesic_inverse(lon1, lat1, lon2, lat2)[1]


_SPHERE_M = 6_371_008.8  # mean Earth radius: great circles differ from WGS84 by < 0.6 %


def within_m(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike, limit_m: ArrayLike
) -> NDArray[np.bool_]:
    """Whether each (broadcast) pair is at most ``limit_m`` apart on WGS84: the same answer as
    ``geodesic_distance_m(...) <= limit_m``, but the ellipsoid is consulted only for pairs a
    great circle puts within 1 % of the limit, so a table of mostly far pairs costs little."""
    a, b, c, d, limit = np.broadcast_arrays(
        as_array(lon1), as_array(lat1), as_array(lon2), as_array(lat2), as_array(limit_m)
    )
    p1, p2 = np.radians(b), np.radians(d)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(c - a) / 2) ** 2
    sphere_m = 2 * _SPHERE_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    result = np.zeros(a.shape, dtype=bool)
    maybe = sphere_m <= limit * 1.01 + 1.0
    if maybe.any():
        exact = geodesic_distance_m(a[maybe], b[maybe], c[maybe], d[maybe])
        result[maybe] = exact <= limit[maybe]
    return result


def geodesic_forward(
    lon: ArrayLike, lat: ArrayLike, azimuth_deg: ArrayLike, distance_m: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """The point reached from (lon, lat) along ``azimuth_deg`` after ``distance_m`` metres."""
    a, b, c, d = np.broadcast_arrays(
        as_array(lon), as_array(lat), as_array(azimuth_deg), as_array(distance_m)
    )
    lon2, lat2, _ = GEOD.fwd(
        np.ascontiguousarray(a),
        np.ascontiguousarray(b),
        np.ascontiguousarray(c),
        np.ascontiguousarray(d),
    )
    return np.asarray(lon2, dtype=np.float64), np.asarray(lat2, dtype=np.float64)


def geodesic_length_m(geometry: BaseGeometry) -> float:
    """Geodesic length in metres of a (multi)line or of a polygon's rings."""
    return float(GEOD.geometry_length(geometry))


def geodesic_area_m2(geometry: BaseGeometry) -> float:
    """Geodesic area in square metres of a (multi)polygon (always positive)."""
    area, _perimeter = GEOD.geometry_area_perimeter(geometry)
    return abs(float(area))


def compass16(azimuth_deg: float) -> str:
    """The 16-point compass word for an azimuth: 0 → N, 135 → SE, 157.5 → SSE."""
    return COMPASS_16[int(math.floor((azimuth_deg % 360.0) / 22.5 + 0.5)) % 16]


@dataclass(frozen=True)
class LocalProjection:
    """A conformal projection fitted to a region, for planar topology work.

    Lambert conformal conic with standard parallels at 1/6 and 5/6 of the region's latitude span
    (scale error below 0.1 % over Ukraine); transverse Mercator near the equator, where a cone
    degenerates.
    """

    proj4: str
    _to_xy: Transformer = field(repr=False, compare=False)
    _to_lonlat: Transformer = field(repr=False, compare=False)

    @classmethod
    def for_bounds(
        cls, min_lon: float, min_lat: float, max_lon: float, max_lat: float
    ) -> LocalProjection:
        lon_0 = (min_lon + max_lon) / 2.0
        lat_0 = (min_lat + max_lat) / 2.0
        if abs(lat_0) < 10.0 or min_lat * max_lat < 0:
            proj4 = f"+proj=tmerc +lon_0={lon_0:.6f} +lat_0={lat_0:.6f} +k=1 +datum=WGS84 +units=m"
        else:
            span = max(max_lat - min_lat, 0.5)
            lat_1 = lat_0 - span / 3.0
            lat_2 = lat_0 + span / 3.0
            proj4 = (
                f"+proj=lcc +lat_1={lat_1:.6f} +lat_2={lat_2:.6f} +lat_0={lat_0:.6f} "
                f"+lon_0={lon_0:.6f} +datum=WGS84 +units=m"
            )
        return cls(
            proj4,
            Transformer.from_crs("EPSG:4326", proj4, always_xy=True),
            Transformer.from_crs(proj4, "EPSG:4326", always_xy=True),
        )

    @classmethod
    def for_geometry(cls, geometry: BaseGeometry) -> LocalProjection:
        return cls.for_bounds(*geometry.bounds)

    def to_xy(self, lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
        x, y = self._to_xy.transform(as_array(lon), as_array(lat))
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def to_lonlat(self, x: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
        lon, lat = self._to_lonlat.transform(as_array(x), as_array(y))
        return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)

    def geometry_to_xy(self, geometry: BaseGeometry) -> BaseGeometry:
        """Project a geometry; a polygon that projection made invalid (edges that nearly
        touch in degrees may cross in metres) is repaired, keeping its polygonal parts."""
        projected = shapely.transform(
            geometry, lambda c: np.column_stack(self.to_xy(c[:, 0], c[:, 1]))
        )
        return _repaired(projected)

    def geometry_to_lonlat(self, geometry: BaseGeometry) -> BaseGeometry:
        """Unproject a geometry as it is (callers that need validity check it: a repair here
        would re-node shared edges of neighbouring areas differently)."""
        return shapely.transform(
            geometry, lambda c: np.column_stack(self.to_lonlat(c[:, 0], c[:, 1]))
        )


def _repaired(geometry: BaseGeometry) -> BaseGeometry:
    if geometry.is_valid or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return geometry
    fixed = shapely.make_valid(geometry)
    parts = [
        part
        for part in getattr(fixed, "geoms", [fixed])
        if part.geom_type in ("Polygon", "MultiPolygon")
    ]
    return shapely.union_all(parts) if parts else fixed


@dataclass(frozen=True)
class Nearest:
    """Vectorised answer of :meth:`Linework.nearest`; every field has one entry per query point.

    ``side`` is +1 where the point lies to the left of the linework's direction, -1 to the right
    and 0 on it. ``normal_azimuth_deg`` is the geodesic azimuth from the point towards its foot
    (the direction across the boundary), or the segment's normal where the point is on it.
    """

    foot_lon: FloatArray
    foot_lat: FloatArray
    distance_m: FloatArray
    normal_azimuth_deg: FloatArray
    side: NDArray[np.int8]
    segment: NDArray[np.intp]


def _densify(lonlat: FloatArray, projection: LocalProjection, step_m: float) -> FloatArray:
    """Projected vertices of a polyline whose segments are split to at most ``step_m``.

    A segment is straight in longitude/latitude (as in GeoJSON and in every shapely test on
    the agreement's geometry), so it is split there and the pieces are projected; a long
    segment drawn straight in the projection would bow away from it (87 m on 114 km).
    Repeated vertices are dropped.
    """
    keep = np.ones(len(lonlat), dtype=bool)
    keep[1:] = np.any(np.diff(lonlat, axis=0) != 0.0, axis=1)
    lonlat = lonlat[keep]
    xy = np.column_stack(projection.to_xy(lonlat[:, 0], lonlat[:, 1]))
    if len(xy) < 2:
        return xy
    length = np.hypot(*np.diff(xy, axis=0).T)
    pieces = np.maximum(1, np.ceil(length / step_m)).astype(int)
    if np.all(pieces == 1):
        return xy
    fractions = np.concatenate([np.arange(n) / n for n in pieces])
    origin = np.repeat(lonlat[:-1], pieces, axis=0)
    delta = np.repeat(np.diff(lonlat, axis=0), pieces, axis=0)
    dense = np.vstack([origin + delta * fractions[:, None], lonlat[-1:]])
    return np.column_stack(projection.to_xy(dense[:, 0], dense[:, 1]))


def _line_parts(lines: Iterable[BaseGeometry]) -> list[LineString]:
    parts: list[LineString] = []
    for geometry in lines:
        if isinstance(geometry, LineString):
            parts.append(geometry)
        elif isinstance(geometry, MultiLineString):
            parts.extend(geometry.geoms)
        elif geometry.geom_type in ("Polygon", "MultiPolygon"):
            parts.extend(_line_parts([shapely.boundary(geometry)]))
        elif geometry.geom_type == "GeometryCollection":
            parts.extend(_line_parts(getattr(geometry, "geoms", [])))
        else:
            raise ValueError(f"cannot measure distance to a {geometry.geom_type}")
    return [p for p in parts if not p.is_empty]


class Linework:
    """Polylines prepared for fast nearest-point queries with geodesic distances.

    In projected metres, segments are split to at most ``step_m`` and their vertices put in a
    k-d tree. For a query point, the segments next to its ``k`` nearest vertices are the
    candidates, and the foot of the perpendicular on the closest of them is taken; the distance
    is then measured on the ellipsoid. The true nearest segment has a vertex within ``step_m/2``
    of its foot, so the only possible miss is to a segment at most
    ``sqrt(d² + step_m²/4) - d`` farther (5 m at d = 1 km, 0.1 m at 50 km, for 200 m steps),
    and only where two branches of the line are almost equally near.
    """

    def __init__(
        self,
        lines: Sequence[BaseGeometry],
        projection: LocalProjection,
        *,
        step_m: float = 200.0,
        neighbours: int = 4,
    ) -> None:
        parts = _line_parts(lines)
        if not parts:
            raise ValueError("linework needs at least one line")
        self.projection = projection
        self._k = neighbours
        self._step_m = step_m
        starts: list[FloatArray] = []
        prev: list[NDArray[np.intp]] = []
        nxt: list[NDArray[np.intp]] = []
        vertices: list[FloatArray] = []
        vertex_in: list[NDArray[np.intp]] = []
        vertex_out: list[NDArray[np.intp]] = []
        ends: list[FloatArray] = []
        offset = 0
        for part in parts:
            xy = _densify(np.asarray(part.coords, dtype=np.float64)[:, :2], projection, step_m)
            count = len(xy) - 1
            if count < 1:
                continue
            closed = bool(np.all(xy[0] == xy[-1])) and count >= 3
            index = np.arange(offset, offset + count)
            p = index - 1
            n = index + 1
            p[0] = index[-1] if closed else -1
            n[-1] = index[0] if closed else -1
            starts.append(xy[:-1])
            ends.append(xy[1:])
            prev.append(p)
            nxt.append(n)
            # Vertex i of the part joins segment i-1 (arriving) and segment i (leaving).
            arriving = np.concatenate([[p[0]], index])
            leaving = np.concatenate([index, [n[-1]]])
            keep = slice(0, count) if closed else slice(0, count + 1)
            vertices.append(xy[keep])
            vertex_in.append(arriving[keep])
            vertex_out.append(leaving[keep])
            offset += count
        if offset == 0:
            raise ValueError("linework has no segment of non-zero length")
        self._a = np.concatenate(starts)
        self._b = np.concatenate(ends)
        self._prev = np.concatenate(prev)
        self._next = np.concatenate(nxt)
        direction = self._b - self._a
        self._length = np.hypot(direction[:, 0], direction[:, 1])
        self._unit = direction / self._length[:, None]
        self._normal = np.column_stack([-self._unit[:, 1], self._unit[:, 0]])  # left normal
        self._vertex_in = np.concatenate(vertex_in)
        self._vertex_out = np.concatenate(vertex_out)
        self._tree = cKDTree(np.concatenate(vertices))
        self._k = min(self._k, len(self._vertex_in))

    @property
    def segment_count(self) -> int:
        return len(self._a)

    def nearest(
        self, lon: ArrayLike, lat: ArrayLike, *, max_distance_m: float = math.inf
    ) -> Nearest:
        """Nearest points on the linework; points farther than ``max_distance_m`` (in the
        projection, so give a margin) get an infinite distance, a NaN foot and side 0, which
        is much faster when only the near ones matter."""
        lon_a, lat_a = as_array(lon), as_array(lat)
        count = len(lon_a)
        x, y = self.projection.to_xy(lon_a, lat_a)
        pts = np.column_stack([x, y])
        bound = math.inf if math.isinf(max_distance_m) else max_distance_m + self._step_m
        _, vertex = self._tree.query(pts, k=self._k, distance_upper_bound=bound, workers=-1)
        vertex = np.asarray(vertex).reshape(count, self._k)
        near = vertex[:, 0] < len(self._vertex_in)
        distance = np.full(count, np.inf)
        foot_lon = np.full(count, np.nan)
        foot_lat = np.full(count, np.nan)
        azimuth = np.zeros(count)
        side = np.zeros(count, dtype=np.int8)
        seg_out = np.full(count, -1, dtype=np.intp)
        if not np.any(near):
            return Nearest(foot_lon, foot_lat, distance, azimuth, side, seg_out)
        pts, vertex = pts[near], vertex[near]
        # A point with fewer than k vertices in range repeats its nearest one.
        vertex = np.where(vertex < len(self._vertex_in), vertex, vertex[:, :1])
        candidates = np.concatenate([self._vertex_in[vertex], self._vertex_out[vertex]], axis=1)
        fallback = np.concatenate([self._vertex_out[vertex], self._vertex_in[vertex]], axis=1)
        candidates = np.where(candidates < 0, fallback, candidates)
        a = self._a[candidates]
        unit = self._unit[candidates]
        t = np.clip(
            np.einsum("ijk,ijk->ij", pts[:, None, :] - a, unit), 0.0, self._length[candidates]
        )
        foot_all = a + unit * t[..., None]
        gap = pts[:, None, :] - foot_all
        best = np.argmin(np.einsum("ijk,ijk->ij", gap, gap), axis=1)
        rows = np.arange(len(pts))
        seg = candidates[rows, best]
        foot = foot_all[rows, best]
        near_side = self._side(pts, seg, t[rows, best], self._length[seg])
        f_lon, f_lat = self.projection.to_lonlat(foot[:, 0], foot[:, 1])
        az, dist = geodesic_inverse(lon_a[near], lat_a[near], f_lon, f_lat)
        on_line = dist < 1e-3
        if np.any(on_line):
            # Direction across the line at the foot: the segment's normal, as an azimuth.
            a_on, b_on = self._a[seg[on_line]], self._b[seg[on_line]]
            seg_az, _ = geodesic_inverse(
                *self.projection.to_lonlat(a_on[:, 0], a_on[:, 1]),
                *self.projection.to_lonlat(b_on[:, 0], b_on[:, 1]),
            )
            az[on_line] = seg_az - 90.0
            near_side[on_line] = 0
        distance[near] = dist
        foot_lon[near], foot_lat[near] = f_lon, f_lat
        azimuth[near] = az % 360.0
        side[near] = near_side
        seg_out[near] = seg
        return Nearest(foot_lon, foot_lat, distance, azimuth, side, seg_out)

    def _side(
        self, pts: FloatArray, seg: NDArray[np.intp], t: FloatArray, seg_len: FloatArray
    ) -> NDArray[np.int8]:
        """Left (+1) or right (-1) of the linework, with vertex pseudo-normals at corners."""
        normal = self._normal[seg].copy()
        at_start = t <= 0.0
        at_end = t >= seg_len
        for mask, neighbour in ((at_start, self._prev), (at_end, self._next)):
            other = neighbour[seg[mask]]
            joined = other >= 0
            rows = np.flatnonzero(mask)[joined]
            normal[rows] = normal[rows] + self._normal[other[joined]]
        origin = np.where(at_end[:, None], self._b[seg], self._a[seg])
        dot = np.einsum("ij,ij->i", pts - origin, normal)
        # A spike that folds back on itself has a zero pseudo-normal: fall back to the segment.
        flat = np.abs(np.einsum("ij,ij->i", normal, normal)) < 1e-12
        if np.any(flat):
            dot[flat] = np.einsum("ij,ij->i", (pts - self._a[seg])[flat], self._normal[seg][flat])
        return np.sign(dot).astype(np.int8)


@dataclass(frozen=True)
class Uncertainty:
    """A bivariate Gaussian position error in local east/north metres.

    Stored as one-sigma axes: ``sigma_major_m`` along ``azimuth_deg`` (degrees clockwise from
    north) and ``sigma_minor_m`` across it. A zero uncertainty means an exact position.
    """

    sigma_major_m: float
    sigma_minor_m: float
    azimuth_deg: float = 0.0

    def __post_init__(self) -> None:
        if not (self.sigma_major_m >= 0 and self.sigma_minor_m >= 0):
            raise ValueError("sigmas must be non-negative numbers")
        if math.isinf(self.sigma_major_m) or math.isinf(self.sigma_minor_m):
            raise ValueError("sigmas must be finite")

    @classmethod
    def exact(cls) -> Uncertainty:
        return cls(0.0, 0.0, 0.0)

    @classmethod
    def circular(cls, sigma_m: float) -> Uncertainty:
        return cls(sigma_m, sigma_m, 0.0)

    @classmethod
    def from_ellipse(
        cls, semi_major_m: float, semi_minor_m: float, azimuth_deg: float, p: float = 0.95
    ) -> Uncertainty:
        """From a confidence ellipse holding probability ``p`` (as in the fused-event format)."""
        if not 0.0 < p < 1.0:
            raise ValueError("the ellipse probability must lie strictly between 0 and 1")
        scale = math.sqrt(float(chi2.ppf(p, df=2)))
        return cls(semi_major_m / scale, semi_minor_m / scale, azimuth_deg)

    @property
    def is_circular(self) -> bool:
        return math.isclose(self.sigma_major_m, self.sigma_minor_m, rel_tol=1e-9, abs_tol=1e-9)

    def sigma_along(self, azimuth_deg: ArrayLike) -> FloatArray:
        """Standard deviation of the position projected on a direction (vectorised)."""
        angle = np.radians(as_array(azimuth_deg) - self.azimuth_deg)
        variance = (self.sigma_major_m * np.cos(angle)) ** 2 + (
            self.sigma_minor_m * np.sin(angle)
        ) ** 2
        return np.sqrt(variance)


def probability_between(
    value: ArrayLike, low: ArrayLike, high: ArrayLike, sigma: ArrayLike
) -> FloatArray:
    """P(low <= X <= high) for X ~ N(value, sigma²); a step function when sigma is 0."""
    v, lo, hi, s = np.broadcast_arrays(
        as_array(value), as_array(low), as_array(high), as_array(sigma)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        upper = np.where(s > 0, ndtr((hi - v) / s), (v <= hi).astype(np.float64))
        lower = np.where(s > 0, ndtr((lo - v) / s), (v < lo).astype(np.float64))
    return np.clip(upper - lower, 0.0, 1.0)


def probability_inside(signed_distance_m: ArrayLike, sigma: ArrayLike) -> FloatArray:
    """P(inside) of a region whose boundary is at ``signed_distance_m`` (negative inside)."""
    s, sig = np.broadcast_arrays(as_array(signed_distance_m), as_array(sigma))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sig > 0, ndtr(-s / sig), (s <= 0).astype(np.float64))


def probability_within_radius(
    distance_m: ArrayLike, radius_m: ArrayLike, sigma: ArrayLike
) -> FloatArray:
    """P(|X - c| <= r) for a circular Gaussian at ``distance_m`` from the centre c.

    Exact (Rice / non-central chi-square with two degrees of freedom).
    """
    d, r, sig = np.broadcast_arrays(as_array(distance_m), as_array(radius_m), as_array(sigma))
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = ncx2.cdf((r / sig) ** 2, df=2, nc=(d / sig) ** 2)
        return np.where(sig > 0, exact, (d <= r).astype(np.float64))
