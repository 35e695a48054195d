"""Real local receivers for the sinks, on 127.0.0.1 with a port the system picks: an HTTP server
that checks each request's signature and answers from a script, and an SMTP server (aiosmtpd)
that keeps the messages it receives. Nothing here talks to any other host."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ceasewatch.alert.webhook import (
    ATTEMPT_HEADER,
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    verify,
)

SECRET = b"0123456789abcdef0123456789abcdef"


@dataclass
class Received:
    """One request the receiver saw: whether its signature held, and its answer."""

    delivery: str
    attempt: int
    verified: bool
    status: int
    body: dict[str, Any] | None


@dataclass
class Receiver:
    url: str
    secret: bytes
    script: list[int] = field(default_factory=list)  # statuses to answer first, then 200
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.requests if r.status == 200]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    import time

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                document: dict[str, Any] | None = verify(
                    receiver.secret,
                    body,
                    self.headers.get(SIGNATURE_HEADER),
                    self.headers.get(TIMESTAMP_HEADER),
                    now_s=time.time(),
                )
                ok = True
            except SignatureError:
                document, ok = None, False
            with receiver.lock:
                status = receiver.script.pop(0) if receiver.script else 200
                if not ok:
                    status = 401
                receiver.requests.append(
                    Received(
                        self.headers.get(DELIVERY_HEADER, ""),
                        int(self.headers.get(ATTEMPT_HEADER, "0")),
                        ok,
                        status,
                        document,
                    )
                )
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@contextmanager
def running_receiver(port: int = 0, secret: bytes = SECRET) -> Iterator[Receiver]:
    """An HTTP receiver on 127.0.0.1:``port`` (0: any free port) until the block ends."""
    state = Receiver(url="", secret=secret)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as state:
        yield state


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


class _PortZeroController(Controller):
    """aiosmtpd's controller, listening on a port the system picks (it needs the real one)."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Smtp:
    host: str
    port: int
    mailbox: Mailbox


@pytest.fixture
def smtp_server() -> Iterator[Smtp]:
    mailbox = Mailbox()
    controller = _PortZeroController(mailbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield Smtp("127.0.0.1", controller.port, mailbox)
    finally:
        controller.stop()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "hook.key"
    path.write_bytes(SECRET + b"\n")
    path.chmod(0o600)
    return path
