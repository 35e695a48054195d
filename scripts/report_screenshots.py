"""Screenshot the daily report's HTML as a browser shows it, from the fixed test scenario.

    .venv/bin/python scripts/report_screenshots.py

Renders the full edition of tests/report/daily_scenario.py, opens it in Debian's Chromium
(/usr/bin/chromium, driven by Playwright; nothing is downloaded) and writes the top of the page
at 1280×900 to docs/img/report-html.png and the top 1200 px at phone width (390) to
docs/img/report-html-phone.png. The same scenario is checked in a browser by
tests/report/test_report_browser.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "report"))

from daily_scenario import scenario_record  # noqa: E402

from ceasewatch.agreement.catalog import resolve  # noqa: E402
from ceasewatch.report.daily_render import render_html  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SHOTS = (  # file, viewport width, height of the top of the page
    (ROOT / "docs" / "img" / "report-html.png", 1280, 900),
    (ROOT / "docs" / "img" / "report-html-phone.png", 390, 1200),
)


def main() -> int:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        print(f"{CHROMIUM} is missing; install Debian's chromium package", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        html = render_html(scenario_record(Path(tmp) / "adjudication"), resolve("ua-2026"))
        page_path = Path(tmp) / "report-full.html"
        page_path.write_text(html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                for out, width_px, height_px in SHOTS:
                    page = browser.new_page(viewport={"width": width_px, "height": height_px})
                    page.goto(page_path.as_uri())
                    out.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(out))
                    page.close()
                    print(f"wrote {out.relative_to(ROOT)}")
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
