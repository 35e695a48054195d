"""``ceasewatch demo --with-real-data``: the real-world channels stage on a thinned copy of the
shared data (the whole demo takes about two minutes, too long for a test), and a missing data
folder refused before anything in OUT is removed."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasewatch.agreement.catalog import resolve
from ceasewatch.agreement.front_line import SNAPSHOT_2022
from ceasewatch.cli import app
from ceasewatch.errors import InputError
from ceasewatch.pipeline.real_channels import FIRE_FILES, LINE_FILES, REPORTS_FILE
from ceasewatch.pipeline.real_data import NEEDED, find_data, real_data_demo
from ceasewatch.report.channels import CREDITS

SHARED = Path(
    os.environ.get("CEASEWATCH_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
needs_data = pytest.mark.skipif(
    not SHARED.is_dir() and os.environ.get("CEASEWATCH_REQUIRE_DATA") != "1",
    reason="needs ../shared/data (set CEASEWATCH_REQUIRE_DATA=1 to fail instead)",
)


def _thinned(into: Path) -> Path:
    """The shared files the stage reads: both control maps and the 2022-04-03 snapshot as they
    are, every 8th FIRMS row of each year, and the first 300 VIINA rows of August 2025."""
    for name in (*LINE_FILES, SNAPSHOT_2022):
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        (into / name).symlink_to(SHARED / name)
    for name in FIRE_FILES:
        rows = (SHARED / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        (into / name).write_text(rows[0] + "".join(rows[1::8]), encoding="utf-8")
    with (SHARED / REPORTS_FILE).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[:301]
    (into / REPORTS_FILE).parent.mkdir(parents=True, exist_ok=True)
    with (into / REPORTS_FILE).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return into


@needs_data
def test_the_stage_writes_every_channel_and_its_figures_match_the_files(tmp_path: Path) -> None:
    data = find_data(_thinned(tmp_path / "data"))
    said: list[str] = []
    real = real_data_demo(resolve(None), tmp_path / "out", data, said.append)
    folder = tmp_path / "out" / "real-data"
    assert real.out == folder and len(said) == 4
    line, fire, news = real.channels.line, real.channels.fire, real.channels.reports
    # Control maps: the last month of 2025, every change ≥ 1 km² in the evidence file.
    assert (line.t_from, line.t_to) == ("2025-12-01", "2025-12-31")
    changes = (folder / "line-changes.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(changes) == len(line.changes) > 0
    assert all(row.area_km2 >= 1.0 for row in line.changes)
    geojson = json.loads((folder / "line-changes.geojson").read_text(encoding="utf-8"))
    assert len(geojson["features"]) == len(line.changes)
    assert dict(line.gained_km2)["RU"] > dict(line.gained_km2)["UA"] > 0
    # Excess fire: near the line of 2022, not today's; the baseline raised where land far from
    # the front burned more than in 2021.
    assert fire.line_of_year and fire.line_label == "line of 2022-04-03"
    assert fire.days_raised > 0 and fire.factor_max > 1.0
    # The CSV holds every cell-day with fire and its excess flag.
    with (folder / "excess-fire.csv").open(encoding="utf-8") as handle:
        cells = list(csv.DictReader(handle))
    assert len(cells) == fire.cell_days
    assert sum(int(c["excess"]) for c in cells) == fire.excess
    assert sum(int(c["excess"]) and int(c["near_line"]) for c in cells) == fire.near_excess
    # News: raw reports and distinct events, and nothing invented against the sensors.
    reports = (folder / "open-reports.jsonl").read_text(encoding="utf-8").splitlines()
    events = (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert (len(reports), len(events)) == (news.raw, news.distinct) and news.distinct < news.raw
    assert sum(n for _kind, n, _d in news.by_type) == news.raw
    assert {status for status, _n in news.findings} <= {"no_coverage", "not_checkable"}
    assert news.incidents == 0 and "no sensor incidents for 2025 in this demo" in real.text()
    # What the summary and demo.txt say, and the report beside the files.
    rows = real.rows()
    assert [label for label, _t in rows] == ["ground", "fire", "news"]
    for (_label, text), credit in zip(rows, CREDITS, strict=True):
        assert text.endswith(credit) and len(f"{'':<11} {text}") <= 100
    assert f"{news.raw:,} reports → {news.distinct:,} distinct events" in rows[2][1]
    for name in ("line-changes.png", "excess-fire-map.png", "excess-fire-series.png"):
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert real.report == (folder / "channels.html", folder / "channels.pdf")
    assert all(credit in real.report[0].read_text(encoding="utf-8") for credit in
               (c.replace("&", "&amp;") for c in CREDITS))  # fmt: skip


def test_a_missing_folder_names_it_and_the_fix(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(InputError, match=r"no such folder\. Fix: pass --data DIR or set CEASE"):
        find_data(tmp_path / "nowhere")
    monkeypatch.setenv("CEASEWATCH_DATA", str(tmp_path / "elsewhere"))
    with pytest.raises(InputError, match=r"elsewhere \(from \$CEASEWATCH_DATA\)"):
        find_data()
    (tmp_path / "partial").mkdir()
    with pytest.raises(InputError, match=f"no {NEEDED[0]} in it"):
        find_data(tmp_path / "partial")


def test_demo_refuses_a_missing_data_folder_before_removing_anything(tmp_path: Path) -> None:
    kept = tmp_path / "demo" / "state" / "evidence.sqlite"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"earlier run")
    missing = tmp_path / "no-data"
    result = CliRunner().invoke(
        app, ["demo", "--out", str(tmp_path / "demo"), "--with-real-data", "--data", str(missing)]
    )
    assert result.exit_code == 2
    assert f"the shared data folder {missing}: no such folder" in result.output
    assert "Fix: pass --data DIR or set CEASEWATCH_DATA" in result.output
    assert kept.read_bytes() == b"earlier run"
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == ["state"]
