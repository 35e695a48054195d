"""Sensor status: what the network says about its own health, as ``status.jsonl`` (a proposal,
docs/simulation.md; not yet in FORMATS.md).

Every record says that one sensor was in ``state`` from ``t_start`` to ``t_end``::

    {"status_id": "A0017-hb-000123", "sensor_id": "A0017", "t_start": "…Z", "t_end": "…Z",
     "state": "up", "reason": "heartbeat", "interval_s": 600, "seq": 3518}

written from the same plans and conditions as the truth of coverage
(:mod:`ceasewatch.sim.coverage`):

* **Heartbeats** (acoustic sensors, radars, cameras): every ``interval_s`` (600 s, a few
  seconds of jitter) a sensor that is up sends ``state: up`` with ``t_start`` = when it last
  started (its uptime origin: some days before the run, or the end of its last outage),
  ``t_end`` = when it sent it, both on its own clock (with its clock skew), and ``seq``, the
  number of heartbeats sent since it started (a frame counter: a gap in ``seq`` means
  heartbeats sent and lost; a gap in time without one, a sensor that said nothing). Nothing is
  sent during an outage; after one, the first heartbeat (``seq`` 1) comes 30–120 s after the
  restart. 2 % are lost on the way, 1 % arrive 5–60 min late, 0.3 % twice. Ids:
  ``<sensor>-hb-<NNNNNN>``, numbered per sensor over every heartbeat it tried to send.
* **Interference log** (the same sensors, inside a jamming circle): their heartbeats do not get
  through while jammed; the radio logs the interference and sends, once the link is back (10–300 s
  after the jamming ends), ``state: jammed``, ``reason: interference`` for the time it was up and
  jammed. Ids: ``<sensor>-jam-<NN>``.
* **Dark log** (cameras without a thermal imager): ``state: not_deployed``, ``reason: dark`` for
  each period the sun is below −6° (the camera's day/night switch), sent when it ends.
  Ids: ``<sensor>-dark-<NN>``.
* **Flight log** (drones), sent 5–30 min after landing: ``state: deployed``, ``reason: sortie``
  for each flight (``sortie`` names the planned sortie, ``swath_m`` the imager's swath);
  ``state: down``, ``reason: sortie`` for the part of a planned sortie not flown because the
  drone was out of service (an outage); ``state: jammed``, ``reason: link`` for each time the
  link was lost inside a jamming circle (its track sampled every 5 s, as the drone model flies
  it). The route is not in the record: it is a sensor position (restricted, like the registry).
  Ids: ``<sensor>-fl-<NNNN>``, ``<sensor>-gr-<NNNN>``, ``<sensor>-ll-<NNNN>``.
* **Shift log** (observer teams), 5–30 min after each period on post: ``state: deployed``,
  ``reason: shift`` for each run of report windows the team stood at its position;
  ``state: down``, ``reason: shift`` for the windows lost to an outage (team stood down).
  Ids: ``<team>-sh-<NNN>``, ``<team>-sd-<NNN>``.
* **Passes** (satellites), with the product (1.5–3.5 h after the pass, like FIRMS NRT):
  ``state: deployed``, ``reason: pass``, ``t_start`` = ``t_end`` = the pass, ``share`` = the
  cloud-free share of the region's 0.5° cells, ``cloudy`` = the south-west corners [lon, lat]
  of the cloudy cells, ``cell_deg`` = 0.5, ``platform``. A pass while the platform is out gives
  no product and no record; the data provider announces each outage, 0.5–2 h after it begins,
  as ``state: down``, ``reason: notice``. Ids: ``<sensor>-pass-<NNNN>``, ``<sensor>-out-<NN>``.

Jamming does not stop observers or satellites. ``causes`` are all None: status records are not
observations of happenings and appear in no truth source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.intervals import Intervals, intersect, merge, subtract
from ceasewatch.model.time import NS_PER_S, format_ns
from ceasewatch.sim.base import (
    Conditions,
    Emission,
    Happening,
    HappeningKind,
    Jamming,
    Sensor,
    SensorKind,
    stream,
)
from ceasewatch.sim.sources.observer import ObserverModel
from ceasewatch.sim.sources.satellite import CELL_DEG, SatelliteModel
from ceasewatch.sim.sources.sun import light_windows
from ceasewatch.sim.sources.uav import Route, UavModel

HEARTBEAT_KINDS = (SensorKind.ACOUSTIC, SensorKind.RADAR, SensorKind.CAMERA)
DAY_NS = 86_400 * NS_PER_S


def _ns(seconds: float) -> int:
    return int(round(seconds * NS_PER_S))


@dataclass
class StatusModel:
    """Heartbeats, interference, dark, flight and shift logs, passes → ``status.jsonl``."""

    stream: str = "status"
    interval_s: float = 600.0
    jitter_s: float = 3.0
    lost_share: float = 0.02
    late_share: float = 0.01
    duplicate_share: float = 0.003
    uptime_days: tuple[float, float] = (1.0, 30.0)  # how long sensors have run at the start
    restart_s: tuple[float, float] = (30.0, 120.0)  # restart to first heartbeat after an outage
    sample_s: float = 5.0  # drone track sampling for link losses (the drone model's)

    def emit(
        self,
        happenings: Sequence[Happening],
        sensors: Sequence[Sensor],
        conditions: Conditions,
        seed: int,
    ) -> Emission:
        """Every status record of the run (the plans redrawn from the models' seeded streams)."""
        rng = stream(seed, self.stream)
        emission = Emission(self.stream)
        ordered = sorted(sensors, key=lambda s: s.sensor_id)
        flown = UavModel().sorties(ordered, conditions, stream(seed, UavModel.stream))
        observers = ObserverModel()
        on_post = observers.windows(ordered, conditions, stream(seed, ObserverModel.stream))
        planned = observers.windows(
            ordered, replace(conditions, outages=()), stream(seed, ObserverModel.stream)
        )
        jams = _jam_happenings(happenings, conditions)
        for sensor in ordered:
            outages = merge([(a, b) for s, a, b in conditions.outages if s == sensor.sensor_id])
            if sensor.kind in HEARTBEAT_KINDS:
                self._heartbeats(emission, sensor, conditions, outages, rng, jams)
                if sensor.kind is SensorKind.CAMERA and not sensor.night_capable:
                    self._dark(emission, sensor, conditions, rng)
            elif sensor.kind is SensorKind.UAV:
                self._flights(emission, sensor, flown.get(sensor.sensor_id, []), conditions, rng)
            elif sensor.kind is SensorKind.OBSERVER:
                shifts = on_post.get(sensor.sensor_id, [])
                lost = subtract(planned.get(sensor.sensor_id, []), shifts)
                self._shifts(emission, sensor, shifts, lost, rng)
        if any(s.kind is SensorKind.SATELLITE for s in ordered):
            self._passes(emission, happenings, ordered, conditions, seed, rng)
        return emission

    # -- heartbeat sensors ---------------------------------------------------------------------

    def _heartbeats(
        self,
        emission: Emission,
        sensor: Sensor,
        conditions: Conditions,
        outages: Intervals,
        rng: np.random.Generator,
        jams: Sequence[tuple[Jamming, str]] = (),
    ) -> None:
        start, end = conditions.start_ns, conditions.end_ns
        skew = _ns(sensor.clock_skew_s)
        jammed = _jammed(sensor, conditions)
        up = subtract([(start, end)], outages)
        step = _ns(self.interval_s)
        number = 0
        for a, b in up:
            if a == start:
                boot = start - _ns(rng.uniform(*self.uptime_days) * 86_400)
                first = start + _ns(rng.uniform(0.0, self.interval_s))
            else:
                boot, first = a, a + _ns(rng.uniform(*self.restart_s))
            times = np.arange(first, b, step, dtype=np.int64)
            jitter = (rng.uniform(0.0, self.jitter_s, len(times)) * NS_PER_S).astype(np.int64)
            fate = rng.uniform(size=len(times))
            late = rng.uniform(300.0, 3600.0, len(times))
            quick = rng.uniform(0.5, 5.0, len(times))
            twice = rng.uniform(size=len(times))
            seq = (first - boot) // step
            since = format_ns(boot + skew, 3)
            for k, t in enumerate((times + jitter).tolist()):
                number += 1
                seq += 1
                if t >= b or any(x <= t < y for x, y in jammed) or fate[k] < self.lost_share:
                    continue
                delay = float(quick[k]) + (float(late[k]) if fate[k] > 1 - self.late_share else 0)
                record = {
                    "status_id": f"{sensor.sensor_id}-hb-{number:06d}",
                    "sensor_id": sensor.sensor_id,
                    "t_start": since,
                    "t_end": format_ns(t + skew, 3),
                    "state": "up",
                    "reason": "heartbeat",
                    "interval_s": int(self.interval_s),
                    "seq": int(seq),
                }
                emission.add(record, None, None, delay)
                if twice[k] < self.duplicate_share:
                    emission.duplicates.append(len(emission.records) - 1)
        for n, (a, b) in enumerate(intersect(jammed, up), start=1):
            record = {
                "status_id": f"{sensor.sensor_id}-jam-{n:02d}",
                "sensor_id": sensor.sensor_id,
                "t_start": format_ns(a + skew, 3),
                "t_end": format_ns(b + skew, 3),
                "state": "jammed",
                "reason": "interference",
            }
            cause = _jam_cause(jams, sensor, a, b)
            phase = None if cause is None else "interference"
            emission.add(record, cause, phase, float(rng.uniform(10.0, 300.0)))

    def _dark(
        self, emission: Emission, sensor: Sensor, conditions: Conditions, rng: np.random.Generator
    ) -> None:
        whole = [(conditions.start_ns, conditions.end_ns)]
        light = light_windows(sensor.lon, sensor.lat, *whole[0])
        for n, (a, b) in enumerate(subtract(whole, light), start=1):
            record = {
                "status_id": f"{sensor.sensor_id}-dark-{n:02d}",
                "sensor_id": sensor.sensor_id,
                "t_start": format_ns(a, 3),
                "t_end": format_ns(b, 3),
                "state": "not_deployed",
                "reason": "dark",
            }
            emission.add(record, None, None, float(rng.uniform(1.0, 10.0)))

    # -- drones, observers, satellites ---------------------------------------------------------

    def _flights(
        self,
        emission: Emission,
        sensor: Sensor,
        sorties: Intervals,
        conditions: Conditions,
        rng: np.random.Generator,
    ) -> None:
        outages = [(a, b) for s, a, b in conditions.outages if s == sensor.sensor_id]
        route = Route(sensor.route or ((sensor.lon, sensor.lat),))
        counts = {"fl": 0, "gr": 0, "ll": 0}
        for number, (a, b) in enumerate(sorties, start=1):
            name = f"{sensor.sensor_id}-so-{number:04d}"
            flights = subtract([(a, b)], outages)
            pieces = [("deployed", "fl", p) for p in flights]
            pieces += [("down", "gr", p) for p in intersect([(a, b)], merge(outages))]
            lost = self._link_losses(sensor, route, a, b, flights, conditions)
            pieces += [("jammed", "ll", p) for p in lost]
            landed = max(b for _, _, (_, b) in pieces) if pieces else b
            for state, code, (x, y) in sorted(pieces, key=lambda p: (p[2], p[1])):
                counts[code] += 1
                record: dict[str, Any] = {
                    "status_id": f"{sensor.sensor_id}-{code}-{counts[code]:04d}",
                    "sensor_id": sensor.sensor_id,
                    "t_start": format_ns(x, 3),
                    "t_end": format_ns(y, 3),
                    "state": state,
                    "reason": "link" if code == "ll" else "sortie",
                    "sortie": name,
                }
                if code == "fl":
                    record["swath_m"] = round(sensor.swath_m)
                delay = (landed - y) / NS_PER_S + float(rng.uniform(300.0, 1800.0))
                emission.add(record, None, None, delay)

    def _link_losses(
        self,
        sensor: Sensor,
        route: Route,
        start: int,
        end: int,
        flights: Intervals,
        conditions: Conditions,
    ) -> Intervals:
        """When the drone's link was cut: track samples inside a jamming circle while it jams."""
        step = _ns(self.sample_s)
        t = np.arange(start, end, step, dtype=np.int64)
        along = route.back_and_forth(sensor.speed_mps * (t - start) / NS_PER_S)
        inside = np.zeros(len(t), dtype=bool)
        for jam in conditions.jamming:
            during = (t >= jam.start_ns) & (t < jam.end_ns)
            if not np.any(during):
                continue
            lon, lat = route.at(along[during])
            near = geodesic_distance_m(jam.area.lon, jam.area.lat, lon, lat) <= jam.area.radius_m
            inside[np.flatnonzero(during)[near]] = True
        lost: Intervals = []
        for run in np.split(np.flatnonzero(inside), np.flatnonzero(np.diff(inside) != 0) + 1):
            if len(run) and inside[run[0]]:
                lost.append((int(t[run[0]]), min(int(t[run[-1]]) + step, end)))
        return intersect(merge(lost), flights)

    def _shifts(
        self,
        emission: Emission,
        team: Sensor,
        shifts: Intervals,
        lost: Intervals,
        rng: np.random.Generator,
    ) -> None:
        for code, state, periods in (("sh", "deployed", shifts), ("sd", "down", lost)):
            for n, (a, b) in enumerate(merge(periods), start=1):
                record = {
                    "status_id": f"{team.sensor_id}-{code}-{n:03d}",
                    "sensor_id": team.sensor_id,
                    "t_start": format_ns(a, 3),
                    "t_end": format_ns(b, 3),
                    "state": state,
                    "reason": "shift",
                }
                emission.add(record, None, None, float(rng.uniform(300.0, 1800.0)))

    def _passes(
        self,
        emission: Emission,
        happenings: Sequence[Happening],
        sensors: Sequence[Sensor],
        conditions: Conditions,
        seed: int,
        rng: np.random.Generator,
    ) -> None:
        model = SatelliteModel()
        plan = model.plan(happenings, sensors, conditions, stream(seed, model.stream))
        numbers: dict[str, int] = {}
        for overpass in plan:
            sensor_id = overpass.sensor_id
            if not conditions.sensor_up(sensor_id, np.array([overpass.t_ns]))[0]:
                continue
            numbers[sensor_id] = numbers.get(sensor_id, 0) + 1
            cells = max(overpass.cells, 1)
            record = {
                "status_id": f"{sensor_id}-pass-{numbers[sensor_id]:04d}",
                "sensor_id": sensor_id,
                "t_start": format_ns(overpass.t_ns, 3),
                "t_end": format_ns(overpass.t_ns, 3),
                "state": "deployed",
                "reason": "pass",
                "share": round(1.0 - len(overpass.cloudy) / cells, 6),
                "cell_deg": CELL_DEG,
                "cloudy": [[x * CELL_DEG, y * CELL_DEG] for x, y in sorted(overpass.cloudy)],
                "platform": overpass.platform,
            }
            emission.add(record, None, None, float(rng.uniform(1.5, 3.5) * 3600))
        for sensor in sensors:
            if sensor.kind is not SensorKind.SATELLITE:
                continue
            outages = [(a, b) for s, a, b in conditions.outages if s == sensor.sensor_id]
            for n, (a, b) in enumerate(merge(outages), start=1):
                record = {
                    "status_id": f"{sensor.sensor_id}-out-{n:02d}",
                    "sensor_id": sensor.sensor_id,
                    "t_start": format_ns(a, 3),
                    "t_end": format_ns(b, 3),
                    "state": "down",
                    "reason": "notice",
                }
                announced = (a - b) / NS_PER_S + float(rng.uniform(0.5, 2.0) * 3600)
                emission.add(record, None, None, announced)


def status(
    happenings: Sequence[Happening], sensors: Sequence[Sensor], conditions: Conditions, seed: int
) -> Emission:
    """The run's ``status.jsonl`` records (see the module)."""
    return StatusModel().emit(happenings, sensors, conditions, seed)


def _jam_happenings(
    happenings: Sequence[Happening], conditions: Conditions
) -> list[tuple[Jamming, str]]:
    """Each jamming with the interference happening it is (same start and centre)."""
    acts = {
        (h.t_ns, h.impact): h.happening_id
        for h in happenings
        if h.kind is HappeningKind.INTERFERENCE and h.impact is not None
    }
    return [
        (jam, acts[(jam.start_ns, (jam.area.lon, jam.area.lat))])
        for jam in conditions.jamming
        if (jam.start_ns, (jam.area.lon, jam.area.lat)) in acts
    ]


def _jam_cause(jams: Sequence[tuple[Jamming, str]], sensor: Sensor, a: int, b: int) -> str | None:
    """The interference happening that jammed ``sensor`` during [a, b), if one did: a sensor's
    interference log is a record of the act (the truth links it, as it links a pick to a shot)."""
    for jam, happening_id in jams:
        inside = geodesic_distance_m(jam.area.lon, jam.area.lat, sensor.lon, sensor.lat)[0]
        if inside <= jam.area.radius_m and jam.start_ns < b and a < jam.end_ns:
            return happening_id
    return None


def _jammed(sensor: Sensor, conditions: Conditions) -> Intervals:
    """The jamming windows of the circles the sensor stands in."""
    found = []
    for jam in conditions.jamming:
        distance = geodesic_distance_m(jam.area.lon, jam.area.lat, sensor.lon, sensor.lat)[0]
        if distance <= jam.area.radius_m:
            found.append(
                (max(jam.start_ns, conditions.start_ns), min(jam.end_ns, conditions.end_ns))
            )
    return merge([(a, b) for a, b in found if b > a])
