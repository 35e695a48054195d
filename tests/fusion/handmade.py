"""Hand-made inputs for the cross-source tests: located events and records near the toy line
(the 35th meridian; W holds the west, E the east)."""

from __future__ import annotations

import math
from typing import Any

from ceasewatch.fusion.event import Ellipse, FusedEvent
from ceasewatch.model.geo import geodesic_forward
from ceasewatch.model.time import NS_PER_S, format_ns, parse_ns

T0 = parse_ns("2026-02-18T03:00:00Z")


def at(seconds: float) -> int:
    return T0 + int(seconds * NS_PER_S)


def text(seconds: float) -> str:
    return format_ns(at(seconds), 3)


def moved(lon: float, lat: float, azimuth_deg: float, distance_m: float) -> tuple[float, float]:
    a, b = geodesic_forward(lon, lat, azimuth_deg, distance_m)
    return float(a[0]), float(b[0])


def event(
    kind: str, lon: float, lat: float, seconds: float, name: str, sigma_m: float = 40.0
) -> FusedEvent:
    semi = sigma_m * math.sqrt(-2.0 * math.log(0.05))
    picks = tuple(f"{name}-{k}" for k in range(4))
    return FusedEvent(kind, at(seconds), 0.05, lon, lat, Ellipse(semi, semi, 0.0), picks, 0.9)


def track(track_id: str, **fields: Any) -> dict[str, Any]:
    return {"track_id": track_id, "sensor_id": track_id.split("-")[0], **fields}
