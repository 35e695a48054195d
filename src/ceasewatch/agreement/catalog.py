"""Finding agreements: built-in ones by id, documents by path, and version histories.

A history is a folder with one sub-folder per version (``v1/agreement.yaml``, ``v2/…``).
Amendments are new versions, never edits: each version after the first names the digest of the
one it supersedes, and loading the history recomputes that digest, so a superseded version that
was changed in place is reported (docs/adr/0004-versions-and-digests.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from ceasewatch.agreement.parse import load_agreement
from ceasewatch.agreement.types import Agreement
from ceasewatch.agreement.yamldoc import load_located
from ceasewatch.errors import AgreementError, NotFoundError, Problem

DEFAULT_AGREEMENT = "ua-2026"
DOCUMENT = "agreement.yaml"
_VERSION_DIR = re.compile(r"^v([1-9][0-9]*)$")


def builtin_root() -> Path:
    return Path(str(resources.files("ceasewatch.data").joinpath("agreements")))


def builtin_ids() -> list[str]:
    root = builtin_root()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and any(_versions(p)))


@dataclass(frozen=True)
class History:
    """All versions of one agreement, oldest first, with their supersedes chain verified."""

    versions: tuple[Agreement, ...]

    @property
    def latest(self) -> Agreement:
        return self.versions[-1]

    def version(self, number: int) -> Agreement:
        for agreement in self.versions:
            if agreement.version == number:
                return agreement
        raise NotFoundError(
            f"{self.latest.id} has no version {number} "
            f"(versions: {', '.join(str(a.version) for a in self.versions)})"
        )

    def in_force(self, instant: datetime) -> Agreement | None:
        """The latest version whose ``effective_from`` is not after ``instant``."""
        current = None
        for agreement in self.versions:
            if agreement.effective_from <= instant:
                current = agreement
        return current


def load_history(folder: str | Path) -> History:
    directory = Path(folder)
    numbered = sorted(_versions(directory))
    if not numbered:
        raise NotFoundError(f"{directory}: no version folders (v1/{DOCUMENT}, v2/…) found")
    problems: list[Problem] = []
    versions: list[Agreement] = []
    for expected, (number, path) in enumerate(numbered, start=1):
        if number != expected:
            raise AgreementError(
                [
                    Problem(
                        str(path),
                        "missing-version",
                        f"version {expected} is missing before v{number}.",
                        "versions are numbered 1, 2, 3… without gaps.",
                    )
                ]
            )
        agreement = load_agreement(path)
        if agreement.version != number:
            problems.append(
                _at(
                    path,
                    ("version",),
                    "bad-version",
                    f"the folder is v{number} but the document says version {agreement.version}.",
                    f"write 'version: {number}' or move the file.",
                )
            )
        if versions:
            previous = versions[-1]
            if agreement.id != previous.id:
                problems.append(
                    _at(
                        path,
                        ("id",),
                        "bad-id",
                        f"v{number} has id "
                        f"{agreement.id!r}, but v{number - 1} has "
                        f"{previous.id!r}.",
                        "keep the id across versions.",
                    )
                )
            recorded = agreement.supersedes.digest if agreement.supersedes else None
            if recorded != previous.digest:
                problems.append(
                    _at(
                        path,
                        ("supersedes", "digest"),
                        "superseded-changed",
                        f"v{number} supersedes v{number - 1} with digest "
                        f"{recorded}, but v{number - 1} now has digest "
                        f"{previous.digest}: the older version was changed after "
                        "it was superseded (or the digest was copied wrongly).",
                        f"restore v{number - 1} as it was; amendments go into a new version.",
                    )
                )
            if agreement.effective_from < previous.effective_from:
                problems.append(
                    _at(
                        path,
                        ("effective_from",),
                        "bad-time",
                        f"v{number} takes effect before v{number - 1} does.",
                        "an amendment takes effect at or after the version it supersedes.",
                    )
                )
        versions.append(agreement)
    if problems:
        raise AgreementError(problems)
    return History(tuple(versions))


def resolve(reference: str | None = None) -> Agreement:
    """An agreement from an id (``ua-2026``, ``ua-2026@1``), a document path or a history folder.

    With no reference, the default agreement ``ua-2026`` (latest version).
    """
    text = reference or DEFAULT_AGREEMENT
    path = Path(text)
    if path.is_file():
        return load_agreement(path)
    if path.is_dir():
        if (path / DOCUMENT).is_file():
            return load_agreement(path / DOCUMENT)
        return load_history(path).latest
    name, _, version = text.partition("@")
    folder = builtin_root() / name
    if "/" in name or not folder.is_dir():
        known = ", ".join(builtin_ids())
        raise NotFoundError(
            f"no agreement {text!r}: not a file, a folder or a built-in id ({known})"
        )
    history = load_history(folder)
    if version:
        if not version.isdigit():
            raise NotFoundError(f"{text!r}: write the version as a number, e.g. {name}@1")
        return history.version(int(version))
    return history.latest


def _versions(directory: Path) -> list[tuple[int, Path]]:
    if not directory.is_dir():
        return []
    found = []
    for child in directory.iterdir():
        match = _VERSION_DIR.match(child.name)
        if match and (child / DOCUMENT).is_file():
            found.append((int(match.group(1)), child / DOCUMENT))
    return found


def _at(path: Path, location: tuple[str, ...], code: str, message: str, fix: str) -> Problem:
    document, _ = load_located(path.read_text(encoding="utf-8"), str(path))
    line, column = document.position(location) if document else (None, None)
    return Problem(str(path), code, message, fix, line, column)
