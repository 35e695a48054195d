"""Observer patrols: what monitors heard and saw, as ``reports.jsonl`` (FORMATS.md), in the
manner of the OSCE SMM's daily reports ("Heard 5 undetermined explosions 3-5 km SE.").

**Shifts.** Each OBSERVER team stands at its position from 08:00 to 16:00 local time (UTC+2);
every third team in order of id (the 3rd, 6th…) works a late shift, 12:00–20:00, so that some
watch after dark. A shift is cut into windows of 30–60 whole minutes; a window in which the team
is not deployed (an outage at its start, middle or end) gives no report. Jamming does not stop
observers.

**Hearing.** Every explosion is a sound: the launch and the impact of each SHOT and TRAINING
round (a launch 4 dB quieter than its impact), each DRONE_STRIKE, QUARRY_BLAST, DEMINING blast
and THUNDER clap; a BURST of small-arms fire is one sound of kind ``burst``. A sound at
distance d is heard with p = p_detect / (1 + (d / 0.8 R)⁴), and never beyond 1.25 R, where
R = ``range_m`` × 10^(dB/20) for explosions (10 km for a 152 mm impact, 5.6 km for a mortar,
16 km for thunder) and 3 km × 10^((dB + 20)/20) for bursts. After dark (sun below −6°), an
explosion within 5 km is also *seen* (a flash) with p = 0.7 × p_detect: ``mode: saw``.

**Reports.** In each window, the heard explosions, heard bursts and seen flashes are grouped by
the bearing at which the team perceived them (the true bearing ± at most 11.25°; a group spans
at most 22.5° of perceived bearing); one report per window, mode, kind and group:

* ``bearing_deg`` = [from, to], clockwise (it may wrap through north: [337.5, 22.5]): the
  16-point compass sectors of the group widened by one sector each side, 45–90° wide. It
  always contains every true bearing of the sounds counted.
* ``range_km`` = [min, max]: each distance is perceived within a factor 1.4 of the truth, and
  the bracket is the perceived extremes divided/multiplied by 1.4, rounded outwards (0.5 km
  steps below 3 km, 1 km above). It always contains every true distance.
* ``count``: the true number n of sounds counted, with an error of at most max(1, 0.3 n);
  never below 1.
* ``t_start``/``t_end``: the window; ``observer``: the team's position; ``text`` in the
  monitors' words, with the compass point of the middle of the bearing range.

``report_id`` is ``<team>-<UTC date>-<NN>``, numbered per team and day in time order.
``emission.truth[i] = {"happening_ids": [...], "true_count": n, "counts": {id: k}}`` lists
every happening counted (most counted first); ``causes[i]`` is the happening with the most
counted sounds (thunder reported as explosions is caused by the thunder), ``phases[i]`` its
most counted phase (``launch``, ``impact`` or ``blast``; a burst is a ``blast``).
``could_detect`` maps each sound a deployed team could hear (p > 0) to the teams.
Reports reach the mechanism 5–30 min after ``t_end``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ceasewatch.model.geo import compass16, geodesic_inverse
from ceasewatch.model.time import NS_PER_S, format_ns
from ceasewatch.sim.base import Conditions, Emission, Happening, HappeningKind, Sensor, SensorKind
from ceasewatch.sim.happenings.fire import BURST_DB, LAUNCH_DB, LOCAL_OFFSET_H
from ceasewatch.sim.sources.sun import CIVIL_DEG, solar_elevation_deg

BLASTS = frozenset({HappeningKind.QUARRY_BLAST, HappeningKind.DEMINING, HappeningKind.THUNDER})
BURST_REACH_M = 3000.0
SEE_RANGE_M = 5000.0
SECTOR_DEG = 22.5
BEARING_ERROR_DEG = 11.25
RANGE_FACTOR = 1.4
NOUNS = {
    "explosion": ("undetermined explosion", "undetermined explosions"),
    "burst": ("burst of small-arms fire", "bursts of small-arms fire"),
}


@dataclass(frozen=True)
class Sounds:
    """Every sound of the run, as parallel arrays."""

    happening_id: np.ndarray
    phase: np.ndarray
    t_ns: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    db: np.ndarray
    burst: np.ndarray

    @classmethod
    def of(cls, happenings: Sequence[Happening]) -> Sounds:
        rows: list[tuple[str, str, int, float, float, float, bool]] = []
        for h in happenings:
            if h.kind in (HappeningKind.SHOT, HappeningKind.TRAINING):
                if h.launch is not None:
                    launch_db = h.loudness_db + LAUNCH_DB
                    rows.append((h.happening_id, "launch", h.t_ns, *h.launch, launch_db, False))
                rows.append(
                    (h.happening_id, "impact", h.t_impact_ns, *h.impact, h.loudness_db, False)
                )
            elif h.kind is HappeningKind.DRONE_STRIKE:
                rows.append(
                    (h.happening_id, "impact", h.t_impact_ns, *h.impact, h.loudness_db, False)
                )
            elif h.kind in BLASTS or h.kind is HappeningKind.BURST:
                burst = h.kind is HappeningKind.BURST
                rows.append((h.happening_id, "blast", h.t_ns, *h.impact, h.loudness_db, burst))
        columns = list(zip(*rows, strict=True)) if rows else [()] * 7
        return cls(
            np.array(columns[0], dtype=object),
            np.array(columns[1], dtype=object),
            np.array(columns[2], dtype=np.int64),
            np.array(columns[3], dtype=np.float64),
            np.array(columns[4], dtype=np.float64),
            np.array(columns[5], dtype=np.float64),
            np.array(columns[6], dtype=bool),
        )


@dataclass
class ObserverModel:
    """Observer teams → ``reports.jsonl`` (see the module)."""

    stream: str = "reports"
    shift_h: tuple[float, float] = (8.0, 16.0)  # local time
    late_shift_h: tuple[float, float] = (12.0, 20.0)
    late_every: int = 3
    window_min: tuple[float, float] = (30.0, 60.0)

    def windows(
        self, sensors: Sequence[Sensor], conditions: Conditions, rng: np.random.Generator
    ) -> dict[str, list[tuple[int, int]]]:
        """Per team, the windows of its shifts in which it is deployed."""
        hour = 3600 * NS_PER_S
        found: dict[str, list[tuple[int, int]]] = {}
        for number, team in enumerate(_teams(sensors), start=1):
            first_h, last_h = self.late_shift_h if number % self.late_every == 0 else self.shift_h
            day0 = (conditions.start_ns + LOCAL_OFFSET_H * hour) // (24 * hour)
            plan = []
            for day in range(day0, (conditions.end_ns + LOCAL_OFFSET_H * hour) // (24 * hour) + 1):
                t = day * 24 * hour + int((first_h - LOCAL_OFFSET_H) * hour)
                stop = day * 24 * hour + int((last_h - LOCAL_OFFSET_H) * hour)
                while t < stop:
                    end = min(stop, t + round(rng.uniform(*self.window_min)) * 60 * NS_PER_S)
                    plan.append((t, end))
                    t = end
            found[team.sensor_id] = [
                (a, b)
                for a, b in plan
                if conditions.start_ns <= a
                and b <= conditions.end_ns
                and conditions.sensor_up(team.sensor_id, np.array([a, (a + b) // 2, b - 1])).all()
            ]
        return found

    def observe(
        self,
        happenings: Sequence[Happening],
        sensors: Sequence[Sensor],
        conditions: Conditions,
        rng: np.random.Generator,
    ) -> Emission:
        emission = Emission(self.stream)
        sounds = Sounds.of(happenings)
        plans = self.windows(sensors, conditions, rng)
        could: dict[str, set[str]] = {}
        reports: list[_Report] = []
        for team in _teams(sensors):
            plan = plans[team.sensor_id]
            if plan and len(sounds.t_ns):
                reports += self._team(team, plan, sounds, rng, could)
        reports.sort(key=lambda r: (r.team_id, r.t_start_ns, r.mode, r.what, r.from_deg))
        numbers: Counter[tuple[str, str]] = Counter()
        for r in reports:
            date = format_ns(r.t_start_ns, 0)[:10]
            numbers[(r.team_id, date)] += 1
            report_id = f"{r.team_id}-{date}-{numbers[(r.team_id, date)]:02d}"
            emission.truth[len(emission.records)] = r.truth
            delay_s = float(rng.uniform(300.0, 1800.0))
            emission.add({"report_id": report_id, **r.record}, r.cause, r.phase, delay_s)
        emission.could_detect = {k: sorted(v) for k, v in sorted(could.items())}
        return emission

    def _team(
        self,
        team: Sensor,
        plan: list[tuple[int, int]],
        sounds: Sounds,
        rng: np.random.Generator,
        could: dict[str, set[str]],
    ) -> list[_Report]:
        """The reports of one team: what it heard and saw in each window, by bearing."""
        starts = np.array([a for a, _ in plan], dtype=np.int64)
        ends = np.array([b for _, b in plan], dtype=np.int64)
        window = np.searchsorted(starts, sounds.t_ns, side="right") - 1
        idx = np.flatnonzero((window >= 0) & (sounds.t_ns < ends[np.maximum(window, 0)]))
        window = window[idx]
        bearing, dist = geodesic_inverse(team.lon, team.lat, sounds.lon[idx], sounds.lat[idx])
        burst = sounds.burst[idx]
        db = sounds.db[idx]
        reach = np.where(
            burst, BURST_REACH_M * 10 ** ((db - BURST_DB) / 20), team.range_m * 10 ** (db / 20)
        )
        p = np.where(dist <= 1.25 * reach, team.p_detect / (1 + (dist / (0.8 * reach)) ** 4), 0)
        for k in np.flatnonzero(p > 0):
            source = f"{sounds.happening_id[idx[k]]}/{sounds.phase[idx[k]]}"
            could.setdefault(source, set()).add(team.sensor_id)
        heard = rng.uniform(size=len(idx)) < p
        dark = solar_elevation_deg(sounds.t_ns[idx], team.lon, team.lat) < CIVIL_DEG
        seen = dark & ~burst & (dist <= SEE_RANGE_M)
        seen &= rng.uniform(size=len(idx)) < 0.7 * team.p_detect
        error = np.clip(rng.normal(0.0, 6.0, len(idx)), -BEARING_ERROR_DEG, BEARING_ERROR_DEG)
        factor = np.log(RANGE_FACTOR)
        heard_m = dist * np.exp(np.clip(rng.normal(0.0, 0.25, len(idx)), -factor, factor))
        found = _Sounds(
            sounds.happening_id[idx], sounds.phase[idx], (bearing + error) % 360.0, heard_m
        )
        out = []
        for mode, what, chosen in (
            ("heard", "explosion", heard & ~burst),
            ("heard", "burst", heard & burst),
            ("saw", "explosion", seen),
        ):
            for w in np.unique(window[chosen]):
                members = np.flatnonzero(chosen & (window == w))
                for group in _by_bearing(members, found.bearing_deg[members]):
                    out.append(_report(team, plan[int(w)], mode, what, found.subset(group), rng))
        return out


@dataclass(frozen=True)
class _Sounds:
    """Sounds as one team perceived them."""

    happening_id: np.ndarray
    phase: np.ndarray
    bearing_deg: np.ndarray  # perceived: within 11.25° of the truth
    range_m: np.ndarray  # perceived: within a factor 1.4 of the truth

    def subset(self, rows: np.ndarray) -> _Sounds:
        return _Sounds(
            self.happening_id[rows], self.phase[rows], self.bearing_deg[rows], self.range_m[rows]
        )


@dataclass(frozen=True)
class _Report:
    team_id: str
    t_start_ns: int
    mode: str
    what: str
    from_deg: float
    record: dict[str, object]
    truth: dict[str, object]
    cause: str
    phase: str


def _report(
    team: Sensor,
    window: tuple[int, int],
    mode: str,
    what: str,
    group: _Sounds,
    rng: np.random.Generator,
) -> _Report:
    n = len(group.phase)
    first, span = _arc(np.round(group.bearing_deg / SECTOR_DEG) * SECTOR_DEG)
    low_deg, width = (first - SECTOR_DEG) % 360.0, span + 2 * SECTOR_DEG
    low_km = np.floor(group.range_m.min() / RANGE_FACTOR / 500.0) * 0.5
    high_m = group.range_m.max() * RANGE_FACTOR
    high_km = np.ceil(high_m / 500.0) * 0.5 if high_m < 3000 else np.ceil(high_m / 1000.0)
    slack = max(1, int(0.3 * n))
    noisy = n + round(rng.normal(0.0, max(0.5, 0.15 * n)))
    count = int(np.clip(noisy, max(1, n - slack), n + slack))
    ids = Counter(str(h) for h in group.happening_id)
    ranked = sorted(ids, key=lambda h: (-ids[h], h))
    phases = Counter(
        str(ph) for h, ph in zip(group.happening_id, group.phase, strict=True) if h == ranked[0]
    )
    km = f"{_num(low_km)}-{_num(high_km)} km {compass16(low_deg + width / 2.0)}"
    if mode == "saw":
        text = f"Saw {count} flash{'es' if count > 1 else ''} {km}."
    else:
        noun = NOUNS[what][count > 1]
        text = f"Heard {count} {noun} {km}."
    record: dict[str, object] = {
        "team_id": team.sensor_id,
        "t_start": format_ns(window[0], 0),
        "t_end": format_ns(window[1], 0),
        "observer": [round(team.lon, 6), round(team.lat, 6)],
        "mode": mode,
        "what": what,
        "count": count,
        "bearing_deg": [round(low_deg, 1), round((low_deg + width) % 360.0, 1)],
        "range_km": [_num(low_km), _num(high_km)],
        "text": text,
    }
    truth: dict[str, object] = {
        "happening_ids": ranked,
        "true_count": n,
        "counts": {h: ids[h] for h in ranked},
    }
    phase = sorted(phases, key=lambda ph: (-phases[ph], ph))[0]
    return _Report(team.sensor_id, window[0], mode, what, low_deg, record, truth, ranked[0], phase)


def _teams(sensors: Sequence[Sensor]) -> list[Sensor]:
    return sorted((s for s in sensors if s.kind is SensorKind.OBSERVER), key=lambda s: s.sensor_id)


def _arc(bearings: np.ndarray) -> tuple[float, float]:
    """The smallest clockwise arc holding all bearings: (start, span) in degrees."""
    b = np.sort(np.asarray(bearings) % 360.0)
    gaps = np.diff(np.append(b, b[0] + 360.0))
    widest = int(np.argmax(gaps))
    start = b[(widest + 1) % len(b)]
    return float(start), float(360.0 - gaps[widest])


def _by_bearing(members: np.ndarray, bearings: np.ndarray) -> list[np.ndarray]:
    """Split sounds into groups of perceived bearings at most one sector wide."""
    if len(members) == 0:
        return []
    start, _ = _arc(bearings)
    rel = (bearings - start) % 360.0
    order = np.argsort(rel, kind="stable")
    groups: list[list[int]] = []
    first = -np.inf
    for k in order:
        if rel[k] - first > SECTOR_DEG:
            groups.append([])
            first = rel[k]
        groups[-1].append(int(members[k]))
    return [np.array(g) for g in groups]


def _num(km: float) -> float | int:
    return int(km) if float(km).is_integer() else float(km)
