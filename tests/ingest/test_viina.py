"""VIINA news-event rows → report records the reports adapter accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasewatch.adjudication.taxonomy import CATEGORIES
from ceasewatch.errors import InputError
from ceasewatch.ingest.adapters import ADAPTERS
from ceasewatch.ingest.adapters import reports as reports_adapter
from ceasewatch.ingest.adapters.registry import detect_format
from ceasewatch.ingest.base import Accepted
from ceasewatch.ingest.viina import CODES, TRUNCATED, PlaceNames, classify, read_files, read_text
from ceasewatch.model.places import Gazetteer

HEADER = '"datetime","lon","lat","place_name","event_type","headline"\n'
ROWS = Path(__file__).resolve().parents[1] / "data" / "viina_pairs_rows.csv"


@pytest.fixture(scope="module")
def names() -> PlaceNames:
    return PlaceNames(Gazetteer.default())


def test_every_code_maps_to_a_taxonomy_category_or_unknown() -> None:
    for code in CODES.values():
        assert code.category == "unknown" or code.category in CATEGORIES
        assert code.what is None or code.what in reports_adapter.WHATS
    assert set(TRUNCATED.values()) <= set(CODES)


def test_classify_picks_the_most_specific_code_and_keeps_unmapped_ones() -> None:
    assert classify("loc|property|artillery") == (
        ("loc", "property", "artillery"),
        "explosion/impact",
        "explosion",
        (),
    )
    assert classify("firefighb") == (("firefight",), "burst", "burst", ())
    assert classify("") == ((), "unknown", None, ())
    codes, category, what, unmapped = classify("loc|zzz")
    assert (category, what, unmapped) == ("unknown", None, ("zzz",))
    assert codes == ("loc", "zzz")


def test_a_row_becomes_a_report_the_reports_adapter_accepts(names: PlaceNames) -> None:
    text = HEADER + (
        '"2025-03-31 06:53:00","36.2312","49.99217","Kharkiv","uav|property|civcas",'
        '"Харків цілу ніч атакували шахеди"\n'
        '"2025-03-31 00:00:00","36.2312","49.99217","Kharkiv","",'
        '"Россия снова атаковала Харьков"\n'
    )
    batch = read_text(text, "x.csv", names)
    assert not batch.rejected
    timed, dated = batch.reports
    assert timed["t_start"] == timed["t_end"] == "2025-03-31T06:53:00Z"
    assert (dated["t_start"], dated["t_end"]) == ("2025-03-31T00:00:00Z", "2025-03-31T23:59:59Z")
    assert timed["category"] == "explosion/drone" and timed["what"] == "explosion"
    assert timed["geo_check"] == "ok" and timed["settlement"] == "Kharkiv"
    assert timed["oblast"] == "Kharkiv Oblast"
    assert dated["category"] == "unknown" and "what" not in dated
    data = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in batch.reports)
    results = list(reports_adapter.ADAPTER.parse(data))
    assert [type(r).__name__ for r in results] == ["Accepted", "Accepted"], results
    assert timed["report_id"] != dated["report_id"]
    assert read_text(text, "x.csv", names).reports == batch.reports  # ids are deterministic


def test_missing_coordinates_fall_back_to_the_gazetteer_and_far_names_are_flagged(
    names: PlaceNames,
) -> None:
    text = HEADER + (
        '"2025-03-01 00:00:00","","","Kramatorsk","artillery","Обстріл Краматорська"\n'
        '"2025-03-01 00:00:00","30.52","50.45","Kramatorsk","artillery","Обстріл"\n'
    )
    missing, far = read_text(text, "x.csv", names).reports
    assert missing["geo_check"] == "from_name"
    lon, lat = missing["observer"]  # type: ignore[misc]
    assert 37.4 < lon < 37.7 and 48.6 < lat < 48.9
    assert far["geo_check"] == "name_far" and far["geo_offset_km"] > 400  # type: ignore[operator]


def test_bad_rows_are_rejected_with_file_line_and_fix_and_good_rows_kept(
    names: PlaceNames,
) -> None:
    text = HEADER + (
        '"2025-03-01 00:00:00","37.5","48.7","Kramatorsk","","good"\n'
        '"01/03/2025","37.5","48.7","Kramatorsk","","bad time"\n'
        '"2025-03-01 00:00:00","east","48.7","Kramatorsk","","bad lon"\n'
        '"2025-03-01 00:00:00","","","Nowhereville","","no place"\n'
        '"2025-03-01 00:00:00","37.5","48.7","Kramatorsk","",""\n'
        '"2025-03-01 00:00:00","37.5","48.7","Kramatorsk","","good again"\n'
    )
    batch = read_text(text, "m.csv", names)
    assert [r["text"] for r in batch.reports] == ["good", "good again"]
    assert [r.line for r in batch.rejected] == [3, 4, 5, 6]
    for rejected in batch.rejected:
        assert str(rejected).startswith(f"m.csv:{rejected.line}: ") and "Fix:" in str(rejected)


def test_a_file_without_the_viina_columns_is_an_input_error(
    names: PlaceNames, tmp_path: Path
) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"wrong.csv:1: .*datetime.*Fix:"):
        read_files([path], names)


def test_the_kept_sample_rows_all_parse(names: PlaceNames) -> None:
    batch = read_text(ROWS.read_text(encoding="utf-8"), str(ROWS), names)
    assert len(batch.reports) >= 300 and not batch.rejected


def test_the_command_writes_reports_and_events_and_counts_them(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ceasewatch.cli import app

    out = tmp_path / "out"
    args = ["reports", "viina", str(ROWS), "--from", "2025-05-08", "--to", "2025-05-08"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    reports = (out / "open-reports.jsonl").read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    assert all(json.loads(r)["t_start"].startswith("2025-05-08") for r in reports)
    assert sum(e["n_reports"] for e in events) == len(reports) > len(events)
    assert f"{len(reports)} raw reports became {len(events)} distinct events" in result.output
    written = (out / "open-reports.jsonl").read_bytes()
    assert detect_format(str(out / "open-reports.jsonl"), written[:65_536]) == "open-reports"
    parsed = list(ADAPTERS["open-reports"].parse(written))
    assert len(parsed) == len(reports) and all(isinstance(p, Accepted) for p in parsed)
    bad = CliRunner().invoke(app, [*args[:3], "--from", "March", "--out", str(out)])
    assert bad.exit_code == 2 and "Fix:" in bad.output
