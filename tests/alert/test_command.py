"""``ceasewatch alert`` end to end on a state folder (webhook, log file and e-mail on
127.0.0.1), and bad input: clear errors that name the file and the fix, exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ceasewatch.agreement import Agreement
from ceasewatch.commands.alert import alert
from ceasewatch.model.time import format_ns
from tests.alert.conftest import Receiver, Smtp
from tests.alert.handmade import T0, H, book_row, violation_row

app = typer.Typer()
app.command("alert")(alert)
runner = CliRunner()


def write_state(tmp_path: Path, ua: Agreement, *, as_of_ns: int = T0 + H) -> Path:
    state = tmp_path / "state"
    folder = state / "adjudication"
    folder.mkdir(parents=True)
    high = [violation_row("vi-a", T0), violation_row("vi-b", T0 + 60 * 10**9)]
    low = [violation_row("vi-l", T0 + 2 * H, severity="low")]
    rows = [book_row(ua, high, as_of_ns=as_of_ns), book_row(ua, low, as_of_ns=as_of_ns)]
    for name, items in (("escalation.jsonl", rows), ("violations.jsonl", high + low)):
        (folder / name).write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return state


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_sends_through_every_sink_once(
    tmp_path: Path, ua2026: Agreement, receiver: Receiver, smtp_server: Smtp, secret_file: Path
) -> None:
    state = write_state(tmp_path, ua2026)
    log = tmp_path / "alerts.jsonl"
    args = [
        state, "--webhook", receiver.url, "--secret-file", secret_file, "--log", log,
        "--smtp", f"{smtp_server.host}:{smtp_server.port}", "--mail-to", "desk@example.org",
        "--as-of", format_ns(T0 + 25 * H), "--backoff", "0.01",
    ]  # fmt: skip
    code, out = run(*args)
    assert code == 0, out
    assert "2 notifications due at 2026-03-02T07:00:00Z" in out
    assert "sent 6, skipped 0" in out  # (cell, guarantors) × 3 sinks; the low matter: none
    assert len(receiver.accepted) == 2 and len(smtp_server.mailbox.messages) == 2
    assert len(log.read_text(encoding="utf-8").splitlines()) == 2
    assert (state / "adjudication" / "alert-ledger.sqlite").is_file()
    code, out = run(*args)  # a restart
    assert code == 0 and "sent 0, skipped 6" in out
    assert len(receiver.requests) == 2 and len(smtp_server.mailbox.messages) == 2


def test_the_default_instant_is_the_books_and_no_sink_sends_nothing(
    tmp_path: Path, ua2026: Agreement
) -> None:
    state = write_state(tmp_path, ua2026)
    code, out = run(state / "adjudication")
    assert code == 0, out
    assert "→ coordination-cell: [ceasewatch] HIGH no-fire: 2 violations" in out
    assert "1 due; no sink given" in out
    assert not (state / "adjudication" / "alert-ledger.sqlite").exists()


def test_a_failed_delivery_exits_1_with_the_reason(
    tmp_path: Path, ua2026: Agreement, closed_port: int, secret_file: Path
) -> None:
    state = write_state(tmp_path, ua2026)
    code, out = run(
        state, "--webhook", f"http://127.0.0.1:{closed_port}/", "--secret-file", secret_file,
        "--attempts", "2", "--backoff", "0.01",
    )  # fmt: skip
    assert code == 1
    assert "failed 1 (tried again next run)" in out and "cannot reach" in out


def test_no_escalation_file_names_the_file_and_the_fix(tmp_path: Path) -> None:
    code, out = run(tmp_path)
    assert code == 2
    assert f"{tmp_path}: no escalation.jsonl here or in {tmp_path / 'adjudication'}" in out
    assert f"ceasewatch adjudicate --state {tmp_path}" in out


def test_no_violations_file_names_it(tmp_path: Path, ua2026: Agreement) -> None:
    state = write_state(tmp_path, ua2026)
    (state / "adjudication" / "violations.jsonl").unlink()
    code, out = run(state)
    assert code == 2 and "violations.jsonl: missing" in out


def test_a_broken_line_names_the_file_and_line(tmp_path: Path, ua2026: Agreement) -> None:
    state = write_state(tmp_path, ua2026)
    with (state / "adjudication" / "escalation.jsonl").open("a") as handle:
        handle.write("{not json\n")
    code, out = run(state)
    assert code == 2 and "escalation.jsonl:3: not JSON" in out


@pytest.mark.parametrize(
    ("content", "mode", "expected"),
    [
        (None, 0o600, "cannot read the webhook secret (No such file or directory)"),
        (b"short\n", 0o600, "the webhook secret has 5 bytes, fewer than 16"),
        (b"", 0o600, "the webhook secret has 0 bytes"),
        (b"0123456789abcdef0123456789abcdef", 0o644, "chmod 600"),
    ],
)
def test_a_bad_secret_file_names_the_file_and_the_fix(
    tmp_path: Path,
    ua2026: Agreement,
    receiver: Receiver,
    content: bytes | None,
    mode: int,
    expected: str,
) -> None:
    state = write_state(tmp_path, ua2026)
    secret = tmp_path / "hook.key"
    if content is not None:
        secret.write_bytes(content)
        secret.chmod(mode)
    code, out = run(state, "--webhook", receiver.url, "--secret-file", secret)
    assert code == 2
    assert f"{secret}: " in out and expected in out
    if content is None or len(content) < 16:
        assert "openssl rand -hex 32" in out
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--webhook", "http://127.0.0.1:9/"], "--webhook needs --secret-file"),
        (["--mail-to", "a@x.org"], "--mail-to needs --smtp"),
        (["--smtp", "localhost"], "give host:port"),
        (["--smtp", "127.0.0.1:25", "--mail-to", "nobody"], "give ADDRESS or RECIPIENT=ADDRESS"),
        (["--log", "x.jsonl", "--as-of", "yesterday"], "--as-of"),
        (["--at-once-from", "urgent"], "not a severity"),
    ],
)
def test_bad_options_are_explained(
    tmp_path: Path, ua2026: Agreement, args: list[str], expected: str
) -> None:
    state = write_state(tmp_path, ua2026)
    code, out = run(state, *args)
    assert code == 2 and expected in out


def test_a_remote_webhook_is_refused(tmp_path: Path, ua2026: Agreement, secret_file: Path) -> None:
    state = write_state(tmp_path, ua2026)
    code, out = run(state, "--webhook", "https://hooks.example.org/x", "--secret-file", secret_file)
    assert code == 2 and "not a loopback address" in out and "--allow-remote" in out
