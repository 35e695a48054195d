"""Drone / camera detections — ``detections.jsonl`` (FORMATS.md).

FORMATS.md marks no field required; as for every format, the id, the source and the source's own
time are: ``detection_id``, ``sensor_id``, ``t``. Optional, checked when given: ``position``
([lon, lat] or [lon, lat, elev_m]), ``pos_sigma_m`` (0 or more), ``object_class`` (the list
below), ``class_confidence`` (0 to 1), ``count`` (a whole number, 0 or more). Source time: ``t``.
"""

from __future__ import annotations

from ceasewatch.ingest.adapters import checks as c
from ceasewatch.ingest.adapters.jsonl import JsonLinesAdapter

OBJECT_CLASSES = (
    "tank",
    "artillery_ge_100mm",
    "artillery_lt_100mm",
    "mortar",
    "mlrs",
    "apc",
    "air_defence",
    "truck",
    "troops",
    "unknown",
)


def validate(record: c.Record) -> c.Checked:
    """Check one detection; raise :class:`~checks.Bad` for its first problem."""
    detection_id = c.ident(record, "detection_id")
    c.ident(record, "sensor_id")
    t_ns = c.time_ns(record, "t")
    c.position(record, "position", required=False)
    c.number(record, "pos_sigma_m", minimum=0)
    c.choice(record, "object_class", OBJECT_CLASSES)
    c.number(record, "class_confidence", minimum=0, maximum=1)
    c.count(record, "count")
    return c.Checked(detection_id, t_ns, c.signature(record))


ADAPTER = JsonLinesAdapter("detections", "detection_id", validate)
