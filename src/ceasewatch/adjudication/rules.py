"""Does an incident fall under a rule, and with what probability: activity, weapon, place, the
rule's exceptions — three-valued through probabilities, never "compliant" for lack of data.

A rule applies to an incident whose kind shows the activity it forbids (fire: a shot, an impact,
a launch, a blast; weapon presence: weapons seen standing; flight: a drone or aircraft track).
Where: ``anywhere``; ``withdrawal`` — the weapon's own withdrawal zone on the side of the party
holding the ground, ``Σ_party C(party) · P(zone of that party)``; named zones or protected sites,
with the probability the position (with its error) lies inside. For fire, the impact and the
firing position both count, as in the simulator's truth:
``P = 1 − (1 − P_impact)(1 − q · P_firing)``. A declared exception (``unless``) exempts fire
only when the impact and the firing position both lie inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ceasewatch.adjudication.incident_view import IncidentView
from ceasewatch.agreement.locate import Batch
from ceasewatch.agreement.types import Activity, Agreement, Rule, Where, WhereKind

FIRE_KINDS = frozenset({"shot", "impact", "launch", "blast", "unknown"})
ACTIVITY_KINDS = {
    Activity.FIRE: FIRE_KINDS,
    Activity.WEAPON_PRESENCE: frozenset({"presence"}),
    Activity.FLIGHT: frozenset({"flight"}),
}
"""The activities the current sources can show, and the incident kinds that show them. Crossing,
fortification and caps need sources the mechanism does not have yet; interference is read from
the sensors' status reports (interference.py)."""


@dataclass(frozen=True)
class Placement:
    """How one incident stands against one rule."""

    p_applies: float  # activity, weapon and place, before "did it happen"
    reasons: tuple[str, ...]


def place_rule(
    rule: Rule,
    view: IncidentView,
    where: Batch,
    firing: Batch | None,
    i: int,
    agreement: Agreement,
) -> Placement | None:
    """How ``view`` (row ``i`` of the batches) stands against ``rule``; None when the rule cannot
    concern it at all (another activity, not in force)."""
    if view.kind not in ACTIVITY_KINDS.get(rule.activity, ()):
        return None
    reasons: list[str] = []
    p = 1.0
    if rule.weapons:
        if view.weapon is None:
            p *= 0.5
            reasons.append(f"the weapon is not known; the rule concerns {', '.join(rule.weapons)}")
        elif view.weapon not in rule.weapons and not (
            rule.activity is Activity.FLIGHT and view.weapon == "uav"
        ):
            return None
    if rule.activity is Activity.WEAPON_PRESENCE and view.weapon is None:
        return None
    p_in, words = _in_place(rule.where, view, where, firing, i, agreement)
    if p_in <= 0.0:
        return None
    p *= p_in
    if words:
        reasons.append(words)
    if rule.unless is not None and rule.activity is Activity.FIRE:
        exempt_where, _ = _at(rule.unless, where, i)
        exempt_firing = (
            _at(rule.unless, firing, i)[0] if firing is not None and view.firing else exempt_where
        )
        exempt = exempt_where * exempt_firing
        if exempt > 0.001:
            reasons.append(f"inside a declared exception ({_ids(rule.unless)}) with P={exempt:.2f}")
        p *= 1.0 - exempt
    return Placement(p, tuple(reasons))


def restricted_sightings(rule: Rule, view: IncidentView, agreement: Agreement) -> int:
    """How many of the drone sightings of a presence show a weapon ``rule`` restricts: the
    rule's own weapons, or for ``withdrawal`` the classes with a withdrawal distance (any class
    when the rule names none). A truck seen beside a launcher does not confirm the launcher."""
    if rule.weapons:
        restricted: set[str] = {str(w) for w in rule.weapons}
    elif rule.where.kind is WhereKind.WITHDRAWAL and agreement.withdrawal is not None:
        restricted = {str(w) for w, _, _ in agreement.withdrawal.distances_m}
    else:
        return len(view.sightings)
    return sum(1 for cls in view.sightings if cls in restricted)


def _in_place(
    place: Where,
    view: IncidentView,
    where: Batch,
    firing: Batch | None,
    i: int,
    agreement: Agreement,
) -> tuple[float, str]:
    if place.kind is WhereKind.ANYWHERE:
        return 1.0, ""
    if place.kind is WhereKind.WITHDRAWAL:
        return _withdrawal(view, where, i, agreement)
    p_where, named = _at(place, where, i)
    p_firing = 0.0
    if firing is not None and view.firing is not None:
        p_firing = view.firing_probability * _at(place, firing, i)[0]
    p = 1.0 - (1.0 - p_where) * (1.0 - p_firing)
    if p < 0.001:
        return 0.0, ""
    parts = []
    if p_where >= 0.001:
        parts.append(f"the {_point(view)} lies in {named} with P={p_where:.2f}")
    if p_firing >= 0.001:
        parts.append(f"the firing position lies in {named} with P={p_firing:.2f}")
    return p, "; ".join(parts)


def _withdrawal(
    view: IncidentView, where: Batch, i: int, agreement: Agreement
) -> tuple[float, str]:
    if agreement.withdrawal is None or view.weapon is None:
        return 0.0, ""
    p = 0.0
    words = []
    for k, party in enumerate(where.control_ids[:-1]):
        zone = f"withdrawal/{view.weapon}/{party}"
        if zone not in where.zone_ids:
            continue
        in_zone = float(where.zone_p[i, where.zone_ids.index(zone)])
        held = float(where.control[i, k])
        p += held * in_zone
        if held * in_zone >= 0.001:
            distance = next(
                d for w, q, d in agreement.withdrawal.distances_m if (w, q) == (view.weapon, party)
            )
            words.append(
                f"{view.weapon} seen within {distance / 1000:.0f} km of the line on {party}'s "
                f"side (P={held * in_zone:.2f})"
            )
    return p, "; ".join(words)


def _at(place: Where, batch: Batch, i: int) -> tuple[float, str]:
    """The probability the row lies in any of the zones or sites of ``place``, and their names."""
    if place.kind is WhereKind.ZONES:
        values = [float(batch.zone_p[i, batch.zone_ids.index(z)]) for z in place.ids]
    elif place.kind is WhereKind.SITES:
        values = [float(batch.site_p[i, batch.site_ids.index(s)]) for s in place.ids]
    else:
        return 1.0, "anywhere"
    return (max(values) if values else 0.0), _ids(place)


def _ids(place: Where) -> str:
    return ", ".join(place.ids)


def _point(view: IncidentView) -> str:
    return {"shot": "impact", "launch": "launch", "presence": "weapon"}.get(view.kind, view.kind)
