"""Incident drafts: the phases grouped into happenings (a launch with its impact, a lone
impact, a blast, a presence, a flight, a fire), before the other evidence is weighed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ceasewatch.fusion.incident import Firing
from ceasewatch.fusion.pairing import Pair
from ceasewatch.fusion.phase import Phase
from ceasewatch.fusion.sources.base import Hypothesis, Spot
from ceasewatch.fusion.spread import Spread

RADAR_LAUNCH_T_SIGMA_S = 60.0


@dataclass(frozen=True)
class Draft:
    kind: str
    where: Phase  # the impact, blast, presence, flight or fire; the launch of a lone launch
    launch: Phase | None = None  # the paired (or lone) launch phase
    firing: Firing | None = None
    extra: tuple[Phase, ...] = ()  # phases joined later (a fire set by the impact)
    launch_side: str | None = None
    where_side: str | None = None

    @property
    def key(self) -> str:
        return self.where.event_id

    @property
    def phases(self) -> tuple[Phase, ...]:
        own = (
            (self.where,)
            if self.launch is None or self.launch is self.where
            else (
                self.launch,
                self.where,
            )
        )
        return own + self.extra

    @property
    def event_ids(self) -> tuple[str, ...]:
        return tuple(p.event_id for p in self.phases)

    def launch_spot(self) -> Spot | None:
        if self.launch is not None:
            return _spot(self.launch)
        if self.firing is not None:
            return Spot(
                self.firing.lon,
                self.firing.lat,
                Spread.from_ellipse(self.firing.ellipse),
                self.where.t_ns - int((self.firing.flight_s or 0.0) * 1e9),
                RADAR_LAUNCH_T_SIGMA_S,
            )
        return None

    def hypothesis(self) -> Hypothesis:
        phases = self.phases
        return Hypothesis(
            self.key,
            self.kind,
            min(p.t_ns for p in phases),
            max(p.end_ns for p in phases),
            _spot(self.where),
            self.launch_spot(),
            self.launch_side,
            self.where_side,
            self.event_ids,
        )


def build_drafts(phases: Sequence[Phase], pairs: Sequence[Pair]) -> list[Draft]:
    by_id = {p.event_id: p for p in phases}
    paired: dict[str, Pair] = {}
    for one in pairs:
        paired[one.launch_id] = one
        paired[one.impact_id] = one
    drafts = []
    for phase in sorted(phases, key=lambda p: (p.t_ns, p.event_id)):
        pair = paired.get(phase.event_id)
        if pair is not None:
            if phase.event_id == pair.impact_id:
                launch = by_id[pair.launch_id]
                firing = Firing(
                    launch.lon,
                    launch.lat,
                    launch.ellipse,
                    pair.p_site,
                    pair.weapon,
                    pair.range_m,
                    pair.flight_s,
                    pair.reason,
                )
                drafts.append(Draft("shot", phase, launch, firing))
            continue
        if phase.kind == "launch" and phase.acoustic is not None:
            drafts.append(Draft("launch", phase, phase))
        elif phase.kind in ("impact", "unknown") and phase.launch is not None:
            drafts.append(Draft(phase.kind, phase, None, _radar_firing(phase)))
        else:
            drafts.append(Draft(phase.kind, phase))
    return drafts


def join(draft: Draft, phase: Phase) -> Draft:
    return replace(draft, extra=draft.extra + (phase,))


def _radar_firing(phase: Phase) -> Firing:
    from ceasewatch.fusion.spread import offset_m

    assert phase.launch is not None
    lon, lat, cep = phase.launch
    _e, _n, distance = offset_m(lon, lat, phase.lon, phase.lat)
    return Firing(
        lon,
        lat,
        Spread.from_cep(cep).ellipse(),
        0.9,
        "unknown",
        distance,
        None,
        f"launch point of a radar track on this impact (CEP {cep:.0f} m), "
        f"{distance / 1000:.1f} km away",
    )


def _spot(phase: Phase) -> Spot:
    return Spot(phase.lon, phase.lat, phase.spread, phase.t_ns, phase.t_sigma_s)
