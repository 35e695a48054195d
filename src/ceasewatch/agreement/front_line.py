"""The line of contact of a past date, from a full DeepStateMap snapshot.

A full snapshot (``loc/deepstate-full-snapshots/``) holds every layer of the map that day:
occupied areas, ORDLO, Crimea, arrows, points. The line of contact is where the occupied land
meets the land Ukraine held. The snapshot's occupied polygons are closed by 2 km first (the
slivers between neighbouring polygons are drawing seams, not front), holes under 100 km² are
filled, Crimea and Sevastopol never count as held (their border with Kherson oblast is an
isthmus, not a front), and pieces under 5 km are dropped.

Excess fire of 2022 is measured against the line of 2022-04-03, the snapshot nearest the
invasion's first months in the shared data, rather than against today's line.
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from shapely.geometry import shape

from ceasewatch.agreement.line_read import oblasts
from ceasewatch.errors import InputError

SNAPSHOT_2022 = Path("loc/deepstate-full-snapshots/deepstate_20220403T123328Z_1648989208.geojson")
"""The full snapshot of 2022-04-03, relative to the shared data folder."""
OCCUPIED_WORDS = ("Окуповано", "Окуповані", "ОРДЛО", "Крим", "зайняті ворогом")
"""Words in a snapshot layer's name that mark it as occupied ground."""
CLOSE_DEG = 0.02  # about 2 km: seams between occupied polygons closed
HOLE_DEG2 = 0.012  # about 100 km² at 48° N: smaller holes filled
PIECE_DEG = 0.05  # about 5 km: shorter pieces of line dropped
NEVER_HELD = ("Crimea", "Sevastopol")


def front_from_snapshot(text: str, source: str) -> shapely.MultiLineString:
    """The line of contact a full snapshot draws (see the module), in lon/lat."""
    try:
        features = json.loads(text)["features"]
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(
            f"{source}: not a GeoJSON FeatureCollection ({error}). Fix: give a full "
            "DeepStateMap snapshot (loc/deepstate-full-snapshots/)"
        ) from None
    parts = [
        shape(f["geometry"]).buffer(0)
        for f in features
        if any(word in str((f.get("properties") or {}).get("name", "")) for word in OCCUPIED_WORDS)
        and (f.get("geometry") or {}).get("type") not in (None, "Point", "MultiPoint")
    ]
    if not parts:
        raise InputError(
            f"{source}: no occupied-area layer (names with {', '.join(OCCUPIED_WORDS[:3])}…). "
            "Fix: give a full snapshot, not the occupied-area monthly series"
        )
    closed = shapely.union_all(parts).buffer(CLOSE_DEG).buffer(-CLOSE_DEG)
    filled = shapely.union_all([
        shapely.Polygon(p.exterior, [h for h in p.interiors if shapely.Polygon(h).area > HOLE_DEG2])
        for p in getattr(closed, "geoms", [closed])
    ])  # fmt: skip
    regions = oblasts()
    land = shapely.union_all([geometry for _name, geometry in regions])
    occupied = filled.intersection(land)
    never = shapely.union_all([g for name, g in regions if name in NEVER_HELD])
    held = land.difference(occupied).difference(never)
    line = shapely.line_merge(occupied.boundary.intersection(held.buffer(0.005)))
    pieces = [g for g in getattr(line, "geoms", [line]) if g.length > PIECE_DEG]
    return shapely.MultiLineString(pieces)
