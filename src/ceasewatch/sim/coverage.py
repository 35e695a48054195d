"""The truth of coverage: per sensor and hour, the share of the hour it could observe, and why not.

``available`` = share of the hour the sensor was deployed (a drone flying a sortie, an observer
team on shift, a camera or day-only drone in daylight; a satellite in an hour with a pass;
always for acoustic sensors and radars) minus the share lost to an outage or to jamming (radios
and drone links inside a jamming area; observers are not jammed). The drone and observer plans
are redrawn from the same seeded streams the models used, so they are the plans that were flown.
A drone counts as jammed for the share of its route that lies inside the jamming area.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.time import NS_PER_S, format_ns
from ceasewatch.sim.base import Conditions, Deployment, Happening, Sensor, SensorKind, stream
from ceasewatch.sim.sources.observer import ObserverModel
from ceasewatch.sim.sources.satellite import SatelliteModel
from ceasewatch.sim.sources.sun import light_windows
from ceasewatch.sim.sources.uav import UavModel

HOUR_NS = 3600 * NS_PER_S
Intervals = list[tuple[int, int]]


def coverage_rows(
    deployment: Deployment, conditions: Conditions, happenings: Sequence[Happening], seed: int
) -> list[dict[str, Any]]:
    sensors = deployment.sensors
    flown = UavModel().sorties(sensors, conditions, stream(seed, UavModel.stream))
    shifts = ObserverModel().windows(sensors, conditions, stream(seed, ObserverModel.stream))
    passes, clear = _passes(happenings, sensors, conditions, seed)
    hours = range(conditions.start_ns, conditions.end_ns, HOUR_NS)
    rows = []
    for sensor in sensors:
        deployed = _deployed(sensor, conditions, flown, shifts, passes)
        outages = [(a, b) for s, a, b in conditions.outages if s == sensor.sensor_id]
        jams = _jamming(sensor, conditions)
        for start in hours:
            end = min(start + HOUR_NS, conditions.end_ns)
            span = end - start
            active = _overlap(deployed, start, end) / span
            outage = _overlap(_intersect(deployed, outages), start, end) / span
            jammed = (
                sum(
                    share * _overlap(_intersect(deployed, [window]), start, end)
                    for window, share in jams
                )
                / span
            )
            available = max(active - outage - jammed, 0.0)
            if sensor.kind is SensorKind.SATELLITE and active:
                available = min(1.0, clear.get((sensor.sensor_id, start), 0.0)) - outage
            row: dict[str, Any] = {
                "sensor_id": sensor.sensor_id,
                "kind": str(sensor.kind),
                "hour": format_ns(start, 0),
                "available": round(max(available, 0.0), 4),
                "deployed": round(active, 4),
                "outage": round(outage, 4),
                "jammed": round(jammed, 4),
            }
            rows.append(row)
    return rows


def _deployed(
    sensor: Sensor,
    conditions: Conditions,
    flown: dict[str, Intervals],
    shifts: dict[str, Intervals],
    passes: dict[str, Intervals],
) -> Intervals:
    whole = [(conditions.start_ns, conditions.end_ns)]
    if sensor.kind is SensorKind.UAV:
        return flown.get(sensor.sensor_id, [])
    if sensor.kind is SensorKind.CAMERA:
        return whole if sensor.night_capable else light_windows(sensor.lon, sensor.lat, *whole[0])
    if sensor.kind is SensorKind.OBSERVER:
        return shifts.get(sensor.sensor_id, [])
    if sensor.kind is SensorKind.SATELLITE:
        return passes.get(sensor.sensor_id, [])
    return whole


def _passes(
    happenings: Sequence[Happening], sensors: Sequence[Sensor], conditions: Conditions, seed: int
) -> tuple[dict[str, Intervals], dict[tuple[str, int], float]]:
    """The hours in which each satellite passes (redrawn as the model drew them), and the
    clear share of the region's cells at those passes."""
    model = SatelliteModel()
    hours: dict[str, Intervals] = {}
    clear: dict[tuple[str, int], float] = {}
    plan = model.plan(happenings, sensors, conditions, stream(seed, model.stream))
    for overpass in plan:
        hour = conditions.start_ns + (overpass.t_ns - conditions.start_ns) // HOUR_NS * HOUR_NS
        if (hour, hour + HOUR_NS) not in hours.setdefault(overpass.sensor_id, []):
            hours[overpass.sensor_id].append((hour, hour + HOUR_NS))
        cells = max(overpass.cells, 1)
        share = 1.0 - len(overpass.cloudy) / cells
        clear[(overpass.sensor_id, hour)] = clear.get((overpass.sensor_id, hour), 0.0) + share
    return hours, clear


def _jamming(sensor: Sensor, conditions: Conditions) -> list[tuple[tuple[int, int], float]]:
    """(window, share of the sensor affected) for each jamming that reaches it."""
    if sensor.kind in (SensorKind.OBSERVER, SensorKind.SATELLITE):
        return []
    points = np.array(sensor.route) if sensor.route else np.array([[sensor.lon, sensor.lat]])
    found = []
    for jam in conditions.jamming:
        distance = geodesic_distance_m(jam.area.lon, jam.area.lat, points[:, 0], points[:, 1])
        share = float(np.mean(distance <= jam.area.radius_m))
        if share > 0:
            found.append(((jam.start_ns, jam.end_ns), share))
    return found


def _overlap(intervals: Intervals, start: int, end: int) -> int:
    return sum(max(0, min(b, end) - max(a, start)) for a, b in intervals)


def _intersect(first: Intervals, second: Intervals) -> Intervals:
    return [(max(a, c), min(b, d)) for a, b in first for c, d in second if min(b, d) > max(a, c)]
