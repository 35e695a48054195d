"""Export and offline verification: an untouched export verifies; every edit, deletion,
insertion and reordering of an entry is caught with the first bad index named; a bad
signature, a fork against a held checkpoint, and tiles rewritten to match are caught too."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.evidence.cosignature import CosignerSigner
from ceasewatch.evidence.export import export_log
from ceasewatch.evidence.log import EvidenceLog, RecordIn
from ceasewatch.evidence.note import Signer
from ceasewatch.evidence.tiles import (
    decode_bundle,
    encode_bundle,
    entries_path,
    iter_entries,
    write_tiles,
)
from ceasewatch.evidence.verify import verify_export
from ceasewatch.store.sqlite import SqliteStore

T0 = 1_771_372_800_000_000_000
SIZE = 700  # two full bundles and a partial one once the custody entry is added
SIGNER = Signer.generate("monitoring.example/ua-2026", bytes(range(32)))
KEY = SIGNER.verifier_key()


def record(number: int, text: str = "") -> RecordIn:
    body = {"pick_id": f"A{number % 7:03d}-{number:06d}", "sensor_id": f"A{number % 7:03d}"}
    if text:
        body["text"] = text
    return RecordIn("picks", body["pick_id"], body, json.dumps(body).encode(), T0 + number)


def build(tmp: Path, count: int, name: str = "log", checkpoint_every: int = 0) -> EvidenceLog:
    log = EvidenceLog(SqliteStore(tmp / f"{name}.sqlite"), salts=random.Random(1).randbytes)
    for start in range(0, count, 100):
        log.append_records([record(i) for i in range(start, min(count, start + 100))], T0)
        if checkpoint_every and (start + 100) % checkpoint_every == 0:
            log.checkpoint(SIGNER, T0 + start)
    return log


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("export")
    log = build(tmp, SIZE - 1, checkpoint_every=200)
    export_log(log, tmp / "out", SIGNER, T0, actor="test", recipient="public")
    return tmp / "out"


@pytest.fixture
def copy(exported: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(exported, target)
    return target


def bundle_file(directory: Path, index: int) -> tuple[Path, int]:
    tile = index // 256
    full = directory / entries_path(tile)
    if full.exists():
        return full, tile * 256
    partial = sorted((directory / entries_path(tile)).parent.glob(f"{tile:03d}.p/*"))
    return partial[0], tile * 256


def rewrite(directory: Path, index: int, change) -> None:  # type: ignore[no-untyped-def]
    path, first = bundle_file(directory, index)
    entries = decode_bundle(path.read_bytes())
    change(entries, index - first)
    path.write_bytes(encode_bundle(entries))


def test_an_untouched_export_verifies(exported: Path) -> None:
    finding = verify_export(exported, KEY)
    assert finding.ok, finding
    assert finding.size == SIZE
    last = json.loads(list(_leaves(exported))[-1])
    assert last["kind"] == "custody" and last["action"] == "export"


def _leaves(directory: Path):  # type: ignore[no-untyped-def]
    return iter_entries(directory, SIZE)


INDEXES = [0, 1, 100, 254, 255, 256, 257, 511, 512, 600, SIZE - 2]


@pytest.mark.parametrize("index", INDEXES)
def test_an_edited_entry_is_named(copy: Path, index: int) -> None:
    def edit(entries: list[bytes], at: int) -> None:
        entries[at] = entries[at].replace(b"A0", b"B0", 1)

    rewrite(copy, index, edit)
    finding = verify_export(copy, KEY)
    assert not finding.ok and finding.first_bad_index == index, finding
    assert "edited" in finding.message


@pytest.mark.parametrize("index", INDEXES)
def test_a_deleted_entry_is_named(copy: Path, index: int) -> None:
    rewrite(copy, index, lambda entries, at: entries.pop(at))
    finding = verify_export(copy, KEY)
    assert not finding.ok and finding.first_bad_index == index, finding
    assert "deleted" in finding.message


@pytest.mark.parametrize("index", INDEXES)
def test_an_inserted_entry_is_named(copy: Path, index: int) -> None:
    forged = json.dumps({"format": "ceasewatch-evidence/1", "kind": "record"}).encode()
    rewrite(copy, index, lambda entries, at: entries.insert(at, forged))
    finding = verify_export(copy, KEY)
    assert not finding.ok and finding.first_bad_index == index, finding
    assert "inserted" in finding.message


@pytest.mark.parametrize("index", [0, 100, 254, 256, 600])
def test_reordered_entries_are_named(copy: Path, index: int) -> None:
    def swap(entries: list[bytes], at: int) -> None:
        entries[at], entries[at + 1] = entries[at + 1], entries[at]

    rewrite(copy, index, swap)
    finding = verify_export(copy, KEY)
    assert not finding.ok and finding.first_bad_index == index, finding
    assert "reordered" in finding.message


def test_a_changed_checkpoint_fails_its_signature(copy: Path) -> None:
    note = (copy / "checkpoint").read_bytes()
    lines = note.split(b"\n")
    lines[1] = str(SIZE - 1).encode()
    (copy / "checkpoint").write_bytes(b"\n".join(lines))
    finding = verify_export(copy, KEY)
    assert not finding.ok and "signature" in finding.message


def test_another_logs_key_does_not_verify(exported: Path) -> None:
    other = Signer.generate("monitoring.example/ua-2026", bytes(32)).verifier_key()
    finding = verify_export(exported, other)
    assert not finding.ok and "signature" in finding.message


def test_entries_and_tiles_rewritten_together_are_caught_near_the_change(copy: Path) -> None:
    leaves = list(_leaves(copy))
    leaves[450] = leaves[450].replace(b"A0", b"B0", 1)
    shutil.rmtree(copy / "tile")
    write_tiles(copy, leaves, SIZE)
    finding = verify_export(copy, KEY)
    assert not finding.ok
    assert "rewritten" in finding.message
    # Checkpoints were signed at 200, 400 and 600: the change lies between 400 and 599.
    assert finding.first_bad_index == 400 and "400 to 599" in finding.message


def test_since_a_held_checkpoint(tmp_path: Path, exported: Path) -> None:
    held = (exported / "checkpoints" / "200").read_bytes()
    assert verify_export(exported, KEY, since=held).ok

    # A fork: the same key signs a log whose entry 150 differs (an operator rewriting history).
    forked = EvidenceLog(SqliteStore(tmp_path / "fork.sqlite"), salts=random.Random(1).randbytes)
    forked.append_records([record(i, "forged" if i == 150 else "") for i in range(300)], T0)
    fork_checkpoint = forked.checkpoint(SIGNER, T0).note
    finding = verify_export(exported, KEY, since=fork_checkpoint)
    assert not finding.ok and "inconsistent with your checkpoint of size 300" in finding.message


def test_a_newer_held_checkpoint_means_entries_were_deleted(tmp_path: Path) -> None:
    log = build(tmp_path, 300)
    newer = log.checkpoint(SIGNER, T0).note
    small = build(tmp_path, 100, name="small")
    export_log(small, tmp_path / "out", SIGNER, T0, actor="t", recipient="t")
    finding = verify_export(tmp_path / "out", KEY, since=newer)
    assert not finding.ok and "deleted" in finding.message


def test_witness_cosignatures_are_required_when_keys_are_given(tmp_path: Path) -> None:
    from ceasewatch.evidence.cosignature import cosign
    from ceasewatch.evidence.note import append_signature_lines, parse_note

    log = build(tmp_path, 50)
    export_log(log, tmp_path / "out", SIGNER, T0, actor="t", recipient="t")
    witness = CosignerSigner.generate("ru-witness", bytes([9] * 32))
    finding = verify_export(tmp_path / "out", KEY, witness_keys=[witness.verifier_key()])
    assert not finding.ok and "ru-witness" in finding.message
    note = (tmp_path / "out" / "checkpoint").read_bytes()
    line = cosign(parse_note(note).text, witness, 1_771_400_000)
    (tmp_path / "out" / "checkpoint").write_bytes(append_signature_lines(note, line))
    assert verify_export(tmp_path / "out", KEY, witness_keys=[witness.verifier_key()]).ok


def test_the_cli_exit_codes(exported: Path, copy: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["verify", str(exported), "--key", KEY])
    assert ok.exit_code == 0, ok.output
    assert "OK: 700 entries" in ok.output
    rewrite(copy, 300, lambda entries, at: entries.pop(at))
    bad = runner.invoke(app, ["verify", str(copy), "--key", KEY])
    assert bad.exit_code == 1
    assert "entry 300" in bad.output and "Traceback" not in bad.output
    (tmp_path / "key").write_text(KEY + "\n")
    from_file = runner.invoke(app, ["verify", str(exported), "--key", str(tmp_path / "key")])
    assert from_file.exit_code == 0
    usage = runner.invoke(app, ["verify", str(tmp_path / "nowhere"), "--key", KEY])
    assert usage.exit_code == 2 and "not a folder" in usage.output
    garbage = runner.invoke(app, ["verify", str(exported), "--key", "not-a-key"])
    assert garbage.exit_code == 2 and "Traceback" not in garbage.output


def test_a_restricted_export_discloses_values_that_match_the_public_seals(tmp_path: Path) -> None:
    import base64

    from ceasewatch.evidence.entry import Sealed, check_seal

    log = EvidenceLog(SqliteStore(tmp_path / "s.sqlite"), salts=random.Random(2).randbytes)
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [37.123456, 48.654321]},
        "properties": {"sensor_id": "A017", "kind": "acoustic", "owner": "UK"},
    }
    log.append_records([RecordIn("sensors", "A017", feature, b"raw bytes", None)], T0)
    log.append_records([record(1)], T0)
    public = tmp_path / "public"
    export_log(log, public, SIGNER, T0, actor="t", recipient="public")
    assert not (public / "restricted").exists()
    assert b"37.123456" not in b"".join(p.read_bytes() for p in public.rglob("*") if p.is_file())

    done = export_log(
        log,
        tmp_path / "r",
        SIGNER,
        T0,
        actor="operator",
        recipient="UK-contributor",
        restricted=True,
    )
    assert verify_export(tmp_path / "r", KEY).ok
    lines = [
        json.loads(x) for x in (tmp_path / "r" / "restricted" / "0.jsonl").read_text().splitlines()
    ]
    assert (
        done.restricted_values == len(lines) == 3
    )  # the sensor's raw bytes and geometry, the pick's raw
    leaves = list(iter_entries(tmp_path / "r", done.checkpoint.size))
    sensor_leaf = json.loads(leaves[0])
    geometry = next(x for x in lines if x["path"] == "geometry")
    sealed = Sealed(
        "geometry", base64.b64decode(geometry["salt"]), base64.b64decode(geometry["value"])
    )
    assert check_seal(sensor_leaf["record"]["geometry"], sealed)
    assert json.loads(sealed.value)["coordinates"] == [37.123456, 48.654321]
    custody = [json.loads(leaf) for leaf in leaves if json.loads(leaf)["kind"] == "custody"]
    assert [(c["to"], c["restricted"]) for c in custody] == [
        ("public", False),
        ("UK-contributor", True),
    ]
