"""Party notifications of planned activity — ``notifications.jsonl``.

Not yet in FORMATS.md; the simulator writes ``{"notification_id", "party", "t_submitted",
"t_window": [t0, t1], "position", "radius_m", "activity", "text"}``. Required, as for every
format: the id, the source and the source's own time (``notification_id``, ``party``,
``t_submitted``). Optional, checked when given: ``t_window`` ([start, end] times, in order),
``position`` (coordinates), ``radius_m`` (0 or more), ``activity`` and ``text`` (free text).
Source time: ``t_submitted``.
"""

from __future__ import annotations

from ceasewatch.ingest.adapters import checks as c
from ceasewatch.ingest.adapters.jsonl import JsonLinesAdapter


def validate(record: c.Record) -> c.Checked:
    """Check one notification; raise :class:`~checks.Bad` for its first problem."""
    notification_id = c.ident(record, "notification_id")
    c.ident(record, "party")
    t_submitted = c.time_ns(record, "t_submitted")
    c.time_range(record, "t_window")
    c.position(record, "position", required=False)
    c.number(record, "radius_m", minimum=0)
    c.text(record, "activity")
    c.text(record, "text")
    return c.Checked(notification_id, t_submitted, c.signature(record))


ADAPTER = JsonLinesAdapter("notifications", "notification_id", validate)
