"""Labels that do not pile up: each goes to the first of its candidate places that covers no
label, marker or line placed before it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import product
from typing import Any, Literal

import shapely
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

Offset = tuple[float, float, Literal["left", "center", "right"], Literal["bottom", "center", "top"]]
"""Where a label goes from its anchor: dx, dy in points, horizontal and vertical alignment."""
HALO = [patheffects.withStroke(linewidth=2.4, foreground="white")]
EDGE = {"left": 0.0, "bottom": 0.0, "center": 0.5, "right": 1.0, "top": 1.0}


class LabelPlacer:
    """Places labels at the first candidate position that overlaps nothing placed before.

    Positions are tried in order; a label that fits nowhere is dropped if optional, or kept at
    its least-crowded position if required. ``avoid`` geometries (projected metres, e.g. the
    line itself) count as obstacles too, unless a label may sit on them (``on_avoid``).
    """

    def __init__(self, ax: Axes, renderer: RendererBase, avoid: Sequence[BaseGeometry]) -> None:
        self.ax = ax
        self.renderer = renderer
        self.fixed: list[Bbox] = []  # markers, scale bar, north arrow
        self.labels: dict[int, Bbox] = {}  # placed labels by id(label)
        self.avoid = shapely.union_all(list(avoid)) if avoid else None
        if self.avoid is not None:
            shapely.prepare(self.avoid)

    def block(self, artist: Artist) -> None:
        self.fixed.append(artist.get_window_extent(self.renderer))

    def _dot(self, x: float, y: float, radius_px: float) -> Bbox:
        px, py = self.ax.transData.transform((x, y))
        return Bbox.from_extents(px - radius_px, py - radius_px, px + radius_px, py + radius_px)

    def is_free(self, x: float, y: float, radius_px: float) -> bool:
        return self._crowding(self._dot(x, y, radius_px), on_avoid=True) == 0.0

    def block_point(self, x: float, y: float, radius_px: float = 4.0) -> None:
        self.fixed.append(self._dot(x, y, radius_px))

    def distance_px(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        """How far apart two points (projected metres) are on the page, in pixels."""
        (ax_, ay), (bx, by) = self.ax.transData.transform([a, b])
        return float(math.hypot(bx - ax_, by - ay))

    def size_px(self, geometry: BaseGeometry) -> float:
        """The larger side of ``geometry``'s bounding box on the page, in pixels."""
        x0, y0, x1, y1 = geometry.bounds
        (px0, py0), (px1, py1) = self.ax.transData.transform([(x0, y0), (x1, y1)])
        return float(max(abs(px1 - px0), abs(py1 - py0)))

    def unplace(self, label: Annotation) -> None:
        self.labels.pop(id(label), None)
        label.remove()

    def place(
        self,
        anchors: Sequence[tuple[float, float]],
        text: str,
        offsets: Sequence[Offset],
        *,
        required: bool,
        on_avoid: bool = False,
        keep_off: BaseGeometry | None = None,
        nearest: bool = False,
        **style: Any,
    ) -> Annotation | None:
        """Label ``text`` at the first free (anchor, offset): anchor by anchor, or offset by
        offset if ``nearest`` (the shortest leader anywhere). ``keep_off`` (prepared, projected
        metres) is more to stay clear of, for this label alone."""
        if not anchors:
            return None
        label = self.ax.annotate(
            text,
            anchors[0],
            xytext=offsets[0][:2],
            textcoords="offset points",
            path_effects=HALO,
            annotation_clip=False,
            **style,
        )
        best: tuple[float, tuple[float, float], Offset] | None = None
        tries = [(a, o) for o in offsets for a in anchors] if nearest else product(anchors, offsets)
        for anchor, offset in tries:
            extent = self._try(label, anchor, offset)
            crowding = self._crowding(extent, on_avoid=on_avoid)
            if keep_off is not None and crowding == 0.0 and self._hits(extent, keep_off):
                crowding = 0.25 * extent.width * extent.height
            if best is None or crowding < best[0]:
                best = (crowding, anchor, offset)
            if crowding == 0.0:
                break
        assert best is not None
        if best[0] > 0.0 and not required:
            label.remove()
            return None
        self.labels[id(label)] = self._try(label, best[1], best[2])
        return label

    def _try(
        self,
        label: Annotation,
        anchor: tuple[float, float],
        offset: Offset,
    ) -> Bbox:
        """Move the label to a candidate position; return its extent (without any leader)."""
        label.xy = anchor
        label.xyann = offset[:2]
        label.set_horizontalalignment(offset[2])
        label.set_verticalalignment(offset[3])
        if label.arrowprops is not None:  # the leader starts at the text's edge nearest the anchor
            label.arrowprops["relpos"] = (EDGE[offset[2]], EDGE[offset[3]])
        label.update_positions(self.renderer)
        return Text.get_window_extent(label, self.renderer).padded(1.5)

    def _crowding(self, extent: Bbox, *, on_avoid: bool) -> float:
        """0 where the extent is free; more the more it covers other labels or the line."""
        frame = self.ax.bbox
        inside = frame.x0 <= extent.x0 and extent.x1 <= frame.x1
        if not (inside and frame.y0 <= extent.y0 and extent.y1 <= frame.y1):
            return 1e9
        total = 0.0
        for other in (*self.fixed, *self.labels.values()):
            w = min(extent.x1, other.x1) - max(extent.x0, other.x0)
            h = min(extent.y1, other.y1) - max(extent.y0, other.y0)
            if w > 0 and h > 0:
                total += w * h
        if self.avoid is not None and not on_avoid and self._hits(extent, self.avoid):
            total += 0.5 * extent.width * extent.height
        return total

    def _hits(self, extent: Bbox, geometry: BaseGeometry) -> bool:
        (x0, y0), (x1, y1) = self.ax.transData.inverted().transform(
            [(extent.x0, extent.y0), (extent.x1, extent.y1)]
        )
        return bool(geometry.intersects(box(x0, y0, x1, y1)))
