"""Sensor status reports — ``status.jsonl``.

Not yet in FORMATS.md; the simulator's proposal (docs/simulation.md and
docs/adjudication-coverage.md): one record says that one sensor was in ``state`` from
``t_start`` to ``t_end``:
``{"status_id", "sensor_id", "t_start", "t_end", "state", "reason", ...}`` — heartbeats (``up``,
``t_start`` the sensor's last start), interference logs (``jammed``), flight and shift logs
(``deployed``, ``down``), a camera's dark periods (``not_deployed``), satellite passes.
Required: ``status_id``, ``sensor_id``, ``t_start``, ``t_end`` (not before ``t_start``) and
``state`` (up | down | jammed | deployed | not_deployed). Optional, checked when given:
``reason`` (text), ``share`` (0–1), ``interval_s`` (more than 0), ``seq`` (a whole number),
``swath_m`` (0 or more), ``cell_deg`` (more than 0), ``cloudy`` (a list of [lon, lat]),
``sortie`` (an id), ``platform`` (text). Source time: ``t_end``.
"""

from __future__ import annotations

from ceasewatch.ingest.adapters import checks as c
from ceasewatch.ingest.adapters.jsonl import JsonLinesAdapter

STATES = ("up", "down", "jammed", "deployed", "not_deployed")


def validate(record: c.Record) -> c.Checked:
    """Check one status record; raise :class:`~checks.Bad` for its first problem."""
    status_id = c.ident(record, "status_id")
    c.ident(record, "sensor_id")
    t_start = c.time_ns(record, "t_start")
    t_end = c.time_ns(record, "t_end")
    if t_end < t_start:
        raise c.Bad(
            "t_end",
            f"{record['t_end']} is before t_start {record['t_start']}",
            "check the two times (the period ends after it starts)",
        )
    c.choice(record, "state", STATES, required=True)
    c.text(record, "reason")
    c.number(record, "share", minimum=0, maximum=1)
    interval = c.number(record, "interval_s", minimum=0)
    if interval == 0:
        raise c.Bad("interval_s", "is 0", 'send "interval_s" as the heartbeat period, above 0')
    c.count(record, "seq")
    c.number(record, "swath_m", minimum=0)
    cell = c.number(record, "cell_deg", minimum=0)
    if cell == 0:
        raise c.Bad("cell_deg", "is 0", 'send "cell_deg" as the cloud-mask cell size, above 0')
    if c.given(record, "cloudy"):
        cells = record["cloudy"]
        if not isinstance(cells, list):
            raise c.Bad(
                "cloudy",
                f"must be a list of [lon, lat], not {c.json_type(cells)}",
                'write "cloudy" as [[lon, lat], ...]: the south-west corners of cloudy cells',
            )
        for index, corner in enumerate(cells):
            c.coordinates(corner, f"cloudy[{index}]")
    c.optional_ident(record, "sortie")
    c.text(record, "platform")
    return c.Checked(status_id, t_end, c.signature(record))


ADAPTER = JsonLinesAdapter("status", "status_id", validate)
