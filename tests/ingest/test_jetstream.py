"""NATS JetStream transport against a real server at 127.0.0.1:4222: every record once, resends
and redeliveries harmless, bad records acknowledged and reported, gaps reported.

Skipped when the server is down, unless CEASEWATCH_REQUIRE_NATS=1 (then they fail)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nats
import pytest

from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.ingest.jetstream import ConsumeResult, consume, publish_file
from ceasewatch.ingest.sequences import SeenSequences, SentState
from tests.ingest.test_run import entries, new_log, pick

URL = "nats://127.0.0.1:4222"


def _up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 4222), timeout=1).close()
        return True
    except OSError:
        return False


@dataclass(frozen=True)
class Bus:
    stream: str
    prefix: str
    durable: str


@pytest.fixture
def bus() -> Iterator[Bus]:
    if not _up():
        if os.environ.get("CEASEWATCH_REQUIRE_NATS") == "1":
            pytest.fail("NATS is not running at 127.0.0.1:4222 (CEASEWATCH_REQUIRE_NATS=1)")
        pytest.skip("NATS is not running at 127.0.0.1:4222")
    suffix = secrets.token_hex(4)
    made = Bus(f"CWTEST_{suffix}", f"cwtest{suffix}", f"ingest-{suffix}")
    yield made

    async def delete() -> None:
        nc = await nats.connect(URL)
        try:
            await nc.jetstream().delete_stream(made.stream)
        except nats.js.errors.NotFoundError:
            pass
        finally:
            await nc.close()

    asyncio.run(delete())


def publish(bus: Bus, path: Path, contributor: str = "UK") -> int:
    result = publish_file(URL, path, "picks", contributor, stream=bus.stream, prefix=bus.prefix)
    return result.sent


def run(bus: Bus, log: EvidenceLog, tmp: Path, **options: object) -> ConsumeResult:
    seen = SeenSequences(tmp / "sequences.sqlite")
    try:
        return consume(
            URL,
            log,
            seen=seen,
            clock_ns=time.time_ns,
            stream=bus.stream,
            prefix=bus.prefix,
            durable=bus.durable,
            idle_s=0.5,
            **options,  # type: ignore[arg-type]
        )
    finally:
        seen.close()


def picks_file(path: Path, numbers: range, *extra: bytes) -> Path:
    path.write_bytes(b"\n".join([*(pick(n) for n in numbers), *extra]) + b"\n")
    return path


def record_ids(log: EvidenceLog) -> list[str]:
    return [e["record"]["pick_id"] for e in entries(log) if e.get("kind") == "record"]


def test_every_record_once_and_a_resend_adds_nothing(bus: Bus, tmp_path: Path) -> None:
    log = new_log(tmp_path)
    path = picks_file(tmp_path / "picks.jsonl", range(1, 21))
    assert publish(bus, path) == 20
    result = run(bus, log, tmp_path)
    assert (result.new, result.duplicate, result.acked, result.rejected) == (20, 0, 20, ())
    assert sorted(record_ids(log)) == [f"A017-{n:06d}" for n in range(1, 21)]
    size = log.size()
    assert publish(bus, path) == 0  # JetStream's de-duplication drops the repeats
    assert run(bus, log, tmp_path).acked == 0
    assert log.size() == size


def test_a_crash_between_commit_and_ack_redelivers_and_appends_nothing(
    bus: Bus, tmp_path: Path
) -> None:
    log = new_log(tmp_path)
    assert publish(bus, picks_file(tmp_path / "picks.jsonl", range(1, 11))) == 10

    def crash() -> None:
        raise RuntimeError("killed before the ack")

    with pytest.raises(RuntimeError, match="killed"):
        run(bus, log, tmp_path, ack_wait_s=1.0, after_commit=crash)
    size = log.size()
    assert len(record_ids(log)) == 10
    time.sleep(1.5)  # past ack_wait: the server redelivers
    result = run(bus, log, tmp_path, ack_wait_s=1.0)
    assert (result.new, result.duplicate, result.acked) == (0, 10, 10)
    assert log.size() == size
    assert run(bus, log, tmp_path, ack_wait_s=1.0).acked == 0  # all acknowledged


def test_a_bad_record_is_rejected_acked_and_not_redelivered(bus: Bus, tmp_path: Path) -> None:
    log = new_log(tmp_path)
    bad = json.dumps({"pick_id": "A017-999999", "sensor_id": 5}).encode()
    path = picks_file(tmp_path / "picks.jsonl", range(1, 4), bad)
    assert publish(bus, path) == 4
    result = run(bus, log, tmp_path, ack_wait_s=1.0, quarantine_dir=tmp_path / "q")
    assert (result.new, result.acked) == (3, 4)
    assert [(r.line, r.kind) for r in result.rejected] == [(4, "picks")]
    assert list((tmp_path / "q").iterdir())
    time.sleep(1.5)
    assert run(bus, log, tmp_path, ack_wait_s=1.0).acked == 0


def test_the_gap_report_names_the_missing_sequences(bus: Bus, tmp_path: Path) -> None:
    log = new_log(tmp_path)
    assert publish(bus, picks_file(tmp_path / "a.jsonl", range(1, 6))) == 5
    SentState(tmp_path / ".ceasewatch-seq.json").save("UK", "picks", 7)  # 6 and 7 are lost
    assert publish(bus, picks_file(tmp_path / "b.jsonl", range(8, 11))) == 3
    assert publish(bus, picks_file(tmp_path / "c.jsonl", range(20, 22)), "RU") == 2
    assert run(bus, log, tmp_path).new == 10
    seen = SeenSequences(tmp_path / "sequences.sqlite")
    try:
        gaps = {(g.contributor, g.source): (g.highest, g.missing) for g in seen.gaps()}
    finally:
        seen.close()
    assert gaps == {("RU", "picks"): (2, ()), ("UK", "picks"): (10, ((6, 7),))}


def test_an_unknown_subject_or_a_missing_header_is_rejected_and_acked(
    bus: Bus, tmp_path: Path
) -> None:
    log = new_log(tmp_path)
    publish(bus, picks_file(tmp_path / "picks.jsonl", range(1, 2)))

    async def send() -> None:
        nc = await nats.connect(URL)
        js = nc.jetstream()
        await js.publish(f"{bus.prefix}.nosuch.UK", pick(2), headers={"Ceasewatch-Seq": "2"})
        await js.publish(f"{bus.prefix}.picks.UK", pick(3))
        await nc.close()

    asyncio.run(send())
    result = run(bus, log, tmp_path, ack_wait_s=1.0)
    assert (result.new, result.acked) == (1, 3)
    assert sorted(r.field for r in result.rejected) == ["Ceasewatch-Seq", "subject"]
    time.sleep(1.5)
    assert run(bus, log, tmp_path, ack_wait_s=1.0).acked == 0
