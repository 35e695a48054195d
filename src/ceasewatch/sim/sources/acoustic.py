"""Unattended acoustic sensors: arrival-time picks of blasts (``picks.jsonl``).

Every explosive happening is one or two sound sources (a shot: its launch and its impact). A
sensor at distance ``r`` detects a source with probability ``p_detect / (1 + exp((r − r50)/w))``
where ``r50 = 0.75 · range_m · 10^(loudness/20)`` (spherical spreading: +6 dB doubles the
distance) and ``w = 0.1 · r50``. The pick arrives at ``t + r / 343 m/s`` plus Gaussian noise of
the sensor's stated ``t_sigma_s`` plus its (true, unreported) clock skew. The signature class is
right 85 % of the time. Sensors in an outage hear nothing; inside a jamming area their radio is
cut, so picks are stored and sent when the jamming ends (20 % are lost). Each sensor also makes
false picks at its false-alarm rate. Delivery normally takes seconds; 1 % of picks arrive 5–60
minutes late and 0.3 % are delivered twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

# the one detection model lives in ceasewatch.model.acoustic; re-exported from here
from ceasewatch.model.acoustic import R50_FRACTION as R50_FRACTION
from ceasewatch.model.acoustic import WIDTH_FRACTION as WIDTH_FRACTION
from ceasewatch.model.acoustic import detection_probability as detection_probability
from ceasewatch.model.acoustic import r50_m as r50_m
from ceasewatch.model.geo import LocalProjection, geodesic_distance_m
from ceasewatch.model.time import NS_PER_S, format_ns
from ceasewatch.sim.base import (
    Conditions,
    Emission,
    Happening,
    HappeningKind,
    Jamming,
    Sensor,
    SensorKind,
)
from ceasewatch.sim.happenings.fire import LAUNCH_DB

SOUND_SPEED_MPS = 343.0
SIGNATURE_RIGHT = 0.85
JAM_LOSS = 0.2
LATE_SHARE = 0.01
DUPLICATE_SHARE = 0.003

SIGNATURE = {
    HappeningKind.BURST: "blast",
    HappeningKind.DRONE_STRIKE: "impact",
    HappeningKind.QUARRY_BLAST: "blast",
    HappeningKind.DEMINING: "blast",
    HappeningKind.THUNDER: "blast",
}


@dataclass(frozen=True)
class Source:
    happening_id: str
    phase: str
    t_ns: int
    lon: float
    lat: float
    loudness_db: float
    signature: str


def sources(happenings: Sequence[Happening]) -> list[Source]:
    """The sound sources of the happenings, in happening order."""
    found = []
    for h in happenings:
        if h.kind in (HappeningKind.SHOT, HappeningKind.TRAINING) and h.launch is not None:
            found.append(
                Source(
                    h.happening_id, "launch", h.t_ns, *h.launch, h.loudness_db + LAUNCH_DB, "launch"
                )
            )
            found.append(
                Source(h.happening_id, "impact", h.t_impact_ns, *h.impact, h.loudness_db, "impact")
            )
        elif h.kind in SIGNATURE:
            phase = "impact" if h.kind is HappeningKind.DRONE_STRIKE else "blast"
            found.append(
                Source(h.happening_id, phase, h.t_ns, *h.impact, h.loudness_db, SIGNATURE[h.kind])
            )
    return found


Pick = tuple[int, int, dict[str, object], str | None, str | None, float]
"""(arrival ns, sensor index, record without its id, cause, phase, delivery delay s)."""


class AcousticModel:
    stream = "picks"

    def observe(
        self,
        happenings: Sequence[Happening],
        sensors: Sequence[Sensor],
        conditions: Conditions,
        rng: np.random.Generator,
    ) -> Emission:
        acoustic = [s for s in sensors if s.kind is SensorKind.ACOUSTIC]
        emission = Emission(self.stream)
        if not acoustic:
            return emission
        picks: list[Pick] = []
        picks += self._heard(sources(happenings), acoustic, conditions, rng, emission)
        picks += self._false(acoustic, conditions, rng)
        self._number(picks, rng, emission)
        return emission

    def _heard(
        self,
        found: list[Source],
        acoustic: list[Sensor],
        conditions: Conditions,
        rng: np.random.Generator,
        emission: Emission,
    ) -> list[Pick]:
        lon = np.array([s.lon for s in acoustic])
        lat = np.array([s.lat for s in acoustic])
        projection = LocalProjection.for_bounds(lon.min(), lat.min(), lon.max(), lat.max())
        tree = cKDTree(np.column_stack(projection.to_xy(lon, lat)))
        reach = np.array([2.0 * r50_m(s.range_m, 0.0) for s in acoustic]).max()
        with_outage = {ident for ident, _, _ in conditions.outages}
        down = np.array([i for i, s in enumerate(acoustic) if s.sensor_id in with_outage])
        out: list[Pick] = []
        for source in found:
            xy = np.column_stack(projection.to_xy([source.lon], [source.lat]))[0]
            near = np.array(
                tree.query_ball_point(xy, reach * 10 ** (source.loudness_db / 20)), dtype=int
            )
            if not len(near):
                continue
            near.sort()
            distance = geodesic_distance_m(source.lon, source.lat, lon[near], lat[near])
            ranges = np.array([acoustic[i].range_m for i in near])
            r50 = r50_m(ranges, source.loudness_db)
            travel_ns = (distance / SOUND_SPEED_MPS * NS_PER_S).astype(np.int64)
            arrival = source.t_ns + travel_ns
            up = np.ones(len(near), dtype=bool)
            for k in np.flatnonzero(np.isin(near, down)):
                up[k] = conditions.sensor_up(acoustic[near[k]].sensor_id, arrival[k : k + 1])[0]
            p = detection_probability(
                distance, ranges, [acoustic[i].p_detect for i in near], source.loudness_db
            )
            heard = (rng.uniform(size=len(near)) < p) & up
            source_id = f"{source.happening_id}/{source.phase}"
            could = [
                acoustic[i].sensor_id
                for i, d, r, u in zip(near, distance, r50, up, strict=True)
                if d <= r and u
            ]
            if could:
                emission.could_detect[source_id] = could
            for k in np.flatnonzero(heard):
                sensor = acoustic[near[k]]
                t = int(arrival[k]) + int(rng.normal(0.0, sensor.t_sigma_s) * NS_PER_S)
                t += int(sensor.clock_skew_s * NS_PER_S)
                delay = _delivery_delay(sensor, t, conditions, rng)
                if delay is None:
                    continue
                snr = 20 * np.log10(r50[k] / max(distance[k], 1.0)) + 12 + rng.normal(0, 2)
                record = {
                    "sensor_id": sensor.sensor_id,
                    "t_arrival": t,
                    "t_sigma_s": sensor.t_sigma_s,
                    "signature": _reported_signature(source.signature, rng),
                    "snr_db": round(float(max(snr, 0.5)), 1),
                }
                out.append((t, near[k], record, source.happening_id, source.phase, delay))
        return out

    def _false(
        self, acoustic: list[Sensor], conditions: Conditions, rng: np.random.Generator
    ) -> list[Pick]:
        out: list[Pick] = []
        span_s = (conditions.end_ns - conditions.start_ns) / NS_PER_S
        for index, sensor in enumerate(acoustic):
            count = rng.poisson(sensor.false_alarm_per_h * span_s / 3600.0)
            times = np.sort(
                conditions.start_ns + (rng.uniform(0, span_s, count) * NS_PER_S).astype(np.int64)
            )
            for t in times[conditions.sensor_up(sensor.sensor_id, times)]:
                delay = _delivery_delay(sensor, int(t), conditions, rng)
                if delay is None:
                    continue
                signature = ("unknown", "blast", "impact", "launch")[
                    int(rng.choice(4, p=[0.7, 0.1, 0.1, 0.1]))
                ]
                record = {
                    "sensor_id": sensor.sensor_id,
                    "t_arrival": int(t),
                    "t_sigma_s": sensor.t_sigma_s,
                    "signature": signature,
                    "snr_db": round(float(rng.uniform(3.0, 8.0)), 1),
                }
                out.append((int(t), index, record, None, None, delay))
        return out

    def _number(self, picks: list[Pick], rng: np.random.Generator, emission: Emission) -> None:
        """Pick ids per sensor in time order; then the emission in id order."""
        picks.sort(key=lambda p: (p[2]["sensor_id"], p[0], p[3] or "", p[4] or ""))
        counters: dict[str, int] = {}
        for t, _index, record, cause, phase, delay in picks:
            sensor_id = str(record["sensor_id"])
            counters[sensor_id] = counters.get(sensor_id, 0) + 1
            pick = {
                "pick_id": f"{sensor_id}-{counters[sensor_id]:06d}",
                **record,
                "t_arrival": format_ns(int(t), 6),
            }
            emission.add(pick, cause, phase, delay)
            if rng.uniform() < DUPLICATE_SHARE:
                emission.duplicates.append(len(emission.records) - 1)


def _reported_signature(true: str, rng: np.random.Generator) -> str:
    draw = rng.uniform()
    if draw < SIGNATURE_RIGHT:
        return true
    if draw < 0.97:
        return "unknown"
    return {"launch": "impact", "impact": "launch"}.get(true, "unknown")


def _delivery_delay(
    sensor: Sensor, t_ns: int, conditions: Conditions, rng: np.random.Generator
) -> float | None:
    """Seconds from the pick to its arrival at the mechanism; None if it is lost."""
    delay = float(rng.uniform(1.0, 10.0))
    if rng.uniform() < LATE_SHARE:
        delay += float(rng.uniform(300.0, 3600.0))
    for jam in conditions.jamming:
        if jam.start_ns <= t_ns < jam.end_ns and _inside(jam, sensor):
            if rng.uniform() < JAM_LOSS:
                return None
            delay = max(delay, (jam.end_ns - t_ns) / NS_PER_S + float(rng.uniform(10, 300)))
    return delay


def _inside(jam: Jamming, sensor: Sensor) -> bool:
    distance = geodesic_distance_m(jam.area.lon, jam.area.lat, sensor.lon, sensor.lat)[0]
    return bool(distance <= jam.area.radius_m)
