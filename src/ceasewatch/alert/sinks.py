"""The log-file and e-mail sinks (the webhook has its own module).

- :class:`LogFile` appends each notification as one JSON line and fsyncs it before saying it is
  delivered, so a crash never loses a line the ledger counts as written.
- :class:`Email` sends plain-text mail through an SMTP server (no TLS or login yet: meant for a
  local relay), loopback only unless ``allow_remote``. ``to`` maps the agreement's recipient ids to
  addresses (``"*"``: everyone else). The ``Message-ID`` is derived from the notification id, so
  a mail system can drop a duplicate.
"""

from __future__ import annotations

import json
import os
import smtplib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from ceasewatch.alert.base import DeliveryError, Notification
from ceasewatch.alert.net import require_loopback
from ceasewatch.alert.retry import Backoff, Transient, with_retries
from ceasewatch.errors import InputError
from ceasewatch.evidence.durable import sync_folder
from ceasewatch.model.time import format_ns

EVERYONE = "*"
MAIL_POLICY = email_policy.SMTP.clone(max_line_length=998)
"""RFC 5322's hard limit: Python's folding at 78 puts a short subject on a line of its own."""


@dataclass
class LogFile:
    """Append notifications to a JSON Lines file, durably."""

    path: Path
    clock: Callable[[], int] = time.time_ns

    @property
    def key(self) -> str:
        return f"log:{self.path.resolve()}"

    def send(self, notification: Notification) -> int:
        line = {"logged_at": format_ns(self.clock(), 6), **notification.to_json()}
        data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            created = not self.path.exists()
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view) :]
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            if created:
                sync_folder(self.path.parent)
        except OSError as error:
            raise DeliveryError(
                f"{self.key}: cannot append ({error.strerror}); check the folder exists and is "
                "writable",
                down=True,
            ) from error
        return 1


@dataclass
class Email:
    """Plain-text mail through ``host:port``; one message per notification."""

    host: str
    port: int
    to: Mapping[str, tuple[str, ...]]  # recipient id (or "*") → addresses
    sender: str = "ceasewatch@localhost"
    backoff: Backoff = field(default_factory=lambda: Backoff(max_attempts=3))
    timeout_s: float = 10.0
    allow_remote: bool = False
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        require_loopback(self.host, self.allow_remote, f"smtp {self.host}:{self.port}")
        if not self.to:
            raise InputError(
                "e-mail: no addresses; give --mail-to ADDRESS (everyone) or "
                "--mail-to RECIPIENT=ADDRESS"
            )

    @property
    def key(self) -> str:
        return f"email:{self.host}:{self.port}"

    def addresses(self, recipient: str) -> tuple[str, ...]:
        return tuple(self.to.get(recipient) or self.to.get(EVERYONE) or ())

    def message(self, notification: Notification) -> EmailMessage:
        to = self.addresses(notification.recipient)
        if not to:
            raise DeliveryError(
                f"{self.key}: no address for recipient {notification.recipient}; add "
                f"--mail-to {notification.recipient}=ADDRESS (or --mail-to ADDRESS for everyone)"
            )
        message = EmailMessage(policy=MAIL_POLICY)
        message["Subject"] = notification.subject
        message["From"] = self.sender
        message["To"] = ", ".join(to)
        message["Date"] = formatdate(self.clock(), usegmt=True)
        message["Message-ID"] = f"<{notification.notification_id}@ceasewatch>"
        message["X-Ceasewatch-Notification"] = notification.notification_id
        message.set_content(
            f"To: {notification.recipient_name}\n\n{notification.text}\n\n"
            f"Notification {notification.notification_id}, {notification.agreement}.\n"
        )
        return message

    def send(self, notification: Notification) -> int:
        message = self.message(notification)
        return with_retries(lambda n: self._attempt(message), self.backoff, self.sleep, self.key)

    def _attempt(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(f"{self.key}: recipients refused: {error.recipients}") from None
        except smtplib.SMTPResponseException as error:
            text = f"SMTP {error.smtp_code} {error.smtp_error!r}"
            if 400 <= error.smtp_code < 500:
                raise Transient(text) from None
            raise DeliveryError(f"{self.key}: {text}: the server refused the message") from None
        except (smtplib.SMTPException, OSError) as error:
            raise Transient(f"cannot reach {self.host}:{self.port}: {error}") from None
