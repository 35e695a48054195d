"""Radar tracks — ``tracks.jsonl`` (FORMATS.md).

Required: ``track_id``, ``sensor_id``, and at least one complete pair (``t_launch``, ``launch``)
or (``t_impact``, ``impact``); half a pair is an error. Optional: ``launch_cep_m`` and
``impact_cep_m`` (0 or more), ``projectile`` (mortar | artillery | mlrs | missile | uav | unknown).
A track with both times must not land before it is launched. Source time: ``t_launch``, or
``t_impact`` when there is no launch.
"""

from __future__ import annotations

from ceasewatch.ingest.adapters import checks as c
from ceasewatch.ingest.adapters.jsonl import JsonLinesAdapter

PROJECTILES = ("mortar", "artillery", "mlrs", "missile", "uav", "unknown")


def _end(record: c.Record, time_field: str, place_field: str) -> int | None:
    """The time of one end of the track if that end is given completely, else ``None``."""
    has_time, has_place = c.given(record, time_field), c.given(record, place_field)
    if has_time != has_place:
        missing, present = (place_field, time_field) if has_time else (time_field, place_field)
        raise c.Bad(
            missing,
            f"is missing while {present} is given; they go together",
            f'add "{missing}", or leave out "{present}" too',
        )
    if not has_time:
        return None
    t_ns = c.time_ns(record, time_field)
    c.position(record, place_field)
    return t_ns


def validate(record: c.Record) -> c.Checked:
    """Check one track; raise :class:`~checks.Bad` for its first problem."""
    track_id = c.ident(record, "track_id")
    c.ident(record, "sensor_id")
    t_launch = _end(record, "t_launch", "launch")
    t_impact = _end(record, "t_impact", "impact")
    if t_launch is None and t_impact is None:
        raise c.Bad(
            "",
            "has neither (t_launch, launch) nor (t_impact, impact)",
            "give the launch time and point, the impact time and point, or both",
        )
    if t_launch is not None and t_impact is not None and t_impact < t_launch:
        raise c.Bad(
            "t_impact",
            f"{record['t_impact']} is before t_launch {record['t_launch']}",
            "check the two times (impact comes after launch)",
        )
    c.number(record, "launch_cep_m", minimum=0)
    c.number(record, "impact_cep_m", minimum=0)
    c.choice(record, "projectile", PROJECTILES)
    signed = c.signature(record)
    return c.Checked(track_id, t_launch if t_launch is not None else t_impact, signed)


ADAPTER = JsonLinesAdapter("tracks", "track_id", validate)
