"""Benchmark of ``where`` over many points: the vectorised Locator against naive shapely.

    python bench/where.py [--points 100000] [--naive-points 5000] [--out bench/results/where.json]

Points are drawn near the real line of the default agreement ua-2026 (a random place on the
line, then a random direction and a distance from a half-normal of scale 40 km), each with a
random one-sigma position error of 50 m to 3 km. Both approaches answer the same question for
every point: which party controls it, its distance to the line, which zones it is in.

* ``vectorised``: ``Locator.batch`` (k-d tree candidates, geodesic distances, probabilities).
* ``naive``: the straightforward shapely approach, one point at a time: ``contains`` on each
  party area and each zone polygon (bands buffered once in the projection) and a planar
  ``distance`` to the projected line. It answers yes/no without probabilities, so it does less;
  it runs on a subset and its rate is extrapolated.

The JSON records both rates, the speed-up, the goal (>= 50,000 points/s on 2 cores), how far
the naive planar distances are from the geodesic ones, and how many zone decisions differ.
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
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ceasewatch.agreement.catalog import resolve  # noqa: E402
from ceasewatch.agreement.derive import band_polygon  # noqa: E402
from ceasewatch.agreement.locate import Locator  # noqa: E402
from ceasewatch.model.geo import GEOD, geodesic_forward  # noqa: E402

GOAL_POINTS_PER_S = 50_000


def sample_points(agreement, count: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    line = agreement.line("contact").geometry
    starts = np.vstack([np.asarray(p.coords)[:-1] for p in line.geoms])
    ends = np.vstack([np.asarray(p.coords)[1:] for p in line.geoms])
    _, _, lengths = GEOD.inv(starts[:, 0], starts[:, 1], ends[:, 0], ends[:, 1])
    pick = rng.choice(len(starts), size=count, p=lengths / lengths.sum())
    t = rng.uniform(0, 1, count)
    base = starts[pick] + (ends[pick] - starts[pick]) * t[:, None]
    azimuth = rng.uniform(0, 360, count)
    distance = np.abs(rng.normal(0, 40_000, count))
    lon, lat = geodesic_forward(base[:, 0], base[:, 1], azimuth, distance)
    sigma = rng.uniform(50, 3000, count)
    return lon, lat, sigma


def run_vectorised(locator: Locator, lon, lat, sigma, repeats: int) -> tuple[float, object]:
    best = float("inf")
    batch = None
    for _ in range(repeats):
        start = time.perf_counter()
        batch = locator.batch(lon, lat, sigma)
        best = min(best, time.perf_counter() - start)
    return best, batch


def naive_setup(agreement, locator: Locator):
    projection = locator.projection
    line_xy = projection.geometry_to_xy(agreement.line("contact").geometry)
    areas = {p.id: projection.geometry_to_xy(p.area) for p in agreement.parties}
    zones = {}
    for zone in agreement.zones:
        if zone.band is None:
            continue
        clip = agreement.party(zone.band.side).area if zone.band.side else None
        zones[zone.id] = projection.geometry_to_xy(
            band_polygon(
                agreement.line(zone.band.line).geometry,
                zone.band.from_m,
                zone.band.to_m,
                clip,
                projection,
            )
        )
    return projection, line_xy, areas, zones


def run_naive(setup, lon, lat) -> tuple[float, np.ndarray, dict[str, np.ndarray]]:
    projection, line_xy, areas, zones = setup
    x, y = projection.to_xy(lon, lat)
    distance = np.empty(len(lon))
    inside = {zone_id: np.zeros(len(lon), dtype=bool) for zone_id in zones}
    start = time.perf_counter()
    for i in range(len(lon)):
        point = Point(x[i], y[i])
        for area in areas.values():
            if area.contains(point):
                break
        distance[i] = line_xy.distance(point)
        for zone_id, polygon in zones.items():
            inside[zone_id][i] = polygon.contains(point)
    return time.perf_counter() - start, distance, inside


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--naive-points", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260218)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "where.json")
    args = parser.parse_args()

    agreement = resolve("ua-2026")
    start = time.perf_counter()
    locator = Locator(agreement)
    prepare_s = time.perf_counter() - start
    lon, lat, sigma = sample_points(agreement, args.points, args.seed)
    print(
        f"{args.points:,} points near the {agreement.line('contact').length_m / 1000:,.0f} km "
        f"line; Locator prepared in {prepare_s:.2f} s",
        flush=True,
    )

    vector_s, batch = run_vectorised(locator, lon, lat, sigma, args.repeats)
    vector_rate = args.points / vector_s
    print(f"vectorised: {vector_s:.3f} s, {vector_rate:,.0f} points/s", flush=True)

    setup = naive_setup(agreement, locator)
    n = min(args.naive_points, args.points)
    naive_s, naive_distance, naive_inside = run_naive(setup, lon[:n], lat[:n])
    naive_rate = n / naive_s
    print(
        f"naive shapely per point: {naive_s:.3f} s for {n:,}, {naive_rate:,.0f} points/s",
        flush=True,
    )

    geodesic = batch.line_distance_m[:n, 0]
    planar_error = naive_distance - geodesic
    # Zone decisions compared for the exact positions (sigma 0), for points inside a party's
    # area: outside them (Russia beyond the border, the sea) the Locator takes the side from the
    # line's geometry, while the naive bands are clipped to the party areas.
    exact = locator.batch(lon[:n], lat[:n], 0.0)
    inside_areas = exact.control[:, -1] < 0.5
    agree = {}
    edge_gaps = [0.0]
    for zone_id, flags in naive_inside.items():
        k = exact.zone_ids.index(zone_id)
        differ = ((exact.zone_p[:, k] >= 0.5) != flags) & inside_areas
        agree[zone_id] = int(np.sum(differ))
        band = agreement.zone(zone_id).band
        gaps = np.minimum(
            *(np.abs(exact.line_distance_m[differ, 0] - e) for e in (band.from_m, band.to_m))
        )
        edge_gaps.extend(gaps.tolist())
    result = {
        "benchmark": "where",
        "agreement": {"id": agreement.id, "version": agreement.version, "digest": agreement.digest},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "numpy": np.__version__,
            "shapely": shapely.__version__,
        },
        "points": args.points,
        "seed": args.seed,
        "sigma_m": [50, 3000],
        "vectorised": {
            "seconds": round(vector_s, 4),
            "points_per_s": round(vector_rate),
            "best_of": args.repeats,
            "prepare_s": round(prepare_s, 3),
        },
        "baseline_naive_shapely": {
            "points": n,
            "seconds": round(naive_s, 4),
            "points_per_s": round(naive_rate),
            "note": "yes/no answers only, planar distances",
        },
        "speedup": round(vector_rate / naive_rate, 1),
        "goal_points_per_s": GOAL_POINTS_PER_S,
        "goal_met": vector_rate >= GOAL_POINTS_PER_S,
        "naive_planar_distance_error_m": {
            "median_abs": round(float(np.median(np.abs(planar_error))), 2),
            "p99_abs": round(float(np.percentile(np.abs(planar_error), 99)), 2),
            "max_abs": round(float(np.max(np.abs(planar_error))), 2),
        },
        "zone_decisions_differing_inside_party_areas": {
            "points_compared": int(inside_areas.sum()),
            "differing_per_zone": agree,
            "largest_distance_of_a_difference_from_the_band_edge_m": round(max(edge_gaps), 1),
            "note": "naive bands are buffers with 8 segments per quarter circle",
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"speed-up {result['speedup']}x; goal {'met' if result['goal_met'] else 'NOT met'}; "
        f"wrote {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
