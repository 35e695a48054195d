"""Long inputs in time windows, fused side by side on several processes.

The picks are cut into windows of about ``WINDOW_PICKS`` picks each (cut where the picks say,
never by the number of workers, so one process and many give the same events). A window is
fused with a margin of ``halo`` seconds of picks on each side — longer than sound takes to
cross the reach of a sensor — and keeps only the sources whose origin time falls inside it: a
source's picks all arrive within the reach's travel time after its origin, so every kept source
saw all its picks. A source near a cut is found by both windows and kept by one.

When two kept sources still claim one pick (two windows read one stretch of picks differently)
the one with the higher log-odds keeps it and the other is dropped, so every pick belongs to at
most one event.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ceasewatch.fusion.acoustic.array import SensorArray
from ceasewatch.fusion.acoustic.clock import Skew
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.picks import PickTable
from ceasewatch.fusion.event import FusedEvent

WINDOW_PICKS = 5_000  # picks per window, about
MARGIN_S = 10.0  # beyond the reach's travel time and the longest support window

if TYPE_CHECKING:
    from ceasewatch.fusion.acoustic.run import Anchors

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Window:
    start_s: float  # origin times in [start_s, end_s) are this window's (table seconds)
    end_s: float

    def holds(self, t_s: float) -> bool:
        return self.start_s <= t_s < self.end_s


def halo_s(settings: Settings) -> float:
    return settings.reach_m / settings.speed_mps + settings.max_window_s + MARGIN_S


def windows(table: PickTable, settings: Settings) -> list[Window]:
    """Windows of about ``WINDOW_PICKS`` picks, cut at pick times (at least ``4 × halo`` long)."""
    n = len(table)
    count = max(1, math.ceil(n / WINDOW_PICKS))
    if count == 1:
        return [Window(-math.inf, math.inf)]
    times = np.sort(table.t_s)
    cuts = [float(times[(k * n) // count]) for k in range(1, count)]
    kept: list[float] = []
    for cut in cuts:  # a window shorter than its halos would do the work twice over
        if cut - (kept[-1] if kept else float(times[0])) >= 4 * halo_s(settings):
            kept.append(cut)
    bounds = [-math.inf, *kept, math.inf]
    return [Window(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def fuse_windows(
    array: SensorArray,
    table: PickTable,
    settings: Settings,
    say: Progress,
    workers: int | None = None,
    anchors: Anchors | None = None,
) -> tuple[tuple[FusedEvent, ...], tuple[Skew, ...]]:
    """Fuse each window (on up to ``workers`` processes) and join what they keep."""
    from ceasewatch.fusion.acoustic.run import fuse_table

    parts = windows(table, settings)
    if len(parts) == 1:
        events, skews = fuse_table(array, table, settings, say, anchors)
        return _joined([(events, skews)])
    halo = halo_s(settings)
    jobs = [(array, _cut(table, w, halo), settings, w, anchors) for w in parts]
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    say(f"{len(jobs)} time windows of about {WINDOW_PICKS:,} picks, on {workers} processes")
    results: list[tuple[list[FusedEvent], list[Skew]]] = []
    if workers == 1:
        for k, job in enumerate(jobs, start=1):
            results.append(_fuse_window(job))
            say(f"window {k}/{len(jobs)}: {len(results[-1][0]):,} events")
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for k, result in enumerate(pool.map(_fuse_window, jobs), start=1):
                results.append(result)
                say(f"window {k}/{len(jobs)}: {len(result[0]):,} events")
    return _joined(results)


def _fuse_window(
    job: tuple[SensorArray, PickTable, Settings, Window, Anchors | None],
) -> tuple[list[FusedEvent], list[Skew]]:
    from ceasewatch.fusion.acoustic.run import fuse_table

    array, table, settings, window, anchors = job
    events, skews = fuse_table(array, table, settings, lambda _m: None, anchors)
    epoch = table.epoch_ns
    return [e for e in events if window.holds((e.t_origin_ns - epoch) / 1e9)], skews


def _cut(table: PickTable, window: Window, halo: float) -> PickTable:
    """The window's picks with a halo on each side (same epoch: times stay comparable)."""
    keep = (table.t_s >= window.start_s - halo) & (table.t_s < window.end_s + halo)
    return table.subset(keep)


def _joined(
    results: list[tuple[list[FusedEvent], list[Skew]]],
) -> tuple[tuple[FusedEvent, ...], tuple[Skew, ...]]:
    events = sorted((e for part, _ in results for e in part), key=lambda e: -e.log_odds)
    claimed: set[str] = set()
    kept = []
    for event in events:  # strongest first: a pick two windows both used stays with it
        if claimed.isdisjoint(event.pick_ids):
            claimed.update(event.pick_ids)
            kept.append(event)
    kept.sort(key=lambda e: (e.t_origin_ns, e.event_id))
    return tuple(kept), _skews([s for _, part in results for s in part])


def _skews(skews: list[Skew]) -> tuple[Skew, ...]:
    """One offset per sensor: windows that found it are averaged, weighted by their events."""
    by_sensor: dict[str, list[Skew]] = {}
    for skew in skews:
        by_sensor.setdefault(skew.sensor_id, []).append(skew)
    joined = []
    for sensor_id, found in sorted(by_sensor.items()):
        events = sum(s.events for s in found)
        offset = sum(s.offset_s * s.events for s in found) / events
        sigma = math.sqrt(sum((s.sigma_s * s.events) ** 2 for s in found)) / events
        joined.append(Skew(sensor_id, offset, sigma, events))
    return tuple(joined)
