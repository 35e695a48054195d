"""Counter-battery and air-surveillance radars: projectile and drone tracks (``tracks.jsonl``).

A radar sees a projectile whose trajectory midpoint lies inside its sector (``azimuth_deg`` ±
``sector_deg``/2) and range: with ``p_detect`` up to 80 % of the range, falling linearly to 0 at
the edge. Tank rounds fly too flat to be tracked. It reports the launch and impact points with
circular errors that grow with distance (CEP 10 m + 4 m/km for the launch, 10 m + 3 m/km for the
impact), times with 0.5 s noise, and the projectile class (10 % "unknown"). Military drones
(flights, drone strikes) give ``uav`` tracks. Radars in an outage or inside a jamming area see
nothing; each has a false-track rate. A track belongs, in the truth, to the impact of a shot
(to the flight of a drone).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ceasewatch.model.geo import geodesic_forward, geodesic_inverse
from ceasewatch.model.time import NS_PER_S, format_ns
from ceasewatch.sim.base import Conditions, Emission, Happening, HappeningKind, Sensor, SensorKind

Found = list[tuple[int, str, dict[str, object], str | None, str | None]]
"""(time, sensor id, record without its id, cause, phase) before numbering."""
CEP_TO_SIGMA = 1.0 / 1.1774  # circular error probable to one-sigma per axis
PROJECTILE = {
    "mortar": "mortar",
    "artillery_lt_100mm": "artillery",
    "artillery_ge_100mm": "artillery",
    "mlrs": "mlrs",
    "uav": "uav",
}
TRACKED = (HappeningKind.SHOT, HappeningKind.TRAINING, HappeningKind.DRONE_STRIKE,
           HappeningKind.FLIGHT)  # fmt: skip


class RadarModel:
    stream = "tracks"

    def observe(
        self,
        happenings: Sequence[Happening],
        sensors: Sequence[Sensor],
        conditions: Conditions,
        rng: np.random.Generator,
    ) -> Emission:
        radars = [s for s in sensors if s.kind is SensorKind.RADAR]
        emission = Emission(self.stream)
        tracked = [h for h in happenings if h.kind in TRACKED and h.weapon in PROJECTILE]
        found: Found = []
        for radar in radars:
            found += self._tracks(radar, tracked, conditions, rng, emission)
            found += self._false(radar, conditions, rng)
        found.sort(key=lambda f: (f[1], f[0], f[3] or ""))
        counters: dict[str, int] = {}
        for _t, sensor_id, record, cause, phase in found:
            counters[sensor_id] = counters.get(sensor_id, 0) + 1
            track = {"track_id": f"{sensor_id}-{counters[sensor_id]:05d}", **record}
            emission.add(track, cause, phase, float(rng.uniform(2.0, 20.0)))
        return emission

    def _tracks(
        self,
        radar: Sensor,
        tracked: list[Happening],
        conditions: Conditions,
        rng: np.random.Generator,
        emission: Emission,
    ) -> Found:
        if not tracked:
            return []
        mid = np.array([_midpoint(h) for h in tracked])
        azimuth, distance = geodesic_inverse(radar.lon, radar.lat, mid[:, 0], mid[:, 1])
        off_axis = np.abs((azimuth - radar.azimuth_deg + 180.0) % 360.0 - 180.0)
        in_sector = off_axis <= radar.sector_deg / 2.0
        edge = np.clip((radar.range_m - distance) / (0.2 * radar.range_m), 0.0, 1.0)
        p = radar.p_detect * edge * in_sector
        t = np.array([h.t_ns for h in tracked], dtype=np.int64)
        up = conditions.sensor_up(radar.sensor_id, t) & ~_jammed(radar, t, conditions)
        seen = (rng.uniform(size=len(tracked)) < p) & up
        out: Found = []
        for k, happening in enumerate(tracked):
            phase = "flight" if happening.kind is HappeningKind.FLIGHT else "impact"
            if p[k] >= 0.5 * radar.p_detect and up[k]:
                emission.could_detect.setdefault(f"{happening.happening_id}/{phase}", []).append(
                    radar.sensor_id
                )
            if not seen[k]:
                continue
            record = self._record(radar, happening, rng)
            out.append((happening.t_ns, radar.sensor_id, record, happening.happening_id, phase))
        return out

    def _record(self, radar: Sensor, h: Happening, rng: np.random.Generator) -> dict[str, object]:
        projectile = PROJECTILE[h.weapon or ""] if rng.uniform() >= 0.1 else "unknown"
        record: dict[str, object] = {"sensor_id": radar.sensor_id}
        if h.launch is not None:
            cep = 10.0 + 4.0 * _distance_km(radar, h.launch)
            record["t_launch"] = format_ns(h.t_ns + int(rng.normal(0, 0.5) * NS_PER_S), 3)
            record["launch"] = _blur(h.launch, cep, rng)
            record["launch_cep_m"] = round(cep)
        if h.kind is HappeningKind.FLIGHT:
            cep = 10.0 + 3.0 * _distance_km(radar, h.impact)
            record["t_launch"] = format_ns(h.t_ns + int(rng.normal(0, 0.5) * NS_PER_S), 3)
            record["launch"] = _blur(h.impact, cep, rng)
            record["launch_cep_m"] = round(cep)
        else:
            cep = 10.0 + 3.0 * _distance_km(radar, h.impact)
            record["t_impact"] = format_ns(h.t_impact_ns + int(rng.normal(0, 0.5) * NS_PER_S), 3)
            record["impact"] = _blur(h.impact, cep, rng)
            record["impact_cep_m"] = round(cep)
        record["projectile"] = projectile
        return record

    def _false(self, radar: Sensor, conditions: Conditions, rng: np.random.Generator) -> Found:
        span_s = (conditions.end_ns - conditions.start_ns) / NS_PER_S
        count = rng.poisson(radar.false_alarm_per_h * span_s / 3600.0)
        out: Found = []
        for _ in range(count):
            t = conditions.start_ns + int(rng.uniform(0.0, span_s) * NS_PER_S)
            if not conditions.sensor_up(radar.sensor_id, np.array([t]))[0]:
                continue
            azimuth = radar.azimuth_deg + rng.uniform(-radar.sector_deg / 2, radar.sector_deg / 2)
            lon, lat = geodesic_forward(
                radar.lon, radar.lat, azimuth, rng.uniform(0.2, 1.0) * radar.range_m
            )
            record: dict[str, object] = {
                "sensor_id": radar.sensor_id,
                "t_impact": format_ns(t, 3),
                "impact": [round(float(lon[0]), 6), round(float(lat[0]), 6)],
                "impact_cep_m": 150,
                "projectile": "unknown",
            }
            out.append((t, radar.sensor_id, record, None, None))
        return out


def _midpoint(h: Happening) -> tuple[float, float]:
    if h.launch is None:
        return h.impact
    return ((h.launch[0] + h.impact[0]) / 2.0, (h.launch[1] + h.impact[1]) / 2.0)


def _distance_km(radar: Sensor, point: tuple[float, float]) -> float:
    return float(geodesic_inverse(radar.lon, radar.lat, point[0], point[1])[1][0]) / 1000.0


def _blur(point: tuple[float, float], cep_m: float, rng: np.random.Generator) -> list[float]:
    east, north = rng.normal(0.0, cep_m * CEP_TO_SIGMA, 2)
    azimuth = float(np.degrees(np.arctan2(east, north)))
    lon, lat = geodesic_forward(point[0], point[1], azimuth, float(np.hypot(east, north)))
    return [round(float(lon[0]), 6), round(float(lat[0]), 6)]


def _jammed(radar: Sensor, t: np.ndarray, conditions: Conditions) -> np.ndarray:
    jammed = np.zeros(len(t), dtype=bool)
    for jam in conditions.jamming:
        distance = geodesic_inverse(jam.area.lon, jam.area.lat, radar.lon, radar.lat)[1][0]
        if distance <= jam.area.radius_m:
            jammed |= (t >= jam.start_ns) & (t < jam.end_ns)
    return jammed
