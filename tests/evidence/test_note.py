"""Signed notes: byte-exact output rebuilt from the C2SP rules, the Go ``sumdb/note`` vectors, and
every kind of damage refused with a typed error."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from ceasewatch.errors import InputError
from ceasewatch.evidence.note import (
    MAX_SIGNATURES,
    InvalidSignatureError,
    KeyFormatError,
    MalformedNoteError,
    NoteError,
    OpenedNote,
    Signer,
    UnverifiedNoteError,
    Verifier,
    add_signatures,
    append_signature_lines,
    open_note,
    parse_note,
    sign_note,
)

SEED = bytes(range(32))
NAME = "example.org/ceasewatch-test"
TEXT = b"ceasefire line holds\n\nsector 4: quiet\n"
EM_DASH = "\u2014".encode()

# Vectors from the Go package golang.org/x/mod/sumdb/note: the package documentation ("Example"
# section of note.go) and note_test.go (TestNewVerifier, TestNewSigner, TestSign, TestOpen),
# repository github.com/golang/mod, path sumdb/note/.
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    b"If you think cryptography is the answer to your problem,\n"
    b"then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb"
    "6KE6RyyBwJnAM=\n"
).encode()
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33W"
    "Wd1RvMc+QQ=\n"
).encode()

# The example note of the C2SP signed-note spec (github.com/C2SP/C2SP, signed-note.md); its key
# is not published, so it is only parsed. Its text holds a blank line of its own.
SPEC_NOTE = (
    "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n"
    "— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQ"
    "U0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
).encode()


def _signer(index: int) -> Signer:
    return Signer.generate(f"example.org/signer-{index}", hashlib.sha256(b"%d" % index).digest())


# ------------------------------------------------------------------ byte-exact from the spec rules


def test_sign_note_is_byte_exact_from_the_spec_rules() -> None:
    private = Ed25519PrivateKey.from_private_bytes(SEED)
    public = private.public_key().public_bytes_raw()
    key_id = hashlib.sha256(NAME.encode() + b"\n" + b"\x01" + public).digest()[:4]
    blob = base64.b64encode(key_id + private.sign(TEXT))
    expected = TEXT + b"\n" + EM_DASH + b" " + NAME.encode() + b" " + blob + b"\n"

    signer = Signer.generate(NAME, SEED)
    assert sign_note(TEXT, [signer]) == expected
    vkey_blob = base64.b64encode(b"\x01" + public).decode()
    assert signer.verifier_key() == f"{NAME}+{key_id.hex()}+{vkey_blob}"
    seed_blob = base64.b64encode(b"\x01" + SEED).decode()
    assert signer.private_key_text() == f"PRIVATE+KEY+{NAME}+{key_id.hex()}+{seed_blob}"
    assert Signer.from_private_key_text(signer.private_key_text()) == signer
    verifier = Verifier.from_key(signer.verifier_key())
    assert open_note(expected, [verifier]) == OpenedNote(TEXT, (NAME,), 0)


def test_the_seed_never_shows_in_repr() -> None:
    assert SEED.hex() not in repr(Signer.generate(NAME, SEED))
    assert repr(SEED) not in repr(Signer.generate(NAME, SEED))


# ------------------------------------------------------------------ independent vectors (Go)


def test_go_example_note_verifies() -> None:
    note = GO_TEXT + b"\n" + PETER_SIG
    assert open_note(note, [Verifier.from_key(PETER_VKEY)]) == OpenedNote(
        GO_TEXT, ("PeterNeumann",), 0
    )


def test_go_private_key_reproduces_the_go_note_and_keys() -> None:
    signer = Signer.from_private_key_text(PETER_SKEY)
    assert signer.verifier_key() == PETER_VKEY
    assert signer.private_key_text() == PETER_SKEY
    assert signer.key_id.hex() == "c74f20a3"
    assert sign_note(GO_TEXT, [signer]) == GO_TEXT + b"\n" + PETER_SIG


def test_go_doubly_signed_note() -> None:
    note = GO_TEXT + b"\n" + PETER_SIG + ENOCH_SIG
    peter, enoch = Verifier.from_key(PETER_VKEY), Verifier.from_key(ENOCH_VKEY)
    assert open_note(note, [peter]) == OpenedNote(GO_TEXT, ("PeterNeumann",), 1)
    assert open_note(note, [enoch]) == OpenedNote(GO_TEXT, ("EnochRoot",), 1)
    assert open_note(note, [peter, enoch]).verified == ("PeterNeumann", "EnochRoot")
    with pytest.raises(UnverifiedNoteError):
        open_note(note, [])


def test_go_signature_with_inserted_bytes_is_invalid_for_the_known_key() -> None:
    bad = PETER_SIG[:60] + b"ABCD" + PETER_SIG[60:]  # as in Go's TestOpen
    with pytest.raises(InvalidSignatureError, match="PeterNeumann"):
        open_note(GO_TEXT + b"\n" + bad, [Verifier.from_key(PETER_VKEY)])


@pytest.mark.parametrize("key", [PETER_VKEY, PETER_SKEY])
def test_every_mangling_of_the_go_keys_is_refused(key: str) -> None:
    load = Signer.from_private_key_text if key.startswith("PRIVATE") else Verifier.from_key
    raw = key.encode()
    mangled = {raw[i:j] for i in range(len(raw)) for j in range(i + 1, len(raw) + 1)} - {raw}
    mangled |= {raw[:i] + bytes([raw[i] + 1]) + raw[i + 1 :] for i in range(len(raw))}
    for variant in mangled:
        with pytest.raises(KeyFormatError):
            load(variant.decode())


@pytest.mark.parametrize(
    "vkey",
    [
        # From Go's TestNewVerifier: wrong key length, and unknown algorithm, each with the key
        # hash adjusted so only the named defect remains.
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "",
        "PeterNeumann",
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+0xc74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWé",
    ],
)
def test_malformed_verifier_keys_are_refused(vkey: str) -> None:
    with pytest.raises(KeyFormatError):
        Verifier.from_key(vkey)


def test_key_hash_is_checked_in_upper_or_lower_case() -> None:
    assert Verifier.from_key(PETER_VKEY.replace("c74f20a3", "C74F20A3")).key_text() == PETER_VKEY
    with pytest.raises(KeyFormatError, match="key ID does not match"):
        Verifier.from_key(PETER_VKEY.replace("c74f20a3", "c74f20a4"))


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there", "nbsp\u00a0", "new\nline", "\x00"])
def test_bad_key_names_are_refused(name: str) -> None:
    with pytest.raises(KeyFormatError):
        Signer.generate(name, SEED)


def test_seed_must_be_32_bytes() -> None:
    with pytest.raises(KeyFormatError, match="32 bytes"):
        Signer.generate(NAME, SEED[:31])


# ------------------------------------------------------------------ the C2SP example


def test_spec_example_note_parses_with_a_blank_line_in_its_text() -> None:
    parsed = parse_note(SPEC_NOTE)
    assert parsed.text.endswith("ed è subito sera.\n".encode())
    assert b"\n\n" in parsed.text
    (sig,) = parsed.signatures
    assert sig.name == "quasimodo.example/salvatore"
    assert len(sig.signature) == 64
    assert parsed.encode() == SPEC_NOTE
    with pytest.raises(UnverifiedNoteError):
        open_note(SPEC_NOTE, [Verifier.from_key(PETER_VKEY)])


# ------------------------------------------------------------------ damage and strictness


def test_flipping_any_byte_anywhere_is_refused() -> None:
    signer = Signer.generate(NAME, SEED)
    note = sign_note(b"line one\nline two\n", [signer])
    verifier = signer.verifier()
    for position in range(len(note)):
        for mask in (0x01, 0x02, 0x20, 0x40, 0x80, 0xFF):
            damaged = bytearray(note)
            damaged[position] ^= mask
            with pytest.raises(NoteError):
                open_note(bytes(damaged), [verifier])


def test_every_error_is_an_input_error() -> None:
    assert issubclass(NoteError, InputError)


def test_wrong_key_with_the_same_name_counts_as_unknown() -> None:
    note = sign_note(TEXT, [Signer.generate(NAME, SEED)])
    impostor = Signer.generate(NAME, bytes(32)).verifier()
    with pytest.raises(UnverifiedNoteError, match="no signature on the note is by a known key"):
        open_note(note, [impostor])


def test_only_unknown_keys_is_refused() -> None:
    note = sign_note(TEXT, [_signer(1), _signer(2)])
    with pytest.raises(UnverifiedNoteError):
        open_note(note, [_signer(3).verifier()])


def test_a_bad_signature_by_a_known_key_rejects_the_whole_note() -> None:
    good, other = Signer.generate(NAME, SEED), _signer(1)
    forged = sign_note(b"another text\n", [good]).split(b"\n\n")[1]
    note = sign_note(TEXT, [other]) + forged
    with pytest.raises(InvalidSignatureError):
        open_note(note, [other.verifier(), good.verifier()])


def test_crlf_line_endings_are_refused() -> None:
    note = sign_note(TEXT, [Signer.generate(NAME, SEED)]).replace(b"\n", b"\r\n")
    with pytest.raises(MalformedNoteError, match="carriage return"):
        open_note(note, [Signer.generate(NAME, SEED).verifier()])


@pytest.mark.parametrize(
    "damage",
    [
        lambda n: n[:-1],  # missing final newline
        lambda n: n + b"\n",  # a trailing blank line leaves no signature lines
        lambda n: n.replace(b"\n\n", b"\n"),  # no blank line before the signatures
        lambda n: n + b"unexpected line\n",
        lambda n: n + "— bad name AAAAAAAA\n".encode(),
        lambda n: n + "— short AAAA\n".encode(),
        lambda n: n + "—  double-space AAAAAAAA\n".encode(),
        lambda n: n + b"\xff\n",
        lambda n: b"\x01" + n,
        lambda n: n.replace(EM_DASH, b"-"),
    ],
)
def test_malformed_notes_are_refused(damage: object) -> None:
    signer = Signer.generate(NAME, SEED)
    note = sign_note(TEXT, [signer])
    with pytest.raises(MalformedNoteError):
        open_note(damage(note), [signer.verifier()])  # type: ignore[operator]


def test_sixteen_signatures_are_accepted_and_more_than_a_hundred_refused() -> None:
    signers = [_signer(i) for i in range(16)]
    note = sign_note(TEXT, signers)
    opened = open_note(note, [s.verifier() for s in signers])
    assert opened.verified == tuple(s.name for s in signers)
    assert open_note(note, [signers[7].verifier()]).unknown == 15

    line = note.split(b"\n\n")[-1].split(b"\n")[0] + b"\n"
    assert open_note(TEXT + b"\n" + line * MAX_SIGNATURES, [signers[0].verifier()]).verified
    with pytest.raises(MalformedNoteError, match="more than 100"):
        open_note(TEXT + b"\n" + line * (MAX_SIGNATURES + 1), [signers[0].verifier()])


@pytest.mark.parametrize("text", [b"no final newline", b"crlf\r\n", b"\xc3\x28\n", b"tab\tch\n"])
def test_sign_note_refuses_texts_that_cannot_be_notes(text: bytes) -> None:
    with pytest.raises(MalformedNoteError):
        sign_note(text, [Signer.generate(NAME, SEED)])


def test_sign_note_needs_a_signer_and_distinct_signers() -> None:
    with pytest.raises(NoteError):
        sign_note(TEXT, [])
    with pytest.raises(NoteError, match="twice"):
        sign_note(TEXT, [_signer(1), _signer(1)])


def test_add_signatures_appends_and_replaces_by_key() -> None:
    first, second = _signer(1), _signer(2)
    note = sign_note(TEXT, [first])
    both = add_signatures(note, [second])
    assert both == sign_note(TEXT, [first, second])
    assert add_signatures(both, [first]) == sign_note(TEXT, [second, first])


def test_append_signature_lines_drops_duplicates() -> None:
    first, second = _signer(1), _signer(2)
    note = sign_note(TEXT, [first])
    lines = sign_note(TEXT, [second]).split(b"\n\n")[-1]
    merged = append_signature_lines(note, lines + lines)
    assert merged == sign_note(TEXT, [first, second])
    assert append_signature_lines(merged, lines) == merged
    with pytest.raises(MalformedNoteError):
        append_signature_lines(note, b"not a signature line\n")


_TEXT_CHARS = (  # everything but control characters (newline aside) and surrogates
    st.characters(min_codepoint=0x20, max_codepoint=0xD7FF)
    | st.characters(min_codepoint=0xE000)
    | st.just("\n")
)


@given(st.text(_TEXT_CHARS, max_size=200))
def test_any_text_ending_in_newline_round_trips(body: str) -> None:
    text = (body + "\n").encode()
    signer = Signer.generate(NAME, SEED)
    assert open_note(sign_note(text, [signer]), [signer.verifier()]).text == text
