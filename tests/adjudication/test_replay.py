"""Reproducible verdicts: six simulated hours (quiet-day, seed 1, 08:00–14:00 UTC) ingested into
an evidence log, exported with the restricted values, and replayed. The digest of the verdict
set is the same from the store and from the export, on SQLite and on PostgreSQL, whatever order
the evidence was ingested in, and under other time zones, locales and hash seeds; a public
export is refused with the reason; an amended agreement shows its difference."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ceasewatch.adjudication.replay import replay_export, replay_store
from ceasewatch.adjudication.verdicts import diff
from ceasewatch.agreement import Agreement
from ceasewatch.cli import app
from ceasewatch.errors import InputError
from ceasewatch.evidence.export import export_log
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.evidence.note import Signer
from ceasewatch.ingest.run import ingest_file
from ceasewatch.sim.deployment import generate as generate_deployment
from ceasewatch.sim.run import simulate
from ceasewatch.sim.scenarios import scenario
from ceasewatch.store.base import Store
from ceasewatch.store.open import open_store
from ceasewatch.store.sqlite import SqliteStore

T0 = 1_771_372_800_000_000_000  # 2026-02-18T00:00:00Z
SIGNER = Signer.generate("test.ceasewatch.local/replay", bytes(range(32)))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, ua2026: Agreement) -> Path:
    out = tmp_path_factory.mktemp("quiet-day")
    deployment = generate_deployment(ua2026, "dense", seed=1)
    day = replace(scenario("quiet-day"), start="2026-02-18T08:00:00Z")
    simulate(ua2026, day, 1, out, deployment=deployment, hours=6)
    return out


def ingest(store: Store, folder: Path, seed: int = 1) -> EvidenceLog:
    log = EvidenceLog(store, salts=random.Random(seed).randbytes)
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        ingest_file(log, path, clock_ns=lambda: T0)
    return log


@pytest.fixture(scope="module")
def exported(run: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A restricted export of the run's log, and the digest replayed from the store itself."""
    base = tmp_path_factory.mktemp("export")
    store = SqliteStore(base / "evidence.sqlite")
    log = ingest(store, run)
    export_log(log, base / "export", SIGNER, T0, actor="test", recipient="RU", restricted=True)
    from ceasewatch.agreement.catalog import resolve

    digest = replay_store(store, resolve("ua-2026")).verdicts.verdicts.digest
    store.close()
    return base / "export", digest


def test_the_export_replays_to_the_stores_verdicts(
    exported: tuple[Path, str], ua2026: Agreement
) -> None:
    folder, digest = exported
    replayed = replay_export(folder, ua2026, key=SIGNER.verifier_key())
    assert replayed.verified is not None and replayed.verified.startswith("OK")
    assert replayed.verdicts.verdicts.digest == digest
    assert len(replayed.verdicts.adjudication.violations) > 5


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def test_the_same_verdicts_on_sqlite_and_postgresql(
    store: Store, run: Path, exported: tuple[Path, str], ua2026: Agreement
) -> None:
    ingest(store, run, seed=7)  # other salts: another log root, the same evidence
    assert replay_store(store, ua2026).verdicts.verdicts.digest == exported[1]


def shuffled_copy(run: Path, out: Path, rng: random.Random) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for path in run.iterdir():
        if not path.is_file():
            continue
        if path.suffix == ".jsonl":
            lines = path.read_text(encoding="utf-8").splitlines()
            rng.shuffle(lines)
            (out / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            (out / path.name).write_bytes(path.read_bytes())


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_the_ingest_order_does_not_change_the_verdicts(
    run: Path, exported: tuple[Path, str], ua2026: Agreement, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)  # Hypothesis draws the seed: a shuffle of ~20,000 lines is too big
    folder = tmp_path / f"shuffled-{rng.randrange(10**9)}"
    shuffled_copy(run, folder / "run", rng)
    store = SqliteStore(folder / "evidence.sqlite")
    try:
        ingest(store, folder / "run", seed=rng.randrange(100))
        assert replay_store(store, ua2026).verdicts.verdicts.digest == exported[1]
    finally:
        store.close()


def test_time_zone_locale_and_hash_seed_do_not_change_the_digest(
    exported: tuple[Path, str],
) -> None:
    folder, digest = exported
    command = [sys.executable, "-m", "ceasewatch.cli", "replay", "--log", str(folder), "--quiet"]
    for tz, locale, seed in (("Asia/Tokyo", "C.UTF-8", "1"), ("America/Lima", "C", "987")):
        env = {**os.environ, "TZ": tz, "LC_ALL": locale, "PYTHONHASHSEED": seed}
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        assert f"verdict set: {digest}" in done.stdout


def test_a_public_export_is_refused_with_the_reason(
    run: Path, tmp_path: Path, ua2026: Agreement
) -> None:
    store = SqliteStore(tmp_path / "evidence.sqlite")
    log = ingest(store, run)
    export_log(log, tmp_path / "public", SIGNER, T0, actor="test", recipient="public")
    store.close()
    with pytest.raises(InputError, match="public export.*sealed.*--restricted"):
        replay_export(tmp_path / "public", ua2026)


def test_a_tampered_export_is_not_replayed(
    exported: tuple[Path, str], tmp_path: Path, ua2026: Agreement
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(exported[0], copy)
    bundle = next((copy / "tile" / "entries").rglob("*"))
    while bundle.is_dir():
        bundle = next(bundle.iterdir())
    data = bytearray(bundle.read_bytes())
    data[40] ^= 1
    bundle.write_bytes(bytes(data))
    with pytest.raises(InputError, match="does not verify"):
        replay_export(copy, ua2026, key=SIGNER.verifier_key())


def test_an_amendment_shows_its_difference(
    exported: tuple[Path, str], ua2026: Agreement, tmp_path: Path
) -> None:
    """Version 2 (test-made) exempts nothing new but drops the protected-sites rule and makes
    no-fire medium: the replay under both shows exactly those changes."""
    source = Path(ua2026.source).parent
    amended = tmp_path / "v2"
    import shutil

    shutil.copytree(source, amended)
    text = (amended / "agreement.yaml").read_text(encoding="utf-8")
    text = text.replace("version: 1\n", f"version: 2\nsupersedes: {{version: 1, digest: "
                        f"'{ua2026.digest}'}}\n", 1)  # fmt: skip
    text = text.replace(
        "    where: anywhere\n    unless: {zones: [training-yavoriv, training-desna]}\n"
        "    severity: high",
        "    where: anywhere\n    unless: {zones: [training-yavoriv, training-desna]}\n"
        "    severity: medium",
    )
    (amended / "agreement.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["replay", "--log", str(exported[0]), "--compare", str(amended / "agreement.yaml"),
         "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    first = replay_export(exported[0], ua2026)
    from ceasewatch.agreement import load_agreement

    second = replay_export(exported[0], load_agreement(amended / "agreement.yaml"))
    change = diff(first.verdicts.verdicts, second.verdicts.verdicts)
    no_fire = [v for v in first.verdicts.adjudication.violations if v.rule_id == "no-fire"]
    assert change.added == () and change.removed == ()
    assert len(change.changed) == len(no_fire) > 0
    assert all(fields == ("severity",) for _vid, fields in change.changed)
    assert f"{len(no_fire):,} changed" in result.output
    assert json.loads(json.dumps(second.verdicts.summary()))["violations"] == len(
        second.verdicts.adjudication.violations
    )


def test_adjudicate_from_the_store_reads_the_analysts_decisions(run: Path, tmp_path: Path) -> None:
    """``adjudicate --state`` fuses and adjudicates what the store holds; two analysts' review
    of a lone high-severity violation, appended to the same log, answers its cluster on the
    escalation ladder of the next run."""
    state = tmp_path / "state"
    state.mkdir()
    store = SqliteStore(state / "evidence.sqlite")
    ingest(store, run)
    store.close()
    later = "2030-01-01T00:00:00Z"  # after the analysts' decisions, made now by the clock
    command = ["adjudicate", "--state", str(state), "--as-of", later]
    first = CliRunner().invoke(app, command)
    assert first.exit_code == 0, first.output
    assert "violations: " in first.output and "verdict set: sha256:" in first.output
    ladder = [json.loads(line) for line in
              (state / "adjudication" / "escalation.jsonl").read_text().splitlines()]  # fmt: skip
    lone = next(c for c in ladder if c["count"] == 1 and c["severity"] == "high")
    assert lone["state"] != "answered" and lone["escalated"]  # 72 h passed without an answer
    (violation_id,) = lone["violation_ids"]
    for analyst in ("anna", "bob"):
        review = ["review", "confirm", violation_id, "--analyst", analyst, "--reason", "seen"]
        done = CliRunner().invoke(app, [*review, "--state", str(state)])
        assert done.exit_code == 0, done.output
    assert "verified" in done.output
    again = CliRunner().invoke(app, command)
    assert again.exit_code == 0, again.output
    ladder = {c["cluster_id"]: c for c in (json.loads(line) for line in
              (state / "adjudication" / "escalation.jsonl").read_text().splitlines())}  # fmt: skip
    assert ladder[lone["cluster_id"]]["state"] == "answered"
    assert ladder[lone["cluster_id"]]["answered_at"] is not None
    assert sum(c["state"] == "answered" for c in ladder.values()) == 1
