"""The text of every edition of the fixed scenario, compared with tests/report/golden/.

After a deliberate change of wording regenerate with
``.venv/bin/python tests/report/make_golden.py`` and read the diff; this test only compares.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .daily_scenario import golden_texts

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return golden_texts(tmp_path_factory.mktemp("adjudication"))


@pytest.mark.parametrize(
    "name", ["daily-full.txt", "daily-public.txt", "daily-party-RU.txt", "daily-party-UA.txt"]
)
def test_text_matches_golden(texts: dict[str, str], name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert texts[name] == expected, f"{name} differs; see make_golden.py to regenerate"
