"""Benchmark of the store's spatial queries: kept incidents near a point and inside a zone, on
PostGIS, on the embedded SQLite store (R*Tree, then the exact test in Python), and the named
baseline: read the run's items and test each in Python (what a reader of the results did before
the places index existed: ``load_fusion`` then shapely and pyproj).

    python bench/spatial_query.py [--incidents 200000] [--out bench/results/spatial-query.json]

The incidents are spread over a year along the real line of contact (within 40 km of it), as a
year of peak-day fusion would leave them. Queries: ``--near`` 5 km around 200 random points on
the line with a 30-day window (the baseline, which reads the whole run each time, on every
10th), and ``--area`` for three polygons of the agreement's map (the security zone along the
whole line, a sector, a training area). Every answer is checked equal
across the three ways before any time is reported. Also measured: what the places index costs
when a run is kept (the same run kept with and without positions).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ceasewatch.agreement.catalog import resolve  # noqa: E402
from ceasewatch.fusion.results import ResultItem, ResultRun  # noqa: E402
from ceasewatch.model.geo import geodesic_forward  # noqa: E402
from ceasewatch.model.time import format_ns  # noqa: E402
from ceasewatch.report.map_layers import map_layers  # noqa: E402
from ceasewatch.store.open import open_store  # noqa: E402
from ceasewatch.store.places import Inside, Near, answer_inside, answer_near, places_of  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432/ceasewatch_test"
T0 = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
DAY_NS = 86_400 * 10**9
BASELINE_EVERY = 10
AREAS = ("zone/security-zone", "sector/donetsk", "zone/training-yavoriv")


def incidents(count: int, seed: int = 9) -> tuple[list[ResultItem], np.ndarray]:
    """Incidents within 40 km of the line, over a year; and points on the line to ask about."""
    rng = np.random.default_rng(seed)
    line = max(resolve(None).lines[0].geometry.geoms, key=lambda part: part.length)
    along = rng.uniform(0, line.length, count + 200)
    base = shapely.get_coordinates(shapely.line_interpolate_point(line, along))
    lon, lat = geodesic_forward(
        base[:count, 0], base[:count, 1], rng.uniform(0, 360, count), rng.uniform(0, 40_000, count)
    )
    times = np.sort(rng.integers(T0, T0 + 365 * DAY_NS, count))
    items = []
    for n in range(count):
        body = {
            "incident_id": f"in-{n:07d}",
            "kind": "impact",
            "t_start": format_ns(int(times[n]), 6),
            "position": [round(float(lon[n]), 6), round(float(lat[n]), 6)],
            "ellipse": {"semi_major_m": 300.0},
        }
        items.append(ResultItem("incidents", n, body["incident_id"], json.dumps(body)))
    return items, base[count:]


def timed(call: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    answer = call()
    return answer, time.perf_counter() - start


def summary(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2),
        "queries": len(ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/spatial-query.json")
    args = parser.parse_args()
    items, points = incidents(args.incidents)
    layers = {layer.key: layer.geometry for layer in map_layers(resolve(None))}
    areas = {key: json.dumps(layers[key].__geo_interface__) for key in AREAS}
    schema = "bench_" + uuid.uuid4().hex[:10]
    tmp = Path(tempfile.mkdtemp())
    stores = {
        "postgis": open_store(f"{PG}?schema={schema}"),
        "sqlite": open_store(tmp / "bench.sqlite"),
    }
    result: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cores": __import__("os").cpu_count()},
        "incidents": len(items),
        "keep_s": {},
        "near": {},
        "inside": {},
    }
    bare = [
        ResultItem(i.kind, i.seq, i.item_id, i.body.replace('"position"', '"where"')) for i in items
    ]
    for name, store in stores.items():
        for label, rows in (("with places", items), ("without places", bare)):
            run = ResultRun("fu-w" if rows is items else "fu-bare", "fusion", 1, "{}", "{}", T0)
            _, seconds = timed(lambda s=store, r=run, x=rows: _keep(s, r, x))
            result["keep_s"][f"{name}, {label}"] = round(seconds, 2)
            print(f"kept {len(rows):,} items in {name} {label}: {seconds:.1f} s", flush=True)

    def baseline_places() -> list[Any]:  # what a reader did before: every item parsed
        with stores["sqlite"].read() as reader:
            return places_of(reader.result_items("fu-w", "incidents"))

    near_times: dict[str, list[float]] = {"postgis": [], "sqlite": [], "baseline": []}
    for k, (lon, lat) in enumerate(points):
        since = T0 + (k % 335) * DAY_NS
        query = Near(float(lon), float(lat), 5_000.0, since, since + 30 * DAY_NS)
        answers = {}
        for name, store in stores.items():
            with store.read() as reader:
                answers[name], seconds = timed(
                    lambda r=reader, q=query: r.places_near("fu-w", ["incidents"], q)
                )
            near_times[name].append(seconds)
        if k % BASELINE_EVERY == 0:  # the baseline reads the whole run: every 10th query
            answers["baseline"], seconds = timed(lambda q=query: answer_near(q, baseline_places()))
            near_times["baseline"].append(seconds)
        ids = {name: [f.item_id for f in found] for name, found in answers.items()}
        assert all(i == ids["postgis"] for i in ids.values()), f"near query {k} differs"
    result["near"] = {name: summary(s) for name, s in near_times.items()}
    print("near:", json.dumps(result["near"]), flush=True)
    for key, geojson in areas.items():
        query = Inside(geojson, T0, T0 + 90 * DAY_NS)
        row: dict[str, Any] = {}
        counts = {}
        for name, store in stores.items():
            with store.read() as reader:
                found, seconds = timed(
                    lambda r=reader, q=query: r.places_inside("fu-w", ["incidents"], q)
                )
            row[f"{name}_ms"] = round(seconds * 1000, 1)
            counts[name] = [f.item_id for f in found]
        found, seconds = timed(lambda q=query: answer_inside(q, baseline_places()))
        row["baseline_ms"] = round(seconds * 1000, 1)
        counts["baseline"] = [f.item_id for f in found]
        assert counts["postgis"] == counts["sqlite"] == counts["baseline"], f"{key} differs"
        row["found"] = len(counts["postgis"])
        result["inside"][key] = row
        print(f"inside {key}: {row}", flush=True)
    for store in stores.values():
        store.close()
    import psycopg

    with psycopg.connect(PG, autocommit=True) as con:
        con.execute(f'DROP SCHEMA "{schema}" CASCADE')
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


def _keep(store: Any, run: ResultRun, rows: list[ResultItem]) -> None:
    with store.write() as writer:
        writer.add_result_run(run, rows)


if __name__ == "__main__":
    main()
