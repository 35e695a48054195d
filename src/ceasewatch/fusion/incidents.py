"""Cross-source fusion: located acoustic events and every other stream → one incident per
happening, each with the records for and against it, and the clutter set apart with reasons.

:func:`fuse_sources` is the entry point (docs/fusion-incidents.md). Steps:

1. every plugin (:mod:`ceasewatch.fusion.sources`) reads its stream and places its records on
   the observable phases (radar tracks on acoustic impacts, or new phases of their own);
2. launches are paired with impacts (:mod:`ceasewatch.fusion.pairing`);
3. the phases are grouped into incident drafts (:mod:`ceasewatch.fusion.drafts`), and each
   plugin says how each of its records bears on each draft near it in space and time
   (:mod:`ceasewatch.fusion.relating`);
4. clutter rules (:mod:`ceasewatch.fusion.clutter`) mark what is not a violation, with the reason.

Nothing is dropped: every input record is on an event, evidence of an incident, or among the
rejected with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ceasewatch.agreement.locate import Locator
from ceasewatch.agreement.types import Agreement
from ceasewatch.fusion.clutter import (
    ClutterRules,
    FirmsBaseline,
    Suspect,
    read_notifications,
    thunder,
)
from ceasewatch.fusion.drafts import Draft, build_drafts
from ceasewatch.fusion.event import FusedEvent
from ceasewatch.fusion.incident import Evidence, Incident, incident_id
from ceasewatch.fusion.pairing import class_priors, pair_launches
from ceasewatch.fusion.phase import Phase, from_fused
from ceasewatch.fusion.relating import Related, merge_fires, relate_all
from ceasewatch.fusion.sources import default_plugins
from ceasewatch.fusion.sources.base import (
    FusionContext,
    Link,
    Observation,
    Placed,
    Rejection,
    Settings,
    SourcePlugin,
)

SIDE_P = 0.8


@dataclass(frozen=True)
class FusionResult:
    events: tuple[dict[str, Any], ...]  # one per observable phase, fused-event format
    incidents: tuple[Incident, ...]
    rejected: tuple[Rejection, ...]

    def incidents_json(self) -> list[dict[str, Any]]:
        return [i.to_json() for i in self.incidents]

    def rejected_json(self) -> list[dict[str, str]]:
        return [r.to_json() for r in self.rejected]


def fuse_sources(
    events: Sequence[FusedEvent],
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    agreement: Agreement,
    notifications: Sequence[Mapping[str, Any]] = (),
    baseline: FirmsBaseline | None = None,
    plugins: Sequence[SourcePlugin] | None = None,
    settings: Settings | None = None,
    locator: Locator | None = None,
) -> FusionResult:
    """Fuse located events with the records of the other streams (see the module).

    ``records`` maps a stream name (``tracks``, ``detections``, ``firms``, ``reports``,
    ``complaints``) to its records as read from the files; FIRMS rows are dicts of their
    columns with their id under ``record_id`` (``firms.csv:<n>``, else numbered in order).
    ``baseline`` defaults to the packaged 2021 FIRMS background; pass a ``locator`` built once
    to save its set-up when fusing many batches.
    """
    context = FusionContext(agreement, settings or Settings())
    plugins = tuple(plugins) if plugins is not None else default_plugins()
    known = {p.stream for p in plugins}
    rejected: list[Rejection] = [
        Rejection(
            stream, f"#{i + 1}", f"no plugin reads the stream {stream!r}; known: {sorted(known)}"
        )
        for stream, rows in sorted(records.items())
        if stream not in known
        for i in range(len(rows))
    ]
    phases: list[Phase] = [from_fused(e) for e in sorted(events, key=lambda e: e.event_id)]
    observations: dict[str, tuple[Observation, ...]] = {}
    placed: dict[tuple[str, str], Placed] = {}
    links: list[Link] = []
    for plugin in plugins:
        observed = plugin.observe(records.get(plugin.stream, ()), context)
        observed = replace(  # input order must not matter
            observed,
            observations=tuple(sorted(observed.observations, key=lambda o: o.record_id)),
        )
        placement = plugin.place(observed.observations, phases, context)
        phases = list(placement.phases)
        observations[plugin.stream] = observed.observations
        rejected += list(observed.rejected) + list(placement.rejected)
        placed.update({(p.stream, p.record_id): p for p in placement.placed})
        links += placement.links
    pairs = pair_launches(
        [p for p in phases if p.kind == "launch" and p.acoustic is not None],
        [p for p in phases if p.kind in ("impact", "unknown")],
        class_priors(agreement),
        links=links,
        projectile=_projectiles(phases, observations.get("tracks", ())),
    )
    locator = locator or Locator(agreement)
    drafts = _with_sides(build_drafts(phases, pairs), locator)
    related = relate_all(plugins, observations, drafts)
    drafts, related = merge_fires(drafts, related)
    notes, bad_notes = read_notifications(notifications)
    rejected += bad_notes
    rules = ClutterRules(
        agreement, notes, baseline if baseline is not None else FirmsBaseline.packaged()
    )
    clutter = _clutter(drafts, rules, locator)
    incidents = [_incident(d, placed, related, clutter.get(k)) for k, d in enumerate(drafts)]
    events_out, dropped = _events(drafts, incidents)
    rejected += dropped
    rejected += _unused(observations, placed, related, rejected)
    rejected.sort(key=lambda r: (r.stream, r.record_id))
    return FusionResult(
        tuple(events_out),
        tuple(sorted(incidents, key=lambda i: (i.t_start_ns, i.incident_id))),
        tuple(rejected),
    )


def _projectiles(phases: Sequence[Phase], tracks: Sequence[Observation]) -> dict[str, str]:
    words = {o.record_id: o.what for o in tracks}
    out = {}
    for phase in phases:
        found = [
            words[r]
            for s, r in phase.records
            if s == "tracks" and words.get(r) not in (None, "unknown")
        ]
        if found:
            out[phase.event_id] = found[0]
    return out


def _with_sides(drafts: list[Draft], locator: Locator) -> list[Draft]:
    spots = [(d.where.lon, d.where.lat, d.where.spread.sigma_m) for d in drafts]
    launches = [(k, d.launch_spot()) for k, d in enumerate(drafts)]
    spots += [(s.lon, s.lat, s.spread.sigma_m) for _k, s in launches if s is not None]
    if not spots:
        return drafts
    batch = locator.batch(
        [s[0] for s in spots], [s[1] for s in spots], np.array([s[2] for s in spots])
    )
    sides = [_side(batch.control_ids, row) for row in batch.control]
    out, extra = [], len(drafts)
    for k, draft in enumerate(drafts):
        launch_side = None
        if launches[k][1] is not None:
            launch_side, extra = sides[extra], extra + 1
        out.append(replace(draft, where_side=sides[k], launch_side=launch_side))
    return out


def _side(ids: Sequence[str], row: np.ndarray) -> str | None:
    best = int(np.argmax(row))
    return ids[best] if row[best] >= SIDE_P and ids[best] != "outside" else None


def _clutter(drafts: Sequence[Draft], rules: ClutterRules, locator: Locator) -> dict[int, str]:
    if not drafts:
        return {}
    batch = locator.batch([d.where.lon for d in drafts], [d.where.lat for d in drafts], 0.0)
    distance = batch.line_distance_m.min(axis=1) if batch.line_distance_m.size else None
    suspects = []
    for k, d in enumerate(drafts):
        h = d.hypothesis()
        has_track = any(s == "tracks" for p in d.phases for s, _r in p.records)
        line_m = None if distance is None else float(distance[k])
        suspects.append(Suspect(d.kind, h.where, h.launch, line_m, has_track))
    found = {k: r for k, s in enumerate(suspects) if (r := rules.reason(s)) is not None}
    for k, reason in thunder(
        [s if k not in found else replace(s, kind="-") for k, s in enumerate(suspects)]
    ).items():
        found.setdefault(k, reason)
    return found


def _incident(
    draft: Draft, placed: Mapping[tuple[str, str], Placed], related: Related, clutter: str | None
) -> Incident:
    phases = draft.phases
    support: list[Evidence] = []
    weights = [p.confidence for p in phases]
    sensed = list(weights)  # the same without the parties' complaints
    for phase in phases:
        if phase.acoustic is not None:
            support.append(
                Evidence(
                    "events", phase.event_id, f"{phase.detail}, confidence {phase.confidence:.2f}"
                )
            )
        for stream, rid in phase.records:
            note = placed.get((stream, rid))
            support.append(
                Evidence(stream, rid, note.reason if note else f"part of {phase.detail}")
            )
    own = {(e.stream, e.record_id) for e in support}
    against = []
    firing = draft.firing
    for (stream, rid), relation in sorted(related.get(draft.key, {}).items()):
        if (stream, rid) in own:
            continue
        weight = relation.weight if relation.supports else -relation.weight
        if relation.supports:
            support.append(Evidence(stream, rid, relation.reason))
        else:
            against.append(Evidence(stream, rid, relation.reason))
        weights.append(weight)
        if relation.pairing_only and firing is not None:
            # Another launch for this impact: doubt the pairing, not that the impact happened.
            firing = replace(firing, probability=firing.probability * (1.0 - 0.5 * relation.weight))
        elif stream != "complaints":
            sensed.append(weight)
    records = [(s, r) for p in phases for s, r in p.records]
    where = draft.where
    return Incident(
        incident_id(draft.event_ids, records),
        draft.kind,
        min(p.t_ns for p in phases),
        max(p.end_ns for p in phases),
        where.lon,
        where.lat,
        where.ellipse,
        draft.event_ids,
        tuple(support),
        tuple(against),
        _combined(weights),
        firing,
        clutter,
        tuple(
            (name, side)
            for name, side in (("where", draft.where_side), ("firing", draft.launch_side))
            if side
        ),
        _combined(sensed),
    )


def _combined(weights: Sequence[float]) -> float:
    """``1 − Π(1 − w)`` over the supporting weights, lowered by the contradicting ones."""
    miss = float(np.prod([1.0 - w for w in weights if w > 0])) if weights else 1.0
    doubt = float(np.prod([1.0 + 0.5 * w for w in weights if w < 0])) if weights else 1.0
    return (1.0 - miss) * doubt


def _events(
    drafts: Sequence[Draft], incidents: Sequence[Incident]
) -> tuple[list[dict[str, Any]], list[Rejection]]:
    out, dropped = [], []
    for draft, incident in zip(drafts, incidents, strict=True):
        for phase in draft.phases:
            if phase.kind == "fire" and incident.clutter is not None and phase.acoustic is None:
                dropped += [
                    Rejection(s, r, f"clutter: {incident.clutter}") for s, r in phase.records
                ]
                continue
            if incident.clutter is not None and phase.acoustic is not None:
                dropped.append(Rejection("events", phase.event_id, f"clutter: {incident.clutter}"))
            out.append(phase.to_json(incident.incident_id))
    out.sort(key=lambda e: (e["t_origin"], e["event_id"]))
    return out, dropped


def _unused(
    observations: Mapping[str, Sequence[Observation]],
    placed: Mapping[tuple[str, str], Placed],
    related: Related,
    dropped: Sequence[Rejection],
) -> list[Rejection]:
    used = set(placed) | {key for per in related.values() for key in per}
    used |= {(r.stream, r.record_id) for r in dropped}
    out = []
    for stream, observed in observations.items():
        for obs in observed:
            if (stream, obs.record_id) not in used:
                out.append(
                    Rejection(
                        stream,
                        obs.record_id,
                        f"{stream} {obs.record_id}: matches no event or incident in space and time",
                    )
                )
    return out
