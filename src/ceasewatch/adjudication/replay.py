"""Recompute every verdict from an evidence log and an agreement version: ``ceasewatch replay``.

The log (an export folder a party holds, or the operator's store) is read back into records
(:func:`~ceasewatch.fusion.from_log.read_log`), fused (:func:`~ceasewatch.fusion.from_log.
fuse_log`) and adjudicated (:func:`~ceasewatch.adjudication.run.run_adjudication`), all with this
software version. The digest of the canonical verdict set is the number two parties compare.
The analysts' review decisions in the log tell the escalation ladder which violations were
answered, and when; the log's line changes (``line-changes`` records, from ``ceasewatch line
diff --json``) are judged under the rules that forbid crossing.
Relocating sound sources needs the sensors' positions, which a public export seals: a replay
needs a restricted export (``ceasewatch log export DIR --restricted``), and says so otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceasewatch.adjudication.adjudicate import Settings
from ceasewatch.adjudication.review import read_reviews
from ceasewatch.adjudication.review_state import Review
from ceasewatch.adjudication.run import Verdicts, run_adjudication
from ceasewatch.agreement.types import Agreement
from ceasewatch.errors import InputError
from ceasewatch.evidence.base import LogStore
from ceasewatch.evidence.export_store import ExportStore
from ceasewatch.evidence.verify import verify_export
from ceasewatch.fusion.from_log import LogFusion, LogRecords, fuse_log, read_log

Progress = Callable[[str], None]
ADJUDICATED_STREAMS = ("detections", "tracks", "complaints", "status")
"""The log's streams the adjudication reads beside the incidents (line changes aside)."""


@dataclass(frozen=True)
class Replayed:
    fusion: LogFusion
    verdicts: Verdicts
    verified: str | None  # the verifier's words when a key was given


def replay_store(
    store: LogStore,
    agreement: Agreement,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
    as_of_ns: int | None = None,
    line_changes: Sequence[Mapping[str, Any]] = (),
) -> Replayed:
    """Read, fuse and adjudicate what ``store`` holds (with ``line_changes``, from ``ceasewatch
    line diff --json``, beside the incidents)."""
    say = progress or (lambda _m: None)
    say("reading the log")
    records = read_log(store)
    reviews = read_reviews(store, 0)
    return _replay(records, agreement, settings, say, as_of_ns, None, reviews, line_changes)


def replay_export(
    directory: Path,
    agreement: Agreement,
    *,
    key: str | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    as_of_ns: int | None = None,
) -> Replayed:
    """Verify (with ``key``), read, fuse and adjudicate an export folder."""
    say = progress or (lambda _m: None)
    verified = None
    if key is not None:
        say("verifying the export")
        finding = verify_export(directory, key)
        if not finding.ok:
            raise InputError(f"{directory} does not verify: {finding.message}; nothing replayed")
        verified = finding.message
    store = ExportStore(directory)
    say("reading the log")
    records = read_log(store)
    sealed = [s for s in records.sensors if isinstance(s.get("geometry"), dict)
              and "seal" in s["geometry"]]  # fmt: skip
    if sealed and not store.reader.has_restricted:
        raise InputError(
            f"{directory} is a public export: the positions of {len(sealed):,} sensors are sealed, "
            "and sound sources cannot be located without them; replay a restricted export "
            "(ceasewatch log export DIR --restricted)"
        )
    reviews = read_reviews(store, 0)
    return _replay(records, agreement, settings, say, as_of_ns, verified, reviews)


def _replay(
    records: LogRecords,
    agreement: Agreement,
    settings: Settings | None,
    say: Progress,
    as_of_ns: int | None,
    verified: str | None,
    reviews: list[Review],
    line_changes: Sequence[Mapping[str, Any]] = (),
) -> Replayed:
    say(f"fusing {records.size:,} entries")
    fusion = fuse_log(records, agreement, progress=lambda m: say(f"fusing: {m}"))
    say("adjudicating")
    verdicts = adjudicate_log(
        records,
        fusion,
        agreement,
        reviews,
        as_of_ns=as_of_ns,
        settings=settings,
        progress=lambda m: say(f"adjudicating: {m}"),
        line_changes=line_changes,
    )
    return Replayed(fusion, verdicts, verified)


def adjudicate_log(
    records: LogRecords,
    fusion: LogFusion,
    agreement: Agreement,
    reviews: Sequence[Review],
    *,
    as_of_ns: int | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    line_changes: Sequence[Mapping[str, Any]] = (),
) -> Verdicts:
    """Adjudicate a log's fused incidents with the streams they rest on, the registry, the
    review entries, the log's line changes (and ``line_changes`` given beside the log: a
    change in both counts once) and its open-source reports. ``replay`` and ``reprocess``
    both end here."""
    changes = {_change_id(c): c for c in (*records.stream("line-changes"), *line_changes)}
    return run_adjudication(
        fusion.fused.incidents_json(),
        agreement,
        {s: records.stream(s) for s in ADJUDICATED_STREAMS},
        as_of_ns=as_of_ns,
        settings=settings,
        inputs=fusion.inputs,
        sensors=records.sensors,
        reviews=list(reviews),
        progress=progress,
        line_changes=list(changes.values()),
        open_reports=records.stream("open-reports"),
    )


def _change_id(change: Mapping[str, Any]) -> str:
    return str(change.get("properties", change).get("change_id"))
