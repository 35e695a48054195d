"""The dashboard in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against the real service (uvicorn on a free port of 127.0.0.1, over a copy of the simulated
day's state folder).

One walk through the roles: the page loads with no console error and no request leaving
127.0.0.1 (anything else is recorded and aborted); an analyst's token shows the violations;
clicking a marker opens the panel with the findings' reasons and evidence ids; two analysts
confirm it (high severity needs a second) and the status changes; the public then sees no
violation markers, only counts per sector.

Without /usr/bin/chromium, Playwright or web/node_modules (``npm ci --prefix web``) the browser
test is skipped; with CEASEWATCH_REQUIRE_BROWSER=1 it fails instead.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from ceasewatch.api import routes_web
from ceasewatch.api.tokens import Principal, Role, TokenKey

from ..browser import CHROMIUM, needs, served_in_thread

VIEWPORT = {"width": 1280, "height": 860}
SAFE_MARGIN_PX = 70  # keep clear of the map's controls when clicking a marker
CONTROLS_PX = 260  # the layer control (top right) and legend (bottom right)


def test_the_page_needs_leaflet_installed(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(routes_web, "WEB_DIR", tmp_path)
    answer = client.get("/")
    assert answer.status_code == 503
    assert "npm ci --prefix web (make demo does)" in answer.text


def test_the_agreement_layers_are_public_and_small(client: TestClient) -> None:
    answer = client.get("/api/agreement")
    assert answer.status_code == 200 and len(answer.content) < 2_000_000
    body = answer.json()
    for name in ("basemap", "areas", "zones", "sectors", "line", "hubs"):
        assert body[name]["type"] == "FeatureCollection" and body[name]["features"], name
    assert {f["properties"]["sector"] for f in body["sectors"]["features"]} >= {"donetsk"}


def test_own_files_only_and_no_way_out_of_leaflet(client: TestClient) -> None:
    assert client.get("/web/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/web/package.json").status_code == 404
    assert client.get("/vendor/leaflet/../package.json").status_code == 404


def _browser_or_skip() -> None:
    missing = [] if CHROMIUM.is_file() else [str(CHROMIUM)]
    if not routes_web.leaflet_dir().is_dir():
        missing.append("web/node_modules (npm ci --prefix web)")
    needs(missing, "test the dashboard in a browser")


@pytest.fixture
def served(built_state: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(base URL, state folder) of the service on 127.0.0.1, in a thread, over a copy."""
    _browser_or_skip()

    from ceasewatch.commands.serve import build_app

    state = tmp_path / "state"
    shutil.copytree(built_state, state)
    app = build_app(state)
    with served_in_thread(app) as base:
        yield base, state
    app.state.settings.catalog.store.close()


def _token(state: Path, subject: str) -> str:
    key = TokenKey.load_or_create(state / "keys")
    return key.issue(Principal(Role.ANALYST, subject), int(time.time()), 600)


def _isolated(rows: list[dict[str, Any]], apart_deg: float = 0.15) -> list[dict[str, Any]]:
    """High-severity violations with no other violation near them (one marker to click)."""
    placed = [r for r in rows if isinstance(r.get("position"), list)]
    return [
        r
        for r in placed
        if r["severity"] in ("high", "critical")
        and all(
            o is r
            or abs(o["position"][0] - r["position"][0]) > apart_deg
            or abs(o["position"][1] - r["position"][1]) > apart_deg
            for o in placed
        )
    ]


def test_analysts_confirm_a_violation_and_the_public_sees_counts_only(
    served: tuple[str, Path],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, state = served
    first, second = _token(state, "anna"), _token(state, "bohdan")
    foreign: list[str] = []
    errors: list[str] = []

    def only_local(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_page(viewport=VIEWPORT)
        page.route("**/*", only_local)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        counts = page.locator("#counts")

        page.goto(base + "/")
        expect(counts).to_contain_text("Public view", timeout=20_000)
        page.fill("#token", first)
        page.click("#token-form button[type=submit]")
        expect(counts).to_contain_text("violations on the map", timeout=20_000)
        expect(page.locator("#role")).to_have_text("analyst")
        assert page.evaluate("window.ceasewatch.markerCount()") > 0

        rows = page.evaluate(
            """async (t) => (await (await fetch('/api/violations?limit=1000',
                 {headers: {Authorization: 'Bearer ' + t}})).json()).items""",
            first,
        )
        box = page.locator("#map").bounding_box()
        assert box is not None
        target, point = None, None
        for row in _isolated(rows):
            at = page.evaluate("(id) => window.ceasewatch.markerPoint(id)", row["violation_id"])
            if (
                SAFE_MARGIN_PX < at["x"] < box["width"] - CONTROLS_PX
                and SAFE_MARGIN_PX < at["y"] < box["height"] - SAFE_MARGIN_PX
            ):
                target, point = row, at
                break
        assert target is not None, "no violation marker stands alone in view"
        vid = target["violation_id"]
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        detail = page.locator("#detail")
        expect(detail).to_have_attribute("data-id", vid)
        reason = target["findings"]["occurred"]["reasons"][0]
        expect(page.locator("#detail-body")).to_contain_text(reason)
        evidence = target["findings"]["occurred"]["evidence"][0]
        expect(page.locator("#detail-body .evidence").first).to_contain_text(evidence)
        expect(detail).to_have_attribute("data-status", "auto")

        page.fill("#review-reason", "impact seen on the drone video")
        page.click("#review-confirm")
        expect(page.locator("#review-note")).to_contain_text("second analyst")
        page.fill("#token", second)
        page.click("#token-form button[type=submit]")
        expect(counts).to_contain_text("violations on the map", timeout=20_000)
        page.click(f"#queue-list button[data-id='{vid}']")
        expect(detail).to_have_attribute("data-id", vid)
        page.fill("#review-reason", "agreed: the crater is on the satellite image")
        page.click("#review-confirm")
        expect(detail).to_have_attribute("data-status", "verified")
        expect(page.locator("#detail-body .status")).to_have_text("verified")

        page.click("#token-clear")
        expect(counts).to_contain_text("Public view", timeout=20_000)
        assert page.evaluate("window.ceasewatch.markerCount()") == 0
        assert page.locator(".aggregate-box").count() > 0
        assert page.locator("#queue").is_hidden() and page.locator("#review-form").is_hidden()
        assert vid not in page.content()
        browser.close()

    assert not foreign, f"requests left 127.0.0.1: {foreign}"
    assert not errors, f"console errors: {errors}"
