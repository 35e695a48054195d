"""Strict JSON reading: only what RFC 8785 (canonical JSON) can represent exactly gets through.

Python's ``json`` accepts ``NaN``/``Infinity``, keeps the last of two equal keys, turns ``1e999``
into infinity and reads integers of any size; the evidence log can store none of those exactly.
:class:`StrictJson` reads with hooks that mark each such value instead, and reports the first
problem of a value as an :class:`Issue` (with the path of the offending value), so one bad record
is rejected alone. Syntax errors still raise ``json.JSONDecodeError``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer magnitude that RFC 8785 (IEEE 754 doubles) represents exactly."""

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """A value that parsed but cannot be accepted; ``path`` leads to it from the document root."""

    path: Path
    reason: str
    fix: str


@dataclass(frozen=True)
class _Marked:
    """Stands in for a value that cannot be accepted, so its place can be found afterwards."""

    reason: str
    fix: str


def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, and control characters escaped."""
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    return json.dumps(cut, ensure_ascii=False)[1:-1]


class StrictJson:
    """A reusable strict reader. It keeps state only between a hook and the end of one call."""

    def __init__(self) -> None:
        self._duplicates: list[Issue] = []
        self._marked = False
        self._decoder = json.JSONDecoder(
            object_pairs_hook=self._object,
            parse_constant=self._constant,
            parse_int=self._int,
            parse_float=self._float,
        )

    def loads(self, text: str) -> tuple[Any, Issue | None]:
        """Parse one whole JSON text; return the value and its first problem, if any."""
        self._reset()
        value = self._decoder.decode(text)
        return value, self._issue(value, text)

    def raw_decode(self, text: str, start: int) -> tuple[Any, int, Issue | None]:
        """Parse one JSON value at ``text[start]``; return it, where it ends, and its problem."""
        self._reset()
        value, end = self._decoder.raw_decode(text, start)
        return value, end, self._issue(value, text[start:end])

    def _reset(self) -> None:
        self._duplicates.clear()
        self._marked = False

    def _issue(self, value: Any, text: str) -> Issue | None:
        if self._marked:
            for path, marked in _walk(value, ()):
                if isinstance(marked, _Marked):
                    return Issue(path, marked.reason, marked.fix)
        if self._duplicates:
            return self._duplicates[0]
        if "\\u" in text:
            for path, item in _walk(value, ()):
                if isinstance(item, str) and _has_lone_surrogate(item):
                    return Issue(
                        path,
                        "contains a lone UTF-16 surrogate escape, which is not a character",
                        "escape characters outside the BMP as a surrogate pair, or send UTF-8",
                    )
        return None

    def _mark(self, reason: str, fix: str) -> _Marked:
        self._marked = True
        return _Marked(reason, fix)

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    self._duplicates.append(
                        Issue(
                            (key,),
                            f'the key "{shorten(key)}" appears twice in one object (ambiguous)',
                            "keep exactly one of the two entries",
                        )
                    )
                    break
                seen.add(key)
        return result

    def _constant(self, name: str) -> _Marked:
        return self._mark(
            f"{name} is not a JSON number",
            "send a finite number, or leave the field out",
        )

    def _int(self, text: str) -> int | _Marked:
        if len(text) > 15 and (len(text) > 20 or abs(int(text)) > MAX_SAFE_INTEGER):
            return self._mark(
                f"the integer {shorten(text, 24)} is beyond ±(2**53 - 1), which canonical JSON "
                "(RFC 8785) cannot represent exactly",
                "send the number as a string, or in a smaller unit",
            )
        return int(text)

    def _float(self, text: str) -> float | _Marked:
        value = float(text)
        if math.isinf(value):
            return self._mark(
                f"the number {shorten(text, 24)} is too large for a double (it becomes infinity)",
                "send a finite number in range",
            )
        return value


def _walk(value: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    """Every value inside ``value`` (itself first, then depth first) with its path."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _has_lone_surrogate(key):
                yield (*path, key), key
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def dotted(path: Path) -> str:
    """A path in the style of field names: ``position[1]``, ``ellipse.p``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def pointer(path: Path) -> str:
    """A path as a JSON pointer without the leading slash: ``features/17/properties/kind``."""
    return "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)
