"""The server store's places (``store/places.py``) in PostGIS: a geography point per kept result,
in monthly partitions, with GiST indexes on the geography (distances) and on its geometry
(areas), so both kinds of question are answered from an index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ceasewatch.fusion.results import ResultItem
from ceasewatch.store.partitions import ensure, month_of, place_partition_sql
from ceasewatch.store.places import Found, Inside, Near, places_of


def add(cur: Any, run_id: str, items: Sequence[ResultItem]) -> None:
    places = places_of(items)
    for year, month in sorted({month_of(p.t_ns) for p in places}):
        ensure(cur, *place_partition_sql(year, month))
    _copy(
        cur,
        "COPY places (run_id, kind, seq, item_id, t_ns, radius_m, geog) FROM STDIN",
        [
            (
                run_id,
                p.kind,
                p.seq,
                p.item_id,
                p.t_ns,
                p.radius_m,
                f"SRID=4326;POINT({p.lon!r} {p.lat!r})",
            )
            for p in places
        ],
    )


def _copy(cur: Any, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    with cur.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def near(cur: Any, run_id: str, kinds: Sequence[str], query: Near) -> list[Found]:
    """Answered by PostGIS on the geography index (``store/places.py`` has the contract)."""
    point = "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography"
    cur.execute(
        f"SELECT kind, seq, item_id, t_ns, ST_X(geog::geometry), ST_Y(geog::geometry), "
        f"ST_Distance(geog, {point}) AS d FROM places "
        f"WHERE run_id = %s AND kind = ANY(%s) AND ST_DWithin(geog, {point}, %s) "
        f"{_time_sql(query.since_ns, query.until_ns)} ORDER BY d, kind, seq",
        (
            query.lon,
            query.lat,
            run_id,
            list(kinds),
            query.lon,
            query.lat,
            query.within_m,
            *_time_args(query.since_ns, query.until_ns),
        ),
    )
    return [
        Found(r[0], int(r[1]), r[2], int(r[3]), float(r[4]), float(r[5]), float(r[6]))
        for r in cur.fetchall()
    ]


def inside(cur: Any, run_id: str, kinds: Sequence[str], query: Inside) -> list[Found]:
    """Answered by PostGIS on the geometry index: planar lon/lat, the boundary inside."""
    query.shape()  # a clear error for a bad polygon, before the server sees it
    cur.execute(
        "SELECT kind, seq, item_id, t_ns, ST_X(geog::geometry), ST_Y(geog::geometry) "
        "FROM places WHERE run_id = %s AND kind = ANY(%s) "
        "AND ST_Covers(ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326), geog::geometry) "
        f"{_time_sql(query.since_ns, query.until_ns)} ORDER BY t_ns, kind, seq",
        (run_id, list(kinds), query.geojson, *_time_args(query.since_ns, query.until_ns)),
    )
    return [
        Found(r[0], int(r[1]), r[2], int(r[3]), float(r[4]), float(r[5])) for r in cur.fetchall()
    ]


def _time_sql(since_ns: int | None, until_ns: int | None) -> str:
    return ("" if since_ns is None else "AND t_ns >= %s ") + (
        "" if until_ns is None else "AND t_ns < %s "
    )


def _time_args(since_ns: int | None, until_ns: int | None) -> list[int]:
    return [t for t in (since_ns, until_ns) if t is not None]
