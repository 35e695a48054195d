"""Observer reports — ``reports.jsonl`` (FORMATS.md).

FORMATS.md marks no field required; the id, the source and the source's own time are:
``report_id``, ``team_id``, ``t_start``. Optional, checked when given: ``t_end`` (not before
``t_start``), ``observer`` (coordinates), ``mode`` (heard | saw | camera), ``what`` (the list
below), ``count`` (a whole number, 0 or more), ``bearing_deg`` ([from, to] in [0, 360], clockwise:
it may wrap through north, e.g. [337.5, 22.5]), ``range_km`` ([min, max], 0 or more, in order),
``text``. Source time: ``t_start``.
"""

from __future__ import annotations

from ceasewatch.ingest.adapters import checks as c
from ceasewatch.ingest.adapters.jsonl import JsonLinesAdapter

MODES = ("heard", "saw", "camera")
WHATS = (
    "explosion",
    "shot",
    "burst",
    "flare",
    "projectile",
    "weapon_sighting",
    "damage",
    "casualty",
    "restriction",
)


def validate(record: c.Record) -> c.Checked:
    """Check one report; raise :class:`~checks.Bad` for its first problem."""
    report_id = c.ident(record, "report_id")
    c.ident(record, "team_id")
    t_start = c.time_ns(record, "t_start")
    t_end = c.optional_time(record, "t_end")
    if t_end is not None and t_end < t_start:
        raise c.Bad(
            "t_end",
            f"{record['t_end']} is before t_start {record['t_start']}",
            "check the two times (the window ends after it starts)",
        )
    c.position(record, "observer", required=False)
    c.choice(record, "mode", MODES)
    c.choice(record, "what", WHATS)
    c.count(record, "count")
    c.bearing_range(record, "bearing_deg")
    c.number_range(record, "range_km", minimum=0)
    c.text(record, "text")
    return c.Checked(report_id, t_start, c.signature(record))


ADAPTER = JsonLinesAdapter("reports", "report_id", validate)
