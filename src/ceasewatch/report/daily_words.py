"""The words of a daily report: the graded confidence scale, how categories and weapons read,
and place wording for a group of violations ("2–3 km SE of Horlivka (Горлівка)").

Everything here is a pure function of its arguments; the scale is written once and printed in
every report, so a reader can check what "very likely" means.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal
from difflib import SequenceMatcher

CONFIDENCE_SCALE: tuple[tuple[float, str], ...] = (
    (0.95, "almost certainly"),
    (0.80, "very likely"),
    (0.60, "likely"),
    (0.0, "about even"),
)
"""(lowest probability, words), from the strongest down; the first whose bound is met applies."""

CATEGORY_WORDS = {
    "explosion/impact": "explosions (impacts)",
    "explosion/launch": "explosions (outgoing fire)",
    "explosion/undetermined": "undetermined explosions",
    "explosion/airburst": "explosions (airbursts)",
    "explosion/drone": "munitions dropped from drones",
    "projectile": "projectiles in flight",
    "burst": "bursts of small-arms or heavy machine-gun fire",
    "weapon/withdrawal": "weapons in violation of withdrawal lines",
    "weapon/outside_storage": "weapons outside storage sites",
    "live_fire_training": "live-fire trainings",
    "drone/no_fly": "drones or aircraft in a no-fly area",
    "damage/civilian": "cases of damage to civilian objects",
    "interference": "acts of interference with the monitors",
}

WEAPON_WORDS = {
    "artillery_ge_100mm": "artillery of 100 mm or more",
    "artillery_lt_100mm": "artillery under 100 mm",
    "mortar": "mortar",
    "mlrs": "multiple-launch rockets",
    "tank": "tank guns",
    "small_arms": "small arms",
    "drone": "drones",
}

BASIS_WORDS = {
    "firing_position": "firing position located",
    "launch": "outgoing fire heard at the launch point",
    "impact_only": "no firing position found; attributed from the impact's side of the line",
    "presence": "weapons seen on the party's ground",
    "flight": "flight track only (weak)",
}

_PLACE = re.compile(r"^(?P<km>\d+) km (?P<compass>[NSEW]{1,3}) of (?P<town>.+)$")
_UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")
_NOT_UKRAINIAN = frozenset("ыэъёЫЭЪЁўЎӳһҺ")


def confidence_words(p: float) -> str:
    """The graded words for probability ``p`` (0–1)."""
    p = round(p, 9)  # a mean of 0.95s is 0.95, not 0.9499999999999998
    for bound, words in CONFIDENCE_SCALE:
        if p >= bound:
            return words
    return CONFIDENCE_SCALE[-1][1]


def probability_figure(p: float) -> str:
    """``p`` to two decimals, cut rather than rounded ("0.94" for 0.9496), so that the figure
    printed beside the words reads as the same grade of the scale as ``p`` itself."""
    cut = Decimal(repr(round(p, 9))).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    return f"{cut:.2f}"


def scale_text() -> tuple[str, ...]:
    """The scale as printed in the report, one line per grade."""
    lines, upper = [], None
    for bound, words in CONFIDENCE_SCALE:
        span = f"{bound:.2f} or more" if upper is None else f"{bound:.2f} to under {upper:.2f}"
        if bound == 0.0:
            span = f"under {upper:.2f}" if upper is not None else "any"
        lines.append(f"{words}: probability {span}")
        upper = bound
    return tuple(lines)


def category_words(category: str, count: int = 2) -> str:
    """How ``count`` violations of ``category`` read ("explosions (impacts)", "1 burst…")."""
    words = CATEGORY_WORDS.get(category, category.replace("/", " ").replace("_", " "))
    return words if count != 1 else CATEGORY_ONE.get(category, words)


CATEGORY_ONE = {
    "explosion/impact": "explosion (impact)",
    "explosion/launch": "explosion (outgoing fire)",
    "explosion/undetermined": "undetermined explosion",
    "explosion/airburst": "explosion (airburst)",
    "explosion/drone": "munition dropped from a drone",
    "projectile": "projectile in flight",
    "burst": "burst of small-arms or heavy machine-gun fire",
    "weapon/withdrawal": "weapon in violation of withdrawal lines",
    "weapon/outside_storage": "weapon outside a storage site",
    "live_fire_training": "live-fire training",
    "drone/no_fly": "drone or aircraft in a no-fly area",
    "damage/civilian": "case of damage to civilian objects",
    "interference": "act of interference with the monitors",
}


def weapon_words(weapon: str | None) -> str:
    if not weapon or weapon == "unknown":
        return ""
    return WEAPON_WORDS.get(weapon, weapon.replace("_", " "))


def ukrainian_name(names: Sequence[str], latin: str = "") -> str | None:
    """The Ukrainian form among a settlement's Cyrillic names (GeoNames does not tag the
    language): of the names with no letter Ukrainian lacks, the one whose transliteration is
    closest to ``latin`` (so "Bakhmut" gives "Бахмут", not the Soviet-era "Артемівськ"),
    names with a letter only Ukrainian uses first."""
    fitting = [n for n in names if not set(n) & _NOT_UKRAINIAN]
    if not fitting:
        return None

    def score(name: str) -> tuple[float, bool]:
        close = SequenceMatcher(None, _latin(name), latin.lower()).ratio() if latin else 0.0
        return (round(close, 1), bool(set(name) & _UKRAINIAN_LETTERS))

    best = max(fitting, key=score)
    return best if score(best)[0] >= 0.5 or (not latin and score(best)[1]) else None


_TRANSLIT = dict(
    zip(
        "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'’",
        (
            "a",
            "b",
            "v",
            "h",
            "g",
            "d",
            "e",
            "ie",
            "zh",
            "z",
            "y",
            "i",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "_",
            "iu",
            "ia",
            "_",
            "_",
        ),  # fmt: skip
        strict=True,
    )
)


def _latin(name: str) -> str:
    return "".join(_TRANSLIT.get(c, c) for c in name.lower()).replace("_", "")


def place_range(places: Sequence[str | None], cyrillic: dict[str, str]) -> str:
    """One wording for the places of a group of violations: "2–3 km SE of Horlivka
    (Горлівка)" when they all lie in one direction from one town, else the wording of the most
    of them "and nearby" (the range is of those in that direction only).

    ``cyrillic`` maps a town's Latin name to its Ukrainian spelling, added in brackets.
    """
    known = [p for p in places if p]
    if not known:
        return "at a place not described by the gazetteer"
    towns = Counter(_town(p) for p in known)
    town, _ = max(towns.items(), key=lambda kv: (kv[1], kv[0]))
    near = [p for p in known if _town(p) == town]
    named = town + (f" ({cyrillic[town]})" if town in cyrillic else "")
    inside = [p for p in near if p.startswith("in ")]
    parsed = [m for m in (_PLACE.match(p) for p in near) if m]
    if len(inside) >= len(parsed):
        text, told = f"in {named}", len(inside)
    else:
        compass = Counter(m["compass"] for m in parsed).most_common(1)[0][0]
        kms = sorted(int(m["km"]) for m in parsed if m["compass"] == compass)
        span = f"{kms[0]}" if kms[0] == kms[-1] else f"{kms[0]}–{kms[-1]}"
        text, told = f"{span} km {compass} of {named}", len(kms)
    return text if told == len(places) else f"{text} and nearby"


def _town(place: str) -> str:
    match = _PLACE.match(place)
    if match:
        return match["town"]
    return place[3:] if place.startswith("in ") else place


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"
