"""An incident: one happening (a shot, a blast, weapons standing somewhere, a fire) with every
record that supports it and every record that contradicts it, each with the reasoning in words.

``to_json`` gives the incident format that ``ceasewatch fuse`` writes (``incidents.jsonl``,
docs/fusion-incidents.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ceasewatch.fusion.event import Ellipse
from ceasewatch.model.time import format_ns


@dataclass(frozen=True)
class Evidence:
    """One record with a reason in words: its bearing on an incident, or (as
    :data:`~ceasewatch.fusion.sources.base.Rejection`) why the stage did not use it."""

    stream: str
    record_id: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"stream": self.stream, "record_id": self.record_id, "reason": self.reason}


@dataclass(frozen=True)
class Firing:
    """Where the shot came from, and how sure the pairing is."""

    lon: float
    lat: float
    ellipse: Ellipse
    probability: float  # that this firing position belongs to the impact
    weapon: str  # the most likely class (from range and time of flight, or the radar's)
    range_m: float
    flight_s: float | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "position": [round(self.lon, 6), round(self.lat, 6)],
            "ellipse": self.ellipse.to_json(),
            "probability": round(self.probability, 4),
            "weapon": self.weapon,
            "range_m": round(self.range_m, 1),
            "flight_s": None if self.flight_s is None else round(self.flight_s, 3),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Incident:
    incident_id: str
    kind: str  # shot | impact | launch | blast | unknown | presence | flight | fire
    t_start_ns: int
    t_end_ns: int
    lon: float
    lat: float
    ellipse: Ellipse
    event_ids: tuple[str, ...]
    supporting: tuple[Evidence, ...]
    contradicting: tuple[Evidence, ...]
    confidence: float  # provisional: combined evidence weights, not yet calibrated
    firing: Firing | None = None
    clutter: str | None = None
    sides: tuple[tuple[str, str], ...] = ()  # ("where" | "firing", party) where p >= 0.8
    sensor_confidence: float | None = None  # the same, from the sensors alone (no complaints)

    def to_json(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "kind": self.kind,
            "t_start": format_ns(self.t_start_ns, 6),
            "t_end": format_ns(self.t_end_ns, 6),
            "position": [round(self.lon, 6), round(self.lat, 6)],
            "ellipse": self.ellipse.to_json(),
            "firing_position": None if self.firing is None else self.firing.to_json(),
            "sides": dict(self.sides),
            "event_ids": list(self.event_ids),
            "supporting": [e.to_json() for e in self.supporting],
            "contradicting": [e.to_json() for e in self.contradicting],
            "confidence": round(self.confidence, 4),
            "sensor_confidence": (
                None if self.sensor_confidence is None else round(self.sensor_confidence, 4)
            ),
            "clutter": self.clutter,
        }


def incident_id(event_ids: Iterable[str], records: Iterable[tuple[str, str]]) -> str:
    """Derived from what the incident is made of, so a rerun gives the same id."""
    parts = sorted(event_ids) or sorted(f"{s}:{r}" for s, r in records)
    return "in-" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
