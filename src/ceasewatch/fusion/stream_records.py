"""What streaming fusion takes and gives: records with an id, a time and lateness; events and
incidents under the ids they were first emitted with; how soon each event was emitted.

Each stream's time is the source's own time of the record (FORMATS.md), the one a record's
delivery delay is counted from: a pick's ``t_arrival``, a track's ``t_impact`` (else
``t_launch``), a detection's ``t``, a report's ``t_end``, a complaint's or notification's
``t_submitted``, a FIRMS row's ``acq_date`` + ``acq_time``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from ceasewatch.errors import InputError
from ceasewatch.fusion.acoustic.clock import Skew
from ceasewatch.fusion.acoustic.picks import DEFAULT_T_SIGMA_S
from ceasewatch.fusion.event import FusedEvent
from ceasewatch.fusion.incident import Incident
from ceasewatch.fusion.revisions import Subject
from ceasewatch.fusion.sources.firms import firms_time_ns
from ceasewatch.model.time import NS_PER_S, format_ns, parse_ns

ID_FIELDS = {
    "picks": "pick_id",
    "tracks": "track_id",
    "detections": "detection_id",
    "firms": "record_id",
    "reports": "report_id",
    "complaints": "complaint_id",
    "notifications": "notification_id",
}
TIME_FIELDS = {
    "picks": ("t_arrival",),
    "tracks": ("t_impact", "t_launch"),
    "detections": ("t",),
    "reports": ("t_end",),
    "complaints": ("t_submitted",),
    "notifications": ("t_submitted",),
}


@dataclass(frozen=True)
class Late:
    """A record that arrived when its time was already older than the open window."""

    stream: str
    record_id: str
    t_ns: int  # the record's own time
    at_ns: int  # when it arrived
    behind_ns: int  # how far before the window's start its time was

    def to_json(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "record_id": self.record_id,
            "t": format_ns(self.t_ns, 6),
            "at": format_ns(self.at_ns, 3),
            "behind_window_s": round(self.behind_ns / NS_PER_S, 3),
            "reason": "arrived after its time had left the late window: kept, not fused",
        }


def record_id(stream: str, record: Mapping[str, Any]) -> str:
    key = ID_FIELDS[stream]
    value = record.get(key)
    if value in (None, ""):
        raise InputError(f"{stream}: a record has no {key}; give every record its id")
    return str(value)


def record_time_ns(stream: str, record: Mapping[str, Any]) -> int:
    """The record's own time (see the module docs); an ``InputError`` names the record."""
    where = f"{stream} {record_id(stream, record)}"
    if stream == "firms":
        return firms_time_ns(where, record)
    for key in TIME_FIELDS[stream]:
        value = record.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            return parse_ns(value, where=f"{where}: {key}")
    wanted = " or ".join(TIME_FIELDS[stream])
    raise InputError(f"{where}: no {wanted}; give it as RFC 3339 UTC, e.g. 2026-02-18T03:12:45Z")


def corrected(pick: Mapping[str, Any], skew: Skew) -> dict[str, Any]:
    """The pick with its sensor's clock offset removed and its sigma widened by how well the
    offset is known (as the batch's second pass does)."""
    t_ns = record_time_ns("picks", pick) - round(skew.offset_s * NS_PER_S)
    sigma = pick.get("t_sigma_s")
    sigma_s = float(sigma) if sigma is not None else DEFAULT_T_SIGMA_S
    return {
        **pick,
        "t_arrival": t_ns,
        "t_sigma_s": math.hypot(sigma_s, max(3 * skew.sigma_s, 0.05)),
    }


@dataclass(frozen=True)
class StreamEvent(FusedEvent):
    """A located event under the id it was first emitted with (see the module docs)."""

    named_id: str = ""

    @property
    def event_id(self) -> str:
        return self.named_id or super().event_id


@dataclass(frozen=True)
class HeldIncident:
    incident: Incident
    derived_id: str  # the id fuse_sources gave it


def _plain(event: FusedEvent) -> FusedEvent:
    if isinstance(event, StreamEvent):
        return FusedEvent(*(getattr(event, f.name) for f in fields(FusedEvent)))
    return event


def _named_event(event: FusedEvent, item_id: str) -> FusedEvent:
    values = {f.name: getattr(event, f.name) for f in fields(FusedEvent)}
    return StreamEvent(**values, named_id=item_id)


EVENTS: Subject[FusedEvent] = Subject(
    noun="event",
    derived_id=lambda e: _plain(e).event_id,
    alternatives=lambda e: (replace(_plain(e), pick_ids=(p,)).event_id for p in sorted(e.pick_ids)),
    named=_named_event,
    members=lambda e: frozenset(e.pick_ids),
    t_ns=lambda e: e.t_origin_ns,
    place=lambda e: (e.lon, e.lat),
    confidence=lambda e: e.confidence,
    to_json=lambda e: e.to_json(),
)
INCIDENTS: Subject[HeldIncident] = Subject(
    noun="incident",
    derived_id=lambda h: h.derived_id,
    alternatives=lambda h: (h.derived_id,),
    named=lambda h, i: HeldIncident(replace(h.incident, incident_id=i), h.derived_id),
    members=lambda h: frozenset(f"{e.stream}:{e.record_id}" for e in h.incident.supporting),
    t_ns=lambda h: h.incident.t_end_ns,
    place=lambda h: (h.incident.lon, h.incident.lat),
    confidence=lambda h: h.incident.confidence,
    to_json=lambda h: h.incident.to_json(),
)


@dataclass(frozen=True)
class Latency:
    """How soon one final event was first emitted (all times are the stream's clock)."""

    event_id: str
    t_origin_ns: int
    located_ns: int  # the stream got the last pick of the set it was first emitted with
    enough_ns: int  # the stream got the min_picks-th pick of that set
    emitted_ns: int  # its first revision

    @property
    def latency_s(self) -> float:
        """From the pick that made it locatable to the first emission (the batching delay)."""
        return (self.emitted_ns - self.located_ns) / NS_PER_S

    @property
    def wait_s(self) -> float:
        """From its min_picks-th pick: what waiting for more picks to clear the bar cost."""
        return (self.emitted_ns - self.enough_ns) / NS_PER_S

    @property
    def age_s(self) -> float:
        """From the origin to the first emission (travel time and delivery included)."""
        return (self.emitted_ns - self.t_origin_ns) / NS_PER_S
