"""The fold of :mod:`.review_state`: review entries, in log order, over the current violations →
one :class:`~.review_state.ReviewState` per violation (the rules are in that module's docstring).
Pure: no clock, no file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ceasewatch.adjudication.review_state import (
    PAST,
    VERDICTS,
    VOTE_WORDS,
    Claim,
    Noted,
    Review,
    ReviewState,
    Settled,
    Vote,
    names_text,
    needs_two,
)
from ceasewatch.adjudication.types import Violation
from ceasewatch.errors import InputError
from ceasewatch.evidence.canonical import CanonicalError, canonical


def review_states(
    entries: Iterable[Review], violations: Iterable[Mapping[str, Any] | Violation]
) -> dict[str, ReviewState]:
    """Fold review entries (in log order) over the current violations (their JSON, as in
    violations.jsonl, or :class:`Violation` records). Every violation gets a state, in the
    order given; a reviewed id that is not among them gets an orphaned state, after them, in the
    order it was first reviewed. The same entries and violations always give the same states."""
    current = current_violations(violations)
    folds: dict[str, _Fold] = {}
    for entry in entries:
        folds.setdefault(entry.violation_id, _Fold(entry.violation_id)).apply(entry)
    states: dict[str, ReviewState] = {}
    for violation_id, seen in current.items():
        states[violation_id] = (folds.get(violation_id) or _Fold(violation_id)).state(seen)
    for violation_id, fold in folds.items():
        if violation_id not in current:
            states[violation_id] = fold.state(None)
    return states


def refusal(entries: Iterable[Review], review: Review) -> str | None:
    """Why ``review`` would not count if appended after ``entries`` (in log order; entries
    about other violations are skipped), or None when it would."""
    fold = _Fold(review.violation_id)
    for entry in entries:
        if entry.violation_id == review.violation_id:
            fold.apply(entry)
    return fold.refusal(review)


@dataclass(frozen=True)
class Current:
    """A violation as the review sees it: the SHA-256 of its RFC 8785 JSON, and its severity
    and automatic status."""

    violation_id: str
    sha256: str
    severity: str | None
    status: str | None


def digest(violation: Mapping[str, Any] | Violation) -> str:
    """SHA-256 (hex) of the RFC 8785 canonical JSON of a violation, as an analyst sees it."""
    data = violation.to_json() if isinstance(violation, Violation) else violation
    try:
        return hashlib.sha256(canonical(data)).hexdigest()
    except CanonicalError as exc:
        raise InputError(
            f"violation {data.get('violation_id')!r} has no canonical JSON form ({exc}); "
            "re-run the adjudication that wrote it"
        ) from exc


def current_violations(
    violations: Iterable[Mapping[str, Any] | Violation],
) -> dict[str, Current]:
    """Violation id → :class:`Current`, in the order given; a repeated id is an InputError."""
    out: dict[str, Current] = {}
    for violation in violations:
        data = violation.to_json() if isinstance(violation, Violation) else violation
        violation_id = data.get("violation_id")
        if not isinstance(violation_id, str) or not violation_id:
            raise InputError(
                f"a violation without a violation_id ({str(dict(data))[:80]}…); "
                "give every violation its id (FORMATS.md, Violations)"
            )
        if violation_id in out:
            raise InputError(
                f"violation {violation_id} appears twice; re-run the adjudication so each id "
                "appears once"
            )
        severity, status = data.get("severity"), data.get("status")
        out[violation_id] = Current(
            violation_id,
            digest(data),
            None if severity is None else str(severity),
            None if status is None else str(status),
        )
    return out


class _Fold:
    """The running state of one violation's review (mutable, private to the fold)."""

    def __init__(self, violation_id: str) -> None:
        self.violation_id = violation_id
        self.claim: Claim | None = None
        self.settled: Settled | None = None
        self.round: dict[str, Vote] = {}  # analyst → latest vote, in the order first cast
        self.round_sha256: str | None = None
        self.noted: list[tuple[Review, bool, str]] = []
        self.last_severity: str | None = None

    def refusal(self, r: Review) -> str | None:
        vid = self.violation_id
        claim = self.claim if self.claim is not None and self.claim.live(r.at_ns) else None
        if r.action == "claim":
            if r.until_ns is None or r.until_ns <= r.at_ns:
                return f"{vid}: the claim would end before it starts; give a positive duration"
            if claim is not None and claim.holder != r.holder:
                return (
                    f"{vid} is claimed by {claim.text()}; wait until then, ask "
                    f"{claim.holder} to release it, or pick another violation"
                )
            return None
        if r.action == "release":
            if claim is None:
                return f"{vid} is not claimed; there is nothing to release"
            if r.analyst not in (claim.holder, claim.by):
                return (
                    f"{vid} is claimed by {claim.text()}; only {claim.holder}"
                    + ("" if claim.by == claim.holder else f" or {claim.by}")
                    + " can release it"
                )
            return None
        if not (r.reason or "").strip():
            return f"{vid}: a reason is required to {r.action}; say why with --reason"
        if claim is not None and claim.holder != r.analyst:
            return (
                f"{vid} is claimed by {claim.text()}; only {claim.holder} may decide on it "
                f"until then (or after {claim.holder} releases it)"
            )
        outcome = VERDICTS[r.action]
        if not needs_two(r.severity):
            if self.settled is not None and (self.settled.status, self.settled.sha256) == (
                outcome,
                r.sha256,
            ):
                return f"{vid} is already {outcome} by {names_text(self.settled.analysts)}"
            return None
        same_round = self.round_sha256 == r.sha256
        settled = self.settled
        if (
            not (same_round and self.round)
            and settled is not None
            and (settled.status, settled.sha256) == (outcome, r.sha256)
        ):
            return f"{vid} is already {outcome} by {names_text(settled.analysts)}"
        earlier = self.round.get(r.analyst) if same_round else None
        if earlier is not None and earlier.action == r.action:
            return (
                f"{vid}: {r.analyst} already {PAST[r.action]} it (entry {earlier.index}); a "
                f"{r.severity}-severity violation needs a second, different analyst to "
                f"{r.action} it"
            )
        return None

    def apply(self, r: Review) -> None:
        if r.severity is not None:
            self.last_severity = r.severity
        refused = self.refusal(r)
        if refused is not None:
            self.noted.append((r, False, refused))
            return
        self.noted.append((r, True, self._take(r)))

    def _take(self, r: Review) -> str:
        if r.action == "claim":
            self.claim = Claim(r.holder, r.analyst, r.at_ns, r.until_ns or 0, r.index)
            return f"claimed for {self.claim.text()}"
        if r.action == "release":
            self.claim = None
            return "released"
        if self.claim is not None and self.claim.holder == r.analyst:
            self.claim = None  # a decision ends the decider's claim
        outcome = VERDICTS[r.action]
        if not needs_two(r.severity):
            self.settled = Settled(outcome, r.sha256, (r.analyst,), r.at_ns, (r.index,))
            self.round, self.round_sha256 = {}, None
            return outcome
        note = ""
        if self.round and self.round_sha256 != r.sha256:
            dropped = ", ".join(str(v.index) for v in self.round.values())
            note = f"; the verdict changed since the earlier votes (entries {dropped})"
            self.round = {}
        self.round_sha256 = r.sha256
        self.round.pop(r.analyst, None)  # a changed vote replaces the analyst's earlier one
        self.round[r.analyst] = Vote(r.analyst, r.action, r.at_ns, r.index)
        agreeing = [v for v in self.round.values() if v.action == r.action]
        if len(agreeing) >= 2:
            self.settled = Settled(
                outcome,
                r.sha256,
                tuple(v.analyst for v in agreeing),
                r.at_ns,
                tuple(v.index for v in agreeing),
            )
            self.round, self.round_sha256 = {}, None
            return f"{outcome} by {names_text(self.settled.analysts)}{note}"
        return f"{len(agreeing)} of 2 {VOTE_WORDS[r.action]}{note}"

    def state(self, current: Current | None) -> ReviewState:
        noted = tuple(
            Noted(r, counted, note, current is not None and r.sha256 != current.sha256)
            for r, counted, note in self.noted
        )
        return ReviewState(
            violation_id=self.violation_id,
            auto_status=None if current is None else current.status,
            severity=self.last_severity if current is None else current.severity,
            sha256=None if current is None else current.sha256,
            settled=self.settled,
            pending=tuple(self.round.values()),
            pending_sha256=self.round_sha256 if self.round else None,
            claim=self.claim,
            reviews=noted,
            orphaned=current is None,
        )
