"""FIRMS CSV: both standard variants (VIIRS, MODIS), the reduced form, and the real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceasewatch.ingest.adapters import ADAPTERS
from ceasewatch.ingest.adapters.firms import csv_header
from ceasewatch.ingest.base import Accepted, Rejected
from ceasewatch.model.time import parse_ns

FIRMS = ADAPTERS["firms"]
SHARED = Path("/work/shared/data/firms")
PACKAGED = Path(__file__).resolve().parents[2] / "src/ceasewatch/data/firms"

VIIRS_HEADER = (
    b"latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,"
    b"confidence,version,bright_ti5,frp,daynight"
)
VIIRS_ROW = b"48.12345,37.54321,330.5,0.39,0.36,2022-02-24,0012,N,VIIRS,n,2.0NRT,285.1,5.2,N"
MODIS_HEADER = (
    b"LATITUDE,LONGITUDE,BRIGHTNESS,SCAN,TRACK,ACQ_DATE,ACQ_TIME,SATELLITE,INSTRUMENT,"
    b"CONFIDENCE,VERSION,BRIGHT_T31,FRP,DAYNIGHT,TYPE"
)
MODIS_ROW = b"48.1,37.5,320.4,1.0,1.0,2022-02-24,850,Terra,MODIS,74,6.1NRT,290.2,12.3,D,0"
REDUCED_HEADER = b"LATITUDE,LONGITUDE,ACQ_DATE"
REDUCED_ROW = b"48.12345,37.54321,2022-02-24"


def parse(*lines: bytes) -> list[Accepted | Rejected]:
    return list(FIRMS.parse(b"\n".join(lines) + b"\n"))


def test_viirs_row() -> None:
    (got,) = parse(VIIRS_HEADER, VIIRS_ROW)
    assert isinstance(got, Accepted)
    assert got.record_id == "VIIRS:N:2022-02-24T0012:48.12345,37.54321"
    assert got.record["bright_ti4"] == "330.5" and got.record["acq_time"] == "0012"
    assert got.raw == VIIRS_ROW and got.line == 2
    assert got.source_time_ns == parse_ns("2022-02-24T00:12:00Z")
    assert got.signature is None


def test_modis_row_upper_case_header_and_time_without_leading_zero() -> None:
    (got,) = parse(MODIS_HEADER, MODIS_ROW)
    assert isinstance(got, Accepted)
    assert got.record_id == "MODIS:Terra:2022-02-24T0850:48.1,37.5"
    assert set(got.record) == {h.lower() for h in MODIS_HEADER.decode().split(",")}
    assert got.record["acq_time"] == "850" and got.record["type"] == "0"
    assert got.source_time_ns == parse_ns("2022-02-24T08:50:00Z")


def test_reduced_form_in_any_column_order() -> None:
    (got,) = parse(REDUCED_HEADER, REDUCED_ROW)
    assert isinstance(got, Accepted)
    assert got.record_id == "2022-02-24:48.12345,37.54321"
    assert got.record == {"latitude": "48.12345", "longitude": "37.54321", "acq_date": "2022-02-24"}
    assert got.source_time_ns == parse_ns("2022-02-24T00:00:00Z")
    (swapped,) = parse(b"longitude,latitude,acq_date", b"37.54321,48.12345,2022-02-24")
    assert isinstance(swapped, Accepted) and swapped.record_id == got.record_id


def test_bom_crlf_blank_lines_and_no_final_newline() -> None:
    data = b"\xef\xbb\xbf" + REDUCED_HEADER + b"\r\n" + REDUCED_ROW + b"\r\n\r\n" + REDUCED_ROW
    results = list(FIRMS.parse(data))
    assert [r.line for r in results] == [2, 4]
    assert all(isinstance(r, Accepted) and r.raw == REDUCED_ROW for r in results)
    assert csv_header(data) == REDUCED_HEADER


def test_quoted_cells() -> None:
    (got,) = parse(REDUCED_HEADER, b'"48.1","37.5","2022-02-24"')
    assert isinstance(got, Accepted) and got.record["latitude"] == "48.1"


def viirs(**cells: str) -> bytes:
    names = VIIRS_HEADER.decode().split(",")
    values = dict(zip(names, VIIRS_ROW.decode().split(","), strict=True)) | cells
    return ",".join(values[n] for n in names).encode()


BAD_ROWS = [
    ("latitude text", viirs(latitude="abc"), "latitude", "not a decimal number"),
    ("latitude empty", viirs(latitude=""), "latitude", "not a decimal number"),
    ("latitude nan", viirs(latitude="nan"), "latitude", "not a decimal number"),
    ("latitude 95", viirs(latitude="95.0"), "latitude", "outside [-90, 90]"),
    ("longitude 200", viirs(longitude="200"), "longitude", "outside [-180, 180]"),
    ("date slashes", viirs(acq_date="24/02/2022"), "acq_date", "YYYY-MM-DD"),
    ("date feb 30", viirs(acq_date="2022-02-30"), "acq_date", "not a calendar date"),
    ("time 2460", viirs(acq_time="2460"), "acq_time", "not a time of day"),
    ("time colon", viirs(acq_time="00:12"), "acq_time", "not a time HHMM"),
    ("time empty", viirs(acq_time=""), "acq_time", "not a time HHMM"),
    ("confidence word", viirs(confidence="maybe"), "confidence", "neither 0-100 nor l/n/h"),
    ("confidence 150", viirs(confidence="150"), "confidence", "neither 0-100 nor l/n/h"),
    ("daynight", viirs(daynight="X"), "daynight", "not D or N"),
    ("frp text", viirs(frp="hot"), "frp", "not a number"),
    ("bright_ti5 empty", viirs(bright_ti5=""), "bright_ti5", "not a number"),
    ("too few columns", VIIRS_ROW.rsplit(b",", 1)[0], "", "has 13 columns; the header has 14"),
    ("too many columns", VIIRS_ROW + b",extra", "", "has 15 columns"),
    ("open quote", b'"48.1,' + VIIRS_ROW, "", "not a CSV row"),
    ("invalid utf-8", VIIRS_ROW.replace(b"VIIRS", b"VI\xffRS"), "", "not valid UTF-8"),
    ("too large", VIIRS_ROW + b"x" * 1_048_577, "", "the limit is 1,048,576 bytes"),
]


@pytest.mark.parametrize(
    ("raw", "field", "phrase"), [c[1:] for c in BAD_ROWS], ids=[c[0] for c in BAD_ROWS]
)
def test_bad_row_rejected_alone(raw: bytes, field: str, phrase: str) -> None:
    results = parse(VIIRS_HEADER, VIIRS_ROW, raw, VIIRS_ROW)
    assert [type(r) for r in results] == [Accepted, Rejected, Accepted]
    bad = results[1]
    assert isinstance(bad, Rejected)
    assert (bad.line, bad.field, bad.raw) == (3, field, raw)
    assert phrase in bad.reason and bad.fix


@pytest.mark.parametrize("confidence", ["0", "100", "55.5", "l", "N", "h", "nominal"])
def test_confidence_forms(confidence: str) -> None:
    (got,) = parse(VIIRS_HEADER, viirs(confidence=confidence))
    assert isinstance(got, Accepted)


@pytest.mark.parametrize(
    ("header", "field", "phrase"),
    [
        (b"lat,lon,date", "latitude", "no latitude column"),
        (b"latitude,longitude,acq_time", "acq_date", "no acq_date column"),
        (b"latitude,longitude,acq_date,latitude", "latitude", "twice"),
        (b"\xff,longitude,acq_date", "", "not valid UTF-8"),
    ],
)
def test_bad_header_rejects_header_and_every_row(header: bytes, field: str, phrase: str) -> None:
    results = parse(header, REDUCED_ROW, REDUCED_ROW)
    assert all(isinstance(r, Rejected) for r in results)
    assert [r.line for r in results] == [1, 2, 3]
    first = results[0]
    assert isinstance(first, Rejected)
    assert (first.field, first.raw) == (field, header) and phrase in first.reason
    assert all("header on line 1" in r.reason for r in results[1:])  # type: ignore[union-attr]


def test_header_only_and_empty_file() -> None:
    assert parse(VIIRS_HEADER) == []
    assert list(FIRMS.parse(b"")) == []


@pytest.mark.parametrize(
    "name", ["firms_ukraine_latlondate_2021.csv", "firms_ukraine_latlondate_2022.csv"]
)
def test_real_reduced_files(name: str) -> None:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    lines = path.read_bytes().split(b"\n")
    sample = b"\n".join(lines[:300] + lines[len(lines) // 2 : len(lines) // 2 + 300]) + b"\n"
    results = list(FIRMS.parse(sample))
    assert len(results) == 599
    assert all(isinstance(r, Accepted) for r in results)
    first = results[0]
    assert first.record_id == lines[1].decode().split(",")[2] + ":" + ",".join(
        lines[1].decode().split(",")[:2]
    )


def test_packaged_baseline_file() -> None:
    path = PACKAGED / "baseline-2021-near-line.csv"
    if not path.exists():
        pytest.skip(f"{path} is not here")
    data = path.read_bytes()
    results = list(FIRMS.parse(data))
    assert results and all(isinstance(r, Accepted) for r in results)
    assert len(results) == sum(1 for line in data.splitlines()[1:] if line.strip())
