"""The Dask mapper: its local workers run without the nanny's ``MALLOC_TRIM_THRESHOLD_`` (which
made fusion 2.2 times slower), and workers behind a scheduler that have it are named in a
warning."""

from __future__ import annotations

import logging

import pytest

from ceasewatch.pipeline.dask_run import SLOW_ALLOCATOR, _allocator_setting, dask_map

pytest.importorskip("distributed")


def _setting(_: object) -> str | None:
    return _allocator_setting()


def test_local_workers_run_without_the_trim_threshold(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING), dask_map(workers=1) as run:
        settings = run(_setting, [1, 2], lambda _: None)
    assert settings == [None, None]
    assert SLOW_ALLOCATOR not in caplog.text


def test_scheduler_workers_with_the_threshold_are_named(caplog: pytest.LogCaptureFixture) -> None:
    from distributed import LocalCluster

    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                     dashboard_address=None) as cluster,  # Dask's defaults: the threshold set
        caplog.at_level(logging.WARNING),
        dask_map(scheduler=cluster.scheduler_address) as run,
    ):  # fmt: skip
        [setting] = run(_setting, [1], lambda _: None)
        [worker] = cluster.scheduler_info["workers"]
    assert setting == "65536"
    assert f"1 Dask worker(s) run with {SLOW_ALLOCATOR} set ({worker})" in caplog.text
    assert "/etc/dask/ceasewatch.yaml" in caplog.text
