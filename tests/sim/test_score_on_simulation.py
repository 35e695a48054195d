"""The scorer on real simulator output: an oracle run built from the truth scores perfectly,
and a run that misses part of it scores exactly what it missed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasewatch.cli import app


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--scenario",
            "quiet-day",
            "--seed",
            "4",
            "--hours",
            "12",
            "--deployment",
            "sparse",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "quiet-day, seed 4, 12 h" in result.output
    return out


def oracle(truth: Path, keep) -> tuple[list[dict], list[dict]]:  # type: ignore[no-untyped-def]
    """Events exactly as the truth sources, and violations exactly as the truth happenings."""
    happenings = {h["happening_id"]: h for h in lines(truth / "happenings.jsonl")}
    events, violations = [], []
    by_happening: dict[str, list[str]] = {}
    for number, source in enumerate(lines(truth / "sources.jsonl")):
        records = source["records"]
        if not records or not keep(number):
            continue
        event_id = f"ev-{number:05d}"
        events.append(
            {
                "event_id": event_id,
                "kind": source["phase"],
                "t_origin": source["t_origin"],
                "t_sigma_s": 0.1,
                "position": source["position"],
                "ellipse": {"semi_major_m": 50, "semi_minor_m": 50, "azimuth_deg": 0, "p": 0.95},
                "pick_ids": records.get("picks", []),
                "track_ids": records.get("tracks", []),
                "detection_ids": records.get("detections", []),
                "report_ids": records.get("reports", []),
                "firms_ids": records.get("firms", []),  # the scorer's extension for FIRMS rows
                "confidence": 1.0,
            }
        )
        by_happening.setdefault(source["happening_id"], []).append(event_id)
    for happening_id, event_ids in by_happening.items():
        happening = happenings[happening_id]
        for rule in happening["violations"]:
            violations.append(
                {
                    "violation_id": f"vi-{happening_id}-{rule}",
                    "rule_id": rule,
                    "event_ids": event_ids,
                    "t": happening["t"],
                    "position": happening["impact"],
                    "p_occurred": 1.0,
                    "responsible": {happening["party"]: 1.0, "unknown": 0.0},
                    "p_deliberate": None,
                    "severity": "high",
                    "status": "auto",
                    "reasons": [],
                }
            )
    return events, violations


def test_an_oracle_run_scores_perfectly(simulated: Path, tmp_path: Path) -> None:
    events, violations = oracle(simulated / "truth", lambda n: True)
    write(tmp_path / "events.jsonl", events)
    write(tmp_path / "violations.jsonl", violations)
    result = CliRunner().invoke(
        app, ["score", "--truth", str(simulated / "truth"), "--run", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "score.json").read_text())
    sources = lines(simulated / "truth" / "sources.jsonl")
    silent = sum(1 for s in sources if not s["records"])
    assert report["events"]["precision"] == 1.0
    assert report["events"]["false_negatives"] == silent  # only sources that left no record
    assert report["events"]["true_positives"] == len(sources) - silent
    assert report["location"]["error_m"]["median"] == pytest.approx(0.0, abs=1e-6)
    assert report["violations"]["precision"] == 1.0
    assert report["violations"]["recall_observable"] == 1.0
    assert report["attribution"]["accuracy"] == 1.0


def test_a_run_that_misses_every_tenth_event(simulated: Path, tmp_path: Path) -> None:
    every, _ = oracle(simulated / "truth", lambda n: True)
    kept, _ = oracle(simulated / "truth", lambda n: n % 10 != 3)
    write(tmp_path / "events.jsonl", kept)
    CliRunner().invoke(app, ["score", "--truth", str(simulated / "truth"), "--run", str(tmp_path)])
    report = json.loads((tmp_path / "score.json").read_text())
    sources = lines(simulated / "truth" / "sources.jsonl")
    silent = sum(1 for s in sources if not s["records"])
    assert report["events"]["precision"] == 1.0
    assert report["events"]["true_positives"] == len(kept)
    assert report["events"]["false_negatives"] - silent == len(every) - len(kept)
    assert report["violations"]["available"] is False
