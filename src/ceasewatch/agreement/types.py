"""The agreement as values: what is forbidden, where, for whom, from when, and who is told.

Every type is a frozen dataclass with tuples; geometry is shapely (immutable) in WGS84
longitude/latitude. Distances are metres and durations hours, whatever unit the document used.
An :class:`Agreement` is only ever built by :mod:`ceasewatch.agreement.parse`, after every check
passed, so code downstream may rely on its references being valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from shapely.geometry import MultiLineString, MultiPolygon, Point
from shapely.geometry.base import BaseGeometry

from ceasewatch.model.ids import (
    AgreementId,
    HubId,
    LineId,
    PartyId,
    RecipientId,
    RuleId,
    SectorId,
    SiteId,
    WeaponClass,
    ZoneId,
)

FORMAT = "ceasewatch-agreement/1"
"""The document format this code reads and writes."""


class Activity(StrEnum):
    """What a rule forbids."""

    FIRE = "fire"  # any firing or explosion attributable to a party
    WEAPON_PRESENCE = "weapon_presence"  # a weapon of a class inside a zone
    FLIGHT = "flight"  # aircraft or drones inside a zone
    EXCEED_CAP = "exceed_cap"  # more of a class inside a zone than its cap allows
    CROSSING = "crossing"  # forces crossing a line
    FORTIFICATION = "fortification"  # new positions or engineering work inside a zone
    INTERFERENCE = "interference"  # jamming, restricting or threatening the monitors


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class WhereKind(StrEnum):
    ANYWHERE = "anywhere"
    WITHDRAWAL = "withdrawal"  # each weapon class's own withdrawal zone, on its own side
    ZONES = "zones"
    SITES = "sites"


@dataclass(frozen=True)
class Party:
    id: PartyId
    name: str
    role: str  # "party" (bound by the rules) or "mission" (e.g. a UN force holding an area)
    area: MultiPolygon | None


@dataclass(frozen=True)
class Line:
    """A line derived as the shared boundary of two parties' areas.

    Oriented so that the second party of ``between`` lies to the left of each piece; signed
    distances are positive on that party's side.
    """

    id: LineId
    name: str
    between: tuple[PartyId, PartyId]
    geometry: MultiLineString
    length_m: float


@dataclass(frozen=True)
class Band:
    """Points whose distance from ``line`` lies in [from_m, to_m], on ``side`` (None = both)."""

    line: LineId
    side: PartyId | None
    from_m: float
    to_m: float


@dataclass(frozen=True)
class Zone:
    """A band derived from a line, or an explicit area; optionally with force caps."""

    id: ZoneId
    name: str
    band: Band | None
    area: MultiPolygon | None
    party: PartyId | None  # whose side or whose forces the zone concerns, if any
    caps: tuple[tuple[str, int], ...] = ()
    derived_from: str = ""  # e.g. "withdrawal" for zones generated from the withdrawal table


@dataclass(frozen=True)
class Withdrawal:
    """Per weapon class and side: the distance from the line that the class must keep."""

    line: LineId
    distances_m: tuple[tuple[WeaponClass, PartyId, float], ...]

    def zone_id(self, weapon: WeaponClass, party: PartyId) -> ZoneId:
        return ZoneId(f"withdrawal/{weapon}/{party}")


@dataclass(frozen=True)
class WeaponClassDef:
    id: WeaponClass
    name: str
    max_range_m: float | None


@dataclass(frozen=True)
class ProtectedSite:
    id: SiteId
    name: str
    geometry: BaseGeometry  # Point or (Multi)Polygon
    radius_m: float


@dataclass(frozen=True)
class Hub:
    """A reassurance-force hub that must stay ``min_distance_m`` from every line."""

    id: HubId
    name: str
    point: Point
    min_distance_m: float
    contributor: str


@dataclass(frozen=True)
class Contributor:
    id: str
    name: str
    assets: tuple[str, ...]


@dataclass(frozen=True)
class Sector:
    id: SectorId
    name: str
    area: MultiPolygon


@dataclass(frozen=True)
class Where:
    kind: WhereKind
    ids: tuple[str, ...] = ()  # zone or site ids, for ZONES and SITES


@dataclass(frozen=True)
class Rule:
    id: RuleId
    title: str
    activity: Activity
    by: tuple[PartyId, ...]  # empty = any party
    where: Where
    weapons: tuple[WeaponClass, ...]  # empty = any weapon
    severity: Severity
    effective_from: datetime
    effective_to: datetime | None
    unless: Where | None = None  # exceptions: zones or sites where the activity is allowed

    def in_force(self, instant: datetime) -> bool:
        return self.effective_from <= instant and (
            self.effective_to is None or instant < self.effective_to
        )


@dataclass(frozen=True)
class Recipient:
    id: RecipientId
    name: str


@dataclass(frozen=True)
class EscalationStep:
    after_h: float
    notify: tuple[RecipientId, ...]
    escalate: bool


@dataclass(frozen=True)
class Supersedes:
    version: int
    digest: str


@dataclass(frozen=True)
class Agreement:
    id: AgreementId
    version: int
    title: str
    signed: datetime | None
    effective_from: datetime
    supersedes: Supersedes | None
    parties: tuple[Party, ...]
    lines: tuple[Line, ...]
    weapon_classes: tuple[WeaponClassDef, ...]
    zones: tuple[Zone, ...]
    withdrawal: Withdrawal | None
    sites: tuple[ProtectedSite, ...]
    hubs: tuple[Hub, ...]
    contributors: tuple[Contributor, ...]
    sectors: tuple[Sector, ...]
    rules: tuple[Rule, ...]
    recipients: tuple[Recipient, ...]
    escalation: tuple[EscalationStep, ...]
    complaint_answer_h: float
    notes: tuple[str, ...]
    sources: tuple[str, ...]
    digest: str  # "sha256:<hex>" over the canonical document and the bytes of its GeoJSON files
    source: str  # the path it was loaded from (for messages; not part of the digest)

    @property
    def label(self) -> str:
        return f"{self.id} v{self.version}"

    def party(self, party_id: str) -> Party:
        return _by_id(self.parties, party_id, "party")

    def line(self, line_id: str) -> Line:
        return _by_id(self.lines, line_id, "line")

    def zone(self, zone_id: str) -> Zone:
        return _by_id(self.zones, zone_id, "zone")

    def site(self, site_id: str) -> ProtectedSite:
        return _by_id(self.sites, site_id, "site")

    def rule(self, rule_id: str) -> Rule:
        return _by_id(self.rules, rule_id, "rule")

    def rules_in_force(self, instant: datetime) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.in_force(instant))


T = TypeVar("T")


def _by_id(items: tuple[T, ...], wanted: str, kind: str) -> T:
    for item in items:
        if getattr(item, "id", None) == wanted:
            return item
    known = ", ".join(str(getattr(i, "id", "?")) for i in items) or "none"
    raise KeyError(f"no {kind} {wanted!r} (known: {known})")
