"""``ceasewatch fuse``: picks (and the other streams) → located events and incidents."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ceasewatch.errors import CeasewatchError

OUT_HELP = "where to write events.jsonl (incidents.jsonl and rejected.jsonl go beside it)"


def fuse(
    sensors: Annotated[Path, typer.Option(help="the sensor registry, sensors.geojson")],
    picks: Annotated[Path, typer.Option(help="acoustic picks, picks.jsonl")],
    out: Annotated[Path, typer.Option(help=OUT_HELP)] = Path("events.jsonl"),
    tracks: Annotated[Path | None, typer.Option(help="radar tracks.jsonl")] = None,
    detections: Annotated[Path | None, typer.Option(help="drone detections.jsonl")] = None,
    firms: Annotated[Path | None, typer.Option(help="NASA FIRMS CSV")] = None,
    reports: Annotated[Path | None, typer.Option(help="observer reports.jsonl")] = None,
    complaints: Annotated[Path | None, typer.Option(help="party complaints.jsonl")] = None,
    notifications: Annotated[Path | None, typer.Option(help="announced demining")] = None,
    agreement: Annotated[str, typer.Option(help="agreement id or file")] = "ua-2026",
    speed_mps: Annotated[float, typer.Option(help="speed of sound")] = 343.0,
    quiet: Annotated[bool, typer.Option(help="no progress lines")] = False,
) -> None:
    """Group picks into located sound events (95 % ellipses, calibrated confidence); with other
    streams, pair launches with impacts and merge everything into incidents.

    Example: ceasewatch fuse --sensors run/sensors.geojson --picks run/picks.jsonl --out ev.jsonl
    """
    from ceasewatch.commands.evidence import fail
    from ceasewatch.fusion.acoustic.array import read_sensors
    from ceasewatch.fusion.acoustic.model import Settings
    from ceasewatch.fusion.acoustic.run import fuse_picks
    from ceasewatch.fusion.files import read_firms, read_jsonl, write_jsonl

    def say(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr)

    try:
        array = read_sensors(sensors)
        result = fuse_picks(array, read_jsonl(picks), Settings(speed_mps=speed_mps), say)
        streams = {"tracks": tracks, "detections": detections, "reports": reports,
                   "complaints": complaints}  # fmt: skip
        records = {name: read_jsonl(path) for name, path in streams.items() if path is not None}
        if firms is not None:
            records["firms"] = read_firms(firms)
        events = [e.to_json() for e in result.events]
        if records or notifications is not None:
            from ceasewatch.agreement.catalog import resolve
            from ceasewatch.fusion.incidents import fuse_sources

            fused = fuse_sources(
                result.events,
                records,
                agreement=resolve(agreement),
                notifications=read_jsonl(notifications) if notifications else (),
            )
            events = list(fused.events)
            write_jsonl(out.with_name("incidents.jsonl"), fused.incidents_json())
            write_jsonl(out.with_name("rejected.jsonl"), fused.rejected_json())
        write_jsonl(out, events)
        skews = [
            {"sensor_id": k.sensor_id, "offset_s": round(k.offset_s, 3),
             "sigma_s": round(k.sigma_s, 3), "events": k.events}
            for k in result.skews
        ]  # fmt: skip
        summary = {
            "picks": result.picks,
            "events": len(events),
            "picks_unexplained": result.unassociated,
            "picks_of_unknown_sensors": len(result.unknown_sensor),
            "duplicate_picks": result.duplicates,
            "clock_offsets": skews,
        }
        write_jsonl(out.with_name("fuse-summary.jsonl"), [summary])
        say(json.dumps(summary))
    except CeasewatchError as error:
        fail(error)
