"""Weighing every record against the incident drafts near it in space and time.

Each plugin's ``relate`` is asked only about drafts within its reach (``reach_s`` around the
record's window, ``reach_m`` plus three sigma of both position errors), found through sorted
times and one vectorised distance per record, so the work grows with the records, not with
records × incidents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ceasewatch.fusion.drafts import Draft, join
from ceasewatch.fusion.sources.base import Hypothesis, Observation, Relation, SourcePlugin
from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.intervals import Meeting
from ceasewatch.model.time import NS_PER_S

Related = dict[str, dict[tuple[str, str], Relation]]
"""Draft key → (stream, record id) → what the record says about it."""


def relate_all(
    plugins: Sequence[SourcePlugin],
    observations: Mapping[str, Sequence[Observation]],
    drafts: Sequence[Draft],
) -> Related:
    hypotheses = [d.hypothesis() for d in drafts]
    index = _Index(hypotheses)
    out: Related = {}
    for plugin in plugins:
        for obs in observations.get(plugin.stream, ()):
            for k in index.near(obs, plugin.reach_m, plugin.reach_s):
                h = hypotheses[k]
                relation = plugin.relate(obs, h)
                if relation is not None:
                    out.setdefault(h.key, {})[(obs.stream, obs.record_id)] = relation
    return out


class _Index:
    """The hypotheses' times, places and errors as arrays, for a quick first cut."""

    def __init__(self, hypotheses: Sequence[Hypothesis]) -> None:
        self.times = Meeting([h.t_start_ns for h in hypotheses], [h.t_end_ns for h in hypotheses])
        self.lon = np.array([h.where.lon for h in hypotheses])
        self.lat = np.array([h.where.lat for h in hypotheses])
        self.sigma = np.array([h.where.spread.sigma_m for h in hypotheses])
        launches = [h.launch or h.where for h in hypotheses]
        self.llon = np.array([s.lon for s in launches])
        self.llat = np.array([s.lat for s in launches])
        self.lsigma = np.array([s.spread.sigma_m for s in launches])

    def near(self, obs: Observation, reach_m: float, reach_s: float) -> list[int]:
        if not len(self.times):
            return []
        slack = int(reach_s * NS_PER_S)
        when = self.times.meeting(obs.t_start_ns - slack, obs.t_end_ns + slack)
        if not len(when):
            return []
        d = geodesic_distance_m(obs.lon, obs.lat, self.lon[when], self.lat[when])
        dl = geodesic_distance_m(obs.lon, obs.lat, self.llon[when], self.llat[when])
        sigma = obs.spread.sigma_m
        ok = (d <= reach_m + 3.0 * (sigma + self.sigma[when])) | (
            dl <= reach_m + 3.0 * (sigma + self.lsigma[when])
        )
        return [int(k) for k in when[ok]]


def merge_fires(drafts: Sequence[Draft], related: Related) -> tuple[list[Draft], Related]:
    """Join each fire to the incident that most likely set it (``same_happening``)."""
    by_key = {d.key: d for d in drafts}
    target: dict[str, str] = {}
    for fire in (d for d in drafts if d.kind == "fire"):
        rows = set(fire.where.records)
        scores: dict[str, float] = {}
        for key, per in related.items():
            if key == fire.key or by_key[key].kind == "fire":
                continue
            for record, relation in per.items():
                if record in rows and relation.same_happening:
                    scores[key] = scores.get(key, 0.0) + relation.weight
        if scores:
            target[fire.key] = max(sorted(scores), key=lambda k: scores[k])
    joined = dict(by_key)
    for fire_key, key in sorted(target.items()):
        joined[key] = join(joined[key], by_key[fire_key].where)
        del joined[fire_key]
    kept = [joined[d.key] for d in drafts if d.key in joined]
    return kept, {k: v for k, v in related.items() if k in joined}
