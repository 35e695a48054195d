"""The simulator's contract: sensors, happenings, conditions, and what a sensor model emits.

A simulation is a pure function of (scenario, deployment, agreement, seed): a *world* of real
geometry; *happenings* (everything that really occurred: shots, bursts, drone strikes, heavy
weapons in zones, and clutter such as field fires and quarry blasts); *conditions* (outages,
jamming, cloud, night); and *sensor models* that turn happenings under conditions into the
records real sources send (the formats of FORMATS.md), each record linked in the truth to the
happening that caused it, or marked a false alarm.

Times are integer nanoseconds since the Unix epoch (``*_ns``); positions are WGS84
``(lon, lat)``; distances metres. Randomness comes only from the ``numpy.random.Generator``
handed to each model (derived from the seed by name, see :func:`stream`), so output is
byte-identical for a seed whatever the machine, time zone, locale or hash seed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

import numpy as np


class SensorKind(StrEnum):
    ACOUSTIC = "acoustic"
    RADAR = "radar"
    UAV = "uav"
    CAMERA = "camera"
    SATELLITE = "satellite"
    OBSERVER = "observer"


@dataclass(frozen=True)
class Sensor:
    """One sensor of a deployment, with the parameters of its model.

    ``lon``/``lat`` is where it stands (for a drone: its base; for a satellite: the centre of
    the monitored area). Only the fields of FORMATS.md go into ``sensors.geojson``
    (``sensor_id``, ``kind``, ``owner``, ``elev_m``, ``range_m``); the others are the
    simulator's ground truth about the sensor.
    """

    sensor_id: str
    kind: SensorKind
    owner: str
    lon: float
    lat: float
    range_m: float
    elev_m: float = 0.0
    t_sigma_s: float = 0.02  # acoustic: one-sigma pick timing noise
    clock_skew_s: float = 0.0  # acoustic: a constant offset of the sensor's clock
    false_alarm_per_h: float = 0.0
    azimuth_deg: float = 0.0  # radar: centre of the coverage sector
    sector_deg: float = 360.0  # radar: width of the coverage sector
    route: tuple[tuple[float, float], ...] = ()  # uav: patrol route (lon, lat) vertices
    speed_mps: float = 0.0  # uav: patrol speed
    swath_m: float = 0.0  # uav/camera: width seen on the ground
    night_capable: bool = False  # uav/camera: thermal imager
    p_detect: float = 0.9  # probability of detecting what is in range and visible


@dataclass(frozen=True)
class Deployment:
    name: str
    sensors: tuple[Sensor, ...]

    def of_kind(self, kind: SensorKind) -> tuple[Sensor, ...]:
        return tuple(s for s in self.sensors if s.kind is kind)


class HappeningKind(StrEnum):
    SHOT = "shot"  # a round fired: a launch and an impact
    BURST = "burst"  # small-arms or heavy machine-gun fire
    DRONE_STRIKE = "drone_strike"  # a munition dropped or flown in by a drone: impact only
    WEAPON_PRESENCE = "weapon_presence"  # weapons standing somewhere for a while
    FLIGHT = "flight"  # a military drone or aircraft flying over a zone
    INTERFERENCE = "interference"  # a party jamming the mechanism's sensors
    FIELD_FIRE = "field_fire"  # clutter: agricultural or forest fire
    QUARRY_BLAST = "quarry_blast"  # clutter: industrial blasting
    THUNDER = "thunder"  # clutter
    DEMINING = "demining"  # clutter: announced controlled detonation
    TRAINING = "training"  # clutter: live fire far from the line


CLUTTER = frozenset(
    {
        HappeningKind.FIELD_FIRE,
        HappeningKind.QUARRY_BLAST,
        HappeningKind.THUNDER,
        HappeningKind.DEMINING,
        HappeningKind.TRAINING,
    }
)


@dataclass(frozen=True)
class Happening:
    """Something that really occurred. Shots have a launch and an impact; other kinds have a
    position (``impact`` holds it) and, for lasting ones, an end time."""

    happening_id: str
    kind: HappeningKind
    t_ns: int  # launch time for shots, start time otherwise
    impact: tuple[float, float]
    t_impact_ns: int
    party: str | None  # who did it (None for clutter with no party)
    weapon: str | None  # a weapon class of the agreement, or None
    launch: tuple[float, float] | None = None
    end_ns: int | None = None  # for weapon presence, flights, fires
    count: int = 1  # rounds in a burst, weapons in a presence
    loudness_db: float = 0.0  # acoustic source level relative to a 152 mm impact
    episode: str | None = None  # escalation episode it belongs to
    deliberate: bool | None = None
    violations: tuple[str, ...] = ()  # rule ids of the agreement it breaks
    notes: str = ""

    @property
    def clutter(self) -> bool:
        return self.kind in CLUTTER


@dataclass(frozen=True)
class Circle:
    lon: float
    lat: float
    radius_m: float


@dataclass(frozen=True)
class Jamming:
    """Radios and drone links inside ``area`` fail between ``start_ns`` and ``end_ns``."""

    area: Circle
    start_ns: int
    end_ns: int
    label: str = ""


@dataclass(frozen=True)
class Conditions:
    """What limits the sensors during the run (the truth of coverage)."""

    start_ns: int
    end_ns: int
    outages: tuple[tuple[str, int, int], ...] = ()  # (sensor_id, start_ns, end_ns)
    jamming: tuple[Jamming, ...] = ()
    cloud_fraction: float = 0.3  # chance that a satellite pixel is under cloud

    def sensor_up(self, sensor_id: str, t_ns: np.ndarray) -> np.ndarray:
        """Boolean per time: the sensor is not in an outage."""
        up = np.ones(np.shape(t_ns), dtype=bool)
        for ident, start, end in self.outages:
            if ident == sensor_id:
                up &= ~((t_ns >= start) & (t_ns < end))
        return up


@dataclass
class Emission:
    """What one sensor model produced: records in an exchange format, and their causes.

    ``records[i]`` is a dict in the format of ``stream`` (FORMATS.md); ``causes[i]`` is the
    ``happening_id`` that caused it (or None for a false alarm); ``phases[i]`` is the phase of
    that happening it observed (``launch``, ``impact``, ``blast``, ``presence``…);
    ``delay_s[i]`` is how long after its own time it reached the mechanism (for ordering the
    output by arrival); ``duplicates`` lists indices delivered twice; ``could_detect`` maps a
    source id (``<happening_id>/<phase>``) to the sensors that were in range and working;
    ``truth`` holds per-record extras for the truth files (e.g. a complaint's classification
    and the happenings an observer report counted).
    """

    stream: str
    records: list[dict[str, Any]] = field(default_factory=list)
    causes: list[str | None] = field(default_factory=list)
    phases: list[str | None] = field(default_factory=list)
    delay_s: list[float] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    could_detect: dict[str, list[str]] = field(default_factory=dict)  # source id -> sensors
    truth: dict[int, dict[str, Any]] = field(default_factory=dict)  # record index -> extras

    def add(
        self,
        record: dict[str, Any],
        cause: str | None,
        phase: str | None,
        delay_s: float = 0.0,
    ) -> None:
        self.records.append(record)
        self.causes.append(cause)
        self.phases.append(phase)
        self.delay_s.append(delay_s)


class SensorModel(Protocol):
    """Turns happenings into the records of one kind of source."""

    stream: str

    def observe(
        self,
        happenings: Sequence[Happening],
        sensors: Sequence[Sensor],
        conditions: Conditions,
        rng: np.random.Generator,
    ) -> Emission: ...


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream for ``name``, derived from the seed by SHA-256.

    Adding a model or changing its draws never shifts the draws of another model.
    """
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return np.random.default_rng(np.frombuffer(digest, dtype=np.uint32))
