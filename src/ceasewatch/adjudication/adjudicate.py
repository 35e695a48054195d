"""Incidents × agreement → violations, each with its three separate findings.

For every incident that is not clutter and every rule in force at its time (rules.py):

* **occurred** — ``p_occurred = P(it happened) · P(the rule applies)``: the first from the
  sensors alone (``sensor_confidence`` of the incident — a party's complaint never raises it),
  times the weapon class's confidence for weapons seen standing; the second from rules.py. A
  restricted weapon sighted only once is capped at the fitted frequency of such sightings being
  real (:attr:`Priors.presence_seen_once`): the detector's class confidence is not that
  probability, and most lone sightings are false alarms. Repeated sightings keep the sensors'
  combined confidence.
* **responsible** — attribution.py: a probability per party plus ``unknown``.
* **deliberate** — ``null``: sensor data shows what was fired from where, not intent. Sustained
  fire (several rounds from one firing position) is stated as context, not as a finding.

A verdict with ``p_occurred ≥ Settings.min_p_occurred`` is a violation; between
``min_p_indeterminate`` and that, it is *indeterminate* and kept with its reasons (missing data
never reads as compliance). The result depends only on the inputs: ids are derived from the
incident and the rule, and everything is sorted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ceasewatch.adjudication.attribution import Ground, Priors, attribute
from ceasewatch.adjudication.incident_view import IncidentView, Spot, read_incident
from ceasewatch.adjudication.rules import place_rule, restricted_sightings
from ceasewatch.adjudication.taxonomy import category_of
from ceasewatch.adjudication.types import UNKNOWN, Finding, Violation
from ceasewatch.agreement.locate import Batch, Locator
from ceasewatch.agreement.types import Agreement, Rule
from ceasewatch.model.places import Gazetteer, PlaceDescription
from ceasewatch.model.time import from_ns

DELIBERATE_NOT_ASSESSED = (
    "not assessed: sensor data shows what was fired from where, not the intent behind it"
)


@dataclass(frozen=True)
class Settings:
    min_p_occurred: float = 0.5
    min_p_indeterminate: float = 0.05
    priors: Priors = Priors()


@dataclass(frozen=True)
class Adjudication:
    violations: tuple[Violation, ...]  # p_occurred ≥ min_p_occurred, by time then id
    indeterminate: tuple[Violation, ...]  # below it, kept with their reasons
    incidents: int
    clutter: int
    agreement: tuple[str, int, str]  # id, version, digest


def violation_id(incident_id: str, rule_id: str) -> str:
    return "vi-" + hashlib.sha256(f"{incident_id}\n{rule_id}".encode()).hexdigest()[:16]


def adjudicate(
    incidents: Sequence[Mapping[str, Any]],
    agreement: Agreement,
    *,
    records: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    locator: Locator | None = None,
    settings: Settings | None = None,
) -> Adjudication:
    """Adjudicate fused incidents (``incidents.jsonl`` dicts) under ``agreement``. ``records``
    (stream → records) lets the weapon class of a presence and the drone that brought an impact
    be looked up: ``detections`` and ``tracks``."""
    settings = settings or Settings()
    locator = locator or Locator(agreement, Gazetteer.default())
    by_id = _index(records or {})
    views = sorted((read_incident(item, by_id) for item in incidents), key=lambda v: v.incident_id)
    clutter = sum(1 for v in views if v.clutter)
    views = [v for v in views if not v.clutter]
    where = locate_spots(locator, [v.where for v in views])
    firing = locate_spots(locator, [v.firing or v.where for v in views])
    places = locator.gazetteer.describe_many(where.lon, where.lat) if locator.gazetteer else None
    parties = line_parties(agreement)
    sustained = _sustained(views)
    found: list[Violation] = []
    for i, view in enumerate(views):
        rules = agreement.rules_in_force(from_ns(view.t_ns))
        placements = [(r, place_rule(r, view, where, firing, i, agreement)) for r in rules]
        placed = [(r, p) for r, p in placements if p is not None]
        if not placed:
            continue
        ground = ground_at(where, i, agreement)
        firing_ground = ground_at(firing, i, agreement) if view.firing else None
        who = attribute(
            view.kind, parties, ground, firing_ground, view.firing_probability, settings.priors
        )
        for rule, placement in placed:
            by = 1.0
            if rule.by:
                by = sum(p for k, p in who.responsible if k in rule.by)
            happened, lone = _happened(view, rule, agreement, settings.priors)
            p_occurred = happened * view.weapon_confidence * placement.p_applies * by
            if p_occurred < settings.min_p_indeterminate:
                continue
            sector = int(where.sector[i])
            found.append(
                Violation(
                    violation_id=violation_id(view.incident_id, rule.id),
                    rule_id=rule.id,
                    incident_id=view.incident_id,
                    event_ids=view.event_ids,
                    t_ns=view.t_ns,
                    lon=view.where.lon,
                    lat=view.where.lat,
                    place=_place_text(places, i),
                    sector=where.sector_ids[sector] if sector >= 0 else None,
                    category=category_of(view.kind, rule.activity, drone_strike=view.drone_strike),
                    p_occurred=p_occurred,
                    responsible=who.responsible,
                    p_deliberate=None,
                    severity=str(rule.severity),
                    status="auto",
                    occurred=_occurred(view, rule.id, (*lone, *placement.reasons), by, rule.by),
                    who=Finding(who.reasons, _who_evidence(view)),
                    deliberate=Finding(
                        (DELIBERATE_NOT_ASSESSED, *sustained.get(view.incident_id, ())), ()
                    ),
                    weapon=view.weapon,
                    basis=who.basis,
                    evidence=tuple(
                        sorted({*(f"events:{e}" for e in view.event_ids), *view.evidence})
                    ),
                )  # fmt: skip
            )
    found.sort(key=lambda v: (v.t_ns, v.violation_id))
    return Adjudication(
        tuple(v for v in found if v.p_occurred >= settings.min_p_occurred),
        tuple(v for v in found if v.p_occurred < settings.min_p_occurred),
        len(views) + clutter,
        clutter,
        (agreement.id, agreement.version, agreement.digest),
    )


def _place_text(places: Sequence[PlaceDescription | None] | None, i: int) -> str | None:
    found = places[i] if places else None
    return found.text if found is not None else None


def _index(
    records: Mapping[str, Sequence[Mapping[str, Any]]],
) -> dict[str, dict[str, Mapping[str, Any]]]:
    keys = {"detections": "detection_id", "tracks": "track_id"}
    return {
        stream: {str(r.get(key)): r for r in records.get(stream, ())}
        for stream, key in keys.items()
    }


def locate_spots(locator: Locator, spots: Sequence[Spot]) -> Batch:
    return locator.batch(
        [s.lon for s in spots], [s.lat for s in spots], np.array([s.sigma_m for s in spots])
    )


def line_parties(agreement: Agreement) -> tuple[str, str]:
    if agreement.lines:
        first, second = agreement.lines[0].between
        return (str(first), str(second))
    held = [p.id for p in agreement.parties if p.area is not None][:2]
    return (str(held[0]), str(held[-1]))


def ground_at(batch: Batch, i: int, agreement: Agreement) -> Ground:
    control = {
        (UNKNOWN if k == batch.control_ids[-1] else k): float(batch.control[i, j])
        for j, k in enumerate(batch.control_ids)
    }
    likely = max(sorted(control), key=lambda k: control[k])
    words = f"{likely}-held ground" if likely != UNKNOWN else "ground no party holds"
    if batch.line_ids:
        distance_km = float(batch.line_distance_m[i, 0]) / 1000.0
        words += f", {distance_km:.1f} km from the line"
    if control[likely] < 0.99:
        words += f" (P={control[likely]:.2f} that {likely} holds it)"
    return Ground(control, words)


def _happened(
    view: IncidentView, rule: Rule, agreement: Agreement, priors: Priors
) -> tuple[float, tuple[str, ...]]:
    """P(it happened) from the sensors alone, and the reason when it is not the incident's own."""
    if view.kind != "presence" or restricted_sightings(rule, view, agreement) >= 2:
        return view.confidence, ()
    p = min(view.confidence, priors.presence_seen_once)
    return p, (
        f"the weapon was sighted only once; a lone sighting of a restricted weapon is real with "
        f"probability {priors.presence_seen_once:.2f} (fitted frequency): P={p:.2f}",
    )


def _occurred(
    view: IncidentView, rule_id: str, reasons: Sequence[str], by: float, rule_by: Sequence[str]
) -> Finding:
    said = [
        f"{view.kind} seen by the sensors with confidence {view.confidence:.2f}"
        + (f" ({len(view.event_ids)} located events)" if view.event_ids else ""),
        *reasons,
    ]
    if view.weapon and view.weapon_confidence < 1.0:
        said.append(f"{view.weapon} × {view.count}, class confidence {view.weapon_confidence:.2f}")
    if rule_by:
        said.append(f"rule {rule_id} concerns {', '.join(rule_by)} only: P={by:.2f}")
    evidence = tuple(sorted({*(f"events:{e}" for e in view.event_ids), *view.evidence}))
    return Finding(tuple(said), evidence)


def _who_evidence(view: IncidentView) -> tuple[str, ...]:
    return tuple(f"events:{e}" for e in view.event_ids) or view.evidence


def _sustained(views: Sequence[IncidentView]) -> dict[str, tuple[str, ...]]:
    """Context for the deliberate finding: rounds from one firing position within 30 minutes."""
    groups: dict[tuple[float, float, int], list[str]] = {}
    for v in views:
        if v.firing is not None and v.firing_probability >= 0.5:
            key = (round(v.firing.lon, 2), round(v.firing.lat, 2), v.t_ns // (1800 * 10**9))
            groups.setdefault(key, []).append(v.incident_id)
    out: dict[str, tuple[str, ...]] = {}
    for members in groups.values():
        if len(members) >= 3:
            for m in members:
                out[m] = (f"context: {len(members)} rounds from about the same firing position "
                          "within 30 minutes (sustained fire)",)  # fmt: skip
    return out
