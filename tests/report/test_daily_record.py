"""The report record of a small hand-made scenario: every number checked exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasewatch.errors import InputError
from ceasewatch.model.time import parse_ns
from ceasewatch.report.daily_record import day_window, report_number
from ceasewatch.report.daily_types import Record
from ceasewatch.report.daily_words import (
    confidence_words,
    place_range,
    scale_text,
    ukrainian_name,
)

from .daily_scenario import scenario_record


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Record:
    return scenario_record(tmp_path_factory.mktemp("adjudication"))


def test_number_and_window(record: Record) -> None:
    assert record.number == "2026-049"
    assert (record.start_ns, record.end_ns) == day_window("2026-02-18")
    assert record.cutoff_ns == parse_ns("2026-02-18T22:00:00Z")
    assert report_number(*day_window("2026-01-01")) == "2026-001"
    start, _ = day_window("2026-02-18")
    assert report_number(start, day_window("2026-02-24")[1]) == "2026-049-055"


def test_counts(record: Record) -> None:
    # six rows: one the next day (outside), one at 23:30 (after the cut-off)
    assert record.after_cutoff == 1
    assert dict(record.by_party) == {"RU": 2, "UA": 2}
    assert dict(record.by_category) == {"explosion/impact": 3, "explosion/drone": 1}
    assert record.by_severity == (("critical", 1), ("high", 2), ("medium", 1))
    assert sum(n for _, _, n in record.trend) == 4
    assert len(record.points) == 4


def test_sectors_carry_coverage_beside_counts(record: Record) -> None:
    by = {s.sector: s for s in record.sectors}
    assert [s.sector for s in record.sectors][:3] == ["odesa", "mykolaiv", "kherson"]
    assert by["donetsk"].violations == 2 and by["donetsk"].by_party == (("RU", 2),)
    assert by["donetsk"].reading == "observed" and by["donetsk"].line_observable == 0.97
    assert by["zaporizhzhia"].reading == "partly observed"
    assert "3 hours with under a fifth" in by["zaporizhzhia"].statement
    assert "available 62%" in by["zaporizhzhia"].statement
    assert by["luhansk"].violations == 0
    assert "No violations could have been seen" in by["luhansk"].statement
    assert by["sumy"].reading == "coverage unknown"


def test_notable_incidents_grouped_by_cluster(record: Record) -> None:
    assert len(record.incidents) == 2  # the medium one is not notable; the cluster is one
    duel, drone = record.incidents
    assert duel.key == "cl-00000000000000aa" and duel.count == 2
    assert duel.party == "RU" and duel.p_party == 0.95
    assert duel.concerns == ("RU", "UA")
    assert "2–3 km SE of Horlivka (Горлівка)" in duel.text_place
    assert "Horlivka" not in duel.text_sector and "Donetsk sector" in duel.text_sector
    assert "Between 03:12 and 03:40 UTC" in duel.text_place
    assert "almost certainly (probability 0.95)" in duel.text_place
    assert "Deliberate: not assessed" in duel.text_place
    assert duel.escalation.startswith("open; notified: coordination-cell; next: guarantors")
    assert drone.severity == "critical" and drone.concerns == ("RU", "UA")
    assert "about even (probability 0.55)" in drone.text_place
    assert drone.escalation == "not on the escalation ladder"


def test_complaints_and_records(record: Record) -> None:
    assert [c.complaint_id for c in record.complaints] == ["UA-2026-0001", "RU-2026-0001"]
    mine = {(r.party, r.scope): r for r in record.complaint_records}
    assert mine["RU", "in this report"].contradicted == 1
    assert mine["RU", "in this report"].accurate_share == 0.0
    assert mine["UA", "in this report"].accurate_share == 1.0
    assert mine["RU", "to date"].submitted == 2
    assert record.escalation[0].startswith("1 matter ")


def test_words() -> None:
    assert [confidence_words(p) for p in (0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5)] == [
        "almost certainly", "almost certainly", "very likely", "very likely", "likely",
        "likely", "about even",
    ]  # fmt: skip
    assert len(scale_text()) == 4
    assert (
        place_range(["3 km SE of Horlivka", "2 km SE of Horlivka"], {}) == "2–3 km SE of Horlivka"
    )
    assert place_range(["in Kupiansk"], {}) == "in Kupiansk"
    assert place_range([None], {}).startswith("at a place")
    assert ukrainian_name(["Артемівськ", "Бахмут", "Артёмовск"], "Bakhmut") == "Бахмут"


def test_bad_inputs(tmp_path: Path) -> None:
    from ceasewatch.report.daily_inputs import read_adjudication

    with pytest.raises(InputError, match="violations.jsonl"):
        read_adjudication(tmp_path)
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        day_window("18/02/2026")


def test_the_real_world_channels_are_counted_and_credited(tmp_path: Path) -> None:
    from ceasewatch.adjudication.line_crossing import line_change_verdicts
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.report.daily_inputs import read_adjudication
    from ceasewatch.report.daily_record import build_record
    from ceasewatch.report.daily_sections import LINE_MAPS_CREDIT, VIINA_CREDIT

    from .daily_scenario import write_scenario

    folder = write_scenario(tmp_path / "adjudication")
    change = {"format": "ceasewatch.line-change/1", "change_id": "lc-1", "party_gained": "RU",
              "area_km2": 6.25, "position": [37.5, 48.5], "t_from": "2026-01-18",
              "t_to": "2026-02-18"}  # fmt: skip
    [crossed] = [v.to_json() for v in line_change_verdicts([change], resolve("ua-2026"))]
    with (folder / "violations.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(crossed) + "\n")
    checks = [
        {"event_id": f"rev-{n}", "t_start": t, "n_reports": k, "status": s, "sources": ["viina"]}
        for n, (t, k, s) in enumerate([
            ("2026-02-18T00:00:00Z", 3, "corroborates"),
            ("2026-02-18T06:00:00Z", 1, "contradicts"),
            ("2026-02-18T09:00:00Z", 2, "no_coverage"),
            ("2026-02-18T23:00:00Z", 4, "corroborates"),  # after the cut-off
            ("2026-02-19T01:00:00Z", 1, "contradicts"),  # the next day
        ])
    ]  # fmt: skip
    (folder / "report-checks.jsonl").write_text("".join(json.dumps(c) + "\n" for c in checks))
    start, end = day_window("2026-02-18")
    record = build_record(read_adjudication(folder), resolve("ua-2026"), start, end,
                          cutoff_ns=parse_ns("2026-02-18T22:00:00Z"))  # fmt: skip
    summary = " ".join(record.summary)
    assert "1 violation of the line itself rests on control-map changes (6.2 km²" in summary
    assert "1 by RU" in summary
    assert "6 reports became 3 distinct events; the sensors corroborated 1 and contradicted 1" in (
        summary
    )
    assert "1 fell where or when the sensors did not watch enough" in summary
    assert LINE_MAPS_CREDIT in record.sources and VIINA_CREDIT in record.sources
    plain = scenario_record(tmp_path / "plain")
    assert LINE_MAPS_CREDIT not in plain.sources and "Open-source" not in " ".join(plain.summary)
