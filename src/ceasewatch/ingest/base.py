"""The contract of the ingest stage: an adapter turns the bytes of one source file into records.

An adapter (:class:`SourceAdapter`) knows one exchange format of FORMATS.md. ``sniff`` says whether
a file looks like that format; ``parse`` reads bytes (never a path: I/O lives in the caller) and
yields, in input order, one :class:`Accepted` per valid record and one :class:`Rejected` per bad
one. A bad record is rejected alone: the records around it are still read. ``parse`` never raises
for bad input, whatever the bytes; an exception out of it is a bug.

Nothing is normalised here: ``Accepted.record`` is the record as sent (unknown fields kept) and
``raw`` its exact bytes, so the evidence log can hold what was received and the quarantine can
hand bad records back for fixing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

MAX_RECORD_BYTES = 1_048_576
"""A record (JSON line, CSV row, GeoJSON feature) larger than this is rejected unread."""

KINDS = (
    "picks",
    "tracks",
    "detections",
    "firms",
    "reports",
    "complaints",
    "sensors",
    "notifications",
    "status",
    "line-changes",
    "open-reports",
)
"""Every format an adapter exists for, in the order FORMATS.md lists them (then ours)."""


@dataclass(frozen=True)
class Accepted:
    """One valid record.

    ``record`` holds JSON-compatible values exactly as parsed (unknown fields kept, nothing added):
    for FIRMS CSV the columns under lower-case names with the text as written; for sensors the
    whole GeoJSON Feature. ``raw`` is the record's exact bytes (a line without its line ending, a
    CSV row, a feature's byte span). ``line`` is the 1-based line where the record starts.
    ``source_time_ns`` is the source's own time in ns since the epoch (see each adapter), and
    ``signature`` the record's optional Ed25519 signature in base64, checked for shape only.
    """

    kind: str
    record_id: str
    record: Mapping[str, Any]
    raw: bytes
    line: int
    source_time_ns: int | None
    signature: str | None


@dataclass(frozen=True)
class Rejected:
    """One invalid record, rejected alone.

    ``field`` names the offending field (``t_arrival``, ``position[1]``, a JSON pointer such as
    ``features/17/properties/kind`` for GeoJSON) or is ``""`` when the whole record is at fault.
    ``reason`` says what is wrong (a long bad value is shortened), ``fix`` how to put it right,
    ``raw`` holds the exact bytes received so the user can fix and resend them, and ``record_id``
    the record's id when it could be read.
    """

    kind: str
    line: int
    field: str
    reason: str
    fix: str
    raw: bytes
    record_id: str | None

    def describe(self, name: str) -> str:
        """One line: ``<name>:<line>: <field>: <reason> Fix: <fix>`` (no field part if ``""``)."""
        where = f"{name}:{self.line}: "
        if self.field:
            where += f"{self.field}: "
        return f"{where}{self.reason} Fix: {self.fix}"

    def __str__(self) -> str:
        return self.describe(self.kind)


class SourceAdapter(Protocol):
    """Reads one exchange format (see the module docstring)."""

    @property
    def kind(self) -> str:
        """The format's name: one of :data:`KINDS`."""
        ...

    def sniff(self, filename: str, head: bytes) -> bool:
        """Does a file of this name, starting with these bytes, look like this format?"""
        ...

    def parse(self, data: bytes) -> Iterator[Accepted | Rejected]:
        """Every record of ``data`` in input order, valid or not; never raises for bad input."""
        ...


class FileAdapter(SourceAdapter, Protocol):
    """A :class:`SourceAdapter` that can say separately what names and what contents it knows.

    :func:`ceasewatch.ingest.detect.detect_format` uses the two halves to decide by name first
    and by content only when the name says nothing.
    """

    def sniff_name(self, filename: str) -> bool:
        """Does the file's name (any folder part ignored, any case) say this format?"""
        ...

    def sniff_content(self, head: bytes) -> bool:
        """Do the first bytes of the file look like this format?"""
        ...
