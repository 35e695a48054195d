"""Coverage along the line in the report: reading ``coverage-line.jsonl``, the mean over the
report's window per 10 km stretch, the editions that drop it, and the map that draws it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.image import imread

from ceasewatch.adjudication.coverage_inputs import main_line, point_at
from ceasewatch.agreement.catalog import resolve
from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.time import format_ns
from ceasewatch.report.daily_coverage import line_coverage
from ceasewatch.report.daily_figures import map_figure
from ceasewatch.report.daily_inputs import read_adjudication
from ceasewatch.report.daily_record import build_record, day_window
from ceasewatch.report.daily_types import Record
from ceasewatch.report.editions import edition
from ceasewatch.report.map_coverage import SCALE
from ceasewatch.report.map_layers import map_projection

from .daily_scenario import write_scenario

HOUR_NS = 3600 * 10**9
DAY = "2026-02-18"
BLIND, PARTLY, SEEN = 66, 96, 108  # stretches of the main line, far from the scenario's dots


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    return resolve("ua-2026")


def _row(agreement: Agreement, stretch: int, hour: str, fire: float) -> dict[str, Any]:
    line_id, lon, lat, chain = main_line(agreement)
    start_m, end_m = stretch * 10_000.0, min((stretch + 1) * 10_000.0, float(chain[-1]))
    mlon, mlat = point_at(lon, lat, chain, np.array([(start_m + end_m) / 2]))
    return {"line_id": line_id, "stretch": stretch, "from_km": round(start_m / 1000, 3),
            "to_km": round(end_m / 1000, 3), "middle": [float(mlon[0]), float(mlat[0])],
            "sector": "donetsk", "hour": hour, "acoustic": fire, "radar": 0.0, "uav": 0.0,
            "camera": 0.0, "observer": 0.0, "satellite": 0.0, "fire": fire,
            "any": fire}  # fmt: skip


def _day_rows(agreement: Agreement, shares: dict[int, float]) -> list[dict[str, Any]]:
    """Every stretch of the main line, every hour of the day: fully observed but ``shares``."""
    count = int(np.ceil(main_line(agreement)[3][-1] / 10_000.0))
    start, _ = day_window(DAY)
    hours = [format_ns(start + h * HOUR_NS, 0) for h in range(24)]
    return [_row(agreement, k, t, shares.get(k, 1.0)) for k in range(count) for t in hours]


def _write(folder: Path, rows: list[dict[str, Any]]) -> Path:
    write_scenario(folder)
    text = "".join(json.dumps(r) + "\n" for r in rows)
    (folder / "coverage-line.jsonl").write_text(text, encoding="utf-8")
    return folder


def _record(folder: Path, agreement: Agreement) -> Record:
    start, end = day_window(DAY)
    return build_record(read_adjudication(folder), agreement, start, end)


# -- reading --------------------------------------------------------------------------------------


def test_missing_file_reads_as_unknown(tmp_path: Path, agreement: Agreement) -> None:
    files = read_adjudication(write_scenario(tmp_path))
    assert files.coverage_line is None
    assert _record(tmp_path, agreement).line_coverage == ()


def test_present_file_is_read(tmp_path: Path, agreement: Agreement) -> None:
    rows = [_row(agreement, 3, "2026-02-18T00:00:00Z", 0.5)]
    files = read_adjudication(_write(tmp_path, rows))
    assert files.coverage_line is not None and len(files.coverage_line) == 1
    assert files.coverage_line[0]["stretch"] == 3


# -- the mean over the window ---------------------------------------------------------------------


def test_window_mean_of_hand_made_rows(agreement: Agreement) -> None:
    rows = [
        _row(agreement, 3, "2026-02-17T23:00:00Z", 0.0),  # the day before: left out
        _row(agreement, 3, "2026-02-18T00:00:00Z", 0.2),
        _row(agreement, 3, "2026-02-18T01:00:00Z", 0.6),
        _row(agreement, 3, "2026-02-18T02:00:00Z", 1.0),
        _row(agreement, 3, "2026-02-19T00:00:00Z", 0.0),  # the day after: left out
        _row(agreement, 4, "2026-02-18T05:00:00Z", 0.1),
    ]
    start, end = day_window(DAY)
    found = {s.stretch: s for s in line_coverage(rows, agreement, start, end)}
    assert sorted(found) == [3, 4]
    assert found[3].observable == pytest.approx(0.6) and found[3].hours == 3
    assert found[4].observable == pytest.approx(0.1) and found[4].hours == 1
    # a window from 00:30 to 02:00: half of hour 0, all of hour 1
    half = line_coverage(rows, agreement, start + HOUR_NS // 2, start + 2 * HOUR_NS)
    assert [s.stretch for s in half] == [3]
    assert half[0].observable == pytest.approx((0.2 * 0.5 + 0.6) / 1.5, abs=1e-4)
    assert half[0].hours == 2
    assert line_coverage(None, agreement, start, end) == ()
    assert line_coverage(rows, agreement, end + 2 * HOUR_NS, end + 3 * HOUR_NS) == ()


def test_geometry_is_the_stretch_of_the_main_line(agreement: Agreement) -> None:
    start, end = day_window(DAY)
    (segment,) = line_coverage([_row(agreement, 3, DAY + "T00:00:00Z", 1.0)], agreement, start, end)
    _, lon, lat, chain = main_line(agreement)
    first = point_at(lon, lat, chain, np.array([30_000.0]))
    assert segment.vertices[0] == pytest.approx((first[0][0], first[1][0]), abs=1e-6)
    xy = np.array(segment.vertices)
    steps = geodesic_distance_m(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    assert float(np.sum(steps)) == pytest.approx(10_000.0, abs=5.0)
    assert (segment.from_km, segment.to_km) == (30.0, 40.0)


def test_rows_of_another_line_or_malformed_are_refused(agreement: Agreement) -> None:
    start, end = day_window(DAY)
    other = {**_row(agreement, 3, DAY + "T00:00:00Z", 1.0), "line_id": "elsewhere"}
    with pytest.raises(InputError, match="not on ua-2026's main line"):
        line_coverage([other], agreement, start, end)
    too_far = {**_row(agreement, 3, DAY + "T00:00:00Z", 1.0), "from_km": 5000.0, "to_km": 5010.0}
    with pytest.raises(InputError, match="agreement the adjudication used"):
        line_coverage([too_far], agreement, start, end)
    no_fire = {k: v for k, v in _row(agreement, 3, DAY + "T00:00:00Z", 1.0).items() if k != "fire"}
    with pytest.raises(InputError, match="row 1: needs"):
        line_coverage([no_fire], agreement, start, end)


# -- editions and the map -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory, agreement: Agreement) -> Record:
    rows = _day_rows(agreement, {BLIND: 0.0, PARTLY: 0.5})
    return _record(_write(tmp_path_factory.mktemp("adjudication"), rows), agreement)


def test_only_the_full_edition_has_line_coverage(full: Record) -> None:
    by = {s.stretch: s.observable for s in full.line_coverage}
    assert by[BLIND] == 0.0 and by[PARTLY] == 0.5 and by[SEEN] == 1.0
    assert all(s.hours == 24 for s in full.line_coverage)
    for name in ("public", "party:RU", "party:UA"):
        cut = edition(full, name)
        assert cut.line_coverage == (), name
        assert cut.sectors == full.sectors  # the per-sector statements stay


def _near(image: np.ndarray, at: tuple[int, int], colour: Any, within: float = 0.06) -> int:
    """How many pixels within 5 px of ``at`` (column, row) are within ``within`` of ``colour``."""
    column, row = at
    patch = image[row - 5 : row + 6, column - 5 : column + 6, :3]
    return int((np.abs(patch - np.asarray(colour)[:3]).max(axis=2) < within).sum())


def _rendered(
    record: Record, agreement: Agreement
) -> tuple[np.ndarray, dict[int, tuple[int, int]]]:
    """The map as an RGB array, and the pixel (column, row) of the middle of each stretch."""
    figure, ax = map_figure(record, agreement, dpi=110)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)  # draws: the axes take their final place
    image = imread(io.BytesIO(buffer.getvalue()))
    _, lon, lat, chain = main_line(agreement)
    projection = map_projection(agreement)
    pixels = {}
    for k in (BLIND, PARTLY, SEEN):
        mlon, mlat = point_at(lon, lat, chain, np.array([k * 10_000.0 + 5_000.0]))
        x, y = projection.to_xy(mlon, mlat)
        column, up = ax.transData.transform((float(x[0]), float(y[0])))
        pixels[k] = (round(column), image.shape[0] - round(up))
    return image, pixels


def test_map_colours_the_line_by_observable_share(full: Record, agreement: Agreement) -> None:
    image, at = _rendered(full, agreement)
    blind, partly, seen = SCALE(0.0), SCALE(0.5), SCALE(1.0)
    assert _near(image, at[BLIND], blind) >= 4  # the dark core shows between the white gaps
    assert _near(image, at[PARTLY], partly) >= 4 and _near(image, at[PARTLY], blind) == 0
    assert _near(image, at[SEEN], seen, within=0.03) >= 4 and _near(image, at[SEEN], blind) == 0
    public, _ = _rendered(edition(full, "public"), agreement)
    for k in (BLIND, PARTLY):
        assert _near(public, at[k], blind) == 0 and _near(public, at[k], partly) == 0
