"""The scorer against synthetic truth folders with known answers (tests/sim/score_fixtures.py)."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import chi2

from ceasewatch.agreement import Agreement
from ceasewatch.errors import InputError
from ceasewatch.model.geo import Uncertainty, geodesic_distance_m
from ceasewatch.model.time import format_ns, parse_ns
from ceasewatch.sim.scoring.attribution import AttributionScore
from ceasewatch.sim.scoring.coverage import AlertScore, CoverageScore, SectorCoverage
from ceasewatch.sim.scoring.line import LineAxis
from ceasewatch.sim.scoring.location import LocationScore, inside_ellipses, mahalanobis_squared
from ceasewatch.sim.scoring.match import EventScore, assign
from ceasewatch.sim.scoring.report import NotAvailable, plain
from ceasewatch.sim.scoring.run import Ellipse
from ceasewatch.sim.scoring.score import ScoreReport, agreement_of, run_score, score, write_score
from ceasewatch.sim.scoring.truth import load_truth
from ceasewatch.sim.scoring.violations import ViolationScore
from tests.sim.score_fixtures import (
    Scene,
    basic_scene,
    event_of,
    many_blasts,
    oracle_events,
    oracle_violations,
    shifted,
    write_jsonl,
    write_run,
    write_truth,
)

N_SOURCES = 10


def run(
    tmp_path: Path,
    toy: Agreement,
    scene: Scene,
    events: list[dict[str, Any]] | None,
    violations: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> ScoreReport:
    truth = write_truth(tmp_path / "sim", scene)
    folder = write_run(tmp_path / "run", events, violations, **extra)
    return score(truth, folder, agreement=toy)


def events_of(report: ScoreReport) -> EventScore:
    assert isinstance(report.events, EventScore), report.events
    return report.events


def location_of(report: ScoreReport) -> LocationScore:
    assert isinstance(report.location, LocationScore), report.location
    return report.location


def violations_of(report: ScoreReport) -> ViolationScore:
    assert isinstance(report.violations, ViolationScore), report.violations
    return report.violations


def attribution_of(report: ScoreReport) -> AttributionScore:
    assert isinstance(report.attribution, AttributionScore), report.attribution
    return report.attribution


# ---------------------------------------------------------------------------------------------
# The oracle


def test_the_oracle_run_scores_perfectly(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    report = run(tmp_path, toy, scene, oracle_events(scene), oracle_violations(scene))
    events = events_of(report)
    assert (events.sources, events.events, events.true_positives) == (N_SOURCES,) * 3
    assert events.precision == events.recall == events.f1 == 1.0
    assert events.recall_detectable == 1.0
    assert events.sources_not_detectable == 1  # h7/launch: two picks only
    assert events.false_positives == events.false_negatives == 0
    location = location_of(report)
    assert location.error_m.max == 0.0 and location.origin_time_error_s.max == 0.0
    assert not isinstance(location.ellipse, NotAvailable)
    assert location.ellipse.coverage == 1.0
    violations = violations_of(report)
    assert violations.precision == violations.recall == 1.0
    assert violations.truth_violations == 4
    assert violations.clutter.called_violation == 0
    assert violations.clutter.happenings_with_records == 2
    attribution = attribution_of(report)
    assert attribution.accuracy == 1.0
    assert attribution.confident_accuracy == 1.0 and attribution.confident_violations == 4


def test_counts_by_phase_and_kind(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    events = oracle_events(scene)
    events = [e for e in events if e["event_id"] != "ev-h2/impact"]
    report = events_of(run(tmp_path, toy, scene, events))
    assert report.by_phase["impact"].sources == 4
    assert report.by_phase["impact"].true_positives == 3
    assert report.by_phase["launch"].recall == 1.0
    assert report.by_phase["launch"].recall_detectable == 1.0
    assert report.by_happening_kind["shot"].true_positives == 5
    assert report.by_event_kind["fire"].precision == 1.0
    assert report.false_negative_causes == {
        "merged_or_partial": 0,
        "no_event": 1,
        "not_detectable": 0,
    }


# ---------------------------------------------------------------------------------------------
# Perturbed runs with known answers


def test_dropping_one_event_costs_exactly_one_source_of_recall(
    tmp_path: Path, toy: Agreement
) -> None:
    scene = basic_scene()
    events = oracle_events(scene)[1:]
    report = events_of(run(tmp_path, toy, scene, events))
    assert report.recall == pytest.approx((N_SOURCES - 1) / N_SOURCES)
    assert report.precision == 1.0
    assert report.false_negatives == 1


def test_an_event_of_false_alarms_is_a_false_positive(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    fake = event_of(scene.sources[0], "ev-fake")
    fake["pick_ids"] = ["FA-0", "FA-1", "FA-2"]
    fake.pop("track_ids", None)
    report = events_of(run(tmp_path, toy, scene, [*oracle_events(scene), fake]))
    assert report.precision == pytest.approx(N_SOURCES / (N_SOURCES + 1))
    assert report.recall == 1.0
    assert report.false_positive_causes["false_alarms_only"] == 1


def test_a_split_source_gives_one_true_and_one_false_positive(
    tmp_path: Path, toy: Agreement
) -> None:
    scene = basic_scene()
    events = oracle_events(scene)
    whole = next(e for e in events if e["event_id"] == "ev-h1/impact")  # 5 picks and a track
    first, second = copy.deepcopy(whole), copy.deepcopy(whole)
    first["pick_ids"], first["track_ids"] = whole["pick_ids"][:3], []
    second["event_id"], second["pick_ids"] = "ev-second-half", whole["pick_ids"][3:]
    events = [e for e in events if e is not whole] + [first, second]
    report = events_of(run(tmp_path, toy, scene, events))
    assert (report.true_positives, report.false_positives, report.false_negatives) == (10, 1, 0)
    assert report.false_positive_causes["split_or_partial"] == 1


def test_two_merged_sources_give_one_true_positive_and_one_miss(
    tmp_path: Path, toy: Agreement
) -> None:
    scene = basic_scene()
    events = oracle_events(scene)
    launch = next(e for e in events if e["event_id"] == "ev-h2/launch")  # 3 picks
    impact = next(e for e in events if e["event_id"] == "ev-h2/impact")  # 3 picks
    launch["pick_ids"] = launch["pick_ids"] + impact["pick_ids"]
    events.remove(impact)
    report = events_of(run(tmp_path, toy, scene, events))
    assert (report.true_positives, report.false_positives, report.false_negatives) == (9, 0, 1)
    assert report.false_negative_causes["merged_or_partial"] == 1


def test_an_event_holding_less_than_the_fraction_is_not_a_true_positive(
    tmp_path: Path, toy: Agreement
) -> None:
    scene = basic_scene()
    events = oracle_events(scene)
    event = next(e for e in events if e["event_id"] == "ev-h6/blast")  # 4 picks
    event["pick_ids"] = event["pick_ids"][:2] + ["FA-0", "FA-1", "FA-2"]  # 2 of 5 are the source's
    truth = write_truth(tmp_path / "sim", scene)
    folder = write_run(tmp_path / "run", events)
    strict = events_of(score(truth, folder, agreement=toy))
    assert strict.true_positives == N_SOURCES - 1 and strict.false_positives == 1
    lenient = events_of(score(truth, folder, agreement=toy, match_fraction=0.4))
    assert lenient.true_positives == N_SOURCES and lenient.match_fraction == 0.4


def test_positions_shifted_500_m_east_give_a_500_m_median_error(
    tmp_path: Path, toy: Agreement
) -> None:
    scene = basic_scene()
    events = [shifted(e, 90.0, 500.0) for e in oracle_events(scene)]
    location = location_of(run(tmp_path, toy, scene, events))
    assert location.error_m.median == pytest.approx(500.0, abs=1.0)
    assert location.error_m.max == pytest.approx(500.0, abs=1.0)
    assert not isinstance(location.ellipse, NotAvailable)
    assert location.ellipse.coverage == 0.0  # a 100 m circle does not reach 500 m


def _gaussian_run(
    scene: Scene, rng: np.random.Generator, stated: tuple[float, float], true: tuple[float, float]
) -> list[dict[str, Any]]:
    """Events whose positions are drawn from a Gaussian with one-sigma axes ``true`` (major
    along the azimuth), stating the p = 0.95 ellipse of one-sigma axes ``stated``."""
    scale = math.sqrt(chi2.ppf(0.95, df=2))
    events = []
    for source in scene.sources:
        azimuth = float(rng.uniform(0, 180))
        along, across = rng.normal(0, true[0]), rng.normal(0, true[1])
        axis = math.radians(azimuth)
        east = along * math.sin(axis) + across * math.cos(axis)
        north = along * math.cos(axis) - across * math.sin(axis)
        event = shifted(
            event_of(source), math.degrees(math.atan2(east, north)), math.hypot(east, north)
        )
        event["ellipse"] = {
            "semi_major_m": stated[0] * scale,
            "semi_minor_m": stated[1] * scale,
            "azimuth_deg": azimuth,
            "p": 0.95,
        }
        events.append(event)
    return events


def test_honest_ellipses_hold_the_stated_probability(tmp_path: Path, toy: Agreement) -> None:
    rng = np.random.default_rng(20260218)
    scene = many_blasts(2000, rng)
    events = _gaussian_run(scene, rng, stated=(120.0, 40.0), true=(120.0, 40.0))
    ellipse = location_of(run(tmp_path, toy, scene, events)).ellipse
    assert not isinstance(ellipse, NotAvailable)
    assert ellipse.events == 2000 and ellipse.stated_p == pytest.approx(0.95)
    assert 0.94 <= (ellipse.coverage or 0) <= 0.96
    assert ellipse.coverage_interval is not None
    assert ellipse.coverage_interval[0] <= 0.95 <= ellipse.coverage_interval[1]


def test_over_confident_ellipses_hold_far_less(tmp_path: Path, toy: Agreement) -> None:
    rng = np.random.default_rng(5)
    scene = many_blasts(500, rng)
    events = _gaussian_run(scene, rng, stated=(40.0, 15.0), true=(120.0, 40.0))
    ellipse = location_of(run(tmp_path, toy, scene, events)).ellipse
    assert not isinstance(ellipse, NotAvailable)
    # A third of the true sigma: P(chi2_2 <= 5.99 / 9) = 1 - exp(-5.99 / 18) = 0.28.
    assert ellipse.coverage is not None and 0.2 < ellipse.coverage < 0.36


def test_the_ellipse_test_is_the_mahalanobis_distance_of_the_stated_uncertainty() -> None:
    ellipse = Ellipse(300.0, 100.0, 30.0, 0.9)
    sigma = Uncertainty.from_ellipse(300.0, 100.0, 30.0, 0.9)
    axis = math.radians(30.0)
    for factor in (0.999, 1.001):
        east = np.array([300.0 * factor * math.sin(axis), 100.0 * factor * math.cos(axis)])
        north = np.array([300.0 * factor * math.cos(axis), -100.0 * factor * math.sin(axis)])
        inside = inside_ellipses(east, north, [ellipse, ellipse])
        assert inside.tolist() == [factor < 1, factor < 1]
    d2 = mahalanobis_squared(np.array([30.0]), np.array([40.0]), [ellipse])
    along = 30 * math.sin(axis) + 40 * math.cos(axis)
    across = 30 * math.cos(axis) - 40 * math.sin(axis)
    expected = (along / sigma.sigma_major_m) ** 2 + (across / sigma.sigma_minor_m) ** 2
    assert d2[0] == pytest.approx(expected)


def test_origin_time_errors(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    events = oracle_events(scene)
    for k, event in enumerate(events):
        event["t_origin"] = format_ns(parse_ns(event["t_origin"]) + (k + 1) * 100_000_000, 9)
    location = location_of(run(tmp_path, toy, scene, events))
    assert location.origin_time_error_s.median == pytest.approx(0.55)
    assert location.origin_time_error_s.max == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------------
# Violations and attribution


def test_violations_by_rule_and_clutter(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    violations = oracle_violations(scene)
    extra = copy.deepcopy(violations[0])
    duplicate = {**extra, "violation_id": "vi-dup"}
    on_fire = {**extra, "violation_id": "vi-fire", "event_ids": ["ev-h5/fire"]}
    wrong = {**extra, "violation_id": "vi-wrong", "rule_id": "withdrawal"}
    nowhere = {**extra, "violation_id": "vi-none", "event_ids": ["ev-missing"]}
    dismissed = {**extra, "violation_id": "vi-dismissed", "event_ids": ["ev-h6/blast"]}
    dismissed["status"] = "dismissed"
    violations = [v for v in violations if v["rule_id"] != "withdrawal"]  # miss h4's
    violations += [duplicate, on_fire, wrong, nowhere, dismissed]
    report = violations_of(run(tmp_path, toy, scene, oracle_events(scene), violations))
    assert (report.run_violations, report.dismissed_not_scored) == (7, 1)
    assert (report.true_positives, report.false_positives, report.false_negatives) == (3, 4, 1)
    assert report.false_positive_causes == {
        "clutter": 1,
        "duplicate": 1,
        "no_matched_event": 1,
        "not_a_violation": 0,
        "wrong_rule": 1,
    }
    assert report.by_rule["no-fire"].precision == pytest.approx(3 / 6)
    assert report.by_rule["no-fire"].recall == 1.0
    assert report.by_rule["withdrawal"].recall == 0.0
    assert report.by_rule["withdrawal"].precision == 0.0
    assert report.clutter.called_violation == 1
    assert report.clutter.rate == pytest.approx(1 / 2)
    assert report.unknown_event_ids == 1


def test_violations_need_matched_events(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    events = [e for e in oracle_events(scene) if not e["event_id"].startswith("ev-h1/")]
    report = violations_of(run(tmp_path, toy, scene, events, oracle_violations(scene)))
    assert report.true_positives == 3 and report.false_negatives == 1
    assert report.false_positive_causes["no_matched_event"] == 1


def test_attribution_calibration_computed_by_hand(tmp_path: Path, toy: Agreement) -> None:
    responsible = {
        "h1": {"E": 0.8, "W": 0.2},  # truth E: right
        "h3": {"E": 0.8, "W": 0.2},  # truth E: right
        "h2": {"E": 0.8, "W": 0.2},  # truth W: wrong
        "h4": {"E": 0.35, "W": 0.65},  # truth W: right
    }
    scene = basic_scene()
    report = run(tmp_path, toy, scene, oracle_events(scene), oracle_violations(scene, responsible))
    attribution = attribution_of(report)
    # Forecasts: 0.8 ×3 (outcomes 1, 1, 0), 0.2 ×3 (0, 0, 1), 0.35 (0), 0.65 (1).
    # ECE = (3·|0.8 − 2/3| + 3·|0.2 − 1/3| + |0.35 − 0| + |0.65 − 1|) / 8 = 1.5 / 8.
    assert attribution.forecasts == 8
    assert attribution.ece == pytest.approx(0.1875)
    assert attribution.accuracy == pytest.approx(0.75)
    assert attribution.brier == pytest.approx((0.08 + 0.08 + 1.28 + 0.245) / 4)
    assert attribution.confident_violations == 0 and attribution.confident_accuracy is None
    by_bin = {round(b.low, 1): b for b in attribution.bins}
    assert by_bin[0.8].forecasts == 3 and by_bin[0.8].observed == pytest.approx(2 / 3)
    assert by_bin[0.2].mean_predicted == pytest.approx(0.2)
    assert sum(b.forecasts for b in attribution.bins) == 8
    assert attribution.by_true_party["W"].accuracy == pytest.approx(0.5)


def test_a_tie_at_the_top_is_not_an_attribution(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    responsible = {"h1": {"E": 0.5, "W": 0.5}}
    report = run(tmp_path, toy, scene, oracle_events(scene), oracle_violations(scene, responsible))
    assert attribution_of(report).accuracy == pytest.approx(0.75)


# ---------------------------------------------------------------------------------------------
# Coverage and alerts


def test_coverage_error_per_sensor_hour_and_sector_hour(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    scene.sensors = {"N1": (34.9, 48.5), "N2": (35.1, 48.6), "S1": (35.0, 47.5)}
    hours = ["2026-02-18T03:00:00Z", "2026-02-18T04:00:00Z"]
    truth = {"N1": 1.0, "N2": 0.5, "S1": 0.0}
    said = {"N1": 0.8, "N2": 0.5, "S1": 0.4}
    scene.coverage = [
        {"sensor_id": s, "hour": h, "available": a, "outage": False, "jammed": False, "night": True}
        for h in hours
        for s, a in truth.items()
    ]
    coverage = [{"sensor_id": s, "hour": h, "available": a} for h in hours for s, a in said.items()]
    report = run(tmp_path, toy, scene, oracle_events(scene), coverage=coverage)
    assert isinstance(report.coverage, CoverageScore)
    assert report.coverage.joined_sensor_hours == 6
    assert report.coverage.mean_abs_error == pytest.approx((0.2 + 0.0 + 0.4) / 3)
    sectors = report.coverage.sectors
    assert isinstance(sectors, SectorCoverage)
    # North: truth mean 0.75, run mean 0.65 → 0.1; south: 0.4. Two hours each.
    assert sectors.mean_abs_error_by_sector == pytest.approx({"north": 0.1, "south": 0.4})
    assert sectors.sector_hours == 4 and sectors.mean_abs_error == pytest.approx(0.25)


def test_time_to_alert(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    violations = oracle_violations(scene)
    alerts = []
    for delay_s, violation in zip((30, 60, 90, 120), violations, strict=True):
        t = parse_ns(scene.happening(violation["violation_id"].split("-")[1])["t"])
        alerts.append(
            {"violation_id": violation["violation_id"], "t_alert": format_ns(t + delay_s * 10**9)}
        )
    alerts.append({**alerts[0], "t_alert": format_ns(parse_ns(alerts[0]["t_alert"]) + 10**12)})
    alerts.append({"violation_id": "vi-unknown", "t_alert": alerts[0]["t_alert"]})
    report = run(tmp_path, toy, scene, oracle_events(scene), violations, alerts=alerts)
    assert isinstance(report.alerts, AlertScore)
    assert report.alerts.delay_s.median == pytest.approx(75.0)
    assert report.alerts.delay_s.max == pytest.approx(120.0)
    assert report.alerts.true_violations_alerted == 4
    assert report.alerts.alerts_on_other_violations == 1


# ---------------------------------------------------------------------------------------------
# Missing and malformed inputs


def test_missing_run_files_are_not_available_not_a_crash(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    report = run(tmp_path, toy, scene, None)
    assert set(report.not_available) == {
        "events",
        "location",
        "violations",
        "attribution",
        "coverage",
        "alerts",
        "complaints",
    }
    assert "events.jsonl" in report.not_available["events"]
    data = json.loads(report.to_json())
    assert data["events"] == {"available": False, "reason": "the run has no events.jsonl"}
    write_score(report, tmp_path / "out")
    assert (tmp_path / "out" / "calibration.png").stat().st_size > 0


def test_events_without_violations(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    report = run(tmp_path, toy, scene, oracle_events(scene))
    assert set(report.not_available) == {
        "violations",
        "attribution",
        "coverage",
        "alerts",
        "complaints",
    }
    assert report.not_available["violations"] == "the run has no violations.jsonl"
    assert report.not_available["coverage"] == "the run has no coverage.jsonl"


@pytest.mark.parametrize(
    ("file", "line", "text", "expected"),
    [
        ("run/events.jsonl", 2, '{"event_id": "e2", ', "not valid JSON"),
        (
            "run/events.jsonl",
            3,
            '{"event_id": "e3", "t_origin": "2026-02-18T03:00:00Z"}',
            "'position'",
        ),
        ("run/events.jsonl", 1, '["a list"]', "object was expected"),
        (
            "run/events.jsonl",
            2,
            '{"event_id": "e2", "t_origin": "03:00", "position": [35, 48]}',
            "RFC 3339",
        ),
        (
            "run/events.jsonl",
            2,
            '{"event_id": "e2", "t_origin": "2026-02-18T03:00:00Z", "position": [48, 95]}',
            "longitude first",
        ),
        ("run/violations.jsonl", 2, '{"violation_id": "v", "event_ids": ["e"]}', "'rule_id'"),
        ("sim/truth/sources.jsonl", 3, '{"source_id": "x"}', "'happening_id'"),
        ("sim/truth/happenings.jsonl", 4, '{"happening_id": "h", "kind": "shot"}', "'t'"),
    ],
)
def test_bad_lines_are_named_by_file_and_line(
    tmp_path: Path, toy: Agreement, file: str, line: int, text: str, expected: str
) -> None:
    scene = basic_scene()
    truth = write_truth(tmp_path / "sim", scene)
    folder = write_run(tmp_path / "run", oracle_events(scene), oracle_violations(scene))
    path = tmp_path / file
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(line - 1, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        score(truth, folder, agreement=toy)
    message = str(caught.value)
    assert f"{path}:{line}" in message and expected in message, message


def test_duplicate_ids_and_missing_folders(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    events = oracle_events(scene)
    truth = write_truth(tmp_path / "sim", scene)
    folder = write_run(tmp_path / "run", [*events, events[0]])
    with pytest.raises(
        InputError, match=r"events\.jsonl:11: event_id .* already appears on line 1"
    ):
        score(truth, folder, agreement=toy)
    with pytest.raises(InputError, match="no such folder"):
        score(truth, tmp_path / "nowhere", agreement=toy)
    with pytest.raises(InputError, match="happenings.jsonl: missing"):
        score(tmp_path / "run", folder, agreement=toy)


# ---------------------------------------------------------------------------------------------
# Output


def test_json_is_stable_rounded_and_complete(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    events = [shifted(e, 45.0, 123.456789) for e in oracle_events(scene)]
    report = run(tmp_path, toy, scene, events, oracle_violations(scene))
    text = report.to_json()
    assert text == report.to_json()
    data = json.loads(text)
    assert list(data) == [
        "format",
        "inputs",
        "not_available",
        "events",
        "location",
        "violations",
        "attribution",
        "coverage",
        "alerts",
        "complaints",
    ]
    assert data["location"]["error_m"]["median"] == 123.5
    assert data["location"]["ellipse"]["available"] is True
    assert data["events"]["precision"] == 1.0
    assert "matching" not in data["events"] and "matched" not in data["violations"]
    assert data["inputs"]["complaints_by_truth"] == {"true": 1}
    assert data["inputs"]["seed"] == 7 and data["inputs"]["agreement"] == "toy v1"
    assert plain({"b": 1.23456789, "a": 2}, "x_s") == {"a": 2, "b": 1.235}


def test_write_score_and_run_score(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    truth = write_truth(tmp_path / "sim", scene)
    folder = write_run(tmp_path / "run", oracle_events(scene)[1:], oracle_violations(scene))
    text, path = run_score(truth, folder, tmp_path / "out", agreement=toy)
    assert path == tmp_path / "out" / "score.json"
    assert "P 1.000" in text and "R 0.900" in text and "not available" in text
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "ceasewatch-score/1"
    rows = [json.loads(line) for line in (path.parent / "matches.jsonl").read_text().splitlines()]
    assert sum(r["outcome"] == "fn" for r in rows) == 1 and len(rows) == N_SOURCES
    for name in ("calibration.png", "errors_along_line.png"):
        assert (path.parent / name).read_bytes()[:4] == b"\x89PNG"


# ---------------------------------------------------------------------------------------------
# Pieces


def test_assignment_maximises_shared_records_one_to_one() -> None:
    # Event 0 shares 3 with source 0 and 2 with 1; event 1 shares 3 with source 0 only.
    weights = {(0, 0): 3.0, (0, 1): 2.0, (1, 0): 3.0, (2, 5): 1.0}
    assert assign(weights) == [(0, 1), (1, 0), (2, 5)]
    # A tie is broken by the secondary weight.
    assert assign({(0, 0): 2.0, (1, 0): 2.0}, {(0, 0): 0.4, (1, 0): 1.0}) == [(1, 0)]
    assert assign({}) == []


def test_position_along_the_toy_line(toy: Agreement) -> None:
    axis = LineAxis(toy)
    expected = geodesic_distance_m(35.0, 49.0, 35.0, 48.0)[0] / 1000
    assert axis.km([35.1, 34.9], [48.0, 48.0]) == pytest.approx([expected, expected], abs=0.05)
    assert axis.length_km == pytest.approx(toy.lines[0].length_m / 1000, rel=1e-6)
    spans = axis.sector_spans()
    assert [s.sector_id for s in spans] == ["north", "south"]
    assert spans[0].end_km == pytest.approx(expected, abs=1.0)


def test_the_agreement_comes_from_the_scenario(tmp_path: Path, toy_path: Path) -> None:
    scene = basic_scene()
    scene.scenario["agreement"] = str(toy_path)
    truth = load_truth(write_truth(tmp_path / "sim", scene))
    assert agreement_of(truth).label == "toy v1"


def test_truth_with_no_records_is_not_detectable(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()
    scene.add("h8", "shot", "W", [], {"impact": ((35.0, 48.0), {})})
    truth = write_truth(tmp_path / "sim", scene)
    write_jsonl(truth / "coverage.jsonl", [])
    report = events_of(
        score(truth, write_run(tmp_path / "run", oracle_events(scene)), agreement=toy)
    )
    assert report.sources == N_SOURCES + 1 and report.sources_not_detectable == 2
    assert report.recall == pytest.approx(N_SOURCES / (N_SOURCES + 1))
    assert report.recall_detectable == 1.0
    assert report.false_negative_causes["not_detectable"] == 1


def test_an_interference_violation_reaches_the_jamming_through_its_status_records(
    tmp_path: Path, toy: Agreement
) -> None:
    """A violation with no events (interference, read from status reports) reaches the
    happening whose truth source holds the records its ``evidence`` names; a source known only
    from status reports is not an event fusion should have found."""
    scene = basic_scene()
    scene.add("h8", "interference", "E", ["no-interference"],
              {"interference": ((35.0, 48.5), {"status": ["A1-jam-01", "A2-jam-01"]})})  # fmt: skip
    jam = {"violation_id": "vi-jam", "rule_id": "no-interference", "event_ids": [],
           "responsible": {"E": 0.3, "W": 0.1, "unknown": 0.6}, "status": "auto",
           "evidence": ["status:A1-jam-01", "status:A2-jam-01"]}  # fmt: skip
    with_events = {**jam, "violation_id": "vi-jam-2", "event_ids": ["ev-h1/impact"]}
    oracle = [v for v in oracle_violations(scene) if v["rule_id"] != "no-interference"]
    violations = [*oracle, jam, with_events]
    scored = run(tmp_path, toy, scene, oracle_events(scene), violations)
    report = violations_of(scored)
    assert report.by_rule["no-interference"].true_positives == 1
    assert report.true_positives == 5 and report.false_positives == 1  # vi-jam-2: not via events
    assert events_of(scored).recall == 1.0  # the interference source is not a missed event
