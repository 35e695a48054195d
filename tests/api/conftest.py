"""A state folder to serve (a simulated quiet day, logged, fused and adjudicated, made once per
test session) and a client with tokens for every role."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ceasewatch.api.tokens import Principal, Role


@pytest.fixture(scope="session")
def built_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's stages on the quiet day (seed 3): OUT/state with the store and adjudication/."""
    from ceasewatch.agreement.catalog import resolve
    from ceasewatch.pipeline import adjudication_demo, evidence_demo, fusion_demo

    out = tmp_path_factory.mktemp("api-demo")
    agreement = resolve(None)
    evidence_demo(agreement, out, scenario_name="quiet-day", seed=3)
    fused = fusion_demo(agreement, out)
    adjudication_demo(agreement, out, fused)
    return out / "state"


@pytest.fixture
def state(built_state: Path, tmp_path: Path) -> Path:
    """A fresh copy per test, so what one test appends (reviews, complaints) no other sees."""
    copy = tmp_path / "state"
    shutil.copytree(built_state, copy)
    return copy


@pytest.fixture
def client(state: Path) -> Iterator[TestClient]:
    from ceasewatch.commands.serve import build_app

    app = build_app(state)
    with TestClient(app) as test_client:
        yield test_client
    app.state.settings.catalog.store.close()


Headers = Callable[..., dict[str, str]]


@pytest.fixture
def auth(client: TestClient) -> Headers:
    """``auth("party", party="RU")`` → headers carrying a fresh token for that role."""
    key = client.app.state.settings.key  # type: ignore[attr-defined]

    def headers(role: str, subject: str = "tester", **who: str) -> dict[str, str]:
        principal = Principal(Role(role), subject, **who)
        return {"Authorization": "Bearer " + key.issue(principal, int(time.time()))}

    return headers


@pytest.fixture
def held(state: Path) -> Iterator[tuple[TestClient, threading.Event, threading.Event]]:
    """A client whose ingest writer waits in its slot until ``release`` is set (one slot,
    no queue): ``entered`` is set when a request is in the slot."""
    from ceasewatch.commands.serve import build_app

    entered, release = threading.Event(), threading.Event()

    def hook(_source: str) -> None:
        entered.set()
        assert release.wait(30)

    app = build_app(state)
    app.state.settings = dataclasses.replace(
        app.state.settings, ingest_slots=1, ingest_queue=0, ingest_hook=hook
    )
    with TestClient(app) as test_client:
        yield test_client, entered, release
    release.set()
    app.state.settings.catalog.store.close()
