"""The acknowledgement file of ``ceasewatch ingest --ack-file``: a line torn by a kill is cut
off before the next run appends, so no two acknowledgements merge into one line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ceasewatch.cli import app


def test_a_torn_last_line_is_cut_before_appending(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CEASEWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CEASEWATCH_STORE", raising=False)
    picks = tmp_path / "picks.jsonl"
    rows = [{"pick_id": f"A0001-{n:06d}", "sensor_id": "A0001", "signature": "impact",
             "t_arrival": f"2026-02-18T00:00:{n:02d}.000000Z", "t_sigma_s": 0.02,
             "snr_db": 10.0} for n in range(5)]  # fmt: skip
    picks.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    acks = tmp_path / "acks.tsv"
    acks.write_text("picks\tA0001-000000\tnew\t0\npicks\tA0001-0000", encoding="utf-8")  # torn
    result = CliRunner().invoke(app, ["ingest", str(picks), "--ack-file", str(acks)])
    assert result.exit_code == 0, result.output
    lines = acks.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "picks\tA0001-000000\tnew\t0"
    assert all(len(line.split("\t")) == 4 for line in lines)
    assert {line.split("\t")[1] for line in lines[1:]} == {r["pick_id"] for r in rows}
