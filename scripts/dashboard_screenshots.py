"""Screenshots of the dashboard for the docs: an analyst's view with a violation open, and the
public's view, over a copy of a state folder (the demo's, by default) served on 127.0.0.1.

Usage: python scripts/dashboard_screenshots.py [--state demo-output/state] [--out docs/img]

Needs Debian's Chromium (/usr/bin/chromium), Playwright, and web/node_modules (make demo).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1440, "height": 900}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(state: Path) -> Iterator[str]:
    """The service over ``state`` on a free port of 127.0.0.1, in a thread; its base URL."""
    import uvicorn

    from ceasewatch.commands.serve import build_app

    app = build_app(state)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        app.state.settings.catalog.store.close()


def token(state: Path, role: str, subject: str, **who: str) -> str:
    from ceasewatch.api.tokens import Principal, Role, TokenKey

    key = TokenKey.load_or_create(state / "keys")
    return key.issue(Principal(Role(role), subject, **who), int(time.time()), 3600)


def use_token(page: Any, value: str) -> None:
    from playwright.sync_api import expect

    page.fill("#token", value)
    page.click("#token-form button[type=submit]")
    expect(page.locator("#counts")).to_contain_text("on the map", timeout=20_000)


def shoot(state: Path, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    analyst = token(state, "analyst", "screenshots")
    written = []
    with serving(state) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
        page.goto(base + "/")
        expect(page.locator("#counts")).to_contain_text("Public view", timeout=20_000)
        use_token(page, analyst)
        # an hour with a critical violation, selected on the timeline, and that violation open
        vid = page.evaluate(
            """async (t) => {
              const r = await fetch('/api/violations?limit=1000',
                {headers: {Authorization: 'Bearer ' + t}});
              const rows = (await r.json()).items;
              const v = rows.find((v) => v.severity === 'critical') || rows[0];
              return [v.violation_id, v.t.slice(0, 13)];
            }""",
            analyst,
        )
        vid, hour = vid
        page.click(f"#timeline rect.hit[data-key='{hour}']")
        page.click(f"#queue-list button[data-id='{vid}']")
        page.wait_for_selector("#detail:not([hidden])")
        page.wait_for_timeout(400)
        written.append(out / "dashboard-analyst.png")
        page.screenshot(path=str(written[-1]))
        page.click("#token-clear")
        expect(page.locator("#counts")).to_contain_text("Public view", timeout=20_000)
        page.wait_for_timeout(400)
        written.append(out / "dashboard-public.png")
        page.screenshot(path=str(written[-1]))
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", type=Path, default=Path("demo-output/state"))
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    args = parser.parse_args(argv)
    if not args.state.is_dir():
        print(f"--state {args.state}: no such folder; run make demo first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "state"
        shutil.copytree(args.state, copy)  # reviews or complaints made here stay here
        for path in shoot(copy, args.out):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
