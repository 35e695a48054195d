"""Reading control maps (GeoJSON of the occupied area) and writing line changes as evidence.

Reading works over text, never the disk, and every error names the source and the fix. The
country outline used for clipping is the project's own basemap (geoBoundaries ADM1 oblasts,
clipped to land), so polygons that raw DeepStateMap files carry outside Ukraine fall away.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from ceasewatch.agreement.line_diff import LineChange, LineDiff, rounded
from ceasewatch.errors import InputError

LONLAT_CRS = ("CRS84", "EPSG::4326", "EPSG:4326", "WGS84", "WGS 84")
FORMAT = "ceasewatch.line-change/1"


def _geometries(document: Any, source: str) -> list[dict[str, Any]]:
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise InputError(f"{source}: a FeatureCollection without a 'features' list")
        return [g for f in features for g in _geometries(f, source)]
    if kind == "Feature":
        geometry = document.get("geometry")
        return [geometry] if isinstance(geometry, dict) else []
    if kind == "GeometryCollection":
        return [g for part in document.get("geometries") or [] for g in _geometries(part, source)]
    if isinstance(kind, str):
        return [document]
    raise InputError(
        f"{source}: not GeoJSON (no 'type' at the top). Fix: give a GeoJSON Feature, "
        "FeatureCollection or geometry of the occupied area, in lon/lat"
    )


def _check_crs(document: Any, source: str) -> None:
    crs = document.get("crs") if isinstance(document, dict) else None
    if not isinstance(crs, dict):
        return
    name = str((crs.get("properties") or {}).get("name", ""))
    if not any(name.upper().endswith(tag.upper()) for tag in LONLAT_CRS):
        raise InputError(
            f"{source}: CRS {name!r} is not lon/lat. Fix: reproject to WGS84 lon/lat "
            "(e.g. ogr2ogr -t_srs CRS:84 out.geojson in.geojson)"
        )


def read_occupied(text: str, source: str) -> BaseGeometry:
    """The occupied area in a GeoJSON text, as one (multi)polygon in lon/lat."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{source}:{error.lineno}:{error.colno}: not JSON ({error.msg}). "
            "Fix: give a GeoJSON file of the occupied area"
        ) from None
    _check_crs(document, source)
    polygons = []
    for index, geometry in enumerate(_geometries(document, source)):
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        try:
            polygons.append(shapely.make_valid(shape(geometry)))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
            raise InputError(
                f"{source}: polygon {index} is malformed ({error}). "
                "Fix: repair the coordinates (each ring a closed list of [lon, lat])"
            ) from None
    if not polygons:
        raise InputError(
            f"{source}: no Polygon or MultiPolygon. Fix: give the occupied area as polygons "
            "(a line or points cannot be compared)"
        )
    area = shapely.union_all(polygons)
    min_x, min_y, max_x, max_y = area.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        raise InputError(
            f"{source}: coordinates {area.bounds} are not lon/lat degrees (projected?). "
            "Fix: reproject to WGS84 lon/lat, longitude first"
        )
    return area


def map_date(source: str) -> str:
    """The date in a map's file name (deepstatemap_data_20251231 → 2025-12-31), or ""."""
    found = re.search(r"(20\d\d)(\d\d)(\d\d)", source)
    return f"{found[1]}-{found[2]}-{found[3]}" if found else ""


@lru_cache(maxsize=1)
def oblasts() -> tuple[tuple[str, BaseGeometry], ...]:
    """The oblasts of Ukraine from the project's basemap (geoBoundaries, clipped to land)."""
    text = (
        resources.files("ceasewatch.data")
        .joinpath("basemap/ukraine-oblasts.geojson")
        .read_text(encoding="utf-8")
    )
    return tuple(
        (str(f["properties"].get("name", "")), shapely.make_valid(shape(f["geometry"])))
        for f in json.loads(text)["features"]
    )


@lru_cache(maxsize=1)
def ukraine() -> BaseGeometry:
    """The country outline: the union of the oblasts."""
    return shapely.union_all([geometry for _name, geometry in oblasts()])


def change_feature(change: LineChange, diff: LineDiff) -> dict[str, Any]:
    """A change as a GeoJSON Feature an adjudication rule can take as evidence."""
    return {
        "type": "Feature",
        "id": change.change_id,
        "properties": {
            "format": FORMAT,
            "change_id": change.change_id,
            "kind": "line_change",
            "party_gained": change.party_gained,
            "party_lost": change.party_lost,
            "area_km2": round(change.area_km2, 4),
            "position": [change.lon, change.lat],
            "place": change.place,
            "oblast": change.oblast,
            "depth_m": change.depth_m,
            "front_m": change.front_m,
            "mean_width_m": change.mean_width_m,
            "max_width_m": change.max_width_m,
            "t_from": diff.t_from,
            "t_to": diff.t_to,
            "sliver_half_width_m": diff.sliver_half_width_m,
            "min_area_km2": diff.min_area_km2,
        },
        "geometry": mapping(rounded(change.geometry)),
    }


def diff_summary(diff: LineDiff) -> dict[str, Any]:
    """The area accounting of a diff (km², rounded to 0.001)."""

    def tally(t: Any) -> dict[str, Any]:
        return {
            "raw_km2": round(t.raw_km2, 3),
            "noise_km2": round(t.noise_km2, 3),
            "small_km2": round(t.small_km2, 3),
            "small_count": t.small_count,
            "reported_km2": round(t.reported_km2, 3),
        }

    return {
        "t_from": diff.t_from,
        "t_to": diff.t_to,
        "changes": len(diff.changes),
        "area_old_km2": round(diff.area_old_km2, 3),
        "area_new_km2": round(diff.area_new_km2, 3),
        "occupied_change_km2": round(diff.occupied_change_km2, 3),
        f"{diff.occupier}_gained": tally(diff.occupier_gained),
        f"{diff.other}_gained": tally(diff.other_gained),
        "net_km2": round(diff.net_km2, 3),
        "residual_km2": round(diff.residual_km2, 3),
    }


def changes_collection(diff: LineDiff) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "properties": diff_summary(diff),
        "features": [change_feature(c, diff) for c in diff.changes],
    }
