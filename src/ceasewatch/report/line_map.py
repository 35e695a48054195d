"""A map of the ground that changed hands between two control maps.

The old line is dashed grey, the new line solid black; each changed area is filled in the colour
of the party that gained it (Okabe–Ito, as every map of the project) and marked with a circle
whose size grows with its area, so a 1 km² change still shows on a map of the whole front. The
largest changes carry a label with their area and place.
"""

from __future__ import annotations

import math
from pathlib import Path

import shapely
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from ceasewatch.agreement.line_diff import LineDiff
from ceasewatch.report.figure_file import save_figure
from ceasewatch.report.map_style import (
    BACKGROUND,
    BASEMAP_EDGE,
    LAND,
    LINE,
    PARTY,
    line_segments,
    polygon_path,
)

LABELS = 8
"""How many of the largest changes are labelled."""
LABEL_GAP = 0.04  # of the map's height between two labels on one side (two lines of 7 pt)
MIN_RATIO = 0.8
"""Narrowest map drawn, width over height on the ground: room for the labels beside the line."""
OLD_LINE = "#7a7a7a"


def _front(occupied: BaseGeometry, country: BaseGeometry) -> BaseGeometry:
    """The occupied area's boundary inside the country (not the border, not the coast)."""
    return occupied.boundary.intersection(country.buffer(-0.02))


def draw_line_changes(
    diff: LineDiff,
    old: BaseGeometry,
    new: BaseGeometry,
    oblasts: tuple[tuple[str, BaseGeometry], ...],
    out: Path,
) -> Path:
    """Draw ``diff`` over the two lines (all lon/lat) and write a PNG or SVG to ``out``."""
    country = shapely.union_all([g for _n, g in oblasts]) if oblasts else box(*new.bounds)
    if diff.changes:
        focus = shapely.union_all([c.geometry for c in diff.changes]).envelope.buffer(0.3)
    else:
        focus = _front(new, country).envelope.buffer(0.3)
    min_lon, min_lat, max_lon, max_lat = focus.bounds
    squash = math.cos(math.radians((min_lat + max_lat) / 2.0))
    ratio = (max_lon - min_lon) * squash / max(max_lat - min_lat, 1e-6)
    if ratio < MIN_RATIO:  # a front running north-south: widen, so labels have room
        grow = (MIN_RATIO / ratio - 1.0) * (max_lon - min_lon) / 2.0
        min_lon, max_lon, ratio = min_lon - grow, max_lon + grow, MIN_RATIO
    figure = Figure(figsize=(min(max(8.0 * ratio, 7.0), 12.0) + 1.0, 8.5), layout="constrained")
    axes = figure.add_subplot()
    axes.set_facecolor(BACKGROUND)
    axes.set_aspect(1.0 / squash)
    for _name, geometry in oblasts:
        path = polygon_path(geometry)
        if path is not None:
            axes.add_patch(PathPatch(path, facecolor=LAND, edgecolor=BASEMAP_EDGE, lw=0.5))
    occupied = polygon_path(new)
    if occupied is not None:
        axes.add_patch(PathPatch(occupied, facecolor="#00000010", edgecolor="none"))
    axes.add_collection(
        LineCollection(
            line_segments(_front(old, country)), colors=OLD_LINE, linewidths=1.2, linestyles="--"
        )
    )
    axes.add_collection(
        LineCollection(line_segments(_front(new, country)), colors=LINE, linewidths=1.4)
    )
    colour = {diff.occupier: PARTY[1], diff.other: PARTY[0]}
    for change in diff.changes:
        path = polygon_path(change.geometry)
        if path is not None:
            axes.add_patch(
                PathPatch(path, facecolor=colour[change.party_gained], edgecolor="#333333", lw=0.4)
            )
        axes.scatter(
            [change.lon],
            [change.lat],
            s=12.0 + 6.0 * math.sqrt(change.area_km2),
            facecolors="none",
            edgecolors=colour[change.party_gained],
            linewidths=1.0,
            zorder=4,
        )
    middle = (min_lon + max_lon) / 2.0
    gap = (max_lat - min_lat) * LABEL_GAP
    lowest = {True: math.inf, False: math.inf}  # per side: the lowest label placed so far
    for change in sorted(diff.changes[:LABELS], key=lambda c: -c.lat):
        where = f"\n{change.place}" if change.place else ""
        east = change.lon > middle  # labels point inwards, so none runs past the frame
        y = min(change.lat + gap / 3.0, lowest[east] - gap)  # below the one above, never on it
        lowest[east] = y
        nudge = (max_lon - min_lon) * 0.02
        axes.annotate(
            f"{change.area_km2:.0f} km²{where}",
            (change.lon, change.lat),
            xytext=(change.lon - nudge if east else change.lon + nudge, y),
            ha="right" if east else "left",
            va="center",
            fontsize=7,
            zorder=5,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
            arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 0.5},
        )
    axes.set_xlim(min_lon, max_lon)
    axes.set_ylim(min_lat, max_lat)
    axes.set_xlabel("longitude (°E)")
    axes.set_ylabel("latitude (°N)")
    gained = diff.occupier_gained.reported_km2
    lost = diff.other_gained.reported_km2
    axes.set_title(
        f"Ground that changed hands {diff.t_from or 'old'} → {diff.t_to or 'new'}:\n"
        f"{diff.occupier} +{gained:.0f} km², {diff.other} +{lost:.0f} km² "
        f"({len(diff.changes)} areas ≥ {diff.min_area_km2:g} km²)",
        fontsize=9,
    )
    axes.legend(
        handles=[
            Line2D([], [], color=OLD_LINE, ls="--", label=f"line {diff.t_from or 'old'}"),
            Line2D([], [], color=LINE, label=f"line {diff.t_to or 'new'}"),
            Patch(color=PARTY[1], label=f"gained by {diff.occupier}"),
            Patch(color=PARTY[0], label=f"gained by {diff.other}"),
        ],
        loc="lower left",
        fontsize=8,
    )
    figure.text(
        0.01, 0.005, "Control maps: DeepStateMap via cyterat/deepstate-map-data", fontsize=6
    )
    return save_figure(figure, out, salt=f"line-diff-{diff.t_from}-{diff.t_to}", dpi=110)
