"""The publisher's sequence state shared by several publishers: none overwrites another's
numbers, and a second publisher of the same contributor and source is refused."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from ceasewatch.errors import InputError
from ceasewatch.ingest.sequences import SentState


def test_publishers_of_two_sources_keep_each_others_numbers(tmp_path: Path) -> None:
    path = tmp_path / ".ceasewatch-seq.json"
    picks, tracks = SentState(path), SentState(path)  # both read the file before either saved
    picks.save("UK", "picks", 120)
    tracks.save("UK", "tracks", 45)
    picks.save("UK", "picks", 130)
    assert json.loads(path.read_text()) == {"UK/picks": 130, "UK/tracks": 45}
    assert SentState(path).highest("UK", "tracks") == 45


def _publish(path: Path, source: str, count: int) -> None:
    state = SentState(path)
    for n in range(1, count + 1):
        state.save("PL", source, n)


def test_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "seq.json"
    workers = [
        multiprocessing.get_context("spawn").Process(target=_publish, args=(path, s, 150))
        for s in ("picks", "tracks", "status")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert json.loads(path.read_text()) == {"PL/picks": 150, "PL/status": 150, "PL/tracks": 150}


def test_a_second_publisher_of_the_same_pair_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ".ceasewatch-seq.json"
    first, second = SentState(path), SentState(path)
    with first.claim("UK", "picks"):
        refused = pytest.raises(InputError, match="another publisher is sending picks of UK")
        with refused, second.claim("UK", "picks"):
            pass
        with second.claim("UK", "tracks"):  # another source goes ahead
            pass
    with second.claim("UK", "picks"):  # free again once the first has finished
        pass
