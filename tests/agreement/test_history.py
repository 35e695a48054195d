"""Version histories: a folder of v1/, v2/, … where each amendment names the digest of the version
it supersedes, so a superseded version edited in place is caught (docs/adr/0004)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ceasewatch.agreement import load_agreement
from ceasewatch.agreement.catalog import History, load_history, resolve
from ceasewatch.errors import AgreementError, NotFoundError, Problem

V2_EFFECTIVE = "2026-02-01T00:00:00Z"  # when the toy's hospital rule starts


def write_version(folder: Path, number: int, text: str, geometry: Path) -> Path:
    version_dir = folder / f"v{number}"
    version_dir.mkdir(parents=True)
    shutil.copy(geometry, version_dir / "geometry.geojson")
    document = version_dir / "agreement.yaml"
    document.write_text(text)
    return document


def amendment(v1_text: str, digest: str, *, number: int = 2) -> str:
    """v1's text as version ``number``: later in force, a new title, superseding ``digest``."""
    text = v1_text.replace("version: 1\n", f"version: {number}\n")
    text = text.replace("effective_from: 2026-01-01T00:00:00Z", f"effective_from: {V2_EFFECTIVE}")
    text = text.replace("title: Toy agreement on a straight line", "title: Toy agreement, amended")
    supersedes = f"supersedes:\n  version: {number - 1}\n  digest: {digest}\n"
    return text.replace("geometry: geometry.geojson\n", "geometry: geometry.geojson\n" + supersedes)


@pytest.fixture()
def history_dir(tmp_path: Path, toy_path: Path) -> Path:
    """A valid history of the toy agreement: v1 and an amendment v2 that supersedes it."""
    folder = tmp_path / "toy"
    geometry = toy_path.parent / "geometry.geojson"
    v1 = write_version(folder, 1, toy_path.read_text(), geometry)
    write_version(folder, 2, amendment(v1.read_text(), load_agreement(v1).digest), geometry)
    return folder


def only_problem(folder: Path) -> Problem:
    with pytest.raises(AgreementError) as caught:
        load_history(folder)
    assert len(caught.value.problems) == 1, caught.value
    return caught.value.problems[0]


def position_of(document: Path, needle: str) -> tuple[int, int]:
    """Line and column (1-based) of the first ``needle`` in the document."""
    for number, line in enumerate(document.read_text().splitlines(), start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in {document}")


def test_a_valid_history_loads_with_latest_and_in_force(history_dir: Path) -> None:
    history = load_history(history_dir)
    assert isinstance(history, History)
    assert [a.version for a in history.versions] == [1, 2]
    assert history.latest.version == 2 and history.latest.title == "Toy agreement, amended"
    assert history.latest.supersedes is not None
    assert history.latest.supersedes.digest == history.version(1).digest
    assert history.in_force(datetime(2025, 12, 31, tzinfo=UTC)) is None
    assert history.in_force(datetime(2026, 1, 31, tzinfo=UTC)) is history.version(1)
    assert history.in_force(datetime(2026, 2, 1, tzinfo=UTC)) is history.version(2)
    assert resolve(str(history_dir)).version == 2


def test_asking_for_a_version_that_does_not_exist(history_dir: Path) -> None:
    with pytest.raises(NotFoundError, match="no version 3"):
        load_history(history_dir).version(3)


def test_editing_a_superseded_version_is_caught_at_the_recorded_digest(history_dir: Path) -> None:
    v1 = history_dir / "v1" / "agreement.yaml"
    v1.write_text(v1.read_text().replace("answer_within_h: 48", "answer_within_h: 72"))
    problem = only_problem(history_dir)
    v2 = history_dir / "v2" / "agreement.yaml"
    assert problem.code == "superseded-changed"
    assert problem.file == str(v2)
    assert (problem.line, problem.column) == position_of(v2, "sha256:")
    assert "the older version was changed after it was superseded" in problem.message
    assert "restore v1" in problem.fix


def test_editing_the_geometry_of_a_superseded_version_is_caught(history_dir: Path) -> None:
    geometry = history_dir / "v1" / "geometry.geojson"
    geometry.write_text(geometry.read_text().replace("[35.52, 47.52]", "[35.53, 47.52]"))
    assert only_problem(history_dir).code == "superseded-changed"


def test_comments_and_formatting_do_not_change_the_digest(history_dir: Path) -> None:
    v1 = history_dir / "v1" / "agreement.yaml"
    v1.write_text("# a comment added later\n" + v1.read_text().replace("\n\n", "\n\n\n"))
    assert load_history(history_dir).latest.version == 2


def test_a_missing_version_is_reported_at_the_next_one(toy_path: Path, history_dir: Path) -> None:
    shutil.move(history_dir / "v2", history_dir / "v3")
    v3 = history_dir / "v3" / "agreement.yaml"
    v3.write_text(amendment(toy_path.read_text(), "sha256:" + "0" * 64, number=3))
    problem = only_problem(history_dir)
    assert problem.code == "missing-version"
    assert problem.message == "v3 follows v1: version 2 is missing."
    line, _ = position_of(v3, "version: 3")
    assert (problem.file, problem.line, problem.column) == (str(v3), line, len("version: ") + 1)


def test_the_folder_and_the_document_must_agree_on_the_version(
    tmp_path: Path, toy_path: Path
) -> None:
    geometry = toy_path.parent / "geometry.geojson"
    v1 = write_version(tmp_path, 1, amendment(toy_path.read_text(), "sha256:" + "0" * 64), geometry)
    problem = only_problem(tmp_path)
    assert problem.code == "bad-version"
    assert problem.message == "the folder is v1 but the document says version 2."
    line, _ = position_of(v1, "version: 2")
    assert (problem.line, problem.column) == (line, len("version: ") + 1)


def test_problems_of_every_version_are_reported_at_once(history_dir: Path) -> None:
    v1 = history_dir / "v1" / "agreement.yaml"
    v2 = history_dir / "v2" / "agreement.yaml"
    v1.write_text(v1.read_text().replace("severity: medium}", "severity: urgent}", 1))
    v2.write_text(v2.read_text().replace("to_km: 10}", "to_mi: 10}"))
    with pytest.raises(AgreementError) as caught:
        load_history(history_dir)
    found = {(Path(p.file).parent.name, p.code) for p in caught.value.problems}
    assert found == {("v1", "bad-value"), ("v2", "wrong-unit")}


def test_an_amendment_cannot_take_effect_before_its_predecessor(history_dir: Path) -> None:
    v2 = history_dir / "v2" / "agreement.yaml"
    v2.write_text(v2.read_text().replace(V2_EFFECTIVE, "2025-06-01T00:00:00Z"))
    problem = only_problem(history_dir)
    assert problem.code == "bad-time"
    assert (problem.line, problem.column) == position_of(v2, "2025-06-01")


def test_the_builtin_history_loads() -> None:
    history = load_history(Path(__file__).parents[2] / "src/ceasewatch/data/agreements/ua-2026")
    assert history.latest.id == "ua-2026" and history.latest.version == len(history.versions)


def test_cli_reports_a_changed_superseded_version(history_dir: Path) -> None:
    v1 = history_dir / "v1" / "agreement.yaml"
    v1.write_text(v1.read_text().replace("answer_within_h: 48", "answer_within_h: 72"))
    run = subprocess.run(
        [sys.executable, "-m", "ceasewatch.cli", "agreement", "check", str(history_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2
    assert "error[superseded-changed]" in run.stderr and "Traceback" not in run.stderr
    line, column = position_of(history_dir / "v2" / "agreement.yaml", "sha256:")
    assert f"v2/agreement.yaml:{line}:{column}: error[superseded-changed]" in run.stderr
