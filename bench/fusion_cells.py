"""Benchmark of cell-by-cell acoustic fusion (sector × day, :mod:`ceasewatch.fusion.cells`)
against the time windows over the whole line that ``replay`` and the demo used before (the
named baseline), on the simulated peak day with its truth, in one run.

    python bench/fusion_cells.py [--scenario peak-day] [--anchors-km 10,20,30,45]
                                 [--windows-h 24] [--out bench/results/fusion-cells.json]

Every way runs in this process, one after the other, on one core (``workers=1``), and is
scored by ``ceasewatch.sim.scoring.score.score`` against the scenario's acoustic truth
(``bench/fusion_scenarios.py``). The ``cells`` ways differ only in how close to its sector a
sensor must be for its picks to start a search (``--anchors-km``) and in the length of
their time windows (``--windows-h``): at 45 km (the acoustic
reach) every sensor of the halo anchors, as ``reprocess`` did before the limit. CPU seconds
are the process's (the machine's two cores are shared, so wall time is noisier).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from fusion import measured  # noqa: E402  (the fusion bench's scorer summary)
from fusion_scenarios import ensure  # noqa: E402


def way(name: str, fuse: Any, truth: Path) -> dict[str, Any]:
    """Run ``fuse()`` (→ events), write them, score them; the seconds it took."""
    from ceasewatch.fusion.files import write_jsonl

    print(f"[{name}] fusing", flush=True)
    wall, cpu = time.perf_counter(), time.process_time()
    events, extra = fuse()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    with tempfile.TemporaryDirectory(prefix="ceasewatch-cells-") as folder:
        write_jsonl(Path(folder) / "events.jsonl", [e.to_json() for e in events])
        scores = measured(truth, Path(folder))
    print(f"[{name}] {len(events):,} events in {cpu:.1f} CPU-s; F1 {scores['f1']:.4f}", flush=True)
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1), **extra, **scores}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="peak-day")
    parser.add_argument("--anchors-km", default="10,20,30,45")
    parser.add_argument("--windows-h", default="24", help="cells' time windows to try")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/fusion-cells.json")
    args = parser.parse_args()

    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.fusion.acoustic.array import read_sensors
    from ceasewatch.fusion.acoustic.model import Settings
    from ceasewatch.fusion.acoustic.picks import pick_table
    from ceasewatch.fusion.acoustic.run import fuse_picks
    from ceasewatch.fusion.cell_fusion import fuse_cell, join_cells
    from ceasewatch.fusion.cells import plan_cells
    from ceasewatch.fusion.files import read_jsonl

    folder, described = ensure(args.scenario)
    truth = folder / "truth-acoustic"
    agreement = resolve("ua-2026")
    settings = Settings()
    sensors_path = folder / "sensors.geojson"
    features = json.loads(sensors_path.read_text(encoding="utf-8"))["features"]
    array = read_sensors(sensors_path)
    picks = read_jsonl(folder / "picks.jsonl")
    table = pick_table(picks, array.index)

    def windows() -> tuple[Any, dict[str, Any]]:
        return fuse_picks(array, picks, settings, workers=1).events, {}

    def cells(anchor_m: float, window_h: float) -> Any:
        def run() -> tuple[Any, dict[str, Any]]:
            plan, jobs = plan_cells(array, table, features, picks, agreement, settings,
                                    window_h * 3600, anchor_m=anchor_m)  # fmt: skip
            results = [fuse_cell(job) for job in jobs]
            events, _ = join_cells(results, agreement)
            slowest = max(results, key=lambda r: r.duration_s)
            return events, {
                "cells": len(plan.cells),
                "picks_sent": sum(c.picks for c in plan.cells),
                "slowest_cell": slowest.cell.key,
                "slowest_cell_s": round(slowest.duration_s, 1),
            }

        return run

    ways = {"windows over the whole line (before)": way("windows", windows, truth)}
    for km in (float(v) for v in args.anchors_km.split(",")):
        for hours in (float(v) for v in args.windows_h.split(",")):
            name = f"cells of {hours:g} h, searches start within {km:g} km"
            ways[name] = way(f"cells {hours:g} h {km:g} km", cells(km * 1000, hours), truth)
    result = {
        "benchmark": "fusion-cells",
        "scenario": {"name": args.scenario, **described},
        "picks": len(picks),
        "machine": {
            "python": platform.python_version(),
            "cpus": 2,
            "note": "2 cores shared with other work; one run of each way",
        },  # fmt: skip
        "ways": ways,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
