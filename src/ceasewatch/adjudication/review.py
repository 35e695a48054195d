"""The analysts' review workflow: claim, release, confirm, dispute and dismiss a violation, each
one ``review`` entry of the evidence log (docs/adjudication-review.md).

- :func:`new_review` (pure, no clock: the time is an argument) builds the entry an analyst's
  action would append and refuses, with an :class:`~ceasewatch.errors.InputError` naming the
  violation and the fix, what would not count: an unknown violation, a decision without a
  reason, the same analyst confirming twice, a claim held by someone else.
- :func:`read_reviews` reads the review entries back out of a log store, in log order.
- :func:`submit` does both over an :class:`~ceasewatch.evidence.log.EvidenceLog` and then
  re-reads what was appended meanwhile: when another analyst's entry got in first (two claims
  at the same moment), the fold — which everyone replaying the log runs — does not count the
  later one, and :func:`submit` says so.
- the state is :func:`~ceasewatch.adjudication.review_state.review_states`, a pure fold.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ceasewatch.adjudication.review_fold import (
    Current,
    current_violations,
    digest,
    refusal,
    review_states,
)
from ceasewatch.adjudication.review_state import (
    ACTIONS,
    ONE_PERSON,
    TWO_PERSON,
    VERDICTS,
    Review,
    ReviewState,
    needs_two,
)
from ceasewatch.adjudication.types import Violation
from ceasewatch.errors import InputError
from ceasewatch.evidence.base import LogReader, LogStore
from ceasewatch.evidence.log import EvidenceLog

__all__ = [
    "ACTIONS",
    "ONE_PERSON",
    "TWO_PERSON",
    "VERDICTS",
    "Review",
    "ReviewState",
    "Submitted",
    "current_violations",
    "digest",
    "needs_two",
    "new_review",
    "read_reviews",
    "read_violations",
    "review_states",
    "submit",
]


def new_review(
    action: str,
    violation_id: str,
    *,
    analyst: str,
    at_ns: int,
    violations: Mapping[str, Current],
    entries: Sequence[Review],
    reason: str | None = None,
    until_ns: int | None = None,
    assignee: str | None = None,
) -> Review:
    """The review entry for one analyst action at ``at_ns``, checked against the review entries
    so far (``entries``, in log order) and the current violations
    (:func:`~ceasewatch.adjudication.review_state.current_violations`). ``until_ns`` is the
    expiry of a claim; ``assignee`` whom a claim is for (default: the analyst). Raises
    InputError when the entry would not count."""
    if action not in ACTIONS:
        raise InputError(f"{violation_id}: {action!r} is not a review action; use one of {ACTIONS}")
    analyst = analyst.strip()
    if not analyst:
        raise InputError(f"{violation_id}: who is acting? give your name with --analyst NAME")
    seen = violations.get(violation_id)
    if seen is None:
        raise InputError(
            f"unknown violation {violation_id}: it is not among the {len(violations):,} "
            "violations of the current adjudication; check the id "
            "(ceasewatch review list --state DIR lists them)"
        )
    text = (reason or "").strip() or None
    if action in VERDICTS and text is None:
        raise InputError(
            f"{violation_id}: a reason is required to {action} a violation; say why with "
            '--reason "…" (it is kept in the evidence log)'
        )
    if action == "claim" and until_ns is None:
        raise InputError(f"{violation_id}: a claim needs an expiry; give --hours")
    holder = (assignee or "").strip() or analyst
    review = Review(
        action=action,
        violation_id=violation_id,
        analyst=analyst,
        at_ns=at_ns,
        reason=text,
        sha256=seen.sha256,
        severity=seen.severity,
        auto_status=seen.status,
        assignee=holder if action == "claim" else None,
        until_ns=until_ns if action == "claim" else None,
    )
    refused = refusal(entries, review)
    if refused is not None:
        raise InputError(refused)
    return review


@dataclass(frozen=True)
class Submitted:
    """An action appended to the log: the entry (with its index), what the fold made of it,
    and the violation's state after it."""

    review: Review
    note: str
    state: ReviewState


def submit(
    log: EvidenceLog,
    violations: Iterable[Mapping[str, Any] | Violation],
    action: str,
    violation_id: str,
    *,
    analyst: str,
    at_ns: int,
    reason: str | None = None,
    until_ns: int | None = None,
    assignee: str | None = None,
) -> Submitted:
    """Check an action against the log, append it as a ``review`` entry, and fold again. Raises
    InputError when it would not count (nothing is appended), or when an entry appended by
    someone else in between made it not count (it stays in the log, as everything does, and the
    message says so)."""
    listed = list(violations)
    current = current_violations(listed)
    entries, size = _read(log.store, 0)
    review = new_review(
        action,
        violation_id,
        analyst=analyst,
        at_ns=at_ns,
        violations=current,
        entries=entries,
        reason=reason,
        until_ns=until_ns,
        assignee=assignee,
    )
    index = log.append_event("review", review.body(), at_ns)
    later, _end = _read(log.store, size)
    state = review_states([*entries, *later], listed)[violation_id]
    noted = next(n for n in state.reviews if n.review.index == index)
    if not noted.counted:
        raise InputError(
            f"{noted.note} (another entry was appended to the log just before yours: your "
            f"entry {index} is in the log but does not count; see ceasewatch review list)"
        )
    return Submitted(replace(review, index=index), noted.note, state)


def settled_times(
    reviews: Iterable[Review], violations: Iterable[Mapping[str, Any] | Violation]
) -> dict[str, int]:
    """Violation id → when its human status was settled (one analyst, or the second for high
    severity): when the mechanism answered it, as the escalation ladder reads it."""
    states = review_states(reviews, violations)
    return {vid: s.settled.at_ns for vid, s in states.items() if s.settled is not None}


def read_reviews(store: LogStore, start: int = 0) -> list[Review]:
    """The review entries of the log from entry ``start`` on, in log order."""
    return _read(store, start)[0]


def read_reviews_to(store: LogStore, start: int = 0) -> tuple[list[Review], int]:
    """The review entries from entry ``start`` on, and the log's size they were read to (so a
    reader that keeps them can go on from there)."""
    return _read(store, start)


def _read(store: LogStore, start: int) -> tuple[list[Review], int]:
    with store.read() as reader:
        end = reader.size()
        return list(_reviews(reader, start, end)), end


def _reviews(reader: LogReader, start: int, end: int) -> Iterable[Review]:
    for index, leaf in enumerate(reader.leaves(start, end), start):
        # a cheap test first: most entries are records, and a review's leaf names its kind
        if b'"kind":"review"' not in leaf and b'"of":"review"' not in leaf:
            continue
        entry = json.loads(leaf)
        if entry.get("kind") == "external" and entry.get("of") == "review":
            full = reader.entry(index).full
            if full is None:
                raise InputError(f"log entry {index}: the review it stands for is missing")
            entry = json.loads(full)
        if entry.get("kind") == "review":
            yield Review.from_entry(index, entry)


def read_violations(path: Path) -> list[dict[str, Any]]:
    """The violations of a violations.jsonl file (FORMATS.md, Violations), in file order."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(
            f"{path}: no violations there; run the adjudication for this state folder first"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    violations: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON ({exc.msg}); fix the line") from exc
        if not isinstance(value, dict) or not isinstance(value.get("violation_id"), str):
            raise InputError(
                f"{path}:{number}: not a violation (an object with a violation_id); fix the line"
            )
        violations.append(value)
    return violations
