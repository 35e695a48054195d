"""The simulator's truth folder, as the scorer needs it (docs/simulation.md, "The truth").

``happenings.jsonl`` and ``sources.jsonl`` are required; ``scenario.json``,
``false_alarms.jsonl``, ``complaints.jsonl``, ``coverage.jsonl`` and the sensor registry beside
the truth folder (``../sensors.geojson``) are used where present, and their absence is noted.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceasewatch.errors import InputError
from ceasewatch.sim.base import CLUTTER
from ceasewatch.sim.scoring.io import (
    Line,
    RecordKey,
    read_json_object,
    read_jsonl,
    stream_name,
    unique,
)

TRUTH_FILES = (
    "scenario.json",
    "happenings.jsonl",
    "sources.jsonl",
    "false_alarms.jsonl",
    "complaints.jsonl",
    "coverage.jsonl",
)
REQUIRED_TRUTH = ("happenings.jsonl", "sources.jsonl")


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


@dataclass(frozen=True)
class CoverageRow:
    """The fraction of one hour that one sensor could observe. ``hour`` is the hour's start in
    nanoseconds when written as a time, or the number as written."""

    sensor_id: str
    hour: int
    available: float


@dataclass(frozen=True)
class Truth:
    folder: Path
    scenario: dict[str, Any]
    happenings: dict[str, Happening]
    sources: tuple[Source, ...]
    false_alarms: frozenset[RecordKey]
    complaints: dict[str, int]  # count by truth category (true, false, misattributed, …)
    coverage: tuple[CoverageRow, ...] | None
    sensors: dict[str, tuple[float, float]] | None  # sensor id -> (lon, lat)
    missing: tuple[str, ...]  # optional files that were not there


def load_truth(folder: Path) -> Truth:
    if not folder.is_dir():
        raise InputError(
            f"{folder}: no such folder; give the truth folder the simulator wrote (DIR/truth)"
        )
    for name in REQUIRED_TRUTH:
        if not (folder / name).is_file():
            raise InputError(
                f"{folder / name}: missing; --truth must name the simulator's DIR/truth folder"
            )
    missing = [name for name in TRUTH_FILES if not (folder / name).is_file()]
    scenario = (
        read_json_object(folder / "scenario.json") if (folder / "scenario.json").is_file() else {}
    )
    happenings = {
        ident: parse_happening(line)
        for ident, line in unique(read_jsonl(folder / "happenings.jsonl"), "happening_id").items()
    }
    sources = tuple(
        parse_source(line, happenings)
        for line in unique(read_jsonl(folder / "sources.jsonl"), "source_id").values()
    )
    false_alarms: frozenset[RecordKey] = frozenset()
    if (folder / "false_alarms.jsonl").is_file():
        false_alarms = frozenset(
            parse_false_alarm(line) for line in read_jsonl(folder / "false_alarms.jsonl")
        )
    complaints: Counter[str] = Counter()
    if (folder / "complaints.jsonl").is_file():
        for line in unique(read_jsonl(folder / "complaints.jsonl"), "complaint_id").values():
            category = line.data.get("truth")  # only counted: an odd value is not fatal
            complaints[category if isinstance(category, str) else "unknown"] += 1
    coverage = None
    if (folder / "coverage.jsonl").is_file():
        coverage = read_coverage(folder / "coverage.jsonl")
    registry = folder.parent / "sensors.geojson"
    sensors = read_sensors(registry) if registry.is_file() else None
    if sensors is None:
        missing.append("../sensors.geojson")
    return Truth(
        folder,
        scenario,
        happenings,
        sources,
        false_alarms,
        dict(sorted(complaints.items())),
        coverage,
        sensors,
        tuple(missing),
    )


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


def read_coverage(path: Path) -> tuple[CoverageRow, ...]:
    """Sensor × hour availability (the truth's ``coverage.jsonl``, or a run's in the same shape)."""
    rows: dict[tuple[str, int], CoverageRow] = {}
    for line in read_jsonl(path):
        raw = line.data.get("hour")
        if isinstance(raw, int) and not isinstance(raw, bool):
            hour = raw
        elif isinstance(raw, str):
            hour = line.time_ns("hour")
        else:
            raise line.fail(
                f"'hour' must be the hour's start time or an hour number, not {raw!r}",
                'write e.g. "2026-02-18T03:00:00Z"',
            )
        available = line.number("available")
        if not 0.0 <= available <= 1.0:
            raise line.fail(f"'available' is {available}, not a fraction", "write 0 … 1")
        row = CoverageRow(line.text("sensor_id"), hour, available)
        if (row.sensor_id, hour) in rows:
            raise line.fail(
                f"sensor {row.sensor_id!r} has this hour twice", "write one line per sensor-hour"
            )
        rows[(row.sensor_id, hour)] = row
    return tuple(rows.values())


def read_sensors(path: Path) -> dict[str, tuple[float, float]]:
    """Sensor positions from a registry (FORMATS.md ``sensors.geojson``)."""
    data = read_json_object(path)
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError(f"{path}: not a GeoJSON FeatureCollection; rerun the simulator")
    sensors: dict[str, tuple[float, float]] = {}
    for index, feature in enumerate(features):
        try:
            ident = feature["properties"]["sensor_id"]
            lon, lat = feature["geometry"]["coordinates"][:2]
            sensors[str(ident)] = (float(lon), float(lat))
        except (KeyError, TypeError, ValueError) as exc:
            shown = json.dumps(feature)[:80]
            raise InputError(
                f"{path}#/features/{index}: not a Point feature with a sensor_id ({shown}); "
                "fix the registry"
            ) from exc
    return sensors
