"""A C2SP transparency-log witness (c2sp.org/tlog-witness): the ``add-checkpoint`` rule as a
pure decision over a request body, an explicit "now" and a :class:`WitnessState`, plus a
crash-safe file state. The HTTP edge is ``witness_http.py``.

A request is ``old <size>\\n``, up to 63 base64 consistency-proof lines, an empty line, and the
signed checkpoint. The witness answers (status, content type, body):

=====  ==========================================================================================
200    the checkpoint is consistent with the one it last cosigned; body: its cosignature line
400    a malformed request, or ``old`` greater than the checkpoint's size
403    no trusted signature of the log verifies
404    the origin is not a log this witness knows
409    ``old`` is not the size last cosigned (body ``<size>\\n``, ``text/x.tlog.size``), or the same
       size with another root hash
422    the proof does not prove the new tree extends the one last cosigned
=====  ==========================================================================================

The check against the stored checkpoint and the update of it happen under the state's per-origin
lock, and the new checkpoint is on disk before the cosignature is returned, so one witness never
cosigns two inconsistent checkpoints of one log. Errors: :class:`WitnessError` (an InputError)
and its subclasses.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ceasewatch.errors import InputError
from ceasewatch.evidence.checkpoint import MAX_TREE_SIZE, Checkpoint
from ceasewatch.evidence.cosignature import CosignerSigner, cosign
from ceasewatch.evidence.merkle import EMPTY_ROOT, verify_consistency
from ceasewatch.evidence.note import (
    NoteError,
    NoteVerifier,
    decode_base64,
    encode_base64,
    open_note,
    parse_note,
)

MAX_PROOF_LINES = 63
MAX_REQUEST_BYTES = 64 * 1024
SIZE_CONTENT_TYPE = "text/x.tlog.size"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
_OLD = re.compile(rb"old (0|[1-9][0-9]{0,19})")


class WitnessError(InputError):
    """A witness request, response or state that cannot be used."""


class WitnessRequestError(WitnessError):
    """A malformed ``add-checkpoint`` request body."""


class WitnessStateError(WitnessError):
    """A stored witness state that cannot be read; restore it, never delete it."""


@dataclass(frozen=True)
class AddCheckpointRequest:
    """``old_size``, the consistency proof (32-byte hashes) and the signed checkpoint note."""

    old_size: int
    proof: tuple[bytes, ...]
    note: bytes

    def __post_init__(self) -> None:
        if isinstance(self.old_size, bool) or not 0 <= self.old_size <= MAX_TREE_SIZE:
            raise WitnessRequestError(f"old size {self.old_size!r} is not in 0..2**64-1")
        if len(self.proof) > MAX_PROOF_LINES:
            raise WitnessRequestError(f"{len(self.proof)} proof lines; at most 63 are allowed")
        if any(len(h) != 32 for h in self.proof):
            raise WitnessRequestError("every consistency proof hash must be 32 bytes (SHA-256)")

    def encode(self) -> bytes:
        proof = "".join(encode_base64(h) + "\n" for h in self.proof).encode("ascii")
        return b"old %d\n" % self.old_size + proof + b"\n" + self.note

    @classmethod
    def parse(cls, body: bytes) -> AddCheckpointRequest:
        if len(body) > MAX_REQUEST_BYTES:
            raise WitnessRequestError(f"the request is over {MAX_REQUEST_BYTES} bytes")
        first, newline, rest = body.partition(b"\n")
        match = _OLD.fullmatch(first)
        if not newline or match is None:
            raise WitnessRequestError("the request must start with 'old <size>\\n' (no zero pad)")
        proof: list[bytes] = []
        while True:
            line, newline, rest = rest.partition(b"\n")
            if not newline:
                raise WitnessRequestError("the proof lines must be followed by an empty line")
            if not line:
                break
            if len(proof) == MAX_PROOF_LINES:
                raise WitnessRequestError("more than 63 consistency proof lines")
            text = line.decode("ascii", errors="replace")
            proof.append(decode_base64(text, f"proof line {len(proof) + 1}", WitnessRequestError))
        return cls(int(match.group(1)), tuple(proof), rest)


@dataclass(frozen=True)
class WitnessResponse:
    status: int
    content_type: str
    body: bytes


class WitnessState(Protocol):
    """Where a witness keeps, per origin, the latest checkpoint it cosigned.

    ``latest`` and ``store`` are called only while holding ``locked(origin)``, which serialises
    every request for that origin; ``store`` returns once the note is durable.
    """

    def locked(self, origin: str) -> AbstractContextManager[None]: ...
    def latest(self, origin: str) -> Checkpoint | None: ...
    def store(self, origin: str, note: bytes) -> None: ...


def _text(status: int, message: str) -> WitnessResponse:
    return WitnessResponse(status, TEXT_CONTENT_TYPE, (message + "\n").encode("utf-8"))


@dataclass(frozen=True)
class Witness:
    """A witness named by its cosigner key, trusting one log key per origin."""

    signer: CosignerSigner
    logs: Mapping[str, NoteVerifier]
    state: WitnessState

    def verifier_key(self) -> str:
        return self.signer.verifier_key()

    def add_checkpoint(self, request_body: bytes, now_s: int) -> WitnessResponse:
        """Decide one ``add-checkpoint`` request at time ``now_s`` (POSIX seconds)."""
        try:
            request = AddCheckpointRequest.parse(request_body)
            text = parse_note(request.note).text
            checkpoint = Checkpoint.parse(text)
        except (WitnessRequestError, NoteError) as exc:
            return _text(400, f"malformed add-checkpoint request: {exc}")
        verifier = self.logs.get(checkpoint.origin)
        if verifier is None:
            return _text(404, f"unknown log origin {checkpoint.origin!r}; not witnessed here")
        try:
            open_note(request.note, [verifier])
        except NoteError as exc:
            return _text(403, f"the checkpoint is not signed by the log's trusted key: {exc}")
        if request.old_size > checkpoint.size:
            return _text(400, f"old size {request.old_size} exceeds tree size {checkpoint.size}")
        with self.state.locked(checkpoint.origin):
            refusal = self._refusal(request, checkpoint)
            if refusal is not None:
                return refusal
            line = cosign(text, self.signer, now_s)
            self.state.store(checkpoint.origin, request.note)
        return WitnessResponse(200, TEXT_CONTENT_TYPE, line)

    def _refusal(self, request: AddCheckpointRequest, new: Checkpoint) -> WitnessResponse | None:
        latest = self.state.latest(new.origin)
        size, root = (latest.size, latest.root) if latest else (0, EMPTY_ROOT)
        if request.old_size != size:
            return WitnessResponse(409, SIZE_CONTENT_TYPE, b"%d\n" % size)
        if new.size == size:
            if new.root != root:
                return _text(409, f"a different root hash was already cosigned at size {size}")
            if request.proof:
                return _text(422, "the consistency proof between equal sizes must be empty")
        elif not verify_consistency(size, new.size, list(request.proof), root, new.root):
            return _text(
                422, f"the proof does not show tree size {new.size} extends cosigned size {size}"
            )
        return None


class FileWitnessState:
    """The latest cosigned checkpoint note of each origin, one file per origin in ``directory``.

    Writes go to a temporary file that is fsynced, renamed over the old one, and the directory
    fsynced, so a crash leaves the old or the new note, never a torn one. ``locked`` holds a
    thread lock and an ``flock`` on a per-origin lock file, so requests serialise across threads
    and processes.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def _path(self, origin: str, suffix: str) -> Path:
        return self.directory / (hashlib.sha256(origin.encode()).hexdigest()[:32] + suffix)

    @contextmanager
    def locked(self, origin: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            fd = os.open(self._path(origin, ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the flock

    def latest(self, origin: str) -> Checkpoint | None:
        path = self._path(origin, ".checkpoint")
        try:
            note = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            checkpoint = Checkpoint.parse(parse_note(note).text)
        except NoteError as exc:
            raise WitnessStateError(
                f"{path}: the stored checkpoint is damaged ({exc}); restore it from a backup "
                "(deleting it would let this witness cosign a fork)"
            ) from None
        if checkpoint.origin != origin:
            raise WitnessStateError(f"{path} holds origin {checkpoint.origin!r}, not {origin!r}")
        return checkpoint

    def store(self, origin: str, note: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".checkpoint")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(note)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self._path(origin, ".checkpoint"))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
