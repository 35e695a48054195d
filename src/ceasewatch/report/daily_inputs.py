"""Reading an adjudication folder for a report: the files ``ceasewatch adjudicate`` writes
(docs/adjudication.md), as plain rows.

Only this module touches the disk; :func:`ceasewatch.report.daily_record.build_record` is pure
over what it returns. A missing optional file reads as "not given" (``None``), never as an empty
day: a report without ``sectors.jsonl`` says coverage is unknown, one without
``coverage-line.jsonl`` draws the line without its coverage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceasewatch.errors import InputError
from ceasewatch.fusion.files import read_jsonl

Row = dict[str, Any]


@dataclass(frozen=True)
class AdjudicationFiles:
    """The rows of one adjudication folder."""

    folder: str
    violations: tuple[Row, ...]
    indeterminate: tuple[Row, ...] | None = None
    sectors: tuple[Row, ...] | None = None
    complaint_answers: tuple[Row, ...] | None = None
    complaint_records: Row | None = None
    escalation: tuple[Row, ...] | None = None
    verdicts: Row | None = None
    coverage_line: tuple[Row, ...] | None = None  # stretch-hours of the main line
    report_checks: tuple[Row, ...] | None = None  # open-source reports checked by the sensors


def read_adjudication(folder: Path) -> AdjudicationFiles:
    """Read ``folder``; ``violations.jsonl`` must be there, the rest may be missing."""
    folder = Path(folder)
    if not (folder / "violations.jsonl").is_file():
        raise InputError(
            f"{folder}: no violations.jsonl here; give the folder ceasewatch adjudicate wrote "
            "(with --state DIR it is DIR/adjudication)"
        )
    return AdjudicationFiles(
        folder=str(folder),
        violations=_jsonl(folder / "violations.jsonl") or (),
        indeterminate=_jsonl(folder / "indeterminate.jsonl"),
        sectors=_jsonl(folder / "sectors.jsonl"),
        complaint_answers=_jsonl(folder / "complaint-answers.jsonl"),
        complaint_records=_json(folder / "complaint-records.json"),
        escalation=_jsonl(folder / "escalation.jsonl"),
        verdicts=_json(folder / "verdicts.json"),
        coverage_line=_jsonl(folder / "coverage-line.jsonl"),
        report_checks=_jsonl(folder / "report-checks.jsonl"),
    )


def _jsonl(path: Path) -> tuple[Row, ...] | None:
    if not path.is_file():
        return None
    return tuple(read_jsonl(path, fix="rerun ceasewatch adjudicate"))


def _json(path: Path) -> Row | None:
    if not path.is_file():
        return None
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON ({exc.msg}); rerun ceasewatch adjudicate") from exc
    if not isinstance(body, dict):
        raise InputError(f"{path}: expected a JSON object")
    return body
