"""Control-map change detection: known synthetic changes, the noise rule, the CLI, real maps."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from shapely.geometry import box, mapping
from shapely.geometry.base import BaseGeometry
from typer.testing import CliRunner

from ceasewatch.agreement.line_diff import diff_control
from ceasewatch.agreement.line_read import map_date, read_occupied, ukraine
from ceasewatch.cli import app
from ceasewatch.errors import InputError
from ceasewatch.model.geo import LocalProjection, geodesic_area_m2

FRAME = LocalProjection.for_bounds(37.2, 48.3, 37.8, 48.7)  # near Kostiantynivka, in Ukraine
KM = 1000.0


def lonlat(geometry_m: BaseGeometry) -> BaseGeometry:
    return FRAME.geometry_to_lonlat(geometry_m)


def km2(geometry_m: BaseGeometry) -> float:
    return geodesic_area_m2(lonlat(geometry_m)) / 1e6


OLD_M = box(-20 * KM, -20 * KM, 0, 20 * KM)
BITE_M = box(0, -15 * KM, 2 * KM, -13 * KM)  # 4 km² taken by the occupier
POCKET_M = box(-3 * KM, 5 * KM, 0, 6.5 * KM)  # 4.5 km² taken back by the other side
SLIVER_M = box(0, 8 * KM, 100, 18 * KM)  # the same line re-drawn 100 m further: 1 km², noise
SMALL_M = box(0, -5 * KM, 700, -4.3 * KM)  # 0.49 km²: real but under the 1 km² minimum
NEW_M = OLD_M.union(BITE_M).union(SLIVER_M).union(SMALL_M).difference(POCKET_M)


def synthetic():  # type: ignore[no-untyped-def]
    return diff_control(lonlat(OLD_M), lonlat(NEW_M), t_from="2026-01-01", t_to="2026-02-01")


def test_known_changes_are_found_with_their_party_and_area() -> None:
    diff = synthetic()
    assert [c.party_gained for c in diff.changes] == ["UA", "RU"]  # largest first
    pocket, bite = diff.changes
    assert pocket.area_km2 == pytest.approx(km2(POCKET_M), rel=0.01)
    assert bite.area_km2 == pytest.approx(km2(BITE_M), rel=0.01)
    assert bite.area_km2 == pytest.approx(4.0, rel=0.01)
    assert bite.party_lost == "UA" and pocket.party_lost == "RU"
    assert bite.depth_m == pytest.approx(2000.0, rel=0.01)
    assert bite.front_m == pytest.approx(2000.0, rel=0.01)
    assert bite.max_width_m == pytest.approx(2000.0, rel=0.02)
    assert bite.geometry.buffer(1e-9).contains(lonlat(BITE_M.centroid))


def test_sliver_is_noise_and_small_change_is_counted_not_reported() -> None:
    diff = synthetic()
    ru = diff.occupier_gained
    assert ru.noise_km2 == pytest.approx(km2(SLIVER_M), rel=0.02)
    assert ru.small_count == 1
    assert ru.small_km2 == pytest.approx(km2(SMALL_M), rel=0.02)
    assert diff.other_gained.noise_km2 == pytest.approx(0.0, abs=1e-3)
    # the accounting closes: the occupied-area change is the net plus what the rule removed
    removed = ru.noise_km2 + ru.small_km2
    assert diff.residual_km2 == pytest.approx(removed, abs=0.01)
    assert diff.occupied_change_km2 == pytest.approx(4.0 + 1.0 + 0.49 - 4.5, abs=0.03)


def test_a_lower_minimum_reports_the_small_change_and_no_opening_keeps_the_sliver() -> None:
    diff = diff_control(lonlat(OLD_M), lonlat(NEW_M), min_area_km2=0.1, sliver_half_width_m=0)
    areas = sorted(round(c.area_km2, 1) for c in diff.changes)
    assert areas == [0.5, 1.0, 4.0, 4.5]


def test_ids_are_deterministic_and_depend_on_content() -> None:
    first, second = synthetic(), synthetic()
    assert [c.change_id for c in first.changes] == [c.change_id for c in second.changes]
    assert len({c.change_id for c in first.changes}) == 2
    swapped = diff_control(lonlat(NEW_M), lonlat(OLD_M))
    assert {c.change_id for c in swapped.changes}.isdisjoint({c.change_id for c in first.changes})
    assert sorted(c.party_gained for c in swapped.changes) == ["RU", "UA"]


def test_clipping_drops_polygons_outside_ukraine() -> None:
    outside = box(10.0, 50.0, 10.5, 50.5)  # a satirical "occupied" polygon in Germany
    diff = diff_control(
        lonlat(OLD_M), lonlat(NEW_M).union(outside), mask=ukraine(), t_from="a", t_to="b"
    )
    assert len(diff.changes) == 2
    assert all(c.lon > 30 for c in diff.changes)


def test_map_date_reads_the_file_name() -> None:
    assert map_date("deepstatemap_data_20251231.geojson") == "2025-12-31"
    assert map_date("old.geojson") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not json", "not JSON"),
        ('{"features": []}', "not GeoJSON"),
        ('{"type": "Point", "coordinates": [37, 48]}', "no Polygon"),
        (
            '{"type": "FeatureCollection", "crs": {"type": "name", "properties": '
            '{"name": "urn:ogc:def:crs:EPSG::32637"}}, "features": []}',
            "not lon/lat",
        ),
        ('{"type": "Polygon", "coordinates": [[[0,0],[5e5,0],[5e5,5e5],[0,0]]]}', "not lon/lat"),
    ],
)
def test_bad_maps_are_named_with_a_fix(text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        read_occupied(text, "maps/bad.geojson")
    assert "maps/bad.geojson" in str(caught.value)
    assert expected in str(caught.value)
    assert "Fix:" in str(caught.value)


def write_map(path: Path, geometry: BaseGeometry) -> Path:
    feature = {"type": "Feature", "properties": {}, "geometry": mapping(geometry)}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def test_cli_prints_maps_and_writes_evidence(tmp_path: Path) -> None:
    old = write_map(tmp_path / "line_20260101.geojson", lonlat(OLD_M))
    new = write_map(tmp_path / "line_20260201.geojson", lonlat(NEW_M))
    png, jsonl, geojson = tmp_path / "m.png", tmp_path / "c.jsonl", tmp_path / "c.geojson"
    args = ["line", "diff", str(old), str(new), "--map", str(png)]
    result = CliRunner().invoke(app, [*args, "--json", str(jsonl), "--geojson", str(geojson)])
    assert result.exit_code == 0, result.output
    assert "2026-01-01 → 2026-02-01: 2 areas ≥ 1 km² changed hands" in result.output
    assert "RU gained     4.00 km²" in result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [r["properties"]["party_gained"] for r in records] == ["UA", "RU"]
    first = records[0]["properties"]
    assert first["t_from"] == "2026-01-01" and first["t_to"] == "2026-02-01"
    assert first["change_id"].startswith("lc-") and len(first["position"]) == 2
    collection = json.loads(geojson.read_text())
    assert len(collection["features"]) == 2
    assert collection["properties"]["RU_gained"]["small_count"] == 1


def test_cli_names_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "LineString", "coordinates": [[37, 48], [38, 48]]}')
    good = write_map(tmp_path / "good.geojson", lonlat(OLD_M))
    result = CliRunner().invoke(app, ["line", "diff", str(good), str(bad)])
    assert result.exit_code == 2
    assert "bad.geojson" in result.output and "no Polygon" in result.output
    missing = CliRunner().invoke(app, ["line", "diff", str(good), str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "no such file" in missing.output


SERIES = (
    Path(os.environ.get("CEASEWATCH_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
    / "loc"
    / "deepstate-occupied-monthly"
)


@pytest.mark.skipif(not SERIES.is_dir(), reason="needs ../shared/data (the monthly line series)")
def test_real_month_net_matches_the_occupied_area_change() -> None:
    def read(name: str) -> BaseGeometry:
        path = SERIES / name
        return read_occupied(path.read_text(encoding="utf-8"), str(path))

    diff = diff_control(
        read("deepstatemap_data_20251201.geojson"),
        read("deepstatemap_data_20251231.geojson"),
        mask=ukraine(),
    )
    assert len(diff.changes) >= 5
    assert diff.occupier_gained.reported_km2 > 100  # December 2025: several hundred km²
    removed = (diff.occupier_gained.noise_km2 + diff.occupier_gained.small_km2) - (
        diff.other_gained.noise_km2 + diff.other_gained.small_km2
    )
    assert diff.residual_km2 == pytest.approx(removed, abs=0.05)
    # documented bound: the noise rule removes under 5 % of the month's change and under 15 km²
    assert abs(diff.residual_km2) < max(0.05 * abs(diff.occupied_change_km2), 1.0)
    assert abs(diff.residual_km2) < 15.0
