"""VIINA reports: duplicate collapsing scored on the hand-labelled pairs, raw reports → distinct
events for every month, and the time to ingest and de-duplicate one month.

    python bench/viina.py [DATA_DIR]      # DATA_DIR defaults to $CEASEWATCH_DATA or ../shared/data

Writes bench/results/viina.json. Pairwise scores: a labelled pair counts as joined when both
reports end in the same distinct event of the whole month's run. Baselines in the same run:
``exact`` (identical normalised headline inside the time/space window) and ``window`` (every
report inside the window is the same event).

Three labelled sets: the February tuning pairs (thresholds were chosen on them), the May test
pairs (scored while the rule was revised: tests/data/viina_pairs.md), and the July held-out pairs
(labelled blind, once, then scored once). The sets over-sample similar headlines, so besides the
plain scores on the pairs each gets scores **weighted back to its month**: every labelled pair
stands for the pairs of its similarity stratum in the month's blocking window
(``*_strata.json``, counted by bench/viina_sample.py), with a 95 % interval from a stratified
bootstrap (2,000 resamples within strata). Those are precision and recall over the pairs inside
the blocking window (≤ 12 h, ≤ 15 km or the same settlement); same-event pairs outside it are
not counted.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import random
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
LABELLED = {  # result key → (month, file stem in tests/data)
    "tuning_pairs": ("202502", "viina_tuning_pairs"),
    "test_pairs": ("202505", "viina_pairs"),
    "held_out_pairs": ("202507", "viina_heldout_pairs"),
}


def _path(data: Path, month: str) -> Path:
    return data / "reports" / "viina" / f"viina_incidents_{month}.csv"


def score(
    records: list[dict[str, object]], places: PlaceIndex, pairs_file: Path, strata_file: Path
) -> dict:
    with pairs_file.open(encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle))
    items = dedup.prepare(records, places)
    index = {item.report_id: k for k, item in enumerate(items)}
    idf = dedup.idf_weights(items)
    strata = [_stratum(items[index[p["id_a"]]], items[index[p["id_b"]]], idf) for p in pairs]
    population = json.loads(strata_file.read_text(encoding="utf-8"))["pairs_by_stratum"]
    truths = [p["same_event"] == "1" for p in pairs]
    out = {}
    for rule in RULES:
        groups = dedup.cluster(items, rule)
        event_of = {items[i].report_id: k for k, g in enumerate(groups) for i in g}
        joined = [event_of[p["id_a"]] == event_of[p["id_b"]] for p in pairs]
        tp, fp, fn, tn = _confusion(joined, truths, [1.0] * len(pairs))
        p, r, f1 = _prf(tp, fp, fn)
        weighted = _weighted(joined, truths, strata, population)
        out[rule] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3),
                     "tp": tp, "fp": fp, "fn": fn, "tn": tn, "events": len(groups),
                     "weighted_to_month": weighted}  # fmt: skip
    return {"pairs": len(pairs), "same_event_pairs": sum(truths),
            "labelled_by_stratum": {s: strata.count(s) for s in population},
            "window_pairs_by_stratum": population, "rules": out}  # fmt: skip


def _stratum(a: dedup.Item, b: dedup.Item, idf: dict[str, float]) -> str:
    if a.headline_key == b.headline_key:
        return "identical"
    similarity = dedup.text_similarity(a, b, idf)
    return ("high" if similarity >= 0.5 else "medium" if similarity >= 0.3
            else "low" if similarity >= 0.15 else "very_low")  # fmt: skip


def _confusion(
    joined: list[bool], truths: list[bool], weights: list[float]
) -> tuple[float, float, float, float]:
    tp = sum(w for j, t, w in zip(joined, truths, weights, strict=True) if j and t)
    fp = sum(w for j, t, w in zip(joined, truths, weights, strict=True) if j and not t)
    fn = sum(w for j, t, w in zip(joined, truths, weights, strict=True) if t and not j)
    tn = sum(w for j, t, w in zip(joined, truths, weights, strict=True) if not t and not j)
    return tp, fp, fn, tn


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def _weighted(
    joined: list[bool], truths: list[bool], strata: list[str], population: dict[str, int]
) -> dict[str, object]:
    """Precision, recall and F1 over the month's window pairs, each labelled pair weighted by
    (pairs of its stratum) / (labelled pairs of its stratum), with a stratified bootstrap."""
    by: dict[str, list[int]] = {s: [k for k, x in enumerate(strata) if x == s] for s in population}
    unlabelled = [s for s, n in population.items() if n and not by[s]]

    def estimate(chosen: dict[str, list[int]]) -> tuple[float, float, float]:
        ks = [k for s in chosen for k in chosen[s]]
        weights = [population[strata[k]] / len(chosen[strata[k]]) for k in ks]
        tp, fp, fn, _tn = _confusion([joined[k] for k in ks], [truths[k] for k in ks], weights)
        return _prf(tp, fp, fn)

    point = estimate(by)
    rng = random.Random(2025)
    draws = [estimate({s: rng.choices(ks, k=len(ks)) for s, ks in by.items() if ks})
             for _ in range(2000)]  # fmt: skip

    def interval(n: int) -> list[float]:
        values = sorted(d[n] for d in draws)
        return [round(values[50], 3), round(values[1949], 3)]

    return {"precision": round(point[0], 3), "recall": round(point[1], 3),
            "f1": round(point[2], 3), "precision_95": interval(0), "recall_95": interval(1),
            "f1_95": interval(2), "strata_without_labels": unlabelled}  # fmt: skip


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
        for key, (pairs_month, name) in LABELLED.items():
            if month == pairs_month and (TESTS / f"{name}.csv").is_file():
                result[key] = score(reports, places, TESTS / f"{name}.csv",
                                    TESTS / f"{name}_strata.json")  # fmt: skip
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
    print(json.dumps({k: result.get(k) for k in (*LABELLED, "total", "throughput")}, indent=1))


if __name__ == "__main__":
    default = os.environ.get("CEASEWATCH_DATA", str(HERE.parent.parent / "shared" / "data"))
    main(Path(sys.argv[1] if len(sys.argv) > 1 else default))
