"""The embedded default store: one SQLite file in WAL mode with ``synchronous=FULL``.

Zero set-up: the file and its tables are created on first use. Writers are serialised by
SQLite's own lock (``BEGIN IMMEDIATE``), across processes too; a commit in WAL mode with
``synchronous=FULL`` is fsynced before ``write()`` returns, so an acknowledgement after it is
durable. Readers never block the writer and see the last committed state.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

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
from ceasewatch.store import sqlite_places
from ceasewatch.store.places import Found, Inside, Near

SCHEMA_VERSION = "2"  # 2: places (store/sqlite_places.py); a 1 is brought to 2 on opening
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    idx INTEGER PRIMARY KEY, kind TEXT NOT NULL, leaf BLOB NOT NULL,
    received_ns INTEGER NOT NULL, full BLOB);
CREATE TABLE IF NOT EXISTS nodes (
    level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS record_keys (
    source TEXT NOT NULL, record_id TEXT NOT NULL, digest BLOB NOT NULL, entry INTEGER NOT NULL,
    PRIMARY KEY (source, record_id, digest)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sealed (
    entry INTEGER NOT NULL, path TEXT NOT NULL, salt BLOB NOT NULL, value BLOB NOT NULL,
    PRIMARY KEY (entry, path)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    size INTEGER PRIMARY KEY, root BLOB NOT NULL, note BLOB NOT NULL, created_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cosignatures (
    size INTEGER NOT NULL, line BLOB NOT NULL, PRIMARY KEY (size, line)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS result_runs (
    run_id TEXT PRIMARY KEY, stage TEXT NOT NULL, log_size INTEGER NOT NULL,
    inputs TEXT NOT NULL, summary TEXT NOT NULL, created_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS result_items (
    run_id TEXT NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL, item_id TEXT NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (run_id, kind, seq)) WITHOUT ROWID;
"""


class _Conn:
    """Queries shared by the reader and the writer over one sqlite3 connection."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def size(self) -> int:
        row = self.con.execute("SELECT max(idx) FROM entries").fetchone()
        return 0 if row[0] is None else int(row[0]) + 1

    def subtree(self, level: int, index: int) -> bytes:
        row = self.con.execute(
            "SELECT hash FROM nodes WHERE level = ? AND idx = ?", (level, index)
        ).fetchone()
        if row is None:
            raise KeyError((level, index))
        return bytes(row[0])

    def leaves(self, start: int, end: int) -> Iterator[bytes]:
        step = 10_000
        for low in range(start, end, step):
            rows = self.con.execute(
                "SELECT leaf FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx",
                (low, min(end, low + step)),
            ).fetchall()
            for (leaf,) in rows:
                yield bytes(leaf)

    def entry(self, index: int) -> EntryRow:
        row = self.con.execute(
            "SELECT idx, kind, leaf, received_ns, full FROM entries WHERE idx = ?", (index,)
        ).fetchone()
        if row is None:
            raise KeyError(index)
        return EntryRow(row[0], row[1], bytes(row[2]), row[3], None if row[4] is None else row[4])

    def find(self, source: str, record_ids: Sequence[str]) -> dict[str, list[tuple[bytes, int]]]:
        found: dict[str, list[tuple[bytes, int]]] = {}
        unique = list(dict.fromkeys(record_ids))
        for low in range(0, len(unique), 500):
            chunk = unique[low : low + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.con.execute(
                "SELECT record_id, digest, entry FROM record_keys "
                f"WHERE source = ? AND record_id IN ({marks})",
                (source, *chunk),
            ).fetchall()
            for record_id, digest, entry in rows:
                found.setdefault(record_id, []).append((bytes(digest), int(entry)))
        for pairs in found.values():
            pairs.sort(key=lambda pair: pair[1])
        return found

    def sealed(self, start: int, end: int) -> list[SealedRow]:
        rows = self.con.execute(
            "SELECT entry, path, salt, value FROM sealed WHERE entry >= ? AND entry < ? "
            "ORDER BY entry, path",
            (start, end),
        ).fetchall()
        return [SealedRow(r[0], r[1], bytes(r[2]), bytes(r[3])) for r in rows]

    def externals(self, start: int, end: int) -> Iterator[tuple[int, bytes]]:
        rows = self.con.execute(
            "SELECT idx, full FROM entries WHERE idx >= ? AND idx < ? AND full IS NOT NULL "
            "ORDER BY idx",
            (start, end),
        ).fetchall()
        for idx, full in rows:
            yield int(idx), bytes(full)

    def checkpoints(self) -> list[CheckpointRow]:
        rows = self.con.execute(
            "SELECT size, root, note, created_ns FROM checkpoints ORDER BY size"
        ).fetchall()
        return [CheckpointRow(r[0], bytes(r[1]), bytes(r[2]), r[3]) for r in rows]

    def latest_checkpoint(self) -> CheckpointRow | None:
        row = self.con.execute(
            "SELECT size, root, note, created_ns FROM checkpoints ORDER BY size DESC LIMIT 1"
        ).fetchone()
        return None if row is None else CheckpointRow(row[0], bytes(row[1]), bytes(row[2]), row[3])

    def cosignatures(self, size: int) -> list[bytes]:
        rows = self.con.execute(
            "SELECT line FROM cosignatures WHERE size = ? ORDER BY line", (size,)
        ).fetchall()
        return [bytes(r[0]) for r in rows]

    def meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def result_runs(self, stage: str) -> list[ResultRun]:
        rows = self.con.execute(
            "SELECT run_id, stage, log_size, inputs, summary, created_ns FROM result_runs "
            "WHERE stage = ? ORDER BY created_ns, run_id",
            (stage,),
        ).fetchall()
        return [ResultRun(*row) for row in rows]

    def result_items(self, run_id: str, kind: str) -> list[ResultItem]:
        rows = self.con.execute(
            "SELECT kind, seq, item_id, body FROM result_items WHERE run_id = ? AND kind = ? "
            "ORDER BY seq",
            (run_id, kind),
        ).fetchall()
        return [ResultItem(*row) for row in rows]

    def places_near(self, run_id: str, kinds: Sequence[str], query: Near) -> list[Found]:
        return sqlite_places.near(self.con, run_id, kinds, query)

    def places_inside(self, run_id: str, kinds: Sequence[str], query: Inside) -> list[Found]:
        return sqlite_places.inside(self.con, run_id, kinds, query)


class _Writer(_Conn):
    def append(
        self,
        entries: Sequence[EntryRow],
        nodes: Sequence[Node],
        keys: Sequence[KeyRow],
        sealed: Sequence[SealedRow],
    ) -> None:
        for table, columns, rows in table_rows(entries, nodes, keys, sealed):
            marks = ", ".join("?" * (columns.count(",") + 1))
            self.con.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    def add_checkpoint(self, row: CheckpointRow) -> None:
        self.con.execute(
            "INSERT INTO checkpoints (size, root, note, created_ns) VALUES (?, ?, ?, ?)",
            (row.size, row.root, row.note, row.created_ns),
        )

    def add_cosignature(self, size: int, line: bytes) -> None:
        self.con.execute(
            "INSERT OR IGNORE INTO cosignatures (size, line) VALUES (?, ?)", (size, line)
        )

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def add_result_run(self, run: ResultRun, items: Sequence[ResultItem]) -> bool:
        added = self.con.execute(
            "INSERT OR IGNORE INTO result_runs (run_id, stage, log_size, inputs, summary, "
            "created_ns) VALUES (?, ?, ?, ?, ?, ?)",
            (run.run_id, run.stage, run.log_size, run.inputs, run.summary, run.created_ns),
        ).rowcount
        if not added:
            return False
        self.con.executemany(
            "INSERT INTO result_items (run_id, kind, seq, item_id, body) VALUES (?, ?, ?, ?, ?)",
            [(run.run_id, i.kind, i.seq, i.item_id, i.body) for i in items],
        )
        sqlite_places.add_places(self.con, run.run_id, items)
        return True


def _wal(con: sqlite3.Connection, timeout_s: float) -> None:
    """Put the file in WAL mode. Switching needs the file to itself and SQLite does not wait
    for that (its busy timeout does not cover it), so when several processes open a new store
    at once, the ones that find it locked try again until the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            con.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class SqliteStore:
    """The evidence log in one SQLite file, and the results derived from it."""

    def __init__(self, path: Path | str, *, timeout_s: float = 60.0) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self._timeout_s = timeout_s
        self._local = threading.local()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = self._connect()
        except (OSError, sqlite3.Error) as exc:
            raise InputError(
                f"cannot open the store {self.path}: {exc}; check the path and its permissions"
            ) from exc
        con.executescript(SCHEMA + sqlite_places.SCHEMA)
        con.execute("BEGIN IMMEDIATE")
        try:
            con.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,)
            )
            found = _Conn(con).meta("schema")
            if found == "1":  # made before places existed
                sqlite_places.backfill(con)
                _Writer(con).set_meta("schema", SCHEMA_VERSION)
                found = SCHEMA_VERSION
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        if found != SCHEMA_VERSION:
            raise InputError(
                f"the store {self.path} has schema {found}, this ceasewatch reads "
                f"{SCHEMA_VERSION}; use a matching version of ceasewatch"
            )

    def _connect(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(
                self.path, timeout=self._timeout_s, isolation_level=None, check_same_thread=True
            )
            _wal(con, self._timeout_s)
            con.execute("PRAGMA synchronous=FULL")
            con.execute("PRAGMA foreign_keys=ON")
            self._local.con = con
        return con

    @contextmanager
    def write(self) -> Iterator[_Writer]:
        con = self._connect()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield _Writer(con)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[_Conn]:
        con = self._connect()
        con.execute("BEGIN")
        try:
            yield _Conn(con)
        finally:
            con.execute("COMMIT")

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None
