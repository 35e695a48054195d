"""Reading what the scorer compares: the simulator's truth folder and a pipeline run folder.

Every file is JSON Lines (one object per line; blank lines are skipped) except
``scenario.json``. A bad line raises :class:`~ceasewatch.errors.InputError` naming
``file:line``, the problem and the fix. Unknown fields are ignored.

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
from ceasewatch.sim.base import CLUTTER

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
    number: int
    data: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.path}:{self.number}"

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
                f"{field} {ident!r} already appears on line {seen[ident].number}",
                "give every record its own id",
            )
        seen[ident] = line
    return seen


# ---------------------------------------------------------------------------------------------
# Truth


@dataclass(frozen=True)
class Happening:
    happening_id: str
    kind: str
    t_ns: int
    party: str | None
    clutter: bool
    violations: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """An observable phase of a happening: the unit that fusion should find as one event."""

    source_id: str
    happening_id: str
    phase: str
    t_origin_ns: int
    lon: float
    lat: float
    records: frozenset[RecordKey]

    @property
    def pick_count(self) -> int:
        return sum(1 for stream, _ in self.records if stream == "picks")

    @property
    def detectable(self) -> bool:
        """At least 3 picks (enough to locate by time differences), or any other record."""
        return self.pick_count >= 3 or any(stream != "picks" for stream, _ in self.records)


def parse_happening(line: Line) -> Happening:
    kind = line.text("kind")
    clutter = line.data.get("clutter")
    if clutter is not None and not isinstance(clutter, bool):
        raise line.fail(f"'clutter' must be true or false, not {clutter!r}", "fix the value")
    return Happening(
        happening_id=line.text("happening_id"),
        kind=kind,
        t_ns=line.time_ns("t"),
        party=line.optional_text("party"),
        clutter=clutter if clutter is not None else kind in CLUTTER,
        violations=line.strings("violations"),
    )


def parse_source(line: Line, happenings: dict[str, Happening]) -> Source:
    happening_id = line.text("happening_id")
    if happening_id not in happenings:
        raise line.fail(
            f"happening {happening_id!r} is not in happenings.jsonl",
            "the truth folder is incomplete; rerun the simulator",
        )
    records = line.data.get("records")
    if not isinstance(records, dict):
        raise line.fail(
            "missing or malformed field 'records'",
            'write {"picks": [...], "tracks": [...], ...} with record ids',
        )
    keys: set[RecordKey] = set()
    for stream, ids in records.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise line.fail(f"records.{stream} must be a list of record ids", "fix the value")
        keys.update((stream_name(stream), ident) for ident in ids)
    lon, lat = line.position("position")
    return Source(
        source_id=line.text("source_id"),
        happening_id=happening_id,
        phase=line.text("phase"),
        t_origin_ns=line.time_ns("t_origin"),
        lon=lon,
        lat=lat,
        records=frozenset(keys),
    )


def parse_false_alarm(line: Line) -> RecordKey:
    return stream_name(line.text("stream")), line.text("record_id")


# ---------------------------------------------------------------------------------------------
# Run


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
    inner = Line(line.path, line.number, raw)
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
    )
