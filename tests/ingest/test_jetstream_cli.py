"""The stream commands end to end on a private nats-server (a free port, its own store folder),
and a server restart in the middle of consuming loses nothing."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.evidence.log import EvidenceLog
from ceasewatch.ingest.jetstream import consume, publish_file
from ceasewatch.ingest.sequences import SeenSequences
from ceasewatch.store.sqlite import SqliteStore
from tests.ingest.test_jetstream import picks_file, record_ids

SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


class Server:
    def __init__(self, store: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.store = store
        self.url = f"nats://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [SERVER, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nats-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def own_server(folder: Path) -> Server:
    """A started nats-server of the test's own (its store in ``folder``); skips when there is
    no nats-server, unless CEASEWATCH_REQUIRE_NATS=1 (CI): then it fails."""
    if not os.access(SERVER, os.X_OK):
        if os.environ.get("CEASEWATCH_REQUIRE_NATS") == "1":
            pytest.fail(f"{SERVER} is missing (CEASEWATCH_REQUIRE_NATS=1)")
        pytest.skip(f"{SERVER} is missing")
    made = Server(folder)
    made.start()
    return made


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    made = own_server(tmp_path / "nats")
    yield made
    made.stop()


def test_publish_consume_and_gaps_from_the_command_line(server: Server, tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = picks_file(tmp_path / "picks.jsonl", range(1, 6))
    runner = CliRunner()
    out = runner.invoke(
        app,
        ["publish", str(path), "--source", "picks", "--contributor", "UK", "--nats", server.url],
    )
    assert out.exit_code == 0, out.output
    assert "5 sent" in out.output
    out = runner.invoke(
        app, ["consume", "--nats", server.url, "--idle-s", "0.5", "--home", str(home)]
    )
    assert out.exit_code == 0, out.output
    assert "5 new" in out.output and "5 acknowledged" in out.output
    out = runner.invoke(app, ["gaps", "--home", str(home)])
    assert out.exit_code == 0 and "UK picks: highest 5, missing none" in out.output


def test_a_server_restart_while_consuming_loses_nothing(server: Server, tmp_path: Path) -> None:
    log = EvidenceLog(SqliteStore(tmp_path / "evidence.sqlite"), salts=os.urandom)
    path = picks_file(tmp_path / "picks.jsonl", range(1, 41))
    assert publish_file(server.url, path, "picks", "UK").sent == 40
    restarts = []

    def restart() -> None:
        if not restarts:
            restarts.append(1)
            server.stop()
            server.start()

    seen = SeenSequences(tmp_path / "sequences.sqlite")
    try:
        for _ in range(3):
            try:
                consume(
                    server.url,
                    log,
                    seen=seen,
                    clock_ns=time.time_ns,
                    batch=10,
                    idle_s=0.5,
                    ack_wait_s=1.0,
                    after_commit=restart,
                )
            except Exception:  # the ack of the batch in flight may fail: it is redelivered
                time.sleep(1.5)
                continue
        assert restarts == [1]
        assert sorted(record_ids(log)) == [f"A017-{n:06d}" for n in range(1, 41)]
        assert [g.missing for g in seen.gaps()] == [()]
    finally:
        seen.close()


def test_follow_waits_through_quiet_spells_and_stops_cleanly_on_sigterm(
    server: Server, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    ceasewatch = str(Path(sys.executable).parent / "ceasewatch")
    follower = subprocess.Popen(
        [ceasewatch, "consume", "--nats", server.url, "--idle-s", "0.3", "--follow",
         "--home", str(home)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for first, last, wait_s in ((1, 5, 0.0), (6, 9, 1.5)):  # the second after a quiet spell
            time.sleep(wait_s)
            path = picks_file(tmp_path / f"picks-{first}.jsonl", range(first, last + 1))
            assert publish_file(server.url, path, "picks", "UK").sent == last - first + 1
            assert _eventually(lambda n=last: len(_ids(home)) == n), _ids(home)
            assert follower.poll() is None, "consume --follow stopped on its own"
        follower.send_signal(signal.SIGTERM)
        out, err = follower.communicate(timeout=30)
    finally:
        if follower.poll() is None:
            follower.kill()
    assert follower.returncode == 0, err
    assert "9 new" in out and "9 acknowledged" in out
    assert sorted(_ids(home)) == [f"A017-{n:06d}" for n in range(1, 10)]


def _ids(home: Path) -> list[str]:
    if not (home / "evidence.sqlite").is_file():
        return []
    store = SqliteStore(home / "evidence.sqlite")
    try:
        return record_ids(EvidenceLog(store, salts=os.urandom))
    finally:
        store.close()


def _eventually(check: Callable[[], bool], timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False
