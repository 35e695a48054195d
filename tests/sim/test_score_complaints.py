"""Scoring a run's answers to the complaints (complaint-answers.jsonl) against the truth's
complaints.jsonl: accuracy, the confusion matrix, per party, unverifiable apart, and the section
in the score report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ceasewatch.agreement import Agreement
from ceasewatch.errors import InputError
from ceasewatch.sim.scoring.complaints import (
    ANSWERS_FILE,
    ComplaintScore,
    score_complaint_files,
)
from ceasewatch.sim.scoring.report import NotAvailable
from ceasewatch.sim.scoring.score import run_score, score
from ceasewatch.sim.scoring.summary import summary
from tests.sim.score_fixtures import (
    basic_scene,
    oracle_events,
    oracle_violations,
    write_jsonl,
    write_run,
    write_truth,
)

TRUTH = [
    {"complaint_id": "RU-2026-0001", "truth": "true", "duplicate_of": None},
    {"complaint_id": "RU-2026-0002", "truth": "false", "duplicate_of": None},
    {"complaint_id": "RU-2026-0003", "truth": "false", "duplicate_of": None},
    {"complaint_id": "RU-2026-0004", "truth": "duplicate", "duplicate_of": "RU-2026-0001"},
    {"complaint_id": "UA-2026-0001", "truth": "misattributed", "duplicate_of": None},
    {"complaint_id": "UA-2026-0002", "truth": "true", "duplicate_of": None},
    {"complaint_id": "UA-2026-0003", "truth": "duplicate", "duplicate_of": "UA-2026-0002"},
    {"complaint_id": "UA-2026-0004", "truth": "true", "duplicate_of": None},
]
ANSWERS = [
    ("RU-2026-0001", "corroborated", None),  # right
    ("RU-2026-0002", "contradicted", None),  # right
    ("RU-2026-0003", "unverifiable", None),  # honest, not right
    ("RU-2026-0004", "duplicate", "RU-2026-0001"),  # right, points right
    ("UA-2026-0001", "contradicted", None),  # misattributed → contradicted: right
    ("UA-2026-0002", "contradicted", None),  # wrong
    ("UA-2026-0003", "duplicate", "UA-2026-0001"),  # right outcome, points wrong
    # UA-2026-0004: not answered
    ("XX-2026-0001", "corroborated", None),  # not in the truth
]


def answers_rows(answers: list[tuple[str, str, str | None]] = ANSWERS) -> list[dict[str, Any]]:
    return [
        {"complaint_id": cid, "party": cid[:2], "outcome": outcome, "duplicate_of": dup,
         "reasons": ["…"]}
        for cid, outcome, dup in answers
    ]  # fmt: skip


def folders(tmp_path: Path, truth: list[dict[str, Any]], answers: list[dict[str, Any]]) -> None:
    (tmp_path / "truth").mkdir()
    (tmp_path / "run").mkdir()
    write_jsonl(tmp_path / "truth" / "complaints.jsonl", truth)
    write_jsonl(tmp_path / "run" / ANSWERS_FILE, answers)


def scored(tmp_path: Path) -> ComplaintScore:
    result = score_complaint_files(tmp_path / "truth", tmp_path / "run")
    assert isinstance(result, ComplaintScore), result
    return result


def test_accuracy_confusion_and_unverifiable_apart(tmp_path: Path) -> None:
    folders(tmp_path, TRUTH, answers_rows())
    s = scored(tmp_path)
    assert (s.complaints, s.answered, s.missing_in_run, s.unknown_in_run) == (8, 7, 1, 1)
    assert s.correct == 5 and s.accuracy == pytest.approx(5 / 8)
    assert s.unverifiable == 1 and s.unverifiable_share == pytest.approx(1 / 7)
    assert s.decided == 6 and s.accuracy_decided == pytest.approx(5 / 6)
    assert s.duplicates_pointing_right == 1
    assert s.confusion == {
        "duplicate": {"duplicate": 2},
        "false": {"contradicted": 1, "unverifiable": 1},
        "misattributed": {"contradicted": 1},
        "true": {"contradicted": 1, "corroborated": 1, "missing": 1},
    }
    assert s.by_truth["true"].accuracy == pytest.approx(1 / 3)
    assert s.by_truth["false"].unverifiable == 1 and s.by_truth["false"].accuracy_decided == 1.0
    ru, ua = s.by_party["RU"], s.by_party["UA"]
    assert (ru.complaints, ru.correct, ru.unverifiable) == (4, 3, 1)
    assert ru.accuracy == 0.75 and ru.accuracy_decided == 1.0
    assert (ua.complaints, ua.correct, ua.unverifiable) == (4, 2, 0)
    assert ua.accuracy == 0.5 and ua.accuracy_decided == pytest.approx(2 / 3)


def test_every_answer_right_scores_one(tmp_path: Path) -> None:
    right = {"true": "corroborated", "false": "contradicted", "misattributed": "contradicted",
             "duplicate": "duplicate"}  # fmt: skip
    answers = [(t["complaint_id"], right[t["truth"]], t["duplicate_of"]) for t in TRUTH]
    folders(tmp_path, TRUTH, answers_rows(answers))
    s = scored(tmp_path)
    assert s.accuracy == 1.0 and s.accuracy_decided == 1.0 and s.unverifiable_share == 0.0
    assert s.duplicates_pointing_right == 2 and s.missing_in_run == 0


def test_missing_files_are_not_available(tmp_path: Path) -> None:
    (tmp_path / "truth").mkdir()
    (tmp_path / "run").mkdir()
    assert score_complaint_files(tmp_path / "truth", tmp_path / "run") == NotAvailable(
        f"the run has no {ANSWERS_FILE}"
    )
    write_jsonl(tmp_path / "run" / ANSWERS_FILE, answers_rows())
    assert score_complaint_files(tmp_path / "truth", tmp_path / "run") == NotAvailable(
        "the truth has no complaints.jsonl"
    )


@pytest.mark.parametrize(
    ("where", "line", "text", "expected"),
    [
        ("run", 2, '{"complaint_id": "RU-2026-0009", "outcome": "maybe"}', "unknown outcome"),
        ("run", 1, '{"outcome": "duplicate"}', "'complaint_id'"),
        ("run", 3, '{"complaint_id": "RU-2026-0001", "outcome": "duplicate"}', "already appears"),
        ("truth", 2, '{"complaint_id": "RU-2026-0042", "truth": "perhaps"}', "unknown truth"),
    ],
)
def test_bad_lines_are_named_by_file_and_line(
    tmp_path: Path, where: str, line: int, text: str, expected: str
) -> None:
    folders(tmp_path, TRUTH, answers_rows())
    path = tmp_path / where / (ANSWERS_FILE if where == "run" else "complaints.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(line - 1, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        score_complaint_files(tmp_path / "truth", tmp_path / "run")
    assert f"{path}:{line}" in str(caught.value) and expected in str(caught.value)


def test_the_score_report_has_a_complaints_section(tmp_path: Path, toy: Agreement) -> None:
    scene = basic_scene()  # its truth holds one complaint, C1, true
    truth = write_truth(tmp_path / "sim", scene)
    folder = write_run(tmp_path / "run", oracle_events(scene), oracle_violations(scene))
    report = score(truth, folder, agreement=toy)
    assert report.not_available["complaints"] == f"the run has no {ANSWERS_FILE}"
    assert json.loads(report.to_json())["complaints"]["available"] is False
    write_jsonl(folder / ANSWERS_FILE, [{"complaint_id": "C1", "outcome": "corroborated"}])
    report = score(truth, folder, agreement=toy)
    assert isinstance(report.complaints, ComplaintScore) and "complaints" not in (
        report.not_available
    )
    data = json.loads(report.to_json())
    assert data["complaints"]["available"] is True and data["complaints"]["accuracy"] == 1.0
    assert data["complaints"]["by_party"]["C1"]["complaints"] == 1  # no "party": the id's head
    assert data["inputs"]["run_files"][ANSWERS_FILE] is True
    assert "complaints   accuracy 1.000 of 1" in summary(report)
    # without events.jsonl the complaints are still scored
    (folder / "events.jsonl").unlink()
    assert isinstance(score(truth, folder, agreement=toy).complaints, ComplaintScore)
    text, _ = run_score(truth, folder, tmp_path / "out", agreement=toy)
    assert "complaints   accuracy 1.000" in text
