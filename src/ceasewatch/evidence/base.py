"""The contract between the evidence log and the store that keeps it.

The log decides what is appended; a store keeps it durably. Every append happens inside one
exclusive write transaction: the store serialises writers (across processes), and when the
``with store.write()`` block ends without an exception, everything appended in it — entries,
tree nodes, idempotency keys, sealed values — is committed and on disk (fsynced) together, or,
after a crash, none of it is. Readers see committed states only.

Indexes are 0-based and dense: entry ``i`` exists for every ``i < size``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class EntryRow:
    """One entry as stored: its index, kind, public leaf, receive time, and the full bytes
    when the leaf is an ``external`` stand-in."""

    index: int
    kind: str
    leaf: bytes
    received_ns: int
    full: bytes | None = None


@dataclass(frozen=True)
class KeyRow:
    """An idempotency key: this content of this record id of this source is entry ``index``."""

    source: str
    record_id: str
    digest: bytes
    index: int


@dataclass(frozen=True)
class SealedRow:
    index: int
    path: str
    salt: bytes
    value: bytes


@dataclass(frozen=True)
class CheckpointRow:
    size: int
    root: bytes
    note: bytes
    created_ns: int


@dataclass(frozen=True)
class Node:
    """The hash of the perfect subtree of 2**level leaves starting at leaf index * 2**level."""

    level: int
    index: int
    hash: bytes


def table_rows(
    entries: Sequence[EntryRow],
    nodes: Sequence[Node],
    keys: Sequence[KeyRow],
    sealed: Sequence[SealedRow],
) -> list[tuple[str, str, list[tuple[object, ...]]]]:
    """The rows of one append, per table: (table, quoted column list, rows). Both stores write
    these; the tables are the same in both."""
    return [
        (
            "entries",
            'idx, kind, leaf, received_ns, "full"',
            [(e.index, e.kind, e.leaf, e.received_ns, e.full) for e in entries],
        ),
        ("nodes", "level, idx, hash", [(n.level, n.index, n.hash) for n in nodes]),
        (
            "record_keys",
            "source, record_id, digest, entry",
            [(k.source, k.record_id, k.digest, k.index) for k in keys],
        ),
        (
            "sealed",
            "entry, path, salt, value",
            [(s.index, s.path, s.salt, s.value) for s in sealed],
        ),
    ]


class LogReader(Protocol):
    """A consistent view of the log."""

    def size(self) -> int: ...

    def subtree(self, level: int, index: int) -> bytes:
        """The hash of a complete perfect subtree; KeyError if it is not complete."""
        ...

    def leaves(self, start: int, end: int) -> Iterator[bytes]:
        """The public leaves of entries ``start`` to ``end - 1``, in order."""
        ...

    def entry(self, index: int) -> EntryRow: ...

    def find(self, source: str, record_ids: Sequence[str]) -> dict[str, list[tuple[bytes, int]]]:
        """For each known record id: its (content digest, entry index) pairs, oldest first."""
        ...

    def sealed(self, start: int, end: int) -> list[SealedRow]:
        """The sealed values of entries ``start`` to ``end - 1``, by entry then path."""
        ...

    def externals(self, start: int, end: int) -> Iterator[tuple[int, bytes]]:
        """(index, full bytes) of the external entries in the range."""
        ...

    def checkpoints(self) -> list[CheckpointRow]:
        """Every signed checkpoint, by size."""
        ...

    def latest_checkpoint(self) -> CheckpointRow | None: ...

    def cosignatures(self, size: int) -> list[bytes]:
        """Witness cosignature lines collected for the checkpoint of this size."""
        ...

    def meta(self, key: str) -> str | None: ...


class LogWriter(LogReader, Protocol):
    """A reader that may also append; used only inside ``LogStore.write()``."""

    def append(
        self,
        entries: Sequence[EntryRow],
        nodes: Sequence[Node],
        keys: Sequence[KeyRow],
        sealed: Sequence[SealedRow],
    ) -> None: ...

    def add_checkpoint(self, row: CheckpointRow) -> None: ...

    def add_cosignature(self, size: int, line: bytes) -> None: ...

    def set_meta(self, key: str, value: str) -> None: ...


class LogStore(Protocol):
    """A place that keeps one evidence log."""

    url: str

    def write(self) -> AbstractContextManager[LogWriter]:
        """An exclusive, durable write transaction (see the module docstring)."""
        ...

    def read(self) -> AbstractContextManager[LogReader]: ...

    def close(self) -> None: ...
