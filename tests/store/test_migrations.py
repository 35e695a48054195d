"""The stores' schemas over time: a new server store is made at the newest revision, an older
one is refused until ``ceasewatch store upgrade`` migrates it (keeping every entry and indexing
the places of kept results), partitions appear as the log and the places grow, and an
embedded store made before places existed is brought up to date on opening."""

from __future__ import annotations

import importlib
import json
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ceasewatch.errors import InputError
from ceasewatch.evidence.integrity import check_log
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.fusion.results import ResultRun
from ceasewatch.store import partitions
from ceasewatch.store.migrate import head, status, upgrade
from ceasewatch.store.open import open_store
from ceasewatch.store.places import Near
from ceasewatch.store.postgres import split_url

from ..conftest import pg_schema_url
from .test_log import pick
from .test_places import CENTRE, HOUR_NS, T0, incident


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from pg_schema_url()


def cursor_of(url: str) -> psycopg.Cursor:  # type: ignore[type-arg]
    """A cursor in the store's schema (its connection closes with the test's process)."""
    conninfo, schema = split_url(url)
    con = psycopg.connect(conninfo, autocommit=True)
    OPEN.append(con)
    cur = con.cursor()
    cur.execute(f'SET search_path TO "{schema}", public')
    return cur


OPEN: list[psycopg.Connection] = []  # type: ignore[type-arg]


@pytest.fixture(autouse=True)
def _close_cursors() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def filled(url: str, records: int) -> tuple[int, bytes]:
    store = open_store(url)
    log = EvidenceLog(store, salts=random.Random(7).randbytes)
    for start in range(0, records, 4):
        log.append_records([pick(n) for n in range(start, min(records, start + 4))], T0 + start)
    size, root = log.size(), log.root()
    store.close()
    return size, root


def test_a_new_store_is_made_at_the_newest_revision(pg_url: str) -> None:
    open_store(pg_url).close()
    found = status(cursor_of(pg_url))
    assert found.current and found.revision == head() == "0002"
    assert {table for table, _p, _n in found.partitions} == {"entries"}


def test_an_old_store_is_refused_then_upgraded_with_nothing_lost(pg_url: str) -> None:
    conninfo, schema = split_url(pg_url)
    upgrade(conninfo, schema, target="0001")
    cur = cursor_of(pg_url)
    rows = [(n, "record", bytes([n]) * 40, T0 + n, None) for n in range(5)]
    cur.executemany(
        'INSERT INTO entries (idx, kind, leaf, received_ns, "full") VALUES (%s, %s, %s, %s, %s)',
        rows,
    )
    cur.execute("INSERT INTO result_runs VALUES ('fu-1', 'fusion', 5, '{}', '{}', %s)", (T0,))
    for item in (incident(0, *CENTRE, T0), incident(1, 37.9, 48.3, T0 + 40 * 24 * HOUR_NS)):
        cur.execute(
            "INSERT INTO result_items VALUES ('fu-1', %s, %s, %s, %s)",
            (item.kind, item.seq, item.item_id, item.body),
        )
    with pytest.raises(InputError, match="ceasewatch store upgrade --store"):
        open_store(pg_url)
    assert upgrade(conninfo, schema) == ("0001", "0002")
    store = open_store(pg_url)
    with store.read() as reader:
        assert [reader.entry(n).leaf for n in range(5)] == [r[2] for r in rows]
        found = reader.places_near("fu-1", ["incidents"], Near(*CENTRE, 20_000.0))
    store.close()
    assert [f.item_id for f in found] == ["in-0000", "in-0001"]
    names = {p for _t, p, _n in status(cur).partitions}
    assert {"entries_b000000", "places_m202602", "places_m202603"} <= names


def test_a_store_from_before_migrations_is_upgraded_too(pg_url: str) -> None:
    """Stores made before Alembic (tables and ``meta.schema`` 1, no version table) count as
    revision 0001."""
    conninfo, schema = split_url(pg_url)
    first = importlib.import_module("ceasewatch.store.migrations.versions.0001_log_and_results")
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute(f'CREATE SCHEMA "{schema}"')
        con.execute(f'SET search_path TO "{schema}"')
        con.execute(first.TABLES)
    with pytest.raises(InputError, match="revision 0001"):
        open_store(pg_url)
    assert upgrade(conninfo, schema) == ("0001", "0002")
    open_store(pg_url).close()


def test_the_log_spreads_over_block_partitions_and_still_verifies(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(partitions, "ENTRY_BLOCK", 8)
    size, root = filled(pg_url, 30)
    store = open_store(pg_url)
    log = EvidenceLog(store, salts=random.Random(8).randbytes)
    assert (log.size(), log.root()) == (size, root)
    assert check_log(log) == []
    with store.read() as reader:
        assert reader.find("picks", ["A017-000029"])["A017-000029"][0][1] == 29
    store.close()
    found = status(cursor_of(pg_url))
    blocks = sorted(p for t, p, _n in found.partitions if t == "entries")
    assert blocks == [f"entries_b{b:06d}" for b in range(0, 29 // 8 + 1)]


def test_places_are_partitioned_by_month(pg_url: str) -> None:
    store = open_store(pg_url)
    items = [incident(n, *CENTRE, T0 + n * 20 * 24 * HOUR_NS) for n in range(4)]  # Feb–Apr
    with store.write() as writer:
        writer.add_result_run(ResultRun("fu-1", "fusion", 1, "{}", "{}", T0), items)
    store.close()
    found = status(cursor_of(pg_url))
    assert sorted(p for t, p, _n in found.partitions if t == "places") == [
        "places_m202602",
        "places_m202603",
        "places_m202604",
    ]


def test_an_embedded_store_from_before_places_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('schema', '1');"
        "CREATE TABLE result_runs (run_id TEXT PRIMARY KEY, stage TEXT NOT NULL, "
        "log_size INTEGER NOT NULL, inputs TEXT NOT NULL, summary TEXT NOT NULL, "
        "created_ns INTEGER NOT NULL);"
        "CREATE TABLE result_items (run_id TEXT NOT NULL, kind TEXT NOT NULL, "
        "seq INTEGER NOT NULL, item_id TEXT NOT NULL, body TEXT NOT NULL, "
        "PRIMARY KEY (run_id, kind, seq)) WITHOUT ROWID;"
    )
    item = incident(0, *CENTRE, T0)
    con.execute("INSERT INTO result_runs VALUES ('fu-1', 'fusion', 0, '{}', '{}', 1)")
    con.execute(
        "INSERT INTO result_items VALUES ('fu-1', ?, ?, ?, ?)",
        (item.kind, item.seq, item.item_id, item.body),
    )
    con.commit()
    con.close()
    store = open_store(path)
    with store.read() as reader:
        assert reader.meta("schema") == "2"
        found = reader.places_near("fu-1", ["incidents"], Near(*CENTRE, 10.0))
    store.close()
    assert [f.item_id for f in found] == ["in-0000"]
    assert json.loads(item.body)["position"] == [found[0].lon, found[0].lat]
