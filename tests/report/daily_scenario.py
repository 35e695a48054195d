"""A small fixed adjudication folder written by hand, for the daily report's tests.

Day 2026-02-18, cut-off 22:00 UTC. Five violations in the window (one after the cut-off), one
the next day; one escalation cluster of two RU impacts near Horlivka; three sectors with coverage
readings; three complaint answers (one the next day). Sensor ids, evidence ids and positions to
six decimals are planted so tests can check that the public edition drops them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SENSOR_ID = "ac-0417"
EVIDENCE_ID = "events:ev-5e1f0c0ffee00001"
FINE_LON = "38.046812"
CUTOFF = "2026-02-18T22:00:00Z"


def _violation(vid: str, t: str, lon: float, lat: float, place: str | None, sector: str,
               responsible: dict[str, float], severity: str = "high",
               category: str = "explosion/impact", weapon: str | None = "artillery_ge_100mm",
               basis: str = "firing_position",
               reason: str | None = None) -> dict[str, Any]:  # fmt: skip
    party = max(responsible, key=lambda k: responsible[k])
    why = reason or f"fired from {party}-held ground, 3.1 km from the line (pairing 0.97)"
    return {
        "violation_id": vid,
        "rule_id": "no-fire",
        "event_ids": [EVIDENCE_ID.split(":")[1]],
        "t": t,
        "position": [lon, lat],
        "place": place,
        "p_occurred": 0.99,
        "responsible": responsible,
        "p_deliberate": None,
        "severity": severity,
        "status": "auto",
        "reasons": [f"impact located by {SENSOR_ID} and 5 other sensors", why],
        "incident_id": "in-" + vid[3:],
        "category": category,
        "weapon": weapon,
        "attribution_basis": basis,
        "sector": sector,
        "findings": {
            "occurred": {"reasons": [f"heard by {SENSOR_ID}"], "evidence": [EVIDENCE_ID]},
            "responsible": {"reasons": [why], "evidence": [EVIDENCE_ID]},
            "deliberate": {"reasons": ["not assessed"], "evidence": []},
        },
        "evidence": [EVIDENCE_ID],
    }


VIOLATIONS = [
    _violation("vi-0000000000000001", "2026-02-18T03:12:09.100000Z", float(FINE_LON), 48.281234,
               "3 km SE of Horlivka", "donetsk", {"UA": 0.05, "RU": 0.94, "unknown": 0.01}),
    _violation("vi-0000000000000002", "2026-02-18T03:40:00.000000Z", 38.041111, 48.284444,
               "2 km SE of Horlivka", "donetsk", {"UA": 0.03, "RU": 0.96, "unknown": 0.01}),
    _violation("vi-0000000000000003", "2026-02-18T10:05:00.000000Z", 35.401234, 47.551234,
               "5 km N of Vasylivka", "zaporizhzhia", {"UA": 0.9, "RU": 0.1, "unknown": 0.0},
               severity="medium", weapon="mortar"),
    _violation("vi-0000000000000004", "2026-02-18T12:00:00.000000Z", 37.601234, 49.701234,
               "in Kupiansk", "kharkiv", {"UA": 0.55, "RU": 0.3, "unknown": 0.15},
               severity="critical", category="explosion/drone", weapon=None, basis="impact_only",
               reason="impact on RU-held ground with no firing position"),
    _violation("vi-0000000000000005", "2026-02-18T23:30:00.000000Z", 38.1, 48.3,
               "4 km E of Horlivka", "donetsk", {"UA": 0.02, "RU": 0.98, "unknown": 0.0}),
    _violation("vi-0000000000000006", "2026-02-19T01:00:00.000000Z", 38.1, 48.3,
               "4 km E of Horlivka", "donetsk", {"UA": 0.02, "RU": 0.98, "unknown": 0.0}),
]  # fmt: skip

SECTORS = [
    {"sector": "zaporizhzhia", "violations": 1, "by_party": {"UA": 1}, "line_observable": 0.55,
     "sensors_available": 0.62, "hours": 24, "blind_hours": 3, "reading": "partly observed"},
    {"sector": "donetsk", "violations": 4, "by_party": {"RU": 4}, "line_observable": 0.97,
     "sensors_available": 0.95, "hours": 24, "blind_hours": 0, "reading": "observed"},
    {"sector": "luhansk", "violations": 0, "by_party": {}, "line_observable": 0.05,
     "sensors_available": 0.1, "hours": 24, "blind_hours": 20, "reading": "not observable"},
    {"sector": "kharkiv", "violations": 1, "by_party": {"UA": 1}, "line_observable": 0.9,
     "sensors_available": 0.9, "hours": 24, "blind_hours": 0, "reading": "observed"},
]  # fmt: skip

ESCALATION = [
    {"cluster_id": "cl-00000000000000aa", "anchor_id": "vi-0000000000000001", "rule_id": "no-fire",
     "party": "RU", "sector": "donetsk",
     "violation_ids": ["vi-0000000000000001", "vi-0000000000000002"], "count": 2,
     "first": "2026-02-18T03:12:09.100000Z", "last": "2026-02-18T03:40:00.000000Z",
     "severity": "high", "state": "open", "notified": ["coordination-cell"], "escalated": False,
     "next": {"step": 1, "after_h": 24.0, "due": "2026-02-19T03:12:09.100000Z",
              "notify": ["guarantors"], "escalate": False}},
]  # fmt: skip


def _answer(
    cid: str, party: str, against: str, outcome: str, t: str, reason: str
) -> dict[str, Any]:
    return {"complaint_id": cid, "party": party, "alleged_party": against, "category": "shelling",
            "outcome": outcome, "violation_ids": [], "incident_ids": [], "duplicate_of": None,
            "reasons": [reason], "t_submitted": t, "t_due": t, "t_answered": t, "late": False,
            "observed": None}  # fmt: skip


ANSWERS = [
    _answer("UA-2026-0001", "UA", "RU", "corroborated", "2026-02-18T04:00:00Z",
            "corroborated: 2 violations by RU seen in the alleged place and window"),
    _answer("RU-2026-0001", "RU", "UA", "contradicted", "2026-02-18T09:00:00Z",
            "contradicted: nothing by UA seen where it would have been seen (chance 0.93)"),
    _answer("RU-2026-0002", "RU", "UA", "unverifiable", "2026-02-19T09:00:00Z",
            "unverifiable: not observable there"),
]  # fmt: skip

RECORDS = {
    "as_of": "2026-02-20T00:00:00Z",
    "answer_within_h": 72.0,
    "parties": {
        "RU": {"party": "RU", "submitted": 2, "corroborated": 0, "contradicted": 1,
               "unverifiable": 1, "duplicate": 0, "late": 0, "accurate_share": 0.0},
        "UA": {"party": "UA", "submitted": 1, "corroborated": 1, "contradicted": 0,
               "unverifiable": 0, "duplicate": 0, "late": 0, "accurate_share": 1.0},
    },
}  # fmt: skip

VERDICTS = {"coverage": {"from": "2026-02-18T00:00:00Z", "to": "2026-02-19T00:00:00Z"}}


def write_scenario(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (
        ("violations.jsonl", VIOLATIONS),
        ("sectors.jsonl", SECTORS),
        ("escalation.jsonl", ESCALATION),
        ("complaint-answers.jsonl", ANSWERS),
    ):
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (folder / "complaint-records.json").write_text(json.dumps(RECORDS), encoding="utf-8")
    (folder / "verdicts.json").write_text(json.dumps(VERDICTS), encoding="utf-8")
    return folder


EDITIONS = ("full", "public", "party:RU", "party:UA")
CHECKPOINT = (
    "example.org/ceasewatch-log\n42\nq2s8fKcLs4TBHH3ZyqFDNDc0j1oyXK+cjC/NpdFOS1I=\n\n— sig\n"
)


def scenario_record(folder: Path) -> Any:
    """The full record of the scenario (day 2026-02-18, cut-off 22:00)."""
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.model.places import Gazetteer
    from ceasewatch.model.time import parse_ns
    from ceasewatch.report.daily_inputs import read_adjudication
    from ceasewatch.report.daily_record import build_record, day_window

    start, end = day_window("2026-02-18")
    return build_record(
        read_adjudication(write_scenario(folder)),
        resolve("ua-2026"),
        start,
        end,
        cutoff_ns=parse_ns(CUTOFF),
        checkpoint=CHECKPOINT,
        gazetteer=Gazetteer.default(),
    )


def golden_texts(folder: Path) -> dict[str, str]:
    """golden file name → the text of that edition."""
    from ceasewatch.report.daily_text import report_text
    from ceasewatch.report.editions import edition, edition_slug

    record = scenario_record(folder)
    return {f"daily-{edition_slug(e)}.txt": report_text(edition(record, e)) for e in EDITIONS}
