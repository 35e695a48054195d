"""The browser tests skip without Chromium, and fail instead when CI requires them."""

from __future__ import annotations

from pathlib import Path

import pytest

from .browser import REQUIRE, browser_or_skip


def test_missing_browser_fails_only_when_required(tmp_path: Path) -> None:
    nowhere = tmp_path / "chromium"
    with pytest.raises(pytest.fail.Exception, match="chromium missing.*REQUIRE_BROWSER=1"):
        browser_or_skip("test", nowhere, {REQUIRE: "1"})
    with pytest.raises(pytest.skip.Exception, match="chromium missing: cannot test"):
        browser_or_skip("test", nowhere, {})
