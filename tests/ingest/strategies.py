"""Hypothesis strategies shared by the ingest property tests: valid records of every format and
the malformed lines that must be rejected."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from ceasewatch.ingest.adapters.detections import OBJECT_CLASSES
from ceasewatch.ingest.adapters.picks import ACOUSTIC_SIGNATURES
from ceasewatch.ingest.adapters.reports import MODES, WHATS
from ceasewatch.ingest.adapters.sensors import SENSOR_KINDS
from ceasewatch.ingest.adapters.status import STATES
from ceasewatch.ingest.adapters.tracks import PROJECTILES
from ceasewatch.model.time import NS_PER_S, format_ns

from .records import ID_FIELD, SIG64

T0_NS = 1_700_000_000 * NS_PER_S
TEN_MB = 10 * 1024 * 1024

Draw = Any

ids = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=24
).filter(lambda s: s.strip() != "")
texts = st.text(max_size=40)
non_negative = st.floats(min_value=0, max_value=1e9, allow_nan=False)
finite = st.floats(allow_nan=False, allow_infinity=False)
safe_ints = st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1)
json_values = st.recursive(
    st.none() | st.booleans() | safe_ints | finite | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def instants(draw: Draw) -> int:
    return T0_NS + draw(st.integers(min_value=0, max_value=400 * 86_400 * NS_PER_S))


def time_text(draw: Draw, t_ns: int) -> str:
    return format_ns(t_ns, draw(st.integers(min_value=0, max_value=9)))


@st.composite
def coordinates(draw: Draw) -> list[float]:
    lon = draw(st.floats(min_value=-180, max_value=180))
    lat = draw(st.floats(min_value=-90, max_value=90))
    if draw(st.booleans()):
        return [lon, lat, draw(st.floats(min_value=-400, max_value=9000))]
    return [lon, lat]


@st.composite
def window(draw: Draw) -> list[str]:
    """[start, end] in order (both cut to the same digits, so still in order)."""
    start = draw(instants())
    digits = draw(st.integers(min_value=0, max_value=9))
    end = start + draw(st.integers(0, 10**13))
    return [format_ns(start, digits), format_ns(end, digits)]


def _optional(
    draw: Draw, record: dict[str, Any], options: dict[str, st.SearchStrategy[Any]]
) -> None:
    for name, strategy in options.items():
        if draw(st.booleans()):
            record[name] = draw(strategy)


@st.composite
def record(draw: Draw, kind: str) -> dict[str, Any]:
    """A valid record of a JSON Lines format, with some optional and unknown fields."""
    source = "team_id" if kind in ("reports", "open-reports") else "sensor_id"
    if kind in ("complaints", "notifications"):
        source = "party"
    base: dict[str, Any] = {ID_FIELD[kind]: draw(ids), source: draw(ids)}
    t_ns = draw(instants())
    if kind == "picks":
        base["t_arrival"] = time_text(draw, t_ns)
        options = {
            "t_sigma_s": non_negative,
            "signature": st.sampled_from(ACOUSTIC_SIGNATURES),
            "snr_db": finite,
        }
    elif kind == "tracks":
        ends = draw(st.sampled_from(["launch", "impact", "both"]))
        t_launch, t_impact = draw(window())
        if ends in ("launch", "both"):
            base |= {"t_launch": t_launch, "launch": draw(coordinates())}
        if ends in ("impact", "both"):
            base |= {"t_impact": t_impact, "impact": draw(coordinates())}
        options = {
            "launch_cep_m": non_negative,
            "impact_cep_m": non_negative,
            "projectile": st.sampled_from(PROJECTILES),
        }
    elif kind == "detections":
        base["t"] = time_text(draw, t_ns)
        options = {
            "position": coordinates(),
            "pos_sigma_m": non_negative,
            "object_class": st.sampled_from(OBJECT_CLASSES),
            "class_confidence": st.floats(min_value=0, max_value=1),
            "count": st.integers(min_value=0, max_value=10**6),
        }
    elif kind == "reports":
        base["t_start"] = time_text(draw, t_ns)
        bearing = st.floats(min_value=0, max_value=360)
        options = {
            "t_end": st.integers(0, 10**13).map(lambda d: format_ns(t_ns + d, 9)),
            "observer": coordinates(),
            "mode": st.sampled_from(MODES),
            "what": st.sampled_from(WHATS),
            "count": st.integers(min_value=0, max_value=1000),
            "bearing_deg": st.lists(bearing, min_size=2, max_size=2),
            "range_km": st.lists(non_negative, min_size=2, max_size=2).map(sorted),
            "text": texts,
        }
    elif kind == "open-reports":
        base |= {"t_start": time_text(draw, t_ns), "observer": draw(coordinates()),
                 "source": draw(ids)}  # fmt: skip
        options = {
            "t_end": st.integers(0, 10**13).map(lambda d: format_ns(t_ns + d, 9)),
            "what": st.sampled_from(WHATS),
            "category": texts,
            "headline": texts,
            "text": texts,
        }
    elif kind == "status":
        t_start, t_end = draw(window())
        base |= {"t_start": t_start, "t_end": t_end, "state": draw(st.sampled_from(STATES))}
        options = {
            "reason": texts,
            "share": st.floats(min_value=0, max_value=1),
            "interval_s": st.floats(min_value=1e-3, max_value=1e6),
            "seq": st.integers(min_value=0, max_value=2**53 - 1),
            "swath_m": non_negative,
            "cloudy": st.lists(coordinates(), max_size=3),
        }
    else:
        base["t_submitted"] = time_text(draw, t_ns)
        span = "t_alleged" if kind == "complaints" else "t_window"
        options = {
            span: window(),
            "position": coordinates(),
            "radius_m": non_negative,
            "text": texts,
        }
    _optional(draw, base, options)
    if draw(st.booleans()):
        base["signature_ed25519" if kind == "picks" else "signature"] = SIG64
    for key, value in draw(
        st.dictionaries(st.text(min_size=1, max_size=8), json_values, max_size=3)
    ).items():
        base.setdefault("x-" + key, value)
    return base


def encode(draw: Draw, value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=draw(st.booleans())).encode("utf-8")


@st.composite
def bad_json_line(draw: Draw, good: dict[str, Any]) -> bytes:
    """A line that must be rejected: not a record, a wrong type, or a value JSON cannot keep."""
    text = json.dumps(good)
    idf = next(k for k in good if k.endswith("_id"))
    choice = draw(st.integers(min_value=0, max_value=12))
    if choice == 0:
        return draw(st.sampled_from([b"not json", b"{", b"[1, 2]", b"null", b'"text"', b"12"]))
    if choice == 1:
        return json.dumps({**good, idf: draw(st.integers() | st.booleans() | st.just([]))}).encode()
    if choice == 2:
        return text[:-1].encode() + draw(st.sampled_from([b', "z": NaN}', b', "z": [Infinity]}']))
    if choice == 3:
        return text[:-1].encode() + b', "z": -Infinity}'
    if choice == 4:
        return text[:-1].encode() + b', "z": 1e999}'
    if choice == 5:
        return text[:-1].encode() + b', "z": 9007199254740993}'
    if choice == 6:
        return text[:-1].encode() + f', "{idf}": "again"}}'.encode()
    if choice == 7:
        return text[:-1].encode() + b', "z": "\xff\xfe"}'
    if choice == 8:
        return text[:-1].encode() + b', "z": "' + b"x" * TEN_MB + b'"}'
    if choice == 9:
        return text[:-1].encode() + b', "z": "\\udc00"}'
    if choice == 10:
        return json.dumps({k: v for k, v in good.items() if k != idf}).encode()
    if choice == 11:
        return draw(
            st.binary(min_size=1, max_size=30).filter(
                lambda b: b.strip() and b"\n" not in b and not _is_json_object(b)
            )
        )
    return text[: draw(st.integers(min_value=1, max_value=len(text) - 1))].encode()


def _is_json_object(data: bytes) -> bool:
    try:
        return isinstance(json.loads(data), dict)
    except ValueError:
        return False


@st.composite
def sensor_feature(draw: Draw) -> dict[str, Any]:
    """A valid sensor registry feature."""
    properties: dict[str, Any] = {
        "sensor_id": draw(ids),
        "kind": draw(st.sampled_from(SENSOR_KINDS)),
        "owner": draw(ids),
    }
    t_ns = draw(instants())
    _optional(
        draw,
        properties,
        {
            "elev_m": finite,
            "range_m": non_negative,
            "commissioned": st.just(format_ns(t_ns)),
            "decommissioned": st.just(format_ns(t_ns + NS_PER_S)),
            "public_key": st.just("A" * 43 + "="),
            "note": texts,
        },
    )
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": draw(coordinates())},
        "properties": properties,
    }


@st.composite
def bad_feature_line(draw: Draw, good: dict[str, Any]) -> bytes:
    """A features-array element that must be rejected."""
    text = json.dumps(good)
    choice = draw(st.integers(min_value=0, max_value=7))
    if choice == 0:
        return draw(st.sampled_from([b"not json", b"17", b"null", b'{"type": "Feature"', b"[]"]))
    if choice == 1:
        props = {**good["properties"], "kind": draw(texts.filter(lambda t: t not in SENSOR_KINDS))}
        return json.dumps({**good, "properties": props}).encode()
    if choice == 2:
        return text[:-2].encode() + b', "gain": NaN}}'
    if choice == 3:
        return text[:-2].encode() + b', "owner2": "\xc3\x28"}}'
    if choice == 4:
        return text[:-2].encode() + b', "blob": "' + b"x" * TEN_MB + b'"}}'
    if choice == 5:
        return json.dumps(
            {**good, "geometry": {"type": "Point", "coordinates": [1.0, 95.0]}}
        ).encode()
    if choice == 6:
        return text[:-2].encode() + b', "sensor_id": "twice"}}'
    return json.dumps({k: v for k, v in good.items() if k != "properties"}).encode()
