"""The categories violations are counted in, compatible with the OSCE monitors' reports.

The OSCE Special Monitoring Mission counted ceasefire violations as explosions (by subtype:
impacts, outgoing fire, undetermined, airbursts), projectiles, bursts and shots of small-arms
fire, weapons in violation of withdrawal lines, weapons outside storage sites, live-fire
training, drones in no-fly areas, damage to civilian objects, and restrictions of and
interference with the monitors. :data:`CATEGORIES` keeps those; :func:`category_of` gives the
category of one verdict from the incident's kind and the rule's activity.

Each category also names the ACLED event and sub-event type and the UCDP GED type of violence it
maps to, so exports never invent their own mapping (adjudication/exports.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ceasewatch.agreement.types import Activity


@dataclass(frozen=True)
class Category:
    id: str
    osce: str  # the wording of the OSCE reports
    acled_event_type: str
    acled_sub_event_type: str
    ucdp_type_of_violence: int  # 1 state-based conflict; 2 non-state; 3 one-sided


_REMOTE = "Explosions/Remote violence"
_STRATEGIC = "Strategic developments"

CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category("explosion/impact", "explosion (impact)", _REMOTE,
                 "Shelling/artillery/missile attack", 1),
        Category("explosion/launch", "explosion (outgoing fire)", _REMOTE,
                 "Shelling/artillery/missile attack", 1),
        Category("explosion/undetermined", "undetermined explosion", _REMOTE,
                 "Shelling/artillery/missile attack", 1),
        Category("explosion/airburst", "explosion (airburst)", _REMOTE,
                 "Shelling/artillery/missile attack", 1),
        Category("explosion/drone", "explosion (munition dropped from a drone)", _REMOTE,
                 "Air/drone strike", 1),
        Category("projectile", "projectile (in flight)", _REMOTE,
                 "Shelling/artillery/missile attack", 1),
        Category("burst", "burst of small-arms or heavy machine-gun fire", "Battles",
                 "Armed clash", 1),
        Category("weapon/withdrawal", "weapon in violation of withdrawal lines", _STRATEGIC,
                 "Disrupted weapons use", 1),
        Category("weapon/outside_storage", "weapon missing from or outside a storage site",
                 _STRATEGIC, "Disrupted weapons use", 1),
        Category("live_fire_training", "live-fire training", _STRATEGIC, "Other", 1),
        Category("drone/no_fly", "drone or aircraft in a no-fly area", _STRATEGIC, "Other", 1),
        Category("damage/civilian", "damage to civilian objects", _REMOTE,
                 "Shelling/artillery/missile attack", 1),
        Category("crossing/ground", "ground taken across the line", _STRATEGIC,
                 "Non-violent transfer of territory", 1),
        Category("interference", "restriction of or interference with the monitors",
                 _STRATEGIC, "Other", 1),
        Category("other", "other violation of the agreement", _STRATEGIC, "Other", 1),
    )
}  # fmt: skip


def category_of(incident_kind: str, activity: Activity, *, drone_strike: bool = False) -> str:
    """The category id of a verdict on an incident of ``incident_kind`` under a rule that
    forbids ``activity``."""
    if activity is Activity.FIRE:
        if drone_strike:
            return "explosion/drone"
        return {
            "shot": "explosion/impact",
            "impact": "explosion/impact",
            "launch": "explosion/launch",
            "blast": "explosion/undetermined",
            "unknown": "explosion/undetermined",
            "fire": "damage/civilian",
        }.get(incident_kind, "explosion/undetermined")
    if activity is Activity.WEAPON_PRESENCE:
        return "weapon/withdrawal"
    if activity is Activity.FLIGHT:
        return "drone/no_fly"
    if activity is Activity.INTERFERENCE:
        return "interference"
    if activity is Activity.CROSSING:
        return "crossing/ground"
    return "other"
