"""Line changes as violations of the line: the ua-2026 no-crossing rule over map evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ceasewatch.adjudication.line_crossing import P_GAINER, P_MAP_CHANGE, line_change_verdicts
from ceasewatch.agreement.catalog import resolve
from ceasewatch.cli import app
from ceasewatch.errors import InputError


def change(t_to: str, party: str = "RU", change_id: str = "lc-0001") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {
            "format": "ceasewatch.line-change/1",
            "change_id": change_id,
            "party_gained": party,
            "area_km2": 4.2,
            "position": [37.5, 48.5],
            "place": "3 km S of Somewhere",
            "t_from": "2026-02-01",
            "t_to": t_to,
        },
        "geometry": None,
    }


def test_ground_taken_under_the_ceasefire_breaks_the_no_crossing_rule() -> None:
    agreement = resolve("ua-2026")
    verdicts = line_change_verdicts([change("2026-03-01"), change("2026-03-01", "UA", "lc-2")],
                                    agreement)  # fmt: skip
    assert [v.rule_id for v in verdicts] == ["no-crossing", "no-crossing"]
    by_party = {v.responsible[0][0]: v for v in verdicts}
    ru = by_party["RU"]
    assert ru.p_occurred == P_MAP_CHANGE and ru.responsible[0][1] == P_GAINER
    assert ru.severity == "high" and ru.status == "auto"
    assert ru.evidence == ("line-changes:lc-0001",)
    assert "4.2 km²" in ru.occurred.reasons[0] and "2026-02-01" in ru.occurred.reasons[0]
    again = line_change_verdicts([change("2026-03-01")], agreement)
    assert again[0].violation_id == ru.violation_id


def test_changes_before_the_ceasefire_are_not_violations() -> None:
    assert line_change_verdicts([change("2025-12-31")], resolve("ua-2026")) == []


def test_records_of_another_format_are_refused() -> None:
    bad = change("2026-03-01")
    bad["properties"]["format"] = "something-else"
    with pytest.raises(InputError, match="line diff --json"):
        line_change_verdicts([bad], resolve("ua-2026"))


def test_adjudicate_takes_line_changes_from_the_command_line(tmp_path: Path) -> None:
    incidents = tmp_path / "incidents.jsonl"
    incidents.write_text("")
    changes = tmp_path / "changes.jsonl"
    changes.write_text(
        "\n".join(json.dumps(c) for c in (change("2026-03-01"), change("2026-04-01", "UA", "lc-2")))
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["adjudicate", "--incidents", str(incidents),
                                      "--line-changes", str(changes), "--as-of",
                                      "2026-03-15T00:00:00Z", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in (out / "violations.jsonl").read_text().splitlines()]
    assert [(r["rule_id"], r["category"], r["incident_id"]) for r in rows] == [
        ("no-crossing", "crossing/ground", "lc-0001")  # lc-2 is after --as-of
    ]
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n")
    bad = CliRunner().invoke(app, ["adjudicate", "--incidents", str(incidents),
                                   "--line-changes", str(broken)])  # fmt: skip
    assert bad.exit_code == 2 and "ceasewatch line diff" in bad.output


def test_adjudicate_state_takes_line_changes_beside_the_log(tmp_path: Path) -> None:
    from ceasewatch.store.open import open_store

    open_store(tmp_path / "evidence.sqlite").close()
    changes = tmp_path / "changes.jsonl"
    changes.write_text(json.dumps(change("2026-03-01")) + "\n")
    result = CliRunner().invoke(app, ["adjudicate", "--state", str(tmp_path), "--line-changes",
                                      str(changes), "--as-of", "2026-03-15T00:00:00Z"])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "adjudication" / "violations.jsonl").read_text().splitlines()
    assert [json.loads(r)["rule_id"] for r in rows] == ["no-crossing"]
    assert json.loads(rows[0])["sector"] == "donetsk"
