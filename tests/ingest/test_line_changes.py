"""``line-changes.jsonl``: the changes ``ceasewatch line diff --json`` writes, read as a source of
the log — accepted with their id and the newer map's day, each broken field rejected with its
place and fix, and fuzzed like the other JSON Lines formats."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from ceasewatch.agreement.line_diff import diff_control
from ceasewatch.agreement.line_read import change_feature
from ceasewatch.ingest.adapters import ADAPTERS
from ceasewatch.ingest.adapters.registry import detect_format
from ceasewatch.ingest.base import Accepted, Rejected
from ceasewatch.model.time import parse_ns

from .strategies import TEN_MB
from .test_fuzz import SETTINGS, assemble, check

ADAPTER = ADAPTERS["line-changes"]


def real_change() -> dict[str, Any]:
    """A change as ``line diff --json`` writes it: RU took a 4 × 3 km block east of Pokrovsk."""
    old = shapely.box(37.30, 48.00, 38.00, 48.50)
    new = shapely.box(37.25, 48.20, 38.00, 48.50).union(old)
    diff = diff_control(old, new, t_from="2026-02-01", t_to="2026-03-01")
    assert diff.changes, "the block is larger than the minimum area"
    return json.loads(json.dumps(change_feature(diff.changes[0], diff)))


def parse(*records: dict[str, Any]) -> list[Accepted | Rejected]:
    return list(ADAPTER.parse(b"\n".join(json.dumps(r).encode() for r in records)))


def test_a_change_from_line_diff_is_accepted_at_midnight_of_the_newer_map() -> None:
    good = real_change()
    [accepted] = parse(good)
    assert isinstance(accepted, Accepted), accepted
    assert accepted.record_id == good["id"] == good["properties"]["change_id"]
    assert accepted.source_time_ns == parse_ns("2026-03-01T00:00:00Z")
    assert accepted.record == good


def test_the_format_is_told_by_name_and_by_content() -> None:
    line = json.dumps(real_change()).encode() + b"\n"
    assert detect_format("out/line-changes.jsonl", b"") == "line-changes"
    assert detect_format("2026-03.jsonl", line) == "line-changes"


def _set(path: str, value: Any) -> dict[str, Any]:
    record = copy.deepcopy(real_change())
    *parents, last = path.split("/")
    target = record
    for part in parents:
        target = target[part]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return record


BROKEN = [
    ("type", "FeatureCollection", '"FeatureCollection" is not "Feature"'),
    ("id", None, "is missing"),
    ("geometry", {"type": "Point", "coordinates": [37.5, 48.1]}, 'not "Point"'),
    ("properties/format", "ceasewatch.line-change/0", "is not 'ceasewatch.line-change/1'"),
    ("properties/change_id", "lc-other", "differs from the feature's id"),
    ("properties/party_gained", None, "is missing"),
    ("properties/area_km2", 0, "is not above 0"),
    ("properties/position", [200, 48], "longitude 200 is outside"),
    ("properties/t_to", "2026-03-01T00:00:00Z", "not a plain YYYY-MM-DD date"),
    ("properties/t_to", "March 2026", "not a plain YYYY-MM-DD date"),
    ("properties/t_to", "2026-02-30", "is not a real calendar date"),
    ("properties/t_from", "2026-03-01", "is not before t_to"),
]


@pytest.mark.parametrize(("path", "value", "words"), BROKEN)
def test_each_broken_field_is_named_with_its_fix(path: str, value: Any, words: str) -> None:
    good = real_change()
    results = parse(good, _set(path, value), good)
    assert [type(r) for r in results] == [Accepted, Rejected, Accepted]
    rejected = results[1]
    assert isinstance(rejected, Rejected)
    assert rejected.line == 2 and words in rejected.reason
    assert rejected.field.startswith(path.split("/")[0]) and rejected.fix


@st.composite
def bad_line(draw: Any, good: dict[str, Any]) -> bytes:
    """A line that must be rejected: not JSON, a value JSON cannot keep, or a broken field."""
    text = json.dumps(good)
    spoil = draw(st.integers(0, 6))
    if spoil == 0:
        return draw(st.sampled_from([b"not json", b"{", b"[1, 2]", b"null", b'"text"']))
    if spoil == 1:
        return text[: draw(st.integers(1, len(text) - 1))].encode()
    if spoil == 2:
        return text[:-1].encode() + draw(st.sampled_from([b', "z": NaN}', b', "z": 1e999}']))
    if spoil == 3:
        return text[:-1].encode() + b', "z": "\xff\xfe"}'
    if spoil == 4:
        return text[:-1].encode() + b', "z": "' + b"x" * TEN_MB + b'"}'
    if spoil == 5:
        return json.dumps({**good, "id": draw(st.integers() | st.booleans())}).encode()
    path, value, _words = draw(st.sampled_from(BROKEN))
    return json.dumps(_set(path, value) | {"id": good["id"]}).encode()


@SETTINGS
@given(data=st.data())
def test_line_changes_fuzz(data: st.DataObject) -> None:
    base = real_change()
    items: list[tuple[bytes, str | None]] = []
    for index in range(data.draw(st.integers(min_value=1, max_value=8))):
        good = copy.deepcopy(base)
        good["id"] = good["properties"]["change_id"] = f"lc-{index:04d}"
        good["properties"]["area_km2"] = data.draw(st.floats(0.001, 5_000))
        what = data.draw(st.sampled_from(["good", "good", "bad", "blank"]))
        if what == "good":
            items.append((json.dumps(good).encode(), good["id"]))
        elif what == "bad":
            items.append((data.draw(bad_line(good)), None))
        else:
            items.append((b"  ", None))
    file, placed = assemble(items, b"", b"\n", 1)
    placed = [p for p in placed if p.raw.strip()]
    cut = data.draw(st.integers(min_value=0, max_value=len(file)))
    check(list(ADAPTER.parse(file[:cut])), placed, cut)
