"""What coverage is computed from: the sensor registry, the status records (``status.jsonl``,
parsed, deduplicated and sorted), the agreement's main line and the sample points of a circle.
Time intervals are :mod:`ceasewatch.model.intervals`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.model.geo import FloatArray, geodesic_distance_m, geodesic_forward
from ceasewatch.model.time import parse_ns

HEARTBEAT_S = 600.0
"""The heartbeat interval when a heartbeat does not state its ``interval_s``."""
STATES = ("up", "down", "jammed", "deployed", "not_deployed")


@dataclass(frozen=True)
class RegisteredSensor:
    """A sensor of the registry: what coverage needs of it."""

    sensor_id: str
    kind: str
    lon: float
    lat: float
    range_m: float | None = None
    commissioned_ns: int | None = None
    decommissioned_ns: int | None = None


def registry_sensors(
    registry: Mapping[str, Any] | Iterable[Mapping[str, Any]],
) -> tuple[RegisteredSensor, ...]:
    """The sensors of a ``sensors.geojson`` FeatureCollection (or of a list of its features),
    sorted by id. A feature that is not a Point with ``sensor_id`` and ``kind`` raises
    :class:`InputError`."""
    features = registry.get("features", []) if isinstance(registry, Mapping) else registry
    found: dict[str, RegisteredSensor] = {}
    for index, feature in enumerate(features):
        try:
            props = feature["properties"]
            lon, lat = feature["geometry"]["coordinates"][:2]
            sensor = RegisteredSensor(
                str(props["sensor_id"]),
                str(props["kind"]),
                float(lon),
                float(lat),
                None if props.get("range_m") is None else float(props["range_m"]),
                _time(props.get("commissioned")),
                _time(props.get("decommissioned")),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise InputError(
                f"sensors.geojson#/features/{index}: not a Point feature with sensor_id and "
                "kind; fix the registry"
            ) from exc
        found[sensor.sensor_id] = sensor
    return tuple(found[k] for k in sorted(found))


@dataclass(frozen=True)
class Status:
    """One parsed status record."""

    status_id: str
    sensor_id: str
    t_start_ns: int
    t_end_ns: int
    state: str
    reason: str
    share: float | None
    interval_s: float
    seq: int | None = None
    cloudy: frozenset[tuple[float, float]] = frozenset()
    cell_deg: float = 0.5


@dataclass
class Parsed:
    by_sensor: dict[str, list[Status]] = field(default_factory=dict)
    ignored: int = 0


def parse_status(records: Iterable[Mapping[str, Any]], known: Iterable[str]) -> Parsed:
    """Status records by sensor, deduplicated and sorted; unknown sensors and bad records
    are counted in ``ignored``."""
    sensors = set(known)
    chosen: dict[str, tuple[str, Status]] = {}
    parsed = Parsed()
    for record in records:
        try:
            status = _status(record)
        except (KeyError, TypeError, ValueError, InputError):
            parsed.ignored += 1
            continue
        if status.sensor_id not in sensors:
            parsed.ignored += 1
            continue
        text = json.dumps(record, sort_keys=True, default=str)
        if status.status_id not in chosen or text < chosen[status.status_id][0]:
            chosen[status.status_id] = (text, status)
    for _, status in sorted(chosen.values(), key=lambda c: _order(c[1])):
        parsed.by_sensor.setdefault(status.sensor_id, []).append(status)
    return parsed


# -- the main line and circles ----------------------------------------------------------------


def main_line(agreement: Agreement) -> tuple[str, FloatArray, FloatArray, FloatArray]:
    """The longest piece of the agreement's first line: id, vertices, geodesic chainage (m)."""
    if not agreement.lines:
        raise ValueError(f"{agreement.id} has no line to measure along")
    line = agreement.lines[0]
    best: tuple[float, FloatArray] | None = None
    for part in getattr(line.geometry, "geoms", [line.geometry]):
        xy = np.asarray(part.coords, dtype=np.float64)[:, :2]
        steps = geodesic_distance_m(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
        chain = np.concatenate([[0.0], np.cumsum(steps)])
        if best is None or chain[-1] > best[0]:
            best = (float(chain[-1]), np.column_stack([xy, chain]))
    assert best is not None
    table = best[1]
    return str(line.id), table[:, 0], table[:, 1], table[:, 2]


def point_at(
    lon: FloatArray, lat: FloatArray, chain: FloatArray, at_m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Points at the given chainages (straight in lon/lat within a segment, as GeoJSON)."""
    segment = np.clip(np.searchsorted(chain, at_m, side="right") - 1, 0, len(chain) - 2)
    length = chain[segment + 1] - chain[segment]
    f = np.clip((at_m - chain[segment]) / np.where(length > 0, length, 1.0), 0.0, 1.0)
    return (
        lon[segment] + (lon[segment + 1] - lon[segment]) * f,
        lat[segment] + (lat[segment + 1] - lat[segment]) * f,
    )


def circle_points(lon: float, lat: float, radius_m: float) -> tuple[FloatArray, FloatArray]:
    """The centre, and 6 and 12 points on circles of half and the whole radius."""
    if radius_m <= 0:
        return np.array([lon]), np.array([lat])
    azimuth = np.concatenate([np.arange(6) * 60.0, np.arange(12) * 30.0 + 15.0])
    distance = np.concatenate([np.full(6, radius_m / 2), np.full(12, float(radius_m))])
    rlon, rlat = geodesic_forward(np.full(18, lon), np.full(18, lat), azimuth, distance)
    return np.concatenate([[lon], rlon]), np.concatenate([[lat], rlat])


# -- intervals: sorted, disjoint, half-open [a, b) on the ns clock -----------------------------


# -- parsing ------------------------------------------------------------------------------------


def _status(record: Mapping[str, Any]) -> Status:
    state = str(record["state"])
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    t_start, t_end = parse_ns(str(record["t_start"])), parse_ns(str(record["t_end"]))
    if t_end < t_start and state != "up":
        raise ValueError("t_end before t_start")
    share = record.get("share")
    if share is not None and not (isinstance(share, int | float) and 0.0 <= share <= 1.0):
        raise ValueError("share is not a fraction")
    interval = record.get("interval_s")
    interval_s = float(interval) if isinstance(interval, int | float) and interval > 0 else None
    seq = record.get("seq")
    cell = record.get("cell_deg")
    cloudy = frozenset(
        (round(float(c[0]), 6), round(float(c[1]), 6)) for c in record.get("cloudy") or ()
    )
    return Status(
        str(record["status_id"]),
        str(record["sensor_id"]),
        t_start,
        t_end,
        state,
        str(record.get("reason", "")),
        None if share is None else float(share),
        interval_s or HEARTBEAT_S,
        seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
        cloudy,
        float(cell) if isinstance(cell, int | float) and cell > 0 else 0.5,
    )


def _order(status: Status) -> tuple[str, int, int, str]:
    return (status.sensor_id, status.t_end_ns, status.t_start_ns, status.status_id)


def _time(value: Any) -> int | None:
    return None if value is None else parse_ns(str(value))
