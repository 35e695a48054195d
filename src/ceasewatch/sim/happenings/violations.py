"""Which rules of the agreement each happening really broke: the truth that adjudication is
scored against.

A rule applies to a happening when it is in force at the happening's time, forbids its activity
(fire: shots, bursts, drone strikes and training fire; weapon presence; flight; interference),
concerns its party and weapon, and the happening is in the rule's place: anywhere; the weapon's
own withdrawal zone on its party's side; named zones; or protected sites (with their radius).
For fire, both the firing position and the impact count; a declared exception (``unless``)
exempts fire only when both lie inside it. Positions are exact here (no uncertainty).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ceasewatch.agreement.locate import Batch, Locator
from ceasewatch.agreement.types import Activity, Agreement, Rule, Where, WhereKind
from ceasewatch.model.time import from_ns
from ceasewatch.sim.base import Happening, HappeningKind

ACTIVITY_OF = {
    HappeningKind.SHOT: Activity.FIRE,
    HappeningKind.BURST: Activity.FIRE,
    HappeningKind.DRONE_STRIKE: Activity.FIRE,
    HappeningKind.TRAINING: Activity.FIRE,
    HappeningKind.WEAPON_PRESENCE: Activity.WEAPON_PRESENCE,
    HappeningKind.FLIGHT: Activity.FLIGHT,
    HappeningKind.INTERFERENCE: Activity.INTERFERENCE,
}


def violated_rules(
    agreement: Agreement, locator: Locator, happenings: Sequence[Happening]
) -> list[tuple[str, ...]]:
    """The rule ids each happening breaks, in the agreement's order of rules."""
    if not happenings:
        return []
    impact = locator.batch(
        [h.impact[0] for h in happenings], [h.impact[1] for h in happenings], 0.0
    )
    launch_xy = [h.launch or h.impact for h in happenings]
    launch = locator.batch([p[0] for p in launch_xy], [p[1] for p in launch_xy], 0.0)
    has_launch = np.array([h.launch is not None for h in happenings])
    found: list[list[str]] = [[] for _ in happenings]
    for rule in agreement.rules:
        for i, happening in enumerate(happenings):
            if not _concerns(rule, happening):
                continue
            at_impact = _in_place(rule.where, happening, impact, i, agreement)
            at_launch = has_launch[i] and _in_place(rule.where, happening, launch, i, agreement)
            if not (at_impact or at_launch):
                continue
            if rule.unless is not None:
                exempt = _in_place(rule.unless, happening, impact, i, agreement) and (
                    not has_launch[i] or _in_place(rule.unless, happening, launch, i, agreement)
                )
                if exempt:
                    continue
            found[i].append(rule.id)
    return [tuple(rules) for rules in found]


def _concerns(rule: Rule, happening: Happening) -> bool:
    if ACTIVITY_OF.get(happening.kind) is not rule.activity or happening.party is None:
        return False
    if not rule.in_force(from_ns(happening.t_ns)):
        return False
    if rule.by and happening.party not in rule.by:
        return False
    return not rule.weapons or happening.weapon in rule.weapons


def _in_place(
    where: Where, happening: Happening, batch: Batch, i: int, agreement: Agreement
) -> bool:
    if where.kind is WhereKind.ANYWHERE:
        return True
    if where.kind is WhereKind.WITHDRAWAL:
        zone = f"withdrawal/{happening.weapon}/{happening.party}"
        return zone in batch.zone_ids and batch.zone_p[i, batch.zone_ids.index(zone)] >= 0.5
    if where.kind is WhereKind.ZONES:
        return any(batch.zone_p[i, batch.zone_ids.index(z)] >= 0.5 for z in where.ids)
    return any(batch.site_p[i, batch.site_ids.index(s)] >= 0.5 for s in where.ids)
