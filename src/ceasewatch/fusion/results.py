"""The store's side of derived results: runs of a stage over the log, and their items.

Results are derived, not evidence: a pure function of the log (up to a size), the agreement and
the software version. So they live beside the log in the store, never in it: a **run** records
what it was computed from (``inputs``, JSON), a ``summary`` (JSON) and when it was made; its
**items** are its results, one row each, in output order, each with its id and JSON text.
Nothing is updated in place: a store keeps a run id once, with all its items, in one write
transaction. ``store/sqlite.py`` and ``store/postgres.py`` implement :class:`ResultStore` and
are tested on one suite (``tests/store/test_results.py``). :mod:`ceasewatch.fusion.saved` keeps
fusions this way.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ResultRun:
    """One run of a derived stage over the log; ``inputs`` and ``summary`` are JSON text."""

    run_id: str
    stage: str
    log_size: int
    inputs: str
    summary: str
    created_ns: int


@dataclass(frozen=True)
class ResultItem:
    """One result of a run: its kind, its place in the output, its id and its JSON text."""

    kind: str
    seq: int
    item_id: str
    body: str


class ResultReader(Protocol):
    def result_runs(self, stage: str) -> list[ResultRun]:
        """The runs of a stage, oldest first (by ``created_ns``, then id)."""
        ...

    def result_items(self, run_id: str, kind: str) -> list[ResultItem]:
        """The items of one kind of a run, by ``seq``."""
        ...


class ResultWriter(ResultReader, Protocol):
    def add_result_run(self, run: ResultRun, items: Sequence[ResultItem]) -> bool:
        """Keep a run and its items; ``False`` (and nothing written) when the run id is kept
        already."""
        ...


class ResultStore(Protocol):
    """A store that keeps derived results (both stores do; ``store.base.Store``)."""

    def read(self) -> AbstractContextManager[ResultReader]: ...

    def write(self) -> AbstractContextManager[ResultWriter]: ...
