"""Reading JSON Lines for the scorer: each line checked, each problem located at ``file:line``.

Blank lines are skipped; unknown fields are ignored. A bad line raises
:class:`~ceasewatch.errors.InputError` naming ``file:line``, the problem and the fix.

Observation records are keyed ``(stream, record id)`` — the stream names of the truth
(``picks``, ``tracks``, ``detections``, ``firms``, ``reports``) — so ids of different streams
never collide. Run events name their records in ``pick_ids``, ``track_ids``, ``detection_ids``,
``report_ids`` (FORMATS.md) and, where a run names FIRMS rows as the truth does
(``firms.csv:<row>``), ``firms_ids``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceasewatch.errors import InputError
from ceasewatch.model.time import parse_ns

RecordKey = tuple[str, str]
"""(stream, record id), e.g. ("picks", "A017-000912")."""

EVENT_RECORD_FIELDS = (
    ("pick_ids", "picks"),
    ("track_ids", "tracks"),
    ("detection_ids", "detections"),
    ("firms_ids", "firms"),
    ("report_ids", "reports"),
)
_STREAM_NAMES = {
    "pick": "picks",
    "track": "tracks",
    "detection": "detections",
    "report": "reports",
    "complaint": "complaints",
    "notification": "notifications",
}


def stream_name(text: str) -> str:
    """``picks.jsonl``, ``pick`` and ``picks`` all name the stream ``picks``."""
    base = text.strip().lower().rsplit("/", 1)[-1]
    for suffix in (".jsonl", ".csv", ".json"):
        base = base.removesuffix(suffix)
    return _STREAM_NAMES.get(base, base)


@dataclass(frozen=True)
class Line:
    """One parsed line of a JSON Lines file, with where it came from (for messages)."""

    path: Path
    lineno: int
    data: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.path}:{self.lineno}"

    def fail(self, problem: str, fix: str) -> InputError:
        return InputError(f"{self.where}: {problem}; {fix}")

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def text(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name, default)
        if value is None:
            raise self.fail(f"missing required field {name!r}", f"add {name!r} (a string)")
        if not isinstance(value, str) or not value:
            raise self.fail(f"{name!r} must be a non-empty string, not {value!r}", "fix the value")
        return value

    def optional_text(self, name: str) -> str | None:
        return self.text(name) if self.has(name) else None

    def number(self, name: str, default: float | None = None) -> float:
        value = self.data.get(name, default)
        if value is None:
            raise self.fail(f"missing required field {name!r}", f"add {name!r} (a number)")
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise self.fail(f"{name!r} must be a number, not {value!r}", "fix the value")
        return float(value)

    def time_ns(self, name: str) -> int:
        return parse_ns(self.text(name), where=f"{self.where}: {name!r}")

    def position(self, name: str = "position") -> tuple[float, float]:
        value = self.data.get(name)
        if value is None:
            raise self.fail(f"missing required field {name!r}", "add [lon, lat] in degrees")
        ok = isinstance(value, list) and len(value) in (2, 3)
        ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        if not ok or not (-180 <= value[0] <= 180 and -90 <= value[1] <= 90):
            raise self.fail(
                f"{name!r} must be [lon, lat] in degrees, not {value!r}",
                "write longitude first, then latitude",
            )
        return float(value[0]), float(value[1])

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name, [])
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{name!r} must be a list of strings, not {value!r}", "fix the value")
        return tuple(value)


def read_jsonl(path: Path) -> list[Line]:
    """Every object of a JSON Lines file; a line that is not a JSON object is an error."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason}); save it as UTF-8") from exc
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                "write one JSON object per line"
            ) from exc
        if not isinstance(data, dict):
            raise InputError(
                f"{path}:{number}: a {type(data).__name__} where an object was expected; "
                "write one JSON object per line"
            )
        lines.append(Line(path, number, data))
    return lines


def read_json_object(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); fix the file or rerun the simulator"
        ) from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object; fix the file or rerun the simulator")
    return data


def unique(lines: list[Line], field: str) -> dict[str, Line]:
    """Lines by their id field; the same id on two lines is an error."""
    seen: dict[str, Line] = {}
    for line in lines:
        ident = line.text(field)
        if ident in seen:
            raise line.fail(
                f"{field} {ident!r} already appears on line {seen[ident].lineno}",
                "give every record its own id",
            )
        seen[ident] = line
    return seen
