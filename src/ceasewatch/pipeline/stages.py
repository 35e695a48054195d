"""The demo's stages, each a function over the demo's folder: evidence (simulate, ingest,
checkpoint, export, verify), fusion from the store, adjudication, and what people read (the
report's editions and the alerts). :mod:`ceasewatch.pipeline.demo` runs them in turn."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ceasewatch.adjudication.run import Verdicts, run_adjudication, write_verdicts
from ceasewatch.agreement import Agreement
from ceasewatch.evidence.export import export_log
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.evidence.tiles import decode_bundle, encode_bundle, entries_path
from ceasewatch.evidence.verify import Finding, verify_export
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.files import write_jsonl
from ceasewatch.fusion.from_log import LogFusion, LogRecords, fuse_log, read_log
from ceasewatch.fusion.results import ResultRun
from ceasewatch.fusion.saved import save_fusion
from ceasewatch.ingest.run import IngestResult, ingest_file
from ceasewatch.sim.deployment import generate as generate_deployment
from ceasewatch.sim.run import simulate
from ceasewatch.sim.scenarios import scenario
from ceasewatch.store.base import Store
from ceasewatch.store.home import Home
from ceasewatch.store.sqlite import SqliteStore

if TYPE_CHECKING:
    from ceasewatch.report.daily_types import Record

T = TypeVar("T")

DEMO_SCENARIO = "peak-day"
DEMO_SEED = 7
DEMO_ORIGIN = "demo.ceasewatch.local/ua-2026"


@dataclass(frozen=True)
class EvidenceDemo:
    ingested: tuple[IngestResult, ...]
    size: int
    root_hex: str  # the signed checkpoint's Merkle root
    verifier_key: str
    export: Path
    verified: Finding
    tampered: Finding
    tampered_entry: int

    def text(self) -> str:
        lines = ["", "evidence"]
        lines += [f"  {result.summary()}" for result in self.ingested]
        lines.append(f"  log: {self.size:,} entries, checkpoint signed by {DEMO_ORIGIN}")
        lines.append(f"  export: {self.export}")
        lines.append(f"  verify: {self.verified}")
        lines.append(f"  root: {self.root_hex}")
        lines.append(f"  verify a copy with entry {self.tampered_entry} deleted: {self.tampered}")
        lines.append(f"  log key: {self.verifier_key}")
        return "\n".join(lines)


def evidence_demo(
    agreement: Agreement,
    out: Path,
    step: Callable[[str], None] | None = None,
    *,
    scenario_name: str = DEMO_SCENARIO,
    seed: int = DEMO_SEED,
) -> EvidenceDemo:
    """Simulate, ingest, checkpoint, export and verify, all under ``out`` (made afresh)."""
    say = step or (lambda _name: None)
    chosen = scenario(scenario_name)  # an unknown name fails here, before anything is removed
    for name in ("run", "state", "export", "export-tampered"):
        shutil.rmtree(out / name, ignore_errors=True)
    say(f"simulating {chosen.name}")
    deployment = generate_deployment(agreement, "dense", seed=seed)
    simulate(agreement, chosen, seed, out / "run", deployment=deployment)
    home = Home(out / "state")
    log = EvidenceLog(SqliteStore(out / "state" / "evidence.sqlite"), salts=os.urandom)
    results = []
    for path in sorted(p for p in (out / "run").iterdir() if p.is_file()):
        say(f"ingesting {path.name}")
        results.append(
            ingest_file(log, path, clock_ns=time.time_ns, quarantine_dir=home.quarantine)
        )
    signer = home.signer("log", DEMO_ORIGIN)
    say("exporting")
    exported = export_log(
        log, out / "export", signer, time.time_ns(), actor="demo", recipient="public"
    )
    say("verifying")
    verified = verify_export(out / "export", signer.verifier_key())
    shutil.copytree(out / "export", out / "export-tampered")
    size = exported.checkpoint.size
    victim = min(1000, size // 2)
    _delete_entry(out / "export-tampered", victim)
    tampered = verify_export(out / "export-tampered", signer.verifier_key())
    return EvidenceDemo(
        tuple(results),
        size,
        exported.checkpoint.root.hex(),
        signer.verifier_key(),
        out / "export",
        verified,
        tampered,
        victim,
    )


def _delete_entry(export: Path, index: int) -> None:
    """What a dishonest copy might do: drop one entry from its bundle."""
    bundle = export / entries_path(index // 256)
    entries = decode_bundle(bundle.read_bytes())
    del entries[index % 256]
    bundle.write_bytes(encode_bundle(entries))


@dataclass(frozen=True)
class StoreFusion:
    """A fusion of what a store holds: the result, the run kept for it, the files written."""

    fusion: LogFusion
    run: ResultRun
    new: bool  # False when the same run was kept before
    store_url: str
    outputs: tuple[Path, ...]
    duration_s: float
    records: LogRecords

    def text(self) -> str:
        summary = self.fusion.summary()
        kinds = summary["incidents"]
        rejected = summary["rejected"]
        clocks = len(summary["clock_offsets"])
        first, *rest = self.outputs
        lines = ["", f"fusion (from the store, {self.duration_s:.0f} s)"]
        lines.append(
            f"  acoustic: {summary['acoustic_events']:,} located events from "
            f"{summary['picks']:,} picks ({summary['picks_unexplained']:,} unexplained), "
            f"{clocks} sensor clock{'s' if clocks != 1 else ''} corrected"
        )
        lines.append(
            f"  incidents: {sum(kinds.values()):,} — {_counts(kinds)}"
            f" ({summary['clutter_incidents']:,} clutter)"
        )
        lines.append(f"  launch–impact pairs: {summary['launch_impact_pairs']:,}")
        lines.append(f"  rejected records: {sum(rejected.values()):,} — {_counts(rejected)}")
        kept = "kept" if self.new else "already kept"
        where = self.store_url.removeprefix("sqlite:///")
        lines.append(f"  store: run {self.run.run_id} {kept} for log size {self.run.log_size:,}")
        lines.append(f"         in {where}")
        names = ", ".join(p.name for p in rest)
        lines.append(f"  outputs: {first} ({summary['events']:,} events, all sources), {names}")
        return "\n".join(lines)


def fuse_store(
    store: Store,
    agreement: Agreement,
    events_path: Path,
    *,
    clock_ns: Callable[[], int],
    settings: Settings | None = None,
    progress: Callable[[str], None] | None = None,
) -> StoreFusion:
    """Fuse what the store's log holds, write events.jsonl (incidents.jsonl, rejected.jsonl and
    fuse-summary.jsonl beside it), and keep the result in the store."""
    say = progress or (lambda _m: None)
    started_ns = clock_ns()
    say("reading the log back")
    records = read_log(store)
    fusion = fuse_log(records, agreement, settings, say)
    fused = fusion.fused
    outputs = (
        events_path,
        events_path.with_name("incidents.jsonl"),
        events_path.with_name("rejected.jsonl"),
        events_path.with_name("fuse-summary.jsonl"),
    )
    write_jsonl(outputs[0], fused.events)
    write_jsonl(outputs[1], fused.incidents_json())
    write_jsonl(outputs[2], fused.rejected_json())
    write_jsonl(outputs[3], [fusion.summary()])
    say("keeping the result in the store")
    run, new = save_fusion(store, fusion, clock_ns())
    duration_s = (clock_ns() - started_ns) / 1e9
    return StoreFusion(fusion, run, new, store.url, outputs, duration_s, records)


def fusion_demo(
    agreement: Agreement, out: Path, step: Callable[[str], None] | None = None
) -> StoreFusion:
    """Fuse the log :func:`evidence_demo` filled; the files go to ``out/fusion``."""
    say = step or (lambda _name: None)
    shutil.rmtree(out / "fusion", ignore_errors=True)
    store = SqliteStore(out / "state" / "evidence.sqlite")
    try:
        return fuse_store(
            store,
            agreement,
            out / "fusion" / "events.jsonl",
            clock_ns=time.time_ns,
            progress=lambda message: say(f"fusing: {message}"),
        )
    finally:
        store.close()


@dataclass(frozen=True)
class AdjudicationDemo:
    verdicts: Verdicts
    outputs: tuple[Path, ...]
    duration_s: float

    def text(self) -> str:
        folder = self.outputs[0].parent
        names = ", ".join(p.name for p in self.outputs)
        return "\n".join(
            ["", f"adjudication ({self.duration_s:.0f} s)", self.verdicts.text(),
             f"  outputs in {folder}: {names}"]
        )  # fmt: skip


def adjudication_demo(
    agreement: Agreement, out: Path, fused: StoreFusion, step: Callable[[str], None] | None = None
) -> AdjudicationDemo:
    """Adjudicate what :func:`fusion_demo` fused; the files go to ``out/state/adjudication``
    (where ``ceasewatch review --state out/state`` finds them)."""
    say = step or (lambda _name: None)
    started = time.perf_counter()
    records = fused.records
    folder = out / "state" / "adjudication"
    shutil.rmtree(folder, ignore_errors=True)
    verdicts = run_adjudication(
        fused.fusion.fused.incidents_json(),
        agreement,
        {s: records.stream(s) for s in ("detections", "tracks", "complaints", "status")},
        inputs=fused.fusion.inputs,
        sensors=records.sensors,
        progress=lambda message: say(f"adjudicating: {message}"),
    )
    outputs = write_verdicts(verdicts, folder)
    return AdjudicationDemo(verdicts, outputs, time.perf_counter() - started)


@dataclass(frozen=True)
class ReadableDemo:
    """What people read: the day's report in two editions, and the alerts due."""

    reports: tuple[Path, ...]
    alerts: Path
    alerts_due: int
    duration_s: float
    record: Record  # the full edition's record, for the demo's summary

    def text(self) -> str:
        lines = ["", f"reports and alerts ({self.duration_s:.0f} s)"]
        lines += [f"  report: {path}" for path in self.reports]
        lines.append(f"  alerts: {self.alerts_due:,} due on the escalation ladder, logged to "
                     f"{self.alerts}")  # fmt: skip
        return "\n".join(lines)


def readable_demo(
    agreement: Agreement,
    out: Path,
    window: tuple[int, int],
    step: Callable[[str], None] | None = None,
) -> ReadableDemo:
    """The report of ``window`` (start, end ns: a day, or a period; public and full editions,
    HTML and PDF) from what :func:`adjudication_demo` wrote, with the log's latest checkpoint;
    and the alerts due, written to ``out/alerts.jsonl`` through the alert stage's log sink and
    ledger."""
    from ceasewatch.alert.deliver import deliver
    from ceasewatch.alert.inputs import LEDGER, read_inputs
    from ceasewatch.alert.ledger import Ledger
    from ceasewatch.alert.policy import notifications
    from ceasewatch.alert.sinks import LogFile
    from ceasewatch.model.places import Gazetteer
    from ceasewatch.model.time import parse_ns
    from ceasewatch.report.daily_inputs import read_adjudication
    from ceasewatch.report.daily_record import build_record
    from ceasewatch.report.daily_render import write_edition
    from ceasewatch.report.editions import edition, edition_slug

    say = step or (lambda _name: None)
    started = time.perf_counter()
    folder = out / "state" / "adjudication"
    store = SqliteStore(out / "state" / "evidence.sqlite")
    try:
        with store.read() as log:
            row = log.latest_checkpoint()
    finally:
        store.close()
    note = None if row is None else row.note.decode("utf-8", errors="replace")
    start_ns, end_ns = window
    record = build_record(read_adjudication(folder), agreement, start_ns, end_ns,
                          checkpoint=note, gazetteer=Gazetteer.default())  # fmt: skip
    shutil.rmtree(out / "reports", ignore_errors=True)
    say("report: public and full editions")
    jobs = [(edition(record, name), agreement, out / "reports", edition_slug(name))
            for name in ("public", "full")]  # fmt: skip
    written = [path for paths in _on_two_cores(write_edition, jobs) for path in paths]
    say("alerts")
    inputs = read_inputs(folder)
    as_of = inputs.as_of
    due = notifications(inputs.rows, inputs.violations, agreement,
                        as_of_ns=parse_ns(as_of) if as_of else end_ns)  # fmt: skip
    alerts = out / "alerts.jsonl"
    alerts.unlink(missing_ok=True)
    (folder / LEDGER).unlink(missing_ok=True)
    with Ledger(folder / LEDGER) as book:
        deliver(due, [LogFile(alerts)], book)
    duration_s = time.perf_counter() - started
    return ReadableDemo(tuple(written), alerts, len(due), duration_s, record)


def _on_two_cores(work: Callable[..., T], jobs: list[tuple[Any, ...]]) -> list[T]:
    """``work(*job)`` for each job, in order: the first in a forked process while this one
    does the rest (the demo's machine has two cores; each report edition takes seconds)."""
    if len(jobs) < 2:
        return [work(*job) for job in jobs]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        first = pool.submit(work, *jobs[0])
        rest = [work(*job) for job in jobs[1:]]
        return [first.result(), *rest]


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in counts.items()) or "none"
