"""The log file and e-mail sinks (against a real SMTP server on 127.0.0.1), and the ledger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasewatch.agreement import Agreement
from ceasewatch.alert import Ledger, deliver, notifications
from ceasewatch.alert.base import Notification
from ceasewatch.alert.retry import Backoff
from ceasewatch.alert.sinks import Email, LogFile
from ceasewatch.errors import InputError
from tests.alert.conftest import Smtp
from tests.alert.handmade import T0, H, book_row, violation_row

FAST = Backoff(max_attempts=2, backoff_s=0.01)


@pytest.fixture
def notes(ua2026: Agreement) -> tuple[Notification, ...]:
    vs = [violation_row("vi-a", T0)]
    return notifications([book_row(ua2026, vs, as_of_ns=T0)], vs, ua2026, as_of_ns=T0 + 72 * H)


def test_the_log_file_gets_one_json_line_per_notification_once(
    notes: tuple[Notification, ...], tmp_path: Path
) -> None:
    log = tmp_path / "out" / "alerts.jsonl"
    for _ in range(2):  # two runs
        with Ledger(tmp_path / "ledger.sqlite") as ledger:
            deliver(notes, [LogFile(log, clock=lambda: T0 + 72 * H)], ledger)
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [line["notification_id"] for line in lines] == [n.notification_id for n in notes]
    assert lines[0]["logged_at"] == "2026-03-04T06:00:00.000000Z"
    assert Notification.from_json(lines[-1]) == notes[-1]


def test_a_log_file_that_cannot_be_written_fails_with_the_reason(
    notes: tuple[Notification, ...], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        report = deliver(notes, [LogFile(blocker / "alerts.jsonl")], ledger)
    assert len(report.failed) == len(notes)
    assert "cannot append" in report.failed[0].reason


def test_email_reaches_a_real_smtp_server(
    smtp_server: Smtp, notes: tuple[Notification, ...], tmp_path: Path
) -> None:
    to = {"coordination-cell": ("cell@example.org",), "*": ("desk@example.org",)}
    sink = Email(smtp_server.host, smtp_server.port, to, backoff=FAST)
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        report = deliver(notes, [sink], ledger)
        assert len(report.sent) == len(notes) == 4 and report.ok
        assert not deliver(notes, [sink], ledger).sent  # once
    box = smtp_server.mailbox
    assert len(box.messages) == 4
    first = box.messages[0]
    assert first["To"] == "cell@example.org"
    assert first["Message-ID"] == f"<{notes[0].notification_id}@ceasewatch>"
    assert first["Subject"] == notes[0].subject
    body = first.get_payload(decode=True).decode()
    assert "To: Coalition coordination cell" in body and "3 km SE of Horlivka" in body
    assert box.envelopes[1] == ("ceasewatch@localhost", ["desk@example.org"])


def test_email_without_an_address_for_a_recipient_says_how_to_add_one(
    smtp_server: Smtp, notes: tuple[Notification, ...], tmp_path: Path
) -> None:
    sink = Email(smtp_server.host, smtp_server.port, {"coordination-cell": ("c@x.org",)})
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        report = deliver(notes, [sink], ledger)
    assert len(report.sent) == 1
    assert "no address for recipient guarantors; add --mail-to guarantors=ADDRESS" in (
        report.failed[0].reason
    )


def test_email_to_a_server_that_is_down_fails(
    closed_port: int, notes: tuple[Notification, ...], tmp_path: Path
) -> None:
    sink = Email("127.0.0.1", closed_port, {"*": ("a@x.org",)}, backoff=FAST, timeout_s=2)
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        report = deliver(notes, [sink], ledger)
    assert "no success after 2 attempts" in report.failed[0].reason
    assert report.failed[1].attempts == 0


def test_email_refuses_remote_hosts_and_empty_address_lists() -> None:
    with pytest.raises(InputError, match="not a loopback"):
        Email("smtp.example.org", 25, {"*": ("a@x.org",)})
    with pytest.raises(InputError, match="--mail-to"):
        Email("127.0.0.1", 25, {})


def test_one_run_at_a_time_holds_the_ledger(tmp_path: Path) -> None:
    with (
        Ledger(tmp_path / "ledger.sqlite"),
        pytest.raises(InputError, match="another ceasewatch alert run"),
    ):
        Ledger(tmp_path / "ledger.sqlite")
    Ledger(tmp_path / "ledger.sqlite").close()  # free again


def test_a_file_that_is_not_a_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(InputError, match=f"{path}: not an alert ledger"):
        Ledger(path)
