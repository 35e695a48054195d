"""GeoJSON files referenced by an agreement: load, check, and hand out features by id.

An agreement refers to geometry by feature id (``area: ua-held``, resolved in the document's
default ``geometry`` file) or explicitly (``area: {file: zones.geojson, feature: zone-a}``).
Problems inside a GeoJSON file are located by RFC 6901 JSON pointer (``#/features/3/geometry``);
a bad reference is located at its place in the YAML.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import shapely
from shapely.geometry import LinearRing, MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from ceasewatch.agreement.reader import Context
from ceasewatch.agreement.yamldoc import Path, pointer
from ceasewatch.errors import Problem

POLYGONAL = ("Polygon", "MultiPolygon")
_REASON = re.compile(r"^(?P<what>[^\[]+)\[(?P<x>[-0-9.eE+]+) (?P<y>[-0-9.eE+]+)\]$")


@dataclass(frozen=True)
class Feature:
    id: str
    geometry: BaseGeometry
    file: str
    pointer: str


class GeometryFiles:
    """The GeoJSON files of one agreement, loaded on first use and checked once."""

    def __init__(self, ctx: Context, base_dir: FsPath, default_file: str | None) -> None:
        self.ctx = ctx
        self.base_dir = base_dir
        self.default_file = default_file
        self.digests: dict[str, str] = {}  # file name -> sha256 hex of its bytes
        self._features: dict[str, dict[str, Feature] | None] = {}

    def resolve(self, path: Path, ref: Any, allowed: tuple[str, ...]) -> Feature | None:
        """The feature a reference names, or None after recording why not."""
        if isinstance(ref, str):
            file_name, feature_id = self.default_file, ref
            if file_name is None:
                self.ctx.problem(
                    "bad-reference",
                    path,
                    f"{pointer(path)}: feature {ref!r} is named, but the document has no "
                    "default 'geometry' file.",
                    "add 'geometry: <file>.geojson' at the top, or write "
                    "{file: <file>.geojson, feature: <id>}.",
                )
                return None
        elif (
            isinstance(ref, dict)
            and set(ref) == {"file", "feature"}
            and all(isinstance(v, str) for v in ref.values())
        ):
            file_name, feature_id = ref["file"], ref["feature"]
        else:
            self.ctx.problem(
                "wrong-type",
                path,
                f"{pointer(path)}: a geometry reference is a feature id or "
                "{file: ..., feature: ...}.",
                "write the id of a feature in the geometry file, e.g. 'area: ua-held'.",
            )
            return None
        features = self._load(path, file_name)
        if features is None:
            return None
        feature = features.get(feature_id)
        if feature is None:
            known = ", ".join(sorted(features)) or "none"
            self.ctx.problem(
                "bad-reference",
                path,
                f"{pointer(path)}: no feature with id {feature_id!r} in {file_name}.",
                f"use one of: {known}.",
            )
            return None
        if feature.geometry.geom_type not in allowed:
            self.ctx.problem(
                "wrong-geometry-type",
                path,
                f"{pointer(path)}: feature {feature_id!r} is a {feature.geometry.geom_type}, "
                f"but a {' or '.join(allowed)} is needed here.",
                "reference a feature of the right geometry type.",
            )
            return None
        return feature

    def _load(self, path: Path, file_name: str) -> dict[str, Feature] | None:
        if file_name in self._features:
            return self._features[file_name]
        self._features[file_name] = None
        location = self.base_dir / file_name
        try:
            data = location.read_bytes()
        except OSError as exc:
            self.ctx.problem(
                "file-not-found",
                path,
                f"{pointer(path)}: cannot read geometry file {file_name!r} ({exc.strerror}).",
                f"put {file_name} next to the agreement document ({self.base_dir}).",
            )
            return None
        self.digests[file_name] = hashlib.sha256(data).hexdigest()
        shown = str(location)
        try:
            document = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
        except UnicodeDecodeError as exc:
            self._geo_problem(
                shown, "", "geojson-syntax", f"not UTF-8 ({exc.reason}).", "save the file as UTF-8."
            )
            return None
        except json.JSONDecodeError as exc:
            self.ctx.problems.append(
                Problem(
                    shown,
                    "geojson-syntax",
                    f"invalid JSON: {exc.msg}.",
                    "fix the JSON at this place.",
                    exc.lineno,
                    exc.colno,
                )
            )
            return None
        except ValueError as exc:
            self._geo_problem(shown, "", "geojson-syntax", f"{exc}.", "use finite numbers only.")
            return None
        features = self._features_of(shown, document)
        self._features[file_name] = features
        return features

    def _features_of(self, shown: str, document: Any) -> dict[str, Feature] | None:
        if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
            self._geo_problem(
                shown,
                "",
                "geojson-structure",
                "the file is not a GeoJSON FeatureCollection.",
                "wrap the geometries as features in "
                '{"type": "FeatureCollection", "features": [...]}.',
            )
            return None
        raw = document.get("features")
        if not isinstance(raw, list):
            self._geo_problem(
                shown,
                "/features",
                "geojson-structure",
                "'features' must be a list.",
                "write a list of Feature objects.",
            )
            return None
        found: dict[str, Feature] = {}
        for index, item in enumerate(raw):
            where = f"/features/{index}"
            properties = item.get("properties") if isinstance(item, dict) else None
            feature_id = properties.get("id") if isinstance(properties, dict) else None
            if not isinstance(feature_id, str) or not feature_id:
                self._geo_problem(
                    shown,
                    f"{where}/properties",
                    "geojson-structure",
                    "feature has no string 'id' in its properties.",
                    'add "id": "<name>" to its properties.',
                )
                continue
            if feature_id in found:
                self._geo_problem(
                    shown,
                    f"{where}/properties/id",
                    "duplicate-id",
                    f"feature id {feature_id!r} is used twice "
                    f"(first at {found[feature_id].pointer}).",
                    "give every feature its own id.",
                )
                continue
            geometry = self._geometry(shown, f"{where}/geometry", item.get("geometry"))
            if geometry is not None:
                found[feature_id] = Feature(feature_id, geometry, shown, where)
        return found

    def _geometry(self, shown: str, where: str, raw: Any) -> BaseGeometry | None:
        kind = raw.get("type") if isinstance(raw, dict) else None
        if kind not in ("Point", "LineString", "Polygon", "MultiPolygon"):
            self._geo_problem(
                shown,
                where,
                "geojson-structure",
                f"unsupported or missing geometry type {kind!r}.",
                "use Point, LineString, Polygon or MultiPolygon.",
            )
            return None
        coords = raw.get("coordinates")
        depth = {"Point": 0, "LineString": 1, "Polygon": 2, "MultiPolygon": 3}[kind]
        if not self._positions_ok(shown, f"{where}/coordinates", coords, depth):
            return None
        if kind in POLYGONAL and not self._rings_ok(shown, where, kind, coords):
            return None
        geometry = shape(raw)
        if not geometry.is_valid:
            self._invalid(shown, where, kind, coords, shapely.is_valid_reason(geometry))
            return None
        if kind == "Polygon":
            geometry = MultiPolygon([geometry])
        return geometry

    def _positions_ok(self, shown: str, where: str, coords: Any, depth: int) -> bool:
        if depth == 0:
            ok = (
                isinstance(coords, list)
                and len(coords) in (2, 3)
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in coords)
            )
            if not ok:
                self._geo_problem(
                    shown,
                    where,
                    "geojson-structure",
                    f"a position must be [longitude, latitude], got {coords!r}.",
                    "write two numbers, longitude first.",
                )
                return False
            lon, lat = coords[0], coords[1]
            if not (
                math.isfinite(lon)
                and math.isfinite(lat)
                and -180 <= lon <= 180
                and -90 <= lat <= 90
            ):
                swapped = -90 <= lon <= 90 and -180 <= lat <= 180
                self._geo_problem(
                    shown,
                    where,
                    "bad-coordinates",
                    f"[{lon}, {lat}] is not a valid longitude/latitude.",
                    "GeoJSON is longitude first; "
                    + ("swap the numbers." if swapped else "check the numbers."),
                )
                return False
            return True
        if not isinstance(coords, list) or not coords:
            self._geo_problem(
                shown,
                where,
                "geojson-structure",
                "expected a non-empty list of coordinates.",
                "check the nesting of the coordinate arrays.",
            )
            return False
        return all(
            self._positions_ok(shown, f"{where}/{i}", item, depth - 1)
            for i, item in enumerate(coords)
        )

    def _rings_ok(self, shown: str, where: str, kind: str, coords: list[Any]) -> bool:
        polygons = [coords] if kind == "Polygon" else coords
        ok = True
        for p_index, rings in enumerate(polygons):
            for r_index, ring in enumerate(rings):
                at = _ring_pointer(where, kind, p_index, r_index)
                if len(ring) < 4:
                    self._geo_problem(
                        shown,
                        at,
                        "invalid-geometry",
                        f"a polygon ring needs at least 4 positions, has {len(ring)}.",
                        "add positions; the last repeats the first.",
                    )
                    ok = False
                elif ring[0][:2] != ring[-1][:2]:
                    self._geo_problem(
                        shown,
                        at,
                        "invalid-geometry",
                        f"the ring is not closed (starts at {ring[0]}, ends at {ring[-1]}).",
                        "repeat the first position at the end.",
                    )
                    ok = False
        return ok

    def _invalid(self, shown: str, where: str, kind: str, coords: Any, reason: str) -> None:
        at = where
        polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
        for p_index, rings in enumerate(polygons):
            for r_index, ring in enumerate(rings):
                if not LinearRing([tuple(p[:2]) for p in ring]).is_simple:
                    at = _ring_pointer(where, kind, p_index, r_index)
                    break
            else:
                continue
            break
        match = _REASON.match(reason)
        if match and "self-intersection" in match["what"].lower():
            self._geo_problem(
                shown,
                at,
                "self-intersection",
                f"the polygon crosses itself near [{float(match['x']):.5f}, "
                f"{float(match['y']):.5f}].",
                "reorder or move the positions so no edge crosses another.",
            )
        else:
            self._geo_problem(
                shown,
                at,
                "invalid-geometry",
                f"invalid geometry: {reason}.",
                "repair the geometry (e.g. in QGIS: Fix geometries).",
            )

    def _geo_problem(self, shown: str, where: str, code: str, message: str, fix: str) -> None:
        self.ctx.problems.append(Problem(shown, code, message, fix, pointer=where or "/"))


def _ring_pointer(where: str, kind: str, polygon: int, ring: int) -> str:
    if kind == "Polygon":
        return f"{where}/coordinates/{ring}"
    return f"{where}/coordinates/{polygon}/{ring}"


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a valid JSON number")


def as_multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    if isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    raise TypeError(f"expected a polygon, got {geometry.geom_type}")


def as_point(geometry: BaseGeometry) -> Point:
    if isinstance(geometry, Point):
        return geometry
    raise TypeError(f"expected a point, got {geometry.geom_type}")
