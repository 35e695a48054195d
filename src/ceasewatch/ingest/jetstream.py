"""NATS JetStream as the sensor transport (the checks of one batch and its receipt are in
:mod:`.jetstream_batch`).

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

Each committed batch ends with a ``receipt`` entry, in the same transaction as its records: the
stream, the durable consumer, the first and last stream sequence, and per subject the source,
the contributor, its stream and ``Ceasewatch-Seq`` ranges and what became of its records. So an
auditor ties every log entry to the stream sequences it came from. A batch of redeliveries that
were all duplicates (the consumer died between commit and ack) writes no second receipt: its
messages are in the first one.
"""

from __future__ import annotations

import asyncio
import hashlib
import signal
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import nats
from nats.errors import Error as NatsError
from nats.errors import FlushTimeoutError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from nats.js.errors import NotFoundError

from ceasewatch.errors import InputError
from ceasewatch.evidence.log import SIGNATURE_FIELD, EvidenceLog, RecordOutcome
from ceasewatch.ingest.adapters import ADAPTERS
from ceasewatch.ingest.base import Accepted, Rejected
from ceasewatch.ingest.jetstream_batch import SEQ_HEADER, Checked, check, meta_of, receipt_of
from ceasewatch.ingest.quarantine import write_quarantine
from ceasewatch.ingest.run import IngestResult, commit_batch
from ceasewatch.ingest.sequences import SeenSequences, SentState

STREAM = "CEASEWATCH"
PREFIX = "ceasewatch"
DURABLE = "ceasewatch-ingest"
SAVE_EVERY = 1_000  # messages between saves of the publisher's state file


@dataclass(frozen=True)
class PublishResult:
    """What one publish gave: messages stored, dropped as repeats, and the last sequence."""

    sent: int
    duplicate: int
    last_seq: int


@dataclass(frozen=True)
class ConsumeResult:
    """What one consume gave; ``acked`` counts every acknowledged message, ``receipts`` the
    receipt entries written."""

    new: int
    duplicate: int
    revision: int
    rejected: tuple[Rejected, ...]
    acked: int
    receipts: int = 0


@dataclass(frozen=True)
class ConsumerState:
    """A durable consumer's state on the server: messages not yet delivered (``pending``),
    delivered but not acknowledged (``ack_pending``), and redelivered ones (``redelivered``)."""

    stream: str
    durable: str
    pending: int
    ack_pending: int
    redelivered: int
    acked_stream_seq: int

    def describe(self) -> str:
        return (
            f"{self.stream}/{self.durable}: {self.pending} pending, {self.ack_pending} awaiting "
            f"ack, {self.redelivered} redelivered, acknowledged up to stream sequence "
            f"{self.acked_stream_seq}"
        )


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
    (default ``.ceasewatch-seq.json`` beside the file), saved every ``SAVE_EVERY`` messages and
    at the end. Numbering continues from the higher of the state and the ``Ceasewatch-Seq`` of
    the stream's last message on the subject, so a publisher that died between saves does not
    reuse numbers."""
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
            # The stream's last message on the subject is the truth when it is ahead of the
            # state file (a publisher that died before it saved).
            first = max(sent.highest(contributor, source), await _last_seq(js, stream, subject))
            seq, stored, repeats = first, 0, 0
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
                if stored % SAVE_EVERY == 0:
                    sent.save(contributor, source, seq)
            if seq != sent.highest(contributor, source):
                sent.save(contributor, source, seq)
            return PublishResult(stored, repeats, seq)
        finally:
            await nc.close()

    with sent.claim(contributor, source):
        return asyncio.run(run())


async def _last_seq(js: Any, stream: str, subject: str) -> int:
    """The ``Ceasewatch-Seq`` of the stream's last message on ``subject`` (0 when none)."""
    try:
        last = await js.get_last_msg(stream, subject)
    except NotFoundError:
        return 0
    header = (last.headers or {}).get(SEQ_HEADER, "")
    return int(header) if header.isdigit() else 0


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
    follow: bool = False,
) -> ConsumeResult:
    """Consume until ``max_messages`` were handled or nothing came for ``idle_s`` seconds; with
    ``follow``, until SIGTERM or SIGINT instead (the batch in hand is committed and acknowledged
    first), writing each batch's rejected records to the quarantine as they come.

    ``after_commit`` runs between commit and ack (a test hook: raising there leaves the batch
    committed but unacknowledged, as a crash would).
    """
    total: Counter[str] = Counter()
    rejected: list[Rejected] = []

    async def run() -> None:
        stop = asyncio.Event()
        if follow:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop.set)
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
            while not stop.is_set() and (max_messages is None or total["handled"] < max_messages):
                want = (
                    batch if max_messages is None else min(batch, max_messages - total["handled"])
                )
                try:
                    msgs = await sub.fetch(want, timeout=idle_s)
                except (TimeoutError, NatsTimeout):  # nats-py raises either
                    if follow:
                        continue
                    return
                result, receipted = _commit(
                    log, msgs, prefix, seen, clock_ns, stream=stream, durable=durable
                )
                if after_commit:
                    after_commit()
                for msg in msgs:  # buffered; the flush's round trip confirms them all
                    await msg.ack()
                try:
                    await nc.flush(timeout=max(1, round(ack_wait_s)))
                    total["acked"] += len(msgs)
                except FlushTimeoutError:  # the server is away: the batch comes back, as
                    pass  # duplicates, once the connection is back and ack_wait_s has passed
                total.update(result.counts)
                total["receipts"] += receipted
                total["handled"] += len(msgs)
                rejected.extend(result.rejected)
                if follow:
                    _quarantine(quarantine_dir, stream, result.rejected, clock_ns)
        finally:
            await nc.close()

    asyncio.run(run())
    if not follow:
        _quarantine(quarantine_dir, stream, rejected, clock_ns)
    return ConsumeResult(
        total["new"],
        total["duplicate"],
        total["revision"],
        tuple(rejected),
        total["acked"],
        total["receipts"],
    )


def _quarantine(
    folder: Path | None, stream: str, rejected: Sequence[Rejected], clock_ns: Callable[[], int]
) -> None:
    if not rejected or folder is None:
        return
    for kind in sorted({r.kind for r in rejected}):
        mine = [r for r in rejected if r.kind == kind]
        write_quarantine(folder, f"nats-{stream}.jsonl", kind, mine, str(clock_ns()))


def consumer_state(url: str, *, stream: str = STREAM, durable: str = DURABLE) -> ConsumerState:
    """The durable consumer's state on the server (see :class:`ConsumerState`)."""

    async def run() -> ConsumerState:
        nc = await _connect(url)
        try:
            info = await nc.jetstream().consumer_info(stream, durable)
        except NotFoundError as exc:
            raise InputError(
                f"no consumer {durable!r} on stream {stream!r} at {url}; check --stream and "
                "--durable (the consumer is made by the first consume)"
            ) from exc
        finally:
            await nc.close()
        return ConsumerState(
            stream,
            durable,
            info.num_pending or 0,
            info.num_ack_pending or 0,
            info.num_redelivered or 0,
            info.ack_floor.stream_seq if info.ack_floor and info.ack_floor.stream_seq else 0,
        )

    return asyncio.run(run())


def _commit(
    log: EvidenceLog,
    msgs: list[Any],
    prefix: str,
    seen: SeenSequences,
    clock_ns: Callable[[], int],
    *,
    stream: str = STREAM,
    durable: str = DURABLE,
) -> tuple[IngestResult, bool]:
    """Check a batch, append its good records and its receipt in one transaction, record the
    sequences; true when a receipt was written."""
    result = IngestResult(f"nats:{stream}", "stream")
    good: list[Accepted] = []
    checked: list[Checked] = []
    numbers: list[tuple[str, str, int]] = []
    for msg in msgs:
        item, key = check(msg, prefix)
        if key is not None:
            numbers.append(key)
        meta = meta_of(msg)
        if isinstance(item, Rejected):
            result.rejected.append(item)
            checked.append(Checked(msg, key, meta, "rejected", item.field, item.line))
        else:
            good.append(item)
            checked.append(Checked(msg, key, meta, "", "", item.line))
    at_good = [n for n, c in enumerate(checked) if not c.status]

    def receipt(outcomes: Sequence[RecordOutcome]) -> dict[str, object] | None:
        done = list(checked)
        for n, outcome in zip(at_good, outcomes, strict=True):
            field = SIGNATURE_FIELD if outcome.status == "rejected" else ""
            done[n] = replace(done[n], status=outcome.status, field=field)
        redelivered = all(c.delivered > 1 for c in done)
        if redelivered and all(c.status == "duplicate" for c in done):
            return None  # the first delivery's receipt holds these messages
        return receipt_of(done, stream, durable)

    bodies: list[dict[str, object] | None] = []

    def keep(outcomes: Sequence[RecordOutcome]) -> dict[str, object] | None:
        bodies.append(receipt(outcomes))
        return bodies[-1]

    if good:
        commit_batch(log, good, clock_ns(), result, None, receipt=keep)
    elif msgs:
        body = keep([])
        if body is not None:
            result.receipt_index = log.append_event("receipt", body, clock_ns())
    seen.record(numbers)
    return result, any(body is not None for body in bodies)


async def _connect(url: str) -> Any:
    try:
        return await nats.connect(url, connect_timeout=5, max_reconnect_attempts=60)
    except (NatsError, OSError) as exc:
        raise InputError(f"cannot connect to NATS at {url} ({exc}); check --nats") from exc
