"""The contract of a store: it keeps one evidence log (``evidence/base.py``: ``LogStore``) and
the results derived from it (``fusion/results.py``: ``ResultStore``), through one reader and
one writer. ``sqlite.py`` and ``postgres.py`` implement it; ``open.py`` picks one from a URL."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from ceasewatch.evidence.base import LogReader, LogWriter
from ceasewatch.fusion.results import ResultReader, ResultWriter
from ceasewatch.store.places import Found, Inside, Near


class PlaceReader(Protocol):
    """Where and when kept results happened (``store/places.py``)."""

    def places_near(self, run_id: str, kinds: Sequence[str], query: Near) -> list[Found]:
        """The items of a run within a distance of a point, nearest first."""
        ...

    def places_inside(self, run_id: str, kinds: Sequence[str], query: Inside) -> list[Found]:
        """The items of a run inside a polygon, in time order."""
        ...


class StoreReader(LogReader, ResultReader, PlaceReader, Protocol):
    """A consistent view of the log, the results kept beside it and where they happened."""


class StoreWriter(LogWriter, ResultWriter, Protocol):
    """An exclusive, durable write transaction over both."""


class Store(Protocol):
    """A place that keeps an evidence log and the results derived from it."""

    url: str

    def write(self) -> AbstractContextManager[StoreWriter]: ...

    def read(self) -> AbstractContextManager[StoreReader]: ...

    def close(self) -> None: ...
