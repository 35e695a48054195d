"""The HTTP edge of a witness (c2sp.org/tlog-witness) on the standard library, and its client.

Server: ``POST /add-checkpoint`` runs :meth:`Witness.add_checkpoint` with the clock read here,
``GET /key`` returns the witness's verifier key. Run it from a thread::

    server = serve(DEFAULT_HOST, 0, witness)       # port 0: any free port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ... server.url ...
    server.shutdown(); server.server_close()

Client: :func:`request_cosignature` posts a checkpoint and returns the cosignature lines, or
raises :class:`WitnessHTTPError` (status, content type and body; ``latest_size`` after a 409) or
:class:`WitnessUnavailableError` (no answer), both :class:`~.witness.WitnessError`.
"""

from __future__ import annotations

import http.client
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ceasewatch.evidence.note import NoteError, parse_signature_lines
from ceasewatch.evidence.witness import (
    MAX_REQUEST_BYTES,
    SIZE_CONTENT_TYPE,
    TEXT_CONTENT_TYPE,
    AddCheckpointRequest,
    Witness,
    WitnessError,
    WitnessResponse,
)

DEFAULT_HOST = "127.0.0.1"
MAX_RESPONSE_BYTES = 64 * 1024
_log = logging.getLogger(__name__)


class WitnessHTTPError(WitnessError):
    """The witness answered with a status other than 200."""

    def __init__(self, url: str, status: int, content_type: str, body: bytes) -> None:
        self.url, self.status, self.content_type, self.body = url, status, content_type, body
        detail = body.decode("utf-8", errors="replace").strip()[:300]
        super().__init__(f"witness {url} refused the checkpoint with HTTP {status}: {detail}")

    @property
    def latest_size(self) -> int | None:
        """After a 409 with ``text/x.tlog.size``: the size the witness last cosigned; retry with
        it as ``old_size`` and a proof from it. None otherwise."""
        if self.status != 409 or self.content_type.split(";")[0].strip() != SIZE_CONTENT_TYPE:
            return None
        text = self.body.decode("ascii", errors="replace")
        digits = text[:-1] if text.endswith("\n") else ""
        return int(digits) if digits.isdigit() and digits.isascii() and len(digits) < 21 else None


class WitnessUnavailableError(WitnessError):
    """The witness could not be reached, timed out, or answered with something unusable."""


class WitnessServer(ThreadingHTTPServer):
    """A threading HTTP server holding the witness and the clock its requests read."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], witness: Witness, clock: Callable[[], float]):
        self.witness = witness
        self.clock = clock
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{host_text}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: WitnessServer
    protocol_version = "HTTP/1.1"  # keep-alive, as the spec recommends
    timeout = 30

    def _reply(self, response: WitnessResponse) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def _text(self, status: int, message: str) -> None:
        self._reply(WitnessResponse(status, TEXT_CONTENT_TYPE, (message + "\n").encode()))

    def do_GET(self) -> None:
        if self.path == "/key":
            self._text(200, self.server.witness.verifier_key())
        else:
            self._text(404, f"no such resource {self.path!r}; try POST /add-checkpoint")

    def do_POST(self) -> None:
        if self.path != "/add-checkpoint":
            self._text(404, f"no such resource {self.path!r}; try POST /add-checkpoint")
            return
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.isdigit() or not length_text.isascii():
            self.close_connection = True
            self._text(411, "send the request body with a Content-Length header")
            return
        if int(length_text) > MAX_REQUEST_BYTES:
            self.close_connection = True
            self._text(413, f"the request is over {MAX_REQUEST_BYTES} bytes")
            return
        body = self.rfile.read(int(length_text))
        try:
            response = self.server.witness.add_checkpoint(body, int(self.server.clock()))
        except (WitnessError, OSError) as exc:  # damaged state, full disk: the operator must act
            _log.error("witness cannot answer: %s", exc)
            self._text(500, "the witness cannot answer now")
            return
        self._reply(response)

    def log_message(self, format: str, *args: object) -> None:
        _log.info("%s " + format, self.address_string(), *args)


def serve(
    host: str, port: int, witness: Witness, *, clock: Callable[[], float] = time.time
) -> WitnessServer:
    """Bind a witness server to ``host``:``port`` (use :data:`DEFAULT_HOST`, loopback, unless it
    must be reachable; port 0 picks a free port). Call ``serve_forever`` to run it."""
    return WitnessServer((host, port), witness, clock)


def request_cosignature(
    url: str, note: bytes, old_size: int, proof: Sequence[bytes], timeout_s: float
) -> bytes:
    """POST ``note`` to the witness at submission prefix ``url`` and return its cosignature lines
    (append them with ``note.append_signature_lines``; verify with ``verify_cosignature``)."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise WitnessError(f"witness URL {url!r} must start with http:// or https://")
    endpoint = url.rstrip("/") + "/add-checkpoint"
    body = AddCheckpointRequest(old_size, tuple(proof), note).encode()
    request = urllib.request.Request(
        endpoint, data=body, method="POST", headers={"Content-Type": TEXT_CONTENT_TYPE}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            data = answer.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        content_type = exc.headers.get("Content-Type", "") if exc.headers else ""
        raise WitnessHTTPError(
            endpoint, exc.code, content_type, exc.read(MAX_RESPONSE_BYTES)
        ) from None
    except (OSError, http.client.HTTPException) as exc:  # URLError and timeouts are OSErrors
        raise WitnessUnavailableError(f"witness {endpoint} did not answer: {exc}") from None
    if len(data) > MAX_RESPONSE_BYTES:
        raise WitnessUnavailableError(f"witness {endpoint} answered with over 64 KiB")
    try:
        parse_signature_lines(data)
    except NoteError as exc:
        raise WitnessUnavailableError(
            f"witness {endpoint} answered 200 without valid signature lines: {exc}"
        ) from None
    return data
