"""The sensor registry: each feature a record with its exact byte span; document problems."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ceasewatch.ingest.adapters import ADAPTERS
from ceasewatch.ingest.adapters.sensors import is_whole_document
from ceasewatch.ingest.base import Accepted, Rejected
from ceasewatch.model.time import parse_ns

from .records import KEY32, SIG64

SENSORS = ADAPTERS["sensors"]
HEAD = b'{"type": "FeatureCollection", "features": [\n'
TAIL = b"\n]}\n"


def feature(sensor_id: str = "A0001", **properties: Any) -> dict[str, Any]:
    props = {"sensor_id": sensor_id, "kind": "acoustic", "owner": "UK", "range_m": 21084.0}
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [37.58127, 50.177164]},
        "properties": {**props, **properties},
    }


def encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def document(*features: bytes) -> bytes:
    return HEAD + b",\n".join(features) + TAIL


def test_features_accepted_with_exact_spans_and_lines() -> None:
    one = encode(feature("A0001", commissioned="2025-01-01T00:00:00Z", note="é ✓"))
    two = encode(feature("A0002", public_key=KEY32))
    results = list(SENSORS.parse(document(one, two)))
    assert all(isinstance(r, Accepted) for r in results)
    first, second = results
    assert isinstance(first, Accepted) and isinstance(second, Accepted)
    assert (first.record_id, first.line, first.raw) == ("A0001", 2, one)
    assert first.record == json.loads(one)
    assert first.source_time_ns == parse_ns("2025-01-01T00:00:00Z")
    assert (second.record_id, second.line, second.raw) == ("A0002", 3, two)
    assert second.source_time_ns is None and second.signature is None


def test_pretty_printed_and_compact_documents() -> None:
    collection = {
        "type": "FeatureCollection",
        "name": "ü",
        "features": [feature("A"), feature("B")],
    }
    pretty = json.dumps(collection, indent=2, ensure_ascii=False).encode()
    results = list(SENSORS.parse(pretty))
    assert [r.record_id for r in results] == ["A", "B"]
    for result in results:
        assert isinstance(result, Accepted)
        assert json.loads(result.raw) == result.record
        assert pretty.split(b"\n")[result.line - 1].strip() == b"{"
    compact = b"\xef\xbb\xbf" + json.dumps(collection, separators=(",", ":")).encode()
    results = list(SENSORS.parse(compact))
    assert [(r.record_id, r.line) for r in results] == [("A", 1), ("B", 1)]
    assert all(json.loads(r.raw) == r.record for r in results)  # type: ignore[union-attr]


def bad_features() -> list[tuple[str, bytes, str, str]]:
    def with_(**properties: Any) -> bytes:
        return encode(feature(**{"sensor_id": "X1", **properties}))

    no_geometry = feature("X1")
    del no_geometry["geometry"]
    line_string = feature("X1")
    line_string["geometry"] = {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}
    swapped = feature("X1")
    swapped["geometry"]["coordinates"] = [50.1, 137.5]
    no_props = feature("X1")
    no_props["properties"] = None
    no_owner = feature("X1")
    del no_owner["properties"]["owner"]
    wrong_type = feature("X1")
    wrong_type["type"] = "feature"
    return [
        ("kind", with_(kind="microphone"), "features/1/properties/kind", "acoustic, radar"),
        ("no owner", encode(no_owner), "features/1/properties/owner", "is missing"),
        ("empty id", with_(sensor_id=""), "features/1/properties/sensor_id", "is empty"),
        ("range negative", with_(range_m=-1), "features/1/properties/range_m", "negative"),
        ("elev text", with_(elev_m="high"), "features/1/properties/elev_m", "must be a number"),
        ("commissioned", with_(commissioned="2025-01-01"), "features/1/properties/commissioned",
         "not an RFC 3339"),
        ("decommissioned early", with_(commissioned="2025-01-02T00:00:00Z",
         decommissioned="2025-01-01T00:00:00Z"), "features/1/properties/decommissioned",
         "not after commissioned"),
        ("public key short", with_(public_key=SIG64), "features/1/properties/public_key",
         "decodes to 64 bytes"),
        ("no geometry", encode(no_geometry), "features/1/geometry", "must be a Point"),
        ("line string", encode(line_string), "features/1/geometry/type", "not a Point"),
        ("swapped", encode(swapped), "features/1/geometry/coordinates/1", "looks swapped"),
        ("no properties", encode(no_props), "features/1/properties", "must be an object"),
        ("type", encode(wrong_type), "features/1/type", '"Feature"'),
        ("number", b"17", "features/1", "not an object"),
        ("nan", with_(range_m=1)[:-2] + b', "gain": NaN}}', "features/1/properties/gain", "NaN"),
        ("duplicate", with_()[:-2] + b', "owner": "RU"}}', "features/1/owner", "twice"),
        ("garbage", b"this is not json", "features/1", "not JSON"),
        ("invalid utf-8", with_(owner="U\u00e9K").replace(b"\xc3\xa9", b"\xe9"), "features/1",
         "not valid UTF-8"),
        ("unbalanced", with_()[:-1], "features/1", "not JSON"),
        ("too large", with_(blob="x" * 1_048_576), "features/1", "the limit is 1,048,576"),
    ]  # fmt: skip


BAD = bad_features()


@pytest.mark.parametrize(("raw", "field", "phrase"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_feature_rejected_alone(raw: bytes, field: str, phrase: str) -> None:
    good = encode(feature("A0001"))
    after = encode(feature("A0003"))
    results = list(SENSORS.parse(document(good, raw, after)))
    assert [type(r) for r in results] == [Accepted, Rejected, Accepted]
    bad = results[1]
    assert isinstance(bad, Rejected)
    assert (bad.line, bad.field, bad.raw) == (3, field, raw)
    assert phrase in bad.reason and bad.fix
    assert results[2].line == 4 and results[2].raw == after


@pytest.mark.parametrize(
    ("data", "phrase", "line"),
    [
        (b"hello", "not a JSON object (line 1 column 1)", 1),
        (b"  \n [1, 2]", "not a JSON object (line 2 column 2)", 2),
        (b'{"type": "Feature", "geometry": null, "properties": {}}', "no features array", 1),
        (b'{"type": "Topology", "features": []}', "not a FeatureCollection", 1),
        (b'{"features": []}', "not a FeatureCollection", 1),
        (b'{"type": "FeatureCollection", "features": {}}', "must be an array", 1),
        (b'{"type": "FeatureCollection",\n "features": [', "ends early", 2),
        (b'{"type": "FeatureCollection" "features": []}', "expected ','", 1),
        (b'{type: "FeatureCollection"}', "member name", 1),
    ],
)
def test_unreadable_document_is_one_rejection(data: bytes, phrase: str, line: int) -> None:
    (only,) = SENSORS.parse(data)
    assert isinstance(only, Rejected)
    assert (only.field, only.raw, only.line) == ("", data, line)
    assert phrase in only.reason
    assert is_whole_document(only)


def test_empty_collection_and_empty_file() -> None:
    assert list(SENSORS.parse(b'{"type": "FeatureCollection", "features": []}')) == []
    assert list(SENSORS.parse(b"")) == []
    assert list(SENSORS.parse(b" \n")) == []


@pytest.mark.parametrize(
    ("tail", "phrase"),
    [
        (b"", "ends early"),
        (b",\n", "ends early"),
        (b",\n]}", "a comma before ']'"),
        (b"\n]}\n{}", "text after the document"),
    ],
)
def test_document_problems_keep_the_features_read(tail: bytes, phrase: str) -> None:
    good = encode(feature("A0001"))
    results = list(SENSORS.parse(HEAD + good + tail))
    assert isinstance(results[0], Accepted) and results[0].raw == good
    (problem,) = results[1:]
    assert isinstance(problem, Rejected)
    assert problem.raw == b"" and phrase in problem.reason and not is_whole_document(problem)


def test_cut_inside_a_feature() -> None:
    good = encode(feature("A0001"))
    data = HEAD + good + b",\n" + good[:30]
    first, cut = SENSORS.parse(data)
    assert isinstance(first, Accepted)
    assert isinstance(cut, Rejected)
    assert (cut.field, cut.line, cut.raw) == ("features/1", 3, good[:30])
    assert "cut short" in cut.reason


@pytest.mark.parametrize("tail", [b"\n]}\n", b"\n]}", b"\n]", b"\n] ", b"\n"])
def test_a_broken_last_feature_ends_where_the_array_does(tail: bytes) -> None:
    good = encode(feature("A0001"))
    results = list(SENSORS.parse(HEAD + good + b",\nnot json" + tail))
    assert isinstance(results[0], Accepted)
    bad = results[1]
    assert isinstance(bad, Rejected) and (bad.line, bad.raw) == (3, b"not json")
    if tail.startswith(b"\n]}"):
        assert len(results) == 2
    elif b"]" in tail:
        assert len(results) == 3 and "ends early" in results[2].reason  # type: ignore[union-attr]
    else:
        assert len(results) == 2 and "cut short" in bad.reason


def test_a_broken_pretty_printed_feature_is_one_rejection() -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [feature("A"), feature("B"), feature("C")],
    }
    pretty = json.dumps(collection, indent=2).encode()
    broken = pretty.replace(b'"sensor_id": "B",', b'"sensor_id": "B",,', 1)
    results = list(SENSORS.parse(broken))
    assert [type(r) for r in results] == [Accepted, Rejected, Accepted]
    assert [r.record_id for r in results if isinstance(r, Accepted)] == ["A", "C"]
    bad = results[1]
    assert isinstance(bad, Rejected) and bad.field == "features/1"
    assert broken.split(b"\n")[bad.line - 1].strip() == b"{"
    assert bad.raw.startswith(b"{") and bad.raw.endswith(b"}") and b'"B",,' in bad.raw
