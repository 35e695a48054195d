"""The sensor array: positions, reach, and each sensor's neighbours in its own local frame.

Each sensor carries an azimuthal-equidistant frame centred on itself: a neighbour at geodesic
azimuth α and distance d sits at (d sin α, d cos α) metres. Distances from the centre are exact
and, within the 60 km of a neighbourhood, distances between other points are off by less than a
metre in 10 km, so events are located in the frame of the sensor that heard them first.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from ceasewatch.errors import InputError
from ceasewatch.model.geo import LocalProjection, geodesic_forward, geodesic_inverse

DEFAULT_RANGE_M = 20_000.0
NEIGHBOUR_M = 60_000.0  # how far a neighbourhood reaches
PICKING_KINDS = ("acoustic",)


@dataclass(frozen=True, eq=False)
class SensorArray:
    """Sensors that can pick arrivals, with padded neighbour tables (row 0 is the sensor)."""

    ids: tuple[str, ...]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    range_m: NDArray[np.float64]
    nb: NDArray[np.int64]  # [sensor, k] neighbour index, -1 past the end; nb[s, 0] == s
    nb_xy: NDArray[np.float64]  # [sensor, k, 2] east/north metres in the sensor's frame
    nb_count: NDArray[np.int64]

    @functools.cached_property
    def nb_dist_m(self) -> NDArray[np.float64]:
        """[sensor, k] distance of each neighbour (inf past the end), ascending along k."""
        distance = np.hypot(self.nb_xy[:, :, 0], self.nb_xy[:, :, 1])
        return np.where(self.nb >= 0, distance, np.inf)

    @property
    def index(self) -> dict[str, int]:
        return {sensor_id: k for k, sensor_id in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def score_width(self, radius_m: float) -> int:
        """Columns of the neighbour tables that hold every neighbour within ``radius_m``."""
        return _width(self, radius_m)

    def to_lonlat(self, anchor: int, x_m: float, y_m: float) -> tuple[float, float]:
        """A point of ``anchor``'s frame as longitude and latitude."""
        azimuth = float(np.degrees(np.arctan2(x_m, y_m)))
        lon, lat = geodesic_forward(self.lon[anchor], self.lat[anchor], azimuth, np.hypot(x_m, y_m))
        return float(lon[0]), float(lat[0])

    def to_xy(self, anchor: int, lon: float, lat: float) -> tuple[float, float]:
        azimuth, distance = geodesic_inverse(self.lon[anchor], self.lat[anchor], lon, lat)
        a = np.radians(azimuth[0])
        return float(distance[0] * np.sin(a)), float(distance[0] * np.cos(a))


@functools.lru_cache(maxsize=16)
def _width(array: SensorArray, radius_m: float) -> int:
    if not len(array.ids):
        return 1
    xy = array.nb_xy
    inside = (array.nb >= 0) & (np.hypot(xy[:, :, 0], xy[:, :, 1]) <= radius_m)
    return int(inside.sum(axis=1).max())


def build_array(
    ids: Sequence[str],
    lon: Sequence[float],
    lat: Sequence[float],
    range_m: Sequence[float],
    neighbour_m: float = NEIGHBOUR_M,
) -> SensorArray:
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    n = len(ids)
    if n == 0:
        empty = np.zeros((0, 1), dtype=np.int64)
        return SensorArray((), lon_a, lat_a, np.asarray(range_m, float), empty,
                           np.zeros((0, 1, 2)), np.zeros(0, np.int64))  # fmt: skip
    projection = LocalProjection.for_bounds(lon_a.min(), lat_a.min(), lon_a.max(), lat_a.max())
    xy = np.column_stack(projection.to_xy(lon_a, lat_a))
    # the projection's scale error is under 0.1 %: a margin finds every true neighbour
    groups = cKDTree(xy).query_ball_point(xy, neighbour_m * 1.01)
    lists = []
    for s, group in enumerate(groups):
        others = np.array([g for g in group if g != s], dtype=np.int64)
        azimuth, distance = geodesic_inverse(lon_a[s], lat_a[s], lon_a[others], lat_a[others])
        keep = distance <= neighbour_m
        order = np.argsort(distance[keep], kind="stable")
        lists.append((others[keep][order], azimuth[keep][order], distance[keep][order]))
    width = 1 + max(len(found) for found, _, _ in lists)
    nb = np.full((n, width), -1, dtype=np.int64)
    nb_xy = np.zeros((n, width, 2))
    count = np.zeros(n, dtype=np.int64)
    for s, (found, azimuth, distance) in enumerate(lists):
        nb[s, 0] = s
        nb[s, 1 : 1 + len(found)] = found
        a = np.radians(azimuth)
        nb_xy[s, 1 : 1 + len(found), 0] = distance * np.sin(a)
        nb_xy[s, 1 : 1 + len(found), 1] = distance * np.cos(a)
        count[s] = 1 + len(found)
    return SensorArray(tuple(ids), lon_a, lat_a, np.asarray(range_m, float), nb, nb_xy, count)


def read_sensors(path: Path) -> SensorArray:
    """The picking sensors of a ``sensors.geojson`` registry (FORMATS.md)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{path}: cannot read the sensor registry ({exc}); give a GeoJSON file"
        ) from exc
    features = document.get("features") if isinstance(document, Mapping) else None
    if not isinstance(features, list):
        raise InputError(
            f"{path}: not a GeoJSON FeatureCollection; see FORMATS.md, sensors.geojson"
        )
    return array_from_features(features, where=str(path))


def array_from_features(features: Sequence[Any], *, where: str = "sensors") -> SensorArray:
    ids: list[str] = []
    lons: list[float] = []
    lats: list[float] = []
    ranges: list[float] = []
    for n, feature in enumerate(features, start=1):
        props = feature.get("properties") or {} if isinstance(feature, Mapping) else {}
        if props.get("kind", "acoustic") not in PICKING_KINDS:
            continue
        geometry = feature.get("geometry") or {}
        coords = geometry.get("coordinates") if isinstance(geometry, Mapping) else None
        sensor_id = props.get("sensor_id")
        if not isinstance(sensor_id, str) or not sensor_id:
            raise InputError(f"{where}: feature {n} has no sensor_id; add it to its properties")
        if geometry.get("type") != "Point" or not isinstance(coords, list) or len(coords) < 2:
            raise InputError(
                f"{where}: sensor {sensor_id} (feature {n}) has no Point position; "
                'give geometry {"type": "Point", "coordinates": [lon, lat]}'
            )
        ids.append(sensor_id)
        lons.append(float(coords[0]))
        lats.append(float(coords[1]))
        ranges.append(float(props.get("range_m") or DEFAULT_RANGE_M))
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise InputError(f"{where}: sensor ids listed twice: {', '.join(twice[:5])}; keep one each")
    return build_array(ids, lons, lats, ranges)
