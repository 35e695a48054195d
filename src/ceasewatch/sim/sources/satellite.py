"""Satellites: thermal anomalies as NASA FIRMS rows (``firms.csv``, FORMATS.md).

**Passes.** Each SATELLITE sensor is one platform on a sun-synchronous orbit (``PLATFORMS``:
VIIRS on S-NPP, NOAA-20, NOAA-21; MODIS on Terra and Aqua). Its ground tracks cross the
region at a fixed local solar time at nadir (VIIRS 13:30 by day and 01:30 by night; Terra
10:30/22:30; Aqua 13:30/01:30), one orbit every ``1440 / orbits_per_day`` minutes, each
``360 / orbits_per_day`` degrees of longitude west of the one before; the pattern shifts from
day to day as the real 16-day repeat cycles do. A pass at nadir longitude λ happens at
``UTC = LST − λ/15 h``, so S-NPP and NOAA-20 (half an orbit apart) see a place about 50 min
apart. A pass sees everything within ``sensor.range_m`` (the half swath) of its track; its
whole image carries one acquisition time. A point of the region gets one or two day passes and
one or two night passes per platform.

**Clouds.** For each pass, each 0.5° × 0.5° cell of the region is under cloud with probability
``conditions.cloud_fraction`` (drawn once per pass and cell, so clouds are spatially coherent):
nothing under cloud is seen. :meth:`SatelliteModel.plan` gives the passes with their cloudy cells.

**Fires.** Field fires (FIELD_FIRE, from ``t`` to ``end``); and fires set by shelling: each
impact of an ``artillery_ge_100mm`` or ``mlrs`` round and each DRONE_STRIKE starts a fire with
p = 0.05 that burns 1–6 h (cause: that happening, phase ``fire``). A fire burning at a clear
pass over it, while the sensor is up, gives a row with probability ``sensor.p_detect``; a fire
with a large radiative power (FRP > 25 MW, > 60 MW) fills 2 or 3 adjacent pixels (one row
each, same cause). The row's position is the pixel centre: the fire lies uniformly within the
pixel (375 m for VIIRS at nadir, growing to ~800 m at the swath edge; 1 km growing to
4.8 × 2 km for MODIS), plus a geolocation error (70 m VIIRS, 50 m MODIS, one sigma per axis);
pixel axes are taken east and north.

**False anomalies.** Hot industrial sites (``INDUSTRIAL``: power plants, a coke plant, steel
works; approximate positions) are hot at a pass with p = 0.05 and then seen like fires: rows
with cause None, ``truth[i] = {"reason": "industrial", "site": name, ...}``.

Rows have the standard VIIRS columns (``FIRMS_COLUMNS``): ``acq_time`` is HHMM UTC,
``satellite`` N/N20/N21 (VIIRS NRT codes) or Terra/Aqua, ``confidence`` l/n/h for VIIRS and
0–100 for MODIS rows (as FIRMS gives them), ``version`` 2.0NRT or 6.1NRT, ``daynight`` D when
the sun is above 5° (FIRMS: solar zenith below 85°). A MODIS row puts its channel 21/22 and
31 brightness in ``bright_ti4``/``bright_ti5``, so that one file holds both products.
Every row reaches the mechanism 1.5–3.5 h after acquisition (NRT latency).
``could_detect["<id>/fire"]`` lists the platforms that had a clear pass while the fire burned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from ceasewatch.model.geo import geodesic_forward, geodesic_inverse
from ceasewatch.model.time import NS_PER_S
from ceasewatch.sim.base import Conditions, Emission, Happening, HappeningKind, Sensor, SensorKind
from ceasewatch.sim.sources.sun import solar_elevation_deg

FIRMS_COLUMNS = (
    "latitude",
    "longitude",
    "bright_ti4",
    "scan",
    "track",
    "acq_date",
    "acq_time",
    "satellite",
    "instrument",
    "confidence",
    "version",
    "bright_ti5",
    "frp",
    "daynight",
)
CELL_DEG = 0.5
FIRE_WEAPONS = frozenset({"artillery_ge_100mm", "mlrs"})
INDUSTRIAL = {  # approximate positions (lon, lat)
    "Zaporizhzhia TPP (Enerhodar)": (34.63, 47.50),
    "Kurakhove TPP": (37.25, 48.00),
    "Vuhlehirsk TPP (Svitlodarsk)": (38.23, 48.45),
    "Avdiivka coke plant": (37.76, 48.15),
    "Alchevsk steel works": (38.80, 48.47),
}


@dataclass(frozen=True)
class Platform:
    satellite: str  # the CSV's satellite code
    instrument: str
    version: str
    day_lst_h: float  # local solar time of the day pass at nadir (night: + 12 h)
    orbits_per_day: float
    phase_deg: float  # fixes where the tracks fall on a given day
    scan_km: tuple[float, float]  # pixel size across the track: nadir, swath edge
    track_km: tuple[float, float]  # along the track
    geolocation_m: float


PLATFORMS = {
    "VIIRS-SNPP": Platform(
        "N", "VIIRS", "2.0NRT", 13.5, 227 / 16, 0.0, (0.32, 0.80), (0.36, 0.78), 70.0
    ),
    "VIIRS-NOAA20": Platform(
        "N20", "VIIRS", "2.0NRT", 13.5, 227 / 16, 12.7, (0.32, 0.80), (0.36, 0.78), 70.0
    ),
    "VIIRS-NOAA21": Platform(
        "N21", "VIIRS", "2.0NRT", 13.5, 227 / 16, 6.3, (0.32, 0.80), (0.36, 0.78), 70.0
    ),
    "MODIS-Terra": Platform(
        "Terra", "MODIS", "6.1NRT", 10.5, 233 / 16, 3.0, (1.0, 4.8), (1.0, 2.0), 50.0
    ),
    "MODIS-Aqua": Platform(
        "Aqua", "MODIS", "6.1NRT", 13.5, 233 / 16, 9.0, (1.0, 4.8), (1.0, 2.0), 50.0
    ),
}


@dataclass(frozen=True)
class Pass:
    sensor_id: str
    platform: str
    t_ns: int
    nadir_lon: float
    cloudy: frozenset[tuple[int, int]]  # (floor(lon / 0.5), floor(lat / 0.5)) under cloud
    cells: int = 0  # cells of the region, cloudy or not


@dataclass(frozen=True)
class Fire:
    cause: str | None  # None: an industrial site
    lon: float
    lat: float
    start_ns: int
    end_ns: int
    frp_mw: float
    site: str = ""


def cell_of(lon: float, lat: float) -> tuple[int, int]:
    return (int(np.floor(lon / CELL_DEG)), int(np.floor(lat / CELL_DEG)))


@dataclass
class SatelliteModel:
    """Satellite thermal anomalies → FIRMS rows (see the module)."""

    stream: str = "firms"
    platforms: Mapping[str, str] = field(default_factory=dict)  # sensor id → PLATFORMS key
    p_fire: float = 0.05  # chance that a heavy impact sets a fire
    p_hot: float = 0.05  # chance that an industrial site shows at a pass

    def platform_of(self, sensors: Sequence[Sensor]) -> dict[str, str]:
        """Sensor id → platform: as given, else MODIS for a half swath under 1,300 km and VIIRS
        otherwise, in the order of ``PLATFORMS``, by sensor id."""
        found: dict[str, str] = {}
        viirs = [p for p in PLATFORMS if p.startswith("VIIRS")]
        modis = [p for p in PLATFORMS if p.startswith("MODIS")]
        for sensor in _satellites(sensors):
            named = self.platforms.get(sensor.sensor_id)
            pool = modis if sensor.range_m < 1_300_000 else viirs
            found[sensor.sensor_id] = (
                named or pool[sum(1 for p in found.values() if p in pool) % len(pool)]
            )
        return found

    def plan(
        self,
        happenings: Sequence[Happening],
        sensors: Sequence[Sensor],
        conditions: Conditions,
        rng: np.random.Generator,
    ) -> list[Pass]:
        """The passes over the region in the run, in time order, with their cloudy cells."""
        points = [h.impact for h in happenings if _may_burn(h)] + list(INDUSTRIAL.values())
        lon = np.array([p[0] for p in points])
        lat = np.array([p[1] for p in points])
        x0, y0 = cell_of(lon.min(), lat.min())
        x1, y1 = cell_of(lon.max(), lat.max())
        reach = {s.sensor_id: s.range_m for s in sensors}
        raw: list[tuple[int, str, str, float]] = []
        for sensor_id, name in sorted(self.platform_of(sensors).items()):
            p = PLATFORMS[name]
            spacing = 360.0 / p.orbits_per_day
            shift = (p.orbits_per_day % 1.0) * spacing
            first = conditions.start_ns // (86_400 * NS_PER_S) - 1
            for day in range(first, conditions.end_ns // (86_400 * NS_PER_S) + 2):
                for lst_h, offset in ((p.day_lst_h, 0.0), (p.day_lst_h + 12.0, spacing / 2)):
                    base = (p.phase_deg + offset - day * shift) % spacing
                    k = np.arange(
                        np.floor((lon.min() - 60 - base) / spacing),
                        np.ceil((lon.max() + 60 - base) / spacing) + 1,
                    )
                    for nadir in base + k * spacing:
                        t = day * 86_400 * NS_PER_S + int((lst_h - nadir / 15.0) * 3600 * NS_PER_S)
                        seen = geodesic_inverse(nadir, lat, lon, lat)[1].min() <= reach[sensor_id]
                        if seen and conditions.start_ns <= t < conditions.end_ns:
                            raw.append((t, sensor_id, name, float(nadir)))
        passes = []
        for t, sensor_id, name, nadir in sorted(raw):
            cloud = rng.uniform(size=(y1 - y0 + 1, x1 - x0 + 1)) < conditions.cloud_fraction
            cells = frozenset(
                (x0 + int(i), y0 + int(j)) for j, i in zip(*np.nonzero(cloud), strict=True)
            )
            passes.append(Pass(sensor_id, name, t, nadir, cells, int(cloud.size)))
        return passes

    def fires(self, happenings: Sequence[Happening], rng: np.random.Generator) -> list[Fire]:
        """Field fires, and the fires that heavy impacts and drone strikes set."""
        found = []
        for h in happenings:
            if h.kind is HappeningKind.FIELD_FIRE:
                end = h.end_ns if h.end_ns is not None else h.t_ns + 4 * 3600 * NS_PER_S
                frp = float(rng.lognormal(np.log(8.0), 0.9))
                found.append(Fire(h.happening_id, *h.impact, h.t_ns, end, frp))
            elif _may_burn(h) and rng.uniform() < self.p_fire:
                burn_ns = int(rng.uniform(1.0, 6.0) * 3600 * NS_PER_S)
                frp = float(rng.lognormal(np.log(3.0), 0.7))
                found.append(
                    Fire(h.happening_id, *h.impact, h.t_impact_ns, h.t_impact_ns + burn_ns, frp)
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
        if not _satellites(sensors):
            return emission
        passes = self.plan(happenings, sensors, conditions, rng)
        fires = self.fires(happenings, rng)
        could: dict[str, set[str]] = {f"{f.cause}/fire": set() for f in fires}
        by_id = {s.sensor_id: s for s in sensors}
        for ps in passes:
            sensor = by_id[ps.sensor_id]
            if not conditions.sensor_up(sensor.sensor_id, np.array([ps.t_ns]))[0]:
                continue
            hot = [
                Fire(
                    None,
                    lon,
                    lat,
                    ps.t_ns,
                    ps.t_ns + 1,
                    float(rng.lognormal(np.log(15.0), 0.5)),
                    name,
                )
                for name, (lon, lat) in INDUSTRIAL.items()
                if rng.uniform() < self.p_hot
            ]
            burning = [f for f in fires if f.start_ns <= ps.t_ns < f.end_ns] + hot
            if not burning:
                continue
            lon = np.array([f.lon for f in burning])
            lat = np.array([f.lat for f in burning])
            _, cross_m = geodesic_inverse(ps.nadir_lon, lat, lon, lat)
            for fire, offset in zip(burning, cross_m, strict=True):
                if offset > sensor.range_m or cell_of(fire.lon, fire.lat) in ps.cloudy:
                    continue
                if fire.cause is not None:
                    could[f"{fire.cause}/fire"].add(sensor.sensor_id)
                if rng.uniform() < sensor.p_detect:
                    self._rows(emission, ps, fire, float(offset / sensor.range_m), rng)
        emission.could_detect = {k: sorted(v) for k, v in sorted(could.items())}
        return emission

    def _rows(
        self, emission: Emission, ps: Pass, fire: Fire, edge: float, rng: np.random.Generator
    ) -> None:
        p = PLATFORMS[ps.platform]
        scan = p.scan_km[0] + (p.scan_km[1] - p.scan_km[0]) * edge**2
        track = p.track_km[0] + (p.track_km[1] - p.track_km[0]) * edge**2
        frp = fire.frp_mw * float(rng.lognormal(0.0, 0.3))
        pixels = 1 + int(frp > 25.0) + int(frp > 60.0)
        east = rng.uniform(-0.5, 0.5) * scan * 1000.0 + rng.normal(0.0, p.geolocation_m)
        north = rng.uniform(-0.5, 0.5) * track * 1000.0 + rng.normal(0.0, p.geolocation_m)
        when = datetime.fromtimestamp(ps.t_ns // NS_PER_S, tz=UTC)
        elevation = float(solar_elevation_deg(ps.t_ns, fire.lon, fire.lat)[0])
        day = elevation > 5.0
        for pixel in range(pixels):
            dx = east + (scan * 1000.0 if pixel == 1 else 0.0)
            dy = north + (track * 1000.0 if pixel == 2 else 0.0)
            lon, lat = geodesic_forward(
                fire.lon, fire.lat, float(np.degrees(np.arctan2(dx, dy))), float(np.hypot(dx, dy))
            )
            share = frp / pixels
            ti4 = (300.0 if day else 292.0) + 12.0 * np.log1p(share) + rng.normal(0.0, 3.0)
            ti5 = (283.0 if day else 268.0) + 2.0 * np.log1p(share) + rng.normal(0.0, 1.5)
            if p.instrument == "VIIRS":
                ti4 = min(ti4, 367.0)
                confidence: object = "h" if ti4 >= 367.0 else ("l" if share < 1.0 else "n")
            else:
                confidence = int(
                    np.clip(round(40 + 12 * np.log1p(share) + rng.normal(0, 8)), 0, 100)
                )
            record = {
                "latitude": round(float(lat[0]), 5),
                "longitude": round(float(lon[0]), 5),
                "bright_ti4": round(float(ti4), 2),
                "scan": round(scan, 2),
                "track": round(track, 2),
                "acq_date": when.strftime("%Y-%m-%d"),
                "acq_time": when.strftime("%H%M"),
                "satellite": p.satellite,
                "instrument": p.instrument,
                "confidence": confidence,
                "version": p.version,
                "bright_ti5": round(float(ti5), 2),
                "frp": round(share, 2),
                "daynight": "D" if day else "N",
            }
            truth: dict[str, object] = {"platform": ps.platform, "pixel": pixel, "pixels": pixels}
            if fire.cause is None:
                truth = {"reason": "industrial", "site": fire.site, **truth}
            emission.truth[len(emission.records)] = truth
            phase = "fire" if fire.cause is not None else None
            emission.add(record, fire.cause, phase, float(rng.uniform(1.5, 3.5) * 3600))


def _may_burn(h: Happening) -> bool:
    return (
        h.kind is HappeningKind.FIELD_FIRE
        or h.kind is HappeningKind.DRONE_STRIKE
        or (h.kind is HappeningKind.SHOT and h.weapon in FIRE_WEAPONS)
    )


def _satellites(sensors: Sequence[Sensor]) -> list[Sensor]:
    return sorted((s for s in sensors if s.kind is SensorKind.SATELLITE), key=lambda s: s.sensor_id)
