"""Where each label of an agreement map goes: candidate anchors per kind of layer, placed in
ORDER (labels with one possible place first, the line's with a leader, reference towns last and
only where there is room)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from matplotlib.axes import Axes
from shapely.geometry import GeometryCollection, LineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points, polylabel

from ceasewatch.model.geo import LocalProjection
from ceasewatch.model.places import Settlement
from ceasewatch.report.map_frame import View
from ceasewatch.report.map_model import Kind, Layer
from ceasewatch.report.map_placer import LabelPlacer, Offset
from ceasewatch.report.map_style import PLACE, label_style

# Offsets in points with alignment: right, left, above, below, then the four corners.
AROUND: tuple[Offset, ...] = (
    (5.0, 0.0, "left", "center"),
    (-5.0, 0.0, "right", "center"),
    (0.0, 5.0, "center", "bottom"),
    (0.0, -5.0, "center", "top"),
    (5.0, 4.0, "left", "bottom"),
    (-5.0, 4.0, "right", "bottom"),
    (5.0, -4.0, "left", "top"),
    (-5.0, -4.0, "right", "top"),
)
FAR_AROUND: tuple[Offset, ...] = tuple((dx * 2.5, dy * 2.5, ha, va) for dx, dy, ha, va in AROUND)
ON: tuple[Offset, ...] = ((0.0, 0.0, "center", "center"),)
NEIGHBOUR_PX = 30.0  # a town this close to a larger one on the page is not shown
SMALL_PX = 40.0  # an area smaller than this on the page is labelled beside it, not inside
BESIDE_LINE: tuple[Offset, ...] = tuple(
    (dx * k, dy * k, ha, va) for k in (5.0, 9.0, 14.0, 20.0, 28.0) for dx, dy, ha, va in AROUND
)
LEADER = {"arrowstyle": "-", "lw": 0.6, "color": "#111111", "shrinkA": 1, "shrinkB": 0}
FRACTIONS = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82)
ORDER = (Kind.SITE, Kind.HUB, Kind.AREA_ZONE, Kind.LINE, Kind.WITHDRAWAL, Kind.SECTOR, Kind.PARTY)
BANDS = (Kind.LINE, Kind.BAND_ZONE, Kind.WITHDRAWAL)
REQUIRED = {Kind.LINE, Kind.SITE, Kind.HUB, Kind.AREA_ZONE, Kind.SECTOR}


def interior_points(
    geometry: BaseGeometry, view: View, count: int = 8
) -> list[tuple[float, float]]:
    """Good places for a name inside an area: its pole of inaccessibility in view, then other
    points of a grid, deepest inside first."""
    visible = geometry.intersection(view.box)
    parts = [p for p in getattr(visible, "geoms", [visible]) if p.geom_type == "Polygon"]
    if not parts:
        return []
    part = max(parts, key=lambda p: p.area)
    pole = polylabel(part, tolerance=max(math.sqrt(part.area) / 60, 1.0))
    x0, y0, x1, y1 = part.bounds
    grid_x, grid_y = np.meshgrid(np.linspace(x0, x1, 9)[1:-1], np.linspace(y0, y1, 9)[1:-1])
    gx, gy = grid_x.ravel(), grid_y.ravel()
    inside = shapely.contains_xy(part, gx, gy)
    depth = shapely.distance(part.exterior, shapely.points(gx[inside], gy[inside]))
    order = np.argsort(-depth)[: count - 1]
    return [(pole.x, pole.y)] + [(float(gx[inside][i]), float(gy[inside][i])) for i in order]


def along(line: BaseGeometry, view: View) -> list[tuple[float, float]]:
    """Points along the longest visible piece of a line, from its middle outwards."""
    visible = line.intersection(view.box)
    pieces = [g for g in getattr(visible, "geoms", [visible]) if isinstance(g, LineString)]
    if not pieces:
        return []
    piece = max(pieces, key=lambda g: g.length)
    return [(p.x, p.y) for p in (piece.interpolate(f, normalized=True) for f in FRACTIONS)]


def _longest(line: BaseGeometry) -> LineString | None:
    pieces = [g for g in getattr(line, "geoms", [line]) if isinstance(g, LineString)]
    return max(pieces, key=lambda g: g.length) if pieces else None


def rung(
    outline: BaseGeometry, piece: LineString, distance_m: float, side: int, fraction: float
) -> tuple[float, float] | None:
    """The point of a withdrawal outline straight across from the point of the line at
    ``fraction`` of its length (on the left for side +1), or None where the outline bends away."""
    a = piece.interpolate(max(fraction - 0.01, 0.0), normalized=True)
    b = piece.interpolate(min(fraction + 0.01, 1.0), normalized=True)
    middle = piece.interpolate(fraction, normalized=True)
    norm = math.hypot(b.x - a.x, b.y - a.y) or 1.0
    target = Point(
        middle.x - side * (b.y - a.y) / norm * distance_m,
        middle.y + side * (b.x - a.x) / norm * distance_m,
    )
    snapped = nearest_points(outline, target)[0]
    return (snapped.x, snapped.y) if snapped.distance(target) < 0.3 * distance_m else None


def place_labels(
    placer: LabelPlacer, view: View, layers: Sequence[tuple[Layer, BaseGeometry]]
) -> None:
    """Label every layer that has a label, in ORDER: those with one possible place first."""
    lines = {layer.key.removeprefix("line/"): xy for layer, xy in layers if layer.kind is Kind.LINE}
    banded = GeometryCollection(
        [xy.boundary if ly.kind is Kind.BAND_ZONE else xy for ly, xy in layers if ly.kind in BANDS]
    )
    shapely.prepare(banded)
    for kind in ORDER:
        chosen = [(ly, xy) for ly, xy in layers if ly.kind is kind and ly.label and not xy.is_empty]
        if kind is Kind.WITHDRAWAL:
            _place_ladders(placer, view, chosen, lines)
            continue
        for layer, xy in chosen:
            anchors, offsets = _candidates(layer, xy, view, placer.size_px(xy) < SMALL_PX)
            style = label_style(layer)
            if kind is Kind.LINE:  # outside the bands, with a leader to the line
                style.update(
                    arrowprops=LEADER, multialignment="center", keep_off=banded, nearest=True
                )
            placer.place(anchors, layer.label, offsets, required=kind in REQUIRED, **style)


def _place_ladders(
    placer: LabelPlacer,
    view: View,
    outlines: Sequence[tuple[Layer, BaseGeometry]],
    lines: dict[str, BaseGeometry],
) -> None:
    """The distance labels of one side of a line in a row across it, where a row fits; else
    each on its own outline wherever there is room."""
    groups: dict[tuple[str, int], list[tuple[Layer, BaseGeometry]]] = {}
    for layer, xy in sorted(outlines, key=lambda item: item[0].width_m):
        groups.setdefault((layer.line, layer.side), []).append((layer, xy))
    for (line_id, side), group in groups.items():
        piece = _longest(lines[line_id].intersection(view.box)) if line_id in lines else None
        if piece is not None and _place_row(placer, group, piece, side):
            continue
        for layer, xy in group:
            style = label_style(layer)
            placer.place(along(xy, view), layer.label, ON, required=False, on_avoid=True, **style)


def _place_row(
    placer: LabelPlacer, group: list[tuple[Layer, BaseGeometry]], piece: LineString, side: int
) -> bool:
    """Try the fractions along the line in turn until every label of the row fits."""
    for fraction in FRACTIONS:
        found = [rung(xy, piece, layer.width_m, side, fraction) for layer, xy in group]
        points = [p for p in found if p is not None]
        if len(points) < len(group):
            continue
        placed = []
        for (layer, _xy), point in zip(group, points, strict=True):
            label = placer.place(
                [point], layer.label, ON, required=False, on_avoid=True, **label_style(layer)
            )
            if label is None:
                break
            placed.append(label)
        if len(placed) == len(group):
            return True
        for label in placed:
            placer.unplace(label)
    return False


def _candidates(
    layer: Layer, xy: BaseGeometry, view: View, small: bool = False
) -> tuple[list[tuple[float, float]], Sequence[Offset]]:
    if layer.kind is Kind.LINE:
        return along(xy, view), BESIDE_LINE
    if layer.kind in (Kind.SITE, Kind.HUB):
        inside = view.box.contains(xy)
        return ([(xy.x, xy.y)] if inside else []), AROUND + FAR_AROUND
    if layer.kind is Kind.AREA_ZONE and small:  # a dot on the map: name it beside the dot
        point = xy.representative_point()
        return [(point.x, point.y)], AROUND + FAR_AROUND
    return interior_points(xy, view, 16), ON


def place_places(
    placer: LabelPlacer,
    ax: Axes,
    settlements: Sequence[Settlement],
    projection: LocalProjection,
    limit: int,
) -> int:
    """Dots and names of reference settlements, largest first, skipping any that would crowd
    and any next to a larger one (a district of a city is no reference when the city is not)."""
    drawn = 0
    seen: list[tuple[float, float]] = []
    for settlement in settlements:
        if drawn >= limit:
            break
        x, y = (float(v[0]) for v in projection.to_xy(settlement.lon, settlement.lat))
        near = any(placer.distance_px((x, y), other) < NEIGHBOUR_PX for other in seen)
        seen.append((x, y))
        if near or not placer.is_free(x, y, 3.0):
            continue
        label = placer.place(
            [(x, y)],
            settlement.name,
            AROUND[:4],
            required=False,
            fontsize=6.5,
            color=PLACE,
            zorder=29,
        )
        if label is not None:
            ax.plot(x, y, "o", ms=3, mfc=PLACE, mec="white", mew=0.4, zorder=15)
            placer.block_point(x, y, 3.0)
            drawn += 1
    return drawn
