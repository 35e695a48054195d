"""Do the sensors bear out what open-source reports say? One answer per distinct report event.

* **corroborates** — a sensor incident of a compatible kind lies within the report's radius
  (``place_radius_m``, the geocoding error of a settlement-level report, plus twice the
  incident's position sigma) and its span overlaps the report's window widened by ``slack_s``;
* **contradicts** — nothing compatible was found although the sensors observed at least
  ``observed_enough`` of the report's place and window: a report of shelling where and when the
  mechanism heard nothing;
* **no_coverage** — nothing compatible found, and the sensors did not watch enough of it;
* **not_checkable** — the report claims nothing sensors can see (territorial control, arrests,
  no event class): never read as either.

Like complaints (adjudication/complaints_match.py), missing observation never counts against a
report. The functions are pure: coverage is a caller-supplied :class:`Coverage`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ceasewatch.model.geo import geodesic_distance_m

FIRE_KINDS = frozenset({"impact", "blast", "launch", "shot", "unknown"})
COMPATIBLE: dict[str, frozenset[str]] = {
    "explosion/impact": FIRE_KINDS,
    "explosion/launch": FIRE_KINDS,
    "explosion/undetermined": FIRE_KINDS,
    "explosion/airburst": FIRE_KINDS,
    "explosion/drone": FIRE_KINDS | {"flight"},
    "projectile": frozenset({"flight", "launch", "impact", "unknown"}),
    "burst": frozenset({"shot", "blast", "unknown"}),
    "damage/civilian": FIRE_KINDS | {"fire"},
    "weapon/withdrawal": frozenset({"presence"}),
}
"""Report category (taxonomy id) → sensor incident kinds that can bear it out."""


@dataclass(frozen=True)
class SensorIncident:
    incident_id: str
    kind: str
    t_start_s: float  # seconds since the epoch, UTC
    t_end_s: float
    lon: float
    lat: float
    sigma_m: float  # 1-sigma position error


@dataclass(frozen=True)
class Settings:
    place_radius_m: float = 10_000.0
    slack_s: float = 3600.0
    observed_enough: float = 0.8


@dataclass(frozen=True)
class Finding:
    event_id: str
    status: str  # corroborates | contradicts | no_coverage | not_checkable
    incident_ids: tuple[str, ...]
    observed: float | None  # share of the place and window the sensors watched
    reason: str


class Coverage(Protocol):
    def observed(self, lon: float, lat: float, t_start_s: float, t_end_s: float) -> float:
        """Share (0–1) of the time and area around the point the sensors watched."""
        ...


def _epoch_s(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def corroborate(
    events: Sequence[Mapping[str, object]],
    incidents: Sequence[SensorIncident],
    coverage: Coverage,
    settings: Settings = Settings(),
) -> list[Finding]:
    """A finding for every distinct report event (events.jsonl records of report_dedup)."""
    ordered = sorted(incidents, key=lambda i: (i.t_start_s, i.incident_id))
    starts = [i.t_start_s for i in ordered]
    longest_s = max((i.t_end_s - i.t_start_s for i in ordered), default=0.0)
    findings = []
    for event in events:
        event_id = str(event["event_id"])
        category = str(event.get("category") or "unknown")
        kinds = COMPATIBLE.get(category)
        if kinds is None:
            findings.append(
                Finding(event_id, "not_checkable", (), None, f"{category}: nothing sensors see")
            )
            continue
        lon, lat = (float(v) for v in event["position"])  # type: ignore[attr-defined]
        t0 = _epoch_s(str(event["t_start"])) - settings.slack_s
        t1 = _epoch_s(str(event.get("t_end") or event["t_start"])) + settings.slack_s
        window = ordered[bisect_left(starts, t0 - longest_s) : bisect_right(starts, t1)]
        near = [
            i
            for i in window
            if i.kind in kinds
            and i.t_end_s >= t0
            and float(geodesic_distance_m(lon, lat, i.lon, i.lat).ravel()[0])
            <= settings.place_radius_m + 2.0 * i.sigma_m
        ]
        if near:
            ids = tuple(sorted(i.incident_id for i in near))
            findings.append(
                Finding(event_id, "corroborates", ids, None,
                        f"{len(ids)} {category}-compatible sensor incident(s) in place and time")
            )  # fmt: skip
            continue
        seen = coverage.observed(lon, lat, t0, t1)
        if seen >= settings.observed_enough:
            findings.append(
                Finding(event_id, "contradicts", (), seen,
                        f"sensors watched {seen:.0%} of the place and window and found nothing")
            )  # fmt: skip
        else:
            findings.append(
                Finding(event_id, "no_coverage", (), seen,
                        f"sensors watched only {seen:.0%} of the place and window")
            )  # fmt: skip
    return findings
