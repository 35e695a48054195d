"""Line-change benchmark: every consecutive pair of the monthly DeepStateMap control maps,
2024-07 → 2025-12, through ``diff_control``, written to ``bench/results/line-changes.json`` with a
plot in ``bench/results/line-changes.png``.

Per month: the changes ≥ 1 km² (id, party that gained, km², place), km² gained by each side,
the net (occupier gains − other-party gains) against area(NEW) − area(OLD) (both clipped to
Ukraine), and the residual — what the noise rule (slivers under 400 m wide) and the 1 km²
minimum removed, split by kind and side. Wall time per pair and in total.

The maps are read from ``$CEASEWATCH_DATA/loc/deepstate-occupied-monthly`` (default
``../shared/data`` beside the repository).

    .venv/bin/python bench/line_changes.py [--min-km2 1] [--sliver-m 200]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ceasewatch import __version__  # noqa: E402
from ceasewatch.agreement.line_diff import diff_control  # noqa: E402
from ceasewatch.agreement.line_read import (  # noqa: E402
    diff_summary,
    map_date,
    oblasts,
    read_occupied,
    ukraine,
)
from ceasewatch.model.places import Gazetteer  # noqa: E402

SERIES = "loc/deepstate-occupied-monthly"


def series_folder() -> Path:
    base = Path(os.environ.get("CEASEWATCH_DATA", ROOT.parent / "shared" / "data"))
    folder = base / SERIES
    if not folder.is_dir():
        sys.exit(
            f"missing {folder}: set CEASEWATCH_DATA to the shared data folder "
            "(it holds loc/deepstate-occupied-monthly/)"
        )
    return folder


def run(min_km2: float, sliver_m: float) -> dict[str, Any]:
    files = sorted(series_folder().glob("deepstatemap_data_*.geojson"))
    gazetteer, mask, units = Gazetteer.default(), ukraine(), oblasts()
    maps = {f: read_occupied(f.read_text(encoding="utf-8"), str(f)) for f in files}
    months = []
    started = time.perf_counter()
    for old, new in zip(files, files[1:], strict=False):
        t0 = time.perf_counter()
        diff = diff_control(
            maps[old],
            maps[new],
            t_from=map_date(old.name),
            t_to=map_date(new.name),
            mask=mask,
            oblasts=units,
            gazetteer=gazetteer,
            min_area_km2=min_km2,
            sliver_half_width_m=sliver_m,
        )
        seconds = time.perf_counter() - t0
        summary = diff_summary(diff)
        summary["seconds"] = round(seconds, 3)
        summary["list"] = [
            {
                "change_id": c.change_id,
                "party_gained": c.party_gained,
                "area_km2": round(c.area_km2, 2),
                "position": [c.lon, c.lat],
                "place": c.place,
                "oblast": c.oblast,
                "depth_m": c.depth_m,
            }
            for c in diff.changes
        ]
        months.append(summary)
        ru, ua = summary["RU_gained"], summary["UA_gained"]
        print(
            f"{diff.t_from} → {diff.t_to}: {len(diff.changes):3d} changes, RU +"
            f"{ru['reported_km2']:7.1f}, UA +{ua['reported_km2']:6.1f}, net "
            f"{summary['net_km2']:+7.1f} vs occupied {summary['occupied_change_km2']:+7.1f}, "
            f"residual {summary['residual_km2']:+6.2f} km² ({seconds:.1f} s)"
        )
    total = time.perf_counter() - started
    return {
        "benchmark": "line-changes",
        "version": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "source": "DeepStateMap via cyterat/deepstate-map-data (monthly occupied area, CRS84)",
        "min_area_km2": min_km2,
        "sliver_half_width_m": sliver_m,
        "pairs": len(months),
        "seconds_total": round(total, 2),
        "totals": _totals(months),
        "months": months,
    }


def _totals(months: list[dict[str, Any]]) -> dict[str, float]:
    def total(path: tuple[str, ...]) -> float:
        out = 0.0
        for month in months:
            value: Any = month
            for key in path:
                value = value[key]
            out += float(value)
        return round(out, 2)

    abs_residual = round(sum(abs(m["residual_km2"]) for m in months), 2)
    return {
        "changes": sum(m["changes"] for m in months),
        "RU_gained_km2": total(("RU_gained", "reported_km2")),
        "UA_gained_km2": total(("UA_gained", "reported_km2")),
        "net_km2": total(("net_km2",)),
        "occupied_change_km2": total(("occupied_change_km2",)),
        "residual_km2": total(("residual_km2",)),
        "abs_residual_km2": abs_residual,
        "noise_removed_km2": round(
            total(("RU_gained", "noise_km2")) + total(("UA_gained", "noise_km2")), 2
        ),
        "small_removed_km2": round(
            total(("RU_gained", "small_km2")) + total(("UA_gained", "small_km2")), 2
        ),
        "raw_difference_km2": round(
            total(("RU_gained", "raw_km2")) + total(("UA_gained", "raw_km2")), 2
        ),
    }


def plot(result: dict[str, Any], out: Path) -> None:
    from matplotlib.figure import Figure

    months = result["months"]
    labels = [m["t_to"] for m in months]
    x = range(len(months))
    ru = [m["RU_gained"]["reported_km2"] for m in months]
    ua = [-m["UA_gained"]["reported_km2"] for m in months]
    figure = Figure(figsize=(10, 5), layout="constrained")
    axes = figure.add_subplot()
    axes.bar(x, ru, color="#E69F00", label="gained by RU (changes ≥ 1 km²)")
    axes.bar(x, ua, color="#0072B2", label="gained by UA (shown negative)")
    axes.plot(x, [m["net_km2"] for m in months], "k-o", ms=4, label="net of the changes")
    axes.plot(
        x,
        [m["occupied_change_km2"] for m in months],
        ls="--",
        marker="x",
        color="#CC79A7",
        label="change of the occupied area",
    )
    axes.axhline(0, color="#777777", lw=0.6)
    axes.set_xticks(list(x), labels, rotation=45, ha="right", fontsize=8)
    axes.set_ylabel("km² between consecutive maps (date of the later map)")
    axes.set_title("Ground that changed hands, month by month (DeepStateMap, clipped to Ukraine)")
    axes.legend(fontsize=8)
    figure.text(0.01, 0.005, "DeepStateMap via cyterat/deepstate-map-data", fontsize=6)
    figure.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-km2", type=float, default=1.0)
    parser.add_argument("--sliver-m", type=float, default=200.0)
    args = parser.parse_args()
    result = run(args.min_km2, args.sliver_m)
    out = ROOT / "bench" / "results" / "line-changes.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    plot(result, out.with_suffix(".png"))
    print(json.dumps(result["totals"], indent=1))
    print(f"wrote {out} and {out.with_suffix('.png')} in {result['seconds_total']} s")


if __name__ == "__main__":
    main()
