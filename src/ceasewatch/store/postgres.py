"""The server store: the evidence log and the derived results in PostgreSQL with PostGIS.

The log's tables are those of the SQLite store (bytea for hashes and leaves), with ``entries``
partitioned by position (:mod:`.partitions`); results have their places in PostGIS
(:mod:`.postgres_places`). The schema is Alembic's (:mod:`.migrate`): a new database or schema
is made at the newest revision, an older one must be upgraded with ``ceasewatch store upgrade``.
Writers are serialised by ``LOCK TABLE entries IN EXCLUSIVE MODE`` inside each write
transaction, which lets readers go on; bulk rows go in with ``COPY``. Statements are not
prepared server-side: a generic plan for the idempotency lookup (``record_id = ANY(…)``)
degraded to a sequential scan, the custom plan uses the key's index. A commit returns after
PostgreSQL has flushed its WAL (``synchronous_commit`` is forced ``on`` for these sessions), so
an acknowledgement after ``write()`` is durable.

The URL is a libpq URL, ``postgresql://user@host:port/db``, optionally with ``?schema=NAME`` to
keep the store in its own schema (created if missing; PostGIS's types are found in ``public``)
— tests use one schema each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ceasewatch.errors import InputError
from ceasewatch.evidence.base import (
    CheckpointRow,
    EntryRow,
    KeyRow,
    Node,
    SealedRow,
    table_rows,
)
from ceasewatch.fusion.results import ResultItem, ResultRun
from ceasewatch.store import postgres_places
from ceasewatch.store.migrate import head, revision, search_path, upgrade
from ceasewatch.store.partitions import ensure, entry_blocks, entry_partition_sql
from ceasewatch.store.places import Found, Inside, Near

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def split_url(url: str) -> tuple[str, str | None]:
    """The libpq URL without our ``schema`` parameter, and the schema."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    schema = next((v for k, v in query if k == "schema"), None)
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    scheme = "postgresql" if parts.scheme.startswith("postgres") else parts.scheme
    cleaned = urlunsplit((scheme, parts.netloc, parts.path, rest, parts.fragment))
    if schema is not None and not _SCHEMA_NAME.match(schema):
        raise InputError(
            f"schema {schema!r} in the store URL: use lower-case letters, digits and _ only"
        )
    return cleaned, schema


class _Conn:
    def __init__(self, cur: Any) -> None:
        self.cur = cur

    def _one(self, sql: str, args: Sequence[Any] = ()) -> Any:
        self.cur.execute(sql, args)
        return self.cur.fetchone()

    def size(self) -> int:
        row = self._one("SELECT max(idx) FROM entries")
        return 0 if row[0] is None else int(row[0]) + 1

    def subtree(self, level: int, index: int) -> bytes:
        row = self._one("SELECT hash FROM nodes WHERE level = %s AND idx = %s", (level, index))
        if row is None:
            raise KeyError((level, index))
        return bytes(row[0])

    def leaves(self, start: int, end: int) -> Iterator[bytes]:
        step = 10_000
        for low in range(start, end, step):
            self.cur.execute(
                "SELECT leaf FROM entries WHERE idx >= %s AND idx < %s ORDER BY idx",
                (low, min(end, low + step)),
            )
            for (leaf,) in self.cur.fetchall():
                yield bytes(leaf)

    def entry(self, index: int) -> EntryRow:
        row = self._one(
            'SELECT idx, kind, leaf, received_ns, "full" FROM entries WHERE idx = %s', (index,)
        )
        if row is None:
            raise KeyError(index)
        full = None if row[4] is None else bytes(row[4])
        return EntryRow(int(row[0]), row[1], bytes(row[2]), int(row[3]), full)

    def find(self, source: str, record_ids: Sequence[str]) -> dict[str, list[tuple[bytes, int]]]:
        found: dict[str, list[tuple[bytes, int]]] = {}
        self.cur.execute(
            "SELECT record_id, digest, entry FROM record_keys "
            "WHERE source = %s AND record_id = ANY(%s)",
            (source, list(dict.fromkeys(record_ids))),
        )
        for record_id, digest, entry in self.cur.fetchall():
            found.setdefault(record_id, []).append((bytes(digest), int(entry)))
        for pairs in found.values():
            pairs.sort(key=lambda pair: pair[1])
        return found

    def sealed(self, start: int, end: int) -> list[SealedRow]:
        self.cur.execute(
            "SELECT entry, path, salt, value FROM sealed WHERE entry >= %s AND entry < %s "
            "ORDER BY entry, path",
            (start, end),
        )
        return [SealedRow(int(r[0]), r[1], bytes(r[2]), bytes(r[3])) for r in self.cur.fetchall()]

    def externals(self, start: int, end: int) -> Iterator[tuple[int, bytes]]:
        self.cur.execute(
            'SELECT idx, "full" FROM entries WHERE idx >= %s AND idx < %s '
            'AND "full" IS NOT NULL ORDER BY idx',
            (start, end),
        )
        for idx, full in self.cur.fetchall():
            yield int(idx), bytes(full)

    def checkpoints(self) -> list[CheckpointRow]:
        self.cur.execute("SELECT size, root, note, created_ns FROM checkpoints ORDER BY size")
        return [
            CheckpointRow(int(r[0]), bytes(r[1]), bytes(r[2]), int(r[3]))
            for r in self.cur.fetchall()
        ]

    def latest_checkpoint(self) -> CheckpointRow | None:
        row = self._one(
            "SELECT size, root, note, created_ns FROM checkpoints ORDER BY size DESC LIMIT 1"
        )
        if row is None:
            return None
        return CheckpointRow(int(row[0]), bytes(row[1]), bytes(row[2]), int(row[3]))

    def cosignatures(self, size: int) -> list[bytes]:
        self.cur.execute("SELECT line FROM cosignatures WHERE size = %s ORDER BY line", (size,))
        return [bytes(r[0]) for r in self.cur.fetchall()]

    def meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = %s", (key,))
        return None if row is None else str(row[0])

    def result_runs(self, stage: str) -> list[ResultRun]:
        self.cur.execute(
            "SELECT run_id, stage, log_size, inputs, summary, created_ns FROM result_runs "
            "WHERE stage = %s ORDER BY created_ns, run_id",
            (stage,),
        )
        return [
            ResultRun(r[0], r[1], int(r[2]), r[3], r[4], int(r[5])) for r in self.cur.fetchall()
        ]

    def result_items(self, run_id: str, kind: str) -> list[ResultItem]:
        self.cur.execute(
            "SELECT kind, seq, item_id, body FROM result_items WHERE run_id = %s AND kind = %s "
            "ORDER BY seq",
            (run_id, kind),
        )
        return [ResultItem(r[0], int(r[1]), r[2], r[3]) for r in self.cur.fetchall()]

    def places_near(self, run_id: str, kinds: Sequence[str], query: Near) -> list[Found]:
        return postgres_places.near(self.cur, run_id, kinds, query)

    def places_inside(self, run_id: str, kinds: Sequence[str], query: Inside) -> list[Found]:
        return postgres_places.inside(self.cur, run_id, kinds, query)


class _Writer(_Conn):
    def append(
        self,
        entries: Sequence[EntryRow],
        nodes: Sequence[Node],
        keys: Sequence[KeyRow],
        sealed: Sequence[SealedRow],
    ) -> None:
        if entries:
            for block in entry_blocks(entries[0].index, entries[-1].index):
                ensure(self.cur, *entry_partition_sql(block))
        for table, columns, rows in table_rows(entries, nodes, keys, sealed):
            self._copy(f"COPY {table} ({columns}) FROM STDIN", rows)

    def _copy(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with self.cur.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def add_checkpoint(self, row: CheckpointRow) -> None:
        self.cur.execute(
            "INSERT INTO checkpoints (size, root, note, created_ns) VALUES (%s, %s, %s, %s)",
            (row.size, row.root, row.note, row.created_ns),
        )

    def add_cosignature(self, size: int, line: bytes) -> None:
        self.cur.execute(
            "INSERT INTO cosignatures (size, line) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (size, line),
        )

    def set_meta(self, key: str, value: str) -> None:
        self.cur.execute(
            "INSERT INTO meta (key, value) VALUES (%s, %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def add_result_run(self, run: ResultRun, items: Sequence[ResultItem]) -> bool:
        self.cur.execute(
            "INSERT INTO result_runs (run_id, stage, log_size, inputs, summary, created_ns) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (run.run_id, run.stage, run.log_size, run.inputs, run.summary, run.created_ns),
        )
        if not self.cur.rowcount:
            return False
        self._copy(
            "COPY result_items (run_id, kind, seq, item_id, body) FROM STDIN",
            [(run.run_id, i.kind, i.seq, i.item_id, i.body) for i in items],
        )
        postgres_places.add(self.cur, run.run_id, items)
        return True


class PostgresStore:
    """The evidence log in a PostgreSQL database (or one schema of it), and the results
    derived from it."""

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise InputError(
                "the PostgreSQL store needs psycopg: pip install 'ceasewatch[postgres]'"
            ) from exc
        self.url = url
        conninfo, self.schema = split_url(url)
        try:
            self._con = psycopg.connect(conninfo, autocommit=False, prepare_threshold=None)
        except psycopg.Error as exc:
            raise InputError(
                f"cannot connect to the store {conninfo}: {str(exc).strip()}; check that "
                "PostgreSQL is running and the URL names a database you may use"
            ) from exc
        with self._con.cursor() as cur:
            cur.execute(search_path(self.schema))
            cur.execute("SET synchronous_commit = on")
            found = revision(cur)
            self._con.commit()
            if found is None:  # a new store: made at the newest revision
                upgrade(conninfo, self.schema)
                found = revision(cur)
                self._con.commit()
        if found != head():
            raise InputError(
                f"the store {url} is at schema revision {found}, this ceasewatch needs {head()}: "
                f"back it up, then run: ceasewatch store upgrade --store '{url}'"
            )

    @contextmanager
    def write(self) -> Iterator[_Writer]:
        with self._con.transaction(), self._con.cursor() as cur:
            cur.execute("LOCK TABLE entries IN EXCLUSIVE MODE")
            yield _Writer(cur)

    @contextmanager
    def read(self) -> Iterator[_Conn]:
        with self._con.transaction(), self._con.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield _Conn(cur)

    def close(self) -> None:
        self._con.close()
