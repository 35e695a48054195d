"""The delivery ledger: what each sink has accepted, kept in a small SQLite file.

Keyed by (notification id, sink key). A notification is written to the ledger only after its
sink accepted it (HTTP 2xx, the SMTP server's OK, the log line fsynced), and the ledger commits
with ``synchronous=FULL`` before the next one is sent, so after a crash or restart:

- nothing recorded as delivered is sent again;
- a notification whose delivery failed (recorded in ``failures`` with the reason) is not in
  ``deliveries`` and is tried again on the next run.

The one window left is a crash between a sink's acceptance and the ledger's commit: that
notification is sent again on the next run, with the same id (``X-Ceasewatch-Delivery``,
``Message-ID``) for the receiver to drop. At-least-once, never silently lost.

A run holds an exclusive lock on ``<ledger>.lock`` while the ledger is open, so two runs cannot
send the same notification at the same moment.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path
from types import TracebackType

from ceasewatch.errors import InputError

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    notification_id TEXT NOT NULL,
    sink TEXT NOT NULL,
    delivered_ns INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (notification_id, sink)
);
CREATE TABLE IF NOT EXISTS failures (
    notification_id TEXT NOT NULL,
    sink TEXT NOT NULL,
    failed_ns INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    reason TEXT NOT NULL
);
"""


class Ledger:
    """Open (or create) the ledger at ``path``; use as a context manager or call ``close``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o640)
        except OSError as error:
            raise InputError(
                f"{self.path}: cannot open the alert ledger ({error.strerror}); give a writable "
                "--ledger path"
            ) from error
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(self._lock)
            raise InputError(
                f"{self.path}: another ceasewatch alert run holds this ledger; wait for it to "
                "finish (it sends the same notifications)"
            ) from error
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as error:
            self._release()
            raise InputError(
                f"{self.path}: not an alert ledger ({error}); give another --ledger path or move "
                "this file away"
            ) from error

    def delivered(self, notification_id: str, sink: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM deliveries WHERE notification_id = ? AND sink = ?",
            (notification_id, sink),
        ).fetchone()
        return row is not None

    def record_delivered(
        self, notification_id: str, sink: str, *, at_ns: int, attempts: int
    ) -> None:
        with self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, ?)",
                (notification_id, sink, at_ns, attempts),
            )

    def record_failed(
        self, notification_id: str, sink: str, *, at_ns: int, attempts: int, reason: str
    ) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO failures VALUES (?, ?, ?, ?, ?)",
                (notification_id, sink, at_ns, attempts, reason),
            )

    def deliveries(self) -> list[tuple[str, str, int, int]]:
        """(notification id, sink, delivered at ns, attempts), oldest first."""
        return list(
            self._db.execute(
                "SELECT notification_id, sink, delivered_ns, attempts FROM deliveries "
                "ORDER BY delivered_ns, notification_id, sink"
            )
        )

    def failures(self) -> list[tuple[str, str, int, int, str]]:
        """(notification id, sink, failed at ns, attempts, reason), oldest first."""
        return list(
            self._db.execute(
                "SELECT notification_id, sink, failed_ns, attempts, reason FROM failures "
                "ORDER BY failed_ns, rowid"
            )
        )

    def close(self) -> None:
        self._db.close()
        self._release()

    def _release(self) -> None:
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        os.close(self._lock)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
