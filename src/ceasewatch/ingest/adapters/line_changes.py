"""Changes of the line of control — ``line-changes.jsonl``, what ``ceasewatch line diff --json``
writes (docs/formats-extra.md).

One GeoJSON Feature per line: ``"type": "Feature"``, ``id`` (the change id), a Polygon or
MultiPolygon ``geometry`` (the ground that changed hands) and ``properties`` with ``format``
``ceasewatch.line-change/1``, ``change_id`` (the same as ``id``), ``party_gained``, ``area_km2``
(above 0), ``position`` ([lon, lat], a point inside the area) and ``t_to`` (the day of the newer
map, YYYY-MM-DD). Optional, checked when given: ``party_lost``, ``t_from`` (the older map's day,
before ``t_to``), ``place``, ``oblast``. Source time: midnight UTC of ``t_to``.

Once in the log, a change is evidence like any record: ``replay`` and ``reprocess`` judge it
under the rules that forbid crossing (:mod:`ceasewatch.adjudication.line_crossing`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ceasewatch.ingest.adapters import checks as c
from ceasewatch.ingest.adapters.jsonl import JsonLinesAdapter, basename, first_object

FORMAT = "ceasewatch.line-change/1"  # the same as ceasewatch.agreement.line_read.FORMAT
AREAS = ("Polygon", "MultiPolygon")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIX = "write the changes with ceasewatch line diff OLD NEW --json FILE"


def validate(record: c.Record) -> c.Checked:
    """Check one change; raise :class:`~checks.Bad` for its first problem."""
    if record.get("type") != "Feature":
        raise c.Bad("type", f'{c.show(record.get("type"))} is not "Feature"', _FIX)
    change_id = c.ident(record, "id")
    geometry = record.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in AREAS:
        kind = geometry.get("type") if isinstance(geometry, dict) else c.json_type(geometry)
        raise c.Bad("geometry", f"must be a Polygon or MultiPolygon, not {c.show(kind)}", _FIX)
    if not isinstance(geometry.get("coordinates"), list) or not geometry["coordinates"]:
        raise c.Bad("geometry/coordinates", "is missing or empty", _FIX)
    properties = record.get("properties")
    if not isinstance(properties, dict):
        raise c.Bad("properties", f"must be an object, not {c.json_type(properties)}", _FIX)
    try:
        t_to = _properties(properties, change_id)
    except c.Bad as bad:
        raise c.Bad(f"properties/{bad.field}", bad.reason, bad.fix) from None
    return c.Checked(change_id, t_to, None)


def _properties(properties: c.Record, change_id: str) -> int:
    if properties.get("format") != FORMAT:
        raise c.Bad("format", f"{c.show(properties.get('format'))} is not {FORMAT!r}", _FIX)
    if c.ident(properties, "change_id") != change_id:
        raise c.Bad(
            "change_id",
            f"{c.show(properties['change_id'])} differs from the feature's id {c.show(change_id)}",
            "give the feature's id and properties.change_id the same value",
        )
    c.ident(properties, "party_gained")
    c.optional_ident(properties, "party_lost")
    area = c.number(properties, "area_km2")
    if area is None or area <= 0:
        raise c.Bad("area_km2", f"{c.show(properties.get('area_km2'))} is not above 0", _FIX)
    c.position(properties, "position")
    c.text(properties, "place")
    c.text(properties, "oblast")
    t_to = _day(properties, "t_to")
    if c.given(properties, "t_from") and _day(properties, "t_from") >= t_to:
        raise c.Bad(
            "t_from",
            f"{properties['t_from']} is not before t_to {properties['t_to']}",
            "give the older map's day as t_from and the newer one's as t_to",
        )
    return t_to


def _day(record: c.Record, name: str) -> int:
    value = c.need(record, name)
    fix = "write the map's day as YYYY-MM-DD, e.g. 2025-12-31"
    if not isinstance(value, str):
        raise c.Bad(name, f"must be a date string, not {c.json_type(value)}", fix)
    if not _DAY.fullmatch(value):
        raise c.Bad(name, f"{c.show(value)} is not a plain YYYY-MM-DD date", fix)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise c.Bad(name, f"{c.show(value)} is not a real calendar date", fix) from None
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1_000_000_000


@dataclass(frozen=True)
class LineChangesAdapter(JsonLinesAdapter):
    """``line-changes*.jsonl``; by content, a first line that names the line-change format."""

    def sniff_name(self, filename: str) -> bool:
        name = basename(filename)
        return name.startswith(("line-changes", "line_changes")) and name.endswith(".jsonl")

    def sniff_content(self, head: bytes) -> bool:
        first = first_object(head)
        properties = first.get("properties") if first is not None else None
        return isinstance(properties, dict) and properties.get("format") == FORMAT


ADAPTER = LineChangesAdapter("line-changes", "id", validate)
