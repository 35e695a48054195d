"""``$CEASEWATCH_STORE`` names the store for the state-folder commands too (serve, fuse,
adjudicate, review, report), as it does for ``--home``: ``--store`` first, then the variable,
then ``DIR/evidence.sqlite``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ceasewatch.commands.evidence import state_store_url
from ceasewatch.commands.report import _sources
from ceasewatch.errors import InputError
from ceasewatch.evidence.log import EvidenceLog, RecordIn
from ceasewatch.evidence.publish import publish_once
from ceasewatch.store.home import Home
from ceasewatch.store.open import open_store


def test_store_option_then_variable_then_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CEASEWATCH_STORE", raising=False)
    with pytest.raises(InputError, match=r"\$CEASEWATCH_STORE"):
        state_store_url(tmp_path, None)
    (tmp_path / "evidence.sqlite").write_bytes(b"")
    assert state_store_url(tmp_path, None) == str(tmp_path / "evidence.sqlite")
    monkeypatch.setenv("CEASEWATCH_STORE", "postgresql://db/x")
    assert state_store_url(tmp_path, None) == "postgresql://db/x"
    assert state_store_url(tmp_path, "postgresql://db/y") == "postgresql://db/y"


def test_report_reads_the_checkpoint_of_the_store_the_variable_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere" / "evidence.sqlite"
    elsewhere.parent.mkdir()
    home = Home(tmp_path / "home")
    record = {"pick_id": "p1", "sensor_id": "D001", "t_arrival": "2026-02-18T03:12:45Z",
              "t_sigma_s": 0.05}  # fmt: skip
    store = open_store(str(elsewhere))
    try:
        log = EvidenceLog(store, salts=os.urandom)
        log.append_records([RecordIn("picks", "p1", record, b"{}", 1)], 1)
        publish_once(log, home.signer("log", log.origin()), 2, home.checkpoints, [])
    finally:
        store.close()
    state = tmp_path / "state"
    state.mkdir()
    monkeypatch.delenv("CEASEWATCH_STORE", raising=False)
    assert _sources(state, None, None) == (state / "adjudication", None)
    monkeypatch.setenv("CEASEWATCH_STORE", str(elsewhere))
    folder, note = _sources(state, None, None)
    assert folder == state / "adjudication"
    assert note is not None and "\n1\n" in note  # a checkpoint of the one-entry log
    monkeypatch.delenv("CEASEWATCH_STORE")
    assert _sources(state, None, None, str(elsewhere))[1] == note
