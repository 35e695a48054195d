"""Excess fire: a synthetic year of seasonal burning, injected excess, the reader, the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.errors import InputError
from ceasewatch.fusion import excess_fire as ef
from ceasewatch.fusion.fire_points import FirePoints, read_fire_points

CELL_M = 10_000.0
K_TRUE = 0.5
JAN1 = {2021: int(np.datetime64("2021-01-01").astype(np.int64)),
        2022: int(np.datetime64("2022-01-01").astype(np.int64))}  # fmt: skip


def block(ix0: int = 40, iy0: int = -10, n: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """A 12 × 12 block of cells near Donetsk (ix 40 ≈ 37.1°E in the grid's projection)."""
    gx, gy = np.meshgrid(np.arange(ix0, ix0 + n), np.arange(iy0, iy0 + n))
    return gx.ravel(), gy.ravel()


def rates(ix: np.ndarray) -> np.ndarray:
    """Expected fires per cell and day of the year: spring and late-summer burning seasons,
    and cells that burn more than others (fixed, not random)."""
    doy = np.arange(ef.DAYS)
    season = (
        0.02
        + 0.6 * np.exp(-(((doy - 100) / 15.0) ** 2))
        + 0.4 * np.exp(-(((doy - 220) / 20.0) ** 2))
    )
    weight = 0.5 + (np.arange(len(ix)) % 5) / 4.0
    return weight[:, None] * season[None, :]


def simulate(
    year: int, seed: int, extra: dict[tuple[int, int, int], int] | None = None, scale: float = 1.0
) -> FirePoints:
    """Negative-binomial day counts (size K_TRUE) around ``scale`` × the seasonal rates;
    ``extra`` adds fires to (cell index, doy, tag) → count."""
    rng = np.random.default_rng(seed)
    ix, iy = block()
    mu = scale * rates(ix)
    counts = rng.negative_binomial(K_TRUE, K_TRUE / (K_TRUE + mu))
    for (c, doy, _tag), n in (extra or {}).items():
        counts[c, doy] += n
    cell, doy = np.nonzero(counts)
    reps = counts[cell, doy]
    cell, doy = np.repeat(cell, reps), np.repeat(doy, reps)
    lon, lat = ef.cell_centres(ix[cell], iy[cell], CELL_M)
    jitter = rng.uniform(-0.02, 0.02, size=(2, len(cell)))  # ±1.5 km, inside the 10 km cell
    return FirePoints(lon + jitter[0], lat + jitter[1], JAN1[year] + doy)


@pytest.fixture(scope="module")
def baseline() -> ef.Baseline:
    return ef.fit_baseline(simulate(2021, seed=1))


def test_dispersion_is_recovered_roughly(baseline: ef.Baseline) -> None:
    assert 0.25 <= baseline.dispersion_k <= 1.0


def test_injected_excess_is_detected(baseline: ef.Baseline) -> None:
    injected = {(c, doy, 0): 12 for c in (5, 40, 77, 100, 131) for doy in (30, 95, 180, 300)}
    scored = ef.detect(baseline, simulate(2022, seed=2, extra=injected))
    cell_ix, cell_iy = block()
    found = []
    for c, doy, _ in injected:
        at = (scored.ix == cell_ix[c]) & (scored.iy == cell_iy[c])
        at &= scored.day == JAN1[2022] + doy
        assert at.sum() == 1
        found.append(float(scored.p_excess[at][0]))
    assert np.mean(np.array(found) >= 0.99) >= 0.9  # 12 extra fires, even in the burning season
    assert min(found) >= 0.95


def test_seasonal_burning_at_the_baseline_rate_stays_near_nominal(baseline: ef.Baseline) -> None:
    threshold = 0.99
    scored = ef.detect(baseline, simulate(2022, seed=3))
    ix, iy = block()
    cells_ix = np.repeat(ix, ef.DAYS)
    cells_iy = np.repeat(iy, ef.DAYS)
    doy = np.tile(np.arange(ef.DAYS), len(ix))
    nominal = float(ef.flag_probability(baseline, threshold, cells_ix, cells_iy, doy).mean())
    observed = float(scored.excess(threshold).sum()) / len(doy)
    assert 0.0 < nominal <= 1 - threshold
    assert abs(observed - nominal) <= 0.5 * nominal  # fixed seed: 52,560 cell-days
    # a year with four times the burning everywhere is flagged far more often
    more = ef.detect(baseline, simulate(2022, seed=3, scale=4.0))
    assert more.excess(threshold).sum() / len(doy) > 3 * nominal


def test_flag_probability_matches_scipy() -> None:
    rng = np.random.default_rng(5)
    mu, r = rng.uniform(0.0, 6.0, 2000), rng.uniform(0.02, 4.0, 2000)
    p = r / (r + mu)
    expected = stats.nbinom.sf(stats.nbinom.ppf(0.99, r, p), r, p)
    assert np.allclose(ef.nb_flag_probability(mu, r, 0.99), expected, atol=1e-12)


def test_sparse_cells_are_never_zero(baseline: ef.Baseline) -> None:
    far_ix, far_iy = np.array([-60]), np.array([30])  # far outside the fitted block
    mu, alpha = baseline.posterior(far_ix, far_iy, np.array([100]))
    assert mu[0] > 0 and alpha[0] > 0


def test_reader_takes_both_forms() -> None:
    short = "LATITUDE,LONGITUDE,ACQ_DATE\n48.1,37.5,2022-03-01\n\n48.2,37.6,2022-03-02\n"
    full = (
        "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,"
        "confidence,version,bright_ti5,frp,daynight\n"
        '48.1,37.5,330.1,0.4,0.4,2022-03-01,1040,N,VIIRS,n,"2.0NRT",290.2,3.1,D\n'
    )
    a = read_fire_points(short, "short.csv")
    b = read_fire_points(full, "full.csv")
    assert len(a) == 2 and len(b) == 1
    assert a.lon_deg[0] == 37.5 and a.lat_deg[0] == 48.1
    assert b.day[0] == a.day[0] == int(np.datetime64("2022-03-01").astype(np.int64))


@pytest.mark.parametrize(
    ("text", "where", "fix"),
    [
        ("", "empty", "header"),
        ("lat,lon,date\n48,37,2022-01-01\n", "line 1", "acq_date"),
        ("latitude,longitude,acq_date\n48.1,37.5,2022-01-01\n95,37.5,2022-01-02\n", "line 3",
         "decimal degrees"),
        ("latitude,longitude,acq_date\n48.1,east,2022-01-01\n", "line 2", "decimal degrees"),
        ("latitude,longitude,acq_date\n48.1,37.5,01/03/2022\n", "line 2", "YYYY-MM-DD"),
        ("latitude,longitude,acq_date\n48.1,37.5,2022-01-01\n48.1,37.5,20220301\n", "line 3",
         "YYYY-MM-DD"),
        ("latitude,longitude,acq_date\n48.1,37.5,2022-02-30\n", "line 2", "YYYY-MM-DD"),
        ("latitude,longitude,acq_date\n48.1,37.5\n", "line 2", "one value per header column"),
    ],
)  # fmt: skip
def test_bad_input_names_file_line_and_fix(text: str, where: str, fix: str) -> None:
    with pytest.raises(InputError) as caught:
        read_fire_points(text, "fires.csv")
    message = str(caught.value)
    assert "fires.csv" in message and where in message and fix in message


def _write(path: Path, points: FirePoints) -> Path:
    dates = points.day.astype("datetime64[D]").astype(str)
    rows = [f"{lat:.5f},{lon:.5f},{d}" for lon, lat, d in
            zip(points.lon_deg, points.lat_deg, dates, strict=True)]  # fmt: skip
    path.write_text("LATITUDE,LONGITUDE,ACQ_DATE\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_cli_end_to_end(tmp_path: Path) -> None:
    base = _write(tmp_path / "firms_2021.csv", simulate(2021, seed=1))
    year = _write(tmp_path / "firms_2022.csv", simulate(2022, seed=2, extra={(5, 95, 0): 20}))
    out = tmp_path / "fire"
    result = CliRunner().invoke(
        app, ["firms", "excess", "--baseline", str(base), "--year", str(year), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    for name in ("excess-fire-map.png", "excess-fire-series.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    lines = (out / "excess-fire.csv").read_text().splitlines()
    assert lines[0] == "lon,lat,cell,date,count,expected,p_excess,excess,near_line"
    injected = [row.split(",") for row in lines if ",2022-04-06," in row]
    top = max(injected, key=lambda row: int(row[4]))
    assert int(top[4]) >= 20 and top[7] == "1"


def test_cli_bad_file_exits_2_naming_it(tmp_path: Path) -> None:
    base = tmp_path / "firms_2021.csv"
    base.write_text("latitude,longitude\n48,37\n", encoding="utf-8")
    year = _write(tmp_path / "firms_2022.csv", simulate(2022, seed=2))
    result = CliRunner().invoke(
        app, ["firms", "excess", "--baseline", str(base), "--year", str(year)]
    )
    assert result.exit_code == 2
    assert "firms_2021.csv, line 1" in result.output and "acq_date" in result.output


def test_day_factor_absorbs_a_country_wide_busy_year(baseline: ef.Baseline) -> None:
    from ceasewatch.fusion.excess_fire_control import control_factor, scaled

    threshold = 0.99
    ix, iy = block()
    control = np.arange(len(ix)) >= 72  # the northern half of the block is the control area
    busy = simulate(2022, seed=4, scale=3.0, extra={(10, 200, 0): 40})
    factor = control_factor(baseline, busy, ix[control], iy[control])
    assert factor.shape == (ef.DAYS,) and factor.min() >= 1.0
    assert np.median(factor[90:240]) > 2.0  # the busy season is seen as about three times
    plain, adjusted = ef.detect(baseline, busy), ef.detect(scaled(baseline, factor), busy)
    assert adjusted.excess(threshold).sum() < 0.5 * plain.excess(threshold).sum()
    at = (adjusted.ix == ix[10]) & (adjusted.iy == iy[10]) & (adjusted.day == JAN1[2022] + 200)
    assert adjusted.p_excess[at][0] >= 0.99  # a real excess on top of the busy season stays
    with pytest.raises(ValueError):
        scaled(baseline, np.zeros(ef.DAYS))
