"""One JetStream batch, message by message: the checks of subject, header and record, and the
receipt that ties the batch's log entries to their stream sequences (:mod:`.jetstream`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from nats.errors import Error as NatsError

from ceasewatch.ingest.adapters import ADAPTERS
from ceasewatch.ingest.base import Accepted, Rejected
from ceasewatch.ingest.run import MAX_LISTED_REJECTIONS

SEQ_HEADER = "Ceasewatch-Seq"


@dataclass(frozen=True)
class Checked:
    """One message of a batch and what became of it (``status`` empty until committed)."""

    msg: Any
    key: tuple[str, str, int] | None
    meta: tuple[int, int]  # (stream sequence, times delivered)
    status: str
    field: str
    line: int

    @property
    def stream_seq(self) -> int:
        return self.meta[0]

    @property
    def delivered(self) -> int:
        return self.meta[1]


def meta_of(msg: Any) -> tuple[int, int]:
    """The message's stream sequence and how many times it was delivered (0, 1 when the
    message did not come from JetStream)."""
    try:
        meta = msg.metadata
    except (NatsError, ValueError, AttributeError, IndexError):
        return 0, 1
    return int(meta.sequence.stream), int(meta.num_delivered)


def receipt_of(done: Sequence[Checked], stream: str, durable: str) -> dict[str, object]:
    """The receipt of one batch: the counts and file-receipt fields of
    :func:`ceasewatch.ingest.run.ingest_bytes`, plus where in the stream each message was."""
    counts = Counter(c.status for c in done)
    subjects: dict[str, list[Checked]] = {}
    for c in done:
        subjects.setdefault(c.msg.subject, []).append(c)
    rejected = [c for c in done if c.status == "rejected"]
    seqs = [c.stream_seq for c in done]
    return {
        "name": f"nats:{stream}",
        "source": "stream",
        "by": f"consumer:{durable}",
        "bytes": sum(len(c.msg.data) for c in done),
        "new": counts["new"],
        "duplicate": counts["duplicate"],
        "revision": counts["revision"],
        "rejected": len(rejected),
        "rejected_lines": [
            {"line": c.line, "field": c.field, "stream_seq": c.stream_seq}
            for c in rejected[:MAX_LISTED_REJECTIONS]
        ],
        "stream": stream,
        "messages": len(done),
        "stream_seq_first": min(seqs),
        "stream_seq_last": max(seqs),
        "subjects": [_subject(subject, mine) for subject, mine in subjects.items()],
    }


def _subject(subject: str, mine: Sequence[Checked]) -> dict[str, object]:
    counts = Counter(c.status for c in mine)
    keyed = [c.key for c in mine if c.key is not None]
    entry: dict[str, object] = {
        "subject": subject,
        "messages": len(mine),
        "stream_seq_first": min(c.stream_seq for c in mine),
        "stream_seq_last": max(c.stream_seq for c in mine),
        "new": counts["new"],
        "duplicate": counts["duplicate"],
        "revision": counts["revision"],
        "rejected": counts["rejected"],
    }
    if keyed:
        entry.update(
            contributor=keyed[0][0],
            source=keyed[0][1],
            seq_first=min(k[2] for k in keyed),
            seq_last=max(k[2] for k in keyed),
        )
    return entry


def check(msg: Any, prefix: str) -> tuple[Accepted | Rejected, tuple[str, str, int] | None]:
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
