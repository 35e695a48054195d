"""Where and when each kept result happened: the spatial index beside the results.

A result item whose JSON has a ``position`` ([lon, lat]) and a time (``t_origin`` for events,
``t_start`` for incidents, ``t`` for violations) gets one **place** row when its run is kept:
the point, the time in ns, and the radius of its uncertainty (the ellipse's semi-major axis, 0
when it has none). Items with neither are simply not indexed. Both stores answer the same two
questions from these rows:

- :class:`Near` — the items of a run within ``within_m`` metres of a point (geodesic distance on
  WGS84), nearest first;
- :class:`Inside` — the items of a run inside a polygon (GeoJSON, lon/lat; the boundary counts
  as inside), in time order.

Both take an optional time range ``[since_ns, until_ns)``. PostGIS answers with its GiST index
(``ST_DWithin`` on geography, ``ST_Covers`` on geometry); SQLite narrows with an R*Tree of the
points and finishes here with the same definitions (:func:`answer_near`, :func:`answer_inside`),
so both stores give the same rows (tested on one suite).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ceasewatch.errors import InputError
from ceasewatch.fusion.results import ResultItem
from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.time import parse_ns

TIME_KEYS = ("t_origin", "t_start", "t")
"""Where an item's time is, in the order looked for."""


@dataclass(frozen=True)
class Place:
    """One indexed item: where and when it happened, and how uncertain the where is."""

    kind: str
    seq: int
    item_id: str
    t_ns: int
    lon: float
    lat: float
    radius_m: float


@dataclass(frozen=True)
class Found:
    """A place that answers a query; ``distance_m`` is set for :class:`Near` queries."""

    kind: str
    seq: int
    item_id: str
    t_ns: int
    lon: float
    lat: float
    distance_m: float | None = None


@dataclass(frozen=True)
class Near:
    lon: float
    lat: float
    within_m: float
    since_ns: int | None = None
    until_ns: int | None = None

    def __post_init__(self) -> None:
        check_point(self.lon, self.lat, "the point")
        if not (math.isfinite(self.within_m) and self.within_m >= 0):
            raise InputError(f"distance {self.within_m!r}: give a distance of 0 m or more")


@dataclass(frozen=True)
class Inside:
    geojson: str  # a Polygon or MultiPolygon in lon/lat
    since_ns: int | None = None
    until_ns: int | None = None

    def shape(self) -> BaseGeometry:
        return polygon(self.geojson)


def check_point(lon: float, lat: float, what: str) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(f"{what} ({lon}, {lat}): give longitude then latitude, in degrees")


def polygon(geojson: str) -> BaseGeometry:
    """A GeoJSON polygon, checked: the error says what is wrong and how to fix it."""
    try:
        geometry = shape(json.loads(geojson))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InputError(f"area {geojson[:60]!r}…: not a GeoJSON geometry ({exc})") from exc
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise InputError(f"area: a {geometry.geom_type} has no inside; give a Polygon")
    if not geometry.is_valid:
        raise InputError(
            f"area: the polygon is not valid ({shapely.is_valid_reason(geometry)}); "
            "close its rings and remove self-crossings"
        )
    return geometry


def places_of(items: Iterable[ResultItem]) -> list[Place]:
    """The place rows of a run's items (those with a position and a time)."""
    rows = []
    for item in items:
        place = place_of(item)
        if place is not None:
            rows.append(place)
    return rows


def place_of(item: ResultItem) -> Place | None:
    if '"position"' not in item.body:
        return None
    body: dict[str, Any] = json.loads(item.body)
    position = body.get("position")
    when = next((body[k] for k in TIME_KEYS if isinstance(body.get(k), str)), None)
    if not (isinstance(position, list) and len(position) == 2 and when is not None):
        return None
    lon, lat = float(position[0]), float(position[1])
    ellipse = body.get("ellipse")
    radius = float(ellipse.get("semi_major_m", 0.0)) if isinstance(ellipse, dict) else 0.0
    return Place(item.kind, item.seq, item.item_id, parse_ns(when), lon, lat, radius)


def in_time(t_ns: int, since_ns: int | None, until_ns: int | None) -> bool:
    return (since_ns is None or t_ns >= since_ns) and (until_ns is None or t_ns < until_ns)


def bbox_of_near(query: Near) -> tuple[float, float, float, float]:
    """A lon/lat box that holds every point within ``within_m`` of the query point (generous:
    the SQLite store narrows with it, then measures)."""
    dlat = math.degrees(query.within_m / 6_335_000.0) * 1.01 + 1e-9  # meridian radius minimum
    cos_lat = math.cos(math.radians(min(89.0, abs(query.lat) + dlat)))
    dlon = min(180.0, dlat / max(cos_lat, 1e-6))
    return query.lon - dlon, query.lat - dlat, query.lon + dlon, query.lat + dlat


def answer_near(query: Near, candidates: Sequence[Place]) -> list[Found]:
    """The candidates within the distance and the time range, nearest first (then by seq)."""
    kept = [p for p in candidates if in_time(p.t_ns, query.since_ns, query.until_ns)]
    if not kept:
        return []
    lon = np.array([p.lon for p in kept])
    lat = np.array([p.lat for p in kept])
    distance = geodesic_distance_m(
        np.full_like(lon, query.lon), np.full_like(lat, query.lat), lon, lat
    )
    found = [
        Found(p.kind, p.seq, p.item_id, p.t_ns, p.lon, p.lat, float(d))
        for p, d in zip(kept, np.atleast_1d(distance), strict=True)
        if d <= query.within_m
    ]
    return sorted(found, key=lambda f: (f.distance_m, f.kind, f.seq))


def answer_inside(query: Inside, candidates: Sequence[Place]) -> list[Found]:
    """The candidates covered by the polygon (planar in lon/lat, the boundary included) and in
    the time range, in time order (then by seq)."""
    area = query.shape()
    kept = [p for p in candidates if in_time(p.t_ns, query.since_ns, query.until_ns)]
    if not kept:
        return []
    points = shapely.points([p.lon for p in kept], [p.lat for p in kept])
    covered = shapely.covers(area, points)
    found = [
        Found(p.kind, p.seq, p.item_id, p.t_ns, p.lon, p.lat)
        for p, hit in zip(kept, covered, strict=True)
        if hit
    ]
    return sorted(found, key=lambda f: (f.t_ns, f.kind, f.seq))
