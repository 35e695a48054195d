"""What was seen in a complaint's circle and window, and which complaints repeat an earlier one.

* **Inside the circle**: a spot of the violation's incident — its position, or its firing position
  when fusion paired a launch — lies within ``radius_m`` + 2σ of that spot (from its ellipse) +
  ``slack_m`` of the complaint's centre; a violation without an incident is placed at its own
  position. Fusion's own link (the incident lists the complaint) is noted in the reasons but is
  not enough: fusion widens the radius by the incident's whole spread, which can be tens of km.
* **Maybe inside**: a spot located worse than ``max_two_sigma_m`` (2σ) whose 2σ region reaches
  the circle (``rough``), or a launch whose impact was not found, within ``launch_reach_m`` of
  the circle (``reach``). Neither corroborates; both keep a complaint from being contradicted.
* **Inside the window**: the incident's span (and the violation's time) overlaps the alleged
  window widened by ``window_slack_s`` each side — ``presence_slack_s`` for weapons standing in a
  zone, which stay for hours.
* **Of the kind alleged**: fire (shelling, small arms, drone strikes, …) is matched with fire,
  weapons in a zone (``heavy_weapons``) with presences, flights with flights.
* **The same thing again**: the same party, alleged party and category, each centre inside the
  other's circle and the windows overlapping by at least ``duplicate_overlap`` of the shorter
  one, submitted later (ties by id).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ceasewatch.adjudication.complaints_detect import LayoutSettings
from ceasewatch.adjudication.complaints_read import Complaint, Seen, Spot
from ceasewatch.adjudication.types import Violation
from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.intervals import Meeting
from ceasewatch.model.time import NS_PER_S


@dataclass(frozen=True)
class AnswerSettings:
    slack_m: float = 250.0  # beyond the radius and the spot's 2σ
    max_two_sigma_m: float = 5000.0  # a spot located worse than this is only "maybe inside"
    launch_reach_m: float = 20_000.0  # a launch with no impact found may have hit this far
    window_slack_s: float = 600.0  # each side of the alleged window (fire; fusion uses ±10 min)
    presence_slack_s: float = 12 * 3600.0  # weapons in a zone stand for hours
    min_p_occurred: float = 0.5  # a violation that did not likely occur corroborates nothing
    attribution_p: float = 0.5  # the most likely party needs at least this (and a clear lead)
    observed_enough: float = 0.8  # nothing seen where this much was observed contradicts
    duplicate_overlap: float = 0.5  # share of the shorter window two duplicates must share
    # How likely a violation of the category, had it happened where and when the mechanism
    # observed, would have been found (1 for categories not named): shells are heard 10+ km
    # away; a drone's small charge less far; small-arms fire only within a few km of a sensor;
    # weapons standing in a zone only where and when drones fly.
    detectability: tuple[tuple[str, float], ...] = (
        ("drone_strike", 0.7),
        ("heavy_weapons", 0.5),
        ("small_arms", 0.5),
    )

    # With the run's coverage, fire of a category with a nominal loudness is judged from the
    # sensor layout instead (see complaints_detect); these are its settings.
    layout: LayoutSettings = LayoutSettings()

    def detectable(self, category: str) -> float:
        return dict(self.detectability).get(category, 1.0)


PRESENCE = frozenset({"heavy_weapons", "weapon_presence", "presence", "exceed_cap", "caps"})


@dataclass(frozen=True)
class Match:
    """A violation seen in a complaint's window near its circle."""

    violation: Violation
    seen: Seen | None
    how: str  # "inside" the circle; "rough" (may be inside); "reach" (a launch within reach)
    distance_m: float  # from the complaint's centre to the spot
    spot: str  # which spot: "position" (the incident's) or "firing position"
    two_sigma_m: float  # of that spot
    linked: bool  # fusion listed the complaint on the incident too


def complaint_family(category: str) -> str:
    if category in PRESENCE:
        return "presence"
    return "flight" if "flight" in category or "fly" in category else "fire"


def violation_family(violation: Violation, seen: Seen | None) -> str:
    if seen is not None and seen.kind in ("presence", "flight"):
        return seen.kind
    text = f"{violation.category} {violation.rule_id}"
    if text.startswith("weapon") or any(w in text for w in ("presence", "withdrawal", "cap")):
        return "presence"
    if "flight" in text or "fly" in text:
        return "flight"
    return "other" if "interference" in text or "jamming" in text else "fire"


@dataclass(frozen=True)
class _Entry:
    violation: Violation
    seen: Seen | None
    family: str
    spots: tuple[Spot, ...]
    t_lo_ns: int
    t_hi_ns: int


class Evidence:
    """The violations and clutter incidents, indexed for one question: what lies here, then?"""

    def __init__(
        self, violations: Sequence[Violation], seen: Mapping[str, Seen], settings: AnswerSettings
    ) -> None:
        self.settings = settings
        self.entries = [_entry(v, seen.get(v.incident_id), settings) for v in violations]
        self.clutter = [s for _, s in sorted(seen.items()) if s.clutter is not None]
        self._times = Meeting([e.t_lo_ns for e in self.entries], [e.t_hi_ns for e in self.entries])
        self._clutter_times = Meeting(
            [s.t_start_ns for s in self.clutter], [s.t_end_ns for s in self.clutter]
        )

    def matches(self, c: Complaint) -> list[Match]:
        """Violations that occurred (not dismissed, ``p_occurred`` high enough), of the kind
        alleged, in the window: inside the circle, possibly inside it (located too roughly), or
        launched within reach of it with no impact found; by violation id."""
        family = complaint_family(c.category)
        slack = self._slack_ns(family)
        window = self._times.meeting(c.t_start_ns - slack, c.t_end_ns + slack)
        entries = [e for e in (self.entries[int(i)] for i in window) if e.family == family]
        if not entries:
            return []
        spots = [p for e in entries for p in e.spots]  # one distance call for all of them
        distances = geodesic_distance_m(
            c.lon, c.lat, [p.lon for p in spots], [p.lat for p in spots]
        )
        cuts = np.cumsum([len(e.spots) for e in entries])[:-1]
        found: list[Match] = []
        for entry, distance in zip(entries, np.split(distances, cuts), strict=True):
            match = self._match(c, entry, distance)
            found += [match] if match is not None else []
        return found

    def _match(self, c: Complaint, entry: _Entry, distance: np.ndarray) -> Match | None:
        """``distance``: from the complaint's centre to each of the entry's spots."""
        s = self.settings
        spots = entry.spots
        beyond = distance - np.array([p.two_sigma_m for p in spots]) - s.slack_m
        rough = np.array([p.two_sigma_m > s.max_two_sigma_m for p in spots])
        linked = entry.seen is not None and c.complaint_id in entry.seen.complaint_ids
        launch = entry.seen is not None and entry.seen.kind == "launch"
        for how, ok in (
            ("inside", ~rough & (beyond <= c.radius_m)),
            ("rough", rough & (beyond <= c.radius_m)),
            ("reach", launch & (distance <= c.radius_m + s.launch_reach_m)),
        ):
            if ok.any():
                i = int(np.argmin(np.where(ok, beyond, np.inf)))
                spot = spots[i]
                return Match(
                    entry.violation, entry.seen, how, float(distance[i]), spot.what,
                    spot.two_sigma_m, linked,
                )  # fmt: skip
        return None

    def clutter_near(self, c: Complaint) -> list[tuple[Seen, float]]:
        """Clutter incidents (not violations: announced demining, quarries, field fires…)
        located inside the circle and window, with their distance."""
        s = self.settings
        slack = self._slack_ns("fire")
        out = []
        for index in self._clutter_times.meeting(c.t_start_ns - slack, c.t_end_ns + slack):
            seen = self.clutter[int(index)]
            spots = [p for p in seen.spots if p.two_sigma_m <= s.max_two_sigma_m]
            if not spots:
                continue
            lon, lat = [p.lon for p in spots], [p.lat for p in spots]
            distance = geodesic_distance_m(c.lon, c.lat, lon, lat)
            beyond = distance - np.array([p.two_sigma_m for p in spots]) - s.slack_m
            if beyond.min() <= c.radius_m:
                out.append((seen, float(distance[int(np.argmin(beyond))])))
        return out

    def _slack_ns(self, family: str) -> int:
        s = self.settings
        return int((s.presence_slack_s if family == "presence" else s.window_slack_s) * NS_PER_S)


def _entry(v: Violation, seen: Seen | None, settings: AnswerSettings) -> _Entry:
    eligible = v.status != "dismissed" and v.p_occurred >= settings.min_p_occurred
    if seen is None:
        spots: tuple[Spot, ...] = (Spot("position", v.lon, v.lat, 0.0),)
        lo = hi = v.t_ns
    else:
        spots = seen.spots
        if (v.lon, v.lat) not in {(p.lon, p.lat) for p in spots}:
            spots += (Spot("position", v.lon, v.lat, spots[0].two_sigma_m),)
        lo, hi = min(v.t_ns, seen.t_start_ns), max(v.t_ns, seen.t_end_ns)
    family = violation_family(v, seen) if eligible else "-"  # "-" matches nothing
    return _Entry(v, seen, family, spots, lo, hi)


def duplicates(complaints: Sequence[Complaint], settings: AnswerSettings) -> dict[str, str]:
    """Complaint id → the id of the first complaint it repeats (the head of its chain)."""
    first_of: dict[str, str] = {}
    earlier: dict[tuple[str, str, str], list[Complaint]] = defaultdict(list)
    for c in sorted(complaints, key=lambda c: (c.t_submitted_ns, c.complaint_id)):
        key = (c.party, c.alleged_party, c.category)
        for e in earlier[key]:
            if same_thing(e, c, settings):
                first_of[c.complaint_id] = first_of.get(e.complaint_id, e.complaint_id)
                break
        earlier[key].append(c)
    return first_of


def same_thing(a: Complaint, b: Complaint, settings: AnswerSettings) -> bool:
    minute = 60 * NS_PER_S  # the windows first: they are cheap and rule out nearly every pair
    overlap = min(a.t_end_ns, b.t_end_ns) - max(a.t_start_ns, b.t_start_ns) + minute
    shorter = min(a.t_end_ns - a.t_start_ns, b.t_end_ns - b.t_start_ns) + minute
    if overlap < settings.duplicate_overlap * shorter:
        return False
    distance = float(geodesic_distance_m(a.lon, a.lat, b.lon, b.lat)[0])
    return distance <= min(a.radius_m, b.radius_m)
