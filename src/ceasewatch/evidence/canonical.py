"""RFC 8785 (JSON Canonicalization Scheme) bytes, fast, for values parsed from JSON.

Every leaf of the evidence log is canonical JSON, and ingest canonicalises each record twice
(its content digest and its leaf), so this is the hottest code of ingest. The ``rfc8785``
package is the reference; this encoder does the same in a few C-backed steps and is tested
against it (``tests/evidence/test_canonical.py``, Hypothesis over arbitrary JSON values,
awkward floats, escapes and keys outside the Basic Multilingual Plane).

The rules it implements:

- objects: members sorted by the UTF-16 code units of their names, no whitespace;
- strings: ``"`` and ``\\`` escaped, ``\\b \\f \\n \\r \\t`` short, other control characters as
  ``\\u00xx`` (lower-case hex), everything else as UTF-8 — the same as ``json``'s own escaping;
- numbers: integers within ±(2**53 − 1); floats as ECMAScript's ``Number.prototype.toString``
  (shortest round-trip digits, exponent only below 1e-6 or from 1e21, ``-0`` as ``0``);
- NaN, infinities, lone surrogates and other types are errors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1


class CanonicalError(ValueError):
    """A value that has no RFC 8785 form."""


class Encoded(str):
    """Text that is already canonical JSON (from ``canonical_text``): spliced in as it is, so a
    record canonicalised once for its digest is not canonicalised again inside its leaf."""


def canonical(value: Any) -> bytes:
    """The RFC 8785 bytes of a JSON value (dict, list, tuple, str, int, float, bool, None)."""
    try:
        return canonical_text(value).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalError("a string holds a lone surrogate, which is not Unicode") from exc


def canonical_text(value: Any) -> Encoded:
    """The RFC 8785 form as text (encode it as UTF-8 for the bytes)."""
    parts: list[str] = []
    _encode(value, parts)
    return Encoded("".join(parts))


def _encode(value: Any, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(encode_basestring(value))
    elif kind is dict:
        _object(value, out)
    elif kind is float:
        out.append(es6_number(value))
    elif kind is int:
        out.append(_integer(value))
    elif kind is Encoded:
        out.append(value)
    elif kind is list or kind is tuple:
        _array(value, out)
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(encode_basestring(str(value)))
    elif isinstance(value, int):
        out.append(_integer(int(value)))
    elif isinstance(value, float):
        out.append(es6_number(float(value)))
    elif isinstance(value, Mapping):
        _object(value, out)
    elif isinstance(value, list | tuple):
        _array(value, out)
    else:
        raise CanonicalError(f"{type(value).__name__} is not a JSON value")


def _integer(value: int) -> str:
    if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return str(value)
    raise CanonicalError(f"{value} is outside the integers JSON numbers hold exactly")


def _object(value: Mapping[Any, Any], out: list[str]) -> None:
    keys = list(value)
    try:
        ascii_only = "".join(keys).isascii()  # one C call; a key that is not a string fails
    except TypeError:
        raise CanonicalError("object member names must be strings") from None
    keys.sort(key=None if ascii_only else _utf16)
    out.append("{")
    first = True
    for key in keys:
        if first:
            first = False
        else:
            out.append(",")
        out.append(encode_basestring(key) + ":")
        item = value[key]
        if type(item) is str:  # most members: skip the dispatch
            out.append(encode_basestring(item))
        else:
            _encode(item, out)
    out.append("}")


def _array(value: list[Any] | tuple[Any, ...], out: list[str]) -> None:
    out.append("[")
    for position, item in enumerate(value):
        if position:
            out.append(",")
        _encode(item, out)
    out.append("]")


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def es6_number(value: float) -> str:
    """A finite float as ECMAScript's Number.prototype.toString writes it."""
    if not math.isfinite(value):
        raise CanonicalError(f"{value} is not a JSON number")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    text = repr(abs(value))  # shortest round-trip digits, like ECMAScript
    mantissa, _, exponent_text = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    # value = 0.<digits> x 10**point
    point = (
        len(whole.lstrip("0")) if whole.strip("0") else -(len(fraction) - len(fraction.lstrip("0")))
    )
    point += int(exponent_text) if exponent_text else 0
    digits = digits.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        return sign + digits + "0" * (point - count)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * (-point) + digits
    exponent = point - 1
    mark = "+" if exponent >= 0 else "-"
    head = digits[0] + ("." + digits[1:] if count > 1 else "")
    return f"{sign}{head}e{mark}{abs(exponent)}"
