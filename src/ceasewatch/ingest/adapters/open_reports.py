"""Open-source reports — ``open-reports.jsonl``: news-event reports such as those ``ceasewatch
reports viina`` writes (docs/open-source-reports.md).

The observer-report fields (:mod:`.reports`: ``report_id``, ``team_id``, ``t_start``, optional
``t_end``, ``what``, ``text`` …) with ``observer`` required (the place the report names, as
[lon, lat]) and ``source`` (who published it, e.g. ``viina``). Optional, checked when given:
``category`` (a taxonomy id) and ``headline`` (text). Source time: ``t_start``.

A stream of its own, not ``reports``: fusion takes the mission's observer reports (a bearing and
a range from a team's position) as sensor evidence; news reports are never fused, only checked
against the incidents beside the verdicts (:mod:`ceasewatch.adjudication.open_reports`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ceasewatch.ingest.adapters import checks as c
from ceasewatch.ingest.adapters import reports
from ceasewatch.ingest.adapters.jsonl import JsonLinesAdapter, basename, first_object


def validate(record: c.Record) -> c.Checked:
    """Check one open-source report; raise :class:`~checks.Bad` for its first problem."""
    checked = reports.validate(record)
    c.position(record, "observer")
    c.ident(record, "source")
    c.text(record, "category")
    c.text(record, "headline")
    return checked


@dataclass(frozen=True)
class OpenReportsAdapter(JsonLinesAdapter):
    """``open-reports*.jsonl``; by content, a first record with ``report_id``, ``source`` and a
    ``headline``."""

    def sniff_name(self, filename: str) -> bool:
        name = basename(filename)
        return name.startswith(("open-reports", "open_reports")) and name.endswith(".jsonl")

    def sniff_content(self, head: bytes) -> bool:
        first = first_object(head)
        return first is not None and {"report_id", "source", "headline"} <= first.keys()


ADAPTER = OpenReportsAdapter("open-reports", "report_id", validate)
