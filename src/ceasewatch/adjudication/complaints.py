"""Answering the parties' complaints: each complaint is corroborated, contradicted, unverifiable
or a duplicate, with the violations and incidents it rests on and the reasons in words, answered
against the agreement's deadline; each party's record of accurate and inaccurate claims.

Pure: no clock (``as_of_ns`` is the time the run answers), no files; the result does not depend on
the order of the inputs. See docs/adjudication-complaints.md.

* **duplicate** — the same party already complained about the same thing (see
  :mod:`.complaints_match`); it points at the first complaint of the chain.
* **corroborated** — a violation that occurred (not dismissed, ``p_occurred`` ≥ 0.5), of the kind
  alleged, inside the circle and window, whose most likely responsible party is the alleged one.
* **unverifiable** — violations were seen there but who is responsible is split; or one of the
  alleged party may have hit the circle (located too roughly, or a launch within reach whose
  impact was not found); or nothing of the alleged party was seen but it would not surely have
  been: the chance it would have been found is below 0.8 (jamming, outages, small-arms fire far
  from sensors).
* **contradicted** — nothing of the alleged party was seen although it would have been (a chance
  of at least 0.8); the reasons say what was seen instead: fire by the complaining party itself
  (misattribution) or a third party, clutter (announced demining, a quarry, a field fire), or
  nothing.

The chance: with the run's ``coverage``, for fire of a category with a nominal loudness (shelling,
small arms, drone strikes), the chance that at least three acoustic sensors that were up and in
range would have heard it anywhere in the circle and window (:mod:`.complaints_detect`);
otherwise ``observable × detectability`` (the coverage share times a flat number per category;
with no ``observable`` the place and time are assumed fully observed, as the reasons say).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ceasewatch.adjudication.complaints_book import (
    OUTCOMES,
    ComplaintAnswer,
    ComplaintBook,
    PartyRecord,
    records_of,
)
from ceasewatch.adjudication.complaints_detect import LayoutDetection
from ceasewatch.adjudication.complaints_match import AnswerSettings, Evidence, Match, duplicates
from ceasewatch.adjudication.complaints_read import Complaint, read_complaints, read_incidents
from ceasewatch.adjudication.complaints_words import (
    attributed,
    clutter_reason,
    duplicate_reason,
    late_reason,
    nothing_reason,
    violation_reason,
)
from ceasewatch.adjudication.coverage_line import Coverage
from ceasewatch.adjudication.types import Violation
from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.model.time import NS_PER_S, format_ns

Observable = Callable[[float, float, float, int, int], float]
"""``observable(lon, lat, radius_m, t_start_ns, t_end_ns)``: the share (0–1) of the circle and
window the mechanism could observe (sensors up, not jammed)."""

HOUR_NS = 3600 * NS_PER_S
__all__ = [
    "OUTCOMES",
    "AnswerSettings",
    "ComplaintAnswer",
    "ComplaintBook",
    "Observable",
    "PartyRecord",
    "answer_complaints",
]


def answer_complaints(
    complaints: Sequence[Mapping[str, Any]],
    violations: Sequence[Violation],
    incidents: Sequence[Mapping[str, Any]],
    agreement: Agreement,
    *,
    as_of_ns: int,
    observable: Observable | None = None,
    settings: AnswerSettings | None = None,
    coverage: Coverage | None = None,
) -> ComplaintBook:
    """Answer every complaint at ``as_of_ns`` (see the module). ``coverage``: the run's, for the
    chance of detection from the sensor layout (and ``observable``, when that is not given)."""
    settings = settings or AnswerSettings()
    layout = None
    if coverage is not None:
        observable = observable or coverage.observable
        layout = LayoutDetection.from_timelines(
            coverage.lines, coverage.start_ns, coverage.end_ns, settings.layout
        )
    parsed = read_complaints(complaints)
    for c in parsed:
        if c.t_submitted_ns > as_of_ns:
            raise InputError(
                f"complaint {c.complaint_id}: submitted at {format_ns(c.t_submitted_ns, 0)}, "
                f"after the as-of time {format_ns(as_of_ns, 0)}; answer at a later as-of time "
                "or leave it out"
            )
    evidence = Evidence(_unique(violations), read_incidents(incidents), settings)
    first_of = duplicates(parsed, settings)
    due_ns = round(agreement.complaint_answer_h * HOUR_NS)
    decided = {
        c.complaint_id: _decide(c, evidence, observable, layout, settings)
        for c in parsed
        if c.complaint_id not in first_of
    }
    by_id = {c.complaint_id: c for c in parsed}
    answers = []
    for c in parsed:
        if c.complaint_id in first_of:
            head = by_id[first_of[c.complaint_id]]
            decision = _Decision(
                "duplicate",
                (),
                (),
                (duplicate_reason(c, head, decided[head.complaint_id].outcome),),
            )
        else:
            decision = decided[c.complaint_id]
        answers.append(_answer(c, decision, first_of.get(c.complaint_id), as_of_ns, due_ns))
    return ComplaintBook(
        tuple(answers), records_of(answers), as_of_ns, agreement.complaint_answer_h
    )


@dataclass(frozen=True)
class _Decision:
    outcome: str
    violation_ids: tuple[str, ...]
    incident_ids: tuple[str, ...]
    reasons: tuple[str, ...]
    observed: float | None = None


def _decide(
    c: Complaint,
    evidence: Evidence,
    observable: Observable | None,
    layout: LayoutDetection | None,
    settings: AnswerSettings,
) -> _Decision:
    matches = evidence.matches(c)
    groups: dict[str, list[Match]] = {"alleged": [], "split": [], "maybe": [], "instead": []}
    for m in matches:
        party = attributed(m.violation, settings.attribution_p)
        if m.how != "inside":
            key = "maybe" if party in (None, c.alleged_party) else ""
        else:
            key = "split" if party is None else "alleged" if party == c.alleged_party else "instead"
        if key:
            groups[key].append(m)
    alleged, split, maybe = groups["alleged"], groups["split"], groups["maybe"]
    if alleged:
        head = f"corroborated: {_count(alleged)} by {c.alleged_party} seen in the alleged place"
        return _from("corroborated", alleged, head + " and window", c, settings)
    if split:
        head = f"unverifiable: {_count(split)} seen there, but who is responsible is split"
        return _from("unverifiable", split, head, c, settings)
    if maybe:
        head = (
            f"unverifiable: no violation by {c.alleged_party} was placed inside the circle, but "
            f"{_count(maybe)} of {c.alleged_party} or of split responsibility may have hit it"
        )
        return _from("unverifiable", maybe, head, c, settings)
    share = None
    if observable is not None:
        share = float(observable(c.lon, c.lat, c.radius_m, c.t_start_ns, c.t_end_ns))
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"observable() gave {share!r} for {c.complaint_id}; give a share 0-1")
    heard = None
    if layout is not None:
        heard = layout.chance(c.category, c.lon, c.lat, c.radius_m, c.t_start_ns, c.t_end_ns)
    if heard is None:
        chance = (1.0 if share is None else share) * settings.detectable(c.category)
    else:
        chance = heard
    outcome = "contradicted" if chance >= settings.observed_enough else "unverifiable"
    if instead := groups["instead"]:
        parties = sorted({attributed(m.violation, settings.attribution_p) or "" for m in instead})
        own = ", the complaining party itself" if c.party in parties else ""
        what = f"what was seen there was done by {' and '.join(parties)}{own}"
        head = nothing_reason(c, outcome, share, settings, what, heard)
        return replace(_from(outcome, instead, head, c, settings), observed=share)
    clutter = sorted(evidence.clutter_near(c), key=_by_id)
    if clutter:
        head = nothing_reason(
            c, outcome, share, settings, "what was seen there was not a violation", heard
        )
        return _Decision(
            outcome,
            (),
            tuple(s.incident_id for s, _ in clutter),
            (head, *(clutter_reason(c, s, d) for s, d in clutter)),
            share,
        )
    head = nothing_reason(c, outcome, share, settings, heard=heard)
    return _Decision(outcome, (), (), (head,), share)


def _from(
    outcome: str, matches: list[Match], head: str, c: Complaint, settings: AnswerSettings
) -> _Decision:
    ordered = sorted(matches, key=lambda m: m.violation.violation_id)
    incidents = {m.violation.incident_id for m in ordered}
    return _Decision(
        outcome,
        tuple(m.violation.violation_id for m in ordered),
        tuple(sorted(incidents)),
        (head, *(violation_reason(c, m, settings.attribution_p) for m in ordered)),
    )


def _count(matches: list[Match]) -> str:
    return f"{len(matches)} violation{'s' if len(matches) != 1 else ''}"


def _by_id(item: tuple[Any, float]) -> str:
    return str(item[0].incident_id)


def _answer(
    c: Complaint, d: _Decision, duplicate_of: str | None, as_of_ns: int, due_ns: int
) -> ComplaintAnswer:
    t_due = c.t_submitted_ns + due_ns
    late = as_of_ns > t_due
    reasons = d.reasons + ((late_reason(as_of_ns - t_due, due_ns),) if late else ())
    return ComplaintAnswer(
        complaint_id=c.complaint_id,
        party=c.party,
        alleged_party=c.alleged_party,
        category=c.category,
        outcome=d.outcome,
        violation_ids=d.violation_ids,
        incident_ids=d.incident_ids,
        duplicate_of=duplicate_of,
        reasons=reasons,
        t_submitted_ns=c.t_submitted_ns,
        t_due_ns=t_due,
        t_answered_ns=as_of_ns,
        late=late,
        observed=d.observed,
    )


def _unique(violations: Sequence[Violation]) -> list[Violation]:
    """Each violation once, by id; the same id with other content is an error."""
    by_id: dict[str, Violation] = {}
    for v in violations:
        if not isinstance(v, Violation):
            raise InputError(
                f"a {type(v).__name__} where a Violation was expected; pass "
                "ceasewatch.adjudication.types.Violation values"
            )
        if v.violation_id in by_id and by_id[v.violation_id] != v:
            raise InputError(
                f"violation {v.violation_id}: given twice with other content; pass it once"
            )
        by_id[v.violation_id] = v
    return [by_id[k] for k in sorted(by_id)]
