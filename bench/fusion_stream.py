"""Benchmark of streaming fusion against the batch run on the same data (the named baseline).

    python bench/fusion_stream.py [--sim /tmp/sim-pd2] [--runs /tmp/fusion-stream-runs]
                                  [--step-s 10] [--late-window-s 300]
                                  [--out bench/results/fusion-stream.json]

Data: two hours of the peak day, seed 7, dense deployment (``ceasewatch simulate --scenario
peak-day --seed 7 --hours 2``, made into ``--sim`` when it is not there). Methods, each its own
process on ``sensors.geojson`` and ``picks.jsonl``:

- **batch**: ``ceasewatch fuse`` (the baseline: every pick known at once);
- **stream**: ``ceasewatch fuse-stream --order received``: the picks in the order the mechanism
  got them (the simulator's file order; late deliveries come after later picks), a step every
  ``--step-s``;
- **stream-in-time**: ``--order time``: as if nothing were delivered late;
- **stream-no-clock**: as ``stream`` without learning clock offsets (``--skew-every-s 0``).

Each run is scored by ``ceasewatch.sim.scoring.score.score`` against the acoustic truth
(``truth-acoustic/``, made by ``fusion_scenarios.acoustic_truth``). Agreement of a stream run
with the batch run: the share of final events with the batch's event id (as emitted, and as
their content names them: ``derived_id`` of their final revision), the share with the batch's
exact pick set, and the F1 of stream events against batch events, matched one to one when they
share at least half of the larger one's picks. Latency, revisions and seconds per step come from
the run's ``stream-summary.json``; wall seconds are the whole process's. Every method runs from
a copy of ``src/`` taken at the start (``RUNS/src``), so edits made meanwhile cannot mix versions;
the JSON records the commit, the files that differed from it and a digest of the copy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

from ceasewatch.sim.scoring.score import score  # noqa: E402
from fusion import machine  # noqa: E402
from fusion_scenarios import acoustic_truth  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
CLI = [PYTHON, "-m", "ceasewatch.cli"]  # from the copy of src/ (see snapshot)
STREAMS = {
    "stream": ["--order", "received"],
    "stream-in-time": ["--order", "time"],
    "stream-no-clock": ["--order", "received", "--skew-every-s", "0"],
}


def ensure_sim(folder: Path, env: dict[str, str]) -> None:
    if not (folder / "picks.jsonl").is_file():
        cmd = [*CLI, "simulate", "--scenario", "peak-day", "--seed", "7", "--hours", "2"]
        subprocess.run([*cmd, "--out", str(folder)], check=True, env=env)
    if not (folder / "truth-acoustic" / "sources.jsonl").is_file():
        acoustic_truth(folder / "truth", folder / "truth-acoustic")


def run(cmd: list[str], log: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        subprocess.run(cmd, check=True, stdout=out, stderr=subprocess.STDOUT, env=env)
    return round(time.perf_counter() - start, 2)


def scored(truth: Path, run_dir: Path) -> dict[str, Any]:
    report = score(truth, run_dir).to_dict()
    events, location = report["events"], report["location"]
    error_m = location.get("error_m", {}) if location.get("available") else {}
    return {
        "events": events["events"],
        "f1": events["f1"],
        "precision": events["precision"],
        "recall": events["recall"],
        "error_m_median": error_m.get("median"),
        "error_m_p90": error_m.get("p90"),
    }


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def agreement(stream_dir: Path, batch_dir: Path) -> dict[str, Any]:
    """How closely the stream's final events agree with the batch's."""
    batch = read_jsonl(batch_dir / "events.jsonl")
    final = read_jsonl(stream_dir / "events.jsonl")
    derived = {
        r["event_id"]: r["derived_id"] or r["event_id"]
        for r in read_jsonl(stream_dir / "revisions.jsonl")
        if r.get("kind") == "final" and "event_id" in r
    }
    batch_ids = {e["event_id"] for e in batch}
    batch_sets = {frozenset(e["pick_ids"]) for e in batch}
    owner = {p: k for k, e in enumerate(batch) for p in e["pick_ids"]}
    pairs, taken = [], set()
    for event in final:
        shared: dict[int, int] = {}
        for p in event["pick_ids"]:
            if p in owner:
                shared[owner[p]] = shared.get(owner[p], 0) + 1
        for k, n in sorted(shared.items(), key=lambda kv: -kv[1]):
            if k not in taken and n >= 0.5 * max(len(event["pick_ids"]), len(batch[k]["pick_ids"])):
                taken.add(k)
                pairs.append((event, batch[k]))
                break
    precision = len(pairs) / len(final) if final else 0.0
    recall = len(pairs) / len(batch) if batch else 0.0
    moved = sorted(_distance_m(a["position"], b["position"]) for a, b in pairs)
    return {
        "stream_events": len(final),
        "batch_events": len(batch),
        "same_event_id": round(sum(e["event_id"] in batch_ids for e in final) / len(batch), 4),
        "same_derived_id": round(
            sum(derived.get(e["event_id"], e["event_id"]) in batch_ids for e in final) / len(batch),
            4,
        ),
        "same_pick_set": round(
            sum(frozenset(e["pick_ids"]) in batch_sets for e in final) / len(batch), 4
        ),
        "f1_vs_batch": round(2 * precision * recall / (precision + recall), 4) if pairs else 0.0,
        "precision_vs_batch": round(precision, 4),
        "recall_vs_batch": round(recall, 4),
        "matched_distance_m_median": round(moved[len(moved) // 2], 1) if moved else None,
    }


def _distance_m(a: list[float], b: list[float]) -> float:
    from ceasewatch.model.geo import geodesic_distance_m

    return float(geodesic_distance_m(a[0], a[1], b[0], b[1])[0])


def snapshot(runs: Path) -> dict[str, Any]:
    """Copy src/ into ``runs/src`` (every method runs from that copy, so edits made to src/
    while the benchmark runs cannot mix versions); the commit, the files of src/ that differ
    from it, and a digest of the copy."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout

    copy = runs / "src"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(ROOT / "src", copy, ignore=shutil.ignore_patterns("__pycache__"))
    digest = hashlib.sha256()
    for path in sorted(copy.rglob("*.py")):
        digest.update(path.read_bytes())
    return {
        "commit": git("rev-parse", "HEAD").strip(),
        "uncommitted_in_src": [
            line[3:] for line in git("status", "--porcelain", "src").splitlines()
        ],
        "src_sha256": digest.hexdigest()[:16],
        "ran_from": "a copy of src/ taken when the benchmark started",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sim", type=Path, default=Path("/tmp/sim-pd2"))
    parser.add_argument("--runs", type=Path, default=Path("/tmp/fusion-stream-runs"))
    parser.add_argument("--step-s", type=float, default=10.0)
    parser.add_argument("--late-window-s", type=float, default=300.0)
    parser.add_argument("--methods", default="batch," + ",".join(STREAMS))
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "fusion-stream.json")
    args = parser.parse_args()
    args.runs.mkdir(parents=True, exist_ok=True)
    code = snapshot(args.runs)
    env = {**os.environ, "PYTHONPATH": str(args.runs / "src")}
    ensure_sim(args.sim, env)
    truth = args.sim / "truth-acoustic"
    io = ["--sensors", str(args.sim / "sensors.geojson"), "--picks", str(args.sim / "picks.jsonl")]
    picks = sum(1 for line in (args.sim / "picks.jsonl").open(encoding="utf-8") if line.strip())
    results: dict[str, Any] = {
        "benchmark": "fusion-stream",
        "machine": machine(),
        "code": code,
        "scenario": {
            "scenario": "peak-day",
            "seed": 7,
            "hours": 2,
            "deployment": "dense",
            "picks": picks,
            "folder": str(args.sim),
        },  # fmt: skip
        "truth": "truth-acoustic/: sound sources with their picks only (fusion_scenarios.py)",
        "settings": {"step_s": args.step_s, "late_window_s": args.late_window_s},
        "measures": "scorer: ceasewatch.sim.scoring.score.score; wall_s of the whole process; "
        "latency, revisions and seconds per step from stream-summary.json",
        "results": {},
    }
    batch_dir = args.runs / "batch"
    for method in [m for m in args.methods.split(",") if m]:
        folder = args.runs / method
        folder.mkdir(parents=True, exist_ok=True)
        print(f"[fusion-stream] {method} ...", flush=True)
        if method == "batch":
            cmd = [*CLI, "fuse", *io, "--out", str(folder / "events.jsonl")]
        else:
            steps = ["--step-s", str(args.step_s), "--late-window-s", str(args.late_window_s)]
            cmd = [*CLI, "fuse-stream", *io, "--out", str(folder), *steps, *STREAMS[method]]
        entry: dict[str, Any] = {
            "wall_s": run(cmd, folder / "log.txt", env),
            **scored(truth, folder),
        }
        if method != "batch":
            summary = json.loads((folder / "stream-summary.json").read_text(encoding="utf-8"))
            entry["agreement_with_batch"] = agreement(folder, batch_dir)
            for key in ("revisions", "late_beyond_window", "clock_offsets", "latency_s", "wait_s",
                        "age_at_emission_s", "steps", "steps_that_fused", "windows_fused",
                        "clock_offset_searches"):  # fmt: skip
                entry[key] = summary[key]
            entry["wall_s_per_step"] = summary["wall_s"]
        results["results"][method] = entry
        print(f"[fusion-stream] {method}: {json.dumps(entry)[:400]}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
