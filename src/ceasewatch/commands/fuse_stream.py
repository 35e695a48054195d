"""``ceasewatch fuse-stream``: replay files as a stream through streaming fusion."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from ceasewatch.commands.fuse import Complaints, Detections, Firms, Notifications, Reports, Tracks
from ceasewatch.errors import CeasewatchError, InputError
from ceasewatch.model.time import NS_PER_S

if TYPE_CHECKING:
    from ceasewatch.fusion.revisions import Revision
    from ceasewatch.fusion.stream import StreamFuser

ORDER_HELP = (
    "received: the files' order is the order the mechanism got the records (as the simulator "
    "writes them), each received at the latest time seen so far in its file; time: sorted by "
    "their own time, as if nothing were ever late"
)
SKEW_HELP = "look for sensors whose clock is off in the last hour this often (0: never)"


@dataclass(frozen=True)
class Arrival:
    """One record and when the replayed stream receives it."""

    received_ns: int
    stream: str
    record: Mapping[str, Any]


def fuse_stream(
    sensors: Annotated[Path, typer.Option(help="the sensor registry, sensors.geojson")],
    picks: Annotated[Path, typer.Option(help="acoustic picks, picks.jsonl")],
    out: Annotated[Path, typer.Option(help="folder for events.jsonl, revisions.jsonl, …")],
    step_s: Annotated[float, typer.Option(help="fuse the open window every this many s")] = 10.0,
    late_window_s: Annotated[float, typer.Option(help="how late a record may still count")] = 300.0,
    order: Annotated[str, typer.Option(help=ORDER_HELP)] = "received",
    skew_every_s: Annotated[float, typer.Option(help=SKEW_HELP)] = 900.0,
    tracks: Tracks = None,
    detections: Detections = None,
    firms: Firms = None,
    reports: Reports = None,
    complaints: Complaints = None,
    notifications: Notifications = None,
    agreement: Annotated[str, typer.Option(help="agreement id or file")] = "ua-2026",
    speed_mps: Annotated[float, typer.Option(help="speed of sound")] = 343.0,
    quiet: Annotated[bool, typer.Option(help="no progress lines")] = False,
) -> None:
    """Replay picks (and the other streams) as a stream: every --step-s the open window is fused
    again, late records within --late-window-s revise events and incidents, and every change is
    logged. Writes events.jsonl and incidents.jsonl (the final state), revisions.jsonl, late.jsonl
    and stream-summary.json (revisions per kind, latency, seconds per step) into --out.

    Example: ceasewatch fuse-stream --sensors run/sensors.geojson --picks run/picks.jsonl --out st
    """
    from ceasewatch.commands.evidence import fail

    def say(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr)

    files = {
        "picks": picks,
        "tracks": tracks,
        "detections": detections,
        "firms": firms,
        "reports": reports,
        "complaints": complaints,
        "notifications": notifications,
    }
    try:
        if not step_s > 0:
            raise InputError(f"--step-s {step_s}: give a positive number of seconds, e.g. 10")
        if order not in ("received", "time"):
            raise InputError(f"--order {order!r}: give received or time")
        given = {name: path for name, path in files.items() if path is not None}
        options = {
            "step_s": step_s,
            "late_window_s": late_window_s,
            "order": order,
            "skew_every_s": skew_every_s,
        }
        _run(sensors, given, out, options, agreement, speed_mps, say)
    except CeasewatchError as error:
        fail(error)


def _run(
    sensors: Path,
    files: Mapping[str, Path],
    out: Path,
    options: dict[str, Any],
    agreement: str,
    speed_mps: float,
    say: Callable[[str], None],
) -> None:
    from ceasewatch.fusion.acoustic.array import read_sensors
    from ceasewatch.fusion.acoustic.model import Settings
    from ceasewatch.fusion.files import write_jsonl
    from ceasewatch.fusion.stream import StreamFuser

    array = read_sensors(sensors)
    arrivals = replay(files, options["order"])
    terms = None
    if set(files) - {"picks"}:
        from ceasewatch.agreement.catalog import resolve

        terms = resolve(agreement)
    fuser = StreamFuser(
        array,
        Settings(speed_mps=speed_mps),
        late_window_s=options["late_window_s"],
        agreement=terms,
        skew_every_s=options["skew_every_s"],
    )
    step_ns = round(options["step_s"] * NS_PER_S)
    say(f"{len(arrivals):,} records, {len(array):,} sensors; a step every {step_ns / NS_PER_S:g} s")
    out.mkdir(parents=True, exist_ok=True)
    with (out / "revisions.jsonl").open("w", encoding="utf-8") as log:
        tally = _play(fuser, arrivals, step_ns, log, say)
    events = sorted(fuser.events.final.values(), key=lambda e: (e.t_origin_ns, e.event_id))
    write_jsonl(out / "events.jsonl", (e.to_json() for e in events))
    if terms is not None:
        incidents = sorted(
            fuser.incidents.final.values(),
            key=lambda h: (h.incident.t_start_ns, h.incident.incident_id),
        )
        write_jsonl(out / "incidents.jsonl", (h.incident.to_json() for h in incidents))
        write_jsonl(
            out / "rejected.jsonl",
            ({"stream": s, "record_id": r, "reason": why} for s, r, why in fuser.unused_records()),
        )
    write_jsonl(out / "late.jsonl", (x.to_json() for x in fuser.late))
    about = {**options, "files": {name: str(path) for name, path in files.items()}}
    result = summary(fuser, tally, about)
    (out / "stream-summary.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    say(json.dumps({k: result[k] for k in ("events", "revisions", "latency_s", "wall_s")}))


@dataclass
class Tally:
    """What the replay measured: wall seconds of every step and of those that fused, and the
    revisions by kind."""

    walls: list[float] = field(default_factory=list)
    busy: list[float] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    total_s: float = 0.0


def _play(
    fuser: StreamFuser,
    arrivals: list[Arrival],
    step_ns: int,
    log: TextIO,
    say: Callable[[str], None],
) -> Tally:
    """Add the records as they arrive and advance every step; write each step's revisions."""
    tally, started, shown = Tally(), time.perf_counter(), time.perf_counter()

    def step(call: Callable[[int], list[Revision]], now: int) -> None:
        tick, work = time.perf_counter(), fuser.fusions + fuser.skew_passes
        revisions = call(now)
        tally.walls.append(time.perf_counter() - tick)
        if fuser.fusions + fuser.skew_passes > work:
            tally.busy.append(tally.walls[-1])
        tally.kinds.update(f"{r.noun}s {r.kind}" for r in revisions)
        log.writelines(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in revisions)

    now = _boundary(arrivals[0].received_ns, step_ns) if arrivals else 0
    k = 0
    while k < len(arrivals):
        while k < len(arrivals) and arrivals[k].received_ns <= now:
            fuser.add(arrivals[k].stream, [arrivals[k].record], arrivals[k].received_ns)
            k += 1
        step(fuser.advance, now)
        if time.perf_counter() - shown >= 5.0:
            shown = time.perf_counter()
            say(_progress(fuser, k, len(arrivals), tally.walls))
        now += step_ns
        idle = not fuser.events.provisional and not fuser.incidents.provisional
        if idle and k < len(arrivals) and arrivals[k].received_ns > now:
            now = _boundary(arrivals[k].received_ns, step_ns)  # nothing open: skip ahead
    step(fuser.finish, now)
    tally.total_s = time.perf_counter() - started
    return tally


def summary(fuser: StreamFuser, tally: Tally, about: dict[str, Any]) -> dict[str, Any]:
    """What ``stream-summary.json`` holds: counts, revisions per kind, latency, cost."""
    import numpy as np

    latencies = fuser.latencies()

    def spread(values: list[float]) -> dict[str, float | None]:
        if not values:
            return {"p50": None, "p90": None, "max": None}
        p50, p90 = np.percentile(values, [50, 90])
        return {
            "p50": round(float(p50), 3),
            "p90": round(float(p90), 3),
            "max": round(max(values), 3),
        }

    return {
        **about,
        "records": {s: len(held) for s, held in fuser.records.items() if held},
        "events": len(fuser.events.final),
        "incidents": len(fuser.incidents.final) if fuser.agreement is not None else None,
        "revisions": dict(sorted(tally.kinds.items())),
        "late_beyond_window": len(fuser.late),
        "picks_unexplained": len(fuser.records["picks"])
        - len(fuser.events.consumed)
        - sum(x.stream == "picks" for x in fuser.late)
        - len(fuser.unknown_sensor),
        "picks_of_unknown_sensors": len(fuser.unknown_sensor),
        "duplicates": fuser.duplicates,
        "conflicting_duplicates": fuser.conflicting[:20],
        "clock_offsets": [
            {"sensor_id": k.sensor_id, "offset_s": round(k.offset_s, 3)} for k in fuser.skews
        ],
        "latency_s": spread([x.latency_s for x in latencies]),
        "wait_s": spread([x.wait_s for x in latencies]),
        "age_at_emission_s": spread([x.age_s for x in latencies]),
        "steps": len(tally.walls),
        "steps_that_fused": len(tally.busy),
        "windows_fused": fuser.fusions,
        "clock_offset_searches": fuser.skew_passes,
        "wall_s": {
            "total": round(tally.total_s, 2),
            "per_step_mean": round(sum(tally.walls) / max(len(tally.walls), 1), 4),
            "per_step": spread(tally.walls),
            "per_step_that_fused": spread(tally.busy),
        },
    }


def _boundary(t_ns: int, step_ns: int) -> int:
    """The first step boundary at or after ``t_ns``."""
    return -(-t_ns // step_ns) * step_ns


def _progress(fuser: StreamFuser, done: int, total: int, walls: list[float]) -> str:
    recent = walls[-50:]
    return (
        f"{done:,}/{total:,} records, {len(fuser.events.final):,} final and "
        f"{len(fuser.events.provisional):,} provisional events, {len(fuser.late):,} late; "
        f"{sum(recent) / len(recent):.3f} s/step"
    )


def replay(files: Mapping[str, Path], order: str) -> list[Arrival]:
    """Every record of every file with the time the stream receives it, in that order.

    A bad record stops the replay with its ``file:line`` and the fix.
    """
    from ceasewatch.fusion.files import read_firms, read_jsonl
    from ceasewatch.fusion.stream_records import record_time_ns

    keyed: list[tuple[int, int, int, Arrival]] = []
    for rank, (stream, path) in enumerate(sorted(files.items())):
        if stream == "firms":
            rows = read_firms(path)
            lines = list(range(2, len(rows) + 2))  # after the header
        else:
            rows = read_jsonl(path)
            lines = _record_lines(path)
        latest = None
        for n, (line, record) in enumerate(zip(lines, rows, strict=True)):
            try:
                t_ns = record_time_ns(stream, record)
            except InputError as error:
                raise InputError(f"{path}:{line}: {error}") from error
            latest = t_ns if latest is None or order == "time" else max(latest, t_ns)
            keyed.append((latest, rank, n, Arrival(latest, stream, record)))
    keyed.sort(key=lambda k: k[:3])
    return [k[3] for k in keyed]


def _record_lines(path: Path) -> list[int]:
    """The line number of each record of a JSONL file (blank lines hold none)."""
    with path.open(encoding="utf-8") as handle:
        return [n for n, line in enumerate(handle, start=1) if line.strip()]
