"""Violations: which run violations name a violation that really occurred.

A truth violation is a (happening, rule id) pair from ``happenings.jsonl``. A run violation
reaches the happenings of its events' true-positive sources (``event_ids`` → event matching →
source → happening); a run violation that rests on no event (interference, read from the
sensors' status reports) reaches the happenings of the truth sources holding the records its
``evidence`` names. It can claim a truth violation of one of those happenings with the same
rule id. Claims are paired one-to-one (``linear_sum_assignment``), so two run violations of the
same happening and rule give one true positive and one false positive (``duplicate``).
Violations the run itself marked ``dismissed`` are not claims and are only counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ceasewatch.sim.scoring.match import EventMatching, assign
from ceasewatch.sim.scoring.report import DETAIL, f1, ratio
from ceasewatch.sim.scoring.run import Violation
from ceasewatch.sim.scoring.truth import Happening, Source

TruthViolation = tuple[str, str]
"""(happening id, rule id)."""


@dataclass(frozen=True)
class RuleCounts:
    truth: int
    run: int
    true_positives: int
    precision: float | None
    recall: float | None


@dataclass(frozen=True)
class ClutterScore:
    """Clutter (fires, quarry blasts, thunder, demining, training) called a violation.

    ``rate`` is ``called_violation / happenings_with_records``: the share of clutter happenings
    that produced at least one record to which some run violation was traced."""

    happenings_with_records: int
    called_violation: int
    rate: float | None
    run_violations_on_clutter: int


@dataclass(frozen=True)
class ViolationScore:
    run_violations: int
    dismissed_not_scored: int
    truth_violations: int
    truth_violations_observable: int  # the happening has at least one detectable source
    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float | None
    recall: float | None
    recall_observable: float | None
    f1: float | None
    false_positive_causes: dict[str, int]
    unknown_event_ids: int  # event ids named by run violations that are not in events.jsonl
    by_rule: dict[str, RuleCounts]
    clutter: ClutterScore
    matched: tuple[tuple[Violation, Happening], ...] = field(metadata=DETAIL, repr=False)


def score_violations(
    violations: Sequence[Violation],
    matching: EventMatching,
    happenings: Mapping[str, Happening],
    sources: Sequence[Source],
) -> ViolationScore:
    claims = [v for v in violations if v.status != "dismissed"]
    known_events = {p.event.event_id for p in matching.pairs}
    known_events |= {e.event_id for e in matching.unpaired_events}
    source_of = matching.source_of()
    holder = {record: s.happening_id for s in sources for record in s.records}
    reach = [
        sorted(
            {source_of[e].happening_id for e in v.event_ids if e in source_of}
            | ({holder[r] for r in v.records if r in holder} if not v.event_ids else set())
        )
        for v in claims
    ]
    truth = sorted((h.happening_id, rule) for h in happenings.values() for rule in h.violations)
    truth_at = {t: k for k, t in enumerate(truth)}
    weights = {
        (i, truth_at[(h, v.rule_id)]): 1.0
        for i, (v, hs) in enumerate(zip(claims, reach, strict=True))
        for h in hs
        if (h, v.rule_id) in truth_at
    }
    pairs = assign(weights)
    claimed = {i for i, _ in pairs}
    found = {truth[j] for _, j in pairs}
    observable_happenings = {s.happening_id for s in sources if s.detectable}
    observable = [t for t in truth if t[0] in observable_happenings]
    tp = len(pairs)
    precision = ratio(tp, len(claims))
    recall = ratio(tp, len(truth))
    causes = dict.fromkeys(
        ("clutter", "duplicate", "no_matched_event", "not_a_violation", "wrong_rule"), 0
    )
    for i, violation in enumerate(claims):
        if i not in claimed:
            causes[_fp_cause(violation, reach[i], happenings)] += 1
    return ViolationScore(
        run_violations=len(claims),
        dismissed_not_scored=len(violations) - len(claims),
        truth_violations=len(truth),
        truth_violations_observable=len(observable),
        true_positives=tp,
        false_positives=len(claims) - tp,
        false_negatives=len(truth) - tp,
        precision=precision,
        recall=recall,
        recall_observable=ratio(sum(1 for t in observable if t in found), len(observable)),
        f1=f1(precision, recall),
        false_positive_causes=causes,
        unknown_event_ids=sum(1 for v in violations for e in v.event_ids if e not in known_events),
        by_rule=_by_rule(claims, truth, [(claims[i], truth[j]) for i, j in pairs]),
        clutter=_clutter(claims, reach, happenings, sources),
        matched=tuple((claims[i], happenings[truth[j][0]]) for i, j in pairs),
    )


def _fp_cause(violation: Violation, reached: list[str], happenings: Mapping[str, Happening]) -> str:
    if not reached:
        return "no_matched_event"
    found = [happenings[h] for h in reached]
    if any(violation.rule_id in h.violations for h in found):
        return "duplicate"
    if all(h.clutter for h in found):
        return "clutter"
    if any(h.violations for h in found):
        return "wrong_rule"
    return "not_a_violation"


def _by_rule(
    claims: Sequence[Violation],
    truth: Sequence[TruthViolation],
    pairs: Sequence[tuple[Violation, TruthViolation]],
) -> dict[str, RuleCounts]:
    run: dict[str, int] = defaultdict(int)
    real: dict[str, int] = defaultdict(int)
    hit: dict[str, int] = defaultdict(int)
    for violation in claims:
        run[violation.rule_id] += 1
    for _, rule in truth:
        real[rule] += 1
    for violation, _ in pairs:
        hit[violation.rule_id] += 1
    return {
        rule: RuleCounts(
            real[rule],
            run[rule],
            hit[rule],
            ratio(hit[rule], run[rule]),
            ratio(hit[rule], real[rule]),
        )
        for rule in sorted(set(run) | set(real))
    }


def _clutter(
    claims: Sequence[Violation],
    reach: Sequence[list[str]],
    happenings: Mapping[str, Happening],
    sources: Sequence[Source],
) -> ClutterScore:
    with_records = {
        s.happening_id for s in sources if s.records and happenings[s.happening_id].clutter
    }
    on_clutter = [
        (v, [h for h in hs if happenings[h].clutter]) for v, hs in zip(claims, reach, strict=True)
    ]
    called = {h for _, hs in on_clutter for h in hs}
    return ClutterScore(
        happenings_with_records=len(with_records),
        called_violation=len(called),
        rate=ratio(len(called & with_records), len(with_records)),
        run_violations_on_clutter=sum(1 for _, hs in on_clutter if hs),
    )
