"""Attribution: for true-positive violations, is the party the run holds responsible right, and
are its probabilities honest?

- **Accuracy**: the party with the highest probability in ``responsible`` against the truth
  ``party``; a tie at the top counts as wrong (no answer).
- **Calibration** (one-vs-rest over parties): every violation contributes one forecast per
  candidate party — the parties named in its ``responsible`` plus the true party (probability 0
  if not named) — with outcome 1 for the true party and 0 for the others. Forecasts are put in 10
  equal-width bins of predicted probability ([0, 0.1), …, [0.9, 1.0]); each bin compares its
  mean predicted probability with the observed frequency of outcome 1 (the reliability diagram).
- **ECE** (expected calibration error) = Σ_b (n_b / N) · |mean predicted_b − observed_b|, over
  the non-empty bins, weighted by the number of forecasts in each.
- **Brier score**: the mean over violations of Σ_k (p_k − y_k)² (0 is perfect, 2 the worst).
- **Confident**: accuracy among violations whose highest probability is at least 0.9.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ceasewatch.sim.scoring.report import NotAvailable, ratio
from ceasewatch.sim.scoring.run import Violation
from ceasewatch.sim.scoring.truth import Happening

BINS = 10
CONFIDENT_P = 0.9


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    forecasts: int
    mean_predicted: float | None
    observed: float | None


@dataclass(frozen=True)
class PartyAccuracy:
    violations: int
    correct: int
    accuracy: float | None


@dataclass(frozen=True)
class AttributionScore:
    violations: int  # true-positive violations with a truth party and a `responsible`
    without_truth_party: int
    without_responsible: int
    correct: int
    accuracy: float | None
    ece: float | None
    brier: float | None
    forecasts: int
    confident_p: float
    confident_violations: int
    confident_accuracy: float | None
    by_true_party: dict[str, PartyAccuracy]
    bins: tuple[CalibrationBin, ...]


def top_party(responsible: Sequence[tuple[str, float]]) -> str | None:
    """The party with the highest probability; None when empty or when the top is a tie."""
    if not responsible:
        return None
    ranked = sorted(responsible, key=lambda item: -item[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def forecasts(responsible: Sequence[tuple[str, float]], truth: str) -> list[tuple[float, int]]:
    """One (predicted probability, outcome) per candidate party (see the module doc)."""
    named = dict(responsible)
    return [(named.get(party, 0.0), int(party == truth)) for party in sorted(named | {truth: 0})]


def calibration_bins(pairs: Sequence[tuple[float, int]], bins: int = BINS) -> list[CalibrationBin]:
    predicted = np.array([p for p, _ in pairs], dtype=np.float64)
    outcome = np.array([y for _, y in pairs], dtype=np.float64)
    index = np.minimum((predicted * bins).astype(int), bins - 1)
    result = []
    for b in range(bins):
        inside = index == b
        n = int(inside.sum())
        result.append(
            CalibrationBin(
                b / bins,
                (b + 1) / bins,
                n,
                float(predicted[inside].mean()) if n else None,
                float(outcome[inside].mean()) if n else None,
            )
        )
    return result


def expected_calibration_error(bins: Sequence[CalibrationBin]) -> float | None:
    total = sum(b.forecasts for b in bins)
    if not total:
        return None
    return sum(
        b.forecasts / total * abs(b.mean_predicted - b.observed)
        for b in bins
        if b.forecasts and b.mean_predicted is not None and b.observed is not None
    )


def score_attribution(
    matched: Sequence[tuple[Violation, Happening]],
) -> AttributionScore | NotAvailable:
    if not matched:
        return NotAvailable("no true-positive violations to attribute")
    usable = [(v, h.party) for v, h in matched if h.party is not None and v.responsible]
    if not usable:
        return NotAvailable("no true-positive violation has both a truth party and `responsible`")
    pairs: list[tuple[float, int]] = []
    brier: list[float] = []
    per_party: dict[str, list[bool]] = defaultdict(list)
    confident: list[bool] = []
    for violation, party in usable:
        these = forecasts(violation.responsible, party)
        pairs.extend(these)
        brier.append(sum((p - y) ** 2 for p, y in these))
        correct = top_party(violation.responsible) == party
        per_party[party].append(correct)
        if max(p for _, p in violation.responsible) >= CONFIDENT_P:
            confident.append(correct)
    bins = calibration_bins(pairs)
    right = sum(sum(c) for c in per_party.values())
    return AttributionScore(
        violations=len(usable),
        without_truth_party=sum(1 for _, h in matched if h.party is None),
        without_responsible=sum(1 for v, h in matched if h.party is not None and not v.responsible),
        correct=right,
        accuracy=ratio(right, len(usable)),
        ece=expected_calibration_error(bins),
        brier=float(np.mean(brier)),
        forecasts=len(pairs),
        confident_p=CONFIDENT_P,
        confident_violations=len(confident),
        confident_accuracy=ratio(sum(confident), len(confident)),
        by_true_party={
            party: PartyAccuracy(len(c), sum(c), ratio(sum(c), len(c)))
            for party, c in sorted(per_party.items())
        },
        bins=tuple(bins),
    )
