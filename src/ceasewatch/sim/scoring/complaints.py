"""Complaints: how a run answered the parties' complaints, against what the simulator knows.

The run's ``complaint-answers.jsonl`` (one answer per line: ``complaint_id``, ``outcome`` —
``corroborated``, ``contradicted``, ``unverifiable`` or ``duplicate`` — and optionally ``party``
and ``duplicate_of``) is joined to the truth's ``complaints.jsonl`` on ``complaint_id``. The right
answer to each truth label:

========================  ===============
truth                     right outcome
========================  ===============
``true``                  corroborated
``false``                 contradicted
``misattributed``         contradicted
``duplicate``             duplicate
========================  ===============

``unverifiable`` is never right, but it is an honest "cannot tell", not a wrong claim: it is
counted apart (``unverifiable_share``) and ``accuracy_decided`` leaves it out. A truth complaint
the run did not answer counts as wrong (outcome ``missing`` in the confusion matrix).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ceasewatch.sim.scoring.io import read_jsonl, unique
from ceasewatch.sim.scoring.report import NotAvailable, ratio

ANSWERS_FILE = "complaint-answers.jsonl"
RIGHT = {
    "true": "corroborated",
    "false": "contradicted",
    "misattributed": "contradicted",
    "duplicate": "duplicate",
}
OUTCOMES = ("corroborated", "contradicted", "unverifiable", "duplicate")
MISSING = "missing"


@dataclass(frozen=True)
class TruthComplaint:
    complaint_id: str
    truth: str  # a key of RIGHT
    duplicate_of: str | None


@dataclass(frozen=True)
class Answer:
    complaint_id: str
    outcome: str  # one of OUTCOMES
    party: str
    duplicate_of: str | None


@dataclass(frozen=True)
class ComplaintCounts:
    complaints: int
    correct: int
    unverifiable: int
    accuracy: float | None  # correct / complaints
    accuracy_decided: float | None  # correct / (answered − unverifiable)


@dataclass(frozen=True)
class ComplaintScore:
    complaints: int  # in the truth
    answered: int  # truth complaints the run answered
    missing_in_run: int
    unknown_in_run: int  # answers to complaint ids the truth does not know
    correct: int
    accuracy: float | None  # correct / complaints
    decided: int  # answered and not unverifiable
    accuracy_decided: float | None  # correct / decided
    unverifiable: int
    unverifiable_share: float | None  # unverifiable / answered
    duplicates_pointing_right: int  # truth duplicates answered duplicate of the right original
    confusion: dict[str, dict[str, int]]  # truth label → outcome (or "missing") → count
    by_truth: dict[str, ComplaintCounts]
    by_party: dict[str, ComplaintCounts]  # by the complaining party


def score_complaint_files(truth_dir: Path, run_dir: Path) -> ComplaintScore | NotAvailable:
    """Read ``truth_dir/complaints.jsonl`` and ``run_dir/complaint-answers.jsonl`` and score
    them; not available when either is missing. A bad line is an ``InputError`` at file:line."""
    answers_path = Path(run_dir) / ANSWERS_FILE
    truth_path = Path(truth_dir) / "complaints.jsonl"
    if not answers_path.is_file():
        return NotAvailable(f"the run has no {ANSWERS_FILE}")
    if not truth_path.is_file():
        return NotAvailable("the truth has no complaints.jsonl")
    return score_complaints(read_truth_complaints(truth_path), read_answers(answers_path))


def read_truth_complaints(path: Path) -> dict[str, TruthComplaint]:
    out = {}
    for cid, line in unique(read_jsonl(path), "complaint_id").items():
        label = line.text("truth")
        if label not in RIGHT:
            raise line.fail(f"unknown truth {label!r}", f"write one of {', '.join(RIGHT)}")
        out[cid] = TruthComplaint(cid, label, line.optional_text("duplicate_of"))
    return out


def read_answers(path: Path) -> dict[str, Answer]:
    out = {}
    for cid, line in unique(read_jsonl(path), "complaint_id").items():
        outcome = line.text("outcome")
        if outcome not in OUTCOMES:
            raise line.fail(f"unknown outcome {outcome!r}", f"write one of {', '.join(OUTCOMES)}")
        party = line.optional_text("party") or cid.split("-", 1)[0]
        out[cid] = Answer(cid, outcome, party, line.optional_text("duplicate_of"))
    return out


def score_complaints(
    truth: Mapping[str, TruthComplaint], answers: Mapping[str, Answer]
) -> ComplaintScore:
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    by_truth: dict[str, list[str]] = defaultdict(list)  # "correct" or the wrong outcome given
    by_party: dict[str, list[str]] = defaultdict(list)
    pointing_right = 0
    for cid in sorted(truth):
        t, answer = truth[cid], answers.get(cid)
        outcome = answer.outcome if answer else MISSING
        confusion[t.truth][outcome] += 1
        judged = "correct" if outcome == RIGHT[t.truth] else outcome
        by_truth[t.truth].append(judged)
        by_party[answer.party if answer else cid.split("-", 1)[0]].append(judged)
        if answer and judged == "correct" and outcome == "duplicate":
            pointing_right += answer.duplicate_of == t.duplicate_of
    whole = _counts([j for found in by_truth.values() for j in found])
    answered = sum(1 for cid in truth if cid in answers)
    return ComplaintScore(
        complaints=len(truth),
        answered=answered,
        missing_in_run=len(truth) - answered,
        unknown_in_run=sum(1 for cid in answers if cid not in truth),
        correct=whole.correct,
        accuracy=whole.accuracy,
        decided=answered - whole.unverifiable,
        accuracy_decided=whole.accuracy_decided,
        unverifiable=whole.unverifiable,
        unverifiable_share=ratio(whole.unverifiable, answered),
        duplicates_pointing_right=pointing_right,
        confusion={label: dict(sorted(row.items())) for label, row in sorted(confusion.items())},
        by_truth={label: _counts(found) for label, found in sorted(by_truth.items())},
        by_party={party: _counts(found) for party, found in sorted(by_party.items())},
    )


def _counts(outcomes: list[str]) -> ComplaintCounts:
    """``outcomes``: "correct", or the wrong outcome given (``unverifiable``, ``missing``, …)."""
    correct = outcomes.count("correct")
    unverifiable = outcomes.count("unverifiable")
    decided = len(outcomes) - unverifiable - outcomes.count(MISSING)
    return ComplaintCounts(
        complaints=len(outcomes),
        correct=correct,
        unverifiable=unverifiable,
        accuracy=ratio(correct, len(outcomes)),
        accuracy_decided=ratio(correct, decided),
    )
