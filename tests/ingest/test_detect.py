"""Telling a file's format: by name first, by content when the name says nothing."""

from __future__ import annotations

import pytest

from ceasewatch.errors import InputError
from ceasewatch.ingest.adapters import ADAPTERS, detect_format
from ceasewatch.ingest.base import KINDS

from .records import GOOD, line

SENSORS_HEAD = (
    b'{"type": "FeatureCollection", "features": [\n{"type": "Feature", "geometry": {"type": '
    b'"Point", "coordinates": [37.5, 50.1]}, "properties": {"sensor_id": "A0001", "kind": "aco'
)


def test_every_kind_has_an_adapter() -> None:
    assert tuple(ADAPTERS) == KINDS
    assert all(adapter.kind == kind for kind, adapter in ADAPTERS.items())


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("picks.jsonl", "picks"),
        ("/data/in/PICKS-2026-02-18.JSONL", "picks"),
        ("picks_A017.ndjson", "picks"),
        ("tracks", "tracks"),
        ("tracks.json", "tracks"),
        ("detections.jsonl", "detections"),
        ("reports.jsonl", "reports"),
        ("complaints.jsonl", "complaints"),
        ("notifications.jsonl", "notifications"),
        ("firms.csv", "firms"),
        ("firms_ukraine_latlondate_2022.csv", "firms"),
        ("fire_nrt_SV-C2_12345.csv", "firms"),
        ("sensors.geojson", "sensors"),
        ("C:\\registry\\sensors-2026.json", "sensors"),
        ("picks.20260218.rejected.jsonl", "picks"),
    ],
)
def test_by_name(name: str, kind: str) -> None:
    assert detect_format(name, b"") == kind


def test_name_wins_over_content() -> None:
    assert detect_format("tracks.jsonl", line(GOOD["picks"])) == "tracks"


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_jsonl_by_content_of_the_first_valid_object(kind: str) -> None:
    head = b"\n\nnot json\n[1]\n" + line(GOOD[kind]) + b"\n" + line(GOOD[kind])[:20]
    assert detect_format("upload.jsonl", head) == kind
    assert detect_format("data", head) == kind


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("hotspots.csv", b"latitude,longitude,acq_date\n48.1,37.5,2022-02-24\n"),
        (
            "export.txt",
            b"\xef\xbb\xbfLATITUDE,LONGITUDE,BRIGHT_TI4,SCAN,TRACK,ACQ_DATE,ACQ_TIME\r\n",
        ),
        ("upload", b"longitude,latitude,acq_date\n"),
    ],
)
def test_firms_by_header(name: str, head: bytes) -> None:
    assert detect_format(name, head) == "firms"


def test_sensors_by_content_even_when_cut() -> None:
    assert detect_format("registry.geojson", SENSORS_HEAD) == "sensors"
    assert detect_format("upload", b"  \n" + SENSORS_HEAD) == "sensors"


def test_a_name_that_fits_a_kind_but_not_its_suffix_falls_back_to_content() -> None:
    assert detect_format("picks.csv", b"latitude,longitude,acq_date\n") == "firms"
    assert detect_format("sensors.jsonl", line(GOOD["detections"])) == "detections"


def test_ambiguous_content() -> None:
    both = line({**GOOD["picks"], "track_id": "R1"})
    with pytest.raises(InputError) as raised:
        detect_format("upload.jsonl", both)
    message = str(raised.value)
    assert message.startswith("cannot tell the format of upload.jsonl: its content fits both")
    assert "picks and tracks" in message
    assert "give --format one of picks, tracks, detections, firms" in message


@pytest.mark.parametrize(
    ("name", "head", "phrase"),
    [
        ("notes.txt", b"hello world\n", "neither its name nor its first bytes"),
        ("upload.jsonl", b'{"id": 1}\n', "neither its name nor its first bytes"),
        ("data.csv", b"lat,lon,date\n", "neither its name nor its first bytes"),
        ("shapes.geojson", b'{"type": "FeatureCollection", "features": []}', "neither"),
        ("empty.jsonl", b"", "it is empty"),
    ],
)
def test_unknown(name: str, head: bytes, phrase: str) -> None:
    with pytest.raises(InputError, match=f"cannot tell the format of {name}: .*{phrase}"):
        detect_format(name, head)


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
def test_sniff_agrees_with_detect(kind: str) -> None:
    adapter = ADAPTERS[kind]
    name = {"firms": "firms.csv", "sensors": "sensors.geojson"}.get(kind, f"{kind}.jsonl")
    assert adapter.sniff(name, b"")
    assert not adapter.sniff("notes.txt", b"hello")
