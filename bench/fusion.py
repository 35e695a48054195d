"""Benchmark of acoustic association and location: ceasewatch against PyOcto, GaMMA, a DBSCAN
baseline and an oracle locator, on the same simulated scenarios, in one run.

    python bench/fusion.py [--scenarios sector-200,sector-2000,peak-day]
                           [--methods ceasewatch,pyocto,gamma,dbscan,oracle]
                           [--peer-timeout-s 900] [--out bench/results/fusion.json]

Run ``bench/fusion_peers/setup.sh`` first (``make bench-fusion`` does both). Every method runs
as its own process on ``DIR/sensors.geojson`` and ``DIR/picks.jsonl`` and writes
``RUN/events.jsonl`` (RUN = ``bench/results/fusion-runs/<scenario>/<method>/``, with its log):

- **ceasewatch**: ``.venv/bin/ceasewatch fuse --sensors … --picks … --out RUN/events.jsonl``;
- **pyocto**, **gamma**: the runners in ``bench/fusion_peers/``, each in its own venv
  (``bench/.venvs/<name>``), settings in their docstrings and recorded in the JSON;
- **dbscan**, **oracle**: ``bench/fusion_baselines.py`` (the oracle reads the truth's
  association: it is the floor of location error, not a competitor).

A method that fails or exceeds its time cap is recorded with the reason and the run goes on.
Each run is scored by ``ceasewatch.sim.scoring.score.score`` against the acoustic truth of the
scenario (``truth-acoustic/``, see ``fusion_scenarios.py``). Wall seconds are those of the
method's whole process (start-up, reading and writing included); picks/s = input picks / wall
seconds; peak RSS is the largest resident set in the process tree. The goals are computed in
the JSON (``goals``); ``fusion_report.py`` prints the table and draws ``fusion.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

import fusion_report  # noqa: E402
import fusion_scenarios  # noqa: E402
from ceasewatch.sim.scoring.score import score  # noqa: E402

METHODS = ("ceasewatch", "pyocto", "gamma", "dbscan", "oracle")
PEERS = ("pyocto", "gamma")
RUNS = BENCH / "results" / "fusion-runs"
OTHER_TIMEOUT_S = 3600.0
DBSCAN_EPS_S = 2.5  # chosen on sector-200 among 1, 2.5, 5, 10 and 20 s


def command(method: str, folder: Path, run: Path) -> list[str]:
    io = ["--sensors", str(folder / "sensors.geojson"), "--picks", str(folder / "picks.jsonl")]
    io += ["--out", str(run / "events.jsonl")]
    if method == "ceasewatch":
        return [str(ROOT / ".venv" / "bin" / "ceasewatch"), "fuse", *io]
    if method in PEERS:
        python = BENCH / ".venvs" / method / "bin" / "python"
        return [str(python), str(BENCH / "fusion_peers" / f"{method}_run.py"), *io]
    baseline = [sys.executable, str(BENCH / "fusion_baselines.py"), method, *io]
    if method == "oracle":
        return [*baseline, "--truth", str(folder / "truth-acoustic")]
    return [*baseline, "--eps-s", str(DBSCAN_EPS_S)]


def tree_peak_kb(pid: int) -> int:
    """The largest VmHWM (peak resident set, kB) among ``pid`` and its descendants now.

    Polled, because the rusage of a spawned child inherits the parent's high-water mark."""
    peak, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            peak = max(peak, int(status.split("VmHWM:")[1].split()[0]))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return peak


def execute(cmd: list[str], log: Path, timeout_s: float) -> dict[str, Any]:
    """Run ``cmd`` in its own process group; wall seconds, exit code, peak RSS."""
    with log.open("w", encoding="utf-8") as out:
        start = time.perf_counter()
        try:
            pid = os.posix_spawn(
                cmd[0],
                cmd,
                os.environ,
                setsid=True,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                    (os.POSIX_SPAWN_DUP2, out.fileno(), 2),
                ],
            )
        except OSError as exc:
            return {"status": "failed", "error": f"cannot start {cmd[0]}: {exc.strerror}"}
        timed_out, peak_kb = False, 0
        while True:
            done, status, _ = os.wait4(pid, os.WNOHANG)
            if done:
                break
            peak_kb = max(peak_kb, tree_peak_kb(pid))
            if time.perf_counter() - start > timeout_s:
                timed_out = True
                os.killpg(pid, signal.SIGKILL)
                _, status, _ = os.wait4(pid, 0)
                break
            time.sleep(0.01)
        wall_s = time.perf_counter() - start
    result: dict[str, Any] = {"wall_s": round(wall_s, 2), "peak_rss_mb": round(peak_kb / 1024)}
    code = os.waitstatus_to_exitcode(status)
    if timed_out:
        return {**result, "status": "timed_out", "error": f"timed out after {timeout_s:g} s"}
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        return {**result, "status": "failed", "error": f"exit code {code}: {tail}"}
    return {**result, "status": "ok", "error": None}


def measured(truth: Path, run: Path) -> dict[str, Any]:
    """The scorer's numbers for one run."""
    report = score(truth, run).to_dict()
    events, location = report["events"], report["location"]
    ellipse = location.get("ellipse", {}) if location.get("available") else {}
    error_m = location.get("error_m", {})
    return {
        "events": events["events"],
        "f1": events["f1"],
        "f1_detectable": events["f1_detectable"],
        "precision": events["precision"],
        "recall": events["recall"],
        "recall_detectable": events["recall_detectable"],
        "true_positives": events["true_positives"],
        "false_positives": events["false_positives"],
        "false_negatives": events["false_negatives"],
        "error_m_median": error_m.get("median"),
        "error_m_p90": error_m.get("p90"),
        "origin_time_error_s_median": location.get("origin_time_error_s", {}).get("median"),
        "ellipse_events": ellipse.get("events") if ellipse.get("available") else 0,
        "ellipse_coverage": ellipse.get("coverage") if ellipse.get("available") else None,
        "ellipse_stated_p": ellipse.get("stated_p") if ellipse.get("available") else None,
    }


def about(method: str, run: Path) -> dict[str, Any]:
    """Version and settings of the method (the peers write theirs to ``meta.json``)."""
    if method in PEERS:
        meta = run / "meta.json"
        if meta.is_file():
            data = json.loads(meta.read_text(encoding="utf-8"))
            return {"version": f"{data['package']} {data['version']}", "settings": data["settings"]}
        return {"version": None, "settings": None}
    if method == "ceasewatch":
        return {"version": f"ceasewatch {version('ceasewatch')}", "settings": "its defaults"}
    settings = {"sound_speed_mps": 343.0, "ellipse_p": 0.95, "one_pick_per_sensor": "earliest"}
    if method == "dbscan":
        settings |= {"eps_s": DBSCAN_EPS_S, "min_samples": 3}
    return {"version": "bench/fusion_baselines.py (numpy, scipy)", "settings": settings}


def one(method: str, name: str, folder: Path, picks: int, timeout_s: float) -> dict[str, Any]:
    run = RUNS / name / method
    run.mkdir(parents=True, exist_ok=True)
    for stale in ("events.jsonl", "meta.json"):
        (run / stale).unlink(missing_ok=True)
    print(f"[{name}] {method} ...", flush=True)
    result = execute(command(method, folder, run), run / "log.txt", timeout_s)
    if result["status"] == "ok" and not (run / "events.jsonl").is_file():
        result |= {"status": "failed", "error": "exit code 0 but no events.jsonl written"}
    if result["status"] == "ok":
        result["picks_per_s"] = round(picks / result["wall_s"], 1)
        try:
            result |= measured(folder / "truth-acoustic", run)
        except Exception as exc:  # noqa: BLE001  — a malformed events file is that method's failure
            result |= {"status": "failed", "error": f"scoring failed: {exc}"}
    result = {"status": result.pop("status"), "error": result.pop("error"), **result}
    print(f"[{name}] {method}: {fusion_report.line(result)}", flush=True)
    return {**result, **about(method, run)}


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024**2, 1),
        "numpy": version("numpy"),
        "scipy": version("scipy"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default=",".join(fusion_scenarios.NAMES))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--peer-timeout-s", type=float, default=900.0)
    parser.add_argument(
        "--hours",
        action="append",
        default=[],
        metavar="SCENARIO=H",
        help="simulate a scenario for H hours instead of its default (e.g. sector-2000=0.5)",
    )
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "fusion.json")
    args = parser.parse_args()
    scenarios = [s for s in args.scenarios.split(",") if s]
    methods = [m for m in args.methods.split(",") if m]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        parser.error(f"unknown methods {unknown}; use {', '.join(METHODS)}")
    results: dict[str, Any] = {
        "benchmark": "fusion",
        "machine": machine(),
        "peer_timeout_s": args.peer_timeout_s,
        "truth": "truth-acoustic/: sound sources with their picks only (fusion_scenarios.py)",
        "measures": "scorer: ceasewatch.sim.scoring.score.score; wall_s and picks_per_s of the "
        "method's whole process; peak_rss_mb of the largest process in its tree",
        "scenarios": {},
        "results": {},
    }
    hours = {k: float(v) for k, _, v in (pair.partition("=") for pair in args.hours)}
    for name in scenarios:
        folder, described = fusion_scenarios.ensure(name, hours.get(name))
        results["scenarios"][name] = described
        timeouts = {m: args.peer_timeout_s if m in PEERS else OTHER_TIMEOUT_S for m in methods}
        results["results"][name] = {
            m: one(m, name, folder, described["picks"], timeouts[m]) for m in methods
        }
    results["goals"] = fusion_report.goals(
        results["results"], args.peer_timeout_s, results["scenarios"]
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    picture = args.out.with_suffix(".png")
    fusion_report.plot(results, picture)
    print(fusion_report.table(results))
    print(f"wrote {args.out} and {picture}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
