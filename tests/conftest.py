"""Shared fixtures: the toy agreement (straight line, closed-form distances), the default
agreement ua-2026 and the gazetteer, each loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceasewatch.agreement import Agreement, load_agreement
from ceasewatch.agreement.catalog import resolve
from ceasewatch.agreement.locate import Locator
from ceasewatch.model.places import Gazetteer

FIXTURES = Path(__file__).parent / "fixtures"
TOY = FIXTURES / "toy" / "v1" / "agreement.yaml"


@pytest.fixture(scope="session")
def toy_path() -> Path:
    return TOY


@pytest.fixture(scope="session")
def toy() -> Agreement:
    return load_agreement(TOY)


@pytest.fixture(scope="session")
def toy_locator(toy: Agreement) -> Locator:
    return Locator(toy)


@pytest.fixture(scope="session")
def ua2026() -> Agreement:
    return resolve("ua-2026")


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.default()


@pytest.fixture(scope="session")
def ua_locator(ua2026: Agreement, gazetteer: Gazetteer) -> Locator:
    return Locator(ua2026, gazetteer)
