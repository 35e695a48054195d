"""Evaluation of the excess-fire detector on NASA FIRMS 2021 (baseline) and 2022 (war).

    python bench/excess_fire.py [--data ../shared/data] [--threshold 0.99] [--repeat 3]
                                [--out bench/results/excess-fire.json]

Writes the JSON and two PNGs beside it (``excess-fire-map.png``, ``excess-fire-series.png``):

- **near the front vs elsewhere** (2022): the share of land cell-days flagged in excess among
  cells whose centre lies within 10 km of the 2022-04-03 line of contact (the boundary of the
  occupied area, ORDLO and Crimea in the DeepStateMap snapshot, clipped to Ukraine, where it
  meets Ukrainian-held land), and elsewhere; by month; also against the 2025-12-31 line.
- **agreement with a record of fighting** (2022): VIINA covers 2025 only, so the independent
  daily record is the official air-raid alerts by oblast (from 2022-03-15): hours under alert
  per oblast-day against excess cells per oblast-day (Spearman, pooled and within each oblast;
  precision/recall of "an excess cell" against "an alert").
- **false excess** on 2021 itself: in-sample, and with weeks held out (fitted on even weeks,
  scored on odd weeks and the other way round), and on 2022 before the invasion (1 Jan – 23 Feb),
  each against the nominal rate (the mean over the same cell-days of the model's own probability
  of a flag, at most ``1 - threshold``).
- **throughput**: parsing a year of points with the array reader against the ingest adapter
  (``FirmsAdapter.parse``, the existing FIRMS path), fitting the baseline, scoring a year.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import shapely
from scipy import stats
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ceasewatch.agreement.catalog import resolve  # noqa: E402
from ceasewatch.agreement.front_line import SNAPSHOT_2022, front_from_snapshot  # noqa: E402
from ceasewatch.fusion import excess_fire as ef  # noqa: E402
from ceasewatch.fusion.excess_fire_control import control_factor, land_cells, scaled  # noqa: E402
from ceasewatch.fusion.fire_points import FirePoints, read_fire_points  # noqa: E402
from ceasewatch.ingest.adapters.firms import ADAPTER  # noqa: E402
from ceasewatch.ingest.base import Accepted  # noqa: E402
from ceasewatch.report.excess_fire import MapLine, draw_excess_map, draw_excess_series  # noqa: E402

SNAPSHOT = str(SNAPSHOT_2022)
ALERTS = "reports/air-raid-alerts/official_data_en_2022-03-15_2022-12-31.csv"
OBLAST = {  # alert dataset name -> basemap name
    "Cherkaska": "Cherkasy", "Chernihivska": "Chernihiv", "Chernivetska": "Chernivtsi",
    "Dnipropetrovska": "Dnipropetrovsk", "Donetska": "Donetsk", "Ivano-Frankivska":
    "Ivano-Frankivsk", "Kharkivska": "Kharkiv", "Khersonska": "Kherson", "Khmelnytska":
    "Khmelnytskyi", "Kirovohradska": "Kirovohrad", "Kyiv City": "Kyiv", "Kyivska": "Kyiv",
    "Lvivska": "Lviv", "Mykolaivska": "Mykolaiv", "Odeska": "Odessa", "Poltavska": "Poltava",
    "Rivnenska": "Rivne", "Sumska": "Sumy", "Ternopilska": "Ternopil", "Vinnytska": "Vinnytsia",
    "Volynska": "Volyn", "Zakarpatska": "Zakarpattia", "Zaporizka": "Zaporizhia",
    "Zhytomyrska": "Zhytomyr",
}  # fmt: skip


def oblasts() -> dict[str, shapely.Geometry]:
    path = ROOT / "src/ceasewatch/data/basemap/ukraine-oblasts.geojson"
    found: dict[str, list[shapely.Geometry]] = {}
    for f in json.loads(path.read_text())["features"]:
        found.setdefault(f["properties"]["name"], []).append(shape(f["geometry"]))
    return {name: shapely.union_all(parts) for name, parts in found.items()}


def line_2022(data: Path) -> shapely.Geometry:
    """The 2022-04-03 line of contact (ceasewatch.agreement.front_line)."""
    return front_from_snapshot((data / SNAPSHOT_2022).read_text(encoding="utf-8"), SNAPSHOT)


def alert_hours(data: Path, first_day: int, days: int, names: list[str]) -> np.ndarray:
    """Hours under an oblast-level air-raid alert, (oblast, day); the larger of city and oblast
    for Kyiv."""
    hours = np.zeros((len(names), days))
    index = {name: k for k, name in enumerate(names)}
    import csv

    with (data / ALERTS).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["level"] != "oblast":
                continue
            name = OBLAST.get(row["oblast"].replace(" oblast", ""))
            if name not in index:
                continue
            start = np.datetime64(row["started_at"][:19], "s").astype(np.int64) / 3600.0
            end = np.datetime64(row["finished_at"][:19], "s").astype(np.int64) / 3600.0
            for day in range(int(start // 24), int(end // 24) + 1):
                k = day - first_day
                if 0 <= k < days:
                    overlap = min(end, (day + 1) * 24.0) - max(start, day * 24.0)
                    hours[index[name], k] = max(hours[index[name], k], 0.0) + max(overlap, 0.0)
    return np.minimum(hours, 24.0)


def rate(flagged: int, cell_days: int) -> float:
    return round(flagged / cell_days, 6) if cell_days else float("nan")


def false_excess(base: ef.Baseline, pts: FirePoints, cells: tuple, doys: np.ndarray,
                 threshold: float) -> dict:  # fmt: skip
    """Flagged share of the land cell-days on ``doys`` against the model's nominal rate."""
    lx, ly = cells
    keep = np.isin(ef.day_of_year(pts.day), doys)
    scored = ef.detect(base, FirePoints(pts.lon_deg[keep], pts.lat_deg[keep], pts.day[keep]))
    on_land = _on(scored.ix, scored.iy, lx, ly)
    flagged = int((scored.excess(threshold) & on_land).sum())
    ix = np.repeat(lx, len(doys))
    iy = np.repeat(ly, len(doys))
    doy = np.tile(doys, len(lx))
    nominal = float(ef.flag_probability(base, threshold, ix, iy, doy).mean())
    total = len(lx) * len(doys)
    return {"cell_days": total, "flagged": flagged, "observed_rate": rate(flagged, total),
            "nominal_rate": round(nominal, 6), "bound": round(1 - threshold, 6)}  # fmt: skip


def _on(ix: np.ndarray, iy: np.ndarray, lx: np.ndarray, ly: np.ndarray) -> np.ndarray:
    key = lambda x, y: x * 100_003 + y  # noqa: E731
    return np.isin(key(ix, iy), key(lx, ly))


def timed(repeat: int, fn):  # type: ignore[no-untyped-def]
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def throughput(data: Path, repeat: int) -> tuple[dict, FirePoints, FirePoints, ef.Baseline]:
    raw21 = (data / "firms/firms_ukraine_latlondate_2021.csv").read_bytes()
    raw22 = (data / "firms/firms_ukraine_latlondate_2022.csv").read_bytes()
    t_read, p22 = timed(repeat, lambda: read_fire_points(raw22.decode(), "2022"))
    t_adapter, accepted = timed(
        1, lambda: sum(isinstance(r, Accepted) for r in ADAPTER.parse(raw22))
    )
    p21 = read_fire_points(raw21.decode(), "2021")
    t_fit, base = timed(1, lambda: ef.fit_baseline(p21))
    t_detect, scored = timed(repeat, lambda: ef.detect(base, p22))
    return (
        {
            "points_2022": len(p22),
            "read_arrays_s": round(t_read, 3),
            "read_arrays_records_per_s": round(len(p22) / t_read),
            "baseline_ingest_adapter_s": round(t_adapter, 3),
            "baseline_ingest_adapter_records_per_s": round(accepted / t_adapter),
            "speedup_over_adapter": round(t_adapter / t_read, 1),
            "fit_baseline_2021_s": round(t_fit, 3),
            "detect_2022_s": round(t_detect, 3),
            "detect_points_per_s": round(len(p22) / t_detect),
            "detect_cell_days_per_s": round(len(scored) / t_detect),
            "repeat": repeat,
        },
        p21,
        p22,
        base,
    )


def shares(scored: ef.CellDays, flagged: np.ndarray, near: np.ndarray, lx, ly, cell_near,
           days: np.ndarray) -> dict:  # fmt: skip
    """Flagged share of land cell-days, near and elsewhere, over ``days`` (day numbers)."""
    on = _on(scored.ix, scored.iy, lx, ly) & np.isin(scored.day, days)
    n_near, n_far = int(cell_near.sum()) * len(days), int((~cell_near).sum()) * len(days)
    f_near = int((flagged & near & on).sum())
    f_far = int((flagged & ~near & on).sum())
    r_near, r_far = rate(f_near, n_near), rate(f_far, n_far)
    return {"near_cell_days": n_near, "near_flagged": f_near, "near_share": r_near,
            "elsewhere_cell_days": n_far, "elsewhere_flagged": f_far, "elsewhere_share": r_far,
            "ratio": round(r_near / r_far, 2) if r_far else None}  # fmt: skip


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return round(float(stats.spearmanr(a, b).statistic), 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--threshold", type=float, default=0.99)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/excess-fire.json")
    args = parser.parse_args()
    thr, data = args.threshold, args.data
    speed, p21, p22, base = throughput(data, args.repeat)
    regions = oblasts()
    land = shapely.union_all(list(regions.values()))
    front22 = line_2022(data)
    front25 = shapely.union_all([part.geometry for part in resolve("ua-2026").lines])
    lx, ly = land_cells(land, base.settings.cell_m)
    clon, clat = ef.cell_centres(lx, ly, base.settings.cell_m)
    scored = ef.detect(base, p22)
    flagged = scored.excess(thr)
    year = np.arange(np.datetime64("2022-01-01"), np.datetime64("2023-01-01")).astype(np.int64)
    result: dict = {"threshold": thr, "cell_km": base.settings.cell_m / 1000,
                    "window_days": base.settings.window_days,
                    "dispersion_k": base.dispersion_k, "land_cells": len(lx),
                    "front_line_2022_km": None, "throughput": speed}  # fmt: skip
    from ceasewatch.model.geo import geodesic_length_m

    result["front_line_2022_km"] = round(geodesic_length_m(front22) / 1000, 1)
    cells = (lx, ly)
    for label, line in (("line_2022_04_03", front22), ("line_2025_12_31", front25)):
        result[label] = line_shares(scored, flagged, cells, (clon, clat), line, year)
    near22 = ef.near_line(scored.lon_deg, scored.lat_deg, [front22], 10_000.0)
    far = ~ef.near_line(clon, clat, [front22, front25], 50_000.0)
    factor = control_factor(base, p22, lx[far], ly[far])
    adjusted = scaled(base, factor)
    scored_adj = ef.detect(adjusted, p22)
    pre = p22.day < np.datetime64("2022-02-24").astype(np.int64)
    result["with_day_factor"] = {
        "control": "land cells more than 50 km from both lines",
        "control_cells": int(far.sum()),
        "factor_max": round(float(factor.max()), 2),
        "days_raised": int((factor > 1.0).sum()),
        "line_2022_04_03": line_shares(
            scored_adj, scored_adj.excess(thr), cells, (clon, clat), front22, year
        ),
        "pre_invasion_2022_01_01_to_02_23": false_excess(
            adjusted, FirePoints(p22.lon_deg[pre], p22.lat_deg[pre], p22.day[pre]), cells,
            np.arange(0, 54), thr,
        ),
    }  # fmt: skip
    result["false_excess"] = false_excess_checks(base, p21, p22, (lx, ly), thr)
    result["fighting_record"] = agreement_with_alerts(data, regions, scored, flagged)
    n_near = int(ef.near_line(clon, clat, [front22], 10_000.0).sum())
    on_land = _on(scored.ix, scored.iy, lx, ly)  # the series counts land cells, as the shares
    figures(args.out.parent, scored, flagged & on_land, near22, front22, front25, year, thr,
            (n_near, len(lx) - n_near))  # fmt: skip
    result["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "line_2025_12_31"}, indent=1))


def line_shares(scored: ef.CellDays, flagged: np.ndarray, cells: tuple, centres: tuple,
                line: shapely.Geometry, year: np.ndarray) -> dict:  # fmt: skip
    """Near-vs-elsewhere shares for the year, from the invasion on, and by month."""
    lx, ly = cells
    cell_near = ef.near_line(centres[0], centres[1], [line], 10_000.0)
    near = ef.near_line(scored.lon_deg, scored.lat_deg, [line], 10_000.0)
    war = year[year >= np.datetime64("2022-02-24").astype(np.int64)]
    block = {"all_2022": shares(scored, flagged, near, lx, ly, cell_near, year),
             "war_2022_02_24_on": shares(scored, flagged, near, lx, ly, cell_near, war),
             "by_month": {}}  # fmt: skip
    months = year.astype("datetime64[D]").astype("datetime64[M]")
    for month in np.unique(months):
        block["by_month"][str(month)] = shares(
            scored, flagged, near, lx, ly, cell_near, year[months == month]
        )
    return block


def held_out(base: ef.Baseline, p21: FirePoints, cells: tuple, thr: float, k: float) -> dict:
    """Fitted on even weeks and scored on odd weeks, and the other way round, summed."""
    every = np.arange(ef.DAYS)
    flagged, total, nominal = 0, 0, 0.0
    for parity in (0, 1):
        mask = (every // 7) % 2 == parity
        part = ef.fit_baseline(p21, base.settings, day_mask=mask, dispersion_k=k)
        checked = false_excess(part, p21, cells, every[~mask], thr)
        flagged += checked["flagged"]
        total += checked["cell_days"]
        nominal += checked["nominal_rate"] * checked["cell_days"]
    return {"dispersion_k": k, "cell_days": total, "flagged": flagged,
            "observed_rate": rate(flagged, total), "nominal_rate": round(nominal / total, 6),
            "bound": round(1 - thr, 6)}  # fmt: skip


def false_excess_checks(base: ef.Baseline, p21: FirePoints, p22: FirePoints, cells: tuple,
                        thr: float) -> dict:  # fmt: skip
    every = np.arange(ef.DAYS)
    out = {"in_sample_2021": false_excess(base, p21, cells, every, thr)}
    out["held_out_weeks_2021"] = held_out(base, p21, cells, thr, base.dispersion_k)
    # the same check with bursts ignored (k = 100: nearly Poisson), to show why k matters
    out["held_out_weeks_2021_without_bursts_k100"] = held_out(base, p21, cells, thr, 100.0)
    pre = p22.day < np.datetime64("2022-02-24").astype(np.int64)
    out["pre_invasion_2022_01_01_to_02_23"] = false_excess(
        base, FirePoints(p22.lon_deg[pre], p22.lat_deg[pre], p22.day[pre]), cells,
        np.arange(0, 54), thr,
    )  # fmt: skip
    return out


def agreement_with_alerts(data: Path, regions: dict, scored: ef.CellDays,
                          flagged: np.ndarray) -> dict:  # fmt: skip
    names = sorted(n for n in regions if n not in ("Luhansk", "Crimea", "Sevastopol"))
    first = int(np.datetime64("2022-03-15").astype(np.int64))
    days = int(np.datetime64("2023-01-01").astype(np.int64)) - first
    hours = alert_hours(data, first, days, names)
    fires = np.zeros((len(names), days))
    keep = flagged & (scored.day >= first)
    for k, name in enumerate(names):
        inside = keep & shapely.contains_xy(regions[name], scored.lon_deg, scored.lat_deg)
        fires[k] = np.bincount(scored.day[inside] - first, minlength=days)[:days]
    within = {name: spearman(fires[k], hours[k]) for k, name in enumerate(names)}
    rhos = [v for v in within.values() if v is not None]
    predicted, truth = fires > 0, hours > 0
    tp = int((predicted & truth).sum())
    share = {n: round(float(fires[k].sum()), 1) for k, n in enumerate(names)}
    return {
        "record": "official air-raid alerts by oblast, 2022-03-15..2022-12-31 (hours per day)",
        "oblasts": len(names), "oblast_days": len(names) * days,
        "excluded": "Luhansk (permanent alert from 2022-04-04, not listed), Crimea, Sevastopol",
        "spearman_pooled": spearman(fires.ravel(), hours.ravel()),
        "spearman_oblast_totals": spearman(fires.sum(axis=1), hours.sum(axis=1)),
        "spearman_within_oblast_median": round(float(np.median(rhos)), 3) if rhos else None,
        "spearman_within_oblast": within,
        "excess_day_vs_alert_day": {
            "precision": round(tp / max(int(predicted.sum()), 1), 3),
            "recall": round(tp / max(int(truth.sum()), 1), 3),
            "alert_day_share": round(float(truth.mean()), 3),
        },
        "excess_cell_days_by_oblast": share,
    }  # fmt: skip


def figures(folder: Path, scored: ef.CellDays, flagged: np.ndarray, near: np.ndarray,
            front22, front25, year: np.ndarray, thr: float,
            counts: tuple[int, int]) -> None:  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    pairs = np.stack([scored.ix, scored.iy], axis=1)[flagged]
    _, where, per_cell = np.unique(pairs, axis=0, return_index=True, return_counts=True)
    draw_excess_map(
        folder / "excess-fire-map.png",
        scored.lon_deg[flagged][where], scored.lat_deg[flagged][where], per_cell,
        [MapLine("line of contact 2022-04-03 (DeepStateMap)", front22),
         MapLine("line of contact 2025-12-31 (ua-2026)", front25)],
        f"NASA FIRMS 2022: cells with excess fire over the 2021 baseline (p ≥ {thr:g})",
    )  # fmt: skip
    first = int(year[0])
    cells_near, cells_far = counts
    near_series = np.bincount(scored.day[flagged & near] - first, minlength=len(year))
    far_series = np.bincount(scored.day[flagged & ~near] - first, minlength=len(year))
    draw_excess_series(
        folder / "excess-fire-series.png", year, 1000 * near_series / cells_near,
        1000 * far_series / cells_far,
        "NASA FIRMS 2022: share of land cells in excess fire per day (2021 baseline)",
        near_label="within 10 km of the 2022-04-03 line", ylabel="excess cells per 1,000 cells",
    )  # fmt: skip


if __name__ == "__main__":
    main()
