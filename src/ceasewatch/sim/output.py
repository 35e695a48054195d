"""Writing a run: the streams a pipeline reads, in arrival order, and the truth beside them.

Bytes are deterministic: records are ordered by arrival time then id, JSON keys keep the
order of the formats, floats print as Python's shortest repr, files use ``\\n``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ceasewatch.model.time import NS_PER_S, format_ns, parse_ns
from ceasewatch.sim.base import Emission

STREAM_FILES = {
    "picks": "picks.jsonl",
    "tracks": "tracks.jsonl",
    "detections": "detections.jsonl",
    "firms": "firms.csv",
    "reports": "reports.jsonl",
    "complaints": "complaints.jsonl",
    "notifications": "notifications.jsonl",
}
HEALTH_FILES = {"status": "status.jsonl"}
"""What the network reports about itself (sensor status, a proposal: docs/simulation.md),
written beside the streams of :data:`STREAM_FILES`, which hold observations."""
ID_FIELD = {
    "picks": "pick_id",
    "tracks": "track_id",
    "detections": "detection_id",
    "reports": "report_id",
    "complaints": "complaint_id",
    "notifications": "notification_id",
    "status": "status_id",
}
FIRMS_COLUMNS = (
    "latitude", "longitude", "bright_ti4", "scan", "track", "acq_date", "acq_time", "satellite",
    "instrument", "confidence", "version", "bright_ti5", "frp", "daynight",
)  # fmt: skip
LATE_S = 60.0


def record_time_ns(stream: str, record: dict[str, Any]) -> int:
    """The source's own time of a record (what its arrival delay is counted from)."""
    if stream == "picks":
        return parse_ns(record["t_arrival"])
    if stream == "tracks":
        return parse_ns(record.get("t_impact") or record["t_launch"])
    if stream == "detections":
        return parse_ns(record["t"])
    if stream == "reports":
        return parse_ns(record["t_end"])
    if stream in ("complaints", "notifications"):
        return parse_ns(record["t_submitted"])
    if stream == "status":
        return parse_ns(record["t_end"])
    if stream == "firms":
        hhmm = f"{int(record['acq_time']):04d}"
        return parse_ns(f"{record['acq_date']}T{hhmm[:2]}:{hhmm[2:]}:00Z")
    raise ValueError(f"unknown stream {stream!r}")


def arrival_order(emission: Emission) -> list[int]:
    """Indices of the records in the order they reached the mechanism (duplicates repeated)."""
    keyed = []
    for index, record in enumerate(emission.records):
        arrival = record_time_ns(emission.stream, record) + int(emission.delay_s[index] * NS_PER_S)
        keyed.append((arrival, _record_id(emission.stream, record, index), index))
    for index in emission.duplicates:
        arrival = keyed[index][0] + int(30 * NS_PER_S)
        keyed.append((arrival, keyed[index][1], index))
    keyed.sort()
    return [index for _, _, index in keyed]


def _record_id(stream: str, record: dict[str, Any], index: int) -> str:
    return str(record[ID_FIELD[stream]]) if stream in ID_FIELD else f"{index:09d}"


def write_stream(out_dir: Path, emission: Emission) -> list[str]:
    """Write one stream file; returns the id of each record (by emission index)."""
    order = arrival_order(emission)
    path = out_dir / {**STREAM_FILES, **HEALTH_FILES}[emission.stream]
    ids: list[str] = [""] * len(emission.records)
    if emission.stream == "firms":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(FIRMS_COLUMNS)
        for row, index in enumerate(order, start=1):
            writer.writerow([emission.records[index][c] for c in FIRMS_COLUMNS])
            ids[index] = ids[index] or f"firms.csv:{row}"
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="\n")
        return ids
    lines = []
    for index in order:
        lines.append(json.dumps(emission.records[index], ensure_ascii=False))
        ids[index] = _record_id(emission.stream, emission.records[index], index)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8", newline="\n")
    return ids


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    path.write_text(text, encoding="utf-8", newline="\n")
    return text.count("\n")


def write_json(path: Path, value: Any) -> None:
    path.write_text(
        json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n"
    )


def delivery_rows(emission: Emission, ids: Sequence[str]) -> list[dict[str, Any]]:
    duplicated = set(emission.duplicates)
    rows = []
    for index, delay in enumerate(emission.delay_s):
        if delay > LATE_S or index in duplicated:
            rows.append(
                {
                    "stream": emission.stream,
                    "record_id": ids[index],
                    "delay_s": round(delay, 1),
                    "duplicated": index in duplicated,
                }
            )
    return rows


def ns_text(t_ns: int | None, digits: int = 6) -> str | None:
    return None if t_ns is None else format_ns(t_ns, digits)


Progress = Callable[[str], None]
