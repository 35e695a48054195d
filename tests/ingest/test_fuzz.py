"""Property tests of every adapter: valid records interleaved with malformed ones (wrong types,
NaN/Infinity, a 10 MB record, invalid UTF-8, garbage), the file cut at a random byte.

Whatever the bytes, ``parse`` never raises; every complete valid record is accepted with its line
and id (none lost), every bad or cut one is rejected, and the results account for every
non-blank line, in input order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasewatch.ingest.adapters import ADAPTERS
from ceasewatch.ingest.base import Accepted, Rejected

from .records import GOOD, ID_FIELD
from .strategies import bad_feature_line, bad_json_line, record, sensor_feature

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class Item:
    """One line written to the file: where it is, and what the adapter should make of it."""

    raw: bytes
    line: int
    start: int
    end: int
    record_id: str | None  # None: the line must be rejected


def assemble(
    items: list[tuple[bytes, str | None]], head: bytes, separator: bytes, first_line: int
) -> tuple[bytes, list[Item]]:
    data = bytearray(head)
    placed = []
    for index, (raw, record_id) in enumerate(items):
        if index:
            data += separator
        placed.append(Item(raw, first_line + index, len(data), len(data) + len(raw), record_id))
        data += raw
    return bytes(data), placed


def check(results: list[Accepted | Rejected], placed: list[Item], cut: int) -> None:
    """Each present line gives exactly its expected result, in input order."""
    expected = {}
    for item in placed:
        if item.start >= cut:
            continue
        complete = item.end <= cut
        if not complete and not item.raw[: cut - item.start].strip():
            continue
        expected[item.line] = (item, complete)
    lines = [r.line for r in results]
    assert lines == sorted(set(lines)), "one result per line, in input order"
    assert set(lines) == set(expected)
    for result in results:
        item, complete = expected[result.line]
        if complete and item.record_id is not None:
            assert isinstance(result, Accepted), str(result)
            assert result.record_id == item.record_id
            assert result.raw == item.raw
        else:
            assert isinstance(result, Rejected)
            if complete:
                assert result.raw == item.raw
            assert result.reason and result.fix


@pytest.mark.parametrize("kind", sorted(GOOD))
@SETTINGS
@given(data=st.data())
def test_json_lines_fuzz(kind: str, data: st.DataObject) -> None:
    items: list[tuple[bytes, str | None]] = []
    for _ in range(data.draw(st.integers(min_value=1, max_value=12))):
        good = data.draw(record(kind))
        what = data.draw(st.sampled_from(["good", "good", "bad", "blank"]))
        if what == "good":
            ensure_ascii = data.draw(st.booleans())
            items.append(
                (json.dumps(good, ensure_ascii=ensure_ascii).encode(), good[ID_FIELD[kind]])
            )
        elif what == "bad":
            items.append((data.draw(bad_json_line(good)), None))
        else:
            items.append((data.draw(st.sampled_from([b"", b"   ", b"\t"])), None))
    ending = data.draw(st.sampled_from([b"\n", b"\r\n"]))
    file, placed = assemble(items, b"", ending, 1)
    placed = [p for p in placed if p.raw.strip()]
    if data.draw(st.booleans()):
        file += ending
    cut = data.draw(st.integers(min_value=0, max_value=len(file)))
    results = list(ADAPTERS[kind].parse(file[:cut]))
    check(results, placed, cut)


FORMS = {
    "viirs": (
        "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,"
        "confidence,version,bright_ti5,frp,daynight"
    ),
    "modis": (
        "LATITUDE,LONGITUDE,BRIGHTNESS,SCAN,TRACK,ACQ_DATE,ACQ_TIME,SATELLITE,INSTRUMENT,"
        "CONFIDENCE,VERSION,BRIGHT_T31,FRP,DAYNIGHT"
    ),
    "reduced": "LATITUDE,LONGITUDE,ACQ_DATE",
}


@st.composite
def firms_row(draw: Any, form: str) -> tuple[bytes, str]:
    lat = f"{draw(st.floats(min_value=-90, max_value=90)):.5f}"
    lon = f"{draw(st.floats(min_value=-180, max_value=180)):.5f}"
    year, month, day_of_month = (
        draw(st.integers(2000, 2030)),
        draw(st.integers(1, 12)),
        draw(st.integers(1, 28)),
    )
    day = f"{year}-{month:02d}-{day_of_month:02d}"
    if form == "reduced":
        return f"{lat},{lon},{day}".encode(), f"{day}:{lat},{lon}"
    hhmm = f"{draw(st.integers(0, 23)):02d}{draw(st.integers(0, 59)):02d}"
    satellite, instrument = ("N", "VIIRS") if form == "viirs" else ("Terra", "MODIS")
    confidence = draw(
        st.sampled_from(["l", "n", "h"]) if form == "viirs" else st.integers(0, 100).map(str)
    )
    daynight = draw(st.sampled_from(["D", "N"]))
    cells = [lat, lon, "330.5", "0.39", "0.36", day, hhmm, satellite, instrument, confidence,
             "2.0NRT", "285.1", "5.2", daynight]  # fmt: skip
    return ",".join(cells).encode(), f"{instrument}:{satellite}:{day}T{hhmm}:{lat},{lon}"


def bad_firms_row(good: bytes) -> st.SearchStrategy[bytes]:
    cells = good.split(b",")
    return st.sampled_from(
        [
            b",".join(cells[:-1]),
            good + b",1",
            b"abc," + b",".join(cells[1:]),
            b"95.5," + b",".join(cells[1:]),
            good.replace(b"-", b"/", 1),
            good + b"\xff" if len(cells) == 3 else b"\xff" + good,
            b'"' + good,
            b"x" * (10 * 1024 * 1024),
            b"garbage",
        ]
    )


@SETTINGS
@given(data=st.data(), form=st.sampled_from(sorted(FORMS)))
def test_firms_fuzz(data: st.DataObject, form: str) -> None:
    items: list[tuple[bytes, str | None]] = []
    for _ in range(data.draw(st.integers(min_value=1, max_value=12))):
        row, record_id = data.draw(firms_row(form))
        if data.draw(st.booleans()):
            items.append((row, record_id))
        else:
            items.append((data.draw(bad_firms_row(row)), None))
    ending = data.draw(st.sampled_from([b"\n", b"\r\n"]))
    header = FORMS[form].encode() + ending
    file, placed = assemble(items, header, ending, 2)
    if data.draw(st.booleans()):
        file += ending
    cut = data.draw(st.integers(min_value=0, max_value=len(file)))
    results = list(ADAPTERS["firms"].parse(file[:cut]))
    if cut < len(header):
        assert len(results) <= 1 and all(isinstance(r, Rejected) and r.line == 1 for r in results)
        return
    check(results, placed, cut)


@SETTINGS
@given(data=st.data())
def test_sensors_fuzz(data: st.DataObject) -> None:
    items: list[tuple[bytes, str | None]] = []
    for _ in range(data.draw(st.integers(min_value=1, max_value=10))):
        good = data.draw(sensor_feature())
        if data.draw(st.booleans()):
            ensure_ascii = data.draw(st.booleans())
            raw = json.dumps(good, ensure_ascii=ensure_ascii).encode()
            items.append((raw, good["properties"]["sensor_id"]))
        else:
            items.append((data.draw(bad_feature_line(good)), None))
    head = b'{"type": "FeatureCollection", "features": [\n'
    file, placed = assemble(items, head, b",\n", 2)
    file += b"\n]}\n"
    cut = data.draw(st.integers(0, len(file)) | st.integers(len(file) - 4, len(file)))
    results = list(ADAPTERS["sensors"].parse(file[:cut]))
    if cut == 0:
        assert results == []
        return
    if cut < len(head):
        (whole,) = results
        assert isinstance(whole, Rejected) and whole.raw == file[:cut]
        return
    document = [
        r for r in results if isinstance(r, Rejected) and not r.field.startswith("features/")
    ]
    if cut == len(file):
        assert document == []
    assert len(document) <= 1 and all(r.raw == b"" for r in document)
    check([r for r in results if r not in document], placed, cut)


def test_every_adapter_is_fuzzed() -> None:
    fuzzed_elsewhere = {"line-changes"}  # tests/ingest/test_line_changes.py
    assert set(GOOD) | {"firms", "sensors"} | fuzzed_elsewhere == set(ADAPTERS)
