"""The interval index answers exactly what a mask over every interval answers."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ceasewatch.model.intervals import Meeting

spans = st.lists(
    st.tuples(st.integers(-1_000, 1_000), st.integers(-50, 400)), max_size=60
)  # (start, length); a negative length is a malformed interval, met only through its start


@given(spans, st.integers(-1_200, 1_200), st.integers(0, 300))
def test_meeting_is_the_mask(rows: list[tuple[int, int]], a: int, width: int) -> None:
    lo = np.array([s for s, _ in rows], dtype=np.int64)
    hi = np.array([s + n for s, n in rows], dtype=np.int64)
    b = a + width
    expected = np.flatnonzero((hi >= a) & (lo <= b))
    assert Meeting(lo, hi).meeting(a, b).tolist() == expected.tolist()


def test_an_empty_index_meets_nothing() -> None:
    index = Meeting([], [])
    assert len(index) == 0
    assert index.meeting(0, 10).tolist() == []


def test_a_long_interval_far_back_is_still_found() -> None:
    index = Meeting([0, 900, 950], [10_000, 910, 960])
    assert index.meeting(5_000, 5_001).tolist() == [0]
    assert index.meeting(905, 955).tolist() == [0, 1, 2]
