"""Observer reports (``reports.jsonl``): "heard 5 explosions 3–5 km SE" from a team's position.

* **observe** — a report is a sector (``bearing_deg`` from–to clockwise, possibly through north;
  ``range_km`` min–max) around the team's position, a time window and a count. Its point is the
  sector's middle, its error half the sector's size (used only to find candidates).
* **place** — a report joins the one phase (a launch, impact or blast; a ``burst`` only a blast)
  that lies in its sector and window best, nearest the sector's middle, impacts first.
* **relate** — it supports every incident whose impact or firing position lies in the sector
  during the window (the sector is widened by two sigma of the incident's position error).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ceasewatch.errors import InputError
from ceasewatch.fusion.phase import Phase
from ceasewatch.fusion.sources import fields
from ceasewatch.fusion.sources.base import (
    FusionContext,
    Hypothesis,
    Observation,
    Observed,
    Placed,
    Placement,
    Relation,
    Spot,
)
from ceasewatch.fusion.spread import Spread, bearing_and_distance
from ceasewatch.model.geo import compass16, geodesic_forward
from ceasewatch.model.time import NS_PER_S

SOUND_KINDS = ("launch", "impact", "blast", "unknown")
SLACK_S = 90.0


@dataclass(frozen=True)
class Report:
    report_id: str
    observer: tuple[float, float]
    bearing_deg: tuple[float, float]
    range_m: tuple[float, float]
    count: int
    mode: str
    what: str

    @property
    def width_deg(self) -> float:
        return (self.bearing_deg[1] - self.bearing_deg[0]) % 360.0 or 360.0

    @property
    def words(self) -> str:
        lo, hi = self.range_m[0] / 1000, self.range_m[1] / 1000
        middle = compass16((self.bearing_deg[0] + self.width_deg / 2) % 360.0)
        return f"{self.mode} {self.count} {self.what}(s) {lo:g}–{hi:g} km {middle} of the team"

    def fit(self, spot: Spot | Phase) -> tuple[float, float, float] | None:
        """(normalised miss 0–1, bearing, distance) when the point lies in the sector."""
        sigma = spot.spread.sigma_m
        bearing, distance = bearing_and_distance(*self.observer, spot.lon, spot.lat)
        off = (bearing - self.bearing_deg[0]) % 360.0
        slack_deg = math.degrees(math.atan2(2 * sigma, max(distance, 1.0))) + 2.0
        inside_angle = (
            off <= self.width_deg
            or (360.0 - off) <= slack_deg
            or (off - self.width_deg <= slack_deg)
        )
        lo, hi = self.range_m
        slack_m = 2 * sigma + 0.05 * hi
        if not inside_angle or not lo - slack_m <= distance <= hi + slack_m:
            return None
        mid_off = abs(((off - self.width_deg / 2) + 180.0) % 360.0 - 180.0) / (self.width_deg / 2)
        mid_range = abs(distance - (lo + hi) / 2) / max((hi - lo) / 2, 1.0)
        return min(1.0, (mid_off + mid_range) / 2), bearing, distance


class ReportsPlugin:
    stream = "reports"
    reach_m = 40_000.0
    reach_s = SLACK_S

    def observe(self, records: Sequence[Mapping[str, Any]], context: FusionContext) -> Observed:
        return Observed(*fields.parse_each(self.stream, records, "report_id", _observation))

    def place(
        self, observations: Sequence[Observation], phases: Sequence[Phase], context: FusionContext
    ) -> Placement:
        sounds = sorted((p for p in phases if p.kind in SOUND_KINDS), key=lambda p: p.t_ns)
        times = [p.t_ns for p in sounds]
        added: dict[str, list[tuple[str, str]]] = {}
        placed = []
        for obs in observations:
            report: Report = obs.payload
            lo = bisect_left(times, obs.t_start_ns - int(SLACK_S * NS_PER_S))
            hi = bisect_right(times, obs.t_end_ns + int(SLACK_S * NS_PER_S))
            best: tuple[tuple[float, int], Phase, float, float] | None = None
            for phase in sounds[lo:hi]:
                if report.what == "burst" and phase.kind not in ("blast", "unknown"):
                    continue
                fit = report.fit(phase)
                if fit is None:
                    continue
                key = (round(fit[0], 3), 0 if phase.kind == "impact" else 1)
                if best is None or key < best[0]:
                    best = (key, phase, fit[1], fit[2])
            if best is None:
                continue
            _key, phase, bearing, distance = best
            added.setdefault(phase.event_id, []).append((self.stream, obs.record_id))
            placed.append(
                Placed(
                    phase.event_id,
                    self.stream,
                    obs.record_id,
                    f"observer report {obs.record_id}: {report.words}; the {phase.kind} lies "
                    f"{distance / 1000:.1f} km at {bearing:.0f}° from the team, in the window",
                )
            )
        updated = tuple(
            p.with_records(*added[p.event_id]) if p.event_id in added else p for p in phases
        )
        return Placement(updated, tuple(placed))

    def relate(self, observation: Observation, hypothesis: Hypothesis) -> Relation | None:
        report: Report = observation.payload
        if hypothesis.kind in ("presence", "flight", "fire"):
            return None
        for name, spot in (("impact", hypothesis.where), ("firing position", hypothesis.launch)):
            if spot is None:
                continue
            slack = int(SLACK_S * NS_PER_S)
            if not observation.t_start_ns - slack <= spot.t_ns <= observation.t_end_ns + slack:
                continue
            fit = report.fit(spot)
            if fit is not None:
                return Relation(
                    True,
                    0.4,
                    f"observer report {report.report_id}: {report.words}; the {name} lies "
                    f"{fit[2] / 1000:.1f} km at {fit[1]:.0f}° from the team, in the window",
                )
        return None


def _observation(rid: str, record: Mapping[str, Any]) -> Observation:
    where = f"reports {rid}"
    t0 = fields.instant_ns(where, record, "t_start")
    t1 = fields.instant_ns(where, record, "t_end")
    if t1 < t0:
        raise InputError(f"{where}: t_end is before t_start; swap them")
    observer = fields.point(where, record, "observer")
    b0, b1 = fields.pair_of_numbers(where, record, "bearing_deg")
    r0, r1 = fields.pair_of_numbers(where, record, "range_km")
    if not 0 <= r0 <= r1:
        raise InputError(f"{where}: range_km must be [min, max] with 0 <= min <= max")
    report = Report(
        rid,
        observer,
        (b0 % 360.0, b1 % 360.0),
        (r0 * 1000.0, r1 * 1000.0),
        int(fields.number(where, record, "count", 1)),
        fields.text(where, record, "mode", "heard"),
        fields.text(where, record, "what", "explosion"),
    )
    middle = (report.bearing_deg[0] + report.width_deg / 2) % 360.0
    lon, lat = geodesic_forward(*observer, middle, (r0 + r1) * 500.0)
    size_m = max((r1 - r0) * 500.0, math.radians(report.width_deg / 2) * r1 * 1000.0)
    return Observation(
        "reports",
        rid,
        t0,
        t1,
        float(lon[0]),
        float(lat[0]),
        Spread.circular(size_m),
        "sound",
        report,
    )
