"""JSON Lines reading shared by the JSONL formats (picks, tracks, detections, reports, …).

The rules (FORMATS.md, Conventions): UTF-8, one JSON object per line, no comments. Lines end with
``\\n`` (a ``\\r`` before it is dropped); a last line without an ending is still a record; blank
lines are not records; a UTF-8 byte-order mark at the very start is ignored. Each non-blank line
gives exactly one :class:`Accepted` or one :class:`Rejected`: a line that is not valid UTF-8, not
JSON, not an object, larger than :data:`MAX_RECORD_BYTES` (rejected unread), or that fails its
format's checks is rejected alone, reporting its first problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ceasewatch.ingest.adapters.checks import Bad, Checked, Record
from ceasewatch.ingest.adapters.strict_json import StrictJson, dotted, shorten
from ceasewatch.ingest.base import MAX_RECORD_BYTES, Accepted, Rejected

BOM = b"\xef\xbb\xbf"
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json", ".jsonlines")

Validator = Callable[[Record], Checked]


def split_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` for every non-blank line, without its ending (``\\n``/``\\r\\n``)."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.endswith(b"\r"):
            line = line[:-1]
        if line.strip():
            yield number, line


def first_object(head: bytes) -> dict[str, object] | None:
    """The first line of ``head`` that is a JSON object (a cut-off last line is skipped)."""
    for _, line in split_lines(head):
        try:
            value = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(value, dict):
            return value
    return None


def basename(filename: str) -> str:
    """The file's own name in lower case (folders stripped, either separator)."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1].lower()


@dataclass(frozen=True)
class JsonLinesAdapter:
    """A JSON Lines format: ``id_field`` names each record's id, ``validate`` checks a record.

    ``validate`` raises :class:`Bad` for the first problem it finds and otherwise returns the
    record's id, its source time and its signature.
    """

    kind: str
    id_field: str
    validate: Validator

    def sniff_name(self, filename: str) -> bool:
        """``<kind>*.jsonl`` (also ``.ndjson``, ``.json``, or no suffix at all)."""
        name = basename(filename)
        return name.startswith(self.kind) and ("." not in name or name.endswith(JSONL_SUFFIXES))

    def sniff_content(self, head: bytes) -> bool:
        """The first JSON object in ``head`` has this format's id field."""
        first = first_object(head)
        return first is not None and self.id_field in first

    def sniff(self, filename: str, head: bytes) -> bool:
        return self.sniff_name(filename) or self.sniff_content(head)

    def parse(self, data: bytes) -> Iterator[Accepted | Rejected]:
        reader = StrictJson()
        for number, raw in split_lines(data):
            yield self._one(reader, number, raw)

    def _one(self, reader: StrictJson, number: int, raw: bytes) -> Accepted | Rejected:
        if len(raw) > MAX_RECORD_BYTES:
            return self._reject(
                number,
                raw,
                "",
                f"the record is {len(raw):,} bytes; the limit is {MAX_RECORD_BYTES:,} bytes",
                "split it or move bulky content out of the record; it was not read",
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return self._reject(
                number,
                raw,
                "",
                f"is not valid UTF-8 (byte {exc.start + 1} of the line: {exc.reason})",
                "save the file as UTF-8",
            )
        try:
            value, issue = reader.loads(text)
        except json.JSONDecodeError as exc:
            return self._reject(
                number,
                raw,
                "",
                f"is not JSON: {exc.msg} at column {exc.colno}",
                "write one complete JSON object per line",
            )
        if not isinstance(value, dict):
            kind = "an array" if isinstance(value, list) else "a single value"
            return self._reject(
                number, raw, "", f"is {kind}, not a JSON object", "send one JSON object per line"
            )
        if issue is not None:
            readable = _readable_id(value.get(self.id_field))
            return self._reject(number, raw, dotted(issue.path), issue.reason, issue.fix, readable)
        try:
            checked = self.validate(value)
        except Bad as bad:
            readable = _readable_id(value.get(self.id_field))
            return self._reject(number, raw, bad.field, bad.reason, bad.fix, readable)
        return Accepted(
            self.kind,
            checked.record_id,
            value,
            raw,
            number,
            checked.source_time_ns,
            checked.signature,
        )

    def _reject(
        self,
        number: int,
        raw: bytes,
        field: str,
        reason: str,
        fix: str,
        record_id: str | None = None,
    ) -> Rejected:
        return Rejected(self.kind, number, field, reason, fix, raw, record_id)


def _readable_id(value: object) -> str | None:
    """An id worth naming in a rejection (a string, shortened), else ``None``."""
    if isinstance(value, str) and value:
        return shorten(value, 200)
    return None
