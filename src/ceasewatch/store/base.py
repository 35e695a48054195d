"""The contract of a store: it keeps one evidence log (``evidence/base.py``: ``LogStore``) and
the results derived from it (``fusion/results.py``: ``ResultStore``), through one reader and
one writer. ``sqlite.py`` and ``postgres.py`` implement it; ``open.py`` picks one from a URL."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from ceasewatch.evidence.base import LogReader, LogWriter
from ceasewatch.fusion.results import ResultReader, ResultWriter


class StoreReader(LogReader, ResultReader, Protocol):
    """A consistent view of the log and the results kept beside it."""


class StoreWriter(LogWriter, ResultWriter, Protocol):
    """An exclusive, durable write transaction over both."""


class Store(Protocol):
    """A place that keeps an evidence log and the results derived from it."""

    url: str

    def write(self) -> AbstractContextManager[StoreWriter]: ...

    def read(self) -> AbstractContextManager[StoreReader]: ...

    def close(self) -> None: ...
