"""Event processes: the fire, weapons and flights of the parties along the line.

Fire comes in *missions*: a battery of one party, behind its side of the line, fires a few rounds
(a salvo for rocket launchers) across the line; with some probability the other side answers a
few minutes later at the area the fire came from — duels, as monitors saw them. Missions are
spread along the line by sector weights and over the day by a diurnal profile (more at night).
Clutter (fires, quarry blasts, thunder, demining, training) is in :mod:`.clutter`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.time import NS_PER_S
from ceasewatch.sim.base import Circle, Happening, HappeningKind, Jamming
from ceasewatch.sim.scenarios import Episode, Scenario
from ceasewatch.sim.world import World

# Typical ranges (km) of a mission, mean flight speed (m/s) and loudness of the impact relative
# to a 152 mm shell (dB; +6 dB doubles the distance at which it is heard).
RANGE_KM = {
    "mortar": (0.8, 6.0),
    "artillery_lt_100mm": (2.0, 12.0),
    "artillery_ge_100mm": (6.0, 25.0),
    "mlrs": (8.0, 30.0),
    "tank": (1.0, 4.0),
}
SPEED_MPS = {"mortar": 180.0, "artillery_lt_100mm": 450.0, "artillery_ge_100mm": 500.0,
             "mlrs": 600.0, "tank": 900.0}  # fmt: skip
IMPACT_DB = {"mortar": -5.0, "artillery_lt_100mm": -4.0, "artillery_ge_100mm": 0.0,
             "mlrs": 2.0, "tank": -3.0}  # fmt: skip
ROUND_GAP_S = {"mortar": 15.0, "artillery_lt_100mm": 20.0, "artillery_ge_100mm": 30.0,
               "mlrs": 0.5, "tank": 20.0}  # fmt: skip
LAUNCH_DB = -4.0  # a launch is heard about 0.6 times as far as the impact
BURST_DB = -20.0
DRONE_STRIKE_DB = -8.0
# Relative activity by local hour (UTC+2): more in the evening and at night.
DIURNAL = np.array([2.0, 2.0, 2.0, 1.8, 1.5, 1.0, 0.6, 0.5, 0.5, 0.6, 0.7, 0.8,
                    0.8, 0.8, 0.9, 1.0, 1.2, 1.5, 2.0, 2.2, 2.4, 2.4, 2.2, 2.1])  # fmt: skip
LOCAL_OFFSET_H = 2


@dataclass(frozen=True)
class Mission:
    party: str
    weapon: str
    t_ns: int
    along_m: float
    episode: str | None


class FireProcess:
    """Draws missions and their rounds for one scenario."""

    def __init__(self, world: World, scenario: Scenario, start_ns: int, rng: np.random.Generator):
        self.world = world
        self.scenario = scenario
        self.start_ns = start_ns
        self.hours = scenario.hours
        self.rng = rng
        self._segment_weights = _sector_weights(world, scenario.sector_weights)

    # -- when and where ----------------------------------------------------------------------

    def times(
        self, count: int, start_h: float = 0.0, duration_h: float | None = None
    ) -> np.ndarray:
        """``count`` instants (ns) in a window, following the diurnal profile."""
        duration = self.hours - start_h if duration_h is None else duration_h
        hours = np.arange(int(np.ceil(duration)))
        local = ((self.start_ns // (3600 * NS_PER_S)) + start_h + hours + LOCAL_OFFSET_H) % 24
        weight = DIURNAL[local.astype(int)]
        weight[-1] *= duration - hours[-1] if len(hours) else 1.0
        chosen = self.rng.choice(len(hours), size=count, p=weight / weight.sum())
        within = self.rng.uniform(0.0, 1.0, count)
        offset_h = start_h + chosen + within * np.minimum(1.0, duration - chosen)
        return self.start_ns + np.round(offset_h * 3600 * NS_PER_S).astype(np.int64)

    def along(self, count: int) -> np.ndarray:
        """Positions along the line (m), spread by sector weights."""
        cumulative = self.world.cumulative_m
        segment = self.rng.choice(len(self._segment_weights), size=count, p=self._segment_weights)
        start = cumulative[segment]
        return start + self.rng.uniform(0.0, 1.0, count) * (cumulative[segment + 1] - start)

    def along_in_sector(self, sector: str, count: int, half_width_m: float) -> np.ndarray:
        centre = self.world.sector_centre_m(sector)
        spread = np.clip(
            self.rng.normal(0.0, half_width_m / 2.0, count), -half_width_m, half_width_m
        )
        return np.clip(centre + spread, 0.0, self.world.length_m)

    # -- missions ----------------------------------------------------------------------------

    def missions(self) -> list[Mission]:
        scenario = self.scenario
        count = self.rng.poisson(scenario.missions_per_h * self.hours)
        found = self._missions(self.times(count), self.along(count), None)
        for episode in scenario.episodes:
            found += self._episode(episode)
        for jam in scenario.jamming:
            n = self.rng.poisson(jam.missions_per_h * jam.duration_h)
            t = self.times(n, jam.start_h, jam.duration_h)
            along = self.along_in_sector(jam.sector, n, jam.radius_m * 0.6)
            found += self._missions(t, along, jam.label, party=jam.by_party)
        responses = [self._response(m) for m in found if self.rng.uniform() < scenario.response_p]
        return found + [r for r in responses if r.t_ns < self.start_ns + self._end_ns()]

    def _end_ns(self) -> int:
        return int(round(self.hours * 3600 * NS_PER_S))

    def _episode(self, episode: Episode) -> list[Mission]:
        count = self.rng.poisson(episode.missions_per_h * episode.duration_h)
        t = self.times(count, episode.start_h, episode.duration_h)
        along = self.along_in_sector(episode.sector, count, episode.half_width_m)
        return self._missions(t, along, episode.label)

    def _missions(
        self, t: np.ndarray, along: np.ndarray, episode: str | None, party: str | None = None
    ) -> list[Mission]:
        weapons = list(self.scenario.weapon_mix)
        share = np.array([self.scenario.weapon_mix[w] for w in weapons])
        chosen = self.rng.choice(len(weapons), size=len(t), p=share / share.sum())
        second = self.rng.uniform(0.0, 1.0, len(t)) < self.scenario.party_share
        parties = self.world.parties
        return [
            Mission(party or parties[1 if s else 0], weapons[w], int(ti), float(a), episode)
            for ti, a, w, s in zip(t, along, chosen, second, strict=True)
        ]

    def _response(self, mission: Mission) -> Mission:
        other = self.world.other_party(mission.party)
        delay_s = self.rng.uniform(180.0, 1200.0)
        along = mission.along_m + self.rng.normal(0.0, 1500.0)
        weapons = list(self.scenario.weapon_mix)
        weapon = weapons[self.rng.choice(len(weapons))]
        return Mission(
            other,
            weapon,
            mission.t_ns + int(delay_s * NS_PER_S),
            float(np.clip(along, 0.0, self.world.length_m)),
            mission.episode,
        )

    def rounds(self, mission: Mission) -> Iterator[Happening]:
        """The rounds of one mission: same launch site, impacts scattered around an aim point.

        The battery stands on its party's ground and aims across the line (a short round falls
        on its own side); where a bend of the line would put either on the wrong ground, the
        geometry is drawn again a little further along.
        """
        rng, world = self.rng, self.world
        weapon = mission.weapon
        sign = world.side_sign(mission.party)
        short = rng.uniform() < self.scenario.own_side_share
        for attempt in range(20):
            low, high = RANGE_KM[weapon]
            range_m = rng.uniform(low, high) * 1000.0
            behind = rng.uniform(0.3, 0.7) * range_m
            along = mission.along_m + (rng.normal(0.0, 2000.0) if attempt else 0.0)
            foot = world.on_line([along])
            turn = rng.normal(0.0, 15.0)
            launch = world.offset(foot, [sign * behind], turn)
            if short:  # falls short, between the battery and the line
                across = sign * behind * rng.uniform(0.1, 0.5)
            else:
                across = -sign * max(range_m - behind, 200.0)
            aim = world.offset(foot, [across], -turn)
            if world.on_side(launch, sign) and world.on_side(aim, sign if short else -sign):
                break
        mean = self.scenario.rounds_mean.get(weapon, 3.0)
        count = int(rng.geometric(1.0 / mean)) if mean > 1 else 1
        spread_m = 0.01 * range_m + 30.0
        site = world.scatter((launch[0][0], launch[1][0]), 20.0, rng)
        t = mission.t_ns
        for _ in range(count):
            impact = world.scatter((aim[0][0], aim[1][0]), spread_m, rng)
            distance = float(geodesic_distance_m(*site, *impact)[0])
            flight_s = distance / SPEED_MPS[weapon] * rng.uniform(0.95, 1.05)
            yield Happening(
                happening_id="",
                kind=HappeningKind.SHOT,
                t_ns=t,
                impact=impact,
                t_impact_ns=t + int(flight_s * NS_PER_S),
                party=mission.party,
                weapon=weapon,
                launch=site,
                loudness_db=IMPACT_DB[weapon],
                episode=mission.episode,
                deliberate=True,
                notes="short round, own side" if short else "",
            )
            t += int(ROUND_GAP_S[weapon] * rng.uniform(0.7, 1.3) * NS_PER_S)


def _sector_weights(world: World, weights: dict[str, float]) -> np.ndarray:
    midpoints = world.segment_midpoints()
    sectors = world.sector_of(midpoints[:, 0], midpoints[:, 1])
    per_segment = np.array([weights.get(s or "", 1.0) for s in sectors])
    raw = per_segment * np.diff(world.cumulative_m)
    return raw / raw.sum()


def jamming_areas(world: World, scenario: Scenario, start_ns: int) -> tuple[Jamming, ...]:
    found = []
    for spec in scenario.jamming:
        centre = world.on_line([world.sector_centre_m(spec.sector)])
        found.append(
            Jamming(
                Circle(float(centre.lon[0]), float(centre.lat[0]), spec.radius_m),
                start_ns + int(spec.start_h * 3600 * NS_PER_S),
                start_ns + int((spec.start_h + spec.duration_h) * 3600 * NS_PER_S),
                spec.label,
            )
        )
    return tuple(found)
