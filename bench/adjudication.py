"""Adjudication benchmark: simulated scenarios → fuse → adjudicate → ``ceasewatch score``,
against two baselines in the same run, written to ``bench/results/adjudication.json``.

- **ceasewatch**: ``run_adjudication`` (attribution.py's probabilities).
- **across-the-line** (the simple rule many analysts use): the same violations, but the party
  across the line from the impact (or, for weapons and launches, the party holding the ground)
  is held responsible with probability 1.
- **count-only** (the OSCE mission's practice): the same violations, attributed to nobody
  (``unknown`` = 1).

``clutter-day`` (seed 7) is the quiet day with forty times the quarry blasts, twenty times the
announced demining and five times the field fires: the rate at which clutter is called a
violation needs more than the two or three clutter happenings of an ordinary day.

Evaluation scenarios use seed 7; ``--train`` instead runs seeds 5 and 11 and prints, per
attribution basis, how often the party the evidence points to was really responsible — the
frequencies behind ``attribution.Priors`` (the evaluation seeds are never used to fit them),
and how often a restricted weapon sighted once (or twice and more) was really there.
Simulated folders are cached in ``bench/results/adjudication-scenarios/`` (gitignored).

    .venv/bin/python bench/adjudication.py [--scenarios peak-day,complaints] [--train]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ceasewatch import __version__  # noqa: E402
from ceasewatch.adjudication.incident_view import read_incident  # noqa: E402
from ceasewatch.adjudication.rules import restricted_sightings  # noqa: E402
from ceasewatch.adjudication.run import Verdicts, run_adjudication, write_verdicts  # noqa: E402
from ceasewatch.adjudication.types import UNKNOWN  # noqa: E402
from ceasewatch.agreement.catalog import resolve  # noqa: E402
from ceasewatch.agreement.types import Activity, Agreement  # noqa: E402
from ceasewatch.fusion.acoustic.array import read_sensors  # noqa: E402
from ceasewatch.fusion.acoustic.run import fuse_picks  # noqa: E402
from ceasewatch.fusion.files import read_firms, read_jsonl, write_jsonl  # noqa: E402
from ceasewatch.fusion.incidents import fuse_sources  # noqa: E402
from ceasewatch.sim.deployment import generate as generate_deployment  # noqa: E402
from ceasewatch.sim.run import simulate  # noqa: E402
from ceasewatch.sim.scenarios import Scenario, scenario  # noqa: E402
from ceasewatch.sim.scoring.score import score  # noqa: E402

CACHE = ROOT / "bench" / "results" / "adjudication-scenarios"
OUT = ROOT / "bench" / "results" / "adjudication.json"
STREAMS = ("tracks", "detections", "reports", "complaints")
SECTIONS = ("events", "violations", "attribution", "coverage", "complaints")


def chosen(name: str) -> Scenario:
    if name == "clutter-day":
        quiet = scenario("quiet-day")
        return replace(
            quiet,
            name="clutter-day",
            description="The quiet day with many quarry blasts, demining and field fires.",
            quarry_blasts_per_day=40 * quiet.quarry_blasts_per_day,
            demining_per_day=20 * quiet.demining_per_day,
            firms_scale=5 * quiet.firms_scale,
        )
    return scenario(name)


def simulated(agreement: Agreement, name: str, seed: int) -> Path:
    folder = CACHE / f"{name}-seed{seed}-{__version__}"
    if not (folder / "truth" / "scenario.json").is_file():
        deployment = generate_deployment(agreement, "dense", seed=seed)
        simulate(agreement, chosen(name), seed, folder, deployment=deployment)
    return folder


def fused(
    agreement: Agreement, sim: Path, run: Path
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    started = time.perf_counter()
    acoustic = fuse_picks(read_sensors(sim / "sensors.geojson"), read_jsonl(sim / "picks.jsonl"))
    records: dict[str, Any] = {s: read_jsonl(sim / f"{s}.jsonl") for s in STREAMS}
    records["firms"] = read_firms(sim / "firms.csv")
    result = fuse_sources(
        acoustic.events,
        records,
        agreement=agreement,
        notifications=read_jsonl(sim / "notifications.jsonl"),
    )
    run.mkdir(parents=True, exist_ok=True)
    write_jsonl(run / "events.jsonl", result.events)
    incidents = result.incidents_json()
    write_jsonl(run / "incidents.jsonl", incidents)
    records["fuse_s"] = time.perf_counter() - started
    records["status"] = read_jsonl(sim / "status.jsonl")
    return incidents, records


def adjudicated(agreement: Agreement, sim: Path, incidents: Any, records: Any) -> Verdicts:
    registry = json.loads((sim / "sensors.geojson").read_text(encoding="utf-8"))
    return run_adjudication(incidents, agreement, records, sensors=registry["features"])


def baseline(verdicts: Verdicts, incidents: list[dict[str, Any]], how: str) -> list[dict[str, Any]]:
    """The same violations with the baseline's ``responsible``: ``count-only`` names nobody;
    ``across-the-line`` names, with certainty, the party across the line from where an impact
    fell (the party holding the ground for launches and weapons), as fusion's ``sides`` say."""
    sides = {i["incident_id"]: i.get("sides") or {} for i in incidents}
    out = []
    for v in verdicts.adjudication.violations:
        item = v.to_json()
        parties = [k for k in item["responsible"] if k != UNKNOWN]
        if how == "count-only":
            item["responsible"] = {UNKNOWN: 1.0}
        else:
            where = sides.get(v.incident_id, {}).get("where")
            named = where
            if where in parties and v.basis in ("impact_only", "firing_position", "flight"):
                named = next(p for p in parties if p != where)
            item["responsible"] = {k: (1.0 if k == named else 0.0) for k in parties}
            item["responsible"][UNKNOWN] = 0.0 if named in parties else 1.0
        out.append(item)
    return out


def scored(truth: Path, run: Path) -> dict[str, Any]:
    report = score(truth, run).to_dict()
    keep = {}
    for section in SECTIONS:
        body = dict(report[section])
        for bulky in ("bins", "by_phase", "by_happening_kind", "answers", "rows"):
            body.pop(bulky, None)
        keep[section] = body
    return keep


def evaluate(agreement: Agreement, name: str, seed: int) -> dict[str, Any]:
    sim = simulated(agreement, name, seed)
    run = CACHE / "runs" / f"{name}-seed{seed}"
    incidents, records = fused(agreement, sim, run)
    started = time.perf_counter()
    verdicts = adjudicated(agreement, sim, incidents, records)
    adjudicate_s = time.perf_counter() - started
    write_verdicts(verdicts, run)
    result: dict[str, Any] = {
        "scenario": name,
        "seed": seed,
        "fuse_s": round(records["fuse_s"], 2),
        "adjudicate_s": round(adjudicate_s, 2),
        "incidents": len(incidents),
        "digest": verdicts.verdicts.digest,
        "methods": {"ceasewatch": scored(sim / "truth", run)},
    }
    for how in ("across-the-line", "count-only"):
        other = CACHE / "runs" / f"{name}-seed{seed}-{how}"
        other.mkdir(parents=True, exist_ok=True)
        write_jsonl(other / "events.jsonl", read_jsonl(run / "events.jsonl"))
        write_jsonl(other / "violations.jsonl", baseline(verdicts, incidents, how))
        result["methods"][how] = {
            k: v for k, v in scored(sim / "truth", other).items() if k in SECTIONS[:3]
        }
    return result


def frequencies(agreement: Agreement, name: str, seeds: list[int]) -> dict[str, Any]:
    """Per attribution basis: how often the party the evidence points to was responsible."""
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    for seed in seeds:
        sim = simulated(agreement, name, seed)
        run = CACHE / "runs" / f"{name}-seed{seed}-train"
        incidents, records = fused(agreement, sim, run)
        verdicts = adjudicated(agreement, sim, incidents, records)
        write_verdicts(verdicts, run)
        basis = {v.violation_id: v.basis for v in verdicts.adjudication.violations}
        report = score(sim / "truth", run)
        for violation, happening in getattr(report.violations, "matched", ()):
            top = max(sorted(violation.responsible), key=lambda kp: kp[1])[0]
            kind = basis.get(violation.violation_id, "?")
            tally[kind]["right" if top == happening.party else "wrong"] += 1
        for kind, counts in sighted(agreement, sim, incidents, records).items():
            tally[kind].update(counts)
    return {
        kind: {"right": c["right"], "wrong": c["wrong"],
               "share_right": round(c["right"] / max(1, c["right"] + c["wrong"]), 4)}
        for kind, c in sorted(tally.items())
    }  # fmt: skip


def sighted(
    agreement: Agreement, sim: Path, incidents: list[dict[str, Any]], records: dict[str, Any]
) -> dict[str, Counter[str]]:
    """Presence incidents by the number of sightings of a restricted weapon (one, or two and
    more): was a weapon that violated the agreement really there? (``presence_seen_once``)"""
    rule = next(r for r in agreement.rules if r.activity is Activity.WEAPON_PRESENCE)
    happenings = {h["happening_id"]: h for h in read_jsonl(sim / "truth" / "happenings.jsonl")}
    owner = {
        rid: source["happening_id"]
        for source in read_jsonl(sim / "truth" / "sources.jsonl")
        for rid in source["records"].get("detections", [])
    }
    by_id = {"detections": {str(d["detection_id"]): d for d in records["detections"]}}
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for item in incidents:
        if item["kind"] != "presence":
            continue
        view = read_incident(item, by_id)
        seen = (
            "presence_seen_once"
            if restricted_sightings(rule, view, agreement) < 2
            else ("presence_seen_twice")
        )
        real = any(
            happenings[owner[e["record_id"]]]["violations"]
            for e in item["supporting"]
            if e["stream"] == "detections" and e["record_id"] in owner
        )
        found[seen]["right" if real else "wrong"] += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", default="peak-day,complaints,jamming,clutter-day")
    parser.add_argument("--train", action="store_true")
    args = parser.parse_args()
    agreement = resolve("ua-2026")
    if args.train:
        print(json.dumps(frequencies(agreement, "peak-day", [5, 11]), indent=2))
        return
    results = []
    for name in args.scenarios.split(","):
        print(f"{name}…", file=sys.stderr)
        results.append(evaluate(agreement, name, 7))
        m = results[-1]["methods"]["ceasewatch"]
        print(json.dumps({k: m["violations"].get(k) for k in ("precision", "recall",
              "recall_observable")} | {k: m["attribution"].get(k) for k in (
              "accuracy", "ece", "confident_accuracy")} | {"complaints": m["complaints"].get(
              "accuracy"), "coverage_sector_mae": (m["coverage"].get("sectors") or {}).get(
              "mean_abs_error")}), file=sys.stderr)  # fmt: skip
    OUT.write_text(
        json.dumps(
            {
                "benchmark": "adjudication",
                "software": f"ceasewatch {__version__}",
                "machine": {"python": platform.python_version(), "cpus": 2},
                "results": results,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
