"""Coverage along the line on the report's map: each 10 km stretch of the main line coloured by
the share of it fire-detecting sensors could observe over the report's window, on one
sequential scale (a colour bar explains it), and the blind stretches (under
:data:`BLIND_BELOW`) drawn broken, so they read as gaps in a grey print too.

The violations stay on top (they are drawn above everything here, at z-order 30).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import Colormap, LinearSegmentedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from ceasewatch.adjudication.sectors import PARTLY
from ceasewatch.model.geo import LocalProjection
from ceasewatch.report.daily_types import LineSegmentCoverage
from ceasewatch.report.map_style import Symbol

BLIND_BELOW = PARTLY  # as the sectors' "not observable": under a fifth observed
SCALE: Colormap = LinearSegmentedColormap.from_list(
    "observable", colormaps["RdPu_r"](np.linspace(0.0, 0.93, 64))
)  # ColorBrewer RdPu, sequential: dark purple (nothing observed) to near white (all)
CASING = "#111111"
WIDTH_PT = 3.6
CASING_PT = WIDTH_PT + 1.6
GAP_PT = WIDTH_PT * 0.45
BLIND_GAP = "white"
BLIND_DASHES = (0.0, (2.0, 2.0))
HALO = (0.97, 0.41, 0.63, 0.8)  # RdPu's pink, nearly opaque: a highlighter under blind stretches
HALO_PT = 12.0
TITLE = "observable share of the line, per 10 km"
BLIND_TEXT = f"blind stretch: under {BLIND_BELOW:.0%} observable (broken, highlighted)"
Z = 12.5  # above the plain line (12), under labels and violations (30+)


def draw_line_coverage(
    ax: Axes, segments: Sequence[LineSegmentCoverage], projection: LocalProjection
) -> list[tuple[Symbol, str]]:
    """Draw ``segments`` and the colour bar; return legend entries (none without segments)."""
    if not segments:
        return []
    lines = [_xy(s, projection) for s in segments]
    shares = np.array([s.observable for s in segments])
    _stroke(ax, lines, Z, colors=CASING, linewidths=CASING_PT)
    _stroke(ax, lines, Z + 0.1, colors=SCALE(np.clip(shares, 0.0, 1.0)), linewidths=WIDTH_PT)
    blind = [line for line, share in zip(lines, shares, strict=True) if share < BLIND_BELOW]
    if blind:
        _stroke(ax, blind, Z - 0.1, colors=[HALO], linewidths=HALO_PT)
        _stroke(ax, blind, Z + 0.2, colors=BLIND_GAP, linewidths=GAP_PT, linestyles=BLIND_DASHES)
    _colour_bar(ax, max(s.hours for s in segments))
    entries: list[tuple[Symbol, str]] = [
        (_symbol(0.5), "line of contact, coloured by observable share (scale lower left)")
    ]
    if blind:
        entries.append((_symbol(0.0, blind=True), BLIND_TEXT))
    return entries


def measured_km(segments: Sequence[LineSegmentCoverage]) -> float:
    """How much line the segments cover, in km."""
    return sum(s.to_km - s.from_km for s in segments)


def _stroke(ax: Axes, lines: list[np.ndarray], zorder: float, **style: Any) -> None:
    collection = LineCollection(lines, zorder=zorder, capstyle="butt", joinstyle="round", **style)
    ax.add_collection(collection, autolim=False)


def _xy(segment: LineSegmentCoverage, projection: LocalProjection) -> np.ndarray:
    lon = np.array([v[0] for v in segment.vertices])
    lat = np.array([v[1] for v in segment.vertices])
    x, y = projection.to_xy(lon, lat)
    return np.column_stack([x, y])


def _symbol(share: float, blind: bool = False) -> Symbol:
    parts: list[Artist] = [
        Line2D([], [], color=CASING, lw=CASING_PT),
        Line2D([], [], color=SCALE(share), lw=WIDTH_PT),
    ]
    if blind:
        parts.insert(0, Line2D([], [], color=HALO, lw=HALO_PT * 0.7))
        parts.append(Line2D([], [], color=BLIND_GAP, lw=GAP_PT, ls=BLIND_DASHES))
    return tuple(parts)


def _colour_bar(ax: Axes, hours: int) -> None:
    """A horizontal colour bar on a white card in the map's lower left, over the scale bar; the
    blind range marked."""
    ax.add_patch(
        Rectangle((0.006, 0.105), 0.3, 0.133, transform=ax.transAxes, facecolor="white",
                  edgecolor="#999999", linewidth=0.4, alpha=0.92, zorder=39)
    )  # fmt: skip
    bar = ax.inset_axes((0.016, 0.147, 0.27, 0.032))
    bar.set_zorder(40)
    bar.imshow(np.linspace(0.0, 1.0, 256)[None, :], aspect="auto", cmap=SCALE,
               extent=(0.0, 1.0, 0.0, 1.0), interpolation="nearest")  # fmt: skip
    bar.axvline(BLIND_BELOW, color="black", lw=0.8)
    bar.set_xlim(0.0, 1.0)
    bar.set_xticks([0.0, BLIND_BELOW, 0.5, 0.8, 1.0], ["0", "20%", "50%", "80%", "100%"])
    bar.set_yticks([])
    bar.tick_params(labelsize=6.5, length=2, pad=1)
    bar.set_title(f"{TITLE}\n(fire-detecting sensors, mean of {hours} h)", fontsize=7, pad=3,
                  loc="left", fontweight="bold", linespacing=1.2)  # fmt: skip
    bar.text(BLIND_BELOW / 2, 0.5, "blind", color="white", fontsize=6, ha="center",
             va="center", fontweight="bold")  # fmt: skip
    for spine in bar.spines.values():
        spine.set_linewidth(0.4)
