"""Fixtures of the ingest tests: one real simulator run, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceasewatch.agreement import Agreement
from ceasewatch.sim.deployment import generate as generate_deployment
from ceasewatch.sim.run import simulate
from ceasewatch.sim.scenarios import scenario


@pytest.fixture(scope="session")
def sim_run(tmp_path_factory: pytest.TempPathFactory, ua2026: Agreement) -> Path:
    """quiet-day, seed 1, a whole day: every stream has records (reports and notifications too)."""
    out = tmp_path_factory.mktemp("quiet-day")
    deployment = generate_deployment(ua2026, "dense", seed=1)
    simulate(ua2026, scenario("quiet-day"), 1, out, deployment=deployment)
    return out
