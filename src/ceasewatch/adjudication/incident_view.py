"""An incident as adjudication reads it: the fields of ``incidents.jsonl``
(docs/fusion-incidents.md) checked once, with the weapon class and the drone-strike hint looked
up in the records it rests on (for weapons seen standing, also the class each drone sighting
gave, so that a lone sighting can be told from a repeated one). A missing field or a wrong type
is an :class:`~ceasewatch.errors.InputError` naming the incident and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ceasewatch.errors import InputError
from ceasewatch.model.geo import Uncertainty
from ceasewatch.model.time import parse_ns

SENSOR_STREAMS = ("events", "tracks", "detections", "firms", "reports")
"""Streams whose records count as evidence that something happened (complaints do not)."""


@dataclass(frozen=True)
class Spot:
    lon: float
    lat: float
    sigma_m: float  # one-sigma radius used against boundaries (the ellipse's major axis)


@dataclass(frozen=True)
class IncidentView:
    incident_id: str
    kind: str
    t_ns: int
    t_end_ns: int
    where: Spot
    firing: Spot | None
    firing_probability: float
    weapon: str | None  # the firing's class, or the restricted class seen standing
    weapon_confidence: float  # how sure the class is (1.0 when it came from range and speed)
    count: int  # weapons seen standing (presence)
    sightings: tuple[str, ...]  # presence: the object class of each detection it rests on
    confidence: float  # that it happened, from the sensors alone
    clutter: str | None
    drone_strike: bool  # a radar saw a drone bring the impact
    event_ids: tuple[str, ...]
    evidence: tuple[str, ...]  # "<stream>:<id>" of the sensor records it rests on
    complaints: tuple[str, ...]  # complaint ids the fusion stage placed on it


def read_incident(
    item: Mapping[str, Any], records: Mapping[str, Mapping[str, Mapping[str, Any]]]
) -> IncidentView:
    """One incident dict → a view; ``records`` maps stream → record id → record (detections and
    tracks are looked up for the weapon class)."""
    name = str(item.get("incident_id", "?"))
    where = f"incident {name}"
    try:
        position = item["position"]
        ellipse = item["ellipse"]
        firing = item.get("firing_position")
        supporting = item.get("supporting") or []
        streams = [(str(e["stream"]), str(e["record_id"])) for e in supporting]
        confidence = item.get("sensor_confidence")
        view = IncidentView(
            incident_id=str(item["incident_id"]),
            kind=str(item["kind"]),
            t_ns=parse_ns(str(item["t_start"]), where=f"{where}: t_start"),
            t_end_ns=parse_ns(str(item["t_end"]), where=f"{where}: t_end"),
            where=_spot(position, ellipse),
            firing=None if not firing else _spot(firing["position"], firing["ellipse"]),
            firing_probability=float(firing["probability"]) if firing else 0.0,
            weapon=str(firing["weapon"]) if firing and firing.get("weapon") else None,
            weapon_confidence=1.0,
            count=1,
            sightings=(),
            confidence=float(item["confidence"] if confidence is None else confidence),
            clutter=item.get("clutter"),
            drone_strike=False,
            event_ids=tuple(str(e) for e in item.get("event_ids") or ()),
            evidence=tuple(sorted({f"{s}:{r}" for s, r in streams if s in SENSOR_STREAMS})),
            complaints=tuple(sorted(r for s, r in streams if s == "complaints")),
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(
            f"{where}: {exc!s} — an incident needs incident_id, kind, t_start, t_end, position, "
            "ellipse (docs/fusion-incidents.md); write it with `ceasewatch fuse`"
        ) from exc
    return _with_records(view, streams, records)


def _spot(position: Sequence[Any], ellipse: Mapping[str, Any]) -> Spot:
    sigma = Uncertainty.from_ellipse(
        float(ellipse["semi_major_m"]),
        float(ellipse["semi_minor_m"]),
        float(ellipse.get("azimuth_deg", 0.0)),
        float(ellipse.get("p", 0.95)),
    ).sigma_major_m
    return Spot(float(position[0]), float(position[1]), sigma)


def _with_records(
    view: IncidentView,
    streams: Sequence[tuple[str, str]],
    records: Mapping[str, Mapping[str, Mapping[str, Any]]],
) -> IncidentView:
    from dataclasses import replace

    tracks = records.get("tracks", {})
    drone = any(
        str(tracks.get(r, {}).get("projectile", "")) == "uav" for s, r in streams if s == "tracks"
    )
    if view.kind == "flight" and drone:
        return replace(view, weapon="uav", weapon_confidence=1.0)
    if view.kind != "presence":
        return replace(view, drone_strike=drone and view.kind in ("impact", "blast"))
    detections = records.get("detections", {})
    seen: dict[str, tuple[float, int]] = {}
    sightings: list[str] = []
    for stream, rid in streams:
        record = detections.get(rid) if stream == "detections" else None
        if record is None:
            continue
        cls = str(record.get("object_class", "unknown"))
        sightings.append(cls)
        confidence = float(record.get("class_confidence", 0.5))
        best, count = seen.get(cls, (0.0, 0))
        seen[cls] = (max(best, confidence), max(count, int(record.get("count", 1))))
    if not seen:
        return view
    weapon = max(sorted(seen), key=lambda c: seen[c][0])
    return replace(
        view,
        weapon=weapon,
        weapon_confidence=seen[weapon][0],
        count=seen[weapon][1],
        sightings=tuple(sorted(sightings)),
    )
