"""Coverage per sensor and hour: what the mechanism could have seen, from the sensors' own status
reports (``status.jsonl``, docs/adjudication-coverage.md) and the registry — never the truth.

Each sensor gets a :class:`Timeline` of intervals on the nanosecond clock:

* **deployed** — when it was meant to observe. Acoustic sensors, radars, cameras: always (since
  ``commissioned`` and before ``decommissioned``), less their ``not_deployed`` records (a camera
  in the dark). Drones and observer teams: their ``deployed`` records (flights, shifts) and their
  ``down`` records (sorties not flown, shifts stood down: deployed but out of service).
  Satellites: the hours with a pass (below).
* **outage** — ``down`` records, plus what the heartbeats tell. A heartbeat says "up since
  ``t_start`` (the sensor's last start), now ``t_end``". Heartbeats with the same start belong to
  one uptime: the sensor was up from that start to its last heartbeat, and on until the next
  was due. Within one uptime, a gap that the heartbeats' ``seq`` (their count since the start)
  shows was filled with heartbeats sent and lost, or one of up to :data:`LOST_GAPS` intervals,
  is not an outage; a longer gap in which the sensor sent nothing and that no ``jammed`` record
  explains is *silent* (counted as outage, except its first and last half interval). A new
  start means the sensor went down after its last heartbeat: the outage runs from halfway
  between that heartbeat and the next one due (or the restart, if sooner) to the restart. After
  the last heartbeat of all, the time to the end of the window is judged like a gap with nothing
  sent: silent where more than :data:`LOST_GAPS` intervals pass unexplained by ``jammed``
  records, from half an interval in. A heartbeat sensor with no heartbeat is silent throughout.
* **jammed** — ``jammed`` records (a radio's interference log, a drone's lost link).

``available = deployed − outage − jammed`` (each loss counted once, outage first). Per hour
(hours start at ``start_ns``; the last may be short), :class:`SensorHour` holds the shares of the
hour: ``available``, ``deployed``, ``not_deployed = 1 − deployed``, ``outage``, ``jammed``,
``cloud`` — they sum to one with ``available``. A satellite's hour (the truth's convention) is
deployed when it holds a reported pass; ``available = min(1, Σ cloud-free share of its passes)
− the share of the hour in an outage notice``, at least 0; ``cloud`` the rest.

Pure and deterministic: records are deduplicated by ``status_id`` (of two with the same id and
different content the smaller canonical JSON wins) and sorted, so their order never matters.
Records of sensors not in the registry, and malformed ones, are counted in ``ignored``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ceasewatch.adjudication.coverage_inputs import (
    RegisteredSensor,
    Status,
    parse_status,
    registry_sensors,
)
from ceasewatch.model.intervals import Intervals, intersect, length, merge, subtract
from ceasewatch.model.time import NS_PER_S, format_ns

HOUR_NS = 3600 * NS_PER_S
LOST_GAPS = 3.5
"""Heartbeat intervals that may pass without one (and without a ``seq`` showing that the
missing ones were sent) before silence counts as an outage."""
SAME_START_NS = NS_PER_S
HEARTBEAT_KINDS = ("acoustic", "radar", "camera")
DUTY_KINDS = ("uav", "observer")

__all__ = [
    "Pass",
    "RegisteredSensor",
    "SensorHour",
    "Timeline",
    "heartbeat_outage",
    "hours_of",
    "registry_sensors",
    "sensor_hours",
    "timeline",
    "timelines",
]


@dataclass(frozen=True)
class Pass:
    """A satellite pass with a product: its time and cloud mask."""

    t_ns: int
    clear: float  # cloud-free share of the region
    cloudy: frozenset[tuple[float, float]]  # south-west corners of the cloudy cells
    cell_deg: float


@dataclass(frozen=True)
class Timeline:
    """What one sensor could do over the window (see the module)."""

    sensor: RegisteredSensor
    deployed: Intervals
    outage: Intervals
    jammed: Intervals
    passes: tuple[Pass, ...] = ()

    @property
    def available(self) -> Intervals:
        return subtract(subtract(self.deployed, self.outage), self.jammed)


@dataclass(frozen=True)
class SensorHour:
    sensor_id: str
    kind: str
    hour_ns: int
    available: float
    deployed: float
    outage: float
    jammed: float
    cloud: float

    @property
    def not_deployed(self) -> float:
        return max(0.0, 1.0 - self.deployed)

    def to_json(self) -> dict[str, Any]:
        """A ``coverage.jsonl`` row (the truth's shape, plus ``not_deployed`` and ``cloud``)."""
        return {
            "sensor_id": self.sensor_id,
            "kind": self.kind,
            "hour": format_ns(self.hour_ns, 0),
            "available": round(self.available, 4),
            "deployed": round(self.deployed, 4),
            "not_deployed": round(self.not_deployed, 4),
            "outage": round(self.outage, 4),
            "jammed": round(self.jammed, 4),
            "cloud": round(self.cloud, 4),
        }


def timelines(
    records: Iterable[Mapping[str, Any]],
    sensors: Sequence[RegisteredSensor],
    start_ns: int,
    end_ns: int,
) -> tuple[dict[str, Timeline], int]:
    """Each registered sensor's timeline over [start, end), and the count of ignored records."""
    parsed = parse_status(records, (s.sensor_id for s in sensors))
    found = {}
    for sensor in sensors:
        found[sensor.sensor_id] = timeline(
            sensor, parsed.by_sensor.get(sensor.sensor_id, []), start_ns, end_ns
        )
    return found, parsed.ignored


def timeline(
    sensor: RegisteredSensor, statuses: Sequence[Status], start_ns: int, end_ns: int
) -> Timeline:
    """One sensor's timeline from its own (deduplicated, sorted) status records."""
    window = [(start_ns, end_ns)]
    if sensor.commissioned_ns is not None or sensor.decommissioned_ns is not None:
        window = intersect(
            window, [(sensor.commissioned_ns or start_ns, sensor.decommissioned_ns or end_ns)]
        )

    def of(state: str) -> Intervals:
        return merge([(s.t_start_ns, s.t_end_ns) for s in statuses if s.state == state])

    down, jammed = of("down"), of("jammed")
    if sensor.kind in DUTY_KINDS:
        deployed = intersect(merge(of("deployed") + down), window)
    elif sensor.kind == "satellite":
        deployed = window
    else:
        deployed = subtract(window, of("not_deployed"))
    outage = down
    beats = [s for s in statuses if s.state == "up"]
    if sensor.kind in HEARTBEAT_KINDS or beats:
        outage = merge(outage + heartbeat_outage(beats, jammed, start_ns, end_ns))
    passes = tuple(
        Pass(s.t_end_ns, s.share if s.share is not None else 1.0, s.cloudy, s.cell_deg)
        for s in statuses
        if s.state == "deployed" and s.reason == "pass" and start_ns <= s.t_end_ns < end_ns
    )
    return Timeline(
        sensor,
        deployed,
        intersect(outage, window),
        intersect(jammed, window),
        passes if sensor.kind == "satellite" else (),
    )


def heartbeat_outage(
    beats: Sequence[Status], jammed: Intervals, start_ns: int, end_ns: int
) -> Intervals:
    """When heartbeats say the sensor was down or silent (see the module), within the window."""
    up: Intervals = []
    silent: Intervals = []
    runs: list[list[Status]] = []
    for beat in sorted(beats, key=lambda b: (b.t_end_ns, b.status_id)):
        if runs and abs(runs[-1][0].t_start_ns - beat.t_start_ns) <= SAME_START_NS:
            runs[-1].append(beat)
        else:
            runs.append([beat])
    for k, run in enumerate(runs):
        step = int(run[-1].interval_s * NS_PER_S)
        last = run[-1].t_end_ns
        if k + 1 < len(runs):
            restart = runs[k + 1][0].t_start_ns
            until = max(last, (last + min(last + step, restart)) // 2)
        else:  # nothing after it yet: silent only where the tail has gone unexplained too long
            until = max(end_ns, last)
            for a, b in subtract([(last, end_ns)], jammed):
                if b - a > LOST_GAPS * step:
                    silent.append((a + step // 2, b))
        up.append((min(run[0].t_start_ns, run[0].t_end_ns), until))
        for before, after in zip(run, run[1:], strict=False):
            if before.seq is not None and after.seq is not None:
                sent = after.seq - before.seq  # heartbeats sent in the gap, the last one included
                if sent > 1 and sent * step >= after.t_end_ns - before.t_end_ns - step:
                    continue  # sent all along, lost on the way
            for a, b in subtract([(before.t_end_ns, after.t_end_ns)], jammed):
                if b - a > LOST_GAPS * step:
                    silent.append((a + step // 2, b - step // 2))
    return subtract([(start_ns, end_ns)], subtract(merge(up), merge(silent)))


def sensor_hours(
    status_records: Iterable[Mapping[str, Any]],
    sensors: Sequence[RegisteredSensor],
    start_ns: int,
    end_ns: int,
) -> list[SensorHour]:
    """Per registered sensor and hour of [start, end), the shares of the hour (see the module),
    sorted by sensor id then hour."""
    found, _ = timelines(status_records, sensors, start_ns, end_ns)
    return [row for sid in sorted(found) for row in hours_of(found[sid], start_ns, end_ns)]


def hours_of(line: Timeline, start_ns: int, end_ns: int) -> list[SensorHour]:
    sensor = line.sensor
    rows = []
    for hour in range(start_ns, end_ns, HOUR_NS):
        span = min(hour + HOUR_NS, end_ns) - hour
        if sensor.kind == "satellite":
            clear = sum(p.clear for p in line.passes if hour <= p.t_ns < hour + HOUR_NS)
            seen = min(1.0, clear)
            deployed = 1.0 if any(hour <= p.t_ns < hour + HOUR_NS for p in line.passes) else 0.0
            down = length(line.outage, hour, hour + span) / span if deployed else 0.0
            available = max(0.0, seen - down)
            outage = seen - available
            rows.append(
                SensorHour(
                    sensor.sensor_id, sensor.kind, hour, available, deployed, outage, 0.0,
                    deployed - seen,
                )
            )  # fmt: skip
            continue
        deployed_in = intersect(line.deployed, [(hour, hour + span)])
        out = intersect(deployed_in, line.outage)
        jam = intersect(subtract(deployed_in, out), line.jammed)
        deployed = length(deployed_in) / span
        outage = length(out) / span
        jammed = length(jam) / span
        available = max(0.0, deployed - outage - jammed)
        rows.append(
            SensorHour(
                sensor.sensor_id, sensor.kind, hour, available, deployed, outage, jammed, 0.0
            )
        )
    return rows
