"""Acoustic fusion cell by cell: each cell of the plan (:mod:`.cells`) fused, joined in plan order.

Every path that fuses a log — the demo and pipeline, ``ceasewatch replay``, ``ceasewatch
reprocess`` in this process or on Dask — goes through :func:`fuse_in_cells`, and only the
executor differs: an executor runs jobs and may finish them in any order, the join never
depends on it, so a verdict digest is the same whichever ran the cells
(docs/adr/0012-reprocess-on-dask.md).

A cell fuses its own picks and those of its halo, but its searches start only at picks of
sensors within ``anchor_m`` of its sector and no earlier than just before its window
(:class:`~ceasewatch.fusion.acoustic.run.Anchors`): the halo lends support to the sources near
the sector's edge without being searched again by every neighbour.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np

from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.fusion.acoustic.array import SensorArray, array_from_features
from ceasewatch.fusion.acoustic.clock import Skew
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.picks import pick_table
from ceasewatch.fusion.acoustic.run import AcousticResult, Anchors, fuse_picks
from ceasewatch.fusion.acoustic.windows import _joined
from ceasewatch.fusion.cells import (
    EARLY_S,
    NS_PER_S,
    WINDOW_S,
    CellJob,
    CellResult,
    Plan,
    plan_cells,
    sector_index,
    sector_names,
)
from ceasewatch.fusion.event import FusedEvent

Progress = Callable[[str], None]
Done = Callable[[CellResult], None]
Executor = Callable[[Sequence[CellJob], Done], list[CellResult]]
"""Runs every job and calls ``done`` as each finishes; the order of the list does not matter."""


@dataclass(frozen=True)
class CellFusion:
    plan: Plan
    cells: tuple[CellResult, ...]  # in plan order
    acoustic: AcousticResult
    cells_s: float  # wall seconds the executor took over every cell


def fuse_cell(job: CellJob) -> CellResult:
    """A worker's task: fuse one cell's picks, keep the events whose origin is in its window."""
    started = time.perf_counter()
    array = array_from_features(job.sensors, where=f"cell {job.cell.key}")
    near = {str((f.get("properties") or {}).get("sensor_id")) for f, a in
            zip(job.sensors, job.anchoring, strict=True) if a}  # fmt: skip
    anchors = Anchors(np.array([i in near for i in array.ids], dtype=bool),
                      job.cell.start_ns - round(EARLY_S * NS_PER_S))  # fmt: skip
    result = fuse_picks(array, job.picks, job.settings, workers=1, anchors=anchors)
    kept = tuple(e for e in result.events if job.cell.holds_ns(e.t_origin_ns))
    return CellResult(job.index, job.cell, kept, result.skews, time.perf_counter() - started)


def join_cells(
    results: Sequence[CellResult], agreement: Agreement
) -> tuple[tuple[FusedEvent, ...], tuple[Skew, ...]]:
    """Each cell's events in its sector, joined in plan order (never in completion order)."""
    ordered = sorted(results, key=lambda r: r.index)
    events = [e for r in ordered for e in r.events]
    lon = np.array([e.lon for e in events], dtype=np.float64)
    lat = np.array([e.lat for e in events], dtype=np.float64)
    names = iter(sector_names(agreement, sector_index(agreement, lon, lat)))
    parts = []
    for result in ordered:
        kept = [e for e in result.events if next(names) == result.cell.sector]
        parts.append((kept, list(result.skews)))
    return _joined(parts)


def serial(jobs: Sequence[CellJob], done: Done) -> list[CellResult]:
    """Every cell in this process, in plan order (``reprocess --workers 0``)."""
    results = []
    for job in jobs:
        results.append(fuse_cell(job))
        done(results[-1])
    return results


def largest_first(jobs: Sequence[CellJob]) -> list[CellJob]:
    """The jobs by picks, most first (then in plan order): the longest start first, so the last
    to finish is a short one. Only the order of work changes, never the result."""
    return sorted(jobs, key=lambda job: (-job.cell.picks, job.index))


def forked(workers: int | None = None) -> Executor:
    """Cells on up to ``workers`` forked processes of this machine (its cores by default)."""

    def run(jobs: Sequence[CellJob], done: Done) -> list[CellResult]:
        count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
        if count == 1:
            return serial(jobs, done)
        context = multiprocessing.get_context("fork")
        results = []
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            for future in as_completed(
                [pool.submit(fuse_cell, job) for job in largest_first(jobs)]
            ):
                results.append(future.result())
                done(results[-1])
        return results

    return run


def fuse_in_cells(
    array: SensorArray,
    features: Sequence[Mapping[str, Any]],
    picks: Sequence[Mapping[str, Any]],
    agreement: Agreement,
    settings: Settings,
    executor: Executor | None = None,
    progress: Progress | None = None,
    *,
    window_s: float = WINDOW_S,
) -> CellFusion:
    """Plan the cells, fuse them on ``executor`` (forked processes by default), join them."""
    say = progress or (lambda _m: None)
    table = pick_table(picks, array.index)
    say(f"{len(table):,} picks at {len(array):,} sensors")
    plan, jobs = plan_cells(array, table, features, picks, agreement, settings, window_s)
    say(plan.text())
    finished: list[CellResult] = []

    def done(result: CellResult) -> None:
        finished.append(result)
        say(f"cell {len(finished)}/{len(jobs)} {result.cell.key}: {len(result.events):,} events, "
            f"{result.cell.picks:,} picks, {result.duration_s:.1f} s")  # fmt: skip

    started = time.perf_counter()
    results = sorted((executor or forked())(jobs, done), key=lambda r: r.index)
    cells_s = time.perf_counter() - started
    if [r.index for r in results] != list(range(len(jobs))):
        raise InputError(f"the executor returned {len(results)} of {len(jobs)} cells; run again")
    events, skews = join_cells(results, agreement)
    explained = sum(len(e.pick_ids) for e in events)
    acoustic = AcousticResult(events, skews, len(table), len(table) - explained,
                              table.unknown_sensor, table.duplicates)  # fmt: skip
    return CellFusion(plan, tuple(results), acoustic, cells_s)
