"""Party complaints: what each party alleges against the other, as ``complaints.jsonl``
(FORMATS.md) — some true, some false, some its own fire blamed on the other, some sent twice.

Not a sensor model: :func:`complaints` turns the happenings of a run into the complaints of
both parties under a :class:`~ceasewatch.sim.scenarios.ComplaintSpec`.

* **true** — the other party's violations that hit the complainant's side (its shots and
  drone strikes, except rounds that fell short on its own side; its small-arms bursts; its
  heavy weapons in their withdrawal zone) are grouped into incidents (same category, gaps of at
  most 30 min, within 3 km of the first; a weapon presence alone); the complainant complains
  about a share ``spec.true_share`` of them. Position: the first happening's place moved
  0.5–3 km; radius 1–5 km and at least 1.2 × that shift (the first happening lies inside);
  ``t_alleged``: the incident's time widened by up to an hour each side, to whole minutes;
  submitted 0.5–12 h after the window closes. ``happening_ids``: the incident; cause: its
  first happening.
* **false** — ``spec.false_per_day`` per party per day (plus ``spec.flood_false_per_day`` for
  ``spec.flooding_party``): 2–10 km from a place on the complainant's side where something
  happened in the run (its own firing positions, the other party's impacts), at a random time;
  redrawn until no violation by the other party lies within the radius during the window.
  No happening, cause None. (A run with nothing on a party's side gives it no false ones.)
* **misattributed** — ``spec.misattributed_per_day`` per party per day: the complainant's own
  fire (a round that fell short on its side, a firing position, a demining blast) blamed on
  the other party, at the same distance and time rules as true ones, and never where a real
  violation by the other party would make it true. Cause: that own happening.
* **duplicate** — each of the above is sent again with p = ``spec.duplicate_share``, 1–24 h
  later under a new id, otherwise identical; cause and happenings those of the first.

``complaint_id`` is ``<party>-<year>-<NNNN>``, numbered per party in order of submission.
``emission.truth[i] = {"truth": ..., "happening_ids": [...], "duplicate_of": id | None}``;
``phases[i]`` is the phase of the cause complained of (``impact``, ``launch``, ``blast``,
``presence``) or None. Complaints are delivered when submitted (``delay_s`` 0); those about
the last hours of a run may be submitted after its end. Texts place events with the
gazetteer's wording ("Shelling of the area 3 km SE of Vuhledar …"); pass the world's gazetteer
(loading the default one takes a second or two).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ceasewatch.model.geo import geodesic_forward, geodesic_inverse
from ceasewatch.model.places import Gazetteer
from ceasewatch.model.time import NS_PER_S, format_ns
from ceasewatch.sim.base import Emission, Happening, HappeningKind
from ceasewatch.sim.scenarios import ComplaintSpec

CATEGORY = {
    HappeningKind.SHOT: "shelling",
    HappeningKind.DRONE_STRIKE: "drone_strike",
    HappeningKind.BURST: "small_arms",
    HappeningKind.WEAPON_PRESENCE: "heavy_weapons",
}
PHASE = {
    "shelling": "impact",
    "drone_strike": "impact",
    "small_arms": "blast",
    "heavy_weapons": "presence",
}
WEAPON_WORDS = {
    "mortar": "mortars",
    "artillery_lt_100mm": "artillery under 100 mm",
    "artillery_ge_100mm": "122 mm and 152 mm artillery",
    "mlrs": "multiple rocket launchers",
    "tank": "tanks",
}
SHORT = "short round, own side"
ON_OWN_SIDE = frozenset(
    {HappeningKind.SHOT, HappeningKind.BURST, HappeningKind.WEAPON_PRESENCE, HappeningKind.DEMINING}
)
ACROSS = frozenset({HappeningKind.SHOT, HappeningKind.DRONE_STRIKE})
HOUR_NS = 3600 * NS_PER_S
MINUTE_NS = 60 * NS_PER_S


@dataclass
class _Draft:
    """A complaint before it is numbered."""

    party: str
    other: str
    category: str
    weapon: str | None
    where: tuple[float, float]
    radius_m: float
    window: tuple[int, int]
    submitted_ns: int
    truth: str
    ids: list[str]
    phase: str | None
    launch: tuple[float, float] | None = None
    duplicate_of: _Draft | None = None
    complaint_id: str = ""


def complaints(
    happenings: Sequence[Happening],
    parties: Sequence[str],
    spec: ComplaintSpec,
    start_ns: int,
    end_ns: int,
    rng: np.random.Generator,
    *,
    gazetteer: Gazetteer | None = None,
) -> Emission:
    """Both parties' complaints about a run (see the module)."""
    gazetteer = gazetteer or Gazetteer.default()
    days = (end_ns - start_ns) / (24 * HOUR_NS)
    drafts: list[_Draft] = []
    for party in parties:
        other = next(p for p in parties if p != party)
        against = [
            h for h in happenings if h.party == other and h.violations and h.kind in CATEGORY
        ]
        for incident in _incidents([h for h in against if h.notes != SHORT]):
            if rng.uniform() < spec.true_share:
                drafts.append(_true(party, other, incident, rng))
        anchors = [_place(h) for h in happenings if h.party == party and h.kind in ON_OWN_SIDE]
        anchors += [h.impact for h in against if h.kind in ACROSS and h.notes != SHORT]
        false_rate = spec.false_per_day
        if party == spec.flooding_party:
            false_rate += spec.flood_false_per_day
        for _ in range(int(rng.poisson(false_rate * days))):
            made = _false(party, other, anchors, against, start_ns, end_ns, rng)
            drafts += [made] if made else []
        own = [h for h in happenings if h.party == party and _own_fire(h)]
        for _ in range(int(rng.poisson(spec.misattributed_per_day * days))):
            made = _misattributed(party, other, own, against, rng)
            drafts += [made] if made else []
    for original in list(drafts):
        if rng.uniform() < spec.duplicate_share:
            later = original.submitted_ns + int(rng.uniform(1.0, 24.0) * HOUR_NS)
            drafts.append(
                replace(original, submitted_ns=later, truth="duplicate", duplicate_of=original)
            )
    drafts.sort(key=lambda d: (d.submitted_ns, d.party, d.where))
    numbers: dict[tuple[str, str], int] = {}
    for draft in drafts:
        year = format_ns(draft.submitted_ns, 0)[:4]
        numbers[(draft.party, year)] = numbers.get((draft.party, year), 0) + 1
        draft.complaint_id = f"{draft.party}-{year}-{numbers[(draft.party, year)]:04d}"
    emission = Emission("complaints")
    for draft in drafts:
        emission.truth[len(emission.records)] = {
            "truth": draft.truth,
            "happening_ids": list(draft.ids),
            "duplicate_of": draft.duplicate_of.complaint_id if draft.duplicate_of else None,
        }
        emission.add(
            _record(draft, gazetteer),
            draft.ids[0] if draft.ids else None,
            draft.phase if draft.ids else None,
            0.0,
        )
    return emission


def _incidents(violations: list[Happening]) -> list[list[Happening]]:
    """Greedy grouping: same category, at most 30 min after the incident's last happening,
    within 3 km of its first. A weapon presence is an incident of its own."""
    open_: list[list[Happening]] = []
    done: list[list[Happening]] = []
    for h in sorted(violations, key=lambda v: (_when(v), v.happening_id)):
        still: list[list[Happening]] = []
        for inc in open_:
            recent = _when(h) - _when(inc[-1]) <= 30 * MINUTE_NS
            (still if recent else done).append(inc)
        open_ = still
        same = [inc for inc in open_ if CATEGORY[inc[0].kind] == CATEGORY[h.kind]]
        if same and h.kind is not HappeningKind.WEAPON_PRESENCE:
            lon, lat = [i[0].impact[0] for i in same], [i[0].impact[1] for i in same]
            _, d = geodesic_inverse(lon, lat, h.impact[0], h.impact[1])
            if d.min() <= 3000.0:
                same[int(np.argmin(d))].append(h)
                continue
        open_.append([h])
    return sorted(done + open_, key=lambda inc: (_when(inc[0]), inc[0].happening_id))


def _true(party: str, other: str, incident: list[Happening], rng: np.random.Generator) -> _Draft:
    first = incident[0]
    category = CATEGORY[first.kind]
    where, radius = _moved(first.impact, 500.0, 3000.0, rng)
    if first.kind is HappeningKind.WEAPON_PRESENCE:
        seen = first.t_ns + int(rng.uniform(0.0, 1.0) * ((first.end_ns or first.t_ns) - first.t_ns))
        low, high = seen, seen
    else:
        low, high = _when(first), max(_when(h) for h in incident)
    window = _window(low, high, rng)
    submitted = window[1] + int(rng.uniform(0.5, 12.0) * HOUR_NS)
    ids = [h.happening_id for h in incident]
    return _Draft(
        party,
        other,
        category,
        first.weapon,
        where,
        radius,
        window,
        submitted,
        "true",
        ids,
        PHASE[category],
        first.launch,
    )


def _false(
    party: str,
    other: str,
    anchors: list[tuple[float, float]],
    against: list[Happening],
    start_ns: int,
    end_ns: int,
    rng: np.random.Generator,
) -> _Draft | None:
    if not anchors:
        return None
    categories = ("shelling", "small_arms", "drone_strike", "heavy_weapons")
    weights = np.array([0.6, 0.2, 0.1, 0.1])
    for _ in range(20):
        anchor = anchors[int(rng.integers(len(anchors)))]
        where, _ = _moved(anchor, 2000.0, 10000.0, rng)
        radius = float(round(rng.uniform(1000.0, 5000.0), -2))
        t = int(rng.uniform(start_ns, end_ns))
        window = _window(t, t, rng)
        if not _clashes(where, radius, window, against):
            category = categories[int(rng.choice(len(categories), p=weights))]
            weapon = str(rng.choice(sorted(WEAPON_WORDS)))
            submitted = window[1] + int(rng.uniform(0.5, 12.0) * HOUR_NS)
            return _Draft(
                party, other, category, weapon, where, radius, window, submitted, "false", [], None
            )
    return None


def _misattributed(
    party: str, other: str, own: list[Happening], against: list[Happening], rng: np.random.Generator
) -> _Draft | None:
    for _ in range(20 if own else 0):
        h = own[int(rng.integers(len(own)))]
        place, phase = _place(h), _own_phase(h)
        where, radius = _moved(place, 500.0, 2000.0, rng)
        window = _window(_when(h), _when(h), rng)
        if not _clashes(where, radius, window, against):
            submitted = window[1] + int(rng.uniform(0.5, 12.0) * HOUR_NS)
            return _Draft(
                party,
                other,
                "shelling",
                h.weapon,
                where,
                radius,
                window,
                submitted,
                "misattributed",
                [h.happening_id],
                phase,
            )
    return None


def _clashes(
    where: tuple[float, float], radius_m: float, window: tuple[int, int], against: list[Happening]
) -> bool:
    """True when a violation by the other party lies within the radius during the window."""
    during = [h for h in against if h.t_ns <= window[1] and _last(h) >= window[0]]
    if not during:
        return False
    points = [h.impact for h in during] + [h.launch for h in during if h.launch is not None]
    _, d = geodesic_inverse(where[0], where[1], [p[0] for p in points], [p[1] for p in points])
    return bool(d.min() <= radius_m)


def _record(draft: _Draft, gazetteer: Gazetteer) -> dict[str, object]:
    place = gazetteer.describe(*draft.where)
    at = place.text if place else f"at {draft.where[1]:.3f}N {draft.where[0]:.3f}E"
    area = f"the area {at}" if at[0].isdigit() else at.removeprefix("in ")
    weapons = WEAPON_WORDS.get(draft.weapon or "", "artillery")
    source = gazetteer.describe(*draft.launch) if draft.launch else None
    direction = f" from the direction of {source.settlement.name}" if source else ""
    text = {
        "shelling": f"Shelling of {area} with {weapons} by {draft.other} forces{direction}.",
        "small_arms": f"{draft.other} forces opened fire with small arms and heavy machine "
        f"guns on positions {at}.",
        "drone_strike": f"A {draft.other} drone dropped explosives {at}.",
        "heavy_weapons": f"{weapons.capitalize()} of the {draft.other} forces seen {at}, "
        "inside the withdrawal zone.",
    }[draft.category]
    return {
        "complaint_id": draft.complaint_id,
        "party": draft.party,
        "t_submitted": format_ns(draft.submitted_ns, 0),
        "t_alleged": [format_ns(draft.window[0], 0), format_ns(draft.window[1], 0)],
        "position": [round(draft.where[0], 6), round(draft.where[1], 6)],
        "radius_m": int(draft.radius_m),
        "alleged_party": draft.other,
        "category": draft.category,
        "text": text,
    }


def _moved(
    point: tuple[float, float], low_m: float, high_m: float, rng: np.random.Generator
) -> tuple[tuple[float, float], float]:
    """A point ``low_m``–``high_m`` away, and a radius of 1–5 km holding the original point."""
    shift = rng.uniform(low_m, high_m)
    lon, lat = geodesic_forward(point[0], point[1], rng.uniform(0.0, 360.0), shift)
    radius = float(np.ceil(max(rng.uniform(1000.0, 5000.0), 1.2 * shift) / 100.0) * 100.0)
    return (float(lon[0]), float(lat[0])), radius


def _window(low_ns: int, high_ns: int, rng: np.random.Generator) -> tuple[int, int]:
    start = low_ns - int(rng.uniform(0.0, 1.0) * HOUR_NS)
    end = high_ns + int(rng.uniform(0.0, 1.0) * HOUR_NS)
    return (start // MINUTE_NS * MINUTE_NS, -(-end // MINUTE_NS) * MINUTE_NS)


def _when(h: Happening) -> int:
    return h.t_impact_ns if h.kind is HappeningKind.SHOT else h.t_ns


def _last(h: Happening) -> int:
    return max(h.t_ns, h.t_impact_ns, h.end_ns or h.t_ns)


def _own_fire(h: Happening) -> bool:
    return h.kind is HappeningKind.DEMINING or (
        h.kind is HappeningKind.SHOT and h.launch is not None
    )


def _own_phase(h: Happening) -> str:
    if h.kind is HappeningKind.DEMINING:
        return "blast"
    return "impact" if h.notes == SHORT else "launch"


def _place(h: Happening) -> tuple[float, float]:
    """Where an own happening is heard on its own side: a short round's impact, a firing
    position, or the place of a burst, presence or blast."""
    if h.kind is HappeningKind.SHOT and h.notes != SHORT and h.launch is not None:
        return h.launch
    return h.impact
