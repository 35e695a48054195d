"""The evidence log on both stores: idempotency, revisions, seals, signatures, large entries,
checkpoints and proofs. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import json
import random
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ceasewatch.evidence import merkle
from ceasewatch.evidence.checkpoint import open_checkpoint
from ceasewatch.evidence.entry import MAX_LEAF_BYTES, Draft, seal_hash
from ceasewatch.evidence.log import EvidenceLog, RecordIn, signed_message
from ceasewatch.evidence.note import Signer
from ceasewatch.store.open import open_store

T0 = 1_771_372_800_000_000_000  # 2026-02-18T00:00:00Z


def pick(number: int, **changes: object) -> RecordIn:
    record = {
        "pick_id": f"A017-{number:06d}",
        "sensor_id": "A017",
        "t_arrival": "2026-02-18T03:12:45.123456Z",
        "t_sigma_s": 0.05,
        **changes,
    }
    raw = json.dumps(record).encode()
    return RecordIn("picks", str(record["pick_id"]), record, raw, T0 + number)


def sensor(sensor_id: str, lon: float, lat: float, public_key: bytes | None = None) -> RecordIn:
    properties: dict[str, object] = {"sensor_id": sensor_id, "kind": "acoustic", "owner": "UK"}
    if public_key is not None:
        properties["public_key"] = base64.b64encode(public_key).decode()
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }
    return RecordIn("sensors", sensor_id, feature, json.dumps(feature).encode(), None)


@pytest.fixture
def log(store_url: str):  # type: ignore[no-untyped-def]
    store = open_store(store_url)
    yield EvidenceLog(store, salts=random.Random(7).randbytes)
    store.close()


def leaves(log: EvidenceLog) -> list[bytes]:
    with log.store.read() as reader:
        return list(reader.leaves(0, reader.size()))


def test_records_become_leaves_and_the_root_is_rfc6962(log: EvidenceLog) -> None:
    outcomes = log.append_records([pick(i) for i in range(5)], T0)
    assert [o.status for o in outcomes] == ["new"] * 5
    assert [o.index for o in outcomes] == [0, 1, 2, 3, 4]
    assert log.size() == 5
    assert log.root() == merkle.root_hash(leaves(log))
    entry = json.loads(leaves(log)[3])
    assert entry["format"] == "ceasewatch-evidence/1"
    assert entry["kind"] == "record" and entry["record_id"] == "A017-000003"
    assert entry["source_time"] == "2026-02-18T00:00:00.000000003Z"
    assert entry["received"] == "2026-02-18T00:00:00.000000000Z"
    assert entry["record"]["t_sigma_s"] == 0.05
    assert entry["signature"] == {"status": "unsigned"}


def test_resending_is_harmless_and_a_changed_record_keeps_both_versions(log: EvidenceLog) -> None:
    log.append_records([pick(1), pick(2)], T0)
    again = log.append_records([pick(1), pick(2)], T0 + 10)
    assert [(o.status, o.index) for o in again] == [("duplicate", 0), ("duplicate", 1)]
    assert log.size() == 2
    changed = log.append_records([pick(2, t_sigma_s=0.07)], T0 + 20)
    assert (changed[0].status, changed[0].index, changed[0].revision_of) == ("revision", 2, 1)
    assert json.loads(leaves(log)[2])["revision_of"] == 1
    # Both versions can be sent again without adding anything.
    both = log.append_records([pick(2), pick(2, t_sigma_s=0.07)], T0 + 30)
    assert [(o.status, o.index) for o in both] == [("duplicate", 1), ("duplicate", 2)]
    assert log.size() == 3


def test_a_record_twice_in_one_batch_is_appended_once(log: EvidenceLog) -> None:
    outcomes = log.append_records([pick(1), pick(1), pick(1, snr_db=3.0)], T0)
    assert [(o.status, o.index) for o in outcomes] == [
        ("new", 0),
        ("duplicate", 0),
        ("revision", 1),
    ]


def test_sensor_positions_and_raw_bytes_are_sealed(log: EvidenceLog) -> None:
    item = sensor("A017", 37.912345, 48.412345)
    log.append_records([item], T0)
    leaf = leaves(log)[0]
    assert b"37.912345" not in leaf and b"48.412345" not in leaf
    entry = json.loads(leaf)
    with log.store.read() as reader:
        sealed = {row.path: row for row in reader.sealed(0, 1)}
    assert set(sealed) == {"raw", "geometry"}
    geometry = sealed["geometry"]
    assert entry["record"]["geometry"] == {"seal": seal_hash(geometry.salt, geometry.value).hex()}
    assert json.loads(geometry.value)["coordinates"] == [37.912345, 48.412345]
    raw = sealed["raw"]
    assert raw.value == item.raw and entry["raw"]["bytes"] == len(item.raw)
    assert entry["raw"]["seal"] == seal_hash(raw.salt, raw.value).hex()
    assert len(raw.salt) == 32 and raw.salt != geometry.salt


def test_signatures_are_checked_against_the_registry(log: EvidenceLog) -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public = key.public_key().public_bytes_raw()
    log.append_records([sensor("A017", 37.9, 48.4, public)], T0)

    good = pick(1)
    signature = base64.b64encode(key.sign(signed_message(good.record))).decode()
    signed = RecordIn(
        "picks",
        good.record_id,
        {**good.record, "signature_ed25519": signature},
        good.raw,
        None,
        signature,
    )
    forged_record = {**good.record, "pick_id": "A017-000002", "signature_ed25519": signature}
    forged = RecordIn("picks", "A017-000002", forged_record, b"{}", None, signature)
    stranger = RecordIn(
        "picks",
        "B001-000001",
        {"pick_id": "B001-000001", "sensor_id": "B001", "signature_ed25519": signature},
        b"{}",
        None,
        signature,
    )
    outcomes = log.append_records([signed, forged, stranger], T0)
    assert [o.status for o in outcomes] == ["new", "rejected", "new"]
    assert "does not verify" in outcomes[1].reason and "A017" in outcomes[1].reason
    entries = [json.loads(leaf) for leaf in leaves(log)]
    assert entries[1]["signature"] == {"status": "valid", "value": signature}
    assert "signature_ed25519" not in entries[1]["record"]
    assert entries[2]["signature"]["status"] == "unverified"
    assert log.size() == 3


def test_an_entry_too_large_for_a_bundle_is_kept_beside_the_log(log: EvidenceLog) -> None:
    big = pick(1, text="x" * (MAX_LEAF_BYTES + 10))
    log.append_records([big, pick(2)], T0)
    first = json.loads(leaves(log)[0])
    assert first["kind"] == "external" and first["of"] == "record"
    with log.store.read() as reader:
        ((index, full),) = list(reader.externals(0, 2))
    assert index == 0 and json.loads(full)["record"]["text"].startswith("xxx")
    assert first["bytes"] == len(full)


def test_checkpoints_sign_the_root_and_successive_ones_are_consistent(log: EvidenceLog) -> None:
    signer = Signer.generate("monitoring.example/test-log", bytes(32))
    log.append_records([pick(i) for i in range(3)], T0)
    first = log.checkpoint(signer, T0)
    assert log.checkpoint(signer, T0 + 1) == first  # nothing grew: the same checkpoint
    log.append_records([pick(i) for i in range(3, 40)], T0)
    log.append_event("custody", {"action": "export", "to": "test"}, T0)
    second = log.checkpoint(signer, T0 + 2)
    verifier = signer.verifier()
    cp1, _ = open_checkpoint(first.note, verifier)
    cp2, _ = open_checkpoint(second.note, verifier)
    assert (cp1.size, cp2.size) == (3, 41)
    assert cp2.root == merkle.root_hash(leaves(log))
    proof = log.consistency_proof(3, 41)
    assert merkle.verify_consistency(3, 41, proof, cp1.root, cp2.root)
    for index in (0, 17, 40):
        inclusion = log.inclusion_proof(index, 41)
        leaf_hash = merkle.leaf_hash(leaves(log)[index])
        assert merkle.verify_inclusion(leaf_hash, index, 41, inclusion, cp2.root)
    assert log.origin() == "monitoring.example/test-log"


def test_a_key_of_another_name_cannot_sign_this_log(log: EvidenceLog) -> None:
    from ceasewatch.errors import InputError

    log.checkpoint(Signer.generate("log-a", bytes(32)), T0)
    with pytest.raises(InputError, match="origin is 'log-a'"):
        log.checkpoint(Signer.generate("log-b", bytes(32)), T0)


def test_concurrent_writers_keep_indexes_dense_and_records_unique(store_url: str) -> None:
    failures: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            store = open_store(store_url)
            writer_log = EvidenceLog(store, salts=random.Random(offset).randbytes)
            for start in range(0, 200, 20):
                # Every writer sends the same records: each must end up in the log once.
                writer_log.append_records([pick(i) for i in range(start, start + 20)], T0)
            store.close()
        except BaseException as exc:  # a writer that fails must fail the test
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    store = open_store(store_url)
    log = EvidenceLog(store, salts=random.Random(0).randbytes)
    assert log.size() == 200
    ids = [json.loads(leaf)["record_id"] for leaf in leaves(log)]
    assert sorted(ids) == [f"A017-{i:06d}" for i in range(200)]
    assert log.root() == merkle.root_hash(leaves(log))
    store.close()


def test_a_failed_transaction_leaves_nothing_behind(log: EvidenceLog) -> None:
    log.append_records([pick(1)], T0)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), log._appending() as txn:  # noqa: SLF001 - the seam under test
        txn.append(Draft("custody", {"action": "test"}), T0)
        raise Boom
    assert log.size() == 1
    log.append_records([pick(2)], T0)
    assert log.size() == 2 and log.root() == merkle.root_hash(leaves(log))
