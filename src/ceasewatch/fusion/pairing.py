"""Launch–impact pairing: which located launch fired which located impact.

An impact on one side of the line gets a firing position on the other only through this step,
so it is done by explicit physical priors and scored by likelihood:

* **Range.** A weapon class reaches at most its ``max_range_m`` (the agreement's
  ``weapon_classes``); within it the distance is taken as uniform.
* **Time of flight.** A projectile covers the distance at a class's mean speed along the
  trajectory (:data:`MEAN_SPEED_MPS`, with a spread of :data:`SPEED_SPREAD` of the mean for
  charge, elevation and drag), so ``Δt = d / v``; the timing errors of both events and their
  position errors (over the speed) add to the spread.
* **Background.** An impact that is not this launch's lands near it at the local density of
  impacts (those within :data:`BACKGROUND_M` and ±:data:`BACKGROUND_S`, one at least), not
  counting those within :data:`BURST_S` of it: those are its own fire mission's rounds (a salvo
  lands within seconds), the alternatives the one-to-one assignment already weighs, not chance.
  Counted, forty rockets of one salvo made each other too likely by chance to pair at all.
* **Same site.** Rounds of one battery leave one firing position; the probability that matters
  for attribution is that the impact came from *that position*, whichever round it was.

For launch *i* and impact *j*, ``LR_ij = P_pair · f(d, Δt | i fired j) / ((1 − P_pair) · b_j)``
(densities per square metre and second; ``f`` sums over classes). Pairs are chosen one to one
to maximise ``Σ log LR`` (``scipy.optimize.linear_sum_assignment`` on each connected group of
candidates, with a "not paired" option of ``LR = 1`` for every launch and impact). The
probability of a chosen pair is ``LR_ij / (1 + Σ_k LR_ik + Σ_{l≠i} LR_lj)``: the pair against
every other hypothesis for that launch or that impact; ``p_site`` sums, over the launches at the
same firing position (within :data:`SAME_SITE_M` plus their errors), the probability that the
impact came from one of them (``Σ_site LR_lj / (1 + Σ_l LR_lj)``). A radar track that saw both ends
(:class:`~ceasewatch.fusion.sources.base.Link`) fixes a pair before the assignment.

Mean speeds are rounded from published ranges and times of flight (e.g. a 120 mm mortar round
needs about 40 s for 7 km, a 152 mm shell about 45–60 s for 20 km, a 122 mm Grad rocket about
35–40 s for 20 km); they are priors with a wide spread, not firing tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from ceasewatch.agreement.types import Agreement
from ceasewatch.fusion.phase import Phase
from ceasewatch.fusion.sources.base import Link
from ceasewatch.fusion.spread import offset_m
from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.time import NS_PER_S

MEAN_SPEED_MPS = {
    "mortar": 180.0,
    "artillery_lt_100mm": 450.0,
    "artillery_ge_100mm": 480.0,
    "artillery": 480.0,
    "mlrs": 600.0,
    "tank": 900.0,
    "missile": 1000.0,
}
SPEED_SPREAD = 0.2
P_PAIR = 0.8  # prior that a located launch has its impact located too (impacts are louder)
BACKGROUND_M = 20_000.0
BACKGROUND_S = 1800.0
BURST_S = 60.0  # impacts this close in time to one are its fire mission, not its background
SAME_SITE_M = 150.0  # launches this close (plus their errors) are one firing position
PROJECTILE_CLASSES = {  # a radar's projectile word → the weapon classes it may be
    "mortar": ("mortar",),
    "artillery": ("artillery_lt_100mm", "artillery_ge_100mm", "artillery"),
    "mlrs": ("mlrs",),
    "missile": ("missile",),
}


@dataclass(frozen=True)
class ClassPrior:
    weapon: str
    max_range_m: float
    speed_mps: float
    share: float  # prior share among the classes


@dataclass(frozen=True)
class Pair:
    launch_id: str
    impact_id: str
    probability: float  # that this launch fired this impact
    p_site: float  # that the impact was fired from this launch's position (any round there)
    weapon: str  # the most likely class
    range_m: float
    flight_s: float
    reason: str


def class_priors(agreement: Agreement) -> tuple[ClassPrior, ...]:
    """The indirect-fire classes of an agreement: those with a range and a known mean speed."""
    found = [
        (w.id, w.max_range_m, _speed(str(w.id)))
        for w in agreement.weapon_classes
        if w.max_range_m is not None
    ]
    usable = [(w, r, v) for w, r, v in found if v is not None and r is not None]
    return tuple(ClassPrior(str(w), float(r), float(v), 1.0 / len(usable)) for w, r, v in usable)


def pair_launches(
    launches: Sequence[Phase],
    impacts: Sequence[Phase],
    priors: Sequence[ClassPrior],
    *,
    links: Sequence[Link] = (),
    projectile: dict[str, str] | None = None,
) -> tuple[Pair, ...]:
    """Pair launches with impacts one to one (see the module); ``projectile`` maps an event id
    to a radar's projectile word, which narrows its classes."""
    if not priors:
        return ()
    fixed = _fixed(links, launches, impacts, priors)
    taken = {p.launch_id for p in fixed} | {p.impact_id for p in fixed}
    free_l = [e for e in launches if e.event_id not in taken]
    free_i = sorted((e for e in impacts if e.event_id not in taken), key=lambda e: e.t_ns)
    lr = _likelihood_ratios(free_l, free_i, priors, projectile or {})
    return tuple(sorted(fixed + _assign(free_l, free_i, lr, priors), key=lambda p: p.launch_id))


def flight_likelihood(
    distance_m: float, flight_s: float, sigma_t_s: float, sigma_m: float, prior: ClassPrior
) -> float:
    """Density (per metre of range and second of flight) of a pair under one class."""
    if flight_s <= 0 or distance_m > prior.max_range_m + 3.0 * sigma_m:
        return 0.0
    expected = distance_m / prior.speed_mps
    sigma = math.sqrt(
        (SPEED_SPREAD * expected) ** 2 + sigma_t_s**2 + (sigma_m / prior.speed_mps) ** 2
    )
    z = (flight_s - expected) / sigma
    return math.exp(-0.5 * z * z) / (math.sqrt(2 * math.pi) * sigma) / prior.max_range_m


def _likelihood_ratios(
    launches: Sequence[Phase],
    impacts: Sequence[Phase],
    priors: Sequence[ClassPrior],
    projectile: dict[str, str],
) -> dict[tuple[int, int], tuple[float, str, float, float]]:
    """(launch index, impact index) → (LR, best class, range, flight time) for candidates."""
    max_range = max(p.max_range_m for p in priors)
    max_flight_ns = int(
        max(p.max_range_m / (p.speed_mps * (1 - 3 * SPEED_SPREAD)) for p in priors) * NS_PER_S
    )
    t_imp = np.array([e.t_ns for e in impacts], dtype=np.int64)
    lon_imp = np.array([e.lon for e in impacts])
    lat_imp = np.array([e.lat for e in impacts])
    out: dict[tuple[int, int], tuple[float, str, float, float]] = {}
    background: dict[int, float] = {}
    for i, launch in enumerate(launches):
        lo = int(np.searchsorted(t_imp, launch.t_ns, side="right"))
        hi = int(np.searchsorted(t_imp, launch.t_ns + max_flight_ns, side="right"))
        if lo >= hi:
            continue
        dist = geodesic_distance_m(launch.lon, launch.lat, lon_imp[lo:hi], lat_imp[lo:hi])
        for k, j in enumerate(range(lo, hi)):
            impact, d = impacts[j], float(dist[k])
            if d > max_range * 1.05 + 1000.0:
                continue
            classes = _classes(priors, projectile.get(impact.event_id))
            flight_s = (impact.t_ns - launch.t_ns) / NS_PER_S
            sigma_t = math.hypot(launch.t_sigma_s, impact.t_sigma_s)
            sigma_m = math.hypot(launch.spread.sigma_m, impact.spread.sigma_m)
            scores = [
                (flight_likelihood(d, flight_s, sigma_t, sigma_m, c) * c.share, c) for c in classes
            ]
            total = sum(s for s, _ in scores)
            if total <= 0:
                continue
            best = max(scores, key=lambda s: s[0])[1]
            f_area = total / (2.0 * math.pi * max(d, 50.0))  # per m² and s
            if j not in background:
                background[j] = _background(impact, impacts, t_imp)
            lr = P_PAIR * f_area / ((1 - P_PAIR) * background[j])
            if lr > 1e-3:
                out[(i, j)] = (lr, best.weapon, d, flight_s)
    return out


def _background(impact: Phase, impacts: Sequence[Phase], t_imp: np.ndarray) -> float:
    lo = int(np.searchsorted(t_imp, impact.t_ns - int(BACKGROUND_S * NS_PER_S)))
    hi = int(np.searchsorted(t_imp, impact.t_ns + int(BACKGROUND_S * NS_PER_S), side="right"))
    burst_ns = int(BURST_S * NS_PER_S)
    others = [e for e in impacts[lo:hi] if abs(e.t_ns - impact.t_ns) > burst_ns]
    near = 0
    if others:
        dist = geodesic_distance_m(
            impact.lon, impact.lat, [e.lon for e in others], [e.lat for e in others]
        )
        near = int(np.sum(dist <= BACKGROUND_M))
    return max(near, 1) / (math.pi * BACKGROUND_M**2 * 2 * BACKGROUND_S)


def _assign(
    launches: Sequence[Phase],
    impacts: Sequence[Phase],
    lr: dict[tuple[int, int], tuple[float, str, float, float]],
    priors: Sequence[ClassPrior],
) -> list[Pair]:
    parent = list(range(len(launches) + len(impacts)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i, j in lr:
        parent[find(i)] = find(len(launches) + j)
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for i, j in lr:
        rows, cols = groups.setdefault(find(i), ([], []))
        if i not in rows:
            rows.append(i)
        if j not in cols:
            cols.append(j)
    pairs = []
    row_sum: dict[int, float] = {}
    col_sum: dict[int, float] = {}
    rivals: dict[int, list[int]] = {}  # impact → the launches that could have fired it
    for (i, j), (ratio, *_rest) in lr.items():
        row_sum[i] = row_sum.get(i, 0.0) + ratio
        col_sum[j] = col_sum.get(j, 0.0) + ratio
        rivals.setdefault(j, []).append(i)
    for rows, cols in groups.values():
        rows.sort()
        cols.sort()
        n, m = len(rows), len(cols)
        big = 1e9
        cost = np.full((n + m, m + n), big)
        cost[n:, m:] = 0.0
        for a, i in enumerate(rows):
            cost[a, m + a] = 0.0  # launch not paired
            for b, j in enumerate(cols):
                if (i, j) in lr:
                    cost[a, b] = -math.log(lr[(i, j)][0])
        for b in range(m):
            cost[n + b, b] = 0.0  # impact not paired
        chosen_r, chosen_c = linear_sum_assignment(cost)
        for a, b in zip(chosen_r, chosen_c, strict=True):
            if a >= n or b >= m or (rows[a], cols[b]) not in lr:
                continue
            i, j = rows[a], cols[b]
            ratio, weapon, distance, flight = lr[(i, j)]
            if ratio <= 1.0:
                continue
            p = ratio / (1.0 + row_sum[i] + col_sum[j] - ratio)
            site = _same_site(launches, i, rivals[j])
            p_site = sum(lr[(k, j)][0] for k in site) / (1.0 + col_sum[j])
            speed = distance / flight if flight > 0 else float("nan")
            reason = (
                f"launch {launches[i].event_id} and impact {impacts[j].event_id}: "
                f"{distance / 1000:.1f} km in {flight:.1f} s ({speed:.0f} m/s), "
                f"most like {weapon} (max range {_range(priors, weapon) / 1000:.0f} km); "
                f"likelihood ratio {ratio:.3g} against chance; this round {p:.2f}, "
                f"this firing position {min(p_site, 1.0):.2f}"
            )
            pair = Pair(launches[i].event_id, impacts[j].event_id, p, max(p, min(p_site, 1.0)),
                        weapon, distance, flight, reason)  # fmt: skip
            pairs.append(pair)
    return pairs


def _fixed(
    links: Sequence[Link],
    launches: Sequence[Phase],
    impacts: Sequence[Phase],
    priors: Sequence[ClassPrior],
) -> list[Pair]:
    by_id = {e.event_id: e for e in list(launches) + list(impacts)}
    out, used = [], set()
    for link in sorted(links, key=lambda k: -k.probability):
        if link.launch_id in used or link.impact_id in used:
            continue
        launch, impact = by_id.get(link.launch_id), by_id.get(link.impact_id)
        if launch is None or impact is None:
            continue
        used |= {link.launch_id, link.impact_id}
        distance = offset_m(launch.lon, launch.lat, impact.lon, impact.lat)[2]
        flight = (impact.t_ns - launch.t_ns) / NS_PER_S
        weapon = _weapon_for(distance, flight, priors)
        out.append(
            Pair(
                link.launch_id,
                link.impact_id,
                link.probability,
                link.probability,
                weapon,
                distance,
                flight,
                link.reason,
            )
        )
    return out


def _same_site(launches: Sequence[Phase], i: int, candidates: Sequence[int]) -> list[int]:
    a = launches[i]
    out = []
    for k in candidates:
        b = launches[k]
        d = offset_m(a.lon, a.lat, b.lon, b.lat)[2]
        if d <= SAME_SITE_M + 2.0 * (a.spread.sigma_m + b.spread.sigma_m):
            out.append(k)
    return out


def _weapon_for(distance: float, flight_s: float, priors: Sequence[ClassPrior]) -> str:
    scored = [
        (flight_likelihood(distance, flight_s, 1.0, 100.0, c) * c.share, c.weapon) for c in priors
    ]
    best = max(scored)
    return best[1] if best[0] > 0 else "unknown"


def _classes(priors: Sequence[ClassPrior], word: str | None) -> Sequence[ClassPrior]:
    allowed = PROJECTILE_CLASSES.get(word or "")
    narrowed = [p for p in priors if allowed is None or p.weapon in allowed]
    return narrowed or priors


def _range(priors: Sequence[ClassPrior], weapon: str) -> float:
    return next((p.max_range_m for p in priors if p.weapon == weapon), float("nan"))


def _speed(weapon: str) -> float | None:
    if weapon in MEAN_SPEED_MPS:
        return MEAN_SPEED_MPS[weapon]
    for key in ("mortar", "mlrs", "missile", "tank", "artillery"):
        if key in weapon:
            return MEAN_SPEED_MPS[key]
    return None
