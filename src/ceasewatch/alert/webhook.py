"""The webhook sink: a notification as signed JSON, POSTed with bounded retries.

Wire format (docs/alerts.md): the body is UTF-8 JSON
``{"type": "ceasewatch.notification", "sent_at": <unix s>, "attempt": n, "notification": {…}}``
with these headers:

- ``X-Ceasewatch-Signature: sha256=<hex HMAC-SHA256 of the body with the shared secret>``;
- ``X-Ceasewatch-Timestamp: <unix s>`` — the same value as ``sent_at`` in the signed body, so a
  receiver can refuse stale or replayed requests;
- ``X-Ceasewatch-Delivery: <notification id>`` — the same for every attempt and every run, for
  receivers to de-duplicate on.

Only 2xx counts as delivered. 5xx, 408, 429, timeouts and refused connections are retried with
exponential backoff (:mod:`~ceasewatch.alert.retry`); other 4xx and redirects are not (the
receiver refused the message; redirects are never followed, so a notification cannot be bounced
to another host). Proxies from the environment are ignored: traffic goes to the URL's host only.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ceasewatch import __version__
from ceasewatch.alert.base import DeliveryError, Notification
from ceasewatch.alert.net import require_loopback
from ceasewatch.alert.retry import Backoff, Transient, with_retries
from ceasewatch.errors import CeasewatchError, InputError

SIGNATURE_HEADER = "X-Ceasewatch-Signature"
TIMESTAMP_HEADER = "X-Ceasewatch-Timestamp"
DELIVERY_HEADER = "X-Ceasewatch-Delivery"
ATTEMPT_HEADER = "X-Ceasewatch-Attempt"
RETRIED_STATUS = frozenset({408, 425, 429})
MIN_SECRET_BYTES = 16


class SignatureError(CeasewatchError):
    """A webhook request whose signature or timestamp does not check out."""


def signature(secret: bytes, body: bytes) -> str:
    """The value of ``X-Ceasewatch-Signature`` for ``body``: ``sha256=<hex HMAC-SHA256>``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def payload(notification: Notification, *, sent_at_s: int, attempt: int) -> bytes:
    """The request body: sorted-key compact UTF-8 JSON."""
    body = {
        "type": "ceasewatch.notification",
        "sent_at": sent_at_s,
        "attempt": attempt,
        "notification": notification.to_json(),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def verify(
    secret: bytes,
    body: bytes,
    signature_header: str | None,
    timestamp_header: str | None,
    *,
    now_s: float,
    tolerance_s: float = 300.0,
) -> dict[str, Any]:
    """What a receiver does: check the signature and the timestamp, return the parsed body.

    Raises SignatureError when the signature is missing or wrong (compared in constant time), when
    the timestamp header differs from the signed ``sent_at``, or when it is more than
    ``tolerance_s`` away from ``now_s``.
    """
    if not signature_header or not hmac.compare_digest(signature_header, signature(secret, body)):
        raise SignatureError(f"{SIGNATURE_HEADER} does not match the body")
    document = json.loads(body)
    if str(document.get("sent_at")) != (timestamp_header or ""):
        raise SignatureError(f"{TIMESTAMP_HEADER} differs from the signed sent_at")
    if abs(now_s - float(document["sent_at"])) > tolerance_s:
        raise SignatureError(f"sent_at is more than {tolerance_s:g} s from now: stale or replayed")
    return dict(document)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


@dataclass
class Webhook:
    """POST each notification to ``url``, signed with ``secret``."""

    url: str
    secret: bytes
    backoff: Backoff = field(default_factory=Backoff)
    timeout_s: float = 10.0
    allow_remote: bool = False
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https"):
            raise InputError(f"webhook {self.url!r}: give an http:// or https:// URL")
        require_loopback(parts.hostname or "", self.allow_remote, f"webhook {self.url}")
        if len(self.secret) < MIN_SECRET_BYTES:
            raise InputError(
                f"webhook {self.url}: the secret has {len(self.secret)} bytes, fewer than "
                f"{MIN_SECRET_BYTES}; use e.g. `openssl rand -hex 32`"
            )
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())

    @property
    def key(self) -> str:
        return f"webhook:{self.url}"

    def send(self, notification: Notification) -> int:
        return with_retries(
            lambda n: self._attempt(notification, n), self.backoff, self.sleep, self.key
        )

    def _attempt(self, notification: Notification, attempt: int) -> None:
        sent_at = int(self.clock())
        body = payload(notification, sent_at_s=sent_at, attempt=attempt)
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": f"ceasewatch/{__version__}",
                SIGNATURE_HEADER: signature(self.secret, body),
                TIMESTAMP_HEADER: str(sent_at),
                DELIVERY_HEADER: notification.notification_id,
                ATTEMPT_HEADER: str(attempt),
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                response.read()
        except urllib.error.HTTPError as error:
            status = f"HTTP {error.code} {error.reason}"
            error.close()
            if error.code >= 500 or error.code in RETRIED_STATUS:
                raise Transient(status) from None
            if 300 <= error.code < 400:
                raise DeliveryError(
                    f"{self.key}: {status} (redirect to {error.headers.get('Location')}); "
                    "redirects are not followed: give the final URL"
                ) from None
            raise DeliveryError(
                f"{self.key}: {status}: the receiver refused the notification (not retried in "
                "this run; check the secret and the receiver's log)"
            ) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            raise Transient(f"cannot reach {self.url}: {reason}") from None
