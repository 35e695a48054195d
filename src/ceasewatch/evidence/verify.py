"""The standalone verifier: everything a party needs to check an export on its own machine.

It reads only the export folder and takes only the log's verifier key (and, optionally, a
checkpoint the party kept from before, and witnesses' keys). No database, no network, no trust
in the operator. Checks, in order:

1. ``checkpoint`` is signed by the log's key (and cosigned by each witness key given);
2. every entry bundle and hash tile up to the checkpoint's size is present and well formed, and
   every entry hashes to the hash the tiles hold for it — the first entry that does not is
   named with what happened to it (edited, deleted, inserted, reordered);
3. the tree recomputed from the entries has the signed root;
4. each earlier checkpoint kept in the export, and the one the party holds (``since``), is a
   prefix of this tree (consistency): the log only grew;
5. each entry is a ceasewatch entry, and each external entry's side file matches its digest.

The first failure is reported as a ``Finding`` with the 0-based index of the first bad entry
when one can be named.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ceasewatch.errors import InputError
from ceasewatch.evidence import merkle
from ceasewatch.evidence.checkpoint import Checkpoint, open_checkpoint
from ceasewatch.evidence.cosignature import CosignerVerifier, verify_cosignature
from ceasewatch.evidence.entry import ENTRY_FORMAT, KINDS, external_digest
from ceasewatch.evidence.note import Verifier
from ceasewatch.evidence.tiles import check_tiles, iter_entries


@dataclass(frozen=True)
class Finding:
    """The verdict on an export: ``ok``, or the first problem and, where it can be named, the
    0-based index of the first bad entry."""

    ok: bool
    size: int
    message: str
    first_bad_index: int | None = None

    def __str__(self) -> str:
        if self.ok:
            return self.message
        where = f"entry {self.first_bad_index}: " if self.first_bad_index is not None else ""
        return f"FAILED: {where}{self.message}"


def verify_export(
    directory: Path,
    log_key: str,
    *,
    since: bytes | None = None,
    witness_keys: Sequence[str] = (),
) -> Finding:
    """Verify an export folder (see the module docstring). Raises ``InputError`` only for a bad
    key or unreadable arguments; every problem with the export itself is a failed Finding."""
    verifier = Verifier.from_key(log_key)
    witnesses = [CosignerVerifier.from_key(key) for key in witness_keys]
    held = None
    if since is not None:
        try:
            held, _ = open_checkpoint(since, verifier)
        except InputError as exc:
            raise InputError(f"the checkpoint given with --since does not verify: {exc}") from exc
    try:
        note = (directory / "checkpoint").read_bytes()
    except OSError:
        return Finding(False, 0, f"{directory}/checkpoint is missing or unreadable")
    try:
        checkpoint, _ = open_checkpoint(note, verifier)
    except InputError as exc:
        return Finding(False, 0, f"the checkpoint's signature does not verify: {exc}")
    size = checkpoint.size
    for witness in witnesses:
        try:
            verify_cosignature(note, witness)
        except InputError as exc:
            return Finding(False, size, f"no valid cosignature by {witness.name}: {exc}")

    tiles = check_tiles(directory, size)
    if tiles.first_bad_index is not None or tiles.root is None:
        return Finding(False, size, tiles.reason, tiles.first_bad_index)

    hashes: list[bytes] = []
    for index, leaf in enumerate(iter_entries(directory, size)):
        hashes.append(merkle.leaf_hash(leaf))
        problem = _entry_problem(directory, leaf)
        if problem:
            return Finding(False, size, problem, index)
    tree = _Levels(hashes)

    if tiles.root != checkpoint.root:
        return _rewritten(directory, verifier, checkpoint, tree)
    for earlier in _history(directory, verifier, checkpoint):
        if earlier.size > size or tree.root(earlier.size) != earlier.root:
            return Finding(
                False,
                size,
                f"the log does not extend its own earlier checkpoint of size {earlier.size}: "
                "entries before it were changed after it was signed",
            )
    if held is not None:
        if held.origin != checkpoint.origin:
            return Finding(
                False, size, f"your checkpoint is of log {held.origin!r}, not {checkpoint.origin!r}"
            )
        if held.size > size:
            return Finding(
                False,
                size,
                f"the export has {size} entries but your checkpoint already had {held.size}: "
                "entries were deleted (or this export is older than your checkpoint)",
            )
        proof = merkle.consistency_proof_from(held.size, size, tree.subtree)
        if not merkle.verify_consistency(held.size, size, proof, held.root, checkpoint.root):
            return Finding(
                False,
                size,
                f"inconsistent with your checkpoint of size {held.size}: the first {held.size} "
                "entries are not the ones it was signed over (the log was forked or rewritten)",
            )
    extra = f", consistent with your checkpoint of size {held.size}" if held else ""
    cosigned = f", cosigned by {len(witnesses)} witness(es)" if witnesses else ""
    return Finding(True, size, f"OK: {size} entries of {checkpoint.origin} verify{cosigned}{extra}")


def _entry_problem(directory: Path, leaf: bytes) -> str:
    try:
        entry = json.loads(leaf)
    except ValueError:
        return "not a JSON entry"
    if not isinstance(entry, dict) or entry.get("format") != ENTRY_FORMAT:
        return f"not a {ENTRY_FORMAT} entry"
    if entry.get("kind") not in KINDS:
        return f"unknown entry kind {entry.get('kind')!r}"
    if entry["kind"] == "external":
        digest = str(entry.get("sha256", ""))
        path = directory / "external" / digest
        try:
            full = path.read_bytes()
            salt = _b64(entry.get("salt"))
        except (OSError, ValueError):
            return f"its full entry external/{digest} is missing"
        if external_digest(salt, full).hex() != digest or len(full) != entry.get("bytes"):
            return f"its full entry external/{digest} does not match the digest in the leaf"
    return ""


def _b64(value: object) -> bytes:
    import base64

    if not isinstance(value, str):
        raise ValueError("not base64")
    return base64.b64decode(value, validate=True)


def _history(directory: Path, verifier: Verifier, current: Checkpoint) -> list[Checkpoint]:
    found: list[Checkpoint] = []
    folder = directory / "checkpoints"
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir(), key=lambda p: (len(p.name), p.name)):
        try:
            checkpoint, _ = open_checkpoint(path.read_bytes(), verifier)
        except (InputError, OSError):
            continue  # unsigned or foreign files prove nothing either way
        if checkpoint.origin == current.origin:
            found.append(checkpoint)
    return found


def _rewritten(
    directory: Path, verifier: Verifier, checkpoint: Checkpoint, tree: _Levels
) -> Finding:
    """Entries and tiles agree with each other but not with the signed root: both were
    rewritten. Earlier signed checkpoints narrow down where."""
    low = 0
    for earlier in _history(directory, verifier, checkpoint):
        if earlier.size <= checkpoint.size and tree.root(earlier.size) == earlier.root:
            low = max(low, earlier.size)
        elif earlier.size <= checkpoint.size:
            return Finding(
                False,
                checkpoint.size,
                "the entries and hash tiles were rewritten together (the tree no longer has "
                f"the signed root); the change lies in entries {low} to {earlier.size - 1}",
                low,
            )
    return Finding(
        False,
        checkpoint.size,
        "the entries and hash tiles were rewritten together (the tree no longer has the signed "
        f"root); the change lies in entries {low} to {checkpoint.size - 1}",
        low,
    )


class _Levels:
    """Every perfect subtree hash of a tree given its leaf hashes (for roots at any size)."""

    def __init__(self, leaf_hashes: list[bytes]) -> None:
        self.levels = [leaf_hashes]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append(
                [
                    hashlib.sha256(b"\x01" + below[i] + below[i + 1]).digest()
                    for i in range(0, len(below) - 1, 2)
                ]
            )

    def subtree(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def root(self, size: int) -> bytes:
        return merkle.root_from(size, self.subtree)
