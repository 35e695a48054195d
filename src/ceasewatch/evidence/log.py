"""The evidence log: append-only entries over a store, with idempotency, seals and checkpoints.

``EvidenceLog.append_records`` is the one way records enter: inside one write transaction it
looks up each record id, skips exact re-sends (idempotent), appends a new version next to the
old one when an id comes back with other content (``revision_of`` names the earlier entry),
checks the sensor's signature against the registry, seals restricted values, and writes the
leaves, the new tree nodes and the idempotency keys together. When it returns, all of it is
durable; after a crash, none of an unfinished batch is there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ceasewatch.errors import InputError
from ceasewatch.evidence import merkle
from ceasewatch.evidence.base import (
    CheckpointRow,
    EntryRow,
    KeyRow,
    LogStore,
    LogWriter,
    Node,
    SealedRow,
)
from ceasewatch.evidence.canonical import CanonicalError, Encoded, canonical, canonical_text
from ceasewatch.evidence.checkpoint import Checkpoint, sign_checkpoint
from ceasewatch.evidence.entry import (
    RESTRICTED,
    SALT_BYTES,
    Draft,
    SaltSource,
    Sealed,
    seal_raw,
    seal_record,
    store_form,
)
from ceasewatch.evidence.note import Signer
from ceasewatch.model.time import format_ns

SIGNATURE_FIELD = "signature_ed25519"


@dataclass(frozen=True)
class RecordIn:
    """One validated record on its way into the log."""

    source: str
    record_id: str
    record: Mapping[str, Any]
    raw: bytes
    source_time_ns: int | None
    signature: str | None = None


@dataclass(frozen=True)
class RecordOutcome:
    """What became of one record: ``new`` (appended), ``duplicate`` (an exact re-send of entry
    ``index``), ``revision`` (same id, other content: appended as ``index``, the earlier
    version is ``revision_of``) or ``rejected`` (not appended; ``reason`` says why)."""

    status: str
    index: int | None
    revision_of: int | None = None
    reason: str = ""


@dataclass
class _Batch:
    """Rows collected for one transaction."""

    entries: list[EntryRow] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    keys: list[KeyRow] = field(default_factory=list)
    sealed: list[SealedRow] = field(default_factory=list)


class EvidenceLog:
    """An append-only evidence log kept in a ``LogStore``."""

    def __init__(self, store: LogStore, *, salts: SaltSource) -> None:
        self.store = store
        self._salts = salts
        self._frontier: merkle.Frontier | None = None

    # ---- reading -------------------------------------------------------------------------

    def size(self) -> int:
        with self.store.read() as reader:
            return reader.size()

    def origin(self) -> str | None:
        with self.store.read() as reader:
            return reader.meta("origin")

    def root(self, size: int | None = None) -> bytes:
        with self.store.read() as reader:
            return merkle.root_from(reader.size() if size is None else size, reader.subtree)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        with self.store.read() as reader:
            return merkle.inclusion_proof_from(index, size, reader.subtree)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        with self.store.read() as reader:
            return merkle.consistency_proof_from(old_size, new_size, reader.subtree)

    def latest_checkpoint(self) -> CheckpointRow | None:
        with self.store.read() as reader:
            return reader.latest_checkpoint()

    # ---- appending -----------------------------------------------------------------------

    def append_records(
        self,
        items: Sequence[RecordIn],
        received_ns: int,
        *,
        receipt: Callable[[Sequence[RecordOutcome]], Mapping[str, Any] | None] | None = None,
    ) -> list[RecordOutcome]:
        """Append a batch of records in one durable transaction (see the module docstring).

        ``receipt``, given the outcomes, may return the body of a ``receipt`` entry, appended
        after the records in the same transaction (the JetStream consumer's per-batch receipt).
        """
        outcomes: list[RecordOutcome | None] = [None] * len(items)
        with self._appending() as txn:
            known = self._known(txn.writer, items)
            keys_by_sensor = _registry(txn.writer, items)
            received = format_ns(received_ns, 9)
            for position, item in enumerate(items):
                try:
                    text = canonical_text(item.record)
                    digest = hashlib.sha256(text.encode("utf-8")).digest()
                except (CanonicalError, UnicodeEncodeError) as exc:
                    outcomes[position] = RecordOutcome(
                        "rejected", None, reason=f"the record has no canonical JSON form: {exc}"
                    )
                    continue
                versions = known.setdefault((item.source, item.record_id), [])
                same = next((index for d, index in versions if d == digest), None)
                if same is not None:
                    outcomes[position] = RecordOutcome("duplicate", same)
                    continue
                status, reason = _signature_status(item, keys_by_sensor)
                if status == "invalid":
                    outcomes[position] = RecordOutcome("rejected", None, reason=reason)
                    continue
                previous = versions[-1][1] if versions else None
                draft = self._record_draft(item, text, received, status, previous)
                index = txn.append(draft, received_ns)
                txn.batch.keys.append(KeyRow(item.source, item.record_id, digest, index))
                versions.append((digest, index))
                if item.source == "sensors":
                    key = _public_key(item.record)
                    if key is not None:
                        keys_by_sensor[item.record_id] = key
                outcomes[position] = (
                    RecordOutcome("new", index)
                    if previous is None
                    else RecordOutcome("revision", index, previous)
                )
            body = receipt([o for o in outcomes if o is not None]) if receipt else None
            if body is not None:
                txn.append(Draft("receipt", body), received_ns)
        return [o for o in outcomes if o is not None]

    def append_event(self, kind: str, body: Mapping[str, Any], received_ns: int) -> int:
        """Append one receipt, custody or review entry; returns its index."""
        if kind not in ("receipt", "custody", "review"):
            raise ValueError(f"not an event kind: {kind}")
        with self._appending() as txn:
            index = txn.append(Draft(kind, body), received_ns)
        return index

    @contextmanager
    def _appending(self) -> Iterator[_Txn]:
        """A write transaction; the cached frontier survives only a successful commit."""
        cached, self._frontier = self._frontier, None
        with self.store.write() as writer:
            size = writer.size()
            if cached is None or cached.size != size:
                cached = merkle.Frontier.from_nodes(size, writer.subtree)
            txn = _Txn(writer, cached, self._salts)
            yield txn
            b = txn.batch
            writer.append(b.entries, b.nodes, b.keys, b.sealed)
        self._frontier = txn.frontier

    def _known(
        self, writer: LogWriter, items: Sequence[RecordIn]
    ) -> dict[tuple[str, str], list[tuple[bytes, int]]]:
        by_source: dict[str, list[str]] = {}
        for item in items:
            by_source.setdefault(item.source, []).append(item.record_id)
        known: dict[tuple[str, str], list[tuple[bytes, int]]] = {}
        for source, ids in by_source.items():
            for record_id, pairs in writer.find(source, ids).items():
                known[(source, record_id)] = list(pairs)
        return known

    def _record_draft(
        self,
        item: RecordIn,
        text: Encoded,
        received: str,
        signature_status: str,
        previous: int | None,
    ) -> Draft:
        public: Any = text
        sealed: tuple[Sealed, ...] = ()
        if item.source in RESTRICTED or SIGNATURE_FIELD in item.record:
            opened, sealed = seal_record(item.source, item.record, self._salts)
            opened.pop(SIGNATURE_FIELD, None)
            public = canonical_text(opened)
        raw = seal_raw(item.raw, self._salts)
        body: dict[str, Any] = {
            "source": item.source,
            "record_id": item.record_id,
            "received": received,
            "source_time": None
            if item.source_time_ns is None
            else format_ns(item.source_time_ns, 9),
            "raw": {"seal": raw.seal, "bytes": len(item.raw)},
            "record": public,
            "signature": {"status": signature_status},
        }
        extra: tuple[Sealed, ...] = ()
        if item.signature is not None:
            if sealed:
                # A signature over restricted values would let a guesser test guesses.
                hidden = Sealed("signature", self._salts(SALT_BYTES), item.signature.encode())
                body["signature"]["seal"] = hidden.seal
                extra = (hidden,)
            else:
                body["signature"]["value"] = item.signature
        if previous is not None:
            body["revision_of"] = previous
        return Draft("record", body, (raw, *sealed, *extra))

    # ---- checkpoints ---------------------------------------------------------------------

    def checkpoint(self, signer: Signer, now_ns: int) -> CheckpointRow:
        """Sign the current tree head (or return the latest checkpoint if nothing grew)."""
        with self.store.write() as writer:
            origin = writer.meta("origin")
            if origin is None:
                writer.set_meta("origin", signer.name)
            elif origin != signer.name:
                raise InputError(
                    f"this log's origin is {origin!r} but the key is named {signer.name!r}; "
                    "use the log's own key"
                )
            size = writer.size()
            latest = writer.latest_checkpoint()
            if latest is not None and latest.size == size:
                return latest
            root = merkle.root_from(size, writer.subtree)
            note = sign_checkpoint(Checkpoint(signer.name, size, root), signer)
            row = CheckpointRow(size, root, note, now_ns)
            writer.add_checkpoint(row)
            return row

    def add_cosignatures(self, size: int, lines: Iterable[bytes]) -> None:
        with self.store.write() as writer:
            for line in lines:
                writer.add_cosignature(size, line)

    def published(self, row: CheckpointRow) -> bytes:
        """The checkpoint note with every witness cosignature collected for it."""
        with self.store.read() as reader:
            extra = reader.cosignatures(row.size)
        return row.note + b"".join(line if line.endswith(b"\n") else line + b"\n" for line in extra)


class _Txn:
    """One append transaction: hands out indexes and collects rows and tree nodes."""

    def __init__(self, writer: LogWriter, frontier: merkle.Frontier, salts: SaltSource) -> None:
        self.writer = writer
        self.frontier = frontier
        self.salts = salts
        self.batch = _Batch()

    def append(self, draft: Draft, received_ns: int) -> int:
        stored = store_form(draft, self.salts)
        index = self.frontier.size
        for level, node_index, digest in self.frontier.append(merkle.leaf_hash(stored.leaf)):
            self.batch.nodes.append(Node(level, node_index, digest))
        self.batch.entries.append(
            EntryRow(index, draft.kind, stored.leaf, received_ns, stored.full)
        )
        self.batch.sealed.extend(SealedRow(index, s.path, s.salt, s.value) for s in stored.sealed)
        return index


def _registry(writer: LogWriter, items: Sequence[RecordIn]) -> dict[str, bytes]:
    """Public keys of the sensors that signed records in this batch, from the registry."""
    wanted = sorted(
        {
            str(item.record.get("sensor_id"))
            for item in items
            if item.signature is not None and item.source != "sensors"
        }
    )
    keys: dict[str, bytes] = {}
    if not wanted:
        return keys
    for sensor_id, versions in writer.find("sensors", wanted).items():
        leaf = json.loads(writer.entry(versions[-1][1]).leaf)
        key = _public_key(leaf.get("record", {}))
        if key is not None:
            keys[sensor_id] = key
    return keys


def _public_key(feature: Mapping[str, Any]) -> bytes | None:
    properties = feature.get("properties")
    text = properties.get("public_key") if isinstance(properties, Mapping) else None
    if not isinstance(text, str):
        return None
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return key if len(key) == 32 else None


def signed_message(record: Mapping[str, Any]) -> bytes:
    """What a sensor signs: the RFC 8785 bytes of its record without ``signature_ed25519``."""
    return canonical({k: v for k, v in record.items() if k != SIGNATURE_FIELD})


def _signature_status(item: RecordIn, keys: Mapping[str, bytes]) -> tuple[str, str]:
    if item.signature is None:
        return "unsigned", ""
    sensor_id = str(item.record.get("sensor_id", ""))
    key = keys.get(sensor_id)
    if key is None:
        return "unverified", ""
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(
            base64.b64decode(item.signature), signed_message(item.record)
        )
    except (InvalidSignature, ValueError, binascii.Error):
        return "invalid", (
            f"the signature does not verify with the registered key of sensor {sensor_id}; "
            "resend the record exactly as the sensor signed it, or register the sensor's key"
        )
    return "valid", ""
