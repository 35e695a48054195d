"""Party complaints — ``complaints.jsonl`` (FORMATS.md).

FORMATS.md marks no field required; the id, the source and the source's own time are:
``complaint_id``, ``party``, ``t_submitted``. Optional, checked when given: ``t_alleged``
([start, end] times, in order), ``position`` (coordinates), ``radius_m`` (0 or more),
``alleged_party`` (an id), ``category`` and ``text`` (free text: FORMATS.md lists no categories).
Source time: ``t_submitted``.
"""

from __future__ import annotations

from ceasewatch.ingest.adapters import checks as c
from ceasewatch.ingest.adapters.jsonl import JsonLinesAdapter


def validate(record: c.Record) -> c.Checked:
    """Check one complaint; raise :class:`~checks.Bad` for its first problem."""
    complaint_id = c.ident(record, "complaint_id")
    c.ident(record, "party")
    t_submitted = c.time_ns(record, "t_submitted")
    c.time_range(record, "t_alleged")
    c.position(record, "position", required=False)
    c.number(record, "radius_m", minimum=0)
    c.optional_ident(record, "alleged_party")
    c.text(record, "category")
    c.text(record, "text")
    return c.Checked(complaint_id, t_submitted, c.signature(record))


ADAPTER = JsonLinesAdapter("complaints", "complaint_id", validate)
