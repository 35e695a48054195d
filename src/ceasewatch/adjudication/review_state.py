"""The analysts' review state: a pure fold over the ``review`` entries of the evidence log.

Each analyst action — ``claim``, ``release``, ``confirm``, ``dispute``, ``dismiss`` — is one
``review`` entry of the log (:class:`Review`). :func:`review_states` folds them, in log order,
into one :class:`ReviewState` per violation: the automatic status (from adjudication) and the
human status side by side, every entry with whether it counted and why, the votes waiting for a
second analyst, and the current claim. Nothing here reads a clock or a file: replaying the same
entries over the same violations gives the same states, and the fold — not the command that
wrote an entry — decides whether an entry counts, so two analysts racing to claim the same
violation are resolved the same way by everyone who replays the log (the earlier entry wins).

The rules (docs/adjudication-review.md):

- a ``claim`` holds a violation for its assignee until ``until``; while it is live, another
  analyst's claim, release or decision on it does not count. A decision ends the decider's claim.
- ``low`` and ``medium`` severity: one analyst's decision settles the human status
  (``confirm`` → ``verified``, ``dispute`` → ``disputed``, ``dismiss`` → ``dismissed``).
- ``high`` and ``critical`` (and any unknown) severity: a decision is a vote; the human status
  is settled when two different analysts' latest votes agree, on the same automatic verdict (the
  same SHA-256). An analyst repeating their own vote does not count; changing it replaces it.
- a review whose SHA-256 differs from the violation's current one is *stale*; a settled human
  status that is stale no longer shows as the status (the automatic one does), but is kept.
- reviews of violation ids the current adjudication no longer produces are *orphaned*: reported,
  never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ceasewatch.errors import InputError
from ceasewatch.model.time import format_ns, parse_ns

REVIEW_FORMAT = "ceasewatch-review/1"
ACTIONS = ("claim", "release", "confirm", "dispute", "dismiss")
VERDICTS: Mapping[str, str] = {"confirm": "verified", "dispute": "disputed", "dismiss": "dismissed"}
"""Decision → the human status it leads to."""
ONE_PERSON = frozenset({"low", "medium"})
"""Severities whose human status one analyst settles; every other one (``high``,
``critical``, and a severity this version does not know) needs two different analysts."""
TWO_PERSON = frozenset({"high", "critical"})


def needs_two(severity: str | None) -> bool:
    """Does a decision on a violation of this severity need a second analyst to agree?"""
    return severity not in ONE_PERSON


PAST = {"confirm": "confirmed", "dispute": "disputed", "dismiss": "dismissed"}
VOTE_WORDS = {"confirm": "confirmations", "dispute": "agreeing to dispute",
               "dismiss": "agreeing to dismiss"}  # fmt: skip


@dataclass(frozen=True)
class Review:
    """One review entry: who did what to which violation, when, why, and what they saw."""

    action: str  # one of ACTIONS
    violation_id: str
    analyst: str
    at_ns: int
    reason: str | None
    sha256: str  # of the RFC 8785 JSON of the violation as the analyst saw it
    severity: str | None  # as seen
    auto_status: str | None  # as seen
    assignee: str | None = None  # claim: who holds it (the analyst, or whom they assigned)
    until_ns: int | None = None  # claim: when it expires
    index: int = -1  # the entry's index in the log (-1 before it is appended)

    @property
    def holder(self) -> str:
        return self.assignee or self.analyst

    def body(self) -> dict[str, Any]:
        """The entry body for ``EvidenceLog.append_event("review", body, at_ns)``."""
        body: dict[str, Any] = {
            "review": REVIEW_FORMAT,
            "action": self.action,
            "violation_id": self.violation_id,
            "analyst": self.analyst,
            "at": format_ns(self.at_ns, 9),
            "reason": self.reason,
            "saw": {
                "sha256": self.sha256,
                "severity": self.severity,
                "status": self.auto_status,
            },
        }
        if self.action == "claim":
            body["assignee"] = self.holder
            body["until"] = format_ns(self.until_ns or 0, 9)
        return body

    @classmethod
    def from_entry(cls, index: int, entry: Mapping[str, Any]) -> Review:
        """A review from a parsed log entry (the leaf's JSON); InputError names the entry."""
        where = f"log entry {index}"
        try:
            if entry.get("review") != REVIEW_FORMAT or entry.get("action") not in ACTIONS:
                raise ValueError(f"not a {REVIEW_FORMAT} entry with a known action")
            saw = entry["saw"]
            until = entry.get("until")
            return cls(
                action=str(entry["action"]),
                violation_id=str(entry["violation_id"]),
                analyst=str(entry["analyst"]),
                at_ns=parse_ns(str(entry["at"]), where=f"{where} at"),
                reason=None if entry.get("reason") is None else str(entry["reason"]),
                sha256=str(saw["sha256"]),
                severity=None if saw.get("severity") is None else str(saw["severity"]),
                auto_status=None if saw.get("status") is None else str(saw["status"]),
                assignee=None if entry.get("assignee") is None else str(entry["assignee"]),
                until_ns=None if until is None else parse_ns(str(until), where=f"{where} until"),
                index=index,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{where} is a review entry this version of ceasewatch cannot read ({exc}); "
                "use the ceasewatch version that wrote it"
            ) from exc


@dataclass(frozen=True)
class Claim:
    holder: str
    by: str  # who made the claim (the holder, or who assigned it)
    at_ns: int
    until_ns: int
    index: int

    def live(self, t_ns: int) -> bool:
        return t_ns < self.until_ns

    def text(self) -> str:
        return f"{self.holder} until {format_ns(self.until_ns, 0)}"


@dataclass(frozen=True)
class Noted:
    """One review entry as the fold took it: did it count, what it did or why not, and whether
    the verdict the analyst saw is still the current one."""

    review: Review
    counted: bool
    note: str
    stale: bool = False


@dataclass(frozen=True)
class Vote:
    analyst: str
    action: str
    at_ns: int
    index: int


@dataclass(frozen=True)
class Settled:
    """A human status in force: which, on which verdict, by whom, from which entries."""

    status: str
    sha256: str
    analysts: tuple[str, ...]
    at_ns: int
    indexes: tuple[int, ...]


@dataclass(frozen=True)
class ReviewState:
    violation_id: str
    auto_status: str | None  # None when orphaned
    severity: str | None  # current (for an orphan: as last seen)
    sha256: str | None  # of the current violation; None when orphaned
    settled: Settled | None
    pending: tuple[Vote, ...]  # votes of an open high/critical round, oldest first
    pending_sha256: str | None
    claim: Claim | None  # the latest claim that counted and was not released
    reviews: tuple[Noted, ...] = field(default=())
    orphaned: bool = False

    @property
    def human_status(self) -> str | None:
        return None if self.settled is None else self.settled.status

    @property
    def stale(self) -> bool:
        """The human status, or the open votes, rest on a verdict that has changed since."""
        if self.orphaned:
            return False
        return (self.settled is not None and self.settled.sha256 != self.sha256) or (
            bool(self.pending) and self.pending_sha256 != self.sha256
        )

    @property
    def status(self) -> str | None:
        """What to show: the human status when it was settled on the current verdict (or the
        violation is orphaned), otherwise the automatic one."""
        if self.settled is not None and (self.orphaned or self.settled.sha256 == self.sha256):
            return self.settled.status
        return self.auto_status

    @property
    def decisions(self) -> tuple[Noted, ...]:
        return tuple(n for n in self.reviews if n.review.action in VERDICTS)

    @property
    def awaiting_second(self) -> bool:
        return bool(self.pending)

    def assignee(self, now_ns: int) -> str | None:
        """Who holds the violation at ``now_ns`` (None when unclaimed or expired)."""
        if self.claim is None or not self.claim.live(now_ns):
            return None
        return self.claim.holder

    @property
    def progress(self) -> str:
        """The review in words: "1 of 2 confirmations (anna)", "verified by anna and bob"."""
        parts: list[str] = []
        if self.orphaned:
            parts.append("orphaned: the current adjudication no longer produces this violation")
        if self.settled is not None:
            parts.append(f"{self.settled.status} by {names_text(self.settled.analysts)}")
        for action in VERDICTS:
            names = [v.analyst for v in self.pending if v.action == action]
            if names:
                parts.append(f"{len(names)} of 2 {VOTE_WORDS[action]} ({names_text(names)})")
        if self.stale:
            parts.append("stale: the automatic verdict changed since")
        return "; ".join(parts) or "not reviewed"

    def to_json(self, now_ns: int | None = None) -> dict[str, Any]:
        """The state as JSON (``assignee`` only when ``now_ns`` is given)."""
        claim = self.claim
        out: dict[str, Any] = {
            "violation_id": self.violation_id,
            "severity": self.severity,
            "auto_status": self.auto_status,
            "human_status": self.human_status,
            "status": self.status,
            "progress": self.progress,
            "orphaned": self.orphaned,
            "stale": self.stale,
            "pending": [
                {"analyst": v.analyst, "action": v.action, "entry": v.index} for v in self.pending
            ],
            "claim": None
            if claim is None
            else {
                "assignee": claim.holder,
                "by": claim.by,
                "until": format_ns(claim.until_ns, 9),
                "entry": claim.index,
            },
            "reviews": [_noted_json(n) for n in self.reviews],
        }
        if now_ns is not None:
            out["assignee"] = self.assignee(now_ns)
        return out


def _noted_json(noted: Noted) -> dict[str, Any]:
    r = noted.review
    return {
        "entry": r.index,
        "action": r.action,
        "analyst": r.analyst,
        "assignee": r.assignee,
        "at": format_ns(r.at_ns, 9),
        "reason": r.reason,
        "sha256": r.sha256,
        "counted": noted.counted,
        "note": noted.note,
        "stale": noted.stale,
    }


def names_text(names: Iterable[str]) -> str:
    listed = list(names)
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
