"""Placing sensors on the ground beside a line: the rules shared by the built-in styles and by
the generators of a deployment file.

Each placement is checked with the agreement's :class:`Locator`: a sensor meant to stand 2–6 km
from the line on one party's side must measure 2–6 km from the line, on that side, inside that
party's area (not at sea). Where the first guess fails (a salient only a few kilometres wide, a
river mouth), the nearest position that passes is taken from rings around it; a sensor with no
valid position within reach is left out and counted in :attr:`Placement.skipped`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from ceasewatch.agreement.locate import Locator
from ceasewatch.agreement.types import Agreement, Line
from ceasewatch.model.geo import FloatArray, geodesic_forward
from ceasewatch.sim.base import Sensor, SensorKind
from ceasewatch.sim.deployment.line import LineWalk, Stations

GRID_STEP_M = 500.0
GRID_REACH_M = 3000.0
"""Where a sensor's first position fails, the fallback searches rings every 500 m out to
3 km beyond the far edge of its band, every 15°."""

KEYWORDS: dict[SensorKind, tuple[str, ...]] = {
    SensorKind.ACOUSTIC: ("acoustic", "seismic"),
    SensorKind.RADAR: ("radar",),
    SensorKind.UAV: ("drone", "uav", "unmanned"),
    SensorKind.CAMERA: ("camera",),
    SensorKind.SATELLITE: ("satellite",),
    SensorKind.OBSERVER: ("observer", "monitor", "patrol"),
}
"""Words in a contributor's assets that make it the owner of sensors of a kind."""

MISSION = "mission"
FACING_WINDOW_M = 15_000.0


@dataclass(frozen=True)
class Spread:
    """A value, or a range from which each sensor's value is drawn uniformly."""

    low: float
    high: float

    @classmethod
    def of(cls, value: float) -> Spread:
        return cls(value, value)

    def draw(self, rng: np.random.Generator, count: int) -> FloatArray:
        # Always draws, so that a fixed value does not shift the draws that follow.
        return np.asarray(rng.uniform(self.low, self.high, count), dtype=np.float64)


@dataclass(frozen=True)
class Placed:
    """A sensor with what the generator meant: the line, the side (a party id, or None for
    sensors that belong to no side) and the chainage of the station it stands beside."""

    sensor: Sensor
    side: str | None = None
    line_id: str | None = None
    chainage_m: float | None = None
    label: str | None = None  # a satellite's platform, an observer team's settlement


@dataclass
class Placement:
    placed: list[Placed] = field(default_factory=list)
    skipped: int = 0


class Ground:
    """The agreement prepared for placing sensors: a locator and a walk along each line."""

    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement
        self.locator = Locator(agreement)
        self.walks = {str(line.id): LineWalk(line) for line in agreement.lines}

    def owners(self, kind: SensorKind) -> tuple[str, ...]:
        """Contributors whose assets name the kind; else every contributor; else the mission."""
        contributors = self.agreement.contributors
        words = KEYWORDS[kind]
        matched = tuple(
            c.id for c in contributors if any(w in a.lower() for a in c.assets for w in words)
        )
        return matched or tuple(c.id for c in contributors) or (MISSION,)

    def check(
        self, line: Line, lon: FloatArray, lat: FloatArray, sign: FloatArray, band: Spread
    ) -> NDArray[np.bool_]:
        """Which points lie within ``band`` of ``line``, on the side of ``sign`` (+1: second
        party), inside that party's area."""
        batch = self.locator.batch(lon, lat, 0.0)
        j = batch.line_ids.index(line.id)
        distance = batch.line_distance_m[:, j]
        ok = (distance >= band.low) & (distance <= band.high)
        ok &= np.sign(batch.line_signed_m[:, j]) == sign
        first, second = line.between
        for party, wanted in ((first, -1.0), (second, 1.0)):
            if party in batch.control_ids:
                k = batch.control_ids.index(party)
                ok &= (sign != wanted) | (batch.control[:, k] >= 0.5)
        return ok


def accepted(offset: Spread) -> Spread:
    """The distances from the line at which a sensor aimed at ``offset`` is accepted: the
    range itself, or ±20 % around a single value."""
    if offset.high > offset.low:
        return offset
    return Spread(offset.low * 0.8, offset.high * 1.2)


def place_beside(
    ground: Ground,
    line_id: str,
    stations: Stations,
    sign: FloatArray,
    offset_m: FloatArray,
    band: Spread,
) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Put one point beside each station, ``offset_m`` across the line on the side of
    ``sign``; where that fails the check, take the nearest point of a polar grid around it
    that passes. Returns the points and which of them succeeded."""
    line = ground.agreement.line(line_id)
    lon, lat = stations.beside(sign * offset_m)
    ok = ground.check(line, lon, lat, sign, band)
    todo = np.flatnonzero(~ok)
    if len(todo) == 0:
        return lon, lat, ok
    radii = np.arange(GRID_STEP_M, band.high + GRID_REACH_M + 1.0, GRID_STEP_M)
    azimuths = np.arange(0.0, 360.0, 15.0)
    ring, turn = (a.ravel() for a in np.meshgrid(radii, azimuths, indexing="ij"))
    count = len(ring)  # candidates per point, nearest first
    g_lon, g_lat = geodesic_forward(
        np.repeat(lon[todo], count),
        np.repeat(lat[todo], count),
        np.tile(turn, len(todo)),
        np.tile(ring, len(todo)),
    )
    good = ground.check(line, g_lon, g_lat, np.repeat(sign[todo], count), band)
    good = good.reshape(len(todo), count)
    found = good.any(axis=1)
    first = np.argmax(good, axis=1)
    rows = todo[found]
    pick = np.arange(len(todo))[found] * count + first[found]
    lon[rows], lat[rows], ok[rows] = g_lon[pick], g_lat[pick], True
    return lon, lat, ok


def facing(walk: LineWalk, stations: Stations, sign: FloatArray) -> FloatArray:
    """The direction across the line, toward it, for sensors beside ``stations`` on the side
    of ``sign``, averaged over ``FACING_WINDOW_M`` of line either side (the scale at which a
    radar 5–15 km back sees it)."""
    across = walk.stations(
        stations.chainage_m, piece=stations.piece, window_m=FACING_WINDOW_M
    ).across_deg
    return np.asarray((across + np.where(sign > 0, 180.0, 0.0)) % 360.0)


def sides_of(mode: str, line: Line, count: int, first_sign: float = -1.0) -> list[FloatArray]:
    """The signs of the sensors at each station: ``alternate`` (one per station, first party
    first), ``both`` (a pair per station), or one party's id."""
    first, second = (str(p) for p in line.between)
    if mode == "alternate":
        return [np.where(np.arange(count) % 2 == 0, first_sign, -first_sign)]
    if mode == "both":
        return [np.full(count, -1.0), np.full(count, 1.0)]
    if mode in (first, second):
        return [np.full(count, -1.0 if mode == first else 1.0)]
    raise ValueError(f"sides must be alternate, both, {first} or {second}, not {mode!r}")


def party_of(line: Line, sign: float) -> str:
    return str(line.between[1] if sign > 0 else line.between[0])


def by_blocks(owners: tuple[str, ...], count: int) -> list[str]:
    """Owners in contiguous blocks (each contributor a stretch of the line)."""
    return [owners[i * len(owners) // max(count, 1)] for i in range(count)]


def assign_ids(placed: list[Placed], taken: set[str]) -> list[Placed]:
    """Give sensors without an id the next free id of their kind: A0001, R01, U01, S01, T01…"""
    letters = {
        SensorKind.ACOUSTIC: ("A", 4),
        SensorKind.RADAR: ("R", 2),
        SensorKind.UAV: ("U", 2),
        SensorKind.CAMERA: ("C", 2),
        SensorKind.SATELLITE: ("S", 2),
        SensorKind.OBSERVER: ("T", 2),
    }
    counts: dict[SensorKind, int] = {}
    for p in placed:
        if not p.sensor.sensor_id:
            counts[p.sensor.kind] = counts.get(p.sensor.kind, 0) + 1
    used = set(taken)
    number: dict[SensorKind, int] = {}
    out = []
    for p in placed:
        if p.sensor.sensor_id:
            out.append(p)
            continue
        kind = p.sensor.kind
        letter, width = letters[kind]
        width = max(width, len(str(counts[kind])))
        while True:
            number[kind] = number.get(kind, 0) + 1
            ident = f"{letter}{number[kind]:0{width}d}"
            if ident not in used:
                break
        used.add(ident)
        out.append(replace(p, sensor=replace(p.sensor, sensor_id=ident)))
    return out
