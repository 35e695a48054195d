"""Reading the stream files that ``ceasewatch fuse`` takes, and writing what it finds."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ceasewatch.errors import InputError


def read_jsonl(path: Path, fix: str = "write one JSON object per line") -> list[dict[str, Any]]:
    """One object per line; a broken line stops with its number and ``fix``."""
    out: list[dict[str, Any]] = []
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}); check the path") from exc
    with handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{n}: not JSON ({exc.msg}); {fix}") from exc
            if not isinstance(value, dict):
                raise InputError(f"{path}:{n}: not a JSON object; {fix}")
            out.append(value)
    return out


def read_firms(path: Path) -> list[dict[str, Any]]:
    """FIRMS CSV rows as dicts (column names lower-cased), each named ``<file>:<row>``."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read it as FIRMS CSV ({exc})") from exc
    return [
        {**{str(k).lower(): v for k, v in row.items()}, "record_id": f"{path.name}:{n}"}
        for n, row in enumerate(rows, start=1)
    ]


def write_jsonl(path: Path, items: Iterable[Mapping[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    temporary.replace(path)
    return count
