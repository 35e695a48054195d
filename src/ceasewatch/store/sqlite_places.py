"""The embedded store's places (``store/places.py``): a table of points and an R*Tree of them.

SQLite narrows a query with the R*Tree (a box around the circle or the polygon) and
:func:`~ceasewatch.store.places.answer_near` / :func:`~ceasewatch.store.places.answer_inside`
finish it with the same definitions PostGIS uses, so both stores give the same rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ceasewatch.fusion.results import ResultItem
from ceasewatch.store.places import (
    Found,
    Inside,
    Near,
    Place,
    answer_inside,
    answer_near,
    bbox_of_near,
    places_of,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS places (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL,
    item_id TEXT NOT NULL, t_ns INTEGER NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL,
    radius_m REAL NOT NULL, UNIQUE (run_id, kind, seq));
CREATE VIRTUAL TABLE IF NOT EXISTS places_box USING rtree(id, min_lon, max_lon, min_lat, max_lat);
"""


def add_places(con: sqlite3.Connection, run_id: str, items: Sequence[ResultItem]) -> None:
    con.executemany(
        "INSERT INTO places (run_id, kind, seq, item_id, t_ns, lon, lat, radius_m) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (run_id, p.kind, p.seq, p.item_id, p.t_ns, p.lon, p.lat, p.radius_m)
            for p in places_of(items)
        ],
    )
    con.execute(
        "INSERT INTO places_box SELECT id, lon, lon, lat, lat FROM places WHERE run_id = ?",
        (run_id,),
    )


def backfill(con: sqlite3.Connection) -> int:
    """Index the places of every kept run (a store made before places existed)."""
    runs = [r[0] for r in con.execute("SELECT run_id FROM result_runs ORDER BY run_id")]
    for run_id in runs:
        rows = con.execute(
            "SELECT kind, seq, item_id, body FROM result_items WHERE run_id = ?", (run_id,)
        ).fetchall()
        add_places(con, run_id, [ResultItem(*row) for row in rows])
    return len(runs)


def near(con: sqlite3.Connection, run_id: str, kinds: Sequence[str], query: Near) -> list[Found]:
    return answer_near(query, _in_box(con, run_id, kinds, bbox_of_near(query)))


def inside(
    con: sqlite3.Connection, run_id: str, kinds: Sequence[str], query: Inside
) -> list[Found]:
    west, south, east, north = query.shape().bounds
    return answer_inside(query, _in_box(con, run_id, kinds, (west, south, east, north)))


def _in_box(
    con: sqlite3.Connection,
    run_id: str,
    kinds: Sequence[str],
    box: tuple[float, float, float, float],
) -> list[Place]:
    west, south, east, north = box
    marks = ", ".join("?" * len(kinds))
    rows = con.execute(
        "SELECT p.kind, p.seq, p.item_id, p.t_ns, p.lon, p.lat, p.radius_m FROM places_box b "
        "JOIN places p ON p.id = b.id WHERE b.max_lon >= ? AND b.min_lon <= ? "
        f"AND b.max_lat >= ? AND b.min_lat <= ? AND p.run_id = ? AND p.kind IN ({marks})",
        (west, east, south, north, run_id, *kinds),
    ).fetchall()
    return [Place(*row) for row in rows]
