"""The partition plan of every fusion of a log: cells of sector of the line × time window.

The demo, ``replay`` and ``reprocess`` all fuse a log's picks with this plan
(:mod:`.cell_fusion`). It is a function of the log's records, the agreement and the fusion
settings only, never of the number of workers (docs/adr/0012-reprocess-on-dask.md, 0014):

* sectors are the agreement's, in its order, plus ``(no sector)`` for origins outside them all;
  a point belongs to the first sector whose area holds it (the rule of
  :meth:`ceasewatch.agreement.locate.Locator.batch`);
* windows are fixed spans of ``window_s`` seconds (6 hours from midnight UTC by default)
  counted from the Unix epoch, so a window is the same whatever else the log holds;
* a cell takes the picking sensors within ``reach_m`` of its sector (spatial halo) and their
  picks in its window ± :func:`~ceasewatch.fusion.acoustic.windows.halo_s` (time halo), and
  keeps the events whose origin lies in its sector and its window (the core); searches start
  only at sensors within ``anchor_m`` of the sector, from just before the window on;
* cells are joined as the acoustic windows are (:func:`~ceasewatch.fusion.acoustic.windows.
  _joined`): a pick two cells both used stays with the stronger event.

A cell's inputs (:class:`CellJob`) are plain picklable data: sensor features and pick records
as the log holds them, and the settings. :mod:`.cell_fusion` fuses and joins the cells.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from ceasewatch.agreement.types import Agreement
from ceasewatch.fusion.acoustic.array import SensorArray
from ceasewatch.fusion.acoustic.clock import Skew
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.picks import PickTable
from ceasewatch.fusion.acoustic.windows import halo_s
from ceasewatch.fusion.event import FusedEvent
from ceasewatch.model.geo import LocalProjection
from ceasewatch.model.time import format_ns

NO_SECTOR = "(no sector)"
WINDOW_S = 21_600.0  # a cell's time core: 6 h from midnight UTC (bench/fusion_cells.py)
NS_PER_S = 1_000_000_000
ANCHOR_M = 20_000.0  # searches start only at sensors this close to the cell's sector
EARLY_S = 10.0  # and at picks no earlier than this before its window (pick noise is far less)
PROJECTION_MARGIN = 1.01  # the local projection's scale error is under 0.1 %: take a superset


@dataclass(frozen=True)
class Cell:
    """One sector × window: events with origins in ``sector`` and [start_ns, end_ns)."""

    sector: str
    start_ns: int
    end_ns: int
    sensors: int  # picking sensors sent: the sector's and those within reach of it
    picks: int  # their picks in the window ± the time halo

    @property
    def key(self) -> str:
        return f"{self.sector}@{format_ns(self.start_ns, 0)}"

    def holds_ns(self, t_ns: int) -> bool:
        return self.start_ns <= t_ns < self.end_ns


@dataclass(frozen=True)
class CellJob:
    """What a worker needs for one cell (plain data: dicts as the log holds them)."""

    index: int  # the cell's place in the plan: results are joined in this order
    cell: Cell
    sensors: tuple[Mapping[str, Any], ...]
    anchoring: tuple[bool, ...]  # per sensor: may its picks start a search (near the sector)
    picks: tuple[Mapping[str, Any], ...]
    settings: Settings


@dataclass(frozen=True)
class CellResult:
    index: int
    cell: Cell
    events: tuple[FusedEvent, ...]  # origin time in the window (the sector is checked on join)
    skews: tuple[Skew, ...]
    duration_s: float


@dataclass(frozen=True)
class Plan:
    window_s: float
    halo_s: float
    reach_m: float
    anchor_m: float
    sectors: tuple[str, ...]  # with at least one cell, in the agreement's order
    windows: tuple[tuple[int, int], ...]  # [start_ns, end_ns) with at least one cell
    cells: tuple[Cell, ...]

    def text(self) -> str:
        picks = sum(c.picks for c in self.cells)
        first = format_ns(self.windows[0][0], 0) if self.windows else "-"
        last = format_ns(self.windows[-1][1], 0) if self.windows else "-"
        return (
            f"plan: {len(self.cells):,} cells = {len(self.sectors)} sectors × "
            f"{len(self.windows)} windows of {self.window_s / 3600:g} h ({first} to {last}); "
            f"halos {self.halo_s:.1f} s and {self.reach_m / 1000:g} km "
            f"(searches start within {self.anchor_m / 1000:g} km); "
            f"{picks:,} picks sent (with halos)\n"
            f"  sectors: {', '.join(self.sectors) or '-'}"
        )


def sector_index(agreement: Agreement, lon: NDArray[np.float64], lat: NDArray[np.float64]
                 ) -> NDArray[np.intp]:  # fmt: skip
    """Index into ``agreement.sectors`` of each point (the first that holds it), -1 if none."""
    found = np.full(len(lon), -1, dtype=np.intp)
    for k, sector in enumerate(agreement.sectors):
        found[(found < 0) & shapely.contains_xy(sector.area, lon, lat)] = k
    return found


def sector_names(agreement: Agreement, index: NDArray[np.intp]) -> list[str]:
    ids = [str(s.id) for s in agreement.sectors]
    return [ids[k] if k >= 0 else NO_SECTOR for k in index]


def plan_cells(
    array: SensorArray,
    table: PickTable,
    features: Sequence[Mapping[str, Any]],
    picks: Sequence[Mapping[str, Any]],
    agreement: Agreement,
    settings: Settings,
    window_s: float = WINDOW_S,
    anchor_m: float = ANCHOR_M,
) -> tuple[Plan, list[CellJob]]:
    """The plan for these sensors and picks, and each cell's inputs, in plan order."""
    halo = halo_s(settings)
    halo_ns = math.ceil(halo * NS_PER_S)
    window_ns = round(window_s * NS_PER_S)
    t_ns = table.epoch_ns + np.round(table.t_s * NS_PER_S).astype(np.int64)
    members = _members(array, agreement, settings.reach_m, anchor_m)
    by_id = {str((f.get("properties") or {}).get("sensor_id")): f for f in features}
    first = _first_versions(picks)
    cells: list[Cell] = []
    jobs: list[CellJob] = []
    for sector, member, near in members:
        rows = np.flatnonzero(member[table.sensor])
        if len(rows) < settings.min_picks:
            continue
        times = t_ns[rows]
        order = np.argsort(times, kind="stable")
        rows, times = rows[order], times[order]
        starts = np.union1d((times - halo_ns) // window_ns, times // window_ns)
        sensors = tuple(by_id[array.ids[k]] for k in np.flatnonzero(member))
        anchoring = tuple(bool(v) for v in near[member])
        for w in starts:
            start_ns, end_ns = int(w) * window_ns, (int(w) + 1) * window_ns
            low, high = np.searchsorted(times, [start_ns - halo_ns, end_ns + halo_ns])
            if high - low < settings.min_picks:
                continue
            sent = sorted(first[table.pick_ids[r]] for r in rows[low:high])
            cell = Cell(sector, start_ns, end_ns, len(sensors), len(sent))
            chosen = tuple(picks[i] for i in sent)
            jobs.append(CellJob(len(cells), cell, sensors, anchoring, chosen, settings))
            cells.append(cell)
    sectors = tuple(dict.fromkeys(c.sector for c in cells))
    windows = tuple(sorted({(c.start_ns, c.end_ns) for c in cells}))
    plan = Plan(window_s, halo, settings.reach_m, anchor_m, sectors, windows, tuple(cells))
    return plan, jobs


def _members(
    array: SensorArray, agreement: Agreement, reach_m: float, anchor_m: float
) -> list[tuple[str, NDArray[np.bool_], NDArray[np.bool_]]]:
    """For each sector (and ``(no sector)``): which sensors are within ``reach_m`` of it, and
    which within ``anchor_m``."""
    if not len(array):
        return []
    own = sector_index(agreement, array.lon, array.lat)
    areas = [s.area for s in agreement.sectors]
    bounds = np.array([array.lon.min(), array.lat.min(), array.lon.max(), array.lat.max()])
    if areas:
        b = np.array([a.bounds for a in areas])
        low = np.minimum(bounds[:2], b[:, :2].min(axis=0))
        high = np.maximum(bounds[2:], b[:, 2:].max(axis=0))
        bounds = np.concatenate([low, high])
    projection = LocalProjection.for_bounds(*(float(v) for v in bounds))

    def to_xy(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.column_stack(projection.to_xy(coords[:, 0], coords[:, 1]))

    x, y = projection.to_xy(array.lon, array.lat)
    points = shapely.points(x, y)
    reach, near = reach_m * PROJECTION_MARGIN, anchor_m * PROJECTION_MARGIN
    found = []
    for k, sector in enumerate(agreement.sectors):
        area = shapely.transform(sector.area, to_xy)
        found.append((str(sector.id), (own == k) | shapely.dwithin(area, points, reach),
                      (own == k) | shapely.dwithin(area, points, near)))  # fmt: skip
    outside = own < 0
    close = outside.copy()
    if areas:
        union = shapely.union_all([shapely.make_valid(shapely.transform(a, to_xy)) for a in areas])
        outside |= shapely.dwithin(shapely.boundary(union), points, reach)
        close |= shapely.dwithin(shapely.boundary(union), points, near)
    found.append((NO_SECTOR, outside, close))
    return found


def _first_versions(picks: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Pick id → index of its first record (the version fusion uses; later ones are repeats)."""
    first: dict[str, int] = {}
    for i, record in enumerate(picks):
        first.setdefault(str(record.get("pick_id", "")), i)
    return first
