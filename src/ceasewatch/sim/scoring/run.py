"""A pipeline run folder, as the scorer needs it: ``events.jsonl`` and ``violations.jsonl``
(FORMATS.md), and where present ``coverage.jsonl`` (the truth's shape) and ``alerts.jsonl``
(``violation_id``, ``t_alert``). Any of them may be missing; the report then says so."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ceasewatch.errors import InputError
from ceasewatch.sim.scoring.io import EVENT_RECORD_FIELDS, Line, RecordKey, read_jsonl, unique
from ceasewatch.sim.scoring.truth import CoverageRow, read_coverage

RUN_FILES = ("events.jsonl", "violations.jsonl", "coverage.jsonl", "alerts.jsonl")


@dataclass(frozen=True)
class Ellipse:
    semi_major_m: float
    semi_minor_m: float
    azimuth_deg: float
    p: float


@dataclass(frozen=True)
class Event:
    event_id: str
    kind: str
    t_origin_ns: int
    lon: float
    lat: float
    ellipse: Ellipse | None
    records: frozenset[RecordKey]


@dataclass(frozen=True)
class Violation:
    violation_id: str
    rule_id: str
    event_ids: tuple[str, ...]
    responsible: tuple[tuple[str, float], ...]  # (party, probability), as written
    status: str
    records: tuple[RecordKey, ...] = ()  # "stream:id" entries of its optional ``evidence``


@dataclass(frozen=True)
class Alert:
    violation_id: str
    t_alert_ns: int


@dataclass(frozen=True)
class Run:
    folder: Path
    events: tuple[Event, ...] | None
    violations: tuple[Violation, ...] | None
    coverage: tuple[CoverageRow, ...] | None
    alerts: tuple[Alert, ...] | None


def load_run(folder: Path) -> Run:
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder; give the folder a pipeline run wrote")
    events = violations = alerts = None
    if (folder / "events.jsonl").is_file():
        events = tuple(
            parse_event(line)
            for line in unique(read_jsonl(folder / "events.jsonl"), "event_id").values()
        )
    if (folder / "violations.jsonl").is_file():
        violations = tuple(
            parse_violation(line)
            for line in unique(read_jsonl(folder / "violations.jsonl"), "violation_id").values()
        )
    coverage = (
        read_coverage(folder / "coverage.jsonl") if (folder / "coverage.jsonl").is_file() else None
    )
    if (folder / "alerts.jsonl").is_file():
        alerts = tuple(
            Alert(line.text("violation_id"), line.time_ns("t_alert"))
            for line in read_jsonl(folder / "alerts.jsonl")
        )
    return Run(folder, events, violations, coverage, alerts)


def parse_event(line: Line) -> Event:
    keys: set[RecordKey] = set()
    for field, stream in EVENT_RECORD_FIELDS:
        keys.update((stream, ident) for ident in line.strings(field))
    lon, lat = line.position("position")
    return Event(
        event_id=line.text("event_id"),
        kind=line.text("kind", "unknown"),
        t_origin_ns=line.time_ns("t_origin"),
        lon=lon,
        lat=lat,
        ellipse=_ellipse(line) if line.has("ellipse") else None,
        records=frozenset(keys),
    )


def _ellipse(line: Line) -> Ellipse:
    raw = line.data["ellipse"]
    if not isinstance(raw, dict):
        raise line.fail("'ellipse' must be an object", "write semi_major_m, semi_minor_m, …")
    inner = Line(line.path, line.lineno, raw)
    ellipse = Ellipse(
        inner.number("semi_major_m"),
        inner.number("semi_minor_m"),
        inner.number("azimuth_deg", 0.0),
        inner.number("p"),
    )
    if not 0.0 < ellipse.p < 1.0 or min(ellipse.semi_major_m, ellipse.semi_minor_m) < 0:
        raise line.fail(
            f"ellipse {raw!r} is impossible",
            "semi-axes are metres >= 0 and p lies strictly between 0 and 1",
        )
    return ellipse


def parse_violation(line: Line) -> Violation:
    responsible = line.data.get("responsible") or {}
    ok = isinstance(responsible, dict) and all(
        isinstance(p, int | float) and not isinstance(p, bool) and 0 <= p <= 1
        for p in responsible.values()
    )
    if not ok:
        raise line.fail(
            f"'responsible' must map parties to probabilities in [0, 1], not {responsible!r}",
            'write e.g. {"RU": 0.94, "UA": 0.05, "unknown": 0.01}',
        )
    return Violation(
        violation_id=line.text("violation_id"),
        rule_id=line.text("rule_id"),
        event_ids=line.strings("event_ids"),
        responsible=tuple((party, float(p)) for party, p in responsible.items()),
        status=line.text("status", "auto"),
        records=tuple(
            (stream, rid)
            for stream, _, rid in (ref.partition(":") for ref in line.strings("evidence"))
            if stream and rid and stream != "events"
        ),
    )
