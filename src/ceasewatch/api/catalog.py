"""What the service reads: a state folder (the store and ``adjudication/``), kept fresh.

The adjudication files are read again when they change on disk. The evidence log is indexed
once (which source, record, sensor and owner each entry is) and the index is extended as the
log grows, so ownership questions — is this entry one of a contributor's own sensors', one of a
party's own complaints — are answered without reading the log again.
"""

from __future__ import annotations

import json
import threading
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from ceasewatch.errors import InputError
from ceasewatch.fusion.files import read_jsonl
from ceasewatch.store.base import Store

Row = dict[str, Any]


@dataclass(frozen=True)
class EntryOwner:
    """Who an entry of the log belongs to, as far as access goes (records only: receipts,
    custody, reviews and checkpoints have none)."""

    source: str | None
    sensor_id: str | None  # the sensor a record came from (or a registry entry describes)
    party: str | None  # the party that submitted it (complaints)


NOBODY = EntryOwner(None, None, None)


class OwnerIndex(Sequence[EntryOwner]):
    """Entry index → :class:`EntryOwner`, four bytes an entry: the owners are few (a source,
    a sensor, a party), so each entry keeps the number of its owner. A log of millions of
    entries costs megabytes, not gigabytes."""

    def __init__(self) -> None:
        self._codes = array("l")
        self._owners: list[EntryOwner] = []
        self._code_of: dict[EntryOwner, int] = {}

    def append(self, owner: EntryOwner) -> None:
        code = self._code_of.get(owner)
        if code is None:
            code = self._code_of[owner] = len(self._owners)
            self._owners.append(owner)
        self._codes.append(code)

    def __len__(self) -> int:
        return len(self._codes)

    @overload
    def __getitem__(self, index: int) -> EntryOwner: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[EntryOwner]: ...
    def __getitem__(self, index: int | slice) -> EntryOwner | Sequence[EntryOwner]:
        if isinstance(index, slice):
            return [self._owners[c] for c in self._codes[index]]
        return self._owners[self._codes[index]]


@dataclass
class Catalog:
    """The state folder the service answers from."""

    folder: Path
    store: Store
    _files: dict[str, tuple[float, Any]] = field(default_factory=dict)
    _owners: OwnerIndex = field(default_factory=OwnerIndex)
    _sensor_owner: dict[str, str] = field(default_factory=dict)
    _reviews: list[Any] = field(default_factory=list)
    _reviews_to: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def adjudication(self) -> Path:
        return self.folder / "adjudication"

    # -- adjudication files -----------------------------------------------------------------

    def rows(self, name: str) -> list[Row]:
        """The rows of ``adjudication/<name>`` (JSON Lines), or [] when it is not there."""
        path = self.adjudication / name
        try:
            stamp = path.stat().st_mtime
        except FileNotFoundError:
            return []
        cached = self._files.get(name)
        if cached is not None and cached[0] == stamp:
            return list(cached[1])
        rows = list(read_jsonl(path, fix="rerun ceasewatch adjudicate"))
        self._files[name] = (stamp, rows)
        return list(rows)

    def document(self, name: str) -> Row | None:
        path = self.adjudication / name
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: cannot read ({exc}); rerun ceasewatch adjudicate") from exc
        return body if isinstance(body, dict) else None

    def violations(self) -> list[Row]:
        return self.rows("violations.jsonl")

    def complaints(self) -> list[Row]:
        return self.rows("complaint-answers.jsonl")

    def parties(self) -> list[str]:
        verdicts = self.document("verdicts.json") or {}
        names = verdicts.get("parties")
        if isinstance(names, list) and names:
            return [str(p) for p in names]
        found = {p for v in self.violations() for p in (v.get("responsible") or {})}
        return sorted(found - {"unknown"})

    def reviews(self) -> list[Any]:
        """The log's review entries, read on from where the last call stopped."""
        from ceasewatch.adjudication.review import read_reviews_to

        with self._lock:
            more, size = read_reviews_to(self.store, self._reviews_to)
            self._reviews.extend(more)
            self._reviews_to = size
            return list(self._reviews)

    def statuses(self) -> dict[str, str]:
        """Violation id → its status after the analysts' reviews (the automatic one where no
        review settled it)."""
        from ceasewatch.adjudication.review_fold import review_states

        states = review_states(self.reviews(), self.violations())
        return {vid: s.human_status or s.auto_status or "auto" for vid, s in states.items()}

    def reviewed_violations(self) -> list[Row]:
        """The violations with their status after the analysts' reviews."""
        statuses = self.statuses()
        return [{**v, "status": statuses.get(str(v.get("violation_id")), v.get("status"))}
                for v in self.violations()]  # fmt: skip

    def concerning(self, party: str) -> list[Row]:
        """The reviewed violations that concern ``party`` (:func:`ceasewatch.api.views.concerns`:
        it may be responsible, or it complained of them)."""
        from ceasewatch.api.views import concerns

        complained = frozenset(
            str(vid) for c in self.complaints() if c.get("party") == party
            for vid in c.get("violation_ids") or ()
        )  # fmt: skip
        return [v for v in self.reviewed_violations() if concerns(party, v, complained)]

    # -- the log's index --------------------------------------------------------------------

    def owners(self) -> OwnerIndex:
        """Who each entry of the log belongs to (index = entry index)."""
        with self._lock:
            with self.store.read() as log:
                size = log.size()
                start = len(self._owners)
                if start < size:  # one read of the new leaves, not one query per entry
                    for leaf in log.leaves(start, size):
                        self._owners.append(self._owner(leaf))
            return self._owners

    def sensor_owner(self, sensor_id: str | None) -> str | None:
        """The contributing state of a sensor, from the registry entries logged so far (a
        record logged before its sensor's registry entry is owned once the entry arrives)."""
        self.owners()
        return None if sensor_id is None else self._sensor_owner.get(sensor_id)

    def sensor_ids(self) -> list[str]:
        self.owners()
        return sorted(self._sensor_owner)

    def _owner(self, leaf: bytes) -> EntryOwner:
        try:
            body = json.loads(leaf)
        except json.JSONDecodeError:
            return NOBODY
        if body.get("kind") != "record":  # receipts, custody, reviews, checkpoints: no owner
            return NOBODY
        found = body.get("record")
        record: dict[str, Any] = found if isinstance(found, dict) else {}
        source = body.get("source")
        inner = record.get("properties")
        props: dict[str, Any] = inner if isinstance(inner, dict) else {}
        sensor = record.get("sensor_id") or props.get("sensor_id")
        if source == "sensors" and sensor and props.get("owner"):
            self._sensor_owner[str(sensor)] = str(props["owner"])
        party = record.get("party") if source == "complaints" else None
        return EntryOwner(
            None if source is None else str(source),
            None if sensor is None else str(sensor),
            None if party is None else str(party),
        )
