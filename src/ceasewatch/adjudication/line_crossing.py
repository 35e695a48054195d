"""Ground taken across the line as violations of the line itself (rules that forbid crossing).

Input: the line-change records that ``ceasewatch line diff --json`` writes (GeoJSON Features of
format ``ceasewatch.line-change/1``: ``change_id``, ``party_gained``, ``area_km2``, ``position``,
``t_from``, ``t_to``, ``place``, ``oblast``). For every change and every rule in force at ``t_to``
that forbids ``crossing`` and binds the party that gained — anywhere, or in a named zone with an
explicit area that holds the change's position (zones derived as bands from the line are not
resolved here) — one verdict:

- *occurred*: ``P_MAP_CHANGE`` (0.8) — a change between two open-source control maps is evidence
  that ground changed hands, not proof; it waits for an analyst (status ``auto``). Noise
  (slivers, pieces under the minimum area) never reaches this stage: ``line diff`` drops it.
- *who*: the party that gained the ground, ``P_GAINER`` (0.9); the rest unknown (the map does
  not say whether the other side withdrew first).
- *deliberate*: not assessed.

The verdict's time is the start of ``t_to`` (UTC): the crossing happened between the two maps,
and the window is in the reasons. Maps older than the rule's ``effective_from`` give no verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ceasewatch.adjudication.adjudicate import violation_id
from ceasewatch.adjudication.types import UNKNOWN, Finding, Violation
from ceasewatch.agreement.types import Activity, Agreement, Where, WhereKind
from ceasewatch.errors import InputError
from ceasewatch.model.time import to_ns

P_MAP_CHANGE = 0.8
P_GAINER = 0.9
FORMAT = "ceasewatch.line-change/1"
NOT_ASSESSED = "whether the advance was deliberate is not assessed from control maps"


def _day(text: str, change_id: str) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        raise InputError(
            f"line change {change_id}: t_to {text!r} is not a date. Fix: give YYYY-MM-DD "
            "(ceasewatch line diff takes it from the map's file name)"
        ) from None


def _where_applies(rule_where: Where, position: tuple[float, float], agreement: Agreement) -> bool:
    if rule_where.kind is WhereKind.ANYWHERE:
        return True
    if rule_where.kind is WhereKind.ZONES:
        from shapely.geometry import Point

        point = Point(position)
        wanted = set(rule_where.ids)
        return any(
            z.area is not None and z.area.covers(point)
            for z in agreement.zones
            if str(z.id) in wanted
        )
    return False


def _sector(agreement: Agreement, lon: float, lat: float) -> str | None:
    """The first sector whose area holds the point (the order ``Locator`` uses), if any."""
    from shapely.geometry import Point

    point = Point(lon, lat)
    return next((str(s.id) for s in agreement.sectors if s.area.covers(point)), None)


def line_change_verdicts(
    changes: Sequence[Mapping[str, Any]], agreement: Agreement
) -> list[Violation]:
    """One verdict per line change and crossing rule in force that binds the party that gained."""
    verdicts = []
    for feature in changes:
        props = feature.get("properties", feature)
        if props.get("format") != FORMAT:
            raise InputError(
                f"line change {props.get('change_id', '?')}: format {props.get('format')!r} is "
                f"not {FORMAT}. Fix: write the changes with ceasewatch line diff --json"
            )
        change_id, gainer = str(props["change_id"]), str(props["party_gained"])
        lon, lat = (float(v) for v in props["position"])
        day = _day(str(props["t_to"]), change_id)
        for rule in agreement.rules_in_force(day):
            if rule.activity is not Activity.CROSSING:
                continue
            if rule.by and gainer not in {str(p) for p in rule.by}:
                continue
            if not _where_applies(rule.where, (lon, lat), agreement):
                continue
            evidence = (f"line-changes:{change_id}",)
            place = str(props.get("place") or "") or None
            window = f"between the maps of {props.get('t_from') or '?'} and {props['t_to']}"
            occurred = (
                f"{gainer} holds {float(props['area_km2']):.1f} km² it did not hold {window}"
                f"{f' ({place})' if place else ''}; control maps are open-source judgments: "
                f"P={P_MAP_CHANGE:.1f} until an analyst verifies",
            )
            who = (f"the ground was gained by {gainer}: weighed {P_GAINER:.1f}; the rest unknown",)
            verdicts.append(
                Violation(
                    violation_id=violation_id(change_id, rule.id),
                    rule_id=rule.id,
                    incident_id=change_id,
                    event_ids=(),
                    t_ns=to_ns(day),
                    lon=lon,
                    lat=lat,
                    place=place,
                    sector=_sector(agreement, lon, lat),
                    category="crossing/ground",
                    p_occurred=P_MAP_CHANGE,
                    responsible=((gainer, P_GAINER), (UNKNOWN, round(1.0 - P_GAINER, 6))),
                    p_deliberate=None,
                    severity=str(rule.severity),
                    status="auto",
                    occurred=Finding(occurred, evidence),
                    who=Finding(who, evidence),
                    deliberate=Finding((NOT_ASSESSED,), ()),
                    basis="line_change",
                    evidence=evidence,
                    extra={"area_km2": float(props["area_km2"]), "t_from": props.get("t_from")},
                )
            )
    return sorted(verdicts, key=lambda v: (v.t_ns, v.violation_id))
