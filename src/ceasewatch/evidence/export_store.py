"""An export folder read back as a log: what a party needs to recompute the verdicts on its own
machine from nothing but an export (evidence/export.py) and an agreement.

:class:`ExportStore` gives the read side of :class:`~ceasewatch.evidence.base.LogStore` over a
tlog-tiles export: the entries of the checkpoint's size, their hashes, the large entries kept in
``external/``, and — in a restricted export — the sealed values of ``restricted/``. It does not
verify the export: run :func:`~ceasewatch.evidence.verify.verify_export` first (``ceasewatch
replay --key`` does). It cannot write.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from ceasewatch.errors import InputError
from ceasewatch.evidence import merkle
from ceasewatch.evidence.base import CheckpointRow, EntryRow, LogReader, LogWriter, SealedRow
from ceasewatch.evidence.tiles import iter_entries


class ExportReader:
    """A consistent, read-only view of one export folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        try:
            body = (directory / "checkpoint").read_text(encoding="utf-8").split("\n")
            self._size = int(body[1])
        except (OSError, IndexError, ValueError) as exc:
            raise InputError(
                f"{directory}/checkpoint is missing or not a checkpoint; give the folder "
                "`ceasewatch export` wrote"
            ) from exc

    @cached_property
    def _leaves(self) -> list[bytes]:
        return list(iter_entries(self.directory, self._size))

    @cached_property
    def _levels(self) -> list[list[bytes]]:
        levels = [[merkle.leaf_hash(leaf) for leaf in self._leaves]]
        while len(levels[-1]) > 1:
            below = levels[-1]
            levels.append(
                [merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )
        return levels

    @cached_property
    def _sealed(self) -> list[SealedRow]:
        rows: list[SealedRow] = []
        folder = self.directory / "restricted"
        for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else ():
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                try:
                    item = json.loads(line)
                    rows.append(
                        SealedRow(
                            int(item["index"]),
                            str(item["path"]),
                            base64.b64decode(item["salt"]),
                            base64.b64decode(item["value"]),
                        )
                    )
                except (ValueError, KeyError, TypeError) as exc:
                    raise InputError(f"{path}:{n}: not a sealed value ({exc})") from exc
        rows.sort(key=lambda r: (r.index, r.path))
        return rows

    @property
    def has_restricted(self) -> bool:
        return (self.directory / "restricted").is_dir()

    def size(self) -> int:
        return self._size

    def subtree(self, level: int, index: int) -> bytes:
        try:
            return self._levels[level][index]
        except IndexError as exc:
            raise KeyError((level, index)) from exc

    def leaves(self, start: int, end: int) -> Iterator[bytes]:
        yield from self._leaves[start:end]

    def entry(self, index: int) -> EntryRow:
        leaf = self._leaves[index]
        return EntryRow(index, str(json.loads(leaf).get("kind", "")), leaf, 0)

    def find(self, source: str, record_ids: Sequence[str]) -> dict[str, list[tuple[bytes, int]]]:
        return {}

    def sealed(self, start: int, end: int) -> list[SealedRow]:
        return [row for row in self._sealed if start <= row.index < end]

    def externals(self, start: int, end: int) -> Iterator[tuple[int, bytes]]:
        for index in range(start, min(end, self._size)):
            leaf = json.loads(self._leaves[index])
            if leaf.get("kind") != "external":
                continue
            path = self.directory / "external" / str(leaf.get("sha256"))
            try:
                yield index, path.read_bytes()
            except OSError as exc:
                raise InputError(f"entry {index}: {path} is missing from the export") from exc

    def checkpoints(self) -> list[CheckpointRow]:
        return []

    def latest_checkpoint(self) -> CheckpointRow | None:
        return None

    def cosignatures(self, size: int) -> list[bytes]:
        return []

    def meta(self, key: str) -> str | None:
        return None


class ExportStore:
    """The :class:`~ceasewatch.evidence.base.LogStore` read side over an export folder."""

    def __init__(self, directory: Path) -> None:
        self.url = f"export:{directory}"
        self.reader = ExportReader(directory)

    @contextmanager
    def read(self) -> Iterator[LogReader]:
        yield self.reader

    @contextmanager
    def write(self) -> Iterator[LogWriter]:
        raise InputError(f"{self.url} is an export: it can be read, not written")
        yield  # pragma: no cover

    def close(self) -> None:
        return None
