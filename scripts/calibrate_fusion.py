"""Fit the acoustic stage's confidence to what is true, on simulated training runs.

    python scripts/calibrate_fusion.py DIR [DIR …]

Each DIR is a simulator output (``sensors.geojson``, ``picks.jsonl`` and ``truth/``, or
``truth-acoustic/`` when it exists). The association runs with its acceptance bar lowered to
``--bar``; each event is labelled true or false by ``ceasewatch score``'s matching; a logistic
regression of the label on (log-odds, log of the number of picks) is fitted by maximum
likelihood. It prints the coefficients to put in ``fusion/acoustic/model.py`` (``CALIBRATION``)
and the reliability of the fit. Use runs with other seeds than the benchmark's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from ceasewatch.fusion.acoustic.array import read_sensors
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.run import fuse_picks
from ceasewatch.sim.scoring.score import run_score


def labelled(folder: Path, bar: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    array = read_sensors(folder / "sensors.geojson")
    records = [json.loads(line) for line in (folder / "picks.jsonl").open(encoding="utf-8")]
    settings = replace(
        Settings(), min_log_odds=bar, calibration=(1.0, 0.0, 0.0), min_confidence=0.0
    )
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
    log_odds = np.array([e.log_odds for e in result.events])
    picks = np.array([len(e.pick_ids) for e in result.events], dtype=float)
    label = np.array([e.event_id in good for e in result.events], dtype=float)
    return log_odds, picks, label


def fit(log_odds: np.ndarray, picks: np.ndarray, label: np.ndarray) -> np.ndarray:
    x = np.column_stack((log_odds, np.log(picks), np.ones(len(picks))))

    def loss(w: np.ndarray) -> float:
        z = x @ w
        return float(np.sum(np.logaddexp(0.0, z) - label * z))

    return np.asarray(minimize(loss, np.array([0.2, 0.0, 0.0]), method="BFGS").x)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path)
    parser.add_argument("--bar", type=float, default=-15.0)
    args = parser.parse_args(argv)
    parts = [labelled(folder, args.bar) for folder in args.dirs]
    log_odds, picks, label = (np.concatenate(p) for p in zip(*parts, strict=True))
    w = fit(log_odds, picks, label)
    p = 1 / (1 + np.exp(-(np.column_stack((log_odds, np.log(picks), np.ones(len(picks)))) @ w)))
    print(f"{len(label)} events, {int(label.sum())} true")
    print(f"CALIBRATION = ({w[0]:.4f}, {w[1]:.4f}, {w[2]:.4f})")
    for low in np.arange(0.0, 1.0, 0.1):
        inside = (p >= low) & (p < low + 0.1)
        if inside.any():
            print(f"  p in [{low:.1f}, {low + 0.1:.1f}): {inside.sum():5d} events, "
                  f"mean p {p[inside].mean():.3f}, true {label[inside].mean():.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
