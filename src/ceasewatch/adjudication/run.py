"""One adjudication run over fused incidents and the records they rest on, and the files it
writes — the function behind ``ceasewatch adjudicate``, ``ceasewatch replay`` and the demo.

A run decides the violations (:mod:`.adjudicate`), works out from the sensors' status reports what
could have been seen (:mod:`.coverage_line`, when ``status`` records and the sensor registry are
given), answers the parties' complaints with that coverage (:mod:`.complaints`), evaluates the
escalation ladder (:mod:`.escalation`) and counts violations by sector beside the coverage they
were counted under (:mod:`.sectors`). Everything is a function of its inputs and ``as_of_ns``.

Files (in the run folder, beside the fusion's ``events.jsonl`` so ``ceasewatch score`` reads
both): ``violations.jsonl`` (FORMATS.md), ``indeterminate.jsonl`` (verdicts below the
violation threshold, with their reasons), ``complaint-answers.jsonl`` and
``complaint-records.json`` (each party's record), ``escalation.jsonl``, ``sectors.jsonl``,
``coverage.jsonl``, ``coverage-sectors.jsonl`` and ``coverage-line.jsonl``,
``report-checks.jsonl`` (open-source reports as distinct events, each checked against the
incidents: :mod:`.open_reports`), ``acled.csv`` and
``ucdp-ged.csv``, ``violations.geojson``, ``incidents.geojson`` and ``violations.csv`` (maps and
spreadsheets: :mod:`.geojson_export`), ``verdicts.json`` (the digest of the canonical verdict
set, what it was computed from, and the counts) and ``verdict-set.json`` (the canonical bytes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from ceasewatch.adjudication.adjudicate import Adjudication, Settings, adjudicate
from ceasewatch.adjudication.complaints import ComplaintBook, answer_complaints
from ceasewatch.adjudication.coverage import HOUR_NS
from ceasewatch.adjudication.coverage_inputs import registry_sensors
from ceasewatch.adjudication.coverage_line import Coverage, write_coverage
from ceasewatch.adjudication.escalation import EscalationBook, escalation_state
from ceasewatch.adjudication.exports import (
    ACLED_COLUMNS,
    UCDP_COLUMNS,
    acled_rows,
    ucdp_rows,
    write_csv,
)
from ceasewatch.adjudication.geojson_export import write_map_exports
from ceasewatch.adjudication.interference import interference_verdicts
from ceasewatch.adjudication.line_crossing import line_change_verdicts
from ceasewatch.adjudication.open_reports import ReportChecks, check_open_reports
from ceasewatch.adjudication.review import settled_times
from ceasewatch.adjudication.review_state import Review
from ceasewatch.adjudication.sectors import line_observable, sector_counts, sector_text
from ceasewatch.adjudication.types import Violation
from ceasewatch.adjudication.verdicts import VerdictSet, counts, verdict_set
from ceasewatch.agreement.locate import Locator
from ceasewatch.agreement.types import Agreement
from ceasewatch.evidence.durable import write_durably
from ceasewatch.fusion.files import write_jsonl
from ceasewatch.model.places import Gazetteer
from ceasewatch.model.time import format_ns, parse_ns

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Verdicts:
    """Everything one run decided, and what it was computed from."""

    adjudication: Adjudication
    verdicts: VerdictSet
    as_of_ns: int
    inputs: dict[str, Any] = field(default_factory=dict)
    complaints: ComplaintBook | None = None
    coverage: Coverage | None = None
    escalation: EscalationBook | None = None
    incidents: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)
    agreement: Agreement | None = field(default=None, repr=False)
    report_checks: ReportChecks | None = None  # open-source reports: beside, not in, the digest

    def sectors(self) -> list[dict[str, Any]]:
        """Violations by sector, each with the coverage it was counted under."""
        return [dict(row) for row in self._sector_rows]

    @cached_property
    def _sector_rows(self) -> tuple[dict[str, Any], ...]:  # computed once: it samples the line
        if self.agreement is None:
            return ()
        return tuple(sector_counts(self.adjudication.violations, self.agreement, self.coverage))

    @cached_property
    def _line_share(self) -> float | None:
        return line_observable(self.coverage)

    def summary(self) -> dict[str, Any]:
        violations = [v.to_json() for v in self.adjudication.violations]
        book = self.complaints
        return {
            "digest": self.verdicts.digest,
            "as_of": format_ns(self.as_of_ns, 6),
            "inputs": self.inputs,
            "incidents": self.adjudication.incidents,
            "clutter_incidents": self.adjudication.clutter,
            "violations": len(violations),
            "indeterminate": len(self.adjudication.indeterminate),
            "counts": counts(violations),
            "complaints": None if book is None else {
                "answered": len(book.answers),
                "outcomes": _outcomes(book),
                "late": sum(a.late for a in book.answers),
                "parties": {r.party: r.to_json() for r in book.records},
            },
            "escalation": None if self.escalation is None else {
                "clusters": len(self.escalation.clusters),
                "open": len(self.escalation.open_clusters()),
                "escalated": sum(c.escalated for c in self.escalation.clusters),
            },
            "coverage": None if self.coverage is None else {
                "from": format_ns(self.coverage.start_ns, 0),
                "to": format_ns(self.coverage.end_ns, 0),
                "sensors": len(self.coverage.lines),
                "line_observable": self._line_share,
                "status_records_ignored": self.coverage.ignored,
            },
            "open_reports": None if self.report_checks is None else {
                "reports": self.report_checks.reports,
                "events": len(self.report_checks.events),
                **self.report_checks.counts(),
            },
        }  # fmt: skip

    def text(self) -> str:
        s = self.summary()
        by = s["counts"]
        lines = [
            f"adjudication under {self.adjudication.agreement[0]} "
            f"v{self.adjudication.agreement[1]}, as of {s['as_of']}",
            f"  incidents: {s['incidents']:,} ({s['clutter_incidents']:,} clutter)",
            f"  violations: {s['violations']:,}, indeterminate: {s['indeterminate']:,}"
            + _under(s["coverage"]),
            "  by rule: " + _join(by["rule"]),
            "  most likely responsible: " + _join(by["party"]),
            "  by category: " + _join(by["category"]),
        ]
        lines.append("  by sector, with what could be observed:")
        lines += sector_text(self.sectors())
        if self.coverage is None:
            lines.append("  coverage: unknown (no status records and sensor registry given)")
        if s["complaints"] is not None:
            c = s["complaints"]
            lines.append(f"  complaints: {c['answered']:,} answered — {_join(c['outcomes'])}"
                         f"; {c['late']:,} late")  # fmt: skip
            for party, record in c["parties"].items():
                share = record["accurate_share"]
                shown = "n/a" if share is None else f"{share:.2f}"
                lines.append(f"    {party}: {record['submitted']:,} submitted, accurate share "
                             f"{shown}")  # fmt: skip
        if s["escalation"] is not None:
            e = s["escalation"]
            lines.append(f"  escalation: {e['clusters']:,} clusters, {e['open']:,} open, "
                         f"{e['escalated']:,} escalated")  # fmt: skip
        if self.report_checks is not None:
            lines.append(f"  {self.report_checks.text()}")
        lines.append(f"  verdict set: {s['digest']}")
        return "\n".join(lines)


def latest_time_ns(
    incidents: Sequence[Mapping[str, Any]], complaints: Sequence[Mapping[str, Any]] = ()
) -> int:
    """The default as-of time: the latest time any input states (not when it was received, so
    that the same evidence in another order gives the same verdicts)."""
    times = [parse_ns(str(i["t_end"]), where="incident t_end") for i in incidents]
    times += [parse_ns(str(c["t_submitted"]), where="complaint t_submitted") for c in complaints
              if "t_submitted" in c]  # fmt: skip
    return max(times, default=0)


def coverage_window(
    incidents: Sequence[Mapping[str, Any]], status: Sequence[Mapping[str, Any]], as_of_ns: int
) -> tuple[int, int]:
    """Whole hours from the earliest to the latest time the incidents or status reports state
    (a status report's ``t_end``: its ``t_start`` may be a sensor's start weeks before), and not
    past ``as_of_ns``. Not up to ``as_of_ns`` itself: complaints come in days later, and the
    hours after the last report would read as every sensor silent."""
    times = [parse_ns(str(i["t_start"]), where="incident t_start") for i in incidents]
    times += [parse_ns(str(i["t_end"]), where="incident t_end") for i in incidents]
    times += [parse_ns(str(r["t_end"]), where="status t_end") for r in status if "t_end" in r]
    first, last = min(times, default=as_of_ns), max(times, default=as_of_ns)
    start = first // HOUR_NS * HOUR_NS
    end = -(-min(last, as_of_ns) // HOUR_NS) * HOUR_NS
    return start, max(start + HOUR_NS, end)


def run_adjudication(
    incidents: Sequence[Mapping[str, Any]],
    agreement: Agreement,
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    as_of_ns: int | None = None,
    locator: Locator | None = None,
    settings: Settings | None = None,
    inputs: Mapping[str, Any] | None = None,
    sensors: Sequence[Mapping[str, Any]] | None = None,
    reviews: Sequence[Review] = (),
    progress: Progress | None = None,
    line_changes: Sequence[Mapping[str, Any]] = (),
    open_reports: Sequence[Mapping[str, Any]] = (),
) -> Verdicts:
    """Adjudicate ``incidents`` with the ``records`` of each stream they rest on
    (``detections``, ``tracks``, ``complaints``; ``status`` with the ``sensors`` registry's
    features for coverage). ``reviews``: the analysts' review entries of the log; a violation
    whose human status they settle counts as answered on the escalation ladder from then.
    ``line_changes``: ground that changed hands between two control maps (``ceasewatch line
    diff --json``), judged under the rules that forbid crossing (:mod:`.line_crossing`).
    ``open_reports``: news-event reports, checked against the incidents beside the verdicts
    (:mod:`.open_reports`)."""
    say = progress or (lambda _m: None)
    say("deciding violations")
    settings = settings or Settings()
    locator = locator or Locator(agreement, Gazetteer.default())
    result = adjudicate(incidents, agreement, records=records, locator=locator, settings=settings)
    complaints = records.get("complaints", ())
    as_of = as_of_ns if as_of_ns is not None else latest_time_ns(incidents, complaints)
    coverage = None
    status = records.get("status", ())
    if status and sensors:
        say(f"coverage from {len(status):,} status reports")
        registry = registry_sensors(sensors)
        start, end = coverage_window(incidents, status, as_of)
        coverage = Coverage.from_status(status, registry, agreement, start, end)
        jammed = interference_verdicts(status, registry, agreement, locator)
        result = _with(result, [v for v in jammed if v.t_ns <= as_of], settings)
    if line_changes:
        say(f"{len(line_changes):,} changes of the line of control")
        crossed = line_change_verdicts(line_changes, agreement)
        result = _with(result, [v for v in crossed if v.t_ns <= as_of], settings)
    book = None
    if complaints:
        say(f"answering {len(complaints):,} complaints")
        book = answer_complaints(
            complaints,
            result.violations,
            incidents,
            agreement,
            as_of_ns=as_of,
            observable=None if coverage is None else coverage.observable,
            coverage=coverage,
        )
    checks = None
    reported = [r for r in open_reports if parse_ns(str(r["t_start"])) <= as_of]
    if reported:
        say(f"checking {len(reported):,} open-source reports against the incidents")
        places = locator.gazetteer or Gazetteer.default()
        checks = check_open_reports(reported, incidents, coverage, places)
    say("escalation ladder")
    answered = settled_times(reviews, result.violations) if reviews else None
    ladder = escalation_state(result.violations, agreement, as_of_ns=as_of, answered=answered)
    verdicts = verdict_set(
        result.agreement,
        (v.to_json() for v in result.violations),
        (v.to_json() for v in result.indeterminate),
        None if book is None else (a.to_json() for a in book.answers),
    )
    return Verdicts(
        result,
        verdicts,
        as_of,
        dict(inputs or {}),
        book,
        coverage,
        ladder,
        tuple(incidents),
        agreement,
        checks,
    )


def write_verdicts(result: Verdicts, out: Path) -> tuple[Path, ...]:
    """Write the run's files (see the module) into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    agreement = result.adjudication.agreement
    violations = [v.to_json() for v in result.adjudication.violations]
    written = [out / "violations.jsonl", out / "indeterminate.jsonl"]
    write_jsonl(written[0], violations)
    write_jsonl(written[1], (v.to_json() for v in result.adjudication.indeterminate))
    if result.complaints is not None:
        book = result.complaints.to_json()
        write_jsonl(out / "complaint-answers.jsonl", book.pop("answers"))
        _write_json(out / "complaint-records.json", book)
        written += [out / "complaint-answers.jsonl", out / "complaint-records.json"]
    if result.escalation is not None:
        write_jsonl(out / "escalation.jsonl", result.escalation.to_json())
        written.append(out / "escalation.jsonl")
    if result.coverage is not None:
        written += write_coverage(out, result.coverage)
    if result.report_checks is not None:
        write_jsonl(out / "report-checks.jsonl", result.report_checks.rows())
        written.append(out / "report-checks.jsonl")
    if result.agreement is not None:
        law = result.agreement
        write_jsonl(out / "sectors.jsonl", result.sectors())
        by_id = {str(i["incident_id"]): i for i in result.incidents}
        write_csv(acled_rows(violations, law, incidents=by_id), out / "acled.csv", ACLED_COLUMNS)
        write_csv(ucdp_rows(violations, law, incidents=by_id), out / "ucdp-ged.csv", UCDP_COLUMNS)
        written += [out / "sectors.jsonl", out / "acled.csv", out / "ucdp-ged.csv"]
    written += write_map_exports(out, violations, result.incidents, result.agreement)
    _write_json(out / "verdicts.json", {**result.summary(), "agreement": list(agreement)})
    write_durably(out / "verdict-set.json", result.verdicts.bytes)
    written += [out / "verdicts.json", out / "verdict-set.json"]
    return tuple(written)


def _with(result: Adjudication, more: Sequence[Violation], settings: Settings) -> Adjudication:
    """``result`` with more verdicts, split at the violation threshold and kept in order."""
    if not more:
        return result
    keep = [v for v in more if v.p_occurred >= settings.min_p_indeterminate]
    order = lambda v: (v.t_ns, v.violation_id)  # noqa: E731
    return replace(
        result,
        violations=tuple(sorted([*result.violations, *(v for v in keep
                                 if v.p_occurred >= settings.min_p_occurred)], key=order)),
        indeterminate=tuple(sorted([*result.indeterminate, *(v for v in keep
                                    if v.p_occurred < settings.min_p_occurred)], key=order)),
    )  # fmt: skip


def _write_json(path: Path, body: Mapping[str, Any]) -> None:
    write_durably(path, (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode())


def _under(coverage: Mapping[str, Any] | None) -> str:
    if coverage is None or coverage["line_observable"] is None:
        return " (coverage unknown)"
    return f" (the line {coverage['line_observable']:.0%} observable)"


def _outcomes(book: ComplaintBook) -> dict[str, int]:
    found: dict[str, int] = {}
    for answer in book.answers:
        found[answer.outcome] = found.get(answer.outcome, 0) + 1
    return dict(sorted(found.items()))


def _join(counted: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {n:,}" for k, n in counted.items()) or "none"
