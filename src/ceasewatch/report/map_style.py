"""How each kind of map layer looks, and the legend symbol that explains it.

Colours follow the Okabe–Ito palette (safe for the common colour-vision deficiencies) and never
tell two things apart by red against green alone; every kind also differs in line style or
marker, so a grey print still reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

from ceasewatch.report.map_model import Kind, Layer

BACKGROUND = "#e3eaf0"  # sea and anything beyond the basemap
LAND = "#fafaf7"
BASEMAP_EDGE = "#a8a8a8"
PARTY = ("#0072B2", "#E69F00", "#CC79A7", "#009E73", "#56B4E9", "#D55E00")
BAND = ("#009E73", "#00624A", "#004D40", "#8C6D31")
AREA_ZONE = ("#8C510A", "#C51B7D", "#01665E", "#2166AC", "#7B3294", "#B35806")
WITHDRAWAL = "#5E3C99"
WITHDRAWAL_DASHES = ((1.2, 1.6), (5.0, 2.5), (9.0, 2.5, 2.0, 2.5), (12.0, 4.0), (2.0, 4.0))
LINE = "#111111"
LINE_WIDTH_PT = 2.4
SECTOR = "#505050"
SECTOR_DASHES = (0.0, (4.0, 3.0))
HUB = "#08519C"
SITE = "#C8102E"
PLACE = "#222222"


def _cycle(colours: Sequence[str], rank: int) -> str:
    return colours[rank % len(colours)]


def dashes(rank: int) -> tuple[float, tuple[float, ...]]:
    return (0.0, WITHDRAWAL_DASHES[rank % len(WITHDRAWAL_DASHES)])


def band_colour(layer: Layer) -> tuple[float, float, float, float]:
    """Bands on both sides in teal (narrower ones darker); one side's bands in that party's
    colour, strongest nearest the line."""
    if layer.party_rank >= 0:
        alpha = (0.62, 0.42, 0.26, 0.16)[min(layer.rank, 3)]
        return to_rgba(_cycle(PARTY, layer.party_rank), alpha)
    return to_rgba(_cycle(BAND, layer.rank), 0.6 + 0.15 * min(layer.rank, 2))


def polygon_path(geometry: BaseGeometry) -> MplPath | None:
    """A compound matplotlib path of every polygon in ``geometry`` (holes included)."""
    vertices, codes = [], []
    for part in _parts(geometry, "Polygon"):
        for ring in (part.exterior, *part.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 4:
                continue
            ring_codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            ring_codes[0], ring_codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            vertices.append(xy)
            codes.append(ring_codes)
    if not vertices:
        return None
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def line_segments(geometry: BaseGeometry) -> list[np.ndarray]:
    """Every line of ``geometry`` (polygon rings included) as an array of x, y."""
    lines = [np.asarray(g.coords)[:, :2] for g in _parts(geometry, "LineString")]
    for part in _parts(geometry, "Polygon"):
        lines += [np.asarray(r.coords)[:, :2] for r in (part.exterior, *part.interiors)]
    return [line for line in lines if len(line) >= 2]


def _parts(geometry: BaseGeometry, kind: str) -> list[BaseGeometry]:
    if geometry.is_empty:
        return []
    if hasattr(geometry, "geoms"):
        return [p for g in geometry.geoms for p in _parts(g, kind)]
    return (
        [geometry]
        if geometry.geom_type in (kind, "LinearRing" if kind == "LineString" else "")
        else []
    )


def fill(ax: Axes, geometry: BaseGeometry, zorder: float, **style: Any) -> None:
    """Fill polygons (add_artist: the view is set already, and data limits are slow to update)."""
    path = polygon_path(geometry)
    if path is not None:
        ax.add_artist(PathPatch(path, zorder=zorder, **style))


def stroke(ax: Axes, geometry: BaseGeometry, zorder: float, **style: Any) -> None:
    segments = line_segments(geometry)
    if segments:
        ax.add_collection(LineCollection(segments, zorder=zorder, **style), autolim=False)


Symbol = Artist | tuple[Artist, ...]


def draw_layer(ax: Axes, layer: Layer, xy: BaseGeometry) -> Symbol | None:
    """Draw one layer (geometry already projected); return the legend symbol for it."""
    rank = layer.rank
    if layer.kind is Kind.PARTY:
        colour = _cycle(PARTY, rank)
        fill(ax, xy, 2, facecolor=to_rgba(colour, 0.22), edgecolor=to_rgba(colour, 0.8), lw=0.6)
        return Patch(facecolor=to_rgba(colour, 0.22), edgecolor=colour, lw=0.6)
    if layer.kind is Kind.AREA_ZONE:
        colour = _cycle(AREA_ZONE, rank)
        style: dict[str, Any] = {
            "facecolor": to_rgba(colour, 0.12),
            "edgecolor": colour,
            "hatch": "////",
            "lw": 1.1,
        }
        fill(ax, xy, 3, **style)
        return Patch(**style)
    if layer.kind is Kind.BAND_ZONE:
        tint = band_colour(layer)
        fill(ax, xy, 4 + rank * 0.01, facecolor=tint, edgecolor="none")
        return Patch(facecolor=tint, edgecolor="none")
    if layer.kind is Kind.SECTOR:
        stroke(ax, xy, 5, colors=SECTOR, linewidths=0.6, linestyles=SECTOR_DASHES)
        return Line2D([], [], color=SECTOR, lw=0.6, ls=SECTOR_DASHES)
    if layer.kind is Kind.WITHDRAWAL:
        stroke(ax, xy, 6, colors=WITHDRAWAL, linewidths=1.1, linestyles=dashes(rank))
        return Line2D([], [], color=WITHDRAWAL, lw=1.1, ls=dashes(rank))
    if layer.kind is Kind.HUB_RING:
        stroke(ax, xy, 6, colors=HUB, linewidths=0.9, linestyles=(0, (1.0, 2.0)))
        return Line2D([], [], color=HUB, lw=0.9, ls=(0, (1.0, 2.0)))
    if layer.kind is Kind.LINE:
        stroke(ax, xy, 12, colors=LINE, linewidths=LINE_WIDTH_PT, capstyle="round")
        return Line2D([], [], color=LINE, lw=LINE_WIDTH_PT)
    if layer.kind is Kind.SITE_RADIUS:
        fill(ax, xy, 13, facecolor=to_rgba(SITE, 0.25), edgecolor=SITE, lw=0.8)
        return None
    if layer.kind is Kind.SITE:
        ax.plot(xy.x, xy.y, "X", ms=7, mfc=SITE, mec="white", mew=0.7, zorder=14)
        marker = Line2D([], [], marker="X", ms=7, mfc=SITE, mec="white", lw=0, mew=0.7)
        return (Patch(facecolor=to_rgba(SITE, 0.25), edgecolor=SITE, lw=0.8), marker)
    if layer.kind is Kind.HUB:
        ax.plot(xy.x, xy.y, "^", ms=8, mfc=HUB, mec="white", mew=0.8, zorder=14)
        return Line2D([], [], marker="^", ms=8, mfc=HUB, mec="white", mew=0.8, lw=0)
    raise ValueError(f"no style for layer kind {layer.kind}")


def mark_speck(ax: Axes, layer: Layer, xy: BaseGeometry) -> None:
    """A square where an area zone is too small to see at the map's scale."""
    center = xy.representative_point()
    colour = _cycle(AREA_ZONE, layer.rank)
    ax.plot(
        center.x, center.y, "s", ms=5, mfc=to_rgba(colour, 0.3), mec=colour, mew=1.0, zorder=3.1
    )


def basemap_symbol() -> Artist:
    return Patch(facecolor=LAND, edgecolor=BASEMAP_EDGE, lw=0.5)


def place_symbol() -> Artist:
    return Line2D([], [], marker="o", ms=3, mfc=PLACE, mec="white", mew=0.4, lw=0)


LABEL_STYLE: dict[Kind, dict[str, Any]] = {
    Kind.LINE: {"fontsize": 8, "fontweight": "bold", "color": LINE, "linespacing": 1.1},
    Kind.SITE: {"fontsize": 7, "fontweight": "bold", "color": SITE},
    Kind.HUB: {"fontsize": 7, "color": HUB},
    Kind.AREA_ZONE: {"fontsize": 8, "fontweight": "bold"},
    Kind.WITHDRAWAL: {"fontsize": 6.5, "color": WITHDRAWAL},
    Kind.SECTOR: {"fontsize": 7, "fontstyle": "italic", "color": SECTOR},
    Kind.PARTY: {"fontsize": 11, "fontweight": "bold", "alpha": 0.75},
}


def label_style(layer: Layer) -> dict[str, Any]:
    style = {"zorder": 30, **LABEL_STYLE.get(layer.kind, {})}
    if layer.kind is Kind.AREA_ZONE:
        style["color"] = _cycle(AREA_ZONE, layer.rank)
    if layer.kind is Kind.PARTY:
        style["color"] = _cycle(PARTY, layer.rank)
    return style
