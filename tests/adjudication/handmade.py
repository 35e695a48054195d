"""Hand-made incidents in the format of ``incidents.jsonl`` (docs/fusion-incidents.md), for
adjudication tests on the toy agreement (the line is the 35th meridian, W west of it, E east;
at 48.5° N a tenth of a degree of longitude is 7.38 km)."""

from __future__ import annotations

from typing import Any

from ceasewatch.model.time import format_ns, parse_ns

T = parse_ns("2026-03-01T12:00:00Z")
KM_PER_DEG_LON = 73.83  # at 48.5° N


def lon_at(km_east: float) -> float:
    """The longitude ``km_east`` kilometres east of the line (negative: west), at 48.5° N."""
    return 35.0 + km_east / KM_PER_DEG_LON


def incident(
    name: str,
    kind: str,
    km_east: float,
    *,
    lat: float = 48.5,
    t_ns: int = T,
    sigma_m: float = 30.0,
    firing_km_east: float | None = None,
    firing_probability: float = 0.98,
    weapon: str = "artillery",
    confidence: float = 0.99,
    clutter: str | None = None,
    supporting: list[dict[str, str]] | None = None,
    sensor_confidence: float | None = None,
) -> dict[str, Any]:
    semi = sigma_m * 2.4477  # the 95 % ellipse of a circular one-sigma radius
    firing = None
    if firing_km_east is not None:
        firing = {
            "position": [lon_at(firing_km_east), lat],
            "ellipse": {"semi_major_m": semi, "semi_minor_m": semi, "azimuth_deg": 0, "p": 0.95},
            "probability": firing_probability,
            "weapon": weapon,
            "range_m": abs(firing_km_east - km_east) * 1000,
            "flight_s": 30.0,
            "reason": "test",
        }
    return {
        "incident_id": f"in-{name}",
        "kind": kind,
        "t_start": format_ns(t_ns, 6),
        "t_end": format_ns(t_ns + 30 * 10**9, 6),
        "position": [lon_at(km_east), lat],
        "ellipse": {"semi_major_m": semi, "semi_minor_m": semi, "azimuth_deg": 0, "p": 0.95},
        "firing_position": firing,
        "sides": {},
        "event_ids": [f"ev-{name}"],
        "supporting": supporting or [{"stream": "events", "record_id": f"ev-{name}",
                                      "reason": "test"}],
        "contradicting": [],
        "confidence": confidence,
        "sensor_confidence": confidence if sensor_confidence is None else sensor_confidence,
        "clutter": clutter,
    }  # fmt: skip


def sighted(
    name: str,
    km_east: float,
    classes: list[str],
    *,
    sigma_m: float = 30.0,
    confidence: float = 1.0,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A ``presence`` incident resting on one drone detection per class in ``classes`` (each
    with class confidence 1.0, two of the weapon seen), and those detections."""
    presence = incident(name, "presence", km_east, sigma_m=sigma_m, confidence=confidence)
    ids = [f"U1-{name}-{k}" for k in range(len(classes))]
    presence["supporting"] = [
        {"stream": "detections", "record_id": rid, "reason": "seen"} for rid in ids
    ]
    detections = [
        {"detection_id": rid, "object_class": cls, "class_confidence": 1.0, "count": 2}
        for rid, cls in zip(ids, classes, strict=True)
    ]
    return presence, detections
