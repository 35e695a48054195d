"""Interference with the monitors, read from the sensors' own status reports.

The OSCE mission lost its drones to jamming and could say little more. Here a jamming shows
itself in the sensors' interference logs (``status.jsonl``: ``state: jammed``, ``reason:
interference``, sent once the link is back). One radio's log is as likely a fault as an attack;
several sensors near each other logging interference over the same time are an act.

**Episodes.** Interference periods of registered sensors are linked when the sensors stand
within :attr:`InterferenceSettings.link_m` of each other and the periods overlap in time; each
connected group is one episode, from its first start to its last end, placed at the mean
position of its sensors.

**Did it occur.** Each sensor's log is taken as independent evidence that is wrong (a fault, not
jamming) with probability :attr:`InterferenceSettings.fault_p`:
``p_occurred = 1 − fault_p ^ n`` for ``n`` sensors — one sensor alone stays indeterminate.

**Who.** The jammer's position is not measured (no direction finding). Jammers reach tens of
kilometres, so the ground at the centre of the jammed sensors is weak evidence: it gets
:attr:`InterferenceSettings.centre_weight` of the mass, spread by who holds that ground; the rest
is ``unknown``. **Deliberate**: not assessed, as for fire.

The verdicts have no fused events (``event_ids`` is empty); their evidence is the status records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ceasewatch.adjudication.adjudicate import (
    ground_at,
    line_parties,
    locate_spots,
    violation_id,
)
from ceasewatch.adjudication.coverage_inputs import RegisteredSensor
from ceasewatch.adjudication.incident_view import Spot
from ceasewatch.adjudication.types import UNKNOWN, Finding, Violation
from ceasewatch.agreement.locate import Locator
from ceasewatch.agreement.types import Activity, Agreement
from ceasewatch.fusion.sources.match import single_linkage
from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.time import format_ns, from_ns, parse_ns

JAMMING_NOT_ASSESSED = (
    "not assessed: interference logs show that sensors were jammed, not whether the mechanism "
    "was the target"
)


@dataclass(frozen=True)
class InterferenceSettings:
    link_m: float = 60_000.0  # sensors this close, jammed at once, are one episode
    fault_p: float = 0.6  # that one sensor's interference log is a fault, not jamming
    centre_weight: float = 0.4  # of responsibility given to the ground at the episode's centre


@dataclass(frozen=True)
class Jammed:
    status_id: str
    sensor: RegisteredSensor
    start_ns: int
    end_ns: int


@dataclass(frozen=True)
class Episode:
    logs: tuple[Jammed, ...]  # by start, then id

    @property
    def start_ns(self) -> int:
        return min(j.start_ns for j in self.logs)

    @property
    def end_ns(self) -> int:
        return max(j.end_ns for j in self.logs)

    @property
    def sensors(self) -> tuple[str, ...]:
        return tuple(sorted({j.sensor.sensor_id for j in self.logs}))

    @property
    def centre(self) -> tuple[float, float]:
        unique = {j.sensor.sensor_id: j.sensor for j in self.logs}.values()
        return (
            float(np.mean([s.lon for s in unique])),
            float(np.mean([s.lat for s in unique])),
        )

    @property
    def episode_id(self) -> str:
        ids = "\n".join(sorted(j.status_id for j in self.logs))
        return "if-" + hashlib.sha256(ids.encode()).hexdigest()[:16]


def interference_logs(
    status: Sequence[Mapping[str, Any]], sensors: Sequence[RegisteredSensor]
) -> list[Jammed]:
    """The interference logs of registered sensors, deduplicated by id, by start then id."""
    known = {s.sensor_id: s for s in sensors}
    found: dict[str, Jammed] = {}
    for r in status:
        if r.get("state") != "jammed" or r.get("reason") != "interference":
            continue
        sensor = known.get(str(r.get("sensor_id")))
        if sensor is None or "status_id" not in r:
            continue
        start = parse_ns(str(r["t_start"]), where=f"status {r['status_id']} t_start")
        end = parse_ns(str(r["t_end"]), where=f"status {r['status_id']} t_end")
        found.setdefault(str(r["status_id"]), Jammed(str(r["status_id"]), sensor, start, end))
    return sorted(found.values(), key=lambda j: (j.start_ns, j.status_id))


def episodes(logs: Sequence[Jammed], link_m: float) -> list[Episode]:
    """Connected groups of logs: near in space (``link_m``) and overlapping in time."""

    def joined(a: Jammed, b: Jammed) -> bool:
        near = geodesic_distance_m(a.sensor.lon, a.sensor.lat, b.sensor.lon, b.sensor.lat)
        return float(near[0]) <= link_m and a.start_ns < b.end_ns and b.start_ns < a.end_ns

    groups = single_linkage(logs, joined, lambda a, b: b.start_ns >= a.end_ns)
    found = [Episode(tuple(g)) for g in groups]
    return sorted(found, key=lambda e: (e.start_ns, e.episode_id))


def interference_verdicts(
    status: Sequence[Mapping[str, Any]],
    sensors: Sequence[RegisteredSensor],
    agreement: Agreement,
    locator: Locator,
    settings: InterferenceSettings | None = None,
) -> list[Violation]:
    """One verdict per episode and interference rule in force (violations and indeterminate
    alike; the caller splits them at its threshold)."""
    settings = settings or InterferenceSettings()
    found = episodes(interference_logs(status, sensors), settings.link_m)
    if not found:
        return []
    spots = [Spot(*e.centre, settings.link_m / 2) for e in found]
    where = locate_spots(locator, spots)
    places = locator.gazetteer.describe_many(where.lon, where.lat) if locator.gazetteer else None
    parties = line_parties(agreement)
    verdicts = []
    for i, episode in enumerate(found):
        rules = [r for r in agreement.rules_in_force(from_ns(episode.start_ns))
                 if r.activity is Activity.INTERFERENCE]  # fmt: skip
        if not rules:
            continue
        ground = ground_at(where, i, agreement)
        n = len(episode.sensors)
        p = 1.0 - settings.fault_p**n
        responsible = _responsible(ground.control, parties, settings.centre_weight)
        evidence = tuple(sorted(f"status:{j.status_id}" for j in episode.logs))
        span = f"{format_ns(episode.start_ns, 0)} to {format_ns(episode.end_ns, 0)}"
        occurred = (
            f"{n} sensor{'s' if n != 1 else ''} logged interference from {span}; each log "
            f"alone is a fault rather than jamming with probability {settings.fault_p:.1f}: "
            f"P={p:.2f}",
        )
        who = (
            "the jammer's position is not measured (no direction finding); the jammed sensors' "
            f"centre lies on {ground.words}, weighed {settings.centre_weight:.1f}; the rest is "
            "unknown",
        )
        place = places[i] if places else None
        sector = int(where.sector[i])
        for rule in rules:
            verdicts.append(
                Violation(
                    violation_id=violation_id(episode.episode_id, rule.id),
                    rule_id=rule.id,
                    incident_id=episode.episode_id,
                    event_ids=(),
                    t_ns=episode.start_ns,
                    lon=episode.centre[0],
                    lat=episode.centre[1],
                    place=place.text if place is not None else None,
                    sector=where.sector_ids[sector] if sector >= 0 else None,
                    category="interference",
                    p_occurred=p,
                    responsible=responsible,
                    p_deliberate=None,
                    severity=str(rule.severity),
                    status="auto",
                    occurred=Finding(occurred, evidence),
                    who=Finding(who, evidence),
                    deliberate=Finding((JAMMING_NOT_ASSESSED,), ()),
                    basis="interference",
                    evidence=evidence,
                )
            )
    return verdicts


def _responsible(
    control: Mapping[str, float], parties: Sequence[str], weight: float
) -> tuple[tuple[str, float], ...]:
    shares = {p: weight * control.get(p, 0.0) for p in parties}
    shares[UNKNOWN] = 1.0 - sum(shares.values())
    return tuple((k, round(v, 6)) for k, v in shares.items())
