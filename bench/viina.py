"""VIINA reports: duplicate collapsing scored on the hand-labelled pairs, raw reports → distinct
events for every month, and the time to ingest and de-duplicate one month.

    python bench/viina.py [DATA_DIR]      # DATA_DIR defaults to $CEASEWATCH_DATA or ../shared/data

Writes bench/results/viina.json. Pairwise scores: a labelled pair counts as joined when both
reports end in the same distinct event of the whole month's run. Baselines in the same run:
``exact`` (identical normalised headline inside the time/space window) and ``window`` (every
report inside the window is the same event).
"""

from __future__ import annotations

import csv
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from ceasewatch.fusion import report_dedup as dedup
from ceasewatch.fusion.report_places import PlaceIndex
from ceasewatch.ingest.viina import PlaceNames, read_files
from ceasewatch.model.places import Gazetteer

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests" / "data"
MONTHS = ("202501", "202502", "202503", "202504", "202505", "202506", "202507", "202508")
RULES = ("text", "exact", "window")


def _path(data: Path, month: str) -> Path:
    return data / "reports" / "viina" / f"viina_incidents_{month}.csv"


def score(records: list[dict[str, object]], places: PlaceIndex, pairs_file: Path) -> dict:
    with pairs_file.open(encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle))
    items = dedup.prepare(records, places)
    out = {}
    for rule in RULES:
        groups = dedup.cluster(items, rule)
        event_of = {items[i].report_id: k for k, g in enumerate(groups) for i in g}
        tp = fp = fn = tn = 0
        for pair in pairs:
            joined = event_of[pair["id_a"]] == event_of[pair["id_b"]]
            truth = pair["same_event"] == "1"
            tp, fp = tp + (joined and truth), fp + (joined and not truth)
            fn, tn = fn + (truth and not joined), tn + (not truth and not joined)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[rule] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3),
                     "tp": tp, "fp": fp, "fn": fn, "tn": tn, "events": len(groups)}  # fmt: skip
    return {"pairs": len(pairs), "same_event_pairs": sum(p["same_event"] == "1" for p in pairs),
            "rules": out}  # fmt: skip


def main(data: Path) -> None:
    gazetteer = Gazetteer.default()
    names, places = PlaceNames(gazetteer), PlaceIndex.from_gazetteer(gazetteer)
    result: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "rule": {"window_s": dedup.WINDOW_S, "near_m": dedup.NEAR_M, "same_text": dedup.SAME_TEXT,
                 "same_text_with_code": dedup.SAME_TEXT_WITH_CODE,
                 "place_overlap": dedup.PLACE_OVERLAP, "key_letters": dedup.KEY_LETTERS},
    }  # fmt: skip
    months = {}
    for month in MONTHS:
        batch = read_files([_path(data, month)], names)
        reports = list(batch.reports)
        items = dedup.prepare(reports, places)
        months[month] = {
            "raw_reports": len(reports),
            "rejected_rows": len(batch.rejected),
            "distinct_events": len(dedup.cluster(items, "text")),
            "distinct_events_exact_baseline": len(dedup.cluster(items, "exact")),
        }
        if month == "202505":
            result["test_pairs"] = score(reports, places, TESTS / "viina_pairs.csv")
        if month == "202502":
            result["tuning_pairs"] = score(reports, places, TESTS / "viina_tuning_pairs.csv")
        print(month, months[month], flush=True)
    result["months"] = months
    result["total"] = {
        "raw_reports": sum(m["raw_reports"] for m in months.values()),
        "distinct_events": sum(m["distinct_events"] for m in months.values()),
    }
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        batch = read_files([_path(data, "202503")], PlaceNames(gazetteer))
        dedup.distinct_events(list(batch.reports), places=PlaceIndex.from_gazetteer(gazetteer))
        runs.append(time.perf_counter() - start)
    seconds = statistics.median(runs)
    result["throughput"] = {
        "month": "2025-03 (the largest)",
        "records": len(batch.reports),
        "seconds_median_of_3": round(seconds, 2),
        "runs_s": [round(r, 2) for r in runs],
        "records_per_s": round(len(batch.reports) / seconds),
        "what": "read CSV, geocode check, oblast lookup, dedup, events (gazetteer loaded inside)",
    }
    out = HERE / "results" / "viina.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("test_pairs", "total", "throughput")}, indent=1))


if __name__ == "__main__":
    default = os.environ.get("CEASEWATCH_DATA", str(HERE.parent.parent / "shared" / "data"))
    main(Path(sys.argv[1] if len(sys.argv) > 1 else default))
