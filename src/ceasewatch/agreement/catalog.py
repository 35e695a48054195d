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
    """Load every version in ``folder`` and verify the supersedes chain.

    Reports the problems of all versions at once; the chain is checked between neighbours
    that both load.
    """
    directory = Path(folder)
    numbered = sorted(_versions(directory))
    if not numbered:
        raise NotFoundError(f"{directory}: no version folders (v1/{DOCUMENT}, v2/…) found")
    problems: list[Problem] = []
    loaded: list[tuple[int, Path, Agreement | None]] = []
    previous_number = 0
    for number, path in numbered:
        if number != previous_number + 1:
            problems.append(
                _at(
                    path,
                    ("version",),
                    "missing-version",
                    f"v{number} follows v{previous_number}: "
                    f"version {previous_number + 1} is missing.",
                    "versions are numbered 1, 2, 3… without gaps; restore the missing folder.",
                )
            )
        previous_number = number
        try:
            agreement: Agreement | None = load_agreement(path)
        except AgreementError as error:
            problems.extend(error.problems)
            agreement = None
        loaded.append((number, path, agreement))
    for index, (number, path, agreement) in enumerate(loaded):
        if agreement is None:
            continue
        before = loaded[index - 1] if index else None
        older = before[2] if before and before[0] == number - 1 else None
        problems.extend(_version_problems(number, path, agreement, older))
    if problems:
        raise AgreementError(problems)
    return History(tuple(a for _, _, a in loaded if a is not None))


def _version_problems(
    number: int, path: Path, agreement: Agreement, previous: Agreement | None
) -> list[Problem]:
    """What is wrong with version ``number`` as the successor of ``previous``."""
    found: list[Problem] = []
    if agreement.version != number:
        found.append(
            _at(
                path,
                ("version",),
                "bad-version",
                f"the folder is v{number} but the document says version {agreement.version}.",
                f"write 'version: {number}' or move the file.",
            )
        )
    if previous is None:
        return found
    if agreement.id != previous.id:
        found.append(
            _at(
                path,
                ("id",),
                "bad-id",
                f"v{number} has id {agreement.id!r}, but v{number - 1} has {previous.id!r}.",
                "keep the id across versions.",
            )
        )
    recorded = agreement.supersedes.digest if agreement.supersedes else None
    if recorded != previous.digest:
        found.append(
            _at(
                path,
                ("supersedes", "digest"),
                "superseded-changed",
                f"v{number} supersedes v{number - 1} with digest {recorded}, but v{number - 1} "
                f"now has digest {previous.digest}: the older version was changed after it was "
                "superseded (or the digest was copied wrongly).",
                f"restore v{number - 1} as it was; amendments go into a new version.",
            )
        )
    if agreement.effective_from < previous.effective_from:
        found.append(
            _at(
                path,
                ("effective_from",),
                "bad-time",
                f"v{number} takes effect before v{number - 1} does.",
                "an amendment takes effect at or after the version it supersedes.",
            )
        )
    return found


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
