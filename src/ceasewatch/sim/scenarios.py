"""Named scenarios: the parameters of the event processes and conditions of a run.

Rates are per hour over the whole line unless said otherwise; sector weights share the fire out
along the line (sectors of the agreement; others get weight 1). Figures of the named scenarios:

* ``quiet-day`` — tens of violations: a ceasefire that mostly holds.
* ``peak-day`` — the whole line on a day like 18 February 2022, when the OSCE recorded 1,566
  ceasefire violations, about 1,400 of them explosions: tens of thousands of raw records, with
  the seasonal clutter of February.
* ``escalation`` — 72 hours in which one sector climbs from sporadic fire to a bombardment of
  more than 2,300 explosions in about 6 hours (as near Zolote on 18 February 2020).
* ``jamming`` — a quiet day on which one party jams a busy sector for hours (radios, drone links),
  and fires under its cover.
* ``complaints`` — a quiet day on which one party floods the mechanism with false complaints.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ceasewatch.errors import NotFoundError


@dataclass(frozen=True)
class Episode:
    """A local escalation: extra fire missions in a stretch of the line for a while."""

    label: str
    sector: str  # sector id of the agreement where it is centred
    start_h: float
    duration_h: float
    missions_per_h: float
    half_width_m: float = 15_000.0  # along the line, around the sector's busiest point
    rounds_mean: float = 6.0


@dataclass(frozen=True)
class JammingSpec:
    label: str
    sector: str
    start_h: float
    duration_h: float
    radius_m: float
    by_party: str  # who jams (an interference violation)
    missions_per_h: float = 0.0  # fire under cover of the jamming


@dataclass(frozen=True)
class ComplaintSpec:
    true_share: float = 0.5  # share of the other party's violations a party complains about
    false_per_day: float = 2.0  # fabricated complaints per party per day
    misattributed_per_day: float = 1.0  # own fire blamed on the other party
    duplicate_share: float = 0.1  # complaints sent twice under a new id
    flooding_party: str | None = None
    flood_false_per_day: float = 0.0


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    start: str  # RFC 3339
    hours: float
    missions_per_h: float
    rounds_mean: dict[str, float] = field(default_factory=dict)
    weapon_mix: dict[str, float] = field(default_factory=dict)
    party_share: float = 0.55  # share of missions started by the line's second party
    response_p: float = 0.5  # chance that a mission draws a response from the other side
    own_side_share: float = 0.02  # rounds that fall short, on the shooter's own side
    sector_weights: dict[str, float] = field(default_factory=dict)
    bursts_per_h: float = 1.0
    drone_strikes_per_h: float = 0.2
    presences: int = 4  # heavy weapons seen somewhere in the day (inside or beyond their zone)
    presence_violating_share: float = 0.5
    flights: int = 2
    quarry_sites: tuple[tuple[float, float], ...] = ()
    quarry_blasts_per_day: float = 2.0
    storms: int = 0
    demining_per_day: float = 1.0
    training_per_day: float = 1.0
    firms_scale: float = 1.0  # fire clutter relative to the 2021 baseline of the season
    episodes: tuple[Episode, ...] = ()
    jamming: tuple[JammingSpec, ...] = ()
    outage_share: float = 0.03  # share of sensors with an outage during the run
    complaints: ComplaintSpec = ComplaintSpec()


WEAPON_MIX = {
    "mortar": 0.45,
    "artillery_lt_100mm": 0.10,
    "artillery_ge_100mm": 0.30,
    "mlrs": 0.08,
    "tank": 0.07,
}
ROUNDS_MEAN = {
    "mortar": 5.0,
    "artillery_lt_100mm": 4.0,
    "artillery_ge_100mm": 3.5,
    "mlrs": 10.0,
    "tank": 3.0,
}
SECTOR_WEIGHTS = {
    "donetsk": 5.0,
    "luhansk": 1.5,
    "kharkiv": 2.0,
    "zaporizhzhia": 2.0,
    "kherson": 1.5,
    "dnipropetrovsk": 1.0,
    "sumy": 0.7,
}
# Quarries near the line: the Dokuchaievsk flux-dolomite pits and the Komysh-Zoria granite
# quarries (approximate positions), blasted by day.
QUARRIES = ((37.74, 47.76), (36.47, 47.40), (37.55, 48.86))

QUIET_DAY = Scenario(
    name="quiet-day",
    description="A ceasefire that mostly holds: tens of violations along the whole line.",
    start="2026-02-18T00:00:00Z",
    hours=24.0,
    missions_per_h=0.25,
    bursts_per_h=0.6,
    drone_strikes_per_h=0.15,
    rounds_mean=ROUNDS_MEAN,
    weapon_mix=WEAPON_MIX,
    sector_weights=SECTOR_WEIGHTS,
    quarry_sites=QUARRIES,
)

SCENARIOS: dict[str, Scenario] = {
    "quiet-day": QUIET_DAY,
    "peak-day": replace(
        QUIET_DAY,
        name="peak-day",
        description="The whole line on a day like 18 February 2022 (OSCE: 1,566 violations, "
        "about 1,400 explosions), with February's clutter.",
        missions_per_h=7.9,
        bursts_per_h=5.5,
        drone_strikes_per_h=1.0,
        presences=16,
        flights=8,
    ),
    "escalation": replace(
        QUIET_DAY,
        name="escalation",
        description="72 hours in which one sector climbs to a bombardment of more than 2,300 "
        "explosions in about 6 hours (as near Zolote on 18 February 2020).",
        hours=72.0,
        missions_per_h=0.6,
        episodes=(
            Episode("first-exchanges", "luhansk", 20.0, 6.0, 3.0),
            Episode("escalation", "luhansk", 40.0, 8.0, 12.0),
            Episode("bombardment", "luhansk", 60.0, 6.0, 65.0),
        ),
    ),
    "jamming": replace(
        QUIET_DAY,
        name="jamming",
        description="One party jams a busy sector for six hours and fires under its cover.",
        jamming=(JammingSpec("blackout", "donetsk", 8.0, 6.0, 30_000.0, "RU", 4.0),),
    ),
    "complaints": replace(
        QUIET_DAY,
        name="complaints",
        description="One party floods the mechanism with false complaints.",
        complaints=ComplaintSpec(flooding_party="RU", flood_false_per_day=60.0),
    ),
}


def scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        known = ", ".join(SCENARIOS)
        raise NotFoundError(f"no scenario {name!r}; the scenarios are: {known}") from None
