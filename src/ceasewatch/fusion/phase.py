"""One observable phase of a happening, as the cross-source stage builds it: what ends up as one
line of ``events.jsonl``.

A :class:`Phase` is either an acoustic :class:`~ceasewatch.fusion.event.FusedEvent` with the
records of other streams attached to it, or a phase that only another stream saw (a radar track
alone, a drone detection of weapons, a FIRMS fire). ``records`` holds every (stream, record id)
it explains besides its picks; every input record sits in at most one phase.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from ceasewatch.fusion.event import Ellipse, FusedEvent
from ceasewatch.fusion.spread import Spread
from ceasewatch.model.time import format_ns

PHASE_KINDS = ("launch", "impact", "blast", "unknown", "presence", "flight", "fire")
RECORD_FIELDS = {
    "tracks": "track_ids",
    "detections": "detection_ids",
    "reports": "report_ids",
    "firms": "firms_ids",
}
"""Stream → the list field of the fused-event format that names its records."""


@dataclass(frozen=True)
class Phase:
    event_id: str
    kind: str  # one of PHASE_KINDS
    t_ns: int
    t_sigma_s: float
    lon: float
    lat: float
    ellipse: Ellipse
    confidence: float
    records: tuple[tuple[str, str], ...] = ()  # (stream, record id), besides picks
    acoustic: FusedEvent | None = None
    t_end_ns: int | None = None  # lasting phases (presence, flight, fire): the last sighting
    launch: tuple[float, float, float] | None = None  # radar-born: (lon, lat, cep_m) of launch
    detail: str = ""  # what it is in words ("2 × mlrs", "radar track R03-00017")

    @cached_property
    def spread(self) -> Spread:
        return Spread.from_ellipse(self.ellipse)

    @property
    def end_ns(self) -> int:
        return self.t_end_ns if self.t_end_ns is not None else self.t_ns

    @property
    def origin(self) -> str:
        return "acoustic" if self.acoustic is not None else (self.records or (("none", ""),))[0][0]

    def with_records(self, *added: tuple[str, str]) -> Phase:
        return replace(self, records=self.records + tuple(added))

    def to_json(self, incident_id: str | None = None) -> dict[str, Any]:
        if self.acoustic is not None:
            out = self.acoustic.to_json()
        else:
            out = {
                "event_id": self.event_id,
                "kind": self.kind,
                "t_origin": format_ns(self.t_ns, 6),
                "t_sigma_s": round(self.t_sigma_s, 4),
                "position": [round(self.lon, 6), round(self.lat, 6)],
                "ellipse": self.ellipse.to_json(),
                "pick_ids": [],
                "confidence": round(self.confidence, 4),
            }
            if self.t_end_ns is not None:
                out["t_end"] = format_ns(self.t_end_ns, 6)
        for stream, field in RECORD_FIELDS.items():
            ids = sorted(record_id for s, record_id in self.records if s == stream)
            if ids:
                out[field] = ids
        if incident_id is not None:
            out["incident_id"] = incident_id
        return out


def from_fused(event: FusedEvent) -> Phase:
    return Phase(
        event.event_id,
        event.kind,
        event.t_origin_ns,
        event.t_sigma_s,
        event.lon,
        event.lat,
        event.ellipse,
        event.confidence,
        acoustic=event,
        detail=f"acoustic {event.kind} from {len(event.pick_ids)} picks",
    )


def phase_id(stream: str, record_id: str) -> str:
    """The id of a phase that another stream found, derived from its first record."""
    return "ev-" + hashlib.sha256(f"{stream}:{record_id}".encode()).hexdigest()[:16]
