"""Idempotency keys for acting requests: a replay gets the first answer, never a second effect.

A client sends ``Idempotency-Key: <key>`` with a POST. The first request with a key runs and its
answer (status and exact body bytes) is stored durably with the SHA-256 of the request, in a
small SQLite file of the state folder (:data:`FILE`). Then:

- the same key and the same request → the stored answer, byte for byte (:class:`Replay`);
- the same key and another request → refused, 422 (:class:`Mismatch`);
- the same key while the first is still running → refused, 409 (:class:`Busy`).

Keys belong to a caller (``owner``: role and who), so one caller cannot read another's answers.
Only completed answers are stored: a request that failed before its records were committed can
be retried with the same key. If the service stops between the log's commit and storing the
answer, the retry is answered afresh, and the log reports its records as duplicates.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from ceasewatch.errors import InputError

FILE = "api-idempotency.sqlite"
HEADER = "Idempotency-Key"
MAX_KEY_CHARS = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (owner, key)
)
"""


@dataclass(frozen=True)
class Fresh:
    """The key is new: run the request, then :meth:`IdempotencyStore.finish` it."""

    owner: str
    key: str
    request_sha256: str


@dataclass(frozen=True)
class Replay:
    """The key was used for this very request: answer exactly this."""

    status: int
    body: bytes


@dataclass(frozen=True)
class Mismatch:
    """The key was used for another request."""

    key: str


@dataclass(frozen=True)
class Busy:
    """The key's first request is still running."""

    key: str


Begun = Fresh | Replay | Mismatch | Busy


def request_digest(*parts: bytes) -> str:
    """The SHA-256 (hex) of a request's parts (e.g. its target and its body)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def check_key(key: str) -> str:
    """``key`` if it is a usable idempotency key, else :class:`InputError` saying why."""
    if not 0 < len(key) <= MAX_KEY_CHARS or not key.isprintable() or key != key.strip():
        raise InputError(
            f"{HEADER}: must be 1 to {MAX_KEY_CHARS} printable characters without surrounding "
            "spaces; send e.g. a UUID made once per request and reused for its retries"
        )
    return key


class IdempotencyStore:
    """The stored answers (one SQLite file) and the keys in flight (this process)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._running: set[tuple[str, str]] = set()
        try:
            with self._connect() as con:
                con.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise InputError(
                f"{path}: cannot open the idempotency store ({exc}); check the state folder "
                "is writable, or remove the file to start afresh (replays then run again)"
            ) from exc

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30.0)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        return con

    def begin(self, owner: str, key: str, request_sha256: str) -> Begun:
        """What to do with a request carrying ``key``; see the module docstring."""
        with self._lock:
            if (owner, key) in self._running:
                return Busy(key)
            con = self._connect()
            try:
                row = con.execute(
                    "SELECT request_sha256, status, body FROM answers WHERE owner = ? AND key = ?",
                    (owner, key),
                ).fetchone()
            finally:
                con.close()
            if row is not None:
                if row[0] != request_sha256:
                    return Mismatch(key)
                return Replay(int(row[1]), bytes(row[2]))
            self._running.add((owner, key))
            return Fresh(owner, key, request_sha256)

    def finish(self, begun: Fresh, status: int, body: bytes) -> None:
        """Store the answer to ``begun`` durably and free its key."""
        try:
            con = self._connect()
            try:
                with con:
                    con.execute(
                        "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
                        (begun.owner, begun.key, begun.request_sha256, status, body),
                    )
            finally:
                con.close()
        finally:
            self.abandon(begun)

    def abandon(self, begun: Fresh) -> None:
        """Free the key of a request that ends without an answer worth keeping."""
        with self._lock:
            self._running.discard((begun.owner, begun.key))
