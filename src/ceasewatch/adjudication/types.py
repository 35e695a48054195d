"""The verdicts adjudication gives, as small frozen records with their JSON form.

A :class:`Violation` is the violation format of FORMATS.md plus optional fields (``category``,
``place``, ``sector``, ``evidence``, ``findings``). Its three findings — did it occur, who is
responsible, was it deliberate — are separate fields with separate reasons, never merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ceasewatch.model.time import format_ns

UNKNOWN = "unknown"
"""The key of ``responsible`` for the mass no party can be given."""


@dataclass(frozen=True)
class Finding:
    """One finding's reasons in words and the ids of the evidence it rests on."""

    reasons: tuple[str, ...]
    evidence: tuple[str, ...] = ()  # "<stream>:<record id>" (events are "events:<event id>")

    def to_json(self) -> dict[str, Any]:
        return {"reasons": list(self.reasons), "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Violation:
    violation_id: str
    rule_id: str
    incident_id: str
    event_ids: tuple[str, ...]
    t_ns: int
    lon: float
    lat: float
    place: str | None
    sector: str | None
    category: str  # the taxonomy's category (adjudication/taxonomy.py)
    p_occurred: float
    responsible: tuple[tuple[str, float], ...]  # party → probability, UNKNOWN last; sums to 1
    p_deliberate: float | None
    severity: str
    status: str  # auto | verified | disputed | dismissed
    occurred: Finding
    who: Finding
    deliberate: Finding
    weapon: str | None = None
    basis: str = ""  # what attribution rests on (attribution.py): firing_position, impact_only…
    evidence: tuple[str, ...] = ()  # every record the verdict rests on, "<stream>:<id>"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def most_likely(self) -> tuple[str, float]:
        """The party (or ``unknown``) with the highest probability; ties go to the first."""
        return max(self.responsible, key=lambda kp: kp[1])

    def to_json(self) -> dict[str, Any]:
        return {
            "violation_id": self.violation_id,
            "rule_id": self.rule_id,
            "event_ids": list(self.event_ids),
            "t": format_ns(self.t_ns, 6),
            "position": [round(self.lon, 6), round(self.lat, 6)],
            "place": self.place,
            "p_occurred": round(self.p_occurred, 4),
            "responsible": {party: round(p, 4) for party, p in self.responsible},
            "p_deliberate": None if self.p_deliberate is None else round(self.p_deliberate, 4),
            "severity": self.severity,
            "status": self.status,
            "reasons": [*self.occurred.reasons, *self.who.reasons, *self.deliberate.reasons],
            "incident_id": self.incident_id,
            "category": self.category,
            "weapon": self.weapon,
            "attribution_basis": self.basis,
            "sector": self.sector,
            "findings": {
                "occurred": self.occurred.to_json(),
                "responsible": self.who.to_json(),
                "deliberate": self.deliberate.to_json(),
            },
            "evidence": list(self.evidence),
            **self.extra,
        }
