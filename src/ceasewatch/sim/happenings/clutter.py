"""Clutter: what a naive system would call a violation.

Field and forest fires drawn from the real 2021 FIRMS background of the season (before the
invasion); quarry blasts by day at known quarries; thunder in summer storms; controlled
detonations of demining teams, announced in advance; live-fire training on declared ranges far
from the line.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from functools import cache
from importlib import resources

import numpy as np
import shapely

from ceasewatch.model.time import NS_PER_S, format_ns, from_ns, to_ns
from ceasewatch.sim.base import Emission, Happening, HappeningKind
from ceasewatch.sim.happenings.fire import IMPACT_DB, FireProcess

QUARRY_DB = 6.0
THUNDER_DB = 4.0
DEMINING_DB = 3.0
SEASON_WINDOW_DAYS = 10


@cache
def firms_baseline() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lon, lat, day of year) of the 2021 thermal anomalies within 80 km of the line."""
    text = (
        resources.files("ceasewatch.data")
        .joinpath("firms/baseline-2021-near-line.csv")
        .read_text(encoding="utf-8")
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    lon = np.array([float(r["longitude"]) for r in rows])
    lat = np.array([float(r["latitude"]) for r in rows])
    doy = np.array([datetime.fromisoformat(r["acq_date"]).timetuple().tm_yday for r in rows])
    return lon, lat, doy


def field_fires(fire: FireProcess, rng: np.random.Generator) -> list[Happening]:
    """Fires at places that burned in the same season of 2021, as many per day as then."""
    lon, lat, doy = firms_baseline()
    start = from_ns(fire.start_ns)
    day = start.timetuple().tm_yday
    gap = np.abs((doy - day + 182) % 365 - 182)
    window = np.flatnonzero(gap <= SEASON_WINDOW_DAYS)
    per_day = len(window) / (2 * SEASON_WINDOW_DAYS + 1) * fire.scenario.firms_scale
    count = rng.poisson(per_day * fire.hours / 24.0) if len(window) else 0
    picks = rng.choice(window, size=count) if count else np.array([], dtype=int)
    out = []
    for index in picks:
        t = _daytime(fire, rng, 9.0, 17.0)
        place = fire.world.scatter((float(lon[index]), float(lat[index])), 150.0, rng)
        duration_s = rng.uniform(2.0, 12.0) * 3600.0
        out.append(
            Happening(
                "",
                HappeningKind.FIELD_FIRE,
                t,
                place,
                t,
                None,
                None,
                end_ns=t + int(duration_s * NS_PER_S),
                notes="field fire",
            )
        )
    return out


def quarry_blasts(fire: FireProcess, rng: np.random.Generator) -> list[Happening]:
    sites = fire.scenario.quarry_sites
    if not sites:
        return []
    count = rng.poisson(fire.scenario.quarry_blasts_per_day * fire.hours / 24.0)
    out = []
    for _ in range(count):
        site = sites[int(rng.integers(len(sites)))]
        t = _daytime(fire, rng, 11.0, 14.0)
        place = fire.world.scatter(site, 300.0, rng)
        out.append(
            Happening(
                "",
                HappeningKind.QUARRY_BLAST,
                t,
                place,
                t,
                None,
                None,
                loudness_db=QUARRY_DB,
                notes="quarry blast",
            )
        )
    return out


def storms(fire: FireProcess, rng: np.random.Generator) -> list[Happening]:
    out = []
    for _ in range(fire.scenario.storms):
        centre_along = fire.along(1)
        foot = fire.world.on_line(centre_along)
        clon, clat = fire.world.offset(foot, [rng.uniform(-60_000.0, 60_000.0)])
        t0 = int(fire.times(1)[0])
        for _ in range(int(rng.integers(20, 60))):
            t = t0 + int(rng.uniform(0.0, 5400.0) * NS_PER_S)
            place = fire.world.scatter((float(clon[0]), float(clat[0])), 6000.0, rng)
            out.append(
                Happening(
                    "",
                    HappeningKind.THUNDER,
                    t,
                    place,
                    t,
                    None,
                    None,
                    loudness_db=THUNDER_DB,
                    notes="thunder",
                )
            )
    return out


def demining(fire: FireProcess, rng: np.random.Generator) -> tuple[list[Happening], Emission]:
    """Controlled detonations, each announced 12-36 h before by the party doing it."""
    world = fire.world
    notices = Emission("notifications")
    out: list[Happening] = []
    count = rng.poisson(fire.scenario.demining_per_day * fire.hours / 24.0)
    for number in range(count):
        party = world.parties[int(rng.integers(2))]
        foot = world.on_line(fire.along(1))
        lon, lat = world.offset(foot, [world.side_sign(party) * rng.uniform(3000.0, 30000.0)])
        site = (float(lon[0]), float(lat[0]))
        t0 = _daytime(fire, rng, 10.0, 15.0)
        blasts = [
            Happening(
                "",
                HappeningKind.DEMINING,
                t,
                world.scatter(site, 80.0, rng),
                t,
                party,
                None,
                loudness_db=DEMINING_DB,
                notes="announced demining",
            )
            for t in sorted(
                t0 + int(rng.uniform(0, 1800) * NS_PER_S) for _ in range(int(rng.integers(1, 5)))
            )
        ]
        out += blasts
        submitted = t0 - int(rng.uniform(12.0, 36.0) * 3600 * NS_PER_S)
        notices.add(
            {
                "notification_id": f"{party}-N-{number + 1:04d}",
                "party": party,
                "t_submitted": format_ns(submitted, 0),
                "t_window": [
                    format_ns(t0 - 3600 * NS_PER_S, 0),
                    format_ns(t0 + 7200 * NS_PER_S, 0),
                ],
                "position": [round(site[0], 5), round(site[1], 5)],
                "radius_m": 1000,
                "activity": "demining",
                "text": f"Controlled detonation of explosive remnants, {len(blasts)} charges.",
            },
            cause=None,  # linked to its blasts by the run (see truth notes)
            phase="notice",
            delay_s=0.0,
        )
    return out, notices


def training(fire: FireProcess, rng: np.random.Generator) -> list[Happening]:
    """Live fire on the declared training ranges of the agreement (zones named training-*)."""
    ranges = [
        z for z in fire.world.agreement.zones if z.id.startswith("training") and z.area is not None
    ]
    if not ranges:
        return []
    out = []
    for _ in range(rng.poisson(fire.scenario.training_per_day * fire.hours / 24.0)):
        zone = ranges[int(rng.integers(len(ranges)))]
        party = zone.party or fire.world.parties[0]
        weapon = "artillery_ge_100mm" if rng.uniform() < 0.5 else "mortar"
        t = _daytime(fire, rng, 9.0, 16.0)
        for _ in range(int(rng.integers(5, 16))):
            launch, impact = _inside(zone.area, rng), _inside(zone.area, rng)
            out.append(
                Happening(
                    "",
                    HappeningKind.TRAINING,
                    t,
                    impact,
                    t + 20 * NS_PER_S,
                    party,
                    weapon,
                    launch=launch,
                    loudness_db=IMPACT_DB[weapon],
                    deliberate=True,
                    notes=f"training on {zone.id}",
                )
            )
            t += int(rng.uniform(30.0, 240.0) * NS_PER_S)
    return out


def _inside(area: shapely.Geometry, rng: np.random.Generator) -> tuple[float, float]:
    x0, y0, x1, y1 = area.bounds
    while True:
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if area.contains(shapely.Point(x, y)):
            return (round(float(x), 7), round(float(y), 7))


def _daytime(fire: FireProcess, rng: np.random.Generator, first_h: float, last_h: float) -> int:
    """A time between two local hours (UTC+2) on a day of the run, inside the run."""
    start = from_ns(fire.start_ns)
    days = max(1, int(np.ceil(fire.hours / 24.0)))
    for _ in range(100):
        day = int(rng.integers(days))
        local = rng.uniform(first_h, last_h) - 2.0
        midnight_ns = to_ns(datetime(start.year, start.month, start.day, tzinfo=UTC))
        t = midnight_ns + (day * 86_400) * NS_PER_S + int(local * 3600 * NS_PER_S)
        if fire.start_ns <= t < fire.start_ns + int(fire.hours * 3600 * NS_PER_S):
            return t
    return fire.start_ns + int(rng.uniform(0, fire.hours * 3600) * NS_PER_S)
