"""The webhook against a real HTTP receiver on 127.0.0.1: signed bodies, retries with backoff,
exactly one delivery, nothing sent again after a restart, a dead receiver retried next run."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from ceasewatch.agreement import Agreement
from ceasewatch.alert import Ledger, deliver, notifications
from ceasewatch.alert.base import Notification
from ceasewatch.alert.retry import Backoff
from ceasewatch.alert.webhook import SignatureError, Webhook, payload, signature, verify
from ceasewatch.errors import InputError
from tests.alert.conftest import SECRET, Receiver, running_receiver
from tests.alert.handmade import T0, H, book_row, violation_row

FAST = Backoff(max_attempts=4, backoff_s=0.01, max_backoff_s=0.05)


@pytest.fixture
def notes(ua2026: Agreement) -> tuple[Notification, ...]:
    vs = [violation_row("vi-a", T0), violation_row("vi-b", T0 + 60 * 10**9)]
    rows = [book_row(ua2026, vs, as_of_ns=T0 + H)]
    return notifications(rows, vs, ua2026, as_of_ns=T0 + 24 * H)  # cell + guarantors


def hook(url: str, **kw: object) -> Webhook:
    return Webhook(url, SECRET, FAST, timeout_s=2.0, **kw)  # type: ignore[arg-type]


def test_a_receiver_verifies_the_signature(notes: tuple[Notification, ...]) -> None:
    body = payload(notes[0], sent_at_s=1_000, attempt=1)
    document = verify(SECRET, body, signature(SECRET, body), "1000", now_s=1_010)
    assert document["notification"]["notification_id"] == notes[0].notification_id
    with pytest.raises(SignatureError, match="does not match"):
        verify(SECRET, body.replace(b"high", b"low!"), signature(SECRET, body), "1000", now_s=1_010)
    with pytest.raises(SignatureError, match="does not match"):
        verify(
            b"another secret of 32 bytes......", body, signature(SECRET, body), "1000", now_s=1_010
        )
    with pytest.raises(SignatureError, match="differs"):
        verify(SECRET, body, signature(SECRET, body), "999", now_s=1_010)
    with pytest.raises(SignatureError, match="stale or replayed"):
        verify(SECRET, body, signature(SECRET, body), "1000", now_s=2_000)


def test_retries_after_503_then_delivered_once(
    receiver: Receiver, notes: tuple[Notification, ...], tmp_path: Path
) -> None:
    receiver.script = [503, 503]
    waits: list[float] = []
    sink = Webhook(receiver.url, SECRET, FAST, timeout_s=2.0, sleep=waits.append)
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        report = deliver(notes[:1], [sink], ledger)
        assert [(s.notification_id, s.attempts) for s in report.sent] == [
            (notes[0].notification_id, 3)
        ]
        assert report.ok and not report.skipped
        assert ledger.deliveries()[0][3] == 3
    assert waits == [0.01, 0.02]  # exponential backoff
    assert [r.status for r in receiver.requests] == [503, 503, 200]
    assert [r.attempt for r in receiver.requests] == [1, 2, 3]
    assert all(r.verified for r in receiver.requests)
    assert {r.delivery for r in receiver.requests} == {notes[0].notification_id}
    assert len(receiver.accepted) == 1
    accepted = receiver.accepted[0].body
    assert accepted is not None and accepted["notification"]["recipient"] == "coordination-cell"


def test_a_restart_sends_nothing_again(
    receiver: Receiver, notes: tuple[Notification, ...], tmp_path: Path
) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        assert len(deliver(notes, [hook(receiver.url)], ledger).sent) == 2
    with Ledger(path) as ledger:  # a new process, the same file
        report = deliver(notes, [hook(receiver.url)], ledger)
    assert not report.sent and not report.failed
    assert len(report.skipped) == 2
    assert len(receiver.requests) == 2


def test_a_receiver_that_is_down_fails_with_the_reason_and_is_retried_next_run(
    closed_port: int, notes: tuple[Notification, ...], tmp_path: Path
) -> None:
    path = tmp_path / "ledger.sqlite"
    url = f"http://127.0.0.1:{closed_port}/hook"
    with Ledger(path) as ledger:
        report = deliver(notes, [hook(url)], ledger)
        assert not report.sent and len(report.failed) == 2
        first, second = report.failed
        assert first.attempts == FAST.max_attempts
        assert "no success after 4 attempts" in first.reason
        assert "cannot reach" in first.reason and "refused" in first.reason.lower()
        assert second.attempts == 0 and second.reason.startswith("not tried")
        assert len(ledger.failures()) == 2 and not ledger.deliveries()
    with running_receiver(closed_port) as back, Ledger(path) as ledger:  # it is back; rerun
        again = deliver(notes, [hook(url)], ledger)
    assert len(again.sent) == 2 and not again.failed and not again.skipped
    assert len(back.accepted) == 2


def test_a_refusal_is_not_retried_within_the_run(
    receiver: Receiver, notes: tuple[Notification, ...], tmp_path: Path
) -> None:
    receiver.script = [400]
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        report = deliver(notes[:1], [hook(receiver.url)], ledger)
    assert report.failed[0].attempts == 1
    assert "HTTP 400" in report.failed[0].reason and "refused" in report.failed[0].reason
    assert len(receiver.requests) == 1


def test_a_wrong_secret_is_refused_by_the_receiver(
    receiver: Receiver, notes: tuple[Notification, ...], tmp_path: Path
) -> None:
    sink = Webhook(receiver.url, b"not the receiver's secret!!!!!!!", FAST, timeout_s=2.0)
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        report = deliver(notes[:1], [sink], ledger)
    assert "HTTP 401" in report.failed[0].reason
    assert receiver.requests[0].verified is False


def test_redirects_are_not_followed(
    receiver: Receiver, notes: tuple[Notification, ...], tmp_path: Path
) -> None:
    receiver.script = [307]
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        report = deliver(notes[:1], [hook(receiver.url)], ledger)
    assert "redirects are not followed" in report.failed[0].reason
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    "url", ["http://192.0.2.10/hook", "http://example.org/hook", "http://10.0.0.1:8080/"]
)
def test_non_loopback_hosts_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(InputError, match="not a loopback address.*--allow-remote"):
        hook(url)
    assert hook(url, allow_remote=True).key == f"webhook:{url}"  # built, nothing sent


@pytest.mark.parametrize("url", ["http://localhost:9/x", "http://[::1]:9/x", "http://127.0.0.2/"])
def test_loopback_hosts_are_accepted(url: str) -> None:
    assert hook(url).url == url


def test_bad_urls_and_short_secrets_are_refused() -> None:
    with pytest.raises(InputError, match="http:// or https://"):
        hook("ftp://127.0.0.1/x")
    with pytest.raises(InputError, match="fewer than 16"):
        Webhook("http://127.0.0.1/x", b"short")


def test_the_body_is_json_with_the_notification(
    receiver: Receiver, notes: tuple[Notification, ...], tmp_path: Path
) -> None:
    sink = Webhook(receiver.url, SECRET, FAST, clock=lambda: 1_700_000_000.0)
    body = payload(notes[0], sent_at_s=1_700_000_000, attempt=1)
    assert json.loads(body)["notification"] == notes[0].to_json()
    assert sink.key.startswith("webhook:http://127.0.0.1:")
    assert abs(time.time() - 1_700_000_000) > 300  # the receiver would call this stale
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        report = deliver(notes[:1], [sink], ledger)
    assert "HTTP 401" in report.failed[0].reason  # a stale timestamp is refused
