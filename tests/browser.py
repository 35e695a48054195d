"""What the browser tests share: Debian's Chromium (skip without it, or fail when
CEASEWATCH_REQUIRE_BROWSER=1, as CI sets), a free port on loopback, and an app served by
uvicorn in a thread."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE = "CEASEWATCH_REQUIRE_BROWSER"


def needs(missing: Sequence[str], purpose: str, environ: Mapping[str, str] = os.environ) -> None:
    """Skip when anything in ``missing`` is missing, or fail when the environment requires
    browser tests to run."""
    if not missing:
        return
    message = f"{', '.join(missing)} missing: cannot {purpose}"
    if environ.get(REQUIRE) == "1":
        pytest.fail(f"{message} ({REQUIRE}=1 requires it)")
    pytest.skip(message)


def browser_or_skip(
    purpose: str, chromium: Path = CHROMIUM, environ: Mapping[str, str] = os.environ
) -> None:
    """Skip when ``chromium`` is missing (install Debian's chromium package), or fail when the
    environment requires a browser."""
    needs([] if chromium.is_file() else [str(chromium)], purpose, environ)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served_in_thread(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 (a free port) in a thread: its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
