"""Event association: which run event found which truth source.

The rule (docs/scoring.md): run events and truth sources are paired one-to-one so that the total
number of observation records they share is as large as possible (``linear_sum_assignment`` on
each connected group of events and sources that share records). Among pairings with the same
total, the one whose events are most purely made of their source's records wins. A pair is a
**true positive** when the source holds at least ``match_fraction`` (default one half) of the
run event's records. Unpaired events and pairs below the fraction are false positives; sources
without a true-positive event are false negatives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ceasewatch.sim.scoring.io import RecordKey
from ceasewatch.sim.scoring.report import DETAIL, f1, ratio
from ceasewatch.sim.scoring.run import Event
from ceasewatch.sim.scoring.truth import Happening, Source

MATCH_FRACTION = 0.5


def assign(
    weights: Mapping[tuple[int, int], float],
    tie_break: Mapping[tuple[int, int], float] | None = None,
) -> list[tuple[int, int]]:
    """One-to-one (left, right) pairs maximising the total weight over pairs with weight > 0.

    ``tie_break`` (values in [0, 1]) only decides between pairings of equal total weight when
    weights are integers: it is scaled so that its total never reaches 1.
    """
    if not weights:
        return []
    keys = sorted(weights)
    left = sorted({i for i, _ in keys})
    right = sorted({j for _, j in keys})
    left_at = {i: k for k, i in enumerate(left)}
    right_at = {j: len(left) + k for k, j in enumerate(right)}
    size = len(left) + len(right)
    graph = coo_matrix(
        (np.ones(len(keys)), ([left_at[i] for i, _ in keys], [right_at[j] for _, j in keys])),
        shape=(size, size),
    )
    _, label = connected_components(graph, directed=False)
    groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for key in keys:
        groups[int(label[left_at[key[0]]])].append(key)
    pairs: list[tuple[int, int]] = []
    for group in groups.values():
        rows = sorted({i for i, _ in group})
        cols = sorted({j for _, j in group})
        scale = 0.5 / (min(len(rows), len(cols)) + 1)
        matrix = np.zeros((len(rows), len(cols)))
        row_at = {i: k for k, i in enumerate(rows)}
        col_at = {j: k for k, j in enumerate(cols)}
        for key in group:
            extra = scale * tie_break.get(key, 0.0) if tie_break else 0.0
            matrix[row_at[key[0]], col_at[key[1]]] = weights[key] + extra
        chosen_rows, chosen_cols = linear_sum_assignment(matrix, maximize=True)
        pairs.extend(
            (rows[r], cols[c])
            for r, c in zip(chosen_rows, chosen_cols, strict=True)
            if weights.get((rows[r], cols[c]), 0) > 0
        )
    return sorted(pairs)


@dataclass(frozen=True)
class Pair:
    event: Event
    source: Source
    shared: int
    true_positive: bool


@dataclass(frozen=True)
class EventMatching:
    """The outcome of association, per event and per source."""

    pairs: tuple[Pair, ...]
    unpaired_events: tuple[Event, ...]
    unpaired_sources: tuple[Source, ...]

    @property
    def true_positives(self) -> tuple[Pair, ...]:
        return tuple(p for p in self.pairs if p.true_positive)

    def source_of(self) -> dict[str, Source]:
        """The truth source of every true-positive event, by event id."""
        return {p.event.event_id: p.source for p in self.pairs if p.true_positive}

    def missed_sources(self) -> tuple[Source, ...]:
        below = tuple(p.source for p in self.pairs if not p.true_positive)
        return self.unpaired_sources + below

    def false_events(self) -> tuple[Event, ...]:
        return self.unpaired_events + tuple(p.event for p in self.pairs if not p.true_positive)


def match_events(
    events: Sequence[Event], sources: Sequence[Source], match_fraction: float = MATCH_FRACTION
) -> EventMatching:
    """Pair run events with truth sources by shared records (the rule in the module doc)."""
    owners: dict[RecordKey, list[int]] = defaultdict(list)
    for j, source in enumerate(sources):
        for record in source.records:
            owners[record].append(j)
    shared: dict[tuple[int, int], float] = defaultdict(float)
    for i, event in enumerate(events):
        for record in event.records:
            for j in owners.get(record, ()):
                shared[(i, j)] += 1
    purity = {(i, j): n / len(events[i].records) for (i, j), n in shared.items()}
    pairs = []
    for i, j in assign(shared, purity):
        count = int(shared[(i, j)])
        is_tp = count >= match_fraction * len(events[i].records)
        pairs.append(Pair(events[i], sources[j], count, is_tp))
    paired_events = {p.event.event_id for p in pairs}
    paired_sources = {p.source.source_id for p in pairs}
    return EventMatching(
        tuple(pairs),
        tuple(e for e in events if e.event_id not in paired_events),
        tuple(s for s in sources if s.source_id not in paired_sources),
    )


# ---------------------------------------------------------------------------------------------
# The event section of the report


@dataclass(frozen=True)
class TruthGroup:
    """Truth sources of one phase or happening kind, and how many were found."""

    sources: int
    detectable: int
    true_positives: int
    recall: float | None
    recall_detectable: float | None


@dataclass(frozen=True)
class RunGroup:
    """Run events of one kind, and how many were right."""

    events: int
    true_positives: int
    false_positives: int
    precision: float | None


@dataclass(frozen=True)
class EventScore:
    match_fraction: float
    events: int
    sources: int
    sources_detectable: int
    sources_not_detectable: int
    true_positives: int
    true_positives_detectable: int
    false_positives: int
    false_negatives: int
    false_negatives_detectable: int
    precision: float | None
    recall: float | None
    recall_detectable: float | None
    f1: float | None
    f1_detectable: float | None
    false_positive_causes: dict[str, int]
    false_negative_causes: dict[str, int]
    by_phase: dict[str, TruthGroup]
    by_happening_kind: dict[str, TruthGroup]
    by_event_kind: dict[str, RunGroup]
    matching: EventMatching = field(metadata=DETAIL, repr=False)


def score_events(
    matching: EventMatching,
    happenings: Mapping[str, Happening],
    false_alarms: frozenset[RecordKey],
    match_fraction: float = MATCH_FRACTION,
) -> EventScore:
    sources = [p.source for p in matching.pairs] + list(matching.unpaired_sources)
    found = {p.source.source_id for p in matching.true_positives}
    events = [p.event for p in matching.pairs] + list(matching.unpaired_events)
    right = {p.event.event_id for p in matching.true_positives}
    detectable = [s for s in sources if s.detectable]
    tp = len(found)
    tp_detectable = sum(1 for s in detectable if s.source_id in found)
    precision = ratio(tp, len(events))
    recall = ratio(tp, len(sources))
    recall_detectable = ratio(tp_detectable, len(detectable))
    truth_records = {r for s in sources for r in s.records}
    return EventScore(
        match_fraction=match_fraction,
        events=len(events),
        sources=len(sources),
        sources_detectable=len(detectable),
        sources_not_detectable=len(sources) - len(detectable),
        true_positives=tp,
        true_positives_detectable=tp_detectable,
        false_positives=len(events) - tp,
        false_negatives=len(sources) - tp,
        false_negatives_detectable=len(detectable) - tp_detectable,
        precision=precision,
        recall=recall,
        recall_detectable=recall_detectable,
        f1=f1(precision, recall),
        f1_detectable=f1(precision, recall_detectable),
        false_positive_causes=_fp_causes(matching, truth_records, false_alarms),
        false_negative_causes=_fn_causes(matching),
        by_phase=_truth_groups(sources, found, lambda s: s.phase),
        by_happening_kind=_truth_groups(sources, found, lambda s: happenings[s.happening_id].kind),
        by_event_kind=_run_groups(events, right),
        matching=matching,
    )


def false_positive_cause(
    event: Event, truth_records: set[RecordKey], false_alarms: frozenset[RecordKey]
) -> str:
    """Why an event is a false positive: ``no_records``, ``false_alarms_only`` (every record
    was caused by nothing), ``split_or_partial`` (it holds records of some source, but another
    event took that source or it holds too few of them), ``unknown_records`` (records that the
    truth does not know)."""
    if not event.records:
        return "no_records"
    if event.records <= false_alarms:
        return "false_alarms_only"
    if event.records & truth_records:
        return "split_or_partial"
    return "unknown_records"


def _fp_causes(
    matching: EventMatching, truth_records: set[RecordKey], false_alarms: frozenset[RecordKey]
) -> dict[str, int]:
    causes = dict.fromkeys(("false_alarms_only", "split_or_partial", "unknown_records"), 0)
    causes["no_records"] = 0
    for event in matching.false_events():
        causes[false_positive_cause(event, truth_records, false_alarms)] += 1
    return dict(sorted(causes.items()))


def _fn_causes(matching: EventMatching) -> dict[str, int]:
    """``not_detectable``; ``merged_or_partial`` (some event holds its records but is not a
    true positive for it); ``no_event`` (no event holds any of its records)."""
    causes = {"merged_or_partial": 0, "no_event": 0, "not_detectable": 0}
    claimed = {r for e in matching.false_events() for r in e.records}
    claimed |= {r for p in matching.pairs for r in p.event.records}
    for source in matching.missed_sources():
        if not source.detectable:
            causes["not_detectable"] += 1
        elif source.records & claimed:
            causes["merged_or_partial"] += 1
        else:
            causes["no_event"] += 1
    return causes


def _truth_groups(
    sources: list[Source], found: set[str], key: Callable[[Source], str]
) -> dict[str, TruthGroup]:
    groups: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        groups[key(source)].append(source)
    result = {}
    for name, members in sorted(groups.items()):
        det = [s for s in members if s.detectable]
        tp = sum(1 for s in members if s.source_id in found)
        tp_det = sum(1 for s in det if s.source_id in found)
        result[name] = TruthGroup(
            len(members), len(det), tp, ratio(tp, len(members)), ratio(tp_det, len(det))
        )
    return result


def _run_groups(events: list[Event], right: set[str]) -> dict[str, RunGroup]:
    groups: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        groups[event.kind].append(event)
    result = {}
    for name, members in sorted(groups.items()):
        tp = sum(1 for e in members if e.event_id in right)
        result[name] = RunGroup(len(members), tp, len(members) - tp, ratio(tp, len(members)))
    return result
