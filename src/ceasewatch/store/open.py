"""Opening a store from a URL or a path: the one place that knows every implementation."""

from __future__ import annotations

from pathlib import Path

from ceasewatch.errors import InputError
from ceasewatch.store.base import Store


def open_store(url: str | Path) -> Store:
    """``sqlite:///path/to/file.sqlite``, a plain file path (SQLite), or
    ``postgresql://user@host:port/db[?schema=NAME]``."""
    text = str(url)
    if text.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from ceasewatch.store.postgres import PostgresStore

        return PostgresStore(text.replace("postgresql+psycopg://", "postgresql://", 1))
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///") :]
    elif "://" in text:
        raise InputError(
            f"store {text!r}: give a file path, sqlite:///PATH or postgresql://USER@HOST/DB"
        )
    from ceasewatch.store.sqlite import SqliteStore

    return SqliteStore(Path(text))
