"""Drone and camera detections (``detections.jsonl``): weapons seen on the ground.

* **observe** — a detection's position error is its ``pos_sigma_m`` (30 m when absent).
* **place** — detections of a *restricted* class (one the agreement limits: a withdrawal
  distance, a cap, or a weapon-presence rule) that lie within ``presence_join_m`` of each other
  (plus their errors) and ``presence_join_s`` apart are one group of weapons standing there: one
  ``presence`` phase. A detection of another class (trucks, troops, APCs: routine traffic)
  joins a presence it falls on (within ``presence_join_m`` and ``presence_join_s`` of one of
  its members) — the same group taken for another class — and is otherwise rejected as
  routine.
* **relate** — a restricted weapon seen within 2 km of an incident's firing position within
  12 hours supports the shot ("mlrs × 2 seen 800 m from the firing position 3.0 h earlier").
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ceasewatch.agreement.types import Activity, Agreement
from ceasewatch.fusion.phase import Phase, phase_id
from ceasewatch.fusion.sources import fields
from ceasewatch.fusion.sources.base import (
    FusionContext,
    Hypothesis,
    Observation,
    Observed,
    Placed,
    Placement,
    Rejection,
    Relation,
)
from ceasewatch.fusion.sources.match import single_linkage, weighted_centre
from ceasewatch.fusion.spread import Spread, offset_m
from ceasewatch.model.time import NS_PER_S

DEFAULT_SIGMA_M = 30.0
FIRING_REACH_M = 2_000.0
FIRING_REACH_S = 12 * 3600.0


@dataclass(frozen=True)
class Detection:
    detection_id: str
    sensor_id: str
    object_class: str
    class_confidence: float
    count: int


def restricted_classes(agreement: Agreement) -> frozenset[str]:
    """Weapon classes whose presence the agreement limits somewhere."""
    found: set[str] = set()
    if agreement.withdrawal is not None:
        found |= {str(w) for w, _party, _d in agreement.withdrawal.distances_m}
    for zone in agreement.zones:
        found |= {name for name, _cap in zone.caps}
    for rule in agreement.rules:
        if rule.activity in (Activity.WEAPON_PRESENCE, Activity.EXCEED_CAP):
            found |= {str(w) for w in rule.weapons}
    return frozenset(found)


class DetectionsPlugin:
    stream = "detections"
    reach_m = FIRING_REACH_M
    reach_s = FIRING_REACH_S

    def observe(self, records: Sequence[Mapping[str, Any]], context: FusionContext) -> Observed:
        return Observed(*fields.parse_each(self.stream, records, "detection_id", _observation))

    def place(
        self, observations: Sequence[Observation], phases: Sequence[Phase], context: FusionContext
    ) -> Placement:
        restricted = restricted_classes(context.agreement)
        settings = context.settings
        ordered = sorted(observations, key=lambda o: (o.t_start_ns, o.record_id))
        weapons = [o for o in ordered if o.what in restricted]
        groups = _groups(weapons, settings.presence_join_m, settings.presence_join_s)
        new, placed, rejected = [], [], []
        members: list[list[Observation]] = [list(g) for g in groups]
        homes = _Homes(members, settings.presence_join_m, settings.presence_join_s)
        for obs in ordered:
            if obs.what in restricted:
                continue
            home = homes.find(obs)
            if home is None:
                rejected.append(
                    Rejection(
                        self.stream,
                        obs.record_id,
                        f"detection {obs.record_id}: {obs.what} is not a class the agreement "
                        "restricts and no restricted weapon was seen there: routine traffic",
                    )
                )
            else:
                homes.join(obs, home)
        for group in members:
            phase = _phase(group)
            new.append(phase)
            for obs in group:
                det: Detection = obs.payload
                note = "" if obs.what in restricted else ", taken for the same group"
                placed.append(
                    Placed(
                        phase.event_id,
                        self.stream,
                        obs.record_id,
                        f"drone detection {obs.record_id}: {det.object_class} × {det.count} "
                        f"(class confidence {det.class_confidence:.2f}){note}",
                    )
                )
        return Placement(tuple(phases) + tuple(new), tuple(placed), (), tuple(rejected))

    def relate(self, observation: Observation, hypothesis: Hypothesis) -> Relation | None:
        det: Detection = observation.payload
        launch = hypothesis.launch
        if launch is None or hypothesis.kind == "presence":
            return None
        _e, _n, distance = offset_m(launch.lon, launch.lat, observation.lon, observation.lat)
        dt_s = (launch.t_ns - observation.t_start_ns) / NS_PER_S
        if distance > FIRING_REACH_M + 2 * launch.spread.sigma_m or abs(dt_s) > FIRING_REACH_S:
            return None
        when = f"{abs(dt_s) / 3600:.1f} h {'before' if dt_s >= 0 else 'after'} the launch"
        return Relation(
            True,
            0.3 * det.class_confidence,
            f"drone detection {det.detection_id}: {det.object_class} × {det.count} seen "
            f"{distance:.0f} m from the firing position, {when}",
        )


def _observation(rid: str, record: Mapping[str, Any]) -> Observation:
    where = f"detections {rid}"
    t = fields.instant_ns(where, record, "t")
    lon, lat = fields.point(where, record, "position")
    sigma = fields.number(where, record, "pos_sigma_m", DEFAULT_SIGMA_M)
    klass = fields.text(where, record, "object_class", "unknown")
    confidence = fields.number(where, record, "class_confidence", 0.7)
    count = int(fields.number(where, record, "count", 1))
    detection = Detection(rid, str(record.get("sensor_id", "")), klass, min(confidence, 1.0), count)
    spread = Spread.circular(max(sigma, 1.0))
    return Observation("detections", rid, t, t, lon, lat, spread, klass, detection)


def _groups(obs: list[Observation], join_m: float, join_s: float) -> list[list[Observation]]:
    def past(a: Observation, b: Observation) -> bool:
        return (b.t_start_ns - a.t_start_ns) / NS_PER_S > join_s

    def joined(a: Observation, b: Observation) -> bool:
        _e, _n, distance = offset_m(a.lon, a.lat, b.lon, b.lat)
        return distance <= join_m + 2 * (a.spread.sigma_m + b.spread.sigma_m)

    return single_linkage(obs, joined, past)


class _Homes:
    """The groups' members by time, for the question "which group does this detection fall
    on?": the first group (in their order) with a member within ``join_m`` (plus both errors)
    and ``join_s``. Detections are asked in time order; one that joins becomes a member."""

    def __init__(self, groups: list[list[Observation]], join_m: float, join_s: float) -> None:
        self.groups = groups
        self.join_m = join_m
        self.join_ns = round(join_s * NS_PER_S)
        rows = sorted((o.t_start_ns, k, o) for k, g in enumerate(groups) for o in g)
        self.fixed = [(k, o) for _, k, o in rows]
        self.fixed_t = [t for t, _, _ in rows]
        self.joined: list[tuple[int, Observation]] = []  # in time order, as they were asked
        self.joined_t: list[int] = []

    def find(self, obs: Observation) -> int | None:
        """The index of the group ``obs`` falls on, if any."""
        t = obs.t_start_ns
        lo, hi = t - self.join_ns, t + self.join_ns
        near = self.fixed[bisect_left(self.fixed_t, lo) : bisect_right(self.fixed_t, hi)]
        near += self.joined[bisect_left(self.joined_t, lo) :]
        for k, member in sorted(near, key=lambda row: row[0]):
            _e, _n, distance = offset_m(member.lon, member.lat, obs.lon, obs.lat)
            if distance <= self.join_m + 2 * (member.spread.sigma_m + obs.spread.sigma_m):
                return k
        return None

    def join(self, obs: Observation, k: int) -> None:
        self.groups[k].append(obs)
        self.joined.append((k, obs))
        self.joined_t.append(obs.t_start_ns)


def _phase(group: list[Observation]) -> Phase:
    lon, lat, sigma_m = weighted_centre(
        [o.lon for o in group], [o.lat for o in group], [o.spread.sigma_m for o in group]
    )
    first = min(group, key=lambda o: (o.t_start_ns, o.record_id))
    miss = float(np.prod([1.0 - o.payload.class_confidence for o in group]))
    classes = sorted({f"{o.payload.object_class} × {o.payload.count}" for o in group})
    return Phase(
        phase_id("detections", first.record_id),
        "presence",
        first.t_start_ns,
        1.0,
        lon,
        lat,
        Spread.circular(sigma_m).ellipse(),
        1.0 - miss,
        tuple(("detections", o.record_id) for o in group),
        t_end_ns=max(o.t_start_ns for o in group),
        detail="weapons seen: " + ", ".join(classes),
    )
