"""``ceasewatch score``: a pipeline run against the simulator's ground truth.

:func:`score` is pure apart from reading the two folders: it returns a :class:`ScoreReport` of
frozen dataclasses; :func:`write_score` writes ``score.json``, ``matches.jsonl`` (the outcome of
every truth source and run event) and two plots; :func:`run_score` is what the command calls.
The metrics are defined in docs/scoring.md and in the modules that compute them:

- events (association, precision, recall, F1) — :mod:`~ceasewatch.sim.scoring.match`
- location error, ellipse honesty, origin-time error — :mod:`~ceasewatch.sim.scoring.location`
- violations by rule, clutter called a violation — :mod:`~ceasewatch.sim.scoring.violations`
- attribution accuracy and calibration (ECE) — :mod:`~ceasewatch.sim.scoring.attribution`
- coverage error, time to alert — :mod:`~ceasewatch.sim.scoring.coverage`
- answers to the parties' complaints — :mod:`~ceasewatch.sim.scoring.complaints`

A section that cannot be scored (the run has no such file) is a :class:`NotAvailable` with the
reason, never an error; a malformed line in either folder is an ``InputError`` at ``file:line``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceasewatch.agreement.catalog import resolve
from ceasewatch.agreement.types import Agreement
from ceasewatch.sim.scoring.attribution import AttributionScore, score_attribution
from ceasewatch.sim.scoring.complaints import ANSWERS_FILE, ComplaintScore, score_complaint_files
from ceasewatch.sim.scoring.coverage import AlertScore, CoverageScore, score_alerts, score_coverage
from ceasewatch.sim.scoring.line import AlongLine, LineAxis
from ceasewatch.sim.scoring.location import LocationScore, offsets_en_m, score_location
from ceasewatch.sim.scoring.match import (
    MATCH_FRACTION,
    EventMatching,
    EventScore,
    false_positive_cause,
    match_events,
    score_events,
)
from ceasewatch.sim.scoring.report import DETAIL, NotAvailable, plain, section
from ceasewatch.sim.scoring.run import RUN_FILES, Run, load_run
from ceasewatch.sim.scoring.summary import summary
from ceasewatch.sim.scoring.truth import Source, Truth, load_truth
from ceasewatch.sim.scoring.violations import ViolationScore, score_violations

FORMAT = "ceasewatch-score/1"
SECTIONS = ("events", "location", "violations", "attribution", "coverage", "alerts", "complaints")


@dataclass(frozen=True)
class Inputs:
    truth_dir: str
    run_dir: str
    scenario: str | None
    seed: int | None
    hours: float | None
    agreement: str
    agreement_digest_matches: bool | None  # None when scenario.json names no digest
    run_files: dict[str, bool]
    truth_missing: tuple[str, ...]
    happenings: int
    clutter_happenings: int
    false_alarm_records: int
    complaints_by_truth: dict[str, int]


@dataclass(frozen=True)
class ScoreReport:
    inputs: Inputs
    events: EventScore | NotAvailable
    location: LocationScore | NotAvailable
    violations: ViolationScore | NotAvailable
    attribution: AttributionScore | NotAvailable
    coverage: CoverageScore | NotAvailable
    alerts: AlertScore | NotAvailable
    complaints: ComplaintScore | NotAvailable
    along_line: AlongLine | None = field(default=None, metadata=DETAIL, repr=False)
    outcomes: tuple[dict[str, Any], ...] = field(default=(), metadata=DETAIL, repr=False)

    @property
    def not_available(self) -> dict[str, str]:
        """Each section that could not be scored, with the reason."""
        return {
            name: value.reason
            for name in SECTIONS
            if isinstance(value := getattr(self, name), NotAvailable)
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "inputs": plain(self.inputs),
            "not_available": self.not_available,
            **{name: section(getattr(self, name)) for name in SECTIONS},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def score(
    truth_dir: Path,
    run_dir: Path,
    *,
    agreement: Agreement | None = None,
    match_fraction: float = MATCH_FRACTION,
) -> ScoreReport:
    """Score the run in ``run_dir`` against the truth in ``truth_dir`` (see the module doc).

    ``agreement`` places sensors in sectors and errors along the line; by default the one named
    in the truth's ``scenario.json`` (``ua-2026`` when it names none).
    """
    if not 0.0 < match_fraction <= 1.0:
        raise ValueError("match_fraction must lie in (0, 1]")
    truth = load_truth(Path(truth_dir))
    run = load_run(Path(run_dir))
    agreement = agreement or agreement_of(truth)
    inputs = _inputs(truth, run, agreement)
    coverage = score_coverage(truth.coverage, run.coverage, truth.sensors, agreement)
    complaints = score_complaint_files(truth.folder, run.folder)
    if run.events is None:
        missing = NotAvailable("the run has no events.jsonl")
        unlinked = NotAvailable("the run has no events.jsonl to link violations to the truth")
        no_violations = unlinked if run.violations is not None else _no("violations")
        no_alerts = _no("alerts") if run.alerts is None else no_violations
        return ScoreReport(
            inputs, missing, missing, no_violations, no_violations, coverage, no_alerts, complaints
        )
    matching = match_events(run.events, _event_sources(truth.sources), match_fraction)
    events = score_events(matching, truth.happenings, truth.false_alarms, match_fraction)
    violations: ViolationScore | NotAvailable = _no("violations")
    attribution: AttributionScore | NotAvailable = _no("violations")
    alerts: AlertScore | NotAvailable = _no("alerts")
    if run.violations is not None:
        violations = score_violations(run.violations, matching, truth.happenings, truth.sources)
        attribution = score_attribution(violations.matched)
        alerts = score_alerts(run.alerts, violations.matched)
    elif run.alerts is not None:
        alerts = NotAvailable("the run has alerts.jsonl but no violations.jsonl")
    return ScoreReport(
        inputs,
        events,
        score_location(matching.true_positives),
        violations,
        attribution,
        coverage,
        alerts,
        complaints,
        along_line=_along_line(matching, agreement),
        outcomes=_outcomes(matching, truth),
    )


def agreement_of(truth: Truth) -> Agreement:
    """The agreement named in ``scenario.json`` (``{"agreement": {"id", "version"}}`` or a
    reference string), or the default agreement."""
    named = truth.scenario.get("agreement")
    if isinstance(named, dict):
        ident, version = named.get("id"), named.get("version")
        return resolve(f"{ident}@{version}" if ident and version else ident)
    return resolve(named if isinstance(named, str) else None)


def _no(what: str) -> NotAvailable:
    return NotAvailable(f"the run has no {what}.jsonl")


def _inputs(truth: Truth, run: Run, agreement: Agreement) -> Inputs:
    scenario = truth.scenario
    named = scenario.get("agreement")
    digest = named.get("digest") if isinstance(named, dict) else None
    seed, hours = scenario.get("seed"), scenario.get("hours")
    return Inputs(
        truth_dir=str(truth.folder),
        run_dir=str(run.folder),
        scenario=str(scenario["scenario"]) if "scenario" in scenario else None,
        seed=seed if isinstance(seed, int) else None,
        hours=float(hours) if isinstance(hours, int | float) else None,
        agreement=agreement.label,
        agreement_digest_matches=None if digest is None else digest == agreement.digest,
        run_files={name: (run.folder / name).is_file() for name in (*RUN_FILES, ANSWERS_FILE)},
        truth_missing=truth.missing,
        happenings=len(truth.happenings),
        clutter_happenings=sum(1 for h in truth.happenings.values() if h.clutter),
        false_alarm_records=len(truth.false_alarms),
        complaints_by_truth=truth.complaints,
    )


def _along_line(matching: EventMatching, agreement: Agreement) -> AlongLine | None:
    if not agreement.lines:
        return None
    axis = LineAxis(agreement)
    found = matching.true_positives
    _, _, error = offsets_en_m(found)
    missed = matching.missed_sources()
    return AlongLine(
        line_id=axis.line_id,
        line_name=axis.line_name,
        start=axis.start,
        length_km=axis.length_km,
        found_km=tuple(axis.km([p.source.lon for p in found], [p.source.lat for p in found])),
        found_error_m=tuple(float(e) for e in error),
        missed_km=tuple(axis.km([s.lon for s in missed], [s.lat for s in missed])),
        missed_detectable=tuple(s.detectable for s in missed),
        sectors=axis.sector_spans(),
    )


def _outcomes(matching: EventMatching, truth: Truth) -> tuple[dict[str, Any], ...]:
    """One row per truth source and per false-positive event, for ``matches.jsonl``."""
    truth_records = {r for s in truth.sources for r in s.records}
    rows: list[dict[str, Any]] = []
    by_source = {p.source.source_id: p for p in matching.pairs}
    for source in sorted(truth.sources, key=lambda s: s.source_id):
        pair = by_source.get(source.source_id)
        rows.append(
            {
                "source_id": source.source_id,
                "outcome": "tp" if pair and pair.true_positive else "fn",
                "event_id": pair.event.event_id if pair else None,
                "shared_records": pair.shared if pair else 0,
                "source_records": len(source.records),
                "event_records": len(pair.event.records) if pair else None,
                "detectable": source.detectable,
            }
        )
    for event in sorted(matching.false_events(), key=lambda e: e.event_id):
        cause = false_positive_cause(event, truth_records, truth.false_alarms)
        rows.append({"event_id": event.event_id, "outcome": "fp", "cause": cause})
    return tuple(rows)


def write_score(report: ScoreReport, out_dir: Path) -> Path:
    """Write ``score.json``, ``matches.jsonl``, ``calibration.png`` and
    ``errors_along_line.png`` into ``out_dir`` (created if needed); return the JSON's path."""
    from ceasewatch.sim.scoring.plots import calibration_figure, errors_figure, save

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "score.json"
    path.write_text(report.to_json(), encoding="utf-8")
    (out / "matches.jsonl").write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in report.outcomes),
        encoding="utf-8",
    )
    save(calibration_figure(report.attribution), out / "calibration.png")
    save(
        errors_figure(report.along_line, report.location, report.inputs.agreement),
        out / "errors_along_line.png",
    )
    return path


def run_score(
    truth_dir: Path, run_dir: Path, out_dir: Path, *, agreement: Agreement | None = None
) -> tuple[str, Path]:
    """What ``ceasewatch score`` does: score, write, and return a short summary and the path."""
    report = score(Path(truth_dir), Path(run_dir), agreement=agreement)
    path = write_score(report, Path(out_dir))
    return summary(report) + f"\nwrote {path} and its plots in {path.parent}", path


def _event_sources(sources: Sequence[Source]) -> list[Source]:
    """The sources fusion should find as events: not those known only from the sensors' status
    reports (a jamming is read from interference logs, not heard or seen)."""
    return [s for s in sources if not s.records or any(k != "status" for k, _ in s.records)]
