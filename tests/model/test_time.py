from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceasewatch.errors import InputError
from ceasewatch.model.time import format_utc, parse_utc


def test_parse_z_and_offsets() -> None:
    assert parse_utc("2026-02-18T03:12:45Z") == datetime(2026, 2, 18, 3, 12, 45, tzinfo=UTC)
    assert parse_utc("2026-02-18T05:12:45+02:00") == datetime(2026, 2, 18, 3, 12, 45, tzinfo=UTC)
    assert parse_utc("2026-02-18T03:12:45.123456Z").microsecond == 123456


@pytest.mark.parametrize("text", ["2026-02-18T03:12:45", "yesterday", "2026-13-01T00:00:00Z"])
def test_rejects_naive_and_malformed(text: str) -> None:
    with pytest.raises(InputError, match="2026-02-18T03:12:45Z|Z for UTC"):
        parse_utc(text, where="t")


def test_format_round_trip() -> None:
    instant = datetime(2026, 2, 18, 5, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_utc(instant) == "2026-02-18T03:00:00Z"
    assert parse_utc(format_utc(instant)) == instant
    with pytest.raises(ValueError):
        format_utc(datetime(2026, 1, 1))


def test_nanosecond_round_trip() -> None:
    from ceasewatch.model.time import format_ns, from_ns, parse_ns, to_ns

    t = parse_ns("2026-02-18T03:12:45.123456789Z")
    assert t % 1_000_000_000 == 123_456_789
    assert format_ns(t, 9) == "2026-02-18T03:12:45.123456789Z"
    assert format_ns(t) == "2026-02-18T03:12:45.123456Z"
    assert format_ns(t, 0) == "2026-02-18T03:12:45Z"
    assert parse_ns("2026-02-18T05:12:45+02:00") == to_ns(from_ns(t).replace(microsecond=0))
    with pytest.raises(InputError):
        parse_ns("2026-02-18T03:12:45.1234567891Z")


@given(
    st.integers(min_value=-(2**62), max_value=2**62),
    st.integers(min_value=0, max_value=9),
)
def test_fast_paths_agree_with_datetime(t_ns: int, digits: int) -> None:
    """format_ns and parse_ns take a shortcut for the common shape; it must give what
    datetime gives, for any instant and any number of digits."""
    from datetime import UTC, datetime

    from ceasewatch.model.time import NS_PER_S, format_ns, parse_ns, parse_utc, to_ns

    t_ns = max(t_ns, -62_135_596_800 * NS_PER_S)  # not before year 1
    t_ns = min(t_ns, 253_402_300_799 * NS_PER_S)  # not after year 9999
    seconds, ns = divmod(t_ns, NS_PER_S)
    whole = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    expected = whole + ("." + f"{ns:09d}"[:digits] if digits else "") + "Z"
    assert format_ns(t_ns, digits) == expected
    kept = int(f"{ns:09d}"[:digits].ljust(9, "0")) if digits else 0
    assert parse_ns(expected) == to_ns(parse_utc(whole + "Z")) + kept


def test_fast_path_refuses_what_the_general_path_refuses() -> None:
    from ceasewatch.model.time import parse_ns

    for bad in ("2026-02-30T00:00:00Z", "2026-02-18T24:00:00Z", "2026-02-18T03:61:00Z",
                "2026-02-18T03:12:45.Z", "2026-02-18T03:12:45"):  # fmt: skip
        with pytest.raises(InputError):
            parse_ns(bad)
