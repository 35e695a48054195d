"""Draw the pairs of VIINA reports to hand-label (tests/data/viina_pairs.md says how).

Pairs come from May 2025 (tuning looked only at February 2025). Strata over the pairs inside the
blocking window (time and space): identical headline, text similarity high / medium / low /
very low, and pairs drawn uniformly from the window. Seeded, so a rerun draws the same pairs.

    python bench/viina_sample.py [DATA_DIR] [--tuning] [--held-out]

writes tests/data/viina_pairs_rows.csv (the VIINA rows of every sampled report, with its id),
tests/data/viina_pairs_todo.csv (the pairs without labels) and tests/data/viina_pairs_strata.json
(how many pairs of the month's blocking window fall in each similarity stratum, for weighting
the sample back to the month), and prints the pairs to label. ``--tuning`` also draws the
February tuning pairs; ``--held-out`` draws 200 pairs of July 2025 (the held-out month, labelled
once and scored once) and writes its labelling sheet without strata, scores or decisions.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

from ceasewatch.fusion import report_dedup as dedup
from ceasewatch.ingest.viina import COLUMNS, PlaceNames, read_files
from ceasewatch.model.places import Gazetteer

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "tests" / "data"
STRATA = (  # name, lowest similarity, highest (exclusive), how many
    ("identical", None, None, 20),
    ("high", 0.5, 1.0, 45),
    ("medium", 0.3, 0.5, 55),
    ("low", 0.15, 0.3, 45),
    ("very_low", 0.0, 0.15, 25),
    ("random", None, None, 30),
)


def main(
    data_dir: Path, month: str = "202505", prefix: str = "viina_pairs", scale: float = 1.0
) -> None:
    path = data_dir / "reports" / "viina" / f"viina_incidents_{month}.csv"
    batch = read_files([path], PlaceNames(Gazetteer.default()))
    items = dedup.prepare(batch.reports)
    idf = dedup.idf_weights(items)
    pairs = [(i, j, dedup.text_similarity(items[i], items[j], idf))
             for i, j in dedup.candidate_pairs(items)]  # fmt: skip
    rng = random.Random(int(month + "01"))
    chosen: list[tuple[str, int, int]] = []
    taken: set[tuple[int, int]] = set()
    for name, lo, hi, full_count in STRATA:
        count = round(full_count * scale)
        if name == "identical":
            pool = [p for p in pairs if items[p[0]].headline_key == items[p[1]].headline_key]
        elif name == "random":
            pool = pairs
        else:
            pool = [p for p in pairs if items[p[0]].headline_key != items[p[1]].headline_key
                    and lo is not None and hi is not None and lo <= p[2] < hi]  # fmt: skip
        pool = [p for p in pool if (p[0], p[1]) not in taken]
        for i, j, _s in rng.sample(pool, min(count, len(pool))):
            taken.add((i, j))
            chosen.append((name, i, j))
    population = {name: 0 for name, *_rest in STRATA if name != "random"}
    for i, j, similarity in pairs:
        population[stratum_of(items[i].headline_key == items[j].headline_key, similarity)] += 1
    (OUT / f"{prefix}_strata.json").write_text(
        json.dumps({"month": month, "window_pairs": len(pairs), "pairs_by_stratum": population},
                   indent=2) + "\n", encoding="utf-8",
    )  # fmt: skip
    rows = {}
    with path.open(encoding="utf-8-sig") as handle:
        raw = list(csv.DictReader(handle))
    by_id = {r["report_id"]: k for k, r in enumerate(batch.reports)}
    for _name, i, j in chosen:
        for k in (i, j):
            rows[items[k].report_id] = raw[by_id[items[k].report_id]]
    with (OUT / f"{prefix}_rows.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["report_id", *COLUMNS])
        for rid in sorted(rows):
            writer.writerow([rid, *(rows[rid][c] for c in COLUMNS)])
    with (OUT / f"{prefix}_todo.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pair", "stratum", "id_a", "id_b"])
        for n, (name, i, j) in enumerate(chosen):
            writer.writerow([n, name, items[i].report_id, items[j].report_id])
    for n, (_name, i, j) in enumerate(chosen):
        a, b = batch.reports[i], batch.reports[j]
        print(f"#{n} {a['t_start'][:16]} {a['place_name']} | {b['t_start'][:16]} {b['place_name']}")
        print(f"  A: {a['headline']}")
        print(f"  B: {b['headline']}")


def stratum_of(identical: bool, similarity: float) -> str:
    """The similarity stratum a pair of the window belongs to (``random`` is a draw, not one)."""
    if identical:
        return "identical"
    if similarity >= 1.0:  # the same word keys, not the same headline: counted as high
        return "high"
    return next(name for name, lo, hi, _n in STRATA
                if lo is not None and hi is not None and lo <= similarity < hi)  # fmt: skip


if __name__ == "__main__":
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data")
    main(data)  # the test pairs (May 2025)
    if "--tuning" in sys.argv:
        main(data, "202502", "viina_tuning_pairs", 0.5)  # the tuning pairs (February 2025)
    if "--held-out" in sys.argv:
        main(data, "202507", "viina_heldout_pairs", 200 / 220)  # July 2025, labelled once
