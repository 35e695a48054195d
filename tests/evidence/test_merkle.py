"""RFC 6962 Merkle tree: published vectors, a naive reference written from the RFC's recursive
definitions, and properties over random trees (every honest proof verifies, every tampered one
fails, malformed input gives False without raising)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ceasewatch.evidence.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    consistency_proof_from,
    inclusion_proof,
    inclusion_proof_from,
    leaf_hash,
    node_hash,
    root_from,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).parent / "vectors"


def _load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


REFERENCE = _load("rfc6962_reference_tree.json")
REF_LEAVES = [bytes.fromhex(h) for h in REFERENCE["leaf_inputs_hex"]]
REF_NODES = [[bytes.fromhex(h) for h in level] for level in REFERENCE["node_hashes_hex"]]
INCLUSION_CASES = _load("rfc6962_inclusion.json")["cases"]
CONSISTENCY_CASES = _load("rfc6962_consistency.json")["cases"]


# ---------------------------------------------------------------- naive reference (RFC 9162 §2.1)


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = _split(len(leaves))
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if m < k:
        return ref_path(m, leaves[:k]) + [ref_mth(leaves[k:])]
    return ref_path(m - k, leaves[k:]) + [ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], whole: bool = True) -> list[bytes]:
    if m == len(leaves):
        return [] if whole else [ref_mth(leaves)]
    k = _split(len(leaves))
    if m <= k:
        return ref_subproof(m, leaves[:k], whole) + [ref_mth(leaves[k:])]
    return ref_subproof(m - k, leaves[k:], False) + [ref_mth(leaves[:k])]


def inclusion_shape(m: int, n: int) -> tuple[str, ...]:
    """Which side each sibling of PATH(m, D[n]) sits on, bottom-up."""
    if n == 1:
        return ()
    k = _split(n)
    if m < k:
        return inclusion_shape(m, k) + ("right",)
    return inclusion_shape(m - k, n - k) + ("left",)


def consistency_shape(m: int, n: int, whole: bool = True) -> tuple[str, ...]:
    """The structure of PROOF(m, D[n]): how it starts and the side of each later node."""
    if m == n:
        return ("old root implied",) if whole else ("old subtree given",)
    k = _split(n)
    if m <= k:
        return consistency_shape(m, k, whole) + ("right",)
    return consistency_shape(m - k, n - k, False) + ("left",)


def make_leaves(size: int, salt: bytes) -> list[bytes]:
    """Distinct leaves, so no two node hashes coincide."""
    return [salt + i.to_bytes(4, "big") for i in range(size)]


def stored_oracle(leaves: list[bytes]) -> tuple[dict[tuple[int, int], bytes], Frontier]:
    """What a store would keep: every node Frontier.append reported."""
    nodes: dict[tuple[int, int], bytes] = {}
    frontier = Frontier()
    for leaf in leaves:
        for level, index, value in frontier.append(leaf_hash(leaf)):
            assert (level, index) not in nodes
            nodes[(level, index)] = value
    return nodes, frontier


def flip_bit(value: bytes, bit: int) -> bytes:
    data = bytearray(value)
    data[bit // 8] ^= 1 << (bit % 8)
    return bytes(data)


# ---------------------------------------------------------------- published vectors


@pytest.mark.parametrize("entry", INCLUSION_CASES, ids=lambda e: e["file"][len("testdata/") :])
def test_inclusion_vectors(entry: dict[str, Any]) -> None:
    case = entry["case"]
    proof = [_b64(p) for p in case["proof"] or []]
    ok = verify_inclusion(
        _b64(case["leafHash"]), case["leafIdx"], case["treeSize"], proof, _b64(case["root"])
    )
    assert ok is (not case["wantErr"])


@pytest.mark.parametrize("entry", CONSISTENCY_CASES, ids=lambda e: e["file"][len("testdata/") :])
def test_consistency_vectors(entry: dict[str, Any]) -> None:
    case = entry["case"]
    proof = [_b64(p) for p in case["proof"] or []]
    ok = verify_consistency(
        case["size1"], case["size2"], proof, _b64(case["root1"]), _b64(case["root2"])
    )
    assert ok is (not case["wantErr"])


HAPPY_INCLUSION = [e["case"] for e in INCLUSION_CASES if not e["case"]["wantErr"]]
HAPPY_CONSISTENCY = [e["case"] for e in CONSISTENCY_CASES if not e["case"]["wantErr"]]


def test_vector_files_hold_every_happy_path() -> None:
    assert len(HAPPY_INCLUSION) == 5
    assert len(HAPPY_CONSISTENCY) == 5
    assert sum(e["case"]["wantErr"] for e in INCLUSION_CASES + CONSISTENCY_CASES) >= 50


@pytest.mark.parametrize(
    "case", HAPPY_INCLUSION, ids=lambda c: f"{c['leafIdx']}-of-{c['treeSize']}"
)
def test_producer_matches_published_inclusion_proofs(case: dict[str, Any]) -> None:
    leaves = REF_LEAVES[: case["treeSize"]]
    assert root_hash(leaves) == _b64(case["root"])
    assert leaf_hash(leaves[case["leafIdx"]]) == _b64(case["leafHash"])
    assert inclusion_proof(leaves, case["leafIdx"]) == [_b64(p) for p in case["proof"] or []]


@pytest.mark.parametrize("case", HAPPY_CONSISTENCY, ids=lambda c: f"{c['size1']}-to-{c['size2']}")
def test_producer_matches_published_consistency_proofs(case: dict[str, Any]) -> None:
    leaves = REF_LEAVES[: case["size2"]]
    assert root_hash(leaves[: case["size1"]]) == _b64(case["root1"])
    assert root_hash(leaves) == _b64(case["root2"])
    assert consistency_proof(leaves, case["size1"]) == [_b64(p) for p in case["proof"] or []]


def _inclusion_mutants(case: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    """The transparency-dev families of bad inclusion proofs, derived from a happy path."""
    leaf, index, size = _b64(case["leafHash"]), case["leafIdx"], case["treeSize"]
    proof, root = [_b64(p) for p in case["proof"] or []], _b64(case["root"])
    mutants: list[tuple[str, tuple[Any, ...]]] = [
        ("index+1", (leaf, index + 1, size, proof, root)),
        ("index-1", (leaf, index - 1, size, proof, root)),
        ("index^2", (leaf, index ^ 2, size, proof, root)),
        ("size*2", (leaf, index, size * 2, proof, root)),
        ("size/2", (leaf, index, size // 2, proof, root)),
        ("wrong leaf", (leaf_hash(b"WrongLeaf"), index, size, proof, root)),
        ("empty root", (leaf, index, size, proof, EMPTY_ROOT)),
        ("preceding root", (leaf, index, size, [root, *proof], root)),
        ("trailing root", (leaf, index, size, [*proof, root], root)),
        ("preceding garbage", (leaf, index, size, [b"", *proof], root)),
        ("trailing garbage", (leaf, index, size, [*proof, b""], root)),
    ]
    for i in range(len(proof)):
        bad = [flip_bit(p, 3) if j == i else p for j, p in enumerate(proof)]
        mutants.append((f"proof[{i}] bit 3", (leaf, index, size, bad, root)))
        mutants.append(
            (f"without proof[{i}]", (leaf, index, size, proof[:i] + proof[i + 1 :], root))
        )
    return mutants


@pytest.mark.parametrize(
    "case", HAPPY_INCLUSION, ids=lambda c: f"{c['leafIdx']}-of-{c['treeSize']}"
)
def test_derived_inclusion_mutants_fail(case: dict[str, Any]) -> None:
    for name, args in _inclusion_mutants(case):
        assert verify_inclusion(*args) is False, name


@pytest.mark.parametrize("case", HAPPY_CONSISTENCY, ids=lambda c: f"{c['size1']}-to-{c['size2']}")
def test_derived_consistency_mutants_fail(case: dict[str, Any]) -> None:
    old, new = case["size1"], case["size2"]
    proof, r1, r2 = [_b64(p) for p in case["proof"] or []], _b64(case["root1"]), _b64(case["root2"])
    assert verify_consistency(old, new, proof, r1, r2)
    mutants: list[tuple[str, tuple[Any, ...]]] = [
        ("swapped roots", (old, new, proof, r2, r1)),
        ("size2*2", (old, new * 2, proof, r1, r2)),
        ("trailing root2", (old, new, [*proof, r2], r1, r2)),
        ("preceding garbage", (old, new, [b"", *proof], r1, r2)),
        ("wrong root1", (old, new, proof, leaf_hash(b"WrongRoot"), r2)),
        ("wrong root2", (old, new, proof, r1, leaf_hash(b"WrongRoot"))),
    ]
    for i in range(len(proof)):
        bad = [flip_bit(p, 4) if j == i else p for j, p in enumerate(proof)]
        mutants.append((f"proof[{i}] bit 4", (old, new, bad, r1, r2)))
        mutants.append((f"without proof[{i}]", (old, new, proof[:i] + proof[i + 1 :], r1, r2)))
    for name, args in mutants:
        if name == "swapped roots" and r1 == r2:
            continue
        assert verify_consistency(*args) is False, name


def test_reference_tree_roots_nodes_and_frontiers() -> None:
    roots = [bytes.fromhex(h) for h in REFERENCE["root_hashes_hex"]]
    assert [root_hash(REF_LEAVES[:n]) for n in range(9)] == roots
    assert [ref_mth(REF_LEAVES[:n]) for n in range(9)] == roots
    nodes, frontier = stored_oracle(REF_LEAVES)
    assert nodes == {
        (lvl, i): h for lvl, level in enumerate(REF_NODES) for i, h in enumerate(level)
    }
    for size, refs in enumerate(REFERENCE["compact_trees_node_refs"]):
        rebuilt = Frontier.from_nodes(size, lambda level, index: REF_NODES[level][index])
        assert rebuilt.hashes == tuple(REF_NODES[lvl][i] for lvl, i in refs)
        assert rebuilt.root() == roots[size]
    assert frontier.root() == roots[8]


def test_hand_derivable_facts() -> None:
    assert EMPTY_ROOT == hashlib.sha256(b"").digest() == root_hash([])
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert root_hash([b"abc"]) == leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest() == root_hash([b"a", b"b"])
    assert Frontier().root() == EMPTY_ROOT and Frontier().size == 0
    assert verify_inclusion(a, 0, 1, [], a)
    assert inclusion_proof([b"a"], 0) == [] and consistency_proof([b"a"], 1) == []


def test_consistency_from_the_empty_tree() -> None:
    root = root_hash([b"a", b"b"])
    assert consistency_proof([b"a", b"b"], 0) == []
    assert verify_consistency(0, 2, [], EMPTY_ROOT, root)
    assert verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    assert not verify_consistency(0, 0, [], EMPTY_ROOT, root)
    assert not verify_consistency(0, 2, [root], EMPTY_ROOT, root)
    assert not verify_consistency(0, 2, [], root, root)
    assert not verify_consistency(0, 2, [], EMPTY_ROOT, root[:31])
    assert not verify_consistency(2, 2, [root], root, root)
    assert verify_consistency(2, 2, [], root, root)


def test_producers_reject_impossible_arguments() -> None:
    leaves = [b"a", b"b", b"c"]
    for bad_index in (-1, 3, 10):
        with pytest.raises(ValueError):
            inclusion_proof(leaves, bad_index)
    with pytest.raises(ValueError):
        inclusion_proof([], 0)
    for bad_size in (-1, 4):
        with pytest.raises(ValueError):
            consistency_proof(leaves, bad_size)
    with pytest.raises(ValueError):
        root_from(-1, lambda level, index: b"")
    with pytest.raises(ValueError):
        Frontier().append(b"too short")


# ---------------------------------------------------------------- properties over random trees

SIZES = st.one_of(
    st.integers(1, 40),
    st.integers(1, 4096),
    st.sampled_from([255, 256, 257, 1023, 1024, 1025, 4095, 4096]),
)
SALTS = st.binary(min_size=4, max_size=4)


@settings(max_examples=30, deadline=None)
@given(size=st.one_of(st.just(0), SIZES), salt=SALTS, data=st.data())
def test_frontier_and_roots_match_the_reference(
    size: int, salt: bytes, data: st.DataObject
) -> None:
    leaves = make_leaves(size, salt)
    nodes, frontier = stored_oracle(leaves)
    expected = ref_mth(leaves)
    assert frontier.size == size
    assert frontier.root() == root_hash(leaves) == expected
    assert root_from(size, lambda level, index: nodes[(level, index)]) == expected
    assert Frontier.from_nodes(size, lambda lvl, i: nodes[(lvl, i)]).hashes == frontier.hashes
    prefix = data.draw(st.integers(0, size), label="prefix")
    assert root_from(prefix, lambda level, index: nodes[(level, index)]) == ref_mth(leaves[:prefix])


@settings(max_examples=50, deadline=None)
@given(size=SIZES, salt=SALTS, data=st.data())
def test_every_inclusion_proof_verifies_and_tampering_fails(
    size: int, salt: bytes, data: st.DataObject
) -> None:
    leaves = make_leaves(size, salt)
    nodes, frontier = stored_oracle(leaves)
    root = frontier.root()
    hashes = [nodes[(0, i)] for i in range(size)]
    for i in range(size):
        proof = inclusion_proof_from(i, size, lambda lvl, j: nodes[(lvl, j)])
        assert verify_inclusion(hashes[i], i, size, proof, root), i
    i = data.draw(st.integers(0, size - 1), label="index")
    proof = inclusion_proof(leaves, i)
    assert proof == ref_path(i, leaves)
    for k, element in enumerate(proof):
        bit = data.draw(st.integers(0, 255), label=f"bit in proof[{k}]")
        tampered = proof[:k] + [flip_bit(element, bit)] + proof[k + 1 :]
        assert not verify_inclusion(hashes[i], i, size, tampered, root)
        assert not verify_inclusion(hashes[i], i, size, proof[:k] + proof[k + 1 :], root)
    extra = data.draw(st.sampled_from([root, hashes[i], EMPTY_ROOT]), label="extra")
    assert not verify_inclusion(hashes[i], i, size, [*proof, extra], root)
    assert not verify_inclusion(hashes[i], i, size, [extra, *proof], root)
    bit = data.draw(st.integers(0, 255), label="bit in root")
    assert not verify_inclusion(hashes[i], i, size, proof, flip_bit(root, bit))
    assert not verify_inclusion(flip_bit(hashes[i], bit), i, size, proof, root)
    other_index = data.draw(st.integers(0, size + 2).filter(lambda j: j != i), label="index'")
    assert not verify_inclusion(hashes[i], other_index, size, proof, root)
    other_size = data.draw(st.integers(0, 2 * size + 2).filter(lambda n: n != size), label="size'")
    # A size change goes unnoticed exactly when PATH has the same shape in both trees: the
    # proof does not bind the size, the signed checkpoint does.
    same_shape = i < other_size and inclusion_shape(i, other_size) == inclusion_shape(i, size)
    assert verify_inclusion(hashes[i], i, other_size, proof, root) is same_shape


@settings(max_examples=50, deadline=None)
@given(size=SIZES, salt=SALTS, data=st.data())
def test_every_consistency_proof_verifies_and_tampering_fails(
    size: int, salt: bytes, data: st.DataObject
) -> None:
    leaves = make_leaves(size, salt)
    nodes, frontier = stored_oracle(leaves)
    oracle: Callable[[int, int], bytes] = lambda lvl, j: nodes[(lvl, j)]  # noqa: E731
    root = frontier.root()
    olds = {0, 1, size} | set(data.draw(st.lists(st.integers(0, size), max_size=12), label="olds"))
    for old in olds:
        proof = consistency_proof_from(old, size, oracle)
        assert verify_consistency(old, size, proof, root_from(old, oracle), root), old
    if size < 2:
        return
    old = data.draw(st.integers(1, size - 1), label="old size")
    old_root = root_from(old, oracle)
    proof = consistency_proof(leaves, old)
    assert proof == ref_subproof(old, leaves)
    assert verify_consistency(old, size, proof, old_root, root)
    for k, element in enumerate(proof):
        bit = data.draw(st.integers(0, 255), label=f"bit in proof[{k}]")
        tampered = proof[:k] + [flip_bit(element, bit)] + proof[k + 1 :]
        assert not verify_consistency(old, size, tampered, old_root, root)
        assert not verify_consistency(old, size, proof[:k] + proof[k + 1 :], old_root, root)
    for extra in (root, old_root, proof[0]):
        assert not verify_consistency(old, size, [*proof, extra], old_root, root)
        assert not verify_consistency(old, size, [extra, *proof], old_root, root)
    bit = data.draw(st.integers(0, 255), label="bit in a root")
    assert not verify_consistency(old, size, proof, flip_bit(old_root, bit), root)
    assert not verify_consistency(old, size, proof, old_root, flip_bit(root, bit))
    assert not verify_consistency(old, size, proof, root, old_root)
    other_old = data.draw(st.integers(0, size + 1), label="other old size")
    other_new = data.draw(st.integers(0, 2 * size + 1), label="other new size")
    shape = consistency_shape(old, size)
    for o, n in ((other_old, size), (old, other_new)):
        if (o, n) == (old, size):
            continue
        # As for inclusion, sizes with the same proof structure cannot be told apart.
        same_shape = 0 < o < n and consistency_shape(o, n) == shape
        assert verify_consistency(o, n, proof, old_root, root) is same_shape, (o, n)


def test_oracle_functions_agree_with_list_functions_sizes_0_to_300() -> None:
    leaves = make_leaves(300, b"ora.")
    nodes: dict[tuple[int, int], bytes] = {}
    frontier = Frontier()
    calls: list[tuple[int, int]] = []

    def oracle(level: int, index: int) -> bytes:
        calls.append((level, index))
        return nodes[(level, index)]  # only nodes completed at this size exist

    for size in range(301):
        prefix = leaves[:size]
        calls.clear()
        assert root_from(size, oracle) == root_hash(prefix)
        assert len(calls) == bin(size).count("1")
        for i in sorted({0, size // 3, size // 2, size - 1}) if size else []:
            calls.clear()
            assert inclusion_proof_from(i, size, oracle) == inclusion_proof(prefix, i)
            assert len(calls) <= 2 * size.bit_length()
        for old in sorted({0, min(1, size), size // 2, max(size - 1, 0), size}):
            calls.clear()
            assert consistency_proof_from(old, size, oracle) == consistency_proof(prefix, old)
            assert len(calls) <= 2 * size.bit_length() + 1
        if size < 300:
            for level, index, value in frontier.append(leaf_hash(leaves[size])):
                nodes[(level, index)] = value


@settings(max_examples=15, deadline=None)
@given(size=st.integers(1, 5000), salt=SALTS, data=st.data())
def test_oracle_functions_agree_with_list_functions_random_sizes(
    size: int, salt: bytes, data: st.DataObject
) -> None:
    leaves = make_leaves(size, salt)
    nodes, _ = stored_oracle(leaves)
    index = data.draw(st.integers(0, size - 1), label="index")
    old = data.draw(st.integers(0, size), label="old size")
    assert inclusion_proof_from(index, size, lambda lvl, i: nodes[(lvl, i)]) == inclusion_proof(
        leaves, index
    )
    assert consistency_proof_from(old, size, lambda lvl, i: nodes[(lvl, i)]) == consistency_proof(
        leaves, old
    )


# ---------------------------------------------------------------- malformed input

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.binary(max_size=31),
    st.binary(min_size=33, max_size=64),
    st.integers(max_value=-1),
    st.lists(st.binary(max_size=40), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(bytearray, st.binary(min_size=32, max_size=32)),
)
_TREE = make_leaves(13, b"bad.")
_ROOT = root_hash(_TREE)
_OLD_ROOT = root_hash(_TREE[:6])


@settings(max_examples=200, deadline=None)
@given(position=st.integers(0, 4), junk=JUNK)
def test_malformed_inclusion_input_is_false_without_raising(position: int, junk: Any) -> None:
    args: list[Any] = [leaf_hash(_TREE[5]), 5, 13, inclusion_proof(_TREE, 5), _ROOT]
    assert verify_inclusion(*args)
    if position == 3 and isinstance(junk, list):
        assume(junk != args[3])
    args[position] = junk
    assert verify_inclusion(*args) is False


@settings(max_examples=200, deadline=None)
@given(position=st.integers(0, 4), junk=JUNK)
def test_malformed_consistency_input_is_false_without_raising(position: int, junk: Any) -> None:
    args: list[Any] = [6, 13, consistency_proof(_TREE, 6), _OLD_ROOT, _ROOT]
    assert verify_consistency(*args)
    args[position] = junk
    assert verify_consistency(*args) is False


@pytest.mark.parametrize(
    "proof",
    [
        None,
        b"".join(inclusion_proof(_TREE, 5)),
        iter(inclusion_proof(_TREE, 5)),
        [bytearray(p) for p in inclusion_proof(_TREE, 5)],
        [memoryview(p) for p in inclusion_proof(_TREE, 5)],
        [p.hex() for p in inclusion_proof(_TREE, 5)],
        [*inclusion_proof(_TREE, 5), None],
    ],
    ids=["none", "concatenated", "iterator", "bytearrays", "memoryviews", "hex", "trailing-none"],
)
def test_proofs_of_the_wrong_type_are_false(proof: Any) -> None:
    assert verify_inclusion(leaf_hash(_TREE[5]), 5, 13, proof, _ROOT) is False
    assert verify_consistency(6, 13, proof, _OLD_ROOT, _ROOT) is False


def test_huge_and_boolean_sizes_are_false() -> None:
    proof = inclusion_proof(_TREE, 1)
    assert not verify_inclusion(leaf_hash(_TREE[1]), 1, 2**64 + 13, proof, _ROOT)
    assert not verify_inclusion(leaf_hash(_TREE[1]), True, 13, proof, _ROOT)
    assert not verify_inclusion(leaf_hash(_TREE[0]), False, 13, inclusion_proof(_TREE, 0), _ROOT)
    assert not verify_consistency(
        True, 13, consistency_proof(_TREE, 1), root_hash(_TREE[:1]), _ROOT
    )
    assert not verify_consistency(6, 13.0, consistency_proof(_TREE, 6), _OLD_ROOT, _ROOT)
