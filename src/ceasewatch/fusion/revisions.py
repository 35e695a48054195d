"""The revision log of streaming fusion: what changed, when, for each event or incident.

A :class:`Ledger` holds the items (located events, or incidents) that streaming fusion has
emitted. Each time the open window is fused again, :meth:`Ledger.update` matches the new
candidates to the provisional items by the records they share and logs one :class:`Revision`
per change: ``created``, ``revised`` (records added or removed, moved, confidence changed) or
``withdrawn``; :meth:`Ledger.finalize` logs ``final`` for the items that left the window, which
are never revised again. The format of a revision is in docs/fusion-streaming.md.

Ids: an item keeps the id it was first emitted under, even when a revision would derive
another one from its content (a late pick with a smaller id); the revision names that
``derived_id``. A new item whose derived id is held by a live item takes its next
alternative (for events, the id of its next smallest pick).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ceasewatch.model.geo import geodesic_distance_m
from ceasewatch.model.time import format_ns

T = TypeVar("T")
KINDS = ("created", "revised", "withdrawn", "final")


@dataclass(frozen=True)
class Subject(Generic[T]):
    """How the ledger sees one kind of item (its noun, members, time, place, id)."""

    noun: str  # "event" | "incident": the JSON key is f"{noun}_id"
    derived_id: Callable[[T], str]  # the id its content gives
    alternatives: Callable[[T], Iterable[str]]  # ids to take, in order, when that one is held
    named: Callable[[T, str], T]  # the same item under a kept id
    members: Callable[[T], frozenset[str]]  # the records it explains
    t_ns: Callable[[T], int]  # the time that decides when it is final
    place: Callable[[T], tuple[float, float]]  # lon, lat
    confidence: Callable[[T], float]
    to_json: Callable[[T], dict[str, Any]]


@dataclass(frozen=True)
class Revision:
    """One logged change of one item."""

    noun: str
    item_id: str
    revision: int  # 1, 2, … per item id
    kind: str  # created | revised | withdrawn | final
    at_ns: int  # the stream's "now" when the change was made
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    moved_m: float | None = None
    confidence_before: float | None = None
    confidence_after: float | None = None
    derived_id: str | None = None  # what the content would be called, when the kept id differs
    state: Mapping[str, Any] | None = field(default=None, compare=False)  # after the change

    def to_json(self) -> dict[str, Any]:
        return {
            f"{self.noun}_id": self.item_id,
            "revision": self.revision,
            "kind": self.kind,
            "at": format_ns(self.at_ns, 3),
            "changes": {
                "added": list(self.added),
                "removed": list(self.removed),
                "moved_m": None if self.moved_m is None else round(self.moved_m, 1),
                "confidence_before": _round(self.confidence_before),
                "confidence_after": _round(self.confidence_after),
            },
            "derived_id": self.derived_id,
            self.noun: None if self.state is None else dict(self.state),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class Thresholds:
    """Below these a re-fused item with the same members is the same item (nothing logged)."""

    move_m: float = 1.0
    confidence: float = 0.01


class Ledger(Generic[T]):
    """The provisional and final items of one kind, and the revisions that made them."""

    def __init__(self, subject: Subject[T], thresholds: Thresholds | None = None) -> None:
        self.subject = subject
        self.thresholds = thresholds or Thresholds()
        self.provisional: dict[str, T] = {}
        self.final: dict[str, T] = {}
        self.consumed: set[str] = set()  # members of final items
        self.revisions: dict[str, int] = {}  # id → revisions logged
        self.first_emitted_ns: dict[str, int] = {}
        self.first_members: dict[str, frozenset[str]] = {}

    def finalize(self, horizon_ns: int, at_ns: int) -> list[Revision]:
        """Freeze the provisional items older than the horizon (all with ``horizon_ns=None``)."""
        out = []
        for item_id in sorted(self.provisional):
            item = self.provisional[item_id]
            if self.subject.t_ns(item) < horizon_ns:
                del self.provisional[item_id]
                self.final[item_id] = item
                self.consumed |= self.subject.members(item)
                out.append(self._log(item_id, "final", at_ns, item))
        return out

    def update(self, candidates: Iterable[T], at_ns: int) -> list[Revision]:
        """Replace the provisional items by ``candidates`` (the open window fused again)."""
        s = self.subject
        fresh = sorted(candidates, key=lambda c: (s.t_ns(c), s.derived_id(c)))
        pairs = _match(
            [s.members(c) for c in fresh], {i: s.members(v) for i, v in self.provisional.items()}
        )
        out: list[Revision] = []
        kept: dict[str, T] = {}
        for item_id in sorted(set(self.provisional) - set(pairs.values())):
            old = self.provisional[item_id]
            out.append(
                self._log(
                    item_id,
                    "withdrawn",
                    at_ns,
                    None,
                    removed=s.members(old),
                    before=s.confidence(old),
                )
            )
        for k, candidate in enumerate(fresh):
            if k in pairs:
                item_id = pairs[k]
                old = self.provisional[item_id]
                new = s.named(candidate, item_id)
                revision = self._revised(item_id, old, new, at_ns)
                if revision is not None:
                    out.append(revision)
                kept[item_id] = new if revision is not None else old
        held = set(kept) | set(self.final)
        for k, candidate in enumerate(fresh):
            if k in pairs:
                continue
            item_id = _free_id(s.alternatives(candidate), held)
            new = s.named(candidate, item_id)
            held.add(item_id)
            kept[item_id] = new
            self.first_emitted_ns.setdefault(item_id, at_ns)
            self.first_members.setdefault(item_id, s.members(new))
            out.append(
                self._log(
                    item_id, "created", at_ns, new, added=s.members(new), after=s.confidence(new)
                )
            )
        self.provisional = kept
        return out

    def _revised(self, item_id: str, old: T, new: T, at_ns: int) -> Revision | None:
        s = self.subject
        before, after = s.members(old), s.members(new)
        moved_m = float(geodesic_distance_m(*s.place(old), *s.place(new))[0])
        change = abs(s.confidence(new) - s.confidence(old))
        if (
            before == after
            and moved_m < self.thresholds.move_m
            and (change < self.thresholds.confidence)
        ):
            return None
        return self._log(
            item_id,
            "revised",
            at_ns,
            new,
            added=after - before,
            removed=before - after,
            moved_m=moved_m,
            before=s.confidence(old),
            after=s.confidence(new),
        )

    def _log(
        self,
        item_id: str,
        kind: str,
        at_ns: int,
        item: T | None,
        *,
        added: Iterable[str] = (),
        removed: Iterable[str] = (),
        moved_m: float | None = None,
        before: float | None = None,
        after: float | None = None,
    ) -> Revision:
        number = self.revisions.get(item_id, 0) + 1
        self.revisions[item_id] = number
        derived = None
        if item is not None and (d := self.subject.derived_id(item)) != item_id:
            derived = d
        return Revision(
            self.subject.noun,
            item_id,
            number,
            kind,
            at_ns,
            tuple(sorted(added)),
            tuple(sorted(removed)),
            moved_m,
            before,
            after,
            derived,
            None if item is None else self.subject.to_json(item),
        )


def _match(fresh: list[frozenset[str]], old: Mapping[str, frozenset[str]]) -> dict[int, str]:
    """New candidate index → old item id, greedily by shared members (most first)."""
    owner: dict[str, str] = {m: item_id for item_id, ms in old.items() for m in ms}
    scored = []
    for k, members in enumerate(fresh):
        counts: dict[str, int] = {}
        for m in members:
            if m in owner:
                counts[owner[m]] = counts.get(owner[m], 0) + 1
        for item_id, shared in counts.items():
            differ = len(members ^ old[item_id])
            scored.append((-shared, differ, item_id, k))
    pairs: dict[int, str] = {}
    taken: set[str] = set()
    for _shared, _differ, item_id, k in sorted(scored):
        if k not in pairs and item_id not in taken:
            pairs[k] = item_id
            taken.add(item_id)
    return pairs


def _free_id(alternatives: Iterable[str], held: set[str]) -> str:
    first = None
    for candidate in alternatives:
        first = first or candidate
        if candidate not in held:
            return candidate
    n = 2
    while f"{first}-{n}" in held:
        n += 1
    return f"{first}-{n}"
