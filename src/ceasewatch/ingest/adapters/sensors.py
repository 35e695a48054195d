"""The sensor registry — ``sensors.geojson`` (FORMATS.md).

A GeoJSON FeatureCollection; each feature is a record (``Accepted.record`` is the whole Feature,
``raw`` its exact bytes, ``line`` the line where it starts). A feature needs ``"type": "Feature"``,
a Point geometry ([lon, lat] or [lon, lat, elev_m]) and the properties ``sensor_id``, ``kind``
(acoustic | radar | uav | camera | satellite | observer) and ``owner``. Optional properties,
checked when given: ``elev_m``, ``range_m`` (0 or more), ``commissioned`` and ``decommissioned``
(times; decommissioned after commissioned), ``public_key`` (base64 of a 32-byte Ed25519 public
key, against which the log verifies the sensor's signed records). Registry entries are not
signed by sensors. Source time: ``commissioned``, or ``None``.

An empty file (or only white space) holds no records. A bad feature is rejected alone, its
``field`` a JSON pointer such as ``features/17/properties/kind``. Problems of the document itself
are rejections whose ``field`` does not start with ``features/``: when nothing could be read (not
JSON, not a FeatureCollection) one rejection with ``field`` ``""`` covers the whole file and its
``raw`` is the whole file; otherwise (cut short, text after the end, a member given twice)
``raw`` is empty and the features read stand. :func:`is_whole_document` tells the first case.
See :mod:`.geojson_scan` for how a broken feature is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ceasewatch.ingest.adapters import checks as c
from ceasewatch.ingest.adapters.geojson_scan import DocumentProblem, Element, Positions, scan
from ceasewatch.ingest.adapters.jsonl import BOM, basename
from ceasewatch.ingest.adapters.strict_json import StrictJson, pointer, shorten
from ceasewatch.ingest.base import MAX_RECORD_BYTES, Accepted, Rejected

SENSOR_KINDS = ("acoustic", "radar", "uav", "camera", "satellite", "observer")
SUFFIXES = (".geojson", ".json")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class SensorsAdapter:
    """Reads ``sensors.geojson`` (see the module docstring)."""

    kind: str = "sensors"

    def sniff_name(self, filename: str) -> bool:
        """``sensors*.geojson`` (or ``.json``)."""
        name = basename(filename)
        return name.startswith("sensors") and name.endswith(SUFFIXES)

    def sniff_content(self, head: bytes) -> bool:
        """A JSON object that mentions a FeatureCollection and ``sensor_id`` near its start."""
        text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
        return text.startswith("{") and '"FeatureCollection"' in text and '"sensor_id"' in text

    def sniff(self, filename: str, head: bytes) -> bool:
        return self.sniff_name(filename) or self.sniff_content(head)

    def parse(self, data: bytes) -> Iterator[Accepted | Rejected]:
        body = data[len(BOM) :] if data.startswith(BOM) else data
        text = body.decode("utf-8", "surrogateescape")
        positions = Positions(text)
        for found in scan(text, StrictJson()):
            if isinstance(found, DocumentProblem):
                yield self._document(found, positions, data)
                continue
            byte_start, line = positions.byte_and_line(found.start)
            byte_end, _ = positions.byte_and_line(found.end)
            yield self._feature(found, body[byte_start:byte_end], line, text)

    def _document(self, problem: DocumentProblem, positions: Positions, data: bytes) -> Rejected:
        line, column = positions.line_and_column(problem.position)
        return Rejected(
            self.kind,
            line,
            problem.field,
            f"{problem.reason} (line {line} column {column})",
            problem.fix,
            data if problem.whole else b"",
            None,
        )

    def _feature(self, element: Element, raw: bytes, line: int, text: str) -> Accepted | Rejected:
        where = f"features/{element.index}"
        value = element.value
        record_id = _sensor_id(value)

        def reject(field: str, reason: str, fix: str) -> Rejected:
            return Rejected(self.kind, line, field, reason, fix, raw, record_id)

        if element.error is not None:
            return reject(where, f"the feature is not JSON: {element.error}", _FIX_FEATURE)
        if len(raw) > MAX_RECORD_BYTES:
            size = f"the feature is {len(raw):,} bytes; the limit is {MAX_RECORD_BYTES:,} bytes"
            return reject(where, size, "keep bulky content out of the registry")
        if _ESCAPED_BYTE.search(text, element.start, element.end):
            return reject(where, "the feature is not valid UTF-8", "save the file as UTF-8")
        if element.issue is not None:
            issue = element.issue
            return reject(f"{where}/{pointer(issue.path)}", issue.reason, issue.fix)
        try:
            sensor_id, commissioned, signed = _check_feature(value)
        except c.Bad as bad:
            field = _INDEX.sub(r"/\1", bad.field)
            return reject(f"{where}/{field}" if field else where, bad.reason, bad.fix)
        return Accepted(self.kind, sensor_id, value, raw, line, commissioned, signed)


_FIX_FEATURE = (
    'write each sensor as {"type": "Feature", "geometry": {"type": "Point", "coordinates": '
    '[lon, lat]}, "properties": {"sensor_id": …, "kind": …, "owner": …}}'
)


def _sensor_id(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("properties"), dict):
        sensor_id = value["properties"].get("sensor_id")
        if isinstance(sensor_id, str) and sensor_id:
            return shorten(sensor_id, 200)
    return None


def _check_feature(value: Any) -> tuple[str, int | None, str | None]:
    """Check one feature; return its sensor id, commissioning time and signature.

    Fields named in :class:`~checks.Bad` are relative to the feature.
    """
    if not isinstance(value, dict):
        raise c.Bad("", f"the feature is {c.json_type(value)}, not an object", _FIX_FEATURE)
    if value.get("type") != "Feature":
        raise c.Bad("type", f'{c.show(value.get("type"))} is not "Feature"', _FIX_FEATURE)
    geometry = value.get("geometry")
    if not isinstance(geometry, dict):
        raise c.Bad("geometry", f"must be a Point, not {c.json_type(geometry)}", _FIX_FEATURE)
    if geometry.get("type") != "Point":
        got = c.show(geometry.get("type"))
        raise c.Bad("geometry/type", f"{got} is not a Point", "give each sensor a Point geometry")
    if "coordinates" not in geometry:
        raise c.Bad("geometry/coordinates", "is missing", "add [lon, lat] coordinates")
    c.coordinates(geometry["coordinates"], "geometry/coordinates")
    properties = value.get("properties")
    if not isinstance(properties, dict):
        got = c.json_type(properties)
        raise c.Bad("properties", f"must be an object, not {got}", _FIX_FEATURE)
    try:
        return _check_properties(properties)
    except c.Bad as bad:
        raise c.Bad(f"properties/{bad.field}", bad.reason, bad.fix) from None


def _check_properties(properties: c.Record) -> tuple[str, int | None, str | None]:
    sensor_id = c.ident(properties, "sensor_id")
    c.choice(properties, "kind", SENSOR_KINDS, required=True)
    c.ident(properties, "owner")
    c.number(properties, "elev_m")
    c.number(properties, "range_m", minimum=0)
    commissioned = c.optional_time(properties, "commissioned")
    decommissioned = c.optional_time(properties, "decommissioned")
    if commissioned is not None and decommissioned is not None and decommissioned <= commissioned:
        raise c.Bad(
            "decommissioned",
            f"{properties['decommissioned']} is not after commissioned "
            f"{properties['commissioned']}",
            "check the two times (a sensor is decommissioned after it is commissioned)",
        )
    c.base64_bytes(properties, "public_key", c.PUBLIC_KEY_BYTES, "Ed25519 public key")
    return sensor_id, commissioned, None


def is_whole_document(rejected: Rejected) -> bool:
    """Is this the one rejection of a sensors file that could not be read at all?"""
    return rejected.kind == "sensors" and rejected.field == "" and bool(rejected.raw)


ADAPTER = SensorsAdapter()
