"""The server store's schema revisions: what a database holds, and bringing it to this
version's (Alembic, with the migrations in :mod:`ceasewatch.store.migrations`).

A new database (or schema) is created at the newest revision when a store is first opened. An
existing one is never changed behind the operator's back: opening a store at an older revision
fails and names ``ceasewatch store upgrade``, which applies the missing migrations in one
transaction (back up first; docs/deployment.md). A store made before migrations existed (a
``meta.schema`` of 1, no ``alembic_version`` table) counts as revision 0001.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ceasewatch.errors import InputError

LEGACY = "0001"


@cache
def head() -> str:
    """The newest revision this ceasewatch knows."""
    from alembic.script import ScriptDirectory

    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


def revision(cur: Any) -> str | None:
    """The revision the connection's schema holds, or ``None`` for an empty schema."""
    cur.execute("SELECT to_regclass('alembic_version') IS NOT NULL, to_regclass('entries')")
    versioned, entries = cur.fetchone()
    if versioned:
        cur.execute("SELECT version_num FROM alembic_version")
        row = cur.fetchone()
        return None if row is None else str(row[0])
    return LEGACY if entries is not None else None


def upgrade(conninfo: str, schema: str | None, target: str = "head") -> tuple[str | None, str]:
    """Bring the database (schema) to ``target`` (:func:`head` unless told; tests build old
    stores with an older one): (the revision before, the one after)."""
    from alembic import command
    from sqlalchemy import create_engine, text

    url = "postgresql+psycopg://" + conninfo.split("://", 1)[1]
    engine = create_engine(url, poolclass=_null_pool())
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('ceasewatch-schema'))"))
            if schema:
                connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            connection.execute(text(search_path(schema)))
            cur = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            before = revision(cur)
            if before == (head() if target == "head" else target):
                return before, before
            config = _config()
            config.attributes["connection"] = connection
            config.attributes["schema"] = schema
            if before == LEGACY and not _versioned(cur):
                command.stamp(config, LEGACY)
            command.upgrade(config, target)
            after = revision(cur)
    except Exception as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"upgrading the store {conninfo}: {_words(exc)}") from exc
    finally:
        engine.dispose()
    return before, after or target


@dataclass(frozen=True)
class Status:
    revision: str | None
    head: str
    partitions: tuple[tuple[str, str, int], ...]  # (table, partition, rows estimated)
    size_bytes: int

    @property
    def current(self) -> bool:
        return self.revision == self.head


def status(cur: Any) -> Status:
    """The revision, the partitions of the log and the places, and the schema's size on disk."""
    found = revision(cur)
    cur.execute(
        "SELECT parent.relname, child.relname, greatest(child.reltuples, 0)::bigint "
        "FROM pg_inherits JOIN pg_class parent ON parent.oid = inhparent "
        "JOIN pg_class child ON child.oid = inhrelid "
        "WHERE parent.relkind = 'p' AND parent.relnamespace = (SELECT oid FROM pg_namespace "
        "WHERE nspname = current_schema()) ORDER BY 1, 2"
    )
    partitions = tuple((str(a), str(b), int(c)) for a, b, c in cur.fetchall())
    cur.execute(
        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c "
        "WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
        "AND c.relkind IN ('r', 'p')"
    )
    return Status(found, head(), partitions, int(cur.fetchone()[0]))


def search_path(schema: str | None) -> str:
    """Our schema first, then ``public`` where PostGIS's types live."""
    return f'SET search_path TO "{schema}", public' if schema else "SET search_path TO public"


def _versioned(cur: Any) -> bool:
    cur.execute("SELECT to_regclass('alembic_version') IS NOT NULL")
    return bool(cur.fetchone()[0])


def _config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "ceasewatch.store:migrations")
    return config


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def _words(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
