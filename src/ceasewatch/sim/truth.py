"""The truth of a run: happenings, their observable sources with the records each caused, false
alarms, complaints, delivery, conditions and coverage (docs/simulation.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ceasewatch.sim.base import Emission, Happening, HappeningKind
from ceasewatch.sim.output import ns_text
from ceasewatch.sim.sources.acoustic import sources as acoustic_sources
from ceasewatch.sim.world import World

STREAM_KEY = {
    "picks": "picks",
    "tracks": "tracks",
    "detections": "detections",
    "firms": "firms",
    "reports": "reports",
}
SOURCE_STREAM_KEY = {**STREAM_KEY, "status": "status"}
"""Streams whose records the truth's sources list: the sensors' status reports too (an
interference log is a record of the jamming), though a heartbeat with no cause is no false
alarm."""
LASTING_PHASE = {
    HappeningKind.WEAPON_PRESENCE: "presence",
    HappeningKind.FLIGHT: "flight",
    HappeningKind.FIELD_FIRE: "fire",
    HappeningKind.INTERFERENCE: "interference",
}


def happening_rows(world: World, happenings: Sequence[Happening]) -> list[dict[str, Any]]:
    places = world.gazetteer.describe_many(
        [h.impact[0] for h in happenings], [h.impact[1] for h in happenings]
    )
    sectors = world.sector_of([h.impact[0] for h in happenings], [h.impact[1] for h in happenings])
    rows = []
    for h, place, sector in zip(happenings, places, sectors, strict=True):
        rows.append(
            {
                "happening_id": h.happening_id,
                "kind": h.kind.value,
                "party": h.party,
                "weapon": h.weapon,
                "t": ns_text(h.t_ns),
                "t_impact": ns_text(h.t_impact_ns) if h.launch is not None else None,
                "launch": _rounded(h.launch) if h.launch else None,
                "impact": _rounded(h.impact),
                "end": ns_text(h.end_ns),
                "count": h.count,
                "episode": h.episode,
                "clutter": h.clutter,
                "deliberate": h.deliberate,
                "violations": list(h.violations),
                "sector": sector,
                "place": place.text if place else None,
                "notes": h.notes,
            }
        )
    return rows


def source_rows(
    happenings: Sequence[Happening], emissions: Sequence[Emission], ids: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """One row per observable phase of a happening, with every record it caused."""
    by_id = {h.happening_id: h for h in happenings}
    rows: dict[str, dict[str, Any]] = {}

    def row(happening_id: str, phase: str) -> dict[str, Any]:
        source_id = f"{happening_id}/{phase}"
        if source_id not in rows:
            h = by_id[happening_id]
            position, t = (
                (h.launch, h.t_ns)
                if phase == "launch" and h.launch
                else (h.impact, h.t_impact_ns if phase in ("impact", "fire") else h.t_ns)
            )
            rows[source_id] = {
                "source_id": source_id,
                "happening_id": happening_id,
                "phase": phase,
                "t_origin": ns_text(t, 9),
                "position": _rounded(position),
                "records": {},
                "could_detect": {},
            }
        return rows[source_id]

    for source in acoustic_sources(happenings):
        row(source.happening_id, source.phase)
    for h in happenings:
        if h.kind in LASTING_PHASE:
            row(h.happening_id, LASTING_PHASE[h.kind])
    for emission in emissions:
        if emission.stream not in SOURCE_STREAM_KEY:
            continue
        stream_ids = ids[emission.stream]
        for index, (cause, phase) in enumerate(zip(emission.causes, emission.phases, strict=True)):
            if cause is None or cause not in by_id:
                continue
            records = row(cause, phase or "event")["records"]
            records.setdefault(SOURCE_STREAM_KEY[emission.stream], []).append(stream_ids[index])
        kind = _kind_of(emission.stream)
        for source_id, sensors in sorted(emission.could_detect.items()):
            happening_id, _, phase = source_id.rpartition("/")
            if happening_id in by_id:
                row(happening_id, phase)["could_detect"][kind] = sorted(set(sensors))
    return [rows[k] for k in sorted(rows)]


def false_alarm_rows(emissions: Sequence[Emission], ids: dict[str, list[str]]) -> list[dict]:
    rows = []
    for emission in emissions:
        if emission.stream not in STREAM_KEY:
            continue
        for index, cause in enumerate(emission.causes):
            if cause is None:
                record = emission.records[index]
                extra = emission.truth.get(index, {})
                rows.append(
                    {
                        "stream": emission.stream,
                        "record_id": ids[emission.stream][index],
                        "sensor_id": record.get("sensor_id") or record.get("satellite"),
                        "reason": extra.get("reason", "false_alarm"),
                    }
                )
    return rows


def extras_rows(emission: Emission, ids: list[str], id_key: str) -> list[dict[str, Any]]:
    """Per-record truth extras (complaint classes, the happenings a report counted)."""
    rows = []
    for index in range(len(emission.records)):
        extra = dict(emission.truth.get(index, {}))
        rows.append({id_key: ids[index], "cause": emission.causes[index], **extra})
    return rows


def _rounded(point: tuple[float, float] | None) -> list[float]:
    assert point is not None
    return [round(point[0], 7), round(point[1], 7)]


def _kind_of(stream: str) -> str:
    return {
        "picks": "acoustic",
        "tracks": "radar",
        "detections": "uav",
        "firms": "satellite",
        "reports": "observer",
    }.get(stream, stream)
