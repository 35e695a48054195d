"""Violations and incidents for maps and spreadsheets: ``violations.geojson``,
``incidents.geojson`` and ``violations.csv``.

Pure builders (features and rows from ``violations.jsonl`` and ``incidents.jsonl`` rows) and
thin writers. The GeoJSON is RFC 7946: one Point feature per record, ``[lon, lat]`` rounded to
6 decimals (about 0.1 m), no ``crs`` member; each feature carries its id both as the Feature
``id`` and as the ``id`` property. The CSV is RFC 4180, UTF-8 without BOM, with a header row.
Everything is sorted by time and then id, with a fixed order of fields, so the same verdicts
give the same bytes.

::

    violation_features(violations)  -> [Feature]   (Point at the violation's position)
    incident_features(incidents)    -> [Feature]   (Point at the incident's position)
    violation_rows(violations, parties) -> [row]   (the flat fields; one column per party)
    write_map_exports(out, violations, incidents, agreement) -> the three paths
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ceasewatch.adjudication.types import UNKNOWN
from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.evidence.durable import write_durably
from ceasewatch.model.time import parse_ns

COORDINATE_DIGITS = 6
"""Decimals kept of longitude and latitude: 1e-6° is at most 0.11 m."""

REASON_SEPARATOR = "; "
"""Joins the reasons of the three findings (occurred, responsible, deliberate) into one text."""

VIOLATION_PROPERTIES: tuple[str, ...] = (
    "id", "rule", "t", "place", "sector", "category", "p_occurred", "responsible",
    "most_likely", "p_most_likely", "p_deliberate", "severity", "status", "reasons",
)  # fmt: skip
"""The properties of a feature of ``violations.geojson``, in their order."""

INCIDENT_PROPERTIES: tuple[str, ...] = (
    "id", "kind", "t_start", "t_end", "confidence", "sensor_confidence", "clutter",
    "event_count", "semi_major_m", "semi_minor_m", "azimuth_deg", "firing_position",
)  # fmt: skip
"""The properties of a feature of ``incidents.geojson``, in their order (the ellipse is the 95 %
one; ``firing_position`` is ``[lon, lat]`` or null)."""

FILES = ("violations.geojson", "incidents.geojson", "violations.csv")


def violation_features(violations: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One Point feature per violation (``violations.jsonl`` rows), by time then id."""
    features = []
    for v in _by_time(violations, "violation_id", "t"):
        flat = _flat(v)
        where = f"violation {flat['id']}"
        features.append(_feature(flat["id"], _point(v.get("position"), where), flat))
    return features


def incident_features(incidents: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One Point feature per incident (``incidents.jsonl`` rows), by start time then id."""
    features = []
    for i in _by_time(incidents, "incident_id", "t_start"):
        iid = str(i["incident_id"])
        ellipse = i.get("ellipse") or {}
        firing = i.get("firing_position") or {}
        properties = {
            "id": iid,
            "kind": i.get("kind"),
            "t_start": i.get("t_start"),
            "t_end": i.get("t_end"),
            "confidence": i.get("confidence"),
            "sensor_confidence": i.get("sensor_confidence"),
            "clutter": i.get("clutter"),
            "event_count": len(i.get("event_ids") or ()),
            "semi_major_m": ellipse.get("semi_major_m"),
            "semi_minor_m": ellipse.get("semi_minor_m"),
            "azimuth_deg": ellipse.get("azimuth_deg"),
            "firing_position": _point(firing["position"], f"incident {iid}: firing_position")
            if firing.get("position") is not None
            else None,
        }
        point = _point(i.get("position"), f"incident {iid}")
        features.append(_feature(iid, point, properties))
    return features


def feature_collection(features: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def responsible_parties(
    violations: Iterable[Mapping[str, Any]], parties: Sequence[str] = ()
) -> tuple[str, ...]:
    """The party columns of the CSV: ``parties`` in their order, then any other party a
    violation names (sorted), then ``unknown`` last — so no probability is left out."""
    seen = {str(p) for v in violations for p in (v.get("responsible") or {})}
    first = [p for p in dict.fromkeys(parties) if p != UNKNOWN]
    return (*first, *sorted(seen - set(first) - {UNKNOWN}), UNKNOWN)


def csv_columns(parties: Sequence[str]) -> tuple[str, ...]:
    """The header of ``violations.csv`` for these party columns (:func:`responsible_parties`)."""
    flat = [c for c in VIOLATION_PROPERTIES if c != "responsible"]
    at = flat.index("most_likely")
    return (*flat[:3], "lon", "lat", *flat[3:at], *(f"responsible_{p}" for p in parties),
            *flat[at:])  # fmt: skip


def violation_rows(
    violations: Iterable[Mapping[str, Any]], parties: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """One flat row per violation, by time then id, keyed by :func:`csv_columns` of
    :func:`responsible_parties`; a party a violation does not name has probability 0."""
    chosen = _by_time(violations, "violation_id", "t")
    columns = csv_columns(responsible_parties(chosen, parties))
    rows = []
    for v in chosen:
        flat = _flat(v)
        lon, lat = _point(v.get("position"), f"violation {flat['id']}")
        responsible = flat.pop("responsible")
        row = {**flat, "lon": lon, "lat": lat}
        row.update({c: float(responsible.get(c[len("responsible_") :], 0.0))
                    for c in columns if c.startswith("responsible_")})  # fmt: skip
        rows.append({c: row[c] for c in columns})
    return rows


def geojson_text(features: Sequence[Mapping[str, Any]]) -> str:
    """A FeatureCollection as UTF-8 JSON text, one feature per line (readable diffs)."""
    lines = [json.dumps(f, ensure_ascii=False, allow_nan=False) for f in features]
    body = ",\n".join(lines)
    return '{"type": "FeatureCollection", "features": [' + (f"\n{body}\n" if lines else "") + "]}\n"


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """RFC 4180 text (``\\r\\n`` line ends, quotes doubled) with a header; None is empty."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_map_exports(
    out: Path,
    violations: Sequence[Mapping[str, Any]],
    incidents: Sequence[Mapping[str, Any]],
    agreement: Agreement | None = None,
) -> tuple[Path, ...]:
    """Write :data:`FILES` into ``out`` (party columns in the agreement's order); their paths."""
    parties = responsible_parties(violations, [] if agreement is None
                                  else [p.id for p in agreement.parties])  # fmt: skip
    paths = tuple(out / name for name in FILES)
    write_durably(paths[0], geojson_text(violation_features(violations)).encode())
    write_durably(paths[1], geojson_text(incident_features(incidents)).encode())
    rows = violation_rows(violations, parties)
    write_durably(paths[2], csv_text(rows, csv_columns(parties)).encode())
    return paths


def _flat(v: Mapping[str, Any]) -> dict[str, Any]:
    """The violation's non-geometry fields in :data:`VIOLATION_PROPERTIES` order."""
    responsible = {str(p): float(x) for p, x in (v.get("responsible") or {UNKNOWN: 1.0}).items()}
    party, p = max(responsible.items(), key=lambda kp: kp[1])  # ties: the first, as Violation
    return {
        "id": str(v["violation_id"]),
        "rule": v.get("rule_id"),
        "t": v.get("t"),
        "place": v.get("place"),
        "sector": v.get("sector"),
        "category": v.get("category"),
        "p_occurred": v.get("p_occurred"),
        "responsible": responsible,
        "most_likely": party,
        "p_most_likely": p,
        "p_deliberate": v.get("p_deliberate"),
        "severity": v.get("severity"),
        "status": v.get("status"),
        "reasons": REASON_SEPARATOR.join(str(r) for r in v.get("reasons") or ()),
    }


def _feature(fid: str, point: list[float], properties: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": fid,
        "geometry": {"type": "Point", "coordinates": point},
        "properties": dict(properties),
    }


def _point(position: Any, where: str) -> list[float]:
    """``[lon, lat]`` rounded to :data:`COORDINATE_DIGITS`, checked to be on the globe."""
    try:
        lon, lat = (float(x) for x in list(position)[:2])
    except (TypeError, ValueError):
        raise InputError(f"{where}: position {position!r} is not [lon, lat]") from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(
            f"{where}: position {position!r} is off the globe; it must be [lon, lat] in "
            "degrees, longitude first (FORMATS.md)"
        )
    return [round(lon, COORDINATE_DIGITS), round(lat, COORDINATE_DIGITS)]


def _by_time(records: Iterable[Mapping[str, Any]], key: str, t: str) -> list[Mapping[str, Any]]:
    timed = [(parse_ns(str(r[t]), where=f"{r[key]}: {t}"), str(r[key]), r) for r in records]
    timed.sort(key=lambda x: (x[0], x[1]))
    return [r for _t, _id, r in timed]
