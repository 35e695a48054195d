"""``ceasewatch demo --serve``: after the demo, the API answers on localhost with the demo's
state, and the printed analyst token works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .browser import free_port


def test_demo_then_serve(tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "ceasewatch.cli", "demo", "--scenario", "quiet-day",
               "--out", str(tmp_path / "demo"), "--serve", "--port", str(port)]  # fmt: skip
    env = {**os.environ, "CEASEWATCH_HOME": str(tmp_path / "home")}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env)  # fmt: skip
    try:
        assert process.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if len(lines) >= 2 and lines[-2].startswith("an analyst's token"):
                break
        assert any(f"serving on http://127.0.0.1:{port}/" in line for line in lines), lines[-5:]
        token = lines[-1]
        base = f"http://127.0.0.1:{port}"
        health: dict[str, object] = {}
        for _ in range(100):  # the server starts just after printing
            try:
                with urllib.request.urlopen(f"{base}/api/health", timeout=2) as response:
                    health = json.loads(response.read())
                break
            except OSError:
                time.sleep(0.1)
        assert health.get("status") == "ok", "the server did not answer in 10 s"
        assert int(str(health["log_size"])) > 100
        request = urllib.request.Request(
            f"{base}/api/whoami", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["role"] == "analyst"
    finally:
        process.terminate()
        process.wait(timeout=20)
