"""The contract of a cross-source plugin: one stream of records in, observations out, and how an
observation bears on an incident.

A plugin (:class:`SourcePlugin`) knows one stream of FORMATS.md (``tracks``, ``detections``,
``firms``, ``reports``, ``complaints``). The stage calls it three times:

1. ``observe(records, context)`` — turn the records, as read from the files, into
   :class:`Observation` values (a position with its error, a time window, a class), rejecting a
   bad record alone with the reason and the fix (never raising for bad input);
2. ``place(observations, phases, context)`` — say which of the observable phases found so far
   (acoustic events, and those of plugins run before) each observation belongs to, or which new
   phases it makes (a radar track alone, a drone detection of weapons, a FIRMS fire); records
   that are evidence about an incident but not a phase of their own (complaints) place nothing;
   a record placed nowhere is not lost: ``relate`` still hears about it;
3. ``relate(observation, hypothesis)`` — how well one observation supports or contradicts one
   incident hypothesis, in words an analyst can follow, or ``None`` when it says nothing about it.

Adding a source is one file under ``fusion/sources/`` and one line in its registry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ceasewatch.agreement.types import Agreement
from ceasewatch.fusion.incident import Evidence
from ceasewatch.fusion.phase import Phase
from ceasewatch.fusion.spread import Spread


@dataclass(frozen=True)
class Observation:
    """One record as the stage sees it: where (with a position error), when, and what."""

    stream: str
    record_id: str
    t_start_ns: int
    t_end_ns: int
    lon: float
    lat: float
    spread: Spread
    what: str  # the stream's class: a projectile, an object class, "fire", "explosion", …
    payload: Any = None  # the plugin's own parsed record


Rejection = Evidence
"""A record that the stage did not use, with the reason (bad, clutter, or matching nothing)."""


@dataclass(frozen=True)
class Observed:
    """What ``observe`` made of the records: the observations, and the records it rejected."""

    observations: tuple[Observation, ...]
    rejected: tuple[Rejection, ...] = ()


@dataclass(frozen=True)
class Link:
    """Evidence that a launch phase and an impact phase are one shot (a radar track)."""

    launch_id: str
    impact_id: str
    probability: float
    reason: str


@dataclass(frozen=True)
class Placed:
    """One record placed on a phase, with the reason in words."""

    event_id: str
    stream: str
    record_id: str
    reason: str


@dataclass(frozen=True)
class Placement:
    """What ``place`` did: every phase, the records placed on them, links, and rejections."""

    phases: tuple[Phase, ...]  # every phase after placing: the old ones (records added) and new
    placed: tuple[Placed, ...] = ()
    links: tuple[Link, ...] = ()
    rejected: tuple[Rejection, ...] = ()


@dataclass(frozen=True)
class Spot:
    """A place and instant of an incident with their errors."""

    lon: float
    lat: float
    spread: Spread
    t_ns: int
    t_sigma_s: float

    def key(self) -> tuple[float, float, Spread, int, float]:
        """(lon, lat, spread, t_ns, t_sigma_s), as :func:`~.match.space_time_d2` takes it."""
        return (self.lon, self.lat, self.spread, self.t_ns, self.t_sigma_s)


@dataclass(frozen=True)
class Hypothesis:
    """An incident as it stands when the other evidence is weighed against it."""

    key: str
    kind: str  # shot | impact | launch | blast | presence | flight | fire
    t_start_ns: int
    t_end_ns: int
    where: Spot  # the impact, blast, fire or presence; the launch when nothing else is known
    launch: Spot | None = None  # the firing position, when known
    launch_side: str | None = None  # the party on whose ground the firing position lies
    where_side: str | None = None  # the party on whose ground ``where`` lies
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Relation:
    """What one observation says about one hypothesis.

    ``weight`` (0–1) is how strongly, ``same_happening`` that the observation's own phase is
    part of this incident (a FIRMS fire set by this impact). ``pairing_only``: a contradiction
    of which firing position goes with the impact, not of the impact itself (a radar track on
    the impact whose launch lies elsewhere); it lowers the pairing's probability and leaves the
    sensors' confidence that the impact happened alone.
    """

    supports: bool
    weight: float
    reason: str
    same_happening: bool = False
    pairing_only: bool = False


@dataclass(frozen=True)
class Settings:
    """Gates of the stage in one place (the defaults: docs/fusion-incidents.md)."""

    gate_chi2: float = 16.27  # χ²(3 dof) at 0.999: space (2) and time (1)
    track_time_sigma_s: float = 1.0
    fire_link_m: float = 1500.0
    fire_link_s: float = 6 * 3600.0
    presence_join_m: float = 300.0
    presence_join_s: float = 24 * 3600.0
    extras: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FusionContext:
    agreement: Agreement
    settings: Settings = Settings()


class SourcePlugin(Protocol):
    """One stream of evidence (see the module docstring)."""

    stream: str
    reach_m: float  # how far (beyond both position errors) an observation may bear on incidents
    reach_s: float  # and how long before or after

    def observe(self, records: Sequence[Mapping[str, Any]], context: FusionContext) -> Observed: ...

    def place(
        self, observations: Sequence[Observation], phases: Sequence[Phase], context: FusionContext
    ) -> Placement: ...

    def relate(self, observation: Observation, hypothesis: Hypothesis) -> Relation | None: ...
