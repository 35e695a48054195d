"""Log entries: what one leaf of the evidence log holds, and how restricted values are sealed.

A leaf is the RFC 8785 canonical JSON of one entry object::

    {"format": "ceasewatch-evidence/1", "kind": "record", ...}

Kinds:

- ``record`` — one accepted record of a source (picks, tracks, …, sensors): the source, its id,
  the receive time and the source's own time side by side, the record with restricted fields
  sealed, the salted commitment of the exact received bytes, the sensor's signature and its
  status, and ``revision_of`` when the same id arrived before with other content.
- ``receipt`` — one file or batch received: its name, format, size, the counts of new,
  duplicate, revised and rejected records and the lines and fields of the rejected ones.
- ``custody`` — an export, disclosure or derivation of raw evidence.
- ``review`` — an analyst's decision (written by the adjudication stage).
- ``external`` — the stand-in for an entry too large for a tlog-tiles bundle (more than 65,535
  bytes): it holds the entry's size, its salted SHA-256 and the salt; the entry itself is kept
  beside the log (``external/<sha256>`` in an export).

A **seal** commits to a restricted value without revealing it: ``SHA-256("ceasewatch-seal/1\\n"
‖ salt ‖ value)`` with a fresh 32-byte salt per value. The public leaf holds ``{"seal": hex}``
in the value's place; the store keeps salt and value, and whoever is shown both can check them
against the public log. A 32-byte salt makes guessing a position or a payload hopeless.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ceasewatch.evidence.canonical import canonical

ENTRY_FORMAT = "ceasewatch-evidence/1"
MAX_LEAF_BYTES = 65_535
SALT_BYTES = 32
KINDS = ("record", "receipt", "custody", "review", "external")
SEAL_PREFIX = b"ceasewatch-seal/1\n"

# Salt source: a callable giving n random bytes; ``os.urandom`` at the edges, seeded in tests.
SaltSource = Callable[[int], bytes]

# Restricted fields per source: sensor positions and elevations, an observer's own position.
# Paths are dotted keys into the record. The raw bytes are always sealed (path "raw").
RESTRICTED: Mapping[str, tuple[str, ...]] = {
    "sensors": ("geometry", "properties.elev_m"),
    "reports": ("observer",),
}


def seal_hash(salt: bytes, value: bytes) -> bytes:
    return hashlib.sha256(SEAL_PREFIX + salt + value).digest()


@dataclass(frozen=True)
class Sealed:
    """A restricted value: the bytes committed to (canonical JSON, or the raw bytes for
    ``raw``) and the salt. Only the store and those it is disclosed to see these."""

    path: str
    salt: bytes
    value: bytes

    @property
    def seal(self) -> str:
        return seal_hash(self.salt, self.value).hex()


@dataclass(frozen=True)
class Draft:
    """An entry about to be appended: its public object and the sealed values behind it."""

    kind: str
    body: Mapping[str, Any]
    sealed: tuple[Sealed, ...] = ()

    def leaf(self) -> bytes:
        return canonical({"format": ENTRY_FORMAT, "kind": self.kind, **self.body})


@dataclass(frozen=True)
class Stored:
    """What the store keeps for one entry: the public leaf, and, when the entry was too large
    for a leaf, the full entry bytes the leaf stands in for."""

    leaf: bytes
    full: bytes | None
    sealed: tuple[Sealed, ...]


def store_form(draft: Draft, salts: SaltSource) -> Stored:
    """The leaf for a draft; an entry over 65,535 bytes becomes an ``external`` stand-in."""
    full = draft.leaf()
    if len(full) <= MAX_LEAF_BYTES:
        return Stored(full, None, draft.sealed)
    salt = salts(SALT_BYTES)
    stand_in = canonical(
        {
            "format": ENTRY_FORMAT,
            "kind": "external",
            "of": draft.kind,
            "bytes": len(full),
            "sha256": external_digest(salt, full).hex(),
            "salt": base64.b64encode(salt).decode(),
        }
    )
    return Stored(stand_in, full, draft.sealed)


def external_digest(salt: bytes, full: bytes) -> bytes:
    return hashlib.sha256(salt + full).digest()


def seal_record(
    source: str, record: Mapping[str, Any], salts: SaltSource
) -> tuple[dict[str, Any], tuple[Sealed, ...]]:
    """The record with its restricted fields replaced by seals, and the sealed values."""
    public: dict[str, Any] = _copy(record)
    sealed: list[Sealed] = []
    for path in RESTRICTED.get(source, ()):
        parent, key = _parent(public, path)
        if parent is None or key not in parent:
            continue
        item = Sealed(path, salts(SALT_BYTES), canonical(parent[key]))
        parent[key] = {"seal": item.seal}
        sealed.append(item)
    return public, tuple(sealed)


def seal_raw(raw: bytes, salts: SaltSource) -> Sealed:
    return Sealed("raw", salts(SALT_BYTES), raw)


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value


def _parent(obj: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    *heads, key = path.split(".")
    node: Any = obj
    for head in heads:
        node = node.get(head) if isinstance(node, dict) else None
        if node is None:
            return None, key
    return (node if isinstance(node, dict) else None), key


def check_seal(leaf_value: Any, sealed: Sealed) -> bool:
    """Does a seal in a public leaf match a disclosed (salt, value)?"""
    return isinstance(leaf_value, Mapping) and leaf_value.get("seal") == sealed.seal
