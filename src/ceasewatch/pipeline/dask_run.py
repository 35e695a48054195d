"""Independent tasks on Dask distributed: a local cluster of worker processes, or a running
scheduler's workers. ``reprocess`` maps its cells through it and ``ensemble`` its members.

Dask is the optional extra ``ceasewatch[scale]``, imported only here and only when asked for;
without it the error names the extra. Tasks are plain picklable data, sent to the workers with
``scatter`` a few at a time: at most :data:`IN_FLIGHT_PER_THREAD` per worker thread are on the
cluster at once, and each is released when its result is back. (Scattering every job at the
start kept a month's pick records, millions of small objects, alive in the worker, and its
garbage collector's full passes over them made every task slower as the run went on.) Results
come back as they finish, and callers sort them: the order of completion never decides a
result.

Dask's nanny starts its worker processes with ``MALLOC_TRIM_THRESHOLD_=65536`` so that glibc
hands freed memory back to the system sooner. Setting it also switches off glibc's sliding
mmap threshold, and fusion, which allocates many mid-sized arrays, then runs about 2.2 times
slower (20 s against 44 s for the same 8 hours of a peak day in one process, see ADR 0014). The
local cluster starts its workers without it; workers behind a scheduler are asked for it, and a
warning names those that have it (``deploy/dask/ceasewatch.yaml`` turns it off).
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ceasewatch.errors import InputError

SCALE_HINT = "pip install 'ceasewatch[scale]'"
SLOW_ALLOCATOR = "MALLOC_TRIM_THRESHOLD_"  # set by Dask's nanny; halves fusion's pace
_log = logging.getLogger(__name__)
IN_FLIGHT_PER_THREAD = 2  # jobs on the cluster per worker thread: one working, one waiting

Mapper = Callable[[Callable[[Any], Any], Sequence[Any], Callable[[Any], None]], list[Any]]
"""``run(task, jobs, done)``: ``task(job)`` for every job, ``done(result)`` as each finishes."""


@contextmanager
def dask_map(workers: int = 0, scheduler: str | None = None) -> Iterator[Mapper]:
    """A mapper on a local cluster of ``workers`` processes, or on ``scheduler``'s workers."""
    try:
        import dask
        from distributed import Client, LocalCluster, as_completed
    except ImportError as error:
        raise InputError(
            f"--workers/--scheduler need Dask distributed, which is not installed ({error}); "
            f"install it with {SCALE_HINT}, or use --workers 0 to run in this process"
        ) from error
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, TimeoutError) as error:
            raise InputError(
                f"--scheduler {scheduler}: no Dask scheduler answers there ({error}); "
                "start one (dask scheduler) or give its tcp://host:port"
            ) from error
        cluster = None
    else:
        unset = {f"distributed.nanny.pre-spawn-environ.{SLOW_ALLOCATOR}": None}
        with dask.config.set(unset):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)  # fmt: skip
        client = Client(cluster)
    _warn_slow_allocator(client.run(_allocator_setting))

    def run(task: Callable[[Any], Any], jobs: Sequence[Any], done: Callable[[Any], None]
            ) -> list[Any]:  # fmt: skip
        if not jobs:
            return []
        threads = max(1, sum(client.nthreads().values()))
        waiting = iter(jobs)
        running = as_completed()

        def send(count: int) -> None:
            for job in itertools.islice(waiting, count):
                [data] = client.scatter([job], hash=False)  # straight to a worker
                running.add(client.submit(task, data, pure=False))

        send(IN_FLIGHT_PER_THREAD * threads)
        results = []
        for future in running:
            results.append(future.result())
            future.release()
            done(results[-1])
            send(1)
        return results

    try:
        yield run
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _allocator_setting() -> str | None:
    """On a worker: its ``MALLOC_TRIM_THRESHOLD_``, if set."""
    return os.environ.get(SLOW_ALLOCATOR)


def _warn_slow_allocator(settings: dict[str, str | None]) -> None:
    slow = sorted(address for address, value in settings.items() if value is not None)
    if slow:
        _log.warning(
            "%d Dask worker(s) run with %s set (%s), which makes fusion about twice as slow; "
            "install deploy/dask/ceasewatch.yaml as /etc/dask/ceasewatch.yaml on their hosts "
            "and restart them",
            len(slow),
            SLOW_ALLOCATOR,
            ", ".join(slow[:3]),
        )


def executor_name(workers: int, scheduler: str | None) -> str:
    """How the progress lines and results name where the work ran."""
    if scheduler is not None:
        return f"the Dask scheduler at {scheduler}"
    if workers:
        return f"a local Dask cluster of {workers} worker{'s' if workers != 1 else ''}"
    return "this process"
