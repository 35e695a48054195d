"""Everything that really happens in a run: the parties' activity and the clutter, with ids in
time order and the rules each happening breaks."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ceasewatch.sim.base import Emission, Happening, Jamming, stream
from ceasewatch.sim.happenings import activity, clutter
from ceasewatch.sim.happenings.fire import FireProcess, jamming_areas
from ceasewatch.sim.happenings.violations import violated_rules
from ceasewatch.sim.scenarios import Scenario
from ceasewatch.sim.world import World


@dataclass(frozen=True)
class Generated:
    happenings: tuple[Happening, ...]
    jamming: tuple[Jamming, ...]
    notifications: Emission


def generate(world: World, scenario: Scenario, start_ns: int, seed: int) -> Generated:
    fire = FireProcess(world, scenario, start_ns, stream(seed, "missions"))
    found: list[Happening] = []
    rounds_rng = stream(seed, "rounds")
    for mission in sorted(fire.missions(), key=lambda m: (m.t_ns, m.along_m, m.party)):
        fire.rng = rounds_rng
        found.extend(fire.rounds(mission))
    found += activity.bursts(fire, stream(seed, "bursts"))
    found += activity.drone_strikes(fire, stream(seed, "drone-strikes"))
    found += activity.presences(fire, stream(seed, "presences"))
    found += activity.flights(fire, stream(seed, "flights"))
    jamming = jamming_areas(world, scenario, start_ns)
    found += activity.interference(world, scenario, jamming)
    found += clutter.field_fires(fire, stream(seed, "field-fires"))
    found += clutter.quarry_blasts(fire, stream(seed, "quarries"))
    found += clutter.storms(fire, stream(seed, "storms"))
    blasts, notices = clutter.demining(fire, stream(seed, "demining"))
    found += blasts
    found += clutter.training(fire, stream(seed, "training"))
    end_ns = start_ns + int(round(scenario.hours * 3600 * 1e9))
    found = [h for h in found if start_ns <= h.t_ns < end_ns]
    found.sort(key=lambda h: (h.t_ns, h.kind.value, h.impact, h.party or ""))
    numbered = [replace(h, happening_id=f"h-{i + 1:06d}") for i, h in enumerate(found)]
    rules = violated_rules(world.agreement, world.locator, numbered)
    judged = tuple(replace(h, violations=r) for h, r in zip(numbered, rules, strict=True))
    return Generated(judged, jamming, notices)
