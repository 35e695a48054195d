"""C2SP witness cosignatures (c2sp.org/tlog-cosignature), the Ed25519 ``cosignature/v1`` type.

A cosignature is a note signature line on a checkpoint, by a witness key of signature type 0x04::

    key ID     SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte Ed25519 public key)[:4]
    signature  u64 big-endian timestamp (POSIX seconds) ‖ 64-byte Ed25519 signature
    message    "cosignature/v1\\n" ‖ "time <timestamp>\\n" ‖ the whole checkpoint body

Keys use the note key strings with type byte 0x04: ``<name>+<hex key ID>+base64(0x04 ‖ key)``
for verifiers, and (a ceasewatch convention; the spec defines no private form)
``PRIVATE+KEY+<name>+<hex key ID>+base64(0x04 ‖ seed)``. :class:`CosignerVerifier` is a
:class:`~ceasewatch.evidence.note.NoteVerifier`, so ``open_note`` checks cosignatures beside the
log's own signature. The timestamp is always an argument: nothing here reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ceasewatch.evidence.checkpoint import Checkpoint
from ceasewatch.evidence.note import (
    Ed25519Key,
    Ed25519PublicKeyNamed,
    NoteError,
    NoteSignature,
    ed25519_verify,
    open_note,
    parse_note,
)

COSIGNATURE_V1 = 0x04
MAX_TIMESTAMP_S = 2**63 - 1
_HEADER = b"cosignature/v1\n"


class CosignatureError(NoteError):
    """A cosignature that cannot be made or read (bad timestamp, not a checkpoint)."""


def cosigned_message(checkpoint_body: bytes, timestamp_s: int) -> bytes:
    """The bytes an Ed25519 cosigner signs: header line, time line, then the checkpoint body."""
    if isinstance(timestamp_s, bool) or not 0 <= timestamp_s <= MAX_TIMESTAMP_S:
        raise CosignatureError(f"cosignature timestamp {timestamp_s!r} is not in 0..2**63-1")
    Checkpoint.parse(checkpoint_body)
    return _HEADER + b"time %d\n" % timestamp_s + checkpoint_body


@dataclass(frozen=True)
class CosignerVerifier(Ed25519PublicKeyNamed):
    """Checks one witness's cosignatures; ``verify`` takes the note signature after the key ID."""

    key_type: ClassVar[int] = COSIGNATURE_V1

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != 8 + 64:
            return False
        timestamp_s = int.from_bytes(signature[:8], "big")
        try:
            message = cosigned_message(text, timestamp_s)
        except NoteError:
            return False
        return ed25519_verify(self.public_key, signature[8:], message)


@dataclass(frozen=True)
class CosignerSigner(Ed25519Key):
    """A witness's Ed25519 cosigning key (type 0x04)."""

    key_type: ClassVar[int] = COSIGNATURE_V1

    def verifier(self) -> CosignerVerifier:
        return CosignerVerifier(self.name, self.public_key)

    def at(self, timestamp_s: int) -> TimedCosigner:
        """This key as a :class:`~ceasewatch.evidence.note.NoteSigner` stamping ``timestamp_s``."""
        return TimedCosigner(self, timestamp_s)


@dataclass(frozen=True)
class TimedCosigner:
    """A cosigner bound to one timestamp, usable with ``sign_note``/``add_signatures``."""

    cosigner: CosignerSigner
    timestamp_s: int

    @property
    def name(self) -> str:
        return self.cosigner.name

    @property
    def key_id(self) -> bytes:
        return self.cosigner.key_id

    def sign(self, text: bytes) -> bytes:
        message = cosigned_message(text, self.timestamp_s)
        signature = Ed25519PrivateKey.from_private_bytes(self.cosigner.seed).sign(message)
        return self.timestamp_s.to_bytes(8, "big") + signature


def cosign(checkpoint_body: bytes, witness_signer: CosignerSigner, timestamp_s: int) -> bytes:
    """One cosignature line ``— <witness name> <base64>\\n`` over ``checkpoint_body``."""
    signer = witness_signer.at(timestamp_s)
    return NoteSignature(signer.name, signer.key_id, signer.sign(checkpoint_body)).line()


def verify_cosignature(note: bytes, witness_verifier: CosignerVerifier) -> int:
    """Verify the witness's cosignature on a checkpoint note; return its timestamp in seconds.

    Other signatures are ignored (the log's own must be checked with ``open_checkpoint``). If the
    witness signed more than once, all must verify and the latest timestamp is returned.
    """
    opened = open_note(note, [witness_verifier])
    Checkpoint.parse(opened.text)
    stamps = [
        int.from_bytes(sig.signature[:8], "big")
        for sig in parse_note(note).signatures
        if (sig.name, sig.key_id) == (witness_verifier.name, witness_verifier.key_id)
    ]
    return max(stamps)
