"""The fast RFC 8785 encoder gives exactly the bytes of the reference ``rfc8785`` package."""

from __future__ import annotations

import math
import struct

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasewatch.evidence.canonical import CanonicalError, canonical, es6_number

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
leaf = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
json_values = st.recursive(
    leaf,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(text, children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=800)
@given(json_values)
def test_same_bytes_as_the_reference(value: object) -> None:
    assert canonical(value) == rfc8785.dumps(value)


@settings(max_examples=3000)
@given(st.integers(0, 2**64 - 1))
def test_every_float_bit_pattern(bits: int) -> None:
    value = struct.unpack("<d", struct.pack("<Q", bits))[0]
    if not math.isfinite(value):
        return
    assert es6_number(value).encode() == rfc8785.dumps(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (100.0, "100"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (-1.5e-7, "-1.5e-7"),
        (123.456, "123.456"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (0.1 + 0.2, "0.30000000000000004"),
    ],
)
def test_ecmascript_number_forms(value: float, expected: str) -> None:
    assert es6_number(value) == expected


def test_keys_sort_by_utf16_code_units() -> None:
    value = {"\U0001f600": 1, "\ufb01": 2, "a": 3, "é": 4}
    assert canonical(value) == rfc8785.dumps(value)
    assert canonical(value).index("\U0001f600".encode()) < canonical(value).index("\ufb01".encode())


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, -math.inf, 2**53, -(2**53), "\ud800", {1: 2}, {"a": object()}]
)
def test_values_without_a_canonical_form_are_errors(bad: object) -> None:
    with pytest.raises(CanonicalError):
        canonical(bad)
