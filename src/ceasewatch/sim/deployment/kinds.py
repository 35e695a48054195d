"""Generators of sensors of one kind along a stretch of line (:class:`Along`), and the virtual
satellite sensors.

``every_m`` is the distance along the line between consecutive stations. With
``sides="alternate"`` each station gets one sensor, on alternating sides (so each side has one
every ``2 × every_m``, staggered); with ``"both"`` a pair, one on each side; with a party's id,
one on that party's side. Drones are different: ``every_m`` is the distance between the centres
of patrols, each ``cover_m`` long, zig-zagging across the line within ``offset_m`` of it.
Observer teams sit in settlements ``offset_m`` from the line, the most populous first, at least
``every_m`` apart on each side.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ceasewatch.model.geo import geodesic_inverse
from ceasewatch.model.places import Gazetteer
from ceasewatch.sim.base import Sensor, SensorKind
from ceasewatch.sim.deployment.line import ChainageIndex
from ceasewatch.sim.deployment.place import (
    Ground,
    Placed,
    Placement,
    Spread,
    accepted,
    by_blocks,
    facing,
    party_of,
    place_beside,
    sides_of,
)

DEFAULTS: dict[SensorKind, dict[str, Spread]] = {
    SensorKind.ACOUSTIC: {
        "offset_m": Spread(2000.0, 6000.0),
        "range_m": Spread(18000.0, 22000.0),
        "t_sigma_s": Spread(0.01, 0.05),
        "false_alarm_per_h": Spread(0.1, 0.4),
        "p_detect": Spread(0.85, 0.95),
    },
    SensorKind.RADAR: {
        "offset_m": Spread(5000.0, 15000.0),
        "range_m": Spread(25000.0, 50000.0),
        "sector_deg": Spread.of(90.0),
        "false_alarm_per_h": Spread(0.05, 0.2),
        "p_detect": Spread(0.85, 0.95),
    },
    SensorKind.UAV: {
        "offset_m": Spread(3000.0, 20000.0),
        "speed_mps": Spread(27.0, 33.0),
        "swath_m": Spread.of(6000.0),
        "p_detect": Spread(0.75, 0.9),
    },
    SensorKind.OBSERVER: {
        "offset_m": Spread(3000.0, 15000.0),
        "range_m": Spread.of(10000.0),
        "p_detect": Spread.of(0.8),
    },
}
"""Per kind: how far from the line, and the sensor parameters (drawn per sensor)."""

ROUNDING = {
    "range_m": 0,
    "t_sigma_s": 4,
    "clock_skew_s": 3,
    "false_alarm_per_h": 3,
    "azimuth_deg": 1,
    "sector_deg": 1,
    "speed_mps": 1,
    "swath_m": 0,
    "p_detect": 3,
}

SATELLITES: dict[str, tuple[float, float]] = {
    # platform: (half swath in metres, p_detect)
    "VIIRS-SNPP": (1_500_000.0, 0.8),
    "VIIRS-NOAA20": (1_500_000.0, 0.8),
    "VIIRS-NOAA21": (1_500_000.0, 0.8),
    "MODIS-Terra": (1_165_000.0, 0.6),
    "MODIS-Aqua": (1_165_000.0, 0.6),
}
"""The thermal-anomaly platforms of NASA FIRMS, with the half-width of their swath."""


@dataclass(frozen=True)
class Along:
    """A generator of sensors of one kind along a stretch of one line."""

    kind: SensorKind
    line_id: str
    every_m: float
    from_m: float = 0.0
    to_m: float | None = None
    sides: str = "alternate"
    params: tuple[tuple[str, Spread], ...] = ()  # overrides of DEFAULTS[kind]
    owner: str | None = None  # default: by the contributors' assets
    skewed_share: float = 0.0  # acoustic: share of sensors with a clock skew
    clock_skew_s: Spread = Spread(0.2, 2.0)  # its magnitude (either sign)
    cover_m: float = 100_000.0  # uav: length of line each patrol covers
    leg_m: float = 8000.0  # uav: distance along the line between turns of the zig-zag
    night_share: float = 0.5  # uav: share with a thermal imager

    def spread(self, name: str) -> Spread:
        return dict(self.params).get(name) or DEFAULTS[self.kind][name]


def generate_along(
    ground: Ground, spec: Along, rng: np.random.Generator, gazetteer: Gazetteer | None = None
) -> Placement:
    if spec.kind is SensorKind.UAV:
        return _patrols(ground, spec, rng)
    if spec.kind is SensorKind.OBSERVER:
        return _observers(ground, spec, rng, gazetteer or Gazetteer.default())
    if spec.kind in (SensorKind.ACOUSTIC, SensorKind.RADAR):
        return _beside(ground, spec, rng)
    raise ValueError(f"no generator for {spec.kind} sensors; list them one by one")


def _parameters(spec: Along, rng: np.random.Generator, count: int) -> dict[str, np.ndarray]:
    return {
        name: spread.draw(rng, count)
        for name, spread in sorted({**DEFAULTS[spec.kind], **dict(spec.params)}.items())
        if name != "offset_m"
    }


def _sensor(kind: SensorKind, owner: str, lon: float, lat: float, **values: float) -> Sensor:
    rounded = {k: round(float(v), ROUNDING.get(k, 6)) for k, v in values.items()}
    return Sensor("", kind, owner, round(float(lon), 6), round(float(lat), 6), **rounded)  # type: ignore[arg-type]


def _beside(ground: Ground, spec: Along, rng: np.random.Generator) -> Placement:
    line = ground.agreement.line(spec.line_id)
    walk = ground.walks[spec.line_id]
    stations = walk.every(
        spec.every_m, from_m=spec.from_m, to_m=spec.to_m, min_piece_m=spec.every_m / 2
    )
    signs = sides_of(spec.sides, line, len(stations))
    offset = spec.spread("offset_m")
    count = len(stations) * len(signs)
    drawn_offset = offset.draw(rng, count).reshape(len(signs), len(stations))
    values = _parameters(spec, rng, count)
    owners = (spec.owner,) if spec.owner else ground.owners(spec.kind)
    result = Placement()
    rows: list[tuple[float, int, Placed]] = []
    for k, sign in enumerate(signs):
        lon, lat, ok = place_beside(
            ground, spec.line_id, stations, sign, drawn_offset[k], accepted(offset)
        )
        result.skipped += int(np.sum(~ok))
        azimuth = facing(ground.walks[spec.line_id], stations, sign)
        for i in np.flatnonzero(ok):
            n = k * len(stations) + i
            extra = {name: v[n] for name, v in values.items()}
            if spec.kind is SensorKind.RADAR:
                extra["azimuth_deg"] = azimuth[i]
            sensor = _sensor(spec.kind, "", lon[i], lat[i], **extra)
            chainage = float(stations.chainage_m[i])
            placed = Placed(sensor, party_of(line, sign[i]), spec.line_id, chainage)
            rows.append((float(stations.chainage_m[i]), k, placed))
    rows.sort(key=lambda r: (r[0], r[1]))
    skews = _skews(spec, rng, len(rows))
    for (_, _, placed), owner, skew in zip(rows, by_blocks(owners, len(rows)), skews, strict=True):
        sensor = replace(placed.sensor, owner=owner, clock_skew_s=round(float(skew), 3))
        result.placed.append(replace(placed, sensor=sensor))
    return result


def _skews(spec: Along, rng: np.random.Generator, count: int) -> np.ndarray:
    """Clock skews: a share of the sensors placed (at least one if the share is not zero)
    gets an offset of either sign."""
    skew = np.zeros(count)
    if spec.skewed_share > 0 and count:
        size = min(count, max(1, round(spec.skewed_share * count)))
        chosen = rng.choice(count, size=size, replace=False)
        magnitude = spec.clock_skew_s.draw(rng, size)
        skew[chosen] = magnitude * rng.choice([-1.0, 1.0], size=size)
    return skew


def _patrols(ground: Ground, spec: Along, rng: np.random.Generator) -> Placement:
    """Zig-zag routes across the line, one per ``every_m`` of each piece long enough."""
    walk = ground.walks[spec.line_id]
    end = walk.length_m if spec.to_m is None else min(spec.to_m, walk.length_m)
    centres: list[tuple[float, float, float, int]] = []  # centre, lowest, highest, piece
    for piece, (start, stop) in enumerate(walk.pieces):
        lo, hi = max(start, spec.from_m), min(stop, end)
        if hi - lo < min(spec.cover_m, spec.every_m) / 4:
            continue
        count = max(1, round((hi - lo) / spec.every_m))
        width = (hi - lo) / count
        centres += [(lo + (j + 0.5) * width, lo, hi, piece) for j in range(count)]
    owners = (spec.owner,) if spec.owner else ground.owners(spec.kind)
    result = Placement()
    offset = spec.spread("offset_m")
    for number, ((centre, lo, hi, piece), owner) in enumerate(
        zip(centres, by_blocks(owners, len(centres)), strict=True)
    ):
        first = max(lo, centre - spec.cover_m / 2)
        last = min(hi, centre + spec.cover_m / 2)
        turns = max(2, int(np.ceil((last - first) / spec.leg_m)) + 1)
        stations = walk.stations(np.linspace(first, last, turns), piece=piece)
        sign = np.where(np.arange(turns) % 2 == number % 2, -1.0, 1.0)
        lon, lat = stations.beside(sign * offset.draw(rng, turns))
        values = {name: float(v[0]) for name, v in _parameters(spec, rng, 1).items()}
        night = bool(rng.random() < spec.night_share)
        route = tuple(
            (round(float(x), 6), round(float(y), 6)) for x, y in zip(lon, lat, strict=True)
        )
        _, reach = geodesic_inverse(lon[0], lat[0], lon, lat)
        values["range_m"] = float(reach.max()) + values["swath_m"] / 2
        sensor = _sensor(SensorKind.UAV, owner, lon[0], lat[0], **values)
        sensor = replace(sensor, route=route, night_capable=night)
        result.placed.append(Placed(sensor, None, spec.line_id, centre))
    return result


def _observers(
    ground: Ground, spec: Along, rng: np.random.Generator, gazetteer: Gazetteer
) -> Placement:
    """Teams in settlements within ``offset_m`` of the line, largest first, ``every_m`` apart."""
    line = ground.agreement.line(spec.line_id)
    walk = ground.walks[spec.line_id]
    x0, y0, x1, y1 = line.geometry.bounds
    margin = 0.5
    candidates = [
        s
        for s in gazetteer.settlements
        if x0 - margin <= s.lon <= x1 + margin and y0 - margin <= s.lat <= y1 + margin
    ]
    result = Placement()
    if not candidates:
        return result
    lon = np.array([s.lon for s in candidates])
    lat = np.array([s.lat for s in candidates])
    band = spec.spread("offset_m")
    chainage = ChainageIndex(walk)(lon, lat)
    end = walk.length_m if spec.to_m is None else spec.to_m
    within = (chainage >= spec.from_m) & (chainage <= end)
    chosen: list[tuple[float, int, float]] = []  # chainage, candidate, sign
    for sign in sides_of(spec.sides if spec.sides != "alternate" else "both", line, 1):
        s = float(sign[0])
        ok = within & ground.check(line, lon, lat, np.full(len(lon), s), band)
        order = sorted(
            np.flatnonzero(ok), key=lambda i: (-candidates[i].population, candidates[i].geonameid)
        )
        taken: list[int] = []
        for i in order:
            if taken:
                _, apart = geodesic_inverse(lon[i], lat[i], lon[taken], lat[taken])
                if apart.min() < spec.every_m:
                    continue
            taken.append(int(i))
            chosen.append((float(chainage[i]), int(i), s))
    chosen.sort()
    owners = (spec.owner,) if spec.owner else ground.owners(spec.kind)
    values = _parameters(spec, rng, len(chosen))
    for n, ((chain, k, s), owner) in enumerate(
        zip(chosen, by_blocks(owners, len(chosen)), strict=True)
    ):
        extra = {name: v[n] for name, v in values.items()}
        sensor = _sensor(SensorKind.OBSERVER, owner, lon[k], lat[k], **extra)
        placed = Placed(sensor, party_of(line, s), spec.line_id, chain, candidates[k].name)
        result.placed.append(placed)
    return result


def satellites(ground: Ground, platforms: tuple[str, ...]) -> Placement:
    """One virtual sensor per platform, at the centre of the lines' bounding box."""
    bounds = [line.geometry.bounds for line in ground.agreement.lines]
    lon = (min(b[0] for b in bounds) + max(b[2] for b in bounds)) / 2
    lat = (min(b[1] for b in bounds) + max(b[3] for b in bounds)) / 2
    owners = ground.owners(SensorKind.SATELLITE)
    result = Placement()
    for platform, owner in zip(platforms, by_blocks(owners, len(platforms)), strict=True):
        half_swath_m, p_detect = SATELLITES[platform]
        sensor = _sensor(
            SensorKind.SATELLITE, owner, lon, lat, range_m=half_swath_m, p_detect=p_detect
        )
        result.placed.append(Placed(sensor, label=platform))
    return result
