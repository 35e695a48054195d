"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, over bytes only.

A signed note is a UTF-8 text ending in a newline, a blank line, and one or more signature lines
``— <key name> base64(key ID ‖ signature)``. The text is everything up to and including the
newline before the *last* blank line, so a text may itself contain blank lines. Keys are strings
in the Go ``golang.org/x/mod/sumdb/note`` convention::

    verifier key   <name>+<8 hex key ID>+base64(type ‖ public key)
    private key    PRIVATE+KEY+<name>+<8 hex key ID>+base64(type ‖ 32-byte seed)
    key ID         SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]       type 0x01 = Ed25519

Other signature types (witness cosignatures, ``cosignature.py``) plug in through the
:class:`NoteSigner` and :class:`NoteVerifier` protocols. Nothing here reads a clock, a file or
the network, and every malformed input raises one of::

    InputError
    └── NoteError                   a note or key problem
        ├── KeyFormatError          a malformed key name, verifier key or private key text
        ├── MalformedNoteError      a note that does not parse (encoding, layout, signature line)
        ├── UnverifiedNoteError     no signature on the note is by a known key
        └── InvalidSignatureError   a known key's signature does not verify
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, Self

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ceasewatch.errors import InputError

ED25519 = 0x01
MAX_SIGNATURES = 100  # the spec requires at least 16; more is refused as absurd
SIGNATURE_PREFIX = "— ".encode()  # U+2014 EM DASH, then a space
PRIVATE_PREFIX = "PRIVATE+KEY+"
_KEY_KINDS = {
    0x01: "an Ed25519 note key (Verifier / Signer)",
    0x04: "an Ed25519 witness cosignature key (CosignerVerifier / CosignerSigner)",
}
_CONTROL = re.compile(rb"[\x00-\x09\x0b-\x1f]")
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")


class NoteError(InputError):
    """A signed note or a note key that cannot be used."""


class KeyFormatError(NoteError):
    """A malformed key name, verifier key or private key text."""


class MalformedNoteError(NoteError):
    """A note that does not follow the signed-note format."""


class UnverifiedNoteError(NoteError):
    """A well-formed note with no signature by any of the known keys."""


class InvalidSignatureError(NoteError):
    """A signature line by a known key (name and key ID match) that does not verify."""


class NoteSigner(Protocol):
    """Anything that signs note texts: a name, a 4-byte key ID and ``sign(text) -> signature``."""

    @property
    def name(self) -> str: ...
    @property
    def key_id(self) -> bytes: ...
    def sign(self, text: bytes) -> bytes: ...


class NoteVerifier(Protocol):
    """Anything that checks note signatures; ``verify`` returns False (never raises) if bad."""

    @property
    def name(self) -> str: ...
    @property
    def key_id(self) -> bytes: ...
    def verify(self, text: bytes, signature: bytes) -> bool: ...


def is_key_name(name: str) -> bool:
    """True for a valid key name: non-empty UTF-8, no Unicode space, no '+', no control char."""
    if not name or "+" in name or any(c.isspace() or c < " " for c in name):
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_key_name(name: str) -> str:
    """Return ``name`` if it is a valid key name, else raise :class:`KeyFormatError`."""
    if not is_key_name(name):
        raise KeyFormatError(
            f"key name {name!r} is not valid: it must be non-empty UTF-8 without spaces, '+' or "
            "control characters; use a schema-less URL such as 'example.org/log'"
        )
    return name


def key_id_for(name: str, key_type: int, public_key: bytes) -> bytes:
    """The 4-byte key ID: SHA-256(name ‖ 0x0A ‖ key type ‖ public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public_key).digest()[:4]


def encode_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decode_base64(text: str, what: str, error: type[InputError] = MalformedNoteError) -> bytes:
    """Decode canonical standard base64 (RFC 4648 §4, padded); anything else raises ``error``."""
    problem = error(f"{what} is not canonical standard base64 (RFC 4648 section 4, padded)")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except ValueError:
        raise problem from None
    if encode_base64(raw) != text:
        raise problem
    return raw


def ed25519_public_key(seed: bytes) -> bytes:
    """The 32-byte Ed25519 public key of a 32-byte seed."""
    if len(seed) != 32:
        raise KeyFormatError(
            f"an Ed25519 seed is 32 bytes, not {len(seed)}; take 32 bytes from os.urandom"
        )
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()


def ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def encode_verifier_key(name: str, key_type: int, public_key: bytes) -> str:
    blob = encode_base64(bytes([key_type]) + public_key)
    return f"{name}+{key_id_for(name, key_type, public_key).hex()}+{blob}"


def _split_key(text: str, what: str) -> tuple[str, bytes, bytes, int]:
    """Split ``<name>+<hex8>+<base64(type ‖ 32 bytes)>`` at the first two '+'."""
    parts = text.split("+", 2)
    if len(parts) != 3 or not _HEX8.fullmatch(parts[1]):
        raise KeyFormatError(f"{what} must look like <name>+<8 hex digits>+<base64>")
    name, hex8, blob = parts
    check_key_name(name)
    raw = decode_base64(blob, f"the key material of {what}", KeyFormatError)
    if len(raw) != 33:
        raise KeyFormatError(f"{what} holds {len(raw)} bytes of key material, not 1 + 32")
    return name, bytes.fromhex(hex8), raw[1:], raw[0]


def _check_type(found: int, expected: int, what: str) -> None:
    if found != expected:
        kind = _KEY_KINDS.get(found, "of an unsupported type")
        raise KeyFormatError(
            f"{what} has key type 0x{found:02x}, {kind}; this needs type 0x{expected:02x}, "
            f"{_KEY_KINDS.get(expected, '')}"
        )


def decode_verifier_key(text: str, key_type: int) -> tuple[str, bytes]:
    """``(name, public key)`` from a verifier key of ``key_type``, its key ID checked."""
    name, key_id, public_key, found = _split_key(text, f"verifier key {text!r}")
    _check_type(found, key_type, f"verifier key {text!r}")
    if key_id != key_id_for(name, key_type, public_key):
        raise KeyFormatError(
            f"verifier key {text!r}: the key ID does not match the name and public key; "
            "copy the key again from its owner"
        )
    return name, public_key


def encode_private_key(name: str, key_type: int, seed: bytes) -> str:
    key_id = key_id_for(name, key_type, ed25519_public_key(seed))
    return f"{PRIVATE_PREFIX}{name}+{key_id.hex()}+{encode_base64(bytes([key_type]) + seed)}"


def decode_private_key(text: str, key_type: int) -> tuple[str, bytes]:
    """``(name, seed)`` from a private key text of ``key_type``; errors never echo the secret."""
    what = "the private key text"
    if not text.startswith(PRIVATE_PREFIX):
        raise KeyFormatError(f"{what} must start with {PRIVATE_PREFIX!r}")
    name, key_id, seed, found = _split_key(text[len(PRIVATE_PREFIX) :], what)
    _check_type(found, key_type, what)
    if key_id != key_id_for(name, key_type, ed25519_public_key(seed)):
        raise KeyFormatError(f"{what} for {name!r}: the key ID does not match the key")
    return name, seed


@dataclass(frozen=True)
class Ed25519PublicKeyNamed:
    """A named Ed25519 public key of one signature type (``key_type``), as in a verifier key
    ``<name>+<hex key ID>+<base64(type ‖ public key)>``."""

    key_type: ClassVar[int] = ED25519
    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.public_key) != 32:
            raise KeyFormatError(f"an Ed25519 public key is 32 bytes, not {len(self.public_key)}")

    @property
    def key_id(self) -> bytes:
        return key_id_for(self.name, self.key_type, self.public_key)

    @classmethod
    def from_key(cls, text: str) -> Self:
        """Parse a verifier key of this type."""
        return cls(*decode_verifier_key(text, cls.key_type))

    def key_text(self) -> str:
        return encode_verifier_key(self.name, self.key_type, self.public_key)


@dataclass(frozen=True)
class Verifier(Ed25519PublicKeyNamed):
    """An Ed25519 note verifier (signature type 0x01)."""

    def verify(self, text: bytes, signature: bytes) -> bool:
        return ed25519_verify(self.public_key, signature, text)


@dataclass(frozen=True)
class Ed25519Key:
    """A named Ed25519 private key of one signature type (``key_type``); ``seed`` is 32 secret
    random bytes from the caller. Subclasses fix the type: notes (0x01), cosignatures (0x04)."""

    key_type: ClassVar[int] = ED25519
    name: str
    seed: bytes = field(repr=False)
    public_key: bytes = field(init=False)

    def __post_init__(self) -> None:
        check_key_name(self.name)
        object.__setattr__(self, "public_key", ed25519_public_key(self.seed))

    @classmethod
    def generate(cls, name: str, seed: bytes) -> Self:
        return cls(name, seed)

    @classmethod
    def from_private_key_text(cls, text: str) -> Self:
        return cls(*decode_private_key(text, cls.key_type))

    @property
    def key_id(self) -> bytes:
        return key_id_for(self.name, self.key_type, self.public_key)

    def verifier_key(self) -> str:
        return encode_verifier_key(self.name, self.key_type, self.public_key)

    def private_key_text(self) -> str:
        return encode_private_key(self.name, self.key_type, self.seed)


@dataclass(frozen=True)
class Signer(Ed25519Key):
    """An Ed25519 note signer (type 0x01)."""

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.public_key)

    def sign(self, text: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(text)


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, 4-byte key ID and the signature bytes after it."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> bytes:
        blob = encode_base64(self.key_id + self.signature)
        return SIGNATURE_PREFIX + f"{self.name} {blob}\n".encode()


@dataclass(frozen=True)
class ParsedNote:
    """A note split into text and signature lines, nothing verified yet."""

    text: bytes
    signatures: tuple[NoteSignature, ...]

    def encode(self) -> bytes:
        return self.text + b"\n" + b"".join(s.line() for s in self.signatures)


@dataclass(frozen=True)
class OpenedNote:
    """A note whose text is vouched for by the keys named in ``verified`` (in note order);
    ``unknown`` counts the signature lines by keys the caller did not supply."""

    text: bytes
    verified: tuple[str, ...]
    unknown: int


def _check_encoding(data: bytes, what: str) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedNoteError(f"{what} is not valid UTF-8 (byte {exc.start})") from None
    bad = _CONTROL.search(data)
    if bad is not None:
        line = data.count(b"\n", 0, bad.start()) + 1
        char = "a carriage return (CRLF line ending?)" if bad.group() == b"\r" else "a control"
        raise MalformedNoteError(
            f"{what} has {char} character 0x{bad.group()[0]:02x} on line {line}; notes allow "
            "no control characters except \\n (use \\n line endings)"
        )


def check_text(text: bytes) -> None:
    """Raise :class:`MalformedNoteError` unless ``text`` can be signed as a note text."""
    _check_encoding(text, "the note text")
    if not text.endswith(b"\n"):
        raise MalformedNoteError("the note text must end with a newline; append b'\\n'")


def parse_signature_line(line: bytes, number: int = 1) -> NoteSignature:
    """Parse one signature line (without its newline); ``number`` only labels errors."""
    where = f"signature line {number}"
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedNoteError(f"{where} does not start with an em dash (U+2014) and a space")
    name, sep, blob = line[len(SIGNATURE_PREFIX) :].decode("utf-8").partition(" ")
    if not sep or not is_key_name(name):
        raise MalformedNoteError(f"{where} needs '— <key name> <base64>' with a valid key name")
    raw = decode_base64(blob, f"the signature on {where}")
    if len(raw) < 5:
        raise MalformedNoteError(f"{where} holds {len(raw)} bytes; a key ID and a signature")
    return NoteSignature(name, raw[:4], raw[4:])


def parse_signature_lines(block: bytes) -> tuple[NoteSignature, ...]:
    """Parse newline-terminated signature lines (a note's, or a witness response), at most 100."""
    _check_encoding(block, "the signature lines")
    if not block.endswith(b"\n"):
        raise MalformedNoteError("the last signature line must end with a newline")
    lines = block[:-1].split(b"\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"more than {MAX_SIGNATURES} signature lines; refusing the note")
    return tuple(parse_signature_line(line, i) for i, line in enumerate(lines, start=1))


def parse_note(note: bytes) -> ParsedNote:
    """Split a note at its last blank line and parse its signature lines; verify nothing."""
    _check_encoding(note, "the note")
    split = note.rfind(b"\n\n")
    if split < 0:
        raise MalformedNoteError(
            "the note has no blank line before its signatures; a signed note is a text ending in "
            "a newline, one empty line, then lines '— <key name> <base64 signature>'"
        )
    block = note[split + 2 :]
    if not block:
        raise MalformedNoteError("the note has no signature lines after its last blank line")
    return ParsedNote(note[: split + 1], parse_signature_lines(block))


def open_note(note: bytes, verifiers: Sequence[NoteVerifier]) -> OpenedNote:
    """Parse ``note`` and verify every signature by a known key (same name *and* key ID).

    Signatures by other keys are counted in ``unknown`` and otherwise ignored. Raises
    :class:`InvalidSignatureError` if a known key's signature fails, and
    :class:`UnverifiedNoteError` if no known key signed.
    """
    known: dict[tuple[str, bytes], NoteVerifier] = {}
    for v in verifiers:
        if known.setdefault((v.name, v.key_id), v) != v:
            raise NoteError(f"two different verifiers share name {v.name!r} and key ID")
    parsed = parse_note(note)
    verified: list[str] = []
    unknown = 0
    for number, sig in enumerate(parsed.signatures, start=1):
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            unknown += 1
        elif not verifier.verify(parsed.text, sig.signature):
            raise InvalidSignatureError(
                f"signature line {number} by {sig.name}+{sig.key_id.hex()} does not verify: the "
                "note was altered or signed with another key; do not trust its text"
            )
        elif sig.name not in verified:
            verified.append(sig.name)
    if not verified:
        wanted = ", ".join(sorted({f"{n}+{k.hex()}" for n, k in known})) or "none given"
        found = ", ".join(dict.fromkeys(f"{s.name}+{s.key_id.hex()}" for s in parsed.signatures))
        raise UnverifiedNoteError(
            f"no signature on the note is by a known key (known: {wanted}; found: {found}); check "
            "that the note comes from the expected log and the right verifier key is configured"
        )
    return OpenedNote(parsed.text, tuple(verified), unknown)


def _signature(text: bytes, signer: NoteSigner) -> NoteSignature:
    check_key_name(signer.name)
    if len(signer.key_id) != 4:
        raise KeyFormatError(f"signer {signer.name!r} has a key ID of {len(signer.key_id)} bytes")
    return NoteSignature(signer.name, signer.key_id, signer.sign(text))


def _with(parsed: ParsedNote, added: Sequence[NoteSignature]) -> bytes:
    new = {(s.name, s.key_id) for s in added}
    if len(new) != len(added):
        raise NoteError("the same key is given twice; give each signer once")
    kept = [s for s in parsed.signatures if (s.name, s.key_id) not in new]
    if len(kept) + len(added) > MAX_SIGNATURES:
        raise NoteError(f"a note carries at most {MAX_SIGNATURES} signatures")
    return ParsedNote(parsed.text, (*kept, *added)).encode()


def sign_note(text: bytes, signers: Sequence[NoteSigner]) -> bytes:
    """``text`` + blank line + one signature line per signer, in order.

    ``text`` must be UTF-8 without control characters except newline and must end with a newline.
    Any such text is unambiguous: the last blank line of the note is the one added here.
    """
    check_text(text)
    if not signers:
        raise NoteError("sign_note needs at least one signer")
    return _with(ParsedNote(text, ()), [_signature(text, s) for s in signers])


def add_signatures(note: bytes, signers: Sequence[NoteSigner]) -> bytes:
    """Append signatures over the text of ``note`` (not verified here); a line by the same key
    (name and key ID) already present is replaced."""
    parsed = parse_note(note)
    return _with(parsed, [_signature(parsed.text, s) for s in signers])


def append_signature_lines(note: bytes, lines: bytes) -> bytes:
    """Append already-made signature lines (e.g. a witness response) to ``note``; lines equal to
    one already present are dropped, and nothing is verified here."""
    parsed = parse_note(note)
    present = set(parsed.signatures)
    added = [s for s in dict.fromkeys(parse_signature_lines(lines)) if s not in present]
    if len(parsed.signatures) + len(added) > MAX_SIGNATURES:
        raise NoteError(f"a note carries at most {MAX_SIGNATURES} signatures")
    return ParsedNote(parsed.text, (*parsed.signatures, *added)).encode()
