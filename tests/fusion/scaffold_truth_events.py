"""TEST SCAFFOLDING ONLY — never import from src/.

The acoustic stage is not finished, so the cross-source tests build its output from the
simulator's truth: each truth source with at least 3 picks becomes a FusedEvent at the true
position plus a little noise, holding exactly its picks. Real runs must never read the truth.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ceasewatch.fusion.event import Ellipse, FusedEvent
from ceasewatch.model.geo import geodesic_forward
from ceasewatch.model.time import NS_PER_S, parse_ns

STREAM_FILES = {
    "tracks": "tracks.jsonl",
    "detections": "detections.jsonl",
    "reports": "reports.jsonl",
    "complaints": "complaints.jsonl",
}


def lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def events_from_truth(
    truth_dir: Path, *, seed: int = 0, sigma_m: float = 40.0, t_sigma_s: float = 0.05
) -> list[FusedEvent]:
    """Truth sources with >= 3 picks as located events (SCAFFOLDING: reads the truth)."""
    rng = np.random.default_rng(seed)
    out = []
    for source in lines(truth_dir / "sources.jsonl"):
        picks = source["records"].get("picks", [])
        if len(picks) < 3:
            continue
        phase = source["phase"]
        kind = phase if phase in ("launch", "impact", "blast") else "unknown"
        east, north = rng.normal(0.0, sigma_m, 2)
        lon, lat = geodesic_forward(
            *source["position"], math.degrees(math.atan2(east, north)), math.hypot(east, north)
        )
        t_ns = parse_ns(source["t_origin"]) + int(rng.normal(0.0, t_sigma_s) * NS_PER_S)
        semi = sigma_m * math.sqrt(-2.0 * math.log(0.05))
        out.append(
            FusedEvent(
                kind,
                t_ns,
                t_sigma_s,
                float(lon[0]),
                float(lat[0]),
                Ellipse(semi, semi, 0.0),
                tuple(picks),
                0.9,
            )
        )
    return out


def read_records(run_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """The streams of a simulated run as fuse_sources takes them (FIRMS rows with their ids)."""
    records: dict[str, list[dict[str, Any]]] = {
        stream: lines(run_dir / name) for stream, name in STREAM_FILES.items()
    }
    firms = run_dir / "firms.csv"
    rows: list[dict[str, Any]] = []
    if firms.exists():
        with firms.open(encoding="utf-8") as handle:
            for n, row in enumerate(csv.DictReader(handle), start=1):
                rows.append({**row, "record_id": f"firms.csv:{n}"})
    records["firms"] = rows
    return records
