"""The quarantine: rejected records handed back in their own format, with what is wrong.

For a source file ``<stem>.<ext>`` with rejections, :func:`write_quarantine` writes two files:

* ``<stem>.<stamp>.rejected.<ext>`` — the rejected records in the source's own format, so the
  user can fix them and resend the file as it is: JSON Lines get the raw lines, FIRMS CSV the
  original header line and then the raw rows, ``sensors.geojson`` a FeatureCollection of the raw
  features (one per line; or, when the registry could not be read at all, the file as received);
* ``<stem>.<stamp>.errors.txt`` — one line per problem, ``<name>:<line>: <field>: <reason> Fix:
  <fix>`` with the line in the ORIGINAL file, followed by the line in the rejected file.

Records are written once each, in the original order, however many problems they have. Both
files are written whole or not at all (a temporary file, fsynced, renamed, the folder fsynced).
Nothing is written when nothing was rejected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ceasewatch.errors import InputError
from ceasewatch.evidence.durable import write_durably
from ceasewatch.ingest.adapters.sensors import is_whole_document
from ceasewatch.ingest.base import Rejected

DEFAULT_SUFFIX = {"firms": "csv", "sensors": "geojson"}
_STAMP = re.compile(r"[A-Za-z0-9._-]+\Z")
_FEATURES_OPEN = b'{"type": "FeatureCollection", "features": [\n'
_FEATURES_CLOSE = b"\n]}\n"


@dataclass(frozen=True)
class QuarantineFiles:
    """What :func:`write_quarantine` wrote: ``rejected`` is ``None`` when no record had bytes to
    hand back (e.g. a registry cut short after its last feature); both are ``None`` when nothing
    was rejected. ``problems`` counts the lines of the errors file."""

    rejected: Path | None
    errors: Path | None
    problems: int


def write_quarantine(
    directory: Path,
    source_name: str,
    kind: str,
    rejected: Sequence[Rejected],
    stamp: str,
    *,
    header: bytes | None = None,
) -> QuarantineFiles:
    """Write the quarantine of one source file (see the module docstring).

    ``source_name`` is the original file's name (folders are dropped); ``stamp`` tells runs
    apart (letters, digits, ``.``, ``_``, ``-``). For FIRMS, ``header`` is the source's header
    line (``firms.csv_header(data)``), which the rejected file starts with.
    """
    if not _STAMP.match(stamp):
        raise ValueError(f"quarantine stamp {stamp!r}: use letters, digits, '.', '_' or '-'")
    if not rejected:
        return QuarantineFiles(None, None, 0)
    if kind == "firms" and header is None:
        raise ValueError("write_quarantine needs header=csv_header(data) for FIRMS")
    name = Path(source_name).name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, DEFAULT_SUFFIX.get(kind, "jsonl")
    rejected_path = directory / f"{stem}.{stamp}.rejected.{suffix}"
    errors_path = directory / f"{stem}.{stamp}.errors.txt"
    content, where = _rejected_file(kind, sorted(rejected, key=lambda r: r.line), header)
    lines = []
    for problem in sorted(rejected, key=lambda r: r.line):
        text = problem.describe(name).replace("\r", " ").replace("\n", " ")
        target = where.get(_key(problem))
        if target is None:
            text += f" (nothing to resend for it in {rejected_path.name})"
        else:
            text += f" (line {target} of {rejected_path.name})"
        lines.append(text)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if content is not None:
            write_durably(rejected_path, content)
        write_durably(errors_path, ("\n".join(lines) + "\n").encode("utf-8"))
    except OSError as exc:
        raise InputError(
            f"cannot write the quarantine in {directory} ({exc.strerror or exc}); "
            "choose a writable folder"
        ) from exc
    return QuarantineFiles(rejected_path if content is not None else None, errors_path, len(lines))


def _key(problem: Rejected) -> tuple[int, bytes]:
    return problem.line, problem.raw


def _rejected_file(
    kind: str, rejected: Sequence[Rejected], header: bytes | None
) -> tuple[bytes | None, dict[tuple[int, bytes], int]]:
    """The rejected file's bytes (``None`` if empty) and the line of each record in it."""
    where: dict[tuple[int, bytes], int] = {}
    if kind == "sensors":
        whole = next((r for r in rejected if is_whole_document(r)), None)
        if whole is not None:
            return whole.raw, {_key(whole): whole.line}
    chunks: list[bytes] = []
    line = 1
    if header is not None and kind == "firms":
        chunks.append(header)
        line = 2
    elif kind == "sensors":
        line = 2
    for problem in rejected:
        if not problem.raw:
            continue
        if kind == "firms" and problem.raw == header:
            where[_key(problem)] = 1
            continue
        if _key(problem) in where:
            continue
        where[_key(problem)] = line
        chunks.append(problem.raw)
        line += problem.raw.count(b"\n") + 1
    if kind == "sensors":
        body = b",\n".join(chunks)
        return (_FEATURES_OPEN + body + _FEATURES_CLOSE if chunks else None), where
    if not chunks:
        return None, where
    return b"\n".join(chunks) + b"\n", where
