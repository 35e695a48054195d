"""The adapters on a real simulator run: every record of every file accepted, ids as written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from ceasewatch.ingest.adapters import ADAPTERS, HEAD_BYTES, detect_format
from ceasewatch.ingest.base import Accepted
from ceasewatch.model.time import parse_ns
from ceasewatch.sim.output import ID_FIELD, STREAM_FILES

from .records import TIME_FIELD

FILES = {**STREAM_FILES, "sensors": "sensors.geojson"}


@pytest.mark.parametrize("kind", sorted(FILES))
def test_every_record_accepted(sim_run: Path, kind: str) -> None:
    data = (sim_run / FILES[kind]).read_bytes()
    assert detect_format(FILES[kind], data[:HEAD_BYTES]) == kind
    results = list(ADAPTERS[kind].parse(data))
    assert results, f"the run has no {kind}: choose another seed"
    rejected = [str(r) for r in results if not isinstance(r, Accepted)]
    assert rejected == []
    accepted = [r for r in results if isinstance(r, Accepted)]
    assert all(r.kind == kind for r in accepted)
    if kind == "sensors":
        features = json.loads(data)["features"]
        assert [r.record for r in accepted] == features
        assert [r.record_id for r in accepted] == [f["properties"]["sensor_id"] for f in features]
        assert [r.line for r in accepted] == list(range(2, len(features) + 2))
        assert all(json.loads(r.raw) == r.record for r in accepted)
        return
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == ""
    if kind == "firms":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
        assert [r.record for r in accepted] == rows
        assert [r.line for r in accepted] == list(range(2, len(rows) + 2))
        assert [r.record_id for r in accepted] == [
            f"{row['instrument']}:{row['satellite']}:{row['acq_date']}T{row['acq_time']}:"
            f"{row['latitude']},{row['longitude']}"
            for row in rows
        ]
        assert [r.source_time_ns for r in accepted] == [
            parse_ns(f"{row['acq_date']}T{row['acq_time'][:2]}:{row['acq_time'][2:]}:00Z")
            for row in rows
        ]
        return
    records = [json.loads(line) for line in lines[:-1]]
    assert [r.record for r in accepted] == records
    assert [r.raw for r in accepted] == [line.encode("utf-8") for line in lines[:-1]]
    assert [r.line for r in accepted] == list(range(1, len(records) + 1))
    assert [r.record_id for r in accepted] == [rec[ID_FIELD[kind]] for rec in records]
    times = [rec.get(TIME_FIELD[kind]) or rec.get("t_impact") for rec in records]
    assert [r.source_time_ns for r in accepted] == [parse_ns(t) for t in times]
