"""Fit the acoustic stage's confidence to what is true, on simulated training runs.

    python scripts/calibrate_fusion.py DIR [DIR …]

Each DIR is a simulator output (``sensors.geojson``, ``picks.jsonl`` and ``truth/``, or
``truth-acoustic/`` when it exists). The association runs with the default settings but keeps
every source it finds; each is labelled true or false by ``ceasewatch score``'s matching; a
logistic regression of the label on (log-odds, ln picks, ln ellipse area in km², 1) is fitted by
maximum likelihood. It prints the coefficients to put in ``fusion/acoustic/model.py``
(``CALIBRATION``), the reliability of the fit, and for each bar on the confidence the F1 the
training runs would score — the data for choosing ``Settings.min_confidence``. Use runs with
other seeds than the benchmark's (``bench/fusion_scenarios.py`` makes them with another seed).

``--noise-per-h 10,30,60`` adds, for each DIR (or each ``--noise-on`` DIR), one hour of false
picks alone at each rate on its sensors (uniform in time, 20 ms stated sigma): every event
found there is false.
Without them the fit learns from scenarios where nearly every three-pick source is real, and
pure noise then comes out confident.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from ceasewatch.fusion.acoustic.array import read_sensors
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.run import fuse_picks
from ceasewatch.model.time import format_ns
from ceasewatch.sim.scoring.score import run_score

BARS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


@dataclass(frozen=True)
class Labelled:
    features: np.ndarray  # [n, 4]
    label: np.ndarray  # 1.0 when the event matched a true source
    sources: int  # true sources an associator could find (three picks or more)


def labelled(folder: Path) -> Labelled:
    array = read_sensors(folder / "sensors.geojson")
    records = [json.loads(line) for line in (folder / "picks.jsonl").open(encoding="utf-8")]
    settings = replace(Settings(), calibration=(1.0, 0.0, 0.0, 0.0), min_confidence=0.0)
    result = fuse_picks(array, records, settings)
    truth = folder / "truth-acoustic" if (folder / "truth-acoustic").is_dir() else folder / "truth"
    with tempfile.TemporaryDirectory() as scratch:
        run = Path(scratch)
        with (run / "events.jsonl").open("w", encoding="utf-8") as out:
            for event in result.events:
                out.write(json.dumps(event.to_json()) + "\n")
        run_score(truth, run, run / "score")
        rows = [json.loads(line) for line in (run / "score" / "matches.jsonl").open()]
    good = {r["event_id"] for r in rows if r["outcome"] == "tp"}
    sources = sum(
        len(json.loads(line).get("records", {}).get("picks", [])) >= 3
        for line in (truth / "sources.jsonl").open(encoding="utf-8")
    )
    features = np.array(
        [[e.log_odds, np.log(len(e.pick_ids)),
          np.log(max(e.ellipse.semi_major_m * e.ellipse.semi_minor_m, 1.0) / 1e6), 1.0]
         for e in result.events]
    ).reshape(-1, 4)  # fmt: skip
    label = np.array([e.event_id in good for e in result.events], dtype=float)
    print(f"{folder.name}: {len(label)} sources found, {int(label.sum())} true", flush=True)
    return Labelled(features, label, sources)


def noise(folder: Path, rate_per_h: float, seed: int) -> Labelled:
    """One hour of false picks alone on ``folder``'s sensors: whatever is found is false."""
    array = read_sensors(folder / "sensors.geojson")
    rng = np.random.default_rng(seed)
    start_ns = 1_771_372_800_000_000_000  # 2026-02-18T00:00:00Z
    records = [
        {"pick_id": f"{sensor}-n{n}", "sensor_id": sensor, "t_sigma_s": 0.02,
         "t_arrival": format_ns(start_ns + int(t * 1e9), 9)}
        for sensor in array.ids
        for n, t in enumerate(np.sort(rng.uniform(0.0, 3600.0, rng.poisson(rate_per_h))))
    ]  # fmt: skip
    settings = replace(Settings(), calibration=(1.0, 0.0, 0.0, 0.0), min_confidence=0.0)
    events = fuse_picks(array, records, settings).events
    features = np.array(
        [[e.log_odds, np.log(len(e.pick_ids)),
          np.log(max(e.ellipse.semi_major_m * e.ellipse.semi_minor_m, 1.0) / 1e6), 1.0]
         for e in events]
    ).reshape(-1, 4)  # fmt: skip
    print(f"{folder.name}, false picks alone at {rate_per_h:g}/h: {len(events)} found", flush=True)
    return Labelled(features, np.zeros(len(events)), 0)


def fit(x: np.ndarray, label: np.ndarray) -> np.ndarray:
    def loss(w: np.ndarray) -> float:
        z = x @ w
        return float(np.sum(np.logaddexp(0.0, z) - label * z))

    return np.asarray(minimize(loss, np.zeros(x.shape[1]), method="BFGS").x)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--noise-per-h", default="", help="rates of false-pick-only hours")
    parser.add_argument(
        "--noise-on",
        type=Path,
        action="append",
        default=[],
        help="a DIR whose sensors get the noise hours (default: every DIR)",
    )
    args = parser.parse_args(argv)
    runs = [labelled(folder) for folder in args.dirs]
    rates = [float(r) for r in args.noise_per_h.split(",") if r]
    pairs = itertools.product(args.noise_on or args.dirs, rates)
    noisy = [noise(folder, rate, seed) for seed, (folder, rate) in enumerate(pairs)]
    x = np.concatenate([r.features for r in runs + noisy])
    label = np.concatenate([r.label for r in runs + noisy])
    w = fit(x, label)
    p = 1 / (1 + np.exp(-(x @ w)))
    print(f"{len(label)} events, {int(label.sum())} true")
    print(f"CALIBRATION = ({w[0]:.4f}, {w[1]:.4f}, {w[2]:.4f}, {w[3]:.4f})")
    for low in np.arange(0.0, 1.0, 0.1):
        inside = (p >= low) & (p < low + 0.1)
        if inside.any():
            print(f"  p in [{low:.1f}, {low + 0.1:.1f}): {inside.sum():5d} events, "
                  f"mean p {p[inside].mean():.3f}, true {label[inside].mean():.3f}")  # fmt: skip
    for bar in BARS:
        scores = []
        for r in runs:
            kept = 1 / (1 + np.exp(-(r.features @ w))) >= bar
            tp = float(r.label[kept].sum())
            precision = tp / max(int(kept.sum()), 1)
            recall = tp / max(r.sources, 1)
            scores.append(2 * precision * recall / max(precision + recall, 1e-9))
        false = [int((1 / (1 + np.exp(-(r.features @ w))) >= bar).sum()) for r in noisy]
        print(f"  min_confidence {bar:.1f}: F1 on detectable sources "
              + ", ".join(f"{f:.3f}" for f in scores)
              + (f"; false events in the noise hours {false}" if noisy else ""))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
