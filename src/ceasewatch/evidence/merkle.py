"""RFC 6962 / RFC 9162 §2.1 Merkle tree hashing, proofs and proof verification over ``bytes``.

Vocabulary:

* A *leaf* is the raw bytes of one log entry; its *leaf hash* is SHA-256(0x00 ‖ leaf).
* A *node hash* is SHA-256(0x01 ‖ left ‖ right).
* A *perfect subtree* ``(level, index)`` is the complete subtree of ``2**level`` leaves covering
  leaves ``[index * 2**level, (index + 1) * 2**level)``; level 0 nodes are leaf hashes.
* A *subtree oracle* (:data:`Subtree`) answers ``subtree(level, index)`` with the hash of such a
  perfect subtree. The ``*_from`` functions build roots and proofs from an oracle alone, asking
  only for perfect subtrees that lie entirely below the tree size, so a store that persists the
  nodes returned by :meth:`Frontier.append` can serve proofs without holding the leaves.

Producers (``inclusion_proof*``, ``consistency_proof*``) raise ``ValueError`` for impossible
arguments. Verifiers (``verify_*``) never raise: anything that does not verify, malformed input
included, gives ``False``. Proofs list sibling hashes from the bottom of the tree upwards, as in
RFC 9162.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

Subtree = Callable[[int, int], bytes]
"""``subtree(level, index)`` → hash of the perfect subtree of ``2**level`` leaves at ``index``."""

_sha256 = hashlib.sha256


def leaf_hash(leaf: bytes) -> bytes:
    """SHA-256(0x00 ‖ leaf)."""
    return _sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return _sha256(b"\x01" + left + right).digest()


def root_of_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """Root of the tree whose leaf hashes are given (EMPTY_ROOT for none), level by level.

    Pairing neighbours and carrying an odd last node up unchanged yields exactly the RFC 6962
    tree, whose left subtrees are the largest powers of two.
    """
    level = list(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        paired = [
            _sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def root_hash(leaves: Iterable[bytes]) -> bytes:
    """MTH of the raw ``leaves`` (RFC 9162 §2.1.1); SHA-256 of nothing for no leaves."""
    return root_of_hashes([_sha256(b"\x00" + leaf).digest() for leaf in leaves])


# ---------------------------------------------------------------- oracle-based roots and proofs


def _split(count: int) -> int:
    """The largest power of two strictly smaller than ``count`` (``count`` >= 2)."""
    return 1 << ((count - 1).bit_length() - 1)


def _range_hash(start: int, end: int, subtree: Subtree) -> bytes:
    """MTH(D[start:end]) for a non-empty range whose ``start`` is a multiple of a power of two
    at least ``end - start`` (true of every range in the RFC's recursion), composed from the
    perfect subtrees of the binary decomposition of its length, largest first."""
    pieces: list[bytes] = []
    position, remaining = start, end - start
    while remaining:
        level = remaining.bit_length() - 1
        pieces.append(subtree(level, position >> level))
        position += 1 << level
        remaining -= 1 << level
    result = pieces.pop()
    while pieces:
        result = node_hash(pieces.pop(), result)
    return result


def root_from(size: int, subtree: Subtree) -> bytes:
    """Root of the tree of ``size`` leaves from perfect subtrees (one call per set bit)."""
    if size < 0:
        raise ValueError(f"tree size must be >= 0, got {size}")
    return _range_hash(0, size, subtree) if size else EMPTY_ROOT


def inclusion_proof_from(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, bottom-up, from perfect subtrees."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    path: list[bytes] = []
    low, high = 0, size
    while high - low > 1:
        half = _split(high - low)
        if index < low + half:
            path.append(_range_hash(low + half, high, subtree))
            high = low + half
        else:
            path.append(subtree((half.bit_length() - 1), low >> (half.bit_length() - 1)))
            low += half
    path.reverse()
    return path


def consistency_proof_from(old_size: int, new_size: int, subtree: Subtree) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1, bottom-up, from perfect subtrees.

    ``old_size == 0`` or ``old_size == new_size`` give the empty proof, the only one that
    :func:`verify_consistency` accepts for them.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    low, high, whole_old_subtree = 0, new_size, True
    while old_size != high:
        half = _split(high - low)
        if old_size <= low + half:
            proof.append(_range_hash(low + half, high, subtree))
            high = low + half
        else:
            level = half.bit_length() - 1
            proof.append(subtree(level, low >> level))
            low += half
            whole_old_subtree = False
    if not whole_old_subtree:
        proof.append(_range_hash(low, high, subtree))
    proof.reverse()
    return proof


def _levels_oracle(leaves: Iterable[bytes]) -> tuple[int, Subtree]:
    """Every perfect subtree hash of the tree over ``leaves``, level by level, as an oracle."""
    level = [_sha256(b"\x00" + leaf).digest() for leaf in leaves]
    levels = [level]
    while len(level) > 1:
        level = [
            _sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        levels.append(level)

    def subtree(height: int, index: int) -> bytes:
        return levels[height][index]

    return len(levels[0]), subtree


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """Inclusion proof of raw leaf ``index`` in the tree over all ``leaves``."""
    size, subtree = _levels_oracle(leaves)
    return inclusion_proof_from(index, size, subtree)


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """Consistency proof from the tree of the first ``old_size`` leaves to the tree of all."""
    size, subtree = _levels_oracle(leaves)
    return consistency_proof_from(old_size, size, subtree)


# ---------------------------------------------------------------- verification (never raises)


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_proof(proof: object) -> bool:
    return isinstance(proof, list | tuple) and all(_is_hash(p) for p in proof)


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True iff ``proof`` shows the leaf with ``leaf_hash`` at ``index`` in the tree of ``size``
    leaves whose root is ``root`` (RFC 9162 §2.1.3.2). False for malformed input."""
    if not (_is_hash(leaf_hash) and _is_hash(root) and _is_proof(proof)):
        return False
    if not (_is_count(index) and _is_count(size)) or index >= size:
        return False
    node, last = index, size - 1
    result = leaf_hash
    for sibling in proof:
        if last == 0:
            return False
        if node & 1 or node == last:
            result = node_hash(sibling, result)
            while node and not node & 1:
                node >>= 1
                last >>= 1
        else:
            result = node_hash(result, sibling)
        node >>= 1
        last >>= 1
    return last == 0 and result == root


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> bool:
    """True iff ``proof`` shows the tree (``old_size``, ``old_root``) is a prefix of the tree
    (``new_size``, ``new_root``) (RFC 9162 §2.1.4.2). From size 0 only the empty proof with
    ``old_root == EMPTY_ROOT`` verifies; equal sizes need the empty proof and equal roots.
    False for malformed input."""
    if not (_is_hash(old_root) and _is_hash(new_root) and _is_proof(proof)):
        return False
    if not (_is_count(old_size) and _is_count(new_size)) or old_size > new_size:
        return False
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT and (new_size > 0 or new_root == EMPTY_ROOT)
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    node, last = old_size - 1, new_size - 1
    while node & 1:
        node >>= 1
        last >>= 1
    old_result = new_result = path[0]
    for sibling in path[1:]:
        if last == 0:
            return False
        if node & 1 or node == last:
            old_result = node_hash(sibling, old_result)
            new_result = node_hash(sibling, new_result)
            while node and not node & 1:
                node >>= 1
                last >>= 1
        else:
            new_result = node_hash(new_result, sibling)
        node >>= 1
        last >>= 1
    return last == 0 and old_result == old_root and new_result == new_root


# ---------------------------------------------------------------- the right edge of a growing tree


class Frontier:
    """The compact range ``[0, size)``: the perfect subtrees of ``size``'s binary decomposition,
    largest (leftmost) first. Enough to append leaves and compute the root in O(log n) memory.

    :meth:`append` returns every perfect node the new leaf completes; a store that persists those
    can answer :data:`Subtree` for every complete perfect subtree of the log.
    """

    __slots__ = ("_size", "_hashes")

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []

    @classmethod
    def from_nodes(cls, size: int, subtree: Subtree) -> Frontier:
        """Rebuild the frontier of a tree of ``size`` leaves from its perfect subtrees."""
        if size < 0:
            raise ValueError(f"tree size must be >= 0, got {size}")
        frontier = cls()
        position = 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                node = subtree(level, position >> level)
                if not _is_hash(node):
                    raise ValueError(f"subtree({level}, {position >> level}) is not a 32-byte hash")
                frontier._hashes.append(node)
                position += 1 << level
        frontier._size = size
        return frontier

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The perfect subtree hashes of the decomposition of :attr:`size`, largest first."""
        return tuple(self._hashes)

    def append(self, leaf_hash: bytes) -> tuple[tuple[int, int, bytes], ...]:
        """Append one leaf hash; return the perfect nodes ``(level, index, hash)`` this completes,
        starting with the leaf itself ``(0, size_before, leaf_hash)``."""
        if not _is_hash(leaf_hash):
            raise ValueError("a leaf hash must be 32 bytes")
        index, level, node = self._size, 0, leaf_hash
        created = [(0, index, node)]
        while (self._size >> level) & 1:
            node = node_hash(self._hashes.pop(), node)
            level += 1
            created.append((level, index >> level, node))
        self._hashes.append(node)
        self._size += 1
        return tuple(created)

    def root(self) -> bytes:
        """Root of the tree of :attr:`size` leaves."""
        if not self._hashes:
            return EMPTY_ROOT
        result = self._hashes[-1]
        for node in reversed(self._hashes[:-1]):
            result = node_hash(node, result)
        return result
