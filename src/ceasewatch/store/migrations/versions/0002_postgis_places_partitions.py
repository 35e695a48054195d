"""PostGIS: the places of kept results (a geography point with GiST indexes, partitioned by
month), and the log's entries partitioned by position.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from typing import Any

from alembic import op

from ceasewatch.fusion.results import ResultItem
from ceasewatch.store.partitions import (
    ENTRY_BLOCK,
    ensure,
    entry_partition_sql,
    month_of,
    place_partition_sql,
)
from ceasewatch.store.places import places_of

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PLACES = """
CREATE TABLE places (
    run_id text NOT NULL, kind text NOT NULL, seq integer NOT NULL, item_id text NOT NULL,
    t_ns bigint NOT NULL, radius_m double precision NOT NULL,
    geog geography(Point, 4326) NOT NULL,
    PRIMARY KEY (run_id, kind, seq, t_ns)
) PARTITION BY RANGE (t_ns);
CREATE INDEX places_geog ON places USING gist (geog);
CREATE INDEX places_geom ON places USING gist ((geog::geometry));
CREATE INDEX places_time ON places (run_id, kind, t_ns);
"""


def upgrade() -> None:
    cur = op.get_bind().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    _postgis(cur)
    _partition_entries(cur)
    cur.execute(PLACES)
    _backfill_places(cur)
    cur.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")


def downgrade() -> None:
    raise NotImplementedError("restore a backup taken before the upgrade instead")


def _postgis(cur: Any) -> None:
    cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    if cur.fetchone() is not None:
        return
    cur.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
    if cur.fetchone() is None:
        raise RuntimeError(
            "PostGIS is not installed on the database server: install it "
            "(Debian: apt-get install postgresql-15-postgis-3) and run the upgrade again"
        )
    cur.execute("CREATE EXTENSION postgis")


def _partition_entries(cur: Any) -> None:
    """The unpartitioned entries (a store made by revision 0001) move into block partitions."""
    cur.execute("ALTER TABLE entries RENAME TO entries_0001")
    cur.execute("ALTER INDEX entries_pkey RENAME TO entries_0001_pkey")
    cur.execute(
        "CREATE TABLE entries (idx bigint NOT NULL, kind text NOT NULL, leaf bytea NOT NULL, "
        'received_ns bigint NOT NULL, "full" bytea, PRIMARY KEY (idx)) PARTITION BY RANGE (idx)'
    )
    cur.execute("SELECT coalesce(max(idx), -1) FROM entries_0001")
    last = int(cur.fetchone()[0])
    for block in range(0, max(0, last) // ENTRY_BLOCK + 1):
        ensure(cur, *entry_partition_sql(block))
    cur.execute("INSERT INTO entries SELECT * FROM entries_0001 ORDER BY idx")
    cur.execute("DROP TABLE entries_0001")


def _backfill_places(cur: Any) -> None:
    cur.execute("SELECT run_id FROM result_runs ORDER BY run_id")
    for (run_id,) in cur.fetchall():
        cur.execute(
            "SELECT kind, seq, item_id, body FROM result_items WHERE run_id = %s", (run_id,)
        )
        items = [ResultItem(k, int(s), i, b) for k, s, i, b in cur.fetchall()]
        rows = places_of(items)
        for year, month in sorted({month_of(p.t_ns) for p in rows}):
            ensure(cur, *place_partition_sql(year, month))
        cur.executemany(
            "INSERT INTO places (run_id, kind, seq, item_id, t_ns, radius_m, geog) VALUES "
            "(%s, %s, %s, %s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography)",
            [(run_id, p.kind, p.seq, p.item_id, p.t_ns, p.radius_m, p.lon, p.lat) for p in rows],
        )
