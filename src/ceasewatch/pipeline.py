"""The composition root: wires the stages for one run of the demo.

Today the demo goes as far as the evidence stage: simulate a day on the real line, ingest what
the sources sent into an embedded log, sign a checkpoint, export the log, verify the export as
a party would, and show that a copy with one entry removed is caught.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ceasewatch.agreement import Agreement
from ceasewatch.evidence.export import export_log
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.evidence.tiles import decode_bundle, encode_bundle, entries_path
from ceasewatch.evidence.verify import Finding, verify_export
from ceasewatch.ingest.run import IngestResult, ingest_file
from ceasewatch.sim.deployment import generate as generate_deployment
from ceasewatch.sim.run import simulate
from ceasewatch.sim.scenarios import scenario
from ceasewatch.store.home import Home
from ceasewatch.store.sqlite import SqliteStore

DEMO_SCENARIO = "peak-day"
DEMO_SEED = 7
DEMO_ORIGIN = "demo.ceasewatch.local/ua-2026"


@dataclass(frozen=True)
class EvidenceDemo:
    ingested: tuple[IngestResult, ...]
    size: int
    verifier_key: str
    export: Path
    verified: Finding
    tampered: Finding

    def text(self) -> str:
        lines = ["", "evidence"]
        lines += [f"  {result.summary()}" for result in self.ingested]
        lines.append(f"  log: {self.size:,} entries, checkpoint signed by {DEMO_ORIGIN}")
        lines.append(f"  export: {self.export}")
        lines.append(f"  verify: {self.verified}")
        lines.append(f"  verify a copy with entry 1000 deleted: {self.tampered}")
        lines.append(f"  log key: {self.verifier_key}")
        return "\n".join(lines)


def evidence_demo(
    agreement: Agreement, out: Path, step: Callable[[str], None] | None = None
) -> EvidenceDemo:
    """Simulate, ingest, checkpoint, export and verify, all under ``out`` (made afresh)."""
    say = step or (lambda _name: None)
    for name in ("run", "state", "export", "export-tampered"):
        shutil.rmtree(out / name, ignore_errors=True)
    say("simulating peak-day")
    deployment = generate_deployment(agreement, "dense", seed=DEMO_SEED)
    simulate(agreement, scenario(DEMO_SCENARIO), DEMO_SEED, out / "run", deployment=deployment)
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
    _delete_entry(out / "export-tampered", 1000)
    tampered = verify_export(out / "export-tampered", signer.verifier_key())
    return EvidenceDemo(
        tuple(results),
        exported.checkpoint.size,
        signer.verifier_key(),
        out / "export",
        verified,
        tampered,
    )


def _delete_entry(export: Path, index: int) -> None:
    """What a dishonest copy might do: drop one entry from its bundle."""
    bundle = export / entries_path(index // 256)
    entries = decode_bundle(bundle.read_bytes())
    del entries[index % 256]
    bundle.write_bytes(encode_bundle(entries))
