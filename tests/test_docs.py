"""Documentation that cannot fall behind: every command, and every problem code the loader can
report, is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from ceasewatch.cli import app

ROOT = Path(__file__).resolve().parents[1]


def command_paths(typer_app: typer.Typer, prefix: str = "") -> list[str]:
    paths = []
    for command in typer_app.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")
        paths.append(f"{prefix}{name}")
    for group in typer_app.registered_groups:
        paths.extend(command_paths(group.typer_instance, f"{prefix}{group.name} "))
    return paths


def test_every_command_is_in_the_cli_reference_with_an_example() -> None:
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    commands = command_paths(app)
    assert {"demo", "where", "agreement check", "agreement show", "agreement list"} <= set(commands)
    for command in commands:
        assert f"## `ceasewatch {command}" in reference, f"{command} is not documented"
        assert f"\nceasewatch {command}" in reference, f"{command} has no example"


def test_every_command_docstring_has_an_example() -> None:
    for command in [
        *app.registered_commands,
        *(c for g in app.registered_groups for c in g.typer_instance.registered_commands),
    ]:
        assert "Example: ceasewatch" in (command.callback.__doc__ or ""), command.callback


def test_every_problem_code_is_documented() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "src" / "ceasewatch").rglob("*.py")
    )
    codes = set(re.findall(r"problem\(\s*\"([a-z][a-z-]+)\"", source))
    # Problem(file, "code", …), where the file argument may itself hold a call.
    codes |= set(re.findall(r"Problem\(\s*(?:[^,()]|\([^()]*\))+,\s*\"([a-z][a-z-]+)\"", source))
    assert len(codes) >= 20, codes
    documented = (ROOT / "docs" / "agreement.md").read_text(encoding="utf-8")
    missing = sorted(code for code in codes if f"`{code}`" not in documented)
    assert not missing, f"undocumented problem codes: {missing}"


def test_readme_has_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
