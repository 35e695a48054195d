"""Benchmark of the simulator: the peak-day scenario on the dense deployment, end to end.

    python bench/simulate.py [--scenario peak-day] [--seed 7] [--out bench/results/simulate.json]

Records the wall time of each step (world, happenings, each source model, complaints, writing)
and the counts, against the goal of generating peak-day in under 30 s on 2 cores. The named
baseline, in the same run, is the acoustic step done the straightforward way: every sound source
against every acoustic sensor (geodesic distances for all pairs, then the same detection model),
instead of the k-d tree that only looks at sensors within reach.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ceasewatch.agreement.catalog import resolve  # noqa: E402
from ceasewatch.model.geo import geodesic_distance_m  # noqa: E402
from ceasewatch.model.places import Gazetteer  # noqa: E402
from ceasewatch.model.time import parse_ns  # noqa: E402
from ceasewatch.sim.base import Conditions, SensorKind, stream  # noqa: E402
from ceasewatch.sim.deployment import generate as generate_deployment  # noqa: E402
from ceasewatch.sim.happenings import generate  # noqa: E402
from ceasewatch.sim.run import simulate  # noqa: E402
from ceasewatch.sim.scenarios import scenario  # noqa: E402
from ceasewatch.sim.sources.acoustic import (  # noqa: E402
    AcousticModel,
    detection_probability,
    sources,
)
from ceasewatch.sim.world import World  # noqa: E402

GOAL_S = 30.0


def all_pairs_detections(found, acoustic, rng: np.random.Generator) -> int:
    """The baseline: every source against every sensor; returns how many picks it makes."""
    lon = np.array([s.lon for s in acoustic])
    lat = np.array([s.lat for s in acoustic])
    ranges = np.array([s.range_m for s in acoustic])
    p_max = np.array([s.p_detect for s in acoustic])
    picks = 0
    for source in found:
        distance = geodesic_distance_m(source.lon, source.lat, lon, lat)
        p = detection_probability(distance, ranges, p_max, source.loudness_db)
        picks += int(np.sum(rng.uniform(size=len(acoustic)) < p))
    return picks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="peak-day")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "simulate.json")
    args = parser.parse_args()

    agreement = resolve("ua-2026")
    chosen = scenario(args.scenario)
    deployment = generate_deployment(agreement, "dense", seed=args.seed)
    steps: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def step(name: str) -> None:
        now = time.perf_counter()
        if last[1]:
            steps[str(last[1])] = round(now - float(last[0]), 3)
        last[0], last[1] = now, name

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = simulate(
            agreement, chosen, args.seed, Path(tmp), deployment=deployment, step=step
        )
        step("")
        total_s = time.perf_counter() - start
    print(f"{chosen.name}: {total_s:.1f} s end to end", flush=True)

    world = World(agreement, Gazetteer.default())
    start_ns = parse_ns(chosen.start)
    happenings = generate(world, chosen, start_ns, args.seed).happenings
    conditions = Conditions(start_ns, start_ns + int(chosen.hours * 3600e9))
    acoustic = [s for s in deployment.sensors if s.kind is SensorKind.ACOUSTIC]
    t0 = time.perf_counter()
    emission = AcousticModel().observe(
        happenings, deployment.sensors, conditions, stream(args.seed, "picks")
    )
    tree_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    baseline_picks = all_pairs_detections(
        sources(happenings), acoustic, np.random.default_rng(args.seed)
    )
    pairs_s = time.perf_counter() - t0
    real = sum(1 for c in emission.causes if c is not None)
    print(
        f"acoustic step: k-d tree {tree_s:.2f} s ({real:,} picks); "
        f"all pairs {pairs_s:.2f} s ({baseline_picks:,} picks)",
        flush=True,
    )

    result = {
        "benchmark": "simulate",
        "scenario": chosen.name,
        "seed": args.seed,
        "deployment": deployment.name,
        "sensors": len(deployment.sensors),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
        "end_to_end_s": round(total_s, 2),
        "goal_s": GOAL_S,
        "goal_met": total_s < GOAL_S,
        "steps_s": steps,
        "happenings": summary.happenings,
        "violating": sum(summary.by_party.values()),
        "records": summary.records,
        "false_alarms": summary.false_alarms,
        "acoustic": {
            "sources": len(sources(happenings)),
            "acoustic_sensors": len(acoustic),
            "kd_tree_s": round(tree_s, 3),
            "picks_from_sources": real,
            "baseline_all_pairs_s": round(pairs_s, 3),
            "baseline_picks": baseline_picks,
            "note": "the baseline draws detections only; the model also times, delays and "
            "numbers every pick",
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"goal {'met' if result['goal_met'] else 'NOT met'}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
