"""The exception tree of ceasewatch.

::

    CeasewatchError                 root: every error a user can cause derives from it
    ├── InputError                  a bad argument, file or record; message names the place and fix
    │   └── AgreementError          an agreement document with problems (carries every Problem)
    └── NotFoundError               a named thing (agreement, place) that does not exist

The CLI maps ``CeasewatchError`` to exit code 2 with one line per problem and no traceback;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class CeasewatchError(Exception):
    """Root of all errors a user can cause."""


class InputError(CeasewatchError):
    """A bad argument, file or record."""


class NotFoundError(CeasewatchError):
    """A named thing that does not exist."""


@dataclass(frozen=True)
class Problem:
    """One located problem in a document.

    ``line`` and ``column`` are 1-based and refer to ``file``; for GeoJSON, where the JSON parser
    keeps no positions, ``pointer`` is an RFC 6901 JSON pointer into the file instead.
    """

    file: str
    code: str
    message: str
    fix: str
    line: int | None = None
    column: int | None = None
    pointer: str = ""

    def where(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}:{self.column or 1}"
        if self.pointer:
            return f"{self.file}#{self.pointer}"
        return self.file

    def __str__(self) -> str:
        text = f"{self.where()}: error[{self.code}] {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
        }


class AgreementError(InputError):
    """An agreement document that does not load; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the agreement"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))
