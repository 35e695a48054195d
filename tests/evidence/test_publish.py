"""Publishing checkpoints with witnesses: each party's witness cosigns only a checkpoint
consistent with the last it cosigned, so a log cosigned by both cannot be forked unnoticed."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.evidence.cosignature import CosignerSigner, verify_cosignature
from ceasewatch.evidence.export import export_log
from ceasewatch.evidence.log import EvidenceLog, RecordIn
from ceasewatch.evidence.note import Signer
from ceasewatch.evidence.publish import publish_once
from ceasewatch.evidence.verify import verify_export
from ceasewatch.evidence.witness import FileWitnessState, Witness
from ceasewatch.evidence.witness_http import DEFAULT_HOST, serve
from ceasewatch.store.sqlite import SqliteStore

T0 = 1_771_372_800_000_000_000
SIGNER = Signer.generate("monitoring.example/ua-2026", bytes(range(32)))


def records(start: int, end: int, tag: str = "") -> list[RecordIn]:
    out = []
    for n in range(start, end):
        body = {"pick_id": f"A1-{n:05d}", "sensor_id": "A1", "note": tag}
        out.append(RecordIn("picks", body["pick_id"], body, json.dumps(body).encode(), None))
    return out


@pytest.fixture
def witnesses(tmp_path: Path) -> Iterator[list[tuple[str, CosignerSigner]]]:
    running = []
    for number, name in enumerate(["ua-witness", "ru-witness"]):
        signer = CosignerSigner.generate(name, bytes([number + 1] * 32))
        witness = Witness(
            signer, {SIGNER.name: SIGNER.verifier()}, FileWitnessState(tmp_path / name)
        )
        server = serve(DEFAULT_HOST, 0, witness)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.append((server, signer))
    yield [(server.url, signer) for server, signer in running]
    for server, _signer in running:
        server.shutdown()
        server.server_close()


def test_both_witnesses_cosign_a_growing_log_and_refuse_a_fork(
    tmp_path: Path, witnesses: list[tuple[str, CosignerSigner]]
) -> None:
    urls = [url for url, _ in witnesses]
    log = EvidenceLog(SqliteStore(tmp_path / "log.sqlite"), salts=random.Random(1).randbytes)
    log.append_records(records(0, 10), T0)
    note, problems = publish_once(log, SIGNER, T0, tmp_path / "published", urls)
    assert problems == []
    for _url, signer in witnesses:
        assert verify_cosignature(note, signer.verifier()) > 0
    log.append_records(records(10, 300), T0)
    note, problems = publish_once(log, SIGNER, T0 + 1, tmp_path / "published", urls)
    assert problems == [] and b"\n300\n" in note
    assert (tmp_path / "published" / "300").read_bytes() == note

    # The operator forks: another tree of the same key, rewriting entry 5.
    fork = EvidenceLog(SqliteStore(tmp_path / "fork.sqlite"), salts=random.Random(1).randbytes)
    fork.append_records(records(0, 5) + records(5, 400, tag="rewritten")[:1] + records(6, 400), T0)
    _note, problems = publish_once(fork, SIGNER, T0 + 2, None, urls)
    assert len(problems) == 2
    assert all("422" in p or "409" in p for p in problems), problems

    # The honest log goes on being cosigned, and its export verifies with both witness keys.
    log.append_records(records(300, 320), T0)
    _note, problems = publish_once(log, SIGNER, T0 + 3, None, urls)
    assert problems == []
    export_log(log, tmp_path / "export", SIGNER, T0 + 4, actor="t", recipient="t")
    # The export's checkpoint is newer than the last cosigned one: cosign it too.
    note, problems = publish_once(log, SIGNER, T0 + 5, None, urls)
    (tmp_path / "export" / "checkpoint").write_bytes(note)
    keys = [signer.verifier_key() for _url, signer in witnesses]
    finding = verify_export(tmp_path / "export", SIGNER.verifier_key(), witness_keys=keys)
    assert finding.ok, finding


def test_an_unreachable_witness_does_not_stop_publication(tmp_path: Path) -> None:
    log = EvidenceLog(SqliteStore(tmp_path / "log.sqlite"), salts=random.Random(1).randbytes)
    log.append_records(records(0, 3), T0)
    note, problems = publish_once(log, SIGNER, T0, None, ["http://127.0.0.1:9"])
    assert note.startswith(b"monitoring.example/ua-2026\n3\n")
    assert len(problems) == 1 and "did not answer" in problems[0]


def test_witness_and_log_commands_work_together(tmp_path: Path) -> None:
    runner = CliRunner()
    log_home = tmp_path / "operator"
    data = tmp_path / "picks.jsonl"
    data.write_text(
        "".join(
            json.dumps(
                {"pick_id": f"A1-{n}", "sensor_id": "A1", "t_arrival": "2026-02-18T00:00:00Z"}
            )
            + "\n"
            for n in range(20)
        )
    )
    assert runner.invoke(app, ["ingest", str(data), "--home", str(log_home)]).exit_code == 0
    key = runner.invoke(app, ["log", "key", "--home", str(log_home)]).stdout.strip()
    (tmp_path / "log.vkey").write_text(key + "\n")
    witness_home = tmp_path / "ru"
    witness_key = runner.invoke(
        app, ["witness", "key", "--name", "ru-witness", "--home", str(witness_home)]
    ).stdout.strip()
    assert witness_key.startswith("ru-witness+")
    server = subprocess.Popen(
        [sys.executable, "-m", "ceasewatch.cli", "witness", "serve", "--home", str(witness_home),
         "--log-key", str(tmp_path / "log.vkey"), "--port", "0"],
        stdout=subprocess.PIPE, text=True, env={**os.environ},
    )  # fmt: skip
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split(" on ")[1].split(" ")[0]
        published = runner.invoke(
            app, ["log", "checkpoint", "--home", str(log_home), "--witness", url]
        )
        assert published.exit_code == 0, published.output
        assert "— ru-witness " in published.stdout
        out = tmp_path / "export"
        exported = runner.invoke(app, ["log", "export", str(out), "--home", str(log_home)])
        assert exported.exit_code == 0, exported.output
        again = runner.invoke(app, ["log", "checkpoint", "--home", str(log_home), "--witness", url])
        assert again.exit_code == 0 and "warning" not in again.output
        (out / "checkpoint").write_text(again.stdout)
        verified = runner.invoke(
            app,
            ["verify", str(out), "--key", str(tmp_path / "log.vkey"), "--witness-key", witness_key],
        )
        assert verified.exit_code == 0, verified.output
        assert "cosigned by 1 witness" in verified.output
    finally:
        server.kill()
        server.wait()
