"""Group commit: many producers, one writer, one durable transaction per batch.

Producers (HTTP handlers, stream consumers, file readers) ``submit`` small batches of validated
records from any thread and get a future. One writer thread takes everything queued — up to
``max_records`` — appends it in one transaction, and then resolves each future with the outcomes
of its own records. A future is resolved only after the commit, so its completion is the
acknowledgement: the records and their idempotency keys are on disk. While one transaction
commits, the next batch accumulates, so the fsync cost is shared by everything that arrived
meanwhile and latency stays near one commit time under load.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from ceasewatch.evidence.log import EvidenceLog, RecordIn, RecordOutcome

_STOP = object()


class GroupCommitter:
    """See the module docstring. Use as a context manager, or call ``close``."""

    def __init__(
        self,
        log: EvidenceLog,
        clock_ns: Callable[[], int],
        *,
        max_records: int = 5_000,
    ) -> None:
        self._log = log
        self._clock_ns = clock_ns
        self._max_records = max_records
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._closed = False
        self.batches = 0
        self._thread.start()

    def submit(self, items: Sequence[RecordIn]) -> Future[list[RecordOutcome]]:
        """Queue records for the next transaction; the future resolves after its commit."""
        if self._closed:
            raise RuntimeError("the committer is closed")
        future: Future[list[RecordOutcome]] = Future()
        self._queue.put((list(items), future))
        return future

    def close(self) -> None:
        """Commit what is queued, then stop the writer."""
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join()

    def __enter__(self) -> GroupCommitter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                return
            waiting = [first]
            count = len(first[0])  # type: ignore[index]
            while count < self._max_records:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                waiting.append(item)
                count += len(item[0])  # type: ignore[index]
            self._commit(waiting)  # type: ignore[arg-type]

    def _commit(self, waiting: list[tuple[list[RecordIn], Future[list[RecordOutcome]]]]) -> None:
        items = [record for records, _future in waiting for record in records]
        try:
            outcomes = self._log.append_records(items, self._clock_ns())
        except BaseException as exc:  # every waiter learns of the failure; nothing was acked
            for _records, future in waiting:
                future.set_exception(exc)
            return
        self.batches += 1
        start = 0
        for records, future in waiting:
            future.set_result(outcomes[start : start + len(records)])
            start += len(records)
