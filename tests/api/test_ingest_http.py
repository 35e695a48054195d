"""``POST /api/ingest/{source}``: per-record errors, ownership, idempotency, backpressure, and
no acknowledged record lost."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from .conftest import Headers


def status_lines(sensor: str, first: int, count: int, *, bad: int | None = None) -> bytes:
    """``count`` status records of ``sensor`` (ids from ``first``); line ``bad`` ends before
    it starts."""
    lines = []
    for n in range(first, first + count):
        end = "2026-02-18T00:00:00Z" if n - first + 1 == bad else "2026-02-18T02:00:00Z"
        record = {
            "status_id": f"http-{sensor}-{n}",
            "sensor_id": sensor,
            "t_start": "2026-02-18T01:00:00Z",
            "t_end": end,
            "state": "up",
        }
        lines.append(json.dumps(record))
    return ("\n".join(lines) + "\n").encode()


def sensor_of(client: TestClient, owner: str) -> str:
    catalog = client.app.state.settings.catalog  # type: ignore[attr-defined]
    return next(s for s in catalog.sensor_ids() if catalog.sensor_owner(s) == owner)


def logged(app: FastAPI, source: str, ids: list[str]) -> set[str]:
    store = app.state.settings.catalog.store
    with store.read() as log:
        return set(log.find(source, ids))


def test_each_bad_record_is_answered_with_its_line_field_and_fix(
    client: TestClient, auth: Headers
) -> None:
    sensor = sensor_of(client, "UK")
    body = status_lines(sensor, 0, 3, bad=2)
    answer = client.post("/api/ingest/status", content=body, headers=auth("operator"))
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["counts"] == {"new": 2, "duplicate": 0, "revision": 0, "rejected": 1}
    (error,) = result["errors"]
    assert error["line"] == 2 and error["field"] == "t_end"
    assert "before t_start" in error["reason"] and error["fix"]
    assert error["record_id"] == f"http-{sensor}-1"
    assert isinstance(result["receipt"], int)
    again = client.post("/api/ingest/status", content=body, headers=auth("operator")).json()
    assert again["counts"]["duplicate"] == 2


def test_unknown_source_empty_and_oversized_bodies_are_refused(
    client: TestClient, auth: Headers
) -> None:
    op = auth("operator")
    assert client.post("/api/ingest/nonsense", content=b"{}\n", headers=op).status_code == 404
    assert client.post("/api/ingest/status", content=b"\n", headers=op).status_code == 422
    big = b" " * (5 * 1024 * 1024 + 1)
    assert client.post("/api/ingest/status", content=big, headers=op).status_code == 413


def test_a_contributor_may_send_only_its_own_sensors_records(
    client: TestClient, auth: Headers
) -> None:
    mine, theirs = sensor_of(client, "FR"), sensor_of(client, "UK")
    body = status_lines(mine, 0, 1) + status_lines(theirs, 1, 1)
    fr = auth("contributor", contributor="FR")
    result = client.post("/api/ingest/status", content=body, headers=fr).json()
    assert result["counts"]["new"] == 1 and result["counts"]["rejected"] == 1
    (error,) = result["errors"]
    assert error["line"] == 2 and error["field"] == "sensor_id"
    assert theirs in error["reason"] and "UK" not in error["reason"]
    assert "register" in error["fix"]
    assert logged(client.app, "status", [f"http-{theirs}-1"]) == set()  # type: ignore[arg-type]
    complaint = b'{"complaint_id": "c1"}\n'
    assert client.post("/api/ingest/complaints", content=complaint, headers=fr).status_code == 403
    assert client.post("/api/ingest/status", content=body).status_code == 403  # the public
    party = auth("party", party="RU")
    assert client.post("/api/ingest/status", content=body, headers=party).status_code == 403


def test_a_replay_gets_the_identical_answer_and_another_body_422(
    client: TestClient, auth: Headers
) -> None:
    body = status_lines(sensor_of(client, "UK"), 10, 2)
    headers = {**auth("operator"), "Idempotency-Key": "batch-10"}
    first = client.post("/api/ingest/status", content=body, headers=headers)
    size = client.get("/api/health").json()["log_size"]
    replay = client.post("/api/ingest/status", content=body, headers=headers)
    assert first.status_code == replay.status_code == 200
    assert replay.content == first.content
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert client.get("/api/health").json()["log_size"] == size  # no second receipt
    another = status_lines("A0001", 99, 1)
    other = client.post("/api/ingest/status", content=another, headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["error"]
    elsewhere = client.post("/api/ingest/picks", content=body, headers=headers)
    assert elsewhere.status_code == 422


def _token(client: TestClient) -> dict[str, str]:
    import time

    from ceasewatch.api.tokens import Principal, Role

    key = client.app.state.settings.key  # type: ignore[attr-defined]
    token = key.issue(Principal(Role.OPERATOR, "tester"), int(time.time()))
    return {"Authorization": f"Bearer {token}"}


def _in_thread(call: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(call()))
    thread.start()
    return thread, out


def test_a_concurrent_duplicate_gets_409_and_a_full_gate_429(
    held: tuple[TestClient, threading.Event, threading.Event],
) -> None:
    client, entered, release = held
    body = status_lines(sensor_of(client, "UK"), 20, 2)
    headers = {**_token(client), "Idempotency-Key": "slow-1"}
    thread, out = _in_thread(
        lambda: client.post("/api/ingest/status", content=body, headers=headers)
    )
    assert entered.wait(30)
    duplicate = client.post("/api/ingest/status", content=body, headers=headers)
    assert duplicate.status_code == 409, duplicate.text
    other = {**_token(client), "Idempotency-Key": "slow-2"}
    busy = client.post("/api/ingest/status", content=body, headers=other)
    assert busy.status_code == 429 and int(busy.headers["Retry-After"]) >= 1
    release.set()
    thread.join(30)
    (first,) = out
    assert first.status_code == 200  # type: ignore[attr-defined]
    retried = client.post("/api/ingest/status", content=body, headers=other)
    assert retried.status_code == 200 and retried.json()["counts"]["duplicate"] == 2
    assert client.post("/api/ingest/status", content=body, headers=headers).content == (
        first.content  # type: ignore[attr-defined]
    )


def test_every_acknowledged_record_is_in_the_log(state: Path) -> None:
    from ceasewatch.commands.serve import build_app

    app = build_app(state)
    app.state.settings = dataclasses.replace(app.state.settings, ingest_slots=1, ingest_queue=1)
    acked: list[str] = []
    statuses: list[int] = []
    lock = threading.Lock()
    with TestClient(app) as client:
        sensor = sensor_of(client, "UK")
        headers = _token(client)

        def send(worker: int) -> None:
            for batch in range(5):
                first = 1000 * worker + 50 * batch
                body = status_lines(sensor, first, 50)
                answer = client.post("/api/ingest/status", content=body, headers=headers)
                with lock:
                    statuses.append(answer.status_code)
                    if answer.status_code == 200:
                        assert answer.json()["counts"]["new"] == 50
                        acked.extend(f"http-{sensor}-{n}" for n in range(first, first + 50))

        threads = [threading.Thread(target=send, args=(w,)) for w in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert set(statuses) <= {200, 429} and 200 in statuses
        assert logged(app, "status", acked) == set(acked)
    app.state.settings.catalog.store.close()
