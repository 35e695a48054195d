"""Group commit on both stores: many producer threads, one writer, acknowledgements only after
the commit, outcomes routed back to the right producer."""

from __future__ import annotations

import json
import random
import threading
import time

import pytest

from ceasewatch.evidence import merkle
from ceasewatch.evidence.log import EvidenceLog, RecordIn
from ceasewatch.ingest.committer import GroupCommitter
from ceasewatch.store.open import open_store


def pick(producer: int, number: int) -> RecordIn:
    body = {"pick_id": f"P{producer}-{number:05d}", "sensor_id": f"P{producer}"}
    return RecordIn("picks", body["pick_id"], body, json.dumps(body).encode(), None)


def test_many_producers_share_transactions(store_url: str) -> None:
    store = open_store(store_url)
    log = EvidenceLog(store, salts=random.Random(3).randbytes)
    results: dict[int, list[tuple[str, str, int | None]]] = {}

    def produce(producer: int, committer: GroupCommitter) -> None:
        got = []
        for start in range(0, 300, 3):
            records = [pick(producer, n) for n in range(start, start + 3)]
            outcomes = committer.submit(records).result(timeout=60)
            got += [
                (r.record_id, o.status, o.index) for r, o in zip(records, outcomes, strict=True)
            ]
        results[producer] = got

    with GroupCommitter(log, time.time_ns) as committer:
        threads = [threading.Thread(target=produce, args=(p, committer)) for p in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        batches = committer.batches
    assert sum(len(v) for v in results.values()) == 1_800
    assert batches < 600  # 600 submissions shared far fewer transactions
    with store.read() as reader:
        leaves = list(reader.leaves(0, reader.size()))
    assert len(leaves) == 1_800
    for got in results.values():
        for record_id, status, index in got:
            assert status == "new"
            assert index is not None and json.loads(leaves[index])["record_id"] == record_id
    assert log.root() == merkle.root_hash(leaves)
    store.close()


def test_a_failed_commit_fails_every_waiter_and_acknowledges_none(tmp_path) -> None:  # type: ignore[no-untyped-def]
    class Broken(EvidenceLog):
        def append_records(self, items, received_ns):  # type: ignore[no-untyped-def]
            raise OSError("disk full")

    log = Broken(open_store(tmp_path / "s.sqlite"), salts=random.Random(0).randbytes)
    with GroupCommitter(log, time.time_ns) as committer:
        future = committer.submit([pick(1, 1)])
        with pytest.raises(OSError, match="disk full"):
            future.result(timeout=10)
    assert log.size() == 0
