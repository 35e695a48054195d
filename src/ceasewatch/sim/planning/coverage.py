"""Coverage of points by sensors of each kind, vectorised: sensors are found near each point
with a k-d tree in a local projection (only those within reach), then every number is measured
on the ellipsoid (:mod:`ceasewatch.model.geo`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiLineString

from ceasewatch.model.geo import FloatArray, Linework, LocalProjection, geodesic_inverse
from ceasewatch.sim.base import Sensor
from ceasewatch.sim.planning.model import (
    CUTOFF_SHARE,
    detection_probability,
    p_at_least,
    tdoa_error95_m,
)


def _pairs(
    sensors: tuple[Sensor, ...],
    reach_m: FloatArray,
    points: FloatArray,
    projection: LocalProjection,
) -> tuple[np.ndarray, np.ndarray]:
    """(point, sensor) index pairs closer than ``reach_m`` of the sensor (in the projection,
    with 1 % and 1 km of slack for its scale error; callers measure geodesically after)."""
    if not sensors or len(points) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    xy = np.column_stack(
        projection.to_xy(np.array([s.lon for s in sensors]), np.array([s.lat for s in sensors]))
    )
    found = cKDTree(points).query_ball_point(xy, r=reach_m * 1.01 + 1000.0)
    sizes = np.array([len(f) for f in found])
    sensor = np.repeat(np.arange(len(sensors)), sizes)
    point = np.concatenate([np.asarray(f, dtype=np.intp) for f in found]) if sizes.sum() else sensor
    order = np.lexsort((sensor, point))
    return point[order].astype(np.intp), sensor[order].astype(np.intp)


def acoustic_coverage(
    sensors: tuple[Sensor, ...],
    lon: FloatArray,
    lat: FloatArray,
    points: FloatArray,
    projection: LocalProjection,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    count = len(lon)
    range_m = np.array([s.range_m for s in sensors])
    point, sensor = _pairs(sensors, CUTOFF_SHARE * range_m, points, projection)
    if len(point) == 0:
        return np.zeros(count), np.full(count, np.inf), np.zeros(count)
    s_lon = np.array([s.lon for s in sensors])[sensor]
    s_lat = np.array([s.lat for s in sensors])[sensor]
    azimuth, distance = geodesic_inverse(lon[point], lat[point], s_lon, s_lat)
    p = detection_probability(
        distance, range_m[sensor], np.array([s.p_detect for s in sensors])[sensor]
    )
    sigma = np.array([s.t_sigma_s for s in sensors])[sensor]
    # Pad per point: the k-th pair of a point goes to column k.
    first = np.searchsorted(point, np.arange(count))
    slot = np.arange(len(point)) - first[point]
    width = int(slot.max()) + 1
    prob = np.zeros((count, width))
    weight = np.zeros_like(prob)
    east = np.zeros_like(prob)
    north = np.zeros_like(prob)
    prob[point, slot] = p
    weight[point, slot] = p / sigma**2
    east[point, slot] = np.sin(np.radians(azimuth))
    north[point, slot] = np.cos(np.radians(azimuth))
    major, _minor = tdoa_error95_m(weight, east, north)
    return p_at_least(prob), major, prob.sum(axis=1)


def radar_coverage(
    sensors: tuple[Sensor, ...],
    lon: FloatArray,
    lat: FloatArray,
    points: FloatArray,
    projection: LocalProjection,
) -> NDArray[np.bool_]:
    covered = np.zeros(len(lon), dtype=bool)
    range_m = np.array([s.range_m for s in sensors])
    point, sensor = _pairs(sensors, range_m, points, projection)
    if len(point) == 0:
        return covered
    r_lon = np.array([s.lon for s in sensors])[sensor]
    r_lat = np.array([s.lat for s in sensors])[sensor]
    azimuth, distance = geodesic_inverse(r_lon, r_lat, lon[point], lat[point])
    centre = np.array([s.azimuth_deg for s in sensors])[sensor]
    half = np.array([s.sector_deg for s in sensors])[sensor] / 2.0
    off_axis = np.abs((azimuth - centre + 180.0) % 360.0 - 180.0)
    inside = (distance <= range_m[sensor]) & ((off_axis <= half) | (half >= 180.0))
    covered[point[inside]] = True
    return covered


def range_coverage(
    sensors: tuple[Sensor, ...],
    lon: FloatArray,
    lat: FloatArray,
    points: FloatArray,
    projection: LocalProjection,
) -> NDArray[np.bool_]:
    covered = np.zeros(len(lon), dtype=bool)
    range_m = np.array([s.range_m for s in sensors])
    point, sensor = _pairs(sensors, range_m, points, projection)
    if len(point):
        o_lon = np.array([s.lon for s in sensors])[sensor]
        o_lat = np.array([s.lat for s in sensors])[sensor]
        _, distance = geodesic_inverse(o_lon, o_lat, lon[point], lat[point])
        covered[point[distance <= range_m[sensor]]] = True
    return covered


def drone_coverage(
    sensors: tuple[Sensor, ...], lon: FloatArray, lat: FloatArray, projection: LocalProjection
) -> NDArray[np.bool_]:
    covered = np.zeros(len(lon), dtype=bool)
    by_swath: dict[float, list[LineString]] = {}
    for s in sensors:
        if len(s.route) >= 2 and s.swath_m > 0:
            by_swath.setdefault(s.swath_m, []).append(LineString(s.route))
    for swath_m, routes in sorted(by_swath.items()):
        work = Linework([MultiLineString(routes)], projection)
        nearest = work.nearest(lon, lat, max_distance_m=swath_m / 2.0)
        covered |= nearest.distance_m <= swath_m / 2.0
    return covered
