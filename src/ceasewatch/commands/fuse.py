"""``ceasewatch fuse``: picks (and the other streams) → located events and incidents, from files
or from what a store holds."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ceasewatch.errors import CeasewatchError, InputError

# the other streams, as both ``fuse`` and ``fuse-stream`` take them
Tracks = Annotated[Path | None, typer.Option(help="radar tracks.jsonl")]
Detections = Annotated[Path | None, typer.Option(help="drone detections.jsonl")]
Firms = Annotated[Path | None, typer.Option(help="NASA FIRMS CSV")]
Reports = Annotated[Path | None, typer.Option(help="observer reports.jsonl")]
Complaints = Annotated[Path | None, typer.Option(help="party complaints.jsonl")]
Notifications = Annotated[Path | None, typer.Option(help="announced demining")]
OUT_HELP = "where to write events.jsonl (incidents.jsonl and rejected.jsonl go beside it)"
STATE_HELP = (
    "fuse what the store in this state folder holds (DIR/evidence.sqlite), instead of "
    "--sensors and --picks; the result is also kept in the store"
)
STORE_HELP = "with --state: the store's URL when it is not DIR/evidence.sqlite (postgresql://…)"


def fuse(
    sensors: Annotated[
        Path | None, typer.Option(help="the sensor registry, sensors.geojson")
    ] = None,
    picks: Annotated[Path | None, typer.Option(help="acoustic picks, picks.jsonl")] = None,
    out: Annotated[Path, typer.Option(help=OUT_HELP)] = Path("events.jsonl"),
    tracks: Tracks = None,
    detections: Detections = None,
    firms: Firms = None,
    reports: Reports = None,
    complaints: Complaints = None,
    notifications: Notifications = None,
    state: Annotated[Path | None, typer.Option(help=STATE_HELP)] = None,
    store: Annotated[str | None, typer.Option(help=STORE_HELP)] = None,
    agreement: Annotated[str, typer.Option(help="agreement id or file")] = "ua-2026",
    speed_mps: Annotated[float, typer.Option(help="speed of sound")] = 343.0,
    quiet: Annotated[bool, typer.Option(help="no progress lines")] = False,
) -> None:
    """Group picks into located sound events (95 % ellipses, calibrated confidence); with other
    streams, pair launches with impacts and merge everything into incidents. With --state, fuse
    every stream the evidence log holds and keep the result in the store.

    Example: ceasewatch fuse --sensors run/sensors.geojson --picks run/picks.jsonl --out ev.jsonl
    """
    from ceasewatch.commands.evidence import fail

    def say(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr)

    files = {"tracks": tracks, "detections": detections, "firms": firms, "reports": reports,
             "complaints": complaints, "notifications": notifications}  # fmt: skip
    try:
        if state is not None:
            given = [f"--{name}" for name, path in files.items() if path is not None]
            given += [f"--{n}" for n, p in (("sensors", sensors), ("picks", picks)) if p]
            if given:
                raise InputError(
                    f"--state fuses what the store holds; leave out {', '.join(given)}"
                )
            _from_store(state, store, out, agreement, speed_mps, say)
            return
        if store is not None:
            raise InputError("--store goes with --state; leave it out when fusing files")
        if sensors is None or picks is None:
            raise InputError("give --sensors and --picks (files), or --state DIR (a store)")
        _from_files(sensors, picks, files, out, agreement, speed_mps, say)
    except CeasewatchError as error:
        fail(error)


def _from_files(
    sensors: Path,
    picks: Path,
    files: dict[str, Path | None],
    out: Path,
    agreement: str,
    speed_mps: float,
    say: Callable[[str], None],
) -> None:
    from ceasewatch.fusion.acoustic.array import read_sensors
    from ceasewatch.fusion.acoustic.model import Settings
    from ceasewatch.fusion.acoustic.run import fuse_picks
    from ceasewatch.fusion.files import read_firms, read_jsonl, write_jsonl
    from ceasewatch.fusion.from_log import acoustic_summary

    array = read_sensors(sensors)
    result = fuse_picks(array, read_jsonl(picks), Settings(speed_mps=speed_mps), say)
    streams = ("tracks", "detections", "reports", "complaints")
    records = {name: read_jsonl(path) for name in streams if (path := files[name]) is not None}
    if (firms := files["firms"]) is not None:
        records["firms"] = read_firms(firms)
    notifications = files["notifications"]
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
    summary = acoustic_summary(result, len(events))
    write_jsonl(out.with_name("fuse-summary.jsonl"), [summary])
    say(json.dumps(summary))


def _from_store(
    state: Path,
    store_url: str | None,
    out: Path,
    agreement: str,
    speed_mps: float,
    say: Callable[[str], None],
) -> None:
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.commands.evidence import state_store_url
    from ceasewatch.fusion.acoustic.model import Settings
    from ceasewatch.pipeline import fuse_store
    from ceasewatch.store.open import open_store

    store = open_store(state_store_url(state, store_url))
    try:
        done = fuse_store(
            store,
            resolve(agreement),
            out,
            clock_ns=time.time_ns,
            settings=Settings(speed_mps=speed_mps),
            progress=say,
        )
    finally:
        store.close()
    say(json.dumps(done.fusion.summary()))
    kept = "kept" if done.new else "was kept already"
    say(f"run {done.run.run_id} {kept} in {done.store_url} (log size {done.run.log_size:,})")
