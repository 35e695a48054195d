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
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ceasewatch.errors import InputError

SCALE_HINT = "pip install 'ceasewatch[scale]'"
IN_FLIGHT_PER_THREAD = 2  # jobs on the cluster per worker thread: one working, one waiting

Mapper = Callable[[Callable[[Any], Any], Sequence[Any], Callable[[Any], None]], list[Any]]
"""``run(task, jobs, done)``: ``task(job)`` for every job, ``done(result)`` as each finishes."""


@contextmanager
def dask_map(workers: int = 0, scheduler: str | None = None) -> Iterator[Mapper]:
    """A mapper on a local cluster of ``workers`` processes, or on ``scheduler``'s workers."""
    try:
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
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)  # fmt: skip
        client = Client(cluster)

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


def executor_name(workers: int, scheduler: str | None) -> str:
    """How the progress lines and results name where the work ran."""
    if scheduler is not None:
        return f"the Dask scheduler at {scheduler}"
    if workers:
        return f"a local Dask cluster of {workers} worker{'s' if workers != 1 else ''}"
    return "this process"
