"""Read an agreement document (YAML + GeoJSON) into an :class:`Agreement`, or report every problem.

One pass reads each section, recording located problems and carrying on; the cross-checks in
:mod:`.checks` then run on whatever was readable. Only a document with no problem at all
becomes an :class:`Agreement`; otherwise :class:`~ceasewatch.errors.AgreementError` lists them
all, sorted by place.
"""

from __future__ import annotations

from pathlib import Path as FsPath

from ceasewatch.agreement.builder import Builder
from ceasewatch.agreement.reader import Context
from ceasewatch.agreement.types import Agreement
from ceasewatch.agreement.yamldoc import line_column, load_located
from ceasewatch.errors import AgreementError, Problem


def load_agreement(path: str | FsPath) -> Agreement:
    """Load and check the agreement document at ``path`` (its GeoJSON files beside it)."""
    location = FsPath(path)
    try:
        raw = location.read_bytes()
    except OSError as exc:
        raise AgreementError(
            [
                Problem(
                    str(location),
                    "file-not-found",
                    f"cannot read the agreement ({exc.strerror}).",
                    "check the path.",
                )
            ]
        ) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        line, column = line_column(before, len(before))
        problem = Problem(
            str(location),
            "yaml-syntax",
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} here).",
            "save the file as UTF-8 (in most editors: Save with encoding > UTF-8).",
            line,
            column,
        )
        raise AgreementError([problem]) from exc
    return parse_agreement(text, str(location), location.parent)


def parse_agreement(text: str, file: str, base_dir: FsPath) -> Agreement:
    """Parse agreement text; GeoJSON references resolve relative to ``base_dir``."""
    document, problems = load_located(text, file)
    if document is None:
        raise AgreementError(problems)
    ctx = Context(document, problems)
    builder = Builder(ctx, base_dir)
    agreement = builder.build()
    if ctx.problems:
        raise AgreementError(sorted(ctx.problems, key=_place))
    if agreement is None:  # every path that drops a part records why; this one did not
        raise RuntimeError(f"bug: {file} was rejected without a recorded problem")
    return agreement


def _place(problem: Problem) -> tuple[str, int, int, str]:
    return (problem.file, problem.line or 0, problem.column or 0, problem.pointer)
