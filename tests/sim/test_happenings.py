"""The event processes: geometry of fire, the day's rhythm, and the truth of violations."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from ceasewatch.agreement.catalog import resolve
from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.places import Gazetteer
from ceasewatch.model.time import NS_PER_S, parse_ns
from ceasewatch.sim.base import HappeningKind
from ceasewatch.sim.happenings import generate
from ceasewatch.sim.happenings.fire import RANGE_KM, SPEED_MPS
from ceasewatch.sim.scenarios import scenario
from ceasewatch.sim.world import World


@pytest.fixture(scope="module")
def world() -> World:
    return World(resolve("ua-2026"), Gazetteer.default())


@pytest.fixture(scope="module")
def peak(world: World):
    chosen = scenario("peak-day")
    return generate(world, chosen, parse_ns(chosen.start), 21).happenings


def shots(happenings):
    return [h for h in happenings if h.kind is HappeningKind.SHOT]


def test_fire_crosses_the_line_from_the_shooters_side(world: World, peak) -> None:
    fired = shots(peak)
    launch = world.locator.batch([h.launch[0] for h in fired], [h.launch[1] for h in fired], 0.0)
    impact = world.locator.batch([h.impact[0] for h in fired], [h.impact[1] for h in fired], 0.0)
    sign = np.array([world.side_sign(h.party) for h in fired])
    short = np.array([h.notes.startswith("short round") for h in fired])
    own_launch = np.sign(launch.line_signed_m[:, 0]) == sign
    across = np.sign(impact.line_signed_m[:, 0]) == -sign
    # The geometry is redrawn where a bend of the line would put a battery or an aim point on
    # the wrong ground; the scatter of the rounds can still carry an impact over the line.
    assert own_launch.mean() > 0.99
    assert across[~short].mean() > 0.98
    assert (~across[short]).mean() > 0.9 and 0 < short.mean() < 0.05


def test_ranges_and_flight_times(peak) -> None:
    for h in shots(peak):
        low, high = RANGE_KM[h.weapon]
        distance = geodesic_distance_m(*h.launch, *h.impact)[0]
        assert 0.2 * low * 1000 <= distance <= high * 1000 * 1.1 + 1000
        flight_s = (h.t_impact_ns - h.t_ns) / NS_PER_S
        if not h.notes:
            assert flight_s == pytest.approx(distance / SPEED_MPS[h.weapon], rel=0.2)


def test_more_fire_at_night(peak) -> None:
    local_hour = np.array([((h.t_ns // (3600 * NS_PER_S)) + 2) % 24 for h in shots(peak)])
    night = (local_hour >= 18) | (local_hour < 6)
    assert night.mean() > 0.6  # the diurnal profile gives about two thirds at night


def test_fire_follows_the_sector_weights(world: World, peak) -> None:
    sectors = Counter(
        world.sector_of([h.impact[0] for h in shots(peak)], [h.impact[1] for h in shots(peak)])
    )
    assert sectors.most_common(1)[0][0] == "donetsk"


def test_violations_truth(world: World, peak) -> None:
    agreement = world.agreement
    znpp = agreement.site("znpp")
    withdrawal = {(w, p): d for w, p, d in agreement.withdrawal.distances_m}
    for h in peak:
        if h.clutter:
            assert h.violations == ()
            continue
        if h.kind in (HappeningKind.SHOT, HappeningKind.BURST, HappeningKind.DRONE_STRIKE):
            assert "no-fire" in h.violations
            near = geodesic_distance_m(*h.impact, znpp.geometry.x, znpp.geometry.y)[0]
            near_launch = (
                geodesic_distance_m(*h.launch, znpp.geometry.x, znpp.geometry.y)[0]
                if h.launch
                else np.inf
            )
            assert ("protected-sites" in h.violations) == (min(near, near_launch) <= 10_000)
        if h.kind is HappeningKind.WEAPON_PRESENCE:
            distance = world.locator.locate(*h.impact).lines[0].distance_m
            inside = distance <= withdrawal[(h.weapon, h.party)]
            assert ("heavy-weapons-withdrawal" in h.violations) == inside


def test_training_on_a_declared_range_is_not_a_violation(world: World) -> None:
    chosen = replace(scenario("quiet-day"), training_per_day=6.0)
    happenings = generate(world, chosen, parse_ns(chosen.start), 3).happenings
    training = [h for h in happenings if h.kind is HappeningKind.TRAINING]
    assert training and all(h.violations == () for h in training)


def test_ids_follow_time(peak) -> None:
    ids = [h.happening_id for h in peak]
    assert ids == [f"h-{i + 1:06d}" for i in range(len(peak))]
    t = [h.t_ns for h in peak]
    assert t == sorted(t)


def test_thunder_is_clutter_heard_as_blasts(world: World) -> None:
    from ceasewatch.sim.sources.acoustic import sources

    chosen = replace(scenario("quiet-day"), storms=2)
    happenings = generate(world, chosen, parse_ns(chosen.start), 5).happenings
    thunder = [h for h in happenings if h.kind is HappeningKind.THUNDER]
    assert len(thunder) >= 40 and all(h.clutter and not h.violations for h in thunder)
    heard = [s for s in sources(thunder)]
    assert len(heard) == len(thunder) and {s.signature for s in heard} == {"blast"}
