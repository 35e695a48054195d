"""The command line: outputs a user reads, exit codes, and no tracebacks for user mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasewatch.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_where_prints_place_control_line_and_zones() -> None:
    result = run("where", "37.55", "48.6", "--sigma-m", "2000")
    assert result.exit_code == 0, result.output
    assert "under ua-2026 v1" in result.output
    assert "3 km SE of Druzhkivka (Donetsk Oblast)" in result.output
    assert "control  UA 1.000" in result.output
    assert "on the UA side" in result.output
    assert "security-zone" in result.output and "sector   donetsk" in result.output


def test_where_json_is_complete_and_probabilities_are_bounded() -> None:
    result = run("where", "34.6", "47.5", "--ellipse-m", "3000,1000,0", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["agreement"]["id"] == "ua-2026"
    assert payload["agreement"]["digest"].startswith("sha256:")
    assert set(payload["control"]) == {"UA", "RU", "outside"}
    assert sum(payload["control"].values()) == pytest.approx(1.0, abs=1e-5)
    assert payload["protected_sites"]["znpp"] > 0.99
    assert payload["lines"][0]["side"] == "RU"
    assert all(0 <= p <= 1 for p in payload["zones"].values())


def test_where_with_another_agreement_by_path(toy_path: Path) -> None:
    result = run("where", "35.1", "48.3", "-a", str(toy_path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["agreement"]["id"] == "toy"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["where", "48.33", "137.99"], "not a longitude and latitude"),
        (["where", "37.99", "48.33", "--sigma-m", "-5"], "--sigma-m"),
        (["where", "37.99", "48.33", "--ellipse-m", "800,300"], "--ellipse-m"),
        (["where", "37.99", "48.33", "--sigma-m", "5", "--ellipse-m", "1,1,1"], "not both"),
        (["where", "37.99", "48.33", "-a", "no-such-agreement"], "no agreement"),
        (["where", "37.99", "48.33", "-a", "ua-2026@7"], "has no version 7"),
    ],
)
def test_user_mistakes_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_agreement_list_names_the_builtins() -> None:
    result = run("agreement", "list")
    assert result.exit_code == 0, result.output
    assert "ua-2026 v1" in result.output
    assert "Ceasefire along the line of contact" in result.output


def test_agreement_show_writes_a_map(tmp_path: Path, toy_path: Path) -> None:
    out = tmp_path / "toy.png"
    result = run("agreement", "show", str(toy_path), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "toy v1" in result.output and "front: 222.4 km" in result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_prints_the_summary_and_writes_the_map(tmp_path: Path) -> None:
    result = run("demo", "--out", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert "ua-2026 v1" in result.output
    assert "line       contact: 1,335.3 km between UA and RU (8 pieces)" in result.output
    assert "hub        hub-kyiv: 307 km from the line (minimum 100 km)" in result.output
    assert (tmp_path / "demo" / "ua-2026-v1.png").stat().st_size > 50_000
    # The one-screen summary closes the output: at most 100 columns, one screen long.
    summary = result.stdout[result.stdout.index("ceasewatch demo: peak-day (seed 7)") :]
    lines = summary.splitlines()
    assert len(lines) <= 32 and max(len(line) for line in lines) <= 100
    # Every stage's own account is in demo.txt: a simulated day logged, exported, verified,
    # and a tampered copy caught.
    details = (tmp_path / "demo" / "demo.txt").read_text(encoding="utf-8")
    assert "picks.jsonl (picks): 29570 new, 90 duplicates, 0 rejected" in details
    assert "verify: OK: " in details
    assert "entry 1000 deleted: FAILED: entry 1000: entry 1000 was deleted" in details
    assert "verified    export ok; a copy with entry 1,000 deleted: caught" in summary
    assert (tmp_path / "demo" / "export" / "checkpoint").exists()
    # The adjudication stage: violations, complaints answered, coverage by sector, the digest.
    assert "adjudication under ua-2026 v1" in details
    assert "  by sector, with what could be observed:" in details
    assert "    donetsk: " in details and "% observable" in details
    assert "  complaints: " in details and "verdict set: sha256:" in details
    judged = tmp_path / "demo" / "state" / "adjudication"
    violations = (judged / "violations.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(violations) > 100
    assert f"violations  {len(violations):,} (most likely responsible: " in summary
    digest = json.loads((judged / "verdicts.json").read_text(encoding="utf-8"))["digest"]
    assert f"verdicts    {digest}" in summary
    answers = (judged / "complaint-answers.jsonl").read_text(encoding="utf-8").splitlines()
    assert f"complaints  {len(answers):,} answered: " in summary
    assert (judged / "coverage-line.jsonl").stat().st_size > 0
    assert "% of the line observable over the day" in summary
    # What people read: the day's report in two editions, and the alerts due.
    reports = tmp_path / "demo" / "reports"
    assert {p.suffix for p in reports.iterdir()} == {".html", ".pdf"}
    assert (
        len(list(reports.glob("*-public.pdf"))) == 1 and len(list(reports.glob("*-full.pdf"))) == 1
    )
    public = next(reports.glob("*-public.html")).read_text(encoding="utf-8")
    assert "Daily report" in public and "vi-" not in public
    alerts = (tmp_path / "demo" / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(alerts) > 10 and f"alerts      {len(alerts):,} due" in summary
    # A second run starts afresh; --scenario picks another day of the simulator.
    again = run("demo", "--out", str(tmp_path / "demo"), "--scenario", "quiet-day")
    assert again.exit_code == 0, again.output
    assert "ceasewatch demo: quiet-day (seed 7)" in again.stdout
    assert "verify: OK: " in (tmp_path / "demo" / "demo.txt").read_text(encoding="utf-8")


def test_demo_refuses_an_unknown_scenario_before_removing_anything(tmp_path: Path) -> None:
    kept = tmp_path / "demo" / "state" / "evidence.sqlite"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"earlier run")
    result = run("demo", "--out", str(tmp_path / "demo"), "--scenario", "peak-week")
    assert result.exit_code == 2
    assert "no scenario 'peak-week'; the scenarios are: quiet-day, peak-day" in result.output
    assert kept.read_bytes() == b"earlier run"


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.output.startswith("ceasewatch ")


def test_check_json_gives_every_failure_the_problem_shape(tmp_path: Path) -> None:
    result = run("agreement", "check", str(tmp_path / "nowhere.yaml"), "--json")
    assert result.exit_code == 2
    (entry,) = json.loads(result.output)
    (problem,) = entry["problems"]
    assert problem["code"] == "not-found" and problem["fix"] and problem["file"]
