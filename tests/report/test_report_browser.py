"""The daily report's HTML as a browser shows it: the fixed scenario's full and public editions
opened in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Checked at a desktop width (1280 px) and a phone width (390 px, as a mobile browser that honours
the page's viewport tag): no console or page error, no request but the file itself (anything
else is recorded and aborted, so the test never reaches the network), every picture decoded,
nothing wider than the window (wide tables scroll inside their own box), headings h1 then h2s,
tables headed by ``th`` cells, the checkpoint line on the first screen, and the public edition's
visible text free of sensor ids, evidence ids and fine coordinates.

Without /usr/bin/chromium (or Playwright) the tests are skipped; with
CEASEWATCH_REQUIRE_BROWSER=1 they fail instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ceasewatch.agreement.types import Agreement
from ceasewatch.report.daily_render import render_html
from ceasewatch.report.editions import edition

from ..browser import CHROMIUM, REQUIRE, browser_or_skip
from .daily_scenario import EVIDENCE_ID, FINE_LON, SENSOR_ID, scenario_record

DESKTOP_PX, PHONE_PX, SCREEN_HEIGHT_PX = 1280, 390, 900
EDITIONS = ("full", "public")
VIEWS = [(e, w) for e in EDITIONS for w in (DESKTOP_PX, PHONE_PX)]
ROOT_HASH = "q2s8fKcLs4TBHH3ZyqFDNDc0j1oyXK+cjC/NpdFOS1I="  # the scenario's checkpoint root
FINE = re.compile(r"\d+\.\d{4,}")  # a coordinate to 4+ decimals


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    browser_or_skip("test the report HTML")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get(REQUIRE) == "1":
            pytest.fail(f"playwright is not installed ({REQUIRE}=1 requires it)")
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, ua2026: Agreement) -> dict[str, Path]:
    """edition → the HTML file of that edition of the fixed scenario."""
    record = scenario_record(tmp_path_factory.mktemp("adjudication"))
    out = tmp_path_factory.mktemp("html")
    paths = {}
    for name in EDITIONS:
        paths[name] = out / f"report-{name}.html"
        paths[name].write_text(render_html(edition(record, name), ua2026), encoding="utf-8")
    return paths


@dataclass
class View:
    """One edition open in one window, with what the page reported while loading."""

    page: Any
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)


def _local(url: str) -> bool:
    return url.startswith(("file:", "data:"))


@pytest.fixture(scope="module")
def views(browser: Any, reports: dict[str, Path]) -> Iterator[dict[tuple[str, int], View]]:
    """(edition, window width) → the loaded view; each opened once for the module."""
    contexts, opened = [], {}
    for name, width_px in VIEWS:
        phone = width_px == PHONE_PX
        context = browser.new_context(
            viewport={"width": width_px, "height": SCREEN_HEIGHT_PX},
            is_mobile=phone,
            has_touch=phone,
        )
        contexts.append(context)
        context.route(
            "**/*", lambda route: route.continue_() if _local(route.request.url) else route.abort()
        )
        page = context.new_page()
        view = View(page, reports[name].as_uri())
        page.on("console", view.on_console)
        page.on("pageerror", lambda e, v=view: v.page_errors.append(str(e)))
        page.on("request", lambda r, v=view: v.requests.append(r.url))
        page.goto(view.url, wait_until="load")
        opened[(name, width_px)] = view
    yield opened
    for context in contexts:
        context.close()


def _ids(view_key: tuple[str, int]) -> str:
    return f"{view_key[0]}-{view_key[1]}px"


@pytest.fixture(params=VIEWS, ids=_ids)
def view(request: pytest.FixtureRequest, views: dict[tuple[str, int], View]) -> View:
    return views[request.param]


def test_no_console_or_page_errors(view: View) -> None:
    assert view.console_errors == []
    assert view.page_errors == []


def test_requests_nothing_but_the_file(view: View) -> None:
    assert view.requests[:1] == [view.url]  # the listener saw the page itself
    assert [url for url in view.requests if not _local(url)] == []


def test_every_picture_is_decoded(view: View) -> None:
    images = view.page.evaluate(
        "[...document.images].map(i => [i.alt, i.complete, i.naturalWidth, i.width])"
    )
    assert len(images) == 2  # the map and the trend
    for alt, complete, natural_px, shown_px in images:
        assert complete and natural_px > 0, f"picture {alt!r} not decoded"
        assert shown_px > 0.8 * min(view.page.viewport_size["width"] - 40, 860), alt


OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = e => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowX);
  const inScroller = e => { for (let p = e.parentElement; p; p = p.parentElement)
    if (scrolls(p)) return true; return false; };
  const name = e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
    + ' "' + (e.textContent || '').trim().slice(0, 40) + '"';
  const bad = [];
  for (const e of document.body.querySelectorAll('*')) {
    if (inScroller(e) || getComputedStyle(e).display === 'none') continue;
    const box = e.getBoundingClientRect();
    if (box.left < -0.5 || box.right > width + 0.5) bad.push(name(e) + ' box ' + box.right);
    else if (!scrolls(e) && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
      bad.push(name(e) + ' content ' + e.scrollWidth + ' > ' + e.clientWidth);
  }
  return {width, inner: window.innerWidth, scroll: document.documentElement.scrollWidth, bad};
}"""


def test_nothing_wider_than_the_window(view: View) -> None:
    width_px = view.page.viewport_size["width"]
    found = view.page.evaluate(OVERFLOW_JS)
    assert found["inner"] == width_px, (
        f"laid out {found['inner']} px wide in a {width_px} px window: something is too wide, "
        "or the viewport tag is missing"
    )
    assert found["bad"] == []
    assert found["scroll"] <= found["width"]


def test_checkpoint_line_on_the_first_screen(view: View) -> None:
    line = view.page.locator("p.meta", has_text="log checkpoint")
    box = line.bounding_box()
    assert line.is_visible() and box is not None
    assert box["y"] + box["height"] <= SCREEN_HEIGHT_PX
    assert ROOT_HASH in line.inner_text()


@pytest.mark.parametrize("name", EDITIONS)
def test_headings_h1_then_numbered_h2s(views: dict[tuple[str, int], View], name: str) -> None:
    headings = views[(name, DESKTOP_PX)].page.evaluate(
        "[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
        ".map(h => [Number(h.tagName[1]), h.textContent.trim()])"
    )
    levels = [level for level, _ in headings]
    assert levels[0] == 1 and levels.count(1) == 1, headings
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), headings
    assert set(levels) == {1, 2}, headings
    numbers = [int(m[1]) for _, text in headings if (m := re.match(r"(\d+)\. ", text))]
    assert numbers == [1, 2, 3, 4, 5, 6], headings


@pytest.mark.parametrize("name", EDITIONS)
def test_tables_are_headed(views: dict[tuple[str, int], View], name: str) -> None:
    tables = views[(name, DESKTOP_PX)].page.evaluate(
        "[...document.querySelectorAll('table')].map(t => [...t.rows].map("
        "r => [...r.cells].map(c => c.tagName)))"
    )
    assert len(tables) >= 4  # sectors, type, party, severity (+ complaints)
    for rows in tables:
        header, body = rows[0], rows[1:]
        assert header and set(header) == {"TH"}, rows
        assert body and all(len(r) == len(header) and "TH" not in r for r in body), rows


def test_public_text_carries_no_ids_or_positions(views: dict[tuple[str, int], View]) -> None:
    public = views[("public", DESKTOP_PX)].page.inner_text("body")
    assert "public edition" in public and ROOT_HASH in public
    for planted in (SENSOR_ID, EVIDENCE_ID, "ev-5e1f", FINE_LON, "vi-0000", "km SE of Horlivka"):
        assert planted not in public
    assert not FINE.search(public), FINE.search(public)
    full = views[("full", DESKTOP_PX)].page.inner_text("body")
    assert EVIDENCE_ID in full and "vi-0000000000000001" in full  # the check can see ids
