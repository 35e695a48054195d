"""Walking a GeoJSON FeatureCollection one feature at a time, with each feature's exact span.

:func:`scan` reads the top-level object key by key and the ``features`` array element by element
(``JSONDecoder.raw_decode``), so it knows where every feature starts and ends, and one broken
feature does not hide the others. After an element that is not JSON the walk resumes at the next
line that starts with a complete ``{"type": "Feature", …}`` followed by ``,`` or ``]`` (or at the
closing ``]``); the stretch skipped is split into one bad element per line of the broken element's
own indentation, so a file with one feature per line (as the simulator writes) reports each bad
line alone, and a pretty-printed feature stays one element. Without line breaks the rest of the
array is one bad element. A file cut short keeps every feature before the cut.

Recovering costs a pass over the rest of the file per broken element; a registry is small.

Positions are character offsets into the text; :class:`Positions` turns them into byte offsets
and line numbers of the original bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ceasewatch.ingest.adapters.strict_json import Issue, StrictJson

_WS = re.compile(r"[ \t\n\r]*")
_LINE_START_OBJECT = re.compile(r"\n[ \t\r]*\{")
_CLOSING = re.compile(r"\][ \t\n\r]*(?:\}[ \t\n\r]*)?\Z")


@dataclass(frozen=True)
class Element:
    """One element of the features array: parsed (``value``, ``issue``) or not (``error``)."""

    index: int
    start: int
    end: int
    value: Any
    issue: Issue | None
    error: str | None


@dataclass(frozen=True)
class DocumentProblem:
    """A problem of the document itself; ``whole`` when nothing in it could be read.

    ``field`` is ``""`` except for a member name given twice.
    """

    position: int
    field: str
    reason: str
    fix: str
    whole: bool


Found = Element | DocumentProblem
_FIX_DOC = 'write a GeoJSON FeatureCollection: {"type": "FeatureCollection", "features": [...]}'


class Positions:
    """Byte offsets and 1-based line numbers of character offsets, counted incrementally."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._ascii = text.isascii()
        self._char = 0
        self._byte = 0
        self._line = 1

    def byte_and_line(self, position: int) -> tuple[int, int]:
        if position < self._char:
            self._char, self._byte, self._line = 0, 0, 1
        chunk = self._text[self._char : position]
        self._byte += len(chunk) if self._ascii else len(chunk.encode("utf-8", "surrogateescape"))
        self._line += chunk.count("\n")
        self._char = position
        return self._byte, self._line

    def line_and_column(self, position: int) -> tuple[int, int]:
        line = self._text.count("\n", 0, position) + 1
        return line, position - (self._text.rfind("\n", 0, position) + 1) + 1


def _skip(text: str, position: int) -> int:
    match = _WS.match(text, position)
    return match.end() if match else position


def scan(text: str, reader: StrictJson) -> list[Found]:
    """Every element of the features array, and the document's own problems, in text order."""
    return _Scanner(text, reader).run()


class _Scanner:
    """One pass over one document; ``found`` collects what :func:`scan` returns."""

    def __init__(self, text: str, reader: StrictJson) -> None:
        self.text = text
        self.reader = reader
        self.found: list[Found] = []

    def run(self) -> list[Found]:
        text = self.text
        pos = _skip(text, 0)
        if pos >= len(text):
            return []
        if text[pos] != "{":
            return [DocumentProblem(pos, "", "the document is not a JSON object", _FIX_DOC, True)]
        doc_type: object = None
        seen: set[str] = set()
        pos = _skip(text, pos + 1)
        if pos < len(text) and text[pos] == "}":
            return self._check_end(pos + 1, doc_type, seen)
        while True:
            try:
                key, pos, _ = self.reader.raw_decode(text, pos)
            except json.JSONDecodeError:
                key = None
            if not isinstance(key, str):
                return self._stop(pos, "expected a member name in double quotes")
            pos = _skip(text, pos)
            if pos >= len(text) or text[pos] != ":":
                return self._stop(pos, "expected ':' after a member name")
            pos = _skip(text, pos + 1)
            if key in seen:
                twice = f'"{key}" appears twice (ambiguous)'
                self.found.append(DocumentProblem(pos, key, twice, "keep one", False))
            if key == "features" and key not in seen:
                if pos >= len(text) or text[pos] != "[":
                    return self._stop(pos, "features must be an array")
                walked = self._features(pos + 1)
                if walked is None:
                    return self.found
                pos = walked
            else:
                try:
                    value, pos, _ = self.reader.raw_decode(text, pos)
                except json.JSONDecodeError:
                    return self._stop(pos, f'the value of "{key}" is not JSON')
                doc_type = value if key == "type" else doc_type
            seen.add(key)
            pos = _skip(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos = _skip(text, pos + 1)
            elif pos < len(text) and text[pos] == "}":
                return self._check_end(pos + 1, doc_type, seen)
            else:
                return self._stop(pos, "expected ',' or '}' after a member")

    def _check_end(self, pos: int, doc_type: object, seen: set[str]) -> list[Found]:
        if "features" not in seen:
            reason = "the document has no features array"
            return [DocumentProblem(0, "", reason, _FIX_DOC, True)]
        if doc_type != "FeatureCollection":
            shown = json.dumps(doc_type, ensure_ascii=False)[:40]
            reason = f"the document is not a FeatureCollection (its type is {shown})"
            return [DocumentProblem(0, "", reason, _FIX_DOC, True)]
        end = _skip(self.text, pos)
        if end < len(self.text):
            self.found.append(
                DocumentProblem(end, "", "there is text after the document", "remove it", False)
            )
        return self.found

    def _stop(self, pos: int, what: str) -> list[Found]:
        """The document cannot be read on from ``pos``: report it, keeping what was found."""
        reason = "the document ends early (cut short?)" if pos >= len(self.text) else what
        if not any(isinstance(f, Element) for f in self.found):
            self.found = [DocumentProblem(pos, "", reason, _FIX_DOC, True)]
        else:
            self.found.append(DocumentProblem(pos, "", reason, _FIX_DOC, False))
        return self.found

    def _features(self, pos: int) -> int | None:
        """Walk the array after its ``[``; return the position after ``]``, None if cut short."""
        text = self.text
        index = 0
        pos = _skip(text, pos)
        if pos < len(text) and text[pos] == "]":
            return pos + 1
        while True:
            start = pos
            if start >= len(text):
                self._stop(start, "")
                return None
            try:
                value, end, issue = self.reader.raw_decode(text, start)
                after = _skip(text, end)
                if after < len(text) and text[after] not in ",]":
                    raise json.JSONDecodeError("expected ',' or ']' after the feature", text, after)
            except json.JSONDecodeError:
                resume = _resync(text, start + 1, self.reader)
                if resume is not None:
                    index = self._broken(index, start, resume, cut=False)
                    pos = resume
                    continue
                closing = _CLOSING.search(text, start)
                if closing is None:
                    self._broken(index, start, len(text), cut=True)
                    return None
                self._broken(index, start, closing.start(), cut=False)
                return closing.start() + 1
            self.found.append(Element(index, start, end, value, issue, None))
            index += 1
            if after >= len(text):
                self._stop(after, "")
                return None
            if text[after] == "]":
                return after + 1
            pos = _skip(text, after + 1)
            if pos < len(text) and text[pos] == "]":
                comma = DocumentProblem(after, "", "a comma before ']'", "remove it", False)
                self.found.append(comma)
                return pos + 1

    def _broken(self, index: int, start: int, stop: int, *, cut: bool) -> int:
        """Report the stretch ``[start, stop)`` that did not parse, element by element (see
        :func:`_pieces`); ``cut`` when it runs to the end of a file cut short. Return the next
        element index."""
        pieces = _pieces(self.text, start, stop)
        for number, (piece_start, piece_end) in enumerate(pieces):
            last = number == len(pieces) - 1
            self.found.append(self._piece(index + number, piece_start, piece_end, cut and last))
        return index + len(pieces)

    def _piece(self, index: int, start: int, end: int, cut: bool) -> Element:
        """One element of a stretch that did not parse as features, read on its own."""
        try:
            value, issue = self.reader.loads(self.text[start:end])
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} of it, " if exc.lineno > 1 else ""
            message = f"{exc.msg} ({where}column {exc.colno})"
            if cut:
                message += "; the file ends inside it (cut short?)"
            return Element(index, start, end, None, None, message)
        return Element(index, start, end, value, issue, None)


def _pieces(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """Split a stretch that did not parse into elements, one per line of the element's own
    indentation (lines indented deeper, or closing with ``}``/``]``, stay with the one above);
    a stretch that does not start its line stays whole. Spans are trimmed; empty ones dropped.
    """
    line_begin = text.rfind("\n", 0, start) + 1
    starts = [start]
    if not text[line_begin:start].strip(" \t\r"):
        indent = start - line_begin
        newline = text.find("\n", start, stop)
        while newline != -1:
            content = _skip_inline(text, newline + 1)
            if content < stop and content - (newline + 1) <= indent and text[content] not in "\n}]":
                starts.append(content)
            newline = text.find("\n", newline + 1, stop)
    spans = []
    for number, piece_start in enumerate(starts):
        piece_stop = starts[number + 1] if number + 1 < len(starts) else stop
        piece_end = _trim(text, piece_start, piece_stop)
        if piece_end > piece_start:
            spans.append((piece_start, piece_end))
    return spans


def _skip_inline(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r":
        position += 1
    return position


def _trim(text: str, start: int, stop: int) -> int:
    """``stop`` moved back over white space and one separating comma."""
    end = len(text[start:stop].rstrip(" \t\n\r")) + start
    if end > start and text[end - 1] == ",":
        end = len(text[start : end - 1].rstrip(" \t\n\r")) + start
    return end


def _resync(text: str, position: int, reader: StrictJson) -> int | None:
    """The start of the next line holding a complete Feature followed by ``,``/``]``/the end."""
    for match in _LINE_START_OBJECT.finditer(text, position):
        candidate = match.end() - 1
        try:
            value, end, _ = reader.raw_decode(text, candidate)
        except json.JSONDecodeError:
            continue
        after = _skip(text, end)
        if (
            isinstance(value, dict)
            and value.get("type") == "Feature"
            and (after >= len(text) or text[after] in ",]")
        ):
            return candidate
    return None
