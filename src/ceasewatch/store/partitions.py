"""How the server store cuts its two growing tables: the log by position, the places by month.

``entries`` (the log) is partitioned by range of ``idx`` in blocks of :data:`ENTRY_BLOCK`
entries. The log only grows at its end and an entry's position follows the time it was
received, so each block is a stretch of time — at peak traffic (about 100,000 records a day) a
block holds about six weeks — and old blocks can be moved to cheaper disks, checked or backed
up on their own while the newest one takes the writes. ``places`` (where each kept result
happened) is partitioned by the calendar month of the event, the unit queries ask for ("the
buffer zone in March"). Partitions are made as data arrives: the writer asks for the ones a
batch needs before it copies the rows in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

ENTRY_BLOCK = 1 << 22  # 4,194,304 entries per partition of the log
NS = 1_000_000_000


def entry_blocks(first_idx: int, last_idx: int) -> range:
    return range(first_idx // ENTRY_BLOCK, last_idx // ENTRY_BLOCK + 1)


def entry_partition_sql(block: int) -> tuple[str, str]:
    """The partition's name and the statement that makes it."""
    name = f"entries_b{block:06d}"
    low, high = block * ENTRY_BLOCK, (block + 1) * ENTRY_BLOCK
    return name, f"CREATE TABLE {name} PARTITION OF entries FOR VALUES FROM ({low}) TO ({high})"


def month_of(t_ns: int) -> tuple[int, int]:
    when = datetime.fromtimestamp(t_ns // NS, UTC)
    return when.year, when.month


def place_partition_sql(year: int, month: int) -> tuple[str, str]:
    """The partition of ``places`` for one calendar month (UTC), and the statement."""
    start = int(datetime(year, month, 1, tzinfo=UTC).timestamp()) * NS
    after = (year + month // 12, month % 12 + 1)
    end = int(datetime(after[0], after[1], 1, tzinfo=UTC).timestamp()) * NS
    name = f"places_m{year:04d}{month:02d}"
    return name, f"CREATE TABLE {name} PARTITION OF places FOR VALUES FROM ({start}) TO ({end})"


def ensure(cur: Any, name: str, statement: str) -> bool:
    """Make a partition unless it exists (``cur`` is a psycopg cursor or an Alembic
    connection wrapper with ``execute``/``fetchone``); ``True`` when it was made."""
    cur.execute("SELECT to_regclass(%s)", (name,))
    if cur.fetchone()[0] is not None:
        return False
    cur.execute(statement)
    return True
