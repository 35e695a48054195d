"""C2SP tlog-tiles export: path spelling from the spec, bundle codec, write → check round trips
against merkle.root_hash, and a named diagnosis for each kind of tampering."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasewatch.errors import InputError
from ceasewatch.evidence.merkle import EMPTY_ROOT, leaf_hash, root_hash
from ceasewatch.evidence.tiles import (
    BundleError,
    TileError,
    TileRef,
    check_tiles,
    decode_bundle,
    encode_bundle,
    entries_path,
    iter_entries,
    parse_tile_path,
    tile_counts,
    tile_path,
    write_tiles,
)


def make_leaves(size: int, tag: bytes = b"") -> list[bytes]:
    return [b"record %d %s" % (i, tag) + b"." * (i % 7) for i in range(size)]


def files_under(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def spec_file_names(size: int) -> set[str]:
    """The resources the spec requires for a tree of ``size``, from its formulas."""
    names: set[str] = set()
    level = 0
    while size >> (8 * level):
        count = size >> (8 * level)
        for n in range(count // 256):
            names.add(tile_path(level, n))
            if level == 0:
                names.add(entries_path(n))
        if count % 256:
            names.add(tile_path(level, count // 256, count % 256))
            if level == 0:
                names.add(entries_path(count // 256, count % 256))
        level += 1
    return names


# ---------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("level", "index", "width", "expected"),
    [
        (0, 1234067, 256, "tile/0/x001/x234/067"),  # the spec's example
        (0, 0, 256, "tile/0/000"),
        (0, 999, 256, "tile/0/999"),
        (0, 1000, 256, "tile/0/x001/000"),
        (1, 0, 17, "tile/1/000.p/17"),
        (0, 273, 112, "tile/0/273.p/112"),
        (2, 0, 1, "tile/2/000.p/1"),
        (63, 5, 255, "tile/63/005.p/255"),
    ],
)
def test_tile_path_spelling(level: int, index: int, width: int, expected: str) -> None:
    assert tile_path(level, index, width) == expected
    assert parse_tile_path(expected) == TileRef(level, index, width)


def test_entries_path_spelling() -> None:
    assert entries_path(1234067) == "tile/entries/x001/x234/067"
    assert entries_path(273, 112) == "tile/entries/273.p/112"
    assert parse_tile_path("tile/entries/x001/000.p/3") == TileRef(None, 1000, 3)
    assert TileRef(None, 1000, 3).path == "tile/entries/x001/000.p/3"


@pytest.mark.parametrize(
    "path",
    [
        "tile/00/000",
        "tile/01/000",
        "tile/64/000",
        "tile/0/0",
        "tile/0/1234",
        "tile/0/x001",
        "tile/0/001/234",
        "tile/0/x000/005",  # 5 is spelled 005
        "tile/0/001.p/256",
        "tile/0/001.p/0",
        "tile/0/001.p/05",
        "tile/0/001.p/",
        "tile/0/001.p",
        "tiles/0/000",
        "/tile/0/000",
        "tile/entry/000",
        "tile/0/000/",
        "tile\\0\\000",
    ],
)
def test_parse_rejects_non_canonical_paths(path: str) -> None:
    with pytest.raises(TileError):
        parse_tile_path(path)


@given(
    level=st.one_of(st.none(), st.integers(0, 63)),
    index=st.integers(0, 10**12),
    width=st.integers(1, 256),
)
def test_path_round_trip(level: int | None, index: int, width: int) -> None:
    ref = TileRef(level, index, width)
    assert parse_tile_path(ref.path) == ref


def test_bad_path_arguments_raise_input_errors() -> None:
    for call in (
        lambda: tile_path(64, 0),
        lambda: tile_path(0, -1),
        lambda: tile_path(0, 0, 0),
        lambda: entries_path(0, 257),
    ):
        with pytest.raises(InputError):
            call()


def test_tile_counts_follow_the_spec_example() -> None:
    # "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0
    # tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one
    # partial level 2 tile of width 1"
    assert [tile_counts(70_000, level) for level in range(4)] == [
        (273, 112),
        (1, 17),
        (0, 1),
        (0, 0),
    ]
    assert [tile_counts(256, level) for level in range(3)] == [(1, 0), (0, 1), (0, 0)]


# ---------------------------------------------------------------- bundles


@given(st.lists(st.binary(max_size=300), max_size=40))
def test_bundle_round_trip(entries: list[bytes]) -> None:
    data = encode_bundle(entries)
    assert len(data) == sum(2 + len(e) for e in entries)
    assert decode_bundle(data) == entries
    assert decode_bundle(data, len(entries)) == entries


def test_bundle_layout_and_limits() -> None:
    assert encode_bundle([b"", b"ab"]) == b"\x00\x00\x00\x02ab"
    big = b"x" * 65_535
    assert decode_bundle(encode_bundle([big])) == [big]
    with pytest.raises(BundleError) as error:
        encode_bundle([b"a", b"x" * 65_536])
    assert error.value.entry_index == 1 and isinstance(error.value, InputError)


@pytest.mark.parametrize(
    ("data", "count", "offset", "entry_index"),
    [
        (b"\x00\x02ab\x00", None, 4, 1),  # cut length prefix
        (b"\x00\x02ab\x00\x05abc", None, 4, 1),  # length runs past the end
        (b"\x00\x02ab\x00\x01c", 1, 4, 1),  # bytes left over after the expected entries
        (b"\x00\x02ab", 2, 4, 1),  # fewer entries than expected
    ],
)
def test_bad_bundles_name_the_byte_offset(
    data: bytes, count: int | None, offset: int, entry_index: int
) -> None:
    with pytest.raises(BundleError) as error:
        decode_bundle(data, count)
    assert error.value.offset == offset and error.value.entry_index == entry_index
    assert f"offset {offset}" in str(error.value)


# ---------------------------------------------------------------- write → check


@pytest.mark.parametrize("size", [0, 1, 2, 255, 256, 257, 511, 65_536, 65_537])
def test_round_trip(tmp_path: Path, size: int) -> None:
    leaves = make_leaves(size)
    root = write_tiles(tmp_path, iter(leaves), size)
    assert root == root_hash(leaves)
    files = files_under(tmp_path)
    assert set(files) == spec_file_names(size)
    for name, data in files.items():
        ref = parse_tile_path(name)
        unit = 32 if ref.level is not None else 1
        assert data and len(data) % unit == 0, name  # no empty tiles
        if ref.level is not None:
            assert len(data) == 32 * ref.width, name
    check = check_tiles(tmp_path, size)
    assert check.ok and check.root == root and check.entries_checked == size
    assert list(iter_entries(tmp_path, size)) == leaves


@settings(max_examples=10, deadline=None)
@given(size=st.integers(0, 3000))
def test_random_sizes_round_trip(tmp_path_factory: pytest.TempPathFactory, size: int) -> None:
    directory = tmp_path_factory.mktemp("tiles")
    leaves = make_leaves(size, b"r")
    assert write_tiles(directory, leaves, size) == root_hash(leaves)
    assert set(files_under(directory)) == spec_file_names(size)
    assert check_tiles(directory, size).root == root_hash(leaves)


def test_only_the_first_size_leaves_are_written(tmp_path: Path) -> None:
    leaves = make_leaves(300)
    assert write_tiles(tmp_path, leaves, 10) == root_hash(leaves[:10])
    assert set(files_under(tmp_path)) == {"tile/0/000.p/10", "tile/entries/000.p/10"}
    assert write_tiles(tmp_path / "empty", [], 0) == EMPTY_ROOT
    assert not (tmp_path / "empty").exists() or not files_under(tmp_path / "empty")


def test_size_256_is_one_full_tile_and_a_partial_level_1_tile(tmp_path: Path) -> None:
    leaves = make_leaves(256)
    write_tiles(tmp_path, leaves, 256)
    files = files_under(tmp_path)
    assert set(files) == {"tile/0/000", "tile/entries/000", "tile/1/000.p/1"}
    assert files["tile/1/000.p/1"] == root_hash(leaves)
    assert files["tile/0/000"] == b"".join(leaf_hash(x) for x in leaves)
    assert files["tile/entries/000"] == encode_bundle(leaves)


def test_upper_tiles_hold_the_spec_subtree_hashes(tmp_path: Path) -> None:
    size = 65_536 + 3 * 256 + 5
    leaves = make_leaves(size)
    write_tiles(tmp_path, leaves, size)
    files = files_under(tmp_path)
    level1 = files["tile/1/000"]
    for i in (0, 1, 200, 255):  # MTH(D[(n*256 + i) * 256**l : (n*256 + i + 1) * 256**l])
        assert level1[32 * i : 32 * (i + 1)] == root_hash(leaves[i * 256 : (i + 1) * 256])
    assert files["tile/1/001.p/3"][32:64] == root_hash(leaves[65_536 + 256 : 65_536 + 512])
    assert files["tile/2/000.p/1"] == root_hash(leaves[:65_536])
    assert "tile/0/259.p/5" in files and "tile/entries/259.p/5" in files


def test_writer_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(TileError, match="only 3 leaves"):
        write_tiles(tmp_path, make_leaves(3), 4)
    with pytest.raises(TileError, match="leaf 257"):
        write_tiles(tmp_path, [*make_leaves(257), b"x" * 70_000], 258)
    with pytest.raises(TileError):
        write_tiles(tmp_path, [], -1)
    with pytest.raises(TileError):
        check_tiles(tmp_path, -1)


def test_a_smaller_size_reads_the_full_tiles(tmp_path: Path) -> None:
    leaves = make_leaves(700)
    write_tiles(tmp_path, leaves, 700)
    for size in (1, 100, 255):  # tile/0/000.p/W was replaced by tile/0/000
        check = check_tiles(tmp_path, size)
        assert check.ok and check.root == root_hash(leaves[:size])
        assert list(iter_entries(tmp_path, size)) == leaves[:size]


# ---------------------------------------------------------------- tampering

SIZE = 700  # bundles 000, 001 (full) and 002.p/188; tile/1/000.p/2


@pytest.fixture()
def export(tmp_path: Path) -> tuple[Path, list[bytes]]:
    leaves = make_leaves(SIZE)
    write_tiles(tmp_path, leaves, SIZE)
    return tmp_path, leaves


def rewrite_bundle(directory: Path, name: str, entries: list[bytes]) -> None:
    (directory / name).write_bytes(encode_bundle(entries))


def bundle_of(leaves: list[bytes], n: int) -> list[bytes]:
    return list(leaves[n * 256 : (n + 1) * 256])


@pytest.mark.parametrize(
    ("bundle", "name", "position"),
    [
        (1, "tile/entries/001", 44),
        (2, "tile/entries/002.p/188", 0),
        (2, "tile/entries/002.p/188", 187),
    ],
)
def test_edited_entry(
    export: tuple[Path, list[bytes]], bundle: int, name: str, position: int
) -> None:
    directory, leaves = export
    entries = bundle_of(leaves, bundle)
    entries[position] = entries[position][:-1] + b"!"
    rewrite_bundle(directory, name, entries)
    check = check_tiles(directory, SIZE)
    assert check.first_bad_index == bundle * 256 + position
    assert "edited" in check.reason and name in check.reason
    assert check.root is None and check.entries_checked == bundle * 256


@pytest.mark.parametrize("position", [0, 10, 255])
def test_deleted_entry(export: tuple[Path, list[bytes]], position: int) -> None:
    directory, leaves = export
    entries = bundle_of(leaves, 1)
    del entries[position]
    rewrite_bundle(directory, "tile/entries/001", entries)
    check = check_tiles(directory, SIZE)
    assert check.first_bad_index == 256 + position
    assert "deleted" in check.reason and "tile/entries/001" in check.reason


def test_two_deleted_entries(export: tuple[Path, list[bytes]]) -> None:
    directory, leaves = export
    entries = bundle_of(leaves, 2)
    del entries[7:9]
    rewrite_bundle(directory, "tile/entries/002.p/188", entries)
    check = check_tiles(directory, SIZE)
    assert check.first_bad_index == 512 + 7
    assert "deleted" in check.reason and "entries 519..520" in check.reason


@pytest.mark.parametrize("position", [0, 99, 256])
def test_inserted_entry(export: tuple[Path, list[bytes]], position: int) -> None:
    directory, leaves = export
    entries = bundle_of(leaves, 1)
    entries.insert(position, b"forged record")
    rewrite_bundle(directory, "tile/entries/001", entries)
    check = check_tiles(directory, SIZE)
    assert check.first_bad_index == 256 + position
    assert "inserted" in check.reason


@pytest.mark.parametrize(("first", "second"), [(0, 1), (3, 200), (254, 255)])
def test_reordered_entries(export: tuple[Path, list[bytes]], first: int, second: int) -> None:
    directory, leaves = export
    entries = bundle_of(leaves, 0)
    entries[first], entries[second] = entries[second], entries[first]
    rewrite_bundle(directory, "tile/entries/000", entries)
    check = check_tiles(directory, SIZE)
    assert check.first_bad_index == first
    assert "reordered" in check.reason and f"entry {second}" in check.reason


def test_truncated_bundle(export: tuple[Path, list[bytes]]) -> None:
    directory, leaves = export
    path = directory / "tile/entries/001"
    data = path.read_bytes()
    cut = len(encode_bundle(bundle_of(leaves, 1)[:40])) + 5  # inside entry 40
    path.write_bytes(data[:cut])
    check = check_tiles(directory, SIZE)
    assert check.first_bad_index == 256 + 40
    assert "truncated" in check.reason and "tile/entries/001" in check.reason
    assert f"offset {cut - 5}" in check.reason


def test_bundle_cut_at_an_entry_boundary(export: tuple[Path, list[bytes]]) -> None:
    directory, leaves = export
    rewrite_bundle(directory, "tile/entries/002.p/188", bundle_of(leaves, 2)[:180])
    check = check_tiles(directory, SIZE)
    assert check.first_bad_index == 512 + 180
    assert "missing" in check.reason and "deleted or truncated" in check.reason
    assert "entries 692..699 were" in check.reason


@pytest.mark.parametrize(
    ("name", "first_bad"),
    [
        ("tile/entries/001", 256),
        ("tile/entries/002.p/188", 512),
        ("tile/0/000", 0),
        ("tile/0/002.p/188", 512),
        ("tile/1/000.p/2", 0),
    ],
)
def test_missing_file(export: tuple[Path, list[bytes]], name: str, first_bad: int) -> None:
    directory, _ = export
    (directory / name).unlink()
    check = check_tiles(directory, SIZE)
    assert check.first_bad_index == first_bad
    assert "missing" in check.reason and name in check.reason


def test_missing_directory(tmp_path: Path) -> None:
    check = check_tiles(tmp_path / "nowhere", 3)
    assert check.first_bad_index == 0 and "missing" in check.reason
    assert check_tiles(tmp_path / "nowhere", 0).root == EMPTY_ROOT


def test_malformed_tile(export: tuple[Path, list[bytes]]) -> None:
    directory, _ = export
    path = directory / "tile/0/001"
    path.write_bytes(path.read_bytes()[:-1])
    check = check_tiles(directory, SIZE)
    assert check.first_bad_index == 256
    assert "malformed" in check.reason and "tile/0/001" in check.reason


def test_edited_level_0_tile_with_intact_entries(export: tuple[Path, list[bytes]]) -> None:
    directory, _ = export
    path = directory / "tile/0/001"
    data = bytearray(path.read_bytes())
    data[32 * 9 + 4] ^= 0x10
    path.write_bytes(bytes(data))
    check = check_tiles(directory, SIZE)
    assert check.first_bad_index == 256 + 9
    assert "hash tile tile/0/001 was edited" in check.reason


def test_level_1_tile_that_disagrees(export: tuple[Path, list[bytes]]) -> None:
    directory, _ = export
    path = directory / "tile/1/000.p/2"
    data = bytearray(path.read_bytes())
    data[40] ^= 1  # the hash of tile/0/001
    path.write_bytes(bytes(data))
    check = check_tiles(directory, SIZE)
    assert check.first_bad_index == 256
    assert "tile/1/000.p/2 disagrees" in check.reason and "tile/0/001" in check.reason


def test_entry_and_its_tile_both_rewritten(export: tuple[Path, list[bytes]]) -> None:
    directory, leaves = export
    entries = bundle_of(leaves, 1)
    entries[5] = b"rewritten history"
    rewrite_bundle(directory, "tile/entries/001", entries)
    (directory / "tile/0/001").write_bytes(b"".join(leaf_hash(e) for e in entries))
    check = check_tiles(directory, SIZE)
    assert check.first_bad_index == 256 and check.entries_checked == 512
    assert "disagrees with the tiles below it" in check.reason


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_flipping_any_byte_of_the_export_is_caught(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    directory = tmp_path_factory.mktemp("flip")
    write_tiles(directory, make_leaves(SIZE), SIZE)
    files = files_under(directory)
    name = data.draw(st.sampled_from(sorted(files)), label="file")
    offset = data.draw(st.integers(0, len(files[name]) - 1), label="offset")
    bit = data.draw(st.integers(0, 7), label="bit")
    changed = bytearray(files[name])
    changed[offset] ^= 1 << bit
    (directory / name).write_bytes(bytes(changed))
    check = check_tiles(directory, SIZE)
    assert not check.ok and check.root is None and check.first_bad_index is not None
    assert check.first_bad_index < SIZE and check.reason


def test_iter_entries_reports_missing_and_short_bundles(export: tuple[Path, list[bytes]]) -> None:
    directory, leaves = export
    rewrite_bundle(directory, "tile/entries/001", bundle_of(leaves, 1)[:-1])
    with pytest.raises(TileError, match="holds 255 entries, not 256"):
        list(iter_entries(directory, SIZE))
    (directory / "tile/entries/001").unlink()
    with pytest.raises(TileError, match="tile/entries/001 is missing"):
        list(iter_entries(directory, SIZE))
