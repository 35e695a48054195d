"""Crash test: ``ceasewatch ingest`` of 100,000 records is killed with SIGKILL at random moments,
again and again, and restarted, while ``ceasewatch log publish`` signs checkpoints beside it.
Afterwards every acknowledged record is in the log exactly once, no batch is half there, the
export verifies, and every checkpoint published along the way is consistent with the final log.
Runs on both stores."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from ceasewatch.evidence.export import export_log
from ceasewatch.evidence.integrity import check_log
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.evidence.verify import verify_export
from ceasewatch.store.home import Home
from ceasewatch.store.open import open_store

RECORDS = 100_000
KILLS = 12


def write_picks(path: Path) -> None:
    rng = random.Random(2026)
    with path.open("w", encoding="utf-8") as out:
        for number in range(RECORDS):
            sensor = f"A{number % 611:04d}"
            second = number * 0.6
            out.write(
                json.dumps(
                    {
                        "pick_id": f"{sensor}-{number:07d}",
                        "sensor_id": sensor,
                        "t_arrival": f"2026-02-18T{int(second // 3600) % 24:02d}:"
                        f"{int(second // 60) % 60:02d}:{second % 60:09.6f}Z",
                        "t_sigma_s": round(rng.uniform(0.01, 0.08), 4),
                        "signature": "impact",
                        "snr_db": round(rng.uniform(3, 30), 1),
                    }
                )
                + "\n"
            )


def read_acks(path: Path) -> list[tuple[str, str, int]]:
    if not path.exists():
        return []
    acks = []
    for line in path.read_text(encoding="utf-8").splitlines():
        kind, record_id, status, index = line.split("\t")
        assert status in ("new", "duplicate"), line
        acks.append((record_id, status, int(index)))
    return acks


def appended(acks: Path) -> int:
    """How many records have been acknowledged as newly appended so far."""
    return acks.read_bytes().count(b"\tnew\t") if acks.exists() else 0


def _when_acks_grow(acks: Path, before: int, process: subprocess.Popen[bytes]) -> float:
    """The moment the first new record is acknowledged (or the process ends)."""
    limit = time.monotonic() + 60
    while time.monotonic() < limit and process.poll() is None:
        if appended(acks) > before:
            break
        time.sleep(0.01)
    return time.monotonic()


def test_sigkill_during_ingest_loses_nothing_acknowledged(store_url: str, tmp_path: Path) -> None:
    data = tmp_path / "picks.jsonl"
    write_picks(data)
    acks = tmp_path / "acks.tsv"
    home = tmp_path / "home"
    env = {**os.environ, "CEASEWATCH_HOME": str(home), "CEASEWATCH_STORE": store_url}
    command = [sys.executable, "-m", "ceasewatch.cli"]
    ingest = [*command, "ingest", str(data), "--ack-file", str(acks), "--format", "picks"]
    publish = [*command, "log", "publish", "--interval-s", "0.5"]
    rng = random.Random(int(os.environ.get("CEASEWATCH_CRASH_SEED", "11")))

    publisher = subprocess.Popen(publish, env=env, stdout=subprocess.DEVNULL)
    kills_mid_batch = 0
    kills = 0
    try:
        while kills < KILLS:
            before = appended(acks)
            process = subprocess.Popen(ingest, env=env, stdout=subprocess.DEVNULL)
            if kills % 2 == 0:
                # Any moment: starting up, parsing, writing or checking duplicates.
                moment = time.monotonic() + rng.uniform(0.2, 1.5)
            else:
                # While writing: once acknowledgements flow, a little later.
                moment = _when_acks_grow(acks, before, process) + rng.uniform(0.0, 0.25)
            while process.poll() is None and time.monotonic() < moment:
                time.sleep(0.005)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()
                kills += 1
                kills_mid_batch += before < appended(acks) < RECORDS
                if kills % 4 == 0:  # the publisher dies now and then too
                    publisher.send_signal(signal.SIGKILL)
                    publisher.wait()
                    publisher = subprocess.Popen(publish, env=env, stdout=subprocess.DEVNULL)
            else:
                assert process.returncode == 0
        final = subprocess.run(ingest, env=env, capture_output=True, text=True, timeout=600)
        assert final.returncode == 0, final.stderr
        time.sleep(1.2)  # one more checkpoint after the last records
    finally:
        publisher.send_signal(signal.SIGKILL)
        publisher.wait()

    assert kills >= 10
    assert kills_mid_batch >= 5, "too few kills landed while records were being written"

    store = open_store(store_url)
    log = EvidenceLog(store, salts=os.urandom)
    with store.read() as reader:
        leaves = [json.loads(leaf) for leaf in reader.leaves(0, reader.size())]
    records = [e for e in leaves if e["kind"] == "record"]
    positions: dict[str, list[int]] = {}
    for index, entry in enumerate(leaves):
        if entry["kind"] == "record":
            positions.setdefault(entry["record_id"], []).append(index)
    # Every record exactly once, and each acknowledged one where its acknowledgement said.
    assert len(records) == RECORDS == len(positions)
    assert all(len(at) == 1 for at in positions.values())
    for record_id, _status, index in read_acks(acks):
        assert positions[record_id] == [index], record_id
    # No half-written batch: tree nodes, keys and checkpoints agree with the leaves.
    assert check_log(log) == []

    signer = Home(home).signer("log")
    export_log(log, tmp_path / "export", signer, time.time_ns(), actor="test", recipient="test")
    published = sorted((home / "checkpoints").glob("[0-9]*"), key=lambda p: int(p.name))
    assert len(published) >= 5
    key = signer.verifier_key()
    for checkpoint in published:
        finding = verify_export(tmp_path / "export", key, since=checkpoint.read_bytes())
        assert finding.ok, (checkpoint.name, finding)
    store.close()
