"""What answering complaints gives: one :class:`ComplaintAnswer` per complaint, each party's
:class:`PartyRecord`, and the :class:`ComplaintBook` holding both, with their JSON forms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ceasewatch.model.time import format_ns

OUTCOMES = ("corroborated", "contradicted", "unverifiable", "duplicate")


@dataclass(frozen=True)
class ComplaintAnswer:
    complaint_id: str
    party: str
    alleged_party: str
    category: str
    outcome: str  # one of OUTCOMES
    violation_ids: tuple[str, ...]
    incident_ids: tuple[str, ...]
    duplicate_of: str | None
    reasons: tuple[str, ...]
    t_submitted_ns: int
    t_due_ns: int
    t_answered_ns: int
    late: bool
    observed: float | None = None  # the share observable, where it was asked

    def to_json(self) -> dict[str, Any]:
        return {
            "complaint_id": self.complaint_id,
            "party": self.party,
            "alleged_party": self.alleged_party,
            "category": self.category,
            "outcome": self.outcome,
            "violation_ids": list(self.violation_ids),
            "incident_ids": list(self.incident_ids),
            "duplicate_of": self.duplicate_of,
            "reasons": list(self.reasons),
            "t_submitted": format_ns(self.t_submitted_ns, 0),
            "t_due": format_ns(self.t_due_ns, 0),
            "t_answered": format_ns(self.t_answered_ns, 0),
            "late": self.late,
            "observed": None if self.observed is None else round(self.observed, 4),
        }


@dataclass(frozen=True)
class PartyRecord:
    """One party's complaints: how they were answered, and the share of decided ones that were
    accurate (corroborated / (corroborated + contradicted); None when none was decided)."""

    party: str
    submitted: int
    corroborated: int
    contradicted: int
    unverifiable: int
    duplicate: int
    late: int  # answers given after the deadline

    @property
    def accurate_share(self) -> float | None:
        decided = self.corroborated + self.contradicted
        return self.corroborated / decided if decided else None

    def to_json(self) -> dict[str, Any]:
        share = self.accurate_share
        return {
            "party": self.party,
            "submitted": self.submitted,
            "corroborated": self.corroborated,
            "contradicted": self.contradicted,
            "unverifiable": self.unverifiable,
            "duplicate": self.duplicate,
            "late": self.late,
            "accurate_share": None if share is None else round(share, 4),
        }


@dataclass(frozen=True)
class ComplaintBook:
    answers: tuple[ComplaintAnswer, ...]  # by complaint id
    records: tuple[PartyRecord, ...]  # by party
    as_of_ns: int
    answer_within_h: float

    def answer(self, complaint_id: str) -> ComplaintAnswer:
        for a in self.answers:
            if a.complaint_id == complaint_id:
                return a
        raise KeyError(f"no answer to complaint {complaint_id!r}")

    def record(self, party: str) -> PartyRecord:
        for r in self.records:
            if r.party == party:
                return r
        raise KeyError(f"no complaints by {party!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": format_ns(self.as_of_ns, 0),
            "answer_within_h": self.answer_within_h,
            "parties": {r.party: r.to_json() for r in self.records},
            "answers": [a.to_json() for a in self.answers],
        }


def records_of(answers: Sequence[ComplaintAnswer]) -> tuple[PartyRecord, ...]:
    """Each complaining party's record, by party."""
    out = []
    for party in sorted({a.party for a in answers}):
        mine = [a for a in answers if a.party == party]
        n = {o: sum(a.outcome == o for a in mine) for o in OUTCOMES}
        out.append(
            PartyRecord(
                party,
                len(mine),
                n["corroborated"],
                n["contradicted"],
                n["unverifiable"],
                n["duplicate"],
                sum(a.late for a in mine),
            )
        )
    return tuple(out)
