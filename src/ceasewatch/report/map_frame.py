"""The frame around a map drawn in a local projection: view, graticule, scale bar and north
arrow.

Everything here works in the projection's metres (x east, y north) on a matplotlib Axes whose
aspect is 1, so distances on the page are true to scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from ceasewatch.model.geo import LocalProjection, geodesic_forward

NICE_KM = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000)
GRID_DEG = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)


@dataclass(frozen=True)
class View:
    """The part of the projected plane that the map shows."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def box(self) -> Polygon:
        return box(self.x0, self.y0, self.x1, self.y1)

    def inset(self, fraction: float) -> View:
        dx, dy = self.width * fraction, self.height * fraction
        return View(self.x0 + dx, self.y0 + dy, self.x1 - dx, self.y1 - dy)

    def lonlat_polygon(self, projection: LocalProjection) -> BaseGeometry:
        """The view as a lon/lat polygon (edges densified, since they curve in lon/lat)."""
        return projection.geometry_to_lonlat(self.box.segmentize(max(self.width, self.height) / 60))


def fit_view(bounds_xy: Sequence[float], aspect: float, margin: float = 0.04) -> View:
    """``bounds_xy`` with a margin, widened in one direction to the axes' width/height ratio."""
    x0, y0, x1, y1 = bounds_xy
    width = max(x1 - x0, 1000.0) * (1 + 2 * margin)
    height = max(y1 - y0, 1000.0) * (1 + 2 * margin)
    if width / height < aspect:
        width = height * aspect
    else:
        height = width / aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return View(cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


def _nice_step(span: float, wanted: int) -> float:
    return next((s for s in GRID_DEG if span / s <= wanted), GRID_DEG[-1])


def _degrees(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value >= 0 else negative
    return f"{abs(value):g}°{hemisphere}"


def draw_graticule(ax: Axes, view: View, projection: LocalProjection) -> None:
    """Meridians and parallels as thin lines, labelled where they leave the bottom and left."""
    lon, lat = view.lonlat_polygon(projection).exterior.xy
    lon_step = _nice_step(max(lon) - min(lon), 8)
    lat_step = _nice_step(max(lat) - min(lat), 7)
    meridians = np.arange(math.ceil(min(lon) / lon_step), math.floor(max(lon) / lon_step) + 1)
    parallels = np.arange(math.ceil(min(lat) / lat_step), math.floor(max(lat) / lat_step) + 1)
    lat_span = np.linspace(min(lat) - 1, max(lat) + 1, 200)
    lon_span = np.linspace(min(lon) - 1, max(lon) + 1, 200)
    xticks, xlabels, yticks, ylabels = [], [], [], []
    style: dict[str, Any] = {"color": "#8a8a8a", "linewidth": 0.35, "alpha": 0.7, "zorder": 1.5}
    for meridian in meridians * lon_step:
        x, y = projection.to_xy(np.full_like(lat_span, meridian), lat_span)
        ax.plot(x, y, **style)
        at = float(np.interp(view.y0, y, x))
        if y[0] < view.y0 < y[-1] and view.x0 <= at <= view.x1:
            xticks.append(at)
            xlabels.append(_degrees(round(meridian, 6), "E", "W"))
    for parallel in parallels * lat_step:
        x, y = projection.to_xy(lon_span, np.full_like(lon_span, parallel))
        ax.plot(x, y, **style)
        at = float(np.interp(view.x0, x, y))
        if x[0] < view.x0 < x[-1] and view.y0 <= at <= view.y1:
            yticks.append(at)
            ylabels.append(_degrees(round(parallel, 6), "N", "S"))
    ax.set_xticks(xticks, xlabels, fontsize=7, color="#444444")
    ax.set_yticks(yticks, ylabels, fontsize=7, color="#444444")
    ax.tick_params(length=3, width=0.5, color="#888888", pad=2)


def scale_bar_km(view: View, projection: LocalProjection) -> tuple[float, float, float, int]:
    """Where the scale bar starts (x, y), its length on the map in projected metres, and the
    round number of kilometres it stands for, measured on the ellipsoid at that latitude."""
    x, y = view.x0 + 0.03 * view.width, view.y0 + 0.045 * view.height
    target_km = 0.2 * view.width / 1000.0
    km = max((k for k in NICE_KM if k <= target_km), default=NICE_KM[0])
    lon, lat = projection.to_lonlat(x, y)
    lon_end, lat_end = geodesic_forward(lon, lat, 90.0, km * 1000.0)
    x_end, y_end = projection.to_xy(lon_end, lat_end)
    return x, y, float(math.hypot(x_end[0] - x, y_end[0] - y)), km


def draw_scale_bar(ax: Axes, view: View, projection: LocalProjection) -> Artist:
    """A bar of four alternating segments, labelled in km; returns its backing box."""
    x, y, length, km = scale_bar_km(view, projection)
    height = view.height * 0.008
    backing = ax.add_patch(
        Rectangle(
            (x - 0.01 * view.width, y - 0.025 * view.height),
            length + 0.04 * view.width,
            0.07 * view.height,
            facecolor="white",
            edgecolor="#999999",
            linewidth=0.4,
            alpha=0.85,
            zorder=20,
        )
    )
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (x + i * length / 4, y),
                length / 4,
                height,
                facecolor="#222222" if i % 2 == 0 else "white",
                edgecolor="#222222",
                linewidth=0.5,
                zorder=21,
            )
        )
    for fraction, text in ((0.0, "0"), (0.5, f"{km / 2:g}"), (1.0, f"{km:g} km")):
        ax.text(
            x + fraction * length,
            y + height * 1.6,
            text,
            fontsize=6.5,
            ha="center",
            va="bottom",
            zorder=22,
        )
    return backing


def draw_north_arrow(ax: Axes, view: View, projection: LocalProjection) -> Artist:
    """An arrow to true north (which leans away from the page's up where the cone converges)."""
    x, y = view.x1 - 0.035 * view.width, view.y1 - 0.13 * view.height
    lon, lat = projection.to_lonlat(x, y)
    x_n, y_n = projection.to_xy(lon, lat + 0.01)
    angle = math.atan2(x_n[0] - x, y_n[0] - y)
    size = 0.07 * view.height
    tip = (x + size * math.sin(angle), y + size * math.cos(angle))
    ax.annotate(
        "",
        xy=tip,
        xytext=(x, y),
        arrowprops={"arrowstyle": "-|>,head_width=0.35,head_length=0.8", "lw": 1.2, "color": "k"},
        zorder=22,
    )
    return ax.text(*tip, "N", ha="center", va="bottom", fontsize=9, fontweight="bold", zorder=22)
