"""The security headers on every response, and the documentation page under the strict CSP.

Every HTML page the service serves (the dashboard, /docs) and every JSON answer — data, 401,
403, 404, 422 — carries a Content-Security-Policy without inline or eval'd script and with
``frame-ancestors 'none'``, ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy``. The
HTML itself has no inline script for such a policy to forbid. Then /docs, served by uvicorn on
127.0.0.1, is opened in real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright): Swagger UI shows every operation of the schema and the console reports no error,
no CSP violation and no request leaves the machine. Without /usr/bin/chromium (or Playwright)
the browser test is skipped; with CEASEWATCH_REQUIRE_BROWSER=1 it fails instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route

from ceasewatch.api.tokens import Principal, Role

from ..browser import CHROMIUM, REQUIRE, browser_or_skip, served_in_thread


@pytest.fixture(scope="module")
def app(built_state: Path) -> Iterator[Any]:
    """One app over the session's state, for requests that change nothing."""
    from ceasewatch.commands.serve import build_app

    served = build_app(built_state)
    yield served
    served.state.settings.catalog.store.close()


@pytest.fixture(scope="module")
def reader(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def bearer(app: Any, role: Role, **who: str) -> dict[str, str]:
    token = app.state.settings.key.issue(Principal(role, "tester", **who), int(time.time()))
    return {"Authorization": f"Bearer {token}"}


def directives(csp: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as directive → its sources."""
    out = {}
    for part in csp.split(";"):
        name, *sources = part.split()
        out[name] = sources
    return out


def assert_secure(response: Any) -> None:
    """The headers every response must carry, whatever its type or status."""
    where = f"{response.request.method} {response.request.url} ({response.status_code})"
    csp = directives(response.headers.get("content-security-policy", "") or "none")
    script = csp.get("script-src", csp.get("default-src", []))
    assert script == ["'self'"], f"{where}: script-src {script}"
    assert "'unsafe-inline'" not in csp.get("style-src", []), where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("object-src") == ["'none'"], where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("referrer-policy") == "no-referrer", where
    assert response.headers.get("x-frame-options") == "DENY", where


class _Scripts(HTMLParser):
    """Collects inline scripts and inline event handlers of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        self.inline += [f"{tag} {k}=" for k in names if k.startswith("on")]
        if tag == "script":
            self._in_script = "src" not in names
        if any((v or "").strip().lower().startswith("javascript:") for v in names.values()):
            self.inline.append(f"{tag} with a javascript: URL")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append(data.strip()[:60])


def inline_scripts(html: str) -> list[str]:
    parser = _Scripts()
    parser.feed(html)
    return parser.inline


def test_inline_script_finder_finds_inline_scripts() -> None:
    page = '<script>go()</script><script src="a.js"></script><a onclick="x()" href="#">'
    assert inline_scripts(page) == ["go()", "a onclick="]
    assert inline_scripts('<script src="a.js"></script>') == []


def html_pages(app: Any) -> list[str]:
    """The paths of the app's pages: GET routes outside the schema without path parameters."""
    return sorted(
        r.path
        for r in app.routes
        if isinstance(r, Route)
        and "GET" in (r.methods or ())
        and not getattr(r, "include_in_schema", False)
        and "{" not in r.path
    )


def test_every_html_page_has_the_headers_and_no_inline_script(app: Any, reader: TestClient) -> None:
    pages = html_pages(app)
    assert "/docs" in pages and "/redoc" not in pages
    html_seen = []
    for path in pages:
        response = reader.get(path)
        assert_secure(response)
        if response.headers.get("content-type", "").startswith("text/html"):
            html_seen.append(path)
            assert not inline_scripts(response.text), path
    assert "/docs" in html_seen
    docs = reader.get("/docs").text
    assert 'src="static-offline-docs/swagger-ui-bundle.js"' in docs
    init = reader.get("/docs-init.js")
    assert init.status_code == 200 and "SwaggerUIBundle(" in init.text
    assert init.headers["content-type"].startswith("text/javascript")
    assert reader.get("/redoc").status_code == 404


def test_docs_static_files_have_the_headers(reader: TestClient) -> None:
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"):
        response = reader.get(f"/static-offline-docs/{name}")
        assert response.status_code == 200, name
        assert_secure(response)


def test_every_json_answer_has_the_headers(app: Any, reader: TestClient) -> None:
    schema = reader.get("/openapi.json")
    assert_secure(schema)
    paths = [
        path
        for path, methods in schema.json()["paths"].items()
        if "{" not in path
        and "get" in methods
        and "text/event-stream" not in methods["get"]["responses"]["200"].get("content", {})
    ]
    analyst = bearer(app, Role.ANALYST)
    statuses = set()
    for path in paths:
        for headers in ({}, analyst):
            response = reader.get(path, headers=headers)
            assert_secure(response)
            statuses.add(response.status_code)
    odd = [
        reader.get("/api/violations", headers={"Authorization": "Bearer not.a.token"}),
        reader.get("/api/violations/vi-none", headers=analyst),
        reader.get("/api/violations?limit=0", headers=analyst),
        reader.get("/api/no-such-route"),
        reader.post("/api/complaints", json={}, headers=analyst),
    ]
    for response in odd:
        assert_secure(response)
    assert [r.status_code for r in odd] == [401, 404, 422, 404, 403]
    assert {200, 403} <= statuses


# -- the documentation page in a real browser ---------------------------------------------


@pytest.fixture(scope="module")
def served(app: Any) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 (a free port) in a thread: its base URL."""
    with served_in_thread(app) as base:
        yield base


def test_docs_render_every_operation_in_chromium_without_csp_errors(
    served: str, reader: TestClient
) -> None:
    browser_or_skip("test /docs in a browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get(REQUIRE) == "1":
            pytest.fail(f"playwright is not installed ({REQUIRE}=1 requires it)")
        pytest.skip("playwright is not installed")
    operations = {
        op["operationId"]
        for methods in reader.get("/openapi.json").json()["paths"].values()
        for op in methods.values()
    }
    problems: list[str] = []
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda e: problems.append(str(e)))

            def route(r: Any) -> None:
                if r.request.url.startswith(served + "/"):
                    r.continue_()
                else:
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.add_init_script(
                "window.__csp = [];"
                "document.addEventListener('securitypolicyviolation',"
                " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            response = page.goto(f"{served}/docs", wait_until="networkidle")
            assert response is not None and response.status == 200
            assert "'unsafe-inline'" not in (response.headers["content-security-policy"])
            page.wait_for_selector(".opblock", timeout=15_000)
            shown = page.eval_on_selector_all(
                ".opblock .opblock-summary-path", "els => els.map(e => e.textContent)"
            )
            violations = page.evaluate("window.__csp")
        finally:
            browser.close()
    assert len(shown) == len(operations) >= 15, shown
    assert "/api/violations/{violation_id}" in [s.replace("\u200b", "") for s in shown]
    assert violations == [], violations
    assert problems == [], problems
    assert outside == [], outside
