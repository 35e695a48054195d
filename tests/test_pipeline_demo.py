"""The demo's report window per scenario, and its batch GC setting being put back."""

from __future__ import annotations

import gc

import pytest

from ceasewatch.errors import NotFoundError
from ceasewatch.model.time import parse_ns
from ceasewatch.pipeline.demo import _batch_gc, report_window, scenario_span
from ceasewatch.sim.scenarios import scenario


def test_a_one_day_scenario_reports_its_day() -> None:
    start, end = report_window(scenario("peak-day"))
    assert start == parse_ns("2026-02-18T00:00:00Z")
    assert end == parse_ns("2026-02-19T00:00:00Z")
    assert scenario_span(scenario("peak-day")) == "2026-02-18 00:00 UTC, 24 h"


def test_a_longer_scenario_reports_whole_days_from_start_to_end() -> None:
    chosen = scenario("escalation")
    start, end = report_window(chosen)
    first = parse_ns(chosen.start[:10] + "T00:00:00Z")
    assert start == first
    assert (end - start) % (86_400 * 10**9) == 0
    assert end >= parse_ns(chosen.start) + int(chosen.hours * 3600) * 10**9
    assert end - start <= (chosen.hours + 48) * 3600 * 10**9


def test_batch_gc_puts_the_thresholds_back_even_on_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), _batch_gc():
        assert gc.get_threshold()[0] == 100_000
        raise RuntimeError("stage failed")
    assert gc.get_threshold() == before


def test_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(NotFoundError, match="quiet-day, peak-day"):
        scenario("peak-week")
