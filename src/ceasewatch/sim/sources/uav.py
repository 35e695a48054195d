"""Drones and cameras: objects seen on the ground, as ``detections.jsonl`` (FORMATS.md).

A drone (``SensorKind.UAV``) flies *sorties* from its base: 2–4 h each, 0.5–2 h apart, by day
only (sun above −6° at the base) unless it carries a thermal imager (``night_capable``). In a
sortie it flies its ``route`` from the first vertex to the last and back, again and again, at
``speed_mps``; its track is sampled every 5 s. A fixed camera (``SensorKind.CAMERA``) looks at
its own position (``route`` empty) every 10 minutes through the same light rules.

It sees what lies within ``swath_m / 2`` of its track. One pass over a weapon presence (a run
of samples within the swath) is one *look*; a look counts only while the sensor is up (no
outage) and its link works (the drone is not inside a jamming circle during the jamming), and
it yields a detection with probability ``p_detect``, at the instant of closest approach:

* ``count``: each weapon of the group is seen with p = 0.85 (at least one);
* ``class_confidence`` drawn uniform in 0.60–0.95, and the class is right with exactly that
  probability (a calibrated confidence); otherwise it is a neighbouring class (``CONFUSION``:
  a self-propelled gun taken for a tank, an MLRS for a truck…);
* ``pos_sigma_m`` grows from 10 m under the track to 50 m at the swath edge; the error is
  drawn from it on each axis (east, north), and the record states the sigma it was drawn with.

Drones also see *routine* allowed traffic — trucks, troops, APCs — about one group per flight
hour, anywhere in the swath. Those records have ``cause`` None and ``phase`` None, and
``emission.truth[i] = {"reason": "routine", "true_class", "true_count"}`` so the run can tell
them from false alarms; they go through the same confusion (a truck may be reported as an
MLRS: a real source of false violations). Detections of presences carry
``truth[i] = {"true_class", "true_count"}``. Flights (another drone seen) are not modelled.

``could_detect["<happening_id>/presence"]`` lists the sensors that had at least one look
(possibly none); ``detection_id`` is ``<sensor_id>-<NNNN>`` in time order per sensor.
Records reach the mechanism 5–60 s after ``t``, one in ten only after the sortie lands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ceasewatch.model.geo import FloatArray, geodesic_forward, geodesic_inverse
from ceasewatch.model.time import NS_PER_S, format_ns
from ceasewatch.sim.base import Conditions, Emission, Happening, HappeningKind, Sensor, SensorKind
from ceasewatch.sim.sources.sun import light_windows

CONFUSION: dict[str, tuple[str, ...]] = {
    "tank": ("apc", "artillery_ge_100mm"),
    "artillery_ge_100mm": ("tank", "artillery_lt_100mm", "mlrs"),
    "artillery_lt_100mm": ("artillery_ge_100mm", "mortar"),
    "mortar": ("artillery_lt_100mm", "troops"),
    "mlrs": ("truck", "artillery_ge_100mm"),
    "apc": ("tank", "truck"),
    "truck": ("mlrs", "apc"),
    "troops": ("mortar", "unknown"),
    "air_defence": ("mlrs", "truck"),
    "unknown": ("truck", "troops"),
}
ROUTINE = {"truck": (0.5, 1, 5), "troops": (0.25, 2, 15), "apc": (0.25, 1, 3)}  # p, count range
CAMERA_REVISIT_S = 600.0
MIN_SORTIE_S = 1200.0


@dataclass(frozen=True)
class Look:
    sensor_id: str
    happening_id: str
    t_ns: int
    offset_m: float  # distance from the track at closest approach


@dataclass(frozen=True)
class Sighting:
    """Something a sensor saw, before the errors of its record are drawn."""

    sensor_id: str
    t_ns: int
    where: tuple[float, float]
    offset_m: float  # from the track: the position error grows with it
    true_class: str
    true_count: int
    cause: str | None  # None: routine traffic


@dataclass(frozen=True)
class Track:
    """A sensor's sampled positions while flying (or watching) and working."""

    sensor: Sensor
    t_ns: np.ndarray
    lon: FloatArray
    lat: FloatArray
    sortie: np.ndarray  # index of the sortie of each sample
    sortie_end_ns: np.ndarray
    along_m: FloatArray


class Route:
    """A polyline flown back and forth; positions by distance along it (geodesic segments)."""

    def __init__(self, vertices: Sequence[tuple[float, float]]):
        v = np.asarray(vertices, dtype=np.float64).reshape(-1, 2)
        self.lon, self.lat = v[:, 0], v[:, 1]
        if len(v) > 1:
            az, length = geodesic_inverse(v[:-1, 0], v[:-1, 1], v[1:, 0], v[1:, 1])
        else:
            az, length = np.zeros(1), np.zeros(1)
        self.azimuth = az
        self.cumulative = np.concatenate([[0.0], np.cumsum(length)])
        self.length_m = float(self.cumulative[-1])

    def at(self, along_m: FloatArray) -> tuple[FloatArray, FloatArray]:
        seg = np.clip(
            np.searchsorted(self.cumulative, along_m, side="right") - 1, 0, len(self.azimuth) - 1
        )
        return geodesic_forward(
            self.lon[seg], self.lat[seg], self.azimuth[seg], along_m - self.cumulative[seg]
        )

    def back_and_forth(self, flown_m: FloatArray) -> FloatArray:
        if self.length_m <= 0.0:
            return np.zeros_like(flown_m)
        phase = np.mod(flown_m, 2.0 * self.length_m)
        return np.where(phase <= self.length_m, phase, 2.0 * self.length_m - phase)

    def distance_to(
        self, lon: float, lat: float, reach_m: float, step_m: float = 25.0
    ) -> tuple[FloatArray, FloatArray] | None:
        """(along_m grid, distance from the point at each grid point), or None when no point of
        the route is within ``reach_m``. Every point of a segment lies within half its length
        of one of its ends, so segments that cannot come within reach get a coarse grid: the
        distance interpolated along them stays above the true one (it is convex)."""
        _, d = geodesic_inverse(self.lon, self.lat, lon, lat)
        if len(d) == 1:
            return (np.zeros(1), d) if d[0] <= reach_m else None
        length = np.diff(self.cumulative)
        near = np.minimum(d[:-1], d[1:]) - length / 2.0 <= reach_m
        if not np.any(near):
            return None
        steps = np.where(near, step_m, np.maximum(length / 2.0, step_m))
        pieces = [
            np.arange(a, b, st)
            for a, b, st in zip(self.cumulative[:-1], self.cumulative[1:], steps, strict=True)
        ]
        grid = np.append(np.concatenate(pieces), self.length_m)
        glon, glat = self.at(grid)
        return grid, geodesic_inverse(glon, glat, lon, lat)[1]


@dataclass
class UavModel:
    """Drones and cameras → ``detections.jsonl`` (see the module)."""

    stream: str = "detections"
    sortie_h: tuple[float, float] = (2.0, 4.0)
    gap_h: tuple[float, float] = (0.5, 2.0)
    sample_s: float = 5.0
    routine_per_h: float = 1.0
    p_count: float = 0.85  # each weapon of a group is seen with this probability
    sigma_m: tuple[float, float] = (10.0, 50.0)  # position error under the track, at the edge

    def sorties(
        self, sensors: Sequence[Sensor], conditions: Conditions, rng: np.random.Generator
    ) -> dict[str, list[tuple[int, int]]]:
        """Per drone or camera, the (start, end) of its sorties (a camera's: its light)."""
        plans: dict[str, list[tuple[int, int]]] = {}
        for sensor in _seeing(sensors):
            windows = [(conditions.start_ns, conditions.end_ns)]
            if not sensor.night_capable:
                windows = light_windows(sensor.lon, sensor.lat, *windows[0])
            if sensor.kind is SensorKind.CAMERA:
                plans[sensor.sensor_id] = windows
                continue
            plan: list[tuple[int, int]] = []
            for first, last in windows:
                t = first + _ns(rng.uniform(0.0, 0.5) * 3600)
                while t < last - _ns(MIN_SORTIE_S):
                    end = min(t + _ns(rng.uniform(*self.sortie_h) * 3600), last)
                    if end - t >= _ns(MIN_SORTIE_S):
                        plan.append((t, end))
                    t = end + _ns(rng.uniform(*self.gap_h) * 3600)
            plans[sensor.sensor_id] = plan
        return plans

    def track(
        self, sensor: Sensor, sorties: list[tuple[int, int]], conditions: Conditions
    ) -> Track:
        """Sampled positions of the sensor while it flies, up and not jammed."""
        step_s = CAMERA_REVISIT_S if sensor.kind is SensorKind.CAMERA else self.sample_s
        route = Route(sensor.route or ((sensor.lon, sensor.lat),))
        parts = [np.arange(a, b, _ns(step_s), dtype=np.int64) for a, b in sorties]
        t = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        which = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
        starts = np.array([a for a, _ in sorties], dtype=np.int64)[which]
        along = route.back_and_forth(sensor.speed_mps * (t - starts) / NS_PER_S)
        lon, lat = route.at(along) if len(t) else (np.zeros(0), np.zeros(0))
        ok = conditions.sensor_up(sensor.sensor_id, t)
        for jam in conditions.jamming:
            during = ok & (t >= jam.start_ns) & (t < jam.end_ns)
            if np.any(during):
                _, d = geodesic_inverse(jam.area.lon, jam.area.lat, lon[during], lat[during])
                ok[np.flatnonzero(during)[d <= jam.area.radius_m]] = False
        ends = np.array([b for _, b in sorties], dtype=np.int64)
        return Track(sensor, t[ok], lon[ok], lat[ok], which[ok], ends, along[ok])

    def looks(self, track: Track, presences: Sequence[Happening]) -> list[Look]:
        """Each pass of the sensor over a presence that stands there at the time."""
        sensor = track.sensor
        half = sensor.swath_m / 2.0
        route = Route(sensor.route or ((sensor.lon, sensor.lat),))
        found: list[Look] = []
        for h in presences:
            near = route.distance_to(h.impact[0], h.impact[1], half) if len(track.t_ns) else None
            if near is None:
                continue
            grid, dist = near
            d = np.interp(track.along_m, grid, dist)
            end = h.end_ns if h.end_ns is not None else h.t_ns + 3600 * NS_PER_S
            seen = (d <= half) & (track.t_ns >= h.t_ns) & (track.t_ns < end)
            index = np.flatnonzero(seen)
            if sensor.kind is SensorKind.CAMERA:
                runs = [index[i : i + 1] for i in range(len(index))]
            else:
                breaks = np.flatnonzero((np.diff(index) > 1) | (np.diff(track.sortie[index]) != 0))
                runs = np.split(index, breaks + 1) if len(index) else []
            for run in runs:
                best = run[np.argmin(d[run])]
                found.append(
                    Look(sensor.sensor_id, h.happening_id, int(track.t_ns[best]), float(d[best]))
                )
        return found

    def observe(
        self,
        happenings: Sequence[Happening],
        sensors: Sequence[Sensor],
        conditions: Conditions,
        rng: np.random.Generator,
    ) -> Emission:
        emission = Emission(self.stream)
        presences = [h for h in happenings if h.kind is HappeningKind.WEAPON_PRESENCE]
        by_id = {h.happening_id: h for h in presences}
        could: dict[str, set[str]] = {f"{h.happening_id}/presence": set() for h in presences}
        plans = self.sorties(sensors, conditions, rng)
        tracks = {
            s.sensor_id: self.track(s, plans[s.sensor_id], conditions) for s in _seeing(sensors)
        }
        sightings: list[Sighting] = []
        for sensor_id, track in tracks.items():
            looks = self.looks(track, presences)
            for look, u in zip(looks, rng.uniform(size=len(looks)), strict=True):
                could[f"{look.happening_id}/presence"].add(sensor_id)
                if u < track.sensor.p_detect:
                    h = by_id[look.happening_id]
                    weapon = h.weapon if h.weapon in CONFUSION else "unknown"
                    sightings.append(
                        Sighting(
                            sensor_id,
                            look.t_ns,
                            h.impact,
                            look.offset_m,
                            str(weapon),
                            h.count,
                            h.happening_id,
                        )
                    )
            sightings += self._routine(track, rng)
        sightings.sort(key=lambda s: (s.t_ns, s.sensor_id))
        counters: Counter[str] = Counter()
        for sighting in sightings:
            counters[sighting.sensor_id] += 1
            number = f"{sighting.sensor_id}-{counters[sighting.sensor_id]:04d}"
            self._emit(emission, number, sighting, tracks[sighting.sensor_id], rng)
        emission.could_detect = {k: sorted(v) for k, v in sorted(could.items())}
        return emission

    def _routine(self, track: Track, rng: np.random.Generator) -> list[Sighting]:
        """Allowed traffic seen anywhere in the swath, about ``routine_per_h`` per flight hour."""
        sensor = track.sensor
        if sensor.kind is SensorKind.CAMERA or len(track.t_ns) == 0:
            return []
        hours = len(track.t_ns) * self.sample_s / 3600.0
        classes = sorted(ROUTINE)
        weights = np.array([ROUTINE[c][0] for c in classes])
        found = []
        for i in np.sort(
            rng.integers(0, len(track.t_ns), size=rng.poisson(self.routine_per_h * hours))
        ):
            offset = sensor.swath_m / 2.0 * float(np.sqrt(rng.uniform()))
            lon, lat = geodesic_forward(track.lon[i], track.lat[i], rng.uniform(0, 360), offset)
            kind = classes[int(rng.choice(len(classes), p=weights / weights.sum()))]
            count = int(rng.integers(ROUTINE[kind][1], ROUTINE[kind][2] + 1))
            where = (float(lon[0]), float(lat[0]))
            found.append(
                Sighting(sensor.sensor_id, int(track.t_ns[i]), where, offset, kind, count, None)
            )
        return found

    def _emit(
        self,
        emission: Emission,
        detection_id: str,
        s: Sighting,
        track: Track,
        rng: np.random.Generator,
    ) -> None:
        low, high = self.sigma_m
        edge = min(1.0, s.offset_m / max(track.sensor.swath_m / 2.0, 1.0))
        sigma = round(low + (high - low) * edge)
        east, north = rng.normal(0.0, sigma, 2)
        azimuth = float(np.degrees(np.arctan2(east, north)))
        lon, lat = geodesic_forward(*s.where, azimuth, float(np.hypot(east, north)))
        confidence = float(rng.uniform(0.60, 0.95))
        right = rng.uniform() < confidence
        seen_class = s.true_class if right else str(rng.choice(CONFUSION[s.true_class]))
        delay = float(rng.uniform(5.0, 60.0))
        if rng.uniform() < 0.1:  # sent only after landing
            sortie = track.sortie[np.searchsorted(track.t_ns, s.t_ns)]
            delay += max(0.0, (int(track.sortie_end_ns[sortie]) - s.t_ns) / NS_PER_S)
        record = {
            "detection_id": detection_id,
            "sensor_id": s.sensor_id,
            "t": format_ns(s.t_ns, 3),
            "position": [round(float(lon[0]), 6), round(float(lat[0]), 6)],
            "pos_sigma_m": int(sigma),
            "object_class": seen_class,
            "class_confidence": round(confidence, 2),
            "count": max(1, int(rng.binomial(s.true_count, self.p_count))),
        }
        truth: dict[str, object] = {"true_class": s.true_class, "true_count": s.true_count}
        emission.truth[len(emission.records)] = truth if s.cause else {"reason": "routine", **truth}
        emission.add(record, s.cause, "presence" if s.cause else None, delay)


def _seeing(sensors: Sequence[Sensor]) -> list[Sensor]:
    kinds = (SensorKind.UAV, SensorKind.CAMERA)
    return sorted((s for s in sensors if s.kind in kinds), key=lambda s: s.sensor_id)


def _ns(seconds: float) -> int:
    return int(round(seconds * NS_PER_S))
