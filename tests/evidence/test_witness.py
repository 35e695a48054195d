"""Witness cosignatures (C2SP tlog-cosignature) and the witness (C2SP tlog-witness): the spec's
examples, the add-checkpoint rule against a tiny in-memory state, and a real witness over
loopback HTTP with its state on disk, through forks, restarts and concurrent requests."""

from __future__ import annotations

import base64
import hashlib
import http.client
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ceasewatch.evidence.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from ceasewatch.evidence.cosignature import (
    CosignerSigner,
    CosignerVerifier,
    cosign,
    cosigned_message,
    verify_cosignature,
)
from ceasewatch.evidence.merkle import EMPTY_ROOT, consistency_proof, root_hash
from ceasewatch.evidence.note import (
    KeyFormatError,
    NoteError,
    NoteVerifier,
    Signer,
    UnverifiedNoteError,
    Verifier,
    add_signatures,
    append_signature_lines,
    open_note,
    parse_note,
    parse_signature_line,
)
from ceasewatch.evidence.witness import (
    MAX_REQUEST_BYTES,
    SIZE_CONTENT_TYPE,
    AddCheckpointRequest,
    FileWitnessState,
    Witness,
    WitnessError,
    WitnessRequestError,
    WitnessStateError,
)
from ceasewatch.evidence.witness_http import (
    DEFAULT_HOST,
    WitnessHTTPError,
    WitnessUnavailableError,
    request_cosignature,
    serve,
)

ORIGIN = "example.org/ceasewatch-log"
LOG = Signer.generate(ORIGIN, hashlib.sha256(b"log seed").digest())
W1 = CosignerSigner.generate("witness.example.org/w1", hashlib.sha256(b"w1 seed").digest())
W2 = CosignerSigner.generate("witness.example.org/w2", hashlib.sha256(b"w2 seed").digest())
NOW_S = 1_760_000_000
LEAVES = [b"entry %d" % i for i in range(40)]
FORK = LEAVES[:7] + [b"forged %d" % i for i in range(7, 40)]  # agrees with LEAVES up to size 7

# Examples from the C2SP specs (github.com/C2SP/C2SP): tlog-cosignature.md (the signed message
# and the example cosignature line) and tlog-witness.md (the example add-checkpoint request).
SPEC_BODY = b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_MESSAGE = b"cosignature/v1\ntime 1679315147\n" + SPEC_BODY
SPEC_COSIGNATURE = (
    "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2"
    "oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
).encode()
SPEC_REQUEST = (
    "old 20852014\n"
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
    "\n"
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcy"
    "v2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V626"
    "7UEjw6QUXTS5Rovnzv++qbSzm9Q=\n"
).encode()


def note_at(size: int, leaves: list[bytes] = LEAVES, signer: Signer = LOG) -> bytes:
    return sign_checkpoint(Checkpoint(signer.name, size, root_hash(leaves[:size])), signer)


def body_of(old: int, proof: list[bytes], note: bytes) -> bytes:
    return AddCheckpointRequest(old, tuple(proof), note).encode()


class MemoryState:
    """A fake WitnessState: one lock, notes in a dict."""

    def __init__(self) -> None:
        self.notes: dict[str, bytes] = {}

    def locked(self, origin: str) -> AbstractContextManager[None]:
        return nullcontext()

    def latest(self, origin: str) -> Checkpoint | None:
        note = self.notes.get(origin)
        return None if note is None else Checkpoint.parse(parse_note(note).text)

    def store(self, origin: str, note: bytes) -> None:
        self.notes[origin] = note


def memory_witness() -> tuple[Witness, MemoryState]:
    state = MemoryState()
    return Witness(W1, {ORIGIN: LOG.verifier()}, state), state


@contextmanager
def running(witness: Witness) -> Iterator[str]:
    server = serve(DEFAULT_HOST, 0, witness, clock=lambda: NOW_S)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def file_witness(directory: Path, signer: CosignerSigner = W1) -> Witness:
    return Witness(signer, {ORIGIN: LOG.verifier()}, FileWitnessState(directory))


def refused(url: str, note: bytes, old: int, proof: list[bytes]) -> WitnessHTTPError:
    with pytest.raises(WitnessHTTPError) as info:
        request_cosignature(url, note, old, proof, 5.0)
    return info.value


# ------------------------------------------------------------------ cosignatures


def test_cosigned_message_is_the_spec_example() -> None:
    assert cosigned_message(SPEC_BODY, 1679315147) == SPEC_MESSAGE


def test_spec_example_cosignature_carries_its_timestamp() -> None:
    sig = parse_signature_line(SPEC_COSIGNATURE)
    assert sig.name == "witness.example.com/w1"
    assert len(sig.signature) == 8 + 64
    assert int.from_bytes(sig.signature[:8], "big") == 1679315147


def test_cosign_is_byte_exact_from_the_spec_rules() -> None:
    private = Ed25519PrivateKey.from_private_bytes(W1.seed)
    public = private.public_key().public_bytes_raw()
    key_id = hashlib.sha256(W1.name.encode() + b"\n" + b"\x04" + public).digest()[:4]
    message = b"cosignature/v1\ntime %d\n" % NOW_S + SPEC_BODY
    blob = base64.b64encode(key_id + NOW_S.to_bytes(8, "big") + private.sign(message))
    expected = "\u2014 ".encode() + W1.name.encode() + b" " + blob + b"\n"
    assert cosign(SPEC_BODY, W1, NOW_S) == expected
    vkey_blob = base64.b64encode(b"\x04" + public).decode()
    assert W1.verifier_key() == f"{W1.name}+{key_id.hex()}+{vkey_blob}"


def test_cosignature_verifies_and_returns_its_time() -> None:
    note = note_at(5)
    cosigned = append_signature_lines(note, cosign(parse_note(note).text, W1, NOW_S))
    verifier = CosignerVerifier.from_key(W1.verifier_key())
    assert verify_cosignature(cosigned, verifier) == NOW_S
    assert add_signatures(note, [W1.at(NOW_S)]) == cosigned
    with pytest.raises(UnverifiedNoteError):
        verify_cosignature(note, verifier)
    with pytest.raises(NoteError):
        verify_cosignature(cosigned.replace(b"\n5\n", b"\n6\n"), verifier)


def test_cosigner_keys_round_trip_and_are_not_note_keys() -> None:
    assert CosignerSigner.from_private_key_text(W1.private_key_text()) == W1
    with pytest.raises(KeyFormatError, match="0x04"):
        Verifier.from_key(W1.verifier_key())
    with pytest.raises(KeyFormatError, match="0x01"):
        CosignerVerifier.from_key(LOG.verifier_key())


def test_cosigning_refuses_a_non_checkpoint_and_a_bad_time() -> None:
    with pytest.raises(NoteError):
        cosign(b"hello\n", W1, NOW_S)
    with pytest.raises(NoteError):
        cosign(SPEC_BODY, W1, -1)
    with pytest.raises(NoteError):
        cosign(SPEC_BODY, W1, 2**63)


# ------------------------------------------------------------------ the add-checkpoint rule (pure)


def test_spec_example_request_parses_and_round_trips() -> None:
    request = AddCheckpointRequest.parse(SPEC_REQUEST)
    assert request.old_size == 20852014
    assert len(request.proof) == 4 and all(len(h) == 32 for h in request.proof)
    assert Checkpoint.parse(parse_note(request.note).text).size == 20852163
    assert len(parse_note(request.note).signatures) == 2
    assert request.encode() == SPEC_REQUEST


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 05\n\n",
        b"old -1\n\n",
        b"old 1",
        b"old 1\n",
        b"Old 1\n\n",
        b"old 1\nnot base64!\n\n",
        b"old 1\n" + base64.b64encode(bytes(31)) + b"\n\n",
        b"old 0\n" + b"".join(base64.b64encode(bytes(32)) + b"\n" for _ in range(64)) + b"\n",
        b"old " + b"9" * 5000 + b"\n\n",
    ],
)
def test_malformed_requests_are_refused(body: bytes) -> None:
    with pytest.raises(WitnessRequestError):
        AddCheckpointRequest.parse(body)


def test_the_rule_status_by_status() -> None:
    witness, state = memory_witness()
    assert witness.add_checkpoint(b"garbage", NOW_S).status == 400
    other = Signer.generate("example.org/other-log", bytes(32))
    assert witness.add_checkpoint(body_of(0, [], note_at(3, signer=other)), NOW_S).status == 404
    impostor = Signer.generate(ORIGIN, bytes(32))
    assert witness.add_checkpoint(body_of(0, [], note_at(3, signer=impostor)), NOW_S).status == 403
    assert witness.add_checkpoint(body_of(4, [], note_at(3)), NOW_S).status == 400
    assert witness.add_checkpoint(body_of(0, [bytes(32)], note_at(3)), NOW_S).status == 422
    assert state.notes == {}

    first = witness.add_checkpoint(body_of(0, [], note_at(3)), NOW_S)
    assert first.status == 200
    assert verify_cosignature(note_at(3) + first.body, W1.verifier()) == NOW_S
    assert append_signature_lines(note_at(3), first.body) == note_at(3) + first.body

    stale = witness.add_checkpoint(body_of(0, [], note_at(5)), NOW_S)
    assert (stale.status, stale.content_type, stale.body) == (409, SIZE_CONTENT_TYPE, b"3\n")
    fork = witness.add_checkpoint(body_of(3, [], note_at(3, [b"other"] + LEAVES[1:])), NOW_S)
    assert fork.status == 409
    again = witness.add_checkpoint(body_of(3, [], note_at(3)), NOW_S + 1)
    assert again.status == 200
    assert witness.add_checkpoint(body_of(3, [bytes(32)], note_at(3)), NOW_S).status == 422
    assert witness.add_checkpoint(body_of(3, [bytes(32)], note_at(6)), NOW_S).status == 422
    grown = witness.add_checkpoint(body_of(3, consistency_proof(LEAVES[:6], 3), note_at(6)), 0)
    assert grown.status == 200
    assert state.latest(ORIGIN) == Checkpoint(ORIGIN, 6, root_hash(LEAVES[:6]))


def test_an_empty_tree_must_have_the_empty_root() -> None:
    witness, _ = memory_witness()
    wrong = sign_checkpoint(Checkpoint(ORIGIN, 0, hashlib.sha256(b"x").digest()), LOG)
    assert witness.add_checkpoint(body_of(0, [], wrong), NOW_S).status == 409
    right = sign_checkpoint(Checkpoint(ORIGIN, 0, EMPTY_ROOT), LOG)
    assert witness.add_checkpoint(body_of(0, [], right), NOW_S).status == 200


# ------------------------------------------------------------------ over loopback HTTP, on disk


def test_witness_over_http_accepts_growth_refuses_forks_and_remembers(tmp_path: Path) -> None:
    state_dir = tmp_path / "w1"
    with running(file_witness(state_dir)) as url:
        lines = request_cosignature(url, note_at(5), 0, [], 5.0)
        cosigned = append_signature_lines(note_at(5), lines)
        assert verify_cosignature(cosigned, CosignerVerifier.from_key(W1.verifier_key())) == NOW_S

        proof = consistency_proof(LEAVES[:9], 5)
        cosigned = append_signature_lines(
            note_at(9), request_cosignature(url, note_at(9), 5, proof, 5)
        )
        checkpoint, opened = open_checkpoint(cosigned, LOG.verifier(), [W1.verifier()])
        assert (checkpoint.size, opened.verified) == (9, (ORIGIN, W1.name))

        same_size = refused(url, note_at(9, FORK), 9, [])
        assert same_size.status == 409
        bigger = refused(url, note_at(12, FORK), 9, consistency_proof(FORK[:12], 9))
        assert bigger.status == 422
        stale = refused(url, note_at(12), 5, consistency_proof(LEAVES[:12], 5))
        assert (stale.status, stale.latest_size) == (409, 9)
        smaller = refused(url, note_at(7), 9, [])
        assert smaller.status == 400

    expected = Checkpoint(ORIGIN, 9, root_hash(LEAVES[:9]))
    assert FileWitnessState(state_dir).latest(ORIGIN) == expected
    assert [p.name for p in state_dir.iterdir() if p.name.startswith(".tmp")] == []

    with running(file_witness(state_dir)) as url:  # a restarted witness over the same state
        assert refused(url, note_at(12, FORK), 9, consistency_proof(FORK[:12], 9)).status == 422
        assert refused(url, note_at(9, FORK), 0, []).latest_size == 9
        lines = request_cosignature(url, note_at(12), 9, consistency_proof(LEAVES[:12], 9), 5)
        assert verify_cosignature(append_signature_lines(note_at(12), lines), W1.verifier())
    assert FileWitnessState(state_dir).latest(ORIGIN) == Checkpoint(
        ORIGIN, 12, root_hash(LEAVES[:12])
    )


def test_two_witnesses_cosign_one_checkpoint(tmp_path: Path) -> None:
    note = note_at(8)
    with (
        running(file_witness(tmp_path / "w1")) as url1,
        running(file_witness(tmp_path / "w2", W2)) as url2,
    ):
        note = append_signature_lines(note, request_cosignature(url1, note, 0, [], 5.0))
        note = append_signature_lines(note, request_cosignature(url2, note, 0, [], 5.0))
    verifiers: list[NoteVerifier] = [LOG.verifier(), W1.verifier(), W2.verifier()]
    assert open_note(note, verifiers).verified == (ORIGIN, W1.name, W2.name)
    assert verify_cosignature(note, W1.verifier()) == verify_cosignature(note, W2.verifier())
    checkpoint, opened = open_checkpoint(note, LOG.verifier(), [W1.verifier(), W2.verifier()])
    assert checkpoint.size == 8 and opened.unknown == 0
    assert open_checkpoint(note, LOG.verifier())[1].unknown == 2


def test_concurrent_requests_for_one_origin_cosign_exactly_one(tmp_path: Path) -> None:
    with running(file_witness(tmp_path / "w1")) as url:
        request_cosignature(url, note_at(5), 0, [], 5.0)
        outcomes: list[object] = []

        def submit(size: int) -> None:
            try:
                proof = consistency_proof(LEAVES[:size], 5)
                outcomes.append(request_cosignature(url, note_at(size), 5, proof, 10.0))
            except WitnessHTTPError as exc:
                outcomes.append(exc.status)

        threads = [threading.Thread(target=submit, args=(size,)) for size in range(6, 18)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sum(isinstance(o, bytes) for o in outcomes) == 1
    assert sorted(o for o in outcomes if isinstance(o, int)) == [409] * 11


def test_http_edges(tmp_path: Path) -> None:
    with running(file_witness(tmp_path / "w1")) as url:
        host, port = url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        connection.request("GET", "/key")
        answer = connection.getresponse()
        assert (answer.status, answer.read()) == (200, W1.verifier_key().encode() + b"\n")
        connection.request("GET", "/nothing")
        answer = connection.getresponse()
        assert (answer.status, answer.read()) == (
            404,
            b"no such resource '/nothing'; try POST /add-checkpoint\n",
        )
        for length in (None, str(MAX_REQUEST_BYTES + 1)):
            connection = http.client.HTTPConnection(host, int(port), timeout=5)
            connection.putrequest("POST", "/add-checkpoint")
            if length is not None:
                connection.putheader("Content-Length", length)
            connection.endheaders()
            assert connection.getresponse().status == (411 if length is None else 413)
            connection.close()
        assert refused(url, b"not a note\n", 0, []).status == 400
    with pytest.raises(WitnessUnavailableError):
        request_cosignature(url, note_at(5), 0, [], 2.0)  # the server is gone
    with pytest.raises(WitnessError, match="http"):
        request_cosignature("file:///etc/passwd", note_at(5), 0, [], 2.0)


def test_a_damaged_state_stops_the_witness_from_cosigning(tmp_path: Path) -> None:
    state_dir = tmp_path / "w1"
    witness = file_witness(state_dir)
    assert witness.add_checkpoint(body_of(0, [], note_at(5)), NOW_S).status == 200
    (stored,) = state_dir.glob("*.checkpoint")
    stored.write_bytes(b"torn")
    with pytest.raises(WitnessStateError, match="restore it"):
        witness.add_checkpoint(body_of(5, [], note_at(5)), NOW_S)
    with running(witness) as url:
        assert refused(url, note_at(5), 5, []).status == 500


class FullDisk(MemoryState):
    def store(self, origin: str, note: bytes) -> None:
        raise OSError(28, "No space left on device")


def test_no_cosignature_is_returned_unless_the_checkpoint_is_stored() -> None:
    witness = Witness(W1, {ORIGIN: LOG.verifier()}, FullDisk())
    with pytest.raises(OSError):
        witness.add_checkpoint(body_of(0, [], note_at(3)), NOW_S)
    with running(witness) as url:
        failure = refused(url, note_at(3), 0, [])
    assert failure.status == 500 and "\u2014".encode() not in failure.body
