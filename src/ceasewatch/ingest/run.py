"""Ingesting one file or one batch of bytes into the evidence log.

The bytes are parsed by the format's adapter; every record is checked alone. Good records go
to the log in batches, one durable transaction each: when ``on_ack`` is called for a batch, its
records and their idempotency keys are committed and fsynced. Bad records are collected into a
quarantine file a user can fix and resend. At the end a ``receipt`` entry records what the file
was and what became of each record, so a rejected line leaves a trace in the public log too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ceasewatch.errors import InputError
from ceasewatch.evidence.log import SIGNATURE_FIELD, EvidenceLog, RecordIn, RecordOutcome
from ceasewatch.ingest.adapters import ADAPTERS, detect_format
from ceasewatch.ingest.adapters.firms import csv_header
from ceasewatch.ingest.base import Accepted, Rejected
from ceasewatch.ingest.quarantine import QuarantineFiles, write_quarantine

BATCH_RECORDS = 2_000
MAX_LISTED_REJECTIONS = 1_000


@dataclass(frozen=True)
class Acked:
    """One record acknowledged as durable: what it was and what became of it."""

    kind: str
    record_id: str
    line: int
    outcome: RecordOutcome


@dataclass(frozen=True)
class Revision:
    """A record id that came back with other content; both versions are in the log."""

    record_id: str
    line: int
    index: int
    revision_of: int


@dataclass
class IngestResult:
    """What one file (or batch) gave."""

    name: str
    kind: str
    counts: Counter[str] = field(default_factory=Counter)
    rejected: list[Rejected] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    quarantine: QuarantineFiles | None = None
    receipt_index: int | None = None

    @property
    def ok(self) -> bool:
        """True when every record was accepted, and no id came back with other content
        (a changed sensor in the registry is an update, not a problem)."""
        conflicts = self.revisions if self.kind != "sensors" else []
        return not self.rejected and not conflicts

    def summary(self) -> str:
        c = self.counts
        parts = [f"{c['new']} new", f"{c['duplicate']} duplicates"]
        if c["revision"]:
            word = "updated" if self.kind == "sensors" else "changed (both versions kept)"
            parts.append(f"{c['revision']} {word}")
        parts.append(f"{len(self.rejected)} rejected")
        return f"{self.name} ({self.kind}): " + ", ".join(parts)


def ingest_bytes(
    log: EvidenceLog,
    data: bytes,
    name: str,
    *,
    kind: str | None = None,
    clock_ns: Callable[[], int],
    quarantine_dir: Path | None = None,
    stamp: str = "",
    batch_records: int = BATCH_RECORDS,
    on_ack: Callable[[Sequence[Acked]], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> IngestResult:
    """Validate and append the records in ``data``; see the module docstring.

    ``clock_ns`` gives the receive time of each batch (the edge's clock).
    """
    chosen = kind or detect_format(name, data[:65_536])
    adapter = ADAPTERS.get(chosen)
    if adapter is None:
        raise InputError(f"{name}: unknown format {chosen!r}; give one of {', '.join(ADAPTERS)}")
    result = IngestResult(name, chosen)
    total = max(1, data.count(b"\n") + (0 if data.endswith(b"\n") else 1))
    pending: list[Accepted] = []
    done = 0
    for item in adapter.parse(data):  # records stream in: the first batch commits early
        if isinstance(item, Rejected):
            result.rejected.append(item)
            continue
        pending.append(item)
        if len(pending) >= batch_records:
            commit_batch(log, pending, clock_ns(), result, on_ack)
            done = min(total, max(done, pending[-1].line))
            pending = []
            if on_progress:
                on_progress(done, total)
    if pending:
        commit_batch(log, pending, clock_ns(), result, on_ack)
    if on_progress:
        on_progress(total, total)
    if result.rejected and quarantine_dir is not None:
        result.quarantine = write_quarantine(
            quarantine_dir,
            name,
            chosen,
            result.rejected,
            stamp or str(clock_ns()),
            header=csv_header(data) if chosen == "firms" else None,
        )
    result.receipt_index = log.append_event("receipt", _receipt(result, len(data)), clock_ns())
    return result


def ingest_file(log: EvidenceLog, path: Path, **options: object) -> IngestResult:
    """Read a file and ingest it (options as for ``ingest_bytes``)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}; check the path") from exc
    return ingest_bytes(log, data, path.name, **options)  # type: ignore[arg-type]


def commit_batch(
    log: EvidenceLog,
    batch: Sequence[Accepted],
    received_ns: int,
    result: IngestResult,
    on_ack: Callable[[Sequence[Acked]], None] | None,
    *,
    receipt: Callable[[Sequence[RecordOutcome]], Mapping[str, object] | None] | None = None,
) -> None:
    """Append accepted records in one durable transaction, counting outcomes into ``result``
    (also used by the JetStream consumer, :mod:`ceasewatch.ingest.jetstream`, whose
    ``receipt`` makes a receipt entry from the outcomes in the same transaction)."""
    items = [
        RecordIn(a.kind, a.record_id, a.record, a.raw, a.source_time_ns, a.signature) for a in batch
    ]
    outcomes = log.append_records(items, received_ns, receipt=receipt)
    acked: list[Acked] = []
    for accepted, outcome in zip(batch, outcomes, strict=True):
        if outcome.status == "rejected":
            result.rejected.append(
                Rejected(
                    accepted.kind,
                    accepted.line,
                    SIGNATURE_FIELD,
                    outcome.reason,
                    "send the record exactly as the sensor signed it",
                    accepted.raw,
                    accepted.record_id,
                )
            )
            continue
        result.counts[outcome.status] += 1
        if outcome.status == "revision":
            assert outcome.index is not None and outcome.revision_of is not None
            result.revisions.append(
                Revision(accepted.record_id, accepted.line, outcome.index, outcome.revision_of)
            )
        acked.append(Acked(accepted.kind, accepted.record_id, accepted.line, outcome))
    if on_ack:
        on_ack(acked)


def _receipt(result: IngestResult, size_bytes: int) -> dict[str, object]:
    rejected = sorted(result.rejected, key=lambda r: r.line)
    return {
        "name": result.name,
        "source": result.kind,
        "bytes": size_bytes,
        "new": result.counts["new"],
        "duplicate": result.counts["duplicate"],
        "revision": result.counts["revision"],
        "rejected": len(rejected),
        "rejected_lines": [
            {"line": r.line, "field": r.field} for r in rejected[:MAX_LISTED_REJECTIONS]
        ],
    }
