"""Per-(contributor, source) sequence numbers: what a contributor sent, what ingest has seen.

A contributor numbers the records it publishes per source from 1 (the ``Ceasewatch-Seq``
header). The publisher keeps its highest number in a small JSON state file
(:class:`SentState`); the consumer records every number it has seen in a small SQLite file
next to the store (:class:`SeenSequences`, table ``seen``), so :meth:`SeenSequences.gaps` can
tell each contributor which numbers never arrived, for it to resend.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ceasewatch.errors import InputError


@dataclass(frozen=True)
class Gap:
    """The sequences of one (contributor, source): the highest seen and the missing ranges
    (inclusive ``(first, last)`` pairs) below it."""

    contributor: str
    source: str
    highest: int
    missing: tuple[tuple[int, int], ...]

    def describe(self) -> str:
        ranges = ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in self.missing)
        return (
            f"{self.contributor} {self.source}: highest {self.highest}, missing {ranges or 'none'}"
        )


class SentState:
    """The publisher's highest sequence per (contributor, source), in a JSON file.

    Several publishers may share one file (one per source, say): :meth:`save` rewrites it under
    an exclusive lock (``<file>.lock``), re-reading the other publishers' numbers first, so none
    overwrites another's. Two publishers of the *same* contributor and source would hand out the
    same numbers: :meth:`claim` holds a lock of that pair for the whole publication and refuses a
    second one.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._highest: dict[str, int] = self._read()

    def _read(self) -> dict[str, int]:
        try:
            text = self.path.read_text(encoding="utf-8") if self.path.exists() else "{}"
            loaded = json.loads(text)
        except (OSError, ValueError) as exc:
            raise InputError(
                f"{self.path}: cannot read the sequence state ({exc}); fix or remove the file "
                "(removing it restarts the numbering at 1)"
            ) from exc
        if not isinstance(loaded, dict) or not all(isinstance(v, int) for v in loaded.values()):
            raise InputError(f'{self.path}: not a sequence state; expected {{"UK/picks": 12}}')
        return loaded

    def highest(self, contributor: str, source: str) -> int:
        return self._highest.get(f"{contributor}/{source}", 0)

    def save(self, contributor: str, source: str, highest: int) -> None:
        key = f"{contributor}/{source}"
        with _locked(self.path.with_name(self.path.name + ".lock"), wait=True):
            current = self._read()  # the other publishers' latest numbers
            current[key] = highest
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps(current, indent=1, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
        self._highest = current

    @contextmanager
    def claim(self, contributor: str, source: str) -> Iterator[None]:
        """Hold (contributor, source) for one publisher; another one gets an :class:`InputError`."""
        pair = hashlib.sha256(f"{contributor}/{source}".encode()).hexdigest()[:16]
        lock = self.path.with_name(f"{self.path.name}.{pair}.lock")
        try:
            with _locked(lock, wait=False):
                yield
        except BlockingIOError:
            raise InputError(
                f"another publisher is sending {source} of {contributor} with {self.path}; "
                "wait for it to finish (two would number the same records alike)"
            ) from None


@contextmanager
def _locked(path: Path, *, wait: bool) -> Iterator[None]:
    """An exclusive advisory lock (``flock``) on ``path``, created if missing."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SeenSequences:
    """The sequences the consumer has seen, in a SQLite file (table ``seen``)."""

    def __init__(self, path: Path) -> None:
        try:
            self._db = sqlite3.connect(path)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS seen (contributor TEXT NOT NULL, source TEXT NOT NULL,"
                " seq INTEGER NOT NULL, PRIMARY KEY (contributor, source, seq))"
            )
            self._db.commit()
        except sqlite3.Error as exc:
            message = f"{path}: cannot open the sequence table ({exc}); check the path"
            raise InputError(message) from exc

    def record(self, seen: Iterable[tuple[str, str, int]]) -> None:
        with self._db:
            self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", list(seen))

    def gaps(self) -> list[Gap]:
        rows = self._db.execute(
            "SELECT contributor, source, seq FROM seen ORDER BY contributor, source, seq"
        ).fetchall()
        report: list[Gap] = []
        current: tuple[str, str] | None = None
        missing: list[tuple[int, int]] = []
        last = 0
        for contributor, source, seq in [*rows, (None, None, 0)]:
            if (contributor, source) != current:
                if current is not None:
                    report.append(Gap(current[0], current[1], last, tuple(missing)))
                current, missing, last = (contributor, source), [], 0
            if seq > last + 1:
                missing.append((last + 1, seq - 1))
            last = seq
        return report

    def close(self) -> None:
        self._db.close()
