"""Ingest end to end into the log: good records accepted around bad ones, quarantine files that
can be fixed and resent, receipts, idempotent resends, revisions, signatures, exit codes."""

from __future__ import annotations

import base64
import json
import random
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.evidence.log import EvidenceLog, signed_message
from ceasewatch.ingest.run import ingest_bytes
from ceasewatch.store.sqlite import SqliteStore
from tests.ingest.records import GOOD, line

CLOCK = iter(range(1_771_372_800_000_000_000, 1_771_372_900_000_000_000, 1_000_000))


def clock() -> int:
    return next(CLOCK)


def new_log(path: Path) -> EvidenceLog:
    return EvidenceLog(SqliteStore(path / "evidence.sqlite"), salts=random.Random(5).randbytes)


def entries(log: EvidenceLog) -> list[dict]:  # type: ignore[type-arg]
    with log.store.read() as reader:
        return [json.loads(leaf) for leaf in reader.leaves(0, reader.size())]


def pick(number: int, **changes: object) -> bytes:
    return line({**GOOD["picks"], "pick_id": f"A017-{number:06d}", **changes})


def test_bad_records_are_rejected_alone_and_the_fixed_quarantine_resends(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    data = b"\n".join([pick(1), pick(2, sensor_id=5), pick(3), b"not json", pick(5)])
    result = ingest_bytes(
        log, data, "picks.jsonl", clock_ns=clock, quarantine_dir=tmp_path / "q", stamp="s1"
    )
    assert result.counts["new"] == 3 and len(result.rejected) == 2
    assert [(r.line, r.field) for r in result.rejected] == [(2, "sensor_id"), (4, "")]
    assert not result.ok
    assert result.quarantine is not None and result.quarantine.rejected is not None
    receipt = entries(log)[-1]
    assert receipt["kind"] == "receipt" and receipt["new"] == 3 and receipt["rejected"] == 2
    assert receipt["rejected_lines"] == [
        {"line": 2, "field": "sensor_id"},
        {"line": 4, "field": ""},
    ]

    fixed = (
        result.quarantine.rejected.read_bytes()
        .replace(b'"sensor_id": 5', b'"sensor_id": "A017"')
        .replace(b"not json", pick(4))
    )
    again = ingest_bytes(log, fixed, "picks.jsonl", clock_ns=clock)
    assert again.ok and again.counts["new"] == 2
    ids = sorted(e["record_id"] for e in entries(log) if e["kind"] == "record")
    assert ids == [f"A017-00000{n}" for n in range(1, 6)]


def test_resending_adds_only_a_receipt_and_changes_are_revisions(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    data = b"\n".join(pick(n) for n in range(10))
    ingest_bytes(log, data, "picks.jsonl", clock_ns=clock)
    size = log.size()
    resent = ingest_bytes(log, data, "picks.jsonl", clock_ns=clock)
    assert resent.ok and resent.counts["duplicate"] == 10 and log.size() == size + 1
    changed = ingest_bytes(log, pick(4, snr_db=3.3), "picks.jsonl", clock_ns=clock)
    assert not changed.ok and changed.counts["revision"] == 1
    (revision,) = changed.revisions
    both = [e for e in entries(log) if e.get("record_id") == "A017-000004"]
    assert [e["record"]["snr_db"] for e in both] == [14.2, 3.3]
    assert both[1]["revision_of"] == revision.revision_of


def test_a_firms_file_with_a_bad_row_quarantines_it_under_its_header(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    data = b"LATITUDE,LONGITUDE,ACQ_DATE\n48.1,37.5,2022-02-24\n91.5,37.5,2022-02-24\n"
    result = ingest_bytes(
        log, data, "firms.csv", clock_ns=clock, quarantine_dir=tmp_path / "q", stamp="s"
    )
    assert result.counts["new"] == 1 and len(result.rejected) == 1
    assert result.quarantine is not None and result.quarantine.rejected is not None
    assert result.quarantine.rejected.read_bytes().splitlines() == [
        b"LATITUDE,LONGITUDE,ACQ_DATE",
        b"91.5,37.5,2022-02-24",
    ]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(
            st.integers(0, 10_000).map(lambda n: ("good", n)),
            st.sampled_from(
                [b"{", b"[]", b'{"pick_id": NaN}', b"\xff\xfe", b'{"pick_id": "x"}', b"x" * 70_000]
            ).map(lambda bad: ("bad", bad)),
        ),
        max_size=40,
    )
)
def test_no_good_record_is_lost_among_garbage(tmp_path: Path, items: list) -> None:  # type: ignore[type-arg]
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    log = new_log(folder)
    lines = [pick(payload) if kind == "good" else payload for kind, payload in items]
    result = ingest_bytes(log, b"\n".join(lines), "picks.jsonl", clock_ns=clock, batch_records=7)
    wanted = {f"A017-{n:06d}" for kind, n in items if kind == "good"}
    found = {e["record_id"] for e in entries(log) if e["kind"] == "record"}
    assert found == wanted
    assert len(result.rejected) == sum(1 for kind, _ in items if kind == "bad")


def signed_files(tmp_path: Path) -> tuple[Path, Path]:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    sensors = tmp_path / "sensors.geojson"
    sensors.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [37.9, 48.4]},
                        "properties": {
                            "sensor_id": "A017",
                            "kind": "acoustic",
                            "owner": "UK",
                            "public_key": public,
                        },
                    }
                ],
            }
        )
    )
    good = {**GOOD["picks"], "pick_id": "A017-000001"}
    good["signature_ed25519"] = base64.b64encode(key.sign(signed_message(good))).decode()
    forged = {**good, "pick_id": "A017-000002"}
    picks = tmp_path / "picks.jsonl"
    picks.write_bytes(line(good) + b"\n" + line(forged) + b"\n" + pick(3) + b"\n")
    return sensors, picks


def test_cli_ingest_checks_signatures_and_reports_exit_codes(tmp_path: Path) -> None:
    sensors, picks = signed_files(tmp_path)
    home = tmp_path / "home"
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(sensors), "--home", str(home)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["ingest", str(picks), "--home", str(home), "--json"])
    assert second.exit_code == 1, second.output
    (report,) = json.loads(second.stdout)
    assert report["new"] == 2 and report["format"] == "picks"
    ((rejected),) = report["rejected"]
    assert rejected["line"] == 2 and rejected["field"] == "signature_ed25519"
    assert "does not verify" in rejected["reason"]
    log = EvidenceLog(SqliteStore(home / "evidence.sqlite"), salts=random.Random(0).randbytes)
    statuses = [
        e["signature"]["status"]
        for e in entries(log)
        if e["kind"] == "record" and e["source"] == "picks"
    ]
    assert statuses == ["valid", "unsigned"]
    quarantined = list((home / "quarantine").glob("picks.*.rejected.jsonl"))
    assert len(quarantined) == 1 and b"A017-000002" in quarantined[0].read_bytes()

    again = runner.invoke(
        app, ["ingest", str(sensors), str(tmp_path / "nothing.jsonl"), "--home", str(home)]
    )
    assert again.exit_code == 2 and "nothing.jsonl" in again.output
    unknown = tmp_path / "mystery.txt"
    unknown.write_text("hello\n")
    odd = runner.invoke(app, ["ingest", str(unknown), "--home", str(home)])
    assert odd.exit_code == 2 and "--format" in odd.output and "Traceback" not in odd.output


def test_cli_ingests_a_whole_simulated_run_without_a_rejection(
    tmp_path: Path, sim_run: Path
) -> None:
    files = sorted(p for p in sim_run.iterdir() if p.is_file())
    home = tmp_path / "home"
    result = CliRunner().invoke(app, ["ingest", *map(str, files), "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    assert all(not r["rejected"] for r in reports)
    for report in reports:
        path = sim_run / report["name"]
        lines = [x for x in path.read_bytes().splitlines() if x.strip()]
        if report["format"] == "firms":
            expected = len(lines) - 1
        elif report["format"] == "sensors":
            expected = len(json.loads(path.read_bytes())["features"])
        else:
            expected = len(lines)
        assert report["new"] + report["duplicate"] == expected, report["name"]
