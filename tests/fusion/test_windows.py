"""Long inputs are fused in time windows: the same events for any number of processes."""

from __future__ import annotations

import numpy as np
import pytest

from ceasewatch.fusion.acoustic import windows
from ceasewatch.fusion.acoustic.model import Settings
from ceasewatch.fusion.acoustic.picks import pick_table
from ceasewatch.fusion.acoustic.run import fuse_picks
from ceasewatch.model.geo import geodesic_distance_m

from .test_acoustic import line_array, picks_for, sources_near_line


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(windows, "WINDOW_PICKS", 120)


def _shape(result):
    return [(e.event_id, e.pick_ids, round(e.lon, 9), round(e.lat, 9)) for e in result.events]


def test_windows_give_the_same_events_on_one_process_and_on_two(small_windows: None) -> None:
    rng = np.random.default_rng(11)
    array = line_array()
    sources = sources_near_line(rng, 60, spacing_s=60.0)
    picks, truth = picks_for(array, sources, rng, p_hear=0.9)
    parts = windows.windows(pick_table(picks, array.index), Settings())
    assert len(parts) >= 3  # the input really is cut
    one = fuse_picks(array, picks, workers=1)
    two = fuse_picks(array, picks, workers=2)
    assert _shape(one) == _shape(two)
    # a source near a cut is neither lost nor kept twice, and no pick is in two events
    assert len(one.events) >= 50
    found = [truth[e.pick_ids[0]] for e in one.events]
    assert len(found) == len(set(found))
    claimed = [p for e in one.events for p in e.pick_ids]
    assert len(claimed) == len(set(claimed))
    for event in one.events:
        n = truth[event.pick_ids[0]]
        assert all(truth[p] == n for p in event.pick_ids)
        assert geodesic_distance_m(event.lon, event.lat, *sources[n][:2])[0] < 100


def test_windowed_events_match_one_window(
    small_windows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(12)
    array = line_array()
    sources = sources_near_line(rng, 40, spacing_s=60.0)
    picks, _ = picks_for(array, sources, rng)
    cut = fuse_picks(array, picks, workers=1)
    monkeypatch.setattr(windows, "WINDOW_PICKS", 10**9)
    whole = fuse_picks(array, picks, workers=1)
    assert {e.event_id for e in cut.events} == {e.event_id for e in whole.events}
