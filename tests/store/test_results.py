"""Derived results beside the log, on both stores: a run and its items are kept together, once,
in order, and read back by stage and kind. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.fusion.results import ResultItem, ResultRun
from ceasewatch.store.base import Store
from ceasewatch.store.open import open_store

from .test_log import T0, pick


def run(run_id: str, created_ns: int = T0, stage: str = "fusion") -> ResultRun:
    return ResultRun(run_id, stage, 7, '{"log_size":7}', '{"events":2}', created_ns)


def items(n: int = 3) -> list[ResultItem]:
    rows = [ResultItem("events", k, f"ev-{k}", f'{{"event_id":"ev-{k}"}}') for k in range(n)]
    return rows + [ResultItem("rejected", 0, "tracks:R1", '{"reason":"ünmatched"}')]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def test_a_run_and_its_items_are_kept_and_read_back_in_order(store: Store) -> None:
    rows = items(12)
    with store.write() as writer:
        assert writer.add_result_run(run("fu-1"), list(reversed(rows)))
    with store.read() as reader:
        assert reader.result_runs("fusion") == [run("fu-1")]
        assert reader.result_items("fu-1", "events") == rows[:12]
        assert reader.result_items("fu-1", "rejected") == rows[12:]
        assert reader.result_items("fu-1", "incidents") == []
        assert reader.result_items("fu-2", "events") == []


def test_a_run_id_is_kept_once(store: Store) -> None:
    with store.write() as writer:
        assert writer.add_result_run(run("fu-1"), items(2))
    with store.write() as writer:
        assert not writer.add_result_run(run("fu-1", T0 + 5), items(5))
    with store.read() as reader:
        assert reader.result_runs("fusion") == [run("fu-1")]
        assert len(reader.result_items("fu-1", "events")) == 2


def test_runs_come_oldest_first_and_by_stage(store: Store) -> None:
    with store.write() as writer:
        writer.add_result_run(run("fu-b", T0 + 2), [])
        writer.add_result_run(run("fu-a", T0 + 2), [])
        writer.add_result_run(run("fu-c", T0 + 1), [])
        writer.add_result_run(run("ad-1", T0, stage="adjudication"), [])
    with store.read() as reader:
        assert [r.run_id for r in reader.result_runs("fusion")] == ["fu-c", "fu-a", "fu-b"]
        assert [r.run_id for r in reader.result_runs("adjudication")] == ["ad-1"]


def test_a_failed_write_keeps_no_part_of_a_run(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write() as writer:
        writer.add_result_run(run("fu-1"), items(3))
        raise RuntimeError("crash before commit")
    with store.read() as reader:
        assert reader.result_runs("fusion") == []
        assert reader.result_items("fu-1", "events") == []


def test_results_sit_beside_the_log_and_survive_reopening(store_url: str) -> None:
    store = open_store(store_url)
    log = EvidenceLog(store, salts=random.Random(7).randbytes)
    log.append_records([pick(1), pick(2)], T0)
    root = log.root()
    with store.write() as writer:
        writer.add_result_run(run("fu-1"), items(2))
    assert log.size() == 2 and log.root() == root  # results are not entries
    log.append_records([pick(3)], T0 + 1)
    store.close()
    again = open_store(store_url)
    try:
        with again.read() as reader:
            assert reader.result_runs("fusion") == [run("fu-1")]
            assert reader.size() == 3
    finally:
        again.close()
