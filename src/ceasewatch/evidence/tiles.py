"""The C2SP tlog-tiles layout on disk: paths, entry bundles, a streaming writer and a checker.

Layout under an export directory, for a tree of ``size`` leaves (https://c2sp.org/tlog-tiles)::

    tile/<L>/<N>[.p/<W>]        hash tiles: 256 hashes of 32 bytes; at level L the hashes of the
                                perfect subtrees of 256**L leaves; ``.p/<W>`` marks a partial tile
    tile/entries/<N>[.p/<W>]    entry bundles: each entry is a big-endian uint16 length + bytes

``<N>`` is written in 3-digit path elements, all but the last prefixed with ``x``
(1234067 → ``x001/x234/067``). At level L there are ``(size >> 8L) // 256`` full tiles and, when
``(size >> 8L) % 256`` is not 0, one partial tile of that width; empty tiles never exist. Partial
tiles are never hashed into the level above. A reader may fall back to the first W hashes (or
entries) of the full tile when a partial tile was replaced by it, as the spec allows.

Errors a user can cause (bad paths, bad bundle bytes, too few leaves) raise :class:`TileError`,
an ``InputError``. :func:`check_tiles` never raises for a damaged export: it reports the first
problem in a :class:`TileCheck`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from ceasewatch.errors import InputError
from ceasewatch.evidence.merkle import EMPTY_ROOT, root_from, root_of_hashes

TILE_HEIGHT = 8
TILE_WIDTH = 256
HASH_BYTES = 32
MAX_ENTRY_BYTES = 65_535

_sha256 = hashlib.sha256


class TileError(InputError):
    """A malformed tile path, entry bundle or tile directory."""


class BundleError(TileError):
    """Entry bundle bytes that do not decode; ``offset`` is the byte where decoding failed and
    ``entry_index`` the 0-based position (within the bundle) of the entry being read."""

    def __init__(self, message: str, offset: int, entry_index: int) -> None:
        super().__init__(message)
        self.offset = offset
        self.entry_index = entry_index


# ---------------------------------------------------------------- paths


@dataclass(frozen=True)
class TileRef:
    """One tile resource: ``level`` None for an entry bundle; ``width`` 256 for a full tile."""

    level: int | None
    index: int
    width: int = TILE_WIDTH

    @property
    def path(self) -> str:
        if self.level is None:
            return entries_path(self.index, self.width)
        return tile_path(self.level, self.index, self.width)


def _index_elements(index: int, width: int) -> str:
    if index < 0:
        raise TileError(f"a tile index must be >= 0, got {index}")
    if not 1 <= width <= TILE_WIDTH:
        raise TileError(f"a tile width must be 1..256, got {width}")
    digits = str(index)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    text = "/".join([*("x" + g for g in groups[:-1]), groups[-1]])
    return text if width == TILE_WIDTH else f"{text}.p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]``, relative and '/'-separated."""
    if not 0 <= level <= 63:
        raise TileError(f"a tile level must be 0..63, got {level}")
    return f"tile/{level}/{_index_elements(index, width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """``tile/entries/<N>[.p/<W>]``, relative and '/'-separated."""
    return f"tile/entries/{_index_elements(index, width)}"


_PATH = re.compile(
    r"tile/(?P<level>entries|0|[1-9][0-9]?)/(?P<n>(?:x[0-9]{3}/)*[0-9]{3})(?:\.p/(?P<w>[1-9][0-9]*))?"
)


def parse_tile_path(path: str) -> TileRef:
    """Inverse of :func:`tile_path` / :func:`entries_path`; raises TileError for anything that is
    not the one canonical spelling of a tile (no leading zero groups, L 0..63, W 1..255)."""
    match = _PATH.fullmatch(path)
    if match is None:
        raise TileError(f"{path!r} is not a tlog-tiles path such as tile/0/x001/234.p/5")
    level = None if match["level"] == "entries" else int(match["level"])
    index = int(match["n"].replace("x", "").replace("/", ""))
    width = int(match["w"]) if match["w"] else TILE_WIDTH
    if match["w"] and width >= TILE_WIDTH:
        raise TileError(f"{path!r}: a partial tile is 1..255 wide")
    ref = TileRef(level, index, width)
    if ref.path != path:
        raise TileError(f"{path!r} is not canonical; the tile is spelled {ref.path!r}")
    return ref


def tile_counts(size: int, level: int) -> tuple[int, int]:
    """``(full tiles, partial width)`` at ``level`` for a tree of ``size`` leaves (level 0 is
    also the bundle count); a partial width of 0 means there is no partial tile."""
    return divmod(size >> (TILE_HEIGHT * level), TILE_WIDTH)


# ---------------------------------------------------------------- bundles


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    """Concatenate each entry behind its big-endian uint16 length."""
    parts: list[bytes] = []
    for position, entry in enumerate(entries):
        if len(entry) > MAX_ENTRY_BYTES:
            raise BundleError(
                f"entry {position} is {len(entry)} bytes; a tlog-tiles entry holds at most "
                f"{MAX_ENTRY_BYTES} (store it beside the log and log its digest)",
                offset=0,
                entry_index=position,
            )
        parts.append(len(entry).to_bytes(2, "big"))
        parts.append(entry)
    return b"".join(parts)


def decode_bundle(data: bytes, expected_count: int | None = None) -> list[bytes]:
    """Split a bundle into entries; with ``expected_count``, exactly that many must be there.
    Raises BundleError naming the byte offset of a cut length prefix, of a length that runs past
    the end, or of bytes left over after ``expected_count`` entries."""
    entries: list[bytes] = []
    position, end = 0, len(data)
    while position < end:
        if expected_count is not None and len(entries) == expected_count:
            raise BundleError(
                f"overlong: {end - position} bytes left over at byte offset {position} after "
                f"{expected_count} entries",
                offset=position,
                entry_index=len(entries),
            )
        if position + 2 > end:
            raise BundleError(
                f"truncated: the length of the entry at position {len(entries)} (byte offset "
                f"{position}) is cut",
                offset=position,
                entry_index=len(entries),
            )
        stop = position + 2 + ((data[position] << 8) | data[position + 1])
        if stop > end:
            raise BundleError(
                f"truncated: the entry at position {len(entries)} (byte offset {position}) "
                f"declares {stop - position - 2} bytes but {end - position - 2} remain",
                offset=position,
                entry_index=len(entries),
            )
        entries.append(data[position + 2 : stop])
        position = stop
    if expected_count is not None and len(entries) != expected_count:
        raise BundleError(
            f"truncated: {len(entries)} entries where {expected_count} are expected, ending at "
            f"byte offset {end}",
            offset=end,
            entry_index=len(entries),
        )
    return entries


# ---------------------------------------------------------------- the unfinished tiles


class _Pending:
    """The unfinished tile at each level while writing or checking: at most 255 hashes per
    level, the only state that grows with the tree (logarithmically)."""

    def __init__(self) -> None:
        self.hashes: list[list[bytes]] = []
        self.full: list[int] = []

    def add(self, level: int, values: list[bytes]) -> list[bytes] | None:
        """Append hashes at ``level``; return the tile they complete, if any."""
        while len(self.hashes) <= level:
            self.hashes.append([])
            self.full.append(0)
        current = self.hashes[level]
        current.extend(values)
        if len(current) < TILE_WIDTH:
            return None
        self.hashes[level] = []
        self.full[level] += 1
        return current

    def root(self, size: int) -> bytes:
        """Root of the tree of ``size`` leaves: the unfinished tiles hold exactly the perfect
        subtrees of ``size``'s binary decomposition."""

        def subtree(height: int, index: int) -> bytes:
            level, rest = divmod(height, TILE_HEIGHT)
            start = (index << rest) - self.full[level] * TILE_WIDTH
            piece = self.hashes[level][start : start + (1 << rest)]
            if start < 0 or len(piece) != 1 << rest:
                raise AssertionError(f"subtree ({height}, {index}) is not pending")
            return root_of_hashes(piece)

        return root_from(size, subtree) if size else EMPTY_ROOT


# ---------------------------------------------------------------- writing


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def write_tiles(directory: Path, leaves: Iterable[bytes], size: int) -> bytes:
    """Write every entry bundle and hash tile of the tree of the first ``size`` leaves under
    ``directory`` and return its root (equal to ``merkle.root_hash``). Reads exactly ``size``
    leaves and raises TileError if there are fewer or one is over 65,535 bytes. Memory holds one
    bundle and the unfinished tiles; each file is written under a temporary name and renamed."""
    if size < 0:
        raise TileError(f"tree size must be >= 0, got {size}")
    source = iter(leaves)
    pending = _Pending()
    for bundle in range(-(-size // TILE_WIDTH)):
        width = min(TILE_WIDTH, size - bundle * TILE_WIDTH)
        entries = list(islice(source, width))
        if len(entries) < width:
            raise TileError(f"only {bundle * TILE_WIDTH + len(entries)} leaves for size {size}")
        try:
            data = encode_bundle(entries)
        except BundleError as error:
            raise TileError(f"leaf {bundle * TILE_WIDTH + error.entry_index}: {error}") from None
        hashes = [_sha256(b"\x00" + entry).digest() for entry in entries]
        _write_file(directory / entries_path(bundle, width), data)
        _write_file(directory / tile_path(0, bundle, width), b"".join(hashes))
        level, completed = 0, pending.add(0, hashes)
        while completed is not None:
            if level:
                tile = tile_path(level, pending.full[level] - 1)
                _write_file(directory / tile, b"".join(completed))
            level += 1
            completed = pending.add(level, [root_of_hashes(completed)])
    for level, hashes in enumerate(pending.hashes):
        if level and hashes:
            tile = tile_path(level, pending.full[level], len(hashes))
            _write_file(directory / tile, b"".join(hashes))
    return pending.root(size)


# ---------------------------------------------------------------- reading


def _read(directory: Path, ref: TileRef) -> tuple[str, bytes, bool]:
    """``(path read, bytes, read the full tile instead)``: a missing partial tile falls back to
    the full one. Raises FileNotFoundError naming ``ref.path`` when neither exists."""
    try:
        return ref.path, (directory / ref.path).read_bytes(), False
    except FileNotFoundError:
        if ref.width == TILE_WIDTH:
            raise FileNotFoundError(ref.path) from None
    full = TileRef(ref.level, ref.index)
    try:
        return full.path, (directory / full.path).read_bytes(), True
    except FileNotFoundError:
        raise FileNotFoundError(ref.path) from None


def _read_bundle(directory: Path, index: int, width: int) -> tuple[str, list[bytes]]:
    """``(path read, entries)``, the first ``width`` when read from the full bundle. Raises
    TileError if missing, BundleError if the bytes do not decode."""
    ref = TileRef(None, index, width)
    try:
        path, data, fallback = _read(directory, ref)
    except FileNotFoundError:
        raise TileError(f"entry bundle {ref.path} is missing") from None
    try:
        entries = decode_bundle(data)
    except BundleError as error:
        at = index * TILE_WIDTH + error.entry_index
        message = f"entry bundle {path} is malformed at entry {at}: {error}"
        raise BundleError(message, error.offset, error.entry_index) from None
    return path, entries[:width] if fallback else entries


def iter_entries(directory: Path, size: int) -> Iterator[bytes]:
    """The first ``size`` entries of an export, bundle by bundle, without checking any hash (use
    :func:`check_tiles` for that). Raises TileError for a missing or malformed bundle."""
    for bundle in range(-(-size // TILE_WIDTH)):
        width = min(TILE_WIDTH, size - bundle * TILE_WIDTH)
        path, entries = _read_bundle(directory, bundle, width)
        if len(entries) != width:
            raise TileError(f"entry bundle {path} holds {len(entries)} entries, not {width}")
        yield from entries


# ---------------------------------------------------------------- checking


@dataclass(frozen=True)
class TileCheck:
    """What :func:`check_tiles` found. When all is well ``root`` is the recomputed root (compare
    it with the checkpoint's), ``first_bad_index`` is None and ``reason`` empty. Otherwise
    ``root`` is None, ``first_bad_index`` is the 0-based index of the first entry that cannot be
    trusted (for a bad hash tile, the first entry it covers) and ``reason`` names the file and
    what is wrong with it. ``entries_checked`` counts the entries whose hashes matched their
    level-0 tile before checking stopped."""

    root: bytes | None
    entries_checked: int
    first_bad_index: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_index is None and not self.reason


class _Bad(Exception):
    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index
        self.reason = reason


class _Checker:
    """Recomputes the tree of one export bundle by bundle, tile by tile, stopping at the first
    disagreement; holds one stored tile per level and the unfinished tiles."""

    def __init__(self, directory: Path, size: int) -> None:
        self.directory = directory
        self.size = size
        self.pending = _Pending()
        self.loaded: dict[int, tuple[int, str, bytes]] = {}
        self.entries_checked = 0

    def run(self) -> bytes:
        for bundle in range(-(-self.size // TILE_WIDTH)):
            start = bundle * TILE_WIDTH
            width = min(TILE_WIDTH, self.size - start)
            try:
                bundle_path, entries = _read_bundle(self.directory, bundle, width)
            except BundleError as error:
                raise _Bad(start + error.entry_index, str(error)) from None
            except TileError as error:
                raise _Bad(start, str(error)) from None
            tile_path_, tile = self.tile(0, bundle)
            hashes = [_sha256(b"\x00" + entry).digest() for entry in entries]
            if len(hashes) != width or b"".join(hashes) != tile:
                raise _Bad(*self.diagnose(start, bundle_path, tile_path_, tile, hashes))
            self.entries_checked += width
            level, completed = 0, self.pending.add(0, hashes)
            while completed is not None:
                level += 1
                value = root_of_hashes(completed)
                self.compare(level, self.pending.full[level - 1] - 1, value)
                completed = self.pending.add(level, [value])
        return self.pending.root(self.size)

    def tile(self, level: int, index: int) -> tuple[str, bytes]:
        """``(path, hashes)`` of a stored hash tile, exactly as wide as ``size`` requires."""
        cached = self.loaded.get(level)
        if cached is not None and cached[0] == index:
            return cached[1], cached[2]
        full, partial = tile_counts(self.size, level)
        ref = TileRef(level, index, TILE_WIDTH if index < full else partial)
        first = (index * TILE_WIDTH) << (TILE_HEIGHT * level)
        try:
            path, data, fallback = _read(self.directory, ref)
        except FileNotFoundError:
            raise _Bad(first, f"hash tile {ref.path} is missing") from None
        expected = HASH_BYTES * (TILE_WIDTH if fallback else ref.width)
        if len(data) != expected:
            raise _Bad(
                first,
                f"hash tile {path} is malformed: {len(data)} bytes where {expected} "
                f"({expected // HASH_BYTES} hashes) are expected",
            )
        data = data[: HASH_BYTES * ref.width]
        self.loaded[level] = (index, path, data)
        return path, data

    def stored(self, level: int, position: int) -> tuple[str, bytes]:
        index, offset = divmod(position, TILE_WIDTH)
        path, data = self.tile(level, index)
        return path, data[offset * HASH_BYTES : (offset + 1) * HASH_BYTES]

    def compare(self, level: int, position: int, value: bytes) -> None:
        path, stored = self.stored(level, position)
        if stored != value:
            first = position << (TILE_HEIGHT * level)
            last = first + (1 << (TILE_HEIGHT * level)) - 1
            raise _Bad(
                first,
                f"hash tile {path} disagrees with the tiles below it: hash "
                f"{position % TILE_WIDTH} is not the root of {tile_path(level - 1, position)} "
                f"(entries {first}..{last})",
            )

    def diagnose(
        self, start: int, bundle: str, tile: str, data: bytes, hashes: list[bytes]
    ) -> tuple[int, str]:
        """Name the first entry of a bundle that disagrees with its level-0 tile, and how."""
        stored = [data[i : i + HASH_BYTES] for i in range(0, len(data), HASH_BYTES)]
        width, count = len(stored), len(hashes)
        common = min(width, count)
        i = next((k for k in range(common) if hashes[k] != stored[k]), common)
        at = start + i
        if count == width:
            j = next((k for k in range(width) if k != i and stored[k] == hashes[i]), None)
            if j is not None:
                return at, (
                    f"entry {at} in {bundle} is reordered: its hash is the one {tile} holds for "
                    f"entry {start + j}"
                )
            if width == TILE_WIDTH and self.parent_matches(start // TILE_WIDTH, hashes):
                return at, (
                    f"hash tile {tile} was edited at hash {i}: the entries of {bundle} match the "
                    f"level-1 tile above it"
                )
            unchecked = "" if width == TILE_WIDTH else " (no hash above covers a partial tile)"
            return at, (
                f"entry {at} in {bundle} was edited: its hash differs from hash {i} of {tile}"
                + unchecked
            )
        missing = width - count
        if missing > 0 and (i == count or hashes[i] == stored[i + missing]):
            span = f"entry {at} was" if missing == 1 else f"entries {at}..{at + missing - 1} were"
            if i == count:
                return at, (
                    f"{span} deleted or truncated: missing at the end of {bundle}, which holds "
                    f"{count} entries where {tile} holds {width} hashes"
                )
            return at, (
                f"{span} deleted from {bundle}: it holds {count} entries where {tile} holds "
                f"{width} hashes, and its entry at position {i} hashes to entry {at + missing}"
            )
        extra = -missing
        if extra > 0 and (i == width or hashes[i + extra] == stored[i]):
            where = f"before entry {at}" if i < width else f"after entry {at - 1}"
            return at, (
                f"{extra} entr{'y' if extra == 1 else 'ies'} inserted {where} in {bundle}: it "
                f"holds {count} entries where {tile} holds {width} hashes"
            )
        return at, (
            f"entry bundle {bundle} holds {count} entries where {tile} holds {width} hashes; "
            f"entry {at} is the first that differs"
        )

    def parent_matches(self, bundle: int, hashes: list[bytes]) -> bool:
        """Whether the level-1 tile vouches for these entries (so their level-0 tile is wrong)."""
        try:
            return self.stored(1, bundle)[1] == root_of_hashes(hashes)
        except _Bad:
            return False


def check_tiles(directory: Path, size: int) -> TileCheck:
    """Check the export in ``directory`` for a tree of ``size`` leaves: every entry bundle hashes
    to its level-0 tile and every tile hashes to the one above it. Never raises for a damaged
    export (raises TileError only for a negative ``size``). Reads each file once, in order."""
    if size < 0:
        raise TileError(f"tree size must be >= 0, got {size}")
    checker = _Checker(directory, size)
    try:
        root = checker.run()
    except _Bad as bad:
        return TileCheck(None, checker.entries_checked, bad.index, bad.reason)
    return TileCheck(root, checker.entries_checked)
