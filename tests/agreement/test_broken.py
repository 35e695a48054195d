"""The broken corpus: every document in ``broken/`` gives exactly the located problems it states.

A case is a file ``broken/<mistake>.yaml`` (its features in the shared ``broken/geometry.geojson``)
or a folder ``broken/<mistake>/`` with its own ``agreement.yaml`` and ``geometry.geojson``. The
leading comment of the document lists the problems it must give, one per line::

    # expect: unknown-key 32:5                    a line:column in the document itself
    # expect: geojson-syntax geometry.geojson:15:63         a line:column in another file
    # expect: self-intersection geometry.geojson#/features/1/geometry/coordinates/0

Each case is loaded and the multiset of (code, place) compared with the expectations, so a
missing, misplaced or extra problem fails it. The CLI is then run over the whole corpus.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from ceasewatch.agreement import parse_agreement
from ceasewatch.agreement.catalog import resolve
from ceasewatch.errors import AgreementError, Problem

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(
    [*BROKEN.glob("*.yaml"), *(d for d in BROKEN.iterdir() if (d / "agreement.yaml").is_file())]
)
EXPECT = re.compile(r"^# expect: (?P<code>[a-z0-9-]+) (?P<place>\S+)$")
# The mistakes the issue names; the corpus must show each of these codes at least once.
REQUIRED_CODES = {
    "yaml-syntax", "duplicate-key", "unknown-key", "missing-field", "wrong-type", "wrong-unit",
    "bad-time", "bad-format-version", "bad-id", "duplicate-id", "bad-reference",
    "file-not-found", "wrong-geometry-type", "geojson-syntax", "invalid-geometry",
    "self-intersection", "bad-coordinates", "overlapping-areas", "empty-line", "hub-too-close",
    "bad-ladder", "bad-value",
}  # fmt: skip


def document_of(case: Path) -> Path:
    return case / "agreement.yaml" if case.is_dir() else case


def expectations(document: Path) -> Counter[tuple[str, str]]:
    """The ``# expect:`` lines of the document's leading comment."""
    found: Counter[tuple[str, str]] = Counter()
    for line in document.read_bytes().decode("utf-8", "replace").splitlines():
        if not line.startswith("#"):
            break
        match = EXPECT.match(line)
        if match:
            found[(match["code"], match["place"])] += 1
        else:
            assert not line.startswith("# expect"), f"{document}: malformed {line!r}"
    return found


def place(problem: Problem, document: Path) -> str:
    """Where a problem is, written as in the expectations."""
    same = Path(problem.file).resolve() == document.resolve()
    file = "" if same else os.path.relpath(problem.file, document.parent)
    if problem.line is not None:
        return ":".join(str(part) for part in (file, problem.line, problem.column) if part != "")
    return f"{file}#{problem.pointer}" if problem.pointer else f"{file}(unlocated)"


def problems_of(case: Path) -> tuple[Problem, ...]:
    with pytest.raises(AgreementError) as caught:
        resolve(str(case))
    return caught.value.problems


def test_the_corpus_is_large_and_covers_every_named_mistake() -> None:
    assert len(CASES) >= 30
    codes = set()
    for case in CASES:
        expected = expectations(document_of(case))
        assert expected, f"{case.name} states no '# expect:' line"
        codes |= {code for code, _ in expected}
    assert codes >= REQUIRED_CODES, f"not covered: {sorted(REQUIRED_CODES - codes)}"


def test_some_documents_have_several_mistakes_reported_at_once() -> None:
    counts = [sum(expectations(document_of(case)).values()) for case in CASES]
    assert max(counts) >= 5 and sum(count >= 2 for count in counts) >= 2


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.stem)
def test_broken_document_gives_exactly_its_located_problems(case: Path) -> None:
    document = document_of(case)
    found = Counter((p.code, place(p, document)) for p in problems_of(case))
    assert found == expectations(document)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.stem)
def test_every_problem_is_located_and_has_a_fix(case: Path) -> None:
    for problem in problems_of(case):
        assert problem.line is not None or problem.pointer, str(problem)
        assert problem.line is None or (problem.column or 0) >= 1, str(problem)
        assert problem.message.strip() and problem.fix.strip(), str(problem)
        assert problem.message.endswith(".") and problem.fix.endswith((".", "?")), str(problem)


def test_an_own_key_overrides_a_merge_key_without_a_duplicate(toy_path: Path) -> None:
    text = toy_path.read_text().replace(
        "  - {id: W, name: West, area: west}\n  - {id: E, name: East, area: east}",
        "  - &west {id: W, name: West, area: west}\n  - {<<: *west, id: E, name: East, area: east}",
    )
    assert "<<: *west" in text
    agreement = parse_agreement(text, str(toy_path), toy_path.parent)
    assert [(p.id, p.name) for p in agreement.parties] == [("W", "West"), ("E", "East")]


# -- the command line ------------------------------------------------------------------------


def check(*paths: str | Path, json_output: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ceasewatch.cli", "agreement", "check", *map(str, paths)]
    if json_output:
        command.append("--json")
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def corpus_run() -> subprocess.CompletedProcess[str]:
    return check(*CASES)


def test_cli_exits_2_and_prints_every_problem_with_place_and_fix(
    corpus_run: subprocess.CompletedProcess[str],
) -> None:
    assert corpus_run.returncode == 2
    assert "Traceback" not in corpus_run.stderr + corpus_run.stdout
    printed = corpus_run.stderr.splitlines()
    for case in CASES:
        for problem in problems_of(case):
            line = str(problem)
            assert line in printed
            assert re.match(r"^\S+(:\d+:\d+|#/\S*): error\[[a-z0-9-]+\] .+ Fix: .+$", line)


def test_cli_json_lists_the_same_problems() -> None:
    run = check(*CASES, json_output=True)
    assert run.returncode == 2
    report = json.loads(run.stdout)
    assert [entry["path"] for entry in report] == [str(case) for case in CASES]
    for entry, case in zip(report, CASES, strict=True):
        assert entry["valid"] is False
        assert entry["problems"] == [p.to_dict() for p in problems_of(case)]


def test_cli_accepts_the_valid_documents(toy_path: Path) -> None:
    run = check(toy_path, "ua-2026")
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("OK ") == 2 and run.stderr == ""


def test_cli_exits_2_when_one_of_several_documents_is_broken(toy_path: Path) -> None:
    run = check(toy_path, BROKEN / "unknown-key-typo.yaml")
    assert run.returncode == 2
    assert run.stdout.startswith(f"OK {toy_path}")
    assert "error[unknown-key]" in run.stderr


def test_cli_reports_a_missing_path_in_one_line(tmp_path: Path) -> None:
    run = check(tmp_path / "nowhere.yaml")
    assert run.returncode == 2
    assert run.stderr.startswith("error: no agreement") and "Traceback" not in run.stderr
