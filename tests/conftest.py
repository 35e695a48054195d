"""Shared fixtures: the toy agreement (straight line, closed-form distances), the default
agreement ua-2026 and the gazetteer, each loaded once per session; and both stores: every
test taking ``store_url`` runs on SQLite and on a real PostgreSQL server (a fresh schema each),
so both implementations meet one contract."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
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


PG_ADMIN_URL = os.environ.get(
    "CEASEWATCH_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PG_DATABASE = os.environ.get("CEASEWATCH_TEST_PG_DB", "ceasewatch_test")


def _pg_base_url() -> str:
    """The test database's URL, creating the database when it is missing. Skips when no
    server answers, unless CEASEWATCH_REQUIRE_PG=1 (CI sets it): then it fails."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as con:
            found = con.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)
            ).fetchone()
            if found is None:
                con.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server
        if os.environ.get("CEASEWATCH_REQUIRE_PG") == "1":
            raise
        pytest.skip(f"no PostgreSQL server for the store tests: {exc}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DATABASE


def pg_schema_url() -> Iterator[str]:
    import psycopg

    base = _pg_base_url()
    schema = "t_" + uuid.uuid4().hex[:16]
    yield f"{base}?schema={schema}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "evidence.sqlite")
    else:
        yield from pg_schema_url()
