"""Crash test of the JetStream consumer into PostgreSQL: 20,000 records (50,000 with
CEASEWATCH_CRASH_RECORDS=50000) of four (source, contributor) pairs are published with
``ceasewatch publish`` to a private nats-server, while ``ceasewatch consume`` is killed with
SIGKILL at random moments and restarted; then the nats-server itself is killed and restarted
on the same store folder while a consumer runs.
Afterwards every record is in the log exactly once, every batch is whole (its records and its
receipt), the receipts account for every record and every stream sequence, the log checks and
its export verifies, no sequence is missing and the durable consumer has nothing pending.

Needs ``nats-server`` and PostgreSQL: skipped without them unless CEASEWATCH_REQUIRE_NATS=1 or
CEASEWATCH_REQUIRE_PG=1 (then it fails)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.evidence.export import export_log
from ceasewatch.evidence.integrity import check_log
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.evidence.verify import verify_export
from ceasewatch.ingest.jetstream import consumer_state, publish_file
from ceasewatch.ingest.sequences import SeenSequences
from ceasewatch.store.home import Home
from ceasewatch.store.open import open_store
from ceasewatch.store.sqlite import SqliteStore
from tests.conftest import pg_schema_url
from tests.ingest.records import GOOD
from tests.ingest.test_jetstream_cli import Server, own_server

STREAM, PREFIX, DURABLE = "CWCRASH", "cwcrash", "crash-ingest"
# (source, contributor, records, id field): 20,000 records in all, so that the test stays near a
# minute on a busy 2-core machine; CEASEWATCH_CRASH_RECORDS=50000 runs the full-size test.
SCALE = int(os.environ.get("CEASEWATCH_CRASH_RECORDS", "20000")) / 50_000
FEEDS = (
    ("picks", "UK", round(20_000 * SCALE), "pick_id"),
    ("picks", "FR", round(10_000 * SCALE), "pick_id"),
    ("detections", "UK", round(10_000 * SCALE), "detection_id"),
    ("tracks", "DE", round(10_000 * SCALE), "track_id"),
)
RECORDS = sum(feed[2] for feed in FEEDS)
KILLS = 8
ACK_WAIT_S = 2.0
CLI = [sys.executable, "-m", "ceasewatch.cli"]


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[Server]:
    made = own_server(tmp_path / "nats")
    yield made
    if made.process is not None:
        made.process.kill()
        made.process.wait()


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from pg_schema_url()


def write_feeds(folder: Path) -> list[Path]:
    rng = random.Random(2026)
    paths = []
    for source, contributor, count, id_field in FEEDS:
        path = folder / f"{source}-{contributor}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for number in range(count):
                sensor = f"{contributor[0]}{number % 97:03d}"
                record = {
                    **GOOD[source],
                    id_field: f"{sensor}-{contributor}-{number:07d}",
                    "sensor_id": sensor,
                }
                if source == "picks":
                    record["snr_db"] = round(rng.uniform(3, 30), 1)
                out.write(json.dumps(record) + "\n")
        paths.append(path)
    return paths


def publishers(paths: list[Path], url: str, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    """One ``ceasewatch publish`` per feed, all at once, each with its own state file."""
    return [
        subprocess.Popen(
            [
                *CLI,
                "publish",
                str(path),
                "--source",
                source,
                "--contributor",
                contributor,
                "--nats",
                url,
                "--stream",
                STREAM,
                "--prefix",
                PREFIX,
                "--state",  # own state file: publishers sharing one would overwrite each other
                str(path.with_suffix(".seq.json")),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for path, (source, contributor, _count, _field) in zip(paths, FEEDS, strict=True)
    ]


def consumer(url: str, env: dict[str, str], idle_s: float) -> subprocess.Popen[bytes]:
    command = [
        *CLI,
        "consume",
        "--nats",
        url,
        "--stream",
        STREAM,
        "--prefix",
        PREFIX,
        "--durable",
        DURABLE,
        "--ack-wait-s",
        str(ACK_WAIT_S),
        "--batch",
        "500",
        "--idle-s",
        str(idle_s),
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def log_size(log: EvidenceLog) -> int:
    return log.size()


def wait_for_growth(log: EvidenceLog, before: int, process: subprocess.Popen[bytes]) -> float:
    """The moment the log has grown past ``before`` (a batch committed), or the process ended."""
    limit = time.monotonic() + 30
    while time.monotonic() < limit and process.poll() is None:
        if log_size(log) > before:
            break
        time.sleep(0.02)
    return time.monotonic()


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_sigkill_of_consumer_and_server_loses_and_repeats_nothing(
    nats_server: Server, pg_url: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    paths = write_feeds(tmp_path)
    home = tmp_path / "home"
    env = {**os.environ, "CEASEWATCH_HOME": str(home), "CEASEWATCH_STORE": pg_url}
    rng = random.Random(int(os.environ.get("CEASEWATCH_CRASH_SEED", "9")))
    store = open_store(pg_url)
    log = EvidenceLog(store, salts=os.urandom)
    try:
        senders = publishers(paths, nats_server.url, env)
        kills = kills_mid_stream = 0
        while kills < KILLS:
            before = log_size(log)
            process = consumer(nats_server.url, env, idle_s=5.0)
            if kills % 2 == 0:  # any moment: starting, connecting, fetching, committing, acking
                moment = time.monotonic() + rng.uniform(0.3, 2.5)
            else:  # once batches commit, a little later
                moment = wait_for_growth(log, before, process) + rng.uniform(0.0, 0.4)
            while process.poll() is None and time.monotonic() < moment:
                time.sleep(0.005)
            if process.poll() is None:
                kill(process)
                kills += 1
                kills_mid_stream += before < log_size(log)
            else:
                assert process.returncode == 0, process.stderr.read() if process.stderr else ""
        killed_s = time.monotonic() - started
        for sender in senders:
            _out, err = sender.communicate(timeout=120)
            assert sender.returncode == 0, err.decode()
        published_s = time.monotonic() - started

        # The server dies (SIGKILL) and comes back on the same store folder mid-consume.
        before = log_size(log)
        process = consumer(nats_server.url, env, idle_s=5.0)
        wait_for_growth(log, before, process)
        assert process.poll() is None, "the consumer ended before the server restart"
        assert nats_server.process is not None
        kill(nats_server.process)  # type: ignore[arg-type]
        nats_server.process = None
        time.sleep(0.3)
        nats_server.start()
        finish(process, nats_server.url, env)
        elapsed_s = time.monotonic() - started
    finally:
        store.close()

    assert kills == KILLS
    assert kills_mid_stream >= 4, "too few kills landed while batches were being committed"
    check_store(pg_url, home, tmp_path)
    checked_s = time.monotonic() - started
    state = consumer_state(nats_server.url, stream=STREAM, durable=DURABLE)
    assert (state.pending, state.ack_pending) == (0, 0), state.describe()
    assert state.acked_stream_seq == RECORDS
    print(
        f"{RECORDS} records, {KILLS} consumer kills by {killed_s:.1f} s, published by "
        f"{published_s:.1f} s, a server restart, all consumed by {elapsed_s:.1f} s, checked by "
        f"{checked_s:.1f} s"
    )


def finish(process: subprocess.Popen[bytes], url: str, env: dict[str, str]) -> int:
    """Let consumers run until one ends cleanly with the durable consumer drained; a consumer
    that lost the server (an ack or fetch that failed) is simply restarted. Returns the runs."""
    runs = 0
    while True:
        runs += 1
        _out, err = process.communicate(timeout=120)
        drained = consumer_state(url, stream=STREAM, durable=DURABLE)
        if process.returncode == 0 and drained.pending == drained.ack_pending == 0:
            return runs
        assert runs < 6, err.decode()
        # idle longer than the ack wait, so unacknowledged messages come back meanwhile
        process = consumer(url, env, idle_s=ACK_WAIT_S * 2)


def check_store(pg_url: str, home: Path, tmp_path: Path) -> None:
    store = open_store(pg_url)
    log = EvidenceLog(store, salts=os.urandom)
    try:
        with store.read() as reader:
            leaves = [json.loads(leaf) for leaf in reader.leaves(0, reader.size())]
        records = [e for e in leaves if e["kind"] == "record"]
        receipts = [e for e in leaves if e["kind"] == "receipt"]
        # Every record exactly once: 0 lost, 0 repeated, per source and record id.
        per_id = Counter((e["source"], e["record_id"]) for e in records)
        assert len(per_id) == RECORDS and set(per_id.values()) == {1}
        by_feed = Counter((e["source"], e["record_id"].split("-")[1]) for e in records)
        assert by_feed == Counter({(s, c): n for s, c, n, _f in FEEDS})
        # Every batch whole: each receipt closes the transaction of the records before it.
        since_receipt = 0
        for entry in leaves:
            if entry["kind"] == "record":
                since_receipt += 1
            elif entry["kind"] == "receipt":
                assert entry["new"] + entry["revision"] == since_receipt, entry
                since_receipt = 0
        assert since_receipt == 0, "records after the last receipt: a batch without receipt"
        check_receipts(receipts)
        assert check_log(log) == []
        signer = Home(home).signer("log")
        export_log(log, tmp_path / "export", signer, time.time_ns(), actor="t", recipient="t")
        finding = verify_export(tmp_path / "export", signer.verifier_key())
        assert finding.ok, finding
    finally:
        store.close()
    seen = SeenSequences(home / "stream-sequences.sqlite")
    try:
        gaps = {(g.contributor, g.source): (g.highest, g.missing) for g in seen.gaps()}
    finally:
        seen.close()
    assert gaps == {(c, s): (n, ()) for s, c, n, _f in FEEDS}


def check_receipts(bodies: list[dict[str, Any]]) -> None:
    """The receipts tie the log to the stream: their new counts sum to the records per feed,
    and every stream sequence of the stream falls in some receipt's range."""
    assert bodies and all(b["name"] == f"nats:{STREAM}" for b in bodies)
    assert all(b["by"] == f"consumer:{DURABLE}" and b["rejected"] == 0 for b in bodies)
    new: Counter[tuple[str, str]] = Counter()
    covered: set[int] = set()
    for body in bodies:
        assert body["messages"] == sum(s["messages"] for s in body["subjects"])
        assert body["new"] == sum(s["new"] for s in body["subjects"])
        for subject in body["subjects"]:
            assert subject["subject"] == f"{PREFIX}.{subject['source']}.{subject['contributor']}"
            assert subject["seq_first"] <= subject["seq_last"]
            new[(subject["source"], subject["contributor"])] += subject["new"]
            covered.update(range(subject["stream_seq_first"], subject["stream_seq_last"] + 1))
    assert new == Counter({(s, c): n for s, c, n, _f in FEEDS})
    assert covered == set(range(1, RECORDS + 1))


def test_each_batch_has_a_receipt_tying_its_records_to_stream_sequences(
    nats_server: Server, tmp_path: Path
) -> None:
    """Fast companion of the crash test (SQLite, no kills): the receipts' content, and the new
    --prefix, --durable and gaps --nats options of the commands."""
    picks = tmp_path / "picks.jsonl"
    picks.write_bytes(b"".join(line("picks", "pick_id", "A017", n) for n in range(1, 13)))
    detections = tmp_path / "detections.jsonl"
    bad = json.dumps({"detection_id": "U12-FR-9", "sensor_id": 5}).encode() + b"\n"
    detections.write_bytes(
        b"".join(line("detections", "detection_id", "U12", n) for n in range(1, 3)) + bad
    )
    home, runner = tmp_path / "home", CliRunner()
    common = ["--nats", nats_server.url, "--stream", STREAM, "--prefix", PREFIX]
    for path, source, who in ((picks, "picks", "UK"), (detections, "detections", "FR")):
        command = ["publish", str(path), "--source", source, "--contributor", who, *common]
        out = runner.invoke(app, command)
        assert out.exit_code == 0, out.output
    consume = [*common, "--durable", DURABLE, "--batch", "10", "--idle-s", "0.5"]
    out = runner.invoke(app, ["consume", *consume, "--home", str(home)])
    assert out.exit_code == 1, out.output  # one record rejected
    assert "14 new, 0 duplicates, 0 changed, 1 rejected; 15 acknowledged, 2 receipts" in out.output

    log = EvidenceLog(SqliteStore(home / "evidence.sqlite"), salts=os.urandom)
    with log.store.read() as reader:
        leaves = [json.loads(leaf) for leaf in reader.leaves(0, reader.size())]
    assert [e["kind"] for e in leaves] == ["record"] * 10 + ["receipt"] + ["record"] * 4 + [
        "receipt"
    ]
    first, second = leaves[10], leaves[-1]
    assert (first["stream"], first["by"], first["name"]) == (
        STREAM,
        f"consumer:{DURABLE}",
        f"nats:{STREAM}",
    )
    assert (first["messages"], first["stream_seq_first"], first["stream_seq_last"]) == (10, 1, 10)
    assert first["subjects"] == [
        {
            "subject": f"{PREFIX}.picks.UK",
            "source": "picks",
            "contributor": "UK",
            "messages": 10,
            "stream_seq_first": 1,
            "stream_seq_last": 10,
            "seq_first": 1,
            "seq_last": 10,
            "new": 10,
            "duplicate": 0,
            "revision": 0,
            "rejected": 0,
        }
    ]
    assert (second["stream_seq_first"], second["stream_seq_last"], second["new"]) == (11, 15, 4)
    by_subject = {s["subject"]: s for s in second["subjects"]}
    assert by_subject[f"{PREFIX}.picks.UK"]["seq_first"] == 11
    assert by_subject[f"{PREFIX}.detections.FR"]["rejected"] == 1
    assert second["rejected_lines"] == [{"line": 3, "field": "sensor_id", "stream_seq": 15}]
    log.store.close()

    out = runner.invoke(app, ["gaps", "--home", str(home), *common[:4], "--durable", DURABLE])
    assert out.exit_code == 0, out.output
    assert "FR detections: highest 3, missing none" in out.output
    assert f"{STREAM}/{DURABLE}: 0 pending, 0 awaiting ack" in out.output
    assert "acknowledged up to stream sequence 15" in out.output


def line(source: str, id_field: str, sensor: str, number: int) -> bytes:
    record = {**GOOD[source], id_field: f"{sensor}-X-{number}", "sensor_id": sensor}
    return json.dumps(record).encode() + b"\n"


def test_a_publisher_that_lost_its_state_continues_from_the_streams_last_number(
    nats_server: Server, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(b"".join(line("picks", "pick_id", "A017", n) for n in range(1, 6)))
    second.write_bytes(b"".join(line("picks", "pick_id", "A017", n) for n in range(6, 9)))
    state = tmp_path / "state.json"
    sent = publish_file(nats_server.url, first, "picks", "UK", state=state)
    assert (sent.sent, sent.last_seq) == (5, 5)
    state.unlink()  # as if the publisher died before it saved
    sent = publish_file(nats_server.url, second, "picks", "UK", state=state)
    assert (sent.sent, sent.last_seq) == (3, 8)
    assert json.loads(state.read_text(encoding="utf-8")) == {"UK/picks": 8}
