"""Checking a store against itself: the operator's side of verification.

Where ``verify`` checks an export against a signed checkpoint, ``check_log`` checks the store the
log lives in: entries are dense; the tree nodes kept for proofs agree with the leaves; every
record entry has its idempotency key and every key points at the entry of that record; every
checkpoint the log signed is a prefix of the tree as it is now. After a crash this is how one
sees that no batch was left half-written.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ceasewatch.evidence import merkle
from ceasewatch.evidence.log import EvidenceLog


def check_log(log: EvidenceLog, progress: Callable[[str], None] | None = None) -> list[str]:
    """Every inconsistency found (an empty list when the store is sound)."""
    problems: list[str] = []
    with log.store.read() as reader:
        size = reader.size()
        if progress:
            progress(f"reading {size:,} entries")
        leaves = list(reader.leaves(0, size))
        if len(leaves) != size:
            return [f"the store claims {size} entries but holds {len(leaves)}: indexes have gaps"]
        hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
        for index, leaf_hash in enumerate(hashes):
            try:
                stored = reader.subtree(0, index)
            except KeyError:
                problems.append(f"entry {index}: its tree node is missing")
                break
            if stored != leaf_hash:
                problems.append(f"entry {index}: its tree node does not hash its leaf")
                break
        root = merkle.root_of_hashes(hashes)
        try:
            if merkle.root_from(size, reader.subtree) != root:
                problems.append("the tree nodes kept for proofs do not give the leaves' root")
        except KeyError as missing:
            problems.append(f"tree node {missing} is missing")
        if progress:
            progress("checking idempotency keys")
        problems += _keys(reader, leaves)
        for row in reader.checkpoints():
            if row.size > size:
                problems.append(f"checkpoint of size {row.size} is beyond the log's {size}")
            elif merkle.root_of_hashes(hashes[: row.size]) != row.root:
                problems.append(
                    f"checkpoint of size {row.size}: the log no longer has the root it signed"
                )
    return problems


def _keys(reader, leaves: list[bytes]) -> list[str]:  # type: ignore[no-untyped-def]
    problems: list[str] = []
    by_source: dict[str, dict[str, list[int]]] = {}
    for index, leaf in enumerate(leaves):
        entry = json.loads(leaf)
        if entry.get("kind") == "external":
            entry = json.loads(reader.entry(index).full or b"{}")
        if entry.get("kind") != "record":
            continue
        by_source.setdefault(entry["source"], {}).setdefault(entry["record_id"], []).append(index)
    for source, records in by_source.items():
        ids = list(records)
        found: dict[str, list[tuple[bytes, int]]] = {}
        for low in range(0, len(ids), 5_000):
            found.update(reader.find(source, ids[low : low + 5_000]))
        for record_id, indexes in records.items():
            keyed = sorted(index for _digest, index in found.get(record_id, []))
            if keyed != indexes:
                problems.append(
                    f"{source} {record_id}: entries {indexes} but idempotency keys for {keyed}"
                )
            digests = [digest for digest, _index in found.get(record_id, [])]
            if len(set(digests)) != len(digests):
                problems.append(f"{source} {record_id}: the same content appended twice")
    return problems
