"""Schemathesis against the app in-process: every operation of the schema, all of its default
checks (server errors, status codes and content types as documented, response schemas,
negative data rejected, positive data accepted, ignored auth…), with an analyst's token and
with none (the public). Requests that write (review, complaints, ingest) go to this module's
own copy of the state; the stream is told to end quickly.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from ceasewatch.api.tokens import Principal, Role

EXAMPLES = 20  # per operation and caller
PENDING = {
    "GET /api/stream/violations": "routes_stream.py: an event's data is a JSON object, the schema "
    "says string (ST108)",
    "GET /api/reports/{day}": "routes_files.py: {day} has no pattern in the schema, so a "
    "schema-valid day is answered 422 (ST202)",
}
"""Failures in routes being written by others right now: reported as xfail, not hidden; a
fixed one drops out of the list by itself (it no longer fails)."""


@pytest.fixture(scope="module")
def app(built_state: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from ceasewatch.commands.serve import build_app

    copy = tmp_path_factory.mktemp("schemathesis") / "state"
    shutil.copytree(built_state, copy)
    served = build_app(copy)
    served.state.settings = _quick_streams(served.state.settings)
    yield served
    served.state.settings.catalog.store.close()


def _quick_streams(current: Any) -> Any:
    from dataclasses import replace

    return replace(current, stream_poll_s=0.02) if hasattr(current, "stream_poll_s") else current


@pytest.fixture(scope="module")
def api_schema(app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def headers_for(app: Any, who: str) -> dict[str, str]:
    if who == "public":
        return {}
    issued = app.state.settings.key.issue(Principal(Role.ANALYST, "sam"), int(time.time()))
    return {"Authorization": f"Bearer {issued}"}


def bounded(case: Any) -> None:
    """A stream ends only when told: at most a fraction of a second here."""
    if case.operation.path == "/api/stream/violations":
        query = dict(case.query or {})
        seconds = query.get("max_seconds")
        if not isinstance(seconds, int | float) or not 0 < seconds <= 0.2:
            query["max_seconds"] = 0.1
        case.query = query


def run_all(api_schema: Any, headers: dict[str, str]) -> list[str]:
    """Every operation with positive and negative cases; the failures, one line each."""
    from hypothesis import given
    from hypothesis import strategies as st
    from schemathesis.generation.modes import GenerationMode

    failures: list[str] = []
    labels = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        cases = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=cases)
        def check(case: Any) -> None:
            bounded(case)
            case.call_and_validate(headers=headers)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # keep going: report them all at the end
            failures.append(f"{operation.label}: {str(exc).strip()[:1500]}")
    assert len(labels) >= 20, labels
    return failures


def judge(failures: list[str]) -> None:
    mine = [f for f in failures if f.partition(":")[0] not in PENDING]
    assert not mine, "\n\n".join(mine)
    pending = sorted({f.partition(":")[0] for f in failures})
    if pending:
        pytest.xfail("; ".join(f"{label}: {PENDING[label]}" for label in pending))


def test_the_api_keeps_its_schema_for_an_analyst(api_schema: Any, app: Any) -> None:
    judge(run_all(api_schema, headers_for(app, "analyst")))


def test_the_api_keeps_its_schema_for_the_public(api_schema: Any, app: Any) -> None:
    judge(run_all(api_schema, headers_for(app, "public")))
