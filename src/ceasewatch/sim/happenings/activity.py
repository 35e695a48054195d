"""The parties' other activity: small-arms bursts, drone strikes, heavy weapons seen inside or
beyond their withdrawal zones, military drones over the security zone, and jamming."""

from __future__ import annotations

import numpy as np

from ceasewatch.model.time import NS_PER_S
from ceasewatch.sim.base import Happening, HappeningKind, Jamming
from ceasewatch.sim.happenings.fire import BURST_DB, DRONE_STRIKE_DB, FireProcess
from ceasewatch.sim.scenarios import Scenario
from ceasewatch.sim.world import World

PRESENCE_WEAPONS = ("tank", "artillery_ge_100mm", "mlrs", "mortar")


def bursts(fire: FireProcess, rng: np.random.Generator) -> list[Happening]:
    """Machine-gun and rifle fire from positions near the line (the source is the shooter)."""
    world = fire.world
    count = rng.poisson(fire.scenario.bursts_per_h * fire.hours)
    t = fire.times(count)
    along = fire.along(count)
    out = []
    for ti, a in zip(t, along, strict=True):
        party = world.parties[int(rng.uniform() < fire.scenario.party_share)]
        foot = world.on_line([a])
        lon, lat = world.offset(foot, [world.side_sign(party) * rng.uniform(150.0, 1500.0)])
        duration_s = rng.uniform(5.0, 90.0)
        out.append(
            Happening(
                "",
                HappeningKind.BURST,
                int(ti),
                (float(lon[0]), float(lat[0])),
                int(ti),
                party,
                "small_arms",
                end_ns=int(ti) + int(duration_s * NS_PER_S),
                count=int(rng.integers(10, 120)),
                loudness_db=BURST_DB,
                deliberate=True,
            )
        )
    return out


def drone_strikes(fire: FireProcess, rng: np.random.Generator) -> list[Happening]:
    """Munitions dropped or flown in by drones, 1-15 km across the line: an impact only."""
    world = fire.world
    count = rng.poisson(fire.scenario.drone_strikes_per_h * fire.hours)
    out = []
    for ti, a in zip(fire.times(count), fire.along(count), strict=True):
        party = world.parties[int(rng.uniform() < fire.scenario.party_share)]
        foot = world.on_line([a])
        lon, lat = world.offset(
            foot, [-world.side_sign(party) * rng.uniform(1000.0, 15000.0)], rng.normal(0.0, 20.0)
        )
        out.append(
            Happening(
                "",
                HappeningKind.DRONE_STRIKE,
                int(ti),
                (float(lon[0]), float(lat[0])),
                int(ti),
                party,
                "uav",
                loudness_db=DRONE_STRIKE_DB,
                deliberate=True,
            )
        )
    return out


def presences(fire: FireProcess, rng: np.random.Generator) -> list[Happening]:
    """Heavy weapons standing for hours: inside their withdrawal zone (a violation; brought
    forward, within 25 km of the line) or beyond it."""
    world, scenario = fire.world, fire.scenario
    withdrawal = world.agreement.withdrawal
    distances: dict[tuple[str, str], float] = (
        {(w, p): d for w, p, d in withdrawal.distances_m} if withdrawal else {}
    )
    out = []
    for ti, a in zip(fire.times(scenario.presences), fire.along(scenario.presences), strict=True):
        party = world.parties[int(rng.uniform() < 0.5)]
        weapon = PRESENCE_WEAPONS[int(rng.integers(len(PRESENCE_WEAPONS)))]
        limit = distances.get((weapon, party), 20_000.0)
        if rng.uniform() < scenario.presence_violating_share:
            depth = min(rng.uniform(0.05, 0.6) * limit, rng.uniform(2_000.0, 25_000.0))
        else:
            depth = limit + rng.uniform(3_000.0, 25_000.0)
        sign = world.side_sign(party)
        for _ in range(20):  # on its party's ground, whatever the bends of the line
            lon, lat = world.offset(world.on_line([a]), [sign * depth], rng.normal(0.0, 10.0))
            if world.on_side((lon, lat), sign):
                break
            a = float(np.clip(a + rng.normal(0.0, 3000.0), 0.0, world.length_m))
        duration_s = rng.uniform(6.0, 24.0) * 3600.0
        out.append(
            Happening(
                "",
                HappeningKind.WEAPON_PRESENCE,
                int(ti),
                (float(lon[0]), float(lat[0])),
                int(ti),
                party,
                weapon,
                end_ns=int(ti) + int(duration_s * NS_PER_S),
                count=int(rng.integers(1, 7)),
                deliberate=True,
            )
        )
    return out


def flights(fire: FireProcess, rng: np.random.Generator) -> list[Happening]:
    """Military drones flying over or near the security zone (the position is mid-flight)."""
    world = fire.world
    out = []
    for ti, a in zip(
        fire.times(fire.scenario.flights), fire.along(fire.scenario.flights), strict=True
    ):
        party = world.parties[int(rng.uniform() < 0.5)]
        foot = world.on_line([a])
        inside = rng.uniform() < 0.7
        across = (
            rng.uniform(-12_000.0, 12_000.0)
            if inside
            else (world.side_sign(party) * rng.uniform(20_000.0, 40_000.0))
        )
        lon, lat = world.offset(foot, [across])
        duration_s = rng.uniform(600.0, 3600.0)
        out.append(
            Happening(
                "",
                HappeningKind.FLIGHT,
                int(ti),
                (float(lon[0]), float(lat[0])),
                int(ti),
                party,
                "uav",
                end_ns=int(ti) + int(duration_s * NS_PER_S),
                deliberate=True,
            )
        )
    return out


def interference(world: World, scenario: Scenario, jamming: tuple[Jamming, ...]) -> list[Happening]:
    """Each jamming of the scenario is an act of a party against the mechanism."""
    out = []
    for spec, jam in zip(scenario.jamming, jamming, strict=True):
        out.append(
            Happening(
                "",
                HappeningKind.INTERFERENCE,
                jam.start_ns,
                (jam.area.lon, jam.area.lat),
                jam.start_ns,
                spec.by_party,
                None,
                end_ns=jam.end_ns,
                deliberate=True,
                notes=f"jamming r={jam.area.radius_m:g} m",
            )
        )
    return out
