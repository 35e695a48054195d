"""``GET /api/stream/violations``: violations as Server-Sent Events, in the caller's view."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ceasewatch.api.tokens import Role
from ceasewatch.api.views import ALLOWED

from .conftest import Headers


@pytest.fixture
def quick(client: TestClient) -> TestClient:
    """The client with a stream that looks at the file every 0.05 s and beats every 0.2 s."""
    app = client.app
    app.state.settings = dataclasses.replace(  # type: ignore[attr-defined]
        app.state.settings,  # type: ignore[attr-defined]
        stream_poll_s=0.05,
        stream_heartbeat_s=0.2,
    )
    return client


def events(text: str) -> list[dict[str, str]]:
    """The events of an SSE body (comments dropped)."""
    out = []
    for block in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
        )
        if fields:
            out.append(fields)
    return out


def test_a_new_violation_is_sent_as_it_appears(
    quick: TestClient, auth: Headers, state: Path
) -> None:
    path = state / "adjudication" / "violations.jsonl"
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    fresh = {**first, "violation_id": "vi-streamed-0001"}

    def append() -> None:
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(fresh) + "\n")

    timer = threading.Timer(0.4, append)
    timer.start()
    answer = quick.get(
        "/api/stream/violations?max_events=1&max_seconds=20", headers=auth("analyst")
    )
    timer.join()
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    (event,) = events(answer.text)
    assert event["event"] == "violation" and event["id"] == "vi-streamed-0001"
    assert json.loads(event["data"])["evidence"] == first["evidence"]  # the full view


def test_a_party_gets_what_concerns_it_in_its_view_with_heartbeats(
    quick: TestClient, auth: Headers
) -> None:
    party = auth("party", party="RU")
    listed = quick.get("/api/violations?limit=1000", headers=party).json()
    answer = quick.get("/api/stream/violations?from_start=true&max_seconds=0.6", headers=party)
    sent = events(answer.text)
    assert len(sent) == listed["total"] > 0
    allowed = set(ALLOWED["violation"][Role.PARTY] or ())
    for event in sent:
        row = json.loads(event["data"])
        assert set(row) <= allowed and "evidence" not in row
    assert ": heartbeat" in answer.text


def test_the_stream_is_refused_to_the_public_and_contributors(
    quick: TestClient, auth: Headers
) -> None:
    assert quick.get("/api/stream/violations?max_seconds=0.1").status_code == 403
    fr = auth("contributor", contributor="FR")
    assert quick.get("/api/stream/violations?max_seconds=0.1", headers=fr).status_code == 403
    bad = quick.get("/api/stream/violations?max_events=0", headers=auth("analyst"))
    assert bad.status_code == 422
