"""The quarantine: rejected records in their own format, fixable and resendable as they are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasewatch.errors import InputError
from ceasewatch.ingest.adapters import ADAPTERS
from ceasewatch.ingest.adapters.firms import csv_header
from ceasewatch.ingest.base import Accepted, Rejected
from ceasewatch.ingest.quarantine import write_quarantine

from .records import GOOD, changed, line
from .test_firms import REDUCED_HEADER, VIIRS_HEADER, VIIRS_ROW, viirs
from .test_sensors import HEAD, TAIL, encode, feature


def rejections(kind: str, data: bytes) -> list[Rejected]:
    return [r for r in ADAPTERS[kind].parse(data) if isinstance(r, Rejected)]


def fix(path: Path, fixes: dict[bytes, bytes]) -> bytes:
    """The rejected file with each bad line replaced by its fixed one (a comma after it kept)."""
    out = []
    for item in path.read_bytes().split(b"\n"):
        bare = item.removesuffix(b",")
        out.append(fixes[bare] + item[len(bare) :] if bare in fixes else item)
    return b"\n".join(out)


def test_jsonl_rejected_lines_errors_and_resend(tmp_path: Path) -> None:
    good = line(GOOD["picks"])
    bad = {
        changed("picks", pick_id="P2", t_sigma_s=-1): changed("picks", pick_id="P2"),
        b'{"pick_id": "P3", "sensor_id": "A017"': changed("picks", pick_id="P3"),
        b"\xff\xfe garbage": changed("picks", pick_id="P4"),
    }
    bad_lines = list(bad)
    data = b"\n".join([good, bad_lines[0], b"", good, bad_lines[1], bad_lines[2], good]) + b"\n"
    rejected = rejections("picks", data)
    files = write_quarantine(tmp_path / "q", "in/picks.jsonl", "picks", rejected, "20260218T0312")
    assert files.rejected == tmp_path / "q" / "picks.20260218T0312.rejected.jsonl"
    assert files.errors == tmp_path / "q" / "picks.20260218T0312.errors.txt"
    assert files.problems == 3
    assert files.rejected.read_bytes() == b"\n".join(bad_lines) + b"\n"
    errors = files.errors.read_text(encoding="utf-8").splitlines()
    assert errors[0] == (
        'picks.jsonl:2: t_sigma_s: -1 is negative Fix: send "t_sigma_s" as 0 or more '
        "(line 1 of picks.20260218T0312.rejected.jsonl)"
    )
    assert errors[1].startswith("picks.jsonl:5: is not JSON") and errors[1].endswith(
        "(line 2 of picks.20260218T0312.rejected.jsonl)"
    )
    assert errors[2].startswith("picks.jsonl:6: is not valid UTF-8")
    resent = list(ADAPTERS["picks"].parse(fix(files.rejected, bad)))
    assert [r.record_id for r in resent if isinstance(r, Accepted)] == ["P2", "P3", "P4"]
    assert len(resent) == 3


def test_firms_rejected_file_starts_with_the_original_header(tmp_path: Path) -> None:
    bad = {viirs(latitude="95"): viirs(latitude="48.5"), VIIRS_ROW[:-8]: VIIRS_ROW}
    data = b"\r\n".join([VIIRS_HEADER, VIIRS_ROW, *bad, VIIRS_ROW]) + b"\r\n"
    rejected = rejections("firms", data)
    assert len(rejected) == 2
    files = write_quarantine(
        tmp_path, "fire_nrt.csv", "firms", rejected, "s1", header=csv_header(data)
    )
    assert files.rejected is not None and files.rejected.name == "fire_nrt.s1.rejected.csv"
    assert files.rejected.read_bytes() == b"\n".join([VIIRS_HEADER, *bad]) + b"\n"
    assert files.errors is not None
    errors = files.errors.read_text().splitlines()
    assert errors[0].startswith("fire_nrt.csv:3: latitude: 95")
    assert errors[0].endswith("(line 2 of fire_nrt.s1.rejected.csv)")
    assert errors[1].endswith("(line 3 of fire_nrt.s1.rejected.csv)")
    resent = list(ADAPTERS["firms"].parse(fix(files.rejected, bad)))
    assert len(resent) == 2 and all(isinstance(r, Accepted) for r in resent)


def test_firms_bad_header(tmp_path: Path) -> None:
    data = b"lat,lon,acq_date\n48.1,37.5,2022-02-24\n"
    rejected = rejections("firms", data)
    files = write_quarantine(tmp_path, "firms.csv", "firms", rejected, "s", header=csv_header(data))
    assert files.rejected is not None and files.rejected.read_bytes() == data
    assert files.errors is not None
    assert [e.rsplit("(", 1)[1] for e in files.errors.read_text().splitlines()] == [
        "line 1 of firms.s.rejected.csv)",
        "line 2 of firms.s.rejected.csv)",
    ]
    fixed = fix(files.rejected, {b"lat,lon,acq_date": REDUCED_HEADER})
    assert all(isinstance(r, Accepted) for r in ADAPTERS["firms"].parse(fixed))


def test_firms_needs_the_header(tmp_path: Path) -> None:
    rejected = rejections("firms", VIIRS_HEADER + b"\n" + viirs(latitude="x"))
    with pytest.raises(ValueError, match="header="):
        write_quarantine(tmp_path, "firms.csv", "firms", rejected, "s")


def test_sensors_rejected_features_as_a_collection(tmp_path: Path) -> None:
    good = encode(feature("A1"))
    kind_bad = encode(feature("A2", kind="microphone"))
    pretty_bad = json.dumps(feature("A3", range_m=-5), indent=2).encode()
    bad = {
        kind_bad: encode(feature("A2")),
        b"garbage": encode(feature("A4")),
    }
    data = HEAD + b",\n".join([good, kind_bad, b"garbage", good, pretty_bad]) + TAIL
    rejected = rejections("sensors", data)
    assert [r.line for r in rejected] == [3, 4, 6]
    files = write_quarantine(tmp_path, "sensors.geojson", "sensors", rejected, "s")
    assert files.rejected is not None and files.errors is not None
    content = files.rejected.read_bytes()
    assert content == HEAD + b",\n".join([kind_bad, b"garbage", pretty_bad]) + TAIL
    errors = files.errors.read_text().splitlines()
    assert [e.rsplit("(line ", 1)[1].split()[0] for e in errors] == ["2", "3", "4"]
    assert errors[0].startswith("sensors.geojson:3: features/1/properties/kind:")
    fixed = fix(files.rejected, bad).replace(b"-5", b"5")
    resent = list(ADAPTERS["sensors"].parse(fixed))
    assert [r.record_id for r in resent if isinstance(r, Accepted)] == ["A2", "A4", "A3"]


def test_sensors_unreadable_document_is_handed_back_whole(tmp_path: Path) -> None:
    data = b'{"type": "FeatureCollection", "features": {"oops": 1}}\n'
    rejected = rejections("sensors", data)
    files = write_quarantine(tmp_path, "sensors.geojson", "sensors", rejected, "s")
    assert files.rejected is not None and files.rejected.read_bytes() == data
    assert files.errors is not None and "(line 1 of sensors.s.rejected.geojson)" in (
        files.errors.read_text()
    )


def test_sensors_cut_short_after_a_feature_has_nothing_to_resend(tmp_path: Path) -> None:
    rejected = rejections("sensors", HEAD + encode(feature("A1")))
    files = write_quarantine(tmp_path, "sensors.geojson", "sensors", rejected, "s")
    assert files.rejected is None and files.errors is not None
    assert "nothing to resend" in files.errors.read_text()


def test_one_record_with_two_problems_is_written_once(tmp_path: Path) -> None:
    (first,) = rejections("picks", changed("picks", t_sigma_s=-1))
    second = Rejected(
        "picks", 1, "signature_ed25519", "does not verify", "resend", first.raw, "A017-000912"
    )
    files = write_quarantine(tmp_path, "picks.jsonl", "picks", [first, second], "s")
    assert files.rejected is not None and files.rejected.read_bytes() == first.raw + b"\n"
    assert files.problems == 2


def test_nothing_rejected_writes_nothing(tmp_path: Path) -> None:
    files = write_quarantine(tmp_path / "q", "picks.jsonl", "picks", [], "s")
    assert (files.rejected, files.errors, files.problems) == (None, None, 0)
    assert not (tmp_path / "q").exists()


def test_names_without_suffix_and_bad_stamps(tmp_path: Path) -> None:
    rejected = rejections("tracks", b"[]")
    files = write_quarantine(tmp_path, "tracks", "tracks", rejected, "1771384365000000000")
    assert files.rejected is not None and files.rejected.name.endswith(".rejected.jsonl")
    for stamp in ("", "../x", "a b", "a/b"):
        with pytest.raises(ValueError, match="stamp"):
            write_quarantine(tmp_path, "tracks", "tracks", rejected, stamp)


def test_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot write the quarantine"):
        write_quarantine(blocker, "picks.jsonl", "picks", rejections("picks", b"[]"), "s")
