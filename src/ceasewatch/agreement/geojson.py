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
from ceasewatch.agreement.yamldoc import Path, line_column, pointer
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
        self.default_reported = False  # a missing 'geometry' is reported once, at its first use
        # Per file: feature id -> Feature, or None for a feature whose geometry is broken (its
        # problem is reported in the GeoJSON file, so references to it report nothing more).
        self._features: dict[str, dict[str, Feature | None] | None] = {}

    def resolve(self, path: Path, ref: Any, allowed: tuple[str, ...]) -> Feature | None:
        """The feature a reference names, or None after recording why not.

        The reason is recorded once: at the reference in the YAML, or, when the file or the
        feature itself is broken, in the GeoJSON file.
        """
        if isinstance(ref, str):
            file_name, feature_id = self.default_file, ref
            if file_name is None:
                if self.default_reported:
                    return None
                self.default_reported = True
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
        # A default file that cannot be read is reported where it is named, once.
        features = self._load(path if isinstance(ref, dict) else ("geometry",), file_name)
        if features is None:
            return None
        if feature_id in features and features[feature_id] is None:
            return None
        feature = features.get(feature_id)
        if feature is None:
            known = ", ".join(sorted(k for k, v in features.items() if v)) or "none"
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

    def _load(self, path: Path, file_name: str) -> dict[str, Feature | None] | None:
        if file_name in self._features:
            return self._features[file_name]
        self._features[file_name] = None
        location = self.base_dir / file_name
        if not location.resolve().is_relative_to(self.base_dir.resolve()):
            # The digest covers the files beside the document; a file elsewhere could change
            # without anyone noticing that the agreement changed with it.
            self.ctx.problem(
                "bad-reference",
                path,
                f"{pointer(path)}: geometry file {file_name!r} lies outside the agreement's "
                "folder.",
                f"copy it next to the agreement document ({self.base_dir}) and name it there.",
            )
            return None
        try:
            data = location.read_bytes()
        except OSError as exc:
            self.ctx.problem(
                "file-not-found",
                path,
                f"{pointer(path)}: cannot read geometry file {file_name!r} ({exc.strerror}).",
                f"put {file_name} next to the agreement document ({self.base_dir}), "
                "or correct the name.",
            )
            return None
        self.digests[file_name] = hashlib.sha256(data).hexdigest()
        shown = str(location)
        document = self._decode(shown, data)
        if document is _UNREADABLE:
            return None
        features = self._features_of(shown, document)
        self._features[file_name] = features
        return features

    def _decode(self, shown: str, data: bytes) -> Any:
        """The JSON document in ``data``, or ``_UNREADABLE`` after recording why not."""
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line, column = line_column(data[: exc.start].decode("utf-8", "replace"), exc.start)
            self.ctx.problems.append(
                Problem(
                    shown,
                    "geojson-syntax",
                    f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} here).",
                    "save the file as UTF-8 (GeoJSON is UTF-8 by definition, RFC 7946).",
                    line,
                    column,
                )
            )
            return _UNREADABLE
        try:
            document = json.loads(text, parse_constant=float)
        except json.JSONDecodeError as exc:
            self.ctx.problems.append(_json_problem(shown, text, exc))
            return _UNREADABLE
        for where, number in _non_finite(document, ""):
            self._geo_problem(
                shown,
                where,
                "geojson-syntax",
                f"{_JSON_CONSTANT.get(str(number), number)} is not a valid JSON number.",
                "write a finite number: JSON has no NaN or Infinity.",
            )
        return document

    def _features_of(self, shown: str, document: Any) -> dict[str, Feature | None] | None:
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
        found: dict[str, Feature | None] = {}
        first: dict[str, str] = {}
        for index, item in enumerate(raw):
            where = f"/features/{index}"
            properties = item.get("properties") if isinstance(item, dict) else None
            feature_id = properties.get("id") if isinstance(properties, dict) else None
            if not isinstance(feature_id, str) or not feature_id:
                self._no_id(shown, where, item)
                continue
            if feature_id in first:
                self._geo_problem(
                    shown,
                    f"{where}/properties/id",
                    "duplicate-id",
                    f"feature id {feature_id!r} is used twice (first at {first[feature_id]}).",
                    "give every feature its own id.",
                )
                continue
            first[feature_id] = where
            geometry = self._geometry(shown, f"{where}/geometry", item.get("geometry"))
            found[feature_id] = Feature(feature_id, geometry, shown, where) if geometry else None
        return found

    def _no_id(self, shown: str, where: str, item: Any) -> None:
        if not isinstance(item, dict):
            message, fix = "this is not a Feature object.", '{"type": "Feature", ...}'
            self._geo_problem(shown, where, "geojson-structure", message, f"write {fix}.")
            return
        fix = 'add "id": "<name>" to its properties.'
        if isinstance(item.get("id"), str):
            fix = f'move "id": {json.dumps(item["id"])} into "properties".'
        self._geo_problem(
            shown,
            f"{where}/properties",
            "geojson-structure",
            "the feature has no string 'id' in its properties, so it cannot be referenced.",
            fix,
        )

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
        """Check every position (all are reported); non-finite numbers were reported already."""
        if depth > 0:
            if not isinstance(coords, list) or not coords:
                self._geo_problem(
                    shown,
                    where,
                    "geojson-structure",
                    "expected a non-empty list of coordinates.",
                    "check the nesting of the coordinate arrays.",
                )
                return False
            results = [
                self._positions_ok(shown, f"{where}/{i}", item, depth - 1)
                for i, item in enumerate(coords)
            ]
            return all(results)
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
                f"a position must be [longitude, latitude], got {json.dumps(coords)}.",
                "write two numbers, longitude first.",
            )
            return False
        lon, lat = coords[0], coords[1]
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return False
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
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
        match = _REASON.match(reason)
        what = (match["what"] if match else reason).strip().lower()
        near = f"[{float(match['x']):.5f}, {float(match['y']):.5f}]" if match else "(unknown)"
        rings = _rings(where, kind, coords)
        crossing = [at for at, ring in rings if not ring.is_simple]
        if "self-intersection" in what and crossing:
            code, at = "self-intersection", crossing[0]
            message = f"the ring crosses itself near {near}."
            fix = "reorder or move the positions so no edge crosses another."
        elif "self-intersection" in what:
            code, at = "self-intersection", f"{where}/coordinates"
            message = f"two rings of the {kind} cross or overlap near {near}."
            fix = (
                "move the rings apart (a hole must lie inside its polygon, parts must not overlap)."
            )
        else:
            code, at = "invalid-geometry", _ring_near(rings, match, where)
            message, fix = _INVALID.get(what, (f"invalid geometry: {reason}", "repair it"))
            message = message.format(near=near) + "."
            fix = fix + " (in QGIS: Vector > Geometry Tools > Fix Geometries)."
        self._geo_problem(shown, at, code, message, fix)

    def _geo_problem(self, shown: str, where: str, code: str, message: str, fix: str) -> None:
        if not where:  # the whole file: its start (the pointer "/" would name the key "")
            self.ctx.problems.append(Problem(shown, code, message, fix, 1, 1))
            return
        self.ctx.problems.append(Problem(shown, code, message, fix, pointer=where))


def _ring_pointer(where: str, kind: str, polygon: int, ring: int) -> str:
    if kind == "Polygon":
        return f"{where}/coordinates/{ring}"
    return f"{where}/coordinates/{polygon}/{ring}"


def _rings(where: str, kind: str, coords: Any) -> list[tuple[str, LinearRing]]:
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    return [
        (_ring_pointer(where, kind, p, r), LinearRing([tuple(x[:2]) for x in ring]))
        for p, rings in enumerate(polygons)
        for r, ring in enumerate(rings)
    ]


def _ring_near(rings: list[tuple[str, LinearRing]], match: Any, where: str) -> str:
    """The pointer of the last ring through the point GEOS named (holes come after shells)."""
    if match is None:
        return where
    point = Point(float(match["x"]), float(match["y"]))
    touching = [at for at, ring in rings if ring.distance(point) < 1e-9]
    return touching[-1] if touching else where


_INVALID = {
    "hole lies outside shell": (
        "a hole (inner ring) lies outside its outer ring, near {near}",
        "move the hole inside the outer ring, or delete it",
    ),
    "nested holes": (
        "a hole lies inside another hole, near {near}",
        "merge the two holes or delete the inner one",
    ),
    "interior is disconnected": (
        "the holes cut the polygon into pieces, near {near}",
        "make the pieces separate polygons of a MultiPolygon",
    ),
    "nested shells": (
        "one polygon of the MultiPolygon lies inside another, near {near}",
        "make the inner one a hole of the outer, or merge them",
    ),
    "duplicate rings": ("a ring is given twice, near {near}", "delete the copy"),
}
_JSON_CONSTANT = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
_UNREADABLE = object()


def _non_finite(value: Any, where: str) -> list[tuple[str, float]]:
    """JSON pointers of every NaN or infinite number in a decoded JSON document."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [(where, value)]
    if isinstance(value, list):
        items: Any = enumerate(value)
    elif isinstance(value, dict):
        items = value.items()
    else:
        return []
    found: list[tuple[str, float]] = []
    for key, item in items:
        escaped = str(key).replace("~", "~0").replace("/", "~1")
        found.extend(_non_finite(item, f"{where}/{escaped}"))
    return found


def _json_problem(shown: str, text: str, exc: json.JSONDecodeError) -> Problem:
    """A located problem for invalid JSON; a trailing comma is named as such, at the comma."""
    before = text[: exc.pos].rstrip()
    if before.endswith(",") and text[exc.pos : exc.pos + 1] in ("]", "}"):
        line, column = line_column(text, len(before) - 1)
        return Problem(
            shown,
            "geojson-syntax",
            f"invalid JSON: a comma before the closing '{text[exc.pos]}' "
            "(JSON allows no trailing comma).",
            "delete this comma.",
            line,
            column,
        )
    return Problem(
        shown,
        "geojson-syntax",
        f"invalid JSON: {exc.msg}.",
        "fix the JSON at this place (check commas, brackets and double quotes).",
        exc.lineno,
        exc.colno,
    )


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
