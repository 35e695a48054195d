"""``ceasewatch report`` on the fixed scenario, through a Typer app holding only that command
(cli.py wires it into the real app)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ceasewatch.commands.report import report

from .daily_scenario import write_scenario


@pytest.fixture()
def app() -> typer.Typer:
    app = typer.Typer()
    app.command("report")(report)
    app.command("other")(lambda: None)  # two commands, so "report" is a subcommand
    return app


def test_writes_html_and_pdf(app: typer.Typer, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    folder = write_scenario(tmp_path / "adjudication")
    out = tmp_path / "reports"
    args = ["report", "--adjudication", str(folder), "--day", "2026-02-18"]
    result = CliRunner().invoke(app, [*args, "--edition", "party:RU", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "report-2026-049-party-RU.html").is_file()
    assert (out / "report-2026-049-party-RU.pdf").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--day", "2026-02-18"], "--state DIR or --adjudication"),
        (
            ["--adjudication", "X", "--day", "2026-02-18", "--from", "2026-02-18T00:00:00Z"],
            "not both",
        ),
        (["--adjudication", "X"], "--day YYYY-MM-DD"),
    ],
)
def test_user_errors_exit_2(
    app: typer.Typer, tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, ["report", *args, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output


def test_docstring_has_an_example() -> None:
    assert "Example: ceasewatch report " in (report.__doc__ or "")
