"""Regenerate the daily report's golden files from the fixed scenario.

    .venv/bin/python tests/report/make_golden.py          # rewrite tests/report/golden/*.txt
    .venv/bin/python tests/report/make_golden.py --check  # exit 1 if any differs

Run it only after a deliberate change of the report's wording, and read the diff before
committing it: the test (test_daily_golden.py) compares, it never regenerates.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from daily_scenario import golden_texts  # noqa: E402

GOLDEN = Path(__file__).parent / "golden"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    differs = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in golden_texts(Path(tmp)).items():
            path = GOLDEN / name
            if check:
                if not path.is_file() or path.read_text(encoding="utf-8") != text:
                    differs.append(name)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path}")
    for name in differs:
        print(f"differs: {name}")
    return 1 if differs else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
