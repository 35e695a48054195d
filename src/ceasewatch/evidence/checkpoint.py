"""C2SP transparency-log checkpoints (c2sp.org/tlog-checkpoint): the note text that names a
log's Merkle tree head, and signing and opening it as a signed note.

The body is three or more non-empty lines, each ending in a newline::

    <origin>                 the log's identity; here also the log key's name
    <tree size>              ASCII decimal, no leading zeros (an empty tree is "0")
    <base64 root hash>       the 32-byte RFC 6962 root at that size
    <extension line>...      optional, opaque, non-empty

Errors: :class:`CheckpointError` (a :class:`~ceasewatch.evidence.note.NoteError`) for a body
that does not parse or a note whose origin is not the log key's name; the note errors otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ceasewatch.evidence.note import (
    NoteError,
    NoteSigner,
    NoteVerifier,
    OpenedNote,
    UnverifiedNoteError,
    decode_base64,
    encode_base64,
    open_note,
    sign_note,
)

MAX_TREE_SIZE = 2**64 - 1
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")
_CONTROL = re.compile(r"[\x00-\x1f]")


class CheckpointError(NoteError):
    """A checkpoint body that does not parse, or a checkpoint from the wrong log."""


def _check_line(value: str, what: str) -> None:
    if not value:
        raise CheckpointError(f"the checkpoint {what} is empty; it must be a non-empty line")
    if _CONTROL.search(value):
        raise CheckpointError(f"the checkpoint {what} {value!r} contains a newline or control char")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CheckpointError(f"the checkpoint {what} {value!r} is not valid Unicode") from None


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: ``origin``, tree ``size``, 32-byte ``root`` and extension lines.

    Any non-empty origin is accepted (the spec tells clients not to assume its form); a log that
    signs with :func:`sign_checkpoint` must use an origin that is also a valid key name.
    """

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if isinstance(self.size, bool) or not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError(f"tree size {self.size!r} is not an integer from 0 to 2**64-1")
        if len(self.root) != 32:
            raise CheckpointError(f"the root hash is {len(self.root)} bytes, not 32 (SHA-256)")
        for number, line in enumerate(self.extensions, start=4):
            _check_line(line, f"extension line {number}")

    def body(self) -> bytes:
        """The note text: origin, size, base64 root and extensions, each ending in a newline."""
        lines = [self.origin, str(self.size), encode_base64(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines).encode("utf-8")

    @classmethod
    def parse(cls, body: bytes) -> Checkpoint:
        """Strictly parse a checkpoint note text (the note without its signatures)."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError(f"the checkpoint is not valid UTF-8 (byte {exc.start})") from None
        if not text.endswith("\n"):
            raise CheckpointError("the checkpoint must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError(
                f"the checkpoint has {len(lines)} line(s); it needs origin, tree size and root hash"
            )
        origin, size, root, *extensions = lines
        if not _SIZE.fullmatch(size):
            raise CheckpointError(
                f"line 2 (tree size) {size!r} is not a decimal in 0..2**64-1 without leading zeros"
            )
        raw_root = decode_base64(root, "line 3 (root hash)", CheckpointError)
        return cls(origin, int(size), raw_root, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> bytes:
    """The checkpoint as a signed note; the signer's key name must equal the origin line."""
    if signer.name != checkpoint.origin:
        raise CheckpointError(
            f"the log key is named {signer.name!r} but the checkpoint origin is "
            f"{checkpoint.origin!r}; name the log's key after its origin"
        )
    return sign_note(checkpoint.body(), [signer])


def open_checkpoint(
    note: bytes, log_verifier: NoteVerifier, cosigners: Sequence[NoteVerifier] = ()
) -> tuple[Checkpoint, OpenedNote]:
    """Verify ``note`` as a checkpoint signed by ``log_verifier`` and return it parsed.

    The origin must equal the log key's name. Signatures by ``cosigners`` (witnesses) are
    verified when present and listed in ``OpenedNote.verified``; other keys are ignored.
    """
    if any(c.name == log_verifier.name for c in cosigners):
        raise NoteError(f"a cosigner shares the log key's name {log_verifier.name!r}")
    opened = open_note(note, [log_verifier, *cosigners])
    if log_verifier.name not in opened.verified:
        raise UnverifiedNoteError(
            f"the checkpoint carries no signature by the log key {log_verifier.name!r}; "
            "check that it comes from that log"
        )
    checkpoint = Checkpoint.parse(opened.text)
    if checkpoint.origin != log_verifier.name:
        raise CheckpointError(
            f"the checkpoint origin {checkpoint.origin!r} is not the log key's name "
            f"{log_verifier.name!r}; it was signed for another log"
        )
    return checkpoint, opened
