"""Party complaints (``complaints.jsonl``): a party alleges that the other did something within
a radius of a place during a time window.

* **observe** — the place with its radius, the window ``t_alleged``, the alleged party and the
  category (``shelling``, ``drone_strike``, ``small_arms``, ``heavy_weapons``, …).
* **place** — nothing: a complaint is evidence about incidents, never a phase of its own.
* **relate** — it supports an incident of a fitting kind inside its radius (widened by two sigma
  of the incident's position) and window (±10 min); when the incident's firing position lies on
  the alleged party's ground it says so, and when it lies on the *other* party's ground the
  complaint is contradicted there (the alleged party did not fire it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ceasewatch.fusion.phase import Phase
from ceasewatch.fusion.sources import fields
from ceasewatch.fusion.sources.base import (
    FusionContext,
    Hypothesis,
    Observation,
    Observed,
    Placement,
    Relation,
)
from ceasewatch.fusion.spread import Spread, offset_m
from ceasewatch.model.time import NS_PER_S

SLACK_S = 600.0
KINDS = {
    "shelling": ("shot", "impact", "launch"),
    "drone_strike": ("shot", "impact", "blast"),
    "small_arms": ("blast", "impact"),
    "heavy_weapons": ("presence",),
}


@dataclass(frozen=True)
class Complaint:
    complaint_id: str
    party: str
    alleged_party: str
    category: str
    radius_m: float


class ComplaintsPlugin:
    stream = "complaints"
    reach_m = 10_000.0
    reach_s = SLACK_S

    def observe(self, records: Sequence[Mapping[str, Any]], context: FusionContext) -> Observed:
        return Observed(*fields.parse_each(self.stream, records, "complaint_id", _observation))

    def place(
        self, observations: Sequence[Observation], phases: Sequence[Phase], context: FusionContext
    ) -> Placement:
        return Placement(tuple(phases))

    def relate(self, observation: Observation, hypothesis: Hypothesis) -> Relation | None:
        c: Complaint = observation.payload
        kinds = KINDS.get(c.category)
        if kinds is not None and hypothesis.kind not in kinds:
            return None
        w = hypothesis.where
        slack = int(SLACK_S * NS_PER_S)
        if not observation.t_start_ns - slack <= w.t_ns <= observation.t_end_ns + slack:
            return None
        _e, _n, distance = offset_m(observation.lon, observation.lat, w.lon, w.lat)
        if distance > c.radius_m + 2 * w.spread.sigma_m:
            return None
        head = (
            f"complaint {c.complaint_id} by {c.party}: {c.category.replace('_', ' ')} by "
            f"{c.alleged_party} within {c.radius_m / 1000:g} km; the incident lies "
            f"{distance / 1000:.1f} km from its centre, in its window"
        )
        side = hypothesis.launch_side if hypothesis.launch is not None else None
        if hypothesis.kind == "presence":
            side = hypothesis.where_side
        if side is None:
            return Relation(True, 0.2, head)
        if side == c.alleged_party:
            return Relation(True, 0.3, f"{head}; the firing position lies on {side} ground")
        what = "weapons stand" if hypothesis.kind == "presence" else "firing position lies"
        return Relation(
            False, 0.5, f"{head}, but the {what} on {side} ground, not {c.alleged_party}'s"
        )


def _observation(rid: str, record: Mapping[str, Any]) -> Observation:
    where = f"complaints {rid}"
    t0, t1 = fields.window_ns(where, record, "t_alleged")
    lon, lat = fields.point(where, record, "position")
    radius = fields.number(where, record, "radius_m", 2000.0)
    complaint = Complaint(
        rid,
        fields.text(where, record, "party", ""),
        fields.text(where, record, "alleged_party", ""),
        fields.text(where, record, "category", ""),
        radius,
    )
    spread = Spread.circular(max(radius, 1.0) / 2.0)
    return Observation("complaints", rid, t0, t1, lon, lat, spread, complaint.category, complaint)
