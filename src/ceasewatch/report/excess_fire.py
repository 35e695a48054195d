"""Pictures of excess fire: a map of the cells and a daily series near the line and elsewhere.

Pure renderers: they take arrays and lines and write a PNG; the figures carry their source
credit (NASA FIRMS / LANCE) in the corner.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import NDArray
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from ceasewatch.fusion.excess_fire import CellDays

CREDIT = "Fire detections: NASA FIRMS / LANCE"
COLUMNS = ("lon", "lat", "cell", "date", "count", "expected", "p_excess", "excess", "near_line")
LINE_STYLES = (("#111111", "-"), ("#D55E00", "--"), ("#0072B2", ":"))


@dataclass(frozen=True)
class MapLine:
    label: str
    geometry: BaseGeometry


@lru_cache(maxsize=1)
def _oblasts() -> tuple[BaseGeometry, ...]:
    text = (
        resources.files("ceasewatch.data")
        .joinpath("basemap/ukraine-oblasts.geojson")
        .read_text(encoding="utf-8")
    )
    return tuple(shape(f["geometry"]) for f in json.loads(text)["features"])


def _draw_lines(ax: Axes, geometry: BaseGeometry, colour: str, style: str, label: str) -> None:
    parts = getattr(geometry, "geoms", [geometry])
    for k, part in enumerate(parts):
        if part.geom_type in ("Polygon",):
            part = part.exterior
        if not hasattr(part, "xy"):
            continue
        x, y = part.xy
        ax.plot(x, y, color=colour, linestyle=style, linewidth=1.4, label=label if k == 0 else None)


def draw_excess_map(
    path: Path,
    lon_deg: NDArray[np.float64],
    lat_deg: NDArray[np.float64],
    excess_days: NDArray[np.int64],
    lines: Sequence[MapLine],
    title: str,
) -> None:
    """Cells with at least one excess day, sized and coloured by how many, over the oblasts."""
    fig = Figure(figsize=(11, 7.5), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    for oblast in _oblasts():
        _draw_lines(ax, oblast.boundary, "#b0b0b0", "-", "")
    order = np.argsort(excess_days, kind="stable")
    shown = ax.scatter(
        lon_deg[order],
        lat_deg[order],
        c=np.log10(np.maximum(excess_days[order], 1)),
        s=4 + 3 * np.sqrt(excess_days[order]),
        cmap="inferno_r",
        marker="s",
        linewidths=0,
        alpha=0.85,
    )
    for k, line in enumerate(lines):
        colour, style = LINE_STYLES[k % len(LINE_STYLES)]
        _draw_lines(ax, line.geometry, colour, style, line.label)
    bar = fig.colorbar(shown, ax=ax, shrink=0.7)
    ticks = [t for t in (1, 3, 10, 30, 100) if t <= max(int(excess_days.max(initial=1)), 1)]
    bar.set_ticks([float(np.log10(t)) for t in ticks])
    bar.set_ticklabels([str(t) for t in ticks])
    bar.set_label("excess days in the cell")
    ax.set_aspect(1.0 / np.cos(np.radians(48.5)))
    ax.set_xlim(22.0, 40.5)
    ax.set_ylim(44.2, 52.5)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title(title)
    if lines:
        ax.legend(loc="lower left", fontsize=8)
    ax.text(0.99, 0.01, CREDIT, transform=ax.transAxes, ha="right", va="bottom", fontsize=7)
    fig.tight_layout()
    fig.savefig(path)


def draw_excess_series(
    path: Path,
    day: NDArray[np.int64],
    near: NDArray[np.float64],
    elsewhere: NDArray[np.float64],
    title: str,
    *,
    near_label: str = "within 10 km of the line",
    ylabel: str = "excess cells per day",
    extra: tuple[str, NDArray[np.float64]] | None = None,
) -> None:
    """Excess cells per day near the line and elsewhere; ``extra`` is a second series (e.g. an
    independent record of fighting) on a right-hand axis."""
    dates = day.astype("datetime64[D]")
    fig = Figure(figsize=(11, 4.5), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.plot(dates, near, color="#D55E00", linewidth=1.2, label=f"excess cells {near_label}")
    ax.plot(dates, elsewhere, color="#0072B2", linewidth=1.0, linestyle="--",
            label="excess cells elsewhere")  # fmt: skip
    ax.set_ylabel(ylabel)
    handles, labels = ax.get_legend_handles_labels()
    if extra is not None:
        twin = ax.twinx()
        twin.plot(dates, extra[1], color="#555555", linewidth=0.8, alpha=0.7, label=extra[0])
        twin.set_ylabel(extra[0])
        more = twin.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    ax.legend(handles, labels, loc="upper right", fontsize=8)
    ax.set_title(title)
    ax.text(0.01, 0.97, CREDIT, transform=ax.transAxes, ha="left", va="top", fontsize=7)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path)


def write_excess_csv(
    path: Path, cells: CellDays, flagged: NDArray[np.bool_], near: NDArray[np.bool_]
) -> None:
    """Every cell-day with fire: place, count, expected count, p_excess, and the two flags."""
    dates = cells.day.astype("datetime64[D]").astype(str)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for k in range(len(cells)):
            writer.writerow(
                (
                    f"{cells.lon_deg[k]:.4f}",
                    f"{cells.lat_deg[k]:.4f}",
                    f"{cells.ix[k]}:{cells.iy[k]}",
                    dates[k],
                    int(cells.count[k]),
                    f"{cells.expected[k]:.5f}",
                    f"{cells.p_excess[k]:.6f}",
                    int(flagged[k]),
                    int(near[k]),
                )
            )
