"""Checkpoint bodies (C2SP tlog-checkpoint): the spec's example, strict parsing, and signing and
opening them with the log key named after the origin."""

from __future__ import annotations

import base64
import hashlib

import pytest

from ceasewatch.evidence.checkpoint import (
    Checkpoint,
    CheckpointError,
    open_checkpoint,
    sign_checkpoint,
)
from ceasewatch.evidence.note import (
    NoteError,
    Signer,
    UnverifiedNoteError,
    Verifier,
    parse_note,
    sign_note,
)

# The example of the C2SP tlog-checkpoint spec (github.com/C2SP/C2SP, tlog-checkpoint.md). The
# log's key is not published, so the signature line is only parsed.
SPEC_BODY = b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_NOTE = (
    SPEC_BODY
    + "\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
    "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n".encode()
)

ORIGIN = "example.org/ceasewatch-log"
LOG = Signer.generate(ORIGIN, hashlib.sha256(b"log").digest())
ROOT = hashlib.sha256(b"some root").digest()


def test_spec_example_parses() -> None:
    checkpoint = Checkpoint.parse(SPEC_BODY)
    assert checkpoint == Checkpoint(
        "example.com/behind-the-sofa",
        20852163,
        base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="),
    )
    assert checkpoint.body() == SPEC_BODY


def test_spec_example_note_parses_but_no_trusted_key_signed_it() -> None:
    parsed = parse_note(SPEC_NOTE)
    assert parsed.text == SPEC_BODY
    assert [s.name for s in parsed.signatures] == ["example.com/behind-the-sofa"]
    impostor = Signer.generate("example.com/behind-the-sofa", bytes(32)).verifier()
    with pytest.raises(UnverifiedNoteError):
        open_checkpoint(SPEC_NOTE, impostor)


def test_body_layout_and_round_trip_with_extensions() -> None:
    checkpoint = Checkpoint(ORIGIN, 0, hashlib.sha256(b"").digest(), ("ext one", "ext-two"))
    root = base64.b64encode(checkpoint.root).decode()
    expected = f"{ORIGIN}\n0\n{root}\next one\next-two\n".encode()
    assert checkpoint.body() == expected
    assert Checkpoint.parse(expected) == checkpoint


@pytest.mark.parametrize(
    ("size", "root", "tail"),
    [
        ("020", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", ""),  # leading zero
        ("00", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", ""),
        ("+5", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", ""),
        ("-1", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", ""),
        (" 5", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", ""),
        ("5 ", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", ""),
        ("", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", ""),
        ("\u0663", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", ""),  # Arabic-Indic three
        (str(2**64), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", ""),
        ("9" * 5000, "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", ""),
        ("5", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2", ""),  # unpadded
        ("5", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=", ""),  # non-canonical
        ("5", "CsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=", ""),  # URL alphabet
        ("5", base64.b64encode(bytes(31)).decode(), ""),
        ("5", base64.b64encode(bytes(33)).decode(), ""),
        ("5", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", "\n"),  # empty extension line
        ("5", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", "ext\r"),
    ],
)
def test_strict_parse_refuses(size: str, root: str, tail: str) -> None:
    body = f"example.com/log\n{size}\n{root}\n{tail}".encode()
    with pytest.raises(CheckpointError):
        Checkpoint.parse(body)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"example.com/log\n5\n",
        b"example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",  # no final newline
        b"\nexample.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        b"\nexample.com/log\r\n5\r\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\r\n",
        b"\xffexample.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    ],
)
def test_malformed_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint.parse(body)


@pytest.mark.parametrize(
    ("origin", "size", "root"),
    [("", 1, ROOT), ("a\nb", 1, ROOT), (ORIGIN, -1, ROOT), (ORIGIN, True, ROOT), (ORIGIN, 1, b"")],
)
def test_constructor_refuses_values_with_no_body(origin: str, size: int, root: bytes) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint(origin, size, root)


def test_an_origin_that_is_not_a_key_name_parses_but_cannot_be_signed() -> None:
    checkpoint = Checkpoint.parse(b"a log with spaces\n1\n" + base64.b64encode(ROOT) + b"\n")
    assert checkpoint.origin == "a log with spaces"
    with pytest.raises(CheckpointError, match="origin"):
        sign_checkpoint(checkpoint, LOG)


def test_sign_and_open() -> None:
    checkpoint = Checkpoint(ORIGIN, 42, ROOT)
    note = sign_checkpoint(checkpoint, LOG)
    assert note == sign_note(checkpoint.body(), [LOG])
    opened_checkpoint, opened = open_checkpoint(note, Verifier.from_key(LOG.verifier_key()))
    assert opened_checkpoint == checkpoint
    assert opened.verified == (ORIGIN,)


def test_signer_must_be_named_after_the_origin() -> None:
    with pytest.raises(CheckpointError, match="name the log's key after its origin"):
        sign_checkpoint(Checkpoint("example.org/other", 1, ROOT), LOG)


def test_open_refuses_a_note_signed_for_another_origin() -> None:
    other = Signer.generate("example.org/other", hashlib.sha256(b"other").digest())
    note = sign_note(Checkpoint(ORIGIN, 1, ROOT).body(), [other])
    with pytest.raises(CheckpointError, match="signed for another log"):
        open_checkpoint(note, other.verifier())


def test_open_refuses_a_signed_note_that_is_not_a_checkpoint() -> None:
    note = sign_note(b"hello\n", [LOG])
    with pytest.raises(CheckpointError):
        open_checkpoint(note, LOG.verifier())


def test_open_refuses_flipped_bytes() -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 7, ROOT), LOG)
    for position in range(len(note)):
        damaged = bytearray(note)
        damaged[position] ^= 0x01
        with pytest.raises(NoteError):
            open_checkpoint(bytes(damaged), LOG.verifier())
