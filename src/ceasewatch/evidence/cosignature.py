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

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ceasewatch.evidence.checkpoint import Checkpoint
from ceasewatch.evidence.note import (
    KeyFormatError,
    NoteError,
    NoteSignature,
    check_key_name,
    decode_private_key,
    decode_verifier_key,
    ed25519_public_key,
    ed25519_verify,
    encode_private_key,
    encode_verifier_key,
    key_id_for,
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
class CosignerVerifier:
    """Checks one witness's cosignatures; ``verify`` takes the note signature after the key ID."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.public_key) != 32:
            raise KeyFormatError(f"an Ed25519 public key is 32 bytes, not {len(self.public_key)}")

    @property
    def key_id(self) -> bytes:
        return key_id_for(self.name, COSIGNATURE_V1, self.public_key)

    @classmethod
    def from_key(cls, text: str) -> CosignerVerifier:
        """Parse ``<name>+<hex key ID>+<base64(0x04 ‖ public key)>``."""
        return cls(*decode_verifier_key(text, COSIGNATURE_V1))

    def key_text(self) -> str:
        return encode_verifier_key(self.name, COSIGNATURE_V1, self.public_key)

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
class CosignerSigner:
    """A witness's Ed25519 cosigning key; ``seed`` is 32 secret random bytes from the caller."""

    name: str
    seed: bytes = field(repr=False)
    public_key: bytes = field(init=False)

    def __post_init__(self) -> None:
        check_key_name(self.name)
        object.__setattr__(self, "public_key", ed25519_public_key(self.seed))

    @classmethod
    def generate(cls, name: str, seed: bytes) -> CosignerSigner:
        return cls(name, seed)

    @classmethod
    def from_private_key_text(cls, text: str) -> CosignerSigner:
        return cls(*decode_private_key(text, COSIGNATURE_V1))

    @property
    def key_id(self) -> bytes:
        return key_id_for(self.name, COSIGNATURE_V1, self.public_key)

    def verifier(self) -> CosignerVerifier:
        return CosignerVerifier(self.name, self.public_key)

    def verifier_key(self) -> str:
        return self.verifier().key_text()

    def private_key_text(self) -> str:
        return encode_private_key(self.name, COSIGNATURE_V1, self.seed)

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
