"""NATS JetStream as the sensor transport.

A contributor publishes each record (one JSON line) as one message on the subject
``<prefix>.<source>.<contributor>`` (``ceasewatch.picks.UK``) of one stream over ``<prefix>.>``
(``CEASEWATCH`` unless told), with two headers: ``Ceasewatch-Seq``, its own sequence per
(contributor, source) from 1 (:mod:`.sequences`), and ``Nats-Msg-Id`` =
``<contributor>/<source>/<record id>``, so JetStream's de-duplication window drops a resend.

The consumer is a durable pull consumer with explicit acks. Each fetched batch is checked by the
source's adapter; its good records go to the evidence log in one durable transaction (the code
path of :func:`ceasewatch.ingest.run.ingest_bytes`), then the sequences seen are recorded, and
only then is every message of the batch acknowledged. A message that dies before its ack is
redelivered and appends nothing: its record is already in the log by id (a duplicate). A bad
record, an unknown subject or a missing header is rejected (quarantined when a folder is given)
and acknowledged, never redelivered.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import nats
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from nats.js.errors import NotFoundError

from ceasewatch.errors import InputError
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.ingest.adapters import ADAPTERS
from ceasewatch.ingest.base import Accepted, Rejected
from ceasewatch.ingest.quarantine import write_quarantine
from ceasewatch.ingest.run import IngestResult, commit_batch
from ceasewatch.ingest.sequences import SeenSequences, SentState

STREAM = "CEASEWATCH"
PREFIX = "ceasewatch"
DURABLE = "ceasewatch-ingest"
SEQ_HEADER = "Ceasewatch-Seq"


@dataclass(frozen=True)
class PublishResult:
    """What one publish gave: messages stored, dropped as repeats, and the last sequence."""

    sent: int
    duplicate: int
    last_seq: int


@dataclass(frozen=True)
class ConsumeResult:
    """What one consume gave; ``acked`` counts every acknowledged message."""

    new: int
    duplicate: int
    revision: int
    rejected: tuple[Rejected, ...]
    acked: int


def publish_file(
    url: str,
    path: Path,
    source: str,
    contributor: str,
    *,
    stream: str = STREAM,
    prefix: str = PREFIX,
    state: Path | None = None,
) -> PublishResult:
    """Publish every line of ``path`` as one message; the sequence state lives in ``state``
    (default ``.ceasewatch-seq.json`` beside the file)."""
    adapter = ADAPTERS.get(source)
    if adapter is None:
        raise InputError(f"--source {source!r}: give one of {', '.join(ADAPTERS)}")
    if not contributor or any(c in contributor for c in ".*> /"):
        raise InputError(f"--contributor {contributor!r}: give a name without . * > / or spaces")
    try:
        lines = [line for line in path.read_bytes().splitlines() if line.strip()]
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}; check the path") from exc
    sent = SentState(state or path.parent / ".ceasewatch-seq.json")
    ids = []
    for line in lines:
        parsed = next(iter(adapter.parse(line)), None)
        ids.append(parsed.record_id if parsed is not None and parsed.record_id else None)
        if ids[-1] is None:
            ids[-1] = "sha256:" + hashlib.sha256(line).hexdigest()
    subject = f"{prefix}.{source}.{contributor}"

    async def run() -> PublishResult:
        nc = await _connect(url)
        try:
            js = nc.jetstream()
            await ensure_stream(js, stream, prefix)
            seq, stored, repeats = sent.highest(contributor, source), 0, 0
            for line, record_id in zip(lines, ids, strict=True):
                headers = {
                    SEQ_HEADER: str(seq + 1),
                    "Nats-Msg-Id": f"{contributor}/{source}/{record_id}",
                }
                ack = await js.publish(subject, line, stream=stream, headers=headers)
                if ack.duplicate:  # dropped by JetStream: the number stays free
                    repeats += 1
                    continue
                seq, stored = seq + 1, stored + 1
                sent.save(contributor, source, seq)
            return PublishResult(stored, repeats, seq)
        finally:
            await nc.close()

    return asyncio.run(run())


async def ensure_stream(js: Any, stream: str, prefix: str = PREFIX) -> None:
    """Create the stream over ``<prefix>.>`` unless it exists."""
    try:
        await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(StreamConfig(name=stream, subjects=[f"{prefix}.>"]))


def consume(
    url: str,
    log: EvidenceLog,
    *,
    seen: SeenSequences,
    clock_ns: Callable[[], int],
    stream: str = STREAM,
    prefix: str = PREFIX,
    durable: str = DURABLE,
    batch: int = 500,
    max_messages: int | None = None,
    idle_s: float = 2.0,
    ack_wait_s: float = 30.0,
    quarantine_dir: Path | None = None,
    after_commit: Callable[[], None] | None = None,
) -> ConsumeResult:
    """Consume until ``max_messages`` were handled or nothing came for ``idle_s`` seconds.

    ``after_commit`` runs between commit and ack (a test hook: raising there leaves the batch
    committed but unacknowledged, as a crash would).
    """
    total: Counter[str] = Counter()
    rejected: list[Rejected] = []

    async def run() -> None:
        nc = await _connect(url)
        try:
            js = nc.jetstream()
            await ensure_stream(js, stream, prefix)
            config = ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT, ack_wait=ack_wait_s, max_deliver=-1
            )
            sub = await js.pull_subscribe(
                f"{prefix}.>", durable=durable, stream=stream, config=config
            )
            while max_messages is None or total["handled"] < max_messages:
                want = (
                    batch if max_messages is None else min(batch, max_messages - total["handled"])
                )
                try:
                    msgs = await sub.fetch(want, timeout=idle_s)
                except NatsTimeout:
                    return
                result = _commit(log, msgs, prefix, seen, clock_ns)
                if after_commit:
                    after_commit()
                for msg in msgs:
                    await msg.ack_sync()
                total.update(result.counts)
                total["handled"] += len(msgs)
                total["acked"] += len(msgs)
                rejected.extend(result.rejected)
        finally:
            await nc.close()

    asyncio.run(run())
    if rejected and quarantine_dir is not None:
        for kind in sorted({r.kind for r in rejected}):
            mine = [r for r in rejected if r.kind == kind]
            write_quarantine(quarantine_dir, f"nats-{stream}.jsonl", kind, mine, str(clock_ns()))
    return ConsumeResult(
        total["new"], total["duplicate"], total["revision"], tuple(rejected), total["acked"]
    )


def _commit(
    log: EvidenceLog,
    msgs: list[Any],
    prefix: str,
    seen: SeenSequences,
    clock_ns: Callable[[], int],
) -> IngestResult:
    """Check a batch, append its good records in one transaction, record the sequences."""
    result = IngestResult(f"nats:{prefix}", "stream")
    good: list[Accepted] = []
    numbers: list[tuple[str, str, int]] = []
    for msg in msgs:
        item, key = _check(msg, prefix)
        if key is not None:
            numbers.append(key)
        if isinstance(item, Rejected):
            result.rejected.append(item)
        else:
            good.append(item)
    if good:
        commit_batch(log, good, clock_ns(), result, None)
    seen.record(numbers)
    return result


def _check(msg: Any, prefix: str) -> tuple[Accepted | Rejected, tuple[str, str, int] | None]:
    """One message's record (its ``line`` set to its sequence), and its (contributor, source,
    sequence) when the subject and header could be read."""
    data: bytes = msg.data
    parts = msg.subject.split(".")
    source = parts[-2] if len(parts) >= 3 else ""
    if parts[:-2] != prefix.split(".") or source not in ADAPTERS:
        fix = f"publish to {prefix}.<source>.<contributor> with a source of {', '.join(ADAPTERS)}"
        return _bad(source, 0, "subject", f"unknown subject {msg.subject!r}", fix, data), None
    header = (msg.headers or {}).get(SEQ_HEADER, "")
    if not header.isdigit() or int(header) < 1:
        fix = f"send a {SEQ_HEADER} header: the contributor's number, from 1"
        return _bad(source, 0, SEQ_HEADER, f"missing or bad header {header!r}", fix, data), None
    seq = int(header)
    key = (parts[-1], source, seq)
    items = list(ADAPTERS[source].parse(data))
    if len(items) != 1:
        fix = "publish one record (one JSON line) per message"
        return _bad(source, seq, "", f"{len(items)} records in one message", fix, data), key
    return replace(items[0], line=seq), key


def _bad(kind: str, line: int, field: str, reason: str, fix: str, raw: bytes) -> Rejected:
    return Rejected(kind, line, field, reason, fix, raw, None)


async def _connect(url: str) -> Any:
    try:
        return await nats.connect(url, connect_timeout=5, max_reconnect_attempts=60)
    except (NatsError, OSError) as exc:
        raise InputError(f"cannot connect to NATS at {url} ({exc}); check --nats") from exc
