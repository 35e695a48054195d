"""``ceasewatch ensemble``: members are whole simulated runs scored against their truth; the
ensemble is the same in this process and on Dask; the summary's arithmetic; the command."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.errors import InputError
from ceasewatch.pipeline.ensemble import (
    MEASURES,
    Member,
    MemberResult,
    parse_seeds,
    run_ensemble,
    summarise,
)

HOURS = 2.0


def members(*seeds: int) -> list[Member]:
    return [Member("quiet-day", s, HOURS, "dense", "ua-2026") for s in seeds]


@pytest.fixture(scope="module")
def in_process():  # type: ignore[no-untyped-def]
    return run_ensemble(members(1, 2, 3))


def test_members_are_scored_runs_that_differ_by_seed(in_process) -> None:  # type: ignore[no-untyped-def]
    assert [m.seed for m in in_process.members] == [1, 2, 3]
    assert len({m.digest for m in in_process.members}) == 3
    for member in in_process.members:
        assert member.counts["picks"] > 0
        assert member.counts["events"] > 0
        assert 0.0 <= member.measures["events.f1"] <= 1.0
        assert member.measures["location.error_m.median"] > 0.0
        assert set(member.seconds) == {"simulate", "fuse", "adjudicate", "score"}
    f1 = [m.measures["events.f1"] for m in in_process.members]
    assert in_process.summary["events.f1"]["mean"] == pytest.approx(sum(f1) / 3)
    assert len(set(f1)) > 1, "three seeds gave one F1: the members are not independent"


def test_a_member_is_reproducible(in_process) -> None:  # type: ignore[no-untyped-def]
    again = run_ensemble(members(2, 1))
    assert [m.digest for m in again.members] == [m.digest for m in in_process.members[:2]]
    assert again.members[0].measures == in_process.members[0].measures


def test_dask_gives_the_ensemble_of_one_process(in_process) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("distributed")
    from ceasewatch.pipeline.dask_run import dask_map

    with dask_map(2) as mapper:
        done = run_ensemble(members(3, 1, 2), mapper, executor="dask")
    assert done.digest == in_process.digest
    assert done.summary == in_process.summary


def test_the_summary_is_the_mean_sd_and_a_t_interval_cut_to_the_range() -> None:
    def member(seed: int, f1: float | None, error_m: float) -> MemberResult:
        measures = {path: None for path, *_ in MEASURES}
        measures |= {"events.f1": f1, "location.error_m.median": error_m}
        return MemberResult(seed, measures, f"d{seed}", {}, {})

    summary = summarise([member(1, 0.2, 10.0), member(2, 0.4, 20.0), member(3, 0.6, 30.0),
                         member(4, None, 40.0)])  # fmt: skip
    f1 = summary["events.f1"]
    assert f1["n"] == 3
    assert f1["mean"] == pytest.approx(0.4)
    assert f1["sd"] == pytest.approx(0.2)
    half = 4.302653 * 0.2 / math.sqrt(3)  # t(0.975, 2 degrees of freedom)
    assert f1["ci95"] == pytest.approx([0.0, 0.4 + half], abs=1e-5)  # cut at 0
    error = summary["location.error_m.median"]
    assert error["n"] == 4 and error["mean"] == pytest.approx(25.0)
    assert error["ci95"][1] > 40.0  # metres have no top
    assert summary["attribution.accuracy"]["n"] == 0


@pytest.mark.parametrize(
    ("text", "seeds"), [("1-4", (1, 2, 3, 4)), ("3,5,9", (3, 5, 9)), ("1-2,10", (1, 2, 10))]
)
def test_seeds_are_ranges_and_lists(text: str, seeds: tuple[int, ...]) -> None:
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize(
    ("text", "words"),
    [("1-x", "not a seed or a range"), ("4-2", "not a seed or a range"), ("1,1", "twice"),
     ("7", "at least two")],
)  # fmt: skip
def test_bad_seeds_name_the_fix(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        parse_seeds(text)


def test_cli_writes_the_summary_members_and_picture(tmp_path: Path) -> None:
    out = tmp_path / "ens"
    result = CliRunner().invoke(
        app, ["ensemble", "--scenario", "quiet-day", "--seeds", "4,5", "--hours", "0.5",
              "--out", str(out), "--keep-runs", "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "event F1" in result.output and "95% CI of mean" in result.output
    summary = json.loads((out / "ensemble.json").read_text())
    assert summary["seeds"] == [4, 5]
    assert summary["digest"] in result.output
    assert (out / "members.jsonl").read_text().count("\n") == 2
    assert (out / "ensemble.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "seed-4" / "run" / "score.json").is_file()
    assert (out / "seed-5" / "sim" / "truth").is_dir()


def test_cli_refuses_a_bad_scenario_before_any_work(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["ensemble", "--scenario", "nope", "--seeds", "1-2", "--out", str(tmp_path / "e")]
    )
    assert result.exit_code == 2
    assert "nope" in result.output
    assert not (tmp_path / "e").exists()
